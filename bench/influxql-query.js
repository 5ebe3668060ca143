#!/usr/bin/env node
/**
 * influxql-query.js: the data node's InfluxQL executor on 1,000,000 points, against a real influxd 1.6.7 holding the
 * same points (target from the issue: at least 0.5x influxd's speed). Plain Node ESM, no dependencies; uses the built
 * executor (dist/: npm run build).
 *
 *   node bench/influxql-query.js [--points 1000000] [--series 10] [--runs 5] [--no-influxd]
 *
 * The points: measurement cpu, `--series` series (host=h0, h1, ...), one float field `usage` every second, spread
 * over one influxd shard group. The queries:
 *   A  SELECT count(*) FROM cpu
 *   B  SELECT mean(usage) FROM cpu WHERE time >= <first> AND time <= <last> GROUP BY time(1m)
 * Our side: the executor with an in-memory store built on the store interface (store/types.ts), from the statement
 * to the finished JSON body. influxd's side: the same statements over HTTP on loopback (its time includes the
 * request, which for these small answers is a fraction of a millisecond). The best of `--runs` runs is kept on both
 * sides, and the bodies must be identical. Ratio = influxd time / our time (>= 0.5 passes).
 *
 * Prints a table and a final JSON line. Exits 1 when a body differs or something failed; 0 otherwise (a ratio
 * below target is reported as FAIL in the output, not as an exit code, like the other benches).
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const TARGET = 0.5
const INFLUXD = '/usr/bin/influxd'
// Monday 2019-03-04 00:00:00 UTC: the start of an influxd 7-day shard group, so all points land in one shard.
const BASE_S = 1551657600n
const NS = 1_000_000_000n

function parseArgs(argv) {
  const opts = {points: 1_000_000, series: 10, runs: 5, influxd: true}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--no-influxd') {
      opts.influxd = false
      continue
    }
    const v = argv[++i]
    if (v === undefined) throw new Error(`${a} needs a value`)
    if (a === '--points' || a === '--series' || a === '--runs') opts[a.slice(2)] = Number.parseInt(v, 10)
    else throw new Error(`unknown option ${a}`)
  }
  if (!(opts.points > 0 && opts.series > 0 && opts.runs > 0)) throw new Error('--points, --series and --runs must be positive')
  return opts
}

/** Deterministic float values (xorshift32), rounded to two decimals like real gauges. */
function makeData(points, series) {
  const perSeries = Math.ceil(points / series)
  const out = []
  let x = 2463534242
  let left = points
  for (let s = 0; s < series; s++) {
    const n = Math.min(perSeries, left)
    left -= n
    const times = new BigInt64Array(n)
    const values = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      times[i] = (BASE_S + BigInt(i)) * NS
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      values[i] = Math.round(((x >>> 0) / 4294967296) * 10000) / 100
    }
    out.push({host: `h${s}`, times, values})
  }
  return out
}

/** One shard holding everything, read through the store interface (src/devcluster/data/store/types.ts). */
class BenchShard {
  constructor(id, data) {
    this.id = id
    this.database = 'bench'
    this.retentionPolicy = 'autogen'
    this.data = new Map(data.map((d) => [`cpu,host=${d.host}`, d]))
  }
  measurements() { return ['cpu'] }
  fields(m) { return m === 'cpu' ? new Map([['usage', 'float']]) : new Map() }
  tagKeys(m) { return m === 'cpu' ? ['host'] : [] }
  tagValues(m, key) { return m === 'cpu' && key === 'host' ? [...this.data.values()].map((d) => d.host).sort() : [] }
  series(m) {
    if (m !== 'cpu') return []
    return [...this.data.keys()].sort().map((key) => ({key, measurement: 'cpu', tags: [['host', this.data.get(key).host]]}))
  }
  read(key, field, min, max) {
    const d = this.data.get(key)
    if (d === undefined || field !== 'usage') return undefined
    const lo = bound(d.times, min, false)
    const hi = bound(d.times, max, true)
    if (lo === 0 && hi === d.times.length) return {type: 'float', times: d.times, values: d.values}
    return {type: 'float', times: d.times.subarray(lo, hi), values: d.values.subarray(lo, hi)}
  }
  pointCount() { return [...this.data.values()].reduce((n, d) => n + d.times.length, 0) }
}

