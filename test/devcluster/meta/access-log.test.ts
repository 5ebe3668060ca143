// The meta-http access log (cluster-tracing): the 1.0-1.4 text line and the 1.9.6+ logfmt `weblog` fields, checked
// by shape and by feeding them to medic's own Explainer, which must recognise them as the catalogue entries an
// operator would get for a real Enterprise meta log. Also the request-id and duration formats they use.
import {afterEach, describe, expect, it} from 'vitest'

import {clfTime} from '../../../src/devcluster/node/go-text.js'
import {createTimeUuid} from '../../../src/devcluster/node/request-id.js'
import {formatGoDuration as goDuration} from '../../../src/util/duration.js'
import {signJwt} from '../../../src/devcluster/node/jwt.js'
import {Explainer} from '../../../src/logs/explain.js'
import {form, http, jsonBody, startNode, stopNodes, T0, type TestNode, until} from './harness.js'

afterEach(stopNodes)

const AGENT = {'user-agent': 'InfluxDB Meta Client'}
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-000000000000'

/** Makes a request and returns the access-log line it produced. */
async function logged(n: TestNode, method: string, path: string, opts: {body?: string; headers?: Record<string, string>} = {}): Promise<string> {
  const before = n.lines.length
  await http(method, `${n.url}${path}`, {...opts, headers: {...AGENT, ...opts.headers}})
  await until(`the access log line for ${method} ${path}`, () => n.lines.length > before)
  return n.lines[n.lines.length - 1]
}

const explain = (line: string) => new Explainer({now: T0}).explain(line)

describe('request ids, durations and CLF times', () => {
  it('makes time UUIDs (v1 layout) that never repeat, even within one millisecond', () => {
    const ids = new Set<string>()
    const next = createTimeUuid(() => T0)
    for (let i = 0; i < 20_000; i++) ids.add(next())
    expect(ids.size).toBe(20_000)
    for (const id of [...ids].slice(0, 3)) expect(id).toMatch(new RegExp(`^${UUID}$`))
    // The timestamp field encodes the clock: 100-ns intervals since 1582-10-15.
    const id = createTimeUuid(() => Date.UTC(2016, 8, 19, 9, 8, 53))()
    const [low, mid, high] = id.split('-')
    const t = (BigInt(`0x${high.slice(1)}`) << 48n) | (BigInt(`0x${mid}`) << 32n) | BigInt(`0x${low}`)
    expect(Number((t - 122_192_928_000_000_000n) / 10_000n)).toBe(Date.UTC(2016, 8, 19, 9, 8, 53))
  })

  it('writes durations the way Go does', () => {
    expect(goDuration(0)).toBe('0s')
    expect(goDuration(999)).toBe('999ns')
    expect(goDuration(380_542)).toBe('380.542µs')
    expect(goDuration(8_875_470)).toBe('8.87547ms')
    expect(goDuration(2_003_000_000)).toBe('2.003s')
    expect(goDuration(30_001_000_000)).toBe('30.001s')
    expect(goDuration(90_500_000_000)).toBe('1m30.5s')
    expect(goDuration(3_600_000_000_000)).toBe('1h0m0s')
    expect(clfTime(Date.UTC(2016, 8, 19, 9, 8, 53))).toBe('19/Sep/2016:09:08:53 +0000')
  })
})

