/**
 * What a data node keeps under `[data] dir`: every shard it owns, `<dir>/<db>/<rp>/<shard id>/`, and one series index
 * per database (influxd 1.6's inmem index), with influxd 1.6.7's write and delete semantics (tsdb/store.go,
 * coordinator/points_writer.go writeToShard). See stored-shard.ts for durability and shard.ts for the write rules.
 */
import {mkdir, readdir, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {MAX_TIME_NS, MIN_TIME_NS, type Point} from '../../../lineprotocol/point.js'
import {DatabaseIndex} from './db-index.js'
import {PartialWriteError, StoreClosedError, StoreUsageError} from './errors.js'
import {ShardState} from './shard.js'
import {type StoreFinding, StoredShard} from './stored-shard.js'
import type {ShardReader} from './types.js'

export type {StoreFinding} from './stored-shard.js'

export interface StoreOptions {
  /** `[data] max-series-per-database`; 0 means no limit. influxd's default: 1,000,000. */
  maxSeriesPerDatabase?: number
  /** `[data] max-values-per-tag`; 0 means no limit. influxd's default: 100,000. */
  maxValuesPerTag?: number
  /** A shard writes a snapshot once its WAL passes this many bytes (or the last snapshot's size, if larger). */
  compactWalBytes?: number
  /** Told what was found on disk and worked around (torn WAL tails, damaged records, stray files). */
  onFinding?: (f: StoreFinding) => void
}

export const DEFAULT_MAX_SERIES_PER_DATABASE = 1_000_000
export const DEFAULT_MAX_VALUES_PER_TAG = 100_000
export const DEFAULT_COMPACT_WAL_BYTES = 32 * 1024 * 1024

export class DataStore {
  private readonly shards = new Map<number, StoredShard>()
  private readonly opening = new Map<number, Promise<StoredShard>>()
  /** Shards being deleted: writes to them are refused as influxd refuses them. */
  private readonly deleting = new Set<number>()
  private readonly indexes = new Map<string, DatabaseIndex>()
  private readonly limits: {maxSeriesPerDatabase: number; maxValuesPerTag: number}
  private readonly compactWalBytes: number
  private readonly onFinding: (f: StoreFinding) => void
  private closed = false

  private constructor(readonly dir: string, options: StoreOptions) {
    this.limits = {
      maxSeriesPerDatabase: options.maxSeriesPerDatabase ?? DEFAULT_MAX_SERIES_PER_DATABASE,
      maxValuesPerTag: options.maxValuesPerTag ?? DEFAULT_MAX_VALUES_PER_TAG,
    }
    this.compactWalBytes = options.compactWalBytes ?? DEFAULT_COMPACT_WAL_BYTES
    this.onFinding = options.onFinding ?? (() => {})
  }

  /** Opens the data directory (creating it), loading every shard found under it. */
  static async open(dir: string, options: StoreOptions = {}): Promise<DataStore> {
    const store = new DataStore(dir, options)
    await mkdir(dir, {recursive: true})
    for (const db of await subdirs(dir)) {
      for (const rp of await subdirs(join(dir, db))) {
        const rpDir = join(dir, db, rp)
        for (const name of await readdir(rpDir)) {
          const path = join(rpDir, name)
          if (/^\.[0-9]+\.deleting$/.test(name)) {
            // A shard whose deletion was interrupted.
            await rm(path, {recursive: true, force: true})
            continue
          }
          if (!/^[1-9][0-9]{0,15}$/.test(name) || !(await stat(path)).isDirectory()) {
            store.onFinding({kind: 'foreign-entry', path, message: 'not a shard directory: ignored'})
            continue
          }
          const id = Number(name)
          if (store.shards.has(id)) {
            store.onFinding({kind: 'duplicate-shard', path, message: `shard ${id} exists under another database or retention policy: ignored`})
            continue
          }
          store.shards.set(id, await store.openShard(db, rp, id))
        }
      }
    }
    return store
  }

  private index(db: string): DatabaseIndex {
    let index = this.indexes.get(db)
    if (!index) this.indexes.set(db, (index = new DatabaseIndex()))
    return index
  }

  private openShard(db: string, rp: string, id: number): Promise<StoredShard> {
    const state = new ShardState(id, db, rp, this.index(db))
    return StoredShard.open(join(this.dir, db, rp, String(id)), state, {compactWalBytes: this.compactWalBytes, onFinding: this.onFinding})
  }

  private check(): void {
    if (this.closed) throw new StoreClosedError()
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Shards
  // -------------------------------------------------------------------------------------------------------------------

  /** The shard, if this node has it (and it is not being deleted). */
  shard(id: number): ShardReader | undefined {
    return this.shards.get(id)?.state
  }

  /** Ids of the shards this node has, ascending; only those of a database (and retention policy) when given. */
  shardIds(database?: string, retentionPolicy?: string): number[] {
    const ids: number[] = []
    for (const [id, s] of this.shards) {
      if (database !== undefined && s.state.database !== database) continue
      if (retentionPolicy !== undefined && s.state.retentionPolicy !== retentionPolicy) continue
      ids.push(id)
    }
    return ids.sort((a, b) => a - b)
  }

  /** Creates the shard's directory and state; an existing shard is returned as it is. */
  async createShard(database: string, retentionPolicy: string, id: number): Promise<ShardReader> {
    return (await this.ensureShard(database, retentionPolicy, id)).state
  }

  private async ensureShard(database: string, retentionPolicy: string, id: number): Promise<StoredShard> {
    this.check()
    const found = this.shards.get(id)
    if (found) return found
    if (!(Number.isSafeInteger(id) && id > 0)) throw new StoreUsageError(`invalid shard id ${id}`)
    checkName('database', database)
    checkName('retention policy', retentionPolicy)
    let opening = this.opening.get(id)
    if (!opening) {
      opening = this.openShard(database, retentionPolicy, id).then((shard) => {
        this.shards.set(id, shard)
        return shard
      }).finally(() => this.opening.delete(id))
      this.opening.set(id, opening)
    }
    return opening
  }

  /**
   * Writes points to one shard as influxd's PointsWriter.writeToShard does: a missing shard is created from the
   * database and retention policy given; when the shard existed and the write fails with anything but a partial
   * write, it is written once more (influxd does this, which turns a conflict inside one batch into a partial write
   * the second time: the first attempt created the field). Resolves once the points are on disk; rejects with
   * PartialWriteError (the rest written), FieldTypeConflictError or EngineError (nothing written).
   */
  async writeToShard(database: string, retentionPolicy: string, shardId: number, points: ReadonlyArray<Point>): Promise<void> {
    this.check()
    if (this.deleting.has(shardId)) throw new PartialWriteError(`shard ${shardId} is pending deletion`, points.length)
    const existing = this.shards.get(shardId)
    if (!existing) {
      const shard = await this.ensureShard(database, retentionPolicy, shardId)
      return shard.write(points, this.limits)
    }
    try {
      await existing.write(points, this.limits)
    } catch (err) {
      if (err instanceof PartialWriteError || err instanceof StoreClosedError) throw err
      await existing.write(points, this.limits)
    }
  }

  /** Deletes a shard and its files (DROP SHARD, retention enforcement). Unknown ids are not an error. */
  async deleteShard(id: number): Promise<void> {
    this.check()
    const shard = this.shards.get(id)
    if (!shard || this.deleting.has(id)) return
    this.deleting.add(id)
    this.shards.delete(id)
    try {
      // Writes already accepted finish first (and may add series); then the shard lets go of the index.
      await shard.close()
      shard.state.releaseAll()
      await shard.destroy()
    } finally {
      this.deleting.delete(id)
    }
  }

  /** Deletes every shard of a database (DROP DATABASE) or of one of its retention policies. */
  async dropShards(database: string, retentionPolicy?: string): Promise<void> {
    for (const id of this.shardIds(database, retentionPolicy)) await this.deleteShard(id)
    if (retentionPolicy === undefined) {
      this.indexes.delete(database)
      await rm(join(this.dir, database), {recursive: true, force: true})
    } else {
      await rm(join(this.dir, database, retentionPolicy), {recursive: true, force: true})
    }
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Deletes within shards
  // -------------------------------------------------------------------------------------------------------------------

  /** DROP MEASUREMENT: its series, values and fields, in every shard of the database. */
  async dropMeasurement(database: string, name: string): Promise<void> {
    this.check()
    await Promise.all(this.shardsOf(database).map((s) => s.dropMeasurement(name)))
  }

  /**
   * DELETE (a time range) or DROP SERIES (the whole range, the default) for the given series keys, in every shard of
   * the database. A series left without values leaves the index.
   */
  async deleteSeries(database: string, keys: string[], min: bigint = MIN_TIME_NS, max: bigint = MAX_TIME_NS): Promise<void> {
    this.check()
    if (keys.length === 0) return
    await Promise.all(this.shardsOf(database).map((s) => s.deleteRange(keys, min, max)))
  }

  private shardsOf(database: string): StoredShard[] {
    return [...this.shards.values()].filter((s) => s.state.database === database)
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Whole store
  // -------------------------------------------------------------------------------------------------------------------

  /** Values stored on this node (see ShardReader.pointCount). */
  pointCount(): number {
    let n = 0
    for (const s of this.shards.values()) n += s.state.pointCount()
    return n
  }

  /** Series of a database on this node (its index). */
  seriesCount(database: string): number {
    return this.indexes.get(database)?.size ?? 0
  }

  /** Writes a snapshot of every shard now (tests, benchmarks, shutdown). */
  async compact(): Promise<void> {
    for (const s of this.shards.values()) await s.compact()
  }

  /** Waits for accepted writes, then closes every shard. Later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.opening.values()])
    for (const s of this.shards.values()) await s.close()
  }
}

/** Database and retention policy names become directory names: refuse what cannot be one. */
function checkName(what: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || name.startsWith('.')) {
    throw new StoreUsageError(`${what} name ${JSON.stringify(name)} cannot be stored (it must be a plain directory name)`)
  }
}

async function subdirs(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true})) if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(entry.name)
  return out.sort()
}
