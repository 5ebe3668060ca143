/**
 * Reading blocks out of one segment file, and the tail verification the queue engine runs when it opens a queue.
 * Written by hand because npm has no suitable durable segment queue (none reads or writes InfluxDB's format; see
 * docs/hh-format.md).
 *
 * Every read is bounded by `dataEnd` (the segment's size minus its footer), so a torn or lying length can never
 * make a read run past the data or allocate more than MAX_BLOCK_BYTES.
 */
import type {FileHandle} from 'node:fs/promises'

import {decodePayloadAt, LENGTH_BYTES, MAX_BLOCK_BYTES, readU64} from './format.js'

/** The usual size of a read window. */
export const WINDOW_BYTES = 1024 * 1024
/** Windows a reader keeps in flight ahead of the one being parsed. */
export const READ_AHEAD_WINDOWS = 2

/** File bytes [start, start + size) read into their own buffer; `bytes` is -1 until the read has settled. */
interface Window {
  start: number
  size: number
  buf: Buffer
  bytes: number
  error?: unknown
  done: Promise<void>
}

/**
 * Sequential reads through consecutive windows of about 1 MiB, most length prefixes and payloads being parsed straight
 * out of them without a system call. The windows cover contiguous file ranges, so the reads of the next ones can all be
 * started at once, READ_AHEAD_WINDOWS ahead of the parsing: reading (on libuv's threads) overlaps checksumming (on the
 * main thread) without waiting for the main thread to say where the next window starts.
 *
 * Ownership: every window is a fresh buffer, written once by its read and never again, so views of it stay valid for
 * as long as anyone holds them; the engine hands blocks out as such views, without copying. (Reusing windows would
 * save the kernel faulting in new pages, but the caller's blocks would then need copies into new memory, which costs
 * the same page faults, on the main thread instead.) A block that straddles two windows is copied into a buffer of
 * its own. Reads never go past `limit`, the data committed when they were started; those bytes never change afterwards.
 */
export class ChunkReader {
  /** The current window's bytes: file bytes [start, start + buf.length). A fast path for parseBlock(). */
  buf: Buffer = Buffer.alloc(0)
  start = 0
  /** Contiguous windows, the current one first. */
  private windows: Window[] = []
  private limit = 0
  private released = false

  constructor(private readonly fh: FileHandle) {}

  /** True when the current window holds [offset, offset + length). */
  has(offset: number, length: number): boolean {
    return offset >= this.start && offset + length <= this.start + this.buf.length
  }

  /**
   * Bytes [offset, offset + length) if they are read already, else undefined: a view of a window, or a copy when they
   * straddle windows. Moving past a window drops it and tops up the reads ahead.
   */
  get(offset: number, length: number): Buffer | undefined {
    if (this.has(offset, length)) return this.buf.subarray(offset - this.start, offset - this.start + length)
    const end = offset + length
    const windows = this.windows
    if (windows.length === 0 || offset < windows[0].start) return undefined
    let dropped = false
    while (windows.length > 1 && offset >= windows[0].start + windows[0].size) {
      windows.shift()
      dropped = true
    }
    if (dropped) {
      this.setCurrent()
      this.readAhead()
    }
    if (this.has(offset, length)) return this.buf.subarray(offset - this.start, offset - this.start + length)
    // Straddling: copy the pieces, if every window they lie in has been read whole.
    let covered = offset
    for (const w of windows) {
      if (w.start + w.size <= offset) continue
      if (w.bytes !== w.size || w.start > covered) return undefined
      covered = w.start + w.size
      if (covered >= end) break
    }
    if (covered < end) return undefined
    const out = Buffer.allocUnsafe(length)
    for (const w of windows) {
      const lo = Math.max(offset, w.start)
      const hi = Math.min(end, w.start + w.size)
      if (lo < hi) w.buf.copy(out, lo - offset, lo - w.start, hi - w.start)
      if (hi >= end) break
    }
    return out
  }

