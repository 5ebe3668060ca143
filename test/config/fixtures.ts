// Config fixtures for the tests, written by the team (not InfluxData's sample files), and helpers to check them.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {checkConfigs, type CheckOptions} from '../../src/config/check.js'
import type {CheckReport, Finding} from '../../src/config/types.js'
import {tempDir as makeTempDir} from '../helpers/tmp.js'

export const LICENSE = '5c0e4d2a-8f1b-4c3e-9a7d-2b6f1e0c9d84'
export const INTERNAL = 'Zq8vN2pLr5TxW1cYh7Ks-internal'
export const SHARED = 'Jm4bR9wQe2Uz6Fn3Pd8A-public'

export const META = `# meta-01, written for medic's tests
hostname = "meta-01.example.test"

[enterprise]
  license-key = "${LICENSE}"

[meta]
  dir = "/var/lib/influxdb/meta"
  bind-address = ":8089"
  http-bind-address = ":8091"
  auth-enabled = true
  internal-shared-secret = "${INTERNAL}"
  shared-secret = "${SHARED}"
  lease-duration = "1m0s"

[logging]
  level = "info"
`

export function data(host = 'data-01.example.test', extra = ''): string {
  return `# ${host}, written for medic's tests
hostname = "${host}"
bind-address = ":8088"

[enterprise]
  license-key = "${LICENSE}"

[meta]
  dir = "/var/lib/influxdb/meta"
  meta-auth-enabled = true
  meta-internal-shared-secret = "${INTERNAL}"

[data]
  dir = "/var/lib/influxdb/data"
  wal-dir = "/var/lib/influxdb/wal"
  cache-max-memory-size = "1g"

[cluster]
  write-timeout = "10s"

[hinted-handoff]
  enabled = true
  dir = "/var/lib/influxdb/hh"
  max-size = 10737418240
  max-age = "168h0m0s"

[http]
  bind-address = ":8086"
${extra}`
}

export function tempDir(): string {
  return makeTempDir('medic-config-')
}

/** Writes the files into a fresh directory; returns their paths in the same order. */
export function writeFiles(files: Record<string, string | Buffer>, dir = tempDir()): string[] {
  return Object.entries(files).map(([name, body]) => {
    const p = join(dir, name)
    writeFileSync(p, body)
    return p
  })
}

/** A context that pretends nothing exists on disk and 1 TiB is free, so results do not depend on this machine. */
export const QUIET = {
  now: Date.parse('2026-01-01T00:00:00Z'),
  freeBytes: async () => 2 ** 40,
  pathKind: async () => undefined,
  readText: async () => undefined,
}

export async function check(files: Record<string, string | Buffer>, options: CheckOptions = {}): Promise<CheckReport> {
  return checkConfigs(writeFiles(files), {...options, context: {...QUIET, ...options.context}})
}

export function ids(report: CheckReport, severity?: Finding['severity']): string[] {
  return report.findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.id)
}

export function find(report: CheckReport, id: string): Finding {
  const f = report.findings.find((x) => x.id === id)
  if (f === undefined) throw new Error(`no finding ${id}; got: ${ids(report).join(', ')}`)
  return f
}
