/**
 * The configs area of `medic doctor`: `medic config check` (config/check.ts) on every config file given, as one
 * cluster, so the cross-node rules run (secrets and auth that must agree between meta and data nodes, one license,
 * no duplicate hostnames or ports). Unlike `config check`, a file that cannot be read does not stop the others: it is
 * listed as not checked. The first data node's config also gives the hinted-handoff limits (max-size, max-age,
 * retry-max-interval) the hh area judges queues against.
 */
import {checkConfigs, type CheckOptions} from '../config/check.js'
import type {CheckReport, Finding} from '../config/types.js'
import {MedicError} from '../errors.js'
import {type HhSettings, resolveHhSettings} from '../hh/settings.js'
import {decideOutcome} from '../util/outcome.js'
import {configCheckCommand} from './next.js'
import type {Draft} from './probes.js'
import type {AreaReport} from './types.js'

export interface ConfigInput {
  read: NonNullable<CheckOptions['read']>
  context?: CheckOptions['context']
}

export interface ConfigsResult {
  area: AreaReport
  findings: Draft[]
  report?: CheckReport
  settings: HhSettings
}

export async function configsArea(paths: string[], input: ConfigInput): Promise<ConfigsResult> {
  const defaults = await resolveHhSettings({})
  if (paths.length === 0) {
    const why = 'no config file given (--configs)'
    return {area: {area: 'configs', verdict: 'unknown', checked: 0, unchecked: 1, summary: `not checked: ${why}`, notChecked: [why]}, findings: [], settings: defaults}
  }
  const readable = new Map<string, {bytes: Buffer; sizeBytes: number}>()
  const notChecked: string[] = []
  for (const p of paths) {
    try {
      readable.set(p, await input.read(p))
    } catch (err) {
      if (!(err instanceof MedicError)) throw err
      notChecked.push(err.message)
    }
  }
  let report: CheckReport | undefined
  if (readable.size > 0) {
    report = await checkConfigs([...readable.keys()], {
      read: async (p) => readable.get(p)!,
      ...(input.context === undefined ? {} : {context: input.context}),
    })
  }
  const findings = (report?.findings ?? []).map(fromFinding)
  for (const f of report?.files ?? []) if (!f.parsed) notChecked.push(`${f.path}: could not be parsed (see its findings)`)
  const checked = report?.coverage.checked ?? 0
  const unchecked = (report?.coverage.unchecked ?? 0) + (paths.length - readable.size)
  let settings = defaults
  const data = report?.files.find((f) => f.role === 'data' && f.parsed)
  if (data !== undefined) {
    try {
      settings = await resolveHhSettings({configPath: data.path, configText: readable.get(data.path)!.bytes.toString('utf8')})
    } catch (err) {
      if (!(err instanceof MedicError)) throw err
      settings = {...defaults, notes: [`${data.path}: [hinted-handoff] not read (${err.message}): the defaults are used`]}
    }
  }
  const roles = (report?.files ?? []).reduce((m, f) => m.set(f.role ?? 'unknown', (m.get(f.role ?? 'unknown') ?? 0) + 1), new Map<string, number>())
  const outcome = decideOutcome({findings, checked, unchecked})
  return {
    area: {
      area: 'configs',
      verdict: outcome.verdict,
      checked,
      unchecked,
      summary: `${paths.length} file${paths.length === 1 ? '' : 's'} (${[...roles].map(([r, n]) => `${n} ${r}`).join(', ') || 'none readable'}); ${report ? `${report.counts.error} error${report.counts.error === 1 ? '' : 's'}, ${report.counts.warning} warning${report.counts.warning === 1 ? '' : 's'}, ${report.counts.info} note${report.counts.info === 1 ? '' : 's'}` : 'nothing checked'}`,
      notChecked,
    },
    findings,
    ...(report === undefined ? {} : {report}),
    settings,
  }
}

function fromFinding(f: Finding): Draft {
  const at = f.line === null ? f.file : `${f.file}:${f.line}${f.column === null ? '' : `:${f.column}`}`
  const evidence: string[] = []
  if (f.key !== null) evidence.push(`${at}: ${f.key}${f.value === undefined ? ' (not set)' : ` = ${f.value}`}${f.origin !== undefined && f.origin.kind !== 'file' ? ` (from ${f.origin.kind}${f.origin.variable ? ` ${f.origin.variable}` : ''})` : ''}`)
  else evidence.push(at)
  if (f.excerpt !== undefined) evidence.push(`line: ${f.excerpt}`)
  for (const r of f.related ?? []) evidence.push(`see ${r.file}${r.line === null ? '' : `:${r.line}`}${r.key ? ` ${r.key}` : ''}${r.note ? ` (${r.note})` : ''}`)
  return {
    id: f.id,
    area: 'configs',
    severity: f.severity === 'error' ? 'critical' : f.severity,
    node: f.file,
    title: f.message,
    evidence,
    next: configCheckCommand([f.file]),
    hints: [`fix: ${f.fix}`],
  }
}
