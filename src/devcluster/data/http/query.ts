/**
 * GET and POST /query, as influxd 1.6's serveQuery (services/httpd/handler.go): parameters are form values (a POST
 * body's urlencoded or multipart fields first, then the URL's; `q` may also be a multipart file), then
 *
 *   q missing or blank           400 `missing required parameter "q"`
 *   params not JSON              400 `error parsing query parameters: ...`
 *   q does not parse             400 `error parsing query: ...`
 *   statements not allowed       403 `error authorizing query: ...` (auth.ts)
 *   async=true                   204, the statements run in the background (failures logged)
 *   otherwise                    200 at once, then the results: buffered and merged per statement, or one JSON
 *                                document per result with chunked=true (chunk_size rows, default 10000); statement
 *                                errors are inside the body (the executor and response.ts do influxd's shapes)
 *
 * `epoch`, `pretty` (URL only), `Accept: application/csv|text/csv`, gzip when accepted. `[http] max-row-limit` cuts
 * unchunked answers after that many rows, marking the cut series partial, as influxd does. GET statements that change
 * something carry influxd's deprecation warning (the executor's readOnly option). With auth on, a non-admin user's
 * SHOW DATABASES lists only the databases they may read, as influxd's executor filters it.
 */
import {Privilege, sanitizeQuery, type Statement, statementString} from '../../../influxql/index.js'
import {DEFAULT_CHUNK_SIZE, parseQueryRequest, QueryResponseWriter, type Result} from '../query/index.js'
import {authorizeQuery, mayUseDatabase} from './auth.js'
import {readQueryForm} from './body.js'
import type {DataHttpDeps, HttpUser} from './deps.js'
import {type Call, loggedUri, sendError, sendStatus, Stream} from './exchange.js'

/** Go's strings.TrimSpace for the epoch parameter. */
const trimSpace = (s: string): string => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')

export async function serveQuery(call: Call, deps: DataHttpDeps, user: HttpUser | undefined): Promise<void> {
  const {stats} = call
  stats.queryReq++
  const started = process.hrtime.bigint()
  try {
    await query(call, deps, user)
  } finally {
    stats.queryReqDurationNs += Number(process.hrtime.bigint() - started)
  }
}

/** Truncation by `[http] max-row-limit` across the results of one unchunked answer (influxd's loop, step by step). */
class RowLimit {
  private rows = 0
  constructor(private readonly limit: number) {}

  /** Cuts `r` in place; true once the limit is reached (no further results are read). */
  apply(r: Result): boolean {
    if (this.limit <= 0) return false
    const series = r.series ?? []
    for (let i = 0; i < series.length; i++) {
      const s = series[i]
      const n = this.limit - this.rows
      if (n < s.values.length) {
        series[i] = {...s, values: s.values.slice(0, Math.max(0, n)), partial: true}
      }
      this.rows += series[i].values.length
      if (this.rows >= this.limit) {
        r.series = series.slice(0, i + 1)
        break
      }
    }
    if (this.rows >= this.limit) {
      r.partial = false
      return true
    }
    return false
  }
}

function copyResult(r: Result): Result {
  return {...r, series: r.series?.map((s) => ({...s, values: [...s.values]}))}
}

/** SHOW DATABASES as a non-admin user sees it: only databases they may read. */
function filterDatabases(r: Result, user: HttpUser): Result {
  if (r.series === undefined) return r
  return {...r, series: r.series.map((s) => ({...s, values: s.values.filter((v) => typeof v[0] === 'string' && mayUseDatabase(user, Privilege.Read, v[0]))}))}
}

async function query(call: Call, deps: DataHttpDeps, user: HttpUser | undefined): Promise<void> {
  const form = await readQueryForm(call.req, call.url)
  if (form === undefined) return
  if (form.tooLarge) {
    call.res.setHeader('Connection', 'close')
    call.res.once('finish', () => call.req.socket?.destroySoon())
  }
  let q = form.get('q')
  if (trimSpace(q) === '') q = form.file('q') ?? ''
  if (trimSpace(q) === '') return sendError(call, 400, 'missing required parameter "q"')
  const epoch = trimSpace(form.get('epoch'))
  const db = form.get('db')
  // The access log shows the URL with query passwords redacted from here on, as influxd's sanitize() does.
  call.logUri = loggedUri(call.req, call.url, (k, v) => (k === 'q' ? sanitizeQuery(v) : v))

  const parsed = parseQueryRequest(q, form.get('params'))
  if (!parsed.ok) return sendError(call, 400, parsed.error)
  const statements: Statement[] = parsed.statements

  if (deps.config.authEnabled) {
    const denied = authorizeQuery(user, deps.userCount(), statements, db)
    if (denied !== undefined) {
      deps.log.child('httpd').info('Unauthorized request', {user: user?.name ?? '', query: statements.map(statementString).join('; ').slice(0, 2048), db})
      return sendError(call, 403, `error authorizing query: ${denied}`)
    }
  }
  const filterFor = deps.config.authEnabled && user !== undefined && !user.admin ? user : undefined
  const showDatabases = new Set(statements.flatMap((s, i) => (s.type === 'showDatabases' ? [i] : [])))

  const chunked = form.get('chunked') === 'true'
  let chunkSize = DEFAULT_CHUNK_SIZE
  if (chunked) {
    const n = /^[+-]?\d{1,18}$/.test(form.get('chunk_size')) ? Number(form.get('chunk_size')) : 0
    if (n > 0) chunkSize = n
  }
  const results = deps.executor.execute(statements, {database: db, retentionPolicy: form.get('rp'), chunkSize, readOnly: call.req.method === 'GET'})

  if (form.get('async') === 'true') {
    sendStatus(call, 204)
    void drainAsync(results, deps)
    return
  }

  const writer = new QueryResponseWriter({format: call.format, pretty: call.pretty, chunked, epoch})
  const stream = new Stream(call, 200)
  const limit = new RowLimit(chunked ? 0 : deps.config.maxRowLimit)
  let lastId = 0
  try {
    for await (const raw of results) {
      if (stream.gone) break
      lastId = raw.statementId
      let r = filterFor !== undefined && showDatabases.has(raw.statementId) ? filterDatabases(raw, filterFor) : raw
      let stop = false
      if (!chunked && deps.config.maxRowLimit > 0) {
        r = copyResult(r)
        stop = limit.apply(r)
      }
      for (const text of writer.write(r)) await stream.write(text, chunked)
      if (stop) break
    }
  } catch (err) {
    // Not a statement's error (those are results): something broke while running. The 200 is out already, so the
    // failure becomes the statement's error in the body, as influxd reports a failed iterator.
    const message = err instanceof Error ? err.message : String(err)
    deps.log.child('httpd').warn('Query failed while streaming results', {error: message})
    for (const text of writer.write({statementId: lastId, error: message})) await stream.write(text, chunked)
  } finally {
    await results.return(undefined)
  }
  for (const text of writer.end()) await stream.write(text, false)
  call.stats.queryRespBytes += stream.plainBytes
  stream.end()
}

async function drainAsync(results: AsyncGenerator<Result>, deps: DataHttpDeps): Promise<void> {
  try {
    for await (const r of results) {
      if (r.error !== undefined && r.error !== 'not executed') deps.log.child('httpd').info('Error while running async query', {error: r.error})
    }
  } catch (err) {
    deps.log.child('httpd').info('Error while running async query', {error: err instanceof Error ? err.message : String(err)})
  }
}
