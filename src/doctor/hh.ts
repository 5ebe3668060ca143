/**
 * The hinted-handoff area of `medic doctor`: the samples (a local hh directory, or data nodes' /debug/vars, read by
 * hh/sampler.ts as `medic hh watch` reads them) go through `hh watch`'s monitor (hh/monitor.ts, hh/analytics.ts),
 * and each destination node of each source becomes a finding when it needs action: stalled or blocked (critical),
 * growing or retrying (warning), slow enough to lose data to max-age (warning). A queue that holds data and showed
 * no delivery in the short time doctor watched is a warning of its own (`hh-pending`: writes to that node are failing,
 * or were); a queue draining normally is information, with its ETA.
 */
import {formatBytes} from '../config/values.js'
import {formatSpan, verdictSeverity} from '../hh/analytics.js'
import {HhMonitor, type NodeRow, runVerdict, type Snapshot} from '../hh/monitor.js'
import type {Sample} from '../hh/sampler.js'
import type {HhSettings} from '../hh/settings.js'
import {decideOutcome} from '../util/outcome.js'
import {hhWatchCommand} from './next.js'
import type {Draft} from './probes.js'
import type {Access, AreaReport} from './types.js'

export interface HhAreaInput {
  samples: Sample[]
  settings: HhSettings
  /** Destination node id -> host:port (from /show-cluster). */
  hosts: Map<string, string>
  access: Access
  /** A meta node for `--meta` in suggested commands. */
  meta?: string
  /** Why there is nothing to sample, when there is nothing. */
  nothing?: string
  /** The data node ids /show-cluster lists; undefined when it could not be read (then no queue is called orphaned). */
  clusterNodes?: Set<string>
}

export function hhArea(input: HhAreaInput): {area: AreaReport; findings: Draft[]; snapshot?: Snapshot} {
  const {samples, settings} = input
  if (samples.length === 0 || samples[0].sources.length === 0) {
    const why = input.nothing ?? 'no hinted-handoff source (no data node found, no --hh or --hh-url)'
    return {area: {area: 'hh', verdict: 'unknown', checked: 0, unchecked: 1, summary: `not checked: ${why}`, notChecked: [why]}, findings: []}
  }
  const monitor = new HhMonitor({settings, window: Math.max(2, samples.length), hosts: input.hosts})
  let snap: Snapshot | undefined
  for (const s of samples) snap = monitor.add(s)
  const snapshot = snap!
  const kinds = new Map(samples[0].sources.map((s) => [s.source, s.kind]))
  const findings: Draft[] = []
  for (const n of snapshot.nodes) findings.push(...nodeFindings(n, kinds.get(n.source) ?? 'http', input, samples.length))
  for (const f of snapshot.findings) {
    if (f.severity === 'unknown') continue // counted as unchecked by runVerdict
    findings.push({
      id: f.code, area: 'hh', severity: f.severity, node: f.node === undefined ? null : `node ${f.node}${f.shard ? ` shard ${f.shard}` : ''}`,
      title: f.message, evidence: f.path === undefined ? [] : [`path: ${f.path}`], next: null, hints: [],
    })
  }
  const verdict = runVerdict(snapshot)
  const notChecked = [
    ...snapshot.sources.filter((s) => !s.ok).map((s) => s.error?.message ?? `${s.source}: not read`),
    ...snapshot.findings.filter((f) => f.severity === 'unknown').map((f) => f.message),
  ]
  const outcome = decideOutcome({findings, checked: verdict.outcome.checked, unchecked: verdict.outcome.unchecked})
  const counts = Object.entries(snapshot.totals.verdicts).map(([v, n]) => `${v} ${n}`).join(', ')
  const okSources = snapshot.sources.filter((s) => s.ok).length
  return {
    area: {
      area: 'hh',
      verdict: outcome.verdict,
      checked: outcome.checked,
      unchecked: outcome.unchecked,
      summary: `${okSources}/${snapshot.sources.length} source${snapshot.sources.length === 1 ? '' : 's'} read, ${snapshot.totals.queues} queue${snapshot.totals.queues === 1 ? '' : 's'} to ${snapshot.totals.nodes} node${snapshot.totals.nodes === 1 ? '' : 's'}, ${formatBytes(snapshot.totals.pendingBytes)} pending${counts === '' ? '' : ` (${counts})`}; max-size ${formatBytes(settings.maxSizeBytes)}, max-age ${formatSpan(settings.maxAgeMs)} (${settings.maxSizeSource === settings.maxAgeSource ? settings.maxSizeSource : `${settings.maxSizeSource}, ${settings.maxAgeSource}`})`,
      notChecked,
    },
    findings,
    snapshot,
  }
}

