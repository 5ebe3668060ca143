/**
 * The data node's use of the cluster RPC (node/rpc: frames, pooled client, listener): what it answers on its
 * bind-address, and how it calls other data nodes. Messages are a JSON header plus a payload (frame.ts):
 *
 *   WriteShardRequest   {shardId, db, rp} + line protocol (ns)  -> {code, message}     points for a shard this node owns
 *   ShardQueryRequest   {query: ShardQuery}                      -> {code, message, partial}  a query over local shards
 *   ExecuteStatementRequest {delete: DeleteRequest}              -> {code, message}     DROP MEASUREMENT/SERIES, DELETE
 *   JoinClusterRequest  {metaServers, update}                    -> {code, message, nodeId}   add-data, from the meta leader
 *   ShardStatsRequest   {}                        -> {code, message, nodeId, metaServers, shards}   for dev status
 *   ShardDigestRequest  {shardIds}                -> {code, message, shards: ShardDigest[]}      for dev verify
 *
 * A failed write answers code 1 with `write shard <id>: <error>`; the caller reports it as Enterprise's coordinator
 * does, `error code 1: write shard <id>: <error>` (data-nodes.md §1.11). A write that names no database or policy is
 * dropped with the log line OSS 0.11 wrote (typo kept: it is what operators search for).
 */
import {createHash} from 'node:crypto'

import {parseLines} from '../../lineprotocol/parse.js'
import {formatPointsBuffer, MAX_TIME_NS, MIN_TIME_NS, type Point} from '../../lineprotocol/point.js'
import {compileGoRegex, regexMatch} from '../../influxql/index.js'
import type {Logger} from '../node/logger.js'
import {messageOf} from '../node/process.js'
import type {RpcClient} from '../node/rpc/client.js'
import {decodeMessage, encodeMessage, encodeMessageParts, type Frame, type JoinClusterRequest, MsgType, type RpcResponse, type ShardDigest} from '../node/rpc/frame.js'
import type {DeleteRequest} from './query/collaborators.js'
import {decodePartial, encodePartial, runShardQuery, type ShardPartial, type ShardQuery} from './query/index.js'
import {matchSeries} from './query/series-filter.js'
import {exprFromJson} from './query/wire.js'
import type {ShardTarget} from './coordinator/points-writer.js'
import type {DataStore} from './store/store.js'
import type {ShardReader} from './store/types.js'

export interface ShardStat {
  id: number
  database: string
  retentionPolicy: string
  points: number
}

export interface RpcServices {
  store: DataStore
  log: Logger
  join(metaServers: string[], update: boolean): Promise<number>
  /** This node's id in the meta store (0 before it is added) and whether it knows meta servers. */
  membership(): {nodeId: number; metaServers: readonly string[]}
  /** Counts of the `cluster` statistic (receiver side). */
  stats: ClusterStats
}

export interface ClusterStats {
  writeShardReq: number
  writeShardPointsReq: number
  writeShardFail: number
  shardQueryReq: number
  deleteReq: number
}

export function newClusterStats(): ClusterStats {
  return {writeShardReq: 0, writeShardPointsReq: 0, writeShardFail: 0, shardQueryReq: 0, deleteReq: 0}
}

const answer = (type: number, header: RpcResponse & Record<string, unknown>): Frame => ({type, body: encodeMessage(header)})

/** The handler for the node's RPC listener (node/rpc/server.ts). */
export function rpcHandler(s: RpcServices): (frame: Frame) => Promise<Frame> {
  return async (frame) => {
    switch (frame.type) {
      case MsgType.WriteShardRequest: return writeShard(s, frame)
      case MsgType.ShardQueryRequest: return shardQuery(s, frame)
      case MsgType.ExecuteStatementRequest: return executeDelete(s, frame)
      case MsgType.JoinClusterRequest: return joinCluster(s, frame)
      case MsgType.ShardStatsRequest: {
        const m = s.membership()
        return answer(MsgType.ShardStatsResponse, {code: 0, message: '', nodeId: m.nodeId, metaServers: [...m.metaServers], shards: shardStats(s.store)})
      }
      case MsgType.ShardDigestRequest: {
        try {
          const {header} = decodeMessage<{shardIds?: unknown}>(frame.body)
          const ids = Array.isArray(header.shardIds) ? header.shardIds.filter((x): x is number => Number.isSafeInteger(x)) : s.store.shardIds()
          return answer(MsgType.ShardDigestResponse, {code: 0, message: '', shards: ids.map((id) => shardDigest(s.store, id))})
        } catch (err) {
          return answer(MsgType.ShardDigestResponse, {code: 1, message: messageOf(err)})
        }
      }
      default:
        // Answer with the request's type + 1 so a newer peer reads a refusal instead of hanging.
        return answer(frame.type + 1, {code: 1, message: `unknown message type: ${frame.type}`})
    }
  }
}

