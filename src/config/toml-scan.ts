/**
 * A forgiving, single-pass scan of TOML text into statements (table headers, key/value pairs, other lines), with the
 * offset of every key segment and the raw span of every value. It is not a parser: smol-toml decides whether a file
 * is valid and what its values are; this scan gives the positions of keys and values, and does the two jobs smol-toml
 * cannot do (it is hand-written because no library does them):
 *
 *   - repeated keys and tables: a parser stops at the first one, and renaming them one parse at a time took
 *     minutes on a file with thousands of repeats. The scan finds every repeat in one pass, so they are all renamed
 *     in one go (`findRepeats`).
 *   - secrets in files that do not parse: a secret on a broken line must still be known, so that no excerpt or
 *     message repeats it (`secretCandidates`).
 *
 * It reads any text (binary, truncated, hostile) in time linear in its length, never throws and never recurses.
 */

export interface KeySegment {
  name: string
  /** Offset of the segment's first character (after the opening quote of a quoted key). */
  start: number
}

export interface Statement {
  kind: 'table' | 'array-table' | 'pair' | 'other'
  /** Offset of the statement's first character and the end of its last line (exclusive, before the newline). */
  start: number
  end: number
  /** Key segments: `a."b c".d` gives three. Empty for `other`, and for a key the scan could not read. */
  keys: KeySegment[]
  /** The raw value of a pair (from its first character to its end, comments excluded). */
  valueStart?: number
  valueEnd?: number
  /** False when the scan gave up inside the statement (no `=`, a string or list that never closes ...). */
  complete: boolean
}

const NL = 10
const CR = 13
const SPACE = 32
const TAB = 9
const HASH = 35
const QUOTE = 34
const APOS = 39
const BACKSLASH = 92
const LBRACKET = 91
const RBRACKET = 93
const LBRACE = 123
const RBRACE = 125
const DOT = 46
const EQUALS = 61

function isBare(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c > 127
}

/** Splits TOML text into statements. Linear in the text; never throws. */
export function scanToml(text: string): Statement[] {
  const n = text.length
  const out: Statement[] = []
  let i = 0

  const skipBlank = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === SPACE || c === TAB) i++
      else break
    }
  }
  const lineEnd = (from: number): number => {
    const j = text.indexOf('\n', from)
    return j < 0 ? n : j
  }
  const trimEnd = (end: number): number => {
    let e = end
    while (e > 0 && (text.charCodeAt(e - 1) === CR || text.charCodeAt(e - 1) === SPACE || text.charCodeAt(e - 1) === TAB)) e--
    return e
  }

  /** Reads a (dotted) key at i; leaves i after it. Undefined when there is no readable key. */
  const readKey = (): KeySegment[] | undefined => {
    const keys: KeySegment[] = []
    for (;;) {
      skipBlank()
      if (i >= n) return undefined
      const c = text.charCodeAt(i)
      if (c === QUOTE || c === APOS) {
        const start = i + 1
        let j = start
        while (j < n) {
          const d = text.charCodeAt(j)
          if (d === c || d === NL) break
          j += c === QUOTE && d === BACKSLASH ? 2 : 1
        }
        if (j >= n || text.charCodeAt(j) !== c) return undefined
        const raw = text.slice(start, j)
        keys.push({name: c === QUOTE ? unescapeBasic(raw) : raw, start})
        i = j + 1
      } else if (isBare(c)) {
        const start = i
        while (i < n && isBare(text.charCodeAt(i))) i++
        keys.push({name: text.slice(start, i), start})
      } else {
        return undefined
      }
      skipBlank()
      if (i < n && text.charCodeAt(i) === DOT) {
        i++
        continue
      }
      return keys
    }
  }

  /** Skips a value starting at i (strings, lists and inline tables may span lines); returns false if it never ends. */
  const skipValue = (): boolean => {
    let depth = 0
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === QUOTE || c === APOS) {
        const triple = text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c
        if (triple) {
          const close = c === QUOTE ? '"""' : "'''"
          let j = i + 3
          for (;;) {
            const k = text.indexOf(close, j)
            if (k < 0) {
              i = n
              return false
            }
            // A backslash escapes the first quote of a basic string's closing run: count the backslashes before it.
            let bs = 0
            while (c === QUOTE && k - 1 - bs >= i + 3 && text.charCodeAt(k - 1 - bs) === BACKSLASH) bs++
            if (bs % 2 === 1) {
              j = k + 1
              continue
            }
            i = k + 3
            while (i < n && text.charCodeAt(i) === c && i < k + 5) i++
            break
          }
        } else {
          let j = i + 1
          while (j < n) {
            const d = text.charCodeAt(j)
            if (d === c || d === NL) break
            j += c === QUOTE && d === BACKSLASH ? 2 : 1
          }
          if (j >= n || text.charCodeAt(j) !== c) {
            i = Math.min(j, n)
            if (depth === 0) return false
            continue
          }
          i = j + 1
        }
      } else if (c === LBRACKET || c === LBRACE) {
        depth++
        i++
      } else if (c === RBRACKET || c === RBRACE) {
        if (depth > 0) depth--
        i++
      } else if (c === HASH) {
        if (depth === 0) return true
        i = lineEnd(i)
      } else if (c === NL) {
        if (depth === 0) return true
        i++
      } else {
        i++
      }
      if (depth === 0 && (c === RBRACKET || c === RBRACE)) return true
    }
    return depth === 0
  }

  while (i < n) {
    // Blank lines, comments, leading white space.
    const c0 = text.charCodeAt(i)
    if (c0 === SPACE || c0 === TAB || c0 === CR || c0 === NL) {
      i++
      continue
    }
    if (c0 === HASH) {
      i = lineEnd(i)
      continue
    }
    const start = i
    if (c0 === LBRACKET) {
      const array = text.charCodeAt(i + 1) === LBRACKET
      i += array ? 2 : 1
      const keys = readKey()
      let complete = false
      if (keys !== undefined) {
        skipBlank()
        if (text.charCodeAt(i) === RBRACKET && (!array || text.charCodeAt(i + 1) === RBRACKET)) complete = true
      }
      const end = lineEnd(i)
      out.push({kind: array ? 'array-table' : 'table', start, end: trimEnd(end), keys: keys ?? [], complete})
      i = end
      continue
    }
    const keys = readKey()
    skipBlank()
    if (keys === undefined || text.charCodeAt(i) !== EQUALS) {
      const end = lineEnd(start)
      out.push({kind: keys === undefined ? 'other' : 'pair', start, end: trimEnd(end), keys: keys ?? [], complete: false})
      i = Math.max(end, i)
      continue
    }
    i++
    skipBlank()
    const valueStart = i
    const ended = skipValue()
    let valueEnd = trimEnd(i)
    if (valueEnd < valueStart) valueEnd = valueStart
    const end = lineEnd(i)
    out.push({kind: 'pair', start, end: trimEnd(end), keys, valueStart, valueEnd, complete: ended})
    i = end
  }
  return out
}

