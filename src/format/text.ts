/**
 * Small text helpers shared by the human formatters. Colour goes through chalk, which the base command hands over with
 * useChalk() once it knows colour is wanted (chalk is not imported here: a command that prints without colour does not
 * pay for loading it). Without it, every helper returns plain text.
 */
import type {ChalkInstance} from 'chalk'

import type {Verdict} from '../logs/types.js'

let chalk: ChalkInstance | undefined

/** Called by the base command with chalk (its level already set) when colour may be used. */
export function useChalk(c: ChalkInstance | undefined): void {
  chalk = c
}

export function verdictLabel(v: Verdict | 'ok'): string {
  const label = v.toUpperCase()
  if (chalk === undefined) return label
  switch (v) {
    case 'critical': return chalk.bold.red(label)
    case 'warning': return chalk.yellow(label)
    case 'info': return chalk.cyan(label)
    case 'expected': return chalk.green(label)
    case 'ok': return chalk.green(label)
    default: return chalk.gray(label)
  }
}

export function padVerdict(v: Verdict | 'ok', width = 8): string {
  return verdictLabel(v) + ' '.repeat(Math.max(0, width - v.length))
}

export const dim = (s: string): string => (chalk ? chalk.dim(s) : s)
export const bold = (s: string): string => (chalk ? chalk.bold(s) : s)
export const heading = (s: string): string => (chalk ? chalk.bold.underline(s) : s)

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}

/** Wraps text at `width` columns with an indent for continuation lines. */
export function wrap(text: string, width: number, indent = ''): string {
  const words = text.split(/\s+/).filter(Boolean)
  const lines: string[] = []
  let cur = ''
  for (const w of words) {
    if (cur.length > 0 && cur.length + 1 + w.length > width - indent.length) {
      lines.push(cur)
      cur = w
    } else {
      cur = cur ? `${cur} ${w}` : w
    }
  }
  if (cur) lines.push(cur)
  return lines.map((l) => indent + l).join('\n')
}

export function terminalWidth(): number {
  const cols = process.stdout.columns
  return cols && cols > 40 ? Math.min(cols, 120) : 100
}

/** Fills {name} placeholders from extracted values; unknown ones become <name>. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (values[k] === undefined ? `<${k}>` : String(values[k])))
}

/** Times in reports: ISO without milliseconds when they are zero. */
export function shortTime(iso: string | null): string {
  if (iso === null) return '-'
  return iso.replace('T', ' ').replace(/\.000Z$|Z$/, '').replace(/(\.\d{3})\d*$/, '$1')
}
