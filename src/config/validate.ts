/**
 * From a parsed file to a checked model: the role of the file, every key looked up in the table of documented
 * options (unknown keys, typos, keys of the other role, misplaced keys, wrong sections), every value checked against
 * the Go type that will read it, and INFLUXDB_* overrides applied on top, remembering where each value came from.
 */
import {basename} from 'node:path'

import {counterpartOf, type EnvVar, envTarget, isSecretVariable} from './env.js'
import {
  isSecretKey, keyName, nearest, type OptionSpec, optionSpec, optionsIn, optionsNamed, type Role, SECTIONS, sectionSpec, sectionSpecs,
} from './options.js'
import type {Entry, ParsedConfig, Pos, TomlKind} from './parse.js'
import {describeReleases, keyReleases, readBy, type ReleaseTarget, releaseTarget} from './releases.js'
import type {FileReport, Finding, Origin, Severity} from './types.js'
import {shellQuote} from '../util/text.js'
import {
  type Address, fixDuration, formatBytes, parseGoBool, parseGoDuration, parseGoInt, parseListenAddress, parseSize,
} from './values.js'

export interface Value {
  section: string
  key: string
  /** The TOML path: `hostname`, `meta.dir`. */
  name: string
  spec?: OptionSpec
  raw: unknown
  kind: TomlKind | 'env' | 'default'
  origin: Origin
  pos: Pos | null
  valuePos: Pos | null
  /** False when Go would refuse the value (a finding says why); rules then leave it alone. */
  ok: boolean
  bool?: boolean
  num?: number
  /** Durations, in nanoseconds. */
  ns?: number
  bytes?: number
  str?: string
  addr?: Address
  /** The file's own value, when an INFLUXDB_* variable replaced it. */
  replaced?: Value
}

export interface FileModel {
  path: string
  parsed: ParsedConfig
  role: Role | null
  roleSource: FileReport['roleSource']
  values: Map<string, Value>
  findings: Finding[]
  /** Variables applied to this file. */
  applied: string[]
  /** The release(s) the keys were checked against. */
  target: ReleaseTarget
}

const OTHER: Record<Role, Role> = {meta: 'data', data: 'meta'}
const ROLE_FILE: Record<Role, string> = {meta: 'influxdb-meta.conf (meta nodes)', data: 'influxdb.conf (data nodes)'}

// ── role ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface RoleGuess {
  role: Role | null
  source: FileReport['roleSource']
  scores: Record<Role, number>
}

/** Meta or data, from the sections and keys that only one of them has, else from the file name. */
export function detectRole(parsed: ParsedConfig, flagRole?: Role): RoleGuess {
  const scores: Record<Role, number> = {meta: 0, data: 0}
  const seenSections = new Set<string>()
  const sections = [...parsed.tables.map((t) => sectionOf(t.path)), ...parsed.entries.map((e) => e.section)]
  for (const name of sections) {
    if (seenSections.has(name)) continue
    seenSections.add(name)
    const specs = sectionSpecs(name)
    if (specs.length === 1 && specs[0].roles.length === 1) scores[specs[0].roles[0]] += 2
  }
  for (const e of parsed.entries) {
    const specs = optionsIn(e.section, undefined).filter((o) => o.key === e.key)
    const roles = new Set(specs.flatMap((s) => s.roles))
    if (roles.size === 1) scores[[...roles][0]] += 1
  }
  if (flagRole) return {role: flagRole, source: 'flag', scores}
  if (scores.meta !== scores.data) return {role: scores.meta > scores.data ? 'meta' : 'data', source: 'content', scores}
  const name = basename(parsed.path).toLowerCase()
  if (name.includes('meta')) return {role: 'meta', source: 'file-name', scores}
  if (/influxd?b?\.conf$|data/.test(name)) return {role: 'data', source: 'file-name', scores}
  return {role: null, source: 'unknown', scores}
}

/** The table `medic dev up` adds to the configs it generates (config-gen.ts). */
export const DEV_CLUSTER_SECTION = 'medic-dev'

/**
 * True for a config generated for medic's dev cluster (it has a [medic-dev] table): every node runs on one machine
 * without a license, so the loopback and license rules report what they see as information, not as errors.
 */
export function isDevClusterConfig(model: Pick<FileModel, 'parsed'>): boolean {
  return model.parsed.tables.some((t) => t.path[0] === DEV_CLUSTER_SECTION) || model.parsed.entries.some((e) => e.path[0] === DEV_CLUSTER_SECTION)
}

