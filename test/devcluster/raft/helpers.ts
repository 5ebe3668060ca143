/**
 * Test helpers for the Raft core: hand-built entries, configurations and recovered states for single-core unit tests
 * (core.test.ts), and a small in-memory cluster harness with explicit message delivery, drops, partitions, crashes and
 * restarts for the scripted scenarios (scenarios.test.ts). Persistence here is perfect and immediate; the simulator
 * (src/devcluster/raft/sim/) is where disks are slow and crashes tear writes.
 */
import {RaftCore} from '../../../src/devcluster/raft/core.js'
import type {ConfState, HardState, LogEntry, Msg, NodeId, RaftConfig, RaftEvent, Ready, RecoveredState, Snapshot} from '../../../src/devcluster/raft/types.js'
import {seeded} from '../../../src/util/rng.js'

export const T = 10 // heartbeat timeout, ticks
export const E = 10 // election timeout, ticks

export function config(id: NodeId, over: Partial<RaftConfig> = {}): RaftConfig {
  return {
    id,
    tickMs: 10,
    heartbeatTimeoutTicks: T,
    electionTimeoutTicks: E,
    leaderLeaseTimeoutTicks: 5,
    commitTimeoutTicks: 2,
    preVote: true,
    checkQuorum: true,
    maxAppendEntries: 64,
    trailingLogs: 0,
    // Always the shortest timeout: [T, 2T) becomes exactly T, which keeps hand-written tests exact.
    random: () => 0,
    ...over,
  }
}

export function conf(...ids: NodeId[]): ConfState {
  return {servers: ids.map((id) => ({id, httpAddr: `${id}:8091`, voter: true}))}
}

export function withLearner(c: ConfState, id: NodeId): ConfState {
  return {servers: [...c.servers, {id, httpAddr: `${id}:8091`, voter: false}]}
}

export function cfgEntry(index: number, term: number, c: ConfState): LogEntry {
  return {index, term, kind: 'config', data: JSON.stringify(c)}
}

export function cmd(index: number, term: number, data = `x${index}t${term}`): LogEntry {
  return {index, term, kind: 'cmd', data}
}

export function noop(index: number, term: number): LogEntry {
  return {index, term, kind: 'noop', data: ''}
}

/** Entries 1..n: a configuration at 1 (term 1), then commands with the given terms for indexes 2.. */
export function logWith(c: ConfState, terms: number[]): LogEntry[] {
  return [cfgEntry(1, 1, c), ...terms.map((t, i) => cmd(i + 2, t))]
}

export function recovered(entries: LogEntry[], hs: Partial<HardState> = {}, snapshot: Snapshot | null = null): RecoveredState {
  const last = entries.length > 0 ? entries[entries.length - 1].term : (snapshot?.meta.term ?? 0)
  return {hardState: {term: hs.term ?? last, votedFor: hs.votedFor ?? null, commit: hs.commit ?? 0}, snapshot, entries}
}

export const EMPTY: RecoveredState = {hardState: {term: 0, votedFor: null, commit: 0}, snapshot: null, entries: []}

/** Everything a core produced until it had nothing left to say (each Ready advanced after "persisting"). */
export interface Drained {
  readies: Ready[]
  messages: Msg[]
  events: RaftEvent[]
  committed: LogEntry[]
  entries: LogEntry[]
  hardStates: HardState[]
  readsReady: Array<{reqId: string; index: number}>
  readsFailed: Array<{reqId: string; leader: NodeId | null}>
}

export function drain(core: RaftCore): Drained {
  const out: Drained = {readies: [], messages: [], events: [], committed: [], entries: [], hardStates: [], readsReady: [], readsFailed: []}
  for (let i = 0; i < 100; i++) {
    const r = core.ready()
    if (!r) return out
    out.readies.push(r)
    out.messages.push(...r.messages)
    out.events.push(...r.events)
    out.committed.push(...r.committed)
    out.entries.push(...r.entries)
    if (r.hardState) out.hardStates.push(r.hardState)
    out.readsReady.push(...r.readsReady)
    out.readsFailed.push(...r.readsFailed)
    core.advance(r)
  }
  throw new Error('core never ran out of work')
}

type PickByTag<M, K> = M extends {t: infer U} ? (K extends U ? M : never) : never
/** The message shape(s) for a tag (vote and prevote share one shape in types.ts, so Extract does not do). */
export type MsgOf<K extends Msg['t']> = PickByTag<Msg, K>

export function only<K extends Msg['t']>(msgs: Msg[], t: K): Array<MsgOf<K>> {
  return msgs.filter((m): m is MsgOf<K> => m.t === t)
}

export function eventsOf<K extends RaftEvent['e']>(events: RaftEvent[], e: K): Array<Extract<RaftEvent, {e: K}>> {
  return events.filter((ev): ev is Extract<RaftEvent, {e: K}> => ev.e === e)
}

