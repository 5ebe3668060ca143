/**
 * The point a line of InfluxDB 1.x line protocol becomes, its series key and hash, the time limits and precisions
 * influxd uses, and the serialiser back to line protocol (nanosecond timestamps) that the data node's WAL and cluster
 * RPC use. Pure, no I/O.
 *
 * Facts (InfluxDB 1.6.7, models/points.go, models/time.go, models/inline_fnv.go):
 *  - the series key is the measurement and the tags as the client wrote them (still escaped), tags sorted by key in
 *    byte order: `cpu,host=a,region=b`;
 *  - shard selection hashes that key with FNV-1a 64 (data-nodes.md §1.5);
 *  - valid times are -9223372036854775806 ..= 9223372036854775806 ns (the two lowest int64 values and the highest
 *    are sentinels);
 *  - precision `u` is microseconds, `ms`, `s`, `m`, `h` the obvious units, and every other value (`n`, `ns`, `us`, the
 *    empty string, anything unknown) means nanoseconds: 1.6.7 does not know `ns` or `us` and does not reject unknown
 *    values (checked against the binary, test/lineprotocol/conformance.test.ts).
 */
import {escapeFieldKey, escapeMeasurement, escapeStringValue, escapeTag, utf8Length} from './escape.js'

export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean'
export type FieldValue = number | bigint | string | boolean

/** One field of a point. Values: float → number, integer/unsigned → bigint, string → string, boolean → boolean. */
export interface Field {
  /** Unescaped field key. */
  readonly key: string
  readonly type: FieldType
  readonly value: FieldValue
}

export interface Point {
  /**
   * The series key exactly as influxd builds it from the line (Point.Key()): the measurement and the tags as written,
   * still escaped, tags sorted by key. Shard selection hashes this (fnv1a64). See seriesKey() for the index's form.
   */
  readonly key: string
  /** Unescaped measurement name. */
  readonly measurement: string
  /** Unescaped tags, in series-key order (sorted by the escaped key's bytes, as influxd sorts them). */
  readonly tags: ReadonlyArray<readonly [string, string]>
  /** Fields in the order they were written; a key may repeat (the last value wins when stored). */
  readonly fields: ReadonlyArray<Field>
  /** Nanoseconds since the Unix epoch. */
  readonly time: bigint
  /**
   * Set when influxd would accept the line but its storage engine would then fail the whole shard write: a field whose
   * value cannot be converted to the type influxd gave it, or a key without a value. Only reachable through field keys
   * such as `a\\=...` that influxd's two field scanners read differently. The text is influxd's error, which the
   * store returns as `engine: <text>` (HTTP 500). Such a point cannot be serialised.
   */
  readonly engineError?: string
  /**
   * The fields section exactly as the line wrote it, when it holds no backslash (then it reads back to the same
   * fields). formatPoint writes it as it is: faster than formatting every value, and the same points.
   */
  readonly fieldsText?: string
}

/** The lowest valid time (models.MinNanoTime = MinInt64 + 2). */
export const MIN_TIME_NS = -(2n ** 63n) + 2n
/** The highest valid time (models.MaxNanoTime = MaxInt64 - 1). */
export const MAX_TIME_NS = 2n ** 63n - 2n
/** influxd's limit on the bytes of a series key, and of series key + 4 + field key. */
export const MAX_KEY_BYTES = 65535

/** Nanoseconds per unit of a /write `precision` value; 1 for everything 1.6.7 does not know (see the header). */
export function precisionMultiplier(precision: string | undefined): bigint {
  switch (precision) {
    case 'u': return 1_000n
    case 'ms': return 1_000_000n
    case 's': return 1_000_000_000n
    case 'm': return 60_000_000_000n
    case 'h': return 3_600_000_000_000n
    default: return 1n
  }
}

/**
 * The time given to a line without a timestamp: `now` truncated to the precision (Go's Time.Truncate, which rounds
 * down), except for nanosecond precisions.
 */
export function defaultTime(now: bigint, precision: string | undefined): bigint {
  const unit = precisionMultiplier(precision)
  if (unit === 1n) return now
  const rest = now % unit
  return rest < 0n ? now - rest - unit : now - rest
}

/** Wall-clock time in nanoseconds (microsecond resolution), for callers that need a `now`. */
export function nowNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n
}

/** The text influxd reports for a timestamp outside MIN_TIME_NS..MAX_TIME_NS. */
export const TIME_RANGE_REASON = `time outside range ${MIN_TIME_NS} - ${MAX_TIME_NS}`

