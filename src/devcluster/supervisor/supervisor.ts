/**
 * The dev-cluster supervisor: the one process that owns the node processes. It prepares the cluster folder
 * (prepareCluster: state file, ports, configs), starts every node as its own process, joins them the documented way
 * (add-meta of every node, meta-1 first, sent to meta-1), waits until they agree on a leader, and then only watches:
 * a node that dies stays dead (the failures are what operators rehearse) and its exit is recorded in cluster.json.
 *
 * Process model
 * - Each node gets stdin ignored, stdout+stderr appended to its log file, and fd 3 as a pipe from the supervisor:
 *   the lifeline. The node exits when fd 3 reaches EOF, so whatever way the supervisor ends (even SIGKILL) takes the
 *   nodes with it. Nodes run in their own process group, so a Ctrl-C in the terminal reaches only the supervisor,
 *   which then stops them in order.
 * - Stopping a node: SIGCONT (a paused node cannot act on anything else), SIGTERM, and SIGKILL after the grace period.
 * - `medic dev up` runs a Supervisor in its own process (foreground); `--detach` runs one in supervisor-main.ts.
 *   Either way a small control server on 127.0.0.1 (address and token in cluster.json) accepts start NODE, stop NODE
 *   and down from the other `medic dev` commands (control.ts is its client).
 *
 * Timing: nodes start in parallel and every wait polls every 20 ms, so a 3-node cluster has a leader about as soon
 * as the nodes can elect one. No wait is unbounded: each has a generous deadline and fails naming what it waited for.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes, timingSafeEqual} from 'node:crypto'
import {closeSync, openSync, readSync, statSync} from 'node:fs'
import {mkdir, readdir, rm} from 'node:fs/promises'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {ExitCode, inputError, MedicError, usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {writeMetaConfig} from '../cluster/configs/meta.js'
import {clusterAuthHeaders, post, serializeError, supervisorAnswers} from '../client/control.js'
import {createLogger, type LogFormat, type Logger} from '../node/logger.js'
import {dirFlag, metaNodeEntry, metaNodePaths, statePath, supervisorLogPath} from '../cluster/paths.js'
import {checkBasePort, checkPortsFree, DEFAULT_BASE_PORT, HOST, MAX_META_NODES, metaName, metaPorts, metaPortUses, nodeIndex} from '../cluster/ports.js'
import {
  type ClusterState, type DevAuth, type DevNode, findNode, type NodeExit, nodeProcess, nowIso, readState, STATE_VERSION,
  stopStrayNodes, updateState, writeState,
} from '../cluster/state.js'

export const DEFAULT_META_NODES = 3
export const DEFAULT_GRACE_MS = 5_000
const POLL_MS = 20
const START_DEADLINE_MS = 30_000
/** Lines of a failed node's log quoted in the error. */
const QUOTED_LINES = 10

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ── preparing the folder ────────────────────────────────────────────────────────────────────────────────────────

export interface UpOptions {
  clusterDir: string
  /** Number of meta nodes; default: the existing cluster's, else 3. */
  meta?: number
  basePort?: number
  logFormat?: LogFormat
  /** Turn auth on (a cluster that has it keeps it). */
  auth?: boolean
}

export interface Prepared {
  state: ClusterState
  /** True when the cluster is new (or its earlier start never finished joining) and will be joined. */
  fresh: boolean
  /** Things the command should tell the user (kept settings, cleaned leftovers). */
  notes: string[]
}

/**
 * Gets the cluster folder ready for a supervisor: creates or re-reads the state, refuses a folder that belongs to
 * something else or a cluster that already runs, checks that every port is free, and writes every node's config.
 * Nothing is started here.
 */
