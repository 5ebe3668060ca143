/**
 * Secrets in `medic config check` output: none, ever, in any field, excerpts of broken lines included.
 *
 * Three layers, each enough on its own for the case it covers:
 *   1. values of secret keys are shown as [REDACTED] where findings are built (validate.ts `display`);
 *   2. a quoted config line (the excerpt of a syntax error) is cut after its first secret-ish key name, whether or
 *      not the line parses (`redactConfigLine`), so `shared-secret "value"` (no `=`) loses its value too;
 *   3. a last pass over the whole report (`SecretSet.scrub`) removes every secret value medic read, from files that
 *      parse, from lines that do not (`secretCandidates`), and from INFLUXDB_* variables, wherever it appears, and
 *      also any run of 12 or more characters copied out of one (a value cut in an excerpt, a secret pasted into
 *      another key). The pass is linear: fixed-length windows of the secrets in a hash set, one rolling hash over
 *      each string of the report (a file with 50,000 secrets and a 1 MB report cost one scan, not 50,000).
 */
import {redact} from '../logs/redact.js'
import {editDistanceWithin} from '../util/edit-distance.js'
import type {Statement} from './toml-scan.js'

/** Key or variable names whose values are treated as secrets (wider than the documented keys: typos included). */
const SECRETISH = /secret|secert|pass|pwd|licen[cs]e|token|(?:^|[-_])key$/i
const NOT_SECRET = /licen[cs]e[-_]path|private[-_]key|hash|[-_]tls/i

/** The documented secret keys: a name a few edits away from one of them is treated as a secret too. */
const SECRET_NAMES = ['license-key', 'shared-secret', 'internal-shared-secret', 'meta-internal-shared-secret', 'password']

export function isSecretish(name: string): boolean {
  if (SECRETISH.test(name)) return !NOT_SECRET.test(name)
  if (name.length < 6 || name.length > 40) return false
  const n = name.toLowerCase().replaceAll('_', '-')
  return SECRET_NAMES.some((s) => editDistanceWithin(n, s, 3) <= Math.min(3, Math.floor(s.length / 4)))
}

/** A dotted name (`enterprise.license-key`, `license-key.`) names a secret when any of its parts does. */
function anySecretish(name: string): boolean {
  return name.split('.').some((part) => part !== '' && isSecretish(part))
}

/** Secrets shorter than this are redacted only where a whole value equals them ("test" is too common a word). */
const MIN_SUBSTRING = 6
/** Runs of this many characters copied out of a secret are redacted wherever they appear. */
const WINDOW = 12

const REDACTED = '[REDACTED]'

// Every word of a line that could be a key name; `isSecretish` decides (`license-key`, `shared_secet`, `INFLUXDB_..._PASSWORD`).
const KEY_TOKEN = /[A-Za-z0-9_.-]{3,}/g

/**
 * A config line as it may be quoted to the operator: everything after the first secret-ish key name (or after the
 * `=` that comes before it) is replaced, whether the line is valid TOML or not, quoted or not, complete or not.
 */
