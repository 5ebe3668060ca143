/**
 * The data node's background services and statistics, each as influxd runs it:
 * - announcer: tells the meta nodes this node's version and addresses every gossip-frequency (dev status and
 *   /show-cluster show them);
 * - shard reconciliation: a shard the meta store no longer lists for this node (database or policy dropped, group
 *   deleted by retention, ownership moved) is deleted from disk when the node's copy of the meta store says so;
 * - retention: every [retention] check-interval, shard groups that ended before now - duration are deleted through
 *   the meta leader (the lowest-numbered data node does it, the others see the result);
 * - shard precreation: groups that begin within [shard-precreation] advance-period are created ahead of the writes;
 * - statistics: write, cluster, hh family, shard, database, runtime (StatsRegistry; /debug/vars and SHOW STATS).
 */
import {escapeFieldKey, escapeMeasurement, escapeStringValue, escapeTag} from '../../lineprotocol/escape.js'
import {parseLines} from '../../lineprotocol/parse.js'
import type {Point} from '../../lineprotocol/point.js'
import type {Logger} from '../node/logger.js'
import {messageOf} from '../node/process.js'
import type {Statistic, StatsRegistry} from '../node/stats.js'
import {applyDelete, type ClusterCalls, type ClusterStats} from './cluster-rpc.js'
import type {DataNodeConfig} from './config.js'
import type {PointsWriter, WriteStats} from './coordinator/points-writer.js'
import type {HintedHandoffService} from './hh/service.js'
import type {MetaClient} from './meta-client.js'
import type {MetaViews} from './meta-views.js'
import type {DeleteRequest, IntoPoint, Monitor, PointsWriter as IntoWriter} from './query/index.js'
import type {DataStore} from './store/store.js'

export interface DataServicesOptions {
  cfg: DataNodeConfig
  store: DataStore
  meta: MetaViews
  metaClient: MetaClient
  calls: ClusterCalls
  hh: HintedHandoffService
  writer: PointsWriter<Point>
  stats: StatsRegistry
  writeStats: WriteStats
  clusterStats: ClusterStats
  log: Logger
  version: string
  tcpAddr: string
  httpAddr: string
  now?: () => number
}

type Diagnostics = ReturnType<Monitor['diagnostics']>

export class DataServices {
  readonly monitor: Monitor
  private readonly timers: NodeJS.Timeout[] = []
  private lastStats: Statistic[] = []
  private readonly started: number
  private announcing = false
  private reconciling: Promise<void> = Promise.resolve()
  private closed = false
  private readonly now: () => number

  constructor(private readonly o: DataServicesOptions) {
    this.now = o.now ?? Date.now
    this.started = this.now()
    const self = this
    this.monitor = {
      statistics: () => self.lastStats,
      diagnostics: () => self.diagnostics(),
    }
    this.registerStatistics()
  }

