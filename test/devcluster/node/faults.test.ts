// The dev cluster's fault table and its runtime in a node (src/devcluster/node/fault-table.ts, faults.ts, clock.ts):
// the edits `medic dev fault` and `dev heal` make; what one node makes of a table; the decisions on a link (cut, seeded
// drops, latency with jitter that keeps the order, bandwidth pacing) under an injected clock; and, over real loopback
// sockets in this process, what the node's own clients do with a table read from a real faults.json: the cluster RPC
// client and the HTTP client fail with "no route to host" on a cut link and close what was open, the Raft transport
// loses or delays messages, a slow link adds its latency, a heal lets everything through again; the acknowledgement file
// carries the generation; the skewable clock moves Date and leaves timers alone.
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import type {AddressInfo, Server} from 'node:net'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {clockSkewMs, installSkewableClock, realNow, setClockSkew} from '../../../src/devcluster/node/clock.js'
import {
  addFault, emptyTable, FAULT_ACK_FILE, FAULT_TABLE_FILE, type Fault, type FaultTable, healFaults, parseFaultAck, parseFaultTable, viewFor,
} from '../../../src/devcluster/node/fault-table.js'
import {diskFullError, FaultRuntime, nodeFaults} from '../../../src/devcluster/node/faults.js'
import {createNodeHttpClient, NodeHttpError} from '../../../src/devcluster/node/http-client.js'
import {RpcClient, RpcError} from '../../../src/devcluster/node/rpc/client.js'
import {decodeMessage, encodeMessage, MsgType} from '../../../src/devcluster/node/rpc/frame.js'
import {createRpcServer} from '../../../src/devcluster/node/rpc/server.js'
import {listenRaftTransport, type RaftTransport} from '../../../src/devcluster/raft/transport.js'
import type {Msg} from '../../../src/devcluster/raft/types.js'
import {tempFolder} from '../../helpers/tmp.js'
import {until} from '../../helpers/wait.js'

const since = '2026-01-01T00:00:00.000Z'
const table = (faults: Fault[], nodes: Record<string, string[]> = {}, generation = 1): FaultTable => ({...emptyTable(nodes), generation, faults})

