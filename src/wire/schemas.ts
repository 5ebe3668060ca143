/**
 * THE one module of zod schemas for what InfluxDB Enterprise 1.x nodes answer, shared by the probes (medic reading a
 * real cluster) and the dev-cluster servers (medic imitating one). Unknown extra fields are always tolerated: newer
 * releases add fields, and a check must not fail because a node knows more than we do.
 *
 * zod is imported lazily (~50 ms at start-up): call loadSchemas() (cached) or the parse helpers below. The types are
 * derived from the schemas with type-only imports, which cost nothing at run time.
 *
 * Covered so far:
 *   data node GET /debug/vars: the statistics entries `hh`, `hh_processor`, `hh_node`, `write`
 *     ({"name": ..., "tags": {...} | null, "values": {...}}, keyed by name plus ":" path; enterprise-1x.md §4.5, §6.6)
 *   meta node GET /show-cluster: {data: [{id, tcpAddr, httpAddr, httpScheme, version, status, labels, passive}],
 *     meta: [{id, addr, httpScheme, tcpAddr, version, labels}]} (§2.5; labels 1.9.2+, passive 1.9.7+); both lists
 *     required (null when empty), ids safe non-negative integers
 *   meta node GET /status: {nodeType, leader, httpAddr, raftAddr, peers} (§2.2); error bodies {"error": "..."}
 *   meta node GET /ping: 200 with {"addr": "..."} (§2.3; other bodies tolerated: parseMetaPing never throws)
 *   meta node GET /lease: {name, expiration, owner} (§8)
 *   data node /ping headers X-Influxdb-Version / X-Influxdb-Build: read by probe/http.ts pingDataNode (§4.1)
 *   meta node GET /show-shards (the dev cluster's own shape; Enterprise's body is undocumented): [{id, database,
 *     retention-policy, replica-n, shard-group-id, start-time, end-time, expire-time, owners: [{id, tcpAddr}]}]
 */
import type * as z from 'zod'

import {inputError} from '../errors.js'
import {parseJsonBounded} from '../util/json.js'