  /** Reads, or waits for the reads of, [offset, offset + length); never reads past `limit`. */
  async load(offset: number, length: number, limit: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.released) throw new Error('the segment reader was closed')
      this.limit = Math.max(this.limit, limit)
      const end = offset + length
      const windows = this.windows
      const last = windows.at(-1)
      // Only a stream that reaches `offset` without a gap can be extended; anything else starts over there. So does a
      // block bigger than a window that is not being read yet: it gets a read of its own, into one buffer, not copied.
      const reachable = last !== undefined && offset >= windows[0].start && offset <= last.start + last.size
      if (!reachable || (length > WINDOW_BYTES && this.end() < end)) this.restart(offset)
      while (this.end() < end && this.end() < this.limit) this.startRead(this.end(), end - this.end())
      this.readAhead()
      let failed: unknown
      for (const w of [...this.windows]) {
        if (w.start >= end) break
        if (w.start + w.size <= offset) continue
        await w.done
        if (w.error !== undefined) failed ??= w.error
        else if (w.start + w.bytes < Math.min(end, w.start + w.size)) {
          throw new Error(`short read: ${w.bytes} of ${w.size} bytes at offset ${w.start}`)
        }
      }
      if (failed === undefined) {
        if (this.released) throw new Error('the segment reader was closed')
        this.setCurrent()
        return
      }
      // A read ahead that failed is tried once more, now that it is needed; a second failure is the answer.
      this.windows = []
      if (attempt >= 2) throw failed
    }
  }

  /** Exactly `length` bytes at `offset`; the caller guarantees offset + length <= limit <= the file size. */
  async read(offset: number, length: number, limit: number): Promise<Buffer> {
    const ready = this.get(offset, length)
    if (ready) return ready
    await this.load(offset, length, limit)
    return this.get(offset, length)!
  }

  /** True when every byte up to `end` is read or being read. */
  reaches(end: number): boolean {
    return this.end() >= end
  }

  /**
   * Starts reading one window at `offset` before it is needed (a segment about to become the head); the reads after it
   * start once the bytes are asked for.
   */
  prefetch(offset: number, limit: number): void {
    if (this.released || this.windows.length > 0 || offset >= limit) return
    this.limit = Math.max(this.limit, limit)
    this.restart(offset)
    this.startRead(offset, WINDOW_BYTES)
  }

  /** Forgets every window; reads in flight finish into buffers nobody will look at. The reader is unusable after. */
  release(): void {
    this.released = true
    this.windows = []
    this.buf = Buffer.alloc(0)
  }

  private end(): number {
    const last = this.windows.at(-1)
    return last ? last.start + last.size : this.start
  }

  private restart(offset: number): void {
    this.windows = []
    this.buf = Buffer.alloc(0)
    this.start = offset
  }

  /** The first window becomes current once it has been read. */
  private setCurrent(): void {
    const w = this.windows[0]
    if (w && w.bytes >= 0 && !w.error) {
      this.buf = w.buf.subarray(0, w.bytes)
      this.start = w.start
    } else {
      this.buf = Buffer.alloc(0)
      this.start = w ? w.start : this.start
    }
  }

  /** Keeps READ_AHEAD_WINDOWS windows in flight after the current one, up to the limit. */
  private readAhead(): void {
    while (!this.released && this.windows.length <= READ_AHEAD_WINDOWS && this.end() < this.limit) {
      this.startRead(this.end(), WINDOW_BYTES)
    }
  }

  private startRead(start: number, want: number): void {
    const size = Math.min(Math.max(want, WINDOW_BYTES), this.limit - start)
    const w: Window = {start, size, buf: Buffer.allocUnsafeSlow(size), bytes: -1, done: Promise.resolve()}
    w.done = this.fh.read(w.buf, 0, size, start).then(
      ({bytesRead}) => {
        w.bytes = bytesRead
        if (w === this.windows[0]) this.setCurrent()
      },
      (err: unknown) => {
        w.bytes = 0
        w.error = err ?? new Error('read failed')
      },
    )
    this.windows.push(w)
  }
}

/**
 * One block read at a block boundary:
 *  - ok: its data (medic's checksum verified, or a foreign payload passed through);
 *  - bad: its frame is sound but its content is not (checksum mismatch, or no checksum in a medic segment): it can be
 *    skipped, the next block starts at `end`;
 *  - broken: the frame itself is impossible (zero or absurd length, runs past the data): nothing after it is reachable.
 */
export type BlockRead =
  | {kind: 'ok'; data: Buffer; end: number; checksummed: boolean}
  | {kind: 'bad'; end: number; reason: string}
  | {kind: 'broken'; reason: string}

/**
 * Parses the block at `offset` out of the reader's window; undefined when the bytes needed are not in it. `checksummed`
 * says the segment is medic's (its first block carries the checksum header), so a payload without one is damage
 * rather than a foreign block.
 */
export function parseBlock(reader: ChunkReader, offset: number, dataEnd: number, checksummed: boolean): BlockRead | undefined {
  if (offset + LENGTH_BYTES > dataEnd) {
    return {kind: 'broken', reason: `a length prefix at offset ${offset} runs past the data (ends at ${dataEnd})`}
  }
  // The usual case reads out of the current window; get() moves to the next window or copies what straddles two.
  let prefix = reader.buf
  let at = offset - reader.start
  if (!reader.has(offset, LENGTH_BYTES)) {
    const bytes = reader.get(offset, LENGTH_BYTES)
    if (!bytes) return undefined
    prefix = bytes
    at = 0
  }
  const length = readU64(prefix, at)
  if (length === 0) return {kind: 'broken', reason: `zero-length block at offset ${offset}`}
  if (!(length <= MAX_BLOCK_BYTES)) {
    return {kind: 'broken', reason: `block at offset ${offset} claims ${prefix.readBigUInt64BE(at)} bytes (limit ${MAX_BLOCK_BYTES})`}
  }
  const end = offset + LENGTH_BYTES + length
  if (end > dataEnd) return {kind: 'broken', reason: `block at offset ${offset} (${length} bytes) runs past the data (ends at ${dataEnd})`}
  let decoded
  if (reader.has(offset + LENGTH_BYTES, length)) {
    const from = offset + LENGTH_BYTES - reader.start
    decoded = decodePayloadAt(reader.buf, from, from + length)
  } else {
    const payload = reader.get(offset + LENGTH_BYTES, length)
    if (!payload) return undefined
    decoded = decodePayloadAt(payload, 0, length)
  }
  if (!decoded.ok) return {kind: 'bad', end, reason: decoded.reason}
  if (checksummed && !decoded.checksummed) return {kind: 'bad', end, reason: 'no checksum header in a medic segment'}
  return {kind: 'ok', data: decoded.data, end, checksummed: decoded.checksummed}
}

