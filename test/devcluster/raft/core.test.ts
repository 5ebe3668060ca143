/**
 * T0: the Raft core's rules one at a time, on a single core fed hand-built messages (Figure 2 and Figure 13 of the
 * Raft paper, hashicorp's timer semantics, pre-vote, membership gating, snapshots, read-index, transfer, and the
 * bug checklist of raft-notes.md §2 where it applies). Timers use random() = 0, so [T, 2T) is exactly T.
 */
import {describe, expect, it} from 'vitest'
import {MAX_PENDING_READS, MAX_UNCOMMITTED, RaftCore} from '../../../src/devcluster/raft/core.js'
import type {Msg, Snapshot} from '../../../src/devcluster/raft/types.js'
import {Rng} from '../../../src/util/rng.js'
import {E, EMPTY, T, type MsgOf, ackAll, cfgEntry, cmd, conf, config, drain, eventsOf, logWith, makeLeader, noop, only, recovered, tickN, withLearner} from './helpers.js'

const C3 = conf('a', 'b', 'c')
const C5 = conf('a', 'b', 'c', 'd', 'e')

/** Node a, a follower in C3 with the given command terms after the configuration entry. */
function follower(terms: number[] = [], hs: {term?: number; votedFor?: string | null; commit?: number} = {}, over = {}): RaftCore {
  const core = new RaftCore(config('a', over), recovered(logWith(C3, terms), {commit: 1, ...hs}))
  drain(core)
  return core
}

function vote(over: Partial<MsgOf<'vote'>> = {}): Msg {
  return {t: 'vote', term: 2, from: 'b', to: 'a', lastIndex: 1, lastTerm: 1, ...over} as Msg
}

function append(over: Partial<Extract<Msg, {t: 'append'}>> = {}): Msg {
  return {t: 'append', term: 2, from: 'b', to: 'a', prevIndex: 1, prevTerm: 1, entries: [], commit: 0, ...over} as Msg
}

function snapshotMsg(index: number, term: number, msgTerm = 2, c = C3): Msg {
  return {t: 'snapshot', term: msgTerm, from: 'b', to: 'a', snapshot: {meta: {index, term, conf: c}, data: JSON.stringify([`state@${index}`])}}
}

describe('elections: the voter', () => {
  it('grants an up-to-date candidate of a newer term, adopting the term; the vote is persisted in the Ready that carries the reply', () => {
    const a = follower([1])
    a.step(vote({term: 2, lastIndex: 2, lastTerm: 1}))
    const r = a.ready()
    expect(r?.hardState).toEqual({term: 2, votedFor: 'b', commit: 1})
    expect(only(r?.messages ?? [], 'vote_resp')).toEqual([{t: 'vote_resp', term: 2, from: 'a', to: 'b', granted: true}])
  })

  it('persists a vote in the same term too: the hard state travels with the reply (bug #1)', () => {
    const a = follower([], {term: 2})
    a.step(vote({term: 2}))
    const r = a.ready()
    expect(r?.hardState).toEqual({term: 2, votedFor: 'b', commit: 1})
    expect(only(r?.messages ?? [], 'vote_resp')[0].granted).toBe(true)
  })

  it('answers a stale-term vote request with its own term and changes nothing (bug #16)', () => {
    const a = follower([], {term: 5})
    a.step(vote({term: 3}))
    const d = drain(a)
    expect(d.hardStates).toEqual([])
    expect(only(d.messages, 'vote_resp')).toEqual([{t: 'vote_resp', term: 5, from: 'a', to: 'b', granted: false, reason: 'stale-term'}])
  })

  it('votes once per term: refuses a second candidate and re-grants the one it chose', () => {
    const a = follower()
    a.step(vote({from: 'b'}))
    a.step(vote({from: 'c'}))
    a.step(vote({from: 'b'}))
    const resp = only(drain(a).messages, 'vote_resp')
    expect(resp.map((m) => [m.to, m.granted])).toEqual([
      ['b', true],
      ['c', false],
      ['b', true],
    ])
    expect(resp[1].reason).toBe('already-voted')
  })

  it('compares the last term before the last index (bug #6): a longer log with an older last term loses', () => {
    const a = follower([1, 3])
    a.step(vote({term: 4, lastIndex: 10, lastTerm: 2}))
    const d = drain(a)
    expect(only(d.messages, 'vote_resp')[0].granted).toBe(false)
    expect(eventsOf(d.events, 'voteRejected')[0]).toMatchObject({reason: 'last-term-greater', ours: 3, theirs: 2})
  })

  it('refuses a candidate with the same last term and a shorter log', () => {
    const a = follower([1, 1, 1])
    a.step(vote({term: 2, lastIndex: 3, lastTerm: 1}))
    const d = drain(a)
    expect(eventsOf(d.events, 'voteRejected')[0]).toMatchObject({reason: 'last-index-greater', ours: 4, theirs: 3})
  })

  it('grants a candidate whose last term is newer even though its log is shorter', () => {
    const a = follower([1, 1, 1])
    a.step(vote({term: 3, lastIndex: 2, lastTerm: 2}))
    expect(only(drain(a).messages, 'vote_resp')[0].granted).toBe(true)
  })

  it('leader stickiness: a follower that heard its leader within the heartbeat timeout refuses votes and keeps its term', () => {
    const a = follower()
    a.step(append({term: 2, from: 'b'}))
    drain(a)
    a.step(vote({term: 3, from: 'c'}))
    const d = drain(a)
    expect(only(d.messages, 'vote_resp')).toEqual([{t: 'vote_resp', term: 2, from: 'a', to: 'c', granted: false, reason: 'has-leader'}])
    expect(eventsOf(d.events, 'voteRejected')[0]).toMatchObject({reason: 'has-leader', leader: 'b', candidate: 'c'})
    expect(a.status().term).toBe(2)
    expect(d.hardStates).toEqual([])
  })

  it('stickiness ends once the leader has been silent for the heartbeat timeout', () => {
    const a = follower()
    a.step(append({term: 2, from: 'b'}))
    drain(a)
    const t = tickN(a, T)
    expect(eventsOf(t.events, 'heartbeatTimeout')).toHaveLength(1)
    a.step(vote({term: 4, from: 'c', lastIndex: 1, lastTerm: 1}))
    expect(only(drain(a).messages, 'vote_resp')[0]).toMatchObject({granted: true, term: 4})
  })

  it('a leadership-transfer vote bypasses stickiness', () => {
    const a = follower()
    a.step(append({term: 2, from: 'b'}))
    drain(a)
    a.step(vote({term: 3, from: 'c', transfer: true}))
    expect(only(drain(a).messages, 'vote_resp')[0]).toMatchObject({granted: true, term: 3})
  })

  it('a leader refuses vote requests without stepping down', () => {
    const {core: a} = makeLeader('a', C3)
    a.step(vote({term: 9, from: 'b', lastIndex: 50, lastTerm: 8}))
    const d = drain(a)
    expect(only(d.messages, 'vote_resp')[0]).toMatchObject({granted: false, reason: 'has-leader', term: 2})
    expect(a.status()).toMatchObject({role: 'leader', term: 2})
  })

  it('refuses candidates outside its configuration; a node without one (not yet joined) grants', () => {
    const a = follower()
    a.step(vote({from: 'z'}))
    expect(only(drain(a).messages, 'vote_resp')[0]).toMatchObject({granted: false, reason: 'not-in-configuration'})
    const fresh = new RaftCore(config('n'), EMPTY)
    fresh.step({t: 'vote', term: 2, from: 'z', to: 'n', lastIndex: 1, lastTerm: 1})
    expect(only(drain(fresh).messages, 'vote_resp')[0]).toMatchObject({granted: true})
  })

  it('grants a candidate outside its configuration whose log is strictly newer: it may know a newer configuration', () => {
    // The deadlock the simulator found: a lagging voter with an old configuration must not refuse the only electable node.
    const a = follower([1])
    a.step(vote({from: 'z', term: 3, lastIndex: 9, lastTerm: 2}))
    expect(only(drain(a).messages, 'vote_resp')[0]).toMatchObject({granted: true})
  })

  it('a refused vote does not reset the election timer (bug #3)', () => {
    const a = follower()
    a.step(append({term: 2}))
    tickN(a, T - 1)
    a.step(vote({term: 1, from: 'c'}))
    a.step(vote({term: 2, from: 'c', transfer: true, lastTerm: 0, lastIndex: 0}))
    drain(a)
    expect(eventsOf(tickN(a, 1).events, 'heartbeatTimeout')).toHaveLength(1)
  })

  it('a granted vote does reset it', () => {
    const a = follower()
    a.step(append({term: 2}))
    tickN(a, T - 1)
    a.step(vote({term: 3, from: 'c', transfer: true}))
    drain(a)
    expect(eventsOf(tickN(a, T).events, 'heartbeatTimeout')).toHaveLength(0)
    expect(eventsOf(tickN(a, 1).events, 'heartbeatTimeout')).toHaveLength(1)
  })
})

