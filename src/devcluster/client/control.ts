/**
 * Talking to a running dev cluster from another process: the supervisor's control server (start NODE, stop NODE,
 * down), starting a detached supervisor and waiting for its verdict, and probing the nodes for `medic dev status`.
 *
 * The control server listens on 127.0.0.1 on a port the kernel picked; cluster.json records its address and a random
 * token that every request must carry as `Authorization: Bearer <token>`, so that only someone who can read the state
 * file (mode 0600) can drive the cluster. Errors come back as {"error": {code, message, exitCode, suggestions}} and are
 * turned into the same MedicError here, so a command run against a detached supervisor exits exactly as it would
 * in-process.
 *
 * POSTs (the control server, and the meta API's add-meta and /user during start-up) use node:http without keep-alive:
 * they are a handful of loopback calls, and src/probe/http.ts is GET-only. The node probes use src/probe/http.ts.
 */
import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'
import {request as httpRequest} from 'node:http'

import {ExitCode, type ExitCodeValue, inputError, MedicError} from '../../errors.js'
import {signJwt} from '../../probe/auth.js'
import {dirFlag, supervisorEntry, supervisorLogPath} from '../cluster/paths.js'
import {type ClusterState, type DevNode, type NodeExit, nodeProcess, pidAlive} from '../cluster/state.js'

// ── a small POST client ─────────────────────────────────────────────────────────────────────────────────────────

export interface PostResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** POST `body` to an http:// URL; network failures reject with the Node.js error (code ECONNREFUSED, ...). */
export function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: {'content-length': String(Buffer.byteLength(body)), 'user-agent': 'influx-medic', ...headers},
      signal: AbortSignal.timeout(timeoutMs),
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The Authorization header for a dev cluster with auth: a fresh HS512 JWT for `admin`, signed with shared-secret. */
export function clusterAuthHeaders(state: Pick<ClusterState, 'auth'>): Record<string, string> {
  if (!state.auth) return {}
  return {authorization: `Bearer ${signJwt(state.auth.username, state.auth.sharedSecret)}`}
}

// ── the control server's client ─────────────────────────────────────────────────────────────────────────────────

/** What a control call answers on success. */
export interface ControlNodeResult {
  node: DevNode
  exit?: NodeExit | null
}

export interface ControlDownResult {
  stopped: Array<{name: string; exit: NodeExit | null}>
}

export interface SerializedError {
  code: string
  message: string
  exitCode: ExitCodeValue
  suggestions: string[]
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof MedicError) return {code: err.code, message: err.message, exitCode: err.exitCode, suggestions: err.suggestions}
  return {code: 'internal', message: (err as Error)?.message ?? String(err), exitCode: ExitCode.INTERNAL, suggestions: []}
}

export function deserializeError(e: SerializedError): MedicError {
  return new MedicError(e.message, {code: e.code, exitCode: e.exitCode, suggestions: e.suggestions})
}

function notRunning(state: ClusterState): MedicError {
  return inputError(`the dev cluster in ${state.dir} is not running (no supervisor answers)`, 'supervisor-not-running', [
    `start it: medic dev up${dirFlag(state.dir)}`,
  ])
}

/** Calls the supervisor's control server; `op` is start, stop, down or ping. */
export async function control<T>(state: ClusterState, op: 'start' | 'stop' | 'down' | 'ping', body: object = {}, timeoutMs = 60_000): Promise<T> {
  const sup = state.supervisor
  if (!sup || !pidAlive(sup.pid)) throw notRunning(state)
  let res: PostResponse
  try {
    res = await post(`http://${sup.address}/${op}`, JSON.stringify(body), {'content-type': 'application/json', authorization: `Bearer ${sup.token}`}, timeoutMs)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') throw notRunning(state)
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
      throw inputError(`the supervisor (pid ${sup.pid}) did not answer "${op}" within ${Math.round(timeoutMs / 1000)} s`, 'supervisor-timeout', [
        `its log: medic dev logs supervisor${dirFlag(state.dir)}`,
      ], err)
    }
    throw inputError(`cannot reach the supervisor at ${sup.address} (${code ?? (err as Error).message})`, 'supervisor-unreachable', [], err)
  }
  let doc: {error?: SerializedError} & Record<string, unknown>
  try {
    doc = JSON.parse(res.text)
  } catch {
    throw inputError(`the supervisor at ${sup.address} answered ${res.status} with something that is not JSON`, 'supervisor-bad-answer', [
      'another program may have taken its port: medic dev status',
    ])
  }
  if (res.status !== 200) {
    if (doc.error) throw deserializeError(doc.error)
    throw inputError(`the supervisor answered ${res.status}`, 'supervisor-bad-answer', [])
  }
  return doc as T
}

