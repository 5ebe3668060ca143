// `medic doctor` as a process (bin/run.js, dist/; the many short runs in-process, test/cli/inprocess.ts): the JSON envelope and exit codes of every other command, usage
// errors, bundles written and read back through the CLI, hostile bundles (exit 4, a message, no stack trace), and a
// real `medic dev up --meta 1 --data 1` cluster: healthy, then a data node killed, then read back from its bundle.
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'
import {medicInProcess} from './inprocess.js'
import {FakeCluster} from '../helpers/cluster.js'
import {doctorCluster} from '../doctor/helpers.js'
import {freeBase, tempClusterDir} from '../fixtures/dev/helpers.js'

const fc = new FakeCluster()
let dir: string
const cleanups: Array<() => Promise<void> | void> = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-cli-doctor-'))
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await fc.close()
  rmSync(dir, {recursive: true, force: true})
})
afterAll(() => fc.close())

interface Finding {rank: number; id: string; area: string; severity: string; node: string | null; next: string | null}
const findingsOf = (doc: Record<string, unknown>) => (doc.findings as Finding[]).filter((f) => f.severity !== 'info')

describe('medic doctor (CLI)', () => {
  it('one JSON document with schemaVersion; exit 0 when all is checked and fine, 3 with a problem, 4 when unchecked', async () => {
    const c = await doctorCluster(fc, 3, 2)
    const ok = await medic(['doctor', '--meta', c.metas[0].addr, '--skip', 'configs', '--skip', 'logs', '--interval', '200ms', '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    const doc = oneJson(ok.stdout)
    expect(doc).toMatchObject({schemaVersion: 1, command: 'doctor', exitCode: 0, verdict: 'ok', complete: true})
    expect((doc.areas as Array<{area: string; verdict: string}>).map((a) => `${a.area}:${a.verdict}`)).toEqual(['meta:ok', 'data:ok', 'configs:skipped', 'hh:ok', 'logs:skipped'])

    const unchecked = await medic(['doctor', '--meta', c.metas[0].addr, '--interval', '200ms'])
    expect(unchecked.code).toBe(4)
    expect(unchecked.stdout).toMatch(/^medic doctor: UNKNOWN; no problem found; not checked in full: configs, logs/)
    expect(unchecked.stdout).toContain('configs: no config file given (--configs)')

    c.datas[1].routes['/ping'] = (req) => req.socket.destroy()
    const bad = await medic(['doctor', '--meta', c.metas[0].addr, '--skip', 'configs', '--skip', 'logs', '--interval', '200ms'])
    expect(bad.code).toBe(3)
    expect(bad.stdout).toContain(` 1. CRITICAL data-unreachable  [data] ${c.datas[1].addr}`)
    expect(bad.stdout).toContain(`next: curl -sS -i http://${c.datas[1].addr}/ping`)
    expect(bad.stderr).toBe('')
  })

  it('usage errors: exit 2, one JSON error document under --json', async () => {
    const none = await medicInProcess(['doctor', '--json'])
    expect(none.code).toBe(2)
    expect(oneJson(none.stdout)).toMatchObject({schemaVersion: 1, command: 'doctor', exitCode: 2, error: {code: 'no-input'}})
    const both = await medicInProcess(['doctor', '--offline', 'x.tar.gz', '--meta', 'meta-1'])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--offline reads everything from the bundle: it takes no --meta')
    expect((await medicInProcess(['doctor', '--meta', 'meta-1', '--skip', 'meta'])).code).toBe(2)
    expect((await medicInProcess(['doctor', '--meta', 'meta-1', '--samples', '0'])).code).toBe(2)
    expect((await medicInProcess(['doctor', '--meta', 'bad host name'])).code).toBe(2)
    const noDir = await medicInProcess(['doctor', '--meta', '127.0.0.1:1', '--bundle', join(dir, 'no', 'such', 'folder', 'b.tar.gz')])
    expect(noDir.code).toBe(2)
    expect(noDir.stderr).toContain('cannot create it (ENOENT)')
  })

  it('--bundle, then --offline on the bundle: the same findings, with the nodes gone', async () => {
    const c = await doctorCluster(fc, 1, 2)
    c.vars[0].append(String(c.showCluster.data[1].id), '4', 123_456)
    const path = join(dir, 'cluster.tar.gz')
    const live = await medic(['doctor', '--meta', c.metas[0].addr, '--skip', 'configs', '--skip', 'logs', '--interval', '200ms', '--bundle', path, '--json'])
    expect(live.code, live.stderr).toBe(3)
    expect(existsSync(path)).toBe(true)
    expect(existsSync(`${path}.partial`)).toBe(false)
    await fc.close()
    const offline = await medic(['doctor', '--offline', path, '--json'])
    expect(offline.code, offline.stderr).toBe(3)
    const a = oneJson(live.stdout)
    const b = oneJson(offline.stdout)
    expect(b.findings).toEqual(a.findings)
    expect(b.areas).toEqual(a.areas)
    expect(b.source).toMatchObject({kind: 'bundle', path})
    const human = await medic(['doctor', '--offline', path])
    expect(human.stdout).toContain(`from the bundle ${path}, written by medic`)
    expect(human.stdout).toContain('hh-pending')
  })

  it('a file that is not a bundle: exit 4 with what is wrong, never a stack trace', async () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['text.tar.gz', 'hello, not a bundle\n', /not a gzip file/],
      ['cut.tar.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), /gzip data is damaged or cut short/],
    ]
    for (const [name, content, message] of cases) {
      const path = join(dir, name)
      writeFileSync(path, content)
      const r = await medicInProcess(['doctor', '--offline', path])
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/)
      const j = await medicInProcess(['doctor', '--offline', path, '--json'])
      expect(oneJson(j.stdout)).toMatchObject({exitCode: 4, error: {code: expect.stringMatching(/^bundle-/)}})
    }
    const missing = await medicInProcess(['doctor', '--offline', join(dir, 'nope.tar.gz')])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toContain('no such file')
  })
})

