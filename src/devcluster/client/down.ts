/**
 * `medic dev down [--purge]`: stops the cluster through its supervisor, stops whatever of it outlived the supervisor,
 * and with --purge deletes what medic created in the folder (never anything else).
 */
import {readdir, rm, rmdir} from 'node:fs/promises'
import {isAbsolute, join, relative} from 'node:path'

import {STATE_FILE, SUPERVISOR_LOG} from '../cluster/paths.js'
import {devLicensePath} from '../cluster/configs/meta.js'
import {UP_LOCK_FILE} from '../cluster/up-lock.js'
import {nodeProcess, pidAlive, pidTarget, stopProcesses, stopStrayNodes, waitGone} from '../cluster/processes.js'
import {type ClusterState, loadState, type NodeExit, readState, updateState} from '../cluster/state.js'
import {control, supervisorAnswers} from './control.js'
import {clearFaults, readFaults} from './fault-control.js'

export interface DownResult {
  dir: string
  /** True when a supervisor was running and was told to stop. */
  wasRunning: boolean
  supervisorPid: number | null
  /** Nodes the supervisor stopped, with how each ended. */
  stopped: Array<{name: string; exit: NodeExit | null}>
  /** Nodes found running without a supervisor, and stopped here. */
  strays: string[]
  purged: boolean
  /** Files medic did not create, left in the folder by --purge. */
  leftBehind: string[]
  /** Faults that were in force (medic dev fault ...), cleared: they end with the cluster. */
  faultsCleared: number
}

/**
 * Stops the cluster in `clusterDir`: asks its supervisor to go down (every node gets SIGTERM, then SIGKILL after
 * `graceMs`), waits for the supervisor to exit, stops any node process that outlived it, and with `purge` deletes
 * what medic created in the folder (never anything else). Fails with cluster-not-found (exit 4) without a state file.
 */
export async function downCluster(clusterDir: string, options: {purge?: boolean; graceMs?: number} = {}): Promise<DownResult> {
  const graceMs = options.graceMs ?? 5_000
  const state = await loadState(clusterDir)
  const result: DownResult = {dir: clusterDir, wasRunning: false, supervisorPid: null, stopped: [], strays: [], purged: false, leftBehind: [], faultsCleared: 0}
  if (state.supervisor && (await supervisorAnswers(state))) {
    const sup = state.supervisor
    result.wasRunning = true
    result.supervisorPid = sup.pid
    const r = await control(state, 'down', {graceMs}, graceMs + 30_000)
    result.stopped = r.stopped
    // It exits once its answer is out; one that hangs is stopped like a node would be.
    const supervisor = pidTarget(sup.pid)
    if (!(await waitGone([supervisor], 10_000))) await stopProcesses([supervisor], {graceMs: 5_000})
  }
  result.strays = await stopStrayNodes(((await readState(clusterDir)) ?? state).nodes, graceMs)
  try {
    await updateState(clusterDir, (s) => {
      if (s.supervisor && !pidAlive(s.supervisor.pid)) s.supervisor = null
      for (const n of s.nodes) {
        if (nodeProcess(n) === 'gone') {
          n.pid = null
          n.paused = false
        }
      }
    })
  } catch {
    // nothing to record
  }
  try {
    result.faultsCleared = (await readFaults(clusterDir)).faults.length
  } catch {
    // a damaged table is cleared all the same
  }
  await clearFaults(clusterDir)
  if (options.purge) {
    const p = await purgeCluster(clusterDir, state)
    result.purged = true
    result.leftBehind = p.leftBehind
  }
  return result
}

/** Deletes what medic created in the cluster folder, then the folder if nothing else is left in it. */
async function purgeCluster(clusterDir: string, state: ClusterState): Promise<{leftBehind: string[]}> {
  const inside = (p: string) => {
    const r = relative(clusterDir, p)
    return r !== '' && !r.startsWith('..') && !isAbsolute(r)
  }
  for (const n of state.nodes) if (inside(n.dir)) await rm(n.dir, {recursive: true, force: true})
  for (const f of [SUPERVISOR_LOG, `${STATE_FILE}.lock`, UP_LOCK_FILE, STATE_FILE]) await rm(join(clusterDir, f), {force: true})
  await rm(devLicensePath(clusterDir), {force: true})
  try {
    // Temporary state files of a write that was interrupted are medic's too.
    for (const f of await readdir(clusterDir)) if (f.startsWith(`${STATE_FILE}.`) && f.endsWith('.tmp')) await rm(join(clusterDir, f), {force: true})
    const left = await readdir(clusterDir)
    if (left.length === 0) await rmdir(clusterDir)
    return {leftBehind: left}
  } catch {
    return {leftBehind: []}
  }
}
