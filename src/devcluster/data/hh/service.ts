/**
 * The data node's hinted-handoff service: queues, in Enterprise's layout `<dir>/<node id>/<shard id>/<segment>`, the
 * writes a remote owner could not take, drains each queue with its own processor, purges data older than max-age,
 * and publishes the statistics Enterprise publishes (hh, hh_processor, hh_database, hh_node) with their real meaning:
 * bytesWritten counts bytes appended to a queue, bytesRead bytes read from it and delivered (enterprise-1x.md §6.6).
 *
 * It is the `HintedHandoff` the coordinator's points writer asks: is there a backlog for this owner and shard (new
 * writes then go behind it), and enqueue these points (`queue is full` past max-size, `hinted handoff disabled`).
 */
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {HhStore} from '../../../hh/store.js'
import {diskFullError} from '../../node/faults.js'
import type {Statistic} from '../../node/stats.js'
import {encodeBlock} from './block.js'
import {newProcessorStats, NodeProcessor, type ProcessorDeps, type ProcessorStats, type RetrySettings} from './processor.js'

export interface HhSettings extends RetrySettings {
  enabled: boolean
  dir: string
  /** Bytes on disk per destination node (all its shards). */
  maxSizeBytes: number
  /** Data older than this is purged (ms). */
  maxAgeMs: number
  purgeIntervalMs: number
  /** Sends in flight per destination node. */
  retryConcurrency: number
  /** Largest block (bytes of points) queued in one piece; bigger writes are split on line boundaries. */
  batchSize: number
  /** Group commit interval of the queues' fdatasync (ms). */
  syncIntervalMs?: number
}

export type HhServiceDeps = Omit<ProcessorDeps, 'acquire' | 'generation' | 'drained'>

export const HH_DISABLED = 'hinted handoff disabled'

interface Queue {
  stats: ProcessorStats
  processor?: NodeProcessor
  /** The database of the shard (known from the first write queued for it). */
  db?: string
  /** Data appended and not yet seen drained; `gen` counts appends, so a drain that raced with one cannot clear it. */
  nonEmpty: boolean
  gen: number
}

export class HintedHandoffService {
  private store?: HhStore
  private readonly queues = new Map<string, Queue>()
  private readonly semaphores = new Map<number, Semaphore>()
  private readonly top = {writeShardReq: 0, writeShardReqPoints: 0}
  private purgeTimer?: NodeJS.Timeout
  private closed = false

  constructor(private readonly settings: HhSettings, private readonly deps: HhServiceDeps) {}

  /** Opens every queue found under the directory and starts its processor. */
  async open(): Promise<void> {
    this.deps.log('info', 'Starting hinted handoff service')
    this.deps.log('info', `Using data dir: ${this.settings.dir}`)
    this.store = await HhStore.open(this.settings.dir, {
      maxSizeBytes: this.settings.maxSizeBytes,
      sync: {intervalMs: this.settings.syncIntervalMs ?? 0},
      onFinding: (f) => this.deps.log('warn', `${f.path}: ${f.message}`),
    })
    for (const node of this.store.nodes()) {
      for (const {shardId, queue} of node.shards()) {
        const q = this.record(node.nodeId, shardId)
        q.nonEmpty = (await queue.stats()).pendingBytes > 0
        this.startProcessor(node.nodeId, shardId, q)
      }
    }
    this.schedulePurge()
  }

  /** True while the queue for this owner and shard holds data: new writes for it must go behind that data. */
  backlog(nodeId: number, shardId: number): boolean {
    return this.queues.get(key(nodeId, shardId))?.nonEmpty ?? false
  }

