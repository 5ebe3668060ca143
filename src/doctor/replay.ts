/**
 * `medic doctor --offline F.tar.gz`: a DoctorEnv (env.ts) that answers from a bundle instead of the network and the
 * disk. Every HTTP request is answered by ReplayDispatcher (an undici Dispatcher) with the recorded answer to the
 * same URL, in the order they were recorded, so probe/status.ts and hh/sampler.ts parse and judge the same bodies
 * with the same code as the live run (redirects, errors and time-outs included); sample times, config files, the
 * config rules' file-system facts, the log summary and local hh samples come from the manifest. Nothing reaches the
 * network: a request that was not recorded fails as "not in the bundle".
 */
import type {Dispatcher} from 'undici'

import type {RuleContext} from '../config/rules.js'
import {inputError} from '../errors.js'
import {normaliseBaseUrl} from '../probe/http.js'
import type {SourceObservation} from '../hh/sampler.js'
import type {SummaryReport} from '../logs/summary.js'
import {readBundleFile} from './bundle.js'
import type {DoctorEnv, RecordedExchange} from './env.js'
import {checkedJson, manifestSchemas, sanitiseSummary} from './manifest.js'
import type {DoctorPlan} from './types.js'

/** Answers requests from recorded exchanges, by URL, in recorded order; never opens a connection. */
export async function replayDispatcher(exchanges: RecordedExchange[], body: (entry: string) => Buffer): Promise<Dispatcher> {
  const {Dispatcher: Base} = await import('undici')
  const queues = new Map<string, RecordedExchange[]>()
  for (const e of exchanges) {
    const key = urlKey(e.url)
    if (key === undefined) continue
    const q = queues.get(key)
    if (q === undefined) queues.set(key, [e])
    else q.push(e)
  }
  class Replay extends Base {
    override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const legacy = handler as {
        onConnect?: (abort: (err?: Error) => void, context?: unknown) => void
        onHeaders?: (status: number, headers: Buffer[], resume: () => void, text: string) => boolean | void
        onData?: (chunk: Buffer) => boolean | void
        onComplete?: (trailers: Buffer[]) => void
        onError?: (err: Error) => void
      }
      let aborted = false
      legacy.onConnect?.((err?: Error) => {
        aborted = true
        legacy.onError?.(err ?? new Error('aborted'))
      })
      const key = urlKey(`${String(opts.origin ?? '')}${opts.path}`)
      const e = key === undefined ? undefined : queues.get(key)?.shift()
      queueMicrotask(() => {
        if (aborted) return
        if (e === undefined) {
          legacy.onError?.(Object.assign(new Error('not in the bundle'), {code: 'MEDIC_NOT_RECORDED'}))
          return
        }
        if ('error' in e) {
          const err = Object.assign(new Error(e.error.message), e.error.code === undefined ? {} : {code: e.error.code})
          if (e.error.name !== undefined) err.name = e.error.name
          legacy.onError?.(err)
          return
        }
        const raw: Buffer[] = []
        for (const [k, v] of Object.entries(e.headers)) raw.push(Buffer.from(k), Buffer.from(v))
        legacy.onHeaders?.(e.status, raw, () => {}, '')
        const data = body(e.body)
        if (data.length > 0) legacy.onData?.(data)
        legacy.onComplete?.([])
      })
      return true
    }

    override async close(): Promise<void> {}
    override async destroy(): Promise<void> {}
  }
  return new Replay() as unknown as Dispatcher
}

function urlKey(url: string): string | undefined {
  try {
    return new URL(url).href
  } catch {
    return undefined
  }
}

/** The plan and the environment of a bundle: everything checked before it is used. */
export async function bundleEnv(path: string): Promise<{plan: DoctorPlan; env: DoctorEnv; medicVersion: string}> {
  const entries = await readBundleFile(path)
  const schemas = await manifestSchemas()
  const m = await checkedJson(path, 'manifest.json', entries.get('manifest.json'), schemas.manifest)
  const entry = (name: string): Buffer => {
    const b = entries.get(name)
    if (b === undefined) throw inputError(`${path}: ${name} is named in the manifest but missing from the bundle`, 'bundle-invalid', ['the bundle was changed or damaged after medic wrote it'])
    return b
  }
  // Every entry the manifest names must be there: checked now, so that a damaged bundle fails before any output.
  for (const e of m.exchanges) if ('body' in e) entry(e.body)
  for (const c of m.configs) if (c.entry !== undefined) entry(c.entry)
  for (const v of Object.values(m.context.readText)) if (v !== null) entry(v)
  const plan: DoctorPlan = {...m.plan, samples: m.sampleTimes.length}
  // Addresses are checked as the command line checks them, but a bad one here is a damaged bundle (exit 4), not usage.
  for (const [flag, list, port] of [['--meta', plan.meta, 8091], ['--hh-url', plan.hhUrls, 8086]] as const) {
    for (const a of list) {
      try {
        normaliseBaseUrl(a, port, flag)
      } catch {
        throw inputError(`${path}: manifest.json names ${flag} ${JSON.stringify(a.slice(0, 100))}, which is not an address medic writes`, 'bundle-invalid', ['the bundle was changed after medic wrote it'])
      }
    }
  }
  const dispatcher = await replayDispatcher(m.exchanges as RecordedExchange[], entry)
  const dirSamples: SourceObservation[][] = m.dirSamples === null ? [] : await checkedJson(path, m.dirSamples, entries.get(m.dirSamples), schemas.dirSamples)
  let dirCall = 0
  const context: Partial<RuleContext> = {
    now: m.context.now,
    async freeBytes(p) {
      return m.context.freeBytes[p] ?? undefined
    },
    async pathKind(p) {
      return m.context.pathKind[p] ?? undefined
    },
    async readText(p) {
      const name = m.context.readText[p]
      return name === undefined || name === null ? undefined : entry(name).toString('utf8')
    },
  }
  const env: DoctorEnv = {
    source: {kind: 'bundle', path, createdAt: m.createdAt, medicVersion: m.medicVersion},
    access: m.access,
    http: {dispatcher, ...(m.access.username === undefined ? {} : {auth: {type: 'basic' as const, username: m.access.username, password: ''}})},
    startedAt: Date.parse(m.createdAt) || m.sampleTimes[0],
    async sampleTime(i) {
      return m.sampleTimes[Math.min(i, m.sampleTimes.length - 1)]
    },
    async readConfig(p) {
      const c = m.configs.find((x) => x.path === p)
      if (c === undefined) throw inputError(`${p}: not in the bundle`, 'input-not-found', [])
      if (c.error !== undefined) throw inputError(c.error.message, c.error.code, [])
      const bytes = c.entry === undefined ? Buffer.alloc(0) : entry(c.entry)
      return {bytes, sizeBytes: c.sizeBytes ?? bytes.length}
    },
    ruleContext: context,
    async summariseLogs() {
      if (m.logs.error !== undefined) throw inputError(m.logs.error.message, m.logs.error.code, [])
      if (m.logs.summary === undefined) throw inputError('the bundle holds no log summary', 'bundle-no-logs', [])
      const s = await checkedJson(path, m.logs.summary, entries.get(m.logs.summary), schemas.summary)
      return sanitiseSummary(s as unknown as SummaryReport)
    },
    async sampleDirs() {
      return dirSamples[dirCall++] ?? []
    },
  }
  return {plan, env, medicVersion: m.medicVersion}
}
