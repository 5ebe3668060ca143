/**
 * The dev cluster's state file, `<cluster dir>/cluster.json` (mode 0600: it holds the auth secrets and the admin
 * password). It is what makes a cluster outlive the command that started it: ports, log format, auth, whether the
 * nodes were joined, every node's addresses, files and pid, and where the running supervisor listens.
 *
 * Several processes write it (the supervisor records pids and exits; `medic dev kill|pause|resume` record what they
 * did), so every change goes through updateState(): a lock file taken with O_EXCL, a read-modify-write, and an atomic
 * rename. A lock whose holder died is taken over.
 *
 * Also here: whether a recorded pid is still the process medic started (on Linux, /proc/<pid>/cmdline must name the
 * node's config file, so a recycled pid is never signalled) and whether it is paused (/proc/<pid>/stat state T).
 */
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {mkdir, open, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {inputError, MedicError, usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import type {LogFormat} from '../node/logger.js'
import {dirFlag, statePath} from './paths.js'

export const STATE_VERSION = 1
export const REDACTED = '[REDACTED]'

export interface DevAuth {
  /** Signs the JWTs of the public meta API ([meta] shared-secret). */
  sharedSecret: string
  /** Signs node-to-node JWTs ([meta] internal-shared-secret). */
  internalSharedSecret: string
  /** The admin user created once the cluster had a leader. */
  username: string
  password: string
  /** True once POST /user created it. */
  userCreated: boolean
}

/** How a node's process ended, as the supervisor saw it. */
export interface NodeExit {
  code: number | null
  signal: string | null
  at: string
  /** True when medic stopped it on purpose (dev stop, dev down, Ctrl-C). */
  requested: boolean
}

export interface DevNode {
  name: string
  kind: 'meta'
  /** host:port of the meta API, as advertised (127.0.0.1:<P+100k+91>). */
  httpAddr: string
  /** host:port of Raft, the node's Raft id (127.0.0.1:<P+100k+89>). */
  raftAddr: string
  /** The node's folder, its config file and its log file. */
  dir: string
  configPath: string
  logPath: string
  /** The running process, or null. */
  pid: number | null
  startedAt: string | null
  /** The last exit, once the process has ended. */
  exit: NodeExit | null
  /** Set by `medic dev pause`, cleared by resume and by any (re)start. */
  paused: boolean
  /** The last signal a medic command sent it directly (dev kill, pause, resume). */
  lastSignal: {signal: string; at: string} | null
}

export interface SupervisorInfo {
  pid: number
  /** foreground: inside `medic dev up`; detached: supervisor-main in the background. */
  mode: 'foreground' | 'detached'
  /** 127.0.0.1:<port> of the control server. */
  address: string
  /** Required as a Bearer token by the control server. */
  token: string
  startedAt: string
}

export interface ClusterState {
  version: number
  createdAt: string
  updatedAt: string
  dir: string
  basePort: number
  logFormat: LogFormat
  /** null: auth is off. */
  auth: DevAuth | null
  /** True once every meta node was added (add-meta) and agreed on a leader. */
  joined: boolean
  supervisor: SupervisorInfo | null
  nodes: DevNode[]
}

/** Reads the state file; undefined when there is none. A file that is not a state file is exit 4. */
export async function readState(clusterDir: string): Promise<ClusterState | undefined> {
  const path = statePath(clusterDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined
    throw inputError(`${path}: cannot read the dev cluster's state (${(err as Error).message})`, 'state-unreadable', [`ls -l ${shellQuote(path)}`], err)
  }
  return parseState(text, path)
}

export function parseState(text: string, path: string): ClusterState {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw inputError(`${path}: the dev cluster's state file is not valid JSON`, 'state-invalid', [
      `if no cluster runs there any more, start afresh: medic dev down --purge --dir ${shellQuote(dirname(path))}`,
    ], err)
  }
  const s = doc as Partial<ClusterState>
  if (typeof s !== 'object' || s === null || typeof s.version !== 'number' || !Array.isArray(s.nodes) || typeof s.basePort !== 'number') {
    throw inputError(`${path}: not a dev cluster state file (no version, basePort or nodes)`, 'state-invalid', [
      'is --dir (or MEDIC_DEV_DIR) the folder of a dev cluster?',
    ])
  }
  if (s.version > STATE_VERSION) {
    throw inputError(`${path}: written by a newer medic (state version ${s.version}; this one reads ${STATE_VERSION})`, 'state-too-new', [
      'use the medic that created the cluster, or start a new one with another --dir',
    ])
  }
  return s as ClusterState
}

/** Reads the state file, or fails with exit 4 (cluster-not-found) saying how to create one. */
export async function loadState(clusterDir: string): Promise<ClusterState> {
  const state = await readState(clusterDir)
  if (state === undefined) throw clusterNotFound(clusterDir)
  return state
}

export function clusterNotFound(clusterDir: string): MedicError {
  return inputError(`no dev cluster in ${clusterDir} (no ${statePath(clusterDir)})`, 'cluster-not-found', [
    `start one: medic dev up${dirFlag(clusterDir)}`,
    'a cluster started with --dir (or MEDIC_DEV_DIR) needs the same --dir here',
  ])
}

/** Writes the whole state atomically (temporary file, then rename), mode 0600. Prefer updateState(). */
export async function writeState(clusterDir: string, state: ClusterState): Promise<void> {
  const path = statePath(clusterDir)
  await mkdir(clusterDir, {recursive: true, mode: 0o700})
  state.updatedAt = new Date().toISOString()
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', {mode: 0o600})
  await rename(tmp, path)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const LOCK_STALE_MS = 10_000
const LOCK_WAIT_MS = 10_000

async function acquireLock(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      const fh = await open(lock, 'wx', 0o600)
      await fh.writeFile(String(process.pid))
      await fh.close()
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    // Held: take it over if its holder is gone or it is far too old; otherwise wait a little.
    let holder = NaN
    let age = 0
    try {
      holder = Number(await readFile(lock, 'utf8'))
      age = Date.now() - (await stat(lock)).mtimeMs
    } catch {
      continue // released meanwhile
    }
    if ((Number.isInteger(holder) && holder > 0 && holder !== process.pid && !pidAlive(holder)) || age > LOCK_STALE_MS) {
      await rm(lock, {force: true})
      continue
    }
    if (Date.now() > deadline) {
      throw inputError(`${lock}: the state file stays locked by pid ${holder}`, 'state-locked', [`if no medic command is running, remove ${shellQuote(lock)}`])
    }
    await sleep(5)
  }
}

/**
 * Read, change and write the state under the lock. `change` may mutate the state it is given and return a value;
 * the state is written after it returns. Fails with cluster-not-found (exit 4) when there is no state file.
 */
export async function updateState<T>(clusterDir: string, change: (state: ClusterState) => T | Promise<T>): Promise<{state: ClusterState; result: T}> {
  const lock = `${statePath(clusterDir)}.lock`
  await acquireLock(lock)
  try {
    const state = await loadState(clusterDir)
    const result = await change(state)
    await writeState(clusterDir, state)
    return {state, result}
  } finally {
    await rm(lock, {force: true})
  }
}

/** A copy with every secret replaced by [REDACTED]: for all output, --json included. */
export function redactState(state: ClusterState): ClusterState {
  const copy = structuredClone(state)
  if (copy.auth) copy.auth = {...copy.auth, sharedSecret: REDACTED, internalSharedSecret: REDACTED, password: REDACTED}
  if (copy.supervisor) copy.supervisor = {...copy.supervisor, token: REDACTED}
  return copy
}

/** The node called `name`, or a usage error (exit 2) listing the valid names. */
export function findNode(state: ClusterState, name: string): DevNode {
  const node = state.nodes.find((n) => n.name === name)
  if (node) return node
  const names = state.nodes.map((n) => n.name)
  throw usageError(`no node "${name}" in this dev cluster; its nodes are ${names.join(', ')}`, 'unknown-node', [
    `give one of: ${names.join(', ')}`,
    `medic dev status${dirFlag(state.dir)}`,
  ])
}

// ── processes ───────────────────────────────────────────────────────────────────────────────────────────────────

/** True when a process with this pid exists (it may belong to someone else: see isNodeProcess). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** One letter of /proc/<pid>/stat (R, S, D, T, t, Z, ...) or undefined (no /proc, or no such process). */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may contain spaces: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return undefined
  }
}

