/**
 * Runs a shard query against the shards this node holds (runShardQuery) and merges partial results
 * (mergePartials). Pure apart from reading the shards; the node that received the /query calls it for its local
 * shards and asks each remote owner to do the same through the cluster RPC.
 *
 * Speed: an aggregate over a series never does per-point BigInt arithmetic. Windows are found by galloping search on
 * the sorted times, and values are reduced over index ranges of the typed arrays (agg.ts). Only a WHERE clause on
 * fields makes the scan go point by point.
 */
import {availableParallelism} from 'node:os'
import {DataType, type Expr, MAX_TIME, MIN_TIME, type Value, compileGoRegex, evalBool, reduce} from '../../../influxql/index.js'
import type {Column, FieldType, SeriesInfo, ShardReader} from '../store/types.js'
import {aggregate, cellAt, combine, floatAt, stddevOf} from './agg.js'
import {type MergeInput, parallelMergeOrder, sortedMerge} from './go-order.js'
import {type SeriesMatch, matchSeries, tagValue} from './series-filter.js'
import {
  type CallName, type CallSpec, type CallState, type Cell, type FieldTypeName, type FieldsPartial, type FieldsQuery, type GroupPartial, type MeasurementSelector,
  type RawPartial, type RefSpec, type SelectPartial, type SelectQuery, type SeriesPartial, type SeriesQuery, type ShardPartial,
  type ShardQuery, type WindowPartial, groupKey,
} from './shard-types.js'
import {WireError, exprFromJson, parseBigInt} from './wire.js'

/** The shards a node can read, by id. */
export type ShardReaders = ReadonlyMap<number, ShardReader>

export class ShardQueryError extends Error {}

const TYPE_NAMES: Record<number, FieldType | undefined> = {
  [DataType.Float]: 'float', [DataType.Integer]: 'integer', [DataType.Unsigned]: 'unsigned', [DataType.String]: 'string', [DataType.Boolean]: 'boolean',
}

function selectMeasurements(reader: ShardReader, sel: MeasurementSelector): string[] {
  const all = reader.measurements()
  if ('name' in sel) return binaryHas(all, sel.name) ? [sel.name] : []
  const re = compileGoRegex(sel.regex).re
  return all.filter((m) => re.test(m))
}

function binaryHas(sorted: string[], v: string): boolean {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo < sorted.length && sorted[lo] === v
}

function readersFor(readers: ShardReaders, ids: readonly number[]): ShardReader[] {
  const out: ShardReader[] = []
  for (const id of [...ids].sort((a, b) => a - b)) {
    const r = readers.get(id)
    if (r !== undefined) out.push(r)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Casting a column to the type planning chose (influxd's cursor casts).

function castColumn(col: Column, want: number): Column | undefined {
  const wantName = TYPE_NAMES[want]
  if (wantName === undefined || wantName === col.type) return col
  const n = col.times.length
  if (wantName === 'float' && (col.type === 'integer' || col.type === 'unsigned')) {
    const out = new Float64Array(n)
    for (let k = 0; k < n; k++) out[k] = Number(col.values[k])
    return {type: 'float', times: col.times, values: out}
  }
  if (wantName === 'integer' && (col.type === 'float' || col.type === 'unsigned')) {
    const out = new BigInt64Array(n)
    for (let k = 0; k < n; k++) out[k] = col.type === 'float' ? BigInt.asIntN(64, BigInt(Math.trunc(Number.isFinite(col.values[k]) ? col.values[k] : 0))) : BigInt.asIntN(64, col.values[k] as bigint)
    return {type: 'integer', times: col.times, values: out}
  }
  if (wantName === 'unsigned' && (col.type === 'float' || col.type === 'integer')) {
    const out = new BigUint64Array(n)
    for (let k = 0; k < n; k++) out[k] = col.type === 'float' ? BigInt.asUintN(64, BigInt(Math.trunc(Number.isFinite(col.values[k]) ? col.values[k] : 0))) : BigInt.asUintN(64, col.values[k] as bigint)
    return {type: 'unsigned', times: col.times, values: out}
  }
  return undefined
}

/** A field of a series in [start, end] cast to `type`; undefined when absent or not castable. */
function readField(reader: ShardReader, key: string, field: string, type: number, start: bigint, end: bigint): Column | undefined {
  const col = reader.read(key, field, start, end)
  if (col === undefined || col.times.length === 0) return undefined
  if (type === DataType.Unknown || type === DataType.AnyField) return col
  return castColumn(col, type)
}

/** First index >= from with times[index] >= t (galloping, then binary search). */
export function seekTime(times: BigInt64Array, from: number, t: bigint): number {
  const n = times.length
  if (from >= n || times[from] >= t) return from
  let step = 1
  let lo = from
  let hi = from + 1
  while (hi < n && times[hi] < t) {
    lo = hi
    step *= 2
    hi = from + step
  }
  if (hi > n) hi = n
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid] < t) lo = mid
    else hi = mid
  }
  return hi
}