function sectionOf(path: ReadonlyArray<string | number>): string {
  return path.filter((p) => typeof p === 'string').join('.')
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** A value as findings show it: secrets never, strings quoted as in TOML. */
export function display(v: Pick<Value, 'raw' | 'kind' | 'spec' | 'key'>): string {
  if (v.raw === '' || v.raw === undefined) return '""'
  if (isSecretKey(v.key, v.spec)) return '[REDACTED]'
  if (typeof v.raw === 'string') return JSON.stringify(v.raw)
  if (typeof v.raw === 'bigint') return v.raw.toString()
  if (Array.isArray(v.raw)) return JSON.stringify(v.raw)
  return String(v.raw)
}

/** A finding about a value, placed on the value in the file or tagged with the variable it came from. */
export function valueFinding(
  model: Pick<FileModel, 'path'>, v: Value, id: string, severity: Severity, message: string, fix: string, atKey = false,
): Finding {
  const pos = v.origin.kind === 'file' ? (atKey ? v.pos : v.valuePos ?? v.pos) : null
  return {
    id, severity, file: model.path, line: pos?.line ?? null, column: pos?.column ?? null, key: v.name,
    value: display(v),
    ...(v.origin.kind === 'file' ? {} : {origin: v.origin}),
    message, fix,
  }
}

function entryFinding(model: Pick<FileModel, 'path'>, e: Entry, id: string, severity: Severity, message: string, fix: string): Finding {
  return {id, severity, file: model.path, line: e.pos?.line ?? null, column: e.pos?.column ?? null, key: e.path.join('.'), message, fix}
}

/** Where a variable came from, for messages: "INFLUXDB_HOSTNAME (node.env:3)". */
export function originText(o: Origin): string {
  if (o.kind === 'env-file') return `${o.variable} (${o.path}:${o.line})`
  if (o.kind === 'environment') return `${o.variable} (environment)`
  return o.kind
}

/** The value in force: the file's or the environment's, else the documented default. */
export function get(model: FileModel, section: string, key: string): Value | undefined {
  const name = keyName(section, key)
  const v = model.values.get(name)
  if (v) return v
  const spec = optionSpec(model.role ?? undefined, section, key)
  if (spec?.default === undefined) return undefined
  return normalise({
    section, key, name, spec, raw: defaultRaw(spec.default), kind: 'default', origin: {kind: 'default'}, pos: null, valuePos: null, ok: true,
  })
}

function defaultRaw(d: string): unknown {
  if (d === 'true' || d === 'false') return d === 'true'
  if (/^-?\d+$/.test(d)) return Number(d)
  if (d.startsWith('"')) return JSON.parse(d) as string
  return d
}

/** Fills bool/num/ns/bytes/str/addr from a value Go would accept (defaults are trusted). */
function normalise(v: Value): Value {
  const t = v.spec?.type
  const raw = v.raw
  switch (t) {
    case 'bool': v.bool = raw === true; break
    case 'int':
    case 'float': v.num = Number(raw); break
    case 'duration': {
      if (typeof raw === 'number') v.ns = raw
      else if (typeof raw === 'string') {
        const d = parseGoDuration(raw)
        if (d.ok) v.ns = d.value
      }
      break
    }
    case 'size': {
      if (typeof raw === 'number' || typeof raw === 'bigint') v.bytes = Number(raw)
      else if (typeof raw === 'string') {
        const s = parseSize(raw)
        if (s.ok) v.bytes = s.value
      }
      break
    }
    case 'address': {
      v.str = String(raw)
      const a = parseListenAddress(String(raw))
      if (a.ok) v.addr = a.value
      break
    }
    default: if (typeof raw === 'string') v.str = raw
  }
  return v
}

// ── the model ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Checks every key and value of one parsed file and applies the overrides. */
export function buildModel(parsed: ParsedConfig, guess: RoleGuess, env: EnvVar[] = [], target: ReleaseTarget = releaseTarget()): FileModel {
  const model: FileModel = {
    path: parsed.path, parsed, role: guess.role, roleSource: guess.source, values: new Map(), findings: [], applied: [], target,
  }
  if (!parsed.parsed) return model
  roleFindings(model, guess)
  checkSections(model)
  const role = model.role ?? undefined
  for (const e of parsed.entries) {
    const spec = resolveKey(model, e, role)
    if (spec === undefined) continue
    const v = fromToml(model, e, spec)
    // Listeners ([[graphite]] ...) are checked value by value, but rules read single sections only.
    if (!e.path.some((p) => typeof p === 'number')) model.values.set(v.name, v)
  }
  applyEnv(model, env)
  return model
}

function roleFindings(model: FileModel, guess: RoleGuess): void {
  const {role, source, scores} = guess
  if (role === null) {
    model.findings.push({
      id: 'role-unknown', severity: 'warning', file: model.path, line: null, column: null, key: null,
      message: 'medic cannot tell whether this is a meta-node or a data-node config (no section or key that only one of them has), so it checked the keys both know and skipped the role-specific rules',
      fix: `say which it is: medic config check --role meta ${shellQuote(model.path)} (or --role data)`,
    })
    return
  }
  const other = OTHER[role]
  if (source === 'flag' && scores[other] >= 2 && scores[other] > scores[role]) {
    model.findings.push({
      id: 'role-flag-mismatch', severity: 'warning', file: model.path, line: null, column: null, key: null,
      message: `checked as a ${role} node because of --role, but its sections and keys look like a ${other}-node config (${ROLE_FILE[other]})`,
      fix: `check it with --role ${other}, or without --role to let medic detect each file's role`,
    })
  }
}

function checkSections(model: FileModel): void {
  const role = model.role ?? undefined
  const seen = new Set<string>()
  const decls = [
    ...model.parsed.tables.map((t) => ({name: sectionOf(t.path), array: t.array, pos: t.pos})),
    ...model.parsed.entries.filter((e) => e.section !== '').map((e) => ({name: e.section, array: e.path.some((p) => typeof p === 'number'), pos: e.pos})),
  ].sort((a, b) => (a.pos?.line ?? 0) - (b.pos?.line ?? 0))
  for (const decl of decls) {
    if (seen.has(decl.name)) continue
    seen.add(decl.name)
    const d = {...decl, name: short(decl.name)}
    const at = {file: model.path, line: d.pos?.line ?? null, column: d.pos?.column ?? null, key: d.name}
    const spec = sectionSpec(role, d.name)
    if (spec) {
      if (spec.array && !d.array) {
        model.findings.push({...at, id: 'section-not-array', severity: 'warning',
          message: `[${d.name}] is a list of tables since 1.0: written as a single table it is not read as a ${d.name} listener`,
          fix: `write the header with double brackets: [[${d.name}]]`})
      } else if (!spec.array && d.array) {
        model.findings.push({...at, id: 'section-array', severity: 'error',
          message: `[[${d.name}]] declares a list of tables, but ${d.name} is a single section: influxd refuses to start (cannot load a TOML array into a struct)`,
          fix: `write the header with single brackets: [${d.name}]`})
      }
      continue
    }
    const otherSpec = role ? sectionSpec(OTHER[role], d.name) : undefined
    if (otherSpec && role) {
      model.findings.push({...at, id: 'other-role-section', severity: 'warning',
        message: `[${d.name}] is a ${OTHER[role]}-node section; a ${role} node ignores it (is this the right file? ${OTHER[role]} nodes read ${ROLE_FILE[OTHER[role]]})`,
        fix: `move [${d.name}] to the ${OTHER[role]} nodes' config, or delete it here`})
      continue
    }
    if (d.name === DEV_CLUSTER_SECTION || d.name.startsWith(`${DEV_CLUSTER_SECTION}.`)) {
      model.findings.push({...at, id: 'dev-cluster', severity: 'info',
        message: `[${DEV_CLUSTER_SECTION}] marks a config written by \`medic dev up\` for a local dev cluster: influxd and influxd-meta ignore the table, and medic expects loopback addresses and no license in such a file`,
        fix: 'nothing to do for a dev cluster; delete the table before using the file as a template for a real node'})
      continue
    }
    if (d.name === 'coordinator') {
      model.findings.push({...at, id: 'unknown-section', severity: 'warning',
        message: '[coordinator] is the open-source name of this section; Enterprise data nodes read [cluster], so every key here is ignored',
        fix: 'rename the header to [cluster] (and check the keys: write-timeout, max-concurrent-queries, query-timeout, ...)'})
      continue
    }
    const near = nearest(d.name, SECTIONS.filter((s) => s.name !== '' && (role === undefined || s.roles.includes(role))).map((s) => s.name))
    const parent = d.name.includes('.') ? d.name.slice(0, d.name.indexOf('.')) : undefined
    model.findings.push({...at, id: 'unknown-section', severity: near.length > 0 || (parent && sectionSpec(role, parent)) ? 'warning' : 'info',
      message: near.length > 0
        ? `[${d.name}] is not a section medic knows for ${whose(model)}; it looks like a typo of [${near[0]}] (the keys of a section no release reads have no effect)`
        : parent && sectionSpec(role, parent)
          ? `[${d.name}] is a sub-table of [${parent}], which has no sub-tables in any release medic knows: its keys are most likely ignored`
          : `[${d.name}] is not a section known to medic for ${whose(model)}: if your release does not read it either, its keys have no effect`,
      fix: near.length > 0 ? `rename the header to [${near[0]}]` : parent && sectionSpec(role, parent) ? `put the keys directly under [${parent}]` : `check what your release reads: ${role === 'meta' ? 'influxd-meta' : 'influxd'} config | grep -n -F -- ${shellQuote(`[${d.name}]`)}`})
  }
}

/** Longest name from a file that messages repeat in full; longer ones are cut (a 1,000,000-character key is noise). */
const MAX_SHOWN = 64

function short(name: string): string {
  return name.length > MAX_SHOWN + 16 ? `${name.slice(0, MAX_SHOWN)}…(${name.length} characters)` : name
}

/** "a data node of Enterprise 1.6–1.12", "a meta node of Enterprise 1.11.4": whom medic's key lists describe. */
function whose(model: FileModel): string {
  return `${model.role ? `a ${model.role} node of ` : ''}${model.target.label}`
}

/** The documented option an entry sets, or undefined after saying what is wrong with it. */
function resolveKey(model: FileModel, e: Entry, role: Role | undefined): OptionSpec | undefined {
  const grepKey = shellQuote(e.key.slice(0, MAX_SHOWN))
  const sec = sectionSpec(role, e.section)
  if (sec === undefined) return undefined // reported per section
  if (sec.map) return undefined // free-form names ([http.headers])
  if (e.section === '' && sectionSpecs(e.key).some((s) => !(s.array && e.kind === 'array'))) {
    model.findings.push(entryFinding(model, e, 'bad-type', 'error',
      `${e.key} is a section, but here it is set to a value: influxd refuses to start (cannot load a ${e.kind} into a section)`,
      `write a section header instead: [${e.key}] on its own line, then the keys below it`))
    return undefined
  }
  const checkValue = (spec: OptionSpec): OptionSpec => spec
  const spec = optionSpec(role, e.section, e.key)
  if (spec) {
    if (spec.obsolete) {
      model.findings.push(entryFinding(model, e, 'obsolete-key', 'info', `${keyName(e.section, e.key)} (${spec.versions ?? 'old releases'}): ${spec.obsolete}`, 'delete the line'))
    } else if (!readBy(spec, role, model.target)) {
      const range = describeReleases(keyReleases(spec, role))
      model.findings.push(entryFinding(model, e, 'key-version', 'info',
        `${keyName(e.section, e.key)} is documented for Enterprise ${range} only, so medic does not know it for ${model.target.label}: a release that does not read it ignores it without a word`,
        `if your nodes run ${model.target.label}, check what they read: ${role === 'meta' ? 'influxd-meta' : 'influxd'} config | grep -n -- ${grepKey}`))
    }
    return checkValue(spec)
  }
  const name = short(keyName(e.section, e.key))
  const inSection = optionsIn(e.section, role)
  // No documented key is longer than 64 characters: longer names get no case or typo comparison at all.
  const lower = e.key.length <= 64 ? e.key.toLowerCase() : undefined
  const caseMatch = lower === undefined ? undefined : inSection.find((o) => o.key.toLowerCase() === lower)
  if (caseMatch) {
    model.findings.push(entryFinding(model, e, 'key-case', 'warning',
      `${name} differs from the documented ${keyName(caseMatch.section, caseMatch.key)} only in case; Go's TOML decoder falls back to a case-insensitive match, but nothing else does (grep, INFLUXDB_ variables, support)`,
      `write it as ${caseMatch.key}`))
    return checkValue(caseMatch)
  }
  if (role) {
    const twin = counterpartOf(role, e.section, e.key)
    const otherSpec = optionSpec(OTHER[role], e.section, e.key)
    if (twin) {
      model.findings.push(entryFinding(model, e, 'other-role-key', 'warning',
        `${name} is a ${OTHER[role]}-node key: ${role} nodes have no such key in any release medic knows; the ${role}-node setting is ${twin}`,
        `rename it to ${twin.slice(twin.indexOf('.') + 1)} (under [${twin.slice(0, twin.indexOf('.'))}])`))
      return undefined
    }
    if (otherSpec) {
      model.findings.push(entryFinding(model, e, 'other-role-key', 'warning',
        `${name} is a ${OTHER[role]}-node key, not known to medic for ${whose(model)} (is this the right file? ${OTHER[role]} nodes read ${ROLE_FILE[OTHER[role]]})`,
        'move it to the other nodes\' config if it belongs there'))
      return undefined
    }
  }
  const elsewhere = lower === undefined ? [] : optionsNamed(e.key, role).filter((o) => o.section !== e.section)
  const onlyTop = elsewhere.length > 0 && elsewhere.every((o) => o.section === '')
  if (elsewhere.length > 0 && (onlyTop || sec.closed)) {
    const target = elsewhere[0]
    model.findings.push(entryFinding(model, e, 'key-misplaced', 'warning',
      onlyTop
        ? `${short(e.key)} is a top-level key, but this line sits under [${e.section}], so it sets ${name}, a key medic does not know (every key after a [section] header belongs to that section)`
        : `${name} is not a key medic knows there: ${short(e.key)} belongs under [${target.section}]${elsewhere.length > 1 ? ` (or [${elsewhere.slice(1).map((o) => o.section || 'top level').join('], [')}])` : ''}`,
      onlyTop ? `move the line above the first [section] header of the file` : `move the line under the [${target.section}] header`))
    return undefined
  }
  const near = nearest(e.key, inSection.map((o) => o.key))
  const where = e.section === '' ? 'a top-level key' : `a key of [${e.section}]`
  if (near.length > 0) {
    model.findings.push(entryFinding(model, e, 'unknown-key', 'warning',
      `${name} is not ${where} medic knows for ${whose(model)}; it looks like a typo of ${near[0]} (a key no release reads has no effect: influxd ignores unknown keys without a word)`,
      `rename it to ${near[0]}`))
  } else if (sec.closed) {
    model.findings.push(entryFinding(model, e, 'unknown-key', 'info',
      `${name} is not ${where} known to medic for ${whose(model)} (medic's lists come from each release's documentation and open-source code${model.target.known ? '' : `; it has none for ${model.target.label} and used ${model.target.nearest}'s`}): if your release does not read it either, it has no effect`,
      `check what your release reads: ${model.role === 'meta' ? 'influxd-meta' : 'influxd'} config | grep -n -- ${grepKey}`))
  } else {
    model.findings.push(entryFinding(model, e, 'unknown-key', 'info',
      `${name} is not ${where} medic knows: [${e.section}] ${sec.notes ?? 'is only partly known to medic'}`,
      `check what your release reads: ${model.role === 'meta' ? 'influxd-meta' : 'influxd'} config | grep -n -- ${grepKey}`))
  }
  return undefined
}

const TOML_TYPE: Record<string, string> = {string: 'a string', integer: 'an integer', float: 'a number with a fraction', boolean: 'a boolean', datetime: 'a date', array: 'a list', table: 'a table'}

/** Checks a TOML value against the Go type that reads it. */
function fromToml(model: FileModel, e: Entry, spec: OptionSpec): Value {
  const v: Value = {
    section: spec.section, key: spec.key, name: keyName(spec.section, spec.key), spec, raw: e.value, kind: e.kind,
    origin: {kind: 'file'}, pos: e.pos, valuePos: e.valuePos, ok: true,
  }
  const bad = (id: string, message: string, fix: string): Value => {
    v.ok = false
    model.findings.push(valueFinding(model, v, id, 'error', message, fix))
    return v
  }
  const name = v.name
  const shown = display(v)
  const wrongType = (want: string, fix: string): Value =>
    bad('bad-type', `${name} must be ${want}, but the file gives ${TOML_TYPE[e.kind] ?? e.kind} (${shown}): influxd refuses to start ("toml: cannot load TOML value of type ... into a Go ...")`, fix)
  switch (spec.type) {
    case 'string':
    case 'path':
      if (e.kind !== 'string') return wrongType('a string in quotes', `${spec.key} = ${isSecretKey(spec.key, spec) ? '"<the value>"' : JSON.stringify(String(e.value))}`)
      break
    case 'address':
      if (e.kind === 'integer') return wrongType('a "host:port" string', `${spec.key} = ":${String(e.value)}"`)
      if (e.kind !== 'string') return wrongType('a "host:port" string', `${spec.key} = ${spec.default ?? '":<port>"'}`)
      if (e.value === '' && spec.default !== '""') {
        return bad('bad-address', `${name} is empty: influxd would listen on a random port that no other node knows about`, `${spec.key} = ${spec.default} (the default), or delete the line`)
      }
      if (e.value !== '') {
        const a = parseListenAddress(e.value as string)
        if (!a.ok) return bad('bad-address', `${name} = ${shown}: ${a.reason}; influxd stops at start-up when it cannot listen`, a.suggestion ? `${spec.key} = "${a.suggestion}"` : `${spec.key} = "<host>:<port>" or ":<port>" for every interface`)
      }
      break
    case 'bool':
      if (e.kind === 'string' && /^(?:true|false)$/i.test(e.value as string)) {
        return wrongType('true or false without quotes', `${spec.key} = ${(e.value as string).toLowerCase()}`)
      }
      if (e.kind !== 'boolean') return wrongType('true or false', `${spec.key} = ${e.value === 1 || e.value === 'yes' || e.value === 'on' ? 'true' : 'false'}`)
      break
    case 'int':
      if (e.kind === 'string' && /^-?\d+$/.test(e.value as string)) return wrongType('a number without quotes', `${spec.key} = ${e.value as string}`)
      if (e.kind === 'string') {
        const s = parseSize(e.value as string)
        const fix = s.ok ? String(s.value) : s.suggestion && /^\d+$/.test(s.suggestion) ? s.suggestion : undefined
        return wrongType('a whole number without quotes', fix ? `${spec.key} = ${fix}` : `${spec.key} = ${spec.default ?? '<number>'}`)
      }
      if (e.kind !== 'integer') return wrongType('a whole number', `${spec.key} = ${e.kind === 'float' ? Math.round(e.value as number) : spec.default ?? '<number>'}`)
      break
    case 'float':
      if (e.kind !== 'integer' && e.kind !== 'float') return wrongType('a number', `${spec.key} = ${spec.default ?? '<number>'}`)
      break
    case 'duration':
      if (e.kind === 'integer' && e.value !== 0) {
        return bad('bad-duration', `${name} = ${shown}: a duration needs a unit; influxd reads the number as the text "${String(e.value)}" and stops with "time: missing unit in duration"`,
          `${spec.key} = "${String(e.value)}s" (if you meant seconds; units are ns, us, ms, s, m, h)`)
      }
      if (e.kind === 'string') return checkDuration(model, v, e.value as string)
      if (e.kind !== 'integer') return wrongType('a duration string such as "30s"', `${spec.key} = ${spec.default ?? '"30s"'}`)
      break
    case 'size':
      if (e.kind === 'integer' && Number(e.value) < 0) return bad('bad-size', `${name} = ${shown}: a size cannot be negative`, `${spec.key} = ${spec.default ?? '0'}`)
      if (e.kind === 'string') {
        const s = parseSize(e.value as string)
        if (!s.ok) return bad('bad-size', `${name} = ${shown}: ${s.reason}; influxd refuses to start`, s.suggestion ? `${spec.key} = ${s.suggestion}` : `${spec.key} = ${spec.default ?? '<bytes>'}`)
        if (isPlainIntegerSize(spec)) {
          model.findings.push(valueFinding(model, v, 'hh-max-size-string', 'warning', plainIntegerMessage(name, shown, s.value), `${spec.key} = ${s.value} (bytes, without quotes)`))
        }
      } else if (e.kind !== 'integer') {
        return wrongType('a size: bytes, or a string such as "10g"', `${spec.key} = ${spec.default ?? '<bytes>'}`)
      }
      break
    case 'strings':
      if (e.kind !== 'array') return wrongType('a list of strings', `${spec.key} = [${e.kind === 'string' ? JSON.stringify(e.value) : ''}]`)
      break
  }
  return normalise(v)
}

/** [hinted-handoff] max-size: a byte count in Enterprise's docs since 1.7, a plain int64 in the OSS 0.11 and clone code. */
function isPlainIntegerSize(spec: OptionSpec): boolean {
  return spec.section === 'hinted-handoff' && spec.key === 'max-size'
}

function plainIntegerMessage(what: string, shown: string, bytes: number): string {
  return `${what} = ${shown} gives max-size with a unit (${formatBytes(bytes)}). The open-source hinted-handoff code (0.11) and the public clone read max-size as a plain integer, where a string stops influxd at start-up ("cannot load TOML value of type string into a Go integer"; for INFLUXDB_ variables "strconv.ParseInt: parsing ... invalid syntax"); Enterprise's 1.6 reference printed "10g", its 1.7+ references give bytes (10737418240). medic cannot tell how your release reads it, so write bytes`
}

function checkDuration(model: FileModel, v: Value, text: string): Value {
  if (text === '') {
    // toml.Duration skips an empty string: the default stays in force.
    const d = v.spec?.default ? parseGoDuration(String(defaultRaw(v.spec.default))) : undefined
    v.ns = d?.ok ? d.value : undefined
    return v
  }
  const d = parseGoDuration(text)
  if (d.ok) return normalise(v)
  v.ok = false
  const unit = /unknown unit "([^"]*)"/.exec(d.reason)?.[1]
  const micro = unit !== undefined && /^[uµμ]$/.test(unit)
  const fixed = d.suggestion ?? fixDuration(text)
  const where = v.origin.kind === 'file' ? '' : ` (from ${originText(v.origin)})`
  const message = micro
    ? `${v.name} = "${text}"${where}: Go durations have no unit "${unit}" (InfluxQL and the write API's precision=u do, which is where the habit comes from); influxd stops at start-up with "time: unknown unit ${unit} in duration ${text}"`
    : `${v.name} = "${text}"${where}: ${d.reason}; influxd stops at start-up ("parse config: time: ${d.reason}"). Go durations take ns, us, ms, s, m and h only, no days or weeks`
  model.findings.push(valueFinding(model, v, micro ? 'duration-unit' : 'bad-duration', 'error', message,
    fixed ? (v.origin.kind === 'file' ? `${v.key} = "${fixed}"` : `${v.origin.variable}=${fixed}`) : `write it with ns, us, ms, s, m or h, e.g. ${v.key} = ${v.spec?.default ?? '"30s"'}`))
  return v
}

