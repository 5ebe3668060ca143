// The line-protocol parser's rules one by one (the conformance test checks them against influxd itself; these pin
// the behaviour down without it, and cover what a real server cannot show: default times, hashes, point shapes).
import {describe, expect, it} from 'vitest'

import {decodeUtf8, goQuote, unescapeFieldKey, unescapeName, unescapeStringValue, unescapeTag} from '../../src/lineprotocol/escape.js'
import {type LineError, parseErrorText, partialWriteText, writeAnswer} from '../../src/lineprotocol/errors.js'
import {parseLines, parsePoint} from '../../src/lineprotocol/parse.js'
import {
  defaultTime, fnv1a64, fnv1a64Parts, formatPoints, formatPointsBuffer, MAX_TIME_NS, MIN_TIME_NS, type Point, precisionMultiplier,
  seriesKey, shardIndexFor,
} from '../../src/lineprotocol/point.js'
import {Rng} from '../../src/util/rng.js'

const NOW = 1_700_000_123_456_789_012n

function one(line: string, precision?: string): Point {
  return parsePoint(line, {now: NOW, precision})
}

function reasons(body: string, precision?: string): string[] {
  return parseLines(body, {now: NOW, precision}).errors.map((e) => e.reason)
}

describe('points', () => {
  it('reads measurement, tags, fields of every type and the timestamp', () => {
    const p = one('cpu,host=server01,region=us-west idle=98.2,user=11i,name="a b",up=t,down=FALSE 1700000000000000000')
    expect(p.key).toBe('cpu,host=server01,region=us-west')
    expect(p.measurement).toBe('cpu')
    expect(p.tags).toEqual([['host', 'server01'], ['region', 'us-west']])
    expect(p.fields).toEqual([
      {key: 'idle', type: 'float', value: 98.2},
      {key: 'user', type: 'integer', value: 11n},
      {key: 'name', type: 'string', value: 'a b'},
      {key: 'up', type: 'boolean', value: true},
      {key: 'down', type: 'boolean', value: false},
    ])
    expect(p.time).toBe(1700000000000000000n)
    expect(p.engineError).toBeUndefined()
  })

  it('formatPointsBuffer gives the bytes of formatPoints, for any number of points and non-ASCII text', () => {
    for (const n of [0, 1, 255, 256, 257, 1000]) {
      const body = Array.from({length: n}, (_, i) => `m\\ é,host=h${i % 7} v=${i},s="ü ${i}" ${1_700_000_000_000_000_000n + BigInt(i)}`).join('\n')
      const {points, errors} = parseLines(Buffer.from(body), {precision: 'n', now: 0n})
      expect(errors).toEqual([])
      expect(points).toHaveLength(n)
      expect(formatPointsBuffer(points).equals(Buffer.from(formatPoints(points), 'utf8'))).toBe(true)
    }
  })

  it('sorts tags by key in byte order and keeps the escaped text in the key', () => {
    const p = one('cpu,zone=c,host=a\\ b,Host=x,é=1,e=2 v=1 1')
    expect(p.key).toBe('cpu,Host=x,e=2,host=a\\ b,zone=c,é=1')
    expect(p.tags).toEqual([['Host', 'x'], ['e', '2'], ['host', 'a b'], ['zone', 'c'], ['é', '1']])
  })

  it('orders tag keys by UTF-8 bytes, not UTF-16 units (U+FFFF before U+1F600)', () => {
    expect(one('m,\u{1F600}=1,\uFFFF=2 v=1 1').key).toBe('m,\uFFFF=2,\u{1F600}=1')
  })

  it('unescapes as influxd: names drop \\ before , " space =; tags , space =; string values \\\\ and \\"', () => {
    const p = one('c\\ p\\,u\\=x\\",t\\=k=v\\ \\,\\=\\x f\\ \\"k\\=="a\\"b\\\\c\\d" 1')
    expect(p.measurement).toBe('c p,u=x"')
    expect(p.tags).toEqual([['t=k', 'v ,=\\x']])
    expect(p.fields[0]).toEqual({key: 'f "k=', type: 'string', value: 'a"b\\c\\d'})
    expect(unescapeName('a\\\\,b')).toBe('a\\,b')
    expect(unescapeTag('a\\\\,b')).toBe('a\\,b')
    expect(unescapeFieldKey('tail\\')).toBe('tail\\')
    expect(unescapeStringValue('\\\\\\"')).toBe('\\"')
  })

  it('keeps what follows a closing quote, as influxd does ("x"y reads as x")', () => {
    expect(one('m v="x"y 1').fields[0]).toEqual({key: 'v', type: 'string', value: 'x"'})
  })

  it('reads the boundary integers and refuses one past them', () => {
    expect(one('m v=9223372036854775807i 1').fields[0].value).toBe(9223372036854775807n)
    expect(one('m v=-9223372036854775808i 1').fields[0].value).toBe(-9223372036854775808n)
    expect(reasons('m v=9223372036854775808i')).toEqual(['unable to parse integer 9223372036854775808: strconv.ParseInt: parsing "9223372036854775808": value out of range'])
  })

  it('keeps -0 and reads floats exactly', () => {
    expect(Object.is(one('m v=-0 1').fields[0].value, -0)).toBe(true)
    expect(one('m v=1.7976931348623157e308 1').fields[0].value).toBe(Number.MAX_VALUE)
    expect(one('m v=.5 1').fields[0].value).toBe(0.5)
    expect(one('m v=5. 1').fields[0].value).toBe(5)
    expect(one('m v=1e-400 1').fields[0].value).toBe(0)
  })

  it('accepts every boolean spelling influxd accepts and no other', () => {
    for (const t of ['t', 'T', 'true', 'True', 'TRUE']) expect(one(`m v=${t} 1`).fields[0].value).toBe(true)
    for (const f of ['f', 'F', 'false', 'False', 'FALSE']) expect(one(`m v=${f} 1`).fields[0].value).toBe(false)
    for (const bad of ['tRue', 'tru', 'truee', 'yes', 'fAlse']) expect(reasons(`m v=${bad}`)).toEqual(['invalid boolean'])
  })

  it('refuses unsigned values as the shipped 1.x binary does', () => {
    expect(reasons('m v=1u\nm v=0u\nm v=-1u')).toEqual(['invalid number', 'invalid number', 'invalid number'])
  })

  it('refuses NaN, Inf and out-of-range floats', () => {
    expect(reasons('m v=NaN\nm v=-Inf\nm v=inf\nm v=1e400\nm v=Infinity')).toEqual(['invalid number', 'invalid number', 'invalid boolean', 'invalid float', 'invalid boolean'])
  })

  it('gives a point influxd stores but its engine refuses an engineError (field keys like a\\\\=...)', () => {
    expect(one('m a\\\\="x=y" 5').engineError).toBe('unable to parse bool value "y\\"": strconv.ParseBool: parsing "y\\"": invalid syntax')
    expect(one('m2 a\\\\="x=,c=1" 5').engineError).toBe('unknown field type for a\\="x: m2 a\\\\="x=,c=1" 5')
  })

  it('computes the index key (MakeKey) from the unescaped parts', () => {
    expect(seriesKey(one('c\\=pu,t=a\\"b v=1 1'))).toBe('c=pu,t=a\\"b')
    expect(seriesKey(one('c\\ pu,t\\==a\\,b v=1 1'))).toBe('c\\ pu,t\\==a\\,b')
    const plain = one('cpu,host=a v=1 1')
    expect(seriesKey(plain)).toBe(plain.key)
  })
})

