/**
 * Meta-node scenarios: a node not yet joined (503s until add-meta), the leader killed (a new one, and `medic status`
 * agrees), and `unable to determine if "<host>" is a meta node` for each cause of the seed the dev meta node can
 * really reproduce.
 */
import {sh} from '../../util/text.js'
import type {StatusReport} from '../../probe/status.js'
import {jsonOf} from '../node/http-client.js'
import {metaPorts} from '../cluster/ports.js'
import type {LoneMetaNode} from './cluster.js'
import {type ScenarioContext} from './context.js'
import {expectDoctorFirst, expectExplained, healNode, matching, partition, summarizeCommand} from './helpers.js'
import type {ConfigOverrides, Scenario} from './types.js'

const LEGACY_STAMP = String.raw`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d`

async function pingOk(ctx: ScenarioContext, addr: string): Promise<boolean> {
  try {
    const r = await ctx.http.get(`http://${addr}/ping`, {timeoutMs: 1_000})
    return r.status === 200 || r.status === 204
  } catch {
    return false
  }
}

function problemIds(r: StatusReport): string[] {
  return [...new Set(r.problems.map((p) => p.id))]
}

function describeStatus(r: StatusReport): string[] {
  return [
    `verdict ${r.verdict} (exit ${r.exitCode}); leader ${r.leader ?? 'none'}${r.quorum ? `; ${r.quorum.text}` : ''}`,
    ...r.nodes.map((n) => `${n.role} ${n.address}: ${n.state}${n.leader !== undefined ? `, sees leader "${n.leader}"` : ''}${n.joined === false ? ', not joined' : ''}${n.error ? `, ${n.error}` : ''}`),
    ...r.problems.map((p) => `${p.severity} ${p.id}: ${p.message}`),
  ]
}

const statusCommand = (addrs: string[]) => `medic status ${addrs.join(' ')} --timeout 10s`

