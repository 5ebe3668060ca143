#!/usr/bin/env node
/**
 * hh-bench.js: benchmarks of the hinted-handoff queue engine (src/hh/queue.ts, built into dist/hh/). Plain Node ESM,
 * no dependencies. The engine is written by hand because npm has no suitable durable segment queue; this checks that
 * it costs little over the simplest hand-written file loop doing the same work with the same sync policy.
 *
 *   npm run build && node bench/hh-bench.js [--mb 128] [--interval 10] [--runs 3] [--only append|drain|open]
 *                                           [--open-segments 1000] [--open-segment-mb 1 | --full] [--keep]
 *
 * append: raw loop (writeSync of a pre-framed block, fdatasync every --interval ms) against SegmentQueue.append with
 *         group commit every --interval ms (appends kept in flight, each resolving after its data is on disk), for
 *         1 KiB and 64 KiB blocks. Same bytes, same disk, alternated, best of --runs. Floor: engine >= 0.7 x raw.
 * drain:  raw loop (readSync of each length prefix, and of each payload into a new buffer, head offset written and
 *         fdatasync'ed every --interval ms) against peek() + advance() over the queue the append run wrote. Floor:
 *         engine >= 0.7 x raw. Also printed: the CPU time of both (all threads) and how long the main thread waited for
 *         a CPU; the engine needs the raw loop's CPU time plus the CRC-32's, so the floor needs a free second core.
 * open:   1,000 full segments (--open-segment-mb each; --full makes them 10 MiB, 10 GiB in all) whose tail holds a
 *         torn append, as after a crash; time of SegmentQueue.open(), which must verify the tail and cut the torn write.
 *         Floor: < 1 s. The files were just written, so they are in the page cache: a cold cache adds the disk's
 *         latency for the few reads opening does (1,000 stats, the tail, one footer).
 *
 * Prints a report and a final JSON line. Exits 0 even when a floor is missed (a benchmark, not a test), 1 when it could
 * not run (no build). Files go to .bench/hh/ (git-ignored) and are removed unless --keep.
 */
