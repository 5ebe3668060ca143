/**
 * `medic ctl show`: /show-cluster in the layout of `influxd-ctl show` (1.1+: "Data Nodes" / "Meta Nodes" with ID,
 * TCP Address, Version; the meta "TCP Address" column shows the HTTP address, as influxd-ctl does; a node that has not
 * announced itself has a blank Version), plus the 1.10+ "Raft Status" section from the meta node's /status.
 */
import type {CtlShow} from '../probe/ctl.js'
import {plainTable} from './status.js'

const UNDERLINE = '=========='

export async function renderCtlShow(show: CtlShow): Promise<string> {
  const out: string[] = ['Data Nodes', UNDERLINE]
  out.push(await plainTable(['ID', 'TCP Address', 'Version'], show.data.map((d) => [String(d.id), d.tcpAddr, d.version ?? ''])))
  out.push('', 'Meta Nodes', UNDERLINE)
  out.push(await plainTable(['ID', 'TCP Address', 'Version'], show.meta.map((m) => [String(m.id), m.addr, m.version ?? ''])))
  out.push('', 'Raft Status', UNDERLINE)
  if (show.raft) {
    out.push(`Leader  ${show.raft.leader === '' ? '(none)' : show.raft.leader}`)
    out.push(`Peers   ${show.raft.peers === null ? 'null' : `[${show.raft.peers.map((p) => JSON.stringify(p)).join(', ')}]`}`)
  } else {
    out.push(`(unavailable: ${show.raftError ?? 'no /status'})`)
  }
  return out.join('\n')
}