export const metaNotJoined: Scenario = {
  name: 'meta-not-joined',
  title: 'A meta node that is not joined yet answers 503; the 503s stop once it is added',
  shows: 'A meta node that has been started but not joined to a cluster has no Raft leader: it answers reads such as `/show-cluster` with 503 and logs them in its access log. This is expected until the node is joined with `influxd-ctl add-meta` (the meta API\'s /add-meta, sent to the cluster\'s leader); after that the same requests answer 200 and the 503s stop.',
  seed: 'Why am I seeing a `503 Service Unavailable` error in my meta node logs? ... expected ... if you haven\'t joined the meta node to the cluster',
  cluster: {meta: 1, data: 0, logFormat: 'legacy', extraMetaSlots: 1},
  steps: [
    'start meta-2 on its own (not joined)',
    'ask it for /show-cluster (as influxd-ctl show would) a few times',
    'add-meta meta-2 through meta-1; ask again',
    'remove meta-2 again at the end (so a kept cluster stays healthy without it)',
  ],
  checks: [
    'the un-joined node answers 503 and logs each in its [meta-http] access log',
    'medic explain: meta-not-joined, verdict expected',
    'medic status on it: the finding meta-not-joined',
    'after add-meta: 200s, no new 503 in its log, and medic status sees one leader for both nodes',
    'medic doctor --meta meta-2: its first finding is meta-not-joined',
  ],
  async run(ctx) {
    const lone = await ctx.loneMeta(2)
    await ctx.until('meta-2 to answer /ping', () => pingOk(ctx, lone.httpAddr), 20_000)
    ctx.step(`started meta-2 on its own (${lone.httpAddr}), not joined to any cluster`)
    const mark = ctx.mark('meta-2')
    const before: number[] = []
    for (let i = 0; i < 3; i++) before.push((await ctx.request(lone.httpAddr, '/show-cluster')).status)
    ctx.step('asked meta-2 for /show-cluster 3 times')
    ctx.see('http', 'meta-2', `GET /show-cluster answered ${before.join(', ')}`)
    ctx.check('answers-503', 'the un-joined node answers 503', before.every((s) => s === 503), {expected: '503, 503, 503', actual: before.join(', ')})
    const line = await ctx.expectLine('seed-line', 'its access log records the 503s', mark, new RegExp(`^\\[meta-http\\] ${LEGACY_STAMP} \\S+ - \\S* \\[[^\\]]+\\] GET /show-cluster HTTP/1\\.1 503 `), 5_000)
    if (line !== undefined) await expectExplained(ctx, {id: 'explained', title: 'medic explain names the 503 line meta-not-joined', key: 'seedEntry', line, entry: 'meta-not-joined', verdict: 'expected', source: 'the access log\'s 503'})
    const st = await ctx.diagnose.status([lone.httpAddr])
    ctx.expectIncludes('status-not-joined', 'medic status on meta-2 reports it not joined', 'statusFinding', 'meta-not-joined', problemIds(st), describeStatus(st))
    ctx.command(statusCommand([lone.httpAddr]), 'is this meta node part of a cluster?', 'run')
    await expectDoctorFirst(ctx, {title: 'medic doctor --meta meta-2 names it not joined first', expected: 'meta-not-joined', node: lone.httpAddr, meta: [lone.httpAddr]})
    ctx.command(sh`medic join diagnose ${lone.httpAddr} --config ${lone.configPath}`, 'can it be joined?', 'run')

    const added = await ctx.request(ctx.meta(1).httpAddr, '/add-meta', {method: 'POST', form: {addr: lone.httpAddr}, redirects: 3, timeoutMs: 20_000})
    ctx.step(`add-meta ${lone.httpAddr} through meta-1: HTTP ${added.status}`)
    ctx.require(ctx.check('add-meta', 'add-meta through the leader succeeds', added.status === 200, {expected: 'HTTP 200', actual: `HTTP ${added.status} ${added.text.slice(0, 200)}`}), 'add-meta')
    await ctx.until('meta-2 to see the leader', async () => {
      const r = await ctx.http.get(`http://${lone.httpAddr}/status`, {timeoutMs: 1_000}).catch(() => undefined)
      return r?.status === 200 && (jsonOf(r) as {leader?: string} | undefined)?.leader === ctx.meta(1).raftAddr
    }, 15_000)
    const mark2 = ctx.mark('meta-2')
    const after: number[] = []
    for (let i = 0; i < 3; i++) after.push((await ctx.request(lone.httpAddr, '/show-cluster')).status)
    ctx.see('http', 'meta-2', `after add-meta, GET /show-cluster answered ${after.join(', ')}`)
    await ctx.within(() => matching(ctx.linesSince(mark2), /GET \/show-cluster/, 10).length >= 3, 5_000)
    const newer = matching(ctx.linesSince(mark2), / 503 /, 5)
    ctx.check('503s-stop', 'after add-meta the node answers 200 and logs no more 503s', after.every((s) => s === 200) && newer.length === 0, {
      expected: '200, 200, 200 and no 503 line', actual: `${after.join(', ')}; ${newer.length} new 503 lines`, evidence: newer,
    })
    const joined = await ctx.diagnose.status([ctx.meta(1).httpAddr, lone.httpAddr])
    const ids = problemIds(joined)
    ctx.check('status-joined', 'medic status sees one leader for both nodes, and no node not joined', joined.leader === ctx.meta(1).raftAddr && !ids.includes('meta-not-joined'), {
      expected: `leader ${ctx.meta(1).raftAddr}, no meta-not-joined`, actual: `leader ${joined.leader ?? 'none'}; findings ${ids.join(', ') || 'none'}`, evidence: describeStatus(joined),
    })
    ctx.command(summarizeCommand([lone.logPath]), 'the 503s, and when they stopped', 'files')
    // meta-2 lives only as long as this run: take it out again so that a kept cluster keeps its quorum.
    const removed = await ctx.request(ctx.meta(1).httpAddr, '/remove-meta', {method: 'POST', form: {addr: lone.httpAddr}, redirects: 3, timeoutMs: 20_000})
    ctx.step(`remove-meta ${lone.httpAddr} again (HTTP ${removed.status}), so meta-1 keeps its quorum when meta-2 stops`)
  },
}

