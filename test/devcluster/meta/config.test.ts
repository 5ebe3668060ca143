// A meta node's influxdb-meta.conf: written by the supervisor (cluster/configs/meta.ts) and read back by the node
// (meta/config.ts) exactly as written, with Enterprise's defaults for what is absent, and a plain ConfigError naming
// the file, the key and the fix for every bad value (never a CLI error: the node logs it and exits 1).
import {describe, expect, it} from 'vitest'

import {renderMetaConfig} from '../../../src/devcluster/cluster/configs/meta.js'
import {ConfigError, DEFAULT_TIMEOUTS, parseMetaNodeConfig, readMetaNodeConfig} from '../../../src/devcluster/meta/config.js'

describe('influxdb-meta.conf', () => {
  const input = {name: 'meta-2', clusterDir: '/c', hostname: '127.0.0.1', metaDir: '/c/meta-2/meta', raftPort: 18289, httpPort: 18291, logFormat: 'legacy' as const}

  it('is read back exactly as written', async () => {
    const cfg = await parseMetaNodeConfig(renderMetaConfig({...input, auth: {sharedSecret: 's1', internalSharedSecret: 's2'}}))
    expect(cfg).toEqual({
      name: 'meta-2', cluster: '/c', timeScale: 1, hostname: '127.0.0.1', dir: '/c/meta-2/meta', bindAddress: '127.0.0.1:18289', httpBindAddress: '127.0.0.1:18291',
      leaseDurationMs: 60_000, electionTimeoutMs: 1000, heartbeatTimeoutMs: 1000, leaderLeaseTimeoutMs: 500, commitTimeoutMs: 50,
      clusterTracing: true, authEnabled: true, sharedSecret: 's1', internalSharedSecret: 's2', licenseKey: '', licensePath: '/c/license.json', logFormat: 'legacy', logLevel: 'info',
    })
    const plain = renderMetaConfig(input)
    expect(plain).toContain('auth-enabled = false')
    expect(plain).not.toMatch(/^\s*(internal-)?shared-secret =/m)
    expect(plain).toMatch(/^\[medic-dev\]\n {2}node = "meta-2"$/m)
    expect(plain.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(15)
    // dev up --time-scale: written to [medic-dev], read back; the real lease-duration stays in the file.
    const scaled = await parseMetaNodeConfig(renderMetaConfig({...input, timeScale: 20}))
    expect([scaled.timeScale, scaled.leaseDurationMs]).toEqual([20, 60_000])
    await expect(parseMetaNodeConfig(renderMetaConfig(input).replace('time-scale = 1', 'time-scale = 0'))).rejects.toThrow(/time-scale = 0 must be from 1 to 1000/)
  })

  it('takes the documented defaults for what is absent', async () => {
    expect(await parseMetaNodeConfig('')).toMatchObject({
      name: '', cluster: null, hostname: '', dir: '/var/lib/influxdb/meta', bindAddress: ':8089', httpBindAddress: ':8091',
      leaseDurationMs: 60_000, electionTimeoutMs: 1000, heartbeatTimeoutMs: 1000, leaderLeaseTimeoutMs: 500, commitTimeoutMs: 50,
      clusterTracing: false, authEnabled: false, logFormat: 'logfmt', logLevel: 'info',
    })
    expect(DEFAULT_TIMEOUTS.leaseDuration).toBe('1m0s')
  })

  it('fails with the file, the key and a fix', async () => {
    const bad = async (text: string) => parseMetaNodeConfig(text, '/c/x.conf').then(() => undefined, (e: unknown) => e as ConfigError)
    const toml = await bad('[meta\n')
    expect(toml).toBeInstanceOf(ConfigError)
    expect(toml).toMatchObject({code: 'config-invalid', path: '/c/x.conf', message: expect.stringMatching(/^\/c\/x\.conf: line 1, column \d+: not valid TOML/)})
    // A node's own error: no exit code, no suggestions list; the fix is the line to write.
    expect(toml).not.toHaveProperty('exitCode')
    expect(toml).not.toHaveProperty('suggestions')
    const unit = await bad('[meta]\nelection-timeout = "2u"\n')
    expect(unit?.message).toBe('/c/x.conf: [meta] election-timeout = "2u": unknown unit "u" in duration "2u"')
    expect(unit?.fix).toBe('election-timeout = "2us"')
    expect((await bad('[meta]\nheartbeat-timeout = "2s"\nelection-timeout = "1s"\n'))?.message).toContain('Election timeout must be equal or greater than Heartbeat Timeout')
    expect((await bad('[meta]\nleader-lease-timeout = "2s"\n'))?.message).toContain('Leader lease timeout cannot be larger than heartbeat timeout')
    expect((await bad('[meta]\ncommit-timeout = "100us"\n'))?.message).toContain("below Raft's floor")
    expect((await bad('[meta]\nauth-enabled = true\n'))?.message).toContain('internal-shared-secret is empty')
    expect((await bad('[meta]\nauth-enabled = "yes"\n'))?.message).toContain('must be true or false')
    expect((await bad('[meta]\nhttp-bind-address = "8091"\n'))?.message).toBe('/c/x.conf: [meta] http-bind-address = "8091": missing port in address')
    expect((await bad('[logging]\nformat = "console"\n'))?.message).toContain('not one the dev cluster writes')
    expect((await parseMetaNodeConfig('[logging]\nformat = "legacy-level"\n')).logFormat).toBe('legacy-level')
    expect((await parseMetaNodeConfig('[logging]\nformat = "auto"\n')).logFormat).toBe('logfmt')
    expect((await bad('meta = 3\n'))?.message).toContain('must be a [meta] table')
    await expect(readMetaNodeConfig('/nonexistent/influxdb-meta.conf')).rejects.toMatchObject({message: expect.stringContaining('/nonexistent/influxdb-meta.conf: cannot read the config (ENOENT)')})
  })
})
