/**
 * Worker thread of `medic logs summarize`: receives chunks of whole lines, folds them into a Summariser and, when
 * told to finish, sends back its partial summary. See parallel.ts for the protocol.
 */
import {parentPort, workerData} from 'node:worker_threads'

import {forEachLine} from './input.js'
import {Summariser, type SummaryOptions} from './summary.js'

interface ChunkMessage {
  type: 'chunk'
  source: string
  data: Uint8Array
}

// Workers read lines as latin1 "binary" strings (fast); the summariser turns what it keeps back into UTF-8.
const summariser = new Summariser({...(workerData as SummaryOptions), binary: true})

parentPort!.on('message', (msg: ChunkMessage | {type: 'finish'}) => {
  if (msg.type === 'chunk') {
    const source = msg.source
    forEachLine(msg.data, (line) => summariser.add(line, source), 'latin1')
    parentPort!.postMessage({type: 'ack'})
    return
  }
  parentPort!.postMessage({type: 'partial', partial: summariser.partial()})
})
