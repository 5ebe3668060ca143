// Runs one scenario in short form, in-process, on a cluster folder under a temp folder of the test's own (removed,
// with whatever still runs there stopped, after each test), and asserts what every scenario test wants: the run
// passed, every check passed, and each wrong expectation given as a mutation made its check fail.
import {expect} from 'vitest'

import {downCluster} from '../../../src/devcluster/client/down.js'
import {findScenario} from '../../../src/devcluster/scenarios/registry.js'
import {runScenarios, type ScenarioRunWithMutations} from '../../../src/devcluster/scenarios/runner.js'
import {tempClusterDir} from '../../fixtures/dev/helpers.js'

const cleanups: Array<() => Promise<void>> = []

/** For afterEach: stops what a test left running and removes its folders. */
export async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c()
}

/** Runs scenario `name` (short form) with `mutate`'s wrong expectations evaluated on the side. */
export async function runShort(name: string, mutate: Record<string, string>): Promise<ScenarioRunWithMutations> {
  const t = tempClusterDir(`medic-scenario-test-${name}-`)
  cleanups.push(async () => {
    await downCluster(t.dir, {purge: true, graceMs: 1_000}).catch(() => undefined)
    t.remove()
  })
  const report = await runScenarios([findScenario(name)], {mode: 'short', dir: t.dir, mutate})
  return report.scenarios[0]
}

/** Every check passed, and every mutation (a wrong expected entry, verdict or finding) failed its check. */
export function expectPassedAndSensitive(r: ScenarioRunWithMutations, mutated: string[]): void {
  const failed = r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: expected ${c.expected}, got ${c.actual}\n  ${c.evidence.join('\n  ')}`)
  expect(r.error, r.error?.message).toBeUndefined()
  expect(failed, failed.join('\n')).toEqual([])
  expect(r.verdict).toBe('passed')
  // The checks a mutation was aimed at were made, and none of them would have passed with the wrong expectation.
  expect([...new Set((r.mutations ?? []).map((m) => m.check))].sort()).toEqual([...mutated].sort())
  expect((r.mutations ?? []).filter((m) => m.status === 'passed')).toEqual([])
  // What the operator would see and type is recorded.
  expect(r.saw.length).toBeGreaterThan(0)
  expect(r.commands.length).toBeGreaterThan(0)
}
