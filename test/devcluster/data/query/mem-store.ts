// An in-memory shard to the store's read interface (src/devcluster/data/store/types.ts), for the executor's tests and
// bench: points are added, then frozen into sorted typed arrays that read() slices without copying.
import type {Column, FieldType, SeriesInfo, ShardReader} from '../../../../src/devcluster/data/store/types.js'

export type FieldValue = number | bigint | string | boolean | {unsigned: bigint}

export interface Point {
  measurement: string
  tags: Record<string, string>
  fields: Record<string, FieldValue>
  /** Unix ns. */
  time: bigint
}

function typeOf(v: FieldValue): FieldType {
  if (typeof v === 'number') return 'float'
  if (typeof v === 'bigint') return 'integer'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'boolean') return 'boolean'
  return 'unsigned'
}

const escapeMeasurement = (s: string): string => s.replace(/[, ]/g, (c) => '\\' + c)
const escapeTag = (s: string): string => s.replace(/[, =]/g, (c) => '\\' + c)

/** The series key influxd builds: escaped measurement, then the tags sorted by key (empty values left out). */
export function seriesKey(measurement: string, tags: Record<string, string>): string {
  const keys = Object.keys(tags).filter((k) => tags[k] !== '').sort()
  return escapeMeasurement(measurement) + keys.map((k) => `,${escapeTag(k)}=${escapeTag(tags[k])}`).join('')
}

interface Building {
  info: SeriesInfo
  fields: Map<string, Map<bigint, FieldValue>>
}

export class MemShard implements ShardReader {
  // The store branch adds these two to ShardReader; the executor does not read them.
  readonly database = ''
  readonly retentionPolicy = ''
  private readonly building = new Map<string, {fields: Map<string, FieldType>; series: Map<string, Building>}>()
  private frozen: Map<string, {fields: Map<string, FieldType>; series: SeriesInfo[]; columns: Map<string, Map<string, Column>>; tagKeys: string[]; tagValues: Map<string, string[]>}> | undefined
  private points = 0

  constructor(readonly id: number) {}

  /** Adds a point (a later point at the same series and time overwrites fields, as influxd does). */
  write(p: Point): void {
    this.frozen = undefined
    let m = this.building.get(p.measurement)
    if (m === undefined) {
      m = {fields: new Map(), series: new Map()}
      this.building.set(p.measurement, m)
    }
    const key = seriesKey(p.measurement, p.tags)
    let s = m.series.get(key)
    if (s === undefined) {
      const tags = Object.entries(p.tags).filter(([, v]) => v !== '').sort((a, b) => (a[0] < b[0] ? -1 : 1)) as Array<[string, string]>
      s = {info: {key, measurement: p.measurement, tags}, fields: new Map()}
      m.series.set(key, s)
    }
    for (const [f, v] of Object.entries(p.fields)) {
      const t = typeOf(v)
      const have = m.fields.get(f)
      if (have !== undefined && have !== t) throw new Error(`field type conflict: ${f} is ${have}, got ${t}`)
      m.fields.set(f, t)
      let col = s.fields.get(f)
      if (col === undefined) {
        col = new Map()
        s.fields.set(f, col)
      }
      if (!col.has(p.time)) this.points++
      col.set(p.time, v)
    }
  }

  private freeze(): NonNullable<MemShard['frozen']> {
    if (this.frozen !== undefined) return this.frozen
    const out: NonNullable<MemShard['frozen']> = new Map()
    for (const [name, m] of this.building) {
      const series = [...m.series.values()].map((b) => b.info).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      const columns = new Map<string, Map<string, Column>>()
      const tagValues = new Map<string, Set<string>>()
      for (const b of m.series.values()) {
        for (const [k, v] of b.info.tags) {
          if (!tagValues.has(k)) tagValues.set(k, new Set())
          tagValues.get(k)!.add(v)
        }
        const cols = new Map<string, Column>()
        for (const [f, points] of b.fields) cols.set(f, toColumn(m.fields.get(f)!, points))
        columns.set(b.info.key, cols)
      }
      out.set(name, {
        fields: m.fields, series, columns, tagKeys: [...tagValues.keys()].sort(),
        tagValues: new Map([...tagValues].map(([k, v]) => [k, [...v].sort()])),
      })
    }
    this.frozen = out
    return out
  }

