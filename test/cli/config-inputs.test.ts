// config check against inputs that hold nothing to check: an empty file, a binary file, a directory, an unreadable
// file never exit 0; a release that is not one is a usage error; --influxdb-version narrows the key lists.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {medic, oneJson, tempDir} from '../helpers/cli.js'

describe('medic config check on inputs with nothing to check', () => {
  it('never exits 0 for an empty file, a binary file or a directory', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'empty.conf'), '')
    writeFileSync(join(dir, 'binary.conf'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]))
    mkdirSync(join(dir, 'etc'))
    for (const [name, code] of [['empty.conf', 3], ['binary.conf', 3], ['etc', 4]] as const) {
      const r = await medic(['config', 'check', '--json', join(dir, name)])
      expect(r.code, name).toBe(code)
      expect(oneJson(r.stdout).exitCode, name).toBe(code)
    }
  })

  it.skipIf(process.getuid?.() === 0)('never exits 0 for a file it may not read', async () => {
    const p = join(tempDir(), 'secret.conf')
    writeFileSync(p, 'hostname = "a"\n')
    chmodSync(p, 0o000)
    expect((await medic(['config', 'check', p])).code).toBe(4)
  })

  it('takes --influxdb-version, and refuses a value that is not a release (exit 2)', async () => {
    const dir = tempDir()
    const p = join(dir, 'influxdb.conf')
    writeFileSync(p, 'hostname = "d1.example.test"\n[enterprise]\nlicense-path = "/etc/influxdb/license.json"\n[meta]\ndir = "/m"\n[cluster]\nlog-timedout-queries = true\n[hinted-handoff]\ndir = "/nonexistent/medic/hh"\n')
    const old = oneJson((await medic(['config', 'check', '--json', '--influxdb-version', '1.8.10', p])).stdout)
    expect(old.findings).toContainEqual(expect.objectContaining({id: 'key-version', key: 'cluster.log-timedout-queries', severity: 'info'}))
    const bad = await medic(['config', 'check', '--influxdb-version', 'latest', p])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--influxdb-version "latest" is not a release')
  })
})
