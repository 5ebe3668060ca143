/**
 * Text from outside (node answers, log lines, file contents, names) on its way to an operator's terminal or shell.
 *
 * - `escapeControl` makes a value inert on a terminal: control characters (C0, DEL, C1), line and paragraph
 *   separators and bidirectional overrides are written as visible escapes (`\x1b`, `\r`, `\u202e`), so a value can
 *   neither retitle or clear the terminal nor forge an output line nor reorder what is shown.
 * - `terminalSafe` is the last line of defence at the output sinks: it keeps medic's own newlines (and, when colour is
 *   on, SGR colour sequences) and escapes every other control character.
 * - `shellQuote` and `sh` build commands that work when pasted: every interpolated value is quoted, and a value that
 *   cannot be pasted safely (control characters) withholds the whole command.
 */

// C0 controls, DEL, C1 controls, LS/PS, bidi embeddings/overrides/isolates, and the invisible marks that reorder text.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b', '\u0000': '\\0'}

function escapeOne(c: string): string {
  const named = NAMED[c]
  if (named !== undefined) return named
  const code = c.charCodeAt(0)
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** True when `s` holds a character `escapeControl` would rewrite. */
export function hasControl(s: string): boolean {
  return UNSAFE.test(s)
}

/** A value from outside, made inert for a terminal (see the file header). Unchanged when it is already clean. */
export function escapeControl(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeOne) : s
}

/** `escapeControl` for any value: strings are escaped, other values are turned into text first. */
export function printable(v: unknown): string {
  return escapeControl(typeof v === 'string' ? v : String(v))
}

// An SGR sequence (colour, bold...) as chalk writes it; and the characters allowed through the sink without escaping.
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/y
// eslint-disable-next-line no-control-regex
const SINK_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/**
 * The output sinks' safety net: keeps "\n" and "\t" (medic's own layout) and, when `colour` is on, SGR colour
 * sequences; escapes every other control character. Formatters still escape values with `escapeControl` (only they
 * know which newlines are data), this catches what one of them forgot.
 */
export function terminalSafe(text: string, colour: boolean): string {
  if (!SINK_UNSAFE.test(text)) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\u001b' && colour) {
      SGR.lastIndex = i
      const m = SGR.exec(text)
      if (m) {
        out += m[0]
        i += m[0].length - 1
        continue
      }
    }
    out += c !== '\n' && c !== '\t' && SINK_UNSAFE.test(c) ? escapeOne(c) : c
  }
  return out
}

/**
 * JSON for a terminal or a pipe: JSON.stringify already escapes C0 controls; this also escapes C1 controls, line
 * separators and bidi overrides, which JSON allows raw but some terminals act on. The result is still valid JSON.
 */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** One POSIX shell word: plain words stay as they are, anything else goes in single quotes. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

/**
 * A shell command with every interpolated value quoted as one word: sh`influxd-ctl remove-meta ${addr}`. Numbers go
 * in as they are. Returns undefined (withhold the suggestion) when a value holds control characters or is empty:
 * such a command could not be pasted safely or would not do what it says.
 */
export function sh(strings: TemplateStringsArray, ...values: Array<string | number>): string | undefined {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined
      out += String(v)
    } else {
      if (v === '' || hasControl(v)) return undefined
      out += shellQuote(v)
    }
    out += strings[i + 1]
  }
  return out
}

/** Flags whose values are secrets, and the environment variable medic also reads them from. */
const SECRET_FLAGS: Record<string, string> = {password: 'MEDIC_PASSWORD', 'jwt-secret': 'MEDIC_JWT_SECRET'}

/**
 * A command line echoed back in a suggestion, with the values of secret flags replaced by a reference to the
 * environment variable that medic reads instead ("$MEDIC_PASSWORD"), so the suggestion still works when pasted.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const m = /^--([^=]+)(=.*)?$/.exec(a)
    const env = m ? SECRET_FLAGS[m[1]] : undefined
    if (m && env !== undefined) {
      out.push(`--${m[1]}`, `"$${env}"`)
      if (m[2] === undefined) i++ // the value was the next word
      continue
    }
    out.push(shellQuote(a))
  }
  return out
}
