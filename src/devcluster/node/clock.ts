/**
 * A node process's wall clock, made skewable for `medic dev fault clock NODE --skew 30s`: installSkewableClock()
 * replaces the global Date with one whose current time (Date.now(), new Date(), Date()) is the real time plus an
 * offset the fault table sets. Everything in the process that reads the wall clock then reads the skewed one: the
 * log's time stamps, lease expiry on a meta leader, hinted-handoff max-age, JWT times, CQ windows. Timers and
 * performance.now() are monotonic and unaffected, as a skewed wall clock leaves a real server's monotonic clock alone
 * (Go measures elapsed time on the monotonic clock too).
 *
 * Installed first thing in a node's main (before anything keeps a reference to Date.now); never in the CLI.
 */

const RealDate = Date
let offsetMs = 0
let installed = false

/** The real wall clock, whatever the skew. */
export function realNow(): number {
  return RealDate.now()
}

export function clockSkewMs(): number {
  return offsetMs
}

/** Sets the skew (ms, may be negative). Has effect once installSkewableClock() ran. */
export function setClockSkew(ms: number): void {
  offsetMs = Number.isFinite(ms) ? ms : 0
}

/** Replaces the global Date with the skewable one (once per process). */
export function installSkewableClock(): void {
  if (installed) return
  installed = true
  function SkewedDate(this: unknown, ...args: unknown[]): unknown {
    // Called without new, Date() returns the current time as a string.
    if (new.target === undefined) return new RealDate(RealDate.now() + offsetMs).toString()
    return Reflect.construct(RealDate, args.length === 0 ? [RealDate.now() + offsetMs] : args, new.target)
  }
  Object.setPrototypeOf(SkewedDate, RealDate) // Date.UTC, Date.parse
  SkewedDate.prototype = RealDate.prototype // instanceof Date holds for both
  Object.defineProperty(SkewedDate, 'now', {value: () => RealDate.now() + offsetMs, writable: true, configurable: true})
  globalThis.Date = SkewedDate as unknown as DateConstructor
}
