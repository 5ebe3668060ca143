/**
 * The time stamps InfluxDB nodes write, in one place, so that every node process of the dev cluster prints time the
 * way its Enterprise counterpart does. Go durations are not here: they come from src/util/duration.ts (one parser and
 * one formatter for all of medic).
 *
 *   isoMicros     2026-11-22T01:02:03.123456Z   zap's logfmt and JSON encoders (1.5+); the clock has milliseconds
 *   rfc3339       2026-11-22T01:02:03Z          the `[I]` text lines of 1.2-1.4
 *   legacyStamp   2026/11/22 01:02:03           Go's log.LstdFlags, the `[svc]` lines of 1.0-1.1
 *   clfTime       22/Nov/2026:01:02:03 +0000    the Common Log Format time of the access logs
 *   rfc3339Nano   2026-11-22T01:02:03.123000000Z Go's time.RFC3339Nano as the meta API writes lease expirations
 *
 * All in UTC: Go's log package used local time, but medic reads zone-less stamps as UTC, so the dev cluster's lines in
 * every format line up with each other.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

function date(d: Date, sep: string): string {
  return `${d.getUTCFullYear()}${sep}${pad(d.getUTCMonth() + 1)}${sep}${pad(d.getUTCDate())}`
}

function clock(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** `2026-11-22T01:02:03.123456Z` (zap's microsecond layout; the clock only has milliseconds). */
export function isoMicros(ms: number): string {
  const d = new Date(ms)
  return `${date(d, '-')}T${clock(d)}.${pad(d.getUTCMilliseconds(), 3)}000Z`
}

/** `2026-11-22T01:02:03Z`: RFC 3339 to the second, as the `[I]` lines of 1.2-1.4 print it. */
export function rfc3339(ms: number): string {
  const d = new Date(ms)
  return `${date(d, '-')}T${clock(d)}Z`
}

/** `2026/11/22 01:02:03` (Go's log.LstdFlags, in UTC). */
export function legacyStamp(ms: number): string {
  const d = new Date(ms)
  return `${date(d, '/')} ${clock(d)}`
}

/** Common Log Format time in UTC: `19/Sep/2016:09:08:53 +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms)
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${clock(d)} +0000`
}

/** RFC 3339 in UTC with nanoseconds, the way Go prints time.RFC3339Nano for a millisecond clock (no zero trimming). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString() // 2026-11-22T01:02:03.123Z
  return `${iso.slice(0, 23)}000000Z`
}
