/** Human output of `medic config check`: findings per file, then across nodes, then the environment; a summary. */
import chalk from 'chalk'

import type {CheckReport, Finding, Severity} from '../config/types.js'
import {escapeControl as esc} from '../util/text.js'
import {bold, dim, heading, terminalWidth, wrap} from './text.js'

const LABEL: Record<Severity, (s: string) => string> = {
  error: (s) => chalk.bold.red(s),
  warning: (s) => chalk.yellow(s),
  info: (s) => chalk.cyan(s),
}

const INDENT = '         '

/** Every text below that comes from a config file, an env file or a path goes through `esc` (escapeControl). */
function where(f: Pick<Finding, 'file' | 'line' | 'column'>): string {
  if (f.line === null) return esc(f.file)
  return `${esc(f.file)}:${f.line}${f.column === null ? '' : `:${f.column}`}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 || word === 'info' ? '' : 's'}`
}

function countsText(c: Record<Severity, number>): string {
  const parts = [c.error > 0 ? chalk.red(plural(c.error, 'error')) : '', c.warning > 0 ? chalk.yellow(plural(c.warning, 'warning')) : '', c.info > 0 ? plural(c.info, 'info') : '']
  return parts.filter(Boolean).join(', ') || chalk.green('no findings')
}

export function renderFinding(f: Finding, width = terminalWidth()): string {
  const label = LABEL[f.severity](f.severity.toUpperCase().padEnd(8))
  const subject = f.key === null ? '' : `  ${bold(esc(f.key))}${f.value === undefined ? '' : ` = ${esc(f.value)}`}`
  const lines = [`${label} ${where(f)}${subject}`]
  const body = f.severity === 'info' ? dim : (s: string) => s
  lines.push(body(wrap(esc(f.message), width, INDENT)))
  // Syntax errors quote the offending line: verbatim (escaped), on its own line.
  if (f.excerpt !== undefined) lines.push(dim(`${INDENT}${f.line ?? '?'} | ${esc(f.excerpt)}`))
  lines.push(wrap(`Fix: ${esc(f.fix)}`, width, INDENT).replace(/^(\s*)Fix:/, (_, sp: string) => `${sp}${chalk.green('Fix:')}`))
  if (f.origin && f.origin.kind !== 'file' && f.origin.kind !== 'default') {
    const o = f.origin
    lines.push(dim(`${INDENT}From: ${esc(o.variable ?? '')}${o.kind === 'env-file' ? ` in ${esc(o.path ?? '')}:${o.line}` : ' in the environment'}`))
  }
  for (const r of f.related ?? []) lines.push(dim(`${INDENT}See: ${where(r)}${r.key ? ` (${esc(r.key)})` : ''}${r.note ? `, ${esc(r.note)}` : ''}`))
  return lines.join('\n')
}

const ROLE_TEXT = {
  flag: (r: string) => `${r} node (--role)`,
  content: (r: string) => `${r} node`,
  'file-name': (r: string) => `${r} node (guessed from the file name)`,
  unknown: () => 'role unknown',
}

export function renderCheck(report: CheckReport): string {
  const width = terminalWidth()
  const out: string[] = []
  for (const file of report.files) {
    const mine = report.findings.filter((f) => f.scope === 'file' && f.file === file.path)
    const role = file.role === null ? ROLE_TEXT.unknown() : ROLE_TEXT[file.roleSource](file.role)
    out.push(`${heading(esc(file.path))}  ${dim(role)}  ${countsText(file.counts)}`)
    for (const f of mine) out.push(renderFinding(f, width))
    out.push('')
  }
  const cluster = report.findings.filter((f) => f.scope === 'cluster')
  if (report.files.length > 1) {
    out.push(`${heading('Across nodes')}  ${dim(`${report.files.length} files`)}  ${cluster.length === 0 ? chalk.green('consistent') : ''}`.trimEnd())
    for (const f of cluster) out.push(renderFinding(f, width))
    out.push('')
  }
  const env = report.findings.filter((f) => f.scope === 'environment')
  if (report.envSources.length > 0 || env.length > 0) {
    out.push(`${heading('Environment')}  ${dim(`INFLUXDB_* overrides from ${report.envSources.map(esc).join(', ') || 'nowhere'}`)}`)
    if (report.overrides.length === 0) out.push(dim('  no INFLUXDB_* variables found'))
    for (const o of report.overrides) {
      const target = o.key === null ? dim('sets no key') : o.appliedTo.length === 0 ? dim(`${esc(o.key)}: applies to none of these files`) : `${esc(o.key)} in ${o.appliedTo.map(esc).join(', ')}`
      const src = o.origin.kind === 'env-file' ? `${esc(o.origin.path ?? '')}:${o.origin.line}` : 'environment'
      out.push(`  ${esc(o.variable)}=${esc(o.value)}  ${dim(`(${src})`)}  -> ${target}`)
    }
    for (const f of env) out.push(renderFinding(f, width))
    out.push('')
  }
  const c = report.counts
  const verdict = report.verdict === 'critical'
    ? chalk.red('Errors found: these nodes would refuse to start, fail to join, or misbehave; fix the errors first')
    : report.verdict === 'warning'
      ? chalk.yellow('No errors; the warnings are worth a look')
      : report.verdict === 'unknown'
        ? chalk.yellow('UNKNOWN: no file could be checked')
        : chalk.green('No problems found.')
  const partial = report.coverage.unchecked > 0 && report.coverage.checked > 0 ? ` (${plural(report.coverage.unchecked, 'file')} could not be checked)` : ''
  out.push(`${bold('Result:')} ${countsText(c)} in ${plural(report.files.length, 'file')}${partial}. ${verdict}`)
  return out.join('\n')
}
