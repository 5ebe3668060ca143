/**
 * The rows of a planned SELECT, from the merged shard partials: windows are turned into values (fill, LIMIT/OFFSET
 * per series and call), calls are lined up by time like influxd's multi-scanner (a call with no point at a row gets
 * the fill value, or keeps its previous one with fill(previous)), field expressions are evaluated, and rows are cut
 * into results of at most chunk-size values per series, as influxd's emitter does.
 */
import {DataType, type Expr, Fill, MIN_TIME, type Value, evalExpr, floatToInt64, U64} from '../../../influxql/index.js'
import type {CallPlan, Plan} from './select-plan.js'
import {QueryError} from './select-plan.js'
import {goSort} from './go-order.js'
import {windowStart, type Windowing} from './shard-run.js'
import {type CallState, type Cell, type GroupPartial, type SelectPartial, tagsId} from './shard-types.js'
import {type OutCell, type Result, type Row, TimeCell} from './result.js'

/** A dev-cluster guard: influxd would try to build every filled window and run out of memory first. */
export const MAX_FILLED_WINDOWS = 5_000_000

interface Point {
  time: bigint
  value: Cell
  aux?: Cell[]
}

function toCell(v: Value): Cell {
  if (v instanceof U64) return v.v
  if (typeof v === 'object' && v !== null) return null
  return v
}

const applyMeanLevels = (x: number, n: number, levels: number): number => {
  for (let k = 0; k < levels; k++) if (n >= 2) x = (x * n) / n
  return x
}

