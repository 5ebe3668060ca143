// medic status against real loopback servers shaped like fresh, joined, split, broken and hostile meta nodes, and the
// offline checks of saved /status bodies. Nothing of ours is mocked.
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {closeHttp} from '../../src/probe/http.js'
import {checkStatusFiles, metaHttpAddrForPeer, probeCluster, type StatusReport, statusExitCode} from '../../src/probe/status.js'
import {renderStatus} from '../../src/format/status.js'
import {tempDir} from '../helpers/cli.js'
import {FakeCluster, hangRoute, joinedCluster, jsonRoute, textRoute} from '../helpers/cluster.js'
import {EVIL, RAW_CONTROL} from '../helpers/hostile.js'

const fc = new FakeCluster()
afterEach(() => fc.close())
afterAll(closeHttp)

const ids = (r: StatusReport) => r.problems.map((p) => p.id)
const FRESH = (addr: string) => ({nodeType: 'meta', leader: '', httpAddr: addr, raftAddr: addr, peers: null})

describe('addresses', () => {
  it('maps Raft peers to HTTP addresses: /show-cluster first, else the reporter\'s Raft-to-HTTP port offset', () => {
    expect(metaHttpAddrForPeer('meta-2:8089', {httpAddr: 'meta-1:8091', raftAddr: 'meta-1:8089'})).toEqual({address: 'meta-2:8091'})
    expect(metaHttpAddrForPeer('meta-2:8089', {httpAddr: 'meta-1:9091'})).toEqual({address: 'meta-2:9091'})
    // a dev cluster: every node has its own ports, 2 apart
    expect(metaHttpAddrForPeer('127.0.0.1:23689', {httpAddr: '127.0.0.1:23591', raftAddr: '127.0.0.1:23589'})).toEqual({address: '127.0.0.1:23691'})
    expect(metaHttpAddrForPeer('[fd00::2]:8089', {httpAddr: '[fd00::1]:8091', raftAddr: '[fd00::1]:8089'})).toEqual({address: '[fd00::2]:8091'})
    expect(metaHttpAddrForPeer('m2:7000', {httpAddr: 'm1:8091'}, {data: [], meta: [{id: 2, addr: 'm2:7001', tcpAddr: 'm2:7000', httpScheme: 'https'}]})).toEqual({address: 'm2:7001', scheme: 'https'})
  })
})

