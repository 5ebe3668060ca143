// The executor's own contracts, beyond what the influxd conformance test compares: how reads are spread over shard
// owners, what travels over the RPC and how partial results merge, failures of remote nodes, the collaborators for
// INTO, DELETE and DROP, continuous queries printed like influxd, and exact 64-bit integers.
import {describe, expect, it} from 'vitest'
import {
  type QueryExecutor, type Result, type ShardPartial, type ShardQuery, decodePartial, encodePartial, formatForAccept, mergePartials, parseQueryRequest,
  QueryExecutor as Executor, renderResponse, runShardQuery,
} from '../../../../src/devcluster/data/query/index.js'
import {GoHeap, goSort, parallelMergeOrder} from '../../../../src/devcluster/data/query/go-order.js'
import {MemCluster} from './mem-cluster.js'
import type {Point} from './mem-store.js'

const S = 1_000_000_000n
const BASE = 1552251600n * S // 2019-03-10T21:00:00Z
const NOW = (): bigint => BASE + 7200n * S

async function run(ex: QueryExecutor, q: string, opts: {db?: string; post?: boolean; chunkSize?: number; params?: string} = {}): Promise<Result[]> {
  const req = parseQueryRequest(q, opts.params)
  if (!req.ok) throw new Error(req.error)
  const out: Result[] = []
  for await (const r of ex.execute(req.statements, {database: opts.db ?? 'db', retentionPolicy: '', chunkSize: opts.chunkSize ?? 10000, readOnly: opts.post !== true})) out.push(r)
  return out
}

/** The /query body without its final newline. */
const body = (results: Result[], epoch?: string): string => renderResponse(results, {format: formatForAccept(undefined), pretty: false, chunked: false, epoch}).trimEnd()

function points(): Point[] {
  const out: Point[] = []
  for (let i = 0n; i < 120n; i++) {
    for (const host of ['a', 'b', 'c', 'd']) {
      out.push({measurement: 'cpu', tags: {host}, fields: {v: Number(i % 7n) + 0.5, n: i}, time: BASE + i * 60n * S})
    }
  }
  return out
}

async function cluster(nodes: number[], replicaN = 1): Promise<MemCluster> {
  const c = new MemCluster(nodes)
  await c.meta.createDatabase('db', {replicaN})
  c.write('db', undefined, points())
  return c
}

describe('reads spread over shard owners', () => {
  it('asks each remote owner once per statement and answers like a single node', async () => {
    const one = await cluster([1])
    const three = await cluster([1, 2, 3])
    const q = 'SELECT count(v), sum(n), mean(v), max(v), first(v), last(n), spread(n), median(v), percentile(n, 90), stddev(n) FROM cpu GROUP BY host'
    const want = body(await run(one.executor(1, NOW), q))
    const got = body(await run(three.executor(1, NOW), q))
    expect(got).toBe(want)
    // Per remote owner: one request for the field types (planning), one for the data.
    expect(three.remoteCalls.map((r) => `${r.node}:${r.query.kind}`).sort()).toEqual(['2:fields', '2:select', '3:fields', '3:select'])
  })

  it('reads a replicated shard from the local owner, without remote calls', async () => {
    const c = await cluster([1, 2], 2)
    const res = await run(c.executor(2, NOW), 'SELECT count(v) FROM cpu')
    expect(body(res)).toContain('[["1970-01-01T00:00:00Z",480]]')
    expect(c.remoteCalls).toEqual([])
  })

  it('turns a failing remote owner into the statement\'s error, and runs the next statement', async () => {
    const c = await cluster([1, 2])
    const ex = new Executor({
      meta: c.meta, metaCommands: c.meta, nodeId: 1, now: NOW,
      local: {reader: (id) => c.shards.get(1)?.get(id)},
      remote: async () => {
        throw new Error('dial tcp 127.0.0.1:8088: connect: connection refused')
      },
    })
    expect(body(await run(ex, 'SELECT count(v) FROM cpu'))).toBe('{"results":[{"statement_id":0,"error":"dial tcp 127.0.0.1:8088: connect: connection refused"}]}')
    // With statements after it, influxd's executor sends "not executed" under the failed statement's own id, which
    // the handler puts in place of the error, and stops: the executor does the same.
    expect(body(await run(ex, 'SELECT count(v) FROM cpu; SHOW DATABASES'))).toBe('{"results":[{"statement_id":0,"error":"not executed"}]}')
  })

  it('refuses a remote answer of the wrong kind instead of merging it', async () => {
    const c = await cluster([1, 2])
    const ex = new Executor({
      meta: c.meta, metaCommands: c.meta, nodeId: 1, now: NOW,
      local: {reader: (id) => c.shards.get(1)?.get(id)},
      remote: async () => ({kind: 'series', series: new Map()}) as ShardPartial,
    })
    const res = await run(ex, 'SELECT count(v) FROM cpu')
    expect(res[0].error).toMatch(/cannot merge/)
  })
})

