/**
 * A scenario's scratch cluster: a folder of its own (a temp folder, or `<--dir>/<scenario>`), a base port whose whole
 * port plan is free (or --base-port), prepared as `medic dev up` prepares one (supervisor/prepare.ts), the scenario's
 * config overrides written into the nodes' files, then started by a detached supervisor (client/detach.ts) so that
 * `--keep` can leave it running after the command exits and `medic dev down` stops it. Also: lone meta nodes that
 * are not part of the cluster (an un-joined node, a misconfigured one), started with a lifeline to this process.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'
import {mkdtemp, readdir, rm} from 'node:fs/promises'
import type {Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {MedicError, usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {startDetachedSupervisor} from '../client/detach.js'
import {downCluster} from '../client/down.js'
import {writeMetaConfig} from '../cluster/configs/meta.js'
import {metaName} from '../cluster/names.js'
import {metaNodeEntry, metaNodePaths} from '../cluster/paths.js'
import {releaseBasePort, reserveBasePort} from '../cluster/port-reservation.js'
import {dataPorts, HOST, metaPorts, probePort} from '../cluster/ports.js'
import {dataNodes, loadState, metaNodes, readState} from '../cluster/state.js'
import {prepareCluster} from '../supervisor/prepare.js'
import type {UpResult} from '../supervisor/protocol.js'
import {overrideConfigFile} from './overrides.js'
import type {ClusterSpec, ConfigOverrides} from './types.js'

export interface PlaceOptions {
  /** The operator's folder for this scenario's cluster (it must not hold a cluster yet). */
  dir?: string
  basePort?: number
}

export interface ScratchCluster {
  dir: string
  /** The temp folder made for it (removed when the run does not keep the folder); undefined for --dir. */
  tempRoot?: string
  basePort: number
  up: UpResult
}

/** A base port whose port plan for `spec` (and its extra meta slots) is free now, below the ephemeral range. */
export async function pickBasePort(name: string, spec: ClusterSpec, random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 60; attempt++) {
    // Every port of a plan (up to base + 1988) stays below Linux's ephemeral range (32768+), where outgoing
    // connections and port-0 listeners take ports at random: bases 20000 to 30600.
    const base = 20_000 + Math.floor(random() * 107) * 100
    // Reserved first (among medic processes: cluster/port-reservation.ts), then probed: a reserved base whose ports
    // turn out taken stays reserved by this process, so it is not tried again.
    if (!reserveBasePort(base)) continue
    const free = await Promise.all(planPorts(spec, base).map((p) => probePort(p)))
    if (free.every((code) => code === undefined)) return base
  }
  throw new MedicError(`no free base port found between 20000 and 30600 for the cluster of ${name}`, {code: 'no-free-ports', exitCode: 4, suggestions: [`medic dev scenario run ${name} --base-port 28000`]})
}

function planPorts(spec: ClusterSpec, base: number): number[] {
  const metas = spec.meta + (spec.extraMetaSlots ?? 0)
  return [
    ...Array.from({length: metas}, (_, i) => metaPorts(base, i + 1)).flatMap((p) => [p.http, p.raft]),
    ...Array.from({length: spec.data}, (_, i) => dataPorts(base, i + 1)).flatMap((p) => [p.http, p.rpc]),
  ]
}

/** A folder for a new cluster: the given one must hold no cluster (a scenario never reuses one). */
async function clusterFolder(name: string, o: PlaceOptions): Promise<{dir: string; tempRoot?: string}> {
  if (o.dir === undefined) {
    // The new empty folder itself: `medic dev down --purge` then removes all of it.
    const tempRoot = await mkdtemp(join(tmpdir(), `medic-scenario-${name}-`))
    return {dir: tempRoot, tempRoot}
  }
  if (await readState(o.dir)) {
    throw usageError(`${o.dir} already holds a dev cluster; a scenario builds its own`, 'scenario-dir-in-use', [
      `remove it first: medic dev down --purge --dir ${shellQuote(o.dir)}`,
      'or give another folder with --dir (or none: a temp folder is used)',
    ])
  }
  let entries: string[] = []
  try {
    entries = await readdir(o.dir)
  } catch {
    // does not exist yet: fine
  }
  if (entries.length > 0) {
    throw usageError(`${o.dir} is not empty; a scenario's cluster goes into a new or empty folder`, 'scenario-dir-in-use', [
      `give another folder, e.g. --dir ${shellQuote(`${o.dir}-scenario`)}`,
    ])
  }
  return {dir: o.dir}
}

/** A generous deadline: on a loaded 2-core machine a cluster may take far longer than its usual seconds. */
const START_TIMEOUT_MS = 120_000

const isPortClash = (err: unknown) => err instanceof Error && /already in use|EADDRINUSE|port-in-use/.test(`${(err as MedicError).code ?? ''} ${err.message}`)

