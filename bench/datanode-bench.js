#!/usr/bin/env node
/**
 * datanode-bench.js: the dev cluster's data nodes end to end, through their HTTP API, against a real influxd 1.6.7
 * (the Debian package) on the same machine in the same run (issue 10, "Speed and memory"). Plain Node ESM, no
 * dependencies; drives the built CLI (npm run build first).
 *
 *   node bench/datanode-bench.js [--points 1000000] [--batch 5000] [--clients 4] [--runs 3]
 *                                [--only write,query,rf2,hh,parse,up] [--rss] [--rss-points 10000000] [--base-port 26000]
 *                                [--no-influxd] [--hh-points 1500000] [--hh-batch 5000] [--hh-rate 0.3] [--hh-outage 30000]
 *                                [--hh-interval 500]
 *
 * Sections:
 *   write   --points points (measurement cpu, 1,000 series host=h0..h999, one float and one integer field, one point
 *           per series per second inside one shard group) in --batch-line bodies, sent by --clients concurrent clients
 *           (keep-alive, each takes the next batch when its last one got its 204). Targets: `medic dev up --meta 1
 *           --data 1` and `--data 2`, database created WITH REPLICATION 1 (so with two nodes half the points go over
 *           cluster RPC to the other owner), and influxd. Figure: points/s; ratio = ours / influxd's (floor 0.5,
 *           goal 1.5).
 *   rf2     (issue 11) the same write load to `--meta 1 --data 2`, database created WITH REPLICATION 2, written with
 *           consistency=one: every point goes to both data nodes (data-1's own shard and data-2's over the cluster
 *           RPC, in parallel), the answer once one has it. Ratio = ours / influxd's (floor 0.3, goal 1).
 *   hh      (issue 11) hinted handoff on `--meta 1 --data 2`, RF 2, consistency one, writes to data-1:
 *           1. `dev kill data-2`; --hh-points points written as fast as data-1 takes them (--hh-batch points per
 *              request, default --batch): the rate data-1 appends to its queue for data-2 (bytesWritten of the bench
 *              database's hh_processor statistics over the write time). `dev start data-2`; nothing else written: the
 *              drain rate, bytesRead over the time from the first delivery to the empty queue (/debug/vars every
 *              100 ms). Ratio drain / append: floor 1, goal 3. The wait for the first delivery (HH's back-off) is
 *              reported, not counted.
 *           2. writes at --hh-rate times phase 1's point rate, throughout: `dev kill data-2` for --hh-outage ms (the
 *              append rate), `dev start data-2`, and the drain while the writes go on (gross: bytesRead over the
 *              drain). Ratio drain / append: floor 1, goal 3.
 *           In both, `medic hh watch --url data-1 --json --interval <--hh-interval>ms` runs through the drain; each of
 *           its ETAs for the queue is compared with the time the queue really took to empty from that sample.
 *           Reported: the ETA at half the queue, and the median error over the samples taken between 3/4 and 1/4 of
 *           it (on a shared machine the rate swings from second to second, and single ETAs with it). Target: the
 *           median within ±30%.
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
 * CPU: each write row also reports the CPU seconds per million points of the server processes (/proc/<pid>/stat, both
 * data nodes; influxd), until they are idle again, and influxd's over ours (cpuRatio): steadier than the wall clock on a
 * shared machine. hh reports data-1's CPU per byte appended while taking the writes and data-2's per byte drained.
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

import {MEDIC, ROOT, runMedic} from './medic-run.js'

const INFLUXD = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((p) => existsSync(p))
// Monday 2019-03-04 00:00:00 UTC: the start of a 7-day shard group, so every point lands in one group.
const BASE_S = 1551657600
const SERIES = 1000

function parseArgs(argv) {
  const opts = {points: 1_000_000, batch: 5000, clients: 4, runs: 3, only: ['write', 'query', 'rf2', 'hh', 'parse', 'up'], rss: false, rssPoints: 10_000_000, basePort: 26000, influxd: true,
    hhPoints: 1_500_000, hhBatch: undefined, hhRate: 0.3, hhOutage: 30_000, hhInterval: 500}
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
      else if (a === '--hh-points') opts.hhPoints = Number(v)
      else if (a === '--hh-batch') opts.hhBatch = Number(v)
      else if (a === '--hh-rate') opts.hhRate = Number(v)
      else if (a === '--hh-outage') opts.hhOutage = Number(v)
      else if (a === '--hh-interval') opts.hhInterval = Number(v)
      else throw new Error(`unknown option ${a}`)
    }
  }
  if (opts.rss && !opts.only.includes('rss')) opts.only.push('rss')
  return opts
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

const agent = new Agent({keepAlive: true, maxSockets: 64})

function http(method, url, body, headers = {}, retried = false) {
  return new Promise((resolve, reject) => {
    const req = request(url, {method, agent, headers: body === undefined ? headers : {'content-length': Buffer.byteLength(body), ...headers}}, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode, text: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', reject)
    })
    req.on('error', (err) => {
      // A kept-alive connection the server closed as it was reused (its idle timeout): send again, once, on a new one.
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) http(method, url, body, headers, true).then(resolve, reject)
      else reject(err)
    })
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
async function writeLoad(base, db, points, batch, clients, {prebuilt, onProgress, params = {}, firstBatch = 0} = {}) {
  const batches = Math.ceil(points / batch)
  const qs = new URLSearchParams({db, ...params})
  let next = 0
  const started = performance.now()
  const worker = async () => {
    for (;;) {
      const k = next++
      if (k >= batches) return
      const body = prebuilt ? prebuilt[k] : makeBatch(firstBatch + k, Math.min(batch, points - k * batch))
      const r = await http('POST', `${base}/write?${qs}`, body)
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
    ms: r.ms, dir, dataNodes, meta: doc.nodes.find((n) => n.kind === 'meta'), base: `http://${dataNodes[0]?.httpAddr}`,
    async down() {
      await runMedic(['dev', 'down', '--dir', dir, '--purge', '--grace', '5s'])
      rmSync(root, {recursive: true, force: true})
    },
  }
}

/** CPU seconds (user + system) process `pid` has used so far (/proc/<pid>/stat, clock ticks of 1/100 s); NaN if gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return Number.NaN
  }
}

const cpuOf = (pids) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)

/**
 * Waits until the processes are idle (less than 5 % of a core over 300 ms, within 30 s: a data node still writing a
 * replica after the last answer is still working for the load) and returns their CPU seconds then.
 */