describe('time', () => {
  it('scales timestamps by precision; unknown precisions, ns and us mean nanoseconds in 1.6.7', () => {
    const cases: Array<[string | undefined, bigint]> = [
      [undefined, 1n], ['', 1n], ['n', 1n], ['ns', 1n], ['us', 1n], ['x', 1n], ['u', 1000n], ['ms', 1_000_000n],
      ['s', 1_000_000_000n], ['m', 60_000_000_000n], ['h', 3_600_000_000_000n],
    ]
    for (const [precision, unit] of cases) {
      expect(precisionMultiplier(precision)).toBe(unit)
      expect(one('m v=1 7', precision).time).toBe(7n * unit)
      expect(one('m v=1 -7', precision).time).toBe(-7n * unit)
    }
  })

  it('gives lines without a timestamp `now` truncated down to the precision', () => {
    expect(one('m v=1').time).toBe(NOW)
    expect(one('m v=1', 'us').time).toBe(NOW)
    expect(one('m v=1', 'u').time).toBe(1_700_000_123_456_789_000n)
    expect(one('m v=1', 'ms').time).toBe(1_700_000_123_456_000_000n)
    expect(one('m v=1', 's').time).toBe(1_700_000_123_000_000_000n)
    expect(one('m v=1', 'm').time).toBe(1_700_000_100_000_000_000n)
    expect(one('m v=1', 'h').time).toBe(1_699_999_200_000_000_000n)
    expect(defaultTime(-1n, 's')).toBe(-1_000_000_000n)
  })

  it('refuses times outside the valid range, after scaling', () => {
    const range = 'time outside range -9223372036854775806 - 9223372036854775806'
    expect(one(`m v=1 ${MAX_TIME_NS}`).time).toBe(MAX_TIME_NS)
    expect(one(`m v=1 ${MIN_TIME_NS}`).time).toBe(MIN_TIME_NS)
    // The range is checked before what follows the timestamp.
    expect(reasons('m v=1 9223372036854775807\nm v=1 -9223372036854775808\nm v=1 2562048 h\nm v=1 2562047 h', 'h')).toEqual([range, range, range, 'point is invalid'])
    expect(reasons('m v=1 99999999999999999999')).toEqual(['strconv.ParseInt: parsing "99999999999999999999": value out of range'])
    expect(reasons('m v=1 -')).toEqual(['strconv.ParseInt: parsing "-": invalid syntax'])
  })

  it('allows trailing spaces after the timestamp, nothing else', () => {
    expect(one('m v=1 5   ').time).toBe(5n)
    expect(reasons('m v=1 5 6\nm v=1 5\t\nm v=1 5x')).toEqual(['point is invalid', 'bad timestamp', 'bad timestamp'])
  })
})

