/**
 * Go (RE2) regular expressions, as influxd compiles the `/.../` literals of InfluxQL, translated to JavaScript.
 * Hand-written: no npm package translates RE2 syntax into an equivalent JS RegExp with Go's error texts.
 *
 * What differs between the two and is handled here:
 * - syntax: Go allows `\-`, `\:` (any ASCII punctuation), `\Q...\E`, `\z`, `\A`, octal `\12`, `\x{...}`, POSIX classes
 *   `[[:alpha:]]`, a `]` first in a class, lone `{`, `(?P<name>...)`, and flag groups `(?i)`, `(?s:...)`, `(?U)` anywhere;
 * - meaning: `.` excludes only `\n`; `\s`, `\d`, `\w` are ASCII; `$` without (?m) is the end of text; quantifiers may
 *   follow `^` or `\b`;
 * - errors: influxd reports Go's messages, e.g. "error parsing regexp: missing closing ): `(a`".
 * The JS pattern uses the `u` flag and never the `i`, `m` or `s` flags: every Go flag is spelled out in the pattern.
 */

export interface GoRegex {
  /** The text between the slashes, as written (influxd prints it back unchanged). */
  readonly source: string
  readonly re: RegExp
}

export class RegexSyntaxError extends Error {}

const fail = (code: string, expr: string): never => {
  throw new RegexSyntaxError(`error parsing regexp: ${code}: \`${expr}\``)
}

const MAX_RUNE = 0x10ffff
const MAX_REPEAT = 1000
const MAX_DEPTH = 1000

type Range = [number, number]

const PERL: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
}

const POSIX: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
}

function normalise(ranges: Range[]): Range[] {
  const sorted = ranges.map((r): Range => [r[0], r[1]]).sort((a, b) => a[0] - b[0])
  const out: Range[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1])
    else out.push(r)
  }
  return out
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = []
  let next = 0
  for (const [lo, hi] of normalise(ranges)) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE])
  return out
}

/** The other cases of a code point (Go folds along case orbits: k K U+212A, s S U+017F, ...). */
function caseVariants(c: number): number[] {
  const ch = String.fromCodePoint(c)
  const set = new Set<number>([c])
  for (const v of [ch.toLowerCase(), ch.toUpperCase(), ch.toUpperCase().toLowerCase(), ch.toLowerCase().toUpperCase()]) {
    if ([...v].length === 1) set.add(v.codePointAt(0)!)
  }
  if (set.has(0x6b)) set.add(0x212a).add(0x4b)
  if (set.has(0x73)) set.add(0x17f).add(0x53)
  if (set.has(0x212a)) set.add(0x6b).add(0x4b)
  if (set.has(0x17f)) set.add(0x73).add(0x53)
  return [...set]
}

function foldRanges(ranges: Range[]): Range[] {
  const out: Range[] = [...ranges]
  for (const [lo, hi] of ranges) {
    if (hi - lo > 4096) {
      // Large ranges: fold the ASCII letters inside them only.
      const a = Math.max(lo, 0x41)
      const b = Math.min(hi, 0x7a)
      for (let c = a; c <= b; c++) for (const v of caseVariants(c)) out.push([v, v])
      continue
    }
    for (let c = lo; c <= hi; c++) for (const v of caseVariants(c)) if (v !== c) out.push([v, v])
  }
  return normalise(out)
}

const hex = (c: number): string => '\\u{' + c.toString(16) + '}'
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isOctal = (c: number): boolean => c >= 0x30 && c <= 0x37
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)

function literal(c: number): string {
  return (isAlnum(c) || c === 0x5f || c === 0x20) ? String.fromCodePoint(c) : hex(c)
}

function classText(ranges: Range[], extra: string[] = [], negated = false): string {
  const body = ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : hex(lo) + '-' + hex(hi))).join('') + extra.join('')
  if (body === '') return negated ? '[\\u{0}-\\u{10ffff}]' : '[^\\u{0}-\\u{10ffff}]'
  return (negated ? '[^' : '[') + body + ']'
}

interface Flags {
  fold: boolean
  multiLine: boolean
  dotNL: boolean
  nonGreedy: boolean
}