describe('shard queries and partial results', () => {
  it('travel as JSON and merge to the same answer in any order', async () => {
    const c = await cluster([1, 2, 3])
    const ex = c.executor(1, NOW)
    await run(ex, 'SELECT mean(v), sum(n), count(n), min(v), percentile(n, 50) FROM cpu WHERE time >= 1552251600000000000 AND time < 1552258800000000000 GROUP BY time(10m), host fill(none)')
    const request = JSON.parse(JSON.stringify(c.remoteCalls.find((r) => r.query.kind === 'select')!.query)) as Extract<ShardQuery, {kind: 'select'}>
    // Every node answers the same request for its own shards; partials merge in either order.
    const parts = [1, 2, 3].map((n) => runShardQuery(c.readers(n), {...request, sources: request.sources.map((s) => ({...s, shardIds: [...c.readers(n).keys()]}))}))
    const wire = parts.map((p) => decodePartial(JSON.parse(JSON.stringify(encodePartial(p)))))
    const ab = mergePartials(request, mergePartials(request, wire[0], wire[1]), wire[2])
    const ba = mergePartials(request, wire[2], mergePartials(request, wire[1], wire[0]))
    // Groups are keyed (their order in the map does not matter); every group must be the same.
    const groups = (p: ShardPartial): string[] => (encodePartial(p) as {groups: unknown[]}).groups.map((g) => JSON.stringify(g)).sort()
    expect(groups(ab)).toEqual(groups(ba))
    expect(groups(ab)).toHaveLength(4)
  })

  it('keep 64-bit integers exact across nodes and wrap sums like Go', async () => {
    const c = new MemCluster([1, 2])
    await c.meta.createDatabase('db', {})
    const big = 9_223_372_036_854_775_807n
    c.write('db', undefined, [
      {measurement: 'm', tags: {k: 'x'}, fields: {i: big}, time: BASE},
      {measurement: 'm', tags: {k: 'y'}, fields: {i: big - 1n}, time: BASE + S},
      {measurement: 'm', tags: {k: 'z'}, fields: {i: 2n}, time: BASE + 2n * S},
    ])
    const ex = c.executor(1, NOW)
    expect(body(await run(ex, 'SELECT max(i), min(i) FROM m'))).toContain('9223372036854775807,2]')
    // Go's int64 sum wraps: MaxInt64 + MaxInt64-1 + 2 = -1 + 2 - 2^64... = 1 (mod 2^64 as signed).
    expect(body(await run(ex, 'SELECT sum(i) FROM m'))).toContain('[["1970-01-01T00:00:00Z",-9223372036854775808]]'.replace('-9223372036854775808', String(BigInt.asIntN(64, big + big - 1n + 2n))))
    expect(body(await run(ex, 'SELECT i FROM m WHERE k = \'x\''))).toContain(',9223372036854775807]')
  })
})

