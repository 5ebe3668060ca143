/**
 * The meta store's shapes as they cross the network: the commands a client sends to POST /execute and the state a
 * meta node serves on its snapshot long poll (GET /?index=N). The meta node (devcluster/meta) keeps and applies them;
 * data nodes (devcluster/data) send the commands and read the state. One definition, so the two cannot drift.
 * Durations and timestamps are in milliseconds (0 durations mean infinite).
 */

/** A retention policy as asked for; missing fields take InfluxDB's defaults. */
export interface RetentionPolicySpec {
  name: string
  /** ms; 0 or absent = infinite. */
  duration?: number
  /** ms; absent = derived from the duration the way InfluxDB does (1h, 1d or 7d). */
  shardGroupDuration?: number
  replicaN?: number
}

export type MetaCommand =
  | {type: 'createMetaNode'; httpAddr: string; raftAddr: string}
  | {type: 'deleteMetaNode'; id: number}
  | {type: 'createDataNode'; tcpAddr: string; httpAddr?: string}
  | {type: 'deleteDataNode'; id: number}
  | {type: 'updateDataNode'; id: number; tcpAddr?: string; httpAddr?: string; status?: string}
  /** `autocreate` overrides the store's retention-autocreate option when `rp` is absent. */
  | {type: 'createDatabase'; name: string; rp?: RetentionPolicySpec; autocreate?: boolean}
  | {type: 'dropDatabase'; name: string}
  | {type: 'createRetentionPolicy'; db: string; rp: RetentionPolicySpec; makeDefault?: boolean}
  | {type: 'updateRetentionPolicy'; db: string; name: string; update: Partial<RetentionPolicySpec>; makeDefault?: boolean}
  | {type: 'dropRetentionPolicy'; db: string; name: string}
  /** `rp` absent or "" = the database's default policy. */
  | {type: 'createShardGroup'; db: string; rp?: string; timestamp: number}
  | {type: 'deleteShardGroup'; db: string; rp: string; id: number}
  | {type: 'createUser'; name: string; hash: string; admin?: boolean; permissions?: Record<string, string[]>}
  | {type: 'deleteUser'; name: string}
  | {type: 'setPassword'; name: string; hash: string}
  | {type: 'announce'; nodeId: number; version: string; httpAddr?: string; tcpAddr?: string}
  /** GRANT/REVOKE on a database: privilege READ, WRITE, ALL or NO PRIVILEGES. */
  | {type: 'setPrivilege'; name: string; db: string; privilege: string}
  | {type: 'setAdmin'; name: string; admin: boolean}
  | {type: 'createContinuousQuery'; db: string; name: string; query: string}
  | {type: 'dropContinuousQuery'; db: string; name: string}

export interface MetaNodeInfo {
  id: number
  /** HTTP address (host:8091). */
  addr: string
  /** Raft address (host:8089), the node's Raft id. */
  tcpAddr: string
}

export interface DataNodeInfo {
  id: number
  /** Cluster RPC address (host:8088): the data node's identity. */
  tcpAddr: string
  /** Public HTTP address (host:8086); empty until the node tells it (add-data only knows the TCP address). */
  httpAddr: string
  status: string
}

export interface ShardInfo {
  id: number
  /** Data node ids, in placement order. */
  owners: number[]
}

export interface ShardGroupInfo {
  id: number
  /** Inclusive start and exclusive end, Unix ms. */
  start: number
  end: number
  /** Set (leader time) when the group was deleted; deleted groups stay listed until a later compaction. */
  deletedAt?: number
  shards: ShardInfo[]
}

export interface RetentionPolicyInfo {
  name: string
  /** 0 = keep forever. */
  duration: number
  shardGroupDuration: number
  replicaN: number
  default: boolean
  shardGroups: ShardGroupInfo[]
}

export interface ContinuousQueryInfo {
  name: string
  /** The CREATE CONTINUOUS QUERY statement as stored. */
  query: string
}

export interface DatabaseInfo {
  name: string
  retentionPolicies: RetentionPolicyInfo[]
  /** Absent in states written before continuous queries were kept. */
  continuousQueries?: ContinuousQueryInfo[]
}

export interface UserInfo {
  name: string
  /** `scrypt$N$r$p$<salt>$<key>` (see meta/auth.ts hashPassword). Never a clear password. */
  hash: string
  admin: boolean
  /** Database name ("" = cluster-wide) -> permission names. */
  permissions: Record<string, string[]>
}

export interface Announcement {
  nodeId: number
  version: string
  /** Leader time of the announce command. */
  ts: number
}

export interface MetaState {
  /** Index of the last Raft entry applied. */
  index: number
  /** The last id handed out by the one sequence shared by meta and data nodes. */
  lastNodeId: number
  lastShardGroupId: number
  lastShardId: number
  metaNodes: MetaNodeInfo[]
  dataNodes: DataNodeInfo[]
  databases: DatabaseInfo[]
  users: UserInfo[]
  announcements: Announcement[]
}

/**
 * The state as read from a snapshot body, or what is wrong with it. The check is structural (the lists and counters a
 * reader relies on); the meta node restores its own snapshots with it as well.
 */
export function checkMetaState(v: unknown): MetaState | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object'
  const o = v as Record<string, unknown>
  for (const f of ['metaNodes', 'dataNodes', 'databases', 'users', 'announcements']) {
    if (!Array.isArray(o[f])) return `${f} is not a list`
  }
  for (const f of ['index', 'lastNodeId']) {
    const n = o[f]
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return `${f} is not a count`
  }
  return v as MetaState
}
