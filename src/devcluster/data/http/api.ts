/**
 * The data node's HTTP API (the 8086 port of InfluxDB 1.x): /ping, /status, /write, /query and /debug/vars, answered
 * as influxd 1.6.7 answers them (statuses, bodies, headers; compared with the binary, see docs/devcluster.md), with
 * Enterprise's `X-Influxdb-Build: ENT`.
 *
 * The request path, as influxd's handler chain runs it:
 *  - every request counts in the `httpd` statistic and gets `X-Influxdb-Version` / `X-Influxdb-Build`;
 *  - /debug/vars (any method, any path below it) answers the node's statistics: no request id, no access-log line;
 *  - a path no route has: 404 `404 page not found` (text/plain); a route without the method: 405 `Method Not
 *    Allowed` with `Allow` (Go's mux answers; neither is logged);
 *  - a route: the request id (the client's X-Request-Id or Request-Id, else a new time UUID) in both headers, CORS
 *    headers for an Origin (OPTIONS ends there with 200), Content-Type from Accept, gzip for /query when accepted,
 *    authentication for /query and /write (auth.ts), then the handler (write.ts, query.ts);
 *  - with `[http] log-enabled`, one `[httpd]` access line per route request (Apache combined format plus request
 *    id and microseconds, `p=` redacted), and for each 5xx the `[500] - "<error>"` error line.
 * The server's limits (http-server.ts) cut slow clients off; request bodies are bounded (body.ts).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import {escapeControl} from '../../../util/text.js'
import {goQuote} from '../../../lineprotocol/escape.js'
import {accessRecord, weblogFields} from '../../node/access-log.js'
import {clfTime} from '../../node/go-text.js'
import {DEFAULT_SERVER_LIMITS, listenHttp, openExchange, type ServerLimits} from '../../node/http-server.js'
import type {Logger} from '../../node/logger.js'
import {createTimeUuid} from '../../node/request-id.js'
import {authenticate, logUsername, PasswordChecker} from './auth.js'
import type {DataHttpDeps, HttpUser} from './deps.js'
import {type Call, loggedUri, openCall, sendBody, sendError, sendStatus} from './exchange.js'
import {serveQuery} from './query.js'
import {debugVarsBody, HttpdStats} from './vars.js'
import {serveWrite} from './write.js'

export interface DataHttpApi {
  readonly address: {host: string; port: number}
  close(): Promise<void>
}

type RouteHandler = (call: Call, user: HttpUser | undefined) => Promise<void> | void

interface Route {
  /** Methods in the order the Allow header lists them. */
  methods: Record<string, RouteHandler>
  authenticated: boolean
  gzip: boolean
  logged: boolean
}

/** Text answers of Go's mux (http.Error): text/plain, nosniff, the text and a newline. */
function goHttpError(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): number {
  const body = `${text}\n`
  res.writeHead(status, {...headers, 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(Buffer.byteLength(body))})
  res.end(body)
  return Buffer.byteLength(body)
}

const CORS_HEADERS = {
  'Access-Control-Allow-Methods': 'DELETE, GET, OPTIONS, POST, PUT',
  'Access-Control-Allow-Headers': 'Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token, X-HTTP-Method-Override',
  'Access-Control-Expose-Headers': 'Date, X-InfluxDB-Version, X-InfluxDB-Build',
}

class DataHttp {
  readonly stats: HttpdStats
  private readonly log: Logger
  private readonly requestId: () => string
  private readonly passwords = new PasswordChecker()
  private readonly routes: Record<string, Route>
  private readonly startedMs: number

  constructor(private readonly deps: DataHttpDeps) {
    this.stats = new HttpdStats(deps.config.bindAddress)
    this.log = deps.log.child('httpd')
    this.requestId = createTimeUuid(deps.now)
    this.startedMs = Math.round(deps.now() - process.uptime() * 1000)
    const options: RouteHandler = (call) => sendStatus(call, 204)
    const ping: RouteHandler = (call) => this.ping(call)
    const status: RouteHandler = (call) => this.status(call)
    const query: RouteHandler = (call, user) => serveQuery(call, this.deps, user)
    this.routes = {
      '/query': {methods: {OPTIONS: options, GET: query, POST: query}, authenticated: true, gzip: true, logged: true},
      '/write': {methods: {OPTIONS: options, POST: (call, user) => serveWrite(call, this.deps, user)}, authenticated: true, gzip: false, logged: true},
      '/ping': {methods: {GET: ping, HEAD: ping}, authenticated: false, gzip: false, logged: true},
      '/status': {methods: {GET: status, HEAD: status}, authenticated: false, gzip: false, logged: true},
    }
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const {stats} = this
    stats.req++
    stats.reqActive++
    const started = process.hrtime.bigint()
    res.once('close', () => {
      stats.reqActive--
      stats.reqDurationNs += Number(process.hrtime.bigint() - started)
    })
    res.setHeader('X-Influxdb-Version', this.deps.version)
    res.setHeader('X-Influxdb-Build', 'ENT')
    this.route(req, res).catch((err: unknown) => {
      stats.recoveredPanics++
      const message = err instanceof Error ? err.message : String(err)
      this.log.error('HTTP handler failed', {error: message, path: escapeControl((req.url ?? '').slice(0, 256))})
      if (!res.headersSent && !res.destroyed) goHttpError(res, 500, 'Internal Server Error')
      else res.destroy()
    })
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (() => {
      try {
        return new URL(req.url ?? '/', 'http://node').pathname
      } catch {
        return '/'
      }
    })()
    if (path.startsWith('/debug/vars')) return this.debugVars(res)
    const route = Object.hasOwn(this.routes, path) ? this.routes[path] : undefined
    if (route === undefined) {
      goHttpError(res, 404, '404 page not found')
      return
    }
    const method = req.method ?? 'GET'
    const handler = Object.hasOwn(route.methods, method) ? route.methods[method] : undefined
    if (handler === undefined) {
      goHttpError(res, 405, 'Method Not Allowed', {Allow: Object.keys(route.methods).join(', ')})
      return
    }

    // influxd keeps the client's id (X-Request-Id first); one Node would refuse to send back gets a new id instead.
    const given = firstHeader(req.headers['x-request-id']) || firstHeader(req.headers['request-id'])
    let id = given || this.requestId()
    try {
      res.setHeader('X-Request-Id', id)
    } catch {
      id = this.requestId()
      res.setHeader('X-Request-Id', id)
    }
    res.setHeader('Request-Id', id)
    const ex = openExchange(req, res, id)
    ex.method = method
    const call = openCall(ex, this.stats, route.gzip)
    call.username = logUsername(req, ex.url)
    call.logUri = loggedUri(req, ex.url)
    if (this.deps.config.logEnabled && route.logged) res.once('close', () => this.accessLog(call))

    const origin = firstHeader(req.headers.origin)
    if (origin !== '') {
      res.setHeader('Access-Control-Allow-Origin', origin)
      for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v)
    }
    if (method === 'OPTIONS') {
      res.writeHead(200, {'Content-Length': '0'})
      res.end()
      return
    }
    res.setHeader('Content-Type', call.format === 'csv' ? 'text/csv' : 'application/json')
    if (call.gzip) res.setHeader('Content-Encoding', 'gzip')

