// Helpers for the meta API tests: a meta node (MetaStore + LocalRaft + the real HTTP server on 127.0.0.1:0) with an
// injected clock and a captured log, and raw sockets for the misbehaving-client tests. HTTP calls and condition waits
// are the shared ones (test/helpers/http.ts, wait.ts).
import {connect, type Socket} from 'node:net'

import {type MetaApi, type MetaApiConfig, type MetaApiDeps, type MetaApiLimits, startMetaApi} from '../../../src/devcluster/meta/api.js'
import {MetaStore} from '../../../src/devcluster/meta/store.js'
import {createNodeHttpClient} from '../../../src/devcluster/node/http-client.js'
import {createLogger, type LogFormat} from '../../../src/devcluster/node/logger.js'
import {LocalRaft} from './local-raft.js'

export {type HttpReply as Reply, httpRequest as http} from '../../helpers/http.js'
export {until} from '../../helpers/wait.js'

export const T0 = Date.UTC(2026, 10, 22, 1, 2, 3, 456)

export interface TestNode {
  api: MetaApi
  raft: LocalRaft
  store: MetaStore
  /** 127.0.0.1:port */
  addr: string
  url: string
  lines: string[]
  clock: {now: number}
  close(): Promise<void>
}

const running: TestNode[] = []

export const BASE_CONFIG: MetaApiConfig = {
  authEnabled: false,
  sharedSecret: '',
  internalSharedSecret: '',
  leaseDurationMs: 60_000,
  clusterTracing: false,
  announcementExpirationMs: 30_000,
  version: '1.11.8-c1.11.8-dev',
}

export async function startNode(options: {
  config?: Partial<MetaApiConfig>
  limits?: Partial<MetaApiLimits>
  format?: LogFormat
  raftId?: string
  fetchStatus?: MetaApiDeps['fetchStatus']
  joinData?: MetaApiDeps['joinData']
} = {}): Promise<TestNode> {
  const clock = {now: T0}
  const lines: string[] = []
  const store = new MetaStore()
  const raft = new LocalRaft(options.raftId ?? `raft-${running.length + 1}:8089`, 'pending', store)
  const log = createLogger({format: options.format ?? 'logfmt', sink: (l) => lines.push(l), now: () => clock.now, logId: '0TESTLOGID0'})
  const client = createNodeHttpClient({userAgent: 'InfluxDB Meta Client'})
  const api = await startMetaApi(
    {http: client, raft, store, config: {...BASE_CONFIG, ...options.config}, log, now: () => clock.now, limits: options.limits, fetchStatus: options.fetchStatus,
      // These tests add data nodes by address only; the join over the cluster RPC runs end to end in
      // test/devcluster/e2e/data-nodes.test.ts.
      joinData: options.joinData ?? (async () => undefined)},
    {host: '127.0.0.1', port: 0},
  )
  raft.httpAddr = api.address
  const node = {api, raft, store, addr: api.address, url: `http://${api.address}`, lines, clock, close: async () => {
    await api.close()
    await client.close()
  }}
  running.push(node)
  return node
}

export async function stopNodes(): Promise<void> {
  for (const n of running.splice(0)) await n.close()
}

export const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: {'content-type': 'application/x-www-form-urlencoded'},
})

export const jsonBody = (v: unknown, headers: Record<string, string> = {}) => ({
  body: JSON.stringify(v),
  headers: {'content-type': 'application/json', ...headers},
})

/** A raw TCP connection that records everything the server sends and when it closes. */
export interface RawClient {
  socket: Socket
  received: () => string
  closed: () => boolean
  error: () => Error | undefined
}

export async function rawClient(addr: string): Promise<RawClient> {
  const [host, port] = addr.split(':')
  const socket = connect(Number(port), host)
  let data = ''
  let closed = false
  let error: Error | undefined
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => {
    data += d
  })
  socket.on('error', (e) => {
    error = e
  })
  socket.on('close', () => {
    closed = true
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return {socket, received: () => data, closed: () => closed, error: () => error}
}
