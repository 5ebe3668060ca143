// The join-diagnosis chain against real loopback servers (127.0.0.1, port 0) that behave like fresh, joined, broken
// and foreign meta nodes, with config files written here. Name resolution is injected so that test names
// (meta-1.test) map to 127.0.0.1; nothing leaves 127.0.0.0/8.
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {renderJoin} from '../../src/format/join.js'
import {diagnoseJoin, type JoinReport, type LookupFn, parseTarget} from '../../src/probe/join.js'
import {tempDir} from '../helpers/cli.js'
import {RAW_CONTROL} from '../helpers/hostile.js'
import {closeAll, deadPort, type Handler, listener, onClose, serve} from '../helpers/net.js'

afterEach(closeAll)

const lookup: LookupFn = async (host) => {
  if (/^meta-\d\.test$/.test(host)) return ['127.0.0.1']
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {code: 'ENOTFOUND'})
}

const json = (body: unknown, status = 200): Handler => (_req, res) => {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

const step = (r: JoinReport, id: string) => {
  const s = r.steps.find((x) => x.id === id)
  if (!s) throw new Error(`no step ${id}: ${r.steps.map((x) => x.id).join(', ')}`)
  return s
}

/** A fresh meta node on a random port that advertises meta-1.test, plus its Raft listener. */
async function freshNode(overrides: Record<string, unknown> = {}) {
  const raft = await listener()
  let httpPort = 0
  httpPort = await serve((req, res) => json({nodeType: 'meta', leader: '', httpAddr: `meta-1.test:${httpPort}`, raftAddr: `meta-1.test:${raft}`, peers: null, ...overrides})(req, res))
  return {httpPort, raft}
}

function metaConf(dir: string, text: string, name = 'influxdb-meta.conf'): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const goodMeta = (httpPort: number, raft: number, extra = '') => `hostname = "meta-1.test"

[enterprise]
  license-key = "4f1e0c7a-real-looking-key-9b2d"

[meta]
  dir = "/var/lib/influxdb/meta"
  bind-address = ":${raft}"
  http-bind-address = ":${httpPort}"
${extra}`

describe('parseTarget', () => {
  it('accepts host, host:port, [v6]:port and URLs', () => {
    expect(parseTarget('meta-1')).toMatchObject({host: 'meta-1', port: 8091, portGiven: false, scheme: 'http'})
    expect(parseTarget('meta-1:9091')).toMatchObject({host: 'meta-1', port: 9091, portGiven: true})
    expect(parseTarget('[fd00::1]:8091')).toMatchObject({host: 'fd00::1', port: 8091})
    expect(parseTarget('https://meta-1:8091/')).toMatchObject({scheme: 'https', host: 'meta-1', port: 8091})
  })

  it.each(['', '   ', 'meta-1:', 'meta-1:abc', 'meta-1:70000', 'meta-1:0', 'ftp://meta-1:8091', 'meta-1/status', 'a:b:c', ':8091', 'me ta:8091'])(
    'rejects %j as a usage error (exit 2)', (input) => {
      let err: unknown
      try {
        parseTarget(input)
      } catch (error) {
        err = error
      }
      expect(err).toBeInstanceOf(MedicError)
      expect((err as MedicError).exitCode).toBe(2)
    })

  it('never echoes credentials written into the address', () => {
    expect(() => parseTarget('http://admin:hunter2pw@meta-1:8091')).toThrow(/credentials/)
    try {
      parseTarget('http://admin:hunter2pw@meta-1:8091')
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2pw')
    }
  })
})

describe('diagnoseJoin against loopback meta nodes', () => {
  it('a fresh, well-configured meta node: every step ok', async () => {
    const {httpPort, raft} = await freshNode()
    const conf = metaConf(tempDir(), goodMeta(httpPort, raft))
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: conf, timeoutMs: 10_000})
    // meta-1.test resolves to 127.0.0.1 here: the only warning is that other nodes must resolve it elsewhere.
    const bad = r.steps.filter((s) => s.status !== 'ok').map((s) => `${s.id}:${s.status}`)
    expect(bad).toEqual(['resolve:warning'])
    expect(step(r, 'resolve').summary).toContain('resolves to a loopback address here')
    expect(r.verdict).toBe('warning')
    expect(r.counts.fail).toBe(0)
    // the Raft port the node advertises in /status wins over the config's
    expect(step(r, 'tcp-raft').evidence[0]).toContain('the raftAddr the node advertises in /status')
    expect(renderJoin(r, 200)).toContain('The join should work')
  })

  it('without the port: warns, assumes 8091 and still walks the chain', async () => {
    const r = await diagnoseJoin('meta-9.invalid', {lookup, timeoutMs: 10_000})
    expect(step(r, 'argument').status).toBe('warning')
    expect(step(r, 'argument').next[0]).toBe('influxd-ctl add-meta meta-9.invalid:8091')
    expect(step(r, 'resolve').status).toBe('fail')
    expect(step(r, 'tcp-http').status).toBe('skipped')
    expect(step(r, 'http-status').status).toBe('skipped')
    expect(r.nothingChecked).toBe(true)
    expect(r.verdict).toBe('unreachable')
  })

  it('nothing listening: TCP fails, and with a config the config is still checked', async () => {
    const port = await deadPort()
    const raft = await deadPort()
    const r1 = await diagnoseJoin(`127.0.0.1:${port}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r1, 'resolve').status).toBe('warning') // loopback: other nodes cannot use it
    expect(step(r1, 'tcp-http')).toMatchObject({status: 'fail'})
    expect(step(r1, 'tcp-http').evidence[0]).toContain('ECONNREFUSED')
    expect(step(r1, 'tcp-raft').status).toBe('fail')
    expect(r1.nothingChecked).toBe(true)

    const conf = metaConf(tempDir(), 'hostname = ""\n[meta]\n  bind-address = ":8089"\n')
    const r2 = await diagnoseJoin(`127.0.0.1:${port}`, {lookup, raftPort: raft, metaConfig: conf, timeoutMs: 10_000})
    expect(r2.nothingChecked).toBe(false)
    expect(step(r2, 'config-hostname').status).toBe('fail')
    expect(step(r2, 'license').summary).toContain('neither')
  })

  it('a member of another cluster: membership fails', async () => {
    const {httpPort, raft} = await freshNode({leader: 'other-1:8089', peers: ['other-1:8089', 'other-2:8089', 'other-3:8089']})
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r, 'membership').status).toBe('fail')
    expect(step(r, 'membership').summary).toContain('another cluster')
    expect(step(r, 'membership').next.join(' ')).toContain('remove-meta')
    expect(r.verdict).toBe('fail')
  })

  it('already a member of a cluster (peers include itself): a warning, not a failure', async () => {
    const raft = await listener()
    let httpPort = 0
    httpPort = await serve((req, res) => json({nodeType: 'meta', leader: `meta-1.test:${raft}`, httpAddr: `meta-1.test:${httpPort}`, raftAddr: `meta-1.test:${raft}`, peers: [`meta-1.test:${raft}`, 'meta-2.test:8089']})(req, res))
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r, 'membership').status).toBe('warning')
  })

  it('a node advertising localhost: advertised addresses fail, and the config hostname names the fix', async () => {
    const raft = await listener()
    let httpPort = 0
    httpPort = await serve((req, res) => json({nodeType: 'meta', leader: '', httpAddr: `localhost:${httpPort}`, raftAddr: `localhost:${raft}`, peers: null})(req, res))
    const conf = metaConf(tempDir(), goodMeta(httpPort, raft).replace('hostname = "meta-1.test"', 'hostname = "localhost"'))
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: conf, timeoutMs: 10_000})
    expect(step(r, 'advertised-address').status).toBe('fail')
    expect(step(r, 'advertised-address').summary).toContain('loopback')
    expect(step(r, 'config-hostname').status).toBe('fail')
    expect(step(r, 'config-hostname').evidence[0]).toMatch(/influxdb-meta\.conf:1: hostname = "localhost"/)
    expect(step(r, 'config-hostname').next[0]).toContain('hostname = "meta-1.test"')
  })

  it('a hostname that does not resolve (.invalid)', async () => {
    const {httpPort, raft} = await freshNode()
    const conf = metaConf(tempDir(), goodMeta(httpPort, raft).replace('meta-1.test', 'meta-1.invalid'))
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: conf, timeoutMs: 10_000})
    expect(step(r, 'config-hostname').status).toBe('fail')
    expect(step(r, 'config-hostname').summary).toContain('does not resolve')
  })

  it('503: not joined / no leader; the body steps are skipped, not failed', async () => {
    const raft = await listener()
    const port = await serve(json({error: 'raft: no leader'}, 503))
    const r = await diagnoseJoin(`meta-1.test:${port}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r, 'http-status').status).toBe('fail')
    expect(step(r, 'http-status').summary).toMatch(/^503/)
    expect(step(r, 'http-status').evidence.join(' ')).toContain('no leader')
    expect(step(r, 'body-shape').status).toBe('skipped')
    expect(step(r, 'node-type').status).toBe('skipped')
  })

  it('401 with auth on: suggests credentials; with --username/--password it passes and the password is never in the report', async () => {
    const raft = await listener()
    let httpPort = 0
    const expected = `Basic ${Buffer.from('admin:hunter2-pass').toString('base64')}`
    httpPort = await serve((req, res) => {
      if (req.headers.authorization !== expected) return json({error: 'unable to parse authentication credentials'}, 401)(req, res)
      json({nodeType: 'meta', leader: '', httpAddr: `meta-1.test:${httpPort}`, raftAddr: `meta-1.test:${raft}`, peers: null})(req, res)
    })
    const conf = metaConf(tempDir(), goodMeta(httpPort, raft, '  auth-enabled = true\n  internal-shared-secret = "int-secret-value-42"\n'))
    const r1 = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: conf, timeoutMs: 10_000})
    expect(step(r1, 'http-status').status).toBe('fail')
    expect(step(r1, 'http-status').next.join('\n')).toContain('-auth-type basic')
    expect(step(r1, 'http-status').next.join('\n')).toContain('--username admin')
    const r2 = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: conf, timeoutMs: 10_000, auth: {type: 'basic', username: 'admin', password: 'hunter2-pass'}})
    expect(step(r2, 'http-status').status).toBe('ok')
    expect(step(r2, 'auth').status).toBe('ok')
    const all = JSON.stringify(r2) + renderJoin(r2)
    expect(all).not.toContain('hunter2-pass')
    expect(all).not.toContain('int-secret-value-42')
    expect(all).not.toContain('4f1e0c7a-real-looking-key-9b2d')
  })

  it('an HTML error page (200 and 502): the body or the status fails, naming the cause', async () => {
    const raft = await listener()
    const html = (status: number): Handler => (_req, res) => {
      res.writeHead(status, {'content-type': 'text/html'})
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
    }
    const p200 = await serve(html(200))
    const r1 = await diagnoseJoin(`meta-1.test:${p200}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r1, 'body-shape').status).toBe('fail')
    expect(step(r1, 'body-shape').summary).toContain('HTML')
    expect(step(r1, 'body-shape').summary).toContain('unable to determine')
    const p502 = await serve(html(502))
    const r2 = await diagnoseJoin(`meta-1.test:${p502}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r2, 'http-status').status).toBe('fail')
    expect(step(r2, 'http-status').summary).toContain('HTTP 502')
  })

  it('a wrong-shaped body: the issues are named by path', async () => {
    const raft = await listener()
    const port = await serve(json({nodeType: 'meta', leader: '', httpAddr: 'meta-1.test:8091', peers: 'none'}))
    const r = await diagnoseJoin(`meta-1.test:${port}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    const s = step(r, 'body-shape')
    expect(s.status).toBe('fail')
    expect(s.evidence.join('\n')).toMatch(/^raftAddr: /m)
    expect(s.evidence.join('\n')).toMatch(/^peers: /m)
    expect(step(r, 'node-type').status).toBe('ok')
    expect(step(r, 'membership').status).toBe('skipped')
  })

  it('a data node answers instead: nodeType data, or a 404', async () => {
    const raft = await listener()
    const pData = await serve(json({nodeType: 'data', leader: '', httpAddr: 'meta-1.test:8086', raftAddr: 'meta-1.test:8088', peers: null}))
    const r1 = await diagnoseJoin(`meta-1.test:${pData}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r1, 'node-type').status).toBe('fail')
    expect(step(r1, 'node-type').next[0]).toContain('add-data meta-1.test:8088')
    const p404 = await serve((_req, res) => {
      res.writeHead(404, {'content-type': 'text/plain'})
      res.end('404 page not found\n')
    })
    const r2 = await diagnoseJoin(`meta-1.test:${p404}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r2, 'http-status').status).toBe('fail')
    expect(step(r2, 'http-status').summary).toContain('not a meta node')
  })

  it('config: ports, license both / placeholder, HTTPS enabled but probed over http', async () => {
    const {httpPort, raft} = await freshNode()
    const dir = tempDir()
    const text = goodMeta(httpPort, raft, '  https-enabled = true\n')
      .replace(`http-bind-address = ":${httpPort}"`, 'http-bind-address = ":8091"')
      .replace('license-key = "4f1e0c7a-real-looking-key-9b2d"', 'license-key = "4f1e0c7a-real-looking-key-9b2d"\n  license-path = "/etc/influxdb/license.json"')
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: metaConf(dir, text), timeoutMs: 10_000})
    expect(step(r, 'config-ports').status).toBe('fail')
    expect(step(r, 'config-ports').summary).toContain('listens on 8091')
    expect(step(r, 'license').summary).toContain('both')
    expect(step(r, 'tls').status).toBe('fail')
    expect(step(r, 'tls').next[0]).toBe(`medic join diagnose https://meta-1.test:${httpPort}`)

    const placeholder = goodMeta(httpPort, raft).replace('4f1e0c7a-real-looking-key-9b2d', 'your-license-key-here')
    const r2 = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: metaConf(dir, placeholder, 'p.conf'), timeoutMs: 10_000})
    expect(step(r2, 'license').summary).toContain('placeholder')
  })

  it('auth settings against the data config, compared without printing secrets; TCP to the data port', async () => {
    const {httpPort, raft} = await freshNode()
    const dataPort = await listener()
    const dir = tempDir()
    const meta = metaConf(dir, goodMeta(httpPort, raft, '  auth-enabled = true\n  internal-shared-secret = "meta-side-secret-123"\n'))
    const data = metaConf(dir, `hostname = "data-1.test"\nbind-address = ":${dataPort}"\n[meta]\n  dir = "/var/lib/influxdb/meta"\n  meta-auth-enabled = true\n  meta-internal-shared-secret = "data-side-secret-456"\n`, 'influxdb.conf')
    const r = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: meta, dataConfig: data, timeoutMs: 10_000})
    expect(step(r, 'tcp-data').status).toBe('ok')
    expect(step(r, 'auth').status).toBe('fail')
    expect(step(r, 'auth').summary).toContain('differ')
    const all = JSON.stringify(r) + renderJoin(r)
    expect(all).not.toContain('meta-side-secret-123')
    expect(all).not.toContain('data-side-secret-456')

    const data2 = metaConf(dir, `[meta]\n  meta-auth-enabled = false\n`, 'influxdb2.conf')
    const r2 = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: meta, dataConfig: data2, dataPort: await deadPort(), timeoutMs: 10_000})
    expect(step(r2, 'auth').summary).toContain('must be equal')
    expect(step(r2, 'tcp-data').status).toBe('fail')

    const noSecret = metaConf(dir, goodMeta(httpPort, raft, '  auth-enabled = true\n'), 'nosecret.conf')
    const r3 = await diagnoseJoin(`meta-1.test:${httpPort}`, {lookup, metaConfig: noSecret, timeoutMs: 10_000})
    expect(step(r3, 'auth').summary).toContain('1.6.4')
  })

  it('an unreadable config is exit 4 before anything is probed', async () => {
    await expect(diagnoseJoin('meta-1.test:1', {lookup, metaConfig: join(tempDir(), 'missing.conf')})).rejects.toMatchObject({exitCode: 4})
  })

  it.skipIf(!hasOpenssl())('HTTPS: reads the certificate and checks its names against the address and the hostname', async () => {
    const raft = await listener()
    for (const [cn, want] of [['meta-1.test', 'warning'], ['other.test', 'fail']] as const) {
      const {key, cert} = selfSigned(cn)
      const server = createHttpsServer({key, cert}, (req, res) => json({nodeType: 'meta', leader: '', httpAddr: `meta-1.test:${(server.address() as AddressInfo).port}`, raftAddr: `meta-1.test:${raft}`, peers: null})(req, res))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      onClose(async () => {
        server.closeAllConnections()
        await new Promise((r) => server.close(r))
      })
      const port = (server.address() as AddressInfo).port
      const r = await diagnoseJoin(`https://meta-1.test:${port}`, {lookup, raftPort: raft, timeoutMs: 10_000})
      expect(step(r, 'http-status').status).toBe('ok')
      expect(step(r, 'tls').status).toBe(want)
      expect(step(r, 'tls').evidence[0]).toContain(cn)
      if (want === 'fail') expect(step(r, 'tls').summary).toContain('does not name meta-1.test')
      else expect(step(r, 'tls').summary).toContain('not trusted')
    }
  })
})

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

