// Data nodes of a real dev cluster (`medic dev up --detach --meta 1 --data 2`, run through the CLI) against the
// clients operators really use (issue 10, "Real clients", "Reliability and bad input"):
//   - the `influx` 1.x CLI (Debian influxdb-client), python3-influxdb (InfluxDBClient) and npm `influx` (node-influx):
//     create a database, write with each precision and consistency, read back (epoch, chunked, CSV, bind parameters),
//     and see a missing database and a field type conflict as errors with influxd's messages;
//   - CSV and gzip answers over plain fetch; points written on data-1 read back on data-2 with exact values;
//   - `medic status`, `ctl show` and `config check` treat the nodes as a real cluster's;
//   - bad input gets influxd's status and the node keeps answering /ping;
//   - data-2 SIGKILLed while a client writes to data-1 (RF 2, consistency any/one): every acknowledged point is there
//     after data-2 is restarted and hinted handoff has drained, on both nodes;
//   - every line both data nodes wrote is recognised by `medic logs summarize`, in logfmt and in legacy-level.
// A client that is not installed skips its test and says why. One cluster per describe, reused by its tests.
import {execFile} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'
import {medic, oneJson} from '../../helpers/cli.js'
import {httpRequest} from '../../helpers/http.js'

interface DevNode {name: string; kind: 'meta' | 'data'; httpAddr: string; pid: number; logPath: string; configPath: string; rpcAddr?: string}
interface Cluster {dir: string; meta: DevNode; data: DevNode[]; dev: (...args: string[]) => ReturnType<typeof medic>; down: () => Promise<void>}

const INFLUX_CLI = ['/usr/bin/influx', '/usr/local/bin/influx'].find((p) => existsSync(p))
const PYTHON = '/usr/bin/python3'

function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(cmd, args, {timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024}, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as {code?: unknown}).code === 'number' ? (err as {code: number}).code : -1
      resolve({code, stdout: String(stdout), stderr: String(stderr)})
    })
  })
}

/** Why python3-influxdb cannot be used, or undefined. */
async function pythonMissing(): Promise<string | undefined> {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`
  const r = await run(PYTHON, ['-c', 'import influxdb, sys; sys.stdout.write(influxdb.__version__)'])
  return r.code === 0 ? undefined : `python3-influxdb is not importable by ${PYTHON} (apt-get install python3-influxdb)`
}

function nodeInfluxMissing(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('influx')
    return undefined
  } catch {
    return 'the npm package influx (node-influx) is not installed (npm ci installs the devDependencies)'
  }
}

async function upCluster(prefix: string, extra: string[] = []): Promise<Cluster> {
  const t = tempClusterDir(prefix)
  const dir = t.dir
  const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 90_000})
  const up = await dev('up', '--detach', '--meta', '1', '--data', '2', '--base-port', String(await freeBase(1, 2)), '--json', ...extra)
  const down = async () => {
    if (existsSync(join(dir, 'cluster.json'))) await dev('down', '--purge', '--grace', '2s')
    t.remove()
  }
  if (up.code !== 0) {
    await down()
    throw new Error(`dev up failed (${up.code}): ${up.stdout}${up.stderr}`)
  }
  const nodes = (oneJson(up.stdout) as unknown as {nodes: DevNode[]}).nodes
  return {dir, dev, down, meta: nodes.find((n) => n.kind === 'meta')!, data: nodes.filter((n) => n.kind === 'data')}
}

async function q(addr: string, params: Record<string, string>, init: {method?: string; headers?: Record<string, string>} = {}) {
  return httpRequest(init.method ?? 'GET', `http://${addr}/query?${new URLSearchParams(params)}`, {headers: init.headers, timeoutMs: 30_000})
}

async function write(addr: string, params: Record<string, string>, body: string | Buffer, headers: Record<string, string> = {}) {
  return httpRequest('POST', `http://${addr}/write?${new URLSearchParams(params)}`, {body, headers, timeoutMs: 30_000})
}

/** `medic logs summarize --json` of both data nodes' logs: the unknown lines' templates and examples. */
async function unknownLines(c: Cluster): Promise<{count: number; templates: Array<{template: string; example: string}>; lines: number}> {
  const r = await medic(['logs', 'summarize', ...c.data.map((n) => n.logPath), '--json'], {timeoutMs: 60_000})
  expect([0, 3], r.stderr).toContain(r.code)
  const doc = oneJson(r.stdout) as {input: {lines: number}; unknown: {lines: number; templates: Array<{template: string; example: string}>}}
  return {count: doc.unknown.lines, templates: doc.unknown.templates.map((t) => ({template: t.template, example: t.example})), lines: doc.input.lines}
}

