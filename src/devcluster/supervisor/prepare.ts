/**
 * Getting a cluster folder ready for a supervisor (`medic dev up` before anything starts): creates or re-reads
 * cluster.json, refuses a folder that belongs to something else or a cluster that already runs, stops nodes left
 * running by a supervisor that died, checks that every port is free, and writes every node's config. A cluster that
 * was joined before keeps its size and ports: its members know each other by their Raft addresses.
 */
import {randomBytes} from 'node:crypto'
import {mkdir, readdir, rm} from 'node:fs/promises'
import {basename} from 'node:path'

import {inputError, usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {supervisorAnswers} from '../client/control.js'
import {renderDataConfig} from '../cluster/configs/data.js'
import {writeNodeConfig} from '../cluster/configs/edit.js'
import {devLicensePath, renderMetaConfig, tomlString, writeDevLicense} from '../cluster/configs/meta.js'
import {dataName, metaName, nodeIndex} from '../cluster/names.js'
import {dataNodePaths, dirFlag, faultTablePath, metaNodePaths} from '../cluster/paths.js'
import {
  checkBasePort, checkPortsFree, DEFAULT_BASE_PORT, dataPorts, dataPortUses, HOST, MAX_DATA_NODES, MAX_META_NODES, metaPorts, metaPortUses, suggestBase,
} from '../cluster/ports.js'
import {stopStrayNodes} from '../cluster/processes.js'
import {takeUpLock, UP_LOCK_FILE} from '../cluster/up-lock.js'
import {type ClusterState, dataNodes, type DevAuth, type DevNode, metaNodes, nowIso, readState, STATE_VERSION, writeState} from '../cluster/state.js'
import type {LogFormat} from '../node/logger.js'
import {MAX_TIME_SCALE} from '../node/config-reader.js'
import {FAULT_TABLE_FILE} from '../node/fault-table.js'
import {errnoCode} from '../node/process.js'

export const DEFAULT_META_NODES = 3
export const DEFAULT_DATA_NODES = 2

export interface UpOptions {
  clusterDir: string
  /** Number of meta nodes; default: the existing cluster's, else 3. */
  meta?: number
  /** Number of data nodes; default: the existing cluster's, else 2 (0: meta nodes only). */
  data?: number
  basePort?: number
  logFormat?: LogFormat
  /** Turn auth on (a cluster that has it keeps it). */
  auth?: boolean
  /** `--reset-configs`: write every node's config afresh, dropping edits made to them since the last start. */
  resetConfigs?: boolean
  /**
   * `--time-scale N`: the nodes' lease-duration, hinted-handoff max-age, purge-interval and retry back-off, monitor
   * store-interval and CQ run-interval run N times faster (default 1; not kept from an earlier start).
   */
  timeScale?: number
}

export interface Prepared {
  state: ClusterState
  /** True when the cluster is new (or its earlier start never finished joining) and will be joined. */
  fresh: boolean
  /** Things the command should tell the user (kept settings, cleaned leftovers). */
  notes: string[]
  /**
   * Releases the folder's start lock (cluster/up-lock.ts), held from here on: call it once the supervisor has
   * recorded itself in cluster.json, or when starting failed.
   */
  release: () => Promise<void>
}

/**
 * Gets the cluster folder ready for a supervisor: creates or re-reads the state, refuses a folder that belongs to
 * something else or a cluster that already runs, checks that every port is free, and writes every node's config.
 * Nothing is started here.
 */
export async function prepareCluster(options: UpOptions): Promise<Prepared> {
  const dir = options.clusterDir
  const before = await readState(dir)
  if (before) await assertNotRunning(dir, before)
  else await assertUsableFolder(dir)
  // From here to the supervisor's entry in cluster.json, no other `dev up` may get this folder ready.
  const lock = await takeUpLock(dir)
  try {
    return {...(await prepareLocked(options)), release: lock.release}
  } catch (err) {
    await lock.release()
    throw err
  }
}

async function assertNotRunning(dir: string, existing: ClusterState): Promise<void> {
  if (!(await supervisorAnswers(existing))) return
  throw usageError(`a dev cluster already runs in ${dir} (supervisor pid ${existing.supervisor?.pid})`, 'cluster-running', [
    `see it: medic dev status${dirFlag(dir)}`,
    `stop it first: medic dev down${dirFlag(dir)}`,
    `or start another one beside it: medic dev up --dir ${shellQuote(`${dir}-2`)} --base-port ${suggestBase(existing.basePort)}`,
  ])
}

async function prepareLocked(options: UpOptions): Promise<Omit<Prepared, 'release'>> {
  const dir = options.clusterDir
  const notes: string[] = []
  // Read again under the lock: another `dev up` may have started the cluster since.
  const existing = await readState(dir)
  if (existing) await assertNotRunning(dir, existing)
  if (existing) {
    const reaped = await stopStrayNodes(existing.nodes, 0)
    if (reaped.length > 0) notes.push(`stopped ${reaped.join(', ')}, left running by a supervisor that is gone`)
  }

  const metaCount = options.meta ?? (existing ? metaNodes(existing).length : undefined) ?? DEFAULT_META_NODES
  if (!Number.isInteger(metaCount) || metaCount < 1 || metaCount > MAX_META_NODES) {
    throw usageError(`--meta ${metaCount}: a dev cluster has 1 to ${MAX_META_NODES} meta nodes`, 'bad-meta-count', [`medic dev up --meta 3${dirFlag(dir)} (the recommended size), or --meta 1 for the quickest start`])
  }
  const dataCount = options.data ?? (existing ? dataNodes(existing).length : undefined) ?? DEFAULT_DATA_NODES
  if (!Number.isInteger(dataCount) || dataCount < 0 || dataCount > MAX_DATA_NODES) {
    throw usageError(`--data ${dataCount}: a dev cluster has 0 to ${MAX_DATA_NODES} data nodes`, 'bad-data-count', [`medic dev up --data 2${dirFlag(dir)} (the default), or --data 0 for meta nodes only`])
  }
  const basePort = options.basePort ?? existing?.basePort ?? DEFAULT_BASE_PORT
  checkBasePort(basePort, metaCount, dataCount, (b) => `medic dev up --base-port ${b}${dirFlag(dir)}`)
  const reuse = existing?.joined === true
  if (existing && reuse) {
    // A joined cluster's members are known to each other by their Raft addresses: its size and ports are fixed.
    if (metaCount !== metaNodes(existing).length) {
      throw usageError(`the dev cluster in ${dir} has ${metaNodes(existing).length} meta node${metaNodes(existing).length === 1 ? '' : 's'}; it cannot be restarted with --meta ${metaCount}`, 'cluster-shape-changed', [
        `restart it as it is: medic dev up${dirFlag(dir)}`,
        `or start afresh: medic dev down --purge${dirFlag(dir)}, then medic dev up --meta ${metaCount}${dirFlag(dir)}`,
      ])
    }
    if (dataCount < dataNodes(existing).length) {
      throw usageError(`the dev cluster in ${dir} has ${dataNodes(existing).length} data nodes; --data ${dataCount} would drop some without removing them from the cluster`, 'cluster-shape-changed', [
        `restart it as it is: medic dev up${dirFlag(dir)}`,
        `or start afresh: medic dev down --purge${dirFlag(dir)}, then medic dev up --data ${dataCount}${dirFlag(dir)}`,
      ])
    }
    if (basePort !== existing.basePort) {
      throw usageError(`the dev cluster in ${dir} uses base port ${existing.basePort}; its nodes know each other by those addresses, so it cannot move to --base-port ${basePort}`, 'cluster-shape-changed', [
        `restart it on its ports: medic dev up${dirFlag(dir)}`,
        `or start afresh elsewhere: medic dev up --dir ${shellQuote(`${dir}-2`)} --base-port ${basePort}`,
      ])
    }
  }
  const logFormat = options.logFormat ?? existing?.logFormat ?? 'logfmt'
  const timeScale = options.timeScale ?? 1
  if (!Number.isInteger(timeScale) || timeScale < 1 || timeScale > MAX_TIME_SCALE) {
    throw usageError(`--time-scale ${timeScale}: give a whole number from 1 (real time) to ${MAX_TIME_SCALE}`, 'bad-time-scale', [`medic dev up --time-scale 10${dirFlag(dir)}`])
  }
  let auth: DevAuth | null = existing?.auth ?? null
  if (auth && options.auth !== true && existing) notes.push('auth stays on: this cluster was created with --auth')
  if (!auth && options.auth) {
    auth = {
      sharedSecret: randomBytes(32).toString('base64url'),
      internalSharedSecret: randomBytes(32).toString('base64url'),
      username: 'admin',
      password: randomBytes(15).toString('base64url'),
      userCreated: false,
    }
  }

  const now = nowIso()
  const nodes: DevNode[] = []
  for (let k = 1; k <= metaCount; k++) {
    const name = metaName(k)
    const p = metaPorts(basePort, k)
    const paths = metaNodePaths(dir, name)
    const old = reuse ? existing?.nodes.find((n) => n.name === name) : undefined
    nodes.push({
      name, kind: 'meta', httpAddr: `${HOST}:${p.http}`, raftAddr: `${HOST}:${p.raft}`,
      dir: paths.dir, configPath: paths.configPath, logPath: paths.logPath,
      pid: null, startedAt: null, exit: old?.exit ?? null, paused: false, lastSignal: null,
    })
  }
  for (let k = 1; k <= dataCount; k++) {
    const name = dataName(k)
    const p = dataPorts(basePort, k)
    const paths = dataNodePaths(dir, name)
    const old = existing?.nodes.find((n) => n.name === name)
    nodes.push({
      name, kind: 'data', httpAddr: `${HOST}:${p.http}`, rpcAddr: `${HOST}:${p.rpc}`,
      dir: paths.dir, configPath: paths.configPath, logPath: paths.logPath,
      pid: null, startedAt: null, exit: old?.exit ?? null, paused: false, lastSignal: null,
    })
  }
  const metaKs = nodes.filter((n) => n.kind === 'meta').map((_, i) => i + 1)
  const dataKs = nodes.filter((n) => n.kind === 'data').map((_, i) => i + 1)
  await checkPortsFree([...metaPortUses(basePort, metaKs), ...dataPortUses(basePort, dataKs)], {basePort, dirFlag: dirFlag(dir)})

  if (!reuse && existing) {
    // An earlier start that never finished joining: its Raft state is half-made. Start those nodes from scratch.
    for (const n of existing.nodes) {
      if (n.kind === 'data') await rm(dataNodePaths(dir, n.name).dir, {recursive: true, force: true})
      else await rm(metaNodePaths(dir, n.name).metaDir, {recursive: true, force: true})
    }
    notes.push('the previous start never finished joining the nodes: starting them afresh')
  }
  // A restarted cluster keeps the edits an operator made to its configs (a smaller max-size to rehearse with), unless
  // --reset-configs; only the keys of this start's flags are set in them. Auth turned on rewrites them (its keys).
  const authChanged = (existing?.auth ?? null) === null && auth !== null
  const keepEdits = reuse && options.resetConfigs !== true && !authChanged
  const flagKeys = {logging: {format: tomlString(logFormat)}, 'medic-dev': {'time-scale': String(timeScale)}}
  const kept: string[] = []
  const secrets = auth ? {sharedSecret: auth.sharedSecret, internalSharedSecret: auth.internalSharedSecret} : null
  for (const n of nodes) {
    let rendered: string
    if (n.kind === 'data') {
      const p = dataNodePaths(dir, n.name)
      const ports = dataPorts(basePort, nodeIndex(n.name) as number)
      rendered = renderDataConfig({
        name: n.name, clusterDir: dir, hostname: HOST, metaDir: p.metaDir, dataDir: p.dataDir, walDir: p.walDir, hhDir: p.hhDir,
        httpPort: ports.http, rpcPort: ports.rpc, logFormat, timeScale, auth: secrets,
      })
    } else {
      const p = metaNodePaths(dir, n.name)
      await mkdir(p.metaDir, {recursive: true, mode: 0o700})
      // The stand-in license file every meta config's license-path names (kept when it exists).
      await writeDevLicense(dir)
      const ports = metaPorts(basePort, nodeIndex(n.name) as number)
      rendered = renderMetaConfig({
        name: n.name, clusterDir: dir, hostname: HOST, metaDir: p.metaDir, raftPort: ports.raft, httpPort: ports.http, logFormat, timeScale, auth: secrets,
      })
    }
    const previousHash = existing?.nodes.find((o) => o.name === n.name)?.configHash
    const w = await writeNodeConfig(n.configPath, {rendered, mode: auth ? 0o600 : 0o644, previousHash, keepEdits, flagKeys})
    n.configHash = w.hash
    if (w.kept) kept.push(n.name)
  }
  if (kept.length > 0) {
    notes.push(`kept the edits in the config${kept.length === 1 ? '' : 's'} of ${kept.join(', ')} (log format and time scale set from this start); medic dev up --reset-configs${dirFlag(dir)} writes fresh ones`)
  }
  const state: ClusterState = {
    version: STATE_VERSION, createdAt: existing?.createdAt ?? now, updatedAt: now, dir, basePort, logFormat, timeScale, auth,
    joined: reuse, supervisor: null, nodes,
  }
  await writeState(dir, state)
  // Faults (medic dev fault) end with the cluster that had them: a new start has none.
  await rm(faultTablePath(dir), {force: true})
  return {state, fresh: !reuse, notes}
}

/** A new cluster goes into a folder that does not exist or is empty, never over someone's files. */
async function assertUsableFolder(dir: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR') throw usageError(`${dir} is a file, not a folder`, 'dir-not-a-folder', [`give --dir a new or empty folder, e.g. medic dev up --dir ${shellQuote(`${dir}.cluster`)}`])
    throw inputError(`${dir}: cannot read the folder (${code})`, 'dir-unreadable', [], err)
  }
  const ours = new Set(['supervisor.log', 'cluster.json.lock', FAULT_TABLE_FILE, UP_LOCK_FILE, basename(devLicensePath(dir))])
  const foreign = entries.filter((e) => !ours.has(e))
  if (foreign.length > 0) {
    throw usageError(`${dir} is not empty and holds no dev cluster (no cluster.json); medic will not write its cluster over ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}`, 'dir-not-empty', [
      `give --dir a new or empty folder, e.g. medic dev up --dir ${shellQuote(`${dir}/dev-cluster`)}`,
    ])
  }
}