describe('pre-vote', () => {
  it('a pre-vote request changes nothing on the receiver; a grant carries the proposed term', () => {
    const a = follower([], {term: 2})
    a.step({t: 'prevote', term: 3, from: 'b', to: 'a', lastIndex: 1, lastTerm: 1})
    const d = drain(a)
    expect(d.hardStates).toEqual([])
    expect(only(d.messages, 'prevote_resp')).toEqual([{t: 'prevote_resp', term: 3, from: 'a', to: 'b', granted: true}])
    expect(a.status().term).toBe(2)
    // It did not record a vote either: a real candidate of term 2 can still get it.
    a.step(vote({term: 2, from: 'c'}))
    expect(only(drain(a).messages, 'vote_resp')[0].granted).toBe(true)
  })

  it('a pre-vote refused for a stale log answers with the receiver term', () => {
    const a = follower([1, 2], {term: 2})
    a.step({t: 'prevote', term: 3, from: 'b', to: 'a', lastIndex: 1, lastTerm: 1})
    expect(only(drain(a).messages, 'prevote_resp')[0]).toMatchObject({granted: false, term: 2, reason: 'last-term-greater'})
  })

  it('a pre-vote is refused while a leader is live', () => {
    const a = follower()
    a.step(append({term: 2}))
    drain(a)
    a.step({t: 'prevote', term: 3, from: 'c', to: 'a', lastIndex: 1, lastTerm: 1})
    expect(only(drain(a).messages, 'prevote_resp')[0]).toMatchObject({granted: false, reason: 'has-leader'})
  })

  it('the heartbeat timeout starts a pre-vote: candidate role, prospective term, nothing persisted', () => {
    const a = follower()
    const d = tickN(a, T)
    expect(d.events.map((e) => e.e)).toEqual(['heartbeatTimeout', 'becameCandidate', 'preVoteStarted'])
    expect(eventsOf(d.events, 'becameCandidate')[0]).toMatchObject({term: 2, votesNeeded: 2})
    expect(only(d.messages, 'prevote').map((m) => [m.to, m.term])).toEqual([
      ['b', 2],
      ['c', 2],
    ])
    expect(d.hardStates).toEqual([])
    expect(a.status()).toMatchObject({role: 'candidate', term: 1})
  })

  it('a majority of pre-votes starts the real election; term and vote are persisted in the Ready that carries the vote requests', () => {
    const a = follower()
    tickN(a, T)
    a.step({t: 'prevote_resp', term: 2, from: 'b', to: 'a', granted: true})
    const r = a.ready()
    expect(r?.hardState).toEqual({term: 2, votedFor: 'a', commit: 1})
    expect(only(r?.messages ?? [], 'vote').map((m) => [m.to, m.term, m.transfer])).toEqual([
      ['b', 2, undefined],
      ['c', 2, undefined],
    ])
  })

  it('a refused pre-vote reports preVoteFailed and restarts after the election timeout, still in the old term', () => {
    const a = follower()
    tickN(a, T)
    a.step({t: 'prevote_resp', term: 1, from: 'b', to: 'a', granted: false})
    a.step({t: 'prevote_resp', term: 1, from: 'c', to: 'a', granted: false})
    expect(eventsOf(drain(a).events, 'preVoteFailed')).toEqual([{e: 'preVoteFailed', term: 2, granted: 1, refused: 2, needed: 2}])
    expect(a.status().term).toBe(1)
    const d = tickN(a, E)
    expect(eventsOf(d.events, 'electionTimeout')).toHaveLength(1)
    expect(only(d.messages, 'prevote')).toHaveLength(2)
    expect(a.status().term).toBe(1)
  })

  it('a pre-vote refusal carrying a newer term makes the pre-candidate adopt it and follow', () => {
    const a = follower()
    tickN(a, T)
    a.step({t: 'prevote_resp', term: 7, from: 'b', to: 'a', granted: false})
    const d = drain(a)
    expect(a.status()).toMatchObject({role: 'follower', term: 7})
    expect(d.hardStates).toEqual([{term: 7, votedFor: null, commit: 1}])
  })

  it('with pre-vote off the timeout bumps the term at once', () => {
    const a = follower([], {}, {preVote: false})
    const d = tickN(a, T)
    expect(eventsOf(d.events, 'becameCandidate')[0]).toMatchObject({term: 2})
    expect(d.hardStates[0]).toEqual({term: 2, votedFor: 'a', commit: 1})
    expect(only(d.messages, 'vote')).toHaveLength(2)
  })
})

