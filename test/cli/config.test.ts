// `medic config check` end to end, through the built CLI in a child process: exit codes, --json, help, colour,
// env files, bad input, and secrets kept out of stdout and stderr.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {medic, oneJson, tempDir} from '../helpers/cli.js'

const LICENSE = '5c0e4d2a-8f1b-4c3e-9a7d-2b6f1e0c9d84'
const SECRET = 'Zq8vN2pLr5TxW1cYh7Ks-internal'

const META = `hostname = "meta-01.example.test"
[enterprise]
  license-key = "${LICENSE}"
[meta]
  dir = "/var/lib/influxdb/meta"
  auth-enabled = true
  internal-shared-secret = "${SECRET}"
`
const DATA = `hostname = "data-01.example.test"
[enterprise]
  license-key = "${LICENSE}"
[meta]
  dir = "/var/lib/influxdb/meta"
  meta-auth-enabled = true
  meta-internal-shared-secret = "${SECRET}"
[hinted-handoff]
  dir = "/nonexistent/medic-test/hh"
`

function files(entries: Record<string, string | Buffer>): {dir: string; paths: string[]} {
  const dir = tempDir()
  return {dir, paths: Object.entries(entries).map(([name, body]) => {
    const p = join(dir, name)
    writeFileSync(p, body)
    return p
  })}
}

