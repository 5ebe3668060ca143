/**
 * Credentials for the meta and data APIs: HTTP Basic, and Enterprise's JWT bearer tokens (HS512 signed with the meta
 * node's `shared-secret`, claims `username` and a short `exp`), the way influxd-ctl -auth-type jwt and Chronograf sign
 * them (util/jwt.ts, which the dev nodes use too).
 */
import {signJwt} from '../util/jwt.js'

export {signJwt}

export type Auth =
  | {type: 'none'}
  | {type: 'basic'; username: string; password: string}
  | {type: 'jwt'; username: string; secret: string; ttlSeconds?: number}

/** The Authorization header for `auth`, or none. */
export function authHeaders(auth: Auth | undefined, nowMs = Date.now()): Record<string, string> {
  if (auth === undefined || auth.type === 'none') return {}
  if (auth.type === 'basic') {
    return {authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`}
  }
  return {authorization: `Bearer ${signJwt(auth.username, auth.secret, nowMs, auth.ttlSeconds)}`}
}
