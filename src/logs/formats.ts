/**
 * Recognises the log formats InfluxDB Enterprise 1.x nodes, their HTTP APIs and influxd-ctl write, and unwraps a line
 * into a LogEvent: time, level, service, message and structured fields. Written by hand (no library parses this mix of
 * Go log, zap logfmt/JSON/console, two access-log dialects and the wrappers of wrappers.ts); each branch is chosen from
 * the first characters of the line so that the common case costs one or two comparisons and a regular expression.
 *
 * The eras, as they appear in logs: 0.9 to 1.1 wrote Go's log format (`[svc] 2016/10/18 10:35:21 msg`); 1.2 to 1.4
 * zap's text encoder (`[I] 2017-09-26T14:44:32Z msg key=value`), except the access logs, which kept a bracket prefix;
 * 1.5+ logfmt (`ts=... lvl=info msg=...`), JSON or the console encoder. Data nodes up to 0.13 and meta nodes of every
 * version write the unquoted access log (Go duration at the end); data nodes from 1.0 the quoted one (microseconds).
 *
 * Every scan here is linear in the line's length, and JSON from a line is parsed with a depth limit (a line of 4,500
 * nested arrays is unknown, with the reason, instead of overflowing the stack).
 */
import {goDurationMs} from '../util/duration.js'
import {type JsonResult, parseJsonBounded} from '../util/json.js'
import {parseClf, parseIso, parseLegacy, UTC, type Zone} from './time.js'
import type {HttpRequestInfo, LogEvent} from './types.js'
import {unwrap} from './wrappers.js'

/** Log text is decoded as latin1 on the summariser's fast path, where µs reads as Âµs. */
const LATIN1 = {latin1: true}

/** Lines longer than this are cut before parsing: a 10 MB line must not cost 10 MB of regex work. */
export const MAX_LINE_CHARS = 64 * 1024

/** JSON in a log line nests a level or two; deeper than this, the line is not read. */
export const MAX_JSON_DEPTH = 16

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>

