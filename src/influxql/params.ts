/**
 * Bind parameters: the `params` JSON of /query, decoded as influxd decodes it, and bound to tokens the way the
 * parser substitutes them (`$name` becomes a string, number, integer, boolean, identifier, regex or duration token).
 *
 * JSON.parse would lose what influxd keeps: whether a number was written with a "." (float) or not (int64, exact to
 * the last digit), so this module reads the JSON itself. Error texts follow Go's encoding/json where clients see them.
 */
import {formatDuration} from './duration.js'
import {formatFloatPlain} from './parser.js'
import {T, type Tok} from './tokens.js'

/** A bound value as the parser sees it: a token kind and its literal text. An error binds as BOUNDPARAM + message. */
export interface BoundValue {
  tok: Tok
  lit: string
}

type JsonValue = null | boolean | string | {num: string} | JsonValue[] | {obj: Map<string, JsonValue>}

class JsonError extends Error {}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''"
  if (c === '"') return `'"'`
  const q = JSON.stringify(c)
  return "'" + q.slice(1, -1) + "'"
}

/** A strict JSON reader for one value (trailing text is ignored, as Go's Decoder.Decode does). */
class JsonReader {
  i = 0
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++
  }

  private eof(): never {
    throw new JsonError('unexpected EOF')
  }

  value(context = 'looking for beginning of value'): JsonValue {
    this.ws()
    if (this.i >= this.s.length) this.eof()
    const c = this.s[this.i]
    if (c === '{') return this.object()
    if (c === '[') return this.array()
    if (c === '"') return this.string()
    if (c === '-' || (c >= '0' && c <= '9')) return this.number()
    if (c === 't') return this.literal('true', true)
    if (c === 'f') return this.literal('false', false)
    if (c === 'n') return this.literal('null', null)
    throw new JsonError(`invalid character ${quoteChar(c)} ${context}`)
  }

  private literal(word: string, v: JsonValue): JsonValue {
    for (let k = 0; k < word.length; k++) {
      if (this.i + k >= this.s.length) this.eof()
      const c = this.s[this.i + k]
      if (c !== word[k]) throw new JsonError(`invalid character ${quoteChar(c)} in literal ${word} (expecting ${quoteChar(word[k])})`)
    }
    this.i += word.length
    return v
  }

  private number(): JsonValue {
    const start = this.i
    const s = this.s
    const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
    if (s[this.i] === '-') this.i++
    if (this.i >= s.length) this.eof()
    if (s[this.i] === '0') {
      this.i++
    } else if (digit(s[this.i])) {
      while (digit(s[this.i])) this.i++
    } else {
      throw new JsonError(`invalid character ${quoteChar(s[this.i])} in numeric literal`)
    }
    if (s[this.i] === '.') {
      this.i++
      if (this.i >= s.length) this.eof()
      if (!digit(s[this.i])) throw new JsonError(`invalid character ${quoteChar(s[this.i])} after decimal point in numeric literal`)
      while (digit(s[this.i])) this.i++
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++
      if (s[this.i] === '+' || s[this.i] === '-') this.i++
      if (this.i >= s.length) this.eof()
      if (!digit(s[this.i])) throw new JsonError(`invalid character ${quoteChar(s[this.i])} in exponent of numeric literal`)
      while (digit(s[this.i])) this.i++
    }
    return {num: s.slice(start, this.i)}
  }

  private string(): string {
    const s = this.s
    this.i++
    let out = ''
    for (;;) {
      if (this.i >= s.length) this.eof()
      const c = s[this.i]
      if (c === '"') {
        this.i++
        return out
      }
      if (c < ' ') throw new JsonError(`invalid character ${quoteChar(c)} in string literal`)
      if (c === '\\') {
        this.i++
        if (this.i >= s.length) this.eof()
        const e = s[this.i]
        const simple: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}
        if (simple[e] !== undefined) {
          out += simple[e]
          this.i++
        } else if (e === 'u') {
          const h = s.slice(this.i + 1, this.i + 5)
          if (h.length < 4) this.eof()
          for (const ch of h) if (!/[0-9a-fA-F]/.test(ch)) throw new JsonError(`invalid character ${quoteChar(ch)} in \\u hexadecimal character escape`)
          out += String.fromCharCode(parseInt(h, 16))
          this.i += 5
        } else {
          throw new JsonError(`invalid character ${quoteChar(e)} in string escape code`)
        }
        continue
      }
      out += c
      this.i++
    }
  }

  private array(): JsonValue {
    this.i++
    const out: JsonValue[] = []
    this.ws()
    if (this.s[this.i] === ']') {
      this.i++
      return out
    }
    for (;;) {
      out.push(this.value())
      this.ws()
      if (this.i >= this.s.length) this.eof()
      const c = this.s[this.i++]
      if (c === ']') return out
      if (c !== ',') throw new JsonError(`invalid character ${quoteChar(c)} after array element`)
    }
  }

  private object(): JsonValue {
    this.i++
    const m = new Map<string, JsonValue>()
    this.ws()
    if (this.s[this.i] === '}') {
      this.i++
      return {obj: m}
    }
    for (;;) {
      this.ws()
      if (this.i >= this.s.length) this.eof()
      if (this.s[this.i] !== '"') throw new JsonError(`invalid character ${quoteChar(this.s[this.i])} looking for beginning of object key string`)
      const k = this.string()
      this.ws()
      if (this.i >= this.s.length) this.eof()
      if (this.s[this.i] !== ':') throw new JsonError(`invalid character ${quoteChar(this.s[this.i])} after object key`)
      this.i++
      m.set(k, this.value())
      this.ws()
      if (this.i >= this.s.length) this.eof()
      const c = this.s[this.i++]
      if (c === '}') return {obj: m}
      if (c !== ',') throw new JsonError(`invalid character ${quoteChar(c)} after object key:value pair`)
    }
  }
}

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

