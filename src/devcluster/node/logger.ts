/**
 * The dev cluster's log writer: the three shapes InfluxDB Enterprise nodes write, so that the logs of a rehearsal look
 * like a customer's and `medic explain` / `medic logs summarize` read them the same way.
 *
 *   legacy  (releases up to 1.4, dev-only option here): `[service] 2026/11/22 01:02:03 free text`
 *   logfmt  (1.5+ default):  `ts=2026-11-22T01:02:03.123456Z lvl=info msg="..." log_id=0ABCDEFGHIJ service=meta k=v`
 *   json    (1.5+):          `{"lvl":"info","ts":"2026-11-22T01:02:03.123456Z","msg":"...","log_id":"...","service":"meta"}`
 *
 * Legacy timestamps are written in UTC (Go's log package used local time; medic reads legacy stamps as UTC, so the dev
 * cluster's logs line up with its logfmt lines). The writer is synchronous on purpose: a node that crashes must leave
 * its last lines on disk for `medic dev up` to quote, and log volume is small.
 */
import {randomBytes} from 'node:crypto'
import {writeSync} from 'node:fs'

export type LogFormat = 'logfmt' | 'json' | 'legacy'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, string | number | boolean | undefined | null>

const LEVELS: Record<LogLevel, number> = {debug: 0, info: 1, warn: 2, error: 3}

export interface Logger {
  readonly format: LogFormat
  /** A logger whose lines carry `service=<name>` (logfmt, json) or the `[name]` prefix (legacy). */
  child(service: string): Logger
  /**
   * One line. `legacy` is the free text of the pre-1.5 shape (defaults to msg followed by the fields as key=value);
   * the structured shapes ignore it.
   */
  log(level: LogLevel, msg: string, fields?: LogFields, legacy?: string): void
  debug(msg: string, fields?: LogFields, legacy?: string): void
  info(msg: string, fields?: LogFields, legacy?: string): void
  warn(msg: string, fields?: LogFields, legacy?: string): void
  error(msg: string, fields?: LogFields, legacy?: string): void
}

export interface LoggerOptions {
  format: LogFormat
  level?: LogLevel
  /** A file descriptor (2 = stderr by default) the lines are written to. */
  fd?: number
  /** For tests: collect lines instead of writing them. */
  sink?: (line: string) => void
  now?: () => number
  /** The 11-character id that marks one process run (zap's log_id); random by default. */
  logId?: string
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_~'

/** An 11-character run id in the style of InfluxDB's log_id. */
export function newLogId(): string {
  const bytes = randomBytes(11)
  let out = ''
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length]
  return out
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `2026-11-22T01:02:03.123456Z` (zap's microsecond layout; the clock only has milliseconds). */
export function isoMicros(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000Z`
}

/** `2026/11/22 01:02:03` (Go's log.LstdFlags, in UTC). */
export function legacyStamp(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** A logfmt value: bare when it has no space, quote, equals sign or control character; quoted and escaped otherwise. */
export function logfmtValue(v: string | number | boolean): string {
  const s = String(v)
  if (s !== '' && !/[\s"=\\\u0000-\u001f]/.test(s)) return s
  return JSON.stringify(s)
}

function plainFields(fields: LogFields | undefined): string {
  if (!fields) return ''
  let out = ''
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue
    out += ` ${k}=${logfmtValue(v)}`
  }
  return out
}

class Writer implements Logger {
  constructor(
    private readonly opts: Required<Pick<LoggerOptions, 'format' | 'level' | 'now' | 'logId'>> & {fd: number; sink?: (line: string) => void},
    private readonly service: string | undefined,
  ) {}

  get format(): LogFormat {
    return this.opts.format
  }

  child(service: string): Logger {
    return new Writer(this.opts, service)
  }

  log(level: LogLevel, msg: string, fields?: LogFields, legacy?: string): void {
    if (LEVELS[level] < LEVELS[this.opts.level]) return
    const now = this.opts.now()
    let line: string
    if (this.opts.format === 'legacy') {
      const prefix = this.service === undefined ? '' : `[${this.service}] `
      line = `${prefix}${legacyStamp(now)} ${legacy ?? msg + plainFields(fields)}`
    } else if (this.opts.format === 'json') {
      const obj: Record<string, unknown> = {lvl: level, ts: isoMicros(now), msg, log_id: this.opts.logId}
      if (this.service !== undefined) obj.service = this.service
      for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined && v !== null) obj[k] = v
      line = JSON.stringify(obj)
    } else {
      line = `ts=${isoMicros(now)} lvl=${level} msg=${logfmtValue(msg)} log_id=${this.opts.logId}`
      if (this.service !== undefined) line += ` service=${logfmtValue(this.service)}`
      line += plainFields(fields)
    }
    if (this.opts.sink) this.opts.sink(line)
    else {
      try {
        writeSync(this.opts.fd, line + '\n')
      } catch {
        // A closed or full log must not take the node down.
      }
    }
  }

  debug(msg: string, fields?: LogFields, legacy?: string): void {
    this.log('debug', msg, fields, legacy)
  }

  info(msg: string, fields?: LogFields, legacy?: string): void {
    this.log('info', msg, fields, legacy)
  }

  warn(msg: string, fields?: LogFields, legacy?: string): void {
    this.log('warn', msg, fields, legacy)
  }

  error(msg: string, fields?: LogFields, legacy?: string): void {
    this.log('error', msg, fields, legacy)
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  return new Writer(
    {format: opts.format, level: opts.level ?? 'info', now: opts.now ?? Date.now, logId: opts.logId ?? newLogId(), fd: opts.fd ?? 2, sink: opts.sink},
    undefined,
  )
}
