/**
 * Human output of `medic status`: one row per node (cli-table3, borderless, no colour unless chalk's level allows it),
 * then the problems, worst first, each with what to try, then the quorum and the cluster state, one line each; and the
 * one-line and redrawn views of `status --watch`.
 *
 * Every value that came from a node or a file (addresses, versions, leaders, messages quoting bodies, suggestions
 * naming addresses) goes through escapeControl here: each is one line of data, so any control character in it, a
 * newline included, is shown as an escape and cannot drive the terminal or forge an output line.
 */
import chalk from 'chalk'
import type CliTable3 from 'cli-table3'

import type {NodeState, StatusProblem, StatusReport} from '../probe/status.js'
import {escapeControl as esc} from '../util/text.js'
import {bold, dim} from './text.js'

type TableCtor = typeof CliTable3
let TableClass: TableCtor | undefined

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
}

/** A borderless, grep-friendly table; shared with format/ctl.ts. */
export async function plainTable(head: string[], rows: string[][], align?: Array<'left' | 'right'>): Promise<string> {
  TableClass ??= (await import('cli-table3')).default
  const colour = chalk.level > 0
  const t = new TableClass({
    head: head.map((h) => (colour ? chalk.bold(h) : h)),
    chars: PLAIN_CHARS,
    colAligns: align ?? head.map(() => 'left' as const),
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
  })
  for (const r of rows) t.push(r)
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n')
}

export function stateLabel(s: NodeState): string {
  const label = s.toUpperCase()
  switch (s) {
    case 'ok': return chalk.green(label)
    case 'warning': return chalk.yellow(label)
    case 'fail': return chalk.bold.red(label)
    default: return chalk.gray(label)
  }
}

const yesNo = (v: boolean | undefined) => (v === undefined ? '-' : v ? 'yes' : 'no')

export async function renderStatus(report: StatusReport): Promise<string> {
  const rows = report.nodes.map((n) => [
    esc(n.address),
    n.role,
    stateLabel(n.state),
    n.source === 'file' ? '-' : n.reachable ? 'yes' : 'no',
    n.latencyMs === undefined ? '-' : `${n.latencyMs} ms`,
    n.version === undefined ? '-' : esc(n.version),
    n.role === 'meta' ? (n.leader === undefined ? '-' : n.leader === '' ? '(none)' : `${esc(n.leader)}${n.isLeader ? ' (self)' : ''}`) : '',
    n.peers === undefined ? (n.role === 'meta' ? '-' : '') : String(n.peers),
    n.role === 'meta' ? yesNo(n.joined) : '',
    n.problems.join(', '),
  ])
  const out: string[] = [await plainTable(
    ['NODE', 'ROLE', 'STATE', 'REACHABLE', 'LATENCY', 'VERSION', 'LEADER', 'PEERS', 'JOINED', 'PROBLEMS'],
    rows,
    ['left', 'left', 'left', 'left', 'right', 'left', 'left', 'right', 'left', 'left'],
  )]
  const problems = [...report.problems].sort((a, b) => rank(a) - rank(b))
  if (problems.length > 0) {
    out.push('', bold('Problems'))
    for (const p of problems) {
      out.push(`${p.severity === 'critical' ? chalk.bold.red('CRITICAL') : chalk.yellow('WARNING ')} ${p.id}  ${esc(p.message)}`)
      for (const i of (p.issues ?? []).slice(0, 8)) out.push(dim(`    at ${esc(i.path)}: ${esc(i.message)}`))
      for (const s of p.suggestions) out.push(`    ${dim('try:')} ${esc(s)}`)
    }
  }
  const s = report.summary
  const leader = report.leader ? `leader ${esc(report.leader)}` : 'no agreed leader'
  out.push('')
  if (report.quorum) out.push(`Quorum: ${esc(report.quorum.text)}`)
  const notChecked = report.nodes.filter((n) => !n.checked && n.error?.startsWith('not asked')).length
  out.push(`Cluster: ${stateLabel(report.state)}  ${s.meta} meta, ${s.data} data node${s.data === 1 ? '' : 's'}; ${leader}; ${s.checked} checked, ${s.unchecked - notChecked} not reachable${notChecked > 0 ? `, ${notChecked} not asked in time` : ''}; ${s.critical} critical, ${s.warning} warning${s.warning === 1 ? '' : 's'}`)
  if (!report.complete && s.unchecked + s.checked > 0) {
    out.push(dim(report.state === 'unknown'
      ? 'State is UNKNOWN: some nodes or views could not be checked, so the cluster may hide more problems.'
      : 'Some nodes or views could not be checked: the cluster may hide more problems than these.'))
  }
  return out.join('\n')
}

/** The first line of a redrawn `status --watch` frame. */
export function renderWatchHeader(addresses: string[], intervalMs: number, at: Date): string {
  return dim(`Every ${intervalMs >= 1000 ? `${intervalMs / 1000}s` : `${intervalMs}ms`}: medic status ${addresses.map(esc).join(' ')}   (Ctrl-C to stop)   ${at.toISOString().replace(/\.\d+Z$/, 'Z')}`)
}

/** One line per change for `status --watch` into a pipe or file. */
export function renderWatchLine(report: StatusReport, at: Date): string {
  const parts = [
    at.toISOString().replace(/\.\d+Z$/, 'Z'),
    report.verdict.toUpperCase(),
    report.leader ? `leader ${esc(report.leader)}` : 'no agreed leader',
    ...(report.quorum ? [esc(report.quorum.text)] : []),
    `${report.summary.checked}/${report.nodes.length} nodes checked`,
    report.problems.length === 0 ? 'no problems' : `problems: ${[...new Set(report.problems.map((p) => p.id))].join(', ')}`,
  ]
  return parts.join('; ')
}

/** What counts as a change between two rounds of `status --watch` (not latencies). */
export function watchDigest(report: StatusReport): string {
  return JSON.stringify([
    report.verdict,
    report.leader ?? null,
    report.quorum?.text ?? null,
    report.nodes.map((n) => [n.address, n.state, n.leader ?? null, n.reachable, n.joined ?? null, n.version ?? null]),
    report.problems.map((p) => [p.id, p.severity, p.nodes]),
  ])
}

function rank(p: StatusProblem): number {
  return p.severity === 'critical' ? 0 : 1
}
