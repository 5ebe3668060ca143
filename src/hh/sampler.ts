/**
 * Samples of hinted-handoff queues over time, from either
 *   - a directory: a scan (scan.ts) per sample; consecutive scans are diffed segment by segment to count the bytes
 *     delivered (head offsets advanced, exhausted segments deleted) and purged by max-age (segments deleted whose
 *     last write was older than max-age), so delivery and ingest can be told apart without any API; or
 *   - one or more data nodes' `GET /debug/vars`: `hh_processor` entries (one per destination node and shard since
 *     1.3; `queueBytes` is restart-safe, `bytesWritten` resets on restart and is handled as a resetting counter) and
 *     `hh_node` entries (`queueTotalSize`, 1.9.8+, what max-size is compared with).
 * A source that fails in one sample is reported in it (ok: false) and tried again in the next; the caller decides
 * when that is fatal (e.g. every source failing on the first sample is exit 4).
 */
import {MedicError} from '../errors.js'
import {closeHttp, getJson, type HttpOptions, normaliseBaseUrl} from '../probe/http.js'
import {type DebugVars, parseDebugVars, parseShowCluster} from '../wire/schemas.js'
import {FOOTER_BYTES} from './format.js'
import {type Finding, type HhScan, numericCompare, scanHhDir, type SegmentRecord} from './scan.js'

export interface QueueObservation {
  node: string
  shard: string | null
  pendingBytes: number
  /** Bytes on disk (directory) or null (remote: not exposed per queue). */
  diskBytes: number | null
  segments: number | null
  oldestPendingMs: number | null
  newestWriteMs: number | null
  /** Cumulative bytes delivered: directory diffs since the first sample, or the node's bytesWritten (resets). */
  sentBytes: number | null
  /** Cumulative bytes dropped by the max-age purge (directory only). */
  purgedBytes: number | null
  /** Corrupt or unreadable segments (1 for a remote queue without queueBytes): its contents are unknown. */
  badSegments: number
}

export interface NodeObservation {
  node: string
  /** What max-size is compared with: bytes on disk, or hh_node.queueTotalSize; else the sum of queueBytes. */
  diskBytes: number
  pendingBytes: number
  oldestPendingMs: number | null
  badSegments: number
}

export interface SourceError {
  code: string
  message: string
  suggestions: string[]
}

export interface SourceObservation {
  /** The directory, or host:port of the data node. */
  source: string
  kind: 'dir' | 'http'
  ok: boolean
  error: SourceError | null
  queues: QueueObservation[]
  nodes: NodeObservation[]
  findings: Finding[]
  durationMs: number
}

export interface Sample {
  seq: number
  t: number
  sources: SourceObservation[]
}

export interface Sampler {
  readonly kind: 'dir' | 'http'
  readonly sources: string[]
  sample(signal?: AbortSignal): Promise<Sample>
  close(): Promise<void>
}

export interface DirSamplerOptions {
  now?: () => number
  /** Segments deleted while older than this count as purged, not delivered. */
  maxAgeMs?: number
}

type SegState = Pick<SegmentRecord, 'size' | 'head' | 'mtimeMs'>

