/**
 * The InfluxQL syntax tree, and how influxd prints it back. Printing matters: influxd stores a continuous query as
 * the text of its parsed statement (SHOW CONTINUOUS QUERIES shows that text), quotes a statement in the read-only
 * warning of GET requests, and names expressions in error messages. Numbers follow Go: integers are int64/uint64
 * (bigint here), durations and times are nanoseconds (bigint).
 */
import {formatDuration, goDurationString} from './duration.js'
import type {GoRegex} from './regex.js'
import {rfc3339Nano} from './time.js'
import {T, type Tok, lookup, tokenName} from './tokens.js'
import {isIdentChar, isIdentFirstChar} from './scanner.js'

// ---------------------------------------------------------------------------------------------------------------
// Data types

export const DataType = {
  Unknown: 0, Float: 1, Integer: 2, String: 3, Boolean: 4, Time: 5, Duration: 6, Tag: 7, AnyField: 8, Unsigned: 9,
} as const
export type DataType = (typeof DataType)[keyof typeof DataType]

const TYPE_NAMES: Record<number, string> = {
  1: 'float', 2: 'integer', 3: 'string', 4: 'boolean', 5: 'time', 6: 'duration', 7: 'tag', 8: 'field', 9: 'unsigned',
}

export function dataTypeName(t: DataType): string {
  return TYPE_NAMES[t] ?? 'unknown'
}

