/**
 * The meta store of the dev cluster: the replicated state machine that the meta nodes' Raft log drives. It holds what
 * an InfluxDB Enterprise 1.x meta store holds (enterprise-1x.md §1, §2.5, §5.1): meta and data nodes numbered from one
 * shared id sequence, databases with their retention policies and shard groups, cluster users and the nodes'
 * version announcements.
 *
 * Why it looks the way it does
 * - It is pure and deterministic: every node applies the same entries and must end in the same state. Nothing here
 *   reads a clock or a random source. Each command travels in an envelope `{ts, cmd}` whose `ts` (Unix ms) the leader
 *   stamped when it proposed the command; that is the only notion of time apply() has. Password hashes are computed by
 *   the proposer (with the salt it chose) and travel inside the command, so no node hashes at apply time and no clear
 *   password ever reaches the Raft log on disk.
 * - apply() never throws: a command that is malformed or refused yields a result `{error, code}` on every node alike.
 *   A throw in one node's apply would make the nodes diverge.
 * - Creation commands are idempotent on their natural keys (a node's address, a database's name and options, the shard
 *   group covering a timestamp, a user with the same hash), because Raft gives at-least-once delivery when a client
 *   retries after a lost answer.
 * - Data nodes arrive in a later issue; their records (tcpAddr, httpAddr, status, announcements, shard owners) are
 *   here already so that the snapshot format does not have to change then.
 *
 * Units: every duration and timestamp in the state and in commands is in milliseconds (durations of 0 mean infinite).
 */
import {formatGoDurationMs} from '../../util/duration.js'
import {
  checkMetaState, type DatabaseInfo, type DataNodeInfo, type MetaNodeInfo, type MetaState, type RetentionPolicyInfo, type ShardGroupInfo,
  type ShardInfo, type UserInfo, type Announcement,
} from '../../wire/meta.js'
import type {StateMachine} from '../raft/node-api.js'
import {
  decodeEnvelope, fail, isId, isMetaError, isMs, isObj, type MetaCommand, type MetaError, type RetentionPolicySpec,
} from './commands.js'

export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
/** Shard group duration of `autogen` and of every policy of six months or more (or infinite). */
export const WEEK_MS = 7 * DAY_MS
/** The shortest retention policy duration InfluxDB 1.x accepts (also the floor for shard group durations). */
export const MIN_RETENTION_MS = HOUR_MS
/**
 * Go's time.Truncate counts from 0001-01-01T00:00:00Z (a Monday), not from the Unix epoch (a Thursday): InfluxDB's
 * 7-day shard groups therefore begin on Mondays. This is the distance between the two origins, in ms.
 */
const GO_ZERO_OFFSET_MS = 62_135_596_800_000

// ---------------------------------------------------------------------------------------------------------------
// State

export type {
  Announcement, DatabaseInfo, DataNodeInfo, MetaNodeInfo, MetaState, RetentionPolicyInfo, ShardGroupInfo, ShardInfo, UserInfo,
} from '../../wire/meta.js'

