/**
 * Evaluating InfluxQL expressions the way influxd does: constant folding (Reduce, with now() and time literals),
 * splitting a WHERE clause into its time range and the rest (ConditionExpr), and evaluating an expression against
 * one point (Eval), with Go's types: float64 (number), int64 (bigint), uint64 (U64), string, bool.
 * Integer arithmetic wraps at 64 bits like Go's; comparisons of mismatched types are false, arithmetic on them null.
 */
import {type BinaryExpr, type Expr, type Literal, cloneExpr, exprString} from './ast.js'
import type {GoRegex} from './regex.js'
import {MAX_TIME, MIN_TIME, isTimeString, parseTimeString, rfc3339} from './time.js'
import {T, type Tok, tokenName} from './tokens.js'

/** A uint64 value (rare: huge integer literals and unsigned fields). */
export class U64 {
  constructor(readonly v: bigint) {}
}

export type Value = number | bigint | U64 | string | boolean | GoRegex | null

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v)
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v)
/** Go's int64(f) for a float in range; out of range values give MinInt64 as on amd64. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return -(1n << 63n)
  return BigInt(Math.trunc(f))
}

// ---------------------------------------------------------------------------------------------------------------
// Reduce

/** What Reduce may substitute: now() (as a time in ns) and named values. */
export interface Valuer {
  now?: bigint
}

function isTrue(e: Expr): boolean {
  return e.kind === 'boolean' && e.val
}
function isFalse(e: Expr): boolean {
  return e.kind === 'boolean' && !e.val
}

const bool = (val: boolean): Expr => ({kind: 'boolean', val})
const bin = (op: Tok, lhs: Expr, rhs: Expr): Expr => ({kind: 'binary', op, lhs, rhs})

function toTimeLiteral(s: string): Expr | undefined {
  const t = parseTimeString(s)
  return t === undefined ? undefined : {kind: 'time', val: t}
}

/** Folds constants, substitutes now(), and turns date strings next to times and durations into times. */
export function reduce(e: Expr | undefined, valuer?: Valuer): Expr | undefined {
  if (e === undefined) return undefined
  const r = reduceInner(e, valuer)
  return r.kind === 'paren' ? r.expr : r
}

function reduceInner(e: Expr, valuer: Valuer | undefined): Expr {
  switch (e.kind) {
    case 'binary': return reduceBinary(e, valuer)
    case 'call': {
      const args = e.args.map((a) => reduceInner(a, valuer))
      if (args.every((a) => isLiteralExpr(a)) && e.name === 'now' && args.length === 0 && valuer?.now !== undefined) {
        return {kind: 'time', val: valuer.now}
      }
      return {kind: 'call', name: e.name, args}
    }
    case 'paren': {
      const sub = reduceInner(e.expr, valuer)
      return sub.kind === 'binary' ? {kind: 'paren', expr: sub} : sub
    }
    case 'varref': return {...e}
    default: return cloneExpr(e)
  }
}

function isLiteralExpr(e: Expr): e is Literal {
  return ['number', 'integer', 'unsigned', 'string', 'boolean', 'duration', 'time', 'regex', 'list', 'nil'].includes(e.kind)
}

function reduceBinary(e: BinaryExpr, valuer: Valuer | undefined): Expr {
  const op = e.op
  const lhs = reduceInner(e.lhs, valuer)
  const rhs = reduceInner(e.rhs, valuer)
  if (op === T.AND) {
    if (isFalse(lhs) || isFalse(rhs)) return bool(false)
    if (isTrue(lhs)) return rhs
    if (isTrue(rhs)) return lhs
  } else if (op === T.OR) {
    if (isTrue(lhs) || isTrue(rhs)) return bool(true)
    if (isFalse(lhs)) return rhs
    if (isFalse(rhs)) return lhs
  }
  switch (lhs.kind) {
    case 'boolean': return reduceBooleanLHS(op, lhs.val, rhs)
    case 'duration': return reduceDurationLHS(op, lhs.val, rhs)
    case 'integer': return reduceIntegerLHS(op, lhs.val, rhs)
    case 'unsigned': return reduceUnsignedLHS(op, lhs.val, rhs)
    case 'nil': return (op === T.EQ || op === T.NEQ) ? bool(false) : bin(op, lhs, rhs)
    case 'number': return reduceNumberLHS(op, lhs.val, rhs)
    case 'string': return reduceStringLHS(op, lhs.val, rhs)
    case 'time': return reduceTimeLHS(op, lhs.val, rhs)
    default: return bin(op, lhs, rhs)
  }
}

