// Sampling queues from a real directory and from real loopback HTTP servers (/debug/vars, /show-cluster), the HTTP
// client's failure modes, the wire schemas, and the watch/wait loops on top of them. Nothing of ours is mocked.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {openSync, rmSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {Agent} from 'undici'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {renderMatrix} from '../../src/format/hh.js'
import {FOOTER_BYTES} from '../../src/hh/format.js'
import {HhMonitor, isDrained, sampleLoop, waitForDrain} from '../../src/hh/monitor.js'
import {diffSegments, dirSampler, httpSampler, lookupHosts, nodeHosts, queueIdentity} from '../../src/hh/sampler.js'
import {closeHttp, getJson, normaliseBaseUrl} from '../../src/probe/http.js'
import {parseDebugVars, parseShowCluster} from '../../src/wire/schemas.js'
import {tempDir} from '../helpers/cli.js'
import {drainSegment, points, writeQueue, writeSegment} from '../helpers/hh.js'

const T0 = Date.parse('2026-11-21T10:00:00Z')
const HOUR = 3_600_000
const LIMITS = {maxSizeBytes: 10 * 1024 ** 3, maxAgeMs: 168 * HOUR}

// ----------------------------------------------------------------------------------------------- loopback servers

type Handler = (req: IncomingMessage, res: ServerResponse) => void
const servers: Server[] = []

async function serve(handler: Handler): Promise<{url: string; server: Server}> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server}
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})
afterAll(closeHttp)

const stripAnsi = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '')

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

interface QueueStat {
  node: string
  shard?: string
  queueBytes: number
  /** Bytes read from the queue and delivered (the delivery counter). */
  bytesRead: number
}

/** A /debug/vars document shaped like a 1.9 data node's: noise, hh, hh_processor per node/shard, hh_node, write. */
function debugVars(queues: QueueStat[], totals: Record<string, number> = {}): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    cmdline: ['influxd', '-config', '/etc/influxdb/influxdb.conf'],
    memstats: {Alloc: 123456, BySize: [{Size: 0, Mallocs: 0, Frees: 0}]},
    system: {currentTime: '2026-11-21T10:00:00Z', started: '2026-11-20T10:00:00Z', uptime: 86400},
    entitlements: {name: 'entitlements', tags: null, values: {licenseExpiry: '2027-02-15T00:00:00Z', licenseType: 'license-key'}},
    hh: {name: 'hh', tags: {path: '/var/lib/influxdb/hh'}, values: {writeShardReq: 10, writeShardReqPoints: 100}},
    write: {name: 'write', tags: {}, values: {pointReq: 1000, pointReqHH: 40, writeOk: 990, writePartial: 3, futureField: 1}},
    'shard:/var/lib/influxdb/data/db/autogen/12:12': {name: 'shard', tags: {id: '12', path: '/var/lib/influxdb/data/db/autogen/12'}, values: {writePointsOk: 5}},
  }
  for (const q of queues) {
    const path = q.shard === undefined ? `/var/lib/influxdb/hh/${q.node}` : `/var/lib/influxdb/hh/${q.node}/${q.shard}`
    doc[`hh_processor:${path}`] = {
      name: 'hh_processor',
      tags: {node: q.node, path},
      values: {bytesRead: q.bytesRead, bytesWritten: q.bytesRead + q.queueBytes, queueBytes: q.queueBytes, queueDepth: 1, writeBlocked: 0, writeDropped: 0, writeNodeReq: 3, writeNodeReqFail: 1},
    }
  }
  for (const [node, size] of Object.entries(totals)) doc[`hh_node:${node}`] = {name: 'hh_node', tags: {node}, values: {queueTotalSize: size}}
  return doc
}

const SHOW_CLUSTER = {
  data: [
    {id: 4, version: '1.11.8-c1.11.8', tcpAddr: 'data-4:8088', httpAddr: 'data-4:8086', httpScheme: 'http', status: 'joined', labels: []},
    {id: 5, version: '', tcpAddr: 'data-5:8088', httpAddr: 'data-5:8086', httpScheme: 'http', status: 'joined'},
  ],
  meta: [{id: 1, addr: 'meta-1:8091', httpScheme: 'http', tcpAddr: 'meta-1:8089', version: '1.11.8-c1.11.8'}],
}