export function redactConfigLine(line: string): string {
  KEY_TOKEN.lastIndex = 0
  for (let m = KEY_TOKEN.exec(line); m !== null; m = KEY_TOKEN.exec(line)) {
    if (!anySecretish(m[0])) continue
    const eq = line.indexOf('=')
    let cut = eq >= 0 && eq < m.index ? eq + 1 : m.index + m[0].length
    if (cut !== eq + 1) {
      // Keep the closing quote of a quoted key and the `=` after the name: `"license-key" = [REDACTED]`.
      const sep = /^["']?\s*=?/.exec(line.slice(cut))
      cut += sep ? sep[0].length : 0
    }
    if (/^[\s"']*$/.test(line.slice(cut))) return line
    return `${line.slice(0, cut).trimEnd()} ${REDACTED}`
  }
  return line
}

/**
 * Values that look like secrets in TOML text that may not parse: the value of every pair whose key is secret-ish,
 * and the rest of any line that starts with a secret-ish word but is not a valid pair (`license-key abc`). Each is
 * given raw, without its quotes, and line by line for values that span lines.
 */
export function secretCandidates(text: string, statements: Statement[]): string[] {
  const out: string[] = []
  const push = (raw: string): void => {
    const v = raw.trim()
    if (v.length < 4) return
    out.push(v)
    const inner = v.replace(/^("""|'''|"|')/, '').replace(/("""|'''|"|')\s*(?:#.*)?$/, '').trim()
    if (inner !== v && inner.length >= 4) out.push(inner)
    if (inner.includes('\n')) for (const part of inner.split(/\r?\n/)) if (part.trim().length >= 4) out.push(part.trim())
  }
  for (const s of statements) {
    const last = s.keys.at(-1)
    if (s.kind === 'pair' && last !== undefined && isSecretish(last.name)) {
      if (s.valueStart !== undefined) push(text.slice(s.valueStart, Math.max(s.valueEnd ?? s.valueStart, s.valueStart)))
      else push(text.slice(last.start + last.name.length, s.end).replace(/^["']?\s*[:=]?/, ''))
      continue
    }
    if (s.kind === 'other' || (s.kind === 'pair' && s.valueStart === undefined)) {
      const line = text.slice(s.start, s.end)
      const m = /^\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]?\s*(.*)$/.exec(line)
      if (m && anySecretish(m[1])) push(m[2])
    }
  }
  return out
}

// ── the last pass ─────────────────────────────────────────────────────────────────────────────────────────────

const BASE = 0x01000193

/** Polynomial hash of s[from, from + len). */
function hashOf(s: string, from: number, len: number): number {
  let h = 0
  for (let i = 0; i < len; i++) h = (Math.imul(h, BASE) + s.charCodeAt(from + i)) | 0
  return h
}

function powBase(len: number): number {
  let p = 1
  for (let i = 0; i < len; i++) p = Math.imul(p, BASE)
  return p
}

/** One window length: the exact strings, and their hashes for the rolling scan. */
interface Windows {
  len: number
  pow: number
  hashes: Set<number>
  strings: Set<string>
}

export class SecretSet {
  private readonly whole = new Set<string>()
  private readonly byLength = new Map<number, Windows>()

  /** Registers the value of a key or variable when its name is secret-ish. */
  add(name: string, value: unknown): void {
    if (!isSecretish(name)) return
    if (typeof value === 'string') this.addValue(value)
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') this.addValue(v)
  }

  /** Registers a secret value, whatever its name. */
  addValue(value: string): void {
    const v = value.trim()
    if (v.length < 4) return
    this.whole.add(v)
    if (v.length < MIN_SUBSTRING) return
    if (v.length < WINDOW) {
      this.window(v.length).strings.add(v)
      return
    }
    const w = this.window(WINDOW)
    for (let i = 0; i + WINDOW <= v.length; i++) w.strings.add(v.slice(i, i + WINDOW))
  }

  get size(): number {
    return this.whole.size
  }

  private window(len: number): Windows {
    let w = this.byLength.get(len)
    if (w === undefined) {
      w = {len, pow: powBase(len), hashes: new Set(), strings: new Set()}
      this.byLength.set(len, w)
    }
    return w
  }

  /** The string with every secret, and every 12-character run out of one, replaced by [REDACTED]. Linear. */
  scrubString(s: string): string {
    if (this.whole.has(s.trim())) return REDACTED
    let mask: Uint8Array | undefined
    for (const w of this.byLength.values()) {
      if (s.length < w.len) continue
      if (w.hashes.size !== w.strings.size) {
        w.hashes.clear()
        for (const x of w.strings) w.hashes.add(hashOf(x, 0, w.len))
      }
      let h = hashOf(s, 0, w.len)
      for (let i = 0; ; i++) {
        if (w.hashes.has(h) && w.strings.has(s.slice(i, i + w.len))) {
          mask ??= new Uint8Array(s.length)
          mask.fill(1, i, i + w.len)
        }
        if (i + w.len >= s.length) break
        h = (Math.imul(h, BASE) - Math.imul(s.charCodeAt(i), w.pow) + s.charCodeAt(i + w.len)) | 0
      }
    }
    if (mask === undefined) return s
    let out = ''
    for (let i = 0; i < s.length;) {
      if (mask[i] === 1) {
        out += REDACTED
        while (i < s.length && mask[i] === 1) i++
      } else {
        const j = mask.indexOf(1, i)
        const end = j < 0 ? s.length : j
        out += s.slice(i, end)
        i = end
      }
    }
    return out
  }

  /** Replaces every known secret in every string of `data`, deeply; returns a new value. */
  scrub<T>(data: T): T {
    const walk = (x: unknown, key?: string): unknown => {
      if (typeof x === 'string') {
        const s = this.scrubString(x)
        return key === 'value' ? redact(s) : s
      }
      if (Array.isArray(x)) return x.map((y) => walk(y))
      if (x !== null && typeof x === 'object') {
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(x)) out[k] = walk(v, k)
        return out
      }
      return x
    }
    return walk(data) as T
  }
}
