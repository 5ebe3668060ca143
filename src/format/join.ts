/**
 * Human output of `medic join diagnose`: one block per step of the chain, then a one-line verdict. Summaries,
 * evidence and next steps quote the node's answers and the config files: each is one line of data, escaped here
 * (escapeControl) so that nothing in them can drive the terminal or forge a line.
 */
import chalk from 'chalk'

import type {JoinReport, StepStatus} from '../probe/join.js'
import {joinHostPort} from '../util/hostport.js'
import {escapeControl as esc} from '../util/text.js'
import {bold, dim, terminalWidth, wrap} from './text.js'

const LABEL: Record<StepStatus, (s: string) => string> = {
  ok: (s) => chalk.green(s),
  warning: (s) => chalk.yellow(s),
  fail: (s) => chalk.bold.red(s),
  skipped: (s) => chalk.dim(s),
}

const INDENT = '          '

export function renderJoin(report: JoinReport, width = terminalWidth()): string {
  const t = report.target
  const lines: string[] = [bold(`Join diagnosis for ${t.scheme}://${esc(joinHostPort(t.host, t.port))}`)]
  if (report.config.meta) lines.push(dim(`  meta config: ${esc(report.config.meta)}${report.devCluster ? ' (a medic dev cluster config)' : ''}`))
  if (report.config.data) lines.push(dim(`  data config: ${esc(report.config.data)}`))
  lines.push('')
  for (const s of report.steps) {
    lines.push(`${LABEL[s.status](s.status.toUpperCase().padEnd(8))}  ${bold(s.title)}: ${esc(s.summary)}`)
    if (s.status === 'skipped') continue
    for (const e of s.evidence) lines.push(dim(wrap(`saw: ${esc(e)}`, width, INDENT)))
    for (const n of s.next) lines.push(`${INDENT}next: ${esc(n)}`)
  }
  lines.push('')
  const c = report.counts
  const tally = `${c.ok} ok, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.fail} failed, ${c.skipped} skipped`
  if (report.nothingChecked) {
    lines.push(chalk.bold.red('Could not check: the node did not answer at all, and no config file was given.') + ` (${tally})`)
  } else if (c.fail > 0) {
    lines.push(chalk.bold.red('The join will fail: fix the FAIL steps above, top to bottom.') + ` (${tally})`)
  } else if (c.warning > 0) {
    lines.push(chalk.yellow('The join should work; read the warnings first.') + ` (${tally})`)
  } else if (!report.complete) {
    lines.push(chalk.yellow('Nothing wrong found, but some steps could not be checked (see SKIPPED above): UNKNOWN.') + ` (${tally})`)
  } else {
    lines.push(chalk.green('Nothing found that would stop the join.') + ` (${tally})`)
  }
  return lines.join('\n')
}
