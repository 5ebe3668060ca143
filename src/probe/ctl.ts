/**
 * `medic ctl show`: a read-only /show-cluster (+ /status Raft view) from one meta node, validated before it is
 * rendered, and the layout of `influxd-ctl show` of the cluster's era chosen from the versions the nodes announce
 * (enterprise-1x.md §3.3): 1.0 (no versions), 1.1-1.9.1 (Version column), 1.9.2+ (Labels, meta ids), 1.10+ (HTTP and
 * Raft addresses, Passive, and a Raft Status section). No oclif import.
 */
import {MedicError} from '../errors.js'
import {formatShortDurationMs} from '../util/duration.js'
import {isPlainHostPort} from '../util/hostport.js'
import {decideOutcome, type Outcome} from '../util/outcome.js'
import {checkMetaStatus, parseShowCluster, type ShowCluster, type ShowClusterDataNode, type ShowClusterMetaNode} from '../wire/schemas.js'
import {getJson, type HttpOptions, normaliseBaseUrl} from './http.js'
import {META_HTTP_PORT} from './status.js'

export const CTL_LAYOUTS = ['1.0', '1.1', '1.9.2', '1.10'] as const
export type CtlLayout = (typeof CTL_LAYOUTS)[number]

export interface CtlFinding {
  id: string
  severity: 'warning' | 'critical'
  message: string
}

export interface CtlShow {
  meta: ShowClusterMetaNode[]
  data: ShowClusterDataNode[]
  /** The meta node asked (base URL). */
  from: string
  /** Leader and peers from the meta node's /status (Raft addresses); null when it could not be read. */
  raft: {leader: string; peers: string[] | null} | null
  raftError?: string
  /** The influxd-ctl layout rendered, and why that one. */
  layout: CtlLayout
  layoutReason: string
  /** The version the layout was chosen from, when one was announced. */
  version?: string
  findings: CtlFinding[]
  verdict: Outcome['verdict']
  exitCode: Outcome['exitCode']
  complete: boolean
}

export interface CtlShowOptions {
  http?: HttpOptions
  /** Deadline of the whole run (--timeout); each request also has http.timeoutMs. */
  runTimeoutMs?: number
  /** A layout chosen by the operator instead of the one of the announced versions. */
  layout?: CtlLayout
  /** The command line for hints ("medic ctl show meta-1:8091"), already quoted. */
  command?: string
}

/** [major, minor, patch] of an Enterprise version string: the cluster version after "-c" when there is one. */
export function enterpriseVersion(v: string): [number, number, number] | undefined {
  const cluster = /-c(v?\d+\.\d+(?:\.\d+)?)/.exec(v)?.[1] ?? v
  const m = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?/.exec(cluster.trim())
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined
}

/** The influxd-ctl show layout of a release. */
export function layoutFor(v: [number, number, number]): CtlLayout {
  const [a, b, c] = v
  const n = a * 1_000_000 + b * 1000 + c
  if (n >= 1_010_000) return '1.10'
  if (n >= 1_009_002) return '1.9.2'
  if (n >= 1_001_000) return '1.1'
  return '1.0'
}

function chooseLayout(asked: string | undefined, meta: ShowClusterMetaNode[], base: string): {layout: CtlLayout; reason: string; version?: string} {
  const askedHost = new URL(base).host.toLowerCase()
  const candidates: Array<[string | undefined, string]> = [
    [asked, 'the meta node asked announces'],
    [meta.find((m) => m.addr.toLowerCase() === askedHost)?.version, '/show-cluster lists the meta node asked with'],
  ]
  const counts = new Map<string, number>()
  for (const m of meta) if (m.version && enterpriseVersion(m.version)) counts.set(m.version, (counts.get(m.version) ?? 0) + 1)
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
  candidates.push([common, 'most meta nodes announce'])
  for (const [v, why] of candidates) {
    const parsed = v === undefined || v === '' ? undefined : enterpriseVersion(v)
    if (parsed) return {layout: layoutFor(parsed), reason: `${why} ${v}`, version: v}
  }
  return {layout: '1.10', reason: 'no node announces a version: the newest layout (choose another with --layout)'}
}

