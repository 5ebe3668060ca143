/**
 * The hinted-handoff queues of one destination node: <hh dir>/<node id>/<shard id>/, one SegmentQueue per shard, with
 * Enterprise's max-size enforced per destination node across all its shards. Written by hand because npm has no
 * suitable durable segment queue (see queue.ts).
 */
import {mkdir, readdir} from 'node:fs/promises'
import {join} from 'node:path'

import {dataBlockBytes, DEFAULT_MAX_SIZE_BYTES, QUEUE_FULL_MESSAGE} from './format.js'
import {
  HhEngineError, parseId, type PurgeResult, type QueueFinding, type QueueOptions, queueDirError, type QueueStats, SegmentQueue, sumIfKnown,
} from './queue.js'

/**
 * An append would take a destination node's queues past max-size. The message is Enterprise's, exactly (`queue is
 * full`): a data node returns it to the writer as it is.
 */
export class QueueFullError extends HhEngineError {
  override name = 'QueueFullError'
  constructor(readonly nodeId: number, readonly diskBytes: number, readonly maxSizeBytes: number, path: string) {
    super(QUEUE_FULL_MESSAGE, 'hh-queue-full', path)
  }
}

export type NodeQueuesOptions = Omit<QueueOptions, 'onDiskBytes'> & {
  /** [hinted-handoff] max-size: bytes on disk for this destination, all shards together (default 10 GiB). */
  maxSizeBytes?: number
}

export interface ShardStats extends QueueStats {
  shardId: number
}

/** The sums over a node's shard queues (earliest oldest write, latest newest write), and the shards. */
export interface NodeStats extends QueueStats {
  nodeId: number
  /** What diskBytes is compared to (Enterprise compares its hh_node.queueTotalSize, i.e. diskBytes). */
  maxSizeBytes: number
  shards: ShardStats[]
}

export interface ShardPurge extends PurgeResult {
  shardId: number
}

/**
 * Numeric subdirectories of `dir` (node or shard ids), creating `dir` when missing; every other entry is reported as
 * foreign and left alone.
 */
export async function listIdDirs(dir: string, what: string, onFinding: (f: QueueFinding) => void): Promise<Map<number, string>> {
  try {
    await mkdir(dir, {recursive: true})
    const found = new Map<number, string>()
    for (const entry of await readdir(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name)
      const id = parseId(entry.name)
      if (id !== undefined && entry.isDirectory()) found.set(id, path)
      else onFinding({kind: 'foreign-entry', path, message: `not a ${what} directory: ignored`})
    }
    return found
  } catch (err) {
    throw queueDirError(dir, err)
  }
}

export class NodeQueues {
  private readonly queues = new Map<number, SegmentQueue>()
  private readonly opening = new Map<number, Promise<SegmentQueue>>()
  /** diskBytes of every shard queue, kept current by their onDiskBytes callbacks. */
  private diskBytes = 0
  readonly maxSizeBytes: number
  private readonly queueOptions: QueueOptions

  private constructor(readonly nodeId: number, readonly dir: string, options: NodeQueuesOptions) {
    const {maxSizeBytes, ...queueOptions} = options
    this.maxSizeBytes = maxSizeBytes ?? DEFAULT_MAX_SIZE_BYTES
    this.queueOptions = {...queueOptions, onDiskBytes: (delta) => (this.diskBytes += delta)}
  }

  /** Opens every shard queue under `dir` (created when missing); foreign entries are reported through onFinding. */
  static async open(nodeId: number, dir: string, options: NodeQueuesOptions = {}): Promise<NodeQueues> {
    const node = new NodeQueues(nodeId, dir, options)
    const shards = await listIdDirs(dir, 'shard', options.onFinding ?? (() => {}))
    try {
      for (const [shardId, path] of shards) node.queues.set(shardId, await node.openQueue(path))
    } catch (err) {
      await node.close()
      throw err
    }
    return node
  }

  /**
   * Appends to the shard's queue (created on first use); resolves once the block is on disk. Rejects with
   * QueueFullError ("queue is full") when the block would take this node's queues past max-size.
   */
  append(shardId: number, data: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(shardId) || shardId < 1) return Promise.reject(new RangeError(`bad shard id ${shardId}`))
    const bytes = dataBlockBytes(data.length)
    if (this.diskBytes + bytes > this.maxSizeBytes) {
      return Promise.reject(new QueueFullError(this.nodeId, this.diskBytes, this.maxSizeBytes, this.dir))
    }
    const queue = this.queues.get(shardId)
    return queue ? queue.append(data) : this.appendToNewShard(shardId, data, bytes)
  }

  /** The queue of one shard, if it exists. */
  shard(shardId: number): SegmentQueue | undefined {
    return this.queues.get(shardId)
  }

  /** Every shard queue, by shard id. */
  shards(): Array<{shardId: number; queue: SegmentQueue}> {
    return [...this.queues].sort(([a], [b]) => a - b).map(([shardId, queue]) => ({shardId, queue}))
  }

  async stats(): Promise<NodeStats> {
    const shards = await Promise.all(this.shards().map(async ({shardId, queue}) => ({shardId, ...(await queue.stats())})))
    const total: NodeStats = {
      nodeId: this.nodeId, maxSizeBytes: this.maxSizeBytes, diskBytes: this.diskBytes, pendingBytes: 0, pendingBlocks: 0,
      segments: 0, bytesWritten: 0, bytesRead: 0, commits: 0, shards,
    }
    for (const s of shards) {
      total.pendingBytes += s.pendingBytes
      total.pendingBlocks = sumIfKnown(total.pendingBlocks, s.pendingBlocks)
      total.segments += s.segments
      total.bytesWritten += s.bytesWritten
      total.bytesRead += s.bytesRead
      total.commits += s.commits
      total.oldestWriteMs = minDefined(total.oldestWriteMs, s.oldestWriteMs)
      total.newestWriteMs = maxDefined(total.newestWriteMs, s.newestWriteMs)
    }
    return total
  }

  /** max-age purge of every shard queue (see SegmentQueue.purgeOlderThan); shards that lost nothing are left out. */
  async purgeOlderThan(maxAgeMs: number, now?: number): Promise<ShardPurge[]> {
    const purged: ShardPurge[] = []
    for (const {shardId, queue} of this.shards()) {
      const result = await queue.purgeOlderThan(maxAgeMs, now)
      if (result.segments > 0) purged.push({shardId, ...result})
    }
    return purged
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.opening.values())
    for (const queue of this.queues.values()) await queue.close()
  }

  private async appendToNewShard(shardId: number, data: Uint8Array, bytes: number): Promise<void> {
    // Counted while the queue opens, so that concurrent appends cannot all pass the max-size check meanwhile.
    this.diskBytes += bytes
    let queue: SegmentQueue
    try {
      queue = await this.openShard(shardId)
    } finally {
      this.diskBytes -= bytes
    }
    return queue.append(data)
  }

  private openShard(shardId: number): Promise<SegmentQueue> {
    const open = this.queues.get(shardId)
    if (open) return Promise.resolve(open)
    let opening = this.opening.get(shardId)
    if (!opening) {
      opening = this.openQueue(join(this.dir, String(shardId))).then((queue) => {
        this.queues.set(shardId, queue)
        return queue
      }).finally(() => this.opening.delete(shardId))
      this.opening.set(shardId, opening)
    }
    return opening
  }

  private openQueue(path: string): Promise<SegmentQueue> {
    return SegmentQueue.open(path, this.queueOptions)
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}
