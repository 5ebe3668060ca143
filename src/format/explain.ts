/**
 * Human output of `medic explain`: a full explanation, a compact line per input line, one entry, the list.
 * Every value taken from a log line goes through escapeControl (a line can hold terminal escape sequences), and the
 * next commands are filled by logs/commands.ts, which quotes values or withholds the command.
 */
import {commandText, fillCommand, type FilledCommand} from '../logs/commands.js'
import type {CatalogueEntry, Explanation} from '../logs/types.js'
import {escapeControl} from '../util/text.js'
import {bold, dim, heading, padVerdict, terminalWidth, verdictLabel, wrap} from './text.js'

const SKIP_VALUES = new Set(['userAgent', 'requestId'])

function valuesLine(values: Explanation['values']): string {
  return Object.entries(values)
    .filter(([k]) => !SKIP_VALUES.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : escapeControl(String(v))}`)
    .map(escapeControl)
    .join(' ')
}

/** A check sentence with its {placeholders} filled as text (never executed; still escaped). */
function fillText(template: string, values: Explanation['values']): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (values[k] === undefined ? `<${k}>` : escapeControl(String(values[k]))))
}

/** A command to paste (`$ ...`), or the note saying why it was withheld, which has no `$` so nobody pastes it. */
function commandLine(f: FilledCommand): string {
  return f.ok ? `$ ${f.command}` : commandText(f)
}

/** The body of an entry: cause, impact, checks, commands, config, metrics, versions, client advice. */
export function renderEntryBody(e: CatalogueEntry, values: Explanation['values'] = {}, options: {clientFirst?: boolean} = {}): string {
  const width = terminalWidth()
  const out: string[] = []
  const section = (title: string, body: string) => out.push(bold(title), wrap(body, width, '  '))
  // A line that came from a client (Telegraf, a client library, curl): what the client should do comes first.
  if (options.clientFirst && e.client) section('For client developers', e.client)
  section('What it means', e.cause)
  section('Impact', e.impact)
  if (e.check.length > 0) {
    out.push(bold('Check'))
    for (const c of e.check) out.push(wrap(fillText(c, values), width, '    ').replace(/^ {4}/, '  - '))
  }
  if (e.commands.length > 0) {
    out.push(bold('Next commands'))
    for (const c of e.commands) out.push(`  ${commandLine(fillCommand(c, values))}`)
  }
  if (e.client && !options.clientFirst) section('For client developers', e.client)
  if (e.configKeys && e.configKeys.length > 0) out.push(bold('Config keys'), `  ${e.configKeys.join(', ')}`)
  if (e.metrics && e.metrics.length > 0) out.push(bold('Metrics'), `  ${e.metrics.join(', ')}`)
  if (e.versions && e.versions.length > 0) {
    out.push(bold('Versions'))
    for (const v of e.versions) out.push(wrap(v, width, '    ').replace(/^ {4}/, '  - '))
  }
  if (e.docs && e.docs.length > 0) out.push(bold('Docs'), ...e.docs.map((d) => `  https://docs.influxdata.com/${d}`))
  return out.join('\n')
}

/** Notes on how the line was read: the wrappers removed, a line cut short, the family it also belongs to. */
function readingNotes(r: Explanation): string[] {
  const notes: string[] = []
  if (r.wrappers && r.wrappers.length > 0) notes.push(`read inside: ${r.wrappers.join(' > ')}`)
  if (r.cutShort) notes.push(`the line looks cut short (${escapeControl(r.cutShort)}); matched on what is there`)
  if (r.family) notes.push(`also a ${r.family} line (medic explain ${r.family})`)
  return notes
}