describe('elections: the candidate', () => {
  it('counts votes as a set: a duplicated grant does not count twice (bug #5)', () => {
    const a = new RaftCore(config('a', {preVote: false}), recovered([cfgEntry(1, 1, C5)], {commit: 1}))
    drain(a)
    a.campaign()
    drain(a)
    a.step({t: 'vote_resp', term: 2, from: 'b', to: 'a', granted: true})
    a.step({t: 'vote_resp', term: 2, from: 'b', to: 'a', granted: true})
    drain(a)
    expect(a.status().role).toBe('candidate')
    a.step({t: 'vote_resp', term: 2, from: 'c', to: 'a', granted: true})
    const d = drain(a)
    expect(a.status().role).toBe('leader')
    expect(eventsOf(d.events, 'electionWon')[0].tally).toBe(3)
  })

  it('ignores grants of another term; a refusal with a newer term deposes the candidate', () => {
    const a = follower([], {}, {preVote: false})
    a.campaign()
    drain(a)
    a.step({t: 'vote_resp', term: 1, from: 'b', to: 'a', granted: true})
    expect(a.status().role).toBe('candidate')
    a.step({t: 'vote_resp', term: 5, from: 'c', to: 'a', granted: false})
    const d = drain(a)
    expect(a.status()).toMatchObject({role: 'follower', term: 5})
    expect(d.hardStates).toEqual([{term: 5, votedFor: null, commit: 1}])
  })

  it('a candidate that hears AppendEntries from a leader of its term follows it and keeps its vote', () => {
    const a = follower([], {}, {preVote: false})
    a.campaign()
    drain(a)
    a.step(append({term: 2, from: 'b'}))
    const d = drain(a)
    expect(a.status()).toMatchObject({role: 'follower', term: 2, leader: 'b'})
    expect(d.hardStates).toEqual([])
    expect(eventsOf(d.events, 'becameFollower')).toEqual([{e: 'becameFollower', term: 2, leader: 'b'}])
  })

  it('the election timeout starts a new term', () => {
    const a = follower([], {}, {preVote: false})
    a.campaign()
    drain(a)
    const d = tickN(a, E)
    expect(d.events.map((e) => e.e)).toContain('electionTimeout')
    expect(a.status().term).toBe(3)
  })

  it('the winner appends a no-op and replicates it to every follower', () => {
    const {core, out} = makeLeader('a', C3)
    expect(out.entries).toEqual([noop(2, 2)])
    const apps = only(out.messages, 'append')
    expect(apps.map((m) => [m.to, m.prevIndex, m.prevTerm, m.entries.length])).toEqual([
      ['b', 1, 1, 1],
      ['c', 1, 1, 1],
    ])
    expect(core.status().leader).toBe('a')
  })

  it('bootstrap of a single voter leads at once and commits after its own disk write', () => {
    const a = new RaftCore(config('a'), EMPTY)
    a.bootstrap(conf('a'))
    const d = drain(a)
    expect(d.entries).toEqual([cfgEntry(1, 1, conf('a')), noop(2, 2)])
    expect(d.committed.map((e) => e.index)).toEqual([1, 2])
    expect(eventsOf(d.events, 'becameLeader')).toHaveLength(1)
    expect(a.status()).toMatchObject({role: 'leader', term: 2, commit: 2})
  })

  it('bootstrap refuses a node that already has a log', () => {
    expect(() => follower().bootstrap(conf('a'))).toThrow(/empty node/)
  })

  it('a node without a configuration never campaigns, and says so once', () => {
    const n = new RaftCore(config('n'), EMPTY)
    const d = tickN(n, 3 * T + 1)
    expect(eventsOf(d.events, 'electionAborted')).toEqual([{e: 'electionAborted', reason: 'no-known-peers'}])
    expect(n.status()).toMatchObject({role: 'follower', term: 0})
  })

  it('a node outside the configuration never campaigns', () => {
    const z = new RaftCore(config('z'), recovered(logWith(C3, []), {commit: 1}))
    const d = tickN(z, 2 * T)
    expect(eventsOf(d.events, 'electionAborted')).toEqual([{e: 'electionAborted', reason: 'not-in-configuration'}])
    expect(only(d.messages, 'prevote')).toEqual([])
  })

  it('hashicorp timer: when it fires less than T after the last contact it re-arms instead of campaigning', () => {
    // random() = 0.5 makes every [T, 2T) draw 1.5 T.
    const a = follower([], {}, {random: () => 0.5})
    tickN(a, 8)
    a.step(append({term: 2}))
    drain(a)
    const quiet = tickN(a, 30 - 8 - 1)
    expect(eventsOf(quiet.events, 'heartbeatTimeout')).toHaveLength(0)
    expect(eventsOf(tickN(a, 1).events, 'heartbeatTimeout')).toHaveLength(1)
  })
})