const LEGACY = /^\[([\w.-]+)\] ?(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) (.*)$/s
const LEGACY_LEVEL = /^\[([DIWEF])\] (\d{4}-\d\d-\d\dT\S+) (.*)$/s
const RAFT_LEVEL = /^\[(DEBUG|INFO|WARN|ERR|ERROR|TRACE)\] (.*)$/s
const RAFT_BARE = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) \[(DEBUG|INFO|WARN|ERR|ERROR|TRACE)\] (.*)$/s
// hashicorp/raft 1.1.2+ (hclog): 2021-03-04T05:06:07.123Z [WARN]  raft: heartbeat timeout reached: ...
const HCLOG = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)) \[(TRACE|DEBUG|INFO|WARN|ERROR|ERR)\]\s+(.*)$/s
// A Go log line with no prefix: 2017/08/02 14:11:05 http: TLS handshake error from ...
const GO_BARE = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d)(?:\.\d+)? (.*)$/s
// zap's console encoder: time, level and message separated by tabs (or by runs of spaces, once pasted), then context.
const CONSOLE_HEAD = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d))(?:\t| {2,})(debug|info|warn|error|dpanic|panic|fatal)(?:\t| {2,})/
// 500 {"error":"partial write"} / HTTP/1.1 500 Internal Server Error {"error":...} / < HTTP/1.1 503 Service Unavailable
const HTTP_STATUS = /^(?:< )?(?:HTTP\/[\d.]+ )?([1-5]\d\d)(?: ([A-Z][A-Za-z' -]*[A-Za-z]))?(?::? *(\{.*\}))?$/s
const CTL = /^([a-z][a-z-]*): operation (exited|timed out) with error:\s*(.*)$/s
const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Normalises the level spellings of Go log, zap and hashicorp/raft. */
function level(s: string | undefined): string | undefined {
  if (s === undefined) return undefined
  switch (s.toLowerCase()) {
    case 'd': case 'debug': case 'trace': return 'debug'
    case 'i': case 'info': return 'info'
    case 'w': case 'warn': case 'warning': return 'warn'
    case 'e': case 'err': case 'error': return 'error'
    case 'f': case 'fatal': case 'panic': case 'dpanic': return 'fatal'
    default: return s.toLowerCase()
  }
}

/** Removes what must never reach the matchers: CR, NUL bytes, an over-long tail. */
export function sanitise(line: string): {text: string; truncated: boolean} {
  let text = line
  let truncated = false
  if (text.length > MAX_LINE_CHARS) {
    text = text.slice(0, MAX_LINE_CHARS)
    truncated = true
  }
  if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1)
  if (text.includes('\0')) text = text.replaceAll('\0', '')
  return {text, truncated}
}

/**
 * True when at least a quarter of the first 256 characters are not text: control characters, U+FFFD (invalid UTF-8
 * decoded as UTF-8) or, for binary (latin1) strings, bytes that do not form valid UTF-8 sequences.
 */
function looksBinary(s: string, binary: boolean): boolean {
  const n = Math.min(s.length, 256)
  let bad = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if ((c < 32 && c !== 9) || c === 0xfffd || c === 127) {
      bad++
    } else if (binary && c >= 0x80) {
      const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
      let ok = need > 0
      for (let k = 1; ok && k <= need; k++) {
        const d = s.charCodeAt(i + k)
        ok = d >= 0x80 && d <= 0xbf
      }
      if (ok) i += need
      else bad++
    }
  }
  return n > 0 && bad * 4 >= n
}

/**
 * Where the trailing run of ` key=value` tokens of a message starts (the index of the space before it), or -1.
 * One left-to-right pass that knows about quoted values, so it stays linear on long lines.
 */
export function trailingFieldsStart(s: string): number {
  let runStart = -1
  let i = 0
  const n = s.length
  while (i < n) {
    // At the start of a token (after a space, or at 0).
    const tokenStart = i
    let isField = false
    let j = i
    while (j < n) {
      const c = s.charCodeAt(j)
      if (c === 61 /* = */ && j > tokenStart) {
        isField = true
        break
      }
      if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45)) break
      j++
    }
    let end: number
    if (isField && s.charCodeAt(j + 1) === 34 /* " */) {
      end = j + 2
      while (end < n && s.charCodeAt(end) !== 34) end += s.charCodeAt(end) === 92 ? 2 : 1
      end++
    } else {
      end = s.indexOf(' ', j)
      if (end === -1) end = n
    }
    if (isField && tokenStart > 0) {
      if (runStart === -1) runStart = tokenStart - 1
    } else {
      runStart = -1
    }
    i = end + 1
    while (i < n && s.charCodeAt(i) === 32) i++
  }
  return runStart
}

/** Parses logfmt (`key=value key="quoted \" value"`) into a plain object. */
export function parseLogfmt(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  const n = s.length
  let i = 0
  while (i < n) {
    while (i < n && s.charCodeAt(i) === 32) i++
    const keyStart = i
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c === 61 /* = */ || c === 32) break
      i++
    }
    const key = s.slice(keyStart, i)
    if (i >= n || s.charCodeAt(i) !== 61) {
      if (key) out[key] = ''
      continue
    }
    i++
    let value: string
    if (s.charCodeAt(i) === 34 /* " */) {
      i++
      let start = i
      let buf = ''
      while (i < n) {
        const c = s.charCodeAt(i)
        if (c === 92 /* \ */ && i + 1 < n) {
          buf += s.slice(start, i)
          const e = s[i + 1]
          buf += e === 'n' ? '\n' : e === 't' ? '\t' : e
          i += 2
          start = i
          continue
        }
        if (c === 34) break
        i++
      }
      value = buf + s.slice(start, i)
      i++
    } else {
      const start = i
      while (i < n && s.charCodeAt(i) !== 32) i++
      value = s.slice(start, i)
    }
    if (key) out[key] = value
  }
  return out
}

function fromLogfmt(ev: LogEvent, body: string): LogEvent {
  const f = parseLogfmt(body)
  ev.format = 'logfmt'
  ev.fields = f
  // influxdb-cluster pads some messages with a leading space (msg=" Closing announcer service").
  ev.msg = (f.msg ?? '').trim()
  ev.level = level(f.lvl ?? f.level)
  if (f.ts) {
    ev.timeText = f.ts
    ev.time = parseIso(f.ts)
  }
  if (f.service) ev.service = f.service
  if (f.log_id) ev.logId = f.log_id
  weblog(ev, f)
  return ev
}

