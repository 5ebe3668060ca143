// `medic dev logs` end to end on a cluster folder whose state and logs are written by the test (no node needs to run):
// lines go through the output sinks (a client's control characters in a log line are printed escaped), -n reads
// the tail, -f follows without piling up listeners while the file is idle (it used to warn MaxListenersExceeded
// after a second), NDJSON with --json, Ctrl-C ends it with exit 0, and hints keep --dir.
import {type ChildProcess, spawn} from 'node:child_process'
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {type ClusterState, STATE_VERSION, writeState} from '../../src/devcluster/cluster/state.js'
import {medic, oneJson, ROOT} from '../helpers/cli.js'
import {tempFolder} from '../helpers/tmp.js'
import {until} from '../helpers/wait.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

const EVIL = 'ts=2026-12-07T00:00:00.000000Z lvl=info msg=weblog service=meta-http username="x\u001b]0;pwned\u0007\rforged"'

/** A cluster folder with cluster.json and meta-1's log, nothing running. */
async function folder(): Promise<{dir: string; log: string}> {
  const t = tempFolder('medic-dev-logs-')
  cleanups.push(t.remove)
  const dir = join(t.dir, 'my cluster')
  const nodeDir = join(dir, 'meta-1')
  mkdirSync(nodeDir, {recursive: true})
  const log = join(nodeDir, 'influxdb-meta.log')
  writeFileSync(log, ['first line', EVIL, 'third line'].join('\n') + '\n')
  const state: ClusterState = {
    version: STATE_VERSION, createdAt: '2026-12-07T00:00:00.000Z', updatedAt: '', dir, basePort: 18000, logFormat: 'logfmt', auth: null,
    joined: true, supervisor: null,
    nodes: [{
      name: 'meta-1', kind: 'meta', httpAddr: '127.0.0.1:18191', raftAddr: '127.0.0.1:18189', dir: nodeDir, configPath: join(nodeDir, 'influxdb-meta.conf'),
      logPath: log, pid: null, startedAt: null, exit: null, paused: false, lastSignal: null,
    }],
  }
  await writeState(dir, state)
  return {dir, log}
}

function follow(args: string[]): {child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null>} {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'dev', 'logs', ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  let out = ''
  let err = ''
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  return {child, stdout: () => out, stderr: () => err, exited}
}

describe('medic dev logs', () => {
  it('prints the log with control characters escaped, the tail with -n, and the raw lines in --json', async () => {
    const {dir} = await folder()
    const all = await medic(['dev', 'logs', 'meta-1', '--dir', dir])
    expect(all.code).toBe(0)
    expect(all.stdout).not.toMatch(/[\u0007\u001b\r]/)
    expect(all.stdout).toContain('username="x\\x1b]0;pwned\\x07\\rforged"')
    expect(all.stdout.split('\n').filter(Boolean)).toHaveLength(3)
    const tail = await medic(['dev', 'logs', 'meta-1', '-n', '1', '--dir', dir])
    expect(tail.stdout).toBe('third line\n')
    const json = await medic(['dev', 'logs', 'meta-1', '--json', '--dir', dir])
    expect(oneJson(json.stdout)).toMatchObject({command: 'dev logs', exitCode: 0, node: 'meta-1', lines: ['first line', EVIL, 'third line']})
  })

  it('an unknown node is a usage error whose hints keep --dir', async () => {
    const {dir} = await folder()
    const r = await medic(['dev', 'logs', 'meta-7', '--dir', dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`medic dev status --dir '${dir}'`)
    expect(r.stderr).toContain(`medic dev logs supervisor --dir '${dir}'`)
  })

  it('-f follows an idle file without piling up listeners, prints what is appended, and ends on Ctrl-C with exit 0', async () => {
    const {dir, log} = await folder()
    const f = follow(['meta-1', '-f', '--dir', dir])
    await until('the existing lines', () => f.stdout().includes('third line'))
    // Idle for longer than it took the old follower to pass Node's limit of 10 abort listeners (100 ms per poll).
    await new Promise((r) => setTimeout(r, 2_000))
    appendFileSync(log, `appended ${EVIL}\npartial`)
    await until('the appended line', () => f.stdout().includes('appended'))
    f.child.kill('SIGINT')
    expect(await f.exited).toBe(0)
    expect(f.stderr()).not.toContain('MaxListenersExceeded')
    expect(f.stderr()).toBe('')
    expect(f.stdout()).not.toMatch(/[\u0007\u001b\r]/)
    expect(f.stdout().trimEnd().split('\n').slice(-2)).toEqual(['appended ts=2026-12-07T00:00:00.000000Z lvl=info msg=weblog service=meta-http username="x\\x1b]0;pwned\\x07\\rforged"', 'partial'])
  })

  it('-f --json writes one NDJSON object per line', async () => {
    const {dir, log} = await folder()
    const f = follow(['meta-1', '-f', '--json', '--dir', dir])
    await until('the existing lines', () => f.stdout().split('\n').length > 3)
    appendFileSync(log, 'fourth line\n')
    await until('the appended line', () => f.stdout().includes('fourth line'))
    f.child.kill('SIGINT')
    expect(await f.exited).toBe(0)
    const docs = f.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(docs.map((d) => d.line)).toEqual(['first line', EVIL, 'third line', 'fourth line'])
    expect(docs.every((d) => d.schemaVersion === 1 && d.command === 'dev logs' && d.type === 'line' && d.node === 'meta-1')).toBe(true)
  })
})
