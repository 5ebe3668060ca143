/**
 * The dev-cluster supervisor: the one process that owns the node processes. It starts every node of a prepared
 * folder (prepare.ts) as its own process, brings them together the documented way (bootstrap.ts), and then only
 * watches: a node that dies stays dead (the failures are what operators rehearse) and its exit is recorded in
 * cluster.json. Its control server (control-server.ts) takes start NODE, stop NODE and down from the other
 * `medic dev` commands.
 *
 * Process model
 * - Each node gets stdin ignored, stdout+stderr appended to its log file, and fd 3 as a pipe from the supervisor:
 *   the lifeline. The node exits when fd 3 reaches EOF, so whatever way the supervisor ends (even SIGKILL) takes the
 *   nodes with it. Nodes run in their own process group, so a Ctrl-C in the terminal reaches only the supervisor,
 *   which then stops them in order.
 * - Stopping a node is the one stop sequence of cluster/processes.ts: SIGCONT, SIGTERM, SIGKILL after the grace period.
 * - `medic dev up` runs a Supervisor in its own process (foreground); `--detach` runs one in main.ts.
 *
 * Timing: nodes start in parallel and every wait polls every 20 ms, so a 3-node cluster has a leader about as soon
 * as the nodes can elect one. No wait is unbounded: each has a generous deadline and fails naming what it waited for.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, existsSync, openSync, statSync} from 'node:fs'
import type {Socket} from 'node:net'

import {ExitCode, inputError, MedicError} from '../../errors.js'
import {sh, shellQuote} from '../../util/text.js'
import {readLogTail} from '../cluster/logs.js'
import {nodeIndex} from '../cluster/names.js'
import {dataNodeEntry, dirFlag, metaNodeEntry, statePath, supervisorLogPath} from '../cluster/paths.js'
import {checkPortsFree, dataPortUses, metaPortUses} from '../cluster/ports.js'
import {nodeProcess, type Stoppable, stopProcesses} from '../cluster/processes.js'
import {type ClusterState, dataNodes, type DevNode, findNode, type MetaDevNode, metaNodes, type NodeExit, nowIso, readState, updateState} from '../cluster/state.js'
import {createNodeHttpClient, type NodeHttpClient} from '../node/http-client.js'
import {createLogger, type Logger} from '../node/logger.js'
import {addDataNodes, type BringUp, createAdmin, joinMetaNodes, waitLeader, waitPing} from './bootstrap.js'
import {ControlServer} from './control-server.js'
import {type DownReply, NodeFailedError, type PingReply, type StartReply, type StopReply, type UpResult} from './protocol.js'

export const DEFAULT_GRACE_MS = 5_000
const START_DEADLINE_MS = 30_000
/** Lines of a failed node's log quoted in the error. */
const QUOTED_LINES = 10

/** How to start one node: the default runs meta/main.js with `-config <path>`; tests substitute fixture scripts. */
export type NodeLauncher = (node: DevNode) => {command: string; args: string[]; env?: NodeJS.ProcessEnv}

export const defaultLauncher: NodeLauncher = (node) => {
  const entry = node.kind === 'data' ? dataNodeEntry() : metaNodeEntry()
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
  /** How often the supervisor checks that its cluster folder still exists (default 2 s); gone, it stops everything. */
  folderCheckMs?: number
}

interface Child {
  proc: ChildProcess
  pid: number
  /** Size of the log file when the process started: its own lines come after. */
  logOffset: number
  stopRequested: boolean
  exit: NodeExit | null
  /** Why it could not be started (spawn error), when that is the case. */
  error?: Error
  exited: Promise<NodeExit>
}

type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'

/** What the Supervisor has once open() succeeded. */
interface Opened {
  logFd: number
  log: Logger
  control: ControlServer
}

