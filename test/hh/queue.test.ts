// The hinted-handoff queue engine (src/hh/queue.ts, node-queues.ts, store.ts) on real files in temporary directories.
// Its errors are plain HhEngineErrors with a code (it runs in node processes, which never throw CLI errors).
import {appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {dataBlockBytes, encodeBlock, encodeFooter, FOOTER_BYTES, QUEUE_FULL_MESSAGE, writeDataBlock} from '../../src/hh/format.js'
import {NodeQueues, QueueFullError} from '../../src/hh/node-queues.js'
import {HhEngineError, type QueueFinding, type QueueOptions, SegmentQueue} from '../../src/hh/queue.js'
import {HhStore} from '../../src/hh/store.js'
import {tempDir} from '../helpers/cli.js'

const dirs: string[] = []
const open: Array<{close(): Promise<void>}> = []

afterEach(async () => {
  for (const q of open.splice(0)) await q.close().catch(() => {})
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

function newDir(): string {
  const d = tempDir('medic-hh-queue-')
  dirs.push(d)
  return d
}

async function openQueue(dir: string, options: QueueOptions = {}): Promise<{queue: SegmentQueue; findings: QueueFinding[]}> {
  const findings: QueueFinding[] = []
  const queue = await SegmentQueue.open(dir, {onFinding: (f) => findings.push(f), ...options})
  open.push(queue)
  return {queue, findings}
}

/**
 * Delivers everything: peek, then advance, until the queue is empty, then waits for the head to be on disk. Like a real
 * reader, it does not wait for each advance() (peek sees the moved head at once; each wait would last a commit).
 */
async function drain(queue: SegmentQueue): Promise<string[]> {
  const out: string[] = []
  for (let data = await queue.peek(); data; data = await queue.peek()) {
    out.push(data.toString())
    void queue.advance()
  }
  await queue.flush()
  return out
}

function blocks(n: number, prefix = 'block'): string[] {
  return Array.from({length: n}, (_, i) => `${prefix} ${i} ${'x'.repeat((i * 37) % 300)}`)
}

async function appendAll(queue: SegmentQueue, items: string[]): Promise<void> {
  await Promise.all(items.map((s) => queue.append(Buffer.from(s))))
}

function segmentFiles(dir: string): string[] {
  return readdirSync(dir).sort((a, b) => Number(a) - Number(b))
}

/** A segment file written by hand: medic blocks of the given data, then the footer. */
function writeSegment(path: string, data: string[], head = 0): number[] {
  const starts: number[] = []
  const buf = Buffer.alloc(data.reduce((n, d) => n + dataBlockBytes(Buffer.byteLength(d)), 0) + FOOTER_BYTES)
  let at = 0
  for (const d of data) {
    starts.push(at)
    at = writeDataBlock(buf, at, Buffer.from(d))
  }
  encodeFooter(head).copy(buf, at)
  writeFileSync(path, buf)
  return starts
}

describe('SegmentQueue: append, peek, advance', () => {
  it('delivers every block once, in order, including empty ones', async () => {
    const {queue} = await openQueue(newDir())
    const items = ['', ...blocks(200)]
    await appendAll(queue, items)
    expect(await drain(queue)).toEqual(items)
    expect(await queue.peek()).toBeUndefined()
  })

  it('peek() returns the same block until advance(); advance() without a peek is refused', async () => {
    const {queue} = await openQueue(newDir())
    await expect(queue.advance()).rejects.toThrow(/peek/)
    await appendAll(queue, ['a', 'b'])
    expect((await queue.peek())?.toString()).toBe('a')
    expect((await queue.peek())?.toString()).toBe('a')
    await queue.advance()
    expect((await queue.peek())?.toString()).toBe('b')
  })

  it('peekMore() hands out the blocks after the peeked one while take() accepts them; advance() moves past them all', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {segmentBytes: 4096})
    const items = blocks(60)
    await appendAll(queue, items)
    expect(queue.peekMore(() => true)).toEqual([]) // nothing peeked yet
    expect((await queue.peek())?.toString()).toBe(items[0])
    // take() sees each block in order and stops the run where it says no.
    const seen: string[] = []
    const more = queue.peekMore((b) => (seen.push(b.toString()), seen.length <= 3))
    expect(more.map(String)).toEqual(items.slice(1, 4))
    expect(seen).toEqual(items.slice(1, 5))
    // Peeking again (a failed delivery) forgets them: the same run is handed out again.
    expect((await queue.peek())?.toString()).toBe(items[0])
    expect(queue.peekMore((b) => b.toString() !== items[3]).map(String)).toEqual(items.slice(1, 3))
    await queue.advance()
    expect((await queue.stats()).pendingBlocks).toBe(57)
    expect((await queue.peek())?.toString()).toBe(items[3])
    // Never past the head segment: the rest of the segment, then the next one from its own peek().
    const first = segmentFiles(dir)[0]
    const rest = queue.peekMore(() => true).map(String)
    expect(rest.length).toBeGreaterThan(0)
    expect(items.indexOf(rest.at(-1)!) + 1).toBeLessThan(60)
    await queue.advance()
    expect(segmentFiles(dir)).not.toContain(first)
    const delivered = [items[0], ...items.slice(1, 3), items[3], ...rest]
    // Reopened (as after a crash), the queue resumes after what was acknowledged.
    await queue.flush()
    const again = await openQueue(dir, {segmentBytes: 4096})
    expect(await drain(again.queue)).toEqual(items.slice(delivered.length))
  })

  it('creates the directory and a first segment', async () => {
    const dir = join(newDir(), 'hh', '4', '12')
    await openQueue(dir)
    expect(segmentFiles(dir)).toEqual(['1'])
    expect(readFileSync(join(dir, '1'))).toEqual(encodeFooter(0))
  })

  it('rolls to a new segment when a block would not fit, and delivers across segments', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {segmentBytes: 4096})
    const items = blocks(150)
    await appendAll(queue, items)
    const files = segmentFiles(dir)
    expect(files.length).toBeGreaterThan(3)
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(4096)
    expect(await drain(queue)).toEqual(items)
  })

  it('gives a block larger than a segment a segment of its own', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {segmentBytes: 1024})
    const big = 'B'.repeat(5000)
    await appendAll(queue, ['small 1', big, 'small 2'])
    const sizes = segmentFiles(dir).map((f) => statSync(join(dir, f)).size)
    expect(sizes).toEqual([dataBlockBytes(7) + FOOTER_BYTES, dataBlockBytes(5000) + FOOTER_BYTES, dataBlockBytes(7) + FOOTER_BYTES])
    expect(await drain(queue)).toEqual(['small 1', big, 'small 2'])
  })

  it('deletes an exhausted head segment once a later one exists, never the last one', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {segmentBytes: 1024})
    await appendAll(queue, blocks(40))
    const before = segmentFiles(dir)
    expect(before.length).toBeGreaterThan(2)
    await drain(queue)
    expect(segmentFiles(dir)).toEqual([before.at(-1)])
    await appendAll(queue, ['after'])
    expect(await drain(queue)).toEqual(['after'])
  })

  it('resumes at the persisted head after a reopen, without a close', async () => {
    const dir = newDir()
    const first = await openQueue(dir, {segmentBytes: 2048})
    const items = blocks(40)
    await appendAll(first.queue, items)
    for (let i = 0; i < 25; i++) {
      expect((await first.queue.peek())?.toString()).toBe(items[i])
      await first.queue.advance()
    }
    const second = await openQueue(dir, {segmentBytes: 2048})
    expect(second.findings).toEqual([])
    expect(await drain(second.queue)).toEqual(items.slice(25))
  })

  it('refuses a block over the size limit, and calls after close()', async () => {
    const {queue} = await openQueue(newDir())
    await expect(queue.append(new Uint8Array(1024 * 1024 * 1024))).rejects.toThrow(RangeError)
    await queue.close()
    await expect(queue.append(Buffer.from('x'))).rejects.toThrow(/closed/)
    await expect(queue.peek()).rejects.toThrow(/closed/)
  })

  it('rolls over instead of appending when the old footer could be misread as the new block\'s length', async () => {
    // After delivering A the footer holds 8 + payload(A); a block whose payload is that long would make a torn append
    // look like a whole segment, so it goes to a new segment.
    const dir = newDir()
    const {queue} = await openQueue(dir)
    await appendAll(queue, ['A'.repeat(100), 'B'])
    await queue.peek()
    await queue.advance()
    await appendAll(queue, ['C'.repeat(108)])
    expect(segmentFiles(dir)).toEqual(['1', '2'])
    expect(await drain(queue)).toEqual(['B', 'C'.repeat(108)])
  })
})

