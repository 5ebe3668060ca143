// The scenarios that need a fault on one link or a compressed clock, in short form on real 1 meta + 2 data clusters:
// hh-backlog-and-drain (partition, backlog, heal, drain, the ETA against the real time), max-age-expiry (--time-scale,
// the forecast, the purge, the points missing on the owner) and write-timeout (a slow link past write-timeout). Each
// must pass, and each diagnosis check must fail against a wrong expectation: another catalogue entry or verdict, an
// ETA twice too long, a forecast made with the max-age written in the file instead of the one in force, the
// client-side symptom as doctor's first finding.
import {afterEach, describe, expect, it} from 'vitest'

import {cleanUp, expectPassedAndSensitive, runShort} from './harness.js'

afterEach(cleanUp)

describe('scenarios with link faults and a compressed clock', () => {
  it('hh-backlog-and-drain: the partition\'s lines explained, doctor names the link, the ETA mid-way within ±30 %', async () => {
    const r = await runShort('hh-backlog-and-drain', {
      dialEntry: 'rpc-connection-closed', dialEntryVerdict: 'info', behindEntry: 'write-failed-remote', behindEntryVerdict: 'warning',
      retryEntry: 'hh-queue-not-empty', retryEntryVerdict: 'info', doctorFirst: 'write-partial', etaFactor: '2',
    })
    expectPassedAndSensitive(r, [
      'explained-dial', 'explained-dial-verdict', 'explained-behind', 'explained-behind-verdict', 'explained-retry', 'explained-retry-verdict', 'doctor-first', 'eta',
    ])
    expect(r.checks.find((c) => c.id === 'eta')?.actual).toMatch(/^\d+ samples, median [+-]\d+ %/)
    expect(r.elapsedMs).toBeLessThan(60_000)
  }, 120_000)

  it('max-age-expiry: the forecast before, the purge at the forecast time, the points missing on the owner', async () => {
    // 114 s: the forecast a max-age of 2m (as written in the file) would give, against the 6 s in force at --time-scale 20.
    const r = await runShort('max-age-expiry', {forecast: 'no max-age forecast', purgeEntry: 'dev-hh-delivery-retry', purgeEntryVerdict: 'warning', forecastShiftMs: '114000', waitOutcome: 'timeout'})
    expectPassedAndSensitive(r, ['forecast', 'explained', 'explained-verdict', 'forecast-time', 'drained'])
    expect(r.saw.find((o) => o.kind === 'log')?.text).toMatch(/purged \d+ segment\(s\), \d+ bytes older than max-age from the queue for node \d+ shard \d+/)
    expect(r.elapsedMs).toBeLessThan(60_000)
  }, 120_000)

  it('write-timeout: 500 timeout after write-timeout, the owner write logged, then partial write behind the queue', async () => {
    const r = await runShort('write-timeout', {timeoutEntry: 'write-partial-consistency', timeoutEntryVerdict: 'info', ownerEntry: 'write-failed-remote', doctorFirst: 'write-timeout', waitOutcome: 'timeout'})
    expectPassedAndSensitive(r, ['explained-timeout', 'explained-timeout-verdict', 'explained-owner', 'doctor-first', 'drained'])
    expect(r.checks.find((c) => c.id === 'client-timeout')?.actual).toMatch(/^500 \{"error":"timeout"\} after \d+ ms; /)
    expect(r.elapsedMs).toBeLessThan(60_000)
  }, 120_000)
})
