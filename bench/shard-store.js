#!/usr/bin/env node
/**
 * shard-store.js: the data node's shard store (src/devcluster/data/store, built into dist/): write throughput against
 * the simplest durable append loop, and peak memory holding millions of points. Plain Node ESM, no dependencies.
 *
 *   npm run build && node bench/shard-store.js [--points 1000000] [--batch 5000] [--writers 4] [--series 1000]
 *                                              [--rss-points 10000000] [--rss-series 10000] [--runs 2]
 *                                              [--only throughput|rss] [--dist DIR] [--keep]
 *
 * Throughput (--points in batches of --batch, all in one shard, each point 2 fields: a float and an integer), each leg
 * in a fresh child process, best of --runs:
 *   raw:    one file; per batch, one write of the batch's WAL record (the same bytes the store logs, prepared in
 *           advance) at the end of the file and one fdatasync, batch after batch. No parsing, no index, no memory.
 *   parse:  parseLines() of every batch body (a Buffer, as HTTP gives it), nothing else: what the store leg pays
 *           before the store is involved.
 *   store:  parse, then DataStore.writeToShard(), --writers batches in flight at once (group commit: writes waiting for
 *           the disk share the next fdatasync, as influxd's WAL with wal-fsync-delay = 0); each acknowledged once on
 *           disk and readable. What /write costs without HTTP.
 *   Reported: points/s of each, CPU µs per point, and the ratio store/raw.
 * Memory (a child process, so that nothing else is counted): writes --rss-points points of one float field over
 *   --rss-series series (batches of --batch, parsed from line protocol as they come), then reports the peak resident
 *   set size (getrusage maxrss), the RSS after a full GC, and bytes per point. Goal: under 400 MB for 10,000,000
 *   points, limit 1 GB.
 *
 * Prints a report and a final JSON line. Exits 0 even when a goal is missed (a benchmark, not a test), 1 when it could
 * not run. Files go to .bench/shard-store/ (git-ignored) and are removed unless --keep.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {open} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SELF = fileURLToPath(import.meta.url)
const USAGE = 'usage: node bench/shard-store.js [--points N] [--batch N] [--writers N] [--series N] [--rss-points N] [--rss-series N] [--runs N] [--only throughput|rss] [--dist DIR] [--keep]'
const T0 = 1_700_000_000_000_000_000n

function parseArgs(argv) {
  const opts = {points: 1_000_000, batch: 5000, writers: 4, series: 1000, rssPoints: 10_000_000, rssSeries: 10_000, runs: 2, only: undefined,
    dist: path.join(ROOT, 'dist'), keep: false, child: undefined}
  const positive = (name, v) => {
    const n = Number(v)
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`${name} must be a positive integer`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--points') opts.points = positive(a, value())
    else if (a === '--batch') opts.batch = positive(a, value())
    else if (a === '--writers') opts.writers = positive(a, value())
    else if (a === '--series') opts.series = positive(a, value())
    else if (a === '--rss-points') opts.rssPoints = positive(a, value())
    else if (a === '--rss-series') opts.rssSeries = positive(a, value())
    else if (a === '--runs') opts.runs = positive(a, value())
    else if (a === '--only') {
      opts.only = value()
      if (opts.only !== 'throughput' && opts.only !== 'rss') throw new Error('--only takes throughput or rss')
    } else if (a === '--dist') opts.dist = path.resolve(value())
    else if (a === '--keep') opts.keep = true
    else if (a === '--child-rss') opts.child = value()
    else if (a === '--child-leg') opts.leg = value()
    else if (a === '--leg-dir') opts.legDir = value()
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown option ${a}`)
  }
  return opts
}

async function load(dist) {
  const file = (p) => pathToFileURL(path.join(dist, p)).href
  if (!existsSync(path.join(dist, 'devcluster', 'data', 'store', 'store.js'))) throw new Error(`${dist} has no built store; run npm run build first`)
  const [{DataStore}, {parseLines}, {encodeRecord}] = await Promise.all([
    import(file('devcluster/data/store/store.js')), import(file('lineprotocol/parse.js')), import(file('devcluster/data/store/wal.js')),
  ])
  return {DataStore, parseLines, encodeRecord}
}

/** Line protocol of batch b: `size` points over `series` series, 2 fields, times 1 ms apart in one week. */
function batchText(b, size, series) {
  const lines = new Array(size)
  for (let j = 0; j < size; j++) {
    const n = b * size + j
    const host = n % series
    lines[j] = `cpu,host=server${host},region=r${host % 8} usage_idle=${(n % 1000) / 10},usage_user=${n % 97}i ${T0 + BigInt(n) * 1_000_000n}`
  }
  return lines.join('\n')
}

