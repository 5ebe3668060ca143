// Loopback servers for tests (127.0.0.1, port 0 only): an HTTP server with a handler, a TCP listener that accepts and
// closes, and a port nothing listens on. Everything started is closed by closeAll() (call it in afterEach).
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {type AddressInfo, createServer as createTcpServer, type Server as TcpServer} from 'node:net'

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

const closers: Array<() => Promise<void>> = []

export async function serve(handler: Handler): Promise<number> {
  const server: Server = createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
  return (server.address() as AddressInfo).port
}

export async function listener(): Promise<number> {
  const server: TcpServer = createTcpServer((s) => s.destroy())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(() => new Promise((r) => server.close(() => r())))
  return (server.address() as AddressInfo).port
}

/** A port nothing listens on: bind, note, close. */
export async function deadPort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  await new Promise((r) => server.close(r))
  return port
}

/** Registers something else to close with closeAll() (an https server, a socket). */
export function onClose(fn: () => Promise<void>): void {
  closers.push(fn)
}

export async function closeAll(): Promise<void> {
  for (const c of closers.splice(0)) await c()
}
