/**
 * The read-only scanner behind `medic hh inspect | watch | wait`: walks a hinted-handoff directory by itself (it does
 * not use the queue engine) and measures every queue from file sizes, mtimes and segment footers only.
 *
 * Layouts: Enterprise 1.3+ `<hh dir>/<node>/<shard>/<segment>` and the older `<hh dir>/<node>/<segment>` (both may
 * appear in one node directory). Per segment it reads the 8-byte footer (the head offset); in the queue's head segment
 * (the first with data pending) also the 8-byte length prefix of the next block, to catch a corrupt length (0, or
 * 2^63) where delivery would stick. Never a payload. Pending bytes = size - 8 - head.
 *
 * What is an hh directory. A directory is scanned as one only when its contents show the queue layout: at least one
 * destination-node directory (a numeric name) that is empty or holds a shard directory or a segment file. A directory
 * without that (a folder of text files, /etc, the parent of the hh directory, one queue directory) is refused with
 * exit 4, naming an hh directory found below it when there is one. An empty directory is refused too, unless the
 * caller vouches for it (`acceptEmpty`): the data node's own config names it as `[hinted-handoff] dir`, or an earlier
 * sample of the same watch saw it as an hh directory. Dot files and `lost+found` do not count as contents.
 *
 * A live queue changes under the scan: a segment or queue directory listed and then gone was delivered and deleted by
 * the node (not a finding); a segment that reads inconsistently twice is `unknown`, never a verdict.
 *
 * Speed: the file-system calls are synchronous, done in slices that yield to the event loop every few milliseconds,
 * where the scan also honours an AbortSignal (a deadline): a scan of 100,000 files stops within a slice of it.
 * Measured on a 2-core machine over 100,000 segments: open+fstat+pread+close synchronously 0.5 s, with callbacks
 * through libuv's pool 1.3-3.8 s, with fs/promises 5 s; the thread-pool round trips cost more than the syscalls.
 *
 * Nothing here throws for what is inside the directory: foreign files, unreadable files, empty or truncated segments,
 * footers past the end and absurd lengths become findings. It throws (exit 4) when the root cannot be listed or is
 * not an hh directory, and ScanAbortedError when the signal fires.
 */
import * as fs from 'node:fs'
import {constants, type Dirent} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {setImmediate as yieldToLoop} from 'node:timers/promises'

import {inputError, MedicError} from '../errors.js'
import {sh} from '../util/text.js'
import {checkFooter, FOOTER_BYTES, isSegmentName, LENGTH_BYTES, MAX_BLOCK_BYTES, readU64} from './format.js'

/**
 * `unknown`: something that could not be checked (unreadable, or changing under the scan). It is not a problem found,
 * and it keeps a verdict from being OK (src/util/outcome.ts counts it as unchecked).
 */
export type Severity = 'critical' | 'warning' | 'unknown' | 'info'

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
  /** `vanished`: listed, then gone before it was read (delivered and deleted by the node while the scan ran). */
  files: {segments: number; foreign: number; unreadable: number; vanished: number}
  /** Things that could not be checked (unreadable directories and segments, segments changing under the scan). */
  unchecked: number
  findings: Finding[]
}

/** The synchronous file-system calls the scanner makes; injectable so tests can slow a tree down or make it vanish. */
export interface ScanIo {
  openSync: (path: string, flags: number) => number
  fstatSync: (fd: number) => fs.Stats
  readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => number
  closeSync: (fd: number) => void
  readdirSync: (path: string) => Dirent[]
  statSync: (path: string) => fs.Stats
}

const REAL_IO: ScanIo = {
  openSync: (p, f) => fs.openSync(p, f),
  fstatSync: (fd) => fs.fstatSync(fd),
  readSync: (fd, b, o, l, p) => fs.readSync(fd, b, o, l, p),
  closeSync: (fd) => fs.closeSync(fd),
  readdirSync: (p) => fs.readdirSync(p, {withFileTypes: true}),
  statSync: (p) => fs.statSync(p),
}

