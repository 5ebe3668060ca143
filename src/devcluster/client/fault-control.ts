/**
 * `medic dev fault ...` and `medic dev heal`: edits `<cluster dir>/faults.json` (node/fault-table.ts) under the state
 * lock, then waits until every running node has applied the new generation (each writes it to
 * `<node dir>/faults.applied.json` with its pid; node/faults.ts), so that when a command returns, the fault is in force
 * and a test needs no sleep. A paused node applies the table when it is resumed and a stopped one when it starts;
 * both are named in the result. `dev status` reads the table with readFaults(); `dev down` and the next `dev up` clear
 * it.
 */
import {readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {inputError, usageError} from '../../errors.js'
import {dirFlag, faultTablePath} from '../cluster/paths.js'
import {nodeProcess, pidAlive} from '../cluster/processes.js'
import {type ClusterState, type DevNode, findNode, loadState, withStateLock} from '../cluster/state.js'
import {
  addFault, describeFault, emptyTable, FAULT_ACK_FILE, FAULT_TABLE_VERSION, type Fault, type FaultTable, type HealTarget, healFaults,
  isLinkFault, parseFaultAck, parseFaultTable,
} from '../node/fault-table.js'
import {errnoCode} from '../node/process.js'

/** A fault as the commands print it: the fault and its one-line description. */
export type FaultView = Fault & {text: string}

export interface FaultOutcome {
  dir: string
  /** The generation of the table now in force. */
  generation: number
  /** Nodes running with the new table. */
  appliedBy: string[]
  /** Nodes that will take it later: paused ones when resumed, stopped ones when started. */
  pending: Array<{node: string; state: 'paused' | 'down'}>
  /** Every fault in force now. */
  faults: FaultView[]
}

export interface FaultPutResult extends FaultOutcome {
  action: 'fault'
  fault: FaultView
}

export interface HealResult extends FaultOutcome {
  action: 'heal'
  target: HealTarget
  healed: FaultView[]
}

/** How long the nodes get to apply a new table (they apply it in milliseconds: the watch fires on the rename). */
const ACK_TIMEOUT_MS = 15_000

export const view = (f: Fault): FaultView => ({...f, text: describeFault(f)})

/** The table in force in a cluster folder (empty when there is none). */
export async function readFaults(clusterDir: string): Promise<FaultTable> {
  let text: string
  try {
    text = await readFile(faultTablePath(clusterDir), 'utf8')
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return emptyTable()
    throw inputError(`${faultTablePath(clusterDir)}: cannot read the fault table (${errnoCode(err) ?? String(err)})`, 'faults-unreadable', [])
  }
  const t = parseFaultTable(text)
  if (typeof t === 'string') {
    throw inputError(`${faultTablePath(clusterDir)}: ${t}`, 'faults-invalid', [`clear every fault: medic dev heal --all${dirFlag(clusterDir)}`])
  }
  return t
}

/** Removes the table (dev down: the faults end with the cluster). */
export async function clearFaults(clusterDir: string): Promise<void> {
  await rm(faultTablePath(clusterDir), {force: true})
}

/** Every node's addresses, so that each node can tell whose a host:port is. */
function addressBook(state: ClusterState): Record<string, string[]> {
  return Object.fromEntries(state.nodes.map((n) => [n.name, n.kind === 'meta' ? [n.httpAddr, n.raftAddr] : [n.httpAddr, n.rpcAddr]]))
}

function requireRunning(state: ClusterState): void {
  if (state.supervisor && pidAlive(state.supervisor.pid) && state.nodes.some((n) => nodeProcess(n) !== 'gone')) return
  throw inputError(`the dev cluster in ${state.dir} is not running: faults act on running nodes`, 'supervisor-not-running', [
    `start it: medic dev up${dirFlag(state.dir)}`,
  ])
}

/** Checks the node names of a fault (unknown names and A == B are usage errors) against the cluster. */
export function checkFaultNodes(state: ClusterState, fault: Fault): void {
  if ('node' in fault) {
    findNode(state, fault.node)
    return
  }
  findNode(state, fault.a)
  findNode(state, fault.b)
  if (fault.a === fault.b) {
    throw usageError(`${fault.kind} needs two different nodes, not ${fault.a} twice`, 'same-node', [
      `for example: medic dev fault ${fault.kind} ${fault.a} ${state.nodes.find((n) => n.name !== fault.a)?.name ?? 'OTHER-NODE'}${dirFlag(state.dir)}`,
    ])
  }
}

/** Puts a fault in force (replacing one of its kind on the same link or node) and waits until the nodes apply it. */
export async function putFault(clusterDir: string, given: Fault): Promise<FaultPutResult> {
  const fault: Fault = isLinkFault(given) ? {...given, oneWay: given.oneWay === true} : given
  const state = await loadState(clusterDir)
  checkFaultNodes(state, fault)
  requireRunning(state)
  const table = await edit(state, (t) => addFault(t, fault))
  const outcome = await waitApplied(state, table)
  return {action: 'fault', fault: view(fault), ...outcome}
}

/** Removes the faults a heal names (a link, everything of a node, or all) and waits until the nodes apply it. */
export async function heal(clusterDir: string, target: HealTarget): Promise<HealResult> {
  const state = await loadState(clusterDir)
  if (target.kind === 'node') findNode(state, target.node)
  if (target.kind === 'link') {
    findNode(state, target.a)
    findNode(state, target.b)
    if (target.a === target.b) throw usageError(`heal takes two different nodes (a link), one node, or --all; not ${target.a} twice`, 'same-node', [`medic dev heal ${target.a}${dirFlag(clusterDir)}`])
  }
  let healed: Fault[] = []
  const running = state.supervisor !== null && pidAlive(state.supervisor.pid)
  const before = await readFaults(clusterDir)
  if (healFaults(before.faults, target).healed.length === 0) {
    // Nothing to undo: no edit, no wait.
    return {action: 'heal', target, healed: [], dir: clusterDir, generation: before.generation, appliedBy: [], pending: [], faults: before.faults.map(view)}
  }
  const table = await edit(state, (t) => {
    const r = healFaults(t.faults, target)
    healed = r.healed
    return r.kept
  })
  const outcome = running ? await waitApplied(state, table) : {dir: clusterDir, generation: table.generation, appliedBy: [], pending: [], faults: table.faults.map(view)}
  return {action: 'heal', target, healed: healed.map(view), ...outcome}
}

/** Read, change and write faults.json under the state lock; the generation grows by one. */
async function edit(state: ClusterState, change: (t: FaultTable) => Fault[]): Promise<FaultTable> {
  const dir = state.dir
  return withStateLock(dir, async () => {
    const current = await readFaults(dir)
    const next: FaultTable = {
      version: FAULT_TABLE_VERSION,
      generation: current.generation + 1,
      updatedAt: new Date().toISOString(),
      nodes: addressBook(state),
      faults: change(current),
    }
    const path = faultTablePath(dir)
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, JSON.stringify(next, null, 2) + '\n', {mode: 0o644})
    // One rename: a node never reads half a table, and its watch fires once.
    await rename(tmp, path)
    return next
  })
}

