/**
 * The Raft transport between dev-cluster meta nodes: TCP on the Raft port (`[meta] bind-address`, 8089 in production).
 * Implements RaftTransportApi (types.ts). It is lossy on purpose: Raft retransmits, so a message that cannot go out
 * now is dropped rather than allowed to pile up or to block the event loop.
 *
 * Wire format (ours, not hashicorp's msgpack: only meta nodes speak on this port, see raft-notes.md §0.2):
 *   frame = [u32 big-endian length][UTF-8 JSON]; the length counts the JSON bytes only.
 *   Every connection is one-way. The dialling node first sends a hello frame {"t":"hello","v":1,"from":"<its id>"},
 *   then one frame per Msg. Replies travel on the replying node's own connection to the sender (msg.to is a node's
 *   Raft address, "host:port", and the transport dials exactly that).
 *
 * Outbound, per peer: one connection, setNoDelay, an ordered queue bounded in messages and bytes (the oldest message is
 * dropped when it is full). While the connection is being set up messages wait in the queue; after a failure the peer
 * backs off (10 ms doubling to 1 s) and messages sent meanwhile are dropped; the next attempt is made when the backoff
 * ends if anything was sent during it, otherwise on the next send. Each failed attempt, and each loss of an open
 * connection, is reported once through onError with Go-like text ("dial tcp 127.0.0.1:8089: connect: connection
 * refused", "EOF"), so that the driver can write hashicorp's "Failed to AppendEntries to ..." lines. Rate-limiting
 * those lines is the driver's job.
 *
 * Inbound: any number of connections. A frame above maxFrameBytes (64 MiB by default), a frame that is not JSON, a
 * first frame that is not a supported hello, or a frame that is not a Raft message closes that connection and is
 * reported through onError; the process and the other connections carry on.
 */
import {createServer, type Server, type Socket, connect as netConnect} from 'node:net'

import {nodeFaults} from '../node/faults.js'
import type {Logger} from '../node/logger.js'
import type {Msg, RaftTransportApi} from './types.js'

export const PROTOCOL_VERSION = 1
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024
const DEFAULT_MAX_QUEUE = 1024
const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024
const DEFAULT_DIAL_TIMEOUT_MS = 10_000
const DEFAULT_BACKOFF = {initialMs: 10, maxMs: 1000}
/** Bytes the kernel-side socket buffer may hold before messages wait in our own (bounded) queue instead. */
const SOCKET_HIGH_WATER = 1024 * 1024
/** A connection that stayed up this long resets the backoff when it breaks; a shorter one keeps doubling it. */
const STABLE_CONNECTION_MS = 1000

export interface RaftTransportOptions {
  /** This node's Raft id (its advertised Raft address); sent in the hello frame. */
  id: string
  bindHost: string
  /** 0 picks a free port (tests); `address` then tells which. */
  port: number
  logger?: Logger
  /** A connection failure to or from `peer` (a Raft address, or the remote socket address of an unnamed inbound). */
  onError?: (peer: string, err: Error) => void
  /** Largest frame accepted from, or sent to, a peer (default 64 MiB). */
  maxFrameBytes?: number
  /** Per-peer queue bounds (default 1,024 messages, 64 MiB): the oldest message is dropped beyond them. */
  maxQueue?: number
  maxQueueBytes?: number
  /** Give up a connection attempt after this long (default 10 s, hashicorp's transport timeout). */
  dialTimeoutMs?: number
  /** Reconnect backoff (default 10 ms doubling to 1 s). */
  backoff?: {initialMs: number; maxMs: number}
}

/** Why a connection failed or was closed. `direction` tells the dialling side from the accepting side. */
export class RaftTransportError extends Error {
  constructor(
    message: string,
    readonly direction: 'outbound' | 'inbound',
    readonly code?: string,
  ) {
    super(message)
    this.name = 'RaftTransportError'
  }
}

export type PeerState = 'idle' | 'connecting' | 'open' | 'backoff'

export interface PeerStats {
  state: PeerState
  queued: number
  queuedBytes: number
  sent: number
  dropped: number
  connectAttempts: number
  /** Failed attempts plus lost connections: each was reported once through onError. */
  failures: number
}

export interface RaftTransportStats {
  peers: Record<string, PeerStats>
  inboundConnections: number
  received: number
}

// ---------------------------------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------------------------------

