/**
 * medic's one HTTP client, for every probe of a meta or data node. undici's `request()` (imported lazily: it costs
 * ~75 ms at start-up) with:
 *   - an overall deadline through AbortSignal.timeout (undici's own headers/body timers fire up to ~1 s late);
 *   - a connect timeout;
 *   - a response size limit (1 MiB unless told otherwise), enforced on the Agent and again while reading the body,
 *     so an injected dispatcher (tests, a later proxy option) is held to it too;
 *   - JSON parsing;
 *   - every failure mapped to a MedicError with exit 4 whose message names the URL and whose suggestions say what to do.
 * Pass `dispatcher` to route requests elsewhere (an undici MockAgent, a proxy); otherwise a shared Agent per set of
 * limits is created on first use and kept alive between polls. Call closeHttp() when done.
 */
import {subscribe} from 'node:diagnostics_channel'
import type {Dispatcher} from 'undici'

import {inputError, MedicError, usageError} from '../errors.js'
import {bracketHost, isLoopbackHost, isPlainHost} from '../util/hostport.js'
import {parseJsonBounded} from '../util/json.js'
import {escapeControl, shellQuote} from '../util/text.js'
import {type Auth, authHeaders} from './auth.js'

export const DEFAULT_TIMEOUT_MS = 5_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024

export interface HttpOptions {
  /** Where requests go; default: a shared undici Agent with the limits below. */
  dispatcher?: Dispatcher
  /** Overall deadline for connect, headers and body. */
  timeoutMs?: number
  connectTimeoutMs?: number
  maxResponseBytes?: number
  headers?: Record<string, string>
  /** Aborts the request early (e.g. Ctrl-C). */
  signal?: AbortSignal
  /** What is being asked, for messages: "data node /debug/vars". */
  what?: string
  /** Basic or Enterprise JWT credentials; re-sent on every redirect (Enterprise needs that, like curl --location-trusted). */
  auth?: Auth
  /** https: accept any certificate (self-signed test clusters). */
  insecure?: boolean
  /** https: trust this CA bundle (PEM contents, not a path). */
  ca?: string | Buffer
  /** 307/308 redirects to follow for GET (meta followers redirect to the leader); 0 = none. Default 3. */
  maxRedirects?: number
  /**
   * Connect to this IP address instead of resolving the URL's host, keeping the host name in the URL for the Host
   * header and TLS SNI: probes one resolved address of a name (join diagnose). Uses a connection of its own.
   */
  connectTo?: string
  /** 'truncate': a body over maxResponseBytes is cut there (RawResponse.truncated) instead of failing. */
  onTooLarge?: 'error' | 'truncate'
  /** Which kind of node answers: names the right service (influxdb-meta / influxdb) and config keys in hints. */
  service?: 'meta' | 'data'
  /**
   * Ready-made commands for the hints of a failure, built (and vetted) by the caller, which knows its command line:
   * `moreTime` for a timeout (the right flag: --timeout or --http-timeout), `credentials` for a 401/403, `deadline`
   * to say which deadline a timeout message's milliseconds come from.
   */
  hints?: {moreTime?: string; credentials?: string; deadline?: string}
  /**
   * Told of every request of a chain (redirects included) with what it answered, or with how it failed: `medic doctor
   * --bundle` records the exchanges here and replays them offline through a `dispatcher`.
   */
  onExchange?: (exchange: HttpExchange) => void
}

/** One request as `onExchange` sees it: the status, headers and body of the answer, or the failure's code. */
export type HttpExchange =
  | {url: string; status: number; headers: Record<string, string | string[] | undefined>; text: string}
  | {url: string; error: {code?: string; name?: string; message: string}}

/** An answer with any status code (getRaw does not throw on 4xx/5xx). */
export interface RawResponse {
  /** The URL asked first. */
  url: string
  /** The URL that answered last, after redirects. */
  finalUrl: string
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  durationMs: number
  redirects: string[]
  /** The body was cut at maxResponseBytes (only with onTooLarge: 'truncate'). */
  truncated?: boolean
}

export interface JsonResponse<T = unknown> {
  url: string
  status: number
  headers: Record<string, string | string[] | undefined>
  body: T
  durationMs: number
}

const agents = new Map<string, Dispatcher>()

