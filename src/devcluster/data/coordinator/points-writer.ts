/**
 * The coordinator's write path: a batch of points for one database and retention policy is mapped to shards, and
 * each shard's owners are written in parallel, counting acknowledgements against the consistency level, the way
 * InfluxDB's clustered points writer does (data-nodes.md §1.6-1.10; OSS 0.11 cluster/points_writer.go and the clone's
 * coordinator/points_writer.go for the order of decisions; Enterprise's texts where they differ):
 *
 *   - points older than now - duration are dropped, the rest written, and the caller told `points beyond retention
 *     policy dropped=N` (a partial write: HTTP 400);
 *   - a shard group covering each point's time is looked up in the meta data, or created through the meta leader;
 *   - the shard is FNV-1a-64(series key) % shards (a group with one shard skips the hash);
 *   - each shard is written to every owner in parallel: the local store for this node, the cluster RPC for others;
 *   - acknowledgements needed: any/one 1, quorum owners/2+1, all every owner. The shard's write returns as soon as
 *     enough owners acknowledged; the others finish later ("stragglers"). Otherwise, once every owner answered: some
 *     wrote -> `partial write`; none -> `write failed: <first owner error>`; and if `write-timeout` passes first ->
 *     `timeout`;
 *   - a remote owner that fails with an error that may succeed later gets the points in this node's hinted-handoff
 *     queue for it (`any` then counts the queued write as its acknowledgement); errors that can never succeed (field
 *     type conflicts, other partial writes) are not queued;
 *   - while the queue for an owner (and shard) is not empty, new writes for it go straight to the queue and that
 *     owner's result is `hinted handoff queue not empty`, unless `allow-out-of-order-writes` is on.
 *
 * The first shard whose write fails decides the batch's result. Collaborators are declared here, narrow, and given
 * by the data node: the shard store, the RPC writer, the hinted-handoff queues, the meta data and a clock.
 */

export type Consistency = 'any' | 'one' | 'quorum' | 'all'

export const CONSISTENCY_LEVELS: readonly Consistency[] = ['any', 'one', 'quorum', 'all']

/** What the writer needs of a point. */
export interface WritablePoint {
  /** The series key as influxd builds it (hashed for shard selection). */
  readonly key: string
  /** Nanoseconds since the epoch. */
  readonly time: bigint
}

export interface ShardOwnerInfo {
  id: number
  owners: number[]
}

export interface ShardGroupView {
  id: number
  /** Milliseconds since the epoch, start inclusive, end exclusive. */
  start: number
  end: number
  deletedAt?: number
  shards: ShardOwnerInfo[]
}

export interface RetentionPolicyView {
  name: string
  /** Milliseconds; 0 = infinite. */
  duration: number
  shardGroups: ShardGroupView[]
}

/** The meta data the writer reads, and the one command it issues. */
export interface WriterMeta {
  /** The policy (the default one when `rp` is empty), or an error text: `database not found: "db"` etc. */
  retentionPolicy(db: string, rp: string | undefined): RetentionPolicyView | string
  /** Creates (or returns) the group covering `timeMs` through the meta leader. */
  createShardGroup(db: string, rp: string, timeMs: number): Promise<ShardGroupView>
}

export interface ShardTarget {
  db: string
  rp: string
  shardId: number
}

/** Writes to one owner. Each rejects with an Error whose message is what the owner said. */
export interface OwnerWriters<P extends WritablePoint> {
  local(target: ShardTarget, points: readonly P[]): Promise<void>
  remote(nodeId: number, target: ShardTarget, points: readonly P[]): Promise<void>
}

/** This node's hinted-handoff queues, as the writer uses them. */
export interface HintedHandoff<P extends WritablePoint> {
  /** True while the queue for this owner and shard holds data. */
  backlog(nodeId: number, shardId: number): boolean
  /** Appends the points for `nodeId`; rejects with `queue is full`, `hinted handoff disabled`, ... */
  enqueue(nodeId: number, target: ShardTarget, points: readonly P[]): Promise<void>
}

export interface PointsWriterOptions<P extends WritablePoint> {
  nodeId: () => number
  meta: WriterMeta
  owners: OwnerWriters<P>
  hh: HintedHandoff<P>
  hash: (key: string) => bigint
  /** [cluster] write-timeout, ms. */
  writeTimeoutMs: number
  /** [cluster] allow-out-of-order-writes. */
  allowOutOfOrder?: boolean
  nowNs?: () => bigint
  /** Called once per failed owner write (the coordinator's `write failed for shard N on node M: err` line). */
  onOwnerError?: (shardId: number, nodeId: number, err: Error) => void
  /** Statistics of the `write` family. */
  stats?: WriteStats
}

/** The counters of the `write` statistic (data-nodes.md §1.15), incremented by the writer. */
export interface WriteStats {
  req: number
  pointReq: number
  pointReqLocal: number
  pointReqRemote: number
  pointReqHH: number
  writeOk: number
  writePartial: number
  writeTimeout: number
  writeError: number
  writeDrop: number
}