async function writeShard(s: RpcServices, frame: Frame): Promise<Frame> {
  const reply = (code: number, message: string) => answer(MsgType.WriteShardResponse, {code, message})
  let header: {shardId?: unknown; db?: unknown; rp?: unknown}
  let payload: Buffer
  try {
    ({header, payload} = decodeMessage<{shardId?: unknown; db?: unknown; rp?: unknown}>(frame.body))
  } catch (err) {
    return reply(1, `write shard: ${messageOf(err)}`)
  }
  const shardId = typeof header.shardId === 'number' && Number.isSafeInteger(header.shardId) ? header.shardId : -1
  s.stats.writeShardReq++
  if (typeof header.db !== 'string' || header.db === '' || typeof header.rp !== 'string' || header.rp === '') {
    s.log.info('drop write request', {shard: shardId}, `drop write request: shard=${shardId}. no database or rentention policy received`)
    return reply(0, '')
  }
  // The payload is lines a data node formatted (the coordinator's copy, a hinted-handoff delivery): the simple reader
  // takes them in one pass; anything else in it is read by the full parser, with the same result.
  const parsed = parseLines(payload, {precision: 'n', now: BigInt(Date.now()) * 1_000_000n, expectFormatted: true})
  s.stats.writeShardPointsReq += parsed.points.length
  if (parsed.errors.length > 0) {
    s.stats.writeShardFail++
    return reply(1, `write shard ${shardId}: ${parsed.errors[0].message}`)
  }
  try {
    await s.store.writeToShard(header.db, header.rp, shardId, parsed.points)
    return reply(0, '')
  } catch (err) {
    s.stats.writeShardFail++
    s.log.info('process write shard error', {error: messageOf(err)}, `process write shard error: write shard ${shardId}: ${messageOf(err)}`)
    return reply(1, `write shard ${shardId}: ${messageOf(err)}`)
  }
}

async function shardQuery(s: RpcServices, frame: Frame): Promise<Frame> {
  s.stats.shardQueryReq++
  try {
    const {header} = decodeMessage<{query: ShardQuery}>(frame.body)
    const partial = runShardQuery(localReaders(s.store, shardIdsOf(header.query)), header.query)
    return answer(MsgType.ShardQueryResponse, {code: 0, message: '', partial: encodePartial(partial)})
  } catch (err) {
    return answer(MsgType.ShardQueryResponse, {code: 1, message: messageOf(err)})
  }
}

async function executeDelete(s: RpcServices, frame: Frame): Promise<Frame> {
  s.stats.deleteReq++
  try {
    const {header} = decodeMessage<{delete: DeleteRequest}>(frame.body)
    await applyDelete(s.store, header.delete)
    return answer(MsgType.ExecuteStatementResponse, {code: 0, message: ''})
  } catch (err) {
    return answer(MsgType.ExecuteStatementResponse, {code: 1, message: messageOf(err)})
  }
}

async function joinCluster(s: RpcServices, frame: Frame): Promise<Frame> {
  try {
    const {header} = decodeMessage<Partial<JoinClusterRequest>>(frame.body)
    const servers = Array.isArray(header.metaServers) ? header.metaServers.filter((x): x is string => typeof x === 'string') : []
    const nodeId = await s.join(servers, header.update === true)
    return answer(MsgType.JoinClusterResponse, {code: 0, message: '', nodeId})
  } catch (err) {
    s.log.warn('join cluster failed', {error: messageOf(err)}, `join cluster failed: ${messageOf(err)}`)
    return answer(MsgType.JoinClusterResponse, {code: 1, message: messageOf(err)})
  }
}

/** Every shard id a shard query names. */
export function shardIdsOf(q: ShardQuery): number[] {
  return q.kind === 'select' ? q.sources.flatMap((src) => src.shardIds) : q.shardIds
}

export function localReaders(store: DataStore, ids: readonly number[]): Map<number, ShardReader> {
  const readers = new Map<number, ShardReader>()
  for (const id of ids) {
    const r = store.shard(id)
    if (r !== undefined) readers.set(id, r)
  }
  return readers
}

export function shardStats(store: DataStore): ShardStat[] {
  return store.shardIds().flatMap((id) => {
    const r = store.shard(id)
    return r === undefined ? [] : [{id, database: r.database, retentionPolicy: r.retentionPolicy, points: r.pointCount()}]
  })
}

/**
 * Digests a shard's contents in a fixed order (measurements, series, fields by name; times ascending), so two owners
 * holding the same points give the same digest whatever order the points arrived in.
 */
