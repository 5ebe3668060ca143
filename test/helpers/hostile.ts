// A hostile "InfluxDB node" on a loopback port: every way a broken or compromised node can answer, so that every
// command that talks HTTP can be run against each of them (test/cli/probe-hostile.test.ts, test/cli/hh-hostile.test.ts).
// The server never hangs the test run: close() destroys every socket, including those it deliberately left waiting.
import {createServer as createTcpServer, type Server as TcpServer, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

export type HostileMode =
  | 'silent' // accepts the connection and the request, never answers
  | 'no-http' // accepts the connection, never reads or writes
  | 'trickle' // headers at once, then one body byte per second
  | 'huge' // a 50 MB body
  | 'bad-chunked' // a chunked body with a broken chunk size
  | 'redirect-loop' // 307 to itself, forever
  | 'redirect-away' // 307 to a host that is not loopback (must not be followed)
  | 'deep-json' // 100,000 nested arrays
  | 'control-chars' // well-formed bodies whose every string carries ESC/BEL/CR/LF and shell metacharacters
  | 'huge-numbers' // ids and counters of 1e400 and beyond
  | 'garbage' // bytes that are not HTTP, then close
  | 'reset' // closes the connection as soon as a request arrives
  | 'html' // 200 with an HTML error page
  | 'wrong-types' // JSON of the right outline with every value of the wrong type

export const HOSTILE_MODES: readonly HostileMode[] = [
  'silent', 'no-http', 'trickle', 'huge', 'bad-chunked', 'redirect-loop', 'redirect-away', 'deep-json', 'control-chars',
  'huge-numbers', 'garbage', 'reset', 'html', 'wrong-types',
]

/** The hostile strings: terminal escapes (title, clear screen), a forged line, shell injection, a bidi override. */
export const EVIL = {
  title: 'meta-1\u001b]0;pwned\u0007',
  clear: 'x\u001b[2J\u001b[H',
  forged: 'data-1\r\nOK      everything is fine',
  shell: 'x:8091;touch${IFS}pwned;#',
  bidi: 'meta\u202e1908:',
}
const EVIL_ADDR = `${EVIL.title}:8091`

/** Bodies of the right outline for each endpoint, with hostile strings in every text field. */
function controlBody(path: string): unknown {
  if (path.startsWith('/status')) {
    return {nodeType: 'meta', leader: EVIL.shell, httpAddr: EVIL_ADDR, raftAddr: `${EVIL.clear}:8089`, peers: [EVIL.forged, EVIL.shell, EVIL.bidi]}
  }
  if (path.startsWith('/show-cluster')) {
    return {
      data: [{id: 4, version: EVIL.title, tcpAddr: EVIL.shell, httpAddr: EVIL.forged, httpScheme: 'http', status: EVIL.clear}],
      meta: [{id: 1, addr: EVIL.shell, httpScheme: 'http', tcpAddr: EVIL.forged, version: EVIL.bidi}],
    }
  }
  if (path.startsWith('/debug/vars')) {
    return {
      [`hh_processor:${EVIL.title}`]: {name: 'hh_processor', tags: {node: EVIL.shell, path: EVIL.forged}, values: {queueBytes: 100, bytesRead: 1, bytesWritten: 2}},
      hh_node: {name: 'hh_node', tags: {node: EVIL.clear}, values: {queueTotalSize: 5}},
    }
  }
  return {error: `${EVIL.forged} ${EVIL.title}`}
}

function wrongTypesBody(path: string): unknown {
  if (path.startsWith('/status')) return {nodeType: 7, leader: ['a'], httpAddr: {}, raftAddr: null, peers: 'meta-1:8089'}
  if (path.startsWith('/show-cluster')) return {data: 'none', meta: {id: 'one'}}
  if (path.startsWith('/debug/vars')) return {hh: 'full', hh_processor: [1, 2, 3]}
  return [1, 2, 3]
}

function hugeNumbersBody(path: string): string {
  if (path.startsWith('/show-cluster')) {
    return '{"data":[{"id":1e400,"version":"1.11.8-c1.11.8","tcpAddr":"127.0.0.1:8088","httpAddr":"127.0.0.1:8086","httpScheme":"http","status":"joined"}],"meta":[{"id":99999999999999999999999,"addr":"127.0.0.1:8091","httpScheme":"http","tcpAddr":"127.0.0.1:8089","version":"1.11.8-c1.11.8"}]}'
  }
  if (path.startsWith('/debug/vars')) {
    return '{"hh_processor:/var/lib/influxdb/hh/4":{"name":"hh_processor","tags":{"node":"4","path":"/var/lib/influxdb/hh/4"},"values":{"queueBytes":1e400,"bytesRead":-1e309,"bytesWritten":123456789012345678901234567890}}}'
  }
  if (path.startsWith('/status')) {
    return '{"nodeType":"meta","leader":"127.0.0.1:8089","httpAddr":"127.0.0.1:8091","raftAddr":"127.0.0.1:8089","peers":["127.0.0.1:8089"],"id":1e400}'
  }
  return '{"n":1e400}'
}

export interface HostileServer {
  mode: HostileMode
  /** http://127.0.0.1:port */
  url: string
  /** 127.0.0.1:port */
  addr: string
  port: number
  /** Requests seen (request line), for assertions. */
  requests: string[]
  close(): Promise<void>
}

/**
 * Starts a hostile server on 127.0.0.1 (port 0). It speaks raw TCP so it can misbehave in ways an HTTP library
 * would not let it (broken chunking, garbage, trickling).
 */
export async function hostileServer(mode: HostileMode): Promise<HostileServer> {
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const requests: string[] = []
  let self = ''
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    if (mode === 'no-http') return
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > 65_536) socket.destroy()
        return
      }
      socket.off('data', onData)
      const line = head.slice(0, head.indexOf('\r\n'))
      requests.push(line)
      const path = line.split(' ')[1] ?? '/'
      answer(socket, path)
    }
    socket.on('data', onData)
  })

  const send = (socket: Socket, status: string, headers: Record<string, string | number>, body: string | Buffer) => {
    const h = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${status}\r\n${h}connection: close\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]))
  }
  const json = (socket: Socket, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    send(socket, '200 OK', {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)}, text)
  }

  function answer(socket: Socket, path: string): void {
    switch (mode) {
      case 'silent':
        return
      case 'trickle': {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n{')
        const t = setInterval(() => {
          if (socket.destroyed) return clearInterval(t)
          socket.write('[')
        }, 1000)
        timers.add(t)
        return
      }
      case 'huge': {
        const total = 50 * 1024 * 1024
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`)
        const piece = Buffer.alloc(1024 * 1024, 0x20)
        let sent = 0
        const pump = () => {
          while (sent < total && !socket.destroyed) {
            sent += piece.length
            if (!socket.write(piece)) return socket.once('drain', pump)
          }
          socket.end()
        }
        pump()
        return
      }
      case 'bad-chunked':
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{"a":1}\r\n0\r\n\r\n')
        return
      case 'redirect-loop':
        send(socket, '307 Temporary Redirect', {location: `${self}${path}`, 'content-length': 0}, '')
        return
      case 'redirect-away':
        send(socket, '307 Temporary Redirect', {location: `http://192.0.2.1:8091${path}`, 'content-length': 0}, '')
        return
      case 'deep-json':
        json(socket, '['.repeat(100_000) + ']'.repeat(100_000))
        return
      case 'control-chars':
        json(socket, controlBody(path))
        return
      case 'huge-numbers':
        json(socket, hugeNumbersBody(path))
        return
      case 'wrong-types':
        json(socket, wrongTypesBody(path))
        return
      case 'garbage':
        socket.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x0d, 0x0a]))
        return
      case 'reset':
        socket.destroy()
        return
      case 'html': {
        const page = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>'
        send(socket, '200 OK', {'content-type': 'text/html', 'content-length': page.length}, page)
        return
      }
      default:
        socket.destroy()
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  self = `http://127.0.0.1:${port}`
  return {
    mode,
    url: self,
    addr: `127.0.0.1:${port}`,
    port,
    requests,
    async close() {
      for (const t of timers) clearInterval(t)
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Raw control characters that must never reach an operator's terminal (newlines and tabs are medic's own layout). */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