describe('probeCluster', () => {
  it('a healthy joined cluster from one address: finds the other meta nodes and the data nodes', async () => {
    const c = await joinedCluster(fc, 3, 2)
    const r = await probeCluster([c.metas[0].addr], {http: {timeoutMs: 10_000}})
    expect(r.problems).toEqual([])
    expect(r.state).toBe('ok')
    expect(statusExitCode(r)).toBe(0)
    expect(r.leader).toBe(c.metas[0].addr)
    expect(r.nodes.map((n) => [n.address, n.role, n.source])).toEqual([
      [c.metas[0].addr, 'meta', 'given'],
      [c.datas[0].addr, 'data', 'show-cluster'],
      [c.datas[1].addr, 'data', 'show-cluster'],
      [c.metas[1].addr, 'meta', 'peers'],
      [c.metas[2].addr, 'meta', 'peers'],
    ])
    const first = r.nodes[0]
    expect(first).toMatchObject({reachable: true, checked: true, joined: true, isLeader: true, peers: 3, version: '1.11.8-c1.11.8', id: 1, state: 'ok'})
    expect(r.nodes[1]).toMatchObject({reachable: true, version: '1.11.8-c1.11.8', build: 'ENT', httpStatus: 204, id: 4})
    expect(typeof first.latencyMs).toBe('number')
    const text = await renderStatus(r)
    expect(text).toMatch(/^NODE\s+ROLE\s+STATE\s+REACHABLE/)
    expect(text).toContain('Cluster: OK  3 meta, 2 data nodes')
    expect(text).not.toMatch(/\u001B\[/)
  })

  it('a fresh, un-joined meta node', async () => {
    const n = await fc.node()
    n.routes['/status'] = jsonRoute(FRESH(n.addr))
    const r = await probeCluster([n.url])
    expect(ids(r)).toEqual(['meta-not-joined'])
    expect(r.nodes[0]).toMatchObject({joined: false, peers: 0, leader: '', state: 'fail'})
    expect(r.problems[0].suggestions[0]).toBe(`from one meta node of the cluster: influxd-ctl add-meta ${n.addr}`)
    expect(statusExitCode(r)).toBe(3)
  })

  it('503 from a meta node without a leader', async () => {
    const n = await fc.node({'/status': jsonRoute({error: 'no leader'}, 503)})
    const r = await probeCluster([n.addr])
    expect(ids(r)).toEqual(['meta-unavailable'])
    expect(r.problems[0].message).toContain('503 "no leader"')
    expect(statusExitCode(r)).toBe(3)
  })

  it('a split view: names which node sees which leader', async () => {
    const c = await joinedCluster(fc, 3, 0)
    c.status[2].leader = c.metas[2].addr
    const r = await probeCluster(c.metas.map((m) => m.addr))
    const split = r.problems.find((p) => p.id === 'split-view')!
    expect(split.severity).toBe('critical')
    expect(split.message).toBe(`the meta nodes disagree about the leader: ${c.metas[0].addr}, ${c.metas[1].addr} see ${c.metas[0].addr}; ${c.metas[2].addr} sees ${c.metas[2].addr}`)
    expect(r.leader).toBe(c.metas[0].addr)
    expect(r.state).toBe('fail')
    expect(statusExitCode(r)).toBe(3)
  })

  it('a leader missing from peers, and localhost advertised', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].leader = '127.0.0.1:1'
    c.status[0].httpAddr = 'localhost:8091'
    const r = await probeCluster([c.metas[0].addr])
    expect(ids(r)).toEqual(expect.arrayContaining(['leader-not-in-peers', 'loopback-advertised']))
    expect(r.problems.find((p) => p.id === 'loopback-advertised')!.message).toContain('httpAddr localhost:8091')
  })

  it('a node advertising another port than the one that reached it', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].httpAddr = '127.0.0.1:8091'
    const r = await probeCluster([c.metas[0].addr])
    expect(r.problems.find((p) => p.id === 'address-mismatch')).toMatchObject({severity: 'critical', message: `${c.metas[0].addr}: reached as ${c.metas[0].addr} but advertises httpAddr 127.0.0.1:8091 (another port)`})
  })

  it('unreachable and silent data nodes; partial answers make the state unknown', async () => {
    const c = await joinedCluster(fc, 1, 1)
    const dead = await fc.node()
    const deadAddr = dead.addr
    await new Promise((r) => dead.server.close(r))
    c.showCluster.data.push({id: 9, tcpAddr: '127.0.0.1:1', httpAddr: deadAddr, httpScheme: 'http', version: '', status: 'joined'})
    const r = await probeCluster([c.metas[0].addr])
    const row = r.nodes.find((n) => n.address === deadAddr)!
    expect(row).toMatchObject({role: 'data', reachable: false, checked: false, state: 'unknown', problems: ['data-silent', 'data-unreachable']})
    expect(row.error).toContain('connection refused')
    // a data node down is a critical finding; the picture is partial as well
    expect([r.state, r.verdict, r.complete]).toEqual(['fail', 'critical', false])
    expect(statusExitCode(r)).toBe(3)
    expect(await renderStatus(r)).toContain('may hide more problems')
  })

  it('one meta node that never answers among good ones: reported, not fatal', async () => {
    const c = await joinedCluster(fc, 1, 0)
    const hang = await fc.node({'*': hangRoute})
    const r = await probeCluster([c.metas[0].addr, hang.addr], {http: {timeoutMs: 300}})
    expect(r.nodes.find((n) => n.address === hang.addr)).toMatchObject({reachable: false, state: 'unknown', error: `${hang.url}/status: no complete answer within 300 ms (--http-timeout)`})
    // not a voter of the cluster that answered: an address given that does not answer stays critical
    expect(r.problems.find((p) => p.id === 'meta-unreachable')!.severity).toBe('critical')
    expect([r.verdict, r.complete]).toEqual(['critical', false])
    expect(statusExitCode(r)).toBe(3)
  })

  it('a peer that is not in /show-cluster is probed at its guessed HTTP address, and named when it is down', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].peers = [c.metas[0].addr, '127.0.0.1:1']
    const r = await probeCluster([c.metas[0].addr])
    expect(r.nodes.find((n) => n.address === '127.0.0.1:1')).toMatchObject({role: 'meta', source: 'peers', reachable: false, raftAddr: '127.0.0.1:1'})
    expect(r.problems.find((p) => p.id === 'meta-unreachable')!.message).toContain('127.0.0.1:1/status: connection refused')
  })

  it('nothing could be checked: exit 4', async () => {
    const hang = await fc.node({'*': hangRoute})
    const r = await probeCluster([hang.addr], {http: {timeoutMs: 200}})
    expect(r.summary.checked).toBe(0)
    expect(statusExitCode(r)).toBe(4)
  })

  it.each([
    ['an HTML error page', textRoute('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>', 200, 'text/html'), 'status-html', '("502 Bad Gateway")'],
    ['truncated JSON', textRoute('{"nodeType":"meta","leader":"', 200, 'application/json'), 'status-not-json', 'not valid JSON'],
    ['an empty body', textRoute('', 200, 'application/json'), 'status-empty', 'is empty'],
    ['a 5 MB body', textRoute(Buffer.alloc(5 * 1024 * 1024, 32), 200, 'application/json'), 'status-too-large', 'larger than 1048576 bytes'],
    ['wrong types', jsonRoute({nodeType: 'meta', leader: 5, httpAddr: 'x:8091', raftAddr: 'x:8089', peers: 'a,b'}), 'status-shape', 'leader: Invalid input: expected string, received number'],
    ['an error body', jsonRoute({error: 'authorization failed'}), 'status-shape', 'an error body instead of /status: "authorization failed"'],
    ['a data node (404)', textRoute('404 page not found\n', 404), 'status-http-error', 'HTTP 404 "404 page not found"'],
    ['a data node (204 on /status)', textRoute('', 204), 'not-meta-node', 'as data nodes do'],
    ['401 with auth enabled', jsonRoute({error: 'unable to parse authentication credentials'}, 401), 'meta-auth', 'answered 401'],
  ])('%s: a clear critical finding naming the node', async (_name, route, id, text) => {
    const n = await fc.node({'/status': route})
    const r = await probeCluster([n.addr])
    expect(ids(r)).toEqual([id])
    expect(r.problems[0].severity).toBe('critical')
    expect(r.problems[0].message).toContain(n.addr)
    expect(r.problems[0].message).toContain(text)
    expect(statusExitCode(r)).toBe(3)
  })

  it('wrong types are reported by path', async () => {
    const n = await fc.node({'/status': jsonRoute({nodeType: 'meta', leader: '', httpAddr: 'x:8091', raftAddr: 'x:8089', peers: ['a', 3]})})
    const r = await probeCluster([n.addr])
    expect(r.problems[0].issues).toEqual([{path: 'peers[1]', message: 'Invalid input: expected string, received number'}])
  })

  it('a redirect loop is a finding, not a hang', async () => {
    const a = await fc.node()
    const b = await fc.node()
    a.routes['/status'] = (_q, res) => { res.writeHead(307, {location: `${b.url}/status`}); res.end() }
    b.routes['/status'] = (_q, res) => { res.writeHead(307, {location: `${a.url}/status`}); res.end() }
    const r = await probeCluster([a.addr])
    expect(ids(r)).toEqual(['redirect-loop'])
    expect(r.problems[0].message).toContain('redirect loop')
  })

  it('sends credentials to every node', async () => {
    const c = await joinedCluster(fc, 3, 1)
    const r = await probeCluster([c.metas[0].addr], {http: {auth: {type: 'basic', username: 'admin', password: 'pw'}}})
    expect(r.problems).toEqual([])
    for (const n of [...c.metas, ...c.datas]) expect(n.seen.every((s) => s.authorization === 'Basic YWRtaW46cHc=')).toBe(true)
  })
})