  start(): void {
    const {cfg} = this.o
    this.every(cfg.gossipFrequencyMs, () => this.announce())
    this.every(1_000, async () => {
      this.lastStats = await this.o.stats.collect()
    })
    if (cfg.retention.enabled) this.every(cfg.retention.checkIntervalMs, () => this.enforceRetention())
    if (cfg.shardPrecreation.enabled) this.every(cfg.shardPrecreation.checkIntervalMs, () => this.precreate())
    this.o.metaClient.onChange(() => {
      this.reconciling = this.reconciling.then(() => this.reconcile()).catch(() => undefined)
      if (!this.announcedOnce) void this.announce()
    })
    const log = this.o.log.child('retention')
    if (cfg.retention.enabled) log.info('Starting retention policy enforcement service', {check_interval: `${cfg.retention.checkIntervalMs / 1000}s`}, `Starting retention policy enforcement service with check interval of ${cfg.retention.checkIntervalMs / 1000}s`)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const t of this.timers) clearInterval(t)
    await this.reconciling
  }

  private every(ms: number, fn: () => Promise<void> | void): void {
    const t = setInterval(() => {
      if (!this.closed) void Promise.resolve(fn()).catch(() => undefined)
    }, ms)
    t.unref()
    this.timers.push(t)
  }

  // ----- announcer

  private announcedOnce = false

  private async announce(): Promise<void> {
    const id = this.o.metaClient.nodeId()
    if (id === 0 || this.announcing || this.closed || this.o.metaClient.self() === undefined) return
    this.announcing = true
    try {
      await this.o.metaClient.execute({type: 'announce', nodeId: id, version: this.o.version, httpAddr: this.o.httpAddr, tcpAddr: this.o.tcpAddr})
      this.announcedOnce = true
    } catch {
      // The next round tries again; the meta client logs what it could not reach.
    } finally {
      this.announcing = false
    }
  }

  // ----- shards and the meta store

  /** Deletes local shards the meta store no longer gives this node. */
  private async reconcile(): Promise<void> {
    const state = this.o.metaClient.state()
    const me = this.o.metaClient.self()
    if (state === undefined || me === undefined) return
    const owned = new Map<number, {db: string; rp: string}>()
    for (const db of state.databases) {
      for (const rp of db.retentionPolicies) {
        for (const g of rp.shardGroups) {
          if (g.deletedAt !== undefined) continue
          for (const sh of g.shards) if (sh.owners.includes(me.id)) owned.set(sh.id, {db: db.name, rp: rp.name})
        }
      }
    }
    // influxd's retention service logs the shards it removes this way (logger fields db_instance, db_shard_id, db_rp).
    const log = this.o.log.child('retention')
    for (const id of this.o.store.shardIds()) {
      if (owned.has(id)) continue
      const r = this.o.store.shard(id)
      try {
        await this.o.store.deleteShard(id)
        log.info('Deleted shard', {db_instance: r?.database ?? '', db_shard_id: id, db_rp: r?.retentionPolicy ?? ''},
          `shard ID ${id} from database ${r?.database ?? '?'}, retention policy ${r?.retentionPolicy ?? '?'}, deleted`)
      } catch (err) {
        log.warn('Cannot delete shard', {id, error: messageOf(err)}, `cannot delete shard ${id}: ${messageOf(err)}`)
      }
    }
  }

  /** Lowest-numbered data node: the one that asks the meta leader for deletions and precreations. */
  private leadsServices(): boolean {
    const id = this.o.metaClient.nodeId()
    const ids = this.o.meta.dataNodeIds()
    return id > 0 && ids.length > 0 && Math.min(...ids) === id
  }

  async enforceRetention(): Promise<void> {
    const state = this.o.metaClient.state()
    if (state === undefined || !this.leadsServices()) return
    const log = this.o.log.child('retention')
    const now = this.now()
    for (const db of state.databases) {
      for (const rp of db.retentionPolicies) {
        if (rp.duration === 0) continue
        for (const g of rp.shardGroups) {
          if (g.deletedAt !== undefined || g.end >= now - rp.duration) continue
          try {
            await this.o.metaClient.execute({type: 'deleteShardGroup', db: db.name, rp: rp.name, id: g.id})
            log.info('Deleted shard group', {db_instance: db.name, db_shard_group: g.id, db_rp: rp.name}, `deleted shard group ${g.id} from database ${db.name}, retention policy ${rp.name}`)
          } catch (err) {
            log.warn('Failed to delete shard group', {id: g.id, error: messageOf(err)}, `failed to delete shard group ${g.id}: ${messageOf(err)}`)
          }
        }
      }
    }
  }

  async precreate(): Promise<void> {
    const state = this.o.metaClient.state()
    if (state === undefined || !this.leadsServices()) return
    const now = this.now()
    const advance = this.o.cfg.shardPrecreation.advancePeriodMs
    for (const db of state.databases) {
      for (const rp of db.retentionPolicies) {
        const live = rp.shardGroups.filter((g) => g.deletedAt === undefined)
        if (live.length === 0) continue
        const last = live.reduce((a, b) => (b.end > a.end ? b : a))
        if (last.end <= now || last.end - now > advance) continue
        if (live.some((g) => g.start <= last.end && last.end < g.end)) continue
        try {
          await this.o.metaClient.execute({type: 'createShardGroup', db: db.name, rp: rp.name, timestamp: last.end})
        } catch {
          // The next check tries again.
        }
      }
    }
  }

  /** DROP MEASUREMENT, DROP SERIES, DELETE: every data node applies it to its shards of the database. */
  async broadcastDelete(req: DeleteRequest): Promise<void> {
    const me = this.o.metaClient.nodeId()
    const ids = this.o.meta.dataNodeIds()
    await Promise.all(ids.map((id) => (id === me ? applyDelete(this.o.store, req) : this.o.calls.delete(id, req))))
    if (!ids.includes(me)) await applyDelete(this.o.store, req)
  }

  // ----- statistics

  private registerStatistics(): void {
    const {stats, writeStats, clusterStats, store, hh, cfg} = this.o
    stats.register(() => [{name: 'write', tags: {}, values: {...writeStats}}])
    stats.register(() => [{name: 'cluster', tags: {}, values: {...clusterStats}}])
    stats.register(() => hh.statistics())
    stats.register(() => {
      const out: Statistic[] = []
      const databases = new Set<string>()
      for (const id of store.shardIds()) {
        const r = store.shard(id)
        if (r === undefined) continue
        const series = r.measurements().reduce((n, m) => n + r.series(m).length, 0)
        out.push({
          name: 'shard',
          tags: {path: `${cfg.data.dir}/${r.database}/${r.retentionPolicy}/${id}`, id: String(id), database: r.database, retentionPolicy: r.retentionPolicy, engine: 'medic', indexType: 'inmem'},
          values: {fieldsCreate: 0, seriesCreate: series, writePointsOk: r.pointCount(), writeReq: 0},
        })
        databases.add(r.database)
      }
      for (const db of databases) {
        out.push({name: 'database', tags: {database: db}, values: {numSeries: store.seriesCount(db), numMeasurements: this.measurements(db)}})
      }
      return out
    })
    stats.register(() => {
      const m = process.memoryUsage()
      return [{name: 'runtime', tags: {}, values: {Alloc: m.heapUsed, HeapAlloc: m.heapUsed, HeapInUse: m.heapUsed, HeapSys: m.heapTotal, Sys: m.rss, NumGoroutine: 0, TotalAlloc: m.heapUsed}}]
    })
  }

  private measurements(db: string): number {
    const names = new Set<string>()
    for (const id of this.o.store.shardIds(db)) for (const m of this.o.store.shard(id)?.measurements() ?? []) names.add(m)
    return names.size
  }

  private diagnostics(): Diagnostics {
    const now = this.now()
    return new Map([
      ['build', {columns: ['Branch', 'Build Time', 'Commit', 'Version'], rows: [['medic-dev', '', 'none', this.o.version]]}],
      ['network', {columns: ['hostname'], rows: [[this.o.cfg.hostname]]}],
      ['runtime', {columns: ['GOARCH', 'GOMAXPROCS', 'GOOS', 'version'], rows: [[process.arch, 1, process.platform, process.version]]}],
      ['system', {columns: ['PID', 'currentTime', 'started', 'uptime'], rows: [[process.pid, new Date(now).toISOString(), new Date(this.started).toISOString(), `${Math.round((now - this.started) / 1000)}s`]]}],
    ]) as Diagnostics
  }
}