  measurements(): string[] {
    return [...this.freeze().keys()].sort()
  }

  fields(measurement: string): ReadonlyMap<string, FieldType> {
    return this.freeze().get(measurement)?.fields ?? new Map()
  }

  tagKeys(measurement: string): string[] {
    return this.freeze().get(measurement)?.tagKeys ?? []
  }

  tagValues(measurement: string, key: string): string[] {
    return this.freeze().get(measurement)?.tagValues.get(key) ?? []
  }

  series(measurement: string): SeriesInfo[] {
    return this.freeze().get(measurement)?.series ?? []
  }

  read(seriesKey: string, field: string, min: bigint, max: bigint): Column | undefined {
    const frozen = this.freeze()
    for (const m of frozen.values()) {
      const col = m.columns.get(seriesKey)?.get(field)
      if (col === undefined) continue
      const lo = lowerBound(col.times, min)
      const hi = upperBound(col.times, max)
      if (lo === 0 && hi === col.times.length) return col
      return slice(col, lo, hi)
    }
    return undefined
  }

  pointCount(): number {
    return this.points
  }
}

function lowerBound(t: BigInt64Array, v: bigint): number {
  let lo = 0
  let hi = t.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (t[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

function upperBound(t: BigInt64Array, v: bigint): number {
  let lo = 0
  let hi = t.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (t[mid] <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}

function slice(c: Column, lo: number, hi: number): Column {
  switch (c.type) {
    case 'float': return {type: 'float', times: c.times.subarray(lo, hi), values: c.values.subarray(lo, hi)}
    case 'integer': return {type: 'integer', times: c.times.subarray(lo, hi), values: c.values.subarray(lo, hi)}
    case 'unsigned': return {type: 'unsigned', times: c.times.subarray(lo, hi), values: c.values.subarray(lo, hi)}
    case 'string': return {type: 'string', times: c.times.subarray(lo, hi), values: c.values.slice(lo, hi)}
    case 'boolean': return {type: 'boolean', times: c.times.subarray(lo, hi), values: c.values.subarray(lo, hi)}
  }
}

function toColumn(type: FieldType, points: Map<bigint, FieldValue>): Column {
  const entries = [...points].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const times = BigInt64Array.from(entries, ([t]) => t)
  switch (type) {
    case 'float': return {type, times, values: Float64Array.from(entries, ([, v]) => v as number)}
    case 'integer': return {type, times, values: BigInt64Array.from(entries, ([, v]) => v as bigint)}
    case 'unsigned': return {type, times, values: BigUint64Array.from(entries, ([, v]) => (v as {unsigned: bigint}).unsigned)}
    case 'string': return {type, times, values: entries.map(([, v]) => v as string)}
    case 'boolean': return {type, times, values: Uint8Array.from(entries, ([, v]) => (v ? 1 : 0))}
  }
}

/** A shard made directly from typed arrays (the bench's million points): one float series. */
export class ColumnShard implements ShardReader {
  readonly database = ''
  readonly retentionPolicy = ''
  constructor(readonly id: number, private readonly measurement: string, private readonly info: SeriesInfo, private readonly field: string, private readonly col: Column) {}
  measurements(): string[] {
    return [this.measurement]
  }
  fields(m: string): ReadonlyMap<string, FieldType> {
    return m === this.measurement ? new Map([[this.field, this.col.type]]) : new Map()
  }
  tagKeys(m: string): string[] {
    return m === this.measurement ? this.info.tags.map(([k]) => k) : []
  }
  tagValues(m: string, key: string): string[] {
    return m === this.measurement ? this.info.tags.filter(([k]) => k === key).map(([, v]) => v) : []
  }
  series(m: string): SeriesInfo[] {
    return m === this.measurement ? [this.info] : []
  }
  read(key: string, field: string, min: bigint, max: bigint): Column | undefined {
    if (key !== this.info.key || field !== this.field) return undefined
    const lo = lowerBound(this.col.times, min)
    const hi = upperBound(this.col.times, max)
    return lo === 0 && hi === this.col.times.length ? this.col : slice(this.col, lo, hi)
  }
  pointCount(): number {
    return this.col.times.length
  }
}