export function shardDigest(store: DataStore, id: number): ShardDigest {
  const shard = store.shard(id)
  if (shard === undefined) return {id, present: false, series: 0, values: 0, digest: '', perSeries: {}}
  const whole = createHash('sha256')
  const perSeries: Record<string, [number, string]> = {}
  let values = 0
  let series = 0
  for (const m of shard.measurements()) {
    const fields = [...shard.fields(m).keys()].sort()
    for (const s of shard.series(m)) {
      const h = createHash('sha256')
      let n = 0
      for (const f of fields) {
        const col = shard.read(s.key, f, MIN_TIME_NS, MAX_TIME_NS)
        if (col === undefined || col.times.length === 0) continue
        h.update(`${f}\u0000${col.type}\u0000`)
        for (let i = 0; i < col.times.length; i++) {
          const v = col.values[i]
          h.update(`${col.times[i]}=${typeof v === 'number' && col.type === 'float' ? floatBits(v) : String(v)};`)
        }
        n += col.times.length
      }
      if (n === 0) continue
      const d = h.digest('hex')
      perSeries[s.key] = [n, d]
      whole.update(`${s.key}\u0000${d}\n`)
      values += n
      series++
    }
  }
  return {id, present: true, series, values, digest: whole.digest('hex'), perSeries}
}

const floatView = new DataView(new ArrayBuffer(8))

/** A float's exact bits (so 0.1 and 0.1000000000000001 differ, and NaN payloads compare as stored). */
function floatBits(v: number): string {
  floatView.setFloat64(0, v)
  return floatView.getBigUint64(0).toString(16)
}

/** DROP MEASUREMENT, DROP SERIES and DELETE on this node's shards of the database. */
export async function applyDelete(store: DataStore, req: DeleteRequest): Promise<void> {
  const selectors = req.measurements?.map((m) => ('name' in m ? {name: m.name} : {re: compileGoRegex(m.regex)}))
  const cond = req.condition === undefined ? undefined : exprFromJson(req.condition)
  const keys = new Set<string>()
  const wholeMeasurements = new Set<string>()
  for (const id of store.shardIds(req.database)) {
    const shard = store.shard(id)
    if (shard === undefined) continue
    for (const m of shard.measurements()) {
      if (selectors !== undefined && !selectors.some((sel) => ('name' in sel ? sel.name === m : regexMatch(sel.re, m)))) continue
      if (cond === undefined && req.dropSeries) {
        wholeMeasurements.add(m)
        continue
      }
      const fields = shard.fields(m)
      for (const series of shard.series(m)) {
        if (matchSeries(cond, series, (f) => fields.has(f)) !== undefined) keys.add(series.key)
      }
    }
  }
  for (const m of wholeMeasurements) await store.dropMeasurement(req.database, m)
  if (keys.size === 0) return
  const min = req.start !== undefined ? BigInt(req.start) : MIN_TIME_NS
  const max = req.end !== undefined ? BigInt(req.end) : MAX_TIME_NS
  await store.deleteSeries(req.database, [...keys], min, max)
}

// ---------------------------------------------------------------------------------------------------------------
// The calling side

export interface Peers {
  /** The cluster RPC address of a data node, from the meta store. */
  tcpAddr(nodeId: number): string | undefined
}

function remoteError(r: RpcResponse): Error {
  return new Error(`error code ${r.code}: ${r.message}`)
}

export class ClusterCalls {
  constructor(private readonly rpc: RpcClient, private readonly peers: Peers, private readonly timeouts: {writeMs: number; readMs: number}) {}

  private addr(nodeId: number): string {
    const a = this.peers.tcpAddr(nodeId)
    if (a === undefined) throw new Error(`node not found: ${nodeId}`)
    return a
  }

  /** Writes points (already serialised as line protocol) to a shard on another node. */
  async writeShard(nodeId: number, target: ShardTarget, lineProtocol: Buffer): Promise<void> {
    const f = await this.rpc.call(this.addr(nodeId), MsgType.WriteShardRequest,
      encodeMessageParts({shardId: target.shardId, db: target.db, rp: target.rp}, lineProtocol), {timeoutMs: this.timeouts.writeMs})
    const {header} = decodeMessage<RpcResponse>(f.body)
    if (header.code !== 0) throw remoteError(header)
  }

  writePoints(nodeId: number, target: ShardTarget, points: readonly Point[]): Promise<void> {
    return this.writeShard(nodeId, target, formatPointsBuffer(points))
  }

  async shardQuery(nodeId: number, query: ShardQuery): Promise<ShardPartial> {
    const f = await this.rpc.call(this.addr(nodeId), MsgType.ShardQueryRequest, encodeMessage({query}), {timeoutMs: this.timeouts.readMs})
    const {header} = decodeMessage<RpcResponse & {partial?: unknown}>(f.body)
    if (header.code !== 0) throw new Error(header.message)
    return decodePartial(header.partial)
  }

  async delete(nodeId: number, req: DeleteRequest): Promise<void> {
    const f = await this.rpc.call(this.addr(nodeId), MsgType.ExecuteStatementRequest, encodeMessage({delete: req}), {timeoutMs: this.timeouts.readMs})
    const {header} = decodeMessage<RpcResponse>(f.body)
    if (header.code !== 0) throw new Error(header.message)
  }
}
