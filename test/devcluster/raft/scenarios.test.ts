/**
 * T1: scripted multi-node scenarios on the in-memory harness (helpers.ts Cluster): Figure 8 of the Raft paper, the
 * 2015 single-server membership bug, a paused node rejoining with and without pre-vote, removing the leader,
 * InstallSnapshot to a divergent follower, a full-cluster restart, and the `medic dev up` flow (bootstrap one node,
 * then add two empty ones as voters). Election safety is asserted by the harness on every becameLeader event.
 */
import {describe, expect, it} from 'vitest'
import type {Msg, NodeId} from '../../../src/devcluster/raft/types.js'
import {Cluster, T, cfgEntry, cmd, conf, eventsOf, recovered} from './helpers.js'

const isVoteTraffic = (m: Msg): boolean => m.t === 'vote' || m.t === 'vote_resp'

function dataOf(cl: Cluster, id: NodeId): string[] {
  return cl.node(id).data
}

/** Ticks and delivers until `cond` holds (bounded). */
function runUntil(cl: Cluster, cond: () => boolean, maxTicks = 400): void {
  for (let i = 0; i < maxTicks; i++) {
    if (cond()) return
    cl.tickAll()
    cl.stabilize()
  }
  if (!cond()) throw new Error('condition not reached')
}

describe('Figure 8: a leader never commits an entry of an older term by counting replicas', () => {
  it('keeps x@2 (term 2) uncommitted on a majority until its own term commits, so S5 may rightly overwrite it', () => {
    const C = conf('s1', 's2', 's3', 's4', 's5')
    const cl = new Cluster([], {preVote: false, maxAppendEntries: 1})
    const base = cfgEntry(1, 1, C)
    const x2 = cmd(2, 2, 'x2')
    cl.add('s1', recovered([base, x2], {term: 2, commit: 1}))
    cl.add('s2', recovered([base, x2], {term: 2, commit: 1}))
    cl.add('s3', recovered([base], {term: 3, votedFor: 's5', commit: 1}))
    cl.add('s4', recovered([base], {term: 3, votedFor: 's5', commit: 1}))
    cl.add('s5', recovered([base, cmd(2, 3, 'y2')], {term: 3, votedFor: 's5', commit: 1}))
    cl.crash('s5')

    // (c) S1 is elected in term 4 and replicates x@2 to S3, but its own no-op reaches only S2.
    cl.core('s1').campaign()
    cl.flush('s1')
    cl.deliver(isVoteTraffic)
    cl.deliver(isVoteTraffic)
    cl.core('s1').campaign()
    cl.flush('s1')
    cl.deliver(isVoteTraffic)
    cl.deliver(isVoteTraffic)
    expect(cl.core('s1').status()).toMatchObject({role: 'leader', term: 4})
    for (let i = 0; i < 20; i++) {
      // S3 first refuses (it lacks index 2), gets x@2, and then never receives the no-op.
      const s3HasX2 = cl.core('s3').status().lastIndex >= 2
      cl.drop((m) => m.to === 's4' || (s3HasX2 && m.t === 'append' && m.to === 's3' && m.entries.some((e) => e.index === 3)))
      if (cl.deliver() === 0) break
    }
    expect(cl.core('s3').entryAt(2)).toEqual(x2)
    expect(cl.core('s3').status().lastIndex).toBe(2)
    expect(cl.core('s2').status().lastIndex).toBe(3)
    // x@2 is on S1, S2 and S3, a majority, but it is of term 2: not committed.
    expect(cl.core('s1').status().commit).toBe(1)

    // (d) S1 crashes; S5 is elected with S3's and S4's votes and overwrites index 2.
    cl.crash('s1')
    cl.restart('s5')
    cl.forceCampaign('s5')
    cl.stabilize()
    cl.forceCampaign('s5')
    cl.stabilize()
    expect(cl.leader()).toBe('s5')
    cl.restart('s1')
    cl.run(5)
    for (const id of ['s1', 's2', 's3', 's4', 's5']) {
      expect(cl.core(id).entryAt(2)?.data, id).toBe('y2')
      expect(dataOf(cl, id), id).not.toContain('x2')
    }
    expect(cl.core('s2').status().commit).toBe(cl.core('s5').status().commit)
  })
})

