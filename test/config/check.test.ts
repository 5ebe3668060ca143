// checkConfigs end to end on fixture files: role detection, key and value validation, the per-file rules, the
// cross-node rules, INFLUXDB_* overrides and their origins, and secrets kept out of every output.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import * as z from 'zod'

import {checkConfigs} from '../../src/config/check.js'
import {renderCheck} from '../../src/format/config.js'
import {check, data, find, ids, INTERNAL, LICENSE, META, SHARED, writeFiles} from './fixtures.js'

const CERT = fileURLToPath(new URL('../fixtures/config/meta-01.example.test.pem', import.meta.url))

/** The --json contract of `medic config check` (without the envelope the base command adds). */
const location = {file: z.string(), line: z.number().int().positive().nullable(), column: z.number().int().positive().nullable()}
const ReportSchema = z.object({
  verdict: z.enum(['ok', 'warning', 'critical', 'unknown']),
  coverage: z.object({checked: z.number(), unchecked: z.number(), complete: z.boolean()}),
  exitCode: z.union([z.literal(0), z.literal(3), z.literal(4)]),
  counts: z.object({error: z.number(), warning: z.number(), info: z.number()}),
  files: z.array(z.object({
    path: z.string(), role: z.enum(['meta', 'data']).nullable(), roleSource: z.enum(['flag', 'content', 'file-name', 'unknown']),
    sizeBytes: z.number(), encoding: z.string(), lineEndings: z.enum(['lf', 'crlf', 'mixed', 'none']), parsed: z.boolean(), keys: z.number(),
    counts: z.object({error: z.number(), warning: z.number(), info: z.number()}),
  })),
  findings: z.array(z.object({
    ...location,
    scope: z.enum(['file', 'cluster', 'environment']),
    id: z.string().regex(/^[a-z0-9-]+$/),
    severity: z.enum(['error', 'warning', 'info']),
    key: z.string().nullable(),
    value: z.string().optional(),
    origin: z.object({kind: z.enum(['file', 'environment', 'env-file', 'default']), variable: z.string().optional(), path: z.string().optional(), line: z.number().optional()}).optional(),
    message: z.string().min(10),
    excerpt: z.string().optional(),
    fix: z.string().min(3),
    related: z.array(z.object({...location, key: z.string().nullable().optional(), note: z.string().optional()})).optional(),
  }).strict()),
  overrides: z.array(z.object({variable: z.string(), key: z.string().nullable(), value: z.string(), origin: z.object({kind: z.string()}).passthrough(), appliedTo: z.array(z.string())})),
  envSources: z.array(z.string()),
}).strict()

describe('a healthy cluster', () => {
  it('has no errors or warnings, and the report matches the JSON schema', async () => {
    const r = await check({'meta-01.conf': META, 'data-01.conf': data(), 'data-02.conf': data('data-02.example.test')})
    expect(ids(r, 'error')).toEqual([])
    expect(ids(r, 'warning')).toEqual([])
    expect(r.verdict).toBe('ok')
    expect(r.files.map((f) => [f.role, f.roleSource, f.parsed])).toEqual([['meta', 'content', true], ['data', 'content', true], ['data', 'content', true]])
    ReportSchema.parse(JSON.parse(JSON.stringify(r)))
  })
})

describe('role detection', () => {
  it('uses sections and keys first, then the file name, then gives up and says so', async () => {
    const r = await check({'a.conf': '[meta]\nhttp-bind-address = ":8091"\n', 'b.conf': '[hinted-handoff]\ndir = "/hh"\n', 'influxdb-meta.conf': 'hostname = "m"\n', 'node.toml': 'reporting-disabled = true\n'})
    expect(r.files.map((f) => [f.role, f.roleSource])).toEqual([['meta', 'content'], ['data', 'content'], ['meta', 'file-name'], [null, 'unknown']])
    expect(find(r, 'role-unknown')).toMatchObject({severity: 'warning', fix: expect.stringContaining('--role meta')})
  })

  it('takes --role, and says when the content disagrees', async () => {
    const r = await check({'x.conf': data()}, {role: 'meta'})
    expect(r.files[0]).toMatchObject({role: 'meta', roleSource: 'flag'})
    expect(find(r, 'role-flag-mismatch').message).toContain('look like a data-node config')
  })
})

