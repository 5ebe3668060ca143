// Meta API authentication: password hashes and HS512 tokens on their own, then every kind of credential (and every
// kind of bad one) against a real auth-enabled meta API, with influxd-ctl's error wording.
import {createHmac} from 'node:crypto'

import {afterEach, describe, expect, it} from 'vitest'

import {AUTH_ERRORS, hashPassword, verifyJwt, verifyPassword} from '../../../src/devcluster/meta/auth.js'
import {authHeaders, signJwt} from '../../../src/probe/auth.js'
import {errorMessageOf} from '../../../src/wire/schemas.js'
import {form, http, jsonBody, startNode, stopNodes, T0} from './harness.js'

afterEach(stopNodes)

const CHEAP = {N: 1024, r: 8, p: 1}
const secrets = {sharedSecret: 'public-secret', internalSharedSecret: 'internal-secret'}
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** A token with any header and claims, signed HS512 with `secret` (or left with a given signature). */
function token(header: unknown, claims: unknown, secret: string): string {
  const input = `${b64(header)}.${b64(claims)}`
  return `${input}.${createHmac('sha512', secret).update(input).digest('base64url')}`
}

describe('password hashes', () => {
  it('verifies the right password only, and refuses hashes it cannot read', async () => {
    const hash = await hashPassword('correct horse', Buffer.alloc(16, 7), CHEAP)
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/)
    expect(await verifyPassword('correct horse', hash)).toBe(true)
    expect(await verifyPassword('correct horse ', hash)).toBe(false)
    expect(await hashPassword('correct horse', Buffer.alloc(16, 7), CHEAP)).toBe(hash)
    expect(await hashPassword('correct horse', Buffer.alloc(16, 8), CHEAP)).not.toBe(hash)
    for (const bad of ['', 'bcrypt$x', 'scrypt$3$8$1$aa$bb', 'scrypt$1073741824$8$1$aa$bb', 'scrypt$1024$8$1$aa$']) {
      expect(await verifyPassword('x', bad), bad).toBe(false)
    }
  })
})

describe('HS512 tokens', () => {
  const now = T0
  it('accepts tokens signed with either secret and tells which', () => {
    expect(verifyJwt(signJwt('ops', 'public-secret', now), secrets, now)).toEqual({ok: true, username: 'ops', secret: 'shared'})
    expect(verifyJwt(signJwt('', 'internal-secret', now), secrets, now)).toEqual({ok: true, username: '', secret: 'internal'})
  })

  it('refuses bad signatures, other algorithms, expired or incomplete tokens and garbage', () => {
    expect(verifyJwt(signJwt('ops', 'wrong', now), secrets, now)).toEqual({ok: false, error: AUTH_ERRORS.badSignature})
    expect(verifyJwt(signJwt('ops', 'public-secret', now - 61_000), secrets, now)).toEqual({ok: false, error: AUTH_ERRORS.expired})
    expect(verifyJwt(token({alg: 'none'}, {username: 'ops', exp: now / 1000 + 60}, 'public-secret'), secrets, now)).toEqual({ok: false, error: 'unexpected signing method: none'})
    expect(verifyJwt(token({alg: 'HS256'}, {username: 'ops', exp: now / 1000 + 60}, 'public-secret'), secrets, now).ok).toBe(false)
    expect(verifyJwt(token({alg: 'HS512'}, {username: 'ops'}, 'public-secret'), secrets, now)).toEqual({ok: false, error: AUTH_ERRORS.noExpiry})
    expect(verifyJwt(token({alg: 'HS512'}, {exp: now / 1000 + 60}, 'public-secret'), secrets, now)).toEqual({ok: false, error: AUTH_ERRORS.noUsername})
    for (const junk of ['', 'a.b', 'a.b.c.d', '!!.??.**', `${b64([1])}.${b64({})}.x`]) {
      expect(verifyJwt(junk, secrets, now), junk).toEqual({ok: false, error: AUTH_ERRORS.noCredentials})
    }
    // Empty secrets never verify anything (an empty HMAC key would let anyone sign).
    expect(verifyJwt(signJwt('ops', '', now), {sharedSecret: '', internalSharedSecret: ''}, now)).toEqual({ok: false, error: AUTH_ERRORS.badSignature})
  })
})

