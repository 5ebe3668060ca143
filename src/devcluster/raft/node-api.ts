/**
 * What a meta node's HTTP layer (meta/api.ts) sees of Raft: the driver (raft/driver.ts) implements RaftNodeApi, and the
 * meta store (meta/state.ts) implements StateMachine. Neither side knows the other's internals.
 */
import type {Role, Server} from './types.js'

/** The replicated state machine. Everything in it must be deterministic: time comes from the entry, never the clock. */
export interface StateMachine {
  /** Apply one committed command (the exact string that was proposed); the result goes back to the proposer. */
  apply(data: string, index: number): unknown
  /** The whole state as JSON text (small: KB to a few MB). */
  snapshot(): string
  /** Replace the whole state from snapshot() output. */
  restore(data: string): void
}

/** The write was not accepted here: this node is not the leader. `leader` is who is, when known. */
export class NotLeaderError extends Error {
  constructor(readonly leader: Server | null) {
    super(leader ? `not the leader; the leader is ${leader.id}` : 'no leader')
    this.name = 'NotLeaderError'
  }
}

/** Leadership changed (or the node stopped) before the write committed: it may or may not have taken effect. */
export class OutcomeUnknownError extends Error {
  constructor(message = 'leadership changed before the write committed; its outcome is unknown, retry it') {
    super(message)
    this.name = 'OutcomeUnknownError'
  }
}

/**
 * The leader cannot take this now: a configuration change or a leadership transfer is in flight, the new leader has
 * not committed its first entry yet, or too many entries wait for commit. Retrying shortly is safe.
 */
export class BusyError extends Error {
  constructor(message = 'the meta leader is busy (a membership change, a leadership transfer, or a backlog of uncommitted writes); retry shortly') {
    super(message)
    this.name = 'BusyError'
  }
}

export interface RaftNodeApi {
  /** This node's Raft id (its advertised Raft address) and advertised HTTP address. */
  readonly id: string
  readonly httpAddr: string
  /** True once this node is in a configuration (bootstrapped, or added by a leader and caught up). */
  joined(): boolean
  role(): Role
  term(): number
  /** The leader this node currently follows (itself when leader), with its HTTP address; null when none is known. */
  leader(): Server | null
  /** The Raft addresses of the current configuration, this node included; null before the node is joined. */
  peers(): string[] | null
  servers(): Server[]
  /** Index of the last entry applied to the state machine here. */
  appliedIndex(): number
  /**
   * Replicate a command and apply it. Resolves with the state machine's result once applied on this node (the
   * leader). Rejects with NotLeaderError, OutcomeUnknownError, or an Error when the node stops.
   */
  propose(data: string): Promise<unknown>
  /** Add a meta node as a voter (single-server change). Resolves once the change is committed. */
  addVoter(server: {id: string; httpAddr: string}): Promise<void>
  /** Remove a meta node from the configuration. Resolves once committed. */
  remove(id: string): Promise<void>
  /** Form a new one-node cluster of this node (the first add-meta, or -single-server). Resolves once it leads. */
  bootstrap(): Promise<void>
  /** Linearizable read barrier: resolves when this node has applied everything committed before the call (leader only). */
  barrier(): Promise<void>
  /** Resolves once appliedIndex() >= index, or rejects on abort. */
  waitApplied(index: number, signal?: AbortSignal): Promise<void>
  /** Called after every change of role, term, leader or configuration. */
  onChange(listener: () => void): void
}
