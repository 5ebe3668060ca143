/**
 * The InfluxQL lexer. Hand-written (no npm InfluxQL parser exists), following the structure of influxd's scanner
 * closely on purpose: positions in influxd's parse errors ("at line 1, char 14") come out of its small rune and token
 * ring buffers, including their quirks, and clients see those numbers. The quirks kept:
 * - a position counts code points, from 0; a CR or CRLF reads as one newline;
 * - the first time end of input is read it advances the column by one, later reads do not; a peek that hits the end
 *   does not put it back (so an error right after such a peek points one column further);
 * - a NUL code point reads as end of input (influxd uses rune 0 as its EOF marker).
 */
import {T, type Tok, lookup} from './tokens.js'

export const EOF_CH = 0

export interface Pos {
  line: number
  char: number
}

interface RuneSlot {
  ch: number
  line: number
  char: number
}

/** Reads code points with positions; up to three can be unread. */
export class RuneReader {
  private i = 0
  private line = 0
  private char = 0
  private eof = false
  private ring: RuneSlot[] = [{ch: 0, line: 0, char: 0}, {ch: 0, line: 0, char: 0}, {ch: 0, line: 0, char: 0}]
  private ri = 0
  private n = 0

  constructor(private readonly src: string) {}

  read(): number {
    if (this.n > 0) {
      this.n--
      return this.curr()
    }
    let ch: number
    if (this.i >= this.src.length) {
      ch = EOF_CH
    } else {
      ch = this.src.codePointAt(this.i)!
      this.i += ch > 0xffff ? 2 : 1
      if (ch === 0x0d) {
        if (this.i < this.src.length && this.src.charCodeAt(this.i) === 0x0a) this.i++
        ch = 0x0a
      }
    }
    this.ri = (this.ri + 1) % 3
    const slot = this.ring[this.ri]
    slot.ch = ch
    slot.line = this.line
    slot.char = this.char
    if (ch === 0x0a) {
      this.line++
      this.char = 0
    } else if (!this.eof) {
      this.char++
    }
    if (ch === EOF_CH) this.eof = true
    return ch
  }

  unread(): void {
    this.n++
  }

  /** The last code point read (after unreads: the one the next read returns). */
  curr(): number {
    return this.ring[(this.ri - this.n + 3) % 3].ch
  }

  currPos(): Pos {
    const s = this.ring[(this.ri - this.n + 3) % 3]
    return {line: s.line, char: s.char}
  }

  /** Code-point reader view used by the delimited-text scanners (io.RuneScanner semantics: EOF reads as 0). */
  readRune(): number {
    return this.read()
  }
}

export interface Token {
  tok: Tok
  pos: Pos
  lit: string
}

const isWhitespace = (ch: number): boolean => ch === 0x20 || ch === 0x09 || ch === 0x0a
const isLetter = (ch: number): boolean => (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x41 && ch <= 0x5a)
const isDigit = (ch: number): boolean => ch >= 0x30 && ch <= 0x39
export const isIdentChar = (ch: number): boolean => isLetter(ch) || isDigit(ch) || ch === 0x5f
export const isIdentFirstChar = (ch: number): boolean => isLetter(ch) || ch === 0x5f
export {isWhitespace, isDigit}
const MICRO = 0xb5

export class ScanError extends Error {}

/** Result of scanning delimited text: 'bad-string' and 'bad-escape' mirror influxd's two sentinel errors. */
type DelimResult = {ok: true; text: string} | {ok: false; kind: 'bad-string' | 'bad-escape' | 'newline' | 'eof'; text: string}

export class Scanner {
  readonly r: RuneReader

  constructor(src: string) {
    this.r = new RuneReader(src)
  }