interface Piece {
  text: string
  /** How many copies of its innermost atom a repetition of this piece stands for (Go refuses more than 1000). */
  weight: number
}

interface Frame {
  /** The alternatives finished so far, and the pieces of the current one. */
  alts: Piece[][]
  pieces: Piece[]
  /** Whether the last piece can take a quantifier, and the text of the quantifier after it (for nested-repeat errors). */
  lastRepeatable: boolean
  lastRepeat: string
  savedFlags: Flags
}

/** A Unicode class by Go name (`L`, `Lu`, `Greek`) as a JS `\p{...}`; undefined when JS does not know it. */
function unicodeClass(name: string, negated: boolean): string | undefined {
  const p = negated ? 'P' : 'p'
  let text: string
  if (/^[A-Z][a-z]?$/.test(name)) text = `\\${p}{${name}}`
  else text = `\\${p}{Script=${name}}`
  try {
    new RegExp(text, 'u')
  } catch {
    return undefined
  }
  return text
}

class Translator {
  private i = 0
  private readonly cps: number[]
  private flags: Flags = {fold: false, multiLine: false, dotNL: false, nonGreedy: false}
  private readonly stack: Frame[] = []

  constructor(private readonly src: string) {
    this.cps = Array.from(src, (c) => c.codePointAt(0)!)
  }

