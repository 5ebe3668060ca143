/**
 * Reading log inputs: regular files (plain or gzip, recognised by their magic bytes, not their name), standard input
 * and named pipes or devices (`<(zcat x.gz)`, `mkfifo`, /dev/stdin), as chunks that always end on a line boundary.
 * Lines longer than `MAX_LINE_BYTES` are cut there and the rest of the line is skipped, so a file without a single
 * newline cannot exhaust memory.
 *
 * Pipes are streams: nothing seeks in them (a positional read fails with ESPIPE) and gzip is recognised on the first
 * bytes that arrive. Opening a FIFO blocks until some process opens it for writing: `openInputStream` says so through
 * `onWait` (the command prints it on a terminal) and gives up at a deadline when the command has one, unblocking its
 * own pending open so that the process can exit. Other commands that read a file from the operator (`status --file`)
 * use `openInputStream` / `readInputText` too.
 */
import {closeSync, constants as fsConstants, createReadStream, openSync} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {basename, resolve, sep} from 'node:path'
import type {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'

import {fileError, inputError, MedicError, usageError} from '../errors.js'
import {formatShortDurationMs} from '../util/duration.js'

export const MAX_LINE_BYTES = 1 << 20
export const CHUNK_BYTES = 256 * 1024

/** stdin; a regular file (size known, seekable); a named pipe, socket or character device (read as a stream). */
export type InputKind = 'stdin' | 'file' | 'stream'

/** Why an input could not be read (fully): kept as a finding of the report instead of ending the whole run. */
export interface InputProblem {
  /** input-not-found, input-permission-denied, input-is-directory, input-bad-gzip, input-truncated, input-not-text... */
  code: string
  /** One sentence naming the input. */
  message: string
}

export interface LogInput {
  /** As given on the command line ("-" for stdin). */
  path: string
  /** Short name used as the source of its lines when they carry no host. */
  label: string
  /** On-disk size, when known (compressed size for gzip; unknown for pipes). */
  size?: number
  /** gzip by its magic bytes; streams are sniffed when their first bytes arrive. */
  gzip: boolean
  kind: InputKind
  /** Set by a tolerant resolveInputs: this input cannot be read at all. */
  problem?: InputProblem
}

export interface ResolveOptions {
  /**
   * Several inputs: one that cannot be opened becomes `problem` instead of failing the whole command (unless every
   * input fails, then the first error is thrown).
   */
  tolerant?: boolean
}

/** Checks every input up front so that a typo fails before minutes of work, with exit 4 and the file named. */
export async function resolveInputs(
  paths: string[],
  noInputHelp: string[] = [],
  stdin: {isTTY?: boolean} = process.stdin,
  options: ResolveOptions = {},
): Promise<LogInput[]> {
  const out: LogInput[] = []
  const list = paths.length === 0 ? ['-'] : paths
  const errors: MedicError[] = []
  for (const path of list) {
    if (path === '-') {
      if (stdin.isTTY) {
        throw usageError('no input: standard input is a terminal and no file was given', 'no-input', noInputHelp)
      }
      out.push({path, label: 'stdin', gzip: false, kind: 'stdin'})
      continue
    }
    try {
      out.push(await resolveOne(path))
    } catch (err) {
      const e = err instanceof MedicError ? err : fileError(path, err)
      if (!options.tolerant || list.length === 1) throw e
      errors.push(e)
      out.push({path, label: basename(path), gzip: false, kind: 'file', problem: {code: e.code, message: e.message}})
    }
  }
  if (errors.length > 0 && errors.length === out.length) throw errors[0]
  uniqueLabels(out)
  return out
}

async function resolveOne(path: string): Promise<LogInput> {
  let s
  try {
    s = await stat(path)
  } catch (err) {
    throw fileError(path, err)
  }
  if (s.isDirectory()) throw fileError(path, Object.assign(new Error('is a directory'), {code: 'EISDIR'}))
  if (!s.isFile()) {
    // A FIFO, socket or device: opening it may block until a writer appears, and it cannot seek. Opened when read.
    return {path, label: basename(path), gzip: false, kind: 'stream'}
  }
  try {
    const fh = await open(path, 'r')
    try {
      const head = Buffer.alloc(2)
      const {bytesRead} = await fh.read(head, 0, 2, 0)
      return {path, label: basename(path), size: s.size, gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b, kind: 'file'}
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw fileError(path, err)
  }
}

/**
 * Inputs with the same file name (meta-1/influxdb-meta.log, meta-2/influxdb-meta.log) get as many parent folders in
 * their label as it takes to tell them apart, so that sources and restarts are reported per file.
 */
function uniqueLabels(inputs: LogInput[]): void {
  const files = inputs.filter((i) => i.path !== '-')
  for (let depth = 1; depth <= 8; depth++) {
    const seen = new Map<string, LogInput[]>()
    for (const i of files) seen.set(i.label, [...(seen.get(i.label) ?? []), i])
    const clashes = [...seen.values()].filter((g) => g.length > 1)
    if (clashes.length === 0) return
    for (const group of clashes) {
      for (const i of group) {
        const parts = resolve(i.path).split(sep).filter(Boolean)
        i.label = parts.slice(-(depth + 1)).join('/')
      }
    }
  }
}

export interface OpenOptions {
  /** Give up (exit 4) when a named pipe has no writer after this long. No deadline: wait, as `cat` would. */
  deadlineMs?: number
  /** Called once when opening has waited `waitNoticeMs` for a writer (the command prints it on a terminal). */
  onWait?: (message: string) => void
  waitNoticeMs?: number
  highWaterMark?: number
}

/**
 * A readable stream of a path's raw bytes: a file, or a named pipe / device read as a stream (never seeked). Opening a
 * FIFO waits for a writer; see OpenOptions. Errors are MedicErrors naming the path (exit 4).
 */
export async function openInputStream(path: string, options: OpenOptions = {}): Promise<Readable> {
  const highWaterMark = options.highWaterMark ?? 256 * 1024
  let s
  try {
    s = await stat(path)
  } catch (err) {
    throw fileError(path, err)
  }
  if (s.isDirectory()) throw fileError(path, Object.assign(new Error('is a directory'), {code: 'EISDIR'}))
  if (s.isFile()) return createReadStream(path, {highWaterMark})
  const fh = await openWaiting(path, options)
  return fh.createReadStream({highWaterMark, autoClose: true})
}

async function openWaiting(path: string, options: OpenOptions): Promise<import('node:fs/promises').FileHandle> {
  const pending = open(path, 'r')
  // Keep a rejection that arrives after a deadline from becoming an unhandled one.
  pending.catch(() => {})
  let noticeTimer: NodeJS.Timeout | undefined
  let deadlineTimer: NodeJS.Timeout | undefined
  const timedOut = Symbol('timeout')
  try {
    if (options.onWait) {
      const onWait = options.onWait
      noticeTimer = setTimeout(() => onWait(`waiting for a process to write to ${path} (a named pipe)...`), options.waitNoticeMs ?? 1000)
      noticeTimer.unref()
    }
    const deadline = options.deadlineMs === undefined
      ? new Promise<never>(() => {})
      : new Promise<typeof timedOut>((resolve) => {
          deadlineTimer = setTimeout(() => resolve(timedOut), options.deadlineMs)
        })
    const first = await Promise.race([pending, deadline]).catch((err: unknown) => {
      throw fileError(path, err)
    })
    if (first !== timedOut) return first as import('node:fs/promises').FileHandle
    // Our own open is still blocked in the thread pool: open the pipe for writing without blocking (it succeeds
    // because a reader, us, is waiting), which completes the pending open; then close both.
    try {
      closeSync(openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK))
    } catch {
      // ENXIO: the pending open already gave up; nothing to unblock.
    }
    await pending.then((fh) => fh.close(), () => {})
    throw inputError(`${path}: no process wrote to this named pipe within ${formatShortDurationMs(options.deadlineMs!)}`, 'input-pipe-no-writer', [
      'start the writer first, e.g. journalctl -u influxdb > pipe &',
      'or give a regular file',
    ])
  } finally {
    if (noticeTimer) clearTimeout(noticeTimer)
    if (deadlineTimer) clearTimeout(deadlineTimer)
  }
}

/**
 * A whole (small) input as text, pipe-safe: for `status --file` and the like. Refuses inputs over `maxBytes` with a
 * MedicError naming the path instead of reading on.
 */
export async function readInputText(path: string, options: OpenOptions & {maxBytes: number}): Promise<string> {
  const stream = path === '-' ? (process.stdin as Readable) : await openInputStream(path, options)
  const parts: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > options.maxBytes) {
        throw inputError(`${path === '-' ? 'stdin' : path}: larger than ${options.maxBytes} bytes; refusing to read it all`, 'input-too-large')
      }
      parts.push(chunk)
    }
  } catch (err) {
    if (err instanceof MedicError) throw err
    throw fileError(path, err)
  } finally {
    stream.destroy()
  }
  return Buffer.concat(parts, total).toString('utf8')
}

