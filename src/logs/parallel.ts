/**
 * Runs the summariser over all inputs, on worker threads when the input is big enough to pay for them.
 *
 * The main thread reads and decompresses (zlib runs on libuv's pool), cuts the bytes into ~1 MiB chunks of whole
 * lines and hands them round-robin to the workers, at most a few chunks in flight per worker so that memory stays
 * bounded whatever the input size. Each worker returns one partial summary; they are merged and turned into the
 * report. Small inputs are summarised on the main thread: starting workers costs more than it saves.
 */
import {createRequire} from 'node:module'
import {availableParallelism} from 'node:os'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import {MedicError} from '../errors.js'
import {ChunkCutter, forEachLine, type InputProblem, type LogInput, looksLikeText, notTextError, type OpenOptions, readBytes} from './input.js'
import {type SummaryOptions, type SummaryPartial, type SummaryReport, Summariser, buildReport, mergePartials} from './summary.js'

/** Below this much input (on disk), everything runs on the main thread. */
export const PARALLEL_THRESHOLD = 8 << 20
const IN_FLIGHT_PER_WORKER = 3

export interface ProgressInfo {
  bytesRead: number
  totalBytes: number | undefined
}

export interface SummariseOptions extends SummaryOptions {
  /** Number of worker threads; 0 forces the main thread. Defaults to the number of cores (at most 4). */
  workers?: number
  onProgress?: (p: ProgressInfo) => void
  templateLimit?: number
  /** How named pipes are opened (wait notice, deadline). */
  open?: OpenOptions
}

/** Reads one input chunk by chunk; a problem (unreadable, cut short, not text) is recorded and reading moves on. */
async function readInput(
  input: LogInput, open: OpenOptions | undefined, onRead: (n: number) => void, onBytes: (n: number) => void,
  onChunk: (chunk: Buffer) => Promise<void> | void, problems: Array<InputProblem & {path: string}>,
): Promise<void> {
  if (input.problem) {
    problems.push({path: input.path, ...input.problem})
    return
  }
  const cutter = new ChunkCutter()
  let sniffed = false
  let bytes = 0
  try {
    for await (const buf of readBytes(input, onRead, open)) {
      if (!sniffed) {
        sniffed = true
        if (!looksLikeText(buf)) {
          const e = notTextError(input)
          problems.push({path: input.path, code: e.code, message: e.message})
          return
        }
      }
      bytes += buf.length
      onBytes(buf.length)
      for (const chunk of cutter.push(buf)) await onChunk(chunk)
    }
  } catch (err) {
    const e = err instanceof MedicError ? err : undefined
    if (e === undefined) throw err
    // What was read before the error is kept: the input is truncated, not lost.
    problems.push({
      path: input.path, code: bytes > 0 ? 'input-truncated' : e.code,
      message: bytes > 0 ? `${e.message}; only the first ${bytes} bytes were read` : e.message,
    })
  }
  for (const chunk of cutter.end()) await onChunk(chunk)
}

export async function summariseInputs(inputs: LogInput[], options: SummariseOptions = {}): Promise<SummaryReport> {
  const known = inputs.every((i) => i.size !== undefined)
  const totalBytes = known ? inputs.reduce((n, i) => n + (i.size ?? 0), 0) : undefined
  const wanted = options.workers ?? Math.min(4, availableParallelism())
  const parallel = wanted > 0 && (totalBytes === undefined || totalBytes >= PARALLEL_THRESHOLD)
  const summaryOptions: SummaryOptions = {
    since: options.since, until: options.until, leaseDurationMs: options.leaseDurationMs, now: options.now, tz: options.tz,
  }
  let bytesRead = 0
  let lastReport = 0
  const onRead = (n: number) => {
    bytesRead += n
    if (options.onProgress && bytesRead - lastReport >= 4 << 20) {
      lastReport = bytesRead
      options.onProgress({bytesRead, totalBytes})
    }
  }
  let decompressedBytes = 0
  const problems: Array<InputProblem & {path: string}> = []
  const reader: Reader = (input, onChunk) => readInput(input, options.open, onRead, (n) => (decompressedBytes += n), onChunk, problems)
  const partials = parallel
    ? await runWorkers(inputs, summaryOptions, Math.max(1, wanted), reader)
    : [await runInline(inputs, summaryOptions, reader)]
  const merged = mergePartials(partials, options.leaseDurationMs)
  return buildReport(merged, {
    files: inputs.map((i) => i.path), leaseDurationMs: options.leaseDurationMs, bytes: decompressedBytes,
    templateLimit: options.templateLimit, problems, windowed: options.since !== undefined || options.until !== undefined,
  })
}

