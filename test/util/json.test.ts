import {describe, expect, it} from 'vitest'

import {jsonDepth, parseJsonBounded} from '../../src/util/json.js'
import {expectLinear, fuzz, mutate} from '../helpers/fuzz.js'

describe('bounded JSON', () => {
  it('measures depth outside strings only', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3)
    expect(jsonDepth('"\\"[["')).toBe(0)
    expect(jsonDepth('[]')).toBe(1)
  })

  it('refuses deep nesting with a reason instead of failing later', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    expect(parseJsonBounded(deep)).toEqual({ok: false, reason: 'it nests deeper than 64 levels'})
    expect(parseJsonBounded('[[1]]', {maxDepth: 1}).ok).toBe(false)
    expect(parseJsonBounded('{"nodeType":"meta","peers":["a:8089"]}')).toEqual({ok: true, value: {nodeType: 'meta', peers: ['a:8089']}})
  })

  it('names invalid JSON and over-long text', () => {
    const bad = parseJsonBounded('{"a":')
    expect(bad.ok).toBe(false)
    expect(parseJsonBounded('[1,2,3]', {maxLength: 3})).toEqual({ok: false, reason: 'it is 7 characters long (limit 3)'})
  })

  it('is linear and never throws (fuzzed)', () => {
    expectLinear((n) => '['.repeat(n) + ']'.repeat(n), (s) => parseJsonBounded(s), 50_000)
    expectLinear((n) => JSON.stringify(Array.from({length: n}, (_, i) => ({id: i, s: 'x"y'}))), (s) => parseJsonBounded(s), 5_000)
    const seed = JSON.stringify({nodeType: 'meta', leader: 'a:8089', peers: ['a:8089', 'b:8089'], httpAddr: 'a:8091'})
    fuzz('json', {iterations: 20_000, budgetMs: 1_500}, (rng) => mutate(rng, seed, 6), (s) => {
      parseJsonBounded(s)
    })
  })
})
