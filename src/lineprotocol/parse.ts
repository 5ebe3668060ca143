/**
 * A parser of InfluxDB 1.x line protocol that gives the data node the same points and the same error texts as influxd
 * 1.6.7. Written by hand: npm has no maintained line-protocol parser (the official clients and `influx` only
 * serialise; the parsers on GitHub are small and abandoned; see the ecosystem notes), and agreeing with influxd on
 * every odd line means following its scanner rather than a grammar.
 *
 * It follows InfluxDB 1.6.7's models/points.go step by step (facts read from that source and checked against the
 * installed binary by test/lineprotocol/conformance.test.ts; the code is our own):
 *  - lines are split on newlines that are not inside a quoted field value, and a backslash takes the next character
 *    with it, a newline included; blank lines, whitespace-only lines and lines whose first non-blank character is `#`
 *    are skipped; whitespace is space, tab and NUL; there is no line length limit (the HTTP body limit applies);
 *  - the key: measurement, then tags; escapes are a backslash before the character (influxd checks "the previous
 *    byte is a backslash", not pairs); tags are sorted by key in byte order and duplicates refused;
 *  - fields are checked by one scanner (scanFields: quotes, numbers, booleans, counts of `=` and `,`) and read by
 *    another (the field iterator); they normally agree, and where they do not (keys such as `a\\=...`) we keep what
 *    influxd keeps, including points its engine later refuses (Point.engineError);
 *  - numbers: `i` integers (int64, checked when 19 characters or more), floats (range-checked when in scientific
 *    notation or 25 characters or more), NaN and Inf refused; `u` unsigned values are refused with `invalid number`
 *    because the shipped 1.x binary does not enable them; booleans t T true True TRUE f F false False FALSE;
 *  - the timestamp is optional; without one a point gets the caller's `now`, truncated to the precision; with one it
 *    is scaled by the precision and must lie in MIN_TIME_NS..MAX_TIME_NS; only spaces may follow it;
 *  - CRLF is not special: the `\r` stays at the end of the line, so most CRLF lines fail (as they do in influxd).
 *
 * Speed: a body of bytes is cut into chunks of about 64 KiB of whole lines, each decoded once (V8 makes strings of
 * hundreds of kilobytes slowly); then one pass finds a line's end (an indexOf when it has no quote or backslash) and
 * one parses it, keeping positions in reused arrays; the key and most tokens are slices of the chunk, tags are read
 * only when asked for, and values scanFields already checked are converted without checking them again. See
 * bench/lp-parse.js.
 */
import {compareUtf8, decodeUtf8Exact, goQuote, unescapeFieldKey, unescapeName, unescapeStringValue, unescapeTag} from './escape.js'
import {LineError} from './errors.js'
import {
  defaultTime, type Field, type FieldType, type FieldValue, MAX_KEY_BYTES, MAX_TIME_NS, MIN_TIME_NS, type Point,
  precisionMultiplier, setSourceLines, TIME_RANGE_REASON,
} from './point.js'

export interface ParseOptions {
  /** The /write `precision` parameter as received (undefined or '' mean nanoseconds). */
  precision?: string
  /** Time for lines without a timestamp, in nanoseconds (influxd: the time the request is handled). */
  now: bigint
  /**
   * The input is expected to be lines in formatPoint's form, as a data node writes them (cluster RPC shard writes and
   * hinted-handoff deliveries): each line is first read by a narrow single-pass reader (Parser.simplePoint) that
   * takes only plain lines (no quote, backslash or control character, tags in order, one space between the sections,
   * plain decimal numbers, a canonical timestamp) and gives up on anything else, which the full parser then reads.
   * The result is the same either way (test/lineprotocol/fuzz.test.ts compares them); only the speed differs.
   */
  expectFormatted?: boolean
}

export interface ParseResult {
  /** Points of the lines that parsed, in order. */
  points: Point[]
  /** Lines that did not, in order. */
  errors: LineError[]
  /**
   * Set when the input was bytes in which every line is exactly formatPoint() of its point, one newline apart: the
   * bytes themselves (with a final newline added if it lacked one), which are then what formatPointsBuffer(points)
   * gives. The data node's WAL, cluster RPC and hinted handoff reuse them instead of formatting the points again (they
   * are registered for `points` with setSourceLines). Lines a data node formatted always qualify; most client lines
   * with nanosecond timestamps and sorted tags do too.
   */
  lines?: Buffer
}

const SPACE = 0x20
const TAB = 0x09
const NUL = 0x00
const NEWLINE = 0x0a
const COMMA = 0x2c
const EQUALS = 0x3d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const HASH = 0x23
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e

/** A reason a line is refused; thrown inside the parser and caught per line. */
class Refusal {
  constructor(readonly reason: string) {}
}

/** Bytes of a body decoded and parsed at a time: strings of this size are cheap for V8, far larger ones are not. */
const CHUNK_BYTES = 64 * 1024

/**
 * Parses a /write body. Never throws for what is in the input: bad lines become LineErrors. Bytes are split at line
 * ends (found on the bytes with influxd's rules, so quoted newlines stay inside their line) into chunks of about 64 KiB,
 * each decoded and parsed on its own: a body of many megabytes never becomes one huge string.
 */
export function parseLines(input: string | Uint8Array, options: ParseOptions): ParseResult {
  const result: ParseResult = {points: [], errors: []}
  const parser = new Parser(options)
  if (typeof input === 'string') {
    parser.run(input, result)
    return result
  }
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  if (buf.length <= CHUNK_BYTES) {
    parser.runBytes(buf, result)
  } else {
    const lines = new ByteLines(buf)
    let start = 0
    while (start < buf.length) {
      let end = start
      while (end < buf.length && end - start < CHUNK_BYTES) end = lines.lineEnd(end) + 1
      end = Math.min(end, buf.length)
      parser.runBytes(buf.subarray(start, end), result)
      start = end
    }
  }
  if (parser.canonical && result.points.length > 0 && result.errors.length === 0) {
    result.lines = buf[buf.length - 1] === NEWLINE ? buf : Buffer.concat([buf, NEWLINE_BYTES])
    setSourceLines(result.points, result.lines)
  }
  return result
}

