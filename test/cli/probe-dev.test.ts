// The probe commands against a real medic dev cluster (run through the CLI only: `medic dev up --detach` in a temp
// folder on a free base port, `dev kill`, `dev down --purge`):
//   - `join diagnose` passes a healthy dev node, with and without its generated --config, and still fails a copy of
//     that config with a real mistake in it;
//   - `status` says what a lost voter means ("2/3 voters up: quorum holds; one more failure loses the leader");
//   - `status --watch --json` follows a failover: the leader killed, a new one elected, one NDJSON object per change.
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson, ROOT} from '../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'

interface DevNode {name: string; httpAddr: string; raftAddr: string; configPath: string}
interface UpDoc {leader: {name: string; httpAddr: string}; nodes: DevNode[]}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function devCluster(meta: number): Promise<{dir: string; up: UpDoc; dev: (...args: string[]) => ReturnType<typeof medic>}> {
  const t = tempClusterDir('medic-probe-dev-')
  const dir = t.dir
  cleanups.push(async () => {
    if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--purge', '--grace', '2s'], {timeoutMs: 60_000})
    t.remove()
  })
  const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 60_000})
  const up = await dev('up', '--detach', '--data', '0', '--meta', String(meta), '--base-port', String(await freeBase(meta)), '--json')
  expect(up.code, up.stderr).toBe(0)
  return {dir, up: oneJson(up.stdout) as unknown as UpDoc, dev}
}

type Step = {id: string; status: string; summary: string}

describe('probe commands against a real dev cluster', () => {
  it('join diagnose passes a healthy dev node, with and without its config, and still fails a real mistake', async () => {
    const {dir, up} = await devCluster(1)
    const node = up.nodes[0]
    const bad = (doc: Record<string, unknown>) => (doc.steps as Step[]).filter((s) => s.status === 'fail' || s.status === 'warning').map((s) => `${s.id}: ${s.summary}`)

    const plain = await medic(['join', 'diagnose', node.httpAddr, '--json'])
    const plainDoc = oneJson(plain.stdout)
    expect(bad(plainDoc)).toEqual([])
    // the Raft port probed is the one the node advertises, not 8089
    expect((plainDoc.steps as Step[]).find((s) => s.id === 'tcp-raft')).toMatchObject({status: 'ok', summary: `Raft port ${node.raftAddr.split(':')[1]} accepts connections`})
    expect(plain.code).toBe(0)

    const withConfig = await medic(['join', 'diagnose', node.httpAddr, '--config', node.configPath, '--json'])
    const doc = oneJson(withConfig.stdout)
    expect(bad(doc)).toEqual([])
    expect(doc).toMatchObject({devCluster: true, verdict: 'ok', exitCode: 0})
    expect(withConfig.code).toBe(0)
    const human = await medic(['join', 'diagnose', node.httpAddr, '--config', node.configPath])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('Nothing found that would stop the join.')

    // The same file without the [medic-dev] table is a production config: loopback fails (its license-path names the
    // cluster's stand-in license file, which exists and is JSON: that passes).
    const text = readFileSync(node.configPath, 'utf8')
    const prod = join(dir, 'as-production.conf')
    writeFileSync(prod, text.replace(/^\[medic-dev\][\s\S]*$/m, ''))
    const r1 = oneJson((await medic(['join', 'diagnose', node.httpAddr, '--config', prod, '--json'])).stdout)
    const failed = (r1.steps as Step[]).filter((s) => s.status === 'fail').map((s) => s.id)
    expect(failed).toEqual(expect.arrayContaining(['config-hostname', 'config-ports']))
    expect(failed).not.toContain('license')
    expect(r1.exitCode).toBe(3)
    // A dev config whose HTTP port is not the one the node answers on: fails even in a dev cluster.
    const wrongPort = join(dir, 'wrong-port.conf')
    writeFileSync(wrongPort, text.replace(/http-bind-address = "127\.0\.0\.1:\d+"/, 'http-bind-address = "127.0.0.1:1"'))
    const r2 = oneJson((await medic(['join', 'diagnose', node.httpAddr, '--config', wrongPort, '--json'])).stdout)
    expect((r2.steps as Step[]).find((s) => s.id === 'config-ports')!.status).toBe('fail')
    expect(r2.exitCode).toBe(3)
  }, 180_000)

  it('status: one voter down says what matters; --watch --json follows the leader being killed', async () => {
    const {up, dev} = await devCluster(3)
    const addr = up.leader.httpAddr
    const healthy = oneJson((await medic(['status', addr, '--json'])).stdout)
    expect(healthy).toMatchObject({exitCode: 0, verdict: 'ok', quorum: {voters: 3, up: 3, holds: true, spare: 1}})

    // --watch into a pipe, NDJSON: one object per change.
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'status', ...up.nodes.map((n) => n.httpAddr), '--watch', '300ms', '--timeout', '3s', '--http-timeout', '1s', '--json'], {cwd: ROOT, env: {...process.env, NO_COLOR: '1'}})
    cleanups.push(() => { child.kill('SIGKILL') })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    const docs = () => out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as {type: string; leader?: string; verdict: string; quorum?: {text: string}})
    await until('the first round', () => docs().length >= 1, 30_000)
    const oldLeader = docs()[0].leader
    expect(oldLeader).toBe(up.nodes.find((n) => n.name === up.leader.name)!.raftAddr)

    expect((await dev('kill', up.leader.name)).code).toBe(0)
    const after = await until('a new leader in the NDJSON stream', () => docs().find((d) => d.type === 'status' && d.leader !== undefined && d.leader !== oldLeader), 60_000)
    expect(after.quorum!.text).toBe('2/3 voters up: quorum holds; one more failure loses the leader')
    expect(after.verdict).toBe('warning')
    child.kill('SIGINT')
    expect(await exited).toBe(3)
    const all = docs()
    expect(all.at(-1)).toMatchObject({type: 'summary', exitCode: 3})
    // every line is one JSON document with the envelope
    for (const d of all) expect(d).toMatchObject({schemaVersion: 1, command: 'status'})

    // And a one-shot status in words.
    const text = await medic(['status', up.nodes.find((n) => n.name !== up.leader.name)!.httpAddr])
    expect(text.code).toBe(3)
    expect(text.stdout).toContain('Quorum: 2/3 voters up: quorum holds; one more failure loses the leader')
    expect(text.stdout).not.toContain('UNKNOWN  3 meta')
  }, 240_000)
})
