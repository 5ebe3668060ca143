// Fuzzing the checks of what meta nodes answer: /status bodies (as `status` and `status --file` judge them) and
// /show-cluster bodies (as `ctl show` validates, judges and renders them), with mutated texts and mutated structures.
// Seeded (a failure names its seed and iteration), bounded in iterations and time. No exception may escape, the human
// rendering never holds a raw control character, and the time grows linearly with the size of the body.
import {describe, expect, it} from 'vitest'

import {renderCtlShow} from '../../src/format/ctl.js'
import {renderStatus} from '../../src/format/status.js'
import {buildCtlShow, CTL_LAYOUTS, enterpriseVersion, layoutFor} from '../../src/probe/ctl.js'
import {checkStatusBody, type StatusReport} from '../../src/probe/status.js'
import {parseJsonBounded} from '../../src/util/json.js'
import {checkShowCluster} from '../../src/wire/schemas.js'
import {mutate, NASTY, randomText, Rng} from '../helpers/fuzz.js'
import {RAW_CONTROL} from '../helpers/hostile.js'

const SEED = 20_261_207
const BUDGET_MS = 3000

const STATUS_SEEDS = [
  {nodeType: 'meta', leader: '', httpAddr: 'meta-1:8091', raftAddr: 'meta-1:8089', peers: null},
  {nodeType: 'meta', leader: 'meta-1:8089', httpAddr: 'meta-1:8091', raftAddr: 'meta-1:8089', peers: ['meta-1:8089', 'meta-2:8089', 'meta-3:8089']},
  {nodeType: 'meta', leader: '127.0.0.1:8089', httpAddr: '[::1]:8091', raftAddr: '0.0.0.0:8089', peers: ['127.0.0.1:8089', 'localhost:8089']},
  {error: 'no leader'},
].map((b) => JSON.stringify(b))

const SHOW_SEEDS = [
  {data: [{id: 4, tcpAddr: 'data-1:8088', httpAddr: 'data-1:8086', httpScheme: 'http', version: '1.8.10-c1.8.10', status: 'joined', labels: {az: 'a'}, passive: false}],
    meta: [{id: 1, addr: 'meta-1:8091', httpScheme: 'http', tcpAddr: 'meta-1:8089', version: '1.8.10-c1.8.10'}]},
  {data: null, meta: [{id: 1, addr: 'meta-1:8091', tcpAddr: 'meta-1:8089', version: '1.11.8-c1.11.8', labels: {}}]},
  {data: [], meta: []},
].map((b) => JSON.stringify(b))

/** A random JSON value: the wrong types, huge numbers, nasty strings, nesting. */
function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 3 ? 6 : 8)) {
    case 0: return null
    case 1: return rng.next() < 0.5
    case 2: return rng.pick([0, -1, 1e400, -1e309, 2 ** 53 + 1, 1.5, Number.MAX_SAFE_INTEGER])
    case 3: return randomText(rng, rng.int(0, 40))
    case 4: return `${randomText(rng, rng.int(1, 12))}:${rng.int(0, 70_000)}`
    case 5: return rng.pick(NASTY).repeat(rng.int(1, 5))
    case 6: return Array.from({length: rng.int(0, 5)}, () => randomValue(rng, depth + 1))
    default: return Object.fromEntries(Array.from({length: rng.int(0, 5)}, () => [rng.pick(['id', 'addr', 'tcpAddr', 'httpAddr', 'version', 'labels', 'peers', 'leader', randomText(rng, 5)]), randomValue(rng, depth + 1)]))
  }
}

/** A seed body with one field (at any depth) replaced by a random value. */
function mutateStructure(rng: Rng, seed: string): string {
  const doc = JSON.parse(seed) as unknown
  const holders: Array<{o: Record<string, unknown> | unknown[]; k: string | number}> = []
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach((v, i) => { holders.push({o: x, k: i}); walk(v) })
    else if (typeof x === 'object' && x !== null) for (const [k, v] of Object.entries(x)) { holders.push({o: x as Record<string, unknown>, k}); walk(v) }
  }
  walk(doc)
  if (holders.length > 0) {
    const h = rng.pick(holders)
    ;(h.o as Record<string | number, unknown>)[h.k] = randomValue(rng)
  }
  return JSON.stringify(doc)
}

