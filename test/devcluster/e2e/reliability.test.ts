// Reliability of the dev cluster with real processes (issue 5): the leader SIGKILLed again and again under a stream of
// meta writes (no acknowledged write lost, one leader per term, every node ends with the same state), a paused
// follower that catches up, a whole-cluster restart that keeps the state, and bad input to a live node's API.
// Every wait is on a condition with a generous deadline; nothing here asserts a duration (bench/dev-bench.js does).
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'
import {httpCall as call} from '../../helpers/http.js'

interface Node {name: string; pid: number; httpAddr: string; raftAddr: string; logPath?: string}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function statusOf(n: Node): Promise<{leader: string; peers: string[] | null} | undefined> {
  const r = await call(n.httpAddr, 'GET', '/status', undefined, {}, 1000)
  if (r.status !== 200) return undefined
  return JSON.parse(r.text) as {leader: string; peers: string[] | null}
}

/** The leader every listed node agrees on, or undefined. */
async function agreedLeader(nodes: Node[]): Promise<Node | undefined> {
  const ss = await Promise.all(nodes.map(statusOf))
  const leaders = new Set(ss.map((s) => s?.leader ?? ''))
  if (leaders.size !== 1 || leaders.has('')) return undefined
  return nodes.find((n) => n.raftAddr === [...leaders][0])
}

/**
 * Creates database `name` the way a careful client does: any node, 307 followed, 503 and dead nodes retried (the
 * command is idempotent, so a retry after an unknown outcome is safe). Resolves true once a node acknowledged it.
 */
async function createDatabase(nodes: Node[], name: string, deadlineMs = 30_000): Promise<boolean> {
  const body = JSON.stringify({cmd: {type: 'createDatabase', name}})
  const deadline = Date.now() + deadlineMs
  let target = nodes[0]!.httpAddr
  let i = 0
  while (Date.now() < deadline) {
    const r = await call(target, 'POST', '/execute', body, {'content-type': 'application/json'})
    if (r.status === 200) return true
    if (r.status === 307 && r.location) {
      target = new URL(r.location).host
      continue
    }
    if (r.status !== 0 && r.status !== 503) throw new Error(`create database ${name}: HTTP ${r.status} ${r.text}`)
    target = nodes[++i % nodes.length]!.httpAddr
    await new Promise((res) => setTimeout(res, 20))
  }
  return false
}

async function dataOf(n: Node): Promise<{index: number; databases: string[]} | undefined> {
  const r = await call(n.httpAddr, 'GET', '/data?index=0', undefined, {}, 3000)
  if (r.status !== 200) return undefined
  const doc = JSON.parse(r.text) as {index: number; state?: {databases?: Array<{name: string}>}; databases?: Array<{name: string}>}
  const dbs = doc.state?.databases ?? doc.databases ?? []
  return {index: doc.index, databases: dbs.map((d) => d.name).sort()}
}

/** Leaders by term from every node's log: "entering Candidate state in term T" followed by "entering Leader state". */
function leadersByTerm(logs: Array<{name: string; text: string}>): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>()
  for (const {name, text} of logs) {
    let term = 0
    for (const line of text.split('\n')) {
      const c = /entering Candidate state in term (\d+)/.exec(line)
      if (c) term = Number(c[1])
      if (/entering Leader state/.test(line)) out.set(term, new Set([...(out.get(term) ?? []), name]))
    }
  }
  return out
}

async function upCluster(prefix: string, extra: string[] = []) {
  const t = tempClusterDir(prefix)
  const dir = t.dir
  cleanups.push(async () => {
    if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '2s'], {timeoutMs: 60_000})
    t.remove()
  })
  const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 60_000})
  const up = await dev('up', '--detach', '--data', '0', '--meta', '3', '--base-port', String(await freeBase(3)), '--json', ...extra)
  expect(up.stderr).not.toMatch(/Error|at .*\.js/)
  expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0)
  const doc = oneJson(up.stdout) as unknown as {nodes: Node[]; auth: {username: string; password: string} | null}
  const nodes = doc.nodes
  const pidOf = async (name: string) => ((oneJson((await dev('status', '--json')).stdout) as unknown as {nodes: Node[]}).nodes.find((n) => n.name === name)!.pid)
  return {dir, dev, nodes, auth: doc.auth, pidOf}
}

