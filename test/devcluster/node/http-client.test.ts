// The node-to-node HTTP client (src/devcluster/node/http-client.ts) against real loopback servers: any status comes
// back as it is; a POST redirected with 307/308 is re-sent with its method and body (a meta follower's 307 to the
// leader), only when asked; loops, huge answers, silence, resets, refusals and aborts end in a NodeHttpError whose
// code says which, within the deadline; close() drops idle connections and the client stays usable.
import type {IncomingMessage, ServerResponse} from 'node:http'
import {afterEach, describe, expect, it} from 'vitest'

import {createNodeHttpClient, jsonOf, NodeHttpError, type NodeHttpClient} from '../../../src/devcluster/node/http-client.js'
import {hostileServer, type HostileServer} from '../../helpers/hostile.js'
import {closeAll, deadPort, serve} from '../../helpers/net.js'

const clients: NodeHttpClient[] = []
const hostiles: HostileServer[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
  for (const h of hostiles.splice(0)) await h.close()
  await closeAll()
})

function client(): NodeHttpClient {
  const c = createNodeHttpClient({userAgent: 'InfluxDB Meta Client', connectTimeoutMs: 2_000})
  clients.push(c)
  return c
}

async function hostile(mode: Parameters<typeof hostileServer>[0]): Promise<HostileServer> {
  const h = await hostileServer(mode)
  hostiles.push(h)
  return h
}

interface Seen {method: string; url: string; body: string; agent: string}

/** A server that records each request (method, path, body, user agent) and answers with `answer`. */
async function recorder(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{url: string; seen: Seen[]}> {
  const seen: Seen[] = []
  const port = await serve((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({method: req.method ?? '', url: req.url ?? '', body, agent: String(req.headers['user-agent'])})
      answer(req, res, body)
    })
  })
  return {url: `http://127.0.0.1:${port}`, seen}
}

const reply = (status: number, body = '', headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, {'content-type': 'application/json', ...headers})
  res.end(body)
}

async function failure(p: Promise<unknown>): Promise<NodeHttpError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(NodeHttpError)
  return err as NodeHttpError
}

describe('answers', () => {
  it('returns every status as it is, with lower-case headers and the user agent it was given', async () => {
    const s = await recorder(reply(503, '{"error":"no leader"}', {'X-Influxdb-Version': '1.11.8-c1.11.8'}))
    const r = await client().get(`${s.url}/status`)
    expect(r).toMatchObject({status: 503, url: `${s.url}/status`, headers: {'x-influxdb-version': '1.11.8-c1.11.8'}})
    expect(jsonOf(r)).toEqual({error: 'no leader'})
    expect(s.seen[0].agent).toBe('InfluxDB Meta Client')
  })

  it('re-sends a POST and its body to where a 307 points, only when asked to follow', async () => {
    const leader = await recorder(reply(200, '{"index":7}'))
    const follower = await recorder((_req, res) => reply(307, '', {location: `${leader.url}/execute?x=1`})(_req, res))
    const body = JSON.stringify({cmd: {type: 'createDatabase', name: 'db'}})
    const followed = await client().post(`${follower.url}/execute?x=1`, body, {maxRedirects: 3, headers: {'content-type': 'application/json'}})
    expect(followed).toMatchObject({status: 200, url: `${leader.url}/execute?x=1`})
    expect(leader.seen).toEqual([{method: 'POST', url: '/execute?x=1', body, agent: 'InfluxDB Meta Client'}])
    // Without maxRedirects the 307 itself is the answer.
    const plain = await client().post(`${follower.url}/execute`, body)
    expect(plain.status).toBe(307)
    expect(plain.headers.location).toBe(`${leader.url}/execute?x=1`)
    expect(leader.seen).toHaveLength(1)
  })

  it('parses JSON with a depth limit (jsonOf): a deeply nested answer is not JSON to it', async () => {
    const deep = await hostile('deep-json')
    const r = await client().get(`${deep.url}/status`)
    expect(r.status).toBe(200)
    expect(jsonOf(r)).toBeUndefined()
  })
})

describe('failures are NodeHttpErrors with a code, within the deadline', () => {
  it('refused: nothing listens', async () => {
    const err = await failure(client().get(`http://127.0.0.1:${await deadPort()}/ping`))
    expect(err).toMatchObject({code: 'refused', errno: 'ECONNREFUSED', message: expect.stringContaining('connection refused')})
  })

  it('timeout: a server that never answers is left after timeoutMs', async () => {
    const silent = await hostile('silent')
    const started = performance.now()
    const err = await failure(client().get(`${silent.url}/status`, {timeoutMs: 300}))
    expect(err.code).toBe('timeout')
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('too-large: reading stops at maxResponseBytes', async () => {
    const huge = await hostile('huge')
    const err = await failure(client().get(`${huge.url}/debug/vars`, {maxResponseBytes: 64 * 1024, timeoutMs: 20_000}))
    expect(err.code).toBe('too-large')
  })

  it('redirects: a loop is refused, as is one hop too many', async () => {
    const loop = await hostile('redirect-loop')
    expect((await failure(client().post(`${loop.url}/execute`, '{}', {maxRedirects: 5}))).code).toBe('redirects')
    const c = await recorder(reply(200, '{}'))
    const b = await recorder(reply(307, '', {location: `${c.url}/x`}))
    const a = await recorder(reply(307, '', {location: `${b.url}/x`}))
    expect((await failure(client().get(`${a.url}/x`, {maxRedirects: 1}))).code).toBe('redirects')
    expect((await client().get(`${a.url}/x`, {maxRedirects: 2})).status).toBe(200)
  })

  it('reset: the connection closes before an answer', async () => {
    const reset = await hostile('reset')
    expect((await failure(client().get(`${reset.url}/status`))).code).toBe('reset')
  })

  it('aborted: the caller gave up', async () => {
    const silent = await hostile('silent')
    const ac = new AbortController()
    const pending = client().get(`${silent.url}/status`, {signal: ac.signal, timeoutMs: 20_000})
    setTimeout(() => ac.abort(), 50)
    expect((await failure(pending)).code).toBe('aborted')
  })

  it('bad-url: not a URL', async () => {
    expect((await failure(client().get('not a url'))).code).toBe('bad-url')
  })
})

it('close() drops idle connections and the client keeps working', async () => {
  const s = await recorder(reply(204))
  const c = client()
  expect((await c.get(`${s.url}/ping`)).status).toBe(204)
  await c.close()
  expect((await c.get(`${s.url}/ping`)).status).toBe(204)
  expect(s.seen).toHaveLength(2)
})