function cpuSeconds() {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

async function rawLoop(file, records) {
  const fh = await open(file, 'w')
  let position = 0
  const start = performance.now()
  try {
    for (const r of records) {
      let done = 0
      while (done < r.length) {
        const {bytesWritten} = await fh.write(r, done, r.length - done, position + done)
        done += bytesWritten
      }
      position += r.length
      await fh.datasync()
    }
  } finally {
    await fh.close()
  }
  return (performance.now() - start) / 1000
}

/**
 * One leg of the throughput measurement, in a child process of its own (a fresh heap: nothing of another leg is
 * counted): raw, parse (parse every batch, nothing else), or store (parse and write, --writers in flight). The bodies
 * are made in the child, before the clock starts.
 */
async function throughputLeg(opts, mods) {
  const {DataStore, parseLines, encodeRecord} = mods
  const count = Math.ceil(opts.points / opts.batch)
  const bodies = Array.from({length: count}, (_, b) => Buffer.from(batchText(b, opts.batch, opts.series)))
  const parse = (body) => {
    const {points, errors} = parseLines(body, {now: T0})
    if (errors.length > 0) throw new Error(errors[0].message)
    return points
  }
  const dir = opts.legDir
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  let seconds
  let walBytes = 0
  const cpu0 = cpuSeconds()
  if (opts.leg === 'raw') {
    // The same bytes the store logs, encoded in advance (the points are not kept).
    const records = bodies.map((body, i) => encodeRecord({kind: 'write', seq: BigInt(i + 1), fields: [], points: parse(body)}))
    walBytes = records.reduce((n, r) => n + r.length, 0)
    const c = cpuSeconds()
    seconds = await rawLoop(path.join(dir, 'raw.wal'), records)
    process.stdout.write(`${JSON.stringify({seconds, cpuSeconds: cpuSeconds() - c, walBytes})}\n`)
    return
  }
  const start = performance.now()
  if (opts.leg === 'parse') {
    for (const body of bodies) parse(body)
  } else {
    const store = await DataStore.open(dir)
    let next = 0
    await Promise.all(Array.from({length: opts.writers}, async () => {
      while (next < count) await store.writeToShard('bench', 'autogen', 1, parse(bodies[next++]))
    }))
    await store.close()
  }
  seconds = (performance.now() - start) / 1000
  process.stdout.write(`${JSON.stringify({seconds, cpuSeconds: cpuSeconds() - cpu0, walBytes})}\n`)
}

function runLeg(opts, leg, dir) {
  return new Promise((resolve, reject) => {
    const args = [SELF, '--child-leg', leg, '--leg-dir', path.join(dir, leg), '--points', String(opts.points), '--batch', String(opts.batch),
      '--writers', String(opts.writers), '--series', String(opts.series), '--dist', opts.dist]
    const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`the ${leg} leg exited with ${code}`))))
  })
}

async function throughput(opts, dir) {
  const best = {raw: undefined, parse: undefined, store: undefined}
  for (let r = 0; r < opts.runs; r++) {
    for (const leg of ['raw', 'parse', 'store']) {
      const result = await runLeg(opts, leg, dir)
      if (!best[leg] || result.seconds < best[leg].seconds) best[leg] = result
    }
  }
  const points = Math.ceil(opts.points / opts.batch) * opts.batch
  const rate = (leg) => Math.round(points / best[leg].seconds)
  const result = {
    points, batches: Math.ceil(opts.points / opts.batch), writers: opts.writers, walMB: Number((best.raw.walBytes / 1e6).toFixed(1)),
    rawPointsPerSec: rate('raw'), parsePointsPerSec: rate('parse'), storePointsPerSec: rate('store'),
    storeCpuMicrosPerPoint: Number((best.store.cpuSeconds / points * 1e6).toFixed(2)), parseCpuMicrosPerPoint: Number((best.parse.cpuSeconds / points * 1e6).toFixed(2)),
    ratioStoreToRaw: Number((best.raw.seconds / best.store.seconds).toFixed(3)),
  }
  console.log(`throughput: ${points} points in ${result.batches} batches of ${opts.batch}, ${opts.writers} writers, ${result.walMB} MB of WAL records (best of ${opts.runs}, each leg in a fresh process)`)
  console.log(`  raw: append + fdatasync per batch      ${(result.rawPointsPerSec / 1e6).toFixed(2)} M points/s (${best.raw.seconds.toFixed(2)} s)`)
  console.log(`  parse only                             ${(result.parsePointsPerSec / 1e6).toFixed(2)} M points/s (${best.parse.seconds.toFixed(2)} s, ${result.parseCpuMicrosPerPoint} µs CPU/point)`)
  console.log(`  parse + store.writeToShard (durable)   ${(result.storePointsPerSec / 1e6).toFixed(2)} M points/s (${best.store.seconds.toFixed(2)} s, ${result.storeCpuMicrosPerPoint} µs CPU/point)   store/raw ${result.ratioStoreToRaw}`)
  return result
}

