/**
 * One line to one catalogue entry: the line's own text first, then the server error a client's line carries
 * (embedded.ts). Shared by `medic explain` (explain.ts) and `medic logs summarize` (summary.ts), so that both always
 * give a line the same entry.
 */
import {type Match, type Matcher, tierOf} from './catalogue/matcher.js'
import {type EmbeddedError, embeddedError, embeddedMatchText} from './embedded.js'
import {matchText} from './catalogue/matcher.js'
import type {CatalogueEntry, CatalogueHead, LogEvent} from './types.js'

export interface Classified<E extends CatalogueHead = CatalogueEntry> {
  match: Match<E> | undefined
  /** Set when the entry was found through the server error inside the line. */
  embedded?: EmbeddedError
}

/** Formats only InfluxDB writes (a client's output is plain text or its own logger's format). */
const OWN_FORMATS = new Set(['legacy', 'legacy-level', 'logfmt', 'json'])

export function classify<E extends CatalogueHead>(matcher: Matcher<E>, ev: LogEvent): Classified<E> {
  if (ev.problem !== undefined || ev.format === 'binary') return {match: undefined}
  const direct = matcher.match(ev)
  if (direct !== undefined && ev.http !== undefined) return {match: direct}
  // InfluxDB's own structured lines that a specific entry explains carry no client's report: skip the search for one
  // (most lines of a big log). Plain text, console and wrapped client output, and catch-all matches, are searched.
  if (direct !== undefined && tierOf(direct.entry) === 0 && OWN_FORMATS.has(ev.format) && ev.service !== 'httpd') return {match: direct}
  const text = matchText(ev)
  const emb = embeddedError(ev, text)
  if (emb === undefined || emb.text === '') {
    if (direct === undefined && text.includes('\\"')) {
      // A server error quoted inside another program's string (`:body "... input field \"f\" ..."`).
      const unescaped = matcher.matchText(text.replaceAll('\\"', '"'))
      if (unescaped !== undefined) return {match: unescaped, embedded: {text, client: true, via: 'quoted'}}
    }
    return {match: direct}
  }
  const inner = matcher.matchText(embeddedMatchText(emb))
  if (inner === undefined) return {match: direct}
  if (direct !== undefined && tierOf(direct.entry) < tierOf(inner.entry)) return {match: direct}
  return {match: direct?.entry.fallback && !inner.family ? {...inner, family: {entry: direct.entry, groups: direct.groups}} : inner, embedded: emb}
}