describe('medic config check', () => {
  it('exits 0 for a healthy meta and data pair, with a summary on stdout and nothing on stderr', async () => {
    const {paths} = files({'influxdb-meta.conf': META, 'influxdb.conf': DATA})
    const r = await medic(['config', 'check', ...paths])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('meta node')
    expect(r.stdout).toContain('data node')
    expect(r.stdout).toContain('Across nodes')
    expect(r.stdout).toMatch(/Result: .*in 2 files/)
  })

  it('exits 3 with file:line:column, the key, the message and the fix for an error', async () => {
    const {paths} = files({'influxdb-meta.conf': META.replace('hostname = "meta-01.example.test"', 'hostname = "localhost"') + '  lease-duration = "500u"\n'})
    const r = await medic(['config', 'check', ...paths])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain(`${paths[0]}:1:1  hostname = "localhost"`)
    expect(r.stdout).toContain(`${paths[0]}:8:20  meta.lease-duration = "500u"`)
    expect(r.stdout).toContain('Fix: lease-duration = "500us"')
    expect(r.stderr).toBe('')
  })

  it('keeps exit codes with --json and prints exactly one document with schemaVersion', async () => {
    const {paths} = files({'a.conf': META, 'b.conf': DATA.replace('meta-auth-enabled = true', 'meta-auth-enabled = false')})
    const r = await medic(['config', 'check', '--json', ...paths])
    expect(r.code).toBe(3)
    const doc = oneJson(r.stdout)
    expect(doc).toMatchObject({schemaVersion: 1, command: 'config check', exitCode: 3, verdict: 'critical'})
    const findings = doc.findings as Array<Record<string, unknown>>
    expect(findings).toContainEqual(expect.objectContaining({scope: 'cluster', id: 'auth-mismatch', severity: 'error', line: 6, column: 3, key: 'meta.meta-auth-enabled'}))
    expect(r.stderr).toBe('')
  })

  it('warnings exit 3 (the verdict rule of every command); informational findings alone exit 0', async () => {
    const {paths} = files({'influxdb.conf': DATA + '[cluster]\n  write-timout = "10s"\n'})
    const r = await medic(['config', 'check', '--json', ...paths])
    expect(r.code).toBe(3)
    const doc = oneJson(r.stdout)
    expect(doc.verdict).toBe('warning')
    const info = files({'influxdb.conf': DATA + '[cluster]\n  quantum-flux = 1\n'})
    const quiet = await medic(['config', 'check', '--json', ...info.paths])
    expect(quiet.code).toBe(0)
    expect(oneJson(quiet.stdout)).toMatchObject({verdict: 'ok', exitCode: 0})
    expect(doc.findings).toContainEqual(expect.objectContaining({id: 'unknown-key', fix: 'rename it to write-timeout'}))
  })

  it('never prints license keys or shared secrets, in human output, --json, or syntax-error excerpts', async () => {
    const {paths} = files({
      'm.conf': META.replace('auth-enabled = true', 'auth-enabled = true\n  shared-secret = "changeme"'),
      'd.conf': DATA.replace(SECRET, 'different-secret-9876'),
      'broken.conf': `[enterprise]\nlicense-key = "${LICENSE}\n`,
    })
    for (const extra of [[], ['--json']]) {
      const r = await medic(['config', 'check', ...paths, ...extra])
      expect(r.code).toBe(3)
      for (const secret of [LICENSE, SECRET, 'different-secret-9876']) {
        expect(r.stdout).not.toContain(secret)
        expect(r.stderr).not.toContain(secret)
      }
      expect(r.stdout).toContain('[REDACTED]')
    }
  })

  it('applies --env-from and the environment (--env), naming where each value came from', async () => {
    const {dir, paths} = files({'influxdb.conf': DATA})
    const env = join(dir, 'influxdb.env')
    writeFileSync(env, 'INFLUXDB_HINTED_HANDOFF_MAX_AGE=7d\n')
    const r = await medic(['config', 'check', '--json', '--env-from', env, ...paths])
    expect(r.code).toBe(3)
    const doc = oneJson(r.stdout)
    expect(doc.findings).toContainEqual(expect.objectContaining({id: 'env-bad-value', key: 'hinted-handoff.max-age', origin: {kind: 'env-file', variable: 'INFLUXDB_HINTED_HANDOFF_MAX_AGE', path: env, line: 1}, fix: 'INFLUXDB_HINTED_HANDOFF_MAX_AGE=168h'}))
    const human = await medic(['config', 'check', '--env', ...paths], {env: {INFLUXDB_HOSTNAME: 'localhost'}})
    expect(human.code).toBe(3)
    expect(human.stdout).toContain('INFLUXDB_HOSTNAME=localhost')
    expect(human.stdout).toContain('From: INFLUXDB_HOSTNAME in the environment')
    const ignored = await medic(['config', 'check', ...paths], {env: {INFLUXDB_HOSTNAME: 'localhost'}})
    expect(ignored.code).toBe(0)
  })

  it('turns invalid TOML, a BOM, CRLF, duplicate keys, binary, empty and huge files into findings that name the file', async () => {
    const {paths} = files({
      'syntax.conf': 'hostname = meta-01\n',
      'bom.conf': '\uFEFF' + META,
      'crlf.conf': DATA.replaceAll('\n', '\r\n'),
      'dup.conf': META + '[meta]\n  dir = "/again"\n',
      'binary.conf': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]),
      'empty.conf': '',
      'huge.conf': Buffer.alloc(2 * 1024 * 1024, 0x61),
    })
    const r = await medic(['config', 'check', '--json', ...paths])
    expect(r.code).toBe(3)
    expect(r.stderr).toBe('')
    const findings = oneJson(r.stdout).findings as Array<{file: string; id: string; line: number | null}>
    const of = (name: string) => findings.filter((f) => f.file.endsWith(name)).map((f) => [f.id, f.line])
    expect(of('syntax.conf')).toEqual([['toml-syntax', 1]])
    expect(of('bom.conf')).toContainEqual(['encoding-bom', 1])
    expect(of('crlf.conf')).toContainEqual(['line-endings-crlf', null])
    expect(of('dup.conf')).toContainEqual(['duplicate-key', 8])
    expect(of('binary.conf')).toEqual([['file-binary', null]])
    expect(of('empty.conf')).toEqual([['file-empty', null]])
    expect(of('huge.conf')).toEqual([['file-too-large', null]])
    const human = await medic(['config', 'check', ...paths])
    expect(human.stdout).not.toMatch(/\n\s+at /)
    expect(human.stderr).toBe('')
  })

  it('exits 4 naming a missing file, a directory or a missing env file; no stack trace', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'etc'))
    for (const [args, code] of [
      [[join(dir, 'nope.conf')], 'input-not-found'],
      [[join(dir, 'etc')], 'input-is-directory'],
      [['--env-from', join(dir, 'no.env'), join(dir, 'etc')], 'input-not-found'],
    ] as Array<[string[], string]>) {
      const human = await medic(['config', 'check', ...args])
      expect(human.code, args.join(' ')).toBe(4)
      expect(human.stderr).toContain(dir)
      expect(human.stderr).not.toMatch(/\n\s+at /)
      const json = await medic(['config', 'check', '--json', ...args])
      expect(json.code).toBe(4)
      expect(oneJson(json.stdout)).toMatchObject({schemaVersion: 1, exitCode: 4, error: {code}})
    }
  })

  it('exits 2 for usage errors: no file, a bad --role, standard input', async () => {
    const none = await medic(['config', 'check'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no config file given')
    const role = await medic(['config', 'check', '--role', 'proxy', 'x.conf'])
    expect(role.code).toBe(2)
    const json = await medic(['config', 'check', '--json'])
    expect(json.code).toBe(2)
    expect(oneJson(json.stdout)).toMatchObject({exitCode: 2, error: {code: 'no-input'}})
    expect((await medic(['config', 'check', '-'])).code).toBe(2)
  })

  it('takes --role for files it cannot classify', async () => {
    const {paths} = files({'node.toml': 'hostname = "n1.example.test"\n[enterprise]\nlicense-key = "' + LICENSE + '"\n'})
    const guess = oneJson((await medic(['config', 'check', '--json', ...paths])).stdout)
    expect((guess.files as Array<{role: string | null}>)[0].role).toBeNull()
    const forced = oneJson((await medic(['config', 'check', '--json', '--role', 'meta', ...paths])).stdout)
    expect((forced.files as Array<{role: string; roleSource: string}>)[0]).toMatchObject({role: 'meta', roleSource: 'flag'})
  })

  it('has help with examples and colour only when asked', async () => {
    const help = await medic(['config', 'check', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('EXAMPLES')
    expect(help.stdout).toContain('--env-file')
    expect(help.stdout).toContain('--role')
    const topic = await medic(['config', '--help'])
    expect(topic.stdout).toContain('config check')
    const {paths} = files({'influxdb-meta.conf': META.replace('meta-01.example.test', 'localhost')})
    expect((await medic(['config', 'check', ...paths])).stdout).not.toContain('\u001B[')
    expect((await medic(['config', 'check', ...paths], {env: {FORCE_COLOR: '1'}})).stdout).toContain('\u001B[')
    expect((await medic(['config', 'check', '--json', ...paths], {env: {FORCE_COLOR: '1'}})).stdout).not.toContain('\u001B[')
  })
})