export function tickN(core: RaftCore, n: number): Drained {
  const all: Drained = {readies: [], messages: [], events: [], committed: [], entries: [], hardStates: [], readsReady: [], readsFailed: []}
  for (let i = 0; i < n; i++) {
    core.tick()
    const d = drain(core)
    for (const k of Object.keys(all) as Array<keyof Drained>) (all[k] as unknown[]).push(...(d[k] as unknown[]))
  }
  return all
}

/**
 * A core in `conf` made leader of `term` by hand: it campaigns, the other voters' grants are stepped in, and its
 * first Ready is drained. Returns the core and what it sent.
 */
export function makeLeader(id: NodeId, c: ConfState, entries: LogEntry[] = [cfgEntry(1, 1, c)], over: Partial<RaftConfig> = {}, hs: Partial<HardState> = {}): {core: RaftCore; out: Drained} {
  const core = new RaftCore(config(id, {preVote: false, ...over}), recovered(entries, {commit: 1, ...hs}))
  drain(core)
  core.campaign()
  const term = core.status().term
  for (const s of c.servers) if (s.voter && s.id !== id) core.step({t: 'vote_resp', term, from: s.id, to: id, granted: true})
  const out = drain(core)
  if (core.status().role !== 'leader') throw new Error(`${id} did not become leader`)
  return {core, out}
}

/** Acknowledges every append in `msgs` as its follower would if its log matched. */
export function ackAll(core: RaftCore, msgs: Msg[]): void {
  for (const m of only(msgs, 'append')) {
    core.step({t: 'append_resp', term: m.term, from: m.to, to: m.from, ok: true, match: m.prevIndex + m.entries.length, lastIndex: m.prevIndex + m.entries.length, ctx: m.ctx})
  }
}

// ---------------------------------------------------------------------------------------------- the cluster harness


interface Durable {
  hardState: HardState
  snapshot: Snapshot | null
  entries: Map<number, LogEntry>
}

export interface HNode {
  id: NodeId
  core: RaftCore | null
  durable: Durable
  /** The applied stream of the current incarnation (state machine = the list of applied command data). */
  applied: LogEntry[]
  data: string[]
  appliedIndex: number
  events: RaftEvent[]
}

export interface ClusterOptions {
  /** Take a snapshot (and compact) every N applied entries. */
  snapshotEvery?: number
}

export class Cluster {
  readonly nodes = new Map<NodeId, HNode>()
  /** Messages sent and not yet delivered, in send order. */
  pending: Msg[] = []
  /** Blocked directed links, "a>b". */
  readonly cut = new Set<string>()
  /** term → leader, from every becameLeader event (election safety is asserted on every event). */
  readonly leaders = new Map<number, NodeId>()
  private starts = 0

  constructor(ids: NodeId[], private readonly over: Partial<RaftConfig> = {}, private readonly opts: ClusterOptions = {}) {
    for (const id of ids) this.add(id)
  }

  add(id: NodeId, state: RecoveredState = EMPTY): HNode {
    const durable: Durable = {hardState: {...state.hardState}, snapshot: state.snapshot, entries: new Map(state.entries.map((e) => [e.index, e]))}
    const node: HNode = {id, core: null, durable, applied: [], data: [], appliedIndex: 0, events: []}
    this.nodes.set(id, node)
    this.start(node)
    return node
  }

  private start(node: HNode): void {
    const d = node.durable
    const entries = [...d.entries.values()].sort((a, b) => a.index - b.index)
    node.data = d.snapshot ? (JSON.parse(d.snapshot.data) as string[]) : []
    node.appliedIndex = d.snapshot?.meta.index ?? 0
    node.applied = []
    // Each node (and each restart) gets its own timer stream unless the test pins one, so timeouts do not tie.
    const random = this.over.random ?? seeded(`${node.id}#${++this.starts}`).fn()
    node.core = new RaftCore(config(node.id, {...this.over, random}), {hardState: {...d.hardState}, snapshot: d.snapshot, entries})
    this.flush(node.id)
  }

  node(id: NodeId): HNode {
    const n = this.nodes.get(id)
    if (!n) throw new Error(`no node ${id}`)
    return n
  }

  core(id: NodeId): RaftCore {
    const c = this.node(id).core
    if (!c) throw new Error(`${id} is down`)
    return c
  }

  up(id: NodeId): boolean {
    return this.node(id).core !== null
  }