describe('SegmentQueue: sync policy', () => {
  it('group commit: an append resolves only after its commit, and concurrent appends share one', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {sync: {intervalMs: 50}})
    await appendAll(queue, ['warm-up'])
    const commitsBefore = (await queue.stats()).commits
    let settled = false
    const pending = Promise.all(blocks(300).map((s) => queue.append(Buffer.from(s)))).then(() => (settled = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    expect((await queue.stats()).commits).toBe(commitsBefore)
    await pending
    expect((await queue.stats()).commits - commitsBefore).toBeLessThanOrEqual(2)
    // On disk, in the file, once resolved.
    expect(readFileSync(join(dir, '1')).includes(Buffer.from('block 299 '))).toBe(true)
  })

  it("'always': one commit per append", async () => {
    const {queue} = await openQueue(newDir(), {sync: 'always'})
    await appendAll(queue, blocks(5))
    expect((await queue.stats()).commits).toBe(5)
    expect(await drain(queue)).toEqual(blocks(5))
  })

  it('close() writes what was accepted', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {sync: {intervalMs: 10_000}})
    void queue.append(Buffer.from('late'))
    await queue.close()
    const {queue: again} = await openQueue(dir)
    expect(await drain(again)).toEqual(['late'])
  })
})

describe('SegmentQueue: crash recovery and bad input', () => {
  it('cuts garbage written after the footer (a torn write) and keeps every block', async () => {
    const dir = newDir()
    const first = await openQueue(dir)
    const items = blocks(20)
    await appendAll(first.queue, items)
    await first.queue.close()
    const size = statSync(join(dir, '1')).size
    appendFileSync(join(dir, '1'), Buffer.from('MHH1 torn garbage, not a block'))
    const {queue, findings} = await openQueue(dir)
    expect(findings.map((f) => f.kind)).toEqual(['torn-tail'])
    expect(statSync(join(dir, '1')).size).toBe(size)
    expect(await drain(queue)).toEqual(items)
  })

  it('cuts a torn two-step append and keeps the persisted head (no redelivery before it)', async () => {
    const dir = newDir()
    const first = await openQueue(dir)
    const items = blocks(10)
    await appendAll(first.queue, items)
    for (let i = 0; i < 4; i++) {
      await first.queue.peek()
      await first.queue.advance()
    }
    await first.queue.close()
    // Step 1 of an append, cut short: half of the next payload after the old footer, which still holds the head.
    const next = Buffer.alloc(dataBlockBytes(500))
    writeDataBlock(next, 0, Buffer.alloc(500, 0x41))
    appendFileSync(join(dir, '1'), next.subarray(8, 260))
    const {queue, findings} = await openQueue(dir)
    expect(findings.map((f) => f.kind)).toEqual(['torn-tail'])
    expect(await drain(queue)).toEqual(items.slice(4))
  })

  it('cuts a torn single-write append (length linked, payload short, no footer) and redelivers rather than loses', async () => {
    const dir = newDir()
    const starts = writeSegment(join(dir, '1'), ['one', 'two', 'three'])
    const file = readFileSync(join(dir, '1'))
    const dataEnd = file.length - FOOTER_BYTES
    const torn = Buffer.concat([file.subarray(0, dataEnd), encodeBlock(Buffer.alloc(1000, 0x42)).subarray(0, 300)])
    writeFileSync(join(dir, '1'), torn)
    const {queue, findings} = await openQueue(dir)
    expect(findings.map((f) => f.kind).sort()).toEqual(['head-lost', 'torn-tail'])
    expect(findings.find((f) => f.kind === 'torn-tail')?.offset).toBe(dataEnd)
    expect(await drain(queue)).toEqual(['one', 'two', 'three'])
    expect(starts).toHaveLength(3)
  })

  it('resets a tail segment shorter than a footer', async () => {
    const dir = newDir()
    writeSegment(join(dir, '1'), ['kept'])
    writeFileSync(join(dir, '2'), Buffer.alloc(0))
    const {queue, findings} = await openQueue(dir)
    expect(findings.map((f) => f.kind)).toEqual(['torn-tail'])
    expect(await drain(queue)).toEqual(['kept'])
    expect(readFileSync(join(dir, '2'))).toEqual(encodeFooter(0))
  })

  it('skips and reports a block whose checksum fails, in the tail and in an older segment, and keeps the rest', async () => {
    const dir = newDir()
    const aStarts = writeSegment(join(dir, '1'), ['a0', 'a1', 'a2'])
    const bStarts = writeSegment(join(dir, '2'), ['b0', 'b1', 'b2'])
    for (const [file, at] of [['1', aStarts[1]], ['2', bStarts[1]]] as const) {
      const buf = readFileSync(join(dir, file))
      buf[at + dataBlockBytes(0)] ^= 0x01 // flip a bit of the data
      writeFileSync(join(dir, file), buf)
    }
    const {queue, findings} = await openQueue(dir)
    expect(findings).toEqual([])
    expect(await drain(queue)).toEqual(['a0', 'a2', 'b0', 'b2'])
    expect(findings.map((f) => [f.kind, f.path.endsWith('1') ? 1 : 2, f.offset])).toEqual([
      ['corrupt-block', 1, aStarts[1]],
      ['corrupt-block', 2, bStarts[1]],
    ])
    expect(findings[0].message).toMatch(/checksum mismatch/)
  })

  it('reads foreign (Enterprise) payloads, without the magic, as they are', async () => {
    const dir = newDir()
    const payloads = ['\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0007cpu value=1 1', 'mem free=2 2']
    writeFileSync(join(dir, '1'), Buffer.concat([...payloads.map((p) => encodeBlock(Buffer.from(p))), encodeFooter(0)]))
    const {queue, findings} = await openQueue(dir)
    expect(findings).toEqual([])
    expect(await drain(queue)).toEqual(payloads)
  })

  it('reports a head segment whose footer points past the end, and delivers it from the start', async () => {
    const dir = newDir()
    writeSegment(join(dir, '1'), ['h0', 'h1'], 2 ** 40)
    writeSegment(join(dir, '2'), ['t0'])
    const {queue, findings} = await openQueue(dir)
    expect(findings.map((f) => f.kind)).toEqual(['head-lost'])
    expect(findings[0].message).toMatch(/past the end/)
    expect(await drain(queue)).toEqual(['h0', 'h1', 't0'])
  })

  it('reports a footer that points inside a block, and delivers the segment from the start', async () => {
    const dir = newDir()
    const starts = writeSegment(join(dir, '1'), ['h0', 'h1', 'h2'])
    const buf = readFileSync(join(dir, '1'))
    encodeFooter(starts[1] + 3).copy(buf, buf.length - FOOTER_BYTES)
    writeFileSync(join(dir, '1'), buf)
    writeSegment(join(dir, '2'), ['t0'])
    const {queue, findings} = await openQueue(dir)
    expect(await drain(queue)).toEqual(['h0', 'h1', 'h2', 't0'])
    expect(findings.map((f) => f.kind)).toEqual(['head-lost'])
  })

  it('survives a block length of 2^63: skips the rest of an older segment, cuts it off the tail', async () => {
    const dir = newDir()
    const huge = Buffer.alloc(8)
    huge.writeBigUInt64BE(2n ** 63n)
    const starts = writeSegment(join(dir, '1'), ['x0', 'x1', 'x2'])
    const older = readFileSync(join(dir, '1'))
    huge.copy(older, starts[1])
    writeFileSync(join(dir, '1'), older)
    const tailStarts = writeSegment(join(dir, '2'), ['y0', 'y1'])
    const tail = readFileSync(join(dir, '2'))
    huge.copy(tail, tailStarts[1])
    writeFileSync(join(dir, '2'), tail)
    const {queue, findings} = await openQueue(dir)
    // In the tail, the 8 bytes at the cut are that length, not an old footer: the head cannot be trusted either.
    expect(findings.map((f) => f.kind)).toEqual(['torn-tail', 'head-lost'])
    expect(findings[0].message).toMatch(/9223372036854775808/)
    expect(await drain(queue)).toEqual(['x0', 'y0'])
    expect(findings.map((f) => f.kind)).toEqual(['torn-tail', 'head-lost', 'unreadable-rest'])
    expect(findings[2]).toMatchObject({offset: starts[1], bytes: older.length - FOOTER_BYTES - starts[1]})
  })

  it('reports foreign entries and ignores them', async () => {
    const dir = newDir()
    writeFileSync(join(dir, 'README'), 'hello')
    mkdirSync(join(dir, '7'))
    writeFileSync(join(dir, '007'), 'leading zero: not a segment name')
    const {queue, findings} = await openQueue(dir)
    expect(findings.map((f) => f.kind)).toEqual(['foreign-entry', 'foreign-entry', 'foreign-entry'])
    await appendAll(queue, ['ok'])
    expect(await drain(queue)).toEqual(['ok'])
    expect(existsSync(join(dir, 'README'))).toBe(true)
  })

  it('throws a plain HhEngineError (no exit code: the engine runs in nodes) when the directory cannot be used', async () => {
    const dir = newDir()
    writeFileSync(join(dir, 'file'), 'x')
    const err = await SegmentQueue.open(join(dir, 'file', 'queue')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HhEngineError)
    expect(err).not.toBeInstanceOf(MedicError)
    expect(err).toMatchObject({code: 'hh-not-a-directory', message: expect.stringContaining('not a directory')})
    expect(err).not.toHaveProperty('exitCode')
  })
})