const stillBinary = (e: Expr): boolean => e.kind === 'binary'

function reduceBooleanLHS(op: Tok, l: boolean, rhs: Expr): Expr {
  if (rhs.kind === 'boolean') {
    const r = rhs.val
    switch (op) {
      case T.EQ: return bool(l === r)
      case T.NEQ: return bool(l !== r)
      case T.AND: case T.BITWISE_AND: return bool(l && r)
      case T.OR: case T.BITWISE_OR: return bool(l || r)
      case T.BITWISE_XOR: return bool(l !== r)
    }
  } else if (rhs.kind === 'nil') {
    return bool(false)
  }
  return bin(op, {kind: 'boolean', val: l}, rhs)
}

function compare<V extends number | bigint>(op: Tok, l: V, r: V): Expr | undefined {
  switch (op) {
    case T.EQ: return bool(l === r)
    case T.NEQ: return bool(l !== r)
    case T.GT: return bool(l > r)
    case T.GTE: return bool(l >= r)
    case T.LT: return bool(l < r)
    case T.LTE: return bool(l <= r)
  }
  return undefined
}

function reduceDurationLHS(op: Tok, l: bigint, rhs: Expr): Expr {
  const self: Expr = {kind: 'duration', val: l}
  switch (rhs.kind) {
    case 'duration':
      if (op === T.ADD) return {kind: 'duration', val: i64(l + rhs.val)}
      if (op === T.SUB) return {kind: 'duration', val: i64(l - rhs.val)}
      return compare(op, l, rhs.val) ?? bin(op, self, rhs)
    case 'number': {
      const n = floatToInt64(rhs.val)
      if (op === T.MUL) return {kind: 'duration', val: i64(l * n)}
      if (op === T.DIV) return {kind: 'duration', val: n === 0n ? 0n : i64(l / n)}
      break
    }
    case 'integer':
      if (op === T.MUL) return {kind: 'duration', val: i64(l * rhs.val)}
      if (op === T.DIV) return {kind: 'duration', val: rhs.val === 0n ? 0n : i64(l / rhs.val)}
      break
    case 'time':
      if (op === T.ADD) return {kind: 'time', val: rhs.val + l}
      break
    case 'string': {
      const t = toTimeLiteral(rhs.val)
      if (t === undefined) break
      const r = reduceDurationLHS(op, l, t)
      if (!stillBinary(r)) return r
      break
    }
    case 'nil': return bool(false)
  }
  return bin(op, self, rhs)
}

