// `medic dev ...` with data nodes, end to end through the CLI (real meta and data node processes): a detached
// `--meta 1 --data 2` cluster joins its data nodes the documented way (add-data to the leader, which tells each node
// to join over its cluster RPC port; each keeps meta/client.json); dev status shows their ids, shards and values;
// a data node killed is reported down (exit 3) and, started again, rejoins by itself from client.json with its data;
// a meta leader that cannot reach a data node's RPC port makes add-data fail with the dial error; the generated
// influxdb.conf passes `medic config check`; restarts keep the shape (`--data 1` on a 2-data-node cluster is refused).
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'

interface StatusNode {name: string; kind: string; role: string; state: string; joined: boolean | null; nodeId?: number | null; shards?: number | null; points?: number | null}
interface StatusDoc {exitCode: number; nodes: StatusNode[]}
interface UpDoc {leader: {httpAddr: string}; nodes: Array<{name: string; kind: string; httpAddr: string; rpcAddr?: string; configPath: string; logPath: string; dir: string}>}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function post(url: string, body: string, type = 'text/plain'): Promise<{status: number; text: string}> {
  const r = await fetch(url, {method: 'POST', body, headers: {'content-type': type}})
  return {status: r.status, text: await r.text()}
}

async function query(addr: string, q: string, db = ''): Promise<unknown> {
  const r = await fetch(`http://${addr}/query?${new URLSearchParams({q, db})}`, {method: 'POST'})
  return r.json()
}