describe('SegmentQueue: statistics and max-age purge', () => {
  it('counts pending bytes and blocks from sizes and the head, and bytes read and written since open', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {segmentBytes: 2048})
    const items = blocks(30)
    const sizes = items.map((s) => dataBlockBytes(Buffer.byteLength(s)))
    const total = sizes.reduce((a, b) => a + b, 0)
    await appendAll(queue, items)
    let stats = await queue.stats()
    expect(stats).toMatchObject({pendingBytes: total, pendingBlocks: 30, bytesWritten: total, bytesRead: 0})
    expect(stats.segments).toBe(segmentFiles(dir).length)
    expect(stats.diskBytes).toBe(segmentFiles(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0))
    for (let i = 0; i < 10; i++) {
      await queue.peek()
      await queue.advance()
    }
    const delivered = sizes.slice(0, 10).reduce((a, b) => a + b, 0)
    stats = await queue.stats()
    expect(stats).toMatchObject({pendingBytes: total - delivered, pendingBlocks: 20, bytesRead: delivered})
    // After a reopen: pending bytes from the footer alone; block counts only where the tail was walked.
    const {queue: again} = await openQueue(dir, {segmentBytes: 2048})
    expect(await again.stats()).toMatchObject({pendingBytes: total - delivered, bytesWritten: 0, bytesRead: 0})
  })

  it('takes the oldest and newest write times from segment mtimes, and a footer write keeps the mtime', async () => {
    const dir = newDir()
    writeSegment(join(dir, '1'), ['old 1', 'old 2'])
    writeSegment(join(dir, '2'), ['new'])
    utimesSync(join(dir, '1'), 1000, 1000)
    utimesSync(join(dir, '2'), 2000, 2000)
    const {queue} = await openQueue(dir)
    expect(await queue.stats()).toMatchObject({oldestWriteMs: 1_000_000, newestWriteMs: 2_000_000})
    await queue.peek()
    await queue.advance()
    expect(await queue.stats()).toMatchObject({oldestWriteMs: 1_000_000, newestWriteMs: 2_000_000})
  })

  it('purges whole head segments older than max-age by mtime, with an injected clock', async () => {
    const dir = newDir()
    const hour = 3_600_000
    const now = Date.UTC(2026, 10, 21, 12)
    writeSegment(join(dir, '1'), ['s1 a', 's1 b'])
    writeSegment(join(dir, '2'), ['s2 a'])
    writeSegment(join(dir, '3'), ['s3 a'])
    utimesSync(join(dir, '1'), (now - 30 * hour) / 1000, (now - 30 * hour) / 1000)
    utimesSync(join(dir, '2'), (now - 20 * hour) / 1000, (now - 20 * hour) / 1000)
    utimesSync(join(dir, '3'), (now - 1 * hour) / 1000, (now - 1 * hour) / 1000)
    const {queue} = await openQueue(dir, {now: () => now})
    await queue.peek()
    await queue.advance()
    const result = await queue.purgeOlderThan(24 * hour)
    expect(result).toEqual({segments: 1, bytes: dataBlockBytes(4), blocks: undefined})
    expect(segmentFiles(dir)).toEqual(['2', '3'])
    expect(await queue.purgeOlderThan(24 * hour)).toEqual({segments: 0, bytes: 0, blocks: 0})
    expect(await drain(queue)).toEqual(['s2 a', 's3 a'])
  })

  it('drops a block peeked before a purge removed its segment: advance() is then harmless', async () => {
    const dir = newDir()
    writeSegment(join(dir, '1'), ['old'])
    writeSegment(join(dir, '2'), ['young'])
    utimesSync(join(dir, '1'), 1, 1)
    const {queue} = await openQueue(dir)
    expect((await queue.peek())?.toString()).toBe('old')
    const purging = queue.purgeOlderThan(60_000, Date.now())
    const advancing = queue.advance()
    expect(await purging).toMatchObject({segments: 1})
    await advancing
    expect(await drain(queue)).toEqual(['young'])
  })

  it('adds a fresh segment first when every segment is too old, and keeps working', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir, {segmentBytes: 1024})
    await appendAll(queue, blocks(8))
    const files = segmentFiles(dir)
    for (const f of files) utimesSync(join(dir, f), 1, 1)
    const result = await queue.purgeOlderThan(60_000, Date.now())
    expect(result).toEqual({segments: files.length, bytes: expect.any(Number), blocks: 8})
    expect(segmentFiles(dir)).toEqual([String(Number(files.at(-1)) + 1)])
    expect(await queue.peek()).toBeUndefined()
    await appendAll(queue, ['fresh'])
    expect(await drain(queue)).toEqual(['fresh'])
  })
})