/** 1.9.6+ meta-http "weblog" lines (logfmt or JSON) carry the access log as fields: make them an HTTP event. */
function weblog(ev: LogEvent, f: Record<string, string>): void {
  if (f.msg !== 'weblog' || !f.method || !f.status) return
  ev.http = {
    client: f.host, user: f.username || undefined, method: f.method, uri: f.uri ?? '', proto: f.protocol,
    status: Number(f.status), bytes: f.size ? Number(f.size) : undefined, userAgent: f['user-agent'],
    requestId: f['request-id'], durationMs: f['execution-time'] ? goDurationMs(f['execution-time'], LATIN1) : undefined,
  }
  ev.msg = httpMessage(ev.http)
}

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)
}

/** A zap JSON line, or a bare `{"error":"..."}` answer. JSON deeper than MAX_JSON_DEPTH is refused with a reason. */
/**
 * JSON from a line, nested at most MAX_JSON_DEPTH deep. A line with no more than that many `{` and `[` cannot nest
 * deeper, so it goes straight to JSON.parse (counted with indexOf, native); others take the bounded parser's pre-scan.
 */
function parseJsonLine(body: string): JsonResult {
  let openers = 0
  for (let i = body.indexOf('{'); i !== -1 && openers <= MAX_JSON_DEPTH; i = body.indexOf('{', i + 1)) openers++
  for (let i = body.indexOf('['); i !== -1 && openers <= MAX_JSON_DEPTH; i = body.indexOf('[', i + 1)) openers++
  if (openers > MAX_JSON_DEPTH) return parseJsonBounded(body, {maxDepth: MAX_JSON_DEPTH})
  try {
    return {ok: true, value: JSON.parse(body) as unknown}
  } catch (err) {
    return {ok: false, reason: (err as Error).message}
  }
}

function fromJson(ev: LogEvent, body: string): boolean {
  const parsed = parseJsonLine(body)
  if (!parsed.ok) {
    if (parsed.reason.includes('nests deeper')) {
      ev.format = 'json'
      ev.problem = `JSON nested deeper than ${MAX_JSON_DEPTH} levels`
      ev.msg = ''
      return true
    }
    return false
  }
  const obj = parsed.value
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return false
  const o = obj as Record<string, unknown>
  const fields: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) fields[k] = stringify(v)
  ev.fields = fields
  if (typeof o.msg === 'string' || typeof o.message === 'string') {
    ev.format = 'json'
    ev.msg = (o.msg ?? o.message) as string
    ev.level = level(fields.level ?? fields.lvl)
    const ts = o.ts ?? o.time
    if (typeof ts === 'number') {
      ev.time = Math.round(ts < 1e11 ? ts * 1000 : ts / 1e6)
      ev.timeText = String(ts)
    } else if (typeof ts === 'string') {
      ev.timeText = ts
      ev.time = parseIso(ts)
    }
    if (fields.service) ev.service = fields.service
    if (fields.log_id) ev.logId = fields.log_id
    weblog(ev, fields)
    return true
  }
  if (typeof o.error === 'string') {
    // An HTTP error body on its own: {"error":"partial write"}.
    ev.format = 'http-error'
    ev.msg = o.error
    return true
  }
  return false
}

function httpMessage(h: HttpRequestInfo): string {
  return h.status > 0 ? `HTTP ${h.status} ${h.method} ${h.uri}` : `HTTP ${h.method} ${h.uri}`
}

/**
 * The data-node access log, parsed by position (it is most of a busy data node's log, so this path is hot):
 * 127.0.0.1 - user [01/Mar/2017:20:49:45 +0000] "POST /write?db=x HTTP/1.1" 204 0 "-" "telegraf" <request id> <µs>
 */
