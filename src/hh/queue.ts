/**
 * One hinted-handoff queue: a directory of numbered segment files (Enterprise's <hh dir>/<node id>/<shard id>/<n>)
 * with one writer (append) and one reader (peek, advance). The format is InfluxDB's (format.ts); durability, crash
 * recovery and the statistics are described in docs/hh-format.md.
 *
 * Written by hand because npm has no suitable durable segment queue: nothing reads or writes InfluxDB's segment
 * format, and the general-purpose logs and key-value stores are native, heavy or unmaintained.
 *
 * The short version of the design:
 *  - appends join a commit; a commit writes its blocks in two steps (everything after the old footer, fdatasync, then
 *    the first length prefix over the old footer, fdatasync) and only then resolves its appends. With the 'always'
 *    policy a commit holds one append; with group commit it holds every append made within its interval;
 *  - the reader only sees committed data; advance() moves the head in memory and the next commit persists it (a
 *    footer write, or deleting the exhausted head segment);
 *  - blocks are read through windows of about 1 MiB that libuv's threads fill ahead of the reader while the main thread
 *    verifies checksums (blocks.ts, ChunkReader); near the end of the head segment the next one is opened and read
 *    ahead too. A block handed out is a view of a window that is never written again: the caller may keep it;
 *  - opening lists the directory, stats each segment, verifies the tail segment and reads the head segment's footer:
 *    no other segment is read, so opening 1,000 full segments takes milliseconds.
 *
 * The engine runs inside processes that are not the CLI (a data node, next): it throws HhEngineError, a plain error
 * with a `code`, never a CLI error with an exit code; a command that uses the engine maps it.
 */
import {type FileHandle, mkdir, open, readdir, stat, unlink} from 'node:fs/promises'
import {join} from 'node:path'

import {
  ChunkReader, isBoundary, isChecksummed, parseBlock, readBlock, recoveredHead, tornCut, walkSegment,
} from './blocks.js'
import {
  checkFooter, DATA_BLOCK_HEADER_BYTES, DEFAULT_SEGMENT_BYTES, dataBlockBytes, encodeFooter, FOOTER_BYTES, isSegmentName,
  LENGTH_BYTES, MAX_BLOCK_BYTES, readU64, writeDataBlock, writeDataBlockHeader,
} from './format.js'

/** 'always': every append is written and fdatasync'ed on its own. intervalMs: group commit, at most one per interval. */
export type SyncPolicy = 'always' | {intervalMs: number}

export const DEFAULT_SYNC: SyncPolicy = {intervalMs: 10}

export type QueueFindingKind =
  | 'foreign-entry' // a file or directory that is not part of the layout: ignored
  | 'torn-tail' // an append torn by a crash, cut off when the queue was opened
  | 'head-lost' // the stored head offset was unusable: delivery restarts at the segment's start (duplicates)
  | 'corrupt-block' // a block whose checksum fails: skipped, never delivered
  | 'unreadable-rest' // an impossible block frame: the rest of that segment is skipped
  | 'broken-segment' // a segment file too short to hold a footer: removed

/** Something the engine found and worked around; never fatal. */
export interface QueueFinding {
  kind: QueueFindingKind
  /** The file or directory concerned. */
  path: string
  /** Byte offset in the file, when the finding is about a place in it. */
  offset?: number
  /** Bytes concerned (cut off, skipped, ...). */
  bytes?: number
  message: string
}

export interface QueueOptions {
  /** A block that does not fit starts a new segment (default 10 MiB). A bigger block gets a segment of its own. */
  segmentBytes?: number
  sync?: SyncPolicy
  /** Wall clock for max-age decisions (default Date.now). Commit scheduling uses the monotonic clock. */
  now?: () => number
  onFinding?: (finding: QueueFinding) => void
  /** Told every change of diskBytes (see QueueStats), so that an owner can enforce max-size across queues. */
  onDiskBytes?: (delta: number) => void
}

export interface QueueStats {
  /** Bytes of blocks still to deliver, from sizes and the head offset alone (Enterprise's queueBytes). */
  pendingBytes: number
  /** Blocks still to deliver, when known without reading (every segment written or verified since open). */
  pendingBlocks?: number
  /** Segment files (Enterprise's queueDepth). */
  segments: number
  /** Bytes of the segment files, plus appends accepted but not yet written: what max-size is checked against. */
  diskBytes: number
  /** Bytes of blocks committed since open (length prefixes and checksum headers included). */
  bytesWritten: number
  /** Bytes of blocks handed out by peek() since open; a block peeked again after a failed send counts again. */
  bytesRead: number
  /** mtime of the oldest segment holding undelivered data: that data was written at or before this time. */
  oldestWriteMs?: number
  /** mtime of the newest segment: the last write. */
  newestWriteMs?: number
  /** Commits completed since open. */
  commits: number
}

export interface PurgeResult {
  /** Segment files removed. */
  segments: number
  /** Undelivered bytes they held. */
  bytes: number
  /** Undelivered blocks they held, when known without reading them. */
  blocks?: number
}

/** a + b, or undefined when either is unknown (block counts). */
export function sumIfKnown(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b
}

