/**
 * Request ids as InfluxDB nodes send them (the `Request-Id` header and the access log's request-id field): time-based
 * UUIDs in the version 1 layout with the node field all zeros, like `b00e4943-7e48-11e6-86a6-000000000000` in the
 * documented samples. Shared by every node's HTTP server.
 */
import {randomInt} from 'node:crypto'

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