export const leaderFailover: Scenario = {
  name: 'leader-failover',
  title: 'The meta leader is killed: the others elect a new one, and medic status agrees',
  shows: 'With three meta nodes, killing the leader (SIGKILL) leaves two voters, still a majority: one of them times out on the leader\'s heartbeat, wins an election and leads. `medic status` shows the new leader, the dead node unreachable and the quorum holding with no failure to spare; once the node is started again it rejoins as a follower and every node agrees.',
  cluster: {meta: 3, data: 0},
  steps: ['kill the leader', 'wait for the two others to agree on a new leader', 'run medic status; start the old leader again; run medic status'],
  checks: [
    'a new leader is elected among the two survivors',
    'medic status: that leader, the killed node unreachable (meta-unreachable), 2 of 3 voters up and the quorum holding',
    'the survivors\' logs show the election, which medic explains (raft-leader-elected)',
    'after the restart: medic status finds every node, agreeing on one leader',
    'medic doctor: its first finding is the killed node, meta-unreachable',
  ],
  async run(ctx) {
    const metas = [ctx.meta(1), ctx.meta(2), ctx.meta(3)]
    const leaderOf = async (addr: string) => {
      const r = await ctx.http.get(`http://${addr}/status`, {timeoutMs: 1_000}).catch(() => undefined)
      return r?.status === 200 ? (jsonOf(r) as {leader?: string} | undefined)?.leader : undefined
    }
    const oldRaft = await ctx.until('a leader', () => leaderOf(metas[0].httpAddr), 10_000)
    const old = metas.find((m) => m.raftAddr === oldRaft)
    if (old === undefined) throw new Error(`the leader ${oldRaft} is not one of the cluster's meta nodes`)
    const survivors = metas.filter((m) => m !== old)
    const marks = survivors.map((m) => ctx.mark(m.name))
    await ctx.signal(old.name, 'kill')
    const t0 = Date.now()
    const newRaft = await ctx.within(async () => {
      const seen = await Promise.all(survivors.map((m) => leaderOf(m.httpAddr)))
      return seen[0] !== undefined && seen[0] !== '' && seen[0] !== oldRaft && seen.every((s) => s === seen[0]) && seen[0]
    }, 20_000, 100)
    const newLeader = survivors.find((m) => m.raftAddr === newRaft)
    ctx.see('status', 'meta nodes', newLeader ? `${newLeader.name} (${newRaft}) leads after ${Date.now() - t0} ms` : 'no new leader')
    ctx.require(ctx.check('new-leader', 'the two survivors agree on a new leader', newLeader !== undefined, {expected: `one of ${survivors.map((m) => m.name).join(', ')}`, actual: newRaft ?? 'none within 20 s'}), 'new-leader')
    const st = await ctx.diagnose.status(metas.map((m) => m.httpAddr))
    const ids = problemIds(st)
    ctx.expectEqual('status-leader', 'medic status names the new leader', 'statusLeader', newRaft as string, st.leader, describeStatus(st))
    ctx.expectIncludes('status-unreachable', `medic status reports ${old.name} unreachable`, 'statusFinding', 'meta-unreachable', ids, describeStatus(st))
    ctx.check('status-quorum', 'medic status: 2 of 3 voters up, the quorum holds', st.quorum?.up === 2 && st.quorum.voters === 3 && st.quorum.holds === true, {
      expected: '2 of 3 voters up, quorum holds', actual: st.quorum?.text ?? 'no quorum view',
    })
    ctx.command(statusCommand(metas.map((m) => m.httpAddr)), 'who leads now, and how many failures are left', 'cluster')
    await expectDoctorFirst(ctx, {title: `medic doctor names ${old.name} unreachable first`, expected: 'meta-unreachable', node: old.httpAddr, meta: metas.map((m) => m.httpAddr), logs: survivors.map((m) => m.logPath)})
    const lines = ctx.linesSince(marks[survivors.indexOf(newLeader as (typeof survivors)[number])])
    const won = lines.find((l) => /Election won|entering Leader state/.test(l))
    if (won !== undefined) {
      ctx.see('log', (newLeader as (typeof survivors)[number]).name, won)
      await expectExplained(ctx, {id: 'election-explained', title: 'medic explain names the new leader\'s line raft-leader-elected', key: 'electionEntry', line: won, entry: 'raft-leader-elected', source: 'the election line'})
    } else {
      ctx.check('election-explained', 'the new leader logs its election', false, {expected: 'an "Election won" or "entering Leader state" line', actual: 'none', evidence: lines.slice(-5)})
    }
    ctx.command(summarizeCommand(survivors.map((m) => m.logPath)), 'the failover as the survivors logged it', 'files')

    await ctx.start(old.name)
    const agreed = await ctx.within(async () => {
      const seen = await Promise.all(metas.map((m) => leaderOf(m.httpAddr)))
      return seen.every((s) => s !== undefined && s !== '' && s === seen[0])
    }, 20_000, 200)
    const after = await ctx.diagnose.status(metas.map((m) => m.httpAddr))
    ctx.check('status-after', 'after the restart medic status finds every node, agreeing on one leader', agreed === true && after.quorum?.up === 3 && !problemIds(after).includes('meta-unreachable') && after.leader !== undefined, {
      expected: '3 of 3 voters up, one leader', actual: `${after.quorum?.text ?? 'no quorum view'}; leader ${after.leader ?? 'none'}`, evidence: describeStatus(after),
    })
  },
}

