/**
 * One hinted-handoff processor: it drains one queue (destination node, shard) to its owner, the way InfluxDB's node
 * processor does (data-nodes.md §3.23-3.27; enterprise-1x.md §6.5):
 *
 *   - wait the current interval (it starts at retry-interval);
 *   - send blocks in order, back to back, until one fails or the queue is empty;
 *   - a success resets the interval to retry-interval; a failure doubles it, up to retry-max-interval;
 *   - a block the destination can never take (field type conflict, partial write, ...) is dropped: logged, counted
 *     as writeDropped, and the queue moves on (Enterprise 1.0-1.7.8 behaviour, so a bad point cannot block a queue);
 *   - `retry-rate-limit` (bytes/s, 0 = none) paces the sends; `retry-concurrency` caps how many queues of one
 *     destination send at the same time (a semaphore shared by that destination's processors);
 *   - one request carries up to `batch-size` bytes (Enterprise's "bytes per HH write request"): the blocks that follow
 *     the head in memory are sent with it, so a queue of many small writes drains in few requests (and few fsyncs on
 *     the destination) rather than one per client write.
 *
 * Blocks are advanced only after the destination acknowledged them: a crash replays them (at least once, never lost).
 * The queue engine is src/hh/queue.ts; the sender, the clock and the sleep are given, so tests can drive time.
 */
import type {SegmentQueue} from '../../../hh/queue.js'
import {decodeBlock, joinLines} from './block.js'

export interface ProcessorStats {
  bytesRead: number
  bytesWritten: number
  writeNodeReq: number
  writeNodeReqFail: number
  writeNodeReqPoints: number
  writeShardReq: number
  writeShardReqPoints: number
  writeDropped: number
  writeBlocked: number
}

export function newProcessorStats(): ProcessorStats {
  return {bytesRead: 0, bytesWritten: 0, writeNodeReq: 0, writeNodeReqFail: 0, writeNodeReqPoints: 0, writeShardReq: 0, writeShardReqPoints: 0, writeDropped: 0, writeBlocked: 0}
}

export interface RetrySettings {
  retryIntervalMs: number
  retryMaxIntervalMs: number
  /** Bytes per second; 0 = unlimited. */
  retryRateLimit: number
  /** Most bytes of blocks sent in one request ([hinted-handoff] batch-size); 0 or absent: one block per request. */
  batchSize?: number
}

export interface ProcessorDeps {
  /** Delivers the points of one block to the destination (the cluster RPC's write shard); rejects with its error. */
  send(nodeId: number, target: {db: string; rp: string; shardId: number}, lineProtocol: Buffer): Promise<void>
  /** Errors that will never succeed: the block is dropped instead of retried. */
  isRetryable(err: Error): boolean
  /** Waits `ms` or until `signal` aborts (then resolves early). */
  sleep(ms: number, signal: AbortSignal): Promise<void>
  now(): number
  log(level: 'info' | 'warn' | 'error', message: string): void
  /** Taken before each send and released after it: limits concurrent sends per destination. */
  acquire(): Promise<() => void>
  /** Whether the destination is still a data node of the cluster (a removed one is not retried). */
  active(nodeId: number): boolean
  /** A counter of appends to this queue, read before each look at its head... */
  generation(): number
  /** ...and reported when a look found the queue empty: `gen` is the counter as it was before that look. */
  drained(gen: number): void
}

export class NodeProcessor {
  private interval: number
  private readonly controller = new AbortController()
  private loop?: Promise<void>
  private wake?: () => void
  /** When the next delivery attempt is due (ms, deps.now()); for `medic dev status` and the HH view. */
  nextAttemptMs: number

  constructor(
    readonly nodeId: number,
    readonly shardId: number,
    readonly queue: SegmentQueue,
    readonly stats: ProcessorStats,
    private readonly settings: RetrySettings,
    private readonly deps: ProcessorDeps,
  ) {
    this.interval = settings.retryIntervalMs
    this.nextAttemptMs = deps.now() + this.interval
  }

  start(): void {
    this.loop ??= this.run()
  }

  /** Cuts the current wait short (new data arrived, or the destination is back). */
  poke(): void {
    this.wake?.()
  }

  /** The wait before the next attempt, as the back-off stands now. */
  currentIntervalMs(): number {
    return this.interval
  }

  async stop(): Promise<void> {
    this.controller.abort()
    this.wake?.()
    await this.loop
  }

