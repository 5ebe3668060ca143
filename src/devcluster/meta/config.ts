/**
 * How a dev meta node reads its influxdb-meta.conf (the node process calls readMetaNodeConfig with its -config path):
 * the documented defaults (enterprise-1x.md §5.1) for every key that is absent, every value checked the way
 * influxd-meta and its Raft library would (Go durations, host:port addresses, the Raft timeout floors and orderings),
 * and a ConfigError naming the file, the key and the fix otherwise. smol-toml is imported lazily.
 *
 * The file is written by the supervisor (cluster/configs/meta.ts, with these defaults); a node throws plain errors,
 * never CLI errors: it logs the message and exits 1, and the supervisor quotes the line.
 */
import {parseListenAddress} from '../../config/values.js'
import {formatShortDuration, parseGoDuration} from '../../util/duration.js'
import {isLogLevel, type LogFormat, type LogLevel, parseLogFormat} from '../node/logger.js'
import {errnoCode, messageOf} from '../node/process.js'

export interface MetaTimeouts {
  /** Go duration strings, as written in the file. */
  leaseDuration: string
  electionTimeout: string
  heartbeatTimeout: string
  leaderLeaseTimeout: string
  commitTimeout: string
}

/** Enterprise's defaults (§5.1): the dev cluster runs with the timeouts a production cluster has. */
export const DEFAULT_TIMEOUTS: MetaTimeouts = {
  leaseDuration: '1m0s',
  electionTimeout: '1s',
  heartbeatTimeout: '1s',
  leaderLeaseTimeout: '500ms',
  commitTimeout: '50ms',
}

/** A config file the node cannot run with. `message` starts with the file's path; `fix` is the line to write. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code = 'config-invalid'
  constructor(readonly path: string, message: string, readonly fix: string, options?: {cause?: unknown}) {
    super(`${path}: ${message}`, options)
  }
}

export interface MetaNodeConfig {
  /** [medic-dev] node; '' when the file is not a dev-cluster config. */
  name: string
  /** [medic-dev] cluster, or null. */
  cluster: string | null
  hostname: string
  dir: string
  /** [meta] bind-address (Raft), as written: "127.0.0.1:18189" or ":8089". */
  bindAddress: string
  /** [meta] http-bind-address. */
  httpBindAddress: string
  leaseDurationMs: number
  electionTimeoutMs: number
  heartbeatTimeoutMs: number
  leaderLeaseTimeoutMs: number
  commitTimeoutMs: number
  clusterTracing: boolean
  authEnabled: boolean
  sharedSecret: string
  internalSharedSecret: string
  logFormat: LogFormat
  logLevel: LogLevel
}

type Table = Record<string, unknown>

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)

/**
 * Reads a meta node's config. Absent keys take Enterprise's defaults; bad TOML or a bad value throws a ConfigError
 * whose message starts with the file's path.
 */
export async function readMetaNodeConfig(path: string): Promise<MetaNodeConfig> {
  const {readFile} = await import('node:fs/promises')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(path, `cannot read the config (${errnoCode(err) ?? messageOf(err)})`, 'check the -config path', {cause: err})
  }
  return parseMetaNodeConfig(text, path)
}

