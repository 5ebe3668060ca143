// `medic dev ...` failing the way it should, the built CLI with stand-in meta nodes (MEDIC_DEV_NODE_MAIN=test/
// fixtures/dev/fake-meta.mjs): no cluster in the folder (exit 4), a bad flag value (exit 2), a node that dies at
// start-up (exit 3, named, its last lines quoted, nothing left running) and a port in use (exit 2, --base-port hint),
// each with and without --json.
import {existsSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {nodeProcess} from '../../src/devcluster/cluster/processes.js'
import {loadState} from '../../src/devcluster/cluster/state.js'
import {metaPorts} from '../../src/devcluster/cluster/ports.js'
import {LOG_FORMATS} from '../../src/devcluster/node/logger.js'
import {medic, oneJson} from '../helpers/cli.js'
import {FAKE_META, freeBase, tempClusterDir} from '../fixtures/dev/helpers.js'

const ENV = {MEDIC_DEV_NODE_MAIN: FAKE_META}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A temp cluster folder; afterwards, whatever still runs there is stopped and the folder removed. */
function cluster(): string {
  const t = tempClusterDir('medic-cli-err-')
  cleanups.push(async () => {
    if (existsSync(join(t.dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', t.dir, '--grace', '1s'], {env: ENV})
    t.remove()
  })
  return t.dir
}

describe('medic dev: no cluster, bad input', () => {
  it('status, down, logs and kill exit 4 without a cluster; an unknown flag value exits 2', async () => {
    const dir = cluster()
    const human = await medic(['dev', 'status', '--dir', dir])
    expect(human.code).toBe(4)
    expect(human.stderr).toContain(`Error: no dev cluster in ${dir}`)
    expect(human.stderr).toContain(`medic dev up --dir ${dir}`)
    for (const args of [['status'], ['down'], ['logs', 'meta-1'], ['kill', 'meta-1']]) {
      const r = await medic(['dev', ...args, '--dir', dir, '--json'])
      expect(r.code, args.join(' ')).toBe(4)
      expect(oneJson(r.stdout)).toMatchObject({exitCode: 4, error: {code: 'cluster-not-found'}})
    }
    const badFormat = await medic(['dev', 'up', '--dir', dir, '--log-format', 'xml', '--json'])
    expect(badFormat.code).toBe(2)
    expect(existsSync(dir)).toBe(false)
  }, 150_000)
})

describe('medic dev up --log-format', () => {
  it('offers every format the nodes write, each named with the releases it imitates (the bracket form is 1.0-1.1 only)', async () => {
    const help = await medic(['dev', 'up', '--help'])
    expect(help.code).toBe(0)
    const text = help.stdout.replace(/\s+/g, ' ')
    expect(text).toContain(LOG_FORMATS.join('|'))
    for (const f of LOG_FORMATS) expect(text, f).toMatch(new RegExp(`[:;] ${f} imitates 1\\.\\d+(-1\\.\\d+|\\+) [(w]`))
    expect(text).toContain('legacy-level imitates 1.2-1.4 ([I] ')
    expect(text).toContain('legacy imitates 1.0-1.1 ([service] ')
    expect(text).not.toMatch(/1\.0-1\.4/)
  })
})

describe('medic dev up: failures', () => {
  it('a node that dies at start-up: exit 3 naming it and quoting its last lines; nothing keeps running', async () => {
    const dir = cluster()
    const base = String(await freeBase())
    const r = await medic(['dev', 'up', '--detach', '--data', '0', '--dir', dir, '--base-port', base], {env: {...ENV, FAKE_META_FAIL: 'meta-2'}})
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Error: meta-2 exited during start-up (exit code 1); the last lines of')
    expect(r.stderr).toMatch(/^ {4}run: open server: listen tcp 127\.0\.0\.1:\d+: bind: address already in use$/m)
    expect(r.stderr).toContain(`medic dev logs meta-2 --dir ${dir}`)
    const j = await medic(['dev', 'up', '--detach', '--data', '0', '--dir', dir, '--base-port', base, '--json'], {env: {...ENV, FAKE_META_FAIL: 'meta-3'}})
    expect(j.code).toBe(3)
    expect(oneJson(j.stdout)).toMatchObject({exitCode: 3, error: {code: 'node-failed', message: expect.stringContaining('meta-3 exited during start-up')}})
    const state = await loadState(dir)
    expect(state.nodes.every((n) => nodeProcess(n) === 'gone')).toBe(true)
  }, 150_000)

  it('a port in use: exit 2 naming the port and the node, suggesting --base-port', async () => {
    const dir = cluster()
    const base = await freeBase()
    const blocker: Server = createServer()
    await new Promise<void>((r) => blocker.listen(metaPorts(base, 3).http, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())))
    const r = await medic(['dev', 'up', '--detach', '--data', '0', '--dir', dir, '--base-port', String(base)], {env: ENV})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`Error: port ${metaPorts(base, 3).http} (meta-3 HTTP API) is already in use on 127.0.0.1`)
    expect(r.stderr).toMatch(/use other ports: medic dev up --base-port \d+/)
    const j = await medic(['dev', 'up', '--detach', '--data', '0', '--dir', dir, '--base-port', String(base), '--json'], {env: ENV})
    expect(j.code).toBe(2)
    expect(oneJson(j.stdout)).toMatchObject({exitCode: 2, error: {code: 'port-in-use'}})
  }, 150_000)
})