/** Samples a local hh directory. */
export function dirSampler(dir: string, options: DirSamplerOptions = {}): Sampler {
  const now = options.now ?? Date.now
  let seq = 0
  const prev = new Map<string, Map<string, SegState>>()
  const totals = new Map<string, {node: string; shard: string | null; sent: number; purged: number}>()
  return {
    kind: 'dir',
    sources: [dir],
    async sample() {
      const t = now()
      const started = performance.now()
      seq++
      let scan: HhScan
      try {
        scan = await scanHhDir(dir, {now: () => t, keepSegments: true})
      } catch (err) {
        return {seq, t, sources: [failed(dir, 'dir', err, started)]}
      }
      const queues: QueueObservation[] = []
      const seen = new Set<string>()
      for (const n of scan.nodes) {
        for (const q of n.queues) {
          const key = `${q.node}/${q.shard ?? ''}`
          seen.add(key)
          const cur = new Map<string, SegState>()
          for (const s of q.segmentList ?? []) cur.set(s.name, {size: s.size, head: s.head, mtimeMs: s.mtimeMs})
          const acc = totals.get(key) ?? {node: q.node, shard: q.shard, sent: 0, purged: 0}
          const before = prev.get(key)
          if (before) diffSegments(before, cur, t, options.maxAgeMs, acc)
          totals.set(key, acc)
          prev.set(key, cur)
          queues.push({
            node: q.node,
            shard: q.shard,
            pendingBytes: q.pendingBytes,
            diskBytes: q.diskBytes,
            segments: q.segments,
            oldestPendingMs: q.oldestPendingWriteMs,
            newestWriteMs: q.newestWriteMs,
            sentBytes: acc.sent,
            purgedBytes: acc.purged,
            badSegments: q.badSegments,
          })
        }
      }
      // A queue directory that disappeared was emptied and removed: it stays in the samples as empty.
      for (const [key, acc] of totals) {
        if (seen.has(key)) continue
        const before = prev.get(key)
        if (before && before.size > 0) {
          diffSegments(before, new Map(), t, options.maxAgeMs, acc)
          prev.set(key, new Map())
        }
        queues.push({
          node: acc.node,
          shard: acc.shard,
          pendingBytes: 0,
          diskBytes: 0,
          segments: 0,
          oldestPendingMs: null,
          newestWriteMs: null,
          sentBytes: acc.sent,
          purgedBytes: acc.purged,
          badSegments: 0,
        })
      }
      queues.sort(byNodeShard)
      const nodes = nodesOf(queues, new Map(scan.nodes.map((n) => [n.node, n.diskBytes])))
      return {
        seq,
        t,
        sources: [{source: dir, kind: 'dir', ok: true, error: null, queues, nodes, findings: scan.findings, durationMs: Math.round(performance.now() - started)}],
      }
    },
    async close() {},
  }
}

/** Adds what left the queue between two scans of its segments to `acc` (delivered, or purged by max-age). */
export function diffSegments(
  before: Map<string, SegState>,
  after: Map<string, SegState>,
  t: number,
  maxAgeMs: number | undefined,
  acc: {sent: number; purged: number},
): void {
  for (const [name, b] of before) {
    const a = after.get(name)
    if (b.head === null) continue
    if (a === undefined) {
      const rest = b.size - FOOTER_BYTES - b.head
      if (rest <= 0) continue
      if (maxAgeMs !== undefined && t - b.mtimeMs >= maxAgeMs) acc.purged += rest
      else acc.sent += rest
    } else if (a.head !== null && a.head > b.head) {
      acc.sent += a.head - b.head
    }
  }
  for (const [name, a] of after) {
    if (!before.has(name) && a.head !== null && a.head > 0) acc.sent += a.head
  }
}

export interface HttpSamplerOptions extends Pick<HttpOptions, 'dispatcher' | 'timeoutMs' | 'connectTimeoutMs'> {
  now?: () => number
  /** /debug/vars lists every shard's statistics; a large data node answers several MiB. Default 64 MiB. */
  maxResponseBytes?: number
}

/** Samples data nodes remotely through their /debug/vars. `urls` are base URLs (host:port accepted). */
export function httpSampler(urls: string[], options: HttpSamplerOptions = {}): Sampler {
  const now = options.now ?? Date.now
  const bases = urls.map((u) => normaliseBaseUrl(u, 8086))
  const labels = bases.map(labelOf)
  let seq = 0
  return {
    kind: 'http',
    sources: labels,
    async sample(signal?: AbortSignal) {
      const t = now()
      seq++
      const sources = await Promise.all(
        bases.map(async (base, i): Promise<SourceObservation> => {
          const started = performance.now()
          try {
            const res = await getJson(`${base}/debug/vars`, {
              dispatcher: options.dispatcher,
              timeoutMs: options.timeoutMs,
              connectTimeoutMs: options.connectTimeoutMs,
              maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
              signal,
              what: 'a data node',
            })
            const vars = await parseDebugVars(res.body, res.url)
            const {queues, nodes, findings} = observationsFromDebugVars(vars, labels[i])
            return {source: labels[i], kind: 'http', ok: true, error: null, queues, nodes, findings, durationMs: Math.round(performance.now() - started)}
          } catch (err) {
            return failed(labels[i], 'http', err, started)
          }
        }),
      )
      return {seq, t, sources}
    },
    async close() {
      await closeHttp()
    },
  }
}

