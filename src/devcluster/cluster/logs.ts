/**
 * The dev cluster's log files, read back: the last lines of a node's log (quoted by the supervisor when a node dies
 * while starting, printed by `medic dev logs -n`) and following what is appended (`medic dev logs -f`). One
 * implementation for both. Reading the tail costs what the lines cost, not the file: it reads backwards in blocks.
 */
import {closeSync, fstatSync, openSync, readSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'

import {inputError, MedicError} from '../../errors.js'
import {dirFlag, supervisorLogPath} from './paths.js'
import {type ClusterState, findNode} from './state.js'

export interface LogTail {
  lines: string[]
  /** The file's size when it was read: where following it starts. */
  size: number
}

export interface TailOptions {
  /** The last `count` lines (all when undefined). */
  count?: number
  /** Only what was written from this byte offset on. */
  from?: number
  /** Lines that are empty or only white space are left out (the supervisor's quotes). */
  skipBlank?: boolean
}

const BLOCK = 64 * 1024

function split(text: string, skipBlank: boolean): string[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return skipBlank ? lines.map((l) => l.trimEnd()).filter((l) => l !== '') : lines
}

/**
 * The last lines of a log file. A missing file has no lines; another read failure throws `log-unreadable` (exit 4).
 * With `count`, blocks are read backwards from the end until enough lines are in; a line cut by where reading began
 * is left out unless it starts at `from` (or the file's start).
 */
export function readLogTail(path: string, options: TailOptions = {}): LogTail {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return {lines: [], size: 0}
    throw inputError(`${path}: cannot read the log (${err instanceof Error ? err.message : String(err)})`, 'log-unreadable', [], err)
  }
  try {
    const size = fstatSync(fd).size
    const floor = Math.min(Math.max(0, options.from ?? 0), size)
    const skipBlank = options.skipBlank ?? false
    let start = options.count === undefined ? floor : Math.max(floor, size - BLOCK)
    for (;;) {
      const buf = Buffer.alloc(size - start)
      const n = buf.length === 0 ? 0 : readSync(fd, buf, 0, buf.length, start)
      let text = buf.subarray(0, n).toString('utf8')
      if (start > floor) text = text.slice(text.indexOf('\n') + 1) // a partial first line
      const lines = split(text, skipBlank)
      if (options.count === undefined) return {lines, size}
      if (lines.length >= options.count || start === floor) return {lines: lines.slice(Math.max(0, lines.length - options.count)), size}
      start = Math.max(floor, start - Math.max(BLOCK, size - start))
    }
  } finally {
    closeSync(fd)
  }
}

/** The log file of a node, or of the supervisor for the name "supervisor". */
export function logPathOf(state: ClusterState, name: string): string {
  if (name === 'supervisor') return supervisorLogPath(state.dir)
  try {
    return findNode(state, name).logPath
  } catch (err) {
    if (err instanceof MedicError) err.suggestions.push(`or "supervisor" for the supervisor's own log: medic dev logs supervisor${dirFlag(state.dir)}`)
    throw err
  }
}

export interface FollowOptions {
  signal: AbortSignal
  /** How often the file is looked at (default 100 ms: dev-cluster logs grow slowly). */
  pollMs?: number
}

/**
 * Passes what is appended to `path` from byte `from` on to `write`, until `signal` aborts ('aborted') or the file is
 * deleted ('deleted', by `dev down --purge`). A file cut shorter is read again from its start. Polling survives the
 * file being recreated. Each idle wait registers its abort listener only for its own duration.
 */
export async function followLog(path: string, from: number, write: (chunk: string) => void, options: FollowOptions): Promise<'aborted' | 'deleted'> {
  const {open, stat} = await import('node:fs/promises')
  const {StringDecoder} = await import('node:string_decoder')
  const decoder = new StringDecoder('utf8')
  const {signal} = options
  let pos = from
  while (!signal.aborted) {
    let size: number
    try {
      size = (await stat(path)).size
    } catch {
      return 'deleted'
    }
    if (size < pos) pos = 0 // truncated: start again from the top
    if (size > pos) {
      const fh = await open(path, 'r')
      try {
        const buf = Buffer.alloc(Math.min(size - pos, 1 << 20))
        const {bytesRead} = await fh.read(buf, 0, buf.length, pos)
        pos += bytesRead
        write(decoder.write(buf.subarray(0, bytesRead)))
      } finally {
        await fh.close()
      }
      continue
    }
    try {
      await sleep(options.pollMs ?? 100, undefined, {signal})
    } catch {
      break // aborted
    }
  }
  return 'aborted'
}