// ----------------------------------------------------------------------------------------------- the HTTP client

describe('probe/http getJson', () => {
  it('GETs and parses JSON through the shared agent or an injected dispatcher', async () => {
    const {url} = await serve((req, res) => json(res, {path: req.url, ua: req.headers['user-agent']}))
    const r = await getJson<{path: string; ua: string}>(`${url}/x`)
    expect(r).toMatchObject({status: 200, body: {path: '/x', ua: 'influx-medic'}, url: `${url}/x`})
    const agent = new Agent()
    try {
      expect((await getJson(`${url}/y`, {dispatcher: agent})).body).toMatchObject({path: '/y'})
    } finally {
      await agent.close()
    }
  })

  it('maps refused connections, deadlines, big answers, non-JSON and HTTP errors to exit 4 naming the URL', async () => {
    const {url: deadUrl, server} = await serve(() => {})
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    servers.splice(servers.indexOf(server), 1)
    const refused = await getJson(`${deadUrl}/debug/vars`).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(MedicError)
    expect(refused).toMatchObject({exitCode: 4, code: 'http-unreachable', message: `${deadUrl}/debug/vars: connection refused (nothing listens there)`})
    expect((refused as MedicError).suggestions.join(' ')).toContain('8086')

    const {url} = await serve((req, res) => {
      if (req.url === '/hang') return // never answers
      if (req.url === '/big') return json(res, {blob: 'x'.repeat(2 * 1024 * 1024)})
      if (req.url === '/html') {
        res.writeHead(200, {'content-type': 'text/html'})
        return res.end('<html>hello</html>')
      }
      if (req.url === '/missing') return json(res, {error: 'not found'}, 404)
      json(res, {error: 'boom'}, 500)
    })
    const started = performance.now()
    await expect(getJson(`${url}/hang`, {timeoutMs: 200})).rejects.toMatchObject({exitCode: 4, code: 'http-timeout', message: `${url}/hang: no complete answer within 200 ms`})
    expect(performance.now() - started).toBeLessThan(10_000) // a hang guard: the deadline fired, not a speed target
    await expect(getJson(`${url}/big`)).rejects.toMatchObject({exitCode: 4, code: 'http-too-large', message: expect.stringContaining('larger than 1048576 bytes')})
    // An injected dispatcher without its own limit is held to the limit too.
    const agent = new Agent()
    try {
      await expect(getJson(`${url}/big`, {dispatcher: agent, maxResponseBytes: 1000})).rejects.toMatchObject({code: 'http-too-large'})
    } finally {
      await agent.destroy()
    }
    await expect(getJson(`${url}/html`)).rejects.toMatchObject({exitCode: 4, code: 'http-not-json', message: expect.stringContaining('text/html')})
    const missing = (await getJson(`${url}/missing`, {what: 'a data node'}).catch((e: unknown) => e)) as MedicError
    expect(missing).toMatchObject({exitCode: 4, code: 'http-status', message: `${url}/missing: HTTP 404 "{\\"error\\":\\"not found\\"}"`})
    expect(missing.suggestions[0]).toContain('is this a data node?')
    await expect(getJson(`${url}/err`)).rejects.toMatchObject({code: 'http-status', message: expect.stringContaining('HTTP 500')})
    await expect(getJson('http://no-such-host.invalid:8086/x')).rejects.toMatchObject({exitCode: 4, code: 'http-unreachable', message: expect.stringContaining('host not found')})
  })

  it('stops early on an outside signal', async () => {
    const {url} = await serve(() => {})
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 50)
    await expect(getJson(`${url}/hang`, {signal: ac.signal, timeoutMs: 10_000})).rejects.toMatchObject({code: 'interrupted'})
  })

  it('normalises node addresses', () => {
    expect(normaliseBaseUrl('data-1', 8086)).toBe('http://data-1:8086')
    expect(normaliseBaseUrl('data-1:9999', 8086)).toBe('http://data-1:9999')
    expect(normaliseBaseUrl('http://data-1:80/', 8086)).toBe('http://data-1')
    expect(normaliseBaseUrl('https://data-1', 8086)).toBe('https://data-1:8086')
    expect(normaliseBaseUrl('[::1]:8086', 8091)).toBe('http://[::1]:8086')
    expect(normaliseBaseUrl('http://proxy/influx/', 8086)).toBe('http://proxy:8086/influx')
    expect(() => normaliseBaseUrl('ftp://x', 8086)).toThrow(expect.objectContaining({exitCode: 2, code: 'bad-url'}))
    expect(() => normaliseBaseUrl('http://', 8086)).toThrow(expect.objectContaining({exitCode: 2}))
  })
})

