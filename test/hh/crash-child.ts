// The crash test's child: opens the queue (recovering it after the previous SIGKILL), then appends numbered blocks
// and delivers them until it is killed. It prints, on stdout (synchronous on a pipe):
//   A n   after the append of block n resolved (it is on disk: acknowledged)
//   D n   when peek() handed out block n, before advance()
//   H n   after the advance() past block n resolved (the head is on disk past n)
//   X why and exit 2 if a block read back is not what was appended
// Usage: node --import tsx test/hh/crash-child.ts DIR FIRST_SEQ SYNC LAG IN_FLIGHT
//   SYNC: always, or a group-commit interval in ms; LAG: the reader stays this many acknowledged blocks behind;
//   IN_FLIGHT: appends in flight (1 keeps the reader inside the tail segment, right behind the writer).
import {type SyncPolicy, SegmentQueue} from '../../src/hh/queue.js'
import {checkPayload, payloadFor, SEGMENT_BYTES} from './crash-workload.js'

const [dir, firstArg, syncArg, lagArg, inFlightArg] = process.argv.slice(2)
const sync: SyncPolicy = syncArg === 'always' ? 'always' : {intervalMs: Number(syncArg)}
const lag = Number(lagArg)
const maxInFlight = Number(inFlightArg)
let lastAcked = Number(firstArg) - 1
let wakeReader: (() => void) | undefined

function say(line: string): void {
  process.stdout.write(line + '\n')
}

async function write(queue: SegmentQueue): Promise<never> {
  const inFlight = new Set<Promise<void>>()
  for (let seq = Number(firstArg); ; seq++) {
    const done = queue.append(payloadFor(seq)).then(() => {
      say(`A ${seq}`)
      lastAcked = seq
      wakeReader?.()
      inFlight.delete(done)
    })
    inFlight.add(done)
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight)
  }
}

async function read(queue: SegmentQueue): Promise<never> {
  for (;;) {
    const data = await queue.peek()
    const seq = data && checkPayload(data)
    if (data && seq === undefined) {
      say(`X corrupt block of ${data.length} bytes`)
      process.exit(2)
    }
    if (seq === undefined || seq > lastAcked - lag) {
      await new Promise<void>((resolve) => (wakeReader = resolve))
      continue
    }
    say(`D ${seq}`)
    void queue.advance().then(() => say(`H ${seq}`))
  }
}

const queue = await SegmentQueue.open(dir, {sync, segmentBytes: SEGMENT_BYTES})
await Promise.all([write(queue), read(queue)])
