// The license check of a dev meta node at start-up (meta/license.ts) on real files, the stand-in license file that
// `medic dev up` writes for it, and the catalogue entry its refusal line gets.
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {devLicensePath, renderMetaConfig, writeMetaConfig} from '../../../src/devcluster/cluster/configs/meta.js'
import {parseMetaNodeConfig} from '../../../src/devcluster/meta/config.js'
import {checkLicense} from '../../../src/devcluster/meta/license.js'
import {Explainer} from '../../../src/logs/explain.js'
import {tempDir} from '../../helpers/cli.js'

describe('the dev meta node\'s license check', () => {
  it('accepts the stand-in license file dev up writes next to the configs, and keeps an edited one', async () => {
    const dir = tempDir()
    const conf = join(dir, 'meta-1', 'influxdb-meta.conf')
    await writeMetaConfig(conf, {name: 'meta-1', clusterDir: dir, hostname: '127.0.0.1', metaDir: join(dir, 'meta-1', 'meta'), raftPort: 18189, httpPort: 18191, logFormat: 'logfmt'})
    const cfg = await parseMetaNodeConfig(readFileSync(conf, 'utf8'))
    expect([cfg.licenseKey, cfg.licensePath]).toEqual(['', devLicensePath(dir)])
    expect(await checkLicense(cfg)).toEqual({ok: true, kind: 'path'})
    writeFileSync(devLicensePath(dir), '{"edited": true}\n')
    await writeMetaConfig(conf, {name: 'meta-1', clusterDir: dir, hostname: '127.0.0.1', metaDir: join(dir, 'meta-1', 'meta'), raftPort: 18189, httpPort: 18191, logFormat: 'logfmt'})
    expect(readFileSync(devLicensePath(dir), 'utf8')).toBe('{"edited": true}\n')
  })

  it('refuses what stops influxd-meta: both keys, a key in license-path, an unreadable or non-JSON file, a directory', async () => {
    const dir = tempDir()
    const file = join(dir, 'license.json')
    writeFileSync(file, '{}')
    expect(await checkLicense({licenseKey: 'k', licensePath: file})).toEqual({ok: false, error: '[enterprise] license-key and license-path are both set: set exactly one'})
    expect(await checkLicense({licenseKey: '', licensePath: '7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31'})).toEqual({ok: false, error: 'open 7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31: no such file or directory'})
    writeFileSync(file, 'LICENSE-KEY-PASTED-HERE')
    expect(await checkLicense({licenseKey: '', licensePath: file})).toEqual({ok: false, error: `${file}: not a license file (not JSON)`})
    writeFileSync(file, '[1]')
    expect(await checkLicense({licenseKey: '', licensePath: file})).toEqual({ok: false, error: `${file}: not a license file (not a JSON object)`})
    const sub = join(dir, 'sub')
    mkdirSync(sub)
    expect(await checkLicense({licenseKey: '', licensePath: sub})).toEqual({ok: false, error: `read ${sub}: is a directory`})
    if (process.getuid?.() !== 0) {
      writeFileSync(file, '{}')
      chmodSync(file, 0o000)
      expect(await checkLicense({licenseKey: '', licensePath: file})).toEqual({ok: false, error: `open ${file}: permission denied`})
    }
  })

  it('starts with a warning on a key (never verified offline) or on no license at all (configs written by hand)', async () => {
    expect(await checkLicense({licenseKey: 'abc', licensePath: ''})).toMatchObject({ok: true, kind: 'key', warning: expect.stringContaining('portal.influxdata.com')})
    expect(await checkLicense({licenseKey: '', licensePath: ''})).toMatchObject({ok: true, kind: 'none', warning: expect.stringContaining('influxd-meta would abort start-up')})
    expect((await parseMetaNodeConfig('')).licensePath).toBe('')
  })

  it('the node\'s refusal line, in every log shape, is dev-meta-license-invalid (critical)', () => {
    const ex = new Explainer()
    for (const line of [
      'ts=2026-12-07T13:02:00.000000Z lvl=error msg="the license could not be loaded" log_id=abc service=meta error="open 7d2c41f0: no such file or directory"',
      '[meta] 2026/12/07 13:02:00 run: license: open 7d2c41f0: no such file or directory',
      '[E] 2026-12-07T13:02:00Z run: license: [enterprise] license-key and license-path are both set: set exactly one',
    ]) expect(ex.explain(line), line).toMatchObject({id: 'dev-meta-license-invalid', verdict: 'critical'})
    expect(renderMetaConfig({name: 'meta-1', clusterDir: '/c', hostname: 'h', metaDir: '/c/m', raftPort: 1, httpPort: 2, logFormat: 'logfmt'})).toMatch(/^\[enterprise\]\n(?:\s*#.*\n)+ {2}license-key = ""\n {2}license-path = "\/c\/license.json"$/m)
  })
})
