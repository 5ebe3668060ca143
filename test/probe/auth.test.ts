import {createHmac} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {authHeaders, signJwt} from '../../src/probe/auth.js'
import {checkMetaStatus} from '../../src/wire/schemas.js'

describe('auth', () => {
  it('signs HS512 tokens with username and a short expiry', () => {
    const token = signJwt('admin', 's3cret', Date.UTC(2026, 10, 21), 60)
    const [h, p, sig] = token.split('.')
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({alg: 'HS512', typ: 'JWT'})
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({username: 'admin', exp: Date.UTC(2026, 10, 21) / 1000 + 60})
    expect(sig).toBe(createHmac('sha512', 's3cret').update(`${h}.${p}`).digest('base64url'))
  })

  it('builds Basic and Bearer headers', () => {
    expect(authHeaders({type: 'basic', username: 'a', password: 'b'})).toEqual({authorization: 'Basic YTpi'})
    expect(authHeaders({type: 'jwt', username: 'a', secret: 'x'}).authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(authHeaders({type: 'none'})).toEqual({})
  })
})

describe('meta /status schema', () => {
  it('accepts un-joined and joined bodies and tolerates extra fields', async () => {
    const fresh = await checkMetaStatus({nodeType: 'meta', leader: '', httpAddr: 'm1:8091', raftAddr: 'm1:8089', peers: null})
    expect(fresh.ok).toBe(true)
    const joined = await checkMetaStatus({nodeType: 'meta', leader: 'm1:8089', httpAddr: 'm1:8091', raftAddr: 'm1:8089', peers: ['m1:8089', 'm2:8089'], extra: 1})
    expect(joined.ok).toBe(true)
  })

  it('reports missing fields and wrong types by path', async () => {
    const r = await checkMetaStatus({nodeType: 'meta', leader: 5, httpAddr: 'm1:8091', peers: ['a', 7]})
    expect(r.ok).toBe(false)
    const paths = r.ok ? [] : r.issues.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['leader', 'raftAddr', 'peers[1]']))
  })
})
