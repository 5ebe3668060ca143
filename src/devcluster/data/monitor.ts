/**
 * What a data node writes to `_internal` (data-nodes.md §4):
 *
 * - The monitor (`[monitor]`, OSS monitor/service.go): every `store-interval`, on even multiples of it, every
 *   statistic of the node's StatsRegistry becomes one point: measurement = statistic name, tags = the statistic's tags
 *   plus the global `hostname` tag, fields = its values, time = the tick. The first tick creates `_internal` with the
 *   `monitor` policy (7d, replicaN 1) when the node's copy of the meta store does not list it. Writes go through the
 *   coordinator with consistency `any` (OSS 1.1+). Log lines as the real monitor's, in each log format.
 *   Integers are written as integer fields (Go's statistics are int64 counters), other numbers as floats; a field
 *   keeps the type it was first written with in this process, so a counter that turns fractional cannot conflict.
 *   Enterprise keeps `_internal` shards node-local (§4.33: one owner per shard, one shard per node and group): each
 *   node writes its statistics to the shard of the group it owns (the group is created as any other, through the meta
 *   leader); a node that owns none of a group's shards (added after the group was created) falls back to the hash.
 *   We add no `nodeID` or `clusterID` tag: §4 documents only `hostname`.
 *
 * - The stats service (`[stats]`, Enterprise's "cluster-level statistics", §4.32; its code is not public): the
 *   cluster metrics are "replicated to other nodes using consistency=all" (FAQ), which is why a node with data in
 *   hinted handoff logs `error writing count stats for <db>: partial write`. Our choice of what it writes, as no fact
 *   says: every `store-interval` (aligned as the monitor), for each user database, one point in measurement `stats`
 *   (tags `database`, `hostname`; integer fields `numSeries`, `numMeasurements`, `numPoints`, `numShards`: what this
 *   node stores of that database) into `_internal`'s `monitor` policy, written to every data node's shard of the
 *   group at once (every node's node-local shard is a replica of it) with consistency `all`. One node down, or a
 *   queue in hinted handoff for it, and the write answers `partial write`, logged under service `stats`.
 */
import {goDurationString} from '../../influxql/duration.js'
import {escapeFieldKey, escapeMeasurement, escapeStringValue, escapeTag} from '../../lineprotocol/escape.js'
import {parseLines} from '../../lineprotocol/parse.js'
import type {Point} from '../../lineprotocol/point.js'
import type {Logger} from '../node/logger.js'
import {messageOf} from '../node/process.js'
import type {StatisticValue, StatsRegistry} from '../node/stats.js'
import type {DataNodeConfig} from './config.js'
import {
  type Consistency, PointsWriter, type PointsWriterOptions, type RetentionPolicyView, type ShardGroupView, type ShardTarget, type WriterMeta,
} from './coordinator/points-writer.js'
import type {MetaClient} from './meta-client.js'
import type {DataStore} from './store/store.js'

export const MONITOR_RETENTION_POLICY = 'monitor'
/** 7 days, replicaN 1: the monitor policy OSS and Enterprise create. */
export const MONITOR_RP_DURATION_MS = 7 * 24 * 3600 * 1000
export const MONITOR_RP_REPLICA_N = 1

export interface InternalWritersOptions {
  cfg: Pick<DataNodeConfig, 'hostname' | 'monitor'>
  stats: StatsRegistry
  metaClient: Pick<MetaClient, 'state' | 'nodeId' | 'execute'>
  store: Pick<DataStore, 'shardIds' | 'shard' | 'seriesCount'>
  /** The node's coordinator options: the monitor and the stats service build their own writers from them. */
  writer: PointsWriterOptions<Point>
  /** The root logger (the services log as `monitor` and `stats`). */
  log: Logger
  now?: () => number
  /** The store-interval in force (ms) when it differs from the config's (medic dev up --time-scale). */
  storeEveryMs?: number
}

/** Runs the monitor and the stats service of one data node. */
export class InternalWriters {
  private readonly monitorLog: Logger
  private readonly statsLog: Logger
  private readonly now: () => number
  private readonly localWriter: PointsWriter<Point>
  private readonly replicatedWriter: PointsWriter<Point>
  private readonly fieldTypes = new Map<string, 'integer' | 'float'>()
  private timer: NodeJS.Timeout | undefined
  private closed = false
  private running: Promise<void> = Promise.resolve()
  private storeCreated = false