// Latency is measured on the wire: from the moment undici writes the request's headers to the moment the first bytes
// of the answer arrive on the socket, so that what medic does before and after (loading undici, compiling its HTTP
// parser on the first connection, parsing the first answer with it) is not counted against the node asked first.
// undici publishes the first moment on a diagnostics channel with its request object and socket; the object of one
// call is caught while request() creates it synchronously, and a listener put in front of undici's own on the socket
// notes when bytes arrive.
let catching: {request?: object} | undefined
const wire = new WeakMap<object, {sent: number; firstByte?: number}>()
subscribe('undici:request:create', (m) => {
  if (catching !== undefined && catching.request === undefined) catching.request = (m as {request: object}).request
})
subscribe('undici:client:sendHeaders', (m) => {
  const {request, socket} = m as {request: object; socket?: NodeJS.EventEmitter}
  const entry: {sent: number; firstByte?: number} = {sent: performance.now()}
  wire.set(request, entry)
  socket?.prependOnceListener?.('readable', () => {
    entry.firstByte ??= performance.now()
  })
})

async function defaultDispatcher(connectTimeoutMs: number, maxResponseBytes: number, tls: {insecure?: boolean; ca?: string | Buffer} = {}): Promise<Dispatcher> {
  const caKey = tls.ca === undefined ? '' : (await import('node:crypto')).createHash('sha256').update(tls.ca).digest('hex')
  const key = `${connectTimeoutMs}:${maxResponseBytes}:${tls.insecure ? 1 : 0}:${caKey}`
  let agent = agents.get(key)
  if (agent === undefined) {
    const {Agent} = await import('undici')
    const connect: Record<string, unknown> = {timeout: connectTimeoutMs}
    if (tls.insecure) connect.rejectUnauthorized = false
    if (tls.ca !== undefined) connect.ca = tls.ca
    agent = new Agent({connect, maxResponseSize: maxResponseBytes, keepAliveTimeout: 30_000})
    agents.set(key, agent)
  }
  return agent
}

/** A one-off Agent that connects to `address` whatever the URL's host resolves to; no size limit of its own. */
async function pinnedDispatcher(address: string, connectTimeoutMs: number, tls: {insecure?: boolean; ca?: string | Buffer}): Promise<Dispatcher> {
  const {Agent} = await import('undici')
  const {isIP} = await import('node:net')
  const family = isIP(address) || 4
  const connect: Record<string, unknown> = {
    timeout: connectTimeoutMs,
    lookup: (_host: string, options: {all?: boolean}, cb: (...args: unknown[]) => void) =>
      options?.all ? cb(null, [{address, family}]) : cb(null, address, family),
  }
  if (tls.insecure) connect.rejectUnauthorized = false
  if (tls.ca !== undefined) connect.ca = tls.ca
  return new Agent({connect, pipelining: 0})
}

/** Closes the shared agents (idle keep-alive sockets). */
export async function closeHttp(): Promise<void> {
  const all = [...agents.values()]
  agents.clear()
  await Promise.allSettled(all.map((a) => a.close()))
}

/**
 * GET a URL and return whatever it answered, any status code, following 307/308 redirects (up to maxRedirects, with
 * the same deadline for the whole chain). Network failures, timeouts, over-size bodies and redirect loops are
 * MedicErrors with exit 4.
 */
export async function getRaw(url: string | URL, options: HttpOptions = {}): Promise<RawResponse> {
  const first = String(url)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, timeoutMs)
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const maxRedirects = options.maxRedirects ?? 3
  const what = options.what ?? 'the node'
  const {request} = await import('undici')
  const truncate = options.onTooLarge === 'truncate'
  const pinned = options.dispatcher === undefined && options.connectTo !== undefined
    ? await pinnedDispatcher(options.connectTo, connectTimeoutMs, options)
    : undefined
  // With truncation the body loop below enforces the limit; the shared Agent's own limit would throw first.
  const dispatcher = options.dispatcher ?? pinned ?? (await defaultDispatcher(connectTimeoutMs, truncate ? Number.MAX_SAFE_INTEGER : limit, options))
  // The deadline starts once the client is loaded: it is the node's time, not medic's start-up.
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline
  try {
    return await exchange(request, dispatcher, first, options, {timeoutMs, connectTimeoutMs, limit, maxRedirects, what, deadline, signal, truncate})
  } finally {
    await pinned?.destroy()
  }
}

interface ExchangeContext {
  timeoutMs: number
  connectTimeoutMs: number
  limit: number
  maxRedirects: number
  what: string
  deadline: AbortSignal
  signal: AbortSignal
  truncate: boolean
}

