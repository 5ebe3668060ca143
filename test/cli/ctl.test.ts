// `medic ctl show` end to end: influxd-ctl show's layout from a loopback meta node.
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'
import {FakeCluster, hangRoute, joinedCluster, jsonRoute} from '../helpers/cluster.js'
import {EVIL, RAW_CONTROL} from '../helpers/hostile.js'

const fc = new FakeCluster()
afterEach(() => fc.close())

describe('medic ctl show', () => {
  it('Data Nodes, Meta Nodes and Raft Status like influxd-ctl show; a silent node has a blank version', async () => {
    const c = await joinedCluster(fc, 3, 2, '1.11.8-c1.11.8')
    c.showCluster.data[1].version = ''
    const r = await medic(['ctl', 'show', '--meta', c.metas[0].addr])
    expect(r.stderr).toBe('(layout of influxd-ctl 1.10+: the meta node asked announces 1.11.8-c1.11.8)\n')
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines.slice(0, 3)).toEqual(['Data Nodes', '==========', expect.stringMatching(/^ID\s+TCP Address\s+HTTP Address\s+Version\s+Labels\s+Passive$/)])
    expect(lines[3]).toMatch(new RegExp(`^4\\s+${c.showCluster.data[0].tcpAddr}\\s+${c.datas[0].addr}\\s+1\\.11\\.8-c1\\.11\\.8\\s+\\{\\}\\s+false$`))
    expect(lines[4]).toMatch(new RegExp(`^5\\s+${c.showCluster.data[1].tcpAddr}\\s+${c.datas[1].addr}\\s+\\{\\}\\s+false$`))
    expect(r.stdout).toContain(`Meta Nodes\n==========\n`)
    expect(r.stdout).toMatch(new RegExp(`^1\\s+${c.metas[0].addr}\\s+${c.metas[0].addr}\\s+1\\.11\\.8-c1\\.11\\.8\\s+\\{\\}$`, 'm'))
    expect(r.stdout).toContain(`Raft Status\n==========\nLeader  ${c.metas[0].addr}\nPeers   [${c.metas.map((m) => `"${m.addr}"`).join(', ')}]`)
  })

  it('--json, following the redirect to the leader', async () => {
    const c = await joinedCluster(fc, 1, 1)
    const follower = await fc.node({
      '/show-cluster': (_q, res) => { res.writeHead(307, {location: `${c.metas[0].url}/show-cluster`}); res.end() },
      '/status': jsonRoute(c.status[0]),
    })
    const r = await medic(['ctl', 'show', '--meta', follower.url, '--json'])
    expect(r.code).toBe(0)
    const doc = oneJson(r.stdout)
    expect(doc).toMatchObject({schemaVersion: 1, command: 'ctl show', exitCode: 0, raft: {leader: c.metas[0].addr}})
    expect(doc.data).toEqual([expect.objectContaining({id: 4, httpAddr: c.datas[0].addr})])
  })

  it('a meta node that never answers: exit 4, no hang', async () => {
    const n = await fc.node({'*': hangRoute})
    const r = await medic(['ctl', 'show', '--meta', n.addr, '--timeout', '300ms'])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('no complete answer within 300 ms (--timeout 300ms)')
    expect(r.stderr).toContain(`allow more time: medic ctl show ${n.addr} --timeout 30s`)
  })

  it('not a meta node: exit 4 with the reason', async () => {
    const n = await fc.node({'/show-cluster': jsonRoute({data: 'nope'}), '/status': jsonRoute({})})
    const r = await medic(['ctl', 'show', '--meta', n.addr, '--json'])
    expect(r.code).toBe(4)
    expect(oneJson(r.stdout)).toMatchObject({error: {code: 'show-cluster-invalid'}})
  })
})

