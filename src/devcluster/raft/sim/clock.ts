/**
 * Virtual time for the Raft simulator: a priority queue of (time, sequence, action). Time jumps straight to the next
 * event; ties run in the order they were scheduled (the sequence number), never in an order that depends on object
 * keys or hashing, so a run is the same every time.
 */

interface Scheduled {
  time: number
  seq: number
  run: () => void
}

export class VirtualClock {
  private heap: Scheduled[] = []
  private seq = 0
  /** Current virtual time in milliseconds. */
  now = 0
  /** Events run so far. */
  steps = 0

  /** Runs `run` at now + delayMs (never earlier than now). */
  after(delayMs: number, run: () => void): void {
    this.at(this.now + Math.max(0, delayMs), run)
  }

  at(time: number, run: () => void): void {
    const item: Scheduled = {time: Math.max(time, this.now), seq: this.seq++, run}
    const h = this.heap
    h.push(item)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i], h[parent])) break
      ;[h[i], h[parent]] = [h[parent], h[i]]
      i = parent
    }
  }

  get pending(): number {
    return this.heap.length
  }

  /** Runs the next event; false when none is left or the next one lies beyond `until`. */
  step(until = Number.POSITIVE_INFINITY): boolean {
    const h = this.heap
    if (h.length === 0 || h[0].time > until) return false
    const top = h[0]
    const last = h.pop() as Scheduled
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l], h[m])) m = l
        if (r < h.length && before(h[r], h[m])) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    this.now = top.time
    this.steps++
    top.run()
    return true
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}
