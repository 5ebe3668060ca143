/** Creating the load's database before the load starts (CREATE DATABASE is idempotent in InfluxDB 1.x). */
import {inputError} from '../errors.js'
import {type Auth, authHeaders} from '../probe/auth.js'
import {shellQuote} from '../util/text.js'
import {connectOptions, type LoadTls} from './run.js'

export interface DbOptions {
  timeoutMs: number
  auth?: Auth
  tls?: LoadTls
}

/** POST /query q=CREATE DATABASE "db"; an unreachable node or an error answer is a MedicError naming the URL. */
export async function ensureDatabase(url: string, db: string, o: DbOptions): Promise<void> {
  const {Agent, request} = await import('undici')
  const target = new URL('query', url.endsWith('/') ? url : `${url}/`)
  const form = new URLSearchParams({q: `CREATE DATABASE "${db.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`})
  let status: number
  let text: string
  try {
    const dispatcher = new Agent({connect: connectOptions(o.timeoutMs, o.tls)})
    try {
      const res = await request(target, {
        method: 'POST', body: form.toString(), dispatcher,
        headers: {'content-type': 'application/x-www-form-urlencoded', ...authHeaders(o.auth)}, signal: AbortSignal.timeout(o.timeoutMs),
      })
      status = res.statusCode
      text = await res.body.text()
    } finally {
      void dispatcher.close()
    }
  } catch (err) {
    const e = err as {code?: string; message?: string; name?: string}
    const why = e.code === 'ECONNREFUSED' ? 'connection refused (nothing listens there)' : e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (e.code ?? e.message ?? 'unknown error')
    throw inputError(`${target.origin}: ${why}`, 'write-target-unreachable', ['medic dev status (the data nodes\' HTTP addresses)', 'medic dev up'], err)
  }
  if (status >= 300) {
    let message = text.trim().slice(0, 200)
    try {
      message = (JSON.parse(text) as {error?: string}).error ?? message
    } catch {
      // keep the raw text
    }
    throw inputError(`${target.origin}: CREATE DATABASE answered ${status} ${JSON.stringify(message)}`, 'write-target-refused', status === 401 ? [
      `medic dev write --url ${shellQuote(url)} --username admin --password "$PASSWORD"`,
      `medic dev write --url ${shellQuote(url)} --username admin --jwt-secret "$SHARED_SECRET"`,
    ] : [])
  }
}