  /** Runs the node's Ready loop: persist, queue messages, apply, advance, maybe snapshot. */
  flush(id: NodeId): void {
    const node = this.node(id)
    const core = node.core
    if (!core) return
    for (;;) {
      const r = core.ready()
      if (!r) return
      const d = node.durable
      if (r.hardState) d.hardState = {...r.hardState}
      if (r.truncateFrom !== undefined) for (const i of [...d.entries.keys()]) if (i >= r.truncateFrom) d.entries.delete(i)
      if (r.snapshot) d.snapshot = r.snapshot
      for (const e of r.entries) d.entries.set(e.index, e)
      for (const ev of r.events) {
        node.events.push(ev)
        if (ev.e === 'becameLeader') {
          const prev = this.leaders.get(ev.term)
          if (prev !== undefined && prev !== id) throw new Error(`election safety: ${prev} and ${id} both led term ${ev.term}`)
          this.leaders.set(ev.term, id)
        }
      }
      this.pending.push(...r.messages)
      if (r.snapshot) {
        node.data = JSON.parse(r.snapshot.data) as string[]
        node.appliedIndex = r.snapshot.meta.index
      }
      for (const e of r.committed) {
        if (e.index !== node.appliedIndex + 1) throw new Error(`${id} applied ${e.index} after ${node.appliedIndex}`)
        node.appliedIndex = e.index
        node.applied.push(e)
        if (e.kind === 'cmd') node.data.push(e.data)
      }
      core.advance(r)
      const every = this.opts.snapshotEvery
      if (every && node.appliedIndex - core.status().snapshotIndex >= every) {
        const snap: Snapshot = {meta: {index: node.appliedIndex, term: 0, conf: {servers: []}}, data: JSON.stringify(node.data)}
        const res = core.compact(snap)
        if (res) {
          d.snapshot = snap
          for (const i of [...d.entries.keys()]) if (i < res.compactTo) d.entries.delete(i)
        }
      }
    }
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      const c = this.node(id).core
      if (!c) return
      c.tick()
      this.flush(id)
    }
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) for (const id of this.nodes.keys()) this.tick(id)
  }

  private deliverable(m: Msg): boolean {
    return !this.cut.has(`${m.from}>${m.to}`) && this.nodes.get(m.to)?.core != null
  }

  /** Delivers the pending messages matching `pred` (once each, in order); the rest stay pending. Returns the count. */
  deliver(pred: (m: Msg) => boolean = () => true): number {
    const now = this.pending
    this.pending = []
    let n = 0
    const keep: Msg[] = []
    for (const m of now) {
      if (!pred(m)) {
        keep.push(m)
        continue
      }
      n++
      if (!this.deliverable(m)) continue
      this.core(m.to).step(m)
      this.flush(m.to)
    }
    this.pending = [...keep, ...this.pending]
    return n
  }

  /** Drops the pending messages matching `pred`. */
  drop(pred: (m: Msg) => boolean = () => true): number {
    const before = this.pending.length
    this.pending = this.pending.filter((m) => !pred(m))
    return before - this.pending.length
  }

  /** Delivers until nothing is pending (bounded). */
  stabilize(maxRounds = 200): void {
    for (let i = 0; i < maxRounds && this.pending.length > 0; i++) this.deliver()
    if (this.pending.length > 0) throw new Error('the cluster did not settle')
  }

  /** Delivers, and ticks every node, for `ticks` rounds. */
  run(ticks: number): void {
    for (let i = 0; i < ticks; i++) {
      this.tickAll()
      this.stabilize()
    }
  }

  crash(id: NodeId): void {
    const node = this.node(id)
    node.core = null
    this.pending = this.pending.filter((m) => m.from !== id)
  }

  restart(id: NodeId): void {
    this.start(this.node(id))
  }

  isolate(id: NodeId): void {
    for (const o of this.nodes.keys()) {
      if (o === id) continue
      this.cut.add(`${id}>${o}`)
      this.cut.add(`${o}>${id}`)
    }
  }

  heal(): void {
    this.cut.clear()
  }

  /** Forces `id` to campaign now the way a leadership transfer does (no pre-vote, voters ignore their leader). */
  forceCampaign(id: NodeId): void {
    const c = this.core(id)
    c.step({t: 'timeout_now', term: c.status().term, from: '__test__', to: id})
    this.flush(id)
  }

  /** The leader of the highest term among running nodes, or null. */
  leader(): NodeId | null {
    let best: {id: NodeId; term: number} | null = null
    for (const n of this.nodes.values()) {
      const st = n.core?.status()
      if (st && st.role === 'leader' && (!best || st.term > best.term)) best = {id: n.id, term: st.term}
    }
    return best?.id ?? null
  }

  /** Proposes a command on the leader and returns its index. */
  propose(id: NodeId, data: string): number {
    const res = this.core(id).propose(data)
    if (!res.ok) throw new Error(`propose on ${id} failed: ${res.reason}`)
    this.flush(id)
    return res.index
  }
}
