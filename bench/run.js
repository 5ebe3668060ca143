#!/usr/bin/env node
/**
 * run.js: the medic benchmarks. Plain Node ESM, no dependencies.
 *
 *   npm run bench                       (builds first, then runs this with the defaults)
 *   node bench/run.js [--size 1GB] [--seed 1] [--keep] [--only throughput|startup]
 *                     [--grep-runs 3] [--medic-runs 2] [--startup-runs 17]
 *
 * Throughput: `medic logs summarize FILE --json` against `grep -cE '<every catalogue keyword>' FILE` on the same
 * generated log (bench/gen-log.js), best of N runs each, plus medic's peak RSS (GNU time, %M). Startup: `medic explain
 * "<line>"` against `medic --version`, run alternately, medians. Every figure that has a target is a ratio against a
 * baseline measured in the same run, because absolute times on shared, noisy machines say little (see README.md).
 *
 * Targets (issue 13): medic MB/s >= 0.2 x grep MB/s (goal 0.35); medic peak RSS < 250 MB; explain <= 1.15 x --version.
 * The script prints PASS/FAIL per target and a final JSON line with all figures. It exits 0 even when a target is
 * missed (benchmarks are not tests) and 1 only when a command could not run or failed.
 *
 * Files (all under .bench/, which git ignores): the generated log (named after generator version, size and seed, and
 * removed at the end unless --keep), grep.out (grep's count), medic.json (medic's document), medic.time (GNU time).
 */
import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {GEN_VERSION, parseSize} from './gen-log.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BENCH_DIR = path.join(ROOT, '.bench')
const CATALOGUE_JS = path.join(ROOT, 'dist', 'logs', 'catalogue', 'index.js')
const MEDIC = path.join(ROOT, 'bin', 'run.js')
const GNU_TIME = '/usr/bin/time'
const MB = 1024 ** 2 // binary megabytes, as in gen-log.js

const TARGETS = {
  throughputRatio: 0.2, // medic MB/s divided by grep MB/s, at least (issue 13: stays >= 0.2 after the matcher changes)
  peakRssMB: 250, // medic peak resident memory, below
  startupRatio: 1.15, // median `explain` time divided by median `--version` time, at most (issue 13)
}
/** Where issue 13 would like throughput to be; printed as a goal, not a pass/fail target. */
const GOALS = {throughputRatio: 0.35}
const EXPLAIN_LINE = '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty'
/** medic exits 3 when it found problems in the log: still a successful run. */
const MEDIC_OK = new Set([0, 3])

