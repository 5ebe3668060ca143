/**
 * The answering side of the cluster RPC: a TCP listener that reads the mux byte, then serves frames one at a time per
 * connection (answers go back in request order), handing each to the data node's handler. A broken frame or an
 * unknown mux byte closes that connection and is logged; nothing a peer sends stops the listener.
 */
import {createServer, type Server, type Socket} from 'node:net'

import {encodeFrame, type Frame, FrameReader, MUX_CLUSTER} from './frame.js'

export type RpcHandler = (frame: Frame, peer: string) => Promise<Frame>

export interface RpcServerOptions {
  /** Called with a log message for each connection-level problem (the node logs it under its cluster service). */
  log?: (message: string) => void
  maxMessageBytes?: number
}

export function createRpcServer(handler: RpcHandler, options: RpcServerOptions = {}): Server {
  const log = options.log ?? (() => {})
  const server = createServer({noDelay: true}, (socket) => serve(socket, handler, log, options.maxMessageBytes))
  return server
}

function serve(socket: Socket, handler: RpcHandler, log: (m: string) => void, maxBytes?: number): void {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`
  socket.on('error', () => {})
  let muxRead = false
  const reader = new FrameReader(maxBytes)
  const queue: Frame[] = []
  let busy = false

  const next = async (): Promise<void> => {
    if (busy) return
    busy = true
    while (queue.length > 0 && !socket.destroyed) {
      const frame = queue.shift() as Frame
      try {
        const answer = await handler(frame, peer)
        if (!socket.destroyed) socket.write(encodeFrame(answer.type, answer.body))
      } catch (err) {
        log(`process message error: ${(err as Error).message}`)
        socket.destroy()
      }
    }
    busy = false
  }

  socket.on('data', (chunk: Buffer) => {
    let data = chunk
    if (!muxRead) {
      if (data.length === 0) return
      const mux = data[0]
      if (mux !== MUX_CLUSTER) {
        log(`unregistered header byte: ${mux}`)
        socket.destroy()
        return
      }
      muxRead = true
      data = data.subarray(1)
    }
    try {
      for (const f of reader.push(data)) queue.push(f)
    } catch (err) {
      log(`unable to read type: ${(err as Error).message}`)
      socket.destroy()
      return
    }
    void next()
  })
}