/** Turns the hh statistics of one data node into queue and node observations. */
export function observationsFromDebugVars(vars: DebugVars, source: string): {queues: QueueObservation[]; nodes: NodeObservation[]; findings: Finding[]} {
  const queues: QueueObservation[] = []
  const findings: Finding[] = []
  const byKey = new Map<string, QueueObservation>()
  for (const {key, stat} of vars.hhProcessors) {
    const path = stat.tags?.path ?? key.replace(/^hh_processor:/, '')
    const id = queueIdentity(stat.tags?.node, stat.tags?.shard, path)
    if (id === null) {
      findings.push({severity: 'warning', code: 'debug-vars-unknown-queue', message: `${source}: cannot tell the destination node of ${key}`})
      continue
    }
    const v = stat.values
    if (v.queueBytes === undefined) {
      // Cannot be measured: kept as a queue of unknown contents, so that `hh wait` does not call it empty.
      findings.push({severity: 'warning', code: 'debug-vars-no-queue-bytes', node: id.node, shard: id.shard, message: `${source}: ${key} has no queueBytes (InfluxDB Enterprise before 1.1?): size unknown`})
    }
    const k = `${id.node}/${id.shard ?? ''}`
    const existing = byKey.get(k)
    if (existing) {
      // Two entries for one queue (e.g. keys with and without an id suffix): add them up.
      existing.pendingBytes += v.queueBytes ?? 0
      if (v.queueBytes === undefined) existing.badSegments++
      existing.sentBytes = (existing.sentBytes ?? 0) + (v.bytesWritten ?? 0)
      continue
    }
    const q: QueueObservation = {
      node: id.node,
      shard: id.shard,
      pendingBytes: v.queueBytes ?? 0,
      diskBytes: null,
      segments: v.queueDepth ?? null,
      oldestPendingMs: null,
      newestWriteMs: null,
      sentBytes: v.bytesWritten ?? null,
      purgedBytes: null,
      badSegments: v.queueBytes === undefined ? 1 : 0,
    }
    byKey.set(k, q)
    queues.push(q)
  }
  for (const s of vars.skipped) {
    findings.push({severity: 'info', code: 'debug-vars-entry-skipped', message: `${source}: ${s.key} skipped (${s.reason})`})
  }
  queues.sort(byNodeShard)
  const totalSize = new Map<string, number>()
  for (const {key, stat} of vars.hhNodes) {
    const node = stat.tags?.node ?? /(\d+)$/.exec(key)?.[1]
    if (node !== undefined && stat.values.queueTotalSize !== undefined) totalSize.set(node, stat.values.queueTotalSize)
  }
  return {queues, nodes: nodesOf(queues, totalSize), findings}
}

/** Destination node and shard of an hh_processor entry, from its tags or its path `<hh dir>/<node>[/<shard>]`. */
export function queueIdentity(nodeTag: string | undefined, shardTag: string | undefined, path: string): {node: string; shard: string | null} | null {
  const parts = path.split(/[/\\]/).filter(Boolean)
  const last = parts.at(-1)
  const prev = parts.at(-2)
  const num = (s: string | undefined) => s !== undefined && /^\d+$/.test(s)
  if (nodeTag !== undefined && nodeTag !== '') {
    if (shardTag !== undefined && shardTag !== '') return {node: nodeTag, shard: shardTag}
    if (num(last) && prev === nodeTag) return {node: nodeTag, shard: last!}
    return {node: nodeTag, shard: null}
  }
  if (num(last) && num(prev)) return {node: prev!, shard: last!}
  if (num(last)) return {node: last!, shard: null}
  return null
}