const NEWLINE_BYTES = Buffer.from('\n')

/** Parses one line that must be valid (the WAL and RPC read their own lines back); throws a LineError otherwise. */
export function parsePoint(line: string, options: ParseOptions): Point {
  const {points, errors} = parseLines(line, options)
  if (errors.length > 0) throw errors[0]
  if (points.length !== 1) throw new LineError(line, `expected one point, found ${points.length}`)
  return points[0]
}

class Parser {
  /**
   * True while every line seen was exactly formatPoint() of its point (see ParseResult.lines), one newline apart, and
   * every chunk decoded to a string that encodes back to the same bytes.
   */
  canonical = true
  private s = ''
  private n = 0
  /** Set by sortedKey when it reordered the tags (the key is then not the line's text). */
  private resorted = false
  /** Set by scanTime: the timestamp was one space after the fields, in canonical decimal, ending the line. */
  private timeCanonical = false
  private readonly multiplier: bigint
  private readonly now: bigint
  /** Next quote and backslash at or after the current line start (-1: none left), for the fast line split. */
  private nextQuote = -2
  private nextBackslash = -2
  /** Where scanKey found the measurement's end, and each tag's start and `=` (reused from line to line). */
  private measurementEnd = 0
  private tagCount = 0
  private readonly tagStart: number[] = []
  private readonly tagEquals: number[] = []
  private readonly tagOrder: number[] = []
  /** The last measurement as written, and unescaped; field keys of the last lines by position (see sameText). */
  private lastMeasurement: string | undefined = undefined
  private lastMeasurementName = ''
  private readonly lastFieldKeys: string[] = []
  /** Where walkFields found each field's key, `=` and value end (reused from line to line). */
  private fieldKey = new Int32Array(16)
  private fieldEquals = new Int32Array(16)
  private fieldEnd = new Int32Array(16)

  /** Try simplePoint first (ParseOptions.expectFormatted; nanosecond precision only). */
  private readonly simple: boolean

  constructor(options: ParseOptions) {
    this.multiplier = precisionMultiplier(options.precision)
    this.now = defaultTime(options.now, options.precision)
    this.simple = options.expectFormatted === true && this.multiplier === 1n
  }

  /** Parses a chunk of bytes (whole lines), adding to `result`. */
  runBytes(bytes: Buffer, result: ParseResult): void {
    const {text, exact} = decodeUtf8Exact(bytes)
    if (!exact) this.canonical = false
    this.run(text, result)
  }