/**
 * Prepares and starts the scenario's cluster, retrying on another free base port when a port was taken in the
 * meantime (by anything else on the machine). `onFolder` learns the folder before anything starts. A start that
 * fails for good leaves the stopped cluster's folder for its logs and throws (the caller's "could not run").
 */
export async function startScratchCluster(
  name: string, spec: ClusterSpec, o: PlaceOptions & {onProgress?: (m: string) => void; onFolder?: (dir: string, tempRoot?: string) => void},
): Promise<ScratchCluster> {
  const {dir, tempRoot} = await clusterFolder(name, o)
  o.onFolder?.(dir, tempRoot)
  for (let attempt = 1; ; attempt++) {
    const basePort = o.basePort ?? await pickBasePort(name, spec)
    let release: (() => Promise<void>) | undefined
    try {
      release = (await prepareCluster({clusterDir: dir, meta: spec.meta, data: spec.data, basePort, logFormat: spec.logFormat ?? 'logfmt', timeScale: spec.timeScale})).release
      const state = await loadState(dir)
      for (const n of dataNodes(state)) await overrideConfigFile(n.configPath, spec.dataConfig ?? {})
      for (const n of metaNodes(state)) await overrideConfigFile(n.configPath, spec.metaConfig ?? {})
      const up = await startDetachedSupervisor({clusterDir: dir, graceMs: 2_000, timeoutMs: START_TIMEOUT_MS, onProgress: o.onProgress})
      await release()
      return {dir, tempRoot, basePort, up}
    } catch (err) {
      await release?.()
      const retry = attempt < 3 && o.basePort === undefined && isPortClash(err)
      if (o.basePort === undefined) releaseBasePort(basePort)
      // Whatever was started is stopped; the folder is cleared only for another try (else its logs tell why).
      await downCluster(dir, {purge: retry, graceMs: 1_000}).catch(() => undefined)
      if (retry) continue
      throw err
    }
  }
}

/** Stops the cluster (unless kept); removes its folder when asked (the temp root, or only medic's files under --dir). */
export async function stopScratchCluster(c: ScratchCluster, o: {removeFolder: boolean}): Promise<void> {
  await downCluster(c.dir, {purge: o.removeFolder, graceMs: 1_000}).catch(() => undefined)
  releaseBasePort(c.basePort)
  if (o.removeFolder && c.tempRoot !== undefined) await rm(c.tempRoot, {recursive: true, force: true})
}

/** A meta node started by the scenario itself, outside the cluster's supervisor. */
export interface LoneMetaNode {
  name: string
  /** The address the node is asked at (the join command's argument): host:port of its API as configured. */
  httpAddr: string
  raftAddr: string
  configPath: string
  logPath: string
  dir: string
  proc: ChildProcess
  /** Resolves when the process has ended. */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  stop(): Promise<void>
}

/**
 * Starts meta-k (k = the slot, beyond the cluster's own meta nodes) with a config written as `dev up` writes one and
 * then `overrides` applied. Its stdout and stderr go to its log; fd 3 is its lifeline to this process, so it never
 * outlives the scenario. It is not added to the cluster: that is the scenario's business.
 */
export async function startLoneMeta(c: ScratchCluster, slot: number, overrides: ConfigOverrides = {}): Promise<LoneMetaNode> {
  const name = metaName(slot)
  const paths = metaNodePaths(c.dir, name)
  const ports = metaPorts(c.basePort, slot)
  await writeMetaConfig(paths.configPath, {name, clusterDir: c.dir, hostname: HOST, metaDir: paths.metaDir, raftPort: ports.raft, httpPort: ports.http, logFormat: c.up.logFormat})
  await overrideConfigFile(paths.configPath, overrides)
  const entry = metaNodeEntry()
  const logFd = openSync(paths.logPath, 'a', 0o644)
  let proc: ChildProcess
  try {
    proc = spawn(entry.command, [...entry.args, '-config', paths.configPath], {stdio: ['ignore', logFd, logFd, 'pipe'], detached: true, cwd: paths.dir, env: {...process.env, MEDIC_DEV_NODE: name}})
  } finally {
    closeSync(logFd)
  }
  const lifeline = proc.stdio[3] as Socket | null
  lifeline?.on('error', () => {})
  lifeline?.resume()
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
    proc.once('exit', (code, signal) => {
      lifeline?.destroy()
      resolve({code, signal})
    })
    proc.once('error', () => resolve({code: null, signal: null}))
  })
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const t = setTimeout(() => proc.kill('SIGKILL'), 3_000)
    await exited
    clearTimeout(t)
  }
  return {name, httpAddr: `${HOST}:${ports.http}`, raftAddr: `${HOST}:${ports.raft}`, configPath: paths.configPath, logPath: paths.logPath, dir: paths.dir, proc, exited, stop}
}
