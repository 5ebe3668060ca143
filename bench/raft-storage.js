#!/usr/bin/env node
/**
 * raft-storage.js: what the dev cluster's Raft storage (src/devcluster/raft/storage.ts, built into dist/) costs over
 * the simplest durable append loop. Plain Node ESM, no dependencies.
 *
 *   npm run build && node bench/raft-storage.js [--entries 3000] [--bytes 200] [--batches 1,16,64] [--runs 3]
 *                                               [--dist DIR] [--keep]
 *
 * For each batch size B (entries per save):
 *   raw:     one file; per batch, one write of the B records' bytes at the end of the file (framed in advance: the
 *            same bytes the storage writes) and one fdatasync. Nothing else: no JSON, no CRC, no bookkeeping.
 *   storage: RaftStorage.save({entries}) with B entries of --bytes of data each, one after the other, each awaited
 *            (as the driver does: one save in flight). Every save ends with one fdatasync, like the raw loop.
 * Both use the promise API (the thread pool), as a node must to keep its event loop free. They alternate, best of
 * --runs. Reported: entries/s of each and the ratio storage/raw. Floor: ratio >= 0.7 (fdatasync dominates; the
 * storage's own work must not).
 *
 * Prints a report and a final JSON line. Exits 0 even when a floor is missed (a benchmark, not a test), 1 when it
 * could not run (no build). Files go to .bench/raft-storage/ (git-ignored) and are removed unless --keep.
 */
import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {open} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const FLOOR = 0.7
const USAGE = `usage: node bench/raft-storage.js [--entries 3000] [--bytes 200] [--batches 1,16,64] [--runs 3] [--dist DIR] [--keep]`

function parseArgs(argv) {
  const opts = {entries: 3000, bytes: 200, batches: [1, 16, 64], runs: 3, dist: path.join(ROOT, 'dist'), keep: false}
  const positive = (name, v) => {
    const n = Number(v)
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`${name} must be a positive integer`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--entries') opts.entries = positive(a, value())
    else if (a === '--bytes') opts.bytes = positive(a, value())
    else if (a === '--batches') opts.batches = value().split(',').map((v) => positive(a, v))
    else if (a === '--runs') opts.runs = positive(a, value())
    else if (a === '--dist') opts.dist = path.resolve(value())
    else if (a === '--keep') opts.keep = true
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown argument ${a}`)
  }
  return opts
}

function makeEntries(count, bytes) {
  const data = 'd'.repeat(bytes)
  return Array.from({length: count}, (_, i) => ({index: i + 1, term: 1, kind: 'cmd', data}))
}

/**
 * The raw loop: the storage's own bytes, framed before the clock starts, written at the end of the file (positional
 * writes, the calls the storage makes) and fdatasync'ed per batch.
 */
async function rawRun(storage, file, entries, batch) {
  const buffers = []
  for (let i = 0; i < entries.length; i += batch) {
    const records = entries.slice(i, i + batch).map((e) => ({type: storage.RecordType.ENTRY, json: JSON.stringify(e)}))
    buffers.push(storage.encodeRecords(records))
  }
  rmSync(file, {force: true})
  const fh = await open(file, 'w')
  let pos = 0
  const start = performance.now()
  for (const buf of buffers) {
    await fh.write(buf, 0, buf.length, pos)
    pos += buf.length
    await fh.datasync()
  }
  const ms = performance.now() - start
  await fh.close()
  return ms
}

async function storageRun(storage, dir, entries, batch) {
  rmSync(dir, {recursive: true, force: true})
  const s = await storage.openRaftStorage(dir)
  const start = performance.now()
  for (let i = 0; i < entries.length; i += batch) await s.save({entries: entries.slice(i, i + batch)})
  const ms = performance.now() - start
  await s.close()
  const back = await storage.openRaftStorage(dir)
  await back.close()
  if (back.recovered.entries.length !== entries.length) {
    throw new Error(`the storage recovered ${back.recovered.entries.length} entries, expected ${entries.length}`)
  }
  return ms
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.help) return console.log(USAGE)
  const storageJs = path.join(opts.dist, 'devcluster', 'raft', 'storage.js')
  if (!existsSync(storageJs)) {
    console.error(`${storageJs} is missing: run npm run build first`)
    process.exitCode = 1
    return
  }
  const storage = await import(pathToFileURL(storageJs).href)
  const dir = path.join(ROOT, '.bench', 'raft-storage')
  mkdirSync(dir, {recursive: true})
  const results = {
    machine: {cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(), node: process.version, platform: process.platform},
    settings: {entries: opts.entries, bytes: opts.bytes, runs: opts.runs}, rows: [], targets: {},
  }
  console.log(`raft storage benchmark: ${opts.entries} entries of ${opts.bytes} bytes, one fdatasync per save, best of ${opts.runs}`)
  try {
    for (const batch of opts.batches) {
      const count = Math.max(batch, Math.floor(opts.entries / batch) * batch)
      const entries = makeEntries(count, opts.bytes)
      const best = {raw: Infinity, storage: Infinity}
      for (let run = 0; run < opts.runs; run++) {
        // Alternate which goes first, so that a change in machine load hits both alike.
        const order = run % 2 === 0 ? ['raw', 'storage'] : ['storage', 'raw']
        for (const who of order) {
          const ms = who === 'raw'
            ? await rawRun(storage, path.join(dir, 'raw.log'), entries, batch)
            : await storageRun(storage, path.join(dir, 'meta'), entries, batch)
          best[who] = Math.min(best[who], ms)
        }
      }
      const row = {
        batch, entries: count, saves: count / batch,
        rawEntriesPerSec: count / (best.raw / 1000), storageEntriesPerSec: count / (best.storage / 1000),
        ratio: best.raw / best.storage,
      }
      results.rows.push(row)
      const ok = row.ratio >= FLOOR
      results.targets[`batch${batch}`] = ok ? 'PASS' : 'FAIL'
      console.log(`batch ${String(batch).padStart(3)}: raw ${row.rawEntriesPerSec.toFixed(0).padStart(7)} entries/s, ` +
        `storage ${row.storageEntriesPerSec.toFixed(0).padStart(7)} entries/s, ratio ${row.ratio.toFixed(2)} (floor ${FLOOR}) ${ok ? 'PASS' : 'FAIL'}`)
    }
  } finally {
    if (!opts.keep) rmSync(dir, {recursive: true, force: true})
  }
  console.log(JSON.stringify({bench: 'raft-storage', ...results}))
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
