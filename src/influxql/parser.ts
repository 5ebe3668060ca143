/**
 * The InfluxQL parser. Hand-written because no npm package parses InfluxQL: it follows the grammar of
 * github.com/influxdata/influxql v1.1.0 (the version the Debian build of influxd 1.6.7 links), statement by statement,
 * so that what parses, what does not, and every error text and position match influxd. The code is our own.
 *
 * Departures from influxd, on purpose:
 * - nesting (parentheses, calls, unary signs, subqueries) is limited to MAX_DEPTH levels with a clear error, where
 *   influxd would recurse until its stack gives out;
 * - regular expressions are translated to JavaScript (regex.ts) with Go's error texts for the common mistakes.
 * Errors are thrown as ParseError; callers print "error parsing query: " + message, as influxd's HTTP handler does.
 */
import {
  type Dimension, type Expr, type Field, Fill, type Literal, type Measurement, Privilege, type RegexLiteral,
  type SelectStatement, type SortField, type Source, type Statement, DataType, newMeasurement, newSelect, quoteIdent,
} from './ast.js'
import {DurationError, formatDuration, parseDuration} from './duration.js'
import {ParseError} from './errors.js'
import type {BoundValue} from './params.js'
import {RegexSyntaxError, compileGoRegex} from './regex.js'
import {EOF_CH, type Pos, Scanner, type Token, isWhitespace} from './scanner.js'
import {T, type Tok, isOperator, precedence, tokenName, tokstr} from './tokens.js'

/** The deepest nesting of parentheses, calls, signs and subqueries accepted. */
export const MAX_DEPTH = 1000

const INT32_MAX = 2147483647
const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n

type Handler = (p: Parser) => Statement

interface ParseTree {
  handlers: Map<Tok, Handler>
  tokens: Map<Tok, ParseTree>
  keys: string[]
}

const newTree = (): ParseTree => ({handlers: new Map(), tokens: new Map(), keys: []})

function group(tree: ParseTree, ...toks: Tok[]): ParseTree {
  let t = tree
  for (const tok of toks) {
    const sub = t.tokens.get(tok)
    if (sub !== undefined) {
      t = sub
      continue
    }
    const created = newTree()
    t.tokens.set(tok, created)
    t.keys.push(tokenName(tok))
    t = created
  }
  return t
}

function handle(tree: ParseTree, tok: Tok, fn: Handler): void {
  tree.handlers.set(tok, fn)
  tree.keys.push(tokenName(tok))
}

/** The statement grammar, registered in influxd's order (the order of the "expected" lists in errors). */
const LANGUAGE: ParseTree = (() => {
  const lang = newTree()
  handle(lang, T.SELECT, (p) => p.parseSelectStatement('notRequired'))
  handle(lang, T.DELETE, (p) => p.parseDeleteStatement())
  const show = group(lang, T.SHOW)
  handle(group(show, T.CONTINUOUS), T.QUERIES, () => ({type: 'showContinuousQueries'}))
  handle(show, T.DATABASES, () => ({type: 'showDatabases'}))
  handle(show, T.DIAGNOSTICS, (p) => ({type: 'showDiagnostics', module: p.parseOptionalFor()}))
  const field = group(show, T.FIELD)
  handle(field, T.KEY, (p) => p.parseShowCardinality('showFieldKeyCardinality', true))
  handle(field, T.KEYS, (p) => p.parseShowFieldKeysStatement())
  handle(group(show, T.GRANTS), T.FOR, (p) => ({type: 'showGrantsForUser', name: p.parseIdent()}))
  handle(group(show, T.MEASUREMENT), T.EXACT, (p) => p.parseShowMeasurementCardinality(true))
  handle(group(show, T.MEASUREMENT), T.CARDINALITY, (p) => p.parseShowMeasurementCardinality(false))
  handle(show, T.MEASUREMENTS, (p) => p.parseShowMeasurementsStatement())
  handle(show, T.QUERIES, () => ({type: 'showQueries'}))
  handle(group(show, T.RETENTION), T.POLICIES, (p) => ({type: 'showRetentionPolicies', database: p.parseOptionalOn()}))
  handle(show, T.SERIES, (p) => p.parseShowSeriesStatement())
  handle(group(show, T.SHARD), T.GROUPS, () => ({type: 'showShardGroups'}))
  handle(show, T.SHARDS, () => ({type: 'showShards'}))
  handle(show, T.STATS, (p) => ({type: 'showStats', module: p.parseOptionalFor()}))
  handle(show, T.SUBSCRIPTIONS, () => ({type: 'showSubscriptions'}))
  const tag = group(show, T.TAG)
  handle(tag, T.KEY, (p) => p.parseShowCardinality('showTagKeyCardinality', true))
  handle(tag, T.KEYS, (p) => p.parseShowTagKeysStatement())
  handle(tag, T.VALUES, (p) => p.parseShowTagValuesStatement())
  handle(show, T.USERS, () => ({type: 'showUsers'}))
  const create = group(lang, T.CREATE)
  handle(group(create, T.CONTINUOUS), T.QUERY, (p) => p.parseCreateContinuousQueryStatement())
  handle(create, T.DATABASE, (p) => p.parseCreateDatabaseStatement())
  handle(create, T.USER, (p) => p.parseCreateUserStatement())
  handle(group(create, T.RETENTION), T.POLICY, (p) => p.parseCreateRetentionPolicyStatement())
  handle(create, T.SUBSCRIPTION, (p) => p.parseCreateSubscriptionStatement())
  const drop = group(lang, T.DROP)
  handle(group(drop, T.CONTINUOUS), T.QUERY, (p) => {
    const [name, database] = p.parseNameOnDb()
    return {type: 'dropContinuousQuery', name, database}
  })
  handle(drop, T.DATABASE, (p) => ({type: 'dropDatabase', name: p.parseIdent()}))
  handle(drop, T.MEASUREMENT, (p) => ({type: 'dropMeasurement', name: p.parseIdent()}))
  handle(group(drop, T.RETENTION), T.POLICY, (p) => {
    const [name, database] = p.parseNameOnDb()
    return {type: 'dropRetentionPolicy', name, database}
  })
  handle(drop, T.SERIES, (p) => p.parseDropSeriesStatement())
  handle(drop, T.SHARD, (p) => ({type: 'dropShard', id: p.parseUInt64()}))
  handle(drop, T.SUBSCRIPTION, (p) => p.parseDropSubscriptionStatement())
  handle(drop, T.USER, (p) => ({type: 'dropUser', name: p.parseIdent()}))
  handle(lang, T.EXPLAIN, (p) => p.parseExplainStatement())
  handle(lang, T.GRANT, (p) => p.parseGrantStatement())
  handle(lang, T.REVOKE, (p) => p.parseRevokeStatement())
  handle(group(lang, T.ALTER, T.RETENTION), T.POLICY, (p) => p.parseAlterRetentionPolicyStatement())
  handle(group(lang, T.SET, T.PASSWORD), T.FOR, (p) => p.parseSetPasswordUserStatement())
  handle(group(lang, T.KILL), T.QUERY, (p) => p.parseKillQueryStatement())
  return lang
})()

