/**
 * The dev cluster's data node: one OS process per node, the counterpart of `influxd -config influxdb.conf` of
 * InfluxDB Enterprise. Started by the supervisor as `node main.js -config <file>`; runs without oclif. Wiring only:
 *
 *   influxdb.conf ─▶ data/config ─▶ node/logger (stderr → the node's log)
 *   [meta] dir ─▶ data/meta-client (client.json, node.json, long poll of the meta nodes, /execute) ─▶ data/meta-views
 *   [data] dir ─▶ data/store (shards) ◀─ data/coordinator (writes: shards, owners, consistency) ─▶ data/hh (queues)
 *   bind-address ─▶ node/rpc server ─▶ data/cluster-rpc (write shard, shard query, delete, JoinCluster from meta)
 *   [http] bind-address ─▶ data/http (ping, write, query, status, debug/vars) ─▶ data/query (InfluxQL executor)
 *   data/services: announcer, shard reconciliation with the meta store, retention, shard precreation, stats
 *   data/monitor (_internal: the monitor, the stats service), data/cq (continuous queries under the meta lease)
 *
 * Start order follows Enterprise's (data-nodes.md §4.32): store, meta client, cluster RPC, HH, services, HTTP last.
 * Lifecycle as the meta node (node/process.ts): SIGTERM/SIGINT or the end of the supervisor's lifeline stop it
 * cleanly; fatal start-up problems are logged as the last lines and the process exits 1.
 */
import {dirname} from 'node:path'

import {fnv1a64, formatPointsBuffer, type Point} from '../../lineprotocol/point.js'
import {installSkewableClock} from '../node/clock.js'
import {listenOn, scaledMs} from '../node/config-reader.js'
import {nodeFaults} from '../node/faults.js'
import {createNodeHttpClient} from '../node/http-client.js'
import {createLogger} from '../node/logger.js'
import {configPathFrom, describeListenError, messageOf, onStopRequests, runNodeMain} from '../node/process.js'
import {RpcClient} from '../node/rpc/client.js'
import {createRpcServer} from '../node/rpc/server.js'
import {StatsRegistry} from '../node/stats.js'
import {ClusterCalls, newClusterStats, rpcHandler} from './cluster-rpc.js'
import {type DataNodeConfig, readDataNodeConfig} from './config.js'
import {isRetryable, newWriteStats, PointsWriter, type PointsWriterOptions, SHARD_WRITER_TIMEOUT_MS} from './coordinator/points-writer.js'
import {HintedHandoffService} from './hh/service.js'
import {startDataHttpApi} from './http/api.js'
import {ContinuousQueryService} from './cq.js'
import {MetaClient} from './meta-client.js'
import {MetaViews} from './meta-views.js'
import {InternalWriters} from './monitor.js'
import {QueryExecutor} from './query/index.js'
import {DataServices, intoWriter} from './services.js'
import {DataStore} from './store/store.js'

/** What the node reports (`<OSS>-c<Enterprise>`), as the meta nodes do. */
export const DEV_VERSION = '1.11.8-c1.11.8'