async function leaderSeenBy(ctx: ScenarioContext, addr: string): Promise<string | undefined> {
  const r = await ctx.http.get(`http://${addr}/status`, {timeoutMs: 1_000}).catch(() => undefined)
  return r?.status === 200 ? (jsonOf(r) as {leader?: string} | undefined)?.leader : undefined
}

export const metaMinorityPartition: Scenario = {
  name: 'meta-minority-partition',
  title: 'One meta node cut off from the two others: the majority keeps its leader, the minority cannot elect',
  shows: 'Three meta nodes; the Raft and meta-API links between one follower and both others are cut (`medic dev fault partition`), while every client port stays up. The two others are still a majority: they keep their leader and accept changes to the meta store. The node cut off loses its leader after the heartbeat timeout and starts elections it cannot win (pre-vote: the others still hear their leader and refuse); it answers reads with 503 `no leader` and takes no change. `medic status` names it (`meta-cut-off`: up, but not with the leader; the quorum holds with no failure to spare), and `medic doctor` names it first. After the heal it catches up and every node follows the same leader.',
  cluster: {meta: 3, data: 0},
  steps: [
    'find the leader; pick a follower to cut off',
    'medic dev fault partition it from each of the two others',
    'create a user through the leader (a change to the meta store); ask the node cut off for /show-cluster and for the same change',
    'run medic status on all three and medic doctor; medic dev heal; wait until all agree',
  ],
  checks: [
    'the majority keeps a leader and commits the change; the other follower has it',
    'the node cut off sees no leader: reads answer 503 "no leader", the change is refused with 503',
    'its log shows it starting elections (heartbeat timeout, failed pre-votes), which medic explain names raft-heartbeat-timeout',
    'medic status on all three: meta-cut-off for that node, the leader named, "1 of them cut off" in the quorum sentence, no failure to spare',
    'medic doctor: its first finding is meta-cut-off on that node',
    'after the heal: the node has the change and every node follows one leader; medic status finds nothing wrong',
  ],
  async run(ctx) {
    const metas = [ctx.meta(1), ctx.meta(2), ctx.meta(3)]
    const leaderRaft = await ctx.until('a leader', () => leaderSeenBy(ctx, metas[0].httpAddr), 10_000)
    const leader = metas.find((m) => m.raftAddr === leaderRaft)
    if (leader === undefined) throw new Error(`the leader ${leaderRaft} is not one of the cluster's meta nodes`)
    const [cut, other] = metas.filter((m) => m !== leader)
    const mark = ctx.mark(cut.name)
    for (const peer of [leader, other]) await partition(ctx, cut.name, peer.name)
    const t0 = Date.now()
    const lost = await ctx.within(async () => (await leaderSeenBy(ctx, cut.httpAddr)) === '', 15_000, 100)
    ctx.see('status', cut.name, lost ? `GET /status: leader "" after ${Date.now() - t0} ms` : 'still names a leader after 15 s')

    // The majority takes a change to the meta store.
    const user = `during-partition-${Date.now() % 100_000}`
    const created = await ctx.request(leader.httpAddr, '/user', {method: 'POST', body: JSON.stringify({action: 'create', user: {name: user, password: 'medic-scenario'}}), timeoutMs: 10_000})
    ctx.step(`created user ${user} through the leader ${leader.name}: HTTP ${created.status}`)
    ctx.see('http', leader.name, `POST /user (create ${user}): ${created.status}`)
    const hasUser = async (addr: string) => {
      const r = await ctx.http.get(`http://${addr}/user`, {timeoutMs: 2_000}).catch(() => undefined)
      return r?.status === 200 && ((jsonOf(r) as {users?: Array<{name: string}>} | undefined)?.users ?? []).some((u) => u.name === user)
    }
    const replicated = created.status === 200 && (await ctx.within(() => hasUser(other.httpAddr), 10_000)) === true
    const stillLeads = (await leaderSeenBy(ctx, other.httpAddr)) === leader.raftAddr
    ctx.check('majority-serves', `the majority (${leader.name}, ${other.name}) keeps its leader and commits a change`, replicated && stillLeads, {
      expected: `HTTP 200, ${other.name} has the user and follows ${leader.name}`, actual: `HTTP ${created.status}; ${other.name} ${replicated ? 'has' : 'lacks'} it; ${stillLeads ? 'same leader' : 'another leader'}`,
    })

    // The minority: no leader, reads and changes refused.
    const read = await ctx.request(cut.httpAddr, '/show-cluster')
    const change = await ctx.request(cut.httpAddr, '/user', {method: 'POST', body: JSON.stringify({action: 'create', user: {name: `${user}-minority`, password: 'medic-scenario'}}), timeoutMs: 10_000})
    const err = (r: Awaited<ReturnType<typeof ctx.request>>) => (jsonOf(r) as {error?: string} | undefined)?.error ?? r.text.trim().slice(0, 80)
    ctx.see('http', cut.name, `GET /show-cluster: ${read.status} ${err(read)}; POST /user: ${change.status} ${err(change)}`)
    ctx.check('minority-no-leader', `${cut.name} sees no leader: reads and changes answer 503 "no leader"`, lost === true && read.status === 503 && err(read) === 'no leader' && change.status === 503, {
      expected: 'leader "" in /status; 503 "no leader" for /show-cluster and for POST /user',
      actual: `${lost ? 'leader ""' : 'still a leader'}; /show-cluster ${read.status} ${err(read)}; POST /user ${change.status} ${err(change)}`,
    })
    const election = await ctx.expectLine('minority-elections', `${cut.name} logs that it starts elections`, mark, /Heartbeat timeout from \\?"[^"\\]*\\?" reached, starting election/, 10_000)
    if (election !== undefined) await expectExplained(ctx, {id: 'election-explained', title: 'medic explain names the line raft-heartbeat-timeout', key: 'electionEntry', line: election, entry: 'raft-heartbeat-timeout', verdict: 'warning', source: 'the cut-off node\'s election line'})
    const campaigns = matching(ctx.linesSince(mark), /entering Candidate state|pre-vote campaign failed|Election timeout reached/, 4)
    const won = ctx.linesSince(mark).filter((l) => /Election won|entering Leader state/.test(l))
    ctx.check('minority-cannot-elect', `${cut.name} campaigns but cannot win: it never leads`, campaigns.length > 0 && won.length === 0, {
      expected: 'candidate / election-timeout lines, no "Election won"', actual: `${campaigns.length > 0 ? 'campaigns' : 'no campaign'} logged; ${won.length} won`, evidence: [...campaigns, ...won.slice(0, 2)],
    })

    const st = await ctx.diagnose.status(metas.map((m) => m.httpAddr))
    const cutFinding = st.problems.find((p) => p.id === 'meta-cut-off')
    ctx.see('status', 'medic status', `${st.verdict}; leader ${st.leader ?? 'none'}; ${st.quorum?.text ?? 'no quorum view'}; ${problemIds(st).join(', ')}`)
    ctx.expectIncludes('status-cut-off', `medic status names ${cut.name} cut off from the quorum`, 'statusFinding', 'meta-cut-off', problemIds(st), describeStatus(st))
    ctx.check('status-names-node', `the finding is about ${cut.name}, and the leader and quorum are right`, cutFinding?.nodes.join() === cut.httpAddr && st.leader === leader.raftAddr && st.quorum?.holds === true && st.quorum.cutOff === 1 && st.quorum.spare === 0, {
      expected: `meta-cut-off on ${cut.httpAddr}; leader ${leader.raftAddr}; quorum holds, 1 cut off, no failure to spare`,
      actual: `${cutFinding ? `meta-cut-off on ${cutFinding.nodes.join(', ')}` : 'no meta-cut-off'}; leader ${st.leader ?? 'none'}; ${st.quorum?.text ?? 'no quorum view'}`,
      evidence: cutFinding ? [cutFinding.message] : [],
    })
    ctx.command(statusCommand(metas.map((m) => m.httpAddr)), 'which node is cut off, and what the quorum has to spare', 'cluster')
    await expectDoctorFirst(ctx, {title: `medic doctor names ${cut.name} cut off first`, expected: 'meta-cut-off', node: cut.httpAddr, meta: metas.map((m) => m.httpAddr)})
    ctx.command(summarizeCommand([cut.logPath]), 'the elections the node cut off keeps starting', 'files')

    await healNode(ctx, cut.name)
    const agreed = await ctx.within(async () => {
      const seen = await Promise.all(metas.map((m) => leaderSeenBy(ctx, m.httpAddr)))
      return seen.every((x) => x !== undefined && x !== '' && x === seen[0]) && (await hasUser(cut.httpAddr)) && seen[0]
    }, 20_000, 200)
    const after = await ctx.diagnose.status(metas.map((m) => m.httpAddr))
    ctx.see('status', 'medic status', `after the heal: ${after.verdict}; leader ${after.leader ?? 'none'}; ${after.quorum?.text ?? ''}`)
    ctx.check('healed', `after the heal ${cut.name} has the change and all follow one leader; medic status finds nothing wrong`, typeof agreed === 'string' && after.problems.length === 0 && after.leader === agreed, {
      expected: 'one leader for all three, the user on every node, no finding', actual: `${agreed ? `leader ${agreed}` : 'no agreement within 20 s'}; findings ${problemIds(after).join(', ') || 'none'}`, evidence: describeStatus(after),
    })
    if (typeof agreed === 'string' && agreed !== leader.raftAddr) ctx.note(`the leader changed after the heal (${leader.raftAddr} -> ${agreed}); pre-vote should have kept it`)
  },
}

