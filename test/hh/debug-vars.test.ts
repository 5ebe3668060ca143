// Reading data nodes' /debug/vars: every entry of a body shaped as a real node's (repeated bare keys included), the
// counters read the right way round (bytesRead = delivered, bytesWritten = appended, writeNodeReqFail = failed
// sends), restarts, and answers that are not a data node's (a meta node, a proxy, an open-source node). Real loopback
// servers; the dev cluster's own meta node for "a meta node". Plus a fuzz of the reader, with a linear-time check.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {readJsonEntries} from '../../src/hh/debug-vars.js'
import {HhMonitor} from '../../src/hh/monitor.js'
import {httpSampler, observationsFromDebugVars} from '../../src/hh/sampler.js'
import {closeHttp} from '../../src/probe/http.js'
import {parseDebugVarsEntries} from '../../src/wire/schemas.js'
import {FakeCluster, joinedCluster} from '../helpers/cluster.js'
import {expectLinear, fuzz, mutate, randomText, Rng} from '../helpers/fuzz.js'
import {startNode, stopNodes} from '../devcluster/meta/harness.js'
import {FakeDataNode} from './debug-vars-body.js'

const T0 = Date.parse('2026-11-21T10:00:00Z')
const S = 1000
const MB = 1_000_000
const LIMITS = {maxSizeBytes: 10 * 1024 ** 3, maxAgeMs: 168 * 3_600_000}

const servers: Server[] = []
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}
/** A loopback data node serving `node`'s /debug/vars (and its version header). */
function serveNode(node: FakeDataNode, version = '1.9.8-c1.9.8'): Promise<string> {
  return serve((req, res) => {
    if (req.url !== '/debug/vars') {
      res.writeHead(404, {'content-type': 'text/plain'})
      return res.end('404 page not found\n')
    }
    res.writeHead(200, {'content-type': 'application/json', 'x-influxdb-version': version})
    res.end(node.body())
  })
}
const fc = new FakeCluster()
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
  await fc.close()
  await stopNodes()
})
afterAll(closeHttp)

describe('readJsonEntries', () => {
  it('keeps every entry in document order, repeated keys included, and names the repeated keys', () => {
    const r = readJsonEntries('\ufeff {"a": 1, "hh_node": {"x": [1, {"y": "}"}]}, "hh_node" : {"x": 2}, "b": "s\\"}", "hh_node": null, "c": -1.5e3, "d": true} \n')
    expect(r).toEqual({
      ok: true,
      entries: [
        {key: 'a', value: 1},
        {key: 'hh_node', value: {x: [1, {y: '}'}]}},
        {key: 'hh_node', value: {x: 2}},
        {key: 'b', value: 's"}'},
        {key: 'hh_node', value: null},
        {key: 'c', value: -1500},
        {key: 'd', value: true},
      ],
      duplicates: [{key: 'hh_node', count: 3}],
    })
    expect(readJsonEntries('{}')).toEqual({ok: true, entries: [], duplicates: []})
  })

  it('refuses what is not one JSON object, with a reason and never an exception', () => {
    for (const bad of ['', '   ', '[1,2]', '{"a":1', '{"a":}', '{"a" 1}', '{a:1}', '{"a":1,}', '{"a":1}{"b":2}', '{"a":[1,2}', '{"a":"x', '{"a":tru}', '<html>', 'null']) {
      const r = readJsonEntries(bad)
      expect(r.ok, bad).toBe(false)
    }
    // Nesting is limited (the top-level object counts as one level) without recursion.
    expect(readJsonEntries(`{"a":${'['.repeat(63)}${']'.repeat(63)}}`).ok).toBe(true)
    const deep = readJsonEntries(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)
    expect(deep).toMatchObject({ok: false, reason: expect.stringContaining('nests deeper than 64 levels')})
  })

  it('reads a real-shaped body where JSON.parse loses all but the last hh_node', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 5000)
    node.append('5', '12', 700)
    node.append('6', '13', 300)
    const text = node.body()
    expect((JSON.parse(text) as {hh_node: {tags: {node: string}}}).hh_node.tags.node).toBe('6')
    const r = readJsonEntries(text)
    if (!r.ok) throw new Error(r.reason)
    expect(r.entries.filter((e) => e.key === 'hh_node').map((e) => (e.value as {tags: {node: string}}).tags.node)).toEqual(['4', '5', '6'])
    const vars = await parseDebugVarsEntries(r.entries.map((e) => [e.key, e.value] as const))
    expect(vars.hhNodes).toHaveLength(3)
    expect(vars.hhDatabases).toHaveLength(3)
    const obs = observationsFromDebugVars(vars, 'data-1:8086')
    expect(obs.nodes.map((n) => [n.node, n.diskBytes])).toEqual([['4', 5008], ['5', 708], ['6', 308]])
    expect(obs.unchecked).toBe(0)
  })
})