// ----------------------------------------------------------------------------------------------- schemas

describe('wire schemas', () => {
  it('picks hh, hh_processor, hh_node and write out of /debug/vars, tolerating extra fields and skipping bad entries', async () => {
    const doc = debugVars([{node: '4', shard: '12', queueBytes: 100, bytesRead: 5}], {'4': 150})
    doc['hh_processor:/broken'] = {name: 'hh_processor', tags: {node: 4}, values: {queueBytes: 'lots'}}
    const vars = await parseDebugVars(doc)
    expect(vars.hh).toHaveLength(1)
    expect(vars.hhProcessors.map((p) => p.stat.tags?.node)).toEqual(['4'])
    expect(vars.hhProcessors[0].stat.values).toMatchObject({queueBytes: 100, bytesRead: 5, bytesWritten: 105, writeNodeReqFail: 1})
    expect(vars.hhNodes[0].stat.values.queueTotalSize).toBe(150)
    expect(vars.write?.values).toMatchObject({pointReq: 1000, futureField: 1})
    expect(vars.skipped.map((s) => s.key)).toEqual(['hh_processor:/broken'])
    await expect(parseDebugVars([1, 2])).rejects.toMatchObject({exitCode: 4, code: 'debug-vars-invalid'})
  })

  it('validates /show-cluster (1.1 shape and later additions)', async () => {
    const c = await parseShowCluster(SHOW_CLUSTER)
    expect(c.data.map((d) => d.httpAddr)).toEqual(['data-4:8086', 'data-5:8086'])
    expect(c.meta[0].addr).toBe('meta-1:8091')
    expect((await parseShowCluster({data: null, meta: null})).data).toEqual([])
    await expect(parseShowCluster({data: [{id: 'x'}]}, 'http://m:8091/show-cluster')).rejects.toMatchObject({exitCode: 4, code: 'show-cluster-invalid', message: expect.stringContaining('http://m:8091/show-cluster')})
  })

  it('finds destination node and shard from tags or from the path', () => {
    expect(queueIdentity('4', undefined, '/var/lib/influxdb/hh/4/12')).toEqual({node: '4', shard: '12'})
    expect(queueIdentity('4', undefined, '/var/lib/influxdb/hh/4')).toEqual({node: '4', shard: null})
    expect(queueIdentity('4', '77', '/x')).toEqual({node: '4', shard: '77'})
    expect(queueIdentity(undefined, undefined, '/var/lib/influxdb/hh/9/3')).toEqual({node: '9', shard: '3'})
    expect(queueIdentity(undefined, undefined, '/var/lib/influxdb/hh/9')).toEqual({node: '9', shard: null})
    expect(queueIdentity(undefined, undefined, '/nowhere')).toBeNull()
  })
})

// ----------------------------------------------------------------------------------------------- samplers

