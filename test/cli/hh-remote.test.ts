// `medic hh watch | wait --url` end to end against loopback data nodes shaped as real ones (test/hh/debug-vars-body.ts):
// credentials and TLS (--username/--password, --ca, --insecure) reach the requests, a meta node given as --url is
// recognised with the data nodes to watch instead, and the summary says per queue what was drained and how long it
// took. Through the built CLI.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {medic, tempDir} from '../helpers/cli.js'
import {FakeCluster, joinedCluster} from '../helpers/cluster.js'
import {FakeDataNode} from '../hh/debug-vars-body.js'

const fc = new FakeCluster()
const https: HttpsServer[] = []
afterAll(async () => {
  await fc.close()
  for (const s of https) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

function ndjson(stdout: string): Array<Record<string, any>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>)
}

/** A TLS data node requiring Basic auth u:p; each /debug/vars answer first delivers `perRequest` bytes of node 4's queue. */
async function tlsDataNode(node: FakeDataNode, perRequest: number): Promise<{url: string; ca: string; auth: string[]}> {
  const dir = tempDir('medic-hh-tls-')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
  const seen: string[] = []
  const server = createHttpsServer({key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))}, (req, res) => {
    seen.push(req.headers.authorization ?? '')
    if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
      res.writeHead(401, {'content-type': 'application/json', 'www-authenticate': 'Basic realm="InfluxDB"'})
      return res.end('{"error":"authorization failed"}')
    }
    node.deliver('4', '12', perRequest)
    res.writeHead(200, {'content-type': 'application/json', 'x-influxdb-version': '1.9.8-c1.9.8'})
    res.end(node.body())
  })
  https.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: join(dir, 'cert.pem'), auth: seen}
}

describe.concurrent('hh --url: credentials, TLS, and what the summary says', () => {
  it('hh watch sends the credentials over TLS trusted with --ca, and the summary gives bytes drained and time taken', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 30_000)
    const {url, ca, auth} = await tlsDataNode(node, 10_000)
    const r = await medic(['hh', 'watch', '--url', url, '--ca', ca, '--username', 'u', '--password', 'p', '--samples', '4', '--interval', '100ms', '--json'])
    const lines = ndjson(r.stdout)
    expect(lines.map((l) => l.type)).toEqual(['sample', 'sample', 'sample', 'sample', 'summary'])
    const summary = lines.at(-1)!
    expect(summary).toMatchObject({exitCode: 0, verdict: 'ok', overall: {verdict: 'ok', complete: true}})
    const q = summary.queues[0]
    expect(q).toMatchObject({node: '4', shard: '12', pendingBytes: 0, progress: {pendingAtStart: 20_000, deliveredBytes: 20_000, counted: true}})
    expect(q.progress.emptiedAfterMs).toBeGreaterThan(0)
    expect(r.code).toBe(0)
    expect(auth.every((a) => a === `Basic ${Buffer.from('u:p').toString('base64')}`)).toBe(true)
    // The password is never printed.
    expect(r.stdout).not.toContain('"p"')

    const human = new FakeDataNode()
    human.append('4', '12', 3 * 1024 * 1024)
    const h = await tlsDataNode(human, 1024 * 1024)
    const text = await medic(['hh', 'watch', '--url', h.url, '--insecure', '--username', 'u', '--password', 'p', '--samples', '4', '--interval', '100ms'])
    expect(text.stdout).toMatch(/^ {2}node 4 shard 12: drained 2 MiB in \d+(?:ms|s)$/m)
    expect(text.stdout).toContain('Verdict: OK')
    expect(text.code).toBe(0)
  })

  it('without --ca (or --insecure) the TLS error, without credentials the auth error: exit 4 with what to give', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 1000)
    const {url, ca} = await tlsDataNode(node, 0)
    const noCa = await medic(['hh', 'watch', '--url', url, '--username', 'u', '--password', 'p', '--samples', '1'])
    expect(noCa.code).toBe(4)
    expect(noCa.stderr).toMatch(/TLS error|certificate/i)
    const noAuth = await medic(['hh', 'wait', '--url', url, '--ca', ca, '--timeout', '5s', '--json'])
    expect(noAuth.code).toBe(4)
    const doc = JSON.parse(noAuth.stdout) as {error: {code: string; suggestions: string[]}}
    expect(doc.error.code).toBe('http-auth')
    expect(doc.error.suggestions[0]).toContain('--username USER --password "$PASSWORD"')
    const bad = await medic(['hh', 'wait', '--url', url, '--ca', ca, '--username', 'u', '--password', 'wrong', '--timeout', '5s'])
    expect(bad.code).toBe(4)
    expect(bad.stderr).toContain('the credentials were refused')
    expect(bad.stderr).not.toContain('wrong')
  })

  it('hh wait --url with credentials exits 0 once the queue is empty', async () => {
    const node = new FakeDataNode()
    node.append('4', '12', 4000)
    const {url, ca} = await tlsDataNode(node, 1000)
    const r = await medic(['hh', 'wait', '--url', url, '--ca', ca, '--username', 'u', '--password', 'p', '--interval', '100ms', '--timeout', '30s', '--json'])
    expect(JSON.parse(r.stdout)).toMatchObject({exitCode: 0, outcome: 'drained', verdict: 'ok'})
    expect(r.code).toBe(0)
  })

  it('hh watch --url pointed at a meta node says it is one and suggests the data nodes it lists', async () => {
    const cluster = await joinedCluster(fc, 1, 2)
    const meta = cluster.metas[0].addr
    const r = await medic(['hh', 'watch', '--url', meta, '--samples', '1'])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain(`Error: ${meta} is a meta node, not a data node`)
    expect(r.stderr).toContain(`medic hh watch --url ${cluster.datas[0].addr} --url ${cluster.datas[1].addr} --meta ${meta}`)
    expect(r.stderr).not.toContain('HTTP 400 "error parsing index"\n')
  })
})
