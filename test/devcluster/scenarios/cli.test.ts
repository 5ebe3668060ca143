// `medic dev scenario` through the built CLI: list and show, usage errors with a did-you-mean (exit 2), one run with
// --json (one document, exit 0, the folder kept for --dir and the cluster stopped), --keep (the cluster left running
// until the printed down command), and a scenario whose cluster cannot start (exit 4).
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {downCluster} from '../../../src/devcluster/client/down.js'
import {readState} from '../../../src/devcluster/cluster/state.js'
import {pidAlive} from '../../../src/devcluster/cluster/processes.js'
import {medic, oneJson, ROOT} from '../../helpers/cli.js'
import {tempClusterDir} from '../../fixtures/dev/helpers.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function folder(prefix: string): string {
  const t = tempClusterDir(prefix)
  cleanups.push(async () => {
    await downCluster(t.dir, {purge: true, graceMs: 1_000}).catch(() => undefined)
    t.remove()
  })
  return t.dir
}

interface RunDoc {
  schemaVersion: number
  exitCode: number
  mode: string
  scenarios: Array<{name: string; verdict: string; checks: Array<{status: string}>; commands: Array<{command: string; needs: string}>; cluster: {dir: string; kept: boolean; folderKept: boolean; down: string | null}; error?: {code: string}}>
  summary: {passed: number; failed: number; error: number}
}

describe('medic dev scenario', () => {
  it('lists and shows the scenarios; unknown names and bad combinations are usage errors with a suggestion', async () => {
    const list = await medic(['dev', 'scenario', 'list', '--json'])
    expect(list.code).toBe(0)
    const names = (oneJson(list.stdout).scenarios as Array<{name: string}>).map((s) => s.name)
    expect(names).toEqual(expect.arrayContaining(['meta-not-joined', 'cq-lease', 'hh-queue-not-empty', 'stats-partial-write', 'queue-full', 'join-unable-to-determine', 'leader-failover']))
    const show = await medic(['dev', 'scenario', 'show', 'cq-lease'])
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('GET /lease?name=continuous_querier&node_id=5 HTTP/1.1 409')
    const typo = await medic(['dev', 'scenario', 'run', 'hh-queue-not-emty', '--json'])
    expect(typo.code).toBe(2)
    expect(oneJson(typo.stdout).error).toMatchObject({code: 'unknown-scenario', suggestions: ['did you mean: medic dev scenario run hh-queue-not-empty', 'medic dev scenario list']})
    expect((await medic(['dev', 'scenario', 'show', 'leader'])).stderr).toContain('did you mean: medic dev scenario run leader-failover')
    expect((await medic(['dev', 'scenario', 'run'])).code).toBe(2)
    expect((await medic(['dev', 'scenario', 'run', '--all', 'cq-lease'])).code).toBe(2)
    for (const cmd of ['list', 'show', 'run']) {
      const help = await medic(['dev', 'scenario', cmd, '--help'])
      expect(help.stdout).toContain('EXAMPLES')
      expect(help.stdout).toContain('--json')
    }
    // docs/scenarios.md describes every scenario the CLI lists, under its own heading.
    const doc = readFileSync(join(ROOT, 'docs', 'scenarios.md'), 'utf8')
    expect(names.filter((n) => !doc.includes(`### ${n}\n`))).toEqual([])
  })

  it('runs one scenario with --json: one document, exit 0, the --dir folder kept with the cluster stopped', async () => {
    const dir = folder('medic-scenario-cli-')
    const r = await medic(['dev', 'scenario', 'run', 'meta-not-joined', '--dir', dir, '--json'], {timeoutMs: 120_000})
    expect(r.code, r.stderr).toBe(0)
    const doc = oneJson(r.stdout) as unknown as RunDoc
    expect(doc).toMatchObject({schemaVersion: 1, exitCode: 0, mode: 'short', summary: {passed: 1, failed: 0, error: 0}})
    const run = doc.scenarios[0]
    expect(run.checks.every((c) => c.status === 'passed')).toBe(true)
    expect(run.cluster).toMatchObject({dir, kept: false, folderKept: true, down: null})
    expect(existsSync(join(dir, 'meta-2', 'influxdb-meta.log'))).toBe(true)
    const state = await readState(dir)
    expect(state?.supervisor).toBeNull()
    expect(state?.nodes.every((n) => n.pid === null || !pidAlive(n.pid))).toBe(true)
    // Commands for the operator are complete shell commands, paths quoted where needed.
    expect(run.commands.some((c) => c.command.startsWith('medic logs summarize ') && c.command.includes(join(dir, 'meta-2')))).toBe(true)
  }, 150_000)

  it('--keep leaves the cluster running and prints the command that stops it', async () => {
    const dir = folder('medic-scenario-keep-')
    const r = await medic(['dev', 'scenario', 'run', 'meta-not-joined', '--keep', '--dir', dir], {timeoutMs: 120_000})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`The cluster is still running in ${dir}. Stop it and remove its folder with:`)
    expect(r.stdout).toContain(`$ medic dev down --purge --dir ${dir}`)
    const status = await medic(['dev', 'status', '--dir', dir])
    expect(status.code, status.stdout + status.stderr).toBe(0)
    const down = await medic(['dev', 'down', '--purge', '--dir', dir], {timeoutMs: 60_000})
    expect(down.code).toBe(0)
    expect(await readState(dir)).toBeUndefined()
  }, 150_000)

  it('a scenario whose cluster cannot start could not run: exit 4, its folder kept for the logs', async () => {
    const dir = folder('medic-scenario-broken-')
    const r = await medic(['dev', 'scenario', 'run', 'meta-not-joined', '--dir', dir, '--json'], {timeoutMs: 120_000, env: {MEDIC_DEV_NODE_MAIN: join(dir, 'no-such-node.mjs')}})
    expect(r.code, r.stderr).toBe(4)
    const doc = oneJson(r.stdout) as unknown as RunDoc
    expect(doc.summary).toMatchObject({passed: 0, failed: 0, error: 1})
    expect(doc.scenarios[0]).toMatchObject({verdict: 'error', cluster: {folderKept: true}})
    expect(doc.scenarios[0].error?.code).toBeTruthy()
  }, 150_000)
})
