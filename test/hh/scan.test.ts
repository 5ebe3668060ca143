// The read-only scanner on real directories built with the format module's encoders.
import {execFileSync} from 'node:child_process'
import {chmodSync, closeSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {encodeBlock, encodeFooter, FOOTER_BYTES} from '../../src/hh/format.js'
import {numericCompare, ScanAbortedError, scanHhDir, type ScanIo} from '../../src/hh/scan.js'
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

  it('treats an empty directory as no queues only when vouched for (the config names it)', async () => {
    const dir = tempDir('medic-scan-')
    await expect(scanHhDir(dir)).rejects.toMatchObject({exitCode: 4, code: 'not-an-hh-dir', message: `${dir}: not an hh directory (it is empty)`})
    const scan = await scanHhDir(dir, {acceptEmpty: true})
    expect(scan.totals).toMatchObject({nodes: 0, queues: 0, segments: 0, pendingBytes: 0})
    expect(scan.findings).toEqual([])
    expect(scan.unchecked).toBe(0)
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
    // InfluxDB ignores them: notes, not problems.
    expect(codes.filter((c) => c === 'info foreign-file')).toHaveLength(4)
    expect(codes.filter((c) => c === 'info foreign-directory')).toHaveLength(2)
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

  it('calls a bad newest segment written seconds ago unknown (unchecked): it may be caught mid-append', async () => {
    const dir = tempDir('medic-scan-')
    writeSegment(join(dir, '4', '12', '1'), {blocks: ['x'], mtimeMs: OLD})
    writeFileSync(join(dir, '4', '12', '2'), Buffer.from([1, 2, 3]))
    setMtime(join(dir, '4', '12', '2'), NOW - 1000)
    const scan = await scanHhDir(dir, {now: () => NOW})
    expect(scan.findings).toHaveLength(1)
    expect(scan.findings[0]).toMatchObject({severity: 'unknown', code: 'segment-truncated'})
    expect(scan.findings[0].message).toContain('mid-append')
    expect(scan.unchecked).toBe(1)
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
      // Could not be read: unchecked (exit 4 unless something else needs action), not a problem found.
      expect(scan.findings.filter((f) => f.code === 'unreadable').map((f) => f.severity)).toEqual(['unknown', 'unknown'])
      expect(scan.files.unreadable).toBe(2)
      expect(scan.unchecked).toBe(2)
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

describe('scanHhDir: what is an hh directory', () => {
  it('refuses the parent of a real hh directory holding megabytes, and names the hh directory below', async () => {
    const parent = tempDir('medic-scan-parent-')
    const pending = writeQueue(join(parent, 'hh'), '4', '12', [{blocks: [points(1_000_000), points(1_000_000)]}])
    mkdirSync(join(parent, 'data'))
    mkdirSync(join(parent, 'meta'))
    expect(pending).toBeGreaterThan(2_000_000)
    const err = (await scanHhDir(parent, {command: 'wait'}).catch((e: unknown) => e)) as MedicError
    expect(err).toBeInstanceOf(MedicError)
    expect(err).toMatchObject({exitCode: 4, code: 'not-an-hh-dir', message: `${parent}: not an hh directory (it holds no destination-node directories (numeric names))`})
    expect(err.suggestions[0]).toBe(`did you mean ${join(parent, 'hh')}? medic hh wait ${join(parent, 'hh')}`)
    // Two levels up (/var/lib -> influxdb/hh) is found too.
    const top = tempDir('medic-scan-top-')
    writeQueue(join(top, 'influxdb', 'hh'), '5', '1', [{blocks: ['x']}])
    const two = (await scanHhDir(top).catch((e: unknown) => e)) as MedicError
    expect(two.suggestions[0]).toContain(`did you mean ${join(top, 'influxdb', 'hh')}?`)
  })

  it('refuses a folder of text files (like /etc), a folder whose numeric directories hold no queues, and a queue directory', async () => {
    const etc = tempDir('medic-scan-etc-')
    writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost\n')
    writeFileSync(join(etc, 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
    mkdirSync(join(etc, 'ssl'))
    await expect(scanHhDir(etc)).rejects.toMatchObject({exitCode: 4, code: 'not-an-hh-dir'})
    // Numeric directories (process ids, years) with other things inside are not node directories.
    const proc = tempDir('medic-scan-proc-')
    mkdirSync(join(proc, '1', 'task'), {recursive: true})
    writeFileSync(join(proc, '1', 'status'), 'Name: init\n')
    writeFileSync(join(proc, '2024'), 'x') // a numeric file at the top level is not a node directory either
    await expect(scanHhDir(proc)).rejects.toMatchObject({code: 'not-an-hh-dir', message: expect.stringContaining('hold no shard directories or segment files')})
    // One queue directory: the hh directory is two levels up.
    const hh = tempDir('medic-scan-q-')
    writeQueue(hh, '4', '12', [{blocks: ['x']}, {blocks: ['y']}])
    const q = (await scanHhDir(join(hh, '4', '12')).catch((e: unknown) => e)) as MedicError
    expect(q).toMatchObject({code: 'not-an-hh-dir', message: expect.stringContaining('looks like one queue directory')})
    expect(q.suggestions[0]).toBe(`did you mean ${hh}? medic hh inspect ${hh}`)
  })

  it('accepts a real, empty hh directory: node directories that are empty or hold only drained queues', async () => {
    const a = tempDir('medic-scan-empty-')
    mkdirSync(join(a, '4'))
    expect((await scanHhDir(a)).totals).toMatchObject({nodes: 1, queues: 0, pendingBytes: 0})
    const b = tempDir('medic-scan-empty-')
    mkdirSync(join(b, '4', '12'), {recursive: true})
    writeQueue(b, '5', '3', [{blocks: ['x'], delivered: 1}])
    const scan = await scanHhDir(b)
    expect(scan.totals).toMatchObject({nodes: 2, queues: 2, pendingBytes: 0})
    expect(scan.findings).toEqual([])
    // Dot files and lost+found (an hh directory on its own file system) are not contents.
    const c = tempDir('medic-scan-empty-')
    mkdirSync(join(c, 'lost+found'))
    writeFileSync(join(c, '.keep'), '')
    await expect(scanHhDir(c)).rejects.toMatchObject({message: `${c}: not an hh directory (it is empty)`})
    expect((await scanHhDir(c, {acceptEmpty: true})).findings).toEqual([])
  })
})

describe('scanHhDir: a queue draining under the scan', () => {
  /** File-system calls of the real tree, with `gone` paths deleted between the listing and the open. */
  function vanishing(gone: Set<string>): Partial<ScanIo> {
    return {
      openSync: (p, f) => {
        if (gone.has(p)) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), {code: 'ENOENT'})
        return openSync(p, f)
      },
      readdirSync: (p) => {
        if (gone.has(p)) throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${p}'`), {code: 'ENOENT'})
        return readdirSync(p, {withFileTypes: true})
      },
    }
  }

  it('counts a segment deleted between listing and opening as delivered, not as unreadable', async () => {
    const dir = tempDir('medic-scan-vanish-')
    writeQueue(dir, '4', '12', [{blocks: [points(500)]}, {blocks: [points(600)]}, {blocks: [points(700)]}])
    const last = writeSegment(join(dir, '4', '12', '4'), {blocks: [points(800)]})
    const scan = await scanHhDir(dir, {io: vanishing(new Set([join(dir, '4', '12', '1'), join(dir, '4', '12', '2'), join(dir, '4', '12', '3')]))})
    expect(scan.findings).toEqual([])
    expect(scan.unchecked).toBe(0)
    expect(scan.files).toMatchObject({segments: 1, vanished: 3, unreadable: 0})
    expect(scan.totals.pendingBytes).toBe(last)
    expect(scan.nodes[0].queues[0]).toMatchObject({headSegment: '4', badSegments: 0})
  })

  it('skips queue and node directories removed while the scan ran', async () => {
    const dir = tempDir('medic-scan-vanish-')
    writeQueue(dir, '4', '12', [{blocks: ['x']}])
    const kept = writeQueue(dir, '4', '13', [{blocks: ['yy']}])
    writeQueue(dir, '5', '1', [{blocks: ['z']}])
    const scan = await scanHhDir(dir, {io: vanishing(new Set([join(dir, '4', '12'), join(dir, '5')]))})
    expect(scan.findings).toEqual([])
    expect(scan.totals).toMatchObject({nodes: 1, queues: 1, pendingBytes: kept})
  })

  it('a real drain racing many scans never reports a vanished segment', async () => {
    const dir = tempDir('medic-scan-race-')
    const q = join(dir, '4', '12')
    const n = 300
    for (let i = 1; i <= n; i++) writeSegment(join(q, String(i)), {blocks: [points(50)]})
    // Delete the head segments one by one (as the engine does once each is delivered) while scanning.
    let next = 1
    const deleter = setInterval(() => {
      for (let k = 0; k < 5 && next < n; k++) rmSync(join(q, String(next++)), {force: true})
    }, 0)
    try {
      while (next < n) {
        const scan = await scanHhDir(dir, {sliceMs: 0})
        expect(scan.findings.filter((f) => f.severity !== 'info')).toEqual([])
        expect(scan.unchecked).toBe(0)
      }
    } finally {
      clearInterval(deleter)
    }
  })

  it('flags a block length of 0 at the head as damage (delivery would stick there)', async () => {
    const dir = tempDir('medic-scan-zero-')
    const path = join(dir, '4', '12', '1')
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, Buffer.concat([Buffer.alloc(8), Buffer.from('abcdefgh'), encodeFooter(0)]))
    setMtime(path, OLD)
    const scan = await scanHhDir(dir, {now: () => NOW})
    expect(scan.findings).toEqual([expect.objectContaining({severity: 'critical', code: 'segment-bad-block', message: expect.stringContaining('has length 0')})])
    expect(scan.nodes[0].queues[0].badSegments).toBe(1)
  })
})

describe('scanHhDir: a deadline', () => {
  it('stops a slow scan at its signal instead of finishing the tree', async () => {
    const dir = tempDir('medic-scan-slow-')
    const seg = Buffer.concat([encodeBlock(Buffer.from('x')), encodeFooter(0)])
    mkdirSync(join(dir, '4', '1'), {recursive: true})
    for (let g = 1; g <= 2000; g++) writeFileSync(join(dir, '4', '1', String(g)), seg)
    // A slow file system: every open takes 2 ms, so the whole tree would take 4 s.
    const slow: Partial<ScanIo> = {
      openSync: (p, f) => {
        const until = performance.now() + 2
        while (performance.now() < until) { /* a slow disk */ }
        return openSync(p, f)
      },
    }
    const signal = AbortSignal.timeout(200)
    const started = performance.now()
    const err = await scanHhDir(dir, {io: slow, signal}).catch((e: unknown) => e)
    const took = performance.now() - started
    expect(err).toBeInstanceOf(ScanAbortedError)
    expect(took).toBeLessThan(1500)
    await expect(scanHhDir(dir, {signal: AbortSignal.abort()})).rejects.toBeInstanceOf(ScanAbortedError)
  })
})