async function build() {
  const zod = await import('zod')
  const count = zod.number()
  const optionalCount = count.optional()
  const tags = <T extends z.ZodRawShape>(shape: T) => zod.looseObject(shape).nullish()

  const hhStat = zod.looseObject({
    name: zod.literal('hh'),
    tags: tags({path: zod.string().optional()}),
    values: zod.looseObject({writeShardReq: optionalCount, writeShardReqPoints: optionalCount}),
  })

  const hhProcessorStat = zod.looseObject({
    name: zod.literal('hh_processor'),
    tags: tags({node: zod.string().optional(), path: zod.string().optional(), shard: zod.string().optional()}),
    values: zod.looseObject({
      bytesRead: optionalCount,
      bytesWritten: optionalCount,
      queueBytes: optionalCount,
      queueDepth: optionalCount,
      writeBlocked: optionalCount,
      writeDropped: optionalCount,
      writeNodeReq: optionalCount,
      writeNodeReqFail: optionalCount,
      writeNodeReqPoints: optionalCount,
      writeShardReq: optionalCount,
      writeShardReqPoints: optionalCount,
    }),
  })

  /** Per database and destination node (1.7.7+): the same fields as hh_processor; tags {db, node}. */
  const hhDatabaseStat = hhProcessorStat.extend({
    name: zod.literal('hh_database'),
    tags: tags({db: zod.string().optional(), node: zod.string().optional()}),
  })

  const hhNodeStat = zod.looseObject({
    name: zod.literal('hh_node'),
    tags: tags({node: zod.string().optional()}),
    values: zod.looseObject({queueTotalSize: optionalCount}),
  })

  const writeStat = zod.looseObject({
    name: zod.literal('write'),
    tags: tags({}),
    values: zod.looseObject({
      pointReq: optionalCount,
      pointReqHH: optionalCount,
      pointReqLocal: optionalCount,
      pointReqRemote: optionalCount,
      req: optionalCount,
      subWriteDrop: optionalCount,
      subWriteOk: optionalCount,
      writeDrop: optionalCount,
      writeError: optionalCount,
      writeOk: optionalCount,
      writePartial: optionalCount,
      writeTimeout: optionalCount,
    }),
  })

  /** The whole document: an object of arbitrary entries ("system", "cmdline", "memstats", statistics...). */
  const debugVars = zod.record(zod.string(), zod.unknown())

  // Node ids are uint64 in Enterprise; medic needs them exact, so only safe integers (1e400 parses as Infinity, and
  // 99999999999999999999999 loses digits) pass. Labels (1.9.2+) print as JSON ({"az":"us-west"}); their exact wire
  // shape is undocumented, so any JSON value is taken and shown as JSON. Passive (1.9.7+) is a flag.
  const nodeId = zod.number().int().nonnegative()
  const labels = zod.unknown().optional()
  const dataNode = zod.looseObject({
    id: nodeId,
    tcpAddr: zod.string(),
    httpAddr: zod.string(),
    httpScheme: zod.string().optional(),
    version: zod.string().optional(),
    status: zod.string().optional(),
    labels,
    passive: zod.boolean().optional(),
  })
  const metaNode = zod.looseObject({
    id: nodeId,
    addr: zod.string(),
    httpScheme: zod.string().optional(),
    tcpAddr: zod.string().optional(),
    version: zod.string().optional(),
    labels,
  })
  // Both lists are always present in a meta node's answer (null when empty): an object without them (a /status body,
  // an error body) is not a cluster view, and must not render as an empty cluster.
  const showCluster = zod.looseObject({
    data: zod.array(dataNode).nullable().transform((v) => v ?? []),
    meta: zod.array(metaNode).nullable().transform((v) => v ?? []),
  })

  /**
   * Meta GET /status (§2.2). Un-joined: leader "" and peers null; joined: `leader` and `peers` are Raft (8089)
   * addresses and `peers` includes the node itself. strictObject would reject newer fields, so loose.
   */
  const metaStatus = zod.looseObject({
    nodeType: zod.string(),
    leader: zod.string(),
    httpAddr: zod.string(),
    raftAddr: zod.string(),
    peers: zod.array(zod.string()).nullable(),
  })

  /** The JSON error body of any Enterprise API: {"error": "..."} (§2.1, §4.2). */
  const errorBody = zod.looseObject({error: zod.string()})

  /** Meta GET /ping (§2.3): 200 and a JSON body with `addr` (Enterprise 1.3.7); shape beyond that unverified. */
  const metaPing = zod.looseObject({addr: zod.string()})

  /** Meta GET /lease?name=...&node_id=... (§8): the lease granted, or the holder's lease with 409. */
  const lease = zod.looseObject({
    name: zod.string(),
    expiration: zod.string(),
    owner: zod.number().int(),
  })

  /** Meta GET /show-shards as the dev cluster serves it: one row per shard; `expire-time` is "" for infinite policies. */
  const showShardsRow = zod.looseObject({
    id: zod.number().int(),
    database: zod.string(),
    'retention-policy': zod.string(),
    'replica-n': zod.number().int(),
    'shard-group-id': zod.number().int(),
    'start-time': zod.string(),
    'end-time': zod.string(),
    'expire-time': zod.string(),
    owners: zod.array(zod.looseObject({id: zod.number().int(), tcpAddr: zod.string()})),
  })
  const showShards = zod.array(showShardsRow)

  return {hhStat, hhProcessorStat, hhDatabaseStat, hhNodeStat, writeStat, debugVars, dataNode, metaNode, showCluster, metaStatus, errorBody, metaPing, lease, showShards, z: zod}
}

