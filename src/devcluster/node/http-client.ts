/**
 * The one HTTP client of the dev cluster's own processes: meta nodes asking a joining node for its /status and
 * forwarding commands to the leader, the supervisor joining nodes and calling its control server, `medic dev status`
 * probing the nodes, and (next) data nodes posting to the meta leader and long-polling its state. Node-to-node talk,
 * not operator probes: medic's probe client (src/probe/http.ts) maps failures to CLI errors with exit codes and
 * suggestions, which a node process must never throw; this one throws NodeHttpError with a `code`.
 *
 * Built on node:http, not undici: every node process already loads node:http for its own server, while undici's
 * hundred-odd CommonJS files cost each of the seven processes of a `medic dev up` 60-200 ms of CPU to compile at
 * start-up (CPU profiles of the nodes). One keep-alive Agent per client, and:
 *   - a deadline for the whole exchange (connect, headers, body, and every redirect), and the caller's AbortSignal;
 *   - a response size limit enforced while reading, so a node that answers gigabytes costs nothing;
 *   - 307/308 redirects followed only when asked (maxRedirects), with the method and body re-sent unchanged, as a meta
 *     follower's 307 to the leader expects (Go's client re-sends a POST body on 307/308 the same way); loops refused;
 *   - any status returned as it is: the caller decides what a 503 means.
 */
import type {Agent, IncomingMessage} from 'node:http'

import {parseJsonBounded} from '../../util/json.js'
import {faultDelay, nodeFaults, noRouteText} from './faults.js'

export const DEFAULT_TIMEOUT_MS = 5_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

export type NodeHttpErrorCode =
  | 'refused' // nothing listens there (ECONNREFUSED)
  | 'reset' // the connection was closed before an answer (ECONNRESET, socket hang up)
  | 'timeout' // the deadline passed
  | 'aborted' // the caller's signal fired
  | 'too-large' // the answer is over maxResponseBytes
  | 'redirects' // a redirect loop, or more redirects than allowed
  | 'bad-url'
  | 'network' // anything else on the way (DNS, unreachable, TLS...)

/** A request that got no usable answer. `errno` is the system error code when there was one (ECONNREFUSED...). */
export class NodeHttpError extends Error {
  override readonly name = 'NodeHttpError'
  constructor(message: string, readonly code: NodeHttpErrorCode, readonly url: string, readonly errno?: string, options?: {cause?: unknown}) {
    super(message, options)
  }
}

export interface NodeRequestOptions {
  method?: 'GET' | 'POST' | 'HEAD'
  body?: string | Buffer
  headers?: Record<string, string>
  /** Deadline of the whole exchange, redirects included. */
  timeoutMs?: number
  maxResponseBytes?: number
  /** 307/308 redirects to follow, re-sending method and body (default 0: the 307 is returned). */
  maxRedirects?: number
  signal?: AbortSignal
}

export interface NodeResponse {
  status: number
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>
  text: string
  /** The URL that answered (after redirects). */
  url: string
}

export interface NodeHttpClient {
  request(url: string, options?: NodeRequestOptions): Promise<NodeResponse>
  get(url: string, options?: Omit<NodeRequestOptions, 'method' | 'body'>): Promise<NodeResponse>
  post(url: string, body: string | Buffer, options?: Omit<NodeRequestOptions, 'method' | 'body'>): Promise<NodeResponse>
  /** Closes idle connections; the client stays usable (the next request opens new ones). */
  close(): Promise<void>
}

export interface NodeHttpClientOptions {
  /** The User-Agent sent (a data node sends "InfluxDB Meta Client" to meta nodes). */
  userAgent: string
  connectTimeoutMs?: number
}

const sysCode = (err: unknown): string | undefined => {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined
  }
  return undefined
}

function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return out
}

