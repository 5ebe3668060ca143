/**
 * Drain analytics for hinted-handoff queues: pure functions of samples and an injected `now` (no clock, no I/O).
 *
 *   theilSen          robust slope of a series (median of pairwise slopes) with Sen's ~95% confidence band
 *   counterIncrease   the increase of a counter that resets to 0 on restart (bytesRead, bytesWritten from /debug/vars)
 *   progressOf        when a series last delivered (and last failed a send), from its whole history
 *   analyseSeries     the verdict, ETA to empty with a range, forecasts of `queue is full` (max-size, per node) and of
 *                     max-age loss, delivery and ingest rates, a sparkline
 *   assessScan        the snapshot judgement behind `medic hh inspect` (limits, ages, corruption)
 *
 * Verdicts (first that applies). Every threshold is a time, never a number of samples, so the verdict does not depend
 * on the sampling interval (only how soon it can be seen):
 *   drained   nothing pending (and nothing unreadable)
 *   blocked   the destination node's queues are at max-size: every write for it fails with `queue is full`
 *   unknown   fewer than two samples, nothing delivered yet in the first 10 s of watching, or part of the queue unreadable
 *   stalled   nothing delivered for longer than HH's back-off allows: retry-max-interval (the longest pause between two
 *             attempts) plus 10 s for the attempt itself ([cluster] write-timeout), or --stall-after when given
 *   retrying  nothing delivered for 10 s or more, but less than that: HH may be waiting for its next attempt; says when
 *             the next attempt is due at the latest and how many sends failed (writeNodeReqFail, when known)
 *   growing   delivering, but the queue still grows (ingest > delivery)
 *   slow      shrinking too slowly: net change ~0 (ingest ~ delivery), ETA beyond --slow-eta, or the oldest data
 *             reaches max-age (and is dropped) before the queue is empty
 *   draining  delivering and shrinking, with an ETA
 * "Delivering" means a delivery was seen in the last 10 s: the delivery counter rose (bytes read from the queue and
 * delivered) or, without a counter, the queue shrank. Rates come from sizes (restart-safe) and from counters with
 * reset handling, never from raw counter differences. While a queue delivers, its rates (and so its ETA) come from the
 * samples since the current run of deliveries began, not from a window that still holds the time its destination was
 * down: the first sample that showed a delivery after none (or after 10 s of none) starts a new run.
 */
import {formatShortDurationMs} from '../util/duration.js'
import {decideOutcome, type Outcome} from '../util/outcome.js'
import {DEFAULT_RETRY_MAX_INTERVAL_MS, type HhSettings} from './settings.js'
import {type Finding, type HhScan, type NodeScan, rank} from './scan.js'

export type Verdict = 'drained' | 'draining' | 'slow' | 'growing' | 'retrying' | 'stalled' | 'blocked' | 'unknown'

/**
 * How much each verdict weighs at the end of `hh watch` (src/util/outcome.ts decides the exit code from these):
 * stalled and blocked are critical, growing and retrying warnings, unknown is something not checked.
 */
export function verdictSeverity(a: Pick<Analysis, 'verdict' | 'maxAge'>): 'critical' | 'warning' | 'unknown' | null {
  switch (a.verdict) {
    case 'stalled':
    case 'blocked':
      return 'critical'
    case 'growing':
    case 'retrying':
      return 'warning'
    case 'slow':
      // Data will be dropped by max-age before the queue is empty: that needs action.
      return a.maxAge?.lossExpected ? 'warning' : null
    case 'unknown':
      return 'unknown'
    default:
      return null
  }
}

/** How long a delivery attempt may take before it succeeds or fails ([cluster] write-timeout, 10 s by default). */
export const ATTEMPT_MS = 10_000

