// The supervisor's files and numbers: folder resolution (XDG), the port plan and the free-port check, the state file
// (atomic writes, 0600, the lock, redaction, errors), the generated influxdb-meta.conf read back by
// readDevNodeConfig with Enterprise's defaults and clear errors, and the log tail quoted when a node fails.
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {DEFAULT_TIMEOUTS, parseDevNodeConfig, readDevNodeConfig, renderMetaConfig} from '../../src/devcluster/cluster/configs/meta.js'
import {defaultClusterDir, dirFlag, medicDataDir, metaNodeEntry, moduleEntry, resolveClusterDir} from '../../src/devcluster/cluster/paths.js'
import {checkBasePort, checkPortsFree, dataPorts, metaPortUses, metaPorts, nodeIndex, probePort} from '../../src/devcluster/cluster/ports.js'
import {
  type ClusterState, findNode, loadState, parseState, readState, redactState, STATE_VERSION, updateState, writeState,
} from '../../src/devcluster/cluster/state.js'
import {tailLines} from '../../src/devcluster/supervisor/supervisor.js'
import {MedicError} from '../../src/errors.js'

const roots: string[] = []
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, {recursive: true, force: true})
})
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'medic-files-'))
  roots.push(d)
  return d
}

function sampleState(dir: string): ClusterState {
  const node = (k: number) => ({
    name: `meta-${k}`, kind: 'meta' as const, httpAddr: `127.0.0.1:${18091 + 100 * k}`, raftAddr: `127.0.0.1:${18089 + 100 * k}`,
    dir: join(dir, `meta-${k}`), configPath: join(dir, `meta-${k}`, 'influxdb-meta.conf'), logPath: join(dir, `meta-${k}`, 'influxdb-meta.log'),
    pid: null, startedAt: null, exit: null, paused: false, lastSignal: null,
  })
  return {
    version: STATE_VERSION, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '', dir, basePort: 18000, logFormat: 'logfmt',
    auth: {sharedSecret: 'shared-s3cret-value', internalSharedSecret: 'internal-s3cret-value', username: 'admin', password: 'pa55word-value', userCreated: true},
    joined: true, supervisor: {pid: 1, mode: 'detached', address: '127.0.0.1:1', token: 'control-t0ken-value', startedAt: ''}, nodes: [node(1), node(2), node(3)],
  }
}

describe('paths', () => {
  it('follows XDG: $XDG_DATA_HOME when absolute, else ~/.local/share; --dir beats MEDIC_DEV_DIR beats the default', () => {
    expect(medicDataDir({XDG_DATA_HOME: '/x/data', HOME: '/home/u'})).toBe('/x/data/medic')
    expect(medicDataDir({XDG_DATA_HOME: 'relative', HOME: '/home/u'})).toBe('/home/u/.local/share/medic')
    expect(defaultClusterDir({HOME: '/home/u'})).toBe('/home/u/.local/share/medic/dev/default')
    expect(resolveClusterDir(undefined, {HOME: '/home/u', MEDIC_DEV_DIR: '/tmp/c'})).toBe('/tmp/c')
    expect(resolveClusterDir('/tmp/flag', {HOME: '/home/u', MEDIC_DEV_DIR: '/tmp/c'})).toBe('/tmp/flag')
    expect(dirFlag('/home/u/.local/share/medic/dev/default', {HOME: '/home/u'})).toBe('')
    expect(dirFlag('/tmp/my cluster', {HOME: '/home/u'})).toBe(" --dir '/tmp/my cluster'")
  })

  it('runs the node entry from the sources through tsx, and MEDIC_DEV_NODE_MAIN replaces it', () => {
    const e = moduleEntry('meta/main')
    expect(e.module).toMatch(/src\/devcluster\/meta\/main\.ts$/)
    expect(e.args).toContain('--import')
    expect(e.args[e.args.length - 1]).toBe(e.module)
    const compiled = moduleEntry('meta/main', 'file:///opt/medic/dist/devcluster/cluster/paths.js')
    expect(compiled.module).toBe('/opt/medic/dist/devcluster/meta/main.js')
    expect(compiled.args).not.toContain('--import')
    expect(metaNodeEntry({MEDIC_DEV_NODE_MAIN: '/x/fake.mjs'}).args.slice(-1)).toEqual(['/x/fake.mjs'])
  })
})

