// The shard store crash test's child: opens the store (recovering it after the previous SIGKILL), then writes numbered
// batches to two shards, and now and then deletes an earlier batch, until it is killed. It prints on stdout (each line
// written synchronously):
//   S b   before batch b is written (writeToShard called)     A b   after that write resolved (acknowledged)
//   R b   before the points of batch b are deleted             X b   after the delete resolved
// Usage: node --import tsx crash-child.ts DIR FIRST_BATCH IN_FLIGHT COMPACT_WAL_BYTES
import {writeSync} from 'node:fs'

import {DataStore} from '../../../../src/devcluster/data/store/store.js'
import {batchLines, batchRange, BATCH_SHARDS, seriesOf} from './crash-workload.js'
import {points} from './helpers.js'

const [dir, firstArg, inFlightArg, compactArg] = process.argv.slice(2)
const inFlightMax = Number(inFlightArg)

function say(line: string): void {
  writeSync(1, `${line}\n`)
}

const store = await DataStore.open(dir, {compactWalBytes: Number(compactArg)})
const inFlight = new Set<Promise<void>>()
for (let b = Number(firstArg); ; b++) {
  say(`S ${b}`)
  const write = store.writeToShard('db', 'rp', BATCH_SHARDS[b % 2], points(batchLines(b))).then(() => say(`A ${b}`))
  const done: Promise<void> = write.finally(() => inFlight.delete(done))
  inFlight.add(done)
  // Every 7th batch also deletes the batch written 5 before (acknowledged by then: at most 16 are in flight).
  if (b % 7 === 0 && b >= 30) {
    const victim = b - 25
    const [min, max] = batchRange(victim)
    say(`R ${victim}`)
    const del = store.deleteSeries('db', [seriesOf(victim)], min, max).then(() => say(`X ${victim}`))
    const delDone: Promise<void> = del.finally(() => inFlight.delete(delDone))
    inFlight.add(delDone)
  }
  while (inFlight.size >= inFlightMax) await Promise.race(inFlight)
}
