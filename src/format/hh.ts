/**
 * Human output of `medic hh inspect | watch | wait`. Tables are cli-table3 (imported on first use), borderless so that
 * they stay grep-friendly, and without colour unless chalk's level (set by the base command) allows it: cli-table3
 * colours its header even when piped unless told not to. Live redraw (LiveArea) is for terminals only; the commands
 * decide that.
 *
 * Everything from outside (paths, node and shard ids, host names from a meta node, source labels, error bodies and
 * finding messages that quote them) goes through `escapeControl` here, and into a suggested command only through
 * `sh` (quoted, or withheld when it cannot be pasted safely). Durations are Go durations (formatSpan, on
 * src/util/duration.ts), so they can be pasted into a flag.
 */
import chalk from 'chalk'
import type CliTable3 from 'cli-table3'

import {type Analysis, formatSpan, type InspectNode, type InspectReport, type Verdict} from '../hh/analytics.js'
import type {NodeRow, QueueStatus, RunVerdict, Snapshot, WaitResult} from '../hh/monitor.js'
import type {Finding} from '../hh/scan.js'
import type {HhSettings} from '../hh/settings.js'
import {type Outcome, outcomeHeadline} from '../util/outcome.js'
import {escapeControl as e, sh} from '../util/text.js'
import {bold, dim, formatCount, shortTime} from './text.js'

type TableCtor = typeof CliTable3
let TableClass: TableCtor | undefined

async function loadTable(): Promise<TableCtor> {
  TableClass ??= (await import('cli-table3')).default
  return TableClass
}

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
}

async function table(head: string[], rows: string[][], align: Array<'left' | 'right'>): Promise<string> {
  const Table = await loadTable()
  const colour = chalk.level > 0
  const t = new Table({
    head: head.map((h) => (colour ? chalk.bold(h) : h)),
    chars: PLAIN_CHARS,
    colAligns: align,
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
  })
  for (const r of rows) t.push(r)
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n')
}

/** Binary units, as max-size is configured: 10 GiB, 512 MiB. */
export function formatBinaryBytes(n: number): string {
  if (!Number.isFinite(n)) return '?'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = Math.abs(n)
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const s = i === 0 ? String(Math.round(v)) : v >= 100 ? v.toFixed(0) : v.toFixed(1)
  return `${n < 0 ? '-' : ''}${s.replace(/\.0$/, '')} ${units[i]}`
}

export function formatRate(bytesPerSec: number | null): string {
  if (bytesPerSec === null) return '-'
  if (Math.abs(bytesPerSec) < 0.5) return '0 B/s'
  return `${bytesPerSec > 0 ? '+' : ''}${formatBinaryBytes(bytesPerSec)}/s`
}

export function verdictText(v: Verdict): string {
  switch (v) {
    case 'drained': return chalk.green(v)
    case 'draining': return chalk.green(v)
    case 'slow': return chalk.yellow(v)
    case 'growing': return chalk.yellow(v)
    case 'retrying': return chalk.yellow(v)
    case 'stalled': return chalk.red(v)
    case 'blocked': return chalk.bold.red(v)
    default: return chalk.gray(v)
  }
}

function severityText(s: Finding['severity']): string {
  switch (s) {
    case 'critical': return chalk.bold.red('CRITICAL')
    case 'warning': return chalk.yellow('WARNING ')
    case 'unknown': return chalk.gray('UNKNOWN ')
    default: return chalk.cyan('INFO    ')
  }
}

/** The verdict line of every hh command: the one rule's verdict, its counts, and what could not be checked. */
export function outcomeLine(o: Outcome): string {
  const head = outcomeHeadline(o)
  const label = head.slice(0, o.verdict.length)
  const rest = head.slice(o.verdict.length)
  const coloured = o.verdict === 'ok' ? chalk.green(label) : o.verdict === 'warning' ? chalk.yellow(label) : o.verdict === 'critical' ? chalk.bold.red(label) : chalk.gray(label)
  const counts = `${o.critical} critical, ${o.warnings} warning${o.warnings === 1 ? '' : 's'}`
  return `${bold('Verdict')}: ${coloured}${rest}   ${counts}`
}