type TargetRequirement = 'required' | 'notRequired' | 'subquery'

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatPlain(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'
  const s = String(v)
  if (!s.includes('e')) return Object.is(v, -0) ? '-0' : s
  const [mant, expText] = v.toExponential().split('e')
  const exp = Number(expText)
  const neg = mant.startsWith('-')
  const digits = mant.replace('-', '').replace('.', '')
  let out: string
  if (exp >= 0) {
    out = digits.length <= exp + 1 ? digits + '0'.repeat(exp + 1 - digits.length) : digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1)
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + digits
  }
  return (neg ? '-' : '') + out
}

export class Parser {
  private readonly s: Scanner
  private readonly ring: Token[] = [
    {tok: T.EOF, pos: {line: 0, char: 0}, lit: ''}, {tok: T.EOF, pos: {line: 0, char: 0}, lit: ''}, {tok: T.EOF, pos: {line: 0, char: 0}, lit: ''},
  ]
  private ri = 0
  private rn = 0
  private depth = 0

  constructor(src: string, private readonly params: ReadonlyMap<string, BoundValue> = new Map()) {
    this.s = new Scanner(src)
  }

  // ----- Token plumbing (a three-token ring, like influxd's, so Unscan twice works the same way)

  private scanWith(fn: () => Token): Token {
    let t: Token
    if (this.rn > 0) {
      this.rn--
      t = this.ring[(this.ri - this.rn + 3) % 3]
    } else {
      this.ri = (this.ri + 1) % 3
      this.ring[this.ri] = fn()
      t = this.ring[this.ri]
    }
    if (t.tok === T.BOUNDPARAM) {
      const k = t.lit.slice(1)
      const v = k.length > 0 ? this.params.get(k) : undefined
      if (v !== undefined) return {tok: v.tok, pos: t.pos, lit: v.lit}
    }
    return t
  }

  scan(): Token {
    return this.scanWith(() => this.s.scan())
  }

  private scanRegexToken(): Token {
    return this.scanWith(() => this.s.scanRegex())
  }

  scanIgnoreWhitespace(): Token {
    for (;;) {
      const t = this.scan()
      if (t.tok !== T.WS && t.tok !== T.COMMENT) return t
    }
  }

  unscan(): void {
    this.rn++
  }

  private consumeWhitespace(): void {
    if (this.scan().tok !== T.WS) this.unscan()
  }

  /** The next code point, left unread (except end of input, which influxd's peek does not put back). */
  private peekRune(): number {
    const r = this.s.r.read()
    if (r !== EOF_CH) this.s.r.unread()
    return r
  }

  private expect(t: Token, ...expected: string[]): never {
    throw ParseError.expected(tokstr(t.tok, t.lit), expected, t.pos)
  }

