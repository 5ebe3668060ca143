/**
 * The calling side of the cluster RPC: one pool of idle connections per remote data node, a request/response per
 * turn on a connection, deadlines per call, and errors worded as Go's network errors and InfluxDB's RPC errors are
 * (`dial tcp 127.0.0.1:8088: connect: connection refused`, `read message type: read tcp a->b: i/o timeout`,
 * `read message type: EOF`), because those texts reach the coordinator's log lines and the client's 500 bodies.
 */
import {connect, type Socket} from 'node:net'

import {faultDelay, nodeFaults, noRouteText} from '../faults.js'
import {type Frame, FrameError, FrameReader, frameHead, MUX_CLUSTER} from './frame.js'

export type RpcErrorKind = 'dial' | 'timeout' | 'closed' | 'protocol' | 'pool'

export class RpcError extends Error {
  constructor(readonly kind: RpcErrorKind, message: string) {
    super(message)
    this.name = 'RpcError'
  }
}

export interface RpcClientOptions {
  /** Connections per remote node, busy and idle (InfluxDB's shard writer allows 500). */
  maxConnections?: number
  /** Idle connections kept per remote node. */
  maxIdle?: number
}

export interface CallOptions {
  /** Deadline of the whole call: connect, send, and the answer. */
  timeoutMs: number
}

interface Conn {
  socket: Socket
  reader: FrameReader
  local: string
}

export class RpcClient {
  private readonly idle = new Map<string, Conn[]>()
  private readonly open = new Map<string, number>()
  private readonly all = new Set<Socket>()
  private closed = false
  private readonly maxConnections: number
  private readonly maxIdle: number

  constructor(options: RpcClientOptions = {}) {
    this.maxConnections = options.maxConnections ?? 500
    this.maxIdle = options.maxIdle ?? 16
  }

  /**
   * Sends one frame to `addr` (host:port) and resolves with the answer frame. The body may be given in pieces
   * (encodeMessageParts): they are written one after the other, not joined first.
   */
  async call(addr: string, type: number, body: Buffer | Buffer[], options: CallOptions): Promise<Frame> {
    if (this.closed) throw new RpcError('closed', 'rpc client closed')
    const deadline = performance.now() + options.timeoutMs
    const parts = Array.isArray(body) ? body : [body]
    let length = 0
    for (const p of parts) length += p.length
    const frame = [frameHead(type, length), ...parts]
    if (nodeFaults.active) await this.faultGate(addr, length + 9, deadline)
    const conn = await this.acquire(addr, Math.max(1, deadline - performance.now()))
    try {
      const answer = await this.roundTrip(conn, addr, frame, Math.max(1, deadline - performance.now()))
      const back = nodeFaults.active ? nodeFaults.replyDelay(addr, answer.body.length + 9) : 0
      if (back > 0) {
        // The answer is slow to arrive (dev fault slow / bandwidth): past the deadline it is a read timeout.
        const left = deadline - performance.now()
        await faultDelay(Math.min(back, Math.max(0, left)))
        if (back > left) throw new RpcError('timeout', `read message type: read tcp ${conn.local}->${addr}: i/o timeout`)
      }
      this.release(addr, conn)
      return answer
    } catch (err) {
      this.discard(addr, conn)
      throw err
    }
  }

  /**
   * The faults on the link to `addr` (node/faults.ts): a cut link or a lost request fails as a rejected connection
   * does; a slow one delays the request (within the call's deadline).
   */
  private async faultGate(addr: string, bytes: number, deadline: number): Promise<void> {
    const plan = nodeFaults.sendPlan(addr, bytes)
    if (plan.kind !== 'pass') throw new RpcError('dial', noRouteText(addr))
    if (plan.delayMs <= 0) return
    const left = deadline - performance.now()
    await faultDelay(Math.min(plan.delayMs, Math.max(0, left)))
    if (plan.delayMs > left) throw new RpcError('timeout', `dial tcp ${addr}: i/o timeout`)
  }

  /** Closes every connection; calls in flight fail. */
  close(): void {
    this.closed = true
    for (const s of this.all) s.destroy()
    this.all.clear()
    this.idle.clear()
    this.open.clear()
  }

