/**
 * Hinted-handoff scenarios: an owner down behind a growing queue, what the coordinator logs and the client gets, the
 * stats service's partial writes, a client that retries 500s, a queue at max-size, a point the destination refuses,
 * and a destination removed from the cluster while others hold hints for it.
 */
import {jsonOf} from '../node/http-client.js'
import type {ScenarioContext} from './context.js'
import {
  allAcknowledged, answerLine, dataNodeId, dataNodeIds, describeLoad, describeQueues, expectExplained, hhWaitCommand, hhWatchCommand,
  expectDoctorFirst, matching, queuedFor, statistics, statSum, shardIds, summarizeCommand, verdictsForShards, warmUp,
} from './helpers.js'
import type {Scenario} from './types.js'

/** Short HH back-off, so a node that comes back is written to within seconds. */
const QUICK_RETRY = {'hinted-handoff': {'retry-interval': '"500ms"', 'retry-max-interval': '"2s"'}}

const LEGACY_STAMP = String.raw`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d`

/** Waits for `hh wait --url` on the coordinator to end drained, and checks it. */
async function expectDrained(ctx: ScenarioContext, id: string, coordinator: string, timeoutMs: number): Promise<boolean> {
  const d = ctx.data(Number(coordinator.slice(5)))
  const wait = await ctx.diagnose.hhWait([d.httpAddr], {configPath: d.configPath, timeoutMs})
  const evidence = [`waited ${Math.round(wait.waitedMs / 100) / 10} s, ${wait.samples} samples`, ...(wait.snapshot ? describeQueues(wait.snapshot) : [])]
  ctx.command(hhWaitCommand([d.httpAddr], {config: d.configPath}), `is ${coordinator}'s queue empty again? (exit 0 once drained)`, 'cluster')
  return ctx.expectEqual(id, `medic hh wait --url ${coordinator} ends drained`, 'waitOutcome', 'drained', wait.outcome, evidence)
}