export async function parseMetaNodeConfig(text: string, path = 'influxdb-meta.conf'): Promise<MetaNodeConfig> {
  const {parse, TomlError} = await import('smol-toml')
  const fail = (message: string, fix: string, cause?: unknown) => new ConfigError(path, message, fix, {cause})
  let doc: Table
  try {
    doc = parse(text)
  } catch (err) {
    if (err instanceof TomlError) {
      throw fail(`line ${err.line}, column ${err.column}: not valid TOML (${err.message.split('\n')[0]})`, `fix the line, or check it with: medic config check ${path}`, err)
    }
    throw err
  }
  const table = (name: string): Table => {
    const v = doc[name]
    if (v === undefined) return {}
    if (!isTable(v)) throw fail(`${name} must be a [${name}] table`, `write it as a section: [${name}] on its own line, then its keys`)
    return v
  }
  const meta = table('meta')
  const logging = table('logging')
  const dev = table('medic-dev')

  const str = (t: Table, section: string, key: string, dflt: string): string => {
    const v = t[key]
    if (v === undefined) return dflt
    if (typeof v !== 'string') throw fail(`${label(section, key)} must be a string, not ${JSON.stringify(v)}`, `${key} = "${String(v)}"`)
    return v
  }
  const bool = (t: Table, section: string, key: string, dflt: boolean): boolean => {
    const v = t[key]
    if (v === undefined) return dflt
    if (typeof v !== 'boolean') throw fail(`${label(section, key)} must be true or false, not ${JSON.stringify(v)}`, `${key} = ${String(v) === 'true' ? 'true' : 'false'} (no quotes)`)
    return v
  }
  const duration = (key: string, dflt: string): number => {
    const raw = str(meta, 'meta', key, dflt)
    const p = parseGoDuration(raw.trim())
    if (!p.ok) throw fail(`${label('meta', key)} = ${JSON.stringify(raw)}: ${p.reason}`, p.suggestion ? `${key} = "${p.suggestion}"` : `${key} = "${dflt}" (the default), with a unit: ns, us, ms, s, m or h`)
    if (p.value <= 0) throw fail(`${label('meta', key)} = ${JSON.stringify(raw)} must be positive`, `${key} = "${dflt}" (the default)`)
    return p.value / 1e6
  }
  const address = (key: string, dflt: string): string => {
    const raw = str(meta, 'meta', key, dflt).trim()
    const p = parseListenAddress(raw)
    if (!p.ok) throw fail(`${label('meta', key)} = ${JSON.stringify(raw)}: ${p.reason}`, p.suggestion ? `${key} = "${p.suggestion}"` : `${key} = "${dflt}" (host:port)`)
    if (p.value.port === 0) throw fail(`${label('meta', key)} = ${JSON.stringify(raw)}: port 0 would be a random port no other node knows`, `${key} = "${dflt}"`)
    return raw
  }

  const formatRaw = str(logging, 'logging', 'format', 'logfmt').trim().toLowerCase()
  const logFormat = parseLogFormat(formatRaw)
  if (logFormat === undefined) {
    throw fail(`[logging] format = ${JSON.stringify(formatRaw)} is not one the dev cluster writes`,
      'format = "logfmt" (or "json"; "legacy-level" for 1.2-1.4 lines, "legacy" for 1.0-1.1 lines)')
  }
  const levelRaw = str(logging, 'logging', 'level', 'info').trim().toLowerCase()
  if (!isLogLevel(levelRaw)) throw fail(`[logging] level = ${JSON.stringify(levelRaw)} is not a level`, 'level = "info" (debug, info, warn or error)')

  const cfg: MetaNodeConfig = {
    name: str(dev, 'medic-dev', 'node', ''),
    cluster: dev.cluster === undefined ? null : str(dev, 'medic-dev', 'cluster', ''),
    hostname: str(doc, '', 'hostname', ''),
    dir: str(meta, 'meta', 'dir', '/var/lib/influxdb/meta'),
    bindAddress: address('bind-address', ':8089'),
    httpBindAddress: address('http-bind-address', ':8091'),
    leaseDurationMs: duration('lease-duration', DEFAULT_TIMEOUTS.leaseDuration),
    electionTimeoutMs: duration('election-timeout', DEFAULT_TIMEOUTS.electionTimeout),
    heartbeatTimeoutMs: duration('heartbeat-timeout', DEFAULT_TIMEOUTS.heartbeatTimeout),
    leaderLeaseTimeoutMs: duration('leader-lease-timeout', DEFAULT_TIMEOUTS.leaderLeaseTimeout),
    commitTimeoutMs: duration('commit-timeout', DEFAULT_TIMEOUTS.commitTimeout),
    clusterTracing: bool(meta, 'meta', 'cluster-tracing', false),
    authEnabled: bool(meta, 'meta', 'auth-enabled', false),
    sharedSecret: str(meta, 'meta', 'shared-secret', ''),
    internalSharedSecret: str(meta, 'meta', 'internal-shared-secret', ''),
    logFormat,
    logLevel: levelRaw,
  }
  if (cfg.dir.trim() === '') throw fail('[meta] dir is empty: "Meta.Dir must be specified"', 'dir = "/var/lib/influxdb/meta" under [meta]')

  // The Raft library's own checks (hashicorp/raft ValidateConfig), with its wording.
  const floors: Array<[string, number, number, string]> = [
    ['heartbeat-timeout', cfg.heartbeatTimeoutMs, 5, DEFAULT_TIMEOUTS.heartbeatTimeout],
    ['election-timeout', cfg.electionTimeoutMs, 5, DEFAULT_TIMEOUTS.electionTimeout],
    ['leader-lease-timeout', cfg.leaderLeaseTimeoutMs, 5, DEFAULT_TIMEOUTS.leaderLeaseTimeout],
    ['commit-timeout', cfg.commitTimeoutMs, 1, DEFAULT_TIMEOUTS.commitTimeout],
  ]
  for (const [key, ms, floor, dflt] of floors) {
    if (ms < floor) throw fail(`[meta] ${key} = ${formatShortDuration(ms * 1e6)} is below Raft's floor of ${floor}ms`, `${key} = "${dflt}" (the default)`)
  }
  if (cfg.leaderLeaseTimeoutMs > cfg.heartbeatTimeoutMs) {
    throw fail(`[meta] leader-lease-timeout (${formatShortDuration(cfg.leaderLeaseTimeoutMs * 1e6)}) is larger than heartbeat-timeout (${formatShortDuration(cfg.heartbeatTimeoutMs * 1e6)}): "Leader lease timeout cannot be larger than heartbeat timeout"`,
      'keep leader-lease-timeout at or below heartbeat-timeout')
  }
  if (cfg.electionTimeoutMs < cfg.heartbeatTimeoutMs) {
    throw fail(`[meta] election-timeout (${formatShortDuration(cfg.electionTimeoutMs * 1e6)}) is shorter than heartbeat-timeout (${formatShortDuration(cfg.heartbeatTimeoutMs * 1e6)}): "Election timeout must be equal or greater than Heartbeat Timeout"`,
      'raise election-timeout to at least heartbeat-timeout')
  }
  if (cfg.authEnabled && cfg.internalSharedSecret === '') {
    throw fail('[meta] auth-enabled = true but internal-shared-secret is empty: influxd-meta (1.6.4+) refuses to start like this',
      'internal-shared-secret = "<a long random string>" under [meta] (the same on every meta node)')
  }
  return cfg
}

function label(section: string, key: string): string {
  return section === '' ? key : `[${section}] ${key}`
}