// ── environment ──────────────────────────────────────────────────────────────────────────────────────────────────

function applyEnv(model: FileModel, env: EnvVar[]): void {
  const role = model.role ?? undefined
  for (const ev of env) {
    const t = envTarget(ev.name)
    if (t === undefined || ev.value === '') continue
    if (t.index !== undefined || t.roles.length === 0) {
      // Listeners and keys medic knows no type for: influxd applies them, medic only lists them.
      const sec = sectionSpec(role, t.section)
      if (sec) model.applied.push(ev.name)
      continue
    }
    if (role && !t.roles.includes(role)) {
      const twin = counterpartOf(role, t.section, t.key)
      if (twin) {
        const [s, k] = [twin.slice(0, twin.indexOf('.')), twin.slice(twin.indexOf('.') + 1)]
        model.findings.push({
          id: 'env-other-role', severity: 'warning', file: model.path, line: null, column: null, key: keyName(t.section, t.key), origin: ev.origin,
          message: `${originText(ev.origin)} sets ${keyName(t.section, t.key)}, a ${OTHER[role]}-node key that ${role} nodes ignore; the ${role}-node variable is ${envNameOf(s, k)}`,
          fix: `if this environment is the ${role} node's, rename it to ${envNameOf(s, k)}`,
        })
      }
      continue
    }
    const spec = optionSpec(role, t.section, t.key)
    if (spec === undefined) continue
    const v = fromEnv(model, ev, spec)
    const existing = model.values.get(v.name)
    if (existing) {
      v.replaced = existing.replaced ?? existing
      if (existing.origin.kind === 'file') {
        model.findings.push({
          id: 'env-overrides-file', severity: 'info', file: model.path, line: existing.pos?.line ?? null, column: existing.pos?.column ?? null,
          key: v.name, value: display(v), origin: ev.origin,
          message: `${originText(ev.origin)} overrides line ${existing.pos?.line ?? '?'}: ${sameValue(existing, v)
            ? 'both give the same value'
            : isSecretKey(v.key, v.spec) ? 'the two values differ (not shown: it is a secret), and the process uses the environment\'s' : `the file says ${display(existing)}, the process sees ${display(v)}`}`,
          fix: `nothing, if that is intended; otherwise unset ${ev.name} (systemctl cat influxdb${role === 'meta' ? '-meta' : ''}; /etc/default/influxdb${role === 'meta' ? '-meta' : ''}) or make the file agree`,
        })
      }
    }
    model.values.set(v.name, v)
    model.applied.push(ev.name)
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a.bool !== undefined || b.bool !== undefined) return a.bool === b.bool
  if (a.ns !== undefined || b.ns !== undefined) return a.ns === b.ns
  if (a.bytes !== undefined || b.bytes !== undefined) return a.bytes === b.bytes
  return String(a.raw) === String(b.raw)
}

