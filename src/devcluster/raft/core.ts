/**
 * The dev cluster's Raft consensus core: every protocol decision of a meta node (elections, pre-vote, replication,
 * commit, snapshots, single-server membership changes, read-index, leadership transfer) and nothing else.
 *
 * Why it looks like this: the core is a pure, synchronous state machine (the etcd design, raft-notes.md §3.1). It does
 * no I/O, owns no timers, never awaits, never reads a clock and never calls Math.random: time arrives as tick() calls,
 * randomness comes from config.random, and every decision is taken inside one tick()/step()/propose() call, so no state
 * can go stale between a check and the action that depends on it (bug #18). Its output is a Ready (types.ts), which the
 * driver consumes in a fixed order: persist, then send, then apply, then advance(). That ordering is what makes the
 * core's replies safe: a vote or an AppendEntries success leaves the process only after the state it reveals is durable.
 * The same code runs under the production driver and the deterministic simulator (sim/), which replays a seed exactly.
 *
 * Timer semantics follow hashicorp/raft (raft-notes.md §0.1), counted in ticks:
 * - follower: a timer fires after a random [T, 2T) (T = heartbeat timeout); it starts an election only when the last
 *   leader contact is at least T old, otherwise it re-arms. "Resetting the election timer" therefore means refreshing
 *   the last-contact time, which happens only on AppendEntries/InstallSnapshot from the current leader, when starting
 *   an election, and when granting a vote.
 * - candidate: gives up after a random [E, 2E) (E = election timeout) and starts over.
 * - leader: heartbeats each follower every random [T/10, T/5); makes sure followers hear the commit index every random
 *   [C, 2C) (C = commit timeout); steps down when it has not heard from a quorum of voters within the leader lease.
 *
 * Conventions that go slightly beyond types.ts (documented here because the driver and the simulator rely on them):
 * - append_resp.match: on success, prevIndex + entries.length of the request being answered (the request's own values);
 *   on rejection, the prevIndex that failed, so the leader can tell a current rejection from a stale one.
 * - append.ctx / append_resp.ctx: a per-core counter stamped on every AppendEntries and echoed back. It matches a
 *   response to the one outstanding request per follower, and tells read-index which acknowledgements came after a read
 *   was registered.
 * - compact(snapshot) fills in snapshot.meta.term and snapshot.meta.conf itself (in place), from the log and the
 *   configuration history, so what the driver persists always describes the index it names.
 * - A Ready must be advanced before the next ready() call (ready() throws otherwise). Work accumulates meanwhile, which
 *   is the group commit of raft-notes.md §3.2.
 * - Rejected proposals beyond MAX_UNCOMMITTED entries in flight, and proposals during a leadership transfer, answer
 *   {ok: false, reason: 'busy'} like a membership change in flight: "retry shortly".
 */
import type {
  ConfChange,
  ConfState,
  HardState,
  LogEntry,
  Msg,
  NodeId,
  ProposeResult,
  RaftConfig,
  RaftCoreApi,
  RaftEvent,
  Ready,
  RecoveredState,
  Role,
  Server,
  Snapshot,
} from './types.js'

/** At most this many entries may wait for commit on a leader; further proposals are refused as busy (bug #19). */
export const MAX_UNCOMMITTED = 4096
/** At most this many read-index requests wait on a leader; more are failed at once. */
export const MAX_PENDING_READS = 1024
/** Messages and events kept between two ready() calls; beyond that new ones are dropped (Raft retransmits). */
export const MAX_OUTBOX = 8192

interface Progress {
  id: NodeId
  /** Next index to send (an optimistic guess). */
  next: number
  /** Highest index known to be replicated there (safety; never decreases within a term). */
  match: number
  /** The one AppendEntries carrying entries that is outstanding, by ctx. */
  inflight: {ctx: number; sentAt: number} | null
  /** An InstallSnapshot that is outstanding. */
  snapInflight: {index: number; sentAt: number} | null
  /** Tick of the last response in the current term (check-quorum). */
  lastContact: number
  /** Highest ctx the follower acknowledged (read-index). */
  ackCtx: number
  heartbeatDue: number
  commitDue: number
  /** The commit index the follower was last told about. */
  sentCommit: number
}

interface ConfRecord {
  index: number
  conf: ConfState
}

interface PendingRead {
  reqId: string
  index: number
  /** Only acknowledgements of messages stamped ctx >= this count for the read. */
  ctx: number
}

type VoteResp = Extract<Msg, {granted: boolean}>

const EMPTY_CONF: ConfState = {servers: []}

function cloneConf(c: ConfState): ConfState {
  return {servers: c.servers.map((s) => ({id: s.id, httpAddr: s.httpAddr, voter: s.voter}))}
}

function sameConf(a: ConfState, b: ConfState): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function quorumOf(n: number): number {
  return Math.floor(n / 2) + 1
}

/** Validates the timing settings the way hashicorp/raft's ValidateConfig does (in ticks here). */
export function validateRaftConfig(c: RaftConfig): void {
  const positive: Array<[string, number]> = [
    ['tickMs', c.tickMs],
    ['heartbeatTimeoutTicks', c.heartbeatTimeoutTicks],
    ['electionTimeoutTicks', c.electionTimeoutTicks],
    ['leaderLeaseTimeoutTicks', c.leaderLeaseTimeoutTicks],
    ['commitTimeoutTicks', c.commitTimeoutTicks],
    ['maxAppendEntries', c.maxAppendEntries],
  ]
  for (const [name, v] of positive) {
    if (!Number.isFinite(v) || v < 1) throw new Error(`raft config: ${name} must be at least 1 (got ${v})`)
  }
  if (c.leaderLeaseTimeoutTicks > c.heartbeatTimeoutTicks) throw new Error('raft config: the leader lease timeout cannot be larger than the heartbeat timeout')
  if (c.electionTimeoutTicks < c.heartbeatTimeoutTicks) throw new Error('raft config: the election timeout must be at least the heartbeat timeout')
  if (c.maxAppendEntries > 1024) throw new Error('raft config: maxAppendEntries must be at most 1024')
  if (!Number.isInteger(c.trailingLogs) || c.trailingLogs < 0) throw new Error('raft config: trailingLogs must be a non-negative integer')
}

export class RaftCore implements RaftCoreApi {
  readonly id: NodeId
  private readonly cfg: RaftConfig

  // Persistent state (mirrored to storage through Ready).
  private term = 0
  private votedFor: NodeId | null = null
  /** log[i] has index logStart + i. */
  private log: LogEntry[] = []
  private logStart = 1
  /** Term of the entry at logStart - 1 when known (0 for an empty log from index 1). */
  private baseTerm: number | null = 0
  private snap: Snapshot | null = null
  private snapIndex = 0
  private snapTerm = 0