export function encodeFrame(value: unknown): Buffer {
  const json = JSON.stringify(value)
  const n = Buffer.byteLength(json)
  const buf = Buffer.allocUnsafe(4 + n)
  buf.writeUInt32BE(n, 0)
  buf.write(json, 4, n, 'utf8')
  return buf
}

/**
 * Splits a byte stream into frame bodies, one at a time (so that what an earlier frame said, such as the hello, is
 * known when a later one is judged). next() throws RaftTransportError on a frame that is empty or too big, as soon as
 * its header is in.
 */
class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  /** Body length of the frame being read, once its header is in. */
  private need = -1

  constructor(
    private readonly maxFrameBytes: number,
    private readonly describe: () => string,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
  }

  next(): Buffer | undefined {
    if (this.need < 0) {
      if (this.buffered < 4) return undefined
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.flatten()
      const n = head.readUInt32BE(0)
      if (n === 0) throw new RaftTransportError(`failed to decode incoming command from ${this.describe()}: empty frame`, 'inbound')
      if (n > this.maxFrameBytes) {
        throw new RaftTransportError(
          `frame of ${n} bytes from ${this.describe()} exceeds the limit of ${this.maxFrameBytes} bytes; closing the connection`,
          'inbound',
        )
      }
      this.need = n
    }
    if (this.buffered < 4 + this.need) return undefined
    const all = this.flatten()
    const body = all.subarray(4, 4 + this.need)
    const rest = all.subarray(4 + this.need)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    this.need = -1
    return body
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)]
    return this.chunks[0]
  }
}

const MSG_TYPES = new Set(['prevote', 'vote', 'prevote_resp', 'vote_resp', 'append', 'append_resp', 'snapshot', 'snapshot_resp', 'timeout_now'])

/** Enough of a shape check that the core never sees something that is not a message at all. */
function isMsg(v: unknown): v is Msg {
  const m = v as Record<string, unknown>
  if (typeof m !== 'object' || m === null || !MSG_TYPES.has(m.t as string)) return false
  if (typeof m.term !== 'number' || typeof m.from !== 'string' || typeof m.to !== 'string') return false
  if (m.t === 'append' && !Array.isArray(m.entries)) return false
  if (m.t === 'snapshot' && (typeof m.snapshot !== 'object' || m.snapshot === null)) return false
  return true
}

// ---------------------------------------------------------------------------------------------------------------------
// Go-like error text
// ---------------------------------------------------------------------------------------------------------------------

/** "host:port" → parts; IPv6 hosts in brackets. Undefined when there is no usable port. */
export function splitAddress(addr: string): {host: string; port: number} | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]*):(\d+)$/.exec(addr)
  if (!m) return undefined
  const port = Number(m[2])
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return {host: m[1] === '' ? '127.0.0.1' : m[1], port}
}

const CONNECT_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
  ECONNRESET: 'connect: connection reset by peer',
  ETIMEDOUT: 'i/o timeout',
}

function dialError(addr: string, err: NodeJS.ErrnoException | undefined): RaftTransportError {
  const code = err?.code
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    const host = splitAddress(addr)?.host ?? addr
    return new RaftTransportError(`dial tcp: lookup ${host}: no such host`, 'outbound', code)
  }
  const text = (code && CONNECT_TEXT[code]) ?? `connect: ${err?.message ?? 'connection closed'}`
  return new RaftTransportError(`dial tcp ${addr}: ${text}`, 'outbound', code)
}