async function cpuWhenIdle(pids) {
  let last = cpuOf(pids)
  const deadline = Date.now() + 30_000
  for (;;) {
    await new Promise((r) => setTimeout(r, 300))
    const now = cpuOf(pids)
    if (!(now - last > 0.015) || Date.now() > deadline) return now
    last = now
  }
}

/** The pid of a dev node from the cluster's state file (after `dev start` gave it a new one). */
function devPid(dir, name) {
  let found
  const walk = (v) => {
    if (found !== undefined || v === null || typeof v !== 'object') return
    if (v.name === name && typeof v.pid === 'number') found = v.pid
    else for (const x of Object.values(v)) walk(x)
  }
  walk(JSON.parse(readFileSync(path.join(dir, 'cluster.json'), 'utf8')))
  return found
}

function vmHwmMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

// ---------------------------------------------------------------------------------------------------------------
// Hinted handoff (issue 11): how fast a queue drains once its owner is back, against how fast it filled, and how
// close `medic hh watch --url`'s ETA comes to the real time to empty.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * One data node's hinted-handoff figures for destination `nodeId`, summed over the shard queues in `shards` (the bench
 * database's; _internal's, which the stats service fills, are left out), from the hh_processor statistics of its
 * /debug/vars. (Not hh_database: its key repeats in the document, as in Enterprise, and JSON.parse keeps one.)
 */
