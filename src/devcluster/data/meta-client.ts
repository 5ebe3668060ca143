/**
 * A data node's link to the meta nodes, as Enterprise's meta client works (data-nodes.md §7):
 * - `meta/client.json` in the node's [meta] dir lists the meta servers (`{"MetaServers": [...]}`, written through a
 *   temporary file and a rename); `meta/node.json` keeps the id the meta store gave this node. Both come from the
 *   JoinCluster request the meta leader sends when an operator runs add-data.
 * - The node keeps a copy of the meta store by long-polling `GET /?index=N` with the user agent `InfluxDB Meta
 *   Client`: the meta node answers once its state is newer than N. A failure is logged (at most once per 30 s per
 *   cause), the next meta server is tried after 1 s.
 * - Changes go to `POST /execute` (307 to the leader followed, up to 10 tries over the servers with 1 s between
 *   rounds). The call returns once this node's copy has caught up with the change, so a reader sees its own write.
 * Before it is added the node serves anyway and logs that it waits (Enterprise: "errors will be logged until it is
 * added to the cluster").
 */
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {checkMetaState, type DataNodeInfo, type MetaCommand, type MetaState} from '../../wire/meta.js'
import type {NodeHttpClient} from '../node/http-client.js'
import {bearer} from '../node/jwt.js'
import type {Logger} from '../node/logger.js'
import {errnoCode, messageOf} from '../node/process.js'

export interface MetaClientOptions {
  /** The node's [meta] dir (client.json, node.json). */
  dir: string
  /** This node's advertised addresses: cluster RPC (its identity in the meta store) and HTTP. */
  tcpAddr: string
  httpAddr: string
  http: NodeHttpClient
  /** [meta] meta-auth-enabled and meta-internal-shared-secret: sign requests to the meta nodes. */
  internalSecret: string | null
  log: Logger
  now?: () => number
  /** Sleep between failed rounds (1 s as Enterprise; tests may shorten it). */
  retryMs?: number
}

/** A meta change the meta store refused: `message` is the store's text, `status` the HTTP status it came with. */
export class MetaCommandError extends Error {
  constructor(message: string, readonly status: number) {
    super(message)
    this.name = 'MetaCommandError'
  }
}

const LONG_POLL_TIMEOUT_MS = 70_000
const LOG_EVERY_MS = 30_000

export class MetaClient {
  private servers: string[] = []
  private id = 0
  private current: MetaState | undefined
  private serverIndex = 0
  private closed = false
  private readonly listeners = new Set<(s: MetaState) => void>()
  private readonly waiters = new Set<{index: number; resolve: () => void}>()
  private wake: (() => void) | undefined
  private readonly lastLogged = new Map<string, number>()
  private readonly now: () => number
  private readonly retryMs: number
  private loop: Promise<void> | undefined
  private abort = new AbortController()

  constructor(private readonly o: MetaClientOptions) {
    this.now = o.now ?? Date.now
    this.retryMs = o.retryMs ?? 1_000
  }