/** influxd's ordering of field types when one name has several (float beats integer beats string...). */
export function typeLessThan(d: DataType, other: DataType): boolean {
  if (d === DataType.Unknown) return true
  if (d === DataType.Unsigned) return other !== DataType.Unknown && other <= DataType.Integer
  if (other === DataType.Unsigned) return d >= DataType.String
  return other !== DataType.Unknown && other < d
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

export interface VarRef { kind: 'varref'; val: string; type: DataType }
export interface Call { kind: 'call'; name: string; args: Expr[] }
export interface Distinct { kind: 'distinct'; val: string }
export interface BinaryExpr { kind: 'binary'; op: Tok; lhs: Expr; rhs: Expr }
export interface ParenExpr { kind: 'paren'; expr: Expr }
export interface Wildcard { kind: 'wildcard'; type: 0 | typeof T.FIELD | typeof T.TAG }
export interface NumberLiteral { kind: 'number'; val: number }
export interface IntegerLiteral { kind: 'integer'; val: bigint }
export interface UnsignedLiteral { kind: 'unsigned'; val: bigint }
export interface StringLiteral { kind: 'string'; val: string }
export interface BooleanLiteral { kind: 'boolean'; val: boolean }
export interface DurationLiteral { kind: 'duration'; val: bigint }
export interface TimeLiteral { kind: 'time'; val: bigint }
export interface RegexLiteral { kind: 'regex'; val: GoRegex }
export interface ListLiteral { kind: 'list'; vals: string[] }
export interface NilLiteral { kind: 'nil' }

export type Literal =
  | NumberLiteral | IntegerLiteral | UnsignedLiteral | StringLiteral | BooleanLiteral | DurationLiteral | TimeLiteral
  | RegexLiteral | ListLiteral | NilLiteral
export type Expr = VarRef | Call | Distinct | BinaryExpr | ParenExpr | Wildcard | Literal

const LITERAL_KINDS = new Set(['number', 'integer', 'unsigned', 'string', 'boolean', 'duration', 'time', 'regex', 'list', 'nil'])
export function isLiteral(e: Expr): e is Literal {
  return LITERAL_KINDS.has(e.kind)
}

// ---------------------------------------------------------------------------------------------------------------
// Sources, fields, dimensions

export interface Measurement {
  kind: 'measurement'
  database: string
  retentionPolicy: string
  name: string
  regex?: RegexLiteral
  isTarget: boolean
  /** Set by the rewrite of SHOW statements into selects over influxd's system sources (_series, _fieldKeys). */
  systemIterator: string
}
export interface SubQuery { kind: 'subquery'; statement: SelectStatement }
export type Source = Measurement | SubQuery

export interface Field { expr: Expr; alias: string }
export interface Dimension { expr: Expr }
export interface SortField { name: string; ascending: boolean }
export interface Target { measurement: Measurement }

export const Fill = {Null: 0, None: 1, Number: 2, Previous: 3, Linear: 4} as const
export type Fill = (typeof Fill)[keyof typeof Fill]

export const Privilege = {None: 0, Read: 1, Write: 2, All: 3} as const
export type Privilege = (typeof Privilege)[keyof typeof Privilege]

export function privilegeName(p: Privilege): string {
  return ['NO PRIVILEGES', 'READ', 'WRITE', 'ALL PRIVILEGES'][p]
}

// ---------------------------------------------------------------------------------------------------------------
// Statements

export interface SelectStatement {
  type: 'select'
  fields: Field[]
  target?: Target
  sources: Source[]
  condition?: Expr
  dimensions: Dimension[]
  fill: Fill
  /** A number literal's value (float) or an integer's (bigint), for fill(<number>). */
  fillValue?: number | bigint
  sortFields: SortField[]
  limit: number
  offset: number
  slimit: number
  soffset: number
  /** The zone name given to tz(); the executor refuses it (the dev cluster has no zone database). */
  location?: string
  isRawQuery: boolean
  /** Fields of rewritten SHOW statements: no time column, no series name, de-duplicated rows. */
  omitTime?: boolean
  stripName?: boolean
  dedupe?: boolean
}

export type Statement =
  | SelectStatement
  | {type: 'alterRetentionPolicy'; name: string; database: string; duration?: bigint; replication?: number; shardGroupDuration?: bigint; default: boolean}
  | {type: 'createContinuousQuery'; name: string; database: string; source: SelectStatement; resampleEvery: bigint; resampleFor: bigint}
  | {type: 'createDatabase'; name: string; rpCreate: boolean; rpDuration?: bigint; rpReplication?: number; rpName: string; rpShardGroupDuration: bigint}
  | {type: 'createRetentionPolicy'; name: string; database: string; duration: bigint; replication: number; shardGroupDuration: bigint; default: boolean}
  | {type: 'createSubscription'; name: string; database: string; retentionPolicy: string; destinations: string[]; mode: string}
  | {type: 'createUser'; name: string; password: string; admin: boolean}
  | {type: 'deleteSeries'; sources?: Source[]; condition?: Expr}
  | {type: 'dropContinuousQuery'; name: string; database: string}
  | {type: 'dropDatabase'; name: string}
  | {type: 'dropMeasurement'; name: string}
  | {type: 'dropRetentionPolicy'; name: string; database: string}
  | {type: 'dropSeries'; sources?: Source[]; condition?: Expr}
  | {type: 'dropShard'; id: bigint}
  | {type: 'dropSubscription'; name: string; database: string; retentionPolicy: string}
  | {type: 'dropUser'; name: string}
  | {type: 'explain'; statement: SelectStatement; analyze: boolean}
  | {type: 'grant'; privilege: Privilege; on: string; user: string}
  | {type: 'grantAdmin'; user: string}
  | {type: 'killQuery'; queryId: bigint; host: string}
  | {type: 'revoke'; privilege: Privilege; on: string; user: string}
  | {type: 'revokeAdmin'; user: string}
  | {type: 'setPassword'; name: string; password: string}
  | {type: 'showContinuousQueries'}
  | {type: 'showDatabases'}
  | {type: 'showDiagnostics'; module: string}
  | {type: 'showFieldKeyCardinality'; database: string; exact: boolean; sources?: Source[]; condition?: Expr; dimensions: Dimension[]; limit: number; offset: number}
  | {type: 'showFieldKeys'; database: string; sources?: Source[]; sortFields: SortField[]; limit: number; offset: number}
  | {type: 'showGrantsForUser'; name: string}
  | {type: 'showMeasurementCardinality'; database: string; exact: boolean; sources?: Source[]; condition?: Expr; dimensions: Dimension[]; limit: number; offset: number}
  | {type: 'showMeasurements'; database: string; source?: Source; condition?: Expr; sortFields: SortField[]; limit: number; offset: number}
  | {type: 'showQueries'}
  | {type: 'showRetentionPolicies'; database: string}
  | {type: 'showSeries'; database: string; sources?: Source[]; condition?: Expr; sortFields: SortField[]; limit: number; offset: number}
  | {type: 'showSeriesCardinality'; database: string; exact: boolean; sources?: Source[]; condition?: Expr; dimensions: Dimension[]; limit: number; offset: number}
  | {type: 'showShardGroups'}
  | {type: 'showShards'}
  | {type: 'showStats'; module: string}
  | {type: 'showSubscriptions'}
  | {type: 'showTagKeyCardinality'; database: string; exact: boolean; sources?: Source[]; condition?: Expr; dimensions: Dimension[]; limit: number; offset: number}
  | {type: 'showTagKeys'; database: string; sources?: Source[]; condition?: Expr; sortFields: SortField[]; limit: number; offset: number; slimit: number; soffset: number}
  | {type: 'showTagValuesCardinality'; database: string; exact: boolean; sources?: Source[]; op: Tok; tagKeyExpr: Literal; condition?: Expr; dimensions: Dimension[]; limit: number; offset: number}
  | {type: 'showTagValues'; database: string; sources?: Source[]; op: Tok; tagKeyExpr: Literal; condition?: Expr; sortFields: SortField[]; limit: number; offset: number}
  | {type: 'showUsers'}

export type StatementType = Statement['type']
export type StatementOf<K extends StatementType> = Extract<Statement, {type: K}>

export function newSelect(): SelectStatement {
  return {type: 'select', fields: [], sources: [], dimensions: [], fill: Fill.Null, sortFields: [], limit: 0, offset: 0, slimit: 0, soffset: 0, isRawQuery: false}
}

export function newMeasurement(): Measurement {
  return {kind: 'measurement', database: '', retentionPolicy: '', name: '', isTarget: false, systemIterator: ''}
}

// ---------------------------------------------------------------------------------------------------------------
// Quoting

/** True when an identifier must be double-quoted to read back as the same identifier. */
export function identNeedsQuotes(ident: string): boolean {
  if (lookup(ident) !== T.IDENT) return true
  let first = true
  for (const ch of ident) {
    const c = ch.codePointAt(0)!
    if (first ? !isIdentFirstChar(c) : !isIdentChar(c)) return true
    first = false
  }
  return false
}

const escapeIdent = (s: string): string => s.replace(/[\n\\"]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))
const escapeString = (s: string): string => s.replace(/[\n\\']/g, (c) => (c === '\n' ? '\\n' : '\\' + c))

export function quoteString(s: string): string {
  return "'" + escapeString(s) + "'"
}

/** Joins segments with dots, quoting those that need it (and every non-last, non-empty segment, as influxd does). */
export function quoteIdent(...segments: string[]): string {
  let out = ''
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1
    const needQuote = identNeedsQuotes(seg) || (!last && seg !== '') || ((i === 0 || last) && seg === '')
    out += needQuote ? '"' + escapeIdent(seg) + '"' : escapeIdent(seg)
    if (!last) out += '.'
  })
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Printing

/** Go's strconv.FormatFloat(v, 'f', 3, 64). */
function formatFloat3(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf'
  const s = v.toFixed(3)
  return Object.is(v, -0) || (v < 0 && s === '0.000') ? '-' + s.replace(/^-/, '') : s
}

/** Go's fmt %v of a float64: shortest digits, exponent form when the exponent is below -4 or at least 6. */
export function goFloatV(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf'
  if (Object.is(v, -0)) return '-0'
  if (v === 0) return '0'
  const [m, e] = v.toExponential().split('e')
  const exp = Number(e)
  if (exp < -4 || exp >= 6) return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return String(v)
}

export function exprString(e: Expr): string {
  switch (e.kind) {
    case 'varref': return quoteIdent(e.val) + (e.type !== DataType.Unknown ? '::' + dataTypeName(e.type) : '')
    case 'call': return `${e.name}(${e.args.map(exprString).join(', ')})`
    case 'distinct': return `DISTINCT ${e.val}`
    case 'binary': return `${exprString(e.lhs)} ${tokenName(e.op)} ${exprString(e.rhs)}`
    case 'paren': return `(${exprString(e.expr)})`
    case 'wildcard': return e.type === T.FIELD ? '*::field' : e.type === T.TAG ? '*::tag' : '*'
    case 'number': return formatFloat3(e.val)
    case 'integer': return e.val.toString()
    case 'unsigned': return e.val.toString()
    case 'string': return quoteString(e.val)
    case 'boolean': return e.val ? 'true' : 'false'
    case 'duration': return formatDuration(e.val)
    case 'time': return "'" + rfc3339Nano(e.val) + "'"
    case 'regex': return '/' + e.val.source.replaceAll('/', '\\/') + '/'
    case 'list': return '(' + e.vals.map((v) => quoteIdent(v)).join(', ') + ')'
    case 'nil': return 'nil'
  }
}

export function measurementString(m: Measurement): string {
  let out = ''
  if (m.database !== '') out += quoteIdent(m.database) + '.'
  if (m.retentionPolicy !== '') out += quoteIdent(m.retentionPolicy)
  if (m.database !== '' || m.retentionPolicy !== '') out += '.'
  if (m.name !== '' && m.systemIterator === '') out += quoteIdent(m.name)
  else if (m.systemIterator !== '') out += quoteIdent(m.systemIterator)
  else if (m.regex !== undefined) out += exprString(m.regex)
  return out
}

export function sourceString(s: Source): string {
  return s.kind === 'measurement' ? measurementString(s) : `(${selectString(s.statement)})`
}

const sourcesString = (a: Source[]): string => a.map(sourceString).join(', ')

export function fieldString(f: Field): string {
  const s = exprString(f.expr)
  return f.alias === '' ? s : `${s} AS ${quoteIdent(f.alias)}`
}

function sortFieldsString(a: SortField[]): string {
  return a.map((f) => (f.name !== '' ? f.name + ' ' : '') + (f.ascending ? 'ASC' : 'DESC')).join(', ')
}

const dimensionsString = (a: Dimension[]): string => a.map((d) => exprString(d.expr)).join(', ')

function fillValueString(v: number | bigint | undefined): string {
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') return goFloatV(v)
  return '<nil>'
}

export function selectString(s: SelectStatement): string {
  let out = 'SELECT ' + s.fields.map(fieldString).join(', ')
  if (s.target !== undefined) out += ' ' + targetString(s.target)
  if (s.sources.length > 0) out += ' FROM ' + sourcesString(s.sources)
  if (s.condition !== undefined) out += ' WHERE ' + exprString(s.condition)
  if (s.dimensions.length > 0) out += ' GROUP BY ' + dimensionsString(s.dimensions)
  switch (s.fill) {
    case Fill.None: out += ' fill(none)'; break
    case Fill.Number: out += ` fill(${fillValueString(s.fillValue)})`; break
    case Fill.Linear: out += ' fill(linear)'; break
    case Fill.Previous: out += ' fill(previous)'; break
  }
  if (s.sortFields.length > 0) out += ' ORDER BY ' + sortFieldsString(s.sortFields)
  if (s.limit > 0) out += ` LIMIT ${s.limit}`
  if (s.offset > 0) out += ` OFFSET ${s.offset}`
  if (s.slimit > 0) out += ` SLIMIT ${s.slimit}`
  if (s.soffset > 0) out += ` SOFFSET ${s.soffset}`
  if (s.location !== undefined) out += ` TZ('${s.location}')`
  return out
}

function targetString(t: Target): string {
  return 'INTO ' + measurementString(t.measurement) + (t.measurement.name === '' ? ':MEASUREMENT' : '')
}

const on = (db: string): string => (db !== '' ? ' ON ' + quoteIdent(db) : '')
const from = (sources: Source[] | undefined): string => (sources !== undefined ? ' FROM ' + sourcesString(sources) : '')
const where = (c: Expr | undefined): string => (c !== undefined ? ' WHERE ' + exprString(c) : '')
const orderBy = (a: SortField[]): string => (a.length > 0 ? ' ORDER BY ' + sortFieldsString(a) : '')
const groupBy = (a: Dimension[]): string => (a.length > 0 ? ' GROUP BY ' + dimensionsString(a) : '')
const limitOffset = (limit: number, offset: number): string => (limit > 0 ? ` LIMIT ${limit}` : '') + (offset > 0 ? ` OFFSET ${offset}` : '')

function tagKeyExprString(op: Tok, lit: Literal): string {
  return ' WITH KEY ' + tokenName(op) + ' ' + (lit.kind === 'string' ? quoteIdent(lit.val) : exprString(lit))
}

/** The text influxd prints for a statement (its String() method). */
export function statementString(s: Statement): string {
  switch (s.type) {
    case 'select': return selectString(s)
    case 'alterRetentionPolicy': {
      let out = `ALTER RETENTION POLICY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}`
      if (s.duration !== undefined) out += ' DURATION ' + formatDuration(s.duration)
      if (s.replication !== undefined) out += ` REPLICATION ${s.replication}`
      if (s.shardGroupDuration !== undefined) out += ' SHARD DURATION ' + formatDuration(s.shardGroupDuration)
      if (s.default) out += ' DEFAULT'
      return out
    }
    case 'createContinuousQuery': {
      let out = `CREATE CONTINUOUS QUERY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)} `
      if (s.resampleEvery > 0n || s.resampleFor > 0n) {
        out += 'RESAMPLE '
        if (s.resampleEvery > 0n) out += `EVERY ${formatDuration(s.resampleEvery)} `
        if (s.resampleFor > 0n) out += `FOR ${formatDuration(s.resampleFor)} `
      }
      return out + `BEGIN ${selectString(s.source)} END`
    }
    case 'createDatabase': {
      let out = 'CREATE DATABASE ' + quoteIdent(s.name)
      if (s.rpCreate) {
        out += ' WITH'
        if (s.rpDuration !== undefined) out += ' DURATION ' + goDurationString(s.rpDuration)
        if (s.rpReplication !== undefined) out += ` REPLICATION ${s.rpReplication}`
        if (s.rpShardGroupDuration > 0n) out += ' SHARD DURATION ' + goDurationString(s.rpShardGroupDuration)
        if (s.rpName !== '') out += ' NAME ' + quoteIdent(s.rpName)
      }
      return out
    }
    case 'createRetentionPolicy': {
      let out = `CREATE RETENTION POLICY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)} DURATION ${formatDuration(s.duration)} REPLICATION ${s.replication}`
      if (s.shardGroupDuration > 0n) out += ' SHARD DURATION ' + formatDuration(s.shardGroupDuration)
      if (s.default) out += ' DEFAULT'
      return out
    }
    case 'createSubscription':
      return `CREATE SUBSCRIPTION ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}.${quoteIdent(s.retentionPolicy)} DESTINATIONS ${s.mode} ${s.destinations.map(quoteString).join(', ')}`
    case 'createUser': return `CREATE USER ${quoteIdent(s.name)} WITH PASSWORD [REDACTED]` + (s.admin ? ' WITH ALL PRIVILEGES' : '')
    case 'deleteSeries': return 'DELETE' + from(s.sources) + where(s.condition)
    case 'dropContinuousQuery': return `DROP CONTINUOUS QUERY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}`
    case 'dropDatabase': return 'DROP DATABASE ' + quoteIdent(s.name)
    case 'dropMeasurement': return 'DROP MEASUREMENT ' + quoteIdent(s.name)
    case 'dropRetentionPolicy': return `DROP RETENTION POLICY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}`
    case 'dropSeries': return 'DROP SERIES' + from(s.sources) + where(s.condition)
    case 'dropShard': return `DROP SHARD ${s.id}`
    case 'dropSubscription': return `DROP SUBSCRIPTION ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}.${quoteIdent(s.retentionPolicy)}`
    case 'dropUser': return 'DROP USER ' + quoteIdent(s.name)
    case 'explain': return 'EXPLAIN ' + (s.analyze ? 'ANALYZE ' : '') + selectString(s.statement)
    case 'grant': return `GRANT ${privilegeName(s.privilege)} ON ${quoteIdent(s.on)} TO ${quoteIdent(s.user)}`
    case 'grantAdmin': return 'GRANT ALL PRIVILEGES TO ' + quoteIdent(s.user)
    case 'killQuery': return `KILL QUERY ${s.queryId}` + (s.host !== '' ? ' ON ' + quoteIdent(s.host) : '')
    case 'revoke': return `REVOKE ${privilegeName(s.privilege)} ON ${quoteIdent(s.on)} FROM ${quoteIdent(s.user)}`
    case 'revokeAdmin': return 'REVOKE ALL PRIVILEGES FROM ' + quoteIdent(s.user)
    case 'setPassword': return `SET PASSWORD FOR ${quoteIdent(s.name)} = [REDACTED]`
    case 'showContinuousQueries': return 'SHOW CONTINUOUS QUERIES'
    case 'showDatabases': return 'SHOW DATABASES'
    case 'showDiagnostics': return 'SHOW DIAGNOSTICS' + (s.module !== '' ? ' FOR ' + quoteString(s.module) : '')
    case 'showFieldKeyCardinality':
      return 'SHOW FIELD KEY ' + (s.exact ? 'EXACT ' : '') + 'CARDINALITY' + on(s.database) + from(s.sources) + where(s.condition) + groupBy(s.dimensions) + limitOffset(s.limit, s.offset)
    case 'showFieldKeys': return 'SHOW FIELD KEYS' + on(s.database) + from(s.sources) + orderBy(s.sortFields) + limitOffset(s.limit, s.offset)
    case 'showGrantsForUser': return 'SHOW GRANTS FOR ' + quoteIdent(s.name)
    case 'showMeasurementCardinality':
      return 'SHOW MEASUREMENT' + (s.exact ? ' EXACT' : '') + ' CARDINALITY' + on(s.database) + from(s.sources) + where(s.condition) + groupBy(s.dimensions) + limitOffset(s.limit, s.offset)
    case 'showMeasurements': {
      let out = 'SHOW MEASUREMENTS' + (s.database !== '' ? ' ON ' + s.database : '')
      if (s.source !== undefined) {
        const isRegex = s.source.kind === 'measurement' && s.source.regex !== undefined
        out += ' WITH MEASUREMENT ' + (isRegex ? '=~ ' : '= ') + sourceString(s.source)
      }
      return out + where(s.condition) + orderBy(s.sortFields) + limitOffset(s.limit, s.offset)
    }
    case 'showQueries': return 'SHOW QUERIES'
    case 'showRetentionPolicies': return 'SHOW RETENTION POLICIES' + on(s.database)
    case 'showSeries': return 'SHOW SERIES' + on(s.database) + from(s.sources) + where(s.condition) + orderBy(s.sortFields) + limitOffset(s.limit, s.offset)
    case 'showSeriesCardinality':
      return 'SHOW SERIES' + (s.exact ? ' EXACT' : '') + ' CARDINALITY' + on(s.database) + from(s.sources) + where(s.condition) + groupBy(s.dimensions) + limitOffset(s.limit, s.offset)
    case 'showShardGroups': return 'SHOW SHARD GROUPS'
    case 'showShards': return 'SHOW SHARDS'
    case 'showStats': return 'SHOW STATS' + (s.module !== '' ? ' FOR ' + quoteString(s.module) : '')
    case 'showSubscriptions': return 'SHOW SUBSCRIPTIONS'
    case 'showTagKeyCardinality':
      return 'SHOW TAG KEY ' + (s.exact ? 'EXACT ' : '') + 'CARDINALITY' + on(s.database) + from(s.sources) + where(s.condition) + groupBy(s.dimensions) + limitOffset(s.limit, s.offset)
    case 'showTagKeys':
      return 'SHOW TAG KEYS' + on(s.database) + from(s.sources) + where(s.condition) + orderBy(s.sortFields) + limitOffset(s.limit, s.offset) +
        (s.slimit > 0 ? ` SLIMIT ${s.slimit}` : '') + (s.soffset > 0 ? ` SOFFSET ${s.soffset}` : '')
    case 'showTagValuesCardinality':
      return 'SHOW TAG VALUES ' + (s.exact ? 'EXACT ' : '') + 'CARDINALITY' + on(s.database) + from(s.sources) + tagKeyExprString(s.op, s.tagKeyExpr) +
        where(s.condition) + groupBy(s.dimensions) + limitOffset(s.limit, s.offset)
    case 'showTagValues':
      return 'SHOW TAG VALUES' + on(s.database) + from(s.sources) + tagKeyExprString(s.op, s.tagKeyExpr) + where(s.condition) + orderBy(s.sortFields) + limitOffset(s.limit, s.offset)
    case 'showUsers': return 'SHOW USERS'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Field naming (column names)

/** Names of the variables and calls in a binary expression, joined by "_" (influxd's BinaryExprName). */
function binaryExprName(e: Expr): string {
  const names: string[] = []
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'varref': names.push(x.val); break
      case 'call': names.push(x.name); break
      case 'binary': walk(x.lhs); walk(x.rhs); break
      case 'paren': walk(x.expr); break
      default: break
    }
  }
  walk(e)
  return names.join('_')
}

/** The column name of a field: its alias, else the call name, variable name or joined names. */
export function fieldName(f: Field): string {
  if (f.alias !== '') return f.alias
  let e = f.expr
  while (e.kind === 'paren') e = e.expr
  switch (e.kind) {
    case 'call': return e.name
    case 'binary': return binaryExprName(e)
    case 'varref': return e.val
    default: return ''
  }
}

/** True for expressions whose left side is `time` (at any AND/OR level). */
export function hasTimeExpr(e: Expr | undefined): boolean {
  if (e === undefined) return false
  switch (e.kind) {
    case 'binary':
      if (e.op === T.AND || e.op === T.OR) return hasTimeExpr(e.lhs) || hasTimeExpr(e.rhs)
      return e.lhs.kind === 'varref' && e.lhs.val.toLowerCase() === 'time'
    case 'paren': return hasTimeExpr(e.expr)
    default: return false
  }
}

export function isSelector(e: Expr): boolean {
  return e.kind === 'call' && ['first', 'last', 'min', 'max', 'percentile', 'sample', 'top', 'bottom'].includes(e.name)
}

export function cloneExpr<E extends Expr>(e: E): E {
  switch (e.kind) {
    case 'binary': return {...e, lhs: cloneExpr(e.lhs), rhs: cloneExpr(e.rhs)}
    case 'call': return {...e, args: e.args.map(cloneExpr)}
    case 'paren': return {...e, expr: cloneExpr(e.expr)}
    case 'list': return {...e, vals: [...e.vals]}
    default: return {...e}
  }
}

export function cloneSelect(s: SelectStatement): SelectStatement {
  return {
    ...s,
    fields: s.fields.map((f) => ({expr: cloneExpr(f.expr), alias: f.alias})),
    sources: s.sources.map((src) => (src.kind === 'measurement' ? {...src} : {kind: 'subquery', statement: cloneSelect(src.statement)})),
    condition: s.condition === undefined ? undefined : cloneExpr(s.condition),
    dimensions: s.dimensions.map((d) => ({expr: cloneExpr(d.expr)})),
    sortFields: s.sortFields.map((f) => ({...f})),
    target: s.target === undefined ? undefined : {measurement: {...s.target.measurement}},
  }
}
