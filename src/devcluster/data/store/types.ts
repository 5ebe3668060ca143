/**
 * The read side of a data node's shard store, as the query executor uses it. This is a copy of the shared interface
 * the store is being built to (on a parallel branch); the two must stay identical.
 */
export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean'
export interface SeriesInfo { key: string; measurement: string; tags: ReadonlyArray<readonly [string, string]> } // tags sorted by key
export type Column =
  | {type: 'float'; times: BigInt64Array; values: Float64Array}
  | {type: 'integer'; times: BigInt64Array; values: BigInt64Array}
  | {type: 'unsigned'; times: BigInt64Array; values: BigUint64Array}
  | {type: 'string'; times: BigInt64Array; values: string[]}
  | {type: 'boolean'; times: BigInt64Array; values: Uint8Array}
export interface ShardReader {
  readonly id: number
  measurements(): string[]                                   // sorted
  fields(measurement: string): ReadonlyMap<string, FieldType>
  tagKeys(measurement: string): string[]                     // sorted
  tagValues(measurement: string, key: string): string[]      // sorted
  series(measurement: string): SeriesInfo[]                  // sorted by key
  /** One field of one series with min <= time <= max (ns), ascending, no duplicates; views: callers never mutate. */
  read(seriesKey: string, field: string, min: bigint, max: bigint): Column | undefined
  pointCount(): number
}
