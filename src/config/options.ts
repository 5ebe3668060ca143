/**
 * The documented keys of influxdb-meta.conf (meta nodes) and influxdb.conf (data nodes), per role: type, default,
 * notes and the versions they belong to. Source: the Enterprise 1.x configuration reference (shared reference §5, §7.2,
 * §9) plus the OSS 1.x keys that data nodes inherit. Sections marked `closed` are listed completely: an unknown key
 * there is most likely a typo. In `open` sections medic knows the common keys only and says less about the others.
 */
import {editDistanceWithin} from '../util/edit-distance.js'
import {isSecretish} from './secrets.js'

export type Role = 'meta' | 'data'

export type ValueType =
  | 'string'
  | 'path'
  /** A listen address for net.Listen: "host:port", ":port" or "[v6]:port". */
  | 'address'
  | 'bool'
  | 'int'
  | 'float'
  /** A Go duration string such as "1s", "500ms", "1h30m". */
  | 'duration'
  /** Bytes: an integer, or a string with an optional k/m/g suffix ("10g"). */
  | 'size'
  | 'strings'
  /** Read by a type medic does not check (a group name or id). */
  | 'any'

export interface OptionSpec {
  /** '' for the keys above the first [section] header. */
  section: string
  key: string
  roles: readonly Role[]
  type: ValueType
  /** The default as influxd(-meta) applies it when the key is absent, in TOML syntax. */
  default?: string
  /** Never printed: license keys, shared secrets, passwords. */
  secret?: boolean
  notes?: string
  /** The releases the key belongs to, e.g. "1.6.4+", "1.1–1.2", "removed in 1.2.2". */
  versions?: string
  /** Set when the key is no longer read: the text says since when and what to do. */
  obsolete?: string
  /**
   * The first and last Enterprise releases that read the key, as far as medic's sources show ("1.9", "1.12.3");
   * absent when it is read by every release medic knows (releases.ts also holds these for the older rows).
   */
  since?: string
  until?: string
}

export interface SectionSpec {
  name: string
  roles: readonly Role[]
  /** `[[name]]`: an array of tables (graphite, collectd, opentsdb, udp). */
  array?: boolean
  /** Every key of the section is in the table below. */
  closed: boolean
  /** A table of free-form names (`[http.headers]`): every key is valid. */
  map?: boolean
  notes?: string
}

const M = ['meta'] as const
const D = ['data'] as const
const MD = ['meta', 'data'] as const

export const SECTIONS: readonly SectionSpec[] = [
  {name: '', roles: MD, closed: true},
  {name: 'enterprise', roles: MD, closed: true},
  {name: 'meta', roles: MD, closed: true},
  {name: 'logging', roles: MD, closed: true, notes: '1.5+ structured logging'},
  {name: 'tls', roles: MD, closed: true},
  {name: 'data', roles: D, closed: true},
  {name: 'cluster', roles: D, closed: true},
  {name: 'hinted-handoff', roles: D, closed: true},
  {name: 'anti-entropy', roles: D, closed: true},
  {name: 'retention', roles: D, closed: true},
  {name: 'shard-precreation', roles: D, closed: true},
  {name: 'monitor', roles: D, closed: true},
  {name: 'http', roles: D, closed: true},
  {name: 'http.headers', roles: D, closed: false, map: true, notes: 'extra response headers (1.8+)'},
  {name: 'subscriber', roles: D, closed: true},
  {name: 'continuous_queries', roles: D, closed: true},
  {name: 'flux-controller', roles: D, closed: true, notes: '1.9+'},
  {name: 'admin', roles: D, closed: false, notes: 'removed in 1.3'},
  {name: 'graphite', roles: D, closed: true, array: true},
  {name: 'collectd', roles: D, closed: true, array: true},
  {name: 'opentsdb', roles: D, closed: true, array: true},
  {name: 'udp', roles: D, closed: true, array: true},
]

const LICENSE_NOTE = 'One of license-key or license-path is required (the process aborts start-up without a valid license); they are mutually exclusive.'

