/**
 * A bundle's manifest.json: its shape (checked with zod, with a bound on every list and string, before `doctor
 * --offline` uses anything in it), and the last step of `doctor --bundle`, which writes the manifest, the report,
 * the log tails and the README once the run is over (the bodies and file copies were written as they were read).
 */
import type * as z from 'zod'

import {findEntry} from '../logs/catalogue/index.js'
import type {SummaryReport} from '../logs/summary.js'
import {inputError} from '../errors.js'
import {parseJsonBounded} from '../util/json.js'
import {hasControl} from '../util/text.js'
import type {BundleWriter} from './bundle.js'
import {type Recording, slug} from './env.js'
import {logTail} from './logs.js'
import {AREAS, type Access, type DoctorPlan, type DoctorReport} from './types.js'

export const BUNDLE_FORMAT = 'medic-doctor-bundle'
export const BUNDLE_VERSION = 1

async function build() {
  const zod = await import('zod')
  const text = (max: number) => zod.string().max(max)
  const count = zod.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
  const ms = zod.number().int().min(0).max(8.64e15)
  const entryRef = text(300)
  const plan = zod.object({
    meta: zod.array(text(500)).max(64),
    configs: zod.array(text(4096)).max(1000),
    hhDirs: zod.array(text(4096)).max(64),
    hhUrls: zod.array(text(500)).max(1000),
    logs: zod.array(text(4096)).max(1000),
    sinceMs: ms.optional(),
    skip: zod.array(zod.enum(AREAS)).max(AREAS.length),
    samples: zod.number().int().min(1).max(60),
    intervalMs: zod.number().int().min(1).max(3_600_000),
    timeoutMs: zod.number().int().min(1).max(86_400_000),
    httpTimeoutMs: zod.number().int().min(1).max(86_400_000),
    leaseDurationMs: zod.number().int().min(1).max(86_400_000),
    tz: text(64),
  })
  const access = zod.object({username: text(200).optional(), password: zod.boolean(), jwt: zod.boolean(), ca: text(4096).optional(), insecure: zod.boolean()})
  const error = zod.object({code: text(100).optional(), name: text(50).optional(), message: text(2000)})
  const exchange = zod.union([
    zod.object({url: text(4000), status: zod.number().int().min(100).max(999), headers: zod.record(text(100), text(2000)), body: entryRef, bytes: count}),
    zod.object({url: text(4000), error}),
  ])
  const manifest = zod.object({
    format: zod.literal(BUNDLE_FORMAT),
    version: zod.literal(BUNDLE_VERSION),
    createdAt: text(40),
    medicVersion: text(100),
    plan,
    access,
    exchanges: zod.array(exchange).max(50_000),
    sampleTimes: zod.array(ms).min(1).max(60),
    configs: zod.array(zod.object({path: text(4096), entry: entryRef.optional(), sizeBytes: count.optional(), error: zod.object({code: text(100), message: text(2000)}).optional()})).max(1000),
    context: zod.object({
      now: ms,
      freeBytes: zod.record(text(4096), count.nullable()),
      pathKind: zod.record(text(4096), zod.enum(['file', 'dir', 'other']).nullable()),
      readText: zod.record(text(4096), entryRef.nullable()),
    }),
    dirSamples: entryRef.nullable(),
    logs: zod.object({
      summary: entryRef.optional(),
      error: zod.object({code: text(100), message: text(2000)}).optional(),
      tails: zod.array(zod.object({path: text(4096), entry: entryRef})).max(1000),
    }),
  })

  const finding = zod.object({
    severity: zod.enum(['critical', 'warning', 'unknown', 'info']), code: text(100), node: text(100).optional(), shard: text(100).nullable().optional(),
    path: text(4096).optional(), message: text(4000),
  })
  const nullableCount = count.nullable()
  const queue = zod.object({
    node: text(40), shard: text(40).nullable(), pendingBytes: count, diskBytes: nullableCount, segments: nullableCount, oldestPendingMs: ms.nullable(),
    newestWriteMs: ms.nullable(), sentBytes: nullableCount, appendedBytes: nullableCount, failedSends: nullableCount, purgedBytes: nullableCount, badSegments: count,
  })
  const source = zod.object({
    source: text(4096), kind: zod.literal('dir'), ok: zod.boolean(),
    error: zod.object({code: text(100), message: text(4000), suggestions: zod.array(text(2000)).max(10)}).nullable(),
    queues: zod.array(queue).max(100_000),
    nodes: zod.array(zod.object({node: text(40), diskBytes: count, pendingBytes: count, oldestPendingMs: ms.nullable(), badSegments: count})).max(10_000),
    findings: zod.array(finding).max(1000),
    unchecked: count,
    version: zod.null(),
    durationMs: zod.number().min(0).max(8.64e15),
  })
  const dirSamples = zod.array(zod.array(source).max(64)).max(60)

  const summaryEntry = zod.looseObject({
    id: text(100), title: text(1000), verdict: zod.enum(['critical', 'warning']), count, firstSeen: text(40).nullable(), lastSeen: text(40).nullable(),
    sources: zod.record(text(4096), count), nodes: zod.record(text(100), count), shards: zod.record(text(100), count),
    example: text(100_000), exampleSource: text(4096), context: text(4000).optional(), next: zod.array(text(4000)).max(10),
  })
  const summary = zod.looseObject({
    verdict: zod.enum(['ok', 'warning', 'critical', 'unknown']),
    input: zod.looseObject({files: zod.array(text(4096)).max(1000), lines: count, problems: zod.array(zod.looseObject({code: text(100), message: text(4000)})).max(1000)}),
    counts: zod.looseObject({critical: count, warning: count, unknown: count}),
    actionable: zod.array(summaryEntry).max(5000),
  })
  return {manifest, dirSamples, summary}
}

