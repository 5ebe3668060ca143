/**
 * The HTTP plumbing every dev-cluster node shares (the meta API on 8091, the data API on 8086): one request's
 * bookkeeping (an Exchange: id, start time, bytes answered, user, the body as logged), answers in InfluxDB's shape
 * (`{"error": "..."}` JSON), the request body read under a size limit (413 and the connection closed, the rest never
 * buffered), and a server with timeouts for slow clients, a minimal answer for requests the HTTP parser refuses, and a
 * close() that lets answers in flight finish while idle keep-alive connections are dropped at once.
 *
 * Handlers and routes are the roles' own (meta/api.ts); so are their access-log lines (access-log.ts formats them).
 */
import {createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {joinHostPort} from '../../util/hostport.js'

export const JSON_TYPE = 'application/json'

/** Limits of a node's HTTP server; the defaults suit a node, tests shorten them. */
export interface ServerLimits {
  maxBodyBytes: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  /** How often the server looks for requests past their timeouts. */
  timeoutCheckMs: number
  /** How long close() lets in-flight requests finish before cutting their connections. */
  closeGraceMs: number
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckMs: 1_000,
  closeGraceMs: 2_000,
}

/** One request and what its handlers and its access-log line need to know about it. */
export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  path: string
  /** GET for HEAD requests (they are answered like GET, without a body). */
  method: string
  /** The Request-Id header and the access log's request id. */
  id: string
  started: bigint
  /** The authenticated user, '' when none. */
  username: string
  /** Bytes of the answer's body. */
  bytes: number
  /** The request body as the access log shows it (secrets redacted), '' when none was read. */
  command: string
}

export function openExchange(req: IncomingMessage, res: ServerResponse, id: string): Exchange {
  let url: URL
  try {
    // Origin-form targets ("/status", even "//status") are paths; anything else (absolute-form) is parsed as is.
    const target = req.url ?? '/'
    url = new URL(target.startsWith('/') ? `http://node${target}` : target)
  } catch {
    url = new URL('http://node/')
  }
  return {
    req, res, url, path: url.pathname, method: req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET'), id,
    started: process.hrtime.bigint(), username: '', bytes: 0, command: '',
  }
}

/** Answers with `text` unless an answer has already started. */
export function sendText(ex: Exchange, status: number, text: string, headers: Record<string, string> = {}): void {
  const {res} = ex
  if (res.headersSent || res.destroyed || res.writableEnded) return
  const size = Buffer.byteLength(text)
  res.writeHead(status, {'Content-Type': JSON_TYPE, 'Content-Length': String(size), ...headers})
  res.end(text)
  ex.bytes = size
}

export function sendJson(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(ex, status, JSON.stringify(body), headers)
}

/** InfluxDB's error answer: `{"error": "..."}`. */
export function sendError(ex: Exchange, status: number, error: string, headers: Record<string, string> = {}): void {
  sendJson(ex, status, {error}, headers)
}

/** 413, then the connection is closed once the answer is out: the rest of the body is never read. */
function tooLarge(ex: Exchange, limit: number): void {
  ex.res.once('finish', () => ex.req.socket?.destroySoon())
  sendError(ex, 413, `request body too large (the limit is ${limit} bytes)`, {Connection: 'close'})
}

/**
 * The request body, at most `limit` bytes. Resolves undefined when the answer is already given (413) or the client
 * went away; the handler then just returns.
 */
export function readBody(ex: Exchange, limit: number): Promise<Buffer | undefined> {
  const {req} = ex
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    tooLarge(ex, limit)
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
        tooLarge(ex, limit)
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

export interface NodeHttpServer {
  server: Server
  /** The address the server listens on, host:port. */
  address: string
  /** Stops accepting, lets answers in flight finish (at most closeGraceMs), drops idle connections at once. */
  close(): Promise<void>
}

export interface ListenOptions {
  host: string
  port: number
  limits: ServerLimits
  /** Sockets with no request at all are dropped after this long (longer than any long poll the node serves). */
  idleSocketMs: number
  /** Called first by close(): the handler ends its long polls and refuses new work. */
  onClose?: () => void
}

/** Starts an HTTP server for `handler` (port 0 picks a free port). Resolves once listening; rejects on EADDRINUSE & co. */
export async function listenHttp(handler: RequestListener, options: ListenOptions): Promise<NodeHttpServer> {
  const {limits} = options
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckMs,
  }, handler)
  server.timeout = options.idleSocketMs
  server.on('clientError', answerClientError)
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err)
    server.once('error', onError)
    server.listen(options.port, options.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  const info: AddressInfo | string | null = server.address()
  if (info === null || typeof info === 'string') throw new Error(`the HTTP server is not listening on TCP (${String(info)})`)
  const address = joinHostPort(info.address, info.port)
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
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        options.onClose?.()
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
