/**
 * `medic status`: the one-glance view of an Enterprise 1.x cluster. Probes the meta nodes given (GET /status)
 * concurrently, each with its own deadline, follows `peers` and `/show-cluster` to the meta nodes it was not given and
 * to the data nodes (GET /ping), and judges what it saw: split views of the leader, a leader missing from `peers`,
 * loopback or mismatched advertised addresses, un-joined meta nodes, unreachable or silent data nodes.
 *
 * The same checks run offline on saved /status bodies (checkStatusFiles) for support tickets. No oclif import.
 */
import {readFile, stat} from 'node:fs/promises'

import {ExitCode, type ExitCodeValue, fileError, MedicError} from '../errors.js'
import {checkMetaStatus, errorMessageOf, type MetaStatus, parseShowCluster, type SchemaIssue, type ShowCluster} from '../wire/schemas.js'
import {DEFAULT_MAX_RESPONSE_BYTES, getJson, getRaw, type HttpOptions, normaliseBaseUrl, pingDataNode} from './http.js'

export const META_HTTP_PORT = 8091
export const META_RAFT_PORT = 8089

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

export interface StatusReport {
  state: NodeState
  /** The leader most nodes see (Raft address), when there is one. */
  leader?: string
  nodes: NodeRow[]
  problems: StatusProblem[]
  /** Where /show-cluster came from, or why it is missing. */
  showCluster?: {from?: string; error?: string}
  summary: {meta: number; data: number; checked: number; unchecked: number; critical: number; warning: number}
}

export interface StatusOptions {
  http?: HttpOptions
  /** Rounds of discovery through peers and /show-cluster (default 3). */
  maxRounds?: number
}

// ------------------------------------------------------------------------------------------------ addresses

/** "host:port" (or "[v6]:port") -> [host, port]; a missing port gives "". */
export function splitHostPort(addr: string): [string, string] {
  const a = addr.trim()
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(a)
  if (v6) return [v6[1], v6[2] ?? '']
  const i = a.lastIndexOf(':')
  if (i < 0 || a.indexOf(':') !== i) return [a, '']
  return [a.slice(0, i), a.slice(i + 1)]
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h.endsWith('.localhost') || h === 'ip6-localhost' || /^127\./.test(h) || h === '::1'
}

function isUnroutableHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === '' || h === '0.0.0.0' || h === '::'
}

const sameAddr = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * The HTTP address of a meta node known by its Raft address (a `peers` entry): from /show-cluster's meta list
 * (tcpAddr -> addr) when it has the node, else the peer's host with the HTTP port of the address that reported it.
 */
export function metaHttpAddrForPeer(peer: string, reporterAddress: string, cluster?: ShowCluster): {address: string; scheme?: string} {
  const m = cluster?.meta.find((n) => n.tcpAddr !== undefined && sameAddr(n.tcpAddr, peer))
  if (m) return {address: m.addr, scheme: m.httpScheme}
  const [host] = splitHostPort(peer)
  const [, port] = splitHostPort(reporterAddress)
  return {address: `${host.includes(':') ? `[${host}]` : host}:${port || META_HTTP_PORT}`}
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
  add(p: Omit<StatusProblem, 'suggestions'> & {suggestions?: string[]}, rows: NodeRow[] = []): void {
    this.list.push({...p, suggestions: p.suggestions ?? []})
    for (const r of rows) if (!r.problems.includes(p.id)) r.problems.push(p.id)
  }
}

