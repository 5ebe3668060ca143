import {connect, createServer, type Server} from 'node:net'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'

import {RpcClient, RpcError} from '../../../../src/devcluster/node/rpc/client.js'
import {decodeMessage, encodeFrame, encodeMessage, FrameReader, MsgType} from '../../../../src/devcluster/node/rpc/frame.js'
import {createRpcServer} from '../../../../src/devcluster/node/rpc/server.js'
import {expectLinear, fuzz} from '../../../helpers/fuzz.js'
import {until} from '../../../helpers/wait.js'

const servers: Server[] = []
const clients: RpcClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

async function listen(server: Server): Promise<string> {
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

function client(): RpcClient {
  const c = new RpcClient()
  clients.push(c)
  return c
}

/** An echo server that answers WriteShard with code 0 and counts connections. */
async function echoServer(logs: string[] = []) {
  let connections = 0
  const server = createRpcServer(async (frame) => {
    const {header, payload} = decodeMessage<{shardId: number}>(frame.body)
    return {type: MsgType.WriteShardResponse, body: encodeMessage({code: 0, shardId: header.shardId, bytes: payload.length})}
  }, {log: (m) => logs.push(m)})
  server.on('connection', () => connections++)
  return {addr: await listen(server), connections: () => connections}
}

describe('cluster RPC frames', () => {
  it('round-trips messages with a JSON header and a raw payload', () => {
    const body = encodeMessage({shardId: 4, db: 'db0'}, Buffer.from('cpu v=1 1\n'))
    const r = new FrameReader()
    const frames = r.push(encodeFrame(MsgType.WriteShardRequest, body))
    expect(frames).toHaveLength(1)
    const m = decodeMessage<{shardId: number}>(frames[0].body)
    expect(m.header.shardId).toBe(4)
    expect(m.payload.toString()).toBe('cpu v=1 1\n')
  })

  it('reassembles frames from any split of the stream, in time linear in its size (fuzzed)', () => {
    const frames = Array.from({length: 50}, (_, i) => encodeFrame(1 + (i % 6), encodeMessage({i}, Buffer.alloc(i * 37, 0x61))))
    const stream = Buffer.concat(frames)
    fuzz('frame-split', {iterations: 300, budgetMs: 1_500}, (rng) => {
      const cuts: Buffer[] = []
      let at = 0
      while (at < stream.length) {
        const n = 1 + rng.int(0, 400)
        cuts.push(stream.subarray(at, at + n))
        at += n
      }
      return cuts
    }, (cuts) => {
      const r = new FrameReader()
      const got = cuts.flatMap((c) => r.push(c))
      expect(got.map((f) => decodeMessage<{i: number}>(f.body).header.i)).toEqual(frames.map((_, i) => i))
    })
    // one frame arriving in 8-byte pieces: the reader must not re-join what it holds on every push (that would be
    // quadratic). Pieces of 8 rather than 1 byte keep the garbage collector's share of the timing small.
    expectLinear((n) => {
      const f = encodeFrame(1, Buffer.alloc(n))
      return Array.from({length: Math.ceil(f.length / 8)}, (_, i) => f.subarray(i * 8, i * 8 + 8))
    }, (chunks) => {
      const r = new FrameReader()
      for (const c of chunks) r.push(c)
    }, 100_000)
  })

  it('refuses an oversized frame as InfluxDB words it', () => {
    const r = new FrameReader(1000)
    const head = Buffer.alloc(9)
    head.writeUInt8(1, 0)
    head.writeBigUInt64BE(5000n, 1)
    expect(() => r.push(head)).toThrow('max message size of 1000 exceeded: 5000')
  })
})

describe('cluster RPC over TCP', () => {
  it('answers requests and reuses one connection for calls in sequence', async () => {
    const {addr, connections} = await echoServer()
    const c = client()
    for (let i = 0; i < 20; i++) {
      const f = await c.call(addr, MsgType.WriteShardRequest, encodeMessage({shardId: i}, Buffer.from('x'.repeat(i))), {timeoutMs: 2_000})
      expect(f.type).toBe(MsgType.WriteShardResponse)
      expect(decodeMessage<{shardId: number; bytes: number}>(f.body).header).toEqual({code: 0, shardId: i, bytes: i})
    }
    expect(connections()).toBe(1)
  })

  it('runs concurrent calls on parallel connections, each answer to its caller', async () => {
    const {addr} = await echoServer()
    const c = client()
    const got = await Promise.all(Array.from({length: 30}, (_, i) => c.call(addr, MsgType.WriteShardRequest, encodeMessage({shardId: i}), {timeoutMs: 3_000})))
    expect(got.map((f) => decodeMessage<{shardId: number}>(f.body).header.shardId)).toEqual(Array.from({length: 30}, (_, i) => i))
  })

  it('words a refused connection as Go does', async () => {
    const free = createServer()
    const addr = await listen(free)
    await new Promise((r) => free.close(r))
    servers.splice(servers.indexOf(free), 1)
    const err = await client().call(addr, MsgType.WriteShardRequest, encodeMessage({}), {timeoutMs: 1_000}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcError)
    expect((err as RpcError).message).toBe(`dial tcp ${addr}: connect: connection refused`)
  })

  it('times out a silent node with an i/o timeout naming both ends', async () => {
    const silent = createRpcServer(() => new Promise(() => {}))
    const addr = await listen(silent)
    const err = (await client().call(addr, MsgType.WriteShardRequest, encodeMessage({}), {timeoutMs: 200}).catch((e: unknown) => e)) as RpcError
    expect(err.kind).toBe('timeout')
    expect(err.message).toMatch(new RegExp(`^read message type: read tcp 127\\.0\\.0\\.1:\\d+->${addr.replace(/\./g, '\\.')}: i/o timeout$`))
  })

  it('reports a node that closes mid-answer as EOF, and the next call dials again', async () => {
    let first = true
    const flaky = createServer((s) => {
      s.on('data', () => {
        if (first) {
          first = false
          s.end(Buffer.from([2, 0, 0])) // the start of a frame head, then close
        } else {
          s.end(encodeFrame(MsgType.WriteShardResponse, encodeMessage({code: 0})))
        }
      })
    })
    const addr = await listen(flaky)
    const c = client()
    const err = (await c.call(addr, MsgType.WriteShardRequest, encodeMessage({}), {timeoutMs: 1_000}).catch((e: unknown) => e)) as RpcError
    expect(err.message).toBe('read message size: EOF')
    const ok = await c.call(addr, MsgType.WriteShardRequest, encodeMessage({}), {timeoutMs: 1_000})
    expect(decodeMessage<{code: number}>(ok.body).header.code).toBe(0)
  })

  it('drops connections with a foreign mux byte or a broken frame and keeps serving', async () => {
    const logs: string[] = []
    const {addr} = await echoServer(logs)
    const [host, port] = addr.split(':')
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.concat([Buffer.from([2]), Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])])]) {
      const s = connect({host, port: Number(port)})
      s.on('error', () => {})
      s.write(bytes)
      await new Promise((r) => s.once('close', r))
    }
    await until('both problems logged', () => logs.length >= 2)
    expect(logs[0]).toBe('unregistered header byte: 71')
    expect(logs[1]).toMatch(/^unable to read type: max message size of \d+ exceeded/)
    const f = await client().call(addr, MsgType.WriteShardRequest, encodeMessage({shardId: 1}), {timeoutMs: 1_000})
    expect(decodeMessage<{code: number}>(f.body).header.code).toBe(0)
  })
})
