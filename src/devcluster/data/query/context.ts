/**
 * What every statement runs with: the node's collaborators, the query's options, and the one way to read shards
 * across the cluster (dispatch): each shard is read from one owner, the local node when it owns the shard, and each
 * asked node gets one request for all the shards it is asked about.
 */
import type {ShardReader} from '../store/types.js'
import type {
  DataCommands, DatabaseView, LocalShards, MetaCommands, MetaView, Monitor, PointsWriter, RemoteShards, RetentionPolicyView,
  ShardGroupView,
} from './collaborators.js'
import {ShardQueryError, mergePartials, runShardQuery} from './shard-run.js'
import type {Message} from './result.js'
import type {ShardPartial, ShardQuery} from './shard-types.js'

export interface ExecutorDeps {
  meta: MetaView
  metaCommands: MetaCommands
  /** This data node's id in the meta store. */
  nodeId: number
  local: LocalShards
  remote: RemoteShards
  data?: DataCommands
  monitor?: Monitor
  pointsWriter?: PointsWriter
  /** Unix ns. */
  now: () => bigint
}

export interface ExecuteOptions {
  /** The `db` parameter ("" = none). */
  database: string
  /** The `rp` parameter. */
  retentionPolicy: string
  /** Rows per series per result (influxd's 10000 unless the client chunks with another size). */
  chunkSize: number
  /** GET requests: statements that change something carry influxd's deprecation warning. */
  readOnly: boolean
}

/** An error a statement fails with; its message is what the client reads. */
export class StatementError extends Error {}

/** influxd's warning for a statement that changes something, sent with GET. */
export function readOnlyWarning(ctx: Context, statementText: string): Message[] | undefined {
  return ctx.opts.readOnly ? [{level: 'warning', text: `deprecated use of '${statementText}' in a read only context, please use a POST request instead`}] : undefined
}

export class Context {
  constructor(readonly deps: ExecutorDeps, readonly opts: ExecuteOptions) {}

  database(name: string): DatabaseView | undefined {
    return this.deps.meta.databases().find((d) => d.name === name)
  }

  /** Shard groups of a policy overlapping [min, max] (ns), deleted ones left out. */
  shardGroups(rp: RetentionPolicyView, min: bigint, max: bigint): ShardGroupView[] {
    return rp.shardGroups.filter((g) => g.deletedAt === undefined && BigInt(g.start) * 1_000_000n <= max && BigInt(g.end) * 1_000_000n > min)
  }

  /** The owner to read each shard from: this node when it owns it, else its first owner. Shards nobody owns are skipped. */
  ownersOf(groups: ShardGroupView[]): Map<number, number[]> {
    const byNode = new Map<number, number[]>()
    for (const g of groups) {
      for (const sh of g.shards) {
        if (sh.owners.length === 0) continue
        const node = sh.owners.includes(this.deps.nodeId) ? this.deps.nodeId : sh.owners[0]
        const list = byNode.get(node) ?? []
        list.push(sh.id)
        byNode.set(node, list)
      }
    }
    return byNode
  }

  /**
   * Runs one request per node (built by `build` from that node's shard ids) and merges the answers. Local shards are
   * read in this process; the others through the RPC collaborator. undefined when no node holds any shard.
   */
  async dispatch(byNode: ReadonlyMap<number, number[]>, build: (shardIds: number[], node: number) => ShardQuery): Promise<ShardPartial | undefined> {
    const nodes = [...byNode.keys()].sort((a, b) => a - b)
    const answers = await Promise.all(nodes.map(async (node): Promise<[ShardQuery, ShardPartial]> => {
      const q = build(byNode.get(node)!, node)
      if (node === this.deps.nodeId) return [q, runShardQuery(this.localReaders(byNode.get(node)!), q)]
      try {
        return [q, await this.deps.remote(node, q)]
      } catch (err) {
        // A remote owner that fails (network, its own error) fails the statement, as a failed shard read does in influxd.
        throw new StatementError(err instanceof Error ? err.message : String(err))
      }
    }))
    let merged: ShardPartial | undefined
    for (const [q, p] of answers) {
      if (p.kind !== q.kind) throw new StatementError(`cannot merge a ${p.kind} result into a ${q.kind} result`)
      try {
        merged = merged === undefined ? p : mergePartials(q, merged, p)
      } catch (err) {
        if (err instanceof ShardQueryError) throw new StatementError(err.message)
        throw err
      }
    }
    return merged
  }

  private localReaders(ids: number[]): Map<number, ShardReader> {
    const m = new Map<number, ShardReader>()
    for (const id of ids) {
      const r = this.deps.local.reader(id)
      if (r !== undefined) m.set(id, r)
    }
    return m
  }

  get metaCommands(): MetaCommands {
    return this.deps.metaCommands
  }

  get data(): DataCommands | undefined {
    return this.deps.data
  }

  get monitor(): Monitor | undefined {
    return this.deps.monitor
  }
}
