import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {ChunkCutter, forEachLine, readLines, resolveInputs} from '../../src/logs/input.js'
import {tempDir} from '../helpers/cli.js'

function cutAll(parts: Buffer[], target: number, maxLine: number): {lines: string[]; cut: number} {
  const c = new ChunkCutter(target, maxLine)
  const lines: string[] = []
  for (const p of parts) for (const chunk of c.push(p)) forEachLine(chunk, (l) => lines.push(l))
  for (const chunk of c.end()) forEachLine(chunk, (l) => lines.push(l))
  return {lines, cut: c.cutLines}
}

describe('ChunkCutter', () => {
  it('re-cuts arbitrary pieces into whole lines, whatever the split points', () => {
    const text = Array.from({length: 500}, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`).join('\n') + '\n'
    const buf = Buffer.from(text)
    for (const step of [1, 3, 7, 64, 1000, buf.length]) {
      const parts: Buffer[] = []
      for (let i = 0; i < buf.length; i += step) parts.push(buf.subarray(i, i + step))
      const {lines} = cutAll(parts, 256, 1 << 20)
      expect(lines.join('\n') + '\n').toBe(text)
    }
  })

  it('adds the missing final newline', () => {
    expect(cutAll([Buffer.from('a\nb')], 16, 1024).lines).toEqual(['a', 'b'])
  })

  it('cuts over-long lines and skips their rest, even without any newline', () => {
    const long = Buffer.alloc(5000, 'y')
    const {lines, cut} = cutAll([Buffer.from('first\n'), long, long, Buffer.from('\nlast\n')], 64, 1000)
    expect(lines).toEqual(['first', 'y'.repeat(1000), 'last'])
    expect(cut).toBe(1)
    const noNewline = cutAll([long, long, long], 64, 1000)
    expect(noNewline.lines).toEqual(['y'.repeat(1000)])
  })

  it('keeps multi-byte characters split across pieces intact', () => {
    const buf = Buffer.from('µs ✓ 380.542µs\n')
    const parts = [...buf].map((b) => Buffer.from([b]))
    expect(cutAll(parts, 4, 1024).lines).toEqual(['µs ✓ 380.542µs'])
  })
})

describe('inputs', () => {
  it('reads plain and gzip files (by magic bytes, not by name)', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'plain.log'), 'a\r\nb\n')
    writeFileSync(join(dir, 'packed.txt'), gzipSync('c\nd\n'))
    const inputs = await resolveInputs([join(dir, 'plain.log'), join(dir, 'packed.txt')])
    expect(inputs.map((i) => i.gzip)).toEqual([false, true])
    const lines: string[] = []
    for (const input of inputs) for await (const l of readLines(input)) lines.push(l)
    expect(lines).toEqual(['a\r', 'b', 'c', 'd'])
  })

  it('labels files with the same name by their folders (meta-1/influxdb-meta.log), others by their name', async () => {
    const dir = tempDir()
    for (const n of ['meta-1', 'meta-2']) {
      mkdirSync(join(dir, n))
      writeFileSync(join(dir, n, 'influxdb-meta.log'), 'x\n')
    }
    writeFileSync(join(dir, 'other.log'), 'y\n')
    const inputs = await resolveInputs([join(dir, 'meta-1', 'influxdb-meta.log'), join(dir, 'meta-2', 'influxdb-meta.log'), join(dir, 'other.log')])
    expect(inputs.map((i) => i.label)).toEqual(['meta-1/influxdb-meta.log', 'meta-2/influxdb-meta.log', 'other.log'])
  })

  it('names the missing file, a directory and refuses a terminal on stdin (exit codes 4 and 2)', async () => {
    const dir = tempDir()
    await expect(resolveInputs([join(dir, 'nope.log')])).rejects.toMatchObject({exitCode: 4, code: 'input-not-found'})
    await expect(resolveInputs([dir])).rejects.toMatchObject({exitCode: 4, code: 'input-is-directory'})
    const err = await resolveInputs(['-'], ['hint'], {isTTY: true}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MedicError)
    expect(err).toMatchObject({exitCode: 2, code: 'no-input', suggestions: ['hint']})
  })
})
