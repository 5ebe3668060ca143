// The SIGKILL crash harness: runs a child script (TypeScript, through tsx) that reports on stdout, line by line, what
// it has made durable, and kills it with SIGKILL at a moment chosen from those lines (a condition, never a fixed
// sleep). The caller then checks that everything reported survived. Shared by the Raft storage and hh queue tests.
import {type ChildProcess, spawn} from 'node:child_process'

import {ROOT} from './cli.js'

export interface CrashRound {
  /** The child script and its arguments (run as `node --import tsx script ...args` from the repository root). */
  script: string
  args: string[]
  /** Gives up (and kills the child) after this long; default 20 s. */
  deadlineMs?: number
  /**
   * Called for each complete line the child prints, also for lines that arrive after the kill. Return true to SIGKILL
   * it now; throw to fail the round (the line is not what the protocol allows).
   */
  onLine: (line: string) => boolean | void
  /** What the round waited for, for the timeout message ("30 saves (saw 12)"). */
  progress?: () => string
}

/** Resolves once the child was killed by the round's own SIGKILL; rejects when it exits by itself or times out. */
export function runUntilKilled(round: CrashRound): Promise<void> {
  const deadlineMs = round.deadlineMs ?? 20_000
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', round.script, ...round.args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let killed = false
    let failed = false
    let pending = ''
    let stderr = ''
    const fail = (err: Error) => {
      if (failed) return
      failed = true
      child.kill('SIGKILL')
      reject(err)
    }
    const timer = setTimeout(() => fail(new Error(`the child was not killed within ${deadlineMs} ms (waiting for ${round.progress?.() ?? 'its trigger'}); stderr: ${stderr}`)), deadlineMs)
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n')
      pending = lines.pop() ?? ''
      // Every line is read, also after the kill: what the child printed before it died was made durable.
      for (const line of lines) {
        if (failed) return
        let kill: boolean | void
        try {
          kill = round.onLine(line)
        } catch (err) {
          fail(new Error(`child: ${(err as Error).message}; stderr: ${stderr}`))
          return
        }
        if (kill && !killed) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (failed) return
      if (signal === 'SIGKILL' && killed) resolve()
      else reject(new Error(`the child exited on its own (code ${code}, signal ${signal}); stderr: ${stderr}`))
    })
  })
}
