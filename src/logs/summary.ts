/**
 * The log summariser: folds lines into counters that stay small whatever the input size (per entry, per source, per
 * node and shard, a per-minute timeline, lease intervals, restarts and templates of unknown lines).
 *
 * Work is split in three steps so that it can run on several threads:
 *  - `Summariser.add(line)` on each worker thread, for its share of the input;
 *  - `Summariser.partial()` → a plain JSON-able `SummaryPartial`, sent back to the main thread;
 *  - `mergePartials()` and `buildReport()` on the main thread: order by time, choose the histogram buckets, rank.
 * All counters are sums, minima or maxima, so the merge does not depend on how the input was cut.
 */
import {decideOutcome, type OverallVerdict} from '../util/outcome.js'
import {catalogueMatcher, findEntry} from './catalogue/index.js'
import {extractSome, type Matcher} from './catalogue/matcher.js'
import {classify} from './classify.js'
import {fillCommand, type FilledCommand, placeholders} from './commands.js'
import {type ParseOptions, parseLine} from './formats.js'
import type {InputProblem} from './input.js'
import {type Interval, IntervalSet, subtract} from './intervals.js'
import {DEFAULT_LEASE_DURATION_MS, findLapses, fmtSeconds, type LeaseLapse} from './lease.js'
import {redact} from './redact.js'
import {detach, toText} from './strings.js'
import {TemplateTable, type TemplateStats, templateOf} from './templates.js'
import {parseZone, UTC, type Zone} from './time.js'
import {atLeast, type MinLevel} from './levels.js'
import {type CatalogueEntry, type LogEvent, VERDICT_RANK, type Verdict} from './types.js'

export {MIN_LEVELS, type MinLevel, atLeast} from './levels.js'

export interface SummaryOptions {
  /** Lines are latin1-decoded bytes (see strings.ts); kept strings are turned into UTF-8 text in partial(). */
  binary?: boolean
  since?: number
  until?: number
  leaseDurationMs?: number
  /** "Now" for syslog timestamps without a year. */
  now?: number
  /** --tz: the zone of timestamps that carry none (a name parseZone accepts; workers get it as text). */
  tz?: string
}

const MINUTE = 60_000
const HOUR = 3_600_000
/** Past this many timeline keys the base resolution goes from a minute to an hour (spans of months). */
const MAX_TIMELINE_KEYS = 20_000
const MAX_BREAKDOWN_KEYS = 2000
const MAX_RESTARTS = 2000

interface EntryAcc {
  count: number
  first?: number
  last?: number
  sources: Record<string, number>
  nodes: Record<string, number>
  shards: Record<string, number>
  example: string
  exampleSource: string
  /** The values the entry's next commands need: one value, or null once lines disagree. */
  values: Record<string, string | null>
  /** Lines found through a client's report of the server's error. */
  clientSide: number
}

export interface RestartMark {
  time?: number
  source: string
  logId?: string
  evidence: string
}

/** What one thread learned; everything in it can be summed or merged. */
export interface SummaryPartial {
  lines: number
  chars: number
  filtered: number
  /** Lines without a timestamp, left out because --since/--until cannot place them. */
  untimedSkipped: number
  untimed: number
  binary: number
  truncated: number
  blank: number
  minTime?: number
  maxTime?: number
  formats: Record<string, number>
  sources: Record<string, {lines: number; first?: number; last?: number}>
  entries: Record<string, EntryAcc>
  timelineResolution: number
  timeline: Record<string, Record<string, number>>
  logIds: Record<string, {source: string; logId: string; first?: number}>
  restarts: RestartMark[]
  templates: Array<[string, TemplateStats]>
  templatesEvicted: number
  leaseGrants: Interval[]
  leaseDenials: Interval[]
  leaseGrantNodes: Record<string, number>
  /** Each node's grants as intervals (grants no further apart than the lease duration joined): lapses between them. */
  leaseGrantsByNode: Record<string, Interval[]>
}

function bump(rec: Record<string, number>, key: string | number | undefined, n = 1): void {
  if (key === undefined) return
  const k = String(key)
  const cur = rec[k]
  if (cur !== undefined) rec[k] = cur + n
  else if (Object.keys(rec).length < MAX_BREAKDOWN_KEYS) rec[k] = n
  else rec['(other)'] = (rec['(other)'] ?? 0) + n
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}

type Counter = Map<string, number>

function count(map: Counter, key: string | undefined): void {
  if (key === undefined) return
  const cur = map.get(key)
  if (cur !== undefined) map.set(key, cur + 1)
  else if (map.size < MAX_BREAKDOWN_KEYS) map.set(detach(key, true), 1)
  else map.set('(other)', (map.get('(other)') ?? 0) + 1)
}

