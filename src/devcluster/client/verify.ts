/**
 * `medic dev verify`: do the owners of each shard hold the same points? The convergence check operators cannot make on
 * a real cluster. The shard list and owners come from a meta node's GET /show-shards; each data node is asked once,
 * over its cluster RPC port, for digests of the shards it owns (whole shard and per series, computed in a fixed order,
 * see data/cluster-rpc.ts shardDigest), so no points travel. Owners that agree are equal; a shard whose owners differ
 * names the series that differ and how many values each owner holds; an owner that cannot be asked leaves its shards
 * unchecked (exit 4, never a silent OK). Hinted-handoff bytes still queued for an owner are read from the other data
 * nodes' /debug/vars, because a queue that has not drained explains a difference.
 */
import {ExitCode} from '../../errors.js'
import {decideOutcome, type Outcome} from '../../util/outcome.js'
import {shellQuote} from '../../util/text.js'
import {adminAuthHeaders, type ClusterState, dataNodes, metaNodes} from '../cluster/state.js'
import {createNodeHttpClient, jsonOf} from '../node/http-client.js'
import type {ShardDigest} from '../node/rpc/frame.js'
import {hintedHandoffBytes} from './hh-vars.js'

export interface OwnerView {
  nodeId: number
  /** data-k when the node is one of this cluster's, else its address. */
  name: string
  tcpAddr: string
  present: boolean | null
  values: number | null
  series: number | null
  error?: string
}

export interface SeriesDifference {
  series: string
  /** Owner node id -> values of this series it holds (0 = none). */
  values: Record<string, number>
}

export interface ShardVerdict {
  id: number
  database: string
  retentionPolicy: string
  owners: OwnerView[]
  /** equal: every owner holds the same points; single: one owner, nothing to compare; differs; unchecked. */
  status: 'equal' | 'single' | 'differs' | 'unchecked'
  /** The first differing series (at most 20), when the owners differ. */
  differences: SeriesDifference[]
  differingSeries: number
}

export interface VerifyFinding {
  severity: 'warning' | 'info'
  message: string
}

export interface VerifyResult {
  dir: string
  database: string | null
  shards: ShardVerdict[]
  /** Bytes still queued in hinted handoff, by destination node id (from the data nodes' /debug/vars). */
  hintedHandoff: Record<string, number>
  findings: VerifyFinding[]
  summary: {shards: number; equal: number; single: number; differs: number; unchecked: number}
  outcome: Outcome
  suggestions: string[]
}

interface ShowShardsRow {
  id: number
  database: string
  'retention-policy': string
  owners: Array<{id: number; tcpAddr: string}>
}