async function hhFigures(base, nodeId, shards) {
  const r = await http('GET', `${base}/debug/vars`)
  const t = Date.now()
  if (r.status !== 200) throw new Error(`${base}/debug/vars: HTTP ${r.status}`)
  const f = {t, queueBytes: 0, bytesRead: 0, bytesWritten: 0}
  for (const v of Object.values(JSON.parse(r.text))) {
    if (v?.name !== 'hh_processor' || v.tags?.node !== String(nodeId) || !shards.includes(path.basename(v.tags.path ?? ''))) continue
    f.queueBytes += v.values.queueBytes
    f.bytesRead += v.values.bytesRead
    f.bytesWritten += v.values.bytesWritten
  }
  return f
}

/**
 * Polls `hhFigures` every `everyMs` until the queues for `nodeId` and `shards` are empty after a first delivery. The
 * drain runs from the middle of the poll interval in which bytesRead first rose to the first poll that found them empty.
 */
async function followDrain(base, nodeId, shards, {everyMs = 100, deadlineMs = 300_000, cpuPid} = {}) {
  // With cpuPid (a function: the pid once known), each poll also notes that process's CPU seconds (f.cpu).
  const poll = async () => {
    const f = await hhFigures(base, nodeId, shards)
    const pid = cpuPid?.()
    if (pid !== undefined) f.cpu = cpuSeconds(pid)
    return f
  }
  const first = await poll()
  let prev = first
  let start
  const deadline = Date.now() + deadlineMs
  for (;;) {
    await sleep(everyMs)
    const f = await poll()
    if (start === undefined && f.bytesRead > first.bytesRead) start = {...prev, t: (prev.t + f.t) / 2, queueBytes: Math.max(prev.queueBytes, f.queueBytes)}
    if (start !== undefined && f.queueBytes === 0) return {begin: first, start, end: f}
    if (Date.now() > deadline) throw new Error(`the queue for node ${nodeId} did not drain within ${deadlineMs} ms (${f.queueBytes} bytes left)`)
    prev = f
  }
}

/** Batches at `rate` points/s from two clients until stopped (writes that keep coming during a drain). */
function pacedLoad(base, db, rate, batch, firstBatch, params) {
  let stopping = false
  let k = 0
  const counts = {sent: 0, failed: 0, firstError: undefined}
  const start = performance.now()
  const qs = new URLSearchParams({db, ...params})
  const worker = async () => {
    while (!stopping) {
      const i = k++
      const wait = start + ((i * batch) / rate) * 1000 - performance.now()
      if (wait > 0) await sleep(wait)
      if (stopping) return
      const r = await http('POST', `${base}/write?${qs}`, makeBatch(firstBatch + i, batch))
      counts.sent++
      if (r.status !== 204) {
        counts.failed++
        counts.firstError ??= `HTTP ${r.status} ${r.text.slice(0, 200)}`
      }
    }
  }
  // A failure ends the load and is reported by stop() (not left as an unhandled rejection meanwhile).
  const workers = [worker(), worker()].map((w) => w.catch((err) => {
    stopping = true
    return err
  }))
  return {
    async stop() {
      stopping = true
      const err = (await Promise.all(workers)).find((x) => x instanceof Error)
      if (err) throw err
      return {...counts, elapsedMs: performance.now() - start}
    },
  }
}

