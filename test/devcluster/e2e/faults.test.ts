// A partition among real meta node processes (medic dev fault partition, three meta nodes): one follower cut off
// from both others cannot elect itself or learn new changes, while the majority keeps its leader and serves writes;
// the leader logs the failed AppendEntries in hashicorp's words with the partition's error; after the heal the
// follower catches up and the leader never changed (pre-vote kept the isolated node from disrupting it).
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {medicInProcess} from '../../cli/inprocess.js'
import {medic, oneJson} from '../../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'

interface Status {exitCode: number; leader: {name: string} | null; nodes: Array<{name: string; role: string; leader: string | null; httpAddr: string; raftAddr: string; logPath: string}>}

const t = tempClusterDir('medic-dev-meta-faults-')
const dir = t.dir

afterAll(async () => {
  if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '2s', '--purge'], {timeoutMs: 60_000})
  t.remove()
}, 60_000)

const dev = async (...args: string[]) => {
  const r = await medicInProcess(['dev', ...args, '--dir', dir, '--json'])
  return {code: r.code, doc: oneJson(r.stdout)}
}

async function users(addr: string): Promise<string[] | string> {
  const r = await fetch(`http://${addr}/user`, {signal: AbortSignal.timeout(3_000)})
  const body = await r.json() as {users?: Array<{name: string}>; error?: string}
  return body.users?.map((u) => u.name) ?? body.error ?? `HTTP ${r.status}`
}

describe('a meta follower partitioned from both others', () => {
  it('leaves the majority serving with the same leader; the follower catches up after the heal', async () => {
    const up = await medic(['dev', 'up', '--detach', '--meta', '3', '--data', '0', '--dir', dir, '--base-port', String(await freeBase(3)), '--json'], {timeoutMs: 90_000})
    expect(up.code, up.stderr).toBe(0)
    const before = (await dev('status')).doc as unknown as Status
    const leader = before.nodes.find((n) => n.role === 'leader')!
    const [isolated, other] = before.nodes.filter((n) => n.role === 'follower')

    for (const peer of [leader, other]) expect((await dev('fault', 'partition', isolated.name, peer.name)).code).toBe(0)
    // The majority serves a change; the other follower has it, the isolated one does not.
    const created = await fetch(`http://${leader.httpAddr}/user`, {method: 'POST', body: JSON.stringify({action: 'create', user: {name: 'during', password: 'p'}})})
    expect(created.status).toBe(200)
    await until('the other follower has the change', async () => (await users(other.httpAddr)).includes('during'), 10_000)
    expect(await users(isolated.httpAddr)).not.toContain('during')
    // The isolated node loses its leader and cannot elect itself; the other two keep theirs.
    const split = await until('the isolated node without a leader', async () => {
      const s = (await dev('status')).doc as unknown as Status
      return s.nodes.find((n) => n.name === isolated.name)?.leader === null ? s : undefined
    }, 20_000, 200)
    expect(split.exitCode).toBe(3)
    expect(split.nodes.filter((n) => n.name !== isolated.name).map((n) => [n.name, n.role, n.leader]).sort())
      .toEqual([[leader.name, 'leader', leader.name], [other.name, 'follower', leader.name]].sort())
    // The connection open when the partition came reports it (read tcp ...: no route to host); later dials as well.
    expect(readFileSync(leader.logPath, 'utf8')).toMatch(new RegExp(`Failed to AppendEntries to \\{Voter ${isolated.raftAddr} ${isolated.raftAddr}\\}: .*no route to host`))

    const healed = await dev('heal', isolated.name)
    expect((healed.doc as {healed: unknown[]}).healed).toHaveLength(2)
    await until('the isolated node caught up', async () => (await users(isolated.httpAddr)).includes('during'), 20_000, 100)
    const after = await until('every node agrees again', async () => {
      const s = (await dev('status')).doc as unknown as Status
      return s.exitCode === 0 ? s : undefined
    }, 20_000, 200)
    expect(after.leader?.name).toBe(leader.name)
  }, 120_000)
})
