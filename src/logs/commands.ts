/**
 * Fills the `{name}` placeholders of a catalogue entry's next commands with values taken from a log line, so that the
 * command works when pasted, and never lets a value from the log change what the command does.
 *
 * The template is read as shell words (single quotes, double quotes, backslashes) to know where each placeholder sits:
 *  - outside quotes, the value is shell-quoted (`ls /hh/'4 5'`; adjacent quoted text joins the word in any POSIX shell);
 *  - inside quotes (an InfluxQL statement in `-execute '...'`, a URL in "..."), only a plain value (letters, digits and
 *    `_ . : / @ % + = , -`) is put in; anything else withholds the whole command, because the quoting of the inner
 *    language (InfluxQL identifiers, JSON) cannot be guaranteed by shell quoting alone;
 *  - a value with control characters, or one starting with `-` (it would be read as an option), withholds the command.
 * A placeholder without a value becomes `<name>`, which the operator replaces by hand.
 */
import {hasControl, shellQuote} from '../util/text.js'

export type FilledCommand = {ok: true; command: string} | {ok: false; reason: string}

const PLACEHOLDER = /\{(\w+)\}/g
const PLAIN_IN_QUOTES = /^[\w.:/@%+=,-]+$/

const NONE = 0
const SINGLE = 1
const DOUBLE = 2

/** The quoting state (NONE, SINGLE, DOUBLE) at each index of a shell command: the state that applies to that character. */
function quoteStates(template: string): Uint8Array {
  const states = new Uint8Array(template.length)
  let q = NONE
  for (let i = 0; i < template.length; i++) {
    const c = template.charCodeAt(i)
    states[i] = q
    if (q === SINGLE) {
      if (c === 39 /* ' */) q = NONE
    } else if (c === 92 /* \\ */) {
      // A backslash escapes the next character outside quotes and inside double quotes.
      i++
      if (i < template.length) states[i] = q
    } else if (q === DOUBLE) {
      if (c === 34 /* " */) q = NONE
    } else if (c === 39) q = SINGLE
    else if (c === 34) q = DOUBLE
  }
  return states
}

/** Fills a command template; see the file header for the rules. */
export function fillCommand(template: string, values: Record<string, string | number | undefined>): FilledCommand {
  const states = quoteStates(template)
  let out = ''
  let last = 0
  let problem: string | undefined
  const re = new RegExp(PLACEHOLDER.source, 'g')
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    out += template.slice(last, m.index)
    last = m.index + m[0].length
    const name = m[1]
    const raw = values[name]
    if (raw === undefined || raw === '') {
      out += `<${name}>`
      continue
    }
    const value = String(raw)
    if (hasControl(value)) {
      problem = `the ${name} from the log holds control characters`
      break
    }
    if (value.startsWith('-')) {
      problem = `the ${name} from the log starts with "-" and would be read as an option`
      break
    }
    const state = states[m.index]
    // After a `#` the value is still quoted: zsh (macOS's shell) runs pasted comments as words unless
    // INTERACTIVE_COMMENTS is set.
    if (state === NONE) {
      out += PLAIN_IN_QUOTES.test(value) ? value : shellQuote(value)
    } else if (PLAIN_IN_QUOTES.test(value)) {
      out += value
    } else {
      // The value is not repeated here: the note is printed next to commands and must not be pasteable either.
      problem = `the ${name} from the log has characters that cannot be quoted safely inside this command`
      break
    }
  }
  if (problem !== undefined) return {ok: false, reason: problem}
  return {ok: true, command: out + template.slice(last)}
}

/** The placeholder names a command template uses (for the summariser, which keeps only these values). */
export function placeholders(templates: readonly string[]): string[] {
  const names = new Set<string>()
  for (const t of templates) for (const m of t.matchAll(PLACEHOLDER)) names.add(m[1])
  return [...names]
}

/** The text shown for a command: the filled command, or a note saying why it was withheld. */
export function commandText(filled: FilledCommand): string {
  return filled.ok ? filled.command : `(command withheld: ${filled.reason})`
}