describe('hostname', () => {
  it('catches empty, loopback, default localhost, URLs and ports', async () => {
    const meta = (h: string) => META.replace('hostname = "meta-01.example.test"', h)
    expect(find(await check({'m.conf': meta('')}), 'hostname-empty')).toMatchObject({severity: 'error', line: null, message: expect.stringContaining('unable to determine if')})
    expect(find(await check({'m.conf': meta('hostname = ""')}), 'hostname-empty')).toMatchObject({line: 2, column: 1})
    expect(find(await check({'m.conf': meta('hostname = "127.0.0.1"')}), 'hostname-loopback')).toMatchObject({line: 2, value: '"127.0.0.1"'})
    expect(find(await check({'m.conf': meta('hostname = "0.0.0.0"')}), 'hostname-unspecified').severity).toBe('error')
    expect(find(await check({'m.conf': meta('hostname = "http://meta-01"')}), 'hostname-format').fix).toBe('hostname = "meta-01"')
    expect(find(await check({'m.conf': meta('hostname = "meta-01:8091"')}), 'hostname-format').fix).toBe('hostname = "meta-01"')
    const dflt = find(await check({'d.conf': data().replace('hostname = "data-01.example.test"\n', '')}), 'hostname-loopback')
    expect(dflt.message).toContain('not set, and data nodes then advertise "localhost"')
  })

  it('explains a hostname written under a section instead of at the top', async () => {
    const text = data().replace('hostname = "data-01.example.test"\n', '').replace('[meta]\n', '[meta]\n  hostname = "data-01"\n')
    const r = await check({'d.conf': text})
    expect(find(r, 'key-misplaced')).toMatchObject({severity: 'warning', key: 'meta.hostname', fix: 'move the line above the first [section] header of the file'})
    expect(ids(r)).toContain('hostname-loopback')
  })
})

describe('license', () => {
  const withLicense = (lines: string) => META.replace(`  license-key = "${LICENSE}"`, lines)
  it('requires exactly one of key and path', async () => {
    expect(find(await check({'m.conf': withLicense('  license-path = "/etc/influxdb/license.json"\n  license-key = "' + LICENSE + '"')}), 'license-both')).toMatchObject({severity: 'error', related: [expect.objectContaining({key: 'enterprise.license-path'})]})
    expect(find(await check({'m.conf': withLicense('')}), 'license-missing')).toMatchObject({severity: 'error', line: 4})
  })

  it('recognises placeholders and templates, keys in the path and paths in the key', async () => {
    expect(find(await check({'m.conf': withLicense('  license-key = "<your license key>"')}), 'license-placeholder').message).toContain('placeholder')
    expect(find(await check({'m.conf': withLicense('  license-key = "{{ influxdb_license }}"')}), 'license-placeholder').message).toContain('unrendered template')
    expect(find(await check({'m.conf': withLicense(`  license-path = "${LICENSE}"`)}), 'license-path-is-key').message).toContain('no such file or directory')
    expect(find(await check({'m.conf': withLicense('  license-key = "/etc/influxdb/license.json"')}), 'license-key-is-path').severity).toBe('error')
    expect(find(await check({'m.conf': withLicense('  license-path = "license.json"')}), 'license-path-relative').fix).toBe('license-path = "/etc/influxdb/license.json"')
  })

  it('checks a license file that exists here', async () => {
    const [lic] = writeFiles({'license.json': 'not json'})
    const r = await check({'m.conf': withLicense(`  license-path = "${lic}"`)}, {context: {pathKind: async () => 'file', readText: async () => 'not json'}})
    expect(find(r, 'license-file-invalid').severity).toBe('error')
  })
})