function reduceIntegerLHS(op: Tok, l: bigint, rhs: Expr): Expr {
  const self: Expr = {kind: 'integer', val: l}
  switch (rhs.kind) {
    case 'number': return reduceNumberLHS(op, Number(l), rhs)
    case 'integer': {
      const r = rhs.val
      switch (op) {
        case T.ADD: return {kind: 'integer', val: i64(l + r)}
        case T.SUB: return {kind: 'integer', val: i64(l - r)}
        case T.MUL: return {kind: 'integer', val: i64(l * r)}
        case T.DIV: return {kind: 'number', val: r === 0n ? 0 : Number(l) / Number(r)}
        case T.MOD: return {kind: 'integer', val: r === 0n ? 0n : i64(l % r)}
        case T.BITWISE_AND: return {kind: 'integer', val: l & r}
        case T.BITWISE_OR: return {kind: 'integer', val: l | r}
        case T.BITWISE_XOR: return {kind: 'integer', val: l ^ r}
      }
      return compare(op, l, r) ?? bin(op, self, rhs)
    }
    case 'unsigned':
      if (l < 0n) {
        if (op === T.LT || op === T.LTE) return bool(true)
        if (op === T.GT || op === T.GTE) return bool(false)
      }
      return reduceUnsignedLHS(op, u64(l), rhs)
    case 'duration':
      if (op === T.ADD) return {kind: 'time', val: l + rhs.val}
      if (op === T.SUB) return {kind: 'time', val: l - rhs.val}
      break
    case 'time': {
      const r = reduceDurationLHS(op, l, rhs)
      if (!stillBinary(r)) return r
      break
    }
    case 'string': {
      const t = toTimeLiteral(rhs.val)
      if (t === undefined) break
      const r = reduceDurationLHS(op, l, t)
      if (!stillBinary(r)) return r
      break
    }
    case 'nil': return bool(false)
  }
  return bin(op, self, rhs)
}

function reduceUnsignedLHS(op: Tok, l: bigint, rhs: Expr): Expr {
  const self: Expr = {kind: 'unsigned', val: l}
  switch (rhs.kind) {
    case 'number': return reduceNumberLHS(op, Number(l), rhs)
    case 'integer':
      if (rhs.val < 0n) {
        if (op === T.LT || op === T.LTE) return bool(false)
        if (op === T.GT || op === T.GTE) return bool(true)
      }
      return reduceUnsignedLHS(op, l, {kind: 'unsigned', val: u64(rhs.val)})
    case 'unsigned': {
      const r = rhs.val
      switch (op) {
        case T.ADD: return {kind: 'unsigned', val: u64(l + r)}
        case T.SUB: return {kind: 'unsigned', val: u64(l - r)}
        case T.MUL: return {kind: 'unsigned', val: u64(l * r)}
        case T.DIV: return {kind: 'unsigned', val: r === 0n ? 0n : l / r}
        case T.MOD: return {kind: 'unsigned', val: r === 0n ? 0n : l % r}
      }
      return compare(op, l, r) ?? bin(op, self, rhs)
    }
  }
  return bin(op, self, rhs)
}

function reduceNumberLHS(op: Tok, l: number, rhs: Expr): Expr {
  const self: Expr = {kind: 'number', val: l}
  let r: number
  switch (rhs.kind) {
    case 'number': r = rhs.val; break
    case 'integer': r = Number(rhs.val); break
    case 'unsigned': r = Number(rhs.val); break
    case 'nil': return bool(false)
    default: return bin(op, self, rhs)
  }
  switch (op) {
    case T.ADD: return {kind: 'number', val: l + r}
    case T.SUB: return {kind: 'number', val: l - r}
    case T.MUL: return {kind: 'number', val: l * r}
    case T.DIV: return {kind: 'number', val: r === 0 ? 0 : l / r}
    case T.MOD: return {kind: 'number', val: goMod(l, r)}
  }
  return compare(op, l, r) ?? bin(op, self, rhs)
}

/** Go's math.Mod: the sign follows the dividend; NaN for a zero divisor. */
function goMod(a: number, b: number): number {
  if (b === 0 || !Number.isFinite(a) || Number.isNaN(b)) return NaN
  return a % b
}

function reduceStringLHS(op: Tok, l: string, rhs: Expr): Expr {
  const self: Expr = {kind: 'string', val: l}
  switch (rhs.kind) {
    case 'string': {
      if (op === T.EQ || op === T.NEQ) {
        let expr = bool(op === T.EQ ? l === rhs.val : l !== rhs.val)
        if (isTimeString(l) && isTimeString(rhs.val)) {
          const a = toTimeLiteral(l)
          const b = toTimeLiteral(rhs.val)
          if (a === undefined || b === undefined) return expr
          const t = reduceTimeLHS(op, (a as {val: bigint}).val, b)
          if (!stillBinary(t)) expr = t
        }
        return expr
      }
      if (op === T.ADD) return {kind: 'string', val: l + rhs.val}
      const t = toTimeLiteral(l)
      if (t === undefined) break
      const r = reduceTimeLHS(op, (t as {val: bigint}).val, rhs)
      if (!stillBinary(r)) return r
      break
    }
    case 'duration': case 'time': case 'integer': {
      const t = toTimeLiteral(l)
      if (t === undefined) break
      const r = reduceTimeLHS(op, (t as {val: bigint}).val, rhs)
      if (!stillBinary(r)) return r
      break
    }
    case 'nil':
      if (op === T.EQ || op === T.NEQ) return bool(false)
      break
  }
  return bin(op, self, rhs)
}