  // Volatile state.
  private role: Role = 'follower'
  private leader: NodeId | null = null
  private commit = 0
  /** Highest index handed out in Ready.committed (or covered by a handed-out snapshot). */
  private delivered = 0
  /** Highest index the driver confirmed applied (through advance). */
  private applied = 0
  /** Highest index known durable here (the leader counts itself toward commit only up to this). */
  private persisted = 0
  /** Configurations of the log: the first is the base (snapshot or empty), then every config entry after it. */
  private confs: ConfRecord[] = [{index: 0, conf: EMPTY_CONF}]
  private confCommittedSeen = 0

  // Time, in ticks.
  private now = 0
  private lastContact = Number.NEGATIVE_INFINITY
  private timerDue = 0
  private abortReported = false

  // Candidate state.
  private preVoting = false
  private campaignTransfer = false
  private votes = new Set<NodeId>()
  private refusals = new Set<NodeId>()
  private preVoteFailReported = false

  // Leader state.
  private progress = new Map<NodeId, Progress>()
  private leaderStart = 0
  private leaseDue = 0
  private msgSeq = 0
  private reads: PendingRead[] = []
  private readsAwaitingCommit: string[] = []
  private readBroadcastNeeded = false
  private transfer: {to: NodeId; due: number; sent: boolean} | null = null

  // Outboxes, drained by ready().
  private unstable: LogEntry[] = []
  private truncateFrom: number | undefined
  private snapOut: Snapshot | undefined
  private msgs: Msg[] = []
  private events: RaftEvent[] = []
  private readsReady: Array<{reqId: string; index: number}> = []
  private readsFailed: Array<{reqId: string; leader: NodeId | null}> = []
  private lastHard: HardState
  /** The soft state last handed out, so a change of leader alone still produces a Ready. */
  private lastSoft: {role: Role; term: number; leader: NodeId | null} = {role: 'follower', term: -1, leader: null}
  /** Highest log index handed to storage so far (what a truncation must reach). */
  private handedLast = 0
  private outstanding: Ready | null = null
  /** Lowest in-memory truncation since the outstanding Ready was handed out. */
  private truncatedSince = Number.POSITIVE_INFINITY

  constructor(config: RaftConfig, recovered: RecoveredState) {
    validateRaftConfig(config)
    this.cfg = config
    this.id = config.id
    const hs = recovered.hardState
    if (recovered.snapshot) {
      const s = recovered.snapshot
      this.snap = s
      this.snapIndex = s.meta.index
      this.snapTerm = s.meta.term
      this.confs = [{index: s.meta.index, conf: cloneConf(s.meta.conf)}]
    }
    let entries = recovered.entries
    for (let i = 1; i < entries.length; i++) {
      if (entries[i].index === entries[i - 1].index + 1) continue
      // A received snapshot replaces the log, so storage may hold stale entries below it, then a gap. What follows
      // the gap must start right after the snapshot; anything else is damage we must not paper over.
      if (this.snap && entries[i].index <= this.snapIndex + 1) {
        entries = entries.slice(i)
        i = 0
        continue
      }
      throw new Error(`raft: recovered log has a gap after index ${entries[i - 1].index}`)
    }
    if (entries.length > 0) {
      const first = entries[0].index
      const last = entries[entries.length - 1].index
      if (this.snap) {
        if (first > this.snapIndex + 1) throw new Error(`raft: recovered log starts at ${first}, after the snapshot at ${this.snapIndex}`)
        if (last < this.snapIndex) {
          entries = []
        } else if (first <= this.snapIndex && entries[this.snapIndex - first].term !== this.snapTerm) {
          // The stored entry at the snapshot index disagrees with the snapshot: nothing of the log can be trusted.
          entries = []
        }
      } else if (first !== 1) {
        throw new Error(`raft: recovered log starts at ${first} but there is no snapshot`)
      }
    }
    if (entries.length > 0) {
      this.log = entries.slice()
      this.logStart = entries[0].index
      this.baseTerm = this.logStart === 1 ? 0 : this.logStart === this.snapIndex + 1 ? this.snapTerm : null
    } else {
      this.log = []
      this.logStart = this.snapIndex + 1
      this.baseTerm = this.snapTerm
    }
    for (const e of this.log) {
      if (e.kind === 'config' && e.index > this.snapIndex) this.confs.push({index: e.index, conf: JSON.parse(e.data) as ConfState})
    }
    // A torn write can leave entries of a term whose hard-state record was lost; the term never goes behind the log.
    this.term = Math.max(hs.term, this.lastTerm())
    this.votedFor = this.term === hs.term ? hs.votedFor : null
    this.commit = Math.min(Math.max(hs.commit, this.snapIndex), this.lastIndex())
    this.delivered = this.snapIndex
    this.applied = this.snapIndex
    this.persisted = this.lastIndex()
    this.handedLast = this.lastIndex()
    this.lastHard = {term: hs.term, votedFor: hs.votedFor, commit: hs.commit}
    this.timerDue = this.randomIn(config.heartbeatTimeoutTicks, 2 * config.heartbeatTimeoutTicks)
    for (const c of this.confs) if (c.index <= this.commit) this.confCommittedSeen = c.index
    const latest = this.latestConf()
    if (latest.conf.servers.length > 0) this.emit({e: 'configurationChanged', index: latest.index, conf: cloneConf(latest.conf), committed: latest.index <= this.commit})
  }

  // ---------------------------------------------------------------- log helpers

  private lastIndex(): number {
    return this.logStart + this.log.length - 1
  }

  private lastTerm(): number {
    return this.termAt(this.lastIndex()) ?? 0
  }

  /** The term of the entry at `i`, or undefined when it is beyond the log or compacted away. */
  termAt(i: number): number | undefined {
    if (i === 0) return 0
    if (i > this.lastIndex() || i < 0) return undefined
    if (i >= this.logStart) return this.log[i - this.logStart].term
    if (i === this.logStart - 1 && this.baseTerm !== null) return this.baseTerm
    if (i === this.snapIndex) return this.snapTerm
    return undefined
  }

  /** The entry at `i` when it is still in the log (for tests and the simulator's invariant checks). */
  entryAt(i: number): LogEntry | undefined {
    if (i < this.logStart || i > this.lastIndex()) return undefined
    return this.log[i - this.logStart]
  }

  /** The first index still in the in-memory log. */
  firstIndex(): number {
    return this.logStart
  }

  /** The latest snapshot this core holds (taken locally or installed), or null. */
  currentSnapshot(): Snapshot | null {
    return this.snap
  }

  private latestConf(): ConfRecord {
    return this.confs[this.confs.length - 1]
  }

  private confAt(index: number): ConfState {
    let found = this.confs[0].conf
    for (const c of this.confs) {
      if (c.index <= index) found = c.conf
      else break
    }
    return found
  }

  /** The metadata a snapshot at `index` must carry (term and configuration as of that index), or null if unknown. */
  snapshotMeta(index: number): {index: number; term: number; conf: ConfState} | null {
    const term = this.termAt(index)
    if (term === undefined || index < this.confs[0].index) return null
    return {index, term, conf: cloneConf(this.confAt(index))}
  }