export interface SeriesPoint {
  /** Sample time, ms since the epoch. */
  t: number
  /** Bytes still to send. */
  pending: number
  /** Bytes on disk (what max-size is compared with); defaults to pending. */
  size?: number
  /** Cumulative bytes delivered: a counter that may reset to 0 (bytesRead after a restart). */
  sent?: number
  /** Cumulative failed sends: a counter that may reset to 0 (writeNodeReqFail). */
  failed?: number
  /** Cumulative bytes dropped by the max-age purge. */
  purged?: number
  /** Cumulative writes for the destination refused with `queue is full`: a counter that may reset (writeDropped). */
  refused?: number
  /** Corrupt or unreadable segments (or queues that could not be measured): what they hold is unknown. */
  bad?: number
}

/** When a series was first seen, last delivered and last failed a send: over its whole history, not the window. */
export interface Progress {
  firstT: number
  /** Last sample at which a delivery showed (the sent counter rose; without one, the queue shrank); null: none yet. */
  lastDeliveryT: number | null
  /**
   * Where the current run of deliveries began: the sample before its first delivery. A run begins with the first
   * delivery seen, or with the first after a silence of ATTEMPT_MS or more (HH was backing off, or the destination was
   * down); null before any delivery. The rates and the ETA of a queue that is delivering are measured from here, so
   * that samples from before (a queue growing while its destination was down) do not hold the ETA back.
   */
  deliveringSinceT: number | null
  /** Last sample at which the failed-sends counter rose; null: none seen, or no counter. */
  lastFailT: number | null
  /** Failed sends since the last delivery (or since the first sample). */
  failsSinceDelivery: number
  /** Bytes delivered since the first sample (sent counter, resets handled; without one, the sum of shrinks). */
  deliveredBytes: number
  /** Whether `deliveredBytes` comes from a delivery counter (else from shrinking sizes). */
  counted: boolean
  /** Pending bytes at the first sample. */
  firstPending: number
  /** First sample at which the queue was empty after holding data; null when it has not emptied. */
  emptiedT: number | null
}

/** A Progress for a series' first point. */
export function startProgress(p: SeriesPoint): Progress {
  return {
    firstT: p.t, lastDeliveryT: null, deliveringSinceT: null, lastFailT: null, failsSinceDelivery: 0, deliveredBytes: 0,
    counted: p.sent !== undefined, firstPending: p.pending, emptiedT: null,
  }
}

/** Moves a Progress on by one point (the monitor does this per sample, so history kept for the window can be short). */
export function advanceProgress(g: Progress, prev: SeriesPoint, p: SeriesPoint): void {
  const sentInc = p.sent !== undefined && prev.sent !== undefined ? (p.sent >= prev.sent ? p.sent - prev.sent : p.sent) : undefined
  const shrink = Math.max(0, prev.pending - p.pending)
  const delivered = sentInc !== undefined ? sentInc > 0 : shrink > 0
  if (delivered) {
    if (g.lastDeliveryT === null || prev.t - g.lastDeliveryT >= ATTEMPT_MS) g.deliveringSinceT = prev.t
    g.lastDeliveryT = p.t
    g.failsSinceDelivery = 0
    g.deliveredBytes += sentInc ?? shrink
  }
  g.counted = g.counted && sentInc !== undefined
  if (p.failed !== undefined && prev.failed !== undefined) {
    const failInc = p.failed >= prev.failed ? p.failed - prev.failed : p.failed
    if (failInc > 0) {
      g.lastFailT = p.t
      g.failsSinceDelivery += failInc
    }
  }
  if (g.emptiedT === null && p.pending === 0 && (p.bad ?? 0) === 0 && (prev.pending > 0 || g.firstPending > 0)) g.emptiedT = p.t
  if (p.pending > 0) g.emptiedT = null
}

/** The Progress of a whole series (for callers that keep every point). */
export function progressOf(points: readonly SeriesPoint[]): Progress | null {
  if (points.length === 0) return null
  const g = startProgress(points[0])
  for (let i = 1; i < points.length; i++) advanceProgress(g, points[i - 1], points[i])
  return g
}

