/**
 * The meta and data areas of `medic doctor` from `medic status`'s probe (probe/status.ts probeCluster: /status of
 * every meta node and peer, the quorum, leader agreement, /show-cluster, /ping of every data node) and from the data
 * nodes' `write` statistics in /debug/vars (hh/sampler.ts reads them with the hinted-handoff queues). The problems
 * keep the ids `medic status` gives them; each gets the evidence medic saw and one next command.
 */
import type {NodeRow, StatusProblem, StatusReport} from '../probe/status.js'
import type {SourceObservation} from '../hh/sampler.js'
import {formatShortDurationMs} from '../util/duration.js'
import {decideOutcome} from '../util/outcome.js'
import {sh} from '../util/text.js'
import {ctlShowCommand, curlCommand, joinDiagnoseCommand, pasteableAddress, statusCommand, withAccess} from './next.js'
import type {Access, AreaReport, DoctorFinding, DoctorPlan, Links} from './types.js'

/** A finding before it is ranked, with what rank.ts needs to link causes to what they cause. */
export type Draft = Omit<DoctorFinding, 'rank' | 'causedBy' | 'explains'> & {links?: Links}

/** Problems of `medic status` that are about data nodes. */
const DATA_IDS = new Set(['data-unreachable', 'data-silent', 'data-ping-status', 'data-ping-no-version', 'too-many-data-nodes'])
const MEMBERSHIP_IDS = new Set(['peers-disagree', 'meta-even', 'peer-malformed', 'peer-not-probed', 'self-not-in-peers', 'data-silent', 'show-cluster-bad-address'])
const NODE_IDS = new Set([
  'meta-unreachable', 'meta-unavailable', 'meta-auth', 'not-meta-node', 'status-http-error', 'status-empty', 'status-html', 'status-not-json',
  'status-too-deep', 'status-shape', 'status-too-large', 'redirect-loop', 'redirect-refused', 'loopback-advertised', 'unroutable-advertised',
  'malformed-advertised', 'address-mismatch', 'leader-not-in-peers', 'no-leader',
])
const EVIDENCE_ROWS = 5

export interface ProbeAreas {
  meta: AreaReport
  data: AreaReport
  findings: Draft[]
}

/** The meta area, and the data nodes' reachability, from a status report (undefined: no --meta given). */
export function probeAreas(report: StatusReport | undefined, plan: DoctorPlan, access: Access, error?: string): ProbeAreas {
  if (report === undefined) {
    const why = error ?? 'no meta node given (--meta)'
    return {
      meta: {area: 'meta', verdict: 'unknown', checked: 0, unchecked: 1, summary: `not checked: ${why}`, notChecked: [why]},
      data: {area: 'data', verdict: 'unknown', checked: 0, unchecked: 0, summary: 'not checked', notChecked: []},
      findings: [],
    }
  }
  const byAddress = new Map(report.nodes.map((n) => [n.address, n]))
  const findings: Draft[] = report.problems.map((p) => fromProblem(p, byAddress, plan, access, report))
  const metaRows = report.nodes.filter((n) => n.role === 'meta')
  const dataRows = report.nodes.filter((n) => n.role === 'data')
  const metaNot = metaRows.filter((n) => !n.checked).map((n) => `${n.address}: ${n.error ?? 'not checked'}`)
  const metaUnchecked = metaNot.length + (report.complete || report.showCluster?.error !== undefined || metaNot.length > 0 || dataRows.some((d) => !d.checked) ? 0 : 1)
  const metaFindings = findings.filter((f) => f.area === 'meta')
  const metaOutcome = decideOutcome({findings: metaFindings, checked: metaRows.filter((n) => n.checked).length, unchecked: metaUnchecked})
  const leader = report.leader === undefined ? 'no agreed leader' : `leader ${report.leader}`
  const meta: AreaReport = {
    area: 'meta',
    verdict: metaOutcome.verdict,
    checked: metaOutcome.checked,
    unchecked: metaOutcome.unchecked,
    summary: `${metaRows.length} meta node${metaRows.length === 1 ? '' : 's'}, ${leader}${report.quorum ? `; ${report.quorum.up}/${report.quorum.voters} voters up, quorum ${report.quorum.holds === true ? 'holds' : report.quorum.holds === false ? 'lost' : 'unknown'}` : ''}`,
    notChecked: [...metaNot, ...(metaUnchecked > metaNot.length ? ['some peers could not be mapped to an address medic could ask (see the findings)'] : [])],
  }
  const dataNot = dataRows.filter((n) => !n.checked).map((n) => `${n.address}: /ping ${n.error ?? 'not checked'}`)
  if (report.showCluster?.error !== undefined) dataNot.unshift(`the data nodes: /show-cluster could not be read (${report.showCluster.error})`)
  const data: AreaReport = {
    area: 'data',
    verdict: 'unknown', // decided with the write statistics (dataArea)
    checked: dataRows.filter((n) => n.checked).length,
    unchecked: dataNot.length,
    summary: '',
    notChecked: dataNot,
  }
  return {meta, data, findings}
}