describe('data nodes against real clients (1 meta + 2 data, logfmt)', () => {
  let c: Cluster
  let d1: string
  let d2: string
  beforeAll(async () => {
    c = await upCluster('medic-data-clients-')
    ;[d1, d2] = c.data.map((n) => n.httpAddr)
  }, 120_000)
  afterAll(async () => c?.down(), 60_000)

  it.skipIf(INFLUX_CLI === undefined)('the influx CLI: create, insert with each precision and consistency, csv/json reads, SHOW, errors', async () => {
    const [host, port] = d1.split(':')
    const influx = (...args: string[]) => run(INFLUX_CLI!, ['-host', host, '-port', port, ...args])
    expect((await influx('-execute', 'CREATE DATABASE cli')).code).toBe(0)
    const inserts: Array<[string, string, string]> = [
      ['s', 'one', 'INSERT cpu,host=s,region=eu value=1.5,count=1i 1700000000'],
      ['ms', 'quorum', 'INSERT cpu,host=ms,region=eu value=2.5,count=2i 1700000000001'],
      ['ns', 'all', 'INSERT cpu,host=ns,region=us value=3.5,count=3i 1700000000000000002'],
      ['ns', 'any', 'INSERT mem,host=ns used=42i,label="a \\"quoted\\" one" 1700000000000000003'],
    ]
    for (const [precision, consistency, stmt] of inserts) {
      const r = await influx('-database', 'cli', '-precision', precision, '-consistency', consistency, '-execute', stmt)
      expect([r.code, r.stdout, r.stderr]).toEqual([0, '', ''])
    }
    // Read back on the other data node: csv (rfc3339 and ns epochs) and json.
    const [h2, p2] = d2.split(':')
    const influx2 = (...args: string[]) => run(INFLUX_CLI!, ['-host', h2, '-port', p2, '-database', 'cli', ...args])
    const csv = await influx2('-format', 'csv', '-precision', 'rfc3339', '-execute', 'SELECT value, count, host FROM cpu')
    expect(csv.code, csv.stderr).toBe(0)
    expect(csv.stdout.trim().split('\n')).toEqual([
      'name,time,value,count,host',
      'cpu,2023-11-14T22:13:20Z,1.5,1,s',
      'cpu,2023-11-14T22:13:20.000000002Z,3.5,3,ns',
      'cpu,2023-11-14T22:13:20.001Z,2.5,2,ms',
    ])
    const json = await influx2('-format', 'json', '-execute', 'SELECT * FROM mem')
    expect(JSON.parse(json.stdout)).toEqual({results: [{series: [{name: 'mem', columns: ['time', 'host', 'label', 'used'], values: [[1700000000000000003, 'ns', 'a "quoted" one', 42]]}]}]})
    const show = async (stmt: string) => {
      const r = await influx2('-format', 'json', '-execute', stmt)
      expect(r.code, `${stmt}: ${r.stderr}`).toBe(0)
      return JSON.parse(r.stdout) as {results: Array<{series?: Array<{name?: string; columns: string[]; values: unknown[][]}>}>}
    }
    expect((await show('SHOW MEASUREMENTS')).results[0].series![0].values).toEqual([['cpu'], ['mem']])
    expect((await show('SHOW SERIES')).results[0].series![0].values).toEqual([['cpu,host=ms,region=eu'], ['cpu,host=ns,region=us'], ['cpu,host=s,region=eu'], ['mem,host=ns']])
    expect((await show('SHOW TAG KEYS FROM cpu')).results[0].series![0].values).toEqual([['host'], ['region']])
    expect((await show('SHOW FIELD KEYS FROM cpu')).results[0].series![0].values).toEqual([['count', 'integer'], ['value', 'float']])
    expect((await show('SHOW RETENTION POLICIES')).results[0].series![0].values).toEqual([['autogen', '0s', '168h0m0s', 2, true]])
    const shards = (await show('SHOW SHARDS')).results[0].series!.find((s) => s.name === 'cli')!
    expect(shards.columns).toEqual(['id', 'database', 'retention_policy', 'shard_group', 'start_time', 'end_time', 'expiry_time', 'owners'])
    expect(shards.values.length).toBeGreaterThan(0)
    for (const row of shards.values) expect(String(row[7]).split(',').sort()).toHaveLength(2)

    // Errors: a missing database (query and insert), a type conflict, bad InfluxQL.
    const missing = await influx('-database', 'nope', '-execute', 'SELECT * FROM cpu')
    expect(missing.code).toBe(1)
    expect(missing.stdout + missing.stderr).toContain('database not found: nope')
    const missingInsert = await influx('-database', 'nope', '-execute', 'INSERT cpu value=1')
    expect(missingInsert.stdout).toContain('ERR: {"error":"database not found: \\"nope\\""}')
    const conflict = await influx('-database', 'cli', '-precision', 's', '-execute', 'INSERT cpu,host=s,region=eu value="text" 1700000000')
    expect(conflict.stdout).toContain('ERR: {"error":"partial write: field type conflict: input field \\"value\\" on measurement \\"cpu\\" is type string, already exists as type float dropped=1"}')
    const bad = await influx('-database', 'cli', '-execute', 'SELEC * FROM cpu')
    expect(bad.code).toBe(1)
    expect(bad.stdout + bad.stderr).toContain('error parsing query: found SELEC, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1')
  }, 90_000)

  it('python3-influxdb: create_database, write_points with each precision and consistency, epoch, chunked, bind_params, errors', async (ctx) => {
    const why = await pythonMissing()
    if (why !== undefined) {
      console.warn(`skipped: ${why}`)
      ctx.skip()
    }
    const script = join(c.dir, '..', 'client.py')
    writeFileSync(script, `
import json, sys
from influxdb import InfluxDBClient
from influxdb.exceptions import InfluxDBClientError
w_host, w_port, r_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = {}
c = InfluxDBClient(w_host, w_port, database='py')
c.create_database('py')
mult = {'s': 1, 'ms': 10**3, 'u': 10**6, 'n': 10**9}
for i, p in enumerate(['s', 'ms', 'u', 'n']):
    for j, cons in enumerate(['any', 'one', 'quorum', 'all']):
        k = i * 4 + j
        ok = c.write_points([{'measurement': 'm', 'tags': {'p': p, 'c': cons}, 'fields': {'f': k + 0.25, 'i': k, 's': 'v %d' % k, 'b': k % 2 == 0}, 'time': (1700000000 + k) * mult[p]}], time_precision=p, consistency=cons)
        assert ok is True
r = InfluxDBClient(w_host, r_port, database='py')
out['epoch_s'] = list(r.query('SELECT * FROM m', epoch='s').get_points())
out['bind'] = list(r.query('SELECT f, i FROM m WHERE p = $p AND c = $c', bind_params={'p': 'u', 'c': 'all'}, epoch='ms').get_points())
out['chunked'] = [list(rs.get_points()) for rs in r.query('SELECT i FROM m', chunked=True, chunk_size=5, epoch='n')]
try:
    c.write_points([{'measurement': 'm', 'tags': {'p': 's', 'c': 'any'}, 'fields': {'f': 'text'}, 'time': 1700000000}], time_precision='s')
    out['conflict'] = None
except InfluxDBClientError as e:
    out['conflict'] = [e.code, e.content]
try:
    InfluxDBClient(w_host, w_port, database='nope').query('SELECT * FROM m')
    out['missing_query'] = None
except InfluxDBClientError as e:
    out['missing_query'] = [e.code, str(e.content)]
try:
    InfluxDBClient(w_host, w_port, database='nope').write_points([{'measurement': 'm', 'fields': {'f': 1.0}}])
    out['missing_write'] = None
except InfluxDBClientError as e:
    out['missing_write'] = [e.code, e.content]
print(json.dumps(out))
`)
    const [host, port] = d1.split(':')
    const r = await run(PYTHON, [script, host, port, d2.split(':')[1]], 60_000)
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, any>
    const all = out.epoch_s as Array<Record<string, unknown>>
    expect(all).toHaveLength(16)
    // Sorted by time; k + 0.25 and booleans come back exactly; every precision landed on the same second grid.
    all.forEach((row, k) => expect(row).toEqual({time: 1700000000 + k, b: k % 2 === 0, c: ['any', 'one', 'quorum', 'all'][k % 4], f: k + 0.25, i: k, p: ['s', 'ms', 'u', 'n'][Math.floor(k / 4)], s: `v ${k}`}))
    expect(out.bind).toEqual([{time: 1700000011000, f: 11.25, i: 11}])
    expect(out.chunked.map((rows: unknown[]) => rows.length)).toEqual([5, 5, 5, 1])
    expect(out.chunked.flat().map((row: {i: number}) => row.i)).toEqual(Array.from({length: 16}, (_, k) => k))
    expect(out.conflict).toEqual([400, '{"error":"partial write: field type conflict: input field \\"f\\" on measurement \\"m\\" is type string, already exists as type float dropped=1"}\n'])
    // The query error is the statement's error inside a 200 answer: the client raises it without a status.
    expect(out.missing_query).toEqual([null, 'database not found: nope'])
    expect(out.missing_write).toEqual([404, '{"error":"database not found: \\"nope\\""}\n'])
  }, 90_000)

  it.skipIf(nodeInfluxMissing() !== undefined)('node-influx: createDatabase, writePoints with precision and retentionPolicy, query, getMeasurements, a type conflict', async () => {
    const Influx = createRequire(import.meta.url)('influx') as typeof import('influx')
    const [host, port] = d1.split(':')
    const client = new Influx.InfluxDB({host, port: Number(port), database: 'njs'})
    const reader = new Influx.InfluxDB({host, port: Number(d2.split(':')[1]), database: 'njs'})
    await client.createDatabase('njs')
    await client.createRetentionPolicy('week', {database: 'njs', duration: '7d', replication: 1})
    const minute = Math.floor(Date.now() / 60_000) * 60_000
    await client.writePoints([{measurement: 'cpu', tags: {host: 'a'}, fields: {v: 1.5, n: 3, ok: true, s: 'x'}, timestamp: 1700000000}], {precision: 's'})
    await client.writePoints([{measurement: 'cpu', tags: {host: 'b'}, fields: {v: 2.5, n: 4}, timestamp: minute}], {precision: 'ms', retentionPolicy: 'week'})
    await client.writePoints([{measurement: 'disk', tags: {host: 'c'}, fields: {free: 7}, timestamp: '1700000000000000123'}], {precision: 'n'})
    const autogen = await reader.query<{host: string; v: number; n: number; ok: boolean; s: string}>('SELECT * FROM cpu', {precision: 's'})
    expect(autogen.map((r) => ({...r}))).toEqual([{time: expect.anything(), host: 'a', n: 3, ok: true, s: 'x', v: 1.5}])
    expect(autogen[0].time.getNanoTime()).toBe('1700000000000000000')
    const week = await reader.query<{host: string; v: number}>('SELECT * FROM "week".cpu')
    expect(week.map((r) => [r.time.getTime(), r.host, r.v])).toEqual([[minute, 'b', 2.5]])
    const disk = await reader.query<{free: number}>('SELECT free FROM disk', {precision: 'n'})
    expect(disk[0].time.getNanoTime()).toBe('1700000000000000123')
    expect((await reader.getMeasurements()).sort()).toEqual(['cpu', 'disk'])
    expect((await reader.getDatabaseNames())).toEqual(expect.arrayContaining(['njs']))
    await expect(client.writePoints([{measurement: 'cpu', tags: {host: 'a'}, fields: {v: 'text'}, timestamp: 1700000000}], {precision: 's'}))
      .rejects.toThrow('partial write: field type conflict: input field \\"v\\" on measurement \\"cpu\\" is type string, already exists as type float dropped=1')
    await expect(client.query('SELECT * FROM cpu', {database: 'nope'})).rejects.toThrow('database not found: nope')
  }, 60_000)

  it('plain fetch: Accept: application/csv, gzip both ways, and exact values across nodes (RF 1: each node reads the other\'s shards)', async () => {
    expect((await q(d1, {q: 'CREATE DATABASE x WITH REPLICATION 1'}, {method: 'POST'})).status).toBe(200)
    const n = 200
    const big = 9007199254740993n // 2^53 + 1: not a double; Go prints it exactly
    const lines = Array.from({length: n}, (_, i) => `prec,host=h${i},sp=a\\ b f=${(i / 7).toPrecision(17)},i=${big + BigInt(i)}i,s="q\\"${i}",b=${i % 3 === 0} ${1700000000000000000n + BigInt(i)}`).join('\n')
    const w = await write(d1, {db: 'x'}, gzipSync(lines), {'content-encoding': 'gzip'})
    expect(w.status, w.text).toBe(204)
    // Both nodes own shards of the group: two shards, one owner each. data-2 learns of the group through its meta
    // long poll, a moment after data-1 created it.
    const shardRows = async () => ((await q(d2, {q: 'SHOW SHARDS'})).json.results[0].series as Array<{name: string; values?: unknown[][]}> | undefined)?.find((s) => s.name === 'x')?.values ?? []
    await until('data-2 sees the shard group', async () => (await shardRows()).length > 0, 10_000)
    const shards = await shardRows()
    expect(new Set(shards.map((r) => String(r[7])))).toEqual(new Set(['2', '3']))
    for (const addr of [d1, d2]) {
      const r = await httpRequest('GET', `http://${addr}/query?${new URLSearchParams({db: 'x', q: 'SELECT f, i, s, b FROM prec GROUP BY host'})}`, {timeoutMs: 30_000})
      expect(r.status).toBe(200)
      const series = r.json.results[0].series as Array<{tags: {host: string}; values: unknown[][]}>
      expect(series).toHaveLength(n)
      // The exact integers, from the raw text (JSON.parse would round them).
      for (let i = 0; i < n; i++) expect(r.text).toContain(`,${big + BigInt(i)},"q\\"${i}",${i % 3 === 0}]`)
      for (const s of series) {
        const i = Number(s.tags.host.slice(1))
        expect(s.values).toHaveLength(1)
        expect(s.values[0].slice(1)).toEqual([Number((i / 7).toPrecision(17)), Number(big + BigInt(i)), `q"${i}`, i % 3 === 0])
      }
    }
    // CSV, gzip-encoded answer.
    const csv = await fetch(`http://${d2}/query?${new URLSearchParams({db: 'x', q: 'SELECT count(f) FROM prec; SELECT f FROM prec WHERE host = \'h7\''})}`, {headers: {accept: 'application/csv', 'accept-encoding': 'gzip'}})
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toBe('text/csv') // what influxd 1.6.7 answers to Accept: application/csv
    expect(csv.headers.get('content-encoding')).toBe('gzip')
    expect((await csv.text()).split('\n')).toEqual(['name,tags,time,count', 'prec,,0,200', '', 'name,tags,time,f', 'prec,,1700000000000000007,1', ''])
    // Raw bytes through undici's request as well: the gzip body is a real gzip stream.
    const {request} = await import('undici')
    const raw = await request(`http://${d1}/query?${new URLSearchParams({db: 'x', q: 'SELECT count(*) FROM prec'})}`, {headers: {'accept-encoding': 'gzip'}})
    expect(raw.headers['content-encoding']).toBe('gzip')
    const doc = JSON.parse(gunzipSync(Buffer.from(await raw.body.arrayBuffer())).toString('utf8'))
    expect(doc.results[0].series[0]).toEqual({name: 'prec', columns: ['time', 'count_b', 'count_f', 'count_i', 'count_s'], values: [['1970-01-01T00:00:00Z', n, n, n, n]]})
  }, 60_000)

  it('medic status and ctl show list both data nodes with their versions; config check passes each data node\'s influxdb.conf', async () => {
    const status = await medic(['status', c.meta.httpAddr, '--json'])
    expect(status.code, status.stdout).toBe(0)
    const doc = oneJson(status.stdout) as {problems: unknown[]; nodes: Array<{role: string; address: string; version?: string; build?: string; state: string}>}
    expect(doc.problems).toEqual([])
    const data = doc.nodes.filter((n) => n.role === 'data')
    expect(data.map((n) => n.address).sort()).toEqual([d1, d2].sort())
    for (const n of data) expect(n).toMatchObject({state: 'ok', version: expect.stringMatching(/^1\.\d+\.\d+-c1\.\d+\.\d+$/), build: 'ENT'})
    const ctl = await medic(['ctl', 'show', '-m', c.meta.httpAddr])
    expect(ctl.code).toBe(0)
    const dataSection = ctl.stdout.split('Meta Nodes')[0]
    for (const n of c.data) expect(dataSection).toMatch(new RegExp(`${n.rpcAddr}\\s+${n.httpAddr}\\s+1\\.\\d+\\.\\d+-c1\\.\\d+\\.\\d+`))
    for (const n of c.data) {
      const check = await medic(['config', 'check', n.configPath])
      expect(check.code, check.stdout).toBe(0)
      expect(check.stdout).toContain('data node')
    }
  }, 60_000)

  it('bad input against a live data node: influxd\'s statuses and messages, and /ping still answers', async () => {
    expect((await q(d1, {q: 'CREATE DATABASE bad'}, {method: 'POST'})).status).toBe(200)
    const lp: Array<[string, number, string]> = [
      ['cpu', 400, 'unable to parse \'cpu\': missing fields'],
      ['cpu value=', 400, 'unable to parse \'cpu value=\': missing field value'],
      ['cpu,host value=1', 400, 'unable to parse \'cpu,host value=1\': missing tag value'],
      ['cpu value=1 12abc', 400, 'unable to parse \'cpu value=1 12abc\': bad timestamp'],
      ['cpu value="open', 400, 'unable to parse \'cpu value="open\': unbalanced quotes'],
      ['cpu value=1i2', 400, 'unable to parse \'cpu value=1i2\': invalid number'],
      ['cpu value=tru', 400, 'unable to parse \'cpu value=tru\': invalid boolean'],
      ['cpu,host=a,host=b value=1', 400, 'unable to parse \'cpu,host=a,host=b value=1\': duplicate tags'],
      [',host=a value=1', 400, 'unable to parse \',host=a value=1\': missing measurement'],
    ]
    for (const [body, status, error] of lp) {
      const r = await write(d1, {db: 'bad'}, body)
      expect([body, r.status, r.json?.error]).toEqual([body, status, error])
    }
    // Invalid UTF-8 in a tag and a string: accepted, as influxd does (it does not check encodings).
    const utf = await write(d1, {db: 'bad'}, Buffer.concat([Buffer.from('utf,t='), Buffer.from([0xff, 0xfe]), Buffer.from(' s="'), Buffer.from([0xc3]), Buffer.from('" 1')]))
    expect(utf.status).toBe(204)
    // Over max-body-size (25,000,000 bytes in the generated config).
    const huge = await write(d1, {db: 'bad'}, Buffer.alloc(25_000_001, 'a'))
    expect([413, 0]).toContain(huge.status)
    if (huge.status === 413) expect(huge.json).toEqual({error: 'Request Entity Too Large'})
    // Unknown database and retention policy.
    expect(await write(d1, {db: 'nope'}, 'm v=1')).toMatchObject({status: 404, json: {error: 'database not found: "nope"'}})
    expect(await write(d1, {db: 'bad', rp: 'nope'}, 'm v=1')).toMatchObject({status: 500, json: {error: 'retention policy not found: nope'}})
    // Bad InfluxQL, and 10,000 statements in one request.
    expect(await q(d1, {db: 'bad', q: 'SELECT FROM'})).toMatchObject({status: 400, json: {error: 'error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8'}})
    const many = await httpRequest('POST', `http://${d2}/query`, {body: new URLSearchParams({q: Array.from({length: 10_000}, () => 'SHOW DATABASES').join(';')}).toString(), headers: {'content-type': 'application/x-www-form-urlencoded'}, timeoutMs: 60_000})
    expect(many.status).toBe(200)
    expect(many.json.results).toHaveLength(10_000)
    for (const addr of [d1, d2]) expect((await httpRequest('GET', `http://${addr}/ping`)).status).toBe(204)
  }, 60_000)

  it('SIGKILL of data-2 while a client writes to data-1 (RF 2, consistency any/one): every acknowledged point is there after the restart', async () => {
    expect((await q(d1, {q: 'CREATE DATABASE rel'}, {method: 'POST'})).status).toBe(200)
    const perBatch = 100
    const acked: number[] = []
    const failed: Array<{batch: number; status: number; error: string}> = []
    let writing = true
    let batch = 0
    const t0 = 1_700_000_000_000_000_000n
    const writer = async () => {
      while (writing) {
        const b = batch++
        const body = Array.from({length: perBatch}, (_, i) => `rel,batch=b${b},host=h${i % 10} v=${b * perBatch + i}i ${t0 + BigInt(b * perBatch + i)}`).join('\n')
        const r = await write(d1, {db: 'rel', consistency: b % 2 === 0 ? 'any' : 'one'}, body)
        if (r.status === 204) acked.push(b)
        else failed.push({batch: b, status: r.status, error: r.text.slice(0, 200)})
      }
    }
    const writers = [writer(), writer()]
    await until('writes flowing', () => acked.length >= 10, 30_000)
    expect((await c.dev('kill', 'data-2')).code).toBe(0)
    const atKill = acked.length
    await until('writes acknowledged with data-2 down', () => acked.length >= atKill + 20, 60_000)
    expect((await c.dev('start', 'data-2')).code).toBe(0)
    await until('data-2 answering again', async () => (await httpRequest('GET', `http://${d2}/ping`, {timeoutMs: 1000})).status === 204, 60_000)
    const atStart = acked.length
    await until('writes acknowledged after the restart', () => acked.length >= atStart + 10, 60_000)
    writing = false
    await Promise.all(writers)
    console.log(`reliability: ${acked.length} batches acknowledged, ${failed.length} failed${failed.length ? ` (first: ${JSON.stringify(failed[0])})` : ''}`)

    // Each node, once hinted handoff has drained to data-2, holds every acknowledged batch whole.
    const counts = async (addr: string) => {
      const r = await q(addr, {db: 'rel', q: 'SELECT count(v) FROM rel GROUP BY batch'})
      if (r.status !== 200) return undefined
      const m = new Map<number, number>()
      for (const s of (r.json.results[0].series ?? []) as Array<{tags: {batch: string}; values: number[][]}>) m.set(Number(s.tags.batch.slice(1)), s.values[0][1])
      return m
    }
    for (const addr of [d1, d2]) {
      const got = await until(`${addr} to hold every acknowledged batch`, async () => {
        const m = await counts(addr)
        return m !== undefined && acked.every((b) => m.get(b) === perBatch) ? m : undefined
      }, 90_000, 250)
      expect(acked.filter((b) => got.get(b) !== perBatch)).toEqual([])
      // A batch that got an error is stored whole or not at all (never half).
      for (const f of failed) expect([undefined, perBatch]).toContain(got.get(f.batch))
      // Nothing that was never sent.
      expect([...got.keys()].filter((b) => b >= batch)).toEqual([])
    }
  }, 240_000)

  it('every line both data nodes wrote is recognised by medic (logs summarize: no unknown lines)', async () => {
    const u = await unknownLines(c)
    expect(u.lines).toBeGreaterThan(50)
    expect(u.templates).toEqual([])
    expect(u.count).toBe(0)
  }, 60_000)
})

