/**
 * Drain analytics for hinted-handoff queues: pure functions of samples and an injected `now` (no clock, no I/O).
 *
 *   theilSen          robust slope of a series (median of pairwise slopes) with Sen's ~95% confidence band
 *   counterIncrease   the increase of a counter that resets to 0 on restart (bytesWritten from /debug/vars)
 *   analyseSeries     Burrow-style verdict over the last `window` samples, ETA to empty with a range, forecasts of
 *                     `queue is full` (max-size, per node) and of max-age loss, delivery and ingest rates, a sparkline
 *   assessScan        the snapshot judgement behind `medic hh inspect` (limits, ages, corruption)
 *
 * Verdicts (first that applies):
 *   drained   nothing pending (and nothing unreadable)
 *   blocked   the destination node's queues are at max-size: every write for it fails with `queue is full`
 *   unknown   fewer than two samples (or nothing known about a part of the queue)
 *   stalled   nothing was delivered during the window while data is pending (destination down, or rejecting)
 *   growing   delivering, but the queue still grows (ingest > delivery)
 *   slow      shrinking too slowly: net change ~0 (ingest ~ delivery), ETA beyond --slow-eta, or the oldest data
 *             reaches max-age (and is dropped) before the queue is empty
 *   draining  shrinking, with an ETA
 * Rates come from sizes (restart-safe) and from counters with reset handling, never from raw counter differences.
 */
import type {HhSettings} from './settings.js'
import {type Finding, type HhScan, type NodeScan, rank, type Severity} from './scan.js'

export type Verdict = 'drained' | 'draining' | 'slow' | 'growing' | 'stalled' | 'blocked' | 'unknown'

/** Verdicts that make `hh watch` exit 3. */
export const PROBLEM_VERDICTS: ReadonlySet<Verdict> = new Set(['growing', 'stalled', 'blocked'])

export interface SeriesPoint {
  /** Sample time, ms since the epoch. */
  t: number
  /** Bytes still to send. */
  pending: number
  /** Bytes on disk (what max-size is compared with); defaults to pending. */
  size?: number
  /** Cumulative bytes delivered: a counter that may reset to 0 (bytesWritten after a restart). */
  sent?: number
  /** Cumulative bytes dropped by the max-age purge. */
  purged?: number
  /** Corrupt or unreadable segments (or queues that could not be measured): what they hold is unknown. */
  bad?: number
}