function quotedAccess(ev: LogEvent, s: string, side: 'meta' | 'data' | undefined): boolean {
  const a = s.indexOf(' - ')
  if (a <= 0) return false
  const b = s.indexOf(' [', a + 3)
  const c = s.indexOf('] "', b + 2)
  if (b === -1 || c === -1) return false
  const m1 = s.indexOf(' ', c + 3)
  const u1 = s.indexOf(' ', m1 + 1)
  const q1 = s.indexOf('" ', u1 + 1)
  if (m1 === -1 || u1 === -1 || q1 === -1 || q1 - u1 > 16) return false
  const st = q1 + 2
  const status = (s.charCodeAt(st) - 48) * 100 + (s.charCodeAt(st + 1) - 48) * 10 + (s.charCodeAt(st + 2) - 48)
  if (!(status >= 100 && status <= 599) || s.charCodeAt(st + 3) !== 32) return false
  const by = s.indexOf(' "', st + 4)
  if (by === -1) return false
  const r1 = s.indexOf('" "', by + 2)
  if (r1 === -1) return false
  const ua1 = s.indexOf('" ', r1 + 3)
  if (ua1 === -1) return false
  const id1 = s.indexOf(' ', ua1 + 2)
  if (id1 === -1) return false
  const micros = Number(s.slice(id1 + 1))
  if (!Number.isFinite(micros)) return false
  const bytes = s.slice(st + 4, by)
  const user = s.slice(a + 3, b)
  ev.format = 'http-access'
  ev.http = {
    client: s.slice(0, a), user: user === '-' ? undefined : user, method: s.slice(c + 3, m1), uri: s.slice(m1 + 1, u1),
    proto: s.slice(u1 + 1, q1), status, bytes: bytes === '-' ? undefined : Number(bytes), userAgent: s.slice(r1 + 3, ua1),
    requestId: s.slice(ua1 + 2, id1), durationMs: micros / 1000,
  }
  if (ev.time === undefined) {
    ev.timeText = s.slice(b + 2, c)
    ev.time = parseClf(ev.timeText)
  }
  ev.service ??= side === 'meta' ? 'meta-http' : 'httpd'
  ev.msg = httpMessage(ev.http)
  return true
}

/**
 * The unquoted access log (meta nodes; data nodes up to 0.13), parsed by position from both ends:
 * 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /lease?x HTTP/1.1 409 105 - InfluxDB Meta Client <uuid> 380.542µs
 * The user agent may hold spaces; the request id is missing in some 0.9 builds; the last token is a Go duration.
 */
function unquotedAccess(ev: LogEvent, s: string, side: 'meta' | 'data' | undefined): boolean {
  const a = s.indexOf(' - ')
  if (a <= 0 || a > 256) return false
  const b = s.indexOf(' [', a + 3)
  const c = s.indexOf('] ', b + 2)
  if (b === -1 || c === -1 || c - b > 40) return false
  // From the front: method uri proto status bytes referrer; from the back: duration, then a request id if it is one;
  // what lies between is the user agent (it may hold spaces). Positions only: this runs on every meta access line.
  const m0 = c + 2
  const m1 = s.indexOf(' ', m0)
  const u1 = m1 === -1 ? -1 : s.indexOf(' ', m1 + 1)
  const p1 = u1 === -1 ? -1 : s.indexOf(' ', u1 + 1)
  const st1 = p1 === -1 ? -1 : s.indexOf(' ', p1 + 1)
  const by1 = st1 === -1 ? -1 : s.indexOf(' ', st1 + 1)
  const rf1 = by1 === -1 ? -1 : s.indexOf(' ', by1 + 1)
  if (rf1 === -1) return false
  if (!isMethod(s, m0, m1) || !s.startsWith('HTTP/', u1 + 1) || st1 - p1 !== 4) return false
  const status = (s.charCodeAt(p1 + 1) - 48) * 100 + (s.charCodeAt(p1 + 2) - 48) * 10 + (s.charCodeAt(p1 + 3) - 48)
  if (!(status >= 100 && status <= 599) || !isDigits(s, p1 + 1, st1)) return false
  const bytesText = s.slice(st1 + 1, by1)
  if (bytesText !== '-' && !isDigits(s, st1 + 1, by1)) return false
  const last = s.lastIndexOf(' ')
  if (last < rf1) return false
  const durationMs = goDurationMs(s.slice(last + 1), LATIN1)
  if (durationMs === undefined) return false
  let uaEnd = last
  let requestId: string | undefined
  if (last > rf1) {
    const prev = s.lastIndexOf(' ', last - 1)
    if (prev >= rf1 && UUID_LIKE.test(s.slice(prev + 1, last))) {
      requestId = s.slice(prev + 1, last)
      uaEnd = prev
    }
  }
  const user = s.slice(a + 3, b)
  const referrer = s.slice(by1 + 1, rf1)
  ev.format = 'meta-access'
  ev.http = {
    client: s.slice(0, a), user: user === '-' ? undefined : user, method: s.slice(m0, m1), uri: s.slice(m1 + 1, u1), proto: s.slice(u1 + 1, p1),
    status, bytes: bytesText === '-' ? undefined : Number(bytesText), userAgent: uaEnd > rf1 + 1 ? s.slice(rf1 + 1, uaEnd) : undefined, requestId,
    durationMs,
  }
  if (referrer !== '-') ev.fields = {referrer}
  if (ev.time === undefined) {
    ev.timeText = s.slice(b + 2, c)
    ev.time = parseClf(ev.timeText)
  }
  ev.service ??= side === 'data' ? 'httpd' : 'meta-http'
  ev.msg = httpMessage(ev.http)
  return true
}

