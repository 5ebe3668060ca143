/**
 * The faults an operator rehearses, sent straight to a node's recorded pid the way they would hit a server (no
 * supervisor involved): `medic dev kill` (SIGKILL, a crash), `pause` (SIGSTOP, a hung process) and `resume` (SIGCONT).
 * Each is recorded in cluster.json and waited for until the process shows it.
 */
import {nodeProcess, signalNode} from '../cluster/processes.js'
import {findNode, loadState, nowIso, updateState} from '../cluster/state.js'

export type SignalAction = 'kill' | 'pause' | 'resume'

const ACTION_SIGNAL: Record<SignalAction, NodeJS.Signals> = {kill: 'SIGKILL', pause: 'SIGSTOP', resume: 'SIGCONT'}

export interface SignalResult {
  node: string
  action: SignalAction
  signal: NodeJS.Signals
  pid: number | null
  /** False when there was nothing to do (already down, already paused, not paused). */
  changed: boolean
  /** The node's condition afterwards. */
  state: 'down' | 'paused' | 'up'
}

/**
 * Signals a node's process directly, the way an operator's fault would hit it (SIGKILL, SIGSTOP, SIGCONT), records
 * it in cluster.json, and waits until the process shows the effect (gone, or paused, or running).
 */
export async function signalDevNode(clusterDir: string, name: string, action: SignalAction): Promise<SignalResult> {
  const state = await loadState(clusterDir)
  const node = findNode(state, name)
  const signal = ACTION_SIGNAL[action]
  const before = nodeProcess(node)
  const base = {node: name, action, signal, pid: node.pid}
  if (before === 'gone') return {...base, pid: null, changed: false, state: 'down'}
  if ((action === 'pause' && before === 'paused') || (action === 'resume' && before === 'running')) {
    return {...base, changed: false, state: before === 'paused' ? 'paused' : 'up'}
  }
  if (!signalNode(node, signal)) return {...base, pid: null, changed: false, state: 'down'}
  const want = action === 'kill' ? 'gone' : action === 'pause' ? 'paused' : 'running'
  const deadline = Date.now() + 5_000
  while (nodeProcess(node) !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  await updateState(clusterDir, (s) => {
    const n = s.nodes.find((x) => x.name === name)
    if (!n) return
    n.lastSignal = {signal, at: nowIso()}
    if (action !== 'kill') n.paused = action === 'pause'
  })
  const after = nodeProcess(node)
  return {...base, changed: true, state: after === 'gone' ? 'down' : after === 'paused' ? 'paused' : 'up'}
}