function emptyState(): MetaState {
  return {
    index: 0, lastNodeId: 0, lastShardGroupId: 0, lastShardId: 0,
    metaNodes: [], dataNodes: [], databases: [], users: [], announcements: [],
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Time helpers shared with the HTTP layer

/** InfluxDB's default shard group duration for a retention policy duration (0 = infinite). */
export function defaultShardGroupDuration(durationMs: number): number {
  if (durationMs === 0) return WEEK_MS
  if (durationMs < 2 * DAY_MS) return HOUR_MS
  if (durationMs < 180 * DAY_MS) return DAY_MS
  return WEEK_MS
}

/** The start of the shard group window holding `ts`, aligned the way Go's time.Truncate aligns it. */
export function shardGroupStart(ts: number, groupMs: number): number {
  const shifted = ts + GO_ZERO_OFFSET_MS
  const rem = ((shifted % groupMs) + groupMs) % groupMs
  return ts - rem
}


// ---------------------------------------------------------------------------------------------------------------
// Wire shapes built from the state

export interface ShowClusterBody {
  data: Array<{id: number; version: string; tcpAddr: string; httpAddr: string; httpScheme: string; status: string}>
  meta: Array<{id: number; addr: string; httpScheme: string; tcpAddr: string; version: string}>
}

/** One row of GET /show-shards (a shape of our own: Enterprise's body is undocumented; §2.1). */
export interface ShowShardsRow {
  id: number
  database: string
  'retention-policy': string
  'replica-n': number
  'shard-group-id': number
  'start-time': string
  'end-time': string
  /** Empty for infinite policies. */
  'expire-time': string
  owners: Array<{id: number; tcpAddr: string}>
}

export interface MetaStoreOptions {
  /** `[meta] retention-autocreate` (default true): create `autogen` with every database that names no policy. */
  retentionAutocreate?: boolean
}

type ApplyListener = (index: number) => void

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

// ---------------------------------------------------------------------------------------------------------------

export class MetaStore implements StateMachine {
  private s: MetaState = emptyState()
  private readonly listeners = new Set<ApplyListener>()
  private readonly autocreate: boolean

  constructor(options: MetaStoreOptions = {}) {
    this.autocreate = options.retentionAutocreate ?? true
  }

  // ----- StateMachine

  apply(data: string, index: number): unknown {
    let result: unknown
    try {
      const env = decodeEnvelope(data)
      result = typeof env === 'string' ? fail('invalid', env) : this.execute(env.ts, env.cmd)
    } catch (err) {
      // Unreachable by design; the same input fails the same way on every node, so the nodes still agree.
      result = fail('internal', `internal error: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (index > this.s.index) this.s.index = index
    this.notify()
    return result
  }

  snapshot(): string {
    return JSON.stringify(this.s)
  }

  restore(data: string): void {
    const v = checkMetaState(JSON.parse(data) as unknown)
    if (typeof v === 'string') throw new Error(`meta store snapshot is not a meta state: ${v}`)
    this.s = {...emptyState(), ...v}
    this.notify()
  }

  // ----- Reading (the HTTP layer; results are live read-only views, clone before changing them)

  get index(): number {
    return this.s.index
  }

  state(): Readonly<MetaState> {
    return this.s
  }

  /** Called after every apply() and restore(); returns the unsubscribe function. */
  onApply(listener: ApplyListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  metaNodes(): readonly MetaNodeInfo[] {
    return this.s.metaNodes
  }

  dataNodes(): readonly DataNodeInfo[] {
    return this.s.dataNodes
  }

  findMetaNode(by: {id?: number; httpAddr?: string; raftAddr?: string}): MetaNodeInfo | undefined {
    return this.s.metaNodes.find((n) => n.id === by.id || n.addr === by.httpAddr || n.tcpAddr === by.raftAddr)
  }

  findDataNode(by: {id?: number; tcpAddr?: string}): DataNodeInfo | undefined {
    return this.s.dataNodes.find((n) => n.id === by.id || n.tcpAddr === by.tcpAddr)
  }

  user(name: string): UserInfo | undefined {
    return this.s.users.find((u) => u.name === name)
  }

  users(): readonly UserInfo[] {
    return this.s.users
  }

  database(name: string): DatabaseInfo | undefined {
    return this.s.databases.find((d) => d.name === name)
  }

  /**
   * GET /show-cluster (enterprise-1x.md §2.5), keys in the documented order. A node's version is blank when it has
   * not announced within `announcementExpirationMs` of `now`.
   */
  showCluster(now: number, announcementExpirationMs: number): ShowClusterBody {
    const version = (id: number): string => {
      const a = this.s.announcements.find((x) => x.nodeId === id)
      return a !== undefined && now - a.ts <= announcementExpirationMs ? a.version : ''
    }
    return {
      data: this.s.dataNodes.map((n) => ({id: n.id, version: version(n.id), tcpAddr: n.tcpAddr, httpAddr: n.httpAddr, httpScheme: 'http', status: n.status})),
      meta: this.s.metaNodes.map((n) => ({id: n.id, addr: n.addr, httpScheme: 'http', tcpAddr: n.tcpAddr, version: version(n.id)})),
    }
  }

  /** GET /show-shards: every shard of every live shard group, without expired ones (RN 1.1.0). */
  showShards(now: number): ShowShardsRow[] {
    const rows: ShowShardsRow[] = []
    const tcp = new Map(this.s.dataNodes.map((n) => [n.id, n.tcpAddr]))
    for (const db of this.s.databases) {
      for (const rp of db.retentionPolicies) {
        for (const g of rp.shardGroups) {
          if (g.deletedAt !== undefined) continue
          const expires = rp.duration === 0 ? undefined : g.end + rp.duration
          if (expires !== undefined && expires <= now) continue
          for (const sh of g.shards) {
            rows.push({
              id: sh.id, database: db.name, 'retention-policy': rp.name, 'replica-n': rp.replicaN, 'shard-group-id': g.id,
              'start-time': new Date(g.start).toISOString().replace('.000Z', 'Z'),
              'end-time': new Date(g.end).toISOString().replace('.000Z', 'Z'),
              'expire-time': expires === undefined ? '' : new Date(expires).toISOString().replace('.000Z', 'Z'),
              owners: sh.owners.map((o) => ({id: o, tcpAddr: tcp.get(o) ?? ''})),
            })
          }
        }
      }
    }
    return rows
  }

  /**
   * The domain invariants, for tests: every message is one violation (an empty list means the state is sound).
   * Unique node ids from one sequence, unique addresses, every policy in an existing database with at most one
   * default, unique shard group and shard ids, no overlapping live shard groups within a policy, owners that exist.
   */
  checkInvariants(): string[] {
    const out: string[] = []
    const s = this.s
    const ids = new Set<number>()
    for (const n of [...s.metaNodes, ...s.dataNodes]) {
      if (ids.has(n.id)) out.push(`node id ${n.id} is used twice`)
      ids.add(n.id)
      if (!isId(n.id) || n.id > s.lastNodeId) out.push(`node id ${n.id} is outside the sequence (last ${s.lastNodeId})`)
    }
    const dup = (what: string, values: string[]) => {
      const seen = new Set<string>()
      for (const v of values) {
        if (seen.has(v)) out.push(`${what} ${v} is used twice`)
        seen.add(v)
      }
    }
    dup('meta http address', s.metaNodes.map((n) => n.addr))
    dup('meta raft address', s.metaNodes.map((n) => n.tcpAddr))
    dup('data tcp address', s.dataNodes.map((n) => n.tcpAddr))
    dup('database', s.databases.map((d) => d.name))
    dup('user', s.users.map((u) => u.name))
    const dataIds = new Set(s.dataNodes.map((n) => n.id))
    const groupIds = new Set<number>()
    const shardIds = new Set<number>()
    for (const db of s.databases) {
      dup(`retention policy in ${db.name}:`, db.retentionPolicies.map((r) => r.name))
      if (db.retentionPolicies.filter((r) => r.default).length > 1) out.push(`database ${db.name} has more than one default policy`)
      for (const rp of db.retentionPolicies) {
        const live = rp.shardGroups.filter((g) => g.deletedAt === undefined).sort((a, b) => a.start - b.start)
        for (let i = 0; i < live.length; i++) {
          if (live[i].start >= live[i].end) out.push(`shard group ${live[i].id} is empty or reversed`)
          if (i > 0 && live[i].start < live[i - 1].end) out.push(`shard groups ${live[i - 1].id} and ${live[i].id} overlap in ${db.name}.${rp.name}`)
        }
        for (const g of rp.shardGroups) {
          if (groupIds.has(g.id) || g.id > s.lastShardGroupId) out.push(`shard group id ${g.id} is reused or outside the sequence`)
          groupIds.add(g.id)
          if (g.shards.length === 0) out.push(`shard group ${g.id} has no shards`)
          for (const sh of g.shards) {
            if (shardIds.has(sh.id) || sh.id > s.lastShardId) out.push(`shard id ${sh.id} is reused or outside the sequence`)
            shardIds.add(sh.id)
            if (new Set(sh.owners).size !== sh.owners.length) out.push(`shard ${sh.id} lists an owner twice`)
            for (const o of sh.owners) if (!dataIds.has(o)) out.push(`shard ${sh.id} is owned by unknown data node ${o}`)
          }
        }
      }
    }
    for (const a of s.announcements) if (!ids.has(a.nodeId)) out.push(`announcement for unknown node ${a.nodeId}`)
    return out
  }

  // ----- Commands

  private notify(): void {
    for (const l of [...this.listeners]) {
      try {
        l(this.s.index)
      } catch {
        // A listener's failure is not the state machine's.
      }
    }
  }

  private execute(ts: number, cmd: MetaCommand): unknown {
    switch (cmd.type) {
      case 'createMetaNode': return this.createMetaNode(cmd.httpAddr, cmd.raftAddr)
      case 'deleteMetaNode': return this.deleteMetaNode(cmd.id)
      case 'createDataNode': return this.createDataNode(cmd.tcpAddr, cmd.httpAddr)
      case 'deleteDataNode': return this.deleteDataNode(cmd.id)
      case 'updateDataNode': return this.updateDataNode(cmd)
      case 'createDatabase': return this.createDatabase(cmd)
      case 'dropDatabase': return this.dropDatabase(cmd.name)
      case 'createRetentionPolicy': return this.createRetentionPolicy(cmd.db, cmd.rp, cmd.makeDefault === true)
      case 'updateRetentionPolicy': return this.updateRetentionPolicy(cmd)
      case 'dropRetentionPolicy': return this.dropRetentionPolicy(cmd.db, cmd.name)
      case 'createShardGroup': return this.createShardGroup(cmd.db, cmd.rp, cmd.timestamp)
      case 'deleteShardGroup': return this.deleteShardGroup(ts, cmd.db, cmd.rp, cmd.id)
      case 'createUser': return this.createUser(cmd)
      case 'deleteUser': return this.deleteUser(cmd.name)
      case 'setPassword': return this.setPassword(cmd.name, cmd.hash)
      case 'announce': return this.announce(ts, cmd)
      case 'setPrivilege': return this.setPrivilege(cmd.name, cmd.db, cmd.privilege)
      case 'setAdmin': return this.setAdmin(cmd.name, cmd.admin)
      case 'createContinuousQuery': return this.createContinuousQuery(cmd.db, cmd.name, cmd.query)
      case 'dropContinuousQuery': return this.dropContinuousQuery(cmd.db, cmd.name)
    }
  }

  private createMetaNode(httpAddr: string, raftAddr: string): MetaNodeInfo | MetaError {
    const byHttp = this.s.metaNodes.find((n) => n.addr === httpAddr)
    const byRaft = this.s.metaNodes.find((n) => n.tcpAddr === raftAddr)
    if (byHttp !== undefined && byHttp === byRaft) return clone(byHttp)
    if (byHttp !== undefined) return fail('conflict', `meta node ${byHttp.id} already uses ${httpAddr} (with raft address ${byHttp.tcpAddr})`)
    if (byRaft !== undefined) return fail('conflict', `meta node ${byRaft.id} already uses raft address ${raftAddr} (with ${byRaft.addr})`)
    const node: MetaNodeInfo = {id: ++this.s.lastNodeId, addr: httpAddr, tcpAddr: raftAddr}
    this.s.metaNodes.push(node)
    return clone(node)
  }

  private deleteMetaNode(id: number): MetaNodeInfo | MetaError {
    const i = this.s.metaNodes.findIndex((n) => n.id === id)
    if (i === -1) return fail('not-found', `meta node ${id} not found`)
    const [node] = this.s.metaNodes.splice(i, 1)
    this.s.announcements = this.s.announcements.filter((a) => a.nodeId !== id)
    return node
  }

  private createDataNode(tcpAddr: string, httpAddr: string | undefined): DataNodeInfo | MetaError {
    const existing = this.s.dataNodes.find((n) => n.tcpAddr === tcpAddr)
    if (existing !== undefined) {
      if (existing.httpAddr === '' && httpAddr !== undefined) existing.httpAddr = httpAddr
      return clone(existing)
    }
    const node: DataNodeInfo = {id: ++this.s.lastNodeId, tcpAddr, httpAddr: httpAddr ?? '', status: 'joined'}
    this.s.dataNodes.push(node)
    return clone(node)
  }

  private deleteDataNode(id: number): DataNodeInfo | MetaError {
    const i = this.s.dataNodes.findIndex((n) => n.id === id)
    if (i === -1) return fail('not-found', `data node ${id} not found`)
    const [node] = this.s.dataNodes.splice(i, 1)
    this.s.announcements = this.s.announcements.filter((a) => a.nodeId !== id)
    // Enterprise drops a removed node from every shard it owned; its copies are gone unless replicated elsewhere.
    for (const db of this.s.databases) {
      for (const rp of db.retentionPolicies) {
        for (const g of rp.shardGroups) for (const sh of g.shards) sh.owners = sh.owners.filter((o) => o !== id)
      }
    }
    return node
  }

  private updateDataNode(cmd: Extract<MetaCommand, {type: 'updateDataNode'}>): DataNodeInfo | MetaError {
    const node = this.s.dataNodes.find((n) => n.id === cmd.id)
    if (node === undefined) return fail('not-found', `data node ${cmd.id} not found`)
    if (cmd.tcpAddr !== undefined && cmd.tcpAddr !== node.tcpAddr) {
      const other = this.s.dataNodes.find((n) => n.tcpAddr === cmd.tcpAddr)
      if (other !== undefined) return fail('conflict', `data node ${other.id} already uses ${cmd.tcpAddr}`)
      node.tcpAddr = cmd.tcpAddr
    }
    if (cmd.httpAddr !== undefined) node.httpAddr = cmd.httpAddr
    if (cmd.status !== undefined) node.status = cmd.status
    return clone(node)
  }

  /** Validates a spec and fills InfluxDB's defaults; `replicaDefault` applies when the spec names no factor. */
  private normalisePolicy(spec: RetentionPolicySpec, replicaDefault: number): Omit<RetentionPolicyInfo, 'default' | 'shardGroups'> | MetaError {
    const duration = spec.duration ?? 0
    if (duration !== 0 && duration < MIN_RETENTION_MS) return fail('invalid', `retention policy duration must be at least ${formatGoDurationMs(MIN_RETENTION_MS)}`)
    let sgd = spec.shardGroupDuration ?? 0
    if (sgd === 0) sgd = defaultShardGroupDuration(duration)
    else if (sgd < MIN_RETENTION_MS) sgd = MIN_RETENTION_MS
    if (duration !== 0 && duration < sgd) return fail('invalid', 'retention policy duration must be greater than the shard duration')
    return {name: spec.name, duration, shardGroupDuration: sgd, replicaN: spec.replicaN ?? replicaDefault}
  }

  private dbSummary(db: DatabaseInfo): DatabaseInfo {
    return clone(db)
  }

  private createDatabase(cmd: Extract<MetaCommand, {type: 'createDatabase'}>): DatabaseInfo | MetaError {
    const existing = this.database(cmd.name)
    const spec = cmd.rp === undefined ? undefined : this.normalisePolicy(cmd.rp, 1)
    if (spec !== undefined && isMetaError(spec)) return spec
    if (existing !== undefined) {
      if (spec === undefined) return this.dbSummary(existing)
      const rp = existing.retentionPolicies.find((r) => r.name === spec.name)
      if (rp !== undefined && rp.default && rp.duration === spec.duration && rp.shardGroupDuration === spec.shardGroupDuration && rp.replicaN === spec.replicaN) {
        return this.dbSummary(existing)
      }
      return fail('conflict', 'retention policy conflicts with an existing policy')
    }
    const db: DatabaseInfo = {name: cmd.name, retentionPolicies: []}
    if (spec !== undefined) {
      db.retentionPolicies.push({...spec, default: true, shardGroups: []})
    } else if (cmd.autocreate ?? this.autocreate) {
      db.retentionPolicies.push({
        name: 'autogen', duration: 0, shardGroupDuration: WEEK_MS, replicaN: Math.max(1, this.s.dataNodes.length), default: true, shardGroups: [],
      })
    }
    this.s.databases.push(db)
    return this.dbSummary(db)
  }

  private dropDatabase(name: string): {dropped: boolean} {
    const before = this.s.databases.length
    this.s.databases = this.s.databases.filter((d) => d.name !== name)
    return {dropped: this.s.databases.length !== before}
  }

  private createRetentionPolicy(dbName: string, spec: RetentionPolicySpec, makeDefault: boolean): RetentionPolicyInfo | MetaError {
    const db = this.database(dbName)
    if (db === undefined) return fail('not-found', `database not found: ${dbName}`)
    const rp = this.normalisePolicy(spec, 1)
    if (isMetaError(rp)) return rp
    const existing = db.retentionPolicies.find((r) => r.name === rp.name)
    if (existing !== undefined) {
      const same = existing.duration === rp.duration && existing.shardGroupDuration === rp.shardGroupDuration && existing.replicaN === rp.replicaN
      if (same && (!makeDefault || existing.default)) return clone(existing)
      return fail('conflict', 'retention policy already exists')
    }
    const isDefault = makeDefault || db.retentionPolicies.length === 0
    if (isDefault) for (const r of db.retentionPolicies) r.default = false
    const info: RetentionPolicyInfo = {...rp, default: isDefault, shardGroups: []}
    db.retentionPolicies.push(info)
    return clone(info)
  }

  private updateRetentionPolicy(cmd: Extract<MetaCommand, {type: 'updateRetentionPolicy'}>): RetentionPolicyInfo | MetaError {
    const db = this.database(cmd.db)
    if (db === undefined) return fail('not-found', `database not found: ${cmd.db}`)
    const rp = db.retentionPolicies.find((r) => r.name === cmd.name)
    if (rp === undefined) return fail('not-found', `retention policy not found: ${cmd.name}`)
    const u = cmd.update
    if (u.name !== undefined && u.name !== rp.name && db.retentionPolicies.some((r) => r.name === u.name)) {
      return fail('conflict', 'retention policy already exists')
    }
    const duration = u.duration ?? rp.duration
    if (duration !== 0 && duration < MIN_RETENTION_MS) return fail('invalid', `retention policy duration must be at least ${formatGoDurationMs(MIN_RETENTION_MS)}`)
    let sgd = u.shardGroupDuration ?? rp.shardGroupDuration
    if (sgd === 0) sgd = defaultShardGroupDuration(duration)
    else if (sgd < MIN_RETENTION_MS) sgd = MIN_RETENTION_MS
    if (duration !== 0 && duration < sgd) return fail('invalid', 'retention policy duration must be greater than the shard duration')
    rp.name = u.name ?? rp.name
    rp.duration = duration
    rp.shardGroupDuration = sgd
    // A new replication factor applies to shard groups created from now on, as in InfluxDB.
    rp.replicaN = u.replicaN ?? rp.replicaN
    if (cmd.makeDefault === true) for (const r of db.retentionPolicies) r.default = r === rp
    return clone(rp)
  }

  private dropRetentionPolicy(dbName: string, name: string): {dropped: boolean} | MetaError {
    const db = this.database(dbName)
    if (db === undefined) return fail('not-found', `database not found: ${dbName}`)
    const before = db.retentionPolicies.length
    db.retentionPolicies = db.retentionPolicies.filter((r) => r.name !== name)
    return {dropped: db.retentionPolicies.length !== before}
  }

  private policy(dbName: string, rpName: string | undefined): {db: DatabaseInfo; rp: RetentionPolicyInfo} | MetaError {
    const db = this.database(dbName)
    if (db === undefined) return fail('not-found', `database not found: ${dbName}`)
    const rp = rpName === undefined || rpName === ''
      ? db.retentionPolicies.find((r) => r.default)
      : db.retentionPolicies.find((r) => r.name === rpName)
    if (rp === undefined) return fail('not-found', `retention policy not found: ${rpName || '(default)'}`)
    return {db, rp}
  }

  private createShardGroup(dbName: string, rpName: string | undefined, ts: number): ShardGroupInfo | MetaError {
    const found = this.policy(dbName, rpName)
    if (isMetaError(found)) return found
    const {rp} = found
    const live = rp.shardGroups.filter((g) => g.deletedAt === undefined)
    const covering = live.find((g) => g.start <= ts && ts < g.end)
    if (covering !== undefined) return clone(covering)
    const nodes = [...this.s.dataNodes].sort((a, b) => a.id - b.id)
    if (nodes.length === 0) return fail('invalid', 'cannot create a shard group: the cluster has no data nodes')
    // The aligned window, clipped so that it never overlaps a neighbour (a truncated group, or one made before the
    // policy's shard group duration changed).
    let start = shardGroupStart(ts, rp.shardGroupDuration)
    let end = start + rp.shardGroupDuration
    for (const g of live) {
      if (g.end <= ts && g.end > start) start = g.end
      if (g.start > ts && g.start < end) end = g.start
    }
    const replicas = Math.min(rp.replicaN, nodes.length)
    const shardCount = Math.max(1, Math.floor(nodes.length / replicas))
    const groupId = ++this.s.lastShardGroupId
    const shards: ShardInfo[] = []
    for (let i = 0; i < shardCount; i++) {
      const owners: number[] = []
      // Round robin that starts one node further for every new group, so that groups spread over the nodes.
      for (let k = 0; k < replicas; k++) owners.push(nodes[(groupId + i * replicas + k) % nodes.length].id)
      shards.push({id: ++this.s.lastShardId, owners})
    }
    const group: ShardGroupInfo = {id: groupId, start, end, shards}
    rp.shardGroups.push(group)
    return clone(group)
  }

  private deleteShardGroup(ts: number, dbName: string, rpName: string, id: number): ShardGroupInfo | MetaError {
    const found = this.policy(dbName, rpName)
    if (isMetaError(found)) return found
    const group = found.rp.shardGroups.find((g) => g.id === id)
    if (group === undefined) return fail('not-found', `shard group not found: ${id}`)
    group.deletedAt ??= ts
    return clone(group)
  }

  private createUser(cmd: Extract<MetaCommand, {type: 'createUser'}>): Omit<UserInfo, 'hash'> | MetaError {
    const existing = this.user(cmd.name)
    if (existing !== undefined) {
      if (existing.hash === cmd.hash && existing.admin === (cmd.admin ?? false)) return publicUser(existing)
      return fail('conflict', 'user already exists')
    }
    const user: UserInfo = {name: cmd.name, hash: cmd.hash, admin: cmd.admin ?? false, permissions: clone(cmd.permissions ?? {})}
    this.s.users.push(user)
    return publicUser(user)
  }

  private deleteUser(name: string): {deleted: string} | MetaError {
    const i = this.s.users.findIndex((u) => u.name === name)
    if (i === -1) return fail('not-found', 'user not found')
    this.s.users.splice(i, 1)
    return {deleted: name}
  }

  private setPassword(name: string, hash: string): Omit<UserInfo, 'hash'> | MetaError {
    const user = this.user(name)
    if (user === undefined) return fail('not-found', 'user not found')
    user.hash = hash
    return publicUser(user)
  }

  /** influxd's SetPrivilege: the user's privilege on one database replaces the one it had ("" = every database). */
  private setPrivilege(name: string, db: string, privilege: string): Omit<UserInfo, 'hash'> | MetaError {
    const user = this.user(name)
    if (user === undefined) return fail('not-found', 'user not found')
    if (db !== '' && this.database(db) === undefined) return fail('not-found', `database not found: ${db}`)
    if (privilege === 'NO PRIVILEGES') delete user.permissions[db]
    else user.permissions[db] = [privilege]
    return publicUser(user)
  }

  private setAdmin(name: string, admin: boolean): Omit<UserInfo, 'hash'> | MetaError {
    const user = this.user(name)
    if (user === undefined) return fail('not-found', 'user not found')
    user.admin = admin
    return publicUser(user)
  }

  private createContinuousQuery(dbName: string, name: string, query: string): {name: string; query: string} | MetaError {
    const db = this.database(dbName)
    if (db === undefined) return fail('not-found', `database not found: ${dbName}`)
    db.continuousQueries ??= []
    const existing = db.continuousQueries.find((q) => q.name === name)
    if (existing !== undefined) return existing.query === query ? clone(existing) : fail('conflict', 'continuous query already exists')
    const cq = {name, query}
    db.continuousQueries.push(cq)
    return clone(cq)
  }

  private dropContinuousQuery(dbName: string, name: string): {deleted: string} | MetaError {
    const db = this.database(dbName)
    if (db === undefined) return fail('not-found', `database not found: ${dbName}`)
    const i = (db.continuousQueries ?? []).findIndex((q) => q.name === name)
    if (i === -1) return fail('not-found', 'continuous query not found')
    db.continuousQueries?.splice(i, 1)
    return {deleted: name}
  }

  private announce(ts: number, cmd: Extract<MetaCommand, {type: 'announce'}>): Announcement | MetaError {
    const data = this.s.dataNodes.find((n) => n.id === cmd.nodeId)
    const meta = this.s.metaNodes.find((n) => n.id === cmd.nodeId)
    if (data === undefined && meta === undefined) return fail('not-found', 'node not found')
    if (data !== undefined) {
      // A data node tells its own addresses; the meta side only knew the TCP address given to add-data.
      if (cmd.tcpAddr !== undefined && cmd.tcpAddr !== data.tcpAddr) {
        const other = this.s.dataNodes.find((n) => n.tcpAddr === cmd.tcpAddr)
        if (other !== undefined) return fail('conflict', `data node ${other.id} already uses ${cmd.tcpAddr}`)
        data.tcpAddr = cmd.tcpAddr
      }
      if (cmd.httpAddr !== undefined) data.httpAddr = cmd.httpAddr
    }
    let a = this.s.announcements.find((x) => x.nodeId === cmd.nodeId)
    if (a === undefined) {
      a = {nodeId: cmd.nodeId, version: cmd.version, ts}
      this.s.announcements.push(a)
    } else {
      a.version = cmd.version
      a.ts = Math.max(a.ts, ts)
    }
    return clone(a)
  }
}

/** A user as the API shows it: never the hash. */
export function publicUser(u: UserInfo): Omit<UserInfo, 'hash'> {
  return {name: u.name, admin: u.admin, permissions: clone(u.permissions)}
}