describe('replication: the follower', () => {
  it('refuses AppendEntries of an older term with its own term, without resetting the timer', () => {
    const a = follower([], {term: 3})
    tickN(a, T - 1)
    a.step(append({term: 2}))
    const d = drain(a)
    expect(only(d.messages, 'append_resp')[0]).toMatchObject({ok: false, term: 3})
    expect(eventsOf(tickN(a, 1).events, 'heartbeatTimeout')).toHaveLength(1)
  })

  it('refuses a prevIndex past its log with a hint of its own length', () => {
    const a = follower([1])
    a.step(append({prevIndex: 7, prevTerm: 2, commit: 7}))
    expect(only(drain(a).messages, 'append_resp')[0]).toMatchObject({ok: false, match: 7, conflictIndex: 3, lastIndex: 2})
    expect(a.status().commit).toBe(1)
  })

  it('refuses a prevTerm mismatch with the conflicting term and the first index it holds of that term', () => {
    const a = follower([2, 2, 2])
    a.step(append({term: 3, prevIndex: 4, prevTerm: 3}))
    expect(only(drain(a).messages, 'append_resp')[0]).toMatchObject({ok: false, conflictTerm: 2, conflictIndex: 2})
  })

  it('truncates only on a real term conflict, then appends; the truncation goes to storage', () => {
    const a = follower([1, 2, 2])
    a.step(append({term: 3, prevIndex: 2, prevTerm: 1, entries: [cmd(3, 3)]}))
    const r = a.ready()
    expect(r?.truncateFrom).toBe(3)
    expect(r?.entries).toEqual([cmd(3, 3)])
    expect(eventsOf(r?.events ?? [], 'logTruncated')).toEqual([{e: 'logTruncated', from: 3, to: 4}])
    expect(only(r?.messages ?? [], 'append_resp')[0]).toMatchObject({ok: true, match: 3})
    expect(a.status().lastIndex).toBe(3)
  })

  it('a delayed or duplicated AppendEntries never removes entries (bug #7)', () => {
    const a = follower([2, 2, 2, 2])
    a.step(append({term: 2, prevIndex: 1, prevTerm: 1, entries: [cmd(2, 2), cmd(3, 2)]}))
    const d = drain(a)
    expect(a.status().lastIndex).toBe(5)
    expect(eventsOf(d.events, 'logTruncated')).toEqual([])
    expect(d.readies.some((r) => r.truncateFrom !== undefined)).toBe(false)
  })

  it('commits only as far as the request verified, never into an unverified tail (bug #8)', () => {
    const a = follower([1, 2, 2])
    // Leader of term 3 whose log matches ours up to index 2 only; our 3..4 are leftovers of term 2.
    a.step(append({term: 3, prevIndex: 2, prevTerm: 1, entries: [], commit: 4}))
    const d = drain(a)
    expect(a.status().commit).toBe(2)
    expect(d.committed.map((e) => e.index)).toEqual([2])
  })

  it('a heartbeat whose prevLog does not match does not move the commit index', () => {
    const a = follower([1, 2, 2])
    a.step(append({term: 3, prevIndex: 4, prevTerm: 3, entries: [], commit: 4}))
    drain(a)
    expect(a.status().commit).toBe(1)
  })

  it('answers with the request’s own end, not its longer log', () => {
    const a = follower([2, 2, 2, 2])
    a.step(append({term: 2, prevIndex: 1, prevTerm: 1, entries: [cmd(2, 2)]}))
    expect(only(drain(a).messages, 'append_resp')[0]).toMatchObject({ok: true, match: 2, lastIndex: 5})
  })

  it('adopts a newer term from AppendEntries and persists it in the Ready that carries the reply', () => {
    const a = follower()
    a.step(append({term: 4}))
    const r = a.ready()
    expect(r?.hardState).toEqual({term: 4, votedFor: null, commit: 1})
    expect(only(r?.messages ?? [], 'append_resp')[0]).toMatchObject({term: 4, ok: true})
  })

  it('skips entries at or below its commit index without checking them', () => {
    const a = follower([1, 1], {commit: 3})
    a.step(append({term: 2, prevIndex: 0, prevTerm: 0, entries: [cfgEntry(1, 1, C3), cmd(2, 1), cmd(3, 1), cmd(4, 2)], commit: 4}))
    const d = drain(a)
    expect(only(d.messages, 'append_resp')[0]).toMatchObject({ok: true, match: 4})
    expect(d.entries).toEqual([cmd(4, 2)])
    a.step(append({term: 2, prevIndex: 0, prevTerm: 0, entries: [cfgEntry(1, 1, C3)], commit: 4}))
    expect(only(drain(a).messages, 'append_resp')[0]).toMatchObject({ok: true, match: 1})
  })

  it('a configuration entry takes effect when appended and is reverted when truncated away', () => {
    const a = follower()
    a.step(append({term: 2, entries: [cfgEntry(2, 2, conf('a', 'b', 'c', 'd'))]}))
    drain(a)
    expect(a.status()).toMatchObject({confIndex: 2})
    expect(a.status().conf.servers.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd'])
    a.step(append({term: 3, entries: [cmd(2, 3)]}))
    const d = drain(a)
    expect(a.status()).toMatchObject({confIndex: 1})
    expect(a.status().conf).toEqual(C3)
    expect(eventsOf(d.events, 'configurationChanged').at(-1)).toMatchObject({index: 1, committed: true})
  })
})

describe('replication: the leader', () => {
  it('takes matchIndex from the response (the request’s own values), not from the follower’s log length (bug #9)', () => {
    const {core: a, out} = makeLeader('a', C3)
    const toB = only(out.messages, 'append').find((m) => m.to === 'b') as Extract<Msg, {t: 'append'}>
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 40, ctx: toB.ctx})
    drain(a)
    expect(a.status().commit).toBe(2)
    a.propose('x3')
    drain(a)
    expect(a.status().commit).toBe(2)
    a.step({t: 'append_resp', term: 2, from: 'c', to: 'a', ok: true, match: 3, lastIndex: 3})
    drain(a)
    expect(a.status().commit).toBe(3)
  })

  it('moves nextIndex back with the hints, never below matchIndex+1, and ignores stale rejections', () => {
    const {core: a} = makeLeader('a', C3, logWith(C3, [1, 1, 1, 1]))
    // The no-op is at 6; b rejected prev 5 and only has 2 entries.
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: false, match: 5, lastIndex: 2, conflictIndex: 3})
    let d = drain(a)
    expect(eventsOf(d.events, 'appendRejected')).toEqual([{e: 'appendRejected', peer: 'b', next: 3}])
    const retry = only(d.messages, 'append').filter((m) => m.to === 'b')
    expect(retry.map((m) => [m.prevIndex, m.entries.map((e) => e.index)])).toEqual([[2, [3, 4, 5, 6]]])
    // The same rejection delivered again is stale now (it was for prevIndex 5): ignored.
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: false, match: 5, lastIndex: 2, conflictIndex: 3})
    d = drain(a)
    expect(eventsOf(d.events, 'appendRejected')).toEqual([])
    // b acknowledged up to 4 meanwhile; a rejection whose hint points lower cannot take next below 5.
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 4, lastIndex: 4})
    drain(a)
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: false, match: 4, lastIndex: 4, conflictIndex: 1})
    d = drain(a)
    expect(eventsOf(d.events, 'appendRejected')).toEqual([{e: 'appendRejected', peer: 'b', next: 5}])
  })

  it('uses the conflict term to skip a whole term at once', () => {
    const {core: a} = makeLeader('a', C3, logWith(C3, [1, 1, 2, 2]), {}, {term: 2})
    // The leader's log: 2,3 term 1; 4,5 term 2; no-op 6 term 3. b holds term 3? No: b says its entry at 5 is term 1
    // from index 3 on, which the leader has up to 3, so the next try starts at 4.
    a.step({t: 'append_resp', term: 3, from: 'b', to: 'a', ok: false, match: 5, lastIndex: 9, conflictTerm: 1, conflictIndex: 3})
    expect(eventsOf(drain(a).events, 'appendRejected')[0]).toMatchObject({next: 4})
  })

  it('ignores responses from an older term (term confusion, bug #4)', () => {
    const {core: a} = makeLeader('a', C3)
    a.step({t: 'append_resp', term: 1, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 2})
    drain(a)
    expect(a.status().commit).toBe(1)
  })

  it('a response with a newer term deposes the leader', () => {
    const {core: a} = makeLeader('a', C3)
    a.step({t: 'append_resp', term: 5, from: 'b', to: 'a', ok: false, match: 1, lastIndex: 1})
    const d = drain(a)
    expect(a.status()).toMatchObject({role: 'follower', term: 5})
    expect(d.events.map((e) => e.e)).toEqual(expect.arrayContaining(['newerTermSeen', 'peerHasNewerTerm', 'becameFollower']))
  })

  it('Figure 8: an entry of an older term is not committed by counting replicas (bug #10)', () => {
    const {core: a} = makeLeader('a', C3, logWith(C3, [2]), {}, {term: 2})
    expect(a.status().term).toBe(3)
    a.step({t: 'append_resp', term: 3, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 2})
    drain(a)
    expect(a.status().commit).toBe(1)
    a.step({t: 'append_resp', term: 3, from: 'b', to: 'a', ok: true, match: 3, lastIndex: 3})
    const d = drain(a)
    expect(a.status().commit).toBe(3)
    expect(d.committed.map((e) => e.index)).toEqual([2, 3])
  })

  it('counts its own copy only once it is durable', () => {
    const {core: a} = makeLeader('a', C3)
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 2})
    drain(a)
    a.propose('x3')
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 3, lastIndex: 3})
    expect(a.status().commit).toBe(2)
    const r = a.ready()
    expect(r?.entries.map((e) => e.index)).toEqual([3])
    a.advance(r as NonNullable<typeof r>)
    expect(a.status().commit).toBe(3)
  })

  it('sends at most maxAppendEntries per message, one AppendEntries in flight per follower, and resends after a timeout', () => {
    const {core: a, out} = makeLeader('a', C3, undefined, {maxAppendEntries: 2})
    for (let i = 0; i < 5; i++) a.propose(`p${i}`)
    const d = drain(a)
    expect(only(d.messages, 'append').filter((m) => m.entries.length > 0)).toEqual([])
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'b'))
    const next = only(drain(a).messages, 'append').filter((m) => m.to === 'b')
    expect(next.map((m) => [m.prevIndex, m.entries.length])).toEqual([[2, 2]])
    const later = tickN(a, Math.floor(T / 2))
    const resent = only(later.messages, 'append').filter((m) => m.to === 'b' && m.entries.length > 0)
    expect(resent.map((m) => [m.prevIndex, m.entries.length])).toEqual([[2, 2]])
  })

  it('heartbeats carry the commit index only as far as the follower is known to match', () => {
    const {core: a, out} = makeLeader('a', C3)
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'b'))
    drain(a)
    const hb = only(tickN(a, 1).messages, 'append')
    expect(hb.find((m) => m.to === 'b')).toMatchObject({prevIndex: 2, prevTerm: 2, entries: [], commit: 2})
  })

  it('commit timeout: followers learn a new commit index quickly even between heartbeats', () => {
    const {core: a, out} = makeLeader('a', C3, undefined, {heartbeatTimeoutTicks: 100, electionTimeoutTicks: 100, leaderLeaseTimeoutTicks: 50})
    ackAll(a, only(out.messages, 'append'))
    drain(a)
    expect(a.status().commit).toBe(2)
    const d = tickN(a, 4)
    const withCommit = only(d.messages, 'append').filter((m) => m.commit === 2)
    expect(withCommit.map((m) => m.to).sort()).toEqual(['b', 'c'])
  })

  it('check-quorum: without contact from a quorum within the lease the leader steps down', () => {
    const {core: a} = makeLeader('a', C3)
    const d = tickN(a, 10)
    expect(eventsOf(d.events, 'peerContactLost').map((e) => e.peer)).toEqual(['b', 'c'])
    expect(eventsOf(d.events, 'quorumLost')).toHaveLength(1)
    expect(a.status()).toMatchObject({role: 'follower', leader: null, term: 2})
  })

  it('one responsive follower keeps a three-node leader in office', () => {
    const {core: a} = makeLeader('a', C3)
    for (let i = 0; i < 30; i++) {
      a.tick()
      ackAll(a, only(drain(a).messages, 'append').filter((m) => m.to === 'b'))
    }
    expect(a.status().role).toBe('leader')
  })
})