describe('the 2015 single-server membership bug', () => {
  it('a new leader may not change the configuration before its own term commits, so the stale configuration cannot win', () => {
    const C4 = conf('a', 'b', 'c', 'd')
    const cl = new Cluster([], {preVote: false})
    for (const id of ['a', 'b', 'c', 'd']) cl.add(id, recovered([cfgEntry(1, 1, C4)], {term: 1, commit: 1}))
    cl.add('e')
    cl.core('a').campaign()
    cl.flush('a')
    cl.stabilize()
    expect(cl.leader()).toBe('a')
    expect(cl.core('a').status().commit).toBe(2)

    // a appends C1 = {a,b,c,d,e} and crashes before anyone else sees it.
    expect(cl.core('a').proposeConfChange({type: 'addVoter', server: {id: 'e', httpAddr: 'e:8091'}})).toMatchObject({ok: true, index: 3})
    cl.flush('a')
    cl.drop((m) => m.from === 'a')
    cl.crash('a')

    // b wins term 3 with c and d. Before its no-op commits it may not remove d.
    cl.forceCampaign('b')
    cl.deliver(isVoteTraffic)
    cl.deliver(isVoteTraffic)
    expect(cl.core('b').status()).toMatchObject({role: 'leader', term: 3})
    expect(cl.core('b').proposeConfChange({type: 'remove', id: 'd'})).toEqual({ok: false, reason: 'busy'})
    cl.stabilize()
    expect(cl.core('b').status().commit).toBe(3)
    // Now it may: C2 = {a,b,c} commits with b and c.
    expect(cl.core('b').proposeConfChange({type: 'remove', id: 'd'})).toMatchObject({ok: true, index: 4})
    cl.flush('b')
    cl.drop((m) => m.to === 'd')
    cl.stabilize()
    expect(cl.core('b').status().commit).toBe(4)

    // a comes back with C1 in its log. d holds b's term-3 no-op, so d refuses a: a gets only a and e of five.
    cl.restart('a')
    for (let i = 0; i < 2; i++) {
      cl.forceCampaign('a')
      cl.stabilize()
    }
    expect(eventsOf(cl.node('a').events, 'becameLeader')).toEqual([expect.objectContaining({term: 2})])
    expect(eventsOf(cl.node('d').events, 'voteRejected').filter((e) => e.candidate === 'a').map((e) => e.reason)).toContain('last-term-greater')
    expect(cl.core('b').entryAt(4)?.kind).toBe('config')
    expect(cl.core('c').entryAt(4)?.kind).toBe('config')
  })
})

describe('membership liveness', () => {
  it('a lagging voter that holds an old configuration does not block the only electable candidate', () => {
    // Found by the simulator (five-node seeds 984, 2235, 3045, 4264): {n4,n5,n9} committed, then n5 appended {n4,n9}
    // (removing itself) and stepped down. n9 needs n4's vote, and n4's old configuration does not list n9.
    const old = conf('n2', 'n4', 'n5')
    const log = [cfgEntry(1, 1, old), cfgEntry(2, 5, conf('n4', 'n5', 'n9')), cfgEntry(3, 6, conf('n4', 'n9'))]
    const cl = new Cluster([])
    cl.add('n4', recovered([cfgEntry(1, 1, old)], {term: 4, commit: 1}))
    cl.add('n5', recovered(log, {term: 6, commit: 2}))
    cl.add('n9', recovered(log, {term: 6, commit: 2}))
    runUntil(cl, () => cl.leader() !== null && cl.core('n4').status().commit >= 3)
    expect(cl.leader()).toBe('n9')
    expect(cl.core('n4').status().conf.servers.map((s) => s.id)).toEqual(['n4', 'n9'])
    // n5 is out of the configuration and never campaigned.
    expect(eventsOf(cl.node('n5').events, 'becameCandidate')).toEqual([])
  })
})

