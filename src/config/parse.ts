/**
 * Reading and parsing one config file with positions.
 *
 * Bytes are checked before any parsing: size, NUL bytes (binary), UTF-16 and UTF-8 byte-order marks, invalid UTF-8,
 * line endings. smol-toml (spec-complete) decides whether the TOML is valid and gives the line and column of a syntax
 * error; the scan of ./toml-scan.ts gives the position of every key and value. Duplicate keys and tables stop influxd,
 * so they are errors, but medic renames each repeated key in its private copy of the text and parses again, so the
 * rest of the file is still checked and both definitions can be named.
 *
 * Positions in findings are 1-based (as smol-toml's are). A leading BOM, which smol-toml silently accepts, is stripped
 * (and reported) first.
 */
import {open} from 'node:fs/promises'

import {parse as smolParse, TomlError} from 'smol-toml'

import {inputError, type MedicError} from '../errors.js'
import {shellQuote} from '../util/text.js'
import {isKnownKeyName, isKnownSection, SECRET_KEY} from './options.js'
import {isSecretish, redactConfigLine, secretCandidates} from './secrets.js'
import {findRepeats, scanToml} from './toml-scan.js'
import type {FileReport, Finding} from './types.js'

/** Real configs are tens of KB; anything this big is not an InfluxDB config file. */
export const MAX_CONFIG_BYTES = 1 << 20

export type TomlKind = 'string' | 'integer' | 'float' | 'boolean' | 'datetime' | 'array' | 'table'
export type TomlScalar = string | number | bigint | boolean

export interface Pos {
  line: number
  column: number
}

export interface Entry {
  /** The full key path: ['hostname'], ['meta', 'dir'], ['graphite', 0, 'enabled'], deeper for sub-tables. */
  path: Array<string | number>
  /** '' for top-level keys. */
  section: string
  key: string
  value: unknown
  kind: TomlKind
  /** Position of the key (1-based line and column). */
  pos: Pos | null
  /** Position of the value. */
  valuePos: Pos | null
}

export interface TableDecl {
  path: Array<string | number>
  array: boolean
  pos: Pos | null
}

export interface ParsedConfig {
  path: string
  text: string
  lines: string[]
  sizeBytes: number
  encoding: FileReport['encoding']
  lineEndings: FileReport['lineEndings']
  parsed: boolean
  entries: Entry[]
  tables: TableDecl[]
  findings: Finding[]
  /** Values that look like secrets in a file that did not parse (from `secretCandidates`), for the last redaction pass. */
  secretValues: string[]
}

