/**
 * Credentials for the meta and data APIs: HTTP Basic, and Enterprise's JWT bearer tokens (HS512 signed with the meta
 * node's `shared-secret`, claims `username` and a short `exp`), the way influxd-ctl -auth-type jwt and Chronograf sign
 * them. node:crypto does the HMAC; a JWT library would add a dependency for fifteen lines.
 */
import {createHmac} from 'node:crypto'

export type Auth =
  | {type: 'none'}
  | {type: 'basic'; username: string; password: string}
  | {type: 'jwt'; username: string; secret: string; ttlSeconds?: number}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

/** An HS512 JWT for `username`, valid for `ttlSeconds` (60 by default) from `nowMs`. */
export function signJwt(username: string, secret: string, nowMs = Date.now(), ttlSeconds = 60): string {
  const header = b64url(JSON.stringify({alg: 'HS512', typ: 'JWT'}))
  const payload = b64url(JSON.stringify({username, exp: Math.floor(nowMs / 1000) + ttlSeconds}))
  const signature = createHmac('sha512', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

/** The Authorization header for `auth`, or none. */
export function authHeaders(auth: Auth | undefined, nowMs = Date.now()): Record<string, string> {
  if (auth === undefined || auth.type === 'none') return {}
  if (auth.type === 'basic') {
    return {authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`}
  }
  return {authorization: `Bearer ${signJwt(auth.username, auth.secret, nowMs, auth.ttlSeconds)}`}
}
