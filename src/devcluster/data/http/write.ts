/**
 * POST /write, in influxd 1.6.7's order of checks and with its answers (services/httpd/handler.go serveWrite; every
 * answer below was compared with the 1.6.7 binary):
 *
 *   db missing                   400 `database is required`
 *   db unknown                   404 `database not found: "x"`
 *   auth on, no user (no admin)  403 `user is required to write to database "x"`
 *   no WRITE (or ALL) on db      403 `"u" user is not authorized to write to database "x"`
 *   body over max-body-size      413 `Request Entity Too Large` (declared or streamed; gzip: also decompressed)
 *   damaged gzip                 400 `unexpected EOF` / `gzip: invalid header` / ...
 *   no line parses               400 the parse errors (lineprotocol/errors.ts)
 *   consistency not any|one|quorum|all (any case)   400 `invalid consistency level`
 *   the write fails              its text; 400 for partial writes and field type conflicts, else 500 (deps.ts)
 *   some lines did not parse     400 `partial write: <errors> dropped=0` (the rest is written)
 *   otherwise                    204 (an empty body too: the write still runs, so an unknown rp is a 500)
 *
 * `precision` is not checked by 1.6/1.7 (an unknown value means nanoseconds); nodes that report OSS 1.8 or later
 * refuse it first with 400 `invalid precision "x" (use n, u, ms, s, m or h)`, as 1.8's handler does.
 */
import {writeAnswer} from '../../../lineprotocol/errors.js'
import {parseLines} from '../../../lineprotocol/parse.js'
import {CONSISTENCY_LEVELS, type Consistency} from '../coordinator/points-writer.js'
import {mayWrite} from './auth.js'
import type {DataHttpDeps, HttpUser} from './deps.js'
import {type Call, sendError, sendStatus} from './exchange.js'
import {readRequestBody} from './body.js'

const PRECISIONS = new Set(['', 'n', 'ns', 'u', 'ms', 's', 'm', 'h'])

/** True when the version string (`1.8.10-c1.8.10`, `1.6.7~rc0`) is OSS 1.8 or later. */
export function checksPrecision(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version)
  if (m === null) return false
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return major > 1 || (major === 1 && minor >= 8)
}

/** The status influxd gives a failed write (deps.ts: an own `status`, else 400 for partial writes and conflicts). */
function writeFailureStatus(err: unknown): {status: number; message: string} {
  const message = err instanceof Error ? err.message : String(err)
  const own = typeof err === 'object' && err !== null && Object.hasOwn(err, 'status') ? (err as {status: unknown}).status : undefined
  if (typeof own === 'number' && Number.isInteger(own) && own >= 400 && own <= 599) return {status: own, message}
  return {status: message.startsWith('partial write') || message.startsWith('field type conflict') ? 400 : 500, message}
}

export async function serveWrite(call: Call, deps: DataHttpDeps, user: HttpUser | undefined): Promise<void> {
  const {stats} = call
  stats.writeReq++
  stats.writeReqActive++
  const started = process.hrtime.bigint()
  try {
    await write(call, deps, user)
  } finally {
    stats.writeReqActive--
    stats.writeReqDurationNs += Number(process.hrtime.bigint() - started)
  }
}

async function write(call: Call, deps: DataHttpDeps, user: HttpUser | undefined): Promise<void> {
  const q = call.url.searchParams
  const stats = call.stats
  const config = deps.config
  const precision = q.get('precision') ?? ''
  if (checksPrecision(deps.version) && !PRECISIONS.has(precision)) {
    return sendError(call, 400, `invalid precision ${JSON.stringify(precision)} (use n, u, ms, s, m or h)`)
  }
  const database = q.get('db') ?? ''
  if (database === '') return sendError(call, 400, 'database is required')
  if (!deps.hasDatabase(database)) return sendError(call, 404, `database not found: ${JSON.stringify(database)}`)
  if (config.authEnabled) {
    if (user === undefined) return sendError(call, 403, `user is required to write to database ${JSON.stringify(database)}`)
    if (!mayWrite(user, database)) return sendError(call, 403, `${JSON.stringify(user.name)} user is not authorized to write to database ${JSON.stringify(database)}`)
  }

  const body = await readRequestBody(call.req, config.maxBodySize, call.req.headers['content-encoding'] === 'gzip')
  if (!body.ok) {
    if (body.status === 0) return
    if (body.status === 413) {
      // The rest of the body is not read: the connection closes once the answer is out.
      call.res.setHeader('Connection', 'close')
      call.res.once('finish', () => call.req.socket?.destroySoon())
      return sendError(call, 413, 'Request Entity Too Large')
    }
    if (config.writeTracing) deps.log.child('httpd').info('Write handler unable to read bytes from request body')
    return sendError(call, 400, body.error)
  }
  stats.writeReqBytes += body.body.length
  if (config.writeTracing) deps.log.child('httpd').info('Write body received by handler', {body: body.body.toString('utf8').slice(0, 64 * 1024)})

  const parsed = parseLines(body.body, {precision, now: BigInt(Math.round(deps.now())) * 1_000_000n})
  if (parsed.errors.length > 0 && parsed.points.length === 0) {
    const a = writeAnswer({points: 0, errors: parsed.errors})
    return sendError(call, a.status, a.error!)
  }

  const level = (q.get('consistency') ?? '').toLowerCase()
  let consistency: Consistency = 'one'
  if (level !== '') {
    const known = CONSISTENCY_LEVELS.find((c) => c === level)
    if (known === undefined) return sendError(call, 400, 'invalid consistency level')
    consistency = known
  }

  const n = parsed.points.length
  try {
    await deps.write(database, q.get('rp') ?? '', parsed.points, consistency)
  } catch (err) {
    const f = writeFailureStatus(err)
    const dropped = /^partial write: [\s\S]* dropped=(\d+)$/.exec(f.message)
    if (dropped !== null) {
      const d = Math.min(n, Number(dropped[1]))
      stats.pointsWrittenOK += n - d
      stats.pointsWrittenDropped += d
    } else {
      stats.pointsWrittenFail += n
    }
    return sendError(call, f.status, f.message)
  }
  stats.pointsWrittenOK += n
  const a = writeAnswer({points: n, errors: parsed.errors})
  if (a.status !== 204) return sendError(call, a.status, a.error!)
  sendStatus(call, 204)
}
