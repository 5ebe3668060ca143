/**
 * Human output of `medic doctor`: the verdict, the cluster in one line, one row per area (state, what was checked,
 * a summary), then the findings, worst first, each with its id, area, node, evidence and the next command, then what
 * could not be checked. Every value that came from outside (addresses, paths, log lines, node answers, a bundle's
 * contents) goes through escapeControl, one line each.
 */
import type {AreaReport, DoctorFinding, DoctorReport} from '../doctor/types.js'
import {escapeControl as esc} from '../util/text.js'
import {bold, dim, heading, padVerdict} from './text.js'

const EVIDENCE_LINES = 8

export async function renderDoctor(report: DoctorReport, options: {infoLimit?: number} = {}): Promise<string> {
  const {plainTable} = await import('./status.js')
  const out: string[] = []
  const problems = report.counts.critical + report.counts.warning
  const unknown = report.areas.filter((a) => a.verdict === 'unknown').map((a) => a.area)
  const headline = [
    `${report.verdict.toUpperCase()}`,
    problems === 0 ? 'no problem found' : `${report.counts.critical} critical, ${report.counts.warning} warning${report.counts.warning === 1 ? '' : 's'}`,
    ...(unknown.length > 0 ? [`not checked in full: ${unknown.join(', ')}`] : []),
  ]
  out.push(`${bold('medic doctor')}: ${headline.join('; ')}`)
  if (report.source.kind === 'bundle') out.push(dim(`from the bundle ${esc(report.source.path)}, written by medic ${esc(report.source.medicVersion)} on ${esc(report.source.createdAt)}`))
  const c = report.cluster
  if (c.metaNodes + c.dataNodes > 0) {
    out.push(`Cluster: ${c.metaNodes} meta, ${c.dataNodes} data node${c.dataNodes === 1 ? '' : 's'}; ${c.leader === null ? 'no agreed leader' : `leader ${esc(c.leader)}`}${c.quorum === null ? '' : `; ${esc(c.quorum)}`}`)
  }
  out.push('')
  out.push(await plainTable(['AREA', 'STATE', 'CHECKED', 'SUMMARY'], report.areas.map(areaRow), ['left', 'left', 'right', 'left']))
  const shown = report.findings.filter((f) => f.severity !== 'info')
  const info = report.findings.filter((f) => f.severity === 'info')
  if (shown.length > 0) {
    out.push('', heading('Findings, worst first'))
    for (const f of shown) out.push(...finding(f))
  }
  if (info.length > 0) {
    // Notes are many and alike (a dev cluster's loopback addresses, one per file): one line per id, --json has each.
    const byId = new Map<string, DoctorFinding[]>()
    for (const f of info) byId.set(f.id, [...(byId.get(f.id) ?? []), f])
    const limit = options.infoLimit ?? 10
    out.push('', heading('For information'))
    for (const [id, fs] of [...byId].slice(0, limit)) {
      const f = fs[0]
      out.push(`${padVerdict('info')} ${esc(id)}${fs.length > 1 ? ` (x${fs.length})` : ''}  ${f.node === null ? '' : `${esc(f.node)}: `}${esc(f.title)}`)
    }
    if (byId.size > limit) out.push(dim(`  and ${byId.size - limit} more kinds (--json has them all)`))
  }
  const missing = report.areas.filter((a) => a.notChecked.length > 0)
  if (missing.length > 0) {
    out.push('', heading('Not checked'))
    for (const a of missing) {
      for (const n of a.notChecked.slice(0, 10)) out.push(`  ${a.area}: ${esc(n)}`)
      if (a.notChecked.length > 10) out.push(dim(`  ${a.area}: and ${a.notChecked.length - 10} more`))
    }
  }
  out.push('')
  out.push(report.verdict === 'ok'
    ? 'Every area was checked and nothing needs action.'
    : report.verdict === 'unknown'
      ? dim('Nothing wrong was found in what could be checked, but not everything could be: the state is UNKNOWN.')
      : report.complete ? `Act on the findings in order: the first is the likeliest cause.` : `Act on the findings in order; some things could not be checked, so there may be more.`)
  return out.join('\n')
}

function areaRow(a: AreaReport): string[] {
  const label = a.verdict === 'skipped' ? 'SKIPPED' : padVerdict(a.verdict === 'ok' ? 'ok' : a.verdict).trimEnd()
  const checked = a.verdict === 'skipped' ? '-' : a.unchecked > 0 ? `${a.checked}/${a.checked + a.unchecked}` : String(a.checked)
  return [a.area, label, checked, esc(a.summary)]
}

function finding(f: DoctorFinding): string[] {
  const lines = [`${String(f.rank).padStart(2)}. ${padVerdict(f.severity)} ${esc(f.id)}  [${f.area}]${f.node === null ? '' : ` ${esc(f.node)}`}`]
  lines.push(`    ${esc(f.title)}`)
  for (const e of f.evidence.slice(0, EVIDENCE_LINES)) lines.push(dim(`    | ${esc(e)}`))
  if (f.evidence.length > EVIDENCE_LINES) lines.push(dim(`    | and ${f.evidence.length - EVIDENCE_LINES} more (--json)`))
  if (f.next !== null) lines.push(`    next${f.nextOn === undefined ? '' : ` (on ${esc(f.nextOn)})`}: ${esc(f.next)}`)
  for (const h of f.hints.slice(0, 3)) lines.push(dim(`    try: ${esc(h)}`))
  return lines
}