interface LiveEntry {
  count: number
  first?: number
  last?: number
  sources: Counter
  nodes: Counter
  shards: Counter
  example: string
  exampleSource: string
  values: Map<string, string | null>
  clientSide: number
  /** The placeholders of the entry's shown commands (looked up once per entry, not per line). */
  names: string[]
}

const placeholderCache = new Map<string, string[]>()

function placeholdersOf(e: CatalogueEntry): string[] {
  let names = placeholderCache.get(e.id)
  if (names === undefined) {
    names = placeholders(e.commands.slice(0, NEXT_COMMANDS))
    placeholderCache.set(e.id, names)
  }
  return names
}

/** How many of an entry's commands a summary shows. */
export const NEXT_COMMANDS = 2

interface LiveSource {
  lines: number
  first?: number
  last?: number
}

export class Summariser {
  private readonly matcher: Matcher = catalogueMatcher()
  private lines = 0
  private chars = 0
  private filtered = 0
  private untimedSkipped = 0
  private untimed = 0
  private binaryLines = 0
  private truncated = 0
  private blank = 0
  private minTime: number | undefined
  private maxTime: number | undefined
  private readonly formats: Counter = new Map()
  private readonly sources = new Map<string, LiveSource>()
  private readonly entries = new Map<string, LiveEntry>()
  private readonly logIds = new Map<string, {source: string; logId: string; first?: number}>()
  private readonly restarts: RestartMark[] = []
  private readonly leaseGrantNodes: Counter = new Map()
  private readonly leaseGrantsByNode = new Map<string, IntervalSet>()
  private readonly leaseMs: number
  private readonly timeline = new Map<number, Counter>()
  private resolution = MINUTE
  private readonly templates = new TemplateTable()
  private readonly grants: IntervalSet
  private readonly denials: IntervalSet
  private readonly since: number
  private readonly until: number
  private readonly now: number | undefined
  private readonly binary: boolean
  private readonly zone: Zone
  private readonly windowed: boolean
  private readonly parseOptions: ParseOptions

  constructor(options: SummaryOptions = {}) {
    this.binary = options.binary ?? false
    this.zone = options.tz === undefined ? UTC : (parseZone(options.tz) ?? UTC)
    const lease = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS
    this.leaseMs = lease
    this.grants = new IntervalSet(lease)
    this.denials = new IntervalSet(lease)
    this.since = options.since ?? Number.NEGATIVE_INFINITY
    this.until = options.until ?? Number.POSITIVE_INFINITY
    this.windowed = options.since !== undefined || options.until !== undefined
    this.parseOptions = {now: options.now, binary: this.binary, zone: this.zone}
    this.now = options.now
  }

  /** Adds one line read from `file` (a file name, or "stdin"). */
  add(line: string, file: string): void {
    if (line.length === 0 || (line.length === 1 && line.charCodeAt(0) === 13)) {
      this.blank++
      return
    }
    const ev = parseLine(line, this.parseOptions)
    const t = ev.time
    if (t !== undefined && (t < this.since || t > this.until)) {
      this.filtered++
      return
    }
    if (t === undefined && this.windowed) {
      // A line without a time cannot be placed in the --since/--until window: it is counted, not judged.
      this.untimedSkipped++
      return
    }
    this.lines++
    this.chars += line.length + 1
    if (ev.truncated) this.truncated++
    this.formats.set(ev.format, (this.formats.get(ev.format) ?? 0) + 1)
    const source = ev.host ?? file
    let src = this.sources.get(source)
    if (src === undefined) {
      src = {lines: 0}
      this.sources.set(detach(source, true), src)
    }
    src.lines++
    if (t === undefined) {
      this.untimed++
    } else {
      if (this.minTime === undefined || t < this.minTime) this.minTime = t
      if (this.maxTime === undefined || t > this.maxTime) this.maxTime = t
      if (src.first === undefined || t < src.first) src.first = t
      if (src.last === undefined || t > src.last) src.last = t
    }
    if (ev.logId !== undefined) this.noteLogId(source, ev.logId, t)
    if (ev.format === 'binary') {
      this.binaryLines++
      this.tick(t, 'unknown')
      return
    }
    const {match: m, embedded} = classify(this.matcher, ev)
    if (m === undefined) {
      this.templates.add(templateOf(ev.msg), ev.raw, t, ev.level)
      this.tick(t, 'unknown')
      return
    }
    const e = m.entry
    let acc = this.entries.get(e.id)
    if (acc === undefined) {
      acc = {
        count: 0, sources: new Map(), nodes: new Map(), shards: new Map(),
        example: detach(ev.raw.length > 500 ? ev.raw.slice(0, 500) : ev.raw, true), exampleSource: detach(source, true),
        values: new Map(), clientSide: 0, names: placeholdersOf(e),
      }
      this.entries.set(e.id, acc)
    }
    acc.count++
    if (embedded?.client) acc.clientSide++
    if (acc.names.length > 0) this.noteValues(acc, ev, m.family ? {...m.family.groups, ...m.groups} : m.groups, acc.names)
    if (t !== undefined) {
      if (acc.first === undefined || t < acc.first) acc.first = t
      if (acc.last === undefined || t > acc.last) acc.last = t
    }
    count(acc.sources, source)
    const g = m.groups
    const lease = e.id === 'cq-lease-granted' || e.id === 'cq-lease-denied'
    count(acc.nodes, g?.nodeId ?? ev.fields.node_id ?? (lease && ev.http ? nodeFromUri(ev.http.uri) : undefined))
    count(acc.shards, g?.shardId ?? ev.fields.db_shard_id ?? ev.fields.shard_id)
    if (e.restart) this.noteRestart({time: t, source: detach(source, true), evidence: e.id, ...(ev.logId ? {logId: detach(ev.logId, true)} : {})})
    if (t !== undefined && lease) {
      if (e.id === 'cq-lease-granted') {
        this.grants.add(t)
        const node = ev.http ? nodeFromUri(ev.http.uri) : undefined
        count(this.leaseGrantNodes, node)
        const key = detach(node ?? '?', true)
        let set = this.leaseGrantsByNode.get(key)
        if (set === undefined) this.leaseGrantsByNode.set(key, (set = new IntervalSet(this.leaseMs)))
        set.add(t)
      } else {
        this.denials.add(t)
      }
    }
    this.tick(t, e.verdict === 'warning' || e.verdict === 'critical' ? `#${e.id}` : e.verdict)
  }

