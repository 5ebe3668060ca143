// Drain analytics: pure functions with an injected clock.
import {describe, expect, it} from 'vitest'

import {
  analyseSeries,
  assessScan,
  counterIncrease,
  formatSpan,
  progressOf,
  type SeriesPoint,
  sparkline,
  theilSen,
  type Verdict,
  verdictSeverity,
} from '../../src/hh/analytics.js'
import type {HhScan, NodeScan} from '../../src/hh/scan.js'

const T0 = Date.parse('2026-11-21T10:00:00Z')
const S = 1000
const MIB = 1024 * 1024
const GIB = 1024 * MIB
const HOUR = 3_600_000

/** n samples every `every` ms from T0, values from f(i). */
function series(n: number, every: number, f: (i: number) => Partial<SeriesPoint> & {pending: number}): SeriesPoint[] {
  return Array.from({length: n}, (_, i) => ({t: T0 + i * every, ...f(i)}))
}

const at = (pts: SeriesPoint[]) => pts.at(-1)!.t

describe('theilSen', () => {
  it('finds the slope of a line and ignores an outlier', () => {
    const line = Array.from({length: 10}, (_, i) => ({t: i * 1000, v: 5000 - 100 * i}))
    expect(theilSen(line)!.slope).toBeCloseTo(-0.1, 10)
    const noisy = line.map((p, i) => (i === 4 ? {...p, v: 1e9} : p))
    const fit = theilSen(noisy)!
    expect(fit.slope).toBeCloseTo(-0.1, 10)
    expect(fit.low).toBeLessThanOrEqual(fit.slope)
    expect(fit.high).toBeGreaterThanOrEqual(fit.slope)
  })

  it('has a band that widens with noise and is a point for two samples', () => {
    const two = theilSen([{t: 0, v: 10}, {t: 10, v: 0}])!
    expect(two).toMatchObject({slope: -1, low: -1, high: -1})
    const bursty = theilSen([0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({t: i, v: 100 - (i % 2 === 0 ? 10 * i : 10 * i - 8)})))!
    expect(bursty.low).toBeLessThan(bursty.high)
  })

  it('needs two distinct times', () => {
    expect(theilSen([])).toBeNull()
    expect(theilSen([{t: 1, v: 1}])).toBeNull()
    expect(theilSen([{t: 1, v: 1}, {t: 1, v: 5}])).toBeNull()
  })
})

describe('counterIncrease', () => {
  it('sums increases and treats a drop as a restart from 0', () => {
    expect(counterIncrease([100, 150, 200])).toEqual({increase: 100, resets: 0})
    expect(counterIncrease([100, 200, 50, 80])).toEqual({increase: 180, resets: 1})
    expect(counterIncrease([5, 0, 0, 7])).toEqual({increase: 7, resets: 1})
    expect(counterIncrease([42])).toEqual({increase: 0, resets: 0})
  })
})

describe('sparkline', () => {
  it('scales between min and max, flat and empty series included', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([8, 4, 0])).toBe('█▅▁')
    expect(sparkline([3, 3, 3])).toBe('▄▄▄')
    expect(sparkline([0, 0])).toBe('▁▁')
    expect(sparkline([])).toBe('')
    expect(sparkline(Array.from({length: 50}, (_, i) => i), 20)).toHaveLength(20)
  })
})

