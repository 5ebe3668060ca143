/**
 * Explains log lines one at a time, in order, keeping the little context that changes a verdict (the CQ lease).
 * Used by `medic explain`; `medic logs summarize` uses the same parser and matcher through the summariser.
 */
import {catalogueMatcher} from './catalogue/index.js'
import {parseLine} from './formats.js'
import {DEFAULT_LEASE_DURATION_MS, LeaseTracker} from './lease.js'
import type {Explanation} from './types.js'

export interface ExplainOptions {
  leaseDurationMs?: number
  /** "Now" for timestamps without a year (syslog); tests pin it. */
  now?: number
}

export class Explainer {
  private readonly lease: LeaseTracker
  private readonly matcher = catalogueMatcher()
  private lineNo = 0

  constructor(private readonly options: ExplainOptions = {}) {
    this.lease = new LeaseTracker(options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS)
  }

  explain(line: string): Explanation {
    this.lineNo++
    const ev = parseLine(line, this.options.now)
    const m = this.matcher.match(ev)
    if (!m) {
      const values: Explanation['values'] = {}
      if (ev.time !== undefined && !Number.isNaN(ev.time)) values.time = new Date(ev.time).toISOString()
      if (ev.level) values.level = ev.level
      if (ev.service) values.service = ev.service
      if (ev.host) values.host = ev.host
      return {
        line: this.lineNo, id: null, verdict: 'unknown', title: null, format: ev.format, values,
        ...(ev.format === 'binary' ? {context: 'binary data, not a log line'} : {}),
      }
    }
    let verdict = m.entry.verdict
    let context: string | undefined
    if (m.entry.id === 'cq-lease-granted') {
      this.lease.granted(ev.time, m.values.nodeId)
    } else if (m.entry.id === 'cq-lease-denied') {
      const v = this.lease.denied(ev.time)
      verdict = v.verdict
      context = v.context
    }
    return {line: this.lineNo, id: m.entry.id, verdict, title: m.entry.title, format: ev.format, values: m.values, context, entry: m.entry}
  }
}