describe('snapshots', () => {
  function appliedFollower(n: number, over = {}): RaftCore {
    const a = new RaftCore(config('a', over), recovered(logWith(C3, Array(n - 1).fill(1)), {commit: n}))
    drain(a)
    return a
  }

  it('compact() keeps trailingLogs entries, fills in term and configuration, and never goes back', () => {
    const a = appliedFollower(10, {trailingLogs: 3})
    const s: Snapshot = {meta: {index: 8, term: 0, conf: {servers: []}}, data: 'S8'}
    expect(a.compact(s)).toEqual({compactTo: 8})
    expect(s.meta).toEqual({index: 8, term: 1, conf: C3})
    expect(a.firstIndex()).toBe(8)
    expect(a.status().snapshotIndex).toBe(8)
    expect(eventsOf(drain(a).events, 'snapshotTaken')).toEqual([{e: 'snapshotTaken', index: 8, compactedTo: 7}])
    expect(a.compact({meta: {index: 6, term: 0, conf: C3}, data: ''})).toBeNull()
    expect(a.compact({meta: {index: 11, term: 0, conf: C3}, data: ''})).toBeNull()
  })

  it('the leader sends InstallSnapshot when a follower needs entries it compacted', () => {
    const {core: a, out} = makeLeader('a', C3, logWith(C3, Array(8).fill(1)))
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'b'))
    drain(a)
    expect(a.status().commit).toBe(10)
    expect(a.compact({meta: {index: 10, term: 0, conf: C3}, data: 'S10'})).toEqual({compactTo: 11})
    a.step({t: 'append_resp', term: 2, from: 'c', to: 'a', ok: false, match: 9, lastIndex: 1, conflictIndex: 2})
    const d = drain(a)
    const snap = only(d.messages, 'snapshot')
    expect(snap.map((m) => [m.to, m.snapshot.meta.index, m.snapshot.meta.term])).toEqual([['c', 10, 2]])
    expect(eventsOf(d.events, 'snapshotSent')).toEqual([{e: 'snapshotSent', peer: 'c', index: 10}])
    a.step({t: 'snapshot_resp', term: 2, from: 'c', to: 'a', ok: true, match: 10})
    expect(only(drain(a).messages, 'append').filter((m) => m.to === 'c').map((m) => m.prevIndex)).toEqual([10])
  })

  it('acknowledges a snapshot at or below its commit index without installing it', () => {
    const a = appliedFollower(5)
    a.step(snapshotMsg(4, 1))
    const d = drain(a)
    expect(d.readies.some((r) => r.snapshot)).toBe(false)
    expect(only(d.messages, 'snapshot_resp')[0]).toMatchObject({ok: true, match: 4})
  })

  it('keeps the log after the snapshot when its entry at the snapshot index matches', () => {
    const a = follower([1, 1, 1, 1, 1, 1, 1], {commit: 2})
    a.step(snapshotMsg(5, 1))
    const r = a.ready()
    expect(r?.snapshot?.meta.index).toBe(5)
    expect(r?.truncateFrom).toBeUndefined()
    expect(r?.committed).toEqual([])
    expect(a.status()).toMatchObject({lastIndex: 8, commit: 5, snapshotIndex: 5})
    expect(a.firstIndex()).toBe(6)
  })

  it('discards a log that conflicts at the snapshot index (hashicorp#697), truncating only after its commit index', () => {
    const a = follower([1, 1, 1, 1, 1, 1, 1], {commit: 2})
    a.step(snapshotMsg(6, 2))
    const r = a.ready()
    expect(r?.snapshot?.meta.index).toBe(6)
    expect(r?.truncateFrom).toBe(3)
    expect(r?.hardState?.commit).toBe(2)
    expect(eventsOf(r?.events ?? [], 'logTruncated')).toEqual([{e: 'logTruncated', from: 3, to: 8}])
    expect(eventsOf(r?.events ?? [], 'snapshotInstalled')).toEqual([{e: 'snapshotInstalled', index: 6, term: 2}])
    a.advance(r as NonNullable<typeof r>)
    expect(a.status()).toMatchObject({lastIndex: 6, commit: 6, applied: 6})
    a.step(append({term: 2, prevIndex: 6, prevTerm: 2, entries: [cmd(7, 2)], commit: 7}))
    const d = drain(a)
    expect(d.committed.map((e) => e.index)).toEqual([7])
    expect(d.hardStates.at(-1)?.commit).toBe(7)
  })

  it('refuses InstallSnapshot of an older term with its own term', () => {
    const a = follower([], {term: 3})
    a.step(snapshotMsg(9, 2, 2))
    expect(only(drain(a).messages, 'snapshot_resp')[0]).toMatchObject({ok: false, term: 3})
  })

  it('after a restart the configuration comes from the last config entry, else the snapshot, and committed entries are delivered once', () => {
    const snap: Snapshot = {meta: {index: 5, term: 1, conf: C3}, data: 'S5'}
    const c4 = conf('a', 'b', 'c', 'd')
    const a = new RaftCore(config('a'), recovered([cmd(6, 1), cfgEntry(7, 2, c4), cmd(8, 2)], {term: 2, commit: 8}, snap))
    expect(a.status()).toMatchObject({confIndex: 7, commit: 8, applied: 5, snapshotIndex: 5})
    const d = drain(a)
    expect(d.committed.map((e) => e.index)).toEqual([6, 7, 8])
    expect(a.ready()).toBeNull()
    const b = new RaftCore(config('a'), recovered([cmd(6, 1)], {term: 2, commit: 0}, snap))
    expect(b.status()).toMatchObject({confIndex: 5, commit: 5})
    expect(b.status().conf).toEqual(C3)
  })

  it('a restart never lets the term fall behind the log (a torn hard-state record)', () => {
    const a = new RaftCore(config('a'), recovered(logWith(C3, [4]), {term: 2, votedFor: 'b', commit: 1}))
    expect(a.status().term).toBe(4)
    expect(drain(a).hardStates).toEqual([{term: 4, votedFor: null, commit: 1}])
  })

  it('recovery drops stored entries that disagree with the snapshot at its index', () => {
    const snap: Snapshot = {meta: {index: 5, term: 2, conf: C3}, data: 'S5'}
    const a = new RaftCore(config('a'), recovered([cmd(3, 1), cmd(4, 1), cmd(5, 1), cmd(6, 1)], {term: 2}, snap))
    expect(a.status()).toMatchObject({lastIndex: 5, commit: 5})
  })

  it('recovery skips stale entries below the gap a received snapshot leaves, and refuses any other gap', () => {
    const snap: Snapshot = {meta: {index: 10, term: 2, conf: C3}, data: 'S10'}
    const a = new RaftCore(config('a'), recovered([cfgEntry(1, 1, C3), cmd(2, 1), cmd(11, 2), cmd(12, 2)], {term: 2}, snap))
    expect(a.status().lastIndex).toBe(12)
    expect(a.firstIndex()).toBe(11)
    expect(() => new RaftCore(config('a'), recovered([cmd(11, 2), cmd(13, 2)], {term: 2}, snap))).toThrow(/gap/)
    expect(() => new RaftCore(config('a'), recovered([cmd(2, 1)], {term: 2}))).toThrow(/no snapshot/)
  })
})

