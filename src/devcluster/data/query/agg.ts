/**
 * Aggregation kernels over a column slice [i, j) and the rules that merge their states, with influxd's results:
 * - int64 sums are exact and wrap like Go's (the values are summed as 32-bit halves in doubles, never per-point
 *   BigInt arithmetic);
 * - float64(int64) conversions round like Go's (hi * 2^32 + lo is one correctly rounded addition);
 * - selector ties follow influxd's reducers (min/max keep the earliest point; first/last prefer the larger value,
 *   and for booleans first prefers false, last prefers true);
 * - stddev is Go's two-pass formula when one slice makes the window, mergeable moments otherwise.
 */
import type {Column} from '../store/types.js'
import {sortedMerge} from './go-order.js'
import type {CallName, CallState, Cell} from './shard-types.js'

const TWO32 = 4294967296

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('the query kernels assume a little-endian machine')

interface Halves {
  lo: Uint32Array
  hi: Int32Array
  uhi: Uint32Array
}

const halvesCache = new WeakMap<BigInt64Array | BigUint64Array, Halves>()

/** 32-bit views of a 64-bit integer array: element k is lo[2k] + hi[2k+1] * 2^32. */
export function halves(a: BigInt64Array | BigUint64Array): Halves {
  let h = halvesCache.get(a)
  if (h === undefined) {
    h = {
      lo: new Uint32Array(a.buffer, a.byteOffset, a.length * 2),
      hi: new Int32Array(a.buffer, a.byteOffset, a.length * 2),
      uhi: new Uint32Array(a.buffer, a.byteOffset, a.length * 2),
    }
    halvesCache.set(a, h)
  }
  return h
}

/** Exact sum of values[i..j) as 64-bit two's complement (Go's wrapping int64 or uint64 sum). */
export function sumInt64(a: BigInt64Array | BigUint64Array, i: number, j: number, unsigned: boolean): bigint {
  const {lo, hi, uhi} = halves(a)
  const highs = unsigned ? uhi : hi
  let total = 0n
  let sLo = 0
  let sHi = 0
  let n = 0
  for (let k = i; k < j; k++) {
    sLo += lo[2 * k]
    sHi += highs[2 * k + 1]
    if (++n === 1 << 20) {
      total += BigInt(sHi) * 4294967296n + BigInt(sLo)
      sLo = 0
      sHi = 0
      n = 0
    }
  }
  total += BigInt(sHi) * 4294967296n + BigInt(sLo)
  return unsigned ? BigInt.asUintN(64, total) : BigInt.asIntN(64, total)
}

/** Go's float64(v) for element k of an int64/uint64 array. */
function asFloat(h: Halves, k: number, unsigned: boolean): number {
  return (unsigned ? h.uhi[2 * k + 1] : h.hi[2 * k + 1]) * TWO32 + h.lo[2 * k]
}

/** Index of the smallest (or largest) value in [i, j); the first one on ties (times ascend, so the earliest). */
function extremeIndex(col: Column, i: number, j: number, wantMax: boolean): number {
  let best = i
  switch (col.type) {
    case 'float': {
      const v = col.values
      for (let k = i + 1; k < j; k++) if (wantMax ? v[k] > v[best] : v[k] < v[best]) best = k
      return best
    }
    case 'integer': case 'unsigned': {
      const {lo, hi, uhi} = halves(col.values)
      const highs = col.type === 'integer' ? hi : uhi
      for (let k = i + 1; k < j; k++) {
        const hk = highs[2 * k + 1]
        const hb = highs[2 * best + 1]
        const better = hk !== hb ? (wantMax ? hk > hb : hk < hb) : (wantMax ? lo[2 * k] > lo[2 * best] : lo[2 * k] < lo[2 * best])
        if (better) best = k
      }
      return best
    }
    case 'boolean': {
      const v = col.values
      for (let k = i; k < j; k++) if (wantMax ? v[k] === 1 : v[k] === 0) return k
      return i
    }
    case 'string': {
      const v = col.values
      for (let k = i + 1; k < j; k++) if (wantMax ? v[k] > v[best] : v[k] < v[best]) best = k
      return best
    }
  }
}

