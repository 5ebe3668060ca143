/**
 * A set of time intervals built from points: points closer than `gap` join one interval. Used to find stretches of
 * continuous-query lease denials that no grant covers. Points mostly arrive in time order, so appending at the end
 * is the fast path; out-of-order points are merged by a sort when the set is read.
 */
export type Interval = [start: number, end: number]

export class IntervalSet {
  private list: Interval[] = []
  private sorted = true

  constructor(private readonly gap: number) {}

  add(t: number): void {
    const last = this.list.at(-1)
    if (last !== undefined && t >= last[0] - this.gap && t <= last[1] + this.gap) {
      if (t > last[1]) last[1] = t
      else if (t < last[0]) last[0] = t
      return
    }
    if (last !== undefined && t < last[0]) this.sorted = false
    this.list.push([t, t])
    if (!this.sorted && this.list.length > 4096) this.normalise()
  }

  addAll(intervals: readonly Interval[]): void {
    for (const [a, b] of intervals) this.list.push([a, b])
    this.sorted = false
  }

  intervals(): Interval[] {
    this.normalise()
    return this.list
  }

  private normalise(): void {
    if (this.sorted) return
    this.list.sort((x, y) => x[0] - y[0])
    const out: Interval[] = []
    for (const iv of this.list) {
      const last = out.at(-1)
      if (last !== undefined && iv[0] <= last[1] + this.gap) last[1] = Math.max(last[1], iv[1])
      else out.push([iv[0], iv[1]])
    }
    this.list = out
    this.sorted = true
  }
}

/** Parts of `a` not covered by `b` (both sorted, disjoint). */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = []
  let j = 0
  for (const [s0, e] of a) {
    let s = s0
    while (j < b.length && b[j][1] < s) j++
    let k = j
    while (k < b.length && b[k][0] <= e) {
      if (b[k][0] > s) out.push([s, b[k][0]])
      s = Math.max(s, b[k][1])
      k++
    }
    if (s < e) out.push([s, e])
  }
  return out
}
