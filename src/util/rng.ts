/**
 * Seeded randomness, the one PRNG of the project (the Raft simulator, fuzz tests, benchmarks): a small sfc32
 * generator and "split streams" derived from (seed, label).
 *
 * Why split streams: each subsystem (every network link, every disk, the fault plan, each client, each core's timers)
 * draws from its own generator, so a change in how often one of them draws (a fault removed from a plan, an extra
 * message on one link) does not shift every later random choice of the others. A seed plus the code replays a run.
 */

/** A 32-bit finaliser (good avalanche), used to turn a seed and a label into generator state. */
function mix32(x: number): number {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return h >>> 0
}

/** Four words of generator state for a (seed, label) pair. */
export function streamState(seed: number, label: string): [number, number, number, number] {
  let h = mix32((seed >>> 0) ^ 0x2545f491)
  h = mix32(h ^ Math.floor(seed / 0x100000000))
  for (let i = 0; i < label.length; i++) h = mix32(h ^ (label.charCodeAt(i) + 0x9e3779b9 * (i + 1)))
  return [mix32(h ^ 0x1b873593), mix32(h ^ 0xcc9e2d51), mix32(h ^ 0xe6546b64), mix32(h ^ 0x85ebca6b)]
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(readonly seed: number, readonly label = '') {
    ;[this.a, this.b, this.c, this.d] = streamState(seed, label)
    for (let i = 0; i < 12; i++) this.next()
  }

  /** An independent stream for a sub-label (same seed). */
  fork(label: string): Rng {
    return new Rng(this.seed, this.label ? `${this.label}/${label}` : label)
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** Uniform in [lo, hi). */
  float(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo)
  }

  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo))
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick on an empty list')
    return items[Math.floor(this.next() * items.length)]
  }

  /** The generator as a plain function, for RaftConfig.random. */
  fn(): () => number {
    return () => this.next()
  }
}

/** A seeded generator from a test's name or any label (seed 0): the usual way tests get randomness. */
export function seeded(label: string, seed = 0): Rng {
  return new Rng(seed, label)
}

