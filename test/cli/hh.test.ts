// `medic hh inspect | watch | wait` end to end, through the built CLI in a child process, on real directories (and a
// real loopback data node for --url). Timing-dependent checks wait for a condition (a line on a stream), never sleep.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {encodeFooter, FOOTER_BYTES} from '../../src/hh/format.js'
import {medic, oneJson, ROOT, tempDir} from '../helpers/cli.js'
import {drainSegment, points, setMtime, writeQueue, writeSegment} from '../helpers/hh.js'

const HOUR = 3_600_000

/** Two destination nodes: node 4 with two shard queues, node 5 with one; returns the pending bytes per node. */
function fixture(): {dir: string; n4: number; n5: number} {
  const dir = tempDir('medic-hh-cli-')
  const n4 = writeQueue(dir, '4', '12', [{blocks: [points(2000), points(2000)], delivered: 1}, {blocks: [points(3000)]}]) +
    writeQueue(dir, '4', '13', [{blocks: [points(1000)]}])
  const n5 = writeQueue(dir, '5', '12', [{blocks: [points(500)]}])
  return {dir, n4, n5}
}

interface Running {
  child: ChildProcessWithoutNullStreams
  stdout: () => string
  stderr: () => string
  /** Resolves when `pred` holds for the text of the stream so far. */
  waitFor: (stream: 'stdout' | 'stderr', pred: (text: string) => boolean, timeoutMs?: number) => Promise<string>
  done: Promise<number | null>
}

const children: ChildProcessWithoutNullStreams[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
})