/** The memory child: writes the points, reports JSON on stdout. */
async function rssChild(opts, mods) {
  const {DataStore, parseLines} = mods
  const store = await DataStore.open(opts.child)
  const count = Math.ceil(opts.rssPoints / opts.batch)
  const start = performance.now()
  const cpu0 = cpuSeconds()
  for (let b = 0; b < count; b++) {
    const text = batchText(b, opts.batch, opts.rssSeries).replace(/,usage_user=\d+i/g, '')
    const {points} = parseLines(Buffer.from(text), {now: T0})
    await store.writeToShard('bench', 'autogen', 1, points)
  }
  const seconds = (performance.now() - start) / 1000
  const cpu = cpuSeconds() - cpu0
  const pointCount = store.pointCount()
  const peak = process.resourceUsage().maxRSS * 1024
  globalThis.gc?.()
  const after = process.memoryUsage()
  await store.close()
  process.stdout.write(`${JSON.stringify({points: pointCount, series: opts.rssSeries, seconds, cpuSeconds: cpu, peakRss: peak, rssAfterGc: after.rss, heapUsed: after.heapUsed, arrayBuffers: after.arrayBuffers})}\n`)
}

function rss(opts, dir) {
  return new Promise((resolve, reject) => {
    const args = ['--expose-gc', SELF, '--child-rss', path.join(dir, 'rss'), '--rss-points', String(opts.rssPoints), '--rss-series', String(opts.rssSeries),
      '--batch', String(opts.batch), '--dist', opts.dist]
    const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the memory child exited with ${code}`))
      const r = JSON.parse(out.trim().split('\n').pop())
      const mb = (n) => Number((n / 2 ** 20).toFixed(1))
      const result = {points: r.points, series: r.series, seconds: Number(r.seconds.toFixed(1)), pointsPerSec: Math.round(r.points / r.seconds),
        peakRssMB: mb(r.peakRss), rssAfterGcMB: mb(r.rssAfterGc), heapUsedMB: mb(r.heapUsed), arrayBuffersMB: mb(r.arrayBuffers),
        bytesPerPoint: Number((r.rssAfterGc / r.points).toFixed(1)), goal400MB: r.peakRss < 400 * 2 ** 20 ? 'PASS' : 'MISS', limit1GB: r.peakRss < 2 ** 30 ? 'PASS' : 'FAIL'}
      console.log(`memory: ${r.points} values over ${r.series} series (one float field), written in ${result.seconds} s (${(result.pointsPerSec / 1e6).toFixed(2)} M points/s with parse)`)
      console.log(`  peak RSS ${result.peakRssMB} MB (goal < 400 MB: ${result.goal400MB}; limit < 1 GB: ${result.limit1GB}); after GC ${result.rssAfterGcMB} MB, heap ${result.heapUsedMB} MB, typed arrays ${result.arrayBuffersMB} MB, ${result.bytesPerPoint} bytes/point`)
      resolve(result)
    })
    child.on('error', reject)
  })
}

async function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`shard-store: ${err.message}\n${USAGE}`)
    process.exit(2)
  }
  if (opts.help) return console.log(USAGE)
  const mods = await load(opts.dist)
  if (opts.child) return rssChild(opts, mods)
  if (opts.leg) return throughputLeg(opts, mods)
  const dir = path.join(ROOT, '.bench', 'shard-store')
  mkdirSync(dir, {recursive: true})
  const report = {bench: 'shard-store', node: process.version, cpus: os.cpus().length, load: os.loadavg()[0]}
  try {
    if (opts.only !== 'rss') report.throughput = await throughput(opts, dir)
    if (opts.only !== 'throughput') report.memory = await rss(opts, dir)
  } finally {
    if (!opts.keep) rmSync(dir, {recursive: true, force: true})
  }
  console.log(JSON.stringify(report))
}

main().catch((err) => {
  console.error(`shard-store: ${err.stack ?? err}`)
  process.exit(1)
})
