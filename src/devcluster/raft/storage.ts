/**
 * Durable Raft state of one dev-cluster meta node: a segmented write-ahead log (entries and hard state) plus snapshot
 * files, kept in the node's `[meta] dir`. Implements RaftStorageApi (types.ts). Written by hand: Node has no embedded
 * database, and the rules Raft needs (one fdatasync per batch, torn tails cut, mid-file damage refused) are short.
 *
 * Files this module owns in the meta dir (other modules may keep files beside them; names that do not match these
 * patterns are never read, renamed or deleted here):
 *
 *   wal-<20-digit number>.log      WAL segments, replayed in name order. The number is the index the next log entry
 *                                  had when the segment was started, raised when needed so that names always increase
 *                                  (a truncation can move the end of the log backwards). A segment is rolled once it
 *                                  holds segmentBytes (16 MiB by default); a batch is never split across two segments.
 *                                  Every new segment starts with a copy of the latest hard state and snapshot mark, so
 *                                  older segments only hold history and can be deleted once a snapshot covers them.
 *   snapshots/<term>-<index>.json  state-machine snapshots, whole-state JSON: {"format":1,"meta":{index,term,conf},
 *                                  "crc32":<crc of data>,"data":"..."}. The two newest are kept.
 *   snapshots/*.tmp                a snapshot being written (temp file, fdatasync, rename, directory fsync); a
 *                                  leftover from a crash is removed on open.
 *
 * WAL record, all integers big-endian:
 *
 *   [u32 payload length][u32 crc32 of (length field, type, payload)][u8 type][payload: UTF-8 JSON]
 *
 *   type 1 ENTRY          a LogEntry {index, term, kind, data}
 *   type 2 HARDSTATE      {term, votedFor, commit}; the last one wins
 *   type 3 TRUNCATE       {fromIndex}: entries at fromIndex and after are gone
 *   type 4 SNAPSHOT_MARK  {index, term}: the log now starts after a snapshot at index. Entries up to index are dropped;
 *                         the entries after it are kept only if the log holds index with that term, otherwise the
 *                         whole log is discarded (the Raft rule for an installed snapshot).
 *
 * A payload is at most 64 MiB. Recovery replays the segments in order and applies the records above. A short or bad
 * record at the end of the last segment is a write that never completed (never acknowledged): the file is cut there
 * and the cut is reported in `repairs`. A bad record with valid records after it, or anywhere in an older segment, is
 * damage: open() refuses with RaftStorageCorruptError, because carrying on could forget an acknowledged vote or entry.
 *
 * Failure policy: any I/O error while writing (write, fdatasync, fsync, rename, unlink) is fatal. After a failed
 * fsync the kernel may have dropped the dirty pages, so a retry proves nothing. save() and saveSnapshot() then reject
 * with RaftStorageFatalError, every later call rejects with the same error, and the driver must exit the process; the
 * next start recovers from what is on disk.
 */
import {constants as fsConstants} from 'node:fs'
import {type FileHandle, mkdir, open, readdir, readFile, rename, stat, unlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {crc32} from 'node:zlib'

import {diskFullError} from '../node/faults.js'
import type {HardState, LogEntry, RaftStorageApi, RecoveredState, Snapshot} from './types.js'

export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024
/** The largest payload a record may carry; a larger length field is damage, never an allocation. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024
const HEADER_BYTES = 9
const KEEP_SNAPSHOTS = 2

export const RecordType = {ENTRY: 1, HARDSTATE: 2, TRUNCATE: 3, SNAPSHOT_MARK: 4} as const
type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType]

const SEGMENT_RE = /^wal-(\d{20})\.log$/
const SNAPSHOT_RE = /^(\d+)-(\d+)\.json$/

export interface RaftStorageOptions {
  /** Roll to a new WAL segment once the current one holds this many bytes (default 16 MiB). */
  segmentBytes?: number
}

/** Something open() fixed or skipped; the driver logs these. */
export interface RaftStorageRepair {
  kind: 'torn-tail' | 'temp-file-removed' | 'snapshot-unreadable'
  path: string
  /** Where the torn record started (torn-tail). */
  offset?: number
  /** Bytes cut off (torn-tail). */
  bytes?: number
  message: string
}