  constructor(private readonly o: InternalWritersOptions) {
    this.monitorLog = o.log.child('monitor')
    this.statsLog = o.log.child('stats')
    this.now = o.now ?? Date.now
    const me = () => o.metaClient.nodeId()
    this.localWriter = new PointsWriter({...o.writer, meta: localView(o.writer.meta, me)})
    this.replicatedWriter = replicatedWriter(o.writer, me)
  }

  start(): void {
    const {storeEnabled, storeDatabase, storeIntervalMs} = this.o.cfg.monitor
    if (!storeEnabled) return
    const interval = goDurationString(BigInt(storeIntervalMs) * 1_000_000n)
    this.monitorLog.info('Storing statistics', {db_instance: storeDatabase, db_rp: MONITOR_RETENTION_POLICY, interval},
      `Storing statistics in database '${storeDatabase}' retention policy '${MONITOR_RETENTION_POLICY}', at interval ${interval}`)
    this.schedule()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
  }

  /** Waits for the next even multiple of store-interval, then stores. */
  private schedule(): void {
    if (this.closed) return
    const every = this.o.storeEveryMs ?? this.o.cfg.monitor.storeIntervalMs
    const now = this.now()
    const next = (Math.floor(now / every) + 1) * every
    this.timer = setTimeout(() => {
      this.running = this.tick(next).catch(() => undefined).finally(() => this.schedule())
    }, next - now)
    this.timer.unref()
  }

  /** One store: the monitor's statistics, then the stats service's counts. Exposed for tests. */
  async tick(atMs: number): Promise<void> {
    if (this.closed || this.o.metaClient.nodeId() === 0 || this.o.metaClient.state() === undefined) return
    if (!(await this.createStorage())) return
    await this.storeStatistics(atMs)
    await this.storeCountStats(atMs)
  }

  /** OSS createInternalStorage: the database and its monitor policy, once, when the meta store lacks them. */
  private async createStorage(): Promise<boolean> {
    if (this.storeCreated) return true
    const db = this.o.cfg.monitor.storeDatabase
    if (!this.o.metaClient.state()!.databases.some((d) => d.name === db)) {
      try {
        await this.o.metaClient.execute({type: 'createDatabase', name: db, rp: {name: MONITOR_RETENTION_POLICY, duration: MONITOR_RP_DURATION_MS, replicaN: MONITOR_RP_REPLICA_N}})
      } catch (err) {
        const e = messageOf(err)
        this.monitorLog.info('Failed to create storage', {db_instance: db, error: e}, `failed to create database '${db}', failed to create storage: ${e}`)
        return false
      }
    }
    this.storeCreated = true
    return true
  }

  private async storeStatistics(atMs: number): Promise<void> {
    const time = BigInt(atMs) * 1_000_000n
    const lines: string[] = []
    for (const s of await this.o.stats.collect()) {
      const line = this.line(s.name, {...s.tags, hostname: this.o.cfg.hostname}, s.values, time)
      if (line !== undefined) lines.push(line)
    }
    try {
      await this.write(this.localWriter, lines, 'any')
    } catch (err) {
      const e = messageOf(err)
      this.monitorLog.info('Failed to store statistics', {error: e}, `failed to store statistics: ${e}`)
    }
  }

  private async storeCountStats(atMs: number): Promise<void> {
    const time = BigInt(atMs) * 1_000_000n
    const internal = this.o.cfg.monitor.storeDatabase
    const {store} = this.o
    for (const db of this.o.metaClient.state()?.databases ?? []) {
      if (db.name === internal || this.closed) continue
      const shards = store.shardIds(db.name)
      let points = 0
      const names = new Set<string>()
      for (const id of shards) {
        const r = store.shard(id)
        if (r === undefined) continue
        points += r.pointCount()
        for (const m of r.measurements()) names.add(m)
      }
      const line = this.line('stats', {database: db.name, hostname: this.o.cfg.hostname},
        {numSeries: store.seriesCount(db.name), numMeasurements: names.size, numPoints: points, numShards: shards.length}, time)
      try {
        await this.write(this.replicatedWriter, line === undefined ? [] : [line], 'all')
      } catch (err) {
        const e = messageOf(err)
        // Enterprise's text; the structured shapes keep it as the message, as its services log formatted text.
        const text = `error writing count stats for ${db.name}: ${e}`
        this.statsLog.info(text, {db_instance: db.name, error: e}, text)
      }
    }
  }

