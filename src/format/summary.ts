/**
 * Human output of `medic logs summarize`: actionable first, a timeline, events, then the benign noise in one line.
 * Everything that comes from the logs or the command line (examples, templates, sources, node ids, file names) goes
 * through escapeControl; the next commands were filled (or withheld) by the summariser with logs/commands.ts.
 */
import type {MinLevel, ReportEntry, SummaryReport} from '../logs/summary.js'
import {escapeControl as esc} from '../util/text.js'
import {bold, dim, formatBytes, formatCount, heading, padVerdict, shortTime, terminalWidth, verdictLabel} from './text.js'

function topOf(rec: Record<string, number>, n = 3): string {
  const items = Object.entries(rec).sort((a, b) => b[1] - a[1])
  const shown = items.slice(0, n).map(([k, v]) => `${esc(k)} (${formatCount(v)})`)
  if (items.length > n) shown.push(`+${items.length - n} more`)
  return shown.join(', ')
}

function entryBlock(e: ReportEntry): string[] {
  const out = [`${padVerdict(e.verdict)} ${bold(e.id)}  ${formatCount(e.count)}×  ${e.title}`]
  const pad = '           '
  out.push(`${pad}${dim(`first ${shortTime(e.firstSeen)}   last ${shortTime(e.lastSeen)}`)}`)
  const where: string[] = []
  if (Object.keys(e.sources).length > 0) where.push(`sources: ${topOf(e.sources)}`)
  if (Object.keys(e.nodes).length > 0) where.push(`nodes: ${topOf(e.nodes)}`)
  if (Object.keys(e.shards).length > 0) where.push(`shards: ${topOf(e.shards)}`)
  if (where.length > 0) out.push(`${pad}${where.join('   ')}`)
  if (e.clientSide) out.push(`${pad}${dim(`${formatCount(e.clientSide)} of them reported by a client (Telegraf, a client library, curl)`)}`)
  if (e.context) out.push(`${pad}${verdictLabel(e.verdict)}: ${esc(e.context)}`)
  for (const c of e.next) out.push(`${pad}$ ${c}`)
  for (const w of e.withheld ?? []) out.push(`${pad}${dim(`(a command was withheld: ${esc(w)})`)}`)
  return out
}

const BARS = ' ▏▎▍▌▋▊▉█'

function bar(value: number, max: number, width: number): string {
  if (max === 0 || value === 0) return ''
  const units = (value / max) * width * 8
  const full = Math.floor(units / 8)
  const rest = Math.round(units % 8)
  return '█'.repeat(full) + (rest > 0 && full < width ? BARS[rest] : '') || '▏'
}

function timelineBlock(r: SummaryReport): string[] {
  const buckets = r.timeline.buckets
  if (buckets.length === 0) return []
  const max = Math.max(...buckets.map((b) => b.total))
  const width = Math.max(10, Math.min(40, terminalWidth() - 70))
  const size = r.timeline.bucketSeconds
  const label = size % 86_400 === 0 ? `${size / 86_400}-day` : size % 3600 === 0 ? `${size / 3600}-hour` : `${size / 60}-minute`
  const out = [heading(`Timeline (${label} buckets, UTC; ! marks buckets with warning or critical lines)`)]
  const row = (b: SummaryReport['timeline']['buckets'][number]) => {
    const ids = Object.entries(b.actionable).sort((x, y) => y[1] - x[1]).map(([id, n]) => `${id} ${formatCount(n)}`)
    const mark = b.verdicts.critical ? verdictLabel('critical').replace('CRITICAL', '!!') : ids.length > 0 ? verdictLabel('warning').replace('WARNING', '! ') : '  '
    return `  ${shortTime(b.start).slice(0, 16)}  ${mark} ${bar(b.total, max, width).padEnd(width)} ${formatCount(b.total).padStart(10)}  ${dim(ids.slice(0, 3).join(', '))}`
  }
  let i = 0
  while (i < buckets.length) {
    let j = i
    while (j < buckets.length && buckets[j].total === 0) j++
    if (j - i >= 3) {
      out.push(dim(`  ... ${j - i} empty buckets (${shortTime(buckets[i].start).slice(0, 16)} to ${shortTime(buckets[j - 1].start).slice(0, 16)}) ...`))
      i = j
      continue
    }
    out.push(row(buckets[i]))
    i++
  }
  return out
}