export const hhQueueNotEmpty: Scenario = {
  name: 'hh-queue-not-empty',
  title: 'An owner is down: writes for it queue behind its non-empty hinted-handoff queue',
  shows: 'With one owner of an RF 2 shard down, the coordinator queues that owner\'s copy in hinted handoff and, while the queue is not empty, appends every later write to it without trying the owner: it logs `write failed for shard N on node M: hinted handoff queue not empty` for each. At consistency one the client still gets 204 (the local copy is enough); with RF 1, where the down node is the only owner, the client gets 500 `write failed: hinted handoff queue not empty`. Once the owner is back the queue drains and the lines stop.',
  seed: '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty',
  cluster: {meta: 1, data: 2, logFormat: 'legacy', dataConfig: QUICK_RETRY},
  steps: [
    'create database hh (replication 2) and hh1 (replication 1); write to both while every node is up',
    'kill data-2 (SIGKILL)',
    'write to hh through data-1 at consistency one; write to hh1 through data-1',
    'read data-1\'s log and its queues (/debug/vars)',
    'start data-2 again and wait for the queue to drain',
  ],
  checks: [
    'the writes at consistency one are all acknowledged (204)',
    'data-1 logs the seed line, `[write] ... write failed for shard N on node M: hinted handoff queue not empty`',
    'medic explain: hh-queue-not-empty, verdict info (informational)',
    'medic hh watch --url data-1: bytes queued for data-2\'s node id',
    'RF 1: the client gets 500 `write failed: hinted handoff queue not empty`, which medic explains as write-failed-hh-not-empty',
    'after data-2 is back: medic hh wait ends drained, and new writes log no such line',
    'medic doctor: its first finding is the down data node, data-unreachable',
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    await ctx.createDatabase('data-1', 'hh', 2)
    await ctx.createDatabase('data-1', 'hh1', 1)
    const warm = await ctx.load('data-1', {db: 'hh', points: 200, consistency: 'one'})
    const warm1 = await ctx.load('data-1', {db: 'hh1', points: 200, consistency: 'one'})
    ctx.step(`wrote 200 points to each while every node was up: ${describeLoad(warm)}`)
    ctx.require(ctx.check('writes-before-fault', 'writes are acknowledged while every node is up', allAcknowledged(warm) && allAcknowledged(warm1), {
      expected: 'every request 204', actual: `${describeLoad(warm)}; ${describeLoad(warm1)}`,
    }), 'writes-before-fault')
    const id2 = await dataNodeId(ctx, 'data-2')

    await ctx.signal('data-2', 'kill')
    const mark = ctx.mark('data-1')
    const load = await ctx.load('data-1', {db: 'hh', points: ctx.short ? 2_000 : 50_000, consistency: 'one'})
    ctx.step(`wrote ${load.pointsSent} points to hh through data-1 at consistency one`)
    ctx.see('client', 'data-1', describeLoad(load))
    ctx.check('client-acknowledged', 'at consistency one the client gets 204: the local owner acknowledged', allAcknowledged(load), {expected: 'every request 204', actual: describeLoad(load)})

    const seed = new RegExp(`^\\[write\\] ${LEGACY_STAMP} write failed for shard (\\d+) on node ${id2}: hinted handoff queue not empty$`)
    const line = await ctx.expectLine('seed-line', 'data-1 logs the seed line for data-2\'s node id', mark, seed, 10_000)
    if (line !== undefined) {
      await expectExplained(ctx, {id: 'explained', title: 'medic explain names it hh-queue-not-empty', key: 'seedEntry', line, entry: 'hh-queue-not-empty', verdict: 'info', source: 'the coordinator\'s line'})
    }

    const watch = await ctx.diagnose.hhWatch([d1.httpAddr], {configPath: d1.configPath, meta: ctx.meta(1).httpAddr})
    try {
      const snap = await ctx.until('data-1\'s /debug/vars to show the queue for data-2', async () => {
        const s = await watch.sample()
        return queuedFor(s, id2) > 0 && s
      }, 10_000, 500)
      ctx.see('queue', 'data-1', `${queuedFor(snap, id2)} bytes queued for node ${id2} (data-2)`)
      ctx.check('queue-held', `medic hh watch --url data-1 shows bytes queued for node ${id2}`, queuedFor(snap, id2) > 0, {expected: 'more than 0 bytes', actual: `${queuedFor(snap, id2)} bytes`, evidence: describeQueues(snap)})
    } finally {
      await watch.close()
    }
    ctx.command(hhWatchCommand([d1.httpAddr], {config: d1.configPath, meta: ctx.meta(1).httpAddr}), 'how much data-1 holds for data-2, and whether it drains', 'cluster')
    await expectDoctorFirst(ctx, {title: 'medic doctor names the down node first', expected: 'data-unreachable', node: ctx.data(2).httpAddr, meta: [ctx.meta(1).httpAddr], configs: [d1.configPath], logs: [d1.logPath]})

    // RF 1: the down node is the only owner of half the shards, so the client sees the error.
    const rf1: Array<{status: number; body: string}> = []
    for (let i = 0; i < 6; i++) rf1.push(await ctx.write('data-1', 'hh1', Array.from({length: 20}, (_, k) => `rf1,host=h${k} v=${i}`), {consistency: 'one'}))
    ctx.step('wrote 6 batches of 20 series to hh1 (replication 1) through data-1')
    const bodies = [...new Set(rf1.map((r) => answerLine(r.status, r.body)))]
    ctx.see('client', 'data-1', `hh1 answers: ${bodies.join(' | ')}`)
    const notEmpty = rf1.find((r) => r.status === 500 && r.body.includes('hinted handoff queue not empty'))
    ctx.check('client-500', 'RF 1: the client gets 500 "write failed: hinted handoff queue not empty"', notEmpty !== undefined, {
      expected: '500 {"error":"write failed: hinted handoff queue not empty"}', actual: bodies.join(' | '),
    })
    if (notEmpty) {
      await expectExplained(ctx, {id: 'client-explained', title: 'medic explain names the client\'s answer write-failed-hh-not-empty', key: 'clientEntry', line: answerLine(notEmpty.status, notEmpty.body), entry: 'write-failed-hh-not-empty', verdict: 'warning', source: 'the client\'s 500'})
    }

    await ctx.start('data-2')
    if (await expectDrained(ctx, 'drained', 'data-1', 30_000)) {
      const after = ctx.mark('data-1')
      const more = await ctx.load('data-1', {db: 'hh', points: 500, consistency: 'one'})
      ctx.step('wrote 500 more points through data-1 after the queue drained')
      // The access log's line for each write is written once it is answered: every line about those writes is in.
      await ctx.within(() => matching(ctx.linesSince(after), /POST \/write\?/, 1_000).length >= more.requests, 5_000)
      const again = matching(ctx.linesSince(after), /hinted handoff queue not empty/)
      ctx.check('lines-stop', 'with the queue empty, new writes go straight to data-2: no more such lines', again.length === 0 && allAcknowledged(more), {
        expected: 'no "hinted handoff queue not empty" line, every request 204', actual: again.length === 0 ? describeLoad(more) : `${again.length} more lines`, evidence: again,
      })
    }
    ctx.command(summarizeCommand([d1.logPath]), 'the whole story of data-1\'s log, actionable first', 'files')
  },
}

