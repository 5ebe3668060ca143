/**
 * Fast timestamp parsing for the formats InfluxDB writes. Date.parse is slow and lenient; these parse fixed layouts
 * digit by digit and cache the last whole second, since consecutive lines usually share it.
 */

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
}

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48
  const b = s.charCodeAt(i + 1) - 48
  if (a < 0 || a > 9 || b < 0 || b > 9) return Number.NaN
  return a * 10 + b
}

function d4(s: string, i: number): number {
  return d2(s, i) * 100 + d2(s, i + 2)
}

let cacheKey = ''
let cacheValue = 0

/** Milliseconds for `YYYY?MM?DD?HH:MM:SS` starting at 0 (any separators), as UTC. */
function secondOf(s: string): number {
  const key = s.slice(0, 19)
  if (key === cacheKey) return cacheValue
  const v = Date.UTC(d4(s, 0), d2(s, 5) - 1, d2(s, 8), d2(s, 11), d2(s, 14), d2(s, 17))
  cacheKey = key
  cacheValue = v
  return v
}

/** RFC 3339 / ISO 8601 with optional fraction and zone: 2018-02-21T20:16:16.709953Z, 2026-11-21T10:00:00+01:00. */
export function parseIso(s: string): number | undefined {
  if (s.length < 19 || s.charCodeAt(4) !== 45 /* - */) return undefined
  let t = secondOf(s)
  if (Number.isNaN(t)) return undefined
  let i = 19
  if (s.charCodeAt(i) === 46 /* . */) {
    let frac = 0
    let scale = 100
    i++
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48
      if (c < 0 || c > 9) break
      frac += c * scale
      scale /= 10
      i++
    }
    t += Math.floor(frac)
  }
  if (i < s.length) {
    const z = s[i]
    if (z === '+' || z === '-') {
      const hh = d2(s, i + 1)
      const mm = s[i + 3] === ':' ? d2(s, i + 4) : d2(s, i + 3)
      if (!Number.isNaN(hh) && !Number.isNaN(mm)) t -= (z === '+' ? 1 : -1) * (hh * 60 + mm) * 60_000
    }
  }
  return t
}

/**
 * The zone a time without one is read in: Go's log.LstdFlags (`[svc] 2016/10/18 10:35:21`), hashicorp/raft's old
 * lines and BSD syslog stamps are server-local time. medic reads them as UTC unless told otherwise (`--tz`).
 */
export interface Zone {
  /** As given: UTC, local, Europe/Berlin, +02:00. */
  name: string
  /** Offset of the zone at a UTC instant, in minutes east of UTC. */
  offsetAt(utcMs: number): number
}

export const UTC: Zone = {name: 'UTC', offsetAt: () => 0}

/**
 * The suggestions of a usage error for a --tz that is not a zone: the command again with --tz UTC, ready to paste
 * (`command` is the rest of the command line, values quoted; undefined when it cannot be given), and the valid zones,
 * as a list in words (no flag in it, so it cannot be taken for half a command).
 */
export function badZoneSuggestions(command: string | undefined): string[] {
  return [
    ...(command === undefined ? [] : [`${command} --tz UTC`]),
    'valid time zones: UTC, local, an IANA name such as Europe/Berlin, an offset such as +02:00 or -0530',
  ]
}

/** A zone from a user's --tz: UTC, Z, local, an IANA name (Europe/Berlin) or a fixed offset (+02:00, -0530). */
export function parseZone(input: string): Zone | undefined {
  const s = input.trim()
  if (/^(?:utc|z|gmt)$/i.test(s)) return UTC
  const fixed = /^([+-])(\d\d):?(\d\d)$/.exec(s)
  if (fixed) {
    const minutes = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]))
    if (Math.abs(minutes) > 14 * 60) return undefined
    return {name: s, offsetAt: () => minutes}
  }
  let name = s
  if (s.toLowerCase() === 'local') name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC'
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    })
  } catch {
    return undefined
  }
  const cache = new Map<number, number>()
  return {
    name: s.toLowerCase() === 'local' ? `local (${name})` : name,
    offsetAt(utcMs: number): number {
      const hour = Math.floor(utcMs / 3_600_000)
      const known = cache.get(hour)
      if (known !== undefined) return known
      const p: Record<string, number> = {}
      for (const part of format.formatToParts(new Date(hour * 3_600_000))) if (part.type !== 'literal') p[part.type] = Number(part.value)
      const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
      const offset = Math.round((asUtc - hour * 3_600_000) / 60_000)
      if (cache.size > 10_000) cache.clear()
      cache.set(hour, offset)
      return offset
    },
  }
}

