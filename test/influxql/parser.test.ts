// The InfluxQL parser against facts recorded from influxd 1.6.7: which queries parse, the exact error texts and
// positions, statement printing, bound parameters, Go regular expressions, and the limits that keep hostile input
// from blowing the stack or going quadratic.
import {describe, expect, it} from 'vitest'
import {
  type Expr, MAX_DEPTH, ParseError, compileGoRegex, decodeParams, exprString, formatDuration, goDurationString, parseDuration, parseExpr,
  parseQuery, parseStatement, regexMatch, statementString, translateGoRegex,
} from '../../src/influxql/index.js'
import {parseQueryRequest} from '../../src/devcluster/data/query/index.js'
import {expectLinear} from '../helpers/fuzz.js'
import {INFLUXD_PARSE_CASES} from './influxd-parse-cases.js'
import {adminSequence, readQueries} from '../devcluster/data/query/conformance-data.js'

const errorOf = (q: string, params?: string): string => {
  const r = parseQueryRequest(q, params)
  return r.ok ? '' : r.error
}

describe('influxd 1.6.7 parse answers', () => {
  it(`gives influxd's error text, or parses, for each of ${INFLUXD_PARSE_CASES.length} recorded queries`, () => {
    const wrong: string[] = []
    for (const [q, status, error] of INFLUXD_PARSE_CASES) {
      const got = errorOf(q, '{"y":1}')
      if (status === 400 ? got !== error : got !== '') wrong.push(`${JSON.stringify(q)}\n  influxd: ${status === 400 ? error : 'parsed'}\n  ours:    ${got || 'parsed'}`)
    }
    expect(wrong, wrong.join('\n')).toEqual([])
  })

  it('counts lines and characters from 1, across newlines', () => {
    // Both texts as influxd 1.6.7 answered them (the handler trims the query before parsing).
    expect(errorOf('SELECT a\nFROM cpu\nWHERE b = ')).toBe('error parsing query: found EOF, expected identifier, string, number, bool at line 3, char 10')
    expect(errorOf('SELECT a FROM cpu; SELECT b FROM')).toBe('error parsing query: found EOF, expected identifier at line 1, char 34')
  })

  it('trims the query and refuses an empty one like the HTTP handler', () => {
    expect(errorOf('   \n\t ')).toBe('missing required parameter "q"')
    expect(parseQueryRequest('  SHOW DATABASES  ').ok).toBe(true)
    const none = parseQueryRequest(';')
    expect(none.ok && none.statements.length).toBe(0)
  })

  it('throws ParseError (never another error) with the position it found', () => {
    try {
      parseQuery('SELECT a FROM cpu WHERE a = ')
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ParseError)
      expect((err as ParseError).found).toBe('EOF')
      expect((err as ParseError).pos).toEqual(expect.objectContaining({line: 0, char: 29}))
    }
  })
})