export class Supervisor {
  readonly dir: string
  private current: ClusterState | undefined
  private opened: Opened | undefined
  private readonly children = new Map<string, Child>()
  /** Nodes with a start or stop in progress. */
  private readonly busyNodes = new Set<string>()
  private readonly graceMs: number
  private readonly startTimeoutMs: number
  private readonly launcher: NodeLauncher
  private readonly http: NodeHttpClient = createNodeHttpClient({userAgent: 'influx-medic'})
  private phase: Phase = 'idle'
  private startupFailure: MedicError | undefined
  private shutdownPromise: Promise<void> | undefined
  private resolveDone: () => void = () => undefined
  private folderTimer: NodeJS.Timeout | undefined
  /** Resolves once the supervisor has stopped every node and closed its control server. */
  readonly done: Promise<void>

  constructor(private readonly options: SupervisorOptions) {
    this.dir = options.clusterDir
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS
    this.startTimeoutMs = options.startTimeoutMs ?? START_DEADLINE_MS
    this.launcher = options.launcher ?? defaultLauncher
    this.done = new Promise((r) => (this.resolveDone = r))
  }

  private get state(): ClusterState {
    if (!this.current) throw new Error('the supervisor is not open')
    return this.current
  }

  private get log(): Logger {
    if (!this.opened) throw new Error('the supervisor is not open')
    return this.opened.log
  }

  /** Loads the prepared state, opens supervisor.log and starts the control server (recorded in cluster.json). */
  async open(): Promise<void> {
    const state = await readState(this.dir)
    if (!state) throw inputError(`no dev cluster state in ${this.dir}`, 'cluster-not-found', [`medic dev up${dirFlag(this.dir)}`])
    this.current = state
    const logFd = openSync(supervisorLogPath(this.dir), 'a', 0o600)
    // medic's own log: always logfmt (the --log-format choice imitates Enterprise's nodes, which this is not).
    const log = createLogger({format: 'logfmt', fd: logFd}).child('medic-dev')
    const control = await ControlServer.open({
      ping: async () => this.ping(),
      start: async (r) => this.startNode(r.node),
      stop: async (r) => this.stopNode(r.node, r.graceMs),
      down: async (r) => this.down(r.graceMs),
    })
    this.opened = {logFd, log, control}
    await this.update((s) => {
      s.supervisor = {pid: process.pid, mode: this.options.mode, address: control.address, token: control.token, startedAt: nowIso()}
    })
    log.info('Supervisor started', {pid: process.pid, mode: this.options.mode, control: control.address, dir: this.dir},
      `supervisor started: pid ${process.pid}, ${this.options.mode}, control ${control.address}`)
    // A cluster folder deleted under a running cluster (rm -rf instead of medic dev down --purge) would leave the
    // supervisor and its nodes running with nothing left to reach them by: stop them.
    this.folderTimer = setInterval(() => {
      if (existsSync(statePath(this.dir))) return
      clearInterval(this.folderTimer)
      log.warn('Cluster folder removed', {dir: this.dir}, `${this.dir}/cluster.json is gone: stopping every node`)
      void this.shutdown('the cluster folder was removed')
    }, this.options.folderCheckMs ?? 2_000)
    this.folderTimer.unref()
  }

  private async update(change: (s: ClusterState) => void): Promise<void> {
    const {state} = await updateState(this.dir, change)
    this.current = state
  }

  private progress(message: string): void {
    this.options.onProgress?.(message)
  }

  /** What the bring-up recipes see of this supervisor. */
  private bringUpContext(): BringUp {
    return {
      dir: this.dir,
      state: () => this.state,
      startTimeoutMs: this.startTimeoutMs,
      http: this.http,
      log: this.log,
      throwIfStopping: () => this.throwIfStopping(),
      failureOf: (name) => {
        const child = this.children.get(name)
        return child?.exit ? this.startupFailure ?? this.startupError(name, child) : undefined
      },
      update: (change) => this.update(change),
    }
  }

  // ── start-up ──