type Reader = (input: LogInput, onChunk: (chunk: Buffer) => Promise<void> | void) => Promise<void>

async function runInline(inputs: LogInput[], options: SummaryOptions, read: Reader): Promise<SummaryPartial> {
  const s = new Summariser({...options, binary: true})
  for (const input of inputs) {
    const add = (line: string) => s.add(line, input.label)
    await read(input, (chunk) => forEachLine(chunk, add, 'latin1'))
  }
  return s.partial()
}

/**
 * A worker's live state is small (counters, capped tables); a small young generation makes V8 collect the per-line
 * garbage early instead of growing the heap. The old-generation cap is a safety net far above the live state.
 */
const WORKER_LIMITS = {maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512}

function startWorker(options: SummaryOptions): Worker {
  const self = import.meta.url
  if (!self.endsWith('.ts')) return new Worker(new URL('./summary-worker.js', self), {workerData: options, resourceLimits: WORKER_LIMITS})
  // Under tsx (bin/dev.js, unit tests) the sources are .ts files: register tsx's loader in the worker first.
  const tsx = pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href
  const worker = new URL('./summary-worker.ts', self).href
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}) })`
  return new Worker(boot, {eval: true, workerData: options, resourceLimits: WORKER_LIMITS})
}

interface PoolWorker {
  worker: Worker
  inFlight: number
  failed?: Error
}

async function runWorkers(inputs: LogInput[], options: SummaryOptions, count: number, read: Reader): Promise<SummaryPartial[]> {
  const pool: PoolWorker[] = []
  let wake: (() => void) | undefined
  const signal = () => {
    const w = wake
    wake = undefined
    w?.()
  }
  for (let i = 0; i < count; i++) {
    const worker = startWorker(options)
    const pw: PoolWorker = {worker, inFlight: 0}
    worker.on('message', (m: {type: string}) => {
      if (m.type === 'ack') {
        pw.inFlight--
        signal()
      }
    })
    worker.on('error', (err) => {
      pw.failed = err
      signal()
    })
    pool.push(pw)
  }
  const check = () => {
    const bad = pool.find((w) => w.failed)
    if (bad) throw bad.failed
  }
  try {
    let next = 0
    const send = async (source: string, chunk: Buffer) => {
      for (;;) {
        check()
        for (let k = 0; k < pool.length; k++) {
          const pw = pool[(next + k) % pool.length]
          if (pw.inFlight < IN_FLIGHT_PER_WORKER) {
            next = (next + k + 1) % pool.length
            pw.inFlight++
            // Copy into a fresh ArrayBuffer that can be transferred (the chunk may be a view on a pooled buffer).
            const data = new Uint8Array(chunk.length)
            data.set(chunk)
            pw.worker.postMessage({type: 'chunk', source, data}, [data.buffer])
            return
          }
        }
        await new Promise<void>((resolve) => (wake = resolve))
      }
    }
    for (const input of inputs) await read(input, (chunk) => send(input.label, chunk))
    return await Promise.all(
      pool.map(
        (pw) =>
          new Promise<SummaryPartial>((resolve, reject) => {
            pw.worker.on('message', (m: {type: string; partial?: SummaryPartial}) => {
              if (m.type === 'partial') resolve(m.partial!)
            })
            pw.worker.once('error', reject)
            if (pw.failed) reject(pw.failed)
            pw.worker.postMessage({type: 'finish'})
          }),
      ),
    )
  } finally {
    await Promise.all(pool.map((pw) => pw.worker.terminate()))
  }
}