function nodeFindings(n: NodeRow, kind: 'dir' | 'http', input: HhAreaInput, samples: number): Draft[] {
  const a = n.analysis
  const label = `${n.source} -> node ${n.node}${n.host === null ? '' : ` (${n.host})`}`
  const evidence = [
    `${formatBytes(n.pendingBytes)} to send in ${n.queues} shard queue${n.queues === 1 ? '' : 's'}; ${formatBytes(n.diskBytes)} on disk, ${pct(n.diskBytes / input.settings.maxSizeBytes)} of max-size ${formatBytes(input.settings.maxSizeBytes)}`,
    `${samples} sample${samples === 1 ? '' : 's'} over ${formatSpan(a.windowMs)}: ${rates(a)}`,
  ]
  if (a.eta) evidence.push(`empty in about ${formatSpan(a.eta.inMs)} (between ${formatSpan(a.eta.lowMs)} and ${a.eta.highMs === null ? 'never' : formatSpan(a.eta.highMs)}), at ${a.eta.at}`)
  if (a.full) evidence.push(a.full.inMs <= 0 ? 'at max-size now: writes for this node fail with "queue is full"' : `reaches max-size in about ${formatSpan(a.full.inMs)} (at ${a.full.at}): then writes for this node fail with "queue is full"`)
  if (a.maxAge) evidence.push(`the oldest pending data reaches max-age ${a.maxAge.inMs <= 0 ? 'now' : `in ${formatSpan(a.maxAge.inMs)}`} (at ${a.maxAge.at})${a.maxAge.lossExpected ? ': it will be dropped before the queue is empty' : ''}`)
  if (a.retry) evidence.push(`nothing delivered for ${formatSpan(a.retry.quietMs)}${a.retry.failedSends === null ? '' : `, ${a.retry.failedSends} failed send${a.retry.failedSends === 1 ? '' : 's'}`}`)
  const next = hhWatchCommand({kind, source: n.source}, input.meta, input.access)
  const links = {towards: {ids: [n.node], addresses: n.host === null ? [] : [n.host], why: 'the queue\'s destination'}}
  if (input.clusterNodes !== undefined && !input.clusterNodes.has(n.node) && n.pendingBytes > 0) {
    // A destination the cluster no longer lists (removed with remove-data while others held hints for it): its queue
    // can never be delivered, whatever the verdict says about its rate.
    return [{
      id: 'hh-queue-for-removed-node', area: 'hh', severity: 'critical', node: label,
      title: `${label}: ${formatBytes(n.pendingBytes)} queued for node ${n.node}, which is not a data node of the cluster (not in /show-cluster): it will never be delivered, and those points are missing from that node's shards`,
      evidence: [...evidence, `the cluster's data nodes: ${[...input.clusterNodes].slice(0, 20).join(', ') || 'none'}`],
      next: 'influxd-ctl show', nextOn: 'a meta node',
      hints: [
        'if the node was removed on purpose (remove-data), its shards were reassigned: copy the missing points from another owner, then delete this queue directory on the source node',
        'if it was removed by mistake, add it back (influxd-ctl add-data) and the queue drains',
      ],
    }]
  }
  const sev = verdictSeverity(a)
  if (sev === 'critical' || sev === 'warning') {
    return [{
      id: `queue-${a.verdict}`, area: 'hh', severity: sev, node: label,
      title: `${label}: ${a.verdict}: ${a.reason}`, evidence, next,
      hints: hintsFor(a.verdict), links,
    }]
  }
  if (a.verdict === 'unknown' && n.pendingBytes > 0) {
    return [{
      id: 'hh-pending', area: 'hh', severity: 'warning', node: label,
      title: `${label}: ${formatBytes(n.pendingBytes)} queued for node ${n.node}${n.host === null ? '' : ` (${n.host})`}, and ${a.windowMs > 0 ? `no delivery in the ${formatSpan(a.windowMs)} doctor watched` : 'one sample cannot show a delivery'}: writes to that node fail from ${n.source}, or failed until recently`,
      evidence: [...evidence, a.reason], next,
      hints: ['is the destination up, and can this node reach it on its cluster port (8088)? influxd-ctl show lists it', 'watch longer to tell retrying from stalled and to get an ETA (the next command)'], links,
    }]
  }
  if (n.pendingBytes > 0 && (a.verdict === 'draining' || a.verdict === 'slow')) {
    return [{id: `queue-${a.verdict}`, area: 'hh', severity: 'info', node: label, title: `${label}: ${a.verdict}: ${a.reason}`, evidence, next, hints: [], links}]
  }
  return []
}

function hintsFor(verdict: string): string[] {
  switch (verdict) {
    case 'blocked':
      return ['writes for the destination fail with "queue is full" until the queue drains below max-size: bring the destination back, or raise [hinted-handoff] max-size if the disk allows']
    case 'stalled':
      return ['the destination is down, unreachable from this node on its cluster port (8088), or refuses the writes: check it, then watch the queue drain']
    case 'retrying':
      return ['hinted handoff backs off after failed sends (up to retry-max-interval): the destination was down or unreachable at the last attempt']
    case 'growing':
      return ['the destination accepts writes more slowly than they arrive: check its load and the network between the nodes']
    default:
      return ['the queue will not be empty before max-age: the oldest points will be dropped; bring the destination back or raise max-age']
  }
}

function rates(a: NodeRow['analysis']): string {
  const parts: string[] = []
  if (a.netRate !== null) parts.push(`net ${signedRate(a.netRate)}`)
  if (a.sentRate !== null) parts.push(`delivered ${rate(a.sentRate)}`)
  if (a.ingestRate !== null) parts.push(`arriving ${rate(a.ingestRate)}`)
  return parts.length === 0 ? 'no rate yet (one sample)' : parts.join(', ')
}

function rate(bps: number): string {
  return `${formatBytes(Math.round(Math.abs(bps)))}/s`
}

function signedRate(bps: number): string {
  return `${bps > 0 ? '+' : bps < 0 ? '-' : ''}${rate(bps)}`
}

function pct(f: number): string {
  return `${(f * 100).toFixed(f < 0.01 ? 2 : 1)}%`
}
