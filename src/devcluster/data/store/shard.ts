/**
 * One shard in memory: its series index, field types per measurement, and a column per (series, field). It checks a
 * batch the way influxd 1.6.7's Shard.WritePoints does (tsdb/shard.go validateSeriesAndFields and
 * createFieldsAndMeasurements, tsdb/index/inmem for the limits), applies writes and deletes, and answers the
 * ShardReader questions of the query engine. Durability (WAL, snapshots) is store.ts's.
 *
 * The order of influxd's checks decides which reason and count a partial write reports, so it is kept exactly:
 *  1. points with a tag key `time` are dropped (`invalid tag key: input tag "time" on measurement "m" is invalid`);
 *  2. series that are new to the database are created; with max-values-per-tag a new series whose tag would add a
 *     value to a key that already has that many values is dropped; with max-series-per-database, if the database's
 *     series plus the points of new series would pass the limit, every point of a new series is dropped (influxd
 *     counts points, not series, there). These reasons replace the one of step 1. influxd's index compacts the
 *     batch's key slice in place while doing this, and step 3 then looks points up by position in the reordered
 *     slice, so a point can be skipped (not written, not counted) or kept for another point's key: reproduced;
 *  3. a point whose only fields are named `time` is dropped (`invalid field name: ...`), counted even when step 2
 *     dropped it already (as influxd does); a point with a field whose type differs from the shard's existing field is
 *     dropped (`field type conflict: input field "f" on measurement "m" is type T, already exists as type U`);
 *  4. the new fields of the kept points are created in order; two of them with one key and different types end the
 *     whole write with `field type conflict` (fields created before that stay, as in influxd);
 *  5. a point influxd's engine cannot convert ends the whole write with `engine: ...`;
 *  6. the kept points are written; the first reason and the total count come back as a partial write.
 *
 * Series are identified by influxd's index key (lineprotocol seriesKey: the measurement and tags unescaped and escaped
 * again), which is also what SHOW SERIES prints. Series and fields created by a batch stay even when the batch then
 * fails, as in influxd; a series without values does not survive a restart (influxd rebuilds its index from data).
 */
import {compareUtf8, goQuote} from '../../../lineprotocol/escape.js'
import {type Point, seriesKey} from '../../../lineprotocol/point.js'
import {ColumnData} from './column.js'
import type {DatabaseIndex} from './db-index.js'
import {EngineError, FieldTypeConflictError, PartialWriteError} from './errors.js'
import type {Column, FieldType, SeriesInfo, ShardReader} from './types.js'

export interface SeriesEntry {
  readonly info: SeriesInfo
  /** Field key → its values. */
  readonly columns: Map<string, ColumnData>
  /** False once the series left the shard (a delete or drop): a plan made before must look it up again. */
  live: boolean
}

interface MeasurementEntry {
  readonly series: Map<string, SeriesEntry>
  /** Caches of the sorted answers; dropped when the measurement's series change. */
  sorted?: SeriesInfo[]
  tagKeys?: string[]
  tagValues?: Map<string, string[]>
}

export interface WriteLimits {
  /** 0: no limit. */
  maxSeriesPerDatabase: number
  /** 0: no limit. */
  maxValuesPerTag: number
}

/** A checked batch, ready to be logged and applied. */
export interface WritePlan {
  points: Point[]
  /** Each point's series entry when the check found it (aligned with points), so applying needs no lookup. */
  entries: Array<SeriesEntry | undefined>
  /** Fields created in memory that no log record has made durable yet (influxd saves its field set after creating). */
  newFields: Array<readonly [string, string, FieldType]>
  /** The partial-write error to return once the kept points are written. */
  partial?: PartialWriteError
  /** Nothing may be written: the engine refuses a point (newFields must still be made durable, then this thrown). */
  engineError?: EngineError
}

export class ShardState implements ShardReader {
  private readonly seriesByKey = new Map<string, SeriesEntry>()
  private readonly byMeasurement = new Map<string, MeasurementEntry>()
  private readonly fieldSets = new Map<string, Map<string, FieldType>>()
  /** Fields created since the last durable record of them (see WritePlan.newFields). */
  private unsavedFields: Array<readonly [string, string, FieldType]> = []

  constructor(
    readonly id: number,
    readonly database: string,
    readonly retentionPolicy: string,
    private readonly index: DatabaseIndex,
  ) {}

  // -------------------------------------------------------------------------------------------------------------------
  // Checking a batch
  // -------------------------------------------------------------------------------------------------------------------