function streamError(socket: Socket, err: NodeJS.ErrnoException | undefined): RaftTransportError {
  if (!err) return new RaftTransportError('EOF', 'outbound')
  const pair = `${socket.localAddress ?? '?'}:${socket.localPort ?? '?'}->${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
  switch (err.code) {
    case 'ECONNRESET':
      return new RaftTransportError(`read tcp ${pair}: read: connection reset by peer`, 'outbound', err.code)
    case 'EPIPE':
      return new RaftTransportError(`write tcp ${pair}: write: broken pipe`, 'outbound', err.code)
    case 'ETIMEDOUT':
      return new RaftTransportError(`read tcp ${pair}: read: connection timed out`, 'outbound', err.code)
    case 'EHOSTUNREACH':
      return new RaftTransportError(`read tcp ${pair}: read: no route to host`, 'outbound', err.code)
    default:
      return new RaftTransportError(err.message, 'outbound', err.code)
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Outbound peers
// ---------------------------------------------------------------------------------------------------------------------

class Peer {
  state: PeerState = 'idle'
  socket: Socket | undefined
  queue: Buffer[] = []
  queuedBytes = 0
  backoffMs: number
  timer: NodeJS.Timeout | undefined
  /** Something was sent during the backoff: dial again as soon as it ends. */
  wanted = false
  openedAt = 0
  /** Messages held back by a slow link (dev fault), in delivery order. */
  delayed: Array<{at: number; frame: Buffer}> = []
  delayTimer: NodeJS.Timeout | undefined
  sent = 0
  dropped = 0
  connectAttempts = 0
  failures = 0

  constructor(
    readonly addr: string,
    initialBackoffMs: number,
  ) {
    this.backoffMs = initialBackoffMs
  }

  stats(): PeerStats {
    const {state, queuedBytes, sent, dropped, connectAttempts, failures} = this
    return {state, queued: this.queue.length, queuedBytes, sent, dropped, connectAttempts, failures}
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The transport
// ---------------------------------------------------------------------------------------------------------------------

export class RaftTransport implements RaftTransportApi {
  readonly address: string
  private readonly handlers: Array<(m: Msg) => void> = []
  private readonly peers = new Map<string, Peer>()
  private readonly inbound = new Set<Socket>()
  private readonly hello: Buffer
  private readonly maxFrameBytes: number
  private readonly maxQueue: number
  private readonly maxQueueBytes: number
  private readonly dialTimeoutMs: number
  private readonly backoff: {initialMs: number; maxMs: number}
  private received = 0
  private closing: Promise<void> | null = null

  /** Use listenRaftTransport(). */
  constructor(
    private readonly opts: RaftTransportOptions,
    private readonly server: Server,
    address: string,
  ) {
    this.address = address
    this.hello = encodeFrame({t: 'hello', v: PROTOCOL_VERSION, from: opts.id})
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE
    this.maxQueueBytes = opts.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES
    this.dialTimeoutMs = opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF
    server.on('connection', (s) => this.accept(s))
    server.on('error', (err) => this.report(this.address, new RaftTransportError(`failed to accept connection: ${err.message}`, 'inbound')))
  }

  get id(): string {
    return this.opts.id
  }

  onMessage(handler: (m: Msg) => void): void {
    this.handlers.push(handler)
  }

  send(m: Msg): void {
    if (this.closing) return
    const peer = this.peer(m.to)
    if (peer.state === 'backoff' && peer.delayed.length === 0) {
      // Lost while the peer is unreachable (checked before encoding: no work for a dead peer).
      peer.dropped++
      peer.wanted = true
      return
    }
    const frame = encodeFrame(m)
    if (nodeFaults.active) {
      // dev fault (node/faults.ts): a lost message is simply gone (Raft retransmits); a slow link delivers it later,
      // in order; a cut link fails its connection attempts (dial()).
      const plan = nodeFaults.sendPlan(m.to, frame.length)
      if (plan.kind === 'drop') {
        peer.dropped++
        return
      }
      if (plan.kind === 'pass' && plan.delayMs > 0) return this.later(peer, frame, plan.delayMs)
    }
    this.deliver(peer, frame)
  }

  /** Holds a message back for `delayMs` behind the ones already held for the peer (dev fault slow / bandwidth). */
  private later(peer: Peer, frame: Buffer, delayMs: number): void {
    peer.delayed.push({at: performance.now() + delayMs, frame})
    if (peer.delayed.length === 1) this.releaseDelayed(peer)
  }

  private releaseDelayed(peer: Peer): void {
    clearTimeout(peer.delayTimer)
    peer.delayTimer = undefined
    while (peer.delayed.length > 0 && peer.delayed[0].at <= performance.now() + 0.5) {
      if (this.closing) return
      this.deliver(peer, peer.delayed.shift()!.frame)
    }
    if (peer.delayed.length === 0 || this.closing) return
    peer.delayTimer = setTimeout(() => this.releaseDelayed(peer), Math.max(1, Math.ceil(peer.delayed[0].at - performance.now())))
    peer.delayTimer.unref()
  }

  private deliver(peer: Peer, frame: Buffer): void {
    if (peer.state === 'backoff') {
      peer.dropped++
      peer.wanted = true
      return
    }
    if (frame.length - 4 > this.maxFrameBytes) {
      peer.dropped++
      this.report(peer.addr, new RaftTransportError(`message of ${frame.length - 4} bytes exceeds the frame limit of ${this.maxFrameBytes} bytes; dropped`, 'outbound'))
      return
    }
    if (peer.state === 'open' && peer.queue.length === 0 && peer.socket!.writableLength < SOCKET_HIGH_WATER) {
      peer.socket!.write(frame)
      peer.sent++
      return
    }
    this.enqueue(peer, frame)
    if (peer.state === 'idle') this.dial(peer)
  }

  /** Counters per peer, for tests and diagnostics. */
  stats(): RaftTransportStats {
    const peers: Record<string, PeerStats> = {}
    for (const [addr, p] of this.peers) peers[addr] = p.stats()
    return {peers, inboundConnections: this.inbound.size, received: this.received}
  }

  /** Stops listening, drops every connection, attempt, timer and queued message. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      for (const s of this.inbound) s.destroy()
      this.inbound.clear()
      for (const p of this.peers.values()) {
        clearTimeout(p.timer)
        clearTimeout(p.delayTimer)
        p.delayed = []
        p.socket?.destroy()
        p.socket = undefined
        p.queue = []
        p.queuedBytes = 0
        p.state = 'idle'
      }
    })
    return this.closing
  }

  // ---------------------------------------------------------------------------------------------- outbound

  private peer(addr: string): Peer {
    let p = this.peers.get(addr)
    if (!p) {
      p = new Peer(addr, this.backoff.initialMs)
      this.peers.set(addr, p)
    }
    return p
  }

  private enqueue(peer: Peer, frame: Buffer): void {
    peer.queue.push(frame)
    peer.queuedBytes += frame.length
    while (peer.queue.length > 1 && (peer.queue.length > this.maxQueue || peer.queuedBytes > this.maxQueueBytes)) {
      peer.queuedBytes -= peer.queue.shift()!.length
      peer.dropped++
    }
  }

  private dropQueue(peer: Peer): void {
    peer.dropped += peer.queue.length
    peer.queue = []
    peer.queuedBytes = 0
  }

  private dial(peer: Peer): void {
    peer.state = 'connecting'
    peer.wanted = false
    peer.connectAttempts++
    const target = splitAddress(peer.addr)
    if (!target) {
      this.failed(peer, new RaftTransportError(`dial tcp ${peer.addr}: missing port in address`, 'outbound'))
      return
    }
    if (nodeFaults.isCut(peer.addr)) {
      // dev fault partition: the attempt fails as one to an unreachable host does.
      setImmediate(() => {
        if (!this.closing && peer.state === 'connecting' && peer.socket === undefined) this.failed(peer, dialError(peer.addr, Object.assign(new Error('no route to host'), {code: 'EHOSTUNREACH'})))
      })
      return
    }
    const socket = netConnect({host: target.host, port: target.port})
    peer.socket = socket
    socket.setNoDelay(true)
    // A partition closes the open connection too (its close is reported as a lost connection).
    const untrack = nodeFaults.track(peer.addr, (err) => socket.destroy(err))
    socket.once('close', untrack)
    let lastError: NodeJS.ErrnoException | undefined
    let opened = false
    const timeout = setTimeout(() => {
      lastError = Object.assign(new Error('i/o timeout'), {code: 'ETIMEDOUT'})
      socket.destroy()
    }, this.dialTimeoutMs)
    socket.once('connect', () => {
      clearTimeout(timeout)
      if (this.closing || peer.socket !== socket) return
      opened = true
      peer.state = 'open'
      peer.openedAt = performance.now()
      socket.write(this.hello)
      this.flush(peer)
    })
    socket.on('drain', () => {
      if (peer.socket === socket && peer.state === 'open') this.flush(peer)
    })
    // Nothing is expected back on this connection; reading keeps the end of the stream visible.
    socket.on('data', () => undefined)
    socket.on('error', (err) => (lastError = err))
    socket.once('close', () => {
      clearTimeout(timeout)
      if (this.closing || peer.socket !== socket) return
      peer.socket = undefined
      if (!opened) {
        this.failed(peer, dialError(peer.addr, lastError))
        return
      }
      if (performance.now() - peer.openedAt >= STABLE_CONNECTION_MS) peer.backoffMs = this.backoff.initialMs
      this.failed(peer, streamError(socket, lastError))
    })
  }

  /** Writes queued frames while the socket has room. */
  private flush(peer: Peer): void {
    const s = peer.socket!
    while (peer.queue.length > 0 && s.writableLength < SOCKET_HIGH_WATER) {
      const frame = peer.queue.shift()!
      peer.queuedBytes -= frame.length
      s.write(frame)
      peer.sent++
    }
  }

  /** One failed attempt or lost connection: report it once, drop what waited, back off. */
  private failed(peer: Peer, err: RaftTransportError): void {
    peer.failures++
    this.dropQueue(peer)
    peer.state = 'backoff'
    const wait = peer.backoffMs
    peer.backoffMs = Math.min(peer.backoffMs * 2, this.backoff.maxMs)
    peer.timer = setTimeout(() => {
      peer.timer = undefined
      if (this.closing) return
      if (peer.wanted) this.dial(peer)
      else peer.state = 'idle'
    }, wait)
    peer.timer.unref()
    this.report(peer.addr, err)
  }

  private report(peer: string, err: Error): void {
    if (this.closing) return
    if (this.opts.onError) this.opts.onError(peer, err)
    else this.opts.logger?.debug('raft transport error', {peer, error: err.message}, `[DEBUG] raft-net: ${peer}: ${err.message}`)
  }

  // ---------------------------------------------------------------------------------------------- inbound

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    this.inbound.add(socket)
    socket.setNoDelay(true)
    const remote = `${socket.remoteAddress}:${socket.remotePort}`
    this.opts.logger?.debug('accepted connection', {'local-address': this.address, 'remote-address': remote},
      `[DEBUG] raft-net: ${this.address} accepted connection from: ${remote}`)
    let from: string | undefined
    const reader = new FrameReader(this.maxFrameBytes, () => (from ? `${from} (${remote})` : remote))
    const fail = (message: string) => {
      this.report(from ?? remote, new RaftTransportError(message, 'inbound'))
      socket.destroy()
    }
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk)
      for (;;) {
        if (socket.destroyed) return
        let body: Buffer | undefined
        try {
          body = reader.next()
        } catch (err) {
          fail((err as Error).message)
          return
        }
        if (body === undefined) return
        let value: unknown
        try {
          value = JSON.parse(body.toString('utf8'))
        } catch (err) {
          fail(`failed to decode incoming command from ${from ?? remote}: ${(err as Error).message}`)
          return
        }
        if (from === undefined) {
          const h = value as {t?: unknown; v?: unknown; from?: unknown}
          if (h?.t !== 'hello' || typeof h.from !== 'string') {
            fail(`connection from ${remote} did not start with a hello frame (is it a medic dev-cluster meta node?)`)
            return
          }
          if (h.v !== PROTOCOL_VERSION) {
            fail(`${h.from} (${remote}) speaks Raft transport version ${String(h.v)}; this node speaks version ${PROTOCOL_VERSION}`)
            return
          }
          from = h.from
          continue
        }
        if (!isMsg(value)) {
          fail(`failed to decode incoming command from ${from} (${remote}): not a Raft message`)
          return
        }
        this.received++
        try {
          for (const h of this.handlers) h(value)
        } catch (err) {
          // A message that passed the shape check but that the node cannot take is the sender's (or our) bug: say
          // so and drop the connection instead of letting a remote peer bring this process down.
          fail(`failed to handle a ${value.t} message from ${from} (${remote}): ${(err as Error).message}`)
          return
        }
      }
    })
    // A peer that goes away is reported by our own outbound side; the inbound end just goes.
    socket.on('error', () => undefined)
    socket.once('close', () => this.inbound.delete(socket))
  }
}

/** Listens on bindHost:port and returns the transport. Rejects with the listen error (EADDRINUSE, EACCES, ...). */
export async function listenRaftTransport(opts: RaftTransportOptions): Promise<RaftTransport> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({port: opts.port, host: opts.bindHost === '' ? undefined : opts.bindHost}, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = server.address()
  const port = typeof bound === 'object' && bound ? bound.port : opts.port
  const host = opts.bindHost === '' ? '0.0.0.0' : opts.bindHost
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  return new RaftTransport(opts, server, address)
}
