/**
 * SHOW statements with influxd 1.6's layouts: which shards each one reads (SHOW FIELD KEYS the policies its sources
 * name, SHOW SERIES the whole database once a named policy has a shard, SHOW TAG KEYS/VALUES every policy in the
 * time range, SHOW MEASUREMENTS the whole database), its columns, its ordering, where LIMIT/OFFSET apply (per
 * measurement for tag keys and values), and its empty answers.
 */
import {
  type Expr, type Literal, type Measurement, type Source, type StatementOf, T, conditionExpr, ConditionError, goDurationString,
  hasTimeExpr, MAX_TIME, MIN_TIME, privilegeName, Privilege, rfc3339,
} from '../../../influxql/index.js'
import {type Context, StatementError} from './context.js'
import {type OutCell, type Result, type Row} from './result.js'
import {emitRows, type SeriesRows} from './select-run.js'
import type {FieldsPartial, MeasurementSelector, SeriesPartial} from './shard-types.js'
import {exprToJson} from './wire.js'

const DB_REQUIRED = 'database name required'
const msToNs = (ms: number): bigint => BigInt(ms) * 1_000_000n

function one(statementId: number, rows: Row[] | undefined): Result[] {
  return [{statementId, series: rows}]
}

/** influxd's rewriteSourcesCondition: FROM becomes a condition on _name, ANDed with the WHERE clause. */
function sourcesCondition(sources: Source[] | undefined, cond: Expr | undefined): Expr | undefined {
  if (sources === undefined || sources.length === 0) return cond
  let scond: Expr | undefined
  for (const s of sources) {
    const m = s as Measurement
    let e: Expr | undefined
    if (m.regex !== undefined) e = {kind: 'binary', op: T.EQREGEX, lhs: {kind: 'varref', val: '_name', type: 0}, rhs: m.regex}
    else if (m.name !== '') e = {kind: 'binary', op: T.EQ, lhs: {kind: 'varref', val: '_name', type: 0}, rhs: {kind: 'string', val: m.name}}
    if (e === undefined) continue
    scond = scond === undefined ? e : {kind: 'binary', op: T.OR, lhs: scond, rhs: e}
  }
  if (cond !== undefined && scond !== undefined) return {kind: 'binary', op: T.AND, lhs: {kind: 'paren', expr: scond}, rhs: {kind: 'paren', expr: cond}}
  return cond ?? scond
}

/** Shards of every policy of a database overlapping [min, max], grouped by the node to ask. */
function allPolicyShards(ctx: Context, database: string, min: bigint, max: bigint): Map<number, number[]> {
  const db = ctx.database(database)
  if (db === undefined) return new Map()
  return ctx.ownersOf(db.retentionPolicies.flatMap((rp) => ctx.shardGroups(rp, min, max)))
}

async function seriesOf(ctx: Context, byNode: Map<number, number[]>, cond: Expr | undefined, measurements?: MeasurementSelector[], range?: [bigint, bigint]): Promise<SeriesPartial> {
  const p = await ctx.dispatch(byNode, (shardIds) => ({
    kind: 'series', shardIds, measurements,
    condition: cond === undefined ? undefined : exprToJson(cond),
    start: range?.[0].toString(), end: range?.[1].toString(),
  }))
  return p !== undefined && p.kind === 'series' ? p : {kind: 'series', series: new Map()}
}

function splitCondition(ctx: Context, cond: Expr | undefined): {cond?: Expr; min: bigint; max: bigint} {
  try {
    const c = conditionExpr(cond, {now: ctx.deps.now()})
    return {cond: c.expr, min: c.range.min ?? MIN_TIME, max: c.range.max ?? MAX_TIME}
  } catch (err) {
    if (err instanceof ConditionError) throw new StatementError(err.message)
    throw err
  }
}