/**
 * Decides from the first bytes of an input (after decompression) whether it is text. Leading NUL bytes are skipped
 * (logrotate's copytruncate leaves a hole of zeros at the start of a live log); then more than 10% of bytes that are
 * neither text nor valid UTF-8 means a binary file (a TSM file, an executable, an image) given by mistake.
 */
export function looksLikeText(buf: Uint8Array): boolean {
  let i = 0
  const n = Math.min(buf.length, 64 * 1024)
  while (i < n && buf[i] === 0) i++
  const start = i
  let bad = 0
  while (i < n) {
    const c = buf[i]
    if (c < 0x80) {
      if (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) bad++
      else if (c === 0x7f) bad++
      i++
      continue
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
    let ok = need > 0
    for (let k = 1; ok && k <= need; k++) {
      if (i + k >= n) break // cut at the sniff window: give it the benefit of the doubt
      const d = buf[i + k]
      ok = d >= 0x80 && d <= 0xbf
    }
    if (ok) i += need + 1
    else {
      bad++
      i++
    }
  }
  const seen = n - start
  return seen < 16 || bad * 10 <= seen
}

/** The raw bytes of an input (decompressed). Progress is reported in on-disk bytes. */
export async function* readBytes(input: LogInput, onRead?: (bytes: number) => void, options: OpenOptions = {}): AsyncGenerator<Buffer> {
  const name = input.path === '-' ? 'stdin' : input.path
  const raw = input.kind === 'stdin' || input.path === '-' ? (process.stdin as Readable) : await openInputStream(input.path, options)
  if (input.kind === 'file' && !input.gzip) {
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        onRead?.(chunk.length)
        yield chunk
      }
    } catch (err) {
      throw fileError(name, err)
    } finally {
      raw.destroy()
    }
    return
  }
  if (input.kind === 'file') {
    yield* gunzipStream(raw, undefined, name, onRead)
    return
  }
  // A stream (stdin, pipe): gzip is recognised on the first bytes.
  const iterator = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  let first: IteratorResult<Buffer>
  try {
    first = await iterator.next()
  } catch (err) {
    throw fileError(name, err)
  }
  if (first.done) return
  // A pipe may deliver a single byte first: read on until the two magic bytes can be checked.
  while (first.value.length < 2) {
    let more: IteratorResult<Buffer>
    try {
      more = await iterator.next()
    } catch (err) {
      throw fileError(name, err)
    }
    if (more.done) break
    first = {done: false, value: Buffer.concat([first.value, more.value])}
  }
  if (first.value[0] === 0x1f && first.value[1] === 0x8b) {
    yield* gunzipStream(raw, first.value, name, onRead, iterator)
    return
  }
  onRead?.(first.value.length)
  yield first.value
  try {
    for (;;) {
      const r = await iterator.next()
      if (r.done) break
      onRead?.(r.value.length)
      yield r.value
    }
  } catch (err) {
    throw fileError(name, err)
  } finally {
    if (raw !== process.stdin) raw.destroy()
  }
}

