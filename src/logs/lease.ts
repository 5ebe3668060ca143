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

export interface LeaseVerdict {
  verdict: 'expected' | 'warning'
  context: string
}

export class LeaseTracker {
  private lastGrant: number | undefined
  private lastGrantNode: string | number | undefined
  private grantsSeen = 0

  constructor(private readonly leaseDurationMs = DEFAULT_LEASE_DURATION_MS) {}

  granted(time: number | undefined, node: string | number | undefined): void {
    this.grantsSeen++
    if (time === undefined) return
    if (this.lastGrant === undefined || time >= this.lastGrant) {
      this.lastGrant = time
      this.lastGrantNode = node
    }
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