describe('keys and values', () => {
  it('names typos with the key meant, keys of the other role, obsolete keys and unknown sections', async () => {
    const r = await check({'d.conf': data('data-01.example.test', `
[hinted_handoff]
  max-size = 1

[cluster]
  write-timout = "10s"
  shard-writer-timeout = "5s"
  auth-enabled = true

[coordinator]
  write-timeout = "10s"
`).replace('  meta-auth-enabled = true', '  auth-enabled = true\n  meta-auth-enabled = true')})
    expect(find(r, 'unknown-section')).toMatchObject({key: 'hinted_handoff', message: expect.stringContaining('typo of [hinted-handoff]')})
    expect(r.findings.find((f) => f.key === 'cluster.write-timout')).toMatchObject({id: 'unknown-key', severity: 'warning', fix: 'rename it to write-timeout'})
    expect(find(r, 'other-role-key')).toMatchObject({key: 'meta.auth-enabled', fix: 'rename it to meta-auth-enabled (under [meta])'})
    expect(find(r, 'obsolete-key')).toMatchObject({severity: 'info', key: 'cluster.shard-writer-timeout'})
    expect(r.findings.find((f) => f.key === 'coordinator')?.message).toContain('Enterprise data nodes read [cluster]')
    expect(r.findings.find((f) => f.key === 'cluster.auth-enabled')).toMatchObject({id: 'key-misplaced', message: expect.stringContaining('[http]')})
  })

  it('checks TOML types against the Go types, with the exact fix', async () => {
    const r = await check({'d.conf': data().replace('[http]\n  bind-address = ":8086"', '[http]\n  bind-address = 8086\n  auth-enabled = "true"\n  max-body-size = "25000000"\n  realm = 42')})
    const byKey = Object.fromEntries(r.findings.filter((f) => f.id === 'bad-type').map((f) => [f.key, f.fix]))
    expect(byKey).toEqual({
      'http.bind-address': 'bind-address = ":8086"',
      'http.auth-enabled': 'auth-enabled = true',
      'http.max-body-size': 'max-body-size = 25000000',
      'http.realm': 'realm = "42"',
    })
  })

  it('rejects durations Go rejects: u and µ, days, bare numbers', async () => {
    const r = await check({'m.conf': META.replace('lease-duration = "1m0s"', 'lease-duration = "500u"\n  heartbeat-timeout = "2µ"\n  election-timeout = "1d"\n  commit-timeout = 50')})
    const f = r.findings.filter((x) => /duration/.test(x.id)).map((x) => [x.id, x.key, x.line, x.fix])
    expect(f).toEqual([
      ['duration-unit', 'meta.lease-duration', 14, 'lease-duration = "500us"'],
      ['duration-unit', 'meta.heartbeat-timeout', 15, 'heartbeat-timeout = "2us"'],
      ['bad-duration', 'meta.election-timeout', 16, 'election-timeout = "24h"'],
      ['bad-duration', 'meta.commit-timeout', 17, 'commit-timeout = "50s" (if you meant seconds; units are ns, us, ms, s, m, h)'],
    ])
    expect(r.findings[0].message).not.toBe('')
    expect(find(r, 'duration-unit').message).toContain('unknown unit u in duration 500u')
  })

  it('checks sizes and addresses', async () => {
    const r = await check({'d.conf': data().replace('max-size = 10737418240', 'max-size = "10GB"').replace('bind-address = ":8088"', 'bind-address = "::1:8088"').replace('cache-max-memory-size = "1g"', 'cache-max-memory-size = "1.5g"')})
    expect(r.findings.filter((f) => f.id === 'bad-size').map((f) => [f.key, f.fix])).toEqual([
      ['data.cache-max-memory-size', `cache-max-memory-size = ${1.5 * 1024 ** 3}`],
      ['hinted-handoff.max-size', 'max-size = "10g"'],
    ])
    expect(find(r, 'bad-address')).toMatchObject({key: 'bind-address', fix: 'bind-address = "[::1]:8088"'})
  })

  it('says "bytes, not MB" about a tiny max-size', async () => {
    const r = await check({'d.conf': data().replace('max-size = 10737418240', 'max-size = 10240')})
    expect(find(r, 'hh-max-size-small')).toMatchObject({severity: 'warning', fix: expect.stringContaining(`max-size = ${10240 * 1024 * 1024}`)})
  })

  it('finds ports used twice and cluster ports bound to loopback', async () => {
    const meta = await check({'m.conf': META.replace('http-bind-address = ":8091"', 'http-bind-address = ":8089"')})
    expect(find(meta, 'port-conflict')).toMatchObject({severity: 'error', key: 'meta.http-bind-address', related: [expect.objectContaining({key: 'meta.bind-address', line: 9})]})
    const d = await check({'d.conf': data().replace('bind-address = ":8088"', 'bind-address = "127.0.0.1:8088"').replace('bind-address = ":8086"', 'bind-address = "localhost:8086"')})
    expect(d.findings.filter((f) => f.id === 'bind-loopback').map((f) => [f.key, f.severity])).toEqual([['bind-address', 'error'], ['http.bind-address', 'warning']])
  })
})

