/**
 * Planning a SELECT the way influxd 1.6 compiles and prepares it (query/compile.go, influxql RewriteFields): the
 * checks run in influxd's order so the first error a client sees is the same, then fields are typed from the
 * shards' field sets, wildcards expanded, column names chosen, and the calls and variables each row needs collected.
 */
import {
  type Call, ConditionError, DataType, type Expr, type Field, Fill, type GoRegex, MATH_FUNCTIONS, MAX_TIME, MIN_TIME, type SelectStatement, T,
  U64, type Value, cloneExpr, conditionExpr, dataTypeName, evalExpr, exprString, fieldName, formatDuration, isLiteral, isSelector,
  parseTimeString, reduce, typeLessThan,
} from '../../../influxql/index.js'
import type {CallName, CallSpec, FieldTypeName, FieldsPartial, MeasurementSelector, RefSpec} from './shard-types.js'

export class QueryError extends Error {}

const fail = (message: string): never => {
  throw new QueryError(message)
}

/** Functions influxd knows but this executor does not run. */
const KNOWN_UNSUPPORTED = new Set([
  'distinct', 'mode', 'sample', 'top', 'bottom', 'derivative', 'non_negative_derivative', 'difference', 'non_negative_difference',
  'cumulative_sum', 'moving_average', 'exponential_moving_average', 'double_exponential_moving_average', 'triple_exponential_moving_average',
  'relative_strength_index', 'triple_exponential_derivative', 'kaufmans_efficiency_ratio', 'kaufmans_adaptive_moving_average',
  'chande_momentum_oscillator', 'elapsed', 'integral', 'holt_winters', 'holt_winters_with_fit',
])

export interface SourceRef {
  database: string
  retentionPolicy: string
  measurement: {name: string} | {regex: GoRegex}
}

export function selectorOf(s: SourceRef): MeasurementSelector {
  return 'name' in s.measurement ? {name: s.measurement.name} : {regex: s.measurement.regex.source}
}

/** The statement after influxd's compile step (before the shards are known). */
export interface Compiled {
  stmt: SelectStatement
  condition?: Expr
  start: bigint
  end: bigint
  interval: bigint
  offset: bigint
  ascending: boolean
  timeAlias: string
  fields: Field[]
  onlySelectors: boolean
  hasAuxiliaryFields: boolean
  functionCalls: Call[]
}

// ---------------------------------------------------------------------------------------------------------------
// Compile

/** Go's time.Time.Truncate: down to a multiple of d counted from 0001-01-01 (not from the Unix epoch). */
function goTruncate(t: bigint, d: bigint): bigint {
  const GO_ZERO = -62135596800000000000n
  const since = t - GO_ZERO
  let r = since % d
  if (r < 0n) r += d
  return t - r
}

function validateCondition(e: Expr | undefined): void {
  if (e === undefined) return
  switch (e.kind) {
    case 'binary':
      validateCondition(e.lhs)
      validateCondition(e.rhs)
      return
    case 'call': {
      if (!MATH_FUNCTIONS.has(e.name)) fail(`invalid function call in condition: ${exprString(e)}`)
      const nargs = e.name === 'atan2' || e.name === 'pow' ? 2 : 1
      if (e.args.length !== nargs) fail(`invalid number of arguments for ${e.name}, expected ${nargs}, got ${e.args.length}`)
      for (const a of e.args) validateCondition(a)
      return
    }
    default: return
  }
}

/** Constant folding of math calls on literals (influxd reduces fields with its MathValuer). */
function reduceMath(e: Expr): Expr {
  switch (e.kind) {
    case 'binary': return reduce({kind: 'binary', op: e.op, lhs: reduceMath(e.lhs), rhs: reduceMath(e.rhs)})!
    case 'paren': {
      const inner = reduceMath(e.expr)
      return inner.kind === 'binary' ? {kind: 'paren', expr: inner} : inner
    }
    case 'call': {
      const args = e.args.map(reduceMath)
      if (MATH_FUNCTIONS.has(e.name) && args.every((a) => isLiteral(a))) {
        const v = evalExpr({kind: 'call', name: e.name, args}, () => undefined)
        return valueLiteral(v)
      }
      return {kind: 'call', name: e.name, args}
    }
    default: return e
  }
}