describe('checkStatusFiles', () => {
  const dir = tempDir('medic-status-')
  const file = (name: string, body: string | Buffer) => {
    const p = join(dir, name)
    writeFileSync(p, body)
    return p
  }
  const joined = (self: string, extra: Record<string, unknown> = {}) => JSON.stringify({nodeType: 'meta', leader: 'meta-1:8089', httpAddr: `${self}:8091`, raftAddr: `${self}:8089`, peers: ['meta-1:8089', 'meta-2:8089', 'meta-3:8089'], ...extra})

  it('healthy bodies: exit 0; a fresh body is only a warning', async () => {
    const r = await checkStatusFiles([file('m1.json', joined('meta-1')), file('m2.json', '\uFEFF' + joined('meta-2') + '\r\n')])
    expect(r.problems).toEqual([])
    expect(r.state).toBe('ok')
    expect(statusExitCode(r)).toBe(0)
    const fresh = await checkStatusFiles([file('f.json', JSON.stringify({nodeType: 'meta', leader: '', httpAddr: 'meta-4:8091', raftAddr: 'meta-4:8089', peers: null}))])
    expect(fresh.problems.map((p) => [p.id, p.severity])).toEqual([['meta-not-joined', 'warning']])
    // a warning is a problem found: exit 3 (decideOutcome), never 0
    expect(statusExitCode(fresh)).toBe(3)
  })

  it.each([
    ['empty', '', 'status-empty'],
    ['html', '<html><body>Bad Gateway</body></html>', 'status-html'],
    ['truncated', '{"nodeType":"meta","lea', 'status-not-json'],
    ['types', JSON.stringify({nodeType: 'meta', leader: '', httpAddr: 1, raftAddr: 'x', peers: null}), 'status-shape'],
    ['leader', joined('meta-2', {leader: 'meta-9:8089'}), 'leader-not-in-peers'],
    ['loopback', joined('meta-2', {httpAddr: '127.0.0.1:8091'}), 'loopback-advertised'],
    ['big', Buffer.alloc(2 * 1024 * 1024, 32), 'status-too-large'],
  ])('%s: exit 3', async (name, body, id) => {
    const r = await checkStatusFiles([file(`${name}.json`, body)])
    expect(ids(r)).toContain(id)
    expect(r.problems.find((p) => p.id === id)!.message).toContain(`${name}.json`)
    expect(statusExitCode(r)).toBe(3)
  })

  it('split view across saved bodies', async () => {
    const r = await checkStatusFiles([file('a.json', joined('meta-1')), file('b.json', joined('meta-2', {leader: 'meta-2:8089'}))])
    expect(ids(r)).toContain('split-view')
  })

  it('a missing file cannot be checked: exit 4', async () => {
    mkdirSync(join(dir, 'sub'), {recursive: true})
    await expect(checkStatusFiles([join(dir, 'nope.json')])).rejects.toMatchObject({exitCode: 4, code: 'input-not-found'})
  })
})