export interface AnalysisOptions {
  now: number
  /** Samples in the evaluation window of the rates (Burrow's default: 10). */
  window?: number
  /** A drain whose ETA is longer than this is `slow` (default 1 h). */
  slowEtaMs?: number
  /** HH's back-off cap, `[hinted-handoff] retry-max-interval` (default 200 s, the 1.9+ documentation). */
  retryMaxIntervalMs?: number
  /** Call a queue stalled after this long without delivery, instead of the back-off rule (--stall-after). */
  stallAfterMs?: number
  /** The series' progress over its whole history; computed from `points` when not given. */
  progress?: Progress
  maxSizeBytes?: number
  /** The destination node's bytes on disk now, when the series is one shard's queue (max-size is per node). */
  nodeSizeBytes?: number
  /** The node's size slope (bytes/ms), for the `queue is full` forecast of a shard's queue. */
  nodeSizeSlope?: number
  maxAgeMs?: number
  /** mtime of the oldest segment still holding data (Enterprise's max-age purge compares it). */
  oldestPendingMs?: number | null
}

export interface Eta {
  /** Most likely time to empty, from the last sample. */
  inMs: number
  /** Optimistic and pessimistic ends of the band (high null: may never empty at the slow end). */
  lowMs: number
  highMs: number | null
  at: string
}

/** For a queue not delivering: the back-off it is allowed, and what it has shown. */
export interface RetryState {
  /** How long nothing has been delivered (since the last delivery, or since watching began). */
  quietMs: number
  /** The latest time the next attempt is due: the last attempt seen (or the start of watching) + retry-max-interval. */
  nextAttemptBy: string
  /** When the queue is (or was) called stalled if nothing is delivered. */
  stalledAt: string
  /** Failed sends since the last delivery (writeNodeReqFail), null without that counter. */
  failedSends: number | null
}

export interface Analysis {
  verdict: Verdict
  /** One sentence for humans. */
  reason: string
  samples: number
  windowMs: number
  pendingBytes: number
  /** Net change in bytes/s (negative: shrinking), from the robust slope. */
  netRate: number | null
  netRateRange: [number, number] | null
  /** Delivery rate in bytes/s (from the sent counter, resets handled). */
  sentRate: number | null
  /** New data entering the queue, bytes/s (delivery + net change). */
  ingestRate: number | null
  counterResets: number
  /** Bytes dropped by the max-age purge during the window. */
  purgedBytes: number | null
  eta: Eta | null
  /** When writes for the destination start failing with `queue is full` (max-size, per node). */
  full: {inMs: number; at: string} | null
  /** When the oldest pending data reaches max-age; lossExpected when the queue will not be empty by then. */
  maxAge: {inMs: number; at: string; lossExpected: boolean} | null
  /** Set when nothing is being delivered (verdicts retrying and stalled, and unknown before either can be said). */
  retry: RetryState | null
  sparkline: string
}

export interface SlopeFit {
  /** Median pairwise slope, units of v per unit of t. */
  slope: number
  /** Sen's confidence band (~95%) on the slope. */
  low: number
  high: number
  intercept: number
}

/** Theil–Sen estimator: median of the slopes of all pairs; resists outliers and bursty delivery. */
export function theilSen(points: ReadonlyArray<{t: number; v: number}>): SlopeFit | null {
  const slopes: number[] = []
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dt = points[j].t - points[i].t
      if (dt !== 0) slopes.push((points[j].v - points[i].v) / dt)
    }
  }
  if (slopes.length === 0) return null
  slopes.sort((a, b) => a - b)
  const slope = median(slopes)
  // Sen (1968): ranks of the band ends from the variance of Kendall's S (no ties correction), z = 1.96.
  const n = points.length
  const c = 1.96 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18)
  const N = slopes.length
  const lo = clamp(Math.floor((N - c) / 2), 0, N - 1)
  const hi = clamp(Math.ceil((N + c) / 2), 0, N - 1)
  const intercept = median(points.map((p) => p.v - slope * p.t).sort((a, b) => a - b))
  return {slope, low: Math.min(slopes[lo], slope), high: Math.max(slopes[hi], slope), intercept}
}

