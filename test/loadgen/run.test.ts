// The load generator against loopback servers that answer as InfluxDB does (204, the cluster's 500 bodies, 400, no
// answer), and the `medic dev write` command end to end, with credentials and https.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {runLoad} from '../../src/loadgen/run.js'
import {hs512Matches, splitJwt} from '../../src/util/jwt.js'
import {medic, oneJson} from '../helpers/cli.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

async function node(answer: (req: IncomingMessage, body: string, n: number) => [number, string?]) {
  const seen: string[] = []
  let n = 0
  const server = createServer((req, res: ServerResponse) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`)
      if (req.url?.startsWith('/query')) {
        res.writeHead(200, {'content-type': 'application/json'}).end('{"results":[{"statement_id":0}]}')
        return
      }
      const [status, error] = answer(req, body, n++)
      if (status === 0) return // never answer
      res.writeHead(status, error === undefined ? {} : {'content-type': 'application/json'}).end(error === undefined ? '' : JSON.stringify({error}))
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen}
}

describe('load generator', () => {
  it('writes exactly the points asked for, with distinct timestamps, and counts 204s', async () => {
    const lines: string[] = []
    const n = await node((_req, body) => {
      lines.push(...body.trim().split('\n'))
      return [204]
    })
    const r = await runLoad({url: n.url, db: 'db0', batchSize: 100, concurrency: 3, series: 7, points: 1050, timeoutMs: 2000, retries: 0, consistency: 'all'})
    expect(r.pointsAcknowledged).toBe(1050)
    expect(r.requests).toBe(11)
    expect(r.outcomes).toEqual([{key: '204', status: 204, count: 11, points: 1050}])
    expect(lines).toHaveLength(1050)
    expect(new Set(lines.map((l) => l.split(' ')[2])).size).toBe(1050)
    expect(new Set(lines.map((l) => l.split(' ')[0])).size).toBe(7)
    expect(n.seen[0]).toMatch(/^POST \/write\?db=db0&consistency=all$/)
  })

  it('tells the cluster\'s 500 bodies apart and never retries unless asked', async () => {
    const n = await node((_r, _b, i) => (i % 3 === 0 ? [500, 'write failed: hinted handoff queue not empty'] : i % 3 === 1 ? [500, 'partial write'] : [204]))
    const r = await runLoad({url: n.url, db: 'db0', batchSize: 10, concurrency: 1, series: 1, points: 60, timeoutMs: 2000, retries: 0})
    expect(r.requests).toBe(6)
    expect(Object.fromEntries(r.outcomes.map((o) => [o.key, o.count]))).toEqual({'500 write failed: hinted handoff queue not empty': 2, '500 partial write': 2, 204: 2})
    expect(r.pointsAcknowledged).toBe(20)
  })

  it('--retry sends a 500 again (the amplification the seeds warn about), but never a 400', async () => {
    const n = await node((_r, body) => (body.includes('seq=0i') ? [500, 'partial write'] : body.includes('seq=10i') ? [400, 'unable to parse'] : [204]))
    const r = await runLoad({url: n.url, db: 'db0', batchSize: 10, concurrency: 1, series: 1, points: 30, timeoutMs: 2000, retries: 2})
    expect(r.retries).toBe(2)
    expect(r.pointsSent).toBe(50)
    expect(r.outcomes.find((o) => o.key === '500 partial write')?.count).toBe(3)
    expect(r.outcomes.find((o) => o.key === '400 unable to parse')?.count).toBe(1)
  })

  it('counts a node that does not answer as timeouts, within the deadline', async () => {
    const n = await node(() => [0])
    const t0 = Date.now()
    const r = await runLoad({url: n.url, db: 'db0', batchSize: 10, concurrency: 2, series: 1, points: 20, timeoutMs: 300, retries: 0})
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(r.outcomes).toEqual([{key: 'error timeout', status: undefined, count: 2, points: 20}])
  })

  it('medic dev write: summary, JSON, and exit codes (3 on error answers, 4 when unreachable)', async () => {
    const n = await node((_r, _b, i) => (i === 1 ? [500, 'timeout'] : [204]))
    const r = await medic(['dev', 'write', '--url', n.url, '--points', '300', '--batch-size', '100', '-c', '1', '--json'])
    expect(r.code).toBe(3)
    const j = oneJson(r.stdout)
    expect(j).toMatchObject({schemaVersion: 1, command: 'dev write', exitCode: 3, pointsAcknowledged: 200})
    const human = await medic(['dev', 'write', '--url', n.url, '--points', '100'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('points acknowledged 100 of 100 sent')
    const down = await medic(['dev', 'write', '--url', 'http://127.0.0.1:1', '--points', '10'])
    expect(down.code).toBe(4)
    expect(down.stderr).toContain('http://127.0.0.1:1: connection refused')
  })

  it('medic dev write: Basic or JWT credentials on every request (never in the URL), and https with --ca or --insecure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-write-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
      const seen: Array<{url: string; auth: string}> = []
      const server = createHttpsServer({key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))}, (req, res) => {
        req.resume()
        req.on('end', () => {
          seen.push({url: req.url ?? '', auth: req.headers.authorization ?? ''})
          if (req.url?.startsWith('/query')) res.writeHead(200, {'content-type': 'application/json'}).end('{"results":[{"statement_id":0}]}')
          else res.writeHead(204).end()
        })
      })
      servers.push(server as unknown as Server)
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

      const basic = await medic(['dev', 'write', '--url', url, '--points', '20', '--batch-size', '10', '--ca', join(dir, 'cert.pem'), '--username', 'ops', '--password', 's3cret', '--json'])
      expect(basic.code, basic.stderr).toBe(0)
      expect(seen.length).toBe(3) // CREATE DATABASE and two batches
      expect(seen.every((r) => r.auth === `Basic ${Buffer.from('ops:s3cret').toString('base64')}`)).toBe(true)
      expect(seen.every((r) => !/[?&][up]=/.test(r.url))).toBe(true)
      expect(basic.stdout).not.toContain('s3cret')

      seen.length = 0
      const jwt = await medic(['dev', 'write', '--url', url, '--points', '10', '--insecure', '--username', 'ops', '--jwt-secret', 'shh-secret', '--json'])
      expect(jwt.code, jwt.stderr).toBe(0)
      for (const r of seen) {
        const parts = splitJwt(r.auth.replace(/^Bearer /, ''))
        expect(parts?.claims).toMatchObject({username: 'ops'})
        expect(hs512Matches(parts!.signingInput, parts!.signature, 'shh-secret')).toBe(true)
      }
      expect(jwt.stdout + jwt.stderr).not.toContain('shh-secret')

      // Without trust the certificate is refused: the node could not be reached (exit 4), not a wrong OK.
      const untrusted = await medic(['dev', 'write', '--url', url, '--points', '10'])
      expect(untrusted.code).toBe(4)
      const bad = await medic(['dev', 'write', '--url', url, '--points', '10', '--jwt-secret', 'x'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('--jwt-secret needs --username')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
