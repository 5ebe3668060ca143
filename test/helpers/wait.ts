// Waiting on a condition (never a fixed sleep): polls until it holds, fails naming what was awaited.

/** Polls `cond` every `everyMs` until it returns a truthy value; fails naming `what` after `ms`. */
export async function until<T>(what: string, cond: () => T | undefined | false | null | Promise<T | undefined | false | null>, ms = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await cond()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
