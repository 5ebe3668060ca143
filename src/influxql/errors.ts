/** Parse errors in influxd's words: "found X, expected Y at line L, char C" or "<message> at line L, char C". */
import type {Pos} from './scanner.js'

export class ParseError extends Error {
  constructor(
    message: string,
    readonly pos?: Pos,
    readonly found?: string,
    readonly expected?: readonly string[],
  ) {
    super(message)
  }

  static expected(found: string, expected: readonly string[], pos: Pos): ParseError {
    return new ParseError(`found ${found}, expected ${expected.join(', ')} at line ${pos.line + 1}, char ${pos.char + 1}`, pos, found, expected)
  }

  static at(message: string, pos: Pos): ParseError {
    return new ParseError(`${message} at line ${pos.line + 1}, char ${pos.char + 1}`, pos)
  }

  /** An error influxd raises without a position (a plain Go error inside the parser). */
  static plain(message: string): ParseError {
    return new ParseError(message)
  }
}
