/**
 * The logs area of `medic doctor`: `medic logs summarize` (logs/parallel.ts, logs/summary.ts) on the log files
 * given, from --since on; each actionable catalogue entry (warning or critical) is a finding with its count, first
 * and last time, the sources it came from, an example line and the entry's own next command. And, for a support
 * bundle, the last lines of each file (logs/input.ts reads plain and gzip files alike), secrets redacted.
 */
import {open, stat} from 'node:fs/promises'

import type {LogInput} from '../logs/input.js'
import type {SummaryReport} from '../logs/summary.js'
import {decideOutcome} from '../util/outcome.js'
import {explainCommand} from './next.js'
import type {Draft} from './probes.js'
import {redactLogLine} from './redact.js'
import type {AreaReport, DoctorPlan} from './types.js'

/** Summarises the plan's logs as `medic logs summarize` does (inputs that cannot be read are reported, not fatal). */
export async function summariseLogs(plan: DoctorPlan): Promise<SummaryReport> {
  const {resolveInputs} = await import('../logs/input.js')
  const {summariseInputs} = await import('../logs/parallel.js')
  const inputs = await resolveInputs(plan.logs, [], {isTTY: false}, {tolerant: true})
  return summariseInputs(inputs, {
    since: plan.sinceMs, leaseDurationMs: plan.leaseDurationMs, tz: plan.tz, templateLimit: 50,
  })
}

/** Entries whose lines only say that a node could not be reached at the time (and the write or delivery is retried). */
const UNREACHABLE_IDS = new Set(['connection-refused', 'rpc-connection-closed', 'dev-hh-delivery-retry'])

export function logsArea(plan: DoctorPlan, report: SummaryReport | undefined, error?: string): {area: AreaReport; findings: Draft[]} {
  if (report === undefined) {
    const why = error ?? 'no log file given (--logs)'
    return {area: {area: 'logs', verdict: 'unknown', checked: 0, unchecked: 1, summary: `not checked: ${why}`, notChecked: [why]}, findings: []}
  }
  const findings: Draft[] = report.actionable.map((e) => {
    const sources = Object.entries(e.sources).sort((a, b) => b[1] - a[1])
    const evidence = [
      `${e.count} line${e.count === 1 ? '' : 's'}${e.firstSeen === null ? '' : `, first ${e.firstSeen}`}${e.lastSeen === null || e.lastSeen === e.firstSeen ? '' : `, last ${e.lastSeen}`}`,
      `in ${sources.slice(0, 5).map(([s, n]) => `${s} (${n})`).join(', ')}${sources.length > 5 ? ` and ${sources.length - 5} more` : ''}`,
    ]
    const nodes = Object.keys(e.nodes)
    if (nodes.length > 0) evidence.push(`node ids: ${nodes.slice(0, 10).join(', ')}`)
    const shards = Object.keys(e.shards)
    if (shards.length > 0) evidence.push(`shards: ${shards.slice(0, 10).join(', ')}${shards.length > 10 ? ', ...' : ''}`)
    evidence.push(`e.g. (${e.exampleSource}): ${e.example}`)
    if (e.context !== undefined) evidence.push(e.context)
    return {
      id: e.id,
      area: 'logs' as const,
      severity: e.verdict === 'critical' ? 'critical' as const : 'warning' as const,
      node: sources.length === 1 ? sources[0][0] : null,
      title: `${e.title} (${e.count} line${e.count === 1 ? '' : 's'})`,
      evidence,
      next: e.next[0] ?? explainCommand(e.id),
      hints: [...e.next.slice(1), ...(e.next.length > 0 ? [`the whole entry: medic explain ${e.id}`] : [])],
      // Lines that name data nodes (by id, or the example by address): a node that is down explains them.
      links: {towards: {ids: nodes, addresses: [], text: e.example, why: 'its lines name that node'}, ...(UNREACHABLE_IDS.has(e.id) ? {unreachable: true} : {})},
    }
  })
  const problems = report.input.problems
  const files = report.input.files.length
  const outcome = decideOutcome({findings, checked: report.verdict === 'unknown' && problems.length === 0 ? 0 : files - problems.length, unchecked: problems.length + (report.verdict === 'unknown' && problems.length === 0 ? 1 : 0)})
  const notChecked = problems.map((p) => p.message)
  if (report.verdict === 'unknown' && problems.length === 0) notChecked.push(report.input.lines === 0 ? 'no line to judge (empty, or nothing after --since)' : 'no line medic recognises: not InfluxDB logs?')
  return {
    area: {
      area: 'logs',
      verdict: outcome.verdict,
      checked: outcome.checked,
      unchecked: outcome.unchecked,
      summary: `${files} file${files === 1 ? '' : 's'}, ${report.input.lines} line${report.input.lines === 1 ? '' : 's'}${plan.sinceMs === undefined ? '' : ` since ${new Date(plan.sinceMs).toISOString()}`}; ${report.counts.critical} critical, ${report.counts.warning} warning, ${report.counts.unknown} unrecognised`,
      notChecked,
    },
    findings,
  }
}

/** At most this much of the end of a plain file is read for its last lines. */
const TAIL_BYTES = 1 << 20
/** Lines kept in a tail are cut here (a bundle is for people to read). */
const TAIL_LINE_CHARS = 4096

/**
 * The last `count` lines of a log file, redacted. Plain files are read from the end (at most 1 MiB); gzip files are
 * read through (they cannot be read backwards) keeping only the last lines. Undefined when the file cannot be read.
 */
export async function logTail(path: string, count: number): Promise<string[] | undefined> {
  const {resolveInputs, readLines} = await import('../logs/input.js')
  let input: LogInput
  try {
    ;[input] = await resolveInputs([path], [], {isTTY: false})
  } catch {
    return undefined
  }
  const keep: string[] = []
  const push = (line: string) => {
    keep.push(redactLogLine(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)} [cut by medic]` : line))
    if (keep.length > count) keep.shift()
  }
  try {
    if (input.kind === 'file' && !input.gzip) {
      const size = (await stat(path)).size
      const from = Math.max(0, size - TAIL_BYTES)
      const fh = await open(path, 'r')
      try {
        const buf = Buffer.alloc(size - from)
        const {bytesRead} = await fh.read(buf, 0, buf.length, from)
        const lines = buf.subarray(0, bytesRead).toString('utf8').split('\n')
        if (from > 0) lines.shift() // cut by where reading began
        if (lines.at(-1) === '') lines.pop()
        for (const l of lines.slice(-count)) push(l)
      } finally {
        await fh.close()
      }
    } else if (input.kind === 'file') {
      for await (const line of readLines(input)) push(line)
    } else {
      return undefined // a pipe was read once by the summary; it cannot be read again
    }
  } catch {
    return undefined
  }
  return keep
}