describe('data-node directories and hinted handoff', () => {
  it('requires [meta] dir and [hinted-handoff] dir, naming the start-up error', async () => {
    const text = data().replace('  dir = "/var/lib/influxdb/meta"\n', '').replace(/\[hinted-handoff\][\s\S]*?\[http\]/, '[http]')
    const r = await check({'d.conf': text})
    expect(r.findings.filter((f) => f.id === 'dir-missing').map((f) => [f.key, f.severity, f.line])).toEqual([
      ['hinted-handoff.dir', 'error', null],
      ['meta.dir', 'error', 8],
    ])
    expect(find(r, 'dir-missing').message).toContain('HintedHandoff.Dir must be specified')
  })

  it('flags relative and shared directories', async () => {
    const r = await check({'d.conf': data().replace('dir = "/var/lib/influxdb/hh"', 'dir = "/var/lib/influxdb/data/hh"').replace('wal-dir = "/var/lib/influxdb/wal"', 'wal-dir = "wal"')})
    expect(find(r, 'dir-relative')).toMatchObject({key: 'data.wal-dir', fix: 'wal-dir = "/var/lib/influxdb/wal"'})
    expect(find(r, 'dir-shared').message).toContain('opens every directory under [data] dir as a database')
  })

  it('compares max-size with the free space where the hh directory exists, per other data node', async () => {
    const free = 5 * 1024 ** 3
    const context = {freeBytes: async (p: string) => (p === '/var/lib/influxdb/hh' ? free : undefined)}
    const one = await check({'d.conf': data()}, {context})
    expect(find(one, 'hh-max-size-disk')).toMatchObject({severity: 'warning', key: 'hinted-handoff.max-size', line: 24})
    expect(find(one, 'hh-max-size-disk').message).toContain('5 GiB free')
    const small = data().replace('max-size = 10737418240', 'max-size = "3g"')
    expect(ids(await check({'d.conf': small}, {context}))).not.toContain('hh-max-size-disk')
    const three = await check({'a.conf': small, 'b.conf': small.replaceAll('data-01', 'data-02'), 'c.conf': small.replaceAll('data-01', 'data-03')}, {context})
    expect(find(three, 'hh-max-size-disk').message).toContain('× 2 other data nodes = 6 GiB')
    const nowhere = await check({'d.conf': data()}, {context: {freeBytes: async () => undefined}})
    expect(find(nowhere, 'hh-disk-not-checked').severity).toBe('info')
  })

  it('warns when hinted handoff is off', async () => {
    expect(find(await check({'d.conf': data().replace('  enabled = true', '  enabled = false')}), 'hh-disabled').severity).toBe('warning')
  })
})