let cached: ReturnType<typeof build> | undefined
export function manifestSchemas(): ReturnType<typeof build> {
  cached ??= build()
  return cached
}

export type Manifest = z.infer<Awaited<ReturnType<typeof build>>['manifest']>

/** Parses and checks a JSON entry of a bundle; any problem is exit 4 naming the entry. */
export async function checkedJson<T>(bundle: string, name: string, bytes: Buffer | undefined, schema: z.ZodType<T>): Promise<T> {
  if (bytes === undefined) throw inputError(`${bundle}: ${name} is missing from the bundle`, 'bundle-invalid', ['a bundle is the .tar.gz that medic doctor --bundle wrote'])
  const parsed = parseJsonBounded(bytes.toString('utf8'))
  if (!parsed.ok) throw inputError(`${bundle}: ${name} is not JSON (${parsed.reason})`, 'bundle-invalid', ['the bundle was changed or damaged after medic wrote it'])
  const r = schema.safeParse(parsed.value)
  if (!r.success) {
    const issue = r.error.issues[0]
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(top)'
    throw inputError(`${bundle}: ${name} is not what medic writes (at ${at.slice(0, 200)}: ${issue.message.slice(0, 200)})`, 'bundle-invalid', [
      'the bundle was changed after medic wrote it, or a newer medic wrote it: read it with the medic version named in its README.txt',
    ])
  }
  return r.data
}

/**
 * A log summary read from a bundle, made fit to print: entries medic does not know are dropped, titles are the
 * catalogue's, and a next command is kept only when it is one of the entry's own commands with values put in as
 * `medic logs summarize` puts them (one quoted shell word, or a plain word); anything else could be a command medic
 * never suggested, planted in the bundle.
 */
export function sanitiseSummary(report: SummaryReport): SummaryReport {
  const actionable = report.actionable.flatMap((e) => {
    const entry = findEntry(e.id)
    if (entry === undefined) return []
    const patterns = entry.commands.map(commandPattern)
    return [{...e, title: entry.title, next: e.next.filter((c) => !hasControl(c) && patterns.some((p) => p.test(c)))}]
  })
  return {...report, actionable}
}

const PLAIN = String.raw`[\w.:/@%+=,-]+`
const QUOTED = String.raw`'(?:[^']|'\\'')*'`

/** What a filled command template may look like: placeholders are a plain word, a quoted word, or `<name>`. */
function commandPattern(template: string): RegExp {
  let re = ''
  let last = 0
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    re += escapeRe(template.slice(last, m.index))
    re += `(?:<${m[1]}>|${PLAIN}|${QUOTED})`
    last = m.index + m[0].length
  }
  re += escapeRe(template.slice(last))
  return new RegExp(`^${re}$`)
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export interface FinishOptions {
  writer: BundleWriter
  recording: Recording
  plan: DoctorPlan
  access: Access
  report: DoctorReport
  /** The report as printed (human text). */
  text: string
  medicVersion: string
  /** Lines kept from the end of each log file. */
  tailLines: number
}

/** Writes what only the end of the run knows, then closes the archive. */
export async function finishBundle(o: FinishOptions): Promise<void> {
  const {writer, recording} = o
  const tails: Array<{path: string; entry: string}> = []
  if (o.tailLines > 0) {
    for (const [i, path] of o.plan.logs.entries()) {
      const lines = await logTail(path, o.tailLines)
      if (lines === undefined) continue
      const entry = `logs/tail-${String(i + 1).padStart(2, '0')}-${slug(path)}.log`
      writer.add(entry, lines.length === 0 ? '' : `${lines.join('\n')}\n`)
      tails.push({path, entry})
    }
  }
  let dirSamples: string | null = null
  if (recording.dirSamples.length > 0) {
    dirSamples = 'hh/dir-samples.json'
    writer.add(dirSamples, JSON.stringify(recording.dirSamples.map((s) => s.map(({write: _w, ...rest}) => rest))))
  }
  const manifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: o.report.generatedAt,
    medicVersion: o.medicVersion,
    plan: o.plan,
    access: o.access,
    exchanges: recording.exchanges,
    sampleTimes: recording.sampleTimes,
    configs: recording.configs,
    context: recording.context,
    dirSamples,
    logs: {...recording.logs, tails},
  }
  writer.add('manifest.json', JSON.stringify(manifest, null, 2))
  writer.add('report.json', JSON.stringify(o.report, null, 2))
  writer.add('report.txt', o.text.endsWith('\n') ? o.text : `${o.text}\n`)
  writer.add('README.txt', readme(o))
  await writer.finish()
}

function readme(o: FinishOptions): string {
  return [
    `A support bundle written by medic ${o.medicVersion} (medic doctor --bundle) on ${o.report.generatedAt}.`,
    '',
    'Read it back, with the same report, on any machine with medic:',
    '  medic doctor --offline THIS-FILE.tar.gz',
    '',
    'What is inside (secrets are not: config secrets are replaced by labels such as "medic-redacted-1", equal',
    'labels standing for equal values; private keys, license files and passwords in bodies and log lines are removed):',
    '  report.txt, report.json   what medic found, as printed and as --json',
    '  manifest.json             what was asked, and every HTTP exchange in order with its status and body entry',
    '  http/                     the nodes\' answers: /status, /show-cluster, /ping, /debug/vars',
    '  configs/                  the config files given with --configs',
    '  rule-files/               certificates and license files the config checks read (keys and licenses removed)',
    '  logs/summary.json         medic logs summarize of the --logs files; logs/tail-*.log their last lines',
    '  hh/dir-samples.json       what medic measured in the --hh directories (sizes and ages, never queued points)',
    '',
  ].join('\n')
}
