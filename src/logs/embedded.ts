/**
 * The server's error inside someone else's line. An error a data node answers often reaches the operator through a
 * client or another process: Telegraf's output errors, the Python client's InfluxDBServerError/InfluxDBClientError,
 * the Go and JS clients' messages, an `X-Influxdb-Error:` header from `curl -i`, a `{"error":"..."}` body printed
 * anywhere in an application's log, or the data node's own `[500] - "timeout"` line (1.4+). `embeddedError` finds that
 * text (and the HTTP status when the line has it) so that the line is explained by the entry of the server-side error.
 *
 * Every pattern is tried only on lines that mention one of a few markers (a cheap test), and each is linear: literal
 * prefixes, no nested quantifiers. A JSON body is read with the bounded parser.
 */
import {parseJsonBounded} from '../util/json.js'
import type {LogEvent} from './types.js'

export interface EmbeddedError {
  /** The server's error text, as the server wrote it (`partial write`, `timeout`, `database not found: "x"`). */
  text: string
  status?: number
  /** True when a client reported the error (the client advice applies); false for the server's own error log line. */
  client: boolean
  /** Which form it was found in (json-body, x-influxdb-error, telegraf, python, httpd-error...). */
  via: string
}

/** Words one of which every form below contains; tested with indexOf (native), much cheaper than a regex per line. */
const MARKERS = ['rror', 'ERR', 'InfluxDB', 'writing to', 'Status Code', '] - "']
const MAX_TEXT = 8192

/** The string value of `"error":"..."` starting at `from` (the index of its opening quote), JSON-unescaped. */
function jsonStringAt(s: string, from: number): string | undefined {
  let i = from + 1
  for (; i < s.length && i - from < MAX_TEXT; i++) {
    const c = s.charCodeAt(i)
    if (c === 92) i++
    else if (c === 34) break
  }
  if (i >= s.length || s.charCodeAt(i) !== 34) return undefined
  const parsed = parseJsonBounded(s.slice(from, i + 1), {maxDepth: 1})
  return parsed.ok && typeof parsed.value === 'string' ? parsed.value : undefined
}

/** An HTTP status just before `at` (`400: {`, `status 500 , body: {`, `400 - {`, `(status 401): {`), or undefined. */
function statusBefore(s: string, at: number): number | undefined {
  const head = s.slice(Math.max(0, at - 40), at)
  const m = /(?:^|[^\d.])([1-5]\d\d)\D{0,16}$/.exec(head)
  return m ? Number(m[1]) : undefined
}

function cleanText(t: string): string {
  let s = t.trim()
  s = s.replace(/^(?:internal error: )?(?:unexpected error|failure) writing points to database: /, '')
  s = s.replace(/; discarding points$/, '')
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s
}

