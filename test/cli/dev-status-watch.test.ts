// `medic dev status --watch [INTERVAL]` end to end (issue 15): during a failover of a real three-node cluster, one
// NDJSON object per change with --json and one line per change when piped, ending on Ctrl-C with the exit code of the
// last round; redrawn in place on a terminal (a pseudo-terminal from script(1)); no cluster: exit 4 at once.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {withWatchDefault} from '../../src/cli/flags.js'
import {medic, oneJson, ROOT} from '../helpers/cli.js'
import {FAKE_META, freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function cluster(env: NodeJS.ProcessEnv = {}): string {
  const t = tempClusterDir('medic-dev-watch-')
  cleanups.push(async () => {
    if (existsSync(join(t.dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', t.dir, '--grace', '1s'], {env})
    t.remove()
  })
  return t.dir
}

function watcher(args: string[]): {child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null>} {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'dev', 'status', ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
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

interface StatusDoc {type: string; time?: string; exitCode?: number; rounds?: number; leader: {name: string} | null; agreed: boolean; nodes: Array<{name: string; role: string}>}

const docs = (text: string): StatusDoc[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as StatusDoc)

describe('--watch [INTERVAL]', () => {
  it('takes the interval only when one follows', () => {
    expect(withWatchDefault(['--watch'])).toEqual(['--watch', '2000ms'])
    expect(withWatchDefault(['-w', '500ms', '--json'])).toEqual(['-w', '500ms', '--json'])
    expect(withWatchDefault(['--watch', '--dir', 'x'])).toEqual(['--watch', '2000ms', '--dir', 'x'])
    expect(withWatchDefault(['--', '--watch'])).toEqual(['--', '--watch'])
    // A number without a unit is an interval missing its unit (refused by the flag), not an address.
    expect(withWatchDefault(['--watch', '5', 'meta-1'])).toEqual(['--watch', '5', 'meta-1'])
    expect(withWatchDefault(['-w', '1.5'])).toEqual(['-w', '1.5'])
    expect(withWatchDefault(['--watch', 'meta-1'])).toEqual(['--watch', '2000ms', 'meta-1'])
  })

  it('without a cluster: exit 4 at once, one JSON document', async () => {
    const dir = cluster()
    const r = await medic(['dev', 'status', '--watch', '--dir', dir, '--json'])
    expect(r.code).toBe(4)
    expect(oneJson(r.stdout)).toMatchObject({exitCode: 4, error: {code: 'cluster-not-found'}})
  })

  it('follows a failover: NDJSON and one line per change, Ctrl-C ends it with the last round\'s exit code', async () => {
    const dir = cluster()
    const up = await medic(['dev', 'up', '--detach', '--data', '0', '--meta', '3', '--dir', dir, '--base-port', String(await freeBase(3)), '--json'], {timeoutMs: 90_000})
    expect(up.code, up.stderr).toBe(0)
    const json = watcher(['--watch', '300ms', '--json', '--dir', dir])
    const lines = watcher(['-w', '300ms', '--dir', dir])
    const firstLeader = await until('an agreed leader in the stream', () => docs(json.stdout()).find((d) => d.agreed)?.leader?.name, 60_000)
    await until('the first line', () => lines.stdout().includes(`leader ${firstLeader}`), 30_000)
    expect((await medic(['dev', 'kill', firstLeader, '--dir', dir])).code).toBe(0)
    await until('a new leader agreed by the others', () => docs(json.stdout()).some((d) => d.agreed && d.leader?.name !== firstLeader), 60_000)
    await until('the new leader in the lines', () => /leader meta-\d; /.test(lines.stdout().split('\n').filter(Boolean).at(-1) ?? '') && !lines.stdout().trim().endsWith(`leader ${firstLeader}`), 30_000)
    json.child.kill('SIGINT')
    lines.child.kill('SIGINT')
    expect(await json.exited).toBe(3)
    expect(await lines.exited).toBe(3)

    const stream = docs(json.stdout())
    const statuses = stream.filter((d) => d.type === 'status')
    expect(stream.at(-1)).toMatchObject({type: 'summary', exitCode: 3})
    expect(stream.every((d) => (d as unknown as {schemaVersion: number}).schemaVersion === 1)).toBe(true)
    // One object per change: no two neighbours say the same thing.
    const said = statuses.map((d) => JSON.stringify([d.leader?.name, d.agreed, d.nodes.map((n) => n.role)]))
    for (let i = 1; i < said.length; i++) expect(said[i]).not.toBe(said[i - 1])
    expect(statuses.at(-1)?.nodes.find((n) => n.name === firstLeader)?.role).toBe('down')
    expect(statuses.length).toBeGreaterThanOrEqual(2)

    const text = lines.stdout().trim().split('\n')
    for (const l of text) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}(leader meta-\d|no agreed leader); meta-1 \w/)
    expect(text.length).toBeGreaterThanOrEqual(2)
    expect(lines.stderr()).toMatch(/Stopped after \d+ rounds \(\d+ changes shown\)\./)
  }, 180_000)

  it('redraws in place on a terminal', async () => {
    const env = {MEDIC_DEV_NODE_MAIN: FAKE_META}
    const dir = cluster(env)
    expect((await medic(['dev', 'up', '--detach', '--data', '0', '--meta', '2', '--dir', dir, '--base-port', String(await freeBase(2))], {env, timeoutMs: 60_000})).code).toBe(0)
    // A pseudo-terminal from Python's pty module: run the watch, wait for its third frame, then Ctrl-C (SIGINT).
    const driver = [
      'import os, pty, signal, sys, time',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execv(sys.argv[1], sys.argv[1:])',
      'out = b""',
      'deadline = time.time() + 60',
      'while out.count(b"medic dev status --dir") < 3 and time.time() < deadline:',
      '    try: out += os.read(fd, 65536)',
      '    except OSError: break',
      'os.kill(pid, signal.SIGINT)',
      'while True:',
      '    try:',
      '        chunk = os.read(fd, 65536)',
      '        if not chunk: break',
      '        out += chunk',
      '    except OSError: break',
      '_, status = os.waitpid(pid, 0)',
      'sys.stdout.buffer.write(out)',
      'sys.exit(os.waitstatus_to_exitcode(status))',
    ].join('\n')
    const r = spawnSync('python3', ['-c', driver, process.execPath, join(ROOT, 'bin', 'run.js'), 'dev', 'status', '--watch', '250ms', '--dir', dir], {
      cwd: ROOT, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', COLUMNS: '160', LINES: '50'}, timeout: 90_000,
    })
    if (r.error) {
      console.log(`skipped: no python3 for a pseudo-terminal (${r.error.message})`)
      return
    }
    expect(r.stdout.split('medic dev status --dir').length - 1).toBeGreaterThanOrEqual(3)
    // Every frame after the first starts by moving the cursor back up over the previous one and erasing it.
    expect(r.stdout).toMatch(/\u001b\[\d+A\r\u001b\[0J/)
    expect(r.stdout).toContain('Stopped after')
    expect(r.status).toBe(0)
  }, 120_000)
})
