/**
 * Scenarios that need a fault on one link or a compressed clock (`medic dev fault ...`, `medic dev up --time-scale`):
 * a partition between two data nodes that builds a hinted-handoff backlog and drains once healed (the ETA checked
 * against the real time), points dropped by the max-age purge after a forecast said so, and a slow link past
 * `[cluster] write-timeout`.
 */
import {join} from 'node:path'

import type {Snapshot} from '../../hh/monitor.js'
import {shellQuote} from '../../util/text.js'
import type {ScenarioContext} from './context.js'
import {
  allAcknowledged, answerLine, dataNodeId, describeLoad, describeQueues, expectExplained, healLink, hhWaitCommand, hhWatchCommand,
  linkFault, matching, shardIds, summarizeCommand, warmUp,
} from './helpers.js'
import type {Scenario} from './types.js'

// ── shared pieces ──

/** SELECT count(value) FROM medic_load on `node` (each node reads its own copy of a shard it owns). */
async function countPoints(ctx: ScenarioContext, node: string, db: string): Promise<number> {
  const r = await ctx.query(node, 'SELECT count(value) FROM "medic_load"', db)
  const v = (r.body as {results?: Array<{series?: Array<{values?: unknown[][]}>}>} | undefined)?.results?.[0]?.series?.[0]?.values?.[0]?.[1]
  return typeof v === 'number' ? v : 0
}

