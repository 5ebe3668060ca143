/**
 * A shard's write-ahead log: the hinted-handoff segment engine (src/hh/queue.ts SegmentQueue) used as an append log,
 * rather than a second append-log implementation. What the engine gives: appends acknowledged only after fdatasync,
 * group commit (with `{intervalMs: 0}` every append made while a commit is on disk joins the next one, as influxd's WAL
 * does with wal-fsync-delay = 0), medic's CRC-32 in every block, and a torn tail cut when the queue is opened.
 *
 * The log never uses the queue's reader (peek/advance): advancing persists a head, which would lose records that are
 * not in a snapshot yet if the process died before the next snapshot. Instead the log is written in generations,
 * `wal/<generation>/` (one SegmentQueue each), and a whole generation is deleted once a snapshot covers it. Replay reads
 * the blocks with the engine's own block reader (src/hh/blocks.ts) after the engine has repaired the tails.
 *
 * Records (the payload of one block; integers little-endian, strings u32 byte length + UTF-8):
 *   u8 kind, u64 seq, then
 *   kind 1 write:   u32 n, n × (str measurement, str field, u8 type) fields created; u8 encoding; u32 length; points
 *                   encoding 0: line protocol, one point per line, ns timestamps (lineprotocol formatPoints; the
 *                   bytes the points were parsed from when they were already in that form, lineprotocol sourceLines);
 *                   encoding 1: JSON, for the rare point whose line-protocol form would not parse back identically;
 *   kind 2 delete:  i64 min, i64 max, u32 n, n × str series key    (DELETE and DROP SERIES)
 *   kind 3 drop measurement: str name
 * `seq` numbers records of one shard from 1; a snapshot records the last seq it holds, and replay skips older ones.
 */
import {open, readdir, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {ChunkReader, isChecksummed, readBlock} from '../../../hh/blocks.js'
import {FOOTER_BYTES} from '../../../hh/format.js'
import {type QueueFinding, SegmentQueue} from '../../../hh/queue.js'
import {formatPoint, sourceLines, type Field, type FieldType, type FieldValue, type Point} from '../../../lineprotocol/point.js'
import {parseLines} from '../../../lineprotocol/parse.js'
import {StoreIoError} from './errors.js'

export type WalRecord =
  | {kind: 'write'; seq: bigint; fields: Array<readonly [string, string, FieldType]>; points: Point[]}
  | {kind: 'delete'; seq: bigint; min: bigint; max: bigint; keys: string[]}
  | {kind: 'drop-measurement'; seq: bigint; name: string}

const KIND = {write: 1, delete: 2, 'drop-measurement': 3} as const
const TYPES: FieldType[] = ['float', 'integer', 'unsigned', 'string', 'boolean']

// ---------------------------------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------------------------------

class Writer {
  private buf = Buffer.allocUnsafe(256)
  private at = 0

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n))
    this.buf.copy(next, 0, 0, this.at)
    this.buf = next
  }

  u8(v: number): void {
    this.room(1)
    this.buf[this.at++] = v
  }

  u32(v: number): void {
    this.room(4)
    this.buf.writeUInt32LE(v, this.at)
    this.at += 4
  }

  i64(v: bigint): void {
    this.room(8)
    this.buf.writeBigInt64LE(v, this.at)
    this.at += 8
  }

  str(s: string): void {
    const n = Buffer.byteLength(s)
    this.room(4 + n)
    this.buf.writeUInt32LE(n, this.at)
    this.buf.write(s, this.at + 4, n, 'utf8')
    this.at += 4 + n
  }

  /** Bytes as a str (u32 length, then the bytes). */
  bytes(b: Buffer): void {
    this.room(4 + b.length)
    this.buf.writeUInt32LE(b.length, this.at)
    b.copy(this.buf, this.at + 4)
    this.at += 4 + b.length
  }

  /**
   * Lines joined by newlines (one ending each), as a str: written line by line, so that no string as big as the whole
   * batch is ever made (V8 builds those slowly).
   */
  lines(lines: ReadonlyArray<string>): void {
    let estimate = 0
    for (const line of lines) estimate += line.length + 1
    // Worst case three bytes per UTF-16 unit; most lines are ASCII, so start there and grow if needed.
    this.room(4 + estimate)
    const lengthAt = this.at
    this.at += 4
    for (const line of lines) {
      this.room(line.length * 3 + 1)
      this.at += this.buf.write(line, this.at, 'utf8')
      this.buf[this.at++] = 0x0a
    }
    this.buf.writeUInt32LE(this.at - lengthAt - 4, lengthAt)
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at)
  }
}

