/**
 * The InfluxQL executor of a data node: runs the statements of a /query request and yields influxd 1.6's stream of
 * results, quirks included:
 * - the first failing statement stops the query; every statement after it, and the failed one itself when others
 *   follow, gets "not executed" under the failed statement's id (so a buffered response shows "not executed" there);
 * - errors raised while rewriting a SHOW statement, or for a system source in a SELECT, carry statement id 0;
 * - measurements without a database or policy get the `db`/`rp` parameters or the database's default policy before
 *   anything runs ("database not found: x", "default retention policy not set for: x").
 * The HTTP layer parses the request (runQuery does the InfluxQL part) and renders the results (response.ts).
 */
import {
  type Measurement, ParseError, type SelectStatement, type Statement, decodeParams, hasTimeExpr, parseQuery, statementString,
} from '../../../influxql/index.js'
import {executeAdmin} from './admin.js'
import {Context, type ExecuteOptions, type ExecutorDeps, StatementError, readOnlyWarning} from './context.js'
import {DEFAULT_CHUNK_SIZE, type Result} from './result.js'
import {executeSelect} from './select.js'
import {
  showContinuousQueries, showDatabases, showDiagnostics, showFieldKeys, showGrants, showMeasurements, showRetentionPolicies, showSeries,
  showShardGroups, showShards, showStats, showTagKeys, showTagValues, showUsers,
} from './show.js'

export type {ExecuteOptions, ExecutorDeps}

const SYSTEM_SOURCES: Record<string, string> = {
  _fieldKeys: 'SHOW FIELD KEYS', _measurements: 'SHOW MEASUREMENTS', _name: 'the appropriate meta command',
  _series: 'SHOW SERIES', _tagKey: 'the appropriate meta command', _tagKeys: 'SHOW TAG KEYS', _tags: 'SHOW TAG VALUES',
}

/** The statement's own database (influxd's DefaultDatabase), used when the request names none. */
function defaultDatabaseOf(s: Statement): string {
  switch (s.type) {
    case 'dropRetentionPolicy': case 'createRetentionPolicy': case 'alterRetentionPolicy': case 'showSeries': case 'showSeriesCardinality':
    case 'createContinuousQuery': case 'dropContinuousQuery': case 'showMeasurementCardinality': case 'showMeasurements':
    case 'showRetentionPolicies': case 'createSubscription': case 'dropSubscription': case 'showTagKeys': case 'showTagKeyCardinality':
    case 'showTagValues': case 'showTagValuesCardinality': case 'showFieldKeyCardinality': case 'showFieldKeys':
      return s.database
    case 'grant': case 'revoke':
      return s.on
    default:
      return ''
  }
}

/** Errors influxd raises while rewriting SHOW statements (reported with statement id 0). */
function rewriteError(s: Statement): string | undefined {
  switch (s.type) {
    case 'showMeasurements': return hasTimeExpr(s.condition) ? "SHOW MEASUREMENTS doesn't support time in WHERE clause" : undefined
    case 'showFieldKeyCardinality': return hasTimeExpr(s.condition) ? "SHOW FIELD KEY CARDINALITY doesn't support time in WHERE clause" : undefined
    case 'showTagKeyCardinality': return hasTimeExpr(s.condition) ? "SHOW TAG KEY EXACT CARDINALITY doesn't support time in WHERE clause" : undefined
    case 'showMeasurementCardinality': return s.exact && hasTimeExpr(s.condition) ? "SHOW MEASUREMENT EXACT CARDINALITY doesn't support time in WHERE clause" : undefined
    case 'showSeriesCardinality': return s.exact && hasTimeExpr(s.condition) ? "SHOW SERIES EXACT CARDINALITY doesn't support time in WHERE clause" : undefined
    default: return undefined
  }
}

function normalizeMeasurement(ctx: Context, m: Measurement, defaultDb: string, defaultRp: string): void {
  if (!m.isTarget && m.name === '' && m.systemIterator === '' && m.regex === undefined) throw new StatementError('invalid measurement')
  if (m.database === '') m.database = defaultDb
  if (m.database === '') throw new StatementError('database name required')
  const db = ctx.database(m.database)
  if (db === undefined) throw new StatementError(`database not found: ${m.database}`)
  if (m.retentionPolicy === '') {
    if (defaultRp !== '') m.retentionPolicy = defaultRp
    else {
      const rp = db.retentionPolicies.find((r) => r.default)
      if (rp === undefined) throw new StatementError(`default retention policy not set for: ${db.name}`)
      m.retentionPolicy = rp.name
    }
  }
}

function normalizeSelect(ctx: Context, s: SelectStatement, defaultDb: string, defaultRp: string): void {
  if (s.target !== undefined) normalizeMeasurement(ctx, s.target.measurement, defaultDb, defaultRp)
  for (const src of s.sources) {
    if (src.kind === 'measurement') normalizeMeasurement(ctx, src, defaultDb, defaultRp)
    else normalizeSelect(ctx, src.statement, defaultDb, defaultRp)
  }
}

