#!/usr/bin/env node
// Benchmark: `medic hh inspect`'s scanner over a hinted-handoff directory of many segment files (issue target:
// 100,000 segments in under 2 s), against `du -sb` on the same tree in the same run (du stats every file too, and is
// what operators run today). Then the deadlines over the same tree: how long a scan takes to stop once its signal
// fires, and how long `medic hh wait DIR --timeout T` runs (target: T plus start-up, not T plus a whole scan; issue 9
// measured 8.5 s for --timeout 5s before scans were abortable). Uses the built CLI (dist/): run `npm run build` first.
//
//   node bench/hh-scan.js [--segments 100000] [--wait-timeout 5s] [--keep]
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const args = process.argv.slice(2)
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? dflt : args[i + 1]
}
const total = Number(flag('segments', '100000'))
const keep = args.includes('--keep')
const waitTimeout = flag('wait-timeout', '5s')
const waitTimeoutMs = Number(/^(\d+)s$/.exec(waitTimeout)?.[1] ?? NaN) * 1000
if (!Number.isFinite(waitTimeoutMs)) {
  console.error('bench/hh-scan.js: --wait-timeout takes whole seconds, e.g. 5s')
  process.exit(2)
}

const dist = new URL('../dist/hh/scan.js', import.meta.url)
if (!existsSync(dist)) {
  console.error('bench/hh-scan.js: dist/ is missing; run `npm run build` first')
  process.exit(1)
}
const {scanHhDir} = await import(dist)
const {encodeBlock, encodeFooter, encodePayload} = await import(new URL('../dist/hh/format.js', import.meta.url))

// 10 destination nodes x N shards x 100 segments each; every segment holds one small block and its footer.
const nodes = 10
const perQueue = 100
const shards = Math.max(1, Math.round(total / nodes / perQueue))
const dir = mkdtempSync(join(tmpdir(), 'medic-hh-scan-'))
const seg = Buffer.concat([encodeBlock(encodePayload(Buffer.from('cpu,host=a value=1 1600000000000000000\n'))), encodeFooter(0)])
let made = 0
const t0 = performance.now()
for (let n = 1; n <= nodes; n++) {
  for (let s = 1; s <= shards; s++) {
    const q = join(dir, String(n), String(100 + s))
    mkdirSync(q, {recursive: true})
    for (let g = 1; g <= perQueue; g++, made++) writeFileSync(join(q, String(g)), seg)
  }
}
console.log(`hh-scan: ${made} segments in ${dir} (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`)

const time = (fn) => {
  const t = performance.now()
  fn()
  return performance.now() - t
}
const runs = []
const duRuns = []
for (let i = 0; i < 3; i++) {
  duRuns.push(time(() => execFileSync('du', ['-sb', dir], {stdio: ['ignore', 'pipe', 'ignore']})))
  const t = performance.now()
  const scan = await scanHhDir(dir)
  runs.push(performance.now() - t)
  if (scan.totals.segments !== made) throw new Error(`scanner saw ${scan.totals.segments} segments, expected ${made}`)
}
const best = Math.min(...runs)
const duBest = Math.min(...duRuns)
const pass = made < 100_000 || best < 2000
console.log(`scanner: ${runs.map((r) => r.toFixed(0)).join(' / ')} ms, best ${best.toFixed(0)} ms`)
console.log(`du -sb:  ${duRuns.map((r) => r.toFixed(0)).join(' / ')} ms, best ${duBest.toFixed(0)} ms`)
console.log(`${pass ? 'PASS' : 'FAIL'}        scanner/du = ${(best / duBest).toFixed(2)}; ${made} segments in ${best.toFixed(0)} ms (target < 2000 ms for 100,000)`)

// Deadlines: a scan told to stop 100 ms in, and `hh wait --timeout` over the whole tree (every queue has data, so the
// wait can only end at its deadline).
const stopAfter = 100
const t1 = performance.now()
let stoppedMs = NaN
try {
  await scanHhDir(dir, {signal: AbortSignal.timeout(stopAfter)})
  stoppedMs = performance.now() - t1
} catch (err) {
  if (err?.name !== 'ScanAbortedError') throw err
  stoppedMs = performance.now() - t1
}
const bin = new URL('../bin/run.js', import.meta.url).pathname
const t2 = performance.now()
const wait = spawnSync(process.execPath, [bin, 'hh', 'wait', dir, '--timeout', waitTimeout, '--interval', '1s', '--json'], {encoding: 'utf8'})
const waitMs = performance.now() - t2
const t3 = performance.now()
spawnSync(process.execPath, [bin, '--version'], {encoding: 'utf8'})
const startupMs = performance.now() - t3
const waitDoc = JSON.parse(wait.stdout || '{}')
const waitPass = wait.status === 3 && waitDoc.outcome === 'timeout' && waitMs - startupMs < waitTimeoutMs + Math.max(1000, best / 2)
console.log(`abort:   scan told to stop after ${stopAfter} ms stopped after ${stoppedMs.toFixed(0)} ms (ratio ${(stoppedMs / stopAfter).toFixed(2)})`)
console.log(`${waitPass ? 'PASS' : 'FAIL'}    hh wait --timeout ${waitTimeout}: exit ${wait.status} (${waitDoc.outcome}) after ${waitMs.toFixed(0)} ms, of which ${startupMs.toFixed(0)} ms start-up; overshoot ${(waitMs - startupMs - waitTimeoutMs).toFixed(0)} ms (ratio ${((waitMs - startupMs) / waitTimeoutMs).toFixed(2)}), one full scan ${best.toFixed(0)} ms`)
console.log(JSON.stringify({bench: 'hh-scan', segments: made, scannerMs: runs, duMs: duRuns, bestMs: best, ratioToDu: best / duBest, pass, abortAfterMs: stopAfter, abortStoppedMs: stoppedMs, waitTimeoutMs, waitMs, startupMs, waitExit: wait.status, waitPass}))
if (!keep) rmSync(dir, {recursive: true, force: true})
