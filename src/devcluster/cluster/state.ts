/**
 * The dev cluster's state file, `<cluster dir>/cluster.json` (mode 0600: it holds the auth secrets and the admin
 * password). It is what makes a cluster outlive the command that started it: ports, log format, auth, whether the
 * nodes were joined, every node's addresses, files and pid, and where the running supervisor listens.
 *
 * Several processes write it (the supervisor records pids and exits; `medic dev kill|pause|resume` record what they
 * did), so every change goes through updateState(): a lock file taken with O_EXCL, a read-modify-write, and an atomic
 * rename. A lock whose holder died is taken over.
 *
 * A file read back is checked field by field before it is used (a hand-written check: loading zod would cost every
 * `medic dev` command its start-up time), so a damaged or foreign file is a clear error, never a crash later.
 * Processes (whether a recorded pid still runs, signals, the stop sequence) are processes.ts.
 */
import {randomBytes} from 'node:crypto'
import {mkdir, open, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {inputError, MedicError, usageError} from '../../errors.js'
import {parseJsonBounded} from '../../util/json.js'
import {shellQuote} from '../../util/text.js'
import {bearer} from '../node/jwt.js'
import {LOG_FORMATS, type LogFormat} from '../node/logger.js'
import {errnoCode, messageOf} from '../node/process.js'
import {dirFlag, statePath} from './paths.js'
import {pidAlive} from './processes.js'

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

/** What every node record holds, meta or data. */
interface NodeRecord {
  name: string
  /** host:port of the node's HTTP API, as advertised (meta 127.0.0.1:<P+100k+91>, data <P+100(10+k)+86>). */
  httpAddr: string
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
  /**
   * SHA-256 (hex) of the config `medic dev up` rendered for it last: a file that differs was edited by someone, and the
   * next `dev up` keeps it (supervisor/prepare.ts). Absent in states written before medic kept edits.
   */
  configHash?: string
}

export interface MetaDevNode extends NodeRecord {
  kind: 'meta'
  /** host:port of Raft, the node's Raft id (127.0.0.1:<P+100k+89>). */
  raftAddr: string
}

export interface DataDevNode extends NodeRecord {
  kind: 'data'
  /** host:port of the cluster RPC listener, `[cluster] bind-address` (127.0.0.1:<P+100(10+k)+88>). */
  rpcAddr: string
}

/** A node of the dev cluster; `kind` tells the roles apart. */
export type DevNode = MetaDevNode | DataDevNode

export function isMetaNode(n: DevNode): n is MetaDevNode {
  return n.kind === 'meta'
}

export function isDataNode(n: DevNode): n is DataDevNode {
  return n.kind === 'data'
}

/** The data nodes of a cluster, in order. */
export function dataNodes(state: Pick<ClusterState, 'nodes'>): DataDevNode[] {
  return state.nodes.filter(isDataNode)
}

/** The meta nodes of a cluster, in order. */
export function metaNodes(state: Pick<ClusterState, 'nodes'>): MetaDevNode[] {
  return state.nodes.filter(isMetaNode)
}

export interface SupervisorInfo {
  pid: number
  /** foreground: inside `medic dev up`; detached: supervisor/main in the background. */
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
  /** `dev up --time-scale`: the nodes' lease, hinted-handoff, monitor and CQ timers run this many times faster (1: real time). */
  timeScale?: number
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
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined
    throw inputError(`${path}: cannot read the dev cluster's state (${messageOf(err)})`, 'state-unreadable', [`ls -l ${shellQuote(path)}`], err)
  }
  return parseState(text, path)
}

export function parseState(text: string, path: string): ClusterState {
  const parsed = parseJsonBounded(text, {maxDepth: 16})
  if (!parsed.ok) {
    throw inputError(`${path}: the dev cluster's state file is not valid JSON (${parsed.reason})`, 'state-invalid', [
      `if no cluster runs there any more, start afresh: medic dev down --purge --dir ${shellQuote(dirname(path))}`,
    ])
  }
  const doc = parsed.value
  if (!isObj(doc) || typeof doc.version !== 'number' || !Array.isArray(doc.nodes) || typeof doc.basePort !== 'number') {
    throw inputError(`${path}: not a dev cluster state file (no version, basePort or nodes)`, 'state-invalid', [
      'is --dir (or MEDIC_DEV_DIR) the folder of a dev cluster?',
    ])
  }
  if (doc.version > STATE_VERSION) {
    throw inputError(`${path}: written by a newer medic (state version ${doc.version}; this one reads ${STATE_VERSION})`, 'state-too-new', [
      'use the medic that created the cluster, or start a new one with another --dir',
    ])
  }
  const state = checkState(doc)
  if (typeof state === 'string') {
    throw inputError(`${path}: the dev cluster's state file is damaged (${state})`, 'state-invalid', [
      `if no cluster runs there any more, start afresh: medic dev down --purge --dir ${shellQuote(dirname(path))}`,
    ])
  }
  return state
}

// ── checking what was read ───────────────────────────────────────────────────────────────────────────────────────

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isStr = (v: unknown): v is string => typeof v === 'string'
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)
const isPid = (v: unknown): v is number => isInt(v) && v > 0
const orNull = <T>(v: unknown, check: (x: unknown) => x is T): v is T | null => v === null || check(v)

