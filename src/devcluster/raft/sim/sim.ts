/**
 * The deterministic Raft simulator (raft-notes.md §3.3): several RaftCore instances in one process, driven the way the
 * production driver drives them (persist the Ready, then send, then apply, then advance), over a simulated network,
 * simulated disks and a virtual clock, with a seeded fault plan and a client workload. A fault phase (anything goes;
 * safety only) is followed by a heal phase (partitions removed, every node restarted, no loss) after which the cluster
 * must elect a leader, finish every client operation and converge.
 *
 * Why: Raft bugs hide in rare interleavings. Running thousands of seeded schedules, with invariants checked after
 * every event, finds them; the same seed (plus the plan written on failure) replays the failing run exactly
 * (scripts/raft-sim.ts --replay FILE --trace).
 */
import {RaftCore} from '../core.js'
import {raftLogLine} from '../log-lines.js'
import type {ConfChange, ConfState, LogEntry, Msg, NodeId, RaftConfig, RaftEvent, Ready, Role, Snapshot} from '../types.js'
import {Checker, InvariantViolation} from './invariants.js'
import {VirtualClock} from './clock.js'
import {SimDisk, cloneSnapshot, type DiskRecord} from './disk.js'
import {CALM, SimNetwork, type LinkProfile} from './network.js'
import {generatePlan, type FaultItem, type FaultTarget} from './plan.js'
import {Rng} from '../../../util/rng.js'
import {Client, KvFsm, kvOps, type ClientPort, type ClientReply, type ClientRequest, type OpSpec} from './workload.js'

export interface SimOptions {
  seed: number
  /** Voters of the initial configuration. */
  nodes: number
  /** Membership changes during the fault phase (adds, learner promotions, removals, the leader included). */
  churn: boolean
  /** 'bootstrap-all': node 1 bootstraps every voter at once. 'grow': node 1 bootstraps alone, then adds the others. */
  start: 'bootstrap-all' | 'grow'
  preVote: boolean
  /** Leader lease / check-quorum (off in some seeds: read-index must stay linearizable without it). */
  checkQuorum: boolean
  faultMs: number
  healMs: number
  clients: number
  readRatio: number
  snapshotThreshold: number
  trailingLogs: number
  maxAppendEntries: number
  network: LinkProfile
  /** Probability that a crash tears the write in flight. */
  tearP: number
  meanFaultGapMs: number
  /** The fault plan; generated from the seed when absent. */
  plan?: FaultItem[]
}

export interface SimCounters {
  elections: number
  termBumps: number
  preVoteRejections: number
  truncations: number
  snapshotsTaken: number
  snapshotsSent: number
  snapshotsInstalled: number
  configChanges: number
  readIndexRounds: number
  unknownOutcomes: number
  writesAcked: number
  crashes: number
  tornWrites: number
  pauses: number
  partitions: number
  messages: number
  steps: number
}

export function emptyCounters(): SimCounters {
  return {
    elections: 0,
    termBumps: 0,
    preVoteRejections: 0,
    truncations: 0,
    snapshotsTaken: 0,
    snapshotsSent: 0,
    snapshotsInstalled: 0,
    configChanges: 0,
    readIndexRounds: 0,
    unknownOutcomes: 0,
    writesAcked: 0,
    crashes: 0,
    tornWrites: 0,
    pauses: 0,
    partitions: 0,
    messages: 0,
    steps: 0,
  }
}

export function addCounters(into: SimCounters, from: SimCounters): void {
  for (const k of Object.keys(into) as Array<keyof SimCounters>) into[k] += from[k]
}

export interface SimResult {
  ok: boolean
  options: SimOptions
  plan: FaultItem[]
  counters: SimCounters
  violation?: {invariant: string; message: string; atMs: number}
  endMs: number
}

