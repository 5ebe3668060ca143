// Consistency levels and hinted handoff under failures, on a real dev cluster of node processes (issue 11,
// "Reliability"): `medic dev up --meta 1 --data 2`, driven through the CLI (pause, resume, stop, start, kill, verify)
// and plain HTTP, as an operator would. One cluster serves every step, in order (each CLI call costs seconds on a
// busy machine, so the steps share outages where they can):
//   0. an operator's edit of data-1's influxdb.conf (short write-timeout and retry intervals, a small max-size) survives
//      `dev stop` / `dev start` and takes effect;
//   1. SIGSTOP of an owner of an RF 2 database: consistency=all answers 500 `partial write` (the hung owner fails at the
//      shard writer's timeout, before the write-timeout), any/one 204; after SIGCONT the queue drains and both owners
//      hold every point;
//   2. kill -9 of the coordinator while its queue for a stopped owner holds data: the queue survives the crash and
//      takes more writes after the restart (data-2 stays down for step 3);
//   3. a small hinted-handoff max-size: the write that would pass it gets 500 `write failed: queue is full`, the
//      coordinator logs it; once data-2 is back the queue drains (step 2's points too: nothing that got a 204 is lost)
//      and its disk is given back;
//   4. kill -9 of an owner during a stream of consistency=one writes, and a restart: every 204'd point on both owners,
//      each batch exactly once (one series per batch, counted on each owner), so the queue that was full takes writes
//      again; then `medic dev verify` finds the owners of every shard of every step equal;
//   5. every line the nodes wrote is recognised by `medic logs summarize`, and the new kinds of line also when the
//      nodes' logger renders them in the other formats.
// Every wait is on a condition; nothing asserts a duration beyond "not before the shard writer's timeout".
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {encodeBlock} from '../../../src/devcluster/data/hh/block.js'
import {createLogger, type LogFormat} from '../../../src/devcluster/node/logger.js'
import {parseLines} from '../../../src/lineprotocol/parse.js'
import {formatPoints} from '../../../src/lineprotocol/point.js'
import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'
import {medic, oneJson} from '../../helpers/cli.js'
import {httpRequest} from '../../helpers/http.js'

interface DevNode {name: string; kind: 'meta' | 'data'; httpAddr: string; logPath: string; configPath: string}

/**
 * data-1's edits, as an operator makes them: a write-timeout still above the shard writer's internal 5 s, so a hung
 * owner fails at the shard writer's timeout first (below it the client would get `timeout`: faults.test.ts).
 */
const EDITS: Record<string, string> = {
  'write-timeout': '"8s"',
  'retry-interval': '"100ms"',
  'retry-max-interval': '"500ms"',
  'max-size': '524288',
}
const SHARD_WRITER_MS = 5_000
const T0 = 1_700_000_000_000_000_000n

let dir: string
let removeDir: () => void
let d1: string
let d2: string
let nodes: DevNode[]
let d2Id: string
const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 90_000})