export function newWriteStats(): WriteStats {
  return {req: 0, pointReq: 0, pointReqLocal: 0, pointReqRemote: 0, pointReqHH: 0, writeOk: 0, writePartial: 0, writeTimeout: 0, writeError: 0, writeDrop: 0}
}

/**
 * How long one remote owner's write may take (the coordinator's and hinted handoff's): the shard writer's timeout.
 * It was `[cluster] shard-writer-timeout` (5s) until 1.2.1 and is internal since; it does not follow write-timeout.
 * With the default write-timeout (10s) a hung owner (SIGSTOP, a stalled disk) fails first, with `read message type:
 * read tcp ...: i/o timeout`, so consistency=all answers `partial write` and consistency=one on an owner alone
 * `write failed: read message type: ...`, as the bodies seen from Enterprise show (data-nodes.md §1.8, §1.12). With a
 * write-timeout below it, the write-timeout fires first and the client gets `timeout` whatever the level
 * (enterprise-1x.md §4.3), while the owner's write goes on in the background (its failure, if any, is still queued).
 * The internal value is not public: the old default, 5s.
 */
export const SHARD_WRITER_TIMEOUT_MS = 5_000

/** Why a write was refused or only partly done. `status` is the HTTP status the node answers with. */
export class WriteError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 500) {
    super(message)
    this.name = 'WriteError'
  }
}

/** Errors a destination can never accept later: queuing them would only replay the failure (data-nodes.md §3.26). */
export function isRetryable(err: Error): boolean {
  const m = err.message
  return !(/field type conflict/.test(m) || /partial write/.test(m) || /max-values-per-tag/.test(m) || /max-series-per-database/.test(m) || /invalid UTF-8|non-UTF-8/.test(m))
}

/** A shard owner's error that is the client's fault (HTTP 400 when it decides the result), as influxd's handler treats it. */
function isClientError(err: Error): boolean {
  return err.message.startsWith('partial write') || err.message.startsWith('field type conflict')
}

export const ERR_PARTIAL_WRITE = 'partial write'
export const ERR_TIMEOUT = 'timeout'
export const ERR_WRITE_FAILED = 'write failed'
export const ERR_HH_NOT_EMPTY = 'hinted handoff queue not empty'

export function requiredAcks(consistency: Consistency, owners: number): number {
  switch (consistency) {
    case 'any':
    case 'one':
      return Math.min(1, owners)
    case 'quorum':
      return Math.floor(owners / 2) + 1
    case 'all':
      return owners
  }
}

interface Mapped<P> {
  shards: Map<number, {target: ShardTarget; owners: number[]; points: P[]}>
  dropped: number
}

export class PointsWriter<P extends WritablePoint> {
  private readonly now: () => bigint