/** Options for a seed: a few settings vary with the seed itself so the seed set covers them. */
export function optionsForSeed(seed: number, kind: 'three' | 'five', overrides: Partial<SimOptions> = {}): SimOptions {
  const r = new Rng(seed, 'options')
  const five = kind === 'five'
  // A third of the seeds get a slow network (tens of ms per hop), so candidacies overlap and votes split.
  const slow = r.chance(0.33)
  // Some seeds duplicate a lot: a vote or an acknowledgement counted twice must not change any outcome.
  const duplicate = r.chance(0.15) ? r.float(0.2, 0.4) : r.float(0, 0.05)
  const network: LinkProfile = {
    loss: r.chance(0.3) ? 0 : r.float(0, 0.08),
    duplicate,
    tail: r.float(0.005, 0.04),
    tailMaxMs: r.float(300, 3000),
    baseMinMs: slow ? 5 : 0.2,
    baseMaxMs: slow ? r.float(20, 120) : r.float(1, 8),
  }
  return {
    seed,
    nodes: five ? 5 : 3,
    churn: five,
    start: five ? (r.chance(0.5) ? 'grow' : 'bootstrap-all') : r.chance(0.3) ? 'grow' : 'bootstrap-all',
    preVote: !r.chance(0.35),
    checkQuorum: !r.chance(0.2),
    faultMs: 16_000,
    healMs: 10_000,
    clients: 3,
    readRatio: 0.2,
    snapshotThreshold: 20,
    trailingLogs: r.int(0, 8),
    maxAppendEntries: r.pick([1, 2, 4, 16, 64]),
    network,
    tearP: 0.5,
    meanFaultGapMs: r.float(600, 2000),
    ...overrides,
  }
}

const TICK_MS = 10
/** A healthy run needs a few thousand events per simulated second; far more means something spins. */
const MAX_STEPS_PER_SIM_SECOND = 50_000
const MAX_PENDING_EVENTS = 200_000
const RAFT_TIMING = {heartbeatTimeoutTicks: 50, electionTimeoutTicks: 50, leaderLeaseTimeoutTicks: 25, commitTimeoutTicks: 5}

interface Proposal {
  term: number
  reply: (r: ClientReply) => void
}

class SimNode {
  core: RaftCore | null = null
  fsm = new KvFsm()
  up = false
  paused = false
  missedTicks = 0
  deferred: Array<() => void> = []
  saving = false
  incarnation = 0
  retired = false
  /** Crash during the next disk write, then stay down this long. */
  crashOnWrite: number | null = null
  proposals = new Map<number, Proposal>()
  reads = new Map<string, (r: ClientReply) => void>()
  readWaits: Array<{reqId: string; index: number}> = []
  soft: {role: Role; term: number; leader: NodeId | null} = {role: 'follower', term: 0, leader: null}

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
    readonly tickMs: number,
  ) {}

  run(fn: () => void): void {
    if (!this.up) return
    if (this.paused) this.deferred.push(fn)
    else fn()
  }
}

export class Simulation {
  readonly clock = new VirtualClock()
  readonly checker = new Checker()
  readonly counters = emptyCounters()
  readonly plan: FaultItem[]
  private readonly rng: Rng
  private readonly faultRng: Rng
  private readonly net: SimNetwork
  private readonly nodes = new Map<NodeId, SimNode>()
  private nodeSeq = 0
  private clients: Client[] = []
  private admins: Client[] = []
  private adminQueue: ConfChange[] = []
  /** The latest configuration applied anywhere (so: committed). */
  private knownConf: ConfState = {servers: []}
  private knownConfIndex = 0
  private lossWindow = 0
  /** Armed by a crash-after-conf fault: how long the trapped leader stays down. */
  private confTrap: number | null = null
  /** Armed by a crash-new-leader fault: how long the next elected leader stays down. */
  private leaderTrap: number | null = null
  private healed = false
  private readonly endMs: number

  constructor(readonly options: SimOptions, private readonly trace?: (line: string) => void) {
    this.rng = new Rng(options.seed, 'sim')
    this.faultRng = new Rng(options.seed, 'faults')
    this.plan = options.plan ?? generatePlan(new Rng(options.seed, 'plan'), {faultMs: options.faultMs, meanGapMs: options.meanFaultGapMs, churn: options.churn || options.start === 'grow'})
    this.net = new SimNetwork(this.clock, new Rng(options.seed, 'net'), options.network, (m) => this.deliver(m))
    this.endMs = options.faultMs + options.healMs
  }

  // ------------------------------------------------------------ nodes