  /**
   * Queues points for a destination; resolves once they are on disk. `serialized` is the points as nanosecond line
   * protocol, one per line. Rejects with `hinted handoff disabled` or `queue is full`.
   */
  async enqueue(nodeId: number, target: {db: string; rp: string; shardId: number}, serialized: Buffer, count: number): Promise<void> {
    if (!this.settings.enabled) throw new Error(HH_DISABLED)
    if (this.store === undefined || this.closed) throw new Error('hinted handoff service is closed')
    const q = this.record(nodeId, target.shardId)
    q.db ??= target.db
    const stats = q.stats
    this.top.writeShardReq++
    this.top.writeShardReqPoints += count
    stats.writeShardReq++
    stats.writeShardReqPoints += count
    const blocks = splitLines(serialized, count, this.settings.batchSize).map((part) => encodeBlock(target.db, target.rp, part.count, part.bytes))
    try {
      const full = diskFullError('hh', join(this.settings.dir, String(nodeId), String(target.shardId))) // dev fault disk-full
      if (full) throw full
      await Promise.all(blocks.map((b) => (this.store as HhStore).append(nodeId, target.shardId, b)))
    } catch (err) {
      if ((err as Error).message === 'queue is full') stats.writeDropped++
      throw err
    }
    for (const b of blocks) stats.bytesWritten += b.length
    q.nonEmpty = true
    q.gen++
    this.startProcessor(nodeId, target.shardId, q)
  }

  /** The destination nodes this node holds queues for (empty ones included). */
  queuedNodes(): number[] {
    return this.store === undefined ? [] : this.store.nodes().map((n) => n.nodeId)
  }

  /** Stops sending to a node removed from the cluster and deletes its queues (Enterprise does on remove-data). */
  async removeNode(nodeId: number): Promise<void> {
    for (const [k, q] of [...this.queues]) {
      if (!k.startsWith(`${nodeId}/`)) continue
      await q.processor?.stop()
      this.queues.delete(k)
    }
    await this.store?.removeNode(nodeId)
    await rm(join(this.settings.dir, String(nodeId)), {recursive: true, force: true})
    this.deps.log('info', `removed hinted handoff queue for node ${nodeId}`)
  }

  /** Cuts the wait of every processor of a node short (the node came back). */
  poke(nodeId: number): void {
    for (const [k, q] of this.queues) if (k.startsWith(`${nodeId}/`)) q.processor?.poke()
  }

  /** hh, hh_processor (one per queue), hh_database (per db and node) and hh_node (per node) statistics. */
  async statistics(): Promise<Statistic[]> {
    const out: Statistic[] = [{name: 'hh', tags: {path: this.settings.dir}, values: {...this.top}}]
    if (this.store === undefined) return out
    const perDb = new Map<string, Statistic>()
    for (const node of this.store.nodes()) {
      const ns = await node.stats()
      for (const shard of ns.shards) {
        const q = this.queues.get(key(node.nodeId, shard.shardId))
        const p = q?.stats ?? newProcessorStats()
        const values = {...p, queueBytes: shard.pendingBytes, queueDepth: shard.segments}
        out.push({name: 'hh_processor', tags: {node: String(node.nodeId), path: join(this.settings.dir, String(node.nodeId), String(shard.shardId))}, values})
        if (q?.db !== undefined) {
          const k = `${q.db}\u0000${node.nodeId}`
          const agg = perDb.get(k) ?? {name: 'hh_database', tags: {db: q.db, node: String(node.nodeId)}, values: {}}
          for (const [name, v] of Object.entries(values)) agg.values[name] = Number(agg.values[name] ?? 0) + v
          perDb.set(k, agg)
        }
      }
      out.push({name: 'hh_node', tags: {node: String(node.nodeId)}, values: {queueTotalSize: ns.diskBytes}})
    }
    out.push(...perDb.values())
    return out
  }

