// The data node's HTTP API with real parts: endpoints, statuses, bodies and headers as influxd 1.6.7 gives them.
import {gunzipSync, gzipSync} from 'node:zlib'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {get, type Node, post, q, req, startNode, VERSION} from './fixture.js'

let node: Node
beforeAll(async () => {
  node = await startNode({maxBodySize: 10_000})
  await node.meta.createDatabase('db')
})
afterAll(async () => node.close())

const json = (t: string) => JSON.parse(t) as Record<string, unknown>

describe('common headers and routing', () => {
  it('ping: 204 with version, build, request ids and a JSON content type', async () => {
    const r = await get(node.url, '/ping')
    expect(r.status).toBe(204)
    expect(r.body.length).toBe(0)
    expect(r.headers['x-influxdb-version']).toBe(VERSION)
    expect(r.headers['x-influxdb-build']).toBe('ENT')
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.headers['request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-000000000000$/)
    expect(r.headers['x-request-id']).toBe(r.headers['request-id'])
  })

  it('ping: HEAD 204; verbose=true 200 with the version; a client request id is echoed', async () => {
    expect((await req(node.url, 'HEAD', '/ping')).status).toBe(204)
    const v = await get(node.url, '/ping?verbose=true')
    expect(v.status).toBe(200)
    expect(v.text).toBe(`{"version":"${VERSION}"}`)
    expect((await get(node.url, '/ping?verbose=false')).status).toBe(204)
    const id = await get(node.url, '/ping', {'X-Request-Id': 'abc-123'})
    expect(id.headers['request-id']).toBe('abc-123')
    expect(id.headers['x-request-id']).toBe('abc-123')
  })

  it('status: 204 and the deprecation warning in the log', async () => {
    const before = node.lines.length
    const r = await get(node.url, '/status')
    expect(r.status).toBe(204)
    expect((await req(node.url, 'HEAD', '/status')).status).toBe(204)
    expect(node.lines.slice(before).some((l) => l.includes('msg="WARNING: /status has been deprecated.  Use /ping instead."') && l.includes('service=httpd'))).toBe(true)
  })

  it('unknown path: Go mux 404 text; wrong method: 405 with Allow', async () => {
    const r = await get(node.url, '/nope')
    expect(r.status).toBe(404)
    expect(r.text).toBe('404 page not found\n')
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['x-influxdb-version']).toBe(VERSION)
    const m = await post(node.url, '/ping', '')
    expect(m.status).toBe(405)
    expect(m.text).toBe('Method Not Allowed\n')
    expect(m.headers.allow).toBe('GET, HEAD')
    expect((await get(node.url, '/write')).headers.allow).toBe('OPTIONS, POST')
    expect((await req(node.url, 'DELETE', '/query')).headers.allow).toBe('OPTIONS, GET, POST')
    expect((await req(node.url, 'HEAD', '/query')).status).toBe(405)
  })

  it('OPTIONS with an Origin: 200 and the CORS headers', async () => {
    const r = await req(node.url, 'OPTIONS', '/write', {headers: {Origin: 'http://x'}})
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBe('http://x')
    expect(r.headers['access-control-allow-methods']).toBe('DELETE, GET, OPTIONS, POST, PUT')
  })
})

