/**
 * The contract between the parts of the dev cluster's Raft: the pure core (core.ts), the storage (storage.ts), the
 * transport (transport.ts) and the driver that runs them in a meta node process (driver.ts). Only types live here.
 *
 * Conventions
 * - A node's id is its Raft address as advertised (`hostname:bind-port`, e.g. "127.0.0.1:8089"), the way hashicorp/raft
 *   identified servers in the releases Enterprise 1.x vendored. An un-joined node therefore knows its own id.
 * - Time in the core is ticks (one tick = RaftConfig.tickMs of wall time, 10 ms in the driver). The core never reads a
 *   clock or Math.random: randomness comes from the injected `random` function, so a seed replays a run exactly.
 * - Everything in a message or entry is plain JSON (strings, numbers, booleans, arrays, objects): the transport sends
 *   JSON frames, the storage writes JSON records, and tests can print any of it.
 */

export type NodeId = string

/** A member of the Raft configuration. `httpAddr` travels with it so any node can redirect API calls to the leader. */
export interface Server {
  id: NodeId
  httpAddr: string
  voter: boolean
}

export interface ConfState {
  servers: Server[]
}

export type EntryKind = 'cmd' | 'noop' | 'config'

export interface LogEntry {
  index: number
  term: number
  kind: EntryKind
  /** cmd: the state machine's command (opaque JSON text); config: JSON of the new ConfState; noop: "". */
  data: string
}

/** What must be durable before the node tells anyone about it: one atomic record (term and vote never apart). */
export interface HardState {
  term: number
  votedFor: NodeId | null
  /** An optimisation only: a restarted node may re-apply up to here before it hears from a leader. */
  commit: number
}

export interface SnapshotMeta {
  index: number
  term: number
  /** The configuration as of `index`. */
  conf: ConfState
}

export interface Snapshot {
  meta: SnapshotMeta
  /** The state machine, serialised by its owner (JSON text). */
  data: string
}

export type Msg =
  | {t: 'prevote' | 'vote'; term: number; from: NodeId; to: NodeId; lastIndex: number; lastTerm: number; transfer?: boolean}
  | {t: 'prevote_resp' | 'vote_resp'; term: number; from: NodeId; to: NodeId; granted: boolean; reason?: string}
  | {t: 'append'; term: number; from: NodeId; to: NodeId; prevIndex: number; prevTerm: number; entries: LogEntry[]; commit: number; ctx?: number}
  | {t: 'append_resp'; term: number; from: NodeId; to: NodeId; ok: boolean; match: number; lastIndex: number; conflictTerm?: number; conflictIndex?: number; ctx?: number}
  | {t: 'snapshot'; term: number; from: NodeId; to: NodeId; snapshot: Snapshot}
  | {t: 'snapshot_resp'; term: number; from: NodeId; to: NodeId; match: number; ok: boolean}
  | {t: 'timeout_now'; term: number; from: NodeId; to: NodeId}

export type Role = 'follower' | 'candidate' | 'leader'

/**
 * Events for logs, metrics and test assertions. They keep log wording out of the core: log-lines.ts turns them into
 * the hashicorp/raft lines operators know.
 */
export type RaftEvent =
  | {e: 'becameFollower'; term: number; leader: NodeId | null}
  | {e: 'heartbeatTimeout'; term: number; lastLeader: NodeId | null}
  | {e: 'electionAborted'; reason: 'no-known-peers' | 'not-in-configuration'}
  | {e: 'preVoteStarted'; term: number}
  | {e: 'preVoteFailed'; term: number; granted: number; refused: number; needed: number}
  | {e: 'becameCandidate'; term: number; votesNeeded: number}
  | {e: 'voteGranted'; term: number; from: NodeId; tally: number}
  | {e: 'electionTimeout'; term: number}
  | {e: 'electionWon'; term: number; tally: number}
  | {e: 'becameLeader'; term: number}
  | {e: 'newerTermSeen'; term: number; from: NodeId}
  | {e: 'voteRejected'; term: number; candidate: NodeId; reason: 'has-leader' | 'last-term-greater' | 'last-index-greater' | 'already-voted' | 'not-in-configuration' | 'stale-term'; leader?: NodeId; ours?: number; theirs?: number}
  | {e: 'peerContactLost'; peer: NodeId; sinceTicks: number}
  | {e: 'quorumLost'; term: number}
  | {e: 'appendRejected'; peer: NodeId; next: number}
  | {e: 'logTruncated'; from: number; to: number}
  | {e: 'peerHasNewerTerm'; peer: NodeId; term: number}
  | {e: 'snapshotSent'; peer: NodeId; index: number}
  | {e: 'snapshotInstalled'; index: number; term: number}
  | {e: 'snapshotTaken'; index: number; compactedTo: number}
  | {e: 'configurationChanged'; index: number; conf: ConfState; committed: boolean}
  | {e: 'peerAdded'; peer: NodeId}
  | {e: 'peerRemoved'; peer: NodeId; lastIndex: number}
  | {e: 'removedSelf'}
  | {e: 'leadershipTransfer'; to: NodeId}

