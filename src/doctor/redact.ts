/**
 * What goes into a support bundle, with the secrets taken out. Built on the redaction medic already has
 * (config/secrets.ts for config files, logs/redact.ts for log lines and free text), with one addition for configs: a
 * secret is not blanked but replaced by a label, the same label for the same value across every file of the bundle,
 * written as a TOML string. So `medic doctor --offline` runs `config check` on the copies and gets the findings it got
 * on the originals: secrets that must match still match (or still differ), a placeholder secret is still a
 * placeholder, a path is still a path, an empty secret is still empty; and no value of a secret is in the bundle.
 */
import {parseConfig} from '../config/parse.js'
import {isSecretish, redactConfigLine, SecretSet} from '../config/secrets.js'
import {scanToml} from '../config/toml-scan.js'
import {placeholderKind} from '../config/values.js'
import {redact} from '../logs/redact.js'

/** Replaces secrets in config files by labels that keep equality across the files given to one instance. */
export class ConfigRedactor {
  private readonly labels = new Map<string, number>()

  /** The file as it may go into a bundle; `redacted`: how many secret values were replaced. */
  redactFile(path: string, bytes: Buffer): {text: string; redacted: number} {
    const parsed = parseConfig(path, bytes)
    if (parsed.text === '') return {text: '', redacted: 0}
    const text = parsed.text
    const residue = new SecretSet()
    for (const e of parsed.entries) residue.add(e.path.map(String).join('.'), e.value)
    for (const v of parsed.secretValues) residue.addValue(v)
    const edits: Array<{start: number; end: number; with: string}> = []
    for (const s of scanToml(text)) {
      const last = s.keys.at(-1)
      if (s.kind === 'pair' && last !== undefined && s.valueStart !== undefined && s.complete && s.keys.some((k) => isSecretish(k.name))) {
        const raw = text.slice(s.valueStart, s.valueEnd ?? s.valueStart)
        const label = this.label(raw)
        if (label !== undefined) edits.push({start: s.valueStart, end: s.valueEnd ?? s.valueStart, with: label})
      } else if (s.kind === 'other' || !s.complete) {
        // A line that is not a clean pair: cut after its first secret-ish name, as `config check` quotes it.
        let at = s.start
        for (const line of text.slice(s.start, s.end).split('\n')) {
          const safe = redactConfigLine(line)
          if (safe !== line) edits.push({start: at, end: at + line.length, with: safe})
          at += line.length + 1
        }
      }
    }
    let out = ''
    let pos = 0
    for (const e of edits.sort((a, b) => a.start - b.start)) {
      if (e.start < pos) continue
      out += text.slice(pos, e.start) + e.with
      pos = e.end
    }
    out += text.slice(pos)
    // Whatever is left of a secret (copied into a comment or another key, inside an inline table) goes too.
    return {text: parsed.encoding === 'utf-8-bom' ? `\uFEFF${residue.scrubString(out)}` : residue.scrubString(out), redacted: edits.length}
  }

  /** The TOML value that stands for a secret's raw value; undefined for an empty one (nothing to hide). */
  private label(raw: string): string | undefined {
    const value = unquote(raw.trim())
    if (value === '') return undefined
    let n = this.labels.get(value)
    if (n === undefined) {
      n = this.labels.size + 1
      this.labels.set(value, n)
    }
    const kind = placeholderKind(value)
    if (kind === 'template') return `"{{medic-redacted-${n}}}"`
    if (kind === 'placeholder') return `"<medic-redacted-${n}>"`
    if (value.startsWith('/') || /\.json$/i.test(value)) return `"/medic-redacted-${n}.json"`
    return `"medic-redacted-${n}"`
  }
}

/** The text of a TOML string value without its quotes (escapes left as written: only equality matters here). */
function unquote(raw: string): string {
  for (const q of ['"""', "'''", '"', "'"]) {
    if (raw.length >= 2 * q.length && raw.startsWith(q) && raw.endsWith(q)) return raw.slice(q.length, raw.length - q.length)
  }
  return raw
}

/** JSON keys whose string values are secrets in a node's answer (wider words such as "license" are kept: expiry dates help). */
const SECRET_KEY = /password|passwd|pwd|secret|token|license[-_]?key|authori[sz]ation|credential|cookie/i
/** A command-line option whose value, the next string of the same array, is a secret (`"-pwd", "x"` in cmdline). */
const SECRET_OPTION = /^"-{1,2}(?:pwd|password|secret|token|shared-secret|jwt-secret|p)"$/i

/**
 * A node's JSON answer with secrets removed and still valid JSON: the string value of a secret-named key becomes
 * "[REDACTED]", and every other string passes through logs/redact.ts (a password in a command line, credentials in a
 * URL). One pass over the text, linear whatever it holds (an unterminated string ends the scan).
 */
export function redactJsonBody(body: string): string {
  let out = ''
  let copied = 0
  let secretNext = false
  let optionBefore = false
  let lastSignificant = '' // the last character outside strings that is not white space
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c !== '"') {
      if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') lastSignificant = c
      continue
    }
    let j = i + 1
    while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1
    if (j >= body.length) break
    const token = body.slice(i, j + 1)
    let k = j + 1
    while (k < body.length && (body[k] === ' ' || body[k] === '\n' || body[k] === '\r' || body[k] === '\t')) k++
    let replacement: string | undefined
    if (body[k] === ':') {
      secretNext = SECRET_KEY.test(token)
    } else {
      if ((secretNext && lastSignificant === ':') || (optionBefore && lastSignificant === ',')) replacement = '"[REDACTED]"'
      else {
        const safe = redact(token)
        if (safe !== token) replacement = validString(safe) ? safe : '"[REDACTED]"'
      }
      secretNext = false
      optionBefore = SECRET_OPTION.test(token)
    }
    if (replacement !== undefined) {
      out += body.slice(copied, i) + replacement
      copied = j + 1
    }
    lastSignificant = '"'
    i = j
  }
  return copied === 0 ? body : out + body.slice(copied)
}

function validString(token: string): boolean {
  try {
    return typeof JSON.parse(token) === 'string'
  } catch {
    return false
  }
}

/** A log line as a bundle keeps it. */
export function redactLogLine(line: string): string {
  return redact(line)
}

/**
 * A file a config rule read (a certificate, a license file), as a bundle may keep it: certificates stay (they are
 * public; the rules check their names and dates), private keys are replaced by an empty marker block (the rules only
 * ask whether one is there), and anything else keeps only whether it is JSON (all the license rule asks).
 */
export function redactRuleFile(text: string): string {
  if (/-----BEGIN [A-Z ]*CERTIFICATE-----/.test(text) || /PRIVATE KEY-----/.test(text)) {
    const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
    const key = /PRIVATE KEY-----/.test(text) ? ['-----BEGIN PRIVATE KEY-----', 'redacted by medic', '-----END PRIVATE KEY-----'] : []
    return [...certs, ...key].join('\n') + '\n'
  }
  try {
    JSON.parse(text)
    return '{}\n'
  } catch {
    return 'not JSON (content not kept by medic)\n'
  }
}
