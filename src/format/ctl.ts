/**
 * `medic ctl show`: /show-cluster in the layout `influxd-ctl show` prints in the cluster's era (enterprise-1x.md §3.3):
 *   1.0        Data Nodes: ID, TCP Address; Meta Nodes: TCP Address
 *   1.1-1.9.1  Data Nodes: ID, TCP Address, Version; Meta Nodes: TCP Address, Version
 *   1.9.2+     both tables: ID, TCP Address, Version, Labels (labels as JSON, {} when none)
 *   1.10+      Data Nodes: ID, TCP Address, HTTP Address, Version, Labels, Passive;
 *              Meta Nodes: ID, Raft Address, HTTP Address, Version, Labels; then Raft Status (Leader, Peers)
 * Until 1.10 the meta "TCP Address" column shows the HTTP address (8091), as influxd-ctl does; a node that has not
 * announced itself has a blank Version. Every value from the node is escaped (escapeControl): one cell, one line.
 * Findings about what was shown (malformed addresses, duplicate ids) follow the tables.
 */
import chalk from 'chalk'

import type {CtlShow} from '../probe/ctl.js'
import {escapeControl as esc} from '../util/text.js'
import {plainTable} from './status.js'

const UNDERLINE = '=========='

/** Labels as influxd-ctl prints them: JSON, {} when there are none; at most 200 characters of whatever came. */
const labels = (l: unknown) => {
  const text = l === undefined || l === null ? '{}' : JSON.stringify(l) ?? '{}'
  return esc(text.length > 200 ? `${text.slice(0, 200)}...` : text)
}
const version = (v: string | undefined) => esc(v ?? '')

export async function renderCtlShow(show: CtlShow): Promise<string> {
  const out: string[] = ['Data Nodes', UNDERLINE]
  const L = show.layout
  switch (L) {
    case '1.0':
      out.push(await plainTable(['ID', 'TCP Address'], show.data.map((d) => [String(d.id), esc(d.tcpAddr)])))
      break
    case '1.1':
      out.push(await plainTable(['ID', 'TCP Address', 'Version'], show.data.map((d) => [String(d.id), esc(d.tcpAddr), version(d.version)])))
      break
    case '1.9.2':
      out.push(await plainTable(['ID', 'TCP Address', 'Version', 'Labels'], show.data.map((d) => [String(d.id), esc(d.tcpAddr), version(d.version), labels(d.labels)])))
      break
    default:
      out.push(await plainTable(['ID', 'TCP Address', 'HTTP Address', 'Version', 'Labels', 'Passive'], show.data.map((d) => [String(d.id), esc(d.tcpAddr), esc(d.httpAddr), version(d.version), labels(d.labels), String(d.passive === true)])))
  }
  out.push('', 'Meta Nodes', UNDERLINE)
  switch (L) {
    case '1.0':
      out.push(await plainTable(['TCP Address'], show.meta.map((m) => [esc(m.addr)])))
      break
    case '1.1':
      out.push(await plainTable(['TCP Address', 'Version'], show.meta.map((m) => [esc(m.addr), version(m.version)])))
      break
    case '1.9.2':
      out.push(await plainTable(['ID', 'TCP Address', 'Version', 'Labels'], show.meta.map((m) => [String(m.id), esc(m.addr), version(m.version), labels(m.labels)])))
      break
    default:
      out.push(await plainTable(['ID', 'Raft Address', 'HTTP Address', 'Version', 'Labels'], show.meta.map((m) => [String(m.id), esc(m.tcpAddr ?? ''), esc(m.addr), version(m.version), labels(m.labels)])))
  }
  if (L === '1.10') {
    out.push('', 'Raft Status', UNDERLINE)
    if (show.raft) {
      out.push(`Leader  ${show.raft.leader === '' ? '' : esc(show.raft.leader)}`)
      out.push(`Peers   ${show.raft.peers === null ? '[]' : `[${show.raft.peers.map((p) => esc(JSON.stringify(p))).join(', ')}]`}`)
    } else {
      out.push(chalk.dim(`(unavailable: ${esc(show.raftError ?? 'no /status')})`))
    }
  }
  if (show.findings.length > 0) {
    out.push('')
    for (const f of show.findings) out.push(`${f.severity === 'critical' ? chalk.bold.red('CRITICAL') : chalk.yellow('WARNING ')} ${f.id}  ${esc(f.message)}`)
  }
  return out.join('\n')
}

/** The line on stderr that says which layout was printed and why. */
export function renderLayoutNote(show: CtlShow): string {
  return chalk.dim(`(layout of influxd-ctl ${show.layout === '1.10' ? '1.10+' : show.layout === '1.9.2' ? '1.9.2-1.9.x' : show.layout === '1.1' ? '1.1-1.9.1' : '1.0'}: ${esc(show.layoutReason)})`)
}
