/**
 * The wrappers platforms put around a log line, removed layer by layer before the line itself is read:
 *
 *   docker-json   {"log":"<line>\n","stream":"stderr","time":"2021-08-05T13:32:26.9Z"}   (docker's json-file driver)
 *   cri           2021-08-05T13:32:26.900345123Z stderr F <line>                        (containerd / CRI-O files)
 *   compose       influxdb-meta-0  | <line>, iml_influxdb.1.k1nh@host    | <line>        (docker compose, docker service logs)
 *   timestamp     2021-08-05T13:32:26.900345123Z <line>                                 (kubectl logs --timestamps, docker logs -t)
 *   rfc5424       <30>1 2022-03-01T10:00:00.1Z host influxd 123 - - <line>              (RFC 5424 syslog, with or without PRI)
 *   syslog        Mar  1 10:00:00 host influxd[123]: <line>, <30>Mar 1 ...              (BSD syslog, journalctl's default output)
 *   journald-iso  2022-03-01T10:00:00+0000 host influxd[123]: <line>                    (journalctl -o short-iso / short-precise)
 *   syslog-tag    influxd[123]: <line>                                                  (a syslog line pasted without its date and host)
 *   export-time   March 30th 2016, 09:12:47.262<TAB><line>                              (a log viewer's export)
 *   name-tag      <influxdb> <line>                                                     (balena and similar viewers)
 *
 * Layers can stack (compose around a --timestamps line around a legacy line; syslog around compose): `unwrap` removes
 * up to MAX_LAYERS of them. The outer time, host and process are kept for the line when it has none of its own.
 *
 * Written by hand: no library parses this mix, and each check looks at fixed positions first, so a line without a
 * wrapper (the bulk of a log) costs a character comparison or two. Every scan is linear in the line's length.
 */
import {parseJsonBounded} from '../util/json.js'
import {parseIso, parseSyslog, type Zone, UTC} from './time.js'

export const MAX_LAYERS = 6

export interface Unwrapped {
  body: string
  layers: string[]
  time?: number
  timeText?: string
  host?: string
  process?: string
  pid?: number
  container?: string
}

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])
const HCLOG_LEVEL = /^\[(?:TRACE|DEBUG|INFO|WARN|WARNING|ERR|ERROR)\]/
// zap's console encoder: a level after the time, then a tab or (pasted) a run of spaces.
const CONSOLE_LEVEL = /^ *(?:debug|info|warn|error|dpanic|panic|fatal)(?:\t| {2})/

const isDigit = (c: number) => c >= 48 && c <= 57

function hasLetter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 32
    if (c >= 97 && c <= 122) return true
  }
  return false
}

/** Length of an RFC 3339 timestamp at the start of `s` (2021-08-05T13:32:26[.123456789](Z|+01:00|+0100)), or 0. */
export function isoLength(s: string, from = 0): number {
  const i = from
  if (!(isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1)) && isDigit(s.charCodeAt(i + 2)) && isDigit(s.charCodeAt(i + 3)))) return 0
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45 || s.charCodeAt(i + 10) !== 84 /* T */) return 0
  if (s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return 0
  let j = i + 19
  if (s.charCodeAt(j) === 46 /* . */) {
    j++
    while (isDigit(s.charCodeAt(j))) j++
  }
  const z = s.charCodeAt(j)
  if (z === 90 /* Z */) return j + 1 - i
  if (z === 43 || z === 45) {
    if (!(isDigit(s.charCodeAt(j + 1)) && isDigit(s.charCodeAt(j + 2)))) return 0
    j += 3
    if (s.charCodeAt(j) === 58) j++
    if (!(isDigit(s.charCodeAt(j)) && isDigit(s.charCodeAt(j + 1)))) return 0
    return j + 2 - i
  }
  return 0
}

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45 || c === 64
}