describe('dirSampler', () => {
  it('counts delivered bytes from advanced heads and deleted segments, purged bytes from expired ones', async () => {
    const dir = tempDir('medic-sampler-')
    const q = join(dir, '4', '12')
    const p1 = writeSegment(join(q, '1'), {blocks: [points(1000), points(1000)], mtimeMs: T0 - HOUR})
    const p2 = writeSegment(join(q, '2'), {blocks: [points(500)], mtimeMs: T0 - HOUR})
    const expired = writeSegment(join(dir, '5', '7', '1'), {blocks: [points(300)], mtimeMs: T0 - 200 * HOUR})
    const fresh = writeSegment(join(dir, '5', '7', '2'), {blocks: [points(10)], mtimeMs: T0})
    const old = expired + fresh
    let t = T0
    const sampler = dirSampler(dir, {now: () => t, maxAgeMs: 168 * HOUR})
    const s1 = await sampler.sample()
    expect(s1.sources[0]).toMatchObject({source: dir, kind: 'dir', ok: true})
    expect(s1.sources[0].queues.map((x) => [x.node, x.shard, x.pendingBytes, x.sentBytes])).toEqual([['4', '12', p1 + p2, 0], ['5', '7', old, 0]])

    // Deliver the whole first segment (head to the end), then delete it as the engine does; purge node 5's old head.
    drainSegment(join(q, '1'), p1 + FOOTER_BYTES)
    unlinkSync(join(q, '1'))
    unlinkSync(join(dir, '5', '7', '1'))
    const p3 = writeSegment(join(q, '3'), {blocks: [points(200)], mtimeMs: T0})
    t += 5000
    const s2 = await sampler.sample()
    const [a, b] = s2.sources[0].queues
    expect(a).toMatchObject({pendingBytes: p2 + p3, sentBytes: p1, purgedBytes: 0, segments: 2})
    expect(b).toMatchObject({purgedBytes: expired, sentBytes: 0, pendingBytes: fresh})
    expect(s2.sources[0].nodes.map((n) => n.node)).toEqual(['4', '5'])

    // A queue directory that disappears stays, empty.
    rmSync(join(dir, '5'), {recursive: true})
    t += 5000
    const s3 = await sampler.sample()
    expect(s3.sources[0].queues.find((x) => x.node === '5')).toMatchObject({pendingBytes: 0, segments: 0, sentBytes: fresh, purgedBytes: expired})
  })

  it('reports a missing directory as a failed source (the loops turn the first one into exit 4)', async () => {
    const sampler = dirSampler(join(tempDir('medic-sampler-'), 'nope'))
    const s = await sampler.sample()
    expect(s.sources[0]).toMatchObject({ok: false, error: {code: 'hh-dir-not-found'}})
    const loop = sampleLoop(sampler, {intervalMs: 10, count: 2})
    await expect(loop.next()).rejects.toMatchObject({exitCode: 4, code: 'hh-dir-not-found'})
  })

  it('diffSegments ignores unusable footers and counts new segments already partly delivered', () => {
    const acc = {sent: 0, purged: 0}
    diffSegments(
      new Map([['1', {size: 108, head: 0, mtimeMs: 0}], ['2', {size: 50, head: null, mtimeMs: 0}]]),
      new Map([['1', {size: 108, head: 40, mtimeMs: 0}], ['3', {size: 60, head: 20, mtimeMs: 0}]]),
      1000, undefined, acc,
    )
    expect(acc).toEqual({sent: 60, purged: 0})
  })
})