  private addNode(): SimNode {
    const id = `n${++this.nodeSeq}`
    const skew = 1 + this.rng.float(-0.05, 0.05)
    const disk = new SimDisk(new Rng(this.options.seed, `disk/${id}`), {onHardState: (hs) => this.checker.onDurableHardState(id, hs)})
    const node = new SimNode(id, disk, TICK_MS * skew)
    this.nodes.set(id, node)
    this.startNode(node)
    return node
  }

  private raftConfig(node: SimNode): RaftConfig {
    const timers = new Rng(this.options.seed, `timers/${node.id}/${node.incarnation}`)
    return {
      id: node.id,
      tickMs: TICK_MS,
      ...RAFT_TIMING,
      preVote: this.options.preVote,
      checkQuorum: this.options.checkQuorum,
      maxAppendEntries: this.options.maxAppendEntries,
      trailingLogs: this.options.trailingLogs,
      random: timers.fn(),
    }
  }

  private startNode(node: SimNode): void {
    node.incarnation++
    node.up = true
    node.paused = false
    node.missedTicks = 0
    node.deferred = []
    node.saving = false
    node.proposals.clear()
    node.reads.clear()
    node.readWaits = []
    const recovered = node.disk.recover()
    node.fsm = new KvFsm()
    if (recovered.snapshot) {
      node.fsm.restore(recovered.snapshot.data)
      this.checker.onRestore(node.id, recovered.snapshot.meta.index, node.fsm)
    }
    node.core = new RaftCore(this.raftConfig(node), recovered)
    node.soft = {role: 'follower', term: node.core.status().term, leader: null}
    const inc = node.incarnation
    const tick = (): void => {
      if (node.incarnation !== inc || !node.up) return
      if (node.paused) node.missedTicks++
      else {
        node.core?.tick()
        this.pump(node)
      }
      this.clock.after(node.tickMs, tick)
    }
    this.clock.after(node.tickMs * this.rng.next(), tick)
    this.pump(node)
  }

  private crash(node: SimNode): void {
    if (!node.up) return
    this.counters.crashes++
    const torn = node.disk.tornWrites
    node.disk.crash(this.options.tearP)
    this.counters.tornWrites += node.disk.tornWrites - torn
    node.up = false
    node.paused = false
    node.core = null
    node.deferred = []
    node.saving = false
    node.incarnation++
    this.log(node, `CRASH${node.disk.tornWrites > torn ? ' (torn write)' : ''}`)
  }

  private pause(node: SimNode, forMs: number): void {
    if (!node.up || node.paused) return
    this.counters.pauses++
    node.paused = true
    const inc = node.incarnation
    this.log(node, `PAUSE ${forMs}ms`)
    this.clock.after(forMs, () => {
      if (node.incarnation === inc) this.resume(node)
    })
  }

  private resume(node: SimNode): void {
    if (!node.up || !node.paused) return
    node.paused = false
    this.log(node, `RESUME after ${node.missedTicks} missed ticks`)
    // The driver catches up on the ticks it missed (its timer is wall-clock based), then handles what queued up.
    const missed = Math.min(node.missedTicks, 2000)
    node.missedTicks = 0
    for (let i = 0; i < missed && node.core; i++) node.core.tick()
    const queued = node.deferred
    node.deferred = []
    for (const fn of queued) {
      if (!node.up) break
      fn()
    }
    this.pump(node)
  }

  // ------------------------------------------------------------ the driver loop

  private pump(node: SimNode): void {
    if (!node.up || node.paused || node.saving || !node.core) return
    const core = node.core
    for (;;) {
      const r = core.ready()
      if (!r) break
      this.observe(node, r)
      this.checker.checkNode(node.id, core)
      const records: DiskRecord[] = []
      if (r.hardState) records.push({k: 'hs', hs: r.hardState})
      if (r.truncateFrom !== undefined) records.push({k: 'trunc', from: r.truncateFrom})
      if (r.snapshot) records.push({k: 'snap', snapshot: cloneSnapshot(r.snapshot)})
      for (const e of r.entries) records.push({k: 'entry', e})
      if (records.length > 0) {
        node.saving = true
        const {id, doneAt} = node.disk.write(records, this.clock.now)
        const inc = node.incarnation
        if (node.crashOnWrite !== null) {
          const downMs = node.crashOnWrite
          node.crashOnWrite = null
          this.clock.at(this.clock.now + (doneAt - this.clock.now) / 2, () => {
            if (node.incarnation === inc) this.crashFor(node, downMs)
          })
        }
        this.clock.at(doneAt, () => {
          if (node.incarnation !== inc) return
          node.disk.complete(id)
          node.run(() => {
            node.saving = false
            this.finish(node, r)
            this.pump(node)
          })
        })
        return
      }
      this.finish(node, r)
    }
    this.checker.checkNode(node.id, core)
  }