describe('auth, FIPS, TLS, raft', () => {
  it('catches auth-enabled without internal-shared-secret on both sides', async () => {
    const r = await check({'m.conf': META.replace(`internal-shared-secret = "${INTERNAL}"`, 'internal-shared-secret = ""'), 'd.conf': data().replace(`meta-internal-shared-secret = "${INTERNAL}"\n`, '')})
    expect(r.findings.filter((f) => f.id === 'auth-no-internal-secret').map((f) => [f.file.endsWith('m.conf'), f.key])).toEqual([[true, 'meta.auth-enabled'], [false, 'meta.meta-auth-enabled']])
    expect(find(r, 'auth-no-internal-secret').message).toContain('1.6.4')
  })

  it('catches FIPS with bcrypt, the default', async () => {
    const r = await check({'m.conf': META.replace('lease-duration', 'ensure-fips = true\n  lease-duration')})
    expect(find(r, 'fips-bcrypt')).toMatchObject({severity: 'error', key: 'meta.ensure-fips', fix: expect.stringContaining('pbkdf2-sha256')})
  })

  it('needs a certificate for HTTPS, and checks one that exists: name, expiry, key', async () => {
    const noCert = await check({'m.conf': META.replace('lease-duration', 'https-enabled = true\n  lease-duration')})
    expect(find(noCert, 'https-no-certificate').severity).toBe('error')
    const pem = readFileSync(CERT, 'utf8')
    const withCert = (host: string) => META.replace('meta-01.example.test"', `${host}"`).replace('lease-duration', `https-enabled = true\n  https-certificate = "${CERT}"\n  lease-duration`)
    const fsCtx = {pathKind: async () => 'file' as const, readText: async () => pem}
    const good = await check({'m.conf': withCert('meta-01.example.test')}, {context: fsCtx})
    expect(ids(good, 'error')).toEqual(['https-no-private-key'])
    const wrongName = await check({'m.conf': withCert('meta-02.example.test')}, {context: fsCtx})
    expect(find(wrongName, 'certificate-hostname')).toMatchObject({severity: 'error', message: expect.stringContaining('DNS:meta-01.example.test')})
    const later = await check({'m.conf': withCert('meta-01')}, {context: {...fsCtx, now: Date.parse('2200-01-01T00:00:00Z')}})
    expect(find(later, 'certificate-expired').severity).toBe('error')
    const missing = await check({'m.conf': withCert('meta-01')}, {context: {pathKind: async () => undefined}})
    expect(find(missing, 'certificate-not-found').severity).toBe('info')
  })

  it('applies raft\'s own limits to the meta timeouts', async () => {
    const r = await check({'m.conf': META.replace('lease-duration', 'heartbeat-timeout = "500ms"\n  leader-lease-timeout = "1s"\n  commit-timeout = "100us"\n  lease-duration')})
    expect(r.findings.filter((f) => f.id === 'raft-timeouts').map((f) => f.key)).toEqual(['meta.leader-lease-timeout', 'meta.commit-timeout'])
    const slow = await check({'m.conf': META.replace('lease-duration', 'heartbeat-timeout = "2s"\n  lease-duration')})
    expect(find(slow, 'raft-timeouts')).toMatchObject({key: 'meta.heartbeat-timeout', message: expect.stringContaining('election-timeout (1s) is shorter than heartbeat-timeout (2s)')})
  })

  it('rejects a log level influxd does not know', async () => {
    expect(find(await check({'m.conf': META.replace('level = "info"', 'level = "warning"')}), 'bad-value')).toMatchObject({severity: 'error', fix: 'level = "warn" (debug, info, warn or error)'})
  })
})

