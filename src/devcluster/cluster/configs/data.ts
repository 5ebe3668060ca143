/**
 * Each dev-cluster data node's influxdb.conf as `medic dev up` writes it (renderDataConfig / writeDataConfig); the node
 * reads it back with data/config.ts, whose defaults are the ones written here. It is a real Enterprise data-node config
 * (every key of enterprise-1x.md §5.2 the node uses), commented so that an operator who opens it learns what each key
 * does and how production differs; the `[medic-dev]` table marks it as a dev-cluster file.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import type {LogFormat, LogLevel} from '../../node/logger.js'
import {tomlString} from './meta.js'

export interface DataConfigInput {
  /** data-1, data-2, ... */
  name: string
  clusterDir: string
  hostname: string
  metaDir: string
  dataDir: string
  walDir: string
  hhDir: string
  httpPort: number
  rpcPort: number
  logFormat: LogFormat
  logLevel?: LogLevel
  /** With auth on: the meta nodes' internal secret (to sign requests to them) and the HTTP API's JWT secret. */
  auth?: {sharedSecret: string; internalSharedSecret: string} | null
  /** Overrides for rehearsals (Go durations and sizes as written in the file). */
  hintedHandoff?: Partial<{maxSize: string; maxAge: string; retryInterval: string; retryMaxInterval: string; purgeInterval: string}>
  writeTimeout?: string
  /** medic dev up --time-scale (default 1). */
  timeScale?: number
}