describe('NodeQueues: max-size per destination node', () => {
  it('fails with exactly "queue is full" when an append would pass max-size across shards', async () => {
    const dir = newDir()
    const node = await NodeQueues.open(4, join(dir, '4'), {maxSizeBytes: 3000})
    open.push(node)
    const data = Buffer.alloc(400, 0x61)
    const results = await Promise.allSettled(Array.from({length: 12}, (_, i) => node.append(1 + (i % 3), data)))
    const full = results.filter((r) => r.status === 'rejected')
    expect(full.length).toBeGreaterThan(0)
    const err = (full[0] as PromiseRejectedResult).reason as QueueFullError
    expect(err).toBeInstanceOf(QueueFullError)
    expect(err).toBeInstanceOf(HhEngineError)
    expect(err).not.toBeInstanceOf(MedicError)
    expect(err).toMatchObject({nodeId: 4, maxSizeBytes: 3000, path: join(dir, '4')})
    expect(err.message).toBe(QUEUE_FULL_MESSAGE)
    expect(err.message).toBe('queue is full')
    expect(err.code).toBe('hh-queue-full')
    const stats = await node.stats()
    expect(stats.diskBytes).toBeLessThanOrEqual(3000)
    expect(stats.shards.map((s) => s.shardId)).toEqual([1, 2, 3])
    expect(stats.diskBytes).toBe(stats.shards.reduce((n, s) => n + s.diskBytes, 0))
  })

  it('accepts appends again once the queues have drained', async () => {
    const dir = newDir()
    const node = await NodeQueues.open(2, join(dir, '2'), {maxSizeBytes: 2500, segmentBytes: 600})
    open.push(node)
    const data = Buffer.alloc(500, 0x62)
    for (let i = 0; i < 4; i++) await node.append(1, data)
    await expect(node.append(1, data)).rejects.toThrow('queue is full')
    await drain(node.shard(1)!)
    await expect(node.append(1, data)).resolves.toBeUndefined()
  })

  it('counts a drained one-segment queue until it is reclaimed, then accepts appends again', async () => {
    const dir = newDir()
    const node = await NodeQueues.open(2, join(dir, '2'), {maxSizeBytes: 2500})
    open.push(node)
    const data = Buffer.alloc(500, 0x63)
    for (let i = 0; i < 4; i++) await node.append(1, data)
    await expect(node.append(1, data)).rejects.toThrow('queue is full')
    await drain(node.shard(1)!)
    // Delivered, but still on disk in the only segment: max-size still counts it.
    await expect(node.append(1, data)).rejects.toThrow('queue is full')
    expect(await node.shard(1)!.reclaim()).toBe(true)
    expect((await node.stats()).diskBytes).toBe(FOOTER_BYTES)
    await expect(node.append(1, data)).resolves.toBeUndefined()
  })
})

