// Sizes as influxd's toml.Size reads them, [hinted-handoff] max-size as a plain integer, and Go durations in every
// duration value of both roles, from the file and from INFLUXDB_* variables (issue 14).
import {describe, expect, it} from 'vitest'

import {envName, OPTIONS} from '../../src/config/options.js'
import {parseSize} from '../../src/config/values.js'
import {check, data, find, META} from './fixtures.js'

describe('toml.Size', () => {
  it('takes digits with an optional k, m or g only, as OSS toml.Size does', () => {
    for (const [text, bytes] of [['0', 0], ['10737418240', 10737418240], ['10g', 10 * 1024 ** 3], ['10G', 10 * 1024 ** 3], ['25m', 25 * 1024 ** 2], ['512K', 512 * 1024]] as const) {
      expect(parseSize(text), text).toEqual({ok: true, value: bytes})
    }
    for (const text of ['1t', '10GiB', '10GB', '1.5g', ' 10g', '10g ', '10 g', '-1', '+5', '1_000', '', '0x10', '18446744073709551616', '99999999999999999999g']) {
      expect(parseSize(text).ok, JSON.stringify(text)).toBe(false)
    }
    expect(parseSize('')).toMatchObject({ok: false, reason: expect.stringContaining('size was empty')})
  })

  it('judges the hinted-handoff queue against the size influxd runs with, never one it would refuse', async () => {
    const r = await check({'d.conf': data().replace('max-size = 10737418240', 'max-size = "1t"')}, {context: {freeBytes: async () => 2 ** 30}})
    expect(find(r, 'bad-size')).toMatchObject({severity: 'error', key: 'hinted-handoff.max-size'})
    expect(r.findings.map((f) => f.id)).not.toContain('hh-max-size-disk')
  })
})

describe('[hinted-handoff] max-size as a string', () => {
  it('warns: the OSS and clone code read a plain integer; the value is still used', async () => {
    const r = await check({'d.conf': data().replace('max-size = 10737418240', 'max-size = "10g"')}, {context: {freeBytes: async () => 2 ** 30}})
    const f = find(r, 'hh-max-size-string')
    expect(f).toMatchObject({severity: 'warning', fix: `max-size = ${10 * 1024 ** 3} (bytes, without quotes)`})
    expect(f.message).toContain('plain integer')
    expect(f.message).toContain('1.7+ references give bytes')
    expect(r.findings.map((x) => x.id)).toContain('hh-max-size-disk')
  })

  it('warns about INFLUXDB_HINTED_HANDOFF_MAX_SIZE with a unit too', async () => {
    const r = await check({'d.conf': data()}, {env: {INFLUXDB_HINTED_HANDOFF_MAX_SIZE: '10g'}})
    expect(find(r, 'hh-max-size-string')).toMatchObject({origin: {variable: 'INFLUXDB_HINTED_HANDOFF_MAX_SIZE'}, fix: `INFLUXDB_HINTED_HANDOFF_MAX_SIZE=${10 * 1024 ** 3}`})
  })
})

describe('durations without a unit', () => {
  const durations = OPTIONS.filter((o) => o.type === 'duration' && !o.obsolete)

  it('are refused in every duration key of both roles, as a string or an integer, from the file', async () => {
    expect(durations.length).toBeGreaterThan(30)
    for (const spec of durations) {
      const role = spec.roles[0]
      const base = role === 'meta' ? META : data()
      const header = spec.section === '' ? '' : ['graphite', 'collectd', 'opentsdb', 'udp'].includes(spec.section) ? `[[${spec.section}]]\n` : `[${spec.section}]\n`
      for (const value of ['"30"', '30']) {
        const text = spec.section === '' ? `${spec.key} = ${value}\n${base}` : `${base}\n${header}  ${spec.key} = ${value}\n`
        if (spec.section !== '' && base.includes(`[${spec.section}]\n`)) continue // would repeat the header: covered by the env case
        const r = await check({[`${role}.conf`]: text}, {role})
        const f = r.findings.find((x) => x.key === (spec.section ? `${spec.section}.${spec.key}` : spec.key))
        expect(f, `${spec.section}.${spec.key} = ${value}`).toMatchObject({id: 'bad-duration', severity: 'error'})
        expect(f?.fix, `${spec.section}.${spec.key}`).toContain('30s')
      }
    }
  })

  it('are refused in every duration key from INFLUXDB_* variables, and "0" is accepted as Go accepts it', async () => {
    for (const spec of durations) {
      const role = spec.roles[0]
      const variable = envName(spec.section, spec.key)
      const r = await check({[`${role}.conf`]: role === 'meta' ? META : data()}, {role, env: {[variable]: '30'}})
      expect(r.findings.find((x) => x.origin?.variable === variable), variable).toMatchObject({id: 'env-bad-value', fix: `${variable}=30s`})
      const zero = await check({[`${role}.conf`]: role === 'meta' ? META : data()}, {role, env: {[variable]: '0'}})
      expect(zero.findings.find((x) => x.id === 'env-bad-value'), variable).toBeUndefined()
    }
  })
})