/** `medic hh watch --url ... --json` running: its NDJSON samples as they come; stop() ends it with Ctrl-C. */
function startWatch(url, intervalMs) {
  const child = spawn(process.execPath, [MEDIC, 'hh', 'watch', '--url', url, '--json', '--interval', `${intervalMs}ms`], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  let text = ''
  let err = ''
  child.stdout.on('data', (c) => (text += c))
  child.stderr.on('data', (c) => (err += c))
  const exited = new Promise((r) => child.on('close', r))
  const lines = () => text.split('\n').slice(0, -1).filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
  return {
    lines,
    async started() {
      await waitFor('the first hh watch sample', async () => {
        if (child.exitCode !== null) throw new Error(`hh watch exited ${child.exitCode}: ${err}`)
        return lines().length > 0
      }, 60_000)
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT')
      await exited
      return lines()
    },
  }
}

/**
 * hh watch's ETA against the time the queue really took to empty, for every sample taken during the drain of the queue
 * for `nodeId` and one of `shards` (the bench database's). `mid`: the first sample at or below half of what the queue
 * held when the drain began, judged draining with an ETA. `middle`: the median error of the samples taken while the
 * queue held between three quarters and a quarter of that: on a shared machine the delivery rate swings from second
 * to second, and one sample's ETA swings with it; the median over the middle of the drain says how good the ETA is.
 */
function etaCheck(samples, nodeId, shards, drain) {
  const rows = []
  for (const s of samples) {
    if (s.type !== 'sample') continue
    const n = s.queues?.filter((q) => q.node === String(nodeId) && shards.includes(q.shard)).sort((a, b) => b.pendingBytes - a.pendingBytes)[0]
    const t = Date.parse(s.time)
    if (n === undefined || t < drain.start.t || t >= drain.end.t) continue
    const real = drain.end.t - t
    rows.push({t, pending: n.pendingBytes, verdict: n.analysis.verdict, etaMs: n.analysis.eta?.inMs ?? null, realMs: Math.round(real),
      error: n.analysis.eta ? Number((n.analysis.eta.inMs / real - 1).toFixed(3)) : null})
  }
  const full = drain.start.queueBytes
  const judged = (r) => r.verdict === 'draining' && r.etaMs !== null
  const mid = rows.find((r) => r.pending <= full / 2 && judged(r)) ?? null
  const errors = rows.filter((r) => r.pending <= full * 0.75 && r.pending >= full * 0.25 && judged(r)).map((r) => r.error).sort((a, b) => a - b)
  const middle = errors.length === 0 ? null : {samples: errors.length, medianError: errors[Math.floor(errors.length / 2)], minError: errors[0], maxError: errors.at(-1)}
  return {mid, middle, rows}
}

async function hhBench(opts) {
  const c = await devUp(opts.basePort + 1200, 1, 2)
  const batch = opts.hhBatch ?? opts.batch
  const res = {points: opts.hhPoints, batch, watchIntervalMs: opts.hhInterval}
  try {
    const [d1, d2] = c.dataNodes.map((n) => `http://${n.httpAddr}`)
    const cluster = JSON.parse((await http('GET', `http://${c.meta.httpAddr}/show-cluster`)).text)
    const d2Id = cluster.data.find((n) => n.httpAddr === c.dataNodes[1].httpAddr).id
    const cr = await query(d1, 'CREATE DATABASE hh WITH REPLICATION 2')
    if (cr.status !== 200 || cr.text.includes('"error"')) throw new Error(`CREATE DATABASE: ${cr.status} ${cr.text}`)
    const one = {consistency: 'one'}
    await writeLoad(d1, 'hh', batch, batch, 1, {params: one}) // the shard group, on both owners
    await waitFor('data-2 to see the shard', async () => (await query(d2, 'SHOW SHARDS')).text.includes('"hh"'))
    const shardList = JSON.parse((await query(d1, 'SHOW SHARDS')).text).results[0].series.find((x) => x.name === 'hh')
    const hhShards = shardList.values.map((row) => String(row[shardList.columns.indexOf('id')]))
    const dev = async (...args) => {
      const r = await runMedic(['dev', ...args, '--dir', c.dir])
      if (r.code !== 0) throw new Error(`dev ${args.join(' ')}: exit ${r.code}: ${r.err}`)
    }
    let nextBatch = 1

    // 1. Outage, writes as fast as data-1 takes them; then data-2 back, nothing else written: the pure drain.
    await dev('kill', 'data-2')
    const f0 = await hhFigures(d1, d2Id, hhShards)
    const d1Pid = c.dataNodes[0].pid
    const appendCpu0 = cpuSeconds(d1Pid)
    const outMs = await writeLoad(d1, 'hh', opts.hhPoints, batch, opts.clients, {params: one, firstBatch: nextBatch})
    const appendCpu = cpuSeconds(d1Pid) - appendCpu0
    nextBatch += Math.ceil(opts.hhPoints / batch)
    const f1 = await hhFigures(d1, d2Id, hhShards)
    const appendRate = (f1.bytesWritten - f0.bytesWritten) / (outMs / 1000)
    let watch = startWatch(c.dataNodes[0].httpAddr, opts.hhInterval)
    await watch.started()
    let d2Pid
    const following = followDrain(d1, d2Id, hhShards, {cpuPid: () => d2Pid})
    await dev('start', 'data-2')
    const back = Date.now()
    d2Pid = devPid(c.dir, 'data-2')
    const drain = await following
    // From the poll before the first delivery to the empty queue (data-2's start-up and replay left out).
    const drainCpu = drain.end.cpu - drain.start.cpu
    const eta = etaCheck(await watch.stop(), d2Id, hhShards, drain)
    const drainMs = drain.end.t - drain.start.t
    const drainRate = (drain.end.bytesRead - drain.start.bytesRead) / (drainMs / 1000)
    res.outage = {
      writeMs: Math.round(outMs), pointsPerSec: Math.round(opts.hhPoints / (outMs / 1000)), queuedBytes: f1.queueBytes,
      appendBytesPerSec: Math.round(appendRate), backToFirstDeliveryMs: Math.max(0, Math.round(drain.start.t - back)), drainMs: Math.round(drainMs),
      drainBytesPerSec: Math.round(drainRate), ratio: Number((drainRate / appendRate).toFixed(3)),
      // CPU per queued byte: data-1 to take the writes (and queue them), data-2 to take them from the queue.
      appendCpuNsPerByte: Number(((appendCpu * 1e9) / (f1.bytesWritten - f0.bytesWritten)).toFixed(1)),
      drainCpuNsPerByte: Number(((drainCpu * 1e9) / (drain.end.bytesRead - drain.start.bytesRead)).toFixed(1)),
      eta: eta.mid, etaMiddle: eta.middle, etaSamples: eta.rows,
    }

    // 2. The same outage with writes going on at opts.hhRate of the outage's point rate, before, during and after.
    const rate = Math.max(batch, Math.round(res.outage.pointsPerSec * opts.hhRate))
    const load = pacedLoad(d1, 'hh', rate, batch, nextBatch, one)
    await dev('kill', 'data-2')
    const g0 = await hhFigures(d1, d2Id, hhShards)
    await sleep(opts.hhOutage)
    const g1 = await hhFigures(d1, d2Id, hhShards)
    const appendRate2 = (g1.bytesWritten - g0.bytesWritten) / ((g1.t - g0.t) / 1000)
    watch = startWatch(c.dataNodes[0].httpAddr, opts.hhInterval)
    await watch.started()
    const following2 = followDrain(d1, d2Id, hhShards)
    await dev('start', 'data-2')
    const back2 = Date.now()
    const drain2 = await following2
    const written = await load.stop()
    const eta2 = etaCheck(await watch.stop(), d2Id, hhShards, drain2)
    const drainMs2 = drain2.end.t - drain2.start.t
    const gross = (drain2.end.bytesRead - drain2.start.bytesRead) / (drainMs2 / 1000)
    const ingest = (drain2.end.bytesWritten - drain2.start.bytesWritten) / (drainMs2 / 1000)
    res.continuing = {
      pointsPerSec: rate, outageMs: opts.hhOutage, appendBytesPerSec: Math.round(appendRate2), queuedBytes: g1.queueBytes,
      backToFirstDeliveryMs: Math.max(0, Math.round(drain2.start.t - back2)), drainMs: Math.round(drainMs2), drainBytesPerSec: Math.round(gross),
      ingestDuringDrainBytesPerSec: Math.round(ingest), ratio: Number((gross / appendRate2).toFixed(3)), eta: eta2.mid, etaMiddle: eta2.middle, etaSamples: eta2.rows,
      writes: {requests: written.sent, failed: written.failed, firstError: written.firstError},
    }
  } finally {
    await c.down()
  }
  for (const [name, r] of [['drain after an outage', res.outage], ['drain, writes continuing', res.continuing]]) {
    if (r === undefined) continue
    r.verdict = verdict(r.ratio >= 1)
    r.goalMet = r.ratio >= 3
    r.etaVerdict = verdict(r.etaMiddle !== null && Math.abs(r.etaMiddle.medianError) <= 0.3)
    console.log(`  hh ${name}: appended ${fmt(r.appendBytesPerSec)} B/s during the outage (${fmt(r.queuedBytes)} B queued); drained ${fmt(r.drainBytesPerSec)} B/s over ${fmt(r.drainMs)} ms ` +
      `(first delivery ${fmt(r.backToFirstDeliveryMs)} ms after data-2 was back): ratio ${r.ratio}x (floor 1, goal 3) ${r.verdict}${r.goalMet ? ' (goal met)' : ''}`)
    if (r.appendCpuNsPerByte !== undefined) console.log(`    CPU per queued byte: data-1 appending ${r.appendCpuNsPerByte} ns, data-2 draining ${r.drainCpuNsPerByte} ns (ratio ${(r.appendCpuNsPerByte / r.drainCpuNsPerByte).toFixed(2)})`)
    if (r.ingestDuringDrainBytesPerSec !== undefined) console.log(`    writes during the drain: ${fmt(r.pointsPerSec)} points/s, ${fmt(r.ingestDuringDrainBytesPerSec)} B/s into the queue; ${r.writes.failed} of ${r.writes.requests} requests failed${r.writes.firstError ? ` (${r.writes.firstError})` : ''}`)
    const pct = (x) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(0)}%`
    const at = r.eta === null ? 'no sample judged draining with an ETA at half the queue' : `at half the queue ${fmt(r.eta.etaMs)} ms, real ${fmt(r.eta.realMs)} ms (${pct(r.eta.error)})`
    console.log(r.etaMiddle === null
      ? `    hh watch ETA: ${at}; none between 3/4 and 1/4 of the queue (${r.etaSamples.length} samples during the drain) FAIL`
      : `    hh watch ETA: ${at}; median error between 3/4 and 1/4 of the queue ${pct(r.etaMiddle.medianError)} over ${r.etaMiddle.samples} samples ` +
        `(${pct(r.etaMiddle.minError)} to ${pct(r.etaMiddle.maxError)}) (within ±30%) ${r.etaVerdict}`)
  }
  return res
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

  const wantWrite = opts.only.includes('write') || opts.only.includes('query')
  if (wantWrite || opts.only.includes('rf2')) {
    const batches = Math.ceil(opts.points / opts.batch)
    const prebuilt = Array.from({length: batches}, (_, k) => makeBatch(k, Math.min(opts.batch, opts.points - k * opts.batch)))
    const lastS = BASE_S + Math.floor((opts.points - 1) / SERIES)
    const qB = `SELECT mean(*) FROM cpu WHERE time >= ${BASE_S}s AND time <= ${lastS}s GROUP BY time(1m)`
    const queries = {count: 'SELECT count(*) FROM cpu', meanByMinute: qB}
    const targets = []
    if (withInfluxd) targets.push({name: 'influxd 1.6.7', start: async () => {
      const d = await startInfluxd()
      return {base: d.base, pids: [d.pid], stop: () => d.stop(), create: 'CREATE DATABASE bench'}
    }})
    // Each cluster is brought down before the next starts, so they may share ports.
    if (wantWrite) {
      for (const data of [1, 2]) {
        targets.push({name: `dev --data ${data}`, key: `data${data}`, start: async () => {
          const c = await devUp(opts.basePort + (data - 1) * 1200, 1, data)
          return {base: c.base, pids: c.dataNodes.map((n) => n.pid), stop: () => c.down(), create: 'CREATE DATABASE bench WITH REPLICATION 1'}
        }})
      }
    }
    if (opts.only.includes('rf2')) {
      // Every point is written to both data nodes: data-1's own shard, and data-2's over the cluster RPC, in parallel;
      // the answer comes once one owner has it (consistency one), the other copy finishes after.
      targets.push({name: 'dev RF 2 one', key: 'rf2', params: {consistency: 'one'}, start: async () => {
        const c = await devUp(opts.basePort + 1200, 1, 2)
        return {base: c.base, pids: c.dataNodes.map((n) => n.pid), stop: () => c.down(), create: 'CREATE DATABASE bench WITH REPLICATION 2'}
      }})
    }
    const results = {}
    for (const t of targets) {
      const node = await t.start()
      try {
        const cr = await query(node.base, node.create)
        if (cr.status !== 200 || cr.text.includes('"error"')) throw new Error(`${t.name}: ${node.create}: ${cr.status} ${cr.text}`)
        const cpu0 = cpuOf(node.pids)
        const ms = await writeLoad(node.base, 'bench', opts.points, opts.batch, opts.clients, {prebuilt, params: t.params})
        // CPU seconds per million points of the server processes (both data nodes), until they are idle again.
        const cpu = ((await cpuWhenIdle(node.pids)) - cpu0) / (opts.points / 1e6)
        const r = {writeMs: Math.round(ms), pointsPerSec: Math.round(opts.points / (ms / 1000)), cpuSecPerMillion: Number(cpu.toFixed(2))}
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
        console.log(`  ${t.name.padEnd(14)} write ${fmt(r.pointsPerSec).padStart(10)} points/s (${fmt(ms)} ms; ${r.cpuSecPerMillion} CPU s per million points)` + (opts.only.includes('query') ? `   count(*) ${r.countMs} ms   mean GROUP BY time(1m) ${r.meanByMinuteMs} ms` : ''))
      } finally {
        await node.stop()
      }
    }
    const base = results['influxd 1.6.7']
    for (const t of targets.filter((x) => x.key !== undefined)) {
      const r = results[t.name]
      // RF 2 writes every point twice (issue 11: floor 0.3, goal 1); RF 1 (issue 10): floor 0.5, goal 1.5.
      const [floor, goal] = t.key === 'rf2' ? [0.3, 1] : [0.5, 1.5]
      const row = {pointsPerSec: r.pointsPerSec, writeMs: r.writeMs, cpuSecPerMillion: r.cpuSecPerMillion, countMs: r.countMs, meanByMinuteMs: r.meanByMinuteMs}
      if (base) {
        row.writeRatio = Number((r.pointsPerSec / base.pointsPerSec).toFixed(3))
        // influxd's CPU per point over ours: what the write ratio tends to when the load of the machine is not the limit.
        row.cpuRatio = Number((base.cpuSecPerMillion / r.cpuSecPerMillion).toFixed(3))
        row.writeVerdict = verdict(row.writeRatio >= floor)
        row.writeGoalMet = row.writeRatio >= goal
        console.log(`  write ${t.name} / influxd: ${row.writeRatio}x (floor ${floor}, goal ${goal}) ${row.writeVerdict}${row.writeGoalMet ? ' (goal met)' : ''}; CPU per point, influxd / ours: ${row.cpuRatio}x`)
        if (opts.only.includes('query')) {
          for (const name of Object.keys(queries)) {
            row[`${name}Ratio`] = Number((base[`${name}Ms`] / r[`${name}Ms`]).toFixed(3))
            row[`${name}Same`] = base[`${name}Body`] === r[`${name}Body`]
            console.log(`  ${name} ${t.name}: influxd ${base[`${name}Ms`]} ms / ours ${r[`${name}Ms`]} ms = ${row[`${name}Ratio`]}x (floor 0.5) ${verdict(row[`${name}Ratio`] >= 0.5)}; same answer: ${row[`${name}Same`] ? 'yes' : 'NO'}`)
          }
        }
      }
      out[t.key] = row
    }
    if (base) out.influxd = {pointsPerSec: base.pointsPerSec, writeMs: base.writeMs, cpuSecPerMillion: base.cpuSecPerMillion, countMs: base.countMs, meanByMinuteMs: base.meanByMinuteMs}
  }

  if (opts.only.includes('hh')) out.hh = await hhBench(opts)

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
  for (const k of ['data1', 'data2', 'rf2']) if (out[k]) for (const q of ['count', 'meanByMinute']) delete out[k][`${q}Body`]
  console.log(JSON.stringify(out))
  agent.destroy()
}

main().catch((err) => {
  console.error(`datanode-bench: ${err.stack ?? err}`)
  agent.destroy()
  process.exit(1)
})