/** Reads /show-cluster (exit 4 when it cannot, or when the answer is not a cluster view) and /status from one meta node. */
export async function ctlShow(address: string, options: CtlShowOptions = {}): Promise<CtlShow> {
  const base = normaliseBaseUrl(address, META_HTTP_PORT, 'ADDR', 'medic ctl show')
  const http = options.http ?? {}
  const runMs = options.runTimeoutMs ?? 15_000
  const per = http.timeoutMs ?? 5000
  const byRun = runMs < per
  const command = options.command
  const opts: HttpOptions = {
    ...http,
    timeoutMs: Math.min(per, runMs),
    what: 'a meta node',
    service: 'meta',
    hints: command === undefined ? undefined : {
      moreTime: byRun
        ? `${command} --timeout ${formatShortDurationMs(Math.max(30_000, 2 * runMs))}`
        : `${command} --http-timeout ${formatShortDurationMs(Math.max(30_000, 2 * per))} --timeout ${formatShortDurationMs(Math.max(60_000, 4 * per))}`,
      credentials: `${command} --username USER --password PASSWORD   (or --username USER --jwt-secret SHARED_SECRET)`,
      deadline: byRun ? `--timeout ${formatShortDurationMs(runMs)}` : '--http-timeout',
    },
  }
  const [clusterRes, status] = await Promise.all([
    getJson(`${base}/show-cluster`, opts).then(async (r) => ({cluster: await parseShowCluster(r.body, `${base}/show-cluster`), version: r.headers['x-influxdb-version']})),
    getJson(`${base}/status`, opts).then(async (r) => ({check: await checkMetaStatus(r.body), version: r.headers['x-influxdb-version']})).catch((err: unknown) => {
      if (err instanceof MedicError) return {error: err.message}
      throw err
    }),
  ])
  const {cluster} = clusterRes
  let raft: CtlShow['raft'] = null
  let raftError: string | undefined
  if ('error' in status) raftError = status.error
  else if (status.check.ok) raft = {leader: status.check.status.leader, peers: status.check.status.peers}
  else raftError = `${base}/status: not a meta /status body (${status.check.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')})`
  const headerVersion = [clusterRes.version, 'version' in status ? status.version : undefined].find((v): v is string => typeof v === 'string' && v !== '')
  return buildCtlShow({base, cluster, raft, raftError, headerVersion, layout: options.layout})
}

/**
 * The view `ctl show` renders, from what the meta node answered: the layout of its era, and findings about what would
 * be shown (addresses no node can dial, duplicate ids). Pure: fuzzed in test/probe/fuzz.test.ts.
 */
export function buildCtlShow(input: {base: string; cluster: ShowCluster; raft: CtlShow['raft']; raftError?: string; headerVersion?: string; layout?: CtlLayout}): CtlShow {
  const {base, cluster, raft, raftError} = input
  const chosen = chooseLayout(input.headerVersion, cluster.meta, base)
  const layout = input.layout ?? chosen.layout
  const findings: CtlFinding[] = []
  let bad = 0
  const badAddress = (what: string, value: string | undefined) => {
    if (value === undefined || value === '' || isPlainHostPort(value)) return
    if (++bad <= 10) findings.push({id: 'bad-address', severity: 'critical', message: `${what} is ${JSON.stringify(value.slice(0, 100))}, which is not a host:port any node can dial`})
  }
  for (const d of cluster.data) {
    badAddress(`data node ${d.id}'s TCP address`, d.tcpAddr)
    badAddress(`data node ${d.id}'s HTTP address`, d.httpAddr)
  }
  for (const m of cluster.meta) {
    badAddress(`meta node ${m.id}'s HTTP address`, m.addr)
    badAddress(`meta node ${m.id}'s Raft address`, m.tcpAddr)
  }
  if (raft !== null) {
    badAddress('the Raft leader', raft.leader)
    for (const p of raft.peers ?? []) badAddress('a Raft peer', p)
  }
  if (bad > 10) findings.push({id: 'bad-address', severity: 'critical', message: `and ${bad - 10} more addresses no node can dial`})
  const ids = new Map<number, number>()
  for (const n of [...cluster.data, ...cluster.meta]) ids.set(n.id, (ids.get(n.id) ?? 0) + 1)
  const dup = [...ids.entries()].filter(([, c]) => c > 1).map(([id]) => id)
  if (dup.length > 0) findings.push({id: 'duplicate-id', severity: 'critical', message: `node id${dup.length === 1 ? '' : 's'} ${dup.slice(0, 10).join(', ')}${dup.length > 10 ? ` and ${dup.length - 10} more` : ''} appear${dup.length === 1 ? 's' : ''} more than once: meta and data nodes share one id sequence`})
  // The Raft Status section exists from 1.10 on: only then is a missing /status a gap in what is shown.
  const raftShown = layout === '1.10'
  const outcome = decideOutcome({findings, checked: 1 + (raftShown && raft !== null ? 1 : 0), unchecked: raftShown && raft === null ? 1 : 0})
  return {
    from: base,
    data: [...cluster.data].sort((a, b) => a.id - b.id),
    meta: [...cluster.meta].sort((a, b) => a.id - b.id),
    raft,
    ...(raftError === undefined ? {} : {raftError}),
    layout,
    layoutReason: input.layout === undefined ? chosen.reason : `--layout ${input.layout}`,
    ...(chosen.version === undefined ? {} : {version: chosen.version}),
    findings,
    verdict: outcome.verdict,
    exitCode: outcome.exitCode,
    complete: outcome.complete,
  }
}