/** True when the recorded supervisor is alive and answers its control server. */
export async function supervisorAnswers(state: ClusterState): Promise<boolean> {
  if (!state.supervisor || !pidAlive(state.supervisor.pid)) return false
  try {
    await control(state, 'ping', {}, 2_000)
    return true
  } catch {
    return false
  }
}

// ── the detached supervisor ─────────────────────────────────────────────────────────────────────────────────────

/** What supervisor-main reports to the `medic dev up --detach` that started it, over the IPC channel. */
export type SupervisorReport =
  | {type: 'progress'; message: string}
  | {type: 'ready'; result: unknown}
  | {type: 'failed'; error: SerializedError}

export interface DetachOptions {
  clusterDir: string
  /** Passed to supervisor-main as --grace-ms. */
  graceMs?: number
  /** Progress lines while waiting (the command prints them on stderr). */
  onProgress?: (message: string) => void
  /** Gives up (and tells the supervisor to stop) after this long; default 60 s. */
  timeoutMs?: number
}

/**
 * Starts supervisor-main in its own session (it outlives this process), its output appended to supervisor.log, and
 * waits for it to report the cluster ready (resolves with its result) or failed (rejects with its error). The IPC
 * channel is then closed, so nothing ties this process to it any more.
 */
export async function startDetachedSupervisor<T>(options: DetachOptions): Promise<T> {
  const entry = supervisorEntry()
  const logPath = supervisorLogPath(options.clusterDir)
  const logFd = openSync(logPath, 'a', 0o600)
  const args = [...entry.args, '--dir', options.clusterDir]
  if (options.graceMs !== undefined) args.push('--grace-ms', String(options.graceMs))
  let child
  try {
    child = spawn(entry.command, args, {detached: true, stdio: ['ignore', logFd, logFd, 'ipc'], env: process.env})
  } finally {
    closeSync(logFd)
  }
  const timeoutMs = options.timeoutMs ?? 60_000
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
      if (child.connected) child.disconnect()
      child.unref()
    }
    const timer = setTimeout(() => finish(() => {
      child.kill('SIGTERM')
      reject(inputError(`the dev cluster was not ready within ${Math.round(timeoutMs / 1000)} s; the supervisor was told to stop`, 'startup-timeout', [
        `its log: ${logPath}`,
      ]))
    }), timeoutMs)
    child.on('message', (m: SupervisorReport) => {
      if (m.type === 'progress') options.onProgress?.(m.message)
      else if (m.type === 'ready') finish(() => resolve(m.result as T))
      else if (m.type === 'failed') finish(() => reject(deserializeError(m.error)))
    })
    child.on('error', (err) => finish(() => reject(inputError(`cannot start the supervisor: ${err.message}`, 'supervisor-spawn-failed', [], err))))
    child.on('exit', (code, signal) => finish(() => reject(inputError(
      `the supervisor exited before the cluster was ready (${signal ?? `exit code ${code}`})`, 'supervisor-died', [`its log: ${logPath}`]))))
  })
}

// ── status ──────────────────────────────────────────────────────────────────────────────────────────────────────

export type NodeRole = 'leader' | 'follower' | 'un-joined' | 'down' | 'paused' | 'unreachable'

