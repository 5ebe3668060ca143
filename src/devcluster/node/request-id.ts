/**
 * What the meta node's access log (enterprise-1x.md §2.7) needs besides the request itself: request ids that are
 * time-based UUIDs (version 1 layout, node field all zeros, like `b00e4943-7e48-11e6-86a6-000000000000` in the
 * documented samples), Go's duration strings (`380.542µs`, `8.87547ms`, `2.003s`) and the Common Log Format time
 * (`19/Sep/2016:09:08:53 +0000`). Kept apart from api.ts because they are small pure functions with their own tests.
 */
import {randomInt} from 'node:crypto'
import {formatGoDuration} from '../../util/duration.js'

/** 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch. */
const UUID_EPOCH_OFFSET = 122_192_928_000_000_000n

/**
 * A generator of time UUIDs from `now` (ms). Within one millisecond a counter supplies the 100-ns digits, and the
 * clock sequence moves on whenever the clock goes backwards or the counter runs out, so ids never repeat in a process.
 */
export function createTimeUuid(now: () => number = Date.now): () => string {
  let clockSeq = randomInt(0, 0x4000)
  let lastMs = -Infinity
  let counter = 0
  return () => {
    const ms = now()
    if (ms > lastMs) {
      lastMs = ms
      counter = 0
    } else if (ms < lastMs || counter >= 9_999) {
      clockSeq = (clockSeq + 1) & 0x3fff
      lastMs = ms
      counter = 0
    } else {
      counter++
    }
    const t = BigInt(ms) * 10_000n + BigInt(counter) + UUID_EPOCH_OFFSET
    const low = (t & 0xffff_ffffn).toString(16).padStart(8, '0')
    const mid = ((t >> 32n) & 0xffffn).toString(16).padStart(4, '0')
    const high = (((t >> 48n) & 0x0fffn) | 0x1000n).toString(16).padStart(4, '0')
    const seq = ((clockSeq & 0x3fff) | 0x8000).toString(16).padStart(4, '0')
    return `${low}-${mid}-${high}-${seq}-000000000000`
  }
}

/** A duration in nanoseconds written the way Go's time.Duration.String() writes it. */
export const goDuration = formatGoDuration

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

/** Common Log Format time in UTC: 19/Sep/2016:09:08:53 +0000. */
export function clfTime(ms: number): string {
  const d = new Date(ms)
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}