/** Reads a meta node's /show-cluster and maps data node ids to their HTTP addresses. */
export async function nodeHosts(metaUrl: string, options: Pick<HttpOptions, 'dispatcher' | 'timeoutMs' | 'signal'> = {}): Promise<Map<string, string>> {
  const base = normaliseBaseUrl(metaUrl, 8091, '--meta')
  const res = await getJson(`${base}/show-cluster`, {...options, what: 'a meta node'})
  const cluster = await parseShowCluster(res.body, res.url)
  return new Map(cluster.data.map((d) => [String(d.id), d.httpAddr || d.tcpAddr]))
}

function nodesOf(queues: QueueObservation[], diskByNode: Map<string, number>): NodeObservation[] {
  const nodes = new Map<string, NodeObservation>()
  for (const q of queues) {
    let n = nodes.get(q.node)
    if (!n) {
      n = {node: q.node, diskBytes: 0, pendingBytes: 0, oldestPendingMs: null, badSegments: 0}
      nodes.set(q.node, n)
    }
    n.pendingBytes += q.pendingBytes
    n.badSegments += q.badSegments
    n.diskBytes += q.diskBytes ?? q.pendingBytes
    if (q.oldestPendingMs !== null) n.oldestPendingMs = n.oldestPendingMs === null ? q.oldestPendingMs : Math.min(n.oldestPendingMs, q.oldestPendingMs)
  }
  for (const [node, disk] of diskByNode) {
    const n = nodes.get(node)
    if (n) n.diskBytes = disk
    else nodes.set(node, {node, diskBytes: disk, pendingBytes: 0, oldestPendingMs: null, badSegments: 0})
  }
  return [...nodes.values()].sort((a, b) => numericCompare(a.node, b.node))
}

function byNodeShard(a: QueueObservation, b: QueueObservation): number {
  return numericCompare(a.node, b.node) || numericCompare(a.shard ?? '0', b.shard ?? '0')
}

function failed(source: string, kind: 'dir' | 'http', err: unknown, started: number): SourceObservation {
  if (!(err instanceof MedicError)) throw err
  return {
    source,
    kind,
    ok: false,
    error: {code: err.code, message: err.message, suggestions: err.suggestions},
    queues: [],
    nodes: [],
    findings: [],
    durationMs: Math.round(performance.now() - started),
  }
}

function labelOf(base: string): string {
  const u = new URL(base)
  return u.protocol === 'https:' ? `https://${u.host}${u.pathname === '/' ? '' : u.pathname}` : `${u.host}${u.pathname === '/' ? '' : u.pathname}`
}

export type Target = {kind: 'dir'; dir: string} | {kind: 'http'; urls: string[]}

/** The sampler for a directory or for data nodes' /debug/vars. */
export function createSampler(target: Target, options: {maxAgeMs?: number; timeoutMs?: number; now?: () => number} = {}): Sampler {
  return target.kind === 'dir'
    ? dirSampler(target.dir, {maxAgeMs: options.maxAgeMs, now: options.now})
    : httpSampler(target.urls, {timeoutMs: options.timeoutMs, now: options.now})
}

/**
 * Node id -> host from --meta, when given. A meta node that cannot be asked is a warning finding, not a failure:
 * the queues can be judged without host names. A malformed address is still a usage error.
 */
export async function lookupHosts(meta: string | undefined, options: Pick<HttpOptions, 'dispatcher' | 'timeoutMs'> = {}): Promise<{hosts: Map<string, string>; findings: Finding[]}> {
  if (meta === undefined || meta === '') return {hosts: new Map(), findings: []}
  try {
    return {hosts: await nodeHosts(meta, options), findings: []}
  } catch (err) {
    if (!(err instanceof MedicError) || err.exitCode !== 4) throw err
    return {
      hosts: new Map(),
      findings: [{severity: 'warning', code: 'meta-unavailable', message: `node ids not mapped to host names: ${err.message}`}],
    }
  }
}
