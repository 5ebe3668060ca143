// The data node's hinted-handoff service on a real hh directory, delivering over the real cluster RPC to a loopback
// "owner" that can be down, refuse a block for good, or take everything.
import {existsSync, utimesSync, readdirSync} from 'node:fs'
import type {Server} from 'node:net'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {decodeBlock, encodeBlock} from '../../../../src/devcluster/data/hh/block.js'
import {HH_DISABLED, type HhSettings, HintedHandoffService, splitLines} from '../../../../src/devcluster/data/hh/service.js'
import type {Statistic} from '../../../../src/devcluster/node/stats.js'
import {isRetryable} from '../../../../src/devcluster/data/coordinator/points-writer.js'
import {RpcClient} from '../../../../src/devcluster/node/rpc/client.js'
import {decodeMessage, encodeMessage, MsgType} from '../../../../src/devcluster/node/rpc/frame.js'
import {createRpcServer} from '../../../../src/devcluster/node/rpc/server.js'
import {tempFolder} from '../../../helpers/tmp.js'
import {until} from '../../../helpers/wait.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A loopback owner: 'up' stores what it gets, 'conflict' refuses every block for good; close() makes it unreachable. */
async function owner(mode: {current: 'up' | 'conflict'} = {current: 'up'}) {
  const got: string[] = []
  const server: Server = createRpcServer(async (frame) => {
    const {header, payload} = decodeMessage<{shardId: number}>(frame.body)
    if (mode.current === 'conflict') return {type: MsgType.WriteShardResponse, body: encodeMessage({code: 1, message: `write shard ${header.shardId}: partial write: field type conflict: input field "v" on measurement "m" is type string, already exists as type float dropped=1`})}
    got.push(payload.toString())
    return {type: MsgType.WriteShardResponse, body: encodeMessage({code: 0})}
  })
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () => {
    for (const s of sockets) s.destroy()
    return new Promise((r) => server.close(r))
  }
  cleanups.push(close)
  return {addr, got, server, close}
}

function service(dir: string, addr: () => string | undefined, overrides: Partial<HhSettings> = {}, waits: number[] = []) {
  const rpc = new RpcClient()
  const logs: string[] = []
  const settings: HhSettings = {
    enabled: true, dir, maxSizeBytes: 10 * 1024 * 1024, maxAgeMs: 7 * 24 * 3_600_000, purgeIntervalMs: 0,
    retryIntervalMs: 20, retryMaxIntervalMs: 80, retryRateLimit: 0, retryConcurrency: 2, batchSize: 512_000, ...overrides,
  }
  const svc = new HintedHandoffService(settings, {
    send: async (_node, target, lp) => {
      const a = addr()
      if (a === undefined) throw new Error('dial tcp 127.0.0.1:1: connect: connection refused')
      const f = await rpc.call(a, MsgType.WriteShardRequest, encodeMessage(target, lp), {timeoutMs: 2_000})
      const {header} = decodeMessage<{code: number; message?: string}>(f.body)
      if (header.code !== 0) throw new Error(`error code ${header.code}: ${header.message}`)
    },
    isRetryable,
    sleep: (ms, signal) => {
      waits.push(ms)
      return new Promise((resolve) => {
        const t = setTimeout(resolve, ms)
        signal.addEventListener('abort', () => {
          clearTimeout(t)
          resolve()
        }, {once: true})
      })
    },
    now: Date.now,
    log: (level, m) => logs.push(`${level} ${m}`),
    active: () => true,
  })
  cleanups.push(async () => {
    await svc.close()
    rpc.close()
  })
  return {svc, logs}
}

const lp = (from: number, n: number) => Buffer.from(Array.from({length: n}, (_, i) => `m v=${from + i} ${1_700_000_000_000_000_000n + BigInt(from + i)}\n`).join(''))
const stat = (all: Statistic[], name: string) => all.filter((s) => s.name === name)