describe('statements that change data go to their collaborators', () => {
  it('SELECT INTO writes the rows as points and answers with the count', async () => {
    const c = await cluster([1])
    const res = await run(c.executor(1, NOW), 'SELECT mean(v) INTO db.autogen.cpu_10m FROM cpu WHERE time >= 1552251600000000000 AND time < 1552255200000000000 GROUP BY time(10m), host', {post: true})
    expect(body(res)).toBe('{"results":[{"statement_id":0,"series":[{"name":"result","columns":["time","written"],"values":[["1970-01-01T00:00:00Z",24]]}]}]}')
    expect(c.written).toHaveLength(1)
    expect(c.written[0]).toMatchObject({database: 'db', rp: 'autogen'})
    expect(c.written[0].points[0]).toMatchObject({measurement: 'cpu_10m', tags: {host: 'a'}, time: BASE})
  })

  it('DELETE, DROP SERIES and DROP MEASUREMENT are passed on with their condition and time range', async () => {
    const c = await cluster([1])
    const ex = c.executor(1, NOW)
    await run(ex, 'DELETE FROM cpu WHERE host = \'a\' AND time < 1552255200000000000; DROP SERIES FROM /c.u/ WHERE host = \'b\'; DROP MEASUREMENT cpu', {post: true})
    expect(c.deletes.map((d) => ({m: d.measurements, drop: d.dropSeries, end: d.end, cond: d.condition !== undefined}))).toEqual([
      {m: [{name: 'cpu'}], drop: false, end: '1552255199999999999', cond: true},
      {m: [{regex: 'c.u'}], drop: true, end: undefined, cond: true},
      {m: [{name: 'cpu'}], drop: true, end: undefined, cond: false},
    ])
  })

  it('prints continuous queries as influxd 1.6.7 stores them', async () => {
    // The SHOW CONTINUOUS QUERIES texts influxd 1.6.7 answered for these statements (database t2).
    const cases: Array<[string, string]> = [
      ['SELECT mean(value) INTO b FROM c GROUP BY time(1m)', 'SELECT mean(value) INTO t2.autogen.b FROM t2.autogen.c GROUP BY time(1m)'],
      ['SELECT mean("value") AS m, max(v) - min(v) AS "range x" INTO "db"."rp"."out m" FROM cpu WHERE host = \'a\' AND region =~ /^us-.*$/ GROUP BY time(5m, 1m), host fill(0)',
        'SELECT mean(value) AS m, max(v) - min(v) AS "range x" INTO db.rp."out m" FROM t2.autogen.cpu WHERE host = \'a\' AND region =~ /^us-.*$/ GROUP BY time(5m, 1m), host fill(0)'],
      ['SELECT percentile(v, 99.5), sum(v) / 3 INTO b FROM db.rp.cpu, mem GROUP BY time(1h) fill(previous)',
        'SELECT percentile(v, 99.500), sum(v) / 3 INTO t2.autogen.b FROM db.rp.cpu, t2.autogen.mem GROUP BY time(1h) fill(previous)'],
      ['SELECT max(v::float) INTO b FROM cpu WHERE time >= \'2019-01-01T00:00:00Z\' AND time < \'2019-01-02T00:00:00.5Z\' GROUP BY time(1d), "tag key" fill(null)',
        'SELECT max(v::float) INTO t2.autogen.b FROM t2.autogen.cpu WHERE time >= \'2019-01-01T00:00:00Z\' AND time < \'2019-01-02T00:00:00.5Z\' GROUP BY time(1d), "tag key"'],
      ['SELECT median(v) INTO b FROM cpu WHERE host = \'a\' AND time > now() - 7d GROUP BY time(1h, -10m)',
        'SELECT median(v) INTO t2.autogen.b FROM t2.autogen.cpu WHERE host = \'a\' AND time > now() - 1w GROUP BY time(1h, -10m)'],
      ['SELECT sum(v) % 2, -mean(v), mean(v) & 3 | 4 ^ 5 INTO b FROM cpu GROUP BY time(1m)',
        'SELECT sum(v) % 2, -1 * mean(v), mean(v) & 3 | 4 ^ 5 INTO t2.autogen.b FROM t2.autogen.cpu GROUP BY time(1m)'],
    ]
    const c = new MemCluster([1])
    await c.meta.createDatabase('t2', {})
    // The influxd these were recorded on also had database db with a policy rp.
    await c.meta.createDatabase('db', {})
    await c.meta.createRetentionPolicy('db', {name: 'rp', duration: 48 * 3600_000, replicaN: 1}, false)
    const ex = c.executor(1, NOW)
    for (const [i, [select]] of cases.entries()) {
      const res = await run(ex, `CREATE CONTINUOUS QUERY cq${i} ON t2 BEGIN ${select} END`, {db: 't2', post: true})
      expect(res[0].error, select).toBeUndefined()
    }
    const shown = (await run(ex, 'SHOW CONTINUOUS QUERIES', {db: 't2'}))[0].series!.find((s) => s.name === 't2')!.values
    expect(shown).toEqual(cases.map(([, want], i) => [`cq${i}`, `CREATE CONTINUOUS QUERY cq${i} ON t2 BEGIN ${want} END`]))
  })
})

