/**
 * Access logs of the dev nodes' HTTP servers: what one answered request looks like in the log, with secrets removed
 * (passwords in query strings and bodies never reach a log file).
 *
 * The meta node's `[meta-http]` line (Enterprise's response logger, enterprise-1x.md §2.7) is unquoted and ends with a
 * Go duration; the same request as a 1.9.6+ `weblog` line carries the fields below. Data nodes' `[httpd]` line is the
 * quoted Apache form and gets its formatter here too when data nodes arrive.
 */
import {formatGoDuration} from '../../util/duration.js'
import {clfTime} from './go-text.js'
import type {Exchange} from './http-server.js'
import type {LogFields} from './logger.js'

/** One answered request, as every access-log format needs it. */
export interface AccessRecord {
  host: string
  username: string
  method: string
  /** The request URI with password-like query values redacted. */
  uri: string
  protocol: string
  status: number
  bytes: number
  referrer: string
  userAgent: string
  requestId: string
  /** Time from the request's arrival to the end of the answer. */
  durationNs: number
  /** The request body as logged (redacted), '' when none. */
  command: string
}

const SECRET_KEY = /password|secret|token|hash/i

/** The client address without the IPv4-mapped prefix Node gives on dual-stack sockets. */
export function clientHost(address: string | undefined): string {
  const a = address ?? '-'
  return a.startsWith('::ffff:') ? a.slice(7) : a
}

/** A JSON value with every password-like field replaced. Bodies reach it depth-checked (body.ts), so recursing is safe. */
export function redactJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactJson)
  if (typeof v === 'object' && v !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays a plain field.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? '[REDACTED]' : redactJson(x)]))
  }
  return v
}

/** Redacts `password=...` style fields in a body that could not be parsed (first 2 KiB only). */
export function redactText(text: string): string {
  return text
    .slice(0, 2048)
    .replace(/("[^"]*(?:password|secret|token|hash)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[REDACTED]"')
    .replace(/((?:^|[&;\s])[^=&;\s]*(?:password|secret|token|hash)[^=&;\s]*=)[^&;\s]*/gi, '$1[REDACTED]')
}

/** The request URI as logged: values of password-like query parameters are replaced (as data nodes do for `p=`). */
export function redactUri(uri: string): string {
  return uri.replace(/([?&](?:p|password|secret|token|jwt)=)[^&#]*/gi, '$1[REDACTED]')
}

/** The record of a finished exchange. */
export function accessRecord(ex: Exchange): AccessRecord {
  const {req, res} = ex
  return {
    host: clientHost(req.socket?.remoteAddress),
    username: ex.username,
    method: req.method ?? '',
    uri: redactUri(req.url ?? ex.path),
    protocol: `HTTP/${req.httpVersion}`,
    // Nothing was answered when the request never fully arrived (the server's timeout answered 408 on the socket).
    status: res.headersSent || req.complete ? res.statusCode : 408,
    bytes: ex.bytes,
    referrer: String(req.headers.referer ?? ''),
    userAgent: String(req.headers['user-agent'] ?? ''),
    requestId: ex.id,
    durationNs: Number(process.hrtime.bigint() - ex.started),
    command: ex.command,
  }
}

/**
 * The meta node's access line after the `[meta-http]` prefix: `host - user [CLF time] METHOD uri proto status bytes
 * referrer agent request-id duration`, unquoted, `-` for what is empty.
 */
export function metaAccessLine(r: AccessRecord, nowMs: number): string {
  return `${r.host} - ${r.username || '-'} [${clfTime(nowMs)}] ${r.method || '-'} ${r.uri} ${r.protocol} ${r.status} ${r.bytes} ${r.referrer || '-'} ${r.userAgent || '-'} ${r.requestId} ${formatGoDuration(r.durationNs)}`
}

/** The fields of a 1.9.6+ `weblog` line. */
export function weblogFields(r: AccessRecord): LogFields {
  return {
    host: r.host, 'user-id': '', username: r.username, method: r.method, uri: r.uri, protocol: r.protocol, command: r.command,
    status: r.status, size: r.bytes, referrer: r.referrer, 'user-agent': r.userAgent, 'request-id': r.requestId,
    'execution-time': `${(r.durationNs / 1e6).toFixed(3)}ms`, 'execution-time-readable': formatGoDuration(r.durationNs),
  }
}
