/**
 * Explains log lines one at a time, in order, keeping the little context that changes a verdict (the CQ lease).
 * Used by `medic explain`; `medic logs summarize` uses the same parser and classifier through the summariser.
 */
import {headMatcher, loadEntry} from './catalogue/lazy.js'
import {extract} from './catalogue/matcher.js'
import {classify} from './classify.js'
import {redact} from './redact.js'
import {parseLine} from './formats.js'
import {DEFAULT_LEASE_DURATION_MS, LeaseTracker} from './lease.js'
import {UTC, type Zone} from './time.js'
import type {CatalogueEntry, CatalogueHead, Explanation} from './types.js'

export interface ExplainOptions {
  leaseDurationMs?: number
  /** "Now" for timestamps without a year (syslog); tests pin it. */
  now?: number
  /** The zone of timestamps that carry none (legacy Go log, BSD syslog). */
  zone?: Zone
}

export class Explainer {
  private readonly lease: LeaseTracker
  private readonly matcher = headMatcher()
  private lineNo = 0

  constructor(private readonly options: ExplainOptions = {}) {
    this.lease = new LeaseTracker(options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS)
  }

  /** Explains one line; `entry` is the matched entry's head (explainStream loads the full entry). */
  explain(line: string): Explanation<CatalogueHead> {
    this.lineNo++
    const ev = parseLine(line, {now: this.options.now, zone: this.options.zone ?? UTC})
    const {match: m, embedded} = classify(this.matcher, ev)
    const shape = {
      ...(ev.wrappers ? {wrappers: ev.wrappers} : {}),
      ...(ev.cutShort ? {cutShort: ev.cutShort} : {}),
    }
    if (!m) {
      const values: Explanation['values'] = {}
      if (ev.time !== undefined && !Number.isNaN(ev.time)) values.time = new Date(ev.time).toISOString()
      if (ev.level) values.level = ev.level
      if (ev.service) values.service = ev.service
      if (ev.host) values.host = redact(ev.host)
      const why = ev.format === 'binary'
        ? {context: 'binary data, not a log line'}
        : ev.problem !== undefined
          ? {context: `not read: ${ev.problem}`}
          : {message: redact(ev.msg.slice(0, 200))}
      return {line: this.lineNo, id: null, verdict: 'unknown', title: null, format: ev.format, values, ...why, ...shape}
    }
    const values = m.family ? {...extract(ev, m.family.groups), ...extract(ev, m.groups)} : extract(ev, m.groups)
    if (embedded?.status !== undefined) values.httpStatus = embedded.status
    let verdict = m.entry.verdict
    let context: string | undefined
    if (m.entry.id === 'cq-lease-granted') {
      const v = this.lease.granted(ev.time, values.nodeId)
      if (v !== undefined) {
        verdict = v.verdict
        context = v.context
      }
    } else if (m.entry.id === 'cq-lease-denied') {
      const v = this.lease.denied(ev.time)
      verdict = v.verdict
      context = v.context
    }
    return {
      line: this.lineNo, id: m.entry.id, verdict, title: m.entry.title, format: ev.format, values, context,
      ...(embedded?.client || m.entry.where === 'client' ? {clientSide: true} : {}),
      ...(embedded?.client ? {reportedBy: embedded.via} : {}),
      ...(m.family ? {family: m.family.entry.id} : {}),
      ...shape,
      entry: m.entry,
    }
  }
}

/** Explains lines as they arrive, in order, with the lease context carried from line to line. */
export async function* explainStream(lines: AsyncIterable<string> | Iterable<string>, options: ExplainOptions = {}): AsyncGenerator<Explanation> {
  const ex = new Explainer(options)
  for await (const line of lines) {
    const r = ex.explain(line)
    yield r.entry === undefined ? (r as Explanation) : {...r, entry: await loadEntry(r.entry)}
  }
}

const ID_LIKE = /^[a-z0-9]+(?:-[a-z0-9]+)+$/

/** What `medic explain ARG...` was asked: a catalogue entry by id, or a log line (unquoted words are joined). */
export function classifyExplainArgs(args: string[]): {kind: 'id'; id: string} | {kind: 'line'; line: string} | {kind: 'none'} {
  if (args.length === 0) return {kind: 'none'}
  if (args.length === 1 && ID_LIKE.test(args[0])) return {kind: 'id', id: args[0]}
  return {kind: 'line', line: args.join(' ')}
}

/** The JSON form of a result: the entry's details are listed once, in `entries`, not per line. */
export function explanationJson(r: Explanation<CatalogueHead>): Omit<Explanation<CatalogueHead>, 'entry'> {
  const {entry: _entry, ...rest} = r
  return rest
}

export function entryJson(e: CatalogueEntry): Record<string, unknown> {
  const matchers = Array.isArray(e.match) ? e.match : [e.match]
  return {
    id: e.id, title: e.title, verdict: e.verdict, category: e.category, where: e.where, cause: e.cause, impact: e.impact,
    check: e.check, commands: e.commands, configKeys: e.configKeys ?? [], metrics: e.metrics ?? [], versions: e.versions ?? [],
    client: e.client ?? null, docs: (e.docs ?? []).map((d) => `https://docs.influxdata.com/${d}`),
    patterns: matchers.map((m) => ('http' in m ? {http: {...m.http, uri: m.http.uri?.source}} : {keywords: m.keywords, pattern: m.pattern.source})),
    examples: e.examples.map((x) => x.line),
  }
}