  /** Starts every node, joins them if the cluster is new, and waits for an agreed leader. */
  async bringUp(): Promise<UpResult> {
    const started = performance.now()
    const fresh = !this.state.joined
    this.phase = 'starting'
    const b = this.bringUpContext()
    const metas = metaNodes(this.state)
    const names = this.state.nodes.map((n) => n.name)
    this.progress(`starting ${names.join(', ')}`)
    await this.spawnNodes(names)
    // The HTTP client and the /status schema load while the nodes boot, not after; and not before every node is
    // spawned either (loading them holds the event loop for a few hundred ms).
    await import('../../wire/schemas.js').then((m) => m.loadSchemas())
    const pings = metas.map((n) => waitPing(b, n))
    const dataPings = dataNodes(this.state).map((n) => waitPing(b, n))
    for (const p of [...pings, ...dataPings]) p.catch(() => {}) // awaited below; a rejection must not go unhandled meanwhile
    if (!this.state.joined) {
      // Each add-meta goes out as soon as its node answers, while the later nodes are still booting.
      await joinMetaNodes(b, pings)
      this.progress(`add-meta on ${metas[0]?.name} added ${metas.map((n) => n.name).join(', ')}, each as soon as it answered /ping`)
    } else {
      await Promise.all(pings)
      this.progress('every node answers /ping; the cluster was joined before')
    }
    await Promise.all(pings)
    const leader = await waitLeader(b)
    this.progress(`every meta node reports ${leader.name} (${leader.raftAddr}) as the leader`)
    if (this.state.auth && !this.state.auth.userCreated) await createAdmin(b, this.state.auth)
    const datas = dataNodes(this.state)
    if (datas.length > 0) {
      await addDataNodes(b, leader, dataPings)
      this.progress(`add-data on ${leader.name} added ${datas.map((n) => n.name).join(', ')}; each registered itself`)
    }
    await this.update((s) => {
      s.joined = true
    })
    // Keep no idle connections to the nodes: a node that is stopped later should not wait for them.
    await this.http.close()
    this.throwIfStopping()
    this.phase = 'running'
    const elapsedMs = Math.round(performance.now() - started)
    this.log.info('Dev cluster ready', {meta: metas.length, data: datas.length, leader: leader.raftAddr, elapsed_ms: elapsedMs},
      `dev cluster ready: ${metas.length} meta and ${datas.length} data nodes, leader ${leader.raftAddr}, ${elapsedMs} ms`)
    return this.result(leader, elapsedMs, fresh)
  }