async function ackOf(node: DevNode): Promise<{generation: number; pid: number} | undefined> {
  try {
    return parseFaultAck(await readFile(join(node.dir, FAULT_ACK_FILE), 'utf8'))
  } catch {
    return undefined
  }
}

/** Waits until every running node acknowledged `table.generation` (polling its ack file every 10 ms). */
async function waitApplied(state: ClusterState, table: FaultTable, timeoutMs = ACK_TIMEOUT_MS): Promise<FaultOutcome> {
  const appliedBy: string[] = []
  const pending: FaultOutcome['pending'] = []
  const waiting: DevNode[] = []
  for (const n of state.nodes) {
    const p = nodeProcess(n)
    if (p === 'gone') pending.push({node: n.name, state: 'down'})
    else if (p === 'paused') pending.push({node: n.name, state: 'paused'})
    else waiting.push(n)
  }
  const deadline = performance.now() + timeoutMs
  while (waiting.length > 0) {
    for (const n of [...waiting]) {
      const ack = await ackOf(n)
      const p = nodeProcess(n)
      if ((ack && ack.pid === n.pid && ack.generation === table.generation) || p !== 'running') {
        waiting.splice(waiting.indexOf(n), 1)
        if (p === 'running') appliedBy.push(n.name)
        else pending.push({node: n.name, state: p === 'paused' ? 'paused' : 'down'})
      }
    }
    if (waiting.length === 0) break
    if (performance.now() > deadline) {
      const names = waiting.map((n) => `${n.name} (pid ${n.pid})`).join(', ')
      throw inputError(`the fault table (generation ${table.generation}) is written, but ${names} did not apply it within ${timeoutMs / 1000} s`, 'faults-not-applied', [
        ...waiting.map((n) => `its log: medic dev logs ${n.name}${dirFlag(state.dir)}`),
        `medic dev status${dirFlag(state.dir)}`,
      ])
    }
    await new Promise((r) => setTimeout(r, 10))
  }
  const order = new Map(state.nodes.map((n, i) => [n.name, i]))
  appliedBy.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
  pending.sort((a, b) => (order.get(a.node) ?? 0) - (order.get(b.node) ?? 0))
  return {dir: state.dir, generation: table.generation, appliedBy, pending, faults: table.faults.map(view)}
}