describe('httpSampler and nodeHosts', () => {
  it('samples several data nodes, keeps going when one is down, and maps ids to hosts through /show-cluster', async () => {
    let delivered = 1000
    let queued = 50_000
    const a = await serve((req, res) => {
      if (req.url === '/debug/vars') return json(res, debugVars([{node: '4', shard: '12', queueBytes: queued, bytesRead: delivered}, {node: '5', queueBytes: 0, bytesRead: 0}], {'4': queued + 1000}))
      json(res, {}, 404)
    })
    const b = await serve((_req, res) => json(res, debugVars([{node: '4', shard: '13', queueBytes: 7, bytesRead: 0}])))
    const meta = await serve((req, res) => (req.url === '/show-cluster' ? json(res, SHOW_CLUSTER) : json(res, {}, 404)))
    const dead = 'http://127.0.0.1:9' // discard port: nothing listens

    const hosts = await nodeHosts(meta.url)
    expect([...hosts]).toEqual([['4', 'data-4:8086'], ['5', 'data-5:8086']])

    let t = T0
    const sampler = httpSampler([a.url, b.url.replace('http://', ''), dead], {now: () => t, http: {timeoutMs: 2000}})
    expect(sampler.sources).toEqual([a.url.replace('http://', ''), b.url.replace('http://', ''), '127.0.0.1:9'])
    const monitor = new HhMonitor({settings: LIMITS, hosts})
    const s1 = await sampler.sample()
    expect(s1.sources.map((s) => s.ok)).toEqual([true, true, false])
    expect(s1.sources[2].error).toMatchObject({code: 'http-unreachable'})
    expect(s1.sources[0].queues).toEqual([
      {node: '4', shard: '12', pendingBytes: 50_000, diskBytes: null, segments: 1, oldestPendingMs: null, newestWriteMs: null, sentBytes: 1000, appendedBytes: 51_000, failedSends: 1, refusedWrites: 0, purgedBytes: null, badSegments: 0},
      expect.objectContaining({node: '5', shard: null, pendingBytes: 0}),
    ])
    expect(s1.sources[0].nodes[0]).toMatchObject({node: '4', diskBytes: 51_000, pendingBytes: 50_000})
    monitor.add(s1)

    // The node restarts: bytesRead starts again from 0, the queue keeps shrinking.
    delivered = 400
    queued = 40_000
    t += 5000
    const snap = monitor.add(await sampler.sample())
    const q = snap.queues.find((x) => x.node === '4' && x.shard === '12')!
    expect(q.host).toBe('data-4:8086')
    expect(q.analysis).toMatchObject({verdict: 'draining', counterResets: 1})
    expect(q.analysis.sentRate).toBeCloseTo(400 / 5, 5)
    expect(q.analysis.netRate).toBeCloseTo(-2000, 5)
    expect(snap.nodes.map((n) => [n.source, n.node])).toEqual([
      [a.url.replace('http://', ''), '4'], [a.url.replace('http://', ''), '5'], [b.url.replace('http://', ''), '4'],
    ])
    expect(snap.sources[2]).toMatchObject({ok: false})
    expect(isDrained(snap)).toBe(false)
    await sampler.close()
  })

  it('never calls a queue without queueBytes empty, and draws the source x destination matrix', async () => {
    const doc = debugVars([{node: '4', shard: '12', queueBytes: 0, bytesRead: 0}])
    doc['hh_processor:/var/lib/influxdb/hh/6/1'] = {name: 'hh_processor', tags: {node: '6', path: '/var/lib/influxdb/hh/6/1'}, values: {bytesRead: 5}}
    const a = await serve((_req, res) => json(res, doc))
    const b = await serve((_req, res) => json(res, debugVars([{node: '4', shard: '12', queueBytes: 900, bytesRead: 0}])))
    const sampler = httpSampler([a.url, b.url])
    const snap = new HhMonitor({settings: LIMITS}).add(await sampler.sample())
    const q6 = snap.queues.find((q) => q.node === '6')!
    expect(q6.analysis.verdict).toBe('unknown')
    expect(snap.findings.map((f) => f.code)).toContain('debug-vars-no-queue-bytes')
    expect(isDrained(snap)).toBe(false)
    const matrix = stripAnsi((await renderMatrix(snap))!)
    const [la, lb] = [a.url, b.url].map((u) => u.replace('http://', ''))
    expect(matrix).toContain('source \\ destination')
    expect(matrix).toMatch(new RegExp(`^${la.replaceAll('.', '\\.')}\\s+0 B drained\\s+0 B unknown$`, 'm'))
    expect(matrix).toMatch(new RegExp(`^${lb.replaceAll('.', '\\.')}\\s+900 B unknown\\s+-$`, 'm'))
    expect(await renderMatrix(new HhMonitor({settings: LIMITS}).add({seq: 1, t: T0, sources: [(await sampler.sample()).sources[1]]}))).toBeUndefined()
    await sampler.close()
  })

  it('turns an unreachable --meta into an unknown finding (not checked), a malformed one into a usage error', async () => {
    const r = await lookupHosts('127.0.0.1:9', {timeoutMs: 2000})
    expect(r.hosts.size).toBe(0)
    expect(r.findings[0]).toMatchObject({severity: 'unknown', code: 'meta-unavailable'})
    await expect(lookupHosts('ftp://meta')).rejects.toMatchObject({exitCode: 2})
    expect(await lookupHosts(undefined)).toEqual({hosts: new Map(), findings: []})
  })
})

// ----------------------------------------------------------------------------------------------- watch / wait loops