/** Reads a config file, or throws a MedicError (exit 4) naming it when it cannot be read. */
export async function readConfigFile(path: string): Promise<{bytes: Buffer; sizeBytes: number}> {
  let fh
  try {
    fh = await open(path, 'r')
    const st = await fh.stat()
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    const want = Math.min(st.size, MAX_CONFIG_BYTES + 1)
    const bytes = Buffer.alloc(want)
    let got = 0
    while (got < want) {
      const {bytesRead} = await fh.read(bytes, got, want - got, got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return {bytes: bytes.subarray(0, got), sizeBytes: st.size}
  } catch (err) {
    throw configFileError(path, err)
  } finally {
    await fh?.close()
  }
}

/** Like errors.fileError, in words that fit config files. */
export function configFileError(path: string, err: unknown): MedicError {
  const e = err as NodeJS.ErrnoException
  const q = shellQuote(path)
  switch (e?.code) {
    case 'ENOENT':
      return inputError(`${path}: no such file`, 'input-not-found', [
        'check the path: the service reads the file named by -config in its unit file (systemctl cat influxdb influxdb-meta)',
        'print the defaults to compare with: influxd config, influxd-meta config',
      ], err)
    case 'EACCES':
    case 'EPERM':
      return inputError(`${path}: permission denied`, 'input-permission-denied', [
        `check the permissions (ls -l ${q}); config files holding license keys and secrets are often readable by root or the influxdb group only: sudo medic config check ${q}`,
      ], err)
    case 'EISDIR':
      return inputError(`${path}: is a directory, not a config file`, 'input-is-directory', [
        `pass the files inside it, e.g. ${path.replace(/\/+$/, '')}/influxdb.conf ${path.replace(/\/+$/, '')}/influxdb-meta.conf`,
      ], err)
    default:
      return inputError(`${path}: cannot read (${e?.message ?? String(err)})`, 'input-unreadable', [], err)
  }
}

function fileFinding(path: string, id: string, severity: Finding['severity'], message: string, fix: string, pos?: Pos): Finding {
  return {id, severity, file: path, line: pos?.line ?? null, column: pos?.column ?? null, key: null, message, fix}
}

/** Decodes the bytes and parses them; every problem becomes a finding, never an exception. */
export function parseConfig(path: string, bytes: Buffer, sizeBytes = bytes.length): ParsedConfig {
  const out: ParsedConfig = {
    path, text: '', lines: [], sizeBytes, encoding: 'utf-8', lineEndings: 'none', parsed: false, entries: [], tables: [], findings: [], secretValues: [],
  }
  if (sizeBytes > MAX_CONFIG_BYTES) {
    out.findings.push(fileFinding(path, 'file-too-large', 'error',
      `${formatSize(sizeBytes)}: far too large for an InfluxDB config file (they are tens of KB); medic did not parse it`,
      'check that this is the right file: the service reads the file named by -config in its unit file (systemctl cat influxdb influxdb-meta)'))
    return out
  }
  const decoded = decode(path, bytes, out)
  if (decoded === undefined) return out
  out.text = decoded
  out.lines = decoded.split(/\r?\n/)
  const crlf = (decoded.match(/\r\n/g) ?? []).length
  const lf = (decoded.match(/\n/g) ?? []).length - crlf
  out.lineEndings = crlf === 0 ? (lf === 0 ? 'none' : 'lf') : lf === 0 ? 'crlf' : 'mixed'
  if (out.lineEndings === 'crlf' || out.lineEndings === 'mixed') {
    out.findings.push(fileFinding(path, 'line-endings-crlf', 'info',
      out.lineEndings === 'crlf'
        ? 'Windows line endings (CRLF): TOML allows them and influxd reads the file fine'
        : 'a mix of Windows (CRLF) and Unix (LF) line endings: TOML allows both, but the file was probably edited on two systems',
      `nothing to do for influxd; to normalise it: sed -i 's/\\r$//' ${shellQuote(path)}`))
  }
  if (decoded.trim() === '') {
    out.findings.push(fileFinding(path, 'file-empty', 'error',
      sizeBytes === 0 ? 'the file is empty' : 'the file holds only whitespace',
      'a truncated copy or a failed template render is the usual cause; restore the file from configuration management, or start from the defaults: influxd config > influxdb.conf (data) / influxd-meta config > influxdb-meta.conf (meta)'))
    return out
  }
  try {
    parseToml(out)
  } catch (err) {
    // Hostile input (nesting thousands deep...) must still end as a finding that names the file, not a stack trace.
    out.parsed = false
    out.entries = []
    out.tables = []
    out.findings.push(fileFinding(path, 'toml-syntax', 'error',
      `medic could not parse this file (${err instanceof Error ? err.message : String(err)}); influxd would most likely refuse it too`,
      'check that this is a config file; if it is, look for runaway nesting or an extremely long value'))
  }
  if (!out.parsed) out.secretValues = secretCandidates(out.text, scanToml(out.text))
  return out
}

function decode(path: string, bytes: Buffer, out: ParsedConfig): string | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff
    out.encoding = le ? 'utf-16le' : 'utf-16be'
    const body = Buffer.from(bytes.subarray(2))
    if (!le) body.swap16()
    out.findings.push(fileFinding(path, 'encoding-utf16', 'warning',
      `saved as UTF-16 ${le ? 'LE' : 'BE'} (what Windows editors call "Unicode"): data nodes since 1.4 convert it, older releases and most tools (grep, diff, configuration management) do not`,
      `save it as UTF-8 without a byte-order mark: iconv -f UTF-16 -t UTF-8 ${shellQuote(path)} | sed '1s/^\\xEF\\xBB\\xBF//' > fixed.conf`))
    return body.subarray(0, body.length - (body.length % 2)).toString('utf16le')
  }
  const probe = bytes.subarray(0, 64 * 1024)
  if (probe.includes(0)) {
    out.encoding = 'binary'
    out.findings.push(fileFinding(path, 'file-binary', 'error',
      'this is a binary file (it contains NUL bytes), not a TOML config file; medic did not parse it',
      'check the path: meta nodes read influxdb-meta.conf, data nodes influxdb.conf; `file ' + shellQuote(path) + '` tells what this one is'))
    return undefined
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    const {line, column} = firstInvalidUtf8(bytes)
    out.encoding = 'binary'
    out.findings.push(fileFinding(path, 'encoding-invalid-utf8', 'error',
      'the file is not valid UTF-8 (TOML requires UTF-8; probably saved as Latin-1 or Windows-1252, or it is not text at all)',
      `convert it: iconv -f WINDOWS-1252 -t UTF-8 ${shellQuote(path)} > fixed.conf, then check the line medic points at`, {line, column}))
    return undefined
  }
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1)
    out.encoding = 'utf-8-bom'
    out.findings.push(fileFinding(path, 'encoding-bom', 'warning',
      'the file starts with a UTF-8 byte-order mark (BOM): data nodes since 1.4 skip it, but older releases fail on line 1, and grep or sed anchored at ^ miss the first line',
      `remove it: sed -i '1s/^\\xEF\\xBB\\xBF//' ${shellQuote(path)} (or save as "UTF-8", not "UTF-8 with BOM")`, {line: 1, column: 1}))
  }
  return text
}