/** Exact-time lookup of a column value (the aux and condition cursors' nextAt). */
function valueAt(col: Column | undefined, t: bigint): Cell {
  if (col === undefined) return null
  const k = seekTime(col.times, 0, t)
  return k < col.times.length && col.times[k] === t ? cellAt(col, k) : null
}

// ---------------------------------------------------------------------------------------------------------------
// Windows

export interface Windowing {
  /** 0 = no GROUP BY time: one window, starting at `start`. */
  duration: bigint
  offset: bigint
  start: bigint
  end: bigint
}

/** influxd's IteratorOptions.Window(t): the start of the window holding t. */
export function windowStart(w: Windowing, t: bigint): bigint {
  if (w.duration === 0n) return w.start
  const shifted = t - w.offset
  let dt = shifted % w.duration
  if (dt < 0n) dt += w.duration
  const start = MIN_TIME + dt >= shifted ? MIN_TIME : shifted - dt
  return start + w.offset
}

function windowEnd(w: Windowing, t: bigint): bigint {
  if (w.duration === 0n) return w.end + 1n
  const shifted = t - w.offset
  let dt = shifted % w.duration
  if (dt < 0n) dt += w.duration
  const d = w.duration - dt
  return MAX_TIME - d <= shifted ? MAX_TIME : shifted + d + w.offset
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions evaluated per point

interface PointFilter {
  expr: Expr
  /** Columns of the condition fields (undefined = absent in this series), and tag values. */
  fields: Array<{name: string; col: Column | undefined}>
  tags: Map<string, Cell>
}

function namesIn(e: Expr, out: Map<string, number>): void {
  switch (e.kind) {
    case 'varref': if (e.val !== 'time') out.set(e.val, e.type); break
    case 'binary': namesIn(e.lhs, out); namesIn(e.rhs, out); break
    case 'paren': namesIn(e.expr, out); break
    case 'call': for (const a of e.args) if (a.kind === 'varref') namesIn(a, out); break
    default: break
  }
}

function pointFilter(filter: Expr | undefined, reader: ShardReader, s: SeriesInfo, fieldTypes: ReadonlyMap<string, FieldType>, start: bigint, end: bigint): PointFilter | undefined {
  if (filter === undefined) return undefined
  const names = new Map<string, number>()
  namesIn(filter, names)
  const fields: PointFilter['fields'] = []
  const tags = new Map<string, Cell>()
  for (const [name, type] of names) {
    if (type !== DataType.Tag && fieldTypes.has(name)) {
      fields.push({name, col: readField(reader, s.key, name, type, start, end)})
    } else if (type !== DataType.Tag && type !== DataType.Unknown) {
      fields.push({name, col: undefined})
    } else {
      const v = tagValue(s, name)
      tags.set(name, v === '' ? null : v)
    }
  }
  return {expr: filter, fields, tags}
}

function passes(f: PointFilter, t: bigint): boolean {
  const vals = new Map<string, Value>(f.tags)
  for (const {name, col} of f.fields) vals.set(name, valueAt(col, t))
  return evalBool(f.expr, (name) => vals.get(name))
}

/** The points of a column that pass a filter (a new, compact column). */
function filterColumn(col: Column, f: PointFilter): Column | undefined {
  const keep: number[] = []
  for (let k = 0; k < col.times.length; k++) if (passes(f, col.times[k])) keep.push(k)
  if (keep.length === 0) return undefined
  if (keep.length === col.times.length) return col
  const times = BigInt64Array.from(keep, (k) => col.times[k])
  switch (col.type) {
    case 'float': return {type: 'float', times, values: Float64Array.from(keep, (k) => col.values[k])}
    case 'integer': return {type: 'integer', times, values: BigInt64Array.from(keep, (k) => col.values[k])}
    case 'unsigned': return {type: 'unsigned', times, values: BigUint64Array.from(keep, (k) => col.values[k])}
    case 'string': return {type: 'string', times, values: keep.map((k) => col.values[k])}
    case 'boolean': return {type: 'boolean', times, values: Uint8Array.from(keep, (k) => col.values[k])}
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SELECT

interface Compiled {
  q: SelectQuery
  condition?: Expr
  w: Windowing
  dims: string[]
  /** The refs (raw) or aux refs (selectors) in influxd's opt.Aux order: its sorted merge compares their strings. */
  auxOrder: number[]
}

/** Indexes of refs sorted like influxql.VarRefs (by name, then type). */
function auxOrder(refs: RefSpec[]): number[] {
  return refs.map((_, k) => k).sort((x, y) => (refs[x].name < refs[y].name ? -1 : refs[x].name > refs[y].name ? 1 : refs[x].type - refs[y].type))
}

/**
 * The tie-break of influxd's sorted merge heap for points of equal time: their auxiliary values compared as strings
 * in opt.Aux order while both are strings (a null or a number ends the comparison as "not less").
 */
function auxLess(x: (k: number) => Cell, y: (k: number) => Cell, order: number[], ascending: boolean): boolean {
  for (const k of order) {
    const a = x(k)
    const b = y(k)
    if (typeof a !== 'string' || typeof b !== 'string') return false
    if (a === b) continue
    return ascending ? a < b : a > b
  }
  return false
}

function compileSelect(q: SelectQuery): Compiled {
  const start = parseBigInt(q.start)
  const end = parseBigInt(q.end)
  const duration = q.interval === undefined ? 0n : parseBigInt(q.interval.duration)
  const offset = q.interval === undefined ? 0n : parseBigInt(q.interval.offset)
  if (duration < 0n) throw new WireError('negative interval in shard query')
  return {
    q,
    condition: q.condition === undefined ? undefined : exprFromJson(q.condition),
    w: {duration, offset, start, end},
    dims: [...new Set(q.dimensions)].sort(),
    auxOrder: auxOrder(q.mode.kind === 'raw' ? q.mode.refs : q.mode.aux),
  }
}

interface TagSet {
  tags: Array<[string, string]>
  series: Array<{s: SeriesInfo; match: NonNullable<SeriesMatch>}>
}

/** Series of a measurement in one shard, filtered and grouped by the GROUP BY tags, with SLIMIT/SOFFSET applied. */
function tagSets(reader: ShardReader, m: string, c: Compiled, fieldTypes: ReadonlyMap<string, FieldType>): TagSet[] {
  const sets = new Map<string, TagSet>()
  for (const s of reader.series(m)) {
    const match = matchSeries(c.condition, s, (name) => fieldTypes.has(name))
    if (match === undefined) continue
    const tags = c.dims.map((d): [string, string] => [d, tagValue(s, d)])
    const key = tags.map(([, v]) => v).join('\u0000')
    let set = sets.get(key)
    if (set === undefined) {
      set = {tags, series: []}
      sets.set(key, set)
    }
    set.series.push({s, match})
  }
  let sorted = [...sets.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v)
  if (c.q.slimit > 0 || c.q.soffset > 0) {
    if (c.q.soffset > sorted.length) return []
    const limit = c.q.slimit > 0 ? c.q.slimit : sorted.length
    sorted = sorted.slice(c.q.soffset, c.q.soffset + limit)
  }
  return sorted
}

function groupFor(out: SelectPartial, name: string, tags: Array<[string, string]>): GroupPartial {
  const key = groupKey(name, tags)
  let g = out.groups.get(key)
  if (g === undefined) {
    g = {name, tags}
    out.groups.set(key, g)
  }
  return g
}

/** Aggregates one series column into the group's windows. */
function aggregateSeries(
  windows: Map<bigint, Array<CallState | undefined>>, call: CallSpec, callIndex: number, callCount: number, c: Compiled, col: Column,
  aux: ((k: number) => Cell[]) | undefined,
): void {
  const {fn, percentile} = call
  const times = col.times
  const n = times.length
  let i = 0
  while (i < n) {
    let ws: bigint
    let j: number
    if (c.w.duration === 0n) {
      ws = c.w.start
      j = n
    } else {
      ws = windowStart(c.w, times[i])
      j = seekTime(times, i + 1, windowEnd(c.w, times[i]))
    }
    const state = aggregate(fn, col, i, j, {times, percentile, aux, descending: !c.q.ascending})
    let states = windows.get(ws)
    if (states === undefined) {
      states = new Array<CallState | undefined>(callCount)
      windows.set(ws, states)
    }
    const prev = states[callIndex]
    states[callIndex] = prev === undefined ? state : combine(fn, prev, state, c.q.ascending)
    i = j
  }
}

/** After a shard: each window's mean becomes its level result, weighted by its count (influxd's merge levels). */
function finishShardMeans(windows: Map<bigint, Array<CallState | undefined>>): void {
  for (const states of windows.values()) {
    for (let k = 0; k < states.length; k++) {
      const s = states[k]
      if (s?.k === 'mean') states[k] = {k: 'mean', ws: s.n >= 2 ? (s.ws / s.n) * s.n : s.ws, n: s.n}
    }
  }
}

function auxReader(refs: RefSpec[], reader: ShardReader, s: SeriesInfo, fieldTypes: ReadonlyMap<string, FieldType>, c: Compiled, times: BigInt64Array): ((k: number) => Cell[]) | undefined {
  if (refs.length === 0) return undefined
  const getters = refs.map((ref): ((t: bigint) => Cell) => {
    if (ref.type !== DataType.Tag && fieldTypes.has(ref.name)) {
      const col = readField(reader, s.key, ref.name, ref.type, c.w.start, c.w.end)
      return (t) => valueAt(col, t)
    }
    if (ref.type !== DataType.Tag && ref.type !== DataType.Unknown) return () => null
    const v = tagValue(s, ref.name)
    return () => (v === '' ? null : v)
  })
  return (k) => getters.map((g) => g(times[k]))
}

function runSelectShard(reader: ShardReader, measurements: string[], c: Compiled, out: SelectPartial): void {
  const mode = c.q.mode
  const ascending = c.q.ascending
  for (const m of measurements) {
    const fieldTypes = reader.fields(m)
    for (const set of tagSets(reader, m, c, fieldTypes)) {
      const g = groupFor(out, m, set.tags)
      if (mode.kind === 'raw') {
        // influxd's engine: the series of the tag set (reversed for DESC) through its sorted merge, then LIMIT.
        const parts: RawPartial[] = []
        for (const {s, match} of set.series) {
          const p = rawSeries(reader, s, match.filter, fieldTypes, mode.refs, c)
          if (p !== undefined) parts.push(ascending ? p : reverseRaw(p))
        }
        if (!ascending) parts.reverse()
        const merged = mergeRaw(parts, c.auxOrder, ascending, mode.limit)
        if (merged !== undefined) g.raw = g.raw === undefined ? merged : mergeRaw([g.raw, merged], c.auxOrder, ascending, mode.limit)
        continue
      }
      const windows = new Map<bigint, Array<CallState | undefined>>()
      for (let ci = 0; ci < mode.calls.length; ci++) {
        const call = mode.calls[ci]
        if (!fieldTypes.has(call.field)) continue
        const cols: Array<{col: Column; aux: ((k: number) => Cell[]) | undefined}> = []
        for (const {s, match} of set.series) {
          let col = readField(reader, s.key, call.field, call.type, c.w.start, c.w.end)
          if (col === undefined) continue
          const pf = pointFilter(match.filter, reader, s, fieldTypes, c.w.start, c.w.end)
          if (pf !== undefined) col = filterColumn(col, pf)
          if (col === undefined) continue
          cols.push({col, aux: auxReader(mode.aux, reader, s, fieldTypes, c, col.times)})
        }
        if (cols.length === 0) continue
        if (c.w.duration === 0n && (call.fn === 'first' || call.fn === 'last')) {
          firstLastOfTagSet(windows, call, ci, mode.calls.length, c, cols)
        } else if (call.fn === 'percentile') {
          percentileOfTagSet(windows, call, ci, mode.calls.length, c, cols)
        } else if (call.fn === 'stddev' && cols.length > 1) {
          stddevOfTagSet(windows, ci, mode.calls.length, c, cols)
        } else if ((call.fn === 'mean' || (call.fn === 'sum' && call.type === DataType.Float)) && cols.length > 1) {
          floatSumOfTagSet(windows, call, ci, mode.calls.length, c, cols)
        } else {
          // Series combine in the tag set's order, reversed for DESC like influxd's tag sets.
          const order = ascending ? cols : [...cols].reverse()
          for (const {col, aux} of order) aggregateSeries(windows, call, ci, mode.calls.length, c, col, aux)
        }
      }
      finishShardMeans(windows)
      if (windows.size > 0) g.windows = mergeWindows(g.windows ?? [], windowsToList(windows), mode.calls.map((x) => x.fn), ascending)
    }
  }
  for (const [k, g] of out.groups) if (g.raw === undefined && g.windows === undefined) out.groups.delete(k)
}

function stateSlot(windows: Map<bigint, Array<CallState | undefined>>, ws: bigint, callCount: number): Array<CallState | undefined> {
  let states = windows.get(ws)
  if (states === undefined) {
    states = new Array<CallState | undefined>(callCount)
    windows.set(ws, states)
  }
  return states
}

interface PointInput extends MergeInput {
  col: Column
  /** Row indexes into col in the merge's direction (times[i] = col.times[rows[i]]). */
  rows: Int32Array
  aux: ((k: number) => Cell[]) | undefined
  auxAt?: Cell[]
  auxRow?: number
}

/** Series columns as inputs of influxd's sorted merge, in the tag set's order (reversed, and read newest first, for DESC). */
function pointInputs(cols: Array<{col: Column; aux: ((k: number) => Cell[]) | undefined}>, ascending: boolean, take: number): PointInput[] {
  const list = ascending ? cols : [...cols].reverse()
  return list.map(({col, aux}) => {
    const n = col.times.length
    const m = take > 0 ? Math.min(take, n) : n
    const rows = new Int32Array(m)
    for (let i = 0; i < m; i++) rows[i] = ascending ? i : n - 1 - i
    const times = ascending && m === n ? col.times : BigInt64Array.from(rows, (r) => col.times[r])
    return {times, at: 0, col, rows, aux}
  })
}

function inputAux(x: PointInput): Cell[] {
  const row = x.rows[x.at]
  if (x.auxRow !== row) {
    x.auxAt = x.aux?.(row) ?? []
    x.auxRow = row
  }
  return x.auxAt!
}

function pointLess(c: Compiled, ascending: boolean): (x: PointInput, y: PointInput) => boolean {
  return (x, y) => {
    const tx = x.times[x.at]
    const ty = y.times[y.at]
    if (tx !== ty) return ascending ? tx < ty : tx > ty
    if (x.aux === undefined || y.aux === undefined) return false
    const ax = inputAux(x)
    const ay = inputAux(y)
    return auxLess((k) => ax[k], (k) => ay[k], c.auxOrder, ascending)
  }
}

/**
 * first()/last() without GROUP BY time, as influxd's engine runs them: a raw read of the tag set's series in the
 * call's direction through the sorted merge with LIMIT 1, whose limit iterator lets two points through; the
 * reducer keeps the better of those (by time, then by value).
 */
function firstLastOfTagSet(
  windows: Map<bigint, Array<CallState | undefined>>, call: CallSpec, ci: number, callCount: number, c: Compiled,
  cols: Array<{col: Column; aux: ((k: number) => Cell[]) | undefined}>,
): void {
  const dir = call.fn === 'first'
  const inputs = pointInputs(cols, dir, 2)
  const states = stateSlot(windows, c.w.start, callCount)
  let seen = 0
  sortedMerge(inputs, pointLess(c, dir), (x) => {
    const row = x.rows[x.at]
    const st: CallState = {k: 'sel', t: x.col.times[row], v: cellAt(x.col, row), aux: x.aux?.(row)}
    const prev = states[ci]
    states[ci] = prev === undefined ? st : combine(call.fn, prev, st)
    return ++seen < 2
  })
}

/** GOMAXPROCS of an influxd on this machine: how many groups its parallel merge cuts a tag set's series into. */
const PARALLELISM = availableParallelism()

/**
 * mean() and float sum() of a tag set of several series: influxd reduces each series, then adds the series' results
 * of a window in the order its parallel merge iterator delivers them; floating-point sums depend on that order.
 */
function floatSumOfTagSet(
  windows: Map<bigint, Array<CallState | undefined>>, call: CallSpec, ci: number, callCount: number, c: Compiled,
  cols: Array<{col: Column; aux: ((k: number) => Cell[]) | undefined}>,
): void {
  const ascending = c.q.ascending
  const list = ascending ? cols : [...cols].reverse()
  const perSeries = list.map(({col, aux}) => {
    const w = new Map<bigint, Array<CallState | undefined>>()
    aggregateSeries(w, call, 0, 1, c, col, aux)
    const items = windowsToList(w)
    if (!ascending) items.reverse()
    return items
  })
  const order = parallelMergeOrder(perSeries.map((items) => items.map((x) => x.start)), ascending, PARALLELISM)
  for (const [s, k] of order) {
    const item = perSeries[s][k]
    const states = stateSlot(windows, item.start, callCount)
    const prev = states[ci]
    const st = item.states[0]!
    states[ci] = prev === undefined ? st : combine(call.fn, prev, st, ascending)
  }
}

/**
 * stddev() of a tag set of several series: Go's two-pass formula depends on the order of the values, which is the
 * order of influxd's sorted merge of the series (by time, equal times in heap order).
 */
function stddevOfTagSet(
  windows: Map<bigint, Array<CallState | undefined>>, ci: number, callCount: number, c: Compiled,
  cols: Array<{col: Column; aux: ((k: number) => Cell[]) | undefined}>,
): void {
  const ascending = c.q.ascending
  const inputs = pointInputs(cols.map(({col}) => ({col, aux: undefined})), ascending, 0)
  const floats = new Map(inputs.map((x) => [x, floatAt(x.col)]))
  let vals: number[] = []
  let ws = 0n
  let hi = -1n
  let lo = 0n
  const flush = (): void => {
    if (vals.length === 0) return
    const v = vals
    stateSlot(windows, ws, callCount)[ci] = stddevOf((k) => v[k], 0, v.length)
    vals = []
  }
  sortedMerge(inputs, pointLess(c, ascending), (x) => {
    const row = x.rows[x.at]
    const t = x.col.times[row]
    if (t < lo || t >= hi) {
      flush()
      ws = windowStart(c.w, t)
      lo = ws
      hi = windowEnd(c.w, t)
    }
    vals.push(floats.get(x)!(row))
    return true
  })
  flush()
}

/** percentile(): the tag set's points in the order of influxd's sorted merge, split into windows. */
function percentileOfTagSet(
  windows: Map<bigint, Array<CallState | undefined>>, call: CallSpec, ci: number, callCount: number, c: Compiled,
  cols: Array<{col: Column; aux: ((k: number) => Cell[]) | undefined}>,
): void {
  const ascending = c.q.ascending
  const inputs = pointInputs(cols, ascending, 0)
  let current: Extract<CallState, {k: 'values'}> | undefined
  let lo = 0n
  let hi = -1n
  sortedMerge(inputs, pointLess(c, ascending), (x) => {
    const row = x.rows[x.at]
    const t = x.col.times[row]
    if (current === undefined || t < lo || t >= hi) {
      const ws = windowStart(c.w, t)
      lo = ws
      hi = windowEnd(c.w, t)
      const states = stateSlot(windows, ws, callCount)
      const prev = states[ci]
      if (prev?.k === 'values') current = prev
      else {
        current = {k: 'values', times: [], vals: [], aux: x.aux !== undefined ? [] : undefined}
        states[ci] = current
      }
    }
    current.times.push(t)
    current.vals.push(cellAt(x.col, row) as number | bigint)
    current.aux?.push(x.aux!(row))
    return true
  })
}

function windowsToList(windows: Map<bigint, Array<CallState | undefined>>): WindowPartial[] {
  return [...windows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([start, states]) => ({start, states}))
}

/** Merges two window lists sorted by start (same calls). */
export function mergeWindows(a: WindowPartial[], b: WindowPartial[], fns: CallName[], ascending: boolean): WindowPartial[] {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const out: WindowPartial[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].start < b[j].start)) out.push(a[i++])
    else if (i >= a.length || b[j].start < a[i].start) out.push(b[j++])
    else {
      const x = a[i++]
      const y = b[j++]
      out.push({
        start: x.start,
        states: x.states.map((s, k) => {
          const t = y.states[k]
          if (s === undefined) return t
          if (t === undefined) return s
          return combine(fns[k], s, t, ascending)
        }),
      })
    }
  }
  return out
}