export async function verifyCluster(state: ClusterState, options: {database?: string; timeoutMs?: number} = {}): Promise<VerifyResult> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const http = createNodeHttpClient({userAgent: 'influx-medic'})
  const [{RpcClient}, {decodeMessage, encodeMessage, MsgType}] = await Promise.all([import('../node/rpc/client.js'), import('../node/rpc/frame.js')])
  const rpc = new RpcClient({maxConnections: 2, maxIdle: 0})
  const names = new Map(dataNodes(state).map((n) => [n.rpcAddr, n.name]))
  const findings: VerifyFinding[] = []
  try {
    // The shard map, from the first meta node that answers.
    let rows: ShowShardsRow[] | undefined
    let metaError = 'no meta node in the cluster'
    for (const m of metaNodes(state)) {
      try {
        const r = await http.get(`http://${m.httpAddr}/show-shards`, {timeoutMs, headers: adminAuthHeaders(state), maxRedirects: 2})
        if (r.status !== 200) throw new Error(`HTTP ${r.status} ${r.text.trim().slice(0, 120)}`)
        const doc = jsonOf(r)
        if (!Array.isArray(doc)) throw new Error('GET /show-shards did not answer a list')
        rows = doc as ShowShardsRow[]
        break
      } catch (err) {
        metaError = `${m.name}: ${err instanceof Error ? err.message : String(err)}`
      }
    }
    if (rows === undefined) {
      const result = emptyResult(state, options.database)
      result.findings.push({severity: 'warning', message: `the shard map could not be read from any meta node (${metaError})`})
      result.outcome = decideOutcome({findings: [], checked: 0, unchecked: 1})
      result.suggestions.push(`see the nodes: medic dev status --dir ${state.dir}`)
      return result
    }
    if (options.database !== undefined) rows = rows.filter((r) => r.database === options.database)

    // One digest request per owner for all its shards.
    const byOwner = new Map<string, number[]>()
    for (const r of rows) for (const o of r.owners) byOwner.set(o.tcpAddr, [...(byOwner.get(o.tcpAddr) ?? []), r.id])
    const digests = new Map<string, Map<number, ShardDigest> | string>()
    await Promise.all([...byOwner].map(async ([addr, ids]) => {
      if (addr === '') {
        digests.set(addr, 'the meta store has no address for this owner')
        return
      }
      try {
        const f = await rpc.call(addr, MsgType.ShardDigestRequest, encodeMessage({shardIds: ids}), {timeoutMs})
        const {header} = decodeMessage<{code?: number; message?: string; shards?: ShardDigest[]}>(f.body)
        if (header.code !== 0 || !Array.isArray(header.shards)) throw new Error(header.message || 'no digests in the answer')
        digests.set(addr, new Map(header.shards.map((d) => [d.id, d])))
      } catch (err) {
        digests.set(addr, err instanceof Error ? err.message : String(err))
      }
    }))

    const shards: ShardVerdict[] = rows.map((r) => {
      const owners: OwnerView[] = []
      const got: Array<{owner: OwnerView; d: ShardDigest}> = []
      for (const o of r.owners) {
        const name = names.get(o.tcpAddr) ?? (o.tcpAddr || `node ${o.id}`)
        const entry = digests.get(o.tcpAddr)
        if (entry === undefined || typeof entry === 'string') {
          owners.push({nodeId: o.id, name, tcpAddr: o.tcpAddr, present: null, values: null, series: null, error: entry ?? 'not asked'})
          continue
        }
        const d = entry.get(r.id) ?? {id: r.id, present: false, series: 0, values: 0, digest: '', perSeries: {}}
        const owner = {nodeId: o.id, name, tcpAddr: o.tcpAddr, present: d.present, values: d.values, series: d.series}
        owners.push(owner)
        got.push({owner, d})
      }
      const base = {id: r.id, database: r.database, retentionPolicy: r['retention-policy'], owners, differences: [] as SeriesDifference[], differingSeries: 0}
      if (got.length < owners.length) return {...base, status: 'unchecked' as const}
      if (owners.length <= 1) return {...base, status: 'single' as const}
      const first = got[0].d.present ? got[0].d.digest : ''
      if (got.every(({d}) => (d.present ? d.digest : '') === first)) return {...base, status: 'equal' as const}
      const keys = new Set(got.flatMap(({d}) => Object.keys(d.perSeries)))
      const differing: SeriesDifference[] = []
      for (const k of [...keys].sort()) {
        const seen = got.map(({d}) => d.perSeries[k])
        if (seen.every((x) => x !== undefined && x[1] === seen[0]?.[1])) continue
        differing.push({series: k, values: Object.fromEntries(got.map(({owner, d}) => [String(owner.nodeId), d.perSeries[k]?.[0] ?? 0]))})
      }
      return {...base, status: 'differs' as const, differences: differing.slice(0, 20), differingSeries: differing.length}
    })

    const hintedHandoff: Record<string, number> = {}
    for (const per of await Promise.all(dataNodes(state).map((n) => hintedHandoffBytes(http, n.httpAddr, adminAuthHeaders(state), timeoutMs)))) {
      for (const [node, bytes] of Object.entries(per ?? {})) hintedHandoff[node] = (hintedHandoff[node] ?? 0) + bytes
    }
    for (const s of shards.filter((x) => x.status === 'differs')) {
      const counts = s.owners.map((o) => `${o.name} ${o.values ?? '?'}`).join(', ')
      findings.push({severity: 'warning', message: `shard ${s.id} (${s.database}.${s.retentionPolicy}): owners differ in ${s.differingSeries} series (values: ${counts})`})
    }
    for (const s of shards.filter((x) => x.status === 'unchecked')) {
      const why = s.owners.filter((o) => o.error !== undefined).map((o) => `${o.name}: ${o.error}`).join('; ')
      findings.push({severity: 'info', message: `shard ${s.id} (${s.database}.${s.retentionPolicy}) not compared: ${why}`})
    }
    const queued = Object.entries(hintedHandoff).filter(([, bytes]) => bytes > 0)
    for (const [node, bytes] of queued) findings.push({severity: 'info', message: `hinted handoff still holds ${bytes} bytes for node ${node}: the shards it owns converge once that drains`})
    const summary = {
      shards: shards.length,
      equal: shards.filter((s) => s.status === 'equal').length,
      single: shards.filter((s) => s.status === 'single').length,
      differs: shards.filter((s) => s.status === 'differs').length,
      unchecked: shards.filter((s) => s.status === 'unchecked').length,
    }
    const outcome = decideOutcome({findings, checked: summary.equal + summary.single + summary.differs, unchecked: summary.unchecked})
    const suggestions: string[] = []
    const dirFlag = ` --dir ${shellQuote(state.dir)}`
    if (summary.differs > 0 && queued.length > 0) {
      const node = dataNodes(state)[0]
      if (node) suggestions.push(`wait for the queues to drain, then verify again: medic hh wait --url http://${node.httpAddr} && medic dev verify${dirFlag}`)
    }
    if (summary.unchecked > 0) suggestions.push(`see which nodes are down: medic dev status${dirFlag}`)
    if (shards.length === 0) {
      findings.push({severity: 'info', message: options.database === undefined ? 'the cluster has no shards yet (nothing written)' : `database ${options.database} has no shards`})
    }
    return {dir: state.dir, database: options.database ?? null, shards, hintedHandoff, findings, summary, outcome: shards.length === 0 ? {...outcome, verdict: 'ok', exitCode: ExitCode.OK, complete: true} : outcome, suggestions}
  } finally {
    rpc.close()
    await http.close()
  }
}

function emptyResult(state: ClusterState, database: string | undefined): VerifyResult {
  return {
    dir: state.dir, database: database ?? null, shards: [], hintedHandoff: {}, findings: [],
    summary: {shards: 0, equal: 0, single: 0, differs: 0, unchecked: 0}, outcome: decideOutcome({findings: [], checked: 0, unchecked: 0}), suggestions: [],
  }
}