/**
 * The increase of a cumulative counter over a series, treating any decrease as a restart (the counter began again at
 * 0, so the value after the drop is all new).
 */
export function counterIncrease(values: readonly number[]): {increase: number; resets: number} {
  let increase = 0
  let resets = 0
  for (let i = 1; i < values.length; i++) {
    const d = values[i] - values[i - 1]
    if (d >= 0) increase += d
    else {
      resets++
      increase += values[i]
    }
  }
  return {increase, resets}
}

const SPARKS = '▁▂▃▄▅▆▇█'

/** A sparkline of the last `width` values, scaled between their minimum and maximum. */
export function sparkline(values: readonly number[], width = 20): string {
  const v = values.slice(-width)
  if (v.length === 0) return ''
  const min = Math.min(...v)
  const max = Math.max(...v)
  if (max === min) return (max === 0 ? SPARKS[0] : SPARKS[3]).repeat(v.length)
  return v.map((x) => SPARKS[Math.round(((x - min) / (max - min)) * (SPARKS.length - 1))]).join('')
}

/** Analyses one series (a queue, or a node's queues summed). */
export function analyseSeries(points: readonly SeriesPoint[], o: AnalysisOptions): Analysis {
  const window = Math.max(2, o.window ?? 10)
  const slowEtaMs = o.slowEtaMs ?? 3_600_000
  const retryMaxMs = o.retryMaxIntervalMs ?? DEFAULT_RETRY_MAX_INTERVAL_MS
  const stallLimitMs = o.stallAfterMs ?? retryMaxMs + ATTEMPT_MS
  // A delivery this recent means "delivering now"; a longer silence is a pause HH makes only after a failed send.
  const recentMs = Math.min(ATTEMPT_MS, stallLimitMs)
  const win = points.slice(-window)
  const last = win.at(-1)
  const base: Analysis = {
    verdict: 'unknown',
    reason: 'no sample yet',
    samples: win.length,
    windowMs: 0,
    pendingBytes: last?.pending ?? 0,
    netRate: null,
    netRateRange: null,
    sentRate: null,
    ingestRate: null,
    counterResets: 0,
    purgedBytes: null,
    eta: null,
    full: null,
    maxAge: null,
    retry: null,
    sparkline: sparkline(points.map((p) => p.pending)),
  }
  if (last === undefined) return base
  const pending = last.pending
  const g = o.progress ?? progressOf(points)!
  const deliveringNow = g.lastDeliveryT !== null && last.t - g.lastDeliveryT <= recentMs
  // While delivering, the rates come from the current run of deliveries only (Progress.deliveringSinceT).
  const since = deliveringNow ? g.deliveringSinceT : null
  const rateWin = since === null ? win : win.filter((p) => p.t >= since)
  const span = last.t - rateWin[0].t
  base.windowMs = span

  const fit = rateWin.length >= 2 && span > 0 ? theilSen(rateWin.map((p) => ({t: p.t, v: p.pending}))) : null
  if (fit) {
    base.netRate = fit.slope * 1000
    base.netRateRange = [fit.low * 1000, fit.high * 1000]
  }

  const sentPts = rateWin.filter((p) => p.sent !== undefined)
  if (sentPts.length >= 2 && sentPts.at(-1)!.t > sentPts[0].t) {
    const c = counterIncrease(sentPts.map((p) => p.sent!))
    base.sentRate = (c.increase / (sentPts.at(-1)!.t - sentPts[0].t)) * 1000
    base.counterResets = c.resets
    if (base.netRate !== null) base.ingestRate = Math.max(0, base.sentRate + base.netRate)
  }
  const purgedPts = win.filter((p) => p.purged !== undefined).map((p) => p.purged!)
  if (purgedPts.length >= 2) base.purgedBytes = counterIncrease(purgedPts).increase

  if (pending > 0 && fit && fit.slope < 0) {
    const inMs = pending / -fit.slope
    base.eta = {
      inMs: Math.round(inMs),
      lowMs: Math.round(pending / -Math.min(fit.low, fit.slope)),
      highMs: fit.high < 0 ? Math.round(pending / -fit.high) : null,
      at: iso(last.t + inMs),
    }
  }

  // `queue is full`: max-size is per destination node, compared with its bytes on disk. A write is refused when it
  // would take the queue past max-size, so a full queue usually stops short of it, by up to a block: it is blocked
  // too when it is near max-size and the node counts refused writes in the window (writeDropped, which also counts
  // blocks the destination refused for good: only near max-size is it read as "queue is full").
  let blocked = false
  let refusing = 0
  if (o.maxSizeBytes !== undefined) {
    const size = o.nodeSizeBytes ?? last.size ?? pending
    const refusedPts = win.filter((p) => p.refused !== undefined).map((p) => p.refused as number)
    refusing = refusedPts.length >= 2 ? counterIncrease(refusedPts).increase : 0
    if (size >= o.maxSizeBytes || (refusing > 0 && size >= o.maxSizeBytes * NEAR_FULL_FRACTION)) {
      blocked = true
      base.full = {inMs: 0, at: iso(last.t)}
    } else {
      let slope = o.nodeSizeSlope
      if (slope === undefined && win.length >= 2 && last.t > win[0].t) slope = theilSen(win.map((p) => ({t: p.t, v: p.size ?? p.pending})))?.slope
      if (slope !== undefined && slope > 0) {
        const inMs = (o.maxSizeBytes - size) / slope
        base.full = {inMs: Math.round(inMs), at: iso(last.t + inMs)}
      }
    }
  }

  if (o.maxAgeMs !== undefined && o.oldestPendingMs != null && pending > 0) {
    const atMs = o.oldestPendingMs + o.maxAgeMs
    const inMs = atMs - o.now
    const emptyAt = base.eta ? last.t + base.eta.inMs : Number.POSITIVE_INFINITY
    base.maxAge = {inMs: Math.round(inMs), at: iso(atMs), lossExpected: inMs <= 0 || emptyAt > atMs}
  }

  const bad = last.bad ?? 0
  const set = (verdict: Verdict, reason: string): Analysis => ({...base, verdict, reason})
  if (pending === 0 && bad === 0) return set('drained', 'nothing left to send')
  if (blocked) {
    const why = refusing > 0 ? `the destination's queues are within a write of max-size and ${refusing} write${refusing === 1 ? ' was' : 's were'} refused in the window` : 'the destination\'s queues are at max-size'
    return set('blocked', `${why}: its writes fail with "queue is full" until they drain below it`)
  }
  if (pending === 0) return set('unknown', `nothing readable is pending, but ${bad} segment(s) or queue(s) are corrupt or unreadable`)
  if (win.length < 2 || span <= 0) return set('unknown', 'waiting for a second sample to measure a rate')

  const quietMs = last.t - (g.lastDeliveryT ?? g.firstT)
  if (!deliveringNow) {
    const lastAttempt = Math.max(g.lastDeliveryT ?? g.firstT, g.lastFailT ?? g.firstT)
    const hasFailCounter = last.failed !== undefined
    base.retry = {
      quietMs,
      nextAttemptBy: iso(lastAttempt + retryMaxMs),
      stalledAt: iso((g.lastDeliveryT ?? g.firstT) + stallLimitMs),
      failedSends: hasFailCounter ? g.failsSinceDelivery : null,
    }
    const fails = hasFailCounter && g.failsSinceDelivery > 0 ? `; ${g.failsSinceDelivery} send${g.failsSinceDelivery === 1 ? '' : 's'} failed` : ''
    const grows = fit && fit.slope > 0 && !isFlat(fit.slope, span, pending) ? ', and the queue grows' : ''
    const since = g.lastDeliveryT === null ? `since watching began ${formatSpan(quietMs)} ago` : `for ${formatSpan(quietMs)}`
    if (quietMs >= stallLimitMs) {
      const limit = o.stallAfterMs !== undefined
        ? `--stall-after ${formatSpan(stallLimitMs)}`
        : `HH's back-off allows (retry-max-interval ${formatSpan(retryMaxMs)} between attempts, plus ${formatSpan(ATTEMPT_MS)} for one)`
      return set('stalled', `nothing delivered ${since}${grows}, longer than ${limit}${fails}: is the destination down, unreachable or rejecting writes?`)
    }
    if (g.lastDeliveryT === null && quietMs < recentMs && g.failsSinceDelivery === 0) {
      return set('unknown', `nothing delivered yet in the ${formatSpan(quietMs)} watched${grows}; a rate needs more time`)
    }
    return set('retrying', `nothing delivered ${since}${grows}${fails}; HH backs off up to retry-max-interval (${formatSpan(retryMaxMs)}) after a failed send: next attempt by ${shortClock(lastAttempt + retryMaxMs)}, called stalled at ${shortClock((g.lastDeliveryT ?? g.firstT) + stallLimitMs)}`)
  }
  const slope = fit?.slope ?? 0
  const flat = isFlat(slope, span, pending)
  if (!flat && slope > 0) return set('growing', 'delivering, but new writes arrive faster than they leave')
  if (flat) return set('slow', 'delivering, but new writes arrive as fast as they leave: not shrinking')
  if (base.maxAge?.lossExpected) return set('slow', 'shrinking, but the oldest data reaches max-age (and is dropped) before the queue is empty')
  if (base.eta && base.eta.inMs > slowEtaMs) return set('slow', `shrinking, but empty only in about ${formatSpan(base.eta.inMs)}`)
  return set('draining', 'shrinking')
}

