// Authentication and authorization of the data node's HTTP API, with influxd 1.6.7's statuses and texts.
import {createHmac} from 'node:crypto'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {signJwt} from '../../../../src/devcluster/node/jwt.js'
import {get, type Node, post, q, startNode} from './fixture.js'

const SECRET = 'sekrit'
const form = {'Content-Type': 'application/x-www-form-urlencoded'}
const json = (t: string) => JSON.parse(t) as {error?: string; results?: unknown[]}

function token(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256'): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const input = `${b64({alg, typ: 'JWT'})}.${b64(claims)}`
  const hash = alg === 'HS256' ? 'sha256' : alg === 'HS384' ? 'sha384' : 'sha512'
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`
}
const exp = () => Math.floor(Date.now() / 1000) + 60

let node: Node
beforeAll(async () => {
  node = await startNode({authEnabled: true, sharedSecret: SECRET})
  await node.meta.createDatabase('db')
  await node.meta.createDatabase('other')
})
afterAll(async () => node.close())

async function authFails(): Promise<number> {
  const vars = JSON.parse((await get(node.url, '/debug/vars')).text) as Record<string, {values: Record<string, number>}>
  return vars['httpd:127.0.0.1:8086'].values.authFail
}

describe('before any admin user exists', () => {
  it('queries are refused until the first statement creates an admin; writes need a user', async () => {
    const a = await get(node.url, '/query' + q({q: 'SHOW DATABASES'}))
    expect([a.status, json(a.text).error]).toEqual([403, 'error authorizing query: create admin user first or disable authentication'])
    expect(a.headers['x-influxdb-error']).toBe('error authorizing query: create admin user first or disable authentication')
    const w = await post(node.url, '/write?db=db', 'm v=1')
    expect([w.status, json(w.text).error]).toEqual([403, 'user is required to write to database "db"'])
    const nf = await post(node.url, '/write?db=nope&u=a&p=b', 'm v=1')
    expect(nf.status).toBe(404)
    const c = await post(node.url, '/query', new URLSearchParams({q: "CREATE USER admin WITH PASSWORD 'pw' WITH ALL PRIVILEGES"}).toString(), form)
    expect([c.status, c.text]).toEqual([200, '{"results":[{"statement_id":0}]}\n'])
  })
})

describe('with an admin user', () => {
  beforeAll(async () => {
    await node.meta.createUser('admin', 'pw', true).catch(() => {})
    await node.meta.createUser('bob', 'bobpw', false)
    await node.meta.setPrivilege('bob', 'db', 'READ')
  })

  it('no credentials: 401 with WWW-Authenticate, no X-Influxdb-Error, counted as an auth failure', async () => {
    const before = await authFails()
    const r = await get(node.url, '/query' + q({q: 'SHOW DATABASES'}))
    expect([r.status, json(r.text).error]).toEqual([401, 'unable to parse authentication credentials'])
    expect(r.headers['www-authenticate']).toBe('Basic realm="InfluxDB"')
    expect(r.headers['x-influxdb-error']).toBeUndefined()
    expect(await authFails()).toBe(before + 1)
    const onlyU = await get(node.url, '/query' + q({q: 'SHOW DATABASES', u: 'admin'}))
    expect(json(onlyU.text).error).toBe('unable to parse authentication credentials')
    const tokenScheme = await get(node.url, '/query' + q({q: 'SHOW DATABASES'}), {Authorization: 'Token admin:pw'})
    expect(json(tokenScheme.text).error).toBe('unable to parse authentication credentials')
  })

  it('u/p and Basic: good passwords pass, wrong ones and unknown users get authorization failed', async () => {
    expect((await get(node.url, '/query' + q({q: 'SHOW DATABASES', u: 'admin', p: 'pw'}))).status).toBe(200)
    expect((await get(node.url, '/query' + q({q: 'SHOW DATABASES', u: 'admin', p: 'pw'}))).status).toBe(200)
    const basic = `Basic ${Buffer.from('admin:pw').toString('base64')}`
    expect((await post(node.url, '/write?db=db', 'm v=1', {Authorization: basic})).status).toBe(204)
    const wrong = await get(node.url, '/query' + q({q: 'SHOW DATABASES', u: 'admin', p: 'nope'}))
    expect([wrong.status, json(wrong.text).error]).toEqual([401, 'authorization failed'])
    const nobody = await post(node.url, '/write?db=db&u=nobody&p=x', 'm v=1')
    expect([nobody.status, json(nobody.text).error]).toEqual([401, 'authorization failed'])
    const noName = await get(node.url, '/query' + q({q: 'SHOW DATABASES'}), {Authorization: `Basic ${Buffer.from(':pw').toString('base64')}`})
    expect(json(noName.text).error).toBe('username required')
  })

  it('JWT bearer tokens (HS256, HS512) signed with the shared secret', async () => {
    expect((await get(node.url, '/query' + q({q: 'SHOW DATABASES'}), {Authorization: `Bearer ${signJwt('admin', SECRET)}`})).status).toBe(200)
    expect((await get(node.url, '/query' + q({q: 'SHOW DATABASES'}), {Authorization: `Bearer ${token({username: 'admin', exp: exp()})}`})).status).toBe(200)
    const cases: Array<[string, string]> = [
      ['abc', 'token contains an invalid number of segments'],
      [token({username: 'admin', exp: exp()}, 'wrong'), 'signature is invalid'],
      [token({username: 'admin', exp: Math.floor(Date.now() / 1000) - 10}), 'Token is expired'],
      [token({username: 'admin'}), 'token expiration required'],
      [token({username: 7, exp: exp()}), 'username in token must be a string'],
      [token({username: '', exp: exp()}), 'token must contain a username'],
      [token({username: 'ghost', exp: exp()}), 'user not found'],
      [token({username: 'admin', exp: exp()}, SECRET, 'RS256'), 'unexpected signing method: RS256'],
    ]
    for (const [t, error] of cases) {
      const r = await get(node.url, '/query' + q({q: 'SHOW DATABASES'}), {Authorization: `Bearer ${t}`})
      expect([r.status, json(r.text).error], error).toEqual([401, error])
    }
    const noSecret = await startNode({authEnabled: true})
    try {
      await noSecret.meta.createUser('admin', 'pw', true)
      const r = await get(noSecret.url, '/query' + q({q: 'SHOW DATABASES'}), {Authorization: `Bearer ${signJwt('admin', SECRET)}`})
      expect([r.status, json(r.text).error]).toEqual([401, 'bearer auth disabld'])
    } finally {
      await noSecret.close()
    }
  })

  it('statement privileges: READ for SELECT and SHOW, admin for the rest, the request db standing in', async () => {
    const bob = {u: 'bob', p: 'bobpw'}
    expect((await get(node.url, '/query' + q({q: 'SELECT * FROM m', db: 'db', ...bob}))).status).toBe(200)
    const cases: Array<[Record<string, string>, string]> = [
      [{q: 'SELECT * FROM m', db: 'other'}, "bob not authorized to execute statement 'SELECT * FROM m', requires READ on other"],
      [{q: 'SELECT * FROM m'}, "bob not authorized to execute statement 'SELECT * FROM m', requires READ on "],
      [{q: 'SELECT * FROM db..m; SELECT * FROM other..m'}, "bob not authorized to execute statement 'SELECT * FROM other..m', requires READ on other"],
      [{q: 'DROP DATABASE db'}, "bob not authorized to execute statement 'DROP DATABASE db', requires admin privilege"],
      [{q: 'SHOW USERS'}, "bob not authorized to execute statement 'SHOW USERS', requires admin privilege"],
      [{q: "SET PASSWORD FOR bob = 'x'"}, "bob not authorized to execute statement 'SET PASSWORD FOR bob = [REDACTED]', requires admin privilege"],
      [{q: 'SELECT * INTO other..m2 FROM db..m'}, "bob not authorized to execute statement 'SELECT * INTO other..m2 FROM db..m', requires WRITE on other"],
      [{q: 'DELETE FROM m', db: 'db'}, "bob not authorized to execute statement 'DELETE FROM m', requires WRITE on db"],
      [{q: 'SHOW MEASUREMENTS', db: 'other'}, "bob not authorized to execute statement 'SHOW MEASUREMENTS', requires READ on other"],
    ]
    for (const [params, error] of cases) {
      const r = await get(node.url, '/query' + q({...params, ...bob}))
      expect([r.status, json(r.text).error], params.q).toEqual([403, `error authorizing query: ${error}`])
    }
    const dbs = await get(node.url, '/query' + q({q: 'SHOW DATABASES', ...bob}))
    expect(json(dbs.text)).toEqual({results: [{statement_id: 0, series: [{name: 'databases', columns: ['name'], values: [['db']]}]}]})
  })

  it('writes need WRITE or ALL on the database', async () => {
    const r = await post(node.url, '/write?db=db&u=bob&p=bobpw', 'm v=1')
    expect([r.status, json(r.text).error]).toEqual([403, '"bob" user is not authorized to write to database "db"'])
    await node.meta.setPrivilege('bob', 'db', 'ALL')
    expect((await post(node.url, '/write?db=db&u=bob&p=bobpw', 'm v=1')).status).toBe(204)
  })

  it('with users but no admin left, credentials are not read: no user provided / user is required', async () => {
    await node.meta.setAdmin('admin', false)
    try {
      const r = await get(node.url, '/query' + q({q: 'SHOW DATABASES', u: 'bob', p: 'bobpw'}))
      expect([r.status, json(r.text).error]).toEqual([403, 'error authorizing query: no user provided'])
      const w = await post(node.url, '/write?db=db&u=bob&p=bobpw', 'm v=1')
      expect([w.status, json(w.text).error]).toEqual([403, 'user is required to write to database "db"'])
    } finally {
      await node.meta.setAdmin('admin', true)
    }
  })
})
