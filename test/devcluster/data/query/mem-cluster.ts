// A small in-memory cluster for the executor's tests: a meta store that answers like influxd's (its error texts and
// defaults), data nodes holding MemShards, writes routed to shard groups and owners, and executors whose remote
// calls go through the JSON codec (as over the cluster RPC).
import {
  type ContinuousQueryView, type DatabaseView, type DeleteRequest, type IntoPoint, type MetaCommands, type MetaView, type PrivilegeName,
  QueryExecutor, type RetentionPolicySpec, type RetentionPolicyView, type ShardGroupView, type UserView, decodePartial, encodePartial,
  runShardQuery,
} from '../../../../src/devcluster/data/query/index.js'
import type {ShardQuery} from '../../../../src/devcluster/data/query/shard-types.js'
import type {ShardReader} from '../../../../src/devcluster/data/store/types.js'
import {MemShard, type Point, seriesKey} from './mem-store.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const WEEK = 7 * DAY
const GO_ZERO_MS = -62_135_596_800_000

export function defaultShardGroupDuration(durationMs: number): number {
  if (durationMs === 0 || durationMs >= 180 * DAY) return WEEK
  if (durationMs >= 2 * DAY) return DAY
  return HOUR
}

function normalisedShardDuration(sgd: number, d: number): number {
  if (sgd === 0) return defaultShardGroupDuration(d)
  if (sgd < HOUR) return defaultShardGroupDuration(HOUR)
  return sgd
}

interface RP extends RetentionPolicyView {
  shardGroups: ShardGroupView[]
}

interface DB {
  name: string
  retentionPolicies: RP[]
  defaultRp: string
  continuousQueries: ContinuousQueryView[]
}

interface User {
  name: string
  password: string
  admin: boolean
  permissions: Record<string, string[]>
}

/** Meta store with influxd's rules and messages (services/meta: data.go, client.go, errors.go). */
export class MemMeta implements MetaView, MetaCommands {
  private readonly dbs: DB[] = []
  private readonly userList: User[] = []
  private lastGroupId = 0
  private lastShardId = 0

  constructor(private readonly dataNodes: number[]) {}

  databases(): readonly DatabaseView[] {
    return this.dbs.map((d) => ({
      name: d.name, continuousQueries: d.continuousQueries,
      retentionPolicies: d.retentionPolicies.map((rp) => ({...rp, default: rp.name === d.defaultRp})),
    }))
  }

  users(): readonly UserView[] {
    return this.userList
  }

  private db(name: string): DB | undefined {
    return this.dbs.find((d) => d.name === name)
  }

  private newRp(spec: RetentionPolicySpec): RP {
    const duration = spec.duration ?? 0
    return {
      name: spec.name ?? 'autogen', duration, replicaN: spec.replicaN ?? 1, default: false, shardGroups: [],
      shardGroupDuration: normalisedShardDuration(spec.shardGroupDuration ?? 0, duration),
    }
  }

  private addRp(db: DB, rp: RP, makeDefault: boolean): void {
    if (rp.replicaN < 1) throw new Error('replication factor must be greater than 0')
    if (rp.duration > 0 && rp.duration < rp.shardGroupDuration) throw new Error('retention policy duration must be greater than the shard duration')
    const have = db.retentionPolicies.find((r) => r.name === rp.name)
    if (have !== undefined) {
      if (have.replicaN !== rp.replicaN || have.duration !== rp.duration || have.shardGroupDuration !== rp.shardGroupDuration) throw new Error('retention policy already exists')
      if (makeDefault && db.defaultRp !== rp.name) throw new Error('retention policy conflicts with an existing policy')
      return
    }
    db.retentionPolicies.push(rp)
    if (makeDefault) db.defaultRp = rp.name
  }

  async createDatabase(name: string, spec?: RetentionPolicySpec): Promise<void> {
    if (spec === undefined) {
      if (this.db(name) !== undefined) return
      const db: DB = {name, retentionPolicies: [], defaultRp: '', continuousQueries: []}
      this.dbs.push(db)
      this.addRp(db, this.newRp({}), true)
      return
    }
    if (spec.duration !== undefined && spec.duration < HOUR && spec.duration !== 0) throw new Error('retention policy duration must be at least 1h0m0s')
    let db = this.db(name)
    if (db === undefined) {
      db = {name, retentionPolicies: [], defaultRp: '', continuousQueries: []}
      this.dbs.push(db)
    }
    const rp = this.newRp(spec)
    if (db.retentionPolicies.length === 0) {
      this.addRp(db, rp, true)
    } else {
      const have = db.retentionPolicies.find((r) => r.name === rp.name)
      if (have === undefined || have.duration !== rp.duration || have.replicaN !== rp.replicaN || have.shardGroupDuration !== rp.shardGroupDuration) {
        throw new Error('retention policy conflicts with an existing policy')
      }
    }
    if (db.defaultRp !== rp.name) throw new Error('retention policy conflicts with an existing policy')
  }

