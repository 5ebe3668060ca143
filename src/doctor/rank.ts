/**
 * The order of doctor's findings and the verdict of the whole run.
 *
 * Causes first. A node that does not answer explains what its absence makes the others report, and each such finding
 * is linked to it (`causedBy` / `explains`, and a line of evidence on each side):
 *   - a data node down (data-unreachable, data-silent) explains the hinted-handoff queues towards it (by node id or
 *     address), the failing, partial and handed-off writes of the other data nodes (their shards' other owner is
 *     down), and the log findings whose lines name only down nodes (by id), or whose example names its address;
 *   - a meta node down (meta-unreachable) explains the quorum being degraded or lost, and no leader.
 * Ordering rule: a cause ranks as high as the worst finding it explains (it keeps its own severity on display), and a
 * finding it explains is never ranked ahead of it: a down node comes before the queue that retries towards it and
 * the writes it makes fail, even when they are critical and it is only a warning.
 *
 * An outage that is over: when every node answered and no hinted-handoff queue holds data, log findings that only say
 * a node could not be reached at the time (connection refused, an RPC connection closed, a delivery to retry) rank
 * after the other findings of their severity and area, and say why: what the logs show besides (a write refused, a
 * point dropped) is likelier to be what still matters.
 *
 * Otherwise (and with the causes' severity so raised) worst first (critical, warning, info), and among findings of one severity the one likelier to be a cause
 * comes first: a config that stops a node or breaks a join; then the meta nodes (no quorum, no leader, a node not
 * joined); then a data node down or cut off; then hinted-handoff queues (an owner that cannot be reached); then the
 * data nodes' failing writes, which those cause; then the log lines, which report what the rest shows. Within an area
 * the source command's own order is kept (it already ranks), so the first finding names the cause when one area holds
 * it.
 *
 * The verdict is util/outcome.ts's rule over every area that was not skipped: critical or warning findings give 3,
 * else anything not checked (an area or a part of one) gives 4 (UNKNOWN, never OK), else 0.
 */
import {decideOutcome} from '../util/outcome.js'
import type {Draft} from './probes.js'
import type {Area, AreaReport, DoctorFinding, Severity} from './types.js'

const SEVERITY: Record<Severity, number> = {critical: 0, warning: 1, info: 2}

/** Cause before symptom, for findings of one severity. */
function causeRank(f: Draft): number {
  if (f.area === 'configs') return 0
  if (f.area === 'meta') return 1
  if (f.area === 'data' && !f.id.startsWith('write-')) return 2 // unreachable, silent, wrong answer to /ping
  // A queue seen failing (retrying, stalled, blocked...) before one only seen holding data (hh-pending): the failed
  // sends are the better evidence that its destination cannot be reached, and they name the same link.
  if (f.area === 'hh') return f.id === 'hh-pending' ? 3.5 : 3
  if (f.area === 'data') return 4
  return 5
}

/** `address` as a whole word of `text` (127.0.0.1:8086 is not in 127.0.0.1:80860). */
function names(text: string, address: string): boolean {
  let at = text.indexOf(address)
  while (at >= 0) {
    const after = text[at + address.length]
    const before = at === 0 ? '' : text[at - 1]
    if (!/[\w.]/.test(before) && (after === undefined || !/[\w]/.test(after))) return true
    at = text.indexOf(address, at + 1)
  }
  return false
}

/**
 * Why `cause` explains `f`, in words for the evidence; undefined when it does not. `downIds` are the ids of every data
 * node that is down (log lines explained only when every node they name is down).
 */
export function explanation(cause: Draft, f: Draft, downIds: ReadonlySet<string>): string | undefined {
  const down = cause.links?.down
  const l = f.links
  if (down === undefined || l === undefined || l.down !== undefined || cause === f) return undefined
  if (down.role === 'meta') return l.quorum ? 'the meta node is a voter that does not answer' : undefined
  const t = l.towards
  if (t !== undefined) {
    if (t.text === undefined && ((down.id !== undefined && t.ids.includes(down.id)) || t.addresses.includes(down.address))) return t.why
    if (t.text !== undefined && down.id !== undefined && t.ids.length > 0 && t.ids.includes(down.id) && t.ids.every((id) => downIds.has(id))) return t.why
    if (t.text !== undefined && names(t.text, down.address)) return t.why
  }
  if (l.ownerWrites && f.node !== down.address) return 'another owner of the shards written is down'
  return undefined
}