async function* gunzipStream(
  raw: Readable, first: Buffer | undefined, name: string, onRead?: (n: number) => void, iterator?: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({chunkSize: 1 << 18})
  const source = iterator ?? (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  const feed = (async () => {
    if (first) {
      onRead?.(first.length)
      if (!gunzip.write(first)) await new Promise((r) => gunzip.once('drain', r))
    }
    for (;;) {
      const r = await source.next()
      if (r.done) break
      onRead?.(r.value.length)
      if (!gunzip.write(r.value)) await new Promise((r2) => gunzip.once('drain', r2))
    }
    gunzip.end()
  })()
  feed.catch((err: Error) => gunzip.destroy(err))
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk
  } catch (err) {
    throw fileError(name, err)
  } finally {
    if (raw !== process.stdin) raw.destroy()
  }
}

/**
 * Re-cuts a byte stream into chunks of about `target` bytes that end with a newline. Over-long lines are cut at
 * `maxLine` bytes (the cut part ends the line) and their remainder is dropped.
 */
export class ChunkCutter {
  private pending: Buffer[] = []
  private pendingLen = 0
  private ready: Buffer[] = []
  private readyLen = 0
  private skipping = false
  /** Lines cut at the length limit. */
  cutLines = 0

  constructor(private readonly target = CHUNK_BYTES, private readonly maxLine = MAX_LINE_BYTES) {}