/** Line and column (in characters) of the first byte that is not valid UTF-8. */
function firstInvalidUtf8(bytes: Buffer): Pos {
  let line = 1
  let column = 1
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1
    if (need < 0) return {line, column}
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return {line, column}
    }
    if (b === 0x0a) {
      line++
      column = 1
    } else {
      column += need === 3 ? 2 : 1
    }
    i += need + 1
  }
  return {line, column}
}

function formatSize(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`
}

// ── TOML ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const DUP_MARK = '__medic_dup_'
const REDEFINE = /redefine|already (?:been )?defined/i

interface Rename {
  /** 0-based line, column (UTF-16 units) of the inserted marker in the renamed text, and its length. */
  line: number
  column: number
  length: number
  /** Where the repetition is in the file (1-based). */
  pos: Pos
}

/** Renames, indexed by line: at most a few per line, so finding the shift of a column is constant time. */
class RenameIndex {
  readonly all: Rename[] = []
  private readonly byLine = new Map<number, Rename[]>()

  add(r: Rename): void {
    this.all.push(r)
    const list = this.byLine.get(r.line)
    if (list) list.push(r)
    else this.byLine.set(r.line, [r])
  }

  /** Total length of the markers on `line0` before `column` (renamed-text coordinates). */
  shift(line0: number, column: number, inclusive = false): number {
    let s = 0
    for (const r of this.byLine.get(line0) ?? []) if (inclusive ? r.column <= column : r.column < column) s += r.length
    return s
  }

  get size(): number {
    return this.all.length
  }
}

function parseToml(out: ParsedConfig): void {
  const {path, text} = out
  let values: Record<string, unknown> | undefined
  let smolError: TomlError | undefined
  try {
    values = smolParse(text, {integersAsBigInt: 'asNeeded'}) as Record<string, unknown>
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    smolError = err
    if (!REDEFINE.test(err.message)) {
      out.findings.push(syntaxFinding(path, out.lines, err.message, err.line, err.column))
      return
    }
  }

  // Repeated keys and tables stop the parser at the first one: every repeat the scan finds is renamed in a private
  // copy of the text in one pass (linear however many there are), and the copy is parsed once more.
  const renames = new RenameIndex()
  let src = text
  if (values === undefined) {
    src = renameRepeats(text, renames)
    try {
      values = smolParse(src, {integersAsBigInt: 'asNeeded'}) as Record<string, unknown>
    } catch (err) {
      if (!(err instanceof TomlError)) throw err
      const first = smolError as TomlError
      out.findings.push(REDEFINE.test(err.message)
        ? fileFinding(path, 'duplicate-key', 'error',
          'keys or tables are defined twice in ways medic could not untangle (a key reused as a table, repeats inside inline tables): influxd refuses to start',
          'look for a key or [section] defined twice and keep one definition', {line: first.line, column: first.column})
        : syntaxFinding(path, out.lines, err.message, err.line, err.column - renames.shift(err.line - 1, err.column - 1)))
      return
    }
  }

  // Positions come from the scan of the same text; values from smol-toml. Where the two disagree, medic keeps the
  // values and says that it has no positions.
  out.parsed = true
  if (!entriesFromScan(out, src, values, renames)) {
    out.entries = []
    out.tables = []
    fromValues(out, values)
    out.findings.push(fileFinding(path, 'positions-unavailable', 'info',
      'medic could not work out the line of each key in this file, so findings name keys without lines',
      'nothing to fix for influxd; the findings name each key in full'))
    return
  }
  reportDuplicates(out, renames.all, smolError)
}

/** Inserts a marker before every repeated key the scan finds, recording each in `renames`; one pass over the text. */
function renameRepeats(text: string, renames: RenameIndex): string {
  const repeats = findRepeats(scanToml(text)).sort((a, b) => a.at - b.at)
  if (repeats.length === 0) return text
  const parts: string[] = []
  let last = 0
  let line0 = 0
  let lineStart = 0
  let lineShift = 0
  for (const r of repeats) {
    // Advance the line counter to r.at (repeats are sorted, so the whole loop reads the text once).
    for (let nl = text.indexOf('\n', lineStart); nl >= 0 && nl < r.at; nl = text.indexOf('\n', lineStart)) {
      line0++
      lineStart = nl + 1
      lineShift = 0
    }
    const marker = `${DUP_MARK}${renames.size}__`
    const col = r.at - lineStart
    renames.add({line: line0, column: col + lineShift, length: marker.length, pos: {line: line0 + 1, column: col + 1}})
    lineShift += marker.length
    parts.push(text.slice(last, r.at), marker)
    last = r.at
  }
  parts.push(text.slice(last))
  return parts.join('')
}

/** Line starts of a text, for offset → line and column (binary search). */
function lineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

/**
 * Entries and tables from the scan's statements, their values looked up in smol-toml's result. False when a
 * statement cannot be matched with a value (a scan/parser disagreement): the caller then drops positions.
 */
function entriesFromScan(out: ParsedConfig, src: string, values: Record<string, unknown>, renames: RenameIndex): boolean {
  const starts = lineStarts(src)
  const posOf = (offset: number): Pos => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    const col0 = offset - starts[lo]
    return {line: lo + 1, column: col0 - renames.shift(lo, col0) + 1}
  }
  const clean = (name: string): string => (name.startsWith(DUP_MARK) ? name.replace(/^__medic_dup_\d+__/, '') : name)
  /** The key's first character: the opening quote of a quoted key. */
  const keyStart = (k: {start: number}): number => (k.start > 0 && (src[k.start - 1] === '"' || src[k.start - 1] === "'") ? k.start - 1 : k.start)

  const arrays = new Map<string, number>()
  let table: unknown = values
  let tablePath: Array<string | number> = []
  for (const s of scanToml(src)) {
    if (s.kind === 'other') return false
    if (s.kind === 'table' || s.kind === 'array-table') {
      if (!s.complete || s.keys.length === 0) return false
      // Walk the raw (renamed) names through the values; array tables step into their current element.
      let node: unknown = values
      const raw: string[] = []
      const shown: Array<string | number> = []
      for (let i = 0; i < s.keys.length; i++) {
        const name = s.keys[i].name
        raw.push(name)
        shown.push(clean(name))
        node = isTable(node) ? node[name] : undefined
        const last = i === s.keys.length - 1
        if (Array.isArray(node)) {
          const id = raw.join('\u0000')
          const at = last && s.kind === 'array-table' ? (arrays.get(id) ?? -1) + 1 : Math.max(0, (arrays.get(id) ?? 0))
          if (last && s.kind === 'array-table') arrays.set(id, at)
          node = node[at]
          shown.push(at)
          raw.push(`#${at}`)
        }
      }
      if (!isTable(node)) return false
      table = node
      tablePath = shown
      out.tables.push({path: shown, array: s.kind === 'array-table', pos: posOf(keyStart(s.keys[0]))})
      continue
    }
    if (s.valueStart === undefined || s.keys.length === 0 || !s.complete) return false
    let node: unknown = table
    for (const k of s.keys) node = isTable(node) ? node[k.name] : undefined
    if (node === undefined) return false
    const full = [...tablePath, ...s.keys.map((k) => clean(k.name))]
    const pos = posOf(keyStart(s.keys[0]))
    addValue(out, full, node, src.slice(s.valueStart, s.valueEnd), pos, posOf(s.valueStart), clean)
  }
  return true
}