function reduceTimeLHS(op: Tok, l: bigint, rhs: Expr): Expr {
  const self: Expr = {kind: 'time', val: l}
  switch (rhs.kind) {
    case 'duration':
      if (op === T.ADD) return {kind: 'time', val: l + rhs.val}
      if (op === T.SUB) return {kind: 'time', val: l - rhs.val}
      break
    case 'integer': {
      const r = reduceTimeLHS(op, l, {kind: 'duration', val: rhs.val})
      if (!stillBinary(r)) return r
      break
    }
    case 'time':
      if (op === T.SUB) return {kind: 'duration', val: i64(l - rhs.val)}
      return compare(op, l, rhs.val) ?? bin(op, self, rhs)
    case 'string': {
      const t = toTimeLiteral(rhs.val)
      if (t === undefined) break
      const r = reduceTimeLHS(op, l, t)
      if (!stillBinary(r)) return r
      break
    }
    case 'nil': return bool(false)
  }
  return bin(op, self, rhs)
}

// ---------------------------------------------------------------------------------------------------------------
// ConditionExpr: a WHERE clause split into its time range and the rest.

export interface TimeRange {
  /** Inclusive bounds in ns; undefined = no bound given. */
  min?: bigint
  max?: bigint
}

export class ConditionError extends Error {}

function intersect(a: TimeRange, b: TimeRange): TimeRange {
  const out: TimeRange = {...a}
  if (b.min !== undefined && (out.min === undefined || b.min > out.min)) out.min = b.min
  if (b.max !== undefined && (out.max === undefined || b.max < out.max)) out.max = b.max
  return out
}

/** Go's name for a literal's type in "time and %T are not compatible". */
function goTypeName(e: Expr): string {
  const names: Record<string, string> = {
    binary: 'BinaryExpr', boolean: 'BooleanLiteral', call: 'Call', distinct: 'Distinct', duration: 'DurationLiteral',
    integer: 'IntegerLiteral', unsigned: 'UnsignedLiteral', nil: 'NilLiteral', number: 'NumberLiteral', paren: 'ParenExpr',
    regex: 'RegexLiteral', list: 'ListLiteral', string: 'StringLiteral', time: 'TimeLiteral', varref: 'VarRef', wildcard: 'Wildcard',
  }
  return `*influxql.${names[e.kind]}`
}

function getTimeRange(op: Tok, rhs: Expr, valuer: Valuer): TimeRange {
  if (rhs.kind === 'string' && isTimeString(rhs.val)) {
    const t = parseTimeString(rhs.val)
    if (t === undefined) throw new ConditionError('invalid timestamp string')
    rhs = {kind: 'time', val: t}
  }
  const lit = reduce(rhs, valuer)!
  let value: bigint
  switch (lit.kind) {
    case 'time':
      if (lit.val > MAX_TIME) throw new ConditionError(`time ${rfc3339(lit.val)} overflows time literal`)
      if (lit.val < MIN_TIME + 1n) throw new ConditionError(`time ${rfc3339(lit.val)} underflows time literal`)
      value = lit.val
      break
    case 'duration': value = lit.val; break
    case 'number': value = floatToInt64(lit.val); break
    case 'integer': value = lit.val; break
    default: throw new ConditionError(`invalid operation: time and ${goTypeName(lit)} are not compatible`)
  }
  switch (op) {
    case T.GT: return {min: value + 1n}
    case T.GTE: return {min: value}
    case T.LT: return {max: value - 1n}
    case T.LTE: return {max: value}
    case T.EQ: return {min: value, max: value}
    default: throw new ConditionError(`invalid time comparison operator: ${tokenName(op)}`)
  }
}

