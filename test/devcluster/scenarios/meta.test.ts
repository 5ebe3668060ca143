// The meta-node scenarios in short form on real clusters: meta-not-joined and join-unable-to-determine (1 meta node
// plus nodes of their own), leader-failover and meta-minority-partition (3 meta nodes). Each must pass, and each diagnosis check must fail when
// given a wrong expectation (a wrong catalogue entry, status finding, join step or leader).
import {afterEach, describe, expect, it} from 'vitest'

import {cleanUp, expectPassedAndSensitive, runShort} from './harness.js'

afterEach(cleanUp)

describe('meta scenarios', () => {
  it('meta-not-joined: 503s explained as expected, status says not joined, and they stop after add-meta', async () => {
    const r = await runShort('meta-not-joined', {seedEntry: 'hh-queue-full', statusFinding: 'meta-unreachable', doctorFirst: 'meta-unreachable'})
    expectPassedAndSensitive(r, ['explained', 'status-not-joined', 'doctor-first'])
    expect(r.checks.map((c) => c.id)).toEqual(['answers-503', 'seed-line', 'explained', 'explained-verdict', 'status-not-joined', 'doctor-first', 'add-meta', '503s-stop', 'status-joined'])
  }, 120_000)

  it('join-unable-to-determine: each reproducible cause fails the join and join diagnose names it', async () => {
    const r = await runShort('join-unable-to-determine', {
      seedEntry: 'meta-not-joined', hostnameStep: 'advertised-address: hostname', portStep: 'config-hostname: port', 'bind-addressConfig': 'bad-address meta.http-bind-address',
      'http-bind-elsewhereStep': 'config-ports: port', licenseStep: 'config-ports: license-path', licenseConfig: 'license-missing enterprise.license-key',
      licenseStartup: 'process-fatal-error', doctorFirst: 'meta-unreachable',
    })
    expectPassedAndSensitive(r, [
      'hostname-explained', 'bind-address-explained', 'http-bind-address-explained', 'port-explained', 'http-bind-elsewhere-explained', 'license-explained',
      'hostname-diagnosed', 'port-diagnosed', 'bind-address-config', 'http-bind-elsewhere-diagnosed', 'license-diagnosed', 'license-config', 'license-startup-explained', 'doctor-first',
    ])
    for (const v of ['hostname', 'bind-address', 'http-bind-address', 'port', 'http-bind-elsewhere']) {
      expect(r.checks.filter((c) => c.id.startsWith(`${v}-`)).map((c) => c.id.slice(v.length + 1))).toEqual(['refused', 'explained', 'explained-verdict', 'diagnosed', 'config'])
    }
    expect(r.checks.filter((c) => c.id.startsWith('license-')).map((c) => c.id.slice('license-'.length))).toEqual(['startup-explained', 'startup-explained-verdict', 'refused', 'explained', 'explained-verdict', 'diagnosed', 'config'])
    expect(r.checks.at(-1)?.id).toBe('doctor-first')
    expect(r.notes.join(' ')).not.toMatch(/not reproduced/)
  }, 120_000)

  it('meta-minority-partition: the majority keeps its leader, the node cut off cannot elect; status and doctor name it meta-cut-off', async () => {
    const r = await runShort('meta-minority-partition', {electionEntry: 'raft-leader-elected', statusFinding: 'quorum-lost', doctorFirst: 'no-leader'})
    expectPassedAndSensitive(r, ['election-explained', 'status-cut-off', 'doctor-first'])
    expect(r.checks.map((c) => c.id)).toEqual(['majority-serves', 'minority-no-leader', 'minority-elections', 'election-explained', 'election-explained-verdict', 'minority-cannot-elect', 'status-cut-off', 'status-names-node', 'doctor-first', 'healed'])
    expect(r.checks.find((c) => c.id === 'status-names-node')?.actual).toMatch(/3\/3 voters up, 1 of them cut off from the leader: quorum holds; one more failure loses the leader/)
    expect(r.elapsedMs).toBeLessThan(60_000)
  }, 120_000)

  it('leader-failover: a new leader, which medic status names, with the quorum degraded; all agree after the restart', async () => {
    const r = await runShort('leader-failover', {statusLeader: '127.0.0.1:1', statusFinding: 'quorum-lost', electionEntry: 'raft-heartbeat-timeout', doctorFirst: 'quorum-degraded'})
    expectPassedAndSensitive(r, ['status-leader', 'status-unreachable', 'election-explained', 'doctor-first'])
    expect(r.checks.find((c) => c.id === 'status-quorum')?.actual).toMatch(/2\/3 voters up: quorum holds/)
  }, 120_000)
})
