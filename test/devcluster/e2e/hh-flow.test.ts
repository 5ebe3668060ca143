// Issue 11's "Done means", end to end through the built CLI, with real processes and nothing else:
//   medic dev up --meta 1 --data 2; a database WITH REPLICATION 2; `medic dev write --consistency one` running;
//   medic dev kill data-2            -> `medic hh watch --url <data-1> --json` shows data-1's queue for data-2 growing,
//                                       judged not OK (retrying: nothing can be delivered), and exits 3 on Ctrl-C;
//   medic dev start data-2           -> the watch shows the queue draining, with an ETA;
//   medic hh wait --url <data-1>     -> exit 0 once it is empty (writes still running);
//   medic dev verify --db ...        -> every shard's two owners hold the same points (exit 0).
// Every check reads the commands' JSON (NDJSON for the watch), never their prose. Waits are conditions with deadlines.
// One change to the generated configs, as an operator would make it: data-1's hinted handoff is throttled to 3 MB/s
// (retry-rate-limit) and its back-off capped at 2 s (retry-max-interval). Unthrottled, the few MB queued in a few
// seconds drain within one sample; capped, the queue starts draining within 2 s of data-2's return rather than after
// a back-off as long as the outage.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'
import {medic, oneJson, ROOT} from '../../helpers/cli.js'

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = Record<string, any>

interface Streamed {
  child: ChildProcessWithoutNullStreams
  /** Complete NDJSON lines of stdout so far, parsed. */
  lines: () => Doc[]
  stdout: () => string
  stderr: () => string
  /** Resolves with the first parsed stdout line that `pred` accepts (it may have arrived already). */
  waitLine: (what: string, pred: (d: Doc) => boolean, timeoutMs: number) => Promise<Doc>
  /** Ctrl-C, then the exit code once the process has ended (it must end within 20 s). */
  interrupt: () => Promise<number | null>
  done: Promise<number | null>
}

const children: ChildProcessWithoutNullStreams[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

/** The built CLI as a long-running child whose stdout is read as it comes. */
function stream(args: string[]): Streamed {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '', CI: '1'}
  delete env.FORCE_COLOR
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe']})
  children.push(child)
  child.stdin.end()
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const w of [...waiters]) w()
  }
  child.stdout.on('data', (c: Buffer) => ((out += c.toString('utf8')), wake()))
  child.stderr.on('data', (c: Buffer) => ((err += c.toString('utf8')), wake()))
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => (wake(), resolve(code))))
  const lines = () => out.split('\n').slice(0, -1).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Doc)
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    done,
    waitLine: (what, pred, timeoutMs) =>
      new Promise((resolve, reject) => {
        const finish = (f: () => void) => {
          waiters.delete(check)
          clearTimeout(timer)
          f()
        }
        const check = () => {
          const hit = lines().find(pred)
          if (hit) finish(() => resolve(hit))
          else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`medic ${args.join(' ')} ended (${child.exitCode}) before ${what}; stdout: ${out.slice(-4000)} stderr: ${err.slice(-2000)}`)))
        }
        const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${timeoutMs} ms; stdout: ${out.slice(-4000)} stderr: ${err.slice(-2000)}`))), timeoutMs)
        waiters.add(check)
        check()
      }),
    interrupt: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL')
          reject(new Error(`medic ${args.join(' ')} did not end within 20 s of Ctrl-C; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`))
        }, 20_000)
      })
      try {
        return await Promise.race([done, late])
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

async function post(url: string, form: Record<string, string>): Promise<{status: number; text: string}> {
  const r = await fetch(url, {method: 'POST', body: new URLSearchParams(form), signal: AbortSignal.timeout(10_000)})
  return {status: r.status, text: await r.text()}
}

async function debugVars(httpAddr: string): Promise<Doc> {
  const r = await fetch(`http://${httpAddr}/debug/vars`, {signal: AbortSignal.timeout(5_000)})
  return (await r.json()) as Doc
}

/** The watch's queue on data-1 for destination `node` and one of `shards` (the test database's; the stats service's
 * _internal writes have queues of their own), the fullest if there are several. */
function queueOf(sample: Doc, node: string, shards: string[]): Doc | undefined {
  return (sample.queues as Doc[] | undefined)?.filter((q) => q.node === node && shards.includes(q.shard)).sort((a, b) => b.pendingBytes - a.pendingBytes)[0]
}