describe('analyseSeries verdicts', () => {
  it('drained when nothing is pending, even after one sample', () => {
    const a = analyseSeries([{t: T0, pending: 0}], {now: T0})
    expect(a).toMatchObject({verdict: 'drained', eta: null, pendingBytes: 0})
  })

  it('unknown before a second sample', () => {
    const a = analyseSeries([{t: T0, pending: 100, sent: 0}], {now: T0})
    expect(a.verdict).toBe('unknown')
    expect(a.reason).toContain('second sample')
  })

  it('draining: rate from the slope, delivery from the counter, ETA to empty with its band', () => {
    // 100 MiB draining 1 MiB/s, nothing new arriving.
    const pts = series(10, 5 * S, (i) => ({pending: 100 * MIB - i * 5 * MIB, sent: i * 5 * MIB}))
    const a = analyseSeries(pts, {now: at(pts), maxSizeBytes: 10 * GIB})
    expect(a.verdict).toBe('draining')
    expect(a.netRate).toBeCloseTo(-MIB, 3)
    expect(a.sentRate).toBeCloseTo(MIB, 3)
    expect(a.ingestRate).toBeCloseTo(0, 3)
    const pending = 100 * MIB - 45 * MIB
    expect(a.eta!.inMs).toBe(Math.round((pending / MIB) * 1000))
    expect(a.eta!.at).toBe(new Date(at(pts) + a.eta!.inMs).toISOString())
    expect(a.eta!.lowMs).toBeLessThanOrEqual(a.eta!.inMs)
    expect(a.eta!.highMs!).toBeGreaterThanOrEqual(a.eta!.inMs)
    expect(a.full).toBeNull()
    expect(a.windowMs).toBe(45 * S)
    expect(a.sparkline).toBe('█▇▆▆▅▄▃▃▂▁')
  })

  it('draining in bursts (delivery every other sample) still gives a steady rate and a band', () => {
    const pts = series(10, 5 * S, (i) => ({pending: 50 * MIB - Math.floor(i / 2) * 10 * MIB, sent: Math.floor(i / 2) * 10 * MIB}))
    const a = analyseSeries(pts, {now: at(pts)})
    expect(a.verdict).toBe('draining')
    expect(a.netRate).toBeCloseTo(-MIB, -4)
    expect(a.eta!.highMs).not.toBeNull()
    expect(a.eta!.lowMs).toBeLessThan(a.eta!.highMs!)
  })

  it('stalled when nothing is delivered for longer than the back-off allows, whether the queue is flat or growing', () => {
    // retry-max-interval 10s (older releases): stalled after 10s + 10s for an attempt.
    const flat = series(5, 5 * S, () => ({pending: 10 * MIB, sent: 777}))
    expect(analyseSeries(flat, {now: at(flat), retryMaxIntervalMs: 10 * S}).verdict).toBe('stalled')
    const growing = series(5, 5 * S, (i) => ({pending: 10 * MIB + i * MIB, sent: 777}))
    const g = analyseSeries(growing, {now: at(growing), maxSizeBytes: 10 * GIB, retryMaxIntervalMs: 10 * S})
    expect(g.verdict).toBe('stalled')
    expect(g.reason).toContain('nothing delivered since watching began 20s ago, and the queue grows')
    // ...and still forecasts when writes start failing: (10 GiB - 14 MiB) at 0.2 MiB/s.
    expect(g.full!.inMs).toBe(Math.round(((10 * GIB - 14 * MIB) / (0.2 * MIB)) * 1000))
  })

  it('growing when delivering but more arrives', () => {
    const pts = series(6, 5 * S, (i) => ({pending: 10 * MIB + i * MIB, sent: i * 2 * MIB}))
    const a = analyseSeries(pts, {now: at(pts)})
    expect(a.verdict).toBe('growing')
    expect(a.ingestRate).toBeCloseTo((3 / 5) * MIB, 0)
    expect(a.eta).toBeNull()
  })

  it('slow when ingest keeps up with delivery (net ~0)', () => {
    const pts = series(6, 5 * S, (i) => ({pending: 10 * MIB + (i % 2), sent: i * MIB}))
    const a = analyseSeries(pts, {now: at(pts)})
    expect(a.verdict).toBe('slow')
    expect(a.reason).toContain('as fast as they leave')
  })

  it('slow when the ETA is beyond --slow-eta, draining when within it', () => {
    // 1 GiB at 100 KiB/s: about 3 hours.
    const pts = series(5, 10 * S, (i) => ({pending: GIB - i * 1000 * 1024, sent: i * 1000 * 1024}))
    expect(analyseSeries(pts, {now: at(pts), slowEtaMs: HOUR}).verdict).toBe('slow')
    expect(analyseSeries(pts, {now: at(pts), slowEtaMs: 4 * HOUR}).verdict).toBe('draining')
  })

  it('slow, and max-age loss expected, when the oldest data expires before the queue is empty', () => {
    const pts = series(5, 10 * S, (i) => ({pending: GIB - i * 10 * MIB, sent: i * 10 * MIB}))
    const now = at(pts)
    // ETA ~ 99 s; the oldest data reaches max-age in 30 s.
    const a = analyseSeries(pts, {now, slowEtaMs: 10 * HOUR, maxAgeMs: 168 * HOUR, oldestPendingMs: now - 168 * HOUR + 30 * S})
    expect(a.verdict).toBe('slow')
    expect(a.maxAge).toEqual({inMs: 30 * S, at: new Date(now + 30 * S).toISOString(), lossExpected: true})
    // With a day to spare the queue drains first: no loss expected.
    const b = analyseSeries(pts, {now, slowEtaMs: 10 * HOUR, maxAgeMs: 168 * HOUR, oldestPendingMs: now - 144 * HOUR})
    expect(b.verdict).toBe('draining')
    expect(b.maxAge).toMatchObject({inMs: 24 * HOUR, lossExpected: false})
  })

  it('blocked at max-size (per node), even on the first sample; full forecast is "now"', () => {
    const a = analyseSeries([{t: T0, pending: 9 * GIB}], {now: T0, maxSizeBytes: 10 * GIB, nodeSizeBytes: 10 * GIB})
    expect(a.verdict).toBe('blocked')
    expect(a.full).toEqual({inMs: 0, at: new Date(T0).toISOString()})
  })

  it('blocked just below max-size while writes are refused (writeDropped rises); not when nothing is refused or far from it', () => {
    // A write is refused when it would pass max-size: the queue stops up to a block short of it.
    const pts = series(3, S, (i) => ({pending: 10 * GIB - 900, size: 10 * GIB - 900, refused: 5 + i * 4}))
    const a = analyseSeries(pts, {now: at(pts), maxSizeBytes: 10 * GIB})
    expect(a.verdict).toBe('blocked')
    expect(a.reason).toMatch(/8 writes were refused in the window: its writes fail with "queue is full"/)
    expect(a.full).toEqual({inMs: 0, at: new Date(at(pts)).toISOString()})
    // The same size with no refusal in the window: not blocked (nothing says writes fail).
    const quiet = series(3, S, () => ({pending: 10 * GIB - 900, size: 10 * GIB - 900, refused: 5}))
    expect(analyseSeries(quiet, {now: at(quiet), maxSizeBytes: 10 * GIB}).verdict).not.toBe('blocked')
    // Refusals far below max-size are blocks the destination refused for good, not a full queue.
    const low = series(3, S, (i) => ({pending: GIB, size: GIB, refused: i}))
    expect(analyseSeries(low, {now: at(low), maxSizeBytes: 10 * GIB}).verdict).not.toBe('blocked')
  })

  it('handles a remote counter reset (node restart) inside the window', () => {
    // bytesWritten: 0.. 4 MiB, restart, then 1 MiB, 2 MiB: 6 MiB delivered in 25 s while the queue shrinks.
    const sent = [0, 2, 4, 1, 2, 3].map((x) => x * MIB)
    const pts = series(6, 5 * S, (i) => ({pending: 20 * MIB - i * MIB, sent: sent[i]}))
    const a = analyseSeries(pts, {now: at(pts)})
    expect(a.counterResets).toBe(1)
    expect(a.sentRate).toBeCloseTo((7 * MIB) / 25, 0)
    expect(a.verdict).toBe('draining')
    // A counter that restarted at 0 and stayed there: nothing delivered since.
    const stuck = series(4, 5 * S, (i) => ({pending: 20 * MIB, sent: i === 0 ? 5 * MIB : 0}))
    expect(analyseSeries(stuck, {now: at(stuck)}).verdict).toBe('retrying')
    expect(analyseSeries(stuck, {now: at(stuck), stallAfterMs: 15 * S}).verdict).toBe('stalled')
  })

  it('without a delivery counter, any drop between samples proves delivery', () => {
    const down = series(4, 5 * S, (i) => ({pending: 100 - i * 10}))
    expect(analyseSeries(down, {now: at(down)}).verdict).toBe('draining')
    const flat = series(4, 5 * S, () => ({pending: 100}))
    expect(analyseSeries(flat, {now: at(flat)}).verdict).toBe('retrying')
    expect(analyseSeries(flat, {now: at(flat), retryMaxIntervalMs: 5 * S}).verdict).toBe('stalled')
  })

  it('uses only the last `window` samples', () => {
    // Draining 1 MiB per sample for 15 samples, then 3 MiB per sample: a window of 5 sees the new rate, one of 20 mostly the old.
    const pts = series(20, 5 * S, (i) => (i < 15 ? {pending: 200 * MIB - i * MIB, sent: i * MIB} : {pending: 186 * MIB - (i - 14) * 3 * MIB, sent: 14 * MIB + (i - 14) * 3 * MIB}))
    expect(analyseSeries(pts, {now: at(pts), window: 5}).netRate).toBeCloseTo((-3 * MIB) / 5, 0)
    expect(analyseSeries(pts, {now: at(pts), window: 20}).netRate).toBeCloseTo(-MIB / 5, 0)
  })

  it('measures a queue that starts delivering after a silence from its first delivery on: the samples before do not hold the ETA back', () => {
    // Growing 1 MiB per sample while the destination is down (nothing delivered), then, once it is back, 3 MiB per
    // sample delivered while 1 MiB keeps arriving: 2 MiB per 5 s net.
    const pts = series(20, 5 * S, (i) => (i < 15 ? {pending: 50 * MIB + i * MIB, sent: 0} : {pending: 64 * MIB - (i - 14) * 2 * MIB, sent: (i - 14) * 3 * MIB}))
    const a = analyseSeries(pts, {now: at(pts), window: 20})
    expect(a.verdict).toBe('draining')
    expect(a.netRate).toBeCloseTo((-2 * MIB) / 5, 0)
    expect(a.sentRate).toBeCloseTo((3 * MIB) / 5, 0)
    expect(a.ingestRate).toBeCloseTo(MIB / 5, 0)
    expect(a.windowMs).toBe(25 * S)
    expect(a.eta!.inMs).toBe(135 * S) // 54 MiB at 0.4 MiB/s
    // The same deliveries after a pause shorter than one attempt (10 s) are one run: the whole window counts.
    const bursty = series(20, 4 * S, (i) => ({pending: 100 * MIB - Math.floor((i + 2) / 3) * 6 * MIB, sent: Math.floor((i + 2) / 3) * 6 * MIB}))
    expect(analyseSeries(bursty, {now: at(bursty), window: 20}).windowMs).toBe(19 * 4 * S)
  })

  it('unknown when nothing readable is pending but some segments are corrupt', () => {
    const pts = series(3, 5 * S, () => ({pending: 0, bad: 2}))
    const a = analyseSeries(pts, {now: at(pts)})
    expect(a.verdict).toBe('unknown')
    expect(a.reason).toContain('corrupt')
  })
})