describe('bodies', () => {
  it('skips blank lines, whitespace-only lines and comments', () => {
    const r = parseLines('\n  \n\t\n# c\n   # indented\nm v=1 1\n\n', {now: NOW})
    expect(r.points).toHaveLength(1)
    expect(r.errors).toEqual([])
  })

  it('keeps \\r: CRLF lines mostly fail, as in influxd', () => {
    const r = parseLines('m v=1\r\nm v=1 1\r\nm v="x"\r\n', {now: NOW})
    expect(r.errors.map((e) => e.message)).toEqual(["unable to parse 'm v=1\r': invalid number", "unable to parse 'm v=1 1\r': bad timestamp"])
    expect(r.points[0].fields[0].value).toBe('x"')
  })

  it('joins a newline inside quotes, or after a backslash, to the line', () => {
    const r = parseLines('m v="a\nb" 1\nm\\\nx v=1 2', {now: NOW})
    expect(r.points.map((p) => p.fields[0].value)).toEqual(['a\nb', 1])
    expect(r.points[1].measurement).toBe('m\\\nx')
  })

  it('names each bad line (leading whitespace removed) and joins the texts with newlines', () => {
    const r = parseLines('a v=1 1\n  b v=\nc v=2 x', {now: NOW})
    expect(r.points).toHaveLength(1)
    expect(parseErrorText(r.errors)).toBe("unable to parse 'b v=': missing field value\nunable to parse 'c v=2 x': bad timestamp")
  })

  it('reads bytes as UTF-8, one U+FFFD per invalid byte as Go prints them', () => {
    const r = parseLines(Uint8Array.from([...Buffer.from('m v='), 0xe2, 0x82, 0x20, 0x78]), {now: NOW})
    expect(r.errors[0].message).toBe("unable to parse 'm v=\ufffd\ufffd x': invalid boolean")
    expect(decodeUtf8(Buffer.from([0xf0, 0x9f, 0x98]))).toBe('\ufffd\ufffd\ufffd')
    expect(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0x80]))).toBe('\ufffd'.repeat(5))
    expect(decodeUtf8(Buffer.from('ok ✓ 😀'))).toBe('ok ✓ 😀')
  })

  it('refuses keys over 65535 bytes, counting UTF-8 bytes', () => {
    // The series key alone, then series key + 4 + field key.
    expect(reasons(`${'m'.repeat(65530)} v=1 1`)).toEqual([])
    expect(reasons(`${'m'.repeat(65531)} v=1 1`)).toEqual(['max key length exceeded: 65536 > 65535'])
    expect(reasons(`${'m'.repeat(65536)} v=1 1`)).toEqual(['max key length exceeded: 65536 > 65535'])
    expect(reasons(`${'é'.repeat(32768)} v=1 1`)).toEqual(['max key length exceeded: 65536 > 65535'])
    expect(reasons(`${'m'.repeat(65526)} ffffff=1 1`)).toEqual(['max key length exceeded: 65536 > 65535'])
  })

  it('gives each kind of bad line influxd\'s reason', () => {
    const table: Array<[string, string]> = [
      ['cpu', 'missing fields'], [',cpu v=1', 'missing measurement'], ['cpu,=a v=1', 'missing tag key'],
      ['cpu,host v=1', 'missing tag value'], ['cpu,host=a=b v=1', 'invalid tag format'], ['cpu,a=1,a=2 v=1', 'duplicate tags'],
      ['cpu,b=1,a=2,b=3 v=1', 'duplicate tags'], ['cpu =1', 'missing field key'], ['cpu v=', 'missing field value'],
      ['cpu v=1,b', 'invalid field format'], ['cpu ', 'invalid field format'], ['cpu v="x', 'unbalanced quotes'],
      ['cpu v=1.1.1', 'invalid number'], ['cpu v=1e', 'invalid float'], ['cpu v=1.5i', 'invalid number'],
      ['cpu a\\\\=1', 'invalid value: field-key=a\\\\=1'], ['cpu v=1 1 2', 'point is invalid'],
    ]
    for (const [line, reason] of table) expect(reasons(line), line).toEqual([reason])
  })
})

