// Generated and mutated log lines for fuzzing the reading of lines (wrappers, formats, embedded client errors) and the
// catalogue matcher. Shared by test/logs/fuzz.test.ts (seeded, a few seconds) and scripts/fuzz-logs.ts (a million
// lines, with figures). Seeds: every catalogue example and every corpus line, put in random wrappers, then mutated,
// cut, padded with long runs of the characters regexes choke on, or replaced by random text.
import {readFileSync} from 'node:fs'

import {CATALOGUE} from '../../src/logs/catalogue/index.js'
import {Matcher} from '../../src/logs/catalogue/matcher.js'
import {classify} from '../../src/logs/classify.js'
import {parseLine} from '../../src/logs/formats.js'
import {unwrap} from '../../src/logs/wrappers.js'
import {loadCorpus} from '../fixtures/corpus/corpus.js'
import {type Rng, NASTY, mutate, randomText} from '../helpers/fuzz.js'

/** Runs of these, long, are what makes a backtracking regex or a naive scanner slow. */
export const HOSTILE_RUNS = ['9', ' ', '"', '=', '[', ']', '\\"', '{"error":"', 'a=b ', '1:', ' | ', '\t', '=""', '1.5ms ', 'when writing to [', '{"error":', '- ', '<30>1 ', '{"log":"', 'x', '\\\\', '{', '[I] ', 'msg="', '%']

export function seedLines(): string[] {
  const corpus = loadCorpus(readFileSync(new URL('../fixtures/corpus/lines.jsonl', import.meta.url), 'utf8')).map((c) => c.line)
  return [...CATALOGUE.flatMap((e) => e.examples.map((x) => x.line)), ...corpus]
}

const WRAPPERS: Array<(rng: Rng, line: string) => string> = [
  (_r, l) => JSON.stringify({log: `${l}\n`, stream: 'stderr', time: '2021-08-05T13:32:26.900345123Z'}),
  (r, l) => `2021-08-05T13:32:26.${String(r.int(0, 1e9)).padStart(9, '0')}Z ${r.pick(['stdout', 'stderr'])} ${r.pick(['F', 'P'])} ${l}`,
  (r, l) => `${r.pick(['influxdb', 'influx_1', 'iml_influxdb.1.k1nh@onyx-25', 'meta-0'])}${' '.repeat(r.int(1, 6))}| ${l}`,
  (_r, l) => `2021-08-05T13:32:26.900345123Z ${l}`,
  (r, l) => `<${r.int(0, 192)}>1 2022-03-01T10:00:00.1Z host influxd ${r.int(1, 99999)} - - ${l}`,
  (r, l) => `Mar ${String(r.int(1, 29)).padStart(2, ' ')} 10:00:00 db1 influxd[${r.int(1, 99999)}]: ${l}`,
  (_r, l) => `2022-03-01T10:00:00+0000 db1 influxd-meta[12]: ${l}`,
  (_r, l) => `influxd[1]: ${l}`,
]

/** One fuzz line: most are mutated seeds (some wrapped, some padded), a few are random text. */
export function fuzzLine(rng: Rng, seeds: readonly string[], maxPad = 2000): string {
  const r = rng.next()
  if (r < 0.05) return randomText(rng, rng.int(0, 400))
  let line = rng.pick(seeds)
  const wraps = rng.chance(0.3) ? rng.int(1, 4) : 0
  for (let i = 0; i < wraps; i++) line = rng.pick(WRAPPERS)(rng, line)
  if (rng.chance(0.7)) line = mutate(rng, line, 6)
  if (rng.chance(0.15)) {
    // A long run of one hostile piece, at the end or in the middle.
    const run = rng.pick(HOSTILE_RUNS).repeat(rng.int(1, maxPad))
    const at = rng.chance(0.5) ? line.length : rng.int(0, line.length + 1)
    line = line.slice(0, at) + run + line.slice(at)
  }
  if (rng.chance(0.05)) line += rng.pick(NASTY)
  return line
}

/** The code under fuzz: unwrap, parse, classify. Throws when a result is malformed. */
export function makeChecker(): (line: string) => void {
  const matcher = new Matcher(CATALOGUE)
  const ids = new Set(CATALOGUE.map((e) => e.id))
  return (line: string) => {
    unwrap(line, 0)
    const ev = parseLine(line, {now: Date.UTC(2022, 5, 1)})
    if (typeof ev.msg !== 'string') throw new Error('no message')
    if (ev.time !== undefined && !Number.isFinite(ev.time)) throw new Error(`time ${ev.time}`)
    const c = classify(matcher, ev)
    if (c.match !== undefined && !ids.has(c.match.entry.id)) throw new Error(`unknown entry ${c.match.entry.id}`)
  }
}