describe('membership', () => {
  it('a new leader refuses configuration changes until it has committed an entry of its own term (the 2015 fix)', () => {
    const {core: a, out} = makeLeader('a', C3)
    const change = {type: 'addVoter' as const, server: {id: 'd', httpAddr: 'd:8091'}}
    expect(a.proposeConfChange(change)).toEqual({ok: false, reason: 'busy'})
    ackAll(a, out.messages)
    drain(a)
    expect(a.proposeConfChange(change)).toEqual({ok: true, index: 3, term: 2})
  })

  it('allows one uncommitted configuration at a time, and it takes effect on the leader when appended', () => {
    const {core: a, out} = makeLeader('a', C3)
    ackAll(a, out.messages)
    drain(a)
    a.proposeConfChange({type: 'addVoter', server: {id: 'd', httpAddr: 'd:8091'}})
    expect(a.proposeConfChange({type: 'remove', id: 'c'})).toEqual({ok: false, reason: 'busy'})
    const d = drain(a)
    expect(eventsOf(d.events, 'peerAdded')).toEqual([{e: 'peerAdded', peer: 'd'}])
    expect(only(d.messages, 'append').map((m) => m.to)).toContain('d')
    // Four voters now: the leader and b are not enough to commit index 3.
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 3, lastIndex: 3})
    drain(a)
    expect(a.status().commit).toBe(2)
    a.step({t: 'append_resp', term: 2, from: 'd', to: 'a', ok: true, match: 3, lastIndex: 3})
    expect(eventsOf(drain(a).events, 'configurationChanged')).toEqual([{e: 'configurationChanged', index: 3, conf: {servers: [...C3.servers, {id: 'd', httpAddr: 'd:8091', voter: true}]}, committed: true}])
  })

  it('a removed leader leads until the removal commits, then steps down and hands over to the most up-to-date voter', () => {
    const {core: a, out} = makeLeader('a', C3)
    ackAll(a, out.messages)
    drain(a)
    expect(a.proposeConfChange({type: 'remove', id: 'a'})).toMatchObject({ok: true, index: 3})
    drain(a)
    a.step({t: 'append_resp', term: 2, from: 'c', to: 'a', ok: true, match: 3, lastIndex: 3})
    expect(a.status().role).toBe('leader')
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 2})
    expect(a.status().role).toBe('leader')
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 3, lastIndex: 3})
    const d = drain(a)
    expect(d.events.map((e) => e.e)).toEqual(expect.arrayContaining(['removedSelf', 'becameFollower', 'leadershipTransfer']))
    // b and c are equally up to date: the tie goes to configuration order.
    expect(only(d.messages, 'timeout_now')).toEqual([{t: 'timeout_now', term: 2, from: 'a', to: 'b'}])
    expect(a.status().role).toBe('follower')
    expect(eventsOf(tickN(a, 3 * T).events, 'electionAborted')).toEqual([{e: 'electionAborted', reason: 'not-in-configuration'}])
  })

  it('the last voter cannot be removed', () => {
    const a = new RaftCore(config('a'), EMPTY)
    a.bootstrap(conf('a'))
    drain(a)
    expect(a.proposeConfChange({type: 'remove', id: 'a'})).toEqual({ok: false, reason: 'busy'})
  })

  it('learners get entries but do not count toward commit; addVoter promotes them', () => {
    const cl = withLearner(C3, 'l')
    const {core: a, out} = makeLeader('a', cl, [cfgEntry(1, 1, cl)])
    expect(only(out.messages, 'append').map((m) => m.to)).toEqual(['b', 'c', 'l'])
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'l'))
    drain(a)
    expect(a.status().commit).toBe(1)
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'b'))
    drain(a)
    expect(a.status().commit).toBe(2)
    expect(a.proposeConfChange({type: 'addVoter', server: {id: 'l', httpAddr: 'l:8091'}})).toMatchObject({ok: true})
    expect(a.status().conf.servers.find((s) => s.id === 'l')?.voter).toBe(true)
  })
})