  constructor(private readonly o: PointsWriterOptions<P>) {
    this.now = o.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n)
  }

  /**
   * Writes a batch. Resolves when the consistency level is met for every shard; rejects with a WriteError whose message
   * is the body influxd answers with (`partial write`, `write failed: ...`, `timeout`, `database not found: "x"`).
   */
  async write(db: string, rp: string | undefined, points: readonly P[], consistency: Consistency): Promise<void> {
    const stats = this.o.stats
    if (stats) {
      stats.req++
      stats.pointReq += points.length
    }
    const policy = this.o.meta.retentionPolicy(db, rp)
    // An unknown database is a 404; an unknown retention policy a 500 (influxd 1.6.7; Enterprise's API docs).
    if (typeof policy === 'string') throw new WriteError(policy, policy.startsWith('database not found') ? 404 : 500)
    const mapped = await this.map(db, policy, points)
    if (stats) stats.writeDrop += mapped.dropped
    const writes = [...mapped.shards.values()].map((s) => this.writeShard(s.target, s.owners, s.points, consistency))
    // The first shard to fail decides; the others go on in the background.
    await firstFailure(writes)
    if (mapped.dropped > 0) throw new WriteError(`partial write: points beyond retention policy dropped=${mapped.dropped}`, 400)
  }

  private async map(db: string, policy: RetentionPolicyView, points: readonly P[]): Promise<Mapped<P>> {
    const now = this.now()
    const minTime = policy.duration > 0 ? now - BigInt(policy.duration) * 1_000_000n : undefined
    const groups = policy.shardGroups.filter((g) => g.deletedAt === undefined)
    const shards = new Map<number, {target: ShardTarget; owners: number[]; points: P[]}>()
    let dropped = 0
    let lastGroup: ShardGroupView | undefined
    // The last group's range in nanoseconds (start <= floor(t / 1e6) < end is startNs <= t < endNs): no division and
    // no BigInt made per point.
    let lastStartNs = 0n
    let lastEndNs = 0n
    for (const p of points) {
      if (minTime !== undefined && p.time < minTime) {
        dropped++
        continue
      }
      let g = lastGroup !== undefined && p.time >= lastStartNs && p.time < lastEndNs ? lastGroup : groups.find((x) => covers(x, p.time))
      if (g === undefined) {
        g = await this.o.meta.createShardGroup(db, policy.name, Number(floorDiv(p.time, 1_000_000n)))
        groups.push(g)
      }
      if (g !== lastGroup) {
        lastGroup = g
        lastStartNs = BigInt(g.start) * 1_000_000n
        lastEndNs = BigInt(g.end) * 1_000_000n
      }
      const shard = g.shards.length === 1 ? g.shards[0] : g.shards[Number(this.o.hash(p.key) % BigInt(g.shards.length))]
      let s = shards.get(shard.id)
      if (s === undefined) {
        s = {target: {db, rp: policy.name, shardId: shard.id}, owners: shard.owners, points: []}
        shards.set(shard.id, s)
      }
      s.points.push(p)
    }
    // The usual batch goes whole to one shard: hand on the caller's array itself, which may carry the bytes it was
    // parsed from (lineprotocol sourceLines), so the owners' writes need not format the points again.
    if (dropped === 0 && shards.size === 1) for (const s of shards.values()) s.points = points as P[]
    return {shards, dropped}
  }

  private writeShard(target: ShardTarget, owners: number[], points: P[], consistency: Consistency): Promise<void> {
    const required = requiredAcks(consistency, owners.length)
    const stats = this.o.stats
    return new Promise<void>((resolve, reject) => {
      let answered = 0
      let wrote = 0
      let firstError: Error | undefined
      let localError: Error | undefined
      let settled = false
      const settle = (err?: WriteError) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (err === undefined) {
          if (stats) stats.writeOk++
          resolve()
        } else {
          reject(err)
        }
      }
      const timer = setTimeout(() => {
        if (stats) stats.writeTimeout++
        settle(new WriteError(ERR_TIMEOUT, 500))
      }, this.o.writeTimeoutMs)
      if (owners.length === 0) {
        settle(new WriteError(ERR_WRITE_FAILED, 500))
        return
      }
      for (const owner of owners) {
        this.writeOwner(owner, target, points, consistency).then(
          () => {
            answered++
            wrote++
            if (wrote >= required) settle()
            else if (answered === owners.length) done()
          },
          (err: Error) => {
            answered++
            firstError ??= err
            if (owner === this.o.nodeId()) localError = err
            this.o.onOwnerError?.(target.shardId, owner, err)
            if (answered === owners.length) done()
          },
        )
      }
      const done = () => {
        if (wrote >= required) return settle()
        if (stats) {
          if (wrote > 0) stats.writePartial++
          else stats.writeError++
        }
        if (wrote > 0) return settle(new WriteError(ERR_PARTIAL_WRITE, 500))
        // When this node owns the shard too, its own error decides (the same points fail the same way on every
        // owner, and the answer must not depend on which owner answered first).
        const decisive = localError ?? firstError
        if (decisive !== undefined) {
          // A write no owner could take because of the points themselves reads as influxd's own answer (400).
          if (isClientError(decisive)) return settle(new WriteError(decisive.message, 400))
          return settle(new WriteError(`${ERR_WRITE_FAILED}: ${decisive.message}`, 500))
        }
        settle(new WriteError(ERR_WRITE_FAILED, 500))
      }
    })
  }

  /** One owner's write: local, or remote with the backlog rule and the hinted-handoff fallback. */
  private async writeOwner(owner: number, target: ShardTarget, points: P[], consistency: Consistency): Promise<void> {
    const stats = this.o.stats
    if (owner === this.o.nodeId()) {
      if (stats) stats.pointReqLocal += points.length
      return this.o.owners.local(target, points)
    }
    if (!this.o.allowOutOfOrder && this.o.hh.backlog(owner, target.shardId)) {
      // Keep the owner's points in order: behind what is already queued for it.
      await this.o.hh.enqueue(owner, target, points)
      if (stats) stats.pointReqHH += points.length
      if (consistency === 'any') return
      throw new Error(ERR_HH_NOT_EMPTY)
    }
    if (stats) stats.pointReqRemote += points.length
    try {
      await this.o.owners.remote(owner, target, points)
    } catch (err) {
      const e = err as Error
      if (!isRetryable(e)) throw e
      // The owner may take it later: queue it. A failed enqueue is the owner's result ("queue is full").
      await this.o.hh.enqueue(owner, target, points)
      if (stats) stats.pointReqHH += points.length
      if (consistency === 'any') return
      throw e
    }
  }
}

function covers(g: ShardGroupView, timeNs: bigint): boolean {
  const ms = floorDiv(timeNs, 1_000_000n)
  return BigInt(g.start) <= ms && ms < BigInt(g.end)
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

/** Resolves when every promise resolved; rejects with the first rejection (in time), as InfluxDB's writer does. */
function firstFailure(promises: Array<Promise<void>>): Promise<void> {
  if (promises.length === 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    let left = promises.length
    for (const p of promises) {
      p.then(() => {
        if (--left === 0) resolve()
      }, reject)
    }
  })
}
