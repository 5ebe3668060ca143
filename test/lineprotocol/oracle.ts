// What a data node answers to /write for one body, computed from our parser and our shard store the way influxd 1.6.7's
// handler and coordinator put them together: parse, map points to weekly shard groups (an autogen policy: infinite
// duration, 7-day groups), write each group's points to its shard, then writeOutcome + writeAnswer. The conformance
// tests compare this with a real influxd.
import {type LineError, type WriteAnswer, writeAnswer} from '../../src/lineprotocol/errors.js'
import {parseLines} from '../../src/lineprotocol/parse.js'
import {nowNanos, type Point} from '../../src/lineprotocol/point.js'
import {writeErrorStatus} from '../../src/devcluster/data/store/errors.js'
import {writeOutcome} from '../../src/devcluster/data/store/retention.js'
import type {DataStore} from '../../src/devcluster/data/store/store.js'

const WEEK = 7n * 24n * 3600n * 1_000_000_000n
/** Go's Time.Truncate counts from 0001-01-01, 3 days (mod 7) before the Unix epoch's week: groups start on Mondays. */
const YEAR_ONE_OFFSET = 3n * 24n * 3600n * 1_000_000_000n

export function weekOf(t: bigint): bigint {
  const x = t + YEAR_ONE_OFFSET
  const r = ((x % WEEK) + WEEK) % WEEK
  return x - r
}

export class Oracle {
  private readonly shardIds = new Map<string, number>()
  private nextShard = 1

  constructor(readonly store: DataStore) {}

  shardFor(db: string, t: bigint): number {
    const k = `${db}/${weekOf(t)}`
    let id = this.shardIds.get(k)
    if (id === undefined) this.shardIds.set(k, (id = this.nextShard++))
    return id
  }

  async write(db: string, body: string | Uint8Array, precision?: string): Promise<WriteAnswer & {points: Point[]; errors: LineError[]}> {
    const parsed = parseLines(body, {now: nowNanos(), precision})
    const groups = new Map<number, Point[]>()
    for (const p of parsed.points) {
      const id = this.shardFor(db, p.time)
      let list = groups.get(id)
      if (!list) groups.set(id, (list = []))
      list.push(p)
    }
    const errors: unknown[] = []
    for (const [id, points] of groups) {
      try {
        await this.store.writeToShard(db, 'autogen', id, points)
      } catch (err) {
        errors.push(err)
      }
    }
    const failed = parsed.points.length > 0 ? writeOutcome(errors, 0) : undefined
    const answer = writeAnswer(
      {points: parsed.points.length, errors: parsed.errors},
      failed === undefined ? undefined : {status: writeErrorStatus(failed), error: (failed as Error).message},
    )
    return {...answer, points: parsed.points, errors: parsed.errors}
  }
}