/** The numeric id of a segment, shard or node directory name; undefined for foreign names. */
export function parseId(name: string): number | undefined {
  if (!isSegmentName(name)) return undefined
  const id = Number(name)
  return Number.isSafeInteger(id) ? id : undefined
}

export type HhEngineErrorCode =
  | 'hh-permission-denied' // the queue directory (or a file in it) may not be read or written by this process
  | 'hh-not-a-directory' // a file stands where the queue directory should be
  | 'hh-dir-unusable' // any other failure to open the directory
  | 'hh-write-failed' // a commit failed (the disk, the file system): the queue must be reopened
  | 'hh-queue-full' // an append would pass max-size (QueueFullError)

/** The queue engine's errors: plain, typed by `code`, naming the path they concern. */
export class HhEngineError extends Error {
  override name = 'HhEngineError'
  constructor(message: string, readonly code: HhEngineErrorCode, readonly path: string, options?: {cause?: unknown}) {
    super(message, options)
  }
}

/** Turns a file-system error on a queue directory into an HhEngineError. */
export function queueDirError(path: string, err: unknown): HhEngineError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new HhEngineError(`${path}: permission denied`, 'hh-permission-denied', path, {cause: err})
    case 'ENOTDIR':
    case 'EEXIST':
      return new HhEngineError(`${path}: not a directory`, 'hh-not-a-directory', path, {cause: err})
    default:
      return new HhEngineError(`${path}: cannot use the queue directory (${err instanceof Error ? err.message : String(err)})`, 'hh-dir-unusable', path, {cause: err})
  }
}

/** One segment file. The footer, pending block count and checksum flag are known for the head and tail only. */
class Segment {
  private fh?: Promise<FileHandle>
  private chunkReader?: ChunkReader
  private readerOpening?: Promise<ChunkReader>
  /** The footer as read from disk, for the size it was read at. */
  private footerRead?: {size: number; bytes: Promise<Buffer>}
  private prefetched = false
  private closed = false
  /** The head offset stored in the footer on disk. */
  footer: number | undefined
  /** Blocks not yet delivered. */
  pending: number | undefined
  /** The segment is medic's: every block must carry the checksum header. */
  checksummed: boolean | undefined

  constructor(readonly id: number, readonly path: string, public size: number) {}

  /** Bytes of blocks: everything before the footer. */
  get dataEnd(): number {
    return Math.max(0, this.size - FOOTER_BYTES)
  }

  handle(): Promise<FileHandle> {
    // A closed segment is being deleted or the queue closed: a late prefetch must not open it again.
    if (this.closed) return Promise.reject(new Error(`${this.path}: segment closed`))
    this.fh ??= open(this.path, 'r+')
    return this.fh
  }

  reader(): Promise<ChunkReader> {
    this.readerOpening ??= this.handle().then((fh) => (this.chunkReader = new ChunkReader(fh)))
    return this.readerOpening
  }

  /** The footer's 8 bytes as they are on disk (read once for a given file size). */
  readFooter(): Promise<Buffer> {
    if (this.footerRead?.size !== this.size) {
      const at = this.dataEnd
      const bytes = this.handle().then(async (fh) => {
        const footer = Buffer.alloc(FOOTER_BYTES)
        await fh.read(footer, 0, FOOTER_BYTES, at)
        return footer
      })
      this.footerRead = {size: this.size, bytes}
    }
    return this.footerRead.bytes
  }

  /**
   * Opens the file and starts reading its first window, and its footer when it is not known, before the segment
   * becomes the head: the reader then moves on from the segment before without waiting. Errors are left for the reads
   * that need the data to meet and report.
   */
  prefetch(): void {
    if (this.prefetched) return
    this.prefetched = true
    this.reader().then((reader) => {
      // The footer first: it is needed first, and libuv runs reads in the order they are started.
      if (this.footer === undefined) this.readFooter().catch(() => {})
      reader.prefetch(0, this.dataEnd)
    }, () => {})
  }

  /** The reader, if one was made: for reads that must not wait. */
  get readerIfOpen(): ChunkReader | undefined {
    return this.chunkReader
  }

  adopt(fh: FileHandle): void {
    this.fh = Promise.resolve(fh)
  }

  async close(): Promise<void> {
    this.closed = true
    const fh = this.fh
    this.fh = undefined
    this.chunkReader?.release()
    this.chunkReader = undefined
    this.readerOpening = undefined
    this.footerRead = undefined
    if (fh) await (await fh).close()
  }
}

const SLAB_BYTES = 1024 * 1024
/** Data at least this big is referenced by the commit rather than copied (see append()). */
const REFERENCE_BYTES = 16 * 1024

/**
 * The appends of one commit as a sequence of byte ranges: blocks encoded into slabs (1 MiB for group commit, a block's
 * size for 'always'), except that big data is referenced where it lies and only its header goes into the slab. An
 * append allocates nothing most of the time, and a commit writes a few large buffers.
 */
class Staging {
  /** Size of every staged block, in order. */
  readonly sizes: number[] = []
  /** The staged bytes so far, in order, except the slab's bytes from partStart on. */
  private readonly parts: Uint8Array[] = []
  private slab = Buffer.alloc(0)
  private partStart = 0
  private used = 0

  constructor(private readonly slabBytes: number) {}

