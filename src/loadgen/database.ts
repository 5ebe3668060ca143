/** Creating the load's database before the load starts (CREATE DATABASE is idempotent in InfluxDB 1.x). */
import {inputError} from '../errors.js'

export interface DbOptions {
  timeoutMs: number
  username?: string
  password?: string
}

/** POST /query q=CREATE DATABASE "db"; an unreachable node or an error answer is a MedicError naming the URL. */
export async function ensureDatabase(url: string, db: string, o: DbOptions): Promise<void> {
  const {request} = await import('undici')
  const target = new URL('query', url.endsWith('/') ? url : `${url}/`)
  const form = new URLSearchParams({q: `CREATE DATABASE "${db.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`})
  if (o.username !== undefined) {
    form.set('u', o.username)
    form.set('p', o.password ?? '')
  }
  let status: number
  let text: string
  try {
    const res = await request(target, {method: 'POST', body: form.toString(), headers: {'content-type': 'application/x-www-form-urlencoded'}, signal: AbortSignal.timeout(o.timeoutMs)})
    status = res.statusCode
    text = await res.body.text()
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
    throw inputError(`${target.origin}: CREATE DATABASE answered ${status} ${JSON.stringify(message)}`, 'write-target-refused', status === 401 ? ['give --username and --password (the node has [http] auth-enabled)'] : [])
  }
}