  private static voters(conf: ConfState): NodeId[] {
    return conf.servers.filter((s) => s.voter).map((s) => s.id)
  }

  private static isVoter(conf: ConfState, id: NodeId): boolean {
    return conf.servers.some((s) => s.id === id && s.voter)
  }

  private static member(conf: ConfState, id: NodeId): Server | undefined {
    return conf.servers.find((s) => s.id === id)
  }

  private randomIn(lo: number, hi: number): number {
    const low = Math.max(1, Math.floor(lo))
    const high = Math.max(low + 1, Math.floor(hi))
    return low + Math.floor(this.cfg.random() * (high - low))
  }

  private heartbeatInterval(): number {
    const t = this.cfg.heartbeatTimeoutTicks
    return this.randomIn(t / 10, t / 5)
  }

  /** How long an AppendEntries may stay unanswered before it is sent again. */
  private rpcTimeout(): number {
    return Math.max(3, Math.floor(this.cfg.heartbeatTimeoutTicks / 2))
  }

  private emit(ev: RaftEvent): void {
    if (this.events.length < MAX_OUTBOX) this.events.push(ev)
  }

  private send(m: Msg): void {
    if (this.msgs.length < MAX_OUTBOX) this.msgs.push(m)
  }

  // ---------------------------------------------------------------- appending and truncating

  private appendEntries(entries: LogEntry[]): void {
    for (const e of entries) {
      this.log.push(e)
      this.unstable.push(e)
      if (e.kind === 'config') {
        const conf = JSON.parse(e.data) as ConfState
        this.confs.push({index: e.index, conf})
        this.emit({e: 'configurationChanged', index: e.index, conf: cloneConf(conf), committed: false})
        this.onConfChanged()
      }
    }
  }

  /** Removes every entry at `from` and above (never a committed one). */
  private truncate(from: number): void {
    const last = this.lastIndex()
    if (from > last) return
    if (from <= this.commit) throw new Error(`raft: refusing to truncate committed entries (from ${from}, commit ${this.commit})`)
    this.emit({e: 'logTruncated', from, to: last})
    this.log.length = from - this.logStart
    this.unstable = this.unstable.filter((e) => e.index < from)
    if (from <= this.handedLast) this.truncateFrom = this.truncateFrom === undefined ? from : Math.min(this.truncateFrom, from)
    this.persisted = Math.min(this.persisted, from - 1)
    this.truncatedSince = Math.min(this.truncatedSince, from)
    const before = this.confs.length
    this.confs = this.confs.filter((c, i) => i === 0 || c.index < from)
    if (this.confs.length !== before) {
      const latest = this.latestConf()
      this.emit({e: 'configurationChanged', index: latest.index, conf: cloneConf(latest.conf), committed: latest.index <= this.commit})
      this.onConfChanged()
    }
  }

  // ---------------------------------------------------------------- role changes

  private becomeFollower(term: number, leader: NodeId | null): void {
    const wasRole = this.role
    const oldTerm = this.term
    const oldLeader = this.leader
    if (term > this.term) {
      this.term = term
      this.votedFor = null
    }
    if (wasRole === 'leader') this.stopLeading()
    this.role = 'follower'
    this.preVoting = false
    this.campaignTransfer = false
    this.leader = leader
    if (wasRole !== 'follower') this.timerDue = this.now + this.randomIn(this.cfg.heartbeatTimeoutTicks, 2 * this.cfg.heartbeatTimeoutTicks)
    if (wasRole !== 'follower' || this.term !== oldTerm || (leader !== null && leader !== oldLeader)) {
      this.emit({e: 'becameFollower', term: this.term, leader})
    }
    if (wasRole === 'leader') this.failReads()
  }

  private stopLeading(): void {
    this.progress.clear()
    this.transfer = null
    this.readBroadcastNeeded = false
  }

  private failReads(): void {
    for (const r of this.reads) this.readsFailed.push({reqId: r.reqId, leader: this.leader})
    for (const id of this.readsAwaitingCommit) this.readsFailed.push({reqId: id, leader: this.leader})
    this.reads = []
    this.readsAwaitingCommit = []
  }

  /** Adopts a newer term seen in any message (bug #4), stepping down from whatever role. */
  private adoptTerm(m: Msg, leader: NodeId | null): void {
    this.emit({e: 'newerTermSeen', term: m.term, from: m.from})
    if (this.role === 'leader' && (m.t === 'append_resp' || m.t === 'snapshot_resp')) this.emit({e: 'peerHasNewerTerm', peer: m.from, term: m.term})
    this.becomeFollower(m.term, leader)
  }

  private canCampaign(report: boolean): boolean {
    const conf = this.latestConf().conf
    if (conf.servers.length === 0) {
      if (report && !this.abortReported) this.emit({e: 'electionAborted', reason: 'no-known-peers'})
      this.abortReported = true
      return false
    }
    if (!RaftCore.isVoter(conf, this.id)) {
      if (report && !this.abortReported) this.emit({e: 'electionAborted', reason: 'not-in-configuration'})
      this.abortReported = true
      return false
    }
    return true
  }

  private startCampaign(preVote: boolean, transfer: boolean): void {
    const voters = RaftCore.voters(this.latestConf().conf)
    const needed = quorumOf(voters.length)
    this.role = 'candidate'
    this.leader = null
    this.campaignTransfer = transfer
    this.votes = new Set([this.id])
    this.refusals = new Set()
    this.preVoteFailReported = false
    this.timerDue = this.now + this.randomIn(this.cfg.electionTimeoutTicks, 2 * this.cfg.electionTimeoutTicks)
    if (!preVote) {
      this.startElection(true)
      return
    }
    this.preVoting = true
    this.emit({e: 'becameCandidate', term: this.term + 1, votesNeeded: needed})
    this.emit({e: 'preVoteStarted', term: this.term + 1})
    if (this.votes.size >= needed) {
      this.startElection(false)
      return
    }
    for (const v of voters) {
      if (v !== this.id) this.send({t: 'prevote', term: this.term + 1, from: this.id, to: v, lastIndex: this.lastIndex(), lastTerm: this.lastTerm()})
    }
  }

  private startElection(announce: boolean): void {
    const voters = RaftCore.voters(this.latestConf().conf)
    const needed = quorumOf(voters.length)
    this.preVoting = false
    this.role = 'candidate'
    this.leader = null
    this.term += 1
    this.votedFor = this.id
    this.lastContact = this.now
    this.votes = new Set([this.id])
    this.refusals = new Set()
    this.timerDue = this.now + this.randomIn(this.cfg.electionTimeoutTicks, 2 * this.cfg.electionTimeoutTicks)
    if (announce) this.emit({e: 'becameCandidate', term: this.term, votesNeeded: needed})
    if (this.votes.size >= needed) {
      this.becomeLeader()
      return
    }
    for (const v of voters) {
      if (v === this.id) continue
      const m: Msg = {t: 'vote', term: this.term, from: this.id, to: v, lastIndex: this.lastIndex(), lastTerm: this.lastTerm()}
      if (this.campaignTransfer) m.transfer = true
      this.send(m)
    }
  }

