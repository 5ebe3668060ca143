import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'

import {Explainer} from '../../src/logs/explain.js'
import {resolveInputs} from '../../src/logs/input.js'
import {subtract} from '../../src/logs/intervals.js'
import {summariseInputs} from '../../src/logs/parallel.js'
import {Summariser, buildReport, chooseBucket, mergePartials} from '../../src/logs/summary.js'
import {templateOf} from '../../src/logs/templates.js'
import {tempDir} from '../helpers/cli.js'

const t = (s: number) => new Date(Date.UTC(2016, 8, 19, 9, 0, s)).toISOString()
const clf = (s: number) => {
  const d = new Date(Date.UTC(2016, 8, 19, 9, 0, s))
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}/Sep/2016:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}
const lease = (s: number, node: number, status: number) =>
  `[meta-http] ${t(s).slice(0, 10).replaceAll('-', '/')} ${t(s).slice(11, 19)} 10.0.0.${node} - - [${clf(s)}] GET /lease?name=continuous_querier&node_id=${node} HTTP/1.1 ${status} 105 - InfluxDB Meta Client b00e4943-7e48-11e6-86a6-000000000000 380.542µs`

describe('CQ lease context', () => {
  it('explain: a 409 means another node holds the lease; denials before any grant say the holder\'s lines are elsewhere', () => {
    const ex = new Explainer({leaseDurationMs: 60_000})
    // Only denials so far: the holder's 200s are not in this input (another meta node's log, cluster-tracing off).
    const early = ex.explain(lease(0, 5, 409))
    expect(early).toMatchObject({id: 'cq-lease-denied', verdict: 'expected'})
    expect(early.context).toContain('not in this input')
    expect(ex.explain(lease(300, 5, 409)).verdict).toBe('expected')
  })

  it('explain: denials are expected while a grant is recent, a warning once grants stop appearing for longer than the lease', () => {
    const ex = new Explainer({leaseDurationMs: 60_000})
    expect(ex.explain(lease(0, 4, 200)).verdict).toBe('expected')
    expect(ex.explain(lease(1, 5, 409))).toMatchObject({id: 'cq-lease-denied', verdict: 'expected', context: expect.stringContaining('data node 4 holds the lease')})
    expect(ex.explain(lease(59, 5, 409)).verdict).toBe('expected')
    // The lease granted at second 0 ran out at 60: a denial after that means a grant this input does not show.
    const late = ex.explain(lease(200, 5, 409))
    expect(late.verdict).toBe('warning')
    expect(late.context).toContain('renewals (200) were in this input until')
    // A grant resets it.
    ex.explain(lease(201, 4, 200))
    expect(ex.explain(lease(202, 5, 409)).verdict).toBe('expected')
  })

  it('explain: a grant after the grants stopped for longer than the lease duration is a lapse (a warning naming both nodes); renewals are not', () => {
    const ex = new Explainer({leaseDurationMs: 5_000})
    for (let i = 0; i <= 10; i++) expect(ex.explain(lease(i, 4, 200))).toMatchObject({verdict: 'expected', context: undefined})
    // Node 4 cut off from the meta leader at 10: node 5 is denied until the lease runs out, then gets it.
    for (let i = 11; i <= 15; i++) expect(ex.explain(lease(i, 5, 409)).verdict).toBe('expected')
    const moved = ex.explain(lease(16, 5, 200))
    expect(moved).toMatchObject({id: 'cq-lease-granted', verdict: 'warning'})
    expect(moved.context).toMatch(/^the lease had lapsed: data node 4 last renewed it 6s earlier, longer than the lease duration \(5s\), so for that time no data node held it .* data node 5 has taken it over/)
    expect(ex.explain(lease(17, 5, 200)).verdict).toBe('expected')
    // Whole-second stamps: 4 s between grants measured for a 5 s lease may be just over 4 s: not a lapse. 5 s is.
    const near = new Explainer({leaseDurationMs: 5_000})
    near.explain(lease(0, 4, 200))
    expect(near.explain(lease(4, 5, 200)).verdict).toBe('expected')
    const again = new Explainer({leaseDurationMs: 5_000})
    again.explain(lease(0, 4, 200))
    expect(again.explain(lease(5, 4, 200))).toMatchObject({verdict: 'warning', context: expect.stringContaining('data node 4 holds it again')})
  })

  it('summary: a lapse between two holders, and no holder until the input ends, are warnings on the grants', () => {
    const s = new Summariser({leaseDurationMs: 5_000})
    for (let i = 0; i <= 10; i++) s.add(lease(i, 4, 200), 'meta.log')
    for (let i = 11; i <= 15; i++) s.add(lease(i, 5, 409), 'meta.log')
    for (let i = 16; i <= 30; i++) s.add(lease(i, 5, 200), 'meta.log')
    let r = buildReport(s.partial(), {files: ['meta.log'], leaseDurationMs: 5_000})
    expect(r.lease.gaps).toEqual([])
    expect(r.lease.lapses).toEqual([{holder: '4', lastGrant: t(10), next: '5', nextGrant: t(16), seconds: 6, untilEnd: false}])
    const granted = r.actionable.find((e) => e.id === 'cq-lease-granted')!
    expect(granted.verdict).toBe('warning')
    expect(granted.context).toMatch(/^the CQ lease lapsed once: .* data node 4's grants stopped at 2016-09-19T09:00:10.000Z; no node held the lease until data node 5 got it 6s later/)
    expect(r.events.find((e) => e.kind === 'lease-lapse')).toMatchObject({time: t(10), verdict: 'warning'})
    expect(r.verdict).toBe('warning')
    // Then node 5 is cut off too, and the log goes on (other lines) for a minute with no lease line at all.
    for (let i = 40; i <= 90; i += 10) s.add(lease(i, 9, 200).replace('/lease?name=continuous_querier&node_id=9', '/status'), 'meta.log')
    r = buildReport(s.partial(), {files: ['meta.log'], leaseDurationMs: 5_000})
    expect(r.lease.lapses.at(-1)).toEqual({holder: '5', lastGrant: t(30), next: null, nextGrant: null, seconds: 60, untilEnd: true})
    expect(r.actionable.find((e) => e.id === 'cq-lease-granted')!.context).toContain('no node holds it, as far as this log shows')
    // The same lines split over two partials (worker threads) give the same lapses.
    const a = new Summariser({leaseDurationMs: 5_000})
    const b = new Summariser({leaseDurationMs: 5_000})
    for (let i = 0; i <= 10; i++) a.add(lease(i, 4, 200), 'meta.log')
    for (let i = 16; i <= 30; i++) b.add(lease(i, 5, 200), 'meta.log')
    const merged = buildReport(mergePartials([a.partial(), b.partial()], 5_000), {files: ['meta.log'], leaseDurationMs: 5_000})
    expect(merged.lease.lapses).toEqual([{holder: '4', lastGrant: t(10), next: '5', nextGrant: t(16), seconds: 6, untilEnd: false}])
  })

  it('summary: steady renewals, and a hand-over within the lease duration (a new meta leader), are no lapse', () => {
    const s = new Summariser({leaseDurationMs: 60_000})
    for (let i = 0; i <= 100; i++) s.add(lease(i, 4, 200), 'meta.log')
    for (let i = 130; i <= 200; i++) s.add(lease(i, 5, 200), 'meta.log')
    const r = buildReport(s.partial(), {files: ['meta.log'], leaseDurationMs: 60_000})
    expect(r.lease.lapses).toEqual([])
    expect(r.benign.find((e) => e.id === 'cq-lease-granted')?.context).toBeUndefined()
  })

  it('summary: only denials (the holder\'s log is elsewhere) are expected, with the reason', () => {
    const s = new Summariser({leaseDurationMs: 60_000})
    for (let i = 0; i < 600; i++) s.add(lease(i, 5, 409), 'meta-2.log')
    const r = buildReport(s.partial(), {files: ['meta-2.log'], leaseDurationMs: 60_000})
    expect(r.lease.gaps).toEqual([])
    expect(r.verdict).toBe('ok')
    expect(r.benign.find((e) => e.id === 'cq-lease-denied')?.context).toContain('not in this input')
  })

  it('summary: finds the stretch of denials no grant covers', () => {
    const s = new Summariser({leaseDurationMs: 60_000})
    for (let i = 0; i < 100; i++) s.add(lease(i, 4, 200), 'meta.log')
    for (let i = 0; i < 400; i++) s.add(lease(i, 5, 409), 'meta.log')
    const r = buildReport(s.partial(), {files: ['meta.log'], leaseDurationMs: 60_000})
    expect(r.lease).toMatchObject({grants: 100, denials: 400, holders: {'4': 100}})
    expect(r.lease.gaps).toHaveLength(1)
    expect(r.lease.gaps[0]).toMatchObject({start: t(159), end: t(399), seconds: 240})
    expect(r.actionable.map((e) => e.id)).toEqual(['cq-lease-denied'])
    expect(r.verdict).toBe('warning')
  })

  it('summary: denials covered by grants stay expected', () => {
    const s = new Summariser()
    for (let i = 0; i < 300; i++) {
      s.add(lease(i, 4, 200), 'meta.log')
      s.add(lease(i, 5, 409), 'meta.log')
    }
    const r = buildReport(s.partial(), {files: ['meta.log']})
    expect(r.lease.gaps).toEqual([])
    expect(r.benign.map((e) => e.id).sort()).toEqual(['cq-lease-denied', 'cq-lease-granted'])
    expect(r.verdict).toBe('ok')
  })
})

describe('Summariser', () => {
  const lines = [
    '[write] 2016/09/19 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty',
    '[write] 2016/09/19 10:36:21 write failed for shard 2382 on node 4: queue is full',
    '[write] 2016/09/19 10:36:22 write failed for shard 2383 on node 5: queue is full',
    '[shard] 2016/09/19 10:37:21 odd thing 1234 at 10.0.0.1:8088',
    '[shard] 2016/09/19 10:38:21 odd thing 999 at 10.0.0.2:8088',
    'ts=2016-09-19T11:00:00.000000Z lvl=info msg="something new" log_id=0AAAAAAAAAA',
    'ts=2016-09-19T12:00:00.000000Z lvl=info msg="something new" log_id=0BBBBBBBBBB',
    '\u0001\u0002\u0003\u0004\u0005\u0006',
  ]

  it('counts entries with first/last seen, nodes and shards, and ranks actionable first', () => {
    const s = new Summariser()
    for (const l of lines) s.add(l, 'data-01.log')
    const r = buildReport(s.partial(), {files: ['data-01.log']})
    const full = r.actionable[0]
    expect(full).toMatchObject({id: 'hh-queue-full', verdict: 'critical', count: 2, nodes: {'4': 1, '5': 1}, shards: {'2382': 1, '2383': 1}})
    expect(full.firstSeen).toBe('2016-09-19T10:36:21.000Z')
    expect(full.lastSeen).toBe('2016-09-19T10:36:22.000Z')
    expect(r.verdict).toBe('critical')
    expect(r.unknown.templates[0]).toMatchObject({template: 'odd thing <num> at <ip:port>', count: 2})
    expect(r.input.binary).toBe(1)
    expect(r.restarts).toEqual([expect.objectContaining({source: 'data-01.log', logId: '0BBBBBBBBBB', time: '2016-09-19T12:00:00.000Z'})])
    expect(r.events[0]).toMatchObject({kind: 'first-seen', id: 'hh-queue-full'})
  })

  it('counts a node killed and started again within seconds as a second run, at its own time (logfmt and legacy)', () => {
    const runs = [
      'ts=2026-11-22T01:00:00.000000Z lvl=info msg="InfluxDB Meta starting" log_id=0AAAAAAAAAA version=dev',
      'ts=2026-11-22T01:00:01.000000Z lvl=info msg="Listening on HTTP" log_id=0AAAAAAAAAA service=meta addr=127.0.0.1:8091',
      // kill -9: no shutdown line; started again 20 s later
      'ts=2026-11-22T01:00:21.000000Z lvl=info msg="InfluxDB Meta starting" log_id=0BBBBBBBBBB version=dev',
      'ts=2026-11-22T01:00:22.000000Z lvl=info msg="Listening on HTTP" log_id=0BBBBBBBBBB service=meta addr=127.0.0.1:8091',
    ]
    const s = new Summariser()
    for (const l of runs) s.add(l, 'meta-1.log')
    const r = buildReport(s.partial(), {files: ['meta-1.log']})
    expect(r.restarts.map((x) => [x.time, x.logId])).toEqual([['2026-11-22T01:00:00.000Z', '0AAAAAAAAAA'], ['2026-11-22T01:00:21.000Z', '0BBBBBBBBBB']])
    expect(r.events.filter((e) => e.kind === 'restart').map((e) => e.time)).toEqual(['2026-11-22T01:00:00.000Z', '2026-11-22T01:00:21.000Z'])
    const legacy = new Summariser()
    for (const l of ['[run] 2016/09/19 10:00:00 InfluxDB starting, version 1.1.1-c1.1.1, branch master, commit x', '[run] 2016/09/19 10:00:15 InfluxDB starting, version 1.1.1-c1.1.1, branch master, commit x']) legacy.add(l, 'data-1.log')
    expect(buildReport(legacy.partial(), {files: ['data-1.log']}).restarts.map((x) => x.time)).toEqual(['2016-09-19T10:00:00.000Z', '2016-09-19T10:00:15.000Z'])
  })

  it('gives the same report however the input is split between threads', () => {
    const whole = new Summariser()
    for (const l of lines) whole.add(l, 'f')
    const a = new Summariser()
    const b = new Summariser()
    lines.forEach((l, i) => (i % 2 === 0 ? a : b).add(l, 'f'))
    const r1 = buildReport(whole.partial(), {files: ['f']})
    const r2 = buildReport(mergePartials([b.partial(), a.partial()]), {files: ['f']})
    expect(r2).toEqual(r1)
  })

  it('honours --since/--until; lines without a timestamp cannot be placed in the window and are left out', () => {
    const s = new Summariser({since: Date.UTC(2016, 8, 19, 10, 36), until: Date.UTC(2016, 8, 19, 11)})
    for (const l of [...lines, 'no time here']) s.add(l, 'f')
    const r = buildReport(s.partial(), {files: ['f'], windowed: true})
    expect(r.input.filteredOut).toBe(2)
    expect(r.input.untimedSkipped).toBe(2)
    expect(r.input.untimed).toBe(0)
    expect(r.actionable[0].count).toBe(2)
  })

  it('a window that excludes every timestamped line judges nothing: nothing in the window, exit 0', () => {
    const s = new Summariser({since: Date.UTC(2030, 0, 1)})
    for (const l of [...lines, 'no time here', '500 {"error":"partial write"}']) s.add(l, 'f')
    const r = buildReport(s.partial(), {files: ['f'], windowed: true})
    expect(r.input).toMatchObject({lines: 0, nothingInWindow: true})
    expect(r.actionable).toEqual([])
    expect(r).toMatchObject({verdict: 'ok', exitCode: 0})
  })

  it('chooses timeline buckets from the span', () => {
    expect(chooseBucket(30 * 60_000, 60_000)).toBe(60_000)
    expect(chooseBucket(24 * 3_600_000, 60_000)).toBe(1_800_000)
    expect(chooseBucket(400 * 86_400_000, 60_000)).toBeGreaterThanOrEqual(604_800_000)
  })

  it('masks the variable parts of unknown lines', () => {
    expect(templateOf('took 12.5ms for shard 7 at host-1:8088 id 9a4371a1-fec0-11e6-84b6-000000000000 "x y"')).toBe(
      'took <dur> for shard <num> at <host:port> id <uuid> "<str>"',
    )
  })

  it('subtracts intervals', () => {
    expect(subtract([[0, 100]], [[10, 20], [50, 60]])).toEqual([[0, 10], [20, 50], [60, 100]])
    expect(subtract([[0, 10]], [])).toEqual([[0, 10]])
  })
})

describe('summariseInputs', () => {
  it('gives the same report on worker threads as on the main thread, for plain and gzip files', async () => {
    const dir = tempDir()
    const body: string[] = []
    for (let i = 0; i < 3000; i++) {
      body.push(lease(i % 600, 4 + (i % 3), i % 3 === 0 ? 200 : 409))
      body.push(`[write] 2016/09/19 09:${String(10 + (i % 40)).padStart(2, '0')}:00 write failed for shard ${i % 7} on node 5: hinted handoff queue not empty`)
      body.push(`[shard] 2016/09/19 09:30:00 mystery ${i} happened`)
    }
    writeFileSync(join(dir, 'a.log'), body.join('\n'))
    writeFileSync(join(dir, 'b.log.gz'), gzipSync(body.slice(0, 999).join('\r\n')))
    const inputs = await resolveInputs([join(dir, 'a.log'), join(dir, 'b.log.gz')])
    const inline = await summariseInputs(inputs, {workers: 0})
    const threads = await summariseInputs(inputs, {workers: 2})
    // The inline run is below the threshold on purpose: force the pool with a fake size.
    const forced = await summariseInputs(inputs.map((i) => ({...i, size: 1 << 30})), {workers: 2})
    expect(threads).toEqual(inline)
    expect(forced).toEqual(inline)
    expect(inline.input.lines).toBe(9000 + 999)
    expect(inline.sources.map((s) => s.name).sort()).toEqual(['a.log', 'b.log.gz'])
  })
})