export function createNodeHttpClient(options: NodeHttpClientOptions): NodeHttpClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  let http: typeof import('node:http') | undefined
  let agent: Agent | undefined

  async function transport(): Promise<{http: typeof import('node:http'); agent: Agent}> {
    http ??= await import('node:http')
    agent ??= new http.Agent({keepAlive: true, scheduling: 'lifo'})
    return {http, agent}
  }

  async function once(
    href: string, o: NodeRequestOptions, signal: AbortSignal, limit: number,
  ): Promise<{status: number; headers: Record<string, string>; text: string}> {
    const t = await transport()
    const url = new URL(href)
    if (url.protocol !== 'http:') throw new NodeHttpError(`${href}: only http:// URLs are used between dev nodes`, 'bad-url', href)
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? Buffer.from(o.body) : o.body
    const headers: Record<string, string> = {'user-agent': options.userAgent, ...o.headers}
    if (body !== undefined) headers['content-length'] = String(body.length)
    return new Promise((resolve, reject) => {
      let settled = false
      const fail = (err: unknown) => {
        if (settled) return
        settled = true
        reject(err)
      }
      const req = t.http.request(url, {method: o.method ?? 'GET', agent: t.agent, headers, signal}, (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > limit) {
            fail(new NodeHttpError(`${href}: the answer is larger than ${limit} bytes`, 'too-large', href))
            req.destroy()
            return
          }
          chunks.push(c)
        })
        res.on('error', fail)
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}))
        })
        res.on('end', () => {
          if (settled) return
          settled = true
          resolve({status: res.statusCode ?? 0, headers: headerRecord(res.headers), text: Buffer.concat(chunks).toString('utf8')})
        })
      })
      req.on('error', fail)
      req.on('socket', (socket) => {
        if (!socket.connecting) return
        const timer = setTimeout(() => req.destroy(Object.assign(new Error('connect timeout'), {code: 'ETIMEDOUT'})), connectTimeoutMs)
        socket.once('connect', () => clearTimeout(timer))
        socket.once('close', () => clearTimeout(timer))
      })
      req.end(body)
    })
  }

  async function request(url: string, o: NodeRequestOptions = {}): Promise<NodeResponse> {
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const limit = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    const maxRedirects = o.maxRedirects ?? 0
    const deadline = AbortSignal.timeout(timeoutMs)
    const signal = o.signal ? AbortSignal.any([deadline, o.signal]) : deadline
    const seen = [url]
    let href = url
    for (;;) {
      let answer: {status: number; headers: Record<string, string>; text: string}
      if (!URL.canParse(href)) throw new NodeHttpError(`${href}: not a URL`, 'bad-url', href)
      // In a node process, the faults on the link to the other node (node/faults.ts): cut, lost, slow; a partition
      // that arrives while the request is in flight closes it.
      const peer = nodeFaults.active ? new URL(href).host : ''
      const cut = nodeFaults.active ? new AbortController() : undefined
      const untrack = cut ? nodeFaults.track(peer, () => cut.abort()) : undefined
      try {
        if (cut) {
          const plan = nodeFaults.sendPlan(peer, typeof o.body === 'string' ? Buffer.byteLength(o.body) : o.body?.length ?? 0)
          if (plan.kind !== 'pass') throw new NodeHttpError(`${href}: ${noRouteText(peer)}`, 'network', href, 'EHOSTUNREACH')
          const either = AbortSignal.any([signal, cut.signal])
          await faultDelay(plan.delayMs, either)
          answer = await once(href, o, either, limit)
          await faultDelay(nodeFaults.replyDelay(peer, Buffer.byteLength(answer.text)), either)
        } else {
          answer = await once(href, o, signal, limit)
        }
      } catch (err) {
        if (err instanceof NodeHttpError) throw err
        if (cut?.signal.aborted && !signal.aborted) throw new NodeHttpError(`${href}: the connection was closed before an answer`, 'reset', href, 'ECONNRESET', {cause: err})
        if (o.signal?.aborted && !deadline.aborted) throw new NodeHttpError(`${href}: aborted`, 'aborted', href, undefined, {cause: err})
        if (deadline.aborted) throw new NodeHttpError(`${href}: no answer within ${timeoutMs} ms`, 'timeout', href, undefined, {cause: err})
        const errno = sysCode(err)
        const message = err instanceof Error ? err.message : String(err)
        if (errno === 'ECONNREFUSED') throw new NodeHttpError(`${href}: connection refused`, 'refused', href, errno, {cause: err})
        if (errno === 'ECONNRESET' || errno === 'EPIPE' || /other side closed|socket hang up/i.test(message)) {
          throw new NodeHttpError(`${href}: the connection was closed before an answer`, 'reset', href, errno ?? 'ECONNRESET', {cause: err})
        }
        if (/connect timeout/i.test(message) && errno === 'ETIMEDOUT') throw new NodeHttpError(`${href}: connect timeout after ${connectTimeoutMs} ms`, 'timeout', href, 'ETIMEDOUT', {cause: err})
        throw new NodeHttpError(`${href}: ${errno ?? message}`, 'network', href, errno, {cause: err})
      } finally {
        untrack?.()
      }
      const location = answer.headers.location
      if ((answer.status === 307 || answer.status === 308) && maxRedirects > 0 && location !== undefined) {
        const next = new URL(location.split(', ')[0], href).href
        if (seen.includes(next) || seen.length > maxRedirects) {
          throw new NodeHttpError(`${url}: redirect loop or too many redirects (${[...seen, next].join(' -> ')})`, 'redirects', url)
        }
        seen.push(next)
        href = next
        continue
      }
      return {...answer, url: href}
    }
  }

  return {
    request,
    get: (url, o = {}) => request(url, {...o, method: 'GET'}),
    post: (url, body, o = {}) => request(url, {...o, method: 'POST', body}),
    close: async () => {
      const a = agent
      agent = undefined
      if (!a) return
      // Idle sockets go now; a request still in flight finishes and its socket is closed then, not kept.
      a.keepSocketAlive = () => false
      for (const sockets of Object.values(a.freeSockets)) for (const s of sockets ?? []) s.destroy()
    },
  }
}

/** A JSON answer parsed with a depth limit; undefined when it is not JSON (the caller names what it expected). */
export function jsonOf(res: NodeResponse): unknown {
  const r = parseJsonBounded(res.text)
  return r.ok ? r.value : undefined
}