export type ProcessCondition = 'running' | 'paused' | 'gone'

/**
 * Whether the node's recorded pid is still the node: alive, not a zombie, and (where /proc exists) started with
 * the node's config file. A pid the kernel gave to another program counts as gone.
 */
export function nodeProcess(node: Pick<DevNode, 'pid' | 'configPath'>): ProcessCondition {
  if (node.pid === null || !pidAlive(node.pid)) return 'gone'
  const st = procState(node.pid)
  if (st === 'Z' || st === 'X') return 'gone'
  const cmd = cmdline(node.pid)
  if (cmd !== undefined && !cmd.split('\0').includes(node.configPath)) return 'gone'
  return st === 'T' || st === 't' ? 'paused' : 'running'
}

/** Sends `signal` to the node's process if it is still the node; false when it is gone. */
export function signalNode(node: Pick<DevNode, 'pid' | 'configPath'>, signal: NodeJS.Signals): boolean {
  if (nodeProcess(node) === 'gone' || node.pid === null) return false
  try {
    process.kill(node.pid, signal)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

/**
 * Stops node processes recorded in the state that still run without their supervisor (a node paused when its
 * supervisor died cannot notice its lifeline until it runs again): SIGCONT, SIGTERM, then SIGKILL after `graceMs`.
 * Returns the names of the nodes it stopped.
 */
export async function stopStrayNodes(state: ClusterState, graceMs: number): Promise<string[]> {
  const alive = state.nodes.filter((n) => nodeProcess(n) !== 'gone')
  if (alive.length === 0) return []
  for (const n of alive) {
    signalNode(n, 'SIGCONT')
    signalNode(n, graceMs > 0 ? 'SIGTERM' : 'SIGKILL')
  }
  const deadline = Date.now() + graceMs
  while (alive.some((n) => nodeProcess(n) !== 'gone') && Date.now() < deadline) await sleep(20)
  for (const n of alive) signalNode(n, 'SIGKILL')
  const hard = Date.now() + 5_000
  while (alive.some((n) => nodeProcess(n) !== 'gone') && Date.now() < hard) await sleep(20)
  return alive.map((n) => n.name)
}

export function nowIso(): string {
  return new Date().toISOString()
}