/**
 * Reads a /status body (text): empty, an HTML page, not JSON, wrong shape -> a critical problem; else the status.
 * `where` names the node or file in messages.
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
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim()
    problems.add({id: 'status-html', severity: 'critical', nodes: [where], message: `${where}: an HTML page${title ? ` ("${title}")` : ''}, not a meta node's /status JSON`, suggestions: [
      'a proxy, load balancer or web server answers instead of influxd-meta: probe the meta node directly on 8091',
      'check [meta] http-bind-address (default :8091) in influxdb-meta.conf',
    ]}, [row])
    return undefined
  }
  let json: unknown
  try {
    json = JSON.parse(trimmed)
  } catch (err) {
    problems.add({id: 'status-not-json', severity: 'critical', nodes: [where], message: `${where}: the /status body is not valid JSON (${(err as Error).message}); starts with ${JSON.stringify(trimmed.slice(0, 60))}`, suggestions: [
      'a cut-off body means a truncated copy or a connection dropped mid-answer: fetch it again with curl -sS http://META:8091/status',
      'this is what makes influxd-ctl join fail with "unable to determine if ... is a meta node"',
    ]}, [row])
    return undefined
  }
  const r = await checkMetaStatus(json)
  if (!r.ok) {
    const error = typeof json === 'object' && json !== null && typeof (json as {error?: unknown}).error === 'string' ? (json as {error: string}).error : undefined
    problems.add({
      id: 'status-shape',
      severity: 'critical',
      nodes: [where],
      message: error === undefined
        ? `${where}: not a meta /status body: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
        : `${where}: an error body instead of /status: ${JSON.stringify(error)}`,
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
    problems.add({id: 'not-meta-node', severity: 'critical', nodes: [where], message: `${where}: nodeType is "${status.nodeType}", not "meta"`, suggestions: [
      'give the meta nodes\' HTTP addresses (host:8091); data nodes are found through /show-cluster',
    ]}, [row])
  }
  if (!row.joined) {
    problems.add({id: 'meta-not-joined', severity: mode === 'file' ? 'warning' : 'critical', nodes: [where], message: `${where}: not joined to a cluster (leader "", peers null)`, suggestions: [
      `from one meta node of the cluster: influxd-ctl add-meta ${status.httpAddr || where}`,
      'a fresh cluster needs add-meta for every meta node, including the one you run it on',
    ]}, [row])
  } else {
    const peers = status.peers ?? []
    if (status.leader === '') {
      problems.add({id: 'no-leader', severity: 'critical', nodes: [where], message: `${where}: has ${peers.length} peers but sees no leader (no Raft quorum)`, suggestions: [
        'more than half of the meta nodes must be up and reach each other on 8089: run medic status with every meta node',
        'journalctl -u influxdb-meta -n 100 | medic explain',
      ]}, [row])
    } else if (!peers.some((p) => sameAddr(p, status.leader))) {
      problems.add({id: 'leader-not-in-peers', severity: 'critical', nodes: [where], message: `${where}: its leader ${status.leader} is not in its peers [${peers.join(', ')}]`, suggestions: [
        'the node follows a leader of another cluster, or the leader advertises a different address than the peers know',
        `compare: curl -sS http://${status.leader.replace(/:\d+$/, `:${META_HTTP_PORT}`)}/status`,
      ]}, [row])
    }
    if (status.raftAddr !== '' && peers.length > 0 && !peers.some((p) => sameAddr(p, status.raftAddr))) {
      problems.add({id: 'self-not-in-peers', severity: 'warning', nodes: [where], message: `${where}: its own raftAddr ${status.raftAddr} is not in its peers [${peers.join(', ')}]`, suggestions: [
        'the node was added under another name (hostname changed after add-meta?): influxd-ctl show, then remove-meta / add-meta with the right name',
      ]}, [row])
    }
  }
  // Advertised addresses: the ones other nodes will dial.
  const advertised = [['httpAddr', status.httpAddr], ['raftAddr', status.raftAddr], ['leader', status.leader], ...(status.peers ?? []).map((p, i) => [`peers[${i}]`, p])] as Array<[string, string]>
  const reachedHost = reachedAs === undefined ? undefined : splitHostPort(reachedAs)[0]
  const loopback = advertised.filter(([field, v]) => {
    if (v === '' && field === 'leader') return false
    const [host] = splitHostPort(v)
    if (!isLoopbackHost(host)) return false
    // A laptop cluster reached on 127.0.0.1 and advertising 127.0.0.1 is consistent; the name "localhost" never is.
    return !(mode === 'live' && reachedHost !== undefined && isLoopbackHost(reachedHost) && host.toLowerCase() !== 'localhost' && sameAddr(host, reachedHost))
  })
  if (loopback.length > 0) {
    problems.add({id: 'loopback-advertised', severity: 'critical', nodes: [where], message: `${where}: advertises a loopback address (${loopback.map(([f, v]) => `${f} ${v}`).join(', ')}): other nodes cannot reach it there`, suggestions: [
      'set hostname = "<this node\'s name that every other node resolves>" in influxdb-meta.conf (or INFLUXDB_HOSTNAME) and restart influxd-meta',
      'never join nodes as localhost: influxd-ctl add-meta <real-name>:8091',
    ]}, [row])
  }
  const unroutable = advertised.filter(([field, v]) => !(v === '' && field === 'leader') && isUnroutableHost(splitHostPort(v)[0]))
  if (unroutable.length > 0) {
    problems.add({id: 'unroutable-advertised', severity: 'critical', nodes: [where], message: `${where}: advertises an address without a usable host (${unroutable.map(([f, v]) => `${f} "${v}"`).join(', ')})`, suggestions: [
      'set hostname in influxdb-meta.conf: the advertised addresses are hostname + the bind ports',
    ]}, [row])
  }
  if (mode === 'live' && reachedAs !== undefined && status.httpAddr !== '' && loopback.length === 0 && unroutable.length === 0) {
    const [ah, ap] = splitHostPort(status.httpAddr)
    const [rh, rp] = splitHostPort(reachedAs)
    if (ap !== rp || !sameAddr(ah, rh)) {
      const portDiffers = ap !== rp
      problems.add({id: 'address-mismatch', severity: portDiffers ? 'critical' : 'warning', nodes: [where], message: `${where}: reached as ${reachedAs} but advertises httpAddr ${status.httpAddr}${portDiffers ? ' (another port)' : ''}`, suggestions: portDiffers
        ? ['the port in [meta] http-bind-address differs from the one you reach: a port mapping (container, NAT) hides the real one; other nodes dial the advertised address']
        : [`check that ${ah} resolves to this node from every other node: getent hosts ${ah}`, 'if it does not, fix hostname in influxdb-meta.conf']}, [row])
    }
  }
}

/** Cluster-wide checks across the meta nodes that answered a valid /status. */
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
      'a split view means a partition on the Raft port (8089) or two clusters: check that every meta node reaches every other on 8089 (nc -zv META 8089)',
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
    problems.add({id: 'peers-disagree', severity: 'warning', nodes: joined.map((o) => o.row.address), message: `the meta nodes list different peers: ${[...peerSets.entries()].map(([k, rows]) => `${rows.map((r) => r.address).join(', ')}: [${k.split(',').join(', ')}]`).join('; ')}`, suggestions: [
      'a membership change in flight, or a node removed while down: influxd-ctl show on the leader, then remove-meta -force the stale entry',
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

function finishReport(rows: NodeRow[], problems: Problems, leader: string | undefined, showCluster?: StatusReport['showCluster']): StatusReport {
  for (const row of rows) {
    const own = problems.list.filter((p) => row.problems.includes(p.id) && p.nodes.includes(row.address))
    row.state = !row.checked ? 'unknown' : own.some((p) => p.severity === 'critical') ? 'fail' : own.length > 0 ? 'warning' : 'ok'
  }
  const critical = problems.list.filter((p) => p.severity === 'critical').length
  const warning = problems.list.length - critical
  const checked = rows.filter((r) => r.checked).length
  const state: NodeState = checked < rows.length || rows.length === 0 || showCluster?.error !== undefined ? 'unknown' : critical > 0 ? 'fail' : warning > 0 ? 'warning' : 'ok'
  return {
    state,
    leader,
    nodes: rows,
    problems: problems.list,
    showCluster,
    summary: {meta: rows.filter((r) => r.role === 'meta').length, data: rows.filter((r) => r.role === 'data').length, checked, unchecked: rows.length - checked, critical, warning},
  }
}

/** 4 when nothing could be checked, 3 when a critical problem was found, else 0 (warnings allowed). */
export function statusExitCode(report: StatusReport): ExitCodeValue {
  if (report.summary.checked === 0) return ExitCode.CANNOT_CHECK
  if (report.summary.critical > 0) return ExitCode.PROBLEMS
  return ExitCode.OK
}

// ------------------------------------------------------------------------------------------------ live probes

function newRow(address: string, url: string, role: NodeRow['role'], source: NodeRow['source']): NodeRow {
  return {address, url, role, source, reachable: false, checked: false, state: 'unknown', problems: []}
}

async function probeMeta(row: NodeRow, http: HttpOptions, problems: Problems): Promise<MetaObservation> {
  const url = `${row.url}/status`
  let raw
  try {
    raw = await getRaw(url, {...http, what: 'a meta node'})
  } catch (err) {
    if (!(err instanceof MedicError)) throw err
    if (err.code === 'http-too-large' || err.code === 'http-redirect-loop') {
      row.reachable = true
      row.checked = true
      problems.add({id: err.code === 'http-too-large' ? 'status-too-large' : 'redirect-loop', severity: 'critical', nodes: [row.address], message: err.message, suggestions: err.suggestions}, [row])
      return {row}
    }
    row.error = err.message
    problems.add({id: row.role === 'meta' ? 'meta-unreachable' : 'data-unreachable', severity: 'critical', nodes: [row.address], message: err.message, suggestions: err.suggestions}, [row])
    return {row}
  }
  row.reachable = true
  row.checked = true
  row.latencyMs = raw.durationMs
  row.httpStatus = raw.status
  const v = raw.headers['x-influxdb-version']
  if (typeof v === 'string' && v !== '') row.version = v
  const where = row.address
  if (raw.status === 503) {
    row.joined = false
    const msg = await errorMessageOf(raw.text)
    problems.add({id: 'meta-unavailable', severity: 'critical', nodes: [where], message: `${where}: /status answered 503${msg ? ` ${JSON.stringify(msg)}` : ''}: no Raft leader (not joined yet, or the cluster lost quorum)`, suggestions: [
      `if the node is new: influxd-ctl add-meta ${where}`,
      'otherwise more than half of the meta nodes must be up and reach each other on 8089',
    ]}, [row])
    return {row}
  }
  if (raw.status === 401 || raw.status === 403) {
    const msg = await errorMessageOf(raw.text)
    problems.add({id: 'meta-auth', severity: 'critical', nodes: [where], message: `${where}: /status answered ${raw.status}${msg ? ` ${JSON.stringify(msg)}` : ''}: [meta] auth-enabled needs credentials`, suggestions: [
      'medic status ... --username USER --password PASS (Basic), or --username USER --jwt-secret SHARED_SECRET (JWT)',
    ]}, [row])
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
    problems.add({id: 'status-http-error', severity: 'critical', nodes: [where], message: `${where}: /status answered HTTP ${raw.status}${msg ? ` ${JSON.stringify(msg)}` : ''}`, suggestions: [
      raw.status === 404 || raw.status === 400 ? 'is this a meta node (8091)? data nodes (8086) do not serve /status JSON' : 'look at the meta node\'s log: journalctl -u influxdb-meta -n 100',
      `curl -sS -i ${url}`,
    ]}, [row])
    return {row}
  }
  const status = await readStatusBody(raw.text, where, row, problems, String(raw.headers['content-type'] ?? ''))
  if (status) judgeMetaStatus(row, status, problems, 'live', hostPortOf(raw.finalUrl))
  return {row, status}
}

async function probeData(row: NodeRow, http: HttpOptions, problems: Problems): Promise<void> {
  try {
    const ping = await pingDataNode(row.url!, {...http, what: 'a data node'})
    row.reachable = true
    row.checked = true
    row.latencyMs = ping.durationMs
    row.httpStatus = ping.status
    if (ping.version) row.version = ping.version
    if (ping.build) row.build = ping.build
    if (ping.status !== 204 && ping.status !== 200) {
      problems.add({id: 'data-ping-status', severity: 'critical', nodes: [row.address], message: `${row.address}: data node /ping answered HTTP ${ping.status} (expected 204)`, suggestions: [
        'is the data node\'s [http] service up on this port? journalctl -u influxdb -n 100',
        `curl -sS -i ${row.url}/ping`,
      ]}, [row])
    } else if (ping.version === undefined) {
      problems.add({id: 'data-ping-no-version', severity: 'warning', nodes: [row.address], message: `${row.address}: /ping answered without X-Influxdb-Version: is this an InfluxDB data node?`, suggestions: [`curl -sS -i ${row.url}/ping`]}, [row])
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

/** Probes a cluster from the meta addresses given (host[:8091] or URLs). Never throws for unreachable nodes. */
export async function probeCluster(addresses: string[], options: StatusOptions = {}): Promise<StatusReport> {
  const http = options.http ?? {}
  const problems = new Problems()
  const rows: NodeRow[] = []
  const byAddress = new Map<string, NodeRow>()
  const observations: MetaObservation[] = []
  const addRow = (address: string, url: string, role: NodeRow['role'], source: NodeRow['source']): NodeRow | undefined => {
    const key = `${role}:${address.toLowerCase()}`
    if (byAddress.has(key)) return undefined
    const row = newRow(address, url, role, source)
    byAddress.set(key, row)
    rows.push(row)
    return row
  }
  let pending: NodeRow[] = []
  for (const a of addresses) {
    const url = normaliseBaseUrl(a, META_HTTP_PORT, 'ADDR')
    const row = addRow(hostPortOf(url), url, 'meta', 'given')
    if (row) pending.push(row)
  }
  let cluster: ShowCluster | undefined
  let showCluster: StatusReport['showCluster']
  const dataProbes: Array<Promise<void>> = []
  const maxRounds = options.maxRounds ?? 3
  for (let round = 0; pending.length > 0 && round < maxRounds; round++) {
    observations.push(...(await Promise.all(pending.map((r) => probeMeta(r, http, problems)))))
    pending = []
    const joined = observations.filter((o) => o.status !== undefined && o.row.joined)
    if (cluster === undefined && joined.length > 0) {
      const source = joined.find((o) => o.row.isLeader) ?? joined[0]
      try {
        const res = await getJson(`${source.row.url}/show-cluster`, {...http, what: 'a meta node'})
        cluster = await parseShowCluster(res.body, `${source.row.url}/show-cluster`)
        showCluster = {from: source.row.address}
      } catch (err) {
        if (!(err instanceof MedicError)) throw err
        showCluster = {from: source.row.address, error: err.message}
        problems.add({id: 'show-cluster-unavailable', severity: 'warning', nodes: [source.row.address], message: `${err.message}: the data nodes were not checked`, suggestions: err.suggestions})
      }
      if (cluster) {
        for (const d of cluster.data) {
          const url = normaliseBaseUrl(`${d.httpScheme || 'http'}://${d.httpAddr}`, 8086, 'httpAddr')
          const row = addRow(d.httpAddr, url, 'data', 'show-cluster')
          if (!row) continue
          row.id = d.id
          if (!d.version) {
            problems.add({id: 'data-silent', severity: 'warning', nodes: [row.address], message: `${row.address}: data node ${d.id} has not announced itself (blank version in /show-cluster): down, or cut off from the meta nodes`, suggestions: [
              'influxd-ctl show lists it with a blank Version too; check the node and its connectivity to the meta nodes on 8091',
            ]}, [row])
          } else {
            row.version = d.version
          }
          dataProbes.push(probeData(row, http, problems))
        }
        for (const m of cluster.meta) {
          const known = rows.find((r) => r.role === 'meta' && sameAddr(r.address, m.addr))
          if (known) {
            known.id = m.id
            known.version ??= m.version || undefined
          }
        }
      }
    }
    // Meta nodes not given: the peers (Raft addresses) and /show-cluster's meta list.
    const knownRaft = new Set(observations.map((o) => o.row.raftAddr?.toLowerCase()).filter((v): v is string => v !== undefined))
    for (const o of joined) {
      for (const peer of o.status!.peers ?? []) {
        if (knownRaft.has(peer.toLowerCase())) continue
        const [host] = splitHostPort(peer)
        if (isLoopbackHost(host) && !isLoopbackHost(splitHostPort(o.row.address)[0])) continue // reported, not dialled
        if (isUnroutableHost(host)) continue
        const {address, scheme} = metaHttpAddrForPeer(peer, o.row.address, cluster)
        const url = normaliseBaseUrl(`${scheme || new URL(o.row.url!).protocol.replace(':', '')}://${address}`, META_HTTP_PORT, 'peer')
        const row = addRow(hostPortOf(url), url, 'meta', 'peers')
        knownRaft.add(peer.toLowerCase())
        if (row) {
          row.raftAddr = peer
          pending.push(row)
        } else {
          // The guess (peer host + the HTTP port used) is a node already probed under another Raft address.
          problems.add({id: 'peer-not-probed', severity: 'warning', nodes: [o.row.address], message: `${o.row.address}: peer ${peer} could not be mapped to a meta HTTP address (not in /show-cluster; ${hostPortOf(url)} is another node), so it was not checked`, suggestions: [
            `give its HTTP address too: medic status ${o.row.address} ${splitHostPort(peer)[0]}:${META_HTTP_PORT}`,
          ]})
        }
      }
    }
    for (const m of cluster?.meta ?? []) {
      const url = normaliseBaseUrl(`${m.httpScheme || 'http'}://${m.addr}`, META_HTTP_PORT, 'addr')
      const row = addRow(hostPortOf(url), url, 'meta', 'show-cluster')
      if (row) {
        row.id = m.id
        pending.push(row)
      }
    }
  }
  await Promise.all(dataProbes)
  for (const row of rows.filter((r) => r.role === 'meta' && r.version === undefined)) {
    const m = cluster?.meta.find((n) => sameAddr(n.addr, row.address))
    if (m?.version) row.version = m.version
  }
  const leader = judgeCluster(observations, problems)
  for (const o of observations) if (o.row.isLeader === undefined && leader !== undefined) o.row.isLeader = false
  const versions = new Set(rows.map((r) => r.version).filter((v): v is string => v !== undefined))
  if (versions.size > 1) {
    problems.add({id: 'versions-differ', severity: 'warning', nodes: rows.filter((r) => r.version !== undefined).map((r) => r.address), message: `the nodes run different versions: ${[...versions].sort().join(', ')}`, suggestions: [
      'fine during a rolling upgrade (meta nodes first, then data nodes one at a time); otherwise upgrade the stragglers',
    ]})
  }
  return finishReport(rows, problems, leader, showCluster)
}

// ------------------------------------------------------------------------------------------------ offline

/** Runs the same checks on saved /status bodies (files; "-" is not supported). Unreadable files: exit 4. */
export async function checkStatusFiles(paths: string[], maxBytes = DEFAULT_MAX_RESPONSE_BYTES): Promise<StatusReport> {
  const problems = new Problems()
  const rows: NodeRow[] = []
  const observations: MetaObservation[] = []
  for (const path of paths) {
    const row: NodeRow = {address: path, role: 'meta', source: 'file', reachable: false, checked: true, state: 'unknown', problems: []}
    rows.push(row)
    let text: string
    try {
      const st = await stat(path)
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      if (st.size > maxBytes) {
        problems.add({id: 'status-too-large', severity: 'critical', nodes: [path], message: `${path}: ${st.size} bytes, over the ${maxBytes}-byte limit: not a /status body (those are a few hundred bytes)`, suggestions: [
          'a meta /status answer is one small JSON object: the saved file is something else (a log, a dump)',
        ]}, [row])
        observations.push({row})
        continue
      }
      text = await readFile(path, 'utf8')
    } catch (err) {
      throw fileError(path, err)
    }
    const status = await readStatusBody(text, path, row, problems)
    if (status) judgeMetaStatus(row, status, problems, 'file')
    observations.push({row, status})
  }
  const leader = judgeCluster(observations, problems)
  return finishReport(rows, problems, leader)
}
