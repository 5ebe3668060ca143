/**
 * The long fuzz run of `medic config check` (issue 9): the corpus and invariants of test/config/fuzz.test.ts on
 * 100,000+ seeded inputs, then the time per MB of the hostile shapes at three sizes up to the 1 MiB file limit.
 *
 *   npx tsx scripts/fuzz-config.ts [--inputs 100000] [--seed 1] [--budget-min 40] [--no-scaling]
 *
 * Prints one JSON summary (inputs, failures with their seed and iteration, time per input p50/p99/max, the scaling
 * table). Exit 1 when an invariant failed. Each input is checked in-process through checkConfigs and both renderers,
 * exactly as the command does after reading its files.
 */
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {checkConfigs} from '../src/config/check.js'
import {Rng} from '../src/util/rng.js'
import {checkVerdict, leakIn, MARKERS, mutateConfig, outputsOf} from '../test/config/fuzz-corpus.js'

const QUIET = {now: Date.parse('2026-01-01T00:00:00Z'), freeBytes: async () => 2 ** 40, pathKind: async () => undefined, readText: async () => undefined}

const {values: opts} = parseArgs({options: {inputs: {type: 'string', default: '100000'}, seed: {type: 'string', default: '1'}, 'budget-min': {type: 'string', default: '40'}, 'no-scaling': {type: 'boolean', default: false}}})
const inputs = Number(opts.inputs)
const seed = Number(opts.seed)
const budgetMs = Number(opts['budget-min']) * 60_000

const dir = mkdtempSync(join(tmpdir(), 'medic-fuzz-config-'))
const file = join(dir, 'influxdb.conf')
const metaFile = join(dir, 'influxdb-meta.conf')

async function main(): Promise<void> {
  const rng = new Rng(seed, 'config-fuzz-long')
  const times: number[] = []
  const failures: Array<{iteration: number; error: string; input: string}> = []
  const verdicts: Record<string, number> = {}
  let bytes = 0
  const start = performance.now()
  let i = 0
  for (; i < inputs && performance.now() - start < budgetMs; i++) {
    const input = mutateConfig(rng)
    const path = input.name.includes('meta') ? metaFile : file
    writeFileSync(path, input.text)
    bytes += Buffer.byteLength(input.text)
    const t0 = performance.now()
    try {
      const report = await checkConfigs([path], {context: QUIET, env: i % 7 === 0 ? {INFLUXDB_META_SHARED_SECRET: MARKERS.env} : undefined})
      const bad = checkVerdict(report)
      if (bad) throw new Error(bad)
      for (const out of outputsOf(report)) {
        const leak = leakIn(out)
        if (leak) throw new Error(`secret run ${leak} in the output`)
      }
      verdicts[report.verdict] = (verdicts[report.verdict] ?? 0) + 1
    } catch (err) {
      failures.push({iteration: i, error: (err as Error).message, input: input.text.slice(0, 500)})
      if (failures.length >= 20) break
    }
    times.push(performance.now() - t0)
    if (i % 10_000 === 0 && i > 0) process.stderr.write(`${i} inputs, ${failures.length} failures, ${((performance.now() - start) / 1000).toFixed(0)} s\n`)
  }
  const elapsed = performance.now() - start
  times.sort((a, b) => a - b)
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0

  // Time per MB of the hostile shapes, at three sizes up to the 1 MiB limit.
  const shapes: Array<[string, (target: number) => string]> = [
    ['repeated keys', (t) => '[meta]\n' + 'dir = "/var/lib/influxdb/meta"\n'.repeat(Math.floor(t / 31))],
    ['repeated sections', (t) => '[meta]\ndir = "/m"\n'.repeat(Math.floor(t / 18))],
    ['a long key', (t) => `[meta]\n${'k'.repeat(t - 20)}x = 1\n`],
    ['a long value', (t) => `[meta]\ndir = "${'v'.repeat(t - 20)}"\n`],
    ['a long broken secret line', (t) => `[enterprise]\nlicense-key "${'x'.repeat(t - 30)}\n`],
    ['many sections', (t) => Array.from({length: Math.floor(t / 24)}, (_, k) => `[section${k}]\nkey${k} = ${k}\n`).join('')],
    ['many unknown keys', (t) => '[cluster]\n' + Array.from({length: Math.floor(t / 24)}, (_, k) => `write-timout${k} = "10s"\n`).join('')],
    ['many secrets', (t) => '[http]\n' + Array.from({length: Math.floor(t / 34)}, (_, k) => `password${k} = "pw-${k}-${'s'.repeat(k % 20)}"\n`).join('')],
  ]
  const scaling: Array<{shape: string; bytes: number; ms: number; msPerMb: number}> = []
  process.stderr.write(`fuzz: ${i} inputs in ${(elapsed / 1000).toFixed(0)} s; timing the shapes\n`)
  for (const [shape, make] of opts['no-scaling'] ? [] : shapes) {
    for (const size of [256 * 1024, 512 * 1024, 1000 * 1024]) {
      // Cut at a line end below the size, so every input is under the 1 MiB file limit and really parsed.
      const text = make(size)
      const cut = text.lastIndexOf('\n', size)
      writeFileSync(file, text.length > size && cut > size / 2 ? text.slice(0, cut + 1) : text)
      const real = statSync(file).size
      let best = Infinity
      for (let r = 0; r < 2; r++) {
        const t0 = performance.now()
        outputsOf(await checkConfigs([file], {context: QUIET}))
        best = Math.min(best, performance.now() - t0)
      }
      scaling.push({shape, bytes: real, ms: Math.round(best), msPerMb: Math.round(best / (real / 1e6))})
      process.stderr.write(`${shape} ${real} bytes: ${Math.round(best)} ms\n`)
    }
  }
  rmSync(dir, {recursive: true, force: true})
  const summary = {
    seed, inputs: i, failures: failures.length, elapsedS: Math.round(elapsed / 1000), inputMB: +(bytes / 1e6).toFixed(1),
    perInputMs: {p50: +pct(0.5).toFixed(2), p99: +pct(0.99).toFixed(2), max: +(times.at(-1) ?? 0).toFixed(1)},
    verdicts, firstFailures: failures.slice(0, 5), scaling,
  }
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
  process.exitCode = failures.length > 0 ? 1 : 0
}

await main()