describe('/write', () => {
  it('db required, unknown db 404, with X-Influxdb-Error', async () => {
    const a = await post(node.url, '/write', 'm v=1')
    expect([a.status, a.text]).toEqual([400, '{"error":"database is required"}\n'])
    expect(a.headers['x-influxdb-error']).toBe('database is required')
    const b = await post(node.url, '/write?db=x', 'm v=1')
    expect([b.status, b.text]).toEqual([404, '{"error":"database not found: \\"x\\""}\n'])
    expect(b.headers['x-influxdb-error']).toBe('database not found: "x"')
  })

  it('writes points (precision, consistency in any case) and they read back', async () => {
    expect((await post(node.url, '/write?db=db&precision=s', 'cpu,host=a v=1 10\ncpu,host=b v=2 20')).status).toBe(204)
    expect((await post(node.url, '/write?db=db&consistency=ALL', 'cpu,host=a v=3 30000000000')).status).toBe(204)
    expect(node.writes.at(-1)?.consistency).toBe('all')
    const r = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cpu', epoch: 's'}))
    expect(r.status).toBe(200)
    expect(json(r.text)).toEqual({results: [{statement_id: 0, series: [{name: 'cpu', columns: ['time', 'v'], values: [[10, 1], [20, 2], [30, 3]]}]}]})
  })

  it('unknown precision is nanoseconds on 1.6; refused by 1.8+ nodes', async () => {
    expect((await post(node.url, '/write?db=db&precision=foo', 'p v=1 5')).status).toBe(204)
    const n18 = await startNode({}, {version: '1.8.10-c1.8.10'})
    try {
      await n18.meta.createDatabase('db')
      const r = await post(n18.url, '/write?db=db&precision=foo', 'p v=1 5')
      expect([r.status, json(r.text).error]).toEqual([400, 'invalid precision "foo" (use n, u, ms, s, m or h)'])
      expect((await post(n18.url, '/write?db=db&precision=ms', 'p v=1 5')).status).toBe(204)
    } finally {
      await n18.close()
    }
  })

  it('bad consistency: 400 invalid consistency level (after parsing: garbage wins)', async () => {
    const a = await post(node.url, '/write?db=db&consistency=foo', 'm v=1')
    expect([a.status, json(a.text).error]).toEqual([400, 'invalid consistency level'])
    const b = await post(node.url, '/write?db=db&consistency=foo', 'garbage')
    expect([b.status, json(b.text).error]).toEqual([400, "unable to parse 'garbage': missing fields"])
  })

  it('empty body: 204, and the write still runs (an unknown rp is a 500)', async () => {
    expect((await post(node.url, '/write?db=db', '')).status).toBe(204)
    const r = await post(node.url, '/write?db=db&rp=nope', '')
    expect([r.status, json(r.text).error]).toEqual([500, 'retention policy not found: nope'])
  })

  it('parse errors: 400; partial: the good points are written', async () => {
    const r = await post(node.url, '/write?db=db', 'part v=1 1\nbad\npart v=2 2')
    expect([r.status, json(r.text).error]).toEqual([400, "partial write: unable to parse 'bad': missing fields dropped=0"])
    const back = await get(node.url, '/query' + q({db: 'db', q: 'SELECT count(v) FROM part'}))
    expect(back.text).toContain('"values":[["1970-01-01T00:00:00Z",2]]')
  })

  it('field type conflict: 400 partial write from the store', async () => {
    await post(node.url, '/write?db=db', 'ft v=1 1')
    const r = await post(node.url, '/write?db=db', 'ft v="s" 2')
    expect(r.status).toBe(400)
    expect(json(r.text).error).toBe('partial write: field type conflict: input field "v" on measurement "ft" is type string, already exists as type float dropped=1')
  })

  it('write failures: own status, else 500, with the error in the header', async () => {
    node.failNextWrite = Object.assign(new Error('write failed: hinted handoff queue not empty'), {})
    const a = await post(node.url, '/write?db=db', 'm v=1')
    expect([a.status, json(a.text).error]).toEqual([500, 'write failed: hinted handoff queue not empty'])
    expect(a.headers['x-influxdb-error']).toBe('write failed: hinted handoff queue not empty')
    node.failNextWrite = Object.assign(new Error('timeout'), {status: 503})
    expect((await post(node.url, '/write?db=db', 'm v=1')).status).toBe(503)
    node.failNextWrite = new Error('partial write')
    expect((await post(node.url, '/write?db=db', 'm v=1')).status).toBe(400)
  })

  it('413 for a declared or streamed body over max-body-size, then the connection closes', async () => {
    const big = 'x'.repeat(20_000)
    const a = await post(node.url, '/write?db=db', big)
    expect([a.status, a.text]).toEqual([413, '{"error":"Request Entity Too Large"}\n'])
    expect(a.headers.connection).toBe('close')
    const b = await req(node.url, 'POST', '/write?db=db', {body: big, headers: {'Transfer-Encoding': 'chunked'}})
    expect(b.status).toBe(413)
    expect((await get(node.url, '/ping')).status).toBe(204)
  })

  it('gzip bodies: decompressed; damaged: influxd texts; a gzip bomb: 413 without inflating it all', async () => {
    const ok = await post(node.url, '/write?db=db', gzipSync('gz v=7 7'), {'Content-Encoding': 'gzip'})
    expect(ok.status).toBe(204)
    const short = await post(node.url, '/write?db=db', 'notgzip', {'Content-Encoding': 'gzip'})
    expect([short.status, json(short.text).error]).toEqual([400, 'unexpected EOF'])
    const bad = await post(node.url, '/write?db=db', 'definitely not a gzip stream', {'Content-Encoding': 'gzip'})
    expect([bad.status, json(bad.text).error]).toEqual([400, 'gzip: invalid header'])
    const cut = await post(node.url, '/write?db=db', gzipSync('gz v=8 8').subarray(0, 15), {'Content-Encoding': 'gzip'})
    expect([cut.status, json(cut.text).error]).toEqual([400, 'unexpected EOF'])
    // 150 MB of one byte compress to about 150 KB: under a 200 KB limit on the wire, far over it inflated.
    const bomb = gzipSync(Buffer.alloc(150 * 1024 * 1024, 0x61))
    expect(bomb.length).toBeLessThan(200_000)
    const small = await startNode({maxBodySize: 200_000})
    try {
      await small.meta.createDatabase('db')
      const before = process.memoryUsage().rss
      const r = await post(small.url, '/write?db=db', bomb, {'Content-Encoding': 'gzip'})
      expect([r.status, json(r.text).error]).toEqual([413, 'Request Entity Too Large'])
      expect(process.memoryUsage().rss - before).toBeLessThan(80 * 1024 * 1024)
      expect((await get(small.url, '/ping')).status).toBe(204)
    } finally {
      await small.close()
    }
  })

  it('invalid UTF-8 is stored with replacement characters and the node stays up', async () => {
    const r = await post(node.url, '/write?db=db', Buffer.concat([Buffer.from('u8,t='), Buffer.from([0xff, 0xfe]), Buffer.from(' v=1 1')]))
    expect(r.status).toBe(204)
    const back = await get(node.url, '/query' + q({db: 'db', q: 'SELECT * FROM u8'}))
    // influxd's JSON encoder writes the bad bytes as the escape \ufffd; the dev node writes the character itself.
    expect(back.text).toContain('\ufffd')
  })

  it('Accept: text/csv gives errors in CSV; /write answers are never compressed', async () => {
    const r = await post(node.url, '/write?db=db', 'bad', {Accept: 'text/csv'})
    expect(r.headers['content-type']).toBe('text/csv')
    expect(r.text).toBe("error\nunable to parse 'bad': missing fields\n")
    // influxd 1.6.7 compresses /query answers only.
    const g = await post(node.url, '/write?db=db', 'bad', {'Accept-Encoding': 'gzip'})
    expect(g.headers['content-encoding']).toBeUndefined()
    expect(g.text).toBe('{"error":"unable to parse \'bad\': missing fields"}\n')
  })
})

