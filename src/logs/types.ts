/** Shared types of the log explainer: one parsed line, verdicts and catalogue entries. */

/** The outer or inner form a line was written in. */
export type LogFormat =
  | 'legacy' // [service] 2016/10/18 10:35:21 message (Go log.LstdFlags: 0.9 to 1.1; access logs up to 1.4)
  | 'legacy-level' // [I] 2017-06-15T13:25:17Z message key=value (zap's text encoder: 1.2 to 1.4)
  | 'logfmt' // ts=... lvl=info msg="..." log_id=... (1.5+)
  | 'json' // zap JSON lines (1.5+, [logging] format = "json")
  | 'console' // 2021-07-21T17:20:44.024846Z<TAB>info<TAB>message<TAB>{"log_id": ...}
  | 'meta-access' // meta-http access log: unquoted request, Go duration
  | 'http-access' // data-node httpd access log: quoted request, microseconds
  | 'http-error' // a raw HTTP error answer: 500 {"error":"partial write"}
  | 'influxd-ctl' // influxd-ctl output: add-data: operation exited with error: ...
  | 'raft' // hashicorp/raft's own lines: 2016/09/19 09:08:53 [WARN] raft: ...
  | 'plain' // anything else: the whole line is the message
  | 'binary' // mostly control bytes: not a log line

export interface HttpRequestInfo {
  client?: string
  user?: string
  method: string
  uri: string
  proto?: string
  status: number
  bytes?: number
  userAgent?: string
  requestId?: string
  durationMs?: number
}

/** One log line, unwrapped from its format. Only `raw`, `format`, `msg` and `fields` are always present. */
export interface LogEvent {
  /** The line as read, with CR, NUL bytes and over-long tails removed. */
  raw: string
  format: LogFormat
  /** journald / syslog wrapper, when the line had one. */
  wrapper?: 'syslog'
  /** Every wrapper removed from around the line, outermost first (docker-json, compose, timestamp, syslog...). */
  wrappers?: string[]
  /** Container or service name from a docker compose / docker service logs prefix. */
  container?: string
  /** Milliseconds since the epoch (UTC). Lines of the legacy format carry no zone: they are read in --tz (UTC). */
  time?: number
  /** The timestamp exactly as written. */
  timeText?: string
  /** Normalised level: debug, info, warn, error, fatal. */
  level?: string
  /** The InfluxDB service (legacy `[write]` prefix, logfmt `service=`). */
  service?: string
  /** Host and process from a journald/syslog prefix. */
  host?: string
  process?: string
  pid?: number
  /** The message the catalogue is matched against (for access logs: `HTTP <status> <method> <uri>`). */
  msg: string
  /** Structured context: logfmt / JSON keys (values as strings). */
  fields: Record<string, string>
  /** zap's per-process log id (1.5+): a new one means the process restarted. */
  logId?: string
  http?: HttpRequestInfo
  /** True when the line was cut at the line-length limit. */
  truncated?: boolean
  /** Why the line looks cut short by whatever shipped it (an unclosed quote or bracket, a missing access-log field). */
  cutShort?: string
  /** Why the line could not be read at all (JSON nested too deep): it is unknown, and says so. */
  problem?: string
}

export const VERDICTS = ['critical', 'warning', 'info', 'expected', 'unknown'] as const
export type Verdict = (typeof VERDICTS)[number]

/** Rank for sorting: lower is more urgent. */
export const VERDICT_RANK: Record<Verdict, number> = {critical: 0, warning: 1, info: 2, expected: 3, unknown: 4}

export type NodeRole = 'meta' | 'data' | 'client' | 'influxd-ctl' | 'any'

/** What a catalogue entry matches on. */
export type KeywordMatcher = {
  /** Literal words of which at least one must occur in the message (a fast pre-filter). */
  keywords: string[]
  /** Tested against the event's message; named groups become extracted values. */
  pattern: RegExp
}