describe('the fault table', () => {
  it('a new fault of a kind takes over the directions it covers; other kinds stay', () => {
    let t = table([])
    t = table(addFault(t, {kind: 'slow', a: 'd1', b: 'd2', oneWay: false, latencyMs: 200, jitterMs: 0, seed: 1, since}))
    t = table(addFault(t, {kind: 'partition', a: 'd1', b: 'd2', oneWay: false, since}))
    // A one-way slow fault of the reverse direction leaves the first one slowing d1 -> d2 only.
    t = table(addFault(t, {kind: 'slow', a: 'd2', b: 'd1', oneWay: true, latencyMs: 50, jitterMs: 0, seed: 1, since}))
    expect(t.faults.map((f) => f.kind === 'slow' ? [f.a, f.b, f.oneWay, f.latencyMs] : [f.kind])).toEqual([
      ['d1', 'd2', true, 200], ['partition'], ['d2', 'd1', true, 50],
    ])
    // The same link again, both ways: replaces both.
    t = table(addFault(t, {kind: 'slow', a: 'd2', b: 'd1', oneWay: false, latencyMs: 10, jitterMs: 0, seed: 1, since}))
    expect(t.faults.filter((f) => f.kind === 'slow')).toHaveLength(1)
    // Node faults: one per kind and node.
    t = table(addFault(t, {kind: 'clock', node: 'd1', skewMs: 1000, since}))
    t = table(addFault(t, {kind: 'clock', node: 'd1', skewMs: -5000, since}))
    t = table(addFault(t, {kind: 'clock', node: 'd2', skewMs: 7, since}))
    expect(t.faults.filter((f) => f.kind === 'clock').map((f) => f.kind === 'clock' && [f.node, f.skewMs])).toEqual([['d1', -5000], ['d2', 7]])
  })

  it('heals a link (both directions), a node (its links, disk and clock) or everything', () => {
    const faults: Fault[] = [
      {kind: 'partition', a: 'd1', b: 'd2', oneWay: true, since},
      {kind: 'drop', a: 'm1', b: 'd1', oneWay: false, rate: 0.5, seed: 3, since},
      {kind: 'disk-full', node: 'd1', areas: ['hh'], since},
      {kind: 'clock', node: 'm1', skewMs: 1, since},
    ]
    expect(healFaults(faults, {kind: 'link', a: 'd2', b: 'd1'}).healed.map((f) => f.kind)).toEqual(['partition'])
    expect(healFaults(faults, {kind: 'node', node: 'd1'}).kept.map((f) => f.kind)).toEqual(['clock'])
    expect(healFaults(faults, {kind: 'all'}).kept).toEqual([])
  })

  it('reads back what it wrote and refuses damaged files with a reason', () => {
    const t = table([{kind: 'bandwidth', a: 'd1', b: 'd2', oneWay: false, bytesPerSecond: 1e6, since}], {d1: ['127.0.0.1:1']})
    expect(parseFaultTable(JSON.stringify(t))).toEqual(t)
    expect(parseFaultTable('{')).toMatch(/not JSON/)
    expect(parseFaultTable('[]')).toMatch(/not a fault table/)
    expect(parseFaultTable(JSON.stringify({...t, faults: [{kind: 'drop', a: 'x', b: 'y', rate: 2, seed: 1}]}))).toMatch(/rate from 0 to 1/)
    expect(parseFaultTable(JSON.stringify({...t, faults: [{kind: 'partition', a: 'x', b: 'x'}]}))).toMatch(/two different nodes/)
    expect(parseFaultTable(JSON.stringify({...t, faults: [{kind: 'flood'}]}))).toMatch(/unknown fault kind/)
    expect(parseFaultAck('{"generation":3,"pid":12,"at":"x"}')).toEqual({generation: 3, pid: 12, at: 'x'})
    expect(parseFaultAck('{"generation":"3"}')).toBeUndefined()
  })

  it("gives each node its part: what it sends and what it reads back, its disk and clock, whose address is whose", () => {
    const t = table([
      {kind: 'partition', a: 'd1', b: 'd2', oneWay: true, since},
      {kind: 'slow', a: 'd2', b: 'd1', oneWay: false, latencyMs: 100, jitterMs: 0, seed: 1, since},
      {kind: 'disk-full', node: 'd2', areas: ['hh', 'data'], since},
      {kind: 'clock', node: 'd2', skewMs: -30_000, since},
    ], {d1: ['127.0.0.1:1', 'localhost:2'], d2: ['127.0.0.1:3']})
    const d1 = viewFor(t, 'd1')
    expect(d1.links.get('d2')?.out).toMatchObject({partition: true, latencyMs: 100})
    expect(d1.links.get('d2')?.back).toMatchObject({partition: false, latencyMs: 100})
    expect(d1.diskAreas.size).toBe(0)
    const d2 = viewFor(t, 'd2')
    expect(d2.links.get('d1')?.out?.partition).toBe(false)
    expect([...d2.diskAreas]).toEqual(['hh', 'data'])
    expect(d2.skewMs).toBe(-30_000)
    expect(d2.peerOf.get('127.0.0.1:2')).toBe('d1') // localhost written as 127.0.0.1
    expect(d2.peerOf.has('127.0.0.1:3')).toBe(false) // its own address is nobody's peer
  })
})

