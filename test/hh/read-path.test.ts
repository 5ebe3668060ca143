// The queue's read path (1 MiB windows read ahead, blocks that straddle windows, blocks larger than a window, the
// switch to the next segment, the tail's footer while an append is running): random block sizes from empty to a few
// MiB, appends and drains at the same time, a reopen half-way, delivered buffers kept by the caller and checked again at
// the end, and corrupt bytes inside blocks that straddle windows (skipped and reported, the others delivered).
import {closeSync, openSync, readSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {SegmentQueue} from '../../src/hh/queue.js'
import {Rng} from '../../src/util/rng.js'
import {tempDir} from '../helpers/cli.js'

/** Uniform numbers in [0, 1) from the project's one seeded PRNG. */
function rng(seed: number): () => number {
  const r = new Rng(seed, 'read-path')
  return () => r.next()
}

/** A block that carries its own sequence number and size, and a byte pattern derived from both. */
function payload(seq: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(Math.max(8, size))
  b.writeUInt32BE(seq, 0)
  b.writeUInt32BE(size, 4)
  for (let i = 8; i < b.length; i++) b[i] = (seq * 31 + i * 7) & 0xff
  return b
}

/** The block's sequence number, after checking every byte. */
function check(b: Buffer): number {
  const seq = b.readUInt32BE(0)
  const size = b.readUInt32BE(4)
  expect(b.length).toBe(Math.max(8, size))
  for (let i = 8; i < b.length; i++) if (b[i] !== ((seq * 31 + i * 7) & 0xff)) throw new Error(`block ${seq}: byte ${i} is wrong`)
  return seq
}

describe('hh queue read path', () => {
  const cases = [
    {segmentBytes: 64 * 1024, sync: 'always' as const},
    {segmentBytes: 1024 * 1024 + 13, sync: {intervalMs: 2}},
    {segmentBytes: 3 * 1024 * 1024, sync: {intervalMs: 1}},
    {segmentBytes: 10 * 1024 * 1024, sync: 'always' as const},
  ]
  for (const [round, c] of cases.entries()) {
    it(`delivers every block intact and in order (segments of ${c.segmentBytes} bytes, sync ${JSON.stringify(c.sync)})`, async () => {
      const rnd = rng(round + 1)
      const size = () => {
        const r = rnd()
        if (r < 0.3) return Math.floor(rnd() * 64)
        if (r < 0.6) return Math.floor(rnd() * 16_384)
        if (r < 0.93) return Math.floor(rnd() * 300_000)
        return Math.floor(rnd() * 2.5 * 1024 * 1024)
      }
      const dir = tempDir('medic-hh-read-')
      let q = await SegmentQueue.open(dir, {segmentBytes: c.segmentBytes, sync: c.sync})
      const total = 240
      const kept: Buffer[] = []
      let next = 0
      let want = 0
      const writer = (async () => {
        const inflight = new Set<Promise<unknown>>()
        for (let i = 0; i < total; i++) {
          const p: Promise<unknown> = q.append(payload(next++, size()))
          inflight.add(p)
          void p.finally(() => inflight.delete(p))
          if (inflight.size >= 8) await Promise.race(inflight)
        }
        await Promise.all(inflight)
      })()
      // Drain the first half while the writer is still appending.
      while (want < total / 2) {
        const data = await q.peek()
        if (!data) {
          await new Promise((r) => setTimeout(r, 1))
          continue
        }
        expect(check(data)).toBe(want)
        if (rnd() < 0.05) kept.push(data)
        want++
        void q.advance()
      }
      await writer
      await q.close()
      // Reopen and drain the rest (a clean close leaves nothing to deliver twice).
      q = await SegmentQueue.open(dir, {segmentBytes: c.segmentBytes, sync: c.sync})
      for (let data = await q.peek(); data; data = await q.peek()) {
        expect(check(data)).toBe(want)
        if (rnd() < 0.05) kept.push(data)
        want++
        void q.advance()
      }
      await q.flush()
      await q.close()
      expect(want).toBe(total)
      for (const k of kept) check(k) // the engine never writes into a buffer it handed out
    })
  }

  it('skips and reports corrupt blocks that straddle read windows, and delivers the others', async () => {
    const dir = tempDir('medic-hh-read-c-')
    let q = await SegmentQueue.open(dir, {segmentBytes: 64 * 1024 * 1024})
    const sizes = [900_000, 300_000, 2_500_000, 5_000, 1_200_000, 70_000]
    for (const [i, s] of sizes.entries()) await q.append(payload(i, s))
    await q.close()
    // Block 2 crosses the 1 MiB and 2 MiB window edges; flip one byte in it and one in block 4.
    const fd = openSync(join(dir, '1'), 'r+')
    const flip = (off: number) => {
      const b = Buffer.alloc(1)
      readSync(fd, b, 0, 1, off)
      b[0]! ^= 0xff
      writeSync(fd, b, 0, 1, off)
    }
    const start2 = 900_000 + 16 + (300_000 + 16)
    flip(start2 + 16 + 1_500_000)
    const start4 = start2 + 2_500_000 + 16 + 5_000 + 16
    flip(start4 + 16 + 10)
    closeSync(fd)
    const findings: Array<{kind: string}> = []
    q = await SegmentQueue.open(dir, {segmentBytes: 64 * 1024 * 1024, onFinding: (f) => findings.push(f)})
    const got: number[] = []
    for (let data = await q.peek(); data; data = await q.peek()) {
      got.push(check(data))
      void q.advance()
    }
    await q.close()
    expect(got).toEqual([0, 1, 3, 5])
    expect(findings.length).toBeGreaterThanOrEqual(2)
  })
})