function lineOf(p: IntoPoint): string {
  let line = escapeMeasurement(p.measurement)
  for (const k of Object.keys(p.tags).sort()) if (p.tags[k] !== '') line += `,${escapeTag(k)}=${escapeTag(p.tags[k])}`
  const fields: string[] = []
  for (const [k, v] of Object.entries(p.fields)) {
    const value = typeof v === 'bigint' ? `${v}i` : typeof v === 'string' ? `"${escapeStringValue(v)}"` : typeof v === 'boolean' ? String(v) : Number.isInteger(v) ? `${v}.0` : String(v)
    fields.push(`${escapeFieldKey(k)}=${value}`)
  }
  return `${line} ${fields.join(',')} ${p.time}`
}

/** SELECT ... INTO writes through the coordinator (consistency one, as influxd's WritePointsInto). */
export function intoWriter(writer: PointsWriter<Point>): IntoWriter {
  return {
    async write(database, retentionPolicy, points) {
      if (points.length === 0) return
      const parsed = parseLines(points.map(lineOf).join('\n'), {now: BigInt(Date.now()) * 1_000_000n})
      if (parsed.errors.length > 0) throw new Error(parsed.errors[0].message)
      await writer.write(database, retentionPolicy === '' ? undefined : retentionPolicy, parsed.points, 'one')
    },
  }
}
