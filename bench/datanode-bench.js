#!/usr/bin/env node
/**
 * datanode-bench.js: the dev cluster's data nodes end to end, through their HTTP API, against a real influxd 1.6.7
 * (the Debian package) on the same machine in the same run (issue 10, "Speed and memory"). Plain Node ESM, no
 * dependencies; drives the built CLI (npm run build first).
 *
 *   node bench/datanode-bench.js [--points 1000000] [--batch 5000] [--clients 4] [--runs 3] [--only write,query,parse,up]
 *                                [--rss] [--rss-points 10000000] [--base-port 26000] [--no-influxd]
 *
 * Sections:
 *   write   --points points (measurement cpu, 1,000 series host=h0..h999, one float and one integer field, one point
 *           per series per second inside one shard group) in --batch-line bodies, sent by --clients concurrent clients
 *           (keep-alive, each takes the next batch when its last one got its 204). Targets: `medic dev up --meta 1
 *           --data 1` and `--data 2`, database created WITH REPLICATION 1 (so with two nodes half the points go over
 *           cluster RPC to the other owner), and influxd. Figure: points/s; ratio = ours / influxd's (floor 0.5,
 *           goal 1.5).
 *   query   over the points just written: A `SELECT count(*) FROM cpu`, B `SELECT mean(*) FROM cpu WHERE <the points'
 *           range> GROUP BY time(1m)`; best of --runs, on each data-node cluster and on influxd; ratio = influxd's
 *           time / ours (floor 0.5). The answers are compared (identical bodies expected).
 *   parse   runs bench/lp-parse.js (line-protocol parse on one core vs splitting the same bytes into lines).
 *   up      `medic dev up --meta 3 --data 2 --detach` until it returns (it returns once every meta node agrees on the
 *           leader and every data node has been added and registered itself), median of --runs (target < 2 s, goal
 *           1 s), each followed by `dev down --purge`.
 *   rss     (only with --rss: several minutes) --rss-points points written to a `--meta 1 --data 1` cluster, then the
 *           data node's peak resident set size, VmHWM from /proc/<pid>/status (target < 1 GB, goal 400 MB).
 *
 * Prints a report and a final JSON line. Exits 1 when something could not run (no build, a node did not start, a
 * write failed); 0 otherwise, also when a target is missed (a benchmark, not a test). Without influxd (or with
 * --no-influxd) the ratios are left out and it says why.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {Agent, request} from 'node:http'
import {createServer} from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {ROOT, runMedic} from './medic-run.js'

const INFLUXD = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((p) => existsSync(p))
// Monday 2019-03-04 00:00:00 UTC: the start of a 7-day shard group, so every point lands in one group.
const BASE_S = 1551657600
const SERIES = 1000

function parseArgs(argv) {
  const opts = {points: 1_000_000, batch: 5000, clients: 4, runs: 3, only: ['write', 'query', 'parse', 'up'], rss: false, rssPoints: 10_000_000, basePort: 26000, influxd: true}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--rss') opts.rss = true
    else if (a === '--no-influxd') opts.influxd = false
    else {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      if (a === '--points') opts.points = Number(v)
      else if (a === '--batch') opts.batch = Number(v)
      else if (a === '--clients') opts.clients = Number(v)
      else if (a === '--runs') opts.runs = Number(v)
      else if (a === '--rss-points') opts.rssPoints = Number(v)
      else if (a === '--base-port') opts.basePort = Number(v)
      else if (a === '--only') opts.only = v.split(',')
      else throw new Error(`unknown option ${a}`)
    }
  }
  if (opts.rss && !opts.only.includes('rss')) opts.only.push('rss')
  return opts
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

const agent = new Agent({keepAlive: true, maxSockets: 64})

function http(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, {method, agent, headers: body === undefined ? headers : {'content-length': Buffer.byteLength(body), ...headers}}, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode, text: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

const query = (base, q, db) => http('POST', `${base}/query?${new URLSearchParams(db ? {db} : {})}`, new URLSearchParams({q}).toString(), {'content-type': 'application/x-www-form-urlencoded'})

/** Batch k of the workload: lines k*batch .. (k+1)*batch-1 of one endless sequence. */
function makeBatch(k, size) {
  const lines = new Array(size)
  for (let j = 0; j < size; j++) {
    const n = k * size + j
    const series = n % SERIES
    const second = Math.floor(n / SERIES)
    lines[j] = `cpu,host=h${series},region=r${series % 7} usage=${((n * 7919) % 10000) / 100},n=${n % 1000}i ${BigInt(BASE_S + second) * 1_000_000_000n}`
  }
  return Buffer.from(lines.join('\n'))
}

