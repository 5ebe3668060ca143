/**
 * `medic status`: the one-glance view of an Enterprise 1.x cluster. Probes the meta nodes given (GET /status)
 * concurrently, follows `peers` and `/show-cluster` to the meta nodes it was not given and to the data nodes
 * (GET /ping), and judges what it saw: whether the Raft quorum holds and how many more failures it survives, split
 * views of the leader, a leader missing from `peers`, loopback or mismatched advertised addresses, un-joined meta nodes,
 * unreachable or silent data nodes.
 *
 * Two deadlines: each request has its own (`http.timeoutMs`, --http-timeout), and the whole run has one
 * (`runTimeoutMs`, --timeout): a node medic had no time left to ask is reported as not checked (UNKNOWN), never
 * waited for. Everything a node says is outside input: bodies are parsed with a depth limit, addresses are checked
 * before medic dials them or names them in a suggested command, and a malformed one is a finding about the node that
 * sent it, never a usage error.
 *
 * The same checks run offline on saved /status bodies (checkStatusFiles) for support tickets. No oclif import.
 */
import {constants as fsConstants, open as openFd} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'

import {fileError, inputError, MedicError} from '../errors.js'
import {formatShortDurationMs} from '../util/duration.js'
import {isLoopbackHost, isPlainHostPort, isUnspecifiedHost, joinHostPort, parseHostPort, splitHostPort} from '../util/hostport.js'
import {parseJsonBounded} from '../util/json.js'
import {decideOutcome, type Outcome} from '../util/outcome.js'
import {hasControl, shellQuote} from '../util/text.js'
import {checkMetaStatus, checkShowCluster, errorMessageOf, type MetaStatus, type SchemaIssue, type ShowCluster} from '../wire/schemas.js'
import {DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, getJson, getRaw, type HttpOptions, normaliseBaseUrl, pingDataNode} from './http.js'

export const META_HTTP_PORT = 8091
export const DATA_HTTP_PORT = 8086
/** Default of --timeout, the deadline of a whole run. */
export const DEFAULT_RUN_TIMEOUT_MS = 15_000
/**
 * Bounds on what a node's answer can make medic do: Enterprise clusters have 3 to 7 meta nodes and rarely more than a
 * few hundred data nodes, and a hostile /status or /show-cluster must not make medic dial thousands of addresses.
 */
export const MAX_META_NODES = 32
export const MAX_DATA_NODES = 1000
const DATA_CONCURRENCY = 32
/** Findings that name addresses list this many, then "and N more". */
const LIST_MAX = 10

export type Severity = 'warning' | 'critical'
export type NodeState = 'ok' | 'warning' | 'fail' | 'unknown'

export interface StatusProblem {
  /** Stable id: scripts may rely on it. */
  id: string
  severity: Severity
  /** The nodes concerned (addresses as probed, or file names). */
  nodes: string[]
  message: string
  suggestions: string[]
  /** Schema issues by path, for body-shape problems. */
  issues?: SchemaIssue[]
}

export interface NodeRow {
  /** host:port as probed, or the file name with --file. */
  address: string
  url?: string
  role: 'meta' | 'data'
  /** How medic learned of the node. */
  source: 'given' | 'peers' | 'show-cluster' | 'file'
  /** Something answered HTTP (any status). */
  reachable: boolean
  /** medic could judge the node (an answer, right or wrong); false = unknown. */
  checked: boolean
  /** From the request leaving to the answer's headers (not counting medic's own start-up). */
  latencyMs?: number
  httpStatus?: number
  version?: string
  build?: string
  /** Meta: the leader this node sees (a Raft address); "" when it sees none. */
  leader?: string
  isLeader?: boolean
  /** Meta: number of Raft peers this node lists. */
  peers?: number
  joined?: boolean
  httpAddr?: string
  raftAddr?: string
  /** Node id from /show-cluster. */
  id?: number
  state: NodeState
  /** Ids of the problems that concern this node. */
  problems: string[]
  /** Why the node could not be checked. */
  error?: string
}

/** What the Raft voters say about the cluster's ability to keep a leader. */
export interface QuorumView {
  /** Raft voters (the peers of the cluster, as the leader or most nodes list them). */
  voters: number
  /** Voters that answered HTTP. */
  up: number
  /** Voters medic asked that did not answer. */
  down: number
  /** Voters medic could not ask (address unknown or malformed, no time left). */
  unchecked: number
  /**
   * Voters that answered HTTP but do not follow the leader the others agree on (they see no leader, or another one):
   * cut off from the majority on the Raft port. Counted in `up` (they answer) but not as a voter the leader can count
   * on; 0 when no leader holds.
   */
  cutOff: number
  /** Voters needed for a leader: a strict majority. */
  needed: number
  /** true: a leader is elected; false: the voters that answered see none; null: medic cannot tell. */
  holds: boolean | null
  /** Further failures the cluster survives with a leader; null when medic cannot tell. */
  spare: number | null
  /** The sentence that matters: "2/3 voters up: quorum holds; one more failure loses the leader". */
  text: string
}

export interface StatusReport {
  /** The overall verdict (decideOutcome): ok, warning, critical or unknown. */
  verdict: Outcome['verdict']
  /** The verdict in the words of the node table: ok, warning, fail, unknown (kept for scripts). */
  state: NodeState
  exitCode: Outcome['exitCode']
  /** False when some node or view could not be checked: the verdict covers part of the cluster. */
  complete: boolean
  /** The leader most nodes see (Raft address), when there is one. */
  leader?: string
  quorum?: QuorumView
  nodes: NodeRow[]
  problems: StatusProblem[]
  /** Where /show-cluster came from, or why it is missing. */
  showCluster?: {from?: string; error?: string}
  /** The run's deadline ran out before every node was asked. */
  timedOut?: boolean
  summary: {meta: number; data: number; checked: number; unchecked: number; critical: number; warning: number}
}

export interface StatusOptions {
  /** Options of each request; `timeoutMs` is the per-request deadline (--http-timeout). */
  http?: HttpOptions
  /** Deadline of the whole run (--timeout), in ms. Default 15 s. */
  runTimeoutMs?: number
  /** Rounds of discovery through peers and /show-cluster (default 3). */
  maxRounds?: number
  /** The command line that probes these nodes, for hints ("medic status meta-1:8091"); already quoted. */
  command?: string
}

// ------------------------------------------------------------------------------------------------ addresses

const sameAddr = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Entries of one kind found in a list from outside: counted, and the first few kept as text. */
class Flagged {
  count = 0
  private readonly shown: string[] = []
  add(describe: () => string): void {
    if (++this.count <= LIST_MAX) this.shown.push(describe())
  }

  text(): string {
    return this.count <= LIST_MAX ? this.shown.join(', ') : `${this.shown.join(', ')} and ${this.count - LIST_MAX} more`
  }
}

