/**
 * The continuous query service of a data node, as OSS 1.x runs it (services/continuous_querier) with Enterprise's
 * lease (data-nodes.md §5):
 * - every `[continuous_queries] run-interval`, a node whose copy of the meta store holds no CQ does nothing (and asks
 *   nothing); otherwise it asks the meta leader for the `continuous_querier` lease (MetaClient.acquireLease: 200
 *   granted, 409 another node holds it, logged by the meta node only) and, holding it, runs every CQ that is due;
 * - a CQ is the stored CREATE CONTINUOUS QUERY statement parsed again; its SELECT ... INTO ... GROUP BY time() runs
 *   through the node's executor (the SELECT INTO path) with the window the open-source service computes from the
 *   GROUP BY interval and offset, RESAMPLE EVERY / FOR, and the last run time this node remembers for it (a node that
 *   takes the lease over starts afresh, as the real one does);
 * - with `log-enabled`, `executing continuous query <name> (<start> to <end>)` before and `finished continuous query
 *   <name> (<start> to <end>) in <duration>` after (1.1 text; the structured shapes use 1.5+'s messages and fields);
 *   a failure logs `error executing query: <query>: err = <error>`.
 */
import {goDurationString} from '../../influxql/duration.js'
import {
  type Expr, type SelectStatement, T, cloneSelect, groupByInterval, parseExpr, parseStatement,
} from '../../influxql/index.js'
import type {Logger} from '../node/logger.js'
import {isoMicros} from '../node/go-text.js'
import {messageOf} from '../node/process.js'
import type {DataNodeConfig} from './config.js'
import type {MetaClient} from './meta-client.js'
import type {QueryExecutor} from './query/index.js'

export const CQ_LEASE = 'continuous_querier'

export interface ContinuousQueryServiceOptions {
  cfg: Pick<DataNodeConfig, 'continuousQueries'>
  metaClient: Pick<MetaClient, 'state' | 'nodeId' | 'acquireLease'>
  executor: Pick<QueryExecutor, 'execute'>
  log: Logger
  now?: () => number
  /** The run-interval in force (ms) when it differs from the config's (medic dev up --time-scale). */
  runEveryMs?: number
}

/** The window a CQ run covers, in ns; undefined when it is not due. */
export interface CqWindow {
  start: bigint
  end: bigint
  /** The run time to remember (now truncated to the resample interval). */
  lastRun: bigint
}

/** Go's zero time (January 1, year 1) is 62135596800 s before the Unix epoch. */
const GO_ZERO_OFFSET_NS = 62_135_596_800n * 1_000_000_000n

/** Go's Time.Truncate: down to a multiple of `d` since Go's zero time (the same as the epoch's for d dividing 1 day). */
function truncate(t: bigint, d: bigint): bigint {
  if (d <= 0n) return t
  const r = (t + GO_ZERO_OFFSET_NS) % d
  return r < 0n ? t - r - d : t - r
}

/**
 * OSS ExecuteContinuousQuery's arithmetic: whether a CQ with GROUP BY time(interval, offset) and RESAMPLE every/for
 * runs at `now` given its last run, and on which window.
 */
export function cqWindow(now: bigint, interval: bigint, offset: bigint, every: bigint, forDur: bigint, lastRun: bigint | undefined): CqWindow | undefined {
  let resampleEvery = every !== 0n ? every : interval
  let nextRun = now
  if (lastRun !== undefined) {
    nextRun = lastRun + resampleEvery
    if (nextRun > now) return undefined
  }
  const newLastRun = truncate(now - offset, resampleEvery) + offset
  let resampleFor = interval
  if (forDur !== 0n) resampleFor = forDur
  else if (interval < resampleEvery) resampleFor = resampleEvery
  if (interval < resampleEvery) resampleEvery = interval
  const start = truncate(nextRun + interval - resampleFor - offset - 1n, interval) + offset
  const end = truncate(now + interval - resampleEvery - offset, interval) + offset
  return {start, end: end > start ? end : start, lastRun: newLastRun}
}

