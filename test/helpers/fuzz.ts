// Fuzzing helpers shared by every parser of outside input: seeded generators and mutators (src/util/rng.ts, so a
// failing seed replays), a bounded loop that reports the first failing input, and a check that time grows linearly.
import {Rng} from '../../src/util/rng.js'

export {Rng}

/** Characters that break naive parsers: quotes, escapes, separators, control and multi-byte characters. */
export const NASTY = ['\\', '"', "'", ',', '=', ' ', '\t', '\n', '\r', '\u0000', '\u001b', '\u0007', '{', '}', '[', ']', ':', '#', '/', '.', 'µ', '\u202e', '\ufffd', '😀', '\u0085']

/** Random text of `len` characters drawn from printable ASCII, `NASTY` and digits. */
export function randomText(rng: Rng, len: number): string {
  let s = ''
  for (let i = 0; i < len; i++) {
    const r = rng.next()
    if (r < 0.15) s += rng.pick(NASTY)
    else if (r < 0.35) s += String.fromCharCode(48 + rng.int(0, 10))
    else s += String.fromCharCode(32 + rng.int(0, 95))
  }
  return s
}

/** A mutation of `seed`: characters inserted, deleted, replaced, duplicated ranges, or a cut. */
export function mutate(rng: Rng, seed: string, maxEdits = 4): string {
  let s = seed
  const edits = 1 + rng.int(0, maxEdits)
  for (let e = 0; e < edits; e++) {
    const at = s.length === 0 ? 0 : rng.int(0, s.length)
    switch (rng.int(0, 6)) {
      case 0: s = s.slice(0, at) + rng.pick(NASTY) + s.slice(at); break
      case 1: s = s.slice(0, at) + s.slice(at + 1 + rng.int(0, 4)); break
      case 2: s = s.slice(0, at) + String.fromCharCode(rng.int(0, 0x250)) + s.slice(at + 1); break
      case 3: {
        const len = rng.int(1, 16)
        s = s.slice(0, at) + s.slice(at, at + len).repeat(1 + rng.int(1, 8)) + s.slice(at)
        break
      }
      case 4: s = s.slice(0, at); break
      default: s = s.slice(0, at) + randomText(rng, rng.int(1, 8)) + s.slice(at)
    }
  }
  return s
}

export interface FuzzOptions {
  seed?: number
  /** Upper bound on iterations. */
  iterations: number
  /** Stop early after this long (ms), so the suite stays fast on a loaded machine. */
  budgetMs?: number
  /** Fail when one input takes longer than this (ms). */
  maxMsPerInput?: number
}

export interface FuzzReport {
  iterations: number
  elapsedMs: number
  slowestMs: number
}

/**
 * Runs `check(input)` on `gen(rng, i)` inputs until `iterations` or `budgetMs`. A thrown error is re-thrown with the
 * seed, the iteration and the input (escaped and cut), so the failure can be replayed.
 */
export function fuzz<T>(label: string, options: FuzzOptions, gen: (rng: Rng, i: number) => T, check: (input: T) => void): FuzzReport {
  const rng = new Rng(options.seed ?? 1, label)
  const start = performance.now()
  let slowest = 0
  let i = 0
  for (; i < options.iterations; i++) {
    if (options.budgetMs !== undefined && performance.now() - start > options.budgetMs) break
    const input = gen(rng, i)
    const t0 = performance.now()
    try {
      check(input)
    } catch (err) {
      throw new Error(`${label}: seed ${options.seed ?? 1}, iteration ${i}, input ${show(input)}: ${(err as Error).message}`, {cause: err})
    }
    const took = performance.now() - t0
    if (took > slowest) slowest = took
    if (options.maxMsPerInput !== undefined && took > options.maxMsPerInput) {
      throw new Error(`${label}: seed ${options.seed ?? 1}, iteration ${i}: one input took ${took.toFixed(1)} ms (limit ${options.maxMsPerInput} ms): ${show(input)}`)
    }
  }
  return {iterations: i, elapsedMs: performance.now() - start, slowestMs: slowest}
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
  return JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}... (${s.length} chars)` : s)
}

/** CPU time of this process (user + system, all threads) in ms: unlike wall time, not inflated when other processes
 * take the machine's cores, which is what made long calls look superlinear on a busy machine. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * The fastest of `rounds` timings of `fn`, in ms of CPU time per call. Each round starts from a clean heap and repeats
 * `fn` until `minMs` of CPU time have passed, so small and large inputs are measured alike (the CPU clock ticks
 * coarsely: a round is never shorter than a few ticks).
 */
export function timeIt(fn: () => void, rounds = 5, minMs = 25): number {
  fn() // warm-up: JIT and caches
  let best = Infinity
  for (let r = 0; r < rounds; r++) {
    collectGarbage()
    let calls = 0
    const t0 = cpuMs()
    let t = t0
    do {
      fn()
      calls++
      t = cpuMs()
    } while (t - t0 < minMs)
    best = Math.min(best, (t - t0) / calls)
  }
  return best
}

/** A full collection when the runner allows it (vitest runs with --expose-gc): each timing starts from a clean heap. */
function collectGarbage(): void {
  const gc = (globalThis as {gc?: () => void}).gc
  if (gc) gc()
}

export interface LinearReport {
  sizes: number[]
  ms: number[]
  /** The smaller of the two doubling factors t(2n)/t(n) and t(4n)/t(2n). */
  growth: number
}

/**
 * Checks that `run(size)` takes time linear in `size`: times it (CPU time) at `base`, 2·base and 4·base and fails when
 * doubling the input multiplies the time by more than `maxGrowth` (2.5 by default) at both doublings. A quadratic
 * parser shows x4 at every doubling; a linear one can show more than x2.5 at one of them when its working set leaves a
 * CPU cache or a collection lands there, never at both. Inputs are built by `make(size)` outside the timed part. Pick
 * `base` so one call takes at least a millisecond or so.
 */
export function expectLinear<T>(make: (size: number) => T, run: (input: T) => void, base: number, maxGrowth = 2.5): LinearReport {
  const sizes = [base, base * 2, base * 4]
  const inputs = sizes.map(make)
  const measure = (rounds: number, minMs: number): LinearReport => {
    const ms = inputs.map((input) => timeIt(() => run(input), rounds, minMs))
    return {sizes, ms, growth: Math.min(ms[1] / ms[0], ms[2] / ms[1])}
  }
  const first = measure(5, 25)
  if (first.growth <= maxGrowth) return first
  // Retries with longer rounds: a busy machine (three test files at once on two cores) can still skew a measurement;
  // a superlinear parser fails every time.
  let again = measure(7, 50)
  if (!(again.growth <= maxGrowth)) again = measure(9, 100)
  if (!(again.growth <= maxGrowth)) {
    throw new Error(`time is not linear in input size: sizes ${sizes.join(', ')} took ${again.ms.map((t) => t.toFixed(2)).join(', ')} ms of CPU (each doubling at least x${again.growth.toFixed(2)}, limit x${maxGrowth})`)
  }
  return again
}
