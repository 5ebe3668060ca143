/**
 * Finds the catalogue entry for a parsed line and pulls out its values.
 *
 * Keyword entries: the message is scanned for every entry's literal keywords; each hit proposes the entries of the
 * keywords found at that position, tried in catalogue order. Only those candidates run their full pattern, so a line
 * costs one scan plus one or two patterns whatever the size of the catalogue. The scan is an `indexOf` per keyword for
 * the first lines (no compile cost: `medic explain "<line>"` starts fast) and one regular expression, the alternation
 * of all keywords, once more lines arrive (a summary of a big file).
 *
 * Entries come in three tiers: a specific entry wins at once; a `cause` (connection refused, disk full) wins over a
 * family catch-all (`fallback`, e.g. any `write failed for shard` line) and keeps that family's values as context.
 * HTTP entries are tried in order on access-log lines.
 */
import {redact} from '../redact.js'
import type {CatalogueEntry, CatalogueHead, ExtractedValues, HttpMatcher, KeywordMatcher, LogEvent} from '../types.js'

/** A matched entry and the named groups of its pattern; `extract()` turns them into the line's values. */
export interface Match<E extends CatalogueHead = CatalogueEntry> {
  entry: E
  groups: Record<string, string | undefined> | undefined
  /** A family catch-all that also matched (its values are context for a cause or specific entry). */
  family?: {entry: E; groups: Record<string, string | undefined> | undefined}
}

/** 0 specific, 1 cause (a fallback that names a cause), 2 family catch-all. */
export function tierOf(e: CatalogueHead): number {
  return e.tier === 'cause' ? 1 : e.fallback ? 2 : 0
}

/** Lines matched with indexOf before the keyword regex is compiled (it costs tens of milliseconds to compile). */
const SCAN_BY_INDEXOF_LINES = 64

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function statusMatches(want: NonNullable<HttpMatcher['http']['status']>, got: number): boolean {
  if (typeof want === 'number') return want === got
  if (Array.isArray(want)) return want.includes(got)
  return Math.floor(got / 100) === Number(want[0])
}

const NUMERIC = /^\d{1,15}$/

interface Candidate<E> {
  entry: E
  /** tierOf(entry), once. */
  tier: number
  pattern: RegExp
  order: number
  /** The serial of the last line this pattern ran on: a pattern runs at most once per line. */
  tried: number
}

/** What a line's keyword hits found so far below the specific tier. */
interface Found<E extends CatalogueHead> {
  cause?: Match<E>
  family?: Match<E>
}

interface HttpCandidate<E> {
  entry: E
  http: HttpMatcher['http']
}

export class Matcher<E extends CatalogueHead = CatalogueEntry> {
  readonly entries: readonly E[]
  private scanRegex: RegExp | undefined
  private readonly keywords: string[]
  private readonly byKeyword = new Map<string, Array<Candidate<E>>>()
  private readonly httpCandidates: Array<HttpCandidate<E>> = []
  private serial = 0
  private linesMatched = 0

  constructor(entries: readonly E[]) {
    this.entries = entries
    const own = new Map<string, Array<Candidate<E>>>()
    let order = 0
    for (const entry of entries) {
      for (const m of Array.isArray(entry.match) ? entry.match : [entry.match]) {
        if ('http' in m) {
          this.httpCandidates.push({entry, http: m.http})
          continue
        }
        const c: Candidate<E> = {entry, tier: tierOf(entry), pattern: (m as KeywordMatcher).pattern, order: order++, tried: 0}
        for (const k of m.keywords) {
          if (!own.has(k)) own.set(k, [])
          own.get(k)!.push(c)
        }
      }
    }
    this.own = own
    this.keywords = [...own.keys()].sort((a, b) => b.length - a.length)
    this.lengths = [...new Set(this.keywords.map((k) => k.length))]
  }

  private readonly own: Map<string, Array<Candidate<E>>>
  private readonly lengths: number[]

  /**
   * The candidates a hit on keyword `k` proposes: its own and those of every shorter keyword that is its prefix, in
   * catalogue order. Computed on a keyword's first hit (a one-line explain touches a handful of keywords), by length
   * (a few dozen distinct lengths), which is much cheaper than comparing every pair of keywords.
   */
  private candidates(k: string): Array<Candidate<E>> {
    let list = this.byKeyword.get(k)
    if (list !== undefined) return list
    const group = new Set<Candidate<E>>()
    for (const n of this.lengths) {
      if (n > k.length) continue
      const own = this.own.get(n === k.length ? k : k.slice(0, n))
      if (own) for (const c of own) group.add(c)
    }
    list = [...group].sort((a, b) => a.order - b.order)
    this.byKeyword.set(k, list)
    return list
  }

  /** The keyword hits of a text by indexOf (the first lines), in scan order: position, then longest keyword first. */
  private hits(text: string): string[] {
    const found: Array<[number, string]> = []
    for (const k of this.keywords) {
      const at = text.indexOf(k)
      if (at !== -1) found.push([at, k])
    }
    // Keywords are sorted longest first, and the sort is stable.
    found.sort((a, b) => a[0] - b[0])
    return found.map((f) => f[1])
  }