  /** Keeps the value of each placeholder while every line agrees on it (one value: the command can be filled). */
  private noteValues(acc: LiveEntry, ev: LogEvent, groups: Record<string, string | undefined> | undefined, names: string[]): void {
    const pending = names.filter((n) => acc.values.get(n) !== null)
    if (pending.length === 0) return
    const got = extractSome(ev, groups, pending)
    for (const name of pending) {
      const v = got[name]
      const known = acc.values.get(name)
      if (v === undefined) continue
      if (known === undefined) acc.values.set(name, detach(v, true))
      else if (known !== v) acc.values.set(name, null)
    }
  }

  private noteLogId(source: string, logId: string, t: number | undefined): void {
    const key = `${source}\u0000${logId}`
    const known = this.logIds.get(key)
    if (known === undefined) this.logIds.set(detach(key, true), {source: detach(source, true), logId: detach(logId, true), first: t})
    else if (t !== undefined && (known.first === undefined || t < known.first)) known.first = t
  }

  private noteRestart(r: RestartMark): void {
    if (this.restarts.length < MAX_RESTARTS) this.restarts.push(r)
  }

  private lastBucketKey = Number.NaN
  private lastBucket: Counter | undefined

  private tick(t: number | undefined, key: string): void {
    if (t === undefined) return
    const b = t - (t % this.resolution)
    let bucket = b === this.lastBucketKey ? this.lastBucket : this.timeline.get(b)
    if (bucket === undefined) {
      if (this.timeline.size >= MAX_TIMELINE_KEYS && this.resolution === MINUTE) {
        this.coarsen()
        this.tick(t, key)
        return
      }
      bucket = new Map()
      this.timeline.set(b, bucket)
    }
    this.lastBucketKey = b
    this.lastBucket = bucket
    bucket.set(key, (bucket.get(key) ?? 0) + 1)
  }

  private coarsen(): void {
    this.lastBucketKey = Number.NaN
    const old = [...this.timeline]
    this.timeline.clear()
    this.resolution = HOUR
    for (const [b, counts] of old) {
      const nb = b - (b % HOUR)
      let bucket = this.timeline.get(nb)
      if (bucket === undefined) {
        bucket = new Map()
        this.timeline.set(nb, bucket)
      }
      for (const [k, n] of counts) bucket.set(k, (bucket.get(k) ?? 0) + n)
    }
  }

