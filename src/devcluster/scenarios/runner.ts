/**
 * Runs scenarios one after the other, each on a cluster of its own: start it (cluster.ts), hand the scenario its
 * context, record what it did, saw and checked, then stop the cluster (unless --keep) and remove its folder when
 * nothing is left to look at (every check passed and the folder was a temp one). The exit code of the whole run:
 * 0 only when every check of every scenario passed, 3 when a check failed, 4 when a scenario could not run (and no
 * check failed).
 */
import {join} from 'node:path'

import {ExitCode, type ExitCodeValue, MedicError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {type ScratchCluster, startScratchCluster, stopScratchCluster} from './cluster.js'
import {type Mutation, ScenarioAbort, ScenarioContext, ScenarioStop} from './context.js'
import type {RunReport, Scenario, ScenarioMode, ScenarioRun} from './types.js'

export interface RunOptions {
  mode: ScenarioMode
  /** The folder for the cluster; with several scenarios, each gets `<dir>/<name>`. */
  dir?: string
  basePort?: number
  /** Leave each cluster running. */
  keep?: boolean
  onProgress?: (message: string) => void
  signal?: AbortSignal
  /** Test support: expectation key -> wrong value (see ScenarioContext.expectEqual). */
  mutate?: Record<string, string>
}

export type ScenarioRunWithMutations = ScenarioRun & {mutations?: Mutation[]}

export async function runScenario(s: Scenario, o: RunOptions & {dirForThis?: string}): Promise<ScenarioRunWithMutations> {
  const started = performance.now()
  const base: ScenarioRunWithMutations = {
    name: s.name, title: s.title, verdict: 'error', mode: o.mode, elapsedMs: 0,
    cluster: {dir: null, basePort: null, meta: s.cluster.meta, data: s.cluster.data, kept: false, folderKept: false, down: null},
    did: [], saw: [], checks: [], commands: [], notes: [...(s.notes ?? [])],
  }
  let cluster: ScratchCluster
  o.onProgress?.(`${s.name}: starting a cluster of ${s.cluster.meta} meta and ${s.cluster.data} data node${s.cluster.data === 1 ? '' : 's'}`)
  try {
    cluster = await startScratchCluster(s.name, s.cluster, {
      dir: o.dirForThis, basePort: o.basePort, onProgress: (m) => o.onProgress?.(`  ${s.name}: ${m}`),
      onFolder: (dir) => {
        base.cluster.dir = dir
      },
    })
  } catch (err) {
    // A usage error (a --dir that holds something, a --base-port that does not fit) is the command's, not the scenario's.
    if (err instanceof MedicError && err.exitCode === ExitCode.USAGE) throw err
    base.error = errorOf(err, 'the cluster did not start')
    base.elapsedMs = Math.round(performance.now() - started)
    base.cluster.folderKept = base.cluster.dir !== null
    return base
  }
  base.cluster.dir = cluster.dir
  base.cluster.basePort = cluster.basePort
  const ctx = new ScenarioContext(s, cluster, {mode: o.mode, onProgress: o.onProgress, mutate: o.mutate, signal: o.signal})
  ctx.step(`started ${s.cluster.meta} meta and ${s.cluster.data} data node${s.cluster.data === 1 ? '' : 's'} in ${cluster.dir} (base port ${cluster.basePort}, ${cluster.up.logFormat} logs)`)
  let error: ScenarioRun['error']
  try {
    await s.run(ctx)
  } catch (err) {
    if (!(err instanceof ScenarioStop)) error = errorOf(err, 'the scenario failed')
  } finally {
    await ctx.close()
  }
  const failed = ctx.checks.some((c) => c.status === 'failed')
  const verdict = failed ? 'failed' : error !== undefined || ctx.checks.length === 0 ? 'error' : 'passed'
  const keep = o.keep === true
  const folderKept = keep || o.dirForThis !== undefined || verdict !== 'passed'
  if (!keep) await stopScratchCluster(cluster, {removeFolder: !folderKept})
  const down = keep ? `medic dev down --purge --dir ${shellQuote(cluster.dir)}` : null
  return {
    ...base,
    verdict,
    elapsedMs: Math.round(performance.now() - started),
    cluster: {...base.cluster, kept: keep, folderKept, down},
    did: ctx.did, saw: ctx.saw, checks: ctx.checks, commands: ctx.commands, notes: [...base.notes, ...ctx.notes],
    ...(error ? {error} : ctx.checks.length === 0 ? {error: {code: 'no-checks', message: 'the scenario made no check'}} : {}),
    ...(o.mutate ? {mutations: ctx.mutations} : {}),
  }
}

function errorOf(err: unknown, fallback: string): {code: string; message: string} {
  if (err instanceof ScenarioAbort) return {code: err.code, message: err.message}
  if (err instanceof MedicError) return {code: err.code, message: err.message}
  return {code: 'internal', message: `${fallback}: ${err instanceof Error ? err.message : String(err)}`}
}

/** Runs the scenarios in order; an interrupted run stops before the next one. */
export async function runScenarios(list: readonly Scenario[], o: RunOptions): Promise<RunReport & {scenarios: ScenarioRunWithMutations[]}> {
  const runs: ScenarioRunWithMutations[] = []
  for (const s of list) {
    if (o.signal?.aborted) break
    const dirForThis = o.dir === undefined ? undefined : list.length > 1 ? join(o.dir, s.name) : o.dir
    runs.push(await runScenario(s, {...o, dirForThis}))
  }
  return {mode: o.mode, scenarios: runs, summary: summarise(runs)}
}

function summarise(runs: readonly ScenarioRun[]): RunReport['summary'] {
  return {
    scenarios: runs.length,
    passed: runs.filter((r) => r.verdict === 'passed').length,
    failed: runs.filter((r) => r.verdict === 'failed').length,
    error: runs.filter((r) => r.verdict === 'error').length,
    checks: runs.reduce((n, r) => n + r.checks.length, 0),
    checksFailed: runs.reduce((n, r) => n + r.checks.filter((c) => c.status === 'failed').length, 0),
  }
}

/** 0 when every check of every scenario passed; 3 when a check failed; 4 when a scenario could not run. */
export function reportExitCode(r: RunReport, interrupted = false): ExitCodeValue {
  if (r.summary.failed > 0) return ExitCode.PROBLEMS
  if (r.summary.error > 0 || r.summary.scenarios === 0 || interrupted) return ExitCode.CANNOT_CHECK
  return ExitCode.OK
}
