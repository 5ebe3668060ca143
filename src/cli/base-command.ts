/**
 * The base of every medic command. It owns the output contract so that the commands stay thin:
 *  - `--json`: exactly one JSON document on stdout, with `schemaVersion`, for results and for errors;
 *  - exit codes (0 ok, 1 internal, 2 usage, 3 problems found, 4 could not check), identical with `--json`
 *    (oclif 4 exits 1 for every error under --json; this class fixes that);
 *  - colour (see colour.ts) and human errors on stderr with "try this" suggestions, never a stack trace
 *    unless MEDIC_DEBUG=1;
 *  - the output sinks' safety net: every byte written through out(), note(), ndjson(), logJson() and catch() passes
 *    terminalSafe/jsonSafe (src/util/text.ts), so a value from outside that a formatter forgot to escape still cannot
 *    drive the operator's terminal.
 */
import {Command, Flags, Interfaces} from '@oclif/core'

import {ExitCode, type ExitCodeValue, MedicError} from '../errors.js'
import {closest} from '../util/edit-distance.js'
import {escapeControl, jsonSafe, redactArgv, terminalSafe} from '../util/text.js'
import {colourWanted} from './colour.js'

export const SCHEMA_VERSION = 1

export type JsonEnvelope<T> = T & {schemaVersion: number; command: string; exitCode: number}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    'no-color': Flags.boolean({
      description: 'Never colour the output (also: NO_COLOR=1, or any non-terminal output).',
      helpGroup: 'GLOBAL',
    }),
  }

  /** True when human output may use ANSI colours. */
  protected colour = false

  /**
   * True for commands whose formatters colour only through format/text.ts: chalk is then loaded only when colour is
   * on (it costs tens of milliseconds of start-up), and text.ts is told about it.
   */
  static chalkFree = false

  override async init(): Promise<void> {
    await super.init()
    this.colour = colourWanted({argv: this.argv, env: process.env, isTTY: Boolean(process.stdout.isTTY)})
    if (this.colour || !(this.constructor as typeof BaseCommand).chalkFree) {
      // Other formatters import chalk themselves (so this import is already paid for); setting the level here keeps
      // every later use honest.
      const {default: chalk} = await import('chalk')
      if (!this.colour) chalk.level = 0
      const {useChalk} = await import('../format/text.js')
      useChalk(chalk)
    }
    // `medic ... | head` closes stdout early: stop quietly instead of crashing with EPIPE.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
      throw err
    })
  }

  /** Writes a human result line block to stdout (suppressed under --json). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(terminalSafe(text.endsWith('\n') ? text : text + '\n', this.colour))
  }

  /** One object of an NDJSON stream on stdout (streams under --json: one line per object). */
  protected ndjson(obj: object): void {
    process.stdout.write(jsonSafe(JSON.stringify(obj)) + '\n')
  }

  /** Progress, notes and warnings for humans: always stderr, never under --json. */
  protected note(text: string): void {
    if (!this.jsonEnabled()) process.stderr.write(terminalSafe(text.endsWith('\n') ? text : text + '\n', this.colour))
  }

  /** Records the exit code and wraps the result in the JSON envelope that oclif prints under --json. */
  protected finish<T extends object>(result: T, exitCode: ExitCodeValue): JsonEnvelope<T> {
    process.exitCode = exitCode
    return {schemaVersion: SCHEMA_VERSION, command: this.commandName(), exitCode, ...result}
  }

  /** The long names of this command's flags (and their aliases), for did-you-mean. */
  protected flagNames(): string[] {
    const flags = (this.ctor as unknown as {flags?: Record<string, {aliases?: string[]}>}).flags ?? {}
    return Object.entries(flags).flatMap(([name, f]) => [name, ...(f.aliases ?? [])]).concat(['json', 'no-color', 'help'])
  }

  protected commandName(): string {
    return (this.id ?? 'medic').replaceAll(':', ' ')
  }

  override logJson(json: unknown): void {
    process.stdout.write(jsonSafe(JSON.stringify(json, null, 2)) + '\n')
  }

  override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}; code?: string}): Promise<void> {
    const exitCode = exitCodeFor(err)
    process.exitCode = exitCode
    // A parse error means parse() never finished; stop oclif from warning that the command did not parse.
    this.parsed = true
    const suggestions = err instanceof MedicError ? err.suggestions : suggestionsFor(err, this.commandName(), this.flagNames(), this.argv)
    const code = err instanceof MedicError ? err.code : exitCode === ExitCode.USAGE ? 'usage' : 'internal'
    // A MedicError's message is medic's own text (it may quote a node's last log lines, one per line; the code that
    // builds it escapes what it quotes); anything else may carry outside text and is kept on one line.
    const message = err instanceof MedicError
      ? err.message
      : escapeControl(exitCode === ExitCode.INTERNAL ? `internal error: ${err.message || String(err)}` : cleanParseMessage(err.message))
    if (this.jsonEnabled()) {
      this.logJson({
        schemaVersion: SCHEMA_VERSION,
        command: this.commandName(),
        exitCode,
        error: {code, message, suggestions},
      })
      return
    }
    const lines = [`Error: ${message}`]
    if (suggestions.length > 0) lines.push('Try this:', ...suggestions.map((s) => `  * ${s}`))
    if (exitCode === ExitCode.INTERNAL) {
      lines.push('This is a bug in medic. Run again with MEDIC_DEBUG=1 to see the stack trace, and report it.')
    }
    if (process.env.MEDIC_DEBUG && err.stack) lines.push(err.stack)
    process.stderr.write(terminalSafe(lines.join('\n') + '\n', false))
  }
}

function exitCodeFor(err: {exitCode?: number; oclif?: {exit?: number}}): ExitCodeValue {
  if (err instanceof MedicError) return err.exitCode
  const code = err.oclif?.exit
  if (code === 2) return ExitCode.USAGE
  return ExitCode.INTERNAL
}

/** oclif's flag errors read "Parsing --x \n\t<why>\nSee more help with --help": make them one line. */
function cleanParseMessage(message: string): string {
  return message.replace(/\s*\n\t/g, ': ').replace(/\nSee more help with --help\s*$/, '')
}

function suggestionsFor(err: Error & {oclif?: {exit?: number}; flags?: unknown}, command: string, flagNames: string[], argv: readonly string[]): string[] {
  if (err.oclif?.exit !== 2) return []
  // An unknown flag: the same command line with the nearest flag of this command in its place, when every unknown
  // flag has one (oclif's NonExistentFlagsError carries the typed flags).
  const typed = Array.isArray(err.flags) ? err.flags.filter((f): f is string => typeof f === 'string') : []
  if (typed.length > 0) {
    const fixes = new Map<string, string>()
    for (const t of typed) {
      const name = t.replace(/^-+/, '').split('=')[0]
      const near = closest(name, flagNames)
      if (near !== undefined) fixes.set(name, near)
    }
    if (fixes.size === typed.length) {
      const fixed = argv.map((a) => {
        const m = /^--([^=]+)(=.*)?$/.exec(a)
        return m && fixes.has(m[1]) ? `--${fixes.get(m[1])}${m[2] ?? ''}` : a
      })
      return [['medic', command, ...redactArgv(fixed)].join(' '), `medic ${command} --help`]
    }
  }
  return [`medic ${command} --help`]
}

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<T['flags'] & T['baseFlags']>
