/**
 * The dev meta node's HTTP API (port 8091): what influxd-ctl, data nodes, Chronograf and medic's own probes talk to
 * on an InfluxDB Enterprise 1.x meta node (enterprise-1x.md §2, §8). It sits between HTTP and the two halves of the
 * node: Raft (RaftNodeApi, for membership and for replicating commands) and the meta store (MetaStore, for reads).
 *
 * Behaviour that clients depend on and that this file reproduces:
 * - GET /status in the documented shape and key order, before and after the node joins a cluster (§2.2); GET /ping
 *   answers {"addr": ...} and is the one path open without credentials.
 * - Changes (every POST, and the CQ lease) are served by the Raft leader only: a follower answers 307 with the leader's
 *   address and the same path and query; with no leader known, or before the node is joined, 503 {"error":"no leader"}.
 *   Reads (show-cluster, show-shards, users, the meta data) are served locally but also need a known leader.
 * - POST /add-meta works from an un-joined node: it forms a one-node cluster of itself first, so running add-meta for
 *   every node (itself included) from one node builds the cluster, as the docs describe (§2.4).
 * - The CQ lease table lives in the leader's memory, as in the open-source precursor: a leader change resets it (§8).
 * - Unknown GET paths fall through to the meta data handler and fail with 400 `error parsing index` (§2.1).
 * - Errors are always {"error": "..."} JSON; bodies over 1 MiB get 413 and are not read further; slow clients are cut
 *   off by the server's header and request timeouts; nothing a client sends may take the process down.
 * - With `cluster-tracing`, every request is written to the `meta-http` access log in the node's log format: the
 *   pre-1.5 text line (§2.7) or the 1.9.6+ `weblog` fields, with passwords in POST bodies redacted.
 *
 * Shapes of our own (Enterprise does not document them): POST /execute takes {"cmd": <MetaCommand as JSON>} and
 * answers {"index", "result"}; GET /data?index=N long-polls and answers the whole meta state as JSON (the real
 * `GET /?index=N` answers protobuf); GET /show-shards answers a list of ShowShardsRow.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {checkMetaStatus} from '../../wire/schemas.js'
import type {Logger} from '../node/logger.js'
import {BusyError, NotLeaderError, OutcomeUnknownError, type RaftNodeApi} from '../raft/node-api.js'
import type {Server as RaftServer} from '../raft/types.js'
import {hashPassword, MetaAuthenticator} from './auth.js'
import {clfTime, createTimeUuid, goDuration} from '../node/request-id.js'
import {encodeCommand, isHostPort, isMetaError, type MetaCommand, type MetaError, type MetaNodeInfo, MetaStore, parseCommand, publicUser, rfc3339Nano} from './store.js'

export interface MetaApiConfig {
  /** `[meta] auth-enabled`. */
  authEnabled: boolean
  /** `[meta] shared-secret`: signs the public API's JWTs. */
  sharedSecret: string
  /** `[meta] internal-shared-secret`: signs node-to-node JWTs. */
  internalSharedSecret: string
  /** `[meta] lease-duration` in ms (1m by default). */
  leaseDurationMs: number
  /** `[meta] cluster-tracing`: write the access log. */
  clusterTracing: boolean
  /** `[meta] announcement-expiration` in ms (30s by default). */
  announcementExpirationMs: number
  /** This node's version string, e.g. `1.11.8-c1.11.8`. */
  version: string
}

/** Limits of the HTTP server; the defaults suit a node, tests shorten them. */
export interface MetaApiLimits {
  maxBodyBytes: number
  /** How long GET /data waits for a newer index before answering the current state. */
  longPollMs: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  /** How often the server looks for requests past their timeouts. */
  timeoutCheckMs: number
  /** How long close() lets in-flight requests finish before cutting their connections. */
  closeGraceMs: number
}

export const DEFAULT_LIMITS: MetaApiLimits = {
  maxBodyBytes: 1024 * 1024,
  longPollMs: 30_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckMs: 1_000,
  closeGraceMs: 2_000,
}

export interface MetaApiDeps {
  raft: RaftNodeApi
  store: MetaStore
  config: MetaApiConfig
  log: Logger
  now?: () => number
  /** GET http://<httpAddr>/status of a node being added (default: probe/http.ts getJson, signed when auth is on). */
  fetchStatus?: (httpAddr: string) => Promise<unknown>
  /** Sends a command to the leader's POST /execute (used by announce() on followers; default: fetch). */
  forward?: (leaderHttpAddr: string, body: string) => Promise<{status: number; text: string}>
  limits?: Partial<MetaApiLimits>
}

/** The request handler with what the server and tests need around it. */
export interface MetaHandler {
  (req: IncomingMessage, res: ServerResponse): void
  /** GET /data requests currently waiting for a newer index. */
  pendingLongPolls(): number
  /** Tells this node's version to the cluster (announce command), through the leader. */
  announce(): Promise<void>
  /** Answers waiting long polls and refuses new work. */
  close(): void
  readonly limits: MetaApiLimits
}

