// The dev-cluster supervisor against real child processes: stand-in meta nodes (test/fixtures/dev/fake-meta.mjs) that
// keep the node contract (lifeline on fd 3, exit 0 on SIGTERM, /ping, /status, add-meta), real files in temp dirs,
// real loopback ports. Covers the happy path and the failure modes: a node that dies at start-up, one that ignores
// SIGTERM, a paused node, a port in use, and a supervisor killed with SIGKILL.
import {readFileSync, statSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {checkConfigs} from '../../../src/config/check.js'
import {control} from '../../../src/devcluster/client/control.js'
import {startDetachedSupervisor} from '../../../src/devcluster/client/detach.js'
import {clusterStatus, statusExitCode} from '../../../src/devcluster/client/status.js'
import {metaPorts} from '../../../src/devcluster/cluster/ports.js'
import {nodeProcess, pidAlive, procState} from '../../../src/devcluster/cluster/processes.js'
import {type ClusterState, loadState, redactState} from '../../../src/devcluster/cluster/state.js'
import {prepareCluster} from '../../../src/devcluster/supervisor/prepare.js'
import {NodeFailedError, type UpResult} from '../../../src/devcluster/supervisor/protocol.js'
import type {MedicError} from '../../../src/errors.js'
import {type NodeLauncher, Supervisor} from '../../../src/devcluster/supervisor/supervisor.js'
import {FAKE_META, freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'
import {httpCall} from '../../helpers/http.js'

const FAKE = FAKE_META

/** Runs the stand-in node with the same arguments the real one gets; `env` picks its faults. */
function fakeLauncher(env: NodeJS.ProcessEnv = {}): NodeLauncher {
  return (node) => ({command: process.execPath, args: [FAKE, '-config', node.configPath], env})
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function tempCluster(): string {
  const t = tempClusterDir('medic-sup-')
  cleanups.push(t.remove)
  return t.dir
}

async function startSupervisor(dir: string, options: {env?: NodeJS.ProcessEnv; graceMs?: number; meta?: number; auth?: boolean} = {}): Promise<{sup: Supervisor; result: UpResult; prepared: ClusterState}> {
  const basePort = await freeBase(options.meta ?? 3)
  const prepared = await prepareCluster({clusterDir: dir, data: 0, meta: options.meta ?? 3, basePort, auth: options.auth})
  const sup = new Supervisor({clusterDir: dir, mode: 'foreground', launcher: fakeLauncher(options.env), graceMs: options.graceMs ?? 3_000})
  cleanups.push(() => sup.shutdown('test cleanup', 200))
  await sup.open()
  const result = await sup.bringUp()
  return {sup, result, prepared: prepared.state}
}

function allGone(state: ClusterState, pids: number[]): boolean {
  return pids.every((p) => !pidAlive(p) || procState(p) === 'Z') && state.nodes.every((n) => nodeProcess(n) === 'gone')
}

describe('Supervisor', () => {
  it('starts, joins and watches three nodes, records them in cluster.json, and stops them cleanly', async () => {
    const dir = tempCluster()
    const {sup, result} = await startSupervisor(dir, {env: {FAKE_META_BUSY_ONCE: '1'}})
    expect(result.leader.name).toBe('meta-1')
    expect(result.nodes.map((n) => n.name)).toEqual(['meta-1', 'meta-2', 'meta-3'])
    expect(result.fresh).toBe(true)

    const state = await loadState(dir)
    expect(state.joined).toBe(true)
    expect(state.supervisor).toMatchObject({pid: process.pid, mode: 'foreground'})
    expect(statSync(join(dir, 'cluster.json')).mode & 0o777).toBe(0o600)
    for (const n of state.nodes) {
      expect(n.pid).toBeGreaterThan(0)
      expect(nodeProcess(n)).toBe('running')
      expect(readFileSync(n.logPath, 'utf8')).toContain('InfluxDB Meta starting')
    }

    // The generated configs pass `medic config check` (info findings only about the dev cluster's choices).
    const report = await checkConfigs(state.nodes.map((n) => n.configPath))
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([])
    expect(report.verdict).toBe('ok')

    const status = await clusterStatus(state)
    expect(status.nodes.map((n) => [n.name, n.role, n.leader, n.joined])).toEqual([
      ['meta-1', 'leader', 'meta-1', true], ['meta-2', 'follower', 'meta-1', true], ['meta-3', 'follower', 'meta-1', true],
    ])
    expect(statusExitCode(status)).toBe(0)

    // stop and start one node through the control server, as `medic dev stop|start` do.
    const stopped = await control(state, 'stop', {node: 'meta-2'})
    expect(stopped.exit).toMatchObject({code: 0, requested: true})
    const after = await clusterStatus(await loadState(dir))
    expect(after.nodes[1]).toMatchObject({name: 'meta-2', role: 'down', state: 'down', exit: {code: 0, signal: null}})
    expect(statusExitCode(after)).toBe(3)
    const restarted = await control(state, 'start', {node: 'meta-2'})
    expect(restarted.alreadyRunning).toBe(false)
    expect(pidAlive(restarted.node.pid ?? -1)).toBe(true)
    await expect(control(state, 'start', {node: 'meta-9'})).rejects.toMatchObject({exitCode: 2, code: 'unknown-node', message: expect.stringContaining('meta-1, meta-2, meta-3')})

    const pids = (await loadState(dir)).nodes.map((n) => n.pid as number)
    await sup.shutdown('test')
    const end = await loadState(dir)
    expect(end.supervisor).toBeNull()
    expect(end.nodes.every((n) => n.pid === null && n.exit?.requested === true && n.exit.code === 0)).toBe(true)
    expect(allGone(end, pids)).toBe(true)
  })

  it('with auth: signs its calls with the shared secret, creates the admin user once, and never shows the secrets', async () => {
    const dir = tempCluster()
    const {result} = await startSupervisor(dir, {auth: true})
    expect(result.auth).toEqual({username: 'admin', password: expect.stringMatching(/^[\w-]{20}$/)})
    const state = await loadState(dir)
    const auth = state.auth as NonNullable<ClusterState['auth']>
    expect(auth.userCreated).toBe(true)
    expect(statSync(state.nodes[0].configPath).mode & 0o777).toBe(0o600)
    expect(readFileSync(state.nodes[0].configPath, 'utf8')).toContain('auth-enabled = true')
    // The stand-in node refuses unsigned calls, so an agreed leader proves the probes sign theirs.
    expect((await httpCall(state.nodes[0].httpAddr, 'GET', '/status')).status).toBe(401)
    const status = await clusterStatus(state)
    expect(status.agreed).toBe(true)
    expect(status.auth).toEqual({enabled: true, username: 'admin'})
    for (const secret of [auth.sharedSecret, auth.internalSharedSecret, auth.password, state.supervisor?.token as string]) {
      expect(JSON.stringify(status)).not.toContain(secret)
      expect(JSON.stringify(redactState(state))).not.toContain(secret)
    }
  })

  it('a restarted cluster is not joined again, and keeps its ports', async () => {
    const dir = tempCluster()
    const first = await startSupervisor(dir, {meta: 1})
    await first.sup.shutdown('test')
    const again = await prepareCluster({clusterDir: dir})
    expect(again.fresh).toBe(false)
    expect(again.state.basePort).toBe(first.prepared.basePort)
    expect(again.state.nodes.map((n) => n.name)).toEqual(['meta-1'])
    const sup = new Supervisor({clusterDir: dir, mode: 'foreground', launcher: fakeLauncher()})
    cleanups.push(() => sup.shutdown('cleanup', 200))
    await sup.open()
    const r = await sup.bringUp()
    expect(r.fresh).toBe(false)
    expect(readFileSync(r.nodes[0].logPath, 'utf8').match(/Bootstrapped/g)).toHaveLength(1)
    await expect(prepareCluster({clusterDir: dir, data: 0, meta: 3})).rejects.toMatchObject({exitCode: 2, code: 'cluster-running'})
    await sup.shutdown('test')
    await expect(prepareCluster({clusterDir: dir, data: 0, meta: 3})).rejects.toMatchObject({exitCode: 2, code: 'cluster-shape-changed'})
  })

  it('fails fast when a node exits during start-up, naming it and quoting its last log lines', async () => {
    const dir = tempCluster()
    await prepareCluster({clusterDir: dir, data: 0, meta: 3, basePort: await freeBase()})
    const sup = new Supervisor({clusterDir: dir, mode: 'foreground', launcher: fakeLauncher({FAKE_META_FAIL: 'meta-2'})})
    cleanups.push(() => sup.shutdown('cleanup', 200))
    await sup.open()
    const err = await sup.bringUp().then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(NodeFailedError)
    const e = err as NodeFailedError
    expect(e).toMatchObject({exitCode: 3, code: 'node-failed'})
    expect(e.message).toMatch(/^meta-2 exited during start-up \(exit code 1\); the last lines of .*meta-2\/influxdb-meta\.log:$/)
    expect(e.log.node).toBe('meta-2')
    expect(e.log.lines.join('\n')).toContain('Opening raft store')
    expect(e.log.lines.at(-1)).toContain('bind: address already in use')
    expect(e.suggestions[0]).toContain('medic dev logs meta-2')
    await sup.shutdown('start-up failed')
    const state = await loadState(dir)
    expect(state.joined).toBe(false)
    expect(state.nodes.every((n) => nodeProcess(n) === 'gone')).toBe(true)
  })

  it('SIGKILLs a node that ignores SIGTERM once the grace period is over', async () => {
    const dir = tempCluster()
    const {sup} = await startSupervisor(dir, {meta: 1, graceMs: 300, env: {FAKE_META_IGNORE_TERM: 'meta-1'}})
    const r = await sup.stopNode('meta-1')
    expect(r.exit).toMatchObject({code: null, signal: 'SIGKILL', requested: true})
    expect(readFileSync(r.node.logPath, 'utf8')).toContain('Ignoring SIGTERM')
    expect(readFileSync(join(dir, 'supervisor.log'), 'utf8')).toMatch(/msg="Node ignored SIGTERM, killing it".*node=meta-1/)
  })

  it('stops a paused node: SIGCONT comes before SIGTERM, and the exit is clean', async () => {
    const dir = tempCluster()
    const {sup} = await startSupervisor(dir, {meta: 1})
    const node = (await loadState(dir)).nodes[0]
    process.kill(node.pid as number, 'SIGSTOP')
    await until('the node to be paused', () => nodeProcess(node) === 'paused')
    const status = await clusterStatus(await loadState(dir))
    expect(status.nodes[0]).toMatchObject({role: 'paused', state: 'paused'})
    expect(statusExitCode(status)).toBe(3)
    const r = await sup.stopNode('meta-1')
    expect(r.exit).toMatchObject({code: 0, signal: null})
  })

  it('refuses a port in use, naming the port and the node and suggesting --base-port', async () => {
    const dir = tempCluster()
    const base = await freeBase()
    const blocker: Server = createServer()
    await new Promise<void>((r) => blocker.listen(metaPorts(base, 2).raft, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())))
    const err = await prepareCluster({clusterDir: dir, data: 0, meta: 3, basePort: base}).then(() => undefined, (e: unknown) => e) as MedicError
    expect(err).toMatchObject({exitCode: 2, code: 'port-in-use'})
    expect(err.message).toBe(`port ${metaPorts(base, 2).raft} (meta-2 Raft) is already in use on 127.0.0.1`)
    expect(err.suggestions[0]).toMatch(/--base-port \d+/)
  })

  it('refuses a folder that holds other files', async () => {
    const dir = tempCluster()
    const {mkdirSync, writeFileSync} = await import('node:fs')
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'notes.txt'), 'mine')
    const err = await prepareCluster({clusterDir: dir, data: 0, meta: 1, basePort: await freeBase(1)}).then(() => undefined, (e: unknown) => e as MedicError)
    expect(err).toMatchObject({exitCode: 2, code: 'dir-not-empty'})
    // The hint is a command that works when pasted (no <placeholder>).
    expect(err?.suggestions[0]).toContain(`medic dev up --dir ${join(dir, 'dev-cluster')}`)
  })
})

