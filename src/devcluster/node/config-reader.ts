/**
 * Reading a node's TOML config the way influxd reads its own: absent keys take the documented default, present keys
 * must have the right type and a valid value (Go durations, host:port addresses, sizes with k/m/g), and anything
 * else is a ConfigError naming the file, the key and the line to write instead. Shared by the meta node
 * (meta/config.ts) and the data node (data/config.ts); smol-toml is imported lazily.
 */
import {parseListenAddress, parseSize} from '../../config/values.js'
import {parseGoDuration} from '../../util/duration.js'
import {isLogLevel, type LogFormat, type LogLevel, parseLogFormat} from './logger.js'
import {errnoCode, messageOf} from './process.js'

/** The largest `medic dev up --time-scale`. */
export const MAX_TIME_SCALE = 1000

/** A timer's period under the dev cluster's time scale: `ms / scale`, at least 1 ms. */
export function scaledMs(ms: number, scale: number): number {
  return scale <= 1 ? ms : Math.max(1, Math.round(ms / scale))
}

/** A config file the node cannot run with. `message` starts with the file's path; `fix` is the line to write. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code = 'config-invalid'
  constructor(readonly path: string, message: string, readonly fix: string, options?: {cause?: unknown}) {
    super(`${path}: ${message}`, options)
  }
}

export type Table = Record<string, unknown>

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)

export function label(section: string, key: string): string {
  return section === '' ? key : `[${section}] ${key}`
}

/**
 * A bind address from a config the reader has validated, as the host and port to listen on (an empty host listens
 * on every interface, as Go's ":8088" does).
 */
export function listenOn(addr: string): {host: string; port: number} {
  const p = parseListenAddress(addr)
  if (!p.ok) throw new Error(`${addr}: ${p.reason}`)
  return {host: p.value.host || '0.0.0.0', port: p.value.port}
}

/** Reads a config file's text; a missing or unreadable file is a ConfigError. */
export async function readConfigText(path: string): Promise<string> {
  const {readFile} = await import('node:fs/promises')
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(path, `cannot read the config (${errnoCode(err) ?? messageOf(err)})`, 'check the -config path', {cause: err})
  }
}

/** A parsed TOML document with typed, validated getters per `[section] key`. Section '' is the top level. */
export class ConfigReader {
  private constructor(private readonly doc: Table, readonly path: string) {}

  static async parse(text: string, path: string): Promise<ConfigReader> {
    const {parse, TomlError} = await import('smol-toml')
    try {
      return new ConfigReader(parse(text), path)
    } catch (err) {
      if (err instanceof TomlError) {
        throw new ConfigError(path, `line ${err.line}, column ${err.column}: not valid TOML (${err.message.split('\n')[0]})`,
          `fix the line, or check it with: medic config check ${path}`, {cause: err})
      }
      throw err
    }
  }

  fail(message: string, fix: string, cause?: unknown): ConfigError {
    return new ConfigError(this.path, message, fix, {cause})
  }

  table(section: string): Table {
    if (section === '') return this.doc
    const v = this.doc[section]
    if (v === undefined) return {}
    if (!isTable(v)) throw this.fail(`${section} must be a [${section}] table`, `write it as a section: [${section}] on its own line, then its keys`)
    return v
  }

  has(section: string, key: string): boolean {
    return this.table(section)[key] !== undefined
  }

  str(section: string, key: string, dflt: string): string {
    const v = this.table(section)[key]
    if (v === undefined) return dflt
    if (typeof v !== 'string') throw this.fail(`${label(section, key)} must be a string, not ${JSON.stringify(v)}`, `${key} = "${String(v)}"`)
    return v
  }

  bool(section: string, key: string, dflt: boolean): boolean {
    const v = this.table(section)[key]
    if (v === undefined) return dflt
    if (typeof v !== 'boolean') throw this.fail(`${label(section, key)} must be true or false, not ${JSON.stringify(v)}`, `${key} = ${String(v) === 'true' ? 'true' : 'false'} (no quotes)`)
    return v
  }