function envNameOf(section: string, key: string): string {
  return ['INFLUXDB', section, key].filter(Boolean).join('_').replaceAll('-', '_').toUpperCase()
}

/** INFLUXDB_* values go through Go's strconv / time.ParseDuration, not TOML. */
function fromEnv(model: FileModel, ev: EnvVar, spec: OptionSpec): Value {
  const v: Value = {
    section: spec.section, key: spec.key, name: keyName(spec.section, spec.key), spec, raw: ev.value, kind: 'env', origin: ev.origin,
    pos: null, valuePos: null, ok: true,
  }
  const shown = isSecretVariable(ev.name) || isSecretKey(spec.key, spec) ? '[REDACTED]' : JSON.stringify(ev.value)
  const refuse = (why: string, fix: string): Value => {
    v.ok = false
    model.findings.push({
      id: 'env-bad-value', severity: 'error', file: model.path, line: null, column: null, key: v.name, value: shown, origin: ev.origin,
      message: `${originText(ev.origin)} = ${shown}: ${why}; influxd refuses to start ("failed to apply ${ev.name} to ... using type ... and value ...")`,
      fix,
    })
    return v
  }
  switch (spec.type) {
    case 'bool': {
      const b = parseGoBool(ev.value)
      if (b === undefined) return refuse('not a boolean Go accepts (true, false, 1, 0, t, f, TRUE, FALSE)', `${ev.name}=${/^(?:yes|on|enabled?)$/i.test(ev.value.trim()) ? 'true' : /^(?:no|off|disabled?)$/i.test(ev.value.trim()) ? 'false' : 'true'}`)
      v.raw = b
      break
    }
    case 'int': {
      const n = parseGoInt(ev.value)
      if (n === undefined) return refuse('not a whole number', `${ev.name}=${spec.default ?? '<number>'}`)
      v.raw = n
      break
    }
    case 'float':
      if (!Number.isFinite(Number(ev.value)) || ev.value.trim() === '') return refuse('not a number', `${ev.name}=${spec.default ?? '<number>'}`)
      v.raw = Number(ev.value)
      break
    case 'duration': {
      const d = parseGoDuration(ev.value)
      if (!d.ok) {
        const fixed = d.suggestion ?? fixDuration(ev.value)
        return refuse(`${d.reason} (Go durations take ns, us, ms, s, m and h only)`, fixed ? `${ev.name}=${fixed}` : `${ev.name}=${(spec.default ?? '"30s"').replaceAll('"', '')}`)
      }
      break
    }
    case 'size': {
      const s = parseSize(ev.value)
      if (!s.ok) return refuse(s.reason, s.suggestion ? `${ev.name}=${s.suggestion.replaceAll('"', '')}` : `${ev.name}=${(spec.default ?? '0').replaceAll('"', '')}`)
      if (isPlainIntegerSize(spec) && !/^\d+$/.test(ev.value)) {
        model.findings.push({
          id: 'hh-max-size-string', severity: 'warning', file: model.path, line: null, column: null, key: v.name, value: shown, origin: ev.origin,
          message: plainIntegerMessage(originText(ev.origin), shown, s.value).replace('a string stops influxd', 'such a value stops influxd'),
          fix: `${ev.name}=${s.value}`,
        })
      }
      break
    }
    case 'address': {
      const a = parseListenAddress(ev.value)
      if (!a.ok) return refuse(a.reason, a.suggestion ? `${ev.name}=${a.suggestion}` : `${ev.name}=<host>:<port>`)
      break
    }
    default:
      break
  }
  return normalise(v)
}