describe('the detached supervisor', () => {
  it('reports ready over IPC, takes control calls, and its nodes die with it when it is SIGKILLed', async () => {
    const dir = tempCluster()
    await prepareCluster({clusterDir: dir, data: 0, meta: 3, basePort: await freeBase()})
    const saved = process.env.MEDIC_DEV_NODE_MAIN
    process.env.MEDIC_DEV_NODE_MAIN = FAKE
    let result: UpResult
    try {
      result = await startDetachedSupervisor({clusterDir: dir})
    } finally {
      if (saved === undefined) delete process.env.MEDIC_DEV_NODE_MAIN
      else process.env.MEDIC_DEV_NODE_MAIN = saved
    }
    const state = await loadState(dir)
    const supPid = state.supervisor?.pid as number
    cleanups.push(() => {
      if (pidAlive(supPid)) process.kill(supPid, 'SIGKILL')
    })
    expect(result.mode).toBe('detached')
    expect(result.leader.name).toBe('meta-1')
    expect(supPid).not.toBe(process.pid)
    expect(await control(state, 'ping', {})).toMatchObject({pid: supPid, phase: 'running'})

    const pids = state.nodes.map((n) => n.pid as number)
    expect(pids.every((p) => pidAlive(p))).toBe(true)
    process.kill(supPid, 'SIGKILL')
    await until('every node to exit after its supervisor was killed', () => allGone(state, [supPid, ...pids]))
  })

  it('stops every node and itself when its cluster folder is removed under it', async () => {
    const t = tempClusterDir('medic-sup-gone-')
    cleanups.push(t.remove)
    const prepared = await prepareCluster({clusterDir: t.dir, data: 0, meta: 1, basePort: await freeBase(1)})
    const sup = new Supervisor({clusterDir: t.dir, mode: 'foreground', launcher: fakeLauncher(), graceMs: 2_000, folderCheckMs: 50})
    cleanups.push(() => sup.shutdown('test cleanup', 200))
    await sup.open()
    await prepared.release()
    await sup.bringUp()
    const state = await loadState(t.dir)
    const pids = state.nodes.map((n) => n.pid as number)
    expect(pids.every((p) => pidAlive(p))).toBe(true)
    t.remove()
    await until('the supervisor to stop after its folder was removed', async () => {
      await Promise.race([sup.done, new Promise((r) => setTimeout(r, 100))])
      return sup.running().length === 0 && pids.every((p) => !pidAlive(p) || procState(p) === 'Z')
    })
    await sup.done
  })

  it('reports a failed start with the node\'s last lines, and leaves nothing running', async () => {
    const dir = tempCluster()
    await prepareCluster({clusterDir: dir, data: 0, meta: 3, basePort: await freeBase()})
    const saved = {...process.env}
    Object.assign(process.env, {MEDIC_DEV_NODE_MAIN: FAKE, FAKE_META_FAIL: 'meta-3'})
    let err: unknown
    try {
      await startDetachedSupervisor({clusterDir: dir})
    } catch (e) {
      err = e
    } finally {
      delete process.env.MEDIC_DEV_NODE_MAIN
      delete process.env.FAKE_META_FAIL
      Object.assign(process.env, saved)
    }
    expect(err).toBeInstanceOf(NodeFailedError)
    expect(err).toMatchObject({exitCode: 3, code: 'node-failed', log: {node: 'meta-3'}})
    expect((err as NodeFailedError).message).toContain('meta-3 exited during start-up')
    expect((err as NodeFailedError).log.lines.join('\n')).toContain('bind: address already in use')
    const state = await loadState(dir)
    await until('the supervisor to clear itself', async () => (await loadState(dir)).supervisor === null)
    expect(state.nodes.every((n) => nodeProcess(n) === 'gone')).toBe(true)
  })

  it('goes down on request through the control server', async () => {
    const dir = tempCluster()
    await prepareCluster({clusterDir: dir, data: 0, meta: 1, basePort: await freeBase(1)})
    process.env.MEDIC_DEV_NODE_MAIN = FAKE
    try {
      await startDetachedSupervisor({clusterDir: dir})
    } finally {
      delete process.env.MEDIC_DEV_NODE_MAIN
    }
    const state = await loadState(dir)
    const supPid = state.supervisor?.pid as number
    cleanups.push(() => {
      if (pidAlive(supPid)) process.kill(supPid, 'SIGKILL')
    })
    const down = await control(state, 'down', {})
    expect(down.stopped).toEqual([{name: 'meta-1', exit: expect.objectContaining({code: 0, requested: true})}])
    await until('the supervisor to exit', () => !pidAlive(supPid) || procState(supPid) === 'Z')
    expect((await loadState(dir)).supervisor).toBeNull()
  })
})
