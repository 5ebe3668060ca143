/**
 * `medic dev status`: the state file plus a concurrent probe of every node: its process first (down, paused), then its
 * API (a meta node's GET /status: leader, peers, joined; a data node's GET /ping), each within a deadline. The
 * cluster's verdict: every node up and the meta nodes agreeing on one leader.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {ExitCode, type ExitCodeValue} from '../../errors.js'
import {nodeProcess} from '../cluster/processes.js'
import {adminAuthHeaders, type ClusterState, type DevNode, loadState, metaNodes, type NodeExit} from '../cluster/state.js'
import {createNodeHttpClient, jsonOf, type NodeHttpClient} from '../node/http-client.js'
import {supervisorAnswers} from './control.js'
import {type FaultView, readFaults, view} from './fault-control.js'
import {hintedHandoffBytes} from './hh-vars.js'

/** Meta nodes: their Raft role as /status tells it. Data nodes: `data` once they answer /ping. Any node can be down,
 * paused (SIGSTOP) or up but not answering. */
export type NodeRole = 'leader' | 'follower' | 'un-joined' | 'data' | 'down' | 'paused' | 'unreachable'

export interface NodeStatus {
  name: string
  kind: DevNode['kind']
  role: NodeRole
  /** up: the process runs and its API answers; paused: stopped by SIGSTOP; down: no process. */
  state: 'up' | 'down' | 'paused'
  pid: number | null
  httpAddr: string
  /** Meta nodes' Raft address (their Raft id); null for data nodes. */
  raftAddr: string | null
  /** Data nodes' cluster RPC address; null for meta nodes. */
  rpcAddr: string | null
  /** The leader this node reports: a node name when it is one of ours, else the Raft address; null when unknown. */
  leader: string | null
  joined: boolean | null
  peers: string[] | null
  /** Data nodes: the id the meta store gave them (null before they are added, or when not readable). */
  nodeId?: number | null
  /** Data nodes: shards held and values stored (one per field of each point), from the node's cluster RPC. */
  shards?: number | null
  points?: number | null
  /** Data nodes: bytes queued in hinted handoff per destination node id (from /debug/vars). */
  hintedHandoff?: Record<string, number> | null
  /** How the process ended, when it is down and the supervisor saw it. */
  exit: NodeExit | null
  configPath: string
  logPath: string
  /** Why the API could not be read. */
  error?: string
}

export interface ClusterStatus {
  dir: string
  basePort: number
  logFormat: string
  /** `dev up --time-scale`: the nodes' lease, hinted-handoff, monitor and CQ timers run this many times faster. */
  timeScale?: number
  auth: {enabled: boolean; username: string | null}
  joined: boolean
  supervisor: {pid: number; mode: string; address: string; running: boolean} | null
  /** The leader every up node agrees on, or null. */
  leader: {name: string; raftAddr: string; httpAddr: string} | null
  agreed: boolean
  nodes: NodeStatus[]
  summary: {nodes: number; up: number; down: number; paused: number}
  /** The faults in force (medic dev fault ...), and the generation of the fault table. */
  faults?: FaultView[]
  faultGeneration?: number
  /** Why faults.json could not be read, when that is the case. */
  faultsError?: string
}

/** Probes every node concurrently (its process, then its API within `timeoutMs`); secrets never appear. */
export async function clusterStatus(state: ClusterState, options: {timeoutMs?: number; http?: NodeHttpClient} = {}): Promise<ClusterStatus> {
  const http = options.http ?? createNodeHttpClient({userAgent: 'influx-medic'})
  try {
    return await probeCluster(state, http, options.timeoutMs ?? 1_500)
  } finally {
    if (options.http === undefined) await http.close()
  }
}

