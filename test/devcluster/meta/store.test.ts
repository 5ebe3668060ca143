// The meta store on its own: the shared node id sequence, idempotent creations, shard placement, users,
// announcements, the /show-cluster shape, snapshots, and invariants plus determinism over random command sequences
// (seeded, so a failure replays exactly).
import {describe, expect, it} from 'vitest'

import {encodeCommand, isMetaError, type MetaCommand, parseCommand} from '../../../src/devcluster/meta/commands.js'
import {DAY_MS, HOUR_MS, MetaStore, shardGroupStart, WEEK_MS} from '../../../src/devcluster/meta/store.js'
import {Rng} from '../../../src/util/rng.js'
import {checkShowShards, loadSchemas} from '../../../src/wire/schemas.js'

const T0 = Date.UTC(2026, 10, 22, 1, 2, 3)

/** Applies commands with increasing indexes and a fixed leader clock; returns the results. */
class Driver {
  index = 0
  constructor(readonly store = new MetaStore(), public ts = T0) {}
  run(cmd: MetaCommand): any {
    return this.store.apply(encodeCommand(this.ts, cmd), ++this.index)
  }
}


describe('MetaStore: nodes', () => {
  it('numbers meta and data nodes from one sequence (3 meta nodes -> first data node is 4)', () => {
    const d = new Driver()
    const metas = [1, 2, 3].map((i) => d.run({type: 'createMetaNode', httpAddr: `meta-${i}:8091`, raftAddr: `meta-${i}:8089`}))
    expect(metas.map((m) => m.id)).toEqual([1, 2, 3])
    const data = d.run({type: 'createDataNode', tcpAddr: 'data-1:8088'})
    expect(data).toEqual({id: 4, tcpAddr: 'data-1:8088', httpAddr: '', status: 'joined'})
    expect(d.run({type: 'createMetaNode', httpAddr: 'meta-4:8091', raftAddr: 'meta-4:8089'}).id).toBe(5)
    expect(d.store.checkInvariants()).toEqual([])
  })

  it('returns the existing node when the same address is added again, and refuses half-matching addresses', () => {
    const d = new Driver()
    const a = d.run({type: 'createMetaNode', httpAddr: 'm1:8091', raftAddr: 'm1:8089'})
    expect(d.run({type: 'createMetaNode', httpAddr: 'm1:8091', raftAddr: 'm1:8089'})).toEqual(a)
    const conflict = d.run({type: 'createMetaNode', httpAddr: 'm1:8091', raftAddr: 'other:8089'})
    expect(conflict).toMatchObject({code: 'conflict'})
    expect(d.run({type: 'createMetaNode', httpAddr: 'other:8091', raftAddr: 'm1:8089'})).toMatchObject({code: 'conflict'})
    const dn = d.run({type: 'createDataNode', tcpAddr: 'd1:8088'})
    expect(d.run({type: 'createDataNode', tcpAddr: 'd1:8088', httpAddr: 'd1:8086'})).toEqual({...dn, httpAddr: 'd1:8086'})
    expect(d.store.metaNodes()).toHaveLength(1)
    expect(d.store.dataNodes()).toHaveLength(1)
    expect(d.store.state().lastNodeId).toBe(2)
  })

  it('deletes nodes by id (unknown ids are not-found) and drops a removed data node from shard owners', () => {
    const d = new Driver()
    d.run({type: 'createDataNode', tcpAddr: 'd1:8088'})
    d.run({type: 'createDataNode', tcpAddr: 'd2:8088'})
    d.run({type: 'createDatabase', name: 'db'})
    const g = d.run({type: 'createShardGroup', db: 'db', timestamp: T0})
    expect(g.shards).toHaveLength(1)
    expect([...g.shards[0].owners].sort()).toEqual([1, 2])
    expect(d.run({type: 'deleteDataNode', id: 9})).toEqual({error: 'data node 9 not found', code: 'not-found'})
    expect(d.run({type: 'deleteMetaNode', id: 1})).toMatchObject({code: 'not-found'})
    expect(d.run({type: 'deleteDataNode', id: 1})).toMatchObject({id: 1})
    expect(d.store.database('db')!.retentionPolicies[0].shardGroups[0].shards[0].owners).toEqual([2])
    expect(d.store.checkInvariants()).toEqual([])
  })

  it('updates a data node but refuses to move it onto another node\'s address', () => {
    const d = new Driver()
    d.run({type: 'createDataNode', tcpAddr: 'd1:8088'})
    d.run({type: 'createDataNode', tcpAddr: 'd2:8088'})
    expect(d.run({type: 'updateDataNode', id: 1, tcpAddr: 'd2:8088'})).toMatchObject({code: 'conflict'})
    expect(d.run({type: 'updateDataNode', id: 1, tcpAddr: 'd3:8088', httpAddr: 'd3:8086'})).toMatchObject({id: 1, tcpAddr: 'd3:8088', httpAddr: 'd3:8086'})
    expect(d.run({type: 'updateDataNode', id: 7, status: 'x'})).toMatchObject({code: 'not-found'})
  })
})