const isTimeRef = (e: Expr): boolean => e.kind === 'varref' && e.val.toLowerCase() === 'time'

function conditionInner(cond: Expr | undefined, valuer: Valuer): [Expr | undefined, TimeRange] {
  if (cond === undefined) return [undefined, {}]
  switch (cond.kind) {
    case 'binary': {
      if (cond.op === T.AND || cond.op === T.OR) {
        const [l, lt] = conditionInner(cond.lhs, valuer)
        const [r, rt] = conditionInner(cond.rhs, valuer)
        // influxd intersects the ranges for OR as well.
        const tr = intersect(lt, rt)
        if (r === undefined) return [l, tr]
        if (l === undefined) return [r, tr]
        return [reduce(bin(cond.op, l, r)), tr]
      }
      if (isTimeRef(cond.lhs)) return [undefined, getTimeRange(cond.op, cond.rhs, valuer)]
      if (isTimeRef(cond.rhs)) {
        const flipped: Partial<Record<number, Tok>> = {[T.GT]: T.LT, [T.LT]: T.GT, [T.GTE]: T.LTE, [T.LTE]: T.GTE}
        return [undefined, getTimeRange(flipped[cond.op] ?? cond.op, cond.lhs, valuer)]
      }
      return [reduce(cond, valuer), {}]
    }
    case 'paren': {
      const [e, tr] = conditionInner(cond.expr, valuer)
      if (e === undefined) return [undefined, tr]
      return [reduce({kind: 'paren', expr: e}), tr]
    }
    case 'boolean': return [cond, {}]
    default: throw new ConditionError(`invalid condition expression: ${exprString(cond)}`)
  }
}

/** influxd's ConditionExpr: the non-time part of a condition (undefined if none) and the time range it sets. */
export function conditionExpr(cond: Expr | undefined, valuer: Valuer): {expr?: Expr; range: TimeRange} {
  let [expr, range] = conditionInner(cond, valuer)
  if (expr?.kind === 'paren') expr = expr.expr
  if (expr?.kind === 'boolean' && expr.val) expr = undefined
  return {expr, range}
}

// ---------------------------------------------------------------------------------------------------------------
// Eval: one point's values.

export type Lookup = (name: string) => Value | undefined

/** Math functions influxd evaluates on values (query/math.go). */
export const MATH_FUNCTIONS = new Set([
  'abs', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'exp', 'log', 'ln', 'log2', 'log10', 'sqrt', 'pow', 'floor', 'ceil', 'round',
])

function asFloat(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof U64) return Number(v.v)
  return undefined
}

function mathCall(name: string, args: Array<Value | undefined>): Value {
  const a0 = args[0]
  switch (name) {
    // influxd returns integers unchanged from all four, abs() included (so abs(-5) of an integer field is -5).
    case 'abs': case 'floor': case 'ceil': case 'round': {
      if (typeof a0 === 'bigint' || a0 instanceof U64) return a0
      if (typeof a0 !== 'number') return null
      if (name === 'abs') return Math.abs(a0)
      if (name === 'floor') return Math.floor(a0)
      if (name === 'ceil') return Math.ceil(a0)
      const t = Math.trunc(a0)
      return Math.abs(a0 - t) >= 0.5 ? t + (a0 < 0 || Object.is(a0, -0) ? -1 : 1) : t
    }
  }
  const x = asFloat(a0)
  if (x === undefined) return null
  switch (name) {
    case 'sin': return Math.sin(x)
    case 'cos': return Math.cos(x)
    case 'tan': return Math.tan(x)
    case 'asin': return Math.asin(x)
    case 'acos': return Math.acos(x)
    case 'atan': return Math.atan(x)
    case 'exp': return Math.exp(x)
    case 'ln': return Math.log(x)
    case 'log2': return Math.log2(x)
    case 'log10': return Math.log10(x)
    case 'sqrt': return Math.sqrt(x)
  }
  const y = asFloat(args[1])
  if (y === undefined) return null
  switch (name) {
    case 'atan2': return Math.atan2(x, y)
    case 'pow': return Math.pow(x, y)
    case 'log': return Math.log(x) / Math.log(y)
  }
  return null
}