  /** Parses `text` (whole lines), adding to `result`. */
  run(text: string, result: ParseResult): void {
    this.s = text
    this.n = text.length
    this.nextQuote = -2
    this.nextBackslash = -2
    const {s, n} = this
    const {points, errors} = result
    let pos = 0
    while (pos < n) {
      const lineEnd = this.lineEnd(pos)
      const lineStart = pos
      pos = lineEnd + 1
      if (lineEnd === lineStart) {
        this.canonical = false
        continue
      }
      const start = skipWhitespace(s, lineStart, lineEnd)
      if (start >= lineEnd || s.charCodeAt(start) === HASH) {
        this.canonical = false
        continue
      }
      // A line that ran to the end of the input inside quotes may end with the newline it kept.
      const end = s.charCodeAt(lineEnd - 1) === NEWLINE ? lineEnd - 1 : lineEnd
      if (start !== lineStart || end !== lineEnd) this.canonical = false
      try {
        // A plain line (no quote or backslash in it: lineEnd has just looked for the next of each) may be simple.
        if (this.simple && start === lineStart && end === lineEnd && (this.nextQuote === -1 || this.nextQuote >= lineEnd) &&
          (this.nextBackslash === -1 || this.nextBackslash >= lineEnd)) {
          const p = this.simplePoint(start, end)
          if (p !== undefined) {
            points.push(p)
            continue
          }
        }
        points.push(this.point(start, end))
      } catch (err) {
        if (!(err instanceof Refusal)) throw err
        this.canonical = false
        errors.push(new LineError(s.slice(start, end), err.reason))
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Lines (scanLine)
  // -------------------------------------------------------------------------------------------------------------------

  /** Where the line starting at `from` ends: the index of its newline, or the input's length. */
  private lineEnd(from: number): number {
    const {s, n} = this
    let newline = s.indexOf('\n', from)
    if (newline === -1) newline = n
    if (this.nextQuote !== -1 && this.nextQuote < from) this.nextQuote = s.indexOf('"', from)
    if (this.nextBackslash !== -1 && this.nextBackslash < from) this.nextBackslash = s.indexOf('\\', from)
    const quoteIn = this.nextQuote !== -1 && this.nextQuote < newline
    const backslashIn = this.nextBackslash !== -1 && this.nextBackslash < newline
    return quoteIn || backslashIn ? this.scanLine(from) : newline
  }

  /** influxd's scanLine: newlines inside a quoted field value, or right after a backslash, do not end the line. */
  private scanLine(i: number): number {
    const {s, n} = this
    let quoted = false
    let fields = false
    let equals = 0
    let commas = 0
    for (;;) {
      if (i >= n) break
      const c = s.charCodeAt(i)
      if (c === BACKSLASH && i + 2 < n) {
        i += 2
        continue
      }
      if (c === SPACE) fields = true
      if (fields) {
        if (!quoted && c === EQUALS) {
          i++
          equals++
          continue
        } else if (!quoted && c === COMMA) {
          i++
          commas++
          continue
        } else if (c === QUOTE && equals > commas) {
          i++
          quoted = !quoted
          continue
        }
      }
      if (c === NEWLINE && !quoted) break
      i++
    }
    return i
  }

  // -------------------------------------------------------------------------------------------------------------------
  // One point (parsePoint)
  // -------------------------------------------------------------------------------------------------------------------

  private point(start: number, end: number): Point {
    const s = this.s
    const keyStart = skipWhitespace(s, start, end)
    const keyEnd = this.scanKey(keyStart, end)
    const measurementEnd = this.measurementEnd
    this.resorted = false
    const key = this.tagCount > 1 ? this.sortedKey(keyStart, measurementEnd, keyEnd) : s.slice(keyStart, keyEnd)
    // key is never empty here: scanKey refused an empty measurement.
    const keyLength = key.length * 3 > MAX_KEY_BYTES ? Buffer.byteLength(key) : key.length
    if (keyLength > MAX_KEY_BYTES) throw new Refusal(`max key length exceeded: ${keyLength} > ${MAX_KEY_BYTES}`)

    // scanFields starts after whitespace and refuses an empty section ('invalid field format').
    const fieldsStart = skipWhitespace(s, keyEnd, end)
    const fieldsEnd = this.scanFields(fieldsStart, end)
    const count = this.walkFields(keyLength, fieldsStart, fieldsEnd)

    const time = this.scanTime(fieldsEnd, end)
    const raw = this.lastMeasurement
    const measurement = raw !== undefined && measurementEnd - keyStart === raw.length && s.startsWith(raw, keyStart)
      ? this.lastMeasurementName
      : this.newMeasurement(s.slice(keyStart, measurementEnd))
    const point = new ParsedPoint(key, measurement, this.tagCount === 0 ? -1 : measurementEnd - keyStart, time)
    this.fields(point, count, fieldsStart, fieldsEnd)
    // The line is formatPoint(point) exactly: `key fields time`, one space apart, the tags in order, the fields written
    // as they are (no backslash, not starting with `=`), a nanosecond timestamp in canonical decimal.
    if (this.canonical && !(fieldsStart === keyEnd + 1 && !this.resorted && this.timeCanonical && point.fieldsText !== undefined &&
      s.charCodeAt(fieldsStart) !== EQUALS && point.engineError === undefined)) this.canonical = false
    return point
  }

  /**
   * A plain line in formatPoint's form, read in one pass, or undefined when the line is anything else (the full parser
   * then reads it). Called only for lines without a quote or a backslash, starting and ending with the line. Takes:
   * `measurement(,tag=value)* field=value(,field=value)* time`, names without `=`, spaces or control characters, tag
   * keys strictly in byte order, values `-?digits(.digits)?` (floats, under 25 characters), `-?digits i` (up to 18
   * digits), or a boolean word; the timestamp canonical decimal (no leading zero, no `-0`, up to 19 digits) inside
   * the valid range, ending the line. For such a line the full parser finds no error and builds the same point: the
   * key is the line's text up to the space, the fields text is kept, every value converts.
   */
  private simplePoint(start: number, end: number): ParsedPoint | undefined {
    const s = this.s
    let i = start
    let c = 0
    // Measurement.
    for (;;) {
      if (i >= end) return undefined
      c = s.charCodeAt(i)
      if (c === COMMA || c === SPACE) break
      if (c === EQUALS || c < 0x21 || c === 0x7f) return undefined
      i++
    }
    const measurementEnd = i
    if (measurementEnd === start) return undefined
    // Tags, keys strictly increasing (the full parser sorts them, or refuses duplicates).
    let tagCount = 0
    let lastKey = -1
    let lastKeyEnd = -1
    while (c === COMMA) {
      const keyStart = ++i
      for (;;) {
        if (i >= end) return undefined
        c = s.charCodeAt(i)
        if (c === EQUALS) break
        if (c === COMMA || c < 0x21 || c === 0x7f) return undefined
        i++
      }
      if (i === keyStart) return undefined
      if (lastKey >= 0 && compareRanges(s, lastKey, lastKeyEnd, keyStart, i) >= 0) return undefined
      lastKey = keyStart
      lastKeyEnd = i
      const valueStart = ++i
      for (;;) {
        if (i >= end) return undefined
        c = s.charCodeAt(i)
        if (c === COMMA || c === SPACE) break
        if (c === EQUALS || c < 0x21 || c === 0x7f) return undefined
        i++
      }
      if (i === valueStart) return undefined
      tagCount++
    }
    const keyEnd = i
    // Kept well inside the limits (the full parser measures bytes; a UTF-16 unit is at most three).
    const keyUnits = keyEnd - start
    if (keyUnits * 3 + 4 > MAX_KEY_BYTES) return undefined
    // Fields.
    const fieldsStart = ++i
    let count = 0
    const fieldKey = this.fieldKey
    const fieldEquals = this.fieldEquals
    const fieldEnd = this.fieldEnd
    for (;;) {
      const keyStart = i
      for (;;) {
        if (i >= end) return undefined
        c = s.charCodeAt(i)
        if (c === EQUALS) break
        if (c === COMMA || c < 0x21 || c === 0x7f) return undefined
        i++
      }
      if (i === keyStart || (keyUnits + i - keyStart) * 3 + 4 > MAX_KEY_BYTES) return undefined
      const eq = i
      i++
      while (i < end) {
        c = s.charCodeAt(i)
        if (c === COMMA || c === SPACE) break
        i++
      }
      if (i === eq + 1 || i >= end) return undefined // no value; or no timestamp after the fields
      if (count === fieldKey.length) return undefined // more fields than the span arrays hold: rare, full parser
      fieldKey[count] = keyStart
      fieldEquals[count] = eq
      fieldEnd[count] = i
      count++
      if (c === SPACE) break
      i++
    }
    const fieldsEnd = i
    // Timestamp: canonical decimal to the end of the line.
    const timeStart = ++i
    if (i < end && s.charCodeAt(i) === MINUS) i++
    const digitsStart = i
    for (; i < end; i++) {
      c = s.charCodeAt(i)
      if (c < 0x30 || c > 0x39) return undefined
    }
    const digits = end - digitsStart
    if (digits === 0 || digits > 19 || (s.charCodeAt(digitsStart) === 0x30 && (digits > 1 || digitsStart > timeStart))) return undefined
    const text = s.slice(timeStart, end)
    // 19 digits fit an int64 up to 9223372036854775807 (compared as text of the same length); negative ones are left
    // to the full parser.
    if (digits === 19 && (digitsStart > timeStart || text > INT64_MAX_TEXT)) return undefined
    const time = BigInt(text)
    if (time < MIN_TIME_NS || time > MAX_TIME_NS) return undefined
    // Values (checked before anything is built).
    const fields: Field[] = new Array(count)
    for (let n = 0; n < count; n++) {
      const from = fieldEquals[n] + 1
      const to = fieldEnd[n]
      const first = s.charCodeAt(from)
      const last = s.charCodeAt(to - 1)
      let type: FieldType
      let value: FieldValue
      if (last === 0x69 /* i */) {
        if (!plainDigits(s, first === MINUS ? from + 1 : from, to - 1, 18, false)) return undefined
        type = 'integer'
        value = BigInt(s.slice(from, to - 1))
      } else if ((first >= 0x30 && first <= 0x39) || first === MINUS) {
        if (to - from >= 25 || !plainDigits(s, first === MINUS ? from + 1 : from, to, 24, true)) return undefined
        type = 'float'
        value = Number(s.slice(from, to))
      } else {
        const b = booleanWord(s, from, to)
        if (b === undefined) return undefined
        type = 'boolean'
        value = b
      }
      fields[n] = {key: this.sameText(this.lastFieldKeys, n, fieldKey[n], fieldEquals[n]), type, value}
    }
    const raw = this.lastMeasurement
    const measurement = raw !== undefined && measurementEnd - start === raw.length && s.startsWith(raw, start)
      ? this.lastMeasurementName
      : this.newMeasurement(s.slice(start, measurementEnd))
    const point = new ParsedPoint(s.slice(start, keyEnd), measurement, tagCount === 0 ? -1 : measurementEnd - start, time)
    point.fields = fields
    point.fieldsText = s.slice(fieldsStart, fieldsEnd)
    return point
  }

  /**
   * scanKey: the measurement and the tags. Returns where the key ends (at the space before the fields); leaves where
   * the measurement ends in measurementEnd, and where each tag and its `=` are in tagStart/tagEquals (line order).
   */
  private scanKey(i: number, end: number): number {
    const s = this.s
    this.tagCount = 0
    // scanMeasurement
    if (i >= end || s.charCodeAt(i) === COMMA) throw new Refusal('missing measurement')
    let tags = false
    for (;;) {
      i++
      if (i >= end) throw new Refusal('missing fields')
      if (s.charCodeAt(i - 1) === BACKSLASH) continue
      const c = s.charCodeAt(i)
      if (c === COMMA) {
        tags = true
        break
      }
      if (c === SPACE) break
    }
    this.measurementEnd = i
    if (!tags) return i
    i++
    // scanTags: key, then value, until an unescaped space.
    for (;;) {
      const tag = this.tagCount++
      this.tagStart[tag] = i
      // scanTagsKey
      let c = i < end ? s.charCodeAt(i) : -1
      if (c === -1 || c === SPACE || c === COMMA || c === EQUALS) throw new Refusal('missing tag key')
      for (;;) {
        i++
        if (i >= end) throw new Refusal('missing tag value')
        c = s.charCodeAt(i)
        const escaped = s.charCodeAt(i - 1) === BACKSLASH
        if ((c === SPACE || c === COMMA) && !escaped) throw new Refusal('missing tag value')
        if (c === EQUALS && !escaped) break
      }
      this.tagEquals[tag] = i
      i++
      // scanTagsValue
      c = i < end ? s.charCodeAt(i) : -1
      if (c === -1 || c === COMMA || c === SPACE) throw new Refusal('missing tag value')
      let more = false
      for (;;) {
        i++
        if (i >= end) throw new Refusal('missing fields')
        c = s.charCodeAt(i)
        const escaped = s.charCodeAt(i - 1) === BACKSLASH
        if (c === EQUALS && !escaped) throw new Refusal('invalid tag format')
        if (c === COMMA && !escaped) {
          more = true
          break
        }
        if (c === SPACE && !escaped) break
      }
      if (!more) return i
      i++
    }
  }

  /**
   * The series key with its tags in byte order of their keys (influxd sorts with an insertion sort on the escaped tag
   * keys); refuses duplicate tag keys. Keeps the line's text when the tags are already in order, the usual case, and
   * compares keys in place until then.
   */
  private sortedKey(keyStart: number, measurementEnd: number, keyEnd: number): string {
    const s = this.s
    const count = this.tagCount
    const starts = this.tagStart
    const equals = this.tagEquals
    let sorted = true
    for (let j = 0; j < count - 1; j++) {
      const cmp = compareRanges(s, starts[j], equals[j], starts[j + 1], equals[j + 1])
      if (cmp > 0) {
        sorted = false
        break
      }
      if (cmp === 0) throw new Refusal('duplicate tags')
    }
    if (sorted) return s.slice(keyStart, keyEnd)
    this.resorted = true
    let order: number[]
    if (count <= 16) {
      // influxd's insertion sort, comparing in place (stable; quadratic only in the tag count, kept small here).
      order = this.tagOrder
      order.length = count
      for (let j = 0; j < count; j++) order[j] = j
      for (let a = 1; a < count; a++) {
        for (let b = a; b > 0; b--) {
          const x = order[b]
          const y = order[b - 1]
          if (compareRanges(s, starts[x], equals[x], starts[y], equals[y]) >= 0) break
          order[b] = y
          order[b - 1] = x
        }
      }
      for (let j = 0; j < count - 1; j++) {
        const x = order[j]
        const y = order[j + 1]
        if (compareRanges(s, starts[x], equals[x], starts[y], equals[y]) === 0) throw new Refusal('duplicate tags')
      }
    } else {
      const keys: string[] = new Array(count)
      for (let j = 0; j < count; j++) keys[j] = s.slice(starts[j], equals[j])
      order = Array.from({length: count}, (_, j) => j)
      order.sort((a, b) => compareUtf8(keys[a], keys[b]) || a - b)
      for (let j = 0; j < count - 1; j++) if (keys[order[j]] === keys[order[j + 1]]) throw new Refusal('duplicate tags')
    }
    // A tag's text runs to the comma before the next tag, or to the end of the key.
    let key = s.slice(keyStart, measurementEnd)
    for (const j of order) key += `,${s.slice(starts[j], j + 1 < count ? starts[j + 1] - 1 : keyEnd)}`
    return key
  }

  /** scanFields: checks the fields section and returns where it ends (an unquoted space, or the line's end). */
  private scanFields(i: number, end: number): number {
    const s = this.s
    let quoted = false
    let equals = 0
    let commas = 0
    for (;;) {
      if (i >= end) break
      const c = s.charCodeAt(i)
      if (c === BACKSLASH && i + 1 < end) {
        i += 2
        continue
      }
      if (c === QUOTE && equals > commas) {
        quoted = !quoted
        i++
        continue
      }
      if (c === EQUALS && !quoted) {
        equals++
        const before = s.charCodeAt(i - 1)
        if ((before === SPACE || before === COMMA) && s.charCodeAt(i - 2) !== BACKSLASH) throw new Refusal('missing field key')
        if (i + 1 >= end) throw new Refusal('missing field value')
        const next = s.charCodeAt(i + 1)
        if (next === COMMA || next === SPACE) throw new Refusal('missing field value')
        if (isNumeric(next) || next === MINUS || next === 0x4e /* N */ || next === 0x6e /* n */) {
          i = this.scanNumber(i + 1, end)
          continue
        }
        if (next !== QUOTE) {
          i = this.scanBoolean(i + 1, end)
          continue
        }
      }
      if (c === COMMA && !quoted) commas++
      if (c === SPACE && !quoted) break
      i++
    }
    if (quoted) throw new Refusal('unbalanced quotes')
    if (equals === 0 || commas !== equals - 1) throw new Refusal('invalid field format')
    return i
  }

  /** scanNumber: a float or an `i` integer; returns where it ends. */
  private scanNumber(i: number, end: number): number {
    const s = this.s
    const start = i
    let isInt = false
    let isUnsigned = false
    if (i < end && s.charCodeAt(i) === MINUS) {
      i++
      if (i === end) throw new Refusal('invalid number')
    }
    let decimal = false
    let scientific = false
    for (;;) {
      if (i >= end) break
      const c = s.charCodeAt(i)
      if (c === COMMA || c === SPACE) break
      if (c === 0x69 /* i */ && i > start && !(isInt || isUnsigned)) {
        isInt = true
        i++
        continue
      } else if (c === 0x75 /* u */ && i > start && !(isInt || isUnsigned)) {
        isUnsigned = true
        i++
        continue
      }
      if (c === DOT) {
        if (decimal) throw new Refusal('invalid number')
        decimal = true
      }
      if (i > start && (c === 0x65 || c === 0x45) /* e E */) {
        scientific = true
        i++
        continue
      }
      const prev = s.charCodeAt(i - 1)
      if ((c === PLUS || c === MINUS) && (prev === 0x65 || prev === 0x45)) {
        i++
        continue
      }
      if (i + 2 < end && (c === 0x4e || c === 0x6e) /* N n: NaN */) throw new Refusal('invalid number')
      if (!isNumeric(c)) throw new Refusal('invalid number')
      i++
    }
    if ((isInt || isUnsigned) && (decimal || scientific)) throw new Refusal('invalid number')
    let digits = i - start
    if (isInt) digits--
    if (decimal) digits--
    if (s.charCodeAt(start) === MINUS) digits--
    if (digits === 0) throw new Refusal('invalid number')
    if (isInt) {
      if (s.charCodeAt(i - 1) !== 0x69) throw new Refusal('invalid number')
      if (i - 1 - start >= 19) {
        const text = s.slice(start, i - 1)
        const parsed = goParseInt(text)
        if (typeof parsed === 'string') throw new Refusal(`unable to parse integer ${text}: ${parsed}`)
      }
    } else if (isUnsigned) {
      // The shipped 1.x binary leaves uint64 support off: every `u` value is refused here.
      throw new Refusal('invalid number')
    } else if (scientific || i - start >= 25) {
      if (typeof goParseFloat(s.slice(start, i)) === 'string') throw new Refusal('invalid float')
    }
    return i
  }

  /** scanBoolean: t T f F true True TRUE false False FALSE; returns where it ends. */
  private scanBoolean(i: number, end: number): number {
    const s = this.s
    const start = i
    const first = s.charCodeAt(i)
    if (i < end && first !== 0x74 && first !== 0x66 && first !== 0x54 && first !== 0x46) throw new Refusal('invalid boolean')
    i++
    for (;;) {
      if (i >= end) break
      const c = s.charCodeAt(i)
      if (c === COMMA || c === SPACE) break
      i++
    }
    const length = i - start
    if (length === 1) return i
    if ((first === 0x74 || first === 0x54) && length !== 4) throw new Refusal('invalid boolean')
    if ((first === 0x66 || first === 0x46) && length !== 5) throw new Refusal('invalid boolean')
    const word = s.slice(start, i)
    const valid = first === 0x74 ? word === 'true'
      : first === 0x66 ? word === 'false'
        : first === 0x54 ? word === 'TRUE' || word === 'True'
          : first === 0x46 ? word === 'FALSE' || word === 'False' : false
    if (!valid) throw new Refusal('invalid boolean')
    return i
  }

  /**
   * walkFields with the key-length check: every field key must be followed by a value, and the series key + 4 + the
   * (escaped) field key must fit in MAX_KEY_BYTES. Reads the fields the way walkFields does, each from its own start,
   * and keeps where each key, `=` and value end are (fieldKey/fieldEquals/fieldEnd) for fields(); returns how many.
   */
  private walkFields(keyLength: number, fieldsStart: number, fieldsEnd: number): number {
    const s = this.s
    let rest = fieldsStart
    let n = 0
    while (rest < fieldsEnd) {
      const eq = scanToFrom(s, rest, fieldsEnd, EQUALS, rest)
      if (eq > fieldsEnd - 2) throw new Refusal(`invalid value: field-key=${s.slice(rest, eq)}`)
      const size = keyLength + 4 + (eq - rest) * 3 > MAX_KEY_BYTES ? keyLength + 4 + Buffer.byteLength(s.slice(rest, eq)) : 0
      if (size > MAX_KEY_BYTES) throw new Refusal(`max key length exceeded: ${size} > ${MAX_KEY_BYTES}`)
      const valueEnd = scanFieldValue(s, eq + 1, fieldsEnd)
      if (n === this.fieldKey.length) this.growSpans()
      this.fieldKey[n] = rest
      this.fieldEquals[n] = eq
      this.fieldEnd[n] = valueEnd
      n++
      rest = valueEnd < fieldsEnd ? valueEnd + 1 : valueEnd
    }
    return n
  }

  /** The unescaped name of a measurement written as `raw`; kept, since consecutive lines usually repeat it. */
  private newMeasurement(raw: string): string {
    this.lastMeasurement = raw
    this.lastMeasurementName = unescapeName(raw)
    return this.lastMeasurementName
  }

  /**
   * s[from, to) as a string, reusing the one kept at `cache[n]` when the text is the same: lines of one batch
   * usually repeat their field keys in the same order, and an allocation per key and point adds up.
   */
  private sameText(cache: string[], n: number, from: number, to: number): string {
    const kept = cache[n]
    if (kept !== undefined && kept.length === to - from && this.s.startsWith(kept, from)) return kept
    const text = this.s.slice(from, to)
    cache[n] = text.length < 13 ? text : ` ${text}`.slice(1)
    return cache[n]
  }

  /** True when s[from, to) holds no backslash (to lies in the current line; nextBackslash is known for it). */
  private noBackslash(from: number, to: number): boolean {
    const next = this.nextBackslash
    if (next === -1 || next >= to) return true
    for (let i = Math.max(from, next); i < to; i++) if (this.s.charCodeAt(i) === BACKSLASH) return false
    return true
  }

  private growSpans(): void {
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 2)
      b.set(a)
      return b
    }
    this.fieldKey = grow(this.fieldKey)
    this.fieldEquals = grow(this.fieldEquals)
    this.fieldEnd = grow(this.fieldEnd)
  }

  /** scanTime and the timestamp checks; returns the point's time in nanoseconds. */
  private scanTime(fieldsEnd: number, end: number): bigint {
    const s = this.s
    let i = fieldsEnd
    const start = skipWhitespace(s, i, end)
    i = start
    for (;;) {
      if (i >= end) break
      const c = s.charCodeAt(i)
      if (c === NEWLINE || c === SPACE) break
      if (i === start && c === MINUS) {
        i++
        continue
      }
      if (c < 0x30 || c > 0x39) throw new Refusal('bad timestamp')
      i++
    }
    this.timeCanonical = false
    if (i === start) return this.now
    const text = s.slice(start, i)
    let ts: bigint
    // scanTime let only an optional '-' and digits through: up to 18 digits always fit an int64, and 19 digits do up to
    // 9223372036854775807 (compared as text, same length).
    const length = i - start
    if ((length <= 18 && !(length === 1 && s.charCodeAt(start) === MINUS)) || (length === 19 && s.charCodeAt(start) !== MINUS && text <= INT64_MAX_TEXT)) {
      ts = BigInt(text)
    } else {
      const parsed = goParseInt(text)
      if (typeof parsed === 'string') throw new Refusal(parsed)
      ts = parsed
    }
    const time = this.scale(ts)
    if (i === end) {
      // One space after the fields, no trailing space, decimal as String(bigint) writes it (no leading 0, no -0).
      const first = s.charCodeAt(start)
      const lead = first === MINUS ? s.charCodeAt(start + 1) : first
      this.timeCanonical = start === fieldsEnd + 1 && this.multiplier === 1n && (lead !== 0x30 || (length === 1 && first !== MINUS))
    }
    for (; i < end; i++) if (s.charCodeAt(i) !== SPACE) throw new Refusal('point is invalid')
    return time
  }

  /** SafeCalcTime: the timestamp times the precision, refused when it leaves the valid range (overflow included). */
  private scale(ts: bigint): bigint {
    const t = this.multiplier === 1n ? ts : ts * this.multiplier
    if (t < MIN_TIME_NS || t > MAX_TIME_NS) throw new Refusal(TIME_RANGE_REASON)
    return t
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Fields, as influxd's field iterator reads them
  // -------------------------------------------------------------------------------------------------------------------

  /**
   * The point's fields as influxd's FieldIterator reads them: key up to the first `=` not after a backslash, value up
   * to the first unquoted comma, the type from the value's first and last characters (the spans walkFields found: the
   * iterator reads the same ones). Also the engine's error for the first field (not named `time`) that has no value or
   * whose value does not convert. Without a backslash in the section, the values are the ones scanFields checked, so
   * they convert without checks.
   */
  private fields(point: ParsedPoint, count: number, fieldsStart: number, fieldsEnd: number): void {
    const s = this.s
    const plain = this.noBackslash(fieldsStart, fieldsEnd)
    // Without a backslash the section is its own exact line-protocol form (formatPoint uses it as it is).
    if (plain) point.fieldsText = s.slice(fieldsStart, fieldsEnd)
    // Sized for the fields found (an array grown by push starts with room for 16: most of it wasted, per point).
    const fields: Field[] = new Array(count)
    let k = 0
    point.fields = fields
    for (let n = 0; n < count; n++) {
      const keyStart = this.fieldKey[n]
      const eq = this.fieldEquals[n]
      const valueStart = eq + 1
      const valueEnd = this.fieldEnd[n]
      const fieldKey = plain ? this.sameText(this.lastFieldKeys, n, keyStart, eq) : unescapeFieldKey(s.slice(keyStart, eq))
      if (valueEnd <= valueStart) {
        // No value: influxd's validation ignores the field, its engine refuses the point.
        if (fieldKey !== 'time') point.engineError ??= `unknown field type for ${fieldKey}: ${point.key} ${s.slice(fieldsStart, fieldsEnd)} ${point.time}`
        continue
      }
      const first = s.charCodeAt(valueStart)
      if (first === QUOTE) {
        const inside = s.slice(valueStart + 1, Math.max(valueStart + 1, valueEnd - 1))
        fields[k++] = {key: fieldKey, type: 'string', value: plain ? inside : unescapeStringValue(inside)}
        continue
      }
      let type: FieldType
      let converted: FieldValue | {error: string}
      if (NUMBER_START[first] === 1) {
        const last = s.charCodeAt(valueEnd - 1)
        if (last === 0x69) {
          type = 'integer'
          converted = plain && valueEnd - valueStart <= 18 ? BigInt(s.slice(valueStart, valueEnd - 1)) : convertInteger(s.slice(valueStart, valueEnd - 1))
        } else if (last === 0x75) {
          type = 'unsigned'
          converted = convertUnsigned(s.slice(valueStart, valueEnd - 1))
        } else {
          type = 'float'
          converted = plain ? Number(s.slice(valueStart, valueEnd)) : convertFloat(s.slice(valueStart, valueEnd))
        }
      } else {
        type = 'boolean'
        converted = plain ? first === 0x74 || first === 0x54 : convertBoolean(s.slice(valueStart, valueEnd))
      }
      if (typeof converted === 'object') {
        if (fieldKey !== 'time') point.engineError ??= converted.error
        fields[k++] = {key: fieldKey, type, value: ZERO[type]}
      } else {
        fields[k++] = {key: fieldKey, type, value: converted}
      }
    }
    // Fields without a value were left out.
    if (k < count) fields.length = k
  }
}

/**
 * A parsed point. Its tags are read from the key when first asked for: a store asks only for new series, and most
 * points belong to known ones.
 */
class ParsedPoint implements Point {
  fields: Field[] = NO_FIELDS
  engineError?: string = undefined
  fieldsText?: string = undefined
  private tagList?: ReadonlyArray<readonly [string, string]> = undefined

  constructor(
    readonly key: string,
    readonly measurement: string,
    /** Length of the measurement at the start of the key; -1 without tags. */
    private readonly measurementLength: number,
    readonly time: bigint,
  ) {}

  get tags(): ReadonlyArray<readonly [string, string]> {
    this.tagList ??= this.measurementLength < 0 ? NO_TAGS : tagsOf(this.key, this.measurementLength)
    return this.tagList
  }
}

/**
 * Line ends in bytes, by the rules of Parser.lineEnd/scanLine (syntax characters are ASCII, so they are the same bytes
 * in UTF-8): used to cut a body into chunks of whole lines.
 */
class ByteLines {
  private nextQuote = -2
  private nextBackslash = -2

  constructor(private readonly b: Buffer) {}

  lineEnd(from: number): number {
    const b = this.b
    let newline = b.indexOf(NEWLINE, from)
    if (newline === -1) newline = b.length
    if (this.nextQuote !== -1 && this.nextQuote < from) this.nextQuote = b.indexOf(QUOTE, from)
    if (this.nextBackslash !== -1 && this.nextBackslash < from) this.nextBackslash = b.indexOf(BACKSLASH, from)
    const quoteIn = this.nextQuote !== -1 && this.nextQuote < newline
    const backslashIn = this.nextBackslash !== -1 && this.nextBackslash < newline
    return quoteIn || backslashIn ? this.scanLine(from) : newline
  }

  private scanLine(i: number): number {
    const b = this.b
    const n = b.length
    let quoted = false
    let fields = false
    let equals = 0
    let commas = 0
    for (;;) {
      if (i >= n) break
      const c = b[i]
      if (c === BACKSLASH && i + 2 < n) {
        i += 2
        continue
      }
      if (c === SPACE) fields = true
      if (fields) {
        if (!quoted && c === EQUALS) {
          i++
          equals++
          continue
        } else if (!quoted && c === COMMA) {
          i++
          commas++
          continue
        } else if (c === QUOTE && equals > commas) {
          i++
          quoted = !quoted
          continue
        }
      }
      if (c === NEWLINE && !quoted) break
      i++
    }
    return i
  }
}

const NO_TAGS: ReadonlyArray<readonly [string, string]> = Object.freeze([])
/** Replaced by fields() before a point is handed out. */
const NO_FIELDS: Field[] = []

/** First characters that make influxd's field iterator read a value as a number (1 at their code). */
const NUMBER_START = new Uint8Array(128)
for (const c of '0123456789-.nNiIu') NUMBER_START[c.charCodeAt(0)] = 1

const ZERO: Record<FieldType, FieldValue> = {float: 0, integer: 0n, unsigned: 0n, string: '', boolean: false}

function isNumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === DOT
}

/**
 * s[from, to) is 1..max digits, or with `point` also digits, a dot and digits (both parts non-empty): the plain
 * decimals simplePoint takes.
 */
function plainDigits(s: string, from: number, to: number, max: number, point: boolean): boolean {
  if (to <= from || to - from > max) return false
  let dot = -1
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) continue
    if (c !== DOT || !point || dot !== -1) return false
    dot = i
  }
  return dot === -1 || (dot > from && dot < to - 1)
}

