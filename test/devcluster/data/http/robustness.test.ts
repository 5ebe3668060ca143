// Slow and hostile clients must not hang or exhaust the data node's HTTP API: the server's timeouts cut them off, a
// client that goes away mid-answer costs nothing, and the node keeps answering.
import {connect, type Socket} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {until} from '../../../helpers/wait.js'
import {get, type Node, post, q, startNode} from './fixture.js'

let node: Node
beforeAll(async () => {
  node = await startNode({maxBodySize: 1_000_000}, {limits: {headersTimeoutMs: 400, requestTimeoutMs: 800, timeoutCheckMs: 100, keepAliveTimeoutMs: 500}})
  await node.meta.createDatabase('db')
})
afterAll(async () => node.close())

function open(): Promise<{socket: Socket; received: () => string; closed: () => boolean}> {
  const {port} = new URL(node.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1')
    let data = ''
    let closed = false
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1')
    })
    socket.on('close', () => {
      closed = true
    })
    socket.on('error', () => {})
    socket.once('connect', () => resolve({socket, received: () => data, closed: () => closed}))
    socket.once('error', reject)
  })
}

describe('slow clients', () => {
  it('headers that never finish: the connection is closed', async () => {
    const c = await open()
    c.socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n')
    await until('the server to drop the half-sent headers', () => c.closed(), 10_000)
    expect((await get(node.url, '/ping')).status).toBe(204)
  })

  it('a body that never arrives: 408 and closed, nothing written', async () => {
    const c = await open()
    c.socket.write('POST /write?db=db HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nslow v=1 1\n')
    await until('the server to give up on the body', () => c.closed(), 10_000)
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /)
    const r = await get(node.url, '/query' + q({db: 'db', q: 'SELECT * FROM slow'}))
    expect(r.text).not.toContain('"slow"')
  })

  it('many idle connections do not stop others from being answered', async () => {
    const idle = await Promise.all(Array.from({length: 50}, () => open()))
    expect((await get(node.url, '/ping')).status).toBe(204)
    for (const c of idle) c.socket.destroy()
  })

  it('a client that goes away during a query leaves the node answering', async () => {
    const lines = Array.from({length: 5000}, (_, i) => `big,k=${i % 50} v=${i} ${i}`).join('\n')
    expect((await post(node.url, '/write?db=db', lines)).status).toBe(204)
    const c = await open()
    c.socket.write(`GET /query${q({db: 'db', q: 'SELECT * FROM big', chunked: 'true', chunk_size: '10'})} HTTP/1.1\r\nHost: x\r\n\r\n`)
    await until('the first chunk', () => c.received().includes('"results"'), 10_000)
    c.socket.destroy()
    expect((await get(node.url, '/ping')).status).toBe(204)
    const vars = JSON.parse((await get(node.url, '/debug/vars')).text) as Record<string, {values: Record<string, number>}>
    await until('the aborted request to finish', async () => {
      const v = JSON.parse((await get(node.url, '/debug/vars')).text) as Record<string, {values: Record<string, number>}>
      return v['httpd:127.0.0.1:8086'].values.reqActive === 1
    }, 10_000)
    expect(vars['httpd:127.0.0.1:8086'].values.queryReq).toBeGreaterThan(0)
  })

  it('a malformed request line gets 400 and the node stays up', async () => {
    const c = await open()
    c.socket.write('NOT HTTP\r\n\r\n')
    await until('an answer', () => c.closed(), 10_000)
    expect(c.received()).toMatch(/^HTTP\/1\.1 400 /)
    expect((await get(node.url, '/ping')).status).toBe(204)
  })
})

describe('max-connection-limit', () => {
  it('connections beyond the limit are refused; once one closes, the next is served', async () => {
    const limited = await startNode({maxConnectionLimit: 1})
    try {
      const {port} = new URL(limited.url)
      const first = connect(Number(port), '127.0.0.1')
      await new Promise((r) => first.once('connect', r))
      await until('the server to count the first connection', async () => {
        try {
          await get(limited.url, '/ping')
          return false
        } catch {
          return true
        }
      }, 10_000)
      first.destroy()
      await until('a request to be served again', async () => {
        try {
          return (await get(limited.url, '/ping')).status === 204
        } catch {
          return false
        }
      }, 10_000)
    } finally {
      await limited.close()
    }
  })
})