export interface AnalysisOptions {
  now: number
  /** Samples in the evaluation window (Burrow's default: 10). */
  window?: number
  /** Samples needed before a verdict other than drained/blocked (default 2). */
  minSamples?: number
  /** A drain whose ETA is longer than this is `slow` (default 1 h). */
  slowEtaMs?: number
  /**
   * How long nothing may be delivered before a queue is called stalled (default 10 s: Enterprise retries failed sends
   * after `retry-interval`, 1 s, and a reachable destination drains back to back, so a longer silence is not noise).
   */
  stallAfterMs?: number
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
  const minSamples = Math.max(2, o.minSamples ?? 2)
  const slowEtaMs = o.slowEtaMs ?? 3_600_000
  const stallAfterMs = o.stallAfterMs ?? 10_000
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
    sparkline: sparkline(points.map((p) => p.pending)),
  }
  if (last === undefined) return base
  const pending = last.pending
  const span = last.t - win[0].t
  base.windowMs = span

  const fit = win.length >= 2 && span > 0 ? theilSen(win.map((p) => ({t: p.t, v: p.pending}))) : null
  if (fit) {
    base.netRate = fit.slope * 1000
    base.netRateRange = [fit.low * 1000, fit.high * 1000]
  }

  const sentPts = win.filter((p) => p.sent !== undefined)
  let delivered: boolean | null = null
  if (sentPts.length >= 2 && sentPts.at(-1)!.t > sentPts[0].t) {
    const c = counterIncrease(sentPts.map((p) => p.sent!))
    base.sentRate = (c.increase / (sentPts.at(-1)!.t - sentPts[0].t)) * 1000
    base.counterResets = c.resets
    delivered = c.increase > 0
    if (base.netRate !== null) base.ingestRate = Math.max(0, base.sentRate + base.netRate)
  } else if (win.length >= 2) {
    // Without a delivery counter, any drop between two samples proves that something was delivered.
    delivered = win.some((p, i) => i > 0 && p.pending < win[i - 1].pending)
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

  // `queue is full`: max-size is per destination node, compared with its bytes on disk.
  let blocked = false
  if (o.maxSizeBytes !== undefined) {
    const size = o.nodeSizeBytes ?? last.size ?? pending
    if (size >= o.maxSizeBytes) {
      blocked = true
      base.full = {inMs: 0, at: iso(last.t)}
    } else {
      let slope = o.nodeSizeSlope
      if (slope === undefined && win.length >= 2 && span > 0) slope = theilSen(win.map((p) => ({t: p.t, v: p.size ?? p.pending})))?.slope
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
    return set('blocked', `the destination's queues are at max-size: its writes fail with "queue is full" until they drain below it`)
  }
  if (pending === 0) return set('unknown', `nothing readable is pending, but ${bad} segment(s) or queue(s) are corrupt or unreadable`)
  if (win.length < minSamples || span <= 0 || delivered === null) return set('unknown', 'waiting for another sample to measure a rate')
  if (!delivered && span < stallAfterMs) {
    return set('unknown', `nothing delivered yet in ${formatSpan(span)}; called stalled after ${formatSpan(stallAfterMs)} without delivery`)
  }
  if (!delivered) return set('stalled', `nothing delivered in ${formatSpan(span)} while data is pending (destination down, unreachable or rejecting writes?)`)
  const slope = fit?.slope ?? 0
  const flat = Math.abs(slope * span) <= Math.max(1, pending * 0.001)
  if (!flat && slope > 0) return set('growing', 'delivering, but new writes arrive faster than they leave')
  if (flat) return set('slow', 'delivering, but new writes arrive as fast as they leave: not shrinking')
  if (base.maxAge?.lossExpected) return set('slow', 'shrinking, but the oldest data reaches max-age (and is dropped) before the queue is empty')
  if (base.eta && base.eta.inMs > slowEtaMs) return set('slow', `shrinking, but empty only in about ${formatSpan(base.eta.inMs)}`)
  return set('draining', 'shrinking')
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
  verdict: 'ok' | Severity
  nodes: NodeAssessment[]
  /** The scan's findings plus those about limits, worst first. */
  findings: Finding[]
}

/** Judges a scan against max-size and max-age at `now`. */
export function assessScan(scan: HhScan, settings: Pick<HhSettings, 'maxSizeBytes' | 'maxAgeMs'>, now: number): ScanAssessment {
  const findings: Finding[] = [...scan.findings]
  const nodes = scan.nodes.map((n) => assessNode(n, settings, now, findings))
  findings.sort((a, b) => rank(b.severity) - rank(a.severity))
  const worst = findings.reduce((w, f) => Math.max(w, rank(f.severity)), -1)
  return {verdict: worst === 2 ? 'critical' : worst === 1 ? 'warning' : 'ok', nodes, findings}
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

/** A compact duration: 850ms, 42s, 3m10s, 5h12m, 6d4h. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return 'never'
  const neg = ms < 0
  let v = Math.abs(ms)
  let out: string
  if (v < 1000) out = `${Math.round(v)}ms`
  else if (v < 60_000) out = `${Math.round(v / 1000)}s`
  else if (v < 3_600_000) {
    v = Math.round(v / 1000)
    out = `${Math.floor(v / 60)}m${v % 60 ? `${v % 60}s` : ''}`
  } else if (v < 86_400_000) {
    v = Math.round(v / 60_000)
    out = `${Math.floor(v / 60)}h${v % 60 ? `${v % 60}m` : ''}`
  } else {
    v = Math.round(v / 3_600_000)
    out = `${Math.floor(v / 24)}d${v % 24 ? `${v % 24}h` : ''}`
  }
  return neg ? `-${out}` : out
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
  verdict: ScanAssessment['verdict']
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

/** Builds the inspect document from a scan, the limits and (optionally) node id -> host names. */
export function buildInspectReport(scan: HhScan, settings: HhSettings, now: number, hosts: Map<string, string> = new Map(), extraFindings: Finding[] = []): InspectReport {
  const assessment = assessScan({...scan, findings: [...scan.findings, ...extraFindings]}, settings, now)
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
    verdict: assessment.verdict,
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
