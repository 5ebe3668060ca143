/**
 * Go durations, in one place: parsing as Go's time.ParseDuration does (what influxd applies to every duration in its
 * config and what its log lines print), and formatting as time.Duration.String() does.
 *
 * The parser is a single left-to-right scan (no regular expressions, no re-slicing): its time is linear in the input,
 * whatever the input (a log line can end in 64,000 digits). Values are nanoseconds as a number; Go's own range is
 * int64 nanoseconds (about 292 years), and anything beyond it is refused as Go refuses it.
 */

export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string; suggestion?: string}

const NS = {ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9} as const
/** Go's unit table, plus the UTF-8 bytes of "µs" as they read when a log is decoded as latin1 (the summariser does). */
const UNITS: Record<string, number> = {ns: NS.ns, us: NS.us, 'µs': NS.us, 'μs': NS.us, ms: NS.ms, s: NS.s, m: NS.m, h: NS.h}
const LATIN1_MICRO = 'Âµs'
const MAX_NS = 9_223_372_036_854_775_807

const isDigit = (c: number) => c >= 48 && c <= 57
const DOT = 46

export interface ParseDurationOptions {
  /** Also accept "Âµs" (µs read through a latin1 decoder). For log lines only. */
  latin1?: boolean
}

/**
 * Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "-1m", "0". The value is in nanoseconds. A number without a unit
 * is refused (Go refuses it: "time: missing unit in duration"), and the refusal carries the nearest valid spelling.
 */
export function parseGoDuration(input: string, options: ParseDurationOptions = {}): Parsed<number> {
  const invalid = (): Parsed<number> => ({ok: false, reason: `invalid duration ${quoteGo(input)}`, suggestion: fixDuration(input)})
  let i = 0
  const n = input.length
  let sign = 1
  if (n > 0 && (input.charCodeAt(0) === 45 || input.charCodeAt(0) === 43)) {
    sign = input.charCodeAt(0) === 45 ? -1 : 1
    i = 1
  }
  if (n - i === 1 && input.charCodeAt(i) === 48) return {ok: true, value: 0}
  if (i === n) return invalid()
  let total = 0
  while (i < n) {
    const c0 = input.charCodeAt(i)
    if (!(c0 === DOT || isDigit(c0))) return invalid()
    // whole part
    let whole = 0
    const wholeStart = i
    while (i < n && isDigit(input.charCodeAt(i))) {
      whole = whole * 10 + (input.charCodeAt(i) - 48)
      if (whole > MAX_NS) return invalid() // Go stops at the int64 overflow too
      i++
    }
    const pre = i > wholeStart
    // fraction: digits past what a double can hold are read and ignored, as Go ignores them past int64
    let frac = 0
    let scale = 1
    let post = false
    if (i < n && input.charCodeAt(i) === DOT) {
      i++
      const fracStart = i
      while (i < n && isDigit(input.charCodeAt(i))) {
        if (scale < 1e18) {
          frac = frac * 10 + (input.charCodeAt(i) - 48)
          scale *= 10
        }
        i++
      }
      post = i > fracStart
    }
    if (!pre && !post) return invalid()
    // unit: everything up to the next digit or dot
    const unitStart = i
    while (i < n) {
      const c = input.charCodeAt(i)
      if (c === DOT || isDigit(c)) break
      i++
    }
    if (i === unitStart) {
      return {ok: false, reason: `missing unit in duration ${quoteGo(input)}`, suggestion: fixDuration(input)}
    }
    const unit = input.slice(unitStart, i)
    const factor = UNITS[unit] ?? (options.latin1 && unit === LATIN1_MICRO ? NS.us : undefined)
    if (factor === undefined) {
      return {ok: false, reason: `unknown unit ${quoteGo(unit)} in duration ${quoteGo(input)}`, suggestion: fixDuration(input)}
    }
    total += whole * factor + (frac * factor) / scale
    if (total > MAX_NS) return invalid()
  }
  return {ok: true, value: sign * total}
}

/** A Go duration in milliseconds, or undefined when it is not one (for log fields and timings). */
export function goDurationMs(input: string, options: ParseDurationOptions = {}): number | undefined {
  const p = parseGoDuration(input, options)
  return p.ok ? p.value / 1e6 : undefined
}

/** Go's %q of a short string, enough for error texts (long inputs are cut so an error stays one readable line). */
function quoteGo(s: string): string {
  const cut = s.length > 64 ? `${s.slice(0, 61)}...` : s
  return JSON.stringify(cut)
}