/** "a, b, c and 7 more": a list from outside, bounded for a one-line finding. */
function listSome(items: string[], max = LIST_MAX): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`
}

/** A suggestion that names outside addresses: kept only when every one is a plain host:port. */
function naming(text: string, ...addresses: string[]): string[] {
  return addresses.every((a) => isPlainHostPort(a)) ? [text] : []
}

/**
 * The HTTP address of a meta node known by its Raft address (a `peers` entry): from /show-cluster's meta list
 * (tcpAddr -> addr) when it has the node; else the peer's host with the reporting node's offset between its Raft and
 * HTTP ports (8089 -> 8091 by default, and in a dev cluster), else with the reporter's HTTP port.
 */
export function metaHttpAddrForPeer(peer: string, reporter: {httpAddr: string; raftAddr?: string}, cluster?: ShowCluster): {address: string; scheme?: string} {
  const m = cluster?.meta.find((n) => n.tcpAddr !== undefined && sameAddr(n.tcpAddr, peer))
  if (m) return {address: m.addr, scheme: m.httpScheme}
  const {host, port} = splitHostPort(peer)
  const httpPort = Number(splitHostPort(reporter.httpAddr).port) || META_HTTP_PORT
  const reporterRaft = reporter.raftAddr === undefined ? NaN : Number(splitHostPort(reporter.raftAddr).port)
  const guess = Number(port) + (httpPort - reporterRaft)
  return {address: joinHostPort(host, Number.isInteger(guess) && guess >= 1 && guess <= 65_535 ? guess : httpPort)}
}

function hostPortOf(url: string): string {
  return new URL(url).host
}

// ------------------------------------------------------------------------------------------------ body checks

interface MetaObservation {
  row: NodeRow
  status?: MetaStatus
}

class Problems {
  readonly list: StatusProblem[] = []
  add(p: Omit<StatusProblem, 'suggestions'> & {suggestions?: Array<string | undefined>}, rows: NodeRow[] = []): void {
    this.list.push({...p, suggestions: (p.suggestions ?? []).filter((s): s is string => s !== undefined)})
    for (const r of rows) if (!r.problems.includes(p.id)) r.problems.push(p.id)
  }
}

/**
 * Reads a /status body (text): empty, an HTML page, not JSON, nested too deep, wrong shape -> a critical problem;
 * else the status. `where` names the node or file in messages.
 */
async function readStatusBody(text: string, where: string, row: NodeRow, problems: Problems, contentType?: string): Promise<MetaStatus | undefined> {
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  if (trimmed === '') {
    problems.add({id: 'status-empty', severity: 'critical', nodes: [where], message: `${where}: the /status body is empty`, suggestions: [
      'a meta node always answers /status with JSON: something else answers on this address (a proxy, a load balancer health check)',
      'if this is a saved body, the copy may have been cut: curl -sS http://META:8091/status > status.json',
    ]}, [row])
    return undefined
  }
  if (/^<(!doctype|html|head|body|\?xml)/i.test(trimmed) || /text\/html/i.test(contentType ?? '')) {
    const title = /<title>([^<]{0,200})<\/title>/i.exec(trimmed.slice(0, 4096))?.[1]?.trim()
    problems.add({id: 'status-html', severity: 'critical', nodes: [where], message: `${where}: an HTML page${title ? ` ("${title}")` : ''}, not a meta node's /status JSON`, suggestions: [
      'a proxy, load balancer or web server answers instead of influxd-meta: probe the meta node directly on 8091',
      'check [meta] http-bind-address (default :8091) in influxdb-meta.conf',
    ]}, [row])
    return undefined
  }
  const parsed = parseJsonBounded(trimmed)
  if (!parsed.ok) {
    const deep = /nests deeper/.test(parsed.reason)
    problems.add({id: deep ? 'status-too-deep' : 'status-not-json', severity: 'critical', nodes: [where], message: `${where}: the /status body is not usable JSON: ${parsed.reason}; starts with ${JSON.stringify(trimmed.slice(0, 60))}`, suggestions: deep
      ? ['a meta node\'s /status is one flat object: whatever answers here is not influxd-meta, or it is compromised']
      : [
          'a cut-off body means a truncated copy or a connection dropped mid-answer: fetch it again with curl -sS http://META:8091/status',
          'this is what makes influxd-ctl join fail with "unable to determine if ... is a meta node"',
        ]}, [row])
    return undefined
  }
  const json = parsed.value
  const r = await checkMetaStatus(json)
  if (!r.ok) {
    const error = typeof json === 'object' && json !== null && typeof (json as {error?: unknown}).error === 'string' ? (json as {error: string}).error : undefined
    problems.add({
      id: 'status-shape',
      severity: 'critical',
      nodes: [where],
      message: error === undefined
        ? `${where}: not a meta /status body: ${r.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}`
        : `${where}: an error body instead of /status: ${JSON.stringify(error.slice(0, 200))}`,
      issues: r.issues,
      suggestions: [
        'a meta node answers {"nodeType":"meta","leader":...,"httpAddr":...,"raftAddr":...,"peers":...}: is this the meta HTTP port (8091), not a data node (8086)?',
        'this is what makes influxd-ctl join fail with "unable to determine if ... is a meta node"',
      ],
    }, [row])
    return undefined
  }
  return r.status
}