/** s[from, to) is 3 to 8 capital letters (an HTTP method). */
function isMethod(s: string, from: number, to: number): boolean {
  if (to - from < 3 || to - from > 8) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 65 || c > 90) return false
  }
  return true
}

/** s[from, to) is one or more ASCII digits. */
function isDigits(s: string, from: number, to: number): boolean {
  if (to <= from) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * A quoted access line that does not follow the layout exactly: a missing `- user`, a dash that is not ASCII, a line
 * cut short after the request or the status. Reads what is there; `cutShort` says what is missing.
 */
function lenientAccess(ev: LogEvent, s: string, side: 'meta' | 'data' | undefined): boolean {
  let q = s.indexOf('"')
  if (q === -1 || q > 320) return false
  const date = s.lastIndexOf('[', q)
  if (q > 0 && (date === -1 || s.indexOf(']', date) > q)) return false
  const m = /^"([A-Z]{3,8}) (\S+)(?: (HTTP\/[\d.]+))? ?(")?/.exec(s.slice(q))
  if (!m) return false
  const method = m[1]
  const uri = m[2]
  const closed = m[4] !== undefined
  q += m[0].length
  let status = 0
  let bytes: number | undefined
  let cut: string | undefined
  const rest = /^ ?([1-5]\d\d)(?: (\d+|-))?/.exec(s.slice(q))
  if (closed && rest) {
    status = Number(rest[1])
    if (rest[2] !== undefined && rest[2] !== '-') bytes = Number(rest[2])
    if (rest[2] === undefined) cut = 'it ends after the status code'
  } else if (closed) {
    cut = 'it ends after the request, before the status code'
  } else {
    cut = 'it ends inside the request line'
  }
  if (date !== -1 && q > 0) {
    ev.timeText ??= s.slice(date + 1, s.indexOf(']', date))
    ev.time ??= parseClf(ev.timeText)
  }
  ev.format = 'http-access'
  ev.http = {client: date > 0 ? s.slice(0, s.indexOf(' ')) : undefined, method, uri, status, bytes}
  if (cut !== undefined) ev.cutShort = cut
  ev.service ??= side === 'meta' ? 'meta-http' : 'httpd'
  ev.msg = httpMessage(ev.http)
  return true
}

function accessLog(ev: LogEvent, body: string, side: 'meta' | 'data' | undefined): boolean {
  // The character after the date tells the dialect: `] "GET ...` is the quoted one, `] GET ...` the unquoted one.
  const d = body.indexOf('] ')
  const quoted = d !== -1 && body.charCodeAt(d + 2) === 34
  return (quoted ? quotedAccess(ev, body, side) : unquotedAccess(ev, body, side)) || lenientAccess(ev, body, side)
}

/** Parses the message part of a legacy line: hashicorp/raft level tags and access logs hide inside it. */
function legacyBody(ev: LogEvent, body: string): void {
  ev.msg = body
  if (body.charCodeAt(0) === 91 /* [ */) {
    const r = RAFT_LEVEL.exec(body)
    if (r) {
      ev.level = level(r[1])
      ev.msg = r[2]
      return
    }
  }
  const svc = ev.service
  if (svc === 'httpd' || svc === 'meta-http' || svc === 'http' || svc === 'meta') {
    const saved = ev.service
    if (!accessLog(ev, body, svc === 'httpd' || svc === 'http' ? 'data' : 'meta')) {
      ev.service = saved
      ev.msg = body
    }
  }
}

