/**
 * Human output of `medic status`: one row per node (cli-table3, borderless, no colour unless chalk's level allows it),
 * then the problems, worst first, each with what to try, then the cluster state in one line.
 */
import chalk from 'chalk'
import type CliTable3 from 'cli-table3'

import type {NodeState, StatusProblem, StatusReport} from '../probe/status.js'
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
    n.address,
    n.role,
    stateLabel(n.state),
    n.source === 'file' ? '-' : n.reachable ? 'yes' : 'no',
    n.latencyMs === undefined ? '-' : `${n.latencyMs} ms`,
    n.version ?? '-',
    n.role === 'meta' ? (n.leader === undefined ? '-' : n.leader === '' ? '(none)' : `${n.leader}${n.isLeader ? ' (self)' : ''}`) : '',
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
      out.push(`${p.severity === 'critical' ? chalk.bold.red('CRITICAL') : chalk.yellow('WARNING ')} ${p.id}  ${p.message}`)
      for (const i of (p.issues ?? []).slice(0, 8)) out.push(dim(`    at ${i.path}: ${i.message}`))
      for (const s of p.suggestions) out.push(`    ${dim('try:')} ${s}`)
    }
  }
  const s = report.summary
  const leader = report.leader ? `leader ${report.leader}` : 'no agreed leader'
  out.push('', `Cluster: ${stateLabel(report.state)}  ${s.meta} meta, ${s.data} data node${s.data === 1 ? '' : 's'}; ${leader}; ${s.checked} checked, ${s.unchecked} not reachable; ${s.critical} critical, ${s.warning} warning${s.warning === 1 ? '' : 's'}`)
  if (report.state === 'unknown' && s.unchecked > 0) out.push(dim('State is UNKNOWN: some nodes could not be checked, so the cluster may hide more problems.'))
  return out.join('\n')
}

function rank(p: StatusProblem): number {
  return p.severity === 'critical' ? 0 : 1
}