export const statsPartialWrite: Scenario = {
  name: 'stats-partial-write',
  title: 'The stats service\'s consistency=all writes fail while hinted handoff holds data',
  shows: 'The stats service writes per-database count statistics into `_internal` at consistency all, to every data node. With a data node down, and then for as long as the queue for it is not empty, every such write is a partial write and the coordinator logs `error writing count stats for <db>: partial write`. The points are not lost: they wait in hinted handoff. Once the node is back and the queue has drained, the lines stop.',
  seed: '[stats] 2016/10/18 10:35:21 error writing count stats for FOO_grafana: partial write',
  cluster: {meta: 1, data: 2, logFormat: 'legacy', dataConfig: {...QUICK_RETRY, monitor: {'store-interval': '"1s"'}}},
  steps: [
    'create database FOO_grafana (replication 2) and write to it ([monitor] store-interval is 1s)',
    'kill data-2',
    'read data-1\'s log and its queues; start data-2 again; wait for the queue to drain',
  ],
  checks: [
    'data-1 logs the seed line `[stats] ... error writing count stats for FOO_grafana: partial write`',
    'medic explain: stats-partial-write, verdict info',
    'while it is logged, medic hh watch --url data-1 shows data queued for data-2',
    'data-1\'s write statistic counts the partial writes',
    'after the queue drained: the stats writes succeed again (no more such lines)',
    'medic doctor: its first finding is the down data node, data-unreachable',
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    await warmUp(ctx, 'data-1', {db: 'FOO_grafana', rf: 2, points: 200, consistency: 'one', title: 'writes are acknowledged while every node is up'})
    const id2 = await dataNodeId(ctx, 'data-2')
    const before = statSum(await statistics(ctx, 'data-1'), 'write', 'writePartial')
    await ctx.signal('data-2', 'kill')
    const mark = ctx.mark('data-1')
    const seed = new RegExp(`^\\[stats\\] ${LEGACY_STAMP} error writing count stats for FOO_grafana: partial write$`)
    const line = await ctx.expectLine('seed-line', 'data-1 logs the seed line for FOO_grafana', mark, seed, 10_000)
    if (line !== undefined) {
      await expectExplained(ctx, {id: 'explained', title: 'medic explain names it stats-partial-write', key: 'seedEntry', line, entry: 'stats-partial-write', verdict: 'info', source: 'the stats service\'s line'})
    }
    const watch = await ctx.diagnose.hhWatch([d1.httpAddr], {configPath: d1.configPath})
    try {
      const snap = await watch.sample()
      ctx.see('queue', 'data-1', `${queuedFor(snap, id2)} bytes queued for node ${id2} (data-2)`)
      ctx.check('hh-non-empty', `meanwhile medic hh watch --url data-1 shows data queued for node ${id2}`, queuedFor(snap, id2) > 0, {expected: 'more than 0 bytes', actual: `${queuedFor(snap, id2)} bytes`, evidence: describeQueues(snap)})
    } finally {
      await watch.close()
    }
    const partial = statSum(await statistics(ctx, 'data-1'), 'write', 'writePartial') - before
    ctx.see('status', 'data-1', `write statistic: ${partial} partial writes since data-2 went down`)
    ctx.check('write-partial-counted', 'data-1\'s /debug/vars "write" statistic counts the partial writes', partial > 0, {expected: 'writePartial grows', actual: `+${partial}`})
    ctx.command(hhWatchCommand([d1.httpAddr], {config: d1.configPath}), 'the queue the stats writes go behind', 'cluster')
    await expectDoctorFirst(ctx, {title: 'medic doctor names the down node first', expected: 'data-unreachable', node: ctx.data(2).httpAddr, meta: [ctx.meta(1).httpAddr], configs: [d1.configPath], logs: [d1.logPath]})

    await ctx.start('data-2')
    if (await expectDrained(ctx, 'drained', 'data-1', 30_000)) {
      const after = ctx.mark('data-1')
      const ok0 = statSum(await statistics(ctx, 'data-1'), 'write', 'writeOk')
      const p0 = statSum(await statistics(ctx, 'data-1'), 'write', 'writePartial')
      // Three store intervals' worth of successful writes (monitor and stats), then look at what was logged.
      const ok = await ctx.within(async () => statSum(await statistics(ctx, 'data-1'), 'write', 'writeOk') - ok0 >= 6 || undefined, 15_000, 500)
      const p1 = statSum(await statistics(ctx, 'data-1'), 'write', 'writePartial')
      const again = matching(ctx.linesSince(after), /error writing count stats/)
      ctx.check('lines-stop', 'with the queue drained, the stats writes succeed: no more partial writes', ok === true && again.length === 0 && p1 === p0, {
        expected: 'successful writes, no new partial write, no new line', actual: `${again.length} lines, writePartial +${p1 - p0}${ok ? '' : ', too few successful writes to judge'}`, evidence: again,
      })
    }
    ctx.command(summarizeCommand([d1.logPath]), 'the stats lines among the rest of data-1\'s log', 'files')
  },
}

