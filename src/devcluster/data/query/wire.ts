/**
 * JSON forms of what a shard query carries to a remote owner: expressions (conditions) and 64-bit numbers. JSON has
 * no int64, so times, durations and integers travel as decimal strings, and regexes as their Go source text.
 */
import {type DataType, type Expr, T, type Tok, compileGoRegex} from '../../../influxql/index.js'

export type ExprJson =
  | {k: 'ref'; v: string; t: number}
  | {k: 'bin'; op: number; l: ExprJson; r: ExprJson}
  | {k: 'paren'; e: ExprJson}
  | {k: 'call'; n: string; a: ExprJson[]}
  | {k: 'num'; v: number | 'NaN' | 'Inf' | '-Inf'}
  | {k: 'int' | 'uint' | 'dur' | 'time'; v: string}
  | {k: 'str'; v: string}
  | {k: 'bool'; v: boolean}
  | {k: 're'; v: string}
  | {k: 'nil'}

export class WireError extends Error {}

function numToJson(v: number): number | 'NaN' | 'Inf' | '-Inf' {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return 'Inf'
  if (v === -Infinity) return '-Inf'
  return v
}

export function exprToJson(e: Expr): ExprJson {
  switch (e.kind) {
    case 'varref': return {k: 'ref', v: e.val, t: e.type}
    case 'binary': return {k: 'bin', op: e.op, l: exprToJson(e.lhs), r: exprToJson(e.rhs)}
    case 'paren': return {k: 'paren', e: exprToJson(e.expr)}
    case 'call': return {k: 'call', n: e.name, a: e.args.map(exprToJson)}
    case 'number': return {k: 'num', v: numToJson(e.val)}
    case 'integer': return {k: 'int', v: e.val.toString()}
    case 'unsigned': return {k: 'uint', v: e.val.toString()}
    case 'duration': return {k: 'dur', v: e.val.toString()}
    case 'time': return {k: 'time', v: e.val.toString()}
    case 'string': return {k: 'str', v: e.val}
    case 'boolean': return {k: 'bool', v: e.val}
    case 'regex': return {k: 're', v: e.val.source}
    case 'nil': return {k: 'nil'}
    default: throw new WireError(`a ${e.kind} cannot appear in a shard query condition`)
  }
}

const big = (s: unknown): bigint => {
  if (typeof s !== 'string' || !/^-?\d+$/.test(s)) throw new WireError('bad integer in shard query')
  return BigInt(s)
}

/** Rebuilds an expression from its JSON form; throws WireError on anything malformed (remote input). */
export function exprFromJson(j: unknown, depth = 0): Expr {
  if (depth > 2000) throw new WireError('shard query condition nests too deeply')
  if (typeof j !== 'object' || j === null) throw new WireError('bad expression in shard query')
  const o = j as Record<string, unknown>
  switch (o.k) {
    case 'ref':
      if (typeof o.v !== 'string' || typeof o.t !== 'number') throw new WireError('bad variable in shard query')
      return {kind: 'varref', val: o.v, type: o.t as DataType}
    case 'bin':
      if (typeof o.op !== 'number' || !Object.values(T).includes(o.op as Tok)) throw new WireError('bad operator in shard query')
      return {kind: 'binary', op: o.op as Tok, lhs: exprFromJson(o.l, depth + 1), rhs: exprFromJson(o.r, depth + 1)}
    case 'paren': return {kind: 'paren', expr: exprFromJson(o.e, depth + 1)}
    case 'call':
      if (typeof o.n !== 'string' || !Array.isArray(o.a)) throw new WireError('bad call in shard query')
      return {kind: 'call', name: o.n, args: o.a.map((a) => exprFromJson(a, depth + 1))}
    case 'num': {
      const v = o.v === 'NaN' ? NaN : o.v === 'Inf' ? Infinity : o.v === '-Inf' ? -Infinity : o.v
      if (typeof v !== 'number') throw new WireError('bad number in shard query')
      return {kind: 'number', val: v}
    }
    case 'int': return {kind: 'integer', val: big(o.v)}
    case 'uint': return {kind: 'unsigned', val: big(o.v)}
    case 'dur': return {kind: 'duration', val: big(o.v)}
    case 'time': return {kind: 'time', val: big(o.v)}
    case 'str':
      if (typeof o.v !== 'string') throw new WireError('bad string in shard query')
      return {kind: 'string', val: o.v}
    case 'bool':
      if (typeof o.v !== 'boolean') throw new WireError('bad boolean in shard query')
      return {kind: 'boolean', val: o.v}
    case 're':
      if (typeof o.v !== 'string') throw new WireError('bad regex in shard query')
      try {
        return {kind: 'regex', val: compileGoRegex(o.v)}
      } catch (err) {
        throw new WireError(err instanceof Error ? err.message : 'bad regex in shard query')
      }
    case 'nil': return {kind: 'nil'}
    default: throw new WireError('bad expression in shard query')
  }
}

export {big as parseBigInt}
