// `medic dev fault ...` / `medic dev heal` end to end: real meta and data node processes, real sockets, the built CLI.
// One detached `--meta 1 --data 2 --time-scale 20` cluster (retry back-off, lease-duration and the monitor run 20x
// faster) goes through: bad input (exit 2, clear messages); a partition between the two data nodes, under which
// writes to data-1 for a replication-2 database queue hinted handoff for data-2 while clients still reach both HTTP
// ports, listed by dev status, then healed and drained (dev verify: the owners agree); slow adds the measured latency
// to each replicated write; drop at rate 0 is no fault and at rate 1 a partition; disk-full on the hh folder makes the
// coordinator log the ENOSPC error, on the whole disk answer it; a skewed clock shows in the log's time stamps and in
// the meta leader's lease arithmetic; the time scale hands a CQ lease over in seconds while the config and the log
// keep the real values; bandwidth paces a big write; dev down clears the faults. No fixed sleep: every command returns
// once the nodes applied the fault, and the rest waits on conditions.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../fixtures/dev/helpers.js'
import {medicInProcess} from './inprocess.js'

interface Node {name: string; kind: string; httpAddr: string; rpcAddr?: string; configPath: string; logPath: string; dir: string}
interface StatusDoc {exitCode: number; faults: Array<{kind: string; text: string}>; nodes: Array<{name: string; nodeId?: number | null; hintedHandoff?: Record<string, number> | null}>}

const t = tempClusterDir('medic-dev-faults-')
const dir = t.dir
/** A child process: the reference for what medic prints and exits with. */
const dev = (...args: string[]) => medic(['dev', ...args, '--dir', dir], {timeoutMs: 90_000})
/** The same CLI inside this process (no Node start-up per command: seconds each on a loaded 2-core machine). */
const devIn = (...args: string[]) => medicInProcess(['dev', ...args, '--dir', dir])
let nodes: Record<string, Node> = {}
const ids: Record<string, number> = {}

async function post(url: string, body: string | Buffer, type = 'text/plain'): Promise<{status: number; text: string; ms: number}> {
  const t0 = performance.now()
  const r = await fetch(url, {method: 'POST', body, headers: {'content-type': type}})
  return {status: r.status, text: await r.text(), ms: performance.now() - t0}
}

const write = (node: string, line: string, consistency = 'one') => post(`http://${nodes[node].httpAddr}/write?db=db&consistency=${consistency}`, line)
const lease = async (name: string, nodeId: number) => {
  const r = await fetch(`http://${nodes['meta-1'].httpAddr}/lease?name=${name}&node_id=${nodeId}`)
  return {status: r.status, body: await r.json() as {expiration: string; owner: number}}
}

/** Bytes a data node still has queued for other nodes (its /debug/vars, every hh_processor). */
async function queued(node: string): Promise<number> {
  const vars = await (await fetch(`http://${nodes[node].httpAddr}/debug/vars`)).json() as Record<string, {name?: string; values?: {queueBytes?: number}}>
  return Object.values(vars).filter((v) => v.name === 'hh_processor').reduce((s, v) => s + (v.values?.queueBytes ?? 0), 0)
}

const logOf = (node: string) => readFileSync(nodes[node].logPath, 'utf8')
const json = async (...args: string[]) => {
  const r = await devIn(...args, '--json')
  expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0)
  return oneJson(r.stdout)
}

beforeAll(async () => {
  const up = await dev('up', '--detach', '--meta', '1', '--data', '2', '--time-scale', '20', '--base-port', String(await freeBase(1, 2)), '--json')
  expect(up.code, up.stderr).toBe(0)
  const doc = oneJson(up.stdout) as unknown as {nodes: Node[]; timeScale: number}
  expect(doc.timeScale).toBe(20)
  nodes = Object.fromEntries(doc.nodes.map((n) => [n.name, n]))
  const s = oneJson((await devIn('status', '--json')).stdout) as unknown as StatusDoc
  for (const n of s.nodes) if (typeof n.nodeId === 'number') ids[n.name] = n.nodeId
  const r = await post(`http://${nodes['data-1'].httpAddr}/query`, `q=${encodeURIComponent('CREATE DATABASE db WITH REPLICATION 2')}`, 'application/x-www-form-urlencoded')
  expect(r.status).toBe(200)
}, 120_000)