describe('verdicts do not depend on the sampling interval', () => {
  /** The verdict of a queue behaving as `f(tMs)` describes, sampled every `every` ms up to `untilMs`. */
  function verdictAt(every: number, untilMs: number, f: (t: number) => Omit<SeriesPoint, 't'>, extra: Partial<Parameters<typeof analyseSeries>[1]> = {}): Verdict {
    const pts: SeriesPoint[] = []
    for (let t = 0; t <= untilMs; t += every) pts.push({t: T0 + t, ...f(t)})
    return analyseSeries(pts, {now: at(pts), maxSizeBytes: 10 * GIB, ...extra}).verdict
  }
  const INTERVALS = [1 * S, 2 * S, 5 * S]

  it('a queue stuck at 0 B/s: unknown at first, retrying within the back-off, stalled past it, the same at 1s, 2s and 5s', () => {
    const stuck = () => ({pending: 50 * MIB, sent: 1234})
    for (const every of INTERVALS) {
      expect(verdictAt(every, 5 * S, stuck), `every ${every}`).toBe('unknown')
      expect(verdictAt(every, 30 * S, stuck), `every ${every}`).toBe('retrying')
      expect(verdictAt(every, 200 * S, stuck), `every ${every}`).toBe('retrying')
      expect(verdictAt(every, 215 * S, stuck), `every ${every}`).toBe('stalled')
      // Older releases back off 10s at most: stalled after 20s.
      expect(verdictAt(every, 30 * S, stuck, {retryMaxIntervalMs: 10 * S}), `every ${every}`).toBe('stalled')
    }
  })

  it('a queue growing toward max-size without delivering: the same verdict and a full forecast at every interval', () => {
    const growing = (t: number) => ({pending: 5 * GIB + t * 1024, size: 5 * GIB + t * 1024, sent: 0})
    for (const every of INTERVALS) {
      expect(verdictAt(every, 40 * S, growing), `every ${every}`).toBe('retrying')
      expect(verdictAt(every, 300 * S, growing), `every ${every}`).toBe('stalled')
    }
  })

  it('a queue draining with short pauses (a second between batches) stays draining at every interval', () => {
    // 1 MiB delivered every 3 s.
    const draining = (t: number) => ({pending: 500 * MIB - Math.floor(t / (3 * S)) * MIB, sent: Math.floor(t / (3 * S)) * MIB})
    for (const every of INTERVALS) expect(verdictAt(every, 60 * S, draining), `every ${every}`).toBe('draining')
  })
})