describe('medic ctl show: the layout of the cluster\'s era', () => {
  const lines = (out: string) => out.split('\n')

  it('1.1 to 1.9.1: ID, TCP Address, Version; the meta table has no ID and shows the HTTP address', async () => {
    const c = await joinedCluster(fc, 1, 1, '1.8.10-c1.8.10')
    const r = await medic(['ctl', 'show', c.metas[0].addr])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('layout of influxd-ctl 1.1-1.9.1: the meta node asked announces 1.8.10-c1.8.10')
    expect(lines(r.stdout)[2]).toMatch(/^ID\s+TCP Address\s+Version$/)
    expect(r.stdout).toMatch(new RegExp(`Meta Nodes\\n==========\\nTCP Address\\s+Version\\n${c.metas[0].addr}\\s+1\\.8\\.10-c1\\.8\\.10$`, 'm'))
    expect(r.stdout).not.toContain('Raft Status')
    expect(r.stdout).not.toContain('Labels')
  })

  it('1.9.2+: Labels as JSON in both tables, ids for meta nodes; --layout chooses another era', async () => {
    const c = await joinedCluster(fc, 1, 1, '1.9.6-c1.9.6')
    ;(c.showCluster.data[0] as Record<string, unknown>).labels = {az: 'us-west'}
    const r = await medic(['ctl', 'show', '-m', c.metas[0].addr])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ID\s+TCP Address\s+Version\s+Labels$/m)
    expect(r.stdout).toContain('{"az":"us-west"}')
    expect(r.stdout).toMatch(new RegExp(`^1\\s+${c.metas[0].addr}\\s+1\\.9\\.6-c1\\.9\\.6\\s+\\{\\}$`, 'm'))
    const old = await medic(['ctl', 'show', c.metas[0].addr, '--layout', '1.0'])
    expect(lines(old.stdout).slice(0, 3)).toEqual(['Data Nodes', '==========', expect.stringMatching(/^ID\s+TCP Address$/)])
    expect(old.stderr).toContain('--layout 1.0')
    const j = oneJson((await medic(['ctl', 'show', c.metas[0].addr, '--json'])).stdout)
    expect(j).toMatchObject({layout: '1.9.2', version: '1.9.6-c1.9.6', exitCode: 0})
  })

  it('ADDR and --meta name the same thing; both at once is a usage error', async () => {
    const c = await joinedCluster(fc, 1, 0)
    expect((await medic(['ctl', 'show', c.metas[0].url])).code).toBe(0)
    const both = await medic(['ctl', 'show', c.metas[0].addr, '--meta', '127.0.0.1:1', '--json'])
    expect(both.code).toBe(2)
    expect(oneJson(both.stdout)).toMatchObject({error: {code: 'addr-and-meta'}})
  })

  it('a /status body where /show-cluster should be: not an empty cluster, exit 4', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.metas[0].routes['/show-cluster'] = jsonRoute(c.status[0])
    const r = await medic(['ctl', 'show', c.metas[0].addr, '--json'])
    expect(r.code).toBe(4)
    expect(oneJson(r.stdout)).toMatchObject({error: {code: 'show-cluster-invalid'}})
  })

  it('hostile values: escaped cells, undialable addresses flagged (exit 3)', async () => {
    const c = await joinedCluster(fc, 1, 1)
    c.showCluster.data[0].tcpAddr = EVIL.shell
    c.showCluster.data[0].version = EVIL.title
    const r = await medic(['ctl', 'show', c.metas[0].addr])
    expect(r.code).toBe(3)
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL)
    expect(r.stdout).toContain('meta-1\\x1b]0;pwned\\x07')
    expect(r.stdout).toMatch(/CRITICAL bad-address {2}data node 4's TCP address is "x:8091;touch\$\{IFS\}pwned;#"/)
  })

  it('an auth cluster: the error names the credential flags with a command that works', async () => {
    const n = await fc.node({'*': jsonRoute({error: 'unable to parse authentication credentials'}, 401)})
    const r = await medic(['ctl', 'show', n.addr, '--json'])
    expect(r.code).toBe(4)
    expect((oneJson(r.stdout).error as {suggestions: string[]}).suggestions).toContain(`medic ctl show ${n.addr} --username USER --password PASSWORD   (or --username USER --jwt-secret SHARED_SECRET)`)
  })
})