describe('data nodes logging in legacy-level (1.2-1.4 shape)', () => {
  let c: Cluster
  beforeAll(async () => {
    c = await upCluster('medic-data-legacy-', ['--log-format', 'legacy-level'])
  }, 120_000)
  afterAll(async () => c?.down(), 60_000)

  it('writes, queries, errors and a restart: every line is recognised', async () => {
    const [d1, d2] = c.data.map((n) => n.httpAddr)
    expect((await q(d1, {q: 'CREATE DATABASE lg'}, {method: 'POST'})).status).toBe(200)
    expect((await write(d1, {db: 'lg'}, 'cpu,host=a v=1 1700000000000000000\ncpu,host=b v=2 1700000000000000001')).status).toBe(204)
    expect((await write(d1, {db: 'lg'}, 'cpu,host=a v="x" 1700000000000000000')).status).toBe(400)
    expect((await write(d1, {db: 'lg'}, 'cpu v=')).status).toBe(400)
    expect((await write(d1, {db: 'nope'}, 'cpu v=1')).status).toBe(404)
    expect((await q(d2, {db: 'lg', q: 'SELECT * FROM cpu'})).status).toBe(200)
    expect((await q(d2, {db: 'lg', q: 'SELEC'})).status).toBe(400)
    expect((await httpRequest('GET', `http://${d2}/status`)).status).toBe(204)
    expect((await c.dev('stop', 'data-2')).code).toBe(0)
    expect((await c.dev('start', 'data-2')).code).toBe(0)
    await until('data-2 answering again', async () => (await httpRequest('GET', `http://${d2}/ping`, {timeoutMs: 1000})).status === 204, 60_000)
    expect((await write(d1, {db: 'lg'}, 'cpu,host=c v=3 1700000000000000002')).status).toBe(204)
    const u = await unknownLines(c)
    expect(u.lines).toBeGreaterThan(20)
    expect(u.templates).toEqual([])
  }, 120_000)
})