describe('decisions on a link (injected clock)', () => {
  function runtime(faults: Fault[]): {rt: FaultRuntime; clock: {t: number}} {
    const clock = {t: 1000}
    const rt = new FaultRuntime()
    // Never started on a folder: active by hand, the table applied directly.
    rt.active = true
    ;(rt as unknown as {options: object}).options = {self: 'd1'}
    ;(rt as unknown as {now: () => number}).now = () => clock.t
    rt.apply(table(faults, {d1: ['127.0.0.1:1'], d2: ['127.0.0.1:2']}))
    return {rt, clock}
  }

  it('latency each way, jitter within bounds, and never out of order', () => {
    const {rt} = runtime([{kind: 'slow', a: 'd1', b: 'd2', oneWay: false, latencyMs: 100, jitterMs: 40, seed: 9, since}])
    const delays = Array.from({length: 200}, () => rt.sendPlan('127.0.0.1:2', 10))
    let last = 0
    for (const p of delays) {
      expect(p.kind).toBe('pass')
      const d = p.kind === 'pass' ? p.delayMs : -1
      expect(d).toBeGreaterThanOrEqual(60)
      expect(d).toBeLessThanOrEqual(140)
      expect(d).toBeGreaterThanOrEqual(last) // a later message never overtakes (the clock stood still)
      last = d
    }
    expect(rt.replyDelay('127.0.0.1:2', 10)).toBeGreaterThanOrEqual(60)
    expect(rt.sendPlan('127.0.0.1:9', 10)).toEqual({kind: 'pass', delayMs: 0}) // not a node of the table
  })

  it('the same seed gives the same drops; rate 0 drops nothing, rate 1 everything', () => {
    const pattern = (seed: number) => {
      const {rt} = runtime([{kind: 'drop', a: 'd1', b: 'd2', oneWay: false, rate: 0.3, seed, since}])
      return Array.from({length: 400}, () => rt.sendPlan('127.0.0.1:2', 1).kind === 'drop')
    }
    const a = pattern(5)
    expect(pattern(5)).toEqual(a)
    expect(pattern(6)).not.toEqual(a)
    const share = a.filter(Boolean).length / a.length
    expect(share).toBeGreaterThan(0.2)
    expect(share).toBeLessThan(0.4)
    for (const [rate, want] of [[0, 'pass'], [1, 'drop']] as const) {
      const {rt} = runtime([{kind: 'drop', a: 'd1', b: 'd2', oneWay: false, rate, seed: 1, since}])
      expect(new Set(Array.from({length: 50}, () => rt.sendPlan('127.0.0.1:2', 1).kind))).toEqual(new Set([want]))
    }
  })

  it('bandwidth paces messages one after another; one-way faults leave the other direction alone', () => {
    const {rt, clock} = runtime([{kind: 'bandwidth', a: 'd1', b: 'd2', oneWay: true, bytesPerSecond: 1000, since}])
    expect(rt.sendPlan('127.0.0.1:2', 500)).toEqual({kind: 'pass', delayMs: 500})
    expect(rt.sendPlan('127.0.0.1:2', 500)).toEqual({kind: 'pass', delayMs: 1000})
    clock.t += 2000
    expect(rt.sendPlan('127.0.0.1:2', 100)).toEqual({kind: 'pass', delayMs: 100})
    expect(rt.replyDelay('127.0.0.1:2', 1e6)).toBe(0) // d2 -> d1 is not limited
    const cut = runtime([{kind: 'partition', a: 'd2', b: 'd1', oneWay: true, since}]).rt
    expect(cut.isCut('127.0.0.1:2')).toBe(false) // d2 cannot reach d1; d1 still reaches d2
  })
})

