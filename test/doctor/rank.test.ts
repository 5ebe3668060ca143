// doctor's ranking on drafts: a node that does not answer is named before what it explains (queues towards it, the
// other owners' failing writes, log lines that name it, the quorum), however severe those are, and both sides say so
// in their evidence; without such a link the order is severity, then the area likelier to hold a cause; among
// hinted-handoff queues of one severity, one seen failing to deliver before one only seen holding data (the
// hh-backlog-and-drain scenario: a cut link queues both ways, and the queue with failed sends is the better lead).
import {describe, expect, it} from 'vitest'

import type {Draft} from '../../src/doctor/probes.js'
import {rankFindings} from '../../src/doctor/rank.js'

function draft(id: string, over: Partial<Draft>): Draft {
  return {id, area: 'data', severity: 'warning', node: null, title: id, evidence: [`${id} evidence`], next: null, hints: [], ...over}
}

const DOWN = '10.0.0.2:8086'
const silent = draft('data-silent', {node: DOWN, links: {down: {role: 'data', address: DOWN, id: '5'}}})
const unreachable = draft('data-unreachable', {severity: 'critical', node: DOWN, links: {down: {role: 'data', address: DOWN, id: '5'}}})
const queueTo = (id: string, host: string, severity: Draft['severity'] = 'critical') => draft('queue-stalled', {
  area: 'hh', severity, node: `10.0.0.1:8086 -> node ${id} (${host})`, links: {towards: {ids: [id], addresses: [host], why: 'the queue\'s destination'}},
})
const logLine = (id: string, ids: string[], example: string, severity: Draft['severity'] = 'warning') => draft(id, {
  area: 'logs', severity, links: {towards: {ids, addresses: [], text: example, why: 'its lines name that node'}},
})

const order = (drafts: Draft[]) => rankFindings(drafts).map((f) => `${f.id}${f.node?.includes('node 6') ? '@6' : ''}`)