/** Per-node checks of a valid /status. `reachedAs` is the host:port medic used (live probes only). */
function judgeMetaStatus(row: NodeRow, status: MetaStatus, problems: Problems, mode: 'live' | 'file', reachedAs?: string): void {
  const where = row.address
  row.leader = status.leader
  row.httpAddr = status.httpAddr
  row.raftAddr = status.raftAddr
  row.peers = status.peers?.length ?? 0
  row.joined = status.leader !== '' || (status.peers?.length ?? 0) > 0
  row.isLeader = status.leader !== '' && sameAddr(status.leader, status.raftAddr)
  if (status.nodeType !== 'meta') {
    problems.add({id: 'not-meta-node', severity: 'critical', nodes: [where], message: `${where}: nodeType is ${JSON.stringify(status.nodeType.slice(0, 40))}, not "meta"`, suggestions: [
      'give the meta nodes\' HTTP addresses (host:8091); data nodes are found through /show-cluster',
    ]}, [row])
  }
  if (!row.joined) {
    const target = status.httpAddr || (mode === 'live' ? where : '')
    problems.add({id: 'meta-not-joined', severity: mode === 'file' ? 'warning' : 'critical', nodes: [where], message: `${where}: not joined to a cluster (leader "", peers null)`, suggestions: [
      ...naming(`from one meta node of the cluster: influxd-ctl add-meta ${target}`, target),
      'a fresh cluster needs add-meta for every meta node, including the one you run it on',
    ]}, [row])
  } else {
    const peers = status.peers ?? []
    if (status.leader === '') {
      problems.add({id: 'no-leader', severity: 'critical', nodes: [where], message: `${where}: has ${peers.length} peers but sees no leader (no Raft quorum)`, suggestions: [
        'more than half of the meta nodes must be up and reach each other on their Raft port (8089 by default)',
        'journalctl -u influxdb-meta -n 100 | medic explain',
      ]}, [row])
    } else if (!peers.some((p) => sameAddr(p, status.leader))) {
      const leaderHost = splitHostPort(status.leader).host
      const leaderApi = joinHostPort(leaderHost, META_HTTP_PORT)
      problems.add({id: 'leader-not-in-peers', severity: 'critical', nodes: [where], message: `${where}: its leader ${status.leader} is not in its peers [${listSome(peers)}]`, suggestions: [
        'the node follows a leader of another cluster, or the leader advertises a different address than the peers know',
        ...naming(`compare with the leader's own view: curl -sS http://${leaderApi}/status`, status.leader, leaderApi),
      ]}, [row])
    }
    if (status.raftAddr !== '' && peers.length > 0 && !peers.some((p) => sameAddr(p, status.raftAddr))) {
      problems.add({id: 'self-not-in-peers', severity: 'warning', nodes: [where], message: `${where}: its own raftAddr ${status.raftAddr} is not in its peers [${listSome(peers)}]`, suggestions: [
        'the node was added under another name (hostname changed after add-meta?); on the leader, compare with: influxd-ctl show   (then remove-meta it, and add-meta it with the right name)',
      ]}, [row])
    }
  }
  // Advertised addresses: the ones other nodes will dial. One pass, and only the first few of each kind are kept as
  // text: a hostile body can list tens of thousands of peers.
  const reachedHost = reachedAs === undefined ? undefined : splitHostPort(reachedAs).host
  const loopback = new Flagged()
  const unroutable = new Flagged()
  const malformed = new Flagged()
  const classify = (field: () => string, v: string) => {
    const {host} = splitHostPort(v)
    if (isLoopbackHost(host)) {
      // A laptop cluster reached on 127.0.0.1 and advertising 127.0.0.1 is consistent; the name "localhost" never is.
      const consistent = mode === 'live' && reachedHost !== undefined && isLoopbackHost(reachedHost) && host.toLowerCase() !== 'localhost' && sameAddr(host, reachedHost)
      if (!consistent) loopback.add(() => `${field()} ${v.slice(0, 100)}`)
    } else if (host === '' || isUnspecifiedHost(host)) {
      unroutable.add(() => `${field()} ${JSON.stringify(v.slice(0, 100))}`)
    } else if (!isPlainHostPort(v)) {
      // not host:port at all (spaces, escape codes, shell characters): no node can dial it
      malformed.add(() => `${field()} ${JSON.stringify(v.slice(0, 100))}`)
    }
  }
  classify(() => 'httpAddr', status.httpAddr)
  classify(() => 'raftAddr', status.raftAddr)
  if (status.leader !== '') classify(() => 'leader', status.leader)
  const peerList = status.peers ?? []
  for (let i = 0; i < peerList.length; i++) classify(() => `peers[${i}]`, peerList[i])
  if (loopback.count > 0) {
    problems.add({id: 'loopback-advertised', severity: 'critical', nodes: [where], message: `${where}: advertises a loopback address (${loopback.text()}): other nodes cannot reach it there`, suggestions: [
      'set hostname = "<this node\'s name that every other node resolves>" in influxdb-meta.conf (or INFLUXDB_HOSTNAME) and restart influxd-meta',
      'never join nodes as localhost: influxd-ctl add-meta meta-2.example.com:8091   (the name every other node resolves)',
    ]}, [row])
  }
  if (unroutable.count > 0) {
    problems.add({id: 'unroutable-advertised', severity: 'critical', nodes: [where], message: `${where}: advertises an address without a usable host (${unroutable.text()})`, suggestions: [
      'set hostname in influxdb-meta.conf: the advertised addresses are hostname + the bind ports',
    ]}, [row])
  }
  if (malformed.count > 0) {
    problems.add({id: 'malformed-advertised', severity: 'critical', nodes: [where], message: `${where}: advertises ${malformed.count === 1 ? 'an address' : 'addresses'} that no node can dial (${malformed.text()})`, suggestions: [
      'the advertised addresses come from hostname and the bind addresses in influxdb-meta.conf: medic config check /etc/influxdb/influxdb-meta.conf',
    ]}, [row])
  }
  if (mode === 'live' && reachedAs !== undefined && status.httpAddr !== '' && loopback.count === 0 && unroutable.count === 0 && isPlainHostPort(status.httpAddr)) {
    const adv = splitHostPort(status.httpAddr)
    const reached = splitHostPort(reachedAs)
    if (adv.port !== reached.port || !sameAddr(adv.host, reached.host)) {
      const portDiffers = adv.port !== reached.port
      problems.add({id: 'address-mismatch', severity: portDiffers ? 'critical' : 'warning', nodes: [where], message: `${where}: reached as ${reachedAs} but advertises httpAddr ${status.httpAddr}${portDiffers ? ' (another port)' : ''}`, suggestions: portDiffers
        ? ['the port in [meta] http-bind-address differs from the one you reach: a port mapping (container, NAT) hides the real one; other nodes dial the advertised address']
        : [`check that ${adv.host} resolves to this node from every other node: getent hosts ${adv.host}`, 'if it does not, fix hostname in influxdb-meta.conf']}, [row])
    }
  }
}

/** Cluster-wide checks across the meta nodes that answered a valid /status; returns the agreed leader. */
function judgeCluster(observations: MetaObservation[], problems: Problems): string | undefined {
  const joined = observations.filter((o) => o.status !== undefined && o.row.joined)
  const views = new Map<string, NodeRow[]>()
  for (const o of joined) {
    const key = o.status!.leader.toLowerCase()
    views.set(key, [...(views.get(key) ?? []), o.row])
  }
  let leader: string | undefined
  if (views.size > 1) {
    const parts = [...views.entries()].map(([l, rows]) => `${rows.map((r) => r.address).join(', ')} ${rows.length === 1 ? 'sees' : 'see'} ${l === '' ? 'no leader' : l}`)
    problems.add({id: 'split-view', severity: 'critical', nodes: joined.map((o) => o.row.address), message: `the meta nodes disagree about the leader: ${parts.join('; ')}`, suggestions: [
      'a split view means a partition on the Raft port (8089 by default) or two clusters: check that every meta node reaches every other there',
      'journalctl -u influxdb-meta -n 200 | medic logs summarize -',
    ]}, joined.map((o) => o.row))
    const ranked = [...views.entries()].filter(([l]) => l !== '').sort((a, b) => b[1].length - a[1].length)
    if (ranked.length > 0 && (ranked.length === 1 || ranked[0][1].length > ranked[1][1].length)) leader = ranked[0][1][0].leader
  } else if (views.size === 1) {
    const l = joined[0].status!.leader
    if (l !== '') leader = l
  }
  const peerSets = new Map<string, NodeRow[]>()
  for (const o of joined) {
    const key = [...(o.status!.peers ?? [])].map((p) => p.toLowerCase()).sort().join(',')
    peerSets.set(key, [...(peerSets.get(key) ?? []), o.row])
  }
  if (peerSets.size > 1) {
    problems.add({id: 'peers-disagree', severity: 'warning', nodes: joined.map((o) => o.row.address), message: `the meta nodes list different peers: ${[...peerSets.entries()].slice(0, LIST_MAX).map(([k, rows]) => `${listSome(rows.map((r) => r.address))}: [${listSome(k.split(','))}]`).join('; ')}`, suggestions: [
      'a membership change in flight, or a node removed while down; on the leader, compare with: influxd-ctl show   (then remove-meta -force the stale entry)',
    ]})
  }
  const counts = new Set(joined.map((o) => o.status!.peers?.length ?? 0))
  if (counts.size === 1) {
    const n = [...counts][0]
    if (n > 0 && n % 2 === 0) {
      problems.add({id: 'meta-even', severity: 'warning', nodes: joined.map((o) => o.row.address), message: `${n} meta nodes: an even number survives no more failures than ${n - 1} (quorum is ${n / 2 + 1})`, suggestions: [
        n === 2 ? 'use 3 meta nodes: with 2, losing either one stops every cluster change' : `add or remove one meta node to reach ${n + 1} or ${n - 1}`,
      ]})
    }
  }
  return leader
}

