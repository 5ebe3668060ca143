// Drain analytics: pure functions with an injected clock.
import {describe, expect, it} from 'vitest'

import {
  analyseSeries,
  assessScan,
  counterIncrease,
  formatSpan,
  type SeriesPoint,
  sparkline,
  theilSen,
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
    expect(a.reason).toContain('another sample')
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

  it('stalled when nothing is delivered in the window, whether the queue is flat or growing', () => {
    const flat = series(5, 5 * S, () => ({pending: 10 * MIB, sent: 777}))
    expect(analyseSeries(flat, {now: at(flat)}).verdict).toBe('stalled')
    const growing = series(5, 5 * S, (i) => ({pending: 10 * MIB + i * MIB, sent: 777}))
    const g = analyseSeries(growing, {now: at(growing), maxSizeBytes: 10 * GIB})
    expect(g.verdict).toBe('stalled')
    expect(g.reason).toContain('nothing delivered in 20s')
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
    expect(analyseSeries(stuck, {now: at(stuck)}).verdict).toBe('stalled')
  })

  it('without a delivery counter, any drop between samples proves delivery', () => {
    const down = series(4, 5 * S, (i) => ({pending: 100 - i * 10}))
    expect(analyseSeries(down, {now: at(down)}).verdict).toBe('draining')
    const flat = series(4, 5 * S, () => ({pending: 100}))
    expect(analyseSeries(flat, {now: at(flat)}).verdict).toBe('stalled')
  })

  it('uses only the last `window` samples', () => {
    // Stalled for a long time, then draining for the last 5 samples.
    const pts = series(20, 5 * S, (i) => (i < 15 ? {pending: 100 * MIB, sent: 0} : {pending: 100 * MIB - (i - 14) * MIB, sent: (i - 14) * MIB}))
    expect(analyseSeries(pts, {now: at(pts), window: 5}).verdict).toBe('draining')
    expect(analyseSeries(pts, {now: at(pts), window: 20}).netRate).toBeCloseTo(0, 0)
  })

  it('unknown when nothing readable is pending but some segments are corrupt', () => {
    const pts = series(3, 5 * S, () => ({pending: 0, bad: 2}))
    const a = analyseSeries(pts, {now: at(pts)})
    expect(a.verdict).toBe('unknown')
    expect(a.reason).toContain('corrupt')
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
      files: {segments: 0, foreign: 0, unreadable: 0}, findings: [],
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
    expect(r.verdict).toBe('critical')
    expect(r.nodes.map((n) => n.status)).toEqual(['pending', 'full', 'near-full', 'past-max-age', 'near-max-age', 'corrupt'])
    expect(r.findings.map((f) => `${f.severity}:${f.code}:${f.node}`)).toEqual([
      'critical:node-full:2', 'critical:past-max-age:4', 'warning:node-near-full:3', 'warning:near-max-age:5',
    ])
    expect(r.nodes[1].headroomBytes).toBe(0)
    expect(r.nodes[3].maxAge!.inMs).toBe(-2 * HOUR)
    expect(r.nodes[4].maxAge!.inMs).toBe(38 * HOUR)
    expect(r.findings[2].message).toContain('95.0% of max-size')
  })

  it('is ok with empty queues and warnings only with warnings', () => {
    expect(assessScan(scan([node('1', {})]), limits, NOW)).toMatchObject({verdict: 'ok', findings: []})
    expect(assessScan(scan([node('1', {diskBytes: 9.9 * GIB, pendingBytes: 1})]), limits, NOW).verdict).toBe('warning')
  })
})

describe('formatSpan', () => {
  it('prints compact durations', () => {
    expect(formatSpan(850)).toBe('850ms')
    expect(formatSpan(42_000)).toBe('42s')
    expect(formatSpan(190_000)).toBe('3m10s')
    expect(formatSpan(3_600_000)).toBe('1h')
    expect(formatSpan(5 * HOUR + 12 * 60_000)).toBe('5h12m')
    expect(formatSpan(148 * HOUR)).toBe('6d4h')
    expect(formatSpan(-90_000)).toBe('-1m30s')
    expect(formatSpan(Number.POSITIVE_INFINITY)).toBe('never')
  })
})
