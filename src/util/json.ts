/**
 * JSON from outside (node answers, log lines), parsed with bounds: a depth limit checked by one linear scan before
 * JSON.parse runs, so that a body of 100,000 nested arrays is refused with a reason instead of exhausting the stack
 * later (JSON.stringify, zod and the formatters all recurse), and a size limit named in the refusal.
 */

export type JsonResult = {ok: true; value: unknown} | {ok: false; reason: string}

export interface JsonLimits {
  /** Deepest nesting of arrays and objects accepted (default 64: real InfluxDB answers nest 5 levels at most). */
  maxDepth?: number
  /** Longest text accepted, in characters (default: no limit; the HTTP client limits bytes already). */
  maxLength?: number
}

export const DEFAULT_MAX_DEPTH = 64

/**
 * The nesting depth of a JSON text, found in one pass that skips strings; stops early (returning a value above
 * `limit`) as soon as `limit` is passed. Not a validator: JSON.parse still decides validity.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
      continue
    }
    if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      depth++
      if (depth > max) {
        max = depth
        if (max > limit) return max
      }
    } else if (c === 93 || c === 125) depth--
  }
  return max
}

/** JSON.parse with a depth and a size limit; never throws. */
export function parseJsonBounded(text: string, limits: JsonLimits = {}): JsonResult {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH
  if (limits.maxLength !== undefined && text.length > limits.maxLength) {
    return {ok: false, reason: `it is ${text.length} characters long (limit ${limits.maxLength})`}
  }
  if (jsonDepth(text, maxDepth) > maxDepth) return {ok: false, reason: `it nests deeper than ${maxDepth} levels`}
  try {
    return {ok: true, value: JSON.parse(text) as unknown}
  } catch (err) {
    return {ok: false, reason: `it is not valid JSON (${(err as Error).message.slice(0, 120)})`}
  }
}
