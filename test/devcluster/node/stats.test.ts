// The node statistics registry and the /debug/vars document (src/devcluster/node/stats.ts): keys as InfluxDB's handler
// builds them, repeated bare keys kept, a failing source left out, and a document medic's own /debug/vars reader
// (src/wire/schemas.ts, what `medic hh watch --url` uses) reads the hinted-handoff statistics from.
import {describe, expect, it} from 'vitest'

import {expvarKey, processVars, renderDebugVars, type Statistic, StatsRegistry} from '../../../src/devcluster/node/stats.js'
import {parseDebugVars} from '../../../src/wire/schemas.js'

const hh: Statistic[] = [
  {name: 'hh', tags: {path: '/var/lib/influxdb/hh'}, values: {writeShardReq: 3}},
  {name: 'hh_processor', tags: {node: '5', path: '/var/lib/influxdb/hh/5/12'}, values: {queueBytes: 4096, bytesRead: 10, bytesWritten: 20}},
  {name: 'hh_node', tags: {node: '5'}, values: {queueTotalSize: 4096}},
  {name: 'hh_node', tags: {node: '6'}, values: {queueTotalSize: 0}},
]

describe('/debug/vars keys', () => {
  it('follow the handler: path[:id], [proto:]bind, database[:rp[:name][:destination]], else the bare name', () => {
    const key = (name: string, tags: Record<string, string>) => expvarKey({name, tags, values: {}})
    expect(key('shard', {path: '/data/db/rp/7', id: '7', database: 'db'})).toBe('shard:/data/db/rp/7:7')
    expect(key('httpd', {bind: ':8086', proto: 'https'})).toBe('httpd:https::8086')
    expect(key('httpd', {bind: ':8086'})).toBe('httpd::8086')
    expect(key('cq', {database: 'db', retention_policy: 'rp', name: 'cq1'})).toBe('cq:db:rp:cq1')
    expect(key('subscriber', {database: 'db', retention_policy: 'rp', name: 's', destination: 'http://x'})).toBe('subscriber:db:rp:s:http://x')
    expect(key('database', {database: 'db'})).toBe('database:db')
    expect(key('write', {})).toBe('write')
  })
})

describe('the registry and the document', () => {
  it('collects every source in order, leaves out one that fails, and forgets one that unregisters', async () => {
    const r = new StatsRegistry()
    r.register(() => hh.slice(0, 2))
    const off = r.register(async () => [{name: 'write', tags: {}, values: {req: 1}}])
    r.register(() => {
      throw new Error('broken')
    })
    r.register(async () => hh.slice(2))
    expect((await r.collect()).map((s) => s.name)).toEqual(['hh', 'hh_processor', 'write', 'hh_node', 'hh_node'])
    off()
    expect((await r.collect()).map((s) => s.name)).toEqual(['hh', 'hh_processor', 'hh_node', 'hh_node'])
  })

  it('writes system, cmdline and memstats first, repeats bare keys as InfluxDB does, and reads back as /debug/vars', async () => {
    const text = renderDebugVars(hh, {system: {currentTime: '2026-12-07T00:00:00Z'}, ...processVars()})
    const lines = text.trim().split('\n')
    expect(lines[0]).toBe('{')
    expect(lines[1]).toMatch(/^"system": /)
    expect(lines[2]).toMatch(/^"cmdline": \[/)
    expect(lines[3]).toMatch(/^"memstats": \{"Alloc":\d+/)
    expect(lines.filter((l) => l.startsWith('"hh_node": '))).toHaveLength(2)
    expect(lines).toContain('"hh_processor:/var/lib/influxdb/hh/5/12": {"name":"hh_processor","tags":{"node":"5","path":"/var/lib/influxdb/hh/5/12"},"values":{"queueBytes":4096,"bytesRead":10,"bytesWritten":20}},')
    const vars = await parseDebugVars(JSON.parse(text))
    expect(vars.hhProcessors).toHaveLength(1)
    expect(vars.hh).toHaveLength(1)
  })
})