interface JoinVariant {
  name: string
  /** What is wrong, in the seed's terms. */
  cause: string
  /** The config keys to set, from the node's own addresses when they depend on them. */
  overrides: ConfigOverrides | ((node: {httpPort: number; raftPort: number}) => ConfigOverrides)
  /** The address the join is given: the node's API (default) or its Raft port. */
  joinRaftPort?: boolean
  /** The join diagnose step that must fail, and what its summary must name (the cause). */
  step: string
  names: {tag: string; re: RegExp}
  /** The error `medic config check` must find in the node's file (id and key), or null: the file is right. */
  configError: string | null
  /** Does the node start at all with this config? */
  starts: boolean
  /** For a node that does not start: the catalogue entry of its last log line. */
  startupEntry?: string
  /** The host it answers on when that is not the cluster's (127.0.0.1). */
  answersOn?: string
}

const JOIN_VARIANTS: JoinVariant[] = [
  {name: 'hostname', cause: 'hostname is empty: the node advertises ":<port>" addresses', overrides: {'': {hostname: '""'}}, step: 'config-hostname', names: {tag: 'hostname', re: /hostname is empty/}, configError: 'hostname-empty hostname', starts: true},
  {name: 'bind-address', cause: '[meta] bind-address has no port: the node does not start, nothing answers', overrides: {meta: {'bind-address': '""'}}, step: 'config-ports', names: {tag: 'bind-address', re: /(?<![\w-])bind-address is not host:port/}, configError: 'bad-address meta.bind-address', starts: false},
  {name: 'http-bind-address', cause: '[meta] http-bind-address has no port: the node does not start, nothing answers', overrides: {meta: {'http-bind-address': '"127.0.0.1"'}}, step: 'config-ports', names: {tag: 'http-bind-address', re: /http-bind-address is not host:port/}, configError: 'bad-address meta.http-bind-address', starts: false},
  {name: 'port', cause: 'the join names the Raft port (bind-address) instead of the http-bind-address port', overrides: {}, joinRaftPort: true, step: 'config-ports', names: {tag: 'port', re: /the address used has port/}, configError: null, starts: true},
  {
    name: 'http-bind-elsewhere', cause: '[meta] http-bind-address is a valid host:port, but on 127.0.0.2 while hostname and the join say 127.0.0.1: nothing answers at the address joined',
    overrides: ({httpPort}) => ({meta: {'http-bind-address': `"127.0.0.2:${httpPort}"`}}), answersOn: '127.0.0.2', step: 'config-ports', names: {tag: 'http-bind-address', re: /http-bind-address binds 127\.0\.0\.2:\d+ only, but the address used is 127\.0\.0\.1:\d+/}, configError: null, starts: true,
  },
  {
    name: 'license', cause: 'the license key is in [enterprise] license-path: the node cannot open it and does not start',
    overrides: {enterprise: {'license-path': '"7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31"'}}, step: 'license', names: {tag: 'license-path', re: /license-path holds what looks like a license key/},
    configError: 'license-path-is-key enterprise.license-path', starts: false, startupEntry: 'dev-meta-license-invalid',
  },
]

