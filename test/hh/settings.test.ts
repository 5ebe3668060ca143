// max-size / max-age from flags, influxdb.conf or the defaults, and where each came from.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {DEFAULT_MAX_AGE_MS, DEFAULT_MAX_SIZE_BYTES} from '../../src/hh/format.js'
import {parseSize as parseConfigSize} from '../../src/config/values.js'
import {parseHhConfig, parseSize, readSize, resolveHhSettings} from '../../src/hh/settings.js'
import {tempDir} from '../helpers/cli.js'

const CONF = `reporting-disabled = false
hostname = "data-1"

[meta]
  dir = "/var/lib/influxdb/meta"

[hinted-handoff]
  enabled = true
  dir = "/data/hh"
  max-size = "20g"
  max-age = "72h0m0s"
  retry-rate-limit = 0
  retry-max-interval = "10s"
`

describe('hh settings', () => {
  it('parses sizes as InfluxDB does (bytes or k/m/g, powers of 1024)', () => {
    expect(parseSize(10737418240)).toBe(10737418240)
    expect(parseSize(10737418240n)).toBe(10737418240)
    expect(parseSize('10737418240')).toBe(10737418240)
    expect(parseSize('10g')).toBe(10 * 1024 ** 3)
    expect(parseSize('512m')).toBe(512 * 1024 ** 2)
    expect(parseSize('100K')).toBe(102400)
    expect(parseSize('20G')).toBe(20 * 1024 ** 3)
    for (const bad of ['', 'ten', '-1', '10x', 0, -5, 1.5, '10ib', true, null, '0', '0g']) expect(parseSize(bad), String(bad)).toBeUndefined()
    expect(parseSize(2n ** 63n)).toBeUndefined()
  })

  it('reads sizes with the config checker\'s parser: nothing influxd would refuse (t, GiB, decimals, spaces), with the nearest spelling', () => {
    // One parser per meaning: whatever config check accepts as a size, hh accepts, and the other way round.
    for (const text of ['10737418240', '10g', '10G', '512m', '512M', '100k', '100K', '1', '9007199254740991', '8388607g']) {
      expect(parseSize(text), text).toBe((parseConfigSize(text) as {value: number}).value)
    }
    for (const text of ['1.5GiB', '10GiB', '10GB', '10 g', ' 10g', '10g ', '1t', '1.5g', '+10', '10_000', '1e3', '10gb']) {
      expect(parseConfigSize(text).ok, text).toBe(false)
      expect(parseSize(text), text).toBeUndefined()
    }
    expect(readSize('10GiB')).toMatchObject({ok: false, reason: expect.stringContaining('not a size influxd reads'), suggestion: '10g'})
    expect(readSize('1.5g')).toMatchObject({ok: false, suggestion: String(1.5 * 1024 ** 3)})
  })

  it('refuses a config max-size influxd would refuse, and reads one in capitals as influxd does', async () => {
    await expect(parseHhConfig('[hinted-handoff]\nmax-size = "10GiB"\n', 'x.conf')).rejects.toMatchObject({exitCode: 4, code: 'config-bad-value'})
    await expect(parseHhConfig('[hinted-handoff]\nmax-size = "1.5g"\n', 'x.conf')).rejects.toMatchObject({code: 'config-bad-value'})
    expect(await parseHhConfig('[hinted-handoff]\nmax-size = "20G"\n', 'x.conf')).toMatchObject({maxSizeBytes: 20 * 1024 ** 3})
    expect(await parseHhConfig('[hinted-handoff]\nmax-size = 1073741824\n', 'x.conf')).toMatchObject({maxSizeBytes: 1024 ** 3, notes: []})
  })

  it('reads [hinted-handoff] from influxdb.conf, flags win, defaults fill the rest, each with its source', async () => {
    const dir = tempDir('medic-settings-')
    const path = join(dir, 'influxdb.conf')
    writeFileSync(path, CONF)
    const fromConfig = await resolveHhSettings({configPath: path})
    expect(fromConfig).toMatchObject({
      maxSizeBytes: 20 * 1024 ** 3, maxSizeSource: 'config',
      maxAgeMs: 72 * 3_600_000, maxAgeSource: 'config',
      retryMaxIntervalMs: 10_000, retryMaxIntervalSource: 'config',
      configPath: path, configDir: '/data/hh', enabled: true,
    })
    // "20g" is read as influxd reads it, with a note: max-size is a plain integer in the open-source and clone code.
    expect(fromConfig.notes).toEqual([expect.stringContaining('max-size = "20g" is a string')])
    const withFlag = await resolveHhSettings({configPath: path, maxSizeBytes: 1024, retryMaxIntervalMs: 30_000})
    expect(withFlag).toMatchObject({maxSizeBytes: 1024, maxSizeSource: 'flag', maxAgeSource: 'config', retryMaxIntervalMs: 30_000, retryMaxIntervalSource: 'flag'})
    const defaults = await resolveHhSettings()
    expect(defaults).toMatchObject({maxSizeBytes: DEFAULT_MAX_SIZE_BYTES, maxSizeSource: 'default', maxAgeMs: DEFAULT_MAX_AGE_MS, maxAgeSource: 'default', configPath: null})
    // retry-max-interval: the 1.9+ documented default (200s), the longer of the two documented values.
    expect(defaults).toMatchObject({retryMaxIntervalMs: 200_000, retryMaxIntervalSource: 'default'})
  })

  it('says when the config has no [hinted-handoff] section, or has it disabled', async () => {
    const dir = tempDir('medic-settings-')
    writeFileSync(join(dir, 'a.conf'), '[meta]\n  dir = "/m"\n')
    const a = await resolveHhSettings({configPath: join(dir, 'a.conf')})
    expect(a).toMatchObject({maxSizeSource: 'default', maxAgeSource: 'default'})
    expect(a.notes[0]).toContain('no [hinted-handoff] section')
    writeFileSync(join(dir, 'b.conf'), '[hinted-handoff]\n  enabled = false\n  max-size = 10737418240\n')
    const b = await resolveHhSettings({configPath: join(dir, 'b.conf')})
    expect(b).toMatchObject({maxSizeBytes: 10737418240, maxSizeSource: 'config', maxAgeSource: 'default', enabled: false})
    expect(b.notes[0]).toContain('enabled = false')
  })

  it('fails with exit 4, the file and the line for a missing file, bad TOML or a bad value', async () => {
    const dir = tempDir('medic-settings-')
    await expect(resolveHhSettings({configPath: join(dir, 'nope.conf')})).rejects.toMatchObject({exitCode: 4, code: 'input-not-found'})
    await expect(parseHhConfig('[hinted-handoff]\nmax-size = = 3\n', 'x.conf')).rejects.toMatchObject({exitCode: 4, code: 'config-invalid-toml', message: expect.stringMatching(/^x\.conf:2:\d+: not valid TOML/)})
    await expect(parseHhConfig('[hinted-handoff]\nmax-size = "lots"\n', 'x.conf')).rejects.toMatchObject({exitCode: 4, code: 'config-bad-value', message: expect.stringContaining('max-size = "lots"')})
    await expect(parseHhConfig('[hinted-handoff]\nmax-age = "a week"\n', 'x.conf')).rejects.toMatchObject({code: 'config-bad-value'})
    await expect(parseHhConfig('[hinted-handoff]\nmax-age = 168\n', 'x.conf')).rejects.toMatchObject({code: 'config-bad-value'})
    await expect(parseHhConfig('[hinted-handoff]\nretry-max-interval = 200\n', 'x.conf')).rejects.toMatchObject({code: 'config-bad-value', message: expect.stringContaining('retry-max-interval')})
  })

  it('reads config sizes only as influxd does: digits with an optional k, m or g', async () => {
    expect(await parseHhConfig('[hinted-handoff]\nmax-size = 10737418240\n')).toMatchObject({maxSizeBytes: 10737418240, notes: []})
    expect(await parseHhConfig('[hinted-handoff]\nmax-size = "512m"\n')).toMatchObject({maxSizeBytes: 512 * 1024 ** 2})
    // Capitals are read as influxd's toml.Size reads them (k or K, m or M, g or G): see config/values.ts.
    expect(await parseHhConfig('[hinted-handoff]\nmax-size = "10G"\n')).toMatchObject({maxSizeBytes: 10 * 1024 ** 3})
    for (const bad of ['"1t"', '"10GiB"', '"1.5g"', '" 10g"', '"10 g"', '"0"']) {
      await expect(parseHhConfig(`[hinted-handoff]\nmax-size = ${bad}\n`), bad).rejects.toMatchObject({code: 'config-bad-value'})
    }
  })

  it('reads a medic dev cluster\'s [medic-dev] time-scale: max-age and retry-max-interval in force are N times shorter', async () => {
    const dir = tempDir()
    const path = join(dir, 'influxdb.conf')
    writeFileSync(path, `${CONF}\n[medic-dev]\n  node = "data-1"\n  time-scale = 20\n`)
    const s = await resolveHhSettings({configPath: path})
    expect([s.maxAgeMs, s.maxAgeSource, s.retryMaxIntervalMs]).toEqual([72 * 3_600_000 / 20, 'config', 500])
    expect(s.maxSizeBytes).toBe(20 * 1024 ** 3)
    expect(s.notes.join('\n')).toMatch(/time-scale = 20: max-age and retry-max-interval run 20 times faster than written \(in force: max-age 12960 s, retry-max-interval 0\.5 s/)
    // A flag is the operator's value, taken as it is; without the table nothing is scaled.
    expect((await resolveHhSettings({configPath: path, maxAgeMs: 60_000})).maxAgeMs).toBe(60_000)
    writeFileSync(path, `[medic-dev]\n  time-scale = 10\n`)
    expect((await resolveHhSettings({configPath: path})).maxAgeMs).toBe(DEFAULT_MAX_AGE_MS / 10)
    writeFileSync(path, CONF)
    expect((await resolveHhSettings({configPath: path})).maxAgeMs).toBe(72 * 3_600_000)
  })
})
