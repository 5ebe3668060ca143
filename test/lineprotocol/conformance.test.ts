// Conformance with the real parser: every case of cases.ts goes to a real influxd 1.6.7 (started here on 127.0.0.1
// with a temp config) and to our parser + shard store (oracle.ts); status code and error text must match, and for
// valid bodies the stored series keys, field types and values too. Skips, saying why, when influxd is not installed.
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DataStore} from '../../src/devcluster/data/store/store.js'
import {MAX_TIME_NS, MIN_TIME_NS} from '../../src/lineprotocol/point.js'
import {allCases, type Case, limitCases} from './cases.js'
import {INFLUXD, type Influxd, startInfluxd} from '../helpers/influxd.js'
import {Oracle} from './oracle.js'
import {tempDir} from '../helpers/tmp.js'

if (!INFLUXD) console.log('conformance: influxd is not installed (apt-get install influxdb gives 1.6.7); skipping the comparison with the real parser')

interface Outcome {
  name: string
  ours: {status: number; error?: string}
  theirs: {status: number; error?: string}
  data?: {ours: string[]; theirs: string[]}
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({length: n}, async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i], i)
    }
  }))
}

async function runCases(influxd: Influxd, store: DataStore, cases: Case[], prefix: string): Promise<Outcome[]> {
  const oracle = new Oracle(store)
  const dbs = cases.map((_, i) => `${prefix}${i}`)
  // One query creates every database (fast, unlike one request each).
  for (let i = 0; i < dbs.length; i += 200) await influxd.query(dbs.slice(i, i + 200).map((d) => `CREATE DATABASE ${d}`).join(';'))
  const outcomes: Outcome[] = []
  await pool(cases, 6, async (c, i) => {
    const db = dbs[i]
    const params: Record<string, string> = c.precision === undefined ? {} : {precision: c.precision}
    for (const body of c.setup ?? []) {
      await influxd.write(db, body)
      await oracle.write(db, body)
    }
    const theirs = await influxd.write(db, c.body, params)
    const ours = await oracle.write(db, c.body, c.precision)
    const outcome: Outcome = {name: c.name, theirs, ours: {status: ours.status, error: ours.error}}
    if (c.readBack && theirs.status === ours.status && theirs.status < 500) outcome.data = {theirs: await storedByInfluxd(influxd, db), ours: storedByUs(store, db)}
    outcomes[i] = outcome
  })
  return outcomes
}

/** Series keys, field types and every value influxd stored in a database, as sorted lines. */
async function storedByInfluxd(influxd: Influxd, db: string): Promise<string[]> {
  type Result = {results: Array<{series?: Array<{name?: string; tags?: Record<string, string>; columns: string[]; values: unknown[][]}>}>}
  const lines: string[] = []
  const series = (await influxd.query(`SHOW SERIES ON ${db}`)) as Result
  for (const s of series.results[0].series ?? []) for (const [key] of s.values) lines.push(`series ${key as string}`)
  const fields = (await influxd.query(`SHOW FIELD KEYS ON ${db}`)) as Result
  for (const s of fields.results[0].series ?? []) for (const [k, t] of s.values) lines.push(`field ${s.name}.${k as string} ${t as string}`)
  const res = await fetch(`${influxd.url}/query?${new URLSearchParams({db, epoch: 'ns', q: 'SELECT * FROM /.*/ GROUP BY *'})}`)
  const data = (await res.json()) as Result
  for (const s of data.results[0].series ?? []) {
    const tags = Object.entries(s.tags ?? {}).filter(([, v]) => v !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    for (const row of s.values) {
      for (let c = 1; c < s.columns.length; c++) {
        if (row[c] === null) continue
        lines.push(`value ${s.name} ${JSON.stringify(tags)} ${s.columns[c]} ${String(row[0])} ${show(row[c])}`)
      }
    }
  }
  return lines.sort()
}

function storedByUs(store: DataStore, db: string): string[] {
  const lines = new Set<string>()
  for (const id of store.shardIds(db)) {
    const shard = store.shard(id)!
    for (const m of shard.measurements()) {
      for (const [k, t] of shard.fields(m)) lines.add(`field ${m}.${k} ${t}`)
      for (const s of shard.series(m)) {
        lines.add(`series ${s.key}`)
        const tags = [...s.tags].map(([k, v]) => [k, v]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        for (const f of shard.fields(m).keys()) {
          const col = shard.read(s.key, f, MIN_TIME_NS, MAX_TIME_NS)
          if (!col) continue
          for (let i = 0; i < col.times.length; i++) {
            const v = col.type === 'boolean' ? col.values[i] === 1 : col.values[i]
            lines.add(`value ${m} ${JSON.stringify(tags)} ${f} ${String(Number(col.times[i]))} ${show(typeof v === 'bigint' ? Number(v) : v)}`)
          }
        }
      }
    }
  }
  return [...lines].sort()
}

function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v)
  return JSON.stringify(v)
}

function report(label: string, outcomes: Outcome[]): void {
  const bad = outcomes.filter((o) => o.ours.status !== o.theirs.status || o.ours.error !== o.theirs.error || (o.data && JSON.stringify(o.data.ours) !== JSON.stringify(o.data.theirs)))
  const withData = outcomes.filter((o) => o.data).length
  console.log(`conformance (${label}): ${outcomes.length} cases, ${outcomes.length - bad.length} agree with influxd 1.6.7 (${(100 * (outcomes.length - bad.length) / outcomes.length).toFixed(1)}%); stored data compared for ${withData}`)
  const details = bad.slice(0, 15).map((o) => {
    const data = o.data && JSON.stringify(o.data.ours) !== JSON.stringify(o.data.theirs)
      ? `\n  stored by influxd: ${JSON.stringify(o.data.theirs)}\n  stored by us:      ${JSON.stringify(o.data.ours)}` : ''
    return `${o.name}\n  influxd: ${o.theirs.status} ${JSON.stringify(o.theirs.error)}\n  ours:    ${o.ours.status} ${JSON.stringify(o.ours.error)}${data}`
  })
  expect(details.join('\n'), `${bad.length} of ${outcomes.length} cases differ`).toBe('')
}

describe.skipIf(!INFLUXD)('line protocol and shard writes against influxd 1.6.7', () => {
  let influxd: Influxd
  let limited: Influxd
  let dir: string

  beforeAll(async () => {
    dir = tempDir('medic-lp-conf-')
    ;[influxd, limited] = await Promise.all([
      startInfluxd(),
      startInfluxd({'max-series-per-database': 5, 'max-values-per-tag': 3}),
    ])
  }, 60_000)

  afterAll(async () => {
    await Promise.all([influxd?.stop(), limited?.stop()])
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  it('answers every case as influxd does (status and error text) and stores the same data', async () => {
    const store = await DataStore.open(join(dir, 'main'))
    try {
      report('default limits', await runCases(influxd, store, allCases(), 'c'))
    } finally {
      await store.close()
    }
  }, 120_000)

  it('applies max-series-per-database and max-values-per-tag as influxd does', async () => {
    const store = await DataStore.open(join(dir, 'limits'), {maxSeriesPerDatabase: 5, maxValuesPerTag: 3})
    try {
      report('limits 5 series, 3 values per tag', await runCases(limited, store, limitCases(), 'l'))
    } finally {
      await store.close()
    }
  }, 60_000)
})