describe('quorum: what one more failure means', () => {
  const down = async (c: Awaited<ReturnType<typeof joinedCluster>>, i: number) => {
    c.metas[i].server.closeAllConnections()
    await new Promise((r) => c.metas[i].server.close(r))
  }

  it('3 meta nodes, one down: "2/3 voters up: quorum holds; one more failure loses the leader", a warning, not UNKNOWN', async () => {
    const c = await joinedCluster(fc, 3, 0)
    await down(c, 2)
    const r = await probeCluster([c.metas[0].addr])
    expect(r.quorum).toMatchObject({voters: 3, up: 2, down: 1, unchecked: 0, needed: 2, holds: true, spare: 0})
    expect(r.quorum!.text).toBe('2/3 voters up: quorum holds; one more failure loses the leader')
    expect(r.problems.map((p) => [p.id, p.severity])).toEqual([['meta-unreachable', 'warning'], ['quorum-degraded', 'warning']])
    expect([r.verdict, r.exitCode]).toEqual(['warning', 3])
    const text = await renderStatus(r)
    expect(text).toContain('Quorum: 2/3 voters up: quorum holds; one more failure loses the leader')
    expect(text).toContain('Cluster: WARNING')
  })

  it('5 meta nodes: all up, one down, two down', async () => {
    const c = await joinedCluster(fc, 5, 0)
    let r = await probeCluster([c.metas[0].addr])
    expect(r.quorum!.text).toBe('5/5 voters up: quorum holds; it survives two failures, not 3')
    expect(r.exitCode).toBe(0)
    await down(c, 4)
    r = await probeCluster([c.metas[0].addr])
    expect(r.quorum!.text).toBe('4/5 voters up: quorum holds; it survives one more failure, not 2')
    await down(c, 3)
    r = await probeCluster([c.metas[0].addr])
    expect(r.quorum!.text).toBe('3/5 voters up: quorum holds; one more failure loses the leader')
    expect(r.verdict).toBe('warning')
  })

  it('1 meta node: its failure loses the leader; all fine is still exit 0', async () => {
    const c = await joinedCluster(fc, 1, 0)
    const r = await probeCluster([c.metas[0].addr])
    expect(r.quorum!.text).toBe('1/1 voter up: quorum holds; a single meta node, so its failure loses the leader')
    expect(r.exitCode).toBe(0)
  })

  it('one voter cut off (it answers but sees no leader; the two others follow the leader): meta-cut-off for it, the quorum degraded, no split-view', async () => {
    const c = await joinedCluster(fc, 3, 0)
    c.status[2].leader = ''
    c.metas[2].routes['/show-cluster'] = jsonRoute({error: 'no leader'}, 503)
    const r = await probeCluster(c.metas.map((m) => m.addr))
    expect(r.leader).toBe(c.metas[0].addr)
    expect(r.quorum).toMatchObject({voters: 3, up: 3, down: 0, cutOff: 1, holds: true, spare: 0})
    expect(r.quorum!.text).toBe('3/3 voters up, 1 of them cut off from the leader: quorum holds; one more failure loses the leader')
    expect(r.problems.map((p) => [p.id, p.severity, p.nodes])).toEqual([
      ['meta-cut-off', 'critical', [c.metas[2].addr]],
      ['quorum-degraded', 'warning', [c.metas[2].addr]],
    ])
    const cut = r.problems[0]
    expect(cut.message).toBe(`${c.metas[2].addr}: sees no leader, while 2 of 3 voters (${c.metas[0].addr}, ${c.metas[1].addr}) follow ${c.metas[0].addr}: the cluster has its quorum, this node is cut off from it on the Raft port (a partition or firewall between the meta nodes); it answers reads with 503 "no leader", takes no change and keeps starting elections it cannot win`)
    expect(r.nodes.find((n) => n.address === c.metas[2].addr)).toMatchObject({state: 'fail', problems: ['meta-cut-off']})
    expect([r.verdict, r.exitCode]).toEqual(['critical', 3])
    // Asked of the cut-off node alone: the same, the others found through its peers, /show-cluster read from the
    // leader once found (the cut-off node answers it 503).
    const alone = await probeCluster([c.metas[2].addr])
    expect(alone.problems.map((p) => p.id)).toEqual(['meta-cut-off', 'quorum-degraded'])
    expect(alone.showCluster).toEqual({from: c.metas[0].addr})
  })

  it('without a leader elsewhere, a node that sees none keeps no-leader (the quorum is what is lost)', async () => {
    const c = await joinedCluster(fc, 3, 0)
    for (const st of c.status) st.leader = ''
    for (const m of c.metas) m.routes['/show-cluster'] = jsonRoute({error: 'no leader'}, 503)
    const r = await probeCluster(c.metas.map((m) => m.addr))
    expect(r.problems.map((p) => p.id)).toEqual(['no-leader', 'no-leader', 'no-leader', 'show-cluster-unavailable', 'quorum-lost'])
    expect(r.quorum).toMatchObject({holds: false, cutOff: 0})
  })

  it('quorum lost: the survivor sees no leader; critical, named in one line', async () => {
    const c = await joinedCluster(fc, 3, 0)
    c.status[0].leader = ''
    c.metas[0].routes['/show-cluster'] = jsonRoute({error: 'no leader'}, 503)
    await down(c, 1)
    await down(c, 2)
    const r = await probeCluster([c.metas[0].addr])
    expect(r.quorum).toMatchObject({voters: 3, up: 1, down: 2, holds: false})
    expect(r.quorum!.text).toMatch(/^1\/3 voters up: quorum lost \(2 of 3 needed\): no leader/)
    const lost = r.problems.find((p) => p.id === 'quorum-lost')!
    expect(lost.severity).toBe('critical')
    expect(r.problems.filter((p) => p.id === 'meta-unreachable').every((p) => p.severity === 'critical')).toBe(true)
    expect([r.verdict, r.exitCode]).toEqual(['critical', 3])
  })
})

