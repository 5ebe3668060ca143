/**
 * What the supervisor and the other `medic dev` processes say to each other, in one place:
 *   - the control server's operations (POST /<op> with a JSON body, `Authorization: Bearer <token>`), each with its
 *     request and its reply, checked on arrival on both sides (no unchecked casts of what came over a socket);
 *   - errors, serialised as {code, message, exitCode, suggestions[, log]} and turned back into the same MedicError, so
 *     a command run against a detached supervisor exits exactly as it would in-process;
 *   - the one report a detached supervisor sends the `medic dev up --detach` that started it (IPC): progress lines,
 *     then ready (with the start-up result) or failed (with the error).
 */
import {ExitCode, type ExitCodeValue, MedicError} from '../../errors.js'
import {checkExit, checkNode, type DevNode, type NodeExit} from '../cluster/state.js'
import {LOG_FORMATS, type LogFormat} from '../node/logger.js'

// ── operations ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface PingReply {
  pid: number
  mode: 'foreground' | 'detached'
  phase: string
  /** Names of the nodes whose processes run. */
  running: string[]
}

export interface StartReply {
  node: DevNode
  alreadyRunning: boolean
}

export interface StopReply {
  node: DevNode
  exit: NodeExit | null
  alreadyStopped: boolean
}

export interface DownReply {
  stopped: Array<{name: string; exit: NodeExit | null}>
}

/** Every operation: what is sent and what comes back. */
export interface ControlOps {
  ping: {request: Record<string, never>; reply: PingReply}
  start: {request: {node: string}; reply: StartReply}
  stop: {request: {node: string; graceMs?: number}; reply: StopReply}
  down: {request: {graceMs?: number}; reply: DownReply}
}

export type ControlOp = keyof ControlOps
export type ControlRequest<O extends ControlOp> = ControlOps[O]['request']
export type ControlReply<O extends ControlOp> = ControlOps[O]['reply']

export const CONTROL_OPS: readonly ControlOp[] = ['ping', 'start', 'stop', 'down']

export function isControlOp(s: string): s is ControlOp {
  return (CONTROL_OPS as readonly string[]).includes(s)
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const NODE_NAME = /^[a-z]+-\d{1,3}$/

function graceOf(body: Obj): number | undefined | string {
  if (body.graceMs === undefined) return undefined
  return typeof body.graceMs === 'number' && Number.isFinite(body.graceMs) && body.graceMs >= 0 ? body.graceMs : 'graceMs must be a number of ms >= 0'
}

function nodeOf(body: Obj): string {
  return typeof body.node === 'string' && NODE_NAME.test(body.node) ? body.node : ''
}

type Checked<T> = T | string

/** The request of `op` from a JSON body, or why it is not one. */
export function parseRequest<O extends ControlOp>(op: O, body: unknown): Checked<ControlRequest<O>>
export function parseRequest(op: ControlOp, body: unknown): Checked<ControlRequest<ControlOp>> {
  if (!isObj(body)) return 'the request body must be a JSON object'
  switch (op) {
    case 'ping':
      return {}
    case 'start': {
      const node = nodeOf(body)
      return node === '' ? 'node must be a node name' : {node}
    }
    case 'stop': {
      const node = nodeOf(body)
      const graceMs = graceOf(body)
      if (node === '') return 'node must be a node name'
      if (typeof graceMs === 'string') return graceMs
      return graceMs === undefined ? {node} : {node, graceMs}
    }
    case 'down': {
      const graceMs = graceOf(body)
      if (typeof graceMs === 'string') return graceMs
      return graceMs === undefined ? {} : {graceMs}
    }
  }
}

function checkExits(v: unknown): Checked<Array<{name: string; exit: NodeExit | null}>> {
  if (!Array.isArray(v)) return 'stopped must be a list'
  const out: Array<{name: string; exit: NodeExit | null}> = []
  for (const x of v) {
    if (!isObj(x) || typeof x.name !== 'string') return 'a stopped node has no name'
    const exit = checkExit(x.exit)
    if (typeof exit === 'string') return exit
    out.push({name: x.name, exit})
  }
  return out
}

/** The reply of `op` from a JSON body, or why it is not one. */
export function parseReply<O extends ControlOp>(op: O, body: unknown): Checked<ControlReply<O>>
export function parseReply(op: ControlOp, body: unknown): Checked<ControlReply<ControlOp>> {
  if (!isObj(body)) return 'the reply must be a JSON object'
  switch (op) {
    case 'ping': {
      const {pid, mode, phase, running} = body
      if (typeof pid !== 'number' || (mode !== 'foreground' && mode !== 'detached') || typeof phase !== 'string') return 'malformed ping reply'
      if (!Array.isArray(running) || !running.every((r): r is string => typeof r === 'string')) return 'malformed ping reply'
      return {pid, mode, phase, running}
    }
    case 'start': {
      const node = checkNode(body.node)
      if (typeof node === 'string') return node
      return typeof body.alreadyRunning === 'boolean' ? {node, alreadyRunning: body.alreadyRunning} : 'malformed start reply'
    }
    case 'stop': {
      const node = checkNode(body.node)
      if (typeof node === 'string') return node
      const exit = checkExit(body.exit)
      if (typeof exit === 'string') return exit
      return typeof body.alreadyStopped === 'boolean' ? {node, exit, alreadyStopped: body.alreadyStopped} : 'malformed stop reply'
    }
    case 'down': {
      const stopped = checkExits(body.stopped)
      return typeof stopped === 'string' ? stopped : {stopped}
    }
  }
}

// ── errors ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** The last lines of a node's log, quoted with the error that its process ended. */
export interface QuotedLog {
  node: string
  path: string
  lines: string[]
}

/** A node that died (or could not be started) while the supervisor waited for it; carries its last log lines. */
export class NodeFailedError extends MedicError {
  constructor(message: string, readonly log: QuotedLog, suggestions: string[]) {
    super(message, {code: 'node-failed', exitCode: ExitCode.PROBLEMS, suggestions})
    this.name = 'NodeFailedError'
  }
}

export interface SerializedError {
  code: string
  message: string
  exitCode: ExitCodeValue
  suggestions: string[]
  log?: QuotedLog
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof NodeFailedError) return {code: err.code, message: err.message, exitCode: err.exitCode, suggestions: err.suggestions, log: err.log}
  if (err instanceof MedicError) return {code: err.code, message: err.message, exitCode: err.exitCode, suggestions: err.suggestions}
  return {code: 'internal', message: err instanceof Error ? err.message : String(err), exitCode: ExitCode.INTERNAL, suggestions: []}
}