describe('read-index', () => {
  function committedLeader(): {a: RaftCore; out: ReturnType<typeof makeLeader>['out']} {
    const {core: a, out} = makeLeader('a', C3)
    ackAll(a, out.messages)
    drain(a)
    return {a, out}
  }

  it('a follower cannot serve a read-index request', () => {
    const a = follower()
    a.readIndex('r1')
    expect(drain(a).readsFailed).toEqual([{reqId: 'r1', leader: null}])
  })

  it('waits for a heartbeat round acknowledged by a majority, then serves at the commit index of its start', () => {
    const {a} = committedLeader()
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 2, ctx: 1})
    a.readIndex('r')
    const d = drain(a)
    expect(d.readsReady).toEqual([])
    const hb = only(d.messages, 'append')
    expect(hb.map((m) => m.to)).toEqual(['b', 'c'])
    // An acknowledgement of an older message does not count.
    a.step({t: 'append_resp', term: 2, from: 'c', to: 'a', ok: true, match: 2, lastIndex: 2, ctx: 2})
    expect(drain(a).readsReady).toEqual([])
    const toC = hb.find((m) => m.to === 'c') as Extract<Msg, {t: 'append'}>
    a.step({t: 'append_resp', term: 2, from: 'c', to: 'a', ok: true, match: 2, lastIndex: 2, ctx: toC.ctx})
    expect(drain(a).readsReady).toEqual([{reqId: 'r', index: 2}])
  })

  it('a read that arrives before the leader committed its first entry waits for that commit', () => {
    const {core: a, out} = makeLeader('a', C3)
    a.readIndex('r')
    expect(drain(a).messages).toEqual([])
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'b'))
    const d = drain(a)
    const hb = only(d.messages, 'append').find((m) => m.to === 'b') as Extract<Msg, {t: 'append'}>
    a.step({t: 'append_resp', term: 2, from: 'b', to: 'a', ok: true, match: 2, lastIndex: 2, ctx: hb.ctx})
    expect(drain(a).readsReady).toEqual([{reqId: 'r', index: 2}])
  })

  it('a single-voter leader serves reads at once', () => {
    const a = new RaftCore(config('a'), EMPTY)
    a.bootstrap(conf('a'))
    drain(a)
    a.readIndex('r')
    expect(drain(a).readsReady).toEqual([{reqId: 'r', index: 2}])
  })

  it('pending reads fail when leadership is lost', () => {
    const {a} = committedLeader()
    a.readIndex('r')
    drain(a)
    a.step({t: 'append_resp', term: 7, from: 'b', to: 'a', ok: false, match: 0, lastIndex: 0})
    expect(drain(a).readsFailed).toEqual([{reqId: 'r', leader: null}])
  })

  it('bounds the read-index requests waiting on a leader', () => {
    const {a} = committedLeader()
    for (let i = 0; i <= MAX_PENDING_READS; i++) a.readIndex(`r${i}`)
    expect(drain(a).readsFailed).toEqual([{reqId: `r${MAX_PENDING_READS}`, leader: 'a'}])
  })
})