describe('MetaStore: databases and retention policies', () => {
  it('creates autogen (infinite, 7d groups, RF = number of data nodes, at least 1)', () => {
    const d = new Driver()
    const empty = d.run({type: 'createDatabase', name: 'a'})
    expect(empty.retentionPolicies).toEqual([{name: 'autogen', duration: 0, shardGroupDuration: WEEK_MS, replicaN: 1, default: true, shardGroups: []}])
    for (const i of [1, 2, 3]) d.run({type: 'createDataNode', tcpAddr: `d${i}:8088`})
    expect(d.run({type: 'createDatabase', name: 'b'}).retentionPolicies[0].replicaN).toBe(3)
    expect(d.run({type: 'createDatabase', name: 'c', autocreate: false}).retentionPolicies).toEqual([])
    const off = new Driver(new MetaStore({retentionAutocreate: false}))
    expect(off.run({type: 'createDatabase', name: 'x'}).retentionPolicies).toEqual([])
  })

  it('is idempotent when the options match and refuses different ones', () => {
    const d = new Driver()
    const rp = {name: 'week', duration: 7 * DAY_MS, replicaN: 1}
    const first = d.run({type: 'createDatabase', name: 'db', rp})
    expect(first.retentionPolicies[0]).toMatchObject({name: 'week', shardGroupDuration: DAY_MS, default: true})
    expect(d.run({type: 'createDatabase', name: 'db', rp})).toEqual(first)
    expect(d.run({type: 'createDatabase', name: 'db'})).toEqual(first)
    expect(d.run({type: 'createDatabase', name: 'db', rp: {...rp, replicaN: 2}})).toEqual({error: 'retention policy conflicts with an existing policy', code: 'conflict'})
    expect(d.run({type: 'createDatabase', name: 'db', rp: {name: 'other'}})).toMatchObject({code: 'conflict'})
    expect(d.run({type: 'dropDatabase', name: 'db'})).toEqual({dropped: true})
    expect(d.run({type: 'dropDatabase', name: 'db'})).toEqual({dropped: false})
  })

  it('validates and defaults retention policies the way InfluxDB does', () => {
    const d = new Driver()
    d.run({type: 'createDatabase', name: 'db', autocreate: false})
    expect(d.run({type: 'createRetentionPolicy', db: 'nope', rp: {name: 'x'}})).toEqual({error: 'database not found: nope', code: 'not-found'})
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'x', duration: 60_000}})).toEqual({error: 'retention policy duration must be at least 1h0m0s', code: 'invalid'})
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'x', duration: 2 * HOUR_MS, shardGroupDuration: DAY_MS}})).toMatchObject({code: 'invalid'})
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'x', replicaN: 0}})).toMatchObject({code: 'invalid', error: 'replication factor must be greater than 0'})
    // Defaults: < 2d -> 1h groups, < 180d -> 1d, otherwise 7d; a tiny group duration is raised to 1h.
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'h', duration: DAY_MS}})).toMatchObject({shardGroupDuration: HOUR_MS, default: true, replicaN: 1})
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'd', duration: 30 * DAY_MS}})).toMatchObject({shardGroupDuration: DAY_MS, default: false})
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'y', duration: 365 * DAY_MS, shardGroupDuration: 1}, makeDefault: true})).toMatchObject({shardGroupDuration: HOUR_MS, default: true})
    expect(d.store.database('db')!.retentionPolicies.filter((r) => r.default).map((r) => r.name)).toEqual(['y'])
    // Same spec again: idempotent; different: conflict.
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'd', duration: 30 * DAY_MS}})).toMatchObject({name: 'd'})
    expect(d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'd', duration: 31 * DAY_MS}})).toEqual({error: 'retention policy already exists', code: 'conflict'})
    // Update, rename, make default, drop.
    expect(d.run({type: 'updateRetentionPolicy', db: 'db', name: 'd', update: {name: 'h'}})).toMatchObject({code: 'conflict'})
    expect(d.run({type: 'updateRetentionPolicy', db: 'db', name: 'd', update: {name: 'month', replicaN: 2}, makeDefault: true})).toMatchObject({name: 'month', replicaN: 2, default: true})
    expect(d.run({type: 'updateRetentionPolicy', db: 'db', name: 'zzz', update: {}})).toMatchObject({code: 'not-found'})
    expect(d.run({type: 'dropRetentionPolicy', db: 'db', name: 'month'})).toEqual({dropped: true})
    expect(d.run({type: 'dropRetentionPolicy', db: 'db', name: 'month'})).toEqual({dropped: false})
    expect(d.store.checkInvariants()).toEqual([])
  })
})

