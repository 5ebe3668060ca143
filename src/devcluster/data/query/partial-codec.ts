/**
 * Partial results as plain JSON, for the cluster RPC: bigints become decimal strings, time arrays base64 of their
 * bytes (little-endian int64), Maps arrays of entries. decodePartial validates what it reads: a remote answer is
 * outside input and a malformed one is an error, never a crash.
 */
import type {
  CallState, Cell, FieldTypeName, FieldsPartial, GroupPartial, RawPartial, SelectPartial, SeriesPartial, ShardPartial, WindowPartial,
} from './shard-types.js'
import {WireError, parseBigInt} from './wire.js'

type Json = null | boolean | number | string | Json[] | {[k: string]: Json}

function cellToJson(c: Cell): Json {
  if (typeof c === 'bigint') return {i: c.toString()}
  if (typeof c === 'number') return Number.isFinite(c) ? c : {f: String(c)}
  return c
}

function cellFromJson(j: unknown): Cell {
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j
  if (typeof j === 'number') return j
  if (typeof j === 'object' && j !== null) {
    const o = j as Record<string, unknown>
    if (typeof o.i === 'string') return parseBigInt(o.i)
    if (o.f === 'NaN') return NaN
    if (o.f === 'Infinity') return Infinity
    if (o.f === '-Infinity') return -Infinity
  }
  throw new WireError('bad value in shard result')
}

function timesToJson(t: BigInt64Array): string {
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64')
}

function timesFromJson(j: unknown): BigInt64Array {
  if (typeof j !== 'string') throw new WireError('bad times in shard result')
  const b = Buffer.from(j, 'base64')
  if (b.length % 8 !== 0) throw new WireError('bad times in shard result')
  const out = new BigInt64Array(b.length / 8)
  new Uint8Array(out.buffer).set(b)
  return out
}

function stateToJson(s: CallState | undefined): Json {
  if (s === undefined) return null
  switch (s.k) {
    case 'count': return {k: 'count', n: s.n}
    case 'sumf': return {k: 'sumf', s: cellToJson(s.s)}
    case 'sumi': return {k: 'sumi', s: s.s.toString(), u: s.unsigned}
    case 'mean': return {k: 'mean', ws: cellToJson(s.ws), n: s.n}
    case 'sel': return {k: 'sel', t: s.t.toString(), v: cellToJson(s.v), aux: s.aux === undefined ? null : s.aux.map(cellToJson)}
    case 'spread': return {k: 'spread', lo: cellToJson(s.lo), hi: cellToJson(s.hi)}
    case 'moments': return {k: 'moments', n: s.n, mean: cellToJson(s.mean), m2: cellToJson(s.m2), exact: s.exact === undefined ? null : cellToJson(s.exact)}
    case 'values': return {
      k: 'values', times: s.times.map((t) => t.toString()), vals: s.vals.map(cellToJson),
      aux: s.aux === undefined ? null : s.aux.map((row) => row.map(cellToJson)),
    }
  }
}

const num = (v: unknown): number => {
  const c = cellFromJson(v)
  if (typeof c !== 'number') throw new WireError('bad number in shard result')
  return c
}
const count = (v: unknown): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new WireError('bad count in shard result')
  return v
}
const arr = (v: unknown): unknown[] => {
  if (!Array.isArray(v)) throw new WireError('bad list in shard result')
  return v
}
const numOrBig = (v: unknown): number | bigint => {
  const c = cellFromJson(v)
  if (typeof c !== 'number' && typeof c !== 'bigint') throw new WireError('bad value in shard result')
  return c
}

function stateFromJson(j: unknown): CallState | undefined {
  if (j === null) return undefined
  if (typeof j !== 'object') throw new WireError('bad state in shard result')
  const o = j as Record<string, unknown>
  switch (o.k) {
    case 'count': return {k: 'count', n: count(o.n)}
    case 'sumf': return {k: 'sumf', s: num(o.s)}
    case 'sumi': return {k: 'sumi', s: parseBigInt(o.s), unsigned: o.u === true}
    case 'mean': return {k: 'mean', ws: num(o.ws), n: count(o.n)}
    case 'sel': return {k: 'sel', t: parseBigInt(o.t), v: cellFromJson(o.v), aux: o.aux === null ? undefined : arr(o.aux).map(cellFromJson)}
    case 'spread': return {k: 'spread', lo: numOrBig(o.lo), hi: numOrBig(o.hi)}
    case 'moments': return {k: 'moments', n: count(o.n), mean: num(o.mean), m2: num(o.m2), exact: o.exact === null ? undefined : num(o.exact)}
    case 'values': return {
      k: 'values', times: arr(o.times).map(parseBigInt), vals: arr(o.vals).map(numOrBig),
      aux: o.aux === null ? undefined : arr(o.aux).map((row) => arr(row).map(cellFromJson)),
    }
    default: throw new WireError('bad state in shard result')
  }
}