type Num = {float: number} | {int: bigint}

/** json.Number to Go's int64 or float64, by whether the text contains a "." (Go's rule). */
function numberValue(text: string): Num {
  if (text.includes('.')) {
    const f = Number(text)
    if (!Number.isFinite(f)) throw new JsonError(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`)
    return {float: f}
  }
  if (!/^-?\d+$/.test(text)) throw new JsonError(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`)
  const v = BigInt(text)
  if (v < INT64_MIN || v > INT64_MAX) throw new JsonError(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`)
  return {int: v}
}

const error = (msg: string): BoundValue => ({tok: T.BOUNDPARAM, lit: msg})

function goTypeName(v: JsonValue | Num): string {
  if (v === null) return '<nil>'
  if (Array.isArray(v)) return '[]interface {}'
  return typeof v === 'object' && 'obj' in v ? 'map[string]interface {}' : typeof v
}

function bindNumber(n: Num): BoundValue {
  return 'float' in n ? {tok: T.NUMBER, lit: formatFloatPlain(n.float)} : {tok: T.INTEGER, lit: n.int.toString()}
}

function bindObject(m: Map<string, JsonValue>): BoundValue {
  if (m.size !== 1) return error('bound object parameter value must have exactly one entry')
  const [k, raw] = [...m][0]
  let v: JsonValue | Num = raw
  if (raw !== null && typeof raw === 'object' && 'num' in raw) {
    try {
      v = numberValue(raw.num)
    } catch (err) {
      return error((err as Error).message)
    }
  }
  switch (k) {
    case 'ident': case 'identifier':
      return typeof v === 'string' ? {tok: T.IDENT, lit: v} : error('identifier must be a string value')
    case 'regex':
      return typeof v === 'string' ? {tok: T.REGEX, lit: v} : error('regex literal must be a string value')
    case 'string':
      return typeof v === 'string' ? {tok: T.STRING, lit: v} : error('string literal must be a string value')
    case 'float': case 'number':
      if (v !== null && typeof v === 'object' && 'float' in v) return {tok: T.NUMBER, lit: formatFloatPlain(v.float)}
      if (v !== null && typeof v === 'object' && 'int' in v) return {tok: T.NUMBER, lit: formatFloatPlain(Number(v.int))}
      return error('number literal must be a float value')
    case 'int': case 'integer':
      return v !== null && typeof v === 'object' && 'int' in v ? {tok: T.INTEGER, lit: v.int.toString()} : error('integer literal must be an integer value')
    case 'duration':
      if (typeof v === 'string') return {tok: T.DURATIONVAL, lit: v}
      if (v !== null && typeof v === 'object' && 'int' in v) return {tok: T.DURATIONVAL, lit: formatDuration(v.int)}
      return error('duration literal must be a string or integer value')
    default:
      return error(`unknown bind object type: ${k}`)
  }
}

export type ParamsResult = {ok: true; params: Map<string, BoundValue>} | {ok: false; error: string}

/**
 * Decodes the `params` form value of /query. On failure, `error` is the whole text influxd answers with HTTP 400
 * (`error parsing query parameters: ...` or `error parsing json value: ...`).
 */
export function decodeParams(raw: string): ParamsResult {
  let doc: JsonValue
  try {
    const r = new JsonReader(raw)
    if (raw.trim() === '') throw new JsonError('EOF')
    doc = r.value()
  } catch (err) {
    if (err instanceof JsonError) return {ok: false, error: 'error parsing query parameters: ' + err.message}
    throw err
  }
  const params = new Map<string, BoundValue>()
  if (doc === null) return {ok: true, params}
  if (typeof doc !== 'object' || Array.isArray(doc) || !('obj' in doc)) {
    const kind = Array.isArray(doc) ? 'array' : typeof doc === 'object' ? 'number' : typeof doc === 'boolean' ? 'bool' : 'string'
    return {ok: false, error: `error parsing query parameters: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`}
  }
  for (const [k, v] of doc.obj) {
    if (v !== null && typeof v === 'object' && 'num' in v) {
      try {
        params.set(k, bindNumber(numberValue(v.num)))
      } catch (err) {
        return {ok: false, error: 'error parsing json value: ' + (err as Error).message}
      }
      continue
    }
    if (typeof v === 'string') params.set(k, {tok: T.STRING, lit: v})
    else if (typeof v === 'boolean') params.set(k, {tok: v ? T.TRUE : T.FALSE, lit: ''})
    else if (v !== null && typeof v === 'object' && 'obj' in v) params.set(k, bindObject(v.obj))
    else params.set(k, error(`unable to bind parameter with type ${goTypeName(v)}`))
  }
  return {ok: true, params}
}
