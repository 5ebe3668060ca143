// `medic join diagnose` end to end: the built CLI against real loopback servers (127.0.0.1, port 0), config files
// written here, exit codes, --json envelope, help, usage errors, and no secret in any output.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson, tempDir} from '../helpers/cli.js'
import {closeAll, deadPort, type Handler, listener, serve} from '../helpers/net.js'

afterEach(closeAll)

const json = (body: unknown, status = 200): Handler => (_req, res) => {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

type Step = {id: string; status: string; summary: string; evidence: string[]; next: string[]}
const steps = (doc: Record<string, unknown>) => doc.steps as Step[]
const step = (doc: Record<string, unknown>, id: string) => steps(doc).find((s) => s.id === id)!

describe('medic join diagnose', () => {
  it('a fresh node advertising a routable name: only loopback-related findings, --json envelope', async () => {
    const raft = await listener()
    const port = await serve(json({nodeType: 'meta', leader: '', httpAddr: 'meta-1.example.invalid:8091', raftAddr: 'meta-1.example.invalid:8089', peers: null}))
    const r = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--raft-port', String(raft), '--json'])
    const doc = oneJson(r.stdout)
    expect(doc).toMatchObject({schemaVersion: 1, command: 'join diagnose', target: {host: '127.0.0.1', port}})
    expect(step(doc, 'tcp-http').status).toBe('ok')
    expect(step(doc, 'tcp-raft').status).toBe('ok')
    expect(step(doc, 'http-status').status).toBe('ok')
    expect(step(doc, 'body-shape').status).toBe('ok')
    expect(step(doc, 'node-type').status).toBe('ok')
    expect(step(doc, 'membership').status).toBe('ok')
    // advertised name is under .invalid: it resolves nowhere, so other nodes could not use it either
    expect(step(doc, 'advertised-address').status).toBe('fail')
    expect(r.code).toBe(3)
    expect(doc.exitCode).toBe(3)
    expect(r.stderr).toBe('')
  })

  it('human output: one line per step with evidence and next commands; 503 exits 3', async () => {
    const raft = await listener()
    const port = await serve(json({error: 'raft: no leader'}, 503))
    const r = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--raft-port', String(raft)])
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/FAIL\s+GET \/status: 503/)
    expect(r.stdout).toContain('saw: GET http://127.0.0.1:')
    expect(r.stdout).toContain(`next: if this node is new, on a meta node that is already in the cluster: influxd-ctl add-meta 127.0.0.1:${port}`)
    expect(r.stdout).toMatch(/SKIPPED\s+\/status body/)
    expect(r.stdout).toContain('The join will fail')
  })

  it('401: suggests credentials; MEDIC_USERNAME / MEDIC_PASSWORD are used and never printed', async () => {
    const raft = await listener()
    const expected = `Basic ${Buffer.from('admin:s3cret-pass-77').toString('base64')}`
    const port = await serve((req, res) => req.headers.authorization === expected
      ? json({nodeType: 'meta', leader: '', httpAddr: 'localhost:8091', raftAddr: 'localhost:8089', peers: null})(req, res)
      : json({error: 'unable to parse authentication credentials'}, 401)(req, res))
    const r1 = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--raft-port', String(raft), '--json'])
    expect(r1.code).toBe(3)
    expect(step(oneJson(r1.stdout), 'http-status').next.join('\n')).toContain('-auth-type')
    const r2 = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--raft-port', String(raft), '--json'], {env: {MEDIC_USERNAME: 'admin', MEDIC_PASSWORD: 's3cret-pass-77'}})
    const doc = oneJson(r2.stdout)
    expect(step(doc, 'http-status').status).toBe('ok')
    expect(step(doc, 'advertised-address').status).toBe('fail') // localhost advertised
    expect(r2.stdout + r2.stderr).not.toContain('s3cret-pass-77')
    const r3 = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--raft-port', String(raft), '--username', 'admin', '--password', 's3cret-pass-77'])
    expect(r3.stdout).toMatch(/OK\s+GET \/status/)
    expect(r3.stdout + r3.stderr).not.toContain('s3cret-pass-77')
  })

  it('an HTML error page and a data node answering (404) both exit 3', async () => {
    const raft = await listener()
    const html = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'text/html'})
      res.end('<!doctype html><title>Login</title>')
    })
    const r1 = await medic(['join', 'diagnose', `127.0.0.1:${html}`, '--raft-port', String(raft), '--json'])
    expect(r1.code).toBe(3)
    expect(step(oneJson(r1.stdout), 'body-shape').summary).toContain('HTML')
    const p404 = await serve((_req, res) => {
      res.writeHead(404)
      res.end('404 page not found')
    })
    const r2 = await medic(['join', 'diagnose', `127.0.0.1:${p404}`, '--raft-port', String(raft), '--json'])
    expect(r2.code).toBe(3)
    expect(step(oneJson(r2.stdout), 'http-status').summary).toContain('not a meta node')
  })

  it('unreachable and no config: exit 4; with a config: exit 3 and the config findings', async () => {
    const port = await deadPort()
    const raft = await deadPort()
    const r1 = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--raft-port', String(raft), '--json'])
    expect(r1.code).toBe(4)
    expect(oneJson(r1.stdout)).toMatchObject({exitCode: 4, nothingChecked: true, verdict: 'unreachable'})
    const r2 = await medic(['join', 'diagnose', 'meta-1.example.invalid'])
    expect(r2.code).toBe(4)
    expect(r2.stdout).toMatch(/WARNING\s+Join argument: no port/)
    expect(r2.stdout).toContain('Could not check')

    const dir = tempDir()
    const conf = join(dir, 'influxdb-meta.conf')
    writeFileSync(conf, `hostname = "localhost"\n[enterprise]\n  license-key = "abcd-real-key-0042-secret"\n  license-path = "/etc/influxdb/license.json"\n[meta]\n  bind-address = ":${raft}"\n  auth-enabled = true\n  internal-shared-secret = "my-internal-secret-99"\n`)
    const data = join(dir, 'influxdb.conf')
    writeFileSync(data, `[meta]\n  dir = "/var/lib/influxdb/meta"\n  meta-auth-enabled = true\n  meta-internal-shared-secret = "other-internal-secret-11"\n`)
    const r3 = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--config', conf, '--data-config', data, '--data-port', String(await deadPort()), '--json'])
    expect(r3.code).toBe(3)
    const doc = oneJson(r3.stdout)
    expect(step(doc, 'config-hostname').status).toBe('fail')
    expect(step(doc, 'license').summary).toContain('both')
    expect(step(doc, 'auth').summary).toContain('differ')
    expect(step(doc, 'tcp-data').status).toBe('fail')
    const h = await medic(['join', 'diagnose', `127.0.0.1:${port}`, '--config', conf, '--data-config', data])
    for (const out of [r3.stdout, h.stdout, h.stderr]) {
      expect(out).not.toContain('abcd-real-key-0042-secret')
      expect(out).not.toContain('my-internal-secret-99')
      expect(out).not.toContain('other-internal-secret-11')
    }
  })

  it('a missing config file: exit 4 naming it', async () => {
    const r = await medic(['join', 'diagnose', '127.0.0.1:1', '--config', '/nonexistent/influxdb-meta.conf', '--json'])
    expect(r.code).toBe(4)
    expect(JSON.stringify(oneJson(r.stdout))).toContain('/nonexistent/influxdb-meta.conf')
  })

  it.each([
    [['join', 'diagnose']],
    [['join', 'diagnose', 'meta-1:notaport']],
    [['join', 'diagnose', 'meta-1:99999']],
    [['join', 'diagnose', 'ftp://meta-1:8091']],
    [['join', 'diagnose', 'meta-1:8091', '--timeout', 'soon']],
    [['join', 'diagnose', 'meta-1:8091', '--raft-port', '0']],
    [['join', 'diagnose', 'meta-1:8091', '--password', 'p']],
    [['join', 'diagnose', 'meta-1:8091', '--jwt-secret', 's']],
  ])('usage error %j: exit 2, also with --json', async (args) => {
    const r = await medic(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Error:')
    const j = await medic([...args, '--json'])
    expect(j.code).toBe(2)
    expect(oneJson(j.stdout)).toMatchObject({exitCode: 2})
  })

  it('help names the env variables and examples', async () => {
    const r = await medic(['join', 'diagnose', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('MEDIC_PASSWORD')
    expect(r.stdout).toContain('MEDIC_JWT_SECRET')
    expect(r.stdout).toContain('--data-config')
    expect(r.stdout).toContain('medic join diagnose meta-2.example.com:8091')
  })
})