describe('medic dev with data nodes', () => {
  it('joins data nodes with add-data, shows them in dev status, and a killed data node rejoins with its data', async () => {
    const t = tempClusterDir('medic-dev-data-')
    const dir = t.dir
    cleanups.push(async () => {
      if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '2s', '--purge'], {timeoutMs: 60_000})
      t.remove()
    })
    const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 90_000})
    const status = async (): Promise<StatusDoc> => oneJson((await dev('status', '--json')).stdout) as unknown as StatusDoc

    const up = await dev('up', '--detach', '--meta', '1', '--data', '2', '--base-port', String(await freeBase(1, 2)), '--json')
    expect(up.code, up.stderr).toBe(0)
    const ready = oneJson(up.stdout) as unknown as UpDoc
    expect(ready.nodes.map((n) => [n.name, n.kind])).toEqual([['meta-1', 'meta'], ['data-1', 'data'], ['data-2', 'data']])
    const [d1, d2] = ready.nodes.filter((n) => n.kind === 'data')

    // The documented join left its traces: client.json lists the meta node; the meta store lists both data nodes.
    expect(JSON.parse(readFileSync(join(d1.dir, 'meta', 'client.json'), 'utf8'))).toEqual({MetaServers: [ready.leader.httpAddr]})
    const cluster = await (await fetch(`http://${ready.leader.httpAddr}/show-cluster`)).json() as {data: Array<{tcpAddr: string; httpAddr: string}>}
    expect(cluster.data.map((n) => [n.tcpAddr, n.httpAddr]).sort()).toEqual([[d1.rpcAddr, d1.httpAddr], [d2.rpcAddr, d2.httpAddr]].sort())

    // Writes on one node are read on the other.
    expect((await post(`http://${d1.httpAddr}/query`, `q=${encodeURIComponent('CREATE DATABASE rehearsal')}`, 'application/x-www-form-urlencoded')).status).toBe(200)
    const lines = Array.from({length: 50}, (_, i) => `cpu,host=h${i % 5} value=${i} ${1_700_000_000 + i}`).join('\n')
    expect((await post(`http://${d1.httpAddr}/write?db=rehearsal&precision=s`, lines)).status).toBe(204)
    // data-2 learns of the new shard group through its meta long poll, a moment after data-1 created it; with two
    // owners per shard (the default policy's replication is 2 on two data nodes), data-2's copy is written after the
    // 204 of a consistency=one write: wait for the answer, do not sample it once.
    const expected = {results: [{statement_id: 0, series: [{name: 'cpu', columns: ['time', 'count', 'sum'], values: [['1970-01-01T00:00:00Z', 50, 1225]]}]}]}
    let last: unknown
    await until('data-2 answers with every point', async () => {
      last = await query(d2.httpAddr, 'SELECT count(value), sum(value) FROM cpu', 'rehearsal')
      return JSON.stringify(last) === JSON.stringify(expected)
    }, 10_000).catch(() => undefined)
    expect(last).toEqual(expected)

    let s = await status()
    expect(s.exitCode).toBe(0)
    const data = s.nodes.filter((n) => n.kind === 'data')
    expect(data.map((n) => [n.role, n.state, n.joined])).toEqual([['data', 'up', true], ['data', 'up', true]])
    expect(data.every((n) => typeof n.nodeId === 'number' && n.nodeId > 1)).toBe(true)
    expect(data.reduce((sum, n) => sum + (n.points ?? 0), 0)).toBeGreaterThanOrEqual(50)
    const human = await dev('status')
    expect(human.stdout).toMatch(/data-1 +data +up .* yes +id \d+, \d+ shards?, [\d,]+ values/)

    // The generated config is a real data-node config.
    const check = await medic(['config', 'check', d1.configPath, '--json'])
    expect(check.code, check.stdout).toBe(0)

    // Killed: down, exit 3. Started again (data-1's ports are checked, not meta-1's): it rejoins from client.json (no add-data) and keeps its shards.
    const before = data.find((n) => n.name === 'data-1')!
    expect((await dev('kill', 'data-1')).code).toBe(0)
    s = await until('data-1 reported down', async () => {
      const x = await status()
      return x.nodes.find((n) => n.name === 'data-1')?.state === 'down' ? x : undefined
    }, 30_000)
    expect(s.exitCode).toBe(3)
    expect((await dev('start', 'data-1')).code).toBe(0)
    const back = await until('data-1 joined again', async () => {
      const n = (await status()).nodes.find((x) => x.name === 'data-1')
      return n?.state === 'up' && n.joined === true ? n : undefined
    }, 30_000)
    expect(back.nodeId).toBe(before.nodeId)
    // Nothing was lost (the node's own _internal statistics may have added values since).
    expect(back.points).toBeGreaterThanOrEqual(before.points ?? 0)
    expect(await query(d1.httpAddr, 'SELECT count(value) FROM cpu', 'rehearsal')).toMatchObject({results: [{series: [{values: [['1970-01-01T00:00:00Z', 50]]}]}]})

    // dev verify: equal owners exit 0; an owner down leaves its shards unchecked (exit 4, never 0); a replica that
    // lost what hinted handoff held for it (queue deleted while it was down, as a max-age purge would) differs (exit 3).
    const verify = async () => {
      const r = await dev('verify', '--json')
      return {code: r.code, doc: oneJson(r.stdout) as {summary: {equal: number; differs: number; unchecked: number; single: number}; shards: Array<{status: string; differences: Array<{series: string}>}>}}
    }
    let v = await verify()
    expect(v.code).toBe(0)
    expect(v.doc.summary.differs + v.doc.summary.unchecked).toBe(0)
    expect(v.doc.summary.equal + v.doc.summary.single).toBeGreaterThan(0)
    expect((await dev('kill', 'data-1')).code).toBe(0)
    const late = Array.from({length: 20}, (_, i) => `cpu,host=late${i} value=${i} ${1_700_000_100 + i}`).join('\n')
    expect((await post(`http://${d2.httpAddr}/write?db=rehearsal&precision=s&consistency=any`, late)).status).toBe(204)
    v = await verify()
    expect(v.code).toBe(4)
    expect(v.doc.summary.unchecked).toBeGreaterThan(0)
    expect((await dev('kill', 'data-2')).code).toBe(0)
    rmSync(join(d2.dir, 'hh'), {recursive: true, force: true})
    expect((await dev('start', 'data-1')).code).toBe(0)
    expect((await dev('start', 'data-2')).code).toBe(0)
    v = await verify()
    const replicated = v.doc.shards.some((sh) => sh.status !== 'single')
    if (replicated) {
      expect(v.code).toBe(3)
      expect(v.doc.shards.flatMap((sh) => sh.differences.map((d) => d.series))).toContain('cpu,host=late0')
    }

    // A restarted cluster keeps its shape.
    expect((await dev('down', '--grace', '5s')).code).toBe(0)
    const fewer = await dev('up', '--detach', '--data', '1')
    expect(fewer.code).toBe(2)
    expect(fewer.stderr).toContain('--data 1 would drop some')
  }, 240_000)

  it('add-data of an address where no data node listens fails with the dial error, and the meta store stays unchanged', async () => {
    const t = tempClusterDir('medic-dev-data-')
    const dir = t.dir
    cleanups.push(async () => {
      if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '2s', '--purge'], {timeoutMs: 60_000})
      t.remove()
    })
    const up = await medic(['dev', 'up', '--detach', '--meta', '1', '--data', '0', '--dir', dir, '--base-port', String(await freeBase(1)), '--json'], {timeoutMs: 90_000})
    expect(up.code, up.stderr).toBe(0)
    const leader = (oneJson(up.stdout) as unknown as UpDoc).leader.httpAddr
    const r = await post(`http://${leader}/add-data`, 'addr=127.0.0.1:1', 'application/x-www-form-urlencoded')
    expect(r.status).toBe(500)
    expect(JSON.parse(r.text)).toEqual({error: expect.stringContaining('dial tcp 127.0.0.1:1')})
    const cluster = await (await fetch(`http://${leader}/show-cluster`)).json() as {data: unknown[]}
    expect(cluster.data).toEqual([])
  }, 120_000)
})
