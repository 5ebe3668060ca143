/**
 * Who is asking, and may they: the data node API's authentication and authorization, with influxd 1.6's rules and
 * texts (services/httpd/handler.go authenticate and parseCredentials, services/meta/query_authorizer.go and
 * write_authorizer.go, influxql RequiredPrivileges; checked against the 1.6.7 binary, see docs/devcluster.md):
 *
 *  - with `auth-enabled` and at least one admin user, every /query and /write needs credentials: `u` and `p` query
 *    parameters (both non-empty), else `Authorization: Bearer <jwt>` (only with `[http] shared-secret`), else Basic.
 *    Failures are 401 with `WWW-Authenticate: Basic realm="InfluxDB"`. With no admin user at all, credentials are not
 *    even read (the bootstrap case): /query then only takes a first statement that creates an admin user.
 *  - JWTs are HMAC (HS256, HS384, HS512) tokens signed with the shared secret, carrying `username` and `exp`.
 *  - statements need what influxql says they need (admin, or READ/WRITE on a database, the request's `db` standing in
 *    where the statement names none); a user's grant is satisfied by the same privilege or ALL.
 */
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage} from 'node:http'

import {Privilege, type Measurement, type SelectStatement, type Source, type Statement, privilegeName, statementString} from '../../../influxql/index.js'
import {splitJwt} from '../../node/jwt.js'
import {verifyPassword} from '../../node/password.js'
import type {HttpUser} from './deps.js'

export type Credentials =
  | {method: 'user'; username: string; password: string}
  | {method: 'bearer'; token: string}

/** influxd's parseCredentials: u/p parameters, then a two-word `Bearer` header, then Basic. */
export function parseCredentials(req: IncomingMessage, url: URL): Credentials | undefined {
  const u = url.searchParams.get('u') ?? ''
  const p = url.searchParams.get('p') ?? ''
  if (u !== '' && p !== '') return {method: 'user', username: u, password: p}
  const header = req.headers.authorization ?? ''
  if (header !== '') {
    const words = header.split(' ')
    if (words.length === 2 && words[0] === 'Bearer') return {method: 'bearer', token: words[1]}
    const basic = basicAuth(header)
    if (basic !== undefined) return {method: 'user', ...basic}
  }
  return undefined
}