/** The voters that answered /status but do not follow `leader`: no leader, or another one. */
function cutOffRows(observations: MetaObservation[], leader: string | undefined): MetaObservation[] {
  if (leader === undefined) return []
  return observations.filter((o) => o.status !== undefined && o.row.joined === true && o.row.reachable && (o.status.peers?.length ?? 0) > 0 && !sameAddr(o.status.leader, leader))
}

/**
 * A node that sees no leader while a majority of the voters follow one has not lost the quorum: it is cut off from
 * it (its Raft traffic does not reach the others, or theirs does not reach it). Its `no-leader` finding, which reads
 * "no Raft quorum", becomes `meta-cut-off`, in the same place of the list (so that the node stays the first thing
 * named), with what the others see as evidence.
 */
function markCutOff(observations: MetaObservation[], problems: Problems, leader: string, quorum: QuorumView & {members: string[]}): void {
  const followers = observations.filter((o) => o.status !== undefined && o.row.reachable && sameAddr(o.status.leader, leader))
  const cut = cutOffRows(observations, leader)
  let marked = 0
  for (const o of cut) {
    if (!quorum.members.includes(o.status!.raftAddr.toLowerCase())) continue
    const where = o.row.address
    const i = problems.list.findIndex((p) => p.id === 'no-leader' && p.nodes.length === 1 && p.nodes[0] === where)
    if (i < 0) continue // it names another leader: split-view says so
    marked++
    o.row.problems = o.row.problems.map((id) => (id === 'no-leader' ? 'meta-cut-off' : id))
    const raftPort = splitHostPort(o.status!.raftAddr).port
    problems.list[i] = {
      id: 'meta-cut-off',
      severity: 'critical',
      nodes: [where],
      message: `${where}: sees no leader, while ${followers.length} of ${quorum.voters} voters (${listSome(followers.map((f) => f.row.address))}) follow ${leader}: the cluster has its quorum, this node is cut off from it on the Raft port (a partition or firewall between the meta nodes); it answers reads with 503 "no leader", takes no change and keeps starting elections it cannot win`,
      suggestions: [
        `from this node, check the Raft port of every other meta node (${raftPort === '' ? '8089 by default' : `${raftPort} here`}), both ways: nc -vz <other meta node> ${raftPort === '' ? '8089' : raftPort}`,
        'its log shows the failed elections: journalctl -u influxdb-meta -n 100 | medic logs summarize -',
        'once the link is back it rejoins on its own: no remove-meta / add-meta is needed',
      ],
    }
  }
  // Nodes that see no leader are not a second opinion about who leads: when they are all that made the views differ,
  // meta-cut-off says it, and "split-view" would only repeat it under a name that suggests two leaders.
  if (marked > 0 && marked === cut.length) {
    const i = problems.list.findIndex((p) => p.id === 'split-view')
    if (i >= 0) {
      problems.list.splice(i, 1)
      for (const o of observations) o.row.problems = o.row.problems.filter((id) => id !== 'split-view')
    }
  }
}

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six']
const count = (n: number, what: string) => `${n < WORDS.length ? WORDS[n] : n} ${what}${n === 1 ? '' : 's'}`

/**
 * The quorum sentence from the voters (the leader's peers, else the view most nodes share) and what medic saw of each.
 * Raft keeps a leader while a strict majority of voters is up; `spare` more failures are survivable.
 */
export function judgeQuorum(observations: MetaObservation[], rows: NodeRow[], leader: string | undefined): (QuorumView & {members: string[]}) | undefined {
  const joined = observations.filter((o) => o.status !== undefined && o.row.joined && (o.status.peers?.length ?? 0) > 0)
  if (joined.length === 0) return undefined
  const byLeader = leader === undefined ? undefined : joined.find((o) => sameAddr(o.status!.raftAddr, leader))
  let peers: string[]
  if (byLeader) {
    peers = byLeader.status!.peers ?? []
  } else {
    const sets = new Map<string, {peers: string[]; n: number}>()
    for (const o of joined) {
      const key = [...(o.status!.peers ?? [])].map((p) => p.toLowerCase()).sort().join(',')
      const e = sets.get(key) ?? {peers: o.status!.peers ?? [], n: 0}
      e.n++
      sets.set(key, e)
    }
    peers = [...sets.values()].sort((a, b) => b.n - a.n)[0].peers
  }
  const voters = new Set(peers.map((p) => p.toLowerCase()))
  const byRaft = new Map<string, NodeRow>()
  for (const r of rows) if (r.role === 'meta' && r.raftAddr !== undefined && !byRaft.has(r.raftAddr.toLowerCase())) byRaft.set(r.raftAddr.toLowerCase(), r)
  let up = 0
  let down = 0
  let unchecked = 0
  for (const v of voters) {
    const row = byRaft.get(v)
    if (row === undefined || (!row.reachable && row.error === undefined)) unchecked++
    else if (row.reachable) up++
    else if (row.error?.startsWith('not asked')) unchecked++
    else down++
  }
  const n = voters.size
  const needed = Math.floor(n / 2) + 1
  const answered = joined.filter((o) => voters.has(o.status!.raftAddr.toLowerCase()))
  // A leader is only believed when it is a sound address among the voters and medic reached at least one voter.
  const holds: boolean | null = leader !== undefined && isPlainHostPort(leader) && voters.has(leader.toLowerCase())
    ? (up > 0 ? true : null)
    : answered.length > 0 && answered.every((o) => o.status!.leader === '') ? false : up + unchecked < needed ? false : null
  // A voter that answers but follows no leader, or another one, while the others agree on one: it is up, but cut off
  // from the leader (a partition on the Raft port), so the leader cannot count on it for the next failure.
  const cutOff = holds === true ? answered.filter((o) => o.row.reachable && !sameAddr(o.status!.leader, leader!)).length : 0
  const spare = holds === true && unchecked === 0 ? Math.max(0, up - cutOff - needed) : null
  const head = `${up}/${n} voter${n === 1 ? '' : 's'} up${cutOff > 0 ? `, ${cutOff} of them cut off from the leader` : ''}${unchecked > 0 ? ` (${unchecked} not checked)` : ''}`
  let text: string
  if (holds === true) {
    if (spare === null) text = `${head}: quorum holds (a leader is elected; ${needed} of ${n} needed); medic cannot tell how many more failures it survives`
    else if (n === 1) text = `${head}: quorum holds; a single meta node, so its failure loses the leader`
    else if (spare === 0) text = `${head}: quorum holds; one more failure loses the leader`
    else text = `${head}: quorum holds; it survives ${count(spare, down === 0 ? 'failure' : 'more failure')}, not ${spare + 1}`
  } else if (holds === false) {
    text = `${head}: quorum lost (${needed} of ${n} needed): no leader, so no database, retention policy, user or node can be created or changed; writes and queries to existing shards go on`
  } else {
    text = `${head}: medic cannot tell whether the quorum holds (${needed} of ${n} needed)`
  }
  return {voters: n, up, down, unchecked, cutOff, needed, holds, spare, text, members: [...voters]}
}