/** First index with times[i] >= t (after = false) or > t (after = true). */
function bound(times, t, after) {
  let lo = 0
  let hi = times.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (after ? times[mid] <= t : times[mid] < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

async function ourExecutor(data) {
  const q = await import('../dist/devcluster/data/query/index.js')
  const shard = new BenchShard(1, data)
  const weekMs = 7 * 24 * 3600 * 1000
  const startMs = Number(BASE_S) * 1000
  const meta = {
    databases: () => [{
      name: 'bench',
      retentionPolicies: [{
        name: 'autogen', duration: 0, shardGroupDuration: weekMs, replicaN: 1, default: true,
        shardGroups: [{id: 1, start: startMs, end: startMs + weekMs, shards: [{id: 1, owners: [1]}]}],
      }],
    }],
    users: () => [],
  }
  const refuse = async () => { throw new Error('not in this bench') }
  const executor = new q.QueryExecutor({
    meta,
    metaCommands: new Proxy({}, {get: () => refuse}),
    nodeId: 1,
    local: {reader: (id) => (id === 1 ? shard : undefined)},
    remote: refuse,
    now: () => BigInt(Date.now()) * 1_000_000n,
  })
  return async (text) => {
    const req = q.parseQueryRequest(text)
    if (!req.ok) throw new Error(req.error)
    const results = []
    for await (const r of executor.execute(req.statements, {database: 'bench', retentionPolicy: '', chunkSize: 10000, readOnly: true})) results.push(r)
    return q.renderResponse(results, {format: q.formatForAccept(undefined), pretty: false, chunked: false})
  }
}

async function freePort() {
  const s = createServer()
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  const port = s.address().port
  await new Promise((r) => s.close(r))
  return port
}

async function startInfluxd() {
  const dir = mkdtempSync(join(tmpdir(), 'medic-bench-influxd-'))
  const [httpPort, rpcPort] = [await freePort(), await freePort()]
  const conf = join(dir, 'influxdb.conf')
  writeFileSync(conf, [
    'reporting-disabled = true', `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]', `  dir = "${join(dir, 'meta')}"`, '  logging-enabled = false',
    '[data]', `  dir = "${join(dir, 'data')}"`, `  wal-dir = "${join(dir, 'wal')}"`, '  query-log-enabled = false',
    '[monitor]', '  store-enabled = false', '[retention]', '  enabled = false', '[shard-precreation]', '  enabled = false',
    '[continuous_queries]', '  enabled = false', '[subscriber]', '  enabled = false',
    '[http]', `  bind-address = "127.0.0.1:${httpPort}"`, '  log-enabled = false', '',
  ].join('\n'))
  const child = spawn(INFLUXD, ['-config', conf], {stdio: ['ignore', 'ignore', 'ignore']})
  const url = `http://127.0.0.1:${httpPort}`
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(dir, {recursive: true, force: true})
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`)).status === 204) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`influxd did not start (exit code ${child.exitCode})`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {url, stop}
}

async function loadInfluxd(url, data) {
  const post = async (path, body) => {
    const res = await fetch(`${url}${path}`, {method: 'POST', body})
    if (res.status >= 300) throw new Error(`influxd ${path}: ${res.status} ${await res.text()}`)
  }
  await post('/query?q=' + encodeURIComponent('CREATE DATABASE bench'))
  const batch = 20_000
  for (const d of data) {
    for (let i = 0; i < d.times.length; i += batch) {
      const lines = []
      for (let k = i; k < Math.min(i + batch, d.times.length); k++) lines.push(`cpu,host=${d.host} usage=${d.values[k]} ${d.times[k]}`)
      await post('/write?db=bench&precision=ns', lines.join('\n'))
    }
  }
}

async function best(runs, fn) {
  let bestMs = Infinity
  let body
  for (let r = 0; r < runs + 1; r++) {
    const t0 = performance.now()
    body = await fn()
    const ms = performance.now() - t0
    // The first run warms up (JIT here, caches there) and is not counted.
    if (r > 0) bestMs = Math.min(bestMs, ms)
  }
  return {ms: bestMs, body}
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (!existsSync(new URL('../dist/devcluster/data/query/index.js', import.meta.url))) {
    console.error('influxql-query: dist/ is missing: run `npm run build` first')
    process.exit(1)
  }
  const data = makeData(opts.points, opts.series)
  const first = data[0].times[0]
  const last = data.reduce((m, d) => (d.times[d.times.length - 1] > m ? d.times[d.times.length - 1] : m), first)
  const queries = [
    {name: 'count(*)', text: 'SELECT count(*) FROM cpu'},
    {name: 'mean GROUP BY time(1m)', text: `SELECT mean(usage) FROM cpu WHERE time >= ${first} AND time <= ${last} GROUP BY time(1m)`},
  ]
  const ours = await ourExecutor(data)
  let influxd
  if (opts.influxd && existsSync(INFLUXD)) {
    influxd = await startInfluxd()
    const t0 = performance.now()
    await loadInfluxd(influxd.url, data)
    console.log(`influxd loaded with ${opts.points} points in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  } else {
    console.log(opts.influxd ? `influxd: ${INFLUXD} is not installed; measuring the executor alone` : 'influxd: skipped (--no-influxd)')
  }
  const rows = []
  let failed = false
  try {
    for (const query of queries) {
      const o = await best(opts.runs, () => ours(query.text))
      const row = {query: query.name, points: opts.points, oursMs: +o.ms.toFixed(2)}
      if (influxd !== undefined) {
        const t = await best(opts.runs, async () => {
          const res = await fetch(`${influxd.url}/query?${new URLSearchParams({db: 'bench', q: query.text})}`)
          return res.text()
        })
        row.influxdMs = +t.ms.toFixed(2)
        row.ratio = +(t.ms / o.ms).toFixed(2)
        row.verdict = row.ratio >= TARGET ? 'PASS' : 'FAIL'
        row.sameBody = t.body.trimEnd() === o.body.trimEnd()
        if (!row.sameBody) {
          failed = true
          console.error(`${query.name}: bodies differ\n  influxd: ${t.body.slice(0, 300)}\n  ours:    ${o.body.slice(0, 300)}`)
        }
      }
      rows.push(row)
    }
  } finally {
    await influxd?.stop()
  }
  console.log('')
  console.log('query                      ours ms   influxd ms   ratio (influxd/ours)   verdict (>= 0.5)')
  for (const r of rows) {
    console.log(`${r.query.padEnd(26)} ${String(r.oursMs).padStart(8)} ${String(r.influxdMs ?? '-').padStart(12)} ${String(r.ratio ?? '-').padStart(22)}   ${r.verdict ?? '-'}`)
  }
  console.log(JSON.stringify({bench: 'influxql-query', points: opts.points, series: opts.series, runs: opts.runs, target: TARGET, results: rows}))
  process.exit(failed ? 1 : 0)
}

main().catch((err) => {
  console.error(`influxql-query: ${err.message}`)
  process.exit(1)
})
