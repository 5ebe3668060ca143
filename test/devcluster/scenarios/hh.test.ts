// The seed documents' hinted-handoff scenarios in short form on real 1 meta + 2 data clusters: hh-queue-not-empty,
// stats-partial-write, queue-full. Each must pass, and each diagnosis check must fail against a wrong expectation (the
// family catch-all instead of the specific entry, a warning instead of info, a queue verdict that is not blocked).
import {afterEach, describe, expect, it} from 'vitest'

import {cleanUp, expectPassedAndSensitive, runShort} from './harness.js'

afterEach(cleanUp)

describe('hinted-handoff scenarios from the seeds', () => {
  it('hh-queue-not-empty: the seed line is informational, the RF 1 client 500 a warning, and the queue drains', async () => {
    const r = await runShort('hh-queue-not-empty', {seedEntry: 'write-failed-remote', seedEntryVerdict: 'warning', clientEntry: 'write-partial-consistency', waitOutcome: 'timeout', doctorFirst: 'queue-retrying'})
    expectPassedAndSensitive(r, ['explained', 'explained-verdict', 'client-explained', 'drained', 'doctor-first'])
    expect(r.checks.find((c) => c.id === 'doctor-linked')?.status).toBe('passed') // the queue towards the down node: caused by #1
    expect(r.saw.find((o) => o.kind === 'log')?.text).toMatch(/^\[write\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d write failed for shard \d+ on node \d+: hinted handoff queue not empty$/)
  }, 120_000)

  it('stats-partial-write: the seed line while hinted handoff holds data, informational, gone once drained', async () => {
    const r = await runShort('stats-partial-write', {seedEntry: 'write-partial-consistency', seedEntryVerdict: 'warning', doctorFirst: 'write-partial'})
    expectPassedAndSensitive(r, ['explained', 'explained-verdict', 'doctor-first'])
    expect(r.checks.find((c) => c.id === 'doctor-linked')?.status).toBe('passed') // the queue towards the down node: caused by #1
  }, 120_000)

  it('queue-full: queue is full is critical and the queue just below max-size is blocked', async () => {
    const r = await runShort('queue-full', {lineEntry: 'hh-queue-not-empty', lineEntryVerdict: 'info', hhVerdict: 'retrying', doctorFirst: 'hh-queue-full'})
    expectPassedAndSensitive(r, ['explained', 'explained-verdict', 'blocked', 'doctor-first'])
    expect(r.checks.find((c) => c.id === 'doctor-linked')?.status).toBe('passed') // the queue towards the down node: caused by #1
  }, 120_000)
})
