// `_internal`, the stats service and the CQ lease on a real dev cluster (`medic dev up --detach --meta 1 --data 2`,
// one cluster per log format): data-2's influxdb.conf is rewritten with a 1s store-interval and a 200ms run-interval
// and the node restarted (data-1 keeps the defaults: 10s and 1s). Then: the monitor creates `_internal` with its
// `monitor` policy and stores the statistics (hostname tag, integer counters, one node-local shard per data node); a
// continuous query writes its INTO measurement; the meta node's access log shows one node's 200 lease answers and the
// other's 409s; with data-1 killed, data-2's stats service logs `error writing count stats for <db>: partial write`;
// and `medic logs summarize` recognises every line of the new services in both formats.
import {readFileSync, writeFileSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'

interface UpNode {name: string; kind: string; httpAddr: string; configPath: string; logPath: string; dir: string}
interface UpDoc {leader: {httpAddr: string}; nodes: UpNode[]}
interface QueryDoc {results: Array<{error?: string; series?: Array<{name: string; columns: string[]; values: unknown[][]}>}>}
interface Summary {unknown: {templates: Array<{template: string; example: string}>}; lease: {grants: number; denials: number; holders: Record<string, unknown>}}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function query(addr: string, q: string, db = ''): Promise<QueryDoc> {
  const r = await fetch(`http://${addr}/query?${new URLSearchParams({q, db})}`, {method: 'POST'})
  return (await r.json()) as QueryDoc
}

function values(doc: QueryDoc): unknown[][] {
  return doc.results[0]?.series?.flatMap((s) => s.values) ?? []
}

/** A detached 1-meta 2-data cluster in `format`, data-2 restarted with short intervals. */
async function cluster(format: string): Promise<{dev: (...a: string[]) => ReturnType<typeof medic>; d1: UpNode; d2: UpNode; meta: UpNode}> {
  const t = tempClusterDir('medic-dev-internal-')
  const dev = (...args: string[]) => medic(['dev', ...args, '--dir', t.dir], {timeoutMs: 90_000})
  cleanups.push(async () => {
    await dev('down', '--grace', '2s', '--purge')
    t.remove()
  })
  const up = await dev('up', '--detach', '--meta', '1', '--data', '2', '--log-format', format, '--base-port', String(await freeBase(1, 2)), '--json')
  expect(up.code, up.stderr).toBe(0)
  const doc = oneJson(up.stdout) as unknown as UpDoc
  const [meta, d1, d2] = doc.nodes
  // `dev up` writes the configs; `dev start` keeps the file as it is.
  const conf = readFileSync(d2.configPath, 'utf8')
  const short = conf.replace('store-interval = "10s"', 'store-interval = "1s"').replace('run-interval = "1s"', 'run-interval = "200ms"')
  expect(short).not.toBe(conf)
  writeFileSync(d2.configPath, short)
  expect((await dev('stop', 'data-2')).code).toBe(0)
  const started = await dev('start', 'data-2')
  expect(started.code, started.stderr).toBe(0)
  return {dev, d1, d2, meta}
}

async function setUpWorkload(addr: string): Promise<void> {
  expect(values(await query(addr, 'CREATE DATABASE rdb WITH REPLICATION 2'))).toEqual([])
  const cq = await query(addr, 'CREATE CONTINUOUS QUERY cq1 ON rdb BEGIN SELECT mean(value) INTO cq_out FROM m GROUP BY time(1s) END')
  expect(cq.results[0].error).toBeUndefined()
  // Points from 5 s ago to 8 s ahead: each second that ends while the test waits has one to aggregate.
  const now = Math.floor(Date.now() / 1000)
  const lines = Array.from({length: 14}, (_, i) => `m value=${i} ${now - 5 + i}`).join('\n')
  const w = await fetch(`http://${addr}/write?db=rdb&precision=s`, {method: 'POST', body: lines})
  expect(w.status).toBe(204)
}

async function summarize(paths: string[]): Promise<Summary> {
  const r = await medic(['logs', 'summarize', '--json', ...paths], {timeoutMs: 60_000})
  return oneJson(r.stdout) as unknown as Summary
}

describe('_internal, the stats service and the CQ lease', () => {
  it('logfmt: stores statistics node-locally, runs a CQ under the lease, and logs count stats partial writes', async () => {
    const {dev, d1, d2, meta} = await cluster('logfmt')
    await setUpWorkload(d1.httpAddr)

    // The monitor: _internal with the monitor policy, the node's statistics as measurements.
    const names = await until('the monitor\'s measurements in _internal', async () => {
      const v = values(await query(d1.httpAddr, 'SHOW MEASUREMENTS ON _internal')).map((r) => r[0])
      return ['write', 'httpd', 'runtime', 'shard', 'database', 'hh', 'cluster', 'stats'].every((n) => v.includes(n)) && v
    }, 30_000)
    expect(names).toContain('runtime')
    expect(values(await query(d1.httpAddr, 'SHOW RETENTION POLICIES ON _internal'))).toEqual([['monitor', '168h0m0s', '24h0m0s', 1, true]])
    expect(values(await query(d2.httpAddr, 'SHOW TAG VALUES ON _internal FROM runtime WITH KEY = hostname'))).toEqual([['hostname', '127.0.0.1']])
    expect(values(await query(d2.httpAddr, 'SHOW FIELD KEYS ON _internal FROM "write"'))).toContainEqual(['req', 'integer'])
    // Node-local: every _internal shard has one owner, and the owners differ.
    const shards = (await (await fetch(`http://${meta.httpAddr}/show-shards`)).json()) as Array<{database: string; owners: Array<{id: number}>}>
    const internal = shards.filter((s) => s.database === '_internal')
    expect(internal.length).toBeGreaterThanOrEqual(2)
    expect(internal.every((s) => s.owners.length === 1)).toBe(true)
    expect(new Set(internal.map((s) => s.owners[0].id)).size).toBe(2)

    // The CQ: its INTO measurement fills up.
    await until('points written by the CQ', async () => values(await query(d2.httpAddr, 'SELECT count(mean) FROM cq_out', 'rdb'))[0]?.[1] as number >= 2, 30_000)
    const [d1Log, d2Log] = [readFileSync(d1.logPath, 'utf8'), readFileSync(d2.logPath, 'utf8')]
    expect(d1Log + d2Log).toMatch(/msg="Executing continuous query" .*service=continuous_querier name=cq1 db_instance=rdb start=\S+ end=\S+/)
    expect(d1Log + d2Log).toMatch(/msg="Finished continuous query" .*name=cq1 .*written=\d+ duration=\S+/)
    expect(d2Log).toContain('msg="Storing statistics" ')
    expect(d2Log).toMatch(/service=monitor db_instance=_internal db_rp=monitor interval=1s/)

    // The lease: one node's 200s, the other's 409s, in the meta node's access log.
    const lease = await until('both nodes asking for the lease', () => {
      const text = readFileSync(meta.logPath, 'utf8')
      const asked = [...text.matchAll(/uri="\/lease\?name=continuous_querier&node_id=(\d+)" .*?status=(\d{3})/g)].map((m) => `${m[1]} ${m[2]}`)
      return asked.some((a) => a.endsWith(' 200')) && asked.some((a) => a.endsWith(' 409')) && asked
    })
    const granted = new Set(lease.filter((a) => a.endsWith(' 200')).map((a) => a.split(' ')[0]))
    const denied = new Set(lease.filter((a) => a.endsWith(' 409')).map((a) => a.split(' ')[0]))
    expect(granted.size).toBe(1)
    expect([...denied].some((id) => !granted.has(id))).toBe(true)

    // One owner down: consistency=all count stats are a partial write.
    expect((await dev('kill', 'data-1')).code).toBe(0)
    await until('the stats service\'s partial write', () => /msg="error writing count stats for rdb: partial write" .*service=stats/.test(readFileSync(d2.logPath, 'utf8')), 30_000)

    // Every line of the new services is in the catalogue.
    const s = await summarize([d2.logPath, d1.logPath, meta.logPath])
    const mine = s.unknown.templates.filter((t) => /service=(?:monitor|stats|continuous_querier)|lease\?/.test(t.example))
    expect(mine).toEqual([])
    expect(s.lease.grants).toBeGreaterThan(0)
    expect(s.lease.denials).toBeGreaterThan(0)
  }, 120_000)

  it('legacy: the same lines in the 1.0-1.1 shape, as the FAQ quotes them', async () => {
    const {dev, d1, d2, meta} = await cluster('legacy')
    await setUpWorkload(d2.httpAddr)
    const legacyLease = /GET \/lease\?name=continuous_querier&node_id=(\d+) HTTP\/1\.1 (200|409) \d+ - InfluxDB Meta Client /g
    await until('200 and 409 lease lines', () => {
      const got = [...readFileSync(meta.logPath, 'utf8').matchAll(legacyLease)].map((m) => m[2])
      return got.includes('200') && got.includes('409')
    }, 30_000)
    await until('a CQ run', () => /\[continuous_querier\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d finished continuous query cq1 \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC to .* UTC\) in \S+/.test(readFileSync(d1.logPath, 'utf8') + readFileSync(d2.logPath, 'utf8')), 30_000)
    expect(readFileSync(d2.logPath, 'utf8')).toMatch(/\[monitor\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Storing statistics in database '_internal' retention policy 'monitor', at interval 1s\n/)
    expect((await dev('kill', 'data-1')).code).toBe(0)
    await until('the seed line', () => /\[stats\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d error writing count stats for rdb: partial write\n/.test(readFileSync(d2.logPath, 'utf8')), 30_000)
    const s = await summarize([d2.logPath, d1.logPath, meta.logPath])
    const mine = s.unknown.templates.filter((t) => /\[(?:monitor|stats|continuous_querier)\]|lease\?/.test(t.example))
    expect(mine).toEqual([])
  }, 120_000)
})