describe('statement printing', () => {
  it('prints SELECT the way influxd does (keywords, quoting, durations, numbers)', () => {
    const cases: Array<[string, string]> = [
      ["select mean(v) as m from db..cpu where host='a' and time > now() - 1h group by time(5m) fill(none) order by time desc limit 3",
        "SELECT mean(v) AS m FROM db..cpu WHERE host = 'a' AND time > now() - 1h GROUP BY time(5m) fill(none) ORDER BY time DESC LIMIT 3"],
      ['SELECT "select", "with space", _x, "1a" FROM "we ird"', 'SELECT "select", "with space", _x, "1a" FROM "we ird"'],
      ["SELECT percentile(v, 99.5) FROM cpu WHERE a = 1.5 AND d = 'x\\'y' AND c !~ /x\\/y/", "SELECT percentile(v, 99.500) FROM cpu WHERE a = 1.500 AND d = 'x\\'y' AND c !~ /x\\/y/"],
      ['SELECT -mean(v) FROM cpu GROUP BY time(7d)', 'SELECT -1 * mean(v) FROM cpu GROUP BY time(1w)'],
      ['SELECT v::float, t::tag FROM cpu SLIMIT 2 SOFFSET 1', 'SELECT v::float, t::tag FROM cpu SLIMIT 2 SOFFSET 1'],
      ["SELECT mean(v) FROM cpu GROUP BY time(1h, -10m), * fill(-1.5) tz('Europe/Paris')", "SELECT mean(v) FROM cpu GROUP BY time(1h, -10m), * fill(-1.5) TZ('Europe/Paris')"],
    ]
    for (const [q, want] of cases) expect(statementString(parseStatement(q))).toBe(want)
  })

  it('prints every statement of the conformance set so that it parses back to the same text', () => {
    const all = [...readQueries(), ...adminSequence().map((a) => a.q)]
    let checked = 0
    for (const q of all) {
      let statements
      try {
        statements = parseQuery(q)
      } catch {
        continue
      }
      for (const s of statements) {
        const text = statementString(s)
        // influxd prints passwords as [REDACTED], which does not parse back, on purpose.
        if (text.includes('[REDACTED]')) continue
        expect(statementString(parseStatement(text)), q).toBe(text)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(250)
  })
})

describe('durations', () => {
  it("parses InfluxQL duration literals and prints them like influxql's FormatDuration and Go's Duration.String", () => {
    expect(parseDuration('1h30m')).toBe(5_400_000_000_000n)
    expect(parseDuration('1w')).toBe(604_800_000_000_000n)
    expect(parseDuration('15u')).toBe(15_000n)
    expect(parseDuration('3ns')).toBe(3n)
    expect(() => parseDuration('1y')).toThrow('invalid duration')
    expect(formatDuration(604_800_000_000_000n)).toBe('1w')
    expect(formatDuration(90n * 60_000_000_000n)).toBe('90m')
    expect(formatDuration(1500n)).toBe('1500ns')
    expect(goDurationString(168n * 3_600_000_000_000n)).toBe('168h0m0s')
    expect(goDurationString(0n)).toBe('0s')
    expect(goDurationString(1_500_000n)).toBe('1.5ms')
    expect(goDurationString(9_223_372_036_854_775_807n)).toBe('2562047h47m16.854775807s')
  })
})

describe('bound parameters', () => {
  it('substitutes $name from the params JSON: numbers, strings, booleans, and refuses missing ones', () => {
    const p = decodeParams('{"host": "a", "n": 5, "f": 1.5, "ok": true}')
    expect(p.ok).toBe(true)
    if (!p.ok) return
    const s = parseStatement('SELECT v FROM cpu WHERE host = $host AND n > $n AND f < $f AND ok = $ok', p.params)
    expect(statementString(s)).toBe("SELECT v FROM cpu WHERE host = 'a' AND n > 5 AND f < 1.500 AND ok = true")
    expect(errorOf('SELECT v FROM cpu WHERE host = $nope', '{"host":"a"}')).toBe('error parsing query: missing parameter: nope')
    expect(errorOf('SELECT v FROM cpu WHERE host = $host', '{"host":')).toBe('error parsing query parameters: unexpected EOF')
  })
})

describe('Go regular expressions', () => {
  it("translates Go syntax and reports Go's errors", () => {
    expect(regexMatch(compileGoRegex('^cpu\\d+$'), 'cpu12')).toBe(true)
    expect(regexMatch(compileGoRegex('(?i)^CPU'), 'cpu')).toBe(true)
    expect(regexMatch(compileGoRegex('(?P<n>x)y'), 'xy')).toBe(true)
    expect(regexMatch(compileGoRegex('[[:digit:]]+'), 'a1')).toBe(true)
    expect(() => compileGoRegex('(')).toThrow('error parsing regexp: missing closing ): `(`')
    expect(() => compileGoRegex('a**')).toThrow('error parsing regexp: invalid nested repetition operator: `**`')
    expect(() => compileGoRegex('\\8')).toThrow('error parsing regexp: invalid escape sequence: `\\8`')
  })
})

describe('limits on hostile input', () => {
  const depthError = (q: string): string => errorOf(q)

  it(`refuses nesting deeper than ${MAX_DEPTH} levels with a clear error instead of overflowing the stack`, () => {
    const parens = (n: number): string => 'SELECT a FROM cpu WHERE ' + '('.repeat(n) + 'a = 1' + ')'.repeat(n)
    expect(depthError(parens(900))).toBe('')
    expect(depthError(parens(100_000))).toMatch(/^error parsing query: expression nests too deeply \(more than 1000 levels\) at line 1, char \d+$/)
    expect(depthError('SELECT ' + 'abs('.repeat(50_000) + 'a' + ')'.repeat(50_000) + ' FROM cpu')).toMatch(/nests too deeply/)
    expect(depthError('SELECT a FROM ' + '(SELECT a FROM '.repeat(20_000) + 'cpu' + ')'.repeat(20_000))).toMatch(/nests too deeply/)
    expect(depthError('SELECT ' + Array(100_000).fill('a').join(' + ') + ' FROM cpu')).toMatch(/nests too deeply/)
    expect(depthError('SELECT ' + Array(900).fill('a').join(' + ') + ' FROM cpu')).toBe('')
  })

  it('parses 10,000 statements in one query, in time linear in their number', () => {
    const many = 'SELECT mean(v) FROM cpu WHERE host = \'a\' GROUP BY time(1m);'.repeat(10_000)
    expect(parseQuery(many)).toHaveLength(10_000)
    const report = expectLinear((n) => 'SELECT a FROM cpu WHERE b = 1;'.repeat(n), (q) => parseQuery(q), 500)
    expect(report.growth).toBeLessThanOrEqual(2.5)
  })

  // Long single tokens: a doubling test of these is at the mercy of the garbage collector on this shared machine
  // (growth between x1.5 and x3.6 from run to run), so the check is a time bound that any quadratic scan misses by
  // far: half a million characters of string, identifier or regex take seconds, not the minutes of an O(n²) scanner.
  it('scans half-megabyte strings, identifiers and regexes in bounded time', () => {
    const inputs = [
      `SELECT a FROM cpu WHERE b = '${'x\\\''.repeat(175_000)}'`,
      `SELECT "${'y'.repeat(500_000)}" FROM cpu`,
      `SELECT a FROM cpu WHERE b =~ /${'ab|'.repeat(150_000)}c/`,
    ]
    for (const q of inputs) {
      const t0 = performance.now()
      expect(parseQuery(q)).toHaveLength(1)
      expect(performance.now() - t0).toBeLessThan(8_000)
    }
    const t0 = performance.now()
    translateGoRegex('x'.repeat(500_000))
    expect(performance.now() - t0).toBeLessThan(8_000)
  }, 60_000)

  it('prints what it parsed without recursion trouble at the depth limit', () => {
    const e: Expr = parseExpr('(' .repeat(900) + 'a' + ')'.repeat(900))
    expect(exprString(e)).toBe('('.repeat(900) + 'a' + ')'.repeat(900))
  })
})