function finishReport(rows: NodeRow[], problems: Problems, leader: string | undefined, extra: {showCluster?: StatusReport['showCluster']; quorum?: QuorumView; unmapped?: number; timedOut?: boolean} = {}): StatusReport {
  for (const row of rows) {
    const own = problems.list.filter((p) => row.problems.includes(p.id) && p.nodes.includes(row.address))
    row.state = !row.checked ? 'unknown' : own.some((p) => p.severity === 'critical') ? 'fail' : own.length > 0 ? 'warning' : 'ok'
  }
  const checked = rows.filter((r) => r.checked).length
  const unchecked = rows.length - checked + (extra.showCluster?.error === undefined ? 0 : 1) + (extra.unmapped ?? 0)
  // With nothing checked, the only "problems" are the nodes medic could not reach: that is could-not-check (4).
  const outcome = decideOutcome({findings: checked === 0 ? [] : problems.list, checked, unchecked})
  const state: NodeState = outcome.verdict === 'critical' ? 'fail' : outcome.verdict
  return {
    verdict: outcome.verdict,
    state,
    exitCode: outcome.exitCode,
    complete: outcome.complete,
    leader,
    ...(extra.quorum === undefined ? {} : {quorum: extra.quorum}),
    nodes: rows,
    problems: problems.list,
    ...(extra.showCluster === undefined ? {} : {showCluster: extra.showCluster}),
    ...(extra.timedOut ? {timedOut: true} : {}),
    summary: {
      meta: rows.filter((r) => r.role === 'meta').length, data: rows.filter((r) => r.role === 'data').length, checked, unchecked: rows.length - checked,
      critical: problems.list.filter((p) => p.severity === 'critical').length, warning: problems.list.filter((p) => p.severity === 'warning').length,
    },
  }
}

/** The exit code of a report: decideOutcome's (3 for problems, 4 when something could not be checked, 0 only when all is well). */
export function statusExitCode(report: StatusReport): Outcome['exitCode'] {
  return report.exitCode
}

// ------------------------------------------------------------------------------------------------ live probes

function newRow(address: string, url: string, role: NodeRow['role'], source: NodeRow['source']): NodeRow {
  return {address, url, role, source, reachable: false, checked: false, state: 'unknown', problems: []}
}

/** Hands out per-request options within the run's deadline; undefined once it has passed. */
class Budget {
  private readonly end: number
  constructor(private readonly http: HttpOptions, private readonly runMs: number, private readonly command?: string) {
    this.end = performance.now() + runMs
  }

  get expired(): boolean {
    return this.end - performance.now() < 1
  }

  options(service: 'meta' | 'data'): HttpOptions | undefined {
    const left = Math.floor(this.end - performance.now())
    if (left < 1) return undefined
    const per = this.http.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const byRun = left < per
    const hints: HttpOptions['hints'] = {}
    if (this.command !== undefined) {
      const more = Math.max(30_000, 2 * (byRun ? this.runMs : per))
      hints.moreTime = byRun
        ? `${this.command} --timeout ${formatShortDurationMs(more)}`
        : `${this.command} --http-timeout ${formatShortDurationMs(more)}${more >= this.runMs ? ` --timeout ${formatShortDurationMs(2 * more)}` : ''}`
      hints.credentials = `${this.command} --username USER --password PASSWORD   (or --username USER --jwt-secret SHARED_SECRET)`
    }
    hints.deadline = byRun ? `what was left of --timeout ${formatShortDurationMs(this.runMs)}` : '--http-timeout'
    return {...this.http, timeoutMs: Math.min(per, left), service, hints}
  }

  /** What a row medic had no time left for says. */
  notAsked(): string {
    return `not asked: the run's deadline (--timeout ${formatShortDurationMs(this.runMs)}) ran out first`
  }
}

async function probeMeta(row: NodeRow, budget: Budget, problems: Problems): Promise<MetaObservation> {
  const http = budget.options('meta')
  if (http === undefined) {
    row.error = budget.notAsked()
    return {row}
  }
  const url = `${row.url}/status`
  let raw
  try {
    raw = await getRaw(url, {...http, what: 'a meta node'})
  } catch (err) {
    if (!(err instanceof MedicError)) throw err
    if (err.code === 'http-too-large' || err.code === 'http-redirect-loop' || err.code === 'http-redirect-refused') {
      row.reachable = true
      row.checked = true
      const id = err.code === 'http-too-large' ? 'status-too-large' : err.code === 'http-redirect-loop' ? 'redirect-loop' : 'redirect-refused'
      problems.add({id, severity: 'critical', nodes: [row.address], message: err.message, suggestions: err.suggestions}, [row])
      return {row}
    }
    row.error = err.message
    problems.add({id: 'meta-unreachable', severity: 'critical', nodes: [row.address], message: err.message, suggestions: err.suggestions}, [row])
    return {row}
  }
  row.reachable = true
  row.checked = true
  row.latencyMs = raw.durationMs
  row.httpStatus = raw.status
  const v = raw.headers['x-influxdb-version']
  if (typeof v === 'string' && v !== '') row.version = v.slice(0, 100)
  const where = row.address
  if (raw.status === 503) {
    row.joined = false
    const msg = await errorMessageOf(raw.text)
    problems.add({id: 'meta-unavailable', severity: 'critical', nodes: [where], message: `${where}: /status answered 503${msg ? ` ${JSON.stringify(msg.slice(0, 200))}` : ''}: no Raft leader (not joined yet, or the cluster lost quorum)`, suggestions: [
      ...naming(`if the node is new: influxd-ctl add-meta ${where}`, where),
      'otherwise more than half of the meta nodes must be up and reach each other on their Raft port (8089 by default)',
    ]}, [row])
    return {row}
  }
  if (raw.status === 401 || raw.status === 403) {
    const msg = await errorMessageOf(raw.text)
    const sent = http.auth !== undefined && http.auth.type !== 'none'
    problems.add({id: 'meta-auth', severity: 'critical', nodes: [where], message: `${where}: /status answered ${raw.status}${msg ? ` ${JSON.stringify(msg.slice(0, 200))}` : ''}: ${sent
      ? 'the node refused the credentials medic sent (wrong user or password, or for a JWT a different [meta] shared-secret)'
      : 'meta authentication is on ([meta] auth-enabled = true) and medic sent no credentials'}`, suggestions: sent
      ? ['check the user and password, or the shared-secret given to --jwt-secret; to test them on a meta node: influxd-ctl -auth-type basic -user USER -pwd PASSWORD show']
      : [http.hints?.credentials]}, [row])
    return {row}
  }
  if (raw.status === 204) {
    problems.add({id: 'not-meta-node', severity: 'critical', nodes: [where], message: `${where}: /status answered 204 with no body, as data nodes do: this is not a meta node`, suggestions: [
      'give the meta nodes\' HTTP addresses (host:8091); medic finds the data nodes through /show-cluster',
    ]}, [row])
    return {row}
  }
  if (raw.status < 200 || raw.status > 299) {
    const msg = (await errorMessageOf(raw.text)) ?? raw.text.trim().slice(0, 120)
    problems.add({id: 'status-http-error', severity: 'critical', nodes: [where], message: `${where}: /status answered HTTP ${raw.status}${msg ? ` ${JSON.stringify(msg.slice(0, 200))}` : ''}`, suggestions: [
      raw.status === 404 || raw.status === 400 ? 'is this a meta node (8091)? data nodes (8086) do not serve /status JSON' : 'look at the meta node\'s log: journalctl -u influxdb-meta -n 100',
      `curl -sS -i ${shellQuote(url)}`,
    ]}, [row])
    return {row}
  }
  const status = await readStatusBody(raw.text, where, row, problems, String(raw.headers['content-type'] ?? ''))
  if (status) judgeMetaStatus(row, status, problems, 'live', hostPortOf(raw.finalUrl))
  return {row, status}
}

