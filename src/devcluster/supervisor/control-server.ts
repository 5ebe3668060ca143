/**
 * The supervisor's control server: how `medic dev start|stop|down` (and `dev status`, to see whether the supervisor
 * answers) reach the supervisor that owns the node processes, whether it runs inside `medic dev up` or detached.
 *
 * It listens on 127.0.0.1 on a port the kernel picked; cluster.json records its address and a random token that every
 * request must carry as `Authorization: Bearer <token>`, so that only someone who can read the state file (mode 0600)
 * can drive the cluster. One operation per path (POST /start, /stop, /down, /ping), bodies and replies as
 * protocol.ts defines them; an error answers 400 (500 for a bug) with the serialised MedicError.
 */
import {randomBytes, timingSafeEqual} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {ExitCode} from '../../errors.js'
import {parseJsonBounded} from '../../util/json.js'
import {HOST} from '../cluster/ports.js'
import {
  type ControlOp, type ControlReply, type ControlRequest, isControlOp, parseRequest, serializeError,
} from './protocol.js'

/** What the server needs of the supervisor: one method per operation (declared here, where it is used). */
export type ControlHandlers = {[O in ControlOp]: (request: ControlRequest<O>) => Promise<ControlReply<O>>}

const MAX_BODY_BYTES = 64 * 1024

export class ControlServer {
  private constructor(private readonly server: Server, readonly address: string, readonly token: string) {}

  /** Starts listening on 127.0.0.1:<random port> with a fresh token. */
  static async open(handlers: ControlHandlers): Promise<ControlServer> {
    const token = randomBytes(24).toString('base64url')
    const server = createServer((req, res) => void handle(req, res, token, handlers))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, HOST, () => resolve())
    })
    const info: AddressInfo | string | null = server.address()
    if (info === null || typeof info === 'string') throw new Error('the control server is not listening on TCP')
    return new ControlServer(server, `${HOST}:${info.port}`, token)
  }

  /** Stops accepting; answers in flight (the reply to "down" itself) still go out, idle connections are dropped. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeIdleConnections()
      setTimeout(() => this.server.closeAllConnections(), 2_000).unref()
    })
  }
}

function send(res: ServerResponse, status: number, doc: object): void {
  const text = JSON.stringify(doc)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, {error: {code, message, exitCode: ExitCode.USAGE, suggestions: []}})
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    const chunk: Buffer = Buffer.isBuffer(c) ? c : Buffer.from(String(c))
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new Error('body too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function run<O extends ControlOp>(op: O, request: ControlRequest<O>, handlers: ControlHandlers): Promise<ControlReply<O>> {
  const handler: (r: ControlRequest<O>) => Promise<ControlReply<O>> = handlers[op]
  return handler(request)
}

async function handle(req: IncomingMessage, res: ServerResponse, token: string, handlers: ControlHandlers): Promise<void> {
  const given = Buffer.from(String(req.headers.authorization ?? ''))
  const expected = Buffer.from(`Bearer ${token}`)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse(res, 401, 'unauthorized', 'missing or wrong control token')
  let body: unknown = {}
  try {
    const text = await readBody(req)
    if (text.trim() !== '') {
      const parsed = parseJsonBounded(text, {maxDepth: 8})
      if (!parsed.ok) throw new Error(parsed.reason)
      body = parsed.value
    }
  } catch (err) {
    return refuse(res, 400, 'bad-request', `bad control request: ${err instanceof Error ? err.message : String(err)}`)
  }
  const op = (req.url ?? '').replace(/^\//, '').replace(/\?.*$/, '')
  if (!isControlOp(op)) return refuse(res, 404, 'unknown-operation', `unknown control operation "${op.slice(0, 40)}"`)
  const request = parseRequest(op, body)
  if (typeof request === 'string') return refuse(res, 400, 'bad-request', `bad control request: ${request}`)
  try {
    send(res, 200, await run(op, request, handlers))
  } catch (err) {
    const e = serializeError(err)
    send(res, e.exitCode === ExitCode.INTERNAL ? 500 : 400, {error: e})
  }
}