describe('what a node sends is outside input', () => {
  it('a malformed peer address (a space, escape codes) is a finding about the node, never a usage error', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].peers = [c.metas[0].addr, 'meta 2.example.com:8089', 'meta-3\u001b]0;pwned\u0007:8089']
    const r = await probeCluster([c.metas[0].addr])
    const bad = r.problems.filter((p) => p.id === 'peer-malformed')
    expect(bad).toHaveLength(2)
    expect(bad[0]).toMatchObject({severity: 'critical', nodes: [c.metas[0].addr]})
    expect(bad[0].message).toContain('"meta 2.example.com:8089"')
    expect(r.exitCode).toBe(3)
    // the voters medic could not check are counted as such
    expect(r.quorum).toMatchObject({voters: 3, up: 1, unchecked: 2})
    const text = await renderStatus(r)
    expect(text).not.toMatch(RAW_CONTROL)
    expect(text).toContain('meta-3\\u001b]0;pwned\\u0007:8089')
  })

  it('a /status body of 100,000 nested arrays is a finding, and the run goes on', async () => {
    const c = await joinedCluster(fc, 2, 0)
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    c.metas[1].routes['/status'] = textRoute(deep, 200, 'application/json')
    const r = await probeCluster(c.metas.map((m) => m.addr))
    expect(r.problems.find((p) => p.id === 'status-too-deep')).toMatchObject({severity: 'critical', nodes: [c.metas[1].addr]})
    expect(r.nodes.find((n) => n.address === c.metas[0].addr)!.state).toBe('ok')
    expect(r.exitCode).toBe(3)
  })

  it('/show-cluster with ids of 1e400: a critical finding, never exit 0', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.metas[0].routes['/show-cluster'] = textRoute(`{"data":[{"id":1e400,"tcpAddr":"127.0.0.1:8088","httpAddr":"127.0.0.1:8086","version":"1.11.8-c1.11.8"}],"meta":[{"id":1,"addr":"${c.metas[0].addr}","tcpAddr":"${c.metas[0].addr}"}]}`, 200, 'application/json')
    const r = await probeCluster([c.metas[0].addr])
    expect(r.problems.find((p) => p.id === 'show-cluster-invalid')!.message).toContain('data[0].id')
    expect(r.exitCode).toBe(3)
    expect(r.complete).toBe(false)
  })

  it('/show-cluster over 1 MiB: never exit 0', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.metas[0].routes['/show-cluster'] = textRoute(`{"data":[],"meta":[],"pad":"${'x'.repeat(1_100_000)}"}`, 200, 'application/json')
    const r = await probeCluster([c.metas[0].addr])
    expect(r.showCluster?.error).toContain('larger than 1048576 bytes')
    expect(statusExitCode(r)).not.toBe(0)
    expect(r.verdict).not.toBe('ok')
  })

  it('a /status body as /show-cluster is not an empty cluster', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.metas[0].routes['/show-cluster'] = jsonRoute(c.status[0])
    const r = await probeCluster([c.metas[0].addr])
    expect(r.problems.map((p) => p.id)).toContain('show-cluster-invalid')
    expect(r.exitCode).toBe(3)
  })

  it('a data node listed with a scheme other than http(s) or a bad address: a finding, not a crash', async () => {
    const c = await joinedCluster(fc, 1, 1)
    c.showCluster.data[0].httpScheme = 'ftp'
    c.showCluster.data.push({id: 9, tcpAddr: 'x;rm -rf /:8088', httpAddr: 'x;rm -rf /:8086', httpScheme: 'http', version: '1', status: 'joined'})
    const r = await probeCluster([c.metas[0].addr])
    expect(r.problems.filter((p) => p.id === 'show-cluster-bad-address')).toHaveLength(2)
    expect(r.exitCode).toBe(3)
  })

  it('hostile strings everywhere: the formatter escapes them itself (no help from the output sink)', async () => {
    const n = await fc.node()
    n.routes['/status'] = jsonRoute({nodeType: 'meta', leader: EVIL.shell, httpAddr: `${EVIL.title}:8091`, raftAddr: `${EVIL.clear}:8089`, peers: [EVIL.forged, EVIL.shell, EVIL.bidi]})
    const r = await probeCluster([n.addr])
    const text = await renderStatus(r)
    expect(text).not.toMatch(RAW_CONTROL)
    expect(text).not.toContain('\r')
    expect(text).toContain('meta-1\\u001b]0;pwned\\u0007:8091')
    expect(r.quorum?.holds).toBeNull()
    // the forged line stays inside its line
    expect(text.split('\n').filter((l) => l.startsWith('OK ') || l.includes('everything is fine') && !l.includes('\\r\\n'))).toEqual([])
    for (const p of r.problems) for (const s of p.suggestions) expect(s).not.toContain('touch${IFS}pwned')
  })

  it('a redirect to another machine from a loopback node is refused, not followed', async () => {
    const n = await fc.node({'/status': (_q, res) => { res.writeHead(307, {location: 'http://192.0.2.1:8091/status'}); res.end() }})
    const r = await probeCluster([n.addr])
    expect(r.problems.map((p) => p.id)).toEqual(['redirect-refused'])
    expect(r.exitCode).toBe(3)
  })

  it('401 with credentials sent: the node refused them (not "needs credentials"); without: the credential flags', async () => {
    const n = await fc.node({'/status': jsonRoute({error: 'authorization failed'}, 401)})
    const wrong = await probeCluster([n.addr], {http: {auth: {type: 'basic', username: 'admin', password: 'nope'}}})
    expect(wrong.problems[0].message).toContain('refused the credentials medic sent')
    expect(wrong.problems[0].message).not.toContain('needs credentials')
    const none = await probeCluster([n.addr])
    expect(none.problems[0].message).toContain('medic sent no credentials')
    expect(none.problems[0].suggestions).toEqual([`medic status ${n.addr} --username USER --password PASSWORD   (or --username USER --jwt-secret SHARED_SECRET)`])
  })
})