  private result(leader: MetaDevNode, elapsedMs: number, fresh: boolean): UpResult {
    const s = this.state
    return {
      dir: this.dir, statePath: statePath(this.dir), mode: this.options.mode, fresh, elapsedMs, basePort: s.basePort, logFormat: s.logFormat, timeScale: s.timeScale ?? 1,
      leader: {name: leader.name, httpAddr: leader.httpAddr, raftAddr: leader.raftAddr},
      nodes: structuredClone(s.nodes),
      auth: s.auth ? {username: s.auth.username, password: s.auth.password} : null,
      supervisor: {pid: process.pid, address: this.opened?.control.address ?? '', log: supervisorLogPath(this.dir)},
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

  /**
   * Spawns the nodes' processes (does not wait for them to answer), then records their pids in cluster.json in one
   * update: one write of the state file for the whole cluster, not one per node before the next is spawned.
   */
  private async spawnNodes(names: string[]): Promise<void> {
    const started: Array<{name: string; pid: number; configPath: string}> = []
    for (const name of names) {
      const pid = this.spawnProcess(name)
      if (pid !== undefined) started.push({name, pid, configPath: this.node(name).configPath})
    }
    if (started.length === 0) return
    const at = nowIso()
    await this.update((s) => {
      for (const st of started) {
        const n = s.nodes.find((x) => x.name === st.name)
        if (n) Object.assign(n, {pid: st.pid, startedAt: at, exit: null, paused: false, lastSignal: null})
      }
    })
    for (const st of started) this.log.info('Node started', {node: st.name, pid: st.pid, config: st.configPath}, `${st.name} started: pid ${st.pid}, config ${st.configPath}`)
  }

  /** Spawns one node process; its pid, or undefined when spawning failed (its 'error' is handled as an exit). */
  private spawnProcess(name: string): number | undefined {
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
    const lifeline: Socket | null = proc.stdio.length > 3 ? (proc.stdio[3] as Socket | null) : null
    lifeline?.on('error', () => {})
    lifeline?.resume()
    let resolveExit: (e: NodeExit) => void = () => undefined
    const child: Child = {proc, pid: proc.pid ?? -1, logOffset, stopRequested: false, exit: null, exited: new Promise((r) => (resolveExit = r))}
    this.children.set(name, child)
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (child.exit) return
      const exit: NodeExit = {code, signal, at: nowIso(), requested: child.stopRequested}
      child.exit = exit
      child.error = error
      this.log.log(child.stopRequested ? 'info' : 'warn', 'Node exited', {node: name, pid: child.pid, code: code ?? undefined, signal: signal ?? undefined, requested: child.stopRequested, error: error?.message},
        `${name} (pid ${child.pid}) exited: ${signal ?? `code ${code}`}${child.stopRequested ? ' (stopped by medic)' : ''}`)
      if (this.phase === 'starting' && !child.stopRequested && !this.startupFailure) this.startupFailure = this.startupError(name, child)
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
    return proc.pid
  }

  /** The error for a node that died while starting: its name, its exit and its last log lines. */
  private startupError(name: string, child: Child): NodeFailedError {
    const node = this.node(name)
    const {lines} = readLogTail(node.logPath, {from: child.logOffset, count: QUOTED_LINES, skipBlank: true})
    const how = child.error ? `could not be started (${child.error.message})` : `exited during start-up (${child.exit?.signal ?? `exit code ${child.exit?.code}`})`
    const said = lines.length > 0 ? `; the last lines of ${node.logPath}:` : `, and wrote nothing to ${node.logPath}`
    const explain = lines.length > 0 ? sh`medic explain ${lines[lines.length - 1]}` : undefined
    return new NodeFailedError(`${name} ${how}${said}`, {node: name, path: node.logPath, lines}, [
      `the whole log: medic dev logs ${name}${dirFlag(this.dir)}`,
      ...(explain ? [`what the last line means: ${explain}`] : []),
      `check the generated config: medic config check ${shellQuote(node.configPath)}`,
    ])
  }

  // ── operations after start-up ──

  private ping(): PingReply {
    return {pid: process.pid, mode: this.options.mode, phase: this.phase, running: this.running()}
  }

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
  startNode(name: string): Promise<StartReply> {
    return this.exclusive(name, () => this.doStartNode(name))
  }

  private async doStartNode(name: string): Promise<StartReply> {
    if (this.phase !== 'running') throw this.busy()
    const current = this.children.get(name)
    if (current && !current.exit) return {node: structuredClone(this.node(name)), alreadyRunning: true}
    const k = nodeIndex(name) ?? 0
    const uses = this.node(name).kind === 'data' ? dataPortUses(this.state.basePort, [k]) : metaPortUses(this.state.basePort, [k])
    await checkPortsFree(uses, {basePort: this.state.basePort, dirFlag: dirFlag(this.dir)})
    await this.spawnNodes([name])
    const b = this.bringUpContext()
    try {
      await waitPing({...b, throwIfStopping: () => undefined}, this.node(name))
    } finally {
      await this.http.close()
    }
    return {node: structuredClone(this.node(name)), alreadyRunning: false}
  }

  /** Stops one node: SIGCONT, SIGTERM, SIGKILL after the grace period. Resolves with how it ended. */
  stopNode(name: string, graceMs = this.graceMs): Promise<StopReply> {
    return this.exclusive(name, async () => {
      const child = this.children.get(name)
      if (!child || child.exit) return {node: structuredClone(this.node(name)), exit: this.node(name).exit, alreadyStopped: true}
      const exit = await this.terminate([name], graceMs)
      return {node: structuredClone(this.node(name)), exit: exit[0] ?? null, alreadyStopped: false}
    })
  }

  /** The stop sequence for some of our children, in parallel; resolves with how each ended. */
  private async terminate(names: string[], graceMs: number): Promise<Array<NodeExit | null>> {
    const targets: Array<Stoppable & {name: string; child: Child}> = []
    for (const name of names) {
      const child = this.children.get(name)
      if (!child || child.exit) continue
      child.stopRequested = true
      this.log.info('Stopping node', {node: name, pid: child.pid, grace_ms: graceMs}, `stopping ${name} (pid ${child.pid}): SIGTERM, SIGKILL after ${graceMs} ms`)
      targets.push({name, child, signal: (s) => sendSignal(child, s), gone: () => child.exit !== null, exited: child.exited})
    }
    await stopProcesses(targets, {
      graceMs,
      onKill: (t) => this.log.warn('Node ignored SIGTERM, killing it', {node: t.name, pid: t.child.pid, grace_ms: graceMs},
        `${t.name} (pid ${t.child.pid}) still runs ${graceMs} ms after SIGTERM: SIGKILL`),
    })
    return Promise.all(names.map((n) => this.children.get(n)?.exited ?? null))
  }

  /** The control server's "down": stops every node, answers with how each ended, then shuts the supervisor down. */
  private async down(graceMs = this.graceMs): Promise<DownReply> {
    const before = new Map([...this.children].map(([n, c]) => [n, c.exit]))
    void this.shutdown('medic dev down', graceMs)
    await Promise.all([...this.children.values()].map((c) => c.exited))
    return {stopped: [...this.children].filter(([n]) => !before.get(n)).map(([n, c]) => ({name: n, exit: c.exit}))}
  }

  /**
   * Stops every node (in parallel), closes the control server and clears the supervisor from cluster.json.
   * Safe to call more than once; resolves when done.
   */
  shutdown(reason: string, graceMs = this.graceMs): Promise<void> {
    this.shutdownPromise ??= (async () => {
      clearInterval(this.folderTimer)
      this.phase = 'stopping'
      this.opened?.log.info('Stopping the dev cluster', {reason}, `stopping the dev cluster: ${reason}`)
      await this.http.close()
      await this.terminate([...this.children.keys()], graceMs)
      await this.opened?.control.close()
      try {
        await this.update((s) => {
          if (s.supervisor?.pid === process.pid) s.supervisor = null
          for (const n of s.nodes) if (n.pid !== null && nodeProcess(n) === 'gone') n.pid = null
        })
      } catch {
        // the folder may have been purged meanwhile
      }
      await this.http.close()
      if (this.opened) {
        this.opened.log.info('Supervisor stopped', {pid: process.pid}, `supervisor stopped: pid ${process.pid}`)
        closeSync(this.opened.logFd)
      }
      this.phase = 'stopped'
      this.resolveDone()
    })()
    return this.shutdownPromise
  }

  /** Names of the nodes whose processes are running now. */
  running(): string[] {
    return [...this.children].filter(([, c]) => !c.exit).map(([n]) => n)
  }

  private busy(): MedicError {
    const d = dirFlag(this.dir)
    return this.phase === 'starting'
      ? inputError('the dev cluster is still starting; try again in a moment', 'cluster-starting', [`medic dev status${d}`])
      : inputError('the dev cluster is stopping', 'cluster-stopping', [`medic dev up${d}, once it has stopped`])
  }
}

function sendSignal(child: Child, signal: NodeJS.Signals): void {
  if (child.exit) return
  try {
    child.proc.kill(signal)
  } catch {
    // already gone
  }
}