  async dropDatabase(name: string): Promise<void> {
    const i = this.dbs.findIndex((d) => d.name === name)
    if (i >= 0) this.dbs.splice(i, 1)
  }

  async createRetentionPolicy(database: string, spec: RetentionPolicySpec & {name: string}, makeDefault: boolean): Promise<void> {
    if (spec.duration !== undefined && spec.duration < HOUR && spec.duration !== 0) throw new Error('retention policy duration must be at least 1h0m0s')
    const rp = this.newRp(spec)
    if (rp.replicaN < 1) throw new Error('replication factor must be greater than 0')
    if (rp.duration > 0 && rp.duration < rp.shardGroupDuration) throw new Error('retention policy duration must be greater than the shard duration')
    const db = this.db(database)
    if (db === undefined) throw new Error(`database not found: ${database}`)
    this.addRp(db, rp, makeDefault)
  }

  async updateRetentionPolicy(database: string, name: string, u: RetentionPolicySpec, makeDefault: boolean): Promise<void> {
    const db = this.db(database)
    if (db === undefined) throw new Error(`database not found: ${database}`)
    const rp = db.retentionPolicies.find((r) => r.name === name)
    if (rp === undefined) throw new Error(`retention policy not found: ${name}`)
    if (u.duration !== undefined && u.duration < HOUR && u.duration !== 0) throw new Error('retention policy duration must be at least 1h0m0s')
    if ((u.duration !== undefined && u.duration > 0 && ((u.shardGroupDuration !== undefined && u.duration < u.shardGroupDuration) ||
      (u.shardGroupDuration === undefined && u.duration < rp.shardGroupDuration))) ||
      (u.duration === undefined && rp.duration > 0 && u.shardGroupDuration !== undefined && rp.duration < u.shardGroupDuration)) {
      throw new Error('retention policy duration must be greater than the shard duration')
    }
    if (u.duration !== undefined) rp.duration = u.duration
    if (u.replicaN !== undefined) rp.replicaN = u.replicaN
    if (u.shardGroupDuration !== undefined) rp.shardGroupDuration = normalisedShardDuration(u.shardGroupDuration, rp.duration)
    if (makeDefault) db.defaultRp = rp.name
  }

  async dropRetentionPolicy(database: string, name: string): Promise<void> {
    const db = this.db(database)
    if (db === undefined) return
    db.retentionPolicies = db.retentionPolicies.filter((r) => r.name !== name)
    if (db.defaultRp === name) db.defaultRp = ''
  }

  async createUser(name: string, password: string, admin: boolean): Promise<void> {
    const u = this.userList.find((x) => x.name === name)
    if (u !== undefined) {
      if (u.admin !== admin || u.password !== password) throw new Error('user already exists')
      return
    }
    this.userList.push({name, password, admin, permissions: {}})
  }

  async dropUser(name: string): Promise<void> {
    const i = this.userList.findIndex((x) => x.name === name)
    if (i < 0) throw new Error('user not found')
    this.userList.splice(i, 1)
  }

  async setPassword(name: string, password: string): Promise<void> {
    const u = this.userList.find((x) => x.name === name)
    if (u === undefined) throw new Error('user not found')
    u.password = password
  }

  async setPrivilege(user: string, database: string, privilege: PrivilegeName): Promise<void> {
    const u = this.userList.find((x) => x.name === user)
    if (u === undefined) throw new Error('user not found')
    if (this.db(database) === undefined) throw new Error(`database not found: ${database}`)
    u.permissions[database] = privilege === 'NO PRIVILEGES' ? [] : [privilege]
  }

  async setAdmin(user: string, admin: boolean): Promise<void> {
    const u = this.userList.find((x) => x.name === user)
    if (u === undefined) throw new Error('user not found')
    u.admin = admin
  }

