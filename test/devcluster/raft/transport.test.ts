// The Raft transport (src/devcluster/raft/transport.ts) over real sockets on 127.0.0.1, port 0: messages arrive in
// order; a restarted peer is reached again; a peer that is down costs bounded memory and one onError per attempt;
// garbage, wrong versions and oversized frames close only the offending connection; close() is prompt even with
// connection attempts in flight. Waits are on conditions with generous deadlines, never fixed sleeps.
import {connect, type Socket} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'

import {
  encodeFrame, listenRaftTransport, RaftTransport, RaftTransportError, type RaftTransportOptions, splitAddress,
} from '../../../src/devcluster/raft/transport.js'
import type {Msg} from '../../../src/devcluster/raft/types.js'
import {deadPort} from '../../helpers/net.js'
import {until} from '../../helpers/wait.js'

const DEADLINE_MS = 20_000
const open: RaftTransport[] = []
const sockets: Socket[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  for (const t of open.splice(0)) await t.close()
})

async function listen(id: string, extra: Partial<RaftTransportOptions> = {}, port = 0): Promise<{t: RaftTransport; got: Msg[]; errors: Array<{peer: string; err: Error}>}> {
  const got: Msg[] = []
  const errors: Array<{peer: string; err: Error}> = []
  const t = await listenRaftTransport({id, bindHost: '127.0.0.1', port, onError: (peer, err) => errors.push({peer, err}), ...extra})
  t.onMessage((m) => got.push(m))
  open.push(t)
  return {t, got, errors}
}

const hb = (from: string, to: string, ctx: number, term = 1): Msg => ({t: 'append', term, from, to, prevIndex: 0, prevTerm: 0, entries: [], commit: 0, ctx})

function raw(address: string): {socket: Socket; closed: Promise<void>} {
  const {host, port} = splitAddress(address)!
  const socket = connect({host, port})
  sockets.push(socket)
  socket.on('error', () => undefined)
  const closed = new Promise<void>((r) => socket.once('close', () => r()))
  return {socket, closed}
}

const port = (t: RaftTransport) => Number(t.address.split(':').at(-1))

describe('delivery', () => {
  it('delivers every message in order, both ways, big and small', async () => {
    const a = await listen('a')
    const b = await listen('b')
    expect(a.t.address).toMatch(/^127\.0\.0\.1:\d+$/)
    const big: Msg = {
      t: 'snapshot', term: 2, from: a.t.address, to: b.t.address,
      snapshot: {meta: {index: 9, term: 2, conf: {servers: []}}, data: 'é'.repeat(3 * 1024 * 1024)},
    }
    for (let i = 0; i < 1000; i++) {
      a.t.send(hb(a.t.address, b.t.address, i))
      if (i === 500) a.t.send(big)
      b.t.send({t: 'append_resp', term: 1, from: b.t.address, to: a.t.address, ok: true, match: i, lastIndex: i, ctx: i})
    }
    await until('all messages', () => b.got.length === 1001 && a.got.length === 1000, DEADLINE_MS, 5)
    const ctxs = b.got.filter((m) => m.t === 'append').map((m) => (m as {ctx: number}).ctx)
    expect(ctxs).toEqual(Array.from({length: 1000}, (_, i) => i))
    expect(b.got[501]).toEqual(big)
    expect(a.got.map((m) => (m as {match: number}).match)).toEqual(Array.from({length: 1000}, (_, i) => i))
    expect(a.t.stats().peers[b.t.address]).toMatchObject({state: 'open', sent: 1001, dropped: 0, connectAttempts: 1, failures: 0})
    expect(a.errors).toEqual([])
    expect(b.errors).toEqual([])
  })

  it('reconnects after the peer restarts on the same port, and reports the lost connection once', async () => {
    const a = await listen('a', {backoff: {initialMs: 10, maxMs: 50}})
    const b1 = await listen('b')
    const addr = b1.t.address
    let n = 0
    a.t.send(hb('a', addr, n++))
    await until('first delivery', () => b1.got.length === 1, DEADLINE_MS, 5)

    await b1.t.close()
    await until('the lost connection to be reported', () => a.errors.length >= 1, DEADLINE_MS, 5)
    expect(a.errors[0].peer).toBe(addr)
    expect(a.errors[0].err).toBeInstanceOf(RaftTransportError)
    expect(a.errors[0].err.message).toMatch(/^(EOF|read tcp .*: read: connection reset by peer)$/)

    const b2 = await listen('b', {}, port(b1.t))
    const sender = setInterval(() => a.t.send(hb('a', addr, n++)), 10)
    try {
      await until('delivery to the restarted peer', () => b2.got.length >= 3, DEADLINE_MS, 5)
    } finally {
      clearInterval(sender)
    }
    // In order on the new connection, too.
    const ctxs = b2.got.map((m) => (m as {ctx: number}).ctx)
    expect([...ctxs].sort((x, y) => x - y)).toEqual(ctxs)
    const st = a.t.stats().peers[addr]
    expect(st.state).toBe('open')
    expect(a.errors.filter((e) => e.peer === addr)).toHaveLength(st.failures)
  })
})