function findingLine(f: Finding): string {
  return `  ${severityText(f.severity)} ${e(f.code)}  ${e(f.message)}`
}

function sourceLabel(s: HhSettings['maxSizeSource'], configPath: string | null): string {
  return s === 'config' ? `from ${e(configPath ?? '')}` : s === 'flag' ? 'from a flag or MEDIC_HH_*' : 'default'
}

type LimitSettings = Pick<HhSettings, 'maxSizeBytes' | 'maxSizeSource' | 'maxAgeMs' | 'maxAgeSource' | 'configPath'> &
  Partial<Pick<HhSettings, 'retryMaxIntervalMs' | 'retryMaxIntervalSource'>>

export function limitsLine(s: LimitSettings): string {
  const retry = s.retryMaxIntervalMs === undefined || s.retryMaxIntervalSource === undefined
    ? ''
    : `, retry-max-interval ${formatSpan(s.retryMaxIntervalMs)} (${sourceLabel(s.retryMaxIntervalSource, s.configPath)})`
  return `Limits: max-size ${formatBinaryBytes(s.maxSizeBytes)} per destination node (${sourceLabel(s.maxSizeSource, s.configPath)}), ` +
    `max-age ${formatSpan(s.maxAgeMs)} (${sourceLabel(s.maxAgeSource, s.configPath)})${retry}`
}

function age(ms: number | null): string {
  return ms === null ? '-' : `${formatSpan(ms)} ago`
}

function nodeLabel(node: string, host: string | null): string {
  return host ? `${e(node)} (${e(host)})` : e(node)
}

function statusText(n: InspectNode): string {
  switch (n.status) {
    case 'empty': return chalk.green('empty')
    case 'pending': return 'pending'
    case 'near-full':
    case 'near-max-age': return chalk.yellow(n.status)
    default: return chalk.bold.red(n.status)
  }
}

// ------------------------------------------------------------------------------------------------ inspect

export async function renderInspect(r: InspectReport, options: {shards?: boolean} = {}): Promise<string> {
  const out: string[] = []
  const t = r.totals
  out.push(`${bold('Hinted handoff')} in ${e(r.dir)}: ${formatCount(t.nodes)} destination node${t.nodes === 1 ? '' : 's'}, ${formatCount(t.queues)} queue${t.queues === 1 ? '' : 's'}, ` +
    `${formatBinaryBytes(t.pendingBytes)} to send (${formatBinaryBytes(t.diskBytes)} on disk in ${formatCount(t.segments)} segment${t.segments === 1 ? '' : 's'})`)
  out.push(dim(`  ${limitsLine({...r.settings})}; scanned in ${formatSpan(r.scanMs)} at ${shortTime(r.scannedAt)} UTC`))
  for (const n of r.settings.notes) out.push(dim(`  note: ${e(n)}`))
  if (r.nodes.length > 0) {
    const rows: string[][] = []
    for (const n of r.nodes) {
      rows.push([
        nodeLabel(n.node, n.host),
        '',
        formatBinaryBytes(n.pendingBytes),
        formatBinaryBytes(n.diskBytes),
        formatCount(n.segments),
        `${formatBinaryBytes(Math.max(0, n.headroomBytes))} (${Math.max(0, Math.round((1 - n.usedFraction) * 100))}%)`,
        age(n.oldestPendingAgeMs),
        age(n.newestAgeMs),
        n.maxAge === null ? '-' : n.maxAge.inMs <= 0 ? chalk.red(`passed ${formatSpan(-n.maxAge.inMs)} ago`) : formatSpan(n.maxAge.inMs),
        statusText(n),
      ])
      if (options.shards) {
        for (const q of n.queues) {
          const oldest = q.oldestPendingWrite === null ? null : Date.parse(r.scannedAt) - Date.parse(q.oldestPendingWrite)
          const newest = q.newestWrite === null ? null : Date.parse(r.scannedAt) - Date.parse(q.newestWrite)
          rows.push([
            '',
            q.shard === null ? dim('(no shard)') : e(q.shard),
            formatBinaryBytes(q.pendingBytes),
            formatBinaryBytes(q.diskBytes),
            formatCount(q.segments),
            '',
            age(oldest),
            age(newest),
            '',
            q.badSegments > 0 ? chalk.red(`${q.badSegments} bad`) : q.pendingBytes > 0 ? dim(`head ${e(q.headSegment ?? '?')}@${q.headOffset}`) : dim('empty'),
          ])
        }
      }
    }
    const head = ['node', 'shard', 'to send', 'on disk', 'segments', 'headroom', 'oldest pending', 'last write', 'max-age in', 'status']
    const align: Array<'left' | 'right'> = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']
    const keep = <T>(xs: T[]): T[] => (options.shards ? xs : xs.filter((_, i) => i !== 1))
    out.push('', await table(keep(head), rows.map(keep), keep(align)))
  } else {
    out.push('', '  no queues: an empty hh directory (nothing is waiting to be handed off)')
  }
  if (r.findings.length > 0) {
    out.push('', bold('Findings'))
    for (const f of r.findings) out.push(findingLine(f))
  }
  out.push('', outcomeLine(r.overall))
  if (t.pendingBytes > 0) {
    const watch = sh`medic hh watch ${r.dir}`
    if (watch !== undefined) out.push(dim(`  watch it drain: ${watch}`))
  }
  return out.join('\n')
}