// ----- raw rows

function unionTimes(cols: Array<Column | undefined>): BigInt64Array {
  const present = cols.filter((c): c is Column => c !== undefined)
  if (present.length === 0) return new BigInt64Array(0)
  if (present.length === 1) return present[0].times
  const idx = present.map(() => 0)
  const out: bigint[] = []
  for (;;) {
    let min: bigint | undefined
    for (let k = 0; k < present.length; k++) {
      if (idx[k] < present[k].times.length) {
        const t = present[k].times[idx[k]]
        if (min === undefined || t < min) min = t
      }
    }
    if (min === undefined) break
    out.push(min)
    for (let k = 0; k < present.length; k++) if (idx[k] < present[k].times.length && present[k].times[idx[k]] === min) idx[k]++
  }
  return BigInt64Array.from(out)
}

function rawSeries(reader: ShardReader, s: SeriesInfo, filter: Expr | undefined, fieldTypes: ReadonlyMap<string, FieldType>, refs: RefSpec[], c: Compiled): RawPartial | undefined {
  const cols: Array<Column | undefined> = []
  const tagVals: Cell[] = []
  refs.forEach((ref, k) => {
    if (ref.type !== DataType.Tag && fieldTypes.has(ref.name)) {
      cols[k] = readField(reader, s.key, ref.name, ref.type, c.w.start, c.w.end)
    } else {
      cols[k] = undefined
      const v = ref.type === DataType.Tag || ref.type === DataType.Unknown ? tagValue(s, ref.name) : ''
      tagVals[k] = v === '' ? null : v
    }
  })
  const times = unionTimes(cols)
  if (times.length === 0) return undefined
  const pf = pointFilter(filter, reader, s, fieldTypes, c.w.start, c.w.end)
  const cursors = cols.map(() => 0)
  const keep: number[] = []
  const columns: Cell[][] = refs.map(() => [])
  for (let r = 0; r < times.length; r++) {
    const t = times[r]
    if (pf !== undefined && !passes(pf, t)) continue
    keep.push(r)
    for (let k = 0; k < refs.length; k++) {
      const col = cols[k]
      if (col === undefined) {
        columns[k].push(tagVals[k] ?? null)
        continue
      }
      let p = cursors[k]
      while (p < col.times.length && col.times[p] < t) p++
      cursors[k] = p
      columns[k].push(p < col.times.length && col.times[p] === t ? cellAt(col, p) : null)
    }
  }
  if (keep.length === 0) return undefined
  return {times: keep.length === times.length ? times : BigInt64Array.from(keep, (r) => times[r]), columns}
}