describe('leadership transfer', () => {
  it('catches the target up, then sends timeout_now; proposals are refused meanwhile', () => {
    const {core: a, out} = makeLeader('a', C3)
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'b'))
    drain(a)
    expect(a.transferLeadership('c')).toBe(true)
    expect(a.propose('x')).toEqual({ok: false, reason: 'busy'})
    let d = drain(a)
    expect(eventsOf(d.events, 'leadershipTransfer')).toEqual([{e: 'leadershipTransfer', to: 'c'}])
    expect(only(d.messages, 'timeout_now')).toEqual([])
    ackAll(a, only(out.messages, 'append').filter((m) => m.to === 'c'))
    d = drain(a)
    expect(only(d.messages, 'timeout_now')).toEqual([{t: 'timeout_now', term: 2, from: 'a', to: 'c'}])
    expect(a.transferLeadership('z')).toBe(false)
  })

  it('timeout_now makes the target campaign at once, skipping pre-vote, with votes that bypass stickiness', () => {
    const b = new RaftCore(config('b'), recovered(logWith(C3, []), {commit: 1}))
    b.step({t: 'append', term: 2, from: 'a', to: 'b', prevIndex: 1, prevTerm: 1, entries: [], commit: 1})
    drain(b)
    b.step({t: 'timeout_now', term: 2, from: 'a', to: 'b'})
    const d = drain(b)
    expect(d.hardStates).toEqual([{term: 3, votedFor: 'b', commit: 1}])
    expect(only(d.messages, 'prevote')).toEqual([])
    expect(only(d.messages, 'vote').map((m) => [m.to, m.term, m.transfer])).toEqual([
      ['a', 3, true],
      ['c', 3, true],
    ])
  })
})

describe('the Ready contract', () => {
  it('ready() again before advance() is a programming error', () => {
    const a = follower()
    a.step(vote())
    expect(a.ready()).not.toBeNull()
    expect(() => a.ready()).toThrow(/before advance/)
  })

  it('answers null when there is nothing to do', () => {
    const a = follower()
    expect(a.ready()).toBeNull()
  })

  it('a change of leader alone still produces a Ready (a learner loses its leader after the heartbeat timeout)', () => {
    const l = new RaftCore(config('l'), recovered([cfgEntry(1, 1, withLearner(C3, 'l'))], {commit: 1}))
    drain(l)
    l.step({t: 'append', term: 2, from: 'a', to: 'l', prevIndex: 1, prevTerm: 1, entries: [], commit: 1})
    expect(drain(l).readies.at(-1)?.soft).toEqual({role: 'follower', term: 2, leader: 'a'})
    const d = tickN(l, T)
    expect(d.readies.at(-1)?.soft).toEqual({role: 'follower', term: 2, leader: null})
  })

  it('is deterministic: the same seed and inputs give the same Readys', () => {
    const run = (): string => {
      const rng = new Rng(12345, 'core-determinism')
      const random = (): number => rng.next()
      const a = new RaftCore(config('a', {random}), recovered(logWith(C3, [1, 1]), {commit: 1}))
      const out: unknown[] = []
      for (let i = 0; i < 60; i++) {
        a.tick()
        if (i === 25) a.step({t: 'prevote_resp', term: 2, from: 'b', to: 'a', granted: true})
        if (i === 26) a.step({t: 'vote_resp', term: 2, from: 'c', to: 'a', granted: true})
        out.push(drain(a).readies)
      }
      return JSON.stringify(out)
    }
    expect(run()).toBe(run())
  })

  it('bounds the entries waiting for commit on a leader', () => {
    const {core: a} = makeLeader('a', C3)
    let last = a.propose('first')
    for (let i = 0; i < MAX_UNCOMMITTED + 5 && last.ok; i++) last = a.propose(`p${i}`)
    expect(last).toEqual({ok: false, reason: 'busy'})
    expect(a.status().lastIndex - a.status().commit).toBe(MAX_UNCOMMITTED)
  })
})
