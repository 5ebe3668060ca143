/**
 * `medic doctor` as a function: one report across the meta nodes, the data nodes, the configs, hinted handoff and the
 * logs, built from the modules the single-purpose commands use (probe/status.ts, config/check.ts, hh/sampler.ts and
 * hh/monitor.ts, logs/summary.ts). What it reads comes from a DoctorEnv (env.ts), live or from a bundle, so a bundle
 * read back gives the same report. No oclif, no printing.
 *
 * Order: the configs, the probes and the log summary start together; the /debug/vars samples (and local hh
 * directories) start once the probes have listed the data nodes, `samples` of them `interval` apart. The time the
 * run takes is the probes' plus (samples - 1) intervals: the log summary runs meanwhile.
 */
import {httpSampler, type Sample} from '../hh/sampler.js'
import type {SummaryReport} from '../logs/summary.js'
import {MedicError} from '../errors.js'
import {normaliseBaseUrl} from '../probe/http.js'
import {probeCluster, type StatusReport} from '../probe/status.js'
import {shellQuote} from '../util/text.js'
import {configsArea} from './configs.js'
import type {DoctorEnv} from './env.js'
import {hhArea} from './hh.js'
import {logsArea} from './logs.js'
import {dataArea, type Draft, probeAreas} from './probes.js'
import {overall, rankFindings} from './rank.js'
import {AREAS, type AreaReport, type DoctorPlan, type DoctorReport} from './types.js'

