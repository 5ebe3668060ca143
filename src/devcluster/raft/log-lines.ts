/**
 * Turns the Raft core's events into the log lines operators know from hashicorp/raft, in the classic wording (the
 * `log.Logger` era up to v1.1.1, which Enterprise 1.x of 2016 lines up with; raft-notes.md §4.2, "Classic text").
 *
 * Why: the dev cluster must look like Enterprise in its logs, so `medic explain` and `medic logs summarize` read a
 * rehearsal's logs the way they read a customer's. The texts are facts we reproduce; the catalogue
 * (src/logs/catalogue/entries/raft.ts) recognises them, and test/devcluster/raft/log-lines.test.ts proves it.
 *
 * Each function returns the text after `raft: `; the caller writes the prefix (`[INFO] raft: ` and so on, see
 * classicLevelTag) in whatever shape its logger uses. Peers are printed the 2016+ way, as `{Voter <id> <addr>}`; in this
 * project a node's id is its Raft address, so both halves are the same.
 */
import type {RaftEvent, Role} from './types.js'
import {formatGoDurationMs} from '../../util/duration.js'

export type RaftLogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface RaftLogLine {
  level: RaftLogLevel
  text: string
}

const STATE_NAMES: Record<Role, string> = {follower: 'Follower', candidate: 'Candidate', leader: 'Leader'}

/** The level tag classic hashicorp/raft lines carry: `[DEBUG]`, `[INFO]`, `[WARN]`, `[ERR]`. */
export function classicLevelTag(level: RaftLogLevel): string {
  return level === 'error' ? '[ERR]' : `[${level.toUpperCase()}]`
}

/** How hashicorp/raft prints a node (Go's String() of the Raft struct): `Node at <addr> [<State>]`. */
export function nodeString(addr: string, role: Role | 'shutdown'): string {
  return `Node at ${addr} [${role === 'shutdown' ? 'Shutdown' : STATE_NAMES[role]}]`
}

/** A peer as hashicorp/raft printed a Server from 2016 on. */
export function peerString(id: string, addr: string = id, voter = true): string {
  return `{${voter ? 'Voter' : 'Nonvoter'} ${id} ${addr}}`
}

/**
 * The line the OSS meta service (and so, we assume, Enterprise) logs on every leadership change even without
 * cluster-tracing: `Node at <addr> [Leader]. peers=[a b c]`. It goes without the `raft: ` prefix, straight after the
 * `[metastore] <date>` stamp.
 */
export function stateChangeLine(addr: string, role: Role | 'shutdown', peers: string[]): string {
  return `${nodeString(addr, role)}. peers=[${peers.join(' ')}]`
}

export type RaftRpcKind = 'AppendEntries' | 'heartbeat' | 'RequestVote' | 'InstallSnapshot'

/**
 * The driver's line for a transport error towards a peer: `Failed to AppendEntries to {Voter <id> <addr>}: <err>`
 * (ERR). `err` should read like a Go network error where possible (`dial tcp 127.0.0.1:8089: connect: connection
 * refused`).
 */
export function rpcFailedLine(peer: string, err: string, rpc: RaftRpcKind = 'AppendEntries'): RaftLogLine {
  const p = peerString(peer)
  switch (rpc) {
    case 'AppendEntries':
      return {level: 'error', text: `Failed to AppendEntries to ${p}: ${err}`}
    case 'heartbeat':
      return {level: 'error', text: `Failed to heartbeat to ${peer}: ${err}`}
    case 'RequestVote':
      return {level: 'error', text: `Failed to make RequestVote RPC to ${p}: ${err}`}
    case 'InstallSnapshot':
      return {level: 'error', text: `Failed to install snapshot to ${p}: ${err}`}
  }
}

function confText(servers: Array<{id: string; httpAddr: string; voter: boolean}>): string {
  return `[${servers.map((s) => `{Suffrage:${s.voter ? 'Voter' : 'Nonvoter'} ID:${s.id} Address:${s.id}}`).join(' ')}]`
}

/**
 * The classic hashicorp/raft text for a core event, or null for events hashicorp never logged (a stale-term vote
 * request is ignored silently there). `tickMs` converts tick counts into durations (10 ms, the driver's tick, when not
 * given).
 */