function start(args: string[]): Running {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '', CI: '1'}
  delete env.FORCE_COLOR
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe']})
  children.push(child)
  const text = {stdout: '', stderr: ''}
  const waiters: Array<() => void> = []
  const poke = () => waiters.forEach((w) => w())
  child.stdout.on('data', (c: Buffer) => ((text.stdout += c.toString('utf8')), poke()))
  child.stderr.on('data', (c: Buffer) => ((text.stderr += c.toString('utf8')), poke()))
  child.stdin.end()
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => (poke(), resolve(code))))
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    done,
    waitFor: (stream, pred, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pred(text[stream])) {
            clearTimeout(timer)
            resolve(text[stream])
          } else if (child.exitCode !== null) {
            clearTimeout(timer)
            reject(new Error(`medic ${args.join(' ')} exited ${child.exitCode} first; stdout: ${text.stdout} stderr: ${text.stderr}`))
          }
        }
        const timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms; ${stream}: ${text[stream]}`)), timeoutMs)
        waiters.push(check)
        check()
      }),
  }
}

function ndjson(stdout: string): Array<Record<string, any>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>)
}

describe.concurrent('medic hh inspect', () => {
  it('shows bytes to send per destination node, limits and their source, and exits 0', async () => {
    const {dir, n4, n5} = fixture()
    const r = await medic(['hh', 'inspect', dir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Hinted handoff in ${dir}: 2 destination nodes, 3 queues`)
    expect(r.stdout).toContain('Limits: max-size 10 GiB per destination node (default), max-age 168h (default)')
    expect(r.stdout).toMatch(/^node\s+to send\s+on disk\s+segments\s+headroom\s+oldest pending\s+last write\s+max-age in\s+status$/m)
    expect(r.stdout).toMatch(/^4\s+\S+ KiB\s+.*pending$/m)
    expect(r.stdout).toContain('Verdict: OK')
    expect(r.stdout).not.toContain('\u001B[')
    const shards = await medic(['hh', 'inspect', dir, '--shards'])
    expect(shards.stdout).toMatch(/^\s+13\s+1\d{3} B\s/m)
    expect(n4 + n5).toBeGreaterThan(0)
  })

  it('gives one JSON document with nodes, queues, settings and findings', async () => {
    const {dir, n4, n5} = fixture()
    const conf = join(dir, '..', `${dir.split('/').pop()}.conf`)
    writeFileSync(conf, `[hinted-handoff]\n  dir = "${dir}"\n  max-size = "1g"\n`)
    const r = await medic(['hh', 'inspect', '--config', conf, '--max-age', '72h', '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const doc = oneJson(r.stdout) as any
    expect(doc).toMatchObject({schemaVersion: 1, command: 'hh inspect', exitCode: 0, dir, verdict: 'ok'})
    expect(doc.settings).toMatchObject({maxSizeBytes: 1024 ** 3, maxSizeSource: 'config', maxAgeMs: 72 * HOUR, maxAgeSource: 'flag', configPath: conf})
    expect(doc.totals).toMatchObject({nodes: 2, queues: 3, segments: 4, pendingBytes: n4 + n5})
    expect(doc.nodes.map((n: any) => [n.node, n.pendingBytes, n.queues.length])).toEqual([['4', n4, 2], ['5', n5, 1]])
    expect(doc.nodes[0].queues[0]).toMatchObject({shard: '12', headSegment: '1', pendingSegments: 2})
    expect(doc.nodes[0].headroomBytes).toBe(1024 ** 3 - doc.nodes[0].diskBytes)
    expect(doc.findings).toEqual([])
  })

  it('exits 3 for a node over max-size or data past max-age, with the findings', async () => {
    const {dir} = fixture()
    const full = await medic(['hh', 'inspect', dir, '--max-size', '5k', '--json'])
    expect(full.code).toBe(3)
    const doc = oneJson(full.stdout) as any
    expect(doc.nodes[0].status).toBe('full')
    expect(doc.findings[0]).toMatchObject({severity: 'critical', code: 'node-full', node: '4'})
    const oldDir = tempDir('medic-hh-cli-')
    writeQueue(oldDir, '7', '1', [{blocks: ['x'], mtimeMs: Date.now() - 3 * HOUR}])
    const aged = await medic(['hh', 'inspect', oldDir, '--max-age', '2h'], {env: {MEDIC_HH_MAX_SIZE: '1g'}})
    expect(aged.code).toBe(3)
    expect(aged.stdout).toMatch(/CRITICAL past-max-age\s+node 7 has pending data last written 3h/)
    expect(aged.stdout).toContain('max-size 1 GiB per destination node (from a flag or MEDIC_HH_*)')
  })

  it('refuses a --max-size influxd would not run with (exit 2), naming the nearest size it reads', async () => {
    const {dir} = fixture()
    const [gib, dec, env] = await Promise.all([
      medic(['hh', 'inspect', dir, '--max-size', '10GiB']),
      medic(['hh', 'inspect', dir, '--max-size', '1.5g', '--json']),
      medic(['hh', 'inspect', dir], {env: {MEDIC_HH_MAX_SIZE: '1t'}}),
    ])
    expect(gib.code).toBe(2)
    expect(gib.stderr).toContain('"10GiB" is not a size influxd reads')
    expect(gib.stderr).toContain('try --max-size 10g')
    expect(dec.code).toBe(2)
    expect(oneJson(dec.stdout)).toMatchObject({exitCode: 2})
    expect(env.code).toBe(2)
  })

  it('notes foreign files (exit 0) and reports corrupt segments as critical (exit 3), without crashing', async () => {
    const {dir} = fixture()
    writeFileSync(join(dir, 'notes.txt'), 'x')
    writeFileSync(join(dir, '4', '12', 'copy-of-1'), 'x')
    const foreign = await medic(['hh', 'inspect', dir])
    expect(foreign.code).toBe(0)
    expect(foreign.stdout).toMatch(/INFO\s+foreign-file/)
    expect(foreign.stdout).toContain('Verdict: OK')

    const q = join(dir, '5', '12')
    const old = Date.now() - 2 * HOUR
    writeFileSync(join(q, '2'), '')
    writeFileSync(join(q, '3'), Buffer.from([9, 9]))
    writeFileSync(join(q, '4'), Buffer.concat([Buffer.from('abcdefgh'), encodeFooter(2 ** 40)]))
    const huge = Buffer.alloc(8)
    huge.writeBigUInt64BE(2n ** 63n)
    writeFileSync(join(q, '5'), Buffer.concat([Buffer.from('abcdefgh'), huge]))
    for (const n of ['2', '3', '4', '5']) setMtime(join(q, n), old)
    const r = await medic(['hh', 'inspect', dir, '--json'])
    expect(r.code).toBe(3)
    const doc = oneJson(r.stdout) as any
    expect(doc.findings.map((f: any) => f.code).sort()).toEqual([
      'foreign-file', 'foreign-file', 'segment-empty', 'segment-footer-past-end', 'segment-footer-past-end', 'segment-truncated',
    ])
    expect(doc.nodes[1]).toMatchObject({node: '5', status: 'corrupt', badSegments: 4})
    expect(doc.findings.find((f: any) => f.path === join(q, '5')).message).toMatch(/^\S+\/5\/12\/5: footer points past the end \(head 9223372036854775808/)
    expect(r.stderr).toBe('')
  })

  it('exits 4 when the directory is missing or unreadable, 2 without a directory', async () => {
    const missing = await medic(['hh', 'inspect', '/no/such/hh'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toContain('Error: /no/such/hh: no such directory')
    const json = await medic(['hh', 'inspect', '/no/such/hh', '--json'])
    expect(json.code).toBe(4)
    expect(oneJson(json.stdout)).toMatchObject({schemaVersion: 1, exitCode: 4, error: {code: 'hh-dir-not-found'}})
    const none = await medic(['hh', 'inspect'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no hinted-handoff directory given')
  })

  it.skipIf(process.getuid?.() === 0)('exits 4 with what to do when permission is denied (not as root)', async () => {
    const dir = tempDir('medic-hh-cli-')
    mkdirSync(join(dir, 'hh'))
    chmodSync(join(dir, 'hh'), 0o000)
    try {
      const r = await medic(['hh', 'inspect', join(dir, 'hh')])
      expect(r.code).toBe(4)
      expect(r.stderr).toContain('permission denied')
      expect(r.stderr).toContain('sudo -u influxdb')
    } finally {
      chmodSync(join(dir, 'hh'), 0o700)
    }
  })
})

describe.concurrent('medic hh watch', () => {
  it('prints one NDJSON object per sample and a summary, each with schemaVersion; exits 3 for stalled queues', async () => {
    const {dir, n4, n5} = fixture()
    const r = await medic(['hh', 'watch', dir, '--samples', '2', '--interval', '100ms', '--stall-after', '20ms', '--json'])
    expect(r.stderr).toBe('')
    const lines = ndjson(r.stdout)
    expect(lines.map((l) => l.type)).toEqual(['sample', 'sample', 'summary'])
    for (const l of lines) expect(l).toMatchObject({schemaVersion: 1, command: 'hh watch'})
    expect(lines[0].queues.map((q: any) => q.analysis.verdict)).toEqual(['unknown', 'unknown', 'unknown'])
    expect(lines[1].queues.map((q: any) => q.analysis.verdict)).toEqual(['stalled', 'stalled', 'stalled'])
    expect(lines[1].totals.pendingBytes).toBe(n4 + n5)
    expect(lines[2]).toMatchObject({exitCode: 3, samples: 2, verdict: 'critical', target: {kind: 'dir', dir}})
    expect(lines[2].problems.map((p: any) => p.code)).toEqual(['queue-stalled', 'queue-stalled', 'queue-stalled'])
    expect(r.code).toBe(3)
  })

  it('exits 0 on a drained hh directory and prints a line per sample and a summary when piped', async () => {
    const dir = tempDir('medic-hh-cli-')
    writeQueue(dir, '4', '12', [{blocks: ['x'], delivered: 1}])
    const r = await medic(['hh', 'watch', dir, '--samples', '2', '--interval', '100ms'])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z #1 total 0 B \| node 4 0 B drained$/)
    expect(lines[1]).toMatch(/#2 total 0 B/)
    expect(r.stdout).toContain('Summary of 2 samples')
    expect(r.stdout).toContain('node 4 shard 12: empty throughout')
    expect(r.stdout).toContain('Verdict: OK')
    expect(r.stdout).not.toContain('\u001B[')
  })

  it('exits 4 when nothing can be sampled (one JSON line under --json), 2 for a directory and --url together', async () => {
    const r = await medic(['hh', 'watch', '/no/such/hh', '--samples', '2', '--interval', '100ms', '--json'])
    expect(r.code).toBe(4)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(oneJson(r.stdout)).toMatchObject({schemaVersion: 1, exitCode: 4, error: {code: 'hh-dir-not-found'}})
    const both = await medic(['hh', 'watch', '/tmp', '--url', 'data-1:8086'])
    expect(both.code).toBe(2)
    const down = await medic(['hh', 'watch', '--url', '127.0.0.1:9', '--samples', '1'])
    expect(down.code).toBe(4)
    expect(down.stderr).toContain('127.0.0.1:9/debug/vars: connection refused')
  })

  it('reads queues remotely from a data node /debug/vars (--url)', async () => {
    let queueBytes = 100_000
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      const path = '/var/lib/influxdb/hh/4/12'
      queueBytes = Math.max(0, queueBytes - 10_000)
      res.end(JSON.stringify({
        memstats: {Alloc: 1},
        'hh:/var/lib/influxdb/hh': {name: 'hh', tags: {path: '/var/lib/influxdb/hh'}, values: {}},
        // bytesRead: read from the queue and delivered; bytesWritten: appended (nothing new here).
        [`hh_processor:${path}`]: {name: 'hh_processor', tags: {node: '4', path}, values: {queueBytes, bytesRead: 100_000 - queueBytes, bytesWritten: 100_000, queueDepth: 1}},
      }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const r = await medic(['hh', 'watch', '--url', `127.0.0.1:${port}`, '--samples', '3', '--interval', '100ms', '--json'])
      const lines = ndjson(r.stdout)
      expect(lines.at(-1)).toMatchObject({type: 'summary', exitCode: 0, target: {kind: 'http', urls: [`127.0.0.1:${port}`]}})
      const q = lines[2].queues[0]
      expect(q).toMatchObject({source: `127.0.0.1:${port}`, node: '4', shard: '12'})
      expect(q.analysis.verdict).toBe('draining')
      expect(q.analysis.eta).not.toBeNull()
      expect(r.code).toBe(0)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('stops on Ctrl-C (SIGINT) and still prints the summary', async () => {
    const {dir} = fixture()
    const run = start(['hh', 'watch', dir, '--interval', '100ms', '--stall-after', '20ms', '--json'])
    await run.waitFor('stdout', (s) => s.split('\n').length >= 3) // two sample lines
    run.child.kill('SIGINT')
    const code = await run.done
    const lines = ndjson(run.stdout())
    expect(lines.at(-1)).toMatchObject({type: 'summary', interrupted: true})
    expect(code).toBe(3)
  })
})

describe.concurrent('medic hh wait', () => {
  it('exits 0 at once on an empty directory', async () => {
    const dir = tempDir('medic-hh-cli-')
    writeQueue(dir, '4', '12', [{blocks: ['x'], delivered: 1}]) // exhausted segment: nothing pending
    const json = await medic(['hh', 'wait', dir, '--json'])
    expect(json.code).toBe(0)
    expect(oneJson(json.stdout)).toMatchObject({schemaVersion: 1, command: 'hh wait', exitCode: 0, outcome: 'drained', samples: 1})
  })

  it('exits 3 on --timeout with data pending, 4 when the directory is missing', async () => {
    const {dir} = fixture()
    const r = await medic(['hh', 'wait', dir, '--timeout', '400ms', '--interval', '100ms', '--json'])
    expect(r.code).toBe(3)
    expect(r.stderr).toBe('')
    const doc = oneJson(r.stdout) as any
    expect(doc).toMatchObject({exitCode: 3, outcome: 'timeout', timeoutMs: 400})
    expect(doc.samples).toBeGreaterThanOrEqual(2)
    const missing = await medic(['hh', 'wait', '/no/such/hh'])
    expect(missing.code).toBe(4)
  })

  it('exits 3 when a queue stalls for --stall-timeout', async () => {
    const {dir} = fixture()
    const r = await medic(['hh', 'wait', dir, '--timeout', '1m', '--interval', '100ms', '--stall-after', '100ms', '--stall-timeout', '300ms'])
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/^STALLED\s+3 queues delivered nothing for/)
    expect(r.stdout).toContain('Verdict: CRITICAL')
    expect(r.stderr).toMatch(/^waiting: \S+ KiB pending in 3 queues/m)
    expect(r.stderr).toContain("warning: --stall-after 100ms is shorter than HH's back-off")
    const timeout = await medic(['hh', 'wait', dir, '--timeout', '300ms', '--interval', '100ms', '--stall-timeout', '1m'])
    expect(timeout.code).toBe(3)
    expect(timeout.stdout).toMatch(/^TIMEOUT\s+\S+ KiB still pending after 300ms/)
  })

  it('exits 0 when the queues drain while it waits (footers rewritten by the test)', async () => {
    const dir = tempDir('medic-hh-cli-')
    const a = join(dir, '4', '12', '1')
    const b = join(dir, '5', '3', '1')
    const sizeA = writeSegment(a, {blocks: [points(5000), points(5000)]}) + FOOTER_BYTES
    const sizeB = writeSegment(b, {blocks: [points(700)]}) + FOOTER_BYTES
    const run = start(['hh', 'wait', dir, '--interval', '100ms', '--timeout', '60s'])
    // Progress goes to stderr: wait until medic has seen the data pending, then deliver it in two steps.
    await run.waitFor('stderr', (s) => /waiting: \S+ KiB pending in 2 queues/.test(s))
    drainSegment(a, sizeA)
    await run.waitFor('stderr', (s) => /waiting: \S+ B pending in 1 queue\b/.test(s))
    drainSegment(b, sizeB)
    expect(await run.done).toBe(0)
    expect(run.stdout()).toMatch(/^DRAINED\s+every hinted-handoff queue/)
  })
})

describe.concurrent('hh help', () => {
  it('has a topic and examples on every command', async () => {
    const topic = await medic(['hh', '--help'])
    expect(topic.stdout).toMatch(/hinted-handoff/i)
    for (const cmd of ['inspect', 'watch', 'wait']) {
      const r = await medic(['hh', cmd, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('EXAMPLES')
      expect(r.stdout).toContain('--json')
      expect(r.stdout).toContain('MEDIC_')
    }
  })
})

describe.concurrent('verdicts an operator can bet an upgrade on', () => {
  it('hh wait and inspect refuse the parent of a real hh directory (exit 4) and name it; an empty hh directory is fine when the config names it', async () => {
    const parent = tempDir('medic-hh-parent-')
    writeQueue(join(parent, 'hh'), '4', '12', [{blocks: [points(1_000_000), points(1_000_000)]}])
    const wait = await medic(['hh', 'wait', parent, '--timeout', '5s'])
    expect(wait.code).toBe(4)
    expect(wait.stdout).not.toContain('DRAINED')
    expect(wait.stderr).toContain(`Error: ${parent}: not an hh directory`)
    expect(wait.stderr).toContain(`did you mean ${join(parent, 'hh')}? medic hh wait ${join(parent, 'hh')}`)
    const inspect = await medic(['hh', 'inspect', parent, '--json'])
    expect(inspect.code).toBe(4)
    expect(JSON.parse(inspect.stdout)).toMatchObject({error: {code: 'not-an-hh-dir'}})

    const empty = tempDir('medic-hh-fresh-')
    const conf = join(empty, '..', `${empty.split('/').pop()}.conf`)
    writeFileSync(conf, `[hinted-handoff]\n  dir = "${empty}"\n`)
    const fresh = await medic(['hh', 'wait', '--config', conf, '--timeout', '5s', '--json'])
    expect(JSON.parse(fresh.stdout)).toMatchObject({exitCode: 0, outcome: 'drained', verdict: 'ok'})
    const freshInspect = await medic(['hh', 'inspect', empty, '--config', conf])
    expect(freshInspect.code).toBe(0)
    expect(freshInspect.stdout).toContain('no queues: an empty hh directory')
  })

  it('hh watch --interval 1s on a queue stuck at 0 B/s never ends "Verdict: OK": unknown (exit 4) before a verdict, stalled (exit 3) past --stall-after', async () => {
    const {dir} = fixture()
    const early = await medic(['hh', 'watch', dir, '--interval', '1s', '--samples', '3'])
    expect(early.stdout).not.toContain('Verdict: OK')
    // Two seconds of watching: unknown (a loaded machine that stretches them past 10 s makes it retrying, exit 3).
    expect(early.stdout).toMatch(early.code === 4 ? /Verdict: UNKNOWN/ : /Verdict: WARNING .*\n.*retrying/)
    expect([3, 4]).toContain(early.code)
    const late = await medic(['hh', 'watch', dir, '--interval', '1s', '--samples', '3', '--stall-after', '1500ms', '--json'])
    const summary = ndjson(late.stdout).at(-1)!
    expect(summary).toMatchObject({type: 'summary', verdict: 'critical', exitCode: 3})
    expect(summary.queues.map((q: any) => q.analysis.verdict)).toEqual(['stalled', 'stalled', 'stalled'])
    expect(late.code).toBe(3)
  })

  it('host names asked for with --meta and not available keep a drained wait from OK (exit 4), and say why', async () => {
    const dir = tempDir('medic-hh-cli-')
    writeQueue(dir, '4', '12', [{blocks: ['x'], delivered: 1}])
    const r = await medic(['hh', 'wait', dir, '--meta', '127.0.0.1:9', '--http-timeout', '1s', '--timeout', '10s'])
    expect(r.stdout).toMatch(/^DRAINED/)
    expect(r.stdout).toMatch(/UNKNOWN\s+meta-unavailable/)
    expect(r.stdout).toContain('Verdict: UNKNOWN')
    expect(r.code).toBe(4)
    const plain = await medic(['hh', 'wait', dir, '--timeout', '10s'])
    expect(plain.code).toBe(0)
  })

  it('escapes control characters in a directory name, and withholds a suggested command that would carry them', async () => {
    const base = tempDir('medic-hh-evil-')
    const evil = join(base, 'hh\u001b]0;pwned\u0007')
    writeQueue(evil, '4', '12', [{blocks: ['x']}])
    const r = await medic(['hh', 'inspect', evil])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
    expect(r.stdout).toContain('hh\\x1b]0;pwned\\x07')
    expect(r.stdout).not.toContain('watch it drain')
    const spaced = join(base, "it's here")
    writeQueue(spaced, '4', '12', [{blocks: ['x']}])
    const q = await medic(['hh', 'inspect', spaced])
    expect(q.stdout).toContain(`watch it drain: medic hh watch '${base}/it'\\''s here'`)
  })
})
