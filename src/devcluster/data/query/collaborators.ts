/**
 * What the query executor needs from the rest of a data node, declared here (where it is used) as narrow
 * interfaces. The meta views map one to one onto the meta store's records (devcluster/meta/state.ts: DatabaseInfo,
 * RetentionPolicyInfo, ShardGroupInfo, UserInfo), whose durations and times are in milliseconds; continuous queries
 * are an addition the meta store does not keep yet.
 */
import type {ShardReader} from '../store/types.js'
import type {ShardPartial, ShardQuery} from './shard-types.js'

export interface ShardView {
  id: number
  /** Data node ids, in placement order. */
  owners: readonly number[]
}

export interface ShardGroupView {
  id: number
  /** Inclusive start, exclusive end, Unix ms. */
  start: number
  end: number
  /** Set when the group was deleted (it no longer takes part in queries). */
  deletedAt?: number
  shards: readonly ShardView[]
}

export interface RetentionPolicyView {
  name: string
  /** ms; 0 = infinite. */
  duration: number
  shardGroupDuration: number
  replicaN: number
  default: boolean
  shardGroups: readonly ShardGroupView[]
}

export interface ContinuousQueryView {
  name: string
  /** The statement text as stored (influxd stores the normalized CREATE CONTINUOUS QUERY statement). */
  query: string
}

export interface DatabaseView {
  name: string
  retentionPolicies: readonly RetentionPolicyView[]
  continuousQueries?: readonly ContinuousQueryView[]
}

export interface UserView {
  name: string
  admin: boolean
  /** Database -> privilege names ("READ", "WRITE", "ALL"). */
  permissions: Readonly<Record<string, readonly string[]>>
}

/** The node's current copy of the meta store. */
export interface MetaView {
  databases(): readonly DatabaseView[]
  users(): readonly UserView[]
}

/** A retention policy as asked for: durations in ms, 0 = infinite / derived; absent = influxd's default. */
export interface RetentionPolicySpec {
  name?: string
  duration?: number
  shardGroupDuration?: number
  replicaN?: number
}

export type PrivilegeName = 'READ' | 'WRITE' | 'ALL' | 'NO PRIVILEGES'

/**
 * Changes to the meta store. Each resolves once the change is applied, or rejects with an Error whose message is the
 * text influxd would show for it (e.g. "retention policy already exists", "user not found").
 */
export interface MetaCommands {
  createDatabase(name: string, rp?: RetentionPolicySpec): Promise<void>
  dropDatabase(name: string): Promise<void>
  createRetentionPolicy(database: string, rp: RetentionPolicySpec & {name: string}, makeDefault: boolean): Promise<void>
  updateRetentionPolicy(database: string, name: string, update: RetentionPolicySpec, makeDefault: boolean): Promise<void>
  dropRetentionPolicy(database: string, name: string): Promise<void>
  createUser(name: string, password: string, admin: boolean): Promise<void>
  dropUser(name: string): Promise<void>
  setPassword(name: string, password: string): Promise<void>
  setPrivilege(user: string, database: string, privilege: PrivilegeName): Promise<void>
  setAdmin(user: string, admin: boolean): Promise<void>
  createContinuousQuery(database: string, name: string, query: string): Promise<void>
  dropContinuousQuery(database: string, name: string): Promise<void>
}

/** What DROP MEASUREMENT, DROP SERIES and DELETE ask of every data node (the node broadcasts it as Enterprise does). */
export interface DeleteRequest {
  database: string
  /** Measurements by name or regex (Go syntax); absent = all. */
  measurements?: Array<{name: string} | {regex: string}>
  /** Tag condition (JSON expression, see wire.ts); absent = every series. */
  condition?: unknown
  /** DELETE only: inclusive ns bounds as decimal strings; absent = all time. */
  start?: string
  end?: string
  /** DROP MEASUREMENT and DROP SERIES remove the series themselves; DELETE removes points (and series left empty). */
  dropSeries: boolean
}

export interface DataCommands {
  delete(request: DeleteRequest): Promise<void>
}

/** Runs a shard query on another data node (over the cluster RPC); rejects with that node's error. */
export type RemoteShards = (nodeId: number, request: ShardQuery) => Promise<ShardPartial>

/** The shards this node holds. */
export interface LocalShards {
  reader(id: number): ShardReader | undefined
}

/** One statistic as SHOW STATS prints it (also what /debug/vars exposes). */
export interface Statistic {
  name: string
  tags: Readonly<Record<string, string>>
  values: Readonly<Record<string, number | bigint | string | boolean>>
}

export interface Monitor {
  statistics(): readonly Statistic[]
  /** Module -> columns and rows (SHOW DIAGNOSTICS). */
  diagnostics(): ReadonlyMap<string, {columns: readonly string[]; rows: ReadonlyArray<ReadonlyArray<number | bigint | string | boolean | null>>}>
}

/** A point to write (SELECT ... INTO). Fields: float (number), integer (bigint), string, boolean. */
export interface IntoPoint {
  measurement: string
  tags: Readonly<Record<string, string>>
  fields: Readonly<Record<string, number | bigint | string | boolean>>
  time: bigint
}

export interface PointsWriter {
  write(database: string, retentionPolicy: string, points: readonly IntoPoint[]): Promise<void>
}
