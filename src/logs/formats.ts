/**
 * Recognises the log formats InfluxDB Enterprise 1.x nodes, their HTTP APIs and influxd-ctl write, and unwraps a line
 * into a LogEvent: time, level, service, message and structured fields. Written by hand (no library parses this mix of
 * Go log, zap logfmt/JSON/console, two access-log dialects and syslog prefixes); each branch is chosen from the first
 * characters of the line so that the common case costs one or two regular expressions.
 */
import {goDurationMs} from '../util/duration.js'
import {parseClf, parseIso, parseLegacy, parseSyslog} from './time.js'

/** Log text is decoded as latin1 on the summariser's fast path, where µs reads as Âµs. */
const LATIN1 = {latin1: true}
import type {HttpRequestInfo, LogEvent} from './types.js'

/** Lines longer than this are cut before parsing: a 10 MB line must not cost 10 MB of regex work. */
export const MAX_LINE_CHARS = 64 * 1024

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>

const LEGACY = /^\[([\w.-]+)\] (\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) (.*)$/s
const LEGACY_LEVEL = /^\[([DIWEF])\] (\d{4}-\d\d-\d\dT\S+) (.*)$/s
const RAFT_LEVEL = /^\[(DEBUG|INFO|WARN|ERR|ERROR|TRACE)\] (.*)$/s
const RAFT_BARE = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) \[(DEBUG|INFO|WARN|ERR|ERROR|TRACE)\] (.*)$/s
// hashicorp/raft 1.1.2+ (hclog): 2021-03-04T05:06:07.123Z [WARN]  raft: heartbeat timeout reached: ...
const HCLOG = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)) \[(TRACE|DEBUG|INFO|WARN|ERROR|ERR)\]\s+(.*)$/s
const RAFT_FORMS: Array<[RegExp, (t: string) => number | undefined]> = [[RAFT_BARE, parseLegacy], [HCLOG, parseIso]]
// A Go log line with no prefix: 2017/08/02 14:11:05 http: TLS handshake error from ...
const GO_BARE = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d)(?:\.\d+)? (.*)$/s
const CONSOLE = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d))\t(\w+)\t([^\t]*)(?:\t(\{.*\}))?$/s
const SYSLOG = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: ?(.*)$/s
const SYSLOG_ISO = /^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: ?(.*)$/s
// meta-http: 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /lease?... HTTP/1.1 409 105 - InfluxDB Meta Client <uuid> 380.542µs
const META_ACCESS = /^(\S+) - (\S+) \[([^\]]+)\] ([A-Z]+) (\S+) (HTTP\/[\d.]+) (\d{3}) (\d+|-) (\S+) (.*) (\S+) (\S+)$/s
// httpd: 127.0.0.1 - - [01/Mar/2017:20:49:45 +0000] "POST /query?... HTTP/1.1" 200 151 "-" "InfluxDBShell/1.3.x" <uuid> 1709
const HTTP_ACCESS = /^(\S+) - (\S+) \[([^\]]+)\] "([A-Z]+) (\S+) (HTTP\/[\d.]+)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)" (\S+) (\d+)$/s
// 500 {"error":"partial write"} / HTTP/1.1 500 Internal Server Error {"error":...} / < HTTP/1.1 503 Service Unavailable
const HTTP_STATUS = /^(?:< )?(?:HTTP\/[\d.]+ )?([1-5]\d\d)(?: ([A-Z][A-Za-z' -]*[A-Za-z]))?(?::? *(\{.*\}))?$/s
const CTL = /^([a-z][a-z-]*): operation (exited|timed out) with error:\s*(.*)$/s

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
  ev.msg = f.msg ?? ''
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

function fromJson(ev: LogEvent, body: string): LogEvent | undefined {
  let obj: unknown
  try {
    obj = JSON.parse(body)
  } catch {
    return undefined
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined
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
    return ev
  }
  if (typeof o.error === 'string') {
    // An HTTP error body on its own: {"error":"partial write"}.
    ev.format = 'http-error'
    ev.msg = o.error
    return ev
  }
  return undefined
}

function httpMessage(h: HttpRequestInfo): string {
  return `HTTP ${h.status} ${h.method} ${h.uri}`
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

function accessLog(ev: LogEvent, body: string, side: 'meta' | 'data' | undefined): boolean {
  if (quotedAccess(ev, body, side)) return true
  let m = HTTP_ACCESS.exec(body)
  if (m) {
    ev.format = 'http-access'
    ev.http = {
      client: m[1], user: m[2] === '-' ? undefined : m[2], method: m[4], uri: m[5], proto: m[6], status: Number(m[7]),
      bytes: m[8] === '-' ? undefined : Number(m[8]), userAgent: m[10], requestId: m[11], durationMs: Number(m[12]) / 1000,
    }
    if (ev.time === undefined) {
      ev.timeText = m[3]
      ev.time = parseClf(m[3])
    }
    ev.service ??= side === 'meta' ? 'meta-http' : 'httpd'
    ev.msg = httpMessage(ev.http)
    return true
  }
  m = META_ACCESS.exec(body)
  if (m) {
    const duration = goDurationMs(m[12], LATIN1)
    ev.format = 'meta-access'
    ev.http = {
      client: m[1], user: m[2] === '-' ? undefined : m[2], method: m[4], uri: m[5], proto: m[6], status: Number(m[7]),
      bytes: m[8] === '-' ? undefined : Number(m[8]), userAgent: m[10], requestId: m[11], durationMs: duration,
    }
    if (ev.time === undefined) {
      ev.timeText = m[3]
      ev.time = parseClf(m[3])
    }
    ev.service ??= side === 'data' ? 'httpd' : 'meta-http'
    ev.msg = httpMessage(ev.http)
    return true
  }
  return false
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
  if (svc === 'httpd' || svc === 'meta-http' || svc === 'http') {
    accessLog(ev, body, svc === 'httpd' ? 'data' : 'meta')
  }
}

/**
 * Parses one line. Never throws. `binary` says the line holds latin1-decoded bytes (see strings.ts), which only
 * changes how binary junk is recognised.
 */
export function parseLine(input: string, now?: number, binary = false): LogEvent {
  const {text, truncated} = sanitise(input)
  const ev: LogEvent = {raw: text, format: 'plain', msg: text, fields: EMPTY}
  if (truncated) ev.truncated = true
  parseInto(ev, text.trimStart(), now, 0, binary)
  return ev
}

function parseInto(ev: LogEvent, s: string, now: number | undefined, depth = 0, binary = false): void {
  const c = s.charCodeAt(0)
  if (c === 91 /* [ */) {
    // Fast path for "[service] YYYY/MM/DD HH:MM:SS message", the bulk of a 1.x log: check the layout by position.
    const close = s.indexOf('] ')
    if (close > 1 && close < 48) {
      const d = close + 2
      if (
        s.charCodeAt(d + 4) === 47 && s.charCodeAt(d + 7) === 47 && s.charCodeAt(d + 10) === 32 &&
        s.charCodeAt(d + 13) === 58 && s.charCodeAt(d + 16) === 58 && s.charCodeAt(d + 19) === 32 && !s.slice(1, close).includes(' ')
      ) {
        const timeText = s.slice(d, d + 19)
        const time = parseLegacy(timeText)
        if (time !== undefined) {
          ev.format = 'legacy'
          ev.service = s.slice(1, close)
          ev.timeText = timeText
          ev.time = time
          legacyBody(ev, s.slice(d + 20))
          return
        }
      }
      if (close > 2) {
        const svc = s.slice(1, close)
        const side = svc === 'httpd' ? 'data' : svc === 'meta-http' ? 'meta' : undefined
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
      ev.time = parseLegacy(m[2])
      legacyBody(ev, m[3])
      return
    }
    m = LEGACY_LEVEL.exec(s)
    if (m) {
      ev.format = 'legacy-level'
      ev.level = level(m[1])
      ev.timeText = m[2]
      ev.time = parseIso(m[2])
      let body = m[3]
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
      return
    }
  } else if (c === 116 /* t */ && s.startsWith('ts=')) {
    fromLogfmt(ev, s)
    return
  } else if (c === 123 /* { */) {
    if (fromJson(ev, s)) return
  } else if (c >= 48 && c <= 57) {
    // Digits: console format, bare raft lines, syslog ISO, access logs, HTTP status lines.
    let m = CONSOLE.exec(s)
    if (m) {
      ev.format = 'console'
      ev.timeText = m[1]
      ev.time = parseIso(m[1])
      ev.level = level(m[2])
      ev.msg = m[3]
      if (m[4]) {
        try {
          const ctx = JSON.parse(m[4]) as Record<string, unknown>
          const fields: Record<string, string> = {}
          for (const [k, v] of Object.entries(ctx)) fields[k] = stringify(v)
          ev.fields = fields
          if (fields.log_id) ev.logId = fields.log_id
          if (fields.service) ev.service = fields.service
        } catch {
          // a console line whose context is not JSON: keep the message
        }
      }
      return
    }
    // hashicorp/raft's own lines: the old library with a Go log timestamp, hclog (1.1.2+) with RFC 3339.
    for (const [re, parseTime] of RAFT_FORMS) {
      m = re.exec(s)
      if (m) {
        ev.format = 'raft'
        ev.timeText = m[1]
        ev.time = parseTime(m[1])
        ev.level = level(m[2])
        ev.msg = m[3]
        return
      }
    }
    m = GO_BARE.exec(s)
    if (m) {
      ev.format = 'legacy'
      ev.timeText = m[1]
      ev.time = parseLegacy(m[1])
      legacyBody(ev, m[2])
      return
    }
    if (depth === 0) {
      m = SYSLOG_ISO.exec(s)
      if (m && /[a-z]/i.test(m[3])) {
        syslog(ev, m[5], m[2], m[3], m[4], parseIso(m[1]), m[1], now, depth)
        return
      }
    }
    if (accessLog(ev, s, undefined)) return
    if (httpStatus(ev, s)) return
  } else if ((c === 72 /* H */ || c === 60 /* < */) && httpStatus(ev, s)) {
    return
  } else if (depth === 0 && c >= 60 && c <= 90 /* < or A-Z */) {
    const m = SYSLOG.exec(s)
    if (m) {
      syslog(ev, m[7], m[4], m[5], m[6], parseSyslog(m[1], m[2], m[3], now), `${m[1]} ${m[2]} ${m[3]}`, now, depth)
      return
    }
  }
  if (depth === 0 && looksBinary(s, binary)) {
    ev.format = 'binary'
    ev.msg = ''
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
  if (depth === 0 && accessLog(ev, s, undefined)) return
  ev.msg = s
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
    try {
      const body = JSON.parse(m[3]) as {error?: unknown}
      message = typeof body.error === 'string' ? body.error : m[3]
    } catch {
      message = m[3]
    }
  }
  ev.msg = message ? `${status} ${message}` : `${status}`
  return true
}

function syslog(
  ev: LogEvent, body: string, host: string, proc: string, pid: string | undefined, time: number | undefined,
  timeText: string, now: number | undefined, depth: number,
): void {
  ev.wrapper = 'syslog'
  ev.host = host
  ev.process = proc
  if (pid) ev.pid = Number(pid)
  parseInto(ev, body, now, depth + 1)
  // The inner line's own timestamp is more precise (and has a year); fall back to the wrapper's.
  if (ev.time === undefined) {
    ev.time = time
    ev.timeText = timeText
  }
  if (ev.format === 'plain') ev.msg = body
  if (ev.http && proc === 'influxd-meta' && ev.service === 'httpd') ev.service = 'meta-http'
}