describe('SegmentQueue: reclaim, the disk of a drained queue given back', () => {
  it('replaces the exhausted segment by an empty one only when every block is delivered, and keeps working', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir)
    expect(await queue.reclaim()).toBe(false) // a new queue is one empty segment already
    await appendAll(queue, blocks(5))
    expect(await queue.reclaim()).toBe(false) // blocks left to deliver
    expect((await queue.peek())?.toString()).toBe(blocks(5)[0])
    expect(await queue.reclaim()).toBe(false) // a block handed out and not acknowledged yet
    await queue.advance()
    expect(await drain(queue)).toEqual(blocks(5).slice(1))
    expect((await queue.stats()).diskBytes).toBeGreaterThan(FOOTER_BYTES)
    expect(await queue.reclaim()).toBe(true)
    expect(segmentFiles(dir)).toEqual(['2'])
    expect(statSync(join(dir, '2')).size).toBe(FOOTER_BYTES)
    expect(await queue.stats()).toMatchObject({diskBytes: FOOTER_BYTES, pendingBytes: 0, segments: 1})
    expect(await queue.peek()).toBeUndefined()
    await appendAll(queue, ['after'])
    expect(await drain(queue)).toEqual(['after'])
    await queue.close()
    // Reopened, the queue holds nothing to deliver again.
    const again = await openQueue(dir)
    expect(await again.queue.peek()).toBeUndefined()
    expect(again.findings).toEqual([])
  })

  it('lets appends made while it runs land in the new segment', async () => {
    const dir = newDir()
    const {queue} = await openQueue(dir)
    await appendAll(queue, blocks(3))
    await drain(queue)
    const reclaiming = queue.reclaim()
    const appending = queue.append(Buffer.from('racing'))
    expect(await reclaiming).toBe(true)
    await appending
    expect(await drain(queue)).toEqual(['racing'])
  })

  it('after a crash between its steps, the old exhausted segment is dropped on open (nothing delivered twice)', async () => {
    const dir = newDir()
    // The state on disk when the new segment exists and the old one is not removed yet: 1 exhausted, 2 empty.
    writeSegment(join(dir, '1'), ['done'], dataBlockBytes(4))
    writeFileSync(join(dir, '2'), encodeFooter(0))
    const {queue} = await openQueue(dir)
    expect(await queue.peek()).toBeUndefined()
    await queue.flush()
    expect(segmentFiles(dir)).toEqual(['2'])
  })
})

