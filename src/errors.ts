/**
 * Typed errors and the exit-code contract shared by every medic module.
 *
 * Library code (logs/, probe/, hh/, ...) throws these; the oclif base command turns them into a
 * message on stderr (or a JSON error document on stdout with --json) and the matching exit code.
 * This file has no oclif import on purpose: the capability modules must not depend on the CLI layer.
 */
import {shellQuote} from './util/text.js'

export const ExitCode = {
  /** Everything was checked and nothing needs action; informational findings are allowed (see util/outcome.ts). */
  OK: 0,
  /** A bug in medic: an unexpected exception. */
  INTERNAL: 1,
  /** The command line was wrong: unknown flag, bad value, missing argument. */
  USAGE: 2,
  /** medic looked and found problems (warning or critical findings). */
  PROBLEMS: 3,
  /** medic could not look: unreachable node, timeout, missing or unreadable input. */
  CANNOT_CHECK: 4,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface MedicErrorOptions {
  /** A stable, machine-readable code such as `input-not-found`. */
  code: string
  exitCode: ExitCodeValue
  /** "Try this" hints: concrete commands or edits, most useful first. */
  suggestions?: string[]
  cause?: unknown
}

/** An error medic expected and can explain: it carries its exit code and what to try next. */
export class MedicError extends Error {
  readonly code: string
  readonly exitCode: ExitCodeValue
  readonly suggestions: string[]

  constructor(message: string, options: MedicErrorOptions) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'MedicError'
    this.code = options.code
    this.exitCode = options.exitCode
    this.suggestions = options.suggestions ?? []
  }
}

/** The user asked for something that does not make sense (exit 2). */
export function usageError(message: string, code: string, suggestions: string[] = []): MedicError {
  return new MedicError(message, {code, exitCode: ExitCode.USAGE, suggestions})
}

/** An input could not be read or reached, so nothing could be checked (exit 4). */
export function inputError(message: string, code: string, suggestions: string[] = [], cause?: unknown): MedicError {
  return new MedicError(message, {code, exitCode: ExitCode.CANNOT_CHECK, suggestions, cause})
}

/** Turns a Node.js file-system error into a MedicError that names the input and what to do. */
export function fileError(path: string, err: unknown): MedicError {
  const e = err as NodeJS.ErrnoException
  switch (e?.code) {
    case 'ENOENT':
      return inputError(`${path}: no such file`, 'input-not-found', [
        'check the path; use "-" to read from standard input',
      ], err)
    case 'EACCES':
    case 'EPERM':
      return inputError(`${path}: permission denied`, 'input-permission-denied', [
        `check the file's permissions (ls -l ${shellQuote(path)}); InfluxDB logs are often readable by root or the influxdb group only`,
      ], err)
    case 'EISDIR':
      return inputError(`${path}: is a directory, not a log file`, 'input-is-directory', [
        `pass the files inside it, e.g. ${shellQuote(path)}/*.log`,
      ], err)
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return inputError(`${path}: not a valid gzip file (${e.message})`, 'input-bad-gzip', [
        'check that the file is complete (a truncated copy cannot be decompressed); rename it if it is not gzip',
      ], err)
    default:
      return inputError(`${path}: cannot read (${e?.message ?? String(err)})`, 'input-unreadable', [], err)
  }
}