/** The meta dir holds damaged Raft state: the node must not start on it. */
export class RaftStorageCorruptError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly offset?: number,
  ) {
    super(message)
    this.name = 'RaftStorageCorruptError'
  }
}

/**
 * A write, sync, rename or delete failed: what is durable is unknown, so the process must exit (the driver does this
 * on seeing this error) and recover from disk on the next start. Once raised, every later call fails with it.
 */
export class RaftStorageFatalError extends Error {
  readonly fatal = true
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'RaftStorageFatalError'
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------------------------------

interface PendingRecord {
  type: RecordTypeCode
  json: string
}

/** Frames records into one buffer, ready for a single write. */
export function encodeRecords(records: PendingRecord[]): Buffer {
  let total = 0
  const sizes = records.map((r) => {
    const n = Buffer.byteLength(r.json)
    if (n > MAX_RECORD_BYTES) throw new RangeError(`raft storage: a record of ${n} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`)
    total += HEADER_BYTES + n
    return n
  })
  const buf = Buffer.allocUnsafe(total)
  let off = 0
  records.forEach((r, i) => {
    const n = sizes[i]
    buf.writeUInt32BE(n, off)
    buf[off + 8] = r.type
    buf.write(r.json, off + HEADER_BYTES, n, 'utf8')
    buf.writeUInt32BE(recordCrc(buf, off, n), off + 4)
    off += HEADER_BYTES + n
  })
  return buf
}

function recordCrc(buf: Buffer, off: number, payloadBytes: number): number {
  return crc32(buf.subarray(off + 8, off + HEADER_BYTES + payloadBytes), crc32(buf.subarray(off, off + 4)))
}

const KNOWN_TYPES = new Set<number>(Object.values(RecordType))

/** Whether a whole, checksum-valid record of a known type starts at `off`. */
function validRecordAt(buf: Buffer, off: number): boolean {
  if (off + HEADER_BYTES > buf.length) return false
  const n = buf.readUInt32BE(off)
  if (n === 0 || n > MAX_RECORD_BYTES || off + HEADER_BYTES + n > buf.length) return false
  if (!KNOWN_TYPES.has(buf[off + 8])) return false
  return recordCrc(buf, off, n) === buf.readUInt32BE(off + 4)
}

// ---------------------------------------------------------------------------------------------------------------------
// The shape of the log: what replay builds and what save() checks batches against
// ---------------------------------------------------------------------------------------------------------------------

type MarkOutcome = 'ignored' | 'kept' | 'discarded'

/**
 * A contiguous run of log positions base+1 .. base+items.length. Replay keeps whole entries in it; the live storage
 * keeps only terms (to apply the snapshot rule and check that batches follow on).
 */
class LogShape<T> {
  base = 0
  items: T[] = []

  constructor(private readonly termOf: (item: T) => number) {}

  get lastIndex(): number {
    return this.base + this.items.length
  }

  termAt(index: number): number | undefined {
    if (index <= this.base || index > this.lastIndex) return undefined
    return this.termOf(this.items[index - this.base - 1])
  }

  /** Removes fromIndex and after. Reaching into the snapshot empties the log but leaves its start where it was. */
  truncate(fromIndex: number): void {
    if (fromIndex <= this.base + 1) {
      this.items = []
    } else if (fromIndex <= this.lastIndex) {
      this.items.length = fromIndex - this.base - 1
    }
  }

  /** Appends at `index`; an overlap replaces the tail, a gap restarts the run there (replay's final check sees it). */
  append(index: number, item: T): void {
    if (index > this.base && index <= this.lastIndex) this.truncate(index)
    else if (index <= this.base || index > this.lastIndex + 1) {
      this.items = []
      this.base = index - 1
    }
    this.items.push(item)
  }