describe('/query', () => {
  it('q required; parse errors 400', async () => {
    const a = await get(node.url, '/query')
    expect([a.status, a.text]).toEqual([400, '{"error":"missing required parameter \\"q\\""}\n'])
    const b = await get(node.url, '/query?q=SELEC')
    expect(b.status).toBe(400)
    expect(json(b.text).error).toMatch(/^error parsing query: /)
  })

  it('POST form and multipart (field and file); GET writes carry the warning', async () => {
    const f = await post(node.url, '/query', 'q=CREATE+DATABASE+f1', {'Content-Type': 'application/x-www-form-urlencoded'})
    expect(json(f.text)).toEqual({results: [{statement_id: 0}]})
    const form = new FormData()
    form.append('q', 'SHOW DATABASES')
    const mp = new Request('http://x', {method: 'POST', body: form})
    const body = Buffer.from(await mp.arrayBuffer())
    const m = await post(node.url, '/query', body, {'Content-Type': mp.headers.get('content-type')!})
    expect(m.text).toContain('"f1"')
    const file = new FormData()
    file.append('q', new Blob(['SHOW DATABASES']), 'q.txt')
    const mf = new Request('http://x', {method: 'POST', body: file})
    const mfr = await post(node.url, '/query', Buffer.from(await mf.arrayBuffer()), {'Content-Type': mf.headers.get('content-type')!})
    expect(mfr.text).toContain('"f1"')
    const g = await get(node.url, '/query' + q({q: 'CREATE DATABASE f2'}))
    expect(json(g.text)).toEqual({results: [{statement_id: 0, messages: [{level: 'warning', text: "deprecated use of 'CREATE DATABASE f2' in a read only context, please use a POST request instead"}]}]})
  })

  it('CSV, pretty, chunked, epoch, params, gzip', async () => {
    await post(node.url, '/write?db=db', 'cq,h=a v=1 1\ncq,h=a v=2 2\ncq,h=a v=3 3')
    const csv = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cq'}), {Accept: 'application/csv'})
    expect(csv.headers['content-type']).toBe('text/csv')
    expect(csv.text).toBe('name,tags,time,v\ncq,,1,1\ncq,,2,2\ncq,,3,3\n')
    const pretty = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cq LIMIT 1', pretty: 'true', epoch: 'ns'}))
    expect(pretty.text).toContain('\n    "results": [')
    const chunked = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cq', chunked: 'true', chunk_size: '2', epoch: 'ns'}))
    const docs = chunked.text.trim().split('\n').map((l) => JSON.parse(l))
    expect(docs).toHaveLength(2)
    expect(docs[0].results[0].partial).toBe(true)
    const params = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cq WHERE v = $x', params: '{"x": 2}', epoch: 'ns'}))
    expect(json(params.text)).toEqual({results: [{statement_id: 0, series: [{name: 'cq', columns: ['time', 'v'], values: [[2, 2]]}]}]})
    const badParams = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cq', params: '{'}))
    expect(badParams.status).toBe(400)
    expect(json(badParams.text).error).toMatch(/^error parsing query parameters: /)
    const gz = await get(node.url, '/query' + q({db: 'db', q: 'SELECT v FROM cq', epoch: 'ms'}), {'Accept-Encoding': 'gzip'})
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).toString()).toContain('"columns":["time","v"]')
  })

  it('statement errors inside a 200; max-row-limit cuts and marks partial', async () => {
    const r = await get(node.url, '/query' + q({q: 'SELECT v FROM nowhere..m; SHOW DATABASES'}))
    expect(r.status).toBe(200)
    // influxd 1.6.7's quirk: the failed statement's id is reused for "not executed", which replaces its error.
    expect(json(r.text)).toEqual({results: [{statement_id: 0, error: 'not executed'}]})
    const c = await get(node.url, '/query' + q({q: 'SELECT v FROM nowhere..m; SHOW DATABASES', chunked: 'true'}))
    expect(c.text).toBe('{"results":[{"statement_id":0,"error":"database not found: nowhere"}]}\n{"results":[{"statement_id":0,"error":"not executed"}]}\n')
    const limited = await startNode({maxRowLimit: 2})
    try {
      await limited.meta.createDatabase('db')
      await post(limited.url, '/write?db=db', 'r v=1 1\nr v=2 2\nr v=3 3')
      const l = await get(limited.url, '/query' + q({db: 'db', q: 'SELECT v FROM r', epoch: 'ns'}))
      expect(json(l.text)).toEqual({results: [{statement_id: 0, series: [{name: 'r', columns: ['time', 'v'], values: [[1, 1], [2, 2]], partial: true}]}]})
    } finally {
      await limited.close()
    }
  })

  it('10,000 statements, deep nesting and invalid UTF-8 in q: influxd-style answers, node stays up', async () => {
    const many = Array.from({length: 10_000}, () => 'SHOW DATABASES').join(';')
    const r = await post(node.url, '/query', new URLSearchParams({q: many}).toString(), {'Content-Type': 'application/x-www-form-urlencoded'})
    expect(r.status).toBe(200)
    expect((json(r.text).results as unknown[]).length).toBe(10_000)
    const deep = `SELECT v FROM cq WHERE ${'('.repeat(5000)}v = 1${')'.repeat(5000)}`
    const d = await post(node.url, '/query?db=db', new URLSearchParams({q: deep}).toString(), {'Content-Type': 'application/x-www-form-urlencoded'})
    expect([400, 200]).toContain(d.status)
    const u = await get(node.url, '/query?db=db&q=SELECT+*+FROM+%22%FF%22')
    expect(u.status).toBe(200)
    expect((await get(node.url, '/ping')).status).toBe(204)
  })

  it('async=true: 204 and the statements still run', async () => {
    const r = await post(node.url, '/query?async=true', 'q=CREATE+DATABASE+asyncdb', {'Content-Type': 'application/x-www-form-urlencoded'})
    expect(r.status).toBe(204)
    const {until} = await import('../../../helpers/wait.js')
    await until('the async statement to run', () => node.meta.databases().some((d) => d.name === 'asyncdb'))
  })
})

