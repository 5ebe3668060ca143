/**
 * How a dev meta node reads its influxdb-meta.conf (the node process calls readMetaNodeConfig with its -config path):
 * the documented defaults (enterprise-1x.md §5.1) for every key that is absent, every value checked the way
 * influxd-meta and its Raft library would (Go durations, host:port addresses, the Raft timeout floors and orderings),
 * and a ConfigError naming the file, the key and the fix otherwise. smol-toml is imported lazily.
 *
 * The file is written by the supervisor (cluster/configs/meta.ts, with these defaults); a node throws plain errors,
 * never CLI errors: it logs the message and exits 1, and the supervisor quotes the line.
 */
import {formatShortDuration} from '../../util/duration.js'
import {ConfigReader, readConfigText} from '../node/config-reader.js'
import type {LogFormat, LogLevel} from '../node/logger.js'

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

export {ConfigError} from '../node/config-reader.js'

export interface MetaNodeConfig {
  /** [medic-dev] node; '' when the file is not a dev-cluster config. */
  name: string
  /** [medic-dev] cluster, or null. */
  cluster: string | null
  /** [medic-dev] time-scale (1: real time); lease-duration runs this many times faster. */
  timeScale: number
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
  /** [enterprise] license-key and license-path, as written (meta/license.ts checks them at start-up). */
  licenseKey: string
  licensePath: string
  logFormat: LogFormat
  logLevel: LogLevel
}

/**
 * Reads a meta node's config. Absent keys take Enterprise's defaults; bad TOML or a bad value throws a ConfigError
 * whose message starts with the file's path.
 */
export async function readMetaNodeConfig(path: string): Promise<MetaNodeConfig> {
  return parseMetaNodeConfig(await readConfigText(path), path)
}

export async function parseMetaNodeConfig(text: string, path = 'influxdb-meta.conf'): Promise<MetaNodeConfig> {
  const r = await ConfigReader.parse(text, path)
  const fail = (message: string, fix: string) => r.fail(message, fix)
  const duration = (key: string, dflt: string): number => r.durationMs('meta', key, dflt)
  const address = (key: string, dflt: string): string => r.address('meta', key, dflt)
  const {logFormat, logLevel} = r.logging()
  const dev = r.devMarker()

  const cfg: MetaNodeConfig = {
    name: dev.name,
    cluster: dev.cluster,
    timeScale: dev.timeScale,
    hostname: r.str('', 'hostname', ''),
    dir: r.str('meta', 'dir', '/var/lib/influxdb/meta'),
    bindAddress: address('bind-address', ':8089'),
    httpBindAddress: address('http-bind-address', ':8091'),
    leaseDurationMs: duration('lease-duration', DEFAULT_TIMEOUTS.leaseDuration),
    electionTimeoutMs: duration('election-timeout', DEFAULT_TIMEOUTS.electionTimeout),
    heartbeatTimeoutMs: duration('heartbeat-timeout', DEFAULT_TIMEOUTS.heartbeatTimeout),
    leaderLeaseTimeoutMs: duration('leader-lease-timeout', DEFAULT_TIMEOUTS.leaderLeaseTimeout),
    commitTimeoutMs: duration('commit-timeout', DEFAULT_TIMEOUTS.commitTimeout),
    clusterTracing: r.bool('meta', 'cluster-tracing', false),
    authEnabled: r.bool('meta', 'auth-enabled', false),
    sharedSecret: r.str('meta', 'shared-secret', ''),
    internalSharedSecret: r.str('meta', 'internal-shared-secret', ''),
    licenseKey: r.str('enterprise', 'license-key', '').trim(),
    licensePath: r.str('enterprise', 'license-path', '').trim(),
    logFormat,
    logLevel,
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