async function run(): Promise<number> {
  // Before anything keeps a reference to Date.now: `medic dev fault clock` skews this process's wall clock.
  installSkewableClock()
  const configPath = configPathFrom(process.argv.slice(2))
  if (!configPath) {
    process.stderr.write('usage: main.js -config <influxdb.conf>\n')
    return 2
  }
  let cfg: DataNodeConfig
  try {
    cfg = await readDataNodeConfig(configPath)
  } catch (err) {
    process.stderr.write(`run: parse config: ${messageOf(err)}\n`)
    return 1
  }
  const root = createLogger({format: cfg.logFormat, level: cfg.logLevel})
  const mainLog = root.child('main')
  mainLog.info('InfluxDB starting', {version: DEV_VERSION, branch: 'medic-dev', commit: 'none'}, `InfluxDB starting, version ${DEV_VERSION}, branch medic-dev, commit none`)
  mainLog.info('Go runtime', {version: process.version, maxprocs: 1}, `Node.js version ${process.version}`)
  // The dev cluster's fault table (medic dev fault ...): read before the first connection or append.
  if (cfg.name !== '' && cfg.clusterDir !== null) {
    nodeFaults.start({self: cfg.name, clusterDir: cfg.clusterDir, nodeDir: dirname(configPath), onProblem: (m) => mainLog.warn(m, undefined, m)})
  }
  // medic dev up --time-scale N: these timers run N times faster (the config and the log keep the real values).
  const scaled = (ms: number) => scaledMs(ms, cfg.timeScale)

  const rpcBind = listenOn(cfg.bindAddress)
  const httpBind = listenOn(cfg.http.bindAddress)
  const tcpAddr = `${cfg.hostname}:${rpcBind.port}`
  const httpAddr = `${cfg.hostname}:${httpBind.port}`

  // Store.
  const storeLog = root.child('store')
  // influxd's own pair around opening the shards (tsdb_open), and its WAL loader's line for a torn tail it cut.
  const openStarted = performance.now()
  storeLog.info('Open store (start)', {op_name: 'tsdb_open', op_event: 'start'}, `Open store (start) path=${cfg.data.dir}`)
  let store: DataStore
  try {
    store = await DataStore.open(cfg.data.dir, {
      maxSeriesPerDatabase: cfg.data.maxSeriesPerDatabase,
      maxValuesPerTag: cfg.data.maxValuesPerTag,
      onFinding: (f) => storeLog.info('File corrupt', {error: f.message, path: f.path}, `File corrupt: ${f.message} (path ${f.path})`),
    })
  } catch (err) {
    storeLog.error('cannot open the data directory', {path: cfg.data.dir, error: messageOf(err)}, `run: open store ${cfg.data.dir}: ${messageOf(err)}`)
    return 1
  }
  const openMs = performance.now() - openStarted
  storeLog.info('Open store (end)', {op_name: 'tsdb_open', op_event: 'end', op_elapsed: `${openMs.toFixed(3)}ms`}, `Open store (end) op_elapsed=${openMs.toFixed(3)}ms`)

  // Meta client.
  const http = createNodeHttpClient({userAgent: 'InfluxDB Meta Client'})
  const metaClient = new MetaClient({
    dir: cfg.meta.dir, tcpAddr, httpAddr, http, log: root.child('metaclient'),
    internalSecret: cfg.meta.metaAuthEnabled ? cfg.meta.metaInternalSharedSecret : null,
  })
  await metaClient.open()
  const meta = new MetaViews(metaClient)

  // Cluster RPC: the calling side and the listener.
  const rpc = new RpcClient({maxConnections: 500, maxIdle: 16})
  const calls = new ClusterCalls(rpc, meta, {writeMs: SHARD_WRITER_TIMEOUT_MS, readMs: cfg.cluster.shardReaderTimeoutMs || 60_000})
  const clusterLog = root.child('cluster')
  const clusterStats = newClusterStats()
  const rpcServer = createRpcServer(rpcHandler({store, log: clusterLog, stats: clusterStats, join: (servers, update) => metaClient.join(servers, update),
    membership: () => ({nodeId: metaClient.nodeId(), metaServers: metaClient.metaServers()})}),
    {log: (m) => clusterLog.info(m, undefined, m)})
  const rpcSockets = new Set<import('node:net').Socket>()
  rpcServer.on('connection', (socket) => {
    rpcSockets.add(socket)
    socket.once('close', () => rpcSockets.delete(socket))
  })
  try {
    await new Promise<void>((resolve, reject) => {
      rpcServer.once('error', reject)
      rpcServer.listen({host: rpcBind.host, port: rpcBind.port, exclusive: true}, () => {
        rpcServer.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    clusterLog.error('cannot listen on the cluster address', {addr: cfg.bindAddress, error: messageOf(err)}, `run: open cluster service: ${describeListenError(err, 'bind-address', cfg.bindAddress)}`)
    await store.close()
    return 1
  }
  clusterLog.info('Starting cluster service', {addr: tcpAddr}, `Starting cluster service on ${tcpAddr}`)

  // Hinted handoff.
  const hhLog = root.child('handoff')
  const hh = new HintedHandoffService({
    enabled: cfg.hintedHandoff.enabled, dir: cfg.hintedHandoff.dir, maxSizeBytes: cfg.hintedHandoff.maxSize, maxAgeMs: scaled(cfg.hintedHandoff.maxAgeMs),
    purgeIntervalMs: scaled(cfg.hintedHandoff.purgeIntervalMs), retryConcurrency: cfg.hintedHandoff.retryConcurrency, batchSize: cfg.hintedHandoff.batchSize,
    retryIntervalMs: scaled(cfg.hintedHandoff.retryIntervalMs), retryMaxIntervalMs: scaled(cfg.hintedHandoff.retryMaxIntervalMs), retryRateLimit: cfg.hintedHandoff.retryRateLimit,
  }, {
    send: (nodeId, target, lp) => calls.writeShard(nodeId, target, lp),
    isRetryable,
    sleep: (ms, signal) => new Promise((resolve) => {
      const t = setTimeout(resolve, ms)
      signal.addEventListener('abort', () => {
        clearTimeout(t)
        resolve()
      }, {once: true})
    }),
    now: Date.now,
    log: (level, message) => hhLog[level](message, undefined, message),
    active: (nodeId) => meta.tcpAddr(nodeId) !== undefined,
  })
  try {
    await hh.open()
  } catch (err) {
    hhLog.error('cannot open the hinted handoff directory', {path: cfg.hintedHandoff.dir, error: messageOf(err)}, `run: open hinted handoff ${cfg.hintedHandoff.dir}: ${messageOf(err)}`)
    rpcServer.close()
    await store.close()
    return 1
  }

  // remove-data: the queues this node holds for a data node that left the meta store go with it (Enterprise 1.0.0).
  const removing = new Set<number>()
  metaClient.onChange((state) => {
    if (metaClient.self() === undefined) return
    const live = new Set(state.dataNodes.map((n) => n.id))
    for (const id of hh.queuedNodes()) {
      if (live.has(id) || removing.has(id)) continue
      removing.add(id)
      void hh.removeNode(id)
        .catch((err: unknown) => hhLog.error(`failed to remove hinted handoff queue for node ${id}: ${messageOf(err)}`, undefined, `failed to remove hinted handoff queue for node ${id}: ${messageOf(err)}`))
        .finally(() => removing.delete(id))
    }
  })

  // Coordinator.
  const writeLog = root.child('write')
  const writeStats = newWriteStats()
  const writerOptions: PointsWriterOptions<Point> = {
    nodeId: () => metaClient.nodeId(),
    meta,
    owners: {
      local: (t, points) => store.writeToShard(t.db, t.rp, t.shardId, points),
      remote: (nodeId, t, points) => calls.writePoints(nodeId, t, points),
    },
    hh: {
      backlog: (nodeId, shardId) => hh.backlog(nodeId, shardId),
      enqueue: (nodeId, t, points) => hh.enqueue(nodeId, t, formatPointsBuffer(points), points.length),
    },
    hash: fnv1a64,
    writeTimeoutMs: cfg.cluster.writeTimeoutMs,
    allowOutOfOrder: cfg.cluster.allowOutOfOrderWrites,
    stats: writeStats,
    onOwnerError: (shardId, nodeId, err) => writeLog.info(`write failed for shard ${shardId} on node ${nodeId}: ${err.message}`, undefined, `write failed for shard ${shardId} on node ${nodeId}: ${err.message}`),
  }
  const writer = new PointsWriter<Point>(writerOptions)

  // Statistics, services, the query executor.
  const stats = new StatsRegistry()
  const services = new DataServices({cfg, store, meta, metaClient, calls, hh, writer, stats, writeStats, clusterStats, log: root, version: DEV_VERSION, tcpAddr, httpAddr})
  const executor = new QueryExecutor({
    meta,
    metaCommands: meta,
    get nodeId() {
      return metaClient.nodeId()
    },
    local: {reader: (id) => store.shard(id)},
    remote: (nodeId, q) => calls.shardQuery(nodeId, q),
    data: {delete: (req) => services.broadcastDelete(req)},
    monitor: services.monitor,
    pointsWriter: intoWriter(writer),
    now: () => BigInt(Date.now()) * 1_000_000n,
  })
  // _internal (monitor and stats service) and continuous queries, after the other services as in Enterprise.
  const internal = new InternalWriters({cfg, stats, metaClient, store, writer: writerOptions, log: root, storeEveryMs: scaled(cfg.monitor.storeIntervalMs)})
  const cqs = new ContinuousQueryService({cfg, metaClient, executor, log: root, runEveryMs: scaled(cfg.continuousQueries.runIntervalMs)})
  services.start()
  internal.start()
  cqs.start()
  metaClient.start()

  /** Everything but the HTTP API, in the reverse of the start order. */
  const closeServices = async () => {
    await cqs.close()
    await internal.close()
    await services.close()
    await metaClient.close()
    await hh.close()
    rpcServer.close()
    for (const socket of rpcSockets) socket.destroy()
    rpc.close()
    await http.close()
    await store.close()
    nodeFaults.stop()
  }

  // HTTP last, as influxd does.
  let api: Awaited<ReturnType<typeof startDataHttpApi>>
  try {
    api = await startDataHttpApi({
      version: DEV_VERSION,
      config: {
        bindAddress: cfg.http.bindAddress, authEnabled: cfg.http.authEnabled, logEnabled: cfg.http.logEnabled, writeTracing: cfg.http.writeTracing,
        maxBodySize: cfg.http.maxBodySize, maxRowLimit: cfg.http.maxRowLimit, maxConnectionLimit: cfg.http.maxConnectionLimit,
        sharedSecret: cfg.http.sharedSecret, pprofEnabled: cfg.http.pprofEnabled,
      },
      log: root,
      user: (name) => meta.user(name),
      userCount: () => meta.userCount(),
      adminUserExists: () => meta.users().some((u) => u.admin),
      hasDatabase: (name) => meta.hasDatabase(name),
      executor,
      write: (db, rp, points, consistency) => writer.write(db, rp === '' ? undefined : rp, points, consistency),
      stats,
      now: Date.now,
    }, httpBind)
  } catch (err) {
    root.child('httpd').error('cannot listen on the HTTP address', {addr: cfg.http.bindAddress, error: messageOf(err)}, `run: open http service: ${describeListenError(err, 'http bind-address', cfg.http.bindAddress)}`)
    await closeServices()
    return 1
  }
  root.child('httpd').info('Listening on HTTP', {addr: httpAddr, https: false}, `Listening on HTTP: ${httpAddr}`)

  let resolveExit!: (code: number) => void
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve
  })
  let stopping = false
  const shutdown = async (why: string) => {
    if (stopping) return
    stopping = true
    mainLog.info(why, undefined, why)
    try {
      await api.close()
      await closeServices()
    } catch (err) {
      mainLog.error('error during shutdown', {error: messageOf(err)}, `error during shutdown: ${messageOf(err)}`)
    }
    resolveExit(0)
  }
  onStopRequests((why) => void shutdown(why))
  return exited
}

runNodeMain(run)