  /** The snapshot rule: drop up to `index`, keep what follows only if the log agrees with the snapshot at `index`. */
  mark(index: number, term: number): MarkOutcome {
    if (index <= this.base) return 'ignored'
    if (this.termAt(index) === term) {
      this.items = this.items.slice(index - this.base)
      this.base = index
      return 'kept'
    }
    this.items = []
    this.base = index
    return 'discarded'
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// File helpers
// ---------------------------------------------------------------------------------------------------------------------

/** fsync a directory so that a created, renamed or deleted name in it is durable. Not possible on Windows. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const h = await open(dir, fsConstants.O_RDONLY)
  try {
    await h.sync()
  } catch (err) {
    // A few file systems refuse fsync on a directory; there is nothing more to do there.
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err
  } finally {
    await h.close()
  }
}

async function writeFully(h: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const {bytesWritten} = await h.write(buf, done, buf.length - done, position + done)
    if (bytesWritten <= 0) throw new Error('write returned no progress')
    done += bytesWritten
  }
}

const segmentName = (n: number) => `wal-${String(n).padStart(20, '0')}.log`
const snapshotName = (term: number, index: number) => `${term}-${index}.json`

function corrupt(dir: string, path: string, offset: number | undefined, what: string): RaftStorageCorruptError {
  const where = offset === undefined ? path : `${path} at byte offset ${offset}`
  return new RaftStorageCorruptError(
    `raft storage: ${where}: ${what}. The meta node's Raft state in ${dir} is damaged; refusing to start rather than ` +
      'forget an acknowledged vote or log entry. Restore the meta dir from a backup, or remove this meta node from the ' +
      'cluster and add it back with an empty meta dir.',
    path,
    offset,
  )
}

/**
 * JSON of a checked entry, by hand: about twice as fast as JSON.stringify on the object (entries are the hot path),
 * and only the four fields of a LogEntry are kept. index and term are safe integers and kind one of three words, so
 * only data needs escaping.
 */
function entryJson(e: LogEntry): string {
  return `{"index":${e.index},"term":${e.term},"kind":"${e.kind}","data":${JSON.stringify(e.data)}}`
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function checkEntry(v: unknown): v is LogEntry {
  const e = v as LogEntry
  return (
    typeof e === 'object' && e !== null && isNonNegInt(e.index) && e.index >= 1 && isNonNegInt(e.term) &&
    (e.kind === 'cmd' || e.kind === 'noop' || e.kind === 'config') && typeof e.data === 'string'
  )
}

function checkHardState(v: unknown): v is HardState {
  const h = v as HardState
  return (
    typeof h === 'object' && h !== null && isNonNegInt(h.term) && isNonNegInt(h.commit) &&
    (h.votedFor === null || typeof h.votedFor === 'string')
  )
}

function checkSnapshot(v: unknown): v is Snapshot {
  const s = v as Snapshot
  return (
    typeof s === 'object' && s !== null && typeof s.meta === 'object' && s.meta !== null && isNonNegInt(s.meta.index) &&
    isNonNegInt(s.meta.term) && typeof s.meta.conf === 'object' && s.meta.conf !== null &&
    Array.isArray(s.meta.conf.servers) && typeof s.data === 'string'
  )
}

// ---------------------------------------------------------------------------------------------------------------------
// The storage
// ---------------------------------------------------------------------------------------------------------------------

interface Segment {
  /** The number in the file name. */
  seq: number
  path: string
  size: number
  /** The highest entry index written in this segment (0 when none): it may go once a snapshot covers it. */
  maxEntryIndex: number
}

interface Mark {
  index: number
  term: number
}

export class RaftStorage implements RaftStorageApi {
  readonly recovered: RecoveredState
  /** What open() cut off or skipped, for the driver to log (empty after a clean stop). */
  readonly repairs: RaftStorageRepair[]
  /** The meta dir. */
  readonly dir: string

  private readonly snapDir: string
  private readonly segmentBytes: number
  private segments: Segment[]
  private active: FileHandle
  private hardState: HardState | null
  private lastMark: Mark | null
  private readonly shape: LogShape<number>
  private snapshotIndex: number
  private snapshotTerm: number
  private chain: Promise<unknown> = Promise.resolve()
  private failure: RaftStorageFatalError | null = null
  private closing: Promise<void> | null = null

  /** Use openRaftStorage(). */
  constructor(init: {
    dir: string
    segmentBytes: number
    segments: Segment[]
    active: FileHandle
    hardState: HardState | null
    lastMark: Mark | null
    shape: LogShape<number>
    snapshot: {index: number; term: number}
    recovered: RecoveredState
    repairs: RaftStorageRepair[]
  }) {
    this.dir = init.dir
    this.snapDir = join(init.dir, 'snapshots')
    this.segmentBytes = init.segmentBytes
    this.segments = init.segments
    this.active = init.active
    this.hardState = init.hardState
    this.lastMark = init.lastMark
    this.shape = init.shape
    this.snapshotIndex = init.snapshot.index
    this.snapshotTerm = init.snapshot.term
    this.recovered = init.recovered
    this.repairs = init.repairs
  }

  /** Index of the last entry in the durable log (the snapshot index when the log is empty after it). */
  lastIndex(): number {
    return this.shape.lastIndex
  }

  /** WAL segment files currently on disk, oldest first (for tests and `medic dev` diagnostics). */
  segmentFiles(): string[] {
    return this.segments.map((s) => s.path)
  }

  save(batch: {hardState?: HardState; truncateFrom?: number; entries: LogEntry[]; snapshot?: Snapshot}): Promise<void> {
    return this.serial(() => this.doSave(batch))
  }

  saveSnapshot(snapshot: Snapshot, compactTo: number): Promise<void> {
    return this.serial(() => this.doSaveSnapshot(snapshot, compactTo))
  }

  /** Lets the writes already called finish, then closes the segment. Calls made after close() reject. */
  close(): Promise<void> {
    this.closing ??= this.chain.then(() => this.active.close()).catch(() => undefined)
    return this.closing
  }

  /** Runs write operations one at a time, in call order. */
  private serial(fn: () => Promise<void>): Promise<void> {
    if (this.closing) return Promise.reject(new Error('raft storage is closed'))
    const run = async () => {
      if (this.failure) throw this.failure
      return fn()
    }
    const p = this.chain.then(run, run)
    this.chain = p.catch(() => undefined)
    return p
  }

  /** Runs an I/O step; any failure becomes the storage's fatal error. */
  private async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      this.failure ??= new RaftStorageFatalError(
        `raft storage: ${what} failed (${(err as Error).message}); what is durable is unknown, the meta node must exit ` +
          'and recover from its meta dir',
        {cause: err},
      )
      throw this.failure
    }
  }

  private async doSave(batch: {hardState?: HardState; truncateFrom?: number; entries: LogEntry[]; snapshot?: Snapshot}): Promise<void> {
    // Check the batch against the log before touching the disk: a bad batch is a caller bug, not damage. `last` follows
    // what the log's last index will be after each record, applied in the order they are written (and replayed).
    const records: PendingRecord[] = []
    let base = this.shape.base
    let last = this.shape.lastIndex
    if (batch.hardState) {
      if (!checkHardState(batch.hardState)) throw new TypeError('raft storage: malformed hard state')
      records.push({type: RecordType.HARDSTATE, json: JSON.stringify(batch.hardState)})
    }
    let mark: Mark | null = null
    if (batch.snapshot) {
      if (!checkSnapshot(batch.snapshot)) throw new TypeError('raft storage: malformed snapshot')
      const {index, term} = batch.snapshot.meta
      // A snapshot at or below the one we have adds nothing (and the snapshot index never goes backwards).
      if (index > this.snapshotIndex) {
        mark = {index, term}
        records.push({type: RecordType.SNAPSHOT_MARK, json: JSON.stringify(mark)})
        if (index > base) {
          if (this.shape.termAt(index) !== term) last = index
          base = index
        }
      }
    }
    if (batch.truncateFrom !== undefined) {
      if (!isNonNegInt(batch.truncateFrom) || batch.truncateFrom < 1) throw new TypeError('raft storage: bad truncateFrom')
      records.push({type: RecordType.TRUNCATE, json: JSON.stringify({fromIndex: batch.truncateFrom})})
      last = Math.max(base, Math.min(last, batch.truncateFrom - 1))
    }
    for (let i = 0; i < batch.entries.length; i++) {
      const e = batch.entries[i]
      if (!checkEntry(e)) throw new TypeError(`raft storage: malformed entry at position ${i} of the batch`)
      if (e.index <= base) throw new RangeError(`raft storage: entry ${e.index} is at or below the snapshot index ${base}`)
      if (e.index <= last) {
        // Overwriting the tail without an explicit truncateFrom: write the truncation out so replay needs no guessing.
        records.push({type: RecordType.TRUNCATE, json: JSON.stringify({fromIndex: e.index})})
      } else if (e.index > last + 1) {
        throw new RangeError(`raft storage: entry ${e.index} does not follow the log, whose last index is ${last}`)
      }
      last = e.index
      records.push({type: RecordType.ENTRY, json: entryJson(e)})
    }
    if (records.length === 0) return

    if (batch.snapshot && mark) await this.writeSnapshotFile(batch.snapshot)
    await this.append(records, batch.entries[0]?.index)

    // Durable: bring the in-memory view up to date exactly as replay will.
    if (batch.hardState) this.hardState = {...batch.hardState}
    let outcome: MarkOutcome = 'ignored'
    if (mark) {
      outcome = this.shape.mark(mark.index, mark.term)
      this.lastMark = mark
      this.snapshotIndex = mark.index
      this.snapshotTerm = mark.term
    }
    if (batch.truncateFrom !== undefined) this.shape.truncate(batch.truncateFrom)
    const seg = this.segments[this.segments.length - 1]
    for (const e of batch.entries) {
      this.shape.append(e.index, e.term)
      seg.maxEntryIndex = Math.max(seg.maxEntryIndex, e.index)
    }

    if (mark) {
      await this.pruneSnapshots()
      // Older segments are history now: all of them when the log was discarded, else those below the snapshot.
      await this.dropSegments(outcome === 'discarded' ? Number.POSITIVE_INFINITY : mark.index + 1)
    }
  }

  /**
   * open() found a snapshot newer than the WAL's last mark (a crash between the snapshot file and its mark): write the
   * mark now, so that replay applies the snapshot before the entries that will follow it.
   * @internal
   */
  async writeRecoveredMark(): Promise<void> {
    if (this.snapshotIndex === 0 || (this.lastMark && this.lastMark.index >= this.snapshotIndex)) return
    const mark = {index: this.snapshotIndex, term: this.snapshotTerm}
    await this.append([{type: RecordType.SNAPSHOT_MARK, json: JSON.stringify(mark)}], undefined)
    this.lastMark = mark
  }

  private async doSaveSnapshot(snapshot: Snapshot, compactTo: number): Promise<void> {
    if (!checkSnapshot(snapshot)) throw new TypeError('raft storage: malformed snapshot')
    const {index, term} = snapshot.meta
    // The snapshot index never goes backwards (an older local snapshot racing a newer installed one is dropped).
    if (index < this.snapshotIndex) return
    if (index > this.snapshotIndex) {
      await this.writeSnapshotFile(snapshot)
      const mark = {index, term}
      await this.append([{type: RecordType.SNAPSHOT_MARK, json: JSON.stringify(mark)}], undefined)
      this.shape.mark(index, term)
      this.lastMark = mark
      this.snapshotIndex = index
      this.snapshotTerm = term
      await this.pruneSnapshots()
    }
    // Never compact past the snapshot: the entries after it are the only copy.
    await this.dropSegments(Math.min(compactTo, index + 1))
  }

  /** Appends framed records to the active segment (rolling first when it is full), then one fdatasync. */
  private async append(records: PendingRecord[], firstEntry: number | undefined): Promise<void> {
    let seg = this.segments[this.segments.length - 1]
    if (seg.size >= this.segmentBytes) {
      const prefix: PendingRecord[] = []
      if (this.hardState) prefix.push({type: RecordType.HARDSTATE, json: JSON.stringify(this.hardState)})
      if (this.lastMark) prefix.push({type: RecordType.SNAPSHOT_MARK, json: JSON.stringify(this.lastMark)})
      records = [...prefix, ...records]
      seg = await this.roll(Math.max(firstEntry ?? this.shape.lastIndex + 1, seg.seq + 1))
    }
    const buf = encodeRecords(records)
    const target = seg
    await this.io(`writing ${target.path}`, async () => {
      const full = diskFullError('meta', target.path) // dev fault disk-full: nothing reaches the file
      if (full) throw full
      await writeFully(this.active, buf, target.size)
    })
    target.size += buf.length
    await this.io(`fdatasync of ${target.path}`, () => this.active.datasync())
  }

  private async roll(seq: number): Promise<Segment> {
    const path = join(this.dir, segmentName(seq))
    const h = await this.io(`creating ${path}`, () => open(path, 'wx+'))
    await this.io(`fsync of ${this.dir}`, () => syncDir(this.dir))
    const old = this.active
    this.active = h
    await old.close().catch(() => undefined)
    const seg: Segment = {seq, path, size: 0, maxEntryIndex: 0}
    this.segments.push(seg)
    return seg
  }

  private async writeSnapshotFile(snapshot: Snapshot): Promise<void> {
    const final = join(this.snapDir, snapshotName(snapshot.meta.term, snapshot.meta.index))
    const tmp = `${final}.tmp`
    const body = JSON.stringify({format: 1, meta: snapshot.meta, crc32: crc32(snapshot.data), data: snapshot.data})
    await this.io(`writing snapshot ${tmp}`, async () => {
      const h = await open(tmp, 'w')
      try {
        await h.writeFile(body)
        await h.datasync()
      } finally {
        await h.close()
      }
      await rename(tmp, final)
      await syncDir(this.snapDir)
    })
  }

  /** Keeps the KEEP_SNAPSHOTS newest snapshot files (by index). */
  private async pruneSnapshots(): Promise<void> {
    const names = await this.io(`listing ${this.snapDir}`, () => readdir(this.snapDir))
    const snaps = parseSnapshotNames(names)
    const doomed = snaps.slice(KEEP_SNAPSHOTS)
    if (doomed.length === 0) return
    await this.io(`removing old snapshots in ${this.snapDir}`, async () => {
      for (const s of doomed) await unlink(join(this.snapDir, s.name))
      await syncDir(this.snapDir)
    })
  }

  /** Deletes the oldest segments, never the active one, while each holds only entries below `below`. */
  private async dropSegments(below: number): Promise<void> {
    let n = 0
    while (n < this.segments.length - 1 && this.segments[n].maxEntryIndex < below) n++
    if (n === 0) return
    const doomed = this.segments.slice(0, n)
    await this.io(`removing compacted WAL segments in ${this.dir}`, async () => {
      for (const s of doomed) await unlink(s.path)
      await syncDir(this.dir)
    })
    this.segments = this.segments.slice(n)
  }
}

interface SnapshotName {
  name: string
  term: number
  index: number
}

/** Snapshot file names, newest (highest index, then term) first. */
function parseSnapshotNames(names: string[]): SnapshotName[] {
  const out: SnapshotName[] = []
  for (const name of names) {
    const m = SNAPSHOT_RE.exec(name)
    if (m) out.push({name, term: Number(m[1]), index: Number(m[2])})
  }
  return out.sort((a, b) => b.index - a.index || b.term - a.term)
}

// ---------------------------------------------------------------------------------------------------------------------
// Opening and recovery
// ---------------------------------------------------------------------------------------------------------------------

interface Replay {
  hardState: HardState | null
  lastMark: Mark | null
  log: LogShape<LogEntry>
}

/**
 * Opens (creating if needed) the Raft storage in `dir` and recovers what was durable. Throws RaftStorageCorruptError
 * when the state on disk is damaged; cuts torn tail writes and lists them in `repairs`.
 */
export async function openRaftStorage(dir: string, opts: RaftStorageOptions = {}): Promise<RaftStorage> {
  const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES
  if (!(segmentBytes > 0)) throw new RangeError('raft storage: segmentBytes must be positive')
  const repairs: RaftStorageRepair[] = []
  const snapDir = join(dir, 'snapshots')

  const existed = await stat(dir).then(() => true, () => false)
  await mkdir(snapDir, {recursive: true})
  if (!existed) await syncDir(dirname(dir))
  await syncDir(dir)

  // Snapshots: drop leftovers of interrupted writes, then load the newest readable one.
  const snapNames = await readdir(snapDir)
  for (const name of snapNames) {
    if (!name.endsWith('.tmp')) continue
    const path = join(snapDir, name)
    await unlink(path)
    repairs.push({kind: 'temp-file-removed', path, message: 'removed a snapshot left half-written by a crash'})
  }
  let snapshot: Snapshot | null = null
  let snapshotPath = ''
  for (const s of parseSnapshotNames(snapNames)) {
    const path = join(snapDir, s.name)
    const loaded = await loadSnapshot(path, s)
    if (typeof loaded === 'string') {
      repairs.push({kind: 'snapshot-unreadable', path, message: `skipped an unreadable snapshot: ${loaded}`})
      continue
    }
    snapshot = loaded
    snapshotPath = path
    break
  }

  // The WAL.
  const segNames = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort()
  if (segNames.length === 0 && parseSnapshotNames(snapNames).length > 0) {
    throw corrupt(dir, dir, undefined, 'snapshots exist but the WAL segments (wal-*.log) holding the term and vote are missing')
  }
  const replay: Replay = {hardState: null, lastMark: null, log: new LogShape<LogEntry>((e) => e.term)}
  const segments: Segment[] = []
  for (let i = 0; i < segNames.length; i++) {
    const path = join(dir, segNames[i])
    const isLast = i === segNames.length - 1
    const seg = await replaySegment(dir, path, isLast, replay, repairs)
    segments.push({seq: Number(SEGMENT_RE.exec(segNames[i])![1]), path, size: seg.size, maxEntryIndex: seg.maxEntryIndex})
  }

  // Put the snapshot and the log together.
  const log = replay.log
  if (replay.lastMark && (!snapshot || snapshot.meta.index < replay.lastMark.index)) {
    const want = join(snapDir, snapshotName(replay.lastMark.term, replay.lastMark.index))
    throw corrupt(dir, want, undefined, `the WAL says the log starts after a snapshot at index ${replay.lastMark.index}, but that snapshot is missing or unreadable`)
  }
  if (snapshot) {
    if (log.base > snapshot.meta.index) {
      throw corrupt(dir, snapshotPath, undefined, `the WAL has no entries between this snapshot (index ${snapshot.meta.index}) and index ${log.base + 1}`)
    }
    log.mark(snapshot.meta.index, snapshot.meta.term)
  } else if (log.base > 0) {
    throw corrupt(dir, segments[0]?.path ?? dir, undefined, `the log starts at index ${log.base + 1} and there is no snapshot before it`)
  }

  const hardState = replay.hardState ?? {term: 0, votedFor: null, commit: 0}
  const recovered: RecoveredState = {hardState: {...hardState}, snapshot, entries: log.items}

  let active: FileHandle
  if (segments.length === 0) {
    const seq = Math.max(1, log.lastIndex + 1)
    const path = join(dir, segmentName(seq))
    active = await open(path, 'wx+')
    await syncDir(dir)
    segments.push({seq, path, size: 0, maxEntryIndex: 0})
  } else {
    active = await open(segments[segments.length - 1].path, 'r+')
  }

  const shape = new LogShape<number>((t) => t)
  shape.base = log.base
  shape.items = log.items.map((e) => e.term)
  const storage = new RaftStorage({
    dir, segmentBytes, segments, active, hardState: replay.hardState, lastMark: replay.lastMark,
    snapshot: {index: snapshot?.meta.index ?? 0, term: snapshot?.meta.term ?? 0}, shape, recovered, repairs,
  })
  try {
    await storage.writeRecoveredMark()
  } catch (err) {
    await storage.close()
    throw err
  }
  return storage
}

async function loadSnapshot(path: string, name: SnapshotName): Promise<Snapshot | string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    return (err as Error).message
  }
  const p = parsed as {format?: unknown; meta?: Snapshot['meta']; crc32?: unknown; data?: unknown}
  if (p?.format !== 1) return 'unknown snapshot format'
  const snap = {meta: p.meta, data: p.data}
  if (!checkSnapshot(snap)) return 'malformed snapshot'
  if (snap.meta.index !== name.index || snap.meta.term !== name.term) return 'the index and term inside do not match the file name'
  if (crc32(snap.data) !== p.crc32) return 'checksum mismatch'
  return snap
}

