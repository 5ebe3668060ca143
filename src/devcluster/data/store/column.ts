/**
 * The values of one field of one series in memory: times in a BigInt64Array, values in a typed array chosen by the
 * field's type (strings in a plain array). Appends in time order keep the column sorted; an append out of order, or at
 * a time already present, marks the tail for a lazy sort and dedupe (last write wins) that runs on the next read.
 *
 * Views handed out by read() are never written again: appends only write past their end, and sorting, deduping,
 * deleting and growing all build new arrays. So a query may keep a view across awaits while writes continue.
 */
import type {Column, FieldType} from './types.js'

type Values = Float64Array | BigInt64Array | BigUint64Array | string[] | Uint8Array

const INITIAL_CAPACITY = 8

export class ColumnData {
  times: BigInt64Array
  values: Values
  /** Entries in use. */
  length = 0
  /** [0, sortedUpTo) is strictly increasing in time; the rest is an unsorted tail. */
  private sortedUpTo = 0
  /** Time of the last entry of the sorted part (valid when sortedUpTo > 0). */
  private lastTime = 0n
  /** A view of the current arrays was handed out: do not write inside [0, length) any more. */
  private exposed = false

  constructor(readonly type: FieldType, capacity = INITIAL_CAPACITY) {
    this.times = new BigInt64Array(capacity)
    this.values = newValues(type, capacity)
  }

  /** Adds one value (the value's JS type must match the column's type). */
  append(time: bigint, value: number | bigint | string | boolean): void {
    const n = this.length
    if (n === this.sortedUpTo && n > 0 && time === this.lastTime && !this.exposed) {
      // The usual overwrite: the same time again at the end. Last write wins, in place.
      setValue(this.type, this.values, n - 1, value)
      return
    }
    if (n === this.times.length) this.grow(n + 1)
    this.times[n] = time
    setValue(this.type, this.values, n, value)
    this.length = n + 1
    if (n === this.sortedUpTo && (n === 0 || time > this.lastTime)) {
      this.sortedUpTo = n + 1
      this.lastTime = time
    }
  }

  /** Entries with min <= time <= max as views (no copy; strings are a slice). */
  read(min: bigint, max: bigint): Column | undefined {
    this.normalize()
    if (this.length === 0 || min > max) return undefined
    const lo = lowerBound(this.times, this.length, min)
    const hi = upperBound(this.times, this.length, max)
    if (lo >= hi) return undefined
    this.exposed = true
    return view(this.type, this.times.subarray(lo, hi), this.values, lo, hi)
  }

  /** Entries after sorting and deduping. */
  count(): number {
    this.normalize()
    return this.length
  }

  /** Removes the entries with min <= time <= max; returns how many went. */
  deleteRange(min: bigint, max: bigint): number {
    this.normalize()
    if (this.length === 0 || min > max) return 0
    const lo = lowerBound(this.times, this.length, min)
    const hi = upperBound(this.times, this.length, max)
    if (lo >= hi) return 0
    const keep = this.length - (hi - lo)
    const times = new BigInt64Array(Math.max(keep, INITIAL_CAPACITY))
    times.set(this.times.subarray(0, lo), 0)
    times.set(this.times.subarray(hi, this.length), lo)
    const values = newValues(this.type, times.length)
    copyValues(this.type, this.values, 0, lo, values, 0)
    copyValues(this.type, this.values, hi, this.length, values, lo)
    this.replace(times, values, keep)
    return hi - lo
  }

  /** Drops spare capacity (after loading or compacting), so memory is what the entries need. */
  trim(): void {
    this.normalize()
    if (this.times.length === this.length || this.type === 'string') return
    const times = this.times.slice(0, this.length)
    const values = newValues(this.type, this.length)
    copyValues(this.type, this.values, 0, this.length, values, 0)
    this.replace(times, values, this.length)
  }

  /** A column of `n` sorted, duplicate-free entries, taking the arrays as they are (snapshot loading). */
  static fromSorted(type: FieldType, times: BigInt64Array, values: Values, n: number): ColumnData {
    const c = new ColumnData(type, 0)
    c.replace(times, values, n)
    return c
  }

  /** The sorted, deduplicated entries as views (for snapshots). */
  snapshot(): Column {
    this.normalize()
    this.exposed = true
    return view(this.type, this.times.subarray(0, this.length), this.values, 0, this.length)
  }

  private replace(times: BigInt64Array, values: Values, n: number): void {
    this.times = times
    this.values = values
    this.length = n
    this.sortedUpTo = n
    this.lastTime = n > 0 ? times[n - 1] : 0n
    this.exposed = false
  }