describe('ports', () => {
  it('derives every port from the base', () => {
    expect(metaPorts(18000, 1)).toEqual({http: 18191, raft: 18189})
    expect(metaPorts(18000, 2)).toEqual({http: 18291, raft: 18289})
    expect(dataPorts(18000, 1)).toEqual({http: 19186, rpc: 19188})
    expect(metaPortUses(18000, [3])).toEqual([{port: 18391, node: 'meta-3', what: 'HTTP API'}, {port: 18389, node: 'meta-3', what: 'Raft'}])
    expect([nodeIndex('meta-7'), nodeIndex('data-2'), nodeIndex('meta-0'), nodeIndex('x')]).toEqual([7, 2, undefined, undefined])
  })

  it('rejects a base port whose plan leaves the port range', () => {
    expect(() => checkBasePort(65_200, 3)).toThrow(/does not fit/)
    expect(() => checkBasePort(65_100, 3)).not.toThrow()
    expect(() => checkBasePort(500, 1)).toThrow(MedicError)
    expect(() => checkBasePort(18000, 9)).not.toThrow()
  })

  it('finds a port in use and names it, its node and its role', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as {port: number}).port
    try {
      expect(await probePort(port)).toBe('EADDRINUSE')
      const err = await checkPortsFree([{port, node: 'meta-2', what: 'Raft'}], {basePort: 18000}).catch((e: unknown) => e) as MedicError
      expect(err).toMatchObject({exitCode: 2, code: 'port-in-use', message: `port ${port} (meta-2 Raft) is already in use on 127.0.0.1`})
      expect(err.suggestions[0]).toBe('use other ports: medic dev up --base-port 19000')
    } finally {
      await new Promise((r) => server.close(r))
    }
    await expect(checkPortsFree([{port, node: 'meta-2', what: 'Raft'}])).resolves.toBeUndefined()
  })
})

describe('the state file', () => {
  it('is written atomically with mode 0600 and read back', async () => {
    const dir = join(temp(), 'c')
    await writeState(dir, sampleState(dir))
    expect(statSync(join(dir, 'cluster.json')).mode & 0o777).toBe(0o600)
    const back = await loadState(dir)
    expect(back.nodes.map((n) => n.name)).toEqual(['meta-1', 'meta-2', 'meta-3'])
    expect(back.updatedAt).not.toBe('')
  })

  it('says when there is no cluster (exit 4) and when the file is not a state file', async () => {
    const dir = temp()
    expect(await readState(dir)).toBeUndefined()
    await expect(loadState(dir)).rejects.toMatchObject({exitCode: 4, code: 'cluster-not-found', message: expect.stringContaining(dir)})
    writeFileSync(join(dir, 'cluster.json'), '{"version": 1')
    await expect(loadState(dir)).rejects.toMatchObject({exitCode: 4, code: 'state-invalid'})
    expect(() => parseState('{"hello": 1}', '/x/cluster.json')).toThrow(/not a dev cluster state file/)
    expect(() => parseState(JSON.stringify({...sampleState(dir), version: 99}), '/x/cluster.json')).toThrow(/newer medic/)
  })

  it('serialises concurrent updates through its lock, and takes over a lock left by a dead process', async () => {
    const dir = join(temp(), 'c')
    await writeState(dir, {...sampleState(dir), basePort: 0})
    writeFileSync(join(dir, 'cluster.json.lock'), '999999999')
    await Promise.all(Array.from({length: 20}, () => updateState(dir, async (s) => {
      const seen = s.basePort
      await new Promise((r) => setImmediate(r))
      s.basePort = seen + 1
    })))
    expect((await loadState(dir)).basePort).toBe(20)
  })

  it('redacts every secret, and lists the valid names for an unknown node (exit 2)', () => {
    const s = sampleState('/c')
    const text = JSON.stringify(redactState(s))
    for (const secret of ['shared-s3cret-value', 'internal-s3cret-value', 'pa55word-value', 'control-t0ken-value']) expect(text).not.toContain(secret)
    expect(s.auth?.password).toBe('pa55word-value')
    expect(findNode(s, 'meta-2').name).toBe('meta-2')
    expect(() => findNode(s, 'meta-4')).toThrow(expect.objectContaining({exitCode: 2, code: 'unknown-node', message: expect.stringContaining('meta-1, meta-2, meta-3')}))
  })
})