export interface NodeStatus {
  name: string
  kind: 'meta'
  role: NodeRole
  /** up: the process runs and its API answers; paused: stopped by SIGSTOP; down: no process. */
  state: 'up' | 'down' | 'paused'
  pid: number | null
  httpAddr: string
  raftAddr: string
  /** The leader this node reports: a node name when it is one of ours, else the Raft address; null when unknown. */
  leader: string | null
  joined: boolean | null
  peers: string[] | null
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
  auth: {enabled: boolean; username: string | null}
  joined: boolean
  supervisor: {pid: number; mode: string; address: string; running: boolean} | null
  /** The leader every up node agrees on, or null. */
  leader: {name: string; raftAddr: string; httpAddr: string} | null
  agreed: boolean
  nodes: NodeStatus[]
  summary: {nodes: number; up: number; down: number; paused: number}
}

/** Probes every node concurrently (its pid, then GET /status within `timeoutMs`); secrets never appear. */
export async function clusterStatus(state: ClusterState, options: {timeoutMs?: number} = {}): Promise<ClusterStatus> {
  const {getRaw} = await import('../../probe/http.js')
  const {checkMetaStatus} = await import('../../wire/schemas.js')
  const byRaft = new Map(state.nodes.map((n) => [n.raftAddr, n]))
  const timeoutMs = options.timeoutMs ?? 1_500
  const supervisorRunning = await supervisorAnswers(state)
  const nodes = await Promise.all(state.nodes.map(async (n): Promise<NodeStatus> => {
    const base = {name: n.name, kind: n.kind, pid: n.pid, httpAddr: n.httpAddr, raftAddr: n.raftAddr, configPath: n.configPath, logPath: n.logPath}
    const proc = nodeProcess(n)
    if (proc === 'gone') {
      return {...base, pid: null, role: 'down', state: 'down', leader: null, joined: null, peers: null, exit: n.exit ?? null}
    }
    if (proc === 'paused') return {...base, role: 'paused', state: 'paused', leader: null, joined: null, peers: null, exit: null}
    try {
      const raw = await getRaw(`http://${n.httpAddr}/status`, {timeoutMs, maxRedirects: 0, what: `dev node ${n.name}`, headers: clusterAuthHeaders(state)})
      if (raw.status !== 200) throw new Error(`HTTP ${raw.status} ${raw.text.trim().slice(0, 120)}`)
      const checked = await checkMetaStatus(JSON.parse(raw.text))
      if (!checked.ok) throw new Error(`unexpected /status body (${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`)
      const s = checked.status
      const joined = s.peers !== null && s.peers.includes(n.raftAddr)
      const role: NodeRole = s.leader === '' || s.peers === null ? 'un-joined' : s.leader === n.raftAddr ? 'leader' : 'follower'
      return {...base, role, state: 'up', leader: s.leader === '' ? null : byRaft.get(s.leader)?.name ?? s.leader, joined, peers: s.peers, exit: null}
    } catch (err) {
      return {...base, role: 'unreachable', state: 'up', leader: null, joined: null, peers: null, exit: null, error: (err as Error).message}
    }
  }))
  const answering = nodes.filter((n) => n.role === 'leader' || n.role === 'follower' || n.role === 'un-joined')
  const leaders = new Set(answering.map((n) => n.leader))
  const leaderName = leaders.size === 1 ? [...leaders][0] : null
  const leaderNode = leaderName === null ? undefined : state.nodes.find((n) => n.name === leaderName)
  const agreed = answering.length > 0 && leaderNode !== undefined && nodes.some((n) => n.name === leaderNode.name && n.role === 'leader')
  return {
    dir: state.dir,
    basePort: state.basePort,
    logFormat: state.logFormat,
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
  }
}

/** 0 when every node is up and they agree on a leader, else 3. */
export function statusExitCode(s: ClusterStatus): ExitCodeValue {
  const allUp = s.nodes.every((n) => n.role === 'leader' || n.role === 'follower')
  return allUp && s.agreed ? ExitCode.OK : ExitCode.PROBLEMS
}