function sortValues(vals: Array<number | bigint>): Array<number | bigint> {
  return [...vals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The value (and selected point) of a call's state, or undefined when influxd emits no point. */
function finalizeState(c: CallPlan, s: CallState, plan: Plan): {value: Cell; t?: bigint; aux?: Cell[]} | undefined {
  switch (s.k) {
    case 'count': return {value: BigInt(s.n)}
    case 'sumf': return {value: s.s}
    case 'sumi': return {value: s.s}
    case 'mean': return {value: applyMeanLevels(s.ws / s.n, s.n, plan.regexSource ? 2 : 1)}
    case 'sel': return {value: s.v, t: s.t, aux: s.aux}
    case 'spread':
      if (typeof s.hi === 'bigint' && typeof s.lo === 'bigint') {
        return {value: c.spec.type === DataType.Unsigned ? BigInt.asUintN(64, s.hi - s.lo) : BigInt.asIntN(64, s.hi - s.lo)}
      }
      return {value: (s.hi as number) - (s.lo as number)}
    case 'moments':
      // Fewer than two points: influxd's NaN, which prints as null but is a value (fill does not replace it).
      if (s.exact !== undefined) return {value: s.exact === null ? NaN : s.exact}
      return {value: s.n < 2 ? NaN : Math.sqrt(s.m2 / (s.n - 1))}
    case 'values': {
      if (c.spec.fn === 'median') {
        const v = sortValues(s.vals)
        if (v.length === 1) return {value: typeof v[0] === 'bigint' ? Number(v[0]) : v[0]}
        if (v.length % 2 === 0) {
          const lo = v[v.length / 2 - 1]
          const hi = v[v.length / 2]
          if (typeof lo === 'bigint' && typeof hi === 'bigint') {
            const diff = c.spec.type === DataType.Unsigned ? BigInt.asUintN(64, hi - lo) : BigInt.asIntN(64, hi - lo)
            return {value: Number(lo) + Number(diff) / 2}
          }
          return {value: (lo as number) + ((hi as number) - (lo as number)) / 2}
        }
        const mid = v[Math.floor(v.length / 2)]
        return {value: typeof mid === 'bigint' ? Number(mid) : mid}
      }
      const n = s.vals.length
      const i = Math.floor((n * (c.spec.percentile ?? 0)) / 100 + 0.5) - 1
      if (i < 0 || i >= n) return undefined
      // Go's sort.Sort by value over the points in arrival order: which of equal values ends at i decides the time.
      const order = Int32Array.from(s.vals, (_, k) => k)
      const vals = s.vals
      goSort({
        less: (a, b) => vals[order[a]] < vals[order[b]],
        swap: (a, b) => {
          const t = order[a]
          order[a] = order[b]
          order[b] = t
        },
      }, n)
      const k = order[i]
      return {value: s.vals[k], t: s.times[k], aux: s.aux?.[k]}
    }
  }
}

/** influxd's castTo* of a fill value for a column type. */
function castFill(v: number | bigint | undefined, t: DataType): Cell {
  if (v === undefined) return null
  switch (t) {
    case DataType.Float: return typeof v === 'bigint' ? Number(v) : v
    case DataType.Integer: return typeof v === 'bigint' ? v : floatToInt64(v)
    case DataType.Unsigned: return BigInt.asUintN(64, typeof v === 'bigint' ? v : floatToInt64(v))
    case DataType.String: case DataType.Tag: return ''
    case DataType.Boolean: return false
    default: return v
  }
}

function linear(windowTime: bigint, prevTime: bigint, nextTime: bigint, prev: Cell, next: Cell, t: DataType): Cell {
  if (typeof prev === 'number' && typeof next === 'number') {
    const m = (next - prev) / Number(nextTime - prevTime)
    return m * Number(windowTime - prevTime) + prev
  }
  if (typeof prev === 'bigint' && typeof next === 'bigint') {
    const diff = t === DataType.Unsigned ? BigInt.asUintN(64, next - prev) : BigInt.asIntN(64, next - prev)
    const m = Number(diff) / Number(nextTime - prevTime)
    const r = floatToInt64(m * Number(windowTime - prevTime) + Number(prev))
    return t === DataType.Unsigned ? BigInt.asUintN(64, r) : r
  }
  return null
}

/** The points of one call in one group: interval, fill, LIMIT/OFFSET applied, in output order. */
function callPoints(plan: Plan, call: CallPlan, index: number, g: GroupPartial, w: Windowing): Point[] {
  const c = plan.compiled
  const ascending = c.ascending
  const data: Point[] = []
  for (const win of g.windows ?? []) {
    const s = win.states[index]
    if (s === undefined) continue
    const f = finalizeState(call, s, plan)
    if (f === undefined) continue
    let time: bigint
    if (w.duration !== 0n) time = win.start
    else if (plan.selector && f.t !== undefined) time = f.t
    else time = c.start === MIN_TIME ? 0n : c.start
    data.push({time, value: f.value, aux: f.aux})
  }
  if (!ascending) data.reverse()
  let points = data
  let fill = c.stmt.fill
  let fillValue = c.stmt.fillValue
  if (fill === Fill.Null && call.spec.fn === 'count') {
    fill = Fill.Number
    fillValue = 0n
  }
  if (w.duration !== 0n && fill !== Fill.None && data.length > 0) {
    points = []
    const step = w.duration
    let time = ascending ? (c.start === MIN_TIME ? data[0].time : windowStart(w, c.start)) : windowStart(w, c.end)
    const endTime = ascending ? windowStart(w, c.end) : (c.start === MIN_TIME ? data[data.length - 1].time : windowStart(w, c.start))
    let k = 0
    let prev: Point | undefined
    let count = 0
    for (;;) {
      // Points before the fill range (influxd emits them as they come).
      while (k < data.length && (ascending ? data[k].time < time : data[k].time > time)) {
        points.push(data[k])
        prev = data[k++]
      }
      if (ascending ? time > endTime : time < endTime) break
      if (++count > MAX_FILLED_WINDOWS) throw new QueryError(`max-select-buckets limit exceeded: (${count}/${MAX_FILLED_WINDOWS})`)
      if (k < data.length && data[k].time === time) {
        points.push(data[k])
        prev = data[k++]
      } else {
        let value: Cell = null
        switch (fill) {
          case Fill.Number: value = castFill(fillValue, call.outType); break
          case Fill.Previous: value = prev?.value ?? null; break
          case Fill.Linear: {
            const next = data[k]
            if (prev !== undefined && next !== undefined && prev.value !== null && next.value !== null) {
              value = linear(time / step, prev.time / step, next.time / step, prev.value, next.value, call.outType)
            }
            break
          }
        }
        points.push({time, value})
      }
      time = ascending ? time + step : time - step
    }
    while (k < data.length) points.push(data[k++])
  }
  const {limit, offset} = c.stmt
  if (offset > 0 || limit > 0) points = points.slice(offset, limit > 0 ? offset + limit : undefined)
  return points
}

export interface SeriesRows {
  name: string
  tags: Array<[string, string]>
  rows: OutCell[][]
}

function outCell(v: Value): OutCell {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v
  if (v instanceof U64) return v.v
  if (typeof v === 'object' && v !== null) return null
  return v
}

function evaluateRow(plan: Plan, time: bigint, m: Map<string, Value>): OutCell[] {
  const lookup = (name: string): Value | undefined => m.get(name)
  const row: OutCell[] = plan.compiled.stmt.omitTime === true ? [] : [new TimeCell(time)]
  for (const e of plan.exprs) row.push(outCell(evalExpr(e as Expr, lookup, {integerFloatDivision: true})))
  return row
}

function sortedGroups(p: SelectPartial, ascending: boolean): GroupPartial[] {
  const groups = [...p.groups.values()]
  groups.sort((a, b) => {
    if (a.name !== b.name) return a.name < b.name ? -1 : 1
    const x = tagsId(a.tags)
    const y = tagsId(b.tags)
    return x < y ? -1 : x > y ? 1 : 0
  })
  if (!ascending) groups.reverse()
  return groups
}

function aggRows(plan: Plan, g: GroupPartial, w: Windowing): OutCell[][] {
  const live = plan.calls.filter((c) => !c.skipped)
  const perCall = live.map((c, i) => callPoints(plan, c, i, g, w))
  const ascending = plan.compiled.ascending
  const fill = plan.compiled.stmt.fill
  const m = new Map<string, Value>()
  const idx = perCall.map(() => 0)
  const rows: OutCell[][] = []
  for (;;) {
    let time: bigint | undefined
    for (let k = 0; k < perCall.length; k++) {
      const p = perCall[k][idx[k]]
      if (p !== undefined && (time === undefined || (ascending ? p.time < time : p.time > time))) time = p.time
    }
    if (time === undefined) break
    for (let k = 0; k < perCall.length; k++) {
      const call = live[k]
      const p = perCall[k][idx[k]]
      if (p !== undefined && p.time === time) {
        idx[k]++
        if (p.value === null && fill === Fill.Previous) {
          // Leave the previous value in place (influxd's scanner skips defaults for fill(previous)).
        } else {
          m.set(call.symbol, p.value === null && fill === Fill.Number ? castFill(plan.compiled.stmt.fillValue, call.outType) : p.value)
        }
        plan.refSymbols.forEach((sym, r) => {
          const v = p.aux?.[r]
          if (v !== undefined && v !== null) m.set(sym, v)
          else if (fill !== Fill.Previous) m.set(sym, fill === Fill.Number ? castFill(plan.compiled.stmt.fillValue, plan.refs[r].type as DataType) : null)
        })
      } else if (fill !== Fill.Previous) {
        m.set(call.symbol, fill === Fill.Number ? castFill(plan.compiled.stmt.fillValue, call.outType) : null)
      }
    }
    rows.push(evaluateRow(plan, time, m))
  }
  return rows
}

function rawRows(plan: Plan, g: GroupPartial): OutCell[][] {
  const raw = g.raw
  if (raw === undefined) return []
  const c = plan.compiled
  const n = raw.times.length
  // Rows arrive in the query's time order (shard-run's sorted merge).
  let order = Array.from({length: n}, (_, i) => i)
  const {limit, offset} = c.stmt
  if (offset > 0 || limit > 0) order = order.slice(offset, limit > 0 ? offset + limit : undefined)
  const fill = c.stmt.fill
  const m = new Map<string, Value>()
  const rows: OutCell[][] = []
  for (const r of order) {
    plan.refSymbols.forEach((sym, k) => {
      const v = raw.columns[k][r]
      if (v !== null) m.set(sym, v)
      else if (fill === Fill.Number) m.set(sym, castFill(c.stmt.fillValue, plan.refs[k].type as DataType))
      else if (fill !== Fill.Previous) m.set(sym, null)
    })
    rows.push(evaluateRow(plan, raw.times[r], m))
  }
  return rows
}

/** The output series of a SELECT, in influxd's order. */
export function selectRows(plan: Plan, partial: SelectPartial): SeriesRows[] {
  const c = plan.compiled
  const w: Windowing = {duration: c.interval, offset: c.offset, start: c.start, end: c.end}
  const out: SeriesRows[] = []
  for (const g of sortedGroups(partial, c.ascending)) {
    const rows = g.raw !== undefined ? rawRows(plan, g) : aggRows(plan, g, w)
    if (rows.length > 0) out.push({name: g.name, tags: g.tags, rows})
  }
  return out
}

/**
 * influxd's emitter: one result per chunk of at most chunkSize rows of one series. A result is partial when more
 * follow for the statement; a series cut at the chunk size is marked partial too.
 */
export function emitRows(statementId: number, series: SeriesRows[], columns: string[], chunkSize: number, withTags: boolean): Result[] {
  const out: Result[] = []
  for (const s of series) {
    const size = chunkSize > 0 ? chunkSize : s.rows.length
    for (let i = 0; i < s.rows.length; i += size) {
      const row: Row = {name: s.name === '' ? undefined : s.name, columns, values: s.rows.slice(i, i + size)}
      if (withTags && s.tags.length > 0) row.tags = Object.fromEntries(s.tags)
      if (i + size < s.rows.length) row.partial = true
      out.push({statementId, series: [row], partial: true})
    }
  }
  if (out.length === 0) return [{statementId, series: []}]
  delete out[out.length - 1].partial
  return out
}
