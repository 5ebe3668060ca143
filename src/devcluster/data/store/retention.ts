/**
 * Points outside the retention policy, and the result of a write that spans shards, as influxd 1.6.7's coordinator
 * decides them (coordinator/points_writer.go MapShards and WritePointsPrivileged): the coordinator, not the shard,
 * drops points older than now - duration, writes the rest, and reports the drop only when every shard succeeded.
 */
import type {Point} from '../../../lineprotocol/point.js'
import {MIN_TIME_NS} from '../../../lineprotocol/point.js'
import {PartialWriteError} from './errors.js'

/** The oldest time a point may have to be kept: now - duration; MIN_TIME_NS for an infinite policy (duration 0). */
export function retentionCutoff(now: bigint, durationNs: bigint): bigint {
  return durationNs > 0n ? now - durationNs : MIN_TIME_NS
}

/** Points at or after the cutoff, and how many were older (influxd: `p.Time().Before(now - duration)`). */
export function splitByRetention(points: ReadonlyArray<Point>, now: bigint, durationNs: bigint): {kept: Point[]; dropped: number} {
  const cutoff = retentionCutoff(now, durationNs)
  const kept: Point[] = []
  for (const p of points) if (p.time >= cutoff) kept.push(p)
  return {kept, dropped: points.length - kept.length}
}

/** `partial write: points beyond retention policy dropped=N` (400). */
export function beyondRetentionError(dropped: number): PartialWriteError {
  return new PartialWriteError('points beyond retention policy', dropped)
}

/**
 * The error of a whole write: the first shard error (in the order the shards answered), else the retention drop, else
 * none. influxd returns as soon as one shard fails, so later shards' errors are never seen.
 */
export function writeOutcome(shardErrors: ReadonlyArray<unknown>, droppedByRetention: number): unknown {
  for (const err of shardErrors) if (err !== undefined && err !== null) return err
  return droppedByRetention > 0 ? beyondRetentionError(droppedByRetention) : undefined
}