// ── down ────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface DownResult {
  dir: string
  /** True when a supervisor was running and was told to stop. */
  wasRunning: boolean
  supervisorPid: number | null
  /** Nodes the supervisor stopped, with how each ended. */
  stopped: Array<{name: string; exit: NodeExit | null}>
  /** Nodes found running without a supervisor, and stopped here. */
  strays: string[]
  purged: boolean
  /** Files medic did not create, left in the folder by --purge. */
  leftBehind: string[]
}

/**
 * Stops the cluster in `clusterDir`: asks its supervisor to go down (every node gets SIGTERM, then SIGKILL after
 * `graceMs`), waits for the supervisor to exit, stops any node process that outlived it, and with `purge` deletes
 * what medic created in the folder (never anything else). Fails with cluster-not-found (exit 4) without a state file.
 */
export async function downCluster(clusterDir: string, options: {purge?: boolean; graceMs?: number} = {}): Promise<DownResult> {
  const {loadState, readState, stopStrayNodes, updateState} = await import('../cluster/state.js')
  const graceMs = options.graceMs ?? 5_000
  const state = await loadState(clusterDir)
  const result: DownResult = {dir: clusterDir, wasRunning: false, supervisorPid: null, stopped: [], strays: [], purged: false, leftBehind: []}
  if (await supervisorAnswers(state)) {
    const sup = state.supervisor as NonNullable<ClusterState['supervisor']>
    result.wasRunning = true
    result.supervisorPid = sup.pid
    const r = await control<ControlDownResult>(state, 'down', {graceMs}, graceMs + 30_000)
    result.stopped = r.stopped
    // It exits once its answer is out; one that hangs is stopped like a node would be.
    if (!(await waitGone(sup.pid, 10_000))) {
      signalPid(sup.pid, 'SIGTERM')
      if (!(await waitGone(sup.pid, 5_000))) signalPid(sup.pid, 'SIGKILL')
    }
  }
  result.strays = await stopStrayNodes((await readState(clusterDir)) ?? state, graceMs)
  try {
    await updateState(clusterDir, (s) => {
      if (s.supervisor && !pidAlive(s.supervisor.pid)) s.supervisor = null
      for (const n of s.nodes) {
        if (nodeProcess(n) === 'gone') {
          n.pid = null
          n.paused = false
        }
      }
    })
  } catch {
    // nothing to record
  }
  if (options.purge) {
    const p = await purgeCluster(clusterDir, state)
    result.purged = true
    result.leftBehind = p.leftBehind
  }
  return result
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 20))
  }
  return true
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // gone
  }
}

/** Deletes what medic created in the cluster folder, then the folder if nothing else is left in it. */
async function purgeCluster(clusterDir: string, state: ClusterState): Promise<{leftBehind: string[]}> {
  const {readdir, rm, rmdir} = await import('node:fs/promises')
  const {join, relative, isAbsolute} = await import('node:path')
  const {STATE_FILE, SUPERVISOR_LOG} = await import('../cluster/paths.js')
  const inside = (p: string) => {
    const r = relative(clusterDir, p)
    return r !== '' && !r.startsWith('..') && !isAbsolute(r)
  }
  for (const n of state.nodes) if (inside(n.dir)) await rm(n.dir, {recursive: true, force: true})
  for (const f of [SUPERVISOR_LOG, `${STATE_FILE}.lock`, STATE_FILE]) await rm(join(clusterDir, f), {force: true})
  try {
    // Temporary state files of a write that was interrupted are medic's too.
    for (const f of await readdir(clusterDir)) if (f.startsWith(`${STATE_FILE}.`) && f.endsWith('.tmp')) await rm(join(clusterDir, f), {force: true})
    const left = await readdir(clusterDir)
    if (left.length === 0) await rmdir(clusterDir)
    return {leftBehind: left}
  } catch {
    return {leftBehind: []}
  }
}

// ── faults sent directly: kill, pause, resume ───────────────────────────────────────────────────────────────────

export type SignalAction = 'kill' | 'pause' | 'resume'

const ACTION_SIGNAL: Record<SignalAction, NodeJS.Signals> = {kill: 'SIGKILL', pause: 'SIGSTOP', resume: 'SIGCONT'}

