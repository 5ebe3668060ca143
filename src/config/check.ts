/**
 * `medic config check`, as a function: read every file (exit 4 when one cannot be read), parse it with positions,
 * detect its role, validate keys and values, apply INFLUXDB_* overrides, run the per-file and cross-node rules, and
 * return one structured report with every secret redacted. No oclif, no printing.
 */
import {resolve} from 'node:path'

import {decideOutcome} from '../util/outcome.js'
import {type EnvVar, envFromProcess, envTarget, isSecretVariable, readEnvFile, unmatchedEnvFindings} from './env.js'
import {keyName, type Role} from './options.js'
import {parseConfig, readConfigFile} from './parse.js'
import {crossRules, fileRules, fsContext, type RuleContext} from './rules.js'
import {releaseTarget} from './releases.js'
import {SecretSet} from './secrets.js'
import type {CheckReport, FileReport, Finding, Override, Severity} from './types.js'
import {buildModel, detectRole, type FileModel} from './validate.js'

export interface CheckOptions {
  /** Force the role of every file. */
  role?: Role
  /** The environment to take INFLUXDB_* overrides from (--env); undefined to ignore the environment. */
  env?: NodeJS.ProcessEnv
  /** Env files (--env-from), applied after `env`, later files winning. */
  envFiles?: string[]
  /** The InfluxDB Enterprise release the nodes run (--influxdb-version): 1.11, 1.11.4, 1.11.4-c1.11.4; default: every release medic knows. */
  version?: string
  /** File-system access for the rules (tests pin free space, certificates, now). */
  context?: Partial<RuleContext>
  /** Reads one file (default: readConfigFile); `medic doctor --offline` reads the copies kept in a support bundle. */
  read?: (path: string) => Promise<{bytes: Buffer; sizeBytes: number}>
}

const SEVERITY_ORDER: Record<Severity, number> = {error: 0, warning: 1, info: 2}

export async function checkConfigs(paths: string[], options: CheckOptions = {}): Promise<CheckReport> {
  const unique: string[] = []
  const seen = new Set<string>()
  for (const p of paths) {
    const abs = resolve(p)
    if (seen.has(abs)) continue
    seen.add(abs)
    unique.push(p)
  }

  // Inputs first, so that a typo in any path fails before anything is reported (exit 4).
  const vars: EnvVar[] = options.env ? envFromProcess(options.env) : []
  const envFindings: Finding[] = []
  for (const f of options.envFiles ?? []) {
    const r = await readEnvFile(f)
    vars.push(...r.vars)
    envFindings.push(...r.findings)
  }
  const raw = []
  const read = options.read ?? readConfigFile
  for (const p of unique) raw.push({path: p, ...(await read(p))})

  const target = releaseTarget(options.version)
  const secrets = new SecretSet()
  for (const v of vars) secrets.add(v.name, v.value)
  const models: FileModel[] = []
  const parseFindings = new Map<FileModel, Finding[]>()
  for (const r of raw) {
    const parsed = parseConfig(r.path, r.bytes, r.sizeBytes)
    for (const e of parsed.entries) secrets.add(e.key, e.value)
    for (const v of parsed.secretValues) secrets.addValue(v)
    const model = buildModel(parsed, detectRole(parsed, options.role), vars, target)
    models.push(model)
    parseFindings.set(model, parsed.findings)
  }

  const ctx: RuleContext = {...fsContext(models.filter((m) => m.role === 'data').length), ...options.context}
  const files: FileReport[] = []
  const findings: Finding[] = []
  for (const m of models) {
    const own = [...(parseFindings.get(m) ?? []), ...m.findings, ...(await fileRules(m, ctx))]
    own.sort(byPosition)
    findings.push(...own.map((f) => ({scope: 'file' as const, ...f})))
    files.push({
      path: m.path,
      role: m.role,
      roleSource: m.roleSource,
      sizeBytes: m.parsed.sizeBytes,
      encoding: m.parsed.encoding,
      lineEndings: m.parsed.lineEndings,
      parsed: m.parsed.parsed,
      keys: m.parsed.entries.length,
      counts: count(own),
    })
  }
  findings.push(...crossRules(models).map((f) => ({scope: 'cluster' as const, ...f})))
  findings.push(...[...envFindings, ...unmatchedEnvFindings(vars)].map((f) => ({scope: 'environment' as const, ...f})))

  const overrides: Override[] = vars.filter((v) => v.value !== '').map((v) => {
    const t = envTarget(v.name)
    return {
      variable: v.name,
      key: t ? keyName(t.section, t.index === undefined ? t.key : `${t.index}.${t.key}`) : null,
      value: isSecretVariable(v.name) ? '[REDACTED]' : v.value,
      origin: v.origin,
      appliedTo: models.filter((m) => m.applied.includes(v.name)).map((m) => m.path),
    }
  })
  const counts = count(findings)
  const checked = files.filter((f) => f.parsed).length
  const outcome = decideOutcome({
    findings: findings.map((f) => ({severity: f.severity === 'error' ? 'critical' : f.severity})),
    checked,
    unchecked: files.length - checked,
  })
  const report: CheckReport = {
    verdict: outcome.verdict,
    coverage: {checked, unchecked: files.length - checked, complete: outcome.complete},
    exitCode: outcome.exitCode,
    counts,
    files,
    findings,
    overrides,
    envSources: [...(options.env ? ['environment'] : []), ...(options.envFiles ?? [])],
  }
  return secrets.scrub(report)
}

function byPosition(a: Finding, b: Finding): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
}

function count(list: Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = {error: 0, warning: 0, info: 0}
  for (const f of list) c[f.severity]++
  return c
}
