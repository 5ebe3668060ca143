/**
 * What a data node's shard store gives the query engine: a read-only view of one shard. The query engine (another part
 * of the data node) codes against these names and types; the store (store.ts, shard.ts) implements them.
 */

export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean'

/** One series of a shard. `tags` are sorted by key. */
export interface SeriesInfo {
  key: string
  measurement: string
  tags: ReadonlyArray<readonly [string, string]>
}

/** The values of one field of one series, ascending by time, without duplicate times. */
export type Column =
  | {type: 'float'; times: BigInt64Array; values: Float64Array}
  | {type: 'integer'; times: BigInt64Array; values: BigInt64Array}
  | {type: 'unsigned'; times: BigInt64Array; values: BigUint64Array}
  | {type: 'string'; times: BigInt64Array; values: string[]}
  | {type: 'boolean'; times: BigInt64Array; values: Uint8Array}

export interface ShardReader {
  readonly id: number
  /** The database and retention policy the shard belongs to (an extension of the agreed interface). */
  readonly database: string
  readonly retentionPolicy: string
  /** Measurements that have at least one series in this shard, sorted (byte order). */
  measurements(): string[]
  /** Field keys and types of a measurement in this shard (types are per shard, as in influxd). */
  fields(measurement: string): ReadonlyMap<string, FieldType>
  /** Tag keys of the measurement's series, sorted. */
  tagKeys(measurement: string): string[]
  /** Values of one tag key over the measurement's series, sorted. */
  tagValues(measurement: string, key: string): string[]
  /** The measurement's series, sorted by key. */
  series(measurement: string): SeriesInfo[]
  /**
   * One field of one series with min <= time <= max (ns), ascending, no duplicates; views: callers never mutate.
   * The arrays stay valid and unchanged after later writes and deletes (those build new arrays).
   */
  read(seriesKey: string, field: string, min: bigint, max: bigint): Column | undefined
  /** Values stored in the shard (one per field of each point), duplicates of a series, field and time counted once. */
  pointCount(): number
}