describe('meta-http access log', () => {
  it('writes nothing without cluster-tracing', async () => {
    const n = await startNode({config: {clusterTracing: false}})
    await http('GET', `${n.url}/ping`)
    await http('GET', `${n.url}/status`)
    expect(n.lines.filter((l) => l.includes('weblog') || l.includes('meta-http'))).toEqual([])
  })

  it('legacy lines have the documented layout and are recognised by the catalogue', async () => {
    const n = await startNode({format: 'legacy', config: {clusterTracing: true}})
    // Not joined yet: 503.
    const unjoined = await logged(n, 'GET', '/?index=0')
    expect(explain(unjoined).id).toBe('meta-not-joined')
    n.raft.lead()
    const granted = await logged(n, 'GET', '/lease?name=continuous_querier&node_id=4')
    const denied = await logged(n, 'GET', '/lease?name=continuous_querier&node_id=5')
    expect(denied).toMatch(new RegExp(
      '^\\[meta-http\\] 2026/11/22 01:02:03 127\\.0\\.0\\.1 - - \\[22/Nov/2026:01:02:03 \\+0000\\] ' +
      `GET /lease\\?name=continuous_querier&node_id=5 HTTP/1\\.1 409 105 - InfluxDB Meta Client ${UUID} [\\d.]+(ns|µs|ms|s)$`,
    ))
    // 105 bytes for both answers, as in the FAQ's lines.
    expect(granted).toMatch(/ HTTP\/1\.1 200 105 - InfluxDB Meta Client /)
    expect(explain(denied)).toMatchObject({id: 'cq-lease-denied', values: {httpStatus: 409, nodeId: 5, lease: 'continuous_querier'}})
    expect(explain(granted)).toMatchObject({id: 'cq-lease-granted', values: {httpStatus: 200, nodeId: 4}})
    expect(explain(await logged(n, 'GET', '/ding')).id).toBe('meta-http-client-error')
    expect(explain(await logged(n, 'GET', '/ping')).id).toBe('meta-http-request-logged')
    n.raft.follow({id: 'meta-9:8089', httpAddr: 'meta-9:8091', voter: true})
    const redirected = await logged(n, 'POST', '/add-data', form({addr: 'd:8088'}))
    expect(redirected).toMatch(/ POST \/add-data HTTP\/1\.1 307 0 - InfluxDB Meta Client /)
    expect(explain(redirected).id).toBe('meta-http-redirect-leader')
    n.raft.loseLeader()
    expect(explain(await logged(n, 'POST', '/add-data', form({addr: 'd:8088'}))).id).toBe('meta-not-joined')
  })

  it('[I]-era (1.2-1.4) access lines keep the [meta-http] prefix without a time stamp and are recognised too', async () => {
    const n = await startNode({format: 'legacy-level', config: {clusterTracing: true}})
    n.raft.lead()
    const denied0 = await logged(n, 'GET', '/lease?name=continuous_querier&node_id=4')
    const denied = await logged(n, 'GET', '/lease?name=continuous_querier&node_id=5')
    expect(denied).toMatch(new RegExp(
      '^\\[meta-http\\] 127\\.0\\.0\\.1 - - \\[22/Nov/2026:01:02:03 \\+0000\\] ' +
      `GET /lease\\?name=continuous_querier&node_id=5 HTTP/1\\.1 409 \\d+ - InfluxDB Meta Client ${UUID} [\\d.]+(ns|µs|ms|s)$`,
    ))
    expect(explain(denied0)).toMatchObject({id: 'cq-lease-granted', values: {httpStatus: 200, nodeId: 4}})
    expect(explain(denied)).toMatchObject({id: 'cq-lease-denied', values: {httpStatus: 409, nodeId: 5}})
    // The node's other lines are zap text lines: [I] <RFC 3339> message service=meta-http key=value.
    n.raft.follow({id: 'meta-9:8089', httpAddr: 'meta-9:8091', voter: true})
    expect(explain(await logged(n, 'POST', '/add-data', form({addr: 'd:8088'}))).id).toBe('meta-http-redirect-leader')
  })

  it('logfmt weblog lines carry the fields, redact passwords and are recognised by the catalogue', async () => {
    const n = await startNode({format: 'logfmt', config: {clusterTracing: true, authEnabled: true, sharedSecret: 's', internalSharedSecret: 'i'}})
    n.raft.lead()
    const auth = {authorization: `Bearer ${signJwt('whoever', 's', T0)}`}
    const denied = await logged(n, 'GET', '/lease?name=continuous_querier&node_id=4', {headers: auth}).then(() => logged(n, 'GET', '/lease?name=continuous_querier&node_id=5', {headers: auth}))
    expect(denied).toMatch(new RegExp(
      '^ts=2026-11-22T01:02:03\\.456000Z lvl=info msg=weblog log_id=0TESTLOGID0 service=meta-http host=127\\.0\\.0\\.1 ' +
      'user-id="" username=whoever method=GET uri="/lease\\?name=continuous_querier&node_id=5" protocol=HTTP/1\\.1 command="" status=409 size=\\d+ ' +
      `referrer="" user-agent="InfluxDB Meta Client" request-id=${UUID} execution-time=\\d+\\.\\d{3}ms execution-time-readable=[\\d.]+(ns|µs|ms|s)$`,
    ))
    expect(explain(denied)).toMatchObject({id: 'cq-lease-denied', values: {httpStatus: 409, nodeId: 5}})
    const created = await logged(n, 'POST', '/user', jsonBody({action: 'create', user: {name: 'ops', password: 'hunter2'}}, auth))
    expect(created).not.toContain('hunter2')
    expect(created).toContain('[REDACTED]')
    expect(created).toMatch(/ status=200 /)
    // Now that a user exists, tokens must name one (the dev bootstrap rule is over).
    const ops = {authorization: `Bearer ${signJwt('ops', 's', T0)}`}
    const formPost = await logged(n, 'POST', '/add-data?password=secret1', {body: 'addr=d:8088&password=hunter2', headers: {...ops, 'content-type': 'application/x-www-form-urlencoded'}})
    expect(formPost).not.toMatch(/hunter2|secret1/)
    expect(formPost).toContain('uri="/add-data?password=[REDACTED]"')
    expect(formPost).toContain('command="addr=d:8088&password=[REDACTED]"')
    expect(formPost).toMatch(/ username=ops .* status=200 /)
    const unauthorised = await logged(n, 'GET', '/show-cluster')
    expect(unauthorised).toMatch(/ status=401 /)
    expect(explain(unauthorised).id).toBe('meta-http-client-error')
    n.raft.loseLeader()
    expect(explain(await logged(n, 'GET', '/show-cluster', {headers: {authorization: `Bearer ${signJwt('ops', 'i', T0)}`}})).id).toBe('meta-not-joined')
    expect(explain(await logged(n, 'GET', '/ping')).id).toBe('meta-http-request-logged')
  })
})