/** `name   | rest` (docker compose, docker service logs): the length of the prefix, or 0. */
function composePrefix(s: string): number {
  let i = 0
  const n = s.length
  while (i < n && i < 256 && isNameChar(s.charCodeAt(i))) i++
  if (i === 0 || i >= n || s.charCodeAt(i) !== 32) return 0
  let j = i
  while (j < n && s.charCodeAt(j) === 32) j++
  if (s.charCodeAt(j) !== 124 /* | */) return 0
  const after = s.charCodeAt(j + 1)
  if (j + 1 < n && after !== 32) return 0
  return j + 1 < n ? j + 2 : j + 1
}

/** docker's json-file line: the inner log line and its time, or undefined. */
function dockerJson(s: string): {body: string; time?: number; timeText?: string} | undefined {
  if (!s.startsWith('{"log":"') && !s.startsWith('{"stream":')) return undefined
  const p = parseJsonBounded(s, {maxDepth: 4})
  if (!p.ok || p.value === null || typeof p.value !== 'object') return undefined
  const o = p.value as Record<string, unknown>
  if (typeof o.log !== 'string') return undefined
  let body = o.log
  if (body.endsWith('\n')) body = body.slice(0, -1)
  if (body.endsWith('\r')) body = body.slice(0, -1)
  const timeText = typeof o.time === 'string' ? o.time : undefined
  return {body, timeText, time: timeText === undefined ? undefined : parseIso(timeText)}
}

/** `<pri>1 TIMESTAMP HOST APP PROCID MSGID SD MSG` (RFC 5424); the PRI may be missing when a collector dropped it. */
function rfc5424(s: string): {body: string; time?: number; timeText: string; host: string; process: string; pid?: number} | undefined {
  let i = 0
  if (s.charCodeAt(0) === 60 /* < */) {
    i = 1
    while (i < 5 && isDigit(s.charCodeAt(i))) i++
    if (i === 1 || s.charCodeAt(i) !== 62) return undefined
    i++
  }
  if (!(isDigit(s.charCodeAt(i)) && s.charCodeAt(i + 1) === 32)) return undefined
  i += 2
  const tokens: string[] = []
  for (let k = 0; k < 5; k++) {
    const sp = s.indexOf(' ', i)
    if (sp === -1) return undefined
    tokens.push(s.slice(i, sp))
    i = sp + 1
  }
  const [timeText, host, app, procid] = tokens
  if (timeText !== '-' && isoLength(timeText) !== timeText.length) return undefined
  // Structured data: "-" or one or more [id key="value"...] elements; "\]" and "\"" escape inside values.
  if (s.charCodeAt(i) === 45 /* - */) i += 1
  else if (s.charCodeAt(i) === 91 /* [ */) {
    while (s.charCodeAt(i) === 91) {
      let inValue = false
      i++
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c === 92) {
          i++
          continue
        }
        if (c === 34) inValue = !inValue
        else if (c === 93 && !inValue) break
      }
      if (i >= s.length) return undefined
      i++
    }
  } else return undefined
  if (i < s.length && s.charCodeAt(i) === 32) i++
  let body = s.slice(i)
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1) // the BOM RFC 5424 allows before a UTF-8 message
  return {
    body, timeText, time: timeText === '-' ? undefined : parseIso(timeText), host, process: app,
    pid: /^\d{1,10}$/.test(procid) ? Number(procid) : undefined,
  }
}

/** `proc[pid]: ` or `proc: ` after a syslog header; returns [process, pid, length]. */
function syslogTag(s: string, from: number, requirePid: boolean): [string, number | undefined, number] | undefined {
  let i = from
  const n = s.length
  const start = i
  while (i < n && i - start < 128) {
    const c = s.charCodeAt(i)
    if (c === 91 /* [ */ || c === 58 /* : */ || c === 32) break
    i++
  }
  if (i === start) return undefined
  const proc = s.slice(start, i)
  let pid: number | undefined
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i)
    if (close === -1 || close - i > 12) return undefined
    const digits = s.slice(i + 1, close)
    if (!/^\d{1,10}$/.test(digits)) return undefined
    pid = Number(digits)
    i = close + 1
  } else if (requirePid) return undefined
  if (s.charCodeAt(i) !== 58) return undefined
  i++
  // A tag ends with `: ` (or the end of the line): `host:8086` or a time's `13:32` is not a tag.
  if (i < s.length && s.charCodeAt(i) !== 32) return undefined
  if (i < s.length) i++
  if (!hasLetter(proc)) return undefined
  return [proc, pid, i - from]
}

