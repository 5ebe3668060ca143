/**
 * Pieces several scenarios share: explaining a line and checking the entry and verdict medic gives it, the data
 * nodes' ids from the meta store, the queue sizes `hh watch --url` sees, describing a load's answers, and the medic
 * commands an operator would type (shell-quoted, ready to paste).
 */
import type {Snapshot} from '../../hh/monitor.js'
import type {LoadReport} from '../../loadgen/run.js'
import type {CatalogueHead, Explanation} from '../../logs/types.js'
import {sh, shellQuote} from '../../util/text.js'
import type {FaultPutResult} from '../client/fault-control.js'
import type {Fault} from '../node/fault-table.js'
import {jsonOf} from '../node/http-client.js'
import {ScenarioAbort, type ScenarioContext} from './context.js'

/** One explanation in a line of evidence: `hh-queue-not-empty (info) shardId=3 nodeId=2`. */
export function describeExplanation(e: Explanation<CatalogueHead>): string {
  const values = Object.entries(e.values).filter(([k]) => !['time', 'level', 'logId'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ')
  return `${e.id ?? 'unknown'} (${e.verdict})${values ? ` ${values}` : ''}${e.context ? ` - ${e.context}` : ''}`
}

/**
 * Explains `line` as `medic explain` does and checks the catalogue entry (expectation `key`) and, when given, the
 * verdict (expectation `${key}Verdict`). Returns the explanation.
 */
export async function expectExplained(
  ctx: ScenarioContext,
  o: {id: string; title: string; key: string; line: string; entry: string; verdict?: string; source?: string},
): Promise<Explanation<CatalogueHead>> {
  const [e] = await ctx.diagnose.explainLines([o.line])
  const evidence = [describeExplanation(e), `the line: ${o.line}`]
  ctx.expectEqual(o.id, o.title, o.key, o.entry, e.id, evidence)
  if (o.verdict !== undefined) ctx.expectEqual(`${o.id}-verdict`, `medic's verdict on it is ${o.verdict}`, `${o.key}Verdict`, o.verdict, e.verdict)
  ctx.command(sh`medic explain ${o.line}`, `what ${o.source ?? 'the line'} means`, 'nothing')
  return e
}

/** Data node name -> node id, from the meta store's /show-cluster (asked of meta-1). */
export async function dataNodeIds(ctx: ScenarioContext): Promise<Map<string, number>> {
  const r = await ctx.request(ctx.meta(1).httpAddr, '/show-cluster', {redirects: 3})
  const doc = jsonOf(r) as {data?: Array<{id: number; httpAddr: string}>} | undefined
  if (r.status !== 200 || !Array.isArray(doc?.data)) throw new ScenarioAbort(`meta-1 /show-cluster answered HTTP ${r.status}`)
  const out = new Map<string, number>()
  for (const d of doc.data) {
    const n = ctx.cluster.up.nodes.find((x) => x.kind === 'data' && x.httpAddr === d.httpAddr)
    if (n) out.set(n.name, d.id)
  }
  return out
}

export async function dataNodeId(ctx: ScenarioContext, name: string): Promise<number> {
  const id = (await dataNodeIds(ctx)).get(name)
  if (id === undefined) throw new ScenarioAbort(`${name} is not in meta-1's /show-cluster`)
  return id
}

/** Bytes `hh watch` sees queued for node `id` in a snapshot (all its shards). */
export function queuedFor(s: Snapshot, id: number): number {
  return s.queues.filter((q) => q.node === String(id)).reduce((n, q) => n + q.pendingBytes, 0)
}

/** The ids of the shards of `db` that `node` knows (SHOW SHARDS). */
export async function shardIds(ctx: ScenarioContext, node: string, db: string): Promise<string[]> {
  const r = await ctx.query(node, 'SHOW SHARDS')
  const series = (r.body as {results?: Array<{series?: Array<{name: string; columns: string[]; values: unknown[][]}>}>} | undefined)?.results?.[0]?.series ?? []
  const s = series.find((x) => x.name === db)
  if (s === undefined) return []
  const col = s.columns.indexOf('id')
  return s.values.map((row) => String(row[col]))
}

/** The verdicts of the queues for node `id` that hold one of `shards` (a database's queues, not the stats service's). */
export function verdictsForShards(s: Snapshot, id: number, shards: readonly string[]): string[] {
  return [...new Set(s.queues.filter((q) => q.node === String(id) && q.shard !== null && shards.includes(q.shard)).map((q) => q.analysis.verdict))]
}

/** One line per queue of a snapshot, as evidence. */
export function describeQueues(s: Snapshot): string[] {
  if (s.queues.length === 0) return ['no queue']
  return s.queues.map((q) => `${q.source} -> node ${q.node}${q.host ? ` (${q.host})` : ''} shard ${q.shard ?? '-'}: ${q.pendingBytes} B pending, ${q.analysis.verdict}: ${q.analysis.reason}`)
}

/** What a load's answers were, one line: `40 x 204; 12 x 500 partial write`. */
export function describeLoad(r: LoadReport): string {
  return `${r.outcomes.map((o) => `${o.count} x ${o.key}`).join('; ')} (${r.requests} requests, ${r.pointsAcknowledged} of ${r.pointsSent} points acknowledged${r.retries > 0 ? `, ${r.retries} retries` : ''})`
}

export function allAcknowledged(r: LoadReport): boolean {
  return r.requests > 0 && r.outcomes.every((o) => o.status !== undefined && o.status >= 200 && o.status < 300)
}

/** The raw HTTP answer as medic explain reads it: `500 {"error":"partial write"}`. */
/**
 * Creates `db` (replication `rf`) through `node` and writes `points` to it at `consistency` while nothing is broken
 * yet: every request must be acknowledged, or the scenario stops there (check `writes-before-fault`).
 */
export async function warmUp(ctx: ScenarioContext, node: string, o: {db: string; rf: number; points: number; consistency: 'any' | 'one' | 'quorum' | 'all'; title?: string}): Promise<LoadReport> {
  await ctx.createDatabase(node, o.db, o.rf)
  const warm = await ctx.load(node, {db: o.db, points: o.points, consistency: o.consistency})
  ctx.require(ctx.check('writes-before-fault', o.title ?? 'writes are acknowledged while every node and link is up', allAcknowledged(warm), {expected: 'every request 204', actual: describeLoad(warm)}), 'writes-before-fault')
  return warm
}

export function answerLine(status: number, body: string): string {
  return `${status} ${body}`
}

const q = shellQuote

export function summarizeCommand(paths: string[]): string {
  return `medic logs summarize ${paths.map(q).join(' ')}`
}

export function hhWatchCommand(urls: string[], o: {config?: string; meta?: string} = {}): string {
  return `medic hh watch ${urls.map((u) => `--url ${q(u)}`).join(' ')}${o.meta ? ` --meta ${q(o.meta)}` : ''}${o.config ? ` --config ${q(o.config)}` : ''} --interval 1s`
}

export function hhWaitCommand(urls: string[], o: {config?: string; timeout?: string} = {}): string {
  return `medic hh wait ${urls.map((u) => `--url ${q(u)}`).join(' ')}${o.config ? ` --config ${q(o.config)}` : ''} --interval 1s --timeout ${o.timeout ?? '5m'}`
}

/** The lines of `lines` matching `re`, at most `max` (for evidence). */
export function matching(lines: readonly string[], re: RegExp, max = 3): string[] {
  return lines.filter((l) => re.test(l)).slice(0, max)
}

export interface Statistic {
  name: string
  tags: Record<string, string>
  values: Record<string, number>
}

/** A data node's statistics from /debug/vars (every `{name, tags, values}` entry). */
export async function statistics(ctx: ScenarioContext, node: string): Promise<Statistic[]> {
  const r = await ctx.request(ctx.node(node).httpAddr, '/debug/vars')
  const doc = jsonOf(r) as Record<string, unknown> | undefined
  if (r.status !== 200 || doc === undefined) throw new ScenarioAbort(`${node} /debug/vars answered HTTP ${r.status}`)
  const out: Statistic[] = []
  for (const v of Object.values(doc)) {
    if (typeof v !== 'object' || v === null || !('name' in v) || !('values' in v)) continue
    const s = v as {name: unknown; tags?: unknown; values: unknown}
    if (typeof s.name !== 'string' || typeof s.values !== 'object' || s.values === null) continue
    out.push({name: s.name, tags: (s.tags ?? {}) as Record<string, string>, values: s.values as Record<string, number>})
  }
  return out
}

/** The sum of `field` over the statistics named `name` (optionally only those whose tag `node` is `nodeTag`). */
export function statSum(stats: readonly Statistic[], name: string, field: string, nodeTag?: number): number {
  return stats.filter((s) => s.name === name && (nodeTag === undefined || s.tags.node === String(nodeTag))).reduce((n, s) => n + (typeof s.values[field] === 'number' ? s.values[field] : 0), 0)
}

/**
 * `medic doctor` on the cluster as it is now: its first finding (worst, and among equals the likelier cause) must be
 * `expected` (expectation `doctorFirst`), about `node` when given; `nothing` when no finding needs action (only
 * information, or none). With a data node down named first, the queues towards it must be linked to it ("caused by
 * #1"): the ranking rule (doctor/rank.ts) on real addresses and ids.
 */
export async function expectDoctorFirst(ctx: ScenarioContext, o: {title: string; expected: string; node?: string; meta: string[]; configs?: string[]; logs?: string[]}): Promise<void> {
  const r = await ctx.diagnose.doctor({meta: o.meta, configs: o.configs, logs: o.logs})
  const first = r.findings[0]
  const actionable = first !== undefined && first.severity !== 'info'
  const evidence = r.findings.slice(0, 5).map((f) => `${f.rank}. ${f.severity} ${f.id} (${f.area}${f.node ? `, ${f.node}` : ''}): ${f.title}${f.causedBy ? ` [caused by #${f.causedBy.join(', #')}]` : ''}`)
  const onNode = o.node === undefined || !actionable || (first.node ?? '').includes(o.node)
  const actual = !actionable ? 'nothing' : onNode ? first.id : `${first.id} on ${first.node}`
  ctx.see('status', 'medic doctor', first ? `${r.verdict}; first: ${first.id} (${first.node ?? 'cluster'})` : `${r.verdict}; no finding`)
  ctx.expectEqual('doctor-first', o.title, 'doctorFirst', o.expected, actual, evidence)
  if (o.expected === 'data-unreachable' && o.node !== undefined && actual === o.expected) {
    // With that node down, every queue doctor can see is another node's queue towards it (a down node reports none);
    // a label may lack the destination's address (doctor names it by id when it cannot map it), so all are taken.
    const towards = r.findings.filter((f) => f.area === 'hh')
    const unlinked = towards.filter((f) => !(f.causedBy ?? []).includes(1))
    ctx.check('doctor-linked', `medic doctor links the queues towards ${o.node} to it: "caused by #1", ranked after it`, towards.length > 0 && unlinked.length === 0, {
      expected: 'every hh finding towards the down node caused by #1 (at least one)',
      actual: towards.length === 0 ? 'no hh finding towards it' : `${towards.length - unlinked.length} of ${towards.length} linked; #1 explains ${(first.explains ?? []).map((n) => `#${n}`).join(', ') || 'nothing'}`,
      evidence: towards.map((f) => `${f.rank}. ${f.id} (${f.node}): ${f.evidence.at(-1) ?? ''}`),
    })
  }
  const parts = [`medic doctor --meta ${o.meta.map(shellQuote).join(' --meta ')}`, ...(o.configs ?? []).map((c) => `--configs ${shellQuote(c)}`), ...(o.logs ?? []).map((l) => `--logs ${shellQuote(l)}`)]
  ctx.command(parts.join(' '), 'everything at once, the likeliest cause first', 'cluster')
}

type LinkFault = Extract<Fault, {a: string}>
/** A link fault as a scenario gives it (both ways, since now). */
export type LinkFaultSpec = LinkFault extends infer F ? (F extends LinkFault ? Omit<F, 'since' | 'oneWay'> : never) : never

/** `medic dev fault KIND A B ...` (`flags`: the rest of that command line), in force once every running node applied it. */
export async function linkFault(ctx: ScenarioContext, f: LinkFaultSpec, flags = ''): Promise<FaultPutResult> {
  const {putFault} = await import('../client/fault-control.js')
  const r = await putFault(ctx.dir, {...f, oneWay: false, since: new Date().toISOString()} as LinkFault)
  ctx.step(`medic dev fault ${r.fault.text} (applied by ${r.appliedBy.join(', ')})`)
  ctx.command(`medic dev fault ${f.kind} ${f.a} ${f.b}${flags}${ctx.dirFlag}`, 'the same fault by hand', 'cluster')
  return r
}

/** `medic dev fault partition A B`: the link between two nodes cut, both ways; returns once every node applied it. */
export async function partition(ctx: ScenarioContext, a: string, b: string): Promise<void> {
  await linkFault(ctx, {kind: 'partition', a, b})
}

/** `medic dev heal A B`: the faults on one link undone. */
export async function healLink(ctx: ScenarioContext, a: string, b: string): Promise<void> {
  const {heal} = await import('../client/fault-control.js')
  const r = await heal(ctx.dir, {kind: 'link', a, b})
  ctx.step(`medic dev heal ${a} ${b}: ${r.healed.map((f) => f.text).join('; ') || 'nothing to heal'}`)
  ctx.command(`medic dev heal ${a} ${b}${ctx.dirFlag}`, 'undo it', 'cluster')
}

/** `medic dev heal NODE`: every fault of the node undone. */
export async function healNode(ctx: ScenarioContext, node: string): Promise<void> {
  const {heal} = await import('../client/fault-control.js')
  const r = await heal(ctx.dir, {kind: 'node', node})
  ctx.step(`healed ${node} (${r.healed.length} faults undone: medic dev heal ${node})`)
  ctx.command(`medic dev heal ${node}${ctx.dirFlag}`, 'undo it', 'cluster')
}
