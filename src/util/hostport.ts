/**
 * host:port, in one place: splitting (IPv6 in brackets), joining, strict validation of what may go into a suggested
 * command, and the one answer to "is this a loopback name or address?". Pure functions.
 */
import {isIPv4, isIPv6} from 'node:net'

export interface HostPort {
  host: string
  /** The port as written ("" when absent). */
  port: string
}

/**
 * Splits "host:port", "[v6]:port", "host" or a bare IPv6 address, leniently: it never fails, and what is not there
 * comes back empty. For reading what nodes and users wrote; use `parseHostPort` to decide whether a value is sound.
 */
export function splitHostPort(addr: string): HostPort {
  const a = addr.trim()
  if (a.startsWith('[')) {
    const close = a.indexOf(']')
    if (close < 0) return {host: a.slice(1), port: ''}
    const rest = a.slice(close + 1)
    return {host: a.slice(1, close), port: rest.startsWith(':') ? rest.slice(1) : ''}
  }
  const i = a.lastIndexOf(':')
  if (i < 0 || a.indexOf(':') !== i) return {host: a, port: ''} // no port, or an unbracketed IPv6 address
  return {host: a.slice(0, i), port: a.slice(i + 1)}
}

/** "host:port", with IPv6 addresses in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  const h = host.startsWith('[') ? host : host.includes(':') ? `[${host}]` : host
  return `${h}:${port}`
}

/** The host, bracketed when it is an IPv6 address (for URLs). */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i

export {isIPv4, isIPv6} from 'node:net'

/** A DNS name as hosts are named (letters, digits, hyphens, underscores; dots between labels; a trailing dot). */
export function isHostname(host: string): boolean {
  if (host === '' || host.length > 253) return false
  const h = host.endsWith('.') ? host.slice(0, -1) : host
  return h !== '' && h.split('.').every((l) => LABEL.test(l))
}

/** A host medic may name in a suggestion: a DNS name or an IP literal, nothing else. */
export function isPlainHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return isHostname(h) || isIPv4(h) || isIPv6(h)
}

export type HostPortCheck = {ok: true; host: string; port: number} | {ok: false; reason: string}

/**
 * Strict "host:port": a plain host (see `isPlainHost`) and a port 1-65535, or the host alone when `defaultPort` is
 * given. This is the gate before a value from outside is put into a command medic suggests.
 */
export function parseHostPort(input: string, defaultPort?: number): HostPortCheck {
  if (input.length > 300) return {ok: false, reason: 'too long to be a host:port'}
  const {host, port} = splitHostPort(input)
  if (input.trim() !== input) return {ok: false, reason: 'it has spaces around it'}
  if (!isPlainHost(host)) return {ok: false, reason: host === '' ? 'the host is empty' : 'the host is not a DNS name or an IP address'}
  if (port === '') {
    if (defaultPort === undefined || /:\s*$/.test(input)) return {ok: false, reason: 'no port'}
    return {ok: true, host, port: defaultPort}
  }
  if (!/^\d{1,5}$/.test(port)) return {ok: false, reason: `the port "${port.slice(0, 20)}" is not a number`}
  const p = Number(port)
  if (p < 1 || p > 65_535) return {ok: false, reason: `port ${p} is out of range (1-65535)`}
  return {ok: true, host, port: p}
}

/** True when `input` is a host:port medic can safely name in a suggested command. */
export function isPlainHostPort(input: string): boolean {
  return parseHostPort(input).ok
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'localhost4', 'localhost4.localdomain4', 'localhost6', 'localhost6.localdomain6', 'ip6-localhost', 'ip6-loopback'])

/**
 * Whether a name or address can only mean this machine: localhost and its distribution aliases, any `*.localhost`
 * name (RFC 6761), 127.0.0.0/8, ::1, and IPv4-mapped loopback. Other nodes cannot reach a node advertised this way.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  if (h.endsWith('.')) h = h.slice(0, -1)
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true
  if (h.startsWith('127.')) return isIPv4(h)
  if (h === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(h)) return true
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)
  return mapped !== null && /^127\./.test(mapped[1]) && isIPv4(mapped[1])
}

/** 0.0.0.0 and ::: "every interface", an address to bind to but not one another node can dial. */
export function isUnspecifiedHost(host: string): boolean {
  let h = host.trim()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  return h === '0.0.0.0' || h === '::' || /^(?:0{1,4}:){7}0{1,4}$/.test(h)
}
