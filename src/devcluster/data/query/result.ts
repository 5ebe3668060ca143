/**
 * Statement results as influxd produces them before its HTTP handler writes them: a stream of results, each for a
 * statement id, holding rows ("series"). Several results may carry the same statement (influxd emits rows in chunks
 * and repeats a failed statement's id for "not executed"); response.ts merges or chunks them the way the handler does.
 */

/** A time value in a row: printed as RFC3339Nano, or as a number when the client asks for an epoch. */
export class TimeCell {
  constructor(readonly ns: bigint) {}
}

/** float (number; NaN prints null), int64/uint64 (bigint), string, boolean, null, or a time. */
export type OutCell = number | bigint | string | boolean | null | TimeCell

export interface Row {
  name?: string
  tags?: Record<string, string>
  columns: string[]
  values: OutCell[][]
  partial?: boolean
}

export interface Message {
  level: string
  text: string
}

export interface Result {
  statementId: number
  series?: Row[]
  messages?: Message[]
  partial?: boolean
  error?: string
}

/** influxd's default chunk size: rows per series per emitted result, also when the client does not ask for chunks. */
export const DEFAULT_CHUNK_SIZE = 10000