function valueLiteral(v: Value): Expr {
  if (typeof v === 'number') return {kind: 'number', val: v}
  if (typeof v === 'bigint') return {kind: 'integer', val: v}
  if (v instanceof U64) return {kind: 'unsigned', val: v.v}
  if (typeof v === 'string') return {kind: 'string', val: v}
  if (typeof v === 'boolean') return {kind: 'boolean', val: v}
  return {kind: 'nil'}
}

class FieldCompiler {
  allowWildcard = true
  constructor(private readonly g: Compiled) {}

  compile(e: Expr): void {
    switch (e.kind) {
      case 'varref':
        this.g.hasAuxiliaryFields = true
        return
      case 'wildcard':
        this.g.hasAuxiliaryFields = true
        if (!this.allowWildcard) fail('unable to use wildcard in a binary expression')
        return
      case 'regex':
        if (!this.allowWildcard) fail('unable to use regex in a binary expression')
        this.g.hasAuxiliaryFields = true
        return
      case 'call':
        if (MATH_FUNCTIONS.has(e.name)) return this.mathFunction(e)
        this.g.functionCalls.push(e)
        return this.callExpr(e)
      case 'distinct':
        this.g.functionCalls.push({kind: 'call', name: 'distinct', args: [{kind: 'varref', val: e.val, type: DataType.Unknown}]})
        this.g.onlySelectors = false
        return
      case 'binary': {
        this.allowWildcard = false
        const l = isLiteral(e.lhs)
        const r = isLiteral(e.rhs)
        if (l && r) fail('cannot perform a binary expression on two literals')
        if (l) return this.compile(e.rhs)
        if (r) return this.compile(e.lhs)
        this.compile(e.lhs)
        this.compile(e.rhs)
        return
      }
      case 'paren': return this.compile(e.expr)
      default:
        if (isLiteral(e)) fail('field must contain at least one variable')
        fail('unimplemented')
    }
  }

  private symbol(name: string, arg: Expr): void {
    switch (arg.kind) {
      case 'varref': return
      case 'wildcard':
        if (!this.allowWildcard) fail(`unsupported expression with wildcard: ${name}()`)
        this.g.onlySelectors = false
        return
      case 'regex':
        if (!this.allowWildcard) fail(`unsupported expression with regex field: ${name}()`)
        this.g.onlySelectors = false
        return
      default: fail(`expected field argument in ${name}()`)
    }
  }

  private callExpr(e: Call): void {
    switch (e.name) {
      case 'percentile':
        if (e.args.length !== 2) fail(`invalid number of arguments for percentile, expected 2, got ${e.args.length}`)
        if (e.args[1].kind !== 'integer' && e.args[1].kind !== 'number') fail('expected float argument in percentile()')
        return this.symbol('percentile', e.args[0])
      case 'max': case 'min': case 'first': case 'last':
        break
      case 'count': case 'sum': case 'mean': case 'median': case 'mode': case 'stddev': case 'spread':
        this.g.onlySelectors = false
        break
      default:
        if (KNOWN_UNSUPPORTED.has(e.name)) fail(`${e.name}() is not supported by the dev cluster's query engine`)
        fail(`undefined function ${e.name}()`)
    }
    if (e.args.length !== 1) fail(`invalid number of arguments for ${e.name}, expected 1, got ${e.args.length}`)
    if (e.name === 'count' && (e.args[0].kind === 'distinct' || (e.args[0].kind === 'call' && e.args[0].name === 'distinct'))) {
      fail('count(distinct()) is not supported by the dev cluster\'s query engine')
    }
    if (e.name === 'mode') fail('mode() is not supported by the dev cluster\'s query engine')
    this.symbol(e.name, e.args[0])
  }

  private mathFunction(e: Call): void {
    const nargs = e.name === 'atan2' || e.name === 'pow' || e.name === 'log' ? 2 : 1
    if (e.args.length !== nargs) fail(`invalid number of arguments for ${e.name}, expected ${nargs}, got ${e.args.length}`)
    for (const a of e.args) if (!isLiteral(a)) this.compile(a)
  }
}