async function probeData(row: NodeRow, budget: Budget, problems: Problems): Promise<void> {
  const http = budget.options('data')
  if (http === undefined) {
    row.error = budget.notAsked()
    return
  }
  try {
    const ping = await pingDataNode(row.url!, {...http, what: 'a data node'})
    row.reachable = true
    row.checked = true
    row.latencyMs = ping.durationMs
    row.httpStatus = ping.status
    if (ping.version) row.version = ping.version.slice(0, 100)
    if (ping.build) row.build = ping.build.slice(0, 100)
    if (ping.status !== 204 && ping.status !== 200) {
      problems.add({id: 'data-ping-status', severity: 'critical', nodes: [row.address], message: `${row.address}: data node /ping answered HTTP ${ping.status} (expected 204)`, suggestions: [
        'is the data node\'s [http] service up on this port? journalctl -u influxdb -n 100',
        `curl -sS -i ${shellQuote(`${row.url}/ping`)}`,
      ]}, [row])
    } else if (ping.version === undefined) {
      problems.add({id: 'data-ping-no-version', severity: 'warning', nodes: [row.address], message: `${row.address}: /ping answered without X-Influxdb-Version: is this an InfluxDB data node?`, suggestions: [`curl -sS -i ${shellQuote(`${row.url}/ping`)}`]}, [row])
    }
  } catch (err) {
    if (!(err instanceof MedicError)) throw err
    row.error = err.message
    problems.add({id: 'data-unreachable', severity: 'critical', nodes: [row.address], message: err.message, suggestions: [
      ...err.suggestions,
      'while a data node is down, writes for its shards queue in the other nodes\' hinted handoff: medic hh watch --url OTHER-DATA:8086',
    ]}, [row])
  }
}

/** A URL medic may dial for an address a node reported, or why not. */
function nodeUrl(scheme: string | undefined, address: string, defaultPort: number): {ok: true; url: string} | {ok: false; reason: string} {
  const s = (scheme ?? '') === '' ? 'http' : scheme!.toLowerCase()
  if (s !== 'http' && s !== 'https') return {ok: false, reason: `the scheme ${JSON.stringify(scheme!.slice(0, 20))} is neither http nor https`}
  const hp = parseHostPort(address)
  if (!hp.ok) return {ok: false, reason: hp.reason}
  return {ok: true, url: normaliseBaseUrl(`${s}://${joinHostPort(hp.host, hp.port)}`, defaultPort)}
}

