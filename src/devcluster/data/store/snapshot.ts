/**
 * A shard's snapshot file: its whole state at one WAL sequence number, columnar and checksummed, so that a restart
 * reads one file and the WAL records after it instead of every write since the shard was created.
 *
 *   "MEDICSNP" u32 version(1), then sections until an end section:
 *   section = u32 kind, u32 payload length, payload, u32 CRC-32 of the payload
 *     kind 1 header:  JSON {shard, database, retentionPolicy, seq}
 *     kind 2 fields:  u32 n, n × (str measurement, u32 m, m × (str field, u8 type))
 *     kind 3 series:  str key, str measurement, u32 t, t × (str tag key, str tag value), u32 c, c × column
 *                     column = str field, u8 type, u32 n, n × i64 time, values (f64 / i64 / u64: n × 8 bytes,
 *                     boolean: n bytes, string: n × str)
 *     kind 9 end:     u32 number of series sections
 *   integers little-endian; str = u32 byte length + UTF-8.
 *
 * It is written to `snapshot.tmp`, fdatasync'ed, renamed over `snapshot` and the directory fsync'ed: a crash leaves
 * either the old snapshot or the new one. Column bytes go to the file straight from the typed arrays (no copy).
 * Only series that hold values are written: a series without data does not survive a restart, as in influxd.
 */
import {type FileHandle, open, rename, rm} from 'node:fs/promises'
import {endianness} from 'node:os'
import {join} from 'node:path'
import {crc32} from 'node:zlib'

import {ColumnData} from './column.js'
import type {Column, FieldType, SeriesInfo} from './types.js'

const MAGIC = Buffer.from('MEDICSNP', 'latin1')
const VERSION = 1
const TYPES: FieldType[] = ['float', 'integer', 'unsigned', 'string', 'boolean']
const SECTION = {header: 1, fields: 2, series: 3, end: 9} as const

if (endianness() !== 'LE') throw new Error('the shard store writes typed arrays as they are in memory and needs a little-endian machine')

export interface SnapshotHeader {
  shard: number
  database: string
  retentionPolicy: string
  /** The last WAL record the snapshot holds. */
  seq: string
}

/** What a snapshot holds, as views captured at one moment (the arrays are never written again). */
export interface SnapshotImage {
  header: SnapshotHeader
  fields: ReadonlyMap<string, ReadonlyMap<string, FieldType>>
  series: Array<{info: SeriesInfo; columns: Array<readonly [string, Column]>}>
}

export const SNAPSHOT_FILE = 'snapshot'
const TEMP_FILE = 'snapshot.tmp'