  private becomeLeader(): void {
    this.emit({e: 'electionWon', term: this.term, tally: this.votes.size})
    this.role = 'leader'
    this.leader = this.id
    this.preVoting = false
    this.campaignTransfer = false
    this.progress.clear()
    this.transfer = null
    this.reads = []
    this.readsAwaitingCommit = []
    this.leaseDue = this.now + this.cfg.leaderLeaseTimeoutTicks
    this.emit({e: 'becameLeader', term: this.term})
    for (const s of this.latestConf().conf.servers) if (s.id !== this.id) this.progress.set(s.id, this.newProgress(s.id))
    // The no-op lets this leader commit (and learn the commit point of) earlier terms' entries (Figure 8).
    this.leaderStart = this.lastIndex() + 1
    this.appendEntries([{index: this.leaderStart, term: this.term, kind: 'noop', data: ''}])
    for (const p of this.progress.values()) this.sendAppend(p)
    this.maybeCommit()
  }

  private newProgress(id: NodeId): Progress {
    return {
      id,
      next: this.lastIndex() + 1,
      match: 0,
      inflight: null,
      snapInflight: null,
      lastContact: this.now,
      ackCtx: 0,
      heartbeatDue: this.now,
      commitDue: this.now + this.randomIn(this.cfg.commitTimeoutTicks, 2 * this.cfg.commitTimeoutTicks),
      sentCommit: 0,
    }
  }

  /** Keeps the leader's replication targets in line with the latest configuration. */
  private onConfChanged(): void {
    this.abortReported = false
    if (this.role !== 'leader') return
    const conf = this.latestConf().conf
    for (const s of conf.servers) {
      if (s.id !== this.id && !this.progress.has(s.id)) {
        this.progress.set(s.id, this.newProgress(s.id))
        this.emit({e: 'peerAdded', peer: s.id})
      }
    }
    for (const [id, p] of this.progress) {
      if (!RaftCore.member(conf, id)) {
        this.progress.delete(id)
        this.emit({e: 'peerRemoved', peer: id, lastIndex: p.match})
        if (this.transfer?.to === id) this.transfer = null
      }
    }
  }

  // ---------------------------------------------------------------- public inputs

  tick(): void {
    this.now++
    if (this.role === 'leader') {
      this.leaderTick()
      return
    }
    if (this.now < this.timerDue) return
    if (this.role === 'candidate') {
      this.emit({e: 'electionTimeout', term: this.term})
      if (!this.canCampaign(true)) {
        this.becomeFollower(this.term, null)
        return
      }
      this.startCampaign(this.cfg.preVote, false)
      return
    }
    // Follower: hashicorp's heartbeat timer. It fires after [T, 2T) and acts only on silence of at least T.
    const t = this.cfg.heartbeatTimeoutTicks
    this.timerDue = this.now + this.randomIn(t, 2 * t)
    if (this.now - this.lastContact < t) return
    const lastLeader = this.leader
    this.leader = null
    if (!this.canCampaign(true)) return
    this.emit({e: 'heartbeatTimeout', term: this.term, lastLeader})
    this.startCampaign(this.cfg.preVote, false)
  }

  step(m: Msg): void {
    if (m.to !== this.id || m.from === this.id) return
    switch (m.t) {
      case 'prevote':
      case 'vote':
        this.onVoteRequest(m)
        return
      case 'prevote_resp':
        this.onPreVoteResponse(m)
        return
      case 'vote_resp':
        this.onVoteResponse(m)
        return
      case 'append':
        this.onAppend(m)
        return
      case 'append_resp':
        this.onAppendResponse(m)
        return
      case 'snapshot':
        this.onSnapshot(m)
        return
      case 'snapshot_resp':
        this.onSnapshotResponse(m)
        return
      case 'timeout_now':
        this.onTimeoutNow(m)
        return
    }
  }

  bootstrap(conf: ConfState): void {
    if (this.lastIndex() !== 0 || this.snapIndex !== 0 || this.latestConf().conf.servers.length > 0) {
      throw new Error('raft: bootstrap needs an empty node (this one already has a log or a configuration)')
    }
    if (conf.servers.length === 0) throw new Error('raft: bootstrap needs at least one server')
    if (this.term < 1) {
      this.term = 1
      this.votedFor = null
    }
    this.appendEntries([{index: 1, term: 1, kind: 'config', data: JSON.stringify(cloneConf(conf))}])
    if (RaftCore.isVoter(conf, this.id)) this.campaign()
    else this.canCampaign(true)
  }

  campaign(): void {
    if (this.role === 'leader' || !this.canCampaign(true)) return
    this.startCampaign(false, false)
  }

  propose(data: string): ProposeResult {
    if (this.role !== 'leader') return {ok: false, reason: 'not-leader', leader: this.leader}
    if (this.transfer || this.lastIndex() - this.commit >= MAX_UNCOMMITTED) return {ok: false, reason: 'busy'}
    const e: LogEntry = {index: this.lastIndex() + 1, term: this.term, kind: 'cmd', data}
    this.leaderAppend(e)
    return {ok: true, index: e.index, term: e.term}
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    if (this.role !== 'leader') return {ok: false, reason: 'not-leader', leader: this.leader}
    // At most one uncommitted configuration, and never before this leader committed an entry of its own term: the
    // fix for the 2015 single-server membership bug (bug #13).
    if (this.transfer || this.latestConf().index > this.commit || this.commit < this.leaderStart) return {ok: false, reason: 'busy'}
    const current = this.latestConf().conf
    const next = cloneConf(current)
    if (change.type === 'remove') {
      next.servers = next.servers.filter((s) => s.id !== change.id)
      if (RaftCore.voters(next).length === 0) return {ok: false, reason: 'busy'}
    } else {
      const voter = change.type === 'addVoter'
      const existing = next.servers.find((s) => s.id === change.server.id)
      if (existing) {
        existing.httpAddr = change.server.httpAddr
        existing.voter = existing.voter || voter
      } else {
        next.servers.push({id: change.server.id, httpAddr: change.server.httpAddr, voter})
      }
    }
    const e: LogEntry = {index: this.lastIndex() + 1, term: this.term, kind: 'config', data: JSON.stringify(next)}
    this.leaderAppend(e)
    return {ok: true, index: e.index, term: e.term}
  }

  private leaderAppend(e: LogEntry): void {
    this.appendEntries([e])
    for (const p of this.progress.values()) this.sendAppend(p)
    this.maybeCommit()
  }

  readIndex(reqId: string): void {
    if (this.role !== 'leader') {
      this.readsFailed.push({reqId, leader: this.leader})
      return
    }
    if (this.reads.length + this.readsAwaitingCommit.length >= MAX_PENDING_READS) {
      this.readsFailed.push({reqId, leader: this.id})
      return
    }
    if (this.commit < this.leaderStart) {
      this.readsAwaitingCommit.push(reqId)
      return
    }
    this.startRead(reqId)
  }