  async createContinuousQuery(database: string, name: string, query: string): Promise<void> {
    const db = this.db(database)
    if (db === undefined) throw new Error(`database not found: ${database}`)
    const have = db.continuousQueries.find((c) => c.name === name)
    if (have !== undefined) {
      if (have.query !== query) throw new Error('continuous query already exists')
      return
    }
    db.continuousQueries.push({name, query})
  }

  async dropContinuousQuery(database: string, name: string): Promise<void> {
    // influxd 1.6.7's meta data drops silently when the database or the query is missing.
    const db = this.db(database)
    if (db === undefined) return
    const i = db.continuousQueries.findIndex((c) => c.name === name)
    if (i >= 0) db.continuousQueries.splice(i, 1)
  }

  /** The shard group covering `ms` (created like influxd: aligned on Go's zero time, owners rotated). */
  shardGroupFor(database: string, rpName: string | undefined, ms: number): ShardGroupView {
    const db = this.db(database)
    if (db === undefined) throw new Error(`database not found: ${database}`)
    const rp = db.retentionPolicies.find((r) => r.name === (rpName ?? db.defaultRp))
    if (rp === undefined) throw new Error(`retention policy not found: ${rpName}`)
    const have = rp.shardGroups.find((g) => g.deletedAt === undefined && g.start <= ms && ms < g.end)
    if (have !== undefined) return have
    const d = rp.shardGroupDuration
    const start = ms - ((((ms - GO_ZERO_MS) % d) + d) % d)
    const n = this.dataNodes.length
    const replicas = Math.min(rp.replicaN, n)
    const count = Math.max(1, Math.floor(n / replicas))
    const id = ++this.lastGroupId
    const shards = Array.from({length: count}, (_, i) => ({
      id: ++this.lastShardId,
      owners: Array.from({length: replicas}, (_, k) => this.dataNodes[(id + i * replicas + k) % n]),
    }))
    const g: ShardGroupView = {id, start, end: start + d, shards}
    rp.shardGroups.push(g)
    return g
  }
}

/** FNV-1a 64 of the series key, as influxd picks a shard within a group. */
function fnv1a64(s: string): bigint {
  let h = 0xcbf29ce484222325n
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b)
    h = BigInt.asUintN(64, h * 0x100000001b3n)
  }
  return h
}

export class MemCluster {
  readonly meta: MemMeta
  readonly shards = new Map<number, Map<number, MemShard>>()
  readonly deletes: DeleteRequest[] = []
  readonly written: Array<{database: string; rp: string; points: readonly IntoPoint[]}> = []
  /** Shard queries answered for other nodes (by node id), for tests of the distribution. */
  readonly remoteCalls: Array<{node: number; query: ShardQuery}> = []

  constructor(readonly nodeIds: number[] = [1]) {
    this.meta = new MemMeta(nodeIds)
    for (const id of nodeIds) this.shards.set(id, new Map())
  }

  write(database: string, rp: string | undefined, points: Point[]): void {
    for (const p of points) {
      const g = this.meta.shardGroupFor(database, rp, Number(p.time / 1_000_000n) - (p.time < 0n && p.time % 1_000_000n !== 0n ? 1 : 0))
      const shard = g.shards.length === 1 ? g.shards[0] : g.shards[Number(fnv1a64(seriesKey(p.measurement, p.tags)) % BigInt(g.shards.length))]
      for (const owner of shard.owners) {
        const node = this.shards.get(owner)!
        let s = node.get(shard.id)
        if (s === undefined) {
          s = new MemShard(shard.id)
          node.set(shard.id, s)
        }
        s.write(p)
      }
    }
  }

  readers(node: number): Map<number, ShardReader> {
    return new Map(this.shards.get(node) ?? [])
  }

  executor(nodeId: number, now: () => bigint): QueryExecutor {
    return new QueryExecutor({
      meta: this.meta,
      metaCommands: this.meta,
      nodeId,
      local: {reader: (id) => this.shards.get(nodeId)?.get(id)},
      remote: async (node, q) => {
        this.remoteCalls.push({node, query: q})
        // Through JSON both ways, as over the wire.
        const request = JSON.parse(JSON.stringify(q)) as ShardQuery
        const partial = runShardQuery(this.readers(node), request)
        return decodePartial(JSON.parse(JSON.stringify(encodePartial(partial))))
      },
      data: {delete: async (req) => void this.deletes.push(req)},
      pointsWriter: {write: async (database, rp, points) => void this.written.push({database, rp, points})},
      now,
    })
  }
}