function reportOf(r: Awaited<ReturnType<typeof checkStatusBody>>): StatusReport {
  return {verdict: 'critical', state: 'fail', exitCode: 3, complete: true, nodes: [r.row], problems: r.problems, summary: {meta: 1, data: 0, checked: 1, unchecked: 0, critical: 0, warning: 0}}
}

async function fuzzAsync(label: string, iterations: number, gen: (rng: Rng, i: number) => string, check: (input: string) => Promise<void>): Promise<number> {
  const rng = new Rng(SEED, label)
  const start = performance.now()
  let i = 0
  for (; i < iterations && performance.now() - start < BUDGET_MS; i++) {
    const input = gen(rng, i)
    try {
      await check(input)
    } catch (err) {
      throw new Error(`${label}: seed ${SEED}, iteration ${i}, input ${JSON.stringify(input.slice(0, 300))}: ${(err as Error).stack ?? err}`)
    }
  }
  return i
}

/**
 * The fastest of a few timings of an async check, in ms of this process's CPU time (the checks do no I/O; CPU time is
 * what other test files running beside this one on a small machine cannot inflate), each from a collected heap.
 */
async function timeAsync(fn: () => Promise<void>, rounds = 7): Promise<number> {
  await fn()
  let best = Infinity
  for (let r = 0; r < rounds; r++) {
    ;(globalThis as {gc?: () => void}).gc?.()
    const t0 = process.cpuUsage()
    await fn()
    const d = process.cpuUsage(t0)
    best = Math.min(best, (d.user + d.system) / 1000)
  }
  return best
}

/** Doubling the input multiplies the time by at most `maxGrowth` (a quadratic check shows 4). Two retries on a busy machine. */
async function expectLinearAsync(make: (n: number) => string, run: (input: string) => Promise<void>, base: number, maxGrowth = 2.5): Promise<number[]> {
  const inputs = [base, 2 * base, 4 * base].map(make)
  for (let attempt = 0; ; attempt++) {
    const ms: number[] = []
    for (const input of inputs) ms.push(await timeAsync(() => run(input)))
    const growth = Math.sqrt(ms[2] / ms[0])
    if (growth <= maxGrowth) return ms
    if (attempt >= 2) throw new Error(`not linear: ${ms.map((t) => t.toFixed(1)).join(', ')} ms for ${base}, ${2 * base}, ${4 * base} (doubling x${growth.toFixed(2)})`)
  }
}

describe('fuzz: /status bodies', () => {
  it('mutated texts and structures: no exception escapes, the rendering is always inert', async () => {
    const n = await fuzzAsync('status-body', 4000, (rng, i) => {
      const seed = rng.pick(STATUS_SEEDS)
      return i % 2 === 0 ? mutate(rng, seed, 6) : mutateStructure(rng, seed)
    }, async (text) => {
      const r = await checkStatusBody(text, 'fuzz.json')
      for (const p of r.problems) expect(['warning', 'critical']).toContain(p.severity)
      expect(await renderStatus(reportOf(r))).not.toMatch(RAW_CONTROL)
    })
    expect(n).toBeGreaterThan(200)
  })

  it('time is linear in the number of peers (valid, loopback and malformed)', async () => {
    const make = (n: number) => JSON.stringify({
      nodeType: 'meta', leader: 'meta-0:8089', httpAddr: 'meta-0:8091', raftAddr: 'meta-0:8089',
      peers: Array.from({length: n}, (_, i) => (i % 3 === 0 ? `meta-${i}:8089` : i % 3 === 1 ? `127.0.0.1:${i % 60_000 + 1}` : `bad peer ${i}\u001b:x`)),
    })
    // 2000 to 8000 peers: larger bodies mostly measure the garbage collector (a 1 MiB body holds about 40,000).
    await expectLinearAsync(make, async (t) => {
      await checkStatusBody(t)
    }, 2000)
  })

  it('time is linear in the length of one string field', async () => {
    await expectLinearAsync((n) => JSON.stringify({nodeType: 'meta', leader: '', httpAddr: `${'a:'.repeat(n)}8091`, raftAddr: `${'\u001b'.repeat(n)}:8089`, peers: null}), async (t) => {
      const r = await checkStatusBody(t)
      await renderStatus(reportOf(r))
    }, 100_000)
  })
})

