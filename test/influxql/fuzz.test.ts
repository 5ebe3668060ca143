// Fuzzing the InfluxQL lexer/parser, the params decoder and the Go regex translator with seeded, bounded inputs:
// nothing but their own errors may escape, no input may take long, and what parses must print and parse again.
import {describe, expect, it} from 'vitest'
import {
  ParseError, RegexSyntaxError, compileGoRegex, decodeParams, parseQuery, regexMatch, sanitizeQuery, statementString,
} from '../../src/influxql/index.js'
import {adminSequence, readQueries} from '../devcluster/data/query/conformance-data.js'
import {NASTY, expectLinear, fuzz, mutate, randomText} from '../helpers/fuzz.js'

const SEEDS = [...readQueries(), ...adminSequence().map((a) => a.q),
  "SELECT mean(v) FROM db.rp.\"m x\" WHERE t =~ /^a|b$/ AND time > now() - 1h GROUP BY time(1m, 5s), * fill(linear) ORDER BY time DESC LIMIT 1 SLIMIT 2",
  'CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 1m FOR 1h BEGIN SELECT count(x) INTO y FROM z GROUP BY time(5m) END',
  "SHOW TAG VALUES ON db FROM cpu WITH KEY IN (a, \"b c\") WHERE x = 'y' LIMIT 3 OFFSET 1", 'DELETE FROM /c.*/ WHERE time < 10',
  "SET PASSWORD FOR u = 'p'", 'GRANT ALL PRIVILEGES TO u', 'SHOW STATS FOR \'shard\'', 'DROP SERIES FROM cpu WHERE host = \'a\'',
]

const KEYWORDS = ['SELECT', 'FROM', 'WHERE', 'GROUP BY', 'time(1m)', 'fill(', 'AND', 'OR', '(', ')', ';', '::', '=~', '/', "'", '"', '$p', '-',
  'now()', '1h', '1e10', '.', ',', '*', 'LIMIT', 'ON', 'WITH', 'BEGIN', 'END', 'INTO', 'SHOW', 'DROP', 'CREATE']

/** Parses; anything but a ParseError is a bug. Returns the statements or undefined. */
function tryParse(q: string): ReturnType<typeof parseQuery> | undefined {
  try {
    return parseQuery(q)
  } catch (err) {
    if (!(err instanceof ParseError)) throw err
    expect(err.message).toMatch(/\S/)
    return undefined
  }
}

describe('InfluxQL parser fuzz', () => {
  it('random text: parses or gives a ParseError, quickly', () => {
    const r = fuzz('influxql-random', {seed: 11, iterations: 4000, budgetMs: 2500, maxMsPerInput: 250}, (rng) => {
      if (rng.chance(0.5)) return randomText(rng, rng.int(0, 200))
      const parts: string[] = []
      for (let k = rng.int(1, 30); k > 0; k--) parts.push(rng.chance(0.7) ? rng.pick(KEYWORDS) : rng.chance(0.5) ? rng.pick(NASTY) : randomText(rng, rng.int(1, 6)))
      return parts.join(rng.chance(0.8) ? ' ' : '')
    }, (q) => {
      tryParse(q)
    })
    expect(r.iterations).toBeGreaterThan(200)
  })

  it('mutated valid queries: what parses prints and parses back to the same text', () => {
    let parsed = 0
    const r = fuzz('influxql-mutate', {seed: 12, iterations: 6000, budgetMs: 3500, maxMsPerInput: 250}, (rng) => mutate(rng, rng.pick(SEEDS), rng.int(1, 5)), (q) => {
      const statements = tryParse(q)
      if (statements === undefined) return
      parsed++
      for (const s of statements) {
        const text = statementString(s)
        // Like influxd: passwords print as [REDACTED], and an overflowing DURATION wraps into a Go duration with
        // fractional seconds (333333333d prints as 1286797h48m59.389927424s), which no InfluxQL literal can spell.
        if (text.includes('[REDACTED]') || /\d\.\d+s\b/.test(text)) continue
        const again = tryParse(text)
        expect(again, `printed as ${JSON.stringify(text)}`).toBeDefined()
        expect(again!.map(statementString)).toEqual([text])
      }
    })
    expect(r.iterations).toBeGreaterThan(200)
    expect(parsed).toBeGreaterThan(20)
  })

  it('sanitizes any query without throwing (passwords hidden in logs)', () => {
    fuzz('influxql-sanitize', {seed: 13, iterations: 3000, budgetMs: 1000}, (rng) => mutate(rng, rng.pick(SEEDS)), (q) => {
      expect(typeof sanitizeQuery(q)).toBe('string')
    })
    expect(sanitizeQuery("CREATE USER u WITH PASSWORD 'secret'")).not.toContain('secret')
  })

  it('params JSON: decodes or reports an error, never throws', () => {
    const seeds = ['{"a":1}', '{"s":"x","b":true,"f":1.5,"n":null}', '{"a":{"x":1}}', '{"a":[1,2]}', '{"big":18446744073709551615}', '{"e":1e400}']
    fuzz('influxql-params', {seed: 14, iterations: 4000, budgetMs: 1000}, (rng) => (rng.chance(0.3) ? randomText(rng, rng.int(0, 40)) : mutate(rng, rng.pick(seeds))), (raw) => {
      const p = decodeParams(raw)
      // influxd's two messages: the JSON document, then one value (e.g. a number strconv refuses).
      if (!p.ok) expect(p.error).toMatch(/^error parsing (query parameters|json value): /)
    })
  })

  it('Go regex translation: compiles or gives a RegexSyntaxError, and what compiles runs', () => {
    const seeds = ['^cpu.*$', '(?i)a[b-d]+\\d{2,3}', '\\Qa.b\\E|[[:alpha:]]', '(?P<x>a)(?s:.)\\z', 'a{2}{3}', '[^\\n]*?x', '\\x{41}\\pL', '(a|b)*c+?']
    fuzz('influxql-regex', {seed: 15, iterations: 4000, budgetMs: 2000, maxMsPerInput: 250}, (rng) => (rng.chance(0.3) ? randomText(rng, rng.int(0, 30)) : mutate(rng, rng.pick(seeds))), (src) => {
      try {
        const re = compileGoRegex(src)
        regexMatch(re, 'cpu123 abc\nxyz')
      } catch (err) {
        if (!(err instanceof RegexSyntaxError)) throw err
        expect(err.message).toMatch(/^error parsing regexp: /)
      }
    })
  })

  it('stays linear on long streams of statements with mistakes in them', () => {
    const stream = (n: number): string => {
      const parts: string[] = []
      for (let i = 0; i < n; i++) parts.push(SEEDS[i % SEEDS.length])
      // One mistake at the very end: the parser reads everything before refusing.
      return parts.join(';\n') + '; SELECT'
    }
    const report = expectLinear(stream, (q) => {
      expect(tryParse(q)).toBeUndefined()
    }, 300)
    expect(report.growth).toBeLessThanOrEqual(2.5)
  })
})