export async function prepareCluster(options: UpOptions): Promise<Prepared> {
  const dir = options.clusterDir
  const notes: string[] = []
  const existing = await readState(dir)
  if (existing && (await supervisorAnswers(existing))) {
    throw usageError(`a dev cluster already runs in ${dir} (supervisor pid ${existing.supervisor?.pid})`, 'cluster-running', [
      `see it: medic dev status${dirFlag(dir)}`,
      `stop it first: medic dev down${dirFlag(dir)}`,
      'or start another one beside it: medic dev up --dir <another folder> --base-port <another base>',
    ])
  }
  if (existing) {
    const reaped = await stopStrayNodes(existing, 0)
    if (reaped.length > 0) notes.push(`stopped ${reaped.join(', ')}, left running by a supervisor that is gone`)
  } else {
    await assertUsableFolder(dir)
  }

  const metaCount = options.meta ?? existing?.nodes.length ?? DEFAULT_META_NODES
  if (!Number.isInteger(metaCount) || metaCount < 1 || metaCount > MAX_META_NODES) {
    throw usageError(`--meta ${metaCount}: a dev cluster has 1 to ${MAX_META_NODES} meta nodes`, 'bad-meta-count', ['medic dev up --meta 3 (the recommended size), or --meta 1 for the quickest start'])
  }
  const basePort = options.basePort ?? existing?.basePort ?? DEFAULT_BASE_PORT
  checkBasePort(basePort, metaCount)
  const reuse = existing?.joined === true
  if (existing && reuse) {
    // A joined cluster's members are known to each other by their Raft addresses: its size and ports are fixed.
    if (metaCount !== existing.nodes.length) {
      throw usageError(`the dev cluster in ${dir} has ${existing.nodes.length} meta node${existing.nodes.length === 1 ? '' : 's'}; it cannot be restarted with --meta ${metaCount}`, 'cluster-shape-changed', [
        `restart it as it is: medic dev up${dirFlag(dir)}`,
        `or start afresh: medic dev down --purge${dirFlag(dir)}, then medic dev up --meta ${metaCount}${dirFlag(dir)}`,
      ])
    }
    if (basePort !== existing.basePort) {
      throw usageError(`the dev cluster in ${dir} uses base port ${existing.basePort}; its nodes know each other by those addresses, so it cannot move to --base-port ${basePort}`, 'cluster-shape-changed', [
        `restart it on its ports: medic dev up${dirFlag(dir)}`,
        `or start afresh elsewhere: medic dev up --dir <another folder> --base-port ${basePort}`,
      ])
    }
  }
  const logFormat = options.logFormat ?? existing?.logFormat ?? 'logfmt'
  let auth: DevAuth | null = existing?.auth ?? null
  if (auth && options.auth !== true && existing) notes.push('auth stays on: this cluster was created with --auth')
  if (!auth && options.auth) {
    auth = {
      sharedSecret: randomBytes(32).toString('base64url'),
      internalSharedSecret: randomBytes(32).toString('base64url'),
      username: 'admin',
      password: randomBytes(15).toString('base64url'),
      userCreated: false,
    }
  }

  const now = nowIso()
  const nodes: DevNode[] = []
  for (let k = 1; k <= metaCount; k++) {
    const name = metaName(k)
    const p = metaPorts(basePort, k)
    const paths = metaNodePaths(dir, name)
    const old = reuse ? existing?.nodes.find((n) => n.name === name) : undefined
    nodes.push({
      name, kind: 'meta', httpAddr: `${HOST}:${p.http}`, raftAddr: `${HOST}:${p.raft}`,
      dir: paths.dir, configPath: paths.configPath, logPath: paths.logPath,
      pid: null, startedAt: null, exit: old?.exit ?? null, paused: false, lastSignal: null,
    })
  }
  await checkPortsFree(metaPortUses(basePort, nodes.map((_, i) => i + 1)), {basePort, dirFlag: dirFlag(dir)})

  if (!reuse && existing) {
    // An earlier start that never finished joining: its Raft state is half-made. Start those nodes from scratch.
    for (const n of existing.nodes) await rm(metaNodePaths(dir, n.name).metaDir, {recursive: true, force: true})
    notes.push('the previous start never finished joining the nodes: starting them afresh')
  }
  for (const n of nodes) {
    const p = metaNodePaths(dir, n.name)
    await mkdir(p.metaDir, {recursive: true, mode: 0o700})
    const ports = metaPorts(basePort, nodeIndex(n.name) as number)
    await writeMetaConfig(n.configPath, {
      name: n.name, clusterDir: dir, hostname: HOST, metaDir: p.metaDir, raftPort: ports.raft, httpPort: ports.http, logFormat,
      auth: auth ? {sharedSecret: auth.sharedSecret, internalSharedSecret: auth.internalSharedSecret} : null,
    })
  }
  const state: ClusterState = {
    version: STATE_VERSION, createdAt: existing?.createdAt ?? now, updatedAt: now, dir, basePort, logFormat, auth,
    joined: reuse, supervisor: null, nodes,
  }
  await writeState(dir, state)
  return {state, fresh: !reuse, notes}
}

/** A new cluster goes into a folder that does not exist or is empty, never over someone's files. */
async function assertUsableFolder(dir: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR') throw usageError(`${dir} is a file, not a folder`, 'dir-not-a-folder', ['medic dev up --dir <a new or empty folder>'])
    throw inputError(`${dir}: cannot read the folder (${code})`, 'dir-unreadable', [], err)
  }
  const ours = new Set(['supervisor.log', 'cluster.json.lock'])
  const foreign = entries.filter((e) => !ours.has(e))
  if (foreign.length > 0) {
    throw usageError(`${dir} is not empty and holds no dev cluster (no cluster.json); medic will not write its cluster over ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}`, 'dir-not-empty', [
      'medic dev up --dir <a new or empty folder>',
    ])
  }
}