  private parseTokens(toks: Tok[]): void {
    for (const want of toks) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== want) this.expect(t, tokenName(want))
    }
  }

  /** True (and consumed) when the next token is `tok`; otherwise nothing is consumed. */
  private accept(tok: Tok): boolean {
    if (this.scanIgnoreWhitespace().tok === tok) return true
    this.unscan()
    return false
  }

  private enter(pos: Pos): void {
    if (++this.depth > MAX_DEPTH) this.tooDeep(pos)
  }

  private leave(): void {
    this.depth--
  }

  // ----- Query and statements

  parseQuery(): Statement[] {
    const statements: Statement[] = []
    let semi = true
    for (;;) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok === T.EOF) return statements
      if (t.tok === T.SEMICOLON) {
        semi = true
        continue
      }
      if (!semi) this.expect(t, ';')
      this.unscan()
      statements.push(this.parseStatement())
      semi = false
    }
  }

  parseStatement(): Statement {
    let tree = LANGUAGE
    for (;;) {
      const t = this.scanIgnoreWhitespace()
      const sub = tree.tokens.get(t.tok)
      if (sub !== undefined) {
        tree = sub
        continue
      }
      const h = tree.handlers.get(t.tok)
      if (h !== undefined) return h(this)
      this.expect(t, ...tree.keys)
    }
  }

  parseIdent(): string {
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.IDENT) this.expect(t, 'identifier')
    return t.lit
  }

  private parseIdentList(): string[] {
    const idents = [this.parseIdent()]
    while (this.accept(T.COMMA)) idents.push(this.parseIdent())
    return idents
  }

  private parseString(): string {
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.STRING) this.expect(t, 'string')
    return t.lit
  }

  private parseStringList(): string[] {
    const out = [this.parseString()]
    while (this.accept(T.COMMA)) out.push(this.parseString())
    return out
  }

  private parseInt(min: number, max: number): number {
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.INTEGER) this.expect(t, 'integer')
    const n = BigInt(t.lit)
    if (n > INT64_MAX) throw ParseError.at(`strconv.Atoi: parsing ${JSON.stringify(t.lit)}: value out of range`, t.pos)
    if (n < BigInt(min) || n > BigInt(max)) throw ParseError.at(`invalid value ${n}: must be ${min} <= n <= ${max}`, t.pos)
    return Number(n)
  }

  parseUInt64(): bigint {
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.INTEGER) this.expect(t, 'integer')
    const n = BigInt(t.lit)
    if (n > UINT64_MAX) throw ParseError.at(`strconv.ParseUint: parsing ${JSON.stringify(t.lit)}: value out of range`, t.pos)
    return n
  }

  /** DURATION <value> | INF (INF = 0, infinite). */
  private parseDurationValue(): bigint {
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.DURATIONVAL && t.tok !== T.INF) this.expect(t, 'duration')
    if (t.tok === T.INF) return 0n
    return this.durationOf(t)
  }

  private durationOf(t: Token): bigint {
    try {
      return parseDuration(t.lit)
    } catch (err) {
      if (err instanceof DurationError) throw ParseError.at(err.message, t.pos)
      throw err
    }
  }

  private parseShardDurationValue(): bigint {
    const t = this.scanIgnoreWhitespace()
    if (t.tok === T.INF) throw ParseError.at('invalid duration INF for shard duration', t.pos)
    this.unscan()
    return this.parseDurationValue()
  }

  parseOptionalOn(): string {
    return this.accept(T.ON) ? this.parseIdent() : ''
  }

  parseOptionalFor(): string {
    return this.accept(T.FOR) ? this.parseString() : ''
  }

  private parseOptionalFrom(): Source[] | undefined {
    return this.accept(T.FROM) ? this.parseSources(false) : undefined
  }

  parseNameOnDb(): [string, string] {
    const name = this.parseIdent()
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.ON) this.expect(t, 'ON')
    return [name, this.parseIdent()]
  }

  parseSetPasswordUserStatement(): Statement {
    const name = this.parseIdent()
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.EQ) this.expect(t, '=')
    return {type: 'setPassword', name, password: this.parseString()}
  }

  parseKillQueryStatement(): Statement {
    const queryId = this.parseUInt64()
    const host = this.accept(T.ON) ? this.parseIdent() : ''
    return {type: 'killQuery', queryId, host}
  }

  parseCreateSubscriptionStatement(): Statement {
    const [name, database] = this.parseNameOnDb()
    const dot = this.scan()
    if (dot.tok !== T.DOT) this.expect(dot, '.')
    const retentionPolicy = this.parseIdent()
    const d = this.scanIgnoreWhitespace()
    if (d.tok !== T.DESTINATIONS) this.expect(d, 'DESTINATIONS')
    const m = this.scanIgnoreWhitespace()
    if (m.tok !== T.ALL && m.tok !== T.ANY) this.expect(m, 'ALL', 'ANY')
    return {type: 'createSubscription', name, database, retentionPolicy, mode: tokenName(m.tok), destinations: this.parseStringList()}
  }

  parseDropSubscriptionStatement(): Statement {
    const [name, database] = this.parseNameOnDb()
    const dot = this.scan()
    if (dot.tok !== T.DOT) this.expect(dot, '.')
    return {type: 'dropSubscription', name, database, retentionPolicy: this.parseIdent()}
  }

  parseCreateRetentionPolicyStatement(): Statement {
    const [name, database] = this.parseNameOnDb()
    let t = this.scanIgnoreWhitespace()
    if (t.tok !== T.DURATION) this.expect(t, 'DURATION')
    const duration = this.parseDurationValue()
    t = this.scanIgnoreWhitespace()
    if (t.tok !== T.REPLICATION) this.expect(t, 'REPLICATION')
    const replication = this.parseInt(1, INT32_MAX)
    let shardGroupDuration = 0n
    if (this.scanIgnoreWhitespace().tok === T.SHARD) {
      const d = this.scanIgnoreWhitespace()
      if (d.tok !== T.DURATION) this.expect(d, 'DURATION')
      shardGroupDuration = this.parseShardDurationValue()
    } else {
      this.unscan()
    }
    const def = this.accept(T.DEFAULT)
    return {type: 'createRetentionPolicy', name, database, duration, replication, shardGroupDuration, default: def}
  }

  parseAlterRetentionPolicyStatement(): Statement {
    const t0 = this.scanIgnoreWhitespace()
    let name: string
    if (t0.tok === T.DEFAULT) name = 'default'
    else if (t0.tok === T.IDENT) name = t0.lit
    else this.expect(t0, 'identifier')
    const on = this.scanIgnoreWhitespace()
    if (on.tok !== T.ON) this.expect(on, 'ON')
    const database = this.parseIdent()
    const stmt: Extract<Statement, {type: 'alterRetentionPolicy'}> = {type: 'alterRetentionPolicy', name: name!, database, default: false}
    const found = new Set<Tok>()
    for (;;) {
      const t = this.scanIgnoreWhitespace()
      if (found.has(t.tok)) throw ParseError.at(`found duplicate ${tokenName(t.tok)} option`, t.pos)
      let done = false
      switch (t.tok) {
        case T.DURATION: stmt.duration = this.parseDurationValue(); break
        case T.REPLICATION: stmt.replication = this.parseInt(1, INT32_MAX); break
        case T.SHARD: {
          const d = this.scanIgnoreWhitespace()
          if (d.tok !== T.DURATION) this.expect(d, 'DURATION')
          stmt.shardGroupDuration = this.parseShardDurationValue()
          break
        }
        case T.DEFAULT: stmt.default = true; break
        default:
          if (found.size === 0) this.expect(t, 'DURATION', 'REPLICATION', 'SHARD', 'DEFAULT')
          this.unscan()
          done = true
      }
      if (done) break
      found.add(t.tok)
    }
    return stmt
  }

  parseRevokeStatement(): Statement {
    const priv = this.parsePrivilege()
    const t = this.scanIgnoreWhitespace()
    if (t.tok === T.ON) {
      const on = this.parseIdent()
      const f = this.scanIgnoreWhitespace()
      if (f.tok !== T.FROM) this.expect(f, 'FROM')
      return {type: 'revoke', privilege: priv, on, user: this.parseIdent()}
    }
    if (t.tok === T.FROM) {
      if (priv !== Privilege.All) this.expect(t, 'ON')
      return {type: 'revokeAdmin', user: this.parseIdent()}
    }
    if (priv === Privilege.All) this.expect(t, 'ON', 'FROM')
    return this.expect(t, 'ON')
  }

  parseGrantStatement(): Statement {
    const priv = this.parsePrivilege()
    const t = this.scanIgnoreWhitespace()
    if (t.tok === T.ON) {
      const on = this.parseIdent()
      const to = this.scanIgnoreWhitespace()
      if (to.tok !== T.TO) this.expect(to, 'TO')
      return {type: 'grant', privilege: priv, on, user: this.parseIdent()}
    }
    if (t.tok === T.TO) {
      if (priv !== Privilege.All) this.expect(t, 'ON')
      return {type: 'grantAdmin', user: this.parseIdent()}
    }
    if (priv === Privilege.All) this.expect(t, 'ON', 'TO')
    return this.expect(t, 'ON')
  }

  private parsePrivilege(): Privilege {
    const t = this.scanIgnoreWhitespace()
    switch (t.tok) {
      case T.READ: return Privilege.Read
      case T.WRITE: return Privilege.Write
      case T.ALL:
        if (this.scanIgnoreWhitespace().tok !== T.PRIVILEGES) this.unscan()
        return Privilege.All
    }
    return this.expect(t, 'READ', 'WRITE', 'ALL [PRIVILEGES]')
  }

  parseSelectStatement(tr: TargetRequirement): SelectStatement {
    const stmt = newSelect()
    stmt.fields = this.parseFields()
    stmt.target = this.parseTarget(tr)
    const f = this.scanIgnoreWhitespace()
    if (f.tok !== T.FROM) this.expect(f, 'FROM')
    stmt.sources = this.parseSources(true)
    stmt.condition = this.parseCondition()
    stmt.dimensions = this.parseDimensions()
    const [fill, fillValue] = this.parseFill()
    stmt.fill = fill
    stmt.fillValue = fillValue
    stmt.sortFields = this.parseOrderBy()
    stmt.limit = this.parseOptionalTokenAndInt(T.LIMIT)
    stmt.offset = this.parseOptionalTokenAndInt(T.OFFSET)
    stmt.slimit = this.parseOptionalTokenAndInt(T.SLIMIT)
    stmt.soffset = this.parseOptionalTokenAndInt(T.SOFFSET)
    stmt.location = this.parseLocation()
    stmt.isRawQuery = !stmt.fields.some((fl) => containsCall(fl.expr))
    return stmt
  }

  private parseTarget(tr: TargetRequirement): SelectStatement['target'] {
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.INTO) {
      if (tr === 'required') this.expect(t, 'INTO')
      this.unscan()
      return undefined
    }
    const idents = this.parseSegmentedIdents()
    if (idents.length < 3 && this.peekRune() === 0x3a) {
      this.parseTokens([T.COLON, T.MEASUREMENT])
      idents.push('')
    }
    const m = newMeasurement()
    m.isTarget = true
    if (idents.length === 1) m.name = idents[0]
    else if (idents.length === 2) [m.retentionPolicy, m.name] = idents
    else [m.database, m.retentionPolicy, m.name] = idents
    return {measurement: m}
  }

  /** DELETE and DROP SERIES share a shape: [FROM sources] [WHERE cond], at least one of them. */
  private parseFromWhere(): {sources?: Source[]; condition?: Expr} {
    const t = this.scanIgnoreWhitespace()
    let sources: Source[] | undefined
    if (t.tok === T.FROM) {
      sources = this.parseSources(false)
      let problem: string | undefined
      for (const s of sources) {
        if (s.kind !== 'measurement') continue
        if (s.database !== '') problem = 'database not supported'
        if (s.retentionPolicy !== '') problem = 'retention policy not supported'
      }
      if (problem !== undefined) throw ParseError.at(problem, {line: 0, char: 0})
    } else {
      this.unscan()
    }
    const condition = this.parseCondition()
    if (condition === undefined && sources === undefined) this.expect(t, 'FROM', 'WHERE')
    return {sources, condition}
  }

  parseDeleteStatement(): Statement {
    return {type: 'deleteSeries', ...this.parseFromWhere()}
  }

  parseDropSeriesStatement(): Statement {
    return {type: 'dropSeries', ...this.parseFromWhere()}
  }

  parseShowSeriesStatement(): Statement {
    let exact = false
    if (this.scanIgnoreWhitespace().tok === T.EXACT) exact = true
    else this.unscan()
    if (this.scanIgnoreWhitespace().tok === T.CARDINALITY) return this.parseCardinalityBody('showSeriesCardinality', exact)
    this.unscan()
    const database = this.parseOptionalOn()
    const sources = this.parseOptionalFrom()
    const condition = this.parseCondition()
    const sortFields = this.parseOrderBy()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    return {type: 'showSeries', database, sources, condition, sortFields, limit, offset}
  }

  /** ON, FROM, WHERE, GROUP BY, LIMIT, OFFSET of the SHOW ... CARDINALITY statements. */
  private parseCardinalityBody<K extends 'showSeriesCardinality' | 'showMeasurementCardinality' | 'showTagKeyCardinality' | 'showFieldKeyCardinality'>(
    type: K, exact: boolean,
  ): Statement {
    const database = this.parseOptionalOn()
    const sources = this.parseOptionalFrom()
    const condition = this.parseCondition()
    const dimensions = this.parseDimensions()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    return {type, database, exact, sources, condition, dimensions, limit, offset} as Statement
  }

  parseShowMeasurementCardinality(exact: boolean): Statement {
    if (exact) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== T.CARDINALITY) this.expect(t, 'CARDINALITY')
    }
    return this.parseCardinalityBody('showMeasurementCardinality', exact)
  }

  /** SHOW TAG KEY [EXACT] CARDINALITY / SHOW FIELD KEY [EXACT] CARDINALITY. */
  parseShowCardinality(type: 'showTagKeyCardinality' | 'showFieldKeyCardinality', _keyed: boolean): Statement {
    let required = ['EXACT', 'CARDINALITY']
    let exact = false
    if (this.scanIgnoreWhitespace().tok === T.EXACT) {
      exact = true
      required = required.slice(1)
    } else {
      this.unscan()
    }
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.CARDINALITY) this.expect(t, ...required)
    return this.parseCardinalityBody(type, exact)
  }

  parseShowMeasurementsStatement(): Statement {
    const database = this.parseOptionalOn()
    let source: Source | undefined
    if (this.scanIgnoreWhitespace().tok === T.WITH) {
      this.parseTokens([T.MEASUREMENT])
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== T.EQ && t.tok !== T.EQREGEX) this.expect(t, '=', '=~')
      source = this.parseSource(false)
    } else {
      this.unscan()
    }
    const condition = this.parseCondition()
    const sortFields = this.parseOrderBy()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    return {type: 'showMeasurements', database, source, condition, sortFields, limit, offset}
  }

  parseShowTagKeysStatement(): Statement {
    const database = this.parseOptionalOn()
    const sources = this.parseOptionalFrom()
    const condition = this.parseCondition()
    const sortFields = this.parseOrderBy()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    const slimit = this.parseOptionalTokenAndInt(T.SLIMIT)
    const soffset = this.parseOptionalTokenAndInt(T.SOFFSET)
    return {type: 'showTagKeys', database, sources, condition, sortFields, limit, offset, slimit, soffset}
  }

  parseShowTagValuesStatement(): Statement {
    const first = this.scanIgnoreWhitespace()
    if (first.tok === T.EXACT) return this.parseShowTagValuesCardinality(true)
    if (first.tok === T.CARDINALITY) return this.parseShowTagValuesCardinality(false)
    this.unscan()
    const database = this.parseOptionalOn()
    const sources = this.parseOptionalFrom()
    const [op, tagKeyExpr] = this.parseTagKeyExpr()
    const condition = this.parseCondition()
    const sortFields = this.parseOrderBy()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    return {type: 'showTagValues', database, sources, op, tagKeyExpr, condition, sortFields, limit, offset}
  }

  private parseShowTagValuesCardinality(exact: boolean): Statement {
    if (exact) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== T.CARDINALITY) this.expect(t, 'CARDINALITY')
    }
    const database = this.parseOptionalOn()
    const sources = this.parseOptionalFrom()
    const [op, tagKeyExpr] = this.parseTagKeyExpr()
    const condition = this.parseCondition()
    const dimensions = this.parseDimensions()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    return {type: 'showTagValuesCardinality', database, exact, sources, op, tagKeyExpr, condition, dimensions, limit, offset}
  }

  private parseTagKeyExpr(): [Tok, Literal] {
    this.parseTokens([T.WITH, T.KEY])
    let t = this.scanIgnoreWhitespace()
    if (t.tok === T.IN) {
      t = this.scanIgnoreWhitespace()
      if (t.tok !== T.LPAREN) this.expect(t, '(')
      const vals = this.parseIdentList()
      t = this.scanIgnoreWhitespace()
      if (t.tok !== T.RPAREN) this.expect(t, ')')
      return [T.IN, {kind: 'list', vals}]
    }
    if (t.tok === T.EQ || t.tok === T.NEQ) return [t.tok, {kind: 'string', val: this.parseIdent()}]
    if (t.tok === T.EQREGEX || t.tok === T.NEQREGEX) {
      const re = this.parseRegex()
      if (re === undefined) {
        const n = this.scanIgnoreWhitespace()
        this.expect(n, 'regex')
      }
      return [t.tok, re!]
    }
    return this.expect(t, 'IN', '=', '=~')
  }

  parseShowFieldKeysStatement(): Statement {
    const database = this.parseOptionalOn()
    const sources = this.parseOptionalFrom()
    const sortFields = this.parseOrderBy()
    const limit = this.parseOptionalTokenAndInt(T.LIMIT)
    const offset = this.parseOptionalTokenAndInt(T.OFFSET)
    return {type: 'showFieldKeys', database, sources, sortFields, limit, offset}
  }

  parseCreateContinuousQueryStatement(): Statement {
    const [name, database] = this.parseNameOnDb()
    let resampleEvery = 0n
    let resampleFor = 0n
    if (this.scanIgnoreWhitespace().tok === T.RESAMPLE) [resampleEvery, resampleFor] = this.parseResample()
    else this.unscan()
    this.parseTokens([T.BEGIN, T.SELECT])
    const source = this.parseSelectStatement('required')
    if (!source.isRawQuery) {
      const [interval, err] = groupByInterval(source)
      if (interval === 0n || err !== undefined) {
        this.unscan()
        this.unscan()
        const t = this.scanIgnoreWhitespace()
        const expected = ['GROUP BY time(...)']
        if (err !== undefined) expected.push(err)
        this.expect(t, ...expected)
      }
    }
    const end = this.scanIgnoreWhitespace()
    if (end.tok !== T.END) this.expect(end, 'END')
    const [interval0, err0] = groupByInterval(source)
    if (err0 !== undefined) throw ParseError.plain(err0)
    if (resampleFor !== 0n) {
      let interval = interval0
      if (resampleEvery !== 0n && resampleEvery > interval) interval = resampleEvery
      if (interval > resampleFor) {
        throw ParseError.plain(`FOR duration must be >= GROUP BY time duration: must be a minimum of ${formatDuration(interval)}, got ${formatDuration(resampleFor)}`)
      }
    }
    return {type: 'createContinuousQuery', name, database, source, resampleEvery, resampleFor}
  }

  private parseResample(): [bigint, bigint] {
    let every = 0n
    let forD = 0n
    if (this.scanIgnoreWhitespace().tok === T.EVERY) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== T.DURATIONVAL) this.expect(t, 'duration')
      every = this.durationOf(t)
    } else {
      this.unscan()
    }
    if (this.scanIgnoreWhitespace().tok === T.FOR) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== T.DURATIONVAL) this.expect(t, 'duration')
      forD = this.durationOf(t)
    } else {
      this.unscan()
    }
    if (every === 0n && forD === 0n) {
      const t = this.scanIgnoreWhitespace()
      this.expect(t, 'EVERY', 'FOR')
    }
    return [every, forD]
  }

  parseCreateDatabaseStatement(): Statement {
    const stmt: Extract<Statement, {type: 'createDatabase'}> = {type: 'createDatabase', name: this.parseIdent(), rpCreate: false, rpName: '', rpShardGroupDuration: 0n}
    if (this.scanIgnoreWhitespace().tok !== T.WITH) {
      this.unscan()
      return stmt
    }
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.DURATION && t.tok !== T.NAME && t.tok !== T.REPLICATION && t.tok !== T.SHARD) this.expect(t, 'DURATION', 'NAME', 'REPLICATION', 'SHARD')
    this.unscan()
    stmt.rpCreate = true
    // Each option is optional, in this order; a missing one puts its token back (influxd's parseTokens + Unscan).
    const option = (tok: Tok): boolean => {
      const o = this.scanIgnoreWhitespace()
      if (o.tok === tok) return true
      this.unscan()
      return false
    }
    if (option(T.DURATION)) stmt.rpDuration = this.parseDurationValue()
    if (option(T.REPLICATION)) stmt.rpReplication = this.parseInt(1, INT32_MAX)
    if (option(T.SHARD)) {
      const d = this.scanIgnoreWhitespace()
      if (d.tok !== T.DURATION) this.expect(d, 'DURATION')
      stmt.rpShardGroupDuration = this.parseDurationValue()
    }
    if (option(T.NAME)) stmt.rpName = this.parseIdent()
    return stmt
  }

  parseCreateUserStatement(): Statement {
    const name = this.parseIdent()
    this.parseTokens([T.WITH, T.PASSWORD])
    const password = this.parseString()
    if (this.scanIgnoreWhitespace().tok !== T.WITH) {
      this.unscan()
      return {type: 'createUser', name, password, admin: false}
    }
    this.parseTokens([T.ALL, T.PRIVILEGES])
    return {type: 'createUser', name, password, admin: true}
  }

  parseExplainStatement(): Statement {
    let analyze = false
    if (this.scanIgnoreWhitespace().tok === T.ANALYZE) analyze = true
    else this.unscan()
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.SELECT) this.expect(t, 'SELECT')
    return {type: 'explain', analyze, statement: this.parseSelectStatement('notRequired')}
  }

  // ----- SELECT clauses

  private parseFields(): Field[] {
    const fields: Field[] = []
    for (;;) {
      fields.push(this.parseField())
      if (this.scan().tok !== T.COMMA) {
        this.unscan()
        return fields
      }
    }
  }

  private parseField(): Field {
    let expr: Expr
    const re = this.parseRegex()
    if (re !== undefined) {
      expr = re
    } else {
      const first = this.scanIgnoreWhitespace()
      this.unscan()
      expr = this.parseExpr()
      const bad = findComparison(expr)
      if (bad !== undefined) {
        throw ParseError.plain(`invalid operator ${tokenName(bad)} in SELECT clause at line ${first.pos.line + 1}, char ${first.pos.char + 1}; operator is intended for WHERE clause`)
      }
    }
    const alias = this.parseAlias()
    this.consumeWhitespace()
    return {expr, alias}
  }

  private parseAlias(): string {
    if (this.scanIgnoreWhitespace().tok !== T.AS) {
      this.unscan()
      return ''
    }
    return this.parseIdent()
  }

  parseSources(subqueries: boolean): Source[] {
    const sources: Source[] = []
    for (;;) {
      sources.push(this.parseSource(subqueries))
      if (!this.accept(T.COMMA)) return sources
    }
  }

  parseSource(subqueries: boolean): Source {
    const m = newMeasurement()
    const re = this.parseRegex()
    if (re !== undefined) {
      m.regex = re
      return m
    }
    if (subqueries) {
      const t = this.scanIgnoreWhitespace()
      if (t.tok === T.LPAREN) {
        this.enter(t.pos)
        this.parseTokens([T.SELECT])
        const statement = this.parseSelectStatement('subquery')
        this.parseTokens([T.RPAREN])
        this.leave()
        return {kind: 'subquery', statement}
      }
      this.unscan()
    }
    const idents = this.parseSegmentedIdents()
    if (idents.length === 3) {
      [m.database, m.retentionPolicy, m.name] = idents
      return m
    }
    const re2 = this.parseRegex()
    if (re2 !== undefined) m.regex = re2
    if (idents.length === 1) {
      if (re2 !== undefined) m.retentionPolicy = idents[0]
      else m.name = idents[0]
    } else if (idents.length === 2) {
      if (re2 !== undefined) [m.database, m.retentionPolicy] = idents
      else [m.retentionPolicy, m.name] = idents
    }
    return m
  }

  /** `db.rp.m`, `db..m`, `"a"."b"`: up to three segments (empty ones allowed in the middle). */
  private parseSegmentedIdents(): string[] {
    const idents = [this.parseIdent()]
    for (;;) {
      if (this.scan().tok !== T.DOT) {
        this.unscan()
        break
      }
      const ch = this.peekRune()
      if (ch === 0x2f || ch === 0x3a) break
      if (ch === 0x2e) {
        idents.push('')
        continue
      }
      idents.push(this.parseIdent())
    }
    if (idents.length > 3) throw ParseError.at(`too many segments in ${quoteIdent(...idents)}`, {line: 0, char: 0})
    return idents
  }

  private parseCondition(): Expr | undefined {
    if (this.scanIgnoreWhitespace().tok !== T.WHERE) {
      this.unscan()
      return undefined
    }
    return this.parseExpr()
  }

  private parseDimensions(): Dimension[] {
    if (this.scanIgnoreWhitespace().tok !== T.GROUP) {
      this.unscan()
      return []
    }
    const by = this.scanIgnoreWhitespace()
    if (by.tok !== T.BY) this.expect(by, 'BY')
    const dims: Dimension[] = []
    for (;;) {
      const re = this.parseRegex()
      if (re !== undefined) {
        dims.push({expr: re})
      } else {
        dims.push({expr: this.parseExpr()})
        this.consumeWhitespace()
      }
      if (this.scan().tok !== T.COMMA) {
        this.unscan()
        return dims
      }
    }
  }

  private parseFill(): [Fill, number | bigint | undefined] {
    const t = this.scanIgnoreWhitespace()
    this.unscan()
    if (t.tok !== T.IDENT || t.lit.toLowerCase() !== 'fill') return [Fill.Null, undefined]
    const expr = this.parseExpr()
    if (expr.kind !== 'call') throw ParseError.plain('fill must be a function call')
    if (expr.args.length !== 1) throw ParseError.plain('fill requires an argument, e.g.: 0, null, none, previous, linear')
    const arg = expr.args[0]
    const text = arg.kind === 'varref' && arg.type === DataType.Unknown ? arg.val : undefined
    switch (text) {
      case 'null': return [Fill.Null, undefined]
      case 'none': return [Fill.None, undefined]
      case 'previous': return [Fill.Previous, undefined]
      case 'linear': return [Fill.Linear, undefined]
    }
    if (arg.kind === 'integer') return [Fill.Number, arg.val]
    if (arg.kind === 'number') return [Fill.Number, arg.val]
    throw ParseError.plain('expected number argument in fill()')
  }

  private parseLocation(): string | undefined {
    const t = this.scanIgnoreWhitespace()
    this.unscan()
    if (t.tok !== T.IDENT || t.lit.toLowerCase() !== 'tz') return undefined
    const expr = this.parseExpr()
    if (expr.kind !== 'call') throw ParseError.plain('tz must be a function call')
    if (expr.args.length !== 1) throw ParseError.plain('tz requires exactly one argument')
    const arg = expr.args[0]
    if (arg.kind !== 'string') throw ParseError.plain('expected string argument in tz()')
    if (!isKnownZone(arg.val)) throw ParseError.plain(`unable to find time zone ${arg.val}`)
    return arg.val
  }

  private parseOptionalTokenAndInt(tok: Tok): number {
    if (this.scanIgnoreWhitespace().tok !== tok) {
      this.unscan()
      return 0
    }
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.INTEGER) this.expect(t, 'integer')
    // influxd ignores the parse error of an oversized number and keeps 0 (strconv gives the clamped value: we keep the limit).
    const n = BigInt(t.lit)
    const v = n > INT64_MAX ? INT64_MAX : n
    return Number(v > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : v)
  }

  private parseOrderBy(): SortField[] {
    if (this.scanIgnoreWhitespace().tok !== T.ORDER) {
      this.unscan()
      return []
    }
    const by = this.scanIgnoreWhitespace()
    if (by.tok !== T.BY) this.expect(by, 'BY')
    return this.parseSortFields()
  }

  private parseSortFields(): SortField[] {
    const fields: SortField[] = []
    const t = this.scanIgnoreWhitespace()
    if (t.tok === T.ASC || t.tok === T.DESC) {
      fields.push({name: '', ascending: t.tok === T.ASC})
    } else if (t.tok === T.IDENT) {
      this.unscan()
      const f = this.parseSortField()
      if (t.lit !== 'time') throw ParseError.plain('only ORDER BY time supported at this time')
      fields.push(f)
    } else {
      this.expect(t, 'identifier', 'ASC', 'DESC')
    }
    while (this.accept(T.COMMA)) fields.push(this.parseSortField())
    if (fields.length > 1) throw ParseError.plain('only ORDER BY time supported at this time')
    return fields
  }

  private parseSortField(): SortField {
    const name = this.parseIdent()
    const t = this.scanIgnoreWhitespace()
    if (t.tok !== T.ASC && t.tok !== T.DESC) {
      this.unscan()
      return {name, ascending: true}
    }
    return {name, ascending: t.tok === T.ASC}
  }

  // ----- Expressions

  parseVarRef(): Expr {
    const segments = this.parseSegmentedIdents()
    let type: DataType = DataType.Unknown
    if (this.scan().tok === T.DOUBLECOLON) {
      const t = this.scan()
      if (t.tok === T.IDENT) {
        switch (t.lit.toLowerCase()) {
          case 'float': type = DataType.Float; break
          case 'integer': type = DataType.Integer; break
          case 'unsigned': type = DataType.Unsigned; break
          case 'string': type = DataType.String; break
          case 'boolean': type = DataType.Boolean; break
          default: this.expect(t, 'float', 'integer', 'unsigned', 'string', 'boolean', 'field', 'tag')
        }
      } else if (t.tok === T.FIELD) {
        type = DataType.AnyField
      } else if (t.tok === T.TAG) {
        type = DataType.Tag
      } else {
        this.expect(t, 'float', 'integer', 'string', 'boolean', 'field', 'tag')
      }
    } else {
      this.unscan()
    }
    return {kind: 'varref', val: segments.join('.'), type}
  }

  /**
   * Binary expressions by precedence (influxd's right-spine insertion: left-associative at equal precedence). The
   * height of the tree is tracked so that a chain of thousands of operators is refused before any recursive walk of
   * the tree could exhaust the stack.
   */
  parseExpr(): Expr {
    const heights = new Map<Expr, number>()
    const first = this.parseUnaryExpr()
    heights.set(first, this.height)
    const root: {rhs: Expr} = {rhs: first}
    for (;;) {
      const opTok = this.scanIgnoreWhitespace()
      const op = opTok.tok
      if (!isOperator(op)) {
        this.unscan()
        this.height = heights.get(root.rhs)!
        return root.rhs
      }
      let rhs: Expr
      if (op === T.EQREGEX || op === T.NEQREGEX) {
        const re = this.parseRegex()
        if (re === undefined) {
          const t = this.scanIgnoreWhitespace()
          this.expect(t, 'regex')
        }
        rhs = re!
        heights.set(rhs, 1)
      } else {
        rhs = this.parseUnaryExpr()
        heights.set(rhs, this.height)
      }
      const spine: Array<{rhs: Expr}> = []
      let node: {rhs: Expr} = root
      for (;;) {
        spine.push(node)
        const r = node.rhs
        if (r.kind !== 'binary' || precedence(r.op) >= precedence(op)) {
          const created: Expr = {kind: 'binary', op, lhs: node.rhs, rhs}
          heights.set(created, 1 + Math.max(heights.get(node.rhs)!, heights.get(rhs)!))
          node.rhs = created
          break
        }
        node = r
      }
      // Heights change only along the spine just walked (at most one node per precedence level).
      for (let i = spine.length - 1; i >= 1; i--) {
        const b = spine[i] as Expr & {kind: 'binary'}
        heights.set(b, 1 + Math.max(heights.get(b.lhs)!, heights.get(b.rhs)!))
      }
      if (heights.get(root.rhs)! + this.depth > MAX_DEPTH) this.tooDeep(opTok.pos)
    }
  }

  /** Height of the expression parsed last (1 for a leaf). */
  private height = 1

  private tooDeep(pos: Pos): never {
    throw ParseError.at(`expression nests too deeply (more than ${MAX_DEPTH} levels)`, pos)
  }

  private parseUnaryExpr(): Expr {
    const first = this.scanIgnoreWhitespace()
    if (first.tok === T.LPAREN) {
      this.enter(first.pos)
      const expr = this.parseExpr()
      const t = this.scanIgnoreWhitespace()
      if (t.tok !== T.RPAREN) this.expect(t, ')')
      this.leave()
      this.height += 1
      return {kind: 'paren', expr}
    }
    this.unscan()
    this.height = 1

    const t = this.scanIgnoreWhitespace()
    switch (t.tok) {
      case T.IDENT: {
        if (this.scan().tok === T.LPAREN) return this.parseCall(t.lit, t.pos)
        this.unscan()
        this.unscan()
        return this.parseVarRef()
      }
      case T.DISTINCT: {
        const t0 = this.scan()
        if (t0.tok === T.LPAREN) return this.parseCall('distinct', t.pos)
        if (t0.tok === T.WS) {
          const t1 = this.scanIgnoreWhitespace()
          if (t1.tok !== T.IDENT) this.expect(t1, 'identifier')
          return {kind: 'distinct', val: t1.lit}
        }
        return this.expect(t0, '(', 'identifier')
      }
      case T.STRING: return {kind: 'string', val: t.lit}
      case T.NUMBER: {
        const v = Number(t.lit)
        if (Number.isNaN(v)) throw ParseError.at('unable to parse number', t.pos)
        if (!Number.isFinite(v)) throw ParseError.at('unable to parse number', t.pos)
        return {kind: 'number', val: v}
      }
      case T.INTEGER: {
        const v = BigInt(t.lit)
        if (v <= INT64_MAX) return {kind: 'integer', val: v}
        if (v <= UINT64_MAX) return {kind: 'unsigned', val: v}
        throw ParseError.at('unable to parse integer', t.pos)
      }
      case T.TRUE: case T.FALSE: return {kind: 'boolean', val: t.tok === T.TRUE}
      case T.DURATIONVAL:
        try {
          return {kind: 'duration', val: parseDuration(t.lit)}
        } catch (err) {
          if (err instanceof DurationError) throw ParseError.plain(err.message)
          throw err
        }
      case T.MUL: {
        if (this.scan().tok === T.DOUBLECOLON) {
          const t1 = this.scan()
          if (t1.tok === T.FIELD || t1.tok === T.TAG) return {kind: 'wildcard', type: t1.tok}
          this.expect(t1, 'field', 'tag')
        }
        this.unscan()
        return {kind: 'wildcard', type: 0}
      }
      case T.REGEX: return this.compileRegex(t.lit, t.pos)
      case T.BOUNDPARAM: {
        const k = t.lit.startsWith('$') ? t.lit.slice(1) : t.lit
        if (k.length === 0) throw ParseError.plain('empty bound parameter')
        // A parameter that failed to bind arrives here with its error text as the literal; influxd then looks that
        // text up as a name, so the message reads "missing parameter: <error>".
        const v = this.params.get(k)
        if (v === undefined) throw ParseError.plain(`missing parameter: ${k}`)
        throw ParseError.plain(v.lit)
      }
      case T.ADD: case T.SUB: {
        const neg = t.tok === T.SUB
        const t0 = this.scanIgnoreWhitespace()
        if (t0.tok !== T.NUMBER && t0.tok !== T.INTEGER && t0.tok !== T.DURATIONVAL && t0.tok !== T.LPAREN && t0.tok !== T.IDENT) {
          this.expect(t0, 'identifier', 'number', 'duration', '(')
        }
        this.unscan()
        this.enter(t.pos)
        const lit = this.parseUnaryExpr()
        this.leave()
        if (lit.kind === 'varref' || lit.kind === 'call' || lit.kind === 'paren') this.height += 1
        switch (lit.kind) {
          case 'number': return neg ? {kind: 'number', val: -lit.val} : lit
          case 'integer': return neg ? {kind: 'integer', val: BigInt.asIntN(64, -lit.val)} : lit
          case 'unsigned':
            if (neg) {
              if (lit.val === INT64_MAX + 1n) return {kind: 'integer', val: INT64_MIN}
              throw ParseError.plain(`constant -${lit.val} underflows int64`)
            }
            return lit
          case 'duration': return neg ? {kind: 'duration', val: BigInt.asIntN(64, -lit.val)} : lit
          case 'varref': case 'call': case 'paren':
            return {kind: 'binary', op: T.MUL, lhs: {kind: 'integer', val: neg ? -1n : 1n}, rhs: lit}
          default:
            // influxd panics here (a bound parameter that became a string after a sign); refuse it instead.
            throw ParseError.at('unexpected literal after sign', t0.pos)
        }
      }
    }
    return this.expect(t, 'identifier', 'string', 'number', 'bool')
  }

  private compileRegex(lit: string, pos: Pos): RegexLiteral {
    try {
      return {kind: 'regex', val: compileGoRegex(lit)}
    } catch (err) {
      if (err instanceof RegexSyntaxError) throw ParseError.at(err.message, pos)
      throw err
    }
  }

  /** A regex literal if the next non-space character starts one (or a bound parameter that is one). */
  parseRegex(): RegexLiteral | undefined {
    let next = this.peekRune()
    if (isWhitespace(next)) this.consumeWhitespace()
    next = this.peekRune()
    if (next === 0x24) {
      const t = this.scan()
      this.unscan()
      if (t.tok !== T.REGEX) return undefined
    } else if (next !== 0x2f) {
      return undefined
    }
    const t = this.scanRegexToken()
    if (t.tok === T.BADESCAPE) throw ParseError.at(`bad escape: ${t.lit}`, t.pos)
    if (t.tok === T.BADREGEX) throw ParseError.at(`bad regex: ${t.lit}`, t.pos)
    if (t.tok !== T.REGEX) this.expect(t, 'regex')
    return this.compileRegex(t.lit, t.pos)
  }

  private parseCall(rawName: string, pos: Pos): Expr {
    this.enter(pos)
    const name = rawName.toLowerCase()
    const args: Expr[] = []
    let h = 1
    const re = this.parseRegex()
    if (re !== undefined) {
      args.push(re)
    } else {
      if (this.scan().tok === T.RPAREN) {
        this.leave()
        this.height = 1
        return {kind: 'call', name, args: []}
      }
      this.unscan()
      args.push(this.parseExpr())
      h = Math.max(h, this.height)
    }
    for (;;) {
      if (this.scanIgnoreWhitespace().tok !== T.COMMA) {
        this.unscan()
        break
      }
      const r = this.parseRegex()
      if (r !== undefined) {
        args.push(r)
        continue
      }
      args.push(this.parseExpr())
      h = Math.max(h, this.height)
    }
    const t = this.scan()
    if (t.tok !== T.RPAREN) this.expect(t, ')')
    this.leave()
    this.height = h + 1
    return {kind: 'call', name, args}
  }
}