export type Schemas = Awaited<ReturnType<typeof build>>
export type HhStat = z.infer<Schemas['hhStat']>
export type HhProcessorStat = z.infer<Schemas['hhProcessorStat']>
export type HhNodeStat = z.infer<Schemas['hhNodeStat']>
export type HhDatabaseStat = z.infer<Schemas['hhDatabaseStat']>
export type WriteStat = z.infer<Schemas['writeStat']>
export type ShowCluster = z.infer<Schemas['showCluster']>
export type ShowClusterDataNode = z.infer<Schemas['dataNode']>
export type ShowClusterMetaNode = z.infer<Schemas['metaNode']>
export type MetaStatus = z.infer<Schemas['metaStatus']>
export type MetaPing = z.infer<Schemas['metaPing']>
export type Lease = z.infer<Schemas['lease']>
export type ShowShards = z.infer<Schemas['showShards']>

let cached: Promise<Schemas> | undefined

export function loadSchemas(): Promise<Schemas> {
  cached ??= build()
  return cached
}

/** The statistics medic reads from a data node's /debug/vars, each entry keyed as the node keys it. */
export interface DebugVars {
  hh: Array<{key: string; stat: HhStat}>
  hhProcessors: Array<{key: string; stat: HhProcessorStat}>
  hhNodes: Array<{key: string; stat: HhNodeStat}>
  hhDatabases: Array<{key: string; stat: HhDatabaseStat}>
  write: WriteStat | null
  /** Entries with a known name that did not match the schema: skipped, with why. */
  skipped: Array<{key: string; reason: string}>
}

const WANTED = new Set(['hh', 'hh_processor', 'hh_node', 'hh_database', 'write'])

/** Picks the hh, hh_processor, hh_node and write entries out of a /debug/vars document. Not an object: exit 4. */
export async function parseDebugVars(json: unknown, url = '/debug/vars'): Promise<DebugVars> {
  const s = await loadSchemas()
  const doc = s.debugVars.safeParse(json)
  if (!doc.success) {
    throw inputError(`${url}: not a /debug/vars document (expected a JSON object)`, 'debug-vars-invalid', [
      'is this a data node\'s HTTP address (port 8086)?',
    ])
  }
  return parseDebugVarsEntries(Object.entries(doc.data))
}

/**
 * The same, from the document's entries in order, repeated keys included: /debug/vars repeats bare keys such as
 * `hh_node` once per destination node, which an object (JSON.parse) would collapse to the last one. An entry whose
 * key or `name` is one of the statistics above but whose shape is wrong is listed in `skipped`, never dropped quietly.
 */
export async function parseDebugVarsEntries(entries: Iterable<readonly [string, unknown]>): Promise<DebugVars> {
  const s = await loadSchemas()
  const out: DebugVars = {hh: [], hhProcessors: [], hhNodes: [], hhDatabases: [], write: null, skipped: []}
  for (const [key, value] of entries) {
    const named = typeof value === 'object' && value !== null ? (value as {name?: unknown}).name : undefined
    const keyName = key.split(':')[0]
    const name = typeof named === 'string' ? named : keyName
    if (!WANTED.has(name) && !WANTED.has(keyName)) continue
    if (WANTED.has(keyName) && name !== keyName) {
      out.skipped.push({key, reason: `the key names ${keyName} but the entry is named ${JSON.stringify(String(named).slice(0, 40))}`})
      continue
    }
    const schema = name === 'hh' ? s.hhStat : name === 'hh_processor' ? s.hhProcessorStat : name === 'hh_node' ? s.hhNodeStat : name === 'hh_database' ? s.hhDatabaseStat : s.writeStat
    const r = schema.safeParse(value)
    if (!r.success) {
      out.skipped.push({key, reason: s.z.prettifyError(r.error).replaceAll('\n', ' ')})
      continue
    }
    switch (name) {
      case 'hh': out.hh.push({key, stat: r.data as HhStat}); break
      case 'hh_processor': out.hhProcessors.push({key, stat: r.data as HhProcessorStat}); break
      case 'hh_node': out.hhNodes.push({key, stat: r.data as HhNodeStat}); break
      case 'hh_database': out.hhDatabases.push({key, stat: r.data as HhDatabaseStat}); break
      default: out.write = r.data as WriteStat
    }
  }
  return out
}