describe('MetaStore: shard groups', () => {
  it('aligns 7-day groups on Mondays (Go truncation) and returns the group that covers a timestamp', () => {
    const d = new Driver()
    d.run({type: 'createDataNode', tcpAddr: 'd1:8088'})
    d.run({type: 'createDatabase', name: 'telegraf'})
    const ts = Date.UTC(2017, 2, 15, 12) // Wednesday
    const g = d.run({type: 'createShardGroup', db: 'telegraf', rp: 'autogen', timestamp: ts})
    expect(new Date(g.start).toISOString()).toBe('2017-03-13T00:00:00.000Z')
    expect(new Date(g.end).toISOString()).toBe('2017-03-20T00:00:00.000Z')
    expect(d.run({type: 'createShardGroup', db: 'telegraf', timestamp: Date.UTC(2017, 2, 19, 23)})).toEqual(g)
    expect(shardGroupStart(Date.UTC(2017, 2, 13), WEEK_MS)).toBe(Date.UTC(2017, 2, 13))
    expect(shardGroupStart(Date.UTC(1969, 11, 31, 5), DAY_MS)).toBe(Date.UTC(1969, 11, 31))
    expect(d.run({type: 'createShardGroup', db: 'nope', timestamp: ts})).toMatchObject({code: 'not-found'})
    expect(d.run({type: 'createShardGroup', db: 'telegraf', rp: 'nope', timestamp: ts})).toMatchObject({code: 'not-found'})
  })

  it('makes floor(N_data / RF) shards (at least 1) with distinct owners, placed round robin', () => {
    const d = new Driver()
    for (const i of [1, 2, 3, 4, 5]) d.run({type: 'createDataNode', tcpAddr: `d${i}:8088`})
    d.run({type: 'createDatabase', name: 'db', rp: {name: 'r2', replicaN: 2}})
    const groups = [0, 1, 2].map((w) => d.run({type: 'createShardGroup', db: 'db', timestamp: T0 + w * WEEK_MS}))
    for (const g of groups) {
      expect(g.shards).toHaveLength(2) // floor(5 / 2)
      for (const s of g.shards) {
        expect(s.owners).toHaveLength(2)
        expect(new Set(s.owners).size).toBe(2)
      }
    }
    // Deterministic placement: group id g, shard i, replica k -> node index (g + i*RF + k) % N over nodes by id.
    expect(groups[0].shards.map((s: any) => s.owners)).toEqual([[2, 3], [4, 5]])
    expect(groups[1].shards.map((s: any) => s.owners)).toEqual([[3, 4], [5, 1]])
    // RF above the node count: one shard on every node.
    d.run({type: 'createRetentionPolicy', db: 'db', rp: {name: 'r9', replicaN: 9}})
    const wide = d.run({type: 'createShardGroup', db: 'db', rp: 'r9', timestamp: T0})
    expect(wide.shards).toHaveLength(1)
    expect([...wide.shards[0].owners].sort()).toEqual([1, 2, 3, 4, 5])
    expect(d.store.checkInvariants()).toEqual([])
  })

  it('refuses shard groups without data nodes, and never overlaps a neighbour after the group duration changes', () => {
    const d = new Driver()
    d.run({type: 'createDatabase', name: 'db', rp: {name: 'r', duration: 0, shardGroupDuration: DAY_MS}})
    expect(d.run({type: 'createShardGroup', db: 'db', timestamp: T0})).toMatchObject({code: 'invalid'})
    d.run({type: 'createDataNode', tcpAddr: 'd1:8088'})
    const day = d.run({type: 'createShardGroup', db: 'db', timestamp: T0})
    d.run({type: 'updateRetentionPolicy', db: 'db', name: 'r', update: {shardGroupDuration: WEEK_MS}})
    const after = d.run({type: 'createShardGroup', db: 'db', timestamp: day.end + HOUR_MS})
    expect(after.start).toBe(day.end)
    const before = d.run({type: 'createShardGroup', db: 'db', timestamp: day.start - HOUR_MS})
    expect(before.end).toBe(day.start)
    expect(d.store.checkInvariants()).toEqual([])
  })

  it('marks deleted groups with the leader time and hides deleted and expired shards from show-shards', async () => {
    const d = new Driver()
    d.run({type: 'createDataNode', tcpAddr: 'd1:8088'})
    d.run({type: 'createDatabase', name: 'db', rp: {name: 'short', duration: 2 * DAY_MS}})
    const old = d.run({type: 'createShardGroup', db: 'db', timestamp: T0 - 10 * DAY_MS})
    const live = d.run({type: 'createShardGroup', db: 'db', timestamp: T0})
    const gone = d.run({type: 'createShardGroup', db: 'db', timestamp: T0 + DAY_MS})
    d.ts = T0 + 5
    expect(d.run({type: 'deleteShardGroup', db: 'db', rp: 'short', id: gone.id})).toMatchObject({deletedAt: T0 + 5})
    expect(d.run({type: 'deleteShardGroup', db: 'db', rp: 'short', id: 99})).toMatchObject({code: 'not-found'})
    const rows = d.store.showShards(T0)
    expect(rows.map((r) => r['shard-group-id'])).toEqual([live.id])
    expect(rows.map((r) => r['shard-group-id'])).not.toContain(old.id)
    expect(rows[0]).toMatchObject({database: 'db', 'retention-policy': 'short', 'replica-n': 1, owners: [{id: 1, tcpAddr: 'd1:8088'}]})
    expect(rows[0]['start-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/)
    expect((await checkShowShards(rows)).ok).toBe(true)
  })
})

describe('MetaStore: users, announcements, /show-cluster', () => {
  it('creates users idempotently by hash and never returns the hash', () => {
    const d = new Driver()
    const u = d.run({type: 'createUser', name: 'admin', hash: 'scrypt$1$1$1$a$b', admin: true})
    expect(u).toEqual({name: 'admin', admin: true, permissions: {}})
    expect(d.run({type: 'createUser', name: 'admin', hash: 'scrypt$1$1$1$a$b', admin: true})).toEqual(u)
    expect(d.run({type: 'createUser', name: 'admin', hash: 'scrypt$1$1$1$c$d'})).toEqual({error: 'user already exists', code: 'conflict'})
    expect(d.run({type: 'setPassword', name: 'admin', hash: 'scrypt$1$1$1$e$f'})).toEqual(u)
    expect(d.store.user('admin')!.hash).toBe('scrypt$1$1$1$e$f')
    expect(d.run({type: 'setPassword', name: 'nobody', hash: 'x'})).toMatchObject({code: 'not-found'})
    expect(d.run({type: 'deleteUser', name: 'admin'})).toEqual({deleted: 'admin'})
    expect(d.run({type: 'deleteUser', name: 'admin'})).toEqual({error: 'user not found', code: 'not-found'})
  })

  it('shows the cluster in the documented shape, blanking versions whose announcement expired', async () => {
    const d = new Driver()
    d.run({type: 'createMetaNode', httpAddr: 'meta-0:8091', raftAddr: 'meta-0:8089'})
    d.run({type: 'createDataNode', tcpAddr: 'data-1:8088'})
    d.ts = T0
    d.run({type: 'announce', nodeId: 1, version: '1.11.8-c1.11.8'})
    d.run({type: 'announce', nodeId: 2, version: '1.11.8-c1.11.8', httpAddr: 'data-1:8086'})
    expect(d.run({type: 'announce', nodeId: 9, version: 'x'})).toMatchObject({code: 'not-found'})
    const shown = d.store.showCluster(T0 + 30_000, 30_000)
    expect(JSON.stringify(shown)).toBe(
      '{"data":[{"id":2,"version":"1.11.8-c1.11.8","tcpAddr":"data-1:8088","httpAddr":"data-1:8086","httpScheme":"http","status":"joined"}],' +
      '"meta":[{"id":1,"addr":"meta-0:8091","httpScheme":"http","tcpAddr":"meta-0:8089","version":"1.11.8-c1.11.8"}]}',
    )
    const s = await loadSchemas()
    expect(s.showCluster.safeParse(shown).success).toBe(true)
    const stale = d.store.showCluster(T0 + 30_001, 30_000)
    expect(stale.data[0].version).toBe('')
    expect(stale.meta[0].version).toBe('')
  })
})

describe('MetaStore: apply, snapshots, determinism', () => {
  it('never throws: malformed input gives an error result and the index still advances', () => {
    const store = new MetaStore()
    const bad = ['', 'null', '{"ts":1}', '{"ts":"x","cmd":{"type":"dropDatabase","name":"a"}}', '{"ts":1,"cmd":{"type":"nope"}}',
      '{"ts":1,"cmd":{"type":"createDataNode","tcpAddr":"no-port"}}', '{"ts":1,"cmd":{"type":"createShardGroup","db":"a","timestamp":1e300}}',
      '{"ts":1,"cmd":[1,2]}', '{"ts":1,"cmd":{"type":"createUser","name":"u","hash":"h","permissions":{"db":[1]}}}']
    bad.forEach((data, i) => {
      const r = store.apply(data, i + 1)
      expect(isMetaError(r), data).toBe(true)
      expect((r as {code: string}).code).toBe('invalid')
    })
    expect(store.index).toBe(bad.length)
    expect(store.checkInvariants()).toEqual([])
  })

  it('parses commands strictly enough for the HTTP layer', () => {
    expect(parseCommand({type: 'createDataNode', tcpAddr: 'h:8088'})).toEqual({type: 'createDataNode', tcpAddr: 'h:8088'})
    expect(parseCommand({type: 'createDataNode', tcpAddr: 'h:99999'})).toBe('tcpAddr must be host:port')
    expect(parseCommand({type: 'createDataNode', tcpAddr: '[::1]:8088'})).toMatchObject({tcpAddr: '[::1]:8088'})
    expect(parseCommand({type: 'deleteDataNode', id: 1.5})).toBe('id must be a positive integer')
    expect(parseCommand('x')).toBe('command must be a JSON object')
    expect(parseCommand({type: 'createDatabase', name: 'a\u0000b'})).toBe('name must be a non-empty name')
  })

  it('round-trips snapshots and refuses garbage', () => {
    const d = new Driver()
    d.run({type: 'createMetaNode', httpAddr: 'm:8091', raftAddr: 'm:8089'})
    d.run({type: 'createDataNode', tcpAddr: 'd:8088'})
    d.run({type: 'createDatabase', name: 'db'})
    d.run({type: 'createShardGroup', db: 'db', timestamp: T0})
    const copy = new MetaStore()
    let notified = 0
    copy.onApply(() => notified++)
    copy.restore(d.store.snapshot())
    expect(notified).toBe(1)
    expect(copy.snapshot()).toBe(d.store.snapshot())
    expect(copy.index).toBe(4)
    expect(() => copy.restore('{}')).toThrow(/not a meta state/)
    expect(() => copy.restore('nope')).toThrow()
  })

  it('keeps the invariants and stays deterministic over random command sequences (seeded)', () => {
    let groupsMade = 0
    let refused = 0
    for (const seed of [1, 2, 3, 42, 1234]) {
      const rnd = new Rng(seed, 'meta-store').fn()
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
      const int = (n: number) => Math.floor(rnd() * n)
      const hosts = ['a', 'b', 'c', 'd', 'e']
      const dbs = ['db0', 'db1', 'db2']
      const rps = ['autogen', 'r1', 'r2']
      const gen = (): MetaCommand => {
        switch (int(14)) {
          case 0: { const h = pick(hosts); return {type: 'createMetaNode', httpAddr: `${h}:8091`, raftAddr: `${rnd() < 0.9 ? h : pick(hosts)}:8089`} }
          case 1: return {type: 'deleteMetaNode', id: 1 + int(12)}
          case 2: case 3: return {type: 'createDataNode', tcpAddr: `${pick(hosts)}:8088`}
          case 4: return {type: 'deleteDataNode', id: 1 + int(12)}
          case 5: return {type: 'createDatabase', name: pick(dbs)}
          case 6: return {type: 'dropDatabase', name: pick(dbs)}
          case 7: return {type: 'createRetentionPolicy', db: pick(dbs), rp: {name: pick(rps), duration: pick([0, DAY_MS, 30 * DAY_MS]), replicaN: 1 + int(3)}, makeDefault: rnd() < 0.3}
          case 8: return {type: 'updateRetentionPolicy', db: pick(dbs), name: pick(rps), update: {shardGroupDuration: pick([HOUR_MS, DAY_MS, WEEK_MS]), replicaN: 1 + int(3)}}
          case 9: return {type: 'dropRetentionPolicy', db: pick(dbs), name: pick(rps)}
          case 10: case 11: return {type: 'createShardGroup', db: pick(dbs), rp: pick([...rps, '']), timestamp: T0 + int(60) * 6 * HOUR_MS}
          case 12: return {type: 'deleteShardGroup', db: pick(dbs), rp: pick(rps), id: 1 + int(30)}
          default: return {type: 'announce', nodeId: 1 + int(12), version: '1.x'}
        }
      }
      const a = new MetaStore()
      const b = new MetaStore()
      let restored: MetaStore | undefined
      for (let i = 1; i <= 400; i++) {
        const data = encodeCommand(T0 + i, gen())
        const ra = a.apply(data, i)
        const rb = b.apply(data, i)
        expect(rb).toEqual(ra)
        if (isMetaError(ra)) refused++
        else if (data.includes('"createShardGroup"')) groupsMade++
        restored?.apply(data, i)
        const problems = a.checkInvariants()
        expect(problems, `seed ${seed}, step ${i}: ${data}`).toEqual([])
        if (i === 200) {
          restored = new MetaStore()
          restored.restore(a.snapshot())
        }
      }
      expect(b.snapshot()).toBe(a.snapshot())
      expect(restored!.snapshot()).toBe(a.snapshot())
      expect(a.state().lastNodeId).toBeGreaterThan(0)
    }
    // The sequences exercise both paths: real shard groups and refused commands.
    expect(groupsMade).toBeGreaterThan(50)
    expect(refused).toBeGreaterThan(50)
  })
})