  /** Everything after the Ready is durable: send, restore, apply, serve reads, advance, maybe snapshot. */
  private finish(node: SimNode, r: Ready): void {
    const core = node.core
    if (!core) return
    for (const m of r.messages) {
      this.counters.messages++
      if (m.t === 'vote_resp' && m.granted) this.checker.onVoteRevealed(node.id, m.term, m.to)
      this.net.send(m)
    }
    if (r.snapshot) {
      node.fsm.restore(r.snapshot.data)
      this.checker.onRestore(node.id, r.snapshot.meta.index, node.fsm)
      for (const [index, p] of node.proposals) {
        if (index <= r.snapshot.meta.index) {
          node.proposals.delete(index)
          p.reply({ok: false, kind: 'unknown'})
        }
      }
    }
    for (const e of r.committed) this.apply(node, e)
    for (const rr of r.readsReady) {
      this.counters.readIndexRounds++
      node.readWaits.push(rr)
    }
    this.serveReads(node)
    for (const f of r.readsFailed) {
      const reply = node.reads.get(f.reqId)
      node.reads.delete(f.reqId)
      reply?.({ok: false, kind: 'not-leader', leader: f.leader})
    }
    core.advance(r)
    if (node.soft.role === 'leader' && r.soft.role !== 'leader') {
      for (const p of node.proposals.values()) p.reply({ok: false, kind: 'unknown'})
      node.proposals.clear()
    }
    node.soft = r.soft
    const st = core.status()
    if (node.fsm.applied - st.snapshotIndex >= this.options.snapshotThreshold && node.fsm.applied === st.applied) {
      const snap: Snapshot = {meta: {index: node.fsm.applied, term: 0, conf: {servers: []}}, data: node.fsm.serialize()}
      const res = core.compact(snap)
      if (res) {
        const {id, doneAt} = node.disk.write([{k: 'compact', snapshot: cloneSnapshot(snap), compactTo: res.compactTo}], this.clock.now)
        const inc = node.incarnation
        this.clock.at(doneAt, () => {
          if (node.incarnation === inc) node.disk.complete(id)
        })
      }
    }
  }

  private apply(node: SimNode, e: LogEntry): void {
    if (e.index !== node.fsm.applied + 1) this.checker.fail('apply-order', `${node.id} applied ${e.index} after ${node.fsm.applied}`)
    node.fsm.apply(e)
    this.checker.onApply(node.id, e, node.fsm)
    if (e.kind === 'config' && e.index > this.knownConfIndex) {
      this.knownConfIndex = e.index
      this.knownConf = JSON.parse(e.data) as ConfState
    }
    const p = node.proposals.get(e.index)
    if (p) {
      node.proposals.delete(e.index)
      p.reply(p.term === e.term ? {ok: true, index: e.index} : {ok: false, kind: 'unknown'})
    }
  }

  private serveReads(node: SimNode): void {
    if (node.readWaits.length === 0) return
    const left: Array<{reqId: string; index: number}> = []
    for (const w of node.readWaits) {
      if (w.index > node.fsm.applied) {
        left.push(w)
        continue
      }
      const reply = node.reads.get(w.reqId)
      node.reads.delete(w.reqId)
      reply?.({ok: true, index: w.index})
    }
    node.readWaits = left
  }

