/**
 * The read-only scanner behind `medic hh inspect | watch | wait`: walks a hinted-handoff directory by itself (it does
 * not use the queue engine) and measures every queue from file sizes, mtimes and segment footers only.
 *
 * Layouts: Enterprise 1.3+ `<hh dir>/<node>/<shard>/<segment>` and the older `<hh dir>/<node>/<segment>` (both may
 * appear in one node directory). Per segment it reads the 8-byte footer (the head offset); in the queue's head segment
 * (the first with data pending) also the 8-byte length prefix of the next block, to catch a corrupt length such as
 * 2^63 where delivery would stick. Never a payload. Pending bytes = size - 8 - head.
 *
 * Speed: the file-system calls are synchronous, done in slices that yield to the event loop every few milliseconds.
 * Measured on a 2-core machine over 100,000 segments: open+fstat+pread+close synchronously 0.5 s, with callbacks
 * through libuv's pool 1.3-3.8 s, with fs/promises 5 s; the thread-pool round trips cost more than the syscalls.
 *
 * Nothing here throws for what is inside the directory: foreign files, unreadable files, empty or truncated segments,
 * footers past the end and absurd lengths become findings. Only a root that cannot be listed throws (exit 4).
 */
import {closeSync, constants, type Dirent, fstatSync, openSync, readdirSync, readSync, statSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {setImmediate as yieldToLoop} from 'node:timers/promises'

import {inputError, MedicError} from '../errors.js'
import {shellQuote} from '../util/text.js'
import {checkFooter, FOOTER_BYTES, isSegmentName, LENGTH_BYTES, MAX_BLOCK_BYTES, readU64} from './format.js'

export type Severity = 'critical' | 'warning' | 'info'

export interface Finding {
  severity: Severity
  /** Stable, machine-readable: segment-empty, segment-truncated, segment-footer-past-end, ... */
  code: string
  message: string
  path?: string
  node?: string
  shard?: string | null
}

export type SegmentState = 'pending' | 'exhausted' | 'corrupt' | 'unreadable'

export interface SegmentRecord {
  name: string
  size: number
  mtimeMs: number
  /** The footer's head offset; null when the footer is unusable. */
  head: number | null
  /** size - 8 - head for a sound segment; 0 otherwise. */
  pendingBytes: number
  state: SegmentState
}

export interface QueueScan {
  node: string
  /** null for the pre-1.3 layout `<hh dir>/<node>/<segment>`. */
  shard: string | null
  path: string
  segments: number
  pendingSegments: number
  exhaustedSegments: number
  /** Corrupt or unreadable segments: what they hold is unknown. */
  badSegments: number
  pendingBytes: number
  /** Sum of file sizes (what Enterprise compares with max-size). */
  diskBytes: number
  /** Bytes in corrupt or unreadable segments (not counted as pending). */
  uncertainBytes: number
  /** The lowest-numbered segment and its head offset: where delivery resumes. */
  headSegment: string | null
  headOffset: number | null
  /** mtime of the oldest segment that still holds pending data (Enterprise's max-age purge compares this). */
  oldestPendingWriteMs: number | null
  /** Newest mtime of any segment (last append or advance). */
  newestWriteMs: number | null
  /** Per segment, only with `keepSegments` (the sampler diffs them to count sent and purged bytes). */
  segmentList?: SegmentRecord[]
}

export interface NodeScan {
  node: string
  path: string
  queues: QueueScan[]
  segments: number
  pendingBytes: number
  diskBytes: number
  uncertainBytes: number
  badSegments: number
  oldestPendingWriteMs: number | null
  newestWriteMs: number | null
}

export interface HhScan {
  dir: string
  scannedAtMs: number
  durationMs: number
  nodes: NodeScan[]
  totals: {
    nodes: number
    queues: number
    segments: number
    pendingBytes: number
    diskBytes: number
    uncertainBytes: number
    badSegments: number
    oldestPendingWriteMs: number | null
    newestWriteMs: number | null
  }
  files: {segments: number; foreign: number; unreadable: number}
  findings: Finding[]
}

export interface ScanOptions {
  now?: () => number
  /** Keep per-segment records in each queue (for the sampler). */
  keepSegments?: boolean
  /** At most this many findings per code are listed; the rest are counted in one summary finding. */
  findingsPerCode?: number
  /** Yield to the event loop after this many milliseconds of synchronous work. */
  sliceMs?: number
}

/** Scans an hh directory. Throws a MedicError (exit 4) only when the directory itself cannot be read. */
export async function scanHhDir(dir: string, options: ScanOptions = {}): Promise<HhScan> {
  const now = options.now ?? Date.now
  const started = performance.now()
  const scannedAtMs = now()
  const sink = new FindingSink(options.findingsPerCode ?? 20)
  const files = {segments: 0, foreign: 0, unreadable: 0}
  const slice = new Slicer(options.sliceMs ?? 8)

  let rootEntries: Dirent[]
  try {
    const st = statSync(dir)
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'})
    rootEntries = readdirSync(dir, {withFileTypes: true})
  } catch (err) {
    throw hhDirError(dir, err)
  }

  const nodes: NodeScan[] = []
  let topLevelSegments = 0
  for (const entry of sortEntries(rootEntries)) {
    const path = join(dir, entry.name)
    const kind = entryKind(entry, path)
    if (kind === 'dir' && isSegmentName(entry.name)) {
      nodes.push(await scanNodeDir(entry.name, path))
      continue
    }
    if (kind === 'file' && isSegmentName(entry.name)) topLevelSegments++
    else foreign(path, kind, 'the hh directory holds one numeric directory per destination node', undefined, undefined)
  }
  if (isSegmentName(basename(dir)) && nodes.length > 0) {
    sink.add({
      severity: 'warning',
      code: 'dir-looks-like-node',
      path: dir,
      message: `${dir} is named like a node (or shard) directory: if it is one, give the hh directory instead (${dirname(dir)})`,
    })
  }
  if (topLevelSegments > 0) {
    files.foreign += topLevelSegments
    sink.add({
      severity: 'warning',
      code: 'segments-at-top-level',
      path: dir,
      message: `${topLevelSegments} segment-like file(s) directly in ${dir}: this looks like a queue directory, not the hh directory`,
    })
  }

  nodes.sort((a, b) => numericCompare(a.node, b.node))
  const totals = {
    nodes: nodes.length,
    queues: 0,
    segments: 0,
    pendingBytes: 0,
    diskBytes: 0,
    uncertainBytes: 0,
    badSegments: 0,
    oldestPendingWriteMs: null as number | null,
    newestWriteMs: null as number | null,
  }
  for (const n of nodes) {
    totals.queues += n.queues.length
    totals.segments += n.segments
    totals.pendingBytes += n.pendingBytes
    totals.diskBytes += n.diskBytes
    totals.uncertainBytes += n.uncertainBytes
    totals.badSegments += n.badSegments
    totals.oldestPendingWriteMs = minOrNull(totals.oldestPendingWriteMs, n.oldestPendingWriteMs)
    totals.newestWriteMs = maxOrNull(totals.newestWriteMs, n.newestWriteMs)
  }
  return {
    dir,
    scannedAtMs,
    durationMs: Math.round(performance.now() - started),
    nodes,
    totals,
    files,
    findings: sink.finish(),
  }

  function foreign(path: string, kind: EntryKind, why: string, node: string | undefined, shard: string | null | undefined): void {
    if (kind === 'unreadable') {
      files.unreadable++
      sink.add({severity: 'warning', code: 'unreadable', path, node, shard, message: `${path}: cannot be examined`})
      return
    }
    files.foreign++
    const what = kind === 'dir' ? 'directory' : kind === 'file' ? 'file' : 'special file'
    sink.add({
      severity: 'warning',
      code: kind === 'dir' ? 'foreign-directory' : 'foreign-file',
      path,
      node,
      shard,
      message: `${path}: unexpected ${what} (${why}); InfluxDB ignores it`,
    })
  }

  async function scanNodeDir(node: string, path: string): Promise<NodeScan> {
    const queues: QueueScan[] = []
    let entries: Dirent[]
    try {
      entries = readdirSync(path, {withFileTypes: true})
    } catch (err) {
      files.unreadable++
      sink.add({severity: 'critical', code: 'unreadable', path, node, message: `${path}: cannot list node ${node}'s queues (${errText(err)})`})
      // One queue of unknown contents stands for them, so that nothing calls this node's queues empty.
      queues.push({...emptyQueue(node, null, path), badSegments: 1})
      return summariseNode(node, path, queues)
    }
    const legacySegments: Dirent[] = []
    for (const entry of sortEntries(entries)) {
      const p = join(path, entry.name)
      const kind = entryKind(entry, p)
      if (kind === 'dir' && isSegmentName(entry.name)) {
        queues.push(await scanQueueDir(node, entry.name, p))
      } else if (kind === 'file' && isSegmentName(entry.name)) {
        legacySegments.push(entry)
      } else {
        foreign(p, kind, 'a node directory holds numeric shard directories (or, before 1.3, numeric segment files)', node, undefined)
      }
    }
    if (legacySegments.length > 0) queues.push(await scanSegments(node, null, path, legacySegments))
    queues.sort((a, b) => numericCompare(a.shard ?? '0', b.shard ?? '0'))
    return summariseNode(node, path, queues)
  }

  async function scanQueueDir(node: string, shard: string, path: string): Promise<QueueScan> {
    let entries: Dirent[]
    try {
      entries = readdirSync(path, {withFileTypes: true})
    } catch (err) {
      files.unreadable++
      sink.add({severity: 'critical', code: 'unreadable', path, node, shard, message: `${path}: cannot list the queue for node ${node}, shard ${shard} (${errText(err)})`})
      const q = emptyQueue(node, shard, path)
      q.badSegments = 1
      return q
    }
    const segs: Dirent[] = []
    for (const entry of entries) {
      const p = join(path, entry.name)
      if (isSegmentName(entry.name)) {
        const kind = entryKind(entry, p)
        if (kind === 'file') {
          segs.push(entry)
          continue
        }
        foreign(p, kind, 'segment names belong to regular files', node, shard)
        continue
      }
      foreign(p, entryKind(entry, p), 'a queue directory holds numeric segment files only', node, shard)
    }
    return scanSegments(node, shard, path, segs)
  }

  async function scanSegments(node: string, shard: string | null, dirPath: string, entries: Dirent[]): Promise<QueueScan> {
    const q = emptyQueue(node, shard, dirPath)
    const names = entries.map((e) => e.name).sort(numericCompare)
    const list: SegmentRecord[] = []
    const newestName = names.at(-1)
    for (const name of names) {
      await slice.maybeYield()
      const path = join(dirPath, name)
      files.segments++
      // Only the head segment's next block length is checked: that is where delivery resumes (and would stick).
      const checkBlock = q.pendingSegments === 0
      let r = readSegment(path, checkBlock)
      if (r.kind === 'corrupt') r = readSegment(path, checkBlock) // a concurrent append can be caught between two writes: look twice
      const rec: SegmentRecord = {name, size: 0, mtimeMs: 0, head: null, pendingBytes: 0, state: 'unreadable'}
      if (r.kind === 'unreadable') {
        files.unreadable++
        q.badSegments++
        sink.add({severity: 'critical', code: 'unreadable', path, node, shard, message: `${path}: cannot read the segment (${r.reason})`})
        list.push(rec)
        continue
      }
      if (r.kind === 'not-file') {
        files.segments--
        foreign(path, 'special', 'segment names belong to regular files', node, shard)
        continue
      }
      rec.size = r.size
      rec.mtimeMs = r.mtimeMs
      q.segments++
      q.diskBytes += r.size
      q.newestWriteMs = maxOrNull(q.newestWriteMs, r.mtimeMs)
      if (r.kind === 'corrupt') {
        rec.state = 'corrupt'
        q.badSegments++
        q.uncertainBytes += r.size
        // The newest segment of a live queue may be caught mid-write (pre-1.8.2 appends were three separate writes).
        const recent = name === newestName && scannedAtMs - r.mtimeMs < 5_000
        sink.add({
          severity: recent ? 'warning' : 'critical',
          code: r.code,
          path,
          node,
          shard,
          message: `${path}: ${r.reason}${recent ? ' (written in the last seconds: it may be mid-append; look again)' : ''}`,
        })
        list.push(rec)
        continue
      }
      rec.head = r.head
      rec.pendingBytes = r.pendingBytes
      if (q.headSegment === null) {
        q.headSegment = name
        q.headOffset = r.head
      }
      if (r.pendingBytes > 0) {
        rec.state = 'pending'
        q.pendingSegments++
        q.pendingBytes += r.pendingBytes
        q.oldestPendingWriteMs = minOrNull(q.oldestPendingWriteMs, r.mtimeMs)
      } else {
        rec.state = 'exhausted'
        q.exhaustedSegments++
      }
      list.push(rec)
    }
    if (options.keepSegments) q.segmentList = list
    return q
  }
}

/** Turns a failure to read the hh directory itself into exit 4 with what to do. */
export function hhDirError(dir: string, err: unknown): MedicError {
  const code = (err as NodeJS.ErrnoException)?.code
  switch (code) {
    case 'ENOENT':
      return inputError(`${dir}: no such directory`, 'hh-dir-not-found', [
        'check the path: it is [hinted-handoff] dir in the data node\'s influxdb.conf (default /var/lib/influxdb/hh)',
        'or read it from the config: medic hh inspect --config /etc/influxdb/influxdb.conf',
      ], err)
    case 'EACCES':
    case 'EPERM':
      return inputError(`${dir}: permission denied`, 'hh-dir-permission-denied', [
        `the hh directory is normally mode 700, owned by influxdb: sudo -u influxdb medic hh inspect ${shellQuote(dir)}`,
        'or watch it remotely, without shell access: medic hh watch --url http://DATA_NODE:8086',
      ], err)
    case 'ENOTDIR':
      return inputError(`${dir}: not a directory`, 'hh-dir-not-a-directory', [
        'give the hinted-handoff directory (default /var/lib/influxdb/hh), not a file in it',
      ], err)
    default:
      return inputError(`${dir}: cannot read (${errText(err)})`, 'hh-dir-unreadable', [], err)
  }
}

type SegmentRead =
  | {kind: 'ok'; size: number; mtimeMs: number; head: number; pendingBytes: number}
  | {kind: 'corrupt'; size: number; mtimeMs: number; code: string; reason: string}
  | {kind: 'unreadable'; reason: string}
  | {kind: 'not-file'}

const scratch = Buffer.alloc(8)
// O_NONBLOCK: a FIFO named like a segment must not hang the scan (harmless on regular files).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

function readSegment(path: string, checkBlock: boolean): SegmentRead {
  let fd: number
  try {
    fd = openSync(path, OPEN_FLAGS)
  } catch (err) {
    return {kind: 'unreadable', reason: errText(err)}
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) return {kind: 'not-file'}
    const size = st.size
    const mtimeMs = Math.floor(st.mtimeMs)
    let footer: Buffer | undefined
    if (size >= FOOTER_BYTES) {
      const n = readSync(fd, scratch, 0, FOOTER_BYTES, size - FOOTER_BYTES)
      footer = n === FOOTER_BYTES ? scratch : undefined
    }
    const check = checkFooter(size, footer)
    if (!check.ok) {
      const code = size === 0 ? 'segment-empty' : size < FOOTER_BYTES || footer === undefined ? 'segment-truncated' : 'segment-footer-past-end'
      const reason = code === 'segment-footer-past-end' && footer ? `footer points past the end (head ${rawU64(footer)}, data ends at ${size - FOOTER_BYTES})` : check.reason
      return {kind: 'corrupt', size, mtimeMs, code, reason}
    }
    if (checkBlock && !check.exhausted) {
      // The length prefix of the next block: a header, not block contents.
      const end = size - FOOTER_BYTES
      if (check.head + LENGTH_BYTES > end) {
        return {kind: 'corrupt', size, mtimeMs, code: 'segment-bad-block', reason: `head ${check.head} leaves ${end - check.head} bytes, too few for a block length`}
      }
      const n = readSync(fd, scratch, 0, LENGTH_BYTES, check.head)
      if (n === LENGTH_BYTES) {
        const len = readU64(scratch, 0)
        if (len > MAX_BLOCK_BYTES || check.head + LENGTH_BYTES + len > end) {
          return {
            kind: 'corrupt',
            size,
            mtimeMs,
            code: 'segment-bad-block',
            reason: `the block at offset ${check.head} claims ${rawU64(scratch)} bytes but ${end - check.head - LENGTH_BYTES} remain${len > MAX_BLOCK_BYTES ? ` (over the ${MAX_BLOCK_BYTES}-byte limit)` : ''}`,
          }
        }
      }
    }
    return {kind: 'ok', size, mtimeMs, head: check.head, pendingBytes: check.pendingBytes}
  } catch (err) {
    return {kind: 'unreadable', reason: errText(err)}
  } finally {
    try {
      closeSync(fd)
    } catch {
      // nothing to do
    }
  }
}

