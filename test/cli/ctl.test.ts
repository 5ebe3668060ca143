// `medic ctl show` end to end: influxd-ctl show's layout from a loopback meta node.
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'
import {FakeCluster, hangRoute, joinedCluster, jsonRoute} from '../helpers/cluster.js'

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
