/**
 * The Raft driver: runs the pure core (core.ts) inside a meta node process. It is the only place where Raft meets
 * time, disk and network:
 *
 *   ticker (monotonic clock) ──tick()──▶ ┌──────────┐ ◀──step()── transport (TCP frames from other meta nodes)
 *   HTTP layer ──propose/addVoter/...──▶ │ RaftCore │
 *                                        └────┬─────┘
 *                                 ready() ────┘  one Ready at a time, in this order:
 *   1. storage.save(hard state, truncation, entries, received snapshot): one fdatasync (group commit: while a save is
 *      in flight the core keeps accumulating, and the next Ready carries everything that piled up);
 *   2. send the messages (only now: nothing leaves before it is durable);
 *   3. restore a received snapshot, apply committed entries to the state machine exactly once, resolve proposals;
 *   4. serve read barriers; log events (hashicorp wording, log-lines.ts); advance().
 * Local snapshots are taken every `snapshotThreshold` applied entries and written through the same storage queue.
 *
 * A failed fsync is fatal (after an fsync error the kernel may have dropped the dirty pages, so retrying proves
 * nothing): the driver calls onFatal and the node process exits.
 */
import {performance} from 'node:perf_hooks'

import type {Logger} from '../node/logger.js'
import {RaftCore} from './core.js'
import {classicLevelTag, raftLogLine, rpcFailedLine, stateChangeLine} from './log-lines.js'
import {BusyError, NotLeaderError, OutcomeUnknownError, type RaftNodeApi, type StateMachine} from './node-api.js'
import type {ConfChange, ConfState, LogEntry, ProposeResult, RaftConfig, RaftEvent, RaftStorageApi, RaftTransportApi, Ready, Role, Server, Snapshot} from './types.js'

export interface RaftTimings {
  heartbeatTimeoutMs: number
  electionTimeoutMs: number
  leaderLeaseTimeoutMs: number
  commitTimeoutMs: number
}

export interface RaftNodeOptions {
  id: string
  httpAddr: string
  storage: RaftStorageApi
  transport: RaftTransportApi
  fsm: StateMachine
  timings: RaftTimings
  log: Logger
  tickMs?: number
  preVote?: boolean
  snapshotThreshold?: number
  trailingLogs?: number
  random?: () => number
  /** Called when the node cannot go on safely (fsync failure); the process should exit. */
  onFatal?: (err: Error) => void
}

interface Pending {
  term: number
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

interface Waiter {
  index: number
  resolve: () => void
  reject: (e: Error) => void
}

const MAX_TICKS_PER_WAKEUP = 1000
const BUSY_RETRY_MS = 5000

function ticks(ms: number, tickMs: number): number {
  return Math.max(1, Math.round(ms / tickMs))
}

function confOf(entry: LogEntry): ConfState | undefined {
  if (entry.kind !== 'config') return undefined
  try {
    return JSON.parse(entry.data) as ConfState
  } catch {
    return undefined
  }
}

export class RaftNode implements RaftNodeApi {
  readonly id: string
  readonly httpAddr: string
  private readonly core: RaftCore
  private readonly opts: RaftNodeOptions
  private readonly tickMs: number
  private readonly log: Logger
  private timer: NodeJS.Timeout | undefined
  private lastTickAt = 0
  private pumping = false
  private again = false
  private closed = false
  private applied: number
  private appliedTerm: number
  private appliedConf: ConfState
  private snapshotIndex: number
  private readonly snapshotThreshold: number
  private storageQueue: Promise<void> = Promise.resolve()
  private readonly pending = new Map<number, Pending>()
  private readonly reads = new Map<string, {resolve: () => void; reject: (e: Error) => void}>()
  private waiters: Waiter[] = []
  private readonly listeners: Array<() => void> = []
  private onceChange: Array<() => void> = []
  private soft: Ready['soft']
  private readSeq = 0
  private readonly rpcErrorLoggedAt = new Map<string, number>()