describe('fuzz: /show-cluster bodies', () => {
  it('mutated texts and structures: validated, judged and rendered in every layout without an exception or a raw control character', async () => {
    const n = await fuzzAsync('show-cluster-body', 3000, (rng, i) => {
      const seed = rng.pick(SHOW_SEEDS)
      return i % 2 === 0 ? mutate(rng, seed, 6) : mutateStructure(rng, seed)
    }, async (text) => {
      const parsed = parseJsonBounded(text)
      if (!parsed.ok) return
      const checked = await checkShowCluster(parsed.value)
      if (!checked.ok) {
        expect(checked.issues.length).toBeGreaterThan(0)
        return
      }
      for (const layout of [undefined, ...CTL_LAYOUTS]) {
        const show = buildCtlShow({base: 'http://meta-1:8091', cluster: checked.cluster, raft: {leader: 'meta-1:8089', peers: ['meta-1:8089', text.slice(0, 20)]}, headerVersion: text.slice(0, 30), layout})
        expect([0, 3, 4]).toContain(show.exitCode)
        expect(await renderCtlShow(show)).not.toMatch(RAW_CONTROL)
      }
    })
    expect(n).toBeGreaterThan(200)
  })

  it('versions from outside pick a layout or none, never throw', async () => {
    const rng = new Rng(SEED, 'versions')
    for (let i = 0; i < 5000; i++) {
      const v = i % 2 === 0 ? randomText(rng, rng.int(0, 30)) : mutate(rng, rng.pick(['1.8.10-c1.8.10', '1.9.2-c1.9.2', '1.11.8-c1.11.8', 'v1.10.0']), 3)
      const parsed = enterpriseVersion(v)
      if (parsed) expect(CTL_LAYOUTS).toContain(layoutFor(parsed))
    }
    expect(layoutFor(enterpriseVersion('1.1.5-c1.1.5rc1')!)).toBe('1.1')
    expect(layoutFor(enterpriseVersion('1.9.1-c1.9.1')!)).toBe('1.1')
    expect(layoutFor(enterpriseVersion('1.9.2-c1.9.2')!)).toBe('1.9.2')
    expect(layoutFor(enterpriseVersion('1.10.0-c1.10.0')!)).toBe('1.10')
    expect(layoutFor(enterpriseVersion('1.0.2')!)).toBe('1.0')
  })

  it('time is linear in the number of nodes (validate, judge, render)', async () => {
    const make = (n: number) => JSON.stringify({
      data: Array.from({length: n}, (_, i) => ({id: 1000 + i, tcpAddr: i % 2 ? `data-${i}:8088` : `bad ${i}:x`, httpAddr: `data-${i}:8086`, version: '1.11.8-c1.11.8', labels: {az: `z${i % 3}`}})),
      meta: [{id: 1, addr: 'meta-1:8091', tcpAddr: 'meta-1:8089', version: '1.11.8-c1.11.8'}],
    })
    await expectLinearAsync(make, async (t) => {
      const c = await checkShowCluster(JSON.parse(t))
      if (!c.ok) throw new Error('seed body rejected')
      await renderCtlShow(buildCtlShow({base: 'http://meta-1:8091', cluster: c.cluster, raft: null}))
    }, 100)
  })
})