/** One value (an inline table becomes a table and its entries, all at the key's position). */
function addValue(out: ParsedConfig, full: Array<string | number>, value: unknown, raw: string, pos: Pos, valuePos: Pos, clean: (s: string) => string): void {
  const stack: Array<{path: Array<string | number>; value: unknown; raw?: string}> = [{path: full, value, raw}]
  while (stack.length > 0) {
    const item = stack.pop() as {path: Array<string | number>; value: unknown; raw?: string}
    if (isTable(item.value)) {
      out.tables.push({path: item.path, array: false, pos})
      const inner = Object.entries(item.value)
      for (let i = inner.length - 1; i >= 0; i--) stack.push({path: [...item.path, clean(inner[i][0])], value: inner[i][1]})
      continue
    }
    const {section, key} = sectionAndKey(item.path)
    const kind = kindOfValue(item.value, item.raw)
    out.entries.push({
      path: item.path, section, key,
      value: item.value instanceof Date ? item.value.toISOString() : Array.isArray(item.value) ? item.value.map((x) => (isTable(x) ? '{…}' : x)) : item.value,
      kind, pos, valuePos,
    })
  }
}

/** Entries without positions, from smol-toml's values (the fallback when positions cannot be had). */
function fromValues(out: ParsedConfig, values: Record<string, unknown>): void {
  out.parsed = true
  const walkTable = (base: Array<string | number>, table: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(table)) {
      const full = [...base, k]
      if (isTable(v)) {
        out.tables.push({path: full, array: false, pos: null})
        walkTable(full, v)
      } else if (Array.isArray(v) && v.length > 0 && v.every(isTable)) {
        v.forEach((t, i) => {
          out.tables.push({path: [...full, i], array: true, pos: null})
          walkTable([...full, i], t)
        })
      } else {
        const {section, key} = sectionAndKey(full)
        out.entries.push({path: full, section, key, value: v instanceof Date ? v.toISOString() : v, kind: kindOfValue(v), pos: null, valuePos: null})
      }
    }
  }
  walkTable([], values)
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