/**
 * The series key as influxd's series file, and so SHOW SERIES, know it (models.MakeKey): measurement and tags
 * unescaped, then escaped again (`,` and space in the measurement; `,`, space and `=` in tags). It equals point.key
 * unless the line escaped a character that needs no escaping there (`c\=pu` becomes `c=pu`); the store identifies
 * series by it.
 */
export function seriesKey(p: Pick<Point, 'key' | 'measurement' | 'tags'>): string {
  if (p.key.indexOf('\\') === -1) return p.key
  let key = escapeMeasurement(p.measurement)
  for (const [k, v] of p.tags) key += `,${escapeTag(k)}=${escapeTag(v)}`
  return key
}

// ---------------------------------------------------------------------------------------------------------------------
// FNV-1a 64 of the series key
// ---------------------------------------------------------------------------------------------------------------------

/**
 * FNV-1a 64 of the UTF-8 bytes of `key`, as two unsigned 32-bit halves [hi, lo]. Computed on 16-bit limbs so that
 * every intermediate stays exact in a double.
 */
export function fnv1a64Parts(key: string): [number, number] {
  // offset basis 14695981039346656037 = 0xcbf29ce484222325
  let h0 = 0x2325
  let h1 = 0x8422
  let h2 = 0x9ce4
  let h3 = 0xcbf2
  const bytes = isAscii(key) ? undefined : Buffer.from(key, 'utf8')
  const n = bytes ? bytes.length : key.length
  for (let i = 0; i < n; i++) {
    h0 ^= bytes ? bytes[i] : key.charCodeAt(i)
    // h * prime, prime = 2^40 + 0x1b3: h * 0x1b3 plus h shifted left by 40 bits (limb 2 gets h0 << 8, limb 3 h1 << 8).
    const t0 = h0 * 0x1b3
    const t1 = h1 * 0x1b3 + (t0 >>> 16)
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16)
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16)
    h0 = t0 & 0xffff
    h1 = t1 & 0xffff
    h2 = t2 & 0xffff
    h3 = t3 & 0xffff
  }
  return [(h3 * 0x10000 + h2) >>> 0, (h1 * 0x10000 + h0) >>> 0]
}

/** FNV-1a 64 of the series key as an unsigned bigint (influxd's Point.HashID()). */
export function fnv1a64(key: string): bigint {
  const [hi, lo] = fnv1a64Parts(key)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/** hash(key) % n for the shard of a series in a group of n shards (meta ShardGroupInfo.ShardFor); 0 when n is 1. */
export function shardIndexFor(key: string, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`shard count must be a positive integer, got ${n}`)
  if (n === 1) return 0
  const [hi, lo] = fnv1a64Parts(key)
  if (n <= 0x200000) {
    // (hi * 2^32 + lo) mod n with every product below 2^53.
    const base = 0x100000000 % n
    return ((hi % n) * base + (lo % n)) % n
  }
  return Number(((BigInt(hi) << 32n) | BigInt(lo)) % BigInt(n))
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

// ---------------------------------------------------------------------------------------------------------------------
// Serialiser
// ---------------------------------------------------------------------------------------------------------------------

/** A point that has no faithful line-protocol form (see formatPoint). */
export class UnformattablePointError extends Error {
  constructor(readonly point: Point, reason: string) {
    super(`cannot write point ${JSON.stringify(point.key)} as line protocol: ${reason}`)
    this.name = 'UnformattablePointError'
  }
}

/**
 * One line of line protocol for `p`, with a nanosecond timestamp: the series key as it is, the fields with keys and
 * string values escaped, integers with `i`, unsigned values with `u`, floats in their shortest exact form.
 *
 * Parsing the line gives `p` back (test/lineprotocol/point.test.ts fuzzes this), except for a point with an
 * engineError and for field keys that no line can produce through influxd's scanner: a key ending in a backslash, or
 * holding an odd run of backslashes before one of `,` `=` space `"`, or a newline; those throw
 * UnformattablePointError. Parsed lines yield such keys only when influxd's two field scanners disagree (`a\\=...`).
 */
export function formatPoint(p: Point): string {
  if (p.engineError !== undefined) throw new UnformattablePointError(p, `the point cannot be stored (${p.engineError})`)
  // A section that starts with `=` (an empty first key) was preceded by a tab or NUL in its line: keep one.
  if (p.fieldsText !== undefined) return `${p.key} ${p.fieldsText.charCodeAt(0) === 0x3d ? '\t' : ''}${p.fieldsText} ${p.time}`
  let out = `${p.key} `
  const fields = p.fields
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]
    if (i > 0) out += ','
    if (f.key === '') {
      // Only a first field can have an empty key: influxd takes `m <tab>=1` (the tab is skipped as whitespace).
      if (i > 0) throw new UnformattablePointError(p, 'an empty field key after the first field has no line-protocol form')
      out += '\t'
    } else if (!fieldKeyIsFormattable(f.key)) {
      throw new UnformattablePointError(p, `field key ${JSON.stringify(f.key)} has no line-protocol form`)
    }
    out += escapeFieldKey(f.key)
    out += '='
    out += formatValue(f)
  }
  return `${out} ${p.time}`
}