function fromProblem(p: StatusProblem, rows: Map<string, NodeRow>, plan: DoctorPlan, access: Access, report: StatusReport): Draft {
  const area = DATA_IDS.has(p.id) ? 'data' : 'meta'
  const node = p.nodes.length === 1 ? p.nodes[0] : null
  const evidence: string[] = []
  for (const addr of p.nodes.slice(0, EVIDENCE_ROWS)) {
    const row = rows.get(addr)
    if (row !== undefined) evidence.push(rowEvidence(row))
  }
  if (p.nodes.length > EVIDENCE_ROWS) evidence.push(`and ${p.nodes.length - EVIDENCE_ROWS} more node${p.nodes.length - EVIDENCE_ROWS === 1 ? '' : 's'}`)
  for (const i of (p.issues ?? []).slice(0, 5)) evidence.push(`body at ${i.path}: ${i.message}`)
  if ((p.id === 'quorum-lost' || p.id === 'quorum-degraded') && report.quorum) evidence.unshift(report.quorum.text)
  const {next, nextOn} = nextFor(p, node, rows, plan, access, report)
  const links = linksOf(p, node === null ? undefined : rows.get(node))
  return {id: p.id, area, severity: p.severity, node, title: p.message, evidence, next, ...(nextOn === undefined ? {} : {nextOn}), hints: p.suggestions, ...(links === undefined ? {} : {links})}
}

/** A node that does not answer can explain other findings; the quorum is explained by the meta nodes that are down. */
function linksOf(p: StatusProblem, row: NodeRow | undefined): Links | undefined {
  if (row !== undefined && (p.id === 'data-unreachable' || p.id === 'data-silent')) {
    return {down: {role: 'data', address: row.address, ...(row.id === undefined ? {} : {id: String(row.id)})}}
  }
  if (row !== undefined && p.id === 'meta-unreachable') return {down: {role: 'meta', address: row.address}}
  if (p.id === 'quorum-degraded' || p.id === 'quorum-lost' || p.id === 'no-leader') return {quorum: true}
  return undefined
}

function rowEvidence(row: NodeRow): string {
  const what = row.role === 'meta' ? 'GET /status' : 'GET /ping'
  if (!row.reachable) return `${row.address} (${row.role}): ${what} got no answer: ${row.error ?? 'not asked'}`
  // No latency here: a bundle read back must give the same evidence (`medic status` shows latencies).
  const parts = [`${row.address} (${row.role}): ${what} answered${row.httpStatus === undefined ? '' : ` HTTP ${row.httpStatus}`}`]
  if (row.version !== undefined) parts.push(`version ${row.version}`)
  if (row.role === 'meta' && row.leader !== undefined) parts.push(row.leader === '' ? 'sees no leader' : `sees leader ${row.leader}`)
  if (row.role === 'meta' && row.peers !== undefined) parts.push(`${row.peers} peer${row.peers === 1 ? '' : 's'}`)
  return parts.join(', ')
}

