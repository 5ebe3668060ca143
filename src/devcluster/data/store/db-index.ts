/**
 * The series of one database across all its shards on this node, as influxd 1.6's in-memory ("inmem") index keeps
 * them: one index per database, shared by its shards. It decides `max-series-per-database` (series of the whole
 * database) and `max-values-per-tag` (distinct values of a tag key of a measurement, database-wide).
 *
 * A series stays while at least one shard holds it: dropping a shard, or deleting the last data of a series in a
 * shard, releases that shard's hold (influxd: Store.DeleteShard and the engine's delete both drop series that no
 * remaining shard has).
 */

interface IndexedSeries {
  /** Shards that hold the series. */
  holders: number
  measurement: string
  tags: ReadonlyArray<readonly [string, string]>
}

export class DatabaseIndex {
  private readonly series = new Map<string, IndexedSeries>()
  /** measurement → tag key → value → series with that value. */
  private readonly values = new Map<string, Map<string, Map<string, number>>>()

  /** Series in the database. */
  get size(): number {
    return this.series.size
  }

  has(key: string): boolean {
    return this.series.has(key)
  }

  /** One more shard holds the series (adds it to the index when it is new). */
  hold(key: string, measurement: string, tags: ReadonlyArray<readonly [string, string]>): void {
    const found = this.series.get(key)
    if (found) {
      found.holders++
      return
    }
    this.series.set(key, {holders: 1, measurement, tags})
    let byKey = this.values.get(measurement)
    if (!byKey) this.values.set(measurement, (byKey = new Map()))
    for (const [k, v] of tags) {
      let byValue = byKey.get(k)
      if (!byValue) byKey.set(k, (byValue = new Map()))
      byValue.set(v, (byValue.get(v) ?? 0) + 1)
    }
  }

  /** One shard less holds the series; the last one removes it. */
  release(key: string): void {
    const found = this.series.get(key)
    if (!found) return
    if (--found.holders > 0) return
    this.series.delete(key)
    const byKey = this.values.get(found.measurement)
    if (!byKey) return
    for (const [k, v] of found.tags) {
      const byValue = byKey.get(k)
      if (!byValue) continue
      const n = (byValue.get(v) ?? 0) - 1
      if (n > 0) byValue.set(v, n)
      else byValue.delete(v)
      if (byValue.size === 0) byKey.delete(k)
    }
    if (byKey.size === 0) this.values.delete(found.measurement)
  }

  /** influxd's HasTagValue: some series of the measurement has this value for the tag key. */
  hasTagValue(measurement: string, key: string, value: string): boolean {
    return this.values.get(measurement)?.get(key)?.has(value) ?? false
  }

  /** influxd's TagValueN: distinct values of the tag key over the measurement's series. */
  tagValueCount(measurement: string, key: string): number {
    return this.values.get(measurement)?.get(key)?.size ?? 0
  }
}
