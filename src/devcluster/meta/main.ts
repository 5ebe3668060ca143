/**
 * The dev cluster's meta node: one OS process per node, the counterpart of `influxd-meta -config influxdb-meta.conf`.
 * Started by the supervisor (supervisor/supervisor.ts) as `node main.js -config <file>`; runs without oclif (it starts
 * fast and stays small). Wiring only:
 *
 *   influxdb-meta.conf ─▶ meta/config.readMetaNodeConfig ─▶ node/logger (on stderr → the node's log)
 *   [meta] dir ─▶ raft/storage (WAL + snapshots) ─┐
 *   [meta] bind-address ─▶ raft/transport (TCP) ───┼─▶ raft/driver (RaftNode around the pure core) ◀─ meta/store (FSM)
 *   [meta] http-bind-address ─▶ meta/api (HTTP) ──┘
 *
 * Lifecycle (node/process.ts): SIGTERM / SIGINT stop it cleanly (exit 0), and so does the end of the supervisor's
 * lifeline pipe on fd 3, so no orphan outlives its cluster. Fatal start-up problems (bad config, port in use, damaged
 * meta dir) are logged as the last lines and the process exits 1, which the supervisor quotes.
 */
import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'

import {installSkewableClock} from '../node/clock.js'
import {listenOn, scaledMs} from '../node/config-reader.js'
import {nodeFaults} from '../node/faults.js'
import {createNodeHttpClient} from '../node/http-client.js'
import {createLogger} from '../node/logger.js'
import {configPathFrom, describeListenError, messageOf, onStopRequests, runNodeMain} from '../node/process.js'
import {RpcClient} from '../node/rpc/client.js'
import {RaftNode} from '../raft/driver.js'
import {openRaftStorage} from '../raft/storage.js'
import {listenRaftTransport} from '../raft/transport.js'
import {startMetaApi} from './api.js'
import {type MetaNodeConfig, readMetaNodeConfig} from './config.js'
import {checkLicense} from './license.js'
import {MetaStore} from './store.js'

/** The version the dev cluster reports (`<OSS>-c<Enterprise>`, the shape of /show-cluster's version field). */
export const DEV_VERSION = '1.11.8-c1.11.8'
/** `[meta] gossip-frequency` (default 5s). */
const GOSSIP_FREQUENCY_MS = 5_000


