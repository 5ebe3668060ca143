// The coordinator's outcome table (data-nodes.md §1.8-1.10): per consistency level and owner behaviour, the answer a
// client gets, what goes to hinted handoff, and the backlog rule. Remote owners answer over the real cluster RPC on
// loopback ports; the local store and the hinted-handoff queue are small in-test stand-ins whose behaviour each case
// sets (the real ones are tested on their own and together in the data-node end-to-end tests).
import type {Server} from 'node:net'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Consistency, PointsWriter, newWriteStats, SHARD_WRITER_TIMEOUT_MS, WriteError, type ShardGroupView, type ShardTarget} from '../../../../src/devcluster/data/coordinator/points-writer.js'
import {RpcClient} from '../../../../src/devcluster/node/rpc/client.js'
import {decodeMessage, encodeMessage, MsgType} from '../../../../src/devcluster/node/rpc/frame.js'
import {createRpcServer} from '../../../../src/devcluster/node/rpc/server.js'
import {until} from '../../../helpers/wait.js'

type Behaviour = 'ok' | 'down' | 'conflict' | 'hang'
interface P {key: string; time: bigint}

const NOW = 1_700_000_000_000n * 1_000_000n
const pts = (n: number): P[] => Array.from({length: n}, (_, i) => ({key: `cpu,host=h${i}`, time: NOW - BigInt(i) * 1_000_000_000n}))

// Three remote "data nodes" (ids 2, 3, 4) on loopback; node 1 is this coordinator.
const behaviour = new Map<number, Behaviour>()
const servers: Server[] = []
const addrs = new Map<number, string>()
const rpc = new RpcClient()