/** Go's time.Time %v of a UTC time: `2017-03-01 20:00:00 +0000 UTC` (fractional seconds when there are any). */
export function goTimeString(ns: bigint): string {
  const ms = Number((ns - (((ns % 1_000_000n) + 1_000_000n) % 1_000_000n)) / 1_000_000n)
  const d = new Date(ms)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n
  const fracText = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${fracText} +0000 UTC`
}

/** The GROUP BY time() offset (0 when none). */
function groupByOffset(s: SelectStatement): bigint {
  for (const d of s.dimensions) {
    if (d.expr.kind === 'call' && d.expr.name === 'time' && d.expr.args.length === 2) {
      const a = d.expr.args[1]
      if (a.kind === 'duration') return a.val
    }
  }
  return 0n
}

/** The statement with `time >= start AND time < end` added to its condition. */
export function withTimeRange(s: SelectStatement, start: bigint, end: bigint): SelectStatement {
  const out = cloneSelect(s)
  const range = parseExpr(`time >= ${start} AND time < ${end}`)
  out.condition = out.condition === undefined ? range : ({kind: 'binary', op: T.AND, lhs: {kind: 'paren', expr: out.condition}, rhs: range} as Expr)
  return out
}

export class ContinuousQueryService {
  private readonly log: Logger
  private readonly now: () => number
  private readonly lastRuns = new Map<string, bigint>()
  private timer: NodeJS.Timeout | undefined
  private closed = false
  private running: Promise<void> = Promise.resolve()

  constructor(private readonly o: ContinuousQueryServiceOptions) {
    this.log = o.log.child('continuous_querier')
    this.now = o.now ?? Date.now
  }

  start(): void {
    if (!this.o.cfg.continuousQueries.enabled) return
    this.schedule()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
    this.log.info('Terminating continuous query service', undefined, 'continuous query service terminating')
  }

  private schedule(): void {
    if (this.closed) return
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(() => undefined, () => undefined).finally(() => this.schedule())
    }, this.o.runEveryMs ?? this.o.cfg.continuousQueries.runIntervalMs)
    this.timer.unref()
  }

  private hasContinuousQueries(): boolean {
    return (this.o.metaClient.state()?.databases ?? []).some((d) => (d.continuousQueries?.length ?? 0) > 0)
  }

  /** One round: the lease, then every due CQ. Resolves false when this node did not hold the lease. */
  async runOnce(): Promise<boolean> {
    if (this.closed || this.o.metaClient.nodeId() === 0 || !this.hasContinuousQueries()) return false
    let granted: boolean
    try {
      granted = await this.o.metaClient.acquireLease(CQ_LEASE)
    } catch {
      // As influxd: no lease, no run; the meta client's own lines say what was unreachable.
      return false
    }
    if (!granted) {
      // Another node runs the CQs now; when this node takes over, it starts afresh.
      this.lastRuns.clear()
      return false
    }
    const now = BigInt(this.now()) * 1_000_000n
    for (const db of this.o.metaClient.state()?.databases ?? []) {
      for (const cq of db.continuousQueries ?? []) {
        if (this.closed) return true
        const id = `${db.name}\u001f${cq.name}`
        try {
          await this.execute(db.name, db.retentionPolicies.find((r) => r.default)?.name ?? '', cq.name, cq.query, id, now)
        } catch (err) {
          const e = messageOf(err)
          this.log.info('Error executing query', {query: cq.query, error: e}, `error executing query: ${cq.query}: err = ${e}`)
        }
      }
    }
    return true
  }

  private async execute(database: string, defaultRp: string, name: string, query: string, id: string, now: bigint): Promise<void> {
    const stmt = parseStatement(query)
    if (stmt.type !== 'createContinuousQuery' || stmt.source.target === undefined) throw new Error("query isn't a valid continuous query")
    const select = stmt.source
    if (select.target!.measurement.retentionPolicy === '') select.target!.measurement.retentionPolicy = defaultRp
    const [interval, bad] = groupByInterval(select)
    if (bad !== undefined) throw new Error(bad)
    if (interval === 0n) return
    if (select.isRawQuery) throw new Error('continuous queries must be aggregate queries')
    const w = cqWindow(now, interval, groupByOffset(select), stmt.resampleEvery, stmt.resampleFor, this.lastRuns.get(id))
    if (w === undefined) return
    this.lastRuns.set(id, w.lastRun)
    if (w.end <= w.start) return
    const logging = this.o.cfg.continuousQueries.logEnabled
    const startText = goTimeString(w.start)
    const endText = goTimeString(w.end)
    const fields = {name, db_instance: database, start: isoMicros(Number(w.start / 1_000_000n)), end: isoMicros(Number(w.end / 1_000_000n))}
    if (logging) this.log.info('Executing continuous query', fields, `executing continuous query ${name} (${startText} to ${endText})`)
    const began = performance.now()
    let written = 0
    for await (const r of this.o.executor.execute([withTimeRange(select, w.start, w.end)], {database})) {
      if (r.error !== undefined) throw new Error(r.error)
      const v = r.series?.[0]?.values?.[0]?.[1]
      if (typeof v === 'bigint' || typeof v === 'number') written += Number(v)
    }
    if (logging) {
      const took = goDurationString(BigInt(Math.round((performance.now() - began) * 1e6)))
      this.log.info('Finished continuous query', {...fields, written, duration: took}, `finished continuous query ${name} (${startText} to ${endText}) in ${took}`)
    }
  }
}
