/**
 * Where `medic doctor` gets its evidence from. runDoctor (run.ts) asks a DoctorEnv for everything outside itself: the
 * HTTP options of every request, the time of each sample, the bytes of each config file and the file-system facts
 * the config rules need, the log summary, and the samples of local hh directories. Two implementations:
 *   - liveEnv (here): the real nodes, files and clock; with a Recording, everything read is also kept for a support
 *     bundle (redacted on the way in);
 *   - bundleEnv (replay.ts): the same evidence read back from a bundle, so `doctor --offline` runs the same code on
 *     the same inputs and gives the same report.
 */
import type {RuleContext} from '../config/rules.js'
import {readConfigFile} from '../config/parse.js'
import {fsContext} from '../config/rules.js'
import {MedicError} from '../errors.js'
import {dirSampler, type Sampler, type SourceObservation} from '../hh/sampler.js'
import {abortableSleep} from '../hh/monitor.js'
import type {SummaryReport} from '../logs/summary.js'
import type {HttpExchange, HttpOptions} from '../probe/http.js'
import {summariseLogs} from './logs.js'
import {ConfigRedactor, redactJsonBody, redactLogLine, redactRuleFile} from './redact.js'
import type {Access, DoctorPlan, DoctorReport} from './types.js'

export interface DirSampleOptions {
  maxAgeMs: number
  /** An empty directory counts as an hh directory when a data node's config names it. */
  acceptEmpty: (dir: string) => boolean
}

export interface DoctorEnv {
  source: DoctorReport['source']
  access: Access
  /** Credentials, TLS, and for a bundle the dispatcher that replays its answers. */
  http: HttpOptions
  /** When the run started (the report's generatedAt). */
  startedAt: number
  /** The time of sample `i`: live, waits until `i` intervals after the first; from a bundle, the recorded time. */
  sampleTime(i: number, intervalMs: number, signal?: AbortSignal): Promise<number>
  readConfig(path: string): Promise<{bytes: Buffer; sizeBytes: number}>
  ruleContext?: Partial<RuleContext>
  /** The log summary; throws a MedicError when no input can be read. */
  summariseLogs(plan: DoctorPlan): Promise<SummaryReport>
  sampleDirs(dirs: string[], t: number, options: DirSampleOptions): Promise<SourceObservation[]>
}

/** One request of the run as a bundle keeps it; `body` names the bundle entry that holds the (redacted) body. */
export type RecordedExchange =
  | {url: string; status: number; headers: Record<string, string>; body: string; bytes: number}
  | {url: string; error: {code?: string; name?: string; message: string}}

/** What a live run read, kept for a support bundle. Bodies and file copies go to `store` as they arrive. */
export class Recording {
  readonly exchanges: RecordedExchange[] = []
  readonly sampleTimes: number[] = []
  readonly configs: Array<{path: string; entry?: string; sizeBytes?: number; error?: {code: string; message: string}}> = []
  readonly context = {
    now: 0,
    freeBytes: {} as Record<string, number | null>,
    pathKind: {} as Record<string, string | null>,
    readText: {} as Record<string, string | null>,
  }
  readonly dirSamples: SourceObservation[][] = []
  logs: {summary?: string; error?: {code: string; message: string}} = {}
  private readonly redactor = new ConfigRedactor()
  private files = 0

  /** `store(name, data)` receives every entry as soon as it is known (the bundle writer streams it out). */
  constructor(private readonly store: (name: string, data: string) => void) {}