export const retryAmplification: Scenario = {
  name: 'retry-amplification',
  title: 'A client that retries 500s multiplies what the hinted-handoff queue must deliver',
  shows: 'At consistency all with an owner down, every write answers 500 `partial write`, yet the points were stored on the owner that answered and queued for the other. A client that retries such 500s sends the same points again and again: each retry is stored once more in the queue, so the queue grows by the number of attempts, and it takes that much longer to drain. medic explains the 500 with the advice not to retry it.',
  cluster: {meta: 1, data: 2},
  steps: [
    'create database amp (replication 2); kill data-2',
    'write N points at consistency all without retries; measure data-1\'s queue for data-2',
    'write N other points at consistency all with --retry 3; measure the queue again',
  ],
  checks: [
    'every answer is 500 partial write, with and without retries',
    'the retrying client grows the queue about 4 times as much (1 + 3 retries)',
    'medic explain names the 500 write-partial-consistency, and its advice for client developers says not to retry it',
    'medic doctor: its first finding is the down data node, data-unreachable',
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    await ctx.createDatabase('data-1', 'amp', 2)
    const id2 = await dataNodeId(ctx, 'data-2')
    await ctx.signal('data-2', 'kill')
    const n = ctx.short ? 1_000 : 20_000
    const watch = await ctx.diagnose.hhWatch([d1.httpAddr], {configPath: d1.configPath})
    try {
      const q0 = queuedFor(await watch.sample(), id2)
      const plain = await ctx.load('data-1', {db: 'amp', points: n, consistency: 'all', seed: 1})
      ctx.step(`wrote ${n} points at consistency all, no retries: ${describeLoad(plain)}`)
      const q1 = queuedFor(await watch.sample(), id2)
      const retrying = await ctx.load('data-1', {db: 'amp', points: n, consistency: 'all', retries: 3, seed: 2})
      ctx.step(`wrote ${n} other points at consistency all, retrying each 500 up to 3 times: ${describeLoad(retrying)}`)
      const snap = await watch.sample()
      const q2 = queuedFor(snap, id2)
      ctx.see('client', 'data-1', `no retries: ${describeLoad(plain)}`)
      ctx.see('client', 'data-1', `--retry 3: ${describeLoad(retrying)}`)
      ctx.see('queue', 'data-1', `queued for node ${id2}: ${q0} B at the start, ${q1} B after the plain client (+${q1 - q0}), ${q2} B after the retrying one (+${q2 - q1})`)
      const partialOnly = (r: typeof plain) => r.outcomes.every((o) => o.key === '500 partial write')
      ctx.check('answers', 'every write answers 500 partial write (the points are stored and queued all the same)', partialOnly(plain) && partialOnly(retrying) && retrying.retries === 3 * (retrying.requests / 4), {
        expected: '500 partial write for every request; 3 retries per batch', actual: `${describeLoad(plain)}; ${describeLoad(retrying)}`,
      })
      const ratio = q1 - q0 > 0 ? (q2 - q1) / (q1 - q0) : 0
      ctx.check('amplified', 'the retrying client grew the queue about 4 times as much (1 attempt + 3 retries)', ratio >= 3.2 && ratio <= 4.8, {
        expected: 'a ratio between 3.2 and 4.8', actual: `${ratio.toFixed(2)} (+${q2 - q1} B vs +${q1 - q0} B for the same number of points)`, evidence: describeQueues(snap),
      })
    } finally {
      await watch.close()
    }
    const e = await expectExplained(ctx, {id: 'explained', title: 'medic explain names the client\'s 500 write-partial-consistency', key: 'clientEntry', line: answerLine(500, '{"error":"partial write"}'), entry: 'write-partial-consistency', verdict: 'warning', source: 'the client\'s 500'})
    const entry = e.id === null ? undefined : await ctx.diagnose.catalogueEntry(e.id)
    const advice = entry?.client ?? ''
    ctx.check('names-retries', 'its advice for client developers says not to retry the 500', /retry/i.test(advice) && /not/i.test(advice), {
      expected: 'advice against retrying', actual: advice === '' ? '(no client advice)' : advice.slice(0, 240),
    })
    ctx.command(`medic dev write --url ${d1.httpAddr} --db amp --consistency all --points ${n} --retry 3`, 'the retrying client by hand', 'cluster')
    ctx.command(hhWatchCommand([d1.httpAddr], {config: d1.configPath}), 'the queue growing while the client retries', 'cluster')
    await expectDoctorFirst(ctx, {title: 'medic doctor names the down node first', expected: 'data-unreachable', node: ctx.data(2).httpAddr, meta: [ctx.meta(1).httpAddr], configs: [d1.configPath], logs: [d1.logPath]})
  },
}