  add(data: Uint8Array): number {
    const size = dataBlockBytes(data.length)
    const copy = data.length < REFERENCE_BYTES
    this.reserve(copy ? size : DATA_BLOCK_HEADER_BYTES)
    if (copy) {
      this.used = writeDataBlock(this.slab, this.used, data)
    } else {
      this.used = writeDataBlockHeader(this.slab, this.used, data)
      this.parts.push(this.slab.subarray(this.partStart, this.used), data)
      this.partStart = this.used
    }
    this.sizes.push(size)
    return size
  }

  /** Views of the staged bytes [from, to). */
  range(from: number, to: number): Uint8Array[] {
    const views: Uint8Array[] = []
    let base = 0
    for (const part of [...this.parts, this.slab.subarray(this.partStart, this.used)]) {
      const lo = Math.max(from, base)
      const hi = Math.min(to, base + part.length)
      if (lo < hi) views.push(part.subarray(lo - base, hi - base))
      base += part.length
      if (base >= to) break
    }
    return views
  }

  /** Makes room for `bytes` contiguous bytes in the slab. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.slab.length) return
    if (this.used > this.partStart) this.parts.push(this.slab.subarray(this.partStart, this.used))
    this.slab = Buffer.allocUnsafe(Math.max(this.slabBytes, bytes))
    this.partStart = 0
    this.used = 0
  }
}

/** Appends and head moves that become durable together. */
interface Commit {
  staging: Staging
  done: Promise<void>
  resolve: () => void
  reject: (err: Error) => void
}

function newCommit(slabBytes: number): Commit {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Callers may ignore advance()'s promise: a failed commit must not become an unhandled rejection.
  done.catch(() => {})
  return {staging: new Staging(slabBytes), done, resolve, reject}
}

/** Runs async sections one at a time, in call order. */
class Mutex {
  private last: Promise<unknown> = Promise.resolve()
  private pending = 0

  /** Nothing is running or waiting. */
  get idle(): boolean {
    return this.pending === 0
  }

  lock<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++
    const run = this.last.then(fn).finally(() => this.pending--)
    this.last = run.catch(() => {})
    return run
  }
}

export class SegmentQueue {
  private segments: Segment[] = []
  /** Head offset in segments[0]; undefined until that segment's footer has been read. */
  private headOffset: number | undefined
  /** The head came from a footer and no block was read there yet: if its frame is impossible, suspect the footer. */
  private headFromFooter = false
  /** The head moved since it was last written. */
  private headDirty = false
  /**
   * The block the last peek() handed out, until advance(); `through`/`blocks`: where the blocks peekMore() added after
   * it end, and how many blocks that makes in all (advance() moves past them too).
   */
  private peeked?: {seg: Segment; offset: number; end: number; data: Buffer; through?: number; blocks?: number}
  /** Exhausted head segments to delete at the next commit. */
  private retired: Segment[] = []
  /** Commits not started yet, oldest first. */
  private commits: Commit[] = []
  private runner?: Promise<void>
  private cancelWake?: () => void
  private lastCommitStart = Number.NEGATIVE_INFINITY
  private flushing = false
  private failure?: Error
  private closed = false
  private readonly readLock = new Mutex()
  private readonly writeLock = new Mutex()
  private diskBytes = 0
  private bytesWritten = 0
  private bytesRead = 0
  private commitCount = 0
  private readonly segmentBytes: number
  private readonly intervalMs: number
  private readonly oneAppendPerCommit: boolean
  private readonly now: () => number
  private readonly onFinding: (finding: QueueFinding) => void
  private readonly onDiskBytes: (delta: number) => void

  private constructor(readonly dir: string, options: QueueOptions) {
    const sync = options.sync ?? DEFAULT_SYNC
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES
    this.oneAppendPerCommit = sync === 'always'
    this.intervalMs = sync === 'always' ? 0 : sync.intervalMs
    this.now = options.now ?? Date.now
    this.onFinding = options.onFinding ?? (() => {})
    this.onDiskBytes = options.onDiskBytes ?? (() => {})
    if (!(this.segmentBytes >= 2 * FOOTER_BYTES)) throw new RangeError(`segmentBytes must be at least ${2 * FOOTER_BYTES}`)
    if (!(this.intervalMs >= 0)) throw new RangeError('sync.intervalMs must be 0 or more')
  }

