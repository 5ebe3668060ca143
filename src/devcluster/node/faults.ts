/**
 * The faults in force in this node process (`medic dev fault ...`), read from `<cluster dir>/faults.json`
 * (node/fault-table.ts) and consulted by the node's own code where a real fault would hit it:
 *
 *   - the connections it opens to other nodes: the cluster RPC client (node/rpc/client.ts), the Raft transport
 *     (raft/transport.ts) and the node-to-node HTTP client (node/http-client.ts) ask sendPlan() before each request or
 *     message (cut, lost, or delayed by latency, jitter and bandwidth), replyDelay() for each answer they read, and
 *     register their live connections with track(), so that a partition closes what is already open;
 *   - the files it appends to: the shard WAL, the hinted-handoff queues and the Raft log call diskFullError() first,
 *     which gives the error a full disk gives (`write <path>: no space left on device`, code ENOSPC);
 *   - its wall clock: the skew is set on node/clock.ts.
 *
 * Nothing is done by root or by a proxy: the node simply behaves as if the network, disk or clock were faulty.
 * Outside a node process (the CLI, the supervisor) the runtime is never started and every check passes at no cost.
 *
 * Applying a table is synchronous (new decisions, connections on newly cut links closed, clock skew set); then the
 * node writes `<node dir>/faults.applied.json` with the generation and its pid, which `medic dev fault` waits for, so
 * a command returns only once every running node acts on it. The file is watched (fs.watch on the cluster folder) and
 * polled every 500 ms as a fallback. Random choices (drop, jitter) come from seeded streams per fault and direction
 * (util/rng.ts), so the same commands give the same sequence of choices on each link.
 */