  /**
   * Checks a batch and updates the index and fields as influxd does before it writes (series and fields stay created
   * even when the write then fails). Throws FieldTypeConflictError when nothing may be written; an engine refusal
   * comes back as plan.engineError, after the new fields (which influxd has saved by then).
   */
  prepareWrite(input: ReadonlyArray<Point>, limits: WriteLimits): WritePlan {
    let dropped = 0
    let reason = ''
    // 1. Tag `time`.
    let points: Point[] = []
    for (const p of input) {
      // A tag key `time` can only be written `time` (no escape changes it), so the key holds `,time=`.
      if (p.key.includes(',time=') && p.tags.some(([k]) => k === 'time')) {
        dropped++
        if (reason === '') reason = `invalid tag key: input tag "time" on measurement "${p.measurement}" is invalid`
        continue
      }
      points.push(p)
    }
    // 2. Series. influxd passes its slice of keys to the index, which compacts it in place; the loop below then looks
    // the points up by position in that reordered slice (so a point may be skipped, or kept, for another point's key).
    const ownKeys = points.map((p) => seriesKey(p))
    const keys = ownKeys.slice()
    const found: Array<SeriesEntry | undefined> = new Array(points.length)
    const refused = this.createSeries(points, keys, found, limits)
    if (refused) {
      reason = refused.reason
      dropped += refused.keys.length
    }
    const refusedKeys = refused ? new Set(refused.keys) : undefined
    // 3. Field names and types, against the fields the shard had before this batch.
    const kept: Point[] = []
    const entries: Array<SeriesEntry | undefined> = []
    const toCreate: Array<readonly [string, string, FieldType]> = []
    for (let i = 0; i < points.length; i++) {
      const p = points[i]
      if (!hasWritableField(p)) {
        if (reason === '') reason = `invalid field name: input field "time" on measurement "${p.measurement}" is invalid`
        dropped++
        continue
      }
      if (refusedKeys?.has(keys[i])) continue
      const fields = this.fieldSets.get(p.measurement)
      const conflict = fields ? typeConflict(p, fields) : undefined
      if (conflict !== undefined) {
        if (reason === '') reason = conflict
        dropped++
        continue
      }
      kept.push(p)
      entries.push(found[i] ?? this.seriesByKey.get(ownKeys[i]))
      for (const f of p.fields) {
        if (f.key !== 'time' && !fields?.has(f.key)) toCreate.push([p.measurement, f.key, f.type])
      }
    }
    // Everything kept: the input itself (same points, same order), which may carry its source bytes for the WAL.
    points = kept.length === input.length ? (input as Point[]) : kept
    // 4. New fields, in order.
    for (const [measurement, key, type] of toCreate) {
      const result = this.createField(measurement, key, type)
      if (result === 'conflict') throw new FieldTypeConflictError()
      if (result === 'created') this.unsavedFields.push([measurement, key, type])
    }
    // influxd saves its field set here (when it created any), before the engine writes.
    const newFields = toCreate.length > 0 ? this.takeUnsavedFields() : []
    // 5. The engine converts every value before writing any.
    const failed = points.find((p) => p.engineError !== undefined)
    if (failed) return {points: [], entries: [], newFields, engineError: new EngineError(failed.engineError!)}
    const plan: WritePlan = {points, entries, newFields}
    if (dropped > 0) plan.partial = new PartialWriteError(reason, dropped)
    return plan
  }

  /** Fields created but not yet in any durable record; the caller now makes them durable. */
  takeUnsavedFields(): Array<readonly [string, string, FieldType]> {
    const fields = this.unsavedFields
    this.unsavedFields = []
    return fields
  }

