/**
 * Groups lines that matched no catalogue entry into templates by masking their variable parts (ids, addresses,
 * durations, numbers, quoted values). Masking, not full Drain clustering: it is one regex pass per unknown line and
 * gives stable, readable templates. The table keeps memory bounded: past `limit` templates the rarest are evicted
 * (and counted), like a space-saving top-k sketch.
 */
import {detach} from './strings.js'

// Tokens worth masking: quoted strings, and any run of non-separator characters that contains a digit.
const TOKEN = /"[^"]*"|'[^']*'|[^\s"'`,;=()[\]{}<>]*\d[^\s"'`,;=()[\]{}<>]*/g
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$/
const NUMBER = /^[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?$/i
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|µs|Âµs|us|ms|s|m|h))+$/
const HOST_PORT = /^[\w.-]*[a-z][\w.-]*:\d{2,5}$/i

function mask(m: string): string {
  const c = m.charCodeAt(0)
  if (c === 34 || c === 39) return '"<str>"'
  if (NUMBER.test(m)) return '<num>'
  if (DURATION.test(m)) return '<dur>'
  if (IPV4.test(m)) return m.includes(':') ? '<ip:port>' : '<ip>'
  if (UUID.test(m)) return '<uuid>'
  if (HOST_PORT.test(m)) return '<host:port>'
  if (m.includes('/')) return '<path>'
  return '<id>'
}

/** The template of a message: variable parts replaced by <num>, <id>, <ip>, <dur>, <uuid>, "<str>", <path>... */
export function templateOf(msg: string): string {
  return (msg.length > 300 ? msg.slice(0, 300) : msg).replace(TOKEN, mask).trim()
}

export interface TemplateStats {
  count: number
  example: string
  first?: number
  last?: number
  level?: string
}

export class TemplateTable {
  readonly templates = new Map<string, TemplateStats>()
  evicted = 0

  constructor(private readonly limit = 5000) {}

  add(template: string, example: string, time: number | undefined, level: string | undefined, count = 1): void {
    let t = this.templates.get(template)
    if (t === undefined) {
      if (this.templates.size >= this.limit * 2) this.prune()
      // Copies: the strings are slices of a 1 MiB chunk that must not stay pinned in memory.
      t = {count: 0, example: detach(example.length > 500 ? example.slice(0, 500) : example, true), level}
      this.templates.set(detach(template, true), t)
    }
    t.count += count
    if (time !== undefined) {
      if (t.first === undefined || time < t.first) t.first = time
      if (t.last === undefined || time > t.last) t.last = time
    }
  }

  merge(other: Iterable<[string, TemplateStats]>, evicted: number): void {
    this.evicted += evicted
    for (const [k, v] of other) {
      const t = this.templates.get(k)
      if (t === undefined) {
        if (this.templates.size >= this.limit * 2) this.prune()
        this.templates.set(k, {...v})
        continue
      }
      t.count += v.count
      if (v.first !== undefined && (t.first === undefined || v.first < t.first)) {
        // The earliest line is the example, whichever thread saw it.
        t.first = v.first
        t.example = v.example
      }
      if (v.last !== undefined && (t.last === undefined || v.last > t.last)) t.last = v.last
    }
  }

  /** Keeps the `limit` most frequent templates; the lines of the others are counted in `evicted`. */
  private prune(): void {
    const sorted = [...this.templates.entries()].sort((a, b) => b[1].count - a[1].count)
    for (const [k, v] of sorted.slice(this.limit)) {
      this.evicted += v.count
      this.templates.delete(k)
    }
  }
}