// ------------------------------------------------------------------------------------------------ watch

function etaText(a: Analysis): string {
  if (a.verdict === 'drained') return '-'
  if (!a.eta) return a.netRate !== null && a.netRate >= 0 && a.pendingBytes > 0 ? 'never' : '-'
  const mid = formatSpan(a.eta.inMs)
  const lo = formatSpan(a.eta.lowMs)
  const hi = a.eta.highMs === null ? '∞' : formatSpan(a.eta.highMs)
  return lo === mid && hi === mid ? mid : `${mid} (${lo}-${hi})`
}

function fullText(a: Analysis): string {
  if (!a.full) return '-'
  return a.full.inMs <= 0 ? chalk.bold.red('now') : formatSpan(a.full.inMs)
}

function maxAgeText(a: Analysis): string {
  if (!a.maxAge || !a.maxAge.lossExpected) return '-'
  return a.maxAge.inMs <= 0 ? chalk.bold.red('now') : chalk.yellow(formatSpan(a.maxAge.inMs))
}

function queueName(q: {source: string; node: string; host: string | null}, multiSource: boolean): string {
  const n = nodeLabel(q.node, q.host)
  return multiSource ? `${e(q.source)} → ${n}` : n
}

function isMulti(s: Snapshot): boolean {
  return new Set(s.nodes.map((n) => n.source)).size > 1
}

export interface WatchHeader {
  target: string
  intervalMs: number
  window: number
  settings: LimitSettings
}

/** The live table (terminal), also used for the final summary. */
export async function renderWatchTable(s: Snapshot, options: {shards?: boolean} = {}): Promise<string> {
  const multi = isMulti(s)
  const rows: string[][] = []
  const showShards = options.shards ?? s.queues.length <= 30
  for (const n of s.nodes) {
    rows.push(rowOf(queueName(n, multi), '', n.pendingBytes, n.analysis))
    if (!showShards) continue
    for (const q of s.queues.filter((x) => x.source === n.source && x.node === n.node)) {
      rows.push(rowOf('', q.shard === null ? dim('-') : e(q.shard), q.pendingBytes, q.analysis))
    }
  }
  if (rows.length === 0) return '  no queues: nothing is waiting to be handed off'
  return table(
    ['node', 'shard', 'to send', 'net rate', 'verdict', 'ETA (range)', 'full in', 'max-age loss', 'trend'],
    rows,
    ['left', 'left', 'right', 'right', 'left', 'right', 'right', 'right', 'left'],
  )
}

function rowOf(name: string, shard: string, pending: number, a: Analysis): string[] {
  return [name, shard, formatBinaryBytes(pending), formatRate(a.netRate), verdictText(a.verdict), etaText(a), fullText(a), maxAgeText(a), a.sparkline]
}

export function renderSourceErrors(s: Snapshot): string[] {
  return s.sources.filter((x) => !x.ok).map((x) => chalk.red(`  ${e(x.source)}: ${e(x.error?.message ?? 'cannot sample')}`))
}