/** BSD syslog / journald: `[<pri>]Mon dd hh:mm:ss[.ffffff] host proc[pid]: `. */
function bsdSyslog(s: string, now: number | undefined, zone: Zone): Omit<Unwrapped, 'layers'> | undefined {
  let i = 0
  if (s.charCodeAt(0) === 60) {
    i = 1
    while (i < 5 && isDigit(s.charCodeAt(i))) i++
    if (i === 1 || s.charCodeAt(i) !== 62) return undefined
    i++
  }
  const month = s.slice(i, i + 3)
  if (!MONTHS.has(month) || s.charCodeAt(i + 3) !== 32) return undefined
  i += 4
  if (s.charCodeAt(i) === 32) i++
  const dayStart = i
  while (isDigit(s.charCodeAt(i)) && i - dayStart < 2) i++
  if (i === dayStart || s.charCodeAt(i) !== 32) return undefined
  const day = s.slice(dayStart, i)
  i++
  if (!(isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1)) && s.charCodeAt(i + 2) === 58 && isDigit(s.charCodeAt(i + 3)) &&
    isDigit(s.charCodeAt(i + 4)) && s.charCodeAt(i + 5) === 58 && isDigit(s.charCodeAt(i + 6)) && isDigit(s.charCodeAt(i + 7)))) return undefined
  const hms = s.slice(i, i + 8)
  i += 8
  if (s.charCodeAt(i) === 46) {
    i++
    while (isDigit(s.charCodeAt(i))) i++
  }
  if (s.charCodeAt(i) !== 32) return undefined
  i++
  const hostEnd = s.indexOf(' ', i)
  if (hostEnd === -1 || hostEnd - i > 255) return undefined
  const host = s.slice(i, hostEnd)
  const tag = syslogTag(s, hostEnd + 1, false)
  if (tag === undefined) return undefined
  const [proc, pid, len] = tag
  const timeText = `${month} ${day} ${hms}`
  return {body: s.slice(hostEnd + 1 + len), host, process: proc, pid, timeText, time: parseSyslog(month, day, hms, now, zone)}
}

/** journalctl -o short-iso: `2022-03-01T10:00:00+0000 host proc[pid]: `. */
function journaldIso(s: string, isoLen: number): Omit<Unwrapped, 'layers'> | undefined {
  if (s.charCodeAt(isoLen) !== 32) return undefined
  const hostEnd = s.indexOf(' ', isoLen + 1)
  if (hostEnd === -1 || hostEnd - isoLen > 256) return undefined
  const host = s.slice(isoLen + 1, hostEnd)
  if (host.includes('=') || host.charCodeAt(0) === 91) return undefined
  const tag = syslogTag(s, hostEnd + 1, false)
  if (tag === undefined) return undefined
  const [proc, pid, len] = tag
  const timeText = s.slice(0, isoLen)
  return {body: s.slice(hostEnd + 1 + len), host, process: proc, pid, timeText, time: parseIso(timeText)}
}

// balenaCloud and similar log viewers: `<service-name> line`.
const NAME_TAG = /^<([A-Za-z][\w.-]{0,63})> /
const EXPORT_TIME = /^[A-Z][a-z]{2,8} \d{1,2}(?:st|nd|rd|th), \d{4}, \d\d:\d\d:\d\d(?:\.\d{1,9})?\t/

/**
 * Removes the wrappers around a line (see the file header). `now` gives a year to syslog stamps that have none;
 * `zone` is the zone of stamps that carry none.
 */
const NO_LAYERS: string[] = []

