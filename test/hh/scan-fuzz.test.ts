// Fuzzing the segment reader behind `medic hh inspect` (seeded, bounded): random and mutated segment files judged in
// memory (judgeSegment, every byte of the file reachable through the read callback) and on disk through scanHhDir,
// and unreadable entries injected through the scanner's file-system calls (the suite may run as root, where chmod
// cannot make a file unreadable). No exception escapes; what is wrong becomes a finding; time does not grow with
// the size of a segment (two 8-byte reads, whatever the size).
import {mkdirSync, openSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {encodeBlock, encodeFooter, encodePayload, FOOTER_BYTES} from '../../src/hh/format.js'
import {judgeSegment, type ReadAt, scanHhDir, type ScanIo} from '../../src/hh/scan.js'
import {tempDir} from '../helpers/cli.js'
import {expectLinear, fuzz, Rng} from '../helpers/fuzz.js'
import {writeQueue} from '../helpers/hh.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

/** A well-formed segment: some blocks (checksummed or raw), a head at a block boundary. */
function segment(rng: Rng): Buffer {
  const blocks: Buffer[] = []
  for (let i = rng.int(0, 6); i > 0; i--) {
    const data = Buffer.alloc(rng.int(1, 300), rng.int(0, 256))
    blocks.push(encodeBlock(rng.next() < 0.5 ? encodePayload(data) : data))
  }
  const delivered = rng.int(0, blocks.length + 1)
  const head = blocks.slice(0, delivered).reduce((s, b) => s + b.length, 0)
  return Buffer.concat([...blocks, encodeFooter(head)])
}

/** Byte-level damage: flips, cuts, zeroed runs, random u64s where lengths and footers live, appended garbage. */
function damage(rng: Rng, seg: Buffer): Buffer {
  let b = Buffer.from(seg)
  for (let e = rng.int(1, 4); e > 0; e--) {
    const at = b.length === 0 ? 0 : rng.int(0, b.length)
    switch (rng.int(0, 6)) {
      case 0: if (b.length > 0) b[at] ^= 1 << rng.int(0, 8); break
      case 1: b = b.subarray(0, at); break
      case 2: b.fill(0, at, Math.min(b.length, at + rng.int(1, 16))); break
      case 3: {
        const u = Buffer.alloc(8)
        u.writeBigUInt64BE(rng.next() < 0.3 ? 2n ** 63n : BigInt(rng.int(0, 2 ** 31)))
        const pos = rng.next() < 0.5 ? Math.max(0, b.length - 8) : Math.max(0, Math.min(at, b.length - 8))
        u.copy(b, pos)
        break
      }
      case 4: b = Buffer.concat([b, Buffer.alloc(rng.int(1, 20), rng.int(0, 256))]); break
      default: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.int(1, 9)))])
    }
  }
  return b
}

function readerOf(buf: Buffer): ReadAt {
  return (target, length, position) => {
    if (position < 0 || position >= buf.length) return 0
    return buf.copy(target, 0, position, Math.min(buf.length, position + length))
  }
}

const KINDS = new Set(['ok', 'corrupt'])

describe('fuzz: the segment and footer reader', () => {
  it('judges random and damaged segments without throwing; every verdict is consistent with the bytes', () => {
    const report = fuzz('segment', {seed: 9, iterations: 20_000, budgetMs: 2500, maxMsPerInput: 1000}, (rng) => {
      const r = rng.next()
      if (r < 0.15) return Buffer.from(Array.from({length: rng.int(0, 40)}, () => rng.int(0, 256)))
      const seg = segment(rng)
      return r < 0.35 ? seg : damage(rng, seg)
    }, (bytes) => {
      for (const checkBlock of [true, false]) {
        const j = judgeSegment(bytes.length, 0, checkBlock, readerOf(bytes))
        expect(KINDS.has(j.kind)).toBe(true)
        if (j.kind === 'ok') {
          // A sound footer: the head lies within the data, pending bytes are what is after it.
          expect(j.head).toBeGreaterThanOrEqual(0)
          expect(j.head + j.pendingBytes).toBe(bytes.length - FOOTER_BYTES)
        } else {
          expect(j.code).toMatch(/^segment-(empty|truncated|footer-past-end|bad-block)$/)
          expect(j.reason.length).toBeGreaterThan(0)
        }
      }
    })
    expect(report.iterations).toBeGreaterThan(500)
  })

  it('reads at most two 8-byte fields whatever the size: time does not grow with the segment', () => {
    const rng = new Rng(2, 'sizes')
    const make = (n: number) => {
      const blocks = [encodeBlock(Buffer.alloc(n, 7)), encodeBlock(Buffer.alloc(16, rng.int(0, 256)))]
      return Buffer.concat([...blocks, encodeFooter(0)])
    }
    expectLinear(make, (b) => {
      for (let i = 0; i < 200; i++) judgeSegment(b.length, 0, true, readerOf(b))
    }, 1 << 16)
  })

  it('scans directories of damaged segments: findings, never an exception, and no damaged queue called empty', async () => {
    const rng = new Rng(5, 'dirs')
    for (let round = 0; round < 12; round++) {
      const dir = tempDir('medic-scan-fuzz-')
      dirs.push(dir)
      const n = rng.int(1, 6)
      for (let i = 1; i <= n; i++) {
        mkdirSync(join(dir, '4', '12'), {recursive: true})
        writeFileSync(join(dir, '4', '12', String(i)), rng.next() < 0.5 ? damage(rng, segment(rng)) : segment(rng))
      }
      const scan = await scanHhDir(dir, {now: () => Date.now() + 60_000})
      const q = scan.nodes[0].queues[0]
      expect(q.segments + q.badSegments).toBeGreaterThanOrEqual(1)
      if (q.badSegments > 0) expect(scan.findings.some((f) => f.severity === 'critical' || f.severity === 'unknown')).toBe(true)
    }
  })

  it('reports entries that cannot be read (EACCES, EIO) as unknown, counted as unchecked', async () => {
    const dir = tempDir('medic-scan-eacces-')
    dirs.push(dir)
    writeQueue(dir, '4', '12', [{blocks: ['x']}, {blocks: ['y']}])
    writeQueue(dir, '4', '13', [{blocks: ['z']}])
    const denied = new Map([[join(dir, '4', '12', '2'), 'EACCES'], [join(dir, '4', '13'), 'EIO']])
    const io: Partial<ScanIo> = {
      openSync: (p, f) => {
        const code = denied.get(p)
        if (code) throw Object.assign(new Error(code), {code})
        return openSync(p, f)
      },
      readdirSync: (p) => {
        const code = denied.get(p)
        if (code) throw Object.assign(new Error(code), {code})
        return readdirSync(p, {withFileTypes: true})
      },
    }
    const scan = await scanHhDir(dir, {io})
    expect(scan.findings.filter((f) => f.code === 'unreadable').map((f) => [f.severity, f.message.replace(dir, 'DIR')])).toEqual([
      ['unknown', 'DIR/4/12/2: cannot read the segment (permission denied)'],
      ['unknown', 'DIR/4/13: cannot list the queue for node 4, shard 13 (EIO)'],
    ])
    expect(scan.unchecked).toBe(2)
    expect(scan.nodes[0].queues.map((q) => q.badSegments)).toEqual([1, 1])
  })
})