describe('the counters, read as Enterprise means them', () => {
  /** Samples `urls` every 5 s of fake time, calling `step` before each sample; returns the monitor's last snapshot. */
  async function watch(urls: string[], samples: number, step: (i: number) => void, settings: Partial<typeof LIMITS & {retryMaxIntervalMs: number}> = {}) {
    let t = T0
    const sampler = httpSampler(urls, {now: () => t, http: {timeoutMs: 5000}})
    const monitor = new HhMonitor({settings: {...LIMITS, ...settings}})
    let snap
    for (let i = 0; i < samples; i++) {
      step(i)
      snap = monitor.add(await sampler.sample())
      t += 5 * S
    }
    return snap!
  }

  it('a queue draining at 1 MB/s with no new writes is draining (bytesRead is the delivery), not stalled', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 500 * MB)
    const url = await serveNode(node)
    const snap = await watch([url], 6, (i) => i > 0 && node.deliver('4', '12', 5 * MB))
    const q = snap.queues[0]
    expect(q.analysis.verdict).toBe('draining')
    expect(q.analysis.sentRate).toBeCloseTo(MB, -3)
    expect(q.analysis.netRate).toBeCloseTo(-MB, -3)
    expect(q.analysis.ingestRate).toBeCloseTo(0, -3)
    expect(q.progress).toMatchObject({deliveredBytes: 25 * MB, counted: true, pendingAtStart: 500 * MB})
  })

  it('a queue whose destination is down while writes keep arriving is retrying, then stalled; never "growing, delivering"', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 10 * MB)
    const url = await serveNode(node)
    const step = (i: number) => {
      if (i === 0) return
      node.append('4', '12', MB)
      node.fail('4', '12')
    }
    const early = await watch([url], 4, step, {retryMaxIntervalMs: 10 * S})
    expect(early.queues[0].analysis.verdict).toBe('retrying')
    expect(early.queues[0].analysis.retry).toMatchObject({failedSends: 3})
    expect(early.queues[0].analysis.reason).toContain('3 sends failed')
    expect(early.queues[0].analysis.sentRate).toBe(0)
    const late = await watch([url], 6, step, {retryMaxIntervalMs: 10 * S})
    expect(late.queues[0].analysis.verdict).toBe('stalled')
    expect(late.queues[0].analysis.ingestRate).toBeGreaterThan(0)
  })

  it('counters that reset when the node restarts are still read as deliveries', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 100 * MB)
    const url = await serveNode(node)
    const snap = await watch([url], 6, (i) => {
      if (i === 3) node.restart()
      if (i > 0) node.deliver('4', '12', 2 * MB)
    })
    const q = snap.queues[0]
    expect(q.analysis).toMatchObject({verdict: 'draining', counterResets: 1})
    expect(q.progress.deliveredBytes).toBe(10 * MB)
    expect(snap.sources[0].version).toBe('1.9.8-c1.9.8')
  })

  it('judges max-size for every destination node of a repeated hh_node key, not only the last', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 4000) // hh_node 4: queueTotalSize 4008
    node.append('5', '12', 10)
    const url = await serveNode(node)
    const snap = await watch([url], 1, () => {}, {maxSizeBytes: 4008})
    expect(snap.nodes.map((n) => [n.node, n.diskBytes, n.analysis.verdict])).toEqual([['4', 4008, 'blocked'], ['5', 18, 'unknown']])
  })

  it('a queue without queueBytes, a queue of an unknown node and a statistic of the wrong shape are unchecked, never empty', async () => {
    const entries: Array<readonly [string, unknown]> = [
      ['hh:/hh', {name: 'hh', tags: {path: '/hh'}, values: {}}],
      ['hh_processor:/hh/4/12', {name: 'hh_processor', tags: {node: '4', path: '/hh/4/12'}, values: {bytesRead: 5}}],
      ['hh_processor:/hh/x', {name: 'hh_processor', tags: {node: 'x;rm -rf /', path: '/hh/x'}, values: {queueBytes: 0}}],
      ['hh_processor:/hh/7/1', {name: 'hh_processor', tags: {node: '7', path: '/hh/7/1'}, values: {queueBytes: 'lots'}}],
      ['hh_node', {name: 'hh_node', tags: {node: '\u001b[2J'}, values: {queueTotalSize: 1}}],
      // A queue's entry under another name is not dropped quietly either.
      ['hh_processor:/hh/9/9', {name: 'shard', tags: {node: '9', path: '/hh/9/9'}, values: {queueBytes: 5}}],
    ]
    const obs = observationsFromDebugVars(await parseDebugVarsEntries(entries), 'n')
    expect(obs.unchecked).toBe(4)
    expect(obs.queues).toEqual([expect.objectContaining({node: '4', shard: '12', badSegments: 1})])
    expect(obs.findings.map((f) => [f.severity, f.code])).toEqual([
      ['unknown', 'debug-vars-no-queue-bytes'], ['unknown', 'debug-vars-unknown-queue'], ['unknown', 'debug-vars-entry-skipped'], ['unknown', 'debug-vars-entry-skipped'], ['unknown', 'debug-vars-unknown-queue'],
    ])
  })
})