function reverseRaw(p: RawPartial): RawPartial {
  return {times: p.times.slice().reverse(), columns: p.columns.map((c) => c.slice().reverse())}
}

/**
 * Merges raw parts (each in the query's time order) like influxd's sorted merge iterator: by time, equal times by
 * the heap's order and the auxiliary strings. Keeps the first `limit` rows (0 = all).
 */
export function mergeRaw(parts: RawPartial[], order: number[], ascending: boolean, limit: number): RawPartial | undefined {
  const nonEmpty = parts.filter((p) => p.times.length > 0)
  if (nonEmpty.length === 0) return undefined
  if (nonEmpty.length === 1) return limitRows(nonEmpty[0], limit)
  let total = nonEmpty.reduce((n, p) => n + p.times.length, 0)
  if (limit > 0 && limit < total) total = limit
  const times = new BigInt64Array(total)
  const ncol = nonEmpty[0].columns.length
  const columns: Cell[][] = Array.from({length: ncol}, () => new Array<Cell>(total))
  const inputs = nonEmpty.map((p) => ({times: p.times, at: 0, p}))
  let r = 0
  sortedMerge(inputs, (x, y) => {
    const tx = x.times[x.at]
    const ty = y.times[y.at]
    if (tx !== ty) return ascending ? tx < ty : tx > ty
    return auxLess((k) => x.p.columns[k][x.at], (k) => y.p.columns[k][y.at], order, ascending)
  }, (x) => {
    times[r] = x.times[x.at]
    for (let k = 0; k < ncol; k++) columns[k][r] = x.p.columns[k][x.at]
    return ++r < total
  })
  return {times, columns}
}

