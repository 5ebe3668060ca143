import {describe, expect, it} from 'vitest'

import {escapeControl, hasControl, jsonSafe, sh, shellQuote, terminalSafe} from '../../src/util/text.js'
import {fuzz, randomText} from '../helpers/fuzz.js'
import {RAW_CONTROL} from '../helpers/hostile.js'

describe('escapeControl', () => {
  it('makes terminal escapes, forged lines and bidi overrides visible and inert', () => {
    expect(escapeControl('meta-1\u001b]0;pwned\u0007')).toBe('meta-1\\x1b]0;pwned\\x07')
    expect(escapeControl('data-1\r\nOK fine')).toBe('data-1\\r\\nOK fine')
    expect(escapeControl('a\u202eb\u2066c')).toBe('a\\u202eb\\u2066c')
    expect(escapeControl('x\u009b2J')).toBe('x\\x9b2J')
    expect(escapeControl('tab\there\u0000')).toBe('tab\\there\\0')
  })
  it('leaves clean text, including non-ASCII, untouched', () => {
    for (const s of ['meta-1:8091', 'µs', 'naïve', '日本', '😀']) expect(escapeControl(s)).toBe(s)
    expect(hasControl('ok')).toBe(false)
  })
  it('never lets a raw control character through (fuzzed)', () => {
    fuzz('escapeControl', {iterations: 20_000, budgetMs: 1_500}, (rng) => randomText(rng, rng.int(0, 60)) + String.fromCharCode(rng.int(0, 0x2070)), (s) => {
      expect(RAW_CONTROL.test(escapeControl(s))).toBe(false)
    })
  })
})

describe('terminalSafe (the sinks)', () => {
  it('keeps newlines, tabs and, with colour, SGR sequences; escapes the rest', () => {
    expect(terminalSafe('a\nb\tc', false)).toBe('a\nb\tc')
    expect(terminalSafe('\u001b[31mred\u001b[39m', true)).toBe('\u001b[31mred\u001b[39m')
    expect(terminalSafe('\u001b[31mred\u001b[39m', false)).toBe('\\x1b[31mred\\x1b[39m')
    expect(terminalSafe('\u001b]0;title\u0007', true)).toBe('\\x1b]0;title\\x07')
    expect(terminalSafe('a\rb', true)).toBe('a\\rb')
  })
})

describe('jsonSafe', () => {
  it('escapes what JSON allows raw but terminals act on, and stays valid JSON', () => {
    const v = {s: 'a\u009b2J\u202eb\u2028'}
    const out = jsonSafe(JSON.stringify(v))
    expect(out).not.toMatch(/[\u0080-\u009f\u202e\u2028]/)
    expect(JSON.parse(out)).toEqual(v)
  })
})

describe('suggested commands', () => {
  it('quotes each value as one shell word', () => {
    expect(shellQuote('meta-1:8091')).toBe('meta-1:8091')
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(sh`influxd-ctl remove-meta ${'x:8091;touch${IFS}pwned;#'}`).toBe(`influxd-ctl remove-meta 'x:8091;touch\${IFS}pwned;#'`)
    expect(sh`medic status ${'meta-1'} --timeout ${5}s`).toBe('medic status meta-1 --timeout 5s')
  })
  it('withholds a command whose value holds control characters or is empty', () => {
    expect(sh`influxd-ctl remove-meta ${'meta-1\u001b]0;x\u0007:8091'}`).toBeUndefined()
    expect(sh`influxd-ctl remove-meta ${'a\nb'}`).toBeUndefined()
    expect(sh`medic status ${''}`).toBeUndefined()
  })
})