  /**
   * influxd's CreateSeriesListIfNotExists for the points of one shard: known series join this shard; new ones are
   * checked against the limits and created. Returns the refused points' keys (one per point) and the reason. Like
   * influxd it compacts `keys` in place: new keys move to the front, then those the value limit keeps.
   */
  private createSeries(
    points: ReadonlyArray<Point>, keys: string[], found: Array<SeriesEntry | undefined>, limits: WriteLimits,
  ): {reason: string; keys: string[]} | undefined {
    let fresh: Point[] = []
    const freshKeys: string[] = []
    for (let i = 0; i < points.length; i++) {
      const key = keys[i]
      // Usually the shard has the series already (then so has the database).
      const entry = this.seriesByKey.get(key)
      if (entry) found[i] = entry
      else if (this.index.has(key)) found[i] = this.joinSeries(points[i])
      else keys[fresh.push(points[i]) - 1] = freshKeys[freshKeys.push(key) - 1]
    }
    if (fresh.length === 0) return undefined
    let reason = ''
    const refused: string[] = []
    if (limits.maxValuesPerTag > 0) {
      const max = limits.maxValuesPerTag
      const allowed: Point[] = []
      const allowedKeys: string[] = []
      outer: for (const [i, p] of fresh.entries()) {
        for (const [k, v] of p.tags) {
          if (this.index.hasTagValue(p.measurement, k, v)) continue
          const n = this.index.tagValueCount(p.measurement, k)
          if (n < max) continue
          if (reason === '') {
            reason = `max-values-per-tag limit exceeded (${n}/${max}): measurement=${goQuote(p.measurement)} tag=${goQuote(k)} value=${goQuote(v)}`
          }
          refused.push(freshKeys[i])
          continue outer
        }
        allowedKeys.push(freshKeys[i])
        keys[allowed.push(p) - 1] = freshKeys[i]
      }
      fresh = allowed
      freshKeys.length = 0
      freshKeys.push(...allowedKeys)
    }
    if (fresh.length > 0) {
      // influxd compares series + points of new series (not distinct series) with the limit.
      if (limits.maxSeriesPerDatabase > 0 && this.index.size + fresh.length > limits.maxSeriesPerDatabase) {
        reason = `max-series-per-database limit exceeded: (${limits.maxSeriesPerDatabase})`
        refused.push(...freshKeys)
      } else {
        for (const p of fresh) this.joinSeries(p)
      }
    }
    return refused.length > 0 ? {reason, keys: refused} : undefined
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Changing the shard (live writes and replay share these)
  // -------------------------------------------------------------------------------------------------------------------

  /** The point's series in this shard, created (and held in the database index) when missing. */
  joinSeries(p: Pick<Point, 'key' | 'measurement' | 'tags'>): SeriesEntry {
    const key = seriesKey(p)
    const found = this.seriesByKey.get(key)
    if (found) return found
    // Own copies: the parsed strings are slices of a whole request chunk, which they would keep in memory.
    const info: SeriesInfo = {key: own(key), measurement: own(p.measurement), tags: p.tags.map(([k, v]) => [own(k), own(v)] as const)}
    const entry: SeriesEntry = {info, columns: new Map(), live: true}
    this.seriesByKey.set(key, entry)
    let m = this.byMeasurement.get(p.measurement)
    if (!m) this.byMeasurement.set(info.measurement, (m = {series: new Map()}))
    m.series.set(key, entry)
    clearCaches(m)
    this.index.hold(key, p.measurement, p.tags)
    return entry
  }

  /** Creates a field of a measurement; 'conflict' when it exists with another type. */
  createField(measurement: string, key: string, type: FieldType): 'created' | 'exists' | 'conflict' {
    let fields = this.fieldSets.get(measurement)
    if (!fields) this.fieldSets.set(own(measurement), (fields = new Map()))
    const existing = fields.get(key)
    if (existing !== undefined) return existing === type ? 'exists' : 'conflict'
    fields.set(own(key), type)
    return 'created'
  }

  /**
   * Stores the points' values (fields named `time` are skipped, as influxd skips them). Creates what is missing, for
   * replay; a value whose type differs from its column (only possible in a damaged log) is skipped and counted.
   */
  applyPoints(points: ReadonlyArray<Point>, entries?: ReadonlyArray<SeriesEntry | undefined>): number {
    let skipped = 0
    for (let i = 0; i < points.length; i++) {
      const p = points[i]
      const known = entries?.[i]
      const series = known?.live ? known : this.joinSeries(p)
      for (const f of p.fields) {
        if (f.key === 'time') continue
        let column = series.columns.get(f.key)
        if (!column) {
          if (this.createField(p.measurement, f.key, f.type) === 'conflict') {
            skipped++
            continue
          }
          series.columns.set(own(f.key), (column = new ColumnData(f.type)))
        } else if (column.type !== f.type) {
          skipped++
          continue
        }
        column.append(p.time, f.type === 'string' ? own(f.value as string) : f.value)
      }
    }
    return skipped
  }

  /**
   * Deletes the values with min <= time <= max of the given series; a series left without values leaves the shard
   * (and the database index when no other shard holds it), and a measurement without series leaves too. Fields stay.
   */
  deleteRange(keys: Iterable<string>, min: bigint, max: bigint): void {
    for (const key of keys) {
      const series = this.seriesByKey.get(key)
      if (!series) continue
      let left = 0
      for (const column of series.columns.values()) {
        column.deleteRange(min, max)
        left += column.count()
      }
      if (left === 0) this.removeSeries(series)
    }
  }

  /** Removes a measurement: its series, their values and its fields. */
  dropMeasurement(measurement: string): void {
    const m = this.byMeasurement.get(measurement)
    if (m) for (const series of [...m.series.values()]) this.removeSeries(series)
    this.fieldSets.delete(measurement)
  }

  /** Releases every series from the database index (the shard is being deleted). */
  releaseAll(): void {
    for (const [key, series] of this.seriesByKey) {
      series.live = false
      this.index.release(key)
    }
    this.seriesByKey.clear()
    this.byMeasurement.clear()
  }

  private removeSeries(series: SeriesEntry): void {
    series.live = false
    const {key, measurement} = series.info
    this.seriesByKey.delete(key)
    const m = this.byMeasurement.get(measurement)
    if (m) {
      m.series.delete(key)
      clearCaches(m)
      if (m.series.size === 0) this.byMeasurement.delete(measurement)
    }
    this.index.release(key)
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Whole-state access (snapshots, tests)
  // -------------------------------------------------------------------------------------------------------------------

  /** Every series with its columns, in no particular order. */
  allSeries(): IterableIterator<SeriesEntry> {
    return this.seriesByKey.values()
  }

  /** Field types of every measurement that has any. */
  allFields(): ReadonlyMap<string, ReadonlyMap<string, FieldType>> {
    return this.fieldSets
  }

  /** Puts a loaded series with its columns in place (snapshot loading). */
  loadSeries(info: SeriesInfo, columns: Map<string, ColumnData>): void {
    const entry = this.joinSeries(info)
    for (const [k, c] of columns) entry.columns.set(k, c)
  }

  // -------------------------------------------------------------------------------------------------------------------
  // ShardReader
  // -------------------------------------------------------------------------------------------------------------------

  measurements(): string[] {
    return [...this.byMeasurement.keys()].sort(compareUtf8)
  }

  fields(measurement: string): ReadonlyMap<string, FieldType> {
    return this.fieldSets.get(measurement) ?? EMPTY_FIELDS
  }

  tagKeys(measurement: string): string[] {
    const m = this.byMeasurement.get(measurement)
    if (!m) return []
    if (!m.tagKeys) {
      const keys = new Set<string>()
      for (const s of m.series.values()) for (const [k] of s.info.tags) keys.add(k)
      m.tagKeys = [...keys].sort(compareUtf8)
    }
    return [...m.tagKeys]
  }

  tagValues(measurement: string, key: string): string[] {
    const m = this.byMeasurement.get(measurement)
    if (!m) return []
    m.tagValues ??= new Map()
    let values = m.tagValues.get(key)
    if (!values) {
      const found = new Set<string>()
      for (const s of m.series.values()) for (const [k, v] of s.info.tags) if (k === key) found.add(v)
      values = [...found].sort(compareUtf8)
      m.tagValues.set(key, values)
    }
    return [...values]
  }

  series(measurement: string): SeriesInfo[] {
    const m = this.byMeasurement.get(measurement)
    if (!m) return []
    m.sorted ??= [...m.series.values()].map((s) => s.info).sort((a, b) => compareUtf8(a.key, b.key))
    return [...m.sorted]
  }

  read(seriesKey: string, field: string, min: bigint, max: bigint): Column | undefined {
    return this.seriesByKey.get(seriesKey)?.columns.get(field)?.read(min, max)
  }

  pointCount(): number {
    let n = 0
    for (const s of this.seriesByKey.values()) for (const c of s.columns.values()) n += c.count()
    return n
  }
}

const EMPTY_FIELDS: ReadonlyMap<string, FieldType> = new Map()

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 makes substrings of 13 characters or more
 * views of their parent; a parsed key or value would otherwise keep its whole request chunk alive for as long as the
 * store keeps it. Concatenating and cutting again copies.
 */
function own(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1)
}

function clearCaches(m: MeasurementEntry): void {
  m.sorted = undefined
  m.tagKeys = undefined
  m.tagValues = undefined
}

/**
 * influxd keeps a point if it has a field not named `time`; a field without a value (which its engine refuses later)
 * counts, and such a point always carries an engineError.
 */
function hasWritableField(p: Point): boolean {
  if (p.engineError !== undefined) return true
  for (const f of p.fields) if (f.key !== 'time') return true
  return false
}

/** The first field of `p` whose type differs from the shard's (defaultFieldValidator), as influxd words it. */
function typeConflict(p: Point, fields: ReadonlyMap<string, FieldType>): string | undefined {
  for (const f of p.fields) {
    if (f.key === 'time') continue
    const existing = fields.get(f.key)
    if (existing !== undefined && existing !== f.type) {
      return `field type conflict: input field "${f.key}" on measurement "${p.measurement}" is type ${f.type}, already exists as type ${existing}`
    }
  }
  return undefined
}