export interface SignalResult {
  node: string
  action: SignalAction
  signal: NodeJS.Signals
  pid: number | null
  /** False when there was nothing to do (already down, already paused, not paused). */
  changed: boolean
  /** The node's condition afterwards. */
  state: 'down' | 'paused' | 'up'
}

/**
 * Signals a node's process directly, the way an operator's fault would hit it (SIGKILL, SIGSTOP, SIGCONT), records
 * it in cluster.json, and waits until the process shows the effect (gone, or paused, or running).
 */
export async function signalDevNode(clusterDir: string, name: string, action: SignalAction): Promise<SignalResult> {
  const {findNode, loadState, nowIso, signalNode, updateState} = await import('../cluster/state.js')
  const state = await loadState(clusterDir)
  const node = findNode(state, name)
  const signal = ACTION_SIGNAL[action]
  const before = nodeProcess(node)
  const base = {node: name, action, signal, pid: node.pid}
  if (before === 'gone') return {...base, pid: null, changed: false, state: 'down'}
  if ((action === 'pause' && before === 'paused') || (action === 'resume' && before === 'running')) {
    return {...base, changed: false, state: before === 'paused' ? 'paused' : 'up'}
  }
  if (!signalNode(node, signal)) return {...base, pid: null, changed: false, state: 'down'}
  const want = action === 'kill' ? 'gone' : action === 'pause' ? 'paused' : 'running'
  const deadline = Date.now() + 5_000
  while (nodeProcess(node) !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  await updateState(clusterDir, (s) => {
    const n = s.nodes.find((x) => x.name === name)
    if (!n) return
    n.lastSignal = {signal, at: nowIso()}
    if (action !== 'kill') n.paused = action === 'pause'
  })
  const after = nodeProcess(node)
  return {...base, changed: true, state: after === 'gone' ? 'down' : after === 'paused' ? 'paused' : 'up'}
}

// ── logs ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The log file of a node, or of the supervisor for the name "supervisor". */
export async function logPathOf(state: ClusterState, name: string): Promise<string> {
  if (name === 'supervisor') return supervisorLogPath(state.dir)
  const {findNode} = await import('../cluster/state.js')
  try {
    return findNode(state, name).logPath
  } catch (err) {
    if (err instanceof MedicError) err.suggestions.push('or "supervisor" for the supervisor\'s own log')
    throw err
  }
}

/** The last `count` lines of a log (all of it when count is undefined) and the file's size (where following starts). */
export async function readLogTail(path: string, count?: number): Promise<{lines: string[]; size: number}> {
  const {readFile} = await import('node:fs/promises')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {lines: [], size: 0}
    throw inputError(`${path}: cannot read the log (${(err as Error).message})`, 'log-unreadable', [], err)
  }
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return {lines: count === undefined ? lines : lines.slice(Math.max(0, lines.length - count)), size: Buffer.byteLength(text)}
}

/**
 * Writes what is appended to `path` from byte `from` on, until `signal` aborts or the file is deleted (dev down
 * --purge). Polls every 100 ms: log files of a dev cluster grow slowly, and polling survives the file being recreated.
 */
export async function followLog(path: string, from: number, write: (chunk: string) => void, signal: AbortSignal): Promise<'aborted' | 'deleted'> {
  const {open, stat} = await import('node:fs/promises')
  const {StringDecoder} = await import('node:string_decoder')
  const decoder = new StringDecoder('utf8')
  let pos = from
  while (!signal.aborted) {
    let size: number
    try {
      size = (await stat(path)).size
    } catch {
      return 'deleted'
    }
    if (size < pos) pos = 0 // truncated: start again from the top
    if (size > pos) {
      const fh = await open(path, 'r')
      try {
        const buf = Buffer.alloc(Math.min(size - pos, 1 << 20))
        const {bytesRead} = await fh.read(buf, 0, buf.length, pos)
        pos += bytesRead
        write(decoder.write(buf.subarray(0, bytesRead)))
      } finally {
        await fh.close()
      }
      continue
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 100)
      signal.addEventListener('abort', () => {
        clearTimeout(t)
        resolve()
      }, {once: true})
    })
  }
  return 'aborted'
}
