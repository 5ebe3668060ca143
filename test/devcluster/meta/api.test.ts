// The meta node's HTTP API over real HTTP on 127.0.0.1 (port 0), with the deterministic LocalRaft in place of Raft:
// /status and /ping, add-meta / remove-meta / add-data / remove-data, redirects and 503s, the CQ lease, /execute,
// the long-polled /data, /user. Every body the server builds is checked against the wire schemas medic's probes use.
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {verifyPassword} from '../../../src/devcluster/meta/auth.js'
import {encodeCommand} from '../../../src/devcluster/meta/commands.js'
import {BusyError, NotLeaderError, OutcomeUnknownError} from '../../../src/devcluster/raft/node-api.js'
import {Explainer} from '../../../src/logs/explain.js'
import {checkLease, checkMetaStatus, errorMessageOf, loadSchemas, parseMetaPing} from '../../../src/wire/schemas.js'
import {deadPort} from '../../helpers/net.js'
import {form, http, jsonBody, startNode, stopNodes, T0, until} from './harness.js'

afterEach(stopNodes)

const UUID_V1 = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-000000000000$/

async function expectError(reply: {status: number; text: string}, status: number, message: string | RegExp): Promise<void> {
  expect(reply.status, reply.text).toBe(status)
  const error = await errorMessageOf(reply.text)
  expect(error, reply.text).toBeDefined()
  if (typeof message === 'string') expect(error).toBe(message)
  else expect(error).toMatch(message)
}

describe('meta API: /status and /ping', () => {
  it('answers /status in the documented shape before and after the node joins', async () => {
    const n = await startNode({raftId: 'meta-1:8089'})
    const before = await http('GET', `${n.url}/status`)
    expect(before.status).toBe(200)
    expect(before.text).toBe(`{"nodeType":"meta","leader":"","httpAddr":"${n.addr}","raftAddr":"meta-1:8089","peers":null}`)
    expect((await checkMetaStatus(before.json)).ok).toBe(true)
    expect(before.headers['content-type']).toBe('application/json')
    expect(before.headers['request-id']).toMatch(UUID_V1)
    expect(before.headers['x-request-id']).toBe(before.headers['request-id'])

    expect((await http('POST', `${n.url}/add-meta`, form({addr: n.addr}))).status).toBe(200)
    const after = await http('GET', `${n.url}/status`)
    expect(after.text).toBe(`{"nodeType":"meta","leader":"meta-1:8089","httpAddr":"${n.addr}","raftAddr":"meta-1:8089","peers":["meta-1:8089"]}`)
    expect((await checkMetaStatus(after.json)).ok).toBe(true)
    expect(after.headers['request-id']).not.toBe(before.headers['request-id'])
  })

  it('answers /ping with this node\'s address, joined or not', async () => {
    const n = await startNode()
    const r = await http('GET', `${n.url}/ping`)
    expect(r.status).toBe(200)
    expect(await parseMetaPing(r.text)).toEqual({addr: n.addr, text: r.text})
  })
})

describe('meta API: before the node is joined', () => {
  it('answers 503 no leader to everything but /status, /ping and add-meta, and 400 to unknown GET paths', async () => {
    const n = await startNode()
    for (const path of ['/show-cluster', '/show-shards', '/user', '/data?index=0', '/?index=0', '/lease?name=continuous_querier&node_id=4']) {
      await expectError(await http('GET', `${n.url}${path}`), 503, 'no leader')
    }
    await expectError(await http('POST', `${n.url}/add-data`, form({addr: 'data-1:8088'})), 503, 'no leader')
    await expectError(await http('POST', `${n.url}/remove-meta`, form({addr: 'x:8091'})), 503, 'no leader')
    await expectError(await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'dropDatabase', name: 'x'}})), 503, 'no leader')
    await expectError(await http('GET', `${n.url}/ding`), 400, 'error parsing index')
    await expectError(await http('GET', `${n.url}/`), 400, 'error parsing index')
    await expectError(await http('GET', `${n.url}/?index=abc`), 400, 'error parsing index')
    expect(n.raft.joined()).toBe(false)
  })
})