export function renderExplanation(r: Explanation): string {
  const out: string[] = []
  if (r.id === null || r.entry === undefined) {
    out.push(`${padVerdict('unknown')} ${dim('no catalogue entry matches this line')} ${dim(`(format: ${r.format})`)}`)
    const v = valuesLine(r.values)
    if (v) out.push(`  ${dim(v)}`)
    if (r.context) out.push(`  ${escapeControl(r.context)}`)
    for (const n of readingNotes(r)) out.push(`  ${dim(n)}`)
    out.push(dim('  medic explain --list shows what medic recognises; medic logs summarize groups unknown lines into templates.'))
    return out.join('\n')
  }
  out.push(`${padVerdict(r.verdict)} ${bold(r.id)}  ${r.title}`)
  const v = valuesLine(r.values)
  if (v) out.push(`  ${dim(`${r.format}: ${v}`)}`)
  if (r.reportedBy !== undefined) out.push(`  ${dim('a client reported this error; the server side is explained below, the client advice first')}`)
  else if (r.clientSide) out.push(`  ${dim('the server answered this error to a client: the client advice comes first')}`)
  for (const n of readingNotes(r)) out.push(`  ${dim(n)}`)
  if (r.context) out.push(`  ${verdictLabel(r.verdict)}: ${escapeControl(r.context)}`)
  out.push('', renderEntryBody(r.entry, r.values, {clientFirst: r.clientSide}))
  return out.join('\n')
}

export function renderCompact(r: Explanation): string {
  const id = r.id ?? '-'
  const v = r.id === null
    ? escapeControl((r.message ?? r.context ?? '').slice(0, 100))
    : valuesLine(Object.fromEntries(Object.entries(r.values).filter(([k]) => k !== 'time' && k !== 'level')))
  const ctx = r.context && r.verdict !== 'expected' ? `  ${escapeControl(r.context)}` : ''
  const cut = r.cutShort ? dim('  (cut short)') : ''
  return `${String(r.line).padStart(6)}  ${padVerdict(r.verdict)} ${id.padEnd(34)} ${dim(v)}${ctx}${cut}`
}

function meanings(seen: Iterable<Explanation>): string[] {
  const out: string[] = []
  for (const r of seen) {
    const e = r.entry!
    out.push('', `${padVerdict(e.verdict)} ${bold(e.id)}  ${e.title}`, wrap(r.clientSide && e.client ? e.client : e.cause, terminalWidth(), '  '))
    if (e.commands[0]) out.push(`  ${commandLine(fillCommand(e.commands[0], r.values))}`)
    out.push(dim(`  (medic explain ${e.id} for the full entry)`))
  }
  return out
}

/**
 * Prints explanations as they arrive, so `tail -f influxdb.log | medic explain` shows each line at once. A single
 * line gets the full explanation; from the second line on, one compact row per line, and at the end each entry
 * that occurred is explained once.
 */
export class ExplainPrinter {
  private first: Explanation | undefined
  private count = 0
  private readonly seen = new Map<string, Explanation>()

  /** Text to print now, if any. */
  push(r: Explanation): string | undefined {
    this.count++
    if (r.entry && !this.seen.has(r.entry.id)) this.seen.set(r.entry.id, r)
    if (this.count === 1) {
      this.first = r
      return undefined
    }
    if (this.count === 2) return [heading('Lines'), renderCompact(this.first!), renderCompact(r)].join('\n')
    return renderCompact(r)
  }

  /** Text to print at the end. */
  end(): string | undefined {
    if (this.count === 0) return undefined
    if (this.count === 1) return renderExplanation(this.first!)
    if (this.seen.size === 0) return undefined
    return ['', heading('What they mean'), ...meanings(this.seen.values())].join('\n')
  }
}

export function renderEntry(e: CatalogueEntry): string {
  const head = `${padVerdict(e.verdict)} ${bold(e.id)}  ${e.title}\n  ${dim(`category: ${e.category}; seen in: ${e.where}`)}`
  const examples = [bold('Examples'), ...e.examples.map((x) => `  ${escapeControl(x.line)}`)].join('\n')
  return `${head}\n\n${renderEntryBody(e)}\n${examples}`
}

export function renderList(entries: readonly CatalogueEntry[]): string {
  const w = Math.max(...entries.map((e) => e.id.length))
  return entries.map((e) => `${padVerdict(e.verdict)} ${e.id.padEnd(w)}  ${e.title}`).join('\n')
}