describe('a node process reading faults.json', () => {
  const servers: Array<Server | HttpServer> = []
  const folder = tempFolder('medic-faults-')
  const clusterDir = join(folder.dir, 'cluster')
  const nodeDir = join(clusterDir, 'data-1')
  let generation = 0
  let peers: Record<string, string[]> = {}

  /** Writes faults.json as the CLI does (one rename) and waits until this process acknowledged it. */
  async function put(faults: Fault[]): Promise<void> {
    generation++
    const path = join(clusterDir, FAULT_TABLE_FILE)
    writeFileSync(`${path}.tmp`, JSON.stringify(table(faults, {'data-1': [], ...peers}, generation)))
    renameSync(`${path}.tmp`, path)
    await until(`generation ${generation} acknowledged`, () => parseFaultAck(readFileSync(join(nodeDir, FAULT_ACK_FILE), 'utf8'))?.generation === generation, 5_000, 5)
  }

  beforeAll(() => {
    mkdirSync(nodeDir, {recursive: true})
    nodeFaults.start({self: 'data-1', clusterDir, nodeDir})
  })
  afterEach(async () => {
    await put([])
  })
  afterAll(async () => {
    nodeFaults.stop()
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
    folder.remove()
  })

  async function rpcPeer(): Promise<string> {
    const server = createRpcServer(async (frame) => {
      const {header} = decodeMessage<{shardId: number}>(frame.body)
      return {type: MsgType.WriteShardResponse, body: encodeMessage({code: 0, shardId: header.shardId})}
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return `127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  const call = (rpc: RpcClient, addr: string, timeoutMs = 5_000) => rpc.call(addr, MsgType.WriteShardRequest, encodeMessage({shardId: 1}), {timeoutMs})

  it('the cluster RPC: a partition refuses new calls and closes open connections; slow adds its latency each way; heal restores', async () => {
    const addr = await rpcPeer()
    peers = {'data-2': [addr]}
    await put([])
    expect(nodeFaults.appliedGeneration()).toBe(generation)
    const rpc = new RpcClient()
    try {
      await call(rpc, addr) // a pooled connection is now open
      let closed = false
      ;(rpc as unknown as {all: Set<import('node:net').Socket>}).all.forEach((s) => s.once('close', () => (closed = true)))
      await put([{kind: 'partition', a: 'data-1', b: 'data-2', oneWay: false, since}])
      expect(closed).toBe(true)
      const err = await call(rpc, addr).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RpcError)
      expect((err as RpcError).message).toBe(`dial tcp ${addr}: connect: no route to host`)

      await put([{kind: 'slow', a: 'data-1', b: 'data-2', oneWay: false, latencyMs: 120, jitterMs: 0, seed: 1, since}])
      const t0 = performance.now()
      await call(rpc, addr)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(238) // 120 ms each way
      // A deadline shorter than the delay is a timeout, as on a slow network.
      expect(String(await call(rpc, addr, 100).catch((e: unknown) => e))).toMatch(/i\/o timeout/)

      await put([])
      const t1 = performance.now()
      await call(rpc, addr)
      expect(performance.now() - t1).toBeLessThan(1_000)
    } finally {
      rpc.close()
    }
  })

  it('the node HTTP client: a cut link fails at once, a request in flight is closed when the cut arrives', async () => {
    let hold: (() => void) | undefined
    const server = createHttpServer((req, res) => {
      if (req.url === '/hold') hold = () => res.end('late')
      else res.end('ok')
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`
    peers = {'meta-1': [addr]}
    await put([])
    const http = createNodeHttpClient({userAgent: 'test'})
    try {
      expect((await http.get(`http://${addr}/`)).text).toBe('ok')
      const inFlight = http.get(`http://${addr}/hold`, {timeoutMs: 10_000}).catch((e: unknown) => e)
      await until('the request reached the server', () => hold !== undefined)
      await put([{kind: 'partition', a: 'data-1', b: 'meta-1', oneWay: true, since}])
      const err = await inFlight
      expect(err).toBeInstanceOf(NodeHttpError)
      expect((err as NodeHttpError).code).toBe('reset')
      const refused = await http.get(`http://${addr}/`).catch((e: unknown) => e)
      expect((refused as NodeHttpError).message).toBe(`http://${addr}/: dial tcp ${addr}: connect: no route to host`)
      expect((refused as NodeHttpError).errno).toBe('EHOSTUNREACH')
      hold?.()
      await put([{kind: 'drop', a: 'data-1', b: 'meta-1', oneWay: false, rate: 0, seed: 1, since}])
      expect((await http.get(`http://${addr}/`)).text).toBe('ok')
    } finally {
      await http.close()
    }
  })

  it('the Raft transport: lost messages vanish, slow ones arrive later and in order, a cut link fails its dial', async () => {
    const open: RaftTransport[] = []
    try {
      const errors: string[] = []
      const a = await listenRaftTransport({id: 'a', bindHost: '127.0.0.1', port: 0, onError: (_p, e) => errors.push(e.message)})
      const b = await listenRaftTransport({id: 'b', bindHost: '127.0.0.1', port: 0})
      open.push(a, b)
      const got: Array<{ctx: number; at: number}> = []
      b.onMessage((m) => got.push({ctx: (m as {ctx?: number}).ctx ?? -1, at: performance.now()}))
      peers = {'meta-2': [b.address]}
      const hb = (ctx: number): Msg => ({t: 'append', term: 1, from: a.address, to: b.address, prevIndex: 0, prevTerm: 0, entries: [], commit: 0, ctx})

      await put([{kind: 'drop', a: 'data-1', b: 'meta-2', oneWay: false, rate: 1, seed: 1, since}])
      for (let i = 0; i < 20; i++) a.send(hb(i))
      await put([{kind: 'slow', a: 'data-1', b: 'meta-2', oneWay: true, latencyMs: 150, jitterMs: 100, seed: 3, since}])
      const sent = performance.now()
      for (let i = 100; i < 120; i++) a.send(hb(i))
      await until('the slow messages', () => got.length === 20, 5_000, 5)
      expect(got.map((g) => g.ctx)).toEqual(Array.from({length: 20}, (_, i) => 100 + i)) // none of the dropped ones, in order
      expect(got[0].at - sent).toBeGreaterThanOrEqual(49) // 150 ms +- 100 ms

      await put([{kind: 'partition', a: 'data-1', b: 'meta-2', oneWay: false, since}])
      a.send(hb(200))
      await until('the failed dial', () => errors.some((e) => e === `dial tcp ${b.address}: connect: no route to host`), 5_000, 5)
      expect(got).toHaveLength(20)
    } finally {
      for (const t of open) await t.close()
    }
  })

  it('disk-full gives the error a full disk gives, for the areas named only', async () => {
    expect(diskFullError('hh', '/x/hh/2/7')).toBeUndefined()
    await put([{kind: 'disk-full', node: 'data-1', areas: ['hh'], since}])
    const err = diskFullError('hh', '/x/hh/2/7')
    expect(err?.message).toBe('write /x/hh/2/7: no space left on device')
    expect(err?.code).toBe('ENOSPC')
    expect(diskFullError('data', '/x/data')).toBeUndefined()
    await put([{kind: 'disk-full', node: 'data-2', areas: ['hh', 'data'], since}]) // another node's disk
    expect(diskFullError('hh', '/x')).toBeUndefined()
  })

  it('a damaged table leaves the faults in force as they were', async () => {
    const problems: string[] = []
    const rt = new FaultRuntime()
    const dir = join(folder.dir, 'other')
    mkdirSync(join(dir, 'n'), {recursive: true})
    writeFileSync(join(dir, FAULT_TABLE_FILE), JSON.stringify(table([{kind: 'clock', node: 'n', skewMs: 5, since}], {}, 4)))
    rt.start({self: 'n', clusterDir: dir, nodeDir: join(dir, 'n'), onProblem: (m) => problems.push(m)})
    try {
      expect(rt.appliedGeneration()).toBe(4)
      writeFileSync(join(dir, FAULT_TABLE_FILE), '{"version": 1, "gener')
      rt.reload()
      expect(rt.appliedGeneration()).toBe(4)
      expect(problems.join('\n')).toMatch(/not JSON.*stay as they were/)
    } finally {
      rt.stop()
      setClockSkew(0)
    }
  })
})

describe('the skewable clock', () => {
  it('moves Date (now, new Date(), Date()) and leaves parsing, explicit times and instanceof alone', () => {
    installSkewableClock()
    try {
      setClockSkew(3_600_000)
      expect(clockSkewMs()).toBe(3_600_000)
      expect(Date.now() - realNow()).toBeGreaterThanOrEqual(3_599_000)
      expect(new Date().getTime() - realNow()).toBeGreaterThanOrEqual(3_599_000)
      expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z')
      expect(Date.UTC(2020, 0, 1)).toBe(1577836800000)
      expect(Date.parse('2020-01-01T00:00:00Z')).toBe(1577836800000)
      expect(new Date() instanceof Date).toBe(true)
      expect(typeof Date()).toBe('string')
      setClockSkew(-60_000)
      expect(realNow() - Date.now()).toBeGreaterThanOrEqual(59_000)
    } finally {
      setClockSkew(0)
    }
  })
})
