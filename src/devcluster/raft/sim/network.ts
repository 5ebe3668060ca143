/**
 * The simulator's network: every directed link has its own random stream, a delay distribution (a short base plus a
 * heavy tail of up to a few seconds, so old messages arrive after elections have moved on), loss, duplication, and the
 * reordering that random delays produce. Partitions block directed links (both ways, one way, or a partial mesh) and
 * are checked both when a message is sent and when it would be delivered. Messages travel as JSON copies, as on the
 * real transport, so no object is ever shared between two nodes.
 */
import type {Msg, NodeId} from '../types.js'
import type {VirtualClock} from './clock.js'
import {Rng} from '../../../util/rng.js'

export interface LinkProfile {
  loss: number
  duplicate: number
  /** Probability that a message takes the slow path. */
  tail: number
  tailMaxMs: number
  baseMinMs: number
  baseMaxMs: number
}

export const CALM: LinkProfile = {loss: 0, duplicate: 0, tail: 0, tailMaxMs: 0, baseMinMs: 0.2, baseMaxMs: 2}

interface Block {
  id: number
  links: Set<string>
}

export class SimNetwork {
  private links = new Map<string, Rng>()
  private blocks: Block[] = []
  private nextBlock = 1
  profile: LinkProfile
  /** Extra loss applied to every link (loss windows of the fault plan). */
  extraLoss = 0
  sent = 0
  dropped = 0
  duplicated = 0

  constructor(
    private readonly clock: VirtualClock,
    private readonly rng: Rng,
    profile: LinkProfile,
    private readonly deliver: (m: Msg) => void,
  ) {
    this.profile = profile
  }

  private link(from: NodeId, to: NodeId): Rng {
    const key = `${from}>${to}`
    let r = this.links.get(key)
    if (!r) {
      r = this.rng.fork(key)
      this.links.set(key, r)
    }
    return r
  }

  blocked(from: NodeId, to: NodeId): boolean {
    if (this.blocks.length === 0) return false
    const key = `${from}>${to}`
    return this.blocks.some((b) => b.links.has(key))
  }

  /** Blocks the given directed links until heal(id) or healAll(). */
  block(links: Array<[NodeId, NodeId]>): number {
    const id = this.nextBlock++
    this.blocks.push({id, links: new Set(links.map(([a, b]) => `${a}>${b}`))})
    return id
  }

  heal(id: number): void {
    this.blocks = this.blocks.filter((b) => b.id !== id)
  }

  healAll(): void {
    this.blocks = []
    this.extraLoss = 0
  }

  get partitioned(): boolean {
    return this.blocks.length > 0
  }

  send(m: Msg): void {
    this.sent++
    const r = this.link(m.from, m.to)
    const p = this.profile
    if (this.blocked(m.from, m.to) || r.chance(Math.min(1, p.loss + this.extraLoss))) {
      this.dropped++
      return
    }
    const copies = r.chance(p.duplicate) ? 2 : 1
    if (copies === 2) this.duplicated++
    const wire = JSON.stringify(m)
    for (let i = 0; i < copies; i++) {
      const delay = r.float(p.baseMinMs, p.baseMaxMs) + (r.chance(p.tail) ? r.float(0, p.tailMaxMs) : 0)
      this.clock.after(delay, () => {
        if (this.blocked(m.from, m.to)) {
          this.dropped++
          return
        }
        this.deliver(JSON.parse(wire) as Msg)
      })
    }
  }
}