describe('the run deadline (--timeout) bounds the whole run', () => {
  it('nodes found in a later discovery round that never answer: the run still ends by the deadline, they are not checked', async () => {
    const hang1 = await fc.node({'*': hangRoute})
    const hang2 = await fc.node({'*': hangRoute})
    const c = await joinedCluster(fc, 1, 0)
    // round 1 answers and names two peers; they hang (round 2); /show-cluster hangs too
    c.status[0].peers = [c.metas[0].addr, hang1.addr, hang2.addr]
    c.metas[0].routes['/show-cluster'] = hangRoute
    const started = performance.now()
    const r = await probeCluster([c.metas[0].addr], {http: {timeoutMs: 5000}, runTimeoutMs: 1200})
    const took = performance.now() - started
    // old code: per-probe deadline, rounds in sequence: up to 3 x 5 s
    expect(took).toBeLessThan(2500)
    expect(r.nodes.filter((n) => !n.checked).map((n) => n.address).sort()).toEqual([hang1.addr, hang2.addr].sort())
    expect(r.complete).toBe(false)
    expect(r.exitCode).not.toBe(0)
  })
})

describe('--file', () => {
  it('a directory is called a directory, with a command that works', async () => {
    const dir = tempDir('medic-status-dir-')
    await expect(checkStatusFiles([dir])).rejects.toMatchObject({exitCode: 4, code: 'input-is-directory', message: `${dir}: is a directory, not a saved /status body`, suggestions: [`give the files inside it, one --file each: medic status --file ${dir}/meta-1.json`]})
  })

  it('a named pipe with no writer: not checked once the deadline passes, no hang', async () => {
    const dir = tempDir('medic-status-fifo-')
    const fifo = join(dir, 'status.json')
    try {
      execFileSync('mkfifo', [fifo])
    } catch {
      return // no mkfifo here
    }
    const started = performance.now()
    const r = await checkStatusFiles([fifo], undefined, 300)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(r.nodes[0]).toMatchObject({checked: false})
    expect(r.exitCode).toBe(4)
  })
})

