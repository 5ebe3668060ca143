/**
 * Soak runs and replays of the deterministic Raft simulator (src/devcluster/raft/sim/).
 *
 *   npx tsx scripts/raft-sim.ts --seeds 5000 [--nodes 3|5] [--from 1]   run seeds from..from+N-1; failures are written
 *                                                                       as JSON under the OS temp dir
 *   npx tsx scripts/raft-sim.ts --replay FILE [--trace]                 re-run a failure file exactly
 *   npx tsx scripts/raft-sim.ts --seed 42 [--nodes 5] --trace           one seed, with a trace of every event
 *
 * Exits 1 when any run violates an invariant, or when a coverage counter stays at zero over a seed set.
 */
import {readFailure, replayCommand, writeFailure, formatCounters, REQUIRED_COVERAGE} from '../src/devcluster/raft/sim/report.js'
import {addCounters, emptyCounters, optionsForSeed, runSim, type SimOptions} from '../src/devcluster/raft/sim/sim.js'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`)

function usage(): never {
  console.error('usage: raft-sim.ts --seeds N [--nodes 3|5] [--from S] | --seed S [--nodes 3|5] [--trace] | --replay FILE [--trace]')
  process.exit(2)
}

const trace = flag('trace') ? (line: string) => console.log(line) : undefined
const nodes = Number(arg('nodes') ?? 3)
if (nodes !== 3 && nodes !== 5) usage()
const kind = nodes === 5 ? 'five' : 'three'

function single(options: SimOptions): void {
  const started = performance.now()
  const r = runSim(options, trace)
  console.log(`seed ${options.seed} (${options.nodes} nodes): ${r.ok ? 'ok' : `FAILED ${r.violation?.message} at ${r.violation?.atMs.toFixed(1)}ms`}`)
  console.log(formatCounters(r.counters))
  console.log(`${Math.round(performance.now() - started)} ms wall`)
  process.exit(r.ok ? 0 : 1)
}

const replay = arg('replay')
if (replay) single(readFailure(replay))
const one = arg('seed')
if (one !== undefined) single(optionsForSeed(Number(one), kind))

const count = Number(arg('seeds') ?? NaN)
if (!Number.isInteger(count) || count < 1) usage()
const from = Number(arg('from') ?? 1)
const total = emptyCounters()
const failures: string[] = []
const started = performance.now()
for (let seed = from; seed < from + count; seed++) {
  const r = runSim(optionsForSeed(seed, kind))
  addCounters(total, r.counters)
  if (!r.ok) {
    const file = writeFailure(r)
    failures.push(file)
    console.log(`seed ${seed}: FAILED ${r.violation?.message} at ${r.violation?.atMs.toFixed(1)}ms\n  replay: ${replayCommand(file)}`)
  }
  if ((seed - from + 1) % 250 === 0) console.log(`${seed - from + 1}/${count} seeds, ${failures.length} failed, ${Math.round((performance.now() - started) / 1000)}s`)
}
console.log(`${count} seeds (${nodes} nodes, from ${from}): ${count - failures.length} ok, ${failures.length} failed, ${Math.round((performance.now() - started) / 1000)}s`)
console.log(formatCounters(total))
const zero = REQUIRED_COVERAGE.filter((k) => total[k] === 0 && !(k === 'configChanges' && nodes === 3))
if (zero.length > 0) console.log(`coverage counters at zero: ${zero.join(', ')}`)
process.exit(failures.length > 0 || zero.length > 0 ? 1 : 0)