import {type FSWatcher, readFileSync, renameSync, statSync, watch, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {Rng} from '../../util/rng.js'
import {setClockSkew} from './clock.js'
import {
  type DirectionProfile, type DiskArea, emptyTable, FAULT_ACK_FILE, FAULT_TABLE_FILE, type FaultTable, type NodeFaultView, normaliseAddr,
  parseFaultTable, viewFor,
} from './fault-table.js'

export type SendPlan = {kind: 'pass'; delayMs: number} | {kind: 'cut'} | {kind: 'drop'}

const PASS: SendPlan = {kind: 'pass', delayMs: 0}
const POLL_MS = 500

export interface FaultRuntimeOptions {
  /** This node's name ([medic-dev] node). */
  self: string
  /** The cluster folder, where faults.json lives. */
  clusterDir: string
  /** The node's own folder, where it acknowledges each generation. */
  nodeDir: string
  /** A table that cannot be read (kept: the previous one stays in force). */
  onProblem?: (message: string) => void
  /** Monotonic clock (ms); tests inject one. */
  now?: () => number
}

interface Lane {
  /** When the link finishes sending what it was given (bandwidth). */
  busyUntil: number
  /** When the last message is delivered: later messages never overtake it (a TCP stream keeps its order). */
  lastDelivery: number
}

interface Tracked {
  peer: string
  close: (err: NodeJS.ErrnoException) => void
}

export class FaultRuntime {
  /** True once start() ran: the process is a node that reads a fault table. */
  active = false
  private options: FaultRuntimeOptions | undefined
  private view: NodeFaultView = viewFor(emptyTable(), '')
  private generation = -1
  private fileKey = ''
  private watcher: FSWatcher | undefined
  private poller: NodeJS.Timeout | undefined
  private readonly rngs = new Map<string, Rng>()
  private readonly lanes = new Map<string, Lane>()
  private readonly tracked = new Set<Tracked>()
  private now: () => number = () => performance.now()
  private lastProblem = ''

  /** Reads the table now (so the node's first connections already see it), then follows its changes. */
  start(options: FaultRuntimeOptions): void {
    this.options = options
    this.active = true
    if (options.now) this.now = options.now
    this.reload()
    try {
      this.watcher = watch(options.clusterDir, {persistent: false}, (_event, file) => {
        if (file === null || file === FAULT_TABLE_FILE) this.reload()
      })
      this.watcher.on('error', () => this.watcher?.close())
    } catch {
      // no fs.watch here: the poll alone follows the table
    }
    this.poller = setInterval(() => this.reload(), POLL_MS)
    this.poller.unref()
  }

  stop(): void {
    this.watcher?.close()
    clearInterval(this.poller)
    this.active = false
  }

  /** The generation of the table in force (-1 before start). */
  appliedGeneration(): number {
    return this.generation
  }

  /** Re-reads faults.json when it changed (a missing file is the empty table) and applies it. */
  reload(): void {
    const o = this.options
    if (!o) return
    const path = join(o.clusterDir, FAULT_TABLE_FILE)
    let table: FaultTable
    try {
      const st = statSync(path, {throwIfNoEntry: false})
      const key = st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'none'
      if (key === this.fileKey && this.generation >= 0) return
      if (!st) table = emptyTable()
      else {
        const parsed = parseFaultTable(readFileSync(path, 'utf8'))
        if (typeof parsed === 'string') {
          this.problem(`${path}: ${parsed}; the faults in force stay as they were`)
          return
        }
        table = parsed
      }
      this.fileKey = key
    } catch (err) {
      this.problem(`${path}: cannot read the fault table (${(err as Error).message})`)
      return
    }
    if (table.generation === this.generation) return
    this.apply(table)
    this.acknowledge(table.generation)
  }

  /** Puts a table in force: new decisions from now on, cut links closed, the clock skewed. */
  apply(table: FaultTable): void {
    const self = this.options?.self ?? ''
    this.view = viewFor(table, self)
    this.generation = table.generation
    setClockSkew(this.view.skewMs)
    for (const t of [...this.tracked]) {
      if (!this.isCut(t.peer)) continue
      this.tracked.delete(t)
      try {
        // What the kernel reports on an open connection whose packets a firewall now rejects.
        t.close(Object.assign(new Error('no route to host'), {code: 'EHOSTUNREACH'}))
      } catch {
        // already closed
      }
    }
  }

  private acknowledge(generation: number): void {
    const o = this.options
    if (!o) return
    const path = join(o.nodeDir, FAULT_ACK_FILE)
    const tmp = `${path}.${process.pid}.tmp`
    try {
      writeFileSync(tmp, JSON.stringify({generation, pid: process.pid, at: new Date().toISOString()}) + '\n')
      renameSync(tmp, path)
    } catch (err) {
      this.problem(`${path}: cannot acknowledge the fault table (${(err as Error).message})`)
    }
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return
    this.lastProblem = message
    this.options?.onProblem?.(message)
  }

  // ── links ──

  /** The node an address (host:port) belongs to, when it is another node of the cluster. */
  peerOf(addr: string): string | undefined {
    return this.view.peerOf.get(normaliseAddr(addr))
  }

  private profiles(addr: string): {peer: string; out?: DirectionProfile; back?: DirectionProfile} | undefined {
    if (!this.active || this.view.links.size === 0) return undefined
    const peer = this.peerOf(addr)
    if (peer === undefined) return undefined
    const link = this.view.links.get(peer)
    return link ? {peer, ...link} : undefined
  }

  /** True while this node's connections to `addr` are cut (partition). */
  isCut(addr: string): boolean {
    return this.profiles(addr)?.out?.partition === true
  }

  /** What happens to a request or message of `bytes` this node sends to `addr` now. */
  sendPlan(addr: string, bytes: number): SendPlan {
    const p = this.profiles(addr)
    if (!p?.out) return PASS
    const self = this.options?.self ?? ''
    const out = p.out
    if (out.partition) return {kind: 'cut'}
    if (out.dropRate > 0 && this.rng(`drop:${self}>${p.peer}:${out.dropSeed}`, out.dropSeed).chance(out.dropRate)) return {kind: 'drop'}
    return {kind: 'pass', delayMs: this.delay(`${self}>${p.peer}`, out, bytes)}
  }

  /** How long an answer of `bytes` from `addr` takes to arrive on a connection this node opened (ms). */
  replyDelay(addr: string, bytes: number): number {
    const p = this.profiles(addr)
    if (!p?.back) return 0
    return this.delay(`${p.peer}>${this.options?.self ?? ''}`, p.back, bytes)
  }

  /** Latency, jitter and pacing on one direction, keeping the order of its messages. */
  private delay(direction: string, d: DirectionProfile, bytes: number): number {
    if (d.latencyMs === 0 && d.jitterMs === 0 && d.bytesPerSecond === 0) return 0
    const now = this.now()
    let lane = this.lanes.get(direction)
    if (!lane) this.lanes.set(direction, (lane = {busyUntil: now, lastDelivery: now}))
    let sent = now
    if (d.bytesPerSecond > 0) {
      sent = Math.max(now, lane.busyUntil) + (Math.max(1, bytes) * 1000) / d.bytesPerSecond
      lane.busyUntil = sent
    }
    const jitter = d.jitterMs > 0 ? this.rng(`slow:${direction}:${d.slowSeed}`, d.slowSeed).float(-d.jitterMs, d.jitterMs) : 0
    const delivery = Math.max(sent + Math.max(0, d.latencyMs + jitter), lane.lastDelivery)
    lane.lastDelivery = delivery
    return Math.max(0, delivery - now)
  }

  private rng(key: string, seed: number): Rng {
    let r = this.rngs.get(key)
    if (!r) this.rngs.set(key, (r = new Rng(seed, key)))
    return r
  }

  /**
   * Registers a live connection (or request) to `addr`; `close` is called, with the EHOSTUNREACH error a cut connection
   * reports, if the link gets cut. Returns the function that unregisters it (call it when the connection ends).
   */
  track(addr: string, close: (err: NodeJS.ErrnoException) => void): () => void {
    if (!this.active) return noop
    const t: Tracked = {peer: addr, close}
    this.tracked.add(t)
    return () => this.tracked.delete(t)
  }

  // ── disks ──

  diskFull(area: DiskArea): boolean {
    return this.active && this.view.diskAreas.has(area)
  }
}

function noop(): void {}

/** The fault runtime of this process (inactive outside node processes). */
export const nodeFaults = new FaultRuntime()

/** What a connection attempt to a cut link fails with, in Go's words (a firewall that rejects with host-unreachable). */
export function noRouteText(addr: string): string {
  return `dial tcp ${addr}: connect: no route to host`
}

/**
 * The error an append to `path` fails with while the node's disk (the `area` holding it) is full, or undefined. One
 * call at the top of each append path: nothing is written, so the file stays as it was and a heal simply lets the
 * next append through.
 */
export function diskFullError(area: DiskArea, path: string): NodeJS.ErrnoException | undefined {
  if (!nodeFaults.diskFull(area)) return undefined
  return Object.assign(new Error(`write ${path}: no space left on device`), {code: 'ENOSPC', errno: -28, syscall: 'write', path})
}

/** Resolves after `ms` (at once for 0), or rejects when `signal` aborts first. */
export function faultDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.ceil(ms))
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