function rawU64(buf: Buffer): string {
  return buf.readBigUInt64BE(0).toString()
}

type EntryKind = 'dir' | 'file' | 'special' | 'unreadable'

function entryKind(entry: Dirent, path: string): EntryKind {
  if (entry.isDirectory()) return 'dir'
  if (entry.isFile()) return 'file'
  if (entry.isSymbolicLink() || !(entry.isBlockDevice() || entry.isCharacterDevice() || entry.isFIFO() || entry.isSocket())) {
    // Symbolic links are followed; an unknown d_type (some file systems) is resolved with stat.
    try {
      const st = statSync(path)
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'special'
    } catch {
      return 'unreadable'
    }
  }
  return 'special'
}

function emptyQueue(node: string, shard: string | null, path: string): QueueScan {
  return {
    node,
    shard,
    path,
    segments: 0,
    pendingSegments: 0,
    exhaustedSegments: 0,
    badSegments: 0,
    pendingBytes: 0,
    diskBytes: 0,
    uncertainBytes: 0,
    headSegment: null,
    headOffset: null,
    oldestPendingWriteMs: null,
    newestWriteMs: null,
  }
}

function summariseNode(node: string, path: string, queues: QueueScan[]): NodeScan {
  const n: NodeScan = {
    node,
    path,
    queues,
    segments: 0,
    pendingBytes: 0,
    diskBytes: 0,
    uncertainBytes: 0,
    badSegments: 0,
    oldestPendingWriteMs: null,
    newestWriteMs: null,
  }
  for (const q of queues) {
    n.segments += q.segments
    n.pendingBytes += q.pendingBytes
    n.diskBytes += q.diskBytes
    n.uncertainBytes += q.uncertainBytes
    n.badSegments += q.badSegments
    n.oldestPendingWriteMs = minOrNull(n.oldestPendingWriteMs, q.oldestPendingWriteMs)
    n.newestWriteMs = maxOrNull(n.newestWriteMs, q.newestWriteMs)
  }
  return n
}

