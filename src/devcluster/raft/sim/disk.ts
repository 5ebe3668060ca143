/**
 * The simulator's model of one node's disk. Writes are queued and become durable only when their simulated fsync
 * completes (in order, one writer); a crash loses everything still queued and, when asked to, tears the first queued
 * batch: a prefix of its records survives. Restarts rebuild the core from what is durable, which is how the simulator
 * catches "replied before persisting" (raft-notes.md §2 #1, #2) and torn-tail recovery bugs.
 *
 * Records of one batch are kept in the least forgiving order a storage engine could pick (hard state first, then the
 * truncation, the received snapshot, the entries), so the core's recovery must cope with any prefix of it.
 */
import type {HardState, LogEntry, RecoveredState, Snapshot} from '../types.js'
import type {Rng} from '../../../util/rng.js'

export type DiskRecord =
  | {k: 'hs'; hs: HardState}
  | {k: 'trunc'; from: number}
  | {k: 'snap'; snapshot: Snapshot}
  | {k: 'entry'; e: LogEntry}
  /** A local snapshot: keep it (unless a newer one is durable), then drop entries below compactTo. */
  | {k: 'compact'; snapshot: Snapshot; compactTo: number}

export interface DurableState {
  hardState: HardState
  snapshot: Snapshot | null
  entries: Map<number, LogEntry>
}

interface PendingWrite {
  id: number
  records: DiskRecord[]
  doneAt: number
}

export interface DiskHooks {
  /** Called whenever a hard-state record becomes durable (vote uniqueness, term monotonicity). */
  onHardState?(hs: HardState): void
}

export class SimDisk {
  readonly durable: DurableState = {hardState: {term: 0, votedFor: null, commit: 0}, snapshot: null, entries: new Map()}
  private queue: PendingWrite[] = []
  private nextId = 1
  private lastDoneAt = 0
  tornWrites = 0

  constructor(private readonly rng: Rng, private readonly hooks: DiskHooks = {}) {}

  /** Queues a batch; returns its id and the virtual time its fsync completes (completions stay in order). */
  write(records: DiskRecord[], now: number): {id: number; doneAt: number} {
    const delay = this.rng.chance(0.05) ? this.rng.float(5, 20) : this.rng.float(0.1, 2)
    const doneAt = Math.max(this.lastDoneAt, now) + delay
    this.lastDoneAt = doneAt
    const id = this.nextId++
    this.queue.push({id, records, doneAt})
    return {id, doneAt}
  }

  /** The fsync of batch `id` completed: it and everything queued before it is durable. Returns false if unknown. */
  complete(id: number): boolean {
    const at = this.queue.findIndex((w) => w.id === id)
    if (at < 0) return false
    for (const w of this.queue.splice(0, at + 1)) for (const r of w.records) this.apply(r)
    return true
  }

  get busy(): boolean {
    return this.queue.length > 0
  }

  /** The process died: queued writes are lost; with probability tearP a prefix of the first one survives. */
  crash(tearP: number): void {
    const first = this.queue[0]
    if (first && first.records.length > 1 && this.rng.chance(tearP)) {
      const keep = this.rng.int(1, first.records.length)
      for (const r of first.records.slice(0, keep)) this.apply(r)
      this.tornWrites++
    }
    this.queue = []
    this.lastDoneAt = 0
  }

  private apply(r: DiskRecord): void {
    const d = this.durable
    switch (r.k) {
      case 'hs':
        this.hooks.onHardState?.(r.hs)
        d.hardState = {...r.hs}
        return
      case 'trunc':
        for (const i of [...d.entries.keys()]) if (i >= r.from) d.entries.delete(i)
        return
      case 'snap':
        if (!d.snapshot || r.snapshot.meta.index > d.snapshot.meta.index) d.snapshot = r.snapshot
        return
      case 'entry':
        d.entries.set(r.e.index, r.e)
        return
      case 'compact':
        if (!d.snapshot || r.snapshot.meta.index > d.snapshot.meta.index) d.snapshot = r.snapshot
        for (const i of [...d.entries.keys()]) if (i < r.compactTo) d.entries.delete(i)
        return
    }
  }

  /** What a restarted node reads back: the durable state, entries in index order. */
  recover(): RecoveredState {
    const d = this.durable
    const entries = [...d.entries.values()].sort((a, b) => a.index - b.index)
    return {hardState: {...d.hardState}, snapshot: d.snapshot ? cloneSnapshot(d.snapshot) : null, entries}
  }
}

export function cloneSnapshot(s: Snapshot): Snapshot {
  return JSON.parse(JSON.stringify(s)) as Snapshot
}