describe('meta API with auth-enabled', () => {
  const config = {authEnabled: true, ...secrets}
  const bearer = (t: string) => ({authorization: `Bearer ${t}`})

  it('keeps /ping open and answers 401 in influxd-ctl\'s words to missing and malformed credentials', async () => {
    const n = await startNode({config})
    expect((await http('GET', `${n.url}/ping`)).status).toBe(200)
    for (const headers of [{}, {authorization: 'Bearer'}, {authorization: 'Negotiate abc'}, {authorization: 'Basic !!!'}, {authorization: `Basic ${Buffer.from('nocolon').toString('base64')}`}, bearer('x.y')]) {
      const r = await http('GET', `${n.url}/status`, {headers})
      expect(r.status, JSON.stringify(headers)).toBe(401)
      expect(await errorMessageOf(r.text)).toBe('unable to parse authentication credentials')
    }
    const wrong = await http('GET', `${n.url}/status`, {headers: bearer(signJwt('ops', 'not-the-secret', T0))})
    expect([wrong.status, await errorMessageOf(wrong.text)]).toEqual([401, 'signature is invalid'])
    const expired = await http('GET', `${n.url}/status`, {headers: bearer(signJwt('ops', 'public-secret', T0 - 120_000))})
    expect([expired.status, await errorMessageOf(expired.text)]).toEqual([401, 'token is expired'])
    const unsigned = await http('GET', `${n.url}/status`, {headers: bearer(token({alg: 'none'}, {username: 'x', exp: T0 / 1000 + 60}, 'public-secret'))})
    expect(unsigned.status).toBe(401)
    // Unknown paths and wrong methods are not revealed before authentication.
    expect((await http('GET', `${n.url}/ding`)).status).toBe(401)
    expect((await http('PUT', `${n.url}/status`)).status).toBe(401)
  })

  it('lets any shared-secret token in while no user exists (dev bootstrap), then only real users', async () => {
    const n = await startNode({config})
    n.raft.lead()
    const anyone = bearer(signJwt('whoever', 'public-secret', T0))
    expect((await http('GET', `${n.url}/show-cluster`, {headers: anyone})).status).toBe(200)
    const created = await http('POST', `${n.url}/user`, jsonBody({action: 'create', user: {name: 'admin', password: 'pw', admin: true}}, anyone))
    expect(created.status, created.text).toBe(200)
    const now = await http('GET', `${n.url}/show-cluster`, {headers: anyone})
    expect([now.status, await errorMessageOf(now.text)]).toEqual([401, 'authorization failed'])
    expect((await http('GET', `${n.url}/show-cluster`, {headers: bearer(signJwt('admin', 'public-secret', T0))})).status).toBe(200)
    // Basic against the stored scrypt hash.
    const basic = (username: string, password: string) => authHeaders({type: 'basic', username, password})
    expect((await http('GET', `${n.url}/show-cluster`, {headers: basic('admin', 'pw')})).status).toBe(200)
    expect((await http('GET', `${n.url}/show-cluster`, {headers: basic('admin', 'pw')})).status).toBe(200) // cached
    for (const [u, p] of [['admin', 'wrong'], ['ghost', 'pw'], ['admin', '']]) {
      const r = await http('GET', `${n.url}/show-cluster`, {headers: basic(u, p)})
      expect([r.status, await errorMessageOf(r.text)], `${u}:${p}`).toEqual([401, 'authorization failed'])
    }
    // A password change takes effect at once (the cache is keyed by the stored hash).
    await http('POST', `${n.url}/user`, jsonBody({action: 'change-password', user: {name: 'admin', password: 'pw2'}}, basic('admin', 'pw')))
    expect((await http('GET', `${n.url}/show-cluster`, {headers: basic('admin', 'pw')})).status).toBe(401)
    expect((await http('GET', `${n.url}/show-cluster`, {headers: basic('admin', 'pw2')})).status).toBe(200)
    // Node-to-node tokens signed with the internal secret need no user.
    expect((await http('GET', `${n.url}/show-cluster`, {headers: bearer(signJwt('', 'internal-secret', T0))})).status).toBe(200)
  })

  it('add-meta between auth-enabled nodes signs its /status request with the internal secret', async () => {
    const a = await startNode({config, raftId: 'meta-a:8089'})
    const b = await startNode({config, raftId: 'meta-b:8089'})
    const headers = {...form({addr: b.addr}).headers, ...bearer(signJwt('ops', 'public-secret', T0))}
    const r = await http('POST', `${a.url}/add-meta`, {body: form({addr: b.addr}).body, headers})
    expect(r.status, r.text).toBe(200)
    expect(r.json).toMatchObject({id: 2, tcpAddr: 'meta-b:8089'})
    // With a different internal secret the target refuses, and add-meta says why.
    const c = await startNode({config: {...config, internalSharedSecret: 'other'}, raftId: 'meta-c:8089'})
    const refused = await http('POST', `${a.url}/add-meta`, {body: form({addr: c.addr}).body, headers})
    expect(refused.status).toBe(400)
    expect(await errorMessageOf(refused.text)).toMatch(/^unable to determine if ".*" is a meta node: .*HTTP 401.*signature is invalid/)
  })
})
