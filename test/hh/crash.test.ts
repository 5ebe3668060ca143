// Crash safety of the queue engine: a child process (crash-child.ts) appends and delivers numbered blocks and is killed
// with SIGKILL at varied moments. After every kill, a copy of the queue is opened and read through, and must hold every
// acknowledged block, in order, uncorrupted, starting at or after the durable head and never past an undelivered block.
// The kill moments are conditions on what the child has printed (never fixed sleeps); deadlines are generous.
// bench/hh-crash.js runs the same against the built engine with 50 kills or more.
import {cpSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

import {type QueueFinding, SegmentQueue} from '../../src/hh/queue.js'
import {runUntilKilled} from '../helpers/crash.js'
import {tempDir} from '../helpers/tmp.js'
import {checkPayload, SEGMENT_BYTES} from './crash-workload.js'

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
const ROUND_DEADLINE_MS = 20_000

/** What the children printed, over all rounds. */
interface Seen {
  acked: number
  delivered: number
  durableHead: number
}

interface RoundPlan {
  /** Kill after the child printed `count` lines of this kind in the round: acknowledged, delivered, head durable. */
  trigger: 'A' | 'D' | 'H'
  count: number
  /** 'always' or a group-commit interval in ms. */
  sync: string
  /** The reader stays this many acknowledged blocks behind (0: right behind the writer, in the tail segment). */
  lag: number
  /** Appends in flight. */
  inFlight: number
}

/** Varied on purpose: every trigger, both sync policies, the head inside the tail segment or segments behind. */
const PLANS: RoundPlan[] = [
  {trigger: 'A', count: 1, sync: '5', lag: 0, inFlight: 8},
  {trigger: 'H', count: 30, sync: 'always', lag: 0, inFlight: 1},
  {trigger: 'D', count: 40, sync: '2', lag: 20, inFlight: 32},
  {trigger: 'A', count: 150, sync: '10', lag: 200, inFlight: 32},
  {trigger: 'H', count: 5, sync: 'always', lag: 0, inFlight: 2},
  {trigger: 'A', count: 90, sync: '5', lag: 0, inFlight: 1},
  {trigger: 'D', count: 300, sync: '2', lag: 200, inFlight: 32},
  {trigger: 'H', count: 12, sync: '10', lag: 0, inFlight: 4},
  {trigger: 'A', count: 60, sync: 'always', lag: 20, inFlight: 8},
  {trigger: 'D', count: 25, sync: '5', lag: 0, inFlight: 1},
  {trigger: 'A', count: 200, sync: '2', lag: 200, inFlight: 32},
  {trigger: 'H', count: 100, sync: 'always', lag: 0, inFlight: 1},
]

/** Runs the child until it has printed `count` lines starting with `trigger` in this round, then SIGKILLs it. */
function runRound(dir: string, first: number, plan: RoundPlan, seen: Seen): Promise<void> {
  let hits = 0
  return runUntilKilled({
    script: CHILD,
    args: [dir, String(first), plan.sync, String(plan.lag), String(plan.inFlight)],
    deadlineMs: ROUND_DEADLINE_MS,
    progress: () => `${plan.count} "${plan.trigger}" lines (saw ${hits})`,
    onLine: (line) => {
      const [kind, arg] = line.split(' ')
      const n = Number(arg)
      if (kind === 'A') seen.acked = Math.max(seen.acked, n)
      else if (kind === 'D') seen.delivered = Math.max(seen.delivered, n)
      else if (kind === 'H') seen.durableHead = Math.max(seen.durableHead, n)
      else throw new Error(line)
      return kind === plan.trigger && ++hits === plan.count
    },
  })
}

/**
 * Opens a copy of the crashed queue (so that the next child recovers the original itself) and reads every block from
 * the head. Returns the sequence numbers in delivery order and the findings of the recovery.
 */
async function readCopy(dir: string): Promise<{seqs: number[]; findings: QueueFinding[]; corrupt: number}> {
  const copy = `${dir}-copy`
  rmSync(copy, {recursive: true, force: true})
  cpSync(dir, copy, {recursive: true})
  const findings: QueueFinding[] = []
  const queue = await SegmentQueue.open(copy, {segmentBytes: SEGMENT_BYTES, onFinding: (f) => findings.push(f)})
  const seqs: number[] = []
  let corrupt = 0
  for (let data = await queue.peek(); data; data = await queue.peek()) {
    const seq = checkPayload(data)
    if (seq === undefined) corrupt++
    else seqs.push(seq)
    void queue.advance()
  }
  await queue.close()
  rmSync(copy, {recursive: true, force: true})
  return {seqs, findings, corrupt}
}

/** The invariants after a kill; returns the next sequence number to append. */
function checkRecovered(seqs: number[], findings: QueueFinding[], corrupt: number, seen: Seen): number {
  expect(corrupt).toBe(0)
  expect(findings.filter((f) => f.kind !== 'torn-tail')).toEqual([])
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1)
  if (seqs.length === 0) {
    // Everything acknowledged was delivered and the head moved past it.
    expect(seen.acked).toBeLessThanOrEqual(seen.delivered)
    return Math.max(seen.acked, seen.delivered) + 1
  }
  const [first, last] = [seqs[0], seqs.at(-1)!]
  expect(first).toBeGreaterThan(seen.durableHead) // nothing before the durable head comes back
  expect(first).toBeLessThanOrEqual(seen.delivered + 1) // the head never passed an undelivered block
  expect(last).toBeGreaterThanOrEqual(seen.acked) // every acknowledged block is there
  return Math.max(last, seen.delivered) + 1
}

describe('queue engine under SIGKILL', () => {
  const dir = join(tempDir('medic-hh-crash-'), 'queue')
  afterAll(() => rmSync(join(dir, '..'), {recursive: true, force: true}))

  it(`keeps every acknowledged block, in order and intact, across ${PLANS.length} kills`, async () => {
    const seen: Seen = {acked: -1, delivered: -1, durableHead: -1}
    let next = 0
    let torn = 0
    for (const plan of PLANS) {
      await runRound(dir, next, plan, seen)
      const {seqs, findings, corrupt} = await readCopy(dir)
      torn += findings.length
      next = checkRecovered(seqs, findings, corrupt, seen)
    }
    expect(seen.acked).toBeGreaterThan(PLANS.length)
    expect(seen.durableHead).toBeGreaterThan(0)
    // Informational: how many kills landed in the middle of a write.
    console.log(`crash test: ${PLANS.length} kills, ${seen.acked + 1} blocks acknowledged, ${torn} torn tails cut`)
  }, 120_000)
})