// ── the supervisor ──────────────────────────────────────────────────────────────────────────────────────────────

/** How to start one node: the default runs meta/main.js with `-config <path>`; tests substitute fixture scripts. */
export type NodeLauncher = (node: DevNode) => {command: string; args: string[]; env?: NodeJS.ProcessEnv}

export const defaultLauncher: NodeLauncher = (node) => {
  const entry = metaNodeEntry()
  return {command: entry.command, args: [...entry.args, '-config', node.configPath]}
}

export interface SupervisorOptions {
  clusterDir: string
  mode: 'foreground' | 'detached'
  launcher?: NodeLauncher
  /** SIGTERM to SIGKILL. */
  graceMs?: number
  /** Deadline of each start-up wait (a node's /ping, the join, the leader). */
  startTimeoutMs?: number
  /** Human progress lines during start-up. */
  onProgress?: (message: string) => void
  /** Called when a node process ends (any reason). */
  onNodeExit?: (name: string, exit: NodeExit) => void
}

export interface UpResult {
  dir: string
  statePath: string
  mode: 'foreground' | 'detached'
  /** True when the nodes were joined by this start. */
  fresh: boolean
  elapsedMs: number
  basePort: number
  logFormat: LogFormat
  leader: {name: string; httpAddr: string; raftAddr: string}
  nodes: DevNode[]
  /** The admin user's credentials when auth is on (the secrets stay in cluster.json). */
  auth: {username: string; password: string} | null
  supervisor: {pid: number; address: string; log: string}
}

interface Child {
  proc: ChildProcess
  pid: number
  /** Size of the log file when the process started: its own lines come after. */
  logOffset: number
  stopRequested: boolean
  exit: NodeExit | null
  exited: Promise<NodeExit>
}

type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'

export class Supervisor {
  readonly dir: string
  private state!: ClusterState
  private readonly children = new Map<string, Child>()
  /** Nodes with a start or stop in progress. */
  private readonly busyNodes = new Set<string>()
  private readonly graceMs: number
  private readonly startTimeoutMs: number
  private readonly launcher: NodeLauncher
  private phase: Phase = 'idle'
  private startupFailure: MedicError | undefined
  private server: Server | undefined
  private token = ''
  private address = ''
  private logFd: number | undefined
  private log!: Logger
  private shutdownPromise: Promise<void> | undefined
  private resolveDone!: () => void
  /** Resolves once the supervisor has stopped every node and closed its control server. */
  readonly done: Promise<void>

  constructor(private readonly options: SupervisorOptions) {
    this.dir = options.clusterDir
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS
    this.startTimeoutMs = options.startTimeoutMs ?? START_DEADLINE_MS
    this.launcher = options.launcher ?? defaultLauncher
    this.done = new Promise((r) => (this.resolveDone = r))
  }

