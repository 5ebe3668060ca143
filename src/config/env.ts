/**
 * INFLUXDB_<SECTION>_<KEY> overrides, from medic's own environment (--env) or from files (--env-from: shell or
 * systemd EnvironmentFile style, `Environment=` lines of a unit file, docker --env-file).
 *
 * influxd(-meta) derives each variable from the key's TOML name: INFLUXDB_ + section + _ + key, dashes turned into
 * underscores, upper case; top-level keys have no section (INFLUXDB_HOSTNAME); arrays of tables take the index
 * (INFLUXDB_GRAPHITE_0_ENABLED). Empty variables are skipped by influxd, so the file's value stays.
 */
import {readFile} from 'node:fs/promises'

import {configFileError} from './parse.js'
import {envName, keyName, nearest, OPTIONS, type Role, SECRET_KEY, SECTIONS} from './options.js'
import type {Finding, Origin} from './types.js'
import {shellQuote} from '../util/text.js'

export interface EnvVar {
  name: string
  value: string
  origin: Origin
}

/** What a variable sets, when it matches a section medic knows. */
export interface EnvTarget {
  section: string
  key: string
  /** For arrays of tables ([[graphite]]): INFLUXDB_GRAPHITE_0_ENABLED → 0. */
  index?: number
  /** The roles whose documented keys include it; empty for keys medic does not know in an open section. */
  roles: Role[]
}

/** Variables the packaging and InfluxData's container images read themselves; influxd never sees them as keys. */
const NOT_CONFIG = new Set([
  'INFLUXDB_CONFIG_PATH', 'INFLUXDB_META_CONFIG_PATH', 'INFLUXDB_DB', 'INFLUXDB_ADMIN_USER', 'INFLUXDB_ADMIN_PASSWORD',
  'INFLUXDB_USER', 'INFLUXDB_USER_PASSWORD', 'INFLUXDB_READ_USER', 'INFLUXDB_READ_USER_PASSWORD', 'INFLUXDB_WRITE_USER',
  'INFLUXDB_WRITE_USER_PASSWORD', 'INFLUXDB_INIT_PWD', 'INFLUXDB_HTTP_SHARED_SECRET_FILE',
])

export function isSecretVariable(name: string): boolean {
  return /PASSWORD|PASSWD|SECRET|TOKEN|LICENSE_KEY|_PWD\b/i.test(name) || SECRET_KEY.test(name.replaceAll('_', '-'))
}

/** The INFLUXDB_* variables of a process environment, sorted by name. */
export function envFromProcess(env: NodeJS.ProcessEnv): EnvVar[] {
  return Object.keys(env)
    .filter((k) => k.startsWith('INFLUXDB_') && env[k] !== undefined)
    .sort()
    .map((name) => ({name, value: env[name] as string, origin: {kind: 'environment', variable: name}}))
}

/** Reads an env file; a missing or unreadable file is exit 4 like any other input. */
export async function readEnvFile(path: string): Promise<{vars: EnvVar[]; findings: Finding[]}> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw configFileError(path, err)
  }
  return parseEnvText(path, text)
}

/**
 * Parses `NAME=value`, `export NAME=value`, quoted values, comments, and systemd's `Environment=NAME=value` /
 * `Environment="A=1" "B=2"`. Only INFLUXDB_* variables are kept. Lines that are none of these are findings.
 */
export function parseEnvText(path: string, text: string): {vars: EnvVar[]; findings: Finding[]} {
  const vars: EnvVar[] = []
  const findings: Finding[] = []
  let crlf = false
  const lines = text.replace(/^\uFEFF/, '').split('\n')
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1
    if (rawLine.endsWith('\r')) crlf = true
    const line = rawLine.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';') || /^\[[\w -]+\]$/.test(line)) return
    const pairs: string[] = []
    const unit = /^Environment\s*=\s*(.*)$/.exec(line)
    if (unit) {
      for (const m of unit[1].matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) pairs.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2])
    } else if (/^(?:export\s+)?[A-Za-z_][\w.-]*\s*=/.test(line)) {
      pairs.push(line.replace(/^export\s+/, ''))
    } else {
      // Shell code in /etc/default files (if, case, ...) is not ours to judge; only a mangled INFLUXDB_ line is.
      if (/INFLUXDB_/.test(line)) {
        findings.push({
          id: 'env-file-syntax', severity: 'warning', file: path, line: lineNo, column: 1, key: null,
          message: 'this line mentions an INFLUXDB_ variable but is not NAME=value, so medic did not apply it',
          fix: 'write it as INFLUXDB_SECTION_KEY=value (or export INFLUXDB_SECTION_KEY=value)',
        })
      }
      return
    }
    for (const pair of pairs) {
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      if (!name.startsWith('INFLUXDB_') && !name.startsWith('INFLUXDB-')) continue
      vars.push({name, value: unquote(pair.slice(eq + 1).trim()), origin: {kind: 'env-file', variable: name, path, line: lineNo}})
    }
  })
  if (crlf) {
    findings.push({
      id: 'env-file-crlf', severity: 'warning', file: path, line: null, column: null, key: null,
      message: 'the env file has Windows line endings (CRLF): docker --env-file and some init scripts keep the carriage return in every value ("true\\r" is not a boolean)',
      fix: `convert it: sed -i 's/\\r$//' ${shellQuote(path)}`,
    })
  }
  return {vars, findings}
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1')
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1)
  return v.replace(/\s+#.*$/, '')
}

