// The human output of `medic dev` (src/format/dev.ts): every `medic dev ...` command it suggests keeps the cluster's
// --dir when the cluster is not in the default folder (pasted as shown, it must reach the same cluster), values from
// outside are escaped, and a node that failed to start is shown with its last log lines, each on its own line.
import {describe, expect, it} from 'vitest'

import type {ClusterStatus, NodeStatus} from '../../src/devcluster/client/status.js'
import type {MetaDevNode} from '../../src/devcluster/cluster/state.js'
import {NodeFailedError, type UpResult} from '../../src/devcluster/supervisor/protocol.js'
import {renderDevStatus, renderNodeFailure, renderSignal, renderUpBanner} from '../../src/format/dev.js'

const DIR = '/tmp/my cluster'
const FLAG = `--dir '${DIR}'`

/** Every `medic dev <cmd> ...` in `text` that does not carry the --dir flag before the line (or the next command) ends. */
function withoutDir(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const commands = line.split(/(?=medic dev )/).filter((c) => c.startsWith('medic dev '))
    for (const c of commands) if (!c.includes(FLAG)) out.push(c.trim())
  }
  return out
}

const node = (k: number, over: Partial<MetaDevNode> = {}): MetaDevNode => ({
  name: `meta-${k}`, kind: 'meta', httpAddr: `127.0.0.1:${18091 + 100 * k}`, raftAddr: `127.0.0.1:${18089 + 100 * k}`, dir: `${DIR}/meta-${k}`,
  configPath: `${DIR}/meta-${k}/influxdb-meta.conf`, logPath: `${DIR}/meta-${k}/influxdb-meta.log`, pid: 100 + k, startedAt: null, exit: null,
  paused: false, lastSignal: null, ...over,
})

const status = (n: MetaDevNode, over: Partial<NodeStatus>): NodeStatus => ({
  name: n.name, kind: 'meta', role: 'follower', state: 'up', pid: n.pid, httpAddr: n.httpAddr, raftAddr: n.raftAddr, rpcAddr: null,
  leader: 'meta-1', joined: true, peers: null, exit: null, configPath: n.configPath, logPath: n.logPath, ...over,
})

describe('hints keep --dir', () => {
  it('in the start-up banner, including the pause and resume hint', () => {
    const nodes = [node(1), node(2), node(3)]
    const up: UpResult = {
      dir: DIR, statePath: `${DIR}/cluster.json`, mode: 'detached', fresh: true, elapsedMs: 900, basePort: 18000, logFormat: 'logfmt',
      leader: {name: 'meta-1', httpAddr: nodes[0].httpAddr, raftAddr: nodes[0].raftAddr}, nodes, auth: null,
      supervisor: {pid: 1, address: '127.0.0.1:1', log: `${DIR}/supervisor.log`},
    }
    const text = renderUpBanner(up, {foreground: false})
    expect(text).toContain(`medic dev pause meta-2 ${FLAG}`)
    expect(text).toContain(`medic dev resume meta-2 ${FLAG}`)
    expect(withoutDir(text)).toEqual([])
  })

  it('in dev status for down and paused nodes, and in the signal results', async () => {
    const [a, b, c] = [node(1), node(2), node(3)]
    const s: ClusterStatus = {
      dir: DIR, basePort: 18000, logFormat: 'logfmt', auth: {enabled: false, username: null}, joined: true,
      supervisor: {pid: 1, mode: 'detached', address: '127.0.0.1:1', running: true}, leader: {name: 'meta-1', raftAddr: a.raftAddr, httpAddr: a.httpAddr},
      agreed: true,
      nodes: [
        status(a, {role: 'leader'}),
        status(b, {role: 'down', state: 'down', pid: null, exit: {code: null, signal: 'SIGKILL', at: '', requested: false}}),
        status(c, {role: 'unreachable', error: 'HTTP 500 \u001b[2Jboom'}),
      ],
      summary: {nodes: 3, up: 1, down: 1, paused: 0},
    }
    const text = await renderDevStatus(s)
    expect(text).toContain(`medic dev start meta-2 ${FLAG}`)
    expect(text).not.toContain('\u001b[2J')
    expect(text).toContain('\\x1b[2Jboom')
    const paused = await renderDevStatus({...s, nodes: [s.nodes[0], status(b, {role: 'paused', state: 'paused'})]})
    expect(paused).toContain(`medic dev resume meta-2 ${FLAG}`)
    expect(withoutDir(text + paused)).toEqual([])
    for (const action of ['kill', 'pause', 'resume'] as const) {
      const changed = renderSignal({node: 'meta-2', action, signal: 'SIGKILL', pid: 102, changed: true, state: 'up'}, DIR)
      const same = renderSignal({node: 'meta-2', action, signal: 'SIGKILL', pid: null, changed: false, state: 'down'}, DIR)
      expect(withoutDir(changed + '\n' + same)).toEqual([])
    }
  })
})

describe('a node that failed to start', () => {
  it('shows the error, then its last log lines each on a line of its own and escaped, then what to try', () => {
    const err = new NodeFailedError('meta-2 exited during start-up (exit code 1); the last lines of /c/meta-2/influxdb-meta.log:', {
      node: 'meta-2', path: '/c/meta-2/influxdb-meta.log', lines: ['ts=... msg="Opening raft store"', 'run: open server: bind: address already in use \u001b]0;x\u0007'],
    }, [`the whole log: medic dev logs meta-2 ${FLAG}`])
    expect(renderNodeFailure(err).split('\n')).toEqual([
      'Error: meta-2 exited during start-up (exit code 1); the last lines of /c/meta-2/influxdb-meta.log:',
      '    ts=... msg="Opening raft store"',
      '    run: open server: bind: address already in use \\x1b]0;x\\x07',
      'Try this:',
      `  * the whole log: medic dev logs meta-2 ${FLAG}`,
    ])
  })
})