describe('back-off: retrying, stalled, failed sends', () => {
  it('says when the next attempt is due and when the queue will be called stalled', () => {
    const pts = series(7, 5 * S, () => ({pending: 10 * MIB, sent: 0}))
    const a = analyseSeries(pts, {now: at(pts), retryMaxIntervalMs: 200 * S})
    expect(a.verdict).toBe('retrying')
    expect(a.retry).toEqual({
      quietMs: 30 * S,
      nextAttemptBy: new Date(T0 + 200 * S).toISOString(),
      stalledAt: new Date(T0 + 210 * S).toISOString(),
      failedSends: null,
    })
    expect(a.reason).toContain('retry-max-interval (3m20s)')
  })

  it('counts failed sends (writeNodeReqFail, resets handled) and dates the next attempt from the last failure', () => {
    // A delivery at 5 s, then sends fail at 15 s and 25 s; the node restarts at 30 s (counter back to 1).
    const sent = [0, 100, 100, 100, 100, 100, 100]
    const failed = [7, 7, 7, 8, 8, 9, 1]
    const pts = series(7, 5 * S, (i) => ({pending: 10 * MIB, sent: sent[i], failed: failed[i]}))
    const g = progressOf(pts)!
    expect(g).toMatchObject({lastDeliveryT: T0 + 5 * S, lastFailT: T0 + 30 * S, failsSinceDelivery: 3, deliveredBytes: 100, counted: true})
    const a = analyseSeries(pts, {now: at(pts), retryMaxIntervalMs: 200 * S})
    expect(a.verdict).toBe('retrying')
    expect(a.retry).toMatchObject({quietMs: 25 * S, failedSends: 3, nextAttemptBy: new Date(T0 + 30 * S + 200 * S).toISOString()})
    expect(a.reason).toContain('3 sends failed')
  })

  it('failed sends are evidence before 10 s: retrying, not unknown', () => {
    const pts = series(3, 2 * S, (i) => ({pending: 10 * MIB, sent: 0, failed: i}))
    expect(analyseSeries(pts, {now: at(pts)}).verdict).toBe('retrying')
  })

  it('--stall-after overrides the back-off rule', () => {
    const pts = series(3, 5 * S, () => ({pending: 10 * MIB, sent: 0}))
    const a = analyseSeries(pts, {now: at(pts), stallAfterMs: 10 * S})
    expect(a.verdict).toBe('stalled')
    expect(a.reason).toContain('--stall-after 10s')
  })

  it('weighs verdicts for the end of a watch: stalled/blocked critical, growing/retrying warnings, unknown unchecked', () => {
    const v = (verdict: Verdict, lossExpected = false) => verdictSeverity({verdict, maxAge: lossExpected ? {inMs: 1, at: '', lossExpected} : null})
    expect([v('stalled'), v('blocked'), v('growing'), v('retrying'), v('unknown'), v('slow'), v('slow', true), v('draining'), v('drained')])
      .toEqual(['critical', 'critical', 'warning', 'warning', 'unknown', null, 'warning', null, null])
  })
})

