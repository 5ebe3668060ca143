import {describe, expect, it} from 'vitest'

import {decideOutcome, outcomeHeadline} from '../../src/util/outcome.js'

const SEVERITIES = ['critical', 'warning', 'info', 'notice', 'expected', 'ok'] as const

describe('decideOutcome', () => {
  // Every combination of finding severities (each present or not) x checked (0, 1, 5) x unchecked (0, 1, 3).
  const cases: Array<{present: string[]; checked: number; unchecked: number}> = []
  for (let mask = 0; mask < 1 << SEVERITIES.length; mask++) {
    const present = SEVERITIES.filter((_, i) => mask & (1 << i))
    for (const checked of [0, 1, 5]) for (const unchecked of [0, 1, 3]) cases.push({present, checked, unchecked})
  }

  it.each(cases)('findings %j, checked %d, unchecked %d', ({present, checked, unchecked}) => {
    const o = decideOutcome({findings: present.map((severity) => ({severity})), checked, unchecked})
    const problems = present.includes('critical') || present.includes('warning')
    // The invariant that matters most: exit 0 only when everything was checked and nothing is wrong.
    if (o.exitCode === 0) {
      expect(problems).toBe(false)
      expect(unchecked).toBe(0)
      expect(checked).toBeGreaterThan(0)
      expect(o.verdict).toBe('ok')
    }
    if (present.includes('critical')) expect([o.verdict, o.exitCode]).toEqual(['critical', 3])
    else if (present.includes('warning')) expect([o.verdict, o.exitCode]).toEqual(['warning', 3])
    else if (unchecked > 0 || checked === 0) expect([o.verdict, o.exitCode]).toEqual(['unknown', 4])
    else expect([o.verdict, o.exitCode]).toEqual(['ok', 0])
    expect(o.complete).toBe(unchecked === 0 && checked > 0)
    // UNKNOWN is never OK
    if (o.verdict === 'unknown') expect(o.exitCode).not.toBe(0)
  })

  it('says when the picture is partial', () => {
    expect(outcomeHeadline(decideOutcome({findings: [{severity: 'critical'}], checked: 3, unchecked: 2}))).toBe('CRITICAL (2 of 5 checks could not be made)')
    expect(outcomeHeadline(decideOutcome({findings: [], checked: 0, unchecked: 2}))).toBe('UNKNOWN: nothing could be checked')
    expect(outcomeHeadline(decideOutcome({findings: [], checked: 0, unchecked: 0}))).toBe('UNKNOWN: nothing was checked')
    expect(outcomeHeadline(decideOutcome({findings: [{severity: 'info'}], checked: 4, unchecked: 0}))).toBe('OK')
  })
})
