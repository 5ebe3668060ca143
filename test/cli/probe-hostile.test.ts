// Every probe command against every way a broken or compromised node can answer (test/helpers/hostile.ts): `status`,
// `status --file` (the hostile bodies saved to files), `ctl show` and `join diagnose`, each in human and --json mode.
// For each run: it ends within its deadline, exits 3 or 4 (never 0: nothing sound was seen; never 1 or 2: the node's
// answer is neither a bug in medic nor the operator's mistake), prints no stack trace, prints exactly one JSON
// document under --json, no raw control character in human output, and never suggests a command that holds a
// hostile value unquoted.
import {writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {shellQuote} from '../../src/util/text.js'
import {type CliResult, medic, tempDir} from '../helpers/cli.js'
import {EVIL, HOSTILE_MODES, type HostileMode, hostileServer, RAW_CONTROL} from '../helpers/hostile.js'
import {medicInProcess} from './inprocess.js'

const RUN_TIMEOUT = '2s'
const HTTP_TIMEOUT = '1s'
// In-process runs (no Node start-up to wait for, modules loaded by the warm-up below): the run's deadline plus a margin
// for a loaded, shared machine.
const WALL_LIMIT_MS = 2000 + 2500
// Child-process runs: plus medic's own start-up and exit (1-3 s there, more under load).
const CHILD_WALL_LIMIT_MS = 2000 + 20_000

const dir = tempDir('medic-hostile-')
const servers: Array<{close(): Promise<void>}> = []
afterAll(async () => {
  for (const s of servers.splice(0)) await s.close()
})

// Loads oclif's config and every module the three commands use (undici, zod, cli-table3, the TOML parsers), so that the
// first timed run measures the run, not the loading of medic into this test process.
beforeAll(async () => {
  const h = await hostileServer('html')
  servers.push(h)
  const conf = join(dir, 'warm.conf')
  writeFileSync(conf, 'hostname = "meta-1"\n')
  for (const args of [['status', h.addr], ['ctl', 'show', h.addr], ['join', 'diagnose', h.addr, '--config', conf, '--raft-port', String(h.port)]]) await medicInProcess(args)
}, 120_000)

/** The bytes a hostile server answers to GET /status (at most 2 MB, at most 3 s): what an operator would save. */
async function rawBody(port: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /status HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n'))
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      const all = Buffer.concat(chunks)
      const end = all.indexOf('\r\n\r\n')
      resolve(end < 0 ? all : all.subarray(end + 4))
    }
    const timer = setTimeout(done, 3000)
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      size += c.length
      if (size > 2 * 1024 * 1024) done()
    })
    socket.on('end', done)
    socket.on('error', done)
  })
}

/** Every suggested command or next step in a --json document. */
function suggestionsOf(doc: unknown): string[] {
  const out: string[] = []
  const walk = (x: unknown, key?: string) => {
    if (Array.isArray(x)) {
      for (const y of x) {
        if ((key === 'suggestions' || key === 'next') && typeof y === 'string') out.push(y)
        else walk(y)
      }
    } else if (typeof x === 'object' && x !== null) {
      for (const [k, v] of Object.entries(x)) walk(v, k)
    }
  }
  walk(doc)
  return out
}

/** Lines of human output that suggest something ("try:", "next:", "  * "). */
function suggestionLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*(?:try:|next:|\* )/.test(l))
}

function expectSafe(r: CliResult, ms: number, json: boolean, limitMs = WALL_LIMIT_MS): void {
  expect(ms).toBeLessThan(limitMs)
  expect([3, 4]).toContain(r.code)
  expect(r.stderr).not.toMatch(/\n\s+at \S+ \(/)
  expect(r.stdout + r.stderr).not.toMatch(/This is a bug in medic/)
  const evilValues = Object.values(EVIL)
  let suggestions: string[]
  if (json) {
    const doc = JSON.parse(r.stdout) as Record<string, unknown>
    expect(doc.exitCode).toBe(r.code)
    suggestions = suggestionsOf(doc)
  } else {
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL)
    suggestions = suggestionLines(r.stdout + r.stderr)
  }
  for (const s of suggestions) {
    expect(s).not.toMatch(RAW_CONTROL)
    for (const v of evilValues) {
      // a hostile value may only appear shell-quoted as one word
      expect(s.split(shellQuote(v)).join('')).not.toContain(v)
    }
    expect(s.split(shellQuote(EVIL.shell)).join('')).not.toContain('touch${IFS}pwned')
  }
}

async function timed(args: string[]): Promise<{r: CliResult; ms: number}> {
  const started = performance.now()
  const r = await medic(args, {timeoutMs: 60_000})
  return {r, ms: performance.now() - started}
}

const failure = (args: string[], json: boolean, r: CliResult, ms: number, err: unknown) =>
  new Error(`medic ${args.join(' ')}${json ? ' --json' : ''} (${Math.round(ms)} ms, exit ${r.code}): ${(err as Error).message}\nstdout: ${r.stdout.slice(0, 1500)}\nstderr: ${r.stderr.slice(0, 800)}`)

describe.each(HOSTILE_MODES.map((m) => [m]))('a hostile node: %s', (mode: HostileMode) => {
  it('status, status --file, ctl show and join diagnose stay safe, human and --json', async () => {
    const h = await hostileServer(mode)
    servers.push(h)
    const file = join(dir, `${mode}.json`)
    writeFileSync(file, await rawBody(h.port))
    const limits = ['--timeout', RUN_TIMEOUT, '--http-timeout', HTTP_TIMEOUT]
    const runs: string[][] = [
      ['status', h.addr, ...limits],
      ['status', '--file', file, '--timeout', RUN_TIMEOUT],
      ['ctl', 'show', h.addr, ...limits],
      ['join', 'diagnose', h.addr, '--raft-port', String(h.port), ...limits],
    ]
    for (const args of runs) {
      for (const json of [false, true]) {
        const a = json ? [...args, '--json'] : args
        const r = await medicInProcess(a)
        try {
          expectSafe(r, r.ms, json)
        } catch (err) {
          throw failure(args, json, r, r.ms, err)
        }
      }
    }
    // the redirect away from this machine was never followed
    if (mode === 'redirect-away') expect(h.requests.every((l) => l.startsWith('GET '))).toBe(true)
    await h.close()
  }, 120_000)
})

// The same checks through real processes (bin/run.js), for the modes that reach the most code: what a real process
// prints, its exit code, no stack trace.
describe.each(['control-chars'].map((m) => [m as HostileMode]))('a hostile node, real processes: %s', (mode) => {
  it('status, ctl show and join diagnose', async () => {
    const h = await hostileServer(mode)
    servers.push(h)
    const limits = ['--timeout', RUN_TIMEOUT, '--http-timeout', HTTP_TIMEOUT]
    for (const args of [['status', h.addr, ...limits], ['ctl', 'show', h.addr, ...limits], ['join', 'diagnose', h.addr, '--raft-port', String(h.port), ...limits]]) {
      for (const json of [false, true]) {
        const {r, ms} = await timed(json ? [...args, '--json'] : args)
        try {
          expectSafe(r, ms, json, CHILD_WALL_LIMIT_MS)
        } catch (err) {
          throw failure(args, json, r, ms, err)
        }
      }
    }
    await h.close()
  }, 300_000)
})
