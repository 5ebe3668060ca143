// The request-body parsers every dev node uses (src/devcluster/node/body.ts): what they accept, what they refuse and
// why, a seeded fuzz (no input throws; every answer is a value or a reason), and time linear in the body for the
// inputs that made the old multipart parser backtrack (a 1 MB part header took 14-18 s).
import {describe, expect, it} from 'vitest'

import {parseHeaderParams, parseJsonBody, parseMultipart, parseUrlEncoded} from '../../../src/devcluster/node/body.js'
import {expectLinear, fuzz, mutate, randomText} from '../../helpers/fuzz.js'

const CRLF = '\r\n'
const part = (name: string, value: string, boundary = 'XyZ') => `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`
const multipart = (parts: string[], boundary = 'XyZ') => Buffer.from(parts.join('') + `--${boundary}--${CRLF}`)

describe('forms', () => {
  it('reads urlencoded fields, first value wins, and refuses a bad escape as Go does', () => {
    const ok = parseUrlEncoded('addr=data-1%3A8088&addr=second&x=a+b')
    expect(ok).toEqual({ok: true, value: new Map([['addr', 'data-1:8088'], ['x', 'a b']])})
    expect(parseUrlEncoded('addr=%zz')).toEqual({ok: false, error: 'invalid URL escape "%zz"'})
    expect(parseUrlEncoded('a=%4')).toEqual({ok: false, error: 'invalid URL escape "%4"'})
    expect(parseUrlEncoded('')).toEqual({ok: true, value: new Map()})
  })

  it('reads multipart fields (quoted and unquoted names, filename parameters ignored) and refuses broken bodies', () => {
    const body = multipart([part('addr', 'data-2:8088'), '--XyZ\r\nContent-Disposition: form-data; filename="a;b.txt"; name=id\r\n\r\n7\r\n', part('addr', 'ignored')])
    expect(parseMultipart(body, 'XyZ')).toEqual({ok: true, value: new Map([['addr', 'data-2:8088'], ['id', '7']])})
    expect(parseMultipart(Buffer.from('--b\r\nnonsense'), 'b')).toEqual({ok: false, error: 'malformed multipart body'})
    expect(parseMultipart(Buffer.from(part('a', '1', 'b')), 'b')).toEqual({ok: false, error: 'malformed multipart body'}) // never closed
    expect(parseMultipart(multipart(['--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n']), 'XyZ')).toEqual({ok: false, error: 'multipart part without a field name'})
  })

  it('reads header parameters in one pass, with quoted values that hold ; and escapes', () => {
    expect(parseHeaderParams('multipart/form-data; boundary="a;b\\"c"; charset=utf-8')).toEqual({
      value: 'multipart/form-data', params: new Map([['boundary', 'a;b"c'], ['charset', 'utf-8']]),
    })
    expect(parseHeaderParams('Application/JSON')).toEqual({value: 'application/json', params: new Map()})
    expect(parseHeaderParams('text/plain; ; novalue; =x; k=')).toEqual({value: 'text/plain', params: new Map([['k', '']])})
  })
})

describe('JSON', () => {
  it('parses JSON and refuses what is not JSON or nests too deep, saying which', () => {
    expect(parseJsonBody('{"cmd":{"type":"x"}}')).toEqual({ok: true, value: {cmd: {type: 'x'}}})
    expect(parseJsonBody('{"cmd":')).toMatchObject({ok: false, error: expect.stringMatching(/^malformed JSON body: it is not valid JSON/)})
    expect(parseJsonBody('['.repeat(100_000) + ']'.repeat(100_000))).toEqual({ok: false, error: 'malformed JSON body: it nests deeper than 64 levels'})
  })
})

describe('no body can hurt the node', () => {
  const seeds = [
    multipart([part('addr', 'data-2:8088'), part('id', '4')]).toString(),
    'addr=meta-2%3A8091&tcpAddr=meta-2%3A8089',
    '{"cmd":{"type":"createDatabase","name":"db"}}',
    'multipart/form-data; boundary="XyZ"; charset=utf-8',
  ]

  it('fuzz: every input gives a value or a reason, never a throw (seeded)', () => {
    const report = fuzz('dev node bodies', {seed: 20261207, iterations: 20_000, budgetMs: 4_000, maxMsPerInput: 250}, (rng) => {
      const seed = rng.pick(seeds)
      return rng.chance(0.2) ? randomText(rng, rng.int(0, 400)) : mutate(rng, seed, 6)
    }, (input) => {
      for (const r of [parseUrlEncoded(input), parseMultipart(Buffer.from(input), 'XyZ'), parseJsonBody(input)]) {
        if (r.ok) expect(r.value).toBeDefined()
        else expect(typeof r.error === 'string' && r.error.length > 0).toBe(true)
      }
      const h = parseHeaderParams(input)
      expect(typeof h.value).toBe('string')
    })
    expect(report.iterations).toBeGreaterThan(1_000)
  })

  // The shapes that cost the old parsers quadratic time, at growing sizes.
  const headerRepeats = (n: number) => Buffer.from(`--XyZ${CRLF}${'Content-Disposition: form-data; name'.repeat(Math.ceil(n / 36))}${CRLF}${CRLF}v${CRLF}--XyZ--${CRLF}`)
  const dispositionRun = (n: number) => Buffer.from(`--XyZ${CRLF}${'content-disposition:'.repeat(Math.ceil(n / 20))}${CRLF}${CRLF}v${CRLF}--XyZ--${CRLF}`)
  const manyParts = (n: number) => multipart(Array.from({length: Math.ceil(n / 60)}, (_, i) => part(`f${i}`, 'x')))
  const paramRun = (n: number) => `multipart/form-data; ${'a="\\;b"; '.repeat(Math.ceil(n / 10))}boundary=XyZ`

  it('multipart parsing is linear in the body (repeated header tokens, long disposition runs, many parts)', () => {
    for (const make of [headerRepeats, dispositionRun, manyParts]) expectLinear(make, (b) => parseMultipart(b, 'XyZ'), 256_000)
    expect(parseMultipart(headerRepeats(1_000_000), 'XyZ')).toEqual({ok: false, error: 'multipart part without a field name'})
  })

  it('urlencoded forms, header parameters and JSON are linear too', () => {
    expectLinear((n) => '%41'.repeat(Math.ceil(n / 3)) + '&' + 'a=b&'.repeat(Math.ceil(n / 4)), parseUrlEncoded, 128_000)
    expectLinear(paramRun, parseHeaderParams, 256_000)
    expectLinear((n) => '['.repeat(n) + ']'.repeat(n), parseJsonBody, 256_000)
    expectLinear((n) => JSON.stringify({cmd: {type: 'x', name: 'y'.repeat(n)}}), parseJsonBody, 256_000)
  })
})
