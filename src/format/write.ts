/** Human output of `medic dev write`: the live line (on a terminal) and the summary. */
import type {LoadReport} from '../loadgen/run.js'
import {escapeControl} from '../util/text.js'
import {formatCount} from './text.js'

/** One line for a terminal, redrawn about once a second. */
export function liveLine(r: LoadReport): string {
  const statuses = r.outcomes.slice(0, 3).map((o) => `${o.key.split(' ')[0]}x${o.count}`).join(' ')
  return `${(r.elapsedMs / 1000).toFixed(0)}s  ${formatCount(r.pointsPerSecond)} points/s  ${formatCount(r.pointsAcknowledged)} acknowledged  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  ${statuses}`
}

export function renderLoadReport(r: LoadReport): string {
  const lines = [
    `Wrote to ${escapeControl(r.url)} for ${(r.elapsedMs / 1000).toFixed(1)} s: ${formatCount(r.requests)} requests` + (r.retries > 0 ? ` (${formatCount(r.retries)} of them retries)` : ''),
    `  points acknowledged ${formatCount(r.pointsAcknowledged)} of ${formatCount(r.pointsSent)} sent, ${formatCount(r.pointsPerSecond)} points/s`,
    `  latency p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    '  answers:',
    ...r.outcomes.map((o) => `    ${formatCount(o.count).padStart(8)}  ${escapeControl(o.key)}  (${formatCount(o.points)} points)`),
  ]
  if (r.retries > 0 && r.outcomes.some((o) => o.key.includes('hinted handoff queue not empty') || o.key.includes('partial write'))) {
    lines.push('  Retried 500s carried points some owners had already stored or queued: each retry adds them to the hinted-handoff queues again (retry amplification).')
  }
  return lines.join('\n')
}