export const OPTIONS: readonly OptionSpec[] = [
  // ── top level ───────────────────────────────────────────────────────────────────────────────────────────────
  {section: '', key: 'reporting-disabled', roles: MD, type: 'bool', default: 'false', notes: 'usage reporting to InfluxData'},
  {section: '', key: 'hostname', roles: M, type: 'string', default: '""', notes: 'required for join: advertised in httpAddr/raftAddr; must resolve from every node and match the TLS certificate when HTTPS is on'},
  {section: '', key: 'hostname', roles: D, type: 'string', default: '"localhost"', notes: 'required for join: the address other nodes use for this data node'},
  {section: '', key: 'bind-address', roles: M, type: 'address', default: '""', notes: 'not intended for use on meta nodes'},
  {section: '', key: 'bind-address', roles: D, type: 'address', default: '":8088"', notes: 'cluster RPC: must be reachable from every meta and data node'},
  {section: '', key: 'gossip-frequency', roles: D, type: 'duration', default: '"3s"', notes: 'status announcements to the meta nodes', versions: '1.1.0+'},

  // ── [enterprise] ────────────────────────────────────────────────────────────────────────────────────────────
  {section: 'enterprise', key: 'license-key', roles: MD, type: 'string', default: '""', secret: true, notes: `fetched and re-checked against portal.influxdata.com every 4h. ${LICENSE_NOTE}`},
  {section: 'enterprise', key: 'license-path', roles: MD, type: 'path', default: '""', notes: `an offline JSON license file. ${LICENSE_NOTE}`},
  {section: 'enterprise', key: 'registration-enabled', roles: MD, type: 'bool', default: 'true', versions: '1.1–1.2', until: '1.2', obsolete: 'the web console registration is gone since 1.3; the key is ignored'},
  {section: 'enterprise', key: 'registration-server-url', roles: MD, type: 'string', default: '""', versions: '1.1–1.2', until: '1.2', obsolete: 'the web console registration is gone since 1.3; the key is ignored'},

  // ── [meta] on meta nodes ────────────────────────────────────────────────────────────────────────────────────
  {section: 'meta', key: 'dir', roles: M, type: 'path', default: '"/var/lib/influxdb/meta"', notes: 'raft.db, peers.json and snapshots/'},
  {section: 'meta', key: 'bind-address', roles: M, type: 'address', default: '":8089"', notes: 'Raft, between meta nodes only'},
  {section: 'meta', key: 'http-bind-address', roles: M, type: 'address', default: '":8091"', notes: 'the meta API used by data nodes, influxd-ctl and Chronograf'},
  {section: 'meta', key: 'https-enabled', roles: M, type: 'bool', default: 'false', notes: 'then influxd-ctl needs -bind-tls and data nodes meta-tls-enabled = true'},
  {section: 'meta', key: 'https-certificate', roles: M, type: 'path', default: '""'},
  {section: 'meta', key: 'https-private-key', roles: M, type: 'path', default: '""'},
  {section: 'meta', key: 'https-insecure-tls', roles: M, type: 'bool', default: 'false'},
  {section: 'meta', key: 'https-insecure-certificate', roles: M, type: 'bool', default: 'false', versions: '1.12.3+'},
  {section: 'meta', key: 'data-use-tls', roles: M, type: 'bool', default: 'false', notes: 'meta-to-data TLS'},
  {section: 'meta', key: 'data-insecure-tls', roles: M, type: 'bool', default: 'false'},
  {section: 'meta', key: 'gossip-frequency', roles: M, type: 'duration', default: '"5s"'},
  {section: 'meta', key: 'announcement-expiration', roles: M, type: 'duration', default: '"30s"', notes: 'a node silent for longer shows no version in influxd-ctl show'},
  {section: 'meta', key: 'retention-autocreate', roles: MD, type: 'bool', default: 'true', notes: 'the autogen retention policy of new databases'},
  {section: 'meta', key: 'election-timeout', roles: M, type: 'duration', default: '"1s"', notes: 'raft'},
  {section: 'meta', key: 'heartbeat-timeout', roles: M, type: 'duration', default: '"1s"', notes: 'raft; raise on high-latency links'},
  {section: 'meta', key: 'leader-lease-timeout', roles: M, type: 'duration', default: '"500ms"', notes: 'raft'},
  {section: 'meta', key: 'commit-timeout', roles: M, type: 'duration', default: '"50ms"', notes: 'raft'},
  {section: 'meta', key: 'consensus-timeout', roles: M, type: 'duration', default: '"30s"'},
  {section: 'meta', key: 'cluster-tracing', roles: M, type: 'bool', default: 'false', notes: 'meta HTTP request logging and raft debug output'},
  {section: 'meta', key: 'logging-enabled', roles: MD, type: 'bool', default: 'true'},
  {section: 'meta', key: 'pprof-enabled', roles: M, type: 'bool', default: 'true'},
  {section: 'meta', key: 'lease-duration', roles: M, type: 'duration', default: '"1m0s"', notes: 'the continuous-query lease'},
  {section: 'meta', key: 'auth-enabled', roles: M, type: 'bool', default: 'false', notes: 'must equal meta-auth-enabled on every data node', versions: '1.1.0+'},
  {section: 'meta', key: 'shared-secret', roles: M, type: 'string', default: '""', secret: true, notes: 'signs JWTs for the public meta API (influxd-ctl -auth-type jwt)'},
  {section: 'meta', key: 'internal-shared-secret', roles: M, type: 'string', default: '""', secret: true, notes: 'signs node-to-node JWTs; must equal meta-internal-shared-secret on every data node; required with auth-enabled since 1.6.4'},
  {section: 'meta', key: 'ldap-allowed', roles: M, type: 'bool', default: 'false'},
  {section: 'meta', key: 'password-hash', roles: M, type: 'string', default: '"bcrypt"', notes: 'bcrypt, or pbkdf2-sha256 / pbkdf2-sha512 for FIPS'},
  {section: 'meta', key: 'ensure-fips', roles: M, type: 'bool', default: 'false', notes: 'refuses to start with a non-FIPS password-hash such as bcrypt'},
  {section: 'meta', key: 'raft-portal-auth-required', roles: M, type: 'bool', default: 'false', versions: '1.12.0+'},
  {section: 'meta', key: 'raft-dialer-auth-required', roles: M, type: 'bool', default: 'false', versions: '1.12.0+'},

  // ── [meta] on data nodes ────────────────────────────────────────────────────────────────────────────────────
  {section: 'meta', key: 'dir', roles: D, type: 'path', default: '"/var/lib/influxdb/meta"', notes: 'required: the data node\'s local copy of the meta data (client.json)'},
  {section: 'meta', key: 'meta-tls-enabled', roles: D, type: 'bool', default: 'false', notes: 'talk HTTPS to the meta nodes; must match their https-enabled'},
  {section: 'meta', key: 'meta-insecure-tls', roles: D, type: 'bool', default: 'false'},
  {section: 'meta', key: 'meta-auth-enabled', roles: D, type: 'bool', default: 'false', notes: 'must equal auth-enabled on the meta nodes'},
  {section: 'meta', key: 'meta-internal-shared-secret', roles: D, type: 'string', default: '""', secret: true, notes: 'must equal internal-shared-secret on the meta nodes'},

  // ── [logging] (1.5+) ────────────────────────────────────────────────────────────────────────────────────────
  {section: 'logging', key: 'format', roles: MD, type: 'string', default: '"auto"', notes: 'auto, logfmt or json', versions: '1.5+'},
  {section: 'logging', key: 'level', roles: MD, type: 'string', default: '"info"', notes: 'debug, info, warn or error', versions: '1.5+'},
  {section: 'logging', key: 'suppress-logo', roles: MD, type: 'bool', default: 'false', versions: '1.5+'},

  // ── [data] (OSS storage engine keys the data nodes inherit) ─────────────────────────────────────────────────
  {section: 'data', key: 'dir', roles: D, type: 'path', default: '"/var/lib/influxdb/data"'},
  {section: 'data', key: 'wal-dir', roles: D, type: 'path', default: '"/var/lib/influxdb/wal"'},
  {section: 'data', key: 'wal-fsync-delay', roles: D, type: 'duration', default: '"0s"'},
  {section: 'data', key: 'index-version', roles: D, type: 'string', default: '"inmem"', notes: 'inmem or tsi1'},
  {section: 'data', key: 'trace-logging-enabled', roles: D, type: 'bool', default: 'false'},
  {section: 'data', key: 'query-log-enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'data', key: 'cache-max-memory-size', roles: D, type: 'size', default: '"1g"'},
  {section: 'data', key: 'cache-snapshot-memory-size', roles: D, type: 'size', default: '"25m"'},
  {section: 'data', key: 'cache-snapshot-write-cold-duration', roles: D, type: 'duration', default: '"10m0s"'},
  {section: 'data', key: 'compact-full-write-cold-duration', roles: D, type: 'duration', default: '"4h0m0s"'},
  {section: 'data', key: 'max-concurrent-compactions', roles: D, type: 'int', default: '0'},
  {section: 'data', key: 'compact-throughput', roles: D, type: 'size', default: '"48m"'},
  {section: 'data', key: 'compact-throughput-burst', roles: D, type: 'size', default: '"48m"'},
  {section: 'data', key: 'max-index-log-file-size', roles: D, type: 'size', default: '"1m"'},
  {section: 'data', key: 'max-series-per-database', roles: D, type: 'int', default: '1000000'},
  {section: 'data', key: 'max-values-per-tag', roles: D, type: 'int', default: '100000'},
  {section: 'data', key: 'series-id-set-cache-size', roles: D, type: 'int', default: '100'},
  {section: 'data', key: 'tsm-use-madv-willneed', roles: D, type: 'bool', default: 'false'},
  {section: 'data', key: 'validate-keys', roles: D, type: 'bool', default: 'false', versions: '1.7+'},

  // ── [cluster] ───────────────────────────────────────────────────────────────────────────────────────────────
  {section: 'cluster', key: 'dial-timeout', roles: D, type: 'duration', default: '"1s"'},
  {section: 'cluster', key: 'shard-writer-timeout', roles: D, type: 'duration', default: '"5s"', versions: 'up to 1.2.1', until: '1.2.1', obsolete: 'removed in 1.2.2 (now internal); the key is ignored'},
  {section: 'cluster', key: 'shard-reader-timeout', roles: D, type: 'duration', default: '"0"'},
  {section: 'cluster', key: 'max-remote-write-connections', roles: D, type: 'int', default: '50', versions: 'up to 1.2', until: '1.2', obsolete: 'deprecated in 1.3.0, when inter-node RPC became multiplexed streams; the key has no effect'},
  {section: 'cluster', key: 'pool-max-idle-time', roles: D, type: 'duration', default: '"60s"', versions: '1.3.0+'},
  {section: 'cluster', key: 'pool-max-idle-streams', roles: D, type: 'int', default: '100', versions: '1.3.0+'},
  {section: 'cluster', key: 'allow-out-of-order-writes', roles: D, type: 'bool', default: 'false', versions: '1.8.2+'},
  {section: 'cluster', key: 'write-timeout', roles: D, type: 'duration', default: '"10s"', notes: 'whole-request write timeout; clients then see {"error":"timeout"}'},
  {section: 'cluster', key: 'cluster-tracing', roles: D, type: 'bool', default: 'false'},
  {section: 'cluster', key: 'https-enabled', roles: D, type: 'bool', default: 'false', notes: 'data-to-data TLS', versions: '1.7+'},
  {section: 'cluster', key: 'https-certificate', roles: D, type: 'path', default: '""', versions: '1.7+'},
  {section: 'cluster', key: 'https-private-key', roles: D, type: 'path', default: '""', versions: '1.7+'},
  {section: 'cluster', key: 'https-insecure-tls', roles: D, type: 'bool', default: 'false', versions: '1.7+'},
  {section: 'cluster', key: 'max-concurrent-queries', roles: D, type: 'int', default: '0'},
  {section: 'cluster', key: 'query-timeout', roles: D, type: 'duration', default: '"0s"'},
  {section: 'cluster', key: 'log-queries-after', roles: D, type: 'duration', default: '"0s"'},
  {section: 'cluster', key: 'max-select-point', roles: D, type: 'int', default: '0'},
  {section: 'cluster', key: 'max-select-series', roles: D, type: 'int', default: '0'},
  {section: 'cluster', key: 'max-select-buckets', roles: D, type: 'int', default: '0'},
  {section: 'cluster', key: 'rpc-resettable-read-timeout', roles: D, type: 'duration', default: '"15m"', versions: '1.12.3+'},
  {section: 'cluster', key: 'rpc-resettable-write-timeout', roles: D, type: 'duration', default: '"15m"', versions: '1.12.3+'},

  // ── [hinted-handoff] ────────────────────────────────────────────────────────────────────────────────────────
  {section: 'hinted-handoff', key: 'enabled', roles: D, type: 'bool', default: 'true', notes: 'disabling it risks losing writes while a node is down'},
  {section: 'hinted-handoff', key: 'dir', roles: D, type: 'path', default: '"/var/lib/influxdb/hh"', notes: 'must be set (HintedHandoff.Dir must be specified); one sub-directory per destination node'},
  {section: 'hinted-handoff', key: 'max-size', roles: D, type: 'size', default: '10737418240', notes: 'bytes per destination node queue (per peer since 1.5.3); a full queue rejects writes with "queue is full"'},
  {section: 'hinted-handoff', key: 'max-age', roles: D, type: 'duration', default: '"168h0m0s"', notes: 'measured from when the write was queued, not from the point timestamps'},
  {section: 'hinted-handoff', key: 'retry-concurrency', roles: D, type: 'int', default: '20'},
  {section: 'hinted-handoff', key: 'retry-rate-limit', roles: D, type: 'int', default: '0', notes: 'bytes per second, 0 = unlimited'},
  {section: 'hinted-handoff', key: 'retry-interval', roles: D, type: 'duration', default: '"1s"'},
  {section: 'hinted-handoff', key: 'retry-max-interval', roles: D, type: 'duration', default: '"200s"', notes: 'back-off cap: 10s in the 1.0–1.8 docs, 200s in the 1.9+ docs'},
  {section: 'hinted-handoff', key: 'purge-interval', roles: D, type: 'duration', default: '"1m0s"'},
  {section: 'hinted-handoff', key: 'batch-size', roles: D, type: 'int', default: '512000', notes: 'bytes per hinted-handoff write request', versions: '1.3+'},
  {section: 'hinted-handoff', key: 'max-writes-pending', roles: D, type: 'int', default: '1024', versions: '1.8.2+'},

  // ── [anti-entropy] ──────────────────────────────────────────────────────────────────────────────────────────
  {section: 'anti-entropy', key: 'enabled', roles: D, type: 'bool', default: 'false', notes: 'disabled by default since 1.7.3 (digests cost CPU)', versions: '1.3+'},
  {section: 'anti-entropy', key: 'check-interval', roles: D, type: 'duration', default: '"5m"', versions: '1.3+'},
  {section: 'anti-entropy', key: 'max-fetch', roles: D, type: 'int', default: '10', versions: '1.3+'},
  {section: 'anti-entropy', key: 'max-sync', roles: D, type: 'int', default: '1', versions: '1.6+'},
  {section: 'anti-entropy', key: 'auto-repair-missing', roles: D, type: 'bool', default: 'true', versions: '1.6+'},

  // ── [continuous_queries] ────────────────────────────────────────────────────────────────────────────────────
  {section: 'continuous_queries', key: 'enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'continuous_queries', key: 'log-enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'continuous_queries', key: 'run-interval', roles: D, type: 'duration', default: '"1s"'},
  {section: 'continuous_queries', key: 'query-stats-enabled', roles: D, type: 'bool', default: 'false'},

  // ── [http] ──────────────────────────────────────────────────────────────────────────────────────────────────
  {section: 'http', key: 'enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'http', key: 'bind-address', roles: D, type: 'address', default: '":8086"', notes: 'the public API: /write, /query, /ping'},
  {section: 'http', key: 'auth-enabled', roles: D, type: 'bool', default: 'false'},
  {section: 'http', key: 'realm', roles: D, type: 'string', default: '"InfluxDB"'},
  {section: 'http', key: 'log-enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'http', key: 'suppress-write-log', roles: D, type: 'bool', default: 'false'},
  {section: 'http', key: 'access-log-path', roles: D, type: 'path', default: '""'},
  {section: 'http', key: 'write-tracing', roles: D, type: 'bool', default: 'false'},
  {section: 'http', key: 'pprof-enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'http', key: 'https-enabled', roles: D, type: 'bool', default: 'false'},
  {section: 'http', key: 'https-certificate', roles: D, type: 'path', default: '"/etc/ssl/influxdb.pem"'},
  {section: 'http', key: 'https-private-key', roles: D, type: 'path', default: '""'},
  {section: 'http', key: 'shared-secret', roles: D, type: 'string', default: '""', secret: true, notes: 'JWT secret for port 8086'},
  {section: 'http', key: 'max-row-limit', roles: D, type: 'int', default: '0'},
  {section: 'http', key: 'max-connection-limit', roles: D, type: 'int', default: '0'},
  {section: 'http', key: 'max-body-size', roles: D, type: 'int', default: '25000000'},

  // ── [retention], [shard-precreation], [monitor] ─────────────────────────────────────────────────────────────
  {section: 'retention', key: 'enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'retention', key: 'check-interval', roles: D, type: 'duration', default: '"30m"'},
  {section: 'shard-precreation', key: 'enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'shard-precreation', key: 'check-interval', roles: D, type: 'duration', default: '"10m"'},
  {section: 'shard-precreation', key: 'advance-period', roles: D, type: 'duration', default: '"30m"'},
  {section: 'monitor', key: 'store-enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'monitor', key: 'store-database', roles: D, type: 'string', default: '"_internal"'},
  {section: 'monitor', key: 'store-interval', roles: D, type: 'duration', default: '"10s"'},
  {section: 'monitor', key: 'remote-collect-interval', roles: D, type: 'duration', default: '"10s"'},

  // ── [subscriber], [tls] (OSS 1.x) ───────────────────────────────────────────────────────────────────────────
  {section: 'subscriber', key: 'enabled', roles: D, type: 'bool', default: 'true'},
  {section: 'subscriber', key: 'http-timeout', roles: D, type: 'duration', default: '"30s"'},
  {section: 'subscriber', key: 'insecure-skip-verify', roles: D, type: 'bool', default: 'false'},
  {section: 'subscriber', key: 'ca-certs', roles: D, type: 'path', default: '""'},
  {section: 'subscriber', key: 'write-concurrency', roles: D, type: 'int', default: '40'},
  {section: 'subscriber', key: 'write-buffer-size', roles: D, type: 'int', default: '1000'},
  {section: 'tls', key: 'ciphers', roles: MD, type: 'strings', notes: 'Go cipher suite names'},
  {section: 'tls', key: 'min-version', roles: MD, type: 'string', default: '""', notes: 'tls1.0 ... tls1.3'},
  {section: 'tls', key: 'max-version', roles: MD, type: 'string', default: '""'},

  // ── generated from the per-release references (docs-v2) and the OSS source of each release (see releases.ts) ──
  {section: '', key: 'compact-series-file', roles: D, type: 'bool', default: 'false', notes: 'compact series files at start-up', since: '1.11.4'},
  {section: 'cluster', key: 'https-insecure-certificate', roles: D, type: 'bool', default: 'false', since: '1.12.3'},
  {section: 'cluster', key: 'log-timedout-queries', roles: D, type: 'bool', default: 'false', since: '1.11'},
  {section: 'cluster', key: 'max-concurrent-deletes', roles: D, type: 'int', default: '1', since: '1.9'},
  {section: 'cluster', key: 'termination-query-log', roles: D, type: 'bool', default: 'false', since: '1.9'},
  {section: 'collectd', key: 'auth-file', roles: D, type: 'string'},
  {section: 'collectd', key: 'batch-pending', roles: D, type: 'int'},
  {section: 'collectd', key: 'batch-size', roles: D, type: 'int'},
  {section: 'collectd', key: 'batch-timeout', roles: D, type: 'duration'},
  {section: 'collectd', key: 'bind-address', roles: D, type: 'string'},
  {section: 'collectd', key: 'database', roles: D, type: 'string'},
  {section: 'collectd', key: 'enabled', roles: D, type: 'bool'},
  {section: 'collectd', key: 'parse-multivalue-plugin', roles: D, type: 'string'},
  {section: 'collectd', key: 'read-buffer', roles: D, type: 'int'},
  {section: 'collectd', key: 'retention-policy', roles: D, type: 'string'},
  {section: 'collectd', key: 'security-level', roles: D, type: 'string'},
  {section: 'collectd', key: 'typesdb', roles: D, type: 'string'},
  {section: 'data', key: 'aggressive-points-per-block', roles: D, type: 'size', since: '1.12.0'},
  {section: 'data', key: 'ingress-metric-by-login-enabled', roles: D, type: 'bool', since: '1.9'},
  {section: 'data', key: 'ingress-metric-by-measurement-enabled', roles: D, type: 'bool', since: '1.9'},
  {section: 'data', key: 'max-concurrent-deletes', roles: D, type: 'int', since: '1.9'},
  {section: 'data', key: 'max-concurrent-optimized-compactions', roles: D, type: 'int', since: '1.12'},
  {section: 'data', key: 'query-log-path', roles: D, type: 'path', since: '1.12.0'},
  {section: 'data', key: 'series-file-max-concurrent-snapshot-compactions', roles: D, type: 'int', since: '1.8'},
  {section: 'data', key: 'skip-field-size-validation', roles: D, type: 'bool', since: '1.9'},
  {section: 'data', key: 'strict-error-handling', roles: D, type: 'bool', since: '1.8'},
  {section: 'data', key: 'tar-stream-buffer-size', roles: D, type: 'int', since: '1.12'},
  {section: 'flux-controller', key: 'query-concurrency', roles: D, type: 'int', since: '1.9'},
  {section: 'flux-controller', key: 'query-initial-memory-bytes', roles: D, type: 'int', since: '1.9'},
  {section: 'flux-controller', key: 'query-max-memory-bytes', roles: D, type: 'int', since: '1.9'},
  {section: 'flux-controller', key: 'query-queue-size', roles: D, type: 'int', since: '1.9'},
  {section: 'flux-controller', key: 'total-max-memory-bytes', roles: D, type: 'int', since: '1.9'},
  {section: 'graphite', key: 'batch-pending', roles: D, type: 'int'},
  {section: 'graphite', key: 'batch-size', roles: D, type: 'int'},
  {section: 'graphite', key: 'batch-timeout', roles: D, type: 'duration'},
  {section: 'graphite', key: 'bind-address', roles: D, type: 'string'},
  {section: 'graphite', key: 'consistency-level', roles: D, type: 'string'},
  {section: 'graphite', key: 'database', roles: D, type: 'string'},
  {section: 'graphite', key: 'enabled', roles: D, type: 'bool'},
  {section: 'graphite', key: 'protocol', roles: D, type: 'string'},
  {section: 'graphite', key: 'retention-policy', roles: D, type: 'string'},
  {section: 'graphite', key: 'separator', roles: D, type: 'string'},
  {section: 'graphite', key: 'tags', roles: D, type: 'strings'},
  {section: 'graphite', key: 'templates', roles: D, type: 'strings'},
  {section: 'graphite', key: 'udp-read-buffer', roles: D, type: 'int'},
  {section: 'hinted-handoff', key: 'max-pending-writes', roles: D, type: 'int', notes: 'the name in the 1.8 and 1.9 docs and release notes; 1.10+ docs and the clone say max-writes-pending', since: '1.8', until: '1.9'},
  {section: 'http', key: 'access-log-status-filters', roles: D, type: 'strings', since: '1.7'},
  {section: 'http', key: 'bind-socket', roles: D, type: 'string'},
  {section: 'http', key: 'debug-pprof-enabled', roles: D, type: 'bool'},
  {section: 'http', key: 'enqueued-write-timeout', roles: D, type: 'int', notes: 'a Go time.Duration without a TOML wrapper: an integer of nanoseconds, not a duration string'},
  {section: 'http', key: 'flux-enabled', roles: D, type: 'bool', since: '1.7'},
  {section: 'http', key: 'flux-log-enabled', roles: D, type: 'bool', since: '1.7'},
  {section: 'http', key: 'flux-testing', roles: D, type: 'bool', since: '1.11'},
  {section: 'http', key: 'https-insecure-certificate', roles: D, type: 'bool', since: '1.12.3'},
  {section: 'http', key: 'max-concurrent-write-limit', roles: D, type: 'int'},
  {section: 'http', key: 'max-enqueued-write-limit', roles: D, type: 'int'},
  {section: 'http', key: 'ping-auth-enabled', roles: D, type: 'bool', since: '1.7'},
  {section: 'http', key: 'pprof-auth-enabled', roles: D, type: 'bool', since: '1.7'},
  {section: 'http', key: 'prom-read-auth-enabled', roles: D, type: 'bool', since: '1.8'},
  {section: 'http', key: 'unix-socket-enabled', roles: D, type: 'bool'},
  {section: 'http', key: 'unix-socket-group', roles: D, type: 'any', notes: 'a group name or a numeric id'},
  {section: 'http', key: 'unix-socket-permissions', roles: D, type: 'string', notes: 'octal, as a string ("0777")'},
  {section: 'http', key: 'user-query-bytes-enabled', roles: D, type: 'bool', since: '1.12.3'},
  {section: 'meta', key: 'ensure-fips', roles: D, type: 'bool', default: 'false', since: '1.9'},
  {section: 'meta', key: 'password-hash', roles: D, type: 'string', default: '"bcrypt"', notes: 'must match the meta nodes\' password-hash', since: '1.9'},
  {section: 'opentsdb', key: 'batch-pending', roles: D, type: 'int'},
  {section: 'opentsdb', key: 'batch-size', roles: D, type: 'int'},
  {section: 'opentsdb', key: 'batch-timeout', roles: D, type: 'duration'},
  {section: 'opentsdb', key: 'bind-address', roles: D, type: 'string'},
  {section: 'opentsdb', key: 'certificate', roles: D, type: 'string'},
  {section: 'opentsdb', key: 'consistency-level', roles: D, type: 'string'},
  {section: 'opentsdb', key: 'database', roles: D, type: 'string'},
  {section: 'opentsdb', key: 'enabled', roles: D, type: 'bool'},
  {section: 'opentsdb', key: 'insecure-certificate', roles: D, type: 'bool', since: '1.12'},
  {section: 'opentsdb', key: 'log-point-errors', roles: D, type: 'bool'},
  {section: 'opentsdb', key: 'private-key', roles: D, type: 'string', since: '1.12'},
  {section: 'opentsdb', key: 'retention-policy', roles: D, type: 'string'},
  {section: 'opentsdb', key: 'tls-enabled', roles: D, type: 'bool'},
  {section: 'subscriber', key: 'total-buffer-bytes', roles: D, type: 'int', since: '1.9'},
  {section: 'tls', key: 'advanced-expiration', roles: D, type: 'duration', since: '1.12.3'},
  {section: 'udp', key: 'batch-pending', roles: D, type: 'int'},
  {section: 'udp', key: 'batch-size', roles: D, type: 'int'},
  {section: 'udp', key: 'batch-timeout', roles: D, type: 'duration'},
  {section: 'udp', key: 'bind-address', roles: D, type: 'string'},
  {section: 'udp', key: 'database', roles: D, type: 'string'},
  {section: 'udp', key: 'enabled', roles: D, type: 'bool'},
  {section: 'udp', key: 'precision', roles: D, type: 'string'},
  {section: 'udp', key: 'read-buffer', roles: D, type: 'int'},
  {section: 'udp', key: 'retention-policy', roles: D, type: 'string'},
  {section: 'udp', key: 'writers', roles: D, type: 'int', since: '1.12'},
]

/** Key names that hold secrets in any section (also in sections medic does not know key by key). */
export const SECRET_KEY = /(?:^|[-_])(?:secret|password|passwd|pwd|token)$|^licen[cs]e[-_]?key$/i

// Indexes, so that a file with 50,000 keys costs a map lookup per key, not a pass over the table.
const BY_SECTION = new Map<string, OptionSpec[]>()
const BY_KEY = new Map<string, OptionSpec[]>()
const SECTION_BY_NAME = new Map<string, SectionSpec[]>()
for (const o of OPTIONS) {
  BY_SECTION.set(o.section, [...(BY_SECTION.get(o.section) ?? []), o])
  BY_KEY.set(o.key, [...(BY_KEY.get(o.key) ?? []), o])
}
for (const s of SECTIONS) SECTION_BY_NAME.set(s.name, [...(SECTION_BY_NAME.get(s.name) ?? []), s])

const forRole = <T extends {roles: readonly Role[]}>(list: readonly T[] | undefined, role: Role | undefined): T[] =>
  (list ?? []).filter((x) => role === undefined || x.roles.includes(role))

export function sectionSpec(role: Role | undefined, name: string): SectionSpec | undefined {
  return SECTION_BY_NAME.get(name)?.find((s) => role === undefined || s.roles.includes(role))
}

/** Every section spec of that name, whatever the role. */
export function sectionSpecs(name: string): readonly SectionSpec[] {
  return SECTION_BY_NAME.get(name) ?? []
}

export function optionSpec(role: Role | undefined, section: string, key: string): OptionSpec | undefined {
  return BY_SECTION.get(section)?.find((o) => o.key === key && (role === undefined || o.roles.includes(role)))
}

/** The documented keys of a section, for a role (every role when undefined). */
export function optionsIn(section: string, role: Role | undefined): OptionSpec[] {
  return forRole(BY_SECTION.get(section), role)
}

/** The documented keys of that name, in any section, for a role. */
export function optionsNamed(key: string, role: Role | undefined): OptionSpec[] {
  return forRole(BY_KEY.get(key), role)
}

export function optionsFor(role: Role | undefined): OptionSpec[] {
  return OPTIONS.filter((o) => role === undefined || o.roles.includes(role))
}

/** How a key is written in findings: `hostname`, `meta.dir`, `hinted-handoff.max-size`. */
export function keyName(section: string, key: string): string {
  return section === '' ? key : `${section}.${key}`
}

/** The environment variable influxd(-meta) reads for a key: INFLUXDB_HINTED_HANDOFF_MAX_SIZE, INFLUXDB_HOSTNAME. */
export function envName(section: string, key: string): string {
  return ['INFLUXDB', section, key].filter(Boolean).join('_').replaceAll('-', '_').toUpperCase()
}

/** Values never printed: documented secrets, and any key whose name looks like one (typos included). */
export function isSecretKey(key: string, spec?: OptionSpec): boolean {
  return spec?.secret === true || SECRET_KEY.test(key) || (spec === undefined && isSecretish(key))
}

/** Names longer than this get no "did you mean": no config key is that long, and the comparison would cost time. */
const MAX_SUGGEST_LENGTH = 64

function typoBudget(a: string, b: string): number {
  return Math.max(1, Math.min(3, Math.floor(Math.max(a.length, b.length) / 4)))
}

/** Close enough to be a typo: underscores for dashes, a letter or two off. */
export function isNear(a: string, b: string): boolean {
  const x = a.toLowerCase().replaceAll('_', '-')
  const y = b.toLowerCase().replaceAll('_', '-')
  if (x === y) return true
  if (x.length > MAX_SUGGEST_LENGTH || y.length > MAX_SUGGEST_LENGTH) return false
  const max = typoBudget(x, y)
  return editDistanceWithin(x, y, max) <= max
}

/**
 * The candidates close enough to be a typo of `name`, nearest first. Bounded work: names over 64 characters get no
 * suggestion, and each comparison stops once the distance exceeds the typo budget (at most 3).
 */
export function nearest(name: string, candidates: Iterable<string>): string[] {
  if (name.length > MAX_SUGGEST_LENGTH) return []
  const norm = (x: string) => x.toLowerCase().replaceAll('_', '-')
  const n = norm(name)
  const scored: Array<{c: string; d: number}> = []
  for (const c of new Set(candidates)) {
    const m = norm(c)
    if (m.length > MAX_SUGGEST_LENGTH) continue
    const max = typoBudget(m, n)
    const d = m === n ? 0 : editDistanceWithin(m, n, max)
    if (d <= max) scored.push({c, d})
  }
  return scored.sort((a, b) => a.d - b.d || a.c.localeCompare(b.c)).map((x) => x.c)
}

let keyNames: Set<string> | undefined

/** A key name (the last segment) documented in any section, for any role. */
export function isKnownKeyName(name: string): boolean {
  keyNames ??= new Set(OPTIONS.map((o) => o.key))
  return keyNames.has(name)
}

/** A section name medic knows, for any role. */
export function isKnownSection(name: string): boolean {
  return name !== '' && SECTION_BY_NAME.has(name)
}