  scan(): Token {
    const ch0 = this.r.read()
    const pos = this.r.currPos()
    if (isWhitespace(ch0)) return this.scanWhitespace(pos)
    if (isLetter(ch0) || ch0 === 0x5f) {
      this.r.unread()
      return this.scanIdent(true)
    }
    if (isDigit(ch0)) return this.scanNumber()

    switch (ch0) {
      case EOF_CH: return {tok: T.EOF, pos, lit: ''}
      case 0x22: // "
        this.r.unread()
        return this.scanIdent(true)
      case 0x27: // '
        return this.scanString()
      case 0x2e: { // .
        const ch1 = this.r.read()
        this.r.unread()
        if (isDigit(ch1)) return this.scanNumber()
        return {tok: T.DOT, pos, lit: ''}
      }
      case 0x24: { // $
        const t = this.scanIdent(false)
        if (t.tok !== T.IDENT) return {tok: t.tok, pos, lit: '$' + t.lit}
        return {tok: T.BOUNDPARAM, pos, lit: '$' + t.lit}
      }
      case 0x2b: return {tok: T.ADD, pos, lit: ''}
      case 0x2d: { // -
        const ch1 = this.r.read()
        if (ch1 === 0x2d) {
          this.skipUntilNewline()
          return {tok: T.COMMENT, pos, lit: ''}
        }
        this.r.unread()
        return {tok: T.SUB, pos, lit: ''}
      }
      case 0x2a: return {tok: T.MUL, pos, lit: ''}
      case 0x2f: { // /
        const ch1 = this.r.read()
        if (ch1 === 0x2a) {
          if (!this.skipUntilEndComment()) return {tok: T.ILLEGAL, pos, lit: ''}
          return {tok: T.COMMENT, pos, lit: ''}
        }
        this.r.unread()
        return {tok: T.DIV, pos, lit: ''}
      }
      case 0x25: return {tok: T.MOD, pos, lit: ''}
      case 0x26: return {tok: T.BITWISE_AND, pos, lit: ''}
      case 0x7c: return {tok: T.BITWISE_OR, pos, lit: ''}
      case 0x5e: return {tok: T.BITWISE_XOR, pos, lit: ''}
      case 0x3d: // =
        if (this.r.read() === 0x7e) return {tok: T.EQREGEX, pos, lit: ''}
        this.r.unread()
        return {tok: T.EQ, pos, lit: ''}
      case 0x21: { // !
        const ch1 = this.r.read()
        if (ch1 === 0x3d) return {tok: T.NEQ, pos, lit: ''}
        if (ch1 === 0x7e) return {tok: T.NEQREGEX, pos, lit: ''}
        this.r.unread()
        break
      }
      case 0x3e: // >
        if (this.r.read() === 0x3d) return {tok: T.GTE, pos, lit: ''}
        this.r.unread()
        return {tok: T.GT, pos, lit: ''}
      case 0x3c: { // <
        const ch1 = this.r.read()
        if (ch1 === 0x3d) return {tok: T.LTE, pos, lit: ''}
        if (ch1 === 0x3e) return {tok: T.NEQ, pos, lit: ''}
        this.r.unread()
        return {tok: T.LT, pos, lit: ''}
      }
      case 0x28: return {tok: T.LPAREN, pos, lit: ''}
      case 0x29: return {tok: T.RPAREN, pos, lit: ''}
      case 0x2c: return {tok: T.COMMA, pos, lit: ''}
      case 0x3b: return {tok: T.SEMICOLON, pos, lit: ''}
      case 0x3a: // :
        if (this.r.read() === 0x3a) return {tok: T.DOUBLECOLON, pos, lit: ''}
        this.r.unread()
        return {tok: T.COLON, pos, lit: ''}
    }
    return {tok: T.ILLEGAL, pos, lit: String.fromCodePoint(ch0)}
  }

  private scanWhitespace(pos: Pos): Token {
    let text = String.fromCodePoint(this.r.curr())
    for (;;) {
      const ch = this.r.read()
      if (ch === EOF_CH) break
      if (!isWhitespace(ch)) {
        this.r.unread()
        break
      }
      text += String.fromCodePoint(ch)
    }
    return {tok: T.WS, pos, lit: text}
  }

  private skipUntilNewline(): void {
    for (;;) {
      const ch = this.r.read()
      if (ch === 0x0a || ch === EOF_CH) return
    }
  }

  /** Skips a block comment; false when the input ends first. */
  private skipUntilEndComment(): boolean {
    for (;;) {
      const ch1 = this.r.read()
      if (ch1 === 0x2a) {
        for (;;) {
          const ch2 = this.r.read()
          if (ch2 === 0x2f) return true
          if (ch2 === 0x2a) continue
          if (ch2 === EOF_CH) return false
          break
        }
      } else if (ch1 === EOF_CH) {
        return false
      }
    }
  }

  private scanIdent(withLookup: boolean): Token {
    this.r.read()
    const pos = this.r.currPos()
    this.r.unread()
    let text = ''
    for (;;) {
      const ch = this.r.read()
      if (ch === EOF_CH) break
      if (ch === 0x22) {
        const s = this.scanString()
        if (s.tok === T.BADSTRING || s.tok === T.BADESCAPE) return s
        return {tok: T.IDENT, pos, lit: s.lit}
      }
      if (isIdentChar(ch)) {
        this.r.unread()
        text += this.scanBareIdent()
      } else {
        this.r.unread()
        break
      }
    }
    if (withLookup) {
      const tok = lookup(text)
      if (tok !== T.IDENT) return {tok, pos, lit: ''}
    }
    return {tok: T.IDENT, pos, lit: text}
  }

  private scanBareIdent(): string {
    let out = ''
    for (;;) {
      const ch = this.r.readRune()
      if (ch === EOF_CH) break
      if (!isIdentChar(ch)) {
        this.r.unread()
        break
      }
      out += String.fromCharCode(ch)
    }
    return out
  }