  /** The source text from code point index a to b. */
  private text(a: number, b = this.cps.length): string {
    return String.fromCodePoint(...this.cps.slice(a, b))
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1]
  }

  private push(text: string, repeatable: boolean, weight = 1): void {
    this.top.pieces.push({text, weight})
    this.top.lastRepeatable = repeatable
    this.top.lastRepeat = ''
  }

  translate(): string {
    this.stack.push({alts: [], pieces: [], lastRepeatable: false, lastRepeat: '', savedFlags: this.flags})
    const cps = this.cps
    while (this.i < cps.length) {
      const start = this.i
      const c = cps[this.i]
      switch (c) {
        case 0x28: // (
          this.openGroup()
          break
        case 0x29: // )
          if (this.stack.length === 1) fail('unexpected )', this.src)
          this.i++
          this.closeGroup()
          break
        case 0x7c: // |
          this.i++
          this.top.alts.push(this.top.pieces)
          this.top.pieces = []
          this.top.lastRepeatable = false
          this.top.lastRepeat = ''
          break
        case 0x5e: // ^
          this.i++
          this.push(this.flags.multiLine ? '(?:^|(?<=\\n))' : '(?:^)', true)
          break
        case 0x24: // $
          this.i++
          this.push(this.flags.multiLine ? '(?:$|(?=\\n))' : '(?:$)', true)
          break
        case 0x2e: // .
          this.i++
          this.push(this.flags.dotNL ? '[\\u{0}-\\u{10ffff}]' : '[^\\n]', true)
          break
        case 0x5b: // [
          this.push(this.parseClass(), true)
          break
        case 0x2a: case 0x2b: case 0x3f: { // * + ?
          this.i++
          this.repeat(start, c === 0x2a ? '*' : c === 0x2b ? '+' : '?', 0, 0)
          break
        }
        case 0x7b: { // {
          const rep = this.parseRepeatBraces()
          if (rep === undefined) {
            this.i++
            this.pushLiteral(c)
            break
          }
          const [min, max, end] = rep
          this.i = end
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) fail('invalid repeat count', this.text(start, end))
          this.repeat(start, max === -1 ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`, min, max)
          break
        }
        case 0x5c: // backslash
          this.parseEscapeAtom()
          break
        default:
          this.i++
          this.pushLiteral(c)
      }
    }
    if (this.stack.length > 1) fail('missing closing )', this.src)
    return frameText(this.top)
  }

  private pushLiteral(c: number): void {
    if (this.flags.fold) {
      const vs = caseVariants(c)
      if (vs.length > 1) {
        this.push(classText(normalise(vs.map((v): Range => [v, v]))), true)
        return
      }
    }
    this.push(literal(c), true)
  }

  private repeat(start: number, quant: string, min: number, max: number): void {
    let nonGreedy = this.flags.nonGreedy
    if (this.cps[this.i] === 0x3f) {
      this.i++
      nonGreedy = !nonGreedy
    }
    const f = this.top
    if (f.lastRepeat !== '') fail('invalid nested repetition operator', f.lastRepeat + this.text(start, this.i))
    if (!f.lastRepeatable || f.pieces.length === 0) fail('missing argument to repetition operator', this.text(start, this.i))
    const sub = f.pieces.pop()!
    // Go refuses repetitions that nest past 1000 copies ((a{500}){3}).
    const weight = sub.weight * Math.max(min, max, 1)
    if ((min >= 2 || max >= 2) && weight > MAX_REPEAT) fail('invalid repeat count', this.text(start, this.i))
    f.pieces.push({text: `(?:${sub.text})${quant}${nonGreedy ? '?' : ''}`, weight})
    f.lastRepeatable = false
    f.lastRepeat = this.text(start, this.i)
  }

  /** `{n}`, `{n,}` or `{n,m}` at the cursor: [min, max (-1 = none), end index]; undefined when it is a literal `{`. */
  private parseRepeatBraces(): [number, number, number] | undefined {
    const cps = this.cps
    let j = this.i + 1
    const num = (): number | undefined => {
      const a = j
      while (j < cps.length && isDigit(cps[j])) j++
      if (j === a) return undefined
      if (j - a >= 2 && cps[a] === 0x30) return undefined
      const n = Number(String.fromCodePoint(...cps.slice(a, j)))
      return n > 1e8 ? -1 : n
    }
    const min = num()
    if (min === undefined) return undefined
    let max = min
    if (cps[j] === 0x2c) {
      j++
      if (cps[j] === 0x7d) {
        max = -1
      } else {
        const m = num()
        if (m === undefined) return undefined
        max = m
      }
    }
    if (cps[j] !== 0x7d) return undefined
    return [min, max, j + 1]
  }

  private openGroup(): void {
    const cps = this.cps
    const start = this.i
    if (cps[this.i + 1] === 0x3f) { // (?
      if (cps[this.i + 2] === 0x50 && cps[this.i + 3] === 0x3c) { // (?P<name>
        let j = this.i + 4
        while (j < cps.length && cps[j] !== 0x3e) j++
        if (j >= cps.length) fail('invalid named capture', this.text(start))
        const name = this.text(this.i + 4, j)
        if (name === '' || !/^\w+$/.test(name)) fail('invalid named capture', this.text(start, j + 1))
        this.i = j + 1
        this.beginFrame()
        return
      }
      let j = this.i + 2
      const flags = {...this.flags}
      let sign = 1
      let sawFlag = false
      while (j < cps.length) {
        const c = cps[j++]
        const set = (name: keyof Flags, on: boolean): void => {
          flags[name] = sign > 0 ? on : !on
          sawFlag = true
        }
        if (c === 0x69) set('fold', true)
        else if (c === 0x6d) set('multiLine', true)
        else if (c === 0x73) set('dotNL', true)
        else if (c === 0x55) set('nonGreedy', true)
        else if (c === 0x2d && sign > 0) {
          sign = -1
          sawFlag = false
        } else if ((c === 0x3a || c === 0x29) && !(sign < 0 && !sawFlag)) {
          this.i = j
          if (c === 0x3a) {
            this.beginFrame()
            this.flags = flags
          } else {
            this.flags = flags
          }
          return
        } else {
          fail('invalid or unsupported Perl syntax', this.text(start, j))
        }
      }
      fail('invalid or unsupported Perl syntax', this.text(start, j))
    }
    this.i++
    this.beginFrame()
  }

  private beginFrame(): void {
    if (this.stack.length > MAX_DEPTH) fail('expression nests too deeply', this.src)
    this.stack.push({alts: [], pieces: [], lastRepeatable: false, lastRepeat: '', savedFlags: this.flags})
  }

  private closeGroup(): void {
    const f = this.stack.pop()!
    this.flags = f.savedFlags
    const weight = [...f.alts, f.pieces].flat().reduce((m, p) => Math.max(m, p.weight), 1)
    this.push(`(?:${frameText(f)})`, true, weight)
  }

  private parseEscapeAtom(): void {
    const cps = this.cps
    const start = this.i
    const c = cps[this.i + 1]
    if (c === undefined) fail('trailing backslash at end of expression', '')
    switch (c) {
      case 0x41: this.i += 2; this.push('(?<![\\u{0}-\\u{10ffff}])', true); return // \A
      case 0x7a: this.i += 2; this.push('(?![\\u{0}-\\u{10ffff}])', true); return // \z
      case 0x62: this.i += 2; this.push('(?:\\b)', true); return // \b
      case 0x42: this.i += 2; this.push('(?:\\B)', true); return // \B
      case 0x51: { // \Q...\E
        let j = this.i + 2
        const lit: number[] = []
        while (j < cps.length) {
          if (cps[j] === 0x5c && cps[j + 1] === 0x45) {
            j += 2
            break
          }
          if (cps[j] === 0x5c && cps[j + 1] === 0x5c) j++
          lit.push(cps[j])
          j++
        }
        this.i = j
        for (const ch of lit) this.pushLiteral(ch)
        return
      }
      case 0x43: fail('invalid escape sequence', '\\C')
    }
    const cls = this.perlOrUnicodeClass()
    if (cls !== undefined) {
      this.push(cls.text ?? classText(cls.ranges), true)
      return
    }
    const r = this.parseEscapeRune(start)
    this.pushLiteral(r)
  }

  /** `\d \D \s \S \w \W \pL \p{Greek} \PL \p{^Greek}` at the cursor; advances past it when found. */
  private perlOrUnicodeClass(): {ranges: Range[]; text?: string} | undefined {
    const cps = this.cps
    const c = cps[this.i + 1]
    // A backslash ending the text: classChar reports Go's "trailing backslash".
    if (c === undefined) return undefined
    const name = String.fromCodePoint(c).toLowerCase()
    if (c !== undefined && PERL[name] !== undefined && 'dDsSwW'.includes(String.fromCodePoint(c))) {
      this.i += 2
      let ranges = PERL[name]
      if (this.flags.fold && name === 'w') ranges = foldRanges(ranges)
      return {ranges: c >= 0x61 ? ranges : complement(ranges)}
    }
    if (c === 0x70 || c === 0x50) { // \p \P
      const start = this.i
      let negated = c === 0x50
      let j = this.i + 2
      let uname: string
      if (cps[j] === 0x7b) {
        const close = cps.indexOf(0x7d, j)
        if (close < 0) fail('invalid character class range', this.text(start))
        uname = this.text(j + 1, close)
        j = close + 1
      } else {
        if (j >= cps.length) fail('invalid character class range', this.text(start))
        uname = String.fromCodePoint(cps[j])
        j++
      }
      if (uname.startsWith('^')) {
        negated = !negated
        uname = uname.slice(1)
      }
      this.i = j
      if (uname === 'Any') return {ranges: negated ? [] : [[0, MAX_RUNE]]}
      const text = unicodeClass(uname, negated)
      if (text === undefined) fail('invalid character class range', this.text(start, j))
      return {ranges: [], text}
    }
    return undefined
  }

  /** A single-rune escape (`\n`, `\x41`, `\x{263a}`, `\012`, `\.`); the cursor is on the backslash. */
  private parseEscapeRune(start: number): number {
    const cps = this.cps
    this.i++
    const c = cps[this.i++]
    const bad = (): never => fail('invalid escape sequence', this.text(start, this.i))
    if (c < 0x80 && !isAlnum(c)) return c
    // A single non-zero digit would be a backreference, which RE2 does not have.
    if (c >= 0x31 && c <= 0x37 && (this.i >= cps.length || !isOctal(cps[this.i]))) bad()
    switch (c) {
      case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37: {
        let r = c - 0x30
        for (let k = 1; k < 3; k++) {
          if (this.i >= cps.length || !isOctal(cps[this.i])) break
          r = r * 8 + cps[this.i++] - 0x30
        }
        return r
      }
      case 0x78: { // \x
        if (this.i >= cps.length) bad()
        if (cps[this.i] === 0x7b) {
          this.i++
          let n = 0
          let digits = 0
          while (this.i < cps.length && isHex(cps[this.i])) {
            n = n * 16 + parseInt(String.fromCodePoint(cps[this.i++]), 16)
            digits++
            if (n > MAX_RUNE) bad()
          }
          if (this.i >= cps.length || cps[this.i] !== 0x7d || digits === 0) {
            if (this.i < cps.length) this.i++
            bad()
          }
          this.i++
          return n
        }
        const x = cps[this.i++]
        const y = cps[this.i++]
        if (x === undefined || y === undefined || !isHex(x) || !isHex(y)) bad()
        return parseInt(String.fromCodePoint(x, y), 16)
      }
      case 0x61: return 0x07
      case 0x66: return 0x0c
      case 0x6e: return 0x0a
      case 0x72: return 0x0d
      case 0x74: return 0x09
      case 0x76: return 0x0b
    }
    return bad()
  }

  private parseClass(): string {
    const cps = this.cps
    const start = this.i
    this.i++
    let negated = false
    if (cps[this.i] === 0x5e) {
      negated = true
      this.i++
    }
    let ranges: Range[] = []
    const extra: string[] = []
    let first = true
    for (;;) {
      if (this.i >= cps.length) fail('missing closing ]', this.text(start))
      const c = cps[this.i]
      if (c === 0x5d && !first) break
      first = false
      // POSIX class [:alpha:] or [:^alpha:]
      if (c === 0x5b && cps[this.i + 1] === 0x3a) {
        const close = this.findPosixEnd(this.i + 2)
        if (close >= 0) {
          let name = this.text(this.i + 2, close)
          let neg = false
          if (name.startsWith('^')) {
            neg = true
            name = name.slice(1)
          }
          const set = POSIX[name]
          if (set === undefined) fail('invalid character class range', this.text(this.i, close + 2))
          ranges.push(...(neg ? complement(set) : set))
          this.i = close + 2
          continue
        }
      }
      if (c === 0x5c) {
        const cls = this.perlOrUnicodeClass()
        if (cls !== undefined) {
          if (cls.text !== undefined) extra.push(cls.text)
          ranges.push(...cls.ranges)
          continue
        }
      }
      const rangeStart = this.i
      const lo = this.classChar()
      let hi = lo
      if (cps[this.i] === 0x2d && this.i + 1 < cps.length && cps[this.i + 1] !== 0x5d) {
        this.i++
        hi = this.classChar()
        if (hi < lo) fail('invalid character class range', this.text(rangeStart, this.i))
      }
      ranges.push([lo, hi])
    }
    this.i++
    ranges = normalise(ranges)
    if (this.flags.fold) ranges = foldRanges(ranges)
    return classText(ranges, extra, negated)
  }

  private findPosixEnd(from: number): number {
    for (let j = from; j + 1 < this.cps.length; j++) {
      if (this.cps[j] === 0x3a && this.cps[j + 1] === 0x5d) return j
      if (this.cps[j] === 0x5d) return -1
    }
    return -1
  }

  private classChar(): number {
    const c = this.cps[this.i]
    if (c === 0x5c) {
      if (this.i + 1 >= this.cps.length) fail('trailing backslash at end of expression', '')
      return this.parseEscapeRune(this.i)
    }
    this.i++
    return c
  }
}

function frameText(f: Frame): string {
  return [...f.alts, f.pieces].map((alt) => alt.map((p) => p.text).join('')).join('|')
}

/** The JavaScript pattern (for the `u` flag) equivalent to a Go regular expression; RegexSyntaxError as Go refuses. */
export function translateGoRegex(source: string): string {
  return new Translator(source).translate()
}

/**
 * Compiles a Go regular expression. Throws RegexSyntaxError with Go's message when Go would refuse it.
 */
export function compileGoRegex(source: string): GoRegex {
  const pattern = translateGoRegex(source)
  let re: RegExp
  try {
    re = new RegExp(pattern, 'u')
  } catch {
    // A construct we translated wrongly; refuse it the way Go refuses unsupported syntax rather than crash.
    throw new RegexSyntaxError(`error parsing regexp: invalid or unsupported Perl syntax: \`${source}\``)
  }
  return {source, re}
}

/** Go's MatchString: true when the pattern matches anywhere in s. */
export function regexMatch(r: GoRegex, s: string): boolean {
  return r.re.test(s)
}
