#!/usr/bin/env node
// Benchmark: `medic hh inspect`'s scanner over a hinted-handoff directory of many segment files (issue target:
// 100,000 segments in under 2 s), against `du -sb` on the same tree in the same run (du stats every file too, and is
// what operators run today). Uses the built scanner (dist/hh/scan.js): run `npm run build` first.
//
//   node bench/hh-scan.js [--segments 100000] [--keep]
import {execFileSync} from 'node:child_process'
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
console.log(JSON.stringify({bench: 'hh-scan', segments: made, scannerMs: runs, duMs: duRuns, bestMs: best, ratioToDu: best / duBest, pass}))
if (!keep) rmSync(dir, {recursive: true, force: true})