/** Units people write that Go does not know, and what to write instead. */
const UNIT_FIX: Record<string, {unit: string; factor: number}> = {
  u: {unit: 'us', factor: 1}, 'µ': {unit: 'us', factor: 1}, 'μ': {unit: 'us', factor: 1}, micro: {unit: 'us', factor: 1},
  sec: {unit: 's', factor: 1}, secs: {unit: 's', factor: 1}, second: {unit: 's', factor: 1}, seconds: {unit: 's', factor: 1},
  min: {unit: 'm', factor: 1}, mins: {unit: 'm', factor: 1}, minute: {unit: 'm', factor: 1}, minutes: {unit: 'm', factor: 1},
  hr: {unit: 'h', factor: 1}, hrs: {unit: 'h', factor: 1}, hour: {unit: 'h', factor: 1}, hours: {unit: 'h', factor: 1},
  d: {unit: 'h', factor: 24}, day: {unit: 'h', factor: 24}, days: {unit: 'h', factor: 24},
  w: {unit: 'h', factor: 168}, wk: {unit: 'h', factor: 168}, week: {unit: 'h', factor: 168}, weeks: {unit: 'h', factor: 168},
  msec: {unit: 'ms', factor: 1}, msecs: {unit: 'ms', factor: 1},
}

/**
 * The nearest valid spelling of a duration Go refuses, when there is an obvious one ("30" → "30s", "1d" → "24h",
 * "5 min" → "5m"). Short inputs only: a suggestion for a 10,000-character value would help nobody.
 */
export function fixDuration(input: string): string | undefined {
  if (input.length > 64) return undefined
  const s = input.trim().replaceAll(/\s+/g, '')
  if (/^\d+(?:\.\d+)?$/.test(s)) return `${s}s`
  let out = ''
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)([^\d.]*)/g)) {
    const [, num, rawUnit] = m
    const unit = rawUnit === '' ? 's' : rawUnit
    if (UNITS[unit] !== undefined) {
      out += num + unit
      continue
    }
    const lower = unit.toLowerCase()
    if (UNITS[lower] !== undefined && lower !== 'm') {
      out += num + lower
      continue
    }
    if (unit === 'M' || unit === 'H' || unit === 'S') {
      out += num + unit.toLowerCase()
      continue
    }
    const fix = UNIT_FIX[lower]
    if (fix === undefined) return undefined
    out += `${Number(num) * fix.factor}${fix.unit}`
  }
  return out === '' || out === s ? undefined : out
}

/** `v` with `prec` implied decimals, trailing zeros dropped: (380542, 3) → "380.542", (2000, 3) → "2". */
function fixed(v: number, prec: number): string {
  const scale = 10 ** prec
  const whole = Math.floor(v / scale)
  const frac = String(v % scale).padStart(prec, '0').replace(/0+$/, '')
  return frac === '' ? String(whole) : `${whole}.${frac}`
}

/**
 * Nanoseconds written exactly as Go's time.Duration.String() writes them: `0s`, `750ns`, `380.542µs`, `500ms`,
 * `3.326423317s`, `1m30s`, `1h0m0s`. This is the form InfluxDB prints in its logs and SHOW output.
 */
export function formatGoDuration(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns)
  let n = Math.round(Math.abs(ns))
  const sign = ns < 0 && n > 0 ? '-' : ''
  if (n === 0) return '0s'
  if (n < 1_000) return `${sign}${n}ns`
  if (n < 1_000_000) return `${sign}${fixed(n, 3)}µs`
  if (n < 1_000_000_000) return `${sign}${fixed(n, 6)}ms`
  const hours = Math.floor(n / 3_600_000_000_000)
  n -= hours * 3_600_000_000_000
  const minutes = Math.floor(n / 60_000_000_000)
  n -= minutes * 60_000_000_000
  const seconds = `${fixed(n, 9)}s`
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`
  if (minutes > 0) return `${sign}${minutes}m${seconds}`
  return `${sign}${seconds}`
}

/** Milliseconds in Go's String() form (for timers kept in ms). */
export function formatGoDurationMs(ms: number): string {
  return formatGoDuration(Math.round(ms * 1e6))
}

/**
 * A short, human form that Go also accepts as input: 3600e9 → "1h", 5400e9 → "1h30m", 1.5e9 → "1s500ms". For medic's
 * own messages and suggestions (flag values, config edits), where `1h0m0s` would be noise.
 */
export function formatShortDuration(ns: number): string {
  if (ns === 0) return '0s'
  const units: Array<[string, number]> = [['h', 3600e9], ['m', 60e9], ['s', 1e9], ['ms', 1e6], ['us', 1e3], ['ns', 1]]
  let rest = Math.abs(ns)
  let out = ns < 0 ? '-' : ''
  for (const [u, f] of units) {
    if (rest >= f) {
      const k = Math.floor(rest / f + 1e-9)
      out += `${k}${u}`
      rest -= k * f
    }
  }
  return out
}

/** Milliseconds in the short form ("1m", "30s", "1s500ms"). */
export function formatShortDurationMs(ms: number): string {
  return formatShortDuration(Math.round(ms * 1e6))
}