  /** A non-negative integer (TOML integer). */
  int(section: string, key: string, dflt: number): number {
    const v = this.table(section)[key]
    if (v === undefined) return dflt
    const n = typeof v === 'bigint' ? Number(v) : v
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw this.fail(`${label(section, key)} must be a whole number of 0 or more, not ${JSON.stringify(String(v))}`, `${key} = ${dflt}`)
    return n
  }

  /** A size in bytes: a TOML integer, or a string of digits with an optional k, m or g (influxd's toml.Size). */
  size(section: string, key: string, dflt: number): number {
    const v = this.table(section)[key]
    if (v === undefined) return dflt
    if (typeof v === 'number' || typeof v === 'bigint') return this.int(section, key, dflt)
    if (typeof v !== 'string') throw this.fail(`${label(section, key)} must be a size, not ${JSON.stringify(v)}`, `${key} = ${dflt}`)
    const p = parseSize(v.trim())
    if (!p.ok) throw this.fail(`${label(section, key)} = ${JSON.stringify(v)}: ${p.reason}`, `${key} = ${dflt} (bytes; or digits with k, m or g)`)
    return p.value
  }

  /** A Go duration string, in ms. `allowZero` for keys where 0 turns something off. */
  durationMs(section: string, key: string, dflt: string, allowZero = false): number {
    const raw = this.str(section, key, dflt)
    const p = parseGoDuration(raw.trim())
    if (!p.ok) throw this.fail(`${label(section, key)} = ${JSON.stringify(raw)}: ${p.reason}`, p.suggestion ? `${key} = "${p.suggestion}"` : `${key} = "${dflt}" (the default), with a unit: ns, us, ms, s, m or h`)
    if (p.value < 0 || (p.value === 0 && !allowZero)) throw this.fail(`${label(section, key)} = ${JSON.stringify(raw)} must be positive`, `${key} = "${dflt}" (the default)`)
    return p.value / 1e6
  }

  /** A listen address `host:port` (host may be empty); port 0 is refused, as no other node could find it. */
  address(section: string, key: string, dflt: string): string {
    const raw = this.str(section, key, dflt).trim()
    const p = parseListenAddress(raw)
    if (!p.ok) throw this.fail(`${label(section, key)} = ${JSON.stringify(raw)}: ${p.reason}`, p.suggestion ? `${key} = "${p.suggestion}"` : `${key} = "${dflt}" (host:port)`)
    if (p.value.port === 0) throw this.fail(`${label(section, key)} = ${JSON.stringify(raw)}: port 0 would be a random port no other node knows`, `${key} = "${dflt}"`)
    return raw
  }

  /** `[logging] format` and `level`, with the dev cluster's extra legacy formats. */
  logging(): {logFormat: LogFormat; logLevel: LogLevel} {
    const formatRaw = this.str('logging', 'format', 'logfmt').trim().toLowerCase()
    const logFormat = parseLogFormat(formatRaw)
    if (logFormat === undefined) {
      throw this.fail(`[logging] format = ${JSON.stringify(formatRaw)} is not one the dev cluster writes`,
        'format = "logfmt" (or "json"; "legacy-level" for 1.2-1.4 lines, "legacy" for 1.0-1.1 lines)')
    }
    const levelRaw = this.str('logging', 'level', 'info').trim().toLowerCase()
    if (!isLogLevel(levelRaw)) throw this.fail(`[logging] level = ${JSON.stringify(levelRaw)} is not a level`, 'level = "info" (debug, info, warn or error)')
    return {logFormat, logLevel: levelRaw}
  }

  /**
   * The `[medic-dev]` marker: node name ('' when absent), cluster folder (null when absent), and the time scale of
   * `medic dev up --time-scale N` (1 when absent): the timers listed in docs/devcluster.md run N times faster.
   */
  devMarker(): {name: string; cluster: string | null; timeScale: number} {
    const timeScale = this.int('medic-dev', 'time-scale', 1)
    if (timeScale < 1 || timeScale > MAX_TIME_SCALE) throw this.fail(`[medic-dev] time-scale = ${timeScale} must be from 1 to ${MAX_TIME_SCALE}`, 'time-scale = 1')
    return {name: this.str('medic-dev', 'node', ''), cluster: this.has('medic-dev', 'cluster') ? this.str('medic-dev', 'cluster', '') : null, timeScale}
  }
}