  private observe(node: SimNode, r: Ready): void {
    const core = node.core as RaftCore
    if (r.hardState && r.hardState.term > node.soft.term) this.counters.termBumps++
    for (const ev of r.events) {
      switch (ev.e) {
        case 'becameLeader':
          this.counters.elections++
          this.checker.onLeader(node.id, ev.term)
          this.checker.checkLeaderCompleteness(node.id, core)
          if (this.leaderTrap !== null && !this.healed) {
            const downMs = this.leaderTrap
            this.leaderTrap = null
            const inc = node.incarnation
            this.clock.after(this.faultRng.float(0, 15), () => {
              if (node.incarnation !== inc || !node.up) return
              this.log(node, 'TRAP: crashing the new leader')
              this.crashFor(node, downMs)
            })
          }
          break
        case 'logTruncated':
          this.counters.truncations++
          break
        case 'snapshotTaken':
          this.counters.snapshotsTaken++
          break
        case 'snapshotSent':
          this.counters.snapshotsSent++
          break
        case 'snapshotInstalled':
          this.counters.snapshotsInstalled++
          break
        default:
          break
      }
      if (this.trace) this.traceEvent(node, ev, r.soft.role)
    }
  }

  private deliver(m: Msg): void {
    const node = this.nodes.get(m.to)
    if (!node || !node.up) return
    node.run(() => {
      if (m.t === 'prevote_resp' && !m.granted) this.counters.preVoteRejections++
      node.core?.step(m)
      this.pump(node)
    })
  }

  // ------------------------------------------------------------ clients

  private port(accepting: () => boolean): ClientPort {
    return {
      now: () => this.clock.now,
      after: (ms, run) => this.clock.after(ms, run),
      nodes: () => {
        const ids = [...this.nodes.values()].filter((n) => !n.retired).map((n) => n.id)
        return ids.length > 0 ? ids : [...this.nodes.keys()]
      },
      submit: (id, req, reply) => this.submit(id, req, reply),
      acceptingOps: accepting,
    }
  }

  private submit(id: NodeId, req: ClientRequest, reply: (r: ClientReply) => void): void {
    const node = this.nodes.get(id)
    if (!node || !node.up || node.paused || !node.core) return
    const core = node.core
    if (req.kind === 'read') {
      node.reads.set(req.reqId, reply)
      core.readIndex(req.reqId)
      this.pump(node)
      return
    }
    const res = req.kind === 'write' ? core.propose(req.data) : core.proposeConfChange(req.change)
    if (!res.ok) {
      reply(res.reason === 'busy' ? {ok: false, kind: 'busy'} : {ok: false, kind: 'not-leader', leader: res.leader})
      return
    }
    node.proposals.set(res.index, {term: res.term, reply})
    this.pump(node)
    if (req.kind === 'conf' && this.confTrap !== null && !this.healed) {
      const downMs = this.confTrap
      this.confTrap = null
      const inc = node.incarnation
      this.clock.after(this.faultRng.float(0, 6), () => {
        if (node.incarnation === inc && node.up) {
          this.log(node, 'TRAP: crashing the leader right after it appended a configuration entry')
          this.crashFor(node, downMs)
        }
      })
    }
  }

  private nextConfChange(): OpSpec | null {
    const queued = this.adminQueue.shift()
    if (queued) return {kind: 'conf', change: queued}
    if (!this.options.churn || this.clock.now >= this.options.faultMs) return null
    const servers = this.knownConf.servers
    const voters = servers.filter((s) => s.voter)
    const learner = servers.find((s) => !s.voter)
    const r = this.rng
    if (learner) return {kind: 'conf', change: {type: 'addVoter', server: {id: learner.id, httpAddr: learner.httpAddr}}}
    if (voters.length < 5 && (voters.length < 3 || r.chance(0.6))) {
      const node = this.addNode()
      this.log(node, 'NEW NODE (empty)')
      const server = {id: node.id, httpAddr: `${node.id}:8091`}
      return {kind: 'conf', change: r.chance(0.5) ? {type: 'addLearner', server} : {type: 'addVoter', server}}
    }
    if (voters.length > 3) return {kind: 'conf', change: {type: 'remove', id: r.pick(voters).id}}
    return null
  }

  private onConfDone(change: ConfChange): void {
    this.counters.configChanges++
    if (change.type !== 'remove') {
      // A stale, retried add can bring back a node another admin removed: the operator starts it again.
      const node = this.nodes.get(change.server.id)
      if (node?.retired) this.unretire(node)
      return
    }
    // The operator stops a removed node a little later (if it is still out of the configuration then).
    const node = this.nodes.get(change.id)
    if (!node) return
    this.clock.after(this.rng.float(0, 3000), () => {
      if (node.retired || this.latestMembers().has(node.id)) return
      node.retired = true
      this.log(node, 'RETIRED (removed from the configuration)')
      this.crash(node)
    })
  }

