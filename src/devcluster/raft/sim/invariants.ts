/**
 * The simulator's invariant checker. It keeps "ghost" state outside the nodes (who led which term, which votes became
 * durable, which entry was applied at each index, which writes were acknowledged) and checks after every event that
 * the Raft guarantees hold (raft-notes.md §3.4): election safety, vote uniqueness and term monotonicity across
 * restarts, log matching, leader completeness, state machine safety, commit never beyond the log, no acknowledged
 * write lost, linearizable read-index reads, and convergence after the heal phase.
 */
import type {RaftCore} from '../core.js'
import type {HardState, LogEntry, NodeId} from '../types.js'
import type {KvFsm} from './workload.js'

export class InvariantViolation extends Error {
  constructor(readonly invariant: string, message: string) {
    super(`${invariant}: ${message}`)
    this.name = 'InvariantViolation'
  }
}

interface CommittedEntry {
  term: number
  kind: string
  data: string
}

export class Checker {
  /** term → the node that led it. */
  private leaders = new Map<number, NodeId>()
  /** `${node}@${term}` → the candidate whose vote became durable. */
  private votes = new Map<string, NodeId | null>()
  private durableTerms = new Map<NodeId, number>()
  /** `${node}@${term}` → the candidate a granted vote was sent to. */
  private revealed = new Map<string, NodeId>()
  /** index → the entry some node applied there (it never changes). */
  readonly committed: Array<CommittedEntry | undefined> = []
  /** index → the term in which it was first seen committed (the committing leader's term). */
  private committedIn: number[] = []
  private maxCommitted = 0
  /** index → the applied-stream hash after that index. */
  private streams: Array<string | undefined> = []
  maxApplied = 0
  /** request id → index of the entry whose application acknowledged it. */
  readonly acked = new Map<string, number>()
  private maxAcked = 0
  reads = 0

  fail(invariant: string, message: string): never {
    throw new InvariantViolation(invariant, message)
  }

  onLeader(node: NodeId, term: number): void {
    const prev = this.leaders.get(term)
    if (prev !== undefined && prev !== node) this.fail('election-safety', `${prev} and ${node} both led term ${term}`)
    this.leaders.set(term, node)
  }

  onDurableHardState(node: NodeId, hs: HardState): void {
    const last = this.durableTerms.get(node) ?? 0
    if (hs.term < last) this.fail('term-monotonic', `${node} made term ${hs.term} durable after term ${last}`)
    this.durableTerms.set(node, hs.term)
    const key = `${node}@${hs.term}`
    const prev = this.votes.get(key)
    if (prev !== undefined && prev !== null && prev !== hs.votedFor) this.fail('vote-uniqueness', `${node} voted for ${prev} and then ${hs.votedFor} in term ${hs.term}`)
    if (hs.votedFor !== null || prev === undefined) this.votes.set(key, hs.votedFor)
  }

  /** A granted vote left a node: whatever happens to it later, it may never grant another candidate that term. */
  onVoteRevealed(node: NodeId, term: number, candidate: NodeId): void {
    const key = `${node}@${term}`
    const prev = this.revealed.get(key)
    if (prev !== undefined && prev !== candidate) this.fail('vote-uniqueness', `${node} granted its term-${term} vote to ${prev} and then to ${candidate}`)
    this.revealed.set(key, candidate)
  }

  /** A node applied `e`; `fsm` is its state machine after the entry. */
  onApply(node: NodeId, e: LogEntry, fsm: KvFsm): void {
    const known = this.committed[e.index]
    if (known) {
      if (known.term !== e.term || known.kind !== e.kind || known.data !== e.data) {
        this.fail('state-machine-safety', `${node} applied ${e.kind}@${e.index}/t${e.term} where ${known.kind}@${e.index}/t${known.term} was applied before`)
      }
    } else {
      this.committed[e.index] = {term: e.term, kind: e.kind, data: e.data}
    }
    const stream = this.streams[e.index]
    if (stream !== undefined && stream !== fsm.stream) this.fail('state-machine-safety', `${node}'s applied stream differs from another node's at index ${e.index}`)
    this.streams[e.index] = fsm.stream
    if (e.index > this.maxApplied) this.maxApplied = e.index
  }

