/**
 * Samples of hinted-handoff queues over time, from either
 *   - a directory: a scan (scan.ts) per sample; consecutive scans are diffed segment by segment to count the bytes
 *     delivered (head offsets advanced, exhausted segments deleted) and purged by max-age (segments deleted whose
 *     last write was older than max-age), so delivery and ingest can be told apart without any API; or
 *   - one or more data nodes' `GET /debug/vars` (read entry by entry, repeated keys kept: debug-vars.ts):
 *       hh_processor (one per destination node and shard since 1.3): `queueBytes` (restart-safe) is what is left to
 *         send; `bytesRead` counts bytes read from the queue AND delivered (the delivery counter), `bytesWritten`
 *         bytes appended to it (the ingest counter), `writeNodeReqFail` failed sends, `writeDropped` writes refused
 *         (`queue is full`, and blocks the destination refused for good); the counters reset to 0 when the node
 *         restarts and are handled as resetting counters (enterprise-1x.md §6.6 as corrected);
 *       hh_node (1.9.8+, bare key repeated per destination node): `queueTotalSize`, what max-size is compared with.
 * A source that fails in one sample is reported in it (ok: false) and tried again in the next; the caller decides
 * when that is fatal (e.g. every source failing on the first sample is exit 4). An answer that is not a data node's
 * (a meta node, a proxy page, a redirect) is such a failure, and says what answered and what to run instead.
 */
import {inputError, MedicError} from '../errors.js'
import {closeHttp, getRaw, type HttpOptions, normaliseBaseUrl, type RawResponse} from '../probe/http.js'
import {isLoopbackHost, isPlainHostPort} from '../util/hostport.js'
import {parseJsonBounded} from '../util/json.js'
import {sh} from '../util/text.js'
import {type DebugVars, parseDebugVarsEntries, parseShowCluster} from '../wire/schemas.js'
import {readJsonEntries} from './debug-vars.js'
import {FOOTER_BYTES} from './format.js'
import {type Finding, type HhScan, numericCompare, ScanAbortedError, scanHhDir, type ScanOptions, type SegmentRecord} from './scan.js'

export interface QueueObservation {
  node: string
  shard: string | null
  pendingBytes: number
  /** Bytes on disk (directory) or null (remote: not exposed per queue). */
  diskBytes: number | null
  segments: number | null
  oldestPendingMs: number | null
  newestWriteMs: number | null
  /** Cumulative bytes delivered: directory diffs since the first sample, or the node's bytesRead (resets). */
  sentBytes: number | null
  /** Cumulative bytes appended: the node's bytesWritten (resets); null for a directory. */
  appendedBytes: number | null
  /** Cumulative failed sends to the destination: the node's writeNodeReqFail (resets); null for a directory. */
  failedSends: number | null
  /** Cumulative writes refused for the destination (`queue is full`): the node's writeDropped (resets); absent for a directory. */
  refusedWrites?: number | null
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
  /** Parts of this source that could not be measured (unreadable segments, statistics of the wrong shape). */
  unchecked: number
  /** The node's X-Influxdb-Version (remote only), e.g. 1.9.8-c1.9.8. */
  version: string | null
  /**
   * The node's `write` statistic (remote only; counters since the node started: writeOk, writeError, writeTimeout,
   * writePartial, writeDrop, pointReqHH...), null when the node has none. `hh` ignores it; `doctor` reads it.
   */
  write?: Record<string, number> | null
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
  /** An empty directory is an empty hh directory (the node's config names it); later samples accept it anyway. */
  acceptEmpty?: boolean
  /** For suggestions: `medic hh <command>`. */
  command?: string
  /** The scanner's file-system calls (tests: a slow or vanishing tree). */
  scanIo?: ScanOptions['io']
}

type SegState = Pick<SegmentRecord, 'size' | 'head' | 'mtimeMs'>