export type HttpMatcher = {
  /** Matches access-log lines by request. */
  http: {
    status?: number | number[] | '2xx' | '3xx' | '4xx' | '5xx'
    method?: string
    /** Tested against the request URI. Named groups become values. */
    uri?: RegExp
    /** Which side wrote the access log. */
    side?: 'meta' | 'data'
    /** Response body sizes this matcher is for (an error body's size tells which error it was). */
    bytes?: number[]
    /** Only requests that took at least this long (a write that ran into the write timeout). */
    minDurationMs?: number
  }
}

export type EntryMatcher = KeywordMatcher | HttpMatcher

export interface CatalogueExample {
  /** A log line exactly as it would appear. */
  line: string
  /** Values the explainer must extract from it (checked by the tests). */
  values?: Record<string, string | number>
}

/**
 * What the matcher needs of an entry (id, verdict, title, patterns), without its texts. `medic explain` matches lines
 * against these heads (heads.ts, generated from the entries) and loads the texts of the entries that matched only.
 */
export type CatalogueHead = Pick<CatalogueEntry, 'id' | 'title' | 'verdict' | 'category' | 'where' | 'match' | 'fallback' | 'tier' | 'restart'> & {
  /** The entries/<area>.ts file that holds the full entry. */
  area?: string
}

export interface CatalogueEntry {
  /** Stable id: other tools and tests rely on it. Never rename; add aliases instead. */
  id: string
  title: string
  verdict: Verdict
  category: 'meta' | 'raft' | 'cq' | 'join' | 'write' | 'hinted-handoff' | 'client' | 'influxd-ctl' | 'auth' | 'config' | 'license' | 'storage' | 'query' | 'lifecycle' | 'http' | 'anti-entropy' | 'cluster'
  /** Where the line is seen. */
  where: NodeRole
  /** One matcher, or several alternatives (e.g. the access-log form and the raw HTTP answer). */
  match: EntryMatcher | EntryMatcher[]
  /** Why the line is written. */
  cause: string
  /** What is at risk, or "none". */
  impact: string
  /** What to look at to confirm. */
  check: string[]
  /** Exact next commands, most useful first. `{name}` is filled from the extracted values when known. */
  commands: string[]
  configKeys?: string[]
  metrics?: string[]
  /** Where behaviour changed between versions. */
  versions?: string[]
  /** Advice for the developer of a client that writes to the cluster, where it differs from the operator's. */
  client?: string
  /**
   * A catch-all for a family (e.g. any `write failed for shard` line): only used when no specific or cause entry
   * matched anywhere in the line.
   */
  fallback?: boolean
  /**
   * With `fallback`: `cause` marks a fallback that names a cause found inside many families (connection refused, no
   * space left on device). It wins over a family catch-all, whose values are kept as context, and loses to a specific
   * entry like every fallback.
   */
  tier?: 'cause'
  /** A process (re)start marker. */
  restart?: boolean
  /** Documentation pages, most relevant first (paths under docs.influxdata.com). */
  docs?: string[]
  examples: CatalogueExample[]
}

/** Values pulled out of one line. */
export type ExtractedValues = Record<string, string | number>

/** One explained line. `entry` is the full entry (explainStream) or only its head (Explainer.explain, synchronous). */
export interface Explanation<E extends CatalogueHead = CatalogueEntry> {
  line: number
  id: string | null
  verdict: Verdict
  title: string | null
  format: LogFormat
  values: ExtractedValues
  /** A sentence about how the context (other lines) changed the verdict. */
  context?: string
  /** The error concerns a client (a client reported it, or the server answered it to one): the client advice comes first. */
  clientSide?: boolean
  /** Set when a client's line carried the server's error: how it was found (telegraf, python, json-body, curl...). */
  reportedBy?: string
  /** The family catch-all this line also belongs to (e.g. write-failed-remote around a field type conflict). */
  family?: string
  /** The wrappers removed from around the line (docker-json, compose, timestamp, syslog, rfc5424...). */
  wrappers?: string[]
  /** Why the line looks cut short: it was matched on what is there. */
  cutShort?: string
  /** For unknown lines: the message (secrets redacted, at most 200 characters), to tell which line it was. */
  message?: string
  entry?: E
}