describe('HhStore: a whole hinted-handoff directory', () => {
  it('opens node and shard directories, reports foreign entries, appends, reports statistics and purges', async () => {
    const dir = newDir()
    mkdirSync(join(dir, '3', '17'), {recursive: true})
    writeSegment(join(dir, '3', '17', '1'), ['queued before'])
    writeFileSync(join(dir, 'notes.txt'), 'operator notes')
    writeFileSync(join(dir, '3', '5'), 'a pre-1.3 segment directly under the node')
    const findings: QueueFinding[] = []
    const store = await HhStore.open(dir, {onFinding: (f) => findings.push(f)})
    open.push(store)
    expect(findings.map((f) => [f.kind, f.path.slice(dir.length)])).toEqual([
      ['foreign-entry', '/notes.txt'],
      ['foreign-entry', '/3/5'],
    ])
    await store.append(3, 17, Buffer.from('new for 3/17'))
    await store.append(5, 1, Buffer.from('new for 5/1'))
    const stats = await store.stats()
    expect(stats.map((n) => [n.nodeId, n.shards.map((s) => s.shardId)])).toEqual([[3, [17]], [5, [1]]])
    expect(stats[0].pendingBytes).toBe(dataBlockBytes(13) + dataBlockBytes(12))
    expect(await drain(store.node(3)!.shard(17)!)).toEqual(['queued before', 'new for 3/17'])
    for (const f of readdirSync(join(dir, '5', '1'))) utimesSync(join(dir, '5', '1', f), 1, 1)
    expect(await store.purgeOlderThan(60_000)).toEqual([{nodeId: 5, shardId: 1, segments: 1, bytes: dataBlockBytes(11), blocks: 1}])
  })
})
