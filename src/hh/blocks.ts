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

const CHUNK_BYTES = 1024 * 1024

/**
 * Sequential reads through a 1 MiB window: most length prefixes and payloads are parsed straight out of it, without a
 * system call or a copy. While the caller works through a window, the next one is read ahead, from the first block
 * that the window does not hold whole, so that checksumming overlaps reading. Reads never go past `limit`, the data
 * committed when they were started; those bytes never change afterwards.
 */
export class ChunkReader {
  /** The window: file bytes [start, start + buf.length). */
  buf: Buffer = Buffer.alloc(0)
  start = 0
  private ahead?: {offset: number; read: Promise<Buffer>}

  constructor(private readonly fh: FileHandle) {}

  has(offset: number, length: number): boolean {
    return offset >= this.start && offset + length <= this.start + this.buf.length
  }

  /** Moves the window to start at `offset` and hold at least `length` bytes; never reads past `limit`. */
  async fill(offset: number, length: number, limit: number): Promise<void> {
    const ahead = this.ahead?.offset === offset ? await this.ahead.read : undefined
    this.ahead = undefined
    const buf = ahead && ahead.length >= length ? ahead : await this.readAt(offset, length, limit)
    if (buf.length < length) throw new Error(`short read: ${buf.length} of ${length} bytes at offset ${offset}`)
    this.buf = buf
    this.start = offset
    this.readAhead(limit)
  }

  /** Exactly `length` bytes at `offset`; the caller guarantees offset + length <= limit <= the file size. */
  async read(offset: number, length: number, limit: number): Promise<Buffer> {
    if (!this.has(offset, length)) await this.fill(offset, length, limit)
    return this.buf.subarray(offset - this.start, offset - this.start + length)
  }

  private async readAt(offset: number, length: number, limit: number): Promise<Buffer> {
    // A fresh buffer each time: blocks handed out earlier may still point into the old one.
    const size = Math.min(Math.max(length, CHUNK_BYTES), limit - offset)
    const buf = Buffer.allocUnsafe(size)
    const {bytesRead} = await this.fh.read(buf, 0, size, offset)
    return buf.subarray(0, bytesRead)
  }

  /** Starts reading the window that follows: from the first block this one does not hold whole. */
  private readAhead(limit: number): void {
    let next = this.start
    const end = this.start + this.buf.length
    while (next + LENGTH_BYTES <= end) {
      const length = readU64(this.buf, next - this.start)
      if (!(length > 0 && length <= MAX_BLOCK_BYTES) || next + LENGTH_BYTES + length > end) break
      next += LENGTH_BYTES + length
    }
    if (next >= limit || next === this.start) return
    const read = this.readAt(next, 0, limit)
    read.catch(() => {}) // a read ahead that fails (file closed, deleted) is simply not used
    this.ahead = {offset: next, read}
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
  if (!reader.has(offset, LENGTH_BYTES)) return undefined
  const at = offset - reader.start
  const length = readU64(reader.buf, at)
  if (length === 0) return {kind: 'broken', reason: `zero-length block at offset ${offset}`}
  if (!(length <= MAX_BLOCK_BYTES)) {
    return {kind: 'broken', reason: `block at offset ${offset} claims ${reader.buf.readBigUInt64BE(at)} bytes (limit ${MAX_BLOCK_BYTES})`}
  }
  const end = offset + LENGTH_BYTES + length
  if (end > dataEnd) return {kind: 'broken', reason: `block at offset ${offset} (${length} bytes) runs past the data (ends at ${dataEnd})`}
  if (!reader.has(offset, LENGTH_BYTES + length)) return undefined
  const decoded = decodePayloadAt(reader.buf, at + LENGTH_BYTES, at + LENGTH_BYTES + length)
  if (!decoded.ok) return {kind: 'bad', end, reason: decoded.reason}
  if (checksummed && !decoded.checksummed) return {kind: 'bad', end, reason: 'no checksum header in a medic segment'}
  return {kind: 'ok', data: decoded.data, end, checksummed: decoded.checksummed}
}

/** parseBlock(), reading the length prefix and then the whole block into the window when they are not there. */
export async function readBlock(reader: ChunkReader, offset: number, dataEnd: number, checksummed: boolean): Promise<BlockRead> {
  let block = parseBlock(reader, offset, dataEnd, checksummed)
  if (block) return block
  if (!reader.has(offset, LENGTH_BYTES)) {
    await reader.fill(offset, LENGTH_BYTES, dataEnd)
    block = parseBlock(reader, offset, dataEnd, checksummed)
    if (block) return block
  }
  await reader.fill(offset, LENGTH_BYTES + readU64(reader.buf, offset - reader.start), dataEnd)
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