describe('a paused node rejoins', () => {
  function pausedRejoin(preVote: boolean): Cluster {
    const C3 = conf('a', 'b', 'c')
    const cl = new Cluster([], {preVote})
    for (const id of ['a', 'b', 'c']) cl.add(id, recovered([cfgEntry(1, 1, C3)], {term: 1, commit: 1}))
    cl.core('a').campaign()
    cl.flush('a')
    cl.stabilize()
    expect(cl.leader()).toBe('a')
    // c is paused: it hears nothing and its timer does not run, while a and b carry on.
    cl.isolate('c')
    for (let i = 0; i < 3 * T; i++) {
      cl.tick('a')
      cl.tick('b')
      cl.stabilize()
    }
    cl.heal()
    cl.drop((m) => m.to === 'c' || m.from === 'c')
    // On resume the driver catches up on the ticks it missed before it reads its sockets.
    cl.tick('c', 3 * T)
    return cl
  }

  it('with pre-vote: its campaign is refused and the leader keeps its term', () => {
    const cl = pausedRejoin(true)
    runUntil(cl, () => cl.core('c').status().leader === 'a', 50)
    expect(cl.leader()).toBe('a')
    expect(cl.core('a').status().term).toBe(2)
    expect(cl.core('c').status().term).toBe(2)
    expect(eventsOf(cl.node('a').events, 'peerHasNewerTerm')).toEqual([])
    expect(eventsOf(cl.node('c').events, 'preVoteStarted').length).toBeGreaterThan(0)
  })

  it('without pre-vote: its inflated term deposes the healthy leader (the classic disruption)', () => {
    const cl = pausedRejoin(false)
    expect(cl.core('c').status().term).toBeGreaterThan(2)
    runUntil(cl, () => eventsOf(cl.node('a').events, 'peerHasNewerTerm').length > 0, 50)
    runUntil(cl, () => cl.leader() !== null && cl.core(cl.leader() as string).status().commit === cl.core(cl.leader() as string).status().lastIndex)
    expect(cl.core(cl.leader() as string).status().term).toBeGreaterThan(2)
  })
})

describe('removing the leader', () => {
  it('the leader commits its own removal, steps down and hands over without waiting for a timeout', () => {
    const C3 = conf('a', 'b', 'c')
    const cl = new Cluster([])
    for (const id of ['a', 'b', 'c']) cl.add(id, recovered([cfgEntry(1, 1, C3)], {term: 1, commit: 1}))
    cl.core('a').campaign()
    cl.flush('a')
    cl.stabilize()
    expect(cl.core('a').proposeConfChange({type: 'remove', id: 'a'})).toMatchObject({ok: true})
    cl.flush('a')
    cl.stabilize()
    const leader = cl.leader()
    expect(['b', 'c']).toContain(leader)
    expect(eventsOf(cl.node('a').events, 'removedSelf')).toHaveLength(1)
    expect(cl.core(leader as string).status().conf.servers.map((s) => s.id)).toEqual(['b', 'c'])
    // The removed node never campaigns again, and the new leader stays.
    const candidacies = eventsOf(cl.node('a').events, 'becameCandidate').length
    cl.run(4 * T)
    expect(eventsOf(cl.node('a').events, 'becameCandidate')).toHaveLength(candidacies)
    expect(cl.leader()).toBe(leader)
  })
})

describe('InstallSnapshot to a divergent follower', () => {
  it('replaces the follower’s conflicting log with the snapshot and the entries after it', () => {
    const C3 = conf('a', 'b', 'c')
    const cl = new Cluster([], {preVote: false}, {snapshotEvery: 5})
    const base = cfgEntry(1, 1, C3)
    cl.add('a', recovered([base, cmd(2, 3, 'z2')], {term: 3, commit: 1}))
    cl.add('b', recovered([base, cmd(2, 3, 'z2')], {term: 3, commit: 1}))
    // c holds entries of an old term-2 leader that never committed them.
    cl.add('c', recovered([base, cmd(2, 2, 'junk2'), cmd(3, 2, 'junk3'), cmd(4, 2, 'junk4')], {term: 2, commit: 1}))
    cl.isolate('c')
    cl.core('a').campaign()
    cl.flush('a')
    cl.stabilize()
    for (let i = 0; i < 20; i++) cl.propose('a', `w${i}`)
    cl.stabilize()
    expect(cl.core('a').status().snapshotIndex).toBeGreaterThan(10)
    cl.heal()
    runUntil(cl, () => cl.core('c').status().commit === cl.core('a').status().commit && dataOf(cl, 'c').length === dataOf(cl, 'a').length)
    const c = cl.node('c')
    expect(eventsOf(c.events, 'snapshotInstalled')).toHaveLength(1)
    expect(eventsOf(c.events, 'logTruncated')).toEqual([expect.objectContaining({from: 2})])
    expect(dataOf(cl, 'c')).toEqual(dataOf(cl, 'a'))
    expect([...c.durable.entries.values()].map((e) => e.data).filter((d) => d.startsWith('junk'))).toEqual([])
    // It recovers from what it persisted.
    cl.crash('c')
    cl.restart('c')
    runUntil(cl, () => dataOf(cl, 'c').length === dataOf(cl, 'a').length)
    expect(dataOf(cl, 'c')).toEqual(dataOf(cl, 'a'))
  })
})

