/**
 * Escaping and unescaping of line-protocol tokens, exactly as InfluxDB 1.6 does it (models/points.go and
 * pkg/escape), plus the two text helpers the parser needs: UTF-8 decoding with Go's replacement rule and string
 * comparison in UTF-8 byte order. Pure functions, no I/O.
 *
 * influxd has three unescapers with slightly different rules, and the parser uses each where influxd does:
 *  - measurement names: one left-to-right pass that drops a backslash before `,` `"` space `=` (pkg/escape.Unescape);
 *  - tag keys and values: `\,` then `\ ` then `\=` replaced, each over the whole text in turn (unescapeTag);
 *  - field keys: a backslash before `,` `"` space `=` dropped, left to right (escape.AppendUnescaped);
 *  - string field values: `\\` and `\"` replaced, left to right (unescapeStringField).
 */
import {isAscii, isUtf8} from 'node:buffer'

/**
 * pkg/escape.Unescape: drops a backslash before `,` `"` space or `=`, in one left-to-right pass (a backslash before
 * anything else stays, and the character after it is looked at again). Used for measurement names.
 */
export function unescapeName(raw: string): string {
  let i = raw.indexOf('\\')
  if (i === -1) return raw
  let out = ''
  let from = 0
  while (i !== -1 && i + 1 < raw.length) {
    const next = raw.charCodeAt(i + 1)
    if (next === 0x2c || next === 0x22 || next === 0x20 || next === 0x3d) {
      out += raw.slice(from, i)
      from = i + 1
      i = raw.indexOf('\\', i + 2)
    } else {
      i = raw.indexOf('\\', i + 1)
    }
  }
  return out + raw.slice(from)
}

/** unescapeTag: `\,` → `,`, then `\ ` → space, then `\=` → `=`, each over the whole text (the order matters). */
export function unescapeTag(raw: string): string {
  if (raw.indexOf('\\') === -1) return raw
  return raw.replaceAll('\\,', ',').replaceAll('\\ ', ' ').replaceAll('\\=', '=')
}

/**
 * escape.AppendUnescaped, used on field keys. It drops a backslash before `,` `"` space or `=` and keeps any other
 * (a trailing one included), which is exactly what unescapeName does.
 */
export const unescapeFieldKey = unescapeName

/** unescapeStringField: `\\` → `\` and `\"` → `"`, left to right; other backslashes stay. */
export function unescapeStringValue(raw: string): string {
  let i = raw.indexOf('\\')
  if (i === -1) return raw
  let out = ''
  let from = 0
  while (i !== -1 && i + 1 < raw.length) {
    const next = raw.charCodeAt(i + 1)
    if (next === 0x5c || next === 0x22) {
      out += raw.slice(from, i)
      from = i + 1
      i = raw.indexOf('\\', i + 2)
    } else {
      i = raw.indexOf('\\', i + 1)
    }
  }
  return out + raw.slice(from)
}

/** Escapes a measurement name for a series key: `,` and space (models.EscapeMeasurement). */
export function escapeMeasurement(name: string): string {
  return name.replaceAll(',', '\\,').replaceAll(' ', '\\ ')
}

/** Escapes a tag key or value for a series key: `,` space and `=` (escapeTag). */
export function escapeTag(text: string): string {
  return text.replaceAll(',', '\\,').replaceAll(' ', '\\ ').replaceAll('=', '\\=')
}

/** Escapes a field key: a backslash before each of `,` `"` space `=` (escape.String). */
export function escapeFieldKey(key: string): string {
  let out = ''
  let from = 0
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c === 0x2c || c === 0x22 || c === 0x20 || c === 0x3d) {
      out += `${key.slice(from, i)}\\`
      from = i
    }
  }
  return out === '' ? key : out + key.slice(from)
}

/** Escapes a string field value for the inside of its quotes: `"` and `\` (EscapeStringField). */
export function escapeStringValue(value: string): string {
  if (value.indexOf('\\') === -1 && value.indexOf('"') === -1) return value
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')
}

const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u

/**
 * Go's %q of a string (strconv.Quote), as influxd prints names in some messages: backslash escapes for `"`, `\`,
 * control characters and other characters Go does not count as printable (letters, marks, numbers, punctuation,
 * symbols and the ASCII space are); printable Unicode stays as it is.
 */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (c < 0x80 && c >= 0x20 && c !== 0x7f) out += ch
    else if (GO_ESCAPES[c] !== undefined) out += GO_ESCAPES[c]
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else if (GO_PRINTABLE.test(ch)) out += ch
    else out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`
  }
  return `${out}"`
}

const GO_ESCAPES: Record<number, string> = {0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v'}

/**
 * Compares two strings in the order of their UTF-8 bytes (Go's bytes.Compare), which is code point order. JavaScript's
 * `<` compares UTF-16 code units, which puts U+E000..U+FFFF after characters above U+FFFF; this does not.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    // Surrogates (code points above U+FFFF) sort after U+E000..U+FFFF in code point order.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x - y
  }
  return a.length - b.length
}

/** Bytes of `s` in UTF-8 (lone surrogates count 3, as the encoder writes U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2 // four bytes for the pair's two code units
      i++
    } else n += 2
  }
  return n
}

/**
 * Decodes UTF-8 the way Go prints invalid bytes: each byte that does not start a valid sequence becomes one U+FFFD
 * (Go's utf8.DecodeRune), where the WHATWG decoder behind Buffer#toString would turn a truncated sequence into a single
 * one. ASCII and valid UTF-8 (the usual cases) are recognised and decoded by Node.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (isAscii(buf)) return buf.toString('latin1')
  if (isUtf8(buf)) return buf.toString('utf8')
  return decodeUtf8Go(buf)
}

/** decodeUtf8, and whether the string encodes back to exactly these bytes (they were ASCII or valid UTF-8). */
export function decodeUtf8Exact(bytes: Buffer): {text: string; exact: boolean} {
  if (isAscii(bytes)) return {text: bytes.toString('latin1'), exact: true}
  if (isUtf8(bytes)) return {text: bytes.toString('utf8'), exact: true}
  return {text: decodeUtf8Go(bytes), exact: false}
}

function decodeUtf8Go(b: Uint8Array): string {
  const parts: string[] = []
  let run = 0
  let i = 0
  const flush = (to: number): void => {
    if (to > run) parts.push(Buffer.from(b.buffer, b.byteOffset + run, to - run).toString('utf8'))
  }
  while (i < b.length) {
    const width = validSequence(b, i)
    if (width > 0) {
      i += width
      continue
    }
    flush(i)
    parts.push('\ufffd')
    i++
    run = i
  }
  flush(b.length)
  return parts.join('')
}

/** Width of the valid UTF-8 sequence at b[i], or 0 when the byte there does not start one (Go's rules). */
function validSequence(b: Uint8Array, i: number): number {
  const c = b[i]
  if (c < 0x80) return 1
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0
  return 0
}