  partial(): SummaryPartial {
    const b = this.binary
    const text = (x: string) => toText(x, b)
    const obj = (m: Counter) => {
      const out: Record<string, number> = {}
      for (const [k, n] of m) {
        const key = text(k)
        out[key] = (out[key] ?? 0) + n
      }
      return out
    }
    const entries: Record<string, EntryAcc> = {}
    for (const [id, e] of this.entries) {
      const values: Record<string, string | null> = {}
      for (const [k, v] of e.values) values[k] = v === null ? null : text(v)
      entries[id] = {
        count: e.count, first: e.first, last: e.last, example: redact(text(e.example)), exampleSource: text(e.exampleSource),
        sources: obj(e.sources), nodes: obj(e.nodes), shards: obj(e.shards), values, clientSide: e.clientSide,
      }
    }
    const sources: SummaryPartial['sources'] = {}
    for (const [name, src] of this.sources) sources[text(name)] = {...src}
    const timeline: SummaryPartial['timeline'] = {}
    for (const [bucket, counts] of this.timeline) timeline[bucket] = Object.fromEntries(counts)
    const logIds: SummaryPartial['logIds'] = {}
    for (const [k, v] of this.logIds) logIds[text(k)] = {source: text(v.source), logId: text(v.logId), first: v.first}
    return {
      lines: this.lines, chars: this.chars, filtered: this.filtered, untimedSkipped: this.untimedSkipped, untimed: this.untimed, binary: this.binaryLines,
      truncated: this.truncated, blank: this.blank, minTime: this.minTime, maxTime: this.maxTime,
      formats: Object.fromEntries(this.formats), sources, entries, timelineResolution: this.resolution, timeline, logIds,
      restarts: this.restarts.map((r) => ({...r, source: text(r.source)})),
      templates: [...this.templates.templates].map(([k, v]) => [redact(text(k)), {...v, example: redact(text(v.example))}] as [string, TemplateStats]),
      templatesEvicted: this.templates.evicted,
      leaseGrants: this.grants.intervals(), leaseDenials: this.denials.intervals(), leaseGrantNodes: obj(this.leaseGrantNodes),
      leaseGrantsByNode: Object.fromEntries([...this.leaseGrantsByNode].map(([k, v]) => [k, v.intervals()])),
    }
  }
}

function nodeFromUri(uri: string): string | undefined {
  const m = /[?&]node_?id=(\d+)/.exec(uri)
  return m ? m[1] : undefined
}

function mergeRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const k in from) bump(into, k, from[k])
}

/** Merges the partials of several threads or inputs. The first partial is modified and returned. */
export function mergePartials(parts: SummaryPartial[], leaseDurationMs = DEFAULT_LEASE_DURATION_MS): SummaryPartial {
  if (parts.length === 0) return new Summariser().partial()
  const [into, ...rest] = parts
  const resolution = Math.max(...parts.map((x) => x.timelineResolution))
  const templates = new TemplateTable()
  templates.merge(into.templates, into.templatesEvicted)
  const grants = new IntervalSet(leaseDurationMs)
  const denials = new IntervalSet(leaseDurationMs)
  grants.addAll(into.leaseGrants)
  denials.addAll(into.leaseDenials)
  const byNode = new Map<string, IntervalSet>()
  const addByNode = (rec: Record<string, Interval[]>) => {
    for (const [node, ivs] of Object.entries(rec)) {
      let set = byNode.get(node)
      if (set === undefined) byNode.set(node, (set = new IntervalSet(leaseDurationMs)))
      set.addAll(ivs)
    }
  }
  addByNode(into.leaseGrantsByNode)
  into.timeline = rebucket(into.timeline, into.timelineResolution, resolution)
  for (const p of rest) {
    for (const k of ['lines', 'chars', 'filtered', 'untimedSkipped', 'untimed', 'binary', 'truncated', 'blank'] as const) into[k] += p[k]
    into.minTime = minOf(into.minTime, p.minTime)
    into.maxTime = maxOf(into.maxTime, p.maxTime)
    mergeRecord(into.formats, p.formats)
    for (const [name, s] of Object.entries(p.sources)) {
      const t = into.sources[name]
      if (t === undefined) into.sources[name] = {...s}
      else {
        t.lines += s.lines
        t.first = minOf(t.first, s.first)
        t.last = maxOf(t.last, s.last)
      }
    }
    for (const [id, e] of Object.entries(p.entries)) {
      const t = into.entries[id]
      if (t === undefined) {
        into.entries[id] = e
        continue
      }
      if (e.first !== undefined && (t.first === undefined || e.first < t.first)) {
        t.example = e.example
        t.exampleSource = e.exampleSource
      }
      t.count += e.count
      t.clientSide += e.clientSide
      for (const [k, v] of Object.entries(e.values)) {
        const known = t.values[k]
        if (known === undefined) t.values[k] = v
        else if (known !== v) t.values[k] = null
      }
      t.first = minOf(t.first, e.first)
      t.last = maxOf(t.last, e.last)
      mergeRecord(t.sources, e.sources)
      mergeRecord(t.nodes, e.nodes)
      mergeRecord(t.shards, e.shards)
    }
    for (const [b, counts] of Object.entries(rebucket(p.timeline, p.timelineResolution, resolution))) {
      const t = (into.timeline[b] ??= {})
      mergeRecord(t, counts)
    }
    for (const [k, v] of Object.entries(p.logIds)) {
      const t = into.logIds[k]
      if (t === undefined) into.logIds[k] = v
      else t.first = minOf(t.first, v.first)
    }
    for (const r of p.restarts) if (into.restarts.length < MAX_RESTARTS) into.restarts.push(r)
    templates.merge(p.templates, p.templatesEvicted)
    grants.addAll(p.leaseGrants)
    denials.addAll(p.leaseDenials)
    mergeRecord(into.leaseGrantNodes, p.leaseGrantNodes)
    addByNode(p.leaseGrantsByNode)
  }
  into.timelineResolution = resolution
  into.templates = [...templates.templates]
  into.templatesEvicted = templates.evicted
  into.leaseGrants = grants.intervals()
  into.leaseDenials = denials.intervals()
  into.leaseGrantsByNode = Object.fromEntries([...byNode].map(([k, v]) => [k, v.intervals()]))
  return into
}