/** Samples a local hh directory. */
export function dirSampler(dir: string, options: DirSamplerOptions = {}): Sampler {
  const now = options.now ?? Date.now
  let seq = 0
  let seenAsHhDir = options.acceptEmpty ?? false
  const prev = new Map<string, Map<string, SegState>>()
  const totals = new Map<string, {node: string; shard: string | null; sent: number; purged: number}>()
  return {
    kind: 'dir',
    sources: [dir],
    async sample(signal?: AbortSignal) {
      const t = now()
      const started = performance.now()
      seq++
      let scan: HhScan
      try {
        scan = await scanHhDir(dir, {now: () => t, keepSegments: true, signal, acceptEmpty: seenAsHhDir, command: options.command, io: options.scanIo})
      } catch (err) {
        return {seq, t, sources: [failed(dir, 'dir', err, started)]}
      }
      // Once seen as an hh directory, it stays one when its last queue is removed.
      seenAsHhDir = true
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
            appendedBytes: null,
            failedSends: null,
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
          appendedBytes: null,
          failedSends: null,
          purgedBytes: acc.purged,
          badSegments: 0,
        })
      }
      queues.sort(byNodeShard)
      const nodes = nodesOf(queues, new Map(scan.nodes.map((n) => [n.node, n.diskBytes])))
      return {
        seq,
        t,
        sources: [{
          source: dir, kind: 'dir', ok: true, error: null, queues, nodes, findings: scan.findings, unchecked: scan.unchecked, version: null,
          durationMs: Math.round(performance.now() - started),
        }],
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

export interface HttpSamplerOptions {
  now?: () => number
  /** Deadline, credentials and TLS of every request (see src/cli/probe-flags.ts httpOptionsFromFlags). */
  http?: Pick<HttpOptions, 'dispatcher' | 'timeoutMs' | 'connectTimeoutMs' | 'auth' | 'insecure' | 'ca' | 'onExchange'>
  /** /debug/vars lists every shard's statistics; a large data node answers several MiB. Default 64 MiB. */
  maxResponseBytes?: number
  /** For suggestions: `medic hh <command>`. */
  command?: string
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
            return {...(await readDataNode(base, labels[i], options, signal)), durationMs: Math.round(performance.now() - started)}
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

async function readDataNode(base: string, label: string, options: HttpSamplerOptions, signal: AbortSignal | undefined): Promise<Omit<SourceObservation, 'durationMs'>> {
  const url = `${base}/debug/vars`
  const command = options.command ?? 'watch'
  const raw = await getRaw(url, {
    ...options.http,
    // A data node serves /debug/vars itself: a redirect is an answer from something else, and is not followed.
    maxRedirects: 0,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
    signal,
    what: 'a data node',
  })
  if (raw.status !== 200) throw await notDataNodeAnswer(raw, base, label, options, command, signal)
  const read = readJsonEntries(raw.text)
  if (!read.ok) {
    const type = header(raw, 'content-type') ?? 'no content-type'
    throw inputError(`${url}: the answer is not a /debug/vars document (${type}; ${read.reason})`, 'debug-vars-invalid', [
      `is ${label} a data node's HTTP address? Data nodes serve HTTP on 8086 ([http] bind-address), meta nodes on 8091`,
      ...optional(sh`look at it yourself: curl -sS ${url} | head -c 300`),
    ])
  }
  const vars = await parseDebugVarsEntries(read.entries.map((e) => [e.key, e.value] as const))
  const keys = new Set(read.entries.map((e) => e.key))
  const hhStats = vars.hh.length + vars.hhProcessors.length + vars.hhNodes.length + vars.hhDatabases.length +
    vars.skipped.filter((s) => /^hh(?:_|:|$)/.test(s.key)).length
  if (hhStats === 0) {
    const influx = keys.has('memstats') || keys.has('cmdline')
    throw inputError(
      influx
        ? `${url}: no hinted-handoff statistics (no "hh" entry): an open-source InfluxDB without clustering, or a data node with [hinted-handoff] enabled = false?`
        : `${url}: answered, but not like an InfluxDB data node (no memstats, cmdline or hh statistics)`,
      influx ? 'debug-vars-no-hh' : 'not-a-data-node',
      influx
        ? ['only InfluxDB Enterprise data nodes queue hinted handoff: point --url at one (host:8086)']
        : [`is ${label} a data node's HTTP address (port 8086)?`, ...optional(sh`look at it yourself: curl -sS ${url} | head -c 300`)],
    )
  }
  const {queues, nodes, findings, unchecked} = observationsFromDebugVars(vars, label)
  for (const d of read.duplicates) {
    if (!/^hh_(?:node|database)$/.test(d.key)) {
      findings.push({severity: 'info', code: 'debug-vars-repeated-key', message: `${label}: the key ${JSON.stringify(d.key)} occurs ${d.count} times in /debug/vars; every entry was read`})
    }
  }
  const version = header(raw, 'x-influxdb-version')
  return {
    source: label, kind: 'http', ok: true, error: null, queues, nodes, findings, unchecked,
    version: version !== undefined && /^[\w.+-]{1,64}$/.test(version) ? version : null,
    write: vars.write === null ? null : writeCounters(vars.write.values),
  }
}

/** What a non-200 answer to /debug/vars means: a meta node, missing credentials, a redirect, or something else. */
async function notDataNodeAnswer(raw: RawResponse, base: string, label: string, options: HttpSamplerOptions, command: string, signal: AbortSignal | undefined): Promise<MedicError> {
  const url = raw.url
  const snippet = raw.text.trim().slice(0, 200)
  const said = snippet === '' ? '' : ` ${JSON.stringify(snippet)}`
  if (raw.status === 400 && raw.text.includes('error parsing index')) {
    // A meta node: unknown GET paths fall through to its snapshot handler (enterprise-1x.md §2.1).
    const urls = (await dataNodeUrls(base, options, signal)).map((u) => sh`--url ${u}`)
    const known = urls.length > 0 && urls.every((u) => u !== undefined) ? `medic hh ${command} ${urls.join(' ')} ${sh`--meta ${label}`}` : undefined
    return inputError(`${label} is a meta node, not a data node (it answered /debug/vars with HTTP 400 "error parsing index"): hinted-handoff queues are kept by the data nodes (HTTP port 8086)`, 'meta-node-not-data-node', [
      ...(known === undefined ? [] : [`watch the data nodes it knows: ${known}`]),
      ...optional(sh`list the cluster's data nodes: medic ctl show --meta ${label}`),
      ...optional(sh`or use it to name the destination nodes: medic hh ${command} --url DATA_NODE:8086 --meta ${label}`),
    ])
  }
  if (raw.status === 401 || raw.status === 403) {
    const given = options.http?.auth !== undefined
    return inputError(`${url}: HTTP ${raw.status}${said}: ${given ? 'the credentials were refused' : 'the data node wants credentials'}`, 'http-auth', [
      ...(given
        ? ['check --username and --password (or --jwt-secret, the data node\'s [http] shared-secret)']
        : optional(sh`give them: medic hh ${command} --url ${label} --username USER --password "$PASSWORD"`)),
      'credentials can also come from MEDIC_USERNAME / MEDIC_PASSWORD',
    ])
  }
  if (raw.status >= 300 && raw.status < 400) {
    const to = header(raw, 'location')
    return inputError(`${url}: HTTP ${raw.status} redirect${to === undefined ? '' : ` to ${to.slice(0, 200)}`}: a data node answers /debug/vars itself, so this is something else (a proxy or a load balancer?)`, 'not-a-data-node', [
      'point --url at the data node itself (host:8086)',
    ])
  }
  if (raw.status === 404) {
    return inputError(`${url}: HTTP 404${said}: nothing serves /debug/vars there; is ${label} a data node's HTTP address?`, 'not-a-data-node', [
      'data nodes serve HTTP on 8086 ([http] bind-address), meta nodes on 8091',
      ...optional(sh`look at it yourself: curl -sS -i ${url}`),
    ])
  }
  return inputError(`${url}: HTTP ${raw.status}${said}`, 'http-status', [
    raw.status >= 500 ? 'the data node answered with a server error: look at its log (journalctl -u influxdb -n 100)' : `is ${label} a data node's HTTP address (port 8086)?`,
    ...optional(sh`look at it yourself: curl -sS -i ${url}`),
  ])
}

/** The data nodes' HTTP addresses a meta node lists in /show-cluster (plain host:port only); [] when it cannot say. */
async function dataNodeUrls(metaBase: string, options: HttpSamplerOptions, signal: AbortSignal | undefined): Promise<string[]> {
  try {
    const {hosts} = await readShowCluster(metaBase, {...options.http, signal})
    return [...hosts.values()]
  } catch {
    return []
  }
}

export interface HostLookup {
  /** Destination node id -> host:port (plain host:port values only). */
  hosts: Map<string, string>
  /** Node ids whose address was not a plain host:port (withheld). */
  badAddresses: Array<{id: string; address: string}>
}

/**
 * Reads a meta node's /show-cluster and maps data node ids to their HTTP addresses. Redirects are followed (a
 * follower sends a client to the leader), but never from a loopback address to another machine.
 */
async function readShowCluster(base: string, http: HttpOptions): Promise<HostLookup> {
  let href = `${base}/show-cluster`
  const first = href
  let raw: RawResponse | undefined
  for (let hop = 0; hop <= 3; hop++) {
    raw = await getRaw(href, {...http, maxRedirects: 0, what: 'a meta node'})
    const location = header(raw, 'location')
    if ((raw.status !== 307 && raw.status !== 308) || location === undefined) break
    let next: URL
    try {
      next = new URL(location, href)
    } catch {
      throw inputError(`${href}: redirects to an address that is not a URL`, 'meta-bad-redirect', [])
    }
    const from = new URL(href)
    if ((next.protocol !== 'http:' && next.protocol !== 'https:') || (isLoopbackHost(from.hostname) && !isLoopbackHost(next.hostname))) {
      throw inputError(`${href}: redirects to ${next.host} (not followed: from this machine to another)`, 'meta-bad-redirect', [
        ...optional(sh`ask the leader directly: --meta ${next.host}`),
      ])
    }
    if (hop === 3 || next.href === href || next.href === first) {
      throw inputError(`${first}: redirect loop`, 'http-redirect-loop', ['the meta nodes may disagree about who leads'])
    }
    href = next.href
  }
  if (raw === undefined || raw.status !== 200) {
    throw inputError(`${href}: HTTP ${raw?.status ?? '?'} ${JSON.stringify((raw?.text ?? '').trim().slice(0, 200))}`, 'http-status', [
      raw?.status === 401 || raw?.status === 403 ? 'the meta node wants credentials: --username / --password (or --jwt-secret)' : 'is this a meta node\'s HTTP address (port 8091)?',
    ])
  }
  const parsed = parseJsonBounded(raw.text)
  if (!parsed.ok) throw inputError(`${href}: the answer is not /show-cluster JSON (${parsed.reason})`, 'show-cluster-invalid', ['is this a meta node\'s HTTP address (port 8091)?'])
  const cluster = await parseShowCluster(parsed.value, href)
  const hosts = new Map<string, string>()
  const badAddresses: HostLookup['badAddresses'] = []
  for (const d of cluster.data) {
    const id = String(d.id)
    const addr = d.httpAddr || d.tcpAddr
    if (Number.isSafeInteger(d.id) && d.id > 0 && isPlainHostPort(addr)) hosts.set(id, addr)
    else badAddresses.push({id: id.slice(0, 40), address: addr.slice(0, 200)})
  }
  return {hosts, badAddresses}
}

/** Reads a meta node's /show-cluster and maps data node ids to their HTTP addresses. */
export async function nodeHosts(metaUrl: string, http: HttpOptions = {}): Promise<Map<string, string>> {
  return (await readShowCluster(normaliseBaseUrl(metaUrl, 8091, '--meta'), http)).hosts
}

/**
 * Node id -> host from --meta, when given. A meta node that cannot be asked is an `unknown` finding (host names were
 * asked for and could not be checked), not a failure: the queues can be judged without them. An address that is not
 * a plain host:port is a warning (a meta node should not say that). A malformed --meta is a usage error.
 */
export async function lookupHosts(meta: string | undefined, http: HttpOptions = {}): Promise<{hosts: Map<string, string>; findings: Finding[]}> {
  if (meta === undefined || meta === '') return {hosts: new Map(), findings: []}
  const base = normaliseBaseUrl(meta, 8091, '--meta')
  try {
    const r = await readShowCluster(base, http)
    const findings: Finding[] = r.badAddresses.map((b) => ({
      severity: 'warning' as const,
      code: 'meta-bad-address',
      node: b.id,
      message: `the meta node lists data node ${b.id} at ${JSON.stringify(b.address)}, which is not a host:port: not shown`,
    }))
    return {hosts: r.hosts, findings}
  } catch (err) {
    if (!(err instanceof MedicError) || err.exitCode !== 4) throw err
    return {
      hosts: new Map(),
      findings: [{severity: 'unknown', code: 'meta-unavailable', message: `node ids not mapped to host names: ${err.message}`}],
    }
  }
}

const ID = /^\d{1,20}$/

/** Turns the hh statistics of one data node into queue and node observations. */
export function observationsFromDebugVars(vars: DebugVars, source: string): {queues: QueueObservation[]; nodes: NodeObservation[]; findings: Finding[]; unchecked: number} {
  const queues: QueueObservation[] = []
  const findings: Finding[] = []
  let unchecked = 0
  const byKey = new Map<string, QueueObservation>()
  for (const {key, stat} of vars.hhProcessors) {
    const path = stat.tags?.path ?? key.replace(/^hh_processor:/, '')
    const shardID: unknown = stat.tags?.shardID // the clone's tag name
    const shardTag = stat.tags?.shard ?? (typeof shardID === 'string' ? shardID : undefined)
    const id = queueIdentity(stat.tags?.node, shardTag, path)
    if (id === null) {
      unchecked++
      findings.push({severity: 'unknown', code: 'debug-vars-unknown-queue', message: `${source}: cannot tell the destination node of ${key.slice(0, 200)}: its queue is not measured`})
      continue
    }
    const v = stat.values
    if (v.queueBytes === undefined) {
      // Cannot be measured: kept as a queue of unknown contents, so that `hh wait` does not call it empty.
      findings.push({severity: 'unknown', code: 'debug-vars-no-queue-bytes', node: id.node, shard: id.shard, message: `${source}: ${key.slice(0, 200)} has no queueBytes (InfluxDB Enterprise before 1.1?): size unknown`})
    }
    const k = `${id.node}/${id.shard ?? ''}`
    const existing = byKey.get(k)
    if (existing) {
      // Two entries for one queue (e.g. keys with and without an id suffix): add them up.
      existing.pendingBytes += v.queueBytes ?? 0
      if (v.queueBytes === undefined) existing.badSegments++
      existing.sentBytes = addOrNull(existing.sentBytes, v.bytesRead)
      existing.appendedBytes = addOrNull(existing.appendedBytes, v.bytesWritten)
      existing.failedSends = addOrNull(existing.failedSends, v.writeNodeReqFail)
      existing.refusedWrites = addOrNull(existing.refusedWrites ?? null, v.writeDropped)
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
      sentBytes: v.bytesRead ?? null,
      appendedBytes: v.bytesWritten ?? null,
      failedSends: v.writeNodeReqFail ?? null,
      refusedWrites: v.writeDropped ?? null,
      purgedBytes: null,
      badSegments: v.queueBytes === undefined ? 1 : 0,
    }
    byKey.set(k, q)
    queues.push(q)
  }
  // hh_database (1.7.7+) holds the same counters per database and destination node. A destination it shows with
  // queued bytes and no hh_processor entry at all would otherwise be missing from the picture (and `hh wait` would
  // call the node drained): it is judged from the sums over its databases, and the finding says so.
  const measured = new Set(queues.map((q) => q.node))
  const fromDatabases = new Map<string, {q: QueueObservation; dbs: string[]}>()
  for (const {stat} of vars.hhDatabases) {
    const node = stat.tags?.node
    const v = stat.values
    if (node === undefined || !ID.test(node) || measured.has(node) || v.queueBytes === undefined) continue
    let agg = fromDatabases.get(node)
    if (agg === undefined) {
      agg = {
        q: {node, shard: null, pendingBytes: 0, diskBytes: null, segments: null, oldestPendingMs: null, newestWriteMs: null, sentBytes: null, appendedBytes: null, failedSends: null, purgedBytes: null, badSegments: 0},
        dbs: [],
      }
      fromDatabases.set(node, agg)
    }
    agg.q.pendingBytes += v.queueBytes
    agg.q.sentBytes = addOrNull(agg.q.sentBytes, v.bytesRead)
    agg.q.appendedBytes = addOrNull(agg.q.appendedBytes, v.bytesWritten)
    agg.q.failedSends = addOrNull(agg.q.failedSends, v.writeNodeReqFail)
    agg.q.refusedWrites = addOrNull(agg.q.refusedWrites ?? null, v.writeDropped)
    if (typeof stat.tags?.db === 'string') agg.dbs.push(stat.tags.db)
  }
  for (const [node, {q, dbs}] of fromDatabases) {
    if (q.pendingBytes === 0 && (q.appendedBytes ?? 0) === 0) continue
    queues.push(q)
    findings.push({
      severity: 'info', code: 'debug-vars-queue-from-databases', node,
      message: `${source}: node ${node} has no hh_processor entry; its queue is judged from hh_database (${dbs.length} ${dbs.length === 1 ? 'database' : 'databases'}: ${dbs.slice(0, 5).map((d) => JSON.stringify(d.slice(0, 60))).join(', ')}${dbs.length > 5 ? ', ...' : ''})`,
    })
  }
  for (const s of vars.skipped) {
    // A statistic of medic's interest in the wrong shape: if it was a queue, that queue is not measured.
    const hh = /^hh(?:_|:|$)/.test(s.key)
    if (hh) unchecked++
    findings.push({severity: hh ? 'unknown' : 'info', code: 'debug-vars-entry-skipped', message: `${source}: ${s.key.slice(0, 200)} skipped (${s.reason.slice(0, 300)})`})
  }
  queues.sort(byNodeShard)
  const totalSize = new Map<string, number>()
  for (const {key, stat} of vars.hhNodes) {
    const node = stat.tags?.node ?? /:(\d+)$/.exec(key)?.[1]
    if (node === undefined || !ID.test(node)) {
      unchecked++
      findings.push({severity: 'unknown', code: 'debug-vars-unknown-queue', message: `${source}: an hh_node entry names no valid destination node (${JSON.stringify((node ?? key).slice(0, 80))})`})
      continue
    }
    const size = stat.values.queueTotalSize
    if (size !== undefined) totalSize.set(node, Math.max(size, totalSize.get(node) ?? 0))
  }
  return {queues, nodes: nodesOf(queues, totalSize), findings, unchecked}
}

/** The numeric fields of the `write` statistic (the schema lets other fields through; only finite numbers are kept). */
function writeCounters(values: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(values)) if (typeof v === 'number' && Number.isFinite(v) && /^\w{1,64}$/.test(k)) out[k] = v
  return out
}

function addOrNull(a: number | null, b: number | undefined): number | null {
  return a === null && b === undefined ? null : (a ?? 0) + (b ?? 0)
}

/**
 * Destination node and shard of an hh_processor entry, from its tags or its path `<hh dir>/<node>[/<shard>]`. Ids
 * are decimal numbers; anything else (a node answering with garbage) gives null.
 */
export function queueIdentity(nodeTag: string | undefined, shardTag: string | undefined, path: string): {node: string; shard: string | null} | null {
  const parts = path.split(/[/\\]/).filter(Boolean)
  const last = parts.at(-1)
  const prev = parts.at(-2)
  const num = (s: string | undefined): s is string => s !== undefined && ID.test(s)
  if (nodeTag !== undefined && nodeTag !== '') {
    if (!num(nodeTag)) return null
    if (shardTag !== undefined && shardTag !== '') return num(shardTag) ? {node: nodeTag, shard: shardTag} : null
    if (num(last) && prev === nodeTag) return {node: nodeTag, shard: last}
    return {node: nodeTag, shard: null}
  }
  if (num(last) && num(prev)) return {node: prev, shard: last}
  if (num(last)) return {node: last, shard: null}
  return null
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
  const base = {source, kind, ok: false, queues: [], nodes: [], findings: [], unchecked: 1, version: null, durationMs: Math.round(performance.now() - started)}
  if (err instanceof ScanAbortedError) return {...base, error: {code: 'interrupted', message: `${source}: ${err.message}`, suggestions: []}}
  if (!(err instanceof MedicError)) throw err
  return {...base, error: {code: err.code, message: err.message, suggestions: err.suggestions}}
}

function header(raw: RawResponse, name: string): string | undefined {
  const v = raw.headers[name]
  const s = Array.isArray(v) ? v[0] : v
  return s === undefined || s === '' ? undefined : String(s)
}

function optional(s: string | undefined): string[] {
  return s === undefined ? [] : [s]
}

function labelOf(base: string): string {
  const u = new URL(base)
  return u.protocol === 'https:' ? `https://${u.host}${u.pathname === '/' ? '' : u.pathname}` : `${u.host}${u.pathname === '/' ? '' : u.pathname}`
}

export type Target = {kind: 'dir'; dir: string} | {kind: 'http'; urls: string[]}

export interface SamplerOptions {
  maxAgeMs?: number
  now?: () => number
  http?: HttpSamplerOptions['http']
  acceptEmpty?: boolean
  command?: string
}

/** The sampler for a directory or for data nodes' /debug/vars. */
export function createSampler(target: Target, options: SamplerOptions = {}): Sampler {
  return target.kind === 'dir'
    ? dirSampler(target.dir, {maxAgeMs: options.maxAgeMs, now: options.now, acceptEmpty: options.acceptEmpty, command: options.command})
    : httpSampler(target.urls, {http: options.http, now: options.now, command: options.command})
}