export async function renderWatchFrame(s: Snapshot, h: WatchHeader): Promise<string> {
  const out = [
    `${bold('medic hh watch')} ${e(h.target)}   sample ${s.seq} at ${shortTime(s.time)} UTC, every ${formatSpan(h.intervalMs)}, window ${h.window} samples`,
    dim(`  ${limitsLine(h.settings)}`),
    ...renderSourceErrors(s),
    '',
    await renderWatchTable(s),
  ]
  const m = await renderMatrix(s)
  if (m) out.push('', m)
  out.push('', dim(`  total ${formatBinaryBytes(s.totals.pendingBytes)} to send in ${s.totals.queues} queue(s); Ctrl-C to stop`))
  return out.join('\n')
}

/** One line per sample when the output is not a terminal. */
export function renderWatchLine(s: Snapshot): string {
  const multi = isMulti(s)
  const parts = s.nodes.map((n) => {
    const a = n.analysis
    const eta = a.eta ? ` ETA ${formatSpan(a.eta.inMs)}` : ''
    const rate = a.netRate === null ? '' : ` ${formatRate(a.netRate)}`
    return `node ${queueName(n, multi)} ${formatBinaryBytes(n.pendingBytes)} ${a.verdict}${rate}${eta}`
  })
  const errors = s.sources.filter((x) => !x.ok).map((x) => `${e(x.source)} unreadable (${e(x.error?.code ?? '?')})`)
  const body = [...parts, ...errors]
  return `${s.time} #${s.seq} total ${formatBinaryBytes(s.totals.pendingBytes)}${body.length > 0 ? ` | ${body.join(' | ')}` : ' | no queues'}`
}

/** Source node by destination node: bytes and verdict. Only when several data nodes are watched. */
export async function renderMatrix(s: Snapshot): Promise<string | undefined> {
  const sources = [...new Set(s.nodes.map((n) => n.source))]
  if (sources.length < 2) return undefined
  const dests = [...new Set(s.nodes.map((n) => n.node))].sort((a, b) => Number(a) - Number(b))
  const cell = (n: NodeRow | undefined) => (n ? `${formatBinaryBytes(n.pendingBytes)} ${verdictText(n.analysis.verdict)}` : dim('-'))
  const rows = sources.map((src) => [e(src), ...dests.map((d) => cell(s.nodes.find((n) => n.source === src && n.node === d)))])
  const head = ['source \\ destination', ...dests.map((d) => {
    const host = s.nodes.find((n) => n.node === d)?.host
    return host ? `${e(d)} (${e(host)})` : `node ${e(d)}`
  })]
  return `${bold('Matrix')} (bytes to send and verdict, per source and destination)\n` + (await table(head, rows, ['left', ...dests.map(() => 'right' as const)]))
}

/** What one queue did while watched: bytes drained and the time it took, or what is left. */
export function progressText(q: QueueStatus): string {
  const p = q.progress
  const moved = `${formatBinaryBytes(p.deliveredBytes)}${p.counted ? '' : ' (from its shrinking size)'}`
  if (p.emptiedAfterMs !== null) return `drained ${moved} in ${formatSpan(p.emptiedAfterMs)}`
  if (q.pendingBytes === 0 && q.analysis.verdict === 'drained') return p.pendingAtStart === 0 && p.deliveredBytes === 0 ? 'empty throughout' : `drained ${moved} in ${formatSpan(p.watchedMs)}`
  const left = `${formatBinaryBytes(q.pendingBytes)} left`
  if (p.deliveredBytes === 0) return `nothing delivered in ${formatSpan(p.watchedMs)}, ${left}`
  return `delivered ${moved} in ${formatSpan(p.watchedMs)}, ${left}${q.analysis.eta ? `, ETA ${formatSpan(q.analysis.eta.inMs)}` : ''}`
}

