// A data node's HTTP API with real parts around it: a DataStore in a temp folder, a QueryExecutor over the in-memory
// meta of the query tests, a single-node writer that maps points to shard groups and writes them to the store, and a
// logger whose lines the tests read.
import {request as httpRequest} from 'node:http'

import {startDataHttpApi, type DataHttpApi} from '../../../../src/devcluster/data/http/api.js'
import type {DataHttpConfig, DataHttpDeps, HttpUser} from '../../../../src/devcluster/data/http/deps.js'
import {QueryExecutor} from '../../../../src/devcluster/data/query/index.js'
import {DataStore} from '../../../../src/devcluster/data/store/store.js'
import type {ServerLimits} from '../../../../src/devcluster/node/http-server.js'
import {createLogger, type LogFormat} from '../../../../src/devcluster/node/logger.js'
import {hashPassword} from '../../../../src/devcluster/node/password.js'
import {StatsRegistry} from '../../../../src/devcluster/node/stats.js'
import type {Point} from '../../../../src/lineprotocol/point.js'
import {tempFolder} from '../../../helpers/tmp.js'
import {MemMeta} from '../query/mem-cluster.js'

export const VERSION = '1.6.7-c1.6.7'

export interface Node {
  api: DataHttpApi
  url: string
  meta: MemMeta
  store: DataStore
  lines: string[]
  stats: StatsRegistry
  /** Requests answered by deps.write, and an error to make it fail with (once). */
  writes: Array<{database: string; rp: string; points: number; consistency: string}>
  failNextWrite?: Error
  close(): Promise<void>
}

export const CONFIG: DataHttpConfig = {
  bindAddress: '127.0.0.1:8086', authEnabled: false, logEnabled: true, writeTracing: false, maxBodySize: 25_000_000,
  maxRowLimit: 0, maxConnectionLimit: 0, sharedSecret: '', pprofEnabled: true,
}

const CHEAP = {N: 1024, r: 8, p: 1}

export async function startNode(config: Partial<DataHttpConfig> = {}, opts: {format?: LogFormat; version?: string; limits?: Partial<ServerLimits>} = {}): Promise<Node> {
  const tmp = tempFolder('medic-datahttp-')
  const store = await DataStore.open(tmp.dir)
  const meta = new MemMeta([1])
  const lines: string[] = []
  const log = createLogger({format: opts.format ?? 'logfmt', sink: (l) => lines.push(l)})
  const stats = new StatsRegistry()
  const hashes = new Map<string, string>()
  const executor = new QueryExecutor({
    meta, metaCommands: meta, nodeId: 1,
    local: {reader: (id) => store.shard(id)},
    remote: async () => {
      throw new Error('single node: no remote shards')
    },
    data: {delete: async () => {}},
    now: () => BigInt(Date.now()) * 1_000_000n,
  })
  const node: Node = {
    api: undefined as unknown as DataHttpApi, url: '', meta, store, lines, stats, writes: [],
    close: async () => {
      await node.api.close()
      await store.close()
      tmp.remove()
    },
  }
  // MemMeta keeps clear passwords; the node sees them hashed, as in the meta store.
  const user = (name: string): HttpUser | undefined => {
    const u = meta.users().find((x) => x.name === name) as (ReturnType<MemMeta['users']>[number] & {password: string}) | undefined
    return u === undefined ? undefined : {name: u.name, admin: u.admin, permissions: u.permissions, hash: hashes.get(`${u.name}\u0000${u.password}`) ?? ''}
  }
  const deps: DataHttpDeps = {
    version: opts.version ?? VERSION,
    config: {...CONFIG, ...config},
    log,
    user,
    userCount: () => meta.users().length,
    adminUserExists: () => meta.users().some((u) => u.admin),
    hasDatabase: (name) => meta.databases().some((d) => d.name === name),
    executor,
    write: async (database, rp, points, consistency) => {
      node.writes.push({database, rp, points: points.length, consistency})
      if (node.failNextWrite !== undefined) {
        const err = node.failNextWrite
        node.failNextWrite = undefined
        throw err
      }
      const db = meta.databases().find((d) => d.name === database)!
      const rpName = rp !== '' ? rp : db.retentionPolicies.find((r) => r.default)?.name ?? ''
      const byShard = new Map<number, Point[]>()
      for (const p of points) {
        const ms = Number(p.time / 1_000_000n) - (p.time < 0n && p.time % 1_000_000n !== 0n ? 1 : 0)
        const g = meta.shardGroupFor(database, rp === '' ? undefined : rp, ms)
        const id = g.shards[0].id
        const list = byShard.get(id)
        if (list === undefined) byShard.set(id, [p])
        else list.push(p)
      }
      if (points.length === 0) meta.shardGroupFor(database, rp === '' ? undefined : rp, Date.now())
      for (const [id, pts] of byShard) await store.writeToShard(database, rpName, id, pts)
    },
    stats,
    now: Date.now,
  }
  node.api = await startDataHttpApi(deps, {host: '127.0.0.1', port: 0}, opts.limits)
  node.url = `http://127.0.0.1:${node.api.address.port}`
  // Users are created through MemMeta; hash their passwords the way the meta store would have.
  const create = meta.createUser.bind(meta)
  meta.createUser = async (name, password, admin) => {
    hashes.set(`${name}\u0000${password}`, await hashPassword(password, undefined, CHEAP))
    return create(name, password, admin)
  }
  const setPassword = meta.setPassword.bind(meta)
  meta.setPassword = async (name, password) => {
    hashes.set(`${name}\u0000${password}`, await hashPassword(password, undefined, CHEAP))
    return setPassword(name, password)
  }
  return node
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  text: string
}

/** One request over node:http (no decompression, no header checks): what the server sent, as it sent it. */
export function req(url: string, method: string, path: string, init: {headers?: Record<string, string>; body?: string | Buffer} = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(`${url}${path}`, {method, headers: init.headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8')})
      })
      res.on('error', reject)
    })
    r.on('error', reject)
    if (init.body !== undefined) r.write(init.body)
    r.end()
  })
}

export const post = (url: string, path: string, body: string | Buffer, headers: Record<string, string> = {}) => req(url, 'POST', path, {body, headers})
export const get = (url: string, path: string, headers: Record<string, string> = {}) => req(url, 'GET', path, {headers})
export const q = (params: Record<string, string>) => '?' + new URLSearchParams(params).toString()
