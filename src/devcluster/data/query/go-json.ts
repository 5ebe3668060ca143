/**
 * JSON text exactly as Go's encoding/json writes it (the Go 1.19 that built the Debian influxd): `<`, `>`, `&`,
 * U+2028 and U+2029 escaped as \u00XX, control characters as \u00XX except \n \r \t, floats in their shortest form
 * with an exponent only below 1e-6 or from 1e21 (e-7, not e-07), int64 exact, object keys in the given order, and
 * MarshalIndent's layout for pretty output. Values that Go refuses (±Inf) throw UnsupportedValueError with Go's text.
 */

export type GoJson =
  | null
  | boolean
  | number
  | bigint
  | string
  | GoJson[]
  | {readonly entries: ReadonlyArray<readonly [string, GoJson]>}

export class UnsupportedValueError extends Error {}

/** An object whose keys keep the given order (Go writes struct fields in declaration order, map keys sorted). */
export function obj(entries: ReadonlyArray<readonly [string, GoJson]>): GoJson {
  return {entries}
}

const HEX = '0123456789abcdef'

export function goString(s: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let esc: string | undefined
    if (c < 0x20) {
      esc = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : '\\u00' + HEX[c >> 4] + HEX[c & 15]
    } else if (c === 0x22) {
      esc = '\\"'
    } else if (c === 0x5c) {
      esc = '\\\\'
    } else if (c === 0x3c || c === 0x3e || c === 0x26) {
      esc = '\\u00' + HEX[c >> 4] + HEX[c & 15]
    } else if (c === 0x2028 || c === 0x2029) {
      esc = c === 0x2028 ? '\\u2028' : '\\u2029'
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate cannot come from UTF-8; Go would have seen an invalid byte and written U+FFFD.
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff
      if (pair) {
        i++
        continue
      }
      esc = '\\ufffd'
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc
      start = i + 1
    }
  }
  return out + s.slice(start) + '"'
}

/** Go's float64 encoding: 'f' format, or 'e' below 1e-6 / from 1e21 with a minimal exponent. */
export function goFloat(f: number): string {
  if (!Number.isFinite(f)) throw new UnsupportedValueError(`json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`)
  if (f === 0) return Object.is(f, -0) ? '-0' : '0'
  const abs = Math.abs(f)
  if (abs < 1e-6 || abs >= 1e21) {
    const [m, e] = f.toExponential().split('e')
    const exp = Number(e)
    return `${m}e${exp < 0 ? '-' : '+'}${Math.abs(exp) < 10 ? '0' + Math.abs(exp) : Math.abs(exp)}`.replace(/e([+-])0(\d)$/, 'e$1$2')
  }
  return String(f)
}

function encodeCompact(v: GoJson, out: string[]): void {
  if (v === null) out.push('null')
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false')
  else if (typeof v === 'number') out.push(goFloat(v))
  else if (typeof v === 'bigint') out.push(v.toString())
  else if (typeof v === 'string') out.push(goString(v))
  else if (Array.isArray(v)) {
    out.push('[')
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',')
      encodeCompact(v[i], out)
    }
    out.push(']')
  } else {
    const entries = (v as {entries: ReadonlyArray<readonly [string, GoJson]>}).entries
    out.push('{')
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) out.push(',')
      out.push(goString(entries[i][0]), ':')
      encodeCompact(entries[i][1], out)
    }
    out.push('}')
  }
}

function encodeIndent(v: GoJson, out: string[], depth: number): void {
  const pad = (d: number): string => '\n' + '    '.repeat(d)
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push('[]')
      return
    }
    out.push('[')
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',')
      out.push(pad(depth + 1))
      encodeIndent(v[i], out, depth + 1)
    }
    out.push(pad(depth), ']')
    return
  }
  if (v !== null && typeof v === 'object') {
    const entries = (v as {entries: ReadonlyArray<readonly [string, GoJson]>}).entries
    if (entries.length === 0) {
      out.push('{}')
      return
    }
    out.push('{')
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) out.push(',')
      out.push(pad(depth + 1), goString(entries[i][0]), ': ')
      encodeIndent(entries[i][1], out, depth + 1)
    }
    out.push(pad(depth), '}')
    return
  }
  encodeCompact(v, out)
}

/** json.Marshal (or json.MarshalIndent(v, "", "    ") when pretty). */
export function marshal(v: GoJson, pretty = false): string {
  const out: string[] = []
  if (pretty) encodeIndent(v, out, 0)
  else encodeCompact(v, out)
  return out.join('')
}
