/**
 * The state behind `medic hh watch` and `medic hh wait`: keeps a short history per queue and per destination node
 * (per source), and over the whole run when each last delivered, failed a send and emptied; runs the analytics on
 * each new sample, drives the sampling loops, and decides the overall verdict and exit code with the one rule of
 * src/util/outcome.ts. No oclif, no output: the commands print what the loops hand them.
 */
import {ExitCode, MedicError} from '../errors.js'
import {decideOutcome, type Outcome} from '../util/outcome.js'
import {advanceProgress, analyseSeries, type Analysis, type Progress, type SeriesPoint, startProgress, theilSen, type Verdict, verdictSeverity} from './analytics.js'
import type {Sample, Sampler, SourceError} from './sampler.js'
import type {Finding} from './scan.js'
import type {HhSettings} from './settings.js'

export interface MonitorOptions {
  settings: Pick<HhSettings, 'maxSizeBytes' | 'maxAgeMs'> & Partial<Pick<HhSettings, 'retryMaxIntervalMs'>>
  /** Samples per evaluation window of the rates (default 10). */
  window?: number
  slowEtaMs?: number
  /** Call a queue stalled after this long without delivery, instead of HH's back-off rule (--stall-after). */
  stallAfterMs?: number
  /** Destination node id -> host, from the meta node's /show-cluster. */
  hosts?: Map<string, string>
}

/** What happened to a queue over the whole watch: for the summary (bytes drained, time taken). */
export interface QueueProgress {
  /** How long this queue has been watched. */
  watchedMs: number
  pendingAtStart: number
  /** Bytes delivered while watched: from the delivery counter when `counted`, else the sum of the queue's shrinks. */
  deliveredBytes: number
  counted: boolean
  /** How long it took to empty, when it emptied while watched (null: not empty, or empty from the start). */
  emptiedAfterMs: number | null
}

export interface QueueStatus {
  source: string
  node: string
  host: string | null
  shard: string | null
  pendingBytes: number
  diskBytes: number | null
  segments: number | null
  oldestPendingWrite: string | null
  /** How long since this queue last delivered anything, or since it was first seen (0 when empty). */
  noDeliveryMs: number
  progress: QueueProgress
  analysis: Analysis
}

export interface NodeRow {
  source: string
  node: string
  host: string | null
  queues: number
  pendingBytes: number
  diskBytes: number
  noDeliveryMs: number
  analysis: Analysis
}

export interface SourceStatus {
  source: string
  ok: boolean
  error: SourceError | null
  /** Parts of the source that could not be measured in this sample. */
  unchecked: number
  version: string | null
}

export interface Snapshot {
  seq: number
  time: string
  sources: SourceStatus[]
  queues: QueueStatus[]
  nodes: NodeRow[]
  totals: {pendingBytes: number; queues: number; nodes: number; verdicts: Partial<Record<Verdict, number>>}
  findings: Finding[]
}

interface Track {
  points: SeriesPoint[]
  last?: SeriesPoint
  progress?: Progress
  /** For node series: per-queue counters made monotonic before summing. */
  counters?: Map<string, {sent?: {raw: number; mono: number}; failed?: {raw: number; mono: number}; refused?: {raw: number; mono: number}}>
}

const KEEP = 60

export class HhMonitor {
  private readonly tracks = new Map<string, Track>()
  private readonly lastBySource = new Map<string, {queues: QueueStatus[]; nodes: NodeRow[]}>()
  private readonly window: number
  private latest: Snapshot | undefined

  constructor(private readonly options: MonitorOptions) {
    this.window = Math.max(2, options.window ?? 10)
  }