import {closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {crc32} from 'node:zlib'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const KiB = 1024
const MiB = 1024 * KiB
const FLOORS = {appendRatio: 0.7, drainRatio: 0.7, openMs: 1000}
const USAGE = `usage: node bench/hh-bench.js [--mb 128] [--interval 10] [--runs 3] [--only append|drain|open]
                            [--open-segments 1000] [--open-segment-mb 1 | --full] [--keep] [--dist DIR]`

function parseArgs(argv) {
  const opts = {
    mb: 128, interval: 10, runs: 3, only: undefined, openSegments: 1000, openSegmentMb: 1, keep: false,
    dist: path.join(ROOT, 'dist'),
  }
  const positive = (name, v) => {
    const n = Number(v)
    if (!(n > 0)) throw new Error(`${name} must be a positive number`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--mb') opts.mb = positive(a, value())
    else if (a === '--interval') opts.interval = positive(a, value())
    else if (a === '--runs') opts.runs = Math.round(positive(a, value()))
    else if (a === '--only') opts.only = value()
    else if (a === '--open-segments') opts.openSegments = Math.round(positive(a, value()))
    else if (a === '--open-segment-mb') opts.openSegmentMb = positive(a, value())
    else if (a === '--full') opts.openSegmentMb = 10
    else if (a === '--keep') opts.keep = true
    else if (a === '--dist') opts.dist = path.resolve(value())
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown argument ${a}`)
  }
  if (opts.only !== undefined && !['append', 'drain', 'open'].includes(opts.only)) throw new Error('--only takes append, drain or open')
  return opts
}

// ---------------------------------------------------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------------------------------------------------

/** The main thread's time spent runnable but waiting for a CPU, in ms (Linux schedstat); undefined elsewhere. */
function cpuWaitMs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6
  } catch {
    return undefined
  }
}

/**
 * Starts timing a drain. The stop function returns the wall time, the CPU time of every thread of the process (the
 * engine reads on libuv's threads while the main thread checksums) and how long the main thread waited for a CPU (a
 * busy machine: other processes had the cores).
 */
function startClock() {
  const wait0 = cpuWaitMs()
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  return () => {
    const ms = performance.now() - start
    const cpu = process.cpuUsage(cpu0)
    const wait1 = cpuWaitMs()
    return {ms, cpuMs: (cpu.user + cpu.system) / 1000, cpuWaitMs: wait0 === undefined || wait1 === undefined ? undefined : wait1 - wait0}
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Raw loops: the baselines
// ---------------------------------------------------------------------------------------------------------------------

/** A length-prefixed block, framed once: the raw loop pays for nothing but the write itself. */
function framed(data) {
  const out = Buffer.alloc(8 + data.length)
  out.writeBigUInt64BE(BigInt(data.length), 0)
  data.copy(out, 8)
  return out
}

function rawAppend(file, data, count, intervalMs) {
  const block = framed(data)
  const fd = openSync(file, 'w')
  const start = performance.now()
  let lastSync = start
  for (let i = 0; i < count; i++) {
    writeSync(fd, block)
    const now = performance.now()
    if (now - lastSync >= intervalMs) {
      fdatasyncSync(fd)
      lastSync = now
    }
  }
  fdatasyncSync(fd)
  const ms = performance.now() - start
  closeSync(fd)
  return ms
}

/**
 * Reads the blocks back one by one and persists the head offset (in a file of its own) every `intervalMs`. Each payload
 * is read into a new buffer, as a queue must hand out blocks its caller may keep (the engine's blocks are theirs too).
 * `checksum`: also computes each payload's CRC-32, the check the engine cannot skip (a diagnostic, not the floor).
 * Returns startClock()'s figures.
 */
function rawDrain(file, count, intervalMs, checksum) {
  const fd = openSync(file, 'r')
  const headFd = openSync(`${file}.head`, 'w')
  const prefix = Buffer.alloc(8)
  const head = Buffer.alloc(8)
  const persistHead = (pos) => {
    head.writeBigUInt64BE(BigInt(pos), 0)
    writeSync(headFd, head, 0, 8, 0)
    fdatasyncSync(headFd)
  }
  const stop = startClock()
  let lastSync = performance.now()
  let pos = 0
  for (let i = 0; i < count; i++) {
    readSync(fd, prefix, 0, 8, pos)
    const length = Number(prefix.readBigUInt64BE(0))
    const payload = Buffer.allocUnsafe(length)
    readSync(fd, payload, 0, length, pos + 8)
    if (checksum) crc32(payload)
    pos += 8 + length
    const now = performance.now()
    if (now - lastSync >= intervalMs) {
      persistHead(pos)
      lastSync = now
    }
  }
  persistHead(pos)
  const time = stop()
  closeSync(fd)
  closeSync(headFd)
  return time
}

// ---------------------------------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Appends `count` blocks keeping up to 32 MiB in flight; returns the time until the last is on disk. The producer
 * yields to the event loop every 256 KiB, as a server does between requests: a loop that never yields would keep the
 * group-commit timer from firing until it blocks on a full window.
 */
async function engineAppend(SegmentQueue, dir, data, count, intervalMs) {
  const queue = await SegmentQueue.open(dir, {sync: {intervalMs}})
  const window = Math.max(64, Math.floor((32 * MiB) / data.length))
  const yieldEvery = Math.max(1, Math.floor((256 * KiB) / data.length))
  const ring = new Array(window)
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    if (i % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve))
    if (i >= window) await ring[i % window]
    ring[i % window] = queue.append(data)
  }
  await Promise.all(ring.slice(0, Math.min(window, count)))
  const ms = performance.now() - start
  await queue.close()
  return ms
}

/** peek() + advance() until the queue is empty, then flush(); returns startClock()'s figures. */
async function engineDrain(SegmentQueue, dir, count, intervalMs) {
  const queue = await SegmentQueue.open(dir, {sync: {intervalMs}})
  const stop = startClock()
  let delivered = 0
  for (let data = await queue.peek(); data; data = await queue.peek()) {
    delivered++
    void queue.advance()
  }
  await queue.flush()
  const time = stop()
  await queue.close()
  if (delivered !== count) throw new Error(`the engine delivered ${delivered} blocks, expected ${count}`)
  return time
}

// ---------------------------------------------------------------------------------------------------------------------
// Open after a crash
// ---------------------------------------------------------------------------------------------------------------------

/** One full segment of medic blocks (4 KiB of data each) with a zero footer. */
function fullSegment(segmentBytes, format) {
  const data = Buffer.alloc(4 * KiB, 0x61)
  const blockBytes = format.dataBlockBytes(data.length)
  const count = Math.floor((segmentBytes - 8) / blockBytes)
  const buf = Buffer.alloc(count * blockBytes + 8)
  for (let i = 0; i < count; i++) format.writeDataBlock(buf, i * blockBytes, data)
  return {buf, blockBytes}
}

/** Writes the segments, then a tail holding a torn append: the old footer followed by half a block, no link. */
function writeCrashedQueue(dir, segments, segment) {
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  for (let id = 1; id < segments; id++) writeFileSync(path.join(dir, String(id)), segment.buf)
  writeTornTail(dir, segments, segment)
}

function writeTornTail(dir, id, segment) {
  const torn = segment.buf.subarray(8, 8 + segment.blockBytes / 2)
  writeFileSync(path.join(dir, String(id)), Buffer.concat([segment.buf, torn]))
}

async function openAfterCrash(SegmentQueue, format, opts, dir) {
  const segmentBytes = Math.floor(opts.openSegmentMb * MiB)
  const segment = fullSegment(segmentBytes, format)
  writeCrashedQueue(dir, opts.openSegments, segment)
  const times = []
  let torn = 0
  for (let run = 0; run < opts.runs; run++) {
    if (run > 0) writeTornTail(dir, opts.openSegments, segment)
    const findings = []
    const start = performance.now()
    const queue = await SegmentQueue.open(dir, {segmentBytes, onFinding: (f) => findings.push(f)})
    times.push(performance.now() - start)
    const stats = await queue.stats()
    await queue.close()
    if (findings.some((f) => f.kind === 'torn-tail')) torn++
    const expected = opts.openSegments * (segment.buf.length - 8)
    if (stats.pendingBytes !== expected) throw new Error(`after open: ${stats.pendingBytes} bytes pending, expected ${expected}`)
  }
  if (torn !== opts.runs) throw new Error('opening did not report the torn tail')
  return {segments: opts.openSegments, totalBytes: opts.openSegments * segment.buf.length, ms: Math.min(...times), times}
}

// ---------------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------------

function mbps(bytes, ms) {
  return bytes / MiB / (ms / 1000)
}

function verdict(ok) {
  return ok ? 'PASS' : 'FAIL'
}

async function throughput(engine, opts, dir, results) {
  const total = Math.floor(opts.mb * MiB)
  for (const size of [KiB, 64 * KiB]) {
    const count = Math.floor(total / size)
    const data = Buffer.alloc(size, 0x62)
    const label = `${size / KiB} KiB`
    const best = {rawAppend: Infinity, engineAppend: Infinity}
    const slowest = {ms: Infinity}
    const bestDrain = {raw: slowest, rawCrc: slowest, engine: slowest}
    const keepBest = (key, time) => {
      if (time.ms < bestDrain[key].ms) bestDrain[key] = time
    }
    for (let run = 0; run < opts.runs; run++) {
      // Alternate which goes first, so that a change in machine load hits both alike.
      const order = run % 2 === 0 ? ['raw', 'engine'] : ['engine', 'raw']
      for (const who of order) {
        const qdir = path.join(dir, `q-${who}`)
        const file = path.join(dir, 'raw.dat')
        rmSync(qdir, {recursive: true, force: true})
        rmSync(file, {force: true})
        rmSync(`${file}.head`, {force: true})
        if (who === 'raw') {
          best.rawAppend = Math.min(best.rawAppend, rawAppend(file, data, count, opts.interval))
          keepBest('raw', rawDrain(file, count, opts.interval, false))
          keepBest('rawCrc', rawDrain(file, count, opts.interval, true))
        } else {
          best.engineAppend = Math.min(best.engineAppend, await engineAppend(engine.SegmentQueue, qdir, data, count, opts.interval))
          keepBest('engine', await engineDrain(engine.SegmentQueue, qdir, count, opts.interval))
        }
      }
    }
    const bytes = count * size
    const row = {
      blockBytes: size, blocks: count,
      append: {rawMBps: mbps(bytes, best.rawAppend), engineMBps: mbps(bytes, best.engineAppend), ratio: best.rawAppend / best.engineAppend},
      drain: {
        rawMBps: mbps(bytes, bestDrain.raw.ms), engineMBps: mbps(bytes, bestDrain.engine.ms), ratio: bestDrain.raw.ms / bestDrain.engine.ms,
        rawWithCrcMBps: mbps(bytes, bestDrain.rawCrc.ms), ratioToRawWithCrc: bestDrain.rawCrc.ms / bestDrain.engine.ms,
        // The best runs' CPU time (all threads) and the main thread's wait for a CPU, in ms.
        raw: bestDrain.raw, engine: bestDrain.engine,
      },
    }
    results.throughput.push(row)
    for (const kind of ['append', 'drain']) {
      if (opts.only && opts.only !== kind) continue
      const r = row[kind]
      const floor = kind === 'append' ? FLOORS.appendRatio : FLOORS.drainRatio
      results.targets[`${kind}${size / KiB}KiB`] = verdict(r.ratio >= floor)
      const speeds = `raw ${r.rawMBps.toFixed(0).padStart(5)} MB/s, engine ${r.engineMBps.toFixed(0).padStart(5)} MB/s`
      console.log(`${kind.padEnd(6)} ${label.padStart(6)}: ${speeds}, ` +
        `ratio ${r.ratio.toFixed(2)} (floor ${floor}) ${verdict(r.ratio >= floor)}` +
        (kind === 'drain' ? ` [raw + CRC-32 ${r.rawWithCrcMBps.toFixed(0)} MB/s: ratio ${r.ratioToRawWithCrc.toFixed(2)}]` : ''))
      if (kind === 'drain') console.log(`${''.padStart(14)}${cpuNote(r.raw, r.engine)}`)
    }
  }
}

/**
 * What the best drain runs cost in CPU time, and whether the machine was busy. The engine reads on libuv's threads
 * while its main thread verifies checksums: it needs about the raw loop's CPU time plus the CRC-32's, and matches the
 * raw loop's speed only when a second core is free. A main thread that waited long for a CPU means other processes
 * held the cores; then both figures, and their ratio, say more about the machine than about the engine.
 */
function cpuNote(raw, engine) {
  const fmt = (t) => `${t.cpuMs.toFixed(0)} ms CPU in ${t.ms.toFixed(0)} ms` + (t.cpuWaitMs === undefined ? '' : `, ${t.cpuWaitMs.toFixed(0)} ms waiting for a CPU`)
  const busy = [raw, engine].some((t) => t.cpuWaitMs !== undefined && t.cpuWaitMs > 0.2 * t.ms)
  return `raw: ${fmt(raw)}; engine: ${fmt(engine)}` + (busy ? ' (busy machine: the ratio is unreliable)' : '')
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.help) return console.log(USAGE)
  const queueJs = path.join(opts.dist, 'hh', 'queue.js')
  const formatJs = path.join(opts.dist, 'hh', 'format.js')
  if (!existsSync(queueJs)) {
    console.error(`${queueJs} is missing: run npm run build first`)
    process.exitCode = 1
    return
  }
  const engine = await import(pathToFileURL(queueJs).href)
  const format = await import(pathToFileURL(formatJs).href)
  const dir = path.join(ROOT, '.bench', 'hh')
  mkdirSync(dir, {recursive: true})
  const results = {
    machine: {cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(), node: process.version},
    settings: {mb: opts.mb, intervalMs: opts.interval, runs: opts.runs}, throughput: [], targets: {},
  }
  const throughputPart = opts.only === 'open' ? '' : `${opts.mb} MiB per run, group commit every ${opts.interval} ms, `
  console.log(`hh engine benchmark: ${throughputPart}best of ${opts.runs}`)
  try {
    if (opts.only !== 'open') await throughput(engine, opts, dir, results)
    if (opts.only === undefined || opts.only === 'open') {
      const open = await openAfterCrash(engine.SegmentQueue, format, opts, path.join(dir, 'open'))
      results.open = open
      results.targets.openMs = verdict(open.ms < FLOORS.openMs)
      console.log(`open   ${open.segments} segments, ${(open.totalBytes / MiB).toFixed(0)} MiB, torn tail: ${open.ms.toFixed(1)} ms ` +
        `(floor < ${FLOORS.openMs} ms) ${results.targets.openMs}`)
    }
  } finally {
    if (!opts.keep) rmSync(dir, {recursive: true, force: true})
  }
  console.log(JSON.stringify({bench: 'hh', ...results}))
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
