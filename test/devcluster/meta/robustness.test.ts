// What a misbehaving client can do to the meta API, over raw sockets where HTTP clients would be too polite: wrong
// methods and paths, bodies over 1 MiB (declared or streamed), slow headers and slow bodies, garbage and huge headers.
// Each answer is a JSON error with the right status, and the node keeps serving afterwards.
import {afterEach, describe, expect, it} from 'vitest'

import {errorMessageOf} from '../../../src/wire/schemas.js'
import {http, jsonBody, rawClient, startNode, stopNodes, type TestNode, until} from './harness.js'

afterEach(stopNodes)

async function stillServing(n: TestNode): Promise<void> {
  const r = await http('GET', `${n.url}/ping`)
  expect(r.status).toBe(200)
}

/** The JSON error body at the end of a raw HTTP answer. */
async function rawError(text: string): Promise<string | undefined> {
  return errorMessageOf(text.slice(text.indexOf('\r\n\r\n') + 4))
}

describe('meta API robustness', () => {
  it('answers wrong methods with 405 and Allow, unknown POST paths with 404', async () => {
    const n = await startNode()
    const put = await http('PUT', `${n.url}/status`)
    expect([put.status, put.headers.allow, await errorMessageOf(put.text)]).toEqual([405, 'GET', 'method not allowed'])
    expect((await http('GET', `${n.url}/add-data`)).headers.allow).toBe('POST')
    expect((await http('DELETE', `${n.url}/user`)).headers.allow).toBe('GET, POST')
    const del = await http('DELETE', `${n.url}/nowhere`)
    expect([del.status, del.headers.allow]).toEqual([405, 'GET, POST'])
    const post = await http('POST', `${n.url}/nowhere`)
    expect([post.status, await errorMessageOf(post.text)]).toEqual([404, 'not found: /nowhere'])
    const head = await http('HEAD', `${n.url}/ping`)
    expect([head.status, head.text]).toEqual([200, ''])
  })

  it('refuses a declared body over 1 MiB with 413 without reading it', async () => {
    const n = await startNode()
    n.raft.lead()
    const c = await rawClient(n.addr)
    c.socket.write('POST /execute HTTP/1.1\r\nHost: meta\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n{"cmd":')
    await until('the server to answer and close', () => c.closed())
    expect(c.received()).toMatch(/^HTTP\/1\.1 413 /)
    expect(await rawError(c.received())).toBe('request body too large (the limit is 1048576 bytes)')
    await stillServing(n)
  })

  it('stops reading a streamed (chunked) body once it passes 1 MiB', async () => {
    const n = await startNode()
    n.raft.lead()
    const c = await rawClient(n.addr)
    c.socket.write('POST /execute HTTP/1.1\r\nHost: meta\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')
    const chunk = Buffer.alloc(64 * 1024, 'a')
    const cap = 64 * 1024 * 1024
    let sent = 0
    while (!c.closed() && !c.received().includes('\r\n\r\n') && sent < cap) {
      const ok = c.socket.write(`${chunk.length.toString(16)}\r\n`) && c.socket.write(chunk) && c.socket.write('\r\n')
      sent += chunk.length
      if (!ok) await new Promise<void>((resolve) => {
        c.socket.once('drain', resolve)
        c.socket.once('close', resolve)
      })
    }
    await until('the server to close the connection', () => c.closed())
    expect(sent).toBeLessThan(16 * 1024 * 1024) // 1 MiB read plus socket buffers, not the 64 MiB on offer
    expect(c.received()).toMatch(/^HTTP\/1\.1 413 /)
    await stillServing(n)
  })

  it('accepts a body just under the limit', async () => {
    const n = await startNode()
    n.raft.lead()
    const padding = 'x'.repeat(1024 * 1024 - 100)
    const r = await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createDatabase', name: 'db'}, padding}))
    expect(r.status, r.text.slice(0, 200)).toBe(200)
  })

  it('cuts off a client that sends its headers too slowly (408)', async () => {
    const n = await startNode({limits: {headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckMs: 50}})
    const c = await rawClient(n.addr)
    c.socket.write('GET /status HTTP/1.1\r\nHost: meta\r\n')
    await until('the server to drop the slow client', () => c.closed())
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(await rawError(c.received())).toBe('request timeout')
    await stillServing(n)
  })

  it('cuts off a client that sends its body too slowly (408), and the handler gives up on it', async () => {
    const n = await startNode({limits: {headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckMs: 50}, config: {clusterTracing: true}})
    n.raft.lead()
    const c = await rawClient(n.addr)
    c.socket.write('POST /execute HTTP/1.1\r\nHost: meta\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cmd":')
    await until('the server to drop the slow client', () => c.closed())
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(n.raft.calls).toEqual([])
    await until('the access log line', () => n.lines.some((l) => l.includes('msg=weblog')))
    expect(n.lines.find((l) => l.includes('msg=weblog'))).toMatch(/ uri=\/execute .* status=408 /)
    await stillServing(n)
  })

  it('answers garbage and oversized headers with JSON errors and keeps running', async () => {
    const n = await startNode()
    const garbage = await rawClient(n.addr)
    garbage.socket.write('HELLO THERE\r\n\r\n')
    await until('the answer to garbage', () => garbage.closed())
    expect(garbage.received()).toMatch(/^HTTP\/1\.1 400 /)
    expect(await rawError(garbage.received())).toBe('bad request')
    const huge = await rawClient(n.addr)
    huge.socket.write(`GET /status HTTP/1.1\r\nHost: meta\r\nX-Big: ${'y'.repeat(64 * 1024)}\r\n\r\n`)
    await until('the answer to huge headers', () => huge.closed())
    expect(huge.received()).toMatch(/^HTTP\/1\.1 431 /)
    // Odd but parseable requests get ordinary answers.
    expect((await http('GET', `${n.url}//status`)).status).toBe(400)
    expect((await http('GET', `${n.url}/lease?name=%E0%A4%A&node_id=1`)).status).toBe(503)
    expect((await http('POST', `${n.url}/execute`, {body: '\u0000\u0001', headers: {'content-type': 'application/json'}})).status).toBe(400)
    // A "__proto__" key is just a field: no prototype is touched.
    const proto = await http('POST', `${n.url}/execute`, {body: '{"cmd":{"type":"dropDatabase","name":"x","__proto__":{"polluted":true}}}', headers: {'content-type': 'application/json'}})
    expect(proto.status).toBe(503)
    expect(({} as {polluted?: unknown}).polluted).toBeUndefined()
    await stillServing(n)
  })
})