/** The value of a boolean word influxd takes (t T true True TRUE f F false False FALSE) in s[from, to), or undefined. */
function booleanWord(s: string, from: number, to: number): boolean | undefined {
  switch (s.slice(from, to)) {
    case 't': case 'T': case 'true': case 'True': case 'TRUE': return true
    case 'f': case 'F': case 'false': case 'False': case 'FALSE': return false
    default: return undefined
  }
}

function skipWhitespace(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c !== SPACE && c !== TAB && c !== NUL) break
    i++
  }
  return i
}

/** scanTo: the index of the first `stop` not preceded by a backslash (or the end). */
function scanTo(s: string, i: number, end: number, stop: number): number {
  while (i < end) {
    if (s.charCodeAt(i) === stop && s.charCodeAt(i - 1) !== BACKSLASH) break
    i++
  }
  return i
}

/** compareUtf8 of s[a0, a1) and s[b0, b1), without slicing. */
function compareRanges(s: string, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0)
  for (let k = 0; k < n; k++) {
    const x = s.charCodeAt(a0 + k)
    const y = s.charCodeAt(b0 + k)
    if (x !== y) return x < 0xd800 || y < 0xd800 ? x - y : compareUtf8(s.slice(a0 + k, a1), s.slice(b0 + k, b1))
  }
  return (a1 - a0) - (b1 - b0)
}