/** Writes `points` points in batches with `clients` concurrent clients; resolves the wall time in ms. */
async function writeLoad(base, db, points, batch, clients, {prebuilt, onProgress} = {}) {
  const batches = Math.ceil(points / batch)
  let next = 0
  const started = performance.now()
  const worker = async () => {
    for (;;) {
      const k = next++
      if (k >= batches) return
      const body = prebuilt ? prebuilt[k] : makeBatch(k, Math.min(batch, points - k * batch))
      const r = await http('POST', `${base}/write?db=${db}`, body)
      if (r.status !== 204) throw new Error(`write to ${base}: HTTP ${r.status} ${r.text.slice(0, 300)}`)
      onProgress?.(k)
    }
  }
  await Promise.all(Array.from({length: clients}, worker))
  return performance.now() - started
}

async function bestOf(runs, fn) {
  let best = Infinity
  let last
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    last = await fn()
    best = Math.min(best, performance.now() - t0)
  }
  return {ms: best, last}
}

// ---------------------------------------------------------------------------------------------------------------
// influxd and dev clusters

async function freePort() {
  const s = createServer()
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  const port = s.address().port
  await new Promise((r) => s.close(r))
  return port
}

async function waitFor(what, cond, ms = 30_000) {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      if (await cond()) return
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** influxd 1.6.7 on loopback with a throw-away config (no monitor, no background services that change the data). */
async function startInfluxd() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medic-bench-influxd-'))
  const [rpc, port] = [await freePort(), await freePort()]
  writeFileSync(path.join(dir, 'influxdb.conf'), `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[retention]
  enabled = false
[shard-precreation]
  enabled = false
`)
  const child = spawn(INFLUXD, ['run', '-config', path.join(dir, 'influxdb.conf')], {stdio: 'ignore'})
  const base = `http://127.0.0.1:${port}`
  await waitFor('influxd /ping', async () => (await http('GET', `${base}/ping`)).status === 204)
  return {
    base, pid: child.pid,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(t)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

async function devUp(basePort, meta, data) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'medic-bench-dev-'))
  const dir = path.join(root, 'cluster')
  const r = await runMedic(['dev', 'up', '--detach', '--meta', String(meta), '--data', String(data), '--base-port', String(basePort), '--dir', dir, '--json'])
  if (r.code !== 0) {
    rmSync(root, {recursive: true, force: true})
    throw new Error(`dev up --meta ${meta} --data ${data} failed (${r.code}): ${r.out}${r.err}`)
  }
  const doc = JSON.parse(r.out)
  const dataNodes = doc.nodes.filter((n) => n.kind === 'data')
  return {
    ms: r.ms, dir, dataNodes, base: `http://${dataNodes[0]?.httpAddr}`,
    async down() {
      await runMedic(['dev', 'down', '--dir', dir, '--purge', '--grace', '5s'])
      rmSync(root, {recursive: true, force: true})
    },
  }
}

function vmHwmMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

// ---------------------------------------------------------------------------------------------------------------

