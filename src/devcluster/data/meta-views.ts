/**
 * The data node's meta client seen through the narrow interfaces its parts declare: the query executor's MetaView
 * and MetaCommands, the coordinator's WriterMeta, the HTTP API's user lookups. Reads come from the node's copy of
 * the meta store; changes go to the meta leader (MetaClient.execute) and resolve once the copy has them.
 */
import type {MetaCommand, RetentionPolicySpec as WireSpec} from '../../wire/meta.js'
import type {RetentionPolicyView as WriterPolicy, ShardGroupView as WriterGroup, WriterMeta} from './coordinator/points-writer.js'
import type {HttpUser} from './http/deps.js'
import type {MetaClient} from './meta-client.js'
import type {DatabaseView, MetaCommands, MetaView, PrivilegeName, RetentionPolicySpec, UserView} from './query/index.js'

function spec(name: string, s: RetentionPolicySpec): WireSpec {
  const out: WireSpec = {name}
  if (s.duration !== undefined) out.duration = s.duration
  if (s.shardGroupDuration !== undefined && s.shardGroupDuration !== 0) out.shardGroupDuration = s.shardGroupDuration
  if (s.replicaN !== undefined) out.replicaN = s.replicaN
  return out
}

export class MetaViews implements MetaView, MetaCommands, WriterMeta {
  constructor(private readonly client: MetaClient) {}

  // ----- reads

  databases(): readonly DatabaseView[] {
    return this.client.state()?.databases ?? []
  }

  users(): readonly UserView[] {
    return this.client.state()?.users ?? []
  }

  user(name: string): HttpUser | undefined {
    return this.client.state()?.users.find((u) => u.name === name)
  }

  userCount(): number {
    return this.client.state()?.users.length ?? 0
  }

  hasDatabase(name: string): boolean {
    return this.databases().some((d) => d.name === name)
  }

  /** The cluster RPC address of a data node. */
  tcpAddr(nodeId: number): string | undefined {
    return this.client.state()?.dataNodes.find((n) => n.id === nodeId)?.tcpAddr
  }

  dataNodeIds(): number[] {
    return (this.client.state()?.dataNodes ?? []).map((n) => n.id)
  }

  // ----- WriterMeta

  retentionPolicy(db: string, rp: string | undefined): WriterPolicy | string {
    const d = this.client.state()?.databases.find((x) => x.name === db)
    if (d === undefined) return `database not found: "${db}"`
    const p = rp === undefined || rp === '' ? d.retentionPolicies.find((r) => r.default) : d.retentionPolicies.find((r) => r.name === rp)
    if (p === undefined) return `retention policy not found: ${rp ?? ''}`
    return p
  }

  async createShardGroup(db: string, rp: string, timeMs: number): Promise<WriterGroup> {
    return (await this.client.execute({type: 'createShardGroup', db, rp, timestamp: timeMs})) as WriterGroup
  }

  // ----- MetaCommands

  private async run(cmd: MetaCommand | Record<string, unknown>): Promise<void> {
    await this.client.execute(cmd as MetaCommand)
  }

  createDatabase(name: string, rp?: RetentionPolicySpec): Promise<void> {
    return this.run({type: 'createDatabase', name, ...(rp !== undefined ? {rp: spec(rp.name ?? 'autogen', rp)} : {})})
  }

  dropDatabase(name: string): Promise<void> {
    return this.run({type: 'dropDatabase', name})
  }

  createRetentionPolicy(database: string, rp: RetentionPolicySpec & {name: string}, makeDefault: boolean): Promise<void> {
    return this.run({type: 'createRetentionPolicy', db: database, rp: spec(rp.name, rp), makeDefault})
  }

  updateRetentionPolicy(database: string, name: string, update: RetentionPolicySpec, makeDefault: boolean): Promise<void> {
    const u: Partial<WireSpec> = {}
    if (update.name !== undefined) u.name = update.name
    if (update.duration !== undefined) u.duration = update.duration
    if (update.shardGroupDuration !== undefined) u.shardGroupDuration = update.shardGroupDuration
    if (update.replicaN !== undefined) u.replicaN = update.replicaN
    return this.run({type: 'updateRetentionPolicy', db: database, name, update: u, makeDefault})
  }

  dropRetentionPolicy(database: string, name: string): Promise<void> {
    return this.run({type: 'dropRetentionPolicy', db: database, name})
  }

  createUser(name: string, password: string, admin: boolean): Promise<void> {
    // The meta node hashes the password; only the hash reaches its Raft log.
    return this.run({type: 'createUser', name, password, admin} as Record<string, unknown>)
  }

  dropUser(name: string): Promise<void> {
    return this.run({type: 'deleteUser', name})
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.run({type: 'setPassword', name, password} as Record<string, unknown>)
  }

  setPrivilege(user: string, database: string, privilege: PrivilegeName): Promise<void> {
    return this.run({type: 'setPrivilege', name: user, db: database, privilege})
  }

  setAdmin(user: string, admin: boolean): Promise<void> {
    return this.run({type: 'setAdmin', name: user, admin})
  }

  createContinuousQuery(database: string, name: string, query: string): Promise<void> {
    return this.run({type: 'createContinuousQuery', db: database, name, query})
  }

  dropContinuousQuery(database: string, name: string): Promise<void> {
    return this.run({type: 'dropContinuousQuery', db: database, name})
  }
}
