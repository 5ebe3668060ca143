// Seeded randomness and a linear-time check for fuzz tests (kept small: the lead's shared fuzz harness may replace it).
// mulberry32: a 32-bit seed gives a repeatable stream, so a failing seed replays.

export type Rand = () => number

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [lo, hi). */
export function randInt(rand: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo))
}

export function pick<T>(rand: Rand, items: ReadonlyArray<T>): T {
  return items[Math.floor(rand() * items.length)]
}

/** CPU time of this process in ms: steadier than the wall clock when other processes share the cores. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** CPU ms per call of fn(), repeating it until `minMs` of CPU time passed. */
function timeOnce(fn: () => void, minMs: number): number {
  let calls = 0
  const t0 = cpuMs()
  let t = t0
  do {
    fn()
    calls++
    t = cpuMs()
  } while (t - t0 < minMs)
  return (t - t0) / calls
}

export interface LinearReport {
  sizes: number[]
  ms: number[]
  /** Time growth per doubling of the input: the geometric mean of t(2n)/t(n) over the sizes (which double). */
  growth: number
}

/**
 * Times `fn(input)` for inputs made by `make(size)` at each size (each double the one before) and reports the growth
 * per doubling. A linear function shows about 2, a quadratic one 4. One retry with more rounds absorbs a busy machine.
 */
export function measureLinear<T>(make: (size: number) => T, fn: (input: T) => void, sizes: number[]): LinearReport {
  const inputs = sizes.map(make)
  for (const input of inputs) fn(input) // warm-up: JIT
  const best = sizes.map(() => Number.POSITIVE_INFINITY)
  const measure = (rounds: number): LinearReport => {
    // Rounds go over every size in turn, so a busy moment of the machine hits all sizes alike; the best round counts.
    for (let r = 0; r < rounds; r++) inputs.forEach((input, i) => (best[i] = Math.min(best[i], timeOnce(() => fn(input), 10))))
    const growth = (best.at(-1)! / best[0]) ** (1 / (best.length - 1))
    return {sizes, ms: [...best], growth}
  }
  const first = measure(3)
  return first.growth <= 2.5 ? first : measure(6)
}