const EXIT_CODES: readonly ExitCodeValue[] = Object.values(ExitCode)

/** An error document from the other side, or undefined when `v` is not one. */
export function parseError(v: unknown): SerializedError | undefined {
  if (!isObj(v) || typeof v.code !== 'string' || typeof v.message !== 'string') return undefined
  const exitCode = EXIT_CODES.find((c) => c === v.exitCode) ?? ExitCode.INTERNAL
  const suggestions = Array.isArray(v.suggestions) ? v.suggestions.filter((x): x is string => typeof x === 'string') : []
  const log = v.log
  const quoted = isObj(log) && typeof log.node === 'string' && typeof log.path === 'string' && Array.isArray(log.lines)
    ? {node: log.node, path: log.path, lines: log.lines.filter((x): x is string => typeof x === 'string')}
    : undefined
  return {code: v.code, message: v.message, exitCode, suggestions, ...(quoted ? {log: quoted} : {})}
}

export function deserializeError(e: SerializedError): MedicError {
  if (e.log) return new NodeFailedError(e.message, e.log, e.suggestions)
  return new MedicError(e.message, {code: e.code, exitCode: e.exitCode, suggestions: e.suggestions})
}

// ── the detached supervisor's report ────────────────────────────────────────────────────────────────────────────

/** What `medic dev up` returns once the cluster is ready. */
export interface UpResult {
  dir: string
  statePath: string
  mode: 'foreground' | 'detached'
  /** True when the nodes were joined by this start. */
  fresh: boolean
  elapsedMs: number
  basePort: number
  logFormat: LogFormat
  /** `--time-scale`: the nodes' lease, hinted-handoff, monitor and CQ timers run this many times faster (1: real time). */
  timeScale?: number
  leader: {name: string; httpAddr: string; raftAddr: string}
  nodes: DevNode[]
  /** The admin user's credentials when auth is on (the secrets stay in cluster.json). */
  auth: {username: string; password: string} | null
  supervisor: {pid: number; address: string; log: string}
}

export type SupervisorReport =
  | {type: 'progress'; message: string}
  | {type: 'ready'; result: UpResult}
  | {type: 'failed'; error: SerializedError}

const str = (v: unknown): v is string => typeof v === 'string'

function checkUpResult(v: unknown): Checked<UpResult> {
  if (!isObj(v)) return 'the result is not an object'
  const {dir, statePath, mode, fresh, elapsedMs, basePort, logFormat, leader, nodes, auth, supervisor} = v
  if (!str(dir) || !str(statePath) || (mode !== 'foreground' && mode !== 'detached') || typeof fresh !== 'boolean') return 'malformed result'
  if (typeof elapsedMs !== 'number' || typeof basePort !== 'number') return 'malformed result'
  const format = LOG_FORMATS.find((f) => f === logFormat)
  if (format === undefined) return 'unknown log format'
  if (!isObj(leader) || !str(leader.name) || !str(leader.httpAddr) || !str(leader.raftAddr)) return 'malformed leader'
  if (!isObj(supervisor) || typeof supervisor.pid !== 'number' || !str(supervisor.address) || !str(supervisor.log)) return 'malformed supervisor'
  let credentials: UpResult['auth'] = null
  if (auth !== null) {
    if (!isObj(auth) || !str(auth.username) || !str(auth.password)) return 'malformed credentials'
    credentials = {username: auth.username, password: auth.password}
  }
  const list: DevNode[] = []
  for (const n of Array.isArray(nodes) ? nodes : []) {
    const node = checkNode(n)
    if (typeof node === 'string') return node
    list.push(node)
  }
  return {
    dir, statePath, mode, fresh, elapsedMs, basePort, logFormat: format,
    timeScale: typeof v.timeScale === 'number' && Number.isInteger(v.timeScale) && v.timeScale >= 1 ? v.timeScale : 1,
    leader: {name: leader.name, httpAddr: leader.httpAddr, raftAddr: leader.raftAddr}, nodes: list, auth: credentials,
    supervisor: {pid: supervisor.pid, address: supervisor.address, log: supervisor.log},
  }
}

/** A report from the IPC channel, or why it is not one. */
export function parseReport(v: unknown): Checked<SupervisorReport> {
  if (!isObj(v)) return 'not an object'
  if (v.type === 'progress') return str(v.message) ? {type: 'progress', message: v.message} : 'malformed progress report'
  if (v.type === 'ready') {
    const result = checkUpResult(v.result)
    return typeof result === 'string' ? result : {type: 'ready', result}
  }
  if (v.type === 'failed') {
    const error = parseError(v.error)
    return error === undefined ? 'malformed failure report' : {type: 'failed', error}
  }
  return 'unknown report type'
}