  private async write(writer: PointsWriter<Point>, lines: string[], consistency: Consistency): Promise<void> {
    if (lines.length === 0) return
    const parsed = parseLines(lines.join('\n'), {now: BigInt(this.now()) * 1_000_000n})
    if (parsed.errors.length > 0) throw new Error(parsed.errors[0].message)
    for (let i = 0; i < parsed.points.length; i += 5000) {
      await writer.write(this.o.cfg.monitor.storeDatabase, MONITOR_RETENTION_POLICY, parsed.points.slice(i, i + 5000), consistency)
    }
  }

  /** One line of line protocol, or undefined when no value can be stored. */
  private line(name: string, tags: Record<string, string>, values: Record<string, StatisticValue>, time: bigint): string | undefined {
    let line = escapeMeasurement(name)
    for (const k of Object.keys(tags).sort()) if (k !== '' && tags[k] !== '') line += `,${escapeTag(k)}=${escapeTag(tags[k])}`
    const fields: string[] = []
    for (const k of Object.keys(values).sort()) {
      const v = values[k]
      let text: string
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) continue
        const key = `${name}\u0000${k}`
        let type = this.fieldTypes.get(key)
        if (type === undefined) {
          type = Number.isSafeInteger(v) ? 'integer' : 'float'
          this.fieldTypes.set(key, type)
        }
        text = type === 'integer' ? `${Math.trunc(v)}i` : Number.isInteger(v) ? `${v}.0` : String(v)
      } else if (typeof v === 'boolean') {
        text = String(v)
      } else {
        text = `"${escapeStringValue(v)}"`
      }
      fields.push(`${escapeFieldKey(k)}=${text}`)
    }
    if (fields.length === 0) return undefined
    return `${line} ${fields.join(',')} ${time}`
  }
}

function mapPolicy(p: RetentionPolicyView | string, group: (g: ShardGroupView) => ShardGroupView): RetentionPolicyView | string {
  return typeof p === 'string' ? p : {...p, shardGroups: p.shardGroups.map(group)}
}

/** The meta data as the monitor sees it: each group reduced to the shards this node owns (when it owns any). */
export function localView(meta: WriterMeta, me: () => number): WriterMeta {
  const local = (g: ShardGroupView): ShardGroupView => {
    const mine = g.shards.filter((s) => s.owners.includes(me()))
    return mine.length === 0 ? g : {...g, shards: mine.slice(0, 1)}
  }
  return {
    retentionPolicy: (db, rp) => mapPolicy(meta.retentionPolicy(db, rp), local),
    createShardGroup: async (db, rp, t) => local(await meta.createShardGroup(db, rp, t)),
  }
}

/**
 * A writer that writes each point to every data node's shard of its group at once: the group is shown to the
 * coordinator as one shard (the first one's id) owned by every owner, and each owner's write, queue and backlog are
 * sent to the shard that owner holds.
 */
export function replicatedWriter(base: PointsWriterOptions<Point>, me: () => number): PointsWriter<Point> {
  const shardOf = new Map<number, Map<number, number>>()
  const merge = (g: ShardGroupView): ShardGroupView => {
    if (g.shards.length <= 1) return g
    const byOwner = new Map<number, number>()
    for (const s of g.shards) for (const o of s.owners) if (!byOwner.has(o)) byOwner.set(o, s.id)
    shardOf.set(g.shards[0].id, byOwner)
    return {...g, shards: [{id: g.shards[0].id, owners: [...byOwner.keys()]}]}
  }
  const real = (nodeId: number, shardId: number): number => shardOf.get(shardId)?.get(nodeId) ?? shardId
  const at = (nodeId: number, t: ShardTarget): ShardTarget => ({...t, shardId: real(nodeId, t.shardId)})
  return new PointsWriter<Point>({
    ...base,
    meta: {
      retentionPolicy: (db, rp) => mapPolicy(base.meta.retentionPolicy(db, rp), merge),
      createShardGroup: async (db, rp, t) => merge(await base.meta.createShardGroup(db, rp, t)),
    },
    owners: {
      local: (t, points) => base.owners.local(at(me(), t), points),
      remote: (nodeId, t, points) => base.owners.remote(nodeId, at(nodeId, t), points),
    },
    hh: {
      backlog: (nodeId, shardId) => base.hh.backlog(nodeId, real(nodeId, shardId)),
      enqueue: (nodeId, t, points) => base.hh.enqueue(nodeId, at(nodeId, t), points),
    },
    onOwnerError: base.onOwnerError === undefined ? undefined : (shardId, nodeId, err) => base.onOwnerError!(real(nodeId, shardId), nodeId, err),
  })
}
