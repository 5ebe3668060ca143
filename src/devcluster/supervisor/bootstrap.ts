/**
 * The bring-up recipes: how the supervisor turns started processes into a cluster, the documented way.
 *
 *   meta nodes: wait until each answers GET /ping; POST /add-meta addr=<node> to meta-1 for every node, meta-1 first
 *   (it bootstraps a one-node Raft cluster) and each as soon as its node answers; then wait until every node's
 *   GET /status names the same leader and lists all peers; with auth, create the admin user and wait until every
 *   node accepts its password.
 *
 * Every wait polls every 20 ms and has a deadline; a failure names what it waited for and where to look. The recipes
 * need little of the supervisor, declared here (BringUp).
 */
import {ExitCode, MedicError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {dirFlag} from '../cluster/paths.js'
import {adminAuthHeaders, type ClusterState, dataNodes, type DevAuth, type DevNode, type MetaDevNode, metaNodes} from '../cluster/state.js'
import {jsonOf, NodeHttpError, type NodeHttpClient} from '../node/http-client.js'
import type {Logger} from '../node/logger.js'

export const POLL_MS = 20

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What the recipes need of the supervisor. */
export interface BringUp {
  readonly dir: string
  /** The cluster as last read or written. */
  state(): ClusterState
  readonly startTimeoutMs: number
  readonly http: NodeHttpClient
  readonly log: Logger
  /** Throws when start-up must stop: a node died (with its error), or the cluster is being stopped. */
  throwIfStopping(): void
  /** The error to report for `name` when its process has ended; undefined while it runs. */
  failureOf(name: string): MedicError | undefined
  update(change: (s: ClusterState) => void): Promise<void>
}

const describe = (err: unknown): string => (err instanceof NodeHttpError ? err.errno ?? err.message : err instanceof Error ? err.message : String(err))

function problem(message: string, code: string, suggestions: string[]): MedicError {
  return new MedicError(message, {code, exitCode: ExitCode.PROBLEMS, suggestions})
}

/** Waits until `node` answers GET /ping with 200 (its API is up); fails early when its process ends. */
export async function waitPing(b: BringUp, node: DevNode): Promise<void> {
  const deadline = Date.now() + b.startTimeoutMs
  let last = ''
  for (;;) {
    b.throwIfStopping()
    const failed = b.failureOf(node.name)
    if (failed) throw failed
    try {
      const r = await b.http.get(`http://${node.httpAddr}/ping`, {timeoutMs: 1_000})
      // Meta nodes answer 200, data nodes 204 (as InfluxDB's /ping does).
      if (r.status === 200 || r.status === 204) return
      last = `HTTP ${r.status}`
    } catch (err) {
      last = describe(err)
    }
    if (Date.now() > deadline) {
      throw problem(`${node.name} did not answer GET /ping within ${b.startTimeoutMs / 1000} s (last: ${last})`, 'node-not-ready', [
        `its log: medic dev logs ${node.name}${dirFlag(b.dir)}`,
      ])
    }
    await sleep(POLL_MS)
  }
}

/**
 * add-meta of every meta node, in order, sent to the first one (it bootstraps itself first), following redirects to
 * the leader. `ready[i]` resolves once meta node i answers /ping; each add-meta waits for the first node and its own.
 */
export async function joinMetaNodes(b: BringUp, ready: Array<Promise<void>>): Promise<void> {
  const metas = metaNodes(b.state())
  const first = metas[0]
  await ready[0]
  for (const [i, n] of metas.entries()) {
    await ready[i]
    await postUntilDone(b, `http://${first.httpAddr}/add-meta`, `addr=${encodeURIComponent(n.httpAddr)}`, 'application/x-www-form-urlencoded', `add-meta ${n.httpAddr}`, 'join-failed')
  }
  b.log.info('Meta nodes added', {nodes: metas.map((n) => n.name).join(',')}, `added meta nodes ${metas.map((n) => n.httpAddr).join(', ')}`)
}

/**
 * add-data of every data node, sent to the leader as soon as the node answers /ping: the leader dials the node's
 * cluster RPC port and the node registers itself (data-nodes.md §7), so a 200 means the node is in the meta store and
 * its copy of the meta store holds itself. Re-adding a node of a cluster that was joined before is harmless.
 */
export async function addDataNodes(b: BringUp, leader: MetaDevNode, ready: Array<Promise<void>>): Promise<void> {
  const datas = dataNodes(b.state())
  await Promise.all(datas.map(async (n, i) => {
    await ready[i]
    await postUntilDone(b, `http://${leader.httpAddr}/add-data`, `addr=${encodeURIComponent(n.rpcAddr)}`, 'application/x-www-form-urlencoded', `add-data ${n.rpcAddr}`, 'join-failed')
  }))
  if (datas.length > 0) b.log.info('Data nodes added', {nodes: datas.map((n) => n.name).join(',')}, `added data nodes ${datas.map((n) => n.rpcAddr).join(', ')}`)
}

/**
 * POSTs until the meta API accepts (2xx): 307/308 are followed to the leader, 503 (no leader yet, or a membership
 * change in flight) and refused connections are retried every poll. Anything else fails with `code`.
 */
export async function postUntilDone(b: BringUp, url: string, body: string, type: string, what: string, code: string): Promise<string> {
  const deadline = Date.now() + b.startTimeoutMs
  const logs = `the nodes' logs: medic dev logs ${metaNodes(b.state())[0]?.name ?? 'meta-1'}${dirFlag(b.dir)}`
  let last = ''
  for (;;) {
    b.throwIfStopping()
    try {
      const r = await b.http.post(url, body, {headers: {'content-type': type, ...adminAuthHeaders(b.state())}, timeoutMs: 5_000, maxRedirects: 5})
      if (r.status >= 200 && r.status < 300) return r.text
      if (r.status !== 503) {
        throw problem(`${what}: ${r.url} answered HTTP ${r.status}${r.text.trim() ? ` ${r.text.trim().slice(0, 300)}` : ''}`, code, [logs])
      }
      last = `HTTP 503 ${r.text.trim().slice(0, 120)}`
    } catch (err) {
      if (err instanceof MedicError) throw err
      if (err instanceof NodeHttpError && err.code === 'redirects') throw problem(`${what}: ${err.message}`, code, [logs])
      last = describe(err)
    }
    if (Date.now() > deadline) throw problem(`${what}: not accepted within ${b.startTimeoutMs / 1000} s (last answer: ${last})`, code, [logs])
    await sleep(POLL_MS)
  }
}

/** Polls every meta node's /status until all name the same leader and list every meta node among their peers. */
export async function waitLeader(b: BringUp): Promise<MetaDevNode> {
  const {checkMetaStatus} = await import('../../wire/schemas.js')
  const deadline = Date.now() + b.startTimeoutMs
  const metas = metaNodes(b.state())
  const want = metas.map((n) => n.raftAddr)
  for (;;) {
    b.throwIfStopping()
    for (const n of metas) {
      const failed = b.failureOf(n.name)
      if (failed) throw failed
    }
    const seen = await Promise.all(metas.map(async (n) => {
      try {
        const r = await b.http.get(`http://${n.httpAddr}/status`, {timeoutMs: 1_000, headers: adminAuthHeaders(b.state())})
        if (r.status !== 200) return {n, view: `HTTP ${r.status}`}
        const c = await checkMetaStatus(jsonOf(r))
        if (!c.ok) return {n, view: `an unexpected /status body (${c.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}): ${r.text.slice(0, 200)}`}
        return {n, leader: c.status.leader, peers: c.status.peers, view: `leader "${c.status.leader}", peers ${JSON.stringify(c.status.peers)}`}
      } catch (err) {
        return {n, view: describe(err)}
      }
    }))
    const leaders = new Set(seen.map((s) => s.leader))
    const leader = seen[0]?.leader
    if (leaders.size === 1 && leader && seen.every((s) => want.every((w) => s.peers?.includes(w)))) {
      const node = metas.find((n) => n.raftAddr === leader)
      if (node) return node
    }
    if (Date.now() > deadline) {
      const views = seen.map((s) => `${s.n.name}: ${s.view}`)
      throw problem(`the nodes did not agree on a leader within ${b.startTimeoutMs / 1000} s (${views.join('; ')})`, 'no-leader', [
        `what the nodes logged: medic dev logs ${metas[0]?.name ?? 'meta-1'}${dirFlag(b.dir)}`,
        `medic logs summarize ${metas.map((n) => shellQuote(n.logPath)).join(' ')}`,
      ])
    }
    await sleep(POLL_MS)
  }
}

/** Creates the admin user (allowed while no user exists) with the password generated for this cluster. */
export async function createAdmin(b: BringUp, auth: DevAuth): Promise<void> {
  const first = metaNodes(b.state())[0]
  const body = JSON.stringify({action: 'create', user: {name: auth.username, password: auth.password, admin: true}})
  try {
    await postUntilDone(b, `http://${first.httpAddr}/user`, body, 'application/json', `creating the user ${auth.username}`, 'admin-user-failed')
  } catch (err) {
    // A user left by an earlier start is fine: its password is the one in cluster.json.
    if (!(err instanceof MedicError && /exist/i.test(err.message))) throw err
  }
  await waitUserEverywhere(b, auth)
  await b.update((s) => {
    if (s.auth) s.auth.userCreated = true
  })
  b.log.info('Admin user created', {user: auth.username}, `created the admin user ${auth.username}`)
}

/**
 * Waits until every meta node accepts the admin's Basic credentials. The user is committed once the leader answers,
 * but a follower checks Basic auth against its own copy of the meta store, which learns of the commit a heartbeat
 * later: the banner must not hand out a login that a follower still refuses.
 */
async function waitUserEverywhere(b: BringUp, auth: DevAuth): Promise<void> {
  const deadline = Date.now() + b.startTimeoutMs
  const basic = {authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`}
  const pending = new Set(metaNodes(b.state()))
  for (;;) {
    b.throwIfStopping()
    await Promise.all([...pending].map(async (n) => {
      try {
        const r = await b.http.get(`http://${n.httpAddr}/status`, {timeoutMs: 1_000, headers: basic})
        if (r.status === 200) pending.delete(n)
      } catch {
        // not yet: retried below
      }
    }))
    if (pending.size === 0) return
    if (Date.now() > deadline) {
      const names = [...pending].map((n) => n.name)
      throw problem(`${names.join(', ')} did not accept the admin user within ${b.startTimeoutMs / 1000} s`, 'admin-user-failed', [
        `what the nodes logged: medic dev logs ${names[0]}${dirFlag(b.dir)}`,
      ])
    }
    await sleep(POLL_MS)
  }
}
