/**
 * Every scenario, in the order `list` and `run --all` use (the seed documents' errors first), and the lookup by
 * name with a did-you-mean.
 */
import {usageError} from '../../errors.js'
import {closest} from '../../util/edit-distance.js'
import {cqLease} from './cq.js'
import {cqLeaseLost} from './cq-lost.js'
import {hhBacklogAndDrain, maxAgeExpiry, writeTimeout} from './faults.js'
import {fieldTypeConflictInHh, hhQueueNotEmpty, nodeRemovedWithQueue, queueFull, retryAmplification, statsPartialWrite} from './hh.js'
import {joinUnableToDetermine, leaderFailover, metaMinorityPartition, metaNotJoined} from './meta.js'
import type {Scenario} from './types.js'
import {partialWriteConsistency} from './writes.js'

export const SCENARIOS: readonly Scenario[] = [
  // The seed documents' errors.
  metaNotJoined, cqLease, hhQueueNotEmpty, statsPartialWrite, queueFull, joinUnableToDetermine,
  // The others of issue 12 that need no link fault.
  partialWriteConsistency, retryAmplification, fieldTypeConflictInHh, nodeRemovedWithQueue, leaderFailover,
  // Those that need a fault on one link or a compressed clock.
  hhBacklogAndDrain, maxAgeExpiry, writeTimeout,
  metaMinorityPartition, cqLeaseLost,
]

/** The scenario called `name`; a usage error (exit 2) naming the nearest one otherwise. */
export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name)
  if (s) return s
  const names = SCENARIOS.map((x) => x.name)
  const near = closest(name, names) ?? names.find((n) => n.includes(name) || name.includes(n))
  throw usageError(`no scenario is called "${name}"`, 'unknown-scenario', [
    ...(near ? [`did you mean: medic dev scenario run ${near}`] : []),
    'medic dev scenario list',
  ])
}