  /** Reads client.json and node.json (absent before the node is added). */
  async open(): Promise<void> {
    await mkdir(this.o.dir, {recursive: true})
    const log = this.o.log
    log.info('Connecting to meta service', {path: join(this.o.dir, 'client.json')}, 'Connecting to meta service')
    const client = await readJsonFile(join(this.o.dir, 'client.json'))
    if (client.ok && isStringList((client.value as {MetaServers?: unknown}).MetaServers)) {
      this.servers = (client.value as {MetaServers: string[]}).MetaServers
    } else if (client.ok || client.code !== 'ENOENT') {
      const error = client.ok ? `${join(this.o.dir, 'client.json')}: no MetaServers list` : client.message
      log.warn('Could not connect to meta service', {error}, `Could not connect to meta service: ${error}`)
    } else {
      // What influxd logs before `influxd-ctl add-data`: its client.json does not exist yet.
      const error = `open ${join(this.o.dir, 'client.json')}: no such file or directory`
      log.warn('Could not connect to meta service', {error}, `Could not connect to meta service: ${error}`)
    }
    const node = await readJsonFile(join(this.o.dir, 'node.json'))
    if (node.ok) {
      const id = (node.value as {id?: unknown}).id
      if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) this.id = id
    }
  }

  /** Starts the long poll (it waits quietly while the node has no meta servers). */
  start(): void {
    this.loop ??= this.pollLoop()
  }

  async close(): Promise<void> {
    this.closed = true
    this.abort.abort()
    this.wake?.()
    for (const w of this.waiters) w.resolve()
    await this.loop
  }

  metaServers(): readonly string[] {
    return this.servers
  }

  /** This node's id in the meta store; 0 until it has been added. */
  nodeId(): number {
    return this.id
  }

  /** The node's copy of the meta store, once it has one. */
  state(): MetaState | undefined {
    return this.current
  }

  /** This node's record in the meta store (undefined before it was added, or after it was removed). */
  self(): DataNodeInfo | undefined {
    return this.current?.dataNodes.find((n) => n.id === this.id)
  }

  onChange(listener: (s: MetaState) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * The data node's half of add-data (JoinCluster): keep the meta servers, check that they have a leader, create this
   * node in the meta store (1 s apart for up to 10 s), remember the id. Rejects with Enterprise's messages.
   */
  async join(metaServers: string[], update: boolean): Promise<number> {
    if (!isStringList(metaServers) || metaServers.length === 0) throw new Error('data node failed to contact valid meta server in list []')
    if (this.id > 0 && !update && this.servers.length > 0 && !metaServers.some((s) => this.servers.includes(s))) throw new Error('already joined to cluster')
    await this.saveServers(metaServers)
    const leader = await this.findLeader()
    if (leader === undefined) throw new Error(`no leader in meta servers: [${metaServers.join(' ')}]`)
    const deadline = this.now() + 10_000
    let last = ''
    for (;;) {
      try {
        const node = (await this.execute({type: 'createDataNode', tcpAddr: this.o.tcpAddr, httpAddr: this.o.httpAddr})) as DataNodeInfo
        this.id = node.id
        await writeAtomically(join(this.o.dir, 'node.json'), JSON.stringify({id: node.id}))
        this.wake?.()
        return node.id
      } catch (err) {
        last = messageOf(err)
      }
      if (this.now() >= deadline) throw new Error(`unable to create data node, timed out: ${last}`)
      await this.sleep(this.retryMs)
    }
  }

  /**
   * Sends a command to the meta leader and resolves with its result once this node's copy of the meta store has
   * applied it. Rejects with MetaCommandError for a refusal, a plain Error when no meta node could be reached.
   */
  async execute(cmd: MetaCommand): Promise<unknown> {
    if (this.servers.length === 0) throw new Error('this data node has not been added to a cluster yet (no meta servers)')
    const body = JSON.stringify({cmd})
    let last = 'no meta server answered'
    for (let attempt = 0; attempt < 10 && !this.closed; attempt++) {
      const server = this.servers[(this.serverIndex + attempt) % this.servers.length]
      try {
        const res = await this.o.http.post(`http://${server}/execute`, body, {
          headers: {'content-type': 'application/json', ...this.headers()}, timeoutMs: 10_000, maxRedirects: 3,
        })
        const doc = parseJson(res.text)
        if (res.status === 200 && doc !== undefined && typeof (doc as {index?: unknown}).index === 'number') {
          const {index, result} = doc as {index: number; result: unknown}
          await this.waitForIndex(index, 5_000)
          return result
        }
        const error = doc !== undefined && typeof (doc as {error?: unknown}).error === 'string' ? (doc as {error: string}).error : `meta server returned ${res.status}`
        if (res.status >= 400 && res.status < 500) throw new MetaCommandError(error, res.status)
        last = error
      } catch (err) {
        if (err instanceof MetaCommandError) throw err
        last = messageOf(err)
      }
      if ((attempt + 1) % this.servers.length === 0) await this.sleep(this.retryMs)
    }
    throw new Error(last)
  }

  /**
   * Asks the meta leader for a lease (`GET /lease?name=<name>&node_id=<id>`, 307 followed, the servers tried in
   * turn): true when this node holds it (200), false when another node does (409). A 503 (no leader yet) is retried
   * after 10, 100, 1000 ms and then at most every 10 s, up to 10 tries (the open-source client's 10^n ms, capped);
   * anything else rejects.
   */
  async acquireLease(name: string): Promise<boolean> {
    if (this.servers.length === 0 || this.id === 0) throw new Error('this data node has not been added to a cluster yet')
    const query = new URLSearchParams({name, node_id: String(this.id)}).toString()
    let last = 'no meta server answered'
    for (let attempt = 1; attempt <= 10 && !this.closed; attempt++) {
      const server = this.servers[(this.serverIndex + attempt - 1) % this.servers.length]
      try {
        const res = await this.o.http.get(`http://${server}/lease?${query}`, {headers: this.headers(), timeoutMs: 10_000, maxRedirects: 3})
        if (res.status === 200) return true
        if (res.status === 409) return false
        const doc = parseJson(res.text) as {error?: unknown} | undefined
        last = typeof doc?.error === 'string' ? doc.error : `meta server returned ${res.status}`
        if (res.status !== 503) throw new MetaCommandError(last, res.status)
      } catch (err) {
        if (err instanceof MetaCommandError) throw err
        last = messageOf(err)
      }
      // Not this.sleep: that one is the long poll's, and close() wakes it.
      await new Promise((resolve) => setTimeout(resolve, Math.min(10 ** attempt, 10_000)).unref())
    }
    throw new Error(last)
  }

  /** Resolves once the copy of the meta store has reached `index` (or after `timeoutMs`). */
  waitForIndex(index: number, timeoutMs: number): Promise<void> {
    if ((this.current?.index ?? 0) >= index || this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const w = {index, resolve: () => {
        clearTimeout(timer)
        this.waiters.delete(w)
        resolve()
      }}
      const timer = setTimeout(w.resolve, timeoutMs)
      this.waiters.add(w)
      this.wake?.()
    })
  }

  // ----- internals

  private headers(): Record<string, string> {
    const h: Record<string, string> = {'user-agent': 'InfluxDB Meta Client'}
    return this.o.internalSecret !== null ? {...h, ...bearer('', this.o.internalSecret, this.now())} : h
  }

  private async saveServers(servers: string[]): Promise<void> {
    if (servers.length === this.servers.length && servers.every((s, i) => s === this.servers[i])) return
    this.servers = [...servers]
    this.serverIndex = 0
    await writeAtomically(join(this.o.dir, 'client.json'), JSON.stringify({MetaServers: servers}))
  }

  private async findLeader(): Promise<string | undefined> {
    for (const server of this.servers) {
      try {
        const res = await this.o.http.get(`http://${server}/status`, {headers: this.headers(), timeoutMs: 3_000})
        const doc = parseJson(res.text) as {leader?: unknown} | undefined
        if (res.status === 200 && typeof doc?.leader === 'string' && doc.leader !== '') return doc.leader
      } catch {
        // try the next one
      }
    }
    return undefined
  }

  private logThrottled(key: string, write: () => void): void {
    const at = this.lastLogged.get(key)
    if (at !== undefined && this.now() - at < LOG_EVERY_MS) return
    this.lastLogged.set(key, this.now())
    write()
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
  }

  private async pollLoop(): Promise<void> {
    while (!this.closed) {
      if (this.servers.length === 0) {
        await this.sleep(this.retryMs)
        continue
      }
      const server = this.servers[this.serverIndex % this.servers.length]
      const index = this.current?.index ?? 0
      try {
        const res = await this.o.http.get(`http://${server}/?index=${index}`, {
          headers: this.headers(), timeoutMs: LONG_POLL_TIMEOUT_MS, maxResponseBytes: 256 * 1024 * 1024, signal: this.abort.signal,
        })
        if (res.status !== 200) throw new Error(`meta server returned non-200: ${res.status} ${res.text.trim().slice(0, 200)}`)
        const state = checkMetaState(parseJson(res.text))
        if (typeof state === 'string') throw new Error(`meta server sent a snapshot that is not a meta state: ${state}`)
        this.lastLogged.clear()
        if (state.index >= index) this.apply(state)
      } catch (err) {
        if (this.closed) break
        const message = messageOf(err)
        this.logThrottled(`${server} ${message}`, () => this.o.log.warn('Failure getting snapshot', {server, error: message}, `failure getting snapshot from ${server}: ${message}`))
        this.serverIndex = (this.serverIndex + 1) % this.servers.length
        await this.sleep(this.retryMs)
      }
    }
  }

  private apply(state: MetaState): void {
    this.current = state
    if (this.id === 0) {
      const me = state.dataNodes.find((n) => n.tcpAddr === this.o.tcpAddr)
      if (me !== undefined) this.id = me.id
    }
    const servers = state.metaNodes.map((n) => n.addr)
    if (servers.length > 0) void this.saveServers(servers).catch(() => undefined)
    for (const w of [...this.waiters]) if (state.index >= w.index) w.resolve()
    for (const l of this.listeners) l(state)
  }
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0 && s.length < 512)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

async function readJsonFile(path: string): Promise<{ok: true; value: unknown} | {ok: false; code: string; message: string}> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    return {ok: false, code: errnoCode(err) ?? 'EIO', message: messageOf(err)}
  }
  const value = parseJson(text)
  if (value === undefined || typeof value !== 'object' || value === null) return {ok: false, code: 'EINVAL', message: 'not a JSON object'}
  return {ok: true, value}
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`
  await writeFile(tmp, text, {mode: 0o600})
  await rename(tmp, path)
}