describe('meta API: membership', () => {
  it('add-meta of itself bootstraps a one-node cluster, and adding it again answers the same node', async () => {
    const n = await startNode({raftId: 'meta-1:8089'})
    const first = await http('POST', `${n.url}/add-meta`, form({addr: n.addr}))
    expect(first.status, first.text).toBe(200)
    expect(first.json).toEqual({id: 1, addr: n.addr, tcpAddr: 'meta-1:8089'})
    const s = await loadSchemas()
    expect(s.metaNode.safeParse(first.json).success).toBe(true)
    const again = await http('POST', `${n.url}/add-meta`, form({addr: n.addr}))
    expect(again.json).toEqual(first.json)
    expect(n.raft.calls.filter((c) => c[0] === 'bootstrap')).toHaveLength(1)
    const cluster = await http('GET', `${n.url}/show-cluster`)
    expect(cluster.json.meta).toEqual([{id: 1, addr: n.addr, httpScheme: 'http', tcpAddr: 'meta-1:8089', version: ''}])
  })

  it('add-meta of other nodes reads their /status over HTTP, creates them and adds them as voters', async () => {
    const a = await startNode({raftId: 'meta-a:8089'})
    const b = await startNode({raftId: 'meta-b:8089'})
    const c = await startNode({raftId: 'meta-c:8089'})
    // Run from a node that is not joined yet, for another node first: it forms its own cluster, then adds b.
    const rb = await http('POST', `${a.url}/add-meta`, form({addr: b.addr}))
    expect(rb.status, rb.text).toBe(200)
    expect(rb.json).toEqual({id: 2, addr: b.addr, tcpAddr: 'meta-b:8089'})
    expect((await http('POST', `${a.url}/add-meta`, form({addr: a.addr}))).json).toMatchObject({id: 1})
    expect((await http('POST', `${a.url}/add-meta`, form({addr: c.addr}))).json).toMatchObject({id: 3})
    expect(a.raft.calls.filter((x) => x[0] === 'addVoter').map((x) => x[1])).toEqual(['meta-b:8089', 'meta-c:8089'])
    expect(a.raft.peers()).toEqual(['meta-a:8089', 'meta-b:8089', 'meta-c:8089'])
    // Re-adding a member: 200 with the node, no second configuration change.
    expect((await http('POST', `${a.url}/add-meta`, form({addr: b.addr}))).json).toEqual(rb.json)
    expect(a.raft.calls.filter((x) => x[0] === 'addVoter')).toHaveLength(2)
    const shown = await http('GET', `${a.url}/show-cluster`)
    expect(shown.json.meta.map((m: {id: number}) => m.id)).toEqual([1, 2, 3])
    expect(a.store.checkInvariants()).toEqual([])
  })

  it('explains why a target is not a meta node (influxd-ctl wording), without forming a cluster', async () => {
    const n = await startNode()
    const dead = `127.0.0.1:${await deadPort()}`
    const r1 = await http('POST', `${n.url}/add-meta`, form({addr: dead}))
    await expectError(r1, 400, new RegExp(`^unable to determine if "${dead}" is a meta node: .*connection refused`))
    // The message is the one medic's catalogue knows, once influxd-ctl prefixes it.
    const explained = new Explainer().explain(`add-meta: operation exited with error: ${r1.json.error}`)
    expect(explained.id).toBe('join-not-meta-node')

    const wrong = createServer((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end('{"nodeType":"data"}')
    })
    await new Promise<void>((r) => wrong.listen(0, '127.0.0.1', r))
    try {
      const addr = `127.0.0.1:${(wrong.address() as AddressInfo).port}`
      await expectError(await http('POST', `${n.url}/add-meta`, form({addr})), 400, /is a meta node: unexpected \/status answer \(leader: /)
    } finally {
      wrong.closeAllConnections()
      await new Promise((r) => wrong.close(r))
    }
    const dataNode = await startNode({fetchStatus: async () => ({nodeType: 'data', leader: '', httpAddr: 'd:8086', raftAddr: 'd:8088', peers: null})})
    await expectError(await http('POST', `${dataNode.url}/add-meta`, form({addr: 'd:8086'})), 400, 'unable to determine if "d:8086" is a meta node: it says it is a "data" node')
    expect(n.raft.joined()).toBe(false)
    expect(n.raft.calls).toEqual([])
  })

  it('refuses a node that belongs to another cluster, and malformed add-meta forms', async () => {
    const a = await startNode()
    const b = await startNode({raftId: 'meta-b:8089'})
    b.raft.lead() // b leads a cluster of its own
    await expectError(await http('POST', `${a.url}/add-meta`, form({addr: b.addr})), 409, /already a member of another meta cluster/)
    await expectError(await http('POST', `${a.url}/add-meta`, form({})), 400, 'addr required')
    await expectError(await http('POST', `${a.url}/add-meta`, form({addr: 'no-port'})), 400, 'invalid address "no-port": expected host:port')
    await expectError(await http('POST', `${a.url}/add-meta`, {body: 'addr=%zz', headers: {'content-type': 'application/x-www-form-urlencoded'}}), 400, /^invalid URL escape/)
    await expectError(await http('POST', `${a.url}/add-meta`, {body: 'xx', headers: {'content-type': 'multipart/form-data'}}), 400, 'multipart body without a boundary')
    await expectError(await http('POST', `${a.url}/add-meta`, {body: '--b\r\nnonsense', headers: {'content-type': 'multipart/form-data; boundary=b'}}), 400, /multipart/)
    expect(a.raft.joined()).toBe(false)
  })

  it('remove-meta removes a member from the store and from Raft; unknown nodes are 404', async () => {
    const a = await startNode({raftId: 'meta-a:8089'})
    const b = await startNode({raftId: 'meta-b:8089'})
    await http('POST', `${a.url}/add-meta`, form({addr: a.addr}))
    await http('POST', `${a.url}/add-meta`, form({addr: b.addr}))
    const r = await http('POST', `${a.url}/remove-meta`, form({addr: b.addr}))
    expect(r.status, r.text).toBe(200)
    expect(r.json).toEqual({id: 2, addr: b.addr, tcpAddr: 'meta-b:8089'})
    expect(a.raft.calls.at(-1)).toEqual(['remove', 'meta-b:8089'])
    expect(a.raft.peers()).toEqual(['meta-a:8089'])
    expect(a.store.metaNodes().map((m) => m.id)).toEqual([1])
    await expectError(await http('POST', `${a.url}/remove-meta`, form({addr: b.addr})), 404, `meta node not found: ${b.addr}`)
    await expectError(await http('POST', `${a.url}/remove-meta`, form({})), 400, 'addr required')
  })

  it('add-data and remove-data (urlencoded and multipart forms, idempotent, 404 for unknown nodes)', async () => {
    const n = await startNode()
    await http('POST', `${n.url}/add-meta`, form({addr: n.addr}))
    const s = await loadSchemas()
    const d1 = await http('POST', `${n.url}/add-data`, form({addr: 'data-1:8088'}))
    expect(d1.json).toEqual({id: 2, tcpAddr: 'data-1:8088', httpAddr: '', status: 'joined'})
    expect(s.dataNode.safeParse(d1.json).success).toBe(true)
    // What the InfluxData helm chart sends: curl -XPOST -Faddr=$HOST:8088 http://<meta>:8091/add-data
    const multipart = '--XyZ\r\nContent-Disposition: form-data; name="addr"\r\n\r\ndata-2:8088\r\n--XyZ--\r\n'
    const d2 = await http('POST', `${n.url}/add-data`, {body: multipart, headers: {'content-type': 'multipart/form-data; boundary=XyZ'}})
    expect(d2.json).toMatchObject({id: 3, tcpAddr: 'data-2:8088'})
    expect((await http('POST', `${n.url}/add-data`, form({addr: 'data-1:8088'}))).json).toEqual(d1.json)
    // Go's FormValue also reads the query string.
    expect((await http('POST', `${n.url}/add-data?addr=data-3:8088`)).json).toMatchObject({id: 4})
    await expectError(await http('POST', `${n.url}/add-data`, form({addr: 'data-4'})), 400, /expected host:port/)

    expect((await http('POST', `${n.url}/remove-data`, form({id: '3'}))).json).toMatchObject({id: 3})
    expect((await http('POST', `${n.url}/remove-data`, form({addr: 'data-1:8088'}))).json).toMatchObject({id: 2})
    await expectError(await http('POST', `${n.url}/remove-data`, form({id: '3'})), 404, 'data node 3 not found')
    await expectError(await http('POST', `${n.url}/remove-data`, form({addr: 'nope:8088'})), 404, 'data node not found: nope:8088')
    await expectError(await http('POST', `${n.url}/remove-data`, form({id: 'x'})), 400, 'invalid node ID')
    await expectError(await http('POST', `${n.url}/remove-data`, form({})), 400, 'id or addr required')
    const cluster = await http('GET', `${n.url}/show-cluster`)
    expect(s.showCluster.safeParse(cluster.json).success).toBe(true)
    expect(cluster.json.data).toEqual([{id: 4, version: '', tcpAddr: 'data-3:8088', httpAddr: '', httpScheme: 'http', status: 'joined'}])
  })
})

describe('meta API: leaders, followers and Raft errors', () => {
  it('redirects changes on a follower to the leader with the same path and query; serves reads locally', async () => {
    const n = await startNode({raftId: 'meta-2:8089'})
    n.raft.follow({id: 'meta-1:8089', httpAddr: 'meta-1.example:8091', voter: true})
    for (const [method, path, opts] of [
      ['POST', '/add-data', form({addr: 'd:8088'})],
      ['POST', '/add-meta', form({addr: 'x:8091'})],
      ['POST', '/execute?x=1', jsonBody({cmd: {type: 'dropDatabase', name: 'db'}})],
      ['POST', '/user', jsonBody({action: 'delete', user: {name: 'u'}})],
      ['GET', '/lease?name=continuous_querier&node_id=4', {}],
    ] as const) {
      const r = await http(method, `${n.url}${path}`, opts)
      expect(r.status, `${method} ${path}`).toBe(307)
      expect(r.headers.location).toBe(`http://meta-1.example:8091${path}`)
    }
    expect((await http('GET', `${n.url}/show-cluster`)).status).toBe(200)
    const status = await http('GET', `${n.url}/status`)
    expect(status.json).toMatchObject({leader: 'meta-1:8089', peers: ['meta-2:8089', 'meta-1:8089']})
  })

  it('answers 503 no leader when no leader is known, while /status still answers', async () => {
    const n = await startNode({raftId: 'meta-2:8089'})
    n.raft.lead()
    n.raft.loseLeader()
    await expectError(await http('POST', `${n.url}/add-data`, form({addr: 'd:8088'})), 503, 'no leader')
    await expectError(await http('GET', `${n.url}/show-cluster`), 503, 'no leader')
    await expectError(await http('GET', `${n.url}/lease?name=x&node_id=1`), 503, 'no leader')
    const status = await http('GET', `${n.url}/status`)
    expect(status.json).toMatchObject({leader: '', peers: ['meta-2:8089']})
    // The catalogue reads such an answer as "meta node not joined / no leader".
    expect(new Explainer().explain(`503 ${JSON.stringify({error: 'no leader'})}`).id).toBe('meta-not-joined')
  })

  it('maps NotLeaderError to 307/503, OutcomeUnknownError and BusyError to 503, anything else to 500', async () => {
    const n = await startNode()
    n.raft.lead()
    const add = () => http('POST', `${n.url}/add-data`, form({addr: 'd:8088'}))
    n.raft.failNext = new NotLeaderError({id: 'm9:8089', httpAddr: 'm9:8091', voter: true})
    const r1 = await add()
    expect(r1.status).toBe(307)
    expect(r1.headers.location).toBe('http://m9:8091/add-data')
    n.raft.failNext = new NotLeaderError(null)
    await expectError(await add(), 503, 'no leader')
    n.raft.failNext = new OutcomeUnknownError()
    await expectError(await add(), 503, /outcome is unknown/)
    n.raft.failNext = new BusyError()
    const busy = await add()
    await expectError(busy, 503, /meta leader is busy/)
    expect(busy.headers['retry-after']).toBe('1')
    n.raft.failNext = new Error('disk on fire')
    await expectError(await add(), 500, 'disk on fire')
    n.raft.failNext = new BusyError()
    await expectError(await http('POST', `${n.url}/add-meta`, form({addr: n.addr})), 503, /membership change/)
    expect((await add()).status).toBe(200)
  })
})

describe('meta API: the continuous-query lease', () => {
  it('grants a free, expired or own lease for lease-duration and answers 409 with the holder otherwise', async () => {
    const n = await startNode({config: {leaseDurationMs: 60_000}})
    n.raft.lead()
    const lease = (node: number) => http('GET', `${n.url}/lease?name=continuous_querier&node_id=${node}`)
    const g = await lease(4)
    expect(g.status).toBe(200)
    // The FAQ's access-log lines show 105 bytes for both answers (data-nodes.md §5.36): the precursor's three fields,
    // indented by four spaces, and a newline.
    const expiration = `${new Date(T0 + 60_000).toISOString().slice(0, 23)}000000Z`
    expect(g.text).toBe(`{\n    "name": "continuous_querier",\n    "expiration": "${expiration}",\n    "owner": 4\n}\n`)
    expect(Buffer.byteLength(g.text)).toBe(105)
    expect(g.headers['content-type']).toBe('application/json')
    expect((await checkLease(g.json)).ok).toBe(true)
    const denied = await lease(5)
    expect(denied.status).toBe(409)
    expect(denied.json).toEqual(g.json)
    expect(denied.text).toBe(g.text)
    expect((await checkLease(denied.json)).ok).toBe(true)
    n.clock.now += 30_000
    const renewed = await lease(4)
    expect(renewed.status).toBe(200)
    expect(renewed.json.expiration).toBe(`${new Date(T0 + 90_000).toISOString().slice(0, 23)}000000Z`)
    n.clock.now += 60_000 // expired
    expect((await lease(5)).json).toMatchObject({owner: 5})
    expect((await lease(4)).status).toBe(409)
    // Another lease name is independent.
    expect((await http('GET', `${n.url}/lease?name=other&node_id=4`)).status).toBe(200)
  })

  it('forgets leases when leadership changes (the table lives in the leader\'s memory)', async () => {
    const n = await startNode()
    n.raft.lead()
    expect((await http('GET', `${n.url}/lease?name=cq&node_id=4`)).status).toBe(200)
    expect((await http('GET', `${n.url}/lease?name=cq&node_id=5`)).status).toBe(409)
    n.raft.loseLeader()
    n.raft.lead()
    expect((await http('GET', `${n.url}/lease?name=cq&node_id=5`)).status).toBe(200)
  })

  it('validates the lease parameters', async () => {
    const n = await startNode()
    n.raft.lead()
    await expectError(await http('GET', `${n.url}/lease?node_id=1`), 400, 'lease name required')
    await expectError(await http('GET', `${n.url}/lease?name=cq`), 400, 'node ID required')
    await expectError(await http('GET', `${n.url}/lease?name=cq&node_id=abc`), 400, 'invalid node ID')
    await expectError(await http('GET', `${n.url}/lease?name=cq&node_id=-1`), 400, 'invalid node ID')
    await expectError(await http('POST', `${n.url}/lease?name=cq&node_id=1`), 405, 'method not allowed')
  })
})

describe('meta API: /execute, /data and /user', () => {
  it('executes commands and answers {index, result}; domain errors keep their status', async () => {
    const n = await startNode()
    n.raft.lead()
    await http('POST', `${n.url}/add-data`, form({addr: 'd1:8088'}))
    const db = await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createDatabase', name: 'telegraf'}}))
    expect(db.status, db.text).toBe(200)
    expect(db.json).toMatchObject({index: 2, result: {name: 'telegraf', retentionPolicies: [{name: 'autogen', replicaN: 1}]}})
    const sg = await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createShardGroup', db: 'telegraf', timestamp: T0}}))
    expect(sg.json.result.shards).toEqual([{id: 1, owners: [1]}])
    const shards = await http('GET', `${n.url}/show-shards`)
    expect(shards.json).toHaveLength(1)
    expect((await loadSchemas()).showShards.safeParse(shards.json).success).toBe(true)
    const missing = await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createShardGroup', db: 'nope', timestamp: T0}}))
    await expectError(missing, 404, 'database not found: nope')
    expect(missing.json.index).toBe(4)
    await expectError(await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createRetentionPolicy', db: 'telegraf', rp: {name: 'autogen', replicaN: 3}}})), 409, 'retention policy already exists')
    await expectError(await http('POST', `${n.url}/execute`, {body: '{"cmd":', headers: {'content-type': 'application/json'}}), 400, /^malformed JSON body/)
    await expectError(await http('POST', `${n.url}/execute`, jsonBody([1])), 400, /expected a JSON object/)
    await expectError(await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'explode'}})), 400, 'unknown command type "explode"')
    await expectError(await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createMetaNode', httpAddr: 'a:1', raftAddr: 'a:2'}})), 400, /use POST \/add-meta/)
  })

  it('hashes passwords before proposing: no clear password reaches the Raft log', async () => {
    const n = await startNode()
    n.raft.lead()
    const r = await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'createUser', name: 'ops', password: 's3cret!', admin: true}}))
    expect(r.status, r.text).toBe(200)
    expect(r.json.result).toEqual({name: 'ops', admin: true, permissions: {}})
    expect(JSON.stringify(n.raft.calls)).not.toContain('s3cret!')
    expect(await verifyPassword('s3cret!', n.store.user('ops')!.hash)).toBe(true)
    await expectError(await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'setPassword', name: 'ops', hash: 'scrypt$1$1$1$a$b'}})), 400, 'send the password, not a hash')
    await expectError(await http('POST', `${n.url}/execute`, jsonBody({cmd: {type: 'setPassword', name: 'ops'}})), 400, 'password required')
  })

  it('GET /data answers at once when the store is newer, long-polls otherwise, and lets the client abort', async () => {
    const n = await startNode()
    n.raft.lead()
    await http('POST', `${n.url}/add-data`, form({addr: 'd1:8088'}))
    const now = await http('GET', `${n.url}/data?index=0`)
    expect(now.json).toMatchObject({index: 1, dataNodes: [{id: 1}]})
    // Waits for an index above 1, which the next command provides.
    const waiting = http('GET', `${n.url}/data?index=1`)
    await until('the long poll to start', () => n.api.handler.pendingLongPolls() === 1)
    n.raft.propose(encodeCommand(T0, {type: 'createDatabase', name: 'late'}))
    const got = await waiting
    expect(got.json).toMatchObject({index: 2, databases: [{name: 'late'}]})
    expect(n.api.handler.pendingLongPolls()).toBe(0)
    // A client that gives up: the server stops waiting for it.
    const ac = new AbortController()
    const aborted = http('GET', `${n.url}/data?index=99`, {signal: ac.signal})
    await until('the second long poll to start', () => n.api.handler.pendingLongPolls() === 1)
    ac.abort()
    expect(await aborted).toMatchObject({status: 0, error: expect.stringMatching(/abort/i)})
    await until('the server to drop the aborted poll', () => n.api.handler.pendingLongPolls() === 0)
    // The unknown-path fall-through serves the same data when given an index.
    expect((await http('GET', `${n.url}/?index=0`)).json).toMatchObject({index: 2})
  })

  it('ends a long poll after its limit, and on close()', async () => {
    const n = await startNode({limits: {longPollMs: 20}})
    n.raft.lead()
    expect((await http('GET', `${n.url}/data?index=5`)).json).toMatchObject({index: 0})
    const m = await startNode()
    m.raft.lead()
    const waiting = http('GET', `${m.url}/data?index=5`)
    await until('the long poll to start', () => m.api.handler.pendingLongPolls() === 1)
    await m.api.close()
    expect((await waiting).status).toBe(200)
  })

  it('/user creates, lists (never with hashes), changes passwords and deletes users', async () => {
    const n = await startNode()
    n.raft.lead()
    const created = await http('POST', `${n.url}/user`, jsonBody({action: 'create', user: {name: 'admin', password: 'pw1', admin: true, permissions: {'': ['ViewAdmin']}}}))
    expect(created.status, created.text).toBe(200)
    expect(created.json).toEqual({name: 'admin', admin: true, permissions: {'': ['ViewAdmin']}})
    await http('POST', `${n.url}/user`, jsonBody({action: 'create', user: {name: 'viewer', password: 'pw2'}}))
    const list = await http('GET', `${n.url}/user`)
    expect(list.json).toEqual({users: [{name: 'admin', admin: true, permissions: {'': ['ViewAdmin']}}, {name: 'viewer', admin: false, permissions: {}}]})
    expect(list.text).not.toContain('scrypt')
    expect((await http('GET', `${n.url}/user?name=viewer`)).json.users).toHaveLength(1)
    await expectError(await http('GET', `${n.url}/user?name=ghost`), 404, 'user not found')
    await expectError(await http('POST', `${n.url}/user`, jsonBody({action: 'create', user: {name: 'viewer', password: 'x'}})), 409, 'user already exists')
    expect((await http('POST', `${n.url}/user`, jsonBody({action: 'change-password', user: {name: 'viewer', password: 'pw3'}}))).status).toBe(200)
    expect(await verifyPassword('pw3', n.store.user('viewer')!.hash)).toBe(true)
    expect((await http('POST', `${n.url}/user`, jsonBody({action: 'delete', user: {name: 'viewer'}}))).status).toBe(200)
    await expectError(await http('POST', `${n.url}/user`, jsonBody({action: 'delete', user: {name: 'viewer'}})), 404, 'user not found')
    await expectError(await http('POST', `${n.url}/user`, jsonBody({action: 'add-permissions', user: {name: 'admin'}})), 400, /unsupported action "add-permissions"/)
    await expectError(await http('POST', `${n.url}/user`, jsonBody({action: 'create', user: {name: 'x'}})), 400, 'password required')
    await expectError(await http('POST', `${n.url}/user`, jsonBody({user: {name: 'x'}})), 400, 'action required')
    await expectError(await http('POST', `${n.url}/user`, jsonBody({action: 'create', user: {name: 'x', password: 'p', permissions: {db: 'ReadData'}}})), 400, /permissions/)
  })
})

describe('meta API: announcements', () => {
  it('announces this node\'s version on the leader, and through the leader\'s /execute on a follower', async () => {
    const leader = await startNode({raftId: 'meta-1:8089'})
    const follower = await startNode({raftId: 'meta-2:8089'})
    await http('POST', `${leader.url}/add-meta`, form({addr: leader.addr}))
    await http('POST', `${leader.url}/add-meta`, form({addr: follower.addr}))
    await leader.api.handler.announce()
    // The follower's store is a replica of the leader's (LocalRaft does not replicate, so copy it).
    follower.store.restore(leader.store.snapshot())
    follower.raft.follow({id: 'meta-1:8089', httpAddr: leader.addr, voter: true})
    await follower.api.handler.announce()
    const shown = await http('GET', `${leader.url}/show-cluster`)
    expect(shown.json.meta.map((m: {version: string}) => m.version)).toEqual(['1.11.8-c1.11.8-dev', '1.11.8-c1.11.8-dev'])
    leader.clock.now += 30_001
    const later = await http('GET', `${leader.url}/show-cluster`)
    expect(later.json.meta.map((m: {version: string}) => m.version)).toEqual(['', ''])
  })
})
