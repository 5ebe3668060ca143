/**
 * The /query response body, produced from the executor's result stream the way influxd 1.6's HTTP handler writes
 * it. Pure: it returns the text to send; the HTTP layer sets the status (200 once results flow) and Content-Type.
 * - Not chunked: results are buffered; those of one statement are merged (rows of the same series joined, an error
 *   replacing what came before, as influxd does: so a failed statement followed by others reads "not executed").
 * - Chunked: one JSON document per result, each followed by "\n".
 * - epoch=h|m|s|ms|u turns the time column into integers (any other non-empty value: nanoseconds); without it,
 *   times are RFC3339Nano strings. pretty=true indents with four spaces. Accept: application/csv or text/csv gives
 *   influxd's CSV (name,tags,time,...). A value Go cannot encode (±Inf) makes the body Go's error text.
 */
import {rfc3339Nano} from '../../../influxql/index.js'
import {type GoJson, UnsupportedValueError, goFloat, marshal, obj} from './go-json.js'
import {type OutCell, type Result, type Row, TimeCell} from './result.js'

export type ResponseFormat = 'json' | 'csv'

export interface ResponseOptions {
  format: ResponseFormat
  pretty: boolean
  chunked: boolean
  /** The epoch query parameter ("" or absent = RFC3339 strings). */
  epoch?: string
}

/** The Content-Type influxd sends for an Accept header (json unless it asks for CSV). */
export function formatForAccept(accept: string | undefined): ResponseFormat {
  return accept === 'application/csv' || accept === 'text/csv' ? 'csv' : 'json'
}

export function contentType(format: ResponseFormat): string {
  return format === 'csv' ? 'text/csv' : 'application/json'
}

const EPOCH_DIVISORS: Record<string, bigint> = {u: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n}

function cellJson(c: OutCell, epochDivisor: bigint | undefined): GoJson {
  if (c instanceof TimeCell) return epochDivisor === undefined ? rfc3339Nano(c.ns) : c.ns / epochDivisor
  if (typeof c === 'number' && Number.isNaN(c)) return null
  return c
}

function rowJson(r: Row, epochDivisor: bigint | undefined): GoJson {
  const entries: Array<[string, GoJson]> = []
  if (r.name !== undefined && r.name !== '') entries.push(['name', r.name])
  if (r.tags !== undefined) {
    const keys = Object.keys(r.tags).sort()
    if (keys.length > 0) entries.push(['tags', obj(keys.map((k) => [k, r.tags![k]]))])
  }
  if (r.columns.length > 0) entries.push(['columns', r.columns])
  if (r.values.length > 0) entries.push(['values', r.values.map((row) => row.map((c, i) => cellJson(c, i === 0 ? epochDivisor : undefined)))])
  if (r.partial === true) entries.push(['partial', true])
  return obj(entries)
}

function resultJson(r: Result, epochDivisor: bigint | undefined): GoJson {
  const entries: Array<[string, GoJson]> = [['statement_id', BigInt(r.statementId)]]
  if (r.series !== undefined && r.series.length > 0) entries.push(['series', r.series.map((s) => rowJson(s, epochDivisor))])
  if (r.messages !== undefined && r.messages.length > 0) entries.push(['messages', r.messages.map((m) => obj([['level', m.level], ['text', m.text]]))])
  if (r.partial === true) entries.push(['partial', true])
  if (r.error !== undefined) entries.push(['error', r.error])
  return obj(entries)
}

function marshalOrError(v: GoJson, pretty: boolean): string {
  try {
    return marshal(v, pretty)
  } catch (err) {
    if (err instanceof UnsupportedValueError) return err.message
    throw err
  }
}

/** influxd's Response JSON: {"results":[...]} (the key left out when there are none), or {"error":"..."}. */
export function responseJson(results: readonly Result[], epochDivisor: bigint | undefined, pretty: boolean): string {
  const entries: Array<[string, GoJson]> = []
  if (results.length > 0) entries.push(['results', results.map((r) => resultJson(r, epochDivisor))])
  return marshalOrError(obj(entries), pretty) + '\n'
}

/** The body of an error answer (httpError): {"error":"..."} or influxd's CSV form of it. */
export function errorBody(message: string, format: ResponseFormat = 'json', pretty = false): string {
  if (format === 'csv') return csvRecord(['error']) + csvRecord([message])
  return marshalOrError(obj([['error', message]]), pretty) + '\n'
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

function csvField(f: string): string {
  if (f === '') return f
  const needs = f === '\\.' || /[",\r\n]/.test(f) || /^[\s\u0085\u00a0]/u.test(f)
  if (!needs) return f
  return '"' + f.replaceAll('"', '""') + '"'
}

function csvRecord(fields: string[]): string {
  return fields.map(csvField).join(',') + '\n'
}

function csvValue(c: OutCell): string {
  if (c === null) return ''
  if (c instanceof TimeCell) return c.ns.toString()
  if (typeof c === 'number') {
    if (Number.isNaN(c)) return ''
    return csvFloat(c)
  }
  if (typeof c === 'bigint') return c.toString()
  if (typeof c === 'boolean') return c ? 'true' : 'false'
  return c
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): never an exponent. */
function csvFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf'
  const s = goFloat(v)
  if (!s.includes('e')) return s
  const [mant, expText] = v.toExponential().split('e')
  const exp = Number(expText)
  const neg = mant.startsWith('-')
  const digits = mant.replace('-', '').replace('.', '')
  const body = exp >= 0
    ? (digits.length <= exp + 1 ? digits + '0'.repeat(exp + 1 - digits.length) : digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1))
    : '0.' + '0'.repeat(-exp - 1) + digits
  return (neg ? '-' : '') + body
}

