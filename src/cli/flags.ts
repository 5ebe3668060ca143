/** Flag types shared by several commands. */
import {Flags} from '@oclif/core'

import {parseGoDuration, parseTimeBound} from '../logs/time.js'

/** A duration such as 500ms, 30s, 1m, 1h30m or InfluxDB's own 1m0s; a bare number is seconds. */
export const durationFlag = Flags.custom<number>({
  async parse(input) {
    const s = input.trim()
    const ms = /^\d+(?:\.\d+)?$/.test(s) ? Number(s) * 1000 : parseGoDuration(s)
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
      throw new Error(`"${input}" is not a duration: use forms like 30s, 1m, 1h30m or 1m0s`)
    }
    return ms
  },
})

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