// ---------------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {size: '1GB', seed: 1, keep: false, only: undefined, grepRuns: 3, medicRuns: 2, startupRuns: 17}
  const count = (name, v) => {
    const n = Number.parseInt(v, 10)
    if (!(n >= 1)) throw new Error(`${name} must be a positive integer`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--size') opts.size = value()
    else if (a === '--seed') opts.seed = count('--seed', value())
    else if (a === '--keep') opts.keep = true
    else if (a === '--only') opts.only = value()
    else if (a === '--grep-runs') opts.grepRuns = count(a, value())
    else if (a === '--medic-runs') opts.medicRuns = count(a, value())
    else if (a === '--startup-runs') opts.startupRuns = count(a, value())
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown argument ${a}`)
  }
  if (opts.only !== undefined && opts.only !== 'throughput' && opts.only !== 'startup') {
    throw new Error('--only takes throughput or startup')
  }
  opts.bytes = parseSize(opts.size)
  return opts
}

const USAGE = `usage: node bench/run.js [--size 1GB] [--seed 1] [--keep] [--only throughput|startup]
                         [--grep-runs 3] [--medic-runs 2] [--startup-runs 17]`

// ---------------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Runs a command without a shell and times it from spawn to exit. stdout goes to `stdoutFile` (a real file: GNU grep
 * stops at the first match when its stdout is /dev/null) or is collected; the tail of stderr is kept for error reports.
 */
function run(cmd, args, {stdoutFile, env} = {}) {
  return new Promise((resolve) => {
    const fd = stdoutFile ? openSync(stdoutFile, 'w') : undefined
    const start = process.hrtime.bigint()
    const child = spawn(cmd, args, {cwd: ROOT, env: env ?? process.env, stdio: ['ignore', fd ?? 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => {
      if (stdout.length < 65536) stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000)
    })
    const finish = (code, signal, error) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (fd !== undefined) closeSync(fd)
      resolve({code, signal, ms, stdout, stderr: error ? `${error.message}\n${stderr}` : stderr})
    }
    child.on('error', (error) => finish(null, null, error))
    child.on('close', (code, signal) => finish(code, signal))
  })
}

const min = (xs) => Math.min(...xs)
const max = (xs) => Math.max(...xs)
function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmt = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits))
const verdict = (ok) => (ok === null ? 'n/a ' : ok ? 'PASS' : 'FAIL')
const rel = (p) => path.relative(ROOT, p) || '.'

/** Escapes a literal for a POSIX extended regular expression. */
const escapeEre = (s) => s.replace(/[\\.[\]()*+?{}|^$]/g, '\\$&')

function describeFailure(what, r) {
  const how = r.signal ? `killed by ${r.signal}` : r.code === null ? 'could not start' : `exit code ${r.code}`
  const tail = r.stderr.trim().split('\n').slice(-8).join('\n    ')
  return `${what}: ${how}${tail ? `\n    ${tail}` : ''}`
}

// ---------------------------------------------------------------------------------------------------------------------
// Throughput
// ---------------------------------------------------------------------------------------------------------------------

/** The generated log for this size and seed; written (to a temporary name, then renamed) if not there yet. */
async function ensureLog(opts, failures) {
  const file = path.join(BENCH_DIR, `influx-g${GEN_VERSION}-${opts.bytes}-s${opts.seed}.log`)
  if (existsSync(file) && statSync(file).size >= opts.bytes) {
    console.log(`log:        ${rel(file)} (reused)`)
    return file
  }
  const tmp = `${file}.tmp`
  console.log(`log:        generating ${rel(file)} (${fmt(opts.bytes / MB, 0)} MB, seed ${opts.seed})...`)
  const r = await run(process.execPath, [path.join(ROOT, 'bench', 'gen-log.js'), '--size', String(opts.bytes), '--seed', String(opts.seed), '--out', tmp])
  if (r.code !== 0) {
    failures.push(describeFailure('gen-log.js', r))
    rmSync(tmp, {force: true})
    return undefined
  }
  renameSync(tmp, file)
  console.log(`            ${r.stderr.trim().replace(/^gen-log: /, '')}`)
  return file
}

/** The alternation of every keyword of the built catalogue, escaped for grep -E. */
async function catalogueKeywords() {
  const {CATALOGUE} = await import(pathToFileURL(CATALOGUE_JS).href)
  const keywords = new Set()
  for (const entry of CATALOGUE) {
    for (const m of Array.isArray(entry.match) ? entry.match : [entry.match]) {
      if (Array.isArray(m.keywords)) for (const k of m.keywords) keywords.add(k)
    }
  }
  return [...keywords]
}

async function throughput(opts, result, failures) {
  console.log('\n== Throughput: medic logs summarize vs grep -cE <catalogue keywords> ==')
  const keywords = await catalogueKeywords()
  if (keywords.length === 0) {
    failures.push('the built catalogue has no keywords')
    return
  }
  const pattern = keywords.map(escapeEre).join('|')
  const file = await ensureLog(opts, failures)
  if (!file) return
  const bytes = statSync(file).size
  const mbytes = bytes / MB
  result.log = {file: rel(file), bytes, seed: opts.seed, generator: GEN_VERSION}

  // grep: LC_ALL=C so that the figure does not depend on the machine's locale (and it is grep's fastest mode: the
  // strictest baseline). Exit 1 only means "no match".
  const grepOut = path.join(BENCH_DIR, 'grep.out')
  const grepMs = []
  let grepCount
  for (let i = 0; i < opts.grepRuns; i++) {
    const r = await run('grep', ['-cE', pattern, file], {stdoutFile: grepOut, env: {...process.env, LC_ALL: 'C'}})
    if (r.code !== 0 && r.code !== 1) {
      failures.push(describeFailure('grep', r))
      return
    }
    grepMs.push(r.ms)
    grepCount = Number(readFileSync(grepOut, 'utf8').trim())
  }
  const grepBest = min(grepMs)
  const grepMBs = mbytes / (grepBest / 1000)
  console.log(`grep:       ${keywords.length} keywords, ${grepCount} matching lines; runs ${grepMs.map((t) => fmt(t / 1000, 2)).join(' / ')} s; best ${fmt(grepBest / 1000, 2)} s = ${fmt(grepMBs, 0)} MB/s`)

  // medic, under GNU time for the peak RSS (kilobytes, %M). GNU time exits with the command's status and writes
  // "Command exited with non-zero status N" before the figure when that status is not 0.
  const medicOut = path.join(BENCH_DIR, 'medic.json')
  const timeOut = path.join(BENCH_DIR, 'medic.time')
  const haveTime = existsSync(GNU_TIME)
  if (!haveTime) console.log(`            (${GNU_TIME} not found: peak RSS will not be measured)`)
  const medicArgs = [MEDIC, 'logs', 'summarize', file, '--json']
  const medicMs = []
  const rssKB = []
  const cpuS = []
  let exitCode
  for (let i = 0; i < opts.medicRuns; i++) {
    const r = haveTime
      ? await run(GNU_TIME, ['-f', '%M %U %S', '-o', timeOut, process.execPath, ...medicArgs], {stdoutFile: medicOut})
      : await run(process.execPath, medicArgs, {stdoutFile: medicOut})
    if (!MEDIC_OK.has(r.code)) {
      failures.push(describeFailure('medic logs summarize', r))
      return
    }
    exitCode = r.code
    medicMs.push(r.ms)
    if (haveTime) {
      const last = readFileSync(timeOut, 'utf8').trim().split('\n').filter((l) => /^\d+ [\d.]+ [\d.]+$/.test(l)).pop()
      if (last) {
        const [kb, user, sys] = last.split(' ').map(Number)
        rssKB.push(kb)
        cpuS.push(user + sys)
      }
    }
  }

  // The document: only schemaVersion is relied on; line and byte totals are shown when present.
  let doc
  try {
    doc = JSON.parse(readFileSync(medicOut, 'utf8'))
  } catch (error) {
    failures.push(`medic logs summarize --json did not write a JSON document to ${rel(medicOut)}: ${error.message}`)
    return
  }
  if (doc?.schemaVersion === undefined) console.log(`            warning: ${rel(medicOut)} has no schemaVersion`)
  const totals = [doc?.input?.lines ?? doc?.lines, doc?.input?.bytes ?? doc?.bytes].map((v) => (typeof v === 'number' ? v : undefined))

  const medicBest = min(medicMs)
  const medicMBs = mbytes / (medicBest / 1000)
  const peakMB = rssKB.length > 0 ? max(rssKB) / 1024 : null
  console.log(`medic:      exit ${exitCode}, schemaVersion ${doc?.schemaVersion ?? '?'}${totals[0] === undefined ? '' : `, ${totals[0]} lines`}${totals[1] === undefined ? '' : `, ${totals[1]} bytes`}; runs ${medicMs.map((t) => fmt(t / 1000, 2)).join(' / ')} s; best ${fmt(medicBest / 1000, 2)} s = ${fmt(medicMBs, 1)} MB/s; peak RSS ${fmt(peakMB, 0)} MB`)

  // CPU time (user + sys, all threads): on a shared machine the wall-clock figure depends on what else runs; this one
  // much less. cores = CPU seconds / wall seconds of the same run: below the machine's cores means medic waited for CPU.
  if (cpuS.length > 0) {
    const i = medicMs.indexOf(medicBest)
    const cpu = cpuS[i] ?? min(cpuS)
    console.log(`medic CPU:  ${fmt(cpu, 1)} s user+sys in the best run (${fmt(cpu / (medicBest / 1000), 2)} of ${os.availableParallelism?.() ?? os.cpus().length} cores busy), ${fmt(mbytes / cpu, 1)} MB per CPU-second; load now ${os.loadavg()[0].toFixed(2)}`)
    result.medicCpu = {bestRunCpuS: round(cpu, 2), mbPerCpuS: round(mbytes / cpu, 1), coresBusy: round(cpu / (medicBest / 1000), 2), loadAfter: round(os.loadavg()[0], 2)}
  }
  const ratio = medicMBs / grepMBs
  const ratioOk = ratio >= TARGETS.throughputRatio
  const rssOk = peakMB === null ? null : peakMB < TARGETS.peakRssMB
  console.log(`${verdict(ratioOk)}        throughput ratio medic/grep = ${fmt(ratio, 3)} (target >= ${TARGETS.throughputRatio}, goal ${GOALS.throughputRatio})`)
  console.log(`${verdict(rssOk)}        medic peak RSS = ${fmt(peakMB, 0)} MB (target < ${TARGETS.peakRssMB} MB)`)

  result.grep = {keywords: keywords.length, matches: grepCount, runsMs: grepMs.map(Math.round), bestMs: Math.round(grepBest), MBps: round(grepMBs, 1)}
  result.medic = {exitCode, schemaVersion: doc?.schemaVersion ?? null, runsMs: medicMs.map(Math.round), bestMs: Math.round(medicBest), MBps: round(medicMBs, 2), peakRssMB: peakMB === null ? null : round(peakMB, 1)}
  result.throughputRatio = round(ratio, 4)
  result.pass.throughputRatio = ratioOk
  result.pass.peakRss = rssOk
}

const round = (n, d) => Math.round(n * 10 ** d) / 10 ** d

// ---------------------------------------------------------------------------------------------------------------------
// Startup
// ---------------------------------------------------------------------------------------------------------------------

async function startup(opts, result, failures) {
  console.log('\n== Cold start: medic explain "<line>" vs medic --version ==')
  const version = [MEDIC, '--version']
  const explain = [MEDIC, 'explain', EXPLAIN_LINE]
  const once = async (args, what, ok) => {
    const r = await run(process.execPath, args)
    if (!ok.has(r.code)) {
      failures.push(describeFailure(what, r))
      return undefined
    }
    return r
  }
  // One untimed run of each fills the file-system cache.
  if (!(await once(version, 'medic --version', new Set([0])))) return
  if (!(await once(explain, 'medic explain', MEDIC_OK))) return

  // Alternate the two (and which one goes first) so that drifts in machine load hit both alike.
  const versionMs = []
  const explainMs = []
  for (let i = 0; i < opts.startupRuns; i++) {
    for (const which of i % 2 === 0 ? ['version', 'explain'] : ['explain', 'version']) {
      const r = which === 'version' ? await once(version, 'medic --version', new Set([0])) : await once(explain, 'medic explain', MEDIC_OK)
      if (!r) return
      ;(which === 'version' ? versionMs : explainMs).push(r.ms)
    }
  }
  const v = median(versionMs)
  const e = median(explainMs)
  const ratio = e / v
  const ok = ratio <= TARGETS.startupRatio
  console.log(`--version:  median ${fmt(v, 0)} ms (min ${fmt(min(versionMs), 0)}, max ${fmt(max(versionMs), 0)}) over ${versionMs.length} runs`)
  console.log(`explain:    median ${fmt(e, 0)} ms (min ${fmt(min(explainMs), 0)}, max ${fmt(max(explainMs), 0)}) over ${explainMs.length} runs`)
  console.log(`${verdict(ok)}        startup ratio explain/--version = ${fmt(ratio, 3)} (target <= ${TARGETS.startupRatio})`)
  result.startup = {runs: opts.startupRuns, versionMedianMs: round(v, 1), explainMedianMs: round(e, 1), versionMs: versionMs.map(Math.round), explainMs: explainMs.map(Math.round), ratio: round(ratio, 4)}
  result.pass.startupRatio = ok
}

// ---------------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------------

async function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error(`bench: ${error.message}\n${USAGE}`)
    return 2
  }
  if (opts.help) {
    console.log(USAGE)
    return 0
  }
  if (!existsSync(CATALOGUE_JS)) {
    console.error(`bench: ${rel(CATALOGUE_JS)} is missing: run \`npm run build\` first (or use \`npm run bench\`, which builds).`)
    return 1
  }
  mkdirSync(BENCH_DIR, {recursive: true})

  const grepVersion = (await run('grep', ['--version'])).stdout.split('\n')[0]
  const cpus = os.cpus()
  const result = {
    bench: 'influx-medic',
    date: new Date().toISOString(),
    machine: {cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, loadavg1: round(os.loadavg()[0], 2), node: process.version, grep: grepVersion},
    size: opts.size,
    targets: TARGETS,
    pass: {},
  }
  console.log(`medic benchmarks: node ${process.version}, ${result.machine.cores} x ${result.machine.cpu}, load ${result.machine.loadavg1}, ${grepVersion}`)

  const failures = []
  if (opts.only !== 'startup') await throughput(opts, result, failures)
  if (opts.only !== 'throughput') await startup(opts, result, failures)

  if (result.log && !opts.keep) {
    rmSync(path.join(ROOT, result.log.file), {force: true})
    console.log(`\n(removed ${result.log.file}; pass --keep to keep it for the next run)`)
  }
  if (failures.length > 0) {
    console.log('\nCommands that failed:')
    for (const f of failures) console.log(`  ${f}`)
  }
  result.failures = failures
  console.log(JSON.stringify(result))
  return failures.length > 0 ? 1 : 0
}

process.exitCode = await main()