export function cellAt(col: Column, k: number): Cell {
  switch (col.type) {
    case 'float': return col.values[k]
    case 'integer': return col.values[k]
    case 'unsigned': return col.values[k]
    case 'string': return col.values[k]
    case 'boolean': return col.values[k] === 1
  }
}

/** The float values of a numeric slice, converted the way Go converts int64 to float64. */
export function floatAt(col: Column): (k: number) => number {
  switch (col.type) {
    case 'float': {
      const v = col.values
      return (k) => v[k]
    }
    case 'integer': case 'unsigned': {
      const h = halves(col.values)
      const unsigned = col.type === 'unsigned'
      return (k) => asFloat(h, k, unsigned)
    }
    default: throw new Error(`no float values in a ${col.type} column`)
  }
}

/** Go's stddev over one slice: running mean, then the sum of squared deviations; null below two points. */
function goStddev(f: (k: number) => number, i: number, j: number): number | null {
  if (j - i < 2) return null
  let mean = 0
  let count = 0
  for (let k = i; k < j; k++) {
    count++
    mean += (f(k) - mean) / count
  }
  let variance = 0
  for (let k = i; k < j; k++) variance += Math.pow(f(k) - mean, 2)
  return Math.sqrt(variance / (count - 1))
}

/**
 * stddev() over values f(i..j) in the order influxd's reducer receives them: mergeable moments, and Go's own
 * two-pass result, which stands while no other slice joins the window.
 */
export function stddevOf(f: (k: number) => number, i: number, j: number): CallState {
  let n = 0
  let mean = 0
  let m2 = 0
  for (let k = i; k < j; k++) {
    const x = f(k)
    n++
    const d = x - mean
    mean += d / n
    m2 += d * (x - mean)
  }
  return {k: 'moments', n, mean, m2, exact: goStddev(f, i, j)}
}

export interface AggOptions {
  /** Times of the column, for selectors. */
  times: BigInt64Array
  percentile?: number
  /** Values of the auxiliary fields at point k (lone selectors with extra columns). */
  aux?: (k: number) => Cell[]
  /** ORDER BY time DESC: influxd's cursors hand the reducers the points newest first, so float sums add that way. */
  descending?: boolean
}

/** The state of one call over column[i..j) (j > i). */
export function aggregate(fn: CallName, col: Column, i: number, j: number, o: AggOptions): CallState {
  switch (fn) {
    case 'count': return {k: 'count', n: j - i}
    case 'sum':
      if (col.type === 'float') {
        const v = col.values
        let s = 0
        if (o.descending === true) for (let k = j - 1; k >= i; k--) s += v[k]
        else for (let k = i; k < j; k++) s += v[k]
        return {k: 'sumf', s}
      }
      return {k: 'sumi', s: sumInt64(col.values as BigInt64Array | BigUint64Array, i, j, col.type === 'unsigned'), unsigned: col.type === 'unsigned'}
    case 'mean': {
      const f = floatAt(col)
      let s = 0
      if (o.descending === true) for (let k = j - 1; k >= i; k--) s += f(k)
      else for (let k = i; k < j; k++) s += f(k)
      const n = j - i
      return {k: 'mean', ws: n >= 2 ? (s / n) * n : s, n}
    }
    case 'min': case 'max': {
      const k = extremeIndex(col, i, j, fn === 'max')
      return {k: 'sel', t: o.times[k], v: cellAt(col, k), aux: o.aux?.(k)}
    }
    case 'first': return {k: 'sel', t: o.times[i], v: cellAt(col, i), aux: o.aux?.(i)}
    case 'last': return {k: 'sel', t: o.times[j - 1], v: cellAt(col, j - 1), aux: o.aux?.(j - 1)}
    case 'spread': {
      const lo = cellAt(col, extremeIndex(col, i, j, false)) as number | bigint
      const hi = cellAt(col, extremeIndex(col, i, j, true)) as number | bigint
      return {k: 'spread', lo, hi}
    }
    case 'stddev': return stddevOf(floatAt(col), i, j)
    case 'median': case 'percentile': {
      const times: bigint[] = []
      const vals: Array<number | bigint> = []
      const aux: Cell[][] | undefined = o.aux !== undefined ? [] : undefined
      for (let k = i; k < j; k++) {
        vals.push(cellAt(col, k) as number | bigint)
        if (fn === 'percentile') times.push(o.times[k])
        aux?.push(o.aux!(k))
      }
      return {k: 'values', times, vals, aux}
    }
  }
}

