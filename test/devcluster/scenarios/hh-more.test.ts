// More hinted-handoff scenarios in short form on real 1 meta + 2 data clusters: retry-amplification,
// field-type-conflict-in-hh, node-removed-with-queue. Each must pass, and each diagnosis check must fail against a
// wrong expectation.
import {afterEach, describe, expect, it} from 'vitest'

import {cleanUp, expectPassedAndSensitive, runShort} from './harness.js'

afterEach(cleanUp)

describe('hinted-handoff scenarios', () => {
  it('retry-amplification: retries of 500 partial write grow the queue by the number of attempts; medic says not to retry', async () => {
    const r = await runShort('retry-amplification', {clientEntry: 'write-failed-hh-not-empty', doctorFirst: 'write-partial-consistency'})
    expectPassedAndSensitive(r, ['explained', 'doctor-first'])
    expect(r.checks.find((c) => c.id === 'doctor-linked')?.status).toBe('passed') // the queue towards the down node: caused by #1
    expect(r.checks.find((c) => c.id === 'amplified')?.actual).toMatch(/^[34]\.\d\d /)
  }, 120_000)

  it('field-type-conflict-in-hh: each refused block is dropped once, the queues drain, the owners differ', async () => {
    // doctor: the outage the scenario needed is over; the refused write, not the connections refused meanwhile, is named.
    const r = await runShort('field-type-conflict-in-hh', {dropEntry: 'write-unparsable-points', waitOutcome: 'stalled', doctorFirst: 'connection-refused'})
    expectPassedAndSensitive(r, ['explained-data-1', 'explained-data-2', 'drained', 'doctor-first'])
  }, 120_000)

  it('node-removed-with-queue: the queue is shown before, deleted with the node, and nothing is left', async () => {
    const r = await runShort('node-removed-with-queue', {lineEntry: 'hh-node-not-found', waitOutcome: 'timeout', doctorFirst: 'hh-pending'})
    expectPassedAndSensitive(r, ['explained', 'drained', 'doctor-first'])
    expect(r.checks.find((c) => c.id === 'doctor-linked')?.status).toBe('passed') // the queue towards the down node: caused by #1
  }, 120_000)
})