describe('hh_database', () => {
  it('a destination only hh_database shows with queued bytes is judged from its databases, never left out as drained', async () => {
    const entries: Array<readonly [string, unknown]> = [
      ['hh:/hh', {name: 'hh', tags: {path: '/hh'}, values: {writeShardReq: 3}}],
      ['hh_processor:/hh/4/12', {name: 'hh_processor', tags: {node: '4', path: '/hh/4/12'}, values: {queueBytes: 0, bytesRead: 10, bytesWritten: 10}}],
      // Node 4 has its hh_processor: its hh_database entry adds nothing.
      ['hh_database', {name: 'hh_database', tags: {db: 'telegraf', node: '4'}, values: {queueBytes: 0, bytesRead: 10, bytesWritten: 10}}],
      // Node 5 has none: 5,000 bytes queued for two databases, sends failing.
      ['hh_database', {name: 'hh_database', tags: {db: 'telegraf', node: '5'}, values: {queueBytes: 3000, bytesRead: 0, bytesWritten: 3000, writeNodeReqFail: 2}}],
      ['hh_database', {name: 'hh_database', tags: {db: 'app', node: '5'}, values: {queueBytes: 2000, bytesRead: 0, bytesWritten: 2000, writeNodeReqFail: 1}}],
      // Node 6: nothing queued, nothing ever appended: no queue to show.
      ['hh_database', {name: 'hh_database', tags: {db: 'app', node: '6'}, values: {queueBytes: 0, bytesRead: 0, bytesWritten: 0}}],
    ]
    const body = `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}}\n`
    const r = readJsonEntries(body)
    if (!r.ok) throw new Error(r.reason)
    const obs = observationsFromDebugVars(await parseDebugVarsEntries(r.entries.map((e) => [e.key, e.value] as const)), 'data-1:8086')
    expect(obs.queues.map((q) => [q.node, q.shard, q.pendingBytes, q.appendedBytes, q.failedSends])).toEqual([['4', '12', 0, 10, null], ['5', null, 5000, 5000, 3]])
    expect(obs.nodes.find((n) => n.node === '5')).toMatchObject({pendingBytes: 5000})
    expect(obs.findings).toEqual([expect.objectContaining({severity: 'info', code: 'debug-vars-queue-from-databases', node: '5', message: expect.stringContaining('"telegraf", "app"')})])
    expect(obs.unchecked).toBe(0)
    // The monitor sees node 5's queue: not empty, so `hh wait` cannot call the cluster drained.
    const url = await serve((_req, res) => res.writeHead(200, {'content-type': 'application/json'}).end(body))
    const snap = new HhMonitor({settings: LIMITS}).add(await httpSampler([url], {now: () => T0, http: {timeoutMs: 5000}}).sample())
    expect(snap.nodes.find((n) => n.node === '5')).toMatchObject({pendingBytes: 5000})
    expect(snap.queues.map((q) => q.node)).toEqual(['4', '5'])
  })
})