export function renderDataConfig(c: DataConfigInput): string {
  const auth = c.auth ?? null
  const hh = {maxSize: '10737418240', maxAge: '168h0m0s', retryInterval: '1s', retryMaxInterval: '200s', purgeInterval: '1m0s', ...c.hintedHandoff}
  const lines = [
    `# influxdb.conf of ${c.name}, a data node of a medic dev cluster.`,
    `# Written by \`medic dev up\`. Your edits are kept when the cluster restarts, except [logging] format and`,
    `# [medic-dev] time-scale, which follow dev up's flags; \`medic dev up --reset-configs\` writes this file afresh.`,
    `# It is a real InfluxDB Enterprise 1.x data-node config; the comments say how production differs.`,
    ``,
    `# The name this node advertises in its HTTP and cluster RPC addresses. In production, a name every other node`,
    `# resolves to this machine (never localhost): a data node whose hostname others cannot reach cannot be added.`,
    `hostname = ${tomlString(c.hostname)}`,
    `# Cluster RPC between data nodes, and the port the meta leader dials to tell this node to join (production ":8088").`,
    `bind-address = ${tomlString(`${c.hostname}:${c.rpcPort}`)}`,
    `# How often the node announces its version and addresses to the meta nodes.`,
    `gossip-frequency = "3s"`,
    ``,
    `[enterprise]`,
    `  # Production nodes refuse to start without a license; the dev cluster needs none.`,
    `  license-key = ""`,
    ``,
    `[meta]`,
    `  # This node's copy of the meta store and client.json, the list of meta nodes it talks to.`,
    `  dir = ${tomlString(c.metaDir)}`,
    `  # Must match the meta nodes' auth-enabled; the secret must equal their internal-shared-secret.`,
    `  meta-auth-enabled = ${auth ? 'true' : 'false'}`,
  ]
  if (auth) lines.push(`  meta-internal-shared-secret = ${tomlString(auth.internalSharedSecret)}`)
  lines.push(
    `  retention-autocreate = true`,
    `  logging-enabled = true`,
    ``,
    `[data]`,
    `  # Shards live under dir/<database>/<retention policy>/<shard id>. Production: /var/lib/influxdb/data and /wal.`,
    `  dir = ${tomlString(c.dataDir)}`,
    `  wal-dir = ${tomlString(c.walDir)}`,
    `  # 0s: every write is on disk (fsynced) before it is acknowledged.`,
    `  wal-fsync-delay = "0s"`,
    `  # Writes that would pass these limits fail with "partial write: max-series-per-database limit exceeded".`,
    `  max-series-per-database = 1000000`,
    `  max-values-per-tag = 100000`,
    ``,
    `[cluster]`,
    `  # How long to wait for a remote data node's TCP connection.`,
    `  dial-timeout = "1s"`,
    `  # A write that has not met its consistency level in this time answers "timeout" (HTTP 500).`,
    `  write-timeout = ${tomlString(c.writeTimeout ?? '10s')}`,
    `  shard-reader-timeout = "0s"`,
    `  # true lets new writes bypass a non-empty hinted-handoff queue (1.8.2+).`,
    `  allow-out-of-order-writes = false`,
    `  cluster-tracing = false`,
    ``,
    `[hinted-handoff]`,
    `  # Writes a replica owner could not take wait here, one queue per owner and shard, until it is back.`,
    `  enabled = true`,
    `  dir = ${tomlString(c.hhDir)}`,
    `  # Per destination node. A full queue fails writes with "queue is full".`,
    `  max-size = ${/^\d+$/.test(hh.maxSize) ? hh.maxSize : tomlString(hh.maxSize)}`,
    `  # Data older than this (since it was queued) is dropped by the purge: lost for that replica.`,
    `  max-age = ${tomlString(hh.maxAge)}`,
    `  retry-concurrency = 20`,
    `  retry-rate-limit = 0`,
    `  # Backoff between delivery attempts, doubling from retry-interval up to retry-max-interval.`,
    `  retry-interval = ${tomlString(hh.retryInterval)}`,
    `  retry-max-interval = ${tomlString(hh.retryMaxInterval)}`,
    `  purge-interval = ${tomlString(hh.purgeInterval)}`,
    `  batch-size = 512000`,
    `  max-writes-pending = 1024`,
    ``,
    `[http]`,
    `  enabled = true`,
    `  # The API clients write to and query (production ":8086").`,
    `  bind-address = ${tomlString(`${c.hostname}:${c.httpPort}`)}`,
    `  auth-enabled = ${auth ? 'true' : 'false'}`,
  )
  if (auth) lines.push(`  # Bearer tokens (JWT) signed with this secret are accepted as well as passwords.`, `  shared-secret = ${tomlString(auth.sharedSecret)}`)
  lines.push(
    `  # One [httpd] access-log line per request.`,
    `  log-enabled = true`,
    `  write-tracing = false`,
    `  pprof-enabled = true`,
    `  # Larger request bodies are refused with 413.`,
    `  max-body-size = 25000000`,
    `  max-row-limit = 0`,
    `  max-connection-limit = 0`,
    ``,
    `[continuous_queries]`,
    `  enabled = true`,
    `  log-enabled = true`,
    `  run-interval = "1s"`,
    ``,
    `[monitor]`,
    `  # The node's own statistics, written to _internal every store-interval.`,
    `  store-enabled = true`,
    `  store-database = "_internal"`,
    `  store-interval = "10s"`,
    ``,
    `[retention]`,
    `  enabled = true`,
    `  check-interval = "30m0s"`,
    ``,
    `[shard-precreation]`,
    `  enabled = true`,
    `  check-interval = "10m0s"`,
    `  advance-period = "30m0s"`,
    ``,
    `[logging]`,
    `  # logfmt is what 1.5+ writes by default; json the other structured choice; "legacy-level" (1.2-1.4) and`,
    `  # "legacy" (1.0-1.1) are dev-cluster extras that write the older shapes.`,
    `  format = ${tomlString(c.logFormat)}`,
    `  level = ${tomlString(c.logLevel ?? 'info')}`,
    ``,
    `# Marks this file as part of a medic dev cluster (influxd ignores unknown tables). In a file with this table,`,
    `# \`medic config check\` accepts loopback addresses and the missing license.`,
    `[medic-dev]`,
    `  node = ${tomlString(c.name)}`,
    `  cluster = ${tomlString(c.clusterDir)}`,
    `  # medic dev up --time-scale: hinted handoff max-age, purge-interval and retry back-off, store-interval and run-interval run this many times faster (the values above stay as written).`,
    `  time-scale = ${c.timeScale ?? 1}`,
    ``,
  )
  return lines.join('\n')
}

/** Writes the node's config file (mode 0600 when it holds secrets), creating its folder. */
export async function writeDataConfig(path: string, c: DataConfigInput): Promise<void> {
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  await writeFile(path, renderDataConfig(c), {mode: c.auth ? 0o600 : 0o644})
}