/** The end of a watch; `tableShown`: the live table is still on the screen, so only the per-queue lines and the verdict follow. */
export async function renderWatchSummary(s: Snapshot | undefined, h: WatchHeader, samples: number, v: RunVerdict, tableShown = false): Promise<string> {
  if (!s) return ['no sample was taken', '', outcomeLine(v.outcome)].join('\n')
  const out = [`${bold('Summary')} of ${samples} sample${samples === 1 ? '' : 's'} of ${e(h.target)} (window ${h.window} samples), last at ${shortTime(s.time)} UTC`]
  if (!tableShown) {
    out.push(dim(`  ${limitsLine(h.settings)}`))
    out.push(...renderSourceErrors(s))
    out.push('', await renderWatchTable(s, {shards: true}))
    const m = await renderMatrix(s)
    if (m) out.push('', m)
  }
  if (s.queues.length > 0) {
    const multi = isMulti(s)
    out.push('', bold('Per queue'))
    const shown = s.queues.slice(0, 40)
    for (const q of shown) out.push(`  node ${queueName(q, multi)}${q.shard === null ? '' : ` shard ${e(q.shard)}`}: ${progressText(q)}`)
    if (s.queues.length > shown.length) out.push(dim(`  ... ${s.queues.length - shown.length} more (all in --json)`))
  }
  out.push('', `${outcomeLine(v.outcome)}   ${verdictCounts(s)}`)
  const multi = isMulti(s)
  for (const f of v.problems.slice(0, 10)) {
    const q = s.queues.find((x) => x.node === f.node && x.shard === f.shard)
    const name = q ? queueName(q, multi) : e(f.node ?? '?')
    out.push(`  node ${name}${f.shard ? ` shard ${e(f.shard)}` : ''}: ${verdictText((f.code.replace(/^queue-/, '') as Verdict))}, ${e(f.message)}`)
  }
  if (v.problems.length > 10) out.push(dim(`  ... ${v.problems.length - 10} more`))
  const unknown = s.queues.filter((q) => q.analysis.verdict === 'unknown').length
  if (unknown > 0) out.push(dim(`  ${unknown} queue(s) could not be judged yet (watch longer: a verdict needs two samples and, without deliveries, 10s)`))
  for (const f of [...s.findings, ...v.extra].filter((x) => x.severity !== 'info').slice(0, 10)) out.push(findingLine(f))
  if (v.problems.some((f) => f.code === 'queue-blocked')) out.push(dim('  medic explain hh-queue-full'))
  return out.join('\n')
}

function verdictCounts(s: Snapshot): string {
  const parts = Object.entries(s.totals.verdicts).map(([v, n]) => `${n} ${v}`)
  return parts.length > 0 ? `queues: ${parts.join(', ')}` : 'no queues'
}

/**
 * The one shape of `hh watch --json` records: each sample line and the final summary are a snapshot with a `type`
 * (the summary adds the run's verdict and settings). Built here for both, so the stream and the summary cannot drift.
 */
export function watchRecord<T extends object>(type: 'sample' | 'summary', s: Snapshot | undefined, extra?: T): {type: 'sample' | 'summary'} & Partial<Snapshot> & Partial<T> {
  return {type, ...(extra ?? {}), ...(s ?? {})} as {type: 'sample' | 'summary'} & Partial<Snapshot> & Partial<T>
}

// ------------------------------------------------------------------------------------------------ wait

export function renderWaitProgress(s: Snapshot, elapsedMs: number, timeoutMs: number): string {
  const open = s.queues.filter((q) => q.analysis.verdict !== 'drained')
  const etas = open.map((q) => q.analysis.eta?.inMs).filter((x): x is number => x !== undefined)
  const eta = open.length > 0 && etas.length === open.length ? `, ETA ${formatSpan(Math.max(...etas))}` : ''
  const errors = s.sources.filter((x) => !x.ok).length
  return `waiting: ${formatBinaryBytes(s.totals.pendingBytes)} pending in ${open.length} queue${open.length === 1 ? '' : 's'}` +
    `${open.length > 0 ? ` (${verdictCounts(s).replace(/^queues: /, '')})` : ''}${eta}${errors ? `, ${errors} source(s) unreadable` : ''}` +
    ` · ${formatSpan(elapsedMs)} of ${formatSpan(timeoutMs)}`
}