  private unretire(node: SimNode): void {
    node.retired = false
    this.log(node, 'UN-RETIRED (back in the configuration)')
    if (!node.up) this.startNode(node)
  }

  /** Every server named by the newest configuration any running node holds (committed or not), and the committed one. */
  private latestMembers(): Set<NodeId> {
    let best: {index: number; conf: ConfState} = {index: this.knownConfIndex, conf: this.knownConf}
    for (const n of this.nodes.values()) {
      const st = n.core?.status()
      if (st && st.confIndex > best.index) best = {index: st.confIndex, conf: st.conf}
    }
    return new Set([...best.conf.servers, ...this.knownConf.servers].map((s) => s.id))
  }

  // ------------------------------------------------------------ faults

  private currentLeader(): SimNode | null {
    let best: SimNode | null = null
    for (const n of this.nodes.values()) {
      if (n.up && !n.paused && n.soft.role === 'leader' && (!best || n.soft.term > best.soft.term)) best = n
    }
    return best
  }

  private resolve(target: FaultTarget): SimNode | null {
    const live = [...this.nodes.values()].filter((n) => n.up && !n.retired)
    if (live.length === 0) return null
    const leader = this.currentLeader()
    if (target === 'leader' && leader && !leader.retired) return leader
    const pool = target === 'follower' && leader ? live.filter((n) => n !== leader) : live
    return pool.length > 0 ? this.faultRng.pick(pool) : null
  }

  private runFault(f: FaultItem): void {
    if (this.healed) return
    const ids = [...this.nodes.values()].filter((n) => !n.retired).map((n) => n.id)
    switch (f.kind) {
      case 'crash': {
        const node = this.resolve(f.target)
        if (!node) return
        if (f.midWrite) node.crashOnWrite = f.downMs
        else this.crashFor(node, f.downMs)
        return
      }
      case 'crash-after-conf':
        this.confTrap = f.downMs
        return
      case 'crash-new-leader':
        this.leaderTrap = f.downMs
        return
      case 'pause': {
        const node = this.resolve(f.target)
        if (node) this.pause(node, f.forMs)
        return
      }
      case 'isolate': {
        const node = this.resolve(f.target)
        if (!node) return
        const links: Array<[NodeId, NodeId]> = []
        for (const o of this.nodes.keys()) if (o !== node.id) links.push([node.id, o], [o, node.id])
        this.partition(links, f.forMs, `ISOLATE ${node.id}`)
        return
      }
      case 'bisect': {
        if (ids.length < 2) return
        const shuffled = ids.map((id) => ({id, k: this.faultRng.next()})).sort((a, b) => a.k - b.k).map((x) => x.id)
        const cut = this.faultRng.int(1, shuffled.length)
        const left = shuffled.slice(0, cut)
        const right = shuffled.slice(cut)
        const links: Array<[NodeId, NodeId]> = []
        for (const a of left) for (const b of right) links.push([a, b], [b, a])
        this.partition(links, f.forMs, `BISECT [${left.join(' ')}] | [${right.join(' ')}]`)
        return
      }
      case 'oneway': {
        if (ids.length < 2) return
        const a = this.faultRng.pick(ids)
        const b = this.faultRng.pick(ids.filter((x) => x !== a))
        this.partition([[a, b]], f.forMs, `ONE-WAY ${a} -/-> ${b}`)
        return
      }
      case 'partial': {
        const links: Array<[NodeId, NodeId]> = []
        for (let i = 0; i < ids.length; i++) {
          for (let j = i + 1; j < ids.length; j++) if (this.faultRng.chance(0.4)) links.push([ids[i], ids[j]], [ids[j], ids[i]])
        }
        if (links.length > 0) this.partition(links, f.forMs, `PARTIAL ${links.filter((_, i) => i % 2 === 0).map(([a, b]) => `${a}x${b}`).join(' ')}`)
        return
      }
      case 'loss': {
        const w = ++this.lossWindow
        this.net.extraLoss = f.loss
        this.log(null, `LOSS ${f.loss} for ${f.forMs}ms`)
        this.clock.after(f.forMs, () => {
          if (this.lossWindow === w) this.net.extraLoss = 0
        })
        return
      }
    }
  }

