/**
 * Reads a data node's `GET /debug/vars` body entry by entry, in order, keeping repeated keys.
 *
 * Why not JSON.parse alone: the document is keyed by statistic name plus its `path`/`bind`/`database` tag, so
 * statistics with only a `node` or `db` tag (`hh_node`, `hh_database`) repeat the bare key once per destination node
 * in one document, and JSON.parse keeps only the last; medic would then judge max-size for one node and miss the rest.
 *
 * How: one linear pass splits the top-level object into key and value spans (skipping strings, counting nesting with a
 * depth limit, so a body of 100,000 nested arrays is refused without recursion), then JSON.parse reads each key and
 * each value span, so JSON.parse still decides what is valid JSON. Every character is looked at twice at most.
 * Written by hand because what is needed is this splitter only: jsonc-parser's `visit` would report the same events
 * but recurses per nesting level and reads a laxer dialect (comments, trailing commas); the values are plain JSON.
 * Never throws: a body that is not one JSON object is a reason.
 */
import {DEFAULT_MAX_DEPTH} from '../util/json.js'

export interface JsonEntry {
  key: string
  value: unknown
}

export type EntriesResult =
  | {ok: true; entries: JsonEntry[]; duplicates: Array<{key: string; count: number}>}
  | {ok: false; reason: string}

export interface EntriesLimits {
  /** Deepest nesting accepted, the top-level object included (default 64, as src/util/json.ts). */
  maxDepth?: number
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])

/** The top-level object's entries in document order, and the keys that occur more than once (in first-seen order). */
export function readJsonEntries(text: string, limits: EntriesLimits = {}): EntriesResult {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH
  const n = text.length
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const fail = (what: string): EntriesResult => ({ok: false, reason: `not a JSON object: ${what} at offset ${i}`})
  const skipWs = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++
  }
  /** From an opening quote at i to just after its closing quote; -1 when the string does not end. */
  const skipString = (from: number): number => {
    let j = from + 1
    while (j < n) {
      const c = text.charCodeAt(j)
      if (c === 0x5c) j += 2
      else if (c === 0x22) return j + 1
      else j++
    }
    return -1
  }

  skipWs()
  if (i >= n) return fail('empty body')
  if (text.charCodeAt(i) !== 0x7b) return fail(`expected "{", found ${describe(text, i)}`)
  i++
  const entries: JsonEntry[] = []
  const counts = new Map<string, number>()
  skipWs()
  if (text.charCodeAt(i) === 0x7d) {
    i++
    skipWs()
    return i === n ? {ok: true, entries, duplicates: []} : fail('text after the object')
  }
  for (;;) {
    skipWs()
    if (text.charCodeAt(i) !== 0x22) return fail(`expected a key, found ${describe(text, i)}`)
    const keyEnd = skipString(i)
    if (keyEnd < 0) return fail('a key that does not end')
    let key: string
    try {
      key = JSON.parse(text.slice(i, keyEnd)) as string
    } catch {
      return fail('a key that is not a valid JSON string')
    }
    i = keyEnd
    skipWs()
    if (text.charCodeAt(i) !== 0x3a) return fail(`expected ":" after the key, found ${describe(text, i)}`)
    i++
    skipWs()
    const start = i
    if (i >= n) return fail('a missing value')
    const c0 = text.charCodeAt(i)
    if (c0 === 0x22) {
      const end = skipString(i)
      if (end < 0) return fail('a string that does not end')
      i = end
    } else if (c0 === 0x7b || c0 === 0x5b) {
      // A nested value: count brackets (strings skipped) until it closes; JSON.parse checks the rest.
      let depth = 0
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c === 0x22) {
          const end = skipString(i)
          if (end < 0) return fail('a string that does not end')
          i = end
          continue
        }
        if (c === 0x7b || c === 0x5b) {
          depth++
          // The top-level object is one level already.
          if (depth + 1 > maxDepth) return {ok: false, reason: `it nests deeper than ${maxDepth} levels (at offset ${i})`}
        } else if (c === 0x7d || c === 0x5d) {
          depth--
          if (depth === 0) {
            i++
            break
          }
        }
        i++
      }
      if (depth !== 0) return fail('a value that does not end')
    } else {
      // A number, true, false or null: up to the next separator.
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c === 0x2c || c === 0x7d || c === 0x5d || WS.has(c)) break
        i++
      }
    }
    let value: unknown
    try {
      value = JSON.parse(text.slice(start, i))
    } catch (err) {
      return {ok: false, reason: `not valid JSON in the value of ${JSON.stringify(key.slice(0, 80))} (${(err as Error).message.slice(0, 120)})`}
    }
    entries.push({key, value})
    counts.set(key, (counts.get(key) ?? 0) + 1)
    skipWs()
    const c = text.charCodeAt(i)
    if (c === 0x2c) {
      i++
      continue
    }
    if (c === 0x7d) {
      i++
      break
    }
    return fail(`expected "," or "}", found ${describe(text, i)}`)
  }
  skipWs()
  if (i !== n) return fail('text after the object')
  const duplicates = [...counts].filter(([, count]) => count > 1).map(([key, count]) => ({key, count}))
  return {ok: true, entries, duplicates}
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'the end of the body'
  return JSON.stringify(text.slice(i, i + 12))
}