  /** Loads the prepared state, opens supervisor.log and starts the control server (recorded in cluster.json). */
  async open(): Promise<void> {
    const state = await readState(this.dir)
    if (!state) throw inputError(`no dev cluster state in ${this.dir}`, 'cluster-not-found', [`medic dev up${dirFlag(this.dir)}`])
    this.state = state
    this.logFd = openSync(supervisorLogPath(this.dir), 'a', 0o600)
    // medic's own log: always logfmt (the --log-format choice imitates Enterprise's nodes, which this is not).
    this.log = createLogger({format: 'logfmt', fd: this.logFd}).child('medic-dev')
    this.token = randomBytes(24).toString('base64url')
    const server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, HOST, () => resolve())
    })
    this.server = server
    this.address = `${HOST}:${(server.address() as AddressInfo).port}`
    await this.update((s) => {
      s.supervisor = {pid: process.pid, mode: this.options.mode, address: this.address, token: this.token, startedAt: nowIso()}
    })
    this.log.info('Supervisor started', {pid: process.pid, mode: this.options.mode, control: this.address, dir: this.dir},
      `supervisor started: pid ${process.pid}, ${this.options.mode}, control ${this.address}`)
  }

  private async update(change: (s: ClusterState) => void): Promise<void> {
    const {state} = await updateState(this.dir, change)
    this.state = state
  }

  private progress(message: string): void {
    this.options.onProgress?.(message)
  }

  // ── start-up ──

  /** Starts every node, joins them if the cluster is new, and waits for an agreed leader. */
  async bringUp(): Promise<UpResult> {
    const started = performance.now()
    const fresh = !this.state.joined
    this.phase = 'starting'
    const names = this.state.nodes.map((n) => n.name)
    this.progress(`starting ${names.join(', ')}`)
    // The HTTP client and the /status schema load while the nodes boot, not after.
    const preload = Promise.all([import('../../probe/http.js'), import('../../wire/schemas.js').then((m) => m.loadSchemas())])
    await Promise.all(names.map((n) => this.spawnNode(n)))
    await preload
    const pings = names.map((n) => this.waitPing(n))
    for (const p of pings) p.catch(() => {}) // awaited below; a rejection must not go unhandled meanwhile
    if (!this.state.joined) {
      // Each add-meta goes out as soon as its node answers, while the later nodes are still booting.
      await this.join(pings)
      this.progress(`add-meta on ${names[0]} added ${names.join(', ')}, each as soon as it answered /ping`)
    } else {
      await Promise.all(pings)
      this.progress('every node answers /ping; the cluster was joined before')
    }
    await Promise.all(pings)
    const leader = await this.waitLeader()
    this.progress(`every node reports ${leader.name} (${leader.raftAddr}) as the leader`)
    if (this.state.auth && !this.state.auth.userCreated) await this.createAdmin()
    await this.update((s) => {
      s.joined = true
    })
    // Keep no idle connections to the nodes: a node that is stopped later should not wait for them.
    await (await import('../../probe/http.js')).closeHttp()
    this.throwIfStopping()
    this.phase = 'running'
    const elapsedMs = Math.round(performance.now() - started)
    this.log.info('Dev cluster ready', {nodes: names.length, leader: leader.raftAddr, elapsed_ms: elapsedMs},
      `dev cluster ready: ${names.length} meta nodes, leader ${leader.raftAddr}, ${elapsedMs} ms`)
    return this.result(leader, elapsedMs, fresh)
  }

  private result(leader: DevNode, elapsedMs: number, fresh: boolean): UpResult {
    const s = this.state
    return {
      dir: this.dir, statePath: statePath(this.dir), mode: this.options.mode, fresh, elapsedMs, basePort: s.basePort, logFormat: s.logFormat,
      leader: {name: leader.name, httpAddr: leader.httpAddr, raftAddr: leader.raftAddr},
      nodes: structuredClone(s.nodes),
      auth: s.auth ? {username: s.auth.username, password: s.auth.password} : null,
      supervisor: {pid: process.pid, address: this.address, log: supervisorLogPath(this.dir)},
    }
  }

  private throwIfStopping(): void {
    if (this.startupFailure) throw this.startupFailure
    if (this.phase === 'stopping' || this.phase === 'stopped') {
      throw new MedicError('start-up interrupted: the cluster is being stopped', {code: 'interrupted', exitCode: ExitCode.PROBLEMS})
    }
  }

  private node(name: string): DevNode {
    return findNode(this.state, name)
  }

  /** Spawns one node process (does not wait for it). */
  private async spawnNode(name: string): Promise<void> {
    const node = this.node(name)
    const launch = this.launcher(node)
    let logOffset = 0
    try {
      logOffset = statSync(node.logPath).size
    } catch {
      // a first start: no log yet
    }
    const logFd = openSync(node.logPath, 'a', 0o644)
    let proc: ChildProcess
    try {
      proc = spawn(launch.command, launch.args, {
        stdio: ['ignore', logFd, logFd, 'pipe'],
        env: {...process.env, ...launch.env, MEDIC_DEV_NODE: name},
        detached: true,
        cwd: node.dir,
      })
    } finally {
      closeSync(logFd)
    }
    // The lifeline: never written and never closed while the node runs; the kernel closes it when this process ends,
    // however it ends. It is read (nothing ever arrives) so that its end is noticed and the handle released.
    const lifeline = proc.stdio[3] as Socket | null
    lifeline?.on('error', () => {})
    lifeline?.resume()
    let resolveExit!: (e: NodeExit) => void
    const child: Child = {proc, pid: proc.pid ?? -1, logOffset, stopRequested: false, exit: null, exited: new Promise((r) => (resolveExit = r))}
    this.children.set(name, child)
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (child.exit) return
      const exit: NodeExit = {code, signal, at: nowIso(), requested: child.stopRequested}
      child.exit = exit
      this.log.log(child.stopRequested ? 'info' : 'warn', 'Node exited', {node: name, pid: child.pid, code: code ?? undefined, signal: signal ?? undefined, requested: child.stopRequested, error: error?.message},
        `${name} (pid ${child.pid}) exited: ${signal ?? `code ${code}`}${child.stopRequested ? ' (stopped by medic)' : ''}`)
      if (this.phase === 'starting' && !child.stopRequested && !this.startupFailure) this.startupFailure = this.startupError(name, child, error)
      void this.update((s) => {
        const n = s.nodes.find((x) => x.name === name)
        if (n && (n.pid === child.pid || n.pid === null)) {
          n.pid = null
          n.exit = exit
          n.paused = false
        }
      }).catch(() => {}).finally(() => {
        resolveExit(exit)
        this.options.onNodeExit?.(name, exit)
      })
    }
    proc.once('exit', (code, signal) => {
      lifeline?.destroy()
      onEnd(code, signal)
    })
    proc.once('error', (err) => onEnd(null, null, err))
    if (proc.pid === undefined) return // 'error' follows
    await this.update((s) => {
      const n = s.nodes.find((x) => x.name === name)
      if (n) Object.assign(n, {pid: proc.pid, startedAt: nowIso(), exit: null, paused: false, lastSignal: null})
    })
    this.log.info('Node started', {node: name, pid: proc.pid, config: node.configPath}, `${name} started: pid ${proc.pid}, config ${node.configPath}`)
  }

  /** The error for a node that died while the cluster was starting: its name, its exit and its last log lines. */
  private startupError(name: string, child: Child, error?: Error): MedicError {
    const node = this.node(name)
    const lines = tailLines(node.logPath, child.logOffset, QUOTED_LINES)
    const how = error ? `could not be started (${error.message})` : `exited during start-up (${child.exit?.signal ?? `exit code ${child.exit?.code}`})`
    const quoted = lines.length > 0 ? `; the last lines of ${node.logPath}:\n${lines.map((l) => `    ${l}`).join('\n')}` : `, and wrote nothing to ${node.logPath}`
    return new MedicError(`${name} ${how}${quoted}`, {
      code: 'node-failed', exitCode: ExitCode.PROBLEMS,
      suggestions: [
        `the whole log: medic dev logs ${name}${dirFlag(this.dir)}`,
        ...(lines.length > 0 ? [`what the last line means: medic explain ${shellQuote(lines[lines.length - 1])}`] : []),
        `check the generated config: medic config check ${shellQuote(node.configPath)}`,
      ],
    })
  }

  /** Waits until the node answers GET /ping with 200 (its API is up). */
  private async waitPing(name: string): Promise<void> {
    const {getRaw} = await import('../../probe/http.js')
    const node = this.node(name)
    const deadline = Date.now() + this.startTimeoutMs
    let last = ''
    for (;;) {
      this.throwIfStopping()
      const child = this.children.get(name)
      if (child?.exit) throw this.startupFailure ?? this.startupError(name, child)
      try {
        const r = await getRaw(`http://${node.httpAddr}/ping`, {timeoutMs: 1_000, maxRedirects: 0, what: `dev node ${name}`})
        if (r.status === 200) return
        last = `HTTP ${r.status}`
      } catch (err) {
        last = (err as Error).message
      }
      if (Date.now() > deadline) {
        throw new MedicError(`${name} did not answer GET /ping within ${this.startTimeoutMs / 1000} s (last: ${last})`, {
          code: 'node-not-ready', exitCode: ExitCode.PROBLEMS, suggestions: [`its log: medic dev logs ${name}${dirFlag(this.dir)}`],
        })
      }
      await sleep(POLL_MS)
    }
  }

  /**
   * add-meta of every node, in order, sent to the first node (it bootstraps itself first), following redirects.
   * `ready[i]` resolves once node i answers /ping; each add-meta waits for the first node and for its own node.
   */
  private async join(ready: Array<Promise<void>>): Promise<void> {
    const first = this.state.nodes[0]
    await ready[0]
    for (const [i, n] of this.state.nodes.entries()) {
      await ready[i]
      await this.addMeta(first, n)
    }
    this.log.info('Meta nodes added', {nodes: this.state.nodes.map((n) => n.name).join(',')}, `added meta nodes ${this.state.nodes.map((n) => n.httpAddr).join(', ')}`)
  }

  private async addMeta(via: DevNode, node: DevNode): Promise<void> {
    await this.postUntilDone(`http://${via.httpAddr}/add-meta`, `addr=${encodeURIComponent(node.httpAddr)}`, 'application/x-www-form-urlencoded', `add-meta ${node.httpAddr}`, 'join-failed')
  }

  /**
   * POSTs until the meta API accepts (2xx): 307/308 are followed to the leader, 503 (no leader yet, or a membership
   * change in flight) and refused connections are retried every poll. Anything else fails with `code`.
   */
  private async postUntilDone(url: string, body: string, type: string, what: string, code: string): Promise<string> {
    const deadline = Date.now() + this.startTimeoutMs
    let target = url
    let hops = 0
    let last = ''
    for (;;) {
      this.throwIfStopping()
      try {
        const r = await post(target, body, {'content-type': type, ...clusterAuthHeaders(this.state)}, 5_000)
        if (r.status >= 200 && r.status < 300) return r.text
        const location = r.headers.location
        if ((r.status === 307 || r.status === 308) && location !== undefined && hops < 5) {
          target = new URL(String(Array.isArray(location) ? location[0] : location), target).href
          hops++
          continue
        }
        if (r.status !== 503) {
          throw new MedicError(`${what}: ${target} answered HTTP ${r.status}${r.text.trim() ? ` ${r.text.trim().slice(0, 300)}` : ''}`, {
            code, exitCode: ExitCode.PROBLEMS, suggestions: [`the nodes' logs: medic dev logs meta-1${dirFlag(this.dir)}`],
          })
        }
        last = `HTTP 503 ${r.text.trim().slice(0, 120)}`
      } catch (err) {
        if (err instanceof MedicError) throw err
        last = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      }
      target = url
      hops = 0
      if (Date.now() > deadline) {
        throw new MedicError(`${what}: not accepted within ${this.startTimeoutMs / 1000} s (last answer: ${last})`, {
          code, exitCode: ExitCode.PROBLEMS, suggestions: [`the nodes' logs: medic dev logs meta-1${dirFlag(this.dir)}`],
        })
      }
      await sleep(POLL_MS)
    }
  }

  /** Polls every node's /status until all name the same leader and list every node among their peers. */
  private async waitLeader(): Promise<DevNode> {
    const {getRaw} = await import('../../probe/http.js')
    const {checkMetaStatus} = await import('../../wire/schemas.js')
    const deadline = Date.now() + this.startTimeoutMs
    const want = this.state.nodes.map((n) => n.raftAddr)
    let views: string[] = []
    for (;;) {
      this.throwIfStopping()
      for (const [name, child] of this.children) if (child.exit) throw this.startupFailure ?? this.startupError(name, child)
      const seen = await Promise.all(this.state.nodes.map(async (n) => {
        try {
          const r = await getRaw(`http://${n.httpAddr}/status`, {timeoutMs: 1_000, maxRedirects: 0, headers: clusterAuthHeaders(this.state)})
          if (r.status !== 200) return {n, view: `HTTP ${r.status}`}
          const c = await checkMetaStatus(JSON.parse(r.text))
          if (!c.ok) return {n, view: `an unexpected /status body (${c.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}): ${r.text.slice(0, 200)}`}
          return {n, leader: c.status.leader, peers: c.status.peers, view: `leader "${c.status.leader}", peers ${JSON.stringify(c.status.peers)}`}
        } catch (err) {
          return {n, view: (err as Error).message}
        }
      }))
      const leaders = new Set(seen.map((s) => s.leader))
      const leader = seen[0].leader
      if (leaders.size === 1 && leader && seen.every((s) => want.every((w) => s.peers?.includes(w)))) {
        const node = this.state.nodes.find((n) => n.raftAddr === leader)
        if (node) return node
      }
      views = seen.map((s) => `${s.n.name}: ${s.view}`)
      if (Date.now() > deadline) {
        throw new MedicError(`the nodes did not agree on a leader within ${this.startTimeoutMs / 1000} s (${views.join('; ')})`, {
          code: 'no-leader', exitCode: ExitCode.PROBLEMS, suggestions: [`what the nodes logged: medic dev logs meta-1${dirFlag(this.dir)}`, `medic logs summarize ${this.state.nodes.map((n) => shellQuote(n.logPath)).join(' ')}`],
        })
      }
      await sleep(POLL_MS)
    }
  }

  /** Creates the admin user (allowed while no user exists) with the password generated for this cluster. */
  private async createAdmin(): Promise<void> {
    const auth = this.state.auth as DevAuth
    const body = JSON.stringify({action: 'create', user: {name: auth.username, password: auth.password, admin: true}})
    try {
      await this.postUntilDone(`http://${this.state.nodes[0].httpAddr}/user`, body, 'application/json', `creating the user ${auth.username}`, 'admin-user-failed')
    } catch (err) {
      // A user left by an earlier start is fine: its password is the one in cluster.json.
      if (!(err instanceof MedicError && /exist/i.test(err.message))) throw err
    }
    await this.waitUserEverywhere(auth)
    await this.update((s) => {
      if (s.auth) s.auth.userCreated = true
    })
    this.log.info('Admin user created', {user: auth.username}, `created the admin user ${auth.username}`)
  }

  /**
   * Waits until every node accepts the admin's Basic credentials. The user is committed once the leader answers, but a
   * follower checks Basic auth against its own copy of the meta store, which learns of the commit a heartbeat later:
   * the banner must not hand out a login that a follower still refuses.
   */
  private async waitUserEverywhere(auth: DevAuth): Promise<void> {
    const {getRaw} = await import('../../probe/http.js')
    const deadline = Date.now() + this.startTimeoutMs
    const basic = {type: 'basic' as const, username: auth.username, password: auth.password}
    const pending = new Set(this.state.nodes)
    for (;;) {
      this.throwIfStopping()
      await Promise.all([...pending].map(async (n) => {
        try {
          const r = await getRaw(`http://${n.httpAddr}/status`, {timeoutMs: 1_000, maxRedirects: 0, auth: basic})
          if (r.status === 200) pending.delete(n)
        } catch {
          // not yet: retried below
        }
      }))
      if (pending.size === 0) return
      if (Date.now() > deadline) {
        throw new MedicError(`${[...pending].map((n) => n.name).join(', ')} did not accept the admin user within ${this.startTimeoutMs / 1000} s`, {
          code: 'admin-user-failed', exitCode: ExitCode.PROBLEMS, suggestions: [`what the nodes logged: medic dev logs ${[...pending][0]!.name}${dirFlag(this.dir)}`],
        })
      }
      await sleep(POLL_MS)
    }
  }

  // ── operations after start-up ──

  /** Runs one start or stop of `name` at a time: a second command on the same node meanwhile is refused. */
  private async exclusive<T>(name: string, op: () => Promise<T>): Promise<T> {
    this.node(name)
    if (this.busyNodes.has(name)) {
      throw inputError(`${name} is being started or stopped by another command; try again in a moment`, 'node-busy', [`medic dev status${dirFlag(this.dir)}`])
    }
    this.busyNodes.add(name)
    try {
      return await op()
    } finally {
      this.busyNodes.delete(name)
    }
  }

  /** Starts a stopped node again (dev start): its ports must be free; resolves once it answers /ping. */
  startNode(name: string): Promise<{node: DevNode; alreadyRunning: boolean}> {
    return this.exclusive(name, () => this.doStartNode(name))
  }

  private async doStartNode(name: string): Promise<{node: DevNode; alreadyRunning: boolean}> {
    if (this.phase !== 'running') throw busy(this.phase)
    const current = this.children.get(name)
    if (current && !current.exit) return {node: structuredClone(this.node(name)), alreadyRunning: true}
    const k = nodeIndex(name) as number
    await checkPortsFree(metaPortUses(this.state.basePort, [k]), {basePort: this.state.basePort, dirFlag: dirFlag(this.dir)})
    await this.spawnNode(name)
    const child = this.children.get(name) as Child
    const {getRaw} = await import('../../probe/http.js')
    const node = this.node(name)
    const deadline = Date.now() + this.startTimeoutMs
    for (;;) {
      if (child.exit) throw this.startupError(name, child)
      try {
        const r = await getRaw(`http://${node.httpAddr}/ping`, {timeoutMs: 1_000, maxRedirects: 0})
        if (r.status === 200) break
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new MedicError(`${name} did not answer GET /ping within ${this.startTimeoutMs / 1000} s`, {code: 'node-not-ready', exitCode: ExitCode.PROBLEMS, suggestions: [`medic dev logs ${name}${dirFlag(this.dir)}`]})
      }
      await sleep(POLL_MS)
    }
    await (await import('../../probe/http.js')).closeHttp()
    return {node: structuredClone(this.node(name)), alreadyRunning: false}
  }

  /** Stops one node: SIGCONT, SIGTERM, SIGKILL after the grace period. Resolves with how it ended. */
  stopNode(name: string, graceMs = this.graceMs): Promise<{node: DevNode; exit: NodeExit | null; alreadyStopped: boolean}> {
    return this.exclusive(name, () => this.doStopNode(name, graceMs))
  }

  private async doStopNode(name: string, graceMs: number): Promise<{node: DevNode; exit: NodeExit | null; alreadyStopped: boolean}> {
    const child = this.children.get(name)
    if (!child || child.exit) return {node: structuredClone(this.node(name)), exit: this.node(name).exit, alreadyStopped: true}
    const exit = await this.terminate(name, child, graceMs)
    return {node: structuredClone(this.node(name)), exit, alreadyStopped: false}
  }

  private async terminate(name: string, child: Child, graceMs: number): Promise<NodeExit> {
    if (child.exit) return child.exit
    child.stopRequested = true
    this.log.info('Stopping node', {node: name, pid: child.pid, grace_ms: graceMs}, `stopping ${name} (pid ${child.pid}): SIGTERM, SIGKILL after ${graceMs} ms`)
    sendSignal(child, 'SIGCONT')
    sendSignal(child, 'SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      child.exited.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ])
    clearTimeout(timer)
    if (timedOut) {
      this.log.warn('Node ignored SIGTERM, killing it', {node: name, pid: child.pid, grace_ms: graceMs}, `${name} (pid ${child.pid}) still runs ${graceMs} ms after SIGTERM: SIGKILL`)
      sendSignal(child, 'SIGKILL')
    }
    return child.exited
  }

  /**
   * Stops every node (in parallel), closes the control server and clears the supervisor from cluster.json.
   * Safe to call more than once; resolves when done.
   */
  shutdown(reason: string, graceMs = this.graceMs): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.phase = 'stopping'
      this.log?.info('Stopping the dev cluster', {reason}, `stopping the dev cluster: ${reason}`)
      const {closeHttp} = await import('../../probe/http.js')
      await closeHttp()
      await Promise.all([...this.children].map(([name, child]) => this.terminate(name, child, graceMs)))
      await new Promise<void>((r) => {
        const server = this.server
        if (!server) return r()
        // Answers in flight (the reply to "down" itself) still go out; idle keep-alive sockets are dropped.
        server.close(() => r())
        server.closeIdleConnections()
        setTimeout(() => server.closeAllConnections(), 2_000).unref()
      })
      try {
        await this.update((s) => {
          if (s.supervisor?.pid === process.pid) s.supervisor = null
          for (const n of s.nodes) if (n.pid !== null && nodeProcess(n) === 'gone') n.pid = null
        })
      } catch {
        // the folder may have been purged meanwhile
      }
      await closeHttp()
      this.log?.info('Supervisor stopped', {pid: process.pid}, `supervisor stopped: pid ${process.pid}`)
      if (this.logFd !== undefined) closeSync(this.logFd)
      this.logFd = undefined
      this.phase = 'stopped'
      this.resolveDone()
    })()
    return this.shutdownPromise
  }

  /** Names of the nodes whose processes are running now. */
  running(): string[] {
    return [...this.children].filter(([, c]) => !c.exit).map(([n]) => n)
  }

  // ── the control server ──

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, doc: object) => {
      const text = JSON.stringify(doc)
      res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
      res.end(text)
    }
    const fail = (err: unknown) => {
      const e = serializeError(err)
      send(e.exitCode === ExitCode.INTERNAL ? 500 : 400, {error: e})
    }
    const given = Buffer.from(String(req.headers.authorization ?? ''))
    const expected = Buffer.from(`Bearer ${this.token}`)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      send(401, {error: {code: 'unauthorized', message: 'missing or wrong control token', exitCode: ExitCode.USAGE, suggestions: []}})
      return
    }
    let body: {node?: string; graceMs?: number} = {}
    try {
      const chunks: Buffer[] = []
      let size = 0
      for await (const c of req) {
        size += (c as Buffer).length
        if (size > 64 * 1024) throw new Error('body too large')
        chunks.push(c as Buffer)
      }
      const text = Buffer.concat(chunks).toString('utf8')
      body = text.trim() === '' ? {} : JSON.parse(text)
    } catch (err) {
      send(400, {error: {code: 'bad-request', message: `bad control request: ${(err as Error).message}`, exitCode: ExitCode.USAGE, suggestions: []}})
      return
    }
    const op = (req.url ?? '').replace(/^\//, '').replace(/\?.*$/, '')
    const grace = typeof body.graceMs === 'number' && body.graceMs >= 0 ? body.graceMs : this.graceMs
    try {
      switch (op) {
        case 'ping':
          send(200, {pid: process.pid, mode: this.options.mode, phase: this.phase, running: this.running()})
          return
        case 'start':
          send(200, await this.startNode(String(body.node)))
          return
        case 'stop':
          send(200, await this.stopNode(String(body.node), grace))
          return
        case 'down': {
          const before = new Map([...this.children].map(([n, c]) => [n, c.exit]))
          void this.shutdown('medic dev down', grace)
          await Promise.all([...this.children.values()].map((c) => c.exited))
          send(200, {stopped: [...this.children].filter(([n]) => !before.get(n)).map(([n, c]) => ({name: n, exit: c.exit}))})
          return
        }
        default:
          send(404, {error: {code: 'unknown-operation', message: `unknown control operation "${op}"`, exitCode: ExitCode.USAGE, suggestions: []}})
      }
    } catch (err) {
      fail(err)
    }
  }
}

function busy(phase: Phase): MedicError {
  return phase === 'starting'
    ? inputError('the dev cluster is still starting; try again in a moment', 'cluster-starting', ['medic dev status'])
    : inputError('the dev cluster is stopping', 'cluster-stopping', ['medic dev up, once it has stopped'])
}

function sendSignal(child: Child, signal: NodeJS.Signals): void {
  if (child.exit) return
  try {
    child.proc.kill(signal)
  } catch {
    // already gone
  }
}

/** The last `count` non-empty lines written to `path` after byte `offset` (at most 64 KiB are read). */
export function tailLines(path: string, offset: number, count: number): string[] {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const size = statSync(path).size
    const start = Math.max(offset, size - 64 * 1024)
    const buf = Buffer.alloc(Math.max(0, size - start))
    readSync(fd, buf, 0, buf.length, start)
    return buf.toString('utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').slice(-count)
  } catch {
    return []
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