function groupToJson(g: GroupPartial): Json {
  return {
    name: g.name,
    tags: g.tags,
    raw: g.raw === undefined ? null : {times: timesToJson(g.raw.times), columns: g.raw.columns.map((c) => c.map(cellToJson))},
    windows: g.windows === undefined ? null : g.windows.map((w) => ({start: w.start.toString(), states: w.states.map(stateToJson)})),
  }
}

const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new WireError('bad text in shard result')
  return v
}

function groupFromJson(j: unknown): [string, GroupPartial] {
  if (typeof j !== 'object' || j === null) throw new WireError('bad group in shard result')
  const o = j as Record<string, unknown>
  const tags = arr(o.tags).map((t): [string, string] => {
    const p = arr(t)
    return [str(p[0]), str(p[1])]
  })
  const g: GroupPartial = {name: str(o.name), tags}
  if (o.raw !== null && o.raw !== undefined) {
    const r = o.raw as Record<string, unknown>
    const raw: RawPartial = {times: timesFromJson(r.times), columns: arr(r.columns).map((c) => arr(c).map(cellFromJson))}
    if (raw.columns.some((c) => c.length !== raw.times.length)) throw new WireError('bad rows in shard result')
    g.raw = raw
  }
  if (o.windows !== null && o.windows !== undefined) {
    g.windows = arr(o.windows).map((w): WindowPartial => {
      const x = w as Record<string, unknown>
      return {start: parseBigInt(x.start), states: arr(x.states).map(stateFromJson)}
    })
  }
  return [g.name + '\u0001' + (tags.length === 0 ? '' : tags.map(([k]) => k).join('\u0000') + '\u0000' + tags.map(([, v]) => v).join('\u0000')), g]
}

const FIELD_TYPES = new Set(['float', 'integer', 'unsigned', 'string', 'boolean'])

/** A partial result as plain JSON. */
export function encodePartial(p: ShardPartial): Json {
  switch (p.kind) {
    case 'fields': return {
      kind: 'fields',
      measurements: [...p.measurements].map(([m, e]) => [m, {fields: [...e.fields].map(([f, t]) => [f, [...t]]), tagKeys: [...e.tagKeys]}]),
    }
    case 'series': return {kind: 'series', series: [...p.series].map(([k, s]) => [k, s.measurement, s.tags])}
    case 'select': return {kind: 'select', groups: [...p.groups.values()].map(groupToJson)}
  }
}

/** Reads a partial result from its JSON form; throws WireError if anything is malformed. */
export function decodePartial(j: unknown): ShardPartial {
  if (typeof j !== 'object' || j === null) throw new WireError('bad shard result')
  const o = j as Record<string, unknown>
  switch (o.kind) {
    case 'fields': {
      const out: FieldsPartial = {kind: 'fields', measurements: new Map()}
      for (const entry of arr(o.measurements)) {
        const [m, e] = arr(entry)
        const eo = e as Record<string, unknown>
        const fields = new Map<string, Set<FieldTypeName>>()
        for (const fe of arr(eo.fields)) {
          const [f, types] = arr(fe)
          const set = new Set<FieldTypeName>()
          for (const t of arr(types)) {
            if (typeof t !== 'string' || !FIELD_TYPES.has(t)) throw new WireError('bad field type in shard result')
            set.add(t as FieldTypeName)
          }
          fields.set(str(f), set)
        }
        out.measurements.set(str(m), {fields, tagKeys: new Set(arr(eo.tagKeys).map(str))})
      }
      return out
    }
    case 'series': {
      const out: SeriesPartial = {kind: 'series', series: new Map()}
      for (const entry of arr(o.series)) {
        const [k, m, tags] = arr(entry)
        out.series.set(str(k), {measurement: str(m), tags: arr(tags).map((t): [string, string] => [str(arr(t)[0]), str(arr(t)[1])])})
      }
      return out
    }
    case 'select': {
      const out: SelectPartial = {kind: 'select', groups: new Map()}
      for (const g of arr(o.groups)) {
        const [key, group] = groupFromJson(g)
        out.groups.set(key, group)
      }
      return out
    }
    default: throw new WireError('bad shard result')
  }
}