/** The time stamp of a logfmt line (`ts=...`), ms since the epoch. */
function lineTime(line: string): number | undefined {
  const m = /(?:^|\s)ts=(\S+)/.exec(line)
  const t = m ? Date.parse(m[1]) : Number.NaN
  return Number.isFinite(t) ? t : undefined
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${Math.round(x * 100)} %`
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/**
 * `medic doctor`'s first finding must be a hinted-handoff queue between the two ends of the faulty link (the source's
 * address and the destination's both in its label): the link's trace as the nodes see it. `queue-retrying` when a
 * failed send fell in the second doctor watches, `hh-pending` (queued, nothing delivered while watched) otherwise.
 * Both ways of the link are cut or slow, and each node's stats service writes to the other, so either direction
 * names it. A wrong expectation in the mutation (`doctorFirst`) is compared with the id as it is.
 */
async function expectDoctorNamesLink(ctx: ScenarioContext, o: {title: string; ends: [string, string]; meta: string[]; configs: string[]; logs: string[]}): Promise<void> {
  const accepted = ['queue-retrying', 'hh-pending']
  const r = await ctx.diagnose.doctor({meta: o.meta, configs: o.configs, logs: o.logs})
  const first = r.findings[0]
  const [a, b] = o.ends.map((n) => ctx.node(n).httpAddr)
  const onLink = (first?.node ?? '').includes(a) && (first?.node ?? '').includes(b)
  ctx.see('status', 'medic doctor', first ? `${r.verdict}; first: ${first.id} (${first.node ?? 'cluster'})` : `${r.verdict}; no finding`)
  ctx.expectJudged('doctor-first', o.title, 'doctorFirst', (wrong) => (wrong === undefined ? accepted.includes(first?.id ?? '') && onLink : first?.id === wrong), {
    expected: `${accepted.join(' or ')} on a queue between ${o.ends.join(' and ')} (${a}, ${b})`,
    actual: first ? `${first.id} on ${first.node ?? 'the cluster'}` : '(none)',
    evidence: r.findings.slice(0, 5).map((f) => `${f.rank}. ${f.severity} ${f.id} (${f.area}${f.node ? `, ${f.node}` : ''}): ${f.title}`),
  })
  ctx.command(`medic doctor --meta ${o.meta.map(shellQuote).join(' --meta ')}${o.configs.map((c) => ` --configs ${shellQuote(c)}`).join('')}${o.logs.map((l) => ` --logs ${shellQuote(l)}`).join('')}`, 'everything at once, the likeliest cause first', 'cluster')
}

// ── hh-backlog-and-drain ──

/** Paces hinted handoff's delivery so the drain takes seconds on any machine, and the back-off stays short. */
const DRAIN_RATE = 500_000
const BACKLOG_HH = {'retry-interval': '"500ms"', 'retry-max-interval': '"1s"', 'retry-rate-limit': String(DRAIN_RATE), 'batch-size': '65536'}

interface EtaRow {
  t: number
  pending: number
  verdict: string
  etaMs: number | null
}

export const hhBacklogAndDrain: Scenario = {
  name: 'hh-backlog-and-drain',
  title: 'A cut link between two data nodes: the hinted-handoff backlog grows, then drains in the time hh watch said',
  shows: 'Two data nodes that cannot reach each other while clients reach both: how hinted handoff builds up in production. Writes through data-1 at consistency one still get 204 (data-1 wrote its own copy); the copy for data-2 goes to data-1\'s queue, first after a failed attempt (`write failed for shard N on node M: dial tcp ...: connect: no route to host`), then straight behind the queue (`hinted handoff queue not empty`), while the queue\'s own sends fail and back off. Once the link is healed the queue drains; the ETA `medic hh watch --url` gives mid-way is checked against the time the queue really took to empty.',
  cluster: {meta: 1, data: 2, dataConfig: {'hinted-handoff': BACKLOG_HH}},
  steps: [
    'create database backlog (replication 2); write while every link is up',
    'medic dev fault partition data-1 data-2 (only that link: both nodes keep serving clients)',
    'write through data-1 at consistency one until its queue for data-2 holds a few MB (short form; more with --full)',
    'read data-1\'s log, its queues (hh watch --url) and medic doctor',
    'medic dev heal data-1 data-2; sample hh watch --url every 200 ms until the queue is empty',
  ],
  checks: [
    'during the partition every client port answers, and consistency=one writes are acknowledged (204)',
    'data-1 logs the failed write to data-2 (no route to host), then `hinted handoff queue not empty`, and hinted handoff\'s failed sends; medic explain names each',
    'medic hh watch --url data-1: the queue for data-2 grows',
    'medic doctor: its first finding is a hinted-handoff queue across the cut link (data-1 -> data-2, or the other way: both are cut)',
    'after the heal: the queue drains, and the ETA hh watch gave between 3/4 and 1/4 of the queue (median) is within ±30 % of the real time it then took to empty',
    'both owners hold the same points (dev verify)',
  ],
  notes: [
    `[hinted-handoff] retry-rate-limit = ${DRAIN_RATE} (bytes/s) paces the drain, so that it lasts seconds on a fast machine and does not depend on what else the machine runs; the ETA is judged the same way without it (bench/README.md, "ETA").`,
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    const d2 = ctx.data(2)
    await warmUp(ctx, 'data-1', {db: 'backlog', rf: 2, points: 1_000, consistency: 'one', title: 'writes are acknowledged while every link is up'})
    const id2 = await dataNodeId(ctx, 'data-2')
    const shards = await shardIds(ctx, 'data-1', 'backlog')
    ctx.require(ctx.check('shards', 'data-1 knows the shards of database backlog', shards.length > 0, {expected: 'at least one shard', actual: shards.join(', ') || 'none'}), 'shards')
    const ours = (s: Snapshot) => s.queues.filter((q) => q.node === String(id2) && q.shard !== null && shards.includes(q.shard))
    const pendingOurs = (s: Snapshot) => ours(s).reduce((n, q) => n + q.pendingBytes, 0)

    const mark = ctx.mark('data-1')
    await linkFault(ctx, {kind: 'partition', a: 'data-1', b: 'data-2'})
    const pings = await Promise.all([d1, d2].map(async (n) => `${n.name} /ping: ${(await ctx.request(n.httpAddr, '/ping')).status}`))
    ctx.see('http', 'client ports', pings.join('; '))
    ctx.check('nodes-up', 'the partition cuts only the link: both data nodes answer clients', pings.every((p) => p.endsWith(': 204')), {expected: 'data-1 and data-2 /ping 204', actual: pings.join('; ')})

    // Fill data-1's queue for data-2 up to the target, in loads of fixed size.
    const target = ctx.short ? 2_500_000 : 15_000_000
    const watch = await ctx.diagnose.hhWatch([d1.httpAddr], {configPath: d1.configPath, meta: ctx.meta(1).httpAddr})
    const rows: EtaRow[] = []
    let drainStart = 0
    try {
      const first = await watch.sample()
      let sent = 0
      let acked = true
      const answers: string[] = []
      let queued = pendingOurs(first)
      for (let i = 0; i < 200 && queued < target; i++) {
        const r = await ctx.load('data-1', {db: 'backlog', points: 10_000, batchSize: 1_000, consistency: 'one', seed: 10 + i})
        sent += r.pointsSent
        acked &&= allAcknowledged(r)
        if (answers.length < 3) answers.push(describeLoad(r))
        queued = pendingOurs(await watch.sample())
      }
      ctx.step(`wrote ${sent} points through data-1 at consistency one during the partition; ${queued} bytes queued for node ${id2}`)
      ctx.see('client', 'data-1', `${sent} points: ${answers.join('; ')}${acked ? '' : ' (not all acknowledged)'}`)
      ctx.check('client-acknowledged', 'at consistency one the client gets 204: data-1 wrote its own copy', acked && sent > 0, {expected: 'every request 204', actual: `${answers.join('; ')}${acked ? '' : '; and some requests were not acknowledged'}`})
      const grown = await watch.sample()
      ctx.see('queue', 'data-1', `${pendingOurs(grown)} bytes queued for node ${id2} (data-2), verdict ${ours(grown).map((q) => q.analysis.verdict).join(', ')}`)
      ctx.check('queue-grows', `medic hh watch --url data-1: the queue for node ${id2} grows during the partition`, pendingOurs(grown) >= target && pendingOurs(grown) > pendingOurs(first), {
        expected: `from ${pendingOurs(first)} bytes to at least ${target}`, actual: `${pendingOurs(grown)} bytes`, evidence: describeQueues(grown),
      })
      ctx.command(hhWatchCommand([d1.httpAddr], {config: d1.configPath, meta: ctx.meta(1).httpAddr}), 'how much data-1 holds for data-2, its verdict, and once it drains, its ETA', 'cluster')

      // What data-1 logged about it, and what medic makes of each kind of line.
      const lines = ctx.linesSince(mark)
      const dial = matching(lines, new RegExp(`write failed for shard \\d+ on node ${id2}: dial tcp \\S+: connect: no route to host`), 1)[0]
      const behind = matching(lines, new RegExp(`write failed for shard \\d+ on node ${id2}: hinted handoff queue not empty`), 1)[0]
      const retry = await ctx.within(() => matching(ctx.linesSince(mark), new RegExp(`failed to write to node ${id2} shard \\d+, will retry: .*no route to host`), 1)[0], 10_000, 200)
      ctx.check('coordinator-lines', 'data-1 logs the failed write, the writes behind the queue and hinted handoff\'s failed sends', dial !== undefined && behind !== undefined && retry !== undefined, {
        expected: 'no route to host; hinted handoff queue not empty; will retry', actual: [dial ? 'no route to host' : null, behind ? 'queue not empty' : null, retry ? 'will retry' : null].filter(Boolean).join('; ') || 'none of them',
        evidence: [dial, behind, retry].filter((l): l is string => l !== undefined),
      })
      for (const l of [dial, behind, retry]) if (l !== undefined) ctx.see('log', 'data-1', l)
      if (dial) await expectExplained(ctx, {id: 'explained-dial', title: 'medic explain names the cause of the failed write to data-2: no route to it, network-unreachable', key: 'dialEntry', line: dial, entry: 'network-unreachable', verdict: 'warning', source: 'the coordinator\'s failed write'})
      if (behind) await expectExplained(ctx, {id: 'explained-behind', title: 'medic explain names the write behind the queue hh-queue-not-empty', key: 'behindEntry', line: behind, entry: 'hh-queue-not-empty', verdict: 'info', source: 'the write that went behind the queue'})
      if (retry) await expectExplained(ctx, {id: 'explained-retry', title: 'medic explain names hinted handoff\'s failed send dev-hh-delivery-retry', key: 'retryEntry', line: retry, entry: 'dev-hh-delivery-retry', verdict: 'warning', source: 'hinted handoff\'s failed send'})

      await expectDoctorNamesLink(ctx, {title: 'medic doctor names first a hinted-handoff queue across the cut link', ends: ['data-1', 'data-2'], meta: [ctx.meta(1).httpAddr], configs: [d1.configPath, d2.configPath], logs: [d1.logPath, d2.logPath]})

      // Heal, and follow the drain from the first delivery to the empty queue.
      await healLink(ctx, 'data-1', 'data-2')
      const healed = performance.now()
      const deadline = healed + (ctx.short ? 60_000 : 240_000)
      let prev: EtaRow | undefined
      let end: number | undefined
      for (;;) {
        const s = await watch.sample()
        const q = ours(s).sort((a, b) => b.pendingBytes - a.pendingBytes)[0]
        const row: EtaRow = {t: Date.parse(s.time), pending: pendingOurs(s), verdict: q?.analysis.verdict ?? 'drained', etaMs: q?.analysis.eta?.inMs ?? null}
        if (row.pending === 0) {
          end = prev === undefined ? row.t : (prev.t + row.t) / 2
          break
        }
        if (prev !== undefined && row.pending < prev.pending && drainStart === 0) drainStart = prev.pending
        rows.push(row)
        prev = row
        if (performance.now() > deadline) break
        await new Promise((r) => setTimeout(r, 200))
      }
      ctx.step(end === undefined ? `the queue was not empty ${secs(performance.now() - healed)} after the heal` : `the queue emptied ${secs(performance.now() - healed)} after the heal (${rows.length} samples)`)
      ctx.require(ctx.check('drained', 'after the heal data-1\'s queue for data-2 drains', end !== undefined, {expected: 'empty', actual: end === undefined ? `${prev?.pending ?? '?'} bytes left` : 'empty', evidence: rows.slice(-3).map((r) => `${r.pending} B ${r.verdict}`)}), 'drained')

      // The ETA of each sample taken while the queue held 3/4 to 1/4 of what it held when the drain began.
      const full = drainStart || Math.max(...rows.map((r) => r.pending))
      const judged = rows.filter((r) => r.verdict === 'draining' && r.etaMs !== null && r.pending <= full * 0.75 && r.pending >= full * 0.25)
      const real = (r: EtaRow) => (end as number) - r.t
      const errorsWith = (factor: number) => judged.map((r) => ((r.etaMs as number) * factor) / real(r) - 1)
      const half = rows.find((r) => r.pending <= full / 2 && r.verdict === 'draining' && r.etaMs !== null)
      if (half) ctx.see('queue', 'medic hh watch --url data-1', `mid-way (${half.pending} of ${full} bytes left): ETA ${secs(half.etaMs as number)}, emptied ${secs(real(half))} later (${pct((half.etaMs as number) / real(half) - 1)})`)
      const errs = errorsWith(1)
      const evidence = [
        `drain of ${full} bytes, ${judged.length} samples judged between 3/4 and 1/4 of it`,
        ...judged.slice(0, 10).map((r) => `${r.pending} B left: ETA ${secs(r.etaMs as number)}, real ${secs(real(r))} (${pct((r.etaMs as number) / real(r) - 1)})`),
      ]
      ctx.expectJudged('eta', 'the ETA hh watch gives mid-way is within ±30 % of the real time the queue took to empty (median of the samples between 3/4 and 1/4)', 'etaFactor', (wrong) => {
        const e = errorsWith(wrong === undefined ? 1 : Number(wrong))
        return e.length >= 3 && Math.abs(median(e)) <= 0.3
      }, {expected: 'at least 3 samples, median error within ±30 %', actual: errs.length === 0 ? 'no sample judged draining with an ETA' : `${errs.length} samples, median ${pct(median(errs))} (${pct(Math.min(...errs))} to ${pct(Math.max(...errs))})`, evidence})
    } finally {
      await watch.close()
    }

    const {verifyCluster} = await import('../client/verify.js')
    const v = await verifyCluster(await ctx.state(), {database: 'backlog'})
    ctx.see('status', 'dev verify', `${v.summary.shards} shard(s): ${v.summary.equal} equal, ${v.summary.differs} differ, ${v.summary.unchecked} unchecked`)
    ctx.check('converged', 'both owners hold the same points once the queue drained', v.summary.shards > 0 && v.summary.equal === v.summary.shards, {expected: 'every shard equal', actual: `${v.summary.equal} of ${v.summary.shards} equal`})
    ctx.command(`medic dev verify --db backlog${ctx.dirFlag}`, 'do both owners hold the same points?', 'cluster')
    ctx.command(summarizeCommand([d1.logPath]), 'the partition\'s story in data-1\'s log, actionable first', 'files')
  },
}

// ── max-age-expiry ──

/** Written in real units; the nodes run them TIME_SCALE times faster (max-age 6 s, purge every second). */
const TIME_SCALE = 20
const MAX_AGE = {file: '2m', ms: 120_000}
const PURGE = {file: '20s', ms: 20_000}

export const maxAgeExpiry: Scenario = {
  name: 'max-age-expiry',
  title: 'An owner unreachable past max-age: hinted handoff drops the oldest points, as forecast',
  shows: 'Hinted handoff keeps a queue only for `[hinted-handoff] max-age`: every purge-interval it removes the segments at the head of a queue whose last write is older than that, delivered or not. With an owner unreachable for longer, those points are gone: the owner never gets them, and nothing tells the client, which got 204 long before. `medic hh watch` on the hh directory forecasts it while there is time to act (the oldest data reaches max-age before the queue can be empty); then the node logs the purge, and once the link is back the owner is missing exactly those points. The cluster runs with --time-scale, so minutes of max-age pass in seconds; the configs and the log lines keep the real values.',
  cluster: {meta: 1, data: 2, timeScale: TIME_SCALE, dataConfig: {'hinted-handoff': {'max-age': `"${MAX_AGE.file}"`, 'purge-interval': `"${PURGE.file}"`, 'retry-interval': '"1s"', 'retry-max-interval': '"10s"'}}},
  steps: [
    `medic dev up --time-scale ${TIME_SCALE} with [hinted-handoff] max-age = "${MAX_AGE.file}" and purge-interval = "${PURGE.file}" (in force: ${MAX_AGE.ms / TIME_SCALE / 1000} s and ${PURGE.ms / TIME_SCALE / 1000} s)`,
    'create database expiry (replication 2); write while every link is up',
    'medic dev fault partition data-1 data-2; write through data-1 at consistency one (204: queued for data-2)',
    'medic hh watch on data-1\'s hh directory (with its influxdb.conf): the forecast',
    'wait for data-1 to log the purge; medic dev heal; wait until data-1\'s queue is empty; count the points on each owner',
  ],
  checks: [
    'the writes during the partition are acknowledged (204)',
    'before expiry, medic hh watch forecasts that the oldest data reaches max-age before the queue is empty, and when',
    'data-1 logs the purge of the queue for data-2 at the forecast time (within a purge interval), and medic explain names it dev-hh-max-age-purged (critical)',
    'after the heal: the queue is empty (hh wait drained) and data-2 is missing exactly the points written during the partition (a count on each owner, dev verify)',
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    const warm = await warmUp(ctx, 'data-1', {db: 'expiry', rf: 2, points: 500, consistency: 'one', title: 'writes are acknowledged while every link is up'})
    const id2 = await dataNodeId(ctx, 'data-2')
    const shards = await shardIds(ctx, 'data-1', 'expiry')

    await linkFault(ctx, {kind: 'partition', a: 'data-1', b: 'data-2'})
    const mark = ctx.mark('data-1')
    const n = ctx.short ? 2_000 : 50_000
    const load = await ctx.load('data-1', {db: 'expiry', points: n, batchSize: 500, consistency: 'one', seed: 3})
    ctx.step(`wrote ${load.pointsSent} points through data-1 at consistency one during the partition`)
    ctx.see('client', 'data-1', describeLoad(load))
    ctx.check('client-acknowledged', 'at consistency one the client gets 204 (the copy for data-2 is queued)', allAcknowledged(load), {expected: 'every request 204', actual: describeLoad(load)})

    // The forecast, from the hh directory (segment times: the purge compares them), with the node's own config.
    const hhDir = join(d1.dir, 'hh')
    const watch = await ctx.diagnose.hhWatch({dir: hhDir}, {configPath: d1.configPath})
    let forecastAt: number | undefined
    try {
      const effective = watch.settings.maxAgeMs
      ctx.see('status', 'medic hh watch', `max-age in force ${secs(effective)} (${watch.settings.maxAgeSource}; the file says ${MAX_AGE.file}): ${watch.settings.notes.join('; ')}`)
      await watch.sample()
      const snap = await watch.sample()
      const q = snap.queues.filter((x) => x.node === String(id2) && x.shard !== null && shards.includes(x.shard)).sort((a, b) => b.pendingBytes - a.pendingBytes)[0]
      const m = q?.analysis.maxAge ?? null
      const said = m === null ? 'no max-age forecast' : m.lossExpected ? 'max-age loss' : 'max-age reached after the queue is empty'
      if (m !== null) {
        forecastAt = Date.parse(m.at)
        ctx.see('queue', 'medic hh watch', `node ${id2} shard ${q?.shard}: ${q?.pendingBytes} bytes, ${q?.analysis.verdict}; the oldest data reaches max-age in ${secs(m.inMs)} (at ${m.at})${m.lossExpected ? ': dropped before the queue is empty' : ''}`)
      }
      ctx.expectEqual('forecast', 'before expiry, medic hh watch forecasts the loss to max-age (the "max-age loss" column), with a time', 'forecast', 'max-age loss', m !== null && m.inMs > 0 ? said : `${said}${m ? ' (already past)' : ''}`, [
        ...describeQueues(snap), ...(m ? [`analysis.maxAge (hh watch's "max-age loss" column): in ${m.inMs} ms, at ${m.at}, lossExpected ${m.lossExpected}`] : []), `max-age in force: ${effective} ms`,
      ])
    } finally {
      await watch.close()
    }
    ctx.command(`medic hh watch ${shellQuote(hhDir)} --config ${shellQuote(d1.configPath)} --interval 1s`, 'when the oldest queued data reaches max-age, and whether the queue can empty before', 'cluster')

    const purgeRe = new RegExp(`purged \\d+ segment\\(s\\), \\d+ bytes older than max-age from the queue for node ${id2} shard (${shards.join('|') || '\\d+'})\\b`)
    const purge = await ctx.expectLine('purge-line', 'data-1 logs the purge of its queue for data-2', mark, purgeRe, 30_000)
    if (purge !== undefined) {
      await expectExplained(ctx, {id: 'explained', title: 'medic explain names the purge dev-hh-max-age-purged', key: 'purgeEntry', line: purge, entry: 'dev-hh-max-age-purged', verdict: 'critical', source: 'the purge line'})
      const at = lineTime(purge)
      const slack = PURGE.ms / TIME_SCALE + 3_000
      ctx.expectJudged('forecast-time', 'the purge came when the forecast said (no earlier, and within a purge interval)', 'forecastShiftMs', (wrong) => {
        if (at === undefined || forecastAt === undefined) return false
        const f = forecastAt + (wrong === undefined ? 0 : Number(wrong))
        return at >= f - 250 && at <= f + slack
      }, {
        expected: `the purge between the forecast time and ${secs(slack)} after it`,
        actual: at === undefined || forecastAt === undefined ? 'no time to compare' : `purged ${secs(at - forecastAt)} after the forecast time`,
        evidence: [purge, `forecast: ${forecastAt === undefined ? 'none' : new Date(forecastAt).toISOString()}`],
      })
    }

    await healLink(ctx, 'data-1', 'data-2')
    const wait = await ctx.diagnose.hhWait([d1.httpAddr], {configPath: d1.configPath, timeoutMs: 30_000})
    ctx.expectEqual('drained', 'after the heal medic hh wait --url data-1 ends drained (the purged points are not pending any more)', 'waitOutcome', 'drained', wait.outcome, wait.snapshot ? describeQueues(wait.snapshot) : [])
    ctx.command(hhWaitCommand([d1.httpAddr], {config: d1.configPath}), 'is data-1\'s queue empty again?', 'cluster')

    const c1 = await countPoints(ctx, 'data-1', 'expiry')
    const c2 = await countPoints(ctx, 'data-2', 'expiry')
    ctx.see('status', 'SELECT count(value) FROM medic_load', `data-1: ${c1}, data-2: ${c2}`)
    ctx.check('missing-on-owner', 'data-2 is missing exactly the points written during the partition: the purge dropped them', c1 === warm.pointsSent + load.pointsSent && c2 === warm.pointsSent, {
      expected: `data-1 ${warm.pointsSent + load.pointsSent}, data-2 ${warm.pointsSent}`, actual: `data-1 ${c1}, data-2 ${c2}`,
    })
    const {verifyCluster} = await import('../client/verify.js')
    const v = await verifyCluster(await ctx.state(), {database: 'expiry'})
    ctx.see('status', 'dev verify', `${v.summary.shards} shard(s): ${v.summary.equal} equal, ${v.summary.differs} differ, ${v.summary.unchecked} unchecked`)
    ctx.check('verify-differs', 'medic dev verify finds the owners different', v.summary.differs > 0, {expected: 'a shard differs', actual: `${v.summary.differs} of ${v.summary.shards} differ`})
    ctx.command(`medic dev verify --db expiry${ctx.dirFlag}`, 'which shards lost points on which owner', 'cluster')
  },
}