/**
 * Why a line looks cut short: a quote or brace opened and never closed, or a shipper's "..." at the end. Runs on every
 * line, so it hops between quotes with indexOf (native) and walks characters only on lines that hold a `{`.
 */
function cutShortReason(s: string): string | undefined {
  if (s.indexOf('{') !== -1) return cutShortByWalk(s)
  let open = false
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) {
    if (open) {
      // Inside a quoted value a backslash escapes the next character: an odd run of them before this quote escapes it.
      let k = i - 1
      while (s.charCodeAt(k) === 92) k--
      if ((i - 1 - k) % 2 === 1) continue
      open = false
    } else open = true
  }
  if (open) return 'a quoted value is never closed'
  return endsWithEllipsis(s)
}

function cutShortByWalk(s: string): string | undefined {
  let inString = false
  let depth = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123) depth++
    else if (c === 125 && depth > 0) depth--
  }
  if (inString) return 'a quoted value is never closed'
  if (depth > 0) return 'a JSON object is never closed'
  return endsWithEllipsis(s)
}

function endsWithEllipsis(s: string): string | undefined {
  const last = s.charCodeAt(s.length - 1)
  if (last !== 46 /* . */ && last !== 0x2026) return undefined
  return s.endsWith('...') || last === 0x2026 ? 'it ends with "..."' : undefined
}

export interface ParseOptions {
  /** "Now" for syslog stamps without a year. */
  now?: number
  /** The line holds latin1-decoded bytes (see strings.ts): only changes how binary junk is recognised. */
  binary?: boolean
  /** The zone of stamps that carry none (legacy Go log, old raft, BSD syslog). UTC by default. */
  zone?: Zone
}

/**
 * Parses one line. Never throws. `now` (or options) gives syslog stamps a year; see ParseOptions.
 */
export function parseLine(input: string, nowOrOptions?: number | ParseOptions, binary = false): LogEvent {
  const options: ParseOptions = typeof nowOrOptions === 'object' ? nowOrOptions : {now: nowOrOptions, binary}
  const zone = options.zone ?? UTC
  const {text, truncated} = sanitise(input)
  // Every field is set here, in one order, so that all events share one hidden class: the functions that read them run
  // monomorphic on the hot path (a field added later, line by line, would give each format its own shape).
  const ev: LogEvent = {
    raw: text, format: 'plain', wrapper: undefined, wrappers: undefined, container: undefined, time: undefined, timeText: undefined,
    level: undefined, service: undefined, host: undefined, process: undefined, pid: undefined, msg: text, fields: EMPTY,
    logId: undefined, http: undefined, truncated: undefined, cutShort: undefined, problem: undefined,
  }
  if (truncated) ev.truncated = true
  const trimmed = text.trimStart()
  const w = unwrap(trimmed, options.now, zone)
  if (w.layers.length > 0) {
    ev.wrappers = w.layers
    if (w.layers.includes('syslog') || w.layers.includes('rfc5424') || w.layers.includes('journald-iso')) ev.wrapper = 'syslog'
    if (w.host !== undefined) ev.host = w.host
    if (w.process !== undefined) ev.process = w.process
    if (w.pid !== undefined) ev.pid = w.pid
    if (w.container !== undefined) ev.container = w.container
  }
  parseInto(ev, w.body, zone)
  // The inner line's own timestamp is more precise (and has a year); fall back to the wrapper's.
  if (ev.time === undefined && w.time !== undefined) {
    ev.time = w.time
    ev.timeText = w.timeText
  }
  if (ev.format === 'plain') {
    // Only a line no format claimed is checked for binary junk: the check reads up to 256 characters.
    if (looksBinary(trimmed, options.binary ?? false)) {
      ev.format = 'binary'
      ev.msg = ''
      ev.wrappers = undefined
      return ev
    }
    ev.msg = w.body
  }
  if (ev.http && ev.process === 'influxd-meta' && ev.service === 'httpd') ev.service = 'meta-http'
  // A zap JSON line that parsed is whole, and so is an access line the strict parsers read to its last field (the
  // duration: the lenient parser never sets one); any other line is checked for an unclosed quote or brace.
  if (ev.cutShort === undefined && ev.problem === undefined && !truncated && ev.format !== 'binary' && ev.http?.durationMs === undefined && !(ev.format === 'json' && w.layers.length === 0)) {
    const reason = cutShortReason(w.body)
    if (reason !== undefined) ev.cutShort = reason
  }
  return ev
}

