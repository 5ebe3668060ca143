/**
 * The state behind `medic hh watch` and `medic hh wait`: keeps a short history per queue and per destination node
 * (per source), runs the analytics on each new sample, and drives the sampling loops. No oclif, no output: the
 * commands print what the loops hand them.
 */
import {ExitCode, MedicError} from '../errors.js'
import {analyseSeries, type Analysis, PROBLEM_VERDICTS, type SeriesPoint, theilSen, type Verdict} from './analytics.js'
import type {Sample, Sampler, SourceError} from './sampler.js'
import type {Finding} from './scan.js'
import type {HhSettings} from './settings.js'

export interface MonitorOptions {
  settings: Pick<HhSettings, 'maxSizeBytes' | 'maxAgeMs'>
  /** Samples per evaluation window (default 10). */
  window?: number
  slowEtaMs?: number
  /** No delivery for this long while data is pending: stalled (default 10 s). */
  stallAfterMs?: number
  /** Destination node id -> host, from the meta node's /show-cluster. */
  hosts?: Map<string, string>
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
  /** How long since this queue last shrank or delivered anything (0 when empty). */
  noProgressMs: number
  analysis: Analysis
}

export interface NodeRow {
  source: string
  node: string
  host: string | null
  queues: number
  pendingBytes: number
  diskBytes: number
  noProgressMs: number
  analysis: Analysis
}