/**
 * Replays one segment into `replay`. A bad record at the end of the last segment is a torn write and is cut off;
 * anywhere else it is damage.
 */
async function replaySegment(dir: string, path: string, isLast: boolean, replay: Replay, repairs: RaftStorageRepair[]): Promise<{size: number; maxEntryIndex: number}> {
  const buf = await readFile(path)
  let off = 0
  let maxEntryIndex = 0
  let problem: string | undefined
  while (off < buf.length) {
    if (off + HEADER_BYTES > buf.length) {
      problem = 'a record header is cut short'
      break
    }
    const n = buf.readUInt32BE(off)
    if (n === 0 || n > MAX_RECORD_BYTES) {
      problem = `impossible record length ${n}`
      break
    }
    if (off + HEADER_BYTES + n > buf.length) {
      problem = `a record of ${n} bytes is cut short`
      break
    }
    const type = buf[off + 8]
    if (recordCrc(buf, off, n) !== buf.readUInt32BE(off + 4)) {
      problem = 'checksum mismatch'
      break
    }
    if (!KNOWN_TYPES.has(type)) {
      problem = `unknown record type ${type}`
      break
    }
    // From here on the record is intact: anything wrong with it is a writer bug, never a torn write.
    let payload: unknown
    try {
      payload = JSON.parse(buf.toString('utf8', off + HEADER_BYTES, off + HEADER_BYTES + n))
    } catch {
      throw corrupt(dir, path, off, 'a record with a valid checksum holds invalid JSON')
    }
    const bad = () => corrupt(dir, path, off, `a malformed record of type ${type}`)
    switch (type) {
      case RecordType.ENTRY:
        if (!checkEntry(payload)) throw bad()
        replay.log.append(payload.index, payload)
        maxEntryIndex = Math.max(maxEntryIndex, payload.index)
        break
      case RecordType.HARDSTATE:
        if (!checkHardState(payload)) throw bad()
        replay.hardState = payload
        break
      case RecordType.TRUNCATE: {
        const from = (payload as {fromIndex?: unknown})?.fromIndex
        if (!isNonNegInt(from) || from < 1) throw bad()
        replay.log.truncate(from)
        break
      }
      case RecordType.SNAPSHOT_MARK: {
        const m = payload as Mark
        if (!isNonNegInt(m?.index) || !isNonNegInt(m?.term)) throw bad()
        replay.log.mark(m.index, m.term)
        if (!replay.lastMark || m.index >= replay.lastMark.index) replay.lastMark = {index: m.index, term: m.term}
        break
      }
    }
    off += HEADER_BYTES + n
  }
  if (problem === undefined) return {size: buf.length, maxEntryIndex}

  if (!isLast) throw corrupt(dir, path, off, `${problem} in a WAL segment that later segments follow`)
  for (let o = off + 1; o + HEADER_BYTES < buf.length; o++) {
    if (validRecordAt(buf, o)) throw corrupt(dir, path, off, `${problem}, and valid records follow it (at byte offset ${o})`)
  }
  // A torn write: it never completed, so nobody was told about it. Cut it off for good.
  const h = await open(path, 'r+')
  try {
    await h.truncate(off)
    await h.sync()
  } finally {
    await h.close()
  }
  repairs.push({
    kind: 'torn-tail', path, offset: off, bytes: buf.length - off,
    message: `cut ${buf.length - off} bytes of an incomplete write at the end of the WAL (${problem})`,
  })
  return {size: off, maxEntryIndex}
}