// ── write-timeout ──

const WRITE_TIMEOUT_MS = 1_000
const LATENCY_MS = 3_000

export const writeTimeout: Scenario = {
  name: 'write-timeout',
  title: 'A slow link past [cluster] write-timeout: consistency=all answers 500 timeout',
  shows: `A write at consistency all (or quorum, the same with two owners) waits for every owner for at most \`[cluster] write-timeout\`, then answers 500 \`{"error":"timeout"}\`, whatever the owners are still doing. With a link between two data nodes slower than that (here ${LATENCY_MS / 1000} s each way against a write-timeout of ${WRITE_TIMEOUT_MS / 1000} s) every such write times out, though data-1 wrote its own copy at once: consistency one still gets 204. The owner's write goes on in the background; when it fails too (the shard writer's own 5 s timeout, shorter than the round trip) data-1 logs it and queues the points for hinted handoff, and from then on writes for that owner go behind the queue, so consistency all answers \`partial write\` at once instead. Nothing is lost: once the link is healed the queue drains and both owners hold every point.`,
  cluster: {meta: 1, data: 2, dataConfig: {cluster: {'write-timeout': `"${WRITE_TIMEOUT_MS / 1000}s"`}, 'hinted-handoff': {'retry-interval': '"500ms"', 'retry-max-interval': '"2s"'}}},
  steps: [
    `[cluster] write-timeout = "${WRITE_TIMEOUT_MS / 1000}s"; create database wt (replication 2); write at consistency all while the link is fast`,
    `medic dev fault slow data-1 data-2 --latency ${LATENCY_MS / 1000}s`,
    'write at consistency all through data-1 (twice), then at consistency one',
    'wait for data-1 to log the failed owner write; write at consistency all again',
    'medic doctor; medic dev heal; wait for the queue to drain; compare the owners',
  ],
  checks: [
    `consistency all: 500 {"error":"timeout"} after write-timeout (${WRITE_TIMEOUT_MS / 1000} s), well before the owner could answer; medic explain: write-timeout`,
    'consistency one: 204 at once (data-1\'s own copy)',
    'data-1 logs the owner write that failed in the background (read message type: ... i/o timeout), and medic explain names it',
    'once that write is queued: consistency all answers partial write at once (behind the queue)',
    'medic doctor: its first finding is a hinted-handoff queue across the slow link',
    'after the heal: drained, and both owners hold the same points (dev verify)',
  ],
  notes: [
    'The shard writer, which carries one owner\'s write, has its own timeout (5 s, internal since Enterprise 1.2.2). With the default write-timeout (10 s) it fires first, and a hung or slow owner gives `partial write` (partial-write-consistency); with a write-timeout below it, the client gets `timeout` first, as here.',
  ],
  async run(ctx) {
    const d1 = ctx.data(1)
    await warmUp(ctx, 'data-1', {db: 'wt', rf: 2, points: 200, consistency: 'all', title: 'consistency=all writes are acknowledged while the link is fast'})
    const id2 = await dataNodeId(ctx, 'data-2')

    await linkFault(ctx, {kind: 'slow', a: 'data-1', b: 'data-2', latencyMs: LATENCY_MS, jitterMs: 0, seed: 1}, ` --latency ${LATENCY_MS / 1000}s`)
    const mark = ctx.mark('data-1')
    const timed: Array<{status: number; body: string; ms: number}> = []
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now()
      const r = await ctx.write('data-1', 'wt', Array.from({length: 10}, (_, k) => `medic_load,host=t${i} value=${k} ${Date.now() * 1e6 + k}`), {consistency: 'all'})
      timed.push({...r, ms: Math.round(performance.now() - t0)})
    }
    ctx.step(`wrote twice at consistency all through data-1: ${timed.map((r) => `${answerLine(r.status, r.body)} after ${r.ms} ms`).join('; ')}`)
    for (const r of timed) ctx.see('client', 'data-1', `consistency=all: ${answerLine(r.status, r.body)} after ${r.ms} ms`)
    const late = WRITE_TIMEOUT_MS + 1_500
    ctx.check('client-timeout', `consistency all: 500 {"error":"timeout"} after write-timeout (${WRITE_TIMEOUT_MS} ms), not after the owner`, timed.every((r) => r.status === 500 && r.body === '{"error":"timeout"}' && r.ms >= WRITE_TIMEOUT_MS - 50 && r.ms < late), {
      expected: `500 {"error":"timeout"} after ${WRITE_TIMEOUT_MS} to ${late} ms`, actual: timed.map((r) => `${answerLine(r.status, r.body)} after ${r.ms} ms`).join('; '),
    })
    const first = timed[0]
    await expectExplained(ctx, {id: 'explained-timeout', title: 'medic explain names the answer write-timeout', key: 'timeoutEntry', line: answerLine(first.status, first.body), entry: 'write-timeout', verdict: 'warning', source: 'the client\'s 500'})

    const t1 = performance.now()
    const one = await ctx.write('data-1', 'wt', ['medic_load,host=one value=1'], {consistency: 'one'})
    const oneMs = Math.round(performance.now() - t1)
    ctx.see('client', 'data-1', `consistency=one: ${answerLine(one.status, one.body)} after ${oneMs} ms`)
    ctx.check('consistency-one', 'consistency one: 204 without waiting for data-2', one.status === 204 && oneMs < WRITE_TIMEOUT_MS, {expected: `204 in under ${WRITE_TIMEOUT_MS} ms`, actual: `${answerLine(one.status, one.body)} after ${oneMs} ms`})

    const ownerRe = new RegExp(`write failed for shard \\d+ on node ${id2}: read message type: read tcp \\S+: i/o timeout`)
    const owner = await ctx.expectLine('owner-line', 'data-1 logs the owner write that failed in the background', mark, ownerRe, 20_000)
    if (owner !== undefined) {
      await expectExplained(ctx, {id: 'explained-owner', title: 'medic explain names the failed owner write (the RPC answer that did not come)', key: 'ownerEntry', line: owner, entry: 'rpc-connection-closed', verdict: 'warning', source: 'data-1\'s line about the owner write'})
    }
    const behind = await ctx.write('data-1', 'wt', ['medic_load,host=behind value=1'], {consistency: 'all'})
    ctx.see('client', 'data-1', `consistency=all with data-2's queue not empty: ${answerLine(behind.status, behind.body)}`)
    ctx.check('behind-queue', 'once the failed write is queued, consistency all answers partial write at once (behind the queue)', behind.status === 500 && behind.body === '{"error":"partial write"}', {
      expected: '500 {"error":"partial write"}', actual: answerLine(behind.status, behind.body),
    })

    await expectDoctorNamesLink(ctx, {title: 'medic doctor names first a hinted-handoff queue across the slow link', ends: ['data-1', 'data-2'], meta: [ctx.meta(1).httpAddr], configs: [d1.configPath, ctx.data(2).configPath], logs: [d1.logPath, ctx.data(2).logPath]})

    await healLink(ctx, 'data-1', 'data-2')
    const wait = await ctx.diagnose.hhWait([d1.httpAddr], {configPath: d1.configPath, timeoutMs: 30_000})
    ctx.expectEqual('drained', 'after the heal medic hh wait --url data-1 ends drained', 'waitOutcome', 'drained', wait.outcome, wait.snapshot ? describeQueues(wait.snapshot) : [])
    ctx.command(hhWaitCommand([d1.httpAddr], {config: d1.configPath}), 'has data-1 delivered what the timeouts left behind?', 'cluster')
    const {verifyCluster} = await import('../client/verify.js')
    const v = await verifyCluster(await ctx.state(), {database: 'wt'})
    ctx.see('status', 'dev verify', `${v.summary.shards} shard(s): ${v.summary.equal} equal, ${v.summary.differs} differ, ${v.summary.unchecked} unchecked`)
    ctx.check('converged', 'both owners hold the same points: the timeouts lost nothing', v.summary.shards > 0 && v.summary.equal === v.summary.shards, {expected: 'every shard equal', actual: `${v.summary.equal} of ${v.summary.shards} equal`})
    ctx.command(`medic dev verify --db wt${ctx.dirFlag}`, 'do both owners hold the same points?', 'cluster')
    ctx.command(summarizeCommand([d1.logPath]), 'the timeouts and the queue in data-1\'s log', 'files')
    ctx.command(hhWatchCommand([d1.httpAddr], {config: d1.configPath}), 'the queue the slow link leaves', 'cluster')
  },
}
