// `medic hh watch --url`, `hh wait --url` and `hh inspect --meta` against every way a broken or compromised node can
// answer (test/helpers/hostile.ts), and every hh command against an empty, a foreign and an unreadable directory,
// through the built CLI. Each run must finish within its deadline, exit 3 or 4 (never 0: nothing was shown to be
// fine), print no stack trace, print one JSON document (NDJSON lines for watch) under --json, and put no raw
// control character on an operator's terminal.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {type CliResult, medic, medicAsOther as runAs, tempDir} from '../helpers/cli.js'
import {writeQueue} from '../helpers/hh.js'
import {HOSTILE_MODES, hostileServer, RAW_CONTROL} from '../helpers/hostile.js'

const STACK = /^\s+at .+:\d+:\d+\)?$/m

interface Run {
  args: string[]
  /** The command's own deadline, ms (plus process start-up on a busy machine, allowed below). */
  deadlineMs: number
  json: 'one' | 'ndjson' | false
}

function check(run: Run, r: CliResult, tookMs: number): void {
  const what = `medic ${run.args.join(' ')}`
  expect([3, 4], `${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toContain(r.code)
  // The slack is process start-up on a shared 2-core machine (tens of seconds when it is busy); what this catches is
  // a run that waits on the server: without a deadline, a silent server holds it forever and the trickle (1 byte/s
  // of a 1 MB body) for eleven days.
  expect(tookMs, `${what} took ${tookMs} ms`).toBeLessThan(run.deadlineMs + 120_000)
  expect(r.stdout + r.stderr, what).not.toMatch(STACK)
  expect(r.stderr, what).not.toContain('internal error')
  if (run.json === 'one') {
    const doc = JSON.parse(r.stdout) as {schemaVersion: number; exitCode: number}
    expect(doc, what).toMatchObject({schemaVersion: 1, exitCode: r.code})
  } else if (run.json === 'ndjson') {
    const lines = r.stdout.trim().split('\n')
    for (const l of lines) expect((JSON.parse(l) as {schemaVersion: number}).schemaVersion, what).toBe(1)
    expect((JSON.parse(lines.at(-1)!) as {exitCode: number}).exitCode, what).toBe(r.code)
  } else {
    expect(r.stdout, what).not.toMatch(RAW_CONTROL)
    expect(r.stderr, what).not.toMatch(RAW_CONTROL)
  }
}

async function timed(run: Run): Promise<void> {
  const started = performance.now()
  const r = await medic(run.args, {timeoutMs: run.deadlineMs + 180_000})
  check(run, r, performance.now() - started)
}

describe.concurrent('hh commands against hostile nodes', () => {
  const dir = tempDir('medic-hh-hostile-')
  writeQueue(dir, '4', '12', [{blocks: ['cpu value=1 1\n']}])

  for (const mode of HOSTILE_MODES) {
    it(`--url / --meta answered by a "${mode}" server: exit 3 or 4, in time, no stack, clean output`, async () => {
      const server = await hostileServer(mode)
      try {
        const http = ['--http-timeout', '1s']
        const runs: Run[] = []
        for (const json of [false, true]) {
          const j = json ? ['--json'] : []
          runs.push(
            {args: ['hh', 'watch', '--url', server.addr, '--samples', '2', '--interval', '100ms', ...http, ...j], deadlineMs: 2_500, json: json ? 'ndjson' : false},
            {args: ['hh', 'wait', '--url', server.addr, '--timeout', '2s', '--interval', '200ms', ...http, ...j], deadlineMs: 2_000, json: json ? 'one' : false},
            {args: ['hh', 'inspect', dir, '--meta', server.addr, ...http, ...j], deadlineMs: 1_000, json: json ? 'one' : false},
          )
        }
        for (const run of runs) await timed(run)
        // Nothing was followed off this machine.
        expect(server.requests.every((l) => !l.includes('192.0.2.1'))).toBe(true)
      } finally {
        await server.close()
      }
    }, 600_000)
  }
})

describe.concurrent('hh commands never exit 0 on a directory that is not a readable hh directory', () => {
  const empty = tempDir('medic-hh-empty-')
  const foreign = tempDir('medic-hh-foreign-')
  writeFileSync(join(foreign, 'README.txt'), 'notes\n')
  writeFileSync(join(foreign, 'hosts'), '127.0.0.1 localhost\n')
  mkdirSync(join(foreign, 'backup'))
  const commands = (d: string): string[][] => [
    ['hh', 'inspect', d],
    ['hh', 'watch', d, '--samples', '2', '--interval', '100ms'],
    ['hh', 'wait', d, '--timeout', '2s', '--interval', '100ms'],
  ]

  for (const [label, d] of [['empty', empty], ['foreign', foreign]] as const) {
    it(`a ${label} directory: exit 4, "not an hh directory", for inspect, watch and wait (and under --json)`, async () => {
      await Promise.all(commands(d).flatMap((args) => [false, true].map(async (json) => {
        const r = await medic(json ? [...args, '--json'] : args, {timeoutMs: 180_000})
        expect(r.code, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(4)
        if (json) expect(JSON.parse(r.stdout)).toMatchObject({exitCode: 4, error: {code: 'not-an-hh-dir'}})
        else expect(r.stderr).toContain(`${d}: not an hh directory`)
      })))
    }, 600_000)
  }

  it('an unreadable directory: exit 4 for inspect, watch and wait (run as an unprivileged user when the suite is root)', async () => {
    const base = tempDir('medic-hh-unreadable-')
    chmodSync(base, 0o755)
    const d = join(base, 'hh')
    writeQueue(d, '4', '12', [{blocks: ['x']}])
    chmodSync(d, 0o000)
    const home = tempDir('medic-hh-home-')
    chmodSync(home, 0o777)
    try {
      await Promise.all(commands(d).map(async (args) => {
        const r = await runAs(args, home)
        expect(r.code, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(4)
        expect(r.stderr).toContain('permission denied')
      }))
    } finally {
      chmodSync(d, 0o700)
    }
  }, 600_000)
})