beforeAll(async () => {
  for (const id of [2, 3, 4]) {
    const server = createRpcServer(async (frame) => {
      const {header} = decodeMessage<{shardId: number}>(frame.body)
      const b = behaviour.get(id) ?? 'ok'
      if (b === 'hang') await new Promise(() => {})
      const message = b === 'conflict' ? `write shard ${header.shardId}: partial write: field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float dropped=1` : ''
      return {type: MsgType.WriteShardResponse, body: encodeMessage({code: b === 'conflict' ? 1 : 0, message})}
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    servers.push(server)
    addrs.set(id, `127.0.0.1:${(server.address() as AddressInfo).port}`)
  }
})
afterAll(async () => {
  rpc.close()
  for (const s of servers) await new Promise((r) => s.close(r))
})

function setup(owners: number[], remote: Partial<Record<number, Behaviour>>, options: {local?: Behaviour; hhFull?: boolean; backlog?: number[]; allowOutOfOrder?: boolean; shardWriterMs?: number; writeTimeoutMs?: number} = {}) {
  behaviour.clear()
  for (const [id, b] of Object.entries(remote)) behaviour.set(Number(id), b as Behaviour)
  const queued: Array<{node: number; shard: number; n: number}> = []
  const localWrites: number[] = []
  const errors: string[] = []
  const group: ShardGroupView = {id: 1, start: Number(NOW / 1_000_000n) - 3_600_000, end: Number(NOW / 1_000_000n) + 3_600_000, shards: [{id: 7, owners}]}
  const stats = newWriteStats()
  const writer = new PointsWriter<P>({
    nodeId: () => 1,
    meta: {
      retentionPolicy: (db, rp) => (db === 'db0' ? {name: rp ?? 'autogen', duration: 0, shardGroups: [group]} : `database not found: "${db}"`),
      createShardGroup: async () => group,
    },
    owners: {
      local: async (_t: ShardTarget, points) => {
        if (options.local === 'hang') await new Promise(() => {})
        if (options.local === 'conflict') throw new Error('partial write: field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float dropped=1')
        localWrites.push(points.length)
      },
      remote: async (node, t, points) => {
        if (behaviour.get(node) === 'down') throw new Error(`dial tcp 127.0.0.1:1: connect: connection refused`)
        const f = await rpc.call(addrs.get(node) as string, MsgType.WriteShardRequest, encodeMessage({shardId: t.shardId}, Buffer.from(points.map((p) => p.key).join('\n'))), {timeoutMs: options.shardWriterMs ?? 5_000})
        const {header} = decodeMessage<{code: number; message: string}>(f.body)
        if (header.code !== 0) throw new Error(`error code ${header.code}: ${header.message}`)
      },
    },
    hh: {
      backlog: (node) => (options.backlog ?? []).includes(node),
      enqueue: async (node, t, points) => {
        if (options.hhFull) throw new Error('queue is full')
        queued.push({node, shard: t.shardId, n: points.length})
      },
    },
    hash: () => 0n,
    writeTimeoutMs: options.writeTimeoutMs ?? 300,
    allowOutOfOrder: options.allowOutOfOrder,
    nowNs: () => NOW,
    onOwnerError: (shard, node, err) => errors.push(`write failed for shard ${shard} on node ${node}: ${err.message}`),
    stats,
  })
  const run = (c: Consistency, n = 3) => writer.write('db0', undefined, pts(n), c).then(() => 'ok', (e: WriteError) => `${e.status} ${e.message}`)
  return {run, queued, localWrites, errors, stats}
}

describe('the coordinator write path', () => {
  it.each<[Consistency, Partial<Record<number, Behaviour>>, string]>([
    ['one', {2: 'ok'}, 'ok'],
    ['all', {2: 'ok'}, 'ok'],
    ['one', {2: 'down'}, 'ok'], // the local owner acknowledged
    ['quorum', {2: 'down'}, '500 partial write'], // 2 owners: quorum is 2, one wrote
    ['all', {2: 'down'}, '500 partial write'],
    ['any', {2: 'down'}, 'ok'],
  ])('owners [local, 2]: %s with node 2 %j -> %s', async (c, remote, expected) => {
    const t = setup([1, 2], remote)
    expect(await t.run(c)).toBe(expected)
  })

  it('queues a failed owner\'s points in hinted handoff and logs one line per failed owner', async () => {
    const t = setup([1, 2, 3], {2: 'down', 3: 'ok'})
    expect(await t.run('quorum')).toBe('ok')
    await until('the straggler queued', () => t.queued.length > 0) // stragglers finish after the answer
    expect(t.queued).toEqual([{node: 2, shard: 7, n: 3}])
    expect(t.errors).toEqual(['write failed for shard 7 on node 2: dial tcp 127.0.0.1:1: connect: connection refused'])
  })

  it('answers write failed with the first owner error when no owner wrote', async () => {
    const t = setup([2, 3], {2: 'down', 3: 'down'})
    expect(await t.run('one')).toBe('500 write failed: dial tcp 127.0.0.1:1: connect: connection refused')
    expect(t.queued.map((q) => q.node).sort()).toEqual([2, 3])
    expect(t.stats.writeError).toBe(1)
  })

  it('counts a queued write as the acknowledgement for consistency any', async () => {
    const t = setup([2, 3], {2: 'down', 3: 'down'})
    expect(await t.run('any')).toBe('ok')
  })

  it('does not queue what can never succeed: a field type conflict reaches the client as influxd words it (400)', async () => {
    const t = setup([2], {2: 'conflict'})
    expect(await t.run('one')).toBe('500 write failed: error code 1: write shard 7: partial write: field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float dropped=1')
    expect(t.queued).toEqual([])
    const local = setup([1], {}, {local: 'conflict'})
    expect(await local.run('one')).toBe('400 partial write: field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float dropped=1')
    // This node and a remote owner both refuse: this node's own error decides, whichever answered first.
    for (let i = 0; i < 5; i++) {
      const both = setup([1, 2], {2: 'conflict'}, {local: 'conflict'})
      expect(await both.run('all')).toBe('400 partial write: field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float dropped=1')
    }
  })

  it('answers timeout after write-timeout when too few owners answer', async () => {
    const t = setup([2, 3], {2: 'hang', 3: 'hang'})
    expect(await t.run('one')).toBe('500 timeout')
    expect(t.stats.writeTimeout).toBe(1)
  })

  it('a hung owner fails at the shard writer\'s timeout when that is shorter than write-timeout: partial write for all, its points queued', async () => {
    // Enterprise's defaults: the internal shard writer timeout (5s) is below write-timeout (10s); here 150 ms and 300 ms.
    expect(SHARD_WRITER_TIMEOUT_MS).toBe(5_000)
    const t = setup([1, 2], {2: 'hang'}, {shardWriterMs: 150})
    expect(await t.run('all')).toBe('500 partial write')
    expect(t.stats.writeTimeout).toBe(0)
    expect(t.queued).toEqual([{node: 2, shard: 7, n: 3}])
    expect(t.errors).toEqual([expect.stringMatching(/^write failed for shard 7 on node 2: read message type: read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: i\/o timeout$/)])
    // An owner alone (consistency one, both owners remote and hung): the first owner's error, as the bodies seen from
    // Enterprise read.
    const both = setup([2, 3], {2: 'hang', 3: 'hang'}, {shardWriterMs: 150})
    expect(await both.run('one')).toMatch(/^500 write failed: read message type: read tcp \S+: i\/o timeout$/)
  })

  it('a write-timeout shorter than the shard writer\'s timeout: timeout at write-timeout, the owner\'s later failure still queued', async () => {
    // An operator's small write-timeout (below the internal 5s): not every owner answered in time, so `timeout`
    // whatever the level (enterprise-1x.md §4.3), and the straggler goes to hinted handoff when it fails.
    for (const c of ['all', 'quorum'] as const) {
      const t = setup([1, 2], {2: 'hang'}, {shardWriterMs: 300, writeTimeoutMs: 120})
      const started = performance.now()
      expect(await t.run(c)).toBe('500 timeout')
      const took = performance.now() - started
      expect(took).toBeGreaterThanOrEqual(110)
      expect(took).toBeLessThan(290)
      expect(t.stats.writeTimeout).toBe(1)
      await until('the straggler to fail and be queued', () => t.queued.length === 1, 5_000)
      expect(t.queued).toEqual([{node: 2, shard: 7, n: 3}])
      expect(t.errors).toEqual([expect.stringMatching(/^write failed for shard 7 on node 2: read message type: read tcp \S+: i\/o timeout$/)])
    }
    // consistency one: the local owner is enough, at once.
    const one = setup([1, 2], {2: 'hang'}, {shardWriterMs: 300, writeTimeoutMs: 120})
    expect(await one.run('one')).toBe('ok')
  })

  it('sends writes for an owner with a backlog straight to its queue (hinted handoff queue not empty)', async () => {
    const t = setup([2, 3], {2: 'ok', 3: 'ok'}, {backlog: [2, 3]})
    expect(await t.run('one')).toBe('500 write failed: hinted handoff queue not empty')
    expect(t.queued.map((q) => q.node).sort()).toEqual([2, 3])
    const any = setup([2], {2: 'ok'}, {backlog: [2]})
    expect(await any.run('any')).toBe('ok')
    const ooo = setup([2], {2: 'ok'}, {backlog: [2], allowOutOfOrder: true})
    expect(await ooo.run('one')).toBe('ok')
    expect(ooo.queued).toEqual([])
  })

  it('reports a full queue as the owner\'s result', async () => {
    const t = setup([2], {2: 'down'}, {hhFull: true})
    expect(await t.run('one')).toBe('500 write failed: queue is full')
    const any = setup([2], {2: 'down'}, {hhFull: true})
    expect(await any.run('any')).toBe('500 write failed: queue is full')
  })

  it('names a missing database, and drops points beyond retention with a partial write', async () => {
    const t = setup([1], {})
    const writer = t
    expect(await writer.run('one')).toBe('ok')
    const bad = new PointsWriter<P>({
      nodeId: () => 1, hash: () => 0n, writeTimeoutMs: 100, nowNs: () => NOW,
      meta: {retentionPolicy: () => ({name: 'rp1h', duration: 3_600_000, shardGroups: [{id: 1, start: Number(NOW / 1_000_000n) - 3_600_000, end: Number(NOW / 1_000_000n) + 1, shards: [{id: 3, owners: [1]}]}]}), createShardGroup: async () => { throw new Error('no') }},
      owners: {local: async () => {}, remote: async () => {}},
      hh: {backlog: () => false, enqueue: async () => {}},
    })
    const old = [{key: 'cpu', time: NOW}, {key: 'cpu', time: NOW - 2n * 3_600_000_000_000n}]
    await expect(bad.write('db0', undefined, old, 'one')).rejects.toThrow('partial write: points beyond retention policy dropped=1')
    const missing = await new PointsWriter<P>({
      nodeId: () => 1, hash: () => 0n, writeTimeoutMs: 100,
      meta: {retentionPolicy: (db) => `database not found: "${db}"`, createShardGroup: async () => { throw new Error('no') }},
      owners: {local: async () => {}, remote: async () => {}}, hh: {backlog: () => false, enqueue: async () => {}},
    }).write('nope', undefined, pts(1), 'one').catch((e: WriteError) => `${e.status} ${e.message}`)
    expect(missing).toBe('404 database not found: "nope"')
    // An unknown retention policy is a 500, as influxd 1.6.7 and Enterprise's API docs answer it.
    const noRp = await new PointsWriter<P>({
      nodeId: () => 1, hash: () => 0n, writeTimeoutMs: 100,
      meta: {retentionPolicy: (_db, rp) => `retention policy not found: ${rp ?? ''}`, createShardGroup: async () => { throw new Error('no') }},
      owners: {local: async () => {}, remote: async () => {}}, hh: {backlog: () => false, enqueue: async () => {}},
    }).write('db0', 'nope', pts(1), 'one').catch((e: WriteError) => `${e.status} ${e.message}`)
    expect(noRp).toBe('500 retention policy not found: nope')
  })
})