describe('hinted handoff, end to end from the CLI (issue 11, "Done means")', () => {
  it('dev write at consistency one, kill data-2: hh watch shows its queue grow (not OK); start it: draining with an ETA, hh wait exits 0, dev verify finds the owners equal', async () => {
    const t = tempClusterDir('medic-hh-flow-')
    const dir = t.dir
    const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 60_000})
    // When each step ended (seconds from the start): printed at the end, or with the failure.
    const started = Date.now()
    const steps: string[] = []
    const step = (name: string) => steps.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`)
    try {
      const up = await dev('up', '--detach', '--meta', '1', '--data', '2', '--base-port', String(await freeBase(1, 2)), '--json')
      expect(up.code, up.stderr).toBe(0)
      const nodes = (oneJson(up.stdout) as Doc).nodes as Doc[]
      const meta = nodes.find((n) => n.kind === 'meta')!.httpAddr as string
      const [d1, d2] = nodes.filter((n) => n.kind === 'data').map((n) => n.httpAddr as string)
      const cluster = (await (await fetch(`http://${meta}/show-cluster`)).json()) as {data: Array<{id: number; httpAddr: string}>}
      const d2Id = String(cluster.data.find((n) => n.httpAddr === d2)!.id)
      const d1Config = nodes.find((n) => n.name === 'data-1')!.configPath as string
      const conf = readFileSync(d1Config, 'utf8')
      const throttled = conf.replace(/^(\s*)retry-rate-limit = .*$/m, '$1retry-rate-limit = 3000000').replace(/^(\s*)retry-max-interval = .*$/m, '$1retry-max-interval = "2s"')
      expect(throttled).toContain('retry-rate-limit = 3000000')
      expect(throttled).toContain('retry-max-interval = "2s"')
      writeFileSync(d1Config, throttled)
      expect((await dev('stop', 'data-1')).code).toBe(0)
      expect((await dev('start', 'data-1')).code).toBe(0) // dev start keeps the config as it is
      step('up')

      await until('the database created (data-1 back in the cluster)', async () => (await post(`http://${d1}/query`, {q: 'CREATE DATABASE hhflow WITH REPLICATION 2'})).status === 200, 20_000, 100)
      const load = stream(['dev', 'write', '--url', `http://${d1}`, '--db', 'hhflow', '--consistency', 'one', '--rate', '10000',
        '--batch-size', '500', '--concurrency', '2', '--duration', '120s', '--json'])
      await until('writes reaching data-1', async () => Number((await debugVars(d1)).write?.values?.pointReq ?? 0) >= 5_000, 20_000, 100)
      step('writing')
      const shows = (await (await fetch(`http://${d1}/query?${new URLSearchParams({q: 'SHOW SHARDS'})}`)).json()) as {results: Array<{series: Array<{name: string; columns: string[]; values: unknown[][]}>}>}
      const shardList = shows.results[0].series.find((x) => x.name === 'hhflow')!
      const shards = shardList.values.map((row) => String(row[shardList.columns.indexOf('id')]))
      const q2 = (d: Doc) => queueOf(d, d2Id, shards)

      // data-2 down: data-1 acknowledges on its own (consistency one) and queues data-2's copy.
      const grow = stream(['hh', 'watch', '--url', d1, '--interval', '1s', '--json'])
      await grow.waitLine('a first sample', (d) => d.type === 'sample', 20_000)
      expect((await dev('kill', 'data-2')).code).toBe(0)
      const judged = await grow.waitLine('data-2\'s queue judged while data-2 is down', (d) => {
        const q = d.type === 'sample' ? q2(d) : undefined
        return q !== undefined && q.pendingBytes > 0 && q.analysis.verdict !== 'unknown'
      }, 30_000)
      const grown = await grow.waitLine('data-2\'s queue larger than when first judged', (d) => d.type === 'sample' && d.seq > judged.seq && (q2(d)?.pendingBytes ?? 0) > q2(judged)!.pendingBytes, 10_000)
      expect(await grow.interrupt()).toBe(3)
      step('grown')
      const growLines = grow.lines()
      const growSummary = growLines.at(-1)!
      expect(growSummary).toMatchObject({schemaVersion: 1, command: 'hh watch', type: 'summary', exitCode: 3, interrupted: true})
      expect(['warning', 'critical']).toContain(growSummary.verdict)
      const down = q2(grown)!
      // Nothing can be delivered to a dead node: the queue grows and is "retrying" (or "growing" if a send got through
      // just before the kill), never judged fine.
      expect(['retrying', 'growing']).toContain(down.analysis.verdict)
      expect(down.analysis.netRate).toBeGreaterThan(0)
      expect(growSummary.problems.map((p: Doc) => [p.node, p.shard, p.code])).toContainEqual([d2Id, q2(growSummary)!.shard, `queue-${q2(growSummary)!.analysis.verdict}`])
      const samples = growLines.filter((d) => d.type === 'sample' && q2(d) !== undefined).map((d) => q2(d)!.pendingBytes as number)
      expect(samples.length).toBeGreaterThanOrEqual(2)
      expect(samples.at(-1)!).toBeGreaterThan(samples[0])

      // data-2 back: the queue drains (3 MB/s, against about 0.6 MB/s of writes going on) while the writes go on.
      const drain = stream(['hh', 'watch', '--url', d1, '--interval', '250ms', '--window', '4', '--json'])
      expect((await dev('start', 'data-2')).code).toBe(0)
      const draining = await drain.waitLine('data-2\'s queue draining with an ETA', (d) => {
        const q = d.type === 'sample' ? q2(d) : undefined
        return q?.analysis.verdict === 'draining' && q.analysis.eta !== null
      }, 45_000)
      const dq = q2(draining)!
      expect(dq.pendingBytes).toBeGreaterThan(0)
      expect(dq.analysis.netRate).toBeLessThan(0)
      expect(dq.analysis.sentRate).toBeGreaterThan(0)
      // A sane ETA: positive, the queue at the measured net rate, inside its own band, and not absurdly far.
      expect(dq.analysis.eta.inMs).toBeGreaterThan(0)
      expect(dq.analysis.eta.inMs).toBeLessThan(120_000)
      expect(Math.abs(dq.analysis.eta.inMs - (dq.pendingBytes / -dq.analysis.netRate) * 1000)).toBeLessThanOrEqual(1)
      expect(dq.analysis.eta.lowMs).toBeLessThanOrEqual(dq.analysis.eta.inMs)
      step('draining')
      await drain.interrupt()
      expect(drain.lines().at(-1)).toMatchObject({type: 'summary', interrupted: true})

      // hh wait: exit 0 once data-1 holds nothing for data-2, writes still flowing.
      const wait = await medic(['hh', 'wait', '--url', d1, '--interval', '500ms', '--timeout', '60s', '--json'], {timeoutMs: 90_000})
      expect(wait.code, wait.stdout + wait.stderr).toBe(0)
      const waited = oneJson(wait.stdout) as Doc
      expect(waited).toMatchObject({command: 'hh wait', exitCode: 0, outcome: 'drained', verdict: 'ok'})
      expect(waited.totals.pendingBytes).toBe(0)
      step('drained')

      // Stop the load: every write was acknowledged (consistency one: data-1 alone suffices while data-2 is down).
      expect(await load.interrupt()).toBe(0)
      const report = oneJson(load.stdout()) as Doc
      expect(report.pointsAcknowledged).toBe(report.pointsSent)
      expect(report.outcomes.map((o: Doc) => o.key)).toEqual(['204'])
      // The writes queued while the load stopped have drained too; then both owners hold the same points.
      expect((await medic(['hh', 'wait', '--url', d1, '--interval', '500ms', '--timeout', '30s', '--json'], {timeoutMs: 60_000})).code).toBe(0)
      const verify = await dev('verify', '--db', 'hhflow', '--json')
      const v = oneJson(verify.stdout) as Doc
      expect(verify.code, verify.stdout).toBe(0)
      expect(v.summary).toMatchObject({differs: 0, unchecked: 0, single: 0})
      expect(v.summary.equal).toBeGreaterThan(0)
      const values = (v.shards as Doc[]).map((s) => s.owners.map((o: Doc) => o.values) as number[])
      for (const owners of values) expect(new Set(owners).size).toBe(1)
      expect(values.reduce((s, o) => s + o[0], 0)).toBe(report.pointsAcknowledged * 2) // two fields per point
      step('verified')
      console.log(`hh-flow: ${steps.join(', ')}; ${report.pointsAcknowledged} points, queue for data-2 at most ${Math.max(...samples)} bytes while down, ${dq.pendingBytes} bytes when judged draining`)
    } catch (err) {
      throw new Error(`${(err as Error).message}\n(steps done: ${steps.join(', ') || 'none'})`, {cause: err})
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
      if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '2s', '--purge'], {timeoutMs: 60_000})
      t.remove()
    }
  }, 150_000)
})
