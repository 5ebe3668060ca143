// `medic logs summarize` end to end, through the built CLI in a child process.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'

import {medic, oneJson, tempDir} from '../helpers/cli.js'

function incident(node: string, startMinute: number): string {
  const lines: string[] = []
  const ts = (m: number, s: number) => `2016/09/19 ${String(10 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}`
  lines.push(`[run] ${ts(startMinute, 0)} InfluxDB starting, version 1.3.3-c1.3.3, branch master, commit abc`)
  for (let m = startMinute; m < startMinute + 30; m++) {
    lines.push(`[httpd] 10.0.0.9 - - [19/Sep/2016:${String(10 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:01 +0000] "POST /write?db=telegraf HTTP/1.1" 204 0 "-" "telegraf" 9a4371a1-fec0-11e6-84b6-000000000000 830`)
    lines.push(`[write] ${ts(m, 2)} write failed for shard ${100 + (m % 3)} on node 4: hinted handoff queue not empty`)
    if (m > startMinute + 20) lines.push(`[write] ${ts(m, 3)} write failed for shard 101 on node 4: queue is full`)
    lines.push(`[shard] ${ts(m, 4)} strange event ${m * 17} on ${node}`)
  }
  return lines.join('\n') + '\n'
}

describe('medic logs summarize', () => {
  it('merges files from several nodes, ranks actionable entries first and exits 3', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'data-01.log'), incident('data-01', 0))
    writeFileSync(join(dir, 'data-02.log.gz'), gzipSync(incident('data-02', 10)))
    const r = await medic(['logs', 'summarize', join(dir, 'data-01.log'), join(dir, 'data-02.log.gz')])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('Needs action')
    expect(r.stdout.indexOf('hh-queue-full')).toBeLessThan(r.stdout.indexOf('hh-queue-not-empty'))
    expect(r.stdout).toContain('data-01.log')
    expect(r.stdout).toContain('data-02.log.gz')
    expect(r.stdout).toContain('Timeline')
    expect(r.stdout).toContain('strange event <num> on')
    expect(r.stderr).toBe('')
  })

  it('gives one JSON document with counts, breakdowns, timeline, restarts and templates', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'a.log'), incident('data-01', 0))
    writeFileSync(join(dir, 'b.log'), incident('data-02', 5))
    const r = await medic(['logs', 'summarize', '--json', join(dir, 'a.log'), join(dir, 'b.log')])
    expect(r.code).toBe(3)
    const doc = oneJson(r.stdout) as any
    expect(doc).toMatchObject({schemaVersion: 1, command: 'logs summarize', exitCode: 3, verdict: 'critical'})
    const full = doc.actionable.find((e: any) => e.id === 'hh-queue-full')
    expect(full).toMatchObject({verdict: 'critical', count: 18, nodes: {'4': 18}, shards: {'101': 18}, sources: {'a.log': 9, 'b.log': 9}})
    expect(full.firstSeen).toBe('2016-09-19T10:21:03.000Z')
    expect(doc.informational.find((e: any) => e.id === 'hh-queue-not-empty').count).toBe(60)
    expect(doc.timeline.buckets.length).toBeGreaterThan(1)
    expect(doc.timeline.buckets.some((b: any) => b.actionable['hh-queue-full'] > 0)).toBe(true)
    expect(doc.unknown.templates[0].template).toMatch(/^strange event <num> on/)
    expect(doc.events[0].time <= doc.events.at(-1).time).toBe(true)
    expect(doc.input.lines).toBe(200)
  })

  it('reads stdin and honours --since/--until', async () => {
    const r = await medic(['logs', 'summarize', '-', '--json', '--since', '2016-09-19T10:25:00Z', '--until', '2016-09-19T10:27:00Z'], {input: incident('x', 0)})
    const doc = oneJson(r.stdout) as any
    expect(doc.input.files).toEqual(['-'])
    expect(doc.actionable.find((e: any) => e.id === 'hh-queue-full').count).toBe(2)
    expect(doc.input.filteredOut).toBeGreaterThan(80)
  })

  it('exits 0 when nothing needs action', async () => {
    const r = await medic(['logs', 'summarize', '-'], {input: '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty\n'})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('nothing: no warning or critical line')
  })

  it('survives binary junk, NUL bytes, CRLF and a 10 MB line', async () => {
    const body = Buffer.concat([
      Buffer.from('[write] 2016/10/18 10:35:21 queue is full\r\n'),
      Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x00, 0x10, 10]),
      Buffer.alloc(10 * 1024 * 1024, 'z'),
      Buffer.from('\n[write] 2016/10/18 10:35:22 write failed for shard 1 on node 2: queue is full\n'),
    ])
    const r = await medic(['logs', 'summarize', '--json', '-'], {input: body})
    const doc = oneJson(r.stdout) as any
    expect(doc.actionable[0]).toMatchObject({id: 'hh-queue-full', count: 2})
    expect(doc.input.binary).toBe(1)
    expect(doc.input.lines).toBe(4)
  })

  it('reports a missing file, a directory, an unreadable file and a bad gzip with exit 4 and the name', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'logs'))
    writeFileSync(join(dir, 'bad.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]))
    for (const [path, text] of [
      [join(dir, 'missing.log'), 'no such file'],
      [join(dir, 'logs'), 'is a directory'],
      [join(dir, 'bad.gz'), 'not a valid gzip file'],
    ]) {
      const r = await medic(['logs', 'summarize', path])
      expect(r.code, path).toBe(4)
      expect(r.stderr).toContain(path)
      expect(r.stderr).toContain(text)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      const j = await medic(['logs', 'summarize', path, '--json'])
      expect(j.code).toBe(4)
      expect(oneJson(j.stdout)).toMatchObject({exitCode: 4, error: {message: expect.stringContaining(path)}})
    }
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, 'secret.log'), 'x\n')
      chmodSync(join(dir, 'secret.log'), 0o000)
      const r = await medic(['logs', 'summarize', join(dir, 'secret.log')])
      expect(r.code).toBe(4)
      expect(r.stderr).toContain('permission denied')
    }
  })

  it('rejects bad time flags with exit 2', async () => {
    const a = await medic(['logs', 'summarize', '--since', 'someday', '-'], {input: 'x\n'})
    expect(a.code).toBe(2)
    expect(a.stderr).toContain('not a time')
    const b = await medic(['logs', 'summarize', '--since', '2026-01-02', '--until', '2026-01-01', '-'], {input: 'x\n'})
    expect(b.code).toBe(2)
    expect(b.stderr).toContain('--since is later than --until')
  })
})
