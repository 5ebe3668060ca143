/**
 * Context for the continuous-query lease across lines: a 409 denial is expected while some data node was granted the
 * lease within `lease-duration`, and a warning once only denials have been seen for longer than that (then no node
 * holds the lease and no continuous query runs). Works online, line by line, in the order lines arrive.
 */
export const DEFAULT_LEASE_DURATION_MS = 60_000

export interface LeaseVerdict {
  verdict: 'expected' | 'warning'
  context: string
}

export class LeaseTracker {
  private lastGrant: number | undefined
  private lastGrantNode: string | number | undefined
  private deniedSince: number | undefined

  constructor(private readonly leaseDurationMs = DEFAULT_LEASE_DURATION_MS) {}

  granted(time: number | undefined, node: string | number | undefined): void {
    if (time === undefined) return
    if (this.lastGrant === undefined || time >= this.lastGrant) {
      this.lastGrant = time
      this.lastGrantNode = node
    }
    this.deniedSince = undefined
  }

  denied(time: number | undefined): LeaseVerdict {
    const dur = this.leaseDurationMs
    if (time === undefined) {
      return {verdict: 'expected', context: 'no timestamp on this line, so it cannot be checked against the lease holder\'s renewals'}
    }
    if (this.lastGrant !== undefined && time - this.lastGrant <= dur) {
      const who = this.lastGrantNode === undefined ? 'another data node' : `data node ${this.lastGrantNode}`
      return {verdict: 'expected', context: `${who} holds the lease (renewed ${fmtSeconds(time - this.lastGrant)} earlier)`}
    }
    this.deniedSince ??= time
    const span = time - this.deniedSince
    if (span > dur) {
      return {
        verdict: 'warning',
        context: `only denials for ${fmtSeconds(span)}, longer than the lease duration (${fmtSeconds(dur)}): no data node holds the CQ lease; continuous queries are not running`,
      }
    }
    return {verdict: 'expected', context: `no grant seen yet; denials for ${fmtSeconds(span)} so far (a warning after ${fmtSeconds(dur)})`}
  }
}

export function fmtSeconds(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s}s`
  if (s < 7200) return `${Math.round(s / 60)}m`
  return `${(s / 3600).toFixed(1)}h`
}
