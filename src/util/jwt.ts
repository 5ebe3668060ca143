/**
 * Enterprise's JWTs, both ways: HS512 tokens with `username` and a short `exp`, the way influxd-ctl -auth-type jwt,
 * Chronograf and the nodes themselves sign them (meta `shared-secret` for people and tools, `internal-shared-secret`
 * node to node). One implementation for medic's probes (probe/auth.ts signs with --jwt-secret) and for every
 * dev-cluster process (devcluster/node/jwt.ts). node:crypto does the HMAC; a JWT library would add a dependency for
 * this. What a failed check is called to the client is the verifying role's business (devcluster/meta/auth.ts).
 */
import {createHmac, timingSafeEqual} from 'node:crypto'

import {parseJsonBounded} from './json.js'

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

/** An HS512 JWT for `username`, valid for `ttlSeconds` (60 by default) from `nowMs`. */
export function signJwt(username: string, secret: string, nowMs = Date.now(), ttlSeconds = 60): string {
  const header = b64url(JSON.stringify({alg: 'HS512', typ: 'JWT'}))
  const payload = b64url(JSON.stringify({username, exp: Math.floor(nowMs / 1000) + ttlSeconds}))
  const signature = createHmac('sha512', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

/** `Authorization: Bearer <token>` for `username`, signed with `secret`. */
export function bearer(username: string, secret: string, nowMs = Date.now()): Record<string, string> {
  return {authorization: `Bearer ${signJwt(username, secret, nowMs)}`}
}

/** A token taken apart (nothing verified yet). */
export interface JwtParts {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  signingInput: string
  signature: Buffer
}

const B64URL = /^[A-Za-z0-9_-]*$/

function jsonPart(part: string): Record<string, unknown> | undefined {
  const r = parseJsonBounded(Buffer.from(part, 'base64url').toString('utf8'), {maxDepth: 8})
  if (!r.ok || typeof r.value !== 'object' || r.value === null || Array.isArray(r.value)) return undefined
  return Object.fromEntries(Object.entries(r.value))
}

/** The three parts of `header.claims.signature`, or undefined when it is not a JWT at all. */
export function splitJwt(token: string): JwtParts | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || parts[0] === '' || parts[1] === '') return undefined
  const header = jsonPart(parts[0])
  const claims = jsonPart(parts[1])
  if (header === undefined || claims === undefined) return undefined
  return {header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url')}
}

/** True when `signature` is the HS512 of `signingInput` under `secret` (never for an empty secret: anyone could sign). */
export function hs512Matches(signingInput: string, signature: Buffer, secret: string): boolean {
  if (secret === '') return false
  const expected = createHmac('sha512', secret).update(signingInput).digest()
  return expected.length === signature.length && timingSafeEqual(expected, signature)
}
