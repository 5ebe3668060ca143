/**
 * The continuous-query lease with no holder: the holder's link to the meta leader is cut, its renewals stop, the lease
 * expires after `lease-duration` with nobody renewing it, and only then does the other data node get it. The meta
 * node's access log shows the holder's 200s stop, the other node's 409s go on until the lease runs out, then its
 * 200; medic must warn that the lease lapsed (no node held it, continuous queries ran nowhere) and the holder's own
 * log must say why (its meta client cannot reach the meta node).
 */
import {basename} from 'node:path'

import {sh} from '../../util/text.js'
import {dataNodeIds, describeExplanation, expectDoctorFirst, expectExplained, healNode, partition, summarizeCommand} from './helpers.js'
import type {Scenario} from './types.js'

/** The meta node's `[meta] lease-duration` in this scenario: short, so that the lease expires within seconds. */
const LEASE_DURATION_MS = 4_000
const LEASE = String.raw`GET /lease\?name=continuous_querier&node_id=(\d+) HTTP/1\.1 (200|409) `

export const cqLeaseLost: Scenario = {
  name: 'cq-lease-lost',
  title: 'The CQ lease holder cut off from the meta leader: the lease lapses, then moves',
  shows: 'With a continuous query defined, one data node holds the `continuous_querier` lease and renews it every run-interval; the other is refused (409). When the holder\'s link to the meta leader is cut (`medic dev fault partition data-N meta-1`), its renewals stop, but the meta leader keeps the lease for it until `lease-duration` has passed since the last renewal: the other node goes on getting 409, and no node runs continuous queries. Only once the lease has expired does the other node get a 200 and take it over. `medic explain` and `medic logs summarize` on the meta node\'s log warn that the lease lapsed (renewals stopped for longer than the lease duration); the holder\'s own log says that its meta client cannot reach the meta node. After the heal the old holder is refused: one node holds the lease.',
  cluster: {meta: 1, data: 2, logFormat: 'legacy', metaConfig: {meta: {'lease-duration': '"4s"'}}},
  steps: [
    'create database cq (replication 2) and a continuous query; find the lease holder in meta-1\'s access log',
    'cut the holder\'s link to meta-1 (medic dev fault partition data-N meta-1); wait until the other node gets the lease',
    'run medic explain and logs summarize on meta-1\'s log, and medic doctor with the holder\'s log',
    'medic dev heal; wait until both ask again: one holder',
  ],
  checks: [
    'the holder\'s renewals stop; the other node is refused (409) until the lease duration has passed, then granted (200)',
    'medic explain: the first grant to the new holder is cq-lease-granted with the verdict warning (the lease had lapsed), naming the old holder',
    'medic logs summarize --lease-duration 4s: the lapse, from the old holder to the new one; cq-lease-granted among the warnings',
    'the old holder logs that its meta client cannot reach meta-1 (metaclient-snapshot-failed)',
    'medic doctor --logs <the old holder\'s log>: its first finding is metaclient-snapshot-failed',
    'after the heal: exactly one node is granted the lease, the other refused',
  ],
  notes: [`[meta] lease-duration is ${LEASE_DURATION_MS / 1000}s in this scenario (1m by default), so that the lease expires within seconds; medic is told the same with --lease-duration.`],
  async run(ctx) {
    await ctx.createDatabase('data-1', 'cq', 2)
    const meta = ctx.meta(1)
    const mark = ctx.mark('meta-1')
    const cq = await ctx.query('data-1', 'CREATE CONTINUOUS QUERY cq1 ON cq BEGIN SELECT mean(value) INTO cq_out FROM m GROUP BY time(1s) END')
    ctx.require(ctx.check('cq-created', 'the continuous query is created', cq.status === 200 && !JSON.stringify(cq.body).includes('"error"'), {expected: 'HTTP 200', actual: `HTTP ${cq.status} ${JSON.stringify(cq.body).slice(0, 200)}`}), 'cq-created')
    ctx.step('created continuous query cq1 on database cq')
    const re = new RegExp(LEASE)
    const parse = (lines: string[]) => lines.flatMap((l) => {
      const m = re.exec(l)
      return m ? [{line: l, node: m[1], status: m[2]}] : []
    })
    const before = await ctx.until('the lease granted to one node and refused to the other', () => {
      const seen = parse(ctx.linesSince(mark))
      const holders = new Set(seen.filter((x) => x.status === '200').map((x) => x.node))
      return holders.size === 1 && seen.filter((x) => x.status === '200').length >= 2 && seen.some((x) => x.status === '409') && seen
    }, 20_000, 250)
    const holderId = before.find((x) => x.status === '200')!.node
    const ids = await dataNodeIds(ctx)
    const holder = [...ids].find(([, id]) => String(id) === holderId)?.[0]
    const other = [...ids].find(([, id]) => String(id) !== holderId)
    if (holder === undefined || other === undefined) throw new Error(`data node id ${holderId} is not one of the cluster's two data nodes`)
    const [otherName, otherId] = [other[0], String(other[1])]
    ctx.see('log', 'meta-1', `${holder} (node ${holderId}) holds the lease; ${otherName} (node ${otherId}) is refused`)

    const holderMark = ctx.mark(holder)
    const cutMark = ctx.mark('meta-1')
    await partition(ctx, holder, 'meta-1')
    const t0 = Date.now()
    const found = await ctx.within(() => parse(ctx.linesSince(cutMark)).find((x) => x.node === otherId && x.status === '200'), LEASE_DURATION_MS + 15_000, 200)
    const after = parse(ctx.linesSince(cutMark))
    const taken = found === undefined ? undefined : after.find((x) => x.line === found.line)
    const lastHolderGrant = after.filter((x) => x.node === holderId && x.status === '200').at(-1)
    const refusedMeanwhile = after.filter((x) => x.node === otherId && x.status === '409' && (taken === undefined || after.indexOf(x) < after.indexOf(taken)))
    ctx.see('log', 'meta-1', taken ? `${otherName} granted ${Date.now() - t0} ms after the cut: ${taken.line}` : `${otherName} not granted within ${(LEASE_DURATION_MS + 15_000) / 1000} s`)
    ctx.check('lease-moved', `${holder}'s renewals stop; ${otherName} is refused until the lease expires, then granted`, taken !== undefined && refusedMeanwhile.length > 0 && !after.slice(taken ? after.indexOf(taken) : 0).some((x) => x.node === holderId && x.status === '200'), {
      expected: `409s for node ${otherId}, then a 200 for node ${otherId}; no 200 for node ${holderId} after it`,
      actual: taken === undefined ? 'no grant to the other node' : `${refusedMeanwhile.length} refusals, then granted; last grant to node ${holderId}: ${lastHolderGrant ? 'just after the cut' : 'before the cut'}`,
      evidence: [...refusedMeanwhile.slice(-2).map((x) => x.line), ...(taken ? [taken.line] : [])],
    })
    if (taken === undefined) return

    // medic explain, line by line, over the access log since the CQ was created (the holder's renewals, then the rest).
    const lines = parse(ctx.linesSince(mark)).map((x) => x.line)
    const explained = await ctx.diagnose.explainLines(lines, {leaseDurationMs: LEASE_DURATION_MS})
    const first = explained[lines.indexOf(taken.line)]
    ctx.expectEqual('lapse-explained', 'medic explain names the new holder\'s first 200 cq-lease-granted', 'lapseEntry', 'cq-lease-granted', first?.id, first ? [describeExplanation(first)] : [])
    ctx.expectEqual('lapse-warning', 'and warns that the lease had lapsed (no holder), naming the old holder', 'lapseVerdict', 'warning', first?.verdict === 'warning' && (first.context ?? '').includes(`data node ${holderId} last renewed it`) ? 'warning' : first?.verdict, first ? [describeExplanation(first)] : [])
    ctx.command(sh`medic explain --lease-duration 4s --file ${meta.logPath}`, 'every lease line with its context: the grant after the lapse is a warning', 'files')

    const summary = await ctx.diagnose.summarize([meta.logPath], {leaseDurationMs: LEASE_DURATION_MS})
    const lapse = summary.lease.lapses.find((l) => l.holder === holderId && l.next === otherId)
    ctx.see('log', 'meta-1', `logs summarize: lapses ${JSON.stringify(summary.lease.lapses)}`)
    ctx.expectIncludes('summary-warns', 'medic logs summarize puts the lease among the warnings', 'summaryWarning', 'cq-lease-granted', summary.actionable.map((e) => e.id), summary.actionable.map((e) => `${e.verdict} ${e.id}: ${e.context ?? e.title}`))
    ctx.check('summary-lapse', `the summary names the lapse: node ${holderId}'s grants stopped, node ${otherId} took the lease over`, lapse !== undefined && lapse.seconds >= LEASE_DURATION_MS / 1000 - 1, {
      expected: `a lapse from node ${holderId} to node ${otherId} of about ${LEASE_DURATION_MS / 1000}s or more`, actual: lapse ? `${lapse.seconds}s, ${lapse.lastGrant} to ${lapse.nextGrant}` : 'none',
    })
    ctx.command(`${summarizeCommand([meta.logPath])} --lease-duration 4s`, 'the lapse, the old and the new holder', 'files')

    // What the holder itself logs: its meta client cannot reach the meta node.
    const why = await ctx.expectLine('holder-logs', `${holder} logs that it cannot reach meta-1`, holderMark, /failure getting snapshot from \S+: .*no route to host/, 15_000)
    if (why !== undefined) await expectExplained(ctx, {id: 'holder-explained', title: 'medic explain names it metaclient-snapshot-failed', key: 'holderEntry', line: why, entry: 'metaclient-snapshot-failed', verdict: 'warning', source: `${holder}'s meta client line`})
    await expectDoctorFirst(ctx, {title: `medic doctor names ${holder}'s lost link to the meta node first`, expected: 'metaclient-snapshot-failed', node: basename(ctx.node(holder).logPath), meta: [meta.httpAddr], logs: [ctx.node(holder).logPath]})

    await healNode(ctx, holder)
    const healMark = ctx.mark('meta-1')
    const settled = await ctx.within(() => {
      const seen = parse(ctx.linesSince(healMark))
      return seen.some((x) => x.node === holderId) && seen.filter((x) => x.node === otherId).length >= 2 && seen
    }, 20_000, 250)
    const granted = new Set((settled || []).filter((x) => x.status === '200').map((x) => x.node))
    const refused = new Set((settled || []).filter((x) => x.status === '409').map((x) => x.node))
    ctx.check('one-holder-after-heal', 'after the heal one node holds the lease and the other is refused', settled !== undefined && granted.size === 1 && refused.size === 1 && !refused.has([...granted][0]), {
      expected: 'one node id with 200s, the other with 409s', actual: settled ? `200 for ${[...granted].join(', ') || 'none'}; 409 for ${[...refused].join(', ') || 'none'}` : `${holder} did not ask again within 20 s`,
      evidence: (settled || []).slice(-3).map((x) => x.line),
    })
  },
}