export const queueFull: Scenario = {
  name: 'queue-full',
  title: 'The queue for a down node reaches [hinted-handoff] max-size: writes for it are refused',
  shows: 'With a small `[hinted-handoff] max-size` and an owner down, the coordinator\'s queue for it fills up; every later write for that node is refused with `queue is full` (logged per shard as `write failed for shard N on node M: queue is full`). At consistency one the client still gets 204 from the local copy, so the missing copies pile up unnoticed by the client. medic explains the line as critical and `hh watch` calls the queue blocked.',
  cluster: {meta: 1, data: 2, logFormat: 'legacy', dataConfig: {'hinted-handoff': {'max-size': '65536'}}},
  steps: ['create database full (replication 2); kill data-2', 'write until the queue for data-2 is at max-size (64 KiB)', 'read data-1\'s log and queues'],
  checks: [
    'data-1 logs `write failed for shard N on node M: queue is full`',
    'medic explain: hh-queue-full, verdict critical',
    'medic hh watch --url data-1 --config data-1\'s influxdb.conf: the queue for data-2 is blocked (at max-size)',
    'medic doctor: its first finding is the down data node, data-unreachable',
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    await ctx.createDatabase('data-1', 'full', 2)
    const id2 = await dataNodeId(ctx, 'data-2')
    await ctx.signal('data-2', 'kill')
    const mark = ctx.mark('data-1')
    const load = await ctx.load('data-1', {db: 'full', points: ctx.short ? 3_000 : 30_000, consistency: 'one', concurrency: 1})
    ctx.step(`wrote ${load.pointsSent} points through data-1 at consistency one`)
    ctx.see('client', 'data-1', describeLoad(load))
    const re = new RegExp(`^\\[write\\] ${LEGACY_STAMP} write failed for shard \\d+ on node ${id2}: queue is full$`)
    const line = await ctx.expectLine('queue-full-line', 'data-1 logs "queue is full" for data-2\'s node id', mark, re, 10_000)
    if (line !== undefined) {
      await expectExplained(ctx, {id: 'explained', title: 'medic explain names it hh-queue-full', key: 'lineEntry', line, entry: 'hh-queue-full', verdict: 'critical', source: 'the coordinator\'s line'})
    }
    // Clients keep writing while the operator watches: the queue stays just below max-size and refuses them.
    const watch = await ctx.diagnose.hhWatch([d1.httpAddr], {configPath: d1.configPath})
    const trickle = ctx.load('data-1', {db: 'full', durationMs: 3_500, rate: 300, consistency: 'one', concurrency: 1, seed: 2})
    try {
      const snap = await ctx.until('three samples of data-1\'s queues', async () => {
        const s = await watch.sample()
        return s.seq >= 2 && s
      }, 15_000, 1_000)
      ctx.see('queue', 'data-1', `${queuedFor(snap, id2)} bytes queued for node ${id2}, max-size ${watch.settings.maxSizeBytes} (${watch.settings.maxSizeSource})`)
      // The queue of database full: the stats service's queue for the same node (into _internal) is another queue,
      // with a verdict of its own (often retrying), which would make the check pass for a wrong expectation too.
      const shards = await shardIds(ctx, 'data-1', 'full')
      ctx.expectIncludes('blocked', `medic hh watch --url data-1 --config ... calls the queue for node ${id2} blocked`, 'hhVerdict', 'blocked', verdictsForShards(snap, id2, shards), describeQueues(snap))
    } finally {
      await watch.close()
      const t = await trickle
      ctx.step(`meanwhile a client kept writing through data-1: ${describeLoad(t)}`)
    }
    ctx.command(hhWatchCommand([d1.httpAddr], {config: d1.configPath}), 'the queue at max-size, and when it would drain', 'cluster')
    await expectDoctorFirst(ctx, {title: 'medic doctor names the down node first', expected: 'data-unreachable', node: ctx.data(2).httpAddr, meta: [ctx.meta(1).httpAddr], configs: [d1.configPath], logs: [d1.logPath]})
    ctx.command(summarizeCommand([d1.logPath]), 'how many writes were refused, and since when', 'files')
  },
}