describe('a peer that is down', () => {
  it('drops messages, bounds the queue, and reports each failed attempt once with Go-like text', async () => {
    const a = await listen('a', {maxQueue: 64, backoff: {initialMs: 10, maxMs: 40}})
    const dead = `127.0.0.1:${await deadPort()}`
    // A burst while the first attempt is in flight: only the newest 64 wait.
    for (let i = 0; i < 5000; i++) a.t.send(hb('a', dead, i))
    const first = a.t.stats().peers[dead]
    expect(first.state).toBe('connecting')
    expect(first.queued).toBe(64)
    expect(first.dropped).toBe(5000 - 64)
    expect(first.connectAttempts).toBe(1)

    await until('the failed attempt to be reported', () => a.errors.length === 1, DEADLINE_MS, 5)
    expect(a.errors[0]).toEqual({peer: dead, err: expect.any(RaftTransportError)})
    expect(a.errors[0].err.message).toBe(`dial tcp ${dead}: connect: connection refused`)
    expect((a.errors[0].err as RaftTransportError).direction).toBe('outbound')
    expect(a.t.stats().peers[dead]).toMatchObject({queued: 0, queuedBytes: 0})
    expect(['backoff', 'idle']).toContain(a.t.stats().peers[dead].state)

    // Keep sending, as a leader's heartbeats would: more attempts, each reported exactly once, memory stays bounded.
    const sender = setInterval(() => {
      for (let i = 0; i < 200; i++) a.t.send(hb('a', dead, i))
    }, 5)
    try {
      await until('several attempts', () => a.t.stats().peers[dead].connectAttempts >= 6, DEADLINE_MS, 5)
    } finally {
      clearInterval(sender)
    }
    // With nothing sent any more, the last backoff ends without a new attempt.
    await until('the peer to go idle', () => a.t.stats().peers[dead].state === 'idle', DEADLINE_MS, 5)
    const st = a.t.stats().peers[dead]
    expect(a.errors).toHaveLength(st.failures)
    expect(st.failures).toBe(st.connectAttempts)
    expect(st.queued).toBeLessThanOrEqual(64)
    expect(st.sent).toBe(0)
    for (const e of a.errors) expect(e.err.message).toBe(`dial tcp ${dead}: connect: connection refused`)
  })

  it('reports an address it cannot dial, and a message too big to send', async () => {
    const a = await listen('a', {maxFrameBytes: 1000})
    a.t.send(hb('a', 'no-port-here', 1))
    await until('the bad address to be reported', () => a.errors.length === 1, DEADLINE_MS, 5)
    expect(a.errors[0]).toMatchObject({peer: 'no-port-here', err: {message: 'dial tcp no-port-here: missing port in address'}})

    const b = await listen('b')
    a.t.send({t: 'append', term: 1, from: 'a', to: b.t.address, prevIndex: 0, prevTerm: 0, commit: 0, entries: [{index: 1, term: 1, kind: 'cmd', data: 'x'.repeat(2000)}]})
    expect(a.errors).toHaveLength(2)
    expect(a.errors[1].err.message).toMatch(/exceeds the frame limit of 1000 bytes/)
    a.t.send(hb('a', b.t.address, 2))
    await until('the next message', () => b.got.length === 1, DEADLINE_MS, 5)
    expect((b.got[0] as {ctx: number}).ctx).toBe(2)
  })
})