/** scanTo on a sub-slice that starts at `base`: a `stop` at `base` counts whatever precedes it. */
function scanToFrom(s: string, i: number, end: number, stop: number, base: number): number {
  while (i < end) {
    if (s.charCodeAt(i) === stop && (i === base || s.charCodeAt(i - 1) !== BACKSLASH)) break
    i++
  }
  return i
}

/** scanFieldValue: a field value ends at the first comma outside quotes; `\"` and `\\` are pairs. */
function scanFieldValue(s: string, i: number, end: number): number {
  let quoted = false
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c === BACKSLASH && i + 1 < end) {
      const d = s.charCodeAt(i + 1)
      if (d === QUOTE || d === BACKSLASH) {
        i += 2
        continue
      }
    }
    if (c === QUOTE) {
      i++
      quoted = !quoted
      continue
    }
    if (c === COMMA && !quoted) break
    i++
  }
  return i
}

/** The unescaped tags of a series key whose measurement is `measurementLength` long (walkTags). */
function tagsOf(key: string, measurementLength: number): Array<readonly [string, string]> {
  const tags: Array<readonly [string, string]> = []
  const end = key.length
  let i = measurementLength + 1
  while (i < end) {
    const eq = scanTo(key, i, end, EQUALS)
    let v = eq + 1
    while (v < end && !(key.charCodeAt(v) === COMMA && key.charCodeAt(v - 1) !== BACKSLASH)) v++
    tags.push([unescapeTag(key.slice(i, eq)), unescapeTag(key.slice(eq + 1, v))])
    i = v + 1
  }
  return tags
}

