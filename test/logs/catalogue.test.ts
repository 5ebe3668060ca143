// Every catalogue entry's example lines are golden tests: each must be recognised as that entry, and the values the
// example lists must be extracted exactly.
import {describe, expect, it} from 'vitest'

import {CATALOGUE} from '../../src/logs/catalogue/index.js'
import {Explainer} from '../../src/logs/explain.js'

const FIXED_IDS = [
  'cq-lease-denied', 'cq-lease-granted', 'meta-not-joined', 'hh-queue-not-empty', 'stats-partial-write', 'hh-queue-full',
  'join-not-meta-node', 'write-partial-consistency', 'partial-write-retention', 'partial-write-field-type-conflict',
  'write-timeout',
]

describe('catalogue', () => {
  it('has at least 45 entries with unique, well-formed ids', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(45)
    const ids = CATALOGUE.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/)
  })

  it('keeps the fixed ids other tools rely on', () => {
    const ids = new Set(CATALOGUE.map((e) => e.id))
    for (const id of FIXED_IDS) expect(ids.has(id), id).toBe(true)
  })

  it('gives every entry a cause, an impact, a next command and at least one example', () => {
    for (const e of CATALOGUE) {
      expect(e.cause.length, e.id).toBeGreaterThan(20)
      expect(e.impact.length, e.id).toBeGreaterThan(3)
      expect(e.commands.length + e.check.length, e.id).toBeGreaterThan(0)
      expect(e.examples.length, e.id).toBeGreaterThan(0)
    }
  })

  for (const entry of CATALOGUE) {
    describe(entry.id, () => {
      for (const [i, example] of entry.examples.entries()) {
        it(`example ${i + 1} is recognised`, () => {
          const result = new Explainer({now: Date.UTC(2026, 10, 21)}).explain(example.line)
          expect(result.id, example.line).toBe(entry.id)
          if (example.values) expect(result.values).toMatchObject(example.values)
        })
      }
    })
  }
})