  private async run(): Promise<void> {
    const {signal} = this.controller
    while (!signal.aborted) {
      this.nextAttemptMs = this.deps.now() + this.interval
      const waker = new AbortController()
      this.wake = () => waker.abort()
      const onStop = () => waker.abort()
      signal.addEventListener('abort', onStop, {once: true})
      await this.deps.sleep(this.interval, waker.signal)
      signal.removeEventListener('abort', onStop)
      this.wake = undefined
      if (signal.aborted) break
      if (!this.deps.active(this.nodeId)) {
        this.interval = this.settings.retryIntervalMs // nothing to send to: do not back off, just look again
        continue
      }
      try {
        const outcome = await this.drain(signal)
        if (outcome === 'failed') this.interval = Math.min(this.interval * 2, this.settings.retryMaxIntervalMs)
        else this.interval = this.settings.retryIntervalMs
      } catch (err) {
        if (signal.aborted) break
        this.deps.log('error', `failed to advance queue for node ${this.nodeId}: ${(err as Error).message}`)
        this.interval = Math.min(this.interval * 2, this.settings.retryMaxIntervalMs)
      }
    }
  }

  /** Acknowledges the peeked block; a failed commit is logged (the block is then delivered again after a restart). */
  private advance(): void {
    this.queue.advance().catch((err: Error) => this.deps.log('error', `failed to advance queue for node ${this.nodeId}: ${err.message}`))
  }

  /** Sends blocks until the queue is empty ('empty') or a send fails ('failed'). */
  private async drain(signal: AbortSignal): Promise<'empty' | 'failed'> {
    let sentAt = this.deps.now()
    for (;;) {
      if (signal.aborted) return 'empty'
      const gen = this.deps.generation()
      const block = await this.queue.peek()
      if (block === undefined) {
        this.deps.drained(gen)
        return 'empty'
      }
      const decoded = decodeBlock(block)
      if (decoded === undefined) {
        this.deps.log('warn', `unmarshal write failed: block of ${block.length} bytes in the queue for node ${this.nodeId} shard ${this.shardId} is not a write; dropped`)
        this.stats.writeDropped++
        this.advance()
        continue
      }
      // The blocks after it, up to batch-size bytes in all, go in the same request (a shard's queue holds one
      // database and retention policy; a block that is not a write, or says otherwise, waits for its own turn).
      const points = [decoded.points]
      let count = decoded.count
      let bytes = block.length
      const limit = this.settings.batchSize ?? 0
      const more = limit > 0 && bytes < limit ? this.queue.peekMore((next) => {
        const d = bytes + next.length <= limit ? decodeBlock(next) : undefined
        if (d === undefined || d.db !== decoded.db || d.rp !== decoded.rp) return false
        points.push(d.points)
        count += d.count
        bytes += next.length
        return true
      }) : []
      const release = await this.deps.acquire()
      let error: Error | undefined
      try {
        await this.deps.send(this.nodeId, {db: decoded.db, rp: decoded.rp, shardId: this.shardId}, joinLines(points))
      } catch (err) {
        error = err as Error
      } finally {
        release()
      }
      if (error === undefined) {
        this.stats.writeNodeReq++
        this.stats.writeNodeReqPoints += count
        this.stats.bytesRead += bytes
        this.advance() // the next block is sent without waiting for this head's commit
        // Any success resets the back-off.
        this.interval = this.settings.retryIntervalMs
      } else if (!this.deps.isRetryable(error)) {
        // The destination stored what it could (a partial write); the rest can never be taken.
        this.deps.log('warn', `dropping write for node ${this.nodeId} shard ${this.shardId}: ${error.message}`)
        this.stats.writeDropped += 1 + more.length
        this.advance()
      } else {
        this.stats.writeNodeReqFail++
        this.deps.log('info', `failed to write to node ${this.nodeId} shard ${this.shardId}, will retry: ${error.message}`)
        return 'failed'
      }
      // Pace to retry-rate-limit: each request's bytes take bytes/limit seconds.
      if (this.settings.retryRateLimit > 0) {
        const due = sentAt + (bytes / this.settings.retryRateLimit) * 1000
        const wait = due - this.deps.now()
        if (wait > 0) await this.deps.sleep(wait, signal)
        sentAt = Math.max(due, this.deps.now() - 1000) // never bank more than a second of credit
      } else {
        sentAt = this.deps.now()
      }
    }
  }
}
