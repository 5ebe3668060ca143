// `medic explain --file` and `medic logs summarize` on the inputs operators actually give: process substitution
// (`<(zcat x.gz)`), named pipes with and without a writer, a binary file given by mistake, one missing or unreadable
// input among several. Through the built CLI in child processes.
import {execFileSync, spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {describe, expect, it} from 'vitest'

import {type CliResult, medic, oneJson, ROOT, tempDir} from '../helpers/cli.js'
import {until} from '../helpers/wait.js'

const CRITICAL = '[write] 2016/10/18 10:35:21 write failed for shard 101 on node 4: queue is full'
const BENIGN = 'ts=2021-07-03T11:00:00.000512Z lvl=info msg="Closing retention policy enforcement service" log_id=0V6y7ktG000 service=retention'
const BIN = join(ROOT, 'bin', 'run.js')

/** Runs a bash command line (for `<(...)`), with `medic` standing for the built CLI. */
function bash(script: string, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script.replaceAll('medic ', `"${process.execPath}" "${BIN}" `)], {
      cwd: ROOT, env: {...process.env, NO_COLOR: '', CI: '1'}, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`bash -c ${script} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

describe('inputs that are pipes', () => {
  it('reads process substitution (<(cat x), <(zcat x.gz)) in logs summarize and explain --file, with no ESPIPE', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'x.log'), `${BENIGN}\n${CRITICAL}\n`)
    writeFileSync(join(dir, 'x.log.gz'), gzipSync(`${BENIGN}\n${CRITICAL}\n`))
    const s = await bash(`medic logs summarize --json <(cat ${dir}/x.log) <(cat ${dir}/x.log.gz)`)
    expect(s.stderr).not.toMatch(/ESPIPE|illegal seek/i)
    const doc = oneJson(s.stdout) as {input: {lines: number}; exitCode: number}
    expect(doc.input.lines).toBe(4)
    expect(s.code).toBe(3)
    const e = await bash(`medic explain --json --file <(zcat ${dir}/x.log.gz)`)
    expect(e.stderr).not.toMatch(/ESPIPE|illegal seek/i)
    const results = (oneJson(e.stdout) as {results: Array<{id: string}>}).results
    expect(results.map((r) => r.id)).toEqual(['service-stopping', 'hh-queue-full'])
    expect(e.code).toBe(3)
  })

  it('waits for a FIFO\'s writer, saying so on stderr, then reads what it writes', async () => {
    const dir = tempDir()
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    for (const args of [['logs', 'summarize', fifo], ['explain', '--file', fifo]]) {
      const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '', CI: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      await until('the wait notice', () => stderr.includes(`waiting for a process to write to ${fifo}`), 20_000)
      const fh = await open(fifo, 'w')
      await fh.write(`${CRITICAL}\n`)
      await fh.close()
      expect(await exited).toBe(3)
      expect(stdout).toContain('hh-queue-full')
    }
  })

  it('stops at once on Ctrl-C while it waits for a writer', async () => {
    const dir = tempDir()
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const child = spawn(process.execPath, [BIN, 'logs', 'summarize', fifo], {cwd: ROOT, env: {...process.env, NO_COLOR: '', CI: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    const exited = new Promise<[number | null, string | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])))
    await until('the wait notice', () => stderr.includes('waiting for a process to write'), 20_000)
    const t0 = performance.now()
    child.kill('SIGINT')
    const [code, signal] = await exited
    expect(code !== 0 || signal === 'SIGINT').toBe(true)
    expect(performance.now() - t0).toBeLessThan(5000)
  })
})

describe('inputs that are not what they seem', () => {
  it('reports a binary file as "not a text log" (exit 4), alone or next to a good log (a finding, the rest summarised)', async () => {
    const dir = tempDir()
    const bin = join(dir, 'data.tsm')
    writeFileSync(bin, Buffer.from(Array.from({length: 8192}, (_, i) => (i * 37 + 11) % 256)))
    writeFileSync(join(dir, 'ok.log'), `${BENIGN}\n${CRITICAL}\n`)
    const alone = await medic(['logs', 'summarize', bin])
    expect(alone.code).toBe(4)
    expect(alone.stderr).toContain(`${bin}: not a text log`)
    const e = await medic(['explain', '--file', bin])
    expect(e.code).toBe(4)
    expect(e.stderr).toContain('not a text log')
    const both = await medic(['logs', 'summarize', '--json', join(dir, 'ok.log'), bin])
    const doc = oneJson(both.stdout) as {input: {lines: number; problems: Array<{input: string; code: string}>}; complete: boolean}
    expect(doc.input.lines).toBe(2)
    expect(doc.input.problems).toEqual([expect.objectContaining({code: 'input-not-text'})])
    expect(doc.complete).toBe(false)
    expect(both.code).toBe(3)
  })

  it('keeps summarising when one input of several is missing; says the verdict covers only what was read', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'ok.log'), `${BENIGN}\n`)
    const r = await medic(['logs', 'summarize', join(dir, 'ok.log'), join(dir, 'gone.log')])
    expect(r.stdout).toContain('gone.log')
    expect(r.stdout).toContain('the verdict covers only the inputs that could be read')
    // Nothing wrong in what was read, but an input is missing: not OK.
    expect(r.code).toBe(4)
  })

  it('says which input was cut short (a truncated gzip) and still reports the lines before the cut', async () => {
    const dir = tempDir()
    const full = gzipSync(`${CRITICAL}\n`.repeat(2000))
    writeFileSync(join(dir, 'cut.log.gz'), full.subarray(0, Math.floor(full.length * 0.6)))
    writeFileSync(join(dir, 'ok.log'), `${BENIGN}\n`)
    const r = await medic(['logs', 'summarize', '--json', join(dir, 'ok.log'), join(dir, 'cut.log.gz')])
    const doc = oneJson(r.stdout) as {input: {lines: number; problems: Array<{code: string; message: string}>}}
    expect(doc.input.problems.map((p) => p.message).join()).toContain('cut.log.gz')
    expect(doc.input.lines).toBeGreaterThan(1)
    expect(r.code).toBe(3)
  })
})