/** Probes a cluster from the meta addresses given (host[:8091] or URLs). Never throws for what nodes answer. */
export async function probeCluster(addresses: string[], options: StatusOptions = {}): Promise<StatusReport> {
  const http = options.http ?? {}
  const runMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS
  const command = options.command ?? (addresses.every((a) => !hasControl(a)) ? ['medic status', ...addresses.map(shellQuote)].join(' ') : undefined)
  const budget = new Budget(http, runMs, command)
  const problems = new Problems()
  const rows: NodeRow[] = []
  const byAddress = new Map<string, NodeRow>()
  const observations: MetaObservation[] = []
  let unmapped = 0
  const skipped = {meta: 0, data: 0}
  const counts = {meta: 0, data: 0}
  const addRow = (address: string, url: string, role: NodeRow['role'], source: NodeRow['source']): NodeRow | undefined => {
    const key = `${role}:${address.toLowerCase()}`
    if (byAddress.has(key)) return undefined
    // The bounds are on what the nodes name; every address the operator gave is asked.
    if (source !== 'given' && counts[role] >= (role === 'meta' ? MAX_META_NODES : MAX_DATA_NODES)) {
      skipped[role]++
      return undefined
    }
    counts[role]++
    const row = newRow(address, url, role, source)
    byAddress.set(key, row)
    rows.push(row)
    return row
  }
  let pending: NodeRow[] = []
  for (const a of addresses) {
    const url = normaliseBaseUrl(a, META_HTTP_PORT, 'ADDR', 'medic status')
    const row = addRow(hostPortOf(url), url, 'meta', 'given')
    if (row) pending.push(row)
  }
  let cluster: ShowCluster | undefined
  let showCluster: StatusReport['showCluster']
  const dataProbes: Array<Promise<void>> = []
  // At most DATA_CONCURRENCY data nodes are asked at once.
  let running = 0
  const waiting: Array<() => void> = []
  const limited = async (fn: () => Promise<void>) => {
    if (running >= DATA_CONCURRENCY) await new Promise<void>((r) => waiting.push(r))
    running++
    try {
      await fn()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
  const malformedPeers = new Map<NodeRow, number>()
  let badAddresses = 0
  let metaListed = false
  let showClusterRetried = false
  const maxRounds = options.maxRounds ?? 3
  const knownRaft = new Set<string>()
  for (let round = 0; pending.length > 0 && round < maxRounds; round++) {
    observations.push(...(await Promise.all(pending.map((r) => probeMeta(r, budget, problems)))))
    pending = []
    for (const o of observations) if (o.row.raftAddr !== undefined) knownRaft.add(o.row.raftAddr.toLowerCase())
    const joined = observations.filter((o) => o.status !== undefined && o.row.joined)
    // /show-cluster from the leader, else any joined node; when that node had no leader to answer with (503, a node
    // cut off from the others), once more from the leader once a later round has found it.
    const leaderObs = joined.find((o) => o.row.isLeader)
    const retryFromLeader = cluster === undefined && showCluster?.error !== undefined && !showClusterRetried && leaderObs !== undefined && leaderObs.row.address !== showCluster.from
    if (retryFromLeader) {
      showClusterRetried = true
      const failed = showCluster!.from
      showCluster = undefined
      for (let i = problems.list.length - 1; i >= 0; i--) {
        const p = problems.list[i]
        if (p.id === 'show-cluster-unavailable' && p.nodes.length === 1 && p.nodes[0] === failed) problems.list.splice(i, 1)
      }
    }
    if (cluster === undefined && showCluster === undefined && joined.length > 0) {
      const source = leaderObs ?? joined[0]
      const opts = budget.options('meta')
      if (opts === undefined) {
        showCluster = {from: source.row.address, error: budget.notAsked()}
      } else {
        try {
          const res = await getJson(`${source.row.url}/show-cluster`, {...opts, what: 'a meta node'})
          const checked = await checkShowCluster(res.body)
          if (!checked.ok) {
            const why = checked.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')
            showCluster = {from: source.row.address, error: `${source.row.url}/show-cluster: not a cluster view (${why})`}
            problems.add({id: 'show-cluster-invalid', severity: 'critical', nodes: [source.row.address], message: `${showCluster.error}: the data nodes were not checked`, issues: checked.issues, suggestions: [
              `curl -sS ${shellQuote(`${source.row.url}/show-cluster`)}`,
            ]})
          } else {
            cluster = checked.cluster
            showCluster = {from: source.row.address}
          }
        } catch (err) {
          if (!(err instanceof MedicError)) throw err
          showCluster = {from: source.row.address, error: err.message}
          problems.add({id: 'show-cluster-unavailable', severity: 'warning', nodes: [source.row.address], message: `${err.message}: the data nodes were not checked`, suggestions: err.suggestions})
        }
      }
      if (cluster) {
        for (const d of cluster.data) {
          const u = nodeUrl(d.httpScheme, d.httpAddr, DATA_HTTP_PORT)
          if (!u.ok) {
            unmapped++
            if (++badAddresses > LIST_MAX) continue
            problems.add({id: 'show-cluster-bad-address', severity: 'critical', nodes: [source.row.address], message: `${source.row.address}: /show-cluster lists data node ${d.id} at ${JSON.stringify(d.httpAddr.slice(0, 100))} (${d.httpScheme ?? 'http'}), which no node can dial: ${u.reason}`, suggestions: [
              'the data node advertises what its hostname and [http] bind-address say: check its influxdb.conf (medic config check /etc/influxdb/influxdb.conf on that node)',
            ]})
            continue
          }
          const row = addRow(d.httpAddr, u.url, 'data', 'show-cluster')
          if (!row) continue
          row.id = d.id
          if (!d.version) {
            problems.add({id: 'data-silent', severity: 'warning', nodes: [row.address], message: `${row.address}: data node ${d.id} has not announced itself (blank version in /show-cluster): down, or cut off from the meta nodes`, suggestions: [
              'influxd-ctl show lists it with a blank Version too; check the node and its connectivity to the meta nodes on 8091',
            ]}, [row])
          } else {
            row.version = d.version.slice(0, 100)
          }
          dataProbes.push(limited(() => probeData(row, budget, problems)))
        }
        for (const m of cluster.meta) {
          const known = byAddress.get(`meta:${m.addr.toLowerCase()}`)
          if (known) {
            known.id = m.id
            known.version ??= m.version ? m.version.slice(0, 100) : undefined
            if (known.raftAddr === undefined && m.tcpAddr !== undefined && isPlainHostPort(m.tcpAddr)) known.raftAddr = m.tcpAddr
          }
        }
      }
    }
    // Meta nodes not given: the peers (Raft addresses) and /show-cluster's meta list.
    for (const o of joined) {
      for (const peer of o.status!.peers ?? []) {
        const key = peer.toLowerCase()
        if (knownRaft.has(key)) continue
        knownRaft.add(key)
        const hp = parseHostPort(peer)
        if (!hp.ok) {
          unmapped++
          const seen = (malformedPeers.get(o.row) ?? 0) + 1
          malformedPeers.set(o.row, seen)
          if (seen > LIST_MAX) continue // counted; the summary below says how many more
          problems.add({id: 'peer-malformed', severity: 'critical', nodes: [o.row.address], message: `${o.row.address}: lists the peer ${JSON.stringify(peer.slice(0, 100))}, which is not a host:port (${hp.reason}): no meta node can reach it, and medic did not try`, suggestions: [
            'the peers are the Raft addresses the meta nodes were added with; on the leader, compare with: influxd-ctl show   (then remove-meta the bad entry)',
          ]}, [o.row])
          continue
        }
        if (isLoopbackHost(hp.host) && !isLoopbackHost(splitHostPort(o.row.address).host)) continue // reported above, not dialled
        if (isUnspecifiedHost(hp.host)) continue
        const {address, scheme} = metaHttpAddrForPeer(peer, {httpAddr: o.row.address, raftAddr: o.status!.raftAddr}, cluster)
        const u = nodeUrl(scheme ?? new URL(o.row.url!).protocol.replace(':', ''), address, META_HTTP_PORT)
        if (!u.ok) {
          unmapped++
          problems.add({id: 'peer-not-probed', severity: 'warning', nodes: [o.row.address], message: `${o.row.address}: peer ${peer} maps to the HTTP address ${JSON.stringify(address.slice(0, 100))}, which medic cannot dial (${u.reason})`, suggestions: []})
          continue
        }
        const existing = byAddress.get(`meta:${hostPortOf(u.url).toLowerCase()}`)
        if (existing === undefined) {
          const row = addRow(hostPortOf(u.url), u.url, 'meta', 'peers')
          if (row !== undefined) {
            row.raftAddr = peer
            pending.push(row)
          }
        } else if (existing.raftAddr === undefined) {
          existing.raftAddr = peer // a node given (or listed) but not answering: now known by its Raft address too
        } else {
          // The guess (peer host + HTTP port) is a node already probed under another Raft address.
          unmapped++
          const peerHost = splitHostPort(peer).host
          problems.add({id: 'peer-not-probed', severity: 'warning', nodes: [o.row.address], message: `${o.row.address}: peer ${peer} could not be mapped to a meta HTTP address (not in /show-cluster; ${hostPortOf(u.url)} is another node), so it was not checked`, suggestions: [
            ...(command === undefined ? [] : naming(`give its HTTP address too: ${command} ${joinHostPort(peerHost, META_HTTP_PORT)}   (with its real HTTP port if it is not 8091)`, joinHostPort(peerHost, META_HTTP_PORT))),
          ]})
        }
      }
    }
    // /show-cluster's meta list, once (after the peers, so that a peer keeps its source).
    for (const m of metaListed || cluster === undefined ? [] : cluster.meta) {
      const u = nodeUrl(m.httpScheme, m.addr, META_HTTP_PORT)
      if (!u.ok) {
        unmapped++
        if (++badAddresses > LIST_MAX) continue
        problems.add({id: 'show-cluster-bad-address', severity: 'critical', nodes: [showCluster?.from ?? ''], message: `${showCluster?.from}: /show-cluster lists meta node ${m.id} at ${JSON.stringify(m.addr.slice(0, 100))}, which no node can dial: ${u.reason}`, suggestions: []})
        continue
      }
      const row = addRow(hostPortOf(u.url), u.url, 'meta', 'show-cluster')
      if (row) {
        row.id = m.id
        if (m.tcpAddr !== undefined && isPlainHostPort(m.tcpAddr)) {
          row.raftAddr = m.tcpAddr
          knownRaft.add(m.tcpAddr.toLowerCase())
        }
        pending.push(row)
      }
    }
    if (cluster !== undefined) metaListed = true
  }
  if (badAddresses > LIST_MAX) problems.add({id: 'show-cluster-bad-address', severity: 'critical', nodes: [showCluster?.from ?? ''], message: `${showCluster?.from}: /show-cluster lists ${badAddresses - LIST_MAX} more nodes at addresses no node can dial`, suggestions: []})
  for (const row of pending) row.error = budget.notAsked() // discovered in the last round allowed
  await Promise.all(dataProbes)
  for (const [row, n] of malformedPeers) {
    if (n > LIST_MAX) problems.add({id: 'peer-malformed', severity: 'critical', nodes: [row.address], message: `${row.address}: lists ${n - LIST_MAX} more peers that are not host:port`, suggestions: []}, [row])
  }
  for (const role of ['meta', 'data'] as const) {
    if (skipped[role] === 0) continue
    unmapped += skipped[role]
    const max = role === 'meta' ? MAX_META_NODES : MAX_DATA_NODES
    problems.add({id: `too-many-${role}-nodes`, severity: 'warning', nodes: [], message: `the nodes name more than ${max} ${role} nodes: medic checked the first ${max} and left ${skipped[role]} unchecked${role === 'meta' ? ' (an Enterprise cluster has 3 to 7 meta nodes: the peers or /show-cluster list something else)' : ''}`, suggestions: []})
  }
  const metaVersions = new Map<string, string>()
  for (const m of cluster?.meta ?? []) if (m.version && !metaVersions.has(m.addr.toLowerCase())) metaVersions.set(m.addr.toLowerCase(), m.version)
  for (const row of rows) {
    if (row.role !== 'meta' || row.version !== undefined) continue
    const v = metaVersions.get(row.address.toLowerCase())
    if (v) row.version = v.slice(0, 100)
  }
  const leader = judgeCluster(observations, problems)
  for (const o of observations) if (o.row.isLeader === undefined && leader !== undefined) o.row.isLeader = false
  const judged = judgeQuorum(observations, rows, leader)
  if (judged?.holds === true && leader !== undefined) markCutOff(observations, problems, leader, judged)
  let quorum: QuorumView | undefined
  if (judged !== undefined) {
    const {members, ...view} = judged
    quorum = view
    // A voter down while the quorum holds is worth a warning; the quorum lost is what is critical.
    if (quorum.holds === true) {
      const voterAddresses = new Set(rows.filter((r) => r.role === 'meta' && r.raftAddr !== undefined && members.includes(r.raftAddr.toLowerCase())).map((r) => r.address))
      for (const p of problems.list) if (p.id === 'meta-unreachable' && p.nodes.every((n) => voterAddresses.has(n))) p.severity = 'warning'
    }
    if (quorum.holds === false) {
      problems.add({id: 'quorum-lost', severity: 'critical', nodes: rows.filter((r) => r.role === 'meta').map((r) => r.address), message: quorum.text, suggestions: [
        'bring the meta nodes that are down back first; on each of them: systemctl start influxdb-meta',
        'then check that every meta node reaches every other on its Raft port (8089 by default)',
      ]})
    } else if (quorum.holds === true && (quorum.down > 0 || quorum.cutOff > 0)) {
      const cut = cutOffRows(observations, leader)
      problems.add({id: 'quorum-degraded', severity: 'warning', nodes: [...rows.filter((r) => r.role === 'meta' && !r.reachable).map((r) => r.address), ...cut.map((o) => o.row.address)], message: quorum.text, suggestions: [
        ...(quorum.down > 0 ? ['bring the meta nodes that are down back before any other maintenance; on each of them: systemctl start influxdb-meta'] : []),
        ...(cut.length > 0 ? ['restore the Raft link of the node cut off (bind-address port, 8089 by default, both ways between every pair of meta nodes) before any other maintenance'] : []),
      ]})
    }
  }
  const versions = new Set(rows.map((r) => r.version).filter((v): v is string => v !== undefined))
  if (versions.size > 1) {
    problems.add({id: 'versions-differ', severity: 'warning', nodes: rows.filter((r) => r.version !== undefined).map((r) => r.address), message: `the nodes run different versions: ${[...versions].sort().join(', ')}`, suggestions: [
      'fine during a rolling upgrade (meta nodes first, then data nodes one at a time); otherwise upgrade the stragglers',
    ]})
  }
  return finishReport(rows, problems, leader, {showCluster, quorum, unmapped, timedOut: budget.expired && rows.some((r) => r.error?.startsWith('not asked'))})
}

// ------------------------------------------------------------------------------------------------ offline

/**
 * The checks of one /status body given as text, as `status --file` runs them: the status when the body is one, and
 * the problems found. Never throws for what the text holds (fuzzed in test/probe/fuzz.test.ts).
 */
export async function checkStatusBody(text: string, where = 'body'): Promise<{status?: MetaStatus; problems: StatusProblem[]; row: NodeRow}> {
  const problems = new Problems()
  const row: NodeRow = {address: where, role: 'meta', source: 'file', reachable: false, checked: true, state: 'unknown', problems: []}
  const status = await readStatusBody(text, where, row, problems)
  if (status) {
    judgeMetaStatus(row, status, problems, 'file')
    judgeCluster([{row, status}], problems)
  }
  return {...(status === undefined ? {} : {status}), problems: problems.list, row}
}


/**
 * Reads a saved body: a regular file (size checked first), or a named pipe or other stream, read until it ends or the
 * deadline passes (a pipe with no writer would otherwise block forever). Directories and unreadable paths: exit 4.
 */
async function readBodyFile(path: string, maxBytes: number, deadlineMs: number): Promise<{text: string} | {tooLarge: number} | {timedOut: true}> {
  let st
  try {
    st = await stat(path)
  } catch (err) {
    throw fileError(path, err)
  }
  if (st.isDirectory()) {
    throw inputError(`${path}: is a directory, not a saved /status body`, 'input-is-directory', [
      `give the files inside it, one --file each: medic status --file ${shellQuote(`${path.replace(/\/+$/, '')}/meta-1.json`)}`,
    ])
  }
  if (st.isFile()) {
    if (st.size > maxBytes) return {tooLarge: st.size}
    try {
      return {text: await readFile(path, 'utf8')}
    } catch (err) {
      throw fileError(path, err)
    }
  }
  // A FIFO or a device: non-blocking open, then read as a socket until EOF, the size limit or the deadline.
  const {Socket} = await import('node:net')
  // A plain descriptor, owned by the socket alone (a FileHandle would close it again when collected, by then perhaps
  // another socket's descriptor).
  let fd: number
  try {
    fd = await new Promise<number>((resolve, reject) => openFd(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK, (err, n) => (err ? reject(err) : resolve(n))))
  } catch (err) {
    throw fileError(path, err)
  }
  const socket = new Socket({fd, readable: true, writable: false})
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = (r: {text: string} | {tooLarge: number} | {timedOut: true}) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => finish({timedOut: true}), Math.max(1, deadlineMs))
    socket.on('data', (c: Buffer) => {
      size += c.length
      if (size > maxBytes) finish({tooLarge: size})
      else chunks.push(c)
    })
    socket.on('end', () => finish({text: Buffer.concat(chunks).toString('utf8')}))
    socket.on('error', (err) => {
      clearTimeout(timer)
      socket.destroy()
      reject(fileError(path, err))
    })
  })
}