describe('across nodes', () => {
  it('matches meta auth-enabled with every data node\'s meta-auth-enabled', async () => {
    const r = await check({'meta.conf': META, 'data.conf': data().replace('meta-auth-enabled = true', 'meta-auth-enabled = false')})
    const f = find(r, 'auth-mismatch')
    expect(f).toMatchObject({scope: 'cluster', severity: 'error', key: 'meta.meta-auth-enabled', line: 10, fix: 'meta-auth-enabled = true under [meta] (it must equal the meta nodes\' auth-enabled)'})
    expect(f.related?.[0]).toMatchObject({key: 'meta.auth-enabled', line: 11})
  })

  it('compares internal shared secrets without printing them', async () => {
    const r = await check({'m1.conf': META, 'm2.conf': META.replaceAll('meta-01', 'meta-02'), 'd.conf': data().replace(INTERNAL, 'a-completely-different-secret')})
    const f = find(r, 'secret-mismatch')
    expect(f).toMatchObject({severity: 'error', key: 'meta.meta-internal-shared-secret', value: '[REDACTED]'})
    expect(f.message).toContain('m1.conf')
    expect(JSON.stringify(r)).not.toContain('a-completely-different-secret')
  })

  it('wants one license, distinct hostnames per role, no shared host:port, and TLS on both ends', async () => {
    const r = await check({
      'm1.conf': META.replace('lease-duration', 'https-enabled = true\n  https-certificate = "/etc/ssl/meta.pem"\n  lease-duration'),
      'm2.conf': META.replace('lease-duration', 'https-enabled = true\n  https-certificate = "/etc/ssl/meta.pem"\n  lease-duration'),
      'd1.conf': data('meta-01.example.test').replace(LICENSE, '11111111-2222-4333-8444-555555555555').replace('bind-address = ":8088"', 'bind-address = ":8091"'),
    })
    expect(find(r, 'duplicate-hostname')).toMatchObject({severity: 'error', file: expect.stringMatching(/m2\.conf$/), related: [expect.objectContaining({file: expect.stringMatching(/m1\.conf$/)})]})
    expect(find(r, 'license-mismatch')).toMatchObject({severity: 'warning', file: expect.stringMatching(/d1\.conf$/)})
    expect(find(r, 'tls-mismatch')).toMatchObject({severity: 'error', message: expect.stringContaining('plain HTTP')})
    expect(r.findings.filter((f) => f.id === 'port-conflict').map((f) => f.key)).toEqual(['bind-address', 'bind-address'])
    expect(r.findings.filter((f) => f.id === 'port-conflict').map((f) => f.related?.[0].key)).toEqual(['meta.http-bind-address', 'meta.http-bind-address'])
    expect(find(r, 'meta-count-even').severity).toBe('info')
  })
})