  private startRead(reqId: string): void {
    const voters = RaftCore.voters(this.latestConf().conf)
    if (voters.length === 1 && voters[0] === this.id) {
      this.readsReady.push({reqId, index: this.commit})
      return
    }
    this.reads.push({reqId, index: this.commit, ctx: this.msgSeq + 1})
    this.readBroadcastNeeded = true
  }

  transferLeadership(to: NodeId): boolean {
    if (this.role !== 'leader' || to === this.id || !RaftCore.isVoter(this.latestConf().conf, to)) return false
    const p = this.progress.get(to)
    if (!p) return false
    this.transfer = {to, due: this.now + this.cfg.electionTimeoutTicks, sent: false}
    this.emit({e: 'leadershipTransfer', to})
    this.maybeSendTimeoutNow(p)
    if (!this.transfer.sent) this.sendAppend(p)
    return true
  }

  private maybeSendTimeoutNow(p: Progress): void {
    if (!this.transfer || this.transfer.sent || this.transfer.to !== p.id) return
    if (p.match !== this.lastIndex()) return
    this.transfer.sent = true
    this.send({t: 'timeout_now', term: this.term, from: this.id, to: p.id})
  }

  compact(snapshot: Snapshot): {compactTo: number} | null {
    const index = snapshot.meta.index
    if (index <= this.snapIndex || index > this.applied) return null
    const meta = this.snapshotMeta(index)
    if (!meta) return null
    snapshot.meta.term = meta.term
    snapshot.meta.conf = meta.conf
    this.snap = snapshot
    this.snapIndex = index
    this.snapTerm = meta.term
    const compactTo = Math.max(this.logStart, Math.min(index, this.lastIndex() - this.cfg.trailingLogs) + 1)
    if (compactTo > this.logStart) {
      this.baseTerm = this.termAt(compactTo - 1) ?? null
      this.log.splice(0, compactTo - this.logStart)
      this.logStart = compactTo
    }
    // The configuration in effect at the snapshot becomes the base; it keeps the index of its own entry.
    const base = [...this.confs].reverse().find((c) => c.index <= index) ?? this.confs[0]
    this.confs = [base, ...this.confs.filter((c) => c.index > index)]
    this.emit({e: 'snapshotTaken', index, compactedTo: compactTo - 1})
    return {compactTo}
  }

  // ---------------------------------------------------------------- elections

  /** A live leader other than the candidate was heard within the heartbeat timeout (time-based stickiness). */
  private hasLiveLeader(candidate: NodeId): boolean {
    if (this.role === 'leader') return true
    return this.leader !== null && this.leader !== candidate && this.now - this.lastContact < this.cfg.heartbeatTimeoutTicks
  }

  private onVoteRequest(m: Extract<Msg, {t: 'prevote' | 'vote'}>): void {
    const pre = m.t === 'prevote'
    const respond = (granted: boolean, reason?: string): void => {
      const resp: Msg = {t: pre ? 'prevote_resp' : 'vote_resp', term: pre && granted ? m.term : this.term, from: this.id, to: m.from, granted}
      if (reason) resp.reason = reason
      this.send(resp)
    }
    // Leader stickiness comes first, before the term is looked at (hashicorp order): a node that hears a live leader
    // neither votes nor adopts the candidate's term. A leadership transfer bypasses it.
    if (!m.transfer && this.hasLiveLeader(m.from)) {
      const leader = this.role === 'leader' ? this.id : (this.leader as NodeId)
      this.emit({e: 'voteRejected', term: this.term, candidate: m.from, reason: 'has-leader', leader})
      respond(false, 'has-leader')
      return
    }
    if (m.term < this.term) {
      // Answer with our term so a node stuck in an old term catches up (bug #16).
      this.emit({e: 'voteRejected', term: this.term, candidate: m.from, reason: 'stale-term', ours: this.term, theirs: m.term})
      respond(false, 'stale-term')
      return
    }
    if (!pre && m.term > this.term) this.adoptTerm(m, null)
    const ourTerm = this.lastTerm()
    const ourIndex = this.lastIndex()
    // A candidate that is not a voter in our configuration is refused (a removed server must not disrupt), unless its
    // log is strictly newer than ours: then it may know a configuration we have not seen yet, and refusing it can
    // deadlock the cluster (found by the simulator: a lagging voter holding an old configuration refused the only
    // electable candidate forever). With equal logs both sides know the same configuration, so the refusal is sound.
    const conf = this.latestConf().conf
    const candidateNewer = m.lastTerm > ourTerm || (m.lastTerm === ourTerm && m.lastIndex > ourIndex)
    if (conf.servers.length > 0 && !RaftCore.isVoter(conf, m.from) && !candidateNewer) {
      this.emit({e: 'voteRejected', term: this.term, candidate: m.from, reason: 'not-in-configuration'})
      respond(false, 'not-in-configuration')
      return
    }
    if (m.term === this.term && this.votedFor !== null && this.votedFor !== m.from) {
      this.emit({e: 'voteRejected', term: this.term, candidate: m.from, reason: 'already-voted'})
      respond(false, 'already-voted')
      return
    }
    // Up-to-date check: last term first, then last index (bug #6).
    if (ourTerm > m.lastTerm) {
      this.emit({e: 'voteRejected', term: this.term, candidate: m.from, reason: 'last-term-greater', ours: ourTerm, theirs: m.lastTerm})
      respond(false, 'last-term-greater')
      return
    }
    if (ourTerm === m.lastTerm && ourIndex > m.lastIndex) {
      this.emit({e: 'voteRejected', term: this.term, candidate: m.from, reason: 'last-index-greater', ours: ourIndex, theirs: m.lastIndex})
      respond(false, 'last-index-greater')
      return
    }
    if (!pre) {
      // Persisted before the reply leaves: the Ready carries the hard state ahead of the message.
      this.votedFor = m.from
      this.lastContact = this.now
    }
    respond(true)
  }

  private onPreVoteResponse(m: VoteResp): void {
    if (!m.granted && m.term > this.term) {
      this.adoptTerm(m, null)
      return
    }
    if (this.role !== 'candidate' || !this.preVoting || m.term !== this.term + (m.granted ? 1 : 0)) return
    const voters = RaftCore.voters(this.latestConf().conf)
    if (!voters.includes(m.from)) return
    const needed = quorumOf(voters.length)
    if (m.granted) {
      this.votes.add(m.from)
      if (this.votes.size >= needed) this.startElection(false)
      return
    }
    this.refusals.add(m.from)
    if (!this.preVoteFailReported && voters.length - this.refusals.size < needed) {
      this.preVoteFailReported = true
      this.emit({e: 'preVoteFailed', term: this.term + 1, granted: this.votes.size, refused: this.refusals.size, needed})
    }
  }

