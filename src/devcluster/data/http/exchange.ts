/**
 * One request to the data node's HTTP API and how it is answered, influxd 1.6's way (services/httpd/handler.go and
 * response_writer.go): every answer of a route carries `Content-Type` from the Accept header (text/csv for
 * application/csv or text/csv, else application/json), errors are `{"error":"..."}` in that format (pretty with
 * `?pretty=true`), copied into `X-Influxdb-Error` (at most 1024 bytes) except for 401, which carries
 * `WWW-Authenticate: Basic realm="InfluxDB"` instead. /query answers are gzip-compressed when the client accepts
 * gzip (/write answers never are, as in influxd 1.6.7).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {createGzip, gzipSync, type Gzip} from 'node:zlib'

import type {Exchange} from '../../node/http-server.js'
import {errorBody, formatForAccept, type ResponseFormat} from '../query/index.js'
import type {HttpdStats} from './vars.js'

/** A request of one of the API's routes. */
export interface Call extends Exchange {
  format: ResponseFormat
  /** `pretty=true` in the URL (influxd reads it from the URL only). */
  pretty: boolean
  gzip: boolean
  stats: HttpdStats
  /** The URI the access log shows (influxd re-encodes it to redact `p=` and query passwords). */
  logUri: string
  /** The error text of an error answer (the access log's 5xx line quotes it). */
  error?: string
}

export function openCall(ex: Exchange, stats: HttpdStats, gzipRoute: boolean): Call {
  const accept = ex.req.headers.accept
  const format = formatForAccept(typeof accept === 'string' ? accept : undefined)
  return {
    ...ex, format, pretty: ex.url.searchParams.get('pretty') === 'true',
    gzip: gzipRoute && String(ex.req.headers['accept-encoding'] ?? '').includes('gzip'), stats, logUri: ex.req.url ?? ex.path,
  }
}

/** The counters influxd keeps per status class (h.writeHeader). */
function countStatus(call: Call, status: number): void {
  if (status >= 400 && status < 500) call.stats.clientError++
  else if (status >= 500) call.stats.serverError++
}

/**
 * A header value as Go writes it: newlines become spaces, the text is cut at 1024 bytes, and the bytes go out as
 * they are (Latin-1 here, so UTF-8 text arrives unchanged). Other control characters Node refuses become spaces.
 */
export function headerValue(text: string, maxBytes = 1024): string {
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes)
  // eslint-disable-next-line no-control-regex
  return bytes.toString('latin1').replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ')
}

function writeFixed(call: Call, status: number, body: string, headers: Record<string, string | string[]>): void {
  const {res} = call
  if (res.headersSent || res.destroyed || res.writableEnded) return
  countStatus(call, status)
  if (status === 204 || status === 304 || body === '') {
    res.writeHead(status, headers)
    res.end()
    return
  }
  const data = call.gzip ? gzipSync(body) : Buffer.from(body)
  res.writeHead(status, {...headers, 'Content-Length': String(data.length)})
  res.end(data)
  call.bytes = data.length
}

/** An answer with no body (204, or 200 for OPTIONS). */
export function sendStatus(call: Call, status: number): void {
  writeFixed(call, status, '', {})
}

/** A body as it is (ping's verbose answer). */
export function sendBody(call: Call, status: number, body: string): void {
  writeFixed(call, status, body, {})
}

/** influxd's httpError. */
export function sendError(call: Call, status: number, message: string, realm = 'InfluxDB'): void {
  const headers: Record<string, string> = status === 401
    ? {'WWW-Authenticate': `Basic realm="${realm}"`}
    : status >= 300 ? {'X-Influxdb-Error': headerValue(message)} : {}
  if (status !== 401) call.error = message
  writeFixed(call, status, errorBody(message, call.format, call.pretty), headers)
}

/**
 * A streamed answer: the status and headers go out at once (influxd flushes them before running a query), then
 * text as it comes, compressed when the client takes gzip. Writes wait for the socket to drain.
 */
export class Stream {
  private readonly gz: Gzip | undefined
  private readonly res: ServerResponse
  /** Bytes handed to the stream before compression (influxd's queryRespBytes). */
  plainBytes = 0

  constructor(private readonly call: Call, status: number) {
    this.res = call.res
    countStatus(call, status)
    this.res.writeHead(status)
    this.res.flushHeaders()
    if (call.gzip) {
      this.gz = createGzip()
      this.gz.on('data', (d: Buffer) => {
        call.bytes += d.length
      })
      this.gz.on('error', () => this.res.destroy())
      this.gz.pipe(this.res)
    }
  }

  get gone(): boolean {
    return this.res.destroyed
  }

  async write(text: string, flush: boolean): Promise<void> {
    if (text === '' || this.gone) return
    this.plainBytes += Buffer.byteLength(text)
    const target = this.gz ?? this.res
    if (this.gz === undefined) this.call.bytes += Buffer.byteLength(text)
    const ok = target.write(text)
    if (flush && this.gz !== undefined) await new Promise<void>((r) => this.gz!.flush(() => r()))
    if (!ok && !this.gone) await drained(target, this.res)
  }

  end(): void {
    if (this.gz !== undefined) this.gz.end()
    else this.res.end()
  }
}

function drained(target: NodeJS.WritableStream, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      target.removeListener('drain', done)
      res.removeListener('close', done)
      resolve()
    }
    target.once('drain', done)
    res.once('close', done)
  })
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b)
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/** Go's url.Values.Encode: keys sorted, values in order. */
export function goEncodeQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const byKey = new Map<string, string[]>()
  for (const [k, v] of params) byKey.set(k, [...(byKey.get(k) ?? []), v])
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return keys.flatMap((k) => byKey.get(k)!.map((v) => `${queryEscape(k)}=${queryEscape(v)}`)).join('&')
}

/** The URI with `p` (and, given `sanitize`, every value) rewritten as influxd's log shows it. */
export function loggedUri(req: IncomingMessage, url: URL, sanitize?: (name: string, value: string) => string): string {
  const raw = req.url ?? url.pathname
  const hasP = (url.searchParams.get('p') ?? '') !== ''
  if (!hasP && sanitize === undefined) return raw
  const params = [...url.searchParams].map(([k, v]) => [k, k === 'p' && hasP ? '[REDACTED]' : sanitize ? sanitize(k, v) : v] as const)
  const q = goEncodeQuery(params)
  return q === '' ? url.pathname : `${url.pathname}?${q}`
}