/** A snapshot that cannot be read: damaged, truncated or not ours. */
export class SnapshotError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`)
    this.name = 'SnapshotError'
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------------------

/** Buffered sequential writes; large pieces go to the file directly. Tracks the CRC of the current section. */
class FileWriter {
  private staging = Buffer.allocUnsafe(1 << 20)
  private used = 0
  private position = 0
  crc = 0

  constructor(private readonly fh: FileHandle) {}

  async bytes(data: Uint8Array, checksum = true): Promise<void> {
    if (checksum) this.crc = crc32(data, this.crc)
    if (data.length > this.staging.length / 4) {
      await this.flush()
      await this.writeAll(data)
      return
    }
    if (this.used + data.length > this.staging.length) await this.flush()
    this.staging.set(data, this.used)
    this.used += data.length
  }

  async flush(): Promise<void> {
    if (this.used === 0) return
    const data = this.staging.subarray(0, this.used)
    await this.writeAll(data)
    this.staging = Buffer.allocUnsafe(this.staging.length)
    this.used = 0
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let done = 0
    while (done < data.length) {
      const {bytesWritten} = await this.fh.write(data, done, data.length - done, this.position)
      done += bytesWritten
      this.position += bytesWritten
    }
  }
}

/** Small section parts are encoded here, then handed to the FileWriter. */
class Parts {
  readonly list: Uint8Array[] = []
  length = 0

  add(part: Uint8Array): void {
    this.list.push(part)
    this.length += part.length
  }

  u8(v: number): void {
    this.add(Uint8Array.of(v))
  }

  u32(v: number): void {
    const b = Buffer.allocUnsafe(4)
    b.writeUInt32LE(v, 0)
    this.add(b)
  }

  str(s: string): void {
    const b = Buffer.from(s, 'utf8')
    this.u32(b.length)
    this.add(b)
  }
}

async function writeSection(w: FileWriter, kind: number, parts: Parts): Promise<void> {
  const head = Buffer.allocUnsafe(8)
  head.writeUInt32LE(kind, 0)
  head.writeUInt32LE(parts.length, 4)
  await w.bytes(head, false)
  w.crc = 0
  for (const p of parts.list) await w.bytes(p)
  const tail = Buffer.allocUnsafe(4)
  tail.writeUInt32LE(w.crc >>> 0, 0)
  await w.bytes(tail, false)
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

/** Writes the image as the shard's snapshot, atomically (temp file, fdatasync, rename, directory fsync). */
export async function writeSnapshot(shardDir: string, image: SnapshotImage): Promise<number> {
  const temp = join(shardDir, TEMP_FILE)
  const fh = await open(temp, 'w')
  let size = 0
  try {
    const w = new FileWriter(fh)
    await w.bytes(MAGIC, false)
    const version = Buffer.allocUnsafe(4)
    version.writeUInt32LE(VERSION, 0)
    await w.bytes(version, false)
    const header = new Parts()
    header.add(Buffer.from(JSON.stringify(image.header)))
    await writeSection(w, SECTION.header, header)
    const fields = new Parts()
    fields.u32(image.fields.size)
    for (const [m, f] of image.fields) {
      fields.str(m)
      fields.u32(f.size)
      for (const [k, t] of f) {
        fields.str(k)
        fields.u8(TYPES.indexOf(t))
      }
    }
    await writeSection(w, SECTION.fields, fields)
    let count = 0
    for (const {info, columns} of image.series) {
      if (columns.length === 0) continue
      const p = new Parts()
      p.str(info.key)
      p.str(info.measurement)
      p.u32(info.tags.length)
      for (const [k, v] of info.tags) {
        p.str(k)
        p.str(v)
      }
      p.u32(columns.length)
      for (const [field, column] of columns) {
        const n = column.times.length
        p.str(field)
        p.u8(TYPES.indexOf(column.type))
        p.u32(n)
        p.add(bytesOf(column.times))
        if (column.type === 'string') for (const s of column.values) p.str(s)
        else p.add(bytesOf(column.values))
      }
      await writeSection(w, SECTION.series, p)
      count++
    }
    const end = new Parts()
    end.u32(count)
    await writeSection(w, SECTION.end, end)
    await w.flush()
    await fh.datasync()
    size = (await fh.stat()).size
  } finally {
    await fh.close()
  }
  await rename(temp, join(shardDir, SNAPSHOT_FILE))
  await syncDir(shardDir)
  return size
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------------------

export interface LoadedSnapshot {
  header: SnapshotHeader
  fields: Array<readonly [string, string, FieldType]>
  series: Array<{info: SeriesInfo; columns: Map<string, ColumnData>}>
  bytes: number
}

/** Reads the shard's snapshot; undefined when there is none. Throws SnapshotError when it is damaged. */
export async function readSnapshot(shardDir: string): Promise<LoadedSnapshot | undefined> {
  await rm(join(shardDir, TEMP_FILE), {force: true})
  const path = join(shardDir, SNAPSHOT_FILE)
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const size = (await fh.stat()).size
    let position = 0
    const read = async (n: number): Promise<Buffer> => {
      if (position + n > size) throw new SnapshotError(path, `ends early (wanted ${n} bytes at offset ${position} of ${size})`)
      const buf = Buffer.allocUnsafe(n)
      let done = 0
      while (done < n) {
        const {bytesRead} = await fh.read(buf, done, n - done, position + done)
        if (bytesRead === 0) throw new SnapshotError(path, 'ends early')
        done += bytesRead
      }
      position += n
      return buf
    }
    const start = await read(12)
    if (!start.subarray(0, 8).equals(MAGIC)) throw new SnapshotError(path, 'not a medic shard snapshot')
    if (start.readUInt32LE(8) !== VERSION) throw new SnapshotError(path, `unknown snapshot version ${start.readUInt32LE(8)}`)
    let header: SnapshotHeader | undefined
    const fields: Array<readonly [string, string, FieldType]> = []
    const series: LoadedSnapshot['series'] = []
    for (;;) {
      const head = await read(8)
      const kind = head.readUInt32LE(0)
      const payload = await read(head.readUInt32LE(4))
      const stored = (await read(4)).readUInt32LE(0)
      if ((crc32(payload) >>> 0) !== stored) throw new SnapshotError(path, `checksum mismatch in a section at offset ${position - payload.length - 12}`)
      const r = new SectionReader(payload, path)
      if (kind === SECTION.header) header = JSON.parse(payload.toString('utf8')) as SnapshotHeader
      else if (kind === SECTION.fields) {
        for (let n = r.u32(); n > 0; n--) {
          const m = r.str()
          for (let k = r.u32(); k > 0; k--) fields.push([m, r.str(), r.type()])
        }
      } else if (kind === SECTION.series) series.push(r.series())
      else if (kind === SECTION.end) {
        if (r.u32() !== series.length) throw new SnapshotError(path, 'series count does not match')
        if (!header) throw new SnapshotError(path, 'no header section')
        return {header, fields, series, bytes: size}
      } else throw new SnapshotError(path, `unknown section kind ${kind}`)
    }
  } finally {
    await fh.close()
  }
}

class SectionReader {
  private at = 0
  constructor(private readonly buf: Buffer, private readonly path: string) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new SnapshotError(this.path, 'a section ends early')
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

  str(): string {
    const n = this.u32()
    this.need(n)
    const s = this.buf.toString('utf8', this.at, this.at + n)
    this.at += n
    return s
  }

  type(): FieldType {
    const t = TYPES[this.u8()]
    if (!t) throw new SnapshotError(this.path, 'unknown field type code')
    return t
  }

  /** Copies `bytes` into the memory of `target` (a fresh typed array: aligned, unlike a view of the section). */
  private fill<T extends ArrayBufferView>(target: T): T {
    const n = target.byteLength
    this.need(n)
    new Uint8Array(target.buffer, target.byteOffset, n).set(this.buf.subarray(this.at, this.at + n))
    this.at += n
    return target
  }

  series(): {info: SeriesInfo; columns: Map<string, ColumnData>} {
    const key = this.str()
    const measurement = this.str()
    const tags: Array<readonly [string, string]> = []
    for (let n = this.u32(); n > 0; n--) tags.push([this.str(), this.str()])
    const columns = new Map<string, ColumnData>()
    for (let c = this.u32(); c > 0; c--) {
      const field = this.str()
      const type = this.type()
      const n = this.u32()
      const times = this.fill(new BigInt64Array(n))
      let values: Float64Array | BigInt64Array | BigUint64Array | Uint8Array | string[]
      switch (type) {
        case 'float': values = this.fill(new Float64Array(n)); break
        case 'integer': values = this.fill(new BigInt64Array(n)); break
        case 'unsigned': values = this.fill(new BigUint64Array(n)); break
        case 'boolean': values = this.fill(new Uint8Array(n)); break
        case 'string': {
          const list: string[] = new Array(n)
          for (let i = 0; i < n; i++) list[i] = this.str()
          values = list
          break
        }
      }
      columns.set(field, ColumnData.fromSorted(type, times, values, n))
    }
    return {info: {key, measurement, tags}, columns}
  }
}