export function compileSelect(input: SelectStatement, now: bigint): Compiled {
  const stmt = input
  if (stmt.sources.some((s) => s.kind === 'subquery')) fail('subqueries are not supported by the dev cluster\'s query engine')
  if (stmt.location !== undefined && stmt.location !== '' && stmt.location !== 'UTC') fail('tz() is not supported by the dev cluster\'s query engine (it answers in UTC only)')
  const g: Compiled = {
    stmt, start: MIN_TIME, end: MAX_TIME, interval: 0n, offset: 0n, ascending: stmt.sortFields.length === 0 || stmt.sortFields[0].ascending,
    timeAlias: 'time', fields: [], onlySelectors: true, hasAuxiliaryFields: false, functionCalls: [],
  }
  // preprocess
  let cond: Expr | undefined
  let min: bigint | undefined
  let max: bigint | undefined
  try {
    const c = conditionExpr(stmt.condition, {now})
    cond = c.expr
    min = c.range.min
    max = c.range.max
  } catch (err) {
    if (err instanceof ConditionError) fail(err.message)
    throw err
  }
  validateCondition(cond)
  g.condition = cond
  compileDimensions(g, now)
  g.start = min ?? MIN_TIME
  g.end = max ?? (g.interval !== 0n ? now : MAX_TIME)

  // compile fields
  for (const f of stmt.fields) {
    if (f.expr.kind === 'varref' && f.expr.val === 'time') {
      if (f.alias !== '') g.timeAlias = f.alias
      continue
    }
    const field: Field = {expr: reduceMath(f.expr), alias: f.alias}
    g.fields.push(field)
    new FieldCompiler(g).compile(field.expr)
  }
  validateFields(g)
  return g
}

function compileDimensions(g: Compiled, now: bigint): void {
  for (const d of g.stmt.dimensions) {
    const e = reduce(d.expr)!
    switch (e.kind) {
      case 'varref':
        if (e.val.toLowerCase() === 'time') fail('time() is a function and expects at least one argument')
        break
      case 'call': {
        if (e.name !== 'time') fail('only time() calls allowed in dimensions')
        if (e.args.length < 1 || e.args.length > 2) fail('time dimension expected 1 or 2 arguments')
        const lit = e.args[0]
        if (lit.kind !== 'duration') fail('time dimension must have duration argument')
        if (g.interval !== 0n) fail('multiple time dimensions not allowed')
        const dur = (lit as {val: bigint}).val
        if (dur < 0n) fail(`time dimension must be positive: ${formatDuration(dur)}`)
        g.interval = dur
        if (e.args.length === 2 && dur !== 0n) {
          const off = e.args[1]
          switch (off.kind) {
            case 'duration': g.offset = off.val % dur; break
            case 'time': g.offset = off.val - goTruncate(off.val, dur); break
            case 'call':
              if (off.name !== 'now') fail('time dimension offset function must be now()')
              if (off.args.length !== 0) fail('time dimension offset now() function requires no arguments')
              g.offset = now - goTruncate(now, dur)
              break
            case 'string': {
              const t = parseTimeString(off.val)
              if (t === undefined) fail('time dimension offset must be duration or now()')
              g.offset = t! - goTruncate(t!, dur)
              break
            }
            default: fail('time dimension offset must be duration or now()')
          }
        }
        break
      }
      case 'wildcard': case 'regex': break
      default: fail('only time and tag dimensions allowed')
    }
  }
}