let knownByEnv: Map<string, EnvTarget> | undefined

function known(): Map<string, EnvTarget> {
  if (knownByEnv) return knownByEnv
  knownByEnv = new Map()
  for (const o of OPTIONS) {
    const name = envName(o.section, o.key)
    const t = knownByEnv.get(name)
    if (t) {
      for (const r of o.roles) if (!t.roles.includes(r)) t.roles.push(r)
    } else {
      knownByEnv.set(name, {section: o.section, key: o.key, roles: [...o.roles]})
    }
  }
  return knownByEnv
}

/** The section and key a variable sets, or undefined when it matches nothing medic knows. */
export function envTarget(name: string): EnvTarget | undefined {
  const exact = known().get(name)
  if (exact) return exact
  // Sections medic knows only in part, and arrays of tables: longest section name first.
  const sections = SECTIONS.filter((s) => s.name !== '').sort((a, b) => b.name.length - a.name.length)
  for (const s of sections) {
    const prefix = envName(s.name, '') + '_'
    if (!name.startsWith(prefix)) continue
    let rest = name.slice(prefix.length)
    let index: number | undefined
    if (s.array) {
      const m = /^(\d+)_(.+)$/.exec(rest)
      if (!m) return undefined
      index = Number(m[1])
      rest = m[2]
    } else if (s.closed) {
      return undefined
    }
    if (rest === '') return undefined
    return {section: s.name, key: rest.toLowerCase().replaceAll('_', '-'), index, roles: []}
  }
  return undefined
}

/** Findings about variables that set nothing: typos, packaging variables, empty values. */
export function unmatchedEnvFindings(vars: EnvVar[]): Finding[] {
  const out: Finding[] = []
  for (const v of vars) {
    const where = v.origin.kind === 'env-file' ? {file: v.origin.path ?? 'env', line: v.origin.line ?? null, column: 1} : {file: '(environment)', line: null, column: null}
    if (NOT_CONFIG.has(v.name)) continue
    if (v.value === '') {
      out.push({
        id: 'env-empty', severity: 'info', ...where, key: null, value: '', origin: v.origin,
        message: `${v.name} is set but empty: influxd skips empty variables, so the file's value (or the default) stays in force`,
        fix: `to clear the key, edit the config file; otherwise remove the empty ${v.name}`,
      })
      continue
    }
    if (envTarget(v.name) !== undefined) continue
    const near = nearest(v.name, known().keys())
    out.push({
      id: 'env-unknown', severity: near.length > 0 ? 'warning' : 'info', ...where, key: null, origin: v.origin,
      value: isSecretVariable(v.name) ? '[REDACTED]' : v.value,
      message: near.length > 0
        ? `${v.name} matches no config key, so influxd ignores it; it looks like a typo of ${near[0]}`
        : `${v.name} matches no config key medic knows; influxd ignores variables that name no key`,
      fix: near.length > 0 ? `rename it to ${near[0]}` : 'check the spelling against the key: INFLUXDB_ + section + _ + key, dashes as underscores, upper case',
    })
  }
  return out
}

/** Keys that exist on one role with a twin on the other: the usual "wrong file" mistakes. */
export const COUNTERPART: ReadonlyArray<{meta: string; data: string}> = [
  {meta: 'meta.auth-enabled', data: 'meta.meta-auth-enabled'},
  {meta: 'meta.internal-shared-secret', data: 'meta.meta-internal-shared-secret'},
  {meta: 'meta.https-enabled', data: 'meta.meta-tls-enabled'},
  {meta: 'meta.https-insecure-tls', data: 'meta.meta-insecure-tls'},
]

export function counterpartOf(role: Role, section: string, key: string): string | undefined {
  const name = keyName(section, key)
  const pair = COUNTERPART.find((p) => (role === 'data' ? p.meta : p.data) === name)
  return pair === undefined ? undefined : role === 'data' ? pair.data : pair.meta
}