describe('INFLUXDB_* overrides', () => {
  it('applies them before checking, says where each value came from, and lists them', async () => {
    const [envFile] = writeFiles({'influxdb.env': 'INFLUXDB_HINTED_HANDOFF_MAX_AGE=7d\nINFLUXDB_HTTP_AUTH_ENABLED=yes\n'})
    const r = await check({'d.conf': data()}, {env: {INFLUXDB_HOSTNAME: 'localhost', INFLUXDB_META_INTERNAL_SHARED_SECRET: 'x-wrong-variable-secret', PATH: '/bin'}, envFiles: [envFile]})
    const loop = find(r, 'hostname-loopback')
    expect(loop).toMatchObject({origin: {kind: 'environment', variable: 'INFLUXDB_HOSTNAME'}, line: null, value: '"localhost"'})
    expect(find(r, 'env-overrides-file')).toMatchObject({severity: 'info', line: 2, message: expect.stringContaining('the file says "data-01.example.test", the process sees "localhost"')})
    expect(r.findings.find((f) => f.key === 'http.auth-enabled')).toMatchObject({id: 'env-bad-value', origin: {kind: 'env-file', path: envFile, line: 2}, fix: 'INFLUXDB_HTTP_AUTH_ENABLED=true'})
    expect(r.findings.find((f) => f.key === 'hinted-handoff.max-age')).toMatchObject({id: 'env-bad-value', fix: 'INFLUXDB_HINTED_HANDOFF_MAX_AGE=168h', origin: {line: 1}})
    expect(find(r, 'env-other-role').fix).toContain('INFLUXDB_META_META_INTERNAL_SHARED_SECRET')
    expect(r.overrides.map((o) => [o.variable, o.key, o.value, o.appliedTo.length])).toEqual([
      ['INFLUXDB_HOSTNAME', 'hostname', 'localhost', 1],
      ['INFLUXDB_META_INTERNAL_SHARED_SECRET', 'meta.internal-shared-secret', '[REDACTED]', 0],
      ['INFLUXDB_HINTED_HANDOFF_MAX_AGE', 'hinted-handoff.max-age', '7d', 1],
      ['INFLUXDB_HTTP_AUTH_ENABLED', 'http.auth-enabled', 'yes', 1],
    ])
    expect(r.envSources).toEqual(['environment', envFile])
    expect(JSON.stringify(r)).not.toContain('x-wrong-variable-secret')
  })

  it('lets an override fix what the file gets wrong', async () => {
    const r = await check({'d.conf': data().replace('hostname = "data-01.example.test"\n', '')}, {env: {INFLUXDB_HOSTNAME: 'data-01.example.test'}})
    expect(ids(r, 'error')).toEqual([])
  })
})

describe('secrets', () => {
  it('never appear in the report or the human output, whatever the finding', async () => {
    const r = await check({
      'm.conf': META.replace('hostname = "meta-01.example.test"', 'hostname = "meta-01.example.test"\nlicense_key = "' + LICENSE + '"').replace('level = "info"', 'level = "info"\n  internal_shared_secret = "typo-d-secret-value"'),
      'd.conf': data().replace(INTERNAL, 'other-secret-value-1234'),
    }, {env: {INFLUXDB_ENTERPRISE_LICENSE_KEY: 'env-license-key-value'}})
    const outputs = [JSON.stringify(r), renderCheck(r)]
    for (const out of outputs) {
      for (const secret of [LICENSE, INTERNAL, SHARED, 'typo-d-secret-value', 'other-secret-value-1234', 'env-license-key-value']) expect(out).not.toContain(secret)
    }
    expect(outputs[1]).toContain('[REDACTED]')
  })
})

describe('checkConfigs inputs', () => {
  it('checks a file given twice once', async () => {
    const [p] = writeFiles({'m.conf': META})
    const r = await checkConfigs([p, p], {context: {freeBytes: async () => 2 ** 40, pathKind: async () => undefined}})
    expect(r.files).toHaveLength(1)
    expect(ids(r, 'error')).toEqual([])
  })

  it('turns every kind of bad file into a finding that names it', async () => {
    const r = await check({
      'empty.conf': '',
      'binary.conf': Buffer.from([0, 1, 2, 3, 0xff]),
      'bom.conf': '\uFEFF' + META.replaceAll('meta-01', 'meta-02'),
      'crlf.conf': META.replaceAll('meta-01', 'meta-03').replaceAll('\n', '\r\n'),
      'dup.conf': META.replaceAll('meta-01', 'meta-04') + '\n[meta]\n  dir = "/again"\n',
      'syntax.conf': META.replace('level = "info"', 'level = info'),
    })
    const byFile = (name: string) => r.findings.filter((f) => f.file.endsWith(name)).map((f) => f.id)
    expect(byFile('empty.conf')).toEqual(['file-empty'])
    expect(byFile('binary.conf')).toEqual(['file-binary'])
    expect(byFile('bom.conf')).toEqual(['encoding-bom'])
    expect(byFile('crlf.conf')).toEqual(['line-endings-crlf'])
    expect(byFile('dup.conf')).toEqual(['duplicate-key', 'duplicate-key'])
    expect(byFile('syntax.conf')).toEqual(['toml-syntax'])
    expect(r.verdict).toBe('critical')
  })
})