  /** side and status -> [method, candidates][]; a handful of methods, so a short list beats hashing a string. */
  private readonly httpIndex = new Map<number, Array<[string, Array<HttpCandidate<E>>]>>()

  /** The HTTP candidates that can match a side, status and method, in catalogue order (computed once per combination). */
  private httpFor(side: 'meta' | 'data', status: number, method: string): Array<HttpCandidate<E>> {
    const key = side === 'meta' ? 1000 + status : status
    let byMethod = this.httpIndex.get(key)
    if (byMethod === undefined) {
      byMethod = []
      this.httpIndex.set(key, byMethod)
    }
    for (const [m, list] of byMethod) if (m === method) return list
    const list = this.httpCandidates.filter((c) => couldMatch(c.http, side, status, method))
    if (byMethod.length < 16) byMethod.push([method, list])
    return list
  }

  match(ev: LogEvent): Match<E> | undefined {
    this.linesMatched++
    if (ev.http) {
      for (const c of this.httpFor(sideOf(ev), ev.http.status, ev.http.method)) {
        const groups = tryHttp(c.http, ev)
        if (groups) return {entry: c.entry, groups}
      }
    }
    return this.matchText(matchText(ev))
  }

  /** Keyword entries against a text (the message, or an error text found inside a client's line). */
  matchText(text: string): Match<E> | undefined {
    if (text.length === 0 || this.keywords.length === 0) return undefined
    const serial = ++this.serial
    const found: Found<E> = {}
    if (this.scanRegex === undefined && this.linesMatched <= SCAN_BY_INDEXOF_LINES) {
      for (const k of this.hits(text)) {
        const m = this.tryKeyword(k, text, serial, found)
        if (m) return m
      }
    } else {
      // Hits are taken one at a time: the scan stops at the first specific match instead of walking the whole line.
      this.scanRegex ??= new RegExp(this.keywords.map(escapeRegExp).join('|'), 'g')
      const scan = this.scanRegex
      scan.lastIndex = 0
      let hit: RegExpExecArray | null
      while ((hit = scan.exec(text)) !== null) {
        const m = this.tryKeyword(hit[0], text, serial, found)
        if (m) return m
        scan.lastIndex = hit.index + 1
      }
    }
    const {cause, family} = found
    if (cause) return family ? {...cause, family: {entry: family.entry, groups: family.groups}} : cause
    return family
  }

  /** Runs the candidates of one keyword hit; returns a specific match, or notes a cause or family match in `found`. */
  private tryKeyword(k: string, text: string, serial: number, found: Found<E>): Match<E> | undefined {
    for (const c of this.candidates(k)) {
      if (c.tried === serial) continue
      const tier = c.tier
      if ((tier === 2 && found.family !== undefined) || (tier === 1 && found.cause !== undefined)) continue
      c.tried = serial
      const m = c.pattern.exec(text)
      if (!m) continue
      if (tier === 0) {
        const family = found.family
        return {entry: c.entry, groups: m.groups, ...(family ? {family: {entry: family.entry, groups: family.groups}} : {})}
      }
      if (tier === 1) found.cause = {entry: c.entry, groups: m.groups}
      else found.family = {entry: c.entry, groups: m.groups}
    }
    return undefined
  }

}

const NO_GROUPS: Record<string, string> = Object.freeze({}) as Record<string, string>

function couldMatch(want: HttpMatcher['http'], side: 'meta' | 'data', status: number, method: string): boolean {
  // Conditions on the body size and duration are checked per line, in tryHttp.
  if (want.side !== undefined && want.side !== side) return false
  if (want.method !== undefined && want.method !== method) return false
  if (want.status === undefined) return true
  return statusMatches(want.status, status)
}

function tryHttp(want: HttpMatcher['http'], ev: LogEvent): Record<string, string> | undefined {
  const h = ev.http!
  if (want.status !== undefined && !statusMatches(want.status, h.status)) return undefined
  if (want.method !== undefined && want.method !== h.method) return undefined
  if (want.side !== undefined && want.side !== sideOf(ev)) return undefined
  if (want.bytes !== undefined && (h.bytes === undefined || !want.bytes.includes(h.bytes))) return undefined
  if (want.minDurationMs !== undefined && !(h.durationMs !== undefined && h.durationMs >= want.minDurationMs)) return undefined
  if (want.uri === undefined) return NO_GROUPS
  const m = want.uri.exec(h.uri)
  if (!m) return undefined
  return m.groups ?? NO_GROUPS
}

/**
 * Which node wrote an access-log line. The prefix decides when there is one: `[meta-http]` and 0.10's `[meta]` are the
 * meta node's; `[httpd]` and 0.9's `[http]` the data node's (0.9 to 0.13 data nodes wrote the same unquoted layout the
 * meta node kept). Then the process (influxd-meta) and the client (data nodes call the meta API as "InfluxDB Meta
 * Client"); an unquoted line without a prefix is taken as the meta node's.
 */