export interface EvalOptions {
  /** int / int gives a float (field expressions of SELECT); otherwise Go's truncating division. */
  integerFloatDivision?: boolean
}

/** Go's ValuerEval.Eval over literals, variables (looked up) and math calls. */
export function evalExpr(e: Expr, lookup: Lookup, opts: EvalOptions = {}): Value {
  switch (e.kind) {
    case 'binary': return evalBinary(e, lookup, opts)
    case 'boolean': return e.val
    case 'integer': return e.val
    case 'number': return e.val
    case 'unsigned': return new U64(e.val)
    case 'paren': return evalExpr(e.expr, lookup, opts)
    case 'regex': return e.val
    case 'string': return e.val
    case 'call':
      if (!MATH_FUNCTIONS.has(e.name)) return null
      return mathCall(e.name, e.args.map((a) => evalExpr(a, lookup, opts)))
    case 'varref': return lookup(e.val) ?? null
    default: return null
  }
}

export function evalBool(e: Expr, lookup: Lookup): boolean {
  return evalExpr(e, lookup) === true
}

function evalBinary(e: BinaryExpr, lookup: Lookup, opts: EvalOptions): Value {
  let lhs = evalExpr(e.lhs, lookup, opts)
  let rhs = evalExpr(e.rhs, lookup, opts)
  if (lhs === null && typeof rhs === 'boolean') lhs = false
  else if (rhs === null && typeof lhs === 'boolean') rhs = false
  const op = e.op
  if (typeof lhs === 'boolean') {
    const ok = typeof rhs === 'boolean'
    const r = rhs as boolean
    switch (op) {
      case T.AND: case T.BITWISE_AND: return ok && lhs && r
      case T.OR: case T.BITWISE_OR: return ok && (lhs || r)
      case T.BITWISE_XOR: return ok && lhs !== r
      case T.EQ: return ok && lhs === r
      case T.NEQ: return ok && lhs !== r
    }
  } else if (typeof lhs === 'number') {
    const r = asFloat(rhs)
    const ok = r !== undefined
    switch (op) {
      case T.EQ: return ok && lhs === r
      case T.NEQ: return ok && lhs !== r
      case T.LT: return ok && lhs < r
      case T.LTE: return ok && lhs <= r
      case T.GT: return ok && lhs > r
      case T.GTE: return ok && lhs >= r
      case T.ADD: return ok ? lhs + r : null
      case T.SUB: return ok ? lhs - r : null
      case T.MUL: return ok ? lhs * r : null
      case T.DIV: return ok ? (r === 0 ? 0 : lhs / r) : null
      case T.MOD: return ok ? goMod(lhs, r) : null
    }
  } else if (typeof lhs === 'bigint') {
    if (typeof rhs === 'number') {
      const l = Number(lhs)
      switch (op) {
        case T.EQ: return l === rhs
        case T.NEQ: return l !== rhs
        case T.LT: return l < rhs
        case T.LTE: return l <= rhs
        case T.GT: return l > rhs
        case T.GTE: return l >= rhs
        case T.ADD: return l + rhs
        case T.SUB: return l - rhs
        case T.MUL: return l * rhs
        case T.DIV: return rhs === 0 ? 0 : l / rhs
        case T.MOD: return goMod(l, rhs)
      }
    } else if (typeof rhs === 'bigint') {
      switch (op) {
        case T.EQ: return lhs === rhs
        case T.NEQ: return lhs !== rhs
        case T.LT: return lhs < rhs
        case T.LTE: return lhs <= rhs
        case T.GT: return lhs > rhs
        case T.GTE: return lhs >= rhs
        case T.ADD: return i64(lhs + rhs)
        case T.SUB: return i64(lhs - rhs)
        case T.MUL: return i64(lhs * rhs)
        case T.DIV:
          if (opts.integerFloatDivision) return rhs === 0n ? 0 : Number(lhs) / Number(rhs)
          return rhs === 0n ? 0n : i64(lhs / rhs)
        case T.MOD: return rhs === 0n ? 0n : lhs % rhs
        case T.BITWISE_AND: return lhs & rhs
        case T.BITWISE_OR: return lhs | rhs
        case T.BITWISE_XOR: return lhs ^ rhs
      }
    } else if (rhs instanceof U64) {
      const l = u64(lhs)
      const r = rhs.v
      switch (op) {
        case T.EQ: return l === r
        case T.NEQ: return l !== r
        case T.LT: return lhs < 0n ? true : l < r
        case T.LTE: return lhs < 0n ? true : l <= r
        case T.GT: return lhs < 0n ? false : l > r
        case T.GTE: return lhs < 0n ? false : l >= r
        default: return unsignedArith(op, l, r)
      }
    }
  } else if (lhs instanceof U64) {
    const l = lhs.v
    if (typeof rhs === 'number') {
      const lf = Number(l)
      switch (op) {
        case T.EQ: return lf === rhs
        case T.NEQ: return lf !== rhs
        case T.LT: return lf < rhs
        case T.LTE: return lf <= rhs
        case T.GT: return lf > rhs
        case T.GTE: return lf >= rhs
        case T.ADD: return lf + rhs
        case T.SUB: return lf - rhs
        case T.MUL: return lf * rhs
        case T.DIV: return rhs === 0 ? 0 : lf / rhs
        case T.MOD: return goMod(lf, rhs)
      }
    } else if (typeof rhs === 'bigint') {
      const r = u64(rhs)
      switch (op) {
        case T.EQ: return l === r
        case T.NEQ: return l !== r
        case T.LT: return rhs < 0n ? false : l < r
        case T.LTE: return rhs < 0n ? false : l <= r
        case T.GT: return rhs < 0n ? true : l > r
        case T.GTE: return rhs < 0n ? true : l >= r
        default: return unsignedArith(op, l, r)
      }
    } else if (rhs instanceof U64) {
      const r = rhs.v
      switch (op) {
        case T.EQ: return l === r
        case T.NEQ: return l !== r
        case T.LT: return l < r
        case T.LTE: return l <= r
        case T.GT: return l > r
        case T.GTE: return l >= r
        default: return unsignedArith(op, l, r)
      }
    }
  } else if (typeof lhs === 'string') {
    switch (op) {
      case T.EQ: return typeof rhs === 'string' ? lhs === rhs : false
      case T.NEQ: return typeof rhs === 'string' ? lhs !== rhs : false
      case T.EQREGEX: return isRegex(rhs) ? rhs.re.test(lhs) : false
      case T.NEQREGEX: return isRegex(rhs) ? !rhs.re.test(lhs) : false
    }
  }
  switch (op) {
    case T.EQ: case T.NEQ: case T.LT: case T.LTE: case T.GT: case T.GTE: return false
  }
  return null
}

function isRegex(v: Value): v is GoRegex {
  return typeof v === 'object' && v !== null && !(v instanceof U64) && 're' in v
}

function unsignedArith(op: Tok, l: bigint, r: bigint): Value {
  switch (op) {
    case T.ADD: return new U64(u64(l + r))
    case T.SUB: return new U64(u64(l - r))
    case T.MUL: return new U64(u64(l * r))
    case T.DIV: return new U64(r === 0n ? 0n : l / r)
    case T.MOD: return new U64(r === 0n ? 0n : l % r)
    case T.BITWISE_AND: return new U64(l & r)
    case T.BITWISE_OR: return new U64(l | r)
    case T.BITWISE_XOR: return new U64(l ^ r)
  }
  return null
}
