/**
 * The cluster RPC's bytes on the wire (the data nodes' TCP port, 8088-style), hand-written: nothing outside medic
 * speaks it, so only its shape follows Enterprise's (see docs/devcluster.md):
 *
 *   connection:  one mux byte first (2 = cluster RPC; InfluxDB multiplexes its TCP port this way), then frames
 *   frame:       type (u8) | body length (u64, big endian) | body          (at most 1 GiB, as InfluxDB allows)
 *   body:        header length (u32, big endian) | header (JSON) | payload (raw bytes, e.g. line protocol)
 *
 * Requests and responses alternate on a connection; a connection carries any number of them.
 */

export const MUX_CLUSTER = 2
export const MAX_MESSAGE_BYTES = 1024 ** 3

export const MsgType = {
  WriteShardRequest: 1,
  WriteShardResponse: 2,
  ExecuteStatementRequest: 3,
  ExecuteStatementResponse: 4,
  ShardQueryRequest: 5,
  ShardQueryResponse: 6,
  /** Sent by the meta leader to a data node being added (influxd-ctl add-data): the meta servers to join. */
  JoinClusterRequest: 7,
  JoinClusterResponse: 8,
  /** Asks a data node for its shards' sizes and points (dev status). */
  ShardStatsRequest: 9,
  ShardStatsResponse: 10,
  /** Asks a data node for digests of shards' contents (dev verify): whole shard and per series. */
  ShardDigestRequest: 11,
  ShardDigestResponse: 12,
} as const

/** Header of a JoinClusterRequest. `update` refreshes the meta server list of a node that is already joined. */
export interface JoinClusterRequest {
  metaServers: string[]
  update: boolean
}

/** Header of every response: code 0 = done, 1 = failed with `message` (Enterprise's {Code, Message}). */
export interface RpcResponse {
  code: number
  message: string
}

/** What one owner holds of a shard (ShardDigestResponse): counts, one digest of everything, one per series. */
export interface ShardDigest {
  id: number
  /** False when the node has no such shard (never written, or deleted). */
  present: boolean
  series: number
  values: number
  digest: string
  /** Series key -> [values, digest]. */
  perSeries: Record<string, [number, string]>
}

export interface JoinClusterResponse extends RpcResponse {
  /** The id the meta store gave the data node. */
  nodeId?: number
}
export type MsgTypeValue = (typeof MsgType)[keyof typeof MsgType]

export interface Frame {
  type: number
  body: Buffer
}

export interface Message<H = unknown> {
  header: H
  payload: Buffer
}

/** A protocol error, worded as InfluxDB's RPC errors are ("read message size: ...", "max message size ..."). */
export class FrameError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

export function encodeFrame(type: number, body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(9)
  head.writeUInt8(type, 0)
  head.writeBigUInt64BE(BigInt(body.length), 1)
  return Buffer.concat([head, body])
}

/** The 9 bytes before a frame's body: its type and the body's length. */
export function frameHead(type: number, bodyLength: number): Buffer {
  const head = Buffer.allocUnsafe(9)
  head.writeUInt8(type, 0)
  head.writeBigUInt64BE(BigInt(bodyLength), 1)
  return head
}

/**
 * encodeMessage as the pieces to send one after the other (length and header, then the payload itself): a large
 * payload (a write's line protocol) is not copied into a new buffer on its way to the socket.
 */
export function encodeMessageParts(header: unknown, payload?: Buffer): Buffer[] {
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const head = Buffer.allocUnsafe(4 + json.length)
  head.writeUInt32BE(json.length, 0)
  json.copy(head, 4)
  return payload === undefined || payload.length === 0 ? [head] : [head, payload]
}

export function encodeMessage(header: unknown, payload?: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const len = Buffer.allocUnsafe(4)
  len.writeUInt32BE(json.length, 0)
  return payload === undefined || payload.length === 0 ? Buffer.concat([len, json]) : Buffer.concat([len, json, payload])
}

export function decodeMessage<H = unknown>(body: Buffer): Message<H> {
  if (body.length < 4) throw new FrameError(`message too short: ${body.length} bytes`)
  const n = body.readUInt32BE(0)
  if (4 + n > body.length) throw new FrameError(`message header of ${n} bytes runs past the body (${body.length} bytes)`)
  let header: H
  try {
    header = JSON.parse(body.subarray(4, 4 + n).toString('utf8')) as H
  } catch {
    throw new FrameError('message header is not valid JSON')
  }
  return {header, payload: body.subarray(4 + n)}
}

/**
 * Cuts a byte stream into frames. Linear in the bytes pushed: chunks are kept in a list and joined once per frame,
 * never re-concatenated on every push.
 */
export class FrameReader {
  private chunks: Buffer[] = []
  private first = 0 // index of the first unread chunk (shift() would make many small chunks quadratic)
  private buffered = 0
  private need = -1 // body length of the frame being read, -1 while its 9-byte head is incomplete
  private type = 0

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  /** Adds bytes; returns the frames they complete. Throws FrameError on an oversized frame. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      if (this.first === this.chunks.length) {
        this.chunks = []
        this.first = 0
      }
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    const frames: Frame[] = []
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 9) break
        const head = this.take(9)
        this.type = head.readUInt8(0)
        const size = head.readBigUInt64BE(1)
        if (size > BigInt(this.maxBytes)) throw new FrameError(`max message size of ${this.maxBytes} exceeded: ${size}`)
        this.need = Number(size)
      }
      if (this.buffered < this.need) break
      frames.push({type: this.type, body: this.take(this.need)})
      this.need = -1
    }
    return frames
  }

  /** Bytes received but not yet part of a whole frame. */
  pending(): number {
    return this.buffered
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0)
    const head = this.chunks[this.first]
    let out: Buffer
    if (head.length >= n) {
      out = head.subarray(0, n)
      if (head.length === n) this.first++
      else this.chunks[this.first] = head.subarray(n)
    } else {
      out = Buffer.allocUnsafe(n)
      let off = 0
      while (off < n) {
        const c = this.chunks[this.first]
        const k = Math.min(c.length, n - off)
        c.copy(out, off, 0, k)
        off += k
        if (k === c.length) this.first++
        else this.chunks[this.first] = c.subarray(k)
      }
    }
    this.buffered -= n
    if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first)
      this.first = 0
    }
    return out
  }
}