  private onVoteResponse(m: VoteResp): void {
    if (m.term > this.term) {
      this.adoptTerm(m, null)
      return
    }
    if (this.role !== 'candidate' || this.preVoting || m.term !== this.term) return
    const voters = RaftCore.voters(this.latestConf().conf)
    if (!voters.includes(m.from)) return
    if (!m.granted) {
      this.refusals.add(m.from)
      return
    }
    // A set, so a duplicated response never counts twice (bug #5).
    if (this.votes.has(m.from)) return
    this.votes.add(m.from)
    this.emit({e: 'voteGranted', term: this.term, from: m.from, tally: this.votes.size})
    if (this.votes.size >= quorumOf(voters.length)) this.becomeLeader()
  }

  private onTimeoutNow(m: Extract<Msg, {t: 'timeout_now'}>): void {
    if (m.term < this.term) return
    if (m.term > this.term) this.adoptTerm(m, null)
    if (this.role === 'leader' || !this.canCampaign(true)) return
    // Leadership transfer: campaign at once, skipping pre-vote, and ask voters to ignore their leader.
    this.startCampaign(false, true)
  }

  // ---------------------------------------------------------------- replication, follower side

  private noteLeaderContact(leader: NodeId): void {
    if (this.role !== 'follower') this.becomeFollower(this.term, leader)
    else if (this.leader !== leader) {
      this.leader = leader
      this.emit({e: 'becameFollower', term: this.term, leader})
    }
    this.lastContact = this.now
    this.abortReported = false
  }

