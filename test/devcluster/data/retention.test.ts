// Retention enforcement on a real dev cluster (`medic dev up --detach --meta 1 --data 1`, data-1 restarted with a
// 500ms [retention] check-interval): a shard group that ended before now - duration is deleted through the meta
// leader, the data node removes the shard from disk, both are logged as influxd's retention service logs them (in
// logfmt and in the 1.0-1.1 legacy shape), and `medic explain` recognises the lines.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson} from '../../helpers/cli.js'
import {freeBase, tempClusterDir, until} from '../../fixtures/dev/helpers.js'

interface UpNode {name: string; kind: string; httpAddr: string; configPath: string; logPath: string; dir: string}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function query(addr: string, q: string, db = ''): Promise<{results: Array<{error?: string; series?: Array<{values: unknown[][]}>}>}> {
  const r = await fetch(`http://${addr}/query?${new URLSearchParams({q, db})}`, {method: 'POST'})
  return (await r.json()) as {results: Array<{error?: string; series?: Array<{values: unknown[][]}>}>}
}

describe('retention enforcement', () => {
  it.each(['logfmt', 'legacy'])('deletes an expired shard group and its shard, and logs both (%s)', async (format) => {
    const t = tempClusterDir('medic-dev-retention-')
    const dev = (...args: string[]) => medic(['dev', ...args, '--dir', t.dir], {timeoutMs: 90_000})
    cleanups.push(async () => {
      await dev('down', '--grace', '2s', '--purge')
      t.remove()
    })
    const up = await dev('up', '--detach', '--meta', '1', '--data', '1', '--log-format', format, '--base-port', String(await freeBase(1, 1)), '--json')
    expect(up.code, up.stderr).toBe(0)
    const d1 = (oneJson(up.stdout) as unknown as {nodes: UpNode[]}).nodes.find((n) => n.kind === 'data')!
    const conf = readFileSync(d1.configPath, 'utf8')
    const short = conf.replace('check-interval = "30m0s"', 'check-interval = "500ms"')
    expect(short).not.toBe(conf)
    writeFileSync(d1.configPath, short)
    expect((await dev('stop', 'data-1')).code).toBe(0)
    expect((await dev('start', 'data-1')).code).toBe(0)

    // A point 2h50m old in a 3h policy with 1h groups; then the policy shrinks to 1h: its group ended over an hour ago.
    expect((await query(d1.httpAddr, 'CREATE DATABASE rdb WITH DURATION 3h SHARD DURATION 1h NAME short')).results[0].error).toBeUndefined()
    const old = Math.floor(Date.now() / 1000) - (2 * 3600 + 50 * 60)
    expect((await fetch(`http://${d1.httpAddr}/write?db=rdb&precision=s`, {method: 'POST', body: `m value=1 ${old}`})).status).toBe(204)
    const shards = async () => ((await query(d1.httpAddr, 'SHOW SHARDS')).results[0].series ?? []).flatMap((s) => s.values ?? []).filter((r) => r[1] === 'rdb')
    const [[shardId]] = await until('the shard listed', async () => {
      const s = await shards()
      return s.length === 1 ? s : undefined
    }, 10_000) as unknown as [[number]]
    const shardDir = join(d1.dir, 'data', 'rdb', 'short', String(shardId))
    expect(existsSync(shardDir)).toBe(true)
    expect((await query(d1.httpAddr, 'ALTER RETENTION POLICY short ON rdb DURATION 1h')).results[0].error).toBeUndefined()

    await until('the shard gone from SHOW SHARDS and from disk', async () => (await shards()).length === 0 && !existsSync(shardDir), 30_000)
    // The lines follow the deletions they report.
    const log = await until('both deletions logged', () => {
      const text = readFileSync(d1.logPath, 'utf8')
      return /Deleted shard group|deleted shard group/.test(text) && /Deleted shard"|shard ID \d+ from/.test(text) ? text : undefined
    }, 10_000)
    if (format === 'logfmt') {
      expect(log).toMatch(new RegExp(`msg="Deleted shard group" log_id=\\S+ service=retention db_instance=rdb db_shard_group=\\d+ db_rp=short`))
      expect(log).toMatch(new RegExp(`msg="Deleted shard" log_id=\\S+ service=retention db_instance=rdb db_shard_id=${shardId} db_rp=short`))
    } else {
      expect(log).toMatch(/\[retention\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d deleted shard group \d+ from database rdb, retention policy short/)
      expect(log).toMatch(new RegExp(`\\[retention\\] \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d shard ID ${shardId} from database rdb, retention policy short, deleted`))
    }
    const lines = log.split('\n').filter((l) => /Deleted shard|deleted shard group|shard ID \d+ from/.test(l))
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines) {
      const r = await medic(['explain', line, '--json'])
      expect(r.stdout, line).toContain('retention-shard-deleted')
    }
  }, 150_000)
})