// Whatever a test left in force is healed, and the queues drained, before the next one starts.
afterEach(async () => {
  if (!existsSync(join(dir, 'faults.json')) || !readFileSync(join(dir, 'faults.json'), 'utf8').includes('"kind"')) return
  await json('heal', '--all')
  await until('both queues drained', async () => (await queued('data-1')) === 0 && (await queued('data-2')) === 0, 40_000, 100)
}, 60_000)

afterAll(async () => {
  if (existsSync(join(dir, 'cluster.json'))) await medic(['dev', 'down', '--dir', dir, '--grace', '2s', '--purge'], {timeoutMs: 60_000})
  t.remove()
}, 60_000)

describe('medic dev fault', () => {
  it('refuses bad input with exit 2 and says what it takes', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['fault', 'partition', 'data-1', 'data-9'], /no node "data-9".*meta-1, data-1, data-2/],
      [['fault', 'partition', 'data-1', 'data-1'], /two different nodes/],
      [['fault', 'drop', 'data-1', 'data-2', '--rate', '1.5'], /not a drop rate/],
      [['fault', 'drop', 'data-1', 'data-2'], /Missing required flag rate/i],
      [['fault', 'slow', 'data-1', 'data-2', '--latency', '200'], /not a duration/],
      [['fault', 'bandwidth', 'data-1', 'data-2', '--rate', 'fast'], /not a bandwidth/],
      [['fault', 'disk-full', 'meta-1', '--hh'], /meta-1 is a meta node/],
      [['fault', 'clock', 'data-1', '--skew', 'soon'], /not a duration/],
      [['heal', 'data-1', '--all'], /either nodes or --all/],
      [['heal', 'data-1', 'nope'], /no node "nope"/],
      [['up', '--time-scale', '0'], /time-scale.*greater than or equal to 1/],
    ]
    for (const [args, message] of cases) {
      const r = await devIn(...args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stdout).toBe('')
    }
    // And once as a real process, under --json.
    const j = await dev('fault', 'clock', 'nope', '--skew', '1s', '--json')
    expect(j.code).toBe(2)
    expect(oneJson(j.stdout)).toMatchObject({exitCode: 2, error: {code: 'unknown-node'}})
    expect(existsSync(join(dir, 'faults.json'))).toBe(false) // nothing was written
  }, 60_000)

  it('a partition between two data nodes queues hinted handoff while clients reach both; heal drains it', async () => {
    const put = await json('fault', 'partition', 'data-1', 'data-2') as {appliedBy: string[]; faults: Array<{text: string}>}
    expect(put.appliedBy).toEqual(['meta-1', 'data-1', 'data-2'])
    expect((put as unknown as {fault: {oneWay: boolean}}).fault.oneWay).toBe(false)
    expect(put.faults.map((f) => f.text)).toEqual(['partition data-1 <-> data-2'])
    // Every client port stays up.
    for (const n of ['data-1', 'data-2']) expect((await fetch(`http://${nodes[n].httpAddr}/ping`)).status).toBe(204)
    for (let i = 0; i < 10; i++) expect((await write('data-1', `cpu,host=h${i} value=${i}`)).status).toBe(204)
    expect((await write('data-2', 'cpu,host=other value=1')).status).toBe(204)
    await until('data-1 queued writes for data-2', async () => (await queued('data-1')) > 0, 10_000)
    expect(logOf('data-1')).toMatch(new RegExp(`dial tcp ${nodes['data-2'].rpcAddr!.replaceAll('.', '\\.')}: connect: no route to host`))
    const s = oneJson((await devIn('status', '--json')).stdout) as unknown as StatusDoc
    expect(s.faults.map((f) => f.text)).toEqual(['partition data-1 <-> data-2'])
    expect(s.nodes.find((n) => n.name === 'data-1')?.hintedHandoff?.[String(ids['data-2'])]).toBeGreaterThan(0)
    const human = await devIn('status')
    expect(human.stdout).toContain('Faults in force')
    expect(human.stdout).toContain('  partition data-1 <-> data-2')

    const healed = await json('heal', 'data-1', 'data-2') as {healed: Array<{text: string}>; faults: unknown[]}
    expect(healed.healed.map((f) => f.text)).toEqual(['partition data-1 <-> data-2'])
    expect(healed.faults).toEqual([])
    await until('both queues drained', async () => (await queued('data-1')) === 0 && (await queued('data-2')) === 0, 40_000, 100)
    const verify = await devIn('verify', '--db', 'db')
    expect(verify.code, verify.stdout + verify.stderr).toBe(0)
  }, 120_000)

  it('slow adds its latency to each replicated write, each way', async () => {
    await write('data-1', 'cpu,host=warm value=1', 'all')
    await json('fault', 'slow', 'data-1', 'data-2', '--latency', '150ms', '--jitter', '20ms', '--seed', '7')
    for (let i = 0; i < 3; i++) {
      const r = await write('data-1', `cpu,host=s${i} value=${i}`, 'all')
      expect(r.status, r.text).toBe(204)
      expect(r.ms).toBeGreaterThanOrEqual(2 * (150 - 20) - 2)
    }
    await json('heal', 'data-1', 'data-2')
    const fast = await write('data-1', 'cpu,host=s9 value=9', 'all')
    expect(fast.status).toBe(204)
  }, 60_000)

  it('drop at rate 0 is no fault; at rate 1 it is a partition', async () => {
    await json('fault', 'drop', 'data-1', 'data-2', '--rate', '0')
    for (let i = 0; i < 5; i++) expect((await write('data-1', `cpu,host=d${i} value=${i}`, 'all')).status).toBe(204)
    expect(await queued('data-1')).toBe(0)
    const before = logOf('data-1').split('no route to host').length
    await json('fault', 'drop', 'data-1', 'data-2', '--rate', '100%')
    const r = await write('data-1', 'cpu,host=lost value=1', 'all')
    expect(r).toMatchObject({status: 500, text: '{"error":"partial write"}\n'})
    expect(logOf('data-1').split('no route to host').length).toBeGreaterThan(before)
    expect(await queued('data-1')).toBeGreaterThan(0)
    await json('heal', '--all')
    await until('the queue drained', async () => (await queued('data-1')) === 0, 40_000, 100)
  }, 90_000)

  it('disk-full: the hh folder makes the coordinator log ENOSPC; the whole disk answers it; heal writes again', async () => {
    const hh = await json('fault', 'disk-full', 'data-1', '--hh') as {fault: {areas: string[]}}
    expect(hh.fault.areas).toEqual(['hh'])
    await json('fault', 'partition', 'data-1', 'data-2')
    const r = await write('data-1', 'cpu,host=full value=1', 'all')
    expect(r).toMatchObject({status: 500, text: '{"error":"partial write"}\n'})
    const hhDir = join(nodes['data-1'].dir, 'hh')
    await until('the ENOSPC line', () => new RegExp(`write failed for shard \\d+ on node ${ids['data-2']}: write ${hhDir.replaceAll('.', '\\.')}/${ids['data-2']}/\\d+: no space left on device`).test(logOf('data-1')), 5_000)
    expect(await queued('data-1')).toBe(0) // nothing could be queued
    await json('fault', 'disk-full', 'data-1')
    const local = await write('data-1', 'cpu,host=full2 value=1')
    expect(local.status).toBe(500)
    expect(local.text).toMatch(/^\{"error":"write failed: engine: write \/.*: no space left on device"\}/)
    const healed = await json('heal', 'data-1') as {healed: Array<{kind: string}>}
    expect(healed.healed.map((f) => f.kind).sort()).toEqual(['disk-full', 'partition'])
    expect((await write('data-1', 'cpu,host=again value=1', 'all')).status).toBe(204)
  }, 60_000)

  it("a skewed clock shows in the node's log and in the meta leader's lease arithmetic", async () => {
    await json('fault', 'clock', 'data-1', '--skew', '1h')
    // The access line of this /ping, not an earlier one (the log may not have it yet when the answer arrives).
    const pings = () => logOf('data-1').trim().split('\n').filter((l) => l.includes('uri=/ping'))
    const before = pings().length
    const pinged = Date.now()
    await fetch(`http://${nodes['data-1'].httpAddr}/ping`)
    const stamp = await until('the access line', () => {
      const lines = pings()
      return lines.length > before ? Date.parse(/^ts=(\S+)/.exec(lines.at(-1)!)![1]) : undefined
    }, 5_000)
    expect(stamp - pinged).toBeGreaterThan(3_590_000)
    expect(stamp - pinged).toBeLessThan(3_660_000)
    // data-2 holds a lease; the leader's clock jumps a minute ahead: the lease is over at once, and the next one is
    // granted until a minute past the real time.
    expect((await lease('skew', ids['data-1'])).status).toBe(200)
    expect((await lease('skew', ids['data-2'])).status).toBe(409)
    await json('fault', 'clock', 'meta-1', '--skew', '1m')
    const taken = await lease('skew', ids['data-2'])
    expect(taken.status).toBe(200)
    expect(Date.parse(taken.body.expiration) - Date.now()).toBeGreaterThan(50_000)
    const s = oneJson((await devIn('status', '--json')).stdout) as unknown as StatusDoc
    expect(s.faults.map((f) => f.text)).toEqual(['clock data-1 +1h', 'clock meta-1 +1m'])
    await json('heal', '--all')
  }, 60_000)

  it('--time-scale hands a lease over in seconds; the config and the log keep the real values', async () => {
    expect(readFileSync(nodes['meta-1'].configPath, 'utf8')).toMatch(/lease-duration = "1m0s"[\s\S]*time-scale = 20/)
    expect(logOf('data-1')).toMatch(/msg="Storing statistics".* interval=10s/)
    const t0 = performance.now()
    expect((await lease('handover', ids['data-1'])).status).toBe(200)
    await until('data-2 gets the lease', async () => (await lease('handover', ids['data-2'])).status === 200, 20_000, 50)
    const took = performance.now() - t0
    expect(took).toBeGreaterThanOrEqual(60_000 / 20 - 100)
    expect(took).toBeLessThan(20_000)
  }, 60_000)

  it('bandwidth paces a big write; dev down clears every fault', async () => {
    await json('fault', 'bandwidth', 'data-1', 'data-2', '--rate', '500KB/s')
    const lines = Array.from({length: 4000}, (_, i) => `big,host=h${i % 50},pad=${'x'.repeat(20)} value=${i} ${1_700_000_000_000_000_000 + i}`).join('\n')
    const r = await write('data-1', lines, 'all')
    expect(r.status, r.text).toBe(204)
    expect(r.ms).toBeGreaterThanOrEqual((Buffer.byteLength(lines) / 500_000) * 1000 * 0.8)
    // data-2 loses the meta node (its long poll is cut, its next attempts refused); its clients do not lose data-2.
    const cut = await json('fault', 'partition', 'data-2', 'meta-1', '--one-way') as {fault: {oneWay: boolean; text: string}}
    expect(cut.fault).toMatchObject({oneWay: true, text: 'partition data-2 -> meta-1'})
    const meta = nodes['meta-1'].httpAddr.replaceAll('.', '\\.')
    await until('data-2 cannot reach the meta node', () => new RegExp(`msg="Failure getting snapshot" .*server=${meta} error=".*no route to host"`).test(logOf('data-2')), 10_000)
    expect((await fetch(`http://${nodes['data-2'].httpAddr}/ping`)).status).toBe(204)
    const down = await json('down', '--grace', '2s') as {faultsCleared: number}
    expect(down.faultsCleared).toBe(2)
    expect(existsSync(join(dir, 'faults.json'))).toBe(false)
  }, 60_000)
})