async function probeCluster(state: ClusterState, http: NodeHttpClient, timeoutMs: number): Promise<ClusterStatus> {
  const byRaft = new Map(metaNodes(state).map((n) => [n.raftAddr, n]))
  const supervisorRunning = await supervisorAnswers(state)
  const nodes = await Promise.all(state.nodes.map(async (n): Promise<NodeStatus> => {
    const base = {
      name: n.name, kind: n.kind, pid: n.pid, httpAddr: n.httpAddr, raftAddr: n.kind === 'meta' ? n.raftAddr : null,
      rpcAddr: n.kind === 'data' ? n.rpcAddr : null, configPath: n.configPath, logPath: n.logPath,
    }
    const none = {leader: null, joined: null, peers: null}
    const proc = nodeProcess(n)
    if (proc === 'gone') return {...base, ...none, pid: null, role: 'down', state: 'down', exit: n.exit ?? null}
    if (proc === 'paused') return {...base, ...none, role: 'paused', state: 'paused', exit: null}
    try {
      if (n.kind === 'data') {
        const r = await http.get(`http://${n.httpAddr}/ping`, {timeoutMs})
        if (r.status !== 204) throw new Error(`GET /ping answered HTTP ${r.status}`)
        const [d, hh] = await Promise.all([dataNodeFacts(n.rpcAddr, timeoutMs), hintedHandoffBytes(http, n.httpAddr, adminAuthHeaders(state), timeoutMs)])
        return {
          ...base, ...none, role: 'data', state: 'up', exit: null, joined: d?.joined ?? null, nodeId: d?.nodeId ?? null, shards: d?.shards ?? null,
          points: d?.points ?? null, hintedHandoff: hh ?? null,
        }
      }
      const r = await http.get(`http://${n.httpAddr}/status`, {timeoutMs, headers: adminAuthHeaders(state), maxResponseBytes: 1024 * 1024})
      if (r.status !== 200) throw new Error(`HTTP ${r.status} ${r.text.trim().slice(0, 120)}`)
      const {checkMetaStatus} = await import('../../wire/schemas.js')
      const checked = await checkMetaStatus(jsonOf(r))
      if (!checked.ok) throw new Error(`unexpected /status body (${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`)
      const s = checked.status
      const joined = s.peers !== null && s.peers.includes(n.raftAddr)
      const role: NodeRole = s.leader === '' || s.peers === null ? 'un-joined' : s.leader === n.raftAddr ? 'leader' : 'follower'
      return {...base, role, state: 'up', leader: s.leader === '' ? null : byRaft.get(s.leader)?.name ?? s.leader, joined, peers: s.peers, exit: null}
    } catch (err) {
      return {...base, ...none, role: 'unreachable', state: 'up', exit: null, error: err instanceof Error ? err.message : String(err)}
    }
  }))
  let faults: FaultView[] = []
  let faultGeneration = 0
  let faultsError: string | undefined
  try {
    const table = await readFaults(state.dir)
    faults = table.faults.map(view)
    faultGeneration = table.generation
  } catch (err) {
    faultsError = err instanceof Error ? err.message : String(err)
  }
  const answering = nodes.filter((n) => n.kind === 'meta' && (n.role === 'leader' || n.role === 'follower' || n.role === 'un-joined'))
  const leaders = new Set(answering.map((n) => n.leader))
  const leaderName = leaders.size === 1 ? [...leaders][0] : null
  const leaderNode = leaderName === null ? undefined : metaNodes(state).find((n) => n.name === leaderName)
  const agreed = answering.length > 0 && leaderNode !== undefined && nodes.some((n) => n.name === leaderNode.name && n.role === 'leader')
  return {
    dir: state.dir,
    basePort: state.basePort,
    logFormat: state.logFormat,
    timeScale: state.timeScale ?? 1,
    auth: {enabled: state.auth !== null, username: state.auth?.username ?? null},
    joined: state.joined,
    supervisor: state.supervisor ? {pid: state.supervisor.pid, mode: state.supervisor.mode, address: state.supervisor.address, running: supervisorRunning} : null,
    leader: agreed && leaderNode ? {name: leaderNode.name, raftAddr: leaderNode.raftAddr, httpAddr: leaderNode.httpAddr} : null,
    agreed,
    nodes,
    summary: {
      nodes: nodes.length,
      up: nodes.filter((n) => n.state === 'up' && n.role !== 'unreachable').length,
      down: nodes.filter((n) => n.state === 'down').length,
      paused: nodes.filter((n) => n.state === 'paused').length,
    },
    faults,
    faultGeneration,
    ...(faultsError === undefined ? {} : {faultsError}),
  }
}

/** A data node's id, membership and shard totals, asked over its cluster RPC port; undefined when it does not answer. */
async function dataNodeFacts(rpcAddr: string, timeoutMs: number): Promise<{nodeId: number | null; joined: boolean; shards: number; points: number} | undefined> {
  const [{RpcClient}, {decodeMessage, encodeMessage, MsgType}] = await Promise.all([import('../node/rpc/client.js'), import('../node/rpc/frame.js')])
  const rpc = new RpcClient({maxConnections: 1, maxIdle: 0})
  try {
    const f = await rpc.call(rpcAddr, MsgType.ShardStatsRequest, encodeMessage({}), {timeoutMs})
    const {header} = decodeMessage<{code?: unknown; nodeId?: unknown; metaServers?: unknown; shards?: unknown}>(f.body)
    if (header.code !== 0 || !Array.isArray(header.shards)) return undefined
    const nodeId = typeof header.nodeId === 'number' && header.nodeId > 0 ? header.nodeId : null
    const points = header.shards.reduce((sum: number, s: unknown) => sum + (typeof (s as {points?: unknown}).points === 'number' ? (s as {points: number}).points : 0), 0)
    return {nodeId, joined: nodeId !== null && Array.isArray(header.metaServers) && header.metaServers.length > 0, shards: header.shards.length, points}
  } catch {
    return undefined
  } finally {
    rpc.close()
  }
}

/** 0 when every node is up and they agree on a leader, else 3. */
export function statusExitCode(s: ClusterStatus): ExitCodeValue {
  const allUp = s.nodes.every((n) => n.role === 'leader' || n.role === 'follower' || n.role === 'data')
  return allUp && s.agreed ? ExitCode.OK : ExitCode.PROBLEMS
}

export interface WatchOptions {
  intervalMs: number
  /** Deadline of each node's probe. */
  timeoutMs?: number
  signal: AbortSignal
}

/**
 * `medic dev status --watch`: the cluster's status every `intervalMs` (cluster.json re-read each round: pids change
 * when nodes are killed and started), until `signal` aborts. One HTTP client for all rounds.
 */
export async function* watchClusterStatus(clusterDir: string, options: WatchOptions): AsyncGenerator<ClusterStatus> {
  const http = createNodeHttpClient({userAgent: 'influx-medic'})
  try {
    while (!options.signal.aborted) {
      const started = Date.now()
      const status = await clusterStatus(await loadState(clusterDir), {timeoutMs: options.timeoutMs, http})
      if (options.signal.aborted) return
      yield status
      try {
        await sleep(Math.max(0, options.intervalMs - (Date.now() - started)), undefined, {signal: options.signal})
      } catch {
        return // aborted
      }
    }
  } finally {
    await http.close()
  }
}

/** What a change is, for one line per change: the leader and every node's role, state and leader. */
export function statusDigest(s: ClusterStatus): string {
  return JSON.stringify([s.leader?.name ?? null, s.agreed, s.nodes.map((n) => [n.name, n.role, n.state, n.leader, n.joined]), (s.faults ?? []).map((f) => f.text)])
}
