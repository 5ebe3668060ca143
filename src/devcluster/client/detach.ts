/**
 * `medic dev up --detach`: starts the supervisor (supervisor/main.ts) as a process of its own session that outlives
 * the command, its output appended to supervisor.log, and waits on the IPC channel for its one verdict: the cluster is
 * ready (with the start-up result) or it failed (with the error, e.g. the node that died and its last log lines).
 */
import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'

import {inputError} from '../../errors.js'
import {supervisorEntry, supervisorLogPath} from '../cluster/paths.js'
import {deserializeError, parseReport, type UpResult} from '../supervisor/protocol.js'

export interface DetachOptions {
  clusterDir: string
  /** Passed to supervisor/main as --grace-ms. */
  graceMs?: number
  /** Progress lines while waiting (the command prints them on stderr). */
  onProgress?: (message: string) => void
  /** Gives up (and tells the supervisor to stop) after this long; default 60 s. */
  timeoutMs?: number
}

/**
 * Starts supervisor/main in its own session (it outlives this process), its output appended to supervisor.log, and
 * waits for it to report the cluster ready (resolves with its result) or failed (rejects with its error). The IPC
 * channel is then closed, so nothing ties this process to it any more.
 */
export async function startDetachedSupervisor(options: DetachOptions): Promise<UpResult> {
  const entry = supervisorEntry()
  const logPath = supervisorLogPath(options.clusterDir)
  const logFd = openSync(logPath, 'a', 0o600)
  const args = [...entry.args, '--dir', options.clusterDir]
  if (options.graceMs !== undefined) args.push('--grace-ms', String(options.graceMs))
  let child
  try {
    child = spawn(entry.command, args, {detached: true, stdio: ['ignore', logFd, logFd, 'ipc'], env: process.env})
  } finally {
    closeSync(logFd)
  }
  const timeoutMs = options.timeoutMs ?? 60_000
  return new Promise<UpResult>((resolve, reject) => {
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
      if (child.connected) child.disconnect()
      child.unref()
    }
    const timer = setTimeout(() => finish(() => {
      child.kill('SIGTERM')
      reject(inputError(`the dev cluster was not ready within ${Math.round(timeoutMs / 1000)} s; the supervisor was told to stop`, 'startup-timeout', [
        `its log: ${logPath}`,
      ]))
    }), timeoutMs)
    child.on('message', (message: unknown) => {
      const m = parseReport(message)
      if (typeof m === 'string') {
        finish(() => {
          child.kill('SIGTERM')
          reject(inputError(`the supervisor sent a report medic does not understand (${m}); it was told to stop`, 'supervisor-bad-answer', [`its log: ${logPath}`]))
        })
      } else if (m.type === 'progress') options.onProgress?.(m.message)
      else if (m.type === 'ready') finish(() => resolve(m.result))
      else finish(() => reject(deserializeError(m.error)))
    })
    child.on('error', (err) => finish(() => reject(inputError(`cannot start the supervisor: ${err.message}`, 'supervisor-spawn-failed', [], err))))
    child.on('exit', (code, signal) => finish(() => reject(inputError(
      `the supervisor exited before the cluster was ready (${signal ?? `exit code ${code}`})`, 'supervisor-died', [`its log: ${logPath}`]))))
  })
}