const escapeTag = (s: string): string => s.replace(/[, =]/g, (c) => '\\' + c)

function tagsText(tags: Record<string, string> | undefined): string {
  if (tags === undefined) return ''
  return Object.keys(tags).sort().filter((k) => tags[k] !== '').map((k) => `${escapeTag(k)}=${escapeTag(tags[k])}`).join(',')
}

const sameColumns = (a: string[], b: string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i])

/** influxd's CSV formatter; it remembers the statement and columns across chunks. */
class CsvWriter {
  private statementId = -1
  private columns: string[] = []

  write(results: readonly Result[], epochDivisor: bigint | undefined): string {
    let out = ''
    for (const r of results) {
      // A result without series (a statement error among them) writes nothing, as in influxd.
      const series = r.series ?? []
      if (r.statementId !== this.statementId) {
        if (series.length === 0) continue
        if (this.statementId >= 0) out += '\n'
        this.statementId = r.statementId
        this.columns = ['name', 'tags', ...series[0].columns]
        out += csvRecord(this.columns)
      }
      series.forEach((row, i) => {
        if (i > 0 && !sameColumns(series[i - 1].columns, row.columns)) {
          out += '\n'
          this.columns = ['name', 'tags', ...row.columns]
          out += csvRecord(this.columns)
        }
        const fields = [...this.columns]
        fields[0] = row.name ?? ''
        fields[1] = tagsText(row.tags)
        for (const values of row.values) {
          values.forEach((v, k) => {
            const cell = k === 0 && v instanceof TimeCell && epochDivisor !== undefined ? v.ns / epochDivisor : v
            fields[k + 2] = csvValue(cell)
          })
          out += csvRecord(fields)
        }
      })
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The handler's loop

const sameSeries = (a: Row, b: Row): boolean => (a.name ?? '') === (b.name ?? '') && tagsKey(a.tags) === tagsKey(b.tags)
const tagsKey = (t: Record<string, string> | undefined): string => (t === undefined ? '' : Object.keys(t).sort().map((k) => `${k}\u0000${t[k]}`).join('\u0001'))

function cloneResult(r: Result): Result {
  return {...r, series: r.series?.map((s) => ({...s, values: [...s.values]})), messages: r.messages === undefined ? undefined : [...r.messages]}
}

/**
 * Turns the executor's results into body text. Feed results with write(); send what it returns at once (chunked
 * mode writes as results arrive); call end() for the rest.
 */
export class QueryResponseWriter {
  private readonly buffered: Result[] = []
  private readonly csv = new CsvWriter()
  private readonly epochDivisor: bigint | undefined

  constructor(private readonly opts: ResponseOptions) {
    const e = opts.epoch ?? ''
    this.epochDivisor = e === '' ? undefined : EPOCH_DIVISORS[e] ?? 1n
  }

  get contentType(): string {
    return contentType(this.opts.format)
  }

  write(result: Result): string[] {
    if (this.opts.chunked) return [this.render([result])]
    const r = cloneResult(result)
    const last = this.buffered[this.buffered.length - 1]
    if (last === undefined || last.statementId !== r.statementId) {
      this.buffered.push(r)
      return []
    }
    if (r.error !== undefined) {
      this.buffered[this.buffered.length - 1] = r
      return []
    }
    const lastSeries = last.series !== undefined && last.series.length > 0 ? last.series[last.series.length - 1] : undefined
    let merged = 0
    if (lastSeries !== undefined) {
      for (const row of r.series ?? []) {
        if (!sameSeries(lastSeries, row)) break
        lastSeries.values.push(...row.values)
        merged++
      }
    }
    const rest = (r.series ?? []).slice(merged)
    if (rest.length > 0 || last.series !== undefined) last.series = [...(last.series ?? []), ...rest]
    if (r.messages !== undefined) last.messages = [...(last.messages ?? []), ...r.messages]
    last.partial = r.partial
    return []
  }

  end(): string[] {
    if (this.opts.chunked) return []
    return [this.render(this.buffered)]
  }

  private render(results: readonly Result[]): string {
    if (this.opts.format === 'csv') return this.csv.write(results, this.epochDivisor)
    return responseJson(results, this.epochDivisor, this.opts.pretty)
  }
}

/** Convenience for tests and small answers: the whole body for a complete result list. */
export function renderResponse(results: readonly Result[], opts: ResponseOptions): string {
  const w = new QueryResponseWriter(opts)
  const parts: string[] = []
  for (const r of results) parts.push(...w.write(r))
  parts.push(...w.end())
  return parts.join('')
}