  /** A quoted string or identifier; the opening quote is the current code point. */
  private scanString(): Token {
    this.r.unread()
    const pos = this.r.currPos()
    const res = scanQuoted(this.r)
    if (res.ok) return {tok: T.STRING, pos, lit: res.text}
    if (res.kind === 'bad-escape') return {tok: T.BADESCAPE, pos: this.r.currPos(), lit: res.text}
    return {tok: T.BADSTRING, pos, lit: res.text}
  }

  /** Scans `/.../` starting at the slash (the caller has peeked it). */
  scanRegex(): Token {
    const pos = this.r.currPos()
    const res = scanDelimited(this.r)
    if (!res.ok) {
      if (res.kind === 'bad-escape') return {tok: T.BADESCAPE, pos: this.r.currPos(), lit: ''}
      return {tok: T.BADREGEX, pos, lit: ''}
    }
    return {tok: T.REGEX, pos, lit: res.text}
  }

  private scanNumber(): Token {
    let text = ''
    const ch = this.r.curr()
    const pos = this.r.currPos()
    if (ch === 0x2e) {
      const ch1 = this.r.read()
      this.r.unread()
      if (!isDigit(ch1)) return {tok: T.ILLEGAL, pos, lit: '.'}
      this.r.unread()
    } else {
      this.r.unread()
    }
    text += this.scanDigits()
    let isDecimal = false
    const ch0 = this.r.read()
    if (ch0 === 0x2e) {
      isDecimal = true
      const ch1 = this.r.read()
      if (isDigit(ch1)) {
        text += '.' + String.fromCharCode(ch1) + this.scanDigits()
      } else {
        this.r.unread()
      }
    } else {
      this.r.unread()
    }
    if (isDecimal) return {tok: T.NUMBER, pos, lit: text}

    const c = this.r.read()
    if (isLetter(c) || c === MICRO) {
      text += String.fromCodePoint(c)
      for (;;) {
        const c1 = this.r.read()
        if (!isLetter(c1) && c1 !== MICRO) {
          this.r.unread()
          break
        }
        text += String.fromCodePoint(c1)
      }
      for (;;) {
        const c2 = this.r.read()
        if (isLetter(c2) || c2 === MICRO || isDigit(c2)) {
          text += String.fromCodePoint(c2)
        } else {
          this.r.unread()
          break
        }
      }
      return {tok: T.DURATIONVAL, pos, lit: text}
    }
    this.r.unread()
    return {tok: T.INTEGER, pos, lit: text}
  }

  private scanDigits(): string {
    let out = ''
    for (;;) {
      const ch = this.r.read()
      if (!isDigit(ch)) {
        this.r.unread()
        break
      }
      out += String.fromCharCode(ch)
    }
    return out
  }
}

/**
 * A quoted string: `'...'` or `"..."`, ending at the same quote. Escapes \n \\ \" \' only; anything else is a bad
 * escape whose text is the backslash and the next character. A newline or the end of input makes a bad string.
 */
function scanQuoted(r: RuneReader): DelimResult {
  const ending = r.readRune()
  if (ending === EOF_CH) return {ok: false, kind: 'bad-string', text: ''}
  const parts: string[] = []
  for (;;) {
    const ch0 = r.readRune()
    if (ch0 === ending) return {ok: true, text: parts.join('')}
    if (ch0 === EOF_CH || ch0 === 0x0a) return {ok: false, kind: 'bad-string', text: parts.join('')}
    if (ch0 === 0x5c) {
      const ch1 = r.readRune()
      if (ch1 === 0x6e) parts.push('\n')
      else if (ch1 === 0x5c) parts.push('\\')
      else if (ch1 === 0x22) parts.push('"')
      else if (ch1 === 0x27) parts.push("'")
      else return {ok: false, kind: 'bad-escape', text: '\\' + (ch1 === EOF_CH ? '\u0000' : String.fromCodePoint(ch1))}
    } else {
      parts.push(String.fromCodePoint(ch0))
    }
  }
}

/**
 * The body of a regex literal between slashes. `\/` becomes `/`; every other backslash passes through with the
 * character after it (which is then read normally, so `\\/` ends the literal). A newline inside is an error.
 */
function scanDelimited(r: RuneReader): DelimResult {
  const start = r.readRune()
  if (start !== 0x2f) return {ok: false, kind: 'eof', text: ''}
  const parts: string[] = []
  for (;;) {
    const ch0 = r.readRune()
    if (ch0 === 0x2f) return {ok: true, text: parts.join('')}
    if (ch0 === EOF_CH) return {ok: false, kind: 'eof', text: parts.join('')}
    if (ch0 === 0x0a) return {ok: false, kind: 'newline', text: ''}
    if (ch0 === 0x5c) {
      const ch1 = r.readRune()
      if (ch1 === EOF_CH) return {ok: false, kind: 'eof', text: ''}
      if (ch1 === 0x2f) {
        parts.push('/')
      } else {
        r.unread()
        parts.push('\\')
      }
    } else {
      parts.push(String.fromCodePoint(ch0))
    }
  }
}
