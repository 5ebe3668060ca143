// Durability of the shard store with real processes: a child (crash-child.ts) writes numbered batches to two shards,
// deleting an older batch now and then, and is killed with SIGKILL at varied moments (conditions on what it printed,
// never fixed sleeps), with snapshots taken often in some rounds and never in others. After every kill the store is
// opened here and must hold every acknowledged batch whole, none of the acknowledged deletes, each batch in flight at
// the kill either whole or absent, and nothing else.
import {type ChildProcess, spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {DataStore, type StoreFinding} from '../../../../src/devcluster/data/store/store.js'
import {MAX_TIME_NS, MIN_TIME_NS} from '../../../../src/lineprotocol/point.js'
import {ROOT} from '../../../helpers/cli.js'
import {BATCH_SHARDS, batchRange, POINTS_PER_BATCH, stringOf} from './crash-workload.js'
import {removeTempDirs, tempDataDir} from './helpers.js'

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
const ROUND_DEADLINE_MS = 30_000

interface Seen {
  started: Set<number>
  acked: Set<number>
  deleteStarted: Set<number>
  deleteAcked: Set<number>
  next: number
}

interface Plan {
  /** Kill after this many lines of the kind in the round. */
  trigger: 'A' | 'X' | 'S'
  count: number
  inFlight: number
  compactWalBytes: number
}

const PLANS: Plan[] = [
  {trigger: 'A', count: 1, inFlight: 1, compactWalBytes: 1 << 30},
  {trigger: 'A', count: 60, inFlight: 16, compactWalBytes: 20_000},
  {trigger: 'X', count: 2, inFlight: 4, compactWalBytes: 20_000},
  {trigger: 'S', count: 45, inFlight: 16, compactWalBytes: 1 << 30},
  {trigger: 'A', count: 60, inFlight: 1, compactWalBytes: 40_000},
  {trigger: 'A', count: 33, inFlight: 8, compactWalBytes: 8_000},
  {trigger: 'X', count: 3, inFlight: 16, compactWalBytes: 1 << 30},
  {trigger: 'A', count: 90, inFlight: 4, compactWalBytes: 8_000},
  {trigger: 'S', count: 7, inFlight: 1, compactWalBytes: 20_000},
  {trigger: 'A', count: 100, inFlight: 16, compactWalBytes: 30_000},
]

function runUntilKilled(dir: string, plan: Plan, seen: Seen): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = [dir, String(seen.next), String(plan.inFlight), String(plan.compactWalBytes)]
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let hits = 0
    let pending = ''
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no ${plan.count} "${plan.trigger}" lines within ${ROUND_DEADLINE_MS} ms (saw ${hits}); stderr: ${stderr}`))
    }, ROUND_DEADLINE_MS)
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        const [kind, arg] = line.split(' ')
        const b = Number(arg)
        if (kind === 'S') {
          seen.started.add(b)
          seen.next = Math.max(seen.next, b + 1)
        } else if (kind === 'A') seen.acked.add(b)
        else if (kind === 'R') seen.deleteStarted.add(b)
        else if (kind === 'X') seen.deleteAcked.add(b)
        else return reject(new Error(`child: ${line}`))
        if (kind === plan.trigger && ++hits === plan.count && !killed) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL' && killed) resolve()
      else reject(new Error(`child exited by itself (code ${code}, signal ${signal}): ${stderr}`))
    })
  })
}

/** Points found per batch, checking every value against the workload. */
async function survivors(dir: string, findings: StoreFinding[]): Promise<Map<number, number>> {
  const store = await DataStore.open(dir, {onFinding: (f) => findings.push(f)})
  try {
    const found = new Map<number, number>()
    for (const id of BATCH_SHARDS) {
      const shard = store.shard(id)
      if (!shard) continue
      for (const series of shard.series('m')) {
        const v = shard.read(series.key, 'v', MIN_TIME_NS, MAX_TIME_NS)
        const s = shard.read(series.key, 's', MIN_TIME_NS, MAX_TIME_NS)
        if (!v) continue
        if (v.type !== 'integer' || s?.type !== 'string' || s.times.length !== v.times.length) throw new Error(`series ${series.key}: columns do not match`)
        for (let i = 0; i < v.times.length; i++) {
          const b = Number(v.values[i])
          const j = Number(v.times[i] - batchRange(b)[0])
          if (!(j >= 0 && j < POINTS_PER_BATCH) || s.values[i] !== stringOf(b, j) || s.times[i] !== v.times[i]) {
            throw new Error(`point at ${v.times[i]} of ${series.key} is not batch ${b}'s: ${JSON.stringify(s.values[i])}`)
          }
          found.set(b, (found.get(b) ?? 0) + 1)
        }
      }
    }
    return found
  } finally {
    await store.close()
  }
}

describe('shard store durability under SIGKILL', () => {
  afterAll(removeTempDirs)

  it('keeps every acknowledged write and delete, and nothing else, over ten kills', async () => {
    const dir = tempDataDir()
    const seen: Seen = {started: new Set(), acked: new Set(), deleteStarted: new Set(), deleteAcked: new Set(), next: 1}
    const findings: StoreFinding[] = []
    let checkedBatches = 0
    for (const [round, plan] of PLANS.entries()) {
      await runUntilKilled(dir, plan, seen)
      const found = await survivors(dir, findings)
      const problems: string[] = []
      for (let b = 1; b < seen.next + 20; b++) {
        const n = found.get(b) ?? 0
        let expected: string
        if (seen.deleteAcked.has(b)) expected = n === 0 ? '' : 'deleted (acknowledged) but present'
        else if (seen.deleteStarted.has(b)) expected = n === 0 || n === POINTS_PER_BATCH ? '' : 'half deleted'
        else if (seen.acked.has(b)) expected = n === POINTS_PER_BATCH ? '' : 'acknowledged but incomplete'
        else if (seen.started.has(b)) expected = n === 0 || n === POINTS_PER_BATCH ? '' : 'in flight and half written'
        else expected = n === 0 ? '' : 'never written but present'
        if (expected) problems.push(`round ${round}: batch ${b} ${expected} (${n} of ${POINTS_PER_BATCH} points)`)
      }
      expect(problems).toEqual([])
      checkedBatches = seen.next - 1
    }
    console.log(`crash: ${PLANS.length} kills, ${checkedBatches} batches (${seen.acked.size} acknowledged, ${seen.deleteAcked.size} deletes acknowledged); recovery findings: ${[...new Set(findings.map((f) => f.kind))].join(', ') || 'none'}`)
    expect(seen.acked.size).toBeGreaterThan(300)
  }, 240_000)
})
