import {describe, expect, it} from 'vitest'

import {fixDuration, formatGoDuration, formatShortDuration, goDurationMs, parseGoDuration} from '../../src/util/duration.js'
import {expectLinear, fuzz, randomText} from '../helpers/fuzz.js'

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0], ['+0', 0], ['-0', 0], ['5s', 5e9], ['30s', 30e9], ['1478s', 1478e9], ['-5s', -5e9], ['+5s', 5e9],
    ['5.0s', 5e9], ['5.6s', 5.6e9], ['5.s', 5e9], ['.5s', 0.5e9], ['1.0s', 1e9], ['1.00s', 1e9], ['1.004s', 1.004e9],
    ['100.00100s', 100.001e9], ['10ns', 10], ['11us', 11e3], ['12µs', 12e3], ['12μs', 12e3], ['13ms', 13e6], ['14s', 14e9],
    ['15m', 15 * 60e9], ['16h', 16 * 3600e9], ['3h30m', 3.5 * 3600e9], ['10.5s4m', 4 * 60e9 + 10.5e9], ['1h1m1s1ms1us1ns', 3661001001001],
    ['39h9m14.425s', 140954.425e9],
  ])('%s', (input, ns) => {
    const p = parseGoDuration(input)
    expect(p.ok).toBe(true)
    if (p.ok) expect(p.value).toBeCloseTo(ns, -1)
  })

  it.each([
    ['', 'invalid duration ""'], ['3', 'missing unit in duration "3"'], ['-', 'invalid duration "-"'], ['s', 'invalid duration "s"'],
    ['.', 'invalid duration "."'], ['-.', 'invalid duration "-."'], ['.s', 'invalid duration ".s"'], ['+.s', 'invalid duration "+.s"'],
    ['3000000h', 'invalid duration "3000000h"'], ['1d', 'unknown unit "d" in duration "1d"'], ['5 s', 'unknown unit " s" in duration "5 s"'],
    ['1e5s', 'unknown unit "e" in duration "1e5s"'],
  ])('refuses %j as Go does', (input, reason) => {
    const p = parseGoDuration(input)
    expect(p.ok).toBe(false)
    if (!p.ok) expect(p.reason).toBe(reason)
  })

  it('suggests the nearest valid spelling', () => {
    expect(fixDuration('30')).toBe('30s')
    expect(fixDuration('1d')).toBe('24h')
    expect(fixDuration('5 min')).toBe('5m')
    expect(fixDuration('500u')).toBe('500us')
    expect(parseGoDuration('30').ok ? undefined : (parseGoDuration('30') as {suggestion?: string}).suggestion).toBe('30s')
    expect(fixDuration('9'.repeat(1000))).toBeUndefined()
  })

  it('reads latin1-decoded µs only when asked (log lines)', () => {
    expect(goDurationMs('380.542Âµs')).toBeUndefined()
    expect(goDurationMs('380.542Âµs', {latin1: true})).toBeCloseTo(0.380542, 6)
    expect(goDurationMs('8.87547ms')).toBeCloseTo(8.87547, 6)
  })

  it('keeps error texts short for huge inputs', () => {
    const p = parseGoDuration('1s' + '9'.repeat(64_000))
    expect(p.ok).toBe(false)
    if (!p.ok) expect(p.reason.length).toBeLessThan(120)
  })

  it('takes time linear in the input, for the inputs that were quadratic (a long run of digits)', () => {
    expectLinear((n) => '380.542µs' + '1'.repeat(n), (s) => parseGoDuration(s), 20_000)
    expectLinear((n) => '1h'.repeat(n), (s) => parseGoDuration(s), 5_000)
    expectLinear((n) => '5'.repeat(n), (s) => parseGoDuration(s), 20_000)
  })

  it('never throws on random input', () => {
    const r = fuzz('duration', {iterations: 20_000, budgetMs: 2_000, maxMsPerInput: 500}, (rng) => randomText(rng, rng.int(0, 40)), (s) => {
      const p = parseGoDuration(s)
      if (p.ok) expect(Number.isFinite(p.value)).toBe(true)
    })
    expect(r.iterations).toBeGreaterThan(100)
  })
})

describe('formatting', () => {
  it.each([
    [0, '0s'], [1, '1ns'], [1100, '1.1µs'], [2.2e6, '2.2ms'], [3.3e9, '3.3s'], [4 * 60e9 + 5e9, '4m5s'], [4 * 60e9 + 5001e6, '4m5.001s'],
    [5 * 3600e9 + 6 * 60e9 + 7001e6, '5h6m7.001s'], [8 * 60e9 + 1, '8m0.000000001s'], [3600e9, '1h0m0s'], [-1500e6, '-1.5s'], [380542, '380.542µs'],
  ])('formatGoDuration(%d) = %s, as Go prints it', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text)
  })

  it.each([[3600e9, '1h'], [5400e9, '1h30m'], [1.5e9, '1s500ms'], [0, '0s'], [60e9, '1m']])('formatShortDuration(%d) = %s and Go reads it back', (ns, text) => {
    expect(formatShortDuration(ns)).toBe(text)
    const p = parseGoDuration(text)
    expect(p.ok && p.value).toBe(ns)
  })
})