describe('/debug/vars', () => {
  it('is JSON with system, cmdline, memstats and the httpd statistic counting requests', async () => {
    await get(node.url, '/ping')
    const r = await get(node.url, '/debug/vars')
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(r.headers['request-id']).toBeUndefined()
    const v = json(r.text)
    expect(Object.keys(v).slice(0, 3)).toEqual(['system', 'cmdline', 'memstats'])
    expect((v.system as Record<string, unknown>).uptime).toBeTypeOf('number')
    const h = v['httpd:127.0.0.1:8086'] as {name: string; tags: Record<string, string>; values: Record<string, number>}
    expect(h.name).toBe('httpd')
    expect(h.tags).toEqual({bind: '127.0.0.1:8086'})
    for (const k of ['req', 'reqActive', 'writeReq', 'queryReq', 'pingReq', 'statusReq', 'pointsWrittenOK', 'pointsWrittenFail', 'pointsWrittenDropped', 'writeReqBytes', 'queryRespBytes', 'clientError', 'serverError', 'reqDurationNs', 'writeReqDurationNs', 'queryReqDurationNs', 'authFail']) {
      expect(h.values[k], k).toBeTypeOf('number')
    }
    expect(h.values.pingReq).toBeGreaterThan(0)
    expect(h.values.writeReq).toBeGreaterThan(0)
    expect(h.values.pointsWrittenOK).toBeGreaterThan(0)
    expect(h.values.pointsWrittenDropped).toBeGreaterThan(0)
    expect(h.values.clientError).toBeGreaterThan(0)
    expect(h.values.serverError).toBeGreaterThan(0)
    expect(h.values.reqActive).toBe(1)
    const again = json((await get(node.url, '/debug/vars')).text)['httpd:127.0.0.1:8086'] as {values: Record<string, number>}
    expect(again.values.req).toBe(h.values.req + 1)
  })
})
