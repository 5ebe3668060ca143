/**
 * Finds the catalogue entry for a parsed line and pulls out its values.
 *
 * Keyword entries: one regular expression, the alternation of every entry's literal keywords (longest first), scans the
 * message; each hit proposes the entries of the keywords found at that position, tried in catalogue order (specific
 * entries are listed before general ones). Only those candidates run their full pattern, so a line costs one scan plus
 * one or two patterns whatever the size of the catalogue. HTTP entries are tried in order on access-log lines.
 */
import {redact} from '../redact.js'
import type {CatalogueEntry, ExtractedValues, HttpMatcher, KeywordMatcher, LogEvent} from '../types.js'

/** A matched entry and the named groups of its pattern; `extract()` turns them into the line's values. */
export interface Match {
  entry: CatalogueEntry
  groups: Record<string, string | undefined> | undefined
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function statusMatches(want: NonNullable<HttpMatcher['http']['status']>, got: number): boolean {
  if (typeof want === 'number') return want === got
  if (Array.isArray(want)) return want.includes(got)
  return Math.floor(got / 100) === Number(want[0])
}

const NUMERIC = /^\d{1,15}$/

interface Candidate {
  entry: CatalogueEntry
  pattern: RegExp
  order: number
  /** The serial of the last line this pattern ran on: a pattern runs at most once per line. */
  tried: number
}

interface HttpCandidate {
  entry: CatalogueEntry
  http: HttpMatcher['http']
}

export class Matcher {
  readonly entries: readonly CatalogueEntry[]
  private readonly scan: RegExp | undefined
  private readonly byKeyword = new Map<string, Candidate[]>()
  private readonly httpCandidates: HttpCandidate[] = []
  private serial = 0

  constructor(entries: readonly CatalogueEntry[]) {
    this.entries = entries
    const own = new Map<string, Candidate[]>()
    let order = 0
    for (const entry of entries) {
      for (const m of Array.isArray(entry.match) ? entry.match : [entry.match]) {
        if ('http' in m) {
          this.httpCandidates.push({entry, http: m.http})
          continue
        }
        const c: Candidate = {entry, pattern: (m as KeywordMatcher).pattern, order: order++, tried: 0}
        for (const k of m.keywords) {
          if (!own.has(k)) own.set(k, [])
          own.get(k)!.push(c)
        }
      }
    }
    const keywords = [...own.keys()].sort((a, b) => b.length - a.length)
    // A hit on a keyword also proposes the candidates of every shorter keyword that is its prefix. Looking prefixes up
    // by length (a few dozen distinct lengths) is much cheaper at start-up than comparing every pair of keywords.
    const lengths = [...new Set(keywords.map((k) => k.length))]
    for (const k of keywords) {
      const group = new Set<Candidate>()
      for (const n of lengths) {
        if (n > k.length) continue
        const list = own.get(n === k.length ? k : k.slice(0, n))
        if (list) for (const c of list) group.add(c)
      }
      this.byKeyword.set(k, [...group].sort((a, b) => a.order - b.order))
    }
    if (keywords.length > 0) this.scan = new RegExp(keywords.map(escapeRegExp).join('|'), 'g')
  }

  /** side and status -> [method, candidates][]; a handful of methods, so a short list beats hashing a string. */
  private readonly httpIndex = new Map<number, Array<[string, HttpCandidate[]]>>()

  /** The HTTP candidates that can match a side, status and method, in catalogue order (computed once per combination). */
  private httpFor(side: 'meta' | 'data', status: number, method: string): HttpCandidate[] {
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

  match(ev: LogEvent): Match | undefined {
    if (ev.http) {
      for (const c of this.httpFor(sideOf(ev), ev.http.status, ev.http.method)) {
        const groups = tryHttp(c.http, ev)
        if (groups) return {entry: c.entry, groups}
      }
    }
    const text = matchText(ev)
    if (this.scan === undefined || text.length === 0) return undefined
    const scan = this.scan
    scan.lastIndex = 0
    let hit: RegExpExecArray | null
    let fallback: {c: Candidate; groups: Record<string, string> | undefined} | undefined
    const serial = ++this.serial
    while ((hit = scan.exec(text)) !== null) {
      for (const c of this.byKeyword.get(hit[0])!) {
        if (c.tried === serial || (fallback !== undefined && c.entry.fallback)) continue
        c.tried = serial
        const m = c.pattern.exec(text)
        if (!m) continue
        if (!c.entry.fallback) return {entry: c.entry, groups: m.groups}
        fallback = {c, groups: m.groups}
      }
      scan.lastIndex = hit.index + 1
    }
    return fallback && {entry: fallback.c.entry, groups: fallback.groups}
  }
}

const NO_GROUPS: Record<string, string> = Object.freeze({}) as Record<string, string>

function couldMatch(want: HttpMatcher['http'], side: 'meta' | 'data', status: number, method: string): boolean {
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
  if (want.uri === undefined) return NO_GROUPS
  const m = want.uri.exec(h.uri)
  if (!m) return undefined
  return m.groups ?? NO_GROUPS
}

/** Which node wrote an access-log line: the meta-http log is the meta node's, httpd the data node's. */
function sideOf(ev: LogEvent): 'meta' | 'data' {
  if (ev.service === 'meta-http' || ev.process === 'influxd-meta' || ev.format === 'meta-access') return 'meta'
  return 'data'
}

/** The text the keyword entries see: the message, plus the `error` field of structured lines. */
export function matchText(ev: LogEvent): string {
  const err = ev.fields.error ?? ev.fields.err
  return err !== undefined && ev.format !== 'http-error' ? `${ev.msg}: ${err}` : ev.msg
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
  if (groups) for (const k in groups) put(v, k, groups[k])
  for (const k in v) {
    const x = v[k]
    if (typeof x === 'string') v[k] = redact(x)
  }
  return v
}