  /** What `medic dev status` shows: per destination, bytes queued and whether it is draining. */
  async summary(): Promise<Array<{nodeId: number; queueBytes: number; nextAttemptMs: number; intervalMs: number}>> {
    if (this.store === undefined) return []
    const out = []
    for (const node of this.store.nodes()) {
      const ns = await node.stats()
      const procs = [...this.queues].filter(([k, q]) => k.startsWith(`${node.nodeId}/`) && q.processor !== undefined).map(([, q]) => q.processor as NodeProcessor)
      out.push({
        nodeId: node.nodeId,
        queueBytes: ns.pendingBytes,
        nextAttemptMs: Math.min(...procs.map((p) => p.nextAttemptMs), Number.POSITIVE_INFINITY),
        intervalMs: Math.max(0, ...procs.map((p) => p.currentIntervalMs())),
      })
    }
    return out
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.purgeTimer)
    await Promise.all([...this.queues.values()].map((q) => q.processor?.stop()))
    await this.store?.close()
    this.deps.log('info', 'shutting down hh service')
  }

  private record(nodeId: number, shardId: number): Queue {
    const k = key(nodeId, shardId)
    let q = this.queues.get(k)
    if (q === undefined) {
      q = {stats: newProcessorStats(), nonEmpty: false, gen: 0}
      this.queues.set(k, q)
    }
    return q
  }

  /** Starts the queue's processor once the engine has the queue (it creates it on the first append). */
  private startProcessor(nodeId: number, shardId: number, q: Queue): void {
    if (q.processor !== undefined || this.closed) return
    const queue = this.store?.node(nodeId)?.shard(shardId)
    if (queue === undefined) return
    const sem = this.semaphore(nodeId)
    q.processor = new NodeProcessor(nodeId, shardId, queue, q.stats, this.settings, {
      ...this.deps,
      acquire: () => sem.acquire(),
      generation: () => q.gen,
      drained: (gen) => {
        if (q.gen === gen) q.nonEmpty = false
        // Give the delivered segment's disk back: max-size counts disk bytes, so a drained queue must not hold them.
        queue.reclaim().catch((err: Error) => {
          if (!this.closed) this.deps.log('error', `failed to advance queue for node ${nodeId}: ${err.message}`)
        })
      },
    })
    q.processor.start()
  }

  private semaphore(nodeId: number): Semaphore {
    let s = this.semaphores.get(nodeId)
    if (s === undefined) {
      s = new Semaphore(Math.max(1, this.settings.retryConcurrency))
      this.semaphores.set(nodeId, s)
    }
    return s
  }

  private schedulePurge(): void {
    if (this.closed || this.settings.purgeIntervalMs <= 0) return
    this.purgeTimer = setTimeout(async () => {
      try {
        for (const p of (await this.store?.purgeOlderThan(this.settings.maxAgeMs, this.deps.now())) ?? []) {
          this.deps.log('info', `purged ${p.segments} segment(s), ${p.bytes} bytes older than max-age from the queue for node ${p.nodeId} shard ${p.shardId}`)
        }
      } catch (err) {
        this.deps.log('error', `failed to purge: ${(err as Error).message}`)
      }
      this.schedulePurge()
    }, this.settings.purgeIntervalMs)
    this.purgeTimer.unref()
  }
}

function key(nodeId: number, shardId: number): string {
  return `${nodeId}/${shardId}`
}

/** Splits line protocol into pieces of at most `max` bytes on line boundaries (a longer line stays whole). */
export function splitLines(bytes: Buffer, count: number, max: number): Array<{bytes: Buffer; count: number}> {
  if (max <= 0 || bytes.length <= max) return [{bytes, count}]
  const out: Array<{bytes: Buffer; count: number}> = []
  let start = 0
  let lines = 0
  let lastCut = 0
  let lastCutLines = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue
    lines++
    if (i + 1 - start > max && lastCut > start) {
      out.push({bytes: bytes.subarray(start, lastCut), count: lastCutLines})
      start = lastCut
      lines -= lastCutLines
    }
    lastCut = i + 1
    lastCutLines = lines
  }
  if (start < bytes.length) {
    const rest = bytes.subarray(start)
    const restLines = lines + (rest[rest.length - 1] === 0x0a ? 0 : 1)
    out.push({bytes: rest, count: restLines})
  }
  return out
}

class Semaphore {
  private free: number
  private readonly waiters: Array<() => void> = []

  constructor(size: number) {
    this.free = size
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--
    else await new Promise<void>((r) => this.waiters.push(r))
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiters.shift()
      if (next) next()
      else this.free++
    }
  }
}