// ---------------------------------------------------------------------------------------------------------------------
// Go's strconv, for the texts influxd prints
// ---------------------------------------------------------------------------------------------------------------------

const INT64_MAX_TEXT = '9223372036854775807'
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** strconv.ParseInt(text, 10, 64): the value, or the error text. */
export function goParseInt(text: string): bigint | string {
  if (!isDecimalInteger(text)) return `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`
  const v = BigInt(text)
  if (v < INT64_MIN || v > INT64_MAX) return `strconv.ParseInt: parsing ${goQuote(text)}: value out of range`
  return v
}

function isDecimalInteger(text: string): boolean {
  let i = 0
  const first = text.charCodeAt(0)
  if (first === MINUS || first === PLUS) i = 1
  if (i >= text.length) return false
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/** strconv.ParseUint(text, 10, 64). */
function goParseUint(text: string): bigint | string {
  if (!/^[0-9]+$/.test(text)) return `strconv.ParseUint: parsing ${goQuote(text)}: invalid syntax`
  const v = BigInt(text)
  if (v > UINT64_MAX) return `strconv.ParseUint: parsing ${goQuote(text)}: value out of range`
  return v
}

const GO_DECIMAL_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/
const GO_SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i

/** strconv.ParseFloat(text, 64) for decimal text (hexadecimal floats are not needed here): the value or the error. */
export function goParseFloat(text: string): number | string {
  if (GO_SPECIAL_FLOAT.test(text)) {
    const lower = text.toLowerCase()
    return lower.endsWith('nan') ? Number.NaN : lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  }
  if (!GO_DECIMAL_FLOAT.test(text)) return `strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax`
  const v = Number(text)
  if (!Number.isFinite(v)) return `strconv.ParseFloat: parsing ${goQuote(text)}: value out of range`
  return v
}

/** strconv.ParseBool. */
function goParseBool(text: string): boolean | string {
  switch (text) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false
    default: return `strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`
  }
}

