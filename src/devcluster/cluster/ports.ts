/**
 * The dev cluster's port plan, and the check that every port is free before anything starts (a usage error naming the
 * port, its node and its role).
 *
 * Ports follow from one base port P so that a cluster always comes back on the same addresses (Raft identifies a
 * meta node by its Raft address, so a node that moved would be a stranger to its peers):
 *   meta-k  HTTP P + 100k + 91, Raft P + 100k + 89        (P = 18000: meta-1 18191/18189, meta-2 18291/18289)
 *   data-k  HTTP P + 100(10+k) + 86, RPC P + 100(10+k) + 88 (P = 18000: data-1 19186/19188, data-2 19286/19288)
 * The last two digits echo the real defaults (8091, 8089, 8086, 8088), so an operator reads each port's role at a
 * glance. Everything listens on 127.0.0.1 only.
 */
import {createServer} from 'node:net'

import {MedicError, usageError} from '../../errors.js'
import {dataName, metaName} from './names.js'

export const DEFAULT_BASE_PORT = 18000
export const HOST = '127.0.0.1'
/** meta-1..meta-9: the plan has room for nine meta nodes before the data nodes' ports. */
export const MAX_META_NODES = 9

export interface MetaPorts {
  http: number
  raft: number
}

export interface DataPorts {
  http: number
  rpc: number
}

export function metaPorts(base: number, k: number): MetaPorts {
  return {http: base + 100 * k + 91, raft: base + 100 * k + 89}
}

export function dataPorts(base: number, k: number): DataPorts {
  return {http: base + 100 * (10 + k) + 86, rpc: base + 100 * (10 + k) + 88}
}

/** Data nodes a dev cluster can have (data-1..data-9). */
export const MAX_DATA_NODES = 9

/** The highest port the plan uses for `metaCount` meta and `dataCount` data nodes. */
function topPort(metaCount: number, dataCount: number): number {
  return dataCount > 0 ? 100 * (10 + dataCount) + 88 : 100 * metaCount + 91
}

/** The highest base port whose plan still fits below 65536. */
export function maxBasePort(metaCount: number, dataCount = 0): number {
  return 65535 - topPort(metaCount, dataCount)
}

/** A usage error (exit 2) unless the plan for the nodes fits in 1024..65535. */
export function checkBasePort(base: number, metaCount: number, dataCount = 0, retry: (base: number) => string = (b) => `medic dev up --base-port ${b}`): void {
  const max = maxBasePort(metaCount, dataCount)
  if (!Number.isInteger(base) || base < 1000 || base > max) {
    const nodes = `${metaCount} meta node${metaCount === 1 ? '' : 's'}${dataCount > 0 ? ` and ${dataCount} data node${dataCount === 1 ? '' : 's'}` : ''}`
    throw usageError(`--base-port ${base} does not fit: with ${nodes} the ports run from ${base + 189} to ${base + topPort(metaCount, dataCount)}, which must stay within 1189..65535 (a base port from 1000 to ${max} fits)`,
      'bad-base-port', [retry(Math.min(DEFAULT_BASE_PORT, max))])
  }
}

export interface PortUse {
  port: number
  /** The node that will listen there, e.g. meta-2. */
  node: string
  /** What it serves, e.g. "HTTP API". */
  what: string
}

/** Tries to listen on host:port; resolves with the error code when that fails (EADDRINUSE, EACCES), else undefined. */
export function probePort(port: number, host = HOST): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    // exclusive: a listener shared through the cluster module would otherwise look free.
    server.listen({port, host, exclusive: true}, () => server.close(() => resolve(undefined)))
  })
}

/**
 * Binds and releases every port (concurrently); a port that cannot be bound is a usage error (exit 2) that names the
 * port, the node and its role, and suggests --base-port.
 */
export async function checkPortsFree(uses: PortUse[], hint: {basePort: number; dirFlag?: string} = {basePort: DEFAULT_BASE_PORT}): Promise<void> {
  const results = await Promise.all(uses.map(async (u) => ({u, code: await probePort(u.port)})))
  const bad = results.filter((r) => r.code !== undefined)
  if (bad.length === 0) return
  const first = bad[0]
  const others = bad.slice(1).map((b) => `${b.u.port} (${b.u.node})`)
  const inUse = first.code === 'EADDRINUSE'
  const message = `port ${first.u.port} (${first.u.node} ${first.u.what}) ${inUse ? 'is already in use' : `cannot be bound (${first.code})`} on ${HOST}${others.length > 0 ? `; so ${others.length === 1 ? 'is' : 'are'} ${others.join(', ')}` : ''}`
  const suggestions = [
    `use other ports: medic dev up --base-port ${suggestBase(hint.basePort)}${hint.dirFlag ?? ''}`,
    `see what holds it: ss -ltnp 'sport = :${first.u.port}'  (or lsof -iTCP:${first.u.port} -sTCP:LISTEN)`,
    'if it is an old dev cluster: medic dev status, then medic dev down',
  ]
  throw new MedicError(message, {code: inUse ? 'port-in-use' : 'port-unavailable', exitCode: 2, suggestions})
}

/** A base port 1000 away from `base`, wrapping to stay in range (for suggestions). */
export function suggestBase(base: number): number {
  const next = base + 1000
  return next > maxBasePort(MAX_META_NODES, MAX_DATA_NODES) ? DEFAULT_BASE_PORT + 1000 : next
}

/** The ports meta-k will listen on, for checkPortsFree. */
export function metaPortUses(base: number, ks: number[]): PortUse[] {
  return ks.flatMap((k) => {
    const p = metaPorts(base, k)
    return [{port: p.http, node: metaName(k), what: 'HTTP API'}, {port: p.raft, node: metaName(k), what: 'Raft'}]
  })
}

/** The ports data-k will listen on, for checkPortsFree. */
export function dataPortUses(base: number, ks: number[]): PortUse[] {
  return ks.flatMap((k) => {
    const p = dataPorts(base, k)
    return [{port: p.http, node: dataName(k), what: 'HTTP API'}, {port: p.rpc, node: dataName(k), what: 'cluster RPC'}]
  })
}
