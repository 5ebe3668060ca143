/**
 * The order of doctor's findings and the verdict of the whole run.
 *
 * Worst first (critical, warning, info). Among findings of one severity, the one likelier to be a cause comes first:
 * a config that stops a node or breaks a join; then the meta nodes (no quorum, no leader, a node not joined); then a
 * data node down or cut off; then hinted-handoff queues (an owner that cannot be reached); then the data nodes'
 * failing writes, which those cause; then the log lines, which report what the rest shows. Within an area the source
 * command's own order is kept (it already ranks), so the first finding names the cause when one area holds it.
 *
 * The verdict is util/outcome.ts's rule over every area that was not skipped: critical or warning findings give 3,
 * else anything not checked (an area or a part of one) gives 4 (UNKNOWN, never OK), else 0.
 */
import {decideOutcome} from '../util/outcome.js'
import type {Draft} from './probes.js'
import type {Area, AreaReport, DoctorFinding, Severity} from './types.js'

const SEVERITY: Record<Severity, number> = {critical: 0, warning: 1, info: 2}

/** Cause before symptom, for findings of one severity. */
function causeRank(f: Draft): number {
  if (f.area === 'configs') return 0
  if (f.area === 'meta') return 1
  if (f.area === 'data' && !f.id.startsWith('write-')) return 2 // unreachable, silent, wrong answer to /ping
  // A queue seen failing (retrying, stalled, blocked...) before one only seen holding data (hh-pending): the failed
  // sends are the better evidence that its destination cannot be reached, and they name the same link.
  if (f.area === 'hh') return f.id === 'hh-pending' ? 3.5 : 3
  if (f.area === 'data') return 4
  return 5
}

export function rankFindings(drafts: Draft[]): DoctorFinding[] {
  return drafts
    .map((d, i) => ({d, i}))
    .sort((a, b) => SEVERITY[a.d.severity] - SEVERITY[b.d.severity] || causeRank(a.d) - causeRank(b.d) || a.i - b.i)
    .map(({d}, i) => ({rank: i + 1, ...d}))
}

export function overall(areas: AreaReport[], findings: DoctorFinding[]) {
  const counted = new Set<Area>(areas.filter((a) => a.verdict !== 'skipped').map((a) => a.area))
  const outcome = decideOutcome({
    findings: findings.filter((f) => counted.has(f.area)),
    checked: areas.reduce((n, a) => n + (counted.has(a.area) ? a.checked : 0), 0),
    unchecked: areas.reduce((n, a) => n + (counted.has(a.area) ? Math.max(a.unchecked, a.verdict === 'unknown' ? 1 : 0) : 0), 0),
  })
  return outcome
}