export interface ScanOptions {
  now?: () => number
  /** Keep per-segment records in each queue (for the sampler). */
  keepSegments?: boolean
  /** At most this many findings per code are listed; the rest are counted in one summary finding. */
  findingsPerCode?: number
  /** Yield to the event loop (and look at `signal`) after this many milliseconds of synchronous work. */
  sliceMs?: number
  /** Stops the scan (ScanAbortedError) at the next slice: a deadline, or Ctrl-C. */
  signal?: AbortSignal
  /** An empty directory is an empty hh directory (the data node's config names it, or it was seen as one before). */
  acceptEmpty?: boolean
  /** The command the suggestions name (`medic hh <command> ...`); default inspect. */
  command?: string
  io?: Partial<ScanIo>
}

/** The scan was stopped by its signal before it finished. */
export class ScanAbortedError extends Error {
  constructor() {
    super('the scan was stopped before it finished')
    this.name = 'ScanAbortedError'
  }
}

/** Scans an hh directory. Throws a MedicError (exit 4) when the directory cannot be read or is not an hh directory. */
export async function scanHhDir(dir: string, options: ScanOptions = {}): Promise<HhScan> {
  const now = options.now ?? Date.now
  const io: ScanIo = {...REAL_IO, ...options.io}
  const command = options.command ?? 'inspect'
  const started = performance.now()
  const scannedAtMs = now()
  const sink = new FindingSink(options.findingsPerCode ?? 20)
  const files = {segments: 0, foreign: 0, unreadable: 0, vanished: 0}
  let unchecked = 0
  const slice = new Slicer(options.sliceMs ?? 8, options.signal)
  if (options.signal?.aborted) throw new ScanAbortedError()

  let rootEntries: Dirent[]
  try {
    const st = io.statSync(dir)
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'})
    rootEntries = io.readdirSync(dir)
  } catch (err) {
    throw hhDirError(dir, err, command)
  }

  const nodes: NodeScan[] = []
  /** Node directories that show the queue layout (empty, or holding a shard directory or a segment file). */
  let layoutNodes = 0
  let topLevelSegments = 0
  let contents = 0
  for (const entry of sortEntries(rootEntries)) {
    await slice.maybeYield()
    if (ignorable(entry.name)) continue
    const path = join(dir, entry.name)
    const kind = entryKind(entry, path, io)
    if (kind === 'vanished') {
      files.vanished++
      continue
    }
    if (kind === 'dir' && isSegmentName(entry.name)) {
      const r = await scanNodeDir(entry.name, path)
      if (r === undefined) continue // removed while the scan ran (the node was removed from the cluster)
      contents++
      if (r.layout) layoutNodes++
      nodes.push(r.node)
      continue
    }
    contents++
    if (kind === 'file' && isSegmentName(entry.name)) {
      topLevelSegments++
      continue
    }
    foreign(path, kind, 'the hh directory holds one numeric directory per destination node', undefined, undefined)
  }

  if (layoutNodes === 0) {
    const empty = contents === 0
    if (!(empty && options.acceptEmpty)) throw await notAnHhDir(dir, {empty, topLevelSegments, numericDirs: nodes.length}, io, command, slice)
  }
  if (isSegmentName(basename(dir)) && nodes.length > 0) {
    sink.add({
      severity: 'warning',
      code: 'dir-looks-like-node',
      path: dir,
      message: `${dir} is named like a node (or shard) directory: if it is one, the other nodes' queues are not in this scan; give the hh directory instead (${dirname(dir)})`,
    })
  }
  if (topLevelSegments > 0) {
    files.foreign += topLevelSegments
    sink.add({
      severity: 'warning',
      code: 'segments-at-top-level',
      path: dir,
      message: `${topLevelSegments} segment-like file(s) directly in ${dir}, where only node directories belong: InfluxDB does not deliver them`,
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
    unchecked,
    findings: sink.finish(),
  }

  function foreign(path: string, kind: EntryKind, why: string, node: string | undefined, shard: string | null | undefined): void {
    if (kind === 'unreadable') {
      files.unreadable++
      unchecked++
      sink.add({severity: 'unknown', code: 'unreadable', path, node, shard, message: `${path}: cannot be examined`})
      return
    }
    files.foreign++
    const what = kind === 'dir' ? 'directory' : kind === 'file' ? 'file' : 'special file'
    sink.add({
      severity: 'info',
      code: kind === 'dir' ? 'foreign-directory' : 'foreign-file',
      path,
      node,
      shard,
      message: `${path}: unexpected ${what} (${why}); InfluxDB ignores it`,
    })
  }

  /** undefined: the node directory vanished (the node was removed) before it was listed. */
  async function scanNodeDir(node: string, path: string): Promise<{node: NodeScan; layout: boolean} | undefined> {
    const queues: QueueScan[] = []
    let entries: Dirent[]
    try {
      entries = io.readdirSync(path)
    } catch (err) {
      if (errCode(err) === 'ENOENT') {
        files.vanished++
        return undefined
      }
      files.unreadable++
      unchecked++
      sink.add({severity: 'unknown', code: 'unreadable', path, node, message: `${path}: cannot list node ${node}'s queues (${errText(err)})`})
      // One queue of unknown contents stands for them, so that nothing calls this node's queues empty.
      queues.push({...emptyQueue(node, null, path), badSegments: 1})
      return {node: summariseNode(node, path, queues), layout: true}
    }
    const legacySegments: Dirent[] = []
    let contents = 0
    for (const entry of sortEntries(entries)) {
      await slice.maybeYield()
      if (ignorable(entry.name)) continue
      contents++
      const p = join(path, entry.name)
      const kind = entryKind(entry, p, io)
      if (kind === 'vanished') {
        files.vanished++
        contents--
        continue
      }
      if (kind === 'dir' && isSegmentName(entry.name)) {
        const q = await scanQueueDir(node, entry.name, p)
        if (q === undefined) contents--
        else queues.push(q)
      } else if (kind === 'file' && isSegmentName(entry.name)) {
        legacySegments.push(entry)
      } else {
        foreign(p, kind, 'a node directory holds numeric shard directories (or, before 1.3, numeric segment files)', node, undefined)
      }
    }
    const layout = contents === 0 || queues.length > 0 || legacySegments.length > 0
    if (legacySegments.length > 0) queues.push(await scanSegments(node, null, path, legacySegments))
    queues.sort((a, b) => numericCompare(a.shard ?? '0', b.shard ?? '0'))
    return {node: summariseNode(node, path, queues), layout}
  }

  /** undefined: the queue directory vanished (drained and removed) before it was listed. */
  async function scanQueueDir(node: string, shard: string, path: string): Promise<QueueScan | undefined> {
    let entries: Dirent[]
    try {
      entries = io.readdirSync(path)
    } catch (err) {
      if (errCode(err) === 'ENOENT') {
        files.vanished++
        return undefined
      }
      files.unreadable++
      unchecked++
      sink.add({severity: 'unknown', code: 'unreadable', path, node, shard, message: `${path}: cannot list the queue for node ${node}, shard ${shard} (${errText(err)})`})
      const q = emptyQueue(node, shard, path)
      q.badSegments = 1
      return q
    }
    const segs: Dirent[] = []
    for (const entry of entries) {
      if (ignorable(entry.name)) continue
      const p = join(path, entry.name)
      if (isSegmentName(entry.name)) {
        const kind = entryKind(entry, p, io)
        if (kind === 'file') {
          segs.push(entry)
          continue
        }
        if (kind === 'vanished') {
          files.vanished++
          continue
        }
        foreign(p, kind, 'segment names belong to regular files', node, shard)
        continue
      }
      const kind = entryKind(entry, p, io)
      if (kind === 'vanished') continue
      foreign(p, kind, 'a queue directory holds numeric segment files only', node, shard)
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
      let r = readSegment(path, checkBlock, io)
      if (r.kind === 'corrupt') r = readSegment(path, checkBlock, io) // a concurrent append can be caught between two writes: look twice
      if (r.kind === 'vanished') {
        // Delivered and deleted by the node between the listing and the open: nothing of it is pending.
        files.segments--
        files.vanished++
        continue
      }
      const rec: SegmentRecord = {name, size: 0, mtimeMs: 0, head: null, pendingBytes: 0, state: 'unreadable'}
      if (r.kind === 'unreadable') {
        files.unreadable++
        unchecked++
        q.badSegments++
        sink.add({severity: 'unknown', code: 'unreadable', path, node, shard, message: `${path}: cannot read the segment (${r.reason})`})
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
        // The newest segment of a live queue may be caught mid-write (pre-1.8.2 appends were three separate writes):
        // that is not damage yet, but its contents are unknown.
        const recent = name === newestName && scannedAtMs - r.mtimeMs < 5_000
        if (recent) unchecked++
        sink.add({
          severity: recent ? 'unknown' : 'critical',
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

/** Names that are no part of the queue layout and are not reported: dot files, a file system's lost+found. */
function ignorable(name: string): boolean {
  return name.startsWith('.') || name === 'lost+found'
}

/** Turns a failure to read the hh directory itself into exit 4 with what to do. */
export function hhDirError(dir: string, err: unknown, command = 'inspect'): MedicError {
  const code = errCode(err)
  switch (code) {
    case 'ENOENT':
      return inputError(`${dir}: no such directory`, 'hh-dir-not-found', [
        'check the path: it is [hinted-handoff] dir in the data node\'s influxdb.conf (default /var/lib/influxdb/hh)',
        `or read it from the config: medic hh ${command} --config /etc/influxdb/influxdb.conf`,
      ], err)
    case 'EACCES':
    case 'EPERM':
      return inputError(`${dir}: permission denied`, 'hh-dir-permission-denied', [
        ...optional(sh`the hh directory is normally mode 700, owned by influxdb: sudo -u influxdb medic hh ${command} ${dir}`),
        `or watch it remotely, without shell access: medic hh ${command === 'inspect' ? 'watch' : command} --url http://DATA_NODE:8086`,
      ], err)
    case 'ENOTDIR':
      return inputError(`${dir}: not a directory`, 'hh-dir-not-a-directory', [
        'give the hinted-handoff directory (default /var/lib/influxdb/hh), not a file in it',
      ], err)
    default:
      return inputError(`${dir}: cannot read (${errText(err)})`, 'hh-dir-unreadable', [], err)
  }
}

function optional(s: string | undefined): string[] {
  return s === undefined ? [] : [s]
}

interface NotHhFacts {
  empty: boolean
  topLevelSegments: number
  numericDirs: number
}

/** Exit 4 for a directory without the queue layout, with an hh directory found nearby when there is one. */
async function notAnHhDir(dir: string, facts: NotHhFacts, io: ScanIo, command: string, slice: Slicer): Promise<MedicError> {
  const queueDir = facts.topLevelSegments > 0 && facts.numericDirs === 0
  const why = facts.empty
    ? 'it is empty'
    : queueDir
      ? 'it holds segment files itself: it looks like one queue directory (<hh dir>/<node>/<shard>)'
      : facts.numericDirs > 0
        ? 'its numeric directories hold no shard directories or segment files'
        : 'it holds no destination-node directories (numeric names)'
  const suggestions: string[] = []
  let candidate: string | undefined
  if (queueDir) {
    // <hh>/<node>/<shard>: the hh directory is two levels up (one level for the pre-1.3 layout <hh>/<node>).
    const parent = dirname(resolve(dir))
    candidate = isSegmentName(basename(parent)) ? dirname(parent) : parent
  } else if (!facts.empty) {
    candidate = await findHhBelow(dir, io, slice)
  }
  if (candidate !== undefined) {
    const cmd = sh`medic hh ${command} ${candidate}`
    if (cmd !== undefined) suggestions.push(`did you mean ${candidate}? ${cmd}`)
  }
  if (facts.empty) {
    suggestions.push(
      'an hh directory is empty only on a data node that has never queued a write; if this is one, let its config say so: ' +
        `medic hh ${command} --config /etc/influxdb/influxdb.conf`,
    )
  } else if (candidate === undefined) {
    suggestions.push('give the data node\'s [hinted-handoff] dir (default /var/lib/influxdb/hh), or read it from its config: ' +
      `medic hh ${command} --config /etc/influxdb/influxdb.conf`)
  }
  return inputError(`${dir}: not an hh directory (${why})`, 'not-an-hh-dir', suggestions)
}

const SEARCH_DEPTH = 3
const SEARCH_LISTINGS = 200

/**
 * Looks below `dir` (breadth first, at most 3 levels and 200 directory listings, symbolic links not followed) for a
 * directory with the queue layout; prefers one named hh.
 */
async function findHhBelow(dir: string, io: ScanIo, slice: Slicer): Promise<string | undefined> {
  let listings = 0
  const list = (p: string): Dirent[] | undefined => {
    if (listings >= SEARCH_LISTINGS) return undefined
    listings++
    try {
      return io.readdirSync(p)
    } catch {
      return undefined
    }
  }
  const hasLayout = (p: string): boolean => {
    const entries = list(p)
    if (!entries) return false
    for (const e of entries) {
      if (!e.isDirectory() || !isSegmentName(e.name)) continue
      const inner = list(join(p, e.name))
      if (inner === undefined) continue
      if (inner.length === 0 || inner.some((x) => isSegmentName(x.name))) return true
    }
    return false
  }
  let level = [dir]
  let fallback: string | undefined
  for (let depth = 1; depth <= SEARCH_DEPTH && level.length > 0; depth++) {
    const next: string[] = []
    for (const p of level) {
      await slice.maybeYield()
      const entries = list(p)
      if (!entries) continue
      const dirs = entries.filter((e) => e.isDirectory() && !ignorable(e.name)).sort((a, b) => (a.name === 'hh' ? -1 : b.name === 'hh' ? 1 : 0))
      for (const e of dirs) {
        const child = join(p, e.name)
        if (e.name === 'hh' && hasLayout(child)) return child
        if (fallback === undefined && !isSegmentName(e.name) && hasLayout(child)) fallback = child
        next.push(child)
      }
      if (listings >= SEARCH_LISTINGS) return fallback
    }
    if (fallback !== undefined) return fallback
    level = next
  }
  return fallback
}

type SegmentRead =
  | {kind: 'ok'; size: number; mtimeMs: number; head: number; pendingBytes: number}
  | {kind: 'corrupt'; size: number; mtimeMs: number; code: string; reason: string}
  | {kind: 'unreadable'; reason: string}
  | {kind: 'vanished'}
  | {kind: 'not-file'}

// O_NONBLOCK: a FIFO named like a segment must not hang the scan (harmless on regular files).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

function readSegment(path: string, checkBlock: boolean, io: ScanIo): SegmentRead {
  let fd: number
  try {
    fd = io.openSync(path, OPEN_FLAGS)
  } catch (err) {
    return errCode(err) === 'ENOENT' ? {kind: 'vanished'} : {kind: 'unreadable', reason: errText(err)}
  }
  try {
    const st = io.fstatSync(fd)
    if (!st.isFile()) return {kind: 'not-file'}
    return judgeSegment(st.size, Math.floor(st.mtimeMs), checkBlock, (buf, length, position) => io.readSync(fd, buf, 0, length, position))
  } catch (err) {
    return {kind: 'unreadable', reason: errText(err)}
  } finally {
    try {
      io.closeSync(fd)
    } catch {
      // nothing to do
    }
  }
}

const FOOTER_SCRATCH = Buffer.alloc(FOOTER_BYTES)
const LENGTH_SCRATCH = Buffer.alloc(LENGTH_BYTES)

/** Reads `length` bytes at `position` into `buf` (from offset 0); returns how many were read. */
export type ReadAt = (buf: Buffer, length: number, position: number) => number

export type SegmentJudgement = Exclude<SegmentRead, {kind: 'unreadable'} | {kind: 'vanished'} | {kind: 'not-file'}>

/**
 * What a segment of `size` bytes says about itself, from its footer and (with `checkBlock`) the length prefix at its
 * head: at most two 8-byte reads, whatever the size. Pure but for `read`, so it can be fuzzed in memory.
 */
export function judgeSegment(size: number, mtimeMs: number, checkBlock: boolean, read: ReadAt): SegmentJudgement {
  // Two module-level buffers: the judgement is synchronous, and 100,000 segments make 100,000 calls.
  const scratch = LENGTH_SCRATCH
  let footer: Buffer | undefined
  if (size >= FOOTER_BYTES) {
    const n = read(FOOTER_SCRATCH, FOOTER_BYTES, size - FOOTER_BYTES)
    footer = n === FOOTER_BYTES ? FOOTER_SCRATCH : undefined
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
    const n = read(scratch, LENGTH_BYTES, check.head)
    if (n !== LENGTH_BYTES) {
      return {kind: 'corrupt', size, mtimeMs, code: 'segment-truncated', reason: `the block length at offset ${check.head} could not be read (${n} of 8 bytes)`}
    }
    const len = readU64(scratch, 0)
    if (len === 0) {
      return {kind: 'corrupt', size, mtimeMs, code: 'segment-bad-block', reason: `the block at offset ${check.head} has length 0: damage (a block always holds data), delivery would stick there`}
    }
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
  return {kind: 'ok', size, mtimeMs, head: check.head, pendingBytes: check.pendingBytes}
}

function rawU64(buf: Buffer): string {
  return buf.readBigUInt64BE(0).toString()
}

type EntryKind = 'dir' | 'file' | 'special' | 'unreadable' | 'vanished'

function entryKind(entry: Dirent, path: string, io: ScanIo): EntryKind {
  if (entry.isDirectory()) return 'dir'
  if (entry.isFile()) return 'file'
  if (entry.isSymbolicLink() || !(entry.isBlockDevice() || entry.isCharacterDevice() || entry.isFIFO() || entry.isSocket())) {
    // Symbolic links are followed; an unknown d_type (some file systems) is resolved with stat.
    try {
      const st = io.statSync(path)
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'special'
    } catch (err) {
      // A dangling link is unreadable; an entry removed since the listing is simply gone.
      return errCode(err) === 'ENOENT' && !entry.isSymbolicLink() ? 'vanished' : 'unreadable'
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
export class FindingSink {
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
  return s === 'critical' ? 3 : s === 'warning' ? 2 : s === 'unknown' ? 1 : 0
}

function stripUndefined(f: Finding): Finding {
  const out: Finding = {severity: f.severity, code: f.code, message: f.message}
  if (f.path !== undefined) out.path = f.path
  if (f.node !== undefined) out.node = f.node
  if (f.shard !== undefined) out.shard = f.shard
  return out
}

/** Yields to the event loop every `sliceMs` of synchronous work, and stops the scan there when the signal fired. */
class Slicer {
  private last = performance.now()
  constructor(private readonly sliceMs: number, private readonly signal: AbortSignal | undefined) {}
  async maybeYield(): Promise<void> {
    const t = performance.now()
    if (t - this.last < this.sliceMs) return
    await yieldToLoop()
    if (this.signal?.aborted) throw new ScanAbortedError()
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

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied'
  return e?.code ?? e?.message ?? String(err)
}