/** Keeps the first `limit` rows (rows are in the query's order); 0 = all. */
export function limitRows(p: RawPartial | undefined, limit: number): RawPartial | undefined {
  if (p === undefined || limit <= 0 || p.times.length <= limit) return p
  return {times: p.times.slice(0, limit), columns: p.columns.map((c) => c.slice(0, limit))}
}

// ---------------------------------------------------------------------------------------------------------------
// FIELDS and SERIES

function runFields(readers: ShardReaders, q: FieldsQuery): FieldsPartial {
  const out: FieldsPartial = {kind: 'fields', measurements: new Map()}
  for (const reader of readersFor(readers, q.shardIds)) {
    for (const sel of q.measurements) {
      for (const m of selectMeasurements(reader, sel)) {
        let entry = out.measurements.get(m)
        if (entry === undefined) {
          entry = {fields: new Map(), tagKeys: new Set()}
          out.measurements.set(m, entry)
        }
        for (const [f, t] of reader.fields(m)) {
          let types = entry.fields.get(f)
          if (types === undefined) {
            types = new Set()
            entry.fields.set(f, types)
          }
          types.add(t as FieldTypeName)
        }
        for (const k of reader.tagKeys(m)) entry.tagKeys.add(k)
      }
    }
  }
  return out
}