/** What the run saw now, beside the findings. */
export interface RankContext {
  /** Every node answered, and every hinted-handoff queue read holds nothing (the hh area was checked in full). */
  allAnswering?: boolean
}

const OVER = 'every node answers now and no hinted-handoff queue holds data: these lines report an outage that is over'

export function rankFindings(drafts: Draft[], context: RankContext = {}): DoctorFinding[] {
  const downIds = new Set(drafts.flatMap((d) => (d.links?.down?.role === 'data' && d.links.down.id !== undefined ? [d.links.down.id] : [])))
  const causes = drafts.filter((d) => d.links?.down !== undefined)
  // For each finding, the causes that explain it (and why); for each cause, what it explains.
  const causedBy = new Map<Draft, Array<{cause: Draft; why: string}>>()
  const explains = new Map<Draft, Draft[]>()
  for (const f of drafts) {
    for (const c of causes) {
      const why = explanation(c, f, downIds)
      if (why === undefined) continue
      causedBy.set(f, [...(causedBy.get(f) ?? []), {cause: c, why}])
      explains.set(c, [...(explains.get(c) ?? []), f])
    }
  }
  // A cause ranks as high as the worst finding it explains; a finding it explains is never ahead of it (its severity
  // is at most as bad as the cause's, its cause rank at least the cause's, and among equals it comes second).
  const severity = (d: Draft) => Math.min(SEVERITY[d.severity], ...(explains.get(d) ?? []).map((x) => SEVERITY[x.severity]))
  const rank = (d: Draft) => Math.max(causeRank(d), ...(causedBy.get(d) ?? []).map(({cause}) => causeRank(cause)))
  // Lines about a node that could not be reached, while every node answers and nothing is queued: history.
  const over = (d: Draft) => context.allAnswering === true && d.links?.unreachable === true && !causedBy.has(d)
  const sorted = drafts
    .map((d, i) => ({d, i, key: [severity(d), rank(d), causedBy.has(d) || over(d) ? 1 : 0, i]}))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3])
  const rankOf = new Map(sorted.map(({d}, i) => [d, i + 1]))
  for (const list of explains.values()) list.sort((a, b) => rankOf.get(a)! - rankOf.get(b)!)
  return sorted.map(({d}, i) => {
    const {links: _links, ...finding} = d
    const by = causedBy.get(d) ?? []
    const out = explains.get(d) ?? []
    const evidence = [
      ...finding.evidence,
      ...by.map(({cause, why}) => `caused by #${rankOf.get(cause)} ${cause.id}${cause.node === null ? '' : ` (${cause.node})`}: ${why}`),
      ...(over(d) ? [OVER] : []),
      ...(out.length === 0 ? [] : [`explains ${out.map((x) => `#${rankOf.get(x)} ${x.id}`).slice(0, 8).join(', ')}${out.length > 8 ? ` and ${out.length - 8} more` : ''}: ranked before them`]),
    ]
    return {
      rank: i + 1, ...finding, evidence,
      ...(by.length === 0 ? {} : {causedBy: by.map(({cause}) => rankOf.get(cause)!).sort((a, b) => a - b)}),
      ...(out.length === 0 ? {} : {explains: out.map((x) => rankOf.get(x)!).sort((a, b) => a - b)}),
    }
  })
}

export function overall(areas: AreaReport[], findings: DoctorFinding[]) {
  const counted = new Set<Area>(areas.filter((a) => a.verdict !== 'skipped').map((a) => a.area))
  const outcome = decideOutcome({
    findings: findings.filter((f) => counted.has(f.area)),
    checked: areas.reduce((n, a) => n + (counted.has(a.area) ? a.checked : 0), 0),
    unchecked: areas.reduce((n, a) => n + (counted.has(a.area) ? Math.max(a.unchecked, a.verdict === 'unknown' ? 1 : 0) : 0), 0),
  })
  return outcome
}