export function sideOf(ev: LogEvent): 'meta' | 'data' {
  const svc = ev.service
  if (svc === 'meta-http' || svc === 'meta') return 'meta'
  if (svc === 'httpd' || svc === 'http') return ev.process === 'influxd-meta' ? 'meta' : 'data'
  if (ev.process === 'influxd-meta' || ev.http?.userAgent === 'InfluxDB Meta Client') return 'meta'
  return ev.format === 'meta-access' ? 'meta' : 'data'
}

/** The text the keyword entries see: the message, plus the `error` field of structured lines. */
export function matchText(ev: LogEvent): string {
  const err = ev.fields.error ?? ev.fields.err
  return err !== undefined && err !== '' && ev.format !== 'http-error' ? `${ev.msg.trim()}: ${err}` : ev.msg
}

const QUERY_KEYS: Record<string, string> = {node_id: 'nodeId', nodeid: 'nodeId', name: 'lease', db: 'db', rp: 'rp', consistency: 'consistency', precision: 'precision'}
const FIELD_KEYS: Record<string, string> = {
  db_instance: 'db', db_rp: 'rp', db_shard_id: 'shardId', db_shard_group: 'shardGroup', shard_id: 'shardId', shard: 'shardId',
  node_id: 'nodeId', node: 'nodeId', trace_id: 'traceId', op_name: 'operation', op_elapsed: 'elapsed', path: 'path',
  addr: 'addr', database: 'db', retention_policy: 'rp', dropped: 'dropped', version: 'version', qid: 'queryId',
  threshold: 'threshold', tsm1_level: 'compactionLevel', tsm1_file: 'file',
}

function put(v: ExtractedValues, key: string, value: string | undefined): void {
  if (value === undefined || value === '') return
  v[key] = NUMERIC.test(value) ? Number(value) : value
}

/** The values of one line: its envelope (time, level, service...), request details, fields and the pattern's groups. */
export function extract(ev: LogEvent, groups?: Record<string, string | undefined>): ExtractedValues {
  const v: ExtractedValues = {}
  if (ev.time !== undefined && !Number.isNaN(ev.time)) v.time = new Date(ev.time).toISOString()
  put(v, 'level', ev.level)
  put(v, 'service', ev.service)
  put(v, 'host', ev.host)
  put(v, 'process', ev.process)
  if (ev.pid !== undefined) v.pid = ev.pid
  put(v, 'logId', ev.logId)
  if (ev.http) {
    const h = ev.http
    v.httpStatus = h.status
    v.method = h.method
    const q = h.uri.indexOf('?')
    v.path = q === -1 ? h.uri : h.uri.slice(0, q)
    if (q !== -1) {
      for (const [k, val] of new URLSearchParams(h.uri.slice(q + 1))) {
        const name = QUERY_KEYS[k]
        if (name) put(v, name, val)
      }
    }
    put(v, 'client', h.client)
    put(v, 'user', h.user)
    put(v, 'userAgent', h.userAgent)
    put(v, 'requestId', h.requestId)
    if (h.durationMs !== undefined) v.durationMs = Math.round(h.durationMs * 1000) / 1000
  } else if (ev.format === 'http-error' && ev.fields.status) {
    v.httpStatus = Number(ev.fields.status)
  }
  if (ev.fields !== undefined) {
    for (const k in ev.fields) {
      const name = FIELD_KEYS[k]
      if (name && v[name] === undefined) put(v, name, ev.fields[k])
    }
  }
  // A pattern with alternatives names a value once per alternative (JavaScript forbids a repeated group name): `db2`
  // is `db` from the second alternative.
  if (groups) for (const k in groups) if (groups[k] !== undefined) put(v, baseName(k), groups[k])
  for (const k in v) {
    const x = v[k]
    if (typeof x === 'string') v[k] = redact(x)
  }
  return v
}

const baseName = (k: string): string => (k.length > 1 && k.endsWith('2') ? k.slice(0, -1) : k)

/**
 * Only the named values of a line (what extract() would give for those names), without the cost of the others: the
 * summariser keeps the values an entry's next commands need, on every matching line.
 */
export function extractSome(ev: LogEvent, groups: Record<string, string | undefined> | undefined, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of names) {
    let v = groups?.[name] ?? groups?.[`${name}2`]
    if (v === undefined && ev.fields !== undefined) {
      for (const k in ev.fields) {
        if (FIELD_KEYS[k] === name) {
          v = ev.fields[k]
          break
        }
      }
    }
    if (v === undefined && ev.http) {
      const h = ev.http
      if (name === 'client') v = h.client
      else if (name === 'user') v = h.user
      else {
        const q = h.uri.indexOf('?')
        if (q !== -1) {
          for (const [k, val] of new URLSearchParams(h.uri.slice(q + 1))) {
            if (QUERY_KEYS[k] === name) {
              v = val
              break
            }
          }
        }
      }
    }
    if (v === undefined) {
      if (name === 'host') v = ev.host
      else if (name === 'service') v = ev.service
    }
    if (v !== undefined && v !== '') out[name] = redact(v)
  }
  return out
}