function limitOffset<V>(a: V[], limit: number, offset: number): V[] {
  let out = a
  if (offset > 0) out = offset >= out.length ? [] : out.slice(offset)
  if (limit > 0 && limit < out.length) out = out.slice(0, limit)
  return out
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

// ---------------------------------------------------------------------------------------------------------------

export function showDatabases(ctx: Context, id: number): Result[] {
  return one(id, [{name: 'databases', columns: ['name'], values: ctx.deps.meta.databases().map((d) => [d.name])}])
}

export function showRetentionPolicies(ctx: Context, s: StatementOf<'showRetentionPolicies'>, id: number): Result[] {
  if (s.database === '') throw new StatementError(DB_REQUIRED)
  const db = ctx.database(s.database)
  if (db === undefined) throw new StatementError(`database not found: ${s.database}`)
  const values: OutCell[][] = db.retentionPolicies.map((rp) => [
    rp.name, goDurationString(msToNs(rp.duration)), goDurationString(msToNs(rp.shardGroupDuration)), BigInt(rp.replicaN), rp.default,
  ])
  return one(id, [{columns: ['name', 'duration', 'shardGroupDuration', 'replicaN', 'default'], values}])
}

export function showUsers(ctx: Context, id: number): Result[] {
  return one(id, [{columns: ['user', 'admin'], values: ctx.deps.meta.users().map((u) => [u.name, u.admin])}])
}

export function showGrants(ctx: Context, s: StatementOf<'showGrantsForUser'>, id: number): Result[] {
  const user = ctx.deps.meta.users().find((u) => u.name === s.name)
  if (user === undefined) throw new StatementError('user not found')
  const values: OutCell[][] = Object.keys(user.permissions).sort(byString).map((db) => [db, privilegeName(privilegeOf(user.permissions[db]))])
  return one(id, [{columns: ['database', 'privilege'], values}])
}

export function privilegeOf(names: readonly string[]): Privilege {
  let p: number = Privilege.None
  for (const n of names) {
    if (n === 'ALL' || n === 'ALL PRIVILEGES') p |= Privilege.All
    else if (n === 'READ') p |= Privilege.Read
    else if (n === 'WRITE') p |= Privilege.Write
  }
  return p as Privilege
}

export function showContinuousQueries(ctx: Context, id: number): Result[] {
  return one(id, ctx.deps.meta.databases().map((d) => ({
    name: d.name, columns: ['name', 'query'], values: (d.continuousQueries ?? []).map((cq) => [cq.name, cq.query]),
  })))
}

export function showShards(ctx: Context, id: number): Result[] {
  return one(id, ctx.deps.meta.databases().map((d) => {
    const values: OutCell[][] = []
    for (const rp of d.retentionPolicies) {
      for (const g of rp.shardGroups) {
        if (g.deletedAt !== undefined) continue
        for (const sh of g.shards) {
          values.push([
            BigInt(sh.id), d.name, rp.name, BigInt(g.id), rfc3339(msToNs(g.start)), rfc3339(msToNs(g.end)), rfc3339(msToNs(g.end + rp.duration)),
            sh.owners.join(','),
          ])
        }
      }
    }
    return {name: d.name, columns: ['id', 'database', 'retention_policy', 'shard_group', 'start_time', 'end_time', 'expiry_time', 'owners'], values}
  }))
}

export function showShardGroups(ctx: Context, id: number): Result[] {
  const values: OutCell[][] = []
  for (const d of ctx.deps.meta.databases()) {
    for (const rp of d.retentionPolicies) {
      for (const g of rp.shardGroups) {
        if (g.deletedAt !== undefined) continue
        values.push([BigInt(g.id), d.name, rp.name, rfc3339(msToNs(g.start)), rfc3339(msToNs(g.end)), rfc3339(msToNs(g.end + rp.duration))])
      }
    }
  }
  return one(id, [{name: 'shard groups', columns: ['id', 'database', 'retention_policy', 'start_time', 'end_time', 'expiry_time'], values}])
}

export function showStats(ctx: Context, s: StatementOf<'showStats'>, id: number): Result[] {
  const rows: Row[] = []
  for (const stat of ctx.monitor?.statistics() ?? []) {
    if (s.module !== '' && stat.name !== s.module) continue
    const keys = Object.keys(stat.values).sort(byString)
    rows.push({name: stat.name, tags: {...stat.tags}, columns: keys, values: [keys.map((k) => stat.values[k])]})
  }
  return one(id, rows)
}

export function showDiagnostics(ctx: Context, s: StatementOf<'showDiagnostics'>, id: number): Result[] {
  const diags: ReturnType<NonNullable<typeof ctx.monitor>['diagnostics']> = ctx.monitor?.diagnostics() ?? new Map()
  const rows: Row[] = []
  for (const k of [...diags.keys()].sort(byString)) {
    if (s.module !== '' && k !== s.module) continue
    const d = diags.get(k)!
    rows.push({name: k, columns: [...d.columns], values: d.rows.map((r) => [...r])})
  }
  return one(id, rows)
}

export async function showMeasurements(ctx: Context, s: StatementOf<'showMeasurements'>, id: number): Promise<Result[]> {
  if (s.database === '') throw new StatementError(DB_REQUIRED)
  const cond = sourcesCondition(s.source === undefined ? undefined : [s.source], s.condition)
  const p = await seriesOf(ctx, allPolicyShards(ctx, s.database, MIN_TIME, MAX_TIME), cond)
  const names = limitOffset([...new Set([...p.series.values()].map((x) => x.measurement))].sort(byString), s.limit, s.offset)
  if (names.length === 0) return [{statementId: id}]
  return one(id, [{name: 'measurements', columns: ['name'], values: names.map((n) => [n])}])
}

/** A database and retention policy a SHOW SERIES / FIELD KEYS reads, with the measurements its sources name there. */
interface PolicySource {
  database: string
  rp: string
  /** undefined = no FROM clause: every measurement. */
  selectors: MeasurementSelector[] | undefined
}

/** influxd normalizes the sources of SHOW SERIES / FIELD KEYS like a SELECT's: default database, then policy. */
function sourcePolicies(ctx: Context, database: string, sources: Source[] | undefined): PolicySource[] {
  if (database === '') throw new StatementError(DB_REQUIRED)
  const list: Array<Measurement | undefined> = sources === undefined || sources.length === 0 ? [undefined] : sources.map((x) => x as Measurement)
  const out = new Map<string, PolicySource>()
  for (const m of list) {
    const dbName = m !== undefined && m.database !== '' ? m.database : database
    const db = ctx.database(dbName)
    if (db === undefined) throw new StatementError(`database not found: ${dbName}`)
    let rp = m?.retentionPolicy ?? ''
    if (rp === '') rp = ctx.opts.retentionPolicy !== '' ? ctx.opts.retentionPolicy : db.retentionPolicies.find((r) => r.default)?.name ?? ''
    if (rp === '') throw new StatementError(`default retention policy not set for: ${db.name}`)
    const key = `${dbName}\u0000${rp}`
    let entry = out.get(key)
    if (entry === undefined) {
      entry = {database: dbName, rp, selectors: m === undefined ? undefined : []}
      out.set(key, entry)
    }
    if (m !== undefined) entry.selectors?.push(m.regex !== undefined ? {regex: m.regex.val.source} : {name: m.name})
  }
  return [...out.values()]
}

function policyShards(ctx: Context, database: string, rpName: string, min: bigint, max: bigint): Map<number, number[]> {
  const rp = ctx.database(database)?.retentionPolicies.find((r) => r.name === rpName)
  if (rp === undefined) throw new StatementError(`retention policy not found: ${rpName}`)
  return ctx.ownersOf(ctx.shardGroups(rp, min, max))
}

/**
 * SHOW SERIES reads influxd's _series source in each named policy; with the in-memory index of influxd 1.6 that
 * lists the series of the whole database (every policy) as soon as the policy has a shard in the time range.
 */
export async function showSeries(ctx: Context, s: StatementOf<'showSeries'>, id: number): Promise<Result[]> {
  const database = s.database !== '' ? s.database : ctx.opts.database
  const policies = sourcePolicies(ctx, database, s.sources)
  const {cond, min, max} = splitCondition(ctx, s.condition)
  const timed = hasTimeExpr(s.condition)
  const mapped = policies.filter((p) => policyShards(ctx, p.database, p.rp, min, max).size > 0)
  const keys = new Set<string>()
  for (const dbName of new Set(mapped.map((p) => p.database))) {
    const selectors = s.sources === undefined || s.sources.length === 0 ? undefined : mapped.filter((p) => p.database === dbName).flatMap((p) => p.selectors ?? [])
    const p = await seriesOf(ctx, allPolicyShards(ctx, dbName, min, max), cond, selectors, timed ? [min, max] : undefined)
    for (const k of p.series.keys()) keys.add(k)
  }
  let list = [...keys].sort(byString)
  const asc = s.sortFields.length === 0 || s.sortFields[0].ascending
  if (!asc) list.reverse()
  list = limitOffset(list, s.limit, s.offset)
  const series: SeriesRows[] = list.length === 0 ? [] : [{name: '', tags: [], rows: list.map((k) => [k])}]
  return emitRows(id, series, ['key'], ctx.opts.chunkSize, false)
}

/** SHOW FIELD KEYS: the fields the shards of each named policy hold (field sets are per shard in influxd). */
export async function showFieldKeys(ctx: Context, s: StatementOf<'showFieldKeys'>, id: number): Promise<Result[]> {
  const database = s.database !== '' ? s.database : ctx.opts.database
  const merged = new Map<string, Map<string, Set<string>>>()
  for (const src of sourcePolicies(ctx, database, s.sources)) {
    const byNode = policyShards(ctx, src.database, src.rp, MIN_TIME, MAX_TIME)
    const selectors = src.selectors ?? [{regex: ''}]
    const p = await ctx.dispatch(byNode, (shardIds) => ({kind: 'fields', shardIds, measurements: selectors}))
    const fields: FieldsPartial = p !== undefined && p.kind === 'fields' ? p : {kind: 'fields', measurements: new Map()}
    for (const [m, entry] of fields.measurements) {
      let have = merged.get(m)
      if (have === undefined) {
        have = new Map()
        merged.set(m, have)
      }
      for (const [f, types] of entry.fields) {
        const set = have.get(f) ?? new Set<string>()
        for (const t of types) set.add(t)
        have.set(f, set)
      }
    }
  }
  const series: SeriesRows[] = []
  for (const m of [...merged.keys()].sort(byString)) {
    const rows: OutCell[][] = []
    const entry = merged.get(m)!
    for (const f of [...entry.keys()].sort(byString)) for (const t of [...entry.get(f)!].sort(byString)) rows.push([f, t])
    const limited = limitOffset(rows, s.limit, s.offset)
    if (limited.length > 0) series.push({name: m, tags: [], rows: limited})
  }
  return emitRows(id, series, ['fieldKey', 'fieldType'], ctx.opts.chunkSize, false)
}

function tagKeySets(p: SeriesPartial): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const {measurement, tags} of p.series.values()) {
    let set = out.get(measurement)
    if (set === undefined) {
      set = new Set()
      out.set(measurement, set)
    }
    for (const [k] of tags) set.add(k)
  }
  return out
}