  push(buf: Buffer): Buffer[] {
    let start = 0
    if (this.skipping) {
      const nl = buf.indexOf(10)
      if (nl === -1) return []
      this.skipping = false
      start = nl + 1
    }
    const last = buf.lastIndexOf(10)
    if (last < start) {
      this.hold(buf.subarray(start))
      return this.flushReady(false)
    }
    // Everything up to the last newline is complete lines: the held bytes, then this buffer's head.
    const firstNl = buf.indexOf(10, start)
    if (this.pendingLen > 0) {
      this.pending.push(buf.subarray(start, firstNl + 1))
      this.pendingLen += firstNl + 1 - start
      this.emitPending()
      start = firstNl + 1
    }
    if (last + 1 > start) this.addReady(buf.subarray(start, last + 1))
    if (last + 1 < buf.length) this.hold(buf.subarray(last + 1))
    return this.flushReady(false)
  }

  /** The rest, with a newline added if the input did not end with one. */
  end(): Buffer[] {
    if (this.pendingLen > 0 && !this.skipping) {
      this.pending.push(Buffer.from('\n'))
      this.pendingLen++
      this.emitPending()
    }
    return this.flushReady(true)
  }

  private hold(b: Buffer): void {
    if (b.length === 0) return
    this.pending.push(b)
    this.pendingLen += b.length
    if (this.pendingLen > this.maxLine) {
      // Cut the line: keep its head as a complete line, drop the rest up to the next newline.
      const head = Buffer.concat(this.pending).subarray(0, this.maxLine)
      this.pending = []
      this.pendingLen = 0
      this.addReady(Buffer.concat([head, Buffer.from('\n')]))
      this.cutLines++
      this.skipping = true
    }
  }

  private emitPending(): void {
    const joined = Buffer.concat(this.pending, this.pendingLen)
    this.pending = []
    this.pendingLen = 0
    if (joined.length > this.maxLine + 1) {
      this.addReady(Buffer.concat([joined.subarray(0, this.maxLine), Buffer.from('\n')]))
      this.cutLines++
    } else {
      this.addReady(joined)
    }
  }

  private addReady(b: Buffer): void {
    this.ready.push(b)
    this.readyLen += b.length
  }

  private flushReady(all: boolean): Buffer[] {
    if (this.readyLen === 0 || (!all && this.readyLen < this.target)) return []
    const out = this.ready.length === 1 ? this.ready[0] : Buffer.concat(this.ready, this.readyLen)
    this.ready = []
    this.readyLen = 0
    return [out]
  }
}

const PIECE_BYTES = 64 * 1024

/**
 * Calls `fn` for each line of a chunk that ends with a newline (UTF-8; invalid bytes become U+FFFD).
 * The chunk is decoded in pieces of about 64 KiB cut at newlines: a 1 MiB string would go straight to V8's
 * old generation and pile up there until a full GC, while small ones die young. That keeps the peak memory low.
 * With `latin1`, each byte becomes one character (see strings.ts): much faster, for callers that handle it.
 */
export function forEachLine(chunk: Uint8Array, fn: (line: string) => void, encoding: 'utf8' | 'latin1' = 'utf8'): void {
  const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  let from = 0
  while (from < buf.length) {
    let to = buf.length
    if (to - from > PIECE_BYTES) {
      const nl = buf.lastIndexOf(10, from + PIECE_BYTES)
      to = nl >= from ? nl + 1 : buf.indexOf(10, from + PIECE_BYTES) + 1 || buf.length
    }
    // Pieces end on a newline, so no multi-byte character is split; Buffer's decoder is faster than TextDecoder.
    const text = buf.toString(encoding, from, to)
    from = to
    let start = 0
    const n = text.length
    while (start < n) {
      let nl = text.indexOf('\n', start)
      if (nl === -1) nl = n
      fn(text.slice(start, nl))
      start = nl + 1
    }
  }
}

/** Every line of an input, in order: for `medic explain` on a file or stdin. A binary input is refused (exit 4). */
export async function* readLines(input: LogInput, options: OpenOptions = {}): AsyncGenerator<string> {
  // Target 1: hand over every complete line at once, so `tail -f log | medic explain` answers line by line.
  const cutter = new ChunkCutter(1)
  const lines: string[] = []
  const collect = (l: string) => lines.push(l)
  let sniffed = false
  for await (const buf of readBytes(input, undefined, options)) {
    if (!sniffed) {
      sniffed = true
      if (!looksLikeText(buf)) throw notTextError(input)
    }
    for (const chunk of cutter.push(buf)) forEachLine(chunk, collect)
    yield* lines.splice(0)
  }
  for (const chunk of cutter.end()) forEachLine(chunk, collect)
  yield* lines.splice(0)
}

export function notTextError(input: LogInput): MedicError {
  const name = input.path === '-' ? 'stdin' : input.path
  return inputError(`${name}: not a text log (binary data)`, 'input-not-text', [
    'give the log file itself, e.g. /var/log/influxdb/influxdb.log or the output of journalctl -u influxdb',
  ])
}
