/**
 * What a data node's HTTP API (the 8086-style port) needs from the rest of the node, declared where it is used. The
 * node's wiring (data/main.ts) builds one of these from its meta client, store, coordinator and query executor; the
 * API never reaches past it, so it can be started in a test with real parts around it.
 */
import type {Point} from '../../../lineprotocol/point.js'
import type {Logger} from '../../node/logger.js'
import type {StatsRegistry} from '../../node/stats.js'
import type {Consistency} from '../coordinator/points-writer.js'
import type {QueryExecutor} from '../query/index.js'

/** A user as the node's copy of the meta store holds it. `hash` is `scrypt$N$r$p$<salt>$<key>` (never a clear password). */
export interface HttpUser {
  name: string
  hash: string
  admin: boolean
  /** Database ("" = every database) -> privilege names ("READ", "WRITE", "ALL"). */
  permissions: Readonly<Record<string, readonly string[]>>
}

/** The `[http]` settings the API honours (enterprise-1x.md §5.2), already validated; sizes in bytes, 0 = no limit. */
export interface DataHttpConfig {
  /** `[http] bind-address` as configured (the `httpd` statistic's `bind` tag). */
  bindAddress: string
  authEnabled: boolean
  /** `[http] log-enabled`: one access-log line per request. */
  logEnabled: boolean
  /** `[http] write-tracing`: log every write body (debug aid). */
  writeTracing: boolean
  /** `[http] max-body-size` (default 25,000,000). */
  maxBodySize: number
  /** `[http] max-row-limit` (default 0). */
  maxRowLimit: number
  /** `[http] max-connection-limit` (default 0). */
  maxConnectionLimit: number
  /** `[http] shared-secret`: JWT (HS256/HS512) bearer tokens are accepted when it is set. */
  sharedSecret: string
  /** `[http] pprof-enabled` (default true). */
  pprofEnabled: boolean
}

export interface DataHttpDeps {
  /** `<oss>-c<enterprise>`, sent in X-Influxdb-Version (and X-Influxdb-Build: ENT). */
  version: string
  config: DataHttpConfig
  /** The node's root logger; the API logs with child('httpd'). */
  log: Logger
  /** A user by name from the node's copy of the meta store. */
  user(name: string): HttpUser | undefined
  /** How many users the meta store holds (with none, auth-enabled nodes let an admin be created, as influxd does). */
  userCount(): number
  /**
   * True when at least one user is an admin. Optional (added by the HTTP API): influxd skips authentication entirely
   * while no admin user exists (users without admin rights then get `no user provided` on /query), so the API asks
   * this; without it, `userCount() > 0` stands in.
   */
  adminUserExists?(): boolean
  /** True when the database exists in the node's copy of the meta store (/write answers 404 otherwise). */
  hasDatabase(name: string): boolean
  executor: QueryExecutor
  /**
   * Writes parsed points through the coordinator; resolves once the consistency level is met. Rejects with an Error
   * whose message is influxd's body text; an own numeric `status` property, when present, is the HTTP status (else
   * 400 for `partial write...` and `field type conflict...`, 500 for the rest).
   */
  write(database: string, retentionPolicy: string, points: readonly Point[], consistency: Consistency): Promise<void>
  /** Statistics of the whole node; the API registers its own `httpd` source here and /debug/vars collects it. */
  stats: StatsRegistry
  /** Unix ms. */
  now: () => number
}
