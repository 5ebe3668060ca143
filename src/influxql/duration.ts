/**
 * Durations as InfluxQL writes them (`1h30m`, `2w`, `10u`, `500ms`), and Go's time.Duration text (`168h0m0s`) that
 * influxd prints in SHOW RETENTION POLICIES and in CREATE DATABASE statements. Nanoseconds, as bigint: Go durations
 * are int64 and wrap on overflow, which the parser detects the way influxd does.
 */

const NS = {ns: 1n, u: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n}
const DAY = 24n * NS.h
const WEEK = 7n * DAY
const INT64_MAX = (1n << 63n) - 1n

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v)

export class DurationError extends Error {}

/**
 * Parses an InfluxQL duration literal. Errors carry influxd's texts: `invalid duration`, or
 * `overflowed duration 300000h: choose a smaller duration or INF`.
 */
export function parseDuration(s: string): bigint {
  // influxd counts bytes here, so a lone "µ" (two bytes in UTF-8) is long enough.
  if (Buffer.byteLength(s, 'utf8') < 2) throw new DurationError('invalid duration')
  const a = Array.from(s)
  let i = 0
  let d = 0n
  let negative = false
  if (a[0] === '-') {
    negative = true
    i++
  }
  let measure = 0n
  let unit = ''
  while (i < a.length) {
    const start = i
    while (i < a.length && a[i] >= '0' && a[i] <= '9') i++
    if (i >= a.length || i === start) throw new DurationError('invalid duration')
    const n = BigInt(a.slice(start, i).join(''))
    if (n > INT64_MAX) throw new DurationError('invalid duration')
    measure = n
    unit = a[i]
    switch (a[i]) {
      case 'n':
        if (i + 1 < a.length && a[i + 1] === 's') {
          unit = 'ns'
          d = wrap(d + n)
          i += 2
          continue
        }
        throw new DurationError('invalid duration')
      case 'u':
      case 'µ':
        d = wrap(d + wrap(n * NS.u))
        break
      case 'm':
        if (i + 1 < a.length && a[i + 1] === 's') {
          unit = 'ms'
          d = wrap(d + wrap(n * NS.ms))
          i += 2
          continue
        }
        d = wrap(d + wrap(n * NS.m))
        break
      case 's': d = wrap(d + wrap(n * NS.s)); break
      case 'h': d = wrap(d + wrap(n * NS.h)); break
      case 'd': d = wrap(d + wrap(n * DAY)); break
      case 'w': d = wrap(d + wrap(n * WEEK)); break
      default: throw new DurationError('invalid duration')
    }
    i++
  }
  if (d < 0n && !negative) throw new DurationError(`overflowed duration ${measure}${unit}: choose a smaller duration or INF`)
  return negative ? wrap(-d) : d
}

/** InfluxQL's shortest literal for a duration: `2w`, `3d`, `90m`, `1500ms`, `10u`, `7ns`. */
export function formatDuration(d: bigint): string {
  if (d === 0n) return '0s'
  if (d % WEEK === 0n) return `${d / WEEK}w`
  if (d % DAY === 0n) return `${d / DAY}d`
  if (d % NS.h === 0n) return `${d / NS.h}h`
  if (d % NS.m === 0n) return `${d / NS.m}m`
  if (d % NS.s === 0n) return `${d / NS.s}s`
  if (d % NS.ms === 0n) return `${d / NS.ms}ms`
  if (d % NS.u === 0n) return `${d / NS.u}u`
  return `${d}ns`
}

/** The fraction of v / 10^prec without trailing zeros (".5"), or "" when it is zero; and v / 10^prec. */
function frac(v: bigint, prec: number): [string, bigint] {
  let digits = ''
  let print = false
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n
    print ||= digit !== 0n
    if (print) digits = digit.toString() + digits
    v /= 10n
  }
  return [print ? '.' + digits : '', v]
}

/** Go's time.Duration.String(): `0s`, `1.5s`, `168h0m0s`, `2h45m0.5s`, `300ms`, `1µs`, `-5ns`. */
export function goDurationString(d: bigint): string {
  d = wrap(d)
  const neg = d < 0n
  let u = neg ? -d : d
  let out: string
  if (u < NS.s) {
    if (u === 0n) return '0s'
    let prec: number
    let suffix: string
    if (u < NS.u) {
      prec = 0
      suffix = 'ns'
    } else if (u < NS.ms) {
      prec = 3
      suffix = 'µs'
    } else {
      prec = 6
      suffix = 'ms'
    }
    const [f, whole] = frac(u, prec)
    out = `${whole}${f}${suffix}`
  } else {
    const [f, secs] = frac(u, 9)
    u = secs
    out = `${u % 60n}${f}s`
    u /= 60n
    if (u > 0n) {
      out = `${u % 60n}m` + out
      u /= 60n
      if (u > 0n) out = `${u}h` + out
    }
  }
  return neg ? '-' + out : out
}
