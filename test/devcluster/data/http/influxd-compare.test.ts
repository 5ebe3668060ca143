// The data node's HTTP API next to the real influxd 1.6.7: the same requests, the same statuses, bodies and headers
// (request ids, the build and the version aside). Skipped, with the reason printed, when influxd is not installed.
import {createHmac} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Influxd, influxdMissing, startInfluxd} from '../../../helpers/influxd.js'
import {type Answer, type Node, q, req, startNode} from './fixture.js'

const missing = influxdMissing()
if (missing !== undefined) console.log(`skipping the influxd comparison: ${missing}`)

interface Case {
  name: string
  method: string
  path: string
  body?: string | Buffer
  headers?: Record<string, string>
}

const form = {'Content-Type': 'application/x-www-form-urlencoded'}

/** In order: later cases see what earlier ones wrote. */
const CASES: Case[] = [
  {name: 'ping', method: 'GET', path: '/ping'},
  {name: 'ping HEAD', method: 'HEAD', path: '/ping'},
  {name: 'status', method: 'GET', path: '/status'},
  {name: 'status HEAD', method: 'HEAD', path: '/status'},
  {name: 'unknown path', method: 'GET', path: '/nope'},
  {name: 'ping POST', method: 'POST', path: '/ping', body: ''},
  {name: 'write GET', method: 'GET', path: '/write'},
  {name: 'query HEAD', method: 'HEAD', path: '/query'},
  {name: 'write without db', method: 'POST', path: '/write', body: 'm v=1'},
  {name: 'write unknown db', method: 'POST', path: '/write?db=nope', body: 'm v=1'},
  {name: 'create db', method: 'POST', path: '/query', body: 'q=CREATE+DATABASE+db', headers: form},
  {name: 'write', method: 'POST', path: '/write?db=db', body: 'cpu,host=a v=1 1\ncpu,host=b v=2 2'},
  {name: 'write seconds', method: 'POST', path: '/write?db=db&precision=s', body: 'cpu,host=a v=3 3'},
  {name: 'write unknown precision', method: 'POST', path: '/write?db=db&precision=foo', body: 'cpu,host=a v=4 4'},
  {name: 'write consistency ALL', method: 'POST', path: '/write?db=db&consistency=ALL', body: 'cpu,host=a v=5 5'},
  {name: 'write bad consistency', method: 'POST', path: '/write?db=db&consistency=foo', body: 'cpu v=1'},
  {name: 'write bad consistency, bad line', method: 'POST', path: '/write?db=db&consistency=foo', body: 'garbage'},
  {name: 'write garbage', method: 'POST', path: '/write?db=db', body: 'garbage'},
  {name: 'write partial', method: 'POST', path: '/write?db=db', body: 'cpu v=6 6\nbad\ncpu v=7 7'},
  {name: 'write empty', method: 'POST', path: '/write?db=db', body: ''},
  {name: 'write unknown rp', method: 'POST', path: '/write?db=db&rp=nope', body: 'cpu v=1 1'},
  {name: 'write type conflict', method: 'POST', path: '/write?db=db', body: 'cpu v="s" 8'},
  {name: 'write gzip', method: 'POST', path: '/write?db=db', body: gzipSync('gz v=1 1'), headers: {'Content-Encoding': 'gzip'}},
  {name: 'write short gzip', method: 'POST', path: '/write?db=db', body: 'notgzip', headers: {'Content-Encoding': 'gzip'}},
  {name: 'write not gzip', method: 'POST', path: '/write?db=db', body: 'definitely not a gzip stream', headers: {'Content-Encoding': 'gzip'}},
  {name: 'write cut gzip', method: 'POST', path: '/write?db=db', body: gzipSync('gz v=2 2').subarray(0, 15), headers: {'Content-Encoding': 'gzip'}},
  {name: 'write error as CSV', method: 'POST', path: '/write?db=db', body: 'bad', headers: {Accept: 'text/csv'}},
  {name: 'write error gzip', method: 'POST', path: '/write?db=db', body: 'bad', headers: {'Accept-Encoding': 'gzip'}},
  {name: 'write error pretty', method: 'POST', path: '/write?db=db&pretty=true', body: 'bad'},
  {name: 'query without q', method: 'GET', path: '/query'},
  {name: 'query blank q', method: 'GET', path: '/query?q=%20%20'},
  {name: 'query parse error', method: 'GET', path: '/query?q=SELEC'},
  {name: 'query bad params', method: 'GET', path: '/query' + q({q: 'SHOW DATABASES', params: '{'})},
  {name: 'show databases', method: 'GET', path: '/query?q=SHOW+DATABASES'},
  {name: 'select epoch', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu', epoch: 'ns'})},
  {name: 'select rfc3339', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu'})},
  {name: 'select csv', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu'}), headers: {Accept: 'application/csv'}},
  {name: 'select pretty', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu', pretty: 'true', epoch: 's'})},
  {name: 'select chunked', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu', chunked: 'true', chunk_size: '2', epoch: 'ms'})},
  {name: 'select params', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT v FROM cpu WHERE host = $h', params: '{"h":"b"}', epoch: 'u'})},
  {name: 'select gzip', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu'}), headers: {'Accept-Encoding': 'gzip'}},
  {name: 'select POST form', method: 'POST', path: '/query', body: 'db=db&q=SELECT+count(v)+FROM+cpu', headers: form},
  {name: 'GET change warns', method: 'GET', path: '/query?q=CREATE+DATABASE+db2'},
  {name: 'statement error', method: 'GET', path: '/query?q=SELECT+v+FROM+nowhere..m%3BSHOW+DATABASES'},
  {name: 'statement error chunked', method: 'GET', path: '/query?chunked=true&q=SELECT+v+FROM+nowhere..m%3BSHOW+DATABASES'},
  {name: 'options', method: 'OPTIONS', path: '/query', headers: {Origin: 'http://x'}},
  {name: 'select bad epoch', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu', epoch: 'weeks'})},
  {name: 'select epoch h', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu', epoch: 'h'})},
  {name: 'parse error as CSV', method: 'GET', path: '/query?q=SELEC', headers: {Accept: 'text/csv'}},
  {name: 'parse error pretty', method: 'GET', path: '/query?q=SELEC&pretty=true'},
  {name: 'ping as CSV', method: 'GET', path: '/ping', headers: {Accept: 'application/csv'}},
  {name: 'write with u/p, auth off', method: 'POST', path: '/write?db=db&u=x&p=y', body: 'cpu v=9 9'},
  {name: 'write quorum', method: 'POST', path: '/write?db=db&consistency=quorum', body: 'cpu v=10 10'},
  {name: 'write rp autogen', method: 'POST', path: '/write?db=db&rp=autogen', body: 'cpu v=11 11'},
  {name: 'query rp', method: 'GET', path: '/query' + q({db: 'db', rp: 'autogen', q: 'SELECT count(v) FROM cpu'})},
  {name: 'query unknown rp', method: 'GET', path: '/query' + q({db: 'db', rp: 'nope', q: 'SELECT count(v) FROM cpu'})},
  {name: 'query chunked, bad chunk_size', method: 'GET', path: '/query' + q({db: 'db', q: 'SELECT * FROM cpu', chunked: 'true', chunk_size: 'x'})},
  {name: 'query two statements', method: 'GET', path: '/query' + q({db: 'db', q: 'SHOW MEASUREMENTS; SHOW TAG KEYS'})},
  {name: 'multipart q', method: 'POST', path: '/query', body: '--XyZ\r\nContent-Disposition: form-data; name="q"\r\n\r\nSHOW DATABASES\r\n--XyZ--\r\n', headers: {'Content-Type': 'multipart/form-data; boundary=XyZ'}},
  {name: 'multipart q file', method: 'POST', path: '/query?db=db', body: '--XyZ\r\nContent-Disposition: form-data; name="q"; filename="q.txt"\r\nContent-Type: text/plain\r\n\r\nSHOW MEASUREMENTS\r\n--XyZ--\r\n', headers: {'Content-Type': 'multipart/form-data; boundary=XyZ'}},
  {name: 'multipart damaged', method: 'POST', path: '/query', body: '--XyZ\r\nnonsense', headers: {'Content-Type': 'multipart/form-data; boundary=XyZ'}},
  {name: 'POST write to /query', method: 'POST', path: '/query?q=SHOW+DATABASES', body: 'ignored', headers: {'Content-Type': 'text/plain'}},
]

const HEADERS = ['content-type', 'content-encoding', 'x-influxdb-error', 'www-authenticate', 'x-content-type-options', 'access-control-allow-origin']

function comparable(a: Answer): Record<string, unknown> {
  const body = a.headers['content-encoding'] === 'gzip' && a.body.length > 0 ? gunzipSync(a.body) : a.body
  return {status: a.status, body: body.toString('utf8'), ...Object.fromEntries(HEADERS.map((h) => [h, a.headers[h]]))}
}

describe.skipIf(missing !== undefined)('the data node API next to influxd 1.6.7', () => {
  let influxd: Influxd
  let node: Node
  beforeAll(async () => {
    influxd = await startInfluxd()
    node = await startNode()
  }, 60_000)
  afterAll(async () => {
    await node?.close()
    await influxd?.stop()
  })

  it('answers every request of the table as influxd does', async () => {
    const differences: string[] = []
    for (const c of CASES) {
      const init = {body: c.body, headers: c.headers}
      const real = comparable(await req(influxd.url, c.method, c.path, init))
      const ours = comparable(await req(node.url, c.method, c.path, init))
      try {
        expect(ours).toEqual(real)
      } catch {
        differences.push(`${c.name}: influxd ${JSON.stringify(real)}\n  dev node ${JSON.stringify(ours)}`)
      }
    }
    expect(differences.join('\n')).toBe('')
  }, 60_000)

  it('has the same /debug/vars httpd value names', async () => {
    const names = async (url: string) => {
      const v = JSON.parse((await req(url, 'GET', '/debug/vars')).text) as Record<string, {name?: string; values?: Record<string, unknown>}>
      const h = Object.values(v).find((s) => s.name === 'httpd')!
      return Object.keys(h.values!)
    }
    expect(await names(node.url)).toEqual(await names(influxd.url))
  })
})

const SECRET = 'sekrit'
function jwt(claims: Record<string, unknown>, secret = SECRET): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const input = `${b64({alg: 'HS256', typ: 'JWT'})}.${b64(claims)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}
const inAMinute = () => Math.floor(Date.now() / 1000) + 60
const bearer = (t: string) => ({Authorization: `Bearer ${t}`})
const asAdmin = {u: 'admin', p: 'pw'}
const asBob = {u: 'bob', p: 'bobpw'}
const postQ = (query: string, creds: Record<string, string> = asAdmin): Case => ({name: query, method: 'POST', path: '/query' + q(creds), body: new URLSearchParams({q: query}).toString(), headers: form})
const getQ = (name: string, params: Record<string, string>, headers?: Record<string, string>): Case => ({name, method: 'GET', path: '/query' + q(params), headers})

/** Built when run: the tokens carry the current time. */
function authCases(): Case[] {
  return [
    getQ('no admin yet', {q: 'SHOW DATABASES'}),
    {name: 'write, no admin yet, unknown db', method: 'POST', path: '/write?db=nope', body: 'm v=1'},
    postQ("CREATE USER admin WITH PASSWORD 'pw' WITH ALL PRIVILEGES", {}),
    getQ('no credentials', {q: 'SHOW DATABASES'}),
    getQ('u without p', {q: 'SHOW DATABASES', u: 'admin'}),
    getQ('wrong password', {q: 'SHOW DATABASES', u: 'admin', p: 'nope'}),
    getQ('unknown user', {q: 'SHOW DATABASES', u: 'ghost', p: 'x'}),
    getQ('Token scheme', {q: 'SHOW DATABASES'}, {Authorization: 'Token admin:pw'}),
    getQ('Basic without a name', {q: 'SHOW DATABASES'}, {Authorization: `Basic ${Buffer.from(':pw').toString('base64')}`}),
    getQ('Basic', {q: 'SHOW DATABASES'}, {Authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}`}),
    getQ('bearer, one segment', {q: 'SHOW DATABASES'}, bearer('abc')),
    getQ('bearer, wrong secret', {q: 'SHOW DATABASES'}, bearer(jwt({username: 'admin', exp: inAMinute()}, 'wrong'))),
    getQ('bearer, expired', {q: 'SHOW DATABASES'}, bearer(jwt({username: 'admin', exp: inAMinute() - 120}))),
    getQ('bearer, no exp', {q: 'SHOW DATABASES'}, bearer(jwt({username: 'admin'}))),
    getQ('bearer, empty username', {q: 'SHOW DATABASES'}, bearer(jwt({username: '', exp: inAMinute()}))),
    getQ('bearer, unknown user', {q: 'SHOW DATABASES'}, bearer(jwt({username: 'ghost', exp: inAMinute()}))),
    getQ('bearer', {q: 'SHOW DATABASES'}, bearer(jwt({username: 'admin', exp: inAMinute()}))),
    postQ("CREATE DATABASE db; CREATE DATABASE other; CREATE USER bob WITH PASSWORD 'bobpw'; GRANT READ ON db TO bob"),
    getQ('bob reads db', {q: 'SELECT * FROM m', db: 'db', ...asBob}),
    getQ('bob reads other', {q: 'SELECT * FROM m', db: 'other', ...asBob}),
    getQ('bob reads without db', {q: 'SELECT * FROM m', ...asBob}),
    getQ('bob reads two', {q: 'SELECT * FROM db..m; SELECT * FROM other..m', ...asBob}),
    getQ('bob lists databases', {q: 'SHOW DATABASES', ...asBob}),
    getQ('bob drops', {q: 'DROP DATABASE db', ...asBob}),
    getQ('bob lists users', {q: 'SHOW USERS', ...asBob}),
    getQ('bob sets a password', {q: "SET PASSWORD FOR bob = 'x'", ...asBob}),
    getQ('bob selects into', {q: 'SELECT * INTO other..m2 FROM db..m', ...asBob}),
    getQ('bob deletes', {q: 'DELETE FROM m', db: 'db', ...asBob}),
    getQ('bob shows measurements', {q: 'SHOW MEASUREMENTS', db: 'other', ...asBob}),
    getQ('bob shows retention policies', {q: 'SHOW RETENTION POLICIES ON other', ...asBob}),
    {name: 'bob writes', method: 'POST', path: '/write?db=db&u=bob&p=bobpw', body: 'm v=1'},
    {name: 'bob writes to an unknown db', method: 'POST', path: '/write?db=nope&u=bob&p=bobpw', body: 'm v=1'},
    {name: 'admin writes', method: 'POST', path: '/write?db=db&u=admin&p=pw', body: 'm v=1 1'},
    {name: 'body over the limit', method: 'POST', path: '/write?db=db&u=admin&p=pw', body: 'm v=1 1\n'.repeat(200)},
    {name: 'streamed body over the limit', method: 'POST', path: '/write?db=db&u=admin&p=pw', body: 'm v=1 1\n'.repeat(200), headers: {'Transfer-Encoding': 'chunked'}},
    postQ('REVOKE ALL PRIVILEGES FROM admin'),
    getQ('no admin left', {q: 'SHOW DATABASES', ...asBob}),
    {name: 'write, no admin left', method: 'POST', path: '/write?db=db&u=bob&p=bobpw', body: 'm v=1'},
  ]
}

describe.skipIf(missing !== undefined)('the data node API next to influxd 1.6.7, auth on', () => {
  let influxd: Influxd
  let node: Node
  beforeAll(async () => {
    influxd = await startInfluxd({}, {'auth-enabled': true, 'shared-secret': SECRET, 'max-body-size': 1000})
    node = await startNode({authEnabled: true, sharedSecret: SECRET, maxBodySize: 1000})
  }, 60_000)
  afterAll(async () => {
    await node?.close()
    await influxd?.stop()
  })

  it('answers every request of the table as influxd does', async () => {
    const differences: string[] = []
    const statuses = new Set<unknown>()
    for (const c of authCases()) {
      const init = {body: c.body, headers: c.headers}
      const real = comparable(await req(influxd.url, c.method, c.path, init))
      statuses.add(real.status)
      const ours = comparable(await req(node.url, c.method, c.path, init))
      try {
        expect(ours).toEqual(real)
      } catch {
        differences.push(`${c.name}: influxd ${JSON.stringify(real)}\n  dev node ${JSON.stringify(ours)}`)
      }
    }
    expect(differences.join('\n')).toBe('')
    expect([...statuses].sort()).toEqual([200, 204, 401, 403, 404, 413])
  }, 60_000)
})