/**
 * A comparison or logical operator in a SELECT field, if any (influxd refuses them there). Like influxd's walk, it
 * does not look inside an offending expression, and when several are found the last one in walk order is named.
 */
function findComparison(e: Expr): Tok | undefined {
  let found: Tok | undefined
  const stack: Expr[] = [e]
  while (stack.length > 0) {
    const x = stack.pop()!
    switch (x.kind) {
      case 'binary':
        switch (x.op) {
          case T.EQ: case T.NEQ: case T.EQREGEX: case T.NEQREGEX: case T.LT: case T.LTE: case T.GT: case T.GTE: case T.AND: case T.OR:
            found = x.op
            continue
        }
        stack.push(x.rhs, x.lhs)
        break
      case 'paren': stack.push(x.expr); break
      case 'call': for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]); break
      default: break
    }
  }
  return found
}

function containsCall(e: Expr): boolean {
  switch (e.kind) {
    case 'call': return true
    case 'binary': return containsCall(e.lhs) || containsCall(e.rhs)
    case 'paren': return containsCall(e.expr)
    default: return false
  }
}

/** The GROUP BY time() interval of a select (0 when none), or influxd's error text for a malformed one. */
export function groupByInterval(s: SelectStatement): [bigint, string | undefined] {
  for (const d of s.dimensions) {
    if (d.expr.kind === 'call' && d.expr.name === 'time') {
      const n = d.expr.args.length
      if (n < 1 || n > 2) return [0n, 'time dimension expected 1 or 2 arguments']
      const lit = d.expr.args[0]
      if (lit.kind !== 'duration') return [0n, 'time dimension must have duration argument']
      return [lit.val, undefined]
    }
  }
  return [0n, undefined]
}

/** Zones influxd can load by name (Go's tzdata): the dev cluster knows UTC only, and refuses others later. */
function isKnownZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: name})
    return true
  } catch {
    return false
  }
}

/** Parses a whole query (statements separated by `;`). Throws ParseError. */
export function parseQuery(src: string, params?: ReadonlyMap<string, BoundValue>): Statement[] {
  return new Parser(src, params).parseQuery()
}

export function parseStatement(src: string, params?: ReadonlyMap<string, BoundValue>): Statement {
  return new Parser(src, params).parseStatement()
}

export function parseExpr(src: string, params?: ReadonlyMap<string, BoundValue>): Expr {
  return new Parser(src, params).parseExpr()
}

export {formatFloatPlain as formatFloatF}