/** TOML basic-string escapes in a key; the raw text when it is not valid. */
function unescapeBasic(raw: string): string {
  if (!raw.includes('\\')) return raw
  try {
    return JSON.parse(`"${raw.replace(/\\U([0-9a-fA-F]{8})/g, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16) & 0x10ffff)).replace(/\\e/g, '\\u001b')}"`) as string
  } catch {
    return raw
  }
}

export interface Repeat {
  /** Offset of the key segment to rename (the last one of the repeated key or table). */
  at: number
  kind: 'table' | 'pair'
}

/**
 * Every key and table header that repeats an earlier definition, as TOML counts them: a pair whose full path (table
 * + dotted key) was set before, a `[table]` header seen before. Arrays of tables (`[[graphite]]`) open a new element
 * each time. Cases the scan cannot judge (a key reused as a table, inline tables) are left to the parsers.
 */
export function findRepeats(statements: Statement[]): Repeat[] {
  const out: Repeat[] = []
  const arrays = new Map<string, number>()
  const tables = new Set<string>()
  const pairs = new Set<string>()
  let current: string[] = []
  const id = (parts: string[]) => parts.join('\u0000')
  for (const s of statements) {
    if (s.keys.length === 0 || !s.complete && s.kind !== 'pair') {
      if (s.kind === 'table' || s.kind === 'array-table') current = ['\u0001unknown']
      continue
    }
    if (s.kind === 'table' || s.kind === 'array-table') {
      const path: string[] = []
      s.keys.forEach((k, idx) => {
        path.push(`s${k.name}`)
        if (idx < s.keys.length - 1) {
          const at = arrays.get(id(path))
          if (at !== undefined) path.push(`#${at}`)
        }
      })
      const key = id(path)
      if (s.kind === 'array-table') {
        const next = (arrays.get(key) ?? -1) + 1
        arrays.set(key, next)
        path.push(`#${next}`)
      } else if (tables.has(key)) {
        out.push({at: s.keys[s.keys.length - 1].start, kind: 'table'})
      } else {
        tables.add(key)
      }
      current = path
      continue
    }
    if (s.kind !== 'pair' || s.valueStart === undefined) continue
    const key = id([...current, ...s.keys.map((k) => `s${k.name}`)])
    if (pairs.has(key)) out.push({at: s.keys[s.keys.length - 1].start, kind: 'pair'})
    else pairs.add(key)
  }
  return out
}