export function unwrap(line: string, now?: number, zone: Zone = UTC): Unwrapped {
  // The bulk of a log is bare lines: `[service] ...` and logfmt `ts=`/`lvl=` never start a wrapper.
  const c0 = line.charCodeAt(0)
  if (c0 === 91 /* [ */ || (c0 === 116 /* t */ && line.startsWith('ts=')) || (c0 === 108 /* l */ && line.startsWith('lvl='))) {
    return {body: line, layers: NO_LAYERS}
  }
  let s = line
  const out: Unwrapped = {body: s, layers: []}
  const outer = (time: number | undefined, timeText: string | undefined) => {
    // The innermost wrapper time is the most precise one the line has; the line's own time still wins later.
    if (time !== undefined) {
      out.time = time
      out.timeText = timeText
    }
  }
  for (let depth = 0; depth < MAX_LAYERS; depth++) {
    const c = s.charCodeAt(0)
    let next: string | undefined
    if (c === 123 /* { */) {
      const d = dockerJson(s)
      if (d) {
        out.layers.push('docker-json')
        outer(d.time, d.timeText)
        next = d.body
      }
    } else if (isDigit(c)) {
      const iso = isoLength(s)
      if (iso > 0 && s.charCodeAt(iso) === 32) {
        const rest = s.slice(iso + 1)
        const cri = /^(?:stdout|stderr) [FP] /.exec(rest)
        const j = cri ? undefined : journaldIso(s, iso)
        if (cri) {
          out.layers.push('cri')
          outer(parseIso(s.slice(0, iso)), s.slice(0, iso))
          next = rest.slice(cri[0].length)
        } else if (j) {
          out.layers.push('journald-iso')
          outer(j.time, j.timeText)
          out.host ??= j.host
          out.process ??= j.process
          out.pid ??= j.pid
          next = j.body
        } else if (rest.length > 0 && !HCLOG_LEVEL.test(rest) && !CONSOLE_LEVEL.test(rest)) {
          out.layers.push('timestamp')
          outer(parseIso(s.slice(0, iso)), s.slice(0, iso))
          next = rest
        }
      } else if (iso === 0) {
        const r = rfc5424(s)
        if (r) {
          out.layers.push('rfc5424')
          outer(r.time, r.timeText)
          out.host ??= r.host
          out.process ??= r.process
          out.pid ??= r.pid
          next = r.body
        }
      }
    } else if (c === 60 /* < */) {
      const r = rfc5424(s)
      const b = r ? undefined : bsdSyslog(s, now, zone)
      if (r) {
        out.layers.push('rfc5424')
        outer(r.time, r.timeText)
        out.host ??= r.host
        out.process ??= r.process
        out.pid ??= r.pid
        next = r.body
      } else if (b) {
        out.layers.push('syslog')
        outer(b.time, b.timeText)
        out.host ??= b.host
        out.process ??= b.process
        out.pid ??= b.pid
        next = b.body
      } else {
        const tag = NAME_TAG.exec(s)
        if (tag) {
          out.layers.push('name-tag')
          out.container ??= tag[1]
          next = s.slice(tag[0].length)
        }
      }
    } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
      const b = c >= 65 && c <= 90 ? bsdSyslog(s, now, zone) : undefined
      if (b) {
        out.layers.push('syslog')
        outer(b.time, b.timeText)
        out.host ??= b.host
        out.process ??= b.process
        out.pid ??= b.pid
        next = b.body
      } else {
        const p = composePrefix(s)
        if (p > 0) {
          out.layers.push('compose')
          out.container ??= s.slice(0, s.indexOf(' '))
          next = s.slice(p)
        } else if (EXPORT_TIME.test(s)) {
          out.layers.push('export-time')
          next = s.slice(s.indexOf('\t') + 1)
        } else if (depth === 0) {
          // A syslog line pasted without its date and host: `influxd[123]: [httpd] ...`.
          const tag = syslogTag(s, 0, true)
          if (tag) {
            out.layers.push('syslog-tag')
            out.process ??= tag[0]
            out.pid ??= tag[1]
            next = s.slice(tag[2])
          }
        }
      }
    }
    if (next === undefined) break
    // Leading spaces of the inner line are padding (compose, journald), never meaning.
    s = next.trimStart()
  }
  out.body = s
  return out
}
