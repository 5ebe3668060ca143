// The read-only scanner on real directories built with the format module's encoders.
import {execFileSync} from 'node:child_process'
import {chmodSync, closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {encodeBlock, encodeFooter, FOOTER_BYTES} from '../../src/hh/format.js'
import {numericCompare, scanHhDir} from '../../src/hh/scan.js'
import {tempDir} from '../helpers/cli.js'
import {points, setMtime, writeQueue, writeSegment} from '../helpers/hh.js'

const HOUR = 3_600_000
const NOW = Date.parse('2026-11-21T12:00:00Z')
const OLD = NOW - 48 * HOUR

describe('scanHhDir: sizes, heads and times', () => {
  it('measures pending bytes as size - 8 - head per queue and per node, with head segment and write times', async () => {
    const dir = tempDir('medic-scan-')
    const a = writeQueue(dir, '4', '12', [
      {blocks: [points(1000), points(2000), points(500)], delivered: 2, mtimeMs: NOW - 5 * HOUR},
      {blocks: [points(4000)], mtimeMs: NOW - 2 * HOUR},
      {blocks: [points(100), points(100)], mtimeMs: NOW - HOUR},
    ])
    const b = writeQueue(dir, '4', '13', [
      {blocks: [points(300)], delivered: 1, mtimeMs: NOW - 9 * HOUR}, // exhausted: no pending data
      {blocks: [points(700)], mtimeMs: NOW - 3 * HOUR},
    ])
    const c = writeQueue(dir, '7', '12', [{blocks: [points(50)], delivered: 1, mtimeMs: NOW - 30 * HOUR}])
    const scan = await scanHhDir(dir, {now: () => NOW})

    expect(scan.findings).toEqual([])
    expect(scan.totals).toMatchObject({nodes: 2, queues: 3, segments: 6, pendingBytes: a + b + c, uncertainBytes: 0, badSegments: 0})
    expect(c).toBe(0)
    const [n4, n7] = scan.nodes
    expect(n4.node).toBe('4')
    expect(n4.pendingBytes).toBe(a + b)
    const q12 = n4.queues[0]
    expect(q12).toMatchObject({node: '4', shard: '12', segments: 3, pendingSegments: 3, exhaustedSegments: 0, headSegment: '1', pendingBytes: a})
    expect(q12.headOffset).toBe(encodeBlock(Buffer.alloc(8 + 1000)).length + encodeBlock(Buffer.alloc(8 + 2000)).length)
    expect(q12.oldestPendingWriteMs).toBe(NOW - 5 * HOUR)
    expect(q12.newestWriteMs).toBe(NOW - HOUR)
    const q13 = n4.queues[1]
    expect(q13).toMatchObject({shard: '13', segments: 2, pendingSegments: 1, exhaustedSegments: 1, headSegment: '1', pendingBytes: b})
    // The exhausted head segment is older, but holds nothing: the oldest *pending* write is the second segment's.
    expect(q13.oldestPendingWriteMs).toBe(NOW - 3 * HOUR)
    expect(n4.oldestPendingWriteMs).toBe(NOW - 5 * HOUR)
    expect(n7).toMatchObject({node: '7', pendingBytes: 0, segments: 1, oldestPendingWriteMs: null, newestWriteMs: NOW - 30 * HOUR})
    // Disk bytes are file sizes, what max-size is compared with.
    expect(n4.diskBytes).toBeGreaterThan(n4.pendingBytes)
  })

  it('reads the pre-1.3 layout <node>/<segment> and a node directory that mixes both', async () => {
    const dir = tempDir('medic-scan-')
    const legacy = writeQueue(dir, '3', null, [{blocks: [points(800)]}, {blocks: [points(200)]}])
    const sharded = writeQueue(dir, '3', '99', [{blocks: [points(100)]}])
    const scan = await scanHhDir(dir)
    expect(scan.findings).toEqual([])
    const queues = scan.nodes[0].queues
    expect(queues.map((q) => q.shard)).toEqual([null, '99'])
    expect(queues[0]).toMatchObject({path: join(dir, '3'), segments: 2, pendingBytes: legacy})
    expect(queues[1].pendingBytes).toBe(sharded)
  })

  it('orders nodes, shards and segments numerically (10 after 9), and finds the head in the lowest segment', async () => {
    const dir = tempDir('medic-scan-')
    writeQueue(dir, '10', '1', [{blocks: ['x']}])
    writeQueue(dir, '9', '1', [{blocks: ['x']}])
    writeSegment(join(dir, '9', '1', '10'), {blocks: ['y']})
    writeSegment(join(dir, '9', '1', '9'), {blocks: ['y']})
    const scan = await scanHhDir(dir, {keepSegments: true})
    expect(scan.nodes.map((n) => n.node)).toEqual(['9', '10'])
    expect(scan.nodes[0].queues[0].segmentList!.map((s) => s.name)).toEqual(['1', '9', '10'])
    expect(['10', '9', '100', 'a', '1'].sort(numericCompare)).toEqual(['1', '9', '10', '100', 'a'])
  })

  it('warns when given a node directory instead of the hh directory', async () => {
    const dir = tempDir('medic-scan-')
    writeQueue(dir, '4', '12', [{blocks: ['x']}])
    const scan = await scanHhDir(join(dir, '4'))
    expect(scan.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning dir-looks-like-node'])
    expect(scan.findings[0].message).toContain(`give the hh directory instead (${dir})`)
  })

  it('treats an empty directory as no queues', async () => {
    const scan = await scanHhDir(tempDir('medic-scan-'))
    expect(scan.totals).toMatchObject({nodes: 0, queues: 0, segments: 0, pendingBytes: 0})
    expect(scan.findings).toEqual([])
  })
})

describe('scanHhDir: bad input becomes findings, never a crash', () => {
  it('reports foreign files and directories at every level, and ignores them', async () => {
    const dir = tempDir('medic-scan-')
    const pending = writeQueue(dir, '4', '12', [{blocks: [points(100)]}])
    writeFileSync(join(dir, 'README'), 'notes')
    mkdirSync(join(dir, 'backup'))
    writeFileSync(join(dir, '4', 'lock'), '')
    writeFileSync(join(dir, '4', '12', '1.bak'), 'x')
    writeFileSync(join(dir, '4', '12', '007'), 'x') // leading zero: not a segment name
    mkdirSync(join(dir, '4', '12', '5')) // a directory where a segment file belongs
    const scan = await scanHhDir(dir)
    expect(scan.totals.pendingBytes).toBe(pending)
    expect(scan.files.foreign).toBe(6)
    const codes = scan.findings.map((f) => `${f.severity} ${f.code}`)
    expect(codes.filter((c) => c === 'warning foreign-file')).toHaveLength(4)
    expect(codes.filter((c) => c === 'warning foreign-directory')).toHaveLength(2)
    expect(scan.findings.find((f) => f.path === join(dir, '4', '12', '5'))!.message).toContain('segment names belong to regular files')
  })

  it('does not hang on a FIFO named like a segment', async () => {
    const dir = tempDir('medic-scan-')
    mkdirSync(join(dir, '4', '12'), {recursive: true})
    execFileSync('mkfifo', [join(dir, '4', '12', '2')])
    writeSegment(join(dir, '4', '12', '1'), {blocks: ['x']})
    const scan = await scanHhDir(dir)
    expect(scan.totals.segments).toBe(1)
    expect(scan.findings.map((f) => f.code)).toEqual(['foreign-file'])
  })

  it('reports empty, truncated, past-the-end and 2^63 footers and a 2^63 block length as critical findings', async () => {
    const dir = tempDir('medic-scan-')
    const q = join(dir, '4', '12')
    const good = writeSegment(join(q, '1'), {blocks: [points(100)], mtimeMs: OLD})
    writeFileSync(join(q, '2'), Buffer.alloc(0))
    writeFileSync(join(q, '3'), Buffer.from([0, 0, 1]))
    writeFileSync(join(q, '4'), Buffer.concat([encodeBlock(Buffer.from('abc')), encodeFooter(1_000_000)]))
    const huge = Buffer.alloc(8)
    huge.writeBigUInt64BE(2n ** 63n)
    writeFileSync(join(q, '5'), Buffer.concat([encodeBlock(Buffer.from('abc')), huge]))
    // Head queue of another shard whose next block claims 2^63 bytes.
    const q2 = join(dir, '4', '13')
    mkdirSync(q2, {recursive: true})
    writeFileSync(join(q2, '1'), Buffer.concat([huge, Buffer.from('abcdef'), encodeFooter(0)]))
    for (const p of ['2', '3', '4', '5'].map((n) => join(q, n)).concat(join(q2, '1'))) setMtime(p, OLD)

    const scan = await scanHhDir(dir, {now: () => NOW})
    const byPath = Object.fromEntries(scan.findings.map((f) => [f.path, f]))
    expect(byPath[join(q, '2')]).toMatchObject({severity: 'critical', code: 'segment-empty', node: '4', shard: '12'})
    expect(byPath[join(q, '3')]).toMatchObject({severity: 'critical', code: 'segment-truncated'})
    expect(byPath[join(q, '4')]).toMatchObject({severity: 'critical', code: 'segment-footer-past-end'})
    expect(byPath[join(q, '4')].message).toContain('head 1000000')
    expect(byPath[join(q, '5')]).toMatchObject({severity: 'critical', code: 'segment-footer-past-end'})
    expect(byPath[join(q, '5')].message).toContain('9223372036854775808')
    expect(byPath[join(q2, '1')]).toMatchObject({severity: 'critical', code: 'segment-bad-block'})
    expect(byPath[join(q2, '1')].message).toContain('claims 9223372036854775808 bytes')

    const queue = scan.nodes[0].queues[0]
    expect(queue).toMatchObject({segments: 5, pendingSegments: 1, badSegments: 4, pendingBytes: good})
    expect(queue.uncertainBytes).toBe(0 + 3 + (11 + 8) + (11 + 8))
    expect(scan.totals.badSegments).toBe(5)
  })

  it('calls a bad newest segment written seconds ago a warning: it may be caught mid-append', async () => {
    const dir = tempDir('medic-scan-')
    writeSegment(join(dir, '4', '12', '1'), {blocks: ['x'], mtimeMs: OLD})
    writeFileSync(join(dir, '4', '12', '2'), Buffer.from([1, 2, 3]))
    setMtime(join(dir, '4', '12', '2'), NOW - 1000)
    const scan = await scanHhDir(dir, {now: () => NOW})
    expect(scan.findings).toHaveLength(1)
    expect(scan.findings[0]).toMatchObject({severity: 'warning', code: 'segment-truncated'})
    expect(scan.findings[0].message).toContain('mid-append')
  })

  it('lists 20 findings per code and counts the rest', async () => {
    const dir = tempDir('medic-scan-')
    mkdirSync(join(dir, '4', '1'), {recursive: true})
    for (let i = 1; i <= 30; i++) {
      writeFileSync(join(dir, '4', '1', String(i)), '')
      setMtime(join(dir, '4', '1', String(i)), OLD)
    }
    const scan = await scanHhDir(dir, {now: () => NOW})
    expect(scan.findings).toHaveLength(21)
    expect(scan.findings.at(-1)).toMatchObject({severity: 'critical', code: 'segment-empty', message: '10 more segment-empty findings not listed (30 in all)'})
  })

  it.skipIf(process.getuid?.() === 0)('reports unreadable segments and queue directories (not as root)', async () => {
    const dir = tempDir('medic-scan-')
    writeQueue(dir, '4', '12', [{blocks: ['x']}, {blocks: ['y']}])
    writeQueue(dir, '4', '13', [{blocks: ['z']}])
    chmodSync(join(dir, '4', '12', '2'), 0o000)
    chmodSync(join(dir, '4', '13'), 0o000)
    try {
      const scan = await scanHhDir(dir)
      expect(scan.findings.filter((f) => f.code === 'unreadable').map((f) => f.severity)).toEqual(['critical', 'critical'])
      expect(scan.files.unreadable).toBe(2)
    } finally {
      chmodSync(join(dir, '4', '13'), 0o755)
    }
  })

  it('throws exit 4 only when the directory itself cannot be read', async () => {
    const dir = tempDir('medic-scan-')
    await expect(scanHhDir(join(dir, 'missing'))).rejects.toMatchObject({exitCode: 4, code: 'hh-dir-not-found'})
    writeFileSync(join(dir, 'file'), 'x')
    const err = await scanHhDir(join(dir, 'file')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MedicError)
    expect(err).toMatchObject({exitCode: 4, code: 'hh-dir-not-a-directory'})
  })

  it('sees a footer rewrite (an advance) on the next scan', async () => {
    const dir = tempDir('medic-scan-')
    const path = join(dir, '4', '12', '1')
    const pending = writeSegment(path, {blocks: [points(100), points(100)]})
    expect((await scanHhDir(dir)).totals.pendingBytes).toBe(pending)
    const size = pending + FOOTER_BYTES
    const fd = openSync(path, 'r+')
    writeSync(fd, encodeFooter(pending / 2), 0, 8, size - 8)
    closeSync(fd)
    expect((await scanHhDir(dir)).totals.pendingBytes).toBe(pending / 2)
  })
})

describe('scanHhDir: many queues', () => {
  // The speed target (100,000 segments in under 2 s) is measured by bench/hh-scan.js, not here.
  it('adds up thousands of segments across nodes and shards', async () => {
    const dir = tempDir('medic-scan-many-')
    const seg = Buffer.concat([encodeBlock(Buffer.from(points(40))), encodeFooter(0)])
    for (let n = 1; n <= 4; n++) {
      for (let s = 1; s <= 25; s++) {
        const q = join(dir, String(n), String(s))
        mkdirSync(q, {recursive: true})
        for (let g = 1; g <= 20; g++) writeFileSync(join(q, String(g)), seg)
      }
    }
    try {
      const scan = await scanHhDir(dir)
      expect(scan.totals.segments).toBe(2000)
      expect(scan.totals.pendingBytes).toBe(2000 * (seg.length - 8))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