describe('hinted-handoff service', () => {
  it('queues for an unreachable owner in Enterprise\'s layout, then drains in order once it is back', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    let addr: string | undefined
    const {svc} = service(t.dir, () => addr)
    await svc.open()
    expect(svc.backlog(2, 7)).toBe(false)
    for (let i = 0; i < 5; i++) await svc.enqueue(2, {db: 'db0', rp: 'autogen', shardId: 7}, lp(i * 10, 10), 10)
    expect(svc.backlog(2, 7)).toBe(true)
    expect(existsSync(join(t.dir, '2', '7'))).toBe(true)
    await until('a failed send is counted', async () => stat(await svc.statistics(), 'hh_processor')[0].values.writeNodeReqFail as number > 0)
    const o = await owner()
    addr = o.addr
    svc.poke(2)
    await until('the queue drains', () => !svc.backlog(2, 7), 10_000)
    expect(o.got.join('')).toBe(Array.from({length: 5}, (_, i) => lp(i * 10, 10).toString()).join(''))
    const p = stat(await svc.statistics(), 'hh_processor')[0]
    expect(p.tags).toEqual({node: '2', path: join(t.dir, '2', '7')})
    // One request carries several blocks (up to batch-size bytes), as far as the queue has them in memory.
    expect(p.values.writeNodeReq).toBeGreaterThanOrEqual(1)
    expect(p.values.writeNodeReq).toBeLessThanOrEqual(5)
    expect(p.values.writeNodeReqPoints).toBe(50)
    expect(p.values.writeShardReqPoints).toBe(50)
    // bytesWritten = bytes appended; bytesRead = bytes read and delivered: equal once drained
    expect(p.values.bytesRead).toBe(p.values.bytesWritten)
    expect(p.values.queueBytes).toBe(0)
    expect(stat(await svc.statistics(), 'hh_database')[0].tags).toEqual({db: 'db0', node: '2'})
    expect(stat(await svc.statistics(), 'hh_node')[0].values.queueTotalSize).toBeGreaterThan(0)
  })

  it('backs off: the wait doubles after each failure up to retry-max-interval', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    const waits: number[] = []
    const {svc} = service(t.dir, () => undefined, {}, waits)
    await svc.open()
    await svc.enqueue(3, {db: 'db0', rp: 'autogen', shardId: 1}, lp(0, 1), 1)
    await until('five attempts', () => waits.length >= 6, 10_000)
    expect(waits.slice(0, 6)).toEqual([20, 40, 80, 80, 80, 80])
  })

  it('drops a block the owner can never take and moves on', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    const mode = {current: 'conflict' as 'up' | 'conflict'}
    const o = await owner(mode)
    const {svc, logs} = service(t.dir, () => o.addr)
    await svc.open()
    await svc.enqueue(2, {db: 'db0', rp: 'autogen', shardId: 4}, lp(0, 3), 3)
    await until('the block dropped', () => !svc.backlog(2, 4), 10_000)
    const p = stat(await svc.statistics(), 'hh_processor')[0]
    expect(p.values.writeDropped).toBe(1)
    expect(p.values.writeNodeReqFail).toBe(0)
    expect(logs.some((l) => l.includes('dropping write for node 2 shard 4') && l.includes('field type conflict'))).toBe(true)
  })

  it('refuses past max-size with queue is full, and when disabled', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    const {svc} = service(t.dir, () => undefined, {maxSizeBytes: 4096})
    await svc.open()
    await svc.enqueue(2, {db: 'db0', rp: 'autogen', shardId: 1}, lp(0, 20), 20)
    await expect(svc.enqueue(2, {db: 'db0', rp: 'autogen', shardId: 1}, lp(0, 200), 200)).rejects.toThrow('queue is full')
    expect(stat(await svc.statistics(), 'hh_processor')[0].values.writeDropped).toBe(1)
    const off = service(tempFolder().dir, () => undefined, {enabled: false})
    await expect(off.svc.enqueue(2, {db: 'db0', rp: 'autogen', shardId: 1}, lp(0, 1), 1)).rejects.toThrow(HH_DISABLED)
  })

  it('keeps its queues across a restart and drains them after', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    const first = service(t.dir, () => undefined)
    await first.svc.open()
    await first.svc.enqueue(5, {db: 'db0', rp: 'autogen', shardId: 9}, lp(0, 4), 4)
    await first.svc.close()
    const o = await owner()
    const again = service(t.dir, () => o.addr)
    await again.svc.open()
    expect(again.svc.backlog(5, 9)).toBe(true)
    await until('drained after restart', () => !again.svc.backlog(5, 9), 10_000)
    expect(o.got.join('')).toBe(lp(0, 4).toString())
  })

  it('purges segments older than max-age, and deletes the queues of a removed node', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    const {svc, logs} = service(t.dir, () => undefined, {maxAgeMs: 60_000, purgeIntervalMs: 30, retryIntervalMs: 60_000, segmentBytes: undefined} as Partial<HhSettings>)
    await svc.open()
    await svc.enqueue(6, {db: 'db0', rp: 'autogen', shardId: 2}, lp(0, 5), 5)
    await svc.enqueue(6, {db: 'db0', rp: 'autogen', shardId: 3}, lp(0, 5), 5)
    const old = new Date(Date.now() - 3_600_000)
    const segDir = join(t.dir, '6', '2')
    for (const f of readdirSync(segDir)) utimesSync(join(segDir, f), old, old)
    await until('the old data purged', () => logs.some((l) => l.includes('older than max-age') && l.includes('node 6 shard 2')), 10_000)
    await svc.removeNode(6)
    expect(existsSync(join(t.dir, '6'))).toBe(false)
    expect(svc.backlog(6, 3)).toBe(false)
  })

  it('bytesWritten counts the bytes appended, bytesRead only those read and delivered: per queue, summed per database', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    let addr: string | undefined
    const {svc} = service(t.dir, () => addr)
    await svc.open()
    const s7 = {db: 'db0', rp: 'autogen', shardId: 7}
    const s8 = {db: 'db0', rp: 'autogen', shardId: 8}
    await svc.enqueue(2, s7, lp(0, 10), 10)
    await svc.enqueue(2, s7, lp(10, 5), 5)
    await svc.enqueue(2, s8, lp(100, 3), 3)
    const size = (n: number, from: number) => encodeBlock('db0', 'autogen', n, lp(from, n)).length
    const appended = {7: size(10, 0) + size(5, 10), 8: size(3, 100)}
    const perQueue = async () => new Map(stat(await svc.statistics(), 'hh_processor').map((p) => [p.tags.path, p.values] as const))
    const path = (shard: number) => join(t.dir, '2', String(shard))
    // The owner is unreachable: blocks are read from the queue and sent, none is delivered.
    await until('failed sends on both queues', async () => [...(await perQueue()).values()].every((v) => (v.writeNodeReqFail as number) >= 2), 10_000)
    let q = await perQueue()
    expect(q.get(path(7))).toMatchObject({bytesWritten: appended[7], bytesRead: 0, writeNodeReq: 0, writeShardReq: 2, writeShardReqPoints: 15})
    expect(q.get(path(8))).toMatchObject({bytesWritten: appended[8], bytesRead: 0, writeNodeReq: 0, writeShardReq: 1, writeShardReqPoints: 3})
    // Back: every block delivered, each counted once in bytesRead.
    const mode = {current: 'up' as 'up' | 'conflict'}
    const o = await owner(mode)
    addr = o.addr
    await until('both queues drained', () => !svc.backlog(2, 7) && !svc.backlog(2, 8), 10_000)
    q = await perQueue()
    expect(q.get(path(7))).toMatchObject({bytesWritten: appended[7], bytesRead: appended[7], writeNodeReqPoints: 15, queueBytes: 0})
    // Both blocks of queue 7 go in one request when both are in memory when it is sent (batch-size), else in two.
    expect([1, 2]).toContain(q.get(path(7))!.writeNodeReq)
    expect(q.get(path(8))).toMatchObject({bytesWritten: appended[8], bytesRead: appended[8], writeNodeReq: 1, writeNodeReqPoints: 3, queueBytes: 0})
    // A block the owner refuses for good is appended and read, but never delivered: bytesWritten only.
    mode.current = 'conflict'
    await svc.enqueue(2, s7, lp(20, 2), 2)
    await until('the refused block dropped', async () => (await perQueue()).get(path(7))!.writeDropped === 1, 10_000)
    q = await perQueue()
    expect(q.get(path(7))).toMatchObject({bytesWritten: appended[7] + size(2, 20), bytesRead: appended[7], writeDropped: 1})
    // hh_database sums the queues of one database and destination; hh counts what the service was asked to queue.
    const all = await svc.statistics()
    expect(stat(all, 'hh_database')).toEqual([{name: 'hh_database', tags: {db: 'db0', node: '2'}, values: expect.objectContaining({
      bytesWritten: appended[7] + size(2, 20) + appended[8], bytesRead: appended[7] + appended[8], writeNodeReq: q.get(path(7))!.writeNodeReq as number + 1,
      writeNodeReqPoints: 18, writeDropped: 1,
    })}])
    expect(stat(all, 'hh')[0].values).toEqual({writeShardReq: 4, writeShardReqPoints: 20})
  })

  it('gives a drained queue\'s disk back, so writes refused with queue is full are taken again once the owner is back', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    let addr: string | undefined
    const {svc} = service(t.dir, () => addr, {maxSizeBytes: 4096})
    await svc.open()
    const target = {db: 'db0', rp: 'autogen', shardId: 3}
    let refused: Error | undefined
    for (let i = 0; i < 20 && refused === undefined; i++) await svc.enqueue(2, target, lp(i * 20, 20), 20).catch((err: Error) => (refused = err))
    expect(refused?.message).toBe('queue is full')
    const o = await owner()
    addr = o.addr
    await until('drained', () => !svc.backlog(2, 3), 10_000)
    // The queue's only segment is replaced by an empty one: hh_node.queueTotalSize, what max-size is checked against,
    // falls back to a footer's 8 bytes.
    await until('the disk given back', async () => stat(await svc.statistics(), 'hh_node')[0].values.queueTotalSize === 8, 10_000)
    addr = undefined
    await expect(svc.enqueue(2, target, lp(1000, 20), 20)).resolves.toBeUndefined()
  })

  it('sends the blocks of many small writes together, up to batch-size bytes per request, in order', async () => {
    const t = tempFolder()
    cleanups.push(t.remove)
    let addr: string | undefined
    // A block of 10 lines of lp() is about 300 bytes with its header: two fit in a request of 700 bytes, three do not.
    const {svc} = service(t.dir, () => addr, {batchSize: 700})
    await svc.open()
    const target = {db: 'db0', rp: 'autogen', shardId: 7}
    for (let i = 0; i < 5; i++) await svc.enqueue(2, target, lp(i * 10, 10), 10)
    await svc.enqueue(2, target, lp(50, 30), 30) // split into blocks of at most 700 bytes of points: sent one by one
    const o = await owner()
    addr = o.addr
    svc.poke(2)
    await until('the queue drains', () => !svc.backlog(2, 7), 10_000)
    expect(o.got.join('')).toBe(lp(0, 80).toString())
    // Which blocks share a request depends on which were in memory when it was built (a failed attempt before the
    // owner listened may have read fewer): the invariants are the order, the size limit, and that blocks were grouped.
    expect(o.got.map((g) => g.split('\n').length - 1).reduce((a, b) => a + b, 0)).toBe(80)
    for (const g of o.got) expect(Buffer.byteLength(g)).toBeLessThanOrEqual(700)
    expect(o.got.length).toBeLessThan(6)
    const p = stat(await svc.statistics(), 'hh_processor')[0]
    expect(p.values).toMatchObject({writeShardReq: 6, writeShardReqPoints: 80, writeNodeReq: o.got.length, writeNodeReqPoints: 80})
    expect(p.values.bytesRead).toBe(p.values.bytesWritten)
  })

  it('splits big writes into blocks of at most batch-size bytes on line boundaries', () => {
    const all = lp(0, 100)
    const parts = splitLines(all, 100, 500)
    expect(Buffer.concat(parts.map((p) => p.bytes)).equals(all)).toBe(true)
    expect(parts.reduce((n, p) => n + p.count, 0)).toBe(100)
    for (const p of parts) expect(p.bytes.length).toBeLessThanOrEqual(500)
    expect(splitLines(all, 100, 0)).toHaveLength(1)
    const b = encodeBlock('db0', 'autogen', 3, Buffer.from('a v=1 1\n'))
    expect(decodeBlock(b)).toEqual({db: 'db0', rp: 'autogen', count: 3, points: Buffer.from('a v=1 1\n')})
    expect(decodeBlock(Buffer.from('garbage'))).toBeUndefined()
  })
})