/** The TOML type of a value; `raw` (the text) tells `1.0` (a float smol-toml returns as 1) from `1`. */
function kindOfValue(v: unknown, raw?: string): TomlKind {
  if (typeof v === 'string') return 'string'
  if (typeof v === 'number' && raw !== undefined && !/^[+-]?0[xob]/i.test(raw) && /[.eE]|inf|nan/.test(raw)) return 'float'
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'integer'
  if (typeof v === 'number') return 'float'
  if (typeof v === 'boolean') return 'boolean'
  if (v instanceof Date) return 'datetime'
  return Array.isArray(v) ? 'array' : 'table'
}

/** ['hostname'] → '' / hostname; ['meta','dir'] → meta / dir; ['graphite',0,'enabled'] → graphite / enabled. */
export function sectionAndKey(path: ReadonlyArray<string | number>): {section: string; key: string} {
  if (path.length === 1) return {section: '', key: String(path[0])}
  const last = String(path.at(-1))
  const head = path.slice(0, -1).filter((p) => typeof p === 'string') as string[]
  return {section: head.join('.'), key: last}
}

/** Repeats named one by one; the others are counted in one finding (a file with 50,000 repeats needs no 50,000). */
const MAX_REPEAT_FINDINGS = 100

function reportDuplicates(out: ParsedConfig, renames: Rename[], smolError: TomlError | undefined): void {
  const dups: Finding[] = []
  const seenTables = new Map<string, TableDecl>()
  for (const t of out.tables) {
    if (t.array) continue
    const id = JSON.stringify(t.path)
    const first = seenTables.get(id)
    if (first === undefined) {
      seenTables.set(id, t)
      continue
    }
    const name = t.path.join('.')
    dups.push({
      id: 'duplicate-key', severity: 'error', file: out.path, line: t.pos?.line ?? null, column: t.pos?.column ?? null, key: name,
      message: `the section [${name}] appears twice${first.pos ? ` (first on line ${first.pos.line})` : ''}: influxd refuses to start on a section defined twice (medic checked both halves as one section)`,
      fix: `move the keys under this [${name}] into the first one and delete this header`,
      ...(first.pos ? {related: [{file: out.path, line: first.pos.line, column: first.pos.column, key: name, note: 'first definition'}]} : {}),
    })
  }
  const seenEntries = new Map<string, Entry>()
  const repeated = new Set<Entry>()
  for (const e of out.entries) {
    const id = JSON.stringify(e.path)
    const first = seenEntries.get(id)
    if (first === undefined) {
      seenEntries.set(id, e)
      continue
    }
    repeated.add(e)
    const name = e.path.join('.')
    const same = String(first.value) === String(e.value) && first.kind === e.kind
    dups.push({
      id: 'duplicate-key', severity: 'error', file: out.path, line: e.pos?.line ?? null, column: e.pos?.column ?? null, key: name,
      message: `${name} is set twice${first.pos ? ` (first on line ${first.pos.line})` : ''}${same ? ', to the same value' : ''}: influxd refuses to start on a repeated key (medic checked the first value)`,
      fix: `keep one ${name} line and delete the other`,
      ...(first.pos ? {related: [{file: out.path, line: first.pos.line, column: first.pos.column, key: name, note: 'first definition'}]} : {}),
    })
  }
  // The repeated definitions must not win: medic checks the first, which is what the findings say.
  out.entries = out.entries.filter((e) => !repeated.has(e))
  const covered = new Set(dups.map((f) => f.line))
  for (const r of renames) {
    if (covered.has(r.pos.line)) continue
    dups.push(fileFinding(out.path, 'duplicate-key', 'error',
      'this line defines a key or table that is already defined: influxd refuses to start', 'keep one definition and delete the other', r.pos))
  }
  for (let i = 0; i < dups.length && i < MAX_REPEAT_FINDINGS; i++) out.findings.push(dups[i])
  if (dups.length > MAX_REPEAT_FINDINGS) {
    const rest = dups.slice(MAX_REPEAT_FINDINGS).map((f) => f.line ?? 0)
    const first = rest.reduce((m, x) => Math.min(m, x), Infinity)
    const last = rest.reduce((m, x) => Math.max(m, x), 0)
    out.findings.push(fileFinding(out.path, 'duplicate-key', 'error',
      `${dups.length - MAX_REPEAT_FINDINGS} more keys or sections are defined again between lines ${first} and ${last} (medic names the first ${MAX_REPEAT_FINDINGS} above): influxd refuses to start`,
      'keep one definition of each and delete the repeats; a file with this many is usually a template or a script that appended instead of replacing', {line: first, column: 1}))
  }
  if (dups.length === 0 && smolError) {
    out.findings.push(syntaxFinding(out.path, out.lines, smolError.message, smolError.line, smolError.column))
  }
}