export const joinUnableToDetermine: Scenario = {
  name: 'join-unable-to-determine',
  title: '`unable to determine if "<host>" is a meta node`: one variant per cause of the seed',
  shows: 'add-meta asks the new node for /status; anything but a meta node\'s answer there fails the join with `unable to determine if "<host>" is a meta node`. The seed names the causes: hostname, bind-address and http-bind-address not correctly populated, a missing license, and a join command that does not name the http-bind-address port. For each cause the dev meta node can reproduce, a misconfigured node is started, the join fails with the seed\'s message, and `medic join diagnose` with the node\'s config names that cause.',
  seed: 'unable to determine if "hostname" is a meta node',
  cluster: {meta: 1, data: 0, extraMetaSlots: JOIN_VARIANTS.length},
  steps: JOIN_VARIANTS.map((v, i) => `meta-${i + 2}: ${v.cause}; add-meta it through meta-1; medic join diagnose ${v.joinRaftPort ? 'its Raft address' : 'it'} with --config`),
  checks: [
    'each join fails with HTTP 400 `unable to determine if "<addr>" is a meta node`',
    'medic explain: join-not-meta-node, verdict critical',
    'medic join diagnose --config names the cause: its config-hostname step for the hostname, config-ports for bind-address, http-bind-address and the port',
    'medic config check on the node\'s file: hostname-empty, bad-address on [meta] bind-address or http-bind-address; nothing for the port variant (the file is right)',
  ],
  notes: [
    'license: the dev meta node checks its license setting at start-up as influxd-meta does (exactly one of license-key / license-path; a license-path it can read as a license file); its start-up line is the dev cluster\'s own wording (dev-meta-license-invalid), Enterprise\'s is not published.',
    'http-bind-elsewhere: the node answers on 127.0.0.2; a node that answers /status there still advertises hostname 127.0.0.1 (the address the join uses), so a join naming 127.0.0.2 would be refused later, by the nodes that dial the advertised address.',
  ],
  async run(ctx) {
    let slot = 2
    for (const v of JOIN_VARIANTS) {
      const ports = metaPorts(ctx.cluster.basePort, slot)
      const lone: LoneMetaNode = await ctx.loneMeta(slot++, typeof v.overrides === 'function' ? v.overrides({httpPort: ports.http, raftPort: ports.raft}) : v.overrides)
      if (v.starts) {
        await ctx.until(`the ${v.name} variant's node to answer /ping`, () => pingOk(ctx, v.answersOn === undefined ? lone.httpAddr : `${v.answersOn}:${ports.http}`), 20_000)
      } else {
        await ctx.until(`the ${v.name} variant's node to refuse to start`, () => lone.proc.exitCode !== null || lone.proc.signalCode !== null, 20_000)
        const said = ctx.linesSince({node: lone.name, path: lone.logPath, offset: 0}).slice(-1)[0]
        if (said !== undefined) ctx.see('log', lone.name, said)
        if (v.startupEntry !== undefined) {
          if (said === undefined) ctx.check(`${v.name}-startup-explained`, `${v.name}: the node logs why it stopped`, false, {expected: 'a last log line', actual: 'the log is empty'})
          else await expectExplained(ctx, {id: `${v.name}-startup-explained`, title: `${v.name}: medic explain names the node's last line ${v.startupEntry}`, key: `${v.name}Startup`, line: said, entry: v.startupEntry, verdict: 'critical', source: `${lone.name}'s start-up error`})
        }
      }
      const addr = v.joinRaftPort ? lone.raftAddr : lone.httpAddr
      ctx.step(`${v.name}: started ${lone.name} with ${v.cause}; add-meta ${addr} through meta-1`)
      const r = await ctx.request(ctx.meta(1).httpAddr, '/add-meta', {method: 'POST', form: {addr}, redirects: 3, timeoutMs: 20_000})
      const error = (jsonOf(r) as {error?: string} | undefined)?.error ?? r.text.trim()
      ctx.see('http', 'meta-1', `${v.name}: POST /add-meta addr=${addr}: ${r.status} ${error}`)
      const ok = ctx.check(`${v.name}-refused`, `${v.name}: the join fails with "unable to determine if ... is a meta node"`, r.status === 400 && error.startsWith(`unable to determine if "${addr}" is a meta node`), {
        expected: `400 unable to determine if "${addr}" is a meta node: ...`, actual: `${r.status} ${error.slice(0, 200)}`,
      })
      if (ok) {
        // What influxd-ctl add-meta prints with that answer.
        const ctl = `add-meta: operation exited with error: ${error}`
        await expectExplained(ctx, {id: `${v.name}-explained`, title: `${v.name}: medic explain names influxd-ctl's error join-not-meta-node`, key: 'seedEntry', line: ctl, entry: 'join-not-meta-node', verdict: 'critical', source: 'influxd-ctl\'s error'})
      }
      const report = await ctx.diagnose.joinDiagnose(addr, {metaConfig: lone.configPath})
      const failing = report.steps.filter((s) => s.status === 'fail').map((s) => (v.names.re.test(s.summary) ? `${s.id}: ${v.names.tag}` : s.id))
      const evidence = report.steps.filter((s) => s.status !== 'ok' && s.status !== 'skipped').map((s) => `${s.status} ${s.id}: ${s.summary}`)
      ctx.see('join', lone.name, `medic join diagnose ${addr}: ${report.verdict}; failing steps ${failing.join(', ') || 'none'}`)
      ctx.expectIncludes(`${v.name}-diagnosed`, `${v.name}: medic join diagnose --config names the cause (${v.step}: ${v.names.tag})`, `${v.name}Step`, `${v.step}: ${v.names.tag}`, failing, evidence)
      ctx.command(sh`medic join diagnose ${addr} --config ${lone.configPath}`, `why the ${v.name} variant cannot join`, v.starts ? 'run' : 'files')
      const cfg = await ctx.diagnose.configCheck([lone.configPath])
      const errors = cfg.findings.filter((f) => f.severity === 'error').map((f) => `${f.id} ${f.key ?? '-'}`)
      const cfgEvidence = cfg.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.id} ${f.key ?? '-'}: ${f.message}`)
      if (v.configError === null) {
        ctx.check(`${v.name}-config`, `${v.name}: medic config check finds nothing wrong in the file (the join command is what is wrong)`, errors.length === 0, {expected: 'no error', actual: errors.join(', ') || 'no error', evidence: cfgEvidence})
      } else {
        ctx.expectIncludes(`${v.name}-config`, `${v.name}: medic config check finds the broken key`, `${v.name}Config`, v.configError, errors, cfgEvidence)
      }
      ctx.command(sh`medic config check ${lone.configPath}`, `what is wrong in the ${v.name} variant's file`, 'files')
      if (v.name === 'license') {
        // doctor sees the broken file (and meta-1 healthy): the config is the cause, so it comes first.
        await expectDoctorFirst(ctx, {title: 'medic doctor --meta meta-1 --configs <the license variant\'s file>: the config finding first', expected: 'license-path-is-key', meta: [ctx.meta(1).httpAddr], configs: [lone.configPath]})
      }
      await lone.stop()
    }
  },
}
