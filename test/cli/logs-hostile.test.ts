// Hostile log lines through `medic explain` and `medic logs summarize` (issue 9): long digit runs after a duration,
// JSON nested thousands deep, control characters in values, values that try to break out of a suggested command.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {Explainer} from '../../src/logs/explain.js'
import {Summariser} from '../../src/logs/summary.js'
import {medic, oneJson, tempDir} from '../helpers/cli.js'

const ACCESS = '[httpd] 2016/10/18 10:35:21 10.0.0.1 - - [18/Oct/2016:10:35:21 +0000] "POST /write?db=telegraf HTTP/1.1" 204 0 "-" "telegraf" 9a4371a1-fec0-11e6-84b6-000000000000 1'
const DIGITS = ACCESS + '9'.repeat(64_000)
const DEEP = '{"lvl":"error","ts":"2021-07-03T11:00:00Z","msg":"boom","ctx":' + '['.repeat(4500) + ']'.repeat(4500) + '}'
const CRITICAL = '[write] 2016/10/18 10:35:22 write failed for shard 101 on node 4: queue is full'
const ESC = '\u001b]0;pwned\u0007\u001b[2J'

describe('long runs of digits after a duration', () => {
  it('reads each of five lines with 64,000 trailing digits in milliseconds (in process)', () => {
    const ex = new Explainer()
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      const r = ex.explain(DIGITS)
      // Generous for a loaded machine; the quadratic parser took 16 s per line.
      expect(performance.now() - t0).toBeLessThan(250)
      expect(r.id).not.toBeNull()
    }
  })

  it('answers five such lines end to end in explain and logs summarize about as fast as five short lines', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'digits.log'), `${DIGITS}\n`.repeat(5))
    writeFileSync(join(dir, 'short.log'), `${ACCESS}\n`.repeat(5))
    for (const cmd of [['explain', '--json', '--file'], ['logs', 'summarize', '--json']]) {
      const t0 = performance.now()
      const short = await medic([...cmd, join(dir, 'short.log')])
      const t1 = performance.now()
      const long = await medic([...cmd, join(dir, 'digits.log')])
      const t2 = performance.now()
      expect(long.stderr).toBe('')
      expect(long.code).toBe(short.code)
      // Startup dominates both; the digits may cost milliseconds, not seconds.
      expect(t2 - t1 - (t1 - t0)).toBeLessThan(3000)
      const doc = oneJson(long.stdout) as {results?: unknown[]; input?: {lines: number}}
      expect(doc.results?.length ?? doc.input?.lines).toBe(5)
    }
  })
})

describe('JSON nested thousands deep', () => {
  it('makes the line unknown with the reason, and the run goes on (explain)', async () => {
    expect(DEEP.length).toBeGreaterThan(9000)
    const r = await medic(['explain', '--json'], {input: `${DEEP}\n${CRITICAL}\n`})
    expect(r.stderr).toBe('')
    const results = (oneJson(r.stdout) as {results: Array<{id: string | null; verdict: string; context?: string}>}).results
    expect(results[0]).toMatchObject({id: null, verdict: 'unknown'})
    expect(results[0].context).toMatch(/not read: JSON nested deeper than 16 levels/)
    expect(results[1].id).toBe('hh-queue-full')
    expect(r.code).toBe(3)
  })

  it('counts the line as unrecognised and keeps the whole summary (logs summarize)', async () => {
    const r = await medic(['logs', 'summarize', '--json'], {input: `${DEEP}\n${CRITICAL}\n${DEEP}\n`})
    expect(r.stderr).toBe('')
    const doc = oneJson(r.stdout) as {input: {lines: number}; actionable: Array<{id: string}>; unknown: {lines: number}}
    expect(doc.input.lines).toBe(3)
    expect(doc.actionable.map((e) => e.id)).toContain('hh-queue-full')
    expect(doc.unknown.lines).toBe(2)
    expect(r.code).toBe(3)
  })

  it('does not overflow the stack in process either', () => {
    const s = new Summariser({})
    expect(() => s.add(DEEP, 'x')).not.toThrow()
  })
})

describe('values from the line', () => {
  const line = JSON.stringify({lvl: 'error', ts: '2021-07-03T11:00:00Z', msg: `[404] - "database not found: \\"x${ESC}\\""`, service: 'httpd'})
  const quoteBreaker = '{"error":"database not found: \\"a\'$(touch${IFS}pwned)\'\\""}'

  it('are printed with control characters escaped, in explain and summarize, text and JSON', async () => {
    for (const args of [['explain'], ['logs', 'summarize'], ['explain', '--json'], ['logs', 'summarize', '--json'], ['explain', '--ndjson']]) {
      const r = await medic(args, {input: `${line}\n`})
      // eslint-disable-next-line no-control-regex
      expect(r.stdout, args.join(' ')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
      if (args[0] === 'explain') expect(r.stdout).toMatch(/x(\\x1b|\\u001b)/)
      expect(r.code).toBe(3)
    }
  })

  it('never reach a suggested command unquoted: withheld inside quotes, quoted outside', async () => {
    // One line: explain prints the entry's commands in full (with several lines it shows each entry's first command).
    for (const [args, input] of [[['explain'], `${quoteBreaker}\n`], [['logs', 'summarize'], `${quoteBreaker}\n`]] as const) {
      const r = await medic([...args], {input})
      // The value may be shown as data (escaped); it never appears in a command line.
      expect(r.stdout).toContain('withheld')
      const commands = r.stdout.split('\n').filter((l) => l.trim().startsWith('$ '))
      expect(commands.length).toBeGreaterThan(0)
      for (const cmd of commands) expect(cmd).not.toMatch(/pwned|touch|\\x1b/)
      // The note saying why is not pasteable: no `$ ` in front of it, and the value is not in it.
      for (const note of r.stdout.split('\n').filter((l) => l.includes('withheld'))) expect(note).not.toMatch(/^\s*\$|touch/)
    }
    // Lines that disagree on a value leave its placeholder for the operator: `<db>`, never one line's value.
    const mixed = await medic(['logs', 'summarize'], {input: `${quoteBreaker}\n${line}\n`})
    expect(mixed.stdout).toContain('CREATE DATABASE "<db>"')
  })
})

describe('a summary where nothing could be read', () => {
  it('never exits 0: an empty file or empty stdin is UNKNOWN (exit 4)', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'empty.log'), '')
    const empty = await medic(['logs', 'summarize', join(dir, 'empty.log')])
    expect(empty.code).toBe(4)
    expect(empty.stdout).toContain('UNKNOWN')
    const viaStdin = await medic(['logs', 'summarize', '--json'], {input: ''})
    expect(viaStdin.code).toBe(4)
    expect(oneJson(viaStdin.stdout)).toMatchObject({verdict: 'unknown', complete: false, exitCode: 4})
  })
})