/** Longest part of a line medic quotes in an excerpt. */
const EXCERPT_CHARS = 160

/**
 * A syntax error with the offending line quoted and a hint for the usual causes. A line is quoted only when it
 * starts with a key or section medic knows (any other line could be a secret whose key was mangled: `shared-secet
 * "..."`), and always through `redactConfigLine`; hints repeat a value only for keys known not to be secret.
 */
function syntaxFinding(path: string, lines: string[], rawMessage: string, line: number, column: number): Finding {
  const message = rawMessage.split('\n')[0].replace(/^Invalid TOML document:\s*/i, '').replace(/\.$/, '')
  const src = lines[line - 1] ?? ''
  const head = src.slice(0, 4 * EXCERPT_CHARS)
  const known = quotable(head)
  const first = firstStatement(head)
  // A hint repeats a value only for a key known not to be secret, and only when nothing else is on the line.
  const hint = syntaxHint(first.rest === '' && src.length === head.length ? head : first.text, message, column, known === 'safe' && first.rest === '')
  let excerpt: string | undefined
  if (src.trim().length > 0) {
    // Only the first key (or header) and its first value are quoted: what follows on the same line (two lines
    // joined into one, a comment) could be another key's secret under a name medic does not recognise.
    const shown = known ? redactConfigLine(first.text) + (first.rest === '' ? '' : ' …') : undefined
    excerpt = shown === undefined
      ? '(not quoted: medic quotes only lines that start with a key or section it knows, as any other line may hold a secret)'
      : shown.length > EXCERPT_CHARS || src.length > head.length ? shown.slice(0, EXCERPT_CHARS) + '…' : shown
  }
  return {
    id: 'toml-syntax',
    severity: 'error',
    file: path,
    line,
    column,
    key: null,
    message: `not valid TOML: ${message}; influxd would refuse to start with "parse config"`,
    ...(excerpt === undefined ? {} : {excerpt}),
    fix: hint ?? 'fix the line shown (the column points at where the parser gave up), then check again; medic checks the keys only once the file parses',
  }
}

