/**
 * The statistics a node keeps, and the shape InfluxDB serves them in on GET /debug/vars, in one place for every node
 * process. Services register a source (a function that returns their statistics when asked); /debug/vars and the
 * `_internal` database read them all through the registry.
 *
 * /debug/vars is written the way InfluxDB's handler writes it (OSS serveExpvar), facts we reproduce: a JSON object with
 * `system` (when given), `cmdline` and `memstats` first, then one `{"name","tags","values"}` per statistic under a key
 * made of its name and, when the statistic has them, `:path[:id]`, or `:[proto:]bind`, or
 * `:database[:retention_policy[:name][:destination]]`. Keys are not made unique: statistics without any of those tags
 * (`hh_node`, `hh_database` per destination) repeat the same bare key, as the real endpoint does.
 */

export type StatisticValue = number | string | boolean

export interface Statistic {
  name: string
  tags: Record<string, string>
  values: Record<string, StatisticValue>
}

/** Returns a service's statistics at the moment it is asked. */
export type StatisticsSource = () => Statistic[] | Promise<Statistic[]>

export class StatsRegistry {
  private readonly sources = new Set<StatisticsSource>()

  /** Adds a source; the function returned removes it again (a service that stops). */
  register(source: StatisticsSource): () => void {
    this.sources.add(source)
    return () => {
      this.sources.delete(source)
    }
  }

  /** Every registered source's statistics, in registration order. A source that fails is left out. */
  async collect(): Promise<Statistic[]> {
    const all = await Promise.allSettled([...this.sources].map(async (s) => s()))
    return all.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
  }
}

/** The /debug/vars key of a statistic (see the file header). */
export function expvarKey(s: Statistic): string {
  const t = s.tags
  let key = s.name
  if (t.path !== undefined) {
    key += `:${t.path}`
    if (t.id !== undefined) key += `:${t.id}`
  } else if (t.bind !== undefined) {
    if (t.proto !== undefined) key += `:${t.proto}`
    key += `:${t.bind}`
  } else if (t.database !== undefined) {
    key += `:${t.database}`
    if (t.retention_policy !== undefined) {
      key += `:${t.retention_policy}`
      if (t.name !== undefined) key += `:${t.name}`
      if (t.destination !== undefined) key += `:${t.destination}`
    }
  }
  return key
}

/** What the process tells about itself: the command line and its memory, in Go's memstats field names. */
export function processVars(): {cmdline: string[]; memstats: Record<string, number>} {
  const m = process.memoryUsage()
  return {
    cmdline: [...process.argv],
    memstats: {Alloc: m.heapUsed, TotalAlloc: m.heapUsed, Sys: m.rss, HeapAlloc: m.heapUsed, HeapSys: m.heapTotal, HeapInuse: m.heapUsed},
  }
}

/**
 * The /debug/vars document as text: `system` (when given), `cmdline`, `memstats`, then the statistics in order, one
 * per line. Written by hand rather than with JSON.stringify of one object, because keys may repeat.
 */
export function renderDebugVars(stats: readonly Statistic[], head: {system?: object; cmdline: string[]; memstats: object}): string {
  const entries: string[] = []
  if (head.system !== undefined) entries.push(`"system": ${JSON.stringify(head.system)}`)
  entries.push(`"cmdline": ${JSON.stringify(head.cmdline)}`, `"memstats": ${JSON.stringify(head.memstats)}`)
  for (const s of stats) entries.push(`${JSON.stringify(expvarKey(s))}: ${JSON.stringify({name: s.name, tags: s.tags, values: s.values})}`)
  return `{\n${entries.join(',\n')}\n}\n`
}
