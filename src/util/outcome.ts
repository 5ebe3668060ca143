/**
 * The one rule that turns what a command found, and what it could not check, into its overall verdict and exit code.
 * Every command that judges something goes through `decideOutcome`, so that a wrong "OK" cannot come from one command
 * forgetting a case:
 *
 *   - a critical finding          -> CRITICAL, exit 3
 *   - else a warning finding      -> WARNING,  exit 3
 *   - else anything unchecked, or nothing checked at all -> UNKNOWN, exit 4 (never 0)
 *   - else                        -> OK,       exit 0
 *
 * Findings that are only informational (info, notice, expected, ok) never change the verdict. When problems were
 * found and some checks could not be made, the exit code is 3 (there is something to act on) and `complete` is false,
 * so the human and JSON output can say that the picture is partial.
 */
import {ExitCode} from '../errors.js'

export type OverallVerdict = 'ok' | 'warning' | 'critical' | 'unknown'

export interface OutcomeInput {
  /** What was found; only `critical` and `warning` count as problems. */
  findings: Iterable<{severity: string}>
  /** How many things were checked (nodes that answered, files read, queues measured, lines judged). */
  checked: number
  /** How many things medic set out to check and could not (unreachable, unreadable, timed out, unparseable). */
  unchecked: number
}

export interface Outcome {
  verdict: OverallVerdict
  exitCode: typeof ExitCode.OK | typeof ExitCode.PROBLEMS | typeof ExitCode.CANNOT_CHECK
  /** False when some checks could not be made, or none were: the verdict then covers only part of the picture. */
  complete: boolean
  critical: number
  warnings: number
  checked: number
  unchecked: number
}

export function decideOutcome(input: OutcomeInput): Outcome {
  let critical = 0
  let warnings = 0
  for (const f of input.findings) {
    if (f.severity === 'critical') critical++
    else if (f.severity === 'warning') warnings++
  }
  const checked = Math.max(0, input.checked)
  const unchecked = Math.max(0, input.unchecked)
  const complete = unchecked === 0 && checked > 0
  const base = {complete, critical, warnings, checked, unchecked}
  if (critical > 0) return {verdict: 'critical', exitCode: ExitCode.PROBLEMS, ...base}
  if (warnings > 0) return {verdict: 'warning', exitCode: ExitCode.PROBLEMS, ...base}
  if (!complete) return {verdict: 'unknown', exitCode: ExitCode.CANNOT_CHECK, ...base}
  return {verdict: 'ok', exitCode: ExitCode.OK, ...base}
}

/** "OK", "WARNING", "CRITICAL (2 of 5 checks could not be made)", "UNKNOWN: nothing could be checked". */
export function outcomeHeadline(o: Outcome): string {
  const label = o.verdict.toUpperCase()
  if (o.checked === 0 && o.unchecked === 0) return `${label}: nothing was checked`
  if (o.checked === 0) return `${label}: nothing could be checked`
  if (o.unchecked > 0) return `${label} (${o.unchecked} of ${o.checked + o.unchecked} checks could not be made)`
  return label
}