function rebucket(tl: Record<string, Record<string, number>>, from: number, to: number): Record<string, Record<string, number>> {
  if (from === to) return tl
  const out: Record<string, Record<string, number>> = {}
  for (const [b, counts] of Object.entries(tl)) {
    const nb = Number(b) - (Number(b) % to)
    mergeRecord((out[nb] ??= {}), counts)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// The report

export interface ReportEntry {
  id: string
  title: string
  verdict: Verdict
  category: string
  count: number
  firstSeen: string | null
  lastSeen: string | null
  sources: Record<string, number>
  nodes: Record<string, number>
  shards: Record<string, number>
  example: string
  exampleSource: string
  context?: string
  /** Next commands, placeholders filled where every line agreed on the value (else `<name>`). */
  next: string[]
  /** Next commands withheld because a value from the log could not be put in them safely, and why. */
  withheld?: string[]
  /** Lines that were a client's report of the server's error (Telegraf, a client library, curl). */
  clientSide?: number
}

export interface TimelineBucket {
  start: string
  total: number
  verdicts: Record<string, number>
  /** Warning and critical entries in this bucket, by id. */
  actionable: Record<string, number>
}

export interface TimelineEvent {
  time: string | null
  kind: 'first-seen' | 'restart' | 'lease-gap' | 'lease-lapse'
  id?: string
  verdict?: Verdict
  source?: string
  text: string
}

export interface SummaryReport {
  /** ok, warning, critical; unknown when nothing could be read or an input could not be read and nothing is wrong. */
  verdict: OverallVerdict
  /** The exit code this report calls for (0 ok, 3 problems found, 4 could not check). */
  exitCode: 0 | 3 | 4
  /** False when some input could not be read (the verdict covers the rest). */
  complete: boolean
  input: {
    files: string[]; lines: number; blankLines: number; bytes: number; filteredOut: number; untimed: number
    /** Lines without a timestamp left out because --since/--until cannot place them. */
    untimedSkipped: number
    binary: number; truncated: number
    /** Inputs that could not be read, or only in part (missing, not text, cut-short gzip...). */
    problems: Array<InputProblem & {path: string}>
    /** --since/--until left no line to judge. */
    nothingInWindow: boolean
  }
  timeRange: {start: string | null; end: string | null}
  formats: Record<string, number>
  sources: Array<{name: string; lines: number; firstSeen: string | null; lastSeen: string | null}>
  counts: Record<Verdict, number>
  actionable: ReportEntry[]
  informational: ReportEntry[]
  benign: ReportEntry[]
  unknown: {lines: number; templates: Array<{template: string; count: number; example: string; level: string | null; firstSeen: string | null; lastSeen: string | null}>; omitted: number}
  restarts: Array<{time: string | null; source: string; logId?: string; evidence: string}>
  lease: {
    grants: number; denials: number; holders: Record<string, number>; gaps: Array<{start: string; end: string; seconds: number}>
    /**
     * Stretches with no holder: the grants stopped for longer than the lease duration (the holder's last grant, then
     * the next grant, to `next`, or none until the input ends: `next` null).
     */
    lapses: Array<{holder: string; lastGrant: string; next: string | null; nextGrant: string | null; seconds: number; untilEnd: boolean}>
  }
  timeline: {bucketSeconds: number; buckets: TimelineBucket[]}
  events: TimelineEvent[]
}

const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString())

const NICE_BUCKETS = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 604_800].map((s) => s * 1000)

/** A bucket size that gives at most `max` buckets over the span. */
export function chooseBucket(spanMs: number, base: number, max = 48): number {
  for (const b of NICE_BUCKETS) if (b >= base && spanMs / b <= max) return b
  const day = 86_400_000
  return Math.ceil(spanMs / max / day) * day
}

