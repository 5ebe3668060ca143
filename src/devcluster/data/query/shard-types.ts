/**
 * What one data node asks another about shards it owns, and what comes back. A request is plain JSON (64-bit numbers
 * as decimal strings); a partial result holds typed arrays and bigints for speed and travels through
 * encodePartial/decodePartial (partial-codec.ts). Partials of the same request merge (mergePartials), so the node
 * that received a query can ask each owner for its shards and combine the answers.
 *
 * Aggregates are pushed down where they merge exactly enough: count, sum, min, max, first, last, spread, mean (kept
 * as influxd combines per-series means), stddev (mergeable moments, plus Go's own two-pass result while a window
 * lies in one shard). median and percentile ship the raw values of each window (percentile in influxd's arrival
 * order, which decides the time it returns); raw selects ship rows in the query's time order, at most LIMIT+OFFSET
 * per series group.
 */
import type {ExprJson} from './wire.js'

/** A measurement of a source: by name, or by a regex (Go syntax) over the shard's measurement names. */
export type MeasurementSelector = {name: string} | {regex: string}

/** Field metadata of measurements (planning, `*` expansion, SHOW FIELD KEYS). */
export interface FieldsQuery {
  kind: 'fields'
  shardIds: number[]
  measurements: MeasurementSelector[]
}

/** Series matching a tag condition (SHOW SERIES, MEASUREMENTS, TAG KEYS, TAG VALUES). */
export interface SeriesQuery {
  kind: 'series'
  shardIds: number[]
  /** Absent = every measurement. */
  measurements?: MeasurementSelector[]
  condition?: ExprJson
  /** Only series with at least one point in [start, end] when given (SHOW ... with a time condition). */
  start?: string
  end?: string
}

/** A field or tag a raw select reads, with the type planning gave it (influxql DataType numbers). */
export interface RefSpec {
  name: string
  type: number
}

export type CallName = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'first' | 'last' | 'spread' | 'stddev' | 'median' | 'percentile'

export interface CallSpec {
  fn: CallName
  field: string
  /** The field's planned type (DataType number); columns of other numeric types are cast to it, as influxd does. */
  type: number
  /** percentile(): the requested percentile. */
  percentile?: number
}

export interface SelectQuery {
  kind: 'select'
  /** Each source with the shards of its database/retention policy that the asked node should read. */
  sources: Array<{shardIds: number[]; measurement: MeasurementSelector}>
  /** The non-time part of the WHERE clause, with typed variables. */
  condition?: ExprJson
  /** Inclusive time bounds, ns. */
  start: string
  end: string
  /** GROUP BY time(duration, offset), ns; absent = one window for the whole range. */
  interval?: {duration: string; offset: string}
  /** GROUP BY tag keys. */
  dimensions: string[]
  ascending: boolean
  /** Applied per shard to its sorted tag sets, as influxd's engine does. */
  slimit: number
  soffset: number
  /** Measurement names left out of group keys (SHOW rewrites). */
  stripName?: boolean
  mode: RawMode | AggMode
}

export interface RawMode {
  kind: 'raw'
  /** The fields and tags to return; rows exist at the times any of the fields has a value. */
  refs: RefSpec[]
  /** LIMIT + OFFSET of the statement: each shard sends at most this many rows per series group (0 = all). */
  limit: number
}

export interface AggMode {
  kind: 'agg'
  calls: CallSpec[]
  /** Fields and tags returned with a lone selector (SELECT max(v), host ...): read at the selected point. */
  aux: RefSpec[]
}

export type ShardQuery = FieldsQuery | SeriesQuery | SelectQuery

// ---------------------------------------------------------------------------------------------------------------
// Partial results

export type FieldTypeName = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean'

export interface FieldsPartial {
  kind: 'fields'
  /** measurement -> field -> every type seen (several when shards disagree); measurement -> tag keys. */
  measurements: Map<string, {fields: Map<string, Set<FieldTypeName>>; tagKeys: Set<string>}>
}

export interface SeriesPartial {
  kind: 'series'
  /** Series key -> measurement and tags (sorted by key). */
  series: Map<string, {measurement: string; tags: Array<[string, string]>}>
}

/** A value in a partial or a result: float, int64/uint64 (bigint), string, boolean, or null. */
export type Cell = number | bigint | string | boolean | null

export type CallState =
  | {k: 'count'; n: number}
  | {k: 'sumf'; s: number}
  | {k: 'sumi'; s: bigint; unsigned: boolean}
  /** Σ mean·count of the contributions so far (influxd re-weights each level's means by their counts). */
  | {k: 'mean'; ws: number; n: number}
  | {k: 'sel'; t: bigint; v: Cell; aux?: Cell[]}
  | {k: 'spread'; lo: number | bigint; hi: number | bigint}
  /** `exact`: Go's own two-pass result, valid while a single slice makes the window. */
  | {k: 'moments'; n: number; mean: number; m2: number; exact?: number | null}
  | {k: 'values'; times: bigint[]; vals: Array<number | bigint>; aux?: Cell[][]}

export interface WindowPartial {
  /** Window start (ns); the query start for queries without GROUP BY time. */
  start: bigint
  /** One state per call; undefined = no point for that call in this window. */
  states: Array<CallState | undefined>
}

export interface RawPartial {
  /** In the query's time order (descending for ORDER BY time DESC); equal times in influxd's merge order. */
  times: BigInt64Array
  /** One column per ref. */
  columns: Cell[][]
}

export interface GroupPartial {
  name: string
  /** GROUP BY tag values, in sorted key order ("" for a missing tag). */
  tags: Array<[string, string]>
  raw?: RawPartial
  /** Sorted by start, ascending. */
  windows?: WindowPartial[]
}

export interface SelectPartial {
  kind: 'select'
  /** Keyed by groupKey(name, tags). */
  groups: Map<string, GroupPartial>
}

export type ShardPartial = FieldsPartial | SeriesPartial | SelectPartial

/** The identity of an output series: influxd orders series by name, then by this tag encoding. */
export function tagsId(tags: ReadonlyArray<readonly [string, string]>): string {
  if (tags.length === 0) return ''
  return tags.map(([k]) => k).join('\u0000') + '\u0000' + tags.map(([, v]) => v).join('\u0000')
}

export function groupKey(name: string, tags: ReadonlyArray<readonly [string, string]>): string {
  return name + '\u0001' + tagsId(tags)
}