describe('what /write answers', () => {
  const err = (line: string, reason: string): LineError => ({line, reason, message: `unable to parse '${line}': ${reason}`}) as LineError

  it('is 204 for a good body or an empty one', () => {
    expect(writeAnswer({points: 3, errors: []})).toEqual({status: 204})
    expect(writeAnswer({points: 0, errors: []})).toEqual({status: 204})
  })

  it('is 400 with the joined errors when no line parsed', () => {
    expect(writeAnswer({points: 0, errors: [err('a', 'missing fields'), err('b', 'missing fields')]}))
      .toEqual({status: 400, error: "unable to parse 'a': missing fields\nunable to parse 'b': missing fields"})
  })

  it('is a partial write with dropped=0 when some lines parsed and were written', () => {
    expect(writeAnswer({points: 2, errors: [err('b', 'x')]})).toEqual({status: 400, error: "partial write: unable to parse 'b': x dropped=0"})
    expect(partialWriteText('r', 3)).toBe('partial write: r dropped=3')
  })

  it('is the write error when writing the parsed points failed (the parse errors are not mentioned)', () => {
    const failed = {status: 500, error: 'engine: boom'}
    expect(writeAnswer({points: 2, errors: [err('b', 'x')]}, failed)).toBe(failed)
  })
})

describe('FNV-1a 64 of the series key', () => {
  /** The textbook definition over UTF-8 bytes, with BigInt. */
  function reference(key: string): bigint {
    let h = 0xcbf29ce484222325n
    for (const b of Buffer.from(key)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn
    return h
  }

  it('matches the published test vectors and a BigInt implementation', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n)
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn)
    expect(fnv1a64('foobar')).toBe(0x85944171f73967e8n)
    const rand = new Rng(7, 'fnv')
    for (let i = 0; i < 500; i++) {
      const key = Array.from({length: rand.int(0, 40)}, () => String.fromCodePoint(rand.next() < 0.9 ? rand.int(32, 127) : rand.int(128, 0x2fff))).join('')
      expect(fnv1a64(key)).toBe(reference(key))
      const [hi, lo] = fnv1a64Parts(key)
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(reference(key))
      for (const n of [1, 2, 3, 7, 16, 1000, 3_000_000]) expect(shardIndexFor(key, n)).toBe(Number(reference(key) % BigInt(n)) * (n === 1 ? 0 : 1))
    }
  })

  it('refuses a shard count that is not a positive integer', () => {
    expect(() => shardIndexFor('k', 0)).toThrow(RangeError)
    expect(() => shardIndexFor('k', 1.5)).toThrow(RangeError)
  })
})

describe('goQuote (Go %q)', () => {
  it('escapes quotes, backslashes, control and non-printable characters; keeps printable Unicode', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(goQuote('\n\t\u0000\u007f')).toBe('"\\n\\t\\x00\\x7f"')
    expect(goQuote('温度 ✓ 😀')).toBe('"温度 ✓ 😀"')
    expect(goQuote('\u00a0\u200b')).toBe('"\\u00a0\\u200b"')
  })
})
