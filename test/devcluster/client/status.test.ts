// `medic dev status` for a node of each kind (src/devcluster/client/status.ts): a data node record is probed with
// GET /ping (204: role data), a meta node with GET /status; a process that is not the recorded node counts as down.
// The node processes are stand-ins (a child process started with the node's config path, as the supervisor starts
// nodes) and loopback servers.
import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {clusterStatus, statusExitCode} from '../../../src/devcluster/client/status.js'
import type {ClusterState, DataDevNode, MetaDevNode} from '../../../src/devcluster/cluster/state.js'
import {closeAll, serve} from '../../helpers/net.js'
import {tempFolder} from '../../helpers/tmp.js'
import {until} from '../../helpers/wait.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await closeAll()
})

/** A process whose command line names `configPath`, as a node started by the supervisor does. */
async function standIn(configPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', '--', '-config', configPath], {stdio: 'ignore'})
  cleanups.push(() => {
    child.kill('SIGKILL')
  })
  await until('the stand-in process', () => child.pid !== undefined)
  return child
}

function record<T extends 'meta' | 'data'>(kind: T, name: string, dir: string, httpAddr: string, pid: number | null): T extends 'meta' ? MetaDevNode : DataDevNode
function record(kind: 'meta' | 'data', name: string, dir: string, httpAddr: string, pid: number | null): MetaDevNode | DataDevNode {
  const base = {
    name, httpAddr, dir: join(dir, name), configPath: join(dir, name, 'node.conf'), logPath: join(dir, name, 'node.log'), pid,
    startedAt: null, exit: null, paused: false, lastSignal: null,
  }
  return kind === 'meta' ? {...base, kind, raftAddr: `${httpAddr.split(':')[0]}:1`} : {...base, kind, rpcAddr: `${httpAddr.split(':')[0]}:2`}
}

describe('clusterStatus with data nodes', () => {
  it('probes data nodes with /ping and meta nodes with /status, and names each role', async () => {
    const t = tempFolder('medic-status-')
    cleanups.push(t.remove)
    let metaAddr = ''
    const metaPort = await serve((req, res) => {
      res.writeHead(req.url === '/status' ? 200 : 404, {'content-type': 'application/json'})
      res.end(JSON.stringify({nodeType: 'meta', leader: `${metaAddr.split(':')[0]}:1`, httpAddr: metaAddr, raftAddr: `${metaAddr.split(':')[0]}:1`, peers: [`${metaAddr.split(':')[0]}:1`]}))
    })
    metaAddr = `127.0.0.1:${metaPort}`
    const dataPort = await serve((req, res) => {
      res.writeHead(req.url === '/ping' ? 204 : 404, {'x-influxdb-version': '1.11.8-c1.11.8'})
      res.end()
    })
    const sickPort = await serve((_req, res) => {
      res.writeHead(500)
      res.end()
    })
    const meta = record('meta', 'meta-1', t.dir, metaAddr, null)
    const data = record('data', 'data-1', t.dir, `127.0.0.1:${dataPort}`, null)
    const sick = record('data', 'data-2', t.dir, `127.0.0.1:${sickPort}`, null)
    const gone = record('data', 'data-3', t.dir, '127.0.0.1:1', null)
    for (const n of [meta, data, sick]) n.pid = (await standIn(n.configPath)).pid ?? null
    gone.pid = process.pid // alive, but not the node: its command line does not name data-3's config
    const state: ClusterState = {
      version: 1, createdAt: '', updatedAt: '', dir: t.dir, basePort: 18000, logFormat: 'logfmt', auth: null, joined: true, supervisor: null,
      nodes: [meta, data, sick, gone],
    }
    const s = await clusterStatus(state, {timeoutMs: 2_000})
    expect(s.nodes.map((n) => [n.name, n.kind, n.role, n.state])).toEqual([
      ['meta-1', 'meta', 'leader', 'up'], ['data-1', 'data', 'data', 'up'], ['data-2', 'data', 'unreachable', 'up'], ['data-3', 'data', 'down', 'down'],
    ])
    expect(s.nodes[1]).toMatchObject({raftAddr: null, rpcAddr: '127.0.0.1:2', leader: null})
    expect(s.nodes[2].error).toBe('GET /ping answered HTTP 500')
    expect(s.agreed).toBe(true)
    expect(statusExitCode(s)).toBe(3)
    expect(statusExitCode({...s, nodes: s.nodes.slice(0, 2)})).toBe(0)
  })
})