  /** A node restored its state machine from a snapshot at `index`. */
  onRestore(node: NodeId, index: number, fsm: KvFsm): void {
    const stream = this.streams[index]
    if (stream !== undefined && stream !== fsm.stream) this.fail('state-machine-safety', `${node} restored a snapshot at ${index} whose applied stream differs`)
    this.streams[index] = fsm.stream
  }

  /**
   * A node's commit index reached `commit` while it was in `term`. A follower learns a commit index only from a leader
   * of its own term, so the first time an index is seen committed, the observer's term is the committing term.
   */
  onCommit(commit: number, term: number): void {
    for (let i = this.maxCommitted + 1; i <= commit; i++) this.committedIn[i] = term
    if (commit > this.maxCommitted) this.maxCommitted = commit
  }

  /**
   * Leader Completeness: a leader of term T holds every entry committed in a term before T (above its own snapshot).
   * Entries committed in T or later are not its business: a stale leader of an older term may still be elected, and it
   * cannot commit anything (state machine safety would catch it if it did).
   */
  checkLeaderCompleteness(node: NodeId, core: RaftCore): void {
    const st = core.status()
    for (let i = st.snapshotIndex + 1; i <= this.maxApplied; i++) {
      const known = this.committed[i]
      if (!known || (this.committedIn[i] ?? Number.POSITIVE_INFINITY) >= st.term) continue
      const e = core.entryAt(i)
      if (!e || e.term !== known.term || e.data !== known.data) {
        this.fail('leader-completeness', `${node} became leader in term ${st.term} without the committed entry at ${i} (has ${e ? `t${e.term}` : 'nothing'})`)
      }
    }
  }

  /** Cheap per-node checks after every event. */
  checkNode(node: NodeId, core: RaftCore): void {
    const st = core.status()
    this.onCommit(st.commit, st.term)
    if (st.commit > st.lastIndex) this.fail('commit-within-log', `${node} has commit ${st.commit} beyond its last index ${st.lastIndex}`)
    if (st.applied > st.commit) this.fail('applied-within-commit', `${node} applied ${st.applied} beyond commit ${st.commit}`)
  }

  /** Log matching: if two logs hold an entry with the same index and term, they are identical up to there. */
  checkLogMatching(cores: Array<[NodeId, RaftCore]>): void {
    for (let a = 0; a < cores.length; a++) {
      for (let b = a + 1; b < cores.length; b++) {
        const [ida, ca] = cores[a]
        const [idb, cb] = cores[b]
        const lo = Math.max(ca.firstIndex(), cb.firstIndex())
        const hi = Math.min(ca.status().lastIndex, cb.status().lastIndex)
        let matched = false
        for (let i = hi; i >= lo; i--) {
          const ea = ca.entryAt(i)
          const eb = cb.entryAt(i)
          if (!ea || !eb) continue
          if (!matched && ea.term === eb.term) matched = true
          if (matched && (ea.term !== eb.term || ea.data !== eb.data || ea.kind !== eb.kind)) {
            this.fail('log-matching', `${ida} and ${idb} agree on a later (index, term) but differ at ${i}`)
          }
        }
      }
    }
  }

  maxAckedIndex(): number {
    return this.maxAcked
  }

  writeAcked(reqId: string, index: number): void {
    this.acked.set(reqId, index)
    if (index > this.maxAcked) this.maxAcked = index
  }

  /** A read served at `index` must cover every write acknowledged before the read started. */
  readDone(reqId: string, index: number, ackedBefore: number): void {
    this.reads++
    if (index < ackedBefore) this.fail('linearizable-read', `read ${reqId} was served at index ${index}, before a write acknowledged at ${ackedBefore} ahead of it`)
  }

  /** At the end: every acknowledged write took effect exactly once on the given replica. */
  checkAckedWrites(node: NodeId, fsm: KvFsm): void {
    for (const [reqId] of this.acked) {
      if (!fsm.seen.has(reqId)) this.fail('acknowledged-write-lost', `${node} does not hold the acknowledged write ${reqId}`)
    }
  }
}