export interface SourceStatus {
  source: string
  ok: boolean
  error: SourceError | null
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
  lastProgressT: number
  last?: SeriesPoint
  /** For node series: per-queue counters made monotonic before summing. */
  counters?: Map<string, {raw: number; mono: number}>
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
      const nodeAnalyses = new Map<string, {analysis: Analysis; slope: number | undefined}>()
      for (const n of src.nodes) {
        const qs = src.queues.filter((q) => q.node === n.node)
        const track = this.track(`${src.source}\u0000${n.node}`, sample.t)
        track.counters ??= new Map()
        let sent: number | undefined
        for (const q of qs) {
          if (q.sentBytes === null) continue
          const key = q.shard ?? ''
          const c = track.counters.get(key)
          if (c === undefined) track.counters.set(key, {raw: q.sentBytes, mono: q.sentBytes})
          else {
            c.mono += q.sentBytes >= c.raw ? q.sentBytes - c.raw : q.sentBytes
            c.raw = q.sentBytes
          }
        }
        if (qs.some((q) => q.sentBytes !== null)) sent = [...track.counters.values()].reduce((s, c) => s + c.mono, 0)
        const purgedAll = qs.every((q) => q.purgedBytes !== null)
        const point: SeriesPoint = {
          t: sample.t,
          pending: n.pendingBytes,
          size: n.diskBytes,
          bad: n.badSegments,
          ...(sent === undefined ? {} : {sent}),
          ...(purgedAll && qs.length > 0 ? {purged: qs.reduce((s, q) => s + (q.purgedBytes ?? 0), 0)} : {}),
        }
        this.push(track, point)
        const analysis = analyseSeries(track.points, {
          now: sample.t,
          window: this.window,
          slowEtaMs: this.options.slowEtaMs,
          stallAfterMs: this.options.stallAfterMs,
          maxSizeBytes: settings.maxSizeBytes,
          maxAgeMs: settings.maxAgeMs,
          oldestPendingMs: n.oldestPendingMs,
        })
        const sizeFit = theilSen(track.points.slice(-this.window).map((p) => ({t: p.t, v: p.size ?? p.pending})))
        nodeAnalyses.set(n.node, {analysis, slope: sizeFit?.slope})
        nodes.push({
          source: src.source,
          node: n.node,
          host: hosts.get(n.node) ?? null,
          queues: qs.length,
          pendingBytes: n.pendingBytes,
          diskBytes: n.diskBytes,
          noProgressMs: sample.t - track.lastProgressT,
          analysis,
        })
      }
      for (const q of src.queues) {
        const track = this.track(`${src.source}\u0000${q.node}\u0000${q.shard ?? ''}`, sample.t)
        this.push(track, {
          t: sample.t,
          pending: q.pendingBytes,
          size: q.diskBytes ?? q.pendingBytes,
          bad: q.badSegments,
          ...(q.sentBytes === null ? {} : {sent: q.sentBytes}),
          ...(q.purgedBytes === null ? {} : {purged: q.purgedBytes}),
        })
        const node = nodeAnalyses.get(q.node)
        const analysis = analyseSeries(track.points, {
          now: sample.t,
          window: this.window,
          slowEtaMs: this.options.slowEtaMs,
          stallAfterMs: this.options.stallAfterMs,
          maxSizeBytes: settings.maxSizeBytes,
          nodeSizeBytes: nodeSize.get(q.node)?.diskBytes,
          nodeSizeSlope: node?.slope ?? 0,
          maxAgeMs: settings.maxAgeMs,
          oldestPendingMs: q.oldestPendingMs,
        })
        queues.push({
          source: src.source,
          node: q.node,
          host: hosts.get(q.node) ?? null,
          shard: q.shard,
          pendingBytes: q.pendingBytes,
          diskBytes: q.diskBytes,
          segments: q.segments,
          oldestPendingWrite: q.oldestPendingMs === null ? null : new Date(q.oldestPendingMs).toISOString(),
          noProgressMs: sample.t - track.lastProgressT,
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
      sources: sample.sources.map((s) => ({source: s.source, ok: s.ok, error: s.error})),
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

  private track(key: string, t: number): Track {
    let tr = this.tracks.get(key)
    if (!tr) {
      tr = {points: [], lastProgressT: t}
      this.tracks.set(key, tr)
    }
    return tr
  }

  private push(track: Track, p: SeriesPoint): void {
    const prev = track.last
    const progressed = p.pending === 0 || (prev !== undefined && (p.pending < prev.pending || (p.sent !== undefined && prev.sent !== undefined && p.sent !== prev.sent)))
    if (progressed) track.lastProgressT = p.t
    track.last = p
    track.points.push(p)
    if (track.points.length > Math.max(KEEP, this.window)) track.points.shift()
  }
}

/** The overall verdict of a snapshot for exit codes: 3 when any queue is growing, stalled or blocked. */
export function watchExitCode(s: Snapshot | undefined): typeof ExitCode.OK | typeof ExitCode.PROBLEMS {
  if (!s) return ExitCode.OK
  return s.queues.some((q) => PROBLEM_VERDICTS.has(q.analysis.verdict)) ? ExitCode.PROBLEMS : ExitCode.OK
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
  snapshot: Snapshot
  /** Queues that made no progress for stallTimeoutMs (outcome stalled). */
  stalled: QueueStatus[]
}

export interface WaitOptions {
  intervalMs: number
  timeoutMs: number
  /** A queue with data that neither shrinks nor delivers for this long ends the wait with `stalled`. */
  stallTimeoutMs: number
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  onSnapshot?: (s: Snapshot, elapsedMs: number) => void
}

/** The rolling-upgrade gate: samples until every queue is empty, a queue stalls, the timeout passes or the signal. */
export async function waitForDrain(sampler: Sampler, monitor: HhMonitor, o: WaitOptions): Promise<WaitResult> {
  const now = o.now ?? Date.now
  const sleep = o.sleep ?? abortableSleep
  const start = now()
  let samples = 0
  let snap: Snapshot | undefined
  const result = (outcome: WaitOutcome, stalled: QueueStatus[] = []): WaitResult => {
    if (snap === undefined) {
      throw new MedicError('interrupted before the first sample', {code: 'interrupted', exitCode: ExitCode.PROBLEMS})
    }
    return {outcome, waitedMs: now() - start, samples, snapshot: snap, stalled}
  }
  for (;;) {
    const sample = await sampler.sample(o.signal)
    if (o.signal?.aborted) return result('interrupted')
    if (samples === 0) assertSomethingSampled(sample)
    samples++
    snap = monitor.add(sample)
    const elapsed = now() - start
    o.onSnapshot?.(snap, elapsed)
    if (isDrained(snap)) return result('drained')
    const stalled = snap.queues.filter((q) => q.analysis.verdict !== 'drained' && q.noProgressMs >= o.stallTimeoutMs)
    if (stalled.length > 0) return result('stalled', stalled)
    if (elapsed >= o.timeoutMs) return result('timeout')
    await sleep(Math.max(0, Math.min(o.intervalMs, o.timeoutMs - elapsed)), o.signal)
    if (o.signal?.aborted) return result('interrupted')
  }
}

/** Every source was read and no queue holds pending, corrupt or unreadable data. */
export function isDrained(s: Snapshot): boolean {
  if (!s.sources.every((x) => x.ok)) return false
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
