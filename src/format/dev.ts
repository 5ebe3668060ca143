/**
 * Human output of the `medic dev` commands: the start-up banner (every node's addresses, config and log, the
 * credentials when auth is on, and what to try next), the status table, and the one-line results of down, stop,
 * start, kill, pause and resume, and a node that failed to start with its last log lines. No secrets other than the
 * admin password the banner is meant to show. Every suggested command keeps the cluster's --dir.
 */
import chalk from 'chalk'

import type {DownResult} from '../devcluster/client/down.js'
import type {FaultOutcome, FaultPutResult, FaultView, HealResult} from '../devcluster/client/fault-control.js'
import type {SignalResult} from '../devcluster/client/faults.js'
import type {VerifyResult} from '../devcluster/client/verify.js'
import type {ClusterStatus, NodeStatus} from '../devcluster/client/status.js'
import {dirFlag} from '../devcluster/cluster/paths.js'
import type {DevNode, NodeExit} from '../devcluster/cluster/state.js'
import type {NodeFailedError, UpResult} from '../devcluster/supervisor/protocol.js'
import {formatShortDurationMs} from '../util/duration.js'
import {outcomeHeadline} from '../util/outcome.js'
import {formatBytes} from '../config/values.js'
import {escapeControl, shellQuote} from '../util/text.js'
import {plainTable} from './status.js'
import {bold, dim} from './text.js'