  /** Adds a sample and returns the analysed state after it. */
  add(sample: Sample): Snapshot {
    const queues: QueueStatus[] = []
    const nodes: NodeRow[] = []
    const findings: Finding[] = []
    const {settings} = this.options
    const hosts = this.options.hosts ?? new Map<string, string>()
    const common = {
      now: sample.t,
      window: this.window,
      slowEtaMs: this.options.slowEtaMs,
      stallAfterMs: this.options.stallAfterMs,
      retryMaxIntervalMs: settings.retryMaxIntervalMs,
      maxSizeBytes: settings.maxSizeBytes,
      maxAgeMs: settings.maxAgeMs,
    }
    for (const src of sample.sources) {
      if (!src.ok) {
        // Keep showing what was last known of a source that failed this time (its error is in `sources`).
        const prev = this.lastBySource.get(src.source)
        if (prev) {
          queues.push(...prev.queues)
          nodes.push(...prev.nodes)
        }
        continue
      }
      const firstQueue = queues.length
      const firstNode = nodes.length
      findings.push(...src.findings)
      const nodeSize = new Map(src.nodes.map((n) => [n.node, n]))
      const nodeSlopes = new Map<string, number | undefined>()
      for (const n of src.nodes) {
        const qs = src.queues.filter((q) => q.node === n.node)
        const track = this.track(`${src.source}\u0000${n.node}`)
        track.counters ??= new Map()
        for (const q of qs) {
          const key = q.shard ?? ''
          const c = track.counters.get(key) ?? {}
          c.sent = monotonic(c.sent, q.sentBytes)
          c.failed = monotonic(c.failed, q.failedSends)
          c.refused = monotonic(c.refused, q.refusedWrites ?? null)
          track.counters.set(key, c)
        }
        const sum = (k: 'sent' | 'failed' | 'refused') => [...track.counters!.values()].reduce((s, c) => s + (c[k]?.mono ?? 0), 0)
        const purgedAll = qs.every((q) => q.purgedBytes !== null)
        const point: SeriesPoint = {
          t: sample.t,
          pending: n.pendingBytes,
          size: n.diskBytes,
          bad: n.badSegments,
          ...(qs.some((q) => q.sentBytes !== null) ? {sent: sum('sent')} : {}),
          ...(qs.some((q) => q.failedSends !== null) ? {failed: sum('failed')} : {}),
          ...(qs.some((q) => q.refusedWrites != null) ? {refused: sum('refused')} : {}),
          ...(purgedAll && qs.length > 0 ? {purged: qs.reduce((s, q) => s + (q.purgedBytes ?? 0), 0)} : {}),
        }
        this.push(track, point)
        const analysis = analyseSeries(track.points, {...common, progress: track.progress, oldestPendingMs: n.oldestPendingMs})
        nodeSlopes.set(n.node, theilSen(track.points.slice(-this.window).map((p) => ({t: p.t, v: p.size ?? p.pending})))?.slope)
        nodes.push({
          source: src.source,
          node: n.node,
          host: hosts.get(n.node) ?? null,
          queues: qs.length,
          pendingBytes: n.pendingBytes,
          diskBytes: n.diskBytes,
          noDeliveryMs: quietOf(track, sample.t),
          analysis,
        })
      }
      for (const q of src.queues) {
        const track = this.track(`${src.source}\u0000${q.node}\u0000${q.shard ?? ''}`)
        this.push(track, {
          t: sample.t,
          pending: q.pendingBytes,
          size: q.diskBytes ?? q.pendingBytes,
          bad: q.badSegments,
          ...(q.sentBytes === null ? {} : {sent: q.sentBytes}),
          ...(q.failedSends === null ? {} : {failed: q.failedSends}),
          ...(q.refusedWrites == null ? {} : {refused: q.refusedWrites}),
          ...(q.purgedBytes === null ? {} : {purged: q.purgedBytes}),
        })
        const analysis = analyseSeries(track.points, {
          ...common,
          progress: track.progress,
          nodeSizeBytes: nodeSize.get(q.node)?.diskBytes,
          nodeSizeSlope: nodeSlopes.get(q.node) ?? 0,
          oldestPendingMs: q.oldestPendingMs,
        })
        const g = track.progress!
        queues.push({
          source: src.source,
          node: q.node,
          host: hosts.get(q.node) ?? null,
          shard: q.shard,
          pendingBytes: q.pendingBytes,
          diskBytes: q.diskBytes,
          segments: q.segments,
          oldestPendingWrite: q.oldestPendingMs === null ? null : new Date(q.oldestPendingMs).toISOString(),
          noDeliveryMs: quietOf(track, sample.t),
          progress: {
            watchedMs: sample.t - g.firstT,
            pendingAtStart: g.firstPending,
            deliveredBytes: g.deliveredBytes,
            counted: g.counted,
            emptiedAfterMs: g.emptiedT === null ? null : g.emptiedT - g.firstT,
          },
          analysis,
        })
      }
      this.lastBySource.set(src.source, {queues: queues.slice(firstQueue), nodes: nodes.slice(firstNode)})
    }
    const verdicts: Partial<Record<Verdict, number>> = {}
    for (const q of queues) verdicts[q.analysis.verdict] = (verdicts[q.analysis.verdict] ?? 0) + 1
    this.latest = {
      seq: sample.seq,
      time: new Date(sample.t).toISOString(),
      sources: sample.sources.map((s) => ({source: s.source, ok: s.ok, error: s.error, unchecked: s.unchecked, version: s.version})),
      queues,
      nodes,
      totals: {
        pendingBytes: queues.reduce((s, q) => s + q.pendingBytes, 0),
        queues: queues.length,
        nodes: new Set(nodes.map((n) => n.node)).size,
        verdicts,
      },
      findings,
    }
    return this.latest
  }