  /**
   * Opens the queue in `dir`, creating the directory and a first segment when missing. After a crash the tail segment is
   * verified and a torn append cut off; findings go to options.onFinding. Throws an HhEngineError when the
   * directory cannot be used.
   */
  static async open(dir: string, options: QueueOptions = {}): Promise<SegmentQueue> {
    const queue = new SegmentQueue(dir, options)
    try {
      await queue.load()
    } catch (err) {
      await queue.closeFiles()
      throw err
    }
    return queue
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Writer
  // -------------------------------------------------------------------------------------------------------------------

  /**
   * Queues `data`; resolves once it is on disk (fdatasync'ed), rejects if it could not be written. Data of 16 KiB or
   * more is written from where it lies, not copied: do not modify it until the promise settles (as with fs.write).
   */
  append(data: Uint8Array): Promise<void> {
    const unusable = this.unusable()
    if (unusable) return Promise.reject(unusable)
    if (dataBlockBytes(data.length) - LENGTH_BYTES > MAX_BLOCK_BYTES) {
      return Promise.reject(new RangeError(`a block holds at most ${MAX_BLOCK_BYTES} bytes; got ${data.length}`))
    }
    const commit = this.commitToJoin(true)
    this.addDiskBytes(commit.staging.add(data))
    return commit.done
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Reader
  // -------------------------------------------------------------------------------------------------------------------

  /**
   * The next block to deliver, or undefined when every committed block has been delivered. Blocks whose checksum fails
   * are skipped and reported, never returned. Calling peek() again before advance() returns the same block. The
   * returned Buffer is the caller's to keep: the engine never writes into it again (it may share its memory with the
   * blocks read along with it).
   */
  peek(): Promise<Buffer | undefined> {
    const unusable = this.unusable()
    if (unusable) return Promise.reject(unusable)
    const data = this.readLock.idle ? this.peekFromWindow() : undefined
    return data ? Promise.resolve(data) : this.readLock.lock(() => this.peekLocked())
  }

  /**
   * After peek(): the good blocks that follow the peeked one (and those peekMore() returned before), in order, while
   * `take` accepts each (it sees the blocks one by one and may keep what it needs of them) and as far as they are read
   * already: it stops, without I/O or findings, at the first block that is not in memory yet, is damaged, or is past
   * the head segment. advance() then acknowledges the peeked block and all of these. For delivering several small
   * blocks in one request; a caller that cannot deliver them peeks again, which forgets them.
   */
  peekMore(take: (block: Buffer) => boolean): Buffer[] {
    const p = this.peeked
    const seg = this.segments[0]
    if (this.unusable() || !this.readLock.idle || !p || p.seg !== seg || p.offset !== this.headOffset) return []
    const reader = seg.readerIfOpen
    if (!reader || seg.checksummed === undefined) return []
    const out: Buffer[] = []
    let at = p.through ?? p.end
    while (at < seg.dataEnd) {
      const block = parseBlock(reader, at, seg.dataEnd, seg.checksummed)
      if (block?.kind !== 'ok' || !take(block.data)) break
      out.push(block.data)
      this.bytesRead += block.end - at
      at = block.end
    }
    p.through = at
    p.blocks = (p.blocks ?? 1) + out.length
    return out
  }

  /**
   * Acknowledges the block the last peek() returned (and those peekMore() added): the head moves past it now, and the
   * returned promise resolves when that is on disk. A crash before then delivers the block again (at least once, never
   * lost).
   */
  advance(): Promise<void> {
    const unusable = this.unusable()
    if (unusable) return Promise.reject(unusable)
    if (!this.peeked) return Promise.reject(new Error('advance() needs a block from peek() first'))
    // While stats() or a purge looks at the segments, the head moves after them (as peek() waits for them too).
    return this.readLock.idle ? this.advanceNow() : this.readLock.lock(async () => this.advanceNow())
  }

  private advanceNow(): Promise<void> {
    const peeked = this.peeked
    this.peeked = undefined
    // A purge may have removed the block's segment meanwhile: then there is nothing to move past.
    if (peeked && peeked.seg === this.segments[0] && peeked.offset === this.headOffset) this.moveHead(peeked.through ?? peeked.end, peeked.blocks)
    return this.commitToJoin(false).done
  }

  /** The common case while draining: the next block is whole in the read window and good. No I/O, no finding. */
  private peekFromWindow(): Buffer | undefined {
    const seg = this.segments[0]
    const offset = this.headOffset
    const reader = seg.readerIfOpen
    if (this.peeked || offset === undefined || !reader || seg.checksummed === undefined) return undefined
    const block = parseBlock(reader, offset, seg.dataEnd, seg.checksummed)
    if (block?.kind !== 'ok') return undefined
    this.headFromFooter = false
    return this.deliver(seg, reader, offset, block)
  }

  /** Hands out a good block read at the head (its data is the caller's to keep: see ChunkReader). */
  private deliver(seg: Segment, reader: ChunkReader, offset: number, block: {data: Buffer; end: number}): Buffer {
    const {data} = block
    this.peeked = {seg, offset, end: block.end, data}
    this.bytesRead += block.end - offset
    // Everything left in this segment is read or being read: open the next one and start reading it.
    if (this.segments.length > 1 && reader.reaches(seg.dataEnd)) this.segments[1].prefetch()
    return data
  }

  private async peekLocked(): Promise<Buffer | undefined> {
    const peeked = this.peeked
    if (peeked && peeked.seg === this.segments[0] && peeked.offset === this.headOffset) {
      // Peeked again (the delivery failed): the blocks peekMore() added are forgotten, to be peeked again too.
      peeked.through = undefined
      peeked.blocks = undefined
      this.bytesRead += peeked.end - peeked.offset
      return peeked.data
    }
    this.peeked = undefined
    for (;;) {
      const offset = await this.ensureHead()
      const seg = this.segments[0]
      if (offset >= seg.dataEnd) {
        if (this.segments.length === 1) return undefined
        this.retireHead()
        continue
      }
      const reader = await seg.reader()
      seg.checksummed ??= await isChecksummed(reader, seg.dataEnd)
      const block = await readBlock(reader, offset, seg.dataEnd, seg.checksummed)
      const fromFooter = this.headFromFooter
      this.headFromFooter = false
      if (block.kind === 'ok') return this.deliver(seg, reader, offset, block)
      if (block.kind === 'bad') {
        this.report('corrupt-block', seg.path, `block skipped: ${block.reason}`, {offset, bytes: block.end - offset})
        this.moveHead(block.end)
      } else if (fromFooter && !(await this.isBlockStart(seg, offset))) {
        const message = `the footer's head offset ${offset} is not a block boundary; delivering the segment from its start`
        this.report('head-lost', seg.path, message)
        this.headOffset = 0
        this.headDirty = true
        seg.pending = undefined
      } else {
        const skipped = {offset, bytes: seg.dataEnd - offset}
        this.report('unreadable-rest', seg.path, `the rest of the segment is skipped: ${block.reason}`, skipped)
        this.moveHead(seg.dataEnd)
      }
      this.commitToJoin(false)
    }
  }

  /** Moves the head within segments[0] past `blocks` blocks; an exhausted head segment with a successor is retired instead. */
  private moveHead(offset: number, blocks = 1): void {
    const seg = this.segments[0]
    if (seg.pending !== undefined) seg.pending = offset >= seg.dataEnd ? 0 : seg.pending - blocks
    this.headOffset = offset
    this.headDirty = true
    if (offset >= seg.dataEnd && this.segments.length > 1) this.retireHead()
  }

  /** The head segment is done with: it is deleted at the next commit, which persists the move (no footer write). */
  private retireHead(): void {
    const seg = this.segments.shift()
    if (seg) this.retired.push(seg)
    this.headOffset = undefined
    this.headDirty = false
    this.commitToJoin(false)
  }

  /** Reads the head segment's footer when the head is not known yet; returns the head offset. */
  private async ensureHead(): Promise<number> {
    while (this.headOffset === undefined) {
      const seg = this.segments[0]
      if (seg.size < FOOTER_BYTES && this.segments.length > 1) {
        this.report('broken-segment', seg.path, `only ${seg.size} bytes, shorter than the footer: removed`, {bytes: seg.size})
        this.retireHead()
        continue
      }
      // A footer this queue wrote or read is known; reading it again could meet an append rewriting it (the tail).
      const footer = Number.isSafeInteger(seg.footer) ? encodeFooter(seg.footer!) : await seg.readFooter()
      const check = checkFooter(seg.size, footer)
      if (check.ok) {
        this.headOffset = check.head
        this.headFromFooter = check.head > 0
      } else {
        this.report('head-lost', seg.path, `${check.reason}; delivering the segment from its start`)
        this.headOffset = 0
        this.headDirty = true
      }
      seg.footer = readU64(footer, 0)
    }
    return this.headOffset
  }

  private async isBlockStart(seg: Segment, offset: number): Promise<boolean> {
    const walk = await walkSegment(new ChunkReader(await seg.handle()), seg.dataEnd)
    return isBoundary(walk, offset)
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Commits
  // -------------------------------------------------------------------------------------------------------------------

  /** The commit an append (forBlock) or a head move joins; queues a new one when needed. */
  private commitToJoin(forBlock: boolean): Commit {
    const last = this.commits.at(-1)
    if (last && !(forBlock && this.oneAppendPerCommit && last.staging.sizes.length > 0)) return last
    const commit = newCommit(this.oneAppendPerCommit ? 0 : SLAB_BYTES)
    this.commits.push(commit)
    this.wake()
    return commit
  }

  /** Starts the commit runner now, or when the group-commit interval since the last commit has passed. */
  private wake(): void {
    if (this.runner || this.cancelWake || this.commits.length === 0) return
    const start = (): void => {
      this.cancelWake = undefined
      this.startRunner()
    }
    const wait = this.flushing ? 0 : this.lastCommitStart + this.intervalMs - performance.now()
    if (wait > 0) {
      const timer = setTimeout(start, wait)
      this.cancelWake = () => clearTimeout(timer)
    } else {
      const immediate = setImmediate(start)
      this.cancelWake = () => clearImmediate(immediate)
    }
  }

  private startRunner(): Promise<void> {
    this.runner = this.runCommits().finally(() => {
      this.runner = undefined
      this.wake()
    })
    return this.runner
  }

  private async runCommits(): Promise<void> {
    while (this.commits.length > 0 && (this.flushing || performance.now() >= this.lastCommitStart + this.intervalMs)) {
      const commit = this.commits.shift()!
      this.lastCommitStart = performance.now()
      await this.writeLock.lock(() => this.commit(commit))
    }
  }

  private async commit(commit: Commit): Promise<void> {
    if (this.failure) return commit.reject(this.failure)
    try {
      const head = this.headToPersist()
      const written = await this.writeBlocks(commit.staging, head)
      if (head && !written.has(head.seg)) await this.writeFooter(head.seg, head.offset)
      await this.deleteRetired()
      this.commitCount++
      commit.resolve()
    } catch (err) {
      this.failure = new HhEngineError(`${this.dir}: queue write failed (${(err as Error).message}); reopen the queue to recover`, 'hh-write-failed', this.dir, {cause: err})
      commit.reject(this.failure)
      for (const queued of this.commits.splice(0)) queued.reject(this.failure)
    }
  }

  /** The head this commit makes durable, if it moved; snapshotted, since the reader keeps going meanwhile. */
  private headToPersist(): {seg: Segment; offset: number} | undefined {
    if (!this.headDirty || this.headOffset === undefined) return undefined
    this.headDirty = false
    const seg = this.segments[0]
    return seg.footer === this.headOffset ? undefined : {seg, offset: this.headOffset}
  }

  /**
   * Writes the staged blocks to the tail, rolling to new segments as needed; returns the segments written. A block goes
   * to a new segment when it would take a non-empty tail past segmentBytes, or when appending it could be misread after
   * a crash (see linkIsAmbiguous).
   */
  private async writeBlocks(staging: Staging, head: {seg: Segment; offset: number} | undefined): Promise<Set<Segment>> {
    const {sizes} = staging
    const written = new Set<Segment>()
    let seg = this.segments.at(-1)!
    let isNew = false
    let from = 0
    for (let i = 0; i < sizes.length;) {
      let n = this.blocksThatFit(seg, isNew, sizes, i)
      if (n === 0 || (!isNew && linkIsAmbiguous(seg.footer ?? 0, sizes, i, n))) {
        seg = await this.createSegment(seg.id + 1)
        isNew = true
        n = this.blocksThatFit(seg, isNew, sizes, i)
      }
      let to = from
      for (let k = i; k < i + n; k++) to += sizes[k]
      const footer = head?.seg === seg ? head.offset : (seg.footer ?? 0)
      await this.writeRun(seg, isNew, staging, from, to, n, footer)
      if (isNew) {
        // Published only now: the reader must never see a segment whose first blocks are not on disk yet.
        this.segments.push(seg)
        isNew = false
      }
      written.add(seg)
      from = to
      i += n
    }
    return written
  }

  /** How many blocks from index `from` fit in `seg`; an empty segment always takes the first. */
  private blocksThatFit(seg: Segment, isNew: boolean, sizes: number[], from: number): number {
    let size = isNew ? FOOTER_BYTES : seg.size
    let n = 0
    while (from + n < sizes.length) {
      const next = size + sizes[from + n]
      if (next > this.segmentBytes && size > FOOTER_BYTES) break
      size = next
      n++
    }
    return n
  }

  /**
   * Appends the staged bytes [from, to) (`count` blocks) to one segment, crash-safely (docs/hh-format.md, "Crash
   * safety"): step 1 writes everything that goes after the old footer, including the new footer, and syncs; step 2
   * overwrites the old footer with the first block's length prefix, linking the blocks in, and syncs. Until step 2 is
   * on disk the old footer, and so the persisted head, is intact. A new segment starts as an empty one (a zero footer)
   * in the same write.
   */
  private async writeRun(
    seg: Segment, isNew: boolean, staging: Staging, from: number, to: number, count: number, footer: number,
  ): Promise<void> {
    const fh = await seg.handle()
    const oldEnd = isNew ? FOOTER_BYTES : seg.size
    const parts: Uint8Array[] = [...staging.range(from + LENGTH_BYTES, to), encodeFooter(footer)]
    if (isNew) parts.unshift(encodeFooter(0))
    await writeAll(fh, parts, oldEnd - (isNew ? FOOTER_BYTES : 0))
    await fh.datasync()
    await writeAll(fh, staging.range(from, from + LENGTH_BYTES), oldEnd - FOOTER_BYTES)
    await fh.datasync()
    if (isNew) await syncDir(this.dir)
    seg.size = oldEnd + (to - from)
    seg.footer = footer
    seg.pending = (seg.pending ?? 0) + count
    this.bytesWritten += to - from
  }

  /** A new, empty segment file (not published yet); its directory entry is synced with its first blocks. */
  private async createSegment(id: number): Promise<Segment> {
    const seg = new Segment(id, join(this.dir, String(id)), FOOTER_BYTES)
    seg.adopt(await open(seg.path, 'wx+'))
    seg.footer = 0
    seg.pending = 0
    this.addDiskBytes(FOOTER_BYTES)
    return seg
  }

  /**
   * Rewrites a segment's footer in place. The file's times are put back afterwards, so that a segment's mtime stays the
   * time its last block was written: max-age and oldestWriteMs then measure the age of the data, even while a queue
   * drains (Enterprise lets every advance refresh it).
   */
  private async writeFooter(seg: Segment, head: number): Promise<void> {
    const fh = await seg.handle()
    const {atimeMs, mtimeMs} = await fh.stat()
    await fh.write(encodeFooter(head), 0, FOOTER_BYTES, seg.dataEnd)
    await fh.utimes(atimeMs / 1000, mtimeMs / 1000)
    await fh.datasync()
    seg.footer = head
  }

  private async deleteRetired(): Promise<void> {
    if (this.retired.length === 0) return
    for (const seg of this.retired.splice(0)) await this.removeSegment(seg)
    await syncDir(this.dir)
  }

  private async removeSegment(seg: Segment): Promise<void> {
    await seg.close()
    await unlink(seg.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
    this.addDiskBytes(-seg.size)
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Open and recovery
  // -------------------------------------------------------------------------------------------------------------------

  private async load(): Promise<void> {
    try {
      await this.loadSegments()
    } catch (err) {
      if (err instanceof HhEngineError) throw err
      throw queueDirError((err as NodeJS.ErrnoException).path ?? this.dir, err)
    }
  }

  private async loadSegments(): Promise<void> {
    const found = await this.listSegments()
    this.segments = await Promise.all(found.map(async ({id, path}) => new Segment(id, path, (await stat(path)).size)))
    for (const seg of this.segments) this.addDiskBytes(seg.size)
    if (this.segments.length === 0) {
      const first = await this.createSegment(1)
      await this.writeFooter(first, 0)
      await syncDir(this.dir)
      this.segments.push(first)
    }
    await this.verifyTail()
    await this.ensureHead()
  }

  /** The segment files in the directory, oldest first; anything else is reported and left alone. */
  private async listSegments(): Promise<Array<{id: number; path: string}>> {
    await mkdir(this.dir, {recursive: true})
    const entries = await readdir(this.dir, {withFileTypes: true})
    const found: Array<{id: number; path: string}> = []
    for (const entry of entries) {
      const path = join(this.dir, entry.name)
      const id = parseId(entry.name)
      if (id !== undefined && entry.isFile()) found.push({id, path})
      else this.report('foreign-entry', path, `not a segment file (${entry.isDirectory() ? 'a directory' : 'name or type'}): ignored`)
    }
    return found.sort((a, b) => a.id - b.id)
  }

  /**
   * Walks the tail segment, cuts off a torn append and rewrites the footer (blocks.ts: tornCut, recoveredHead). The
   * only segment read in full when a queue is opened.
   */
  private async verifyTail(): Promise<void> {
    const seg = this.segments.at(-1)!
    const fh = await seg.handle()
    if (seg.size < FOOTER_BYTES) {
      const message = `only ${seg.size} bytes, shorter than the footer: reset to an empty segment`
      this.report('torn-tail', seg.path, message, {offset: 0, bytes: seg.size})
      await fh.truncate(0)
      this.addDiskBytes(FOOTER_BYTES - seg.size)
      seg.size = FOOTER_BYTES
      await this.writeFooter(seg, 0)
      seg.pending = 0
      return this.adoptVerifiedHead(seg, 0)
    }
    const reader = new ChunkReader(fh)
    const walk = await walkSegment(reader, seg.dataEnd)
    const cut = tornCut(walk, seg.dataEnd)
    const keptEnd = cut ?? seg.dataEnd
    const stored = readU64(await reader.read(keptEnd, FOOTER_BYTES, seg.size), 0)
    const {head, lost} = recoveredHead(walk, keptEnd, stored)
    if (cut !== undefined) {
      const dropped = seg.size - (cut + FOOTER_BYTES)
      this.report('torn-tail', seg.path, `cut off ${dropped} bytes of a torn write (${walk.brokenReason})`, {offset: cut, bytes: dropped})
      await fh.truncate(cut + FOOTER_BYTES)
      this.addDiskBytes(-dropped)
      seg.size = cut + FOOTER_BYTES
    }
    if (lost) this.report('head-lost', seg.path, `${lost}; delivering the segment from its start`)
    seg.footer = stored
    if (cut !== undefined || head !== stored) await this.writeFooter(seg, head)
    if (keptEnd > 0) seg.checksummed = walk.checksummed
    seg.pending = walk.boundaries.filter((b) => b > head && b <= keptEnd).length
    this.adoptVerifiedHead(seg, head)
  }

  /** When the tail is also the head segment, its verified head is the queue's head. */
  private adoptVerifiedHead(seg: Segment, head: number): void {
    if (this.segments[0] !== seg) return
    this.headOffset = head
    this.headFromFooter = false
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Statistics, purge, close
  // -------------------------------------------------------------------------------------------------------------------

  /** Statistics from sizes, the head offset and two mtimes; no block is read. */
  async stats(): Promise<QueueStats> {
    const unusable = this.unusable()
    if (unusable) throw unusable
    const {pendingBytes, pendingBlocks, oldest} = await this.readLock.lock(() => this.pending())
    const [oldestWriteMs, newestWriteMs] = await Promise.all([mtimeOf(oldest), mtimeOf(this.segments.at(-1))])
    return {
      pendingBytes, pendingBlocks, segments: this.segments.length, diskBytes: this.diskBytes,
      bytesWritten: this.bytesWritten, bytesRead: this.bytesRead, oldestWriteMs, newestWriteMs, commits: this.commitCount,
    }
  }

  /** What is left to deliver, and the oldest segment holding some of it. */
  private async pending(): Promise<{pendingBytes: number; pendingBlocks?: number; oldest?: Segment}> {
    const head = await this.ensureHead()
    let pendingBytes = 0
    let pendingBlocks: number | undefined = 0
    let oldest: Segment | undefined
    for (const [i, seg] of this.segments.entries()) {
      const bytes = seg.dataEnd - (i === 0 ? head : 0)
      pendingBytes += bytes
      pendingBlocks = sumIfKnown(pendingBlocks, seg.pending)
      if (bytes > 0) oldest ??= seg
    }
    return {pendingBytes, pendingBlocks, oldest}
  }

  /**
   * Enterprise's max-age purge: removes whole segments from the head while their last write (mtime) is older than
   * now - maxAgeMs. When every segment goes, a fresh empty one is created first, so the writer always has a tail.
   */
  purgeOlderThan(maxAgeMs: number, now: number = this.now()): Promise<PurgeResult> {
    const unusable = this.unusable()
    if (unusable) return Promise.reject(unusable)
    return this.exclusive(() => this.purgeLocked(now - maxAgeMs))
  }

  private async purgeLocked(cutoff: number): Promise<PurgeResult> {
    const head = await this.ensureHead()
    let count = 0
    for (const seg of this.segments) {
      const mtime = await mtimeOf(seg)
      if (mtime === undefined || mtime >= cutoff) break
      count++
    }
    if (count === 0) return {segments: 0, bytes: 0, blocks: 0}
    if (count === this.segments.length) {
      const fresh = await this.createSegment(this.segments.at(-1)!.id + 1)
      await this.writeFooter(fresh, 0)
      this.segments.push(fresh)
    }
    const purged = this.segments.splice(0, count)
    let bytes = 0
    let blocks: number | undefined = 0
    for (const [i, seg] of purged.entries()) {
      bytes += seg.dataEnd - (i === 0 ? head : 0)
      blocks = sumIfKnown(blocks, seg.pending)
      await this.removeSegment(seg)
    }
    await syncDir(this.dir)
    this.headOffset = undefined
    this.headDirty = false
    await this.ensureHead()
    return {segments: count, bytes, blocks}
  }

  /**
   * Gives back the disk space of a queue whose every block has been delivered: the exhausted segment is replaced by an
   * empty one, so diskBytes (what max-size is checked against, Enterprise's hh_node.queueTotalSize) falls back to a
   * footer. Without it the last segment of a drained queue keeps its size until the next segment, and a queue that
   * once reached max-size would answer `queue is full` forever (Enterprise fixed that accounting in 1.9.8). Does
   * nothing while a block is left to deliver or handed out; appends not yet committed go to the new segment. Resolves
   * true when it gave space back. Crash-safe: the new segment exists before the old one is removed.
   */
  reclaim(): Promise<boolean> {
    const unusable = this.unusable()
    if (unusable) return Promise.reject(unusable)
    return this.exclusive(() => this.reclaimLocked())
  }

  private async reclaimLocked(): Promise<boolean> {
    if (this.peeked || this.segments.length !== 1) return false
    const head = await this.ensureHead()
    const seg = this.segments[0]
    if (head < seg.dataEnd || seg.size <= FOOTER_BYTES) return false
    const fresh = await this.createSegment(seg.id + 1)
    await this.writeFooter(fresh, 0)
    await syncDir(this.dir)
    this.segments = [fresh]
    this.headOffset = 0
    this.headDirty = false
    this.headFromFooter = false
    await this.removeSegment(seg)
    await syncDir(this.dir)
    return true
  }

  /** Waits for every accepted append and head move to be on disk. */
  async flush(): Promise<void> {
    this.flushing = true
    try {
      while (this.runner || this.commits.length > 0) {
        this.cancelWake?.()
        this.cancelWake = undefined
        await (this.runner ?? this.startRunner())
      }
    } finally {
      this.flushing = false
    }
  }

  /** Flushes, then closes every file. Accepted appends are written first; later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    await this.exclusive(() => this.closeFiles())
  }

  private async closeFiles(): Promise<void> {
    for (const seg of [...this.segments, ...this.retired]) await seg.close()
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.readLock.lock(() => this.writeLock.lock(fn))
  }

  private unusable(): Error | undefined {
    return this.closed ? new Error(`${this.dir}: the queue is closed`) : this.failure
  }

  private addDiskBytes(delta: number): void {
    this.diskBytes += delta
    this.onDiskBytes(delta)
  }

  private report(kind: QueueFindingKind, path: string, message: string, where: {offset?: number; bytes?: number} = {}): void {
    this.onFinding({kind, path, ...where, message})
  }
}

/**
 * True when linking `blocks[from, from+n)` in after a footer holding `oldFooter` could be misread after a crash: if the
 * old footer, read as a block length, ended exactly where one of the new blocks (or the new footer) starts, a torn
 * append would look like a whole segment with one corrupt block. Such a run goes to a new segment instead.
 */
function linkIsAmbiguous(oldFooter: number, sizes: number[], from: number, n: number): boolean {
  if (oldFooter === 0 || n === 0) return false
  let end = sizes[from] - LENGTH_BYTES
  for (let i = from + 1; end !== oldFooter && i < from + n; i++) end += sizes[i]
  return end === oldFooter
}

async function writeAll(fh: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
  const expected = parts.reduce((sum, p) => sum + p.length, 0)
  const {bytesWritten} = await fh.writev(parts, position)
  if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`)
}

/** Makes a directory entry change (a created or removed segment file) durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function mtimeOf(seg: Segment | undefined): Promise<number | undefined> {
  if (!seg) return undefined
  try {
    return (await stat(seg.path)).mtimeMs
  } catch {
    return undefined
  }
}
