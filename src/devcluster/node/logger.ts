/**
 * The log writer of every dev-cluster process: the shapes InfluxDB Enterprise nodes wrote over the releases, so that
 * the logs of a rehearsal look like a customer's and `medic explain` / `medic logs summarize` read them the same way.
 *
 *   legacy        (1.0-1.1, Go's log package):  `[service] 2026/11/22 01:02:03 free text`
 *   legacy-level  (1.2-1.4, zap's text encoder): `[I] 2026-11-22T01:02:03Z message service=meta key=value`
 *   logfmt        (1.5+ default):  `ts=2026-11-22T01:02:03.123456Z lvl=info msg="..." log_id=0ABCDEFGHIJ service=meta k=v`
 *   json          (1.5+):          `{"lvl":"info","ts":"2026-11-22T01:02:03.123456Z","msg":"...","log_id":"...","service":"meta"}`
 *
 * The two pre-1.5 shapes are dev-only `[logging] format` values (real nodes of those releases had no [logging]
 * section). The names follow what `medic explain --json` calls the formats it recognises. Access logs were never
 * zap lines: in the `[I]` era they keep their `[meta-http]`/`[httpd]` prefix without a time stamp (accessLine).
 *
 * The writer is synchronous on purpose: a node that crashes must leave its last lines on disk for `medic dev up` to
 * quote, and log volume is small.
 */
import {randomBytes} from 'node:crypto'
import {writeSync} from 'node:fs'

import {isoMicros, legacyStamp, rfc3339} from './go-text.js'

export const LOG_FORMATS = ['logfmt', 'json', 'legacy-level', 'legacy'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, string | number | boolean | undefined | null>

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const RANK: Record<LogLevel, number> = {debug: 0, info: 1, warn: 2, error: 3}
const LETTER: Record<LogLevel, string> = {debug: 'D', info: 'I', warn: 'W', error: 'E'}

/** A `[logging] format` value as the dev nodes read it ("auto" and "" mean logfmt, as on a real 1.5+ node). */
export function parseLogFormat(raw: string): LogFormat | undefined {
  const v = raw.trim().toLowerCase()
  if (v === 'auto' || v === '') return 'logfmt'
  return LOG_FORMATS.find((f) => f === v)
}

export function isLogLevel(v: string): v is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(v)
}

export interface Logger {
  readonly format: LogFormat
  /** A logger whose lines carry `service=<name>` (structured shapes) or the `[name]` prefix (legacy). */
  child(service: string): Logger
  /**
   * One line. `legacy` is the free text of the 1.0-1.1 shape (defaults to msg followed by the fields as key=value);
   * the other shapes ignore it.
   */
  log(level: LogLevel, msg: string, fields?: LogFields, legacy?: string): void
  debug(msg: string, fields?: LogFields, legacy?: string): void
  info(msg: string, fields?: LogFields, legacy?: string): void
  warn(msg: string, fields?: LogFields, legacy?: string): void
  error(msg: string, fields?: LogFields, legacy?: string): void
  /**
   * One access-log line: `weblog` with `fields` in the structured shapes (1.9.6+), `line` after the service prefix in
   * the pre-1.5 shapes (with the Go log stamp in 1.0-1.1, without in 1.2-1.4, as real nodes wrote them).
   */
  access(fields: LogFields, line: string): void
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

type WriterOptions = Required<Pick<LoggerOptions, 'format' | 'level' | 'now' | 'logId'>> & {fd: number; sink?: (line: string) => void}

class Writer implements Logger {
  constructor(private readonly opts: WriterOptions, private readonly service: string | undefined) {}

  get format(): LogFormat {
    return this.opts.format
  }

  child(service: string): Logger {
    return new Writer(this.opts, service)
  }

  log(level: LogLevel, msg: string, fields?: LogFields, legacy?: string): void {
    if (RANK[level] < RANK[this.opts.level]) return
    const now = this.opts.now()
    switch (this.opts.format) {
      case 'legacy':
        return this.write(`${this.prefix()}${legacyStamp(now)} ${legacy ?? msg + plainFields(fields)}`)
      case 'legacy-level': {
        // zap's text encoder wrote the logger's context (service) before the entry's own fields.
        const service = this.service === undefined ? '' : ` service=${logfmtValue(this.service)}`
        return this.write(`[${LETTER[level]}] ${rfc3339(now)} ${msg}${service}${plainFields(fields)}`)
      }
      case 'json': {
        const obj: Record<string, unknown> = {lvl: level, ts: isoMicros(now), msg, log_id: this.opts.logId}
        if (this.service !== undefined) obj.service = this.service
        for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined && v !== null) obj[k] = v
        return this.write(JSON.stringify(obj))
      }
      default: {
        let line = `ts=${isoMicros(now)} lvl=${level} msg=${logfmtValue(msg)} log_id=${this.opts.logId}`
        if (this.service !== undefined) line += ` service=${logfmtValue(this.service)}`
        return this.write(line + plainFields(fields))
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

  access(fields: LogFields, line: string): void {
    if (this.opts.format === 'legacy-level') {
      if (RANK.info >= RANK[this.opts.level]) this.write(`${this.prefix()}${line}`)
      return
    }
    this.log('info', 'weblog', fields, line)
  }

  private prefix(): string {
    return this.service === undefined ? '' : `[${this.service}] `
  }

  private write(line: string): void {
    if (this.opts.sink) {
      this.opts.sink(line)
      return
    }
    try {
      writeSync(this.opts.fd, line + '\n')
    } catch {
      // A closed or full log must not take the node down.
    }
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  return new Writer(
    {format: opts.format, level: opts.level ?? 'info', now: opts.now ?? Date.now, logId: opts.logId ?? newLogId(), fd: opts.fd ?? 2, sink: opts.sink},
    undefined,
  )
}
