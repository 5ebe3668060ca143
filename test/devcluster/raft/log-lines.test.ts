/**
 * The hashicorp-style Raft log lines: Go duration formatting, the exact classic wording, and (the point of it all)
 * that `medic explain`'s catalogue recognises every line the dev cluster writes, with the values it extracts.
 */
import {describe, expect, it} from 'vitest'
import {classicLevelTag, nodeString, raftLogLine, rpcFailedLine, stateChangeLine, type RaftLogLine} from '../../../src/devcluster/raft/log-lines.js'
import type {RaftEvent} from '../../../src/devcluster/raft/types.js'
import {Explainer} from '../../../src/logs/explain.js'
import {formatGoDurationMs} from '../../../src/util/duration.js'

const SELF = {addr: 'meta-01:8089', role: 'follower' as const}

function explain(line: RaftLogLine | string): ReturnType<Explainer['explain']> {
  const text = typeof line === 'string' ? `[metastore] 2026/11/22 01:02:03 ${line}` : `[metastore] 2026/11/22 01:02:03 ${classicLevelTag(line.level)} raft: ${line.text}`
  return new Explainer({now: Date.UTC(2026, 10, 22)}).explain(text)
}

function lineFor(ev: RaftEvent): RaftLogLine {
  const l = raftLogLine(ev, SELF)
  if (!l) throw new Error(`no line for ${ev.e}`)
  return l
}

