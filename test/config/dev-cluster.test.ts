// `medic config check` on the configs `medic dev up` writes: the [medic-dev] table marks a one-machine cluster (its
// license-path names the cluster's stand-in license file), so loopback addresses and the dev-only "legacy" log format
// are information (each saying why), not errors; the same file without the marker still gets the errors a real node deserves.
import {describe, expect, it} from 'vitest'

import {renderMetaConfig} from '../../src/devcluster/cluster/configs/meta.js'
import {check, find, ids} from './fixtures.js'

function devConfig(k: number, options: {legacy?: boolean; auth?: boolean} = {}): string {
  return renderMetaConfig({
    name: `meta-${k}`, clusterDir: '/home/u/.local/share/medic/dev/default', hostname: '127.0.0.1',
    metaDir: `/home/u/.local/share/medic/dev/default/meta-${k}/meta`, raftPort: 18089 + 100 * k, httpPort: 18091 + 100 * k,
    logFormat: options.legacy ? 'legacy' : 'logfmt',
    auth: options.auth ? {sharedSecret: 'Qm9vdHN0cmFwLXNoYXJlZC1zZWNyZXQtZm9yLXRlc3Rz', internalSharedSecret: 'SW50ZXJuYWwtc2VjcmV0LWZvci1tZWRpYy10ZXN0cw'} : null,
  })
}

describe('config check on dev-cluster configs', () => {
  it('passes the three configs of a dev cluster: info findings only, each saying why', async () => {
    const r = await check({'meta-1.conf': devConfig(1, {auth: true}), 'meta-2.conf': devConfig(2, {auth: true}), 'meta-3.conf': devConfig(3, {auth: true})})
    expect(ids(r, 'error')).toEqual([])
    expect(ids(r, 'warning')).toEqual([])
    expect(r.verdict).toBe('ok')
    const first = r.findings.filter((f) => f.file.endsWith('meta-1.conf')).map((f) => f.id)
    expect(first).toEqual(expect.arrayContaining(['hostname-loopback', 'bind-loopback', 'dev-cluster']))
    // license-path names the cluster's stand-in license file (not on this machine here: information only).
    expect(first).not.toContain('license-missing')
    expect(find(r, 'license-file-not-found')).toMatchObject({severity: 'info', key: 'enterprise.license-path'})
    expect(find(r, 'hostname-loopback')).toMatchObject({severity: 'info', message: expect.stringContaining('all its nodes run on this machine')})
    expect(find(r, 'bind-loopback')).toMatchObject({severity: 'info', key: 'meta.bind-address'})
    expect(find(r, 'dev-cluster')).toMatchObject({severity: 'info', key: 'medic-dev', message: expect.stringContaining('medic dev up')})
    // Secrets stay out of the report, as for any config.
    expect(JSON.stringify(r)).not.toContain('Qm9vdHN0cmFwLXNoYXJlZC1zZWNyZXQtZm9yLXRlc3Rz')
  })

  it('accepts the dev-only legacy log format as information', async () => {
    const r = await check({'influxdb-meta.conf': devConfig(1, {legacy: true})})
    expect(r.verdict).toBe('ok')
    expect(find(r, 'log-format-legacy')).toMatchObject({severity: 'info', key: 'logging.format', value: '"legacy"', message: expect.stringContaining('real 1.5+ nodes know only auto, logfmt and json')})
  })

  it('without the [medic-dev] marker the same file is a broken production config', async () => {
    const text = devConfig(1, {legacy: true})
    const r = await check({'influxdb-meta.conf': text.slice(0, text.indexOf('# Marks this file'))})
    expect(r.verdict).toBe('critical')
    expect(ids(r, 'error')).toEqual(expect.arrayContaining(['hostname-loopback', 'bind-loopback']))
    expect(ids(r, 'warning')).toContain('bad-value')
    expect(ids(r)).not.toContain('dev-cluster')
  })

  it('the marker does not excuse what would break even a dev cluster', async () => {
    const r = await check({'influxdb-meta.conf': devConfig(1).replace('election-timeout = "1s"', 'election-timeout = "500u"')})
    expect(find(r, 'duration-unit')).toMatchObject({severity: 'error'})
  })
})