  snapshot(): Snapshot | undefined {
    return this.latest
  }

  private track(key: string): Track {
    let tr = this.tracks.get(key)
    if (!tr) {
      tr = {points: []}
      this.tracks.set(key, tr)
    }
    return tr
  }

  private push(track: Track, p: SeriesPoint): void {
    if (track.last === undefined || track.progress === undefined) track.progress = startProgress(p)
    else advanceProgress(track.progress, track.last, p)
    track.last = p
    track.points.push(p)
    if (track.points.length > Math.max(KEEP, this.window)) track.points.shift()
  }
}

function monotonic(c: {raw: number; mono: number} | undefined, raw: number | null): {raw: number; mono: number} | undefined {
  if (raw === null) return c
  if (c === undefined) return {raw, mono: raw}
  return {raw, mono: c.mono + (raw >= c.raw ? raw - c.raw : raw)}
}

function quietOf(track: Track, t: number): number {
  const g = track.progress
  if (g === undefined || track.last?.pending === 0) return 0
  return t - (g.lastDeliveryT ?? g.firstT)
}

/** What the end of a watch (or a wait) amounts to: one finding per queue that needs action, and the outcome. */
export interface RunVerdict {
  outcome: Outcome
  /** Queues that need action (stalled, blocked, growing, retrying, losing data to max-age), worst first. */
  problems: Finding[]
  /** Findings of the run itself (a timeout, host names from --meta that could not be read). */
  extra: Finding[]
}

/**
 * The overall verdict of a snapshot (src/util/outcome.ts): stalled and blocked queues are critical, growing and
 * retrying ones (and slow ones losing data to max-age) warnings; a queue still `unknown`, a source that could not be
 * read and anything unreadable are unchecked, so the end of a watch is OK only when every queue was judged and none
 * needs action. `extra`: findings of the run itself (e.g. a wait that timed out).
 */
export function runVerdict(s: Snapshot | undefined, extra: Finding[] = []): RunVerdict {
  const extraUnchecked = extra.filter((f) => f.severity === 'unknown').length
  if (s === undefined) {
    return {outcome: decideOutcome({findings: extra, checked: 0, unchecked: 1 + extraUnchecked}), problems: [], extra}
  }
  const problems: Finding[] = []
  let unknownQueues = 0
  for (const q of s.queues) {
    const sev = verdictSeverity(q.analysis)
    if (sev === 'unknown') unknownQueues++
    if (sev === null || sev === 'unknown') continue
    problems.push({
      severity: sev,
      code: `queue-${q.analysis.verdict}`,
      node: q.node,
      shard: q.shard,
      message: q.analysis.reason,
    })
  }
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1))
  const okSources = s.sources.filter((x) => x.ok)
  const emptySources = okSources.filter((x) => !s.queues.some((q) => q.source === x.source)).length
  const checked = s.queues.length - unknownQueues + emptySources
  const unchecked = s.sources.filter((x) => !x.ok).length + unknownQueues + okSources.reduce((n, x) => n + x.unchecked, 0) + extraUnchecked
  return {outcome: decideOutcome({findings: [...problems, ...s.findings, ...extra], checked, unchecked}), problems, extra}
}

