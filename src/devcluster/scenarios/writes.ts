/**
 * What a client gets when the consistency level it asks for cannot be met: consistency=all with one owner down
 * (killed) and with one owner hung (paused).
 */
import type {ScenarioContext} from './context.js'
import {allAcknowledged, answerLine, dataNodeId, describeLoad, describeQueues, expectDoctorFirst, expectExplained, hhWaitCommand, summarizeCommand} from './helpers.js'
import type {Scenario} from './types.js'

/** The catalogue entry medic should give each 500 body a consistency=all write can get. */
const ENTRY_FOR_BODY: Record<string, string> = {
  'partial write': 'write-partial-consistency',
  timeout: 'write-timeout',
}

function bodyError(body: string): string {
  try {
    const v = JSON.parse(body) as {error?: unknown}
    return typeof v.error === 'string' ? v.error : body
  } catch {
    return body
  }
}

async function countPoints(ctx: ScenarioContext, node: string, db: string, measurement: string): Promise<number> {
  const r = await ctx.query(node, `SELECT count(value) FROM "${measurement}"`, db)
  const body = r.body as {results?: Array<{series?: Array<{values?: unknown[][]}>}>} | undefined
  const v = body?.results?.[0]?.series?.[0]?.values?.[0]?.[1]
  return typeof v === 'number' ? v : 0
}

export const partialWriteConsistency: Scenario = {
  name: 'partial-write-consistency',
  title: 'consistency=all with an owner down or hung: what the client gets, and that nothing was lost',
  shows: 'A write at consistency=all needs every owner. With one owner of an RF 2 shard killed, the client gets 500 `partial write` although the other owner stored the points and hinted handoff queued the rest: once the owner is back the queue drains and both owners hold the same points, so retrying would only have added duplicates to the queue. With the owner paused (hung, not refusing connections) the write waits for it; what the client gets then depends on the shard writer\'s timeout against `[cluster] write-timeout`.',
  cluster: {meta: 1, data: 2, dataConfig: {'hinted-handoff': {'retry-interval': '"500ms"', 'retry-max-interval': '"2s"'}, cluster: {'write-timeout': '"3s"'}}},
  steps: [
    'create database cons (replication 2); write at consistency all while both owners are up',
    'kill data-2; write at consistency all through data-1',
    'count the points data-1 holds; start data-2; wait for the queue to drain; compare the owners (dev verify)',
    'pause data-2; write at consistency all through data-1; resume data-2',
  ],
  checks: [
    'owner killed: the client gets 500 {"error":"partial write"}, which medic explains as write-partial-consistency (warning)',
    'data-1 stored every point of those writes',
    'after data-2 is back: medic hh wait ends drained, and both owners hold the same points (dev verify)',
    'owner paused: the client gets a 500 that medic explains with the entry for its body (partial write or timeout)',
    'medic doctor: its first finding is the down data node, data-unreachable',
  ],
  async run(ctx) {
    await ctx.createDatabase('data-1', 'cons', 2)
    const ok = await ctx.load('data-1', {db: 'cons', points: 200, consistency: 'all'})
    ctx.require(ctx.check('all-up', 'with both owners up, consistency=all writes are acknowledged', allAcknowledged(ok), {expected: 'every request 204', actual: describeLoad(ok)}), 'all-up')
    const id2 = await dataNodeId(ctx, 'data-2')

    await ctx.signal('data-2', 'kill')
    const n = ctx.short ? 1_000 : 20_000
    const down = await ctx.load('data-1', {db: 'cons', points: n, consistency: 'all', seed: 2})
    ctx.step(`wrote ${n} points at consistency all through data-1: ${describeLoad(down)}`)
    ctx.see('client', 'data-1', describeLoad(down))
    const first = down.outcomes[0]
    const body = '{"error":"partial write"}'
    ctx.check('client-500', 'the client gets 500 partial write for every request', down.outcomes.length === 1 && first?.key === '500 partial write', {
      expected: `500 ${body}`, actual: describeLoad(down),
    })
    await expectExplained(ctx, {id: 'explained', title: 'medic explain names the answer write-partial-consistency', key: 'clientEntry', line: answerLine(500, body), entry: 'write-partial-consistency', verdict: 'warning', source: 'the client\'s 500'})
    const stored = await countPoints(ctx, 'data-1', 'cons', 'medic_load')
    ctx.see('status', 'data-1', `SELECT count(value) FROM medic_load: ${stored} (200 before the fault + ${n} answered 500)`)
    ctx.check('stored', 'data-1 stored every point of the writes answered 500', stored === 200 + n, {expected: String(200 + n), actual: String(stored)})
    await expectDoctorFirst(ctx, {title: 'medic doctor names the down owner first', expected: 'data-unreachable', node: ctx.data(2).httpAddr, meta: [ctx.meta(1).httpAddr], logs: [ctx.data(1).logPath]})

    await ctx.start('data-2')
    const d1 = ctx.data(1)
    const wait = await ctx.diagnose.hhWait([d1.httpAddr], {configPath: d1.configPath, timeoutMs: 30_000})
    ctx.expectEqual('drained', 'medic hh wait --url data-1 ends drained', 'waitOutcome', 'drained', wait.outcome, wait.snapshot ? describeQueues(wait.snapshot) : [])
    ctx.command(hhWaitCommand([d1.httpAddr], {config: d1.configPath}), `has data-1 delivered what it queued for node ${id2}?`, 'cluster')
    const {verifyCluster} = await import('../client/verify.js')
    const v = await verifyCluster(await ctx.state(), {database: 'cons'})
    ctx.see('status', 'dev verify', `${v.summary.shards} shard(s): ${v.summary.equal} equal, ${v.summary.differs} differ, ${v.summary.unchecked} unchecked`)
    ctx.check('converged', 'both owners hold the same points: the 500s lost nothing', v.summary.shards > 0 && v.summary.equal === v.summary.shards, {
      expected: 'every shard equal', actual: `${v.summary.equal} of ${v.summary.shards} equal`,
    })
    ctx.command(`medic dev verify --db cons${ctx.dirFlag}`, 'do both owners hold the same points?', 'cluster')

    await ctx.signal('data-2', 'pause')
    const hung = await ctx.write('data-1', 'cons', ['hung,host=a value=1'], {consistency: 'all'})
    ctx.step(`wrote one point at consistency all through data-1 with data-2 paused: ${answerLine(hung.status, hung.body)}`)
    await ctx.signal('data-2', 'resume')
    ctx.see('client', 'data-1', `owner paused: ${answerLine(hung.status, hung.body)}`)
    const err = bodyError(hung.body)
    const entry = ENTRY_FOR_BODY[err]
    ctx.check('paused-500', 'with the owner paused the client gets 500 partial write or timeout', hung.status === 500 && entry !== undefined, {
      expected: '500 {"error":"partial write"} or 500 {"error":"timeout"}', actual: answerLine(hung.status, hung.body),
    })
    if (entry !== undefined) {
      ctx.note(`With the owner paused, this cluster answered "${err}" (${entry}).`)
      await expectExplained(ctx, {id: 'paused-explained', title: `medic explain names it ${entry}`, key: 'pausedEntry', line: answerLine(hung.status, hung.body), entry, verdict: 'warning', source: 'the answer with the owner paused'})
    }
    ctx.command(summarizeCommand([d1.logPath]), 'the 500s and the queue in data-1\'s log', 'files')
  },
}