export function renderSummary(r: SummaryReport, options: {top?: number; min?: MinLevel} = {}): string {
  const out: string[] = []
  const files = r.input.files.length === 1 ? esc(r.input.files[0]) : `${r.input.files.length} inputs`
  out.push(
    `${bold('Summary')} of ${files}: ${formatCount(r.input.lines)} lines, ${formatBytes(r.input.bytes)}, ${shortTime(r.timeRange.start)} → ${shortTime(r.timeRange.end)} UTC`,
  )
  for (const p of r.input.problems) out.push(`  ${verdictLabel('unknown')}: ${esc(p.message)}`)
  if (r.input.nothingInWindow) out.push(`  ${dim('nothing in the --since/--until window: no line of the input falls in it')}`)
  const notes: string[] = []
  if (r.input.filteredOut > 0) notes.push(`${formatCount(r.input.filteredOut)} lines outside --since/--until skipped`)
  if (r.input.untimedSkipped > 0) notes.push(`${formatCount(r.input.untimedSkipped)} lines without a timestamp left out (--since/--until cannot place them)`)
  if (r.input.untimed > 0) notes.push(`${formatCount(r.input.untimed)} lines without a timestamp`)
  if (r.input.binary > 0) notes.push(`${formatCount(r.input.binary)} binary lines`)
  if (r.input.truncated > 0) notes.push(`${formatCount(r.input.truncated)} over-long lines cut`)
  if (notes.length > 0) out.push(dim(`  ${notes.join('; ')}`))
  const c = r.counts
  out.push(
    `${bold('Verdict')}: ${verdictLabel(r.verdict)}   ${formatCount(c.critical)} critical, ${formatCount(c.warning)} warning, ${formatCount(c.info)} info, ${formatCount(c.expected)} expected, ${formatCount(c.unknown)} unrecognised lines`,
  )
  if (r.input.problems.length > 0) out.push(dim(`  the verdict covers only the inputs that could be read`))
  else if (!r.complete && c.unknown > 0) out.push(dim(`  none of the ${formatCount(c.unknown)} lines is one medic recognises (is this an InfluxDB log?), so nothing was checked`))
  else if (!r.complete) out.push(dim(`  no log line could be read, so nothing was checked`))
  if (options.min !== undefined) out.push(dim(`  --min ${options.min}: entries below ${options.min} and unrecognised lines are not shown`))
  if (r.sources.length > 1) out.push(dim(`  sources: ${r.sources.map((s) => `${esc(s.name)} (${formatCount(s.lines)})`).join(', ')}`))

  out.push('', heading('Needs action'))
  if (r.actionable.length === 0) out.push(`  ${dim('nothing: no warning or critical line')}`)
  for (const e of r.actionable) out.push(...entryBlock(e))

  if (r.events.length > 0) {
    out.push('', heading('What happened, in order'))
    const shown = r.events.slice(0, 40)
    for (const ev of shown) {
      const v = ev.verdict ? `${padVerdict(ev.verdict)} ` : `${padVerdict('info')} `
      out.push(`  ${shortTime(ev.time)}  ${v}${esc(ev.text)}${ev.source && ev.kind !== 'restart' ? dim(`  [${esc(ev.source)}]`) : ''}`)
    }
    if (r.events.length > shown.length) out.push(dim(`  ... ${r.events.length - shown.length} more (--json has them all)`))
  }

  out.push('', ...timelineBlock(r))

  if (r.informational.length > 0) {
    out.push('', heading('Informational'))
    for (const e of r.informational) out.push(...entryBlock(e).slice(0, 3))
  }

  if (r.lease.grants + r.lease.denials > 0) {
    const holders = topOf(r.lease.holders)
    out.push('', heading('Continuous-query lease'))
    out.push(`  ${formatCount(r.lease.grants)} grants${holders ? ` (holders by node id: ${holders})` : ''}, ${formatCount(r.lease.denials)} denials`)
    if (r.lease.grants === 0) {
      out.push(`  ${verdictLabel('expected')}: only denials; the holder's renewals (200) are not in this input. A 409 means another data node holds a live lease.`)
    } else if (r.lease.gaps.length === 0 && r.lease.lapses.length === 0) {
      out.push(`  ${verdictLabel('expected')}: some data node held the lease whenever others were denied`)
    }
    for (const l of r.lease.lapses.slice(0, 10)) {
      out.push(l.untilEnd
        ? `  ${verdictLabel('warning')}: no holder after node ${l.holder}'s last grant at ${shortTime(l.lastGrant)}: no grant in the ${l.seconds}s of input left`
        : `  ${verdictLabel('warning')}: the lease lapsed: node ${l.holder}'s grants stopped at ${shortTime(l.lastGrant)}, node ${l.next} got it at ${shortTime(l.nextGrant!)} (${l.seconds}s without a holder's renewal)`)
    }
    for (const g of r.lease.gaps.slice(0, 10)) {
      out.push(`  ${verdictLabel('warning')}: denials without any grant from ${shortTime(g.start)} to ${shortTime(g.end)} (${g.seconds}s)`)
    }
  }

  if (r.benign.length > 0) {
    const total = r.benign.reduce((n, e) => n + e.count, 0)
    out.push('', `${heading('Benign')} ${formatCount(total)} expected lines of ${r.benign.length} kinds: ${dim(r.benign.slice(0, 6).map((e) => `${e.id} ${formatCount(e.count)}`).join(', '))}${r.benign.length > 6 ? dim(', ...') : ''}`)
  }

  if (r.unknown.lines > 0) {
    const top = options.top ?? 20
    out.push('', heading(`Unrecognised: ${formatCount(r.unknown.lines)} lines, most frequent templates first`))
    for (const t of r.unknown.templates.slice(0, top)) {
      out.push(`  ${formatCount(t.count).padStart(9)}  ${t.level ? `[${esc(t.level)}] ` : ''}${esc(t.template)}`)
      out.push(dim(`             e.g. ${esc(t.example.length > 160 ? t.example.slice(0, 160) + '…' : t.example)}`))
    }
    const more = r.unknown.templates.length - top + r.unknown.omitted
    if (more > 0) out.push(dim(`  ... ${more} more templates (--top N, or --json)`))
  }

  if (r.restarts.length > 0) {
    out.push('', heading('Restarts'))
    for (const x of r.restarts.slice(0, 20)) out.push(`  ${shortTime(x.time)}  ${esc(x.source)}  ${dim(esc(x.evidence))}`)
  }
  return out.join('\n')
}

/** The progress line on an interactive terminal: a bar when the total size is known, else the bytes read. */
export function progressText({bytesRead, totalBytes}: {bytesRead: number; totalBytes?: number}): string {
  const mb = (n: number) => (n / 1e6).toFixed(0)
  if (!totalBytes) return `reading logs: ${mb(bytesRead)} MB`
  const frac = Math.min(1, bytesRead / totalBytes)
  const width = 24
  const done = Math.round(frac * width)
  return `reading logs [${'█'.repeat(done)}${'░'.repeat(width - done)}] ${Math.floor(frac * 100)}%  ${mb(bytesRead)} of ${mb(totalBytes)} MB`
}
