/**
 * A whole hinted-handoff directory, as a data node keeps it: <hh dir>/<destination node id>/<shard id>/<segment>. The
 * dev cluster's data nodes queue writes for unreachable peers here, drain them, purge by max-age and publish the
 * statistics. Written by hand because npm has no suitable durable segment queue (see queue.ts).
 */
import {join} from 'node:path'

import {listIdDirs, NodeQueues, type NodeQueuesOptions, type NodeStats, type ShardPurge} from './node-queues.js'

export type HhStoreOptions = NodeQueuesOptions

export interface NodePurge extends ShardPurge {
  nodeId: number
}

export class HhStore {
  private readonly nodesById = new Map<number, NodeQueues>()
  private readonly opening = new Map<number, Promise<NodeQueues>>()

  private constructor(readonly dir: string, private readonly options: HhStoreOptions) {}

  /**
   * Opens every node and shard queue under `dir` (created when missing). Foreign entries, torn tails and the like are
   * reported through options.onFinding; a directory that cannot be used throws an HhEngineError.
   */
  static async open(dir: string, options: HhStoreOptions = {}): Promise<HhStore> {
    const store = new HhStore(dir, options)
    const nodes = await listIdDirs(dir, 'node', options.onFinding ?? (() => {}))
    try {
      for (const [nodeId, path] of nodes) store.nodesById.set(nodeId, await NodeQueues.open(nodeId, path, options))
    } catch (err) {
      await store.close()
      throw err
    }
    return store
  }

  /** Queues data for a destination node and shard; see NodeQueues.append (QueueFullError at max-size). */
  async append(nodeId: number, shardId: number, data: Uint8Array): Promise<void> {
    const node = this.nodesById.get(nodeId) ?? (await this.openNode(nodeId))
    return node.append(shardId, data)
  }

  node(nodeId: number): NodeQueues | undefined {
    return this.nodesById.get(nodeId)
  }

  /** Every destination node, by id. */
  nodes(): NodeQueues[] {
    return [...this.nodesById].sort(([a], [b]) => a - b).map(([, node]) => node)
  }

  stats(): Promise<NodeStats[]> {
    return Promise.all(this.nodes().map((node) => node.stats()))
  }

  /** max-age purge of every queue; only the queues that lost something are listed. */
  async purgeOlderThan(maxAgeMs: number, now?: number): Promise<NodePurge[]> {
    const purged: NodePurge[] = []
    for (const node of this.nodes()) {
      for (const shard of await node.purgeOlderThan(maxAgeMs, now)) purged.push({nodeId: node.nodeId, ...shard})
    }
    return purged
  }

  /** Closes a destination node's queues and forgets them (the caller deletes the directory). */
  async removeNode(nodeId: number): Promise<void> {
    const node = this.nodesById.get(nodeId)
    this.nodesById.delete(nodeId)
    await node?.close()
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.opening.values())
    for (const node of this.nodesById.values()) await node.close()
  }

  private openNode(nodeId: number): Promise<NodeQueues> {
    if (!Number.isSafeInteger(nodeId) || nodeId < 1) return Promise.reject(new RangeError(`bad node id ${nodeId}`))
    let opening = this.opening.get(nodeId)
    if (!opening) {
      opening = NodeQueues.open(nodeId, join(this.dir, String(nodeId)), this.options).then((node) => {
        this.nodesById.set(nodeId, node)
        return node
      }).finally(() => this.opening.delete(nodeId))
      this.opening.set(nodeId, opening)
    }
    return opening
  }
}
