// `medic dev ...` end to end, the built CLI with stand-in meta nodes (MEDIC_DEV_NODE_MAIN=test/fixtures/dev/
// fake-meta.mjs): one detached cluster through every command, with exit codes and messages with and without --json.
// Start-up failures are in dev-errors.test.ts, the foreground mode in dev-foreground.test.ts, and the same commands
// against the real meta nodes in dev.test.ts.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {pidAlive, procState} from '../../src/devcluster/cluster/processes.js'
import {loadState} from '../../src/devcluster/cluster/state.js'
import {medic, oneJson} from '../helpers/cli.js'
import {FAKE_META, freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'

const ENV = {MEDIC_DEV_NODE_MAIN: FAKE_META}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A temp cluster folder; afterwards, whatever still runs there is stopped and the folder removed. */
function cluster(): string {
  const t = tempClusterDir('medic-cli-dev-')
  cleanups.push(async () => {
    if (existsSync(join(t.dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', t.dir, '--grace', '1s'], {env: ENV})
    t.remove()
  })
  return t.dir
}

const gone = (pid: number) => !pidAlive(pid) || procState(pid) === 'Z'

describe('medic dev: a detached cluster', () => {
  it('up, up again, stop, start, kill, pause, resume, logs, down, down --purge', async () => {
    const dir = cluster()
    const up = await medic(['dev', 'up', '--detach', '--data', '0', '--dir', dir, '--base-port', String(await freeBase())], {env: ENV})
    expect(up.code).toBe(0)
    expect(up.stdout).toMatch(/^Dev cluster ready: 3 meta nodes, leader meta-1 \(127\.0\.0\.1:\d+\), in [\d.]+ s \(new: joined with add-meta\)$/m)
    expect(up.stdout).toContain(join(dir, 'meta-2', 'influxdb-meta.conf'))
    expect(up.stdout).toContain(join(dir, 'meta-3', 'influxdb-meta.log'))
    expect(up.stdout).toContain(`medic dev kill meta-1 --dir ${dir}`)
    expect(up.stderr).toContain('add-meta on meta-1 added meta-1, meta-2, meta-3')
    const supPid = (await loadState(dir)).supervisor?.pid as number
    cleanups.push(() => {
      if (!gone(supPid)) process.kill(supPid, 'SIGKILL')
    })

    const again = await medic(['dev', 'up', '--dir', dir, '--json'], {env: ENV})
    expect(again.code).toBe(2)
    expect(oneJson(again.stdout)).toMatchObject({error: {code: 'cluster-running'}})

    const unknown = await medic(['dev', 'stop', 'meta-9', '--dir', dir])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no node "meta-9" in this dev cluster; its nodes are meta-1, meta-2, meta-3')

    const stop = await medic(['dev', 'stop', 'meta-2', '--dir', dir, '--json'])
    expect(stop.code).toBe(0)
    expect(oneJson(stop.stdout)).toMatchObject({node: 'meta-2', exit: {code: 0, signal: null, requested: true}, alreadyStopped: false})
    const down1 = await medic(['dev', 'status', '--dir', dir, '--json'])
    expect(down1.code).toBe(3)
    const doc = oneJson(down1.stdout) as {nodes: Array<Record<string, unknown>>}
    expect(doc.nodes.map((n) => [n.name, n.role])).toEqual([['meta-1', 'leader'], ['meta-2', 'down'], ['meta-3', 'follower']])
    for (const n of doc.nodes) expect(Object.keys(n)).toEqual(expect.arrayContaining(['name', 'pid', 'httpAddr', 'raftAddr']))
    const start = await medic(['dev', 'start', 'meta-2', '--dir', dir])
    expect(start.code).toBe(0)
    expect(start.stdout).toMatch(/^meta-2 started: pid \d+/)

    const kill = await medic(['dev', 'kill', 'meta-3', '--dir', dir])
    expect(kill.code).toBe(0)
    expect(kill.stdout).toContain('meta-3 killed (SIGKILL to pid')
    const human = await until('the supervisor to record the kill', async () => {
      const r = await medic(['dev', 'status', '--dir', dir])
      return r.stdout.includes('killed by SIGKILL') ? r : undefined
    })
    expect(human.code).toBe(3)
    expect(human.stdout).toMatch(/^meta-3\s+down\s+down\s+-/m)

    const pause = await medic(['dev', 'pause', 'meta-1', '--dir', dir, '--json'])
    expect(oneJson(pause.stdout)).toMatchObject({node: 'meta-1', action: 'pause', signal: 'SIGSTOP', changed: true, state: 'paused'})
    const paused = await medic(['dev', 'status', '--dir', dir])
    expect(paused.stdout).toMatch(/^meta-1\s+paused\s+paused\s+\d+/m)
    const resume = await medic(['dev', 'resume', 'meta-1', '--dir', dir])
    expect(resume.code).toBe(0)
    expect(resume.stdout).toMatch(/^meta-1 resumed \(SIGCONT to pid \d+\)\.$/m)

    const logs = await medic(['dev', 'logs', 'meta-1', '--dir', dir, '-n', '2', '--json'])
    expect(oneJson(logs.stdout)).toMatchObject({node: 'meta-1', path: join(dir, 'meta-1', 'influxdb-meta.log'), lines: [expect.any(String), expect.any(String)]})
    const supLog = await medic(['dev', 'logs', 'supervisor', '--dir', dir])
    expect(supLog.stdout).toMatch(/msg="Supervisor started".*mode=detached/)
    expect(supLog.stdout).toMatch(/msg="Node exited".*node=meta-3.*signal=SIGKILL/)

    const pids = (await loadState(dir)).nodes.map((n) => n.pid).filter((p): p is number => p !== null)
    const down = await medic(['dev', 'down', '--dir', dir])
    expect(down.code).toBe(0)
    expect(down.stdout).toMatch(/^Stopped the dev cluster in .*: meta-1 \(exit code 0\), meta-2 \(exit code 0\); supervisor pid \d+ exited\.$/m)
    expect([supPid, ...pids].every(gone)).toBe(true)
    const notRunning = await medic(['dev', 'start', 'meta-1', '--dir', dir, '--json'])
    expect(notRunning.code).toBe(4)
    expect(oneJson(notRunning.stdout)).toMatchObject({error: {code: 'supervisor-not-running'}})
    const purge = await medic(['dev', 'down', '--purge', '--dir', dir, '--json'])
    expect(purge.code).toBe(0)
    expect(oneJson(purge.stdout)).toMatchObject({wasRunning: false, purged: true, leftBehind: []})
    expect(existsSync(dir)).toBe(false)
  }, 150_000)
})
