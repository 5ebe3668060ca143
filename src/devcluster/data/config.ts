/**
 * How a dev data node reads its influxdb.conf (the process calls readDataNodeConfig with its -config path): every key
 * the node uses, with Enterprise's documented defaults (enterprise-1x.md §5.2, data-nodes.md) when absent, each value
 * checked as influxd checks it, and a ConfigError naming the file, the key and the fix otherwise. The supervisor
 * writes the file (cluster/configs/data.ts) with these defaults.
 */
import {ConfigReader, readConfigText} from '../node/config-reader.js'
import type {LogFormat, LogLevel} from '../node/logger.js'

export {ConfigError} from '../node/config-reader.js'

export interface DataNodeConfig {
  /** [medic-dev] node ('' when the file is not a dev-cluster config) and cluster folder. */
  name: string
  clusterDir: string | null
  /**
   * [medic-dev] time-scale (1: real time): hinted handoff's max-age, purge-interval and retry back-off, the monitor's
   * store-interval and the CQ run-interval run this many times faster; the values logged stay those of the file.
   */
  timeScale: number
  hostname: string
  /** Top-level bind-address: the cluster RPC (8088-style). */
  bindAddress: string
  gossipFrequencyMs: number
  meta: {dir: string; metaAuthEnabled: boolean; metaInternalSharedSecret: string; retentionAutocreate: boolean}
  data: {dir: string; walDir: string; maxSeriesPerDatabase: number; maxValuesPerTag: number; walFsyncDelayMs: number}
  cluster: {dialTimeoutMs: number; writeTimeoutMs: number; shardReaderTimeoutMs: number; allowOutOfOrderWrites: boolean; clusterTracing: boolean}
  hintedHandoff: {
    enabled: boolean; dir: string; maxSize: number; maxAgeMs: number; retryConcurrency: number; retryRateLimit: number
    retryIntervalMs: number; retryMaxIntervalMs: number; purgeIntervalMs: number; batchSize: number; maxWritesPending: number
  }
  http: {
    enabled: boolean; bindAddress: string; authEnabled: boolean; logEnabled: boolean; writeTracing: boolean; pprofEnabled: boolean
    maxBodySize: number; maxRowLimit: number; maxConnectionLimit: number; sharedSecret: string
  }
  continuousQueries: {enabled: boolean; logEnabled: boolean; runIntervalMs: number}
  monitor: {storeEnabled: boolean; storeDatabase: string; storeIntervalMs: number}
  retention: {enabled: boolean; checkIntervalMs: number}
  shardPrecreation: {enabled: boolean; checkIntervalMs: number; advancePeriodMs: number}
  logFormat: LogFormat
  logLevel: LogLevel
}

/** Reads a data node's config; absent keys take Enterprise's defaults, bad ones throw a ConfigError. */
export async function readDataNodeConfig(path: string): Promise<DataNodeConfig> {
  return parseDataNodeConfig(await readConfigText(path), path)
}

