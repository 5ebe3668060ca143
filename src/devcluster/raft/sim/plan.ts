/**
 * Fault plans for the Raft simulator: a seed expands into an explicit, timed list of faults (crashes, pauses,
 * partitions of several shapes, loss windows), written out with a failing run so it can be replayed as is. Targets
 * such as "the leader" are resolved when the fault fires, from the simulation's own state and its fault stream, so a
 * replay of the same seed and plan takes the same decisions.
 */
import type {Rng} from '../../../util/rng.js'

export type FaultTarget = 'leader' | 'follower' | 'any'

export type FaultItem =
  /** midWrite: wait for the node's next disk write and crash while its fsync is in flight (torn tail). */
  | {at: number; kind: 'crash'; target: FaultTarget; downMs: number; midWrite?: boolean}
  /** Arms a trap: the next leader that appends a configuration entry crashes a few ms later (membership bugs). */
  | {at: number; kind: 'crash-after-conf'; downMs: number}
  /** Arms a trap: the next node to win an election crashes a few ms later, its first entries half replicated (Figure 8). */
  | {at: number; kind: 'crash-new-leader'; downMs: number}
  | {at: number; kind: 'pause'; target: FaultTarget; forMs: number}
  | {at: number; kind: 'isolate'; target: FaultTarget; forMs: number}
  | {at: number; kind: 'bisect'; forMs: number}
  | {at: number; kind: 'oneway'; forMs: number}
  | {at: number; kind: 'partial'; forMs: number}
  | {at: number; kind: 'loss'; loss: number; forMs: number}

export interface PlanShape {
  /** Length of the fault phase, ms. */
  faultMs: number
  /** Mean gap between two faults, ms. */
  meanGapMs: number
  /** Membership changes happen in this run (adds crash-after-conf traps to the mix). */
  churn: boolean
}

export function generatePlan(rng: Rng, shape: PlanShape): FaultItem[] {
  const plan: FaultItem[] = []
  let t = rng.float(200, 1000)
  while (t < shape.faultMs) {
    const roll = rng.next()
    const target: FaultTarget = rng.chance(0.4) ? 'leader' : rng.chance(0.5) ? 'follower' : 'any'
    const at = Math.round(t)
    if (shape.churn && rng.chance(0.12)) {
      plan.push({at, kind: 'crash-after-conf', downMs: Math.round(rng.float(50, 2500))})
    } else if (rng.chance(0.1)) {
      plan.push({at, kind: 'crash-new-leader', downMs: Math.round(rng.float(50, 1500))})
    } else if (roll < 0.22) {
      const downMs = Math.round(rng.chance(0.2) ? rng.float(3000, 8000) : rng.float(100, 2500))
      plan.push(rng.chance(0.35) ? {at, kind: 'crash', target, downMs, midWrite: true} : {at, kind: 'crash', target, downMs})
    }
    else if (roll < 0.36) plan.push({at, kind: 'pause', target, forMs: Math.round(rng.float(200, 4000))})
    else if (roll < 0.52) plan.push({at, kind: 'isolate', target, forMs: Math.round(rng.float(300, 4000))})
    else if (roll < 0.62) plan.push({at, kind: 'bisect', forMs: Math.round(rng.float(300, 4000))})
    else if (roll < 0.72) plan.push({at, kind: 'oneway', forMs: Math.round(rng.float(300, 4000))})
    else if (roll < 0.84) plan.push({at, kind: 'partial', forMs: Math.round(rng.float(300, 4000))})
    else plan.push({at, kind: 'loss', loss: Math.round(rng.float(0.1, 0.5) * 100) / 100, forMs: Math.round(rng.float(300, 3000))})
    t += rng.float(0.3, 1.7) * shape.meanGapMs
  }
  return plan
}