export async function showTagKeys(ctx: Context, s: StatementOf<'showTagKeys'>, id: number): Promise<Result[]> {
  if (s.database === '') throw new StatementError(DB_REQUIRED)
  if (ctx.database(s.database) === undefined) throw new StatementError(`database not found: ${s.database}`)
  const {cond, min, max} = splitCondition(ctx, sourcesCondition(s.sources, s.condition))
  const p = await seriesOf(ctx, allPolicyShards(ctx, s.database, min, max), cond)
  const results: Result[] = []
  for (const [m, keys] of [...tagKeySets(p)].sort((a, b) => byString(a[0], b[0]))) {
    const list = limitOffset([...keys].sort(byString), s.limit, s.offset)
    if (list.length === 0) continue
    results.push({statementId: id, series: [{name: m, columns: ['tagKey'], values: list.map((k) => [k])}]})
  }
  return results.length > 0 ? results : [{statementId: id}]
}

function keyMatcher(op: number, lit: Literal): (key: string) => boolean {
  if (lit.kind === 'list') return (k) => lit.vals.includes(k)
  if (lit.kind === 'string') return op === T.NEQ ? (k) => k !== lit.val : (k) => k === lit.val
  if (lit.kind === 'regex') return op === T.NEQREGEX ? (k) => !lit.val.re.test(k) : (k) => lit.val.re.test(k)
  return () => false
}

