/**
 * Which series a WHERE clause selects, and what is left to check point by point. This follows influxd's in-memory
 * index (WalkWhereForSeriesIds), whose semantics clients see:
 * - a tag comparison is decided per series, a missing tag comparing as "" (so `host != 'a'` keeps series without a
 *   host tag, and `host = ''` selects exactly those);
 * - `<`, `>`... between a tag and a string select nothing;
 * - a comparison involving a field (or anything the index cannot decide) becomes a filter evaluated on each point;
 * - AND intersects, OR unites, and a series selected by one side of an OR without a filter keeps no filter.
 */
import {DataType, type Expr, T, reduce} from '../../../influxql/index.js'

export interface SeriesTags {
  readonly measurement: string
  readonly tags: ReadonlyArray<readonly [string, string]>
}

/** undefined = the series is not selected; {filter: undefined} = selected with nothing more to check. */
export type SeriesMatch = {filter?: Expr} | undefined

const ALL: SeriesMatch = {}

export function tagValue(s: SeriesTags, key: string): string {
  for (const [k, v] of s.tags) if (k === key) return v
  return ''
}

function hasTag(s: SeriesTags, key: string): boolean {
  return s.tags.some(([k]) => k === key)
}

const COMPARISONS = new Set<number>([T.EQ, T.NEQ, T.LT, T.LTE, T.GT, T.GTE, T.EQREGEX, T.NEQREGEX])

function isFieldRef(ref: Expr & {kind: 'varref'}, hasField: (name: string) => boolean, typeOf: DataType): boolean {
  return ref.val !== '_name' && ((ref.type === DataType.Unknown && hasField(ref.val)) || typeOf === DataType.AnyField ||
    (ref.type !== DataType.Tag && ref.type !== DataType.Unknown))
}

/** One comparison (influxd's idsForExpr). */
function matchComparison(n: Expr & {kind: 'binary'}, s: SeriesTags, hasField: (name: string) => boolean): SeriesMatch {
  if (n.lhs.kind === 'binary' || n.rhs.kind === 'binary') return {filter: n}
  let name: Expr = n.lhs
  let value: Expr = n.rhs
  if (name.kind !== 'varref') {
    if (n.rhs.kind !== 'varref') return {filter: n}
    name = n.rhs
    value = n.lhs
  }
  if (isFieldRef(name, hasField, name.type)) return {filter: n}
  // influxd checks the value side with the name side's type for AnyField (a quirk kept as is).
  if (value.kind === 'varref' && isFieldRef(value, hasField, name.type)) return {filter: n}

  if (value.kind === 'string') {
    if (name.val === '_name') {
      return (n.op === T.EQ && value.val === s.measurement) || (n.op === T.NEQ && value.val !== s.measurement) ? ALL : undefined
    }
    const v = tagValue(s, name.val)
    if (n.op === T.EQ) return v === value.val ? ALL : undefined
    if (n.op === T.NEQ) return v !== value.val ? ALL : undefined
    return undefined
  }
  if (value.kind === 'regex') {
    if (name.val === '_name') {
      const m = value.val.re.test(s.measurement)
      return (n.op === T.EQREGEX && m) || (n.op === T.NEQREGEX && !m) ? ALL : undefined
    }
    const m = value.val.re.test(tagValue(s, name.val))
    if (n.op === T.EQREGEX) return m ? ALL : undefined
    if (n.op === T.NEQREGEX) return m ? undefined : ALL
    return undefined
  }
  if (value.kind === 'varref') {
    const equal = hasTag(s, name.val) && hasTag(s, value.val) && tagValue(s, name.val) === tagValue(s, value.val)
    if (n.op === T.EQ) return equal ? ALL : undefined
    if (n.op === T.NEQ) return equal ? undefined : ALL
    return undefined
  }
  return {filter: n}
}

function and(l: SeriesMatch, r: SeriesMatch): SeriesMatch {
  if (l === undefined || r === undefined) return undefined
  if (l.filter !== undefined && r.filter !== undefined) return withFilter(reduce({kind: 'binary', op: T.AND, lhs: l.filter, rhs: r.filter}))
  return {filter: l.filter ?? r.filter}
}

function or(l: SeriesMatch, r: SeriesMatch): SeriesMatch {
  if (l === undefined) return r
  if (r === undefined) return l
  if (l.filter !== undefined && r.filter !== undefined) return withFilter(reduce({kind: 'binary', op: T.OR, lhs: l.filter, rhs: r.filter}))
  return ALL
}

function withFilter(e: Expr | undefined): SeriesMatch {
  if (e === undefined || (e.kind === 'boolean' && e.val)) return ALL
  return {filter: e}
}

/**
 * Decides a series against a condition (already stripped of time). `hasField` tells whether the series' measurement
 * has a field of that name in this shard.
 */
export function matchSeries(cond: Expr | undefined, s: SeriesTags, hasField: (name: string) => boolean): SeriesMatch {
  if (cond === undefined) return ALL
  switch (cond.kind) {
    case 'binary':
      if (COMPARISONS.has(cond.op)) {
        const m = matchComparison(cond, s, hasField)
        if (m === undefined) return undefined
        return withFilter(m.filter)
      }
      if (cond.op === T.AND) return and(matchSeries(cond.lhs, s, hasField), matchSeries(cond.rhs, s, hasField))
      if (cond.op === T.OR) return or(matchSeries(cond.lhs, s, hasField), matchSeries(cond.rhs, s, hasField))
      // Arithmetic at the top of a condition: influxd keeps the series and drops the filter.
      return matchComparison(cond, s, hasField) === undefined ? undefined : ALL
    case 'paren': return matchSeries(cond.expr, s, hasField)
    case 'boolean': return cond.val ? ALL : undefined
    default: return undefined
  }
}
