/**
 * Agreement of `medic explain` with the real-world corpus (test/fixtures/corpus/lines.jsonl): for every line, the
 * catalogue entry or verdict judged right by hand, with its public source. Prints agreement per class and the lines
 * that disagree.
 *
 *   npx tsx scripts/corpus-report.ts                    # this tree
 *   npx tsx scripts/corpus-report.ts --src /tmp/base/src --misses   # another checkout's sources (before/after)
 *   npx tsx scripts/corpus-report.ts --file test/fixtures/corpus/holdout.jsonl   # the held-out lines (never tuned on)
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {CORPUS_CLASSES, type CorpusLine, judge, loadCorpus} from '../test/fixtures/corpus/corpus.js'

const args = process.argv.slice(2)
const srcAt = args.indexOf('--src')
const src = resolve(srcAt === -1 ? 'src' : args[srcAt + 1])
const showMisses = args.includes('--misses')
const fileAt = args.indexOf('--file')
const file = resolve(fileAt === -1 ? 'test/fixtures/corpus/lines.jsonl' : args[fileAt + 1])

const {Explainer} = (await import(pathToFileURL(`${src}/logs/explain.ts`).href)) as typeof import('../src/logs/explain.js')
const corpus: CorpusLine[] = loadCorpus(readFileSync(file, 'utf8'))
const perClass = new Map<number, {ok: number; all: number}>()
const misses: string[] = []
for (const c of corpus) {
  // A fresh explainer per line: lines of the corpus come from unrelated sources.
  const r = new Explainer({now: Date.UTC(2026, 10, 21)}).explain(c.line)
  const ok = judge(c, r)
  const acc = perClass.get(c.class) ?? {ok: 0, all: 0}
  acc.all++
  if (ok) acc.ok++
  perClass.set(c.class, acc)
  if (!ok) misses.push(`[${c.class}] want ${c.id ?? c.verdict} got ${r.id ?? r.verdict}: ${c.line.slice(0, 160)}`)
}
let ok = 0
let all = 0
for (const [cls, name] of Object.entries(CORPUS_CLASSES)) {
  const a = perClass.get(Number(cls))
  if (!a) continue
  ok += a.ok
  all += a.all
  console.log(`class ${cls} ${name.padEnd(36)} ${String(a.ok).padStart(4)} / ${String(a.all).padEnd(4)} ${((100 * a.ok) / a.all).toFixed(1)}%`)
}
console.log(`all ${' '.repeat(42)} ${String(ok).padStart(4)} / ${String(all).padEnd(4)} ${((100 * ok) / all).toFixed(1)}%`)
if (showMisses) for (const m of misses) console.log(m)