/** formatPoint() of every point, one per line, each followed by a newline. */
export function formatPoints(points: ReadonlyArray<Point>): string {
  let out = ''
  for (const p of points) out += `${formatPoint(p)}\n`
  return out
}

/** Where a parsed array of points came from (see setSourceLines), with what checks that the array is unchanged. */
interface SourceLines {
  bytes: Buffer
  length: number
  first: Point
  last: Point
}

const SOURCE_LINES = new WeakMap<ReadonlyArray<Point>, SourceLines>()

/**
 * Records that `bytes` are exactly formatPointsBuffer(points): the parser does this when every line of its input was
 * already in that form (ParseResult.lines), so the data node's WAL, cluster RPC and hinted handoff send or store the
 * bytes that came in instead of formatting each point again. The arrays are not changed after parsing; the length and
 * the first and last points are checked anyway, and formatting is the fallback.
 */
export function setSourceLines(points: ReadonlyArray<Point>, bytes: Buffer): void {
  if (points.length === 0) return
  SOURCE_LINES.set(points, {bytes, length: points.length, first: points[0], last: points[points.length - 1]})
}

/** The bytes setSourceLines recorded for this very array (unchanged since), or undefined. */
export function sourceLines(points: ReadonlyArray<Point>): Buffer | undefined {
  const s = SOURCE_LINES.get(points)
  if (s === undefined || s.length !== points.length || s.first !== points[0] || s.last !== points[points.length - 1]) return undefined
  return s.bytes
}

/**
 * formatPoints() as UTF-8 bytes, for the cluster RPC and hinted handoff. Made of strings of 256 lines at most: V8 builds
 * a long `+=` string as a tree of pieces and has to flatten it before encoding it, which cost four times the formatting
 * itself (5,000 points: 2.5 ms, against 0.6 ms this way).
 */
export function formatPointsBuffer(points: ReadonlyArray<Point>): Buffer {
  const source = sourceLines(points)
  if (source !== undefined) return source
  const parts: Buffer[] = []
  let out = ''
  for (let i = 0; i < points.length; i++) {
    out += `${formatPoint(points[i])}\n`
    if ((i & 255) === 255) {
      parts.push(Buffer.from(out, 'utf8'))
      out = ''
    }
  }
  if (out !== '' || parts.length === 0) parts.push(Buffer.from(out, 'utf8'))
  return parts.length === 1 ? parts[0] : Buffer.concat(parts)
}

function formatValue(f: Field): string {
  switch (f.type) {
    case 'float': {
      const v = f.value as number
      return Object.is(v, -0) ? '-0' : String(v)
    }
    case 'integer': return `${f.value}i`
    case 'unsigned': return `${f.value}u`
    case 'string': return `"${escapeStringValue(f.value as string)}"`
    case 'boolean': return f.value ? 'true' : 'false'
  }
}

/**
 * True when escapeFieldKey(key) parses back to `key`: no newline, no trailing backslash, and every run of backslashes
 * right before `,` `=` space or `"` is even (the escape adds one, and influxd's scanner pairs backslashes from the left).
 */
export function fieldKeyIsFormattable(key: string): boolean {
  if (key.indexOf('\\') === -1) return key.indexOf('\n') === -1
  if (key.indexOf('\n') !== -1 || key.endsWith('\\')) return false
  let run = 0
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c === 0x5c) {
      run++
      continue
    }
    if ((c === 0x2c || c === 0x3d || c === 0x20 || c === 0x22) && run % 2 === 1) return false
    run = 0
  }
  return true
}

/** UTF-8 length of a series key, the unit of influxd's key limits. */
export function keyBytes(key: string): number {
  return utf8Length(key)
}