/** A node exit as recorded (null when absent); the reason when it is malformed. */
export function checkExit(v: unknown): NodeExit | null | string {
  if (v === null || v === undefined) return null
  if (!isObj(v) || !orNull(v.code, isInt) || !orNull(v.signal, isStr) || !isStr(v.at) || typeof v.requested !== 'boolean') return 'a node exit is malformed'
  return {code: v.code, signal: v.signal, at: v.at, requested: v.requested}
}

/** A node record read from a file or received from the supervisor; the reason when it is not one. */
export function checkNode(v: unknown): DevNode | string {
  if (!isObj(v) || !isStr(v.name)) return 'a node has no name'
  const what = `node ${JSON.stringify(v.name.slice(0, 40))}`
  for (const k of ['httpAddr', 'dir', 'configPath', 'logPath'] as const) if (!isStr(v[k])) return `${what} has no ${k}`
  if (!orNull(v.pid, isPid) || !orNull(v.startedAt, isStr)) return `${what} has a bad pid or start time`
  const exit = checkExit(v.exit)
  if (typeof exit === 'string') return `${what}: ${exit}`
  let lastSignal: NodeRecord['lastSignal'] = null
  if (v.lastSignal !== null && v.lastSignal !== undefined) {
    if (!isObj(v.lastSignal) || !isStr(v.lastSignal.signal) || !isStr(v.lastSignal.at)) return `${what} has a malformed last signal`
    lastSignal = {signal: v.lastSignal.signal, at: v.lastSignal.at}
  }
  const base = {
    name: v.name, httpAddr: String(v.httpAddr), dir: String(v.dir), configPath: String(v.configPath), logPath: String(v.logPath),
    pid: v.pid ?? null, startedAt: v.startedAt ?? null, exit, paused: v.paused === true, lastSignal,
    ...(typeof v.configHash === 'string' && /^[0-9a-f]{64}$/.test(v.configHash) ? {configHash: v.configHash} : {}),
  }
  if (v.kind === 'meta') return isStr(v.raftAddr) ? {...base, kind: 'meta', raftAddr: v.raftAddr} : `${what} has no raftAddr`
  if (v.kind === 'data') return isStr(v.rpcAddr) ? {...base, kind: 'data', rpcAddr: v.rpcAddr} : `${what} has no rpcAddr`
  return `${what} is neither a meta nor a data node`
}

function checkAuth(v: unknown): DevAuth | null | string {
  if (v === null || v === undefined) return null
  if (!isObj(v) || !isStr(v.sharedSecret) || !isStr(v.internalSharedSecret) || !isStr(v.username) || !isStr(v.password) || typeof v.userCreated !== 'boolean') {
    return 'the auth settings are malformed'
  }
  return {sharedSecret: v.sharedSecret, internalSharedSecret: v.internalSharedSecret, username: v.username, password: v.password, userCreated: v.userCreated}
}

function checkSupervisor(v: unknown): SupervisorInfo | null | string {
  if (v === null || v === undefined) return null
  if (!isObj(v) || !isPid(v.pid) || (v.mode !== 'foreground' && v.mode !== 'detached') || !isStr(v.address) || !isStr(v.token) || !isStr(v.startedAt)) {
    return 'the supervisor record is malformed'
  }
  return {pid: v.pid, mode: v.mode, address: v.address, token: v.token, startedAt: v.startedAt}
}

function checkState(doc: Obj): ClusterState | string {
  if (!isInt(doc.version) || !isInt(doc.basePort)) return 'version and basePort must be whole numbers'
  if (!isStr(doc.dir) || !isStr(doc.createdAt) || !isStr(doc.updatedAt)) return 'dir, createdAt or updatedAt is missing'
  const logFormat = LOG_FORMATS.find((f) => f === doc.logFormat)
  if (logFormat === undefined) return `unknown log format ${JSON.stringify(doc.logFormat)}`
  const auth = checkAuth(doc.auth)
  if (typeof auth === 'string') return auth
  const supervisor = checkSupervisor(doc.supervisor)
  if (typeof supervisor === 'string') return supervisor
  const nodes: DevNode[] = []
  for (const n of Array.isArray(doc.nodes) ? doc.nodes : []) {
    const node = checkNode(n)
    if (typeof node === 'string') return node
    nodes.push(node)
  }
  return {
    version: doc.version, createdAt: doc.createdAt, updatedAt: doc.updatedAt, dir: doc.dir, basePort: doc.basePort, logFormat,
    timeScale: isInt(doc.timeScale) && doc.timeScale >= 1 ? doc.timeScale : 1, auth,
    joined: doc.joined === true, supervisor, nodes,
  }
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
      if (errnoCode(err) !== 'EEXIST') throw err
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
  return withStateLock(clusterDir, async () => {
    const state = await loadState(clusterDir)
    const result = await change(state)
    await writeState(clusterDir, state)
    return {state, result}
  })
}

/** Runs `fn` holding the cluster folder's state lock (also taken by the edits of faults.json). */
export async function withStateLock<T>(clusterDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${statePath(clusterDir)}.lock`
  await acquireLock(lock)
  try {
    return await fn()
  } finally {
    await rm(lock, {force: true})
  }
}

/** The Authorization header for a dev cluster with auth: a fresh HS512 JWT for the admin, signed with shared-secret. */
export function adminAuthHeaders(state: Pick<ClusterState, 'auth'>): Record<string, string> {
  return state.auth ? bearer(state.auth.username, state.auth.sharedSecret) : {}
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

export function nowIso(): string {
  return new Date().toISOString()
}
