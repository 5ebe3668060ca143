// Go's value syntaxes as influxd applies them: durations, sizes, listen addresses, booleans, integers, placeholders.
import {describe, expect, it} from 'vitest'

import {
  fixDuration, formatDuration, isLoopback, parseGoBool, parseGoDuration, parseGoInt, parseListenAddress, parseSize,
  placeholderKind,
} from '../../src/config/values.js'

describe('Go durations', () => {
  it('accepts what time.ParseDuration accepts', () => {
    expect(parseGoDuration('1m0s')).toEqual({ok: true, value: 60e9})
    expect(parseGoDuration('168h0m0s')).toEqual({ok: true, value: 168 * 3600e9})
    expect(parseGoDuration('1.5h')).toEqual({ok: true, value: 1.5 * 3600e9})
    expect(parseGoDuration('500us')).toEqual({ok: true, value: 500e3})
    expect(parseGoDuration('500µs')).toEqual({ok: true, value: 500e3})
    expect(parseGoDuration('500μs')).toEqual({ok: true, value: 500e3})
    expect(parseGoDuration('0')).toEqual({ok: true, value: 0})
    expect(parseGoDuration('-5s')).toEqual({ok: true, value: -5e9})
    expect(parseGoDuration('.5s')).toEqual({ok: true, value: 0.5e9})
  })

  it('rejects u and µ alone, days, bare numbers and capitals, with the fix', () => {
    for (const [input, reason, fix] of [
      ['500u', 'unknown unit "u"', '500us'],
      ['500µ', 'unknown unit "µ"', '500us'],
      ['7d', 'unknown unit "d"', '168h'],
      ['2w', 'unknown unit "w"', '336h'],
      ['30', 'missing unit', '30s'],
      ['10S', 'unknown unit "S"', '10s'],
      ['5M', 'unknown unit "M"', '5m'],
      ['30 sec', 'unknown unit', '30s'],
    ]) {
      const r = parseGoDuration(input)
      expect(r.ok, input).toBe(false)
      if (!r.ok) {
        expect(r.reason, input).toContain(reason)
        expect(r.suggestion ?? fixDuration(input), input).toBe(fix)
      }
    }
    expect(parseGoDuration('').ok).toBe(false)
    expect(parseGoDuration('s').ok).toBe(false)
  })

  it('prints durations the way Go does, without zero units', () => {
    expect(formatDuration(500e6)).toBe('500ms')
    expect(formatDuration(3600e9 + 30e9)).toBe('1h30s')
    expect(formatDuration(0)).toBe('0s')
  })
})

describe('sizes (toml.Size)', () => {
  it('accepts bytes and k/m/g suffixes in either case, powers of 1024', () => {
    expect(parseSize('10737418240')).toEqual({ok: true, value: 10737418240})
    expect(parseSize('10g')).toEqual({ok: true, value: 10 * 1024 ** 3})
    expect(parseSize('25M')).toEqual({ok: true, value: 25 * 1024 ** 2})
    expect(parseSize('512k')).toEqual({ok: true, value: 512 * 1024})
  })

  it('rejects GB, GiB, fractions and spaces, suggesting what influxd reads', () => {
    expect(parseSize('10GB')).toMatchObject({ok: false, suggestion: '"10g"'})
    expect(parseSize('10 GiB')).toMatchObject({ok: false, suggestion: '"10g"'})
    expect(parseSize('1.5g')).toMatchObject({ok: false, suggestion: String(1.5 * 1024 ** 3)})
    expect(parseSize('lots')).toMatchObject({ok: false})
    expect(parseSize('-1')).toMatchObject({ok: false})
  })
})

describe('listen addresses', () => {
  it('parses host:port, :port and [v6]:port', () => {
    expect(parseListenAddress(':8088')).toEqual({ok: true, value: {host: '', port: 8088}})
    expect(parseListenAddress('10.0.0.5:8091')).toEqual({ok: true, value: {host: '10.0.0.5', port: 8091}})
    expect(parseListenAddress('[::1]:8086')).toEqual({ok: true, value: {host: '::1', port: 8086}})
  })

  it('names what is wrong and the nearest valid form', () => {
    expect(parseListenAddress('8086')).toMatchObject({ok: false, reason: 'missing port in address', suggestion: ':8086'})
    expect(parseListenAddress('meta-01')).toMatchObject({ok: false, suggestion: 'meta-01:<port>'})
    expect(parseListenAddress('http://meta-01:8091')).toMatchObject({ok: false, suggestion: 'meta-01:8091'})
    expect(parseListenAddress('::1:8086')).toMatchObject({ok: false, suggestion: '[::1]:8086'})
    expect(parseListenAddress(':80860')).toMatchObject({ok: false, reason: 'port 80860 is out of range (1-65535)'})
    expect(parseListenAddress(':http-alt')).toMatchObject({ok: false})
    expect(parseListenAddress('host:')).toMatchObject({ok: false, reason: 'missing port number after the colon'})
  })

  it('knows loopback names', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost.localdomain', 'ip6-localhost']) expect(isLoopback(h), h).toBe(true)
    for (const h of ['meta-01', '10.0.0.1', 'localhost-meta', '0.0.0.0']) expect(isLoopback(h), h).toBe(false)
  })
})

describe('Go booleans and integers (INFLUXDB_* values)', () => {
  it('follows strconv.ParseBool and ParseInt(s, 0, 64)', () => {
    expect(['1', 't', 'TRUE', 'True', 'true'].map(parseGoBool)).toEqual([true, true, true, true, true])
    expect(['0', 'f', 'FALSE', 'false'].map(parseGoBool)).toEqual([false, false, false, false])
    expect(['yes', 'on', 'tRuE', ''].map(parseGoBool)).toEqual([undefined, undefined, undefined, undefined])
    expect(['42', '0x10', '010', '0o10', '0b11', '1_000', '-7'].map(parseGoInt)).toEqual([42, 16, 8, 8, 3, 1000, -7])
    expect(['10g', '1.5', '', 'x'].map(parseGoInt)).toEqual([undefined, undefined, undefined, undefined])
  })
})

describe('placeholders', () => {
  it('spots unrendered templates and obvious placeholders, and leaves real values alone', () => {
    for (const t of ['{{ influxdb_license_key }}', '${LICENSE_KEY}', '<%= @license %>', '__LICENSE_KEY__', '$LICENSE_KEY']) expect(placeholderKind(t), t).toBe('template')
    for (const p of ['<your-license-key>', 'changeme', 'CHANGE_ME', 'your_license_key', 'xxxxxxxx-xxxx-xxxx', 'license-key-here', 'TODO', 'secret', '00000000-0000-0000-0000-000000000000']) expect(placeholderKind(p), p).toBe('placeholder')
    for (const real of ['5c0e4d2a-8f1b-4c3e-9a7d-2b6f1e0c9d84', 'Zq8vN2pLr5TxW1cYh7Ks', 'somewhere-over-the-rainbow-42']) expect(placeholderKind(real), real).toBeUndefined()
  })
})
