// The flags issue 13 adds to explain and summarize (--min, --ndjson, --tz) and the "also fix" behaviours seen by a
// new user: a --since window that holds no timestamped line, next commands filled with the line's values.
import {describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'

const CRITICAL = '[write] 2016/09/19 10:35:21 write failed for shard 2382 on node 4: queue is full'
const EXPECTED = 'ts=2021-07-03T11:00:00.000512Z lvl=info msg="Closing retention policy enforcement service" log_id=0V6y7ktG000 service=retention'
const INFO = '[write] 2016/09/19 10:35:22 write failed for shard 2382 on node 4: hinted handoff queue not empty'
const input = [CRITICAL, EXPECTED, INFO, 'odd line'].join('\n') + '\n'

describe('--min', () => {
  it('explain shows only lines at or above the level; the exit code still reflects every line', async () => {
    const r = await medic(['explain', '--json', '--min', 'info'], {input})
    const doc = oneJson(r.stdout) as {results: Array<{id: string}>}
    expect(doc.results.map((x) => x.id)).toEqual(['hh-queue-full', 'hh-queue-not-empty'])
    expect(r.code).toBe(3)
    const none = await medic(['explain', '--min', 'critical'], {input: `${EXPECTED}\n`})
    expect(none.stdout).toContain('no line at or above critical')
    expect(none.code).toBe(0)
  })

  it('summarize leaves entries below the level out of the report', async () => {
    const r = await medic(['logs', 'summarize', '--json', '--min', 'warning'], {input})
    const doc = oneJson(r.stdout) as {actionable: unknown[]; informational: unknown[]; benign: unknown[]; unknown: {templates: unknown[]}}
    expect(doc.actionable).toHaveLength(1)
    expect([doc.informational, doc.benign, doc.unknown.templates]).toEqual([[], [], []])
    expect(r.code).toBe(3)
  })

  it('rejects an unknown level with exit 2', async () => {
    const r = await medic(['explain', '--min', 'loud'], {input})
    expect(r.code).toBe(2)
  })
})

describe('--ndjson (explain)', () => {
  it('streams one object per entry (once), per line and a closing summary', async () => {
    const r = await medic(['explain', '--ndjson'], {input: input + CRITICAL + '\n'})
    const objs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as {type: string; id?: string; entry?: {id: string}; schemaVersion: number})
    expect(objs.every((o) => o.schemaVersion === 1)).toBe(true)
    expect(objs.filter((o) => o.type === 'result').map((o) => o.id)).toEqual(['hh-queue-full', 'service-stopping', 'hh-queue-not-empty', null, 'hh-queue-full'])
    expect(objs.filter((o) => o.type === 'entry').map((o) => o.entry!.id)).toEqual(['hh-queue-full', 'service-stopping', 'hh-queue-not-empty'])
    expect(objs.at(-1)).toMatchObject({type: 'summary', lines: 5, verdict: 'critical', exitCode: 3})
    expect(r.code).toBe(3)
  })
})

describe('--tz', () => {
  it('reads stamps without a zone (legacy Go log, BSD syslog) in the given zone; stamps with a zone keep theirs', async () => {
    const r = await medic(['explain', '--json', '--tz', 'Europe/Berlin'], {input: `${CRITICAL}\n${EXPECTED}\n`})
    const results = (oneJson(r.stdout) as {results: Array<{values: {time: string}}>}).results
    expect(results.map((x) => x.values.time)).toEqual(['2016-09-19T08:35:21.000Z', '2021-07-03T11:00:00.000Z'])
    const s = await medic(['logs', 'summarize', '--json', '--tz', '+05:30'], {input: `${CRITICAL}\n`})
    expect((oneJson(s.stdout) as {timeRange: {start: string}}).timeRange.start).toBe('2016-09-19T05:05:21.000Z')
    const bad = await medic(['explain', '--tz', 'Mars/Olympus'], {input})
    expect(bad.code).toBe(2)
  })
})

describe('what a new user met', () => {
  it('a --since window that holds no timestamped line: nothing in the window, exit 0, untimed lines not judged', async () => {
    const r = await medic(['logs', 'summarize', '--json', '--since', '2030-01-01'], {input: `${CRITICAL}\nno time here\n500 {"error":"partial write"}\n`})
    const doc = oneJson(r.stdout) as {input: {nothingInWindow: boolean; untimedSkipped: number; lines: number}; actionable: unknown[]}
    expect(doc.input).toMatchObject({nothingInWindow: true, untimedSkipped: 2, lines: 0})
    expect(doc.actionable).toEqual([])
    expect(r.code).toBe(0)
  })

  it('fills next commands with the values the lines agree on, as explain does', async () => {
    const line = 'ts=2021-07-03T11:00:00Z lvl=error msg="[404] - \\"database not found: \\\\\\"telegraf\\\\\\"\\"" service=httpd'
    const s = await medic(['logs', 'summarize', '--json'], {input: `${line}\n${line}\n`})
    const next = (oneJson(s.stdout) as {actionable: Array<{next: string[]}>}).actionable[0].next
    expect(next).toContain('influx -execute \'CREATE DATABASE "telegraf"\'   # if it should exist')
    expect(next.join('\n')).not.toMatch(/\{\w+\}/)
    const e = await medic(['explain'], {input: `${line}\n`})
    expect(e.stdout).toContain('$ influx -execute \'CREATE DATABASE "telegraf"\'')
  })
})
