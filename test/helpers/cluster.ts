// Fake InfluxDB Enterprise meta and data nodes on real loopback HTTP servers (127.0.0.1, port 0), for the status and
// ctl tests. Each server's behaviour is a mutable route table, so a fixture can wire addresses once all ports are known.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export type Route = (req: IncomingMessage, res: ServerResponse) => void

export interface FakeNode {
  url: string
  /** 127.0.0.1:port */
  addr: string
  port: number
  server: Server
  routes: Record<string, Route>
  /** Requests seen: method, url, authorization header. */
  seen: Array<{method: string; url: string; authorization?: string}>
}

export class FakeCluster {
  readonly nodes: FakeNode[] = []

  async node(routes: Record<string, Route> = {}): Promise<FakeNode> {
    const node = {routes, seen: []} as unknown as FakeNode
    const server = createServer((req, res) => {
      node.seen.push({method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization})
      const path = (req.url ?? '/').split('?')[0]
      const route = node.routes[path] ?? node.routes['*']
      if (route) route(req, res)
      else json(res, {error: 'error parsing index'}, 400)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    node.server = server
    node.port = (server.address() as AddressInfo).port
    node.addr = `127.0.0.1:${node.port}`
    node.url = `http://${node.addr}`
    this.nodes.push(node)
    return node
  }

  async close(): Promise<void> {
    for (const n of this.nodes.splice(0)) {
      n.server.closeAllConnections()
      await new Promise((r) => n.server.close(r))
    }
  }
}

export function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, {'content-type': 'application/json', ...headers})
  res.end(JSON.stringify(body))
}

export const jsonRoute = (body: unknown | (() => unknown), status = 200, headers: Record<string, string> = {}): Route =>
  (_req, res) => json(res, typeof body === 'function' ? (body as () => unknown)() : body, status, headers)

export const textRoute = (text: string | Buffer, status = 200, type = 'text/plain'): Route => (_req, res) => {
  res.writeHead(status, {'content-type': type})
  res.end(text)
}

/** Accepts the request and never answers. */
export const hangRoute: Route = () => {}

/** A data node's /ping: 204 with the version headers (Enterprise 1.5+). */
export const dataPing = (version = '1.11.8-c1.11.8'): Route => (_req, res) => {
  res.writeHead(204, {'x-influxdb-version': version, 'x-influxdb-build': 'ENT', 'request-id': 'abc'})
  res.end()
}

export interface JoinedCluster {
  metas: FakeNode[]
  datas: FakeNode[]
  /** Every meta's /status body (mutable). */
  status: Array<Record<string, unknown>>
  showCluster: {data: Array<Record<string, unknown>>; meta: Array<Record<string, unknown>>}
}

/**
 * A joined cluster: `metaCount` meta nodes (raft and http addresses are the loopback server's own 127.0.0.1:port, the
 * first node leads) and `dataCount` data nodes answering /ping. /show-cluster lists all of them.
 */
export async function joinedCluster(fc: FakeCluster, metaCount = 3, dataCount = 2, version = '1.11.8-c1.11.8'): Promise<JoinedCluster> {
  const metas: FakeNode[] = []
  for (let i = 0; i < metaCount; i++) metas.push(await fc.node())
  const datas: FakeNode[] = []
  for (let i = 0; i < dataCount; i++) datas.push(await fc.node({'/ping': dataPing(version)}))
  const peers = metas.map((m) => m.addr)
  const status = metas.map((m) => ({nodeType: 'meta', leader: metas[0].addr, httpAddr: m.addr, raftAddr: m.addr, peers: [...peers]}))
  const showCluster = {
    data: datas.map((d, i) => ({id: 4 + i, tcpAddr: `127.0.0.1:${d.port + 1}`, httpAddr: d.addr, httpScheme: 'http', version, status: 'joined'})),
    meta: metas.map((m, i) => ({id: 1 + i, addr: m.addr, httpScheme: 'http', tcpAddr: m.addr, version})),
  }
  metas.forEach((m, i) => {
    m.routes['/status'] = (_req, res) => json(res, status[i], 200, {'x-influxdb-version': version})
    m.routes['/show-cluster'] = (_req, res) => json(res, showCluster)
    m.routes['/ping'] = jsonRoute({addr: m.addr})
  })
  return {metas, datas, status, showCluster}
}
