#!/usr/bin/env node
/**
 * lp-parse.js: how fast the data node's line-protocol parser (src/lineprotocol, built into dist/) is on one core,
 * against splitting the same bytes into lines. Plain Node ESM, no dependencies.
 *
 *   npm run build && node bench/lp-parse.js [--lines 5000] [--seconds 1] [--dist DIR]
 *
 * For each shape of line (a realistic /write batch of --lines lines, as the HTTP body arrives: a Buffer):
 *   parse:    parseLines(buffer, {now, precision: 'ns'}) — decoding, the full parse, Point objects with bigint times;
 *   simple:   the same with expectFormatted (what a data node uses for cluster RPC writes and hinted-handoff
 *             deliveries: a one-pass reader for lines in formatPoint's form, the full parser for the others; shapes
 *             without a timestamp, with escapes, strings or unsorted tags all go to the full parser);
 *   split:    buffer.toString().split('\n') — the least anyone can do with the body;
 *   newlines: a byte loop counting 0x0a — reading every byte once, without making strings.
 * Each is repeated for --seconds and the best of three rounds is kept, by CPU time of this process (steadier than the
 * wall clock on a shared machine). Reported: points/s of parse, lines/s of split, and parse's speed as a fraction of
 * split's. Prints a report and a final JSON line; exits 1 only when it cannot run (no build).
 */
import {existsSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function parseArgs(argv) {
  const opts = {lines: 5000, seconds: 1, dist: path.join(ROOT, 'dist')}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--lines') opts.lines = Number(value())
    else if (a === '--seconds') opts.seconds = Number(value())
    else if (a === '--dist') opts.dist = path.resolve(value())
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown option ${a}`)
  }
  if (!(Number.isInteger(opts.lines) && opts.lines > 0)) throw new Error('--lines must be a positive integer')
  if (!(opts.seconds > 0)) throw new Error('--seconds must be positive')
  return opts
}

const T0 = 1_700_000_000_000_000_000n

/** Batches of realistic lines: what telegraf and client libraries send. */
const SHAPES = {
  'cpu (2 tags, 3 fields, ts)': (i) => `cpu,host=server${String(i % 100).padStart(2, '0')},region=us-west usage_idle=98.${i % 10},usage_user=1.${i % 7},usage_system=${i % 50}i ${T0 + BigInt(i) * 1_000_000_000n}`,
  'telegraf mem (1 tag, 9 fields)': (i) => `mem,host=server${i % 100} active=${1234 + i}i,available=5678i,available_percent=54.3,buffered=0i,cached=987i,free=${i}i,total=8000000i,used=3000i,used_percent=37.5 ${T0 + BigInt(i)}`,
  'sensor (1 tag, 1 field, no ts)': (i) => `temperature,sensor=a${i % 500} value=${(i % 400) / 10}`,
  'log (escapes, string field)': (i) => `log,host=web\\ ${i % 10},app=nginx msg="GET /index.html?id=${i} \\"ok\\"",status=200i,bytes=${512 + i}i ${T0 + BigInt(i)}`,
  'unsorted tags (5)': (i) => `net,zone=z${i % 3},iface=eth${i % 4},host=h${i % 50},dc=dc1,app=a bytes_in=${i}i,bytes_out=${2 * i}i ${T0 + BigInt(i)}`,
}

function cpuMs() {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Calls per CPU second of fn, best of three rounds of `seconds`. */
function rate(fn, seconds) {
  fn()
  let best = 0
  for (let r = 0; r < 3; r++) {
    let calls = 0
    const t0 = cpuMs()
    let t = t0
    do {
      fn()
      calls++
      t = cpuMs()
    } while (t - t0 < seconds * 1000)
    best = Math.max(best, calls / ((t - t0) / 1000))
  }
  return best
}

async function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`lp-parse: ${err.message}\nusage: node bench/lp-parse.js [--lines 5000] [--seconds 1] [--dist DIR]`)
    process.exit(2)
  }
  if (opts.help) {
    console.log('usage: node bench/lp-parse.js [--lines 5000] [--seconds 1] [--dist DIR]')
    return
  }
  const parseJs = path.join(opts.dist, 'lineprotocol', 'parse.js')
  if (!existsSync(parseJs)) {
    console.error(`lp-parse: ${parseJs} is missing; run npm run build first`)
    process.exit(1)
  }
  const {parseLines} = await import(pathToFileURL(parseJs).href)
  const now = T0
  const results = []
  console.log(`line-protocol parse, one core, batches of ${opts.lines} lines (${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${os.loadavg()[0].toFixed(1)})`)
  for (const [name, make] of Object.entries(SHAPES)) {
    const text = Array.from({length: opts.lines}, (_, i) => make(i)).join('\n') + '\n'
    const body = Buffer.from(text)
    const check = parseLines(body, {now, precision: 'ns'})
    if (check.errors.length > 0 || check.points.length !== opts.lines) throw new Error(`${name}: the batch does not parse: ${check.errors[0]?.message}`)
    const parse = rate(() => parseLines(body, {now, precision: 'ns'}), opts.seconds) * opts.lines
    const simple = rate(() => parseLines(body, {now, precision: 'ns', expectFormatted: true}), opts.seconds) * opts.lines
    const split = rate(() => body.toString().split('\n'), opts.seconds) * opts.lines
    const newlines = rate(() => {
      let n = 0
      for (let i = 0; i < body.length; i++) if (body[i] === 10) n++
      return n
    }, opts.seconds) * opts.lines
    const row = {shape: name, bytesPerLine: Math.round(body.length / opts.lines), parsePointsPerSec: Math.round(parse), simplePointsPerSec: Math.round(simple), splitLinesPerSec: Math.round(split),
      byteLoopLinesPerSec: Math.round(newlines), parseVsSplit: Number((parse / split).toFixed(4)), parseMBps: Number(((parse * body.length) / opts.lines / 1e6).toFixed(1))}
    results.push(row)
    console.log(`  ${name.padEnd(32)} parse ${(parse / 1e6).toFixed(2)} M points/s (${row.parseMBps} MB/s)   simple ${(simple / 1e6).toFixed(2)} M   split ${(split / 1e6).toFixed(1)} M lines/s   byte loop ${(newlines / 1e6).toFixed(1)} M lines/s   parse/split ${row.parseVsSplit}`)
  }
  console.log(JSON.stringify({bench: 'lp-parse', lines: opts.lines, node: process.version, load: os.loadavg()[0], results}))
}

main().catch((err) => {
  console.error(`lp-parse: ${err.stack ?? err}`)
  process.exit(1)
})