/** Keeps the first N findings of each code and counts the rest, so 100,000 bad files do not make 100,000 lines. */
class FindingSink {
  private readonly kept: Finding[] = []
  private readonly perCode = new Map<string, {count: number; worst: Severity}>()

  constructor(private readonly limit: number) {}

  add(f: Finding): void {
    const c = this.perCode.get(f.code) ?? {count: 0, worst: f.severity}
    c.count++
    if (rank(f.severity) > rank(c.worst)) c.worst = f.severity
    this.perCode.set(f.code, c)
    if (c.count <= this.limit) this.kept.push(stripUndefined(f))
  }

  finish(): Finding[] {
    const out = [...this.kept]
    for (const [code, c] of this.perCode) {
      if (c.count > this.limit) {
        out.push({severity: c.worst, code, message: `${c.count - this.limit} more ${code} findings not listed (${c.count} in all)`})
      }
    }
    return out.sort((a, b) => rank(b.severity) - rank(a.severity))
  }
}

export function rank(s: Severity): number {
  return s === 'critical' ? 2 : s === 'warning' ? 1 : 0
}

function stripUndefined(f: Finding): Finding {
  const out: Finding = {severity: f.severity, code: f.code, message: f.message}
  if (f.path !== undefined) out.path = f.path
  if (f.node !== undefined) out.node = f.node
  if (f.shard !== undefined) out.shard = f.shard
  return out
}

class Slicer {
  private last = performance.now()
  constructor(private readonly sliceMs: number) {}
  async maybeYield(): Promise<void> {
    const t = performance.now()
    if (t - this.last < this.sliceMs) return
    await yieldToLoop()
    this.last = performance.now()
  }
}

function sortEntries(entries: Dirent[]): Dirent[] {
  return entries.sort((a, b) => numericCompare(a.name, b.name))
}

/** Orders decimal names numerically (up to 19 digits), others after them by name. */
export function numericCompare(a: string, b: string): number {
  const na = /^\d+$/.test(a)
  const nb = /^\d+$/.test(b)
  if (na && nb) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
  if (na !== nb) return na ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

export function minOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b)
}

export function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b)
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied'
  return e?.code ?? e?.message ?? String(err)
}