export interface MetaApi {
  server: Server
  /** The address the server listens on, host:port. */
  address: string
  handler: MetaHandler
  close(): Promise<void>
}

interface Lease {
  name: string
  expiration: number
  owner: number
}

/** One request's bookkeeping, for the handlers and the access log. */
interface Ctx {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  path: string
  method: string
  id: string
  started: bigint
  username: string
  bytes: number
  /** The POST body as logged (passwords redacted). */
  command: string
}

type Handler = (ctx: Ctx) => Promise<void> | void

const JSON_TYPE = 'application/json'
const SECRET_KEY = /password|secret|token|hash/i

function clientHost(socket: Socket | null | undefined): string {
  const a = socket?.remoteAddress ?? '-'
  return a.startsWith('::ffff:') ? a.slice(7) : a
}

/** A JSON value with every password-like field replaced. */
function redactJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactJson)
  if (typeof v === 'object' && v !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays a plain field.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? '[REDACTED]' : redactJson(x)]))
  }
  return v
}

/** Redacts `password=...` style fields in a body that could not be parsed. */
function redactText(text: string): string {
  return text
    .slice(0, 2048)
    .replace(/("[^"]*(?:password|secret|token|hash)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[REDACTED]"')
    .replace(/((?:^|[&;\s])[^=&;\s]*(?:password|secret|token|hash)[^=&;\s]*=)[^&;\s]*/gi, '$1[REDACTED]')
}

/** The request URI as logged: values of password-like query parameters are replaced (as data nodes do for `p=`). */
function redactUri(uri: string): string {
  return uri.replace(/([?&](?:p|password|secret|token|jwt)=)[^&#]*/gi, '$1[REDACTED]')
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** Simple multipart/form-data fields (what `curl -F addr=h:8088` sends). Returns the fields or why it is malformed. */
function parseMultipart(body: Buffer, boundary: string): Map<string, string> | string {
  const text = body.toString('utf8')
  const delimiter = `--${boundary}`
  const parts = text.split(delimiter)
  if (parts.length < 3) return 'malformed multipart body'
  const fields = new Map<string, string>()
  let closed = false
  for (const raw of parts.slice(1)) {
    if (raw.startsWith('--')) {
      closed = true
      break
    }
    const part = raw.startsWith('\r\n') ? raw.slice(2) : raw
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd === -1) return 'malformed multipart body'
    const disposition = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(part.slice(0, headerEnd))
    if (!disposition) return 'multipart part without a field name'
    let value = part.slice(headerEnd + 4)
    if (value.endsWith('\r\n')) value = value.slice(0, -2)
    if (!fields.has(disposition[1])) fields.set(disposition[1], value)
  }
  return closed ? fields : 'malformed multipart body'
}

/** Form values the way Go's Request.FormValue reads them: body fields first, then the query string. */
class Form {
  constructor(private readonly body: Map<string, string>, private readonly query: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.body.get(name) ?? this.query.get(name) ?? undefined
  }
}

async function defaultFetchStatus(config: MetaApiConfig, now: () => number, httpAddr: string): Promise<unknown> {
  const {getJson} = await import('../../probe/http.js')
  const headers: Record<string, string> = {'user-agent': 'InfluxDB Meta Client'}
  if (config.authEnabled && config.internalSharedSecret !== '') {
    const {signJwt} = await import('../../probe/auth.js')
    headers.authorization = `Bearer ${signJwt('', config.internalSharedSecret, now())}`
  }
  const r = await getJson(`http://${httpAddr}/status`, {what: 'a meta node', headers, timeoutMs: 5_000, maxRedirects: 0})
  return r.body
}

async function defaultForward(config: MetaApiConfig, now: () => number, leaderHttpAddr: string, body: string): Promise<{status: number; text: string}> {
  const headers: Record<string, string> = {'content-type': JSON_TYPE, 'user-agent': 'InfluxDB Meta Client'}
  if (config.authEnabled && config.internalSharedSecret !== '') {
    const {signJwt} = await import('../../probe/auth.js')
    headers.authorization = `Bearer ${signJwt('', config.internalSharedSecret, now())}`
  }
  const res = await fetch(`http://${leaderHttpAddr}/execute`, {method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(5_000)})
  return {status: res.status, text: await res.text()}
}

/** Builds the meta API's request handler. Exported on its own so tests can mount it on any server. */
export function createMetaHandler(deps: MetaApiDeps): MetaHandler {
  const impl = new MetaHttp(deps)
  const handler = ((req: IncomingMessage, res: ServerResponse) => impl.handle(req, res)) as MetaHandler
  handler.pendingLongPolls = () => impl.polls.size
  handler.announce = () => impl.announce()
  handler.close = () => impl.close()
  Object.defineProperty(handler, 'limits', {value: impl.limits})
  return handler
}

class MetaHttp {
  readonly limits: MetaApiLimits
  readonly polls = new Set<() => void>()
  private readonly raft: RaftNodeApi
  private readonly store: MetaStore
  private readonly config: MetaApiConfig
  private readonly log: Logger
  private readonly now: () => number
  private readonly fetchStatus: (httpAddr: string) => Promise<unknown>
  private readonly forward: (leaderHttpAddr: string, body: string) => Promise<{status: number; text: string}>
  private readonly auth: MetaAuthenticator
  private readonly requestId: () => string
  private readonly leases = new Map<string, Lease>()
  private leaseTerm = -1
  private membershipChain: Promise<unknown> = Promise.resolve()
  private closed = false
  private readonly routes: Record<string, Partial<Record<'GET' | 'POST', Handler>>>

  constructor(deps: MetaApiDeps) {
    this.raft = deps.raft
    this.store = deps.store
    this.config = deps.config
    this.log = deps.log.child('meta-http')
    this.now = deps.now ?? Date.now
    this.limits = {...DEFAULT_LIMITS, ...deps.limits}
    this.fetchStatus = deps.fetchStatus ?? ((addr) => defaultFetchStatus(this.config, this.now, addr))
    this.forward = deps.forward ?? ((addr, body) => defaultForward(this.config, this.now, addr, body))
    this.auth = new MetaAuthenticator(this.config, this.store, this.now)
    this.requestId = createTimeUuid(this.now)
    this.raft.onChange(() => this.resetLeasesIfLeadershipChanged())
    this.routes = {
      '/status': {GET: (c) => this.status(c)},
      '/ping': {GET: (c) => this.ping(c)},
      '/show-cluster': {GET: (c) => this.showCluster(c)},
      '/show-shards': {GET: (c) => this.showShards(c)},
      '/lease': {GET: (c) => this.lease(c)},
      '/data': {GET: (c) => this.data(c, false)},
      '/user': {GET: (c) => this.listUsers(c), POST: (c) => this.changeUser(c)},
      '/add-meta': {POST: (c) => this.addMeta(c)},
      '/remove-meta': {POST: (c) => this.removeMeta(c)},
      '/add-data': {POST: (c) => this.addData(c)},
      '/remove-data': {POST: (c) => this.removeData(c)},
      '/execute': {POST: (c) => this.execute(c)},
    }
  }

  close(): void {
    this.closed = true
    for (const end of [...this.polls]) end()
  }

  // ----- plumbing

  handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL
    try {
      // Origin-form targets ("/status", even "//status") are paths; anything else (absolute-form) is parsed as is.
      const target = req.url ?? '/'
      url = new URL(target.startsWith('/') ? `http://meta${target}` : target)
    } catch {
      url = new URL('http://meta/')
    }
    const id = this.requestId()
    const ctx: Ctx = {
      req, res, url, path: url.pathname, method: req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET'), id,
      started: process.hrtime.bigint(), username: '', bytes: 0, command: '',
    }
    res.setHeader('Request-Id', id)
    res.setHeader('X-Request-Id', id)
    if (this.config.version !== '') res.setHeader('X-Influxdb-Version', this.config.version)
    if (this.config.clusterTracing) res.once('close', () => this.accessLog(ctx))
    this.route(ctx).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) this.fail(ctx, 500, describe(err))
      else res.destroy()
    })
  }

  private async route(ctx: Ctx): Promise<void> {
    if (this.closed) return this.fail(ctx, 503, 'meta service is shutting down')
    const route = Object.hasOwn(this.routes, ctx.path) ? this.routes[ctx.path] : undefined
    if (ctx.path !== '/ping') {
      const auth = await this.auth.check(ctx.req.headers.authorization)
      if (!auth.ok) return this.fail(ctx, 401, auth.error)
      ctx.username = auth.username
    }
    if (route === undefined) {
      // The OSS meta handler sent every GET it did not know to the snapshot handler, which wants ?index=.
      if (ctx.method === 'GET') return this.data(ctx, true)
      if (ctx.method === 'POST') return this.fail(ctx, 404, `not found: ${ctx.path}`)
      return this.fail(ctx, 405, 'method not allowed', {Allow: 'GET, POST'})
    }
    const handler = Object.hasOwn(route, ctx.method) ? route[ctx.method as 'GET' | 'POST'] : undefined
    if (handler === undefined) return this.fail(ctx, 405, 'method not allowed', {Allow: Object.keys(route).join(', ')})
    await handler(ctx)
  }

  private sendText(ctx: Ctx, status: number, text: string, headers: Record<string, string> = {}): void {
    const {res} = ctx
    if (res.headersSent || res.destroyed || res.writableEnded) return
    const size = Buffer.byteLength(text)
    res.writeHead(status, {'Content-Type': JSON_TYPE, 'Content-Length': String(size), ...headers})
    res.end(text)
    ctx.bytes = size
  }

  private send(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.sendText(ctx, status, JSON.stringify(body), headers)
  }

  private fail(ctx: Ctx, status: number, error: string, headers: Record<string, string> = {}): void {
    this.send(ctx, status, {error}, headers)
  }

  private noLeader(ctx: Ctx): void {
    this.fail(ctx, 503, 'no leader')
  }

  private redirect(ctx: Ctx, leader: RaftServer): void {
    const {res} = ctx
    if (res.headersSent || res.destroyed) return
    res.writeHead(307, {Location: `http://${leader.httpAddr}${ctx.req.url ?? ctx.path}`, 'Content-Length': '0'})
    res.end()
  }

  /** Reads need a joined node that knows a leader; they are then served from the local store. */
  private readable(ctx: Ctx): boolean {
    if (this.raft.joined() && this.raft.leader() !== null) return true
    this.noLeader(ctx)
    return false
  }

  /** Changes need the leader: otherwise 307 to it, or 503 when there is none (or this node is not joined). */
  private leading(ctx: Ctx): boolean {
    if (!this.raft.joined()) {
      this.noLeader(ctx)
      return false
    }
    if (this.raft.role() === 'leader') return true
    const leader = this.raft.leader()
    if (leader === null || leader.id === this.raft.id) this.noLeader(ctx)
    else this.redirect(ctx, leader)
    return false
  }

  /** Turns what Raft threw into the answer the documentation describes. */
  private raftFailure(ctx: Ctx, err: unknown): void {
    if (err instanceof NotLeaderError) {
      if (err.leader === null || err.leader.id === this.raft.id) this.noLeader(ctx)
      else this.redirect(ctx, err.leader)
    } else if (err instanceof BusyError) {
      this.fail(ctx, 503, err.message, {'Retry-After': '1'})
    } else if (err instanceof OutcomeUnknownError) {
      this.fail(ctx, 503, err.message)
    } else {
      this.fail(ctx, 500, describe(err))
    }
  }

  private async propose(cmd: MetaCommand): Promise<{index: number; result: unknown}> {
    const result = await this.raft.propose(encodeCommand(this.now(), cmd))
    // The store's index once the command is applied: the entry's own index or a later one.
    return {index: this.store.index, result}
  }

  /** A domain error result as an HTTP answer. */
  private refuse(ctx: Ctx, err: MetaError, extra: Record<string, unknown> = {}): void {
    const status = err.code === 'not-found' ? 404 : err.code === 'conflict' ? 409 : err.code === 'internal' ? 500 : 400
    this.send(ctx, status, {error: err.error, ...extra})
  }

  /** Runs membership changes one at a time (Raft allows one configuration change in flight). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.membershipChain.then(fn, fn)
    this.membershipChain = run.catch(() => undefined)
    return run
  }

  private resetLeasesIfLeadershipChanged(): void {
    const term = this.raft.term()
    if (this.raft.role() !== 'leader' || term !== this.leaseTerm) {
      this.leases.clear()
      this.leaseTerm = this.raft.role() === 'leader' ? term : -1
    }
  }

  // ----- bodies

  /** The request body, at most limits.maxBodyBytes; undefined when the answer is already given (413) or the client left. */
  private readBody(ctx: Ctx): Promise<Buffer | undefined> {
    const {req} = ctx
    const limit = this.limits.maxBodyBytes
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      this.tooLarge(ctx)
      return Promise.resolve(undefined)
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = []
      let size = 0
      let settled = false
      const settle = (v: Buffer | undefined) => {
        if (settled) return
        settled = true
        req.off('data', onData)
        req.off('end', onEnd)
        req.off('error', onGone)
        req.off('close', onGone)
        resolve(v)
      }
      const onData = (chunk: Buffer) => {
        size += chunk.length
        if (size > limit) {
          // Stop reading at once: the rest of the body is never buffered, and the connection is closed.
          req.pause()
          this.tooLarge(ctx)
          settle(undefined)
          return
        }
        chunks.push(chunk)
      }
      const onEnd = () => settle(Buffer.concat(chunks))
      const onGone = () => settle(undefined)
      req.on('data', onData)
      req.on('end', onEnd)
      req.on('error', onGone)
      req.on('close', onGone)
    })
  }

  private tooLarge(ctx: Ctx): void {
    ctx.res.once('finish', () => ctx.req.socket?.destroySoon())
    this.fail(ctx, 413, `request body too large (the limit is ${this.limits.maxBodyBytes} bytes)`, {Connection: 'close'})
  }

  /** A JSON body; undefined when the answer (413, 400) is already given. */
  private async json(ctx: Ctx): Promise<unknown> {
    const body = await this.readBody(ctx)
    if (body === undefined) return undefined
    const text = body.toString('utf8')
    try {
      const v = JSON.parse(text) as unknown
      ctx.command = JSON.stringify(redactJson(v)).slice(0, 2048)
      return v
    } catch (err) {
      ctx.command = redactText(text)
      this.fail(ctx, 400, `malformed JSON body: ${describe(err)}`)
      return undefined
    }
  }

  /** Form fields from an urlencoded or multipart body plus the query; undefined when the answer is already given. */
  private async form(ctx: Ctx): Promise<Form | undefined> {
    const body = await this.readBody(ctx)
    if (body === undefined) return undefined
    const type = String(ctx.req.headers['content-type'] ?? '').toLowerCase()
    let fields = new Map<string, string>()
    if (type.startsWith('application/x-www-form-urlencoded') || (type === '' && body.length > 0)) {
      const text = body.toString('utf8')
      ctx.command = redactText(text)
      const bad = /%(?![0-9A-Fa-f]{2})/.exec(text)
      if (bad) {
        this.fail(ctx, 400, `invalid URL escape ${JSON.stringify(text.slice(bad.index, bad.index + 3))}`)
        return undefined
      }
      for (const [k, v] of new URLSearchParams(text)) if (!fields.has(k)) fields.set(k, v)
    } else if (type.startsWith('multipart/form-data')) {
      const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(String(ctx.req.headers['content-type']))
      if (!boundary) {
        this.fail(ctx, 400, 'multipart body without a boundary')
        return undefined
      }
      const parsed = parseMultipart(body, boundary[1] ?? boundary[2])
      if (typeof parsed === 'string') {
        this.fail(ctx, 400, parsed)
        return undefined
      }
      fields = parsed
      ctx.command = redactText(new URLSearchParams([...fields]).toString())
    }
    // Other content types carry no form fields (Go's ParseForm ignores them); the query may still have them.
    return new Form(fields, ctx.url.searchParams)
  }

  // ----- access log

  private accessLog(ctx: Ctx): void {
    const {req, res} = ctx
    const ns = Number(process.hrtime.bigint() - ctx.started)
    const host = clientHost(req.socket)
    const uri = redactUri(req.url ?? ctx.path)
    const proto = `HTTP/${req.httpVersion}`
    const referrer = String(req.headers.referer ?? '')
    const agent = String(req.headers['user-agent'] ?? '')
    // Nothing was answered when the request never fully arrived (the server's timeout answered 408 on the socket).
    const status = res.headersSent || req.complete ? res.statusCode : 408
    const readable = goDuration(ns)
    const legacy = `${host} - ${ctx.username || '-'} [${clfTime(this.now())}] ${req.method ?? '-'} ${uri} ${proto} ${status} ${ctx.bytes} ${referrer || '-'} ${agent || '-'} ${ctx.id} ${readable}`
    this.log.info('weblog', {
      host, 'user-id': '', username: ctx.username, method: req.method ?? '', uri, protocol: proto, command: ctx.command,
      status, size: ctx.bytes, referrer, 'user-agent': agent, 'request-id': ctx.id,
      'execution-time': `${(ns / 1e6).toFixed(3)}ms`, 'execution-time-readable': readable,
    }, legacy)
  }

  // ----- reads

  private statusBody(): {nodeType: string; leader: string; httpAddr: string; raftAddr: string; peers: string[] | null} {
    const joined = this.raft.joined()
    return {
      nodeType: 'meta',
      leader: joined ? (this.raft.leader()?.id ?? '') : '',
      httpAddr: this.raft.httpAddr,
      raftAddr: this.raft.id,
      peers: joined ? this.raft.peers() : null,
    }
  }

  private status(ctx: Ctx): void {
    this.send(ctx, 200, this.statusBody())
  }

  private ping(ctx: Ctx): void {
    this.send(ctx, 200, {addr: this.raft.httpAddr})
  }

  private showCluster(ctx: Ctx): void {
    if (!this.readable(ctx)) return
    this.send(ctx, 200, this.store.showCluster(this.now(), this.config.announcementExpirationMs))
  }

  private showShards(ctx: Ctx): void {
    if (!this.readable(ctx)) return
    this.send(ctx, 200, this.store.showShards(this.now()))
  }

  /** GET /data?index=N (and, for any unknown GET path, the OSS fall-through): the meta state once newer than N. */
  private async data(ctx: Ctx, fallThrough: boolean): Promise<void> {
    const raw = ctx.url.searchParams.get('index')
    let after = -1
    if (raw !== null || fallThrough) {
      if (raw === null || !/^\d{1,15}$/.test(raw)) return this.fail(ctx, 400, 'error parsing index')
      after = Number(raw)
    }
    if (!this.readable(ctx)) return
    if (this.store.index <= after && !this.closed) {
      await new Promise<void>((resolve) => {
        const end = () => {
          unsubscribe()
          clearTimeout(timer)
          ctx.res.off('close', end)
          this.polls.delete(end)
          resolve()
        }
        const unsubscribe = this.store.onApply(() => {
          if (this.store.index > after) end()
        })
        const timer = setTimeout(end, this.limits.longPollMs)
        ctx.res.once('close', end)
        this.polls.add(end)
      })
      if (ctx.res.destroyed || ctx.res.writableEnded) return
    }
    this.sendText(ctx, 200, this.store.snapshot())
  }

  private listUsers(ctx: Ctx): void {
    if (!this.readable(ctx)) return
    const name = ctx.url.searchParams.get('name')
    if (name !== null) {
      const user = this.store.user(name)
      if (user === undefined) return this.fail(ctx, 404, 'user not found')
      return this.send(ctx, 200, {users: [publicUser(user)]})
    }
    this.send(ctx, 200, {users: this.store.users().map(publicUser)})
  }

  // ----- the CQ lease

  private lease(ctx: Ctx): void {
    const q = ctx.url.searchParams
    const name = q.get('name')
    if (!name) return this.fail(ctx, 400, 'lease name required')
    const nodeId = q.get('node_id')
    if (!nodeId) return this.fail(ctx, 400, 'node ID required')
    if (!/^\d{1,15}$/.test(nodeId)) return this.fail(ctx, 400, 'invalid node ID')
    if (!this.leading(ctx)) return
    this.resetLeasesIfLeadershipChanged()
    const owner = Number(nodeId)
    const now = this.now()
    const held = this.leases.get(name)
    if (held !== undefined && held.expiration > now && held.owner !== owner) {
      return this.send(ctx, 409, leaseBody(held))
    }
    const lease: Lease = {name, expiration: now + this.config.leaseDurationMs, owner}
    this.leases.set(name, lease)
    this.send(ctx, 200, leaseBody(lease))
  }

  // ----- changes

  private async execute(ctx: Ctx): Promise<void> {
    const body = await this.json(ctx)
    if (body === undefined) return
    if (!this.leading(ctx)) return
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('cmd' in body)) {
      return this.fail(ctx, 400, 'expected a JSON object {"cmd": {...}}')
    }
    let raw = (body as {cmd: unknown}).cmd
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const c = raw as Record<string, unknown>
      if (c.type === 'createMetaNode' || c.type === 'deleteMetaNode') {
        return this.fail(ctx, 400, `${c.type} changes Raft membership: use POST /add-meta or /remove-meta`)
      }
      if (c.type === 'createUser' || c.type === 'setPassword') {
        // Clients send a password; only its hash is proposed, so no clear password reaches the Raft log.
        if ('hash' in c) return this.fail(ctx, 400, 'send the password, not a hash')
        if (typeof c.password !== 'string' || c.password === '') return this.fail(ctx, 400, 'password required')
        const {password, ...rest} = c
        raw = {...rest, hash: await hashPassword(password)}
      }
    }
    const cmd = parseCommand(raw)
    if (typeof cmd === 'string') return this.fail(ctx, 400, cmd)
    try {
      const {index, result} = await this.propose(cmd)
      if (isMetaError(result)) return this.refuse(ctx, result, {index})
      this.send(ctx, 200, {index, result})
    } catch (err) {
      this.raftFailure(ctx, err)
    }
  }

  private async changeUser(ctx: Ctx): Promise<void> {
    const body = await this.json(ctx)
    if (body === undefined) return
    if (!this.leading(ctx)) return
    const b = (typeof body === 'object' && body !== null ? body : {}) as {action?: unknown; user?: unknown}
    const user = (typeof b.user === 'object' && b.user !== null ? b.user : {}) as Record<string, unknown>
    if (typeof b.action !== 'string') return this.fail(ctx, 400, 'action required')
    if (typeof user.name !== 'string' || user.name === '') return this.fail(ctx, 400, 'user name required')
    let cmd: MetaCommand
    switch (b.action) {
      case 'create':
      case 'change-password': {
        if (typeof user.password !== 'string' || user.password === '') return this.fail(ctx, 400, 'password required')
        const hash = await hashPassword(user.password)
        cmd = b.action === 'create'
          ? {type: 'createUser', name: user.name, hash, admin: user.admin === true, ...(user.permissions === undefined ? {} : {permissions: user.permissions as Record<string, string[]>})}
          : {type: 'setPassword', name: user.name, hash}
        break
      }
      case 'delete':
        cmd = {type: 'deleteUser', name: user.name}
        break
      default:
        return this.fail(ctx, 400, `unsupported action ${JSON.stringify(b.action.slice(0, 64))} (the dev cluster knows create, delete and change-password)`)
    }
    const checked = parseCommand(cmd)
    if (typeof checked === 'string') return this.fail(ctx, 400, checked)
    try {
      const {result} = await this.propose(checked)
      if (isMetaError(result)) return this.refuse(ctx, result)
      this.send(ctx, 200, result)
    } catch (err) {
      this.raftFailure(ctx, err)
    }
  }

  /** Asks `addr` for its /status and checks that a meta node answered. */
  private async inspectMetaNode(addr: string): Promise<{httpAddr: string; raftAddr: string; peers: string[] | null} | string> {
    const prefix = `unable to determine if ${JSON.stringify(addr)} is a meta node`
    let body: unknown
    try {
      body = await this.fetchStatus(addr)
    } catch (err) {
      return `${prefix}: ${describe(err)}`
    }
    const checked = await checkMetaStatus(body)
    if (!checked.ok) return `${prefix}: unexpected /status answer (${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`
    const st = checked.status
    if (st.nodeType !== 'meta') return `${prefix}: it says it is a ${JSON.stringify(st.nodeType)} node`
    if (!isHostPort(st.raftAddr)) return `${prefix}: it advertises the raft address ${JSON.stringify(st.raftAddr)}`
    if (!isHostPort(st.httpAddr)) return `${prefix}: it advertises the HTTP address ${JSON.stringify(st.httpAddr)}`
    return {httpAddr: st.httpAddr, raftAddr: st.raftAddr, peers: st.peers}
  }

  private async addMeta(ctx: Ctx): Promise<void> {
    const form = await this.form(ctx)
    if (form === undefined) return
    const addr = form.get('addr')
    if (addr === undefined || addr === '') return this.fail(ctx, 400, 'addr required')
    if (!isHostPort(addr)) return this.fail(ctx, 400, `invalid address ${JSON.stringify(addr)}: expected host:port`)
    // A joined follower sends the caller to the leader; an un-joined node forms its own cluster below.
    if (this.raft.joined() && !this.leading(ctx)) return
    try {
      await this.exclusive(async () => {
        let target = addr === this.raft.httpAddr ? {httpAddr: this.raft.httpAddr, raftAddr: this.raft.id, peers: null} : await this.inspectMetaNode(addr)
        if (typeof target === 'string') return this.fail(ctx, 400, target)
        const self = target.raftAddr === this.raft.id
        if (self) target = {httpAddr: this.raft.httpAddr, raftAddr: this.raft.id, peers: null}
        if (!self && target.httpAddr !== addr) {
          this.log.warn('Meta node advertises a different HTTP address than the one given to add-meta', {addr, advertised: target.httpAddr}, `Meta node at ${addr} advertises a different HTTP address, ${target.httpAddr}; using the advertised one`)
        }
        if (!self && target.peers !== null && !(this.raft.joined() && target.peers.includes(this.raft.id))) {
          return this.fail(ctx, 409, `${JSON.stringify(addr)} is already a member of another meta cluster (peers ${target.peers.join(', ')})`)
        }
        if (!this.raft.joined()) {
          await this.raft.bootstrap()
          const me = await this.propose({type: 'createMetaNode', httpAddr: this.raft.httpAddr, raftAddr: this.raft.id})
          if (isMetaError(me.result)) return this.refuse(ctx, me.result)
          this.log.info('Formed a new meta cluster', {raftAddr: this.raft.id}, `Formed a new meta cluster with ${this.raft.id}`)
        } else if (this.raft.role() !== 'leader') {
          // Leadership moved while this request waited for the previous membership change.
          this.leading(ctx)
          return
        }
        const created = await this.propose({type: 'createMetaNode', httpAddr: target.httpAddr, raftAddr: target.raftAddr})
        if (isMetaError(created.result)) return this.refuse(ctx, created.result)
        const node = created.result as MetaNodeInfo
        if (!self && !this.raft.servers().some((s) => s.id === target.raftAddr)) {
          await this.raft.addVoter({id: target.raftAddr, httpAddr: target.httpAddr})
          this.log.info('Meta node joined the cluster', {id: node.id, addr: node.addr, raftAddr: node.tcpAddr}, `Meta node ${node.id} joined the cluster: http ${node.addr}, raft ${node.tcpAddr}`)
        }
        this.send(ctx, 200, node)
      })
    } catch (err) {
      this.raftFailure(ctx, err)
    }
  }

  private async removeMeta(ctx: Ctx): Promise<void> {
    const form = await this.form(ctx)
    if (form === undefined) return
    const addr = form.get('addr')
    if (addr === undefined || addr === '') return this.fail(ctx, 400, 'addr required')
    const tcpAddr = form.get('tcpAddr')
    if (!this.leading(ctx)) return
    try {
      await this.exclusive(async () => {
        if (this.raft.role() !== 'leader') {
          this.leading(ctx)
          return
        }
        const node = this.store.findMetaNode({httpAddr: addr})
        const server = this.raft.servers().find((s) => s.httpAddr === addr || (tcpAddr !== undefined && s.id === tcpAddr))
        if (node === undefined && server === undefined) return this.fail(ctx, 404, `meta node not found: ${addr}`)
        const removed = node === undefined ? {addr, tcpAddr: server!.id} : {...node}
        if (node !== undefined) {
          const r = await this.propose({type: 'deleteMetaNode', id: node.id})
          if (isMetaError(r.result)) return this.refuse(ctx, r.result)
        }
        // The store first, then Raft: once a removed leader's configuration commits it no longer accepts proposals.
        if (this.raft.servers().some((s) => s.id === removed.tcpAddr)) await this.raft.remove(removed.tcpAddr)
        this.log.info('Meta node left the cluster', {addr: removed.addr, raftAddr: removed.tcpAddr}, `Meta node at ${removed.addr} left the cluster (raft ${removed.tcpAddr})`)
        this.send(ctx, 200, removed)
      })
    } catch (err) {
      this.raftFailure(ctx, err)
    }
  }

  private async addData(ctx: Ctx): Promise<void> {
    const form = await this.form(ctx)
    if (form === undefined) return
    const addr = form.get('addr')
    if (addr === undefined || addr === '') return this.fail(ctx, 400, 'addr required')
    if (!isHostPort(addr)) return this.fail(ctx, 400, `invalid address ${JSON.stringify(addr)}: expected host:port`)
    if (!this.leading(ctx)) return
    // Part 1 of the dev cluster has no data nodes: the node is registered without dialling its TCP port. Enterprise
    // reaches the data node on 8088 first and the data node then registers itself (enterprise-1x.md §2.4).
    try {
      const {result} = await this.propose({type: 'createDataNode', tcpAddr: addr})
      if (isMetaError(result)) return this.refuse(ctx, result)
      this.send(ctx, 200, result)
    } catch (err) {
      this.raftFailure(ctx, err)
    }
  }

  private async removeData(ctx: Ctx): Promise<void> {
    const form = await this.form(ctx)
    if (form === undefined) return
    const id = form.get('id')
    const addr = form.get('addr')
    if ((id === undefined || id === '') && (addr === undefined || addr === '')) return this.fail(ctx, 400, 'id or addr required')
    if (id !== undefined && id !== '' && !/^\d{1,15}$/.test(id)) return this.fail(ctx, 400, 'invalid node ID')
    if (!this.leading(ctx)) return
    const node = id !== undefined && id !== '' ? this.store.findDataNode({id: Number(id)}) : this.store.findDataNode({tcpAddr: addr})
    if (node === undefined) return this.fail(ctx, 404, id !== undefined && id !== '' ? `data node ${id} not found` : `data node not found: ${addr}`)
    try {
      const {result} = await this.propose({type: 'deleteDataNode', id: node.id})
      if (isMetaError(result)) return this.refuse(ctx, result)
      this.send(ctx, 200, result)
    } catch (err) {
      this.raftFailure(ctx, err)
    }
  }

  // ----- announcements

  /**
   * Proposes `announce` for this meta node with its version: directly on the leader, through the leader's
   * POST /execute otherwise. Meant to run every `gossip-frequency`; /show-cluster blanks the version of a node whose
   * last announcement is older than `announcement-expiration`. Throws when no leader can take it.
   */
  async announce(): Promise<void> {
    const me = this.store.findMetaNode({raftAddr: this.raft.id})
    if (me === undefined) throw new Error('this meta node is not in the cluster')
    const cmd: MetaCommand = {type: 'announce', nodeId: me.id, version: this.config.version}
    if (this.raft.role() === 'leader') {
      const {result} = await this.propose(cmd)
      if (isMetaError(result)) throw new Error(result.error)
      return
    }
    const leader = this.raft.leader()
    if (leader === null || !this.raft.joined()) throw new NotLeaderError(null)
    const r = await this.forward(leader.httpAddr, JSON.stringify({cmd}))
    if (r.status !== 200) throw new Error(`announce through ${leader.httpAddr}: HTTP ${r.status} ${r.text.slice(0, 200)}`)
  }
}