async function run(): Promise<number> {
  // Before anything keeps a reference to Date.now: `medic dev fault clock` skews this process's wall clock.
  installSkewableClock()
  const configPath = configPathFrom(process.argv.slice(2))
  if (!configPath) {
    process.stderr.write('usage: main.js -config <influxdb-meta.conf>\n')
    return 2
  }
  let cfg: MetaNodeConfig
  try {
    cfg = await readMetaNodeConfig(configPath)
  } catch (err) {
    process.stderr.write(`run: parse config: ${messageOf(err)}\n`)
    return 1
  }
  const root = createLogger({format: cfg.logFormat, level: cfg.logLevel})
  const metaLog = root.child('meta')
  const raftLog = root.child('metastore')
  metaLog.info('InfluxDB Meta starting', {version: DEV_VERSION, branch: 'medic-dev', commit: 'none'}, `InfluxDB Meta starting, version ${DEV_VERSION}, branch medic-dev, commit none`)
  metaLog.info('Go runtime', {version: process.version, maxprocs: 1}, `Node.js version ${process.version}`)
  // The dev cluster's fault table (medic dev fault ...): read before the first connection is made.
  if (cfg.name !== '' && cfg.cluster !== null) {
    nodeFaults.start({self: cfg.name, clusterDir: cfg.cluster, nodeDir: dirname(configPath), onProblem: (m) => metaLog.warn(m, undefined, m)})
  }

  // influxd-meta aborts start-up without a valid license (meta/license.ts: what the dev node checks of it).
  const license = await checkLicense(cfg)
  if (!license.ok) {
    metaLog.error('the license could not be loaded', {error: license.error}, `run: license: ${license.error}`)
    return 1
  }
  if (license.warning !== undefined) metaLog.warn(license.warning, undefined, license.warning)

  if (cfg.authEnabled && cfg.internalSharedSecret === '') {
    metaLog.error('auth-enabled is set but internal-shared-secret is empty; set [meta] internal-shared-secret (required since 1.6.4)', undefined,
      'run: auth-enabled requires internal-shared-secret to be set')
    return 1
  }
  const raftBind = listenOn(cfg.bindAddress)
  const httpBind = listenOn(cfg.httpBindAddress)
  const raftAddr = `${cfg.hostname}:${raftBind.port}`
  const httpAddr = `${cfg.hostname}:${httpBind.port}`

  await mkdir(cfg.dir, {recursive: true})
  let storage: Awaited<ReturnType<typeof openRaftStorage>>
  try {
    storage = await openRaftStorage(cfg.dir)
  } catch (err) {
    metaLog.error('cannot open the meta store', {path: cfg.dir, error: messageOf(err)}, `run: open meta store ${cfg.dir}: ${messageOf(err)}`)
    return 1
  }
  for (const r of storage.repairs) metaLog.warn('repaired the Raft store after a crash', {kind: r.kind, path: r.path, detail: r.message}, `repaired the Raft store after a crash: ${r.path}: ${r.message}`)

  let node: RaftNode | undefined
  let transport: Awaited<ReturnType<typeof listenRaftTransport>>
  try {
    transport = await listenRaftTransport({
      id: raftAddr,
      bindHost: raftBind.host,
      port: raftBind.port,
      onError: (peer: string, err: Error) => node?.reportRpcError(peer, err),
    })
  } catch (err) {
    metaLog.error('cannot listen on the Raft address', {addr: cfg.bindAddress, error: messageOf(err)}, `run: open raft transport: ${describeListenError(err, 'bind-address', cfg.bindAddress)}`)
    await storage.close()
    return 1
  }

  const store = new MetaStore()
  const stopping = {now: false}
  let resolveExit!: (code: number) => void
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve
  })
  node = new RaftNode({
    id: raftAddr,
    httpAddr,
    storage,
    transport,
    fsm: store,
    timings: {
      heartbeatTimeoutMs: cfg.heartbeatTimeoutMs,
      electionTimeoutMs: cfg.electionTimeoutMs,
      leaderLeaseTimeoutMs: cfg.leaderLeaseTimeoutMs,
      commitTimeoutMs: cfg.commitTimeoutMs,
    },
    log: raftLog,
    onFatal: () => resolveExit(1),
  })

  // Node-to-node requests: the /status of a node being added, commands forwarded to the leader.
  const http = createNodeHttpClient({userAgent: 'InfluxDB Meta Client'})
  // add-data: the leader tells the new data node to join over its cluster RPC port.
  const rpc = new RpcClient({maxConnections: 4, maxIdle: 0})
  let api: Awaited<ReturnType<typeof startMetaApi>>
  try {
    api = await startMetaApi(
      {
        http,
        rpc,
        raft: node,
        store,
        config: {
          authEnabled: cfg.authEnabled,
          sharedSecret: cfg.sharedSecret,
          internalSharedSecret: cfg.internalSharedSecret,
          leaseDurationMs: scaledMs(cfg.leaseDurationMs, cfg.timeScale),
          clusterTracing: cfg.clusterTracing,
          announcementExpirationMs: 30_000,
          version: DEV_VERSION,
        },
        log: root,
      },
      httpBind,
    )
  } catch (err) {
    metaLog.error('cannot listen on the HTTP address', {addr: cfg.httpBindAddress, error: messageOf(err)}, `run: open meta service: ${describeListenError(err, 'http-bind-address', cfg.httpBindAddress)}`)
    await node.close()
    return 1
  }
  node.start()
  // Gossip: announce this node's version every gossip-frequency (and as soon as it has a leader), so /show-cluster
  // fills in the version column; a node that stops announcing shows a blank version after announcement-expiration.
  // Until the first announcement lands (the node may not be in the meta store yet when it first sees a leader), retry
  // every 250 ms; then every gossip-frequency.
  let announcing = false
  let announcedOnce = false
  const announce = () => {
    if (announcing || stopping.now || !node!.joined() || node!.leader() === null) return
    announcing = true
    api.handler.announce().then(
      () => {
        announcedOnce = true
      },
      () => undefined,
    ).finally(() => {
      announcing = false
    })
  }
  const gossip = setInterval(announce, GOSSIP_FREQUENCY_MS)
  gossip.unref()
  const eager = setInterval(() => {
    if (announcedOnce) clearInterval(eager)
    else announce()
  }, 250)
  eager.unref()
  metaLog.info('Listening on HTTP', {addr: httpAddr, https: false}, `Listening on HTTP: ${httpAddr}`)
  metaLog.info('Listening for Raft', {addr: raftAddr}, `Listening for Raft on: ${raftAddr}`)

  const shutdown = async (why: string, code: number) => {
    if (stopping.now) return
    stopping.now = true
    metaLog.info(why, undefined, why)
    clearInterval(gossip)
    clearInterval(eager)
    nodeFaults.stop()
    try {
      await api.close()
      await node!.close()
      await http.close()
      rpc.close()
    } catch (err) {
      metaLog.error('error during shutdown', {error: messageOf(err)}, `error during shutdown: ${messageOf(err)}`)
    }
    resolveExit(code)
  }
  onStopRequests((why) => void shutdown(why, 0))
  return exited
}

runNodeMain(run)