    let user: HttpUser | undefined
    if (route.authenticated) {
      const auth = await authenticate({
        authEnabled: this.deps.config.authEnabled, sharedSecret: this.deps.config.sharedSecret, now: this.deps.now,
        user: (name) => this.deps.user(name),
        adminUserExists: () => (this.deps.adminUserExists ? this.deps.adminUserExists() : this.deps.userCount() > 0),
      }, this.passwords, req, ex.url)
      if (!auth.ok) {
        if (auth.counted) this.stats.authFail++
        return sendError(call, auth.status, auth.error)
      }
      user = auth.user
    }
    await handler(call, user)
  }

  private ping(call: Call): void {
    this.stats.pingReq++
    const verbose = call.url.searchParams.get('verbose') ?? ''
    if (verbose !== '' && verbose !== '0' && verbose !== 'false') return sendBody(call, 200, JSON.stringify({version: this.deps.version}))
    sendStatus(call, 204)
  }

  private status(call: Call): void {
    this.log.info('WARNING: /status has been deprecated.  Use /ping instead.')
    this.stats.statusReq++
    sendStatus(call, 204)
  }

  private async debugVars(res: ServerResponse): Promise<void> {
    const body = await debugVarsBody(this.deps.stats, this.startedMs, this.deps.now())
    if (res.destroyed) return
    res.writeHead(200, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body))})
    res.end(body)
  }

  private accessLog(call: Call): void {
    const r = {...accessRecord(call), uri: escapeControl(call.logUri), username: escapeControl(call.username)}
    const startedMs = this.deps.now() - r.durationNs / 1e6
    const micros = Math.floor(r.durationNs / 1000)
    const line = `${r.host} - ${r.username || '-'} [${clfTime(startedMs)}] "${r.method} ${r.uri} ${r.protocol}" ${r.status} ${r.bytes} "${escapeControl(r.referrer) || '-'}" "${escapeControl(r.userAgent) || '-'}" ${escapeControl(r.requestId)} ${micros}`
    this.log.access(weblogFields({...r, referrer: escapeControl(r.referrer), userAgent: escapeControl(r.userAgent)}), line)
    if (r.status >= 500) {
      // influxd quotes the X-Influxdb-Error value: the message cut at 1024 bytes.
      const err = call.error === undefined ? '' : Buffer.from(call.error, 'utf8').subarray(0, 1024).toString('utf8')
      if (err !== '') this.log.error(`[${r.status}] - ${goQuote(err)}`)
    }
  }
}

function firstHeader(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

/** Limits of the API's server: a longer request timeout than the meta API's (25 MB write bodies on slow links). */
export const DATA_HTTP_LIMITS: ServerLimits = {...DEFAULT_SERVER_LIMITS, requestTimeoutMs: 120_000}

/** Starts the API on `listen` (port 0 picks a free port) and registers its `httpd` statistic; resolves once listening. */
export async function startDataHttpApi(deps: DataHttpDeps, listen: {host: string; port: number}, limits: Partial<ServerLimits> = {}): Promise<DataHttpApi> {
  const api = new DataHttp(deps)
  const all = {...DATA_HTTP_LIMITS, ...limits}
  const server = await listenHttp((req, res) => api.handle(req, res), {
    host: listen.host, port: listen.port, limits: all,
    // Queries may run long before their first byte: idle sockets are left to the keep-alive and request timeouts.
    idleSocketMs: 15 * 60_000,
  })
  if (deps.config.maxConnectionLimit > 0) server.server.maxConnections = deps.config.maxConnectionLimit
  const unregister = deps.stats.register(() => [api.stats.statistic()])
  const info = server.server.address()
  const port = typeof info === 'object' && info !== null ? info.port : listen.port
  return {
    address: {host: listen.host, port},
    close: async () => {
      unregister()
      await server.close()
    },
  }
}