  private async acquire(addr: string, timeoutMs: number): Promise<Conn> {
    const pool = this.idle.get(addr)
    while (pool && pool.length > 0) {
      const c = pool.pop() as Conn
      if (!c.socket.destroyed) return c
      this.discard(addr, c)
    }
    const n = this.open.get(addr) ?? 0
    if (n >= this.maxConnections) throw new RpcError('pool', `can not exceed max connections of ${this.maxConnections}`)
    this.open.set(addr, n + 1)
    try {
      return await this.dial(addr, timeoutMs)
    } catch (err) {
      this.open.set(addr, (this.open.get(addr) ?? 1) - 1)
      throw err
    }
  }

  private dial(addr: string, timeoutMs: number): Promise<Conn> {
    const {host, port} = splitAddr(addr)
    return new Promise((resolve, reject) => {
      const socket = connect({host, port, noDelay: true})
      this.all.add(socket)
      // A partition (dev fault) closes the connections already open to the node, not only new ones.
      const untrack = nodeFaults.track(addr, (err) => socket.destroy(err))
      socket.once('close', () => {
        this.all.delete(socket)
        untrack()
      })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new RpcError('timeout', `dial tcp ${addr}: i/o timeout`))
      }, timeoutMs)
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        socket.destroy()
        reject(new RpcError('dial', `dial tcp ${addr}: connect: ${goErrno(err)}`))
      })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        socket.on('error', () => {}) // surfaced by the round trip that owns the socket
        socket.setKeepAlive(true, 30_000)
        socket.write(Buffer.from([MUX_CLUSTER]))
        resolve({socket, reader: new FrameReader(), local: `${socket.localAddress}:${socket.localPort}`})
      })
    })
  }

  private roundTrip(conn: Conn, addr: string, pieces: Buffer[], timeoutMs: number): Promise<Frame> {
    const {socket, reader} = conn
    const where = `${conn.local}->${addr}`
    return new Promise((resolve, reject) => {
      let done = false
      const finish = (err: Error | undefined, frame?: Frame) => {
        if (done) return
        done = true
        clearTimeout(timer)
        socket.off('data', onData)
        socket.off('close', onClose)
        socket.off('error', onError)
        if (err) reject(err)
        else resolve(frame as Frame)
      }
      const phase = () => (reader.pending() >= 9 ? 'read message value' : reader.pending() > 0 ? 'read message size' : 'read message type')
      const onData = (chunk: Buffer) => {
        let frames: Frame[]
        try {
          frames = reader.push(chunk)
        } catch (err) {
          return finish(new RpcError('protocol', `${phase()}: ${(err as FrameError).message}`))
        }
        if (frames.length > 1) return finish(new RpcError('protocol', 'read message type: unexpected extra message'))
        if (frames.length === 1) finish(undefined, frames[0])
      }
      const onClose = () => finish(new RpcError('closed', `${phase()}: EOF`))
      const onError = (err: NodeJS.ErrnoException) => finish(new RpcError('closed', `${phase()}: read tcp ${where}: ${goErrno(err)}`))
      const timer = setTimeout(() => finish(new RpcError('timeout', `${phase()}: read tcp ${where}: i/o timeout`)), timeoutMs)
      socket.on('data', onData)
      socket.once('close', onClose)
      socket.on('error', onError)
      // Corked: the pieces leave in one writev.
      socket.cork()
      for (const b of pieces) socket.write(b)
      socket.uncork()
    })
  }

  private release(addr: string, conn: Conn): void {
    if (this.closed || conn.socket.destroyed) return this.discard(addr, conn)
    const pool = this.idle.get(addr) ?? []
    if (pool.length >= this.maxIdle) return this.discard(addr, conn)
    pool.push(conn)
    this.idle.set(addr, pool)
  }

  private discard(addr: string, conn: Conn): void {
    if (!conn.socket.destroyed) conn.socket.destroy()
    const pool = this.idle.get(addr)
    if (pool) {
      const i = pool.indexOf(conn)
      if (i >= 0) pool.splice(i, 1)
    }
    const n = this.open.get(addr)
    if (n !== undefined) this.open.set(addr, Math.max(0, n - 1))
  }
}

function splitAddr(addr: string): {host: string; port: number} {
  const i = addr.lastIndexOf(':')
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '')
  return {host, port: Number(addr.slice(i + 1))}
}

/** Node's error codes in the words Go's syscall errors use. */
function goErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused'
    case 'ECONNRESET': return 'connection reset by peer'
    case 'EPIPE': return 'broken pipe'
    case 'ETIMEDOUT': return 'i/o timeout'
    case 'EHOSTUNREACH': return 'no route to host'
    case 'ENETUNREACH': return 'network is unreachable'
    default: return err.message
  }
}

export {FrameError}