describe('rankFindings', () => {
  it('a data node that is only a warning still comes before the critical queue towards it, and both say so', () => {
    const r = rankFindings([queueTo('5', DOWN), silent])
    expect(r.map((f) => f.id)).toEqual(['data-silent', 'queue-stalled'])
    expect(r[0]).toMatchObject({rank: 1, severity: 'warning', explains: [2]})
    expect(r[0].causedBy).toBeUndefined()
    expect(r[1]).toMatchObject({rank: 2, severity: 'critical', causedBy: [1]})
    expect(r[1].evidence).toEqual(['queue-stalled evidence', `caused by #1 data-silent (${DOWN}): the queue's destination`])
    expect(r[0].evidence.at(-1)).toBe('explains #2 queue-stalled: ranked before them')
    // The links are internal: the report has only ranks.
    expect(r.every((f) => !('links' in f))).toBe(true)
  })

  it('without the link the old order holds: severity first, a queue towards a node that answers is not explained', () => {
    expect(order([queueTo('6', '10.0.0.3:8086'), silent])).toEqual(['queue-stalled@6', 'data-silent'])
    expect(rankFindings([queueTo('6', '10.0.0.3:8086'), silent])[0].causedBy).toBeUndefined()
    // Matched by id alone (no address known), or by address alone (no id known).
    expect(order([queueTo('5', ''), silent])).toEqual(['data-silent', 'queue-stalled'])
    const noId = draft('data-unreachable', {node: DOWN, links: {down: {role: 'data', address: DOWN}}})
    expect(order([queueTo('9', DOWN), noId])).toEqual(['data-unreachable', 'queue-stalled'])
  })

  it('a cause is raised only to the severity of what it explains: an unrelated critical finding stays ahead', () => {
    const config = draft('hostname-loopback', {area: 'configs', severity: 'critical', node: '/etc/influxdb/influxdb.conf'})
    const r = rankFindings([queueTo('5', DOWN, 'warning'), silent, config, queueTo('6', '10.0.0.3:8086', 'critical')])
    expect(r.map((f) => `${f.id}${f.node?.includes('node 6') ? '@6' : ''}`)).toEqual(['hostname-loopback', 'queue-stalled@6', 'data-silent', 'queue-stalled'])
  })

  it('the other owners\' writes and the log lines that name only down nodes are explained; the rest is not', () => {
    const partial = draft('write-partial', {node: '10.0.0.1:8086', links: {ownerWrites: true}})
    const full = logLine('hh-queue-full', ['5'], 'write failed for shard 12 on node 5: queue is full', 'critical')
    const mixed = logLine('write-failed-remote', ['5', '6'], 'write failed for shard 3 on node 6: timeout')
    const named = logLine('connection-refused', [], `dial tcp ${DOWN}: connect: connection refused`)
    const prefix = logLine('write-timeout', [], 'dial tcp 10.0.0.2:80860: i/o timeout')
    const other = logLine('write-failed-hh-not-empty', [], '500 {"error":"write failed: hinted handoff queue not empty"}')
    const r = rankFindings([full, mixed, named, prefix, other, partial, unreachable])
    const by = Object.fromEntries(r.map((f) => [f.id, f]))
    expect(r[0].id).toBe('data-unreachable')
    expect(r[0].explains).toEqual([by['hh-queue-full'].rank, by['write-partial'].rank, by['connection-refused'].rank].sort((a, b) => a - b))
    expect(by['write-partial'].evidence.at(-1)).toBe(`caused by #1 data-unreachable (${DOWN}): another owner of the shards written is down`)
    expect(by['hh-queue-full'].evidence.at(-1)).toBe(`caused by #1 data-unreachable (${DOWN}): its lines name that node`)
    for (const id of ['write-failed-remote', 'write-timeout', 'write-failed-hh-not-empty']) expect(by[id].causedBy, id).toBeUndefined()
    // The down node's own writes are not explained by itself.
    const own = draft('write-errors', {node: DOWN, links: {ownerWrites: true}})
    expect(rankFindings([own, unreachable])[1].causedBy).toBeUndefined()
  })

  it('a meta node down comes before the quorum it degrades or loses, even when it is a warning and the quorum critical', () => {
    const metaDown = draft('meta-unreachable', {area: 'meta', node: '10.0.0.9:8091', links: {down: {role: 'meta', address: '10.0.0.9:8091'}}})
    const lost = draft('quorum-lost', {area: 'meta', severity: 'critical', links: {quorum: true}})
    const r = rankFindings([lost, metaDown])
    expect(r.map((f) => f.id)).toEqual(['meta-unreachable', 'quorum-lost'])
    expect(r[1].evidence.at(-1)).toBe('caused by #1 meta-unreachable (10.0.0.9:8091): the meta node is a voter that does not answer')
    // A meta node down explains nothing about the data nodes, and a data node down nothing about the quorum.
    expect(rankFindings([queueTo('5', DOWN), metaDown])[0].id).toBe('queue-stalled')
    expect(rankFindings([lost, silent])[0].id).toBe('quorum-lost')
  })

  it('an outage that is over: with every node answering and nothing queued, lines about reaching a node rank after the rest', () => {
    const refused = draft('connection-refused', {area: 'logs', links: {towards: {ids: [], addresses: [], text: 'dial tcp 10.0.0.2:8088: connection refused', why: ''}, unreachable: true}})
    const conflict = logLine('partial-write-field-type-conflict', ['5'], 'dropping write for node 5 shard 3: field type conflict')
    const config = draft('hh-max-size-small', {area: 'configs'})
    expect(rankFindings([refused, conflict, config]).map((f) => f.id)).toEqual(['hh-max-size-small', 'connection-refused', 'partial-write-field-type-conflict'])
    const r = rankFindings([refused, conflict, config], {allAnswering: true})
    expect(r.map((f) => f.id)).toEqual(['hh-max-size-small', 'partial-write-field-type-conflict', 'connection-refused'])
    expect(r[2].evidence.at(-1)).toBe('every node answers now and no hinted-handoff queue holds data: these lines report an outage that is over')
    expect(r[1].evidence).toEqual(['partial-write-field-type-conflict evidence'])
    // Severity still comes first: a critical line about reaching a node is not put behind a warning.
    const critical = {...refused, severity: 'critical' as const}
    expect(rankFindings([conflict, critical], {allAnswering: true})[0].id).toBe('connection-refused')
  })

  it('two nodes down: what both explain is linked to both, and ranked after the first of them', () => {
    const second = draft('data-unreachable', {severity: 'critical', node: '10.0.0.3:8086', links: {down: {role: 'data', address: '10.0.0.3:8086', id: '6'}}})
    const both = logLine('write-failed-remote', ['5', '6'], 'write failed for shard 3 on node 6: timeout', 'critical')
    const r = rankFindings([both, second, unreachable])
    expect(r.map((f) => f.id)).toEqual(['data-unreachable', 'data-unreachable', 'write-failed-remote'])
    expect(r[2].causedBy).toEqual([1, 2])
  })
})

const plain = (id: string, area: Draft['area'], severity: Draft['severity'] = 'warning', node: string | null = null): Draft =>
  ({id, area, severity, node, title: id, evidence: [], next: null, hints: []})

describe('doctor ranking', () => {
  it('puts a queue seen failing before one only seen holding data, both before the writes and the log lines they cause', () => {
    const ranked = rankFindings([
      plain('write-timeout', 'logs'),
      plain('hh-pending', 'hh', 'warning', 'data-2:8086 -> node 3'),
      plain('write-partial', 'data'),
      plain('queue-retrying', 'hh', 'warning', 'data-1:8086 -> node 2'),
    ])
    expect(ranked.map((f) => [f.rank, f.id])).toEqual([[1, 'queue-retrying'], [2, 'hh-pending'], [3, 'write-partial'], [4, 'write-timeout']])
  })

  it('keeps severity first and the source order among equals', () => {
    const ranked = rankFindings([
      plain('hh-pending', 'hh', 'warning', 'a'),
      plain('hh-pending', 'hh', 'warning', 'b'),
      plain('queue-stalled', 'hh', 'critical'),
      plain('data-unreachable', 'data'),
    ])
    expect(ranked.map((f) => `${f.id}${f.node ? ` ${f.node}` : ''}`)).toEqual(['queue-stalled', 'data-unreachable', 'hh-pending a', 'hh-pending b'])
  })
})