export function raftLogLine(ev: RaftEvent, self: {addr: string; role: Role; tickMs?: number}): RaftLogLine | null {
  const tickMs = self.tickMs ?? 10
  switch (ev.e) {
    case 'becameFollower':
      return {level: 'info', text: `${nodeString(self.addr, 'follower')} entering Follower state (Leader: "${ev.leader ?? ''}")`}
    case 'heartbeatTimeout':
      return {level: 'warn', text: `Heartbeat timeout from "${ev.lastLeader ?? ''}" reached, starting election`}
    case 'electionAborted':
      return {level: 'warn', text: ev.reason === 'no-known-peers' ? 'no known peers, aborting election' : 'not part of stable configuration, aborting election'}
    case 'preVoteStarted':
      return {level: 'debug', text: `Starting pre-vote for term ${ev.term}`}
    case 'preVoteFailed':
      return {level: 'info', text: `pre-vote campaign failed, waiting for election timeout: term=${ev.term} tally=${ev.granted} refused=${ev.refused} votesNeeded=${ev.needed}`}
    case 'becameCandidate':
      return {level: 'info', text: `${nodeString(self.addr, 'candidate')} entering Candidate state in term ${ev.term}`}
    case 'voteGranted':
      return {level: 'debug', text: `Vote granted from ${ev.from} in term ${ev.term}. Tally: ${ev.tally}`}
    case 'electionTimeout':
      return {level: 'warn', text: 'Election timeout reached, restarting election'}
    case 'electionWon':
      return {level: 'info', text: `Election won. Tally: ${ev.tally}`}
    case 'becameLeader':
      return {level: 'info', text: `${nodeString(self.addr, 'leader')} entering Leader state`}
    case 'newerTermSeen':
      return {level: 'debug', text: 'Newer term discovered, fallback to follower'}
    case 'voteRejected':
      switch (ev.reason) {
        case 'has-leader':
          return {level: 'warn', text: `Rejecting vote request from ${ev.candidate} since we have a leader: ${ev.leader ?? ''}`}
        case 'last-term-greater':
          return {level: 'warn', text: `Rejecting vote request from ${ev.candidate} since our last term is greater (${ev.ours}, ${ev.theirs})`}
        case 'last-index-greater':
          return {level: 'warn', text: `Rejecting vote request from ${ev.candidate} since our last index is greater (${ev.ours}, ${ev.theirs})`}
        case 'already-voted':
          return {level: 'info', text: `Duplicate RequestVote for same term: ${ev.term}`}
        case 'not-in-configuration':
          return {level: 'warn', text: `Rejecting vote request from ${ev.candidate} since node is not in configuration`}
        case 'stale-term':
          return null
      }
      return null
    case 'peerContactLost':
      return {level: 'warn', text: `Failed to contact ${peerString(ev.peer)} in ${formatGoDurationMs(ev.sinceTicks * tickMs)}`}
    case 'quorumLost':
      return {level: 'warn', text: 'Failed to contact quorum of nodes, stepping down'}
    case 'appendRejected':
      return {level: 'warn', text: `AppendEntries to ${peerString(ev.peer)} rejected, sending older logs (next: ${ev.next})`}
    case 'logTruncated':
      return {level: 'warn', text: `Clearing log suffix from ${ev.from} to ${ev.to}`}
    case 'peerHasNewerTerm':
      return {level: 'error', text: `peer ${peerString(ev.peer)} has newer term, stopping replication`}
    case 'snapshotSent':
      return {level: 'info', text: `Sending snapshot ${ev.index} to ${peerString(ev.peer)}`}
    case 'snapshotInstalled':
      return {level: 'info', text: 'Installed remote snapshot'}
    case 'snapshotTaken':
      return {level: 'info', text: `Snapshot to ${ev.index} complete`}
    case 'configurationChanged':
      if (ev.committed) return {level: 'debug', text: `Configuration at index ${ev.index} committed: ${confText(ev.conf.servers)}`}
      return {level: 'info', text: `Updating configuration (index=${ev.index}) to ${confText(ev.conf.servers)}`}
    case 'peerAdded':
      return {level: 'info', text: `Added peer ${ev.peer}, starting replication`}
    case 'peerRemoved':
      return {level: 'info', text: `Removed peer ${ev.peer}, stopping replication after ${ev.lastIndex}`}
    case 'removedSelf':
      return {level: 'info', text: 'Removed ourself, transitioning to follower'}
    case 'leadershipTransfer':
      return {level: 'info', text: `Starting leadership transfer to ${peerString(ev.to)}`}
  }
}