export interface LoopOptions {
  intervalMs: number
  /** Number of samples; 0 or undefined: until the signal aborts. */
  count?: number
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/**
 * Samples every `intervalMs` (on a fixed schedule: a slow sample does not push the later ones back) until `count`
 * samples or the signal. If every source fails on the first sample, throws that failure (exit 4): nothing can be
 * watched. Later failures are passed on in the samples.
 */
export async function* sampleLoop(sampler: Sampler, options: LoopOptions): AsyncGenerator<Sample> {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? abortableSleep
  const start = now()
  for (let i = 0; options.count === undefined || options.count <= 0 || i < options.count; i++) {
    if (options.signal?.aborted) return
    if (i > 0) {
      const due = start + i * options.intervalMs
      await sleep(Math.max(0, due - now()), options.signal)
      if (options.signal?.aborted) return
    }
    const sample = await sampler.sample(options.signal)
    if (options.signal?.aborted) return // interrupted mid-sample: its failures are not real
    if (i === 0) assertSomethingSampled(sample)
    yield sample
  }
}

/** Throws the first source's error when no source could be sampled. */
export function assertSomethingSampled(sample: Sample): void {
  if (sample.sources.length === 0 || sample.sources.some((s) => s.ok)) return
  const errs = sample.sources.map((s) => s.error!).filter(Boolean)
  const first = errs[0]
  const message = errs.length === 1 ? first.message : `no source could be read: ${errs.map((e) => e.message).join('; ')}`
  throw new MedicError(message, {code: first.code, exitCode: ExitCode.CANNOT_CHECK, suggestions: first.suggestions})
}

export type WaitOutcome = 'drained' | 'timeout' | 'stalled' | 'interrupted'

export interface WaitResult {
  outcome: WaitOutcome
  waitedMs: number
  samples: number
  /** The last complete sample's state; null when the run ended before one completed. */
  snapshot: Snapshot | null
  /** Queues that delivered nothing for stallTimeoutMs while judged stalled (outcome stalled). */
  stalled: QueueStatus[]
  verdict: RunVerdict
}

export interface WaitOptions {
  intervalMs: number
  /** The whole wait's deadline: a sample still running then is stopped (a scan of a huge tree, a slow node). */
  timeoutMs: number
  /** A queue judged stalled that has delivered nothing for this long ends the wait with `stalled`. */
  stallTimeoutMs: number
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  onSnapshot?: (s: Snapshot, elapsedMs: number) => void
  /** Findings from before the wait (host names from --meta) that belong in its verdict. */
  findings?: Finding[]
}

/** The rolling-upgrade gate: samples until every queue is empty, a queue stalls, the deadline passes or the signal. */
export async function waitForDrain(sampler: Sampler, monitor: HhMonitor, o: WaitOptions): Promise<WaitResult> {
  const now = o.now ?? Date.now
  const sleep = o.sleep ?? abortableSleep
  const start = now()
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), Math.max(0, o.timeoutMs))
  timer.unref?.()
  const signal = o.signal ? AbortSignal.any([o.signal, deadline.signal]) : deadline.signal
  let samples = 0
  let snap: Snapshot | undefined
  const result = (outcome: WaitOutcome, stalled: QueueStatus[] = []): WaitResult => {
    const extra: Finding[] = [...(o.findings ?? [])]
    if (outcome === 'timeout') {
      extra.push({severity: 'warning', code: 'wait-timeout', message: snap === undefined ? 'the deadline passed before the queues could be read once' : 'the queues were not empty when the deadline passed'})
    } else if (outcome === 'interrupted') {
      extra.push({severity: 'warning', code: 'wait-interrupted', message: 'interrupted before the queues were empty'})
    } else if (outcome === 'stalled') {
      extra.push({severity: 'critical', code: 'wait-stalled', message: `${stalled.length} queue(s) stopped delivering`})
    }
    return {outcome, waitedMs: now() - start, samples, snapshot: snap ?? null, stalled, verdict: runVerdict(snap, extra)}
  }
  const stopped = (): WaitOutcome | undefined => (o.signal?.aborted ? 'interrupted' : deadline.signal.aborted || now() - start >= o.timeoutMs ? 'timeout' : undefined)
  try {
    for (;;) {
      const sample = await sampler.sample(signal)
      const stop = stopped()
      // A sample cut short by the deadline or Ctrl-C says nothing about the queues: the last complete one stands.
      if (stop !== undefined && sample.sources.some((x) => x.error?.code === 'interrupted')) return result(stop)
      if (samples === 0) assertSomethingSampled(sample)
      samples++
      snap = monitor.add(sample)
      const elapsed = now() - start
      o.onSnapshot?.(snap, elapsed)
      if (isDrained(snap)) return result('drained')
      const stalled = snap.queues.filter((q) => q.analysis.verdict === 'stalled' && q.noDeliveryMs >= o.stallTimeoutMs)
      if (stalled.length > 0) return result('stalled', stalled)
      if (stop !== undefined) return result(stop)
      if (elapsed >= o.timeoutMs) return result('timeout')
      await sleep(Math.max(0, Math.min(o.intervalMs, o.timeoutMs - elapsed)), signal)
      // At the deadline one more look is taken (it may show the queues empty), unless the deadline's own timer has
      // fired already: then the sample would be stopped at once.
      if (o.signal?.aborted) return result('interrupted')
      if (deadline.signal.aborted) return result('timeout')
    }
  } finally {
    clearTimeout(timer)
  }
}

/** Every source was read whole and no queue holds pending, corrupt or unreadable data. */
export function isDrained(s: Snapshot): boolean {
  if (!s.sources.every((x) => x.ok && x.unchecked === 0)) return false
  return s.queues.every((q) => q.pendingBytes === 0 && q.analysis.verdict === 'drained')
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}