function validateFields(g: Compiled): void {
  if (g.fields.length === 0) fail('at least 1 non-time field must be queried')
  if (g.functionCalls.length === 0) {
    if (g.stmt.fill === Fill.None) fail('fill(none) must be used with a function')
    if (g.stmt.fill === Fill.Linear) fail('fill(linear) must be used with a function')
    if (g.interval !== 0n) fail('GROUP BY requires at least one aggregate function')
  }
  if (g.hasAuxiliaryFields) {
    if (!g.onlySelectors) fail('mixing aggregate and non-aggregate queries is not supported')
    if (g.functionCalls.length > 1) fail('mixing multiple selector functions with tags or fields is not supported')
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Field types from the shards (influxd's FieldMapper over the mapped shards)

export interface TypeInfo {
  /** Measurement names of each source, as the shards report them. */
  measurements: Map<string, {fields: Map<string, DataType>; tagKeys: Set<string>}>
}

const FIELD_TYPE: Record<FieldTypeName, DataType> = {
  float: DataType.Float, integer: DataType.Integer, unsigned: DataType.Unsigned, string: DataType.String, boolean: DataType.Boolean,
}

export function typeInfoFrom(p: FieldsPartial): TypeInfo {
  const measurements = new Map<string, {fields: Map<string, DataType>; tagKeys: Set<string>}>()
  for (const [m, e] of p.measurements) {
    const fields = new Map<string, DataType>()
    for (const [f, types] of e.fields) {
      let t: DataType = DataType.Unknown
      for (const name of types) if (typeLessThan(t, FIELD_TYPE[name])) t = FIELD_TYPE[name]
      fields.set(f, t)
    }
    measurements.set(m, {fields, tagKeys: e.tagKeys})
  }
  return {measurements}
}

/** influxd's MapType across the sources: the field's type (the highest-priority one), else Tag, else Unknown. */
function mapType(info: TypeInfo, measurements: string[], name: string): DataType {
  let typ: DataType = DataType.Unknown
  for (const m of measurements) {
    const e = info.measurements.get(m)
    if (e === undefined) continue
    let t: DataType = DataType.Unknown
    if (['_name', '_tagKey', '_tagValue', '_seriesKey'].includes(name)) t = DataType.String
    else if (e.fields.has(name)) t = e.fields.get(name)!
    else if (e.tagKeys.has(name)) t = DataType.Tag
    if (typeLessThan(typ, t)) typ = t
  }
  return typ
}

// ---------------------------------------------------------------------------------------------------------------
// Types of expressions (influxd's TypeValuerEval with the query engine's function types)

class TypeError2 extends Error {}

function zeroOf(t: DataType): Value {
  switch (t) {
    case DataType.Float: return 0
    case DataType.Integer: return 0n
    case DataType.Unsigned: return new U64(0n)
    case DataType.String: case DataType.Tag: return ''
    case DataType.Boolean: return false
    default: return null
  }
}

function typeOfValue(v: Value): DataType {
  if (typeof v === 'number') return DataType.Float
  if (typeof v === 'bigint') return DataType.Integer
  if (v instanceof U64) return DataType.Unsigned
  if (typeof v === 'string') return DataType.String
  if (typeof v === 'boolean') return DataType.Boolean
  return DataType.Unknown
}

function callType(name: string, args: DataType[]): DataType {
  const a0 = args[0] ?? DataType.Unknown
  let t: DataType
  switch (name) {
    case 'mean': t = DataType.Float; break
    case 'count': t = DataType.Integer; break
    case 'median': case 'integral': case 'stddev': case 'derivative': case 'non_negative_derivative': case 'moving_average':
    case 'exponential_moving_average': case 'double_exponential_moving_average': case 'triple_exponential_moving_average':
    case 'relative_strength_index': case 'triple_exponential_derivative': case 'kaufmans_efficiency_ratio':
    case 'kaufmans_adaptive_moving_average': case 'chande_momentum_oscillator': case 'holt_winters': case 'holt_winters_with_fit':
      t = DataType.Float
      break
    case 'elapsed': t = DataType.Integer; break
    default: t = a0
  }
  if (t !== DataType.Unknown) return t
  return mathCallType(name, args)
}

function mathCallType(name: string, args: DataType[]): DataType {
  const a0 = args[0] ?? DataType.Unknown
  const a1 = args[1] ?? DataType.Unknown
  const numeric = (t: DataType): boolean => t === DataType.Float || t === DataType.Integer || t === DataType.Unsigned || t === DataType.Unknown
  switch (name) {
    case 'sin': case 'cos': case 'tan': case 'atan': case 'exp': case 'log': case 'ln': case 'log2': case 'log10': case 'sqrt':
      if (!numeric(a0)) throw new TypeError2(`invalid argument type for the first argument in ${name}(): ${dataTypeName(a0)}`)
      return DataType.Float
    case 'asin': case 'acos':
      if (a0 !== DataType.Float && a0 !== DataType.Unknown) throw new TypeError2(`invalid argument type for the first argument in ${name}(): ${dataTypeName(a0)}`)
      return DataType.Float
    case 'atan2': case 'pow':
      if (!numeric(a0)) throw new TypeError2(`invalid argument type for the first argument in ${name}(): ${dataTypeName(a0)}`)
      if (!numeric(a1)) throw new TypeError2(`invalid argument type for the second argument in ${name}(): ${dataTypeName(a1)}`)
      return DataType.Float
    case 'abs': case 'floor': case 'ceil': case 'round':
      if (!numeric(a0)) throw new TypeError2(`invalid argument type for the first argument in ${name}(): ${dataTypeName(a0)}`)
      return a0
  }
  return DataType.Unknown
}

/** The type of an expression; throws TypeError2 with influxd's message for incompatible operands. */
export function evalType(e: Expr, symbolTypes?: ReadonlyMap<string, DataType>): DataType {
  switch (e.kind) {
    case 'varref': return symbolTypes?.get(e.val) ?? (e.type === DataType.AnyField ? DataType.Unknown : e.type)
    case 'call': return callType(e.name, e.args.map((a) => evalType(a, symbolTypes)))
    case 'paren': return evalType(e.expr, symbolTypes)
    case 'number': return DataType.Float
    case 'integer': return DataType.Integer
    case 'unsigned': return DataType.Unsigned
    case 'string': return DataType.String
    case 'boolean': return DataType.Boolean
    case 'binary': {
      const l = evalType(e.lhs, symbolTypes)
      const r = evalType(e.rhs, symbolTypes)
      const op = e.op
      const opName = exprString({kind: 'binary', op, lhs: {kind: 'nil'}, rhs: {kind: 'nil'}}).slice(4, -4)
      if (l === DataType.Unsigned && r === DataType.Integer) {
        if (isLiteral(e.lhs)) throw new TypeError2(`type error: ${exprString(e)}: cannot use ${opName} with an integer and unsigned literal`)
        if (!isLiteral(e.rhs)) throw new TypeError2(`type error: ${exprString(e)}: cannot use ${opName} between an integer and unsigned, an explicit cast is required`)
      } else if (l === DataType.Integer && r === DataType.Unsigned) {
        if (isLiteral(e.rhs)) throw new TypeError2(`type error: ${exprString(e)}: cannot use ${opName} with an integer and unsigned literal`)
        if (!isLiteral(e.lhs)) throw new TypeError2(`type error: ${exprString(e)}: cannot use ${opName} between an integer and unsigned, an explicit cast is required`)
      }
      if (l === DataType.Unknown) return r
      if (r === DataType.Unknown) return l
      const v = evalExpr({kind: 'binary', op, lhs: {kind: 'varref', val: 'lhs', type: DataType.Unknown}, rhs: {kind: 'varref', val: 'rhs', type: DataType.Unknown}},
        (name) => (name === 'lhs' ? zeroOf(l) : zeroOf(r)))
      const t = typeOfValue(v)
      if (t === DataType.Unknown) throw new TypeError2(`type error: ${exprString(e)}: incompatible types: ${dataTypeName(l)} and ${dataTypeName(r)}`)
      return t
    }
    default: return DataType.Unknown
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rewrite fields (wildcards) and plan

export interface CallPlan {
  spec: CallSpec
  symbol: string
  /** The type of the call's result column (count: integer, mean: float, min: the field's...). */
  outType: DataType
  /** The field does not exist anywhere: influxd skips the call (its column stays null). */
  skipped: boolean
}

export interface Plan {
  compiled: Compiled
  columns: string[]
  /** Field expressions with calls and variables replaced by their symbols. */
  exprs: Expr[]
  /** Variables read outside calls (raw rows, or with a lone selector). */
  refs: RefSpec[]
  calls: CallPlan[]
  /** One call, a selector: rows carry the selected point's time when there is no GROUP BY time. */
  selector: boolean
  /** Group by these tag keys. */
  dimensions: string[]
  condition?: Expr
  /** A mean read through a regex source gets one more influxd merge level. */
  regexSource: boolean
  /** No row can come out (every variable unknown): influxd answers with an empty result. */
  empty: boolean
  /** The symbol of each ref (same order as refs). */
  refSymbols: string[]
}

/** Types every variable of the statement and expands wildcards (influxd's RewriteFields). */
function rewriteFields(g: Compiled, info: TypeInfo, sources: SourceRef[]): {fields: Field[]; dimensions: string[]; condition?: Expr} {
  const measurements = [...new Set(sources.flatMap((s) => {
    const sel = s.measurement
    if ('name' in sel) return info.measurements.has(sel.name) ? [sel.name] : []
    return [...info.measurements.keys()].filter((m) => sel.regex.re.test(m))
  }))]
  const typeRefs = (e: Expr): Expr => {
    switch (e.kind) {
      case 'varref': {
        if (e.type !== DataType.Unknown && e.type !== DataType.AnyField) return e
        const t = mapType(info, measurements, e.val)
        if (t === DataType.Tag && e.type === DataType.AnyField) return e
        return {...e, type: t}
      }
      case 'binary': return {...e, lhs: typeRefs(e.lhs), rhs: typeRefs(e.rhs)}
      case 'paren': return {...e, expr: typeRefs(e.expr)}
      case 'call': return {...e, args: e.args.map(typeRefs)}
      default: return e
    }
  }
  let fields = g.fields.map((f) => ({expr: typeRefs(cloneExpr(f.expr)), alias: f.alias}))
  const condition = g.condition === undefined ? undefined : typeRefs(g.condition)
  const hasFieldWildcard = fields.some((f) => hasWildcard(f.expr))
  const dims = g.stmt.dimensions.map((d) => reduce(d.expr)!)
  const hasDimWildcard = dims.some((d) => d.kind === 'wildcard' || d.kind === 'regex')
  let dimensions = dims.filter((d): d is Expr & {kind: 'varref'} => d.kind === 'varref').map((d) => d.val)
  if (!hasFieldWildcard && !hasDimWildcard) return {fields, dimensions, condition}

  // FieldDimensions over the sources.
  const fieldSet = new Map<string, DataType>()
  const dimSet = new Set<string>()
  for (const m of measurements) {
    const e = info.measurements.get(m)!
    for (const [f, t] of e.fields) if (typeLessThan(fieldSet.get(f) ?? DataType.Unknown, t)) fieldSet.set(f, t)
    for (const k of e.tagKeys) dimSet.add(k)
  }
  if (!hasDimWildcard) for (const d of dimensions) dimSet.delete(d)
  let all: Array<{name: string; type: DataType}> = []
  if (fieldSet.size > 0) {
    all = [...fieldSet].map(([name, type]) => ({name, type}))
    if (!hasDimWildcard) {
      for (const name of dimSet) all.push({name, type: DataType.Tag})
      dimSet.clear()
    }
    all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type - b.type))
  }
  const dimNames = [...dimSet].sort()

  if (hasFieldWildcard) {
    const out: Field[] = []
    for (const f of fields) {
      const e = f.expr
      if (e.kind === 'wildcard') {
        for (const ref of all) {
          if (e.type === T.FIELD && ref.type === DataType.Tag) continue
          if (e.type === T.TAG && ref.type !== DataType.Tag) continue
          out.push({expr: {kind: 'varref', val: ref.name, type: ref.type}, alias: ''})
        }
      } else if (e.kind === 'regex') {
        for (const ref of all) if (e.val.re.test(ref.name)) out.push({expr: {kind: 'varref', val: ref.name, type: ref.type}, alias: ''})
      } else if (e.kind === 'call') {
        let call: Call = e
        while (call.args.length > 0 && call.args[0].kind === 'call') call = call.args[0]
        if (call.args.length === 0) {
          out.push(f)
          continue
        }
        const arg = call.args[0]
        let re: RegExp | undefined
        if (arg.kind === 'wildcard') {
          if (arg.type === T.TAG) fail(`unable to use tag wildcard in ${call.name}()`)
        } else if (arg.kind === 'regex') {
          re = arg.val.re
        } else {
          out.push(f)
          continue
        }
        const supported = new Set<DataType>([DataType.Float, DataType.Integer, DataType.Unsigned])
        switch (call.name) {
          case 'count': case 'first': case 'last': case 'distinct': case 'elapsed': case 'mode': case 'sample':
            supported.add(DataType.String)
            supported.add(DataType.Boolean)
            break
          case 'min': case 'max':
            supported.add(DataType.Boolean)
            break
          case 'holt_winters': case 'holt_winters_with_fit':
            supported.delete(DataType.Unsigned)
            break
        }
        const name = fieldName(f)
        for (const ref of all) {
          if (ref.type === DataType.Tag || !supported.has(ref.type)) continue
          if (re !== undefined && !re.test(ref.name)) continue
          out.push({expr: replaceInnermostArg(e, {kind: 'varref', val: ref.name, type: ref.type}), alias: `${name}_${ref.name}`})
        }
      } else if (e.kind === 'binary') {
        let w = false
        let r = false
        walk(e, (n) => {
          if (n.kind === 'wildcard') w = true
          if (n.kind === 'regex') r = true
        })
        if (w) fail(`unsupported expression with wildcard: ${exprString(e)}`)
        if (r) fail(`unsupported expression with regex field: ${exprString(e)}`)
        out.push(f)
      } else {
        out.push(f)
      }
    }
    fields = out
  }
  if (hasDimWildcard) {
    const out: string[] = []
    for (const d of dims) {
      if (d.kind === 'wildcard') out.push(...dimNames)
      else if (d.kind === 'regex') out.push(...dimNames.filter((n) => d.val.re.test(n)))
      else if (d.kind === 'varref') out.push(d.val)
    }
    dimensions = out
  }
  return {fields, dimensions, condition}
}

function replaceInnermostArg(e: Call, arg: Expr): Expr {
  const copy = cloneExpr(e)
  let call = copy
  while (call.args.length > 0 && call.args[0].kind === 'call') call = call.args[0]
  call.args[0] = arg
  return copy
}

function walk(e: Expr, fn: (n: Expr) => void): void {
  fn(e)
  switch (e.kind) {
    case 'binary': walk(e.lhs, fn); walk(e.rhs, fn); break
    case 'paren': walk(e.expr, fn); break
    case 'call': for (const a of e.args) walk(a, fn); break
    default: break
  }
}

function hasWildcard(e: Expr): boolean {
  let found = false
  walk(e, (n) => {
    if (n.kind === 'wildcard' || n.kind === 'regex') found = true
  })
  return found
}

/** influxd's ColumnNames: the time column, then aliases, then names made unique with _1, _2... */
function columnNames(fields: Field[], timeName: string, omitTime: boolean): string[] {
  const names = new Map<string, number>()
  const out: string[] = fields.map((f) => {
    if (f.alias !== '') {
      names.set(f.alias, 1)
      return f.alias
    }
    return ''
  })
  fields.forEach((f, i) => {
    if (out[i] !== '') return
    let name = fieldName(f)
    const count = names.get(name)
    if (count !== undefined) {
      let c = count
      for (;;) {
        const resolved = `${name}_${c}`
        if (!names.has(resolved)) {
          names.set(name, c + 1)
          name = resolved
          break
        }
        c++
      }
    }
    names.set(name, (names.get(name) ?? 0) + 1)
    out[i] = name
  })
  return omitTime ? out : [timeName, ...out]
}

const CALL_NAMES = new Set<CallName>(['count', 'sum', 'mean', 'min', 'max', 'first', 'last', 'spread', 'stddev', 'median', 'percentile'])

/** The part of influxd's iterator set-up that refuses a call on a field type (the %T is influxd's iterator name). */
function checkCallType(fn: CallName, t: DataType): void {
  const iter = t === DataType.String ? 'string' : t === DataType.Boolean ? 'boolean' : undefined
  if (iter === undefined) return
  const allowed: Record<string, DataType[]> = {count: [DataType.String, DataType.Boolean], first: [DataType.String, DataType.Boolean], last: [DataType.String, DataType.Boolean], min: [DataType.Boolean], max: [DataType.Boolean]}
  if ((allowed[fn] ?? []).includes(t)) return
  fail(`unsupported ${fn} iterator type: *query.${iter}InterruptIterator`)
}

/** Plans a compiled SELECT against the shards' field sets. */
export function planSelect(g: Compiled, info: TypeInfo, sources: SourceRef[]): Plan {
  const rw = rewriteFields(g, info, sources)
  try {
    for (const f of rw.fields) evalType(f.expr)
  } catch (err) {
    if (err instanceof TypeError2) fail(err.message)
    throw err
  }
  const columns = columnNames(rw.fields, g.timeAlias, g.stmt.omitTime === true)

  // Symbols: every distinct call and every variable outside calls, by its printed form.
  const symbols = new Map<string, string>()
  const calls: CallPlan[] = []
  const refs: RefSpec[] = []
  const refKeys: Array<{key: string; ref: RefSpec}> = []
  const symbolize = (e: Expr): Expr => {
    switch (e.kind) {
      case 'call': {
        if (MATH_FUNCTIONS.has(e.name)) return {...e, args: e.args.map(symbolize)}
        const key = exprString(e)
        let sym = symbols.get(key)
        if (sym === undefined) {
          sym = `val${symbols.size}`
          symbols.set(key, sym)
          const fn = e.name as CallName
          if (!CALL_NAMES.has(fn)) fail(`${e.name}() is not supported by the dev cluster's query engine`)
          const arg = e.args[0]
          if (arg.kind !== 'varref') fail(`expected field argument in ${e.name}()`)
          const ref = arg as Expr & {kind: 'varref'}
          const fieldType = ref.type
          let outType: DataType
          try {
            outType = callType(fn, [fieldType])
          } catch (err) {
            if (err instanceof TypeError2) fail(err.message)
            throw err
          }
          const skipped = fieldType === DataType.Unknown || fieldType === DataType.Tag
          if (!skipped) checkCallType(fn, fieldType)
          const pct = fn === 'percentile' ? (e.args[1].kind === 'integer' ? Number(e.args[1].val) : (e.args[1] as {val: number}).val) : undefined
          calls.push({spec: {fn, field: ref.val, type: fieldType, percentile: pct}, symbol: sym, outType: outType!, skipped})
        }
        return {kind: 'varref', val: sym, type: DataType.Unknown}
      }
      case 'varref': {
        const key = exprString(e)
        let sym = symbols.get(key)
        if (sym === undefined) {
          sym = `val${symbols.size}`
          symbols.set(key, sym)
          const ref = {name: e.val, type: e.type === DataType.AnyField ? DataType.Unknown : e.type}
          refKeys.push({key: sym, ref})
        }
        return {kind: 'varref', val: sym, type: DataType.Unknown}
      }
      case 'binary': return {...e, lhs: symbolize(e.lhs), rhs: symbolize(e.rhs)}
      case 'paren': return {...e, expr: symbolize(e.expr)}
      default: return e
    }
  }
  const exprs = rw.fields.map((f) => symbolize(f.expr))
  // influxd reads auxiliary fields sorted by name then type.
  refKeys.sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : a.ref.type - b.ref.type))
  const refSymbols: string[] = []
  for (const {key, ref} of refKeys) {
    refs.push(ref)
    refSymbols.push(key)
  }
  const selector = calls.length === 1 && isSelector({kind: 'call', name: calls[0].spec.fn, args: []})
  const liveCalls = calls.filter((c) => !c.skipped)
  const empty = calls.length > 0 ? liveCalls.length === 0 : !refs.some((r) => r.type !== DataType.Unknown)
  return {
    compiled: g, columns, exprs, refs, refSymbols, calls, selector, dimensions: rw.dimensions, condition: rw.condition,
    regexSource: sources.some((s) => 'regex' in s.measurement), empty,
  }
}