describe('assessScan', () => {
  const NOW = T0
  function node(id: string, over: Partial<NodeScan>): NodeScan {
    return {node: id, path: `/hh/${id}`, queues: [], segments: 1, pendingBytes: 0, diskBytes: 0, uncertainBytes: 0, badSegments: 0, oldestPendingWriteMs: null, newestWriteMs: null, ...over}
  }
  function scan(nodes: NodeScan[]): HhScan {
    return {
      dir: '/hh', scannedAtMs: NOW, durationMs: 1, nodes,
      totals: {nodes: nodes.length, queues: 0, segments: 0, pendingBytes: 0, diskBytes: 0, uncertainBytes: 0, badSegments: 0, oldestPendingWriteMs: null, newestWriteMs: null},
      files: {segments: 0, foreign: 0, unreadable: 0, vanished: 0}, unchecked: 0, findings: [],
    }
  }
  const limits = {maxSizeBytes: 10 * GIB, maxAgeMs: 168 * HOUR}

  it('flags nodes at max-size and past max-age as critical, near them as warnings', () => {
    const r = assessScan(scan([
      node('1', {pendingBytes: 10, diskBytes: 100}),
      node('2', {pendingBytes: 10 * GIB, diskBytes: 10 * GIB}),
      node('3', {pendingBytes: 9.5 * GIB, diskBytes: 9.5 * GIB}),
      node('4', {pendingBytes: 10, diskBytes: 10, oldestPendingWriteMs: NOW - 170 * HOUR}),
      node('5', {pendingBytes: 10, diskBytes: 10, oldestPendingWriteMs: NOW - 130 * HOUR}),
      node('6', {pendingBytes: 0, diskBytes: 8, badSegments: 1}),
    ]), limits, NOW)
    expect(r.outcome).toMatchObject({verdict: 'critical', exitCode: 3, critical: 2, warnings: 2})
    expect(r.nodes.map((n) => n.status)).toEqual(['pending', 'full', 'near-full', 'past-max-age', 'near-max-age', 'corrupt'])
    expect(r.findings.map((f) => `${f.severity}:${f.code}:${f.node}`)).toEqual([
      'critical:node-full:2', 'critical:past-max-age:4', 'warning:node-near-full:3', 'warning:near-max-age:5',
    ])
    expect(r.nodes[1].headroomBytes).toBe(0)
    expect(r.nodes[3].maxAge!.inMs).toBe(-2 * HOUR)
    expect(r.nodes[4].maxAge!.inMs).toBe(38 * HOUR)
    expect(r.findings[2].message).toContain('95.0% of max-size')
  })

  it('is ok with empty queues, a warning (exit 3) near a limit, unknown (exit 4) when something could not be read', () => {
    expect(assessScan(scan([node('1', {})]), limits, NOW)).toMatchObject({outcome: {verdict: 'ok', exitCode: 0}, findings: []})
    expect(assessScan(scan([node('1', {diskBytes: 9.9 * GIB, pendingBytes: 1})]), limits, NOW).outcome).toMatchObject({verdict: 'warning', exitCode: 3})
    const unread = {...scan([node('1', {})]), unchecked: 1}
    expect(assessScan(unread, limits, NOW).outcome).toMatchObject({verdict: 'unknown', exitCode: 4, complete: false})
    // Host names asked for (--meta) and not available: unchecked too.
    expect(assessScan(scan([node('1', {})]), limits, NOW, 1).outcome.exitCode).toBe(4)
  })
})

describe('formatSpan', () => {
  it('prints compact durations', () => {
    expect(formatSpan(850)).toBe('850ms')
    expect(formatSpan(42_000)).toBe('42s')
    expect(formatSpan(190_000)).toBe('3m10s')
    expect(formatSpan(3_600_000)).toBe('1h')
    expect(formatSpan(5 * HOUR + 12 * 60_000)).toBe('5h12m')
    // Go durations (pasteable into a flag): hours, never days.
    expect(formatSpan(148 * HOUR)).toBe('148h')
    expect(formatSpan(148 * HOUR + 20 * 60_000)).toBe('148h')
    expect(formatSpan(42_400)).toBe('42s')
    expect(formatSpan(-90_000)).toBe('-1m30s')
    expect(formatSpan(0)).toBe('0s')
    expect(formatSpan(Number.POSITIVE_INFINITY)).toBe('never')
  })
})