/** influxd's NormalizeStatement: default database and policy filled in, in its walk order. */
function normalize(ctx: Context, s: Statement, defaultDb: string, defaultRp: string): void {
  switch (s.type) {
    case 'showRetentionPolicies': case 'showMeasurements': case 'showTagKeys': case 'showTagValues':
    case 'showMeasurementCardinality': case 'showSeriesCardinality':
      if (s.database === '') s.database = defaultDb
      return
    case 'select': return normalizeSelect(ctx, s, defaultDb, defaultRp)
    case 'createContinuousQuery': return normalizeSelect(ctx, s.source, defaultDb, defaultRp)
    case 'explain': return normalizeSelect(ctx, s.statement, defaultDb, defaultRp)
    default: return
  }
}

/** Statements whose execution changes something and which influxd warns about on GET. */
const WRITES = new Set<Statement['type']>([
  'alterRetentionPolicy', 'createContinuousQuery', 'createDatabase', 'createRetentionPolicy', 'createSubscription', 'createUser',
  'dropContinuousQuery', 'dropDatabase', 'dropMeasurement', 'dropSeries', 'dropRetentionPolicy', 'dropShard', 'dropSubscription',
  'dropUser', 'grant', 'grantAdmin', 'revoke', 'revokeAdmin', 'setPassword',
])

async function executeStatement(ctx: Context, s: Statement, id: number): Promise<Result[]> {
  switch (s.type) {
    case 'select': return executeSelect(ctx, s, id)
    case 'showDatabases': return showDatabases(ctx, id)
    case 'showRetentionPolicies': return showRetentionPolicies(ctx, s, id)
    case 'showUsers': return showUsers(ctx, id)
    case 'showGrantsForUser': return showGrants(ctx, s, id)
    case 'showContinuousQueries': return showContinuousQueries(ctx, id)
    case 'showShards': return showShards(ctx, id)
    case 'showShardGroups': return showShardGroups(ctx, id)
    case 'showStats': return showStats(ctx, s, id)
    case 'showDiagnostics': return showDiagnostics(ctx, s, id)
    case 'showMeasurements': return showMeasurements(ctx, s, id)
    case 'showSeries': return showSeries(ctx, s, id)
    case 'showFieldKeys': return showFieldKeys(ctx, s, id)
    case 'showTagKeys': return showTagKeys(ctx, s, id)
    case 'showTagValues': return showTagValues(ctx, s, id)
    case 'showSubscriptions': return [{statementId: id, series: []}]
    case 'deleteSeries':
      await executeAdmin(ctx, s)
      return [{statementId: id}]
    default:
      if (!WRITES.has(s.type)) throw new StatementError(`${statementString(s)} is not supported by the dev cluster`)
      await executeAdmin(ctx, s)
      return [{statementId: id, messages: readOnlyWarning(ctx, statementString(s))}]
  }
}

export class QueryExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  /** Runs statements; yields results in influxd's order and granularity. */
  async *execute(statements: Statement[], options: Partial<ExecuteOptions> = {}): AsyncGenerator<Result> {
    const opts: ExecuteOptions = {database: '', retentionPolicy: '', chunkSize: DEFAULT_CHUNK_SIZE, readOnly: false, ...options}
    const ctx = new Context(this.deps, opts)
    let i = 0
    for (; i < statements.length; i++) {
      const stmt = statements[i]
      const defaultDb = opts.database !== '' ? opts.database : defaultDatabaseOf(stmt)
      if (stmt.type === 'select') {
        const sys = stmt.sources.find((s): s is Measurement => s.kind === 'measurement' && SYSTEM_SOURCES[s.name] !== undefined)
        if (sys !== undefined) {
          yield {statementId: 0, error: `unable to use system source '${sys.name}': use ${SYSTEM_SOURCES[sys.name]} instead`}
          break
        }
      }
      const rewrite = rewriteError(stmt)
      if (rewrite !== undefined) {
        yield {statementId: 0, error: rewrite}
        break
      }
      let results: Result[]
      try {
        normalize(ctx, stmt, defaultDb, opts.retentionPolicy)
        results = await executeStatement(ctx, stmt, i)
      } catch (err) {
        if (!(err instanceof StatementError)) throw err
        yield {statementId: i, error: err.message}
        break
      }
      yield* results
    }
    const failed = i
    for (; i < statements.length - 1; i++) yield {statementId: failed, error: 'not executed'}
  }
}

export type QueryRequest =
  | {ok: true; statements: Statement[]}
  /** influxd answers these with HTTP 400 and {"error": message}. */
  | {ok: false; error: string}

/** Go's strings.TrimSpace. */
function trimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')
}

/**
 * The InfluxQL part of influxd's /query handler: `q` trimmed and required, `params` decoded and bound, the query
 * parsed. Errors are the texts influxd sends with status 400.
 */
export function parseQueryRequest(q: string | undefined, params?: string): QueryRequest {
  const text = trimSpace(q ?? '')
  if (text === '') return {ok: false, error: 'missing required parameter "q"'}
  let bound
  if (params !== undefined && params !== '') {
    const p = decodeParams(params)
    if (!p.ok) return {ok: false, error: p.error}
    bound = p.params
  }
  try {
    return {ok: true, statements: parseQuery(text, bound)}
  } catch (err) {
    if (err instanceof ParseError) return {ok: false, error: 'error parsing query: ' + err.message}
    throw err
  }
}