function parseInto(ev: LogEvent, s: string, zone: Zone): void {
  const c = s.charCodeAt(0)
  if (c === 91 /* [ */) {
    // Fast path for "[service] YYYY/MM/DD HH:MM:SS message", the bulk of a 1.x log: check the layout by position.
    // 0.10-0.12 wrote `[filestore]2016/...` without the space: accepted too.
    const close = s.indexOf(']')
    if (close > 1 && close < 48) {
      const d = s.charCodeAt(close + 1) === 32 ? close + 2 : close + 1
      if (
        s.charCodeAt(d + 4) === 47 && s.charCodeAt(d + 7) === 47 && s.charCodeAt(d + 10) === 32 &&
        s.charCodeAt(d + 13) === 58 && s.charCodeAt(d + 16) === 58 && s.charCodeAt(d + 19) === 32 && !s.slice(1, close).includes(' ')
      ) {
        const timeText = s.slice(d, d + 19)
        const time = parseLegacy(timeText, zone)
        if (time !== undefined) {
          ev.format = 'legacy'
          ev.service = s.slice(1, close)
          ev.timeText = timeText
          ev.time = time
          legacyBody(ev, s.slice(d + 20))
          return
        }
      }
      if (close > 2 && s.charCodeAt(close + 1) === 32) {
        const svc = s.slice(1, close)
        const side = svc === 'httpd' || svc === 'http' ? 'data' : svc === 'meta-http' || svc === 'meta' ? 'meta' : undefined
        if (side !== undefined || !svc.includes(' ')) {
          ev.service = svc
          if (accessLog(ev, s.slice(close + 2), side)) return
          ev.service = undefined
        }
      }
    }
    let m = LEGACY.exec(s)
    if (m) {
      ev.format = 'legacy'
      ev.service = m[1]
      ev.timeText = m[2]
      ev.time = parseLegacy(m[2], zone)
      legacyBody(ev, m[3])
      return
    }
    m = LEGACY_LEVEL.exec(s)
    if (m) {
      ev.format = 'legacy-level'
      ev.level = level(m[1])
      ev.timeText = m[2]
      ev.time = parseIso(m[2])
      levelBody(ev, m[3])
      return
    }
  } else if ((c === 116 /* t */ && s.startsWith('ts=')) || (c === 108 /* l */ && s.startsWith('lvl='))) {
    fromLogfmt(ev, s)
    if (c === 108) ev.cutShort = 'it starts without its time (ts=): the start of the line is missing'
    return
  } else if (c === 123 /* { */) {
    if (fromJson(ev, s)) return
  } else if (c === 34 /* " */) {
    // An access line whose start (client, user, date) was cut off: "POST /write?db=x HTTP/1.1" 404 46 ...
    if (lenientAccess(ev, s, undefined)) {
      ev.cutShort ??= 'it starts at the request: the client and the date are missing'
      return
    }
  } else if (c >= 48 && c <= 57) {
    // Digits: console format, bare raft lines, access logs without a prefix, HTTP status lines.
    if (consoleLine(ev, s)) return
    let m = RAFT_BARE.exec(s)
    if (m) {
      raftLine(ev, m, parseLegacy(m[1], zone))
      return
    }
    m = HCLOG.exec(s)
    if (m) {
      raftLine(ev, m, parseIso(m[1]))
      return
    }
    m = GO_BARE.exec(s)
    if (m) {
      ev.format = 'legacy'
      ev.timeText = m[1]
      ev.time = parseLegacy(m[1], zone)
      legacyBody(ev, m[2])
      return
    }
    if (accessLog(ev, s, undefined)) return
    if (httpStatus(ev, s)) return
  } else if ((c === 72 /* H */ || c === 60 /* < */) && httpStatus(ev, s)) {
    return
  }
  const ctl = CTL.exec(s)
  if (ctl) {
    ev.format = 'influxd-ctl'
    ev.service = 'influxd-ctl'
    ev.fields = {command: ctl[1], outcome: ctl[2]}
    ev.msg = s
    return
  }
  if (s.startsWith('Error: ')) {
    ev.format = 'influxd-ctl'
    ev.service = 'influxd-ctl'
    ev.msg = s
    return
  }
  if (accessLog(ev, s, undefined)) return
  ev.msg = s
}