/** Go's Request.BasicAuth: `Basic` (any case) and base64 of `user:password`. */
function basicAuth(header: string): {username: string; password: string} | undefined {
  if (header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined
  const b64 = header.slice(6)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined
  const text = Buffer.from(b64, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return {username: text.slice(0, colon), password: text.slice(colon + 1)}
}

/** The name the access log shows: the `u` parameter, else the Basic user name (influxd's parseUsername). */
export function logUsername(req: IncomingMessage, url: URL): string {
  const u = url.searchParams.get('u') ?? ''
  if (u !== '') return u
  return basicAuth(req.headers.authorization ?? '')?.username ?? ''
}

export type AuthOutcome =
  | {ok: true; user: HttpUser | undefined}
  /** `counted`: influxd adds the failure to the `authFail` statistic (it does not for bad tokens). */
  | {ok: false; status: 401 | 500; error: string; counted: boolean}

const HMAC_ALGS: Record<string, string> = {HS256: 'sha256', HS384: 'sha384', HS512: 'sha512'}

/**
 * Checks passwords, remembering the last good one per user (as influxd's meta client caches successful logins) so a
 * client writing every few seconds does not pay for scrypt each time. The cache holds keyed digests, never passwords,
 * and an entry is only used while the user's stored hash is unchanged.
 */
export class PasswordChecker {
  private readonly key = randomBytes(32)
  private readonly good = new Map<string, {hash: string; digest: Buffer}>()

  constructor(private readonly maxEntries = 1024) {}

  private digest(password: string): Buffer {
    return createHmac('sha256', this.key).update(password).digest()
  }

  async check(user: HttpUser, password: string): Promise<boolean> {
    const known = this.good.get(user.name)
    if (known !== undefined && known.hash === user.hash) {
      const d = this.digest(password)
      if (timingSafeEqual(d, known.digest)) return true
    }
    const ok = await verifyPassword(password, user.hash)
    if (ok) {
      if (this.good.size >= this.maxEntries) this.good.delete(this.good.keys().next().value!)
      this.good.set(user.name, {hash: user.hash, digest: this.digest(password)})
    }
    return ok
  }
}

/** Verifies a shared-secret JWT as influxd 1.6 does (dgrijalva/jwt-go v3), with its error texts. */
export function verifyJwt(token: string, secret: string, nowMs: number): {ok: true; username: string} | {ok: false; status: 401 | 500; error: string} {
  const fail = (error: string) => ({ok: false as const, status: 401 as const, error})
  if (token.split('.').length !== 3) return fail('token contains an invalid number of segments')
  const parts = splitJwt(token)
  if (parts === undefined) return fail('token is malformed')
  const alg = typeof parts.header.alg === 'string' ? parts.header.alg : ''
  const hash = HMAC_ALGS[alg]
  if (hash === undefined) {
    if (['none', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'].includes(alg)) return fail(`unexpected signing method: ${alg}`)
    return fail('signing method (alg) is unavailable.')
  }
  // jwt-go checks the claims and then the signature; a bad signature is the error it reports when both fail.
  const expected = createHmac(hash, secret).update(parts.signingInput).digest()
  if (!(expected.length === parts.signature.length && timingSafeEqual(expected, parts.signature))) return fail('signature is invalid')
  const claims = parts.claims
  const now = Math.floor(nowMs / 1000)
  if (typeof claims.exp === 'number' && now > claims.exp) return fail('Token is expired')
  if (typeof claims.iat === 'number' && now < claims.iat) return fail('Token used before issued')
  if (typeof claims.nbf === 'number' && now < claims.nbf) return fail('Token is not valid yet')
  if (!(typeof claims.exp === 'number' && claims.exp > 0)) return fail('token expiration required')
  if (typeof claims.username !== 'string') return fail('username in token must be a string')
  if (claims.username === '') return fail('token must contain a username')
  return {ok: true, username: claims.username}
}

export interface AuthSource {
  authEnabled: boolean
  sharedSecret: string
  user(name: string): HttpUser | undefined
  adminUserExists(): boolean
  now(): number
}

/** influxd's authenticate wrapper: undefined user when auth is off or no admin exists yet. */
export async function authenticate(src: AuthSource, passwords: PasswordChecker, req: IncomingMessage, url: URL): Promise<AuthOutcome> {
  if (!src.authEnabled || !src.adminUserExists()) return {ok: true, user: undefined}
  const creds = parseCredentials(req, url)
  if (creds === undefined) return {ok: false, status: 401, error: 'unable to parse authentication credentials', counted: true}
  if (creds.method === 'user') {
    if (creds.username === '') return {ok: false, status: 401, error: 'username required', counted: true}
    const user = src.user(creds.username)
    if (user === undefined || !(await passwords.check(user, creds.password))) return {ok: false, status: 401, error: 'authorization failed', counted: true}
    return {ok: true, user}
  }
  if (src.sharedSecret === '') return {ok: false, status: 401, error: 'bearer auth disabld', counted: true}
  const v = verifyJwt(creds.token, src.sharedSecret, src.now())
  if (!v.ok) return {...v, counted: false}
  const user = src.user(v.username)
  if (user === undefined) return {ok: false, status: 401, error: 'user not found', counted: false}
  return {ok: true, user}
}

/** influxd's UserInfo.AuthorizeDatabase. */
export function mayUseDatabase(user: HttpUser, privilege: Privilege, database: string): boolean {
  if (user.admin || privilege === Privilege.None) return true
  const granted = Object.hasOwn(user.permissions, database) ? user.permissions[database] : undefined
  if (granted === undefined) return false
  const name = privilegeName(privilege)
  return granted.some((g) => g === name || g === 'ALL' || g === 'ALL PRIVILEGES')
}

interface Required {
  admin: boolean
  database: string
  privilege: Privilege
}

const ADMIN: Required[] = [{admin: true, database: '', privilege: Privilege.All}]
const on = (database: string, privilege: Privilege): Required[] => [{admin: false, database, privilege}]

function sourcesNeed(sources: readonly Source[] | undefined): Required[] {
  const out: Required[] = []
  for (const s of sources ?? []) {
    if (s.kind === 'measurement') out.push({admin: false, database: (s as Measurement).database, privilege: Privilege.Read})
    else out.push(...selectNeeds(s.statement))
  }
  return out
}

function selectNeeds(s: SelectStatement): Required[] {
  const out = sourcesNeed(s.sources)
  if (s.target !== undefined) out.push({admin: false, database: s.target.measurement.database, privilege: Privilege.Write})
  return out
}

/** influxql's Statement.RequiredPrivileges. */
export function requiredPrivileges(s: Statement): Required[] {
  switch (s.type) {
    case 'select': return selectNeeds(s)
    case 'explain': return selectNeeds(s.statement)
    case 'showDatabases': return on('', Privilege.None)
    case 'showMeasurements': case 'showSeries': case 'showRetentionPolicies': case 'showTagKeys': case 'showTagValues': case 'showFieldKeys':
      return on(s.database, Privilege.Read)
    case 'showSeriesCardinality': case 'showMeasurementCardinality':
      return s.exact ? sourcesNeed(s.sources) : on(s.database, Privilege.Read)
    case 'showTagKeyCardinality': case 'showTagValuesCardinality': case 'showFieldKeyCardinality':
      return sourcesNeed(s.sources)
    case 'showContinuousQueries': case 'showQueries':
      return on('', Privilege.Read)
    case 'deleteSeries': case 'dropSeries':
      return on('', Privilege.Write)
    case 'dropRetentionPolicy': case 'dropContinuousQuery':
      return on(s.database, Privilege.Write)
    case 'createContinuousQuery': {
      const out = on(s.database, Privilege.Read)
      const into = s.source.target?.measurement.database ?? ''
      if (into !== '') out.push({admin: false, database: into, privilege: Privilege.Write})
      return out
    }
    default:
      return ADMIN
  }
}

/** influxd's QueryAuthorizer.AuthorizeQuery: undefined when allowed, else the text after `error authorizing query: `. */
export function authorizeQuery(user: HttpUser | undefined, userCount: number, statements: readonly Statement[], database: string): string | undefined {
  if (userCount === 0) {
    const first = statements[0]
    if (first !== undefined && first.type === 'createUser' && first.admin) return undefined
    return 'create admin user first or disable authentication'
  }
  if (user === undefined) return 'no user provided'
  if (user.admin) return undefined
  for (const s of statements) {
    for (const p of requiredPrivileges(s)) {
      const why = `${user.name} not authorized to execute statement '${statementString(s)}', requires `
      if (p.admin) return why + 'admin privilege'
      const db = p.database === '' ? database : p.database
      if (!mayUseDatabase(user, p.privilege, db)) return `${why}${privilegeName(p.privilege)} on ${db}`
    }
  }
  return undefined
}

/** influxd's WriteAuthorizer: admins and users with WRITE (or ALL) on the database. */
export function mayWrite(user: HttpUser, database: string): boolean {
  return mayUseDatabase(user, Privilege.Write, database)
}
