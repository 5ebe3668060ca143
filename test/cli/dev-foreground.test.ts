// `medic dev up` in the foreground, the built CLI with stand-in meta nodes (MEDIC_DEV_NODE_MAIN): the banner (or,
// with --json, the ready document) as soon as the cluster is ready, then Ctrl-C, or `medic dev down` from another
// process, stops every node and the command exits 0.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {pidAlive, procState} from '../../src/devcluster/cluster/processes.js'
import {loadState} from '../../src/devcluster/cluster/state.js'
import {medic, ROOT} from '../helpers/cli.js'
import {FAKE_META, freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'

const ENV = {MEDIC_DEV_NODE_MAIN: FAKE_META}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function cluster(): string {
  const t = tempClusterDir('medic-cli-fg-')
  cleanups.push(async () => {
    if (existsSync(join(t.dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', t.dir, '--grace', '1s'], {env: ENV})
    t.remove()
  })
  return t.dir
}

const gone = (pid: number) => !pidAlive(pid) || procState(pid) === 'Z'

describe('medic dev up in the foreground', () => {
  function runUp(args: string[]): {stdout: () => string; stderr: () => string; exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void} {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'dev', 'up', '--data', '0', ...args], {
      cwd: ROOT, env: {...process.env, ...ENV, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    return {stdout: () => out, stderr: () => err, exited, kill: (s) => child.kill(s)}
  }

  it('Ctrl-C stops every node and exits 0', async () => {
    const dir = cluster()
    const fg = runUp(['--meta', '1', '--dir', dir, '--base-port', String(await freeBase(1))])
    await until('the banner', () => fg.stdout().includes('Dev cluster ready'))
    const state = await loadState(dir)
    expect(state.supervisor?.mode).toBe('foreground')
    expect(fg.stdout()).toContain('medic dev down --dir')
    fg.kill('SIGINT')
    expect(await fg.exited).toBe(0)
    expect(fg.stderr()).toContain('SIGINT: stopping every node')
    expect(fg.stderr()).toContain('Every node stopped.')
    expect(gone(state.nodes[0].pid as number)).toBe(true)
    expect((await loadState(dir)).supervisor).toBeNull()
  }, 150_000)

  it('medic dev down from another terminal stops it too, and --json prints the ready document at once', async () => {
    const dir = cluster()
    const fg = runUp(['--meta', '1', '--dir', dir, '--base-port', String(await freeBase(1)), '--json'])
    await until('the ready document', () => fg.stdout().trim().endsWith('}'))
    expect(JSON.parse(fg.stdout())).toMatchObject({command: 'dev up', exitCode: 0, mode: 'foreground', leader: {name: 'meta-1'}})
    const down = await medic(['dev', 'down', '--dir', dir])
    expect(down.code).toBe(0)
    expect(await fg.exited).toBe(0)
  }, 150_000)

  it('dev logs -f --json follows a node\'s log line by line until Ctrl-C', async () => {
    const dir = cluster()
    expect((await medic(['dev', 'up', '--detach', '--data', '0', '--meta', '1', '--dir', dir, '--base-port', String(await freeBase(1))], {env: ENV})).code).toBe(0)
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'dev', 'logs', 'meta-1', '-f', '--json', '--dir', dir], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    await until('the existing lines', () => out.includes('InfluxDB Meta starting'))
    expect((await medic(['dev', 'stop', 'meta-1', '--dir', dir])).code).toBe(0)
    await until('the line written on SIGTERM', () => out.includes('Signal received'))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    const docs = out.trim().split('\n').map((l) => JSON.parse(l) as {type: string; node: string; line: string})
    expect(docs.every((d) => d.type === 'line' && d.node === 'meta-1' && typeof d.line === 'string')).toBe(true)
  }, 150_000)
})