describe('full-cluster restart', () => {
  it('every node comes back with its term, log and state; a new leader is elected and the log continues', () => {
    const C3 = conf('a', 'b', 'c')
    const cl = new Cluster([], {}, {snapshotEvery: 5})
    for (const id of ['a', 'b', 'c']) cl.add(id, recovered([cfgEntry(1, 1, C3)], {term: 1, commit: 1}))
    runUntil(cl, () => cl.leader() !== null)
    const first = cl.leader() as string
    for (let i = 0; i < 12; i++) cl.propose(first, `w${i}`)
    runUntil(cl, () => ['a', 'b', 'c'].every((id) => dataOf(cl, id).length === 12))
    const before = dataOf(cl, 'a').slice()
    const oldTerm = cl.core(first).status().term
    for (const id of ['a', 'b', 'c']) cl.crash(id)
    for (const id of ['a', 'b', 'c']) {
      cl.restart(id)
      expect(cl.core(id).status().term).toBeGreaterThanOrEqual(oldTerm)
      // Committed entries are re-applied right away from the persisted commit index.
      expect(dataOf(cl, id)).toEqual(before)
    }
    runUntil(cl, () => cl.leader() !== null)
    const second = cl.leader() as string
    expect(cl.core(second).status().term).toBeGreaterThan(oldTerm)
    cl.propose(second, 'after')
    runUntil(cl, () => ['a', 'b', 'c'].every((id) => dataOf(cl, id).at(-1) === 'after'))
    for (const id of ['a', 'b', 'c']) expect(dataOf(cl, id)).toEqual([...before, 'after'])
  })
})

describe('the medic dev up flow', () => {
  it('node 1 bootstraps alone, then nodes 2 and 3 start empty and are added as voters one at a time', () => {
    const cl = new Cluster(['n1', 'n2', 'n3'])
    cl.core('n1').bootstrap(conf('n1'))
    cl.flush('n1')
    expect(cl.core('n1').status()).toMatchObject({role: 'leader', commit: 2})
    // The empty nodes wait: they never campaign.
    cl.run(3 * T)
    for (const id of ['n2', 'n3']) {
      expect(eventsOf(cl.node(id).events, 'electionAborted'), id).toEqual([{e: 'electionAborted', reason: 'no-known-peers'}])
      expect(cl.core(id).status().term, id).toBe(0)
    }
    for (const id of ['n2', 'n3']) {
      const res = cl.core('n1').proposeConfChange({type: 'addVoter', server: {id, httpAddr: `${id}:8091`}})
      expect(res).toMatchObject({ok: true})
      cl.flush('n1')
      runUntil(cl, () => cl.core('n1').status().commit >= (res.ok ? res.index : 0))
    }
    cl.run(3)
    for (const id of ['n1', 'n2', 'n3']) {
      const st = cl.core(id).status()
      expect(st.conf.servers.map((s) => [s.id, s.voter]), id).toEqual([
        ['n1', true],
        ['n2', true],
        ['n3', true],
      ])
      expect(st.commit, id).toBe(cl.core('n1').status().commit)
      expect(st.leader, id).toBe('n1')
    }
    expect([...cl.leaders.values()]).toEqual(['n1'])
    // And it is a real cluster: lose the leader, the other two elect one and keep the log.
    cl.crash('n1')
    runUntil(cl, () => cl.leader() !== null)
    expect(['n2', 'n3']).toContain(cl.leader())
  })
})