async function devOk(...args: string[]): Promise<void> {
  const r = await dev(...args)
  expect(r.code, `dev ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0)
}

function write(addr: string, params: Record<string, string>, body: string) {
  return httpRequest('POST', `http://${addr}/write?${new URLSearchParams(params)}`, {body, timeoutMs: 30_000})
}

async function query(addr: string, q: string, db?: string) {
  const r = await httpRequest('POST', `http://${addr}/query?${new URLSearchParams(db ? {db, q} : {q})}`, {timeoutMs: 30_000})
  expect(r.status, r.text).toBe(200)
  return r.json as {results: Array<{error?: string; series?: Array<{tags?: Record<string, string>; values: unknown[][]}>}>}
}

/**
 * Batch `k`: `n` points tagged `batch=b<k>`, in one series (`s=0`) or spread over `series` series, nanosecond times
 * unique across batches. One series per batch makes "count per batch" a count per series.
 */
function batch(k: number, n: number, series = 1): string {
  return Array.from({length: n}, (_, i) => `m,batch=b${k},s=${i % series} v=${k * 100_000 + i}i ${T0 + BigInt(k * 100_000 + i)}`).join('\n')
}

/** Values per batch on one node (its own copy where it owns the shard). */
async function countsOn(addr: string, db: string): Promise<Map<number, number>> {
  const r = await query(addr, 'SELECT count(v) FROM m GROUP BY batch', db)
  const out = new Map<number, number>()
  for (const s of r.results[0].series ?? []) out.set(Number(s.tags!.batch.slice(1)), s.values[0][1] as number)
  return out
}

type Vars = Record<string, {name: string; tags: Record<string, string> | null; values: Record<string, number>}>

async function debugVars(addr: string): Promise<Vars | undefined> {
  const r = await httpRequest('GET', `http://${addr}/debug/vars`, {timeoutMs: 5_000})
  return r.status === 200 ? (r.json as Vars) : undefined
}

/** data-1's hinted-handoff state for data-2: bytes still to deliver, and bytes on disk (what max-size counts). */
async function queueFor2(): Promise<{queueBytes: number; diskBytes: number} | undefined> {
  const vars = await debugVars(d1)
  if (vars === undefined) return undefined
  let queueBytes = 0
  let diskBytes = 0
  for (const v of Object.values(vars)) {
    if (v?.tags?.node !== d2Id) continue
    if (v.name === 'hh_processor') queueBytes += v.values.queueBytes
    if (v.name === 'hh_node') diskBytes += v.values.queueTotalSize
  }
  return {queueBytes, diskBytes}
}

async function drained(what: string): Promise<void> {
  await until(`${what}: data-1's queue for data-2 drained`, async () => (await queueFor2())?.queueBytes === 0, 60_000, 100)
}

/** The bytes the coordinator appends to a queue for one write of `body` to `db` (one block per write and shard). */
function blockBytes(db: string, body: string): number {
  const parsed = parseLines(body, {precision: 'n', now: 0n})
  return encodeBlock(db, 'autogen', parsed.points.length, Buffer.from(formatPoints(parsed.points), 'utf8')).length
}

/** bytesWritten of data-1's hh_database statistic for `db`: bytes durably appended for it since data-1 started. */
async function appendedFor(db: string): Promise<number | undefined> {
  const vars = await debugVars(d1)
  if (vars === undefined) return undefined
  return Object.values(vars).find((v) => v?.name === 'hh_database' && v.tags?.db === db && v.tags.node === d2Id)?.values.bytesWritten ?? 0
}

/**
 * Waits until data-1 has appended `expected` bytes for `db` to its queue for data-2, then checks it is exactly that.
 * On a timeout the message holds the last figure and data-1's hinted-handoff and write lines, so a CI failure explains
 * itself (a copy not queued, a queue that refused it, or one queued twice).
 */
async function appendedReaches(db: string, expected: number, what: string): Promise<void> {
  let last: number | undefined
  try {
    await until(what, async () => {
      last = await appendedFor(db)
      return last !== undefined && last >= expected
    }, 30_000, 50)
  } catch (err) {
    const lines = readFileSync(nodes.find((n) => n.name === 'data-1')!.logPath, 'utf8').split('\n')
      .filter((l) => /hinted|queue|write failed|shard/i.test(l)).slice(-30)
    throw new Error(`${(err as Error).message}: appended ${last} of ${expected} bytes for ${db}; data-1's last lines:\n${lines.join('\n')}`)
  }
  expect(last, `bytes appended for ${db} (more than expected: a copy queued twice)`).toBe(expected)
}

describe('hinted handoff and consistency under failures (1 meta + 2 data, real processes)', () => {
  beforeAll(async () => {
    const t = tempClusterDir('medic-hh-rel-')
    dir = t.dir
    removeDir = t.remove
    const up = await dev('up', '--detach', '--meta', '1', '--data', '2', '--base-port', String(await freeBase(1, 2)), '--json')
    expect(up.code, up.stdout + up.stderr).toBe(0)
    nodes = (oneJson(up.stdout) as unknown as {nodes: DevNode[]}).nodes
    ;[d1, d2] = nodes.filter((n) => n.kind === 'data').map((n) => n.httpAddr)
    // data-2's node id, from the meta node's /show-cluster (an id is what the coordinator's lines and statistics name).
    const cluster = await httpRequest('GET', `http://${nodes.find((n) => n.kind === 'meta')!.httpAddr}/show-cluster`)
    d2Id = String((cluster.json as {data: Array<{id: number; httpAddr: string}>}).data.find((n) => n.httpAddr === d2)!.id)
  }, 120_000)

  afterAll(async () => {
    if (dir !== undefined && existsSync(join(dir, 'cluster.json'))) await dev('down', '--purge', '--grace', '2s')
    removeDir?.()
  }, 60_000)

  const log1 = () => readFileSync(nodes.find((n) => n.name === 'data-1')!.logPath, 'utf8')

  it('0. an operator\'s edit of data-1\'s influxdb.conf survives dev stop / dev start', async () => {
    const config = nodes.find((n) => n.name === 'data-1')!.configPath
    let text = readFileSync(config, 'utf8')
    for (const [key, value] of Object.entries(EDITS)) {
      const line = new RegExp(`^(\\s*)${key} = .*$`, 'm')
      expect(text).toMatch(line)
      text = text.replace(line, `$1${key} = ${value}`)
    }
    writeFileSync(config, text)
    await devOk('stop', 'data-1')
    await devOk('start', 'data-1')
    expect(readFileSync(config, 'utf8')).toBe(text)
    for (const db of ['paused', 'co', 'st']) expect((await query(d1, `CREATE DATABASE ${db} WITH REPLICATION 2`)).results[0].error).toBeUndefined()
    expect((await query(d1, 'CREATE DATABASE full WITH REPLICATION 1')).results[0].error).toBeUndefined()
  }, 60_000)

  it('1. SIGSTOP of an owner: consistency=all answers partial write, any and one 204; after SIGCONT the queue drains', async () => {
    // The shard group exists before the pause (its creation goes through the meta leader, not data-2).
    expect((await write(d1, {db: 'paused', consistency: 'all'}, batch(0, 10))).status).toBe(204)
    await devOk('pause', 'data-2')
    const started = performance.now()
    const first = await write(d1, {db: 'paused', consistency: 'all'}, batch(1, 10))
    const tookMs = performance.now() - started
    // data-1 wrote, data-2 did not answer within the shard writer's timeout (before write-timeout): partial write.
    expect([first.status, first.json]).toEqual([500, {error: 'partial write'}])
    expect(tookMs).toBeGreaterThanOrEqual(SHARD_WRITER_MS - 50)
    expect(log1()).toMatch(new RegExp(`write failed for shard \\d+ on node ${d2Id}: read message type: read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:\\d+: i/o timeout`))
    // Now behind a non-empty queue: no direct attempt, the same answers at once.
    const answers: Array<[string, number, unknown]> = []
    for (const [k, consistency] of [[2, 'all'], [3, 'quorum'], [4, 'any'], [5, 'one']] as const) {
      const r = await write(d1, {db: 'paused', consistency}, batch(k, 10))
      answers.push([consistency, r.status, r.json])
    }
    expect(answers).toEqual([['all', 500, {error: 'partial write'}], ['quorum', 500, {error: 'partial write'}], ['any', 204, undefined], ['one', 204, undefined]])
    expect(log1()).toMatch(new RegExp(`write failed for shard \\d+ on node ${d2Id}: hinted handoff queue not empty`))
    expect((await queueFor2())!.queueBytes).toBeGreaterThan(0)

    await devOk('resume', 'data-2')
    await drained('after SIGCONT')
    // Every batch was written on data-1 and queued for data-2, answered 500 or not: both hold all six, once.
    for (const addr of [d1, d2]) {
      const got = await countsOn(addr, 'paused')
      expect([...got.entries()].sort((a, b) => a[0] - b[0])).toEqual([0, 1, 2, 3, 4, 5].map((k) => [k, 10]))
    }
  }, 90_000)

  const co = {bodies: [] as string[]}

  it('2. kill -9 of the coordinator while its queue for a stopped owner holds data: the queue survives and takes more', async () => {
    await devOk('stop', 'data-2')
    co.bodies = Array.from({length: 10}, (_, k) => batch(k, 50))
    for (const body of co.bodies) expect((await write(d1, {db: 'co', consistency: 'one'}, body)).status).toBe(204)
    expect(log1()).toMatch(new RegExp(`write failed for shard \\d+ on node ${d2Id}: dial tcp 127\\.0\\.0\\.1:\\d+: connect: connection refused`))
    // The 204 goes out once data-1 wrote; the queued copy for data-2 may still be on its way to disk: wait for it.
    const expected = co.bodies.reduce((n, b) => n + blockBytes('co', b), 0)
    await appendedReaches('co', expected, 'every queued copy on disk')
    const before = (await queueFor2())!.queueBytes
    expect(before).toBeGreaterThan(0)

    await devOk('kill', 'data-1')
    await devOk('start', 'data-1')
    // The queue survived the crash (it can only have grown: the stats service queues too).
    expect((await queueFor2())!.queueBytes).toBeGreaterThanOrEqual(before)
    // The backlog rule holds after the restart: more writes, acknowledged and queued behind the old ones.
    const more = Array.from({length: 5}, (_, k) => batch(10 + k, 50))
    for (const body of more) expect((await write(d1, {db: 'co', consistency: 'one'}, body)).status).toBe(204)
    co.bodies.push(...more)
    await appendedReaches('co', more.reduce((n, b) => n + blockBytes('co', b), 0), 'the new copies on disk')
  }, 90_000)

  it('3. a small max-size: the write that would pass it gets 500 queue is full, logged; data-2 back: everything drains', async () => {
    // data-2 is still down. RF 1, 20 series per batch: each batch spans data-1's and data-2's shard; data-2's part can
    // only be queued, and consistency any counts the queued part as written.
    const acked: number[] = []
    let refused: {k: number; status: number; json: unknown} | undefined
    for (let k = 0; k < 40 && refused === undefined; k++) {
      const r = await write(d1, {db: 'full', consistency: 'any'}, batch(k, 2_000, 20))
      if (r.status === 204) acked.push(k)
      else refused = {k, status: r.status, json: r.json}
    }
    expect(acked.length).toBeGreaterThanOrEqual(2)
    expect(refused).toEqual({k: acked.length, status: 500, json: {error: 'write failed: queue is full'}})
    // The coordinator's line for the owner, and httpd's for the 500 (written as the answer goes out).
    expect(log1()).toMatch(new RegExp(`write failed for shard \\d+ on node ${d2Id}: queue is full`))
    await until('the [500] line', () => log1().includes('msg="[500] - \\"write failed: queue is full\\""'), 10_000)
    expect((await queueFor2())!.diskBytes).toBeLessThanOrEqual(524_288)

    await devOk('start', 'data-2')
    await drained('after data-2 started')
    // The drained queues give their disk back: what max-size counts is a few footers again.
    await until('the queue\'s disk given back', async () => ((await queueFor2())?.diskBytes ?? Infinity) < 1_000, 30_000, 100)
    // Every acknowledged batch is whole (each RF 1 shard read from its owner); the refused one kept data-1's part only.
    const got = await countsOn(d2, 'full')
    for (const k of acked) expect([k, got.get(k)]).toEqual([k, 2_000])
    expect(got.get(refused!.k)).toBeGreaterThan(0)
    expect(got.get(refused!.k)).toBeLessThan(2_000)
    // Step 2: nothing that got a 204 before or after the coordinator's crash is lost, on either owner.
    for (const addr of [d1, d2]) {
      const counts = await countsOn(addr, 'co')
      expect([...counts.entries()].sort((a, b) => a[0] - b[0])).toEqual(co.bodies.map((_, k) => [k, 50]))
    }
  }, 90_000)

  it('4. kill -9 of an owner during a stream of consistency=one writes: every 204\'d point on both owners, once; dev verify', async () => {
    const perBatch = 20
    const acked: number[] = []
    const failed: Array<{k: number; status: number; text: string}> = []
    let next = 0
    let writing = true
    // While data-2 is dead its copies pile up in data-1's queue, which must stay below max-size (past it, data-2's
    // copies would be refused and lost for it, as in Enterprise). So the client is a steady one (at most 100 batches
    // of about 1 KB a second), and once data-2 is known dead it stops after `outageBudget` batches until data-2 is
    // started again.
    const outageBudget = 60
    let down: {since: number} | undefined
    const writer = async () => {
      while (writing) {
        if (down !== undefined && next >= down.since + outageBudget) {
          await until('data-2 started again', () => down === undefined || !writing, 60_000, 20)
          continue
        }
        const k = next++
        const r = await write(d1, {db: 'st', consistency: 'one'}, batch(k, perBatch))
        if (r.status === 204) acked.push(k)
        else failed.push({k, status: r.status, text: r.text.slice(0, 200)})
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    const writers = [writer(), writer()]
    await until('writes flowing', () => acked.length >= 20, 30_000)
    await devOk('kill', 'data-2')
    down = {since: next}
    const atKill = acked.length
    await until('writes acknowledged with data-2 dead', () => acked.length >= atKill + 30, 30_000)
    await devOk('start', 'data-2')
    down = undefined
    const atStart = acked.length
    await until('writes acknowledged after the restart', () => acked.length >= atStart + 20, 30_000)
    writing = false
    await Promise.all(writers)
    // data-1 always wrote its own copy: consistency one never failed.
    expect(failed).toEqual([])
    await drained('after data-2 restarted')
    for (const addr of [d1, d2]) {
      const got = await countsOn(addr, 'st')
      // Every batch is one series: exactly perBatch values, on each owner (no loss, no duplicate), nothing unsent.
      expect(acked.filter((k) => got.get(k) !== perBatch)).toEqual([])
      expect([...got.keys()].filter((k) => k >= next)).toEqual([])
      expect(got.size).toBe(acked.length)
    }
    // The convergence check over every shard of every step (paused, co and st have two owners; full and _internal one).
    const r = await dev('verify', '--json')
    const doc = oneJson(r.stdout) as {summary: {equal: number; differs: number; unchecked: number}; shards: Array<{database: string; status: string}>}
    expect([r.code, doc.summary.differs, doc.summary.unchecked], JSON.stringify(doc.shards)).toEqual([0, 0, 0])
    expect(doc.shards.filter((s) => s.status === 'equal').map((s) => s.database).sort()).toEqual(['co', 'paused', 'st'])
  }, 90_000)

  it('5. every line the runs wrote is recognised, and the new kinds of line in every log format', async () => {
    // The kinds of line these failures bring (coordinator, hinted handoff, 5xx), one example each from the run,
    // rendered again by the nodes' own logger in the other formats.
    const kinds = [
      /write failed for shard \d+ on node \d+: read message type: .*i\/o timeout/,
      /write failed for shard \d+ on node \d+: hinted handoff queue not empty/,
      /write failed for shard \d+ on node \d+: queue is full/,
      /write failed for shard \d+ on node \d+: dial tcp /,
      /failed to write to node \d+ shard \d+, will retry: /,
      /\[500\] - \\"write failed: queue is full\\"/,
      /\[500\] - \\"partial write\\"/,
    ]
    // Lines that depend on when timers fired (the stats service every 10 s, a send cut by the kill): taken if present.
    const maybe = [/error writing count stats for \w+: /, /failed to store statistics: /, /failed to write to node \d+ shard \d+, will retry: read message type: /]
    const logs = nodes.map((n) => n.logPath)
    const text = logs.map((p) => readFileSync(p, 'utf8')).join('\n').split('\n')
    const examples = kinds.map((re) => {
      const line = text.find((l) => re.test(l))
      expect(line, `no line like ${re} in the logs`).toBeDefined()
      return line!
    })
    for (const re of maybe) {
      const line = text.find((l) => re.test(l) && l.includes(' msg="'))
      if (line !== undefined) examples.push(line)
    }
    const rendered: string[] = []
    for (const format of ['json', 'legacy-level', 'legacy'] as LogFormat[]) {
      const sink: string[] = []
      const log = createLogger({format, sink: (l) => sink.push(l.replace(/\n$/, ''))})
      for (const line of examples) {
        const service = /service=(\w+)/.exec(line)![1]
        const level = /lvl=(\w+)/.exec(line)![1] as 'info' | 'warn' | 'error'
        const message = JSON.parse(`"${/msg="((?:[^"\\]|\\.)*)"/.exec(line)![1]}"`) as string
        log.child(service)[level](message, undefined, message)
      }
      const file = join(dir, '..', `new-lines.${format}.log`)
      writeFileSync(file, sink.join('\n') + '\n')
      rendered.push(file)
    }
    const r = await medic(['logs', 'summarize', ...logs, ...rendered, '--json'], {timeoutMs: 60_000})
    expect([0, 3], r.stderr).toContain(r.code)
    const doc = oneJson(r.stdout) as {input: {lines: number}; unknown: {lines: number; templates: Array<{template: string; example: string}>}}
    expect(doc.input.lines).toBeGreaterThan(100)
    expect(doc.unknown.templates.map((t) => t.example)).toEqual([])
    expect(doc.unknown.lines).toBe(0)
  }, 90_000)
})
