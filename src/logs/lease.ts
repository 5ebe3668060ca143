/**
 * Context for the continuous-query lease across lines, online, in the order lines arrive.
 *
 * How the lease works (enterprise-1x.md §8, corrected): the meta leader answers 409 only while another data node holds
 * a live lease, and the holder renews with a 200 every `run-interval`; an expired lease goes to the next asker with a
 * 200. So a 409 by itself says that some node holds the lease, and a long run of 409s with no 200 means the holder's
 * lines are missing from the input (another meta node's log, `cluster-tracing` off on 1.3+, a filtered grep), not that
 * continuous queries stopped. Only when the input has shown grants, and they stop appearing while denials go on for
 * longer than `lease-duration`, is there something to look at.
 */
export const DEFAULT_LEASE_DURATION_MS = 60_000

/**
 * Log time stamps of the 1.0-1.4 access log have whole seconds: two grants measured `lease-duration` apart or one
 * second less may really be more than `lease-duration` apart. A pause between grants counts as a lapse when it is
 * longer than the lease duration less this.
 */
export const STAMP_RESOLUTION_MS = 1_000

/** A pause in the lease's grants long enough for the lease to have expired with nobody renewing it. */
export function lapsed(pauseMs: number, leaseDurationMs: number): boolean {
  return pauseMs > Math.max(0, leaseDurationMs - STAMP_RESOLUTION_MS)
}

export interface LeaseVerdict {
  verdict: 'expected' | 'warning'
  context: string
}

export class LeaseTracker {
  private lastGrant: number | undefined
  private lastGrantNode: string | number | undefined
  private grantsSeen = 0

  constructor(private readonly leaseDurationMs = DEFAULT_LEASE_DURATION_MS) {}

  /**
   * A grant (200). Undefined when it is a renewal or the first grant seen; a warning when the grants had stopped for
   * longer than the lease duration before it: the lease expired in between with nobody renewing it, so for that time
   * no data node ran continuous queries.
   */
  granted(time: number | undefined, node: string | number | undefined): LeaseVerdict | undefined {
    this.grantsSeen++
    if (time === undefined) return undefined
    let verdict: LeaseVerdict | undefined
    if (this.lastGrant !== undefined && time >= this.lastGrant && lapsed(time - this.lastGrant, this.leaseDurationMs)) {
      const before = this.lastGrantNode === undefined ? 'the last holder' : `data node ${this.lastGrantNode}`
      const now = node === undefined ? 'a data node' : `data node ${node}`
      const moved = node !== undefined && this.lastGrantNode !== undefined && String(node) !== String(this.lastGrantNode)
      verdict = {
        verdict: 'warning',
        context: `the lease had lapsed: ${before} last renewed it ${fmtSeconds(time - this.lastGrant)} earlier, longer than the lease duration (${fmtSeconds(this.leaseDurationMs)}), so for that time no data node held it and continuous queries ran nowhere; ${moved ? `${now} has taken it over` : `${now} holds it again`}. A holder stops renewing when it cannot reach the meta leader (network, partition), is down, or its CQ service stopped: look at ${before}'s log for that time`,
      }
    }
    if (this.lastGrant === undefined || time >= this.lastGrant) {
      this.lastGrant = time
      this.lastGrantNode = node
    }
    return verdict
  }

  denied(time: number | undefined): LeaseVerdict {
    const dur = this.leaseDurationMs
    if (this.grantsSeen === 0) {
      return {
        verdict: 'expected',
        context: 'another data node holds a live lease (that is when the meta leader answers 409); its renewals (200) are not in this input: they are in the meta leader\'s access log, written on 1.3+ only with cluster-tracing = true',
      }
    }
    if (time === undefined) {
      return {verdict: 'expected', context: 'no timestamp on this line, so it cannot be checked against the holder\'s renewals'}
    }
    if (this.lastGrant === undefined || time - this.lastGrant <= dur) {
      const who = this.lastGrantNode === undefined ? 'another data node' : `data node ${this.lastGrantNode}`
      const ago = this.lastGrant === undefined ? '' : ` (renewed ${fmtSeconds(Math.max(0, time - this.lastGrant))} earlier)`
      return {verdict: 'expected', context: `${who} holds the lease${ago}`}
    }
    return {
      verdict: 'warning',
      context: `the lease holder's renewals (200) were in this input until ${fmtSeconds(time - this.lastGrant)} ago, longer than the lease duration (${fmtSeconds(dur)}), while denials go on: a 409 says some node still holds a live lease, so its renewals now go unlogged here (the meta leader changed, cluster-tracing was turned off, the log is filtered) or the lease moves between nodes; check on which data node the continuous queries run`,
    }
  }
}

export function fmtSeconds(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.round(s / 60)}m`
  return `${(s / 3600).toFixed(1)}h`
}

/** A stretch with no lease holder in a log: from the last grant before it to the first grant after it (or the input's end). */
export interface LeaseLapse {
  /** The node whose grants stopped ('?' when the lines do not say). */
  holder: string
  /** Its last grant (ms). */
  lastGrant: number
  /** The next grant (ms), to `next`; undefined when none came before the input ended. */
  nextGrant?: number
  next?: string
  /** When the input ends (ms), for a lapse that lasts until then. */
  inputEnd?: number
}

/**
 * The lapses of the lease in a log, from each node's grants (intervals of grants no further apart than the lease
 * duration): every pause in the grants longer than the lease duration, and a last grant followed by more than the lease
 * duration of input without a grant or a denial. Overlapping grants of two nodes (a meta leader change resets the lease table) are
 * not lapses.
 */
export function findLapses(byNode: Record<string, ReadonlyArray<readonly [number, number]>>, leaseDurationMs: number, inputEnd?: number, lastDenial?: number): LeaseLapse[] {
  const all = Object.entries(byNode).flatMap(([node, ivs]) => ivs.map(([a, b]) => ({node, a, b}))).sort((x, y) => x.a - y.a || x.b - y.b)
  const out: LeaseLapse[] = []
  let cur: {node: string; a: number; b: number} | undefined
  for (const iv of all) {
    if (cur !== undefined && lapsed(iv.a - cur.b, leaseDurationMs)) out.push({holder: cur.node, lastGrant: cur.b, nextGrant: iv.a, next: iv.node})
    if (cur === undefined || iv.b >= cur.b) cur = iv
  }
  // A denial after the last grant's lease ran out says some node holds a live lease whose renewals are not in this
  // input (the denial gaps say so): not a lapse.
  const deniedLater = lastDenial !== undefined && cur !== undefined && lastDenial > cur.b + leaseDurationMs
  if (cur !== undefined && !deniedLater && inputEnd !== undefined && inputEnd - cur.b > leaseDurationMs) out.push({holder: cur.node, lastGrant: cur.b, inputEnd})
  return out
}
