/**
 * medic's own diagnosis, called in-process on what a scenario produced: the same modules the commands call
 * (`explain` and `logs summarize` in src/logs/, `hh watch`/`hh wait --url` in src/hh/, `status` and `join diagnose`
 * in src/probe/, `config check` in src/config/, `doctor` in src/doctor/), with the options those commands pass by
 * default. Nothing here
 * judges: the scenarios compare what these return with what the diagnosis should be.
 */
import type {CheckReport} from '../../config/types.js'
import type {DoctorReport} from '../../doctor/types.js'
import {type HhMonitor, runVerdict, type RunVerdict, type Snapshot, type WaitResult} from '../../hh/monitor.js'
import type {Sampler} from '../../hh/sampler.js'
import type {HhSettings} from '../../hh/settings.js'
import type {SummaryReport} from '../../logs/summary.js'
import type {CatalogueEntry, CatalogueHead, Explanation} from '../../logs/types.js'
import type {JoinReport} from '../../probe/join.js'
import type {StatusReport} from '../../probe/status.js'

/** `medic explain` on lines, in order (the CQ lease context carries from line to line). */
export async function explainLines(lines: readonly string[], options: {leaseDurationMs?: number} = {}): Promise<Array<Explanation<CatalogueHead>>> {
  const {Explainer} = await import('../../logs/explain.js')
  const ex = new Explainer(options)
  return lines.map((l) => ex.explain(l))
}

/** `medic explain ID`: one catalogue entry in full. */
export async function catalogueEntry(id: string): Promise<CatalogueEntry | undefined> {
  const {findEntry} = await import('../../logs/catalogue/index.js')
  return findEntry(id)
}

/** `medic logs summarize FILE...` (on the main thread: a scenario's logs are small). */
export async function summarize(paths: readonly string[], options: {leaseDurationMs?: number} = {}): Promise<SummaryReport> {
  const {resolveInputs} = await import('../../logs/input.js')
  const {summariseInputs} = await import('../../logs/parallel.js')
  const inputs = await resolveInputs([...paths], [], {isTTY: false}, {tolerant: true})
  return summariseInputs(inputs, {workers: 0, leaseDurationMs: options.leaseDurationMs})
}

/** `medic hh watch --url ... [--config influxdb.conf] [--meta ...]`, one sample at a time. */
export interface HhWatch {
  settings: HhSettings
  /** Takes a sample now and returns the analysed state. */
  sample(): Promise<Snapshot>
  /** The verdict `hh watch` would end with after the samples so far. */
  verdict(): RunVerdict
  close(): Promise<void>
}

/** `urls`: `hh watch --url` (each data node's /debug/vars); `{dir}`: `hh watch DIR` (the node's hh directory). */
export async function hhWatch(urls: string[] | {dir: string}, options: {configPath?: string; meta?: string; window?: number; timeoutMs?: number} = {}): Promise<HhWatch> {
  const {resolveHhSettings} = await import('../../hh/settings.js')
  const {createSampler, lookupHosts} = await import('../../hh/sampler.js')
  const {HhMonitor, assertSomethingSampled} = await import('../../hh/monitor.js')
  const settings = await resolveHhSettings({configPath: options.configPath})
  const http = {timeoutMs: options.timeoutMs ?? 5_000}
  const {hosts} = await lookupHosts(options.meta, http)
  const target = Array.isArray(urls) ? {kind: 'http' as const, urls} : {kind: 'dir' as const, dir: urls.dir}
  const sampler: Sampler = createSampler(target, {maxAgeMs: settings.maxAgeMs, http, command: 'watch'})
  const monitor: HhMonitor = new HhMonitor({settings, window: options.window ?? 10, hosts})
  let last: Snapshot | undefined
  let count = 0
  return {
    settings,
    async sample() {
      const s = await sampler.sample()
      if (count++ === 0) assertSomethingSampled(s)
      last = monitor.add(s)
      return last
    },
    verdict: () => runVerdict(last),
    close: () => sampler.close(),
  }
}

/** `medic hh wait --url ... --timeout T`: samples until every queue is empty, a queue stalls, or the deadline. */
export async function hhWait(urls: string[], options: {configPath?: string; timeoutMs: number; intervalMs?: number}): Promise<WaitResult> {
  const {resolveHhSettings} = await import('../../hh/settings.js')
  const {createSampler} = await import('../../hh/sampler.js')
  const {HhMonitor, waitForDrain} = await import('../../hh/monitor.js')
  const settings = await resolveHhSettings({configPath: options.configPath})
  const sampler = createSampler({kind: 'http', urls}, {maxAgeMs: settings.maxAgeMs, http: {timeoutMs: 5_000}, command: 'wait'})
  const monitor = new HhMonitor({settings})
  try {
    return await waitForDrain(sampler, monitor, {
      intervalMs: options.intervalMs ?? 1_000, timeoutMs: options.timeoutMs,
      stallTimeoutMs: settings.retryMaxIntervalMs + 10_000,
    })
  } finally {
    await sampler.close()
  }
}

/** `medic status ADDR...`. */
export async function status(addresses: string[], options: {runTimeoutMs?: number} = {}): Promise<StatusReport> {
  const {probeCluster} = await import('../../probe/status.js')
  return probeCluster(addresses, {runTimeoutMs: options.runTimeoutMs ?? 10_000, http: {timeoutMs: 3_000}})
}

/** `medic join diagnose ADDR [--config influxdb-meta.conf]`. */
export async function joinDiagnose(address: string, options: {metaConfig?: string; runTimeoutMs?: number} = {}): Promise<JoinReport> {
  const {diagnoseJoin} = await import('../../probe/join.js')
  return diagnoseJoin(address, {metaConfig: options.metaConfig, timeoutMs: 3_000, runTimeoutMs: options.runTimeoutMs ?? 10_000})
}

/** `medic config check FILE...`. */
export async function configCheck(paths: string[]): Promise<CheckReport> {
  const {checkConfigs} = await import('../../config/check.js')
  return checkConfigs(paths)
}

/** `medic doctor --meta ... [--configs ...] [--logs ...]`, with the command's defaults (two samples of the queues). */
export async function doctor(o: {meta: string[]; configs?: string[]; logs?: string[]}): Promise<DoctorReport> {
  const {planWith, runDoctor} = await import('../../doctor/run.js')
  const {liveEnv} = await import('../../doctor/env.js')
  const plan = planWith({meta: o.meta, configs: o.configs ?? [], logs: o.logs ?? []})
  return runDoctor(plan, liveEnv({timeoutMs: plan.httpTimeoutMs}, {password: false, jwt: false, insecure: false}))
}

/** Closes the probes' shared HTTP pool (probe/http.ts), as the commands do when they end. */
export async function closeProbes(): Promise<void> {
  const {closeHttp} = await import('../../probe/http.js')
  await closeHttp()
}