export const fieldTypeConflictInHh: Scenario = {
  name: 'field-type-conflict-in-hh',
  title: 'A queued point the destination refuses (field type conflict) is dropped, not retried',
  shows: 'Each owner of a shard takes a write of the same field with another type while the other owner is down, so each coordinator queues a point the other will refuse. When both are up, hinted handoff delivers, the destination answers `field type conflict`, and the block is dropped (logged, counted as writeDropped) instead of blocking the queue forever (Enterprise 1.2.0 and later). The queues drain, and the two owners now hold different data for that shard, which `dev verify` shows.',
  cluster: {meta: 1, data: 2, dataConfig: QUICK_RETRY},
  steps: [
    'create database ftc (replication 2)',
    'kill data-2; write m,host=a f=1 (float) through data-1',
    'kill data-1; start data-2; write m,host=a f=2i (integer) through data-2',
    'start data-1: each delivers its queue to the other',
  ],
  checks: [
    'each node logs that it dropped the queued write, with the destination\'s field type conflict',
    'medic explain: partial-write-field-type-conflict (field f of measurement m)',
    'the dropped blocks are counted (writeDropped) and never retried',
    'medic hh wait --url data-1 --url data-2 ends drained',
    'the owners now differ for that shard (dev verify)',
    'medic doctor on the cluster and both logs: its first finding is the refused write, partial-write-field-type-conflict',
  ],
  async run(ctx) {
    await ctx.createDatabase('data-1', 'ftc', 2)
    const ids = await dataNodeIds(ctx)
    const id1 = ids.get('data-1') as number
    const id2 = ids.get('data-2') as number
    await ctx.signal('data-2', 'kill')
    const w1 = await ctx.write('data-1', 'ftc', ['m,host=a f=1 1700000000000000000'], {consistency: 'one'})
    ctx.step(`wrote m,host=a f=1 (float) through data-1: ${answerLine(w1.status, w1.body)}`)
    await ctx.signal('data-1', 'kill')
    await ctx.start('data-2')
    const w2 = await ctx.write('data-2', 'ftc', ['m,host=a f=2i 1700000001000000000'], {consistency: 'one'})
    ctx.step(`wrote m,host=a f=2i (integer) through data-2: ${answerLine(w2.status, w2.body)}`)
    ctx.require(ctx.check('writes-queued', 'both writes are acknowledged by their coordinator (the other owner\'s copy is queued)', w1.status === 204 && w2.status === 204, {
      expected: '204 and 204', actual: `${answerLine(w1.status, w1.body)}; ${answerLine(w2.status, w2.body)}`,
    }), 'writes-queued')
    const m1 = ctx.mark('data-1')
    const m2 = ctx.mark('data-2')
    await ctx.start('data-1')
    const drop = /dropping write for node (\d+) shard \d+: .*field type conflict/
    const l1 = await ctx.expectLine('dropped-by-data-1', `data-1 drops its queued float point for node ${id2}`, m1, drop, 15_000)
    const l2 = await ctx.expectLine('dropped-by-data-2', `data-2 drops its queued integer point for node ${id1}`, m2, drop, 15_000)
    for (const [line, id] of [[l1, 'explained-data-1'], [l2, 'explained-data-2']] as const) {
      if (line === undefined) continue
      const e = await expectExplained(ctx, {id, title: 'medic explain names the refusal partial-write-field-type-conflict', key: 'dropEntry', line, entry: 'partial-write-field-type-conflict', verdict: 'warning', source: 'the dropped write'})
      ctx.check(`${id}-values`, 'and reads the measurement and field from it', e.values.measurement === 'm' && e.values.field === 'f', {expected: 'measurement m, field f', actual: `measurement ${e.values.measurement ?? '-'}, field ${e.values.field ?? '-'}`})
    }
    const wait = await ctx.diagnose.hhWait([ctx.data(1).httpAddr, ctx.data(2).httpAddr], {timeoutMs: 20_000})
    ctx.expectEqual('drained', 'medic hh wait --url data-1 --url data-2 ends drained (the bad points did not block the queues)', 'waitOutcome', 'drained', wait.outcome, wait.snapshot ? describeQueues(wait.snapshot) : [])
    const [s1, s2] = [await statistics(ctx, 'data-1'), await statistics(ctx, 'data-2')]
    const dropped = statSum(s1, 'hh_processor', 'writeDropped', id2) + statSum(s2, 'hh_processor', 'writeDropped', id1)
    // Failed sends while the other node was down are expected; the refused block itself must never be a "will retry".
    const lines = [...ctx.linesSince(m1), ...ctx.linesSince(m2)]
    const drops = matching(lines, drop, 100)
    const retried = matching(lines, /will retry: .*field type conflict/, 100)
    ctx.see('queue', 'data-1, data-2', `hh_processor writeDropped ${dropped}; ${drops.length} drop lines, ${retried.length} retries of a refused block`)
    ctx.check('not-retried', 'each refused block was dropped once (writeDropped) and never retried', dropped >= 2 && drops.length === 2 && retried.length === 0, {
      expected: 'writeDropped 2 or more, one drop line per node, no "will retry" for a field type conflict', actual: `writeDropped ${dropped}, ${drops.length} drop lines, ${retried.length} retries`, evidence: [...drops, ...retried],
    })
    const {verifyCluster} = await import('../client/verify.js')
    const v = await verifyCluster(await ctx.state(), {database: 'ftc'})
    const differs = v.shards.filter((s) => s.status === 'differs')
    ctx.see('status', 'dev verify', `${v.summary.shards} shard(s): ${v.summary.equal} equal, ${v.summary.differs} differ`)
    ctx.check('owners-differ', 'the two owners of the shard now hold different points (dev verify)', differs.length > 0, {
      expected: 'a shard whose owners differ', actual: `${v.summary.differs} differing of ${v.summary.shards}`,
      evidence: differs.flatMap((s) => s.differences.map((d) => `shard ${s.id} ${d.series}: ${JSON.stringify(d.values)}`)),
    })
    ctx.command(`medic dev verify --db ftc${ctx.dirFlag}`, 'do the owners of every shard hold the same points?', 'cluster')
    await expectDoctorFirst(ctx, {
      title: 'medic doctor names the refused write first', expected: 'partial-write-field-type-conflict',
      meta: [ctx.meta(1).httpAddr], configs: [ctx.data(1).configPath, ctx.data(2).configPath], logs: [ctx.data(1).logPath, ctx.data(2).logPath],
    })
    ctx.command(summarizeCommand([ctx.data(1).logPath, ctx.data(2).logPath]), 'the dropped writes among the rest', 'files')
  },
}

