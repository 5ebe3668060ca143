/** The shapes `medic config check` works with and returns (the JSON output is a CheckReport plus the envelope). */
import type {Role} from './options.js'

export type Severity = 'error' | 'warning' | 'info'

/** Where a value came from: the file itself, an INFLUXDB_* override, or the built-in default. */
export interface Origin {
  kind: 'file' | 'environment' | 'env-file' | 'default'
  /** The variable, for environment and env-file origins. */
  variable?: string
  /** The env file and the line of the variable, for env-file origins. */
  path?: string
  line?: number
}

export interface Location {
  file: string
  /** 1-based; null when the key is absent from the file (a default, or a value from the environment). */
  line: number | null
  column: number | null
}

export interface Finding extends Location {
  /** `file`: about one file; `cluster`: between the files of one cluster; `environment`: about an INFLUXDB_* variable. */
  scope?: 'file' | 'cluster' | 'environment'
  /** Stable rule id, e.g. `hostname-loopback`, `duration-unit`; scripts may rely on it. */
  id: string
  severity: Severity
  /** The key concerned, written as a TOML path: `hostname`, `meta.dir`, `hinted-handoff.max-size`; null for the file. */
  key: string | null
  /** The value as medic saw it, secrets replaced by [REDACTED]; absent when the rule is about a missing key. */
  value?: string
  /** Set when the value did not come from the file. */
  origin?: Origin
  message: string
  /** For a syntax error: the offending line as medic may quote it (never a secret), without the line number. */
  excerpt?: string
  /** The exact change to make. */
  fix: string
  /** Other places involved: the first definition of a duplicate, the other node of a mismatch. */
  related?: Array<Location & {key?: string | null; note?: string}>
}

export interface Override {
  variable: string
  /** The key it sets, as a TOML path; null when it matches no key medic knows. */
  key: string | null
  value: string
  origin: Origin
  /** Which checked files it was applied to. */
  appliedTo: string[]
}

export interface FileReport {
  path: string
  role: Role | null
  roleSource: 'flag' | 'content' | 'file-name' | 'unknown'
  sizeBytes: number
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'binary'
  lineEndings: 'lf' | 'crlf' | 'mixed' | 'none'
  /** False when the file could not be parsed: only the findings about why are reported. */
  parsed: boolean
  keys: number
  counts: Record<Severity, number>
}

export interface CheckReport {
  /** From util/outcome.ts: critical (an error finding), warning, unknown (nothing could be checked), ok. */
  verdict: 'ok' | 'warning' | 'critical' | 'unknown'
  /** Files parsed and checked, files that could not be (empty, binary, not TOML, too large). */
  coverage: {checked: number; unchecked: number; complete: boolean}
  /** The exit code the verdict gives (0, 3 or 4). */
  exitCode: 0 | 3 | 4
  counts: Record<Severity, number>
  files: FileReport[]
  /** Every finding, per-file ones first in file order, then the cross-node ones, then those about the environment. */
  findings: Finding[]
  overrides: Override[]
  /** Where overrides were read from; empty without --env / --env-from. */
  envSources: string[]
}