/** Compares two cells of the same type: negative, zero or positive. */
export function compareCells(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return 0
}

/** Whether selector point (t2, v2) replaces (t1, v1), following influxd's reducers. */
function replaces(fn: CallName, t1: bigint, v1: Cell, t2: bigint, v2: Cell): boolean {
  const c = compareCells(v2, v1)
  switch (fn) {
    case 'min': return c < 0 || (c === 0 && t2 < t1)
    case 'max': return c > 0 || (c === 0 && t2 < t1)
    case 'first':
      if (t2 !== t1) return t2 < t1
      return typeof v1 === 'boolean' ? (v2 === false && v1 === true) : c > 0
    case 'last':
      if (t2 !== t1) return t2 > t1
      return typeof v1 === 'boolean' ? (v2 === true && v1 === false) : c > 0
    default: return false
  }
}

/** Merges state b into a (both for the same call and window); returns the merged state. */
export function combine(fn: CallName, a: CallState, b: CallState, ascending = true): CallState {
  switch (a.k) {
    case 'count': return {k: 'count', n: a.n + (b as typeof a).n}
    case 'sumf': return {k: 'sumf', s: a.s + (b as typeof a).s}
    case 'sumi': {
      const s = a.s + (b as typeof a).s
      return {k: 'sumi', s: a.unsigned ? BigInt.asUintN(64, s) : BigInt.asIntN(64, s), unsigned: a.unsigned}
    }
    case 'mean': return {k: 'mean', ws: a.ws + (b as typeof a).ws, n: a.n + (b as typeof a).n}
    case 'sel': {
      const o = b as typeof a
      return replaces(fn, a.t, a.v, o.t, o.v) ? o : a
    }
    case 'spread': {
      const o = b as typeof a
      return {k: 'spread', lo: o.lo < a.lo ? o.lo : a.lo, hi: o.hi > a.hi ? o.hi : a.hi}
    }
    case 'moments': {
      const o = b as typeof a
      if (a.n === 0) return o
      if (o.n === 0) return a
      const n = a.n + o.n
      const d = o.mean - a.mean
      return {k: 'moments', n, mean: a.mean + (d * o.n) / n, m2: a.m2 + o.m2 + (d * d * a.n * o.n) / n}
    }
    case 'values': {
      const o = b as typeof a
      if (fn === 'percentile') return mergeValuesByTime(a, o, ascending)
      return {
        k: 'values', times: a.times.concat(o.times), vals: a.vals.concat(o.vals),
        aux: a.aux !== undefined && o.aux !== undefined ? a.aux.concat(o.aux) : a.aux ?? o.aux,
      }
    }
  }
}

/**
 * percentile() values of two shards in the order influxd's sorted merge hands them to the reducer: by time in the
 * query's direction, equal times in heap order (the order decides which of equal values sort.Sort leaves at the
 * percentile's index, and so the time returned).
 */
function mergeValuesByTime(a: Extract<CallState, {k: 'values'}>, b: Extract<CallState, {k: 'values'}>, ascending: boolean): CallState {
  const out: Extract<CallState, {k: 'values'}> = {k: 'values', times: [], vals: [], aux: a.aux !== undefined || b.aux !== undefined ? [] : undefined}
  const inputs = [{times: a.times, at: 0, s: a}, {times: b.times, at: 0, s: b}]
  sortedMerge(inputs, (x, y) => (ascending ? x.times[x.at] < y.times[y.at] : x.times[x.at] > y.times[y.at]), (x) => {
    out.times.push(x.times[x.at])
    out.vals.push(x.s.vals[x.at])
    out.aux?.push(x.s.aux?.[x.at] ?? [])
    return true
  })
  return out
}
