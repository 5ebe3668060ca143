// The HTTP client's extensions: any-status answers, credentials, redirects to the leader and loops, data node /ping,
// https with --insecure, and the wire schemas for meta /ping and the lease. Real loopback servers only.
import {createServer as createHttpsServer} from 'node:https'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {closeHttp, getJson, getRaw, pingDataNode} from '../../src/probe/http.js'
import {checkLease, errorMessageOf, parseMetaPing} from '../../src/wire/schemas.js'
import {tempDir} from '../helpers/cli.js'
import {dataPing, FakeCluster, jsonRoute} from '../helpers/cluster.js'

const fc = new FakeCluster()
afterEach(() => fc.close())
afterAll(closeHttp)

describe('getRaw / getJson', () => {
  it('returns non-2xx answers with their status and body', async () => {
    const n = await fc.node({'/status': jsonRoute({error: 'no leader'}, 503)})
    const r = await getRaw(`${n.url}/status`)
    expect(r).toMatchObject({status: 503, text: '{"error":"no leader"}', redirects: []})
    await expect(getJson(`${n.url}/status`)).rejects.toMatchObject({exitCode: 4, code: 'http-status'})
  })

  it('follows 307 to the leader and re-sends credentials', async () => {
    const leader = await fc.node({'/show-cluster': jsonRoute({data: [], meta: []})})
    const follower = await fc.node({'/show-cluster': (_q, res) => { res.writeHead(307, {location: `${leader.url}/show-cluster`}); res.end() }})
    const r = await getJson(`${follower.url}/show-cluster`, {auth: {type: 'jwt', username: 'admin', secret: 's'}})
    expect(r.body).toEqual({data: [], meta: []})
    expect(leader.seen[0].authorization).toMatch(/^Bearer /)
    expect(follower.seen[0].authorization).toMatch(/^Bearer /)
    const raw = await getRaw(`${follower.url}/show-cluster`, {maxRedirects: 0})
    expect(raw.status).toBe(307)
  })

  it('stops a redirect loop with a clear error', async () => {
    const a = await fc.node()
    a.routes['/x'] = (_q, res) => { res.writeHead(308, {location: '/x'}); res.end() }
    await expect(getRaw(`${a.url}/x`)).rejects.toMatchObject({exitCode: 4, code: 'http-redirect-loop', message: `${a.url}/x: redirect loop (${a.url}/x -> ${a.url}/x)`})
  })

  it('stops a redirect chain longer than the limit', async () => {
    const a = await fc.node()
    a.routes['*'] = (q, res) => { const i = Number(q.url!.slice(1)); res.writeHead(307, {location: `/${i + 1}`}); res.end() }
    await expect(getRaw(`${a.url}/0`, {maxRedirects: 2})).rejects.toMatchObject({code: 'http-redirect-loop'})
  })

  it('reads a data node /ping', async () => {
    const d = await fc.node({'/ping': dataPing('1.8.10-c1.8.10')})
    expect(await pingDataNode(d.url)).toMatchObject({status: 204, version: '1.8.10-c1.8.10', build: 'ENT'})
  })
})

describe('https', () => {
  it('refuses a self-signed certificate unless --insecure, and trusts --ca', async () => {
    const dir = tempDir('medic-tls-')
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
    } catch {
      return // no openssl here: nothing to test with
    }
    const cert = readFileSync(join(dir, 'cert.pem'))
    const server = createHttpsServer({key: readFileSync(join(dir, 'key.pem')), cert}, (_q, res) => { res.writeHead(200, {'content-type': 'application/json'}); res.end('{"ok":true}') })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/status`
    try {
      await expect(getJson(url)).rejects.toMatchObject({exitCode: 4, code: 'http-tls'})
      expect((await getJson(url, {insecure: true})).body).toEqual({ok: true})
      expect((await getJson(url, {ca: cert})).body).toEqual({ok: true})
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})

describe('wire schemas', () => {
  it('meta /ping: addr when JSON, tolerated otherwise', async () => {
    expect(await parseMetaPing('{"addr":"meta-1:8091","extra":1}')).toMatchObject({addr: 'meta-1:8091'})
    expect(await parseMetaPing('meta-1:8089')).toEqual({text: 'meta-1:8089'})
    expect((await parseMetaPing('{"x":1}')).addr).toBeUndefined()
  })

  it('lease JSON, issues by path', async () => {
    expect(await checkLease({name: 'continuous_querier', expiration: '2026-11-21T10:01:00Z', owner: 4})).toMatchObject({ok: true})
    expect(await checkLease({name: 'continuous_querier', expiration: '2026-11-21T10:01:00Z', owner: '4'})).toEqual({ok: false, issues: [{path: 'owner', message: 'Invalid input: expected number, received string'}]})
  })

  it('error bodies', async () => {
    expect(await errorMessageOf('{"error":"no leader"}')).toBe('no leader')
    expect(await errorMessageOf('<html>')).toBeUndefined()
  })
})

describe('hints name the right service and key', () => {
  it('an unreachable meta node: influxdb-meta, not influxdb; a data node: influxdb', async () => {
    const {deadPort} = await import('../helpers/net.js')
    const port = await deadPort()
    await expect(getRaw(`http://127.0.0.1:${port}/status`, {service: 'meta'})).rejects.toMatchObject({code: 'http-unreachable', suggestions: [expect.stringContaining('systemctl status influxdb-meta')]})
    await expect(getRaw(`http://127.0.0.1:${port}/ping`, {service: 'data'})).rejects.toMatchObject({code: 'http-unreachable', suggestions: [expect.stringMatching(/systemctl status influxdb$/)]})
  })

  it('https asked of a plain-HTTP meta node: [meta] https-enabled, not [http] https-enabled', async () => {
    const n = await fc.node({'/status': jsonRoute({})})
    const err = await getRaw(`https://${n.addr}/status`, {service: 'meta', timeoutMs: 5000}).catch((e: unknown) => e) as {code: string; suggestions: string[]}
    expect(err.code).toBe('http-tls')
    expect(err.suggestions.join(' ')).toContain('[meta] https-enabled')
    expect(err.suggestions.join(' ')).not.toContain('[http] https-enabled')
  })

  it('a timeout names the flag the caller says governs it', async () => {
    const {hangRoute} = await import('../helpers/cluster.js')
    const n = await fc.node({'*': hangRoute})
    await expect(getRaw(`${n.url}/status`, {timeoutMs: 200, hints: {moreTime: 'medic status x --http-timeout 30s', deadline: '--http-timeout'}}))
      .rejects.toMatchObject({message: `${n.url}/status: no complete answer within 200 ms (--http-timeout)`, suggestions: [expect.any(String), 'allow more time: medic status x --http-timeout 30s']})
  })
})