/** Wall-clock milliseconds (the digits read as if UTC) of a zone, as a real UTC instant. */
export function wallToUtc(wallMs: number, zone: Zone): number {
  if (zone === UTC) return wallMs
  const first = wallMs - zone.offsetAt(wallMs) * 60_000
  const second = wallMs - zone.offsetAt(first) * 60_000
  return second
}

/** Go log.LstdFlags: 2016/10/18 10:35:21 (server local time: read in `zone`, UTC by default). */
export function parseLegacy(s: string, zone: Zone = UTC): number | undefined {
  const t = secondOf(s)
  return Number.isNaN(t) ? undefined : wallToUtc(t, zone)
}

let clfKey = ''
let clfValue: number | undefined

/** Common Log Format: 19/Sep/2016:09:08:53 +0000 (cached: consecutive access-log lines share their second). */
export function parseClf(s: string): number | undefined {
  if (s === clfKey) return clfValue
  clfValue = clfUncached(s)
  clfKey = s
  return clfValue
}

function clfUncached(s: string): number | undefined {
  const day = d2(s, 0)
  const month = MONTHS[s.slice(3, 6)]
  const year = d4(s, 7)
  if (month === undefined || Number.isNaN(day) || Number.isNaN(year)) return undefined
  let t = Date.UTC(year, month, day, d2(s, 12), d2(s, 15), d2(s, 18))
  const z = s[21]
  if (z === '+' || z === '-') t -= (z === '+' ? 1 : -1) * (d2(s, 22) * 60 + d2(s, 24)) * 60_000
  return Number.isNaN(t) ? undefined : t
}

/**
 * Syslog / journald short time: "Nov 21 10:00:00". It has no year: the year is the one that puts the time
 * not more than a day in the future of `now`.
 */
let syslogKey = ''
let syslogValue: number | undefined
let yearNow = 0
let yearOf = 0

export function parseSyslog(month: string, day: string, hms: string, now = Date.now(), zone: Zone = UTC): number | undefined {
  const key = month + day + hms
  // Cached per second; `now` moves by less than a day while one input is read, which cannot change the year chosen.
  if (key !== syslogKey || Math.abs(now - yearNow) >= 3_600_000) {
    syslogKey = key
    syslogValue = syslogUncached(month, day, hms, now)
  }
  return syslogValue === undefined ? undefined : wallToUtc(syslogValue, zone)
}

function syslogUncached(month: string, day: string, hms: string, now: number): number | undefined {
  const m = MONTHS[month]
  if (m === undefined) return undefined
  if (Math.abs(now - yearNow) >= 3_600_000) {
    yearNow = now
    yearOf = new Date(now).getUTCFullYear()
  }
  const year = yearOf
  const make = (y: number) => Date.UTC(y, m, Number(day), d2(hms, 0), d2(hms, 3), d2(hms, 6))
  let t = make(year)
  if (t > now + 86_400_000) t = make(year - 1)
  return Number.isNaN(t) ? undefined : t
}

/** Parses a user's --since/--until: RFC 3339, a date, or a relative "2h" / "30m" / "7d" before now. */
export function parseTimeBound(s: string, now = Date.now()): number | undefined {
  const rel = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(s.trim())
  if (rel) {
    const unit = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}[rel[2] as 's']
    return now - Number(rel[1]) * unit
  }
  if (/^\d{4}-\d\d-\d\d$/.test(s)) return Date.parse(s + 'T00:00:00Z')
  if (/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s)) return Date.parse(s.replace(' ', 'T') + 'Z')
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}