function hasPointIn(reader: ShardReader, s: SeriesInfo, fields: Iterable<string>, start: bigint, end: bigint): boolean {
  for (const f of fields) {
    const col = reader.read(s.key, f, start, end)
    if (col !== undefined && col.times.length > 0) return true
  }
  return false
}

function runSeries(readers: ShardReaders, q: SeriesQuery): SeriesPartial {
  const out: SeriesPartial = {kind: 'series', series: new Map()}
  const cond = q.condition === undefined ? undefined : reduce(exprFromJson(q.condition))
  const start = q.start === undefined ? undefined : parseBigInt(q.start)
  const end = q.end === undefined ? undefined : parseBigInt(q.end)
  for (const reader of readersFor(readers, q.shardIds)) {
    const names = q.measurements === undefined ? reader.measurements() : [...new Set(q.measurements.flatMap((sel) => selectMeasurements(reader, sel)))]
    for (const m of names) {
      const fieldTypes = reader.fields(m)
      for (const s of reader.series(m)) {
        if (out.series.has(s.key)) continue
        if (matchSeries(cond, s, (name) => fieldTypes.has(name)) === undefined) continue
        if (start !== undefined && end !== undefined && !hasPointIn(reader, s, fieldTypes.keys(), start, end)) continue
        out.series.set(s.key, {measurement: m, tags: s.tags.map(([k, v]): [string, string] => [k, v])})
      }
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------

/** Runs a shard query over the shards of `readers` it names (shards this node does not hold are skipped). */
export function runShardQuery(readers: ShardReaders, q: ShardQuery): ShardPartial {
  switch (q.kind) {
    case 'fields': return runFields(readers, q)
    case 'series': return runSeries(readers, q)
    case 'select': {
      const c = compileSelect(q)
      const out: SelectPartial = {kind: 'select', groups: new Map()}
      // Shard by shard: influxd combines each shard's own result before combining shards.
      const byShard = new Map<number, string[][]>()
      for (const src of q.sources) {
        for (const id of src.shardIds) {
          const reader = readers.get(id)
          if (reader === undefined) continue
          const list = byShard.get(id) ?? []
          list.push(selectMeasurements(reader, src.measurement))
          byShard.set(id, list)
        }
      }
      for (const id of [...byShard.keys()].sort((a, b) => a - b)) {
        const reader = readers.get(id)!
        const measurements = [...new Set(byShard.get(id)!.flat())].sort()
        const shardOut: SelectPartial = {kind: 'select', groups: new Map()}
        runSelectShard(reader, measurements, c, shardOut)
        mergeSelect(out, shardOut, q)
      }
      return out
    }
  }
}

function mergeSelect(into: SelectPartial, from: SelectPartial, q: SelectQuery): void {
  const fns = q.mode.kind === 'agg' ? q.mode.calls.map((c) => c.fn) : []
  for (const [key, g] of from.groups) {
    const have = into.groups.get(key)
    if (have === undefined) {
      into.groups.set(key, g)
      continue
    }
    if (g.raw !== undefined) {
      const order = auxOrder(q.mode.kind === 'raw' ? q.mode.refs : [])
      const merged = mergeRaw(have.raw === undefined ? [g.raw] : [have.raw, g.raw], order, q.ascending, q.mode.kind === 'raw' ? q.mode.limit : 0)
      if (merged !== undefined) have.raw = merged
    }
    if (g.windows !== undefined) have.windows = mergeWindows(have.windows ?? [], g.windows, fns, q.ascending)
  }
}

/** Combines two partial results of the same query (from different owners). */
export function mergePartials(q: ShardQuery, a: ShardPartial, b: ShardPartial): ShardPartial {
  if (a.kind !== b.kind || a.kind !== q.kind) throw new ShardQueryError(`cannot merge a ${b.kind} result into a ${a.kind} result`)
  switch (a.kind) {
    case 'fields': {
      const out: FieldsPartial = {kind: 'fields', measurements: new Map(a.measurements)}
      for (const [m, e] of (b as FieldsPartial).measurements) {
        const have = out.measurements.get(m)
        if (have === undefined) {
          out.measurements.set(m, e)
          continue
        }
        const fields = new Map(have.fields)
        for (const [f, types] of e.fields) fields.set(f, new Set([...(fields.get(f) ?? []), ...types]))
        out.measurements.set(m, {fields, tagKeys: new Set([...have.tagKeys, ...e.tagKeys])})
      }
      return out
    }
    case 'series': return {kind: 'series', series: new Map([...a.series, ...(b as SeriesPartial).series])}
    case 'select': {
      const out: SelectPartial = {kind: 'select', groups: new Map([...a.groups].map(([k, g]) => [k, {...g}]))}
      mergeSelect(out, b as SelectPartial, q as SelectQuery)
      return out
    }
  }
}