export interface ReportOptions {
  files: string[]
  leaseDurationMs?: number
  bytes?: number
  templateLimit?: number
  problems?: Array<InputProblem & {path: string}>
  /** --since or --until was given. */
  windowed?: boolean
}

/** The commands of an entry for a summary: filled from the values all its lines agreed on. */
function nextCommands(e: CatalogueEntry, values: Record<string, string | null>): {next: string[]; withheld: string[]} {
  const known: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) if (v !== null) known[k] = v
  const next: string[] = []
  const withheld: string[] = []
  for (const c of e.commands.slice(0, NEXT_COMMANDS)) {
    const f: FilledCommand = fillCommand(c, known)
    if (f.ok) next.push(f.command)
    else withheld.push(f.reason)
  }
  return {next, withheld}
}

/** The warning of a summary whose lease grants lapsed: what happened, in one paragraph. */
function describeLapses(lapses: LeaseLapse[], leaseMs: number): string {
  const node = (n: string | undefined) => (n === undefined || n === '?' ? 'a data node' : `data node ${n}`)
  const parts = lapses.slice(0, 3).map((l) => l.nextGrant === undefined
    ? `${node(l.holder)}'s grants stopped at ${iso(l.lastGrant)} and no node asked for the lease or got it in the ${fmtSeconds((l.inputEnd ?? l.lastGrant) - l.lastGrant)} of input after that: no node holds it, as far as this log shows (expected only if every continuous query was dropped)`
    : `${node(l.holder)}'s grants stopped at ${iso(l.lastGrant)}; no node held the lease until ${node(l.next)} got it ${fmtSeconds(l.nextGrant - l.lastGrant)} later`)
  const more = lapses.length > 3 ? ` (and ${lapses.length - 3} more)` : ''
  return `the CQ lease lapsed ${lapses.length === 1 ? 'once' : `${lapses.length} times`}: the grants stopped for longer than the lease duration (${fmtSeconds(leaseMs)}), so the lease expired with no node renewing it and continuous queries ran nowhere meanwhile. ${parts.join('; ')}${more}. A holder stops renewing when it cannot reach the meta leader (network, partition), is down, or its CQ service stopped; if the meta leader changed, its grants are in the new leader's log instead`
}