export async function showTagValues(ctx: Context, s: StatementOf<'showTagValues'>, id: number): Promise<Result[]> {
  if (s.database === '') throw new StatementError(DB_REQUIRED)
  if (ctx.database(s.database) === undefined) throw new StatementError(`database not found: ${s.database}`)
  const {cond, min, max} = splitCondition(ctx, sourcesCondition(s.sources, s.condition))
  const p = await seriesOf(ctx, allPolicyShards(ctx, s.database, min, max), cond)
  const wanted = keyMatcher(s.op, s.tagKeyExpr)
  const perMeasurement = new Map<string, Set<string>>()
  for (const {measurement, tags} of p.series.values()) {
    for (const [k, v] of tags) {
      if (!wanted(k)) continue
      let set = perMeasurement.get(measurement)
      if (set === undefined) {
        set = new Set()
        perMeasurement.set(measurement, set)
      }
      set.add(k + '\u0000' + v)
    }
  }
  const results: Result[] = []
  for (const [m, pairs] of [...perMeasurement].sort((a, b) => byString(a[0], b[0]))) {
    const list = limitOffset([...pairs].sort(byString), s.limit, s.offset)
    if (list.length === 0) continue
    results.push({statementId: id, series: [{name: m, columns: ['key', 'value'], values: list.map((kv) => kv.split('\u0000'))}]})
  }
  return results.length > 0 ? results : [{statementId: id}]
}

