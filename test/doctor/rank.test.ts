// The order of doctor's findings: worst first, then cause before symptom; among hinted-handoff queues of one
// severity, one seen failing to deliver before one only seen holding data (the hh-backlog-and-drain scenario: a cut
// link queues both ways, and the queue with failed sends is the better lead).
import {describe, expect, it} from 'vitest'

import type {Draft} from '../../src/doctor/probes.js'
import {rankFindings} from '../../src/doctor/rank.js'

const draft = (id: string, area: Draft['area'], severity: Draft['severity'] = 'warning', node: string | null = null): Draft =>
  ({id, area, severity, node, title: id, evidence: [], next: null, hints: []})

describe('doctor ranking', () => {
  it('puts a queue seen failing before one only seen holding data, both before the writes and the log lines they cause', () => {
    const ranked = rankFindings([
      draft('write-timeout', 'logs'),
      draft('hh-pending', 'hh', 'warning', 'data-2:8086 -> node 3'),
      draft('write-partial', 'data'),
      draft('queue-retrying', 'hh', 'warning', 'data-1:8086 -> node 2'),
    ])
    expect(ranked.map((f) => [f.rank, f.id])).toEqual([[1, 'queue-retrying'], [2, 'hh-pending'], [3, 'write-partial'], [4, 'write-timeout']])
  })

  it('keeps severity first and the source order among equals', () => {
    const ranked = rankFindings([
      draft('hh-pending', 'hh', 'warning', 'a'),
      draft('hh-pending', 'hh', 'warning', 'b'),
      draft('queue-stalled', 'hh', 'critical'),
      draft('data-unreachable', 'data'),
    ])
    expect(ranked.map((f) => `${f.id}${f.node ? ` ${f.node}` : ''}`)).toEqual(['queue-stalled', 'data-unreachable', 'hh-pending a', 'hh-pending b'])
  })
})
