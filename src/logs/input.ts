/**
 * Reading log inputs: files (plain or gzip, recognised by their magic bytes, not their name) and standard input,
 * as chunks that always end on a line boundary. Lines longer than `MAX_LINE_BYTES` are cut there and the rest of the
 * line is skipped, so a file without a single newline cannot exhaust memory.
 */
import {createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {basename, resolve, sep} from 'node:path'
import {createGunzip} from 'node:zlib'

import {fileError, usageError} from '../errors.js'

export const MAX_LINE_BYTES = 1 << 20
export const CHUNK_BYTES = 256 * 1024

export interface LogInput {
  /** As given on the command line ("-" for stdin). */
  path: string
  /** Short name used as the source of its lines when they carry no host. */
  label: string
  /** On-disk size, when known (compressed size for gzip). */
  size?: number
  gzip: boolean
}

/** Checks every input up front so that a typo fails before minutes of work, with exit 4 and the file named. */
export async function resolveInputs(
  paths: string[],
  noInputHelp: string[] = [],
  stdin: {isTTY?: boolean} = process.stdin,
): Promise<LogInput[]> {
  const out: LogInput[] = []
  const list = paths.length === 0 ? ['-'] : paths
  for (const path of list) {
    if (path === '-') {
      if (stdin.isTTY) {
        throw usageError('no input: standard input is a terminal and no file was given', 'no-input', noInputHelp)
      }
      out.push({path, label: 'stdin', gzip: false})
      continue
    }
    let size: number
    try {
      const s = await stat(path)
      if (s.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      size = s.size
      const fh = await open(path, 'r')
      try {
        const head = Buffer.alloc(2)
        const {bytesRead} = await fh.read(head, 0, 2, 0)
        out.push({path, label: basename(path), size, gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b})
      } finally {
        await fh.close()
      }
    } catch (err) {
      throw fileError(path, err)
    }
  }
  uniqueLabels(out)
  return out
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

/** The raw bytes of an input (decompressed). Progress is reported in on-disk bytes. */
export async function* readBytes(input: LogInput, onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  if (input.path === '-') {
    let first = true
    let gunzip: ReturnType<typeof createGunzip> | undefined
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      if (first) {
        first = false
        if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
          // A gzip stream on stdin: hand the rest to gunzip.
          gunzip = createGunzip()
          yield* pipeThrough(chunk, gunzip, onRead)
          return
        }
      }
      onRead?.(chunk.length)
      yield chunk
    }
    return
  }
  const raw = createReadStream(input.path, {highWaterMark: 256 * 1024})
  if (!input.gzip) {
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        onRead?.(chunk.length)
        yield chunk
      }
    } catch (err) {
      throw fileError(input.path, err)
    }
    return
  }
  const gunzip = createGunzip({chunkSize: 1 << 18})
  raw.on('data', (c: Buffer | string) => onRead?.(c.length))
  raw.on('error', (err) => gunzip.destroy(err))
  raw.pipe(gunzip)
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk
  } catch (err) {
    throw fileError(input.path, err)
  }
}

async function* pipeThrough(first: Buffer, gunzip: ReturnType<typeof createGunzip>, onRead?: (n: number) => void): AsyncGenerator<Buffer> {
  const feed = (async () => {
    onRead?.(first.length)
    gunzip.write(first)
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      onRead?.(chunk.length)
      if (!gunzip.write(chunk)) await new Promise((r) => gunzip.once('drain', r))
    }
    gunzip.end()
  })()
  feed.catch((err) => gunzip.destroy(err))
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk
  } catch (err) {
    throw fileError('stdin', err)
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

/** Every line of an input, in order: for `medic explain` on a file or stdin. */
export async function* readLines(input: LogInput): AsyncGenerator<string> {
  // Target 1: hand over every complete line at once, so `tail -f log | medic explain` answers line by line.
  const cutter = new ChunkCutter(1)
  const lines: string[] = []
  const collect = (l: string) => lines.push(l)
  for await (const buf of readBytes(input)) {
    for (const chunk of cutter.push(buf)) forEachLine(chunk, collect)
    yield* lines.splice(0)
  }
  for (const chunk of cutter.end()) forEachLine(chunk, collect)
  yield* lines.splice(0)
}