// Each pattern starts with a literal marker: `at` finds the marker's first occurrence with indexOf and tries the sticky
// pattern there once, so a line holding the marker thousands of times (or ending in a character `.` does not match)
// still costs one pass. The `s` flag lets `.` match every character, so `(.+)$` never backtracks through a line.
const TELEGRAF = /[Ww]hen writing to \[[^\]\s]{0,512}\]: (?:received error (.+)|([1-5]\d\d) [A-Za-z][A-Za-z ]{0,40}?: (.+))$/ys
const TELEGRAF_DROPPED = /Failed to write metric \(will be dropped: ([1-5]\d\d)[^)]{0,64}\): (.+)$/ys
const TELEGRAF_OLD = /Response Error: Status Code \[([1-5]\d\d)\], expected \[\d{3}\], \[(.{0,4096})\]$/ys
const PYTHON = /InfluxDB(?:Server|Client)Error: (?:\(?([1-5]\d\d)\)?:? )?(.+)$/ys
const PYTHON_BODY = /HTTP response body: b?'(.+)'$/ys
const HEADER = /^\s*X-Influxdb-Error: (.+)$/is
const HTTPD_ERROR = /^\[([1-5]\d\d)\] - "(.*)"$/s
const V2_CLIENT = /(?:unexpected error|failure) writing points to database: (.+?)(?: \{"statusCode".*| \/ ".*)?$/ys
const HTTP_ERROR_CLASS = /HttpError: (.+?)(?: at IncomingMessage.*| \/ ".*)?$/ys

/** The sticky `re` tried once at the first occurrence of any of `markers` (plus `back` characters before it). */
function at(text: string, markers: readonly string[], re: RegExp, back = 0): RegExpExecArray | null {
  let first = -1
  for (const m of markers) {
    const i = text.indexOf(m)
    if (i !== -1 && (first === -1 || i < first)) first = i
  }
  if (first === -1 || first < back) return null
  re.lastIndex = first - back
  return re.exec(text)
}

/** The server's error inside a line, or undefined (see the file header). */
export function embeddedError(ev: LogEvent, text: string): EmbeddedError | undefined {
  if (!MARKERS.some((m) => text.includes(m))) return undefined
  // The data node's own log of a 5xx answer (1.4+): lvl=error msg="[500] - \"timeout\"" service=httpd.
  const httpd = HTTPD_ERROR.exec(ev.msg)
  // The error is Go-quoted (%q): `\"` and `\\` stand for a quote and a backslash.
  if (httpd) return {text: cleanText(httpd[2].replace(/\\(["\\])/g, '$1')), status: Number(httpd[1]), client: false, via: 'httpd-error'}
  const header = HEADER.exec(text)
  if (header) return {text: cleanText(header[1]), client: true, via: 'x-influxdb-error'}
  // Telegraf before 1.x prints the status it got, the one it expected, then the body: `Status Code [500], expected [204],
  // [{"error":"..."}]`. Read it before the body search, which would take the expected status for the real one.
  const old = at(text, ['Response Error: Status Code ['], TELEGRAF_OLD)
  if (old) {
    const t = old[2] === '<nil>' ? '' : old[2].startsWith('{') ? jsonObjectError(old[2]) ?? old[2] : old[2]
    return {text: cleanText(t), status: Number(old[1]), client: true, via: 'telegraf'}
  }
  const body = text.indexOf('{"error":"')
  if (body !== -1) {
    const t = jsonStringAt(text, body + 9)
    if (t !== undefined) return {text: cleanText(t), status: statusBefore(text, body), client: true, via: 'json-body'}
  }
  const escaped = text.indexOf('{\\"error\\":\\"')
  if (escaped !== -1) {
    const end = text.indexOf('\\"}', escaped + 13)
    if (end !== -1) {
      const t = jsonStringAt(`"${text.slice(escaped + 13, end).replaceAll('\\"', '"').replaceAll('\\\\', '\\')}"`, 0)
      if (t !== undefined) return {text: cleanText(t), status: statusBefore(text, escaped), client: true, via: 'json-body'}
    }
  }
  let m = at(text, ['HTTP response body: '], PYTHON_BODY)
  if (m) {
    const inner = m[1].replaceAll('\\n', '')
    const t = inner.startsWith('{') ? jsonObjectError(inner) : inner
    if (t !== undefined) return {text: cleanText(t), client: true, via: 'python'}
  }
  m = at(text, ['Failed to write metric (will be dropped: '], TELEGRAF_DROPPED)
  if (m) return {text: cleanText(m[2]), status: Number(m[1]), client: true, via: 'telegraf'}
  m = at(text, ['hen writing to ['], TELEGRAF, 1)
  if (m) {
    return m[1] !== undefined
      ? {text: cleanText(m[1]), client: true, via: 'telegraf'}
      : {text: cleanText(m[3]), status: Number(m[2]), client: true, via: 'telegraf'}
  }
  m = at(text, ['InfluxDBServerError: ', 'InfluxDBClientError: '], PYTHON)
  if (m) return {text: cleanText(m[2]), status: m[1] === undefined ? undefined : Number(m[1]), client: true, via: 'python'}
  m = at(text, ['unexpected error writing points to database: ', 'failure writing points to database: '], V2_CLIENT)
  if (m) return {text: cleanText(m[1]), client: true, via: 'client'}
  m = at(text, ['HttpError: '], HTTP_ERROR_CLASS)
  if (m) return {text: cleanText(m[1]), client: true, via: 'client'}
  return undefined
}

function jsonObjectError(s: string): string | undefined {
  const p = parseJsonBounded(s, {maxDepth: 4})
  if (!p.ok || p.value === null || typeof p.value !== 'object') return undefined
  const e = (p.value as {error?: unknown}).error
  return typeof e === 'string' ? e : undefined
}

/** The text the catalogue sees for an embedded error: `500 partial write` when the status is known. */
export function embeddedMatchText(e: EmbeddedError): string {
  return e.status !== undefined && e.text !== '' ? `${e.status} ${e.text}` : e.text
}
