// Which keys exist in which release (issue 14): valid data-node lines are never called unknown, unknown keys are
// "not known to medic" (never "influxd ignores it" nor "delete the line"), and --influxdb-version narrows the lists.
import {describe, expect, it} from 'vitest'

import {optionSpec} from '../../src/config/options.js'
import {parseRelease, readBy, releaseTarget} from '../../src/config/releases.js'
import {check, data, find, ids, META} from './fixtures.js'

const DOCUMENTED_DATA_KEYS = `
compact-series-file = false
[meta]
  password-hash = "bcrypt"
  ensure-fips = false
[cluster]
  max-concurrent-deletes = 1
  log-timedout-queries = false
  termination-query-log = false
  https-insecure-certificate = false
[http]
  flux-enabled = true
  pprof-auth-enabled = true
[flux-controller]
  query-concurrency = 0
[[graphite]]
  enabled = false
  database = "graphite"
  templates = ["*.app env.service.resource.measurement"]
`

describe('documented keys', () => {
  it('accepts every data-node key of the 1.9–1.12 references, [meta] password-hash and ensure-fips included', async () => {
    const text = data().replace('hostname = "data-01.example.test"\n', 'hostname = "data-01.example.test"\ncompact-series-file = false\n')
      .replace('[meta]\n', '[meta]\n  password-hash = "bcrypt"\n  ensure-fips = false\n')
      .replace('[cluster]\n', '[cluster]\n  max-concurrent-deletes = 1\n  log-timedout-queries = false\n  termination-query-log = false\n  https-insecure-certificate = false\n')
      + DOCUMENTED_DATA_KEYS.slice(DOCUMENTED_DATA_KEYS.indexOf('[http]')).replace('[http]\n', '')
    const r = await check({'d.conf': text.replace('[http]\n  bind-address = ":8086"\n', '[http]\n  bind-address = ":8086"\n')})
    expect(r.findings.filter((f) => /unknown|other-role|misplaced|key-version/.test(f.id)).map((f) => `${f.id} ${f.key}`)).toEqual([])
    expect(ids(r, 'error')).toEqual([])
  })

  it('checks data-node password-hash against the meta nodes\'', async () => {
    const r = await check({'m.conf': META.replace('lease-duration', 'password-hash = "pbkdf2-sha256"\n  lease-duration'), 'd.conf': data()})
    expect(find(r, 'password-hash-mismatch')).toMatchObject({severity: 'warning', key: 'meta.password-hash', message: expect.stringContaining('"pbkdf2-sha256"')})
    const same = await check({'m.conf': META.replace('lease-duration', 'password-hash = "pbkdf2-sha256"\n  lease-duration'), 'd.conf': data().replace('[meta]\n', '[meta]\n  password-hash = "pbkdf2-sha256"\n')})
    expect(ids(same)).not.toContain('password-hash-mismatch')
  })
})

describe('unknown keys', () => {
  it('says "not known to medic for" a release, never that influxd ignores it, and never asks to delete the line', async () => {
    const r = await check({'d.conf': data('data-01.example.test', '  quantum-flux-capacitor = 3\n')})
    const f = r.findings.find((x) => x.key === 'http.quantum-flux-capacitor')
    expect(f).toMatchObject({id: 'unknown-key', severity: 'info'})
    expect(f?.message).toContain('known to medic for a data node of Enterprise 1.6–1.12')
    expect(f?.message).not.toMatch(/influxd ignores it/)
    expect(f?.fix).toBe("check what your release reads: influxd config | grep -n -- quantum-flux-capacitor")
    const typo = await check({'d.conf': data().replace('[cluster]\n', '[cluster]\n  write-timout = "10s"\n')})
    expect(typo.findings.find((x) => x.key === 'cluster.write-timout')).toMatchObject({severity: 'warning', fix: 'rename it to write-timeout', message: expect.stringContaining('typo of write-timeout')})
  })

  it('with --influxdb-version, names keys documented only for other releases', async () => {
    const text = data().replace('[cluster]\n', '[cluster]\n  log-timedout-queries = true\n')
    expect(ids(await check({'d.conf': text}, {version: '1.11.2'}))).not.toContain('key-version')
    const old = await check({'d.conf': text}, {version: '1.8.10'})
    expect(find(old, 'key-version')).toMatchObject({severity: 'info', key: 'cluster.log-timedout-queries', message: expect.stringContaining('documented for Enterprise 1.11+ only, so medic does not know it for Enterprise 1.8.10')})
    const unknownRelease = await check({'d.conf': data('data-01.example.test', '  quantum = 1\n')}, {version: '1.5.4'})
    expect(unknownRelease.findings.find((x) => x.key === 'http.quantum')?.message).toContain("it has none for Enterprise 1.5.4 and used 1.6's")
  })
})

describe('releases', () => {
  it('parses the forms operators see', () => {
    expect(parseRelease('1.11')).toEqual({major: 1, minor: 11})
    expect(parseRelease('v1.11.4')).toEqual({major: 1, minor: 11, patch: 4})
    expect(parseRelease('1.11.4-c1.11.4')).toEqual({major: 1, minor: 11, patch: 4})
    expect(parseRelease('eleven')).toBeUndefined()
    expect(() => releaseTarget('x')).toThrow()
  })

  it('reads patch-level first releases: compact-series-file from 1.11.4', () => {
    const spec = optionSpec('data', '', 'compact-series-file')
    if (spec === undefined) throw new Error('compact-series-file is missing')
    expect(readBy(spec, 'data', releaseTarget('1.11'))).toBe(true)
    expect(readBy(spec, 'data', releaseTarget('1.11.4'))).toBe(true)
    expect(readBy(spec, 'data', releaseTarget('1.11.3'))).toBe(false)
    expect(readBy(spec, 'data', releaseTarget('1.10'))).toBe(false)
    expect(readBy(spec, 'data', releaseTarget())).toBe(true)
  })
})

describe('editDistanceWithin (did-you-mean)', () => {
  it('agrees with the full edit distance up to the bound, on seeded random names', async () => {
    const {editDistance, editDistanceWithin} = await import('../../src/util/edit-distance.js')
    const {Rng} = await import('../../src/util/rng.js')
    const rng = new Rng(3, 'edit-distance')
    for (let i = 0; i < 3000; i++) {
      const word = () => Array.from({length: rng.int(0, 14)}, () => rng.pick(['a', 'b', 'c', '-', '_'])).join('')
      const [a, b, max] = [word(), word(), rng.int(0, 5)]
      const full = editDistance(a, b)
      expect(editDistanceWithin(a, b, max), `${a} ${b} ${max}`).toBe(full <= max ? full : max + 1)
    }
  })

  it('costs nothing for a 1,000,000-character name', async () => {
    const {nearest} = await import('../../src/config/options.js')
    const t0 = performance.now()
    expect(nearest('k'.repeat(1_000_000), ['dir', 'hostname'])).toEqual([])
    expect(performance.now() - t0).toBeLessThan(100)
  })
})