export async function runDoctor(plan: DoctorPlan, env: DoctorEnv): Promise<DoctorReport> {
  const skipped = (a: (typeof AREAS)[number]) => plan.skip.includes(a)
  const logsP: Promise<{report?: SummaryReport; error?: string}> = skipped('logs') || plan.logs.length === 0
    ? Promise.resolve({})
    : env.summariseLogs(plan).then((report) => ({report}), (err: unknown) => {
      if (err instanceof MedicError) return {error: err.message}
      throw err
    })
  // Settled before anything is awaited, so a failure there cannot go unhandled while the probes run.
  logsP.catch(() => {})
  const configsP = configsArea(skipped('configs') ? [] : plan.configs, {read: (p) => env.readConfig(p), ...(env.ruleContext === undefined ? {} : {context: env.ruleContext})})
  const http = {...env.http, timeoutMs: plan.httpTimeoutMs}
  const command = plan.meta.length === 0 ? undefined : ['medic status', ...plan.meta.map(shellQuote)].join(' ')
  const statusP: Promise<StatusReport | undefined> = plan.meta.length === 0
    ? Promise.resolve(undefined)
    : probeCluster(plan.meta, {http, runTimeoutMs: plan.timeoutMs, ...(command === undefined ? {} : {command})})
  const [configs, status] = await Promise.all([configsP, statusP])

  // The data nodes: those that answered /ping, and any --hh-url.
  const discovered = (status?.nodes ?? []).filter((n) => n.role === 'data' && n.reachable && n.url !== undefined).map((n) => n.url!)
  const given = plan.hhUrls.map((u) => normaliseBaseUrl(u, 8086, '--hh-url', 'medic doctor'))
  const urls = [...new Set([...given, ...discovered])]
  const dirs = skipped('hh') ? [] : plan.hhDirs
  let current = env.startedAt
  const sampler = httpSampler(urls, {http, now: () => current, command: 'watch'})
  const wanted = new Set(plan.hhUrls.length > 0 ? given : dirs.length > 0 ? [] : discovered)
  const hhUrlLabels = new Set(urls.flatMap((u, i) => (wanted.has(u) ? [sampler.sources[i]] : [])))
  const acceptEmpty = (dir: string) => configs.settings.configDir !== null && samePath(configs.settings.configDir, dir)
  const samples: Sample[] = []
  for (let i = 0; i < Math.max(1, plan.samples); i++) {
    current = await env.sampleTime(i, plan.intervalMs)
    const fromHttp = urls.length > 0 ? (await sampler.sample(env.http.signal)).sources : []
    const fromDirs = dirs.length > 0 ? await env.sampleDirs(dirs, current, {maxAgeMs: configs.settings.maxAgeMs, acceptEmpty}) : []
    samples.push({seq: i + 1, t: current, sources: [...fromHttp, ...fromDirs]})
  }

  const probes = probeAreas(status, plan, env.access)
  const metaAddr = plan.meta[0]
  const data = dataArea(probes.data, probes.findings, samples, status === undefined, env.access, metaAddr)
  const hosts = new Map<string, string>()
  for (const n of status?.nodes ?? []) if (n.role === 'data' && n.id !== undefined) hosts.set(String(n.id), n.address)
  // The hh area's sources: the directories and --hh-url nodes given; with neither, every data node that answered.
  const hhSamples = samples.map((s) => ({...s, sources: s.sources.filter((x) => (x.kind === 'dir' ? true : hhUrlLabels.has(x.source)))}))
  const hh = skipped('hh')
    ? undefined
    : hhArea({
      samples: hhSamples, settings: configs.settings, hosts, access: env.access, ...(metaAddr === undefined ? {} : {meta: metaAddr}),
      ...(status !== undefined && status.showCluster?.from !== undefined && status.showCluster.error === undefined ? {clusterNodes: new Set(hosts.keys())} : {}),
      ...(status === undefined && plan.hhUrls.length === 0 && dirs.length === 0 ? {nothing: 'no data node to read: give --meta, --hh-url or --hh'} : {}),
    })
  const logsResult = await logsP
  const logs = skipped('logs') ? undefined : logsArea(plan, logsResult.report, logsResult.error)

  const skippedArea = (area: (typeof AREAS)[number]): AreaReport => ({area, verdict: 'skipped', checked: 0, unchecked: 0, summary: 'skipped (--skip)', notChecked: []})
  const areas: AreaReport[] = [
    probes.meta,
    data.area,
    skipped('configs') ? skippedArea('configs') : configs.area,
    hh?.area ?? skippedArea('hh'),
    logs?.area ?? skippedArea('logs'),
  ]
  const drafts: Draft[] = [...configs.findings, ...probes.findings, ...data.findings, ...(hh?.findings ?? []), ...(logs?.findings ?? [])]
  const findings = rankFindings(drafts, {allAnswering: allAnswering(status, hh)})
  const outcome = overall(areas, findings)
  return {
    verdict: outcome.verdict,
    exitCode: outcome.exitCode,
    complete: outcome.complete,
    source: env.source,
    generatedAt: new Date(env.startedAt).toISOString(),
    plan: {
      meta: plan.meta, configs: plan.configs, hhDirs: plan.hhDirs, hhUrls: plan.hhUrls, logs: plan.logs,
      since: plan.sinceMs === undefined ? null : new Date(plan.sinceMs).toISOString(), skip: plan.skip, samples: plan.samples, intervalMs: plan.intervalMs,
    },
    cluster: {
      leader: status?.leader ?? null,
      quorum: status?.quorum?.text ?? null,
      metaNodes: status?.summary.meta ?? 0,
      dataNodes: status?.summary.data ?? 0,
    },
    counts: {
      critical: findings.filter((f) => f.severity === 'critical').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      info: findings.filter((f) => f.severity === 'info').length,
    },
    areas,
    findings,
  }
}

/** Every node the probes found answered, and the hh area read every source and found nothing queued. */
function allAnswering(status: StatusReport | undefined, hh: ReturnType<typeof hhArea> | undefined): boolean {
  if (status === undefined || status.nodes.length === 0 || status.nodes.some((n) => !n.reachable)) return false
  if (hh === undefined || hh.snapshot === undefined || hh.area.unchecked > 0) return false
  return hh.snapshot.totals.pendingBytes === 0
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
}

/** A plan with the command's defaults for what is not given (2 samples 1 s apart, 15 s / 5 s deadlines). */
export function planWith(p: Partial<DoctorPlan>): DoctorPlan {
  return {
    meta: [], configs: [], hhDirs: [], hhUrls: [], logs: [], skip: [], samples: 2, intervalMs: 1_000,
    timeoutMs: 15_000, httpTimeoutMs: 5_000, leaseDurationMs: 60_000, tz: 'UTC', ...p,
  }
}