/** Runs the same checks on saved /status bodies (files or named pipes; "-" is not supported). Unreadable files: exit 4. */
export async function checkStatusFiles(paths: string[], maxBytes = DEFAULT_MAX_RESPONSE_BYTES, runTimeoutMs = DEFAULT_RUN_TIMEOUT_MS): Promise<StatusReport> {
  const problems = new Problems()
  const rows: NodeRow[] = []
  const observations: MetaObservation[] = []
  const end = performance.now() + runTimeoutMs
  for (const path of paths) {
    const row: NodeRow = {address: path, role: 'meta', source: 'file', reachable: false, checked: true, state: 'unknown', problems: []}
    rows.push(row)
    const read = await readBodyFile(path, maxBytes, end - performance.now())
    if ('tooLarge' in read) {
      problems.add({id: 'status-too-large', severity: 'critical', nodes: [path], message: `${path}: ${read.tooLarge} bytes, over the ${maxBytes}-byte limit: not a /status body (those are a few hundred bytes)`, suggestions: [
        'a meta /status answer is one small JSON object: the saved file is something else (a log, a dump)',
      ]}, [row])
      observations.push({row})
      continue
    }
    if ('timedOut' in read) {
      row.checked = false
      row.error = `${path}: nothing to read before the deadline (--timeout ${formatShortDurationMs(runTimeoutMs)}): a pipe with no writer?`
      observations.push({row})
      continue
    }
    const status = await readStatusBody(read.text, path, row, problems)
    if (status) judgeMetaStatus(row, status, problems, 'file')
    observations.push({row, status})
  }
  const leader = judgeCluster(observations, problems)
  return finishReport(rows, problems, leader)
}