/** Validates a meta node's /show-cluster answer. Wrong shape: exit 4 naming the URL. */
export async function parseShowCluster(json: unknown, url = '/show-cluster'): Promise<ShowCluster> {
  const r = await checkShowCluster(json)
  if (!r.ok) {
    throw inputError(`${url}: not a /show-cluster answer (${r.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')})`, 'show-cluster-invalid', [
      'is this a meta node\'s HTTP address (port 8091)?',
    ])
  }
  return r.cluster
}

/** Checks a /show-cluster body without throwing: the cluster view, or every issue by path. */
export async function checkShowCluster(json: unknown): Promise<{ok: true; cluster: ShowCluster} | {ok: false; issues: SchemaIssue[]}> {
  const s = await loadSchemas()
  const r = s.showCluster.safeParse(json)
  return r.success ? {ok: true, cluster: r.data} : {ok: false, issues: issuesOf(r.error)}
}

/** One problem found in a body, with the path of the field (`peers[1]`), for findings that point at the field. */
export interface SchemaIssue {
  path: string
  message: string
}

/**
 * Checks a meta node's /status body without throwing: the status on success, otherwise every issue by path (missing
 * fields, wrong types). Used by `medic status`, `medic join diagnose` and, later, the dev cluster's tests.
 */
export async function checkMetaStatus(json: unknown): Promise<{ok: true; status: MetaStatus} | {ok: false; issues: SchemaIssue[]}> {
  const s = await loadSchemas()
  const r = s.metaStatus.safeParse(json)
  return r.success ? {ok: true, status: r.data} : {ok: false, issues: issuesOf(r.error)}
}

/** Issues by path; at most 50 (a body with a million wrong entries must not make a million-line finding). */
function issuesOf(error: {issues: Array<{path: PropertyKey[]; message: string}>}): SchemaIssue[] {
  return error.issues.slice(0, 50).map((i) => ({
    path: i.path.length === 0 ? '(body)' : i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, ''),
    message: i.message,
  }))
}

/**
 * Reads a meta node's /ping body: the advertised `addr` when it is the documented JSON, otherwise `addr` undefined and
 * the body kept as text (older releases answered the leader's address in plain text). Never throws.
 */
export async function parseMetaPing(text: string): Promise<{addr?: string; text: string}> {
  const parsed = parseJsonBounded(text)
  if (!parsed.ok) return {text}
  const s = await loadSchemas()
  const r = s.metaPing.safeParse(parsed.value)
  return r.success ? {addr: r.data.addr, text} : {text}
}

/** Checks a /lease body: the lease, or every issue by path. */
export async function checkLease(json: unknown): Promise<{ok: true; lease: Lease} | {ok: false; issues: SchemaIssue[]}> {
  const s = await loadSchemas()
  const r = s.lease.safeParse(json)
  return r.success ? {ok: true, lease: r.data} : {ok: false, issues: issuesOf(r.error)}
}

/** The `error` of an Enterprise {"error": "..."} body, or undefined when the text is something else. */
export async function errorMessageOf(text: string): Promise<string | undefined> {
  const parsed = parseJsonBounded(text)
  if (!parsed.ok) return undefined
  const s = await loadSchemas()
  const r = s.errorBody.safeParse(parsed.value)
  return r.success ? r.data.error : undefined
}

/** Checks a meta /show-shards body: the rows, or every issue by path. */
export async function checkShowShards(json: unknown): Promise<{ok: true; shards: ShowShards} | {ok: false; issues: SchemaIssue[]}> {
  const s = await loadSchemas()
  const r = s.showShards.safeParse(json)
  return r.success ? {ok: true, shards: r.data} : {ok: false, issues: issuesOf(r.error)}
}
