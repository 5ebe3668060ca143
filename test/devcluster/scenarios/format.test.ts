// The human output of a scenario run: a failed check shows what was expected and what came, with its evidence;
// commands say what they need; outside text is escaped; a kept cluster gets its down command; the summary counts.
import {describe, expect, it} from 'vitest'

import type {ScenarioRun} from '../../../src/devcluster/scenarios/types.js'
import {renderReport, renderRun, runHeadline} from '../../../src/format/scenario.js'

function run(over: Partial<ScenarioRun> = {}): ScenarioRun {
  return {
    name: 'queue-full', title: 'a title', verdict: 'failed', mode: 'short', elapsedMs: 4200,
    cluster: {dir: '/tmp/x y', basePort: 20000, meta: 1, data: 2, kept: false, folderKept: true, down: null},
    did: [{atMs: 1500, text: 'killed data-2 (SIGKILL)'}],
    saw: [{kind: 'log', source: 'data-1', text: 'a line with \u001b[31mcolour'}],
    checks: [
      {id: 'explained', title: 'medic explain names it hh-queue-full', status: 'passed', expected: 'hh-queue-full', actual: 'hh-queue-full', evidence: ['hh-queue-full (critical)']},
      {id: 'blocked', title: 'the queue is blocked', status: 'failed', expected: 'blocked among them', actual: 'unknown', evidence: ['node 2: 64635 B pending, unknown']},
    ],
    commands: [
      {command: "medic explain 'x'", why: 'what it means', needs: 'nothing'},
      {command: "medic hh watch --url 127.0.0.1:1 --config '/tmp/x y/data-1/influxdb.conf'", why: 'the queue', needs: 'cluster'},
    ],
    notes: [],
    ...over,
  }
}

describe('format/scenario', () => {
  it('shows a failed check with expected, got and evidence; passed checks in short; commands with what they need', () => {
    const text = renderRun(run())
    expect(text).toContain('Scenario queue-full: a title  FAILED (4.2 s)')
    expect(text).toMatch(/FAIL {2}the queue is blocked\n {8}expected: blocked among them\n {8}got: {6}unknown\n {8}\| node 2: 64635 B pending, unknown/)
    expect(text).toContain('PASS  medic explain names it hh-queue-full')
    expect(text).toContain("$ medic explain 'x'\n")
    expect(text).toContain("--config '/tmp/x y/data-1/influxdb.conf'   (needs the cluster: run with --keep)")
    expect(text).toContain('The cluster is stopped; its folder (configs and logs) is kept: /tmp/x y')
    expect(text).not.toContain('\u001b')
    expect(text).toContain('a line with \\x1b[31mcolour')
  })

  it('a kept cluster gets its down command; a run that could not start says why; several runs get a summary', () => {
    const kept = renderRun(run({verdict: 'passed', checks: [], cluster: {dir: '/tmp/k', basePort: 1, meta: 1, data: 0, kept: true, folderKept: true, down: 'medic dev down --purge --dir /tmp/k'}}))
    expect(kept).toContain('The cluster is still running in /tmp/k. Stop it and remove its folder with:\n  $ medic dev down --purge --dir /tmp/k')
    const broken = run({verdict: 'error', did: [], saw: [], checks: [], commands: [], error: {code: 'startup-timeout', message: 'the dev cluster was not ready within 120 s'}})
    expect(renderRun(broken)).toContain('COULD NOT RUN (4.2 s)\n  the dev cluster was not ready within 120 s')
    expect(runHeadline(broken)).toBe('queue-full: COULD NOT RUN (0/0 checks, 4.2 s)')
    const all = renderReport({mode: 'short', scenarios: [run(), broken], summary: {scenarios: 2, passed: 0, failed: 1, error: 1, checks: 2, checksFailed: 1}})
    expect(all).toContain('0 passed, 1 failed, 1 could not run; 1 of 2 checks passed')
  })
})