class Reader {
  at = 0
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Error(`record ends early (needs ${n} bytes at ${this.at} of ${this.buf.length})`)
  }

  u8(): number {
    this.need(1)
    return this.buf[this.at++]
  }

  u32(): number {
    this.need(4)
    const v = this.buf.readUInt32LE(this.at)
    this.at += 4
    return v
  }

  i64(): bigint {
    this.need(8)
    const v = this.buf.readBigInt64LE(this.at)
    this.at += 8
    return v
  }

  str(): string {
    const n = this.u32()
    this.need(n)
    const s = this.buf.toString('utf8', this.at, this.at + n)
    this.at += n
    return s
  }
}

export function encodeRecord(record: WalRecord): Buffer {
  const w = new Writer()
  w.u8(KIND[record.kind])
  w.i64(record.seq)
  switch (record.kind) {
    case 'write': {
      w.u32(record.fields.length)
      for (const [m, f, t] of record.fields) {
        w.str(m)
        w.str(f)
        w.u8(TYPES.indexOf(t))
      }
      // Points parsed from lines already in formatPoint's form carry those bytes (lineprotocol sourceLines).
      const source = sourceLines(record.points)
      const lines = source === undefined ? pointsAsLineProtocol(record.points) : undefined
      if (source !== undefined) {
        w.u8(0)
        w.bytes(source)
      } else if (lines !== undefined) {
        w.u8(0)
        w.lines(lines)
      } else {
        w.u8(1)
        w.str(JSON.stringify(record.points.map(pointToJson)))
      }
      break
    }
    case 'delete':
      w.i64(record.min)
      w.i64(record.max)
      w.u32(record.keys.length)
      for (const k of record.keys) w.str(k)
      break
    case 'drop-measurement':
      w.str(record.name)
      break
  }
  return w.done()
}

export function decodeRecord(buf: Buffer): WalRecord {
  const r = new Reader(buf)
  const kind = r.u8()
  const seq = r.i64()
  switch (kind) {
    case KIND.write: {
      const fields: Array<readonly [string, string, FieldType]> = []
      for (let n = r.u32(); n > 0; n--) {
        const m = r.str()
        const f = r.str()
        const t = TYPES[r.u8()]
        if (!t) throw new Error('unknown field type code')
        fields.push([m, f, t])
      }
      const encoding = r.u8()
      const text = r.str()
      const points = encoding === 0 ? pointsFromLineProtocol(text) : (JSON.parse(text) as unknown[]).map(pointFromJson)
      return {kind: 'write', seq, fields, points}
    }
    case KIND.delete: {
      const min = r.i64()
      const max = r.i64()
      const keys: string[] = []
      for (let n = r.u32(); n > 0; n--) keys.push(r.str())
      return {kind: 'delete', seq, min, max, keys}
    }
    case KIND['drop-measurement']:
      return {kind: 'drop-measurement', seq, name: r.str()}
    default:
      throw new Error(`unknown record kind ${kind}`)
  }
}

/**
 * The points as line protocol, or undefined when some point's line would not parse back to the same point. Only
 * points with backslashes in keys (or an empty field key) are checked by parsing; the rest round-trip by construction.
 */
function pointsAsLineProtocol(points: ReadonlyArray<Point>): string[] | undefined {
  const lines: string[] = new Array(points.length)
  const suspects: number[] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i]
    try {
      lines[i] = formatPoint(p)
    } catch {
      return undefined
    }
    if (needsCheck(p)) suspects.push(i)
  }
  for (const i of suspects) {
    const {points: back, errors} = parseLines(lines[i], {now: 0n})
    if (errors.length > 0 || back.length !== 1 || !samePoint(points[i], back[0])) return undefined
  }
  return lines
}

function needsCheck(p: Point): boolean {
  if (p.key.indexOf('\\') !== -1) return true
  if (p.fieldsText !== undefined) return false
  for (const f of p.fields) if (f.key === '' || f.key.indexOf('\\') !== -1) return true
  return false
}

function pointsFromLineProtocol(text: string): Point[] {
  const {points, errors} = parseLines(text, {now: 0n})
  if (errors.length > 0) throw new Error(`a logged point does not parse: ${errors[0].message}`)
  return points
}