  exchange(e: HttpExchange): void {
    if ('error' in e) {
      this.exchanges.push({url: e.url, error: e.error})
      return
    }
    const n = this.exchanges.length + 1
    const name = `http/${String(n).padStart(4, '0')}-${slug(e.url)}.txt`
    const text = /^\s*[[{]/.test(e.text) ? redactJsonBody(e.text) : redactLogLine(e.text)
    this.store(name, text)
    const headers: Record<string, string> = {}
    for (const h of KEPT_HEADERS) {
      const v = e.headers[h]
      const s = Array.isArray(v) ? v[0] : v
      if (typeof s === 'string') headers[h] = s.slice(0, 2000)
    }
    this.exchanges.push({url: e.url, status: e.status, headers, body: name, bytes: Buffer.byteLength(text)})
  }

  config(path: string, read: {bytes: Buffer; sizeBytes: number} | MedicError): void {
    if (read instanceof MedicError) {
      this.configs.push({path, error: {code: read.code, message: read.message}})
      return
    }
    const name = `configs/${String(++this.files).padStart(2, '0')}-${slug(path)}`
    this.store(name, this.redactor.redactFile(path, read.bytes).text)
    this.configs.push({path, entry: name, sizeBytes: read.sizeBytes})
  }

  ruleFile(path: string, text: string | undefined): void {
    if (text === undefined) {
      this.context.readText[path] = null
      return
    }
    const name = `rule-files/${String(Object.keys(this.context.readText).length + 1).padStart(2, '0')}-${slug(path)}`
    this.store(name, redactRuleFile(text))
    this.context.readText[path] = name
  }

  summary(report: SummaryReport): void {
    this.store('logs/summary.json', JSON.stringify(report, null, 2))
    this.logs = {summary: 'logs/summary.json'}
  }
}

/** Response headers a replay needs (the probes read the version, the type and redirects), and nothing else. */
const KEPT_HEADERS = ['content-type', 'location', 'x-influxdb-version', 'x-influxdb-build']

/** A file-name-safe form of a URL or path, for entry names people can read. */
export function slug(s: string): string {
  return s.replace(/^[a-z]+:\/\//i, '').replace(/[^\w.-]+/g, '_').replace(/^[_.]+/, '').slice(-80) || 'x'
}

/** The real nodes, files and clock; with `recording`, everything read is also kept for a bundle. */
export function liveEnv(http: HttpOptions, access: Access, recording?: Recording, signal?: AbortSignal): DoctorEnv {
  const startedAt = Date.now()
  const samplers = new Map<string, Sampler>()
  const base = fsContext(0)
  let context: Partial<RuleContext> | undefined
  if (recording !== undefined) {
    recording.context.now = base.now
    context = {
      now: base.now,
      async freeBytes(p) {
        const v = await base.freeBytes(p)
        recording.context.freeBytes[p] = v ?? null
        return v
      },
      async pathKind(p) {
        const v = await base.pathKind(p)
        recording.context.pathKind[p] = v ?? null
        return v
      },
      async readText(p) {
        const v = await base.readText(p)
        recording.ruleFile(p, v)
        return v
      },
    }
  }
  let first: number | undefined
  let dirNow = startedAt
  return {
    source: {kind: 'live'},
    access,
    http: recording === undefined ? {...http, ...(signal === undefined ? {} : {signal})} : {...http, ...(signal === undefined ? {} : {signal}), onExchange: (e) => recording.exchange(e)},
    startedAt,
    async sampleTime(i, intervalMs) {
      if (i > 0 && first !== undefined) await abortableSleep(Math.max(0, first + i * intervalMs - Date.now()), signal)
      const t = Date.now()
      first ??= t
      recording?.sampleTimes.push(t)
      return t
    },
    async readConfig(path) {
      try {
        const r = await readConfigFile(path)
        recording?.config(path, r)
        return r
      } catch (err) {
        if (err instanceof MedicError) recording?.config(path, err)
        throw err
      }
    },
    ...(context === undefined ? {} : {ruleContext: context}),
    async summariseLogs(plan) {
      try {
        const r = await summariseLogs(plan)
        recording?.summary(r)
        return r
      } catch (err) {
        if (err instanceof MedicError && recording !== undefined) recording.logs = {error: {code: err.code, message: err.message}}
        throw err
      }
    },
    async sampleDirs(dirs, t, options) {
      const out: SourceObservation[] = []
      dirNow = t
      for (const dir of dirs) {
        let s = samplers.get(dir)
        if (s === undefined) {
          s = dirSampler(dir, {now: () => dirNow, maxAgeMs: options.maxAgeMs, acceptEmpty: options.acceptEmpty(dir), command: 'watch'})
          samplers.set(dir, s)
        }
        out.push(...(await s.sample(signal)).sources)
      }
      recording?.dirSamples.push(out)
      return out
    },
  }
}