/** parseBlock(), reading the length prefix and then the whole block when they are not there. */
export async function readBlock(reader: ChunkReader, offset: number, dataEnd: number, checksummed: boolean): Promise<BlockRead> {
  let block = parseBlock(reader, offset, dataEnd, checksummed)
  if (block) return block
  let prefix = reader.get(offset, LENGTH_BYTES)
  if (!prefix) {
    await reader.load(offset, LENGTH_BYTES, dataEnd)
    block = parseBlock(reader, offset, dataEnd, checksummed)
    if (block) return block
    prefix = reader.get(offset, LENGTH_BYTES)!
  }
  await reader.load(offset, LENGTH_BYTES + readU64(prefix, 0), dataEnd)
  return parseBlock(reader, offset, dataEnd, checksummed)!
}

/**
 * True when the segment's first block carries medic's checksum header, so that every later block must too. A first
 * block that fails its checksum had the header (decodePayload only fails on a header whose checksum mismatches).
 */
export async function isChecksummed(reader: ChunkReader, dataEnd: number): Promise<boolean> {
  if (dataEnd === 0) return false
  const first = await readBlock(reader, 0, dataEnd, false)
  return first.kind === 'ok' ? first.checksummed : first.kind === 'bad'
}

/** The frame structure of a whole segment, as found by walking it from offset 0. */
export interface SegmentWalk {
  /** 0, then the end of every block with a sound frame, in order: the offsets a head may point at. */
  boundaries: number[]
  /** Where the frames stopped: dataEnd when every frame was sound, else the start of the first broken one. */
  structuralEnd: number
  /** Why the frames stopped before dataEnd. */
  brokenReason?: string
  /** End of the last block whose content was good (0 if none). */
  lastGoodEnd: number
  checksummed: boolean
}

export async function walkSegment(reader: ChunkReader, dataEnd: number): Promise<SegmentWalk> {
  const checksummed = await isChecksummed(reader, dataEnd)
  const walk: SegmentWalk = {boundaries: [0], structuralEnd: dataEnd, lastGoodEnd: 0, checksummed}
  let offset = 0
  while (offset < dataEnd) {
    const block = await readBlock(reader, offset, dataEnd, checksummed)
    if (block.kind === 'broken') {
      walk.structuralEnd = offset
      walk.brokenReason = block.reason
      break
    }
    if (block.kind === 'ok') walk.lastGoodEnd = block.end
    offset = block.end
    walk.boundaries.push(offset)
  }
  return walk
}

/** True when `offset` is one of the walk's block boundaries (binary search: boundaries are increasing). */
export function isBoundary(walk: SegmentWalk, offset: number): boolean {
  const b = walk.boundaries
  let lo = 0
  let hi = b.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (b[mid] === offset) return true
    if (b[mid] < offset) lo = mid + 1
    else hi = mid - 1
  }
  return false
}

/**
 * Where a tail segment must be cut after a crash, or undefined when it is whole. The engine appends in two steps
 * (docs/hh-format.md, "Crash safety"): first everything after the old footer, then the new block's length over the
 * old footer. A torn append therefore leaves sound frames up to the old footer and an impossible frame there or soon
 * after (the old footer read as a length, then payload bytes read as lengths). When every frame is sound up to the
 * footer, the segment is whole and a block failing its checksum is rot: it is kept for peek() to skip and report.
 * Otherwise the cut goes right after the last good block, where the old footer (the persisted head) still lies.
 */
export function tornCut(walk: SegmentWalk, dataEnd: number): number | undefined {
  return walk.structuralEnd === dataEnd ? undefined : walk.lastGoodEnd
}

/**
 * The head to resume from: the footer when the segment is whole, the old footer found at the cut when it was torn.
 * Anything that is not a block boundary at or before the end of the kept data cannot be a head: restart at 0
 * (duplicates, never loss) and say why.
 */
export function recoveredHead(walk: SegmentWalk, keptEnd: number, candidate: number | undefined): {head: number; lost?: string} {
  if (candidate !== undefined && candidate <= keptEnd && isBoundary(walk, candidate)) return {head: candidate}
  const found = candidate === undefined ? 'unreadable' : candidate === Number.POSITIVE_INFINITY ? '2^53 or more' : String(candidate)
  return {head: 0, lost: `the stored head offset (${found}) is not a block boundary in the first ${keptEnd} bytes`}
}