describe('HhMonitor and waitForDrain on a real directory', () => {
  it('returns drained once the engine has delivered everything (footers rewritten between samples)', async () => {
    const dir = tempDir('medic-wait-')
    const size = writeSegment(join(dir, '4', '12', '1'), {blocks: [points(400), points(400)]}) + FOOTER_BYTES
    let t = T0
    const sleeps: number[] = []
    const result = await waitForDrain(dirSampler(dir, {now: () => t}), new HhMonitor({settings: LIMITS}), {
      intervalMs: 5000,
      timeoutMs: 60_000,
      stallTimeoutMs: 30_000,
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms)
        t += ms
        if (sleeps.length === 2) drainSegment(join(dir, '4', '12', '1'), size)
      },
    })
    expect(result).toMatchObject({outcome: 'drained', samples: 3, waitedMs: 10_000})
    expect(result.snapshot!.queues[0].analysis.verdict).toBe('drained')
    expect(result.verdict.outcome).toMatchObject({verdict: 'ok', exitCode: 0})
    expect(sleeps).toEqual([5000, 5000])
  })

  it('returns stalled when a queue makes no progress for the stall timeout, timeout when the time is up first', async () => {
    const dir = tempDir('medic-wait-')
    writeQueue(dir, '4', '12', [{blocks: [points(100)]}])
    let t = T0
    const opts = {now: () => t, sleep: async (ms: number) => void (t += ms)}
    // retry-max-interval 10s: stalled after 10s + 10s for an attempt, and the wait gives up 20s later.
    const monitor = new HhMonitor({settings: {...LIMITS, retryMaxIntervalMs: 10_000}})
    const stalled = await waitForDrain(dirSampler(dir, {now: () => t}), monitor, {intervalMs: 5000, timeoutMs: 120_000, stallTimeoutMs: 40_000, ...opts})
    expect(stalled.outcome).toBe('stalled')
    expect(stalled.waitedMs).toBe(40_000)
    expect(stalled.stalled.map((q) => [q.node, q.shard, q.noDeliveryMs])).toEqual([['4', '12', 40_000]])
    expect(stalled.verdict.outcome).toMatchObject({verdict: 'critical', exitCode: 3})
    // The back-off allowed is respected: with 200s (the default), a 40s stall timeout acts only from 210s.
    t = T0
    const patient = await waitForDrain(dirSampler(dir, {now: () => t}), new HhMonitor({settings: LIMITS}), {intervalMs: 5000, timeoutMs: 600_000, stallTimeoutMs: 40_000, ...opts})
    expect(patient).toMatchObject({outcome: 'stalled', waitedMs: 210_000})
    t = T0
    const timedOut = await waitForDrain(dirSampler(dir, {now: () => t}), new HhMonitor({settings: LIMITS}), {intervalMs: 5000, timeoutMs: 12_000, stallTimeoutMs: 60_000, ...opts})
    expect(timedOut).toMatchObject({outcome: 'timeout', samples: 4, waitedMs: 12_000})
    expect(timedOut.verdict.outcome).toMatchObject({verdict: 'warning', exitCode: 3})
  })

  it('stops a scan still running at the deadline: a slow tree ends the wait at --timeout, not a whole scan later', async () => {
    const dir = tempDir('medic-wait-slow-')
    writeQueue(dir, '4', '12', Array.from({length: 1500}, () => ({blocks: ['x']})))
    // Every open takes 2 ms: one scan of this tree takes 3 s.
    const slow = {
      openSync: (p: string, f: number) => {
        const until = performance.now() + 2
        while (performance.now() < until) { /* a slow disk */ }
        return openSync(p, f)
      },
    }
    const started = performance.now()
    const r = await waitForDrain(dirSampler(dir, {scanIo: slow}), new HhMonitor({settings: LIMITS}), {intervalMs: 100, timeoutMs: 300, stallTimeoutMs: 60_000})
    expect(performance.now() - started).toBeLessThan(2000)
    expect(r).toMatchObject({outcome: 'timeout', samples: 0, snapshot: null})
    expect(r.verdict.outcome).toMatchObject({verdict: 'warning', exitCode: 3})
    expect(r.verdict.extra[0].message).toContain('before the queues could be read once')
  })

  it('sampleLoop keeps a fixed schedule and stops on the signal', async () => {
    const dir = tempDir('medic-loop-')
    let t = T0
    const ac = new AbortController()
    const sleeps: number[] = []
    const seen: number[] = []
    for await (const s of sampleLoop(dirSampler(dir, {now: () => t, acceptEmpty: true}), {
      intervalMs: 1000,
      signal: ac.signal,
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms)
        t += ms + 0 // the sample itself "takes" 300 ms below
      },
    })) {
      seen.push(s.seq)
      t += 300
      if (seen.length === 3) ac.abort()
    }
    expect(seen).toEqual([1, 2, 3])
    expect(sleeps).toEqual([700, 700])
  })
})