  private grow(min: number): void {
    const capacity = Math.max(min, this.times.length < 1024 ? this.times.length * 2 : Math.ceil(this.times.length * 1.5), INITIAL_CAPACITY)
    const times = new BigInt64Array(capacity)
    times.set(this.times.subarray(0, this.length))
    this.times = times
    if (this.type === 'string') return // a plain array grows by itself
    const values = newValues(this.type, capacity)
    copyValues(this.type, this.values, 0, this.length, values, 0)
    this.values = values
    this.exposed = false
  }

  /** Sorts the tail by time and merges it into the sorted part; of equal times the latest write wins. */
  private normalize(): void {
    const n = this.length
    const start = this.sortedUpTo
    if (start === n) return
    const times = this.times
    const halves = new Int32Array(times.buffer, times.byteOffset, n * 2)
    // Compare (hi signed, lo unsigned) pairs: no BigInt allocation per comparison.
    const cmp = (a: number, b: number): number => {
      const ha = halves[2 * a + 1]
      const hb = halves[2 * b + 1]
      if (ha !== hb) return ha < hb ? -1 : 1
      const la = halves[2 * a] >>> 0
      const lb = halves[2 * b] >>> 0
      return la === lb ? 0 : la < lb ? -1 : 1
    }
    const tail = new Uint32Array(n - start)
    for (let i = 0; i < tail.length; i++) tail[i] = start + i
    tail.sort((a, b) => cmp(a, b) || a - b)
    // Merge the sorted prefix with the sorted tail into an order of source indices; equal times keep the later one.
    const order = new Uint32Array(n)
    let out = 0
    let p = 0
    let t = 0
    while (p < start || t < tail.length) {
      let pick: number
      if (t >= tail.length) pick = p++
      else if (p >= start) pick = tail[t++]
      else {
        const c = cmp(p, tail[t])
        if (c < 0) pick = p++
        else if (c > 0) pick = tail[t++]
        else {
          p++ // the prefix entry is older than any tail entry with the same time
          continue
        }
      }
      if (out > 0 && cmp(order[out - 1], pick) === 0) order[out - 1] = pick // a later write at the same time
      else order[out++] = pick
    }
    const capacity = out + (out >> 3) + INITIAL_CAPACITY
    const newTimes = new BigInt64Array(capacity)
    const newValues_ = newValues(this.type, capacity)
    for (let i = 0; i < out; i++) newTimes[i] = times[order[i]]
    gatherValues(this.type, this.values, order, out, newValues_)
    this.replace(newTimes, newValues_, out)
  }
}

function newValues(type: FieldType, capacity: number): Values {
  switch (type) {
    case 'float': return new Float64Array(capacity)
    case 'integer': return new BigInt64Array(capacity)
    case 'unsigned': return new BigUint64Array(capacity)
    case 'string': return []
    case 'boolean': return new Uint8Array(capacity)
  }
}

function setValue(type: FieldType, values: Values, i: number, value: number | bigint | string | boolean): void {
  if (type === 'boolean') (values as Uint8Array)[i] = value ? 1 : 0
  else (values as unknown as Array<typeof value>)[i] = value
}

function copyValues(type: FieldType, from: Values, start: number, end: number, to: Values, at: number): void {
  if (type === 'string') {
    const src = from as string[]
    const dst = to as string[]
    for (let i = start; i < end; i++) dst[at + i - start] = src[i]
  } else {
    ;(to as Float64Array).set((from as Float64Array).subarray(start, end), at)
  }
}

function gatherValues(type: FieldType, from: Values, order: Uint32Array, n: number, to: Values): void {
  const src = from as unknown as ArrayLike<unknown>
  const dst = to as unknown as unknown[]
  for (let i = 0; i < n; i++) dst[i] = src[order[i]]
  void type
}

function view(type: FieldType, times: BigInt64Array, values: Values, lo: number, hi: number): Column {
  switch (type) {
    case 'float': return {type, times, values: (values as Float64Array).subarray(lo, hi)}
    case 'integer': return {type, times, values: (values as BigInt64Array).subarray(lo, hi)}
    case 'unsigned': return {type, times, values: (values as BigUint64Array).subarray(lo, hi)}
    case 'string': return {type, times, values: (values as string[]).slice(lo, hi)}
    case 'boolean': return {type, times, values: (values as Uint8Array).subarray(lo, hi)}
  }
}

/** First index with times[i] >= t. */
function lowerBound(times: BigInt64Array, n: number, t: bigint): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid] < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index with times[i] > t. */
function upperBound(times: BigInt64Array, n: number, t: bigint): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid] <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}
