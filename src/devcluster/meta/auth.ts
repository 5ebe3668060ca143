/**
 * Server-side authentication of the dev meta node's HTTP API (port 8091) when `[meta] auth-enabled = true`
 * (enterprise-1x.md §2.6): HTTP Basic against the cluster users in the meta store, or `Authorization: Bearer <JWT>`
 * signed HS512 with `[meta] shared-secret` (people and tools) or `[meta] internal-shared-secret` (node to node).
 * The failures use influxd-ctl's wording so that rehearsals print what operators see on real clusters.
 *
 * Password hashes (hashPassword, verifyPassword) live in node/password.ts: data nodes check the same hashes.
 *
 * Dev bootstrap rule (ours, not Enterprise's): while the store has no user at all, any valid token signed with the
 * shared secret is accepted whatever its `username`, so the first admin can be created over an authenticated API.
 * Basic credentials cannot work then (there is nobody to check them against).
 */
import {createHmac, randomBytes} from 'node:crypto'

import {hs512Matches, splitJwt} from '../node/jwt.js'
import {verifyPassword} from '../node/password.js'

export {hashPassword, verifyPassword} from '../node/password.js'

export interface MetaAuthConfig {
  authEnabled: boolean
  sharedSecret: string
  internalSharedSecret: string
}

export type AuthResult =
  | {ok: true; username: string; kind: 'none' | 'basic' | 'jwt' | 'internal'}
  | {ok: false; error: string}

/** The messages influxd-ctl prints (§2.6), plus the token checks. */
export const AUTH_ERRORS = {
  noCredentials: 'unable to parse authentication credentials',
  badSignature: 'signature is invalid',
  failed: 'authorization failed',
  expired: 'token is expired',
  noExpiry: 'token expiration required',
  noUsername: 'username required in token',
} as const

// ---------------------------------------------------------------------------------------------------------------
// JWT (HS512 only; node/jwt.ts takes tokens apart)

export type JwtCheck =
  | {ok: true; username: string; secret: 'shared' | 'internal'}
  | {ok: false; error: string}

/** Verifies an HS512 token against the two secrets and checks `exp` (Unix seconds) against `nowMs`. */
export function verifyJwt(token: string, config: Pick<MetaAuthConfig, 'sharedSecret' | 'internalSharedSecret'>, nowMs: number): JwtCheck {
  const jwt = splitJwt(token)
  if (jwt === undefined) return {ok: false, error: AUTH_ERRORS.noCredentials}
  const {header, claims, signingInput: input, signature} = jwt
  if (header.alg !== 'HS512') return {ok: false, error: `unexpected signing method: ${String(header.alg).slice(0, 32)}`}
  const secret = hs512Matches(input, signature, config.sharedSecret)
    ? 'shared'
    : hs512Matches(input, signature, config.internalSharedSecret) ? 'internal' : undefined
  if (secret === undefined) return {ok: false, error: AUTH_ERRORS.badSignature}
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return {ok: false, error: AUTH_ERRORS.noExpiry}
  if (claims.exp * 1000 <= nowMs) return {ok: false, error: AUTH_ERRORS.expired}
  const username = typeof claims.username === 'string' ? claims.username : ''
  if (username === '' && secret === 'shared') return {ok: false, error: AUTH_ERRORS.noUsername}
  return {ok: true, username, secret}
}

// ---------------------------------------------------------------------------------------------------------------
// The request check

/** What the authenticator needs of the meta store. */
export interface UserLookup {
  user(name: string): {hash: string} | undefined
  users(): readonly unknown[]
}

/**
 * Checks requests' Authorization headers. Successful Basic checks are remembered (keyed by an HMAC of user, password
 * and stored hash under a per-process key) so a busy client does not cost one scrypt per request; a password change
 * changes the hash and so misses the cache.
 */
export class MetaAuthenticator {
  private readonly cacheKey = randomBytes(32)
  private readonly verified = new Map<string, true>()

  constructor(
    private readonly config: MetaAuthConfig,
    private readonly users: UserLookup,
    private readonly now: () => number = Date.now,
  ) {}

  async check(authorization: string | undefined): Promise<AuthResult> {
    if (!this.config.authEnabled) return {ok: true, username: '', kind: 'none'}
    const header = (authorization ?? '').trim()
    const space = header.indexOf(' ')
    const scheme = space === -1 ? header.toLowerCase() : header.slice(0, space).toLowerCase()
    const value = space === -1 ? '' : header.slice(space + 1).trim()
    if (scheme === 'bearer' && value !== '') return this.bearer(value)
    if (scheme === 'basic' && value !== '') return this.basic(value)
    return {ok: false, error: AUTH_ERRORS.noCredentials}
  }

  private bearer(token: string): AuthResult {
    const r = verifyJwt(token, this.config, this.now())
    if (!r.ok) return r
    if (r.secret === 'internal') return {ok: true, username: r.username, kind: 'internal'}
    // The dev bootstrap rule: with no users yet, a valid shared-secret token is enough.
    if (this.users.users().length === 0 || this.users.user(r.username) !== undefined) return {ok: true, username: r.username, kind: 'jwt'}
    return {ok: false, error: AUTH_ERRORS.failed}
  }

  private async basic(value: string): Promise<AuthResult> {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return {ok: false, error: AUTH_ERRORS.noCredentials}
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon === -1) return {ok: false, error: AUTH_ERRORS.noCredentials}
    const username = decoded.slice(0, colon)
    const password = decoded.slice(colon + 1)
    const user = this.users.user(username)
    if (user === undefined) return {ok: false, error: AUTH_ERRORS.failed}
    const key = createHmac('sha256', this.cacheKey).update(`${username}\u0000${password}\u0000${user.hash}`).digest('base64')
    if (this.verified.has(key)) return {ok: true, username, kind: 'basic'}
    if (!(await verifyPassword(password, user.hash))) return {ok: false, error: AUTH_ERRORS.failed}
    if (this.verified.size >= 256) this.verified.clear()
    this.verified.set(key, true)
    return {ok: true, username, kind: 'basic'}
  }
}