export function buildReport(p: SummaryPartial, options: ReportOptions): SummaryReport {
  const leaseMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS
  // Lease gaps. The meta leader answers 409 only while another node holds a live lease, and the holder renews with a
  // 200 every run-interval: denials with no grant mean the holder's lines are not in the input (another meta node's
  // log, cluster-tracing off on 1.3+, a filtered grep), not that CQs stopped. Only after the input has shown grants
  // does a long stretch of denials without any grant say something (the grants stopped appearing).
  const coverage: Interval[] = p.leaseGrants.map(([a, b]) => [a, b + leaseMs])
  const firstGrant = p.leaseGrants.length > 0 ? Math.min(...p.leaseGrants.map(([a]) => a)) : undefined
  const gaps = firstGrant === undefined
    ? []
    : subtract(p.leaseDenials, coverage).filter(([a, b]) => a > firstGrant && b - a > leaseMs)
  // Lapses: the grants stopped for longer than the lease duration, so the lease expired with nobody renewing it.
  const lastDenial = p.leaseDenials.length > 0 ? Math.max(...p.leaseDenials.map(([, b]) => b)) : undefined
  const lapses = findLapses(p.leaseGrantsByNode, leaseMs, options.windowed ? undefined : p.maxTime, lastDenial)

  const counts: Record<Verdict, number> = {critical: 0, warning: 0, info: 0, expected: 0, unknown: 0}
  const entries: ReportEntry[] = []
  for (const [id, acc] of Object.entries(p.entries)) {
    const e = findEntry(id)
    if (e === undefined) continue
    let verdict = e.verdict
    let context: string | undefined
    if (id === 'cq-lease-denied' && gaps.length > 0) {
      verdict = 'warning'
      const longest = Math.max(...gaps.map(([a, b]) => b - a))
      context = `grants stopped appearing while denials went on: ${gaps.length} stretch(es) of denials after the last grant, the longest ${fmtSeconds(longest)} (lease duration ${fmtSeconds(leaseMs)}). Either the holder's renewals are no longer in this input (the meta leader changed, the log was filtered) or no data node holds the lease and continuous queries are not running`
    } else if (id === 'cq-lease-denied' && firstGrant === undefined) {
      context = 'only denials, no grant: the holder\'s 200 answers are not in this input (they are in the meta leader\'s access log; on 1.3+ only with cluster-tracing = true). A 409 means another node holds a live lease, so continuous queries are running there'
    } else if (id === 'cq-lease-denied') {
      context = 'every denial fell within the lease duration of a grant to another node'
    }
    if (id === 'cq-lease-granted' && lapses.length > 0) {
      verdict = 'warning'
      context = describeLapses(lapses, leaseMs)
    }
    counts[verdict] += acc.count
    const {next, withheld} = nextCommands(e, acc.values ?? {})
    entries.push({
      id, title: e.title, verdict, category: e.category, count: acc.count, firstSeen: iso(acc.first), lastSeen: iso(acc.last),
      sources: acc.sources, nodes: acc.nodes, shards: acc.shards, example: acc.example, exampleSource: acc.exampleSource,
      context, next, ...(withheld.length > 0 ? {withheld} : {}), ...(acc.clientSide > 0 ? {clientSide: acc.clientSide} : {}),
    })
  }
  const unknownLines = p.templates.reduce((n, [, t]) => n + t.count, 0) + p.templatesEvicted + p.binary
  counts.unknown = unknownLines
  entries.sort((a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] || b.count - a.count)

  const limit = options.templateLimit ?? 50
  const templates = [...p.templates].sort((a, b) => b[1].count - a[1].count)
  const restarts = collectRestarts(p)

  const span = p.minTime !== undefined && p.maxTime !== undefined ? p.maxTime - p.minTime : 0
  const bucketMs = chooseBucket(span, p.timelineResolution)
  const buckets = new Map<number, TimelineBucket>()
  for (const [b, c] of Object.entries(p.timeline)) {
    const start = Number(b) - (Number(b) % bucketMs)
    let bucket = buckets.get(start)
    if (bucket === undefined) {
      bucket = {start: new Date(start).toISOString(), total: 0, verdicts: {}, actionable: {}}
      buckets.set(start, bucket)
    }
    for (const [k, n] of Object.entries(c)) {
      bucket.total += n
      if (k.startsWith('#')) {
        const id = k.slice(1)
        bucket.actionable[id] = (bucket.actionable[id] ?? 0) + n
        const v = findEntry(id)?.verdict ?? 'warning'
        bucket.verdicts[v] = (bucket.verdicts[v] ?? 0) + n
      } else {
        bucket.verdicts[k] = (bucket.verdicts[k] ?? 0) + n
      }
    }
  }
  // Fill empty buckets so the histogram shows silences too.
  if (p.minTime !== undefined && p.maxTime !== undefined) {
    for (let b = p.minTime - (p.minTime % bucketMs); b <= p.maxTime; b += bucketMs) {
      if (!buckets.has(b)) buckets.set(b, {start: new Date(b).toISOString(), total: 0, verdicts: {}, actionable: {}})
    }
  }
  const timeline = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v)

  const events: TimelineEvent[] = []
  for (const e of entries) {
    if (e.verdict === 'warning' || e.verdict === 'critical') {
      events.push({time: e.firstSeen, kind: 'first-seen', id: e.id, verdict: e.verdict, source: e.exampleSource, text: `first ${e.id}: ${e.title}`})
    }
  }
  for (const r of restarts) events.push({time: r.time, kind: 'restart', source: r.source, text: `${r.source} (re)started (${r.evidence})`})
  for (const [a, b] of gaps) {
    events.push({time: iso(a), kind: 'lease-gap', id: 'cq-lease-denied', verdict: 'warning', text: `no CQ lease holder for ${fmtSeconds(b - a)} (until ${iso(b)})`})
  }
  for (const l of lapses) {
    const end = l.nextGrant ?? l.inputEnd ?? l.lastGrant
    events.push({time: iso(l.lastGrant), kind: 'lease-lapse', id: 'cq-lease-granted', verdict: 'warning', text: l.nextGrant === undefined
      ? `CQ lease: data node ${l.holder}'s last grant; no node held the lease for the ${fmtSeconds(end - l.lastGrant)} left of the input`
      : `CQ lease lapsed for ${fmtSeconds(end - l.lastGrant)}: data node ${l.holder}'s grants stopped; data node ${l.next} took it at ${iso(end)}`})
  }
  // In time order; events of lines without a timestamp (raw HTTP answers, influxd-ctl output) go last.
  events.sort((a, b) => Number(a.time === null) - Number(b.time === null) || (a.time ?? '').localeCompare(b.time ?? ''))

  const problems = options.problems ?? []
  // Lines read, in the window or not (a window that excludes everything is an answer: nothing happened then); binary
  // junk is not a line that was read. An empty input, or one of only junk, checked nothing: UNKNOWN, never OK.
  // Lines that no entry recognises were read but not judged: an input of only those (an HTML page, another program's
  // log) checked nothing either.
  const recognised = counts.critical + counts.warning + counts.info + counts.expected
  const read = p.lines - p.binary > 0 && recognised === 0 ? 0 : p.lines - p.binary + p.filtered + p.untimedSkipped
  const outcome = decideOutcome({findings: entries.map((e) => ({severity: e.verdict})), checked: read, unchecked: problems.length})
  const verdict: OverallVerdict = outcome.verdict
  const exitCode = outcome.exitCode

  return {
    verdict,
    exitCode,
    complete: outcome.complete,
    input: {
      files: options.files, lines: p.lines, blankLines: p.blank, bytes: options.bytes ?? p.chars, filteredOut: p.filtered, untimed: p.untimed,
      untimedSkipped: p.untimedSkipped, binary: p.binary, truncated: p.truncated, problems,
      nothingInWindow: (options.windowed ?? false) && p.lines === 0 && read > 0,
    },
    timeRange: {start: iso(p.minTime), end: iso(p.maxTime)},
    formats: p.formats,
    sources: Object.entries(p.sources)
      .map(([name, s]) => ({name, lines: s.lines, firstSeen: iso(s.first), lastSeen: iso(s.last)}))
      .sort((a, b) => b.lines - a.lines),
    counts,
    actionable: entries.filter((e) => e.verdict === 'critical' || e.verdict === 'warning'),
    informational: entries.filter((e) => e.verdict === 'info'),
    benign: entries.filter((e) => e.verdict === 'expected'),
    unknown: {
      lines: unknownLines,
      templates: templates.slice(0, limit).map(([template, t]) => ({
        template, count: t.count, example: t.example, level: t.level ?? null, firstSeen: iso(t.first), lastSeen: iso(t.last),
      })),
      omitted: Math.max(0, templates.length - limit),
    },
    restarts,
    lease: {
      grants: p.entries['cq-lease-granted']?.count ?? 0,
      denials: p.entries['cq-lease-denied']?.count ?? 0,
      holders: p.leaseGrantNodes,
      gaps: gaps.map(([a, b]) => ({start: iso(a)!, end: iso(b)!, seconds: Math.round((b - a) / 1000)})),
      lapses: lapses.map((l) => ({
        holder: l.holder, lastGrant: iso(l.lastGrant)!, next: l.next ?? null, nextGrant: iso(l.nextGrant), seconds: Math.round(((l.nextGrant ?? l.inputEnd ?? l.lastGrant) - l.lastGrant) / 1000), untilEnd: l.nextGrant === undefined,
      })),
    },
    timeline: {bucketSeconds: bucketMs / 1000, buckets: timeline},
    events,
  }
}