describe('durations in Raft lines (util/duration formatGoDurationMs)', () => {
  it.each([
    [0, '0s'],
    [0.00075, '750ns'],
    [0.95, '950µs'],
    [0.0015, '1.5µs'],
    [500, '500ms'],
    [512.034113, '512.034113ms'],
    [1500, '1.5s'],
    [3326.423317, '3.326423317s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [3_723_500, '1h2m3.5s'],
    [-250, '-250ms'],
  ])('%s ms is %s', (ms, text) => {
    expect(formatGoDurationMs(ms)).toBe(text)
  })
})

describe('classic wording', () => {
  it('prints nodes and state changes the way hashicorp/raft and the meta service did', () => {
    expect(nodeString('meta-01:8089', 'leader')).toBe('Node at meta-01:8089 [Leader]')
    expect(stateChangeLine('meta-01:8089', 'leader', ['meta-01:8089', 'meta-02:8089'])).toBe('Node at meta-01:8089 [Leader]. peers=[meta-01:8089 meta-02:8089]')
    expect(lineFor({e: 'heartbeatTimeout', term: 3, lastLeader: '10.0.0.1:8089'})).toEqual({level: 'warn', text: 'Heartbeat timeout from "10.0.0.1:8089" reached, starting election'})
    expect(lineFor({e: 'becameCandidate', term: 4, votesNeeded: 2})).toEqual({level: 'info', text: 'Node at meta-01:8089 [Candidate] entering Candidate state in term 4'})
    expect(lineFor({e: 'becameFollower', term: 4, leader: null})).toEqual({level: 'info', text: 'Node at meta-01:8089 [Follower] entering Follower state (Leader: "")'})
    expect(lineFor({e: 'peerContactLost', peer: 'meta-03:8089', sinceTicks: 51})).toEqual({level: 'warn', text: 'Failed to contact {Voter meta-03:8089 meta-03:8089} in 510ms'})
    expect(raftLogLine({e: 'peerContactLost', peer: 'p:8089', sinceTicks: 3}, {...SELF, tickMs: 1000})?.text).toBe('Failed to contact {Voter p:8089 p:8089} in 3s')
    expect(rpcFailedLine('meta-02:8089', 'dial tcp 127.0.0.1:8089: connect: connection refused')).toEqual({
      level: 'error',
      text: 'Failed to AppendEntries to {Voter meta-02:8089 meta-02:8089}: dial tcp 127.0.0.1:8089: connect: connection refused',
    })
    expect(classicLevelTag('error')).toBe('[ERR]')
  })

  it('has a line (or a deliberate silence) for every event kind', () => {
    const all: RaftEvent[] = [
      {e: 'becameFollower', term: 1, leader: 'x'},
      {e: 'heartbeatTimeout', term: 1, lastLeader: null},
      {e: 'electionAborted', reason: 'no-known-peers'},
      {e: 'preVoteStarted', term: 2},
      {e: 'preVoteFailed', term: 2, granted: 1, refused: 2, needed: 2},
      {e: 'becameCandidate', term: 2, votesNeeded: 2},
      {e: 'voteGranted', term: 2, from: 'x', tally: 2},
      {e: 'electionTimeout', term: 2},
      {e: 'electionWon', term: 2, tally: 2},
      {e: 'becameLeader', term: 2},
      {e: 'newerTermSeen', term: 3, from: 'x'},
      {e: 'voteRejected', term: 2, candidate: 'x', reason: 'already-voted'},
      {e: 'voteRejected', term: 2, candidate: 'x', reason: 'not-in-configuration'},
      {e: 'peerContactLost', peer: 'x', sinceTicks: 60},
      {e: 'quorumLost', term: 2},
      {e: 'appendRejected', peer: 'x', next: 5},
      {e: 'logTruncated', from: 3, to: 9},
      {e: 'peerHasNewerTerm', peer: 'x', term: 4},
      {e: 'snapshotSent', peer: 'x', index: 40},
      {e: 'snapshotInstalled', index: 40, term: 3},
      {e: 'snapshotTaken', index: 40, compactedTo: 39},
      {e: 'configurationChanged', index: 7, conf: {servers: [{id: 'x', httpAddr: 'x:8091', voter: true}]}, committed: false},
      {e: 'configurationChanged', index: 7, conf: {servers: []}, committed: true},
      {e: 'peerAdded', peer: 'x'},
      {e: 'peerRemoved', peer: 'x', lastIndex: 9},
      {e: 'removedSelf'},
      {e: 'leadershipTransfer', to: 'x'},
    ]
    for (const ev of all) expect(raftLogLine(ev, SELF)?.text, ev.e).toBeTruthy()
    expect(raftLogLine({e: 'voteRejected', term: 2, candidate: 'x', reason: 'stale-term', ours: 3, theirs: 2}, SELF)).toBeNull()
    expect(lineFor({e: 'logTruncated', from: 3, to: 9}).text).toBe('Clearing log suffix from 3 to 9')
    expect(lineFor({e: 'configurationChanged', index: 7, conf: {servers: [{id: 'x', httpAddr: 'x:8091', voter: false}]}, committed: false}).text).toBe(
      'Updating configuration (index=7) to [{Suffrage:Nonvoter ID:x Address:x}]',
    )
  })
})

describe('the log catalogue recognises every line the dev cluster writes', () => {
  const cases: Array<[string, RaftLogLine | string, Record<string, unknown>]> = [
    ['raft-heartbeat-timeout', lineFor({e: 'heartbeatTimeout', term: 3, lastLeader: 'meta-02:8089'}), {leader: 'meta-02:8089', level: 'warn', service: 'metastore'}],
    // With no previous leader the quoted address is empty (the catalogue then reports no leader value).
    ['raft-heartbeat-timeout', lineFor({e: 'heartbeatTimeout', term: 3, lastLeader: null}), {level: 'warn'}],
    ['raft-election-timeout', lineFor({e: 'electionTimeout', term: 3}), {level: 'warn'}],
    ['raft-leader-elected', lineFor({e: 'electionWon', term: 3, tally: 2}), {tally: 2, level: 'info'}],
    ['raft-leader-elected', lineFor({e: 'becameLeader', term: 3}), {addr: 'meta-01:8089'}],
    ['raft-entering-candidate', lineFor({e: 'becameCandidate', term: 3, votesNeeded: 2}), {addr: 'meta-01:8089', term: 3}],
    ['raft-entering-follower', lineFor({e: 'becameFollower', term: 3, leader: 'meta-02:8089'}), {addr: 'meta-01:8089', leader: 'meta-02:8089'}],
    ['raft-state-change', stateChangeLine('meta-01:8089', 'leader', ['meta-01:8089', 'meta-02:8089', 'meta-03:8089']), {addr: 'meta-01:8089', state: 'Leader'}],
    ['raft-quorum-lost', lineFor({e: 'quorumLost', term: 3}), {level: 'warn'}],
    ['raft-peer-contact-lost', lineFor({e: 'peerContactLost', peer: 'meta-03:8089', sinceTicks: 52}), {peer: '{Voter meta-03:8089 meta-03:8089}', duration: '520ms'}],
    ['raft-peer-rpc-failed', rpcFailedLine('meta-02:8089', 'dial tcp 127.0.0.1:8089: connect: connection refused'), {rpc: 'AppendEntries', peer: '{Voter meta-02:8089 meta-02:8089}', error: 'dial tcp 127.0.0.1:8089: connect: connection refused', level: 'error'}],
    ['raft-peer-rpc-failed', rpcFailedLine('meta-02:8089', 'i/o timeout', 'heartbeat'), {rpc: 'heartbeat', peer: 'meta-02:8089'}],
    ['raft-peer-rpc-failed', rpcFailedLine('meta-02:8089', 'i/o timeout', 'RequestVote'), {rpc: 'make RequestVote RPC'}],
    ['raft-vote-rejected-has-leader', lineFor({e: 'voteRejected', term: 3, candidate: 'meta-03:8089', reason: 'has-leader', leader: 'meta-02:8089'}), {candidate: 'meta-03:8089', leader: 'meta-02:8089'}],
    ['raft-vote-rejected-stale-log', lineFor({e: 'voteRejected', term: 3, candidate: 'meta-03:8089', reason: 'last-term-greater', ours: 3, theirs: 2}), {candidate: 'meta-03:8089', reason: 'term', ours: 3, theirs: 2}],
    ['raft-vote-rejected-stale-log', lineFor({e: 'voteRejected', term: 3, candidate: 'meta-03:8089', reason: 'last-index-greater', ours: 90, theirs: 85}), {reason: 'index', ours: 90, theirs: 85}],
    ['raft-no-known-peers', lineFor({e: 'electionAborted', reason: 'no-known-peers'}), {reason: 'no known peers'}],
    ['raft-no-known-peers', lineFor({e: 'electionAborted', reason: 'not-in-configuration'}), {reason: 'not part of stable configuration'}],
    ['raft-append-rejected-older-logs', lineFor({e: 'appendRejected', peer: 'meta-03:8089', next: 5191}), {peer: '{Voter meta-03:8089 meta-03:8089}', next: 5191}],
    ['raft-peer-newer-term', lineFor({e: 'peerHasNewerTerm', peer: 'meta-03:8089', term: 9}), {peer: '{Voter meta-03:8089 meta-03:8089}', level: 'error'}],
  ]

  it.each(cases)('%s: %s', (id, line, values) => {
    const r = explain(line)
    expect(r.id).toBe(id)
    expect(r.values).toMatchObject(values)
  })
})