/**
 * The output of one round of the core, consumed by the driver in this order:
 *   1. persist hardState, truncateFrom + entries, snapshot (one fdatasync for all of them);
 *   2. only then send `messages`;
 *   3. restore the state machine from `snapshot` if present, then apply `committed` in order, exactly once;
 *   4. serve `readsReady` (once applied >= index);
 *   5. call core.advance(ready).
 * A Ready is never empty: ready() answers null when there is nothing to do.
 */
export interface Ready {
  hardState?: HardState
  /** Delete every stored entry with index >= truncateFrom before appending `entries`. */
  truncateFrom?: number
  entries: LogEntry[]
  /** A snapshot received from the leader (to persist and restore from), or null. Local snapshots go through compact(). */
  snapshot?: Snapshot
  messages: Msg[]
  committed: LogEntry[]
  readsReady: Array<{reqId: string; index: number}>
  /** Read-index requests that cannot be served (not leader, leadership lost): fail them. */
  readsFailed: Array<{reqId: string; leader: NodeId | null}>
  events: RaftEvent[]
  /** The role, term and leader after this round (for the HTTP layer and the supervisor). */
  soft: {role: Role; term: number; leader: NodeId | null}
}

export type ConfChange =
  | {type: 'addVoter'; server: {id: NodeId; httpAddr: string}}
  | {type: 'addLearner'; server: {id: NodeId; httpAddr: string}}
  | {type: 'remove'; id: NodeId}

export type ProposeResult =
  | {ok: true; index: number; term: number}
  | {ok: false; reason: 'not-leader'; leader: NodeId | null}
  /** A configuration change is already in flight, or the leader has not yet committed an entry of its own term. */
  | {ok: false; reason: 'busy'}

export interface RaftConfig {
  id: NodeId
  tickMs: number
  /** hashicorp semantics (raft-notes.md §0.1), in ticks. */
  heartbeatTimeoutTicks: number
  electionTimeoutTicks: number
  leaderLeaseTimeoutTicks: number
  commitTimeoutTicks: number
  preVote: boolean
  checkQuorum: boolean
  maxAppendEntries: number
  /** Entries kept in the log behind a snapshot so briefly lagging followers catch up without one. */
  trailingLogs: number
  /** Uniform random number in [0, 1), seeded. */
  random: () => number
}

/** What the core is built from after a restart (from storage), or empty for a new node. */
export interface RecoveredState {
  hardState: HardState
  snapshot: Snapshot | null
  /** Every entry after the snapshot (or from index 1), in order, without gaps. */
  entries: LogEntry[]
}

export interface RaftCoreApi {
  readonly id: NodeId
  tick(): void
  step(m: Msg): void
  /** Only on a node with no log and no configuration: write the first configuration (index 1) and campaign at once. */
  bootstrap(conf: ConfState): void
  /** Start an election now (used after bootstrap and by leadership transfer); ignored unless a voter. */
  campaign(): void
  propose(data: string): ProposeResult
  proposeConfChange(change: ConfChange): ProposeResult
  /** Leader: confirm leadership with a heartbeat round, then the read is served at the commit index of that moment. */
  readIndex(reqId: string): void
  /** Leader: hand leadership to `to` (used when the leader is removed, and by tests). */
  transferLeadership(to: NodeId): boolean
  /** The state machine has been serialised at `index` (<= applied): keep it as the snapshot and compact the log. */
  compact(snapshot: Snapshot): {compactTo: number} | null
  ready(): Ready | null
  advance(r: Ready): void
  status(): {role: Role; term: number; leader: NodeId | null; commit: number; applied: number; lastIndex: number; conf: ConfState; confIndex: number; snapshotIndex: number}
}

/**
 * Durable storage of one node's Raft state in `[meta] dir` (storage.ts). One writer; save() calls never overlap (the
 * driver waits for one before starting the next, and batches what accumulated meanwhile: group commit).
 */
export interface RaftStorageApi {
  /** What was durable at the last crash or stop: torn tail records are dropped, mid-file corruption is an error. */
  readonly recovered: RecoveredState
  /** Make hardState, the truncation, the entries and a received snapshot durable, with one fdatasync. */
  save(batch: {hardState?: HardState; truncateFrom?: number; entries: LogEntry[]; snapshot?: Snapshot}): Promise<void>
  /** Persist a local snapshot (temp file, fsync, rename, directory fsync), then drop log segments wholly below compactTo. */
  saveSnapshot(snapshot: Snapshot, compactTo: number): Promise<void>
  close(): Promise<void>
}

/** Sends and receives Raft messages between meta nodes (transport.ts). Lossy by design: Raft retransmits. */
export interface RaftTransportApi {
  /** The address the transport listens on (host:port), after listen() resolved. */
  readonly address: string
  send(m: Msg): void
  onMessage(handler: (m: Msg) => void): void
  close(): Promise<void>
}