describe('a complete data-node config', () => {
  it('gives no errors and no warnings for every common section and key', async () => {
    const path = fileURLToPath(new URL('../fixtures/config/data-full.conf', import.meta.url))
    const r = await checkConfigs([path], {context: {freeBytes: async () => 2 ** 40, pathKind: async () => undefined, readText: async () => undefined}})
    expect(r.files[0]).toMatchObject({role: 'data', roleSource: 'content', parsed: true})
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id} ${f.key}`)).toEqual([])
    expect(JSON.stringify(r)).not.toContain('7WfK2rQx9pLmZ4tB8vNc-data07')
    expect(JSON.stringify(r)).not.toContain('0b9d6c1e-3a7f-4e2d-8c5b-9f1a2e3d4c5b')
  })
})

describe('more shapes operators get wrong', () => {
  it('sections: lists written as tables and the reverse, sub-tables, sections of the other role', async () => {
    const r = await check({'d.conf': data('data-01.example.test', '\n[graphite]\n  enabled = true\n[meta.extra]\n  x = 1\n'), 'm.conf': META.replace('[logging]', '[[logging]]') + '\n[hinted-handoff]\n  dir = "/hh"\n'})
    expect(find(r, 'section-not-array')).toMatchObject({key: 'graphite', fix: 'write the header with double brackets: [[graphite]]'})
    expect(find(r, 'section-array')).toMatchObject({key: 'logging', severity: 'error', fix: 'write the header with single brackets: [logging]'})
    expect(r.findings.find((f) => f.key === 'meta.extra')?.message).toContain('sub-table of [meta]')
    expect(find(r, 'other-role-section')).toMatchObject({key: 'hinted-handoff', file: expect.stringMatching(/m\.conf$/)})
    const inline = await check({'d.conf': data('data-01.example.test', '').replace('# data-01', 'graphite = [{enabled = false}]\n# data-01')})
    expect(ids(inline, 'error')).toEqual([])
  })

  it('keys: case, placeholders in secrets, underscores in hostnames', async () => {
    const r = await check({'m.conf': META.replace('auth-enabled = true', 'Auth-Enabled = true').replace(SHARED, 'changeme').replace('meta-01.example.test', 'meta_01.example.test')})
    expect(find(r, 'key-case')).toMatchObject({severity: 'warning', fix: 'write it as auth-enabled'})
    expect(ids(r)).not.toContain('auth-no-internal-secret')
    expect(find(r, 'secret-placeholder')).toMatchObject({key: 'meta.shared-secret', value: '[REDACTED]'})
    expect(find(r, 'hostname-format')).toMatchObject({severity: 'warning', fix: 'hostname = "meta-01.example.test" (and the matching DNS record)'})
  })

  it('meta nodes must agree with each other on secrets and password hashing', async () => {
    const r = await check({'m1.conf': META, 'm2.conf': META.replaceAll('meta-01', 'meta-02').replace(SHARED, 'another-public-secret-42').replace('lease-duration', 'password-hash = "pbkdf2-sha256"\n  lease-duration'), 'm3.conf': META.replaceAll('meta-01', 'meta-03')})
    expect(find(r, 'shared-secret-mismatch')).toMatchObject({severity: 'warning', file: expect.stringMatching(/m2\.conf$/)})
    expect(find(r, 'meta-setting-mismatch')).toMatchObject({key: 'meta.password-hash', file: expect.stringMatching(/m2\.conf$/)})
    expect(ids(r)).not.toContain('meta-count-even')
  })

  it('an empty INFLUXDB_ variable leaves the file value alone, and says so', async () => {
    const r = await check({'d.conf': data()}, {env: {INFLUXDB_HOSTNAME: ''}})
    expect(find(r, 'env-empty')).toMatchObject({severity: 'info', scope: 'environment'})
    expect(ids(r, 'error')).toEqual([])
  })
})