/** A float field value, or the engine's error. Plain decimal text (what scanFields checked) converts with Number(). */
function convertFloat(text: string): number | {error: string} {
  if (isPlainDecimal(text)) {
    const v = Number(text)
    if (Number.isFinite(v)) return v
  }
  const v = goParseFloat(text)
  return typeof v === 'number' ? v : {error: `unable to parse floating point value ${goQuote(text)}: ${v}`}
}

function convertInteger(text: string): bigint | {error: string} {
  const v = goParseInt(text)
  return typeof v === 'bigint' ? v : {error: `unable to parse integer value ${goQuote(text)}: ${v}`}
}

function convertUnsigned(text: string): bigint | {error: string} {
  const v = goParseUint(text)
  return typeof v === 'bigint' ? v : {error: `unable to parse unsigned value ${goQuote(text)}: ${v}`}
}

function convertBoolean(text: string): boolean | {error: string} {
  const v = goParseBool(text)
  return typeof v === 'boolean' ? v : {error: `unable to parse bool value ${goQuote(text)}: ${v}`}
}

/**
 * Text made only of digits, `.`, `+`, `-`, `e` and `E`: for it, Number() accepts exactly what Go's ParseFloat accepts
 * (both refuse "1e", "-", ".", "1.2.3"; neither needs whitespace, underscores, prefixes or names here).
 */
function isPlainDecimal(text: string): boolean {
  if (text.length === 0) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!((c >= 0x30 && c <= 0x39) || c === DOT || c === MINUS || c === PLUS || c === 0x65 || c === 0x45)) return false
  }
  return true
}
