// Shared by the shard-store tests: parsing lines into points, temp data dirs, and a dump of a whole store's state that
// two stores can be compared by.
import {MAX_TIME_NS, MIN_TIME_NS, type Point} from '../../../../src/lineprotocol/point.js'
import {parseLines} from '../../../../src/lineprotocol/parse.js'
import type {DataStore} from '../../../../src/devcluster/data/store/store.js'
import {tempFolder} from '../../../helpers/tmp.js'

export const T = 1_700_000_000_000_000_000n

/** Points of line-protocol text (every line must parse). */
export function points(text: string, now = T): Point[] {
  const {points: out, errors} = parseLines(text, {now})
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'))
  return out
}

const folders: Array<{dir: string; remove: () => void}> = []

/** A temp data dir, removed by removeTempDirs(). */
export function tempDataDir(): string {
  const folder = tempFolder('medic-store-')
  folders.push(folder)
  return folder.dir
}

export function removeTempDirs(): void {
  for (const f of folders.splice(0)) f.remove()
}

/** Everything a store holds, in a stable order: shards, fields, series with tags, and every value. */
export function dump(store: DataStore): unknown[] {
  const out: unknown[] = []
  for (const id of store.shardIds()) {
    const s = store.shard(id)!
    out.push(['shard', id, s.database, s.retentionPolicy, s.pointCount()])
    for (const m of s.measurements()) {
      out.push(['fields', m, [...s.fields(m)]])
      out.push(['tags', m, s.tagKeys(m).map((k) => [k, s.tagValues(m, k)])])
      for (const series of s.series(m)) {
        out.push(['series', series.key, series.tags])
        for (const f of [...s.fields(m).keys()].sort()) {
          const col = s.read(series.key, f, MIN_TIME_NS, MAX_TIME_NS)
          if (col) out.push(['column', f, col.type, [...col.times].map(String), [...col.values].map((v) => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : v))])
        }
      }
    }
  }
  return out
}
