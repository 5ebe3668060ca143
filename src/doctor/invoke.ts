/**
 * `medic doctor` from what the operator asked for to the report: the checks on the request that need no node (--offline
 * alone, something to look at, the time zone, the addresses), the plan (folders expanded), the live run or the replay
 * of a bundle, and, with --bundle, the support bundle written around the live run. The command (commands/doctor.ts)
 * parses the flags into a DoctorRequest and hands in what belongs to the CLI layer (the HTTP options from the access
 * flags, Ctrl-C, the renderer, printing); no oclif, no formatting here.
 */
import {usageError} from '../errors.js'
import {badZoneSuggestions, parseZone} from '../logs/time.js'
import type {HttpOptions} from '../probe/http.js'
import {sh, shellQuote} from '../util/text.js'
import {withAccess} from './next.js'
import type {Access, DoctorPlan, DoctorReport} from './types.js'

/** What `medic doctor` was asked, as values: the plan of a live run, and what only the command line gives. */
export interface DoctorRequest extends DoctorPlan {
  /** --offline: a support bundle to read instead of the cluster. */
  offline?: string
  /** The live-only flags given (by name, without --), which --offline refuses. */
  liveFlags: string[]
  /** --bundle: write a support bundle here; --tail: the last lines of each log kept in it. */
  bundle?: string
  tailLines: number
  access: Access
}

/** What the CLI layer provides. */
export interface DoctorIo {
  /** The HTTP options of the access flags (read once the request is known to be valid). */
  http(): Promise<HttpOptions>
  /** Ctrl-C and SIGTERM as an AbortSignal, for the live run. */
  signals(): {signal: AbortSignal; dispose(): void}
  render(report: DoctorReport): Promise<string>
  /** Prints the human report; absent with --json. Called before the bundle is finished (the text is part of it). */
  print?: (text: string) => void
  medicVersion: string
}

export interface DoctorOutcome {
  report: DoctorReport
  /** The support bundle written (--bundle), and the command that reads it back. */
  bundle?: {path: string; readBack: string}
}

export async function doctor(req: DoctorRequest, io: DoctorIo): Promise<DoctorOutcome> {
  const {runDoctor} = await import('./run.js')
  const {closeHttp} = await import('../probe/http.js')
  if (req.offline !== undefined) {
    if (req.liveFlags.length > 0) {
      throw usageError(`--offline reads everything from the bundle: it takes no --${req.liveFlags[0]}`, 'offline-and-live', ['medic doctor --offline BUNDLE.tar.gz'])
    }
    const {bundleEnv} = await import('./replay.js')
    const {plan, env} = await bundleEnv(req.offline)
    let report: DoctorReport
    try {
      report = await runDoctor(plan, env)
    } finally {
      await closeHttp()
    }
    if (io.print !== undefined) io.print(await io.render(report))
    return {report}
  }

  await checkLive(req)
  const http = await io.http()
  const {expandInputs} = await import('./inputs.js')
  const plan: DoctorPlan = {
    meta: req.meta,
    configs: await expandInputs(req.configs, 'configs'),
    hhDirs: req.hhDirs,
    hhUrls: req.hhUrls,
    logs: await expandInputs(req.logs, 'logs'),
    ...(req.sinceMs === undefined ? {} : {sinceMs: req.sinceMs}),
    skip: req.skip,
    samples: req.samples,
    intervalMs: req.intervalMs,
    timeoutMs: req.timeoutMs,
    httpTimeoutMs: req.httpTimeoutMs,
    leaseDurationMs: req.leaseDurationMs,
    tz: req.tz,
  }
  const {liveEnv, Recording} = await import('./env.js')
  const bundle = req.bundle === undefined ? undefined : await (await import('./bundle.js')).BundleWriter.open(req.bundle)
  const recording = bundle === undefined ? undefined : new Recording((name, data) => bundle.add(name, data))
  const stop = io.signals()
  let report: DoctorReport
  try {
    report = await runDoctor(plan, liveEnv(http, req.access, recording, stop.signal))
  } catch (err) {
    await bundle?.abort()
    throw err
  } finally {
    stop.dispose()
    await closeHttp()
  }
  const text = await io.render(report)
  io.print?.(text)
  if (bundle === undefined || recording === undefined) return {report}
  const {finishBundle} = await import('./manifest.js')
  await finishBundle({writer: bundle, recording, plan, access: req.access, report, text, medicVersion: io.medicVersion, tailLines: req.tailLines})
  return {report, bundle: {path: bundle.path, readBack: `medic doctor --offline ${shellQuote(bundle.path)}`}}
}

/** What a live run needs of its inputs before any is read: something to look at, a time zone, addresses. */
async function checkLive(req: DoctorRequest): Promise<void> {
  if (req.meta.length === 0 && req.configs.length === 0 && req.hhDirs.length === 0 && req.hhUrls.length === 0 && req.logs.length === 0) {
    throw usageError('nothing to look at: give --meta (and --configs, --logs ...), or --offline BUNDLE', 'no-input', [
      'medic doctor --meta meta-1:8091',
      'medic doctor --meta meta-1:8091 --configs /etc/influxdb --logs /var/log/influxdb --since 1h',
      'medic doctor --offline bundle.tar.gz',
    ])
  }
  if (parseZone(req.tz) === undefined) {
    throw usageError(`--tz: "${req.tz}" is not a time zone`, 'bad-time-zone', badZoneSuggestions(commandLine(req)))
  }
  const {normaliseBaseUrl} = await import('../probe/http.js')
  for (const m of req.meta) normaliseBaseUrl(m, 8091, '--meta', 'medic doctor')
  for (const u of req.hhUrls) normaliseBaseUrl(u, 8086, '--hh-url', 'medic doctor --meta meta-1:8091')
}

/** The request as a command line (what it looks at, and the access flags without a secret); undefined when a value cannot be quoted. */
function commandLine(req: DoctorRequest): string | undefined {
  const parts = ['medic doctor']
  const add = (flag: string, values: string[]) => {
    for (const v of values) parts.push(sh`${flag} ${v}` ?? '\0')
  }
  add('--meta', req.meta)
  add('--configs', req.configs)
  add('--hh', req.hhDirs)
  add('--hh-url', req.hhUrls)
  add('--logs', req.logs)
  if (parts.includes('\0')) return undefined
  return withAccess(parts.join(' '), req.access) ?? undefined
}
