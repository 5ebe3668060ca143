/**
 * Go's value syntaxes as influxd applies them to config values: time.ParseDuration, InfluxDB's toml.Size
 * (an optional k/m/g suffix, powers of 1024), net.Listen addresses, strconv.ParseBool and ParseInt (base 0).
 * Pure functions: each returns the parsed value or why Go would refuse it, plus the nearest valid spelling.
 */

import {type Parsed} from '../util/duration.js'

export {fixDuration, formatShortDuration as formatDuration, parseGoDuration, type Parsed} from '../util/duration.js'

const SIZE_SUFFIX: Record<string, number> = {'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}

/**
 * InfluxDB's toml.Size (UnmarshalText, the same in OSS v1.6 to v1.12): digits with an optional k, m or g (either
 * case) as the last character, powers of 1024, read by strconv.ParseUint(..., 10, 64). Nothing else: no t, no "GiB",
 * no decimals, no spaces, no sign, no underscores; an empty string is an error ("size was empty"). Integers in the
 * TOML are bytes. Anything else is refused with the nearest spelling influxd accepts, when there is one.
 */
export function parseSize(input: string): Parsed<number> {
  if (input === '') return {ok: false, reason: 'the size is empty (influxd: "size was empty")'}
  const m = /^(\d+)([kKmMgG]?)$/.exec(input)
  if (m) {
    const bytes = BigInt(m[1]) * BigInt(SIZE_SUFFIX[m[2].toLowerCase()])
    if (bytes > 18_446_744_073_709_551_615n) return {ok: false, reason: `"${input.length > 40 ? input.slice(0, 37) + '...' : input}" overflows a 64-bit size`}
    return {ok: true, value: Number(bytes)}
  }
  if (input.length > 64) return {ok: false, reason: 'not a size: write bytes (10737418240) or digits with a k, m or g suffix ("10g")'}
  const loose = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$/.exec(input)
  if (loose) {
    const bytes = Math.round(Number(loose[1]) * (loose[2].toLowerCase() === 't' ? 1024 ** 4 : SIZE_SUFFIX[loose[2].toLowerCase()]))
    const suffix = loose[2].toLowerCase()
    const short = /^\d+$/.test(loose[1]) && suffix !== 't' ? `"${loose[1]}${suffix}"` : String(bytes)
    return {ok: false, reason: `"${input}" is not a size influxd reads: digits with an optional k, m or g suffix only`, suggestion: short}
  }
  return {ok: false, reason: `"${input}" is not a size: write bytes (10737418240) or digits with a k, m or g suffix ("10g")`}
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return i === 0 ? `${v} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`
}

export interface Address {
  host: string
  port: number
}

/** A listen address as net.Listen("tcp", addr) takes it: "host:port", ":port", "[v6]:port". */
export function parseListenAddress(input: string): Parsed<Address> {
  const s = input.trim()
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const rest = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '')
    return {ok: false, reason: `it has a URL scheme; bind addresses are host:port`, suggestion: rest.includes(':') ? rest : undefined}
  }
  let host: string
  let portText: string
  if (s.startsWith('[')) {
    const m = /^\[([^\]]*)\]:(.*)$/.exec(s)
    if (!m) return {ok: false, reason: `missing port in address`, suggestion: /^\[[^\]]*\]$/.test(s) ? `${s}:<port>` : undefined}
    ;[, host, portText] = m
  } else {
    const colons = (s.match(/:/g) ?? []).length
    if (colons === 0) {
      return {ok: false, reason: `missing port in address`, suggestion: /^\d+$/.test(s) ? `:${s}` : `${s}:<port>`}
    }
    if (colons > 1) return {ok: false, reason: `too many colons in address (an IPv6 address needs brackets)`, suggestion: `[${s.slice(0, s.lastIndexOf(':'))}]${s.slice(s.lastIndexOf(':'))}`}
    host = s.slice(0, s.indexOf(':'))
    portText = s.slice(s.indexOf(':') + 1)
  }
  if (!/^\d+$/.test(portText)) {
    return {ok: false, reason: portText === '' ? 'missing port number after the colon' : `the port "${portText}" is not a number`}
  }
  const port = Number(portText)
  if (port > 65_535) return {ok: false, reason: `port ${port} is out of range (1-65535)`}
  if (/\s/.test(host)) return {ok: false, reason: `the host part contains spaces`, suggestion: `${host.trim()}:${port}`}
  return {ok: true, value: {host, port}}
}

const LOOPBACK = /^(?:localhost|localhost\.localdomain|localhost4|localhost6|ip6-localhost|ip6-loopback|127(?:\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1)$/i

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, '').replace(/\.$/, ''))
}

export function isUnspecified(host: string): boolean {
  return /^(?:0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/.test(host.replace(/^\[|\]$/g, ''))
}

/** Go's strconv.ParseBool, which is what INFLUXDB_* booleans go through. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false
  return undefined
}

/** Go's strconv.ParseInt(s, 0, 64): decimal, 0x hex, 0o / leading-0 octal, 0b binary, underscores between digits. */
export function parseGoInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][\da-fA-F_]+|0[oO]?[0-7_]*|0[bB][01_]+|[1-9][\d_]*|0)$/.exec(s)
  if (!m) return undefined
  let body = m[2].replaceAll('_', '')
  let base = 10
  if (/^0[xX]/.test(body)) {
    base = 16
    body = body.slice(2)
  } else if (/^0[bB]/.test(body)) {
    base = 2
    body = body.slice(2)
  } else if (/^0[oO]/.test(body)) {
    base = 8
    body = body.slice(2)
  } else if (body.length > 1 && body.startsWith('0')) {
    base = 8
    body = body.slice(1)
  }
  const n = Number.parseInt(body || '0', base)
  return Number.isNaN(n) ? undefined : (m[1] === '-' ? -n : n)
}

/** Values that are obviously not real: unrendered templates, "changeme", "<your key>", "xxxx". */
export function placeholderKind(value: string): 'template' | 'placeholder' | undefined {
  const t = value.trim()
  if (/\$\{[^}]*\}|\{\{[^}]*\}\}|<%=?[^%]*%>|^%[\w-]+%$|^\$[A-Z_][A-Z0-9_]*$|^@[\w.-]+@$|__[A-Z][A-Z0-9_]+__/.test(t)) return 'template'
  const l = t.toLowerCase()
  if (/^<[^>]*>$|^\[[^\]]*\]$/.test(l)) return 'placeholder'
  if (/\b(?:your|my|insert|enter|put)[-_ ]?(?:license|licence|key|secret|password)|placeholder|change[-_ ]?me|replace[-_ ]?me|\btodo\b|fixme|example|dummy|\b(?:key|license|licence|secret)[-_ ]?(?:goes[-_ ]?)?here\b|^(?:key|secret|license|licence|license-key|password|test|none|null|nil|undefined|tbd|xxx+)$/.test(l)) return 'placeholder'
  const compact = l.replaceAll(/[-_ ]/g, '')
  if (compact.length >= 4 && /^(.)\1+$/.test(compact)) return 'placeholder'
  if (compact.length >= 8 && /^(?:0123456789|1234567890|abcdef)/.test(compact)) return 'placeholder'
  return undefined
}