/**
 * The first statement of a line as medic may quote it: a `[header]`, or a key, its separator and its first value
 * (one quoted string, or one run without white space); `rest` is whatever follows, comments excepted.
 */
function firstStatement(line: string): {text: string; rest: string} {
  const m = /^(\s*\[\[?[^\]\n]*\]?\]?)|^(\s*(?:"[^"]*"|'[^']*'|[^\s="']+)\s*(?:[=:]\s*)?(?:"{3}[^"]*(?:"{3})?|'{3}[^']*(?:'{3})?|"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s#]+)?)/.exec(line)
  if (!m) return {text: '', rest: line.trim()}
  const text = (m[1] ?? m[2]).replace(/\s+$/, '')
  const rest = line.slice(m[0].length).trim()
  return {text, rest: rest.startsWith('#') ? '' : rest}
}

/**
 * Whether a broken line may be quoted: `safe` when it is a comment, a known section header, or starts with a key
 * medic knows that holds no secret; `secret` when it starts with a known secret key (quoted with the value cut);
 * false otherwise.
 */
function quotable(line: string): 'safe' | 'secret' | false {
  const t = line.trim()
  if (t.startsWith('#')) return 'safe'
  const header = /^\[\[?\s*([A-Za-z0-9_.-]*)/.exec(t)
  if (header) return isKnownSection(header[1]) ? 'safe' : false
  const key = /^["']?([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)/.exec(t)
  if (!key) return false
  const last = key[1].slice(key[1].lastIndexOf('.') + 1)
  if (!isKnownKeyName(last)) return false
  return isSecretish(last) || SECRET_KEY.test(last) ? 'secret' : 'safe'
}

function syntaxHint(src: string, message: string, column: number, known: boolean): string | undefined {
  const kv = /^\s*([\w.-]+|"[^"]*")\s*=\s*(.*?)\s*(#.*)?$/.exec(src)
  if (/^\s*\[[^\]]*$/.test(src)) return known ? 'close the section header with "]": [section-name]' : 'close the section header with "]"'
  if (kv) {
    const [, key, raw] = kv
    // Only values of keys known not to be secret are repeated in a hint.
    const safe = known
    if (/^"[^"]*$|^'[^']*$/.test(raw)) {
      return safe ? `close the string: ${key} = ${raw}${raw[0]}` : `close the string: add the missing ${raw[0]} at the end of the value`
    }
    if (/^\d+(?:\.\d+)?\s*[a-zA-Zµμ]+$/.test(raw)) return safe ? `durations and sizes are strings in TOML: ${key} = "${raw.replaceAll(/\s+/g, '')}"` : 'durations and sizes are strings in TOML: put the value in double quotes'
    if (/^[A-Za-z_./:-][\w./:-]*$/.test(raw) && !/^(?:true|false|inf|nan)$/.test(raw)) return safe ? `strings need quotes in TOML: ${key} = "${raw}"` : 'strings need quotes in TOML: put the value in double quotes'
    if (raw === '') return safe ? `give ${key} a value, or comment the line out with #` : 'give the key a value, or comment the line out with #'
  }
  if (/^\s*[\w-]+\s*$/.test(src)) return 'a line with a bare word: comment it out with # or write key = value'
  if (/control character/i.test(message) && column >= src.length) return 'a string is not closed on this line: add the missing quote'
  return undefined
}
