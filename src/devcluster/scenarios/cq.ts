/**
 * The continuous-query lease: with a CQ defined, every data node asks the meta leader for the lease every
 * run-interval; the holder gets 200, the others 409, and the meta node's access log shows both, in the shape the
 * FAQ quotes.
 */
import {sh} from '../../util/text.js'
import {describeExplanation, expectDoctorFirst, summarizeCommand} from './helpers.js'
import type {Scenario} from './types.js'

const LEASE_LINE = String.raw`^\[meta-http\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d \S+ - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] GET /lease\?name=continuous_querier&node_id=(\d+) HTTP/1\.1 (200|409) \d+ - InfluxDB Meta Client [0-9a-f-]{36} \S+$`

export const cqLease: Scenario = {
  name: 'cq-lease',
  title: 'A continuous query on two data nodes: 200 for the lease holder, 409 for the other',
  shows: 'Once a continuous query exists, each data node asks the meta leader for the `continuous_querier` lease every run-interval. One node holds it and renews it (200); the other is refused while the lease is live (409) and runs nothing. The meta node\'s `[meta-http]` access log shows both, as the FAQ quotes them; it is expected, not an error. medic explains each 409 with the lease\'s context (which node holds it), and a grep of only the 409s is not mistaken for a lease nobody holds.',
  seed: '[meta-http] 2016/09/19 09:08:53 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /lease?name=continuous_querier&node_id=5 HTTP/1.1 409 105 - InfluxDB Meta Client b00e4943-7e48-11e6-86a6-000000000000 380.542µs',
  cluster: {meta: 1, data: 2, logFormat: 'legacy'},
  steps: ['create database cq (replication 2) and a continuous query on it', 'read meta-1\'s access log'],
  checks: [
    'meta-1 logs /lease answers in the seed\'s shape: 200 for one node id, 409 for the other',
    'medic explain: cq-lease-granted for the 200, cq-lease-denied (expected) for the 409, with the holder named in its context',
    'only the 409 lines (a grep): still expected, the context says the renewals are not in the input',
    'medic logs summarize: one lease holder, grants and denials counted',
    'medic doctor on the cluster, its configs and meta-1\'s log: nothing to act on (the 409s are expected, not a finding)',
  ],
  async run(ctx) {
    await ctx.createDatabase('data-1', 'cq', 2)
    const mark = ctx.mark('meta-1')
    const cq = await ctx.query('data-1', 'CREATE CONTINUOUS QUERY cq1 ON cq BEGIN SELECT mean(value) INTO cq_out FROM m GROUP BY time(1s) END')
    ctx.require(ctx.check('cq-created', 'the continuous query is created', cq.status === 200 && !JSON.stringify(cq.body).includes('"error"'), {expected: 'HTTP 200', actual: `HTTP ${cq.status} ${JSON.stringify(cq.body).slice(0, 200)}`}), 'cq-created')
    ctx.step('created continuous query cq1 on database cq')
    const shape = new RegExp(LEASE_LINE)
    const seen = await ctx.within(() => {
      const lines = ctx.linesSince(mark).filter((l) => shape.test(l))
      const granted = lines.filter((l) => shape.exec(l)?.[2] === '200')
      const denied = lines.filter((l) => shape.exec(l)?.[2] === '409')
      return granted.length >= 2 && denied.length >= 2 && {lines, granted, denied}
    }, 15_000, 250)
    const holders = new Set(seen?.granted.map((l) => shape.exec(l)?.[1]))
    const refused = new Set(seen?.denied.map((l) => shape.exec(l)?.[1]))
    ctx.check('seed-shape', 'meta-1 logs 200 for one node\'s /lease and 409 for the other, in the seed\'s shape', seen !== undefined && holders.size === 1 && [...refused].some((id) => !holders.has(id)), {
      expected: 'lines like the seed: one node id answered 200, another 409', actual: seen ? `200 for node ${[...holders].join(', ')}; 409 for node ${[...refused].join(', ')}` : 'not within 15 s',
      evidence: seen ? [seen.granted[0], seen.denied[0]] : ctx.linesSince(mark).slice(-4),
    })
    if (seen === undefined) return
    ctx.see('log', 'meta-1', seen.granted[0])
    ctx.see('log', 'meta-1', seen.denied[0])
    const holder = [...holders][0] as string

    // The whole access log since the CQ, in order, as `medic explain --file` reads it.
    const explained = await ctx.diagnose.explainLines(seen.lines)
    const grant = explained[seen.lines.indexOf(seen.granted[0])]
    // The last 409: by then the input has shown the holder's renewals.
    const deny = explained[seen.lines.lastIndexOf(seen.denied[seen.denied.length - 1])]
    ctx.expectEqual('granted-explained', 'medic explain names the 200 cq-lease-granted', 'grantEntry', 'cq-lease-granted', grant?.id, grant ? [describeExplanation(grant)] : [])
    ctx.expectEqual('denied-explained', 'medic explain names the 409 cq-lease-denied', 'denyEntry', 'cq-lease-denied', deny?.id, deny ? [describeExplanation(deny)] : [])
    ctx.check('denied-expected', 'the 409 is expected, and its context names the holder', deny?.verdict === 'expected' && (deny.context ?? '').includes(`data node ${holder} holds the lease`), {
      expected: `expected, "data node ${holder} holds the lease"`, actual: deny ? `${deny.verdict}: ${deny.context ?? '(no context)'}` : '(none)',
    })
    const path = ctx.meta(1).logPath
    ctx.command(sh`medic explain --file ${path}`, 'every line of the meta node\'s log, the lease lines with their context', 'files')

    // A grep of only the refusals: the holder's renewals are not in the input, which is no reason to warn.
    const only409 = await ctx.diagnose.explainLines(seen.denied)
    const warned = only409.filter((e) => e.verdict !== 'expected')
    ctx.check('grep-409', 'only the 409 lines: still expected, and the context says the renewals are not in this input', warned.length === 0 && /not in this input/.test(only409[0]?.context ?? ''), {
      expected: 'every 409 expected; "its renewals (200) are not in this input"', actual: warned.length > 0 ? `${warned.length} judged ${warned[0].verdict}` : only409[0]?.context ?? '(no context)',
    })
    const quoted = sh`${path}`
    if (quoted !== undefined) ctx.command(`grep 'lease?name=continuous_querier' ${quoted} | grep ' 409 ' | medic explain`, 'only the refusals, as a grep would give them', 'files')

    const summary = await ctx.diagnose.summarize([path])
    ctx.see('log', 'meta-1', `logs summarize: ${summary.lease.grants} grants, ${summary.lease.denials} denials, holders ${JSON.stringify(summary.lease.holders)}`)
    ctx.check('summarized', 'medic logs summarize counts grants and denials, with one holder', summary.lease.grants > 0 && summary.lease.denials > 0 && Object.keys(summary.lease.holders).length === 1 && summary.lease.holders[holder] !== undefined, {
      expected: `grants and denials, holder ${holder}`, actual: `${summary.lease.grants} grants, ${summary.lease.denials} denials, holders ${JSON.stringify(summary.lease.holders)}`,
    })
    ctx.command(summarizeCommand([path]), 'the lease over the whole log: holders, grants, denials, gaps', 'files')
    await expectDoctorFirst(ctx, {
      title: 'medic doctor finds nothing to act on: a refused lease is how the CQ lease works', expected: 'nothing',
      meta: [ctx.meta(1).httpAddr], configs: [ctx.meta(1).configPath, ctx.data(1).configPath, ctx.data(2).configPath], logs: [path],
    })
  },
}