/** Same key, time and fields (key, type, value; floats by Object.is so -0 and NaN count). */
export function samePoint(a: Point, b: Point): boolean {
  if (a.key !== b.key || a.time !== b.time || a.measurement !== b.measurement || a.fields.length !== b.fields.length) return false
  if (a.tags.length !== b.tags.length || a.tags.some(([k, v], i) => b.tags[i][0] !== k || b.tags[i][1] !== v)) return false
  return a.fields.every((f, i) => f.key === b.fields[i].key && f.type === b.fields[i].type && Object.is(f.value, b.fields[i].value))
}

type JsonPoint = [string, string, Array<[string, string]>, string, Array<[string, number, string]>]

function pointToJson(p: Point): JsonPoint {
  return [p.key, p.measurement, p.tags.map(([k, v]) => [k, v]), String(p.time), p.fields.map((f) => [f.key, TYPES.indexOf(f.type), valueText(f)])]
}

function valueText(f: Field): string {
  if (f.type === 'float') return Object.is(f.value, -0) ? '-0' : String(f.value)
  if (f.type === 'boolean') return f.value ? '1' : '0'
  return String(f.value)
}

function pointFromJson(raw: unknown): Point {
  const [key, measurement, tags, time, fields] = raw as JsonPoint
  return {
    key, measurement, tags, time: BigInt(time),
    fields: fields.map(([k, t, v]) => {
      const type = TYPES[t]
      const value: FieldValue = type === 'float' ? Number(v) : type === 'boolean' ? v === '1' : type === 'string' ? v : BigInt(v)
      return {key: k, type, value}
    }),
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Generations on disk
// ---------------------------------------------------------------------------------------------------------------------

/** Generation numbers present under `walDir`, ascending; anything else is reported. */
export async function listGenerations(walDir: string, onFinding: (f: QueueFinding) => void): Promise<number[]> {
  let names: string[]
  try {
    names = await readdir(walDir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const gens: number[] = []
  for (const name of names) {
    if (/^[1-9][0-9]{0,14}$/.test(name)) gens.push(Number(name))
    else onFinding({kind: 'foreign-entry', path: join(walDir, name), message: 'not a WAL generation: ignored'})
  }
  return gens.sort((a, b) => a - b)
}

/**
 * Opens a generation's queue for appends (creating it), with group commit as wal-fsync-delay = 0 does. The engine's
 * own errors (written for the CLI) become a plain StoreIoError naming the directory.
 */
export async function openGeneration(walDir: string, gen: number, onFinding: (f: QueueFinding) => void): Promise<SegmentQueue> {
  const dir = join(walDir, String(gen))
  try {
    return await SegmentQueue.open(dir, {sync: {intervalMs: 0}, onFinding})
  } catch (err) {
    throw new StoreIoError(`cannot open the WAL in ${dir}: ${(err as Error).message ?? String(err)}`, {cause: err})
  }
}

/**
 * Every record of a generation, in order. The generation must have been opened once (SegmentQueue.open) so that a
 * torn tail is already cut. A block that fails its checksum is reported and skipped; a broken frame ends its segment.
 */
export async function* readGeneration(dir: string, onFinding: (f: QueueFinding) => void): AsyncGenerator<WalRecord> {
  const names = (await readdir(dir)).filter((n) => /^[1-9][0-9]{0,18}$/.test(n)).sort((a, b) => Number(a) - Number(b))
  for (const name of names) {
    const path = join(dir, name)
    const size = (await stat(path)).size
    if (size < FOOTER_BYTES) continue
    const dataEnd = size - FOOTER_BYTES
    const fh = await open(path, 'r')
    const reader = new ChunkReader(fh)
    try {
      const checksummed = await isChecksummed(reader, dataEnd)
      let offset = 0
      while (offset < dataEnd) {
        const block = await readBlock(reader, offset, dataEnd, checksummed)
        if (block.kind === 'broken') {
          onFinding({kind: 'unreadable-rest', path, offset, bytes: dataEnd - offset, message: `WAL segment unreadable from here: ${block.reason}`})
          break
        }
        if (block.kind === 'bad') {
          onFinding({kind: 'corrupt-block', path, offset, bytes: block.end - offset, message: `WAL record skipped: ${block.reason}`})
        } else {
          let record: WalRecord | undefined
          try {
            record = decodeRecord(block.data)
          } catch (err) {
            onFinding({kind: 'corrupt-block', path, offset, bytes: block.end - offset, message: `WAL record skipped: ${(err as Error).message}`})
          }
          if (record) yield record
        }
        offset = block.end
      }
    } finally {
      reader.release()
      await fh.close()
    }
  }
}

/** Removes a generation's directory. */
export async function removeGeneration(walDir: string, gen: number): Promise<void> {
  await rm(join(walDir, String(gen)), {recursive: true, force: true})
}