describe('answers that are not a data node', () => {
  it('recognises the dev cluster\'s meta node and says what to run instead', async () => {
    const meta = await startNode()
    const s = await httpSampler([meta.addr], {http: {timeoutMs: 3000}, command: 'watch'}).sample()
    expect(s.sources[0]).toMatchObject({ok: false, error: {code: 'meta-node-not-data-node'}})
    expect(s.sources[0].error!.message).toContain(`${meta.addr} is a meta node, not a data node`)
    expect(s.sources[0].error!.suggestions.join('\n')).toContain(`medic ctl show --meta ${meta.addr}`)
  })

  it('suggests the data nodes a joined meta node lists', async () => {
    const cluster = await joinedCluster(fc, 1, 2)
    const s = await httpSampler([cluster.metas[0].addr], {http: {timeoutMs: 3000}, command: 'wait'}).sample()
    expect(s.sources[0].error).toMatchObject({code: 'meta-node-not-data-node'})
    expect(s.sources[0].error!.suggestions[0]).toBe(`watch the data nodes it knows: medic hh wait --url ${cluster.datas[0].addr} --url ${cluster.datas[1].addr} --meta ${cluster.metas[0].addr}`)
  })

  it('names a 404, a redirect, an HTML page, missing credentials and an open-source node for what they are', async () => {
    const url = await serve((req, res) => {
      const path = req.url!
      if (path.startsWith('/nf')) return void res.writeHead(404).end('404 page not found')
      if (path.startsWith('/redir')) return void res.writeHead(307, {location: 'http://192.0.2.1:8086/debug/vars'}).end()
      if (path.startsWith('/html')) return void res.writeHead(200, {'content-type': 'text/html'}).end('<html>proxy</html>')
      if (path.startsWith('/auth')) return void (req.headers.authorization ? res.writeHead(200).end(new FakeDataNode().body()) : res.writeHead(401, {'www-authenticate': 'Basic realm="InfluxDB"'}).end('{"error":"unable to parse authentication credentials"}'))
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({cmdline: ['influxd'], memstats: {}, write: {name: 'write', tags: null, values: {}}}))
    })
    const code = async (path: string, auth?: boolean) => (await httpSampler([`http://${url}/${path}`], {http: {timeoutMs: 3000, ...(auth ? {auth: {type: 'basic' as const, username: 'u', password: 'p'}} : {})}}).sample()).sources[0]
    expect((await code('nf')).error).toMatchObject({code: 'not-a-data-node'})
    const redirect = await code('redir')
    expect(redirect.error).toMatchObject({code: 'not-a-data-node', message: expect.stringContaining('HTTP 307 redirect to http://192.0.2.1:8086')})
    expect((await code('html')).error).toMatchObject({code: 'debug-vars-invalid', message: expect.stringContaining('text/html')})
    const unauth = await code('auth')
    expect(unauth.error).toMatchObject({code: 'http-auth'})
    expect(unauth.error!.suggestions[0]).toContain('--username USER --password "$PASSWORD"')
    expect((await code('auth', true))).toMatchObject({ok: true})
    expect((await code('oss')).error).toMatchObject({code: 'debug-vars-no-hh'})
  })
})

// ----------------------------------------------------------------------------------------------- fuzz

/** A random /debug/vars-like body: real entries, random entries, repeated keys, odd values. */
function randomBody(rng: Rng, entries: number): string {
  const node = new FakeDataNode()
  for (let i = 0; i < entries; i++) {
    const r = rng.next()
    if (r < 0.5) node.append(String(rng.int(1, 9)), String(rng.int(1, 40)), rng.int(0, 1e9))
    else if (r < 0.7) node.deliver(String(rng.int(1, 9)), String(rng.int(1, 40)), rng.int(0, 1e6))
    else node.fail(String(rng.int(1, 9)), String(rng.int(1, 40)))
  }
  const text = node.body()
  return rng.next() < 0.5 ? text : mutate(rng, text, 6)
}

async function readBody(text: string): Promise<void> {
  const r = readJsonEntries(text)
  if (!r.ok) {
    expect(typeof r.reason).toBe('string')
    return
  }
  const vars = await parseDebugVarsEntries(r.entries.map((e) => [e.key, e.value] as const))
  const obs = observationsFromDebugVars(vars, 'fuzz')
  for (const q of obs.queues) {
    expect(q.node).toMatch(/^\d+$/)
    expect(Number.isFinite(q.pendingBytes)).toBe(true)
  }
}

describe('fuzz: the /debug/vars reader', () => {
  it('never throws on random and mutated bodies; every queue it reports has a numeric node and a finite size', async () => {
    const inputs: string[] = []
    fuzz('debug-vars', {seed: 14, iterations: 1500, budgetMs: 3000, maxMsPerInput: 2000}, (rng, i) => (i % 3 === 0 ? randomText(rng, rng.int(0, 400)) : randomBody(rng, rng.int(0, 30))), (text) => {
      inputs.push(text)
      const r = readJsonEntries(text) // the synchronous part must not throw
      expect(typeof r.ok).toBe('boolean')
    })
    // The asynchronous part (schemas, observations) on the same inputs.
    for (const text of inputs.slice(0, 400)) await readBody(text)
  })

  it('takes time linear in the body size (valid bodies, and deep or unterminated ones)', () => {
    const rng = new Rng(3, 'linear')
    const unit = randomBody(new Rng(4, 'unit'), 40)
    expectLinear((n) => `{${Array.from({length: n}, (_, i) => `"hh_node":{"name":"hh_node","tags":{"node":"${i}"},"values":{"queueTotalSize":${i}}}`).join(',')}}`, (t) => readJsonEntries(t), 2000)
    expectLinear((n) => `{"a":${'['.repeat(n)}`, (t) => readJsonEntries(t, {maxDepth: Number.MAX_SAFE_INTEGER}), 20_000)
    expectLinear((n) => `{"a":"${'\\"'.repeat(n)}`, (t) => readJsonEntries(t), 20_000)
    expectLinear((n) => unit.repeat(n), (t) => readJsonEntries(t), 20)
    expect(rng.next()).toBeLessThan(1)
  })
})