export async function renderWaitResult(r: WaitResult, target: string, timeoutMs: number): Promise<string> {
  const s = r.snapshot
  const waited = `${formatSpan(r.waitedMs)}, ${r.samples} sample${r.samples === 1 ? '' : 's'}`
  const lines: string[] = []
  switch (r.outcome) {
    case 'drained':
      lines.push(`${r.verdict.outcome.verdict === 'ok' ? chalk.green('DRAINED') : chalk.yellow('DRAINED')}  every hinted-handoff queue in ${e(target)} is empty (waited ${waited})`)
      break
    case 'stalled': {
      lines.push(`${chalk.bold.red('STALLED')}  ${r.stalled.length} queue${r.stalled.length === 1 ? '' : 's'} delivered nothing for ${formatSpan(Math.min(...r.stalled.map((q) => q.noDeliveryMs)))} (waited ${waited})`)
      for (const q of r.stalled.slice(0, 10)) lines.push(`  node ${nodeLabel(q.node, q.host)}${q.shard ? ` shard ${e(q.shard)}` : ''}: ${formatBinaryBytes(q.pendingBytes)} pending, ${e(q.analysis.reason)}`)
      lines.push(dim('  is the destination node up and accepting writes? influxd-ctl show; medic logs summarize /var/log/influxdb/influxdb.log'))
      break
    }
    case 'interrupted':
    case 'timeout': {
      const pending = s === null ? 'an unknown amount' : formatBinaryBytes(s.totals.pendingBytes)
      lines.push(r.outcome === 'timeout'
        ? `${chalk.yellow('TIMEOUT')}  ${pending} still pending after ${formatSpan(timeoutMs)} (${waited})`
        : `${chalk.yellow('INTERRUPTED')}  ${pending} still pending (${waited})`)
      if (s === null) lines.push(dim('  no sample completed: the queues could not be read in time'))
      else lines.push(...renderSourceErrors(s), '', await renderWatchTable(s, {shards: true}))
      break
    }
  }
  for (const f of [...(s?.findings ?? []), ...r.verdict.extra.filter((x) => !x.code.startsWith('wait-'))].filter((x) => x.severity !== 'info').slice(0, 10)) lines.push(findingLine(f))
  lines.push('', outcomeLine(r.verdict.outcome))
  return lines.join('\n')
}

// ------------------------------------------------------------------------------------------------ live redraw

const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g

/** Cuts a line to `width` visible columns, keeping ANSI escapes intact. */
export function fitLine(line: string, width: number): string {
  if (line.replace(ANSI, '').length <= width) return line
  let out = ''
  let visible = 0
  let i = 0
  while (i < line.length && visible < width - 1) {
    if (line[i] === '\u001B') {
      const m = /^\u001B\[[0-9;?]*[A-Za-z]/.exec(line.slice(i))
      if (m) {
        out += m[0]
        i += m[0].length
        continue
      }
    }
    out += line[i++]
    visible++
  }
  return out + '…' + (line.includes('\u001B') ? '\u001B[0m' : '')
}

/** Redraws a block of lines in place on a terminal (no dependency: cursor up, erase down). */
export class LiveArea {
  private lines = 0

  constructor(private readonly stream: NodeJS.WriteStream) {}

  render(text: string): void {
    const width = Math.max(20, (this.stream.columns || 100) - 1)
    const rows = this.stream.rows || 0
    let lines = text.split('\n').map((l) => fitLine(l, width))
    if (rows > 2 && lines.length > rows - 1) lines = [...lines.slice(0, rows - 2), dim(`… ${lines.length - rows + 2} more lines`)]
    const up = this.lines > 0 ? `\u001B[${this.lines}A\r` : ''
    this.stream.write(`${up}\u001B[0J${lines.join('\n')}\n`)
    this.lines = lines.length
  }

  /** Forgets the drawn block: later output goes below it. */
  done(): void {
    this.lines = 0
  }
}

/** A one-line status redrawn in place (wait's progress on a terminal). */
export class StatusLine {
  private shown = false
  constructor(private readonly stream: NodeJS.WriteStream) {}
  update(text: string): void {
    const width = Math.max(20, (this.stream.columns || 100) - 1)
    this.stream.write(`\r\u001B[2K${fitLine(text, width)}`)
    this.shown = true
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\u001B[2K')
    this.shown = false
  }
}