  constructor(opts: RaftNodeOptions) {
    this.opts = opts
    this.id = opts.id
    this.httpAddr = opts.httpAddr
    this.tickMs = opts.tickMs ?? 10
    this.log = opts.log
    this.snapshotThreshold = opts.snapshotThreshold ?? 8192
    const recovered = opts.storage.recovered
    const snap = recovered.snapshot
    if (snap) opts.fsm.restore(snap.data)
    this.applied = snap?.meta.index ?? 0
    this.appliedTerm = snap?.meta.term ?? 0
    this.appliedConf = snap?.meta.conf ?? {servers: []}
    this.snapshotIndex = snap?.meta.index ?? 0
    const config: RaftConfig = {
      id: opts.id,
      tickMs: this.tickMs,
      heartbeatTimeoutTicks: ticks(opts.timings.heartbeatTimeoutMs, this.tickMs),
      electionTimeoutTicks: ticks(opts.timings.electionTimeoutMs, this.tickMs),
      leaderLeaseTimeoutTicks: ticks(opts.timings.leaderLeaseTimeoutMs, this.tickMs),
      commitTimeoutTicks: ticks(opts.timings.commitTimeoutMs, this.tickMs),
      preVote: opts.preVote ?? true,
      checkQuorum: true,
      maxAppendEntries: 64,
      trailingLogs: opts.trailingLogs ?? 10240,
      random: opts.random ?? Math.random,
    }
    this.core = new RaftCore(config, recovered)
    const st = this.core.status()
    this.soft = {role: st.role, term: st.term, leader: st.leader}
    opts.transport.onMessage((m) => {
      if (this.closed) return
      this.core.step(m)
      this.pump()
    })
  }

  /** Start ticking. Call once, after the transport listens. */
  start(): void {
    this.lastTickAt = performance.now()
    this.timer = setInterval(() => this.onTimer(), this.tickMs)
    this.pump()
  }

  private onTimer(): void {
    if (this.closed) return
    const now = performance.now()
    // Count the ticks that are due: after a pause (SIGSTOP, a long GC) many are, and the timeouts fire at once, as
    // they would in any process whose timers were frozen.
    let due = Math.floor((now - this.lastTickAt) / this.tickMs)
    if (due <= 0) return
    this.lastTickAt += due * this.tickMs
    if (due > MAX_TICKS_PER_WAKEUP) due = MAX_TICKS_PER_WAKEUP
    for (let i = 0; i < due; i++) this.core.tick()
    this.pump()
  }

  /** Reports a transport failure the hashicorp way, at most once per peer every few seconds. */
  reportRpcError(peer: string, err: Error): void {
    const now = performance.now()
    const last = this.rpcErrorLoggedAt.get(peer)
    if (last !== undefined && now - last < 5000) return
    this.rpcErrorLoggedAt.set(peer, now)
    if (this.soft.role !== 'leader') return
    const line = rpcFailedLine(peer, err.message)
    this.raftLine(line.level, line.text)
  }

  private raftLine(level: 'debug' | 'info' | 'warn' | 'error', text: string): void {
    this.log.log(level, text, undefined, `${classicLevelTag(level)} raft: ${text}`)
  }

  // ---------------------------------------------------------------------------------------------- the Ready loop

