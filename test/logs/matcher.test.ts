// The matcher's two ways of finding keywords (indexOf for the first lines, one compiled regex after) must give every
// line the same entry: a line's explanation cannot depend on where it sits in the input.
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {CATALOGUE} from '../../src/logs/catalogue/index.js'
import {Matcher} from '../../src/logs/catalogue/matcher.js'
import {classify} from '../../src/logs/classify.js'
import {parseLine} from '../../src/logs/formats.js'
import {loadCorpus} from '../fixtures/corpus/corpus.js'

describe('Matcher', () => {
  it('gives the same entry on its first lines (indexOf) as after them (compiled scan)', () => {
    const corpus = ['lines', 'holdout'].flatMap((f) => loadCorpus(readFileSync(new URL(`../fixtures/corpus/${f}.jsonl`, import.meta.url), 'utf8')))
    const lines = [...CATALOGUE.flatMap((e) => e.examples.map((x) => x.line)), ...corpus.map((c) => c.line)]
    const warm = new Matcher(CATALOGUE)
    for (let i = 0; i < 200; i++) warm.match(parseLine('warming up the compiled scan'))
    for (const line of lines) {
      const cold = new Matcher(CATALOGUE)
      const ev = parseLine(line)
      expect(classify(warm, ev).match?.entry.id, line).toBe(classify(cold, ev).match?.entry.id)
    }
  })
})
