/**
 * influxd's texts for lines it cannot parse, and what its /write handler answers for a body in which some or all lines
 * fail (InfluxDB 1.6.7 models/points.go ParsePointsWithPrecision, services/httpd/handler.go serveWrite,
 * tsdb.PartialWriteError; verified against the binary in test/lineprotocol/conformance.test.ts).
 *
 *  - One line: `unable to parse '<line>': <reason>`, the line as received with leading whitespace removed (a trailing
 *    `\r` stays).
 *  - Several lines: those texts joined with `\n`, in order.
 *  - No line parsed: 400 with the joined text. Some lines parsed: the valid points are written; if that write succeeds
 *    the answer is 400 `partial write: <joined text> dropped=0` (the unparsable lines are not counted as dropped); if
 *    the write itself fails, its error is the answer and the parse errors are not mentioned.
 */

/** One line influxd would refuse. */
export class LineError {
  constructor(
    /** The line, leading whitespace removed, as influxd quotes it. */
    readonly line: string,
    /** influxd's reason: `missing fields`, `bad timestamp`, `invalid number`, ... */
    readonly reason: string,
  ) {}

  get message(): string {
    return `unable to parse '${this.line}': ${this.reason}`
  }
}

/** The text influxd puts together for the lines of one body that failed to parse. */
export function parseErrorText(errors: ReadonlyArray<LineError>): string {
  let out = ''
  for (let i = 0; i < errors.length; i++) out += (i > 0 ? '\n' : '') + errors[i].message
  return out
}

/** tsdb.PartialWriteError's text: `partial write: <reason> dropped=<n>`. */
export function partialWriteText(reason: string, dropped: number): string {
  return `partial write: ${reason} dropped=${dropped}`
}

/** An HTTP answer of /write: the status, and the error text (the body's `error`) when there is one. */
export interface WriteAnswer {
  status: number
  error?: string
}

/**
 * What /write answers once the body is parsed, from the parse result and the outcome of writing the points that did
 * parse (`writeError` undefined: written; otherwise the error text and its status, e.g. 400 for a partial write or a
 * field type conflict, 500 for an engine failure). Checks before parsing (database, auth, body size) are the HTTP
 * layer's.
 */
export function writeAnswer(parsed: {points: number; errors: ReadonlyArray<LineError>}, writeError?: WriteAnswer): WriteAnswer {
  if (parsed.errors.length > 0 && parsed.points === 0) return {status: 400, error: parseErrorText(parsed.errors)}
  if (writeError) return writeError
  if (parsed.errors.length > 0) return {status: 400, error: partialWriteText(parseErrorText(parsed.errors), 0)}
  return {status: 204}
}