  private pump(): void {
    if (this.closed) return
    if (this.pumping) {
      this.again = true
      return
    }
    this.pumping = true
    void this.loop()
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.again = false
        const r = this.core.ready()
        if (r === null) {
          if (!this.again) break
          continue
        }
        await this.handle(r)
        if (this.closed) return
      }
    } catch (err) {
      this.fatal(err as Error)
    } finally {
      this.pumping = false
    }
  }

  private async handle(r: Ready): Promise<void> {
    // 1. durable first
    if (r.hardState !== undefined || r.truncateFrom !== undefined || r.entries.length > 0 || r.snapshot !== undefined) {
      const batch = {hardState: r.hardState, truncateFrom: r.truncateFrom, entries: r.entries, snapshot: r.snapshot}
      await this.enqueueStorage(() => this.opts.storage.save(batch))
      if (this.closed) return
    }
    // 2. then tell the others
    for (const m of r.messages) this.opts.transport.send(m)
    // 3. apply
    if (r.snapshot) this.restoreSnapshot(r.snapshot)
    for (const e of r.committed) this.apply(e)
    // 4. reads, events, state
    for (const rd of r.readsReady) {
      const p = this.reads.get(rd.reqId)
      if (!p) continue
      this.reads.delete(rd.reqId)
      this.whenApplied(rd.index).then(p.resolve, p.reject)
    }
    for (const rf of r.readsFailed) {
      const p = this.reads.get(rf.reqId)
      if (!p) continue
      this.reads.delete(rf.reqId)
      p.reject(new NotLeaderError(this.serverOf(rf.leader)))
    }
    const before = this.soft
    this.soft = r.soft
    for (const ev of r.events) this.logEvent(ev)
    this.core.advance(r)
    this.releaseWaiters()
    const changed = before.role !== r.soft.role || before.term !== r.soft.term || before.leader !== r.soft.leader || r.events.some((e) => e.e === 'configurationChanged')
    if (before.role !== r.soft.role) this.logStateChange(r.soft.role)
    if (before.role === 'leader' && r.soft.role !== 'leader') this.failPending(new OutcomeUnknownError())
    if (changed) for (const l of this.listeners) l()
    if (this.onceChange.length > 0) {
      const once = this.onceChange
      this.onceChange = []
      for (const l of once) l()
    }
    this.maybeSnapshot()
  }

  private enqueueStorage(op: () => Promise<void>): Promise<void> {
    const next = this.storageQueue.then(op)
    // Keep the queue alive after a failure; the failure itself reaches the caller (and is fatal).
    this.storageQueue = next.catch(() => undefined)
    return next
  }

  private restoreSnapshot(s: Snapshot): void {
    if (s.meta.index <= this.applied) return
    this.opts.fsm.restore(s.data)
    this.applied = s.meta.index
    this.appliedTerm = s.meta.term
    this.appliedConf = s.meta.conf
    this.snapshotIndex = s.meta.index
    // Proposals at or below the snapshot cannot be matched against their entries any more.
    for (const [index, p] of this.pending) {
      if (index <= s.meta.index) {
        this.pending.delete(index)
        p.reject(new OutcomeUnknownError())
      }
    }
  }

  private apply(e: LogEntry): void {
    if (e.index <= this.applied) return
    let result: unknown
    let failure: Error | undefined
    if (e.kind === 'cmd') {
      try {
        result = this.opts.fsm.apply(e.data, e.index)
      } catch (err) {
        // The state machine must not throw (it would diverge the nodes); if it does, the command failed everywhere.
        failure = err as Error
      }
    } else if (e.kind === 'config') {
      const conf = confOf(e)
      if (conf) this.appliedConf = conf
    }
    this.applied = e.index
    this.appliedTerm = e.term
    const p = this.pending.get(e.index)
    if (p) {
      this.pending.delete(e.index)
      if (p.term !== e.term) p.reject(new OutcomeUnknownError())
      else if (failure) p.reject(failure)
      else p.resolve(result)
    }
  }

  private maybeSnapshot(): void {
    if (this.applied - this.snapshotIndex < this.snapshotThreshold) return
    const snapshot: Snapshot = {meta: {index: this.applied, term: this.appliedTerm, conf: this.appliedConf}, data: this.opts.fsm.snapshot()}
    const res = this.core.compact(snapshot)
    this.snapshotIndex = this.applied
    if (res === null) return
    this.enqueueStorage(() => this.opts.storage.saveSnapshot(snapshot, res.compactTo)).catch((err: Error) => this.fatal(err))
  }

  private fatal(err: Error): void {
    if (this.closed) return
    this.log.error('Raft storage failed; stopping this node to protect the cluster\'s data', {error: err.message}, `[ERR] raft: storage failed, shutting down: ${err.message}`)
    this.stopTimers()
    this.closed = true
    this.failPending(new Error(`the node stopped: ${err.message}`))
    if (this.opts.onFatal) this.opts.onFatal(err)
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    for (const r of this.reads.values()) r.reject(err)
    this.reads.clear()
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return
    const keep: Waiter[] = []
    for (const w of this.waiters) {
      if (this.applied >= w.index) w.resolve()
      else keep.push(w)
    }
    this.waiters = keep
  }

  private whenApplied(index: number): Promise<void> {
    if (this.applied >= index) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({index, resolve, reject}))
  }

  // ---------------------------------------------------------------------------------------------- logging

  private logEvent(ev: RaftEvent): void {
    const line = raftLogLine(ev, {addr: this.id, role: this.soft.role, tickMs: this.tickMs})
    if (line) this.raftLine(line.level, line.text)
  }

  private logStateChange(role: Role): void {
    const peers = this.core.status().conf.servers.map((s) => s.id)
    const text = stateChangeLine(this.id, role, peers)
    this.log.info(text, undefined, text)
  }

  // ---------------------------------------------------------------------------------------------- RaftNodeApi

  private serverOf(id: string | null): Server | null {
    if (id === null) return null
    const s = this.core.status().conf.servers.find((x) => x.id === id)
    return s ?? {id, httpAddr: '', voter: true}
  }

  joined(): boolean {
    return this.core.status().conf.servers.some((s) => s.id === this.id)
  }

  role(): Role {
    return this.soft.role
  }

  term(): number {
    return this.soft.term
  }

  leader(): Server | null {
    return this.serverOf(this.soft.leader)
  }

  peers(): string[] | null {
    if (!this.joined()) return null
    return this.core.status().conf.servers.map((s) => s.id)
  }

  servers(): Server[] {
    return this.core.status().conf.servers.map((s) => ({...s}))
  }

  appliedIndex(): number {
    return this.applied
  }

  /** The core's own view, for /debug and tests. */
  status(): ReturnType<RaftCore['status']> {
    return this.core.status()
  }

  propose(data: string): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the node is stopping'))
    const r = this.core.propose(data)
    return this.track(r)
  }

  private track(r: ProposeResult): Promise<unknown> {
    if (!r.ok) {
      if (r.reason === 'busy') return Promise.reject(new BusyError())
      return Promise.reject(new NotLeaderError(this.serverOf(r.leader)))
    }
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(r.index, {term: r.term, resolve, reject}))
    this.pump()
    return promise
  }

  /** Proposes a configuration change, retrying while the core answers busy (one change at a time). */
  private async confChange(change: ConfChange): Promise<void> {
    const deadline = performance.now() + BUSY_RETRY_MS
    for (;;) {
      if (this.closed) throw new Error('the node is stopping')
      const r = this.core.proposeConfChange(change)
      if (r.ok || r.reason !== 'busy' || performance.now() > deadline) {
        await this.track(r)
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async addVoter(server: {id: string; httpAddr: string}): Promise<void> {
    const existing = this.core.status().conf.servers.find((s) => s.id === server.id)
    if (existing?.voter && existing.httpAddr === server.httpAddr) return
    await this.confChange({type: 'addVoter', server})
  }

  async remove(id: string): Promise<void> {
    if (!this.core.status().conf.servers.some((s) => s.id === id)) return
    await this.confChange({type: 'remove', id})
  }

  async bootstrap(): Promise<void> {
    const st = this.core.status()
    if (st.conf.servers.length === 0 && st.lastIndex === 0) {
      this.core.bootstrap({servers: [{id: this.id, httpAddr: this.httpAddr, voter: true}]})
      this.pump()
    }
    // Done when this node leads and has applied an entry of its own term (its no-op): only then may it accept
    // membership changes.
    const deadline = performance.now() + 10_000
    while (!(this.soft.role === 'leader' && this.appliedTerm === this.soft.term)) {
      if (this.closed) throw new Error('the node is stopping')
      if (performance.now() > deadline) throw new OutcomeUnknownError('this node did not become the leader of its new cluster within 10 s')
      await this.nextChange(50)
    }
  }

  async barrier(): Promise<void> {
    if (this.soft.role !== 'leader') throw new NotLeaderError(this.leader())
    const reqId = `r${++this.readSeq}`
    const p = new Promise<void>((resolve, reject) => this.reads.set(reqId, {resolve, reject}))
    this.core.readIndex(reqId)
    this.pump()
    return p
  }

  waitApplied(index: number, signal?: AbortSignal): Promise<void> {
    if (this.applied >= index) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const w: Waiter = {index, resolve, reject}
      this.waiters.push(w)
      signal?.addEventListener('abort', () => {
        this.waiters = this.waiters.filter((x) => x !== w)
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      }, {once: true})
    })
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** Resolves after the next Ready has been handled (or after timeoutMs). */
  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs)
      this.onceChange.push(done)
      function done() {
        clearTimeout(t)
        resolve()
      }
    })
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Stop: no more ticks or messages; pending proposals fail; the storage is flushed and closed. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTimers()
    this.failPending(new Error('the node is stopping'))
    for (const w of this.waiters) w.reject(new Error('the node is stopping'))
    this.waiters = []
    await this.opts.transport.close()
    await this.storageQueue
    await this.opts.storage.close()
  }
}