  private onAppend(m: Extract<Msg, {t: 'append'}>): void {
    const reject = (extra: {conflictTerm?: number; conflictIndex?: number}): void => {
      const resp: Msg = {t: 'append_resp', term: this.term, from: this.id, to: m.from, ok: false, match: m.prevIndex, lastIndex: this.lastIndex(), ...extra}
      if (m.ctx !== undefined) resp.ctx = m.ctx
      this.send(resp)
    }
    if (m.term < this.term) {
      reject({})
      return
    }
    if (m.term > this.term) this.adoptTerm(m, m.from)
    this.noteLeaderContact(m.from)

    let prevIndex = m.prevIndex
    let prevTerm = m.prevTerm
    let entries = m.entries
    const requestEnd = m.prevIndex + m.entries.length
    // Entries up to our commit index are committed and therefore identical to the leader's: skip them. This also
    // covers a prefix we no longer hold because it went into a snapshot.
    if (prevIndex < this.commit) {
      const skip = this.commit - prevIndex
      if (entries.length <= skip) {
        this.acceptAppend(m, requestEnd)
        return
      }
      prevTerm = entries[skip - 1].term
      prevIndex = this.commit
      entries = entries.slice(skip)
    }
    // The consistency check applies to every AppendEntries, heartbeats included (bug #8).
    if (prevIndex > this.lastIndex()) {
      reject({conflictIndex: this.lastIndex() + 1})
      return
    }
    const ours = this.termAt(prevIndex)
    if (ours !== prevTerm) {
      if (ours === undefined) {
        reject({conflictIndex: this.commit + 1})
        return
      }
      let first = prevIndex
      while (first - 1 > this.commit && first - 1 >= this.logStart && this.termAt(first - 1) === ours) first--
      reject({conflictTerm: ours, conflictIndex: first})
      return
    }
    // Truncate only on a real term conflict (bug #7): a delayed or duplicated request that matches changes nothing.
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]
      if (e.index > this.lastIndex()) {
        this.appendEntries(entries.slice(i))
        break
      }
      if (this.termAt(e.index) !== e.term) {
        this.truncate(e.index)
        this.appendEntries(entries.slice(i))
        break
      }
    }
    this.acceptAppend(m, requestEnd)
  }

  private acceptAppend(m: Extract<Msg, {t: 'append'}>, verifiedTo: number): void {
    // Commit no further than what this request verified, never our possibly stale tail (bug #8).
    const newCommit = Math.min(m.commit, verifiedTo)
    if (newCommit > this.commit) this.setCommit(newCommit)
    const resp: Msg = {t: 'append_resp', term: this.term, from: this.id, to: m.from, ok: true, match: verifiedTo, lastIndex: this.lastIndex()}
    if (m.ctx !== undefined) resp.ctx = m.ctx
    this.send(resp)
  }

  private onSnapshot(m: Extract<Msg, {t: 'snapshot'}>): void {
    if (m.term < this.term) {
      this.send({t: 'snapshot_resp', term: this.term, from: this.id, to: m.from, match: 0, ok: false})
      return
    }
    if (m.term > this.term) this.adoptTerm(m, m.from)
    this.noteLeaderContact(m.from)
    const s = m.snapshot
    const index = s.meta.index
    // At or below our commit index we already have all of it; the snapshot index never goes back (hashicorp#248).
    if (index > this.commit && index > this.snapIndex) this.installSnapshot(s)
    this.send({t: 'snapshot_resp', term: this.term, from: this.id, to: m.from, match: index, ok: true})
  }

  private installSnapshot(s: Snapshot): void {
    const index = s.meta.index
    if (this.termAt(index) === s.meta.term) {
      // Our log agrees at the snapshot index: keep what follows it.
      this.log.splice(0, index + 1 - this.logStart)
    } else {
      // Otherwise nothing after our commit index can be trusted (hashicorp#697). Committed entries stay in storage
      // until compaction: deleting them before the snapshot is durable could lose entries we acknowledged.
      if (this.handedLast > this.commit) this.truncateFrom = this.truncateFrom === undefined ? this.commit + 1 : Math.min(this.truncateFrom, this.commit + 1)
      if (this.lastIndex() > this.commit) this.emit({e: 'logTruncated', from: this.commit + 1, to: this.lastIndex()})
      this.truncatedSince = Math.min(this.truncatedSince, this.commit + 1)
      this.persisted = Math.min(this.persisted, this.commit)
      this.log = []
      this.unstable = []
    }
    this.unstable = this.unstable.filter((e) => e.index > index)
    this.logStart = index + 1
    this.baseTerm = s.meta.term
    this.snap = s
    this.snapIndex = index
    this.snapTerm = s.meta.term
    this.snapOut = s
    const before = this.latestConf()
    const committedBefore = this.confAt(this.confCommittedSeen)
    // A received snapshot does not say where its configuration was decided: count it as of the snapshot index.
    this.confs = [{index, conf: cloneConf(s.meta.conf)}]
    if (this.confCommittedSeen < index && sameConf(s.meta.conf, committedBefore)) this.confCommittedSeen = index
    for (const e of this.log) if (e.kind === 'config') this.confs.push({index: e.index, conf: JSON.parse(e.data) as ConfState})
    this.commit = Math.max(this.commit, index)
    this.delivered = index
    this.emit({e: 'snapshotInstalled', index, term: s.meta.term})
    const after = this.latestConf()
    if (after.index !== before.index || !sameConf(after.conf, before.conf)) {
      // A committed one is reported by noteCommittedConf below.
      if (after.index > this.commit) this.emit({e: 'configurationChanged', index: after.index, conf: cloneConf(after.conf), committed: false})
      this.onConfChanged()
    }
    this.noteCommittedConf()
  }

  private setCommit(n: number): void {
    this.commit = n
    this.noteCommittedConf()
    if (this.role !== 'leader') return
    if (this.readsAwaitingCommit.length > 0 && this.commit >= this.leaderStart) {
      const waiting = this.readsAwaitingCommit
      this.readsAwaitingCommit = []
      for (const id of waiting) this.startRead(id)
    }
    const latest = this.latestConf()
    if (latest.index <= this.commit && !RaftCore.isVoter(latest.conf, this.id)) this.leaveAfterRemoval()
  }

  /** Reports configurations that became committed, and our own removal. */
  private noteCommittedConf(): void {
    let newest: ConfRecord | undefined
    for (const c of this.confs) if (c.index <= this.commit && c.index > this.confCommittedSeen) newest = c
    if (!newest) return
    const previous = this.confAt(this.confCommittedSeen)
    this.confCommittedSeen = newest.index
    this.emit({e: 'configurationChanged', index: newest.index, conf: cloneConf(newest.conf), committed: true})
    if (this.role !== 'leader' && RaftCore.member(previous, this.id) && !RaftCore.member(newest.conf, this.id)) this.emit({e: 'removedSelf'})
  }

  /** The leader's removal committed: step down and hand over to the most up-to-date remaining voter. */
  private leaveAfterRemoval(): void {
    let best: Progress | null = null
    for (const v of RaftCore.voters(this.latestConf().conf)) {
      const p = this.progress.get(v)
      if (p && (!best || p.match > best.match)) best = p
    }
    this.emit({e: 'removedSelf'})
    this.becomeFollower(this.term, null)
    if (best) {
      this.emit({e: 'leadershipTransfer', to: best.id})
      this.send({t: 'timeout_now', term: this.term, from: this.id, to: best.id})
    }
  }

  // ---------------------------------------------------------------- replication, leader side

  /** The entries this follower needs next are gone from our log: only a snapshot can help it. */
  private needsSnapshot(p: Progress): boolean {
    return p.next < this.logStart || this.termAt(p.next - 1) === undefined
  }

  private sendAppend(p: Progress): void {
    if (p.inflight || p.snapInflight) return
    const prevIndex = p.next - 1
    const prevTerm = this.termAt(prevIndex)
    if (prevTerm === undefined || p.next < this.logStart) {
      this.sendSnapshot(p)
      return
    }
    const last = Math.min(this.lastIndex(), prevIndex + this.cfg.maxAppendEntries)
    const entries = last > prevIndex ? this.log.slice(prevIndex + 1 - this.logStart, last + 1 - this.logStart) : []
    const ctx = ++this.msgSeq
    const commit = Math.min(this.commit, last)
    if (entries.length > 0) p.inflight = {ctx, sentAt: this.now}
    p.sentCommit = Math.max(p.sentCommit, commit)
    p.heartbeatDue = this.now + this.heartbeatInterval()
    this.send({t: 'append', term: this.term, from: this.id, to: p.id, prevIndex, prevTerm, entries, commit, ctx})
  }

  /** An empty AppendEntries anchored at the follower's match index: it carries the commit index safely. */
  private sendHeartbeat(p: Progress): void {
    let prevIndex = p.match
    let prevTerm = this.termAt(prevIndex)
    if (prevTerm === undefined) {
      prevIndex = 0
      prevTerm = 0
    }
    const commit = Math.min(this.commit, prevIndex)
    p.sentCommit = Math.max(p.sentCommit, commit)
    p.heartbeatDue = this.now + this.heartbeatInterval()
    this.send({t: 'append', term: this.term, from: this.id, to: p.id, prevIndex, prevTerm, entries: [], commit, ctx: ++this.msgSeq})
  }

  private sendSnapshot(p: Progress): void {
    if (p.snapInflight || !this.snap) return
    p.snapInflight = {index: this.snapIndex, sentAt: this.now}
    p.heartbeatDue = this.now + this.heartbeatInterval()
    this.emit({e: 'snapshotSent', peer: p.id, index: this.snapIndex})
    this.send({t: 'snapshot', term: this.term, from: this.id, to: p.id, snapshot: this.snap})
  }

  private leaderTick(): void {
    const rpcTimeout = this.rpcTimeout()
    for (const p of this.progress.values()) {
      if (p.inflight && this.now - p.inflight.sentAt >= rpcTimeout) p.inflight = null
      if (p.snapInflight && this.now - p.snapInflight.sentAt >= 2 * rpcTimeout) p.snapInflight = null
      const idle = !p.inflight && !p.snapInflight
      if (idle && (p.next <= this.lastIndex() || this.needsSnapshot(p))) {
        this.sendAppend(p)
      } else if (this.now >= p.heartbeatDue) {
        this.sendHeartbeat(p)
      }
      if (this.now >= p.commitDue) {
        p.commitDue = this.now + this.randomIn(this.cfg.commitTimeoutTicks, 2 * this.cfg.commitTimeoutTicks)
        if (p.sentCommit < Math.min(this.commit, p.match)) this.sendHeartbeat(p)
      }
    }
    if (this.transfer && this.now >= this.transfer.due) this.transfer = null
    if (this.now >= this.leaseDue) {
      this.leaseDue = this.now + this.cfg.leaderLeaseTimeoutTicks
      this.checkQuorum()
    }
  }

  private checkQuorum(): void {
    if (!this.cfg.checkQuorum || this.role !== 'leader') return
    const voters = RaftCore.voters(this.latestConf().conf)
    const lease = this.cfg.leaderLeaseTimeoutTicks
    let contacted = 0
    for (const v of voters) {
      if (v === this.id) {
        contacted++
        continue
      }
      const p = this.progress.get(v)
      if (!p) continue
      const since = this.now - p.lastContact
      if (since <= lease) contacted++
      else this.emit({e: 'peerContactLost', peer: v, sinceTicks: since})
    }
    if (contacted < quorumOf(voters.length)) {
      this.emit({e: 'quorumLost', term: this.term})
      this.becomeFollower(this.term, null)
    }
  }

  /**
   * The sender's progress for a response to this leader, with its contact time updated; undefined when the response
   * must be ignored. A newer term deposes us first; responses to another term are ignored (term confusion, bug #4).
   */
  private responder(m: Extract<Msg, {t: 'append_resp' | 'snapshot_resp'}>): Progress | undefined {
    if (m.term > this.term) {
      this.adoptTerm(m, null)
      return undefined
    }
    if (m.term < this.term || this.role !== 'leader') return undefined
    const p = this.progress.get(m.from)
    if (p) p.lastContact = this.now
    return p
  }

  private onAppendResponse(m: Extract<Msg, {t: 'append_resp'}>): void {
    const p = this.responder(m)
    if (!p) return
    if (m.ctx !== undefined && m.ctx > p.ackCtx) p.ackCtx = m.ctx
    const answersInflight = p.inflight !== null && m.ctx === p.inflight.ctx
    if (answersInflight) p.inflight = null
    if (m.ok) {
      // matchIndex comes from the request's own values, carried back in `match` (bug #9).
      if (m.match > p.match) {
        p.match = m.match
        this.maybeCommit()
      }
      if (p.next < p.match + 1) p.next = p.match + 1
    } else if (m.match === p.next - 1) {
      let next: number
      if (m.conflictTerm !== undefined) {
        const ours = this.lastIndexOfTerm(m.conflictTerm, m.match)
        next = ours !== undefined ? ours + 1 : (m.conflictIndex ?? m.match)
      } else {
        next = m.conflictIndex ?? Math.min(m.lastIndex + 1, p.next - 1)
      }
      next = Math.max(Math.min(next, p.next - 1), p.match + 1, 1)
      p.next = next
      p.inflight = null
      this.emit({e: 'appendRejected', peer: p.id, next})
    }
    if (this.role !== 'leader') return
    this.maybeSendTimeoutNow(p)
    if (p.next <= this.lastIndex() || this.needsSnapshot(p)) this.sendAppend(p)
    this.checkReads()
  }

  private lastIndexOfTerm(term: number, upTo: number): number | undefined {
    for (let i = Math.min(upTo, this.lastIndex()); i >= this.logStart; i--) {
      const t = this.log[i - this.logStart].term
      if (t === term) return i
      if (t < term) return undefined
    }
    return undefined
  }

  private onSnapshotResponse(m: Extract<Msg, {t: 'snapshot_resp'}>): void {
    const p = this.responder(m)
    if (!p) return
    p.snapInflight = null
    if (m.ok && m.match > p.match) {
      p.match = m.match
      this.maybeCommit()
    }
    if (p.next < p.match + 1) p.next = p.match + 1
    if (this.role !== 'leader') return
    this.maybeSendTimeoutNow(p)
    this.sendAppend(p)
  }

  /** Commit = the highest index a quorum of voters holds durably, if it belongs to this term (Figure 8, bug #10). */
  private maybeCommit(): void {
    if (this.role !== 'leader') return
    const voters = RaftCore.voters(this.latestConf().conf)
    if (voters.length === 0) return
    const matches = voters.map((v) => (v === this.id ? Math.min(this.persisted, this.lastIndex()) : (this.progress.get(v)?.match ?? 0)))
    matches.sort((a, b) => b - a)
    const n = matches[quorumOf(voters.length) - 1]
    if (n > this.commit && this.termAt(n) === this.term) this.setCommit(n)
  }

  private checkReads(): void {
    if (this.reads.length === 0 || this.role !== 'leader') return
    const voters = RaftCore.voters(this.latestConf().conf)
    const needed = quorumOf(voters.length)
    let served = 0
    for (const r of this.reads) {
      let acks = 0
      for (const v of voters) {
        if (v === this.id) acks++
        else if ((this.progress.get(v)?.ackCtx ?? 0) >= r.ctx) acks++
      }
      if (acks < needed) break
      this.readsReady.push({reqId: r.reqId, index: r.index})
      served++
    }
    if (served > 0) this.reads.splice(0, served)
  }

  // ---------------------------------------------------------------- Ready

  private hardStateNow(): HardState {
    const commit = this.truncateFrom !== undefined ? Math.min(this.commit, this.truncateFrom - 1) : this.commit
    return {term: this.term, votedFor: this.votedFor, commit}
  }

  ready(): Ready | null {
    if (this.outstanding) throw new Error('raft: ready() called again before advance() of the previous Ready')
    if (this.role === 'leader' && this.readBroadcastNeeded) {
      this.readBroadcastNeeded = false
      for (const p of this.progress.values()) if (RaftCore.isVoter(this.latestConf().conf, p.id)) this.sendHeartbeat(p)
      this.checkReads()
    }
    const hs = this.hardStateNow()
    const hsChanged = hs.term !== this.lastHard.term || hs.votedFor !== this.lastHard.votedFor || hs.commit !== this.lastHard.commit
    const committed = this.commit > this.delivered ? this.log.slice(this.delivered + 1 - this.logStart, this.commit + 1 - this.logStart) : []
    const soft = {role: this.role, term: this.term, leader: this.leader}
    const softChanged = soft.role !== this.lastSoft.role || soft.term !== this.lastSoft.term || soft.leader !== this.lastSoft.leader
    if (
      !hsChanged &&
      !softChanged &&
      this.unstable.length === 0 &&
      this.truncateFrom === undefined &&
      !this.snapOut &&
      this.msgs.length === 0 &&
      committed.length === 0 &&
      this.readsReady.length === 0 &&
      this.readsFailed.length === 0 &&
      this.events.length === 0
    ) {
      return null
    }
    const r: Ready = {
      entries: this.unstable,
      messages: this.msgs,
      committed,
      readsReady: this.readsReady,
      readsFailed: this.readsFailed,
      events: this.events,
      soft,
    }
    this.lastSoft = soft
    if (hsChanged) r.hardState = hs
    if (this.truncateFrom !== undefined) r.truncateFrom = this.truncateFrom
    if (this.snapOut) r.snapshot = this.snapOut
    this.lastHard = hs
    this.unstable = []
    this.truncateFrom = undefined
    this.snapOut = undefined
    this.msgs = []
    this.readsReady = []
    this.readsFailed = []
    this.events = []
    this.delivered = Math.max(this.delivered, this.commit)
    this.handedLast = this.lastIndex()
    this.truncatedSince = Number.POSITIVE_INFINITY
    this.outstanding = r
    return r
  }

  advance(r: Ready): void {
    if (r !== this.outstanding) throw new Error('raft: advance() called with a Ready that is not the outstanding one')
    this.outstanding = null
    let persisted = this.persisted
    if (r.truncateFrom !== undefined) persisted = Math.min(persisted, r.truncateFrom - 1)
    if (r.snapshot) persisted = Math.max(persisted, r.snapshot.meta.index)
    if (r.entries.length > 0) persisted = r.entries[r.entries.length - 1].index
    this.persisted = Math.min(persisted, this.truncatedSince - 1, this.lastIndex())
    if (r.snapshot) this.applied = Math.max(this.applied, r.snapshot.meta.index)
    if (r.committed.length > 0) this.applied = Math.max(this.applied, r.committed[r.committed.length - 1].index)
    this.maybeCommit()
  }

  status(): {role: Role; term: number; leader: NodeId | null; commit: number; applied: number; lastIndex: number; conf: ConfState; confIndex: number; snapshotIndex: number} {
    const latest = this.latestConf()
    return {
      role: this.role,
      term: this.term,
      leader: this.leader,
      commit: this.commit,
      applied: this.applied,
      lastIndex: this.lastIndex(),
      conf: cloneConf(latest.conf),
      confIndex: latest.index,
      snapshotIndex: this.snapIndex,
    }
  }
}