function isFlat(slope: number, span: number, pending: number): boolean {
  return Math.abs(slope * span) <= Math.max(1, pending * 0.001)
}

/** HH:MM:SS UTC of a time, for reasons. */
function shortClock(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? `${new Date(ms).toISOString().slice(11, 19)} UTC` : 'never'
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshot assessment (medic hh inspect)

/** At or above this fraction of max-size a node is reported as near full. */
export const NEAR_FULL_FRACTION = 0.9
/** Pending data older than this fraction of max-age is reported as close to expiry. */
export const NEAR_MAX_AGE_FRACTION = 0.75

export type NodeStatus = 'empty' | 'pending' | 'near-full' | 'full' | 'near-max-age' | 'past-max-age' | 'corrupt'

export interface NodeAssessment {
  node: string
  status: NodeStatus
  headroomBytes: number
  usedFraction: number
  oldestPendingAgeMs: number | null
  /** When the oldest pending data reaches max-age (negative inMs: already past). */
  maxAge: {at: string; inMs: number} | null
}

export interface ScanAssessment {
  /** The overall verdict and exit code (src/util/outcome.ts) from the findings and what could not be read. */
  outcome: Outcome
  nodes: NodeAssessment[]
  /** The scan's findings plus those about limits, worst first. */
  findings: Finding[]
}

/**
 * Judges a scan against max-size and max-age at `now`. `unchecked`: things asked for that could not be checked
 * besides the scan's own (e.g. host names from --meta). The directory itself is one check, each queue another.
 */
export function assessScan(scan: HhScan, settings: Pick<HhSettings, 'maxSizeBytes' | 'maxAgeMs'>, now: number, unchecked = 0): ScanAssessment {
  const findings: Finding[] = [...scan.findings]
  const nodes = scan.nodes.map((n) => assessNode(n, settings, now, findings))
  findings.sort((a, b) => rank(b.severity) - rank(a.severity))
  const outcome = decideOutcome({findings, checked: 1 + scan.totals.queues, unchecked: scan.unchecked + unchecked})
  return {outcome, nodes, findings}
}

function assessNode(n: NodeScan, s: Pick<HhSettings, 'maxSizeBytes' | 'maxAgeMs'>, now: number, findings: Finding[]): NodeAssessment {
  const usedFraction = n.diskBytes / s.maxSizeBytes
  const age = n.oldestPendingWriteMs === null ? null : Math.max(0, now - n.oldestPendingWriteMs)
  const maxAge = n.oldestPendingWriteMs === null ? null : {at: iso(n.oldestPendingWriteMs + s.maxAgeMs), inMs: n.oldestPendingWriteMs + s.maxAgeMs - now}
  const statuses: NodeStatus[] = []
  if (n.diskBytes >= s.maxSizeBytes) {
    statuses.push('full')
    findings.push({
      severity: 'critical',
      code: 'node-full',
      node: n.node,
      path: n.path,
      message: `node ${n.node}'s queues hold ${n.diskBytes} bytes on disk, at or over max-size (${s.maxSizeBytes}): every write for it fails with "queue is full"`,
    })
  } else if (usedFraction >= NEAR_FULL_FRACTION) {
    statuses.push('near-full')
    findings.push({
      severity: 'warning',
      code: 'node-near-full',
      node: n.node,
      path: n.path,
      message: `node ${n.node}'s queues are at ${(usedFraction * 100).toFixed(1)}% of max-size; past it, writes for the node fail with "queue is full"`,
    })
  }
  if (age !== null && maxAge !== null) {
    if (age >= s.maxAgeMs) {
      statuses.push('past-max-age')
      findings.push({
        severity: 'critical',
        code: 'past-max-age',
        node: n.node,
        path: n.path,
        message: `node ${n.node} has pending data last written ${formatSpan(age)} ago, past max-age (${formatSpan(s.maxAgeMs)}): the next purge drops it`,
      })
    } else if (age >= s.maxAgeMs * NEAR_MAX_AGE_FRACTION) {
      statuses.push('near-max-age')
      findings.push({
        severity: 'warning',
        code: 'near-max-age',
        node: n.node,
        path: n.path,
        message: `node ${n.node}'s oldest pending data reaches max-age in ${formatSpan(maxAge.inMs)}; then it is dropped`,
      })
    }
  }
  if (n.badSegments > 0) statuses.push('corrupt')
  const order: NodeStatus[] = ['full', 'past-max-age', 'corrupt', 'near-full', 'near-max-age']
  const status = order.find((x) => statuses.includes(x)) ?? (n.pendingBytes > 0 ? 'pending' : 'empty')
  return {node: n.node, status, headroomBytes: s.maxSizeBytes - n.diskBytes, usedFraction, oldestPendingAgeMs: age, maxAge}
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * A duration for people, as Go writes durations (so it can be pasted into a flag): 850ms, 42s, 3m10s, 5h12m, 148h.
 * Rounded to the two largest units first; formatted by src/util/duration.ts.
 */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return 'never'
  const v = Math.abs(ms)
  const step = v < 1000 ? 1 : v < 3_600_000 ? 1000 : v < 86_400_000 ? 60_000 : 3_600_000
  const rounded = Math.round(v / step) * step
  return `${ms < 0 && rounded > 0 ? '-' : ''}${formatShortDurationMs(rounded)}`
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : 'never'
}

// ---------------------------------------------------------------------------------------------------------------
// The `medic hh inspect` document (also its --json output)

export interface InspectQueue {
  shard: string | null
  path: string
  pendingBytes: number
  diskBytes: number
  uncertainBytes: number
  segments: number
  pendingSegments: number
  exhaustedSegments: number
  badSegments: number
  headSegment: string | null
  headOffset: number | null
  oldestPendingWrite: string | null
  newestWrite: string | null
}

export interface InspectNode {
  node: string
  host: string | null
  path: string
  status: NodeStatus
  pendingBytes: number
  diskBytes: number
  uncertainBytes: number
  segments: number
  badSegments: number
  headroomBytes: number
  usedFraction: number
  oldestPendingWrite: string | null
  oldestPendingAgeMs: number | null
  newestWrite: string | null
  newestAgeMs: number | null
  maxAge: {at: string; inMs: number} | null
  queues: InspectQueue[]
}

export interface InspectReport {
  dir: string
  scannedAt: string
  scanMs: number
  settings: {
    maxSizeBytes: number
    maxSizeSource: HhSettings['maxSizeSource']
    maxAgeMs: number
    maxAgeSource: HhSettings['maxAgeSource']
    configPath: string | null
    notes: string[]
  }
  /** ok, warning, critical or unknown (nothing or not everything could be checked): src/util/outcome.ts. */
  verdict: Outcome['verdict']
  /** The verdict's basis (src/util/outcome.ts): problem counts, what was checked and what could not be. */
  overall: Outcome
  totals: {
    nodes: number
    queues: number
    segments: number
    pendingBytes: number
    diskBytes: number
    uncertainBytes: number
    oldestPendingWrite: string | null
    newestWrite: string | null
  }
  nodes: InspectNode[]
  files: HhScan['files']
  findings: Finding[]
}

/**
 * Builds the inspect document from a scan, the limits and (optionally) node id -> host names. Extra findings of
 * severity `unknown` (host names asked for and not available) count as unchecked.
 */
export function buildInspectReport(scan: HhScan, settings: HhSettings, now: number, hosts: Map<string, string> = new Map(), extraFindings: Finding[] = []): InspectReport {
  const extraUnchecked = extraFindings.filter((f) => f.severity === 'unknown').length
  const assessment = assessScan({...scan, findings: [...scan.findings, ...extraFindings]}, settings, now, extraUnchecked)
  const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))
  return {
    dir: scan.dir,
    scannedAt: iso(scan.scannedAtMs),
    scanMs: scan.durationMs,
    settings: {
      maxSizeBytes: settings.maxSizeBytes,
      maxSizeSource: settings.maxSizeSource,
      maxAgeMs: settings.maxAgeMs,
      maxAgeSource: settings.maxAgeSource,
      configPath: settings.configPath,
      notes: settings.notes,
    },
    verdict: assessment.outcome.verdict,
    overall: assessment.outcome,
    totals: {
      nodes: scan.totals.nodes,
      queues: scan.totals.queues,
      segments: scan.totals.segments,
      pendingBytes: scan.totals.pendingBytes,
      diskBytes: scan.totals.diskBytes,
      uncertainBytes: scan.totals.uncertainBytes,
      oldestPendingWrite: isoOrNull(scan.totals.oldestPendingWriteMs),
      newestWrite: isoOrNull(scan.totals.newestWriteMs),
    },
    nodes: scan.nodes.map((n, i) => {
      const a = assessment.nodes[i]
      return {
        node: n.node,
        host: hosts.get(n.node) ?? null,
        path: n.path,
        status: a.status,
        pendingBytes: n.pendingBytes,
        diskBytes: n.diskBytes,
        uncertainBytes: n.uncertainBytes,
        segments: n.segments,
        badSegments: n.badSegments,
        headroomBytes: a.headroomBytes,
        usedFraction: Math.round(a.usedFraction * 1e6) / 1e6,
        oldestPendingWrite: isoOrNull(n.oldestPendingWriteMs),
        oldestPendingAgeMs: a.oldestPendingAgeMs,
        newestWrite: isoOrNull(n.newestWriteMs),
        newestAgeMs: n.newestWriteMs === null ? null : Math.max(0, now - n.newestWriteMs),
        maxAge: a.maxAge,
        queues: n.queues.map((q) => ({
          shard: q.shard,
          path: q.path,
          pendingBytes: q.pendingBytes,
          diskBytes: q.diskBytes,
          uncertainBytes: q.uncertainBytes,
          segments: q.segments,
          pendingSegments: q.pendingSegments,
          exhaustedSegments: q.exhaustedSegments,
          badSegments: q.badSegments,
          headSegment: q.headSegment,
          headOffset: q.headOffset,
          oldestPendingWrite: isoOrNull(q.oldestPendingWriteMs),
          newestWrite: isoOrNull(q.newestWriteMs),
        })),
      }
    }),
    files: scan.files,
    findings: assessment.findings,
  }
}