function nextFor(p: StatusProblem, node: string | null, rows: Map<string, NodeRow>, plan: DoctorPlan, access: Access, report: StatusReport): {next: string | null; nextOn?: string} {
  const leaderRow = report.nodes.find((n) => n.role === 'meta' && n.isLeader)
  const aMeta = leaderRow?.address ?? plan.meta[0]
  if (p.id === 'meta-not-joined' && node !== null) {
    const row = rows.get(node)
    const target = row?.httpAddr !== undefined && row.httpAddr !== '' && pasteableAddress(row.httpAddr) ? row.httpAddr : node
    if (!pasteableAddress(target)) return {next: null}
    const other = report.nodes.find((n) => n.role === 'meta' && n.joined && n.address !== node)
    return {next: sh`influxd-ctl add-meta ${target}` ?? null, nextOn: other === undefined ? 'the meta node that will lead the cluster' : `a meta node of the cluster, e.g. ${other.address}`}
  }
  if (node !== null && NODE_IDS.has(p.id) && pasteableAddress(node)) return {next: joinDiagnoseCommand(node, access)}
  if (MEMBERSHIP_IDS.has(p.id)) return {next: ctlShowCommand(aMeta !== undefined && pasteableAddress(aMeta) ? aMeta : undefined, access)}
  if (p.id === 'data-unreachable' || p.id === 'data-ping-status' || p.id === 'data-ping-no-version') {
    const row = node === null ? undefined : rows.get(node)
    return {next: row?.url === undefined ? null : curlCommand(`${row.url}/ping`)}
  }
  if (p.id.startsWith('show-cluster') && node !== null) {
    const row = rows.get(node)
    return {next: row?.url === undefined ? null : curlCommand(`${row.url}/show-cluster`)}
  }
  const quorum = p.id === 'quorum-lost' || p.id === 'quorum-degraded' || p.id === 'split-view'
  return {next: statusCommand(plan.meta.filter(pasteableAddress), access, quorum)}
}

// ------------------------------------------------------------------------------------------------ write statistics

/** Counters of the `write` statistic that count failures, with what each one means. */
const FAILURES: Array<[string, string]> = [
  ['writeError', 'writes that failed'],
  ['writeTimeout', 'writes that timed out'],
  ['writeDrop', 'writes dropped'],
]

/**
 * The data area: reachability (from the probe) and the `write` statistic of each data node between the first and the
 * last sample: writes failing or timing out now, partial writes (fewer owners than the consistency level answered),
 * and points for other owners sent to hinted handoff (an owner down or cut off). With one sample, or after a restart
 * between samples, only the totals since the node started are known: those are informational.
 */
