/** Flag types shared by several commands. */
import {Flags, type Interfaces} from '@oclif/core'

import {parseTimeBound} from '../logs/time.js'
import {formatShortDurationMs, parseGoDuration} from '../util/duration.js'

const ACCEPTED_UNITS = 'a number with a unit: ns, us, ms, s, m or h, e.g. 500ms, 30s, 5m, 1h30m'

const durationCustom = Flags.custom<number>({
  async parse(input) {
    const p = parseGoDuration(input.trim())
    if (!p.ok) {
      const fix = p.suggestion === undefined ? '' : ` (did you mean ${p.suggestion}?)`
      throw new Error(`"${input}" is not a duration${fix}: write ${ACCEPTED_UNITS}`)
    }
    if (!(p.value > 0)) throw new Error(`"${input}" must be longer than zero: write ${ACCEPTED_UNITS}`)
    return p.value / 1e6
  },
})

type DurationOptions = Partial<Omit<Interfaces.OptionFlag<number>, 'default'>>

/**
 * A Go duration (500ms, 30s, 1h30m; a bare number is refused, as Go refuses it), in milliseconds. Help shows the
 * default as a duration, never as a number of milliseconds.
 */
export function durationFlag(options: DurationOptions & {default: number}): Interfaces.OptionFlag<number>
export function durationFlag(options?: DurationOptions): Interfaces.OptionFlag<number | undefined>
export function durationFlag(options: DurationOptions & {default?: number} = {}): Interfaces.OptionFlag<number | undefined> {
  const fallback = options.default
  const defaultHelp = options.defaultHelp ?? (fallback === undefined ? undefined : async () => formatShortDurationMs(fallback))
  return durationCustom({...options, ...(defaultHelp === undefined ? {} : {defaultHelp})} as never)
}

/** A point in time: RFC 3339, a date, or "2h" meaning two hours ago. */
export const timeFlag = Flags.custom<number>({
  async parse(input) {
    const t = parseTimeBound(input)
    if (t === undefined) {
      throw new Error(`"${input}" is not a time: use 2026-11-21T10:00:00Z, 2026-11-21, or a relative 30m / 2h / 7d (before now)`)
    }
    return t
  },
})

export const DEFAULT_WATCH_MS = 2_000

/**
 * `--watch [INTERVAL]` (medic status, medic dev status): the interval is optional. oclif flags take a value or none,
 * so a `--watch` (or `-w`) that is not followed by a duration gets the default inserted before parsing. A bare number
 * (`--watch 5`) is an interval without its unit, not a node address: it is left to the flag, which refuses it as Go
 * refuses "5" (did you mean 5s?), like every other duration.
 */
export function withWatchDefault(argv: readonly string[], defaultMs = DEFAULT_WATCH_MS): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    out.push(a)
    if (a === '--') {
      out.push(...argv.slice(i + 1))
      break
    }
    if (a === '--watch' || a === '-w') {
      const next = argv[i + 1]
      if (next === undefined || (!parseGoDuration(next.trim()).ok && !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(next.trim()))) out.push(`${defaultMs}ms`)
    }
  }
  return out
}
