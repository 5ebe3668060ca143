/**
 * The shapes of `medic dev scenario`: a scenario's definition (what it builds, does and checks), and what a run of it
 * records: the steps done, what the operator would have seen, each check with its evidence, and the medic commands
 * that make the same diagnosis by hand. The JSON output of `medic dev scenario run --json` is a RunReport.
 */
import type {ConfigOverrides} from '../cluster/configs/edit.js'
import type {LogFormat} from '../node/logger.js'

/** `short`: small volumes and intervals, for CI (each scenario well under a minute); `full`: the by-hand length. */
export type ScenarioMode = 'short' | 'full'

/** Config keys to set in a node's file after `dev up`'s preparation wrote it: section ('' = top level) -> key -> TOML value. */
export type {ConfigOverrides}

export interface ClusterSpec {
  meta: number
  data: number
  logFormat?: LogFormat
  /** Applied to every data node's influxdb.conf before the nodes start. */
  dataConfig?: ConfigOverrides
  /** Applied to every meta node's influxdb-meta.conf before the nodes start. */
  metaConfig?: ConfigOverrides
  /** Meta-node port slots the scenario uses for nodes of its own (meta-(N+1)..), kept free with the cluster's. */
  extraMetaSlots?: number
  /** `medic dev up --time-scale N`: the nodes' lease, hinted-handoff, monitor and CQ timers run N times faster. */
  timeScale?: number
}

export interface Scenario {
  /** Stable name: `medic dev scenario run NAME`. */
  name: string
  /** One line. */
  title: string
  /** What it shows, for `show` and docs/scenarios.md. */
  shows: string
  /** The documented line it reproduces, when there is one (the seed documents' words). */
  seed?: string
  cluster: ClusterSpec
  /** What it does, step by step (for `show`; a run records what it really did). */
  steps: string[]
  /** What it checks (for `show`). */
  checks: string[]
  /** Limits of the reproduction worth saying (a cause the dev cluster cannot model, a dev-only behaviour). */
  notes?: string[]
  run(ctx: ScenarioRunContext): Promise<void>
}

/** What a scenario's run() is given; implemented by context.ts. */
export type ScenarioRunContext = import('./context.js').ScenarioContext

export type CheckStatus = 'passed' | 'failed'

export interface CheckResult {
  /** Stable within the scenario: scripts and tests may rely on it. */
  id: string
  title: string
  status: CheckStatus
  expected: string
  actual: string
  /** What was looked at: log lines, answers, finding ids, queue sizes. */
  evidence: string[]
}

/** What the operator would have seen. */
export interface Observation {
  kind: 'client' | 'log' | 'queue' | 'status' | 'join' | 'config' | 'http'
  /** data-1, meta-1, a URL... */
  source: string
  text: string
}

/** A medic command an operator would type to make the same diagnosis, ready to paste. */
export interface OperatorCommand {
  command: string
  /** What it answers. */
  why: string
  /**
   * `nothing`: works anywhere; `files`: while the cluster folder exists; `cluster`: needs the cluster running
   * (--keep); `run`: needs a node the scenario started on its own, which stops with the run.
   */
  needs: 'nothing' | 'files' | 'cluster' | 'run'
}

export type ScenarioVerdict = 'passed' | 'failed' | 'error'

export interface ScenarioRun {
  name: string
  title: string
  /** passed: every check passed; failed: a check failed; error: the scenario could not run (nothing was judged). */
  verdict: ScenarioVerdict
  mode: ScenarioMode
  elapsedMs: number
  cluster: {
    dir: string | null
    basePort: number | null
    meta: number
    data: number
    /** Left running (--keep): stop it with `down`. */
    kept: boolean
    /** The folder stays on disk (kept, --dir given, or something failed). */
    folderKept: boolean
    down: string | null
  }
  did: Array<{atMs: number; text: string}>
  saw: Observation[]
  checks: CheckResult[]
  commands: OperatorCommand[]
  notes: string[]
  /** Why it could not run. */
  error?: {code: string; message: string}
}

export interface RunReport {
  mode: ScenarioMode
  scenarios: ScenarioRun[]
  summary: {scenarios: number; passed: number; failed: number; error: number; checks: number; checksFailed: number}
}
