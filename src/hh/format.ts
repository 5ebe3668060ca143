/**
 * The on-disk format of a hinted-handoff segment file, shared by the queue engine (writer and reader), the read-only
 * scanner behind `medic hh inspect`, and the dev cluster's data nodes. Written by hand: no library implements this
 * format (it is InfluxDB's own, see docs/hh-format.md).
 *
 * A segment is a sequence of blocks followed by an 8-byte footer:
 *
 *   [len: u64 BE][payload: len bytes] [len: u64 BE][payload] ... [head: u64 BE]
 *
 * `head` is the byte offset of the next block to deliver; a segment is exhausted when head == size - 8. A new segment
 * is just the footer with head 0. Enterprise names segments 1, 2, 3... inside <hh dir>/<node id>/<shard id>/.
 *
 * medic's own payloads start with a 4-byte magic and a CRC-32 of the data, so a corrupted block is detected and never
 * delivered:   [magic "MHH1"][crc32(data): u32 BE][data]
 * Payloads without the magic (written by InfluxDB Enterprise) are read as they are, without a checksum.
 */
import {crc32} from 'node:zlib'

export const FOOTER_BYTES = 8
export const LENGTH_BYTES = 8
/** Enterprise's default segment size: a block that does not fit starts a new segment. */
export const DEFAULT_SEGMENT_BYTES = 10 * 1024 * 1024
/** `[hinted-handoff] max-size` default: 10 GiB per destination node. */
export const DEFAULT_MAX_SIZE_BYTES = 10 * 1024 * 1024 * 1024
/** `[hinted-handoff] max-age` default: 168h. */
export const DEFAULT_MAX_AGE_MS = 168 * 3_600_000
/** No block may claim to be larger than this (a length of 2^63 is corruption, not data). */
export const MAX_BLOCK_BYTES = 1024 * 1024 * 1024

export const MAGIC = Buffer.from('MHH1', 'latin1')
export const CHECKSUM_HEADER_BYTES = MAGIC.length + 4

/** The exact error text Enterprise returns when a destination's queues are at max-size. */
export const QUEUE_FULL_MESSAGE = 'queue is full'

/** Segment file names are positive decimal integers; anything else in a queue directory is foreign. */
export function isSegmentName(name: string): boolean {
  return /^[1-9]\d{0,18}$/.test(name)
}

/** Wraps data in medic's checksummed payload. */
export function encodePayload(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(CHECKSUM_HEADER_BYTES + data.length)
  MAGIC.copy(out, 0)
  out.writeUInt32BE(crc32(data), MAGIC.length)
  out.set(data, CHECKSUM_HEADER_BYTES)
  return out
}

export type DecodedPayload =
  | {ok: true; data: Buffer; checksummed: boolean}
  | {ok: false; reason: string}

/** Unwraps a payload: verifies medic's checksum when present, passes foreign (Enterprise) payloads through. */
export function decodePayload(payload: Buffer): DecodedPayload {
  if (payload.length >= CHECKSUM_HEADER_BYTES && payload.subarray(0, MAGIC.length).equals(MAGIC)) {
    const data = payload.subarray(CHECKSUM_HEADER_BYTES)
    const want = payload.readUInt32BE(MAGIC.length)
    const got = crc32(data)
    return want === got ? {ok: true, data, checksummed: true} : {ok: false, reason: `checksum mismatch (stored ${want}, computed ${got})`}
  }
  return {ok: true, data: payload, checksummed: false}
}

/** Encodes one block: length prefix and payload. */
export function encodeBlock(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_BYTES + payload.length)
  out.writeBigUInt64BE(BigInt(payload.length), 0)
  out.set(payload, LENGTH_BYTES)
  return out
}

export function encodeFooter(head: number): Buffer {
  const out = Buffer.allocUnsafe(FOOTER_BYTES)
  out.writeBigUInt64BE(BigInt(head), 0)
  return out
}

/**
 * Reads a u64 length or offset safely: values above Number.MAX_SAFE_INTEGER (e.g. 2^63 from a corrupt file) are
 * returned as Infinity so that every range check fails instead of wrapping.
 */
export function readU64(buf: Buffer, offset: number): number {
  const v = buf.readBigUInt64BE(offset)
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v)
}

/** What can be said of a segment from its size and footer alone (no block is read). */
export type FooterCheck =
  | {ok: true; head: number; pendingBytes: number; exhausted: boolean}
  | {ok: false; reason: string}

export function checkFooter(size: number, footer: Buffer | undefined): FooterCheck {
  if (size === 0) return {ok: false, reason: 'empty file (no footer)'}
  if (size < FOOTER_BYTES || footer === undefined || footer.length < FOOTER_BYTES) {
    return {ok: false, reason: `truncated: ${size} bytes, shorter than the 8-byte footer`}
  }
  const head = readU64(footer, 0)
  const end = size - FOOTER_BYTES
  if (!(head <= end)) return {ok: false, reason: `footer points past the end (head ${head}, data ends at ${end})`}
  return {ok: true, head, pendingBytes: end - head, exhausted: head === end}
}

/** Size on disk of the block that writeDataBlock() makes for `dataLength` bytes of data. */
export function dataBlockBytes(dataLength: number): number {
  return DATA_BLOCK_HEADER_BYTES + dataLength
}

/** Length prefix and checksum header of a medic block: what precedes the data. */
export const DATA_BLOCK_HEADER_BYTES = LENGTH_BYTES + CHECKSUM_HEADER_BYTES

/**
 * Writes the header of the medic block holding `data` at target[offset]: [len: u64 BE][magic][crc32(data): u32 BE].
 * Returns the offset after it, where the data goes.
 */
export function writeDataBlockHeader(target: Buffer, offset: number, data: Uint8Array): number {
  const length = CHECKSUM_HEADER_BYTES + data.length
  target.writeUInt32BE(Math.floor(length / 2 ** 32), offset)
  target.writeUInt32BE(length >>> 0, offset + 4)
  MAGIC.copy(target, offset + LENGTH_BYTES)
  target.writeUInt32BE(crc32(data), offset + LENGTH_BYTES + MAGIC.length)
  return offset + DATA_BLOCK_HEADER_BYTES
}

/**
 * encodeBlock(encodePayload(data)) written in place at target[offset], with a single copy of the data. Returns the
 * offset after the block.
 */
export function writeDataBlock(target: Buffer, offset: number, data: Uint8Array): number {
  const dataStart = writeDataBlockHeader(target, offset, data)
  target.set(data, dataStart)
  return dataStart + data.length
}

const MAGIC_U32 = MAGIC.readUInt32BE(0)

/** decodePayload() of the payload at buf[start, end), without copying it: the engine's read path. */
export function decodePayloadAt(buf: Buffer, start: number, end: number): DecodedPayload {
  if (end - start < CHECKSUM_HEADER_BYTES || buf.readUInt32BE(start) !== MAGIC_U32) {
    return {ok: true, data: buf.subarray(start, end), checksummed: false}
  }
  const data = buf.subarray(start + CHECKSUM_HEADER_BYTES, end)
  const want = buf.readUInt32BE(start + MAGIC.length)
  const got = crc32(data)
  return want === got ? {ok: true, data, checksummed: true} : {ok: false, reason: `checksum mismatch (stored ${want}, computed ${got})`}
}
