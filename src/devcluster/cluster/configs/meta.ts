/**
 * Each dev-cluster meta node's influxdb-meta.conf: written by `medic dev up` (renderMetaConfig / writeMetaConfig) and
 * read back by the node process (readDevNodeConfig). The file is a real Enterprise meta config, commented so that an
 * operator who opens it learns what each key does and how production differs; the `[medic-dev]` table marks it as a
 * dev-cluster file (influxd-meta ignores unknown tables; `medic config check` treats the dev cluster's loopback
 * addresses and missing license as expected when it sees the marker).
 *
 * readDevNodeConfig applies the documented defaults (enterprise-1x.md §5.1) to every key that is absent, checks every
 * value the way influxd-meta and its Raft library would (Go durations, host:port addresses, the Raft timeout floors
 * and orderings), and fails with a message that names the file, the key and the fix. smol-toml is imported lazily.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {inputError, MedicError} from '../../../errors.js'
import {formatDuration, parseGoDuration, parseListenAddress} from '../../../config/values.js'
import type {LogFormat, LogLevel} from '../../node/logger.js'

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

export interface MetaConfigInput {
  /** meta-1, meta-2, ... */
  name: string
  /** The cluster folder (for the [medic-dev] marker). */
  clusterDir: string
  hostname: string
  /** The node's [meta] dir. */
  metaDir: string
  raftPort: number
  httpPort: number
  logFormat: LogFormat
  logLevel?: LogLevel
  /** Secrets when auth is on. */
  auth?: {sharedSecret: string; internalSharedSecret: string} | null
  timeouts?: Partial<MetaTimeouts>
}

/** TOML basic string: JSON's escapes are valid TOML escapes. */
const q = (s: string): string => JSON.stringify(s)

export function renderMetaConfig(c: MetaConfigInput): string {
  const t = {...DEFAULT_TIMEOUTS, ...c.timeouts}
  const auth = c.auth ?? null
  const lines = [
    `# influxdb-meta.conf of ${c.name}, a meta node of a medic dev cluster.`,
    `# Written by \`medic dev up\` on every start: edit the flags of \`medic dev up\`, not this file.`,
    `# It is a real InfluxDB Enterprise 1.x meta-node config; the comments say how production differs.`,
    ``,
    `# The host name this node advertises to the others, in its HTTP and Raft addresses (/status shows them).`,
    `# In production it must be a name every other node resolves to this machine: never localhost. The dev`,
    `# cluster runs every node on one machine, so the loopback address is the right one here.`,
    `hostname = ${q(c.hostname)}`,
    ``,
    `[meta]`,
    `  # Raft log, snapshots and peers of this node. Production: /var/lib/influxdb/meta.`,
    `  dir = ${q(c.metaDir)}`,
    ``,
    `  # Raft traffic between meta nodes (production default ":8089"). Every meta node must reach every other here.`,
    `  bind-address = ${q(`${c.hostname}:${c.raftPort}`)}`,
    `  # The meta API used by influxd-ctl, the data nodes and medic (production default ":8091").`,
    `  http-bind-address = ${q(`${c.hostname}:${c.httpPort}`)}`,
    ``,
    `  # How long a data node keeps the continuous-query lease once granted (GET /lease).`,
    `  lease-duration = ${q(t.leaseDuration)}`,
    ``,
    `  # Raft timing; these are the production defaults. A follower that hears nothing from the leader for`,
    `  # heartbeat-timeout starts an election; a candidate waits election-timeout for a result; a leader that has`,
    `  # not reached a quorum within leader-lease-timeout steps down; commit-timeout paces the messages that tell`,
    `  # followers what is committed. Raise heartbeat-timeout and election-timeout together on slow links.`,
    `  election-timeout = ${q(t.electionTimeout)}`,
    `  heartbeat-timeout = ${q(t.heartbeatTimeout)}`,
    `  leader-lease-timeout = ${q(t.leaderLeaseTimeout)}`,
    `  commit-timeout = ${q(t.commitTimeout)}`,
    ``,
    `  # Logs every meta API request ([meta-http] access lines). Off by default in production; on here so that a`,
    `  # rehearsal shows the traffic.`,
    `  cluster-tracing = true`,
    ``,
    `  # Authentication of the meta API. With it on, clients send Basic credentials or a JWT signed with`,
    `  # shared-secret, and the nodes sign their own requests with internal-shared-secret (which every data node`,
    `  # must also have as meta-internal-shared-secret). Since 1.6.4 auth without an internal secret refuses to start.`,
    `  auth-enabled = ${auth ? 'true' : 'false'}`,
  ]
  if (auth) {
    lines.push(
      `  shared-secret = ${q(auth.sharedSecret)}`,
      `  internal-shared-secret = ${q(auth.internalSharedSecret)}`,
    )
  }
  lines.push(
    ``,
    `[logging]`,
    `  # logfmt is what 1.5+ writes by default; json is the other structured choice. "legacy" is a dev-cluster`,
    `  # extra that writes the pre-1.5 "[service] date time message" lines, to rehearse reading old logs.`,
    `  format = ${q(c.logFormat)}`,
    `  level = ${q(c.logLevel ?? 'info')}`,
    ``,
    `# Marks this file as part of a medic dev cluster (influxd-meta ignores unknown tables). In a file with this`,
    `# table, \`medic config check\` accepts loopback addresses and the missing [enterprise] license.`,
    `[medic-dev]`,
    `  node = ${q(c.name)}`,
    `  cluster = ${q(c.clusterDir)}`,
    ``,
  )
  return lines.join('\n')
}