describe('response bodies', () => {
  it('cuts series into chunks with partial flags and prints epochs as integers', async () => {
    const c = await cluster([1])
    const res = await run(c.executor(1, NOW), 'SELECT n FROM cpu WHERE host = \'a\' LIMIT 5', {chunkSize: 2})
    const chunked = renderResponse(res, {format: formatForAccept(undefined), pretty: false, chunked: true, epoch: 's'})
    expect(chunked.trimEnd().split('\n')).toEqual([
      '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","n"],"values":[[1552251600,0],[1552251660,1]],"partial":true}],"partial":true}]}',
      '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","n"],"values":[[1552251720,2],[1552251780,3]],"partial":true}],"partial":true}]}',
      '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","n"],"values":[[1552251840,4]]}]}]}',
    ])
    // Not chunked: influxd's handler merges the chunks of a series back into one, and keeps the first chunk's
    // "partial" on the series (it does so past 10,000 rows; the conformance test sees it on SELECT * FROM cpu).
    expect(body(res, 'ms')).toBe('{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","n"],"values":[[1552251600000,0],[1552251660000,1],[1552251720000,2],[1552251780000,3],[1552251840000,4]],"partial":true}]}]}')
  })

  it('writes CSV in influxd\'s name,tags,time,... layout', async () => {
    const c = await cluster([1])
    const res = await run(c.executor(1, NOW), 'SELECT max(n) FROM cpu WHERE host =~ /a|b/ GROUP BY host')
    const csv = renderResponse(res, {format: formatForAccept('application/csv'), pretty: false, chunked: false})
    expect(csv).toBe('name,tags,time,max\ncpu,host=a,1552258740000000000,119\ncpu,host=b,1552258740000000000,119\n')
  })
})

describe('Go orders replayed', () => {
  it('container/heap pops equal keys in Go\'s order', () => {
    const h = new GoHeap(['a', 'b', 'c'].map((name) => ({name, key: 0})), (x, y) => x.key < y.key)
    h.init()
    const first = h.pop()
    h.push({name: first.name + "'", key: 1})
    // influxd answered a, c, b for three series with equal times (see the conformance test).
    expect([first.name, h.pop().name, h.pop().name]).toEqual(['a', 'c', 'b'])
  })

  it('sort.Sort (pdqsort) sorts, and leaves equal keys in a fixed, Go-defined order', () => {
    const keys = Array.from({length: 500}, (_, i) => (i * 7919) % 13)
    const idx = keys.map((_, i) => i)
    goSort({less: (i, j) => keys[idx[i]] < keys[idx[j]], swap: (i, j) => void ([idx[i], idx[j]] = [idx[j], idx[i]])}, idx.length)
    for (let i = 1; i < idx.length; i++) expect(keys[idx[i - 1]]).toBeLessThanOrEqual(keys[idx[i]])
    expect(new Set(idx).size).toBe(500)
  })

  it('the parallel merge hands on series results group by group within a window', () => {
    const w = [0n, 60n]
    // Four series, two groups ([0,1], [2,3]): each window gets group 0's results, then group 1's.
    const order = parallelMergeOrder([w, w, w, w], true, 2)
    expect(order.filter(([, k]) => k === 0).map(([s]) => s)).toEqual([0, 1, 2, 3])
    expect(order).toHaveLength(8)
  })
})
