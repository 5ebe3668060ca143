/**
 * Failure files and replay for the Raft simulator: a failing run is written as JSON (seed, full options, the explicit
 * fault plan, the violation) under the OS temp directory, and can be replayed exactly from that file with
 * `npx tsx scripts/raft-sim.ts --replay FILE --trace`.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {SimCounters, SimOptions, SimResult} from './sim.js'

export interface FailureFile {
  kind: 'raft-sim-failure'
  seed: number
  options: SimOptions
  violation: SimResult['violation']
  writtenAt: string
}

/** Writes the failing run's seed, options and plan; returns the file path. */
export function writeFailure(result: SimResult, dir = join(tmpdir(), 'raft-sim-failures')): string {
  mkdirSync(dir, {recursive: true})
  const file = join(dir, `seed-${result.options.seed}-n${result.options.nodes}.json`)
  const body: FailureFile = {
    kind: 'raft-sim-failure',
    seed: result.options.seed,
    options: {...result.options, plan: result.plan},
    violation: result.violation,
    writtenAt: new Date().toISOString(),
  }
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n')
  return file
}

export function replayCommand(file: string): string {
  return `npx tsx scripts/raft-sim.ts --replay ${file} --trace`
}

export function readFailure(file: string): SimOptions {
  const body = JSON.parse(readFileSync(file, 'utf8')) as FailureFile
  if (body.kind !== 'raft-sim-failure') throw new Error(`${file} is not a raft-sim failure file`)
  return body.options
}

/** One line of counters, for test output and the soak script. */
export function formatCounters(c: SimCounters): string {
  return Object.entries(c)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
}

/** The coverage counters that must not stay at zero over a seed set (a path never exercised proves nothing). */
export const REQUIRED_COVERAGE: Array<keyof SimCounters> = [
  'elections',
  'preVoteRejections',
  'truncations',
  'snapshotsInstalled',
  'configChanges',
  'readIndexRounds',
  'unknownOutcomes',
  'tornWrites',
]