describe('dev cluster reliability (real processes)', () => {
  it('the leader killed 3 times under a stream of writes: no acknowledged write lost, one leader per term, survivors agree', async () => {
    const {dev, nodes, dir} = await upCluster('medic-dev-rel-')
    const acked: string[] = []
    let writing = true
    let seq = 0
    const writer = (async () => {
      while (writing) {
        const name = `db${seq++}`
        if (await createDatabase(nodes, name)) acked.push(name)
      }
    })()

    for (let round = 0; round < 3; round++) {
      const leader = await until('an agreed leader', () => agreedLeader(nodes), 30_000)
      const before = acked.length
      await until('writes flowing', () => acked.length >= before + 5, 30_000)
      expect((await dev('kill', leader.name)).code).toBe(0)
      const survivors = nodes.filter((n) => n !== leader)
      const next = await until('a new leader among the survivors', () => agreedLeader(survivors), 30_000)
      expect(next.name).not.toBe(leader.name)
      const after = acked.length
      await until('writes accepted by the new leader', () => acked.length >= after + 5, 30_000)
      expect((await dev('start', leader.name)).code).toBe(0)
      await until(`${leader.name} back in the cluster`, () => agreedLeader(nodes), 30_000)
    }
    writing = false
    await writer
    expect(acked.length).toBeGreaterThan(30)

    // Every node converges on the same state, and it holds every acknowledged database.
    const states = await until('all nodes at the same index', async () => {
      const ds = await Promise.all(nodes.map(dataOf))
      if (ds.some((d) => d === undefined)) return undefined
      return new Set(ds.map((d) => d!.index)).size === 1 ? ds : undefined
    }, 30_000)
    for (const s of states) {
      expect(s!.databases).toEqual(states[0]!.databases)
      const have = new Set(s!.databases)
      expect(acked.filter((a) => !have.has(a))).toEqual([])
    }

    // Election safety across the whole run, from the nodes' own logs.
    const logs = nodes.map((n) => ({name: n.name, text: readFileSync(join(dir, n.name, 'influxdb-meta.log'), 'utf8')}))
    const terms = leadersByTerm(logs)
    expect(terms.size).toBeGreaterThanOrEqual(4)
    for (const [term, who] of terms) expect([term, [...who]]).toEqual([term, [...who].slice(0, 1)])
  }, 150_000)

  it('a paused follower catches up after SIGCONT; a restarted cluster keeps its state', async () => {
    const {dev, nodes} = await upCluster('medic-dev-pause-')
    const leader = await until('an agreed leader', () => agreedLeader(nodes), 30_000)
    const follower = nodes.find((n) => n !== leader)!
    expect((await dev('pause', follower.name)).code).toBe(0)
    for (let i = 0; i < 20; i++) expect(await createDatabase(nodes.filter((n) => n !== follower), `paused${i}`)).toBe(true)
    expect((await dev('resume', follower.name)).code).toBe(0)
    const want = (await dataOf(leader))!
    await until(`${follower.name} caught up`, async () => {
      const d = await dataOf(follower)
      return d !== undefined && d.index >= want.index && want.databases.every((x) => d.databases.includes(x))
    }, 30_000)

    // Whole cluster down (not purged) and up again: same members, same data.
    expect((await dev('down', '--grace', '5s')).code).toBe(0)
    const again = await dev('up', '--detach', '--json')
    expect(again.code).toBe(0)
    await until('an agreed leader after the restart', () => agreedLeader(nodes), 30_000)
    for (const n of nodes) {
      const d = await until(`${n.name} state after restart`, async () => {
        const x = await dataOf(n)
        return x && want.databases.every((db) => x.databases.includes(db)) ? x : undefined
      }, 30_000)
      expect(d.databases).toEqual(expect.arrayContaining(want.databases))
      const s = (await statusOf(n))!
      expect(s.peers?.sort()).toEqual(nodes.map((x) => x.raftAddr).sort())
    }
  }, 150_000)

  it('remove-meta of a follower, then of the leader: the configuration shrinks and the rest keep accepting writes', async () => {
    const {nodes} = await upCluster('medic-dev-remove-')
    const leader = await until('an agreed leader', () => agreedLeader(nodes), 30_000)
    const gone = nodes.find((n) => n !== leader)!
    const rest = nodes.filter((n) => n !== gone)
    const r = await call(leader.httpAddr, 'POST', '/remove-meta', `addr=${encodeURIComponent(gone.httpAddr)}`, {'content-type': 'application/x-www-form-urlencoded'})
    expect(r.status).toBe(200)
    for (const n of rest) {
      await until(`${n.name} sees two peers`, async () => (await statusOf(n))?.peers?.length === 2, 30_000)
      expect((await statusOf(n))!.peers!.sort()).toEqual(rest.map((x) => x.raftAddr).sort())
    }
    const cluster = JSON.parse((await call(leader.httpAddr, 'GET', '/show-cluster')).text) as {meta: Array<{addr: string}>}
    expect(cluster.meta.map((m) => m.addr).sort()).toEqual(rest.map((x) => x.httpAddr).sort())
    expect(await createDatabase(rest, 'after-remove')).toBe(true)

    // Now remove the leader itself: it hands over, and the last node leads a one-node cluster.
    const last = rest.find((n) => n !== leader)!
    const r2 = await call(leader.httpAddr, 'POST', '/remove-meta', `addr=${encodeURIComponent(leader.httpAddr)}`, {'content-type': 'application/x-www-form-urlencoded'})
    expect(r2.status).toBe(200)
    await until(`${last.name} leads alone`, async () => {
      const s = await statusOf(last)
      return s?.leader === last.raftAddr && s.peers?.length === 1
    }, 30_000)
    expect(await createDatabase([last], 'after-leader-removed')).toBe(true)
  })

  it('bad input to a live node gets clear 4xx answers and the node keeps serving', async () => {
    const {nodes, auth} = await upCluster('medic-dev-bad-', ['--auth'])
    expect(auth?.username).toBe('admin')
    // dev up returned, so the nodes agree on a leader; reads work on any node.
    const a = nodes[1]!.httpAddr
    // No credentials, wrong credentials, a token signed with the wrong secret.
    const noAuth = await call(a, 'GET', '/show-cluster')
    expect(noAuth.status).toBe(401)
    expect(JSON.parse(noAuth.text)).toEqual({error: expect.stringMatching(/authentication credentials/)})
    const badBasic = await call(a, 'GET', '/show-cluster', undefined, {authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}`})
    expect(badBasic.status).toBe(401)
    expect(JSON.parse(badBasic.text).error).toMatch(/authorization failed/)
    const {signJwt} = await import('../../../src/probe/auth.js')
    const badJwt = await call(a, 'GET', '/show-cluster', undefined, {authorization: `Bearer ${signJwt('admin', 'not-the-secret')}`})
    expect(badJwt.status).toBe(401)
    expect(JSON.parse(badJwt.text).error).toMatch(/signature is invalid/)
    expect((await call(a, 'GET', '/ping')).status).toBe(200)
    // The admin created by dev up gets in, with Basic auth and with a token signed with the shared secret.
    const basic = {authorization: `Basic ${Buffer.from(`${auth!.username}:${auth!.password}`).toString('base64')}`}
    const ok = await call(a, 'GET', '/show-cluster', undefined, basic)
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.text).meta).toHaveLength(3)
  })

  it('medic status and ctl show see a healthy cluster; malformed forms, unknown node ids and huge bodies get 4xx', async () => {
    const {nodes} = await upCluster('medic-dev-bad2-')
    const leader = await until('an agreed leader', () => agreedLeader(nodes), 30_000)
    const a = leader.httpAddr

    // The probes medic runs against real clusters agree: healthy, one leader, three meta nodes.
    const status = await medic(['status', nodes[0]!.httpAddr, '--json'])
    expect(status.code).toBe(0)
    const sdoc = oneJson(status.stdout) as {problems: unknown[]; nodes: Array<{role: string}>}
    expect(sdoc.problems).toEqual([])
    expect(sdoc.nodes.filter((n) => n.role === 'meta')).toHaveLength(3)
    const ctl = await medic(['ctl', 'show', '-m', nodes[2]!.httpAddr])
    expect(ctl.code).toBe(0)
    for (const n of nodes) expect(ctl.stdout).toContain(n.httpAddr)
    expect(ctl.stdout).toContain(leader.raftAddr)

    const form = {'content-type': 'application/x-www-form-urlencoded'}
    const noAddr = await call(a, 'POST', '/add-data', 'nothing=here', form)
    expect(noAddr.status).toBe(400)
    expect(JSON.parse(noAddr.text)).toHaveProperty('error')
    const badEscape = await call(a, 'POST', '/add-data', 'addr=%zz', form)
    expect(badEscape.status).toBe(400)
    const unknown = await call(a, 'POST', '/remove-data', 'id=424242', form)
    expect(unknown.status).toBe(404)
    expect(JSON.parse(unknown.text).error).toMatch(/424242/)
    const badJson = await call(a, 'POST', '/execute', '{"cmd": ', {'content-type': 'application/json'})
    expect(badJson.status).toBe(400)
    const huge = await call(a, 'POST', '/execute', 'x'.repeat(4 * 1024 * 1024), {'content-type': 'application/json'})
    expect([413, 0]).toContain(huge.status)
    const lease = await call(a, 'GET', '/lease?name=continuous_querier&node_id=abc')
    expect(lease.status).toBe(400)
    expect(JSON.parse(lease.text).error).toMatch(/invalid node ID/)
    // Still a healthy member after all of that.
    expect((await call(a, 'GET', '/ping')).status).toBe(200)
    expect(await agreedLeader(nodes)).toBeDefined()
    expect(await createDatabase(nodes, 'still-fine')).toBe(true)
  })
})