const fmt = (n) => Math.round(n).toLocaleString('en-US')
const verdict = (ok) => (ok ? 'PASS' : 'FAIL')

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (!existsSync(path.join(ROOT, 'dist', 'devcluster'))) {
    console.error('datanode-bench: no build in dist/: run npm run build first')
    process.exit(1)
  }
  const withInfluxd = opts.influxd && INFLUXD !== undefined
  const noInfluxdWhy = !opts.influxd ? '--no-influxd given' : INFLUXD === undefined ? 'influxd is not installed (apt-get install influxdb gives 1.6.7)' : undefined
  console.log(`data-node benchmarks (${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0].toFixed(1)})`)
  if (noInfluxdWhy) console.log(`  influxd comparisons skipped: ${noInfluxdWhy}`)
  const out = {bench: 'datanode', node: process.version, cpus: os.cpus().length, loadStart: os.loadavg()[0], points: opts.points, batch: opts.batch, clients: opts.clients}

  if (opts.only.includes('write') || opts.only.includes('query')) {
    const batches = Math.ceil(opts.points / opts.batch)
    const prebuilt = Array.from({length: batches}, (_, k) => makeBatch(k, Math.min(opts.batch, opts.points - k * opts.batch)))
    const lastS = BASE_S + Math.floor((opts.points - 1) / SERIES)
    const qB = `SELECT mean(*) FROM cpu WHERE time >= ${BASE_S}s AND time <= ${lastS}s GROUP BY time(1m)`
    const queries = {count: 'SELECT count(*) FROM cpu', meanByMinute: qB}
    const targets = []
    if (withInfluxd) targets.push({name: 'influxd 1.6.7', start: async () => {
      const d = await startInfluxd()
      return {base: d.base, stop: () => d.stop(), create: 'CREATE DATABASE bench'}
    }})
    for (const data of [1, 2]) {
      targets.push({name: `dev --data ${data}`, start: async () => {
        const c = await devUp(opts.basePort + (data - 1) * 1200, 1, data)
        return {base: c.base, stop: () => c.down(), create: 'CREATE DATABASE bench WITH REPLICATION 1'}
      }})
    }
    const results = {}
    for (const t of targets) {
      const node = await t.start()
      try {
        const cr = await query(node.base, node.create)
        if (cr.status !== 200 || cr.text.includes('"error"')) throw new Error(`${t.name}: ${node.create}: ${cr.status} ${cr.text}`)
        const ms = await writeLoad(node.base, 'bench', opts.points, opts.batch, opts.clients, {prebuilt})
        const r = {writeMs: Math.round(ms), pointsPerSec: Math.round(opts.points / (ms / 1000))}
        if (opts.only.includes('query')) {
          for (const [name, q] of Object.entries(queries)) {
            const best = await bestOf(opts.runs, async () => {
              const a = await query(node.base, q, 'bench')
              if (a.status !== 200) throw new Error(`${t.name}: ${q}: HTTP ${a.status} ${a.text.slice(0, 200)}`)
              return a.text
            })
            r[`${name}Ms`] = Number(best.ms.toFixed(1))
            r[`${name}Body`] = best.last
          }
        }
        results[t.name] = r
        console.log(`  ${t.name.padEnd(14)} write ${fmt(r.pointsPerSec).padStart(10)} points/s (${fmt(ms)} ms)` + (opts.only.includes('query') ? `   count(*) ${r.countMs} ms   mean GROUP BY time(1m) ${r.meanByMinuteMs} ms` : ''))
      } finally {
        await node.stop()
      }
    }
    const base = results['influxd 1.6.7']
    for (const data of [1, 2]) {
      const r = results[`dev --data ${data}`]
      const row = {pointsPerSec: r.pointsPerSec, writeMs: r.writeMs, countMs: r.countMs, meanByMinuteMs: r.meanByMinuteMs}
      if (base) {
        row.writeRatio = Number((r.pointsPerSec / base.pointsPerSec).toFixed(3))
        row.writeVerdict = verdict(row.writeRatio >= 0.5)
        console.log(`  write --data ${data} / influxd: ${row.writeRatio}x (floor 0.5, goal 1.5) ${row.writeVerdict}${row.writeRatio >= 1.5 ? ' (goal met)' : ''}`)
        if (opts.only.includes('query')) {
          for (const name of Object.keys(queries)) {
            row[`${name}Ratio`] = Number((base[`${name}Ms`] / r[`${name}Ms`]).toFixed(3))
            row[`${name}Same`] = base[`${name}Body`] === r[`${name}Body`]
            console.log(`  ${name} --data ${data}: influxd ${base[`${name}Ms`]} ms / ours ${r[`${name}Ms`]} ms = ${row[`${name}Ratio`]}x (floor 0.5) ${verdict(row[`${name}Ratio`] >= 0.5)}; same answer: ${row[`${name}Same`] ? 'yes' : 'NO'}`)
          }
        }
      }
      out[`data${data}`] = row
    }
    if (base) out.influxd = {pointsPerSec: base.pointsPerSec, writeMs: base.writeMs, countMs: base.countMs, meanByMinuteMs: base.meanByMinuteMs}
  }

  if (opts.only.includes('parse')) {
    const r = await new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'lp-parse.js')], {stdio: ['ignore', 'pipe', 'inherit']})
      let text = ''
      child.stdout.on('data', (c) => (text += c))
      child.on('close', (code) => resolve({code, text}))
    })
    if (r.code !== 0) throw new Error('bench/lp-parse.js failed')
    const last = JSON.parse(r.text.trim().split('\n').at(-1))
    out.parse = last.results.map((x) => ({shape: x.shape, parsePointsPerSec: x.parsePointsPerSec, splitLinesPerSec: x.splitLinesPerSec, parseVsSplit: x.parseVsSplit}))
    for (const x of out.parse) console.log(`  parse ${x.shape.padEnd(32)} ${fmt(x.parsePointsPerSec)} points/s; split ${fmt(x.splitLinesPerSec)} lines/s; parse/split ${x.parseVsSplit}`)
  }

  if (opts.only.includes('up')) {
    const times = []
    for (let i = 0; i < opts.runs; i++) {
      const c = await devUp(opts.basePort + 2400, 3, 2)
      times.push(Math.round(c.ms))
      await c.down()
    }
    const sorted = [...times].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    out.up = {runsMs: times, medianMs: median, verdict: verdict(median < 2000), goalMet: median < 1000}
    console.log(`  dev up --meta 3 --data 2: ${times.join(', ')} ms; median ${median} ms (target < 2000, goal 1000) ${out.up.verdict}`)
  }

  if (opts.only.includes('rss')) {
    const c = await devUp(opts.basePort + 3600, 1, 1)
    try {
      const pid = c.dataNodes[0].pid
      const cr = await query(c.base, 'CREATE DATABASE bench WITH REPLICATION 1')
      if (cr.status !== 200) throw new Error(`CREATE DATABASE: ${cr.status} ${cr.text}`)
      let done = 0
      const ms = await writeLoad(c.base, 'bench', opts.rssPoints, opts.batch, opts.clients, {onProgress: () => {
        done++
        if (done % 200 === 0) process.stdout.write(`  rss: ${fmt(done * opts.batch)} points written, VmHWM ${vmHwmMb(pid).toFixed(0)} MB\n`)
      }})
      const count = await query(c.base, 'SELECT count(n) FROM cpu', 'bench')
      const hwm = vmHwmMb(pid)
      out.rss = {points: opts.rssPoints, writeMs: Math.round(ms), vmHwmMb: Math.round(hwm), verdict: verdict(hwm < 1024), goalMet: hwm < 400, count: count.text.trim()}
      console.log(`  rss: ${fmt(opts.rssPoints)} points in ${fmt(ms)} ms; data node VmHWM ${hwm.toFixed(0)} MB (target < 1024, goal 400) ${out.rss.verdict}; ${count.text.trim()}`)
    } finally {
      await c.down()
    }
  }
  out.loadEnd = os.loadavg()[0]
  for (const k of ['data1', 'data2']) if (out[k]) for (const q of ['count', 'meanByMinute']) delete out[k][`${q}Body`]
  console.log(JSON.stringify(out))
  agent.destroy()
}

main().catch((err) => {
  console.error(`datanode-bench: ${err.stack ?? err}`)
  agent.destroy()
  process.exit(1)
})