describe('influxdb-meta.conf', () => {
  const input = {name: 'meta-2', clusterDir: '/c', hostname: '127.0.0.1', metaDir: '/c/meta-2/meta', raftPort: 18289, httpPort: 18291, logFormat: 'legacy' as const}

  it('is read back exactly as written', async () => {
    const cfg = await parseDevNodeConfig(renderMetaConfig({...input, auth: {sharedSecret: 's1', internalSharedSecret: 's2'}}))
    expect(cfg).toEqual({
      name: 'meta-2', cluster: '/c', hostname: '127.0.0.1', dir: '/c/meta-2/meta', bindAddress: '127.0.0.1:18289', httpBindAddress: '127.0.0.1:18291',
      leaseDurationMs: 60_000, electionTimeoutMs: 1000, heartbeatTimeoutMs: 1000, leaderLeaseTimeoutMs: 500, commitTimeoutMs: 50,
      clusterTracing: true, authEnabled: true, sharedSecret: 's1', internalSharedSecret: 's2', logFormat: 'legacy', logLevel: 'info',
    })
    const plain = renderMetaConfig(input)
    expect(plain).toContain('auth-enabled = false')
    expect(plain).not.toMatch(/^\s*(internal-)?shared-secret =/m)
    expect(plain).toMatch(/^\[medic-dev\]\n {2}node = "meta-2"$/m)
    expect(plain.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(15)
  })

  it('takes the documented defaults for what is absent', async () => {
    expect(await parseDevNodeConfig('')).toMatchObject({
      name: '', cluster: null, hostname: '', dir: '/var/lib/influxdb/meta', bindAddress: ':8089', httpBindAddress: ':8091',
      leaseDurationMs: 60_000, electionTimeoutMs: 1000, heartbeatTimeoutMs: 1000, leaderLeaseTimeoutMs: 500, commitTimeoutMs: 50,
      clusterTracing: false, authEnabled: false, logFormat: 'logfmt', logLevel: 'info',
    })
    expect(DEFAULT_TIMEOUTS.leaseDuration).toBe('1m0s')
  })

  it('fails with the file, the key and a fix', async () => {
    const bad = async (text: string) => parseDevNodeConfig(text, '/c/x.conf').then(() => undefined, (e: MedicError) => e)
    expect(await bad('[meta\n')).toMatchObject({exitCode: 4, code: 'config-invalid', message: expect.stringMatching(/^\/c\/x\.conf: line 1, column \d+: not valid TOML/)})
    const unit = await bad('[meta]\nelection-timeout = "2u"\n') as MedicError
    expect(unit.message).toBe('/c/x.conf: [meta] election-timeout = "2u": unknown unit "u" in duration "2u"')
    expect(unit.suggestions).toEqual(['election-timeout = "2us"'])
    expect((await bad('[meta]\nheartbeat-timeout = "2s"\nelection-timeout = "1s"\n'))?.message).toContain('Election timeout must be equal or greater than Heartbeat Timeout')
    expect((await bad('[meta]\nleader-lease-timeout = "2s"\n'))?.message).toContain('Leader lease timeout cannot be larger than heartbeat timeout')
    expect((await bad('[meta]\ncommit-timeout = "100us"\n'))?.message).toContain("below Raft's floor")
    expect((await bad('[meta]\nauth-enabled = true\n'))?.message).toContain('internal-shared-secret is empty')
    expect((await bad('[meta]\nauth-enabled = "yes"\n'))?.message).toContain('must be true or false')
    expect((await bad('[meta]\nhttp-bind-address = "8091"\n'))?.message).toBe('/c/x.conf: [meta] http-bind-address = "8091": missing port in address')
    expect((await bad('[logging]\nformat = "console"\n'))?.message).toContain('not one the dev cluster writes')
    expect((await bad('meta = 3\n'))?.message).toContain('must be a [meta] table')
    await expect(readDevNodeConfig('/nonexistent/influxdb-meta.conf')).rejects.toMatchObject({message: expect.stringContaining('/nonexistent/influxdb-meta.conf: cannot read the config (ENOENT)')})
  })
})

describe('tailLines', () => {
  it('quotes only what was written after the offset, last lines first kept', () => {
    const path = join(temp(), 'n.log')
    writeFileSync(path, 'old 1\nold 2\n')
    const offset = statSync(path).size
    writeFileSync(path, readFileSync(path, 'utf8') + Array.from({length: 15}, (_, i) => `new ${i + 1}`).join('\n') + '\n\n')
    expect(tailLines(path, offset, 3)).toEqual(['new 13', 'new 14', 'new 15'])
    expect(tailLines(path, offset, 100)).toHaveLength(15)
    expect(tailLines(join(temp(), 'missing.log'), 0, 3)).toEqual([])
  })
})