describe('bounds on what one answer can make medic do', () => {
  it('a node naming 500 peers: medic asks at most 32 meta nodes, and says it left the rest unchecked', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].peers = [c.metas[0].addr, ...Array.from({length: 500}, (_, i) => `127.0.0.1:${i + 1}`)]
    c.showCluster.meta = []
    const r = await probeCluster([c.metas[0].addr], {http: {timeoutMs: 2000}})
    expect(r.nodes.filter((n) => n.role === 'meta')).toHaveLength(32)
    expect(r.problems.find((p) => p.id === 'too-many-meta-nodes')!.message).toContain('left 469 unchecked')
    expect(r.complete).toBe(false)
    expect(r.exitCode).toBe(3)
  })

  it('10,000 malformed peers: ten named, the rest counted, in one pass', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].peers = [c.metas[0].addr, ...Array.from({length: 10_000}, (_, i) => `bad peer ${i}`)]
    const r = await probeCluster([c.metas[0].addr])
    const bad = r.problems.filter((p) => p.id === 'peer-malformed')
    expect(bad).toHaveLength(11)
    expect(bad[10].message).toContain('lists 9990 more peers that are not host:port')
    expect(r.problems.find((p) => p.id === 'malformed-advertised')!.message).toContain('and 9990 more')
  })
})