export function dataArea(base: AreaReport, probeFindings: Draft[], samples: Array<{t: number; sources: SourceObservation[]}>, hhUrlsOnly: boolean, access: Access, meta: string | undefined): {area: AreaReport; findings: Draft[]} {
  const findings: Draft[] = []
  const first = new Map<string, {t: number; write: Record<string, number>}>()
  const last = new Map<string, {t: number; write: Record<string, number>}>()
  const failed = new Map<string, string>()
  for (const s of samples) {
    for (const src of s.sources) {
      if (src.kind !== 'http') continue
      if (!src.ok) {
        if (!last.has(src.source)) failed.set(src.source, src.error?.message ?? 'not read')
        continue
      }
      failed.delete(src.source)
      if (src.write === undefined || src.write === null) continue
      if (!first.has(src.source)) first.set(src.source, {t: s.t, write: src.write})
      last.set(src.source, {t: s.t, write: src.write})
    }
  }
  let statsRead = 0
  for (const [source, end] of last) {
    statsRead++
    const start = first.get(source)!
    const span = end.t - start.t
    const delta = (k: string) => {
      const a = start.write[k] ?? 0
      const b = end.write[k] ?? 0
      return b >= a ? b - a : b // a restart between samples: the counter began again at 0
    }
    const window = span > 0 ? `in the ${formatShortDurationMs(Math.max(1, Math.round(span)))} doctor watched` : ''
    const evidence = [`${source}: write statistic ${Object.entries(end.write).filter(([k]) => /^(?:req|pointReq|pointReqHH|pointReqLocal|pointReqRemote|writeOk|writeError|writeTimeout|writeDrop|writePartial)$/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ')}`]
    const next = hhOrStats(source, access, meta)
    if (span > 0) {
      const fails = FAILURES.map(([k, what]) => [k, delta(k), what] as const).filter(([, d]) => d > 0)
      if (fails.length > 0) {
        findings.push({
          id: 'write-errors', area: 'data', severity: 'warning', node: source, links: {ownerWrites: true},
          title: `${source}: ${fails.map(([k, d, what]) => `${d} ${what} (${k})`).join(', ')} ${window}: clients are getting errors now`,
          evidence, next: logsHint(), nextOn: source,
          hints: ['the data node\'s log says why each write failed; medic explain turns a line into its cause and next step', 'a write times out after [coordinator] write-timeout (10s by default) without enough owners answering', 'a write that times out or fails with "hinted handoff queue not empty" points at an owner that is down or cut off: medic hh watch --url on the writing node'],
        })
      }
      const partial = delta('writePartial')
      if (partial > 0) {
        findings.push({
          id: 'write-partial', area: 'data', severity: 'warning', node: source, links: {ownerWrites: true},
          title: `${source}: ${partial} partial write${partial === 1 ? '' : 's'} ${window}: fewer owners acknowledged than the consistency level asks, the rest is queued in hinted handoff`,
          evidence, next, hints: ['clients asking consistency=all (or quorum) get 500 "partial write"; the points are stored on the owners that answered and delivered to the others later'],
        })
      }
      const hh = delta('pointReqHH')
      if (hh > 0) {
        findings.push({
          id: 'write-to-hinted-handoff', area: 'data', severity: 'warning', node: source, links: {ownerWrites: true},
          title: `${source}: ${hh} point${hh === 1 ? '' : 's'} for other owners went to hinted handoff ${window}: an owner of the shards written is down or cannot be reached from this node`,
          evidence, next, hints: ['the hinted-handoff area says which destination node and how much is queued'],
        })
      }
    }
    const totals = FAILURES.map(([k]) => [k, end.write[k] ?? 0] as const).filter(([, v]) => v > 0)
    if (totals.length > 0 && !findings.some((f) => f.node === source && f.id === 'write-errors')) {
      findings.push({
        id: 'write-errors-since-start', area: 'data', severity: 'info', node: source, links: {ownerWrites: true},
        title: `${source}: since it started, ${totals.map(([k, v]) => `${k}=${v}`).join(', ')}${span > 0 ? ' (none while doctor watched)' : ''}`,
        evidence, next: logsHint(), nextOn: source, hints: [],
      })
    }
  }
  const notChecked = [...base.notChecked, ...[...failed].map(([s, why]) => `${s}: /debug/vars not read: ${why}`)]
  const checked = base.checked + statsRead
  const unchecked = base.unchecked + failed.size
  const nodes = samples[0]?.sources.filter((s) => s.kind === 'http').length ?? 0
  const outcome = decideOutcome({findings: [...probeFindings.filter((f) => f.area === 'data'), ...findings], checked, unchecked})
  const summary = checked + unchecked === 0
    ? 'not checked: no data node found (none listed in /show-cluster, no --hh-url)'
    : `${hhUrlsOnly ? '' : `${base.checked} answered /ping; `}${statsRead}/${nodes} /debug/vars read${samples.length > 1 ? ` (${samples.length} samples)` : ''}`
  return {
    area: {...base, verdict: outcome.verdict, checked, unchecked, summary, notChecked: checked + unchecked === 0 ? ['no data node to check'] : notChecked},
    findings,
  }
}

function logsHint(): string {
  return 'journalctl -u influxdb --since -15m | medic logs summarize -'
}

function hhOrStats(source: string, access: Access, meta: string | undefined): string | null {
  const base = sh`medic hh watch --url ${source} --interval 5s`
  if (base === undefined) return null
  const m = meta === undefined ? '' : sh` --meta ${meta}`
  return withAccess(`${base}${m ?? ''}`, access)
}