function selfSigned(cn: string): {key: string; cert: string} {
  const dir = tempDir()
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], {stdio: 'ignore'})
  return {key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8')}
}

describe('diagnoseJoin: what the node sends is outside input', () => {
  it('a /status body of 100,000 nested arrays: the body step fails, the run goes on (no stack overflow)', async () => {
    const raft = await listener()
    const port = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end('['.repeat(100_000) + ']'.repeat(100_000))
    })
    const r = await diagnoseJoin(`meta-1.test:${port}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r, 'body-shape')).toMatchObject({status: 'fail'})
    expect(step(r, 'body-shape').summary).toContain('nests deeper than 64 levels')
    expect(step(r, 'tls').status).toBe('skipped')
    expect(r.exitCode).toBe(3)
  })

  it('a hostile address is never put into a suggested command; control characters are escaped by the formatter', async () => {
    const raft = await listener()
    const port = await serve(json({nodeType: 'meta', leader: 'other-1:8089', httpAddr: 'x:8091;touch${IFS}pwned;#', raftAddr: `meta-1\u001b]0;pwned\u0007:${raft}`, peers: ['other-1:8089', 'data-1\r\nOK      everything is fine']}))
    const r = await diagnoseJoin(`meta-1.test:${port}`, {lookup, raftPort: raft, timeoutMs: 10_000})
    expect(step(r, 'membership').status).toBe('fail')
    const next = r.steps.flatMap((s) => s.next)
    expect(next.join('\n')).not.toContain('touch${IFS}pwned')
    expect(next.join('\n')).toContain('on a meta node of the other cluster: influxd-ctl show')
    expect(step(r, 'advertised-address').status).toBe('fail')
    const text = renderJoin(r, 200)
    expect(text).not.toMatch(RAW_CONTROL)
    expect(text).not.toContain('\r')
    expect(text).toContain('\\x1b]0;pwned\\x07')
  })

  it('probes Raft on the port of the raftAddr the node advertises, not on 8089', async () => {
    const raft = await listener()
    const port = await serve(json({nodeType: 'meta', leader: '', httpAddr: 'meta-1.test:8091', raftAddr: `meta-1.test:${raft}`, peers: null}))
    const r = await diagnoseJoin(`meta-1.test:${port}`, {lookup, timeoutMs: 10_000})
    expect(step(r, 'tcp-raft')).toMatchObject({status: 'ok', summary: `Raft port ${raft} accepts connections`})
    expect(step(r, 'tcp-raft').evidence[0]).toContain('the raftAddr the node advertises in /status')
  })

  it('a name that never resolves: the run ends by its deadline, the step counted as not checked', async () => {
    const never: LookupFn = () => new Promise(() => {})
    const started = performance.now()
    const r = await diagnoseJoin('meta-1.test:8091', {lookup: never, timeoutMs: 5000, runTimeoutMs: 400})
    expect(performance.now() - started).toBeLessThan(2000)
    expect(step(r, 'resolve')).toMatchObject({status: 'skipped', unchecked: true})
    expect(r.exitCode).toBe(4)
  })
})

describe('diagnoseJoin: a medic dev cluster config', () => {
  /** A joined one-node dev cluster on loopback: /status advertises 127.0.0.1, the config carries [medic-dev]. */
  async function devNode(dir: string, edit: (conf: string) => string = (c) => c) {
    const raft = await listener()
    let httpPort = 0
    httpPort = await serve((req, res) => json({nodeType: 'meta', leader: `127.0.0.1:${raft}`, httpAddr: `127.0.0.1:${httpPort}`, raftAddr: `127.0.0.1:${raft}`, peers: [`127.0.0.1:${raft}`]})(req, res))
    const conf = metaConf(dir, edit(`hostname = "127.0.0.1"\n[meta]\n  dir = "${dir}/meta"\n  bind-address = "127.0.0.1:${raft}"\n  http-bind-address = "127.0.0.1:${httpPort}"\n  auth-enabled = false\n[medic-dev]\n  node = "meta-1"\n  cluster = "${dir}"\n`))
    return {httpPort, raft, conf}
  }

  it('passes: loopback hostname, loopback binds and no license are what config check accepts there', async () => {
    const dir = tempDir()
    const {httpPort, conf} = await devNode(dir)
    const r = await diagnoseJoin(`127.0.0.1:${httpPort}`, {metaConfig: conf, timeoutMs: 10_000})
    expect(r.steps.filter((s) => s.status !== 'ok' && s.status !== 'skipped').map((s) => `${s.id}:${s.status}: ${s.summary}`)).toEqual([])
    expect(r.devCluster).toBe(true)
    expect([r.verdict, r.exitCode]).toEqual(['ok', 0])
    expect(step(r, 'license').summary).toContain('dev cluster')
  })

  it('still fails what is wrong in a dev cluster: the port, both licenses, auth without its secret', async () => {
    const dir = tempDir()
    const wrongPort = await devNode(dir, (c) => c.replace(/http-bind-address = "127\.0\.0\.1:\d+"/, 'http-bind-address = "127.0.0.1:1"'))
    const r1 = await diagnoseJoin(`127.0.0.1:${wrongPort.httpPort}`, {metaConfig: wrongPort.conf, timeoutMs: 10_000})
    expect(step(r1, 'config-ports').status).toBe('fail')
    const dir2 = tempDir()
    const both = await devNode(dir2, (c) => c.replace('[meta]', '[enterprise]\n  license-key = "k-123456"\n  license-path = "/etc/l.json"\n[meta]').replace('auth-enabled = false', 'auth-enabled = true'))
    const r2 = await diagnoseJoin(`127.0.0.1:${both.httpPort}`, {metaConfig: both.conf, timeoutMs: 10_000})
    expect(step(r2, 'license').summary).toContain('both')
    expect(step(r2, 'auth').summary).toContain('1.6.4')
    expect(r2.exitCode).toBe(3)
  })

  it('a license setting the dev node would refuse: a key in license-path, a license file that is missing or not JSON', async () => {
    const dir = tempDir()
    const key = await devNode(dir, (c) => c.replace('[meta]', '[enterprise]\n  license-path = "7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31"\n[meta]'))
    const r1 = await diagnoseJoin(`127.0.0.1:${key.httpPort}`, {metaConfig: key.conf, timeoutMs: 10_000})
    expect(step(r1, 'license')).toMatchObject({status: 'fail', summary: expect.stringMatching(/^license-path holds what looks like a license key, not a file/)})
    expect(step(r1, 'license').next[0]).toMatch(/move the value to \[enterprise\] license-key/)
    const dir2 = tempDir()
    const missing = await devNode(dir2, (c) => c.replace('[meta]', `[enterprise]\n  license-path = "${dir2}/license.json"\n[meta]`))
    const r2 = await diagnoseJoin(`127.0.0.1:${missing.httpPort}`, {metaConfig: missing.conf, timeoutMs: 10_000})
    expect(step(r2, 'license')).toMatchObject({status: 'fail', summary: `license-path cannot be used: open ${dir2}/license.json: no such file or directory: the node does not start`})
    writeFileSync(join(dir2, 'license.json'), 'not json')
    expect(step(await diagnoseJoin(`127.0.0.1:${missing.httpPort}`, {metaConfig: missing.conf, timeoutMs: 10_000}), 'license').summary).toContain('not a license file (not JSON)')
    writeFileSync(join(dir2, 'license.json'), '{"license": "medic-dev"}')
    expect(step(await diagnoseJoin(`127.0.0.1:${missing.httpPort}`, {metaConfig: missing.conf, timeoutMs: 10_000}), 'license').status).toBe('ok')
  })

  it('http-bind-address bound to another address than the one joined (right port): config-ports names it', async () => {
    const dir = tempDir()
    const port = await deadPort()
    const conf = metaConf(dir, `hostname = "127.0.0.1"\n[enterprise]\n  license-key = "4f1e0c7a-real-looking-key-9b2d"\n[meta]\n  bind-address = "127.0.0.1:${port + 1}"\n  http-bind-address = "127.0.0.2:${port}"\n[medic-dev]\n  node = "meta-2"\n  cluster = "${dir}"\n`)
    const r = await diagnoseJoin(`127.0.0.1:${port}`, {metaConfig: conf, timeoutMs: 3_000})
    const ports = step(r, 'config-ports')
    expect(ports.status).toBe('fail')
    expect(ports.summary).toContain(`[meta] http-bind-address binds 127.0.0.2:${port} only, but the address used is 127.0.0.1:${port}: nothing of this node listens there`)
    expect(ports.next[0]).toBe(`set [meta] http-bind-address = ":${port}" (every address) or "127.0.0.1:${port}" in ${conf}, then systemctl restart influxdb-meta`)
    // A name is compared with what it resolves to.
    const byName = await diagnoseJoin(`meta-1.test:${port}`, {metaConfig: conf, timeoutMs: 3_000, lookup})
    expect(step(byName, 'config-ports').summary).toContain(`the address used is meta-1.test:${port} (meta-1.test resolves to 127.0.0.1)`)
    // Joined at the address it binds, but hostname advertises another: named too.
    const atBound = await diagnoseJoin(`127.0.0.2:${port}`, {metaConfig: conf, timeoutMs: 3_000})
    expect(step(atBound, 'config-ports').summary).toContain(`hostname = "127.0.0.1" makes the node advertise 127.0.0.1:${port}, but [meta] http-bind-address binds 127.0.0.2:${port} only: the other nodes dial an address nothing listens on`)
    // Bound to every address, or to the one joined: no such finding.
    for (const bind of [`:${port}`, `127.0.0.1:${port}`, `0.0.0.0:${port}`]) {
      const ok = metaConf(dir, readFileSync(conf, 'utf8').replace(`"127.0.0.2:${port}"`, `"${bind}"`), `ok-${bind.replace(/\W/g, '_')}.conf`)
      expect(step(await diagnoseJoin(`127.0.0.1:${port}`, {metaConfig: ok, timeoutMs: 3_000}), 'config-ports').summary).not.toMatch(/binds .* only/)
    }
  })

  it('without the [medic-dev] table the same loopback config fails as before', async () => {
    const dir = tempDir()
    const {httpPort, conf} = await devNode(dir, (c) => c.replace(/\[medic-dev\][\s\S]*$/, ''))
    const r = await diagnoseJoin(`127.0.0.1:${httpPort}`, {metaConfig: conf, timeoutMs: 10_000})
    expect(step(r, 'config-hostname').status).toBe('fail')
    expect(step(r, 'config-ports').status).toBe('fail')
    expect(step(r, 'license').status).toBe('fail')
  })

  it('without a config, a cluster on one machine (node and peers on 127.0.0.1) passes; a lone loopback node does not', async () => {
    const dir = tempDir()
    const {httpPort} = await devNode(dir)
    const r = await diagnoseJoin(`127.0.0.1:${httpPort}`, {timeoutMs: 10_000})
    expect(r.steps.filter((s) => s.status === 'fail' || s.status === 'warning').map((s) => s.id)).toEqual([])
    expect(r.exitCode).toBe(0)
    // a node advertising 127.0.0.1 whose peers are elsewhere: loopback is wrong there
    const raft = await listener()
    const p2 = await serve(json({nodeType: 'meta', leader: 'meta-2.test:8089', httpAddr: '127.0.0.1:8091', raftAddr: `127.0.0.1:${raft}`, peers: [`127.0.0.1:${raft}`, 'meta-2.test:8089']}))
    const r2 = await diagnoseJoin(`127.0.0.1:${p2}`, {timeoutMs: 10_000})
    expect(step(r2, 'advertised-address').status).toBe('fail')
    expect(step(r2, 'resolve').status).toBe('warning')
  })
})