/** "exit code 0", "killed by SIGKILL"; with `why`, ", stopped by medic" when medic asked for it. */
export function exitText(exit: NodeExit | null | undefined, why = true): string {
  if (!exit) return ''
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`
  return why && exit.requested ? `${how}, stopped by medic` : how
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`

export function renderUpBanner(r: UpResult, options: {foreground: boolean}): string {
  const d = dirFlag(r.dir)
  const metas = r.nodes.filter((x) => x.kind === 'meta').length
  const datas = r.nodes.filter((x) => x.kind === 'data')
  const first = r.nodes.find((x) => x.kind === 'meta') ?? r.nodes[0]
  const out: string[] = []
  const counts = `${metas} meta node${metas === 1 ? '' : 's'}${datas.length > 0 ? ` and ${datas.length} data node${datas.length === 1 ? '' : 's'}` : ''}`
  out.push(bold(`Dev cluster ready: ${counts}, leader ${r.leader.name} (${r.leader.raftAddr}), in ${seconds(r.elapsedMs)}`)
    + dim(r.fresh ? ' (new: joined with add-meta)' : ' (restarted: already joined)'))
  out.push(`Folder   ${r.dir}`)
  out.push(dim(`         state ${r.statePath}, supervisor log ${r.supervisor.log}`))
  if ((r.timeScale ?? 1) > 1) {
    out.push(`Time     ${r.timeScale}x faster: lease-duration, hinted-handoff max-age, purge-interval and retry back-off, store-interval`
      + ` and run-interval (configs and logs keep the real values)`)
  }
  out.push('')
  const width = Math.max(...r.nodes.map((x) => x.name.length))
  for (const node of r.nodes) {
    const role = node.kind === 'data' ? 'data    ' : node.name === r.leader.name ? chalk.green('leader  ') : 'follower'
    const second = node.kind === 'meta' ? `raft ${node.raftAddr}` : `rpc ${node.rpcAddr}`
    out.push(`${node.name.padEnd(width)}  ${role}  http ${node.httpAddr}  ${second}  pid ${node.pid ?? '-'}`)
    out.push(dim(`${' '.repeat(width)}  config ${node.configPath}`))
    out.push(dim(`${' '.repeat(width)}  log    ${node.logPath}`))
  }
  if (r.auth) {
    const {username, password} = r.auth
    out.push('', bold('Auth is on.') + ` User ${username}, password ${password}`)
    out.push(`  pass them as: --username ${username} --password ${shellQuote(password)}`)
    out.push(`  or:           export MEDIC_USERNAME=${username} MEDIC_PASSWORD=${shellQuote(password)}`)
  }
  const auth = r.auth ? ` --username ${r.auth.username} --password ${shellQuote(r.auth.password)}` : ''
  const leader = r.nodes.find((x) => x.name === r.leader.name) ?? first
  const follower = r.nodes.find((x) => x.kind === 'meta' && x.name !== r.leader.name)
  const rows: Array<[string, string]> = [
    [`medic status ${first.httpAddr}${auth}`, 'the cluster as medic sees a real one'],
    [`medic ctl show -m ${first.httpAddr}${auth}`, "influxd-ctl show's view of it"],
    [`medic dev status${d}`, 'processes, roles, leader'],
    ...(datas.length > 0 ? [
      [`medic dev write --url http://${datas[0].httpAddr} --points 100000${auth}`, `write test points to ${datas[0].name} (database medic)`] as [string, string],
      [`curl -sG http://${datas[0].httpAddr}/query${r.auth ? ` -u ${r.auth.username}:${shellQuote(r.auth.password)}` : ''} --data-urlencode 'q=SHOW DATABASES'`, 'any InfluxDB 1.x client talks to the data nodes'] as [string, string],
    ] : []),
    [`medic dev kill ${leader.name}${d}`, 'kill the leader, then watch the election in dev status'],
    ...(follower ? [[`medic dev pause ${follower.name}${d}`, `freeze a follower (then: medic dev resume ${follower.name}${d})`] as [string, string]] : []),
    [`medic dev logs ${leader.name} -f${d}`, "follow a node's log"],
    [`medic logs summarize ${shellQuote(r.dir)}/*/influxdb*.log`, 'what the logs say, in one report'],
    [`medic dev down${d}`, `stop every node${options.foreground ? ' (or Ctrl-C here)' : ''}; --purge also deletes the folder`],
  ]
  out.push('', bold('Try next'))
  const w = Math.min(64, Math.max(...rows.map(([c]) => c.length)))
  for (const [cmd, why] of rows) out.push(`  ${cmd.padEnd(w)}  ${dim(why)}`)
  return out.join('\n')
}

function roleLabel(n: NodeStatus): string {
  switch (n.role) {
    case 'leader': return chalk.green(n.role)
    case 'follower': return n.role
    case 'data': return n.role
    case 'down': return chalk.bold.red(n.role)
    default: return chalk.yellow(n.role)
  }
}

/** A data node's id, shards and stored values, for the NOTES column. */
function dataNotes(n: NodeStatus): string {
  if (n.kind !== 'data' || n.state !== 'up') return ''
  if (n.nodeId === null || n.nodeId === undefined) return n.shards === null || n.shards === undefined ? 'cluster RPC not answering' : 'not added to the cluster yet'
  const queued = Object.entries(n.hintedHandoff ?? {}).filter(([, b]) => b > 0).map(([node, b]) => `${formatBytes(b)} for node ${node}`)
  return `id ${n.nodeId}, ${n.shards ?? 0} shard${n.shards === 1 ? '' : 's'}, ${(n.points ?? 0).toLocaleString('en-US')} values${queued.length > 0 ? `; hinted handoff ${queued.join(', ')}` : ''}`
}

export async function renderDevStatus(s: ClusterStatus): Promise<string> {
  const rows = s.nodes.map((n) => [
    n.name,
    roleLabel(n),
    n.state,
    n.pid === null ? '-' : String(n.pid),
    n.httpAddr,
    n.raftAddr ?? (n.rpcAddr === null ? '-' : `rpc ${n.rpcAddr}`),
    n.leader ?? '-',
    n.joined === null || n.joined === undefined ? '-' : n.joined ? 'yes' : 'no',
    n.state === 'down' ? exitText(n.exit) || 'not running' : escapeControl(n.error ?? dataNotes(n)),
  ])
  const out = [await plainTable(['NODE', 'ROLE', 'STATE', 'PID', 'HTTP', 'RAFT', 'LEADER', 'JOINED', 'NOTES'], rows)]
  const sup = s.supervisor
  const supText = sup?.running ? `supervisor pid ${sup.pid} (${sup.mode}, control ${sup.address})` : 'no supervisor running'
  const leader = s.leader ? `leader ${s.leader.name}` : chalk.yellow('no agreed leader')
  out.push('', `Cluster: ${s.summary.up} of ${s.summary.nodes} node${s.summary.nodes === 1 ? '' : 's'} up${s.summary.paused ? `, ${s.summary.paused} paused` : ''}; ${leader}; ${supText}`)
  out.push(dim(`Folder ${s.dir}; base port ${s.basePort}; log format ${s.logFormat}; auth ${s.auth.enabled ? `on (user ${s.auth.username})` : 'off'}${(s.timeScale ?? 1) > 1 ? `; time scale ${s.timeScale}x` : ''}`))
  if (s.faultsError !== undefined) out.push(chalk.yellow(`Faults: ${escapeControl(s.faultsError)}`))
  else if ((s.faults ?? []).length > 0) out.push(...renderFaultList(s.faults ?? [], s.dir))
  const d = dirFlag(s.dir)
  if (!sup?.running && s.summary.up === 0) out.push(`Not running: start it with medic dev up${d}`)
  else {
    for (const n of s.nodes.filter((x) => x.state === 'down')) out.push(dim(`  ${n.name} is down: medic dev start ${n.name}${d}`))
    for (const n of s.nodes.filter((x) => x.state === 'paused')) out.push(dim(`  ${n.name} is paused: medic dev resume ${n.name}${d}`))
  }
  return out.join('\n')
}

export function renderDown(r: DownResult): string {
  const out: string[] = []
  if (r.wasRunning) {
    const names = r.stopped.map((s) => `${s.name} (${exitText(s.exit, false) || 'stopped'})`)
    out.push(`Stopped the dev cluster in ${r.dir}: ${names.length > 0 ? names.join(', ') : 'no node was running'}; supervisor pid ${r.supervisorPid} exited.`)
  } else {
    out.push(`The dev cluster in ${r.dir} was not running.`)
  }
  if (r.strays.length > 0) out.push(`Also stopped ${r.strays.join(', ')}, which ran without a supervisor.`)
  if (r.faultsCleared > 0) out.push(`Cleared ${r.faultsCleared} fault${r.faultsCleared === 1 ? '' : 's'} (medic dev fault): the next start has none.`)
  if (r.purged) {
    out.push(r.leftBehind.length === 0
      ? `Removed ${r.dir} and everything in it.`
      : `Removed the cluster's files; kept ${r.dir} because it also holds ${r.leftBehind.join(', ')}.`)
  }
  return out.join('\n')
}

export function renderStop(name: string, r: {exit: NodeExit | null; alreadyStopped: boolean}): string {
  return r.alreadyStopped ? `${name} was not running${r.exit ? ` (last exit: ${exitText(r.exit)})` : ''}.` : `${name} stopped: ${exitText(r.exit, false)}.`
}

export function renderStart(r: {node: DevNode; alreadyRunning: boolean}): string {
  return r.alreadyRunning
    ? `${r.node.name} is already running (pid ${r.node.pid}).`
    : `${r.node.name} started: pid ${r.node.pid}, answers on http://${r.node.httpAddr}/ping; log ${r.node.logPath}`
}

export function renderSignal(r: SignalResult, dir: string): string {
  const d = dirFlag(dir)
  if (!r.changed) {
    if (r.state === 'down') return `${r.node} is not running: nothing to ${r.action} (medic dev start ${r.node}${d} starts it).`
    return r.state === 'paused' ? `${r.node} is already paused.` : `${r.node} is not paused.`
  }
  switch (r.action) {
    case 'kill': return `${r.node} killed (SIGKILL to pid ${r.pid}). It stays down, as a crashed node would: medic dev start ${r.node}${d} brings it back.`
    case 'pause': return `${r.node} paused (SIGSTOP to pid ${r.pid}): it holds its ports but answers nothing, like a hung node. medic dev resume ${r.node}${d} continues it.`
    default: return `${r.node} resumed (SIGCONT to pid ${r.pid}).`
  }
}

/** A node that died while starting: the error, its last log lines (each escaped: they are the node's output), what to try. */
export function renderNodeFailure(err: NodeFailedError): string {
  const lines = [`Error: ${escapeControl(err.message)}`, ...err.log.lines.map((l) => `    ${escapeControl(l)}`)]
  if (err.suggestions.length > 0) lines.push('Try this:', ...err.suggestions.map((x) => `  * ${escapeControl(x)}`))
  return lines.join('\n')
}

/** The first line of each `dev status --watch` frame on a terminal. */
export function renderWatchHeader(dir: string, intervalMs: number, at: Date): string {
  return dim(`medic dev status${dirFlag(dir)} --watch ${formatShortDurationMs(intervalMs)}: ${at.toISOString().slice(11, 19)} UTC, Ctrl-C to stop`)
}

/** One line per change when the output is not a terminal: the time, the leader, then every node's role. */
export function renderWatchLine(s: ClusterStatus, at: Date): string {
  const leader = s.leader ? `leader ${s.leader.name}` : 'no agreed leader'
  const nodes = s.nodes.map((n) => `${n.name} ${n.role}${n.role === 'follower' && n.leader !== s.leader?.name ? ` (sees ${escapeControl(n.leader ?? 'none')})` : ''}`)
  const faults = (s.faults ?? []).length > 0 ? `; faults: ${(s.faults ?? []).map((f) => escapeControl(f.text)).join('; ')}` : ''
  return `${at.toISOString()}  ${leader}; ${nodes.join(', ')}${faults}`
}

/** `medic dev verify`: one line per shard that is not simply equal, the totals, the findings and the next steps. */
export function renderVerify(r: VerifyResult): string {
  const out: string[] = []
  const s = r.summary
  out.push(bold(`Shards compared across their owners${r.database === null ? '' : ` (database ${escapeControl(r.database)})`}: ${s.shards}`)
    + `  equal ${s.equal}, one owner ${s.single}, differ ${s.differs}, not compared ${s.unchecked}`)
  for (const sh of r.shards) {
    if (sh.status === 'equal' || sh.status === 'single') continue
    const where = `shard ${sh.id} ${escapeControl(sh.database)}.${escapeControl(sh.retentionPolicy)}`
    const owners = sh.owners.map((o) => `${escapeControl(o.name)} ${o.error !== undefined ? `(not asked: ${escapeControl(o.error)})` : `${o.values} values`}`).join(', ')
    out.push(`  ${sh.status === 'differs' ? chalk.yellow('DIFFERS') : chalk.yellow('UNCHECKED')}  ${where}: ${owners}`)
    for (const d of sh.differences) {
      out.push(dim(`           ${escapeControl(d.series)}: ${Object.entries(d.values).map(([id, n]) => `node ${id} ${n}`).join(', ')}`))
    }
    if (sh.differingSeries > sh.differences.length) out.push(dim(`           ... ${sh.differingSeries - sh.differences.length} more series`))
  }
  for (const f of r.findings) if (f.severity === 'info') out.push(dim(`  ${escapeControl(f.message)}`))
  out.push('', `Verdict: ${outcomeHeadline(r.outcome)}`)
  for (const sug of r.suggestions) out.push(`  ${sug}`)
  return out.join('\n')
}

/** Who applied a fault table change, and who will later. */
function appliedText(r: FaultOutcome): string[] {
  const d = dirFlag(r.dir)
  const out: string[] = []
  if (r.appliedBy.length > 0) out.push(dim(`  applied by ${r.appliedBy.join(', ')} (fault table generation ${r.generation})`))
  for (const p of r.pending) {
    out.push(p.state === 'paused'
      ? dim(`  ${p.node} is paused: it applies the change when resumed (medic dev resume ${p.node}${d})`)
      : dim(`  ${p.node} is not running: it applies the change when started (medic dev start ${p.node}${d})`))
  }
  return out
}

/** The faults in force, one line each (dev status, and after each fault command). */
export function renderFaultList(faults: readonly FaultView[], dir: string): string[] {
  if (faults.length === 0) return ['Faults in force: none']
  return [`Faults in force (undo with medic dev heal${dirFlag(dir)}):`, ...faults.map((f) => `  ${escapeControl(f.text)}`)]
}

export function renderFaultResult(r: FaultPutResult): string {
  const d = dirFlag(r.dir)
  const undo = 'node' in r.fault ? `medic dev heal ${r.fault.node}${d}` : `medic dev heal ${r.fault.a} ${r.fault.b}${d}`
  return [`${bold(escapeControl(r.fault.text))}: in force. Undo: ${undo}`, ...appliedText(r), ...renderFaultList(r.faults, r.dir)].join('\n')
}

export function renderHealResult(r: HealResult): string {
  const what = r.target.kind === 'all' ? 'every fault' : r.target.kind === 'node' ? `the faults of ${r.target.node}` : `the link ${r.target.a} <-> ${r.target.b}`
  if (r.healed.length === 0) return [`Nothing to heal: no fault in force on ${what === 'every fault' ? 'this cluster' : what.replace(/^the faults of /, '')}.`, ...renderFaultList(r.faults, r.dir)].join('\n')
  return [`Healed ${what}: ${r.healed.map((f) => escapeControl(f.text)).join('; ')}`, ...appliedText(r), ...renderFaultList(r.faults, r.dir)].join('\n')
}
