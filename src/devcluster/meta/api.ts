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
 *   text line of §2.7 (after a Go log stamp in the 1.0-1.1 shape, after the bare `[meta-http]` prefix in the 1.2-1.4
 *   shape) or the 1.9.6+ `weblog` fields, with passwords in POST bodies redacted.
 *
 * The HTTP plumbing (request bookkeeping, body limits, the server's lifecycle), the body parsers and the access-log
 * formats are every node's and live in ../node/; this file holds the meta API's routes and handlers.
 *
 * Shapes of our own (Enterprise does not document them): POST /execute takes {"cmd": <MetaCommand as JSON>} and
 * answers {"index", "result"}; GET /data?index=N long-polls and answers the whole meta state as JSON (the real
 * `GET /?index=N` answers protobuf); GET /show-shards answers a list of ShowShardsRow.
 */
import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {checkMetaStatus, loadSchemas} from '../../wire/schemas.js'
import {accessRecord, metaAccessLine, weblogFields} from '../node/access-log.js'
import {type Form, readForm, readJson} from '../node/body.js'
import {jsonOf, type NodeHttpClient} from '../node/http-client.js'
import {
  DEFAULT_SERVER_LIMITS, type Exchange, JSON_TYPE, listenHttp, openExchange, sendError, sendJson, sendText, type ServerLimits,
} from '../node/http-server.js'
import {bearer} from '../node/jwt.js'
import type {Logger} from '../node/logger.js'
import {rfc3339Nano} from '../node/go-text.js'
import {messageOf} from '../node/process.js'
import type {RpcClient} from '../node/rpc/client.js'
import {decodeMessage, encodeMessage, type JoinClusterRequest, type JoinClusterResponse, MsgType} from '../node/rpc/frame.js'
import {BusyError, NotLeaderError, OutcomeUnknownError, type RaftNodeApi} from '../raft/node-api.js'
import type {Server as RaftServer} from '../raft/types.js'
import {hashPassword, MetaAuthenticator} from './auth.js'
import {createTimeUuid} from '../node/request-id.js'
import {encodeCommand, isHostPort, isMetaError, type MetaCommand, type MetaError, parseCommand} from './commands.js'
import {type MetaNodeInfo, MetaStore, publicUser} from './store.js'

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

/** Limits of the meta API's server; the defaults suit a node, tests shorten them. */
export interface MetaApiLimits extends ServerLimits {
  /** How long GET /data waits for a newer index before answering the current state. */
  longPollMs: number
}

export const DEFAULT_LIMITS: MetaApiLimits = {...DEFAULT_SERVER_LIMITS, longPollMs: 30_000}

export interface MetaApiDeps {
  raft: RaftNodeApi
  store: MetaStore
  config: MetaApiConfig
  log: Logger
  now?: () => number
  /** The client for node-to-node requests (the meta node's own; closed by its owner). */
  http: NodeHttpClient
  /** GET http://<httpAddr>/status of a node being added (default: through `http`, signed when auth is on). */
  fetchStatus?: (httpAddr: string) => Promise<unknown>
  /**
   * Tells the data node at `tcpAddr` (its cluster RPC address) to join, with the meta servers it should use; the data
   * node then registers itself. Default: a JoinClusterRequest over the cluster RPC through `rpc`.
   */
  joinData?: (tcpAddr: string, metaServers: string[]) => Promise<void>
  /** The cluster RPC client for joinData (the meta node's own; closed by its owner). */
  rpc?: RpcClient
  /** Sends a command to the leader's POST /execute (used by announce() on followers; default: through `http`). */
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

type Ctx = Exchange

type Handler = (ctx: Ctx) => Promise<void> | void

const describe = messageOf

/** What a node-to-node request carries: the meta client's user agent and, with auth on, an internal-secret JWT. */
function internalHeaders(config: MetaApiConfig, now: () => number): Record<string, string> {
  const headers: Record<string, string> = {'user-agent': 'InfluxDB Meta Client'}
  return config.authEnabled && config.internalSharedSecret !== '' ? {...headers, ...bearer('', config.internalSharedSecret, now())} : headers
}

async function defaultFetchStatus(http: NodeHttpClient, config: MetaApiConfig, now: () => number, httpAddr: string): Promise<unknown> {
  const res = await http.get(`http://${httpAddr}/status`, {headers: {accept: JSON_TYPE, ...internalHeaders(config, now)}, timeoutMs: 5_000, maxResponseBytes: 1024 * 1024})
  if (res.status !== 200) throw new Error(`${res.url}: HTTP ${res.status} ${res.text.trim().slice(0, 200)}`)
  const body = jsonOf(res)
  if (body === undefined) throw new Error(`${res.url}: the answer is not JSON (starts with ${JSON.stringify(res.text.slice(0, 60))})`)
  return body
}

async function defaultForward(http: NodeHttpClient, config: MetaApiConfig, now: () => number, leaderHttpAddr: string, body: string): Promise<{status: number; text: string}> {
  const res = await http.post(`http://${leaderHttpAddr}/execute`, body, {headers: {'content-type': JSON_TYPE, ...internalHeaders(config, now)}, timeoutMs: 5_000})
  return {status: res.status, text: res.text}
}

/**
 * The meta leader's half of add-data: a JoinClusterRequest to the data node's cluster RPC port. The data node stores
 * the meta servers (client.json) and creates itself in the meta store before it answers; a node that cannot be
 * reached, or that refuses, fails the add-data with its reason (`dial tcp ...: connect: connection refused`).
 */
async function defaultJoinData(rpc: RpcClient | undefined, tcpAddr: string, metaServers: string[]): Promise<void> {
  if (rpc === undefined) throw new Error('this meta node cannot reach data nodes (no cluster RPC client)')
  const answer = await rpc.call(tcpAddr, MsgType.JoinClusterRequest, encodeMessage({metaServers, update: false} satisfies JoinClusterRequest), {timeoutMs: 15_000})
  if (answer.type !== MsgType.JoinClusterResponse) throw new Error(`unexpected answer type ${answer.type} from ${tcpAddr}`)
  const {header} = decodeMessage<JoinClusterResponse>(answer.body)
  if (header.code !== 0) throw new Error(header.message)
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
  private readonly joinData: (tcpAddr: string, metaServers: string[]) => Promise<void>
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
    this.fetchStatus = deps.fetchStatus ?? ((addr) => defaultFetchStatus(deps.http, this.config, this.now, addr))
    this.forward = deps.forward ?? ((addr, body) => defaultForward(deps.http, this.config, this.now, addr, body))
    this.joinData = deps.joinData ?? ((addr, servers) => defaultJoinData(deps.rpc, addr, servers))
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
    const id = this.requestId()
    const ctx = openExchange(req, res, id)
    res.setHeader('Request-Id', id)
    res.setHeader('X-Request-Id', id)
    if (this.config.version !== '') res.setHeader('X-Influxdb-Version', this.config.version)
    if (this.config.clusterTracing) res.once('close', () => {
      const r = accessRecord(ctx)
      this.log.access(weblogFields(r), metaAccessLine(r, this.now()))
    })
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
    sendText(ctx, status, text, headers)
  }

  private send(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
    sendJson(ctx, status, body, headers)
  }

  private fail(ctx: Ctx, status: number, error: string, headers: Record<string, string> = {}): void {
    sendError(ctx, status, error, headers)
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

  // ----- bodies (node/body.ts: linear parsers, size limit, 400/413 answered there)

  /** A JSON body; undefined when the answer (413, 400) is already given. */
  private async json(ctx: Ctx): Promise<unknown> {
    return (await readJson(ctx, this.limits.maxBodyBytes))?.value
  }

  /** Form fields from an urlencoded or multipart body plus the query; undefined when the answer is already given. */
  private form(ctx: Ctx): Promise<Form | undefined> {
    return readForm(ctx, this.limits.maxBodyBytes)
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
      return this.sendText(ctx, 409, leaseBody(held))
    }
    const lease: Lease = {name, expiration: now + this.config.leaseDurationMs, owner}
    this.leases.set(name, lease)
    this.sendText(ctx, 200, leaseBody(lease))
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
    // The next add-meta checks the new node's /status with the zod schemas: start loading them now (the first add-meta
    // names this node itself and needs none), not at boot, where they would take CPU from the other nodes starting.
    void loadSchemas().catch(() => undefined)
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
    // As Enterprise does (data-nodes.md §7): the leader dials the data node, which registers itself through /execute
    // before it answers. The record is then proposed once more (a no-op for a node that registered itself), so the
    // answer is the node's record as this leader has applied it.
    try {
      await this.joinData(addr, this.store.state().metaNodes.map((n) => n.addr))
    } catch (err) {
      return this.fail(ctx, 500, describe(err))
    }
    // The node registered itself through this leader, so the record is applied here already.
    const joined = this.store.findDataNode({tcpAddr: addr})
    if (joined !== undefined) return this.send(ctx, 200, joined)
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

/**
 * The lease as the meta node answers it, 200 and 409 alike: the open-source precursor's fields (name, expiration,
 * owner), indented by four spaces and ended by a newline. Compact, as the precursor wrote it, the body is 85 bytes; the
 * FAQ's access-log lines show 105 for both answers, which is exactly this layout with a nanosecond expiration
 * (data-nodes.md §5.36; the exact Enterprise code is not public, so the layout is inferred from that size).
 */
function leaseBody(l: Lease): string {
  return JSON.stringify({name: l.name, expiration: rfc3339Nano(l.expiration), owner: l.owner}, null, 4) + '\n'
}

/** Starts the meta API on `listen` (port 0 picks a free port). Resolves once listening. */
export async function startMetaApi(deps: MetaApiDeps, listen: {host: string; port: number}): Promise<MetaApi> {
  const handler = createMetaHandler(deps)
  const limits = handler.limits
  const http = await listenHttp(handler, {
    host: listen.host, port: listen.port, limits,
    // A socket with no request at all is dropped after a while, but never while a long poll may be waiting on it.
    idleSocketMs: Math.max(limits.requestTimeoutMs, limits.longPollMs) + 10_000,
    onClose: () => handler.close(),
  })
  return {server: http.server, address: http.address, handler, close: () => http.close()}
}