/** Writes the node's config file (mode 0600 when it holds secrets), creating its folder. */
export async function writeMetaConfig(path: string, c: MetaConfigInput): Promise<void> {
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  await writeFile(path, renderMetaConfig(c), {mode: c.auth ? 0o600 : 0o644})
}

// ── reading ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface DevNodeConfig {
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

const LOG_FORMATS: Record<string, LogFormat> = {logfmt: 'logfmt', json: 'json', legacy: 'legacy', auto: 'logfmt', '': 'logfmt'}
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

type Table = Record<string, unknown>

function configError(path: string, message: string, fix: string, cause?: unknown): MedicError {
  return inputError(`${path}: ${message}`, 'config-invalid', [fix], cause)
}

/**
 * Reads a meta node's config (the node process calls this with its -config path). Absent keys take Enterprise's
 * defaults; bad TOML or a bad value throws a MedicError (exit 4) whose message starts with the file's path.
 */
export async function readDevNodeConfig(path: string): Promise<DevNodeConfig> {
  const {readFile} = await import('node:fs/promises')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw configError(path, `cannot read the config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check the -config path', err)
  }
  return parseDevNodeConfig(text, path)
}

export async function parseDevNodeConfig(text: string, path = 'influxdb-meta.conf'): Promise<DevNodeConfig> {
  const {parse, TomlError} = await import('smol-toml')
  let doc: Table
  try {
    doc = parse(text) as Table
  } catch (err) {
    if (err instanceof TomlError) {
      throw configError(path, `line ${err.line}, column ${err.column}: not valid TOML (${err.message.split('\n')[0]})`, `fix the line, or check it with: medic config check ${path}`, err)
    }
    throw err
  }
  const table = (name: string): Table => {
    const v = doc[name]
    if (v === undefined) return {}
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw configError(path, `${name} must be a [${name}] table`, `write it as a section: [${name}] on its own line, then its keys`)
    return v as Table
  }
  const meta = table('meta')
  const logging = table('logging')
  const dev = table('medic-dev')

  const str = (t: Table, section: string, key: string, dflt: string): string => {
    const v = t[key]
    if (v === undefined) return dflt
    if (typeof v !== 'string') throw configError(path, `${label(section, key)} must be a string, not ${JSON.stringify(v)}`, `${key} = "${String(v)}"`)
    return v
  }
  const bool = (t: Table, section: string, key: string, dflt: boolean): boolean => {
    const v = t[key]
    if (v === undefined) return dflt
    if (typeof v !== 'boolean') throw configError(path, `${label(section, key)} must be true or false, not ${JSON.stringify(v)}`, `${key} = ${String(v) === 'true' ? 'true' : 'false'} (no quotes)`)
    return v
  }
  const duration = (key: string, dflt: string): number => {
    const raw = str(meta, 'meta', key, dflt)
    const p = parseGoDuration(raw.trim())
    if (!p.ok) throw configError(path, `${label('meta', key)} = ${JSON.stringify(raw)}: ${p.reason}`, p.suggestion ? `${key} = "${p.suggestion}"` : `${key} = "${dflt}" (the default), with a unit: ns, us, ms, s, m or h`)
    if (p.value <= 0) throw configError(path, `${label('meta', key)} = ${JSON.stringify(raw)} must be positive`, `${key} = "${dflt}" (the default)`)
    return p.value / 1e6
  }
  const address = (key: string, dflt: string): string => {
    const raw = str(meta, 'meta', key, dflt).trim()
    const p = parseListenAddress(raw)
    if (!p.ok) throw configError(path, `${label('meta', key)} = ${JSON.stringify(raw)}: ${p.reason}`, p.suggestion ? `${key} = "${p.suggestion}"` : `${key} = "${dflt}" (host:port)`)
    if (p.value.port === 0) throw configError(path, `${label('meta', key)} = ${JSON.stringify(raw)}: port 0 would be a random port no other node knows`, `${key} = "${dflt}"`)
    return raw
  }

  const formatRaw = str(logging, 'logging', 'format', 'logfmt').trim().toLowerCase()
  const logFormat = LOG_FORMATS[formatRaw]
  if (logFormat === undefined) throw configError(path, `[logging] format = ${JSON.stringify(formatRaw)} is not one the dev cluster writes`, 'format = "logfmt" (or "json", or "legacy" for pre-1.5 lines)')
  const levelRaw = str(logging, 'logging', 'level', 'info').trim().toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(levelRaw)) throw configError(path, `[logging] level = ${JSON.stringify(levelRaw)} is not a level`, 'level = "info" (debug, info, warn or error)')

  const cfg: DevNodeConfig = {
    name: str(dev, 'medic-dev', 'node', ''),
    cluster: dev.cluster === undefined ? null : str(dev, 'medic-dev', 'cluster', ''),
    hostname: str(doc, '', 'hostname', ''),
    dir: str(meta, 'meta', 'dir', '/var/lib/influxdb/meta'),
    bindAddress: address('bind-address', ':8089'),
    httpBindAddress: address('http-bind-address', ':8091'),
    leaseDurationMs: duration('lease-duration', '1m0s'),
    electionTimeoutMs: duration('election-timeout', '1s'),
    heartbeatTimeoutMs: duration('heartbeat-timeout', '1s'),
    leaderLeaseTimeoutMs: duration('leader-lease-timeout', '500ms'),
    commitTimeoutMs: duration('commit-timeout', '50ms'),
    clusterTracing: bool(meta, 'meta', 'cluster-tracing', false),
    authEnabled: bool(meta, 'meta', 'auth-enabled', false),
    sharedSecret: str(meta, 'meta', 'shared-secret', ''),
    internalSharedSecret: str(meta, 'meta', 'internal-shared-secret', ''),
    logFormat,
    logLevel: levelRaw as LogLevel,
  }
  if (cfg.dir.trim() === '') throw configError(path, '[meta] dir is empty: "Meta.Dir must be specified"', 'dir = "/var/lib/influxdb/meta" under [meta]')

  // The Raft library's own checks (hashicorp/raft ValidateConfig), with its wording.
  for (const [key, ms, floor] of [
    ['heartbeat-timeout', cfg.heartbeatTimeoutMs, 5], ['election-timeout', cfg.electionTimeoutMs, 5],
    ['leader-lease-timeout', cfg.leaderLeaseTimeoutMs, 5], ['commit-timeout', cfg.commitTimeoutMs, 1],
  ] as const) {
    if (ms < floor) throw configError(path, `[meta] ${key} = ${formatDuration(ms * 1e6)} is below Raft's floor of ${floor}ms`, `${key} = "${(DEFAULT_TIMEOUTS as unknown as Record<string, string>)[camel(key)]}" (the default)`)
  }
  if (cfg.leaderLeaseTimeoutMs > cfg.heartbeatTimeoutMs) {
    throw configError(path, `[meta] leader-lease-timeout (${formatDuration(cfg.leaderLeaseTimeoutMs * 1e6)}) is larger than heartbeat-timeout (${formatDuration(cfg.heartbeatTimeoutMs * 1e6)}): "Leader lease timeout cannot be larger than heartbeat timeout"`,
      'keep leader-lease-timeout at or below heartbeat-timeout')
  }
  if (cfg.electionTimeoutMs < cfg.heartbeatTimeoutMs) {
    throw configError(path, `[meta] election-timeout (${formatDuration(cfg.electionTimeoutMs * 1e6)}) is shorter than heartbeat-timeout (${formatDuration(cfg.heartbeatTimeoutMs * 1e6)}): "Election timeout must be equal or greater than Heartbeat Timeout"`,
      'raise election-timeout to at least heartbeat-timeout')
  }
  if (cfg.authEnabled && cfg.internalSharedSecret === '') {
    throw configError(path, '[meta] auth-enabled = true but internal-shared-secret is empty: influxd-meta (1.6.4+) refuses to start like this',
      'internal-shared-secret = "<a long random string>" under [meta] (the same on every meta node)')
  }
  return cfg
}

function label(section: string, key: string): string {
  return section === '' ? key : `[${section}] ${key}`
}

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}
