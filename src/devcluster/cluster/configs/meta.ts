/**
 * Each dev-cluster meta node's influxdb-meta.conf as `medic dev up` writes it (renderMetaConfig / writeMetaConfig);
 * the node process reads it back with meta/config.ts, whose defaults are the ones written here. The file is a real Enterprise meta config, commented so that an
 * operator who opens it learns what each key does and how production differs; the `[medic-dev]` table marks it as a
 * dev-cluster file (influxd-meta ignores unknown tables; `medic config check` treats the dev cluster's loopback
 * addresses as expected when it sees the marker). license-path names `<cluster>/license.json`, a stand-in license
 * file written with the first config (meta/license.ts is what the node checks of it).
 *
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {DEFAULT_TIMEOUTS, type MetaTimeouts} from '../../meta/config.js'
import {devLicenseText} from '../../meta/license.js'
import type {LogFormat, LogLevel} from '../../node/logger.js'

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
  /** medic dev up --time-scale (default 1). */
  timeScale?: number
}

/** A TOML basic string: JSON's escapes are valid TOML escapes. */
export const tomlString = (s: string): string => JSON.stringify(s)

export function renderMetaConfig(c: MetaConfigInput): string {
  const t = {...DEFAULT_TIMEOUTS, ...c.timeouts}
  const auth = c.auth ?? null
  const lines = [
    `# influxdb-meta.conf of ${c.name}, a meta node of a medic dev cluster.`,
    `# Written by \`medic dev up\`. Your edits are kept when the cluster restarts, except [logging] format and`,
    `# [medic-dev] time-scale, which follow dev up's flags; \`medic dev up --reset-configs\` writes this file afresh.`,
    `# It is a real InfluxDB Enterprise 1.x meta-node config; the comments say how production differs.`,
    ``,
    `# The host name this node advertises to the others, in its HTTP and Raft addresses (/status shows them).`,
    `# In production it must be a name every other node resolves to this machine: never localhost. The dev`,
    `# cluster runs every node on one machine, so the loopback address is the right one here.`,
    `hostname = ${tomlString(c.hostname)}`,
    ``,
    `[enterprise]`,
    `  # A real node needs exactly one of these, or it does not start: license-key (checked against`,
    `  # portal.influxdata.com every 4 hours) or license-path (an offline JSON license file). The dev cluster's`,
    `  # nodes read the stand-in license file that \`medic dev up\` writes; a bad license setting stops them as it`,
    `  # stops influxd-meta.`,
    `  license-key = ""`,
    `  license-path = ${tomlString(devLicensePath(c.clusterDir))}`,
    ``,
    `[meta]`,
    `  # Raft log, snapshots and peers of this node. Production: /var/lib/influxdb/meta.`,
    `  dir = ${tomlString(c.metaDir)}`,
    ``,
    `  # Raft traffic between meta nodes (production default ":8089"). Every meta node must reach every other here.`,
    `  bind-address = ${tomlString(`${c.hostname}:${c.raftPort}`)}`,
    `  # The meta API used by influxd-ctl, the data nodes and medic (production default ":8091").`,
    `  http-bind-address = ${tomlString(`${c.hostname}:${c.httpPort}`)}`,
    ``,
    `  # How long a data node keeps the continuous-query lease once granted (GET /lease).`,
    `  lease-duration = ${tomlString(t.leaseDuration)}`,
    ``,
    `  # Raft timing; these are the production defaults. A follower that hears nothing from the leader for`,
    `  # heartbeat-timeout starts an election; a candidate waits election-timeout for a result; a leader that has`,
    `  # not reached a quorum within leader-lease-timeout steps down; commit-timeout paces the messages that tell`,
    `  # followers what is committed. Raise heartbeat-timeout and election-timeout together on slow links.`,
    `  election-timeout = ${tomlString(t.electionTimeout)}`,
    `  heartbeat-timeout = ${tomlString(t.heartbeatTimeout)}`,
    `  leader-lease-timeout = ${tomlString(t.leaderLeaseTimeout)}`,
    `  commit-timeout = ${tomlString(t.commitTimeout)}`,
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
      `  shared-secret = ${tomlString(auth.sharedSecret)}`,
      `  internal-shared-secret = ${tomlString(auth.internalSharedSecret)}`,
    )
  }
  lines.push(
    ``,
    `[logging]`,
    `  # logfmt is what 1.5+ writes by default; json is the other structured choice. Two dev-cluster extras`,
    `  # write the older shapes, to rehearse reading old logs: "legacy-level" the 1.2-1.4 "[I] time message`,
    `  # key=value" lines, "legacy" the 1.0-1.1 "[service] date time message" lines.`,
    `  format = ${tomlString(c.logFormat)}`,
    `  level = ${tomlString(c.logLevel ?? 'info')}`,
    ``,
    `# Marks this file as part of a medic dev cluster (influxd-meta ignores unknown tables). In a file with this`,
    `# table, \`medic config check\` accepts loopback addresses.`,
    `[medic-dev]`,
    `  node = ${tomlString(c.name)}`,
    `  cluster = ${tomlString(c.clusterDir)}`,
    `  # medic dev up --time-scale: lease-duration run this many times faster (the values above stay as written).`,
    `  time-scale = ${c.timeScale ?? 1}`,
    ``,
  )
  return lines.join('\n')
}

/** The dev cluster's stand-in license file, named by every meta node's license-path. */
export const devLicensePath = (clusterDir: string): string => join(clusterDir, 'license.json')

/** Writes the cluster's license file unless it is there (an operator's edit of it is kept, as for the configs). */
export async function writeDevLicense(clusterDir: string): Promise<void> {
  await mkdir(clusterDir, {recursive: true, mode: 0o700})
  try {
    await writeFile(devLicensePath(clusterDir), devLicenseText(clusterDir), {mode: 0o644, flag: 'wx'})
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
}

/** Writes the node's config file (mode 0600 when it holds secrets), creating its folder, and the license it names. */
export async function writeMetaConfig(path: string, c: MetaConfigInput): Promise<void> {
  await writeDevLicense(c.clusterDir)
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  await writeFile(path, renderMetaConfig(c), {mode: c.auth ? 0o600 : 0o644})
}