  private crashFor(node: SimNode, downMs: number): void {
    if (this.healed) return
    this.crash(node)
    const inc = node.incarnation
    this.clock.after(downMs, () => {
      if (node.incarnation === inc && !node.up && !node.retired) {
        this.startNode(node)
        this.log(node, 'RESTART')
      }
    })
  }

  private partition(links: Array<[NodeId, NodeId]>, forMs: number, what: string): void {
    this.counters.partitions++
    const id = this.net.block(links)
    this.log(null, `${what} for ${forMs}ms`)
    this.clock.after(forMs, () => this.net.heal(id))
  }

  private heal(): void {
    this.healed = true
    this.log(null, 'HEAL: partitions removed, loss off, every node restarted and resumed')
    this.net.healAll()
    this.net.profile = {...CALM, baseMaxMs: Math.min(this.options.network.baseMaxMs, 3)}
    const members = this.latestMembers()
    for (const n of this.nodes.values()) {
      n.crashOnWrite = null
      if (n.retired && members.has(n.id)) this.unretire(n)
      if (n.retired) continue
      if (!n.up) this.startNode(n)
      else if (n.paused) this.resume(n)
    }
  }

  // ------------------------------------------------------------ run

  run(): SimResult {
    const o = this.options
    let violation: SimResult['violation']
    try {
      for (let i = 0; i < o.nodes; i++) this.addNode()
      const first = this.nodes.get('n1') as SimNode
      const all = [...this.nodes.values()].map((n) => ({id: n.id, httpAddr: `${n.id}:8091`, voter: true}))
      if (o.start === 'bootstrap-all') {
        first.core?.bootstrap({servers: all})
      } else {
        first.core?.bootstrap({servers: [all[0]]})
        for (const s of all.slice(1)) this.adminQueue.push({type: 'addVoter', server: {id: s.id, httpAddr: s.httpAddr}})
      }
      this.pump(first)
      for (const f of this.plan) this.clock.at(f.at, () => this.runFault(f))
      this.clock.at(o.faultMs, () => this.heal())
      const observer = {
        maxAckedIndex: () => this.checker.maxAckedIndex(),
        writeAcked: (reqId: string, index: number) => {
          this.counters.writesAcked++
          this.checker.writeAcked(reqId, index)
        },
        readDone: (reqId: string, _key: string, index: number, ackedBefore: number) => this.checker.readDone(reqId, index, ackedBefore),
        confDone: (change: ConfChange) => this.onConfDone(change),
        unknownOutcome: () => this.counters.unknownOutcomes++,
      }
      const clientOpts = {attemptTimeoutMs: 1500, thinkMinMs: 5, thinkMaxMs: 120}
      const stopOpsAt = o.faultMs + o.healMs / 2
      for (let i = 0; i < o.clients; i++) {
        const r = new Rng(o.seed, `client/${i}`)
        const c = new Client(`c${i}`, r, this.port(() => this.clock.now < stopOpsAt), observer, kvOps(r.fork('ops'), 4, o.readRatio), clientOpts)
        this.clients.push(c)
        c.start()
      }
      // Two admins in churn runs, so different membership changes race each other across leader changes.
      const admins = o.churn ? 2 : this.adminQueue.length > 0 ? 1 : 0
      for (let i = 0; i < admins; i++) {
        const r = new Rng(o.seed, `admin/${i}`)
        const admin = new Client(`admin${i}`, r, this.port(() => this.clock.now < stopOpsAt), observer, () => this.nextConfChange(), {
          attemptTimeoutMs: 600,
          thinkMinMs: 300,
          thinkMaxMs: 2500,
        })
        this.admins.push(admin)
        admin.start()
      }
      let sinceMatch = 0
      const maxSteps = MAX_STEPS_PER_SIM_SECOND * (this.endMs / 1000)
      while (this.clock.step(this.endMs)) {
        if (this.clock.steps > maxSteps || this.clock.pending > MAX_PENDING_EVENTS) {
          this.checker.fail('runaway', `${this.clock.steps} events, ${this.clock.pending} pending: a message storm or a busy loop`)
        }
        if (++sinceMatch >= 64) {
          sinceMatch = 0
          this.checker.checkLogMatching(this.liveCores())
        }
      }
      this.clock.now = this.endMs
      this.checker.checkLogMatching(this.liveCores())
      this.finalChecks()
    } catch (err) {
      if (!(err instanceof InvariantViolation)) throw err
      violation = {invariant: err.invariant, message: err.message, atMs: this.clock.now}
      this.log(null, `VIOLATION ${err.message}`)
    }
    this.counters.steps = this.clock.steps
    return {ok: !violation, options: this.options, plan: this.plan, counters: this.counters, violation, endMs: this.clock.now}
  }