/** The [I]-era body: message, then a trailing run of key=value context. */
function levelBody(ev: LogEvent, text: string): void {
  let body = text
  const svc = / service=(\S+)/.exec(body)
  if (svc) ev.service = svc[1]
  // Only a trailing run of key=value pairs is context; a `host='a'` inside a query is part of the message.
  const at = trailingFieldsStart(body)
  if (at > 0) {
    ev.fields = parseLogfmt(body.slice(at + 1))
    body = body.slice(0, at)
  }
  ev.msg = body
  if (ev.fields.log_id) ev.logId = ev.fields.log_id
}

function raftLine(ev: LogEvent, m: RegExpExecArray, time: number | undefined): void {
  ev.format = 'raft'
  ev.timeText = m[1]
  ev.time = time
  ev.level = level(m[2])
  ev.msg = m[3]
}

/** zap's console encoder: `<time>\t<level>\t<message>[\t<extra>]\t{context}`; runs of spaces where tabs were lost. */
function consoleLine(ev: LogEvent, s: string): boolean {
  const m = CONSOLE_HEAD.exec(s)
  if (!m) return false
  ev.format = 'console'
  ev.timeText = m[1]
  ev.time = parseIso(m[1])
  ev.level = level(m[2])
  let rest = s.slice(m[0].length)
  let context: string | undefined
  if (rest.endsWith('}')) {
    let at = rest.indexOf('\t{')
    if (at === -1) at = rest.indexOf('  {')
    if (at !== -1) {
      context = rest.slice(at).trimStart()
      rest = rest.slice(0, at)
    } else if (rest.startsWith('{')) {
      context = rest
      rest = ''
    }
  }
  // A tab-separated value between the message and the context (an old console field) is not part of the message.
  const tab = rest.indexOf('\t')
  ev.msg = (tab === -1 ? rest : rest.slice(0, tab)).trimEnd()
  if (context !== undefined) {
    const parsed = parseJsonBounded(context, {maxDepth: MAX_JSON_DEPTH})
    if (parsed.ok && parsed.value !== null && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
      const fields: Record<string, string> = {}
      for (const [k, v] of Object.entries(parsed.value as Record<string, unknown>)) if (v !== null && v !== undefined) fields[k] = stringify(v)
      ev.fields = fields
      if (fields.log_id) ev.logId = fields.log_id
      if (fields.service) ev.service = fields.service
    } else if (!parsed.ok && parsed.reason.includes('nests deeper')) {
      ev.problem = `a JSON context nested deeper than ${MAX_JSON_DEPTH} levels`
    }
  }
  return true
}

/** A raw HTTP answer: `500 {"error":"partial write"}`, `HTTP/1.1 503 Service Unavailable`. */
function httpStatus(ev: LogEvent, s: string): boolean {
  const m = HTTP_STATUS.exec(s)
  if (!m) return false
  ev.format = 'http-error'
  const status = Number(m[1])
  ev.fields = {status: m[1]}
  let message = m[2] ?? ''
  if (m[3]) {
    const body = parseJsonBounded(m[3], {maxDepth: MAX_JSON_DEPTH})
    if (body.ok && body.value !== null && typeof body.value === 'object' && typeof (body.value as {error?: unknown}).error === 'string') {
      message = (body.value as {error: string}).error
    } else if (!body.ok && body.reason.includes('nests deeper')) {
      ev.problem = `a JSON body nested deeper than ${MAX_JSON_DEPTH} levels`
      message = ''
    } else {
      message = m[3]
    }
  }
  ev.msg = message ? `${status} ${message}` : `${status}`
  return true
}
