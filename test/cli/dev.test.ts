// `medic dev ...` end to end against the real meta nodes (dist/devcluster/meta/main.js): a detached 3-node cluster in
// a temp folder on a random free base port; status; the leader killed, a new one elected, the old one started again;
// a node paused and resumed; its log; and `dev down --purge`, after which no process of the cluster survives.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {pidAlive, procState} from '../../src/devcluster/cluster/processes.js'
import {medic, oneJson} from '../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'

interface StatusNode {name: string; role: string; state: string; pid: number | null; httpAddr: string; raftAddr: string; leader: string | null; joined: boolean | null}
interface StatusDoc {exitCode: number; leader: {name: string} | null; agreed: boolean; supervisor: {pid: number; running: boolean} | null; nodes: StatusNode[]}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const gone = (pid: number) => !pidAlive(pid) || procState(pid) === 'Z'

describe('medic dev with real meta nodes', () => {
  it('a node stops cleanly on SIGTERM (exit 0, no SIGKILL needed), and so does the whole cluster', async () => {
    const t = tempClusterDir('medic-dev-real-')
    const dir = t.dir
    cleanups.push(async () => {
      if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '1s'])
      t.remove()
    })
    const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 60_000})
    expect((await dev('up', '--detach', '--data', '0', '--meta', '3', '--base-port', String(await freeBase(3)))).code).toBe(0)
    const stop = await dev('stop', 'meta-3', '--grace', '10s', '--json')
    expect(oneJson(stop.stdout)).toMatchObject({node: 'meta-3', exit: {code: 0, signal: null, requested: true}})
    const down = await dev('down', '--purge', '--grace', '10s', '--json')
    const stopped = (oneJson(down.stdout) as {stopped: Array<{name: string; exit: {code: number | null; signal: string | null}}>}).stopped
    expect(stopped.map((x) => [x.name, x.exit.code, x.exit.signal])).toEqual([['meta-1', 0, null], ['meta-2', 0, null]])
  }, 150_000)

  it('up --detach --meta 3, status, kill the leader, start it, pause/resume, logs, down --purge', async () => {
    const t = tempClusterDir('medic-dev-real-')
    const dir = t.dir
    cleanups.push(async () => {
      if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '1s'])
      t.remove()
    })
    const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 60_000})
    const status = async (): Promise<StatusDoc> => oneJson((await dev('status', '--json')).stdout) as unknown as StatusDoc

    const up = await dev('up', '--detach', '--data', '0', '--meta', '3', '--base-port', String(await freeBase(3)), '--json')
    expect(up.stderr).not.toContain('Error')
    expect(up.code).toBe(0)
    const ready = oneJson(up.stdout) as {leader: {name: string}; nodes: Array<{name: string; pid: number}>; supervisor: {pid: number}}
    expect(ready.nodes.map((n) => n.name)).toEqual(['meta-1', 'meta-2', 'meta-3'])
    const supervisorPid = ready.supervisor.pid
    const pids = new Set<number>([supervisorPid, ...ready.nodes.map((n) => n.pid)])

    let s = await status()
    expect(s.exitCode).toBe(0)
    expect(s.agreed).toBe(true)
    expect(s.nodes.filter((n) => n.role === 'leader')).toHaveLength(1)
    expect(s.nodes.filter((n) => n.role === 'follower')).toHaveLength(2)
    for (const n of s.nodes) {
      expect(n).toMatchObject({name: expect.stringMatching(/^meta-\d$/), pid: expect.any(Number), httpAddr: expect.stringMatching(/^127\.0\.0\.1:\d+$/), raftAddr: expect.stringMatching(/^127\.0\.0\.1:\d+$/), joined: true})
    }
    const leader = (s.leader as {name: string}).name

    // Kill the leader: it shows as down, and the two others elect a new leader between them.
    expect((await dev('kill', leader)).code).toBe(0)
    s = await until('a new leader among the survivors', async () => {
      const x = await status()
      return x.nodes.find((n) => n.name === leader)?.role === 'down' && x.agreed && x.leader?.name !== leader ? x : undefined
    }, 30_000)
    expect(s.exitCode).toBe(3)

    // Start it again: it rejoins as a follower and everyone agrees.
    const start = await dev('start', leader, '--json')
    expect(start.code).toBe(0)
    pids.add((oneJson(start.stdout) as {pid: number}).pid)
    s = await until('the old leader back and the cluster whole', async () => {
      const x = await status()
      return x.exitCode === 0 ? x : undefined
    }, 30_000)
    expect(s.nodes.find((n) => n.name === leader)?.role).toBe('follower')

    // Pause a follower: paused in status (exit 3); resume: whole again.
    const follower = s.nodes.find((n) => n.role === 'follower')?.name as string
    expect((await dev('pause', follower)).code).toBe(0)
    s = await status()
    expect(s.nodes.find((n) => n.name === follower)?.role).toBe('paused')
    expect(s.exitCode).toBe(3)
    expect((await dev('resume', follower)).code).toBe(0)
    await until('the resumed node back in the cluster', async () => ((await status()).exitCode === 0 ? true : undefined), 30_000)

    const logs = await dev('logs', leader)
    expect(logs.code).toBe(0)
    expect(logs.stdout.split('\n').length).toBeGreaterThan(3)
    expect(logs.stdout).toMatch(/^ts=\S+ lvl=\w+ msg=/m)

    const down = await dev('down', '--purge')
    expect(down.code).toBe(0)
    expect(existsSync(dir)).toBe(false)
    for (const pid of pids) expect(gone(pid), `pid ${pid} survived dev down`).toBe(true)
  }, 150_000)
})