export const nodeRemovedWithQueue: Scenario = {
  name: 'node-removed-with-queue',
  title: 'remove-data of a node others hold hints for: its queues are deleted with it',
  shows: 'A data node goes down while writes for it queue on the others, and is then removed from the cluster (`influxd-ctl remove-data`) instead of being brought back. Since 1.0.0 Enterprise deletes the hinted-handoff queues the other nodes hold for it: those points are gone with the node, and the shards it owned are left with fewer owners than their replication factor. medic shows the queue before the removal (so an operator can wait for it to drain, or bring the node back, first), explains the line that says the queue went, and `hh wait` then finds nothing left to deliver.',
  cluster: {meta: 1, data: 2, logFormat: 'legacy'},
  steps: [
    'create database gone (replication 2); kill data-2; write through data-1 (queued for data-2)',
    'remove data-2 from the cluster (POST /remove-data to the meta leader, as influxd-ctl remove-data does)',
    'read data-1\'s log and queues, and the shard owners',
  ],
  checks: [
    'before the removal: medic hh watch --url data-1 shows the queue for data-2\'s node id',
    'data-1 logs that it removed the queue, which medic explains as dev-hh-queue-removed (info)',
    'medic hh wait --url data-1 ends drained: nothing is left for the removed node',
    'medic status no longer lists data-2; the shards it owned have one owner left',
    'medic doctor: its first finding is the down data node, data-unreachable',
  ],
  notes: ['The line that says the queue was removed is the dev cluster\'s own wording (dev-hh-queue-removed): Enterprise deletes the queues on remove-data (release notes 1.0.0) but its log text for it is not public.'],
  async run(ctx) {
    const d1 = ctx.data(1)
    await ctx.createDatabase('data-1', 'gone', 2)
    const id2 = await dataNodeId(ctx, 'data-2')
    await ctx.signal('data-2', 'kill')
    const load = await ctx.load('data-1', {db: 'gone', points: ctx.short ? 1_000 : 20_000, consistency: 'one'})
    ctx.step(`wrote ${load.pointsSent} points through data-1 at consistency one: ${describeLoad(load)}`)
    const watch = await ctx.diagnose.hhWatch([d1.httpAddr], {configPath: d1.configPath, meta: ctx.meta(1).httpAddr})
    try {
      const snap = await watch.sample()
      ctx.see('queue', 'data-1', `${queuedFor(snap, id2)} bytes queued for node ${id2} (data-2) before the removal`)
      ctx.check('queue-before', `before the removal medic hh watch --url data-1 shows the queue for node ${id2}`, queuedFor(snap, id2) > 0, {expected: 'more than 0 bytes', actual: `${queuedFor(snap, id2)} bytes`, evidence: describeQueues(snap)})
    } finally {
      await watch.close()
    }
    ctx.command(hhWatchCommand([d1.httpAddr], {meta: ctx.meta(1).httpAddr}), 'what the others still hold for the node, before removing it', 'cluster')
    await expectDoctorFirst(ctx, {title: 'medic doctor names the down node first', expected: 'data-unreachable', node: ctx.data(2).httpAddr, meta: [ctx.meta(1).httpAddr], configs: [d1.configPath], logs: [d1.logPath]})

    const mark = ctx.mark('data-1')
    const removed = await ctx.request(ctx.meta(1).httpAddr, '/remove-data', {method: 'POST', form: {id: String(id2)}, redirects: 3})
    ctx.step(`removed data-2 (node ${id2}) from the cluster: POST /remove-data id=${id2}: HTTP ${removed.status}`)
    ctx.require(ctx.check('removed', 'remove-data succeeds', removed.status === 200, {expected: 'HTTP 200', actual: `HTTP ${removed.status} ${removed.text.slice(0, 200)}`}), 'removed')
    const re = new RegExp(`^\\[handoff\\] ${LEGACY_STAMP} removed hinted handoff queue for node ${id2}$`)
    const line = await ctx.expectLine('queue-removed-line', `data-1 logs that it removed its queue for node ${id2}`, mark, re, 10_000)
    if (line !== undefined) await expectExplained(ctx, {id: 'explained', title: 'medic explain names it dev-hh-queue-removed', key: 'lineEntry', line, entry: 'dev-hh-queue-removed', verdict: 'info', source: 'data-1\'s line'})
    const wait = await ctx.diagnose.hhWait([d1.httpAddr], {configPath: d1.configPath, timeoutMs: 10_000})
    ctx.expectEqual('drained', 'medic hh wait --url data-1 ends drained: nothing left for the removed node', 'waitOutcome', 'drained', wait.outcome, wait.snapshot ? describeQueues(wait.snapshot) : [])
    ctx.command(hhWaitCommand([d1.httpAddr], {config: d1.configPath}), 'nothing is left to deliver', 'cluster')

    const st = await ctx.diagnose.status([ctx.meta(1).httpAddr])
    const data = st.nodes.filter((n) => n.role === 'data').map((n) => n.address)
    ctx.see('status', 'medic status', `data nodes: ${data.join(', ') || 'none'}`)
    const shards = await ctx.request(ctx.meta(1).httpAddr, '/show-shards', {redirects: 3})
    const rows = ((jsonOf(shards) ?? []) as Array<{id: number; database: string; owners: unknown[]}>).filter((r) => r.database === 'gone')
    ctx.see('status', 'meta-1', `shards of gone: ${rows.map((r) => `${r.id} with ${r.owners.length} owner(s)`).join(', ') || 'none'}`)
    ctx.check('cluster-after', 'medic status lists data-1 only, and the shards data-2 owned have one owner left (replication 2)', data.length === 1 && data[0] === d1.httpAddr && rows.length > 0 && rows.every((r) => r.owners.length === 1), {
      expected: `data nodes ${d1.httpAddr}; every shard of gone with 1 owner`, actual: `data nodes ${data.join(', ') || 'none'}; owners ${rows.map((r) => r.owners.length).join(', ') || 'no shard'}`,
    })
    ctx.command(`medic status ${ctx.meta(1).httpAddr}`, 'which data nodes the cluster has now', 'cluster')
    ctx.command(summarizeCommand([d1.logPath]), 'the queue\'s story: queued, then removed', 'files')
  },
}