  private liveCores(): Array<[NodeId, RaftCore]> {
    const out: Array<[NodeId, RaftCore]> = []
    for (const n of this.nodes.values()) if (n.up && n.core) out.push([n.id, n.core])
    return out
  }

  /** After the heal phase: one leader, every operation finished, every member converged, nothing acknowledged lost. */
  private finalChecks(): void {
    const c: Checker = this.checker
    const leader = this.currentLeader()
    if (!leader || !leader.core) c.fail('liveness', `no leader ${this.options.healMs}ms after the heal`)
    const lst = leader.core.status()
    const members = lst.conf.servers.map((s) => s.id)
    if (lst.confIndex > lst.commit) c.fail('liveness', `the leader's configuration at ${lst.confIndex} is still uncommitted (commit ${lst.commit})`)
    const busy = [...this.clients, ...this.admins].filter((cl) => cl.busy)
    if (busy.length > 0) c.fail('liveness', `client operations still pending after the heal: ${busy.map((b) => b.describe()).join('; ')}`)
    for (const id of members) {
      const n = this.nodes.get(id)
      if (!n || !n.up || !n.core) c.fail('liveness', `member ${id} is not running after the heal`)
      const st = n.core.status()
      if (n.soft.leader !== leader.id || st.term !== lst.term) c.fail('liveness', `${id} follows ${n.soft.leader ?? 'nobody'} in term ${st.term}, not ${leader.id} in term ${lst.term}`)
      if (st.commit !== lst.commit || n.fsm.applied !== lst.commit) c.fail('convergence', `${id} has commit ${st.commit}, applied ${n.fsm.applied}; the leader has commit ${lst.commit}`)
      if (n.fsm.hash() !== leader.fsm.hash()) c.fail('convergence', `${id}'s state machine differs from the leader's`)
      c.checkAckedWrites(id, n.fsm)
    }
    // Replaying the committed log into a fresh state machine gives the same state (this tests the snapshots too).
    const fresh = new KvFsm()
    for (let i = 1; i <= lst.commit; i++) {
      const e = c.committed[i]
      if (!e) c.fail('convergence', `no node applied index ${i}`)
      fresh.apply({index: i, term: e.term, kind: e.kind as LogEntry['kind'], data: e.data})
    }
    if (fresh.hash() !== leader.fsm.hash()) c.fail('convergence', 'replaying the committed log gives a different state machine than the replicas hold')
  }

  // ------------------------------------------------------------ trace

  private log(node: SimNode | null, text: string): void {
    if (!this.trace) return
    const t = this.clock.now.toFixed(1).padStart(9)
    if (!node) {
      this.trace(`${t}ms ${'*'.padEnd(4)} ${text}`)
      return
    }
    this.trace(`${t}ms ${node.id.padEnd(4)} ${this.nodeState(node)} | ${text}`)
  }

  private nodeState(node: SimNode): string {
    if (!node.core) return 'down'.padEnd(22)
    const st = node.core.status()
    return `${st.role[0].toUpperCase()} t${st.term} c${st.commit}/a${node.fsm.applied} l${st.lastIndex}`.padEnd(22)
  }

  private traceEvent(node: SimNode, ev: RaftEvent, role: Role): void {
    const line = raftLogLine(ev, {addr: node.id, role, tickMs: TICK_MS})
    const tag = line ? `[${line.level.toUpperCase()}] raft: ${line.text}` : JSON.stringify(ev)
    this.log(node, tag)
  }
}

export function runSim(options: SimOptions, trace?: (line: string) => void): SimResult {
  return new Simulation(options, trace).run()
}