/**
 * Restarts: every start-up line is one (a node killed and started again within seconds is two runs, not one), and so is
 * every new zap log_id of a source after its first, unless a start-up line of that run (same log_id) already counts.
 * The same mark seen twice (inputs split between threads) counts once.
 */
function collectRestarts(p: SummaryPartial): SummaryReport['restarts'] {
  const marks: RestartMark[] = []
  const seen = new Set<string>()
  const startedRuns = new Set<string>()
  for (const m of p.restarts) {
    const key = `${m.source}\u0000${m.time ?? ''}\u0000${m.evidence}\u0000${m.logId ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    marks.push(m)
    if (m.logId !== undefined) startedRuns.add(`${m.source}\u0000${m.logId}`)
  }
  const bySource = new Map<string, Array<{logId: string; first?: number}>>()
  for (const v of Object.values(p.logIds)) {
    if (!bySource.has(v.source)) bySource.set(v.source, [])
    bySource.get(v.source)!.push(v)
  }
  for (const [source, ids] of bySource) {
    ids.sort((a, b) => (a.first ?? 0) - (b.first ?? 0))
    // The first log_id of a source only tells when its log starts, unless a start-up line says more.
    for (const [i, v] of ids.entries()) {
      if (i === 0 || startedRuns.has(`${source}\u0000${v.logId}`)) continue
      marks.push({time: v.first, source, logId: v.logId, evidence: `new log_id ${v.logId}`})
    }
  }
  marks.sort((a, b) => (a.time ?? 0) - (b.time ?? 0))
  return marks.map((m) => ({time: iso(m.time), source: m.source, ...(m.logId ? {logId: m.logId} : {}), evidence: m.evidence}))
}

export type {LogEvent}

/** The report as --min shows it: entries below the level, and the unrecognised templates, left out. */
export function filterReport(r: SummaryReport, min: MinLevel): SummaryReport {
  const keep = (e: ReportEntry) => atLeast(e.verdict, min)
  return {
    ...r,
    actionable: r.actionable.filter(keep),
    informational: r.informational.filter(keep),
    benign: r.benign.filter(keep),
    unknown: {...r.unknown, templates: [], omitted: r.unknown.templates.length + r.unknown.omitted},
    events: r.events.filter((e) => e.verdict === undefined || atLeast(e.verdict, min)),
  }
}