describe('bad input on the listening side', () => {
  const hello = (v = 1, from = 'x:1') => encodeFrame({t: 'hello', v, from})

  /** Writes `bytes` on a raw connection and waits for the transport to close it; returns the error it reported. */
  async function rejected(b: Awaited<ReturnType<typeof listen>>, bytes: Buffer): Promise<Error> {
    const before = b.errors.length
    const {socket, closed} = raw(b.t.address)
    socket.write(bytes)
    await closed
    await until('the error report', () => b.errors.length > before, DEADLINE_MS, 5)
    return b.errors.at(-1)!.err
  }

  it('closes the connection on garbage, a bad hello, invalid JSON, a non-message, or a frame over the limit', async () => {
    const b = await listen('b', {maxFrameBytes: 4096})
    const frame = (body: string) => {
      const buf = Buffer.alloc(4 + Buffer.byteLength(body))
      buf.writeUInt32BE(Buffer.byteLength(body), 0)
      buf.write(body, 4)
      return buf
    }

    expect((await rejected(b, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).message).toMatch(/exceeds the limit of 4096 bytes/)
    expect((await rejected(b, frame('{"hello":'))).message).toMatch(/failed to decode incoming command/)
    expect((await rejected(b, encodeFrame(hb('x', 'b', 1)))).message).toMatch(/did not start with a hello frame/)
    expect((await rejected(b, hello(2))).message).toMatch(/speaks Raft transport version 2; this node speaks version 1/)
    expect((await rejected(b, Buffer.concat([hello(), frame('[1,2')]))).message).toMatch(/failed to decode incoming command from x:1/)
    expect((await rejected(b, Buffer.concat([hello(), encodeFrame({t: 'bogus', term: 1})]))).message).toMatch(/not a Raft message/)
    expect((await rejected(b, Buffer.concat([hello(), frame('')]))).message).toMatch(/empty frame/)
    // Over the limit: refused on the header alone, before any of the body arrives.
    const header = Buffer.alloc(4)
    header.writeUInt32BE(4097, 0)
    const err = await rejected(b, Buffer.concat([hello(), header]))
    expect(err.message).toMatch(/frame of 4097 bytes from x:1 .* exceeds the limit/)
    expect((err as RaftTransportError).direction).toBe('inbound')
    // The default limit is 64 MiB: a 2^31 length costs nothing.
    const c = await listen('c')
    header.writeUInt32BE(2 ** 31, 0)
    expect((await rejected(c, Buffer.concat([hello(), header]))).message).toMatch(/exceeds the limit of 67108864 bytes/)

    // Good messages before a bad one were delivered; the server still works for everyone else.
    const {socket, closed} = raw(b.t.address)
    socket.write(Buffer.concat([hello(), encodeFrame(hb('x', 'b', 7)), frame('nope')]))
    await closed
    expect(b.got.map((m) => (m as {ctx: number}).ctx)).toEqual([7])
    const a = await listen('a')
    a.t.send(hb('a', b.t.address, 8))
    await until('a normal delivery after the bad connections', () => b.got.length === 2, DEADLINE_MS, 5)
    expect(b.t.stats().inboundConnections).toBe(1)
  })

  it('reassembles frames split at every byte, and survives a handler that throws', async () => {
    const b = await listen('b')
    const bytes = Buffer.concat([hello(), encodeFrame(hb('x', 'b', 1)), encodeFrame(hb('x', 'b', 2))])
    const {socket} = raw(b.t.address)
    for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1))
    await until('both messages', () => b.got.length === 2, DEADLINE_MS, 5)
    expect(b.got.map((m) => (m as {ctx: number}).ctx)).toEqual([1, 2])

    b.t.onMessage((m) => {
      if ((m as {ctx?: number}).ctx === 99) throw new Error('cannot take this one')
    })
    const {socket: s2, closed} = raw(b.t.address)
    s2.write(Buffer.concat([hello(), encodeFrame(hb('x', 'b', 99))]))
    await closed
    expect(b.errors.at(-1)!.err.message).toMatch(/failed to handle a append message from x:1 .*cannot take this one/)
  })
})

describe('close()', () => {
  it('resolves promptly with connection attempts, backoffs and open connections in flight, and goes quiet', async () => {
    const a = await listen('a')
    const b = await listen('b')
    a.t.send(hb('a', b.t.address, 1))
    await until('an open connection', () => b.got.length === 1, DEADLINE_MS, 5)
    const dead = `127.0.0.1:${await deadPort()}`
    a.t.send(hb('a', dead, 1))
    await until('a peer in backoff', () => a.errors.length === 1, DEADLINE_MS, 5)
    a.t.send(hb('a', dead, 2)) // wanted: a new attempt is due when the backoff ends
    const c = await listen('c')
    a.t.send(hb('a', c.t.address, 1)) // an attempt in flight right now
    a.t.send(hb('a', `127.0.0.1:${await deadPort()}`, 1)) // and one that will fail

    const closed = a.t.close()
    expect(a.t.close()).toBe(closed)
    await closed
    a.t.send(hb('a', b.t.address, 2)) // a no-op now
    expect(a.errors).toHaveLength(1)
    await until('the peer to see the connection go', () => b.t.stats().inboundConnections === 0, DEADLINE_MS, 5)
    expect(b.got).toHaveLength(1)
    // Nothing listens any more.
    const {closed: refused} = raw(a.t.address)
    await refused
  })
})

describe('addresses', () => {
  it('splits host:port, including bracketed IPv6', () => {
    expect(splitAddress('127.0.0.1:8089')).toEqual({host: '127.0.0.1', port: 8089})
    expect(splitAddress('meta-1.example.com:8089')).toEqual({host: 'meta-1.example.com', port: 8089})
    expect(splitAddress('[::1]:8089')).toEqual({host: '::1', port: 8089})
    expect(splitAddress(':8089')).toEqual({host: '127.0.0.1', port: 8089})
    expect(splitAddress('meta-1')).toBeUndefined()
    expect(splitAddress('meta-1:0')).toBeUndefined()
    expect(splitAddress('meta-1:70000')).toBeUndefined()
  })

  it('refuses to listen on a port in use, with the listen error', async () => {
    const a = await listen('a')
    await expect(listenRaftTransport({id: 'b', bindHost: '127.0.0.1', port: port(a.t)})).rejects.toMatchObject({code: 'EADDRINUSE'})
  })
})