describe('never a wrong OK', () => {
  it('a web server that is not InfluxDB, a foreign log, a config that cannot be read: never exit 0, each named', async () => {
    const web = await fc.node({'*': (_req, res) => {
      res.writeHead(200, {'content-type': 'text/html'})
      res.end('<!doctype html><title>Welcome to nginx</title>')
    }})
    const [page] = [join(dir, 'index.log')]
    writeFileSync(page, '<!doctype html>\n<html><body>It works</body></html>\n')
    const r = await medicInProcess(['doctor', '--meta', web.addr, '--configs', join(dir, 'missing.conf'), '--logs', page, '--json', '--interval', '100ms'])
    expect([3, 4]).toContain(r.code)
    const doc = oneJson(r.stdout)
    const area = (name: string) => (doc.areas as Array<{area: string; verdict: string; notChecked: string[]}>).find((a) => a.area === name)!
    expect(area('meta').verdict).toBe('critical')
    expect(area('configs')).toMatchObject({verdict: 'unknown', notChecked: [expect.stringContaining('missing.conf: no such file')]})
    expect(area('logs')).toMatchObject({verdict: 'unknown', notChecked: ['no line medic recognises: not InfluxDB logs?']})
    expect(area('hh').verdict).toBe('unknown')
  })
})

describe('medic doctor against a real dev cluster', () => {
  it('healthy: every area checked and OK; a data node killed: named first; its bundle read back the same', async () => {
    const t = tempClusterDir('medic-doctor-dev-')
    const cluster = t.dir
    cleanups.push(async () => {
      if (existsSync(join(cluster, 'cluster.json'))) await medic(['dev', 'down', '--dir', cluster, '--purge', '--grace', '2s'], {timeoutMs: 60_000})
      t.remove()
    })
    const up = await medic(['dev', 'up', '--detach', '--meta', '1', '--data', '1', '--dir', cluster, '--base-port', String(await freeBase(1, 1)), '--json'], {timeoutMs: 90_000})
    expect(up.code, up.stderr).toBe(0)
    const nodes = (oneJson(up.stdout).nodes as Array<{name: string; httpAddr: string}>)
    const meta = nodes.find((n) => n.name === 'meta-1')!.httpAddr
    const dataAddr = nodes.find((n) => n.name === 'data-1')!.httpAddr

    const healthy = await medic(['doctor', '--meta', meta, '--configs', cluster, '--logs', cluster, '--json'], {timeoutMs: 60_000})
    const doc = oneJson(healthy.stdout)
    expect(findingsOf(doc), healthy.stderr).toEqual([])
    expect((doc.areas as Array<{area: string; verdict: string}>).map((a) => a.verdict)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
    expect(healthy.code).toBe(0)

    const kill = await medic(['dev', 'kill', 'data-1', '--dir', cluster])
    expect(kill.code, kill.stderr).toBe(0)
    const path = join(dir, 'dev.tar.gz')
    const down = await medic(['doctor', '--meta', meta, '--configs', cluster, '--logs', cluster, '--bundle', path, '--json'], {timeoutMs: 60_000})
    expect(down.code, down.stderr).toBe(3)
    const downDoc = oneJson(down.stdout)
    expect(findingsOf(downDoc)[0]).toMatchObject({id: 'data-unreachable', area: 'data', severity: 'critical', node: dataAddr})
    const offline = await medic(['doctor', '--offline', path, '--json'], {timeoutMs: 60_000})
    expect(offline.code).toBe(3)
    expect(oneJson(offline.stdout).findings).toEqual(downDoc.findings)
  }, 180_000)
})
