/**
 * The dev cluster's processes seen from outside: whether a recorded pid is still the process medic started (on Linux,
 * /proc/<pid>/cmdline must name the node's config file, so a recycled pid is never signalled), whether it is paused
 * (/proc/<pid>/stat state T), signalling it, and the one stop sequence every stop goes through:
 *
 *   SIGCONT (a paused process acts on nothing else) -> SIGTERM -> up to `graceMs` to exit -> SIGKILL
 *
 * used by the supervisor for its children, by `medic dev down` for a supervisor that does not exit and for nodes left
 * without one, and by `medic dev up` for strays of a supervisor that died.
 */
import {readFileSync} from 'node:fs'

import type {DevNode} from './state.js'

/** True when a process with this pid exists (it may belong to someone else: see nodeProcess). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return typeof err === 'object' && err !== null && 'code' in err && err.code === 'EPERM'
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

/** Sends `signal` to a pid; false when there is no such process. */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ESRCH') return false
    throw err
  }
}

/** Sends `signal` to the node's process if it is still the node; false when it is gone. */
export function signalNode(node: Pick<DevNode, 'pid' | 'configPath'>, signal: NodeJS.Signals): boolean {
  if (nodeProcess(node) === 'gone' || node.pid === null) return false
  return signalPid(node.pid, signal)
}

/** Something the stop sequence can stop: a child process of ours, or a pid found in cluster.json. */
export interface Stoppable {
  /** Sends a signal; a process that is already gone is no error. */
  signal(signal: NodeJS.Signals): void
  gone(): boolean
  /** Resolves when the process has ended, when that can be known (a child process); otherwise gone() is polled. */
  exited?: Promise<unknown>
}

export interface StopOptions<T> {
  /** SIGTERM to SIGKILL; 0 sends SIGKILL at once. */
  graceMs: number
  /** How long to wait for SIGKILL to take effect (default 5 s). */
  killWaitMs?: number
  /** Called for each target still running when the grace period ends, just before its SIGKILL. */
  onKill?: (target: T) => void
}

const POLL_MS = 20

/** Resolves true once every target is gone, false when `ms` pass first. */
export async function waitGone(targets: readonly Stoppable[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    const pending = targets.filter((t) => !t.gone())
    if (pending.length === 0) return true
    const left = deadline - Date.now()
    if (left <= 0) return false
    const exits = pending.every((t) => t.exited !== undefined) ? Promise.all(pending.map((t) => t.exited)) : undefined
    let timer: NodeJS.Timeout | undefined
    await Promise.race([exits, new Promise((r) => (timer = setTimeout(r, exits ? left : Math.min(POLL_MS, left))))].filter(Boolean))
    clearTimeout(timer)
  }
}

/**
 * The one stop sequence, for several processes at once: SIGCONT and SIGTERM to each (SIGKILL when graceMs is 0),
 * up to graceMs for them to exit, then SIGKILL to those still running. Resolves true when every target is gone.
 */
export async function stopProcesses<T extends Stoppable>(targets: readonly T[], options: StopOptions<T>): Promise<boolean> {
  const running = targets.filter((t) => !t.gone())
  if (running.length === 0) return true
  for (const t of running) {
    t.signal('SIGCONT')
    t.signal(options.graceMs > 0 ? 'SIGTERM' : 'SIGKILL')
  }
  if (options.graceMs > 0 && (await waitGone(running, options.graceMs))) return true
  for (const t of running) {
    if (t.gone()) continue
    options.onKill?.(t)
    t.signal('SIGKILL')
  }
  return waitGone(running, options.killWaitMs ?? 5_000)
}

/** A process known only by its pid (a detached supervisor). */
export function pidTarget(pid: number): Stoppable {
  return {
    signal: (s) => void signalPid(pid, s),
    gone: () => !pidAlive(pid),
  }
}

/** A node recorded in cluster.json, checked to still be that node before each signal. */
export function nodeTarget(node: Pick<DevNode, 'pid' | 'configPath' | 'name'>): Stoppable & {name: string} {
  return {
    name: node.name,
    signal: (s) => void signalNode(node, s),
    gone: () => nodeProcess(node) === 'gone',
  }
}

/**
 * Stops node processes recorded in the state that still run without their supervisor (a node paused when its
 * supervisor died cannot notice its lifeline until it runs again). Returns the names of the nodes it stopped.
 */
export async function stopStrayNodes(nodes: readonly DevNode[], graceMs: number): Promise<string[]> {
  const alive = nodes.filter((n) => nodeProcess(n) !== 'gone').map(nodeTarget)
  await stopProcesses(alive, {graceMs})
  return alive.map((t) => t.name)
}
