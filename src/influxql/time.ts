/**
 * Time text the way influxd reads and writes it. Times are Unix nanoseconds (bigint): influxd's range is int64 ns,
 * and a time literal may lie beyond it before influxd refuses it with an overflow message.
 */

export const MIN_TIME = -(1n << 63n) + 2n
export const MAX_TIME = (1n << 63n) - 2n
const NS_PER_MS = 1_000_000n

function splitMs(ns: bigint): [number, bigint] {
  let ms = ns / NS_PER_MS
  let rem = ns % NS_PER_MS
  if (rem < 0n) {
    ms -= 1n
    rem += NS_PER_MS
  }
  return [Number(ms), rem]
}

function isoParts(ns: bigint): {date: string; nanos: bigint} {
  const [ms, rem] = splitMs(ns)
  const d = new Date(ms)
  const y = d.getUTCFullYear()
  const year = y < 0 ? '-' + String(-y).padStart(4, '0') : String(y).padStart(4, '0')
  const p2 = (n: number): string => String(n).padStart(2, '0')
  const date = `${year}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
  return {date, nanos: BigInt(d.getUTCMilliseconds()) * NS_PER_MS + rem}
}

/** Go's time.RFC3339Nano in UTC: fraction without trailing zeros, none at all for whole seconds. */
export function rfc3339Nano(ns: bigint): string {
  const {date, nanos} = isoParts(ns)
  if (nanos === 0n) return date + 'Z'
  return date + '.' + nanos.toString().padStart(9, '0').replace(/0+$/, '') + 'Z'
}

/** Go's time.RFC3339 in UTC (whole seconds). */
export function rfc3339(ns: bigint): string {
  return isoParts(ns).date + 'Z'
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}.+/s

/** influxd treats a string literal as a time when it looks like a date or a date and time. */
export function isTimeString(s: string): boolean {
  return DATE_TIME.test(s) || DATE_ONLY.test(s)
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil, exact for any proleptic Gregorian date.
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

class Cursor {
  constructor(public s: string, public i = 0) {}
  rest(): string {
    return this.s.slice(this.i)
  }
  /** Exactly n digits. */
  fixed(n: number): number | undefined {
    const t = this.s.slice(this.i, this.i + n)
    if (t.length !== n || !/^\d+$/.test(t)) return undefined
    this.i += n
    return Number(t)
  }
  /** One or two digits (Go's non-fixed getnum). */
  oneOrTwo(): number | undefined {
    const a = this.s.charCodeAt(this.i)
    if (!(a >= 48 && a <= 57)) return undefined
    const b = this.s.charCodeAt(this.i + 1)
    if (b >= 48 && b <= 57) {
      this.i += 2
      return (a - 48) * 10 + (b - 48)
    }
    this.i += 1
    return a - 48
  }
  lit(c: string): boolean {
    if (this.s.startsWith(c, this.i)) {
      this.i += c.length
      return true
    }
    return false
  }
  /** A layout space matches one or more spaces. */
  spaces(): boolean {
    if (this.s[this.i] !== ' ') return false
    while (this.s[this.i] === ' ') this.i++
    return true
  }
  /** Optional fraction: `.` or `,` then digits (any count; beyond nine are cut). */
  fraction(): bigint {
    const c = this.s[this.i]
    const n = this.s.charCodeAt(this.i + 1)
    if ((c !== '.' && c !== ',') || !(n >= 48 && n <= 57)) return 0n
    let j = this.i + 1
    while (j < this.s.length && this.s.charCodeAt(j) >= 48 && this.s.charCodeAt(j) <= 57) j++
    const digits = this.s.slice(this.i + 1, j).slice(0, 9).padEnd(9, '0')
    this.i = j
    return BigInt(digits)
  }
}

function assemble(y: number, mo: number, d: number, h: number, mi: number, sec: number, nanos: bigint, offsetSec: number): bigint | undefined {
  if (mo < 1 || mo > 12) return undefined
  const dim = mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1]
  if (d < 1 || d > dim || h > 23 || mi > 59 || sec > 59) return undefined
  const days = BigInt(daysFromCivil(y, mo, d))
  const secs = days * 86400n + BigInt(h * 3600 + mi * 60 + sec - offsetSec)
  return secs * 1_000_000_000n + nanos
}

function dateHead(c: Cursor): [number, number, number] | undefined {
  const y = c.fixed(4)
  if (y === undefined || !c.lit('-')) return undefined
  const mo = c.fixed(2)
  if (mo === undefined || !c.lit('-')) return undefined
  const d = c.fixed(2)
  if (d === undefined) return undefined
  return [y, mo, d]
}

/** Go layout "2006-01-02 15:04:05.999999" (the fraction is optional and may be longer). */
function parseSpaced(s: string): bigint | undefined {
  const c = new Cursor(s)
  const ymd = dateHead(c)
  if (ymd === undefined || !c.spaces()) return undefined
  const h = c.oneOrTwo()
  if (h === undefined || !c.lit(':')) return undefined
  const mi = c.fixed(2)
  if (mi === undefined || !c.lit(':')) return undefined
  const sec = c.fixed(2)
  if (sec === undefined) return undefined
  const nanos = c.fraction()
  if (c.rest() !== '') return undefined
  return assemble(ymd[0], ymd[1], ymd[2], h, mi, sec, nanos, 0)
}

/** Go layout RFC3339Nano "2006-01-02T15:04:05.999999999Z07:00". */
function parseRfc3339(s: string): bigint | undefined {
  const c = new Cursor(s)
  const ymd = dateHead(c)
  if (ymd === undefined || !c.lit('T')) return undefined
  const h = c.oneOrTwo()
  if (h === undefined || !c.lit(':')) return undefined
  const mi = c.fixed(2)
  if (mi === undefined || !c.lit(':')) return undefined
  const sec = c.fixed(2)
  if (sec === undefined) return undefined
  const nanos = c.fraction()
  let offset = 0
  if (!c.lit('Z')) {
    const sign = c.s[c.i]
    if (sign !== '+' && sign !== '-') return undefined
    c.i++
    const oh = c.fixed(2)
    if (oh === undefined || !c.lit(':')) return undefined
    const om = c.fixed(2)
    if (om === undefined || oh > 24 || om > 59) return undefined
    offset = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60)
  }
  if (c.rest() !== '') return undefined
  return assemble(ymd[0], ymd[1], ymd[2], h, mi, sec, nanos, offset)
}

/**
 * A time string as influxd's time literal parsing takes it (UTC): "2006-01-02", "2006-01-02 15:04:05[.fff]", or
 * RFC3339 with a fraction and a zone. undefined = influxd's "invalid timestamp string".
 */
export function parseTimeString(s: string): bigint | undefined {
  if (DATE_TIME.test(s)) return parseSpaced(s) ?? parseRfc3339(s)
  if (DATE_ONLY.test(s)) {
    const c = new Cursor(s)
    const ymd = dateHead(c)
    return ymd === undefined ? undefined : assemble(ymd[0], ymd[1], ymd[2], 0, 0, 0, 0n, 0)
  }
  return undefined
}
