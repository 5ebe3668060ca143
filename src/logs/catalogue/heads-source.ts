/**
 * Writes the source of heads.ts: every entry's id, title, verdict, where, patterns and area, in catalogue order, without
 * its texts. `npm run docs` writes it (with docs/catalog.md); a test fails when it is stale.
 */
import type {CatalogueHead} from '../types.js'
import {AREAS} from './index.js'

/** A value as TypeScript source: regular expressions as literals, the rest as JSON. */
function literal(v: unknown): string {
  if (v instanceof RegExp) return `re(${literal(v.source)}, ${literal(v.flags)})`
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${/^[A-Za-z_]\w*$/.test(k) ? k : literal(k)}: ${literal(x)}`)
    return `{${parts.join(', ')}}`
  }
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`
  return JSON.stringify(v)
}

export function headsSource(): string {
  const lines = [
    '// Generated from entries/*.ts by `npm run docs` (src/logs/catalogue/heads-source.ts). Do not edit by hand: a test',
    '// fails when this file is stale. `medic explain` matches against these heads and loads the texts of matched entries.',
    "import type {CatalogueHead} from '../types.js'",
    '',
    '/**',
    ' * A pattern compiled on its first use: a heads module of regular-expression literals costs their parsing at start-up,',
    ' * and a one-line `medic explain` tries two or three of them. Only exec, test, source and flags are used on heads.',
    ' */',
    'class LazyPattern {',
    '  private compiled: RegExp | undefined',
    '  constructor(readonly source: string, readonly flags: string) {}',
    '  exec(s: string): RegExpExecArray | null {',
    '    this.compiled ??= new RegExp(this.source, this.flags)',
    '    return this.compiled.exec(s)',
    '  }',
    '  test(s: string): boolean {',
    '    return this.exec(s) !== null',
    '  }',
    '}',
    '',
    'const re = (source: string, flags: string): RegExp => new LazyPattern(source, flags) as unknown as RegExp',
    '',
    'export const HEADS: readonly CatalogueHead[] = [',
  ]
  for (const [area, entries] of AREAS) {
    for (const e of entries) {
      const head: CatalogueHead = {id: e.id, title: e.title, verdict: e.verdict, category: e.category, where: e.where, match: e.match, fallback: e.fallback, tier: e.tier, restart: e.restart, area}
      lines.push(`  ${literal(head)},`)
    }
  }
  lines.push(']', '')
  return lines.join('\n')
}
