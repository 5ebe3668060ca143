// Runs the built CLI (dist/, as bin/run.js does) inside the test process, with stdout and stderr captured: the same
// commands, formatters, output sinks and exit codes as a child process, without a Node start-up per run (1-3 s on a
// loaded 2-core machine). For suites that run the CLI hundreds of times; the child-process runs in test/helpers/cli.ts
// stay the reference for what a real process prints. Runs one at a time (the capture is process-wide).
import {run} from '@oclif/core'

import {ROOT} from '../helpers/cli.js'
import type {CliResult} from '../helpers/cli.js'

let busy: Promise<unknown> = Promise.resolve()

export function medicInProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult & {ms: number}> {
  const next = busy.then(() => once(args, env))
  busy = next.catch(() => {})
  return next
}

async function once(args: string[], env: Record<string, string | undefined>): Promise<CliResult & {ms: number}> {
  const out: string[] = []
  const err: string[] = []
  const writeOut = process.stdout.write.bind(process.stdout)
  const writeErr = process.stderr.write.bind(process.stderr)
  const saved: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries({NO_COLOR: '1', ...env})) {
    saved[k] = process.env[k]
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  process.exitCode = undefined
  const capture = (sink: string[]) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined
    cb?.()
    return true
  }) as typeof process.stdout.write
  process.stdout.write = capture(out)
  process.stderr.write = capture(err)
  const started = performance.now()
  let crashed: unknown
  try {
    await run(args, ROOT)
  } catch (error) {
    crashed = error
  } finally {
    process.stdout.write = writeOut
    process.stderr.write = writeErr
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  const ms = performance.now() - started
  const code = crashed === undefined ? Number(process.exitCode ?? 0) : 1
  process.exitCode = undefined
  if (crashed !== undefined) err.push(`CRASH: ${(crashed as Error)?.stack ?? String(crashed)}`)
  return {code, stdout: out.join(''), stderr: err.join(''), ms}
}