function leaseBody(l: Lease): {name: string; expiration: string; owner: number} {
  return {name: l.name, expiration: rfc3339Nano(l.expiration), owner: l.owner}
}

/** Writes a minimal answer on a connection the HTTP parser gave up on (bad request line, timeouts, huge headers). */
function answerClientError(err: Error & {code?: string}, socket: Socket): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy()
    return
  }
  const [status, reason, message] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'Request Timeout', 'request timeout']
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request headers too large']
      : [400, 'Bad Request', 'bad request']
  const body = JSON.stringify({error: message})
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  socket.destroySoon()
}

/** Starts the meta API on `listen` (port 0 picks a free port). Resolves once listening. */
export async function startMetaApi(deps: MetaApiDeps, listen: {host: string; port: number}): Promise<MetaApi> {
  const handler = createMetaHandler(deps)
  const limits = handler.limits
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckMs,
  }, handler)
  // Idle sockets (no request at all) are dropped after a while as well.
  server.timeout = Math.max(limits.requestTimeoutMs, limits.longPollMs) + 10_000
  server.on('clientError', answerClientError)
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err)
    server.once('error', onError)
    server.listen(listen.port, listen.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  const info = server.address() as AddressInfo
  const address = info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`
  // Requests in flight per connection, so that close() can drop idle keep-alive connections at once and the others
  // as soon as their answer is written (Node's own idle tracking counts a connection waiting on a long poll as idle).
  const inFlight = new Map<Socket, number>()
  let closing: Promise<void> | undefined
  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0)
    socket.once('close', () => inFlight.delete(socket))
  })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1)
    res.once('close', () => {
      const left = Math.max(0, (inFlight.get(socket) ?? 1) - 1)
      inFlight.set(socket, left)
      if (closing !== undefined && left === 0) socket.destroySoon()
    })
  })
  return {
    server,
    address,
    handler,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        handler.close()
        const cut = setTimeout(() => server.closeAllConnections(), limits.closeGraceMs)
        cut.unref()
        server.close(() => {
          clearTimeout(cut)
          resolve()
        })
        for (const [socket, n] of inFlight) if (n === 0) socket.destroy()
      })
      return closing
    },
  }
}
