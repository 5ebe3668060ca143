// Seeded, few-second fuzzing of line reading (wrappers, formats, client errors) and the catalogue matcher. The
// million-line run with figures is scripts/fuzz-logs.ts; both use the generator in fuzz-lines.ts.
import {describe, expect, it} from 'vitest'

import {fuzz} from '../helpers/fuzz.js'
import {fuzzLine, makeChecker, seedLines} from './fuzz-lines.js'

describe('fuzzing the reading and matching of lines', () => {
  it('never throws and never spends long on one line, on generated and mutated lines', () => {
    const seeds = seedLines()
    const check = makeChecker()
    // The per-line bound is loose (the machine is shared); a superlinear path on a line of up to 64K characters takes
    // seconds. The script holds lines to 10 ms.
    const report = fuzz('log-lines', {seed: 13, iterations: 200_000, budgetMs: 4000, maxMsPerInput: 500}, (rng) => fuzzLine(rng, seeds, 3000), check)
    expect(report.iterations).toBeGreaterThan(1000)
  }, 30_000)
})
