/**
 * One shard on disk: `<data dir>/<db>/<rp>/<shard id>/` holding `wal/<generation>/<segments>` and `snapshot`.
 *
 * Every change (write, delete, drop measurement) becomes a WAL record with the next sequence number. The record is
 * appended (group commit) and, once it is on disk, applied to the in-memory state; records are applied strictly in
 * sequence order, so the state always equals "snapshot + records up to appliedSeq", which is also what a restart
 * rebuilds. A write is acknowledged after it is applied, hence after it is durable.
 *
 * Compaction: when the WAL since the last snapshot grows past max(compactWalBytes, size of the last snapshot), new
 * records go to a new generation, the state is captured once every record of the old generations is applied (a
 * synchronous capture of views, which later writes never change), written as the snapshot, and the old generations
 * are deleted. Disk and restart time stay proportional to the data, not to the history.
 */
import {mkdir, readdir, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import type {QueueFinding, SegmentQueue} from '../../../hh/queue.js'
import type {Point} from '../../../lineprotocol/point.js'
import {diskFullError} from '../../node/faults.js'
import type {FieldType} from './types.js'
import type {DatabaseIndex} from './db-index.js'
import {EngineError, StoreClosedError} from './errors.js'
import {type SeriesEntry, ShardState, type WriteLimits} from './shard.js'
import {readSnapshot, type SnapshotImage, syncDir, writeSnapshot} from './snapshot.js'
import {encodeRecord, listGenerations, openGeneration, readGeneration, removeGeneration, type WalRecord} from './wal.js'

/** Something found on disk and worked around (a torn WAL tail cut, a damaged record skipped, a stray file). */
export interface StoreFinding {
  kind: string
  path: string
  message: string
}

export interface StoredShardOptions {
  compactWalBytes: number
  onFinding: (f: StoreFinding) => void
}

type Change = {kind: 'write'; fields: Array<readonly [string, string, FieldType]>; points: Point[]}
  | {kind: 'delete'; min: bigint; max: bigint; keys: string[]}
  | {kind: 'drop-measurement'; name: string}

export class StoredShard {
  private queue!: SegmentQueue
  /** The generation new records go to, and every generation still on disk (ascending). */
  private gen = 0
  private gens: number[] = []
  private seq = 0n
  private appliedSeq = 0n
  /** Resolves when every record logged so far is applied (never rejects). */
  private chain: Promise<void> = Promise.resolve()
  private walBytes = 0
  private snapshotBytes = 0
  private compacting?: Promise<void>
  private failure?: Error
  private closed = false

  private constructor(
    readonly path: string,
    readonly state: ShardState,
    private readonly options: StoredShardOptions,
  ) {}

  get id(): number {
    return this.state.id
  }

  private get walDir(): string {
    return join(this.path, 'wal')
  }

  /** Opens (or creates) the shard's directory: loads the snapshot, replays the WAL after it. */
  static async open(path: string, state: ShardState, options: StoredShardOptions): Promise<StoredShard> {
    const shard = new StoredShard(path, state, options)
    await shard.load()
    return shard
  }

  private finding(f: QueueFinding | StoreFinding): void {
    this.options.onFinding({kind: f.kind, path: f.path, message: f.message})
  }

  private async load(): Promise<void> {
    await mkdir(this.walDir, {recursive: true})
    const snap = await readSnapshot(this.path)
    if (snap) {
      for (const [m, f, t] of snap.fields) this.state.createField(m, f, t)
      for (const s of snap.series) this.state.loadSeries(s.info, s.columns)
      this.seq = BigInt(snap.header.seq)
      this.snapshotBytes = snap.bytes
    }
    const covered = this.seq
    const onFinding = (f: QueueFinding): void => this.finding(f)
    const gens = await listGenerations(this.walDir, onFinding)
    for (const [i, gen] of gens.entries()) {
      // Opening repairs a torn tail; only the newest generation stays open for appends.
      const queue = await openGeneration(this.walDir, gen, onFinding)
      let newest = 0n
      for await (const record of readGeneration(join(this.walDir, String(gen)), onFinding)) {
        if (record.seq > newest) newest = record.seq
        if (record.seq <= this.seq) continue
        this.apply(record)
        this.seq = record.seq
      }
      const last = i === gens.length - 1
      if (last) this.queue = queue
      else await queue.close()
      if (!last && newest <= covered) {
        // Left over from a crash between a snapshot and the removal of what it covers.
        await removeGeneration(this.walDir, gen)
        continue
      }
      this.gens.push(gen)
      this.walBytes += await dirBytes(join(this.walDir, String(gen)))
    }
    if (this.gens.length === 0) {
      this.queue = await openGeneration(this.walDir, 1, onFinding)
      this.gens.push(1)
    }
    this.gen = this.gens.at(-1)!
    this.appliedSeq = this.seq
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Changes
  // -------------------------------------------------------------------------------------------------------------------

  /**
   * Writes a batch as influxd's Shard.WritePoints does (shard.ts prepareWrite); resolves once the kept points are on
   * disk and readable. Rejects with PartialWriteError after writing the rest, or with FieldTypeConflictError /
   * EngineError when nothing was written. The check runs synchronously at the call, so concurrent writes are checked
   * (and logged) in call order.
   */
  async write(points: ReadonlyArray<Point>, limits: WriteLimits): Promise<void> {
    this.check()
    const plan = this.state.prepareWrite(points, limits)
    if (plan.engineError) {
      if (plan.newFields.length > 0) await this.log({kind: 'write', fields: plan.newFields, points: []})
      throw plan.engineError
    }
    if (plan.points.length > 0 || plan.newFields.length > 0) await this.log({kind: 'write', fields: plan.newFields, points: plan.points}, plan.entries)
    if (plan.partial) throw plan.partial
  }

  /** Deletes values of the series with min <= time <= max (DELETE; DROP SERIES is the whole range). */
  deleteRange(keys: string[], min: bigint, max: bigint): Promise<void> {
    this.check()
    return this.log({kind: 'delete', min, max, keys})
  }

  /** Drops a measurement: its series, values and fields. */
  dropMeasurement(name: string): Promise<void> {
    this.check()
    return this.log({kind: 'drop-measurement', name})
  }

  /**
   * Appends a record (numbered now, in call order) and applies it once it is on disk. `entries`: the write's series,
   * as its check found them.
   */
  private log(change: Change, entries?: ReadonlyArray<SeriesEntry | undefined>): Promise<void> {
    const record = {...change, seq: ++this.seq} as WalRecord
    const bytes = encodeRecord(record)
    this.walBytes += bytes.length
    const appended = this.queue.append(bytes)
    // Handled through the chain below, possibly later than it settles: keep Node from calling it unhandled meanwhile.
    appended.catch(() => {})
    const applied = this.chain.then(() => appended).then(
      () => {
        this.apply(record, entries)
        this.appliedSeq = record.seq
        this.maybeCompact()
      },
      (err: unknown) => {
        this.failure ??= new EngineError(`write ${this.walDir}: ${(err as Error).message ?? String(err)}`, {cause: err})
        throw this.failure
      },
    )
    this.chain = applied.catch(() => {})
    return applied
  }

  private apply(record: WalRecord, entries?: ReadonlyArray<SeriesEntry | undefined>): void {
    switch (record.kind) {
      case 'write': {
        for (const [m, f, t] of record.fields) this.state.createField(m, f, t)
        const skipped = this.state.applyPoints(record.points, entries)
        if (skipped > 0) this.finding({kind: 'type-mismatch', path: this.walDir, message: `record ${record.seq}: ${skipped} values skipped (type differs from the column)`})
        break
      }
      case 'delete':
        this.state.deleteRange(record.keys, record.min, record.max)
        break
      case 'drop-measurement':
        this.state.dropMeasurement(record.name)
        break
    }
  }

  private check(): void {
    if (this.closed) throw new StoreClosedError(`shard ${this.id} is closed`)
    if (this.failure) throw this.failure
    // dev fault disk-full: the append fails before anything is written, as on a full disk; the shard stays usable.
    const full = diskFullError('data', this.walDir)
    if (full) throw new EngineError(full.message, {cause: full})
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Compaction
  // -------------------------------------------------------------------------------------------------------------------

  private maybeCompact(): void {
    if (this.compacting || this.closed || this.failure) return
    if (this.walBytes < Math.max(this.options.compactWalBytes, this.snapshotBytes)) return
    this.compacting = this.compact().catch((err: unknown) => {
      this.finding({kind: 'compaction-failed', path: this.path, message: `snapshot not written: ${(err as Error).message}`})
    }).finally(() => {
      this.compacting = undefined
    })
  }

  /** Writes a snapshot of everything logged so far and deletes the WAL generations it covers. */
  async compact(): Promise<void> {
    if (this.compacting) await this.compacting
    if (this.closed || this.failure) return
    const onFinding = (f: QueueFinding): void => this.finding(f)
    const next = await openGeneration(this.walDir, this.gen + 1, onFinding)
    // Switch synchronously: every record numbered from now on goes to the new generation.
    const old = this.queue
    const covered = this.gens.slice()
    this.queue = next
    this.gen++
    this.gens.push(this.gen)
    this.walBytes = 0
    await this.chain
    if (this.failure) return
    await old.close()
    const image = this.capture()
    this.snapshotBytes = await writeSnapshot(this.path, image)
    for (const gen of covered) await removeGeneration(this.walDir, gen)
    this.gens = this.gens.filter((g) => !covered.includes(g))
    await syncDir(this.walDir)
  }

  /** The state as views, at appliedSeq. Synchronous: nothing changes while it runs. */
  private capture(): SnapshotImage {
    const fields = new Map<string, ReadonlyMap<string, FieldType>>()
    for (const [m, f] of this.state.allFields()) fields.set(m, new Map(f))
    const series: SnapshotImage['series'] = []
    for (const s of this.state.allSeries()) {
      const columns: SnapshotImage['series'][number]['columns'] = []
      for (const [field, column] of s.columns) if (column.count() > 0) columns.push([field, column.snapshot()])
      if (columns.length > 0) series.push({info: s.info, columns})
    }
    return {header: {shard: this.id, database: this.state.database, retentionPolicy: this.state.retentionPolicy, seq: String(this.appliedSeq)}, fields, series}
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Closing and deleting
  // -------------------------------------------------------------------------------------------------------------------

  /** Waits for accepted changes and a running compaction, then closes the WAL. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.chain
    if (this.compacting) await this.compacting
    await this.queue.close().catch(() => {})
  }

  /** Closes and removes the shard's directory (renamed first, so a crash leaves no half-deleted shard to open). */
  async destroy(): Promise<void> {
    await this.close()
    const trash = join(dirname(this.path), `.${basename(this.path)}.deleting`)
    await rename(this.path, trash)
    await syncDir(dirname(this.path))
    await rm(trash, {recursive: true, force: true})
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size
  return total
}