export async function parseDataNodeConfig(text: string, path = 'influxdb.conf'): Promise<DataNodeConfig> {
  const r = await ConfigReader.parse(text, path)
  const dev = r.devMarker()
  const cfg: DataNodeConfig = {
    name: dev.name,
    clusterDir: dev.cluster,
    timeScale: dev.timeScale,
    hostname: r.str('', 'hostname', 'localhost'),
    bindAddress: r.address('', 'bind-address', ':8088'),
    gossipFrequencyMs: r.durationMs('', 'gossip-frequency', '3s'),
    meta: {
      dir: r.str('meta', 'dir', '/var/lib/influxdb/meta'),
      metaAuthEnabled: r.bool('meta', 'meta-auth-enabled', false),
      metaInternalSharedSecret: r.str('meta', 'meta-internal-shared-secret', ''),
      retentionAutocreate: r.bool('meta', 'retention-autocreate', true),
    },
    data: {
      dir: r.str('data', 'dir', '/var/lib/influxdb/data'),
      walDir: r.str('data', 'wal-dir', '/var/lib/influxdb/wal'),
      maxSeriesPerDatabase: r.int('data', 'max-series-per-database', 1_000_000),
      maxValuesPerTag: r.int('data', 'max-values-per-tag', 100_000),
      walFsyncDelayMs: r.durationMs('data', 'wal-fsync-delay', '0s', true),
    },
    cluster: {
      dialTimeoutMs: r.durationMs('cluster', 'dial-timeout', '1s'),
      writeTimeoutMs: r.durationMs('cluster', 'write-timeout', '10s'),
      shardReaderTimeoutMs: r.durationMs('cluster', 'shard-reader-timeout', '0s', true),
      allowOutOfOrderWrites: r.bool('cluster', 'allow-out-of-order-writes', false),
      clusterTracing: r.bool('cluster', 'cluster-tracing', false),
    },
    hintedHandoff: {
      enabled: r.bool('hinted-handoff', 'enabled', true),
      dir: r.str('hinted-handoff', 'dir', '/var/lib/influxdb/hh'),
      maxSize: r.size('hinted-handoff', 'max-size', 10_737_418_240),
      maxAgeMs: r.durationMs('hinted-handoff', 'max-age', '168h0m0s'),
      retryConcurrency: r.int('hinted-handoff', 'retry-concurrency', 20),
      retryRateLimit: r.size('hinted-handoff', 'retry-rate-limit', 0),
      retryIntervalMs: r.durationMs('hinted-handoff', 'retry-interval', '1s'),
      retryMaxIntervalMs: r.durationMs('hinted-handoff', 'retry-max-interval', '200s'),
      purgeIntervalMs: r.durationMs('hinted-handoff', 'purge-interval', '1m0s'),
      batchSize: r.size('hinted-handoff', 'batch-size', 512_000),
      maxWritesPending: r.int('hinted-handoff', 'max-writes-pending', 1024),
    },
    http: {
      enabled: r.bool('http', 'enabled', true),
      bindAddress: r.address('http', 'bind-address', ':8086'),
      authEnabled: r.bool('http', 'auth-enabled', false),
      logEnabled: r.bool('http', 'log-enabled', true),
      writeTracing: r.bool('http', 'write-tracing', false),
      pprofEnabled: r.bool('http', 'pprof-enabled', true),
      maxBodySize: r.int('http', 'max-body-size', 25_000_000),
      maxRowLimit: r.int('http', 'max-row-limit', 0),
      maxConnectionLimit: r.int('http', 'max-connection-limit', 0),
      sharedSecret: r.str('http', 'shared-secret', ''),
    },
    continuousQueries: {
      enabled: r.bool('continuous_queries', 'enabled', true),
      logEnabled: r.bool('continuous_queries', 'log-enabled', true),
      runIntervalMs: r.durationMs('continuous_queries', 'run-interval', '1s'),
    },
    monitor: {
      storeEnabled: r.bool('monitor', 'store-enabled', true),
      storeDatabase: r.str('monitor', 'store-database', '_internal'),
      storeIntervalMs: r.durationMs('monitor', 'store-interval', '10s'),
    },
    retention: {
      enabled: r.bool('retention', 'enabled', true),
      checkIntervalMs: r.durationMs('retention', 'check-interval', '30m0s'),
    },
    shardPrecreation: {
      enabled: r.bool('shard-precreation', 'enabled', true),
      checkIntervalMs: r.durationMs('shard-precreation', 'check-interval', '10m0s'),
      advancePeriodMs: r.durationMs('shard-precreation', 'advance-period', '30m0s'),
    },
    ...r.logging(),
  }
  // influxd's own Validate() checks, in its words.
  if (cfg.meta.dir.trim() === '') throw r.fail('[meta] dir is empty: "Meta.Dir must be specified"', 'dir = "/var/lib/influxdb/meta" under [meta]')
  if (cfg.data.dir.trim() === '') throw r.fail('[data] dir is empty: "Data.Dir must be specified"', 'dir = "/var/lib/influxdb/data" under [data]')
  if (cfg.data.walDir.trim() === '') throw r.fail('[data] wal-dir is empty: "Data.WALDir must be specified"', 'wal-dir = "/var/lib/influxdb/wal" under [data]')
  if (cfg.hintedHandoff.dir.trim() === '') throw r.fail('[hinted-handoff] dir is empty: "HintedHandoff.Dir must be specified"', 'dir = "/var/lib/influxdb/hh" under [hinted-handoff]')
  if (cfg.meta.metaAuthEnabled && cfg.meta.metaInternalSharedSecret === '') {
    throw r.fail('[meta] meta-auth-enabled = true but meta-internal-shared-secret is empty: the node could not sign its requests to the meta nodes',
      'meta-internal-shared-secret = "<the meta nodes\' internal-shared-secret>" under [meta]')
  }
  if (cfg.hostname.trim() === '') throw r.fail('hostname is empty: the node would advertise addresses no other node can reach', 'hostname = "<a name every node resolves to this machine>"')
  return cfg
}
