// The continuous query service's arithmetic and the lease call, without a cluster: the window OSS's service computes
// for each run (first run, the next interval, RESAMPLE FOR and EVERY, an offset), Go's %v time text of the log lines,
// the time range added to the SELECT, and MetaClient.acquireLease against a loopback meta stand-in (200 granted,
// 409 denied, 307 followed, 503 retried, other statuses and a node not yet added refused).
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {cqWindow, goTimeString, withTimeRange} from '../../../src/devcluster/data/cq.js'
import {MetaClient} from '../../../src/devcluster/data/meta-client.js'
import {createNodeHttpClient} from '../../../src/devcluster/node/http-client.js'
import {createLogger} from '../../../src/devcluster/node/logger.js'
import {parseStatement, selectString} from '../../../src/influxql/index.js'
import {tempFolder} from '../../helpers/tmp.js'

const S = 1_000_000_000n
const M = 60n * S
const T0 = 1_699_999_920n * S // a multiple of 2 minutes

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('cqWindow (OSS ExecuteContinuousQuery arithmetic)', () => {
  it('first run: remembers the run time and computes no window', () => {
    const w = cqWindow(T0 + 30n * S, M, 0n, 0n, 0n, undefined)
    expect(w).toEqual({start: T0, end: T0, lastRun: T0})
  })

  it('next interval: the interval that just ended; not due before it', () => {
    expect(cqWindow(T0 + 59n * S, M, 0n, 0n, 0n, T0)).toBeUndefined()
    expect(cqWindow(T0 + M + 2n * S, M, 0n, 0n, 0n, T0)).toEqual({start: T0, end: T0 + M, lastRun: T0 + M})
  })

  it('a missed run covers every interval since the last one', () => {
    expect(cqWindow(T0 + 3n * M + S, M, 0n, 0n, 0n, T0)).toEqual({start: T0, end: T0 + 3n * M, lastRun: T0 + 3n * M})
  })

  it('RESAMPLE FOR reaches back further; RESAMPLE EVERY runs less often', () => {
    expect(cqWindow(T0 + M, M, 0n, 0n, 3n * M, T0)).toEqual({start: T0 - 2n * M, end: T0 + M, lastRun: T0 + M})
    // EVERY 2m on a 1m interval: not due after 1m; after 2m it covers both minutes.
    expect(cqWindow(T0 + M, M, 0n, 2n * M, 0n, T0)).toBeUndefined()
    expect(cqWindow(T0 + 2n * M, M, 0n, 2n * M, 0n, T0)).toEqual({start: T0, end: T0 + 2n * M, lastRun: T0 + 2n * M})
  })

  it('GROUP BY time(1m, 15s): windows shifted by the offset', () => {
    expect(cqWindow(T0 + M + 20n * S, M, 15n * S, 0n, 0n, T0 + 15n * S)).toEqual({start: T0 + 15n * S, end: T0 + M + 15n * S, lastRun: T0 + M + 15n * S})
  })
})

describe('log text and the statement run', () => {
  it("prints times as Go's %v of a UTC time", () => {
    expect(goTimeString(1_488_398_400n * S)).toBe('2017-03-01 20:00:00 +0000 UTC')
    expect(goTimeString(1_488_398_400n * S + 500_000_000n)).toBe('2017-03-01 20:00:00.5 +0000 UTC')
  })

  it('adds the time range to the SELECT, keeping its own condition', () => {
    const cq = parseStatement('CREATE CONTINUOUS QUERY c ON db BEGIN SELECT mean(v) INTO out FROM m WHERE host = \'a\' GROUP BY time(1m) END')
    if (cq.type !== 'createContinuousQuery') throw new Error('not a CQ')
    const s = selectString(withTimeRange(cq.source, T0, T0 + M))
    expect(s).toContain(`(host = 'a') AND time >= `)
    expect(s).toContain('time < ')
    expect(cq.source.condition?.kind).toBe('binary') // the stored statement is left as it was
  })
})

describe('MetaClient.acquireLease', () => {
  async function stand(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{addr: string; urls: string[]}> {
    const urls: string[] = []
    const server: Server = createServer((req, res) => {
      urls.push(req.url ?? '')
      handler(req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    return {addr: `127.0.0.1:${(server.address() as AddressInfo).port}`, urls}
  }

  async function client(servers: string[], id: number): Promise<MetaClient> {
    const t = tempFolder('medic-lease-')
    cleanups.push(t.remove)
    mkdirSync(t.dir, {recursive: true})
    writeFileSync(join(t.dir, 'client.json'), JSON.stringify({MetaServers: servers}))
    if (id > 0) writeFileSync(join(t.dir, 'node.json'), JSON.stringify({id}))
    const http = createNodeHttpClient({userAgent: 'InfluxDB Meta Client'})
    const c = new MetaClient({dir: t.dir, tcpAddr: '127.0.0.1:1', httpAddr: '127.0.0.1:2', http, internalSecret: null, log: createLogger({format: 'logfmt', sink: () => undefined})})
    await c.open()
    cleanups.push(async () => {
      await c.close()
      await http.close()
    })
    return c
  }

  const answer = (status: number, body: object) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, {'content-type': 'application/json'})
    res.end(JSON.stringify(body))
  }

  it('200 is granted, 409 denied; it asks with name and node_id', async () => {
    const granted = await stand(answer(200, {name: 'continuous_querier', owner: 4}))
    expect(await (await client([granted.addr], 4)).acquireLease('continuous_querier')).toBe(true)
    expect(granted.urls).toEqual(['/lease?name=continuous_querier&node_id=4'])
    const denied = await stand(answer(409, {name: 'continuous_querier', owner: 3}))
    expect(await (await client([denied.addr], 4)).acquireLease('continuous_querier')).toBe(false)
  })

  it('follows a follower\'s 307 to the leader', async () => {
    const leader = await stand(answer(200, {}))
    const follower = await stand((req, res) => {
      res.writeHead(307, {location: `http://${leader.addr}${req.url}`})
      res.end()
    })
    expect(await (await client([follower.addr], 2)).acquireLease('continuous_querier')).toBe(true)
    expect(leader.urls).toHaveLength(1)
  })

  it('retries a 503 (no leader yet) and then takes the answer', async () => {
    let n = 0
    const s = await stand((req, res) => answer(++n < 3 ? 503 : 409, n < 3 ? {error: 'no leader'} : {})(req, res))
    expect(await (await client([s.addr], 2)).acquireLease('continuous_querier')).toBe(false)
    expect(n).toBe(3)
  })

  it('refuses other statuses with the meta node\'s error, and a node not yet added', async () => {
    const s = await stand(answer(400, {error: 'invalid node ID'}))
    await expect((await client([s.addr], 2)).acquireLease('continuous_querier')).rejects.toThrow('invalid node ID')
    await expect((await client([s.addr], 0)).acquireLease('continuous_querier')).rejects.toThrow(/not been added/)
  })
})
