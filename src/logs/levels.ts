/** --min: show only what is at least this severe. Unrecognised lines are shown only without --min. */
import {VERDICT_RANK, type Verdict} from './types.js'

export const MIN_LEVELS = ['critical', 'warning', 'info', 'expected'] as const
export type MinLevel = (typeof MIN_LEVELS)[number]

const MIN_RANK: Record<MinLevel, number> = {critical: 0, warning: 1, info: 2, expected: 3}

/** True when a verdict passes --min (unknown never does). */
export function atLeast(v: Verdict, min: MinLevel | undefined): boolean {
  if (min === undefined) return true
  return v !== 'unknown' && VERDICT_RANK[v] <= MIN_RANK[min]
}
