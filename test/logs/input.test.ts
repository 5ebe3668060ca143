import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'

import {MedicError} from '../../src/errors.js'
import {ChunkCutter, forEachLine, looksLikeText, readInputText, readLines, resolveInputs} from '../../src/logs/input.js'
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

describe('named pipes and other streams', () => {
  const fifo = (dir: string, name = 'pipe'): string => {
    const p = join(dir, name)
    execFileSync('mkfifo', [p])
    return p
  }
  /** Opens the FIFO for writing once `ms` have passed (as a separate process would), writes `body`, closes. */
  const writeLater = (path: string, body: Buffer | string, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      setTimeout(() => {
        // Opening for writing blocks until the reader has the pipe open: do it off the main thread.
        open(path, 'w').then(async (fh) => {
          await fh.write(typeof body === 'string' ? Buffer.from(body) : body)
          await fh.close()
          resolve()
        }, reject)
      }, ms)
    })

  it('reads a FIFO as a stream (no seek), gzip recognised on its first bytes, and says when it waits for a writer', async () => {
    const dir = tempDir()
    const p = fifo(dir)
    const [input] = await resolveInputs([p])
    expect(input.kind).toBe('stream')
    const waits: string[] = []
    const writer = writeLater(p, gzipSync('one\ntwo\n'), 300)
    const lines: string[] = []
    for await (const l of readLines(input, {onWait: (m) => waits.push(m), waitNoticeMs: 50})) lines.push(l)
    await writer
    expect(lines).toEqual(['one', 'two'])
    expect(waits).toEqual([`waiting for a process to write to ${p} (a named pipe)...`])
  })

  it('gives up on a FIFO nobody opens for writing at the deadline, with exit 4 and the pipe named', async () => {
    const dir = tempDir()
    const p = fifo(dir)
    const [input] = await resolveInputs([p])
    const t0 = performance.now()
    const err = await (async () => {
      for await (const _ of readLines(input, {deadlineMs: 300})) void _
    })().catch((e: unknown) => e)
    expect(err).toMatchObject({exitCode: 4, code: 'input-pipe-no-writer'})
    expect((err as Error).message).toContain(p)
    expect(performance.now() - t0).toBeLessThan(5000)
    // The pipe was unblocked, not left with a stuck open: a new reader and writer still work.
    const writer = writeLater(p, 'after\n', 50)
    const again: string[] = []
    for await (const l of readLines(input)) again.push(l)
    await writer
    expect(again).toEqual(['after'])
  })

  it('reads text through readInputText (the helper for status --file) from a pipe and refuses oversize input', async () => {
    const dir = tempDir()
    const p = fifo(dir)
    const writer = writeLater(p, '{"a":1}\n', 50)
    expect(await readInputText(p, {maxBytes: 1000})).toBe('{"a":1}\n')
    await writer
    const big = join(dir, 'big.json')
    writeFileSync(big, 'x'.repeat(2000))
    await expect(readInputText(big, {maxBytes: 1000})).rejects.toMatchObject({exitCode: 4, code: 'input-too-large'})
  })

  it('calls a binary file "not a text log" instead of scanning it, but reads a log that starts with NUL padding', async () => {
    const dir = tempDir()
    const bin = join(dir, 'data.tsm')
    writeFileSync(bin, Buffer.from(Array.from({length: 4096}, (_, i) => (i * 37) % 256)))
    const [input] = await resolveInputs([bin])
    const err = await (async () => {
      for await (const _ of readLines(input)) void _
    })().catch((e: unknown) => e)
    expect(err).toMatchObject({exitCode: 4, code: 'input-not-text'})
    expect(looksLikeText(Buffer.concat([Buffer.alloc(5000), Buffer.from('[write] 2016/10/18 10:35:21 a line\n'.repeat(10))]))).toBe(true)
    expect(looksLikeText(Buffer.from('plain text with ünïcödé\n'))).toBe(true)
  })

  it('keeps going when one input of several is missing: the others are read and the missing one is a problem', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'ok.log'), 'x\n')
    const inputs = await resolveInputs([join(dir, 'ok.log'), join(dir, 'gone.log')], [], process.stdin, {tolerant: true})
    expect(inputs.map((i) => i.problem?.code)).toEqual([undefined, 'input-not-found'])
    await expect(resolveInputs([join(dir, 'gone.log'), join(dir, 'also-gone.log')], [], process.stdin, {tolerant: true})).rejects.toMatchObject({exitCode: 4})
  })
})