async function exchange(
  request: typeof import('undici').request, dispatcher: Dispatcher, first: string, options: HttpOptions, ctx: ExchangeContext,
): Promise<RawResponse> {
  const {timeoutMs, connectTimeoutMs, limit, maxRedirects, what, deadline, signal} = ctx
  const redirects: string[] = []
  let latencyMs = 0
  let href = first
  for (;;) {
    let status: number
    let headers: Record<string, string | string[] | undefined>
    let text: string
    let truncated = false
    try {
      const called = performance.now()
      catching = {}
      let caught: object | undefined
      let pending: ReturnType<typeof request>
      try {
        pending = request(href, {
          method: 'GET',
          dispatcher,
          signal,
          headers: {accept: 'application/json', 'user-agent': 'influx-medic', ...authHeaders(options.auth), ...options.headers},
        })
      } finally {
        // request() creates its undici request synchronously; later creations belong to other calls.
        caught = catching?.request
        catching = undefined
      }
      const res = await pending
      const arrived = performance.now()
      const w = caught === undefined ? undefined : wire.get(caught)
      latencyMs += w?.firstByte !== undefined && w.firstByte >= w.sent ? w.firstByte - w.sent : arrived - called
      status = res.statusCode
      headers = res.headers
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length
        if (size > limit) {
          res.body.destroy()
          if (!ctx.truncate) throw Object.assign(new Error('response too large'), {code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE'})
          chunks.push((chunk as Buffer).subarray(0, (chunk as Buffer).length - (size - limit)))
          truncated = true
          break
        }
        chunks.push(chunk as Buffer)
      }
      text = Buffer.concat(chunks).toString('utf8')
      options.onExchange?.({url: href, status, headers, text})
    } catch (err) {
      if (options.signal?.aborted && !deadline.aborted) {
        throw new MedicError(`${href}: interrupted`, {code: 'interrupted', exitCode: 4, cause: err})
      }
      options.onExchange?.({url: href, error: exchangeError(err, deadline.aborted)})
      throw requestError(href, err, {timeoutMs, connectTimeoutMs, limit, what, timedOut: deadline.aborted, service: options.service, hints: options.hints})
    }
    const location = headers.location
    if ((status === 307 || status === 308) && maxRedirects > 0 && location !== undefined) {
      const next = redirectTarget(href, String(Array.isArray(location) ? location[0] : location))
      if (!next.ok) {
        throw inputError(`${first}: redirected to ${JSON.stringify(next.location.slice(0, 200))}, which medic does not follow: ${next.reason}`, 'http-redirect-refused', [
          `${what} redirected the request elsewhere: meta followers redirect to the leader, whose address should be another node of the cluster`,
          `see the chain yourself: curl -sS -i ${shellQuote(first)}`,
        ])
      }
      redirects.push(next.href)
      if (next.href === href || redirects.slice(0, -1).includes(next.href) || next.href === first || redirects.length > maxRedirects) {
        throw inputError(`${first}: redirect loop (${[first, ...redirects].join(' -> ')})`, 'http-redirect-loop', [
          `${what} keeps redirecting: meta followers redirect to the leader, so the nodes may disagree about who leads`,
          `see the chain yourself: curl -sS -i ${shellQuote(first)}`,
        ])
      }
      href = next.href
      continue
    }
    return {
      url: first, finalUrl: href, status, headers, text, durationMs: Math.round(latencyMs), redirects,
      ...(truncated ? {truncated} : {}),
    }
  }
}

/**
 * Where a redirect may lead: http(s) only, never from https down to http (credentials would travel in clear), and
 * never from a loopback address to another machine (a node reached on this machine has no business sending medic, and
 * the credentials it re-sends, elsewhere).
 */
function redirectTarget(from: string, location: string): {ok: true; href: string} | {ok: false; location: string; reason: string} {
  let u: URL
  try {
    u = new URL(location, from)
  } catch {
    return {ok: false, location, reason: 'it is not a URL'}
  }
  const f = new URL(from)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return {ok: false, location, reason: `only http and https are followed, not ${u.protocol}`}
  if (f.protocol === 'https:' && u.protocol === 'http:') return {ok: false, location, reason: 'it drops from https to plain http'}
  if (isLoopbackHost(f.hostname) && !isLoopbackHost(u.hostname)) return {ok: false, location, reason: 'it leaves this machine, although the node was reached on a loopback address'}
  return {ok: true, href: u.href}
}

/** GET a URL and parse its JSON body. Any failure (including a non-2xx status) is a MedicError with exit 4. */
export async function getJson<T = unknown>(url: string | URL, options: HttpOptions = {}): Promise<JsonResponse<T>> {
  const what = options.what ?? 'the node'
  const raw = await getRaw(url, options)
  const href = raw.finalUrl
  const {status, headers, text} = raw
  if (status < 200 || status > 299) throw statusError(href, status, text, what, options)
  const parsed = parseJsonBounded(text)
  if (!parsed.ok) {
    const type = String(headers['content-type'] ?? 'no content-type')
    throw inputError(`${href}: the answer is not usable JSON: ${parsed.reason} (${type}; starts with ${JSON.stringify(text.slice(0, 60))})`, 'http-not-json', [
      `is this ${what}? Data nodes serve HTTP on 8086, meta nodes on 8091`,
      `look at it yourself: curl -sS ${shellQuote(href)} | head -c 300`,
    ])
  }
  return {url: raw.url, status, headers, body: parsed.value as T, durationMs: raw.durationMs}
}

/** What a data node's /ping says: 204 plus X-Influxdb-Version (e.g. 1.3.3-c1.3.3) and X-Influxdb-Build (ENT, 1.5+). */
export interface DataPing {
  url: string
  status: number
  version?: string
  build?: string
  durationMs: number
}

/** GET <base>/ping on a data node. Network failures throw (exit 4); any HTTP status is returned. */
export async function pingDataNode(baseUrl: string, options: HttpOptions = {}): Promise<DataPing> {
  const raw = await getRaw(`${baseUrl}/ping`, {what: 'a data node', ...options})
  const header = (name: string): string | undefined => {
    const v = raw.headers[name]
    const s = Array.isArray(v) ? v[0] : v
    return s === undefined || s === '' ? undefined : s
  }
  return {url: raw.url, status: raw.status, version: header('x-influxdb-version'), build: header('x-influxdb-build'), durationMs: raw.durationMs}
}

/**
 * Normalises a node address given by a user: "data-1", "data-1:8086", "https://data-1:8086/" -> a base URL with
 * scheme and port and no trailing slash. A malformed address is a usage error (exit 2) whose suggestion is a command
 * that works: `command` is the command line up to the address ("medic status", "medic hh watch"), `flag` the flag
 * that takes it ("--url"), or a name in capitals for a positional argument ("ADDR").
 */
export function normaliseBaseUrl(input: string, defaultPort: number, flag = '--url', command?: string): string {
  const raw = input.trim()
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`
  const example = (host: string, port: string | number) => {
    const url = `http://${isPlainHost(host) ? bracketHost(host) : 'data-1'}:${port}`
    const given = flag.startsWith('-') ? `${flag} ${url}` : url
    return command === undefined ? given : `${command} ${given}`
  }
  let u: URL
  try {
    u = new URL(withScheme)
  } catch {
    throw usageError(`${flag} "${escapeControl(input)}" is not an address`, 'bad-url', [`give host:port or a URL, e.g. ${example('data-1', defaultPort)}`])
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw usageError(`${flag} "${escapeControl(input)}": only http and https are supported`, 'bad-url', [example(u.hostname.replace(/^\[|\]$/g, '') || 'data-1', u.port || defaultPort)])
  }
  if (u.hostname === '') throw usageError(`${flag} "${escapeControl(input)}" has no host`, 'bad-url', [example('data-1', defaultPort)])
  const authority = withScheme.replace(/^[a-z][a-z\d+.-]*:\/\//i, '').split(/[/?#]/)[0]
  if (u.port === '' && !/:\d+$/.test(authority)) u.port = String(defaultPort)
  const path = u.pathname.replace(/\/+$/, '')
  return `${u.protocol}//${u.host}${path}`
}

interface ErrorContext {
  timeoutMs: number
  connectTimeoutMs: number
  limit: number
  what: string
  timedOut: boolean
  service?: 'meta' | 'data'
  hints?: HttpOptions['hints']
}

/** "is it running?" for the kind of node asked: meta nodes run influxdb-meta, data nodes influxdb. */
function notRunning(service: 'meta' | 'data' | undefined): string {
  if (service === 'meta') return 'check that influxd-meta runs there and listens on that port ([meta] http-bind-address, default :8091): systemctl status influxdb-meta'
  if (service === 'data') return 'check that influxd runs there and listens on that port ([http] bind-address, default :8086): systemctl status influxdb'
  return 'check that the node runs and listens on that port: systemctl status influxdb-meta on a meta node (API on 8091), systemctl status influxdb on a data node (8086)'
}

function httpsKey(service: 'meta' | 'data' | undefined): string {
  if (service === 'meta') return '[meta] https-enabled in influxdb-meta.conf'
  if (service === 'data') return '[http] https-enabled in influxdb.conf'
  return '[meta] https-enabled (meta nodes) or [http] https-enabled (data nodes)'
}

/** What a failed request is recorded as: enough to fail the same way when replayed (requestError reads the same fields). */
function exchangeError(err: unknown, timedOut: boolean): {code?: string; name?: string; message: string} {
  const e = err as Error & {code?: string; cause?: {code?: string}}
  const code = e?.code ?? e?.cause?.code
  return {
    ...(typeof code === 'string' ? {code} : {}),
    ...(timedOut || e?.name === 'TimeoutError' ? {name: 'TimeoutError'} : {}),
    message: String(e?.message ?? err).slice(0, 300),
  }
}

function requestError(url: string, err: unknown, ctx: ErrorContext): MedicError {
  const e = err as Error & {code?: string; cause?: {code?: string}}
  const code = e?.code ?? e?.cause?.code ?? (e?.name === 'TimeoutError' ? 'TIMEOUT' : undefined)
  const running = notRunning(ctx.service)
  if (ctx.timedOut || e?.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return inputError(`${url}: no complete answer within ${ctx.timeoutMs} ms${ctx.hints?.deadline === undefined ? '' : ` (${ctx.hints.deadline})`}`, 'http-timeout', [
      `${ctx.what} may be overloaded, or a firewall drops the packets: curl -sS -m 10 ${shellQuote(url)} >/dev/null`,
      ...(ctx.hints?.moreTime === undefined ? [] : [`allow more time: ${ctx.hints.moreTime}`]),
    ], err)
  }
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return inputError(`${url}: connection timed out after ${ctx.connectTimeoutMs} ms`, 'http-unreachable', [
        running,
        'a firewall may be dropping packets to that port',
      ], err)
    case 'ECONNREFUSED':
      return inputError(`${url}: connection refused (nothing listens there)`, 'http-unreachable', [
        running,
        ...(ctx.service === undefined ? ['data nodes serve HTTP on 8086 ([http] bind-address), meta nodes on 8091 ([meta] http-bind-address)'] : []),
      ], err)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return inputError(`${url}: host not found (${code})`, 'http-unreachable', ['check the host name, or use the IP address'], err)
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return inputError(`${url}: the connection was closed before a full answer (${code})`, 'http-unreachable', [
        url.startsWith('http:') ? `if the node serves HTTPS (${httpsKey(ctx.service)}), use an https:// URL` : 'if the node serves plain HTTP, use an http:// URL',
        running,
      ], err)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return inputError(`${url}: no route to host (${code})`, 'http-unreachable', ['check the network path and the address'], err)
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return inputError(`${url}: the answer is larger than ${ctx.limit} bytes; stopped reading`, 'http-too-large', [
        `is this ${ctx.what}? the address may point at something else`,
      ], err)
    default:
      if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
        return inputError(`${url}: TLS error (${code})`, 'http-tls', [
          `check the node's certificate (a private CA: --ca FILE; a self-signed test cluster: --insecure), or that the URL scheme (http/https) matches ${httpsKey(ctx.service)}`,
        ], err)
      }
      if (typeof code === 'string' && /^HPE_/.test(code)) {
        return inputError(`${url}: the answer is not HTTP (${code})`, 'http-unreachable', [
          url.startsWith('http:') ? `if the node serves HTTPS (${httpsKey(ctx.service)}), use an https:// URL` : `is this ${ctx.what}?`,
          `is this ${ctx.what}? Data nodes serve HTTP on 8086, meta nodes on 8091`,
        ], err)
      }
      return inputError(`${url}: request failed (${escapeControl(String(code ?? e?.message ?? String(err)))})`, 'http-error', [running], err)
  }
}

function statusError(url: string, status: number, text: string, what: string, options: HttpOptions): MedicError {
  const snippet = text.trim().slice(0, 200)
  const suggestions: string[] = []
  if (status === 401 || status === 403) {
    const sent = options.auth !== undefined && options.auth.type !== 'none'
    suggestions.push(sent
      ? `${what} refused the credentials medic sent: check the user and password, or for a JWT the [meta] shared-secret`
      : `${what} requires authentication ([meta] auth-enabled = true)`)
    if (options.hints?.credentials !== undefined) suggestions.push(options.hints.credentials)
  } else if (status === 404) {
    suggestions.push(`is this ${what}? /debug/vars is served by data nodes (8086), /show-cluster by meta nodes (8091)`)
  } else if (status >= 500) {
    suggestions.push(`${what} answered with a server error: look at its log (journalctl -u ${options.service === 'meta' ? 'influxdb-meta' : 'influxdb'} -n 100)`)
  }
  suggestions.push(`curl -sS -i ${shellQuote(url)}`)
  return inputError(`${url}: HTTP ${status}${snippet ? ` ${JSON.stringify(snippet)}` : ''}`, 'http-status', suggestions)
}
