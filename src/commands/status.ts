import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {httpOptionsFromFlags, probeFlags} from '../cli/probe-flags.js'
import {ExitCode, usageError} from '../errors.js'
import {renderStatus} from '../format/status.js'
import {closeHttp} from '../probe/http.js'
import {checkStatusFiles, probeCluster, statusExitCode} from '../probe/status.js'

export default class Status extends BaseCommand {
  static override summary = 'One-glance health of an InfluxDB Enterprise cluster: every meta and data node, who leads, and what is wrong'
  static override description = `Probes the meta nodes given (GET /status; host:8091, the port defaults to 8091) concurrently, each within --timeout, then follows their Raft peers and /show-cluster to the meta nodes not given and to the data nodes (GET /ping). One row per node: address, role, state, reachable, latency, version, the leader it sees, number of peers, joined or not, and its problems.

Cluster checks: meta nodes that disagree about the leader (a split view, named node by node), a leader missing from peers, a node advertising localhost/loopback or an address other than the one that reached it, un-joined meta nodes (503, or leader "" and peers null), unreachable data nodes and data nodes that have not announced themselves (blank version), mixed versions, an even number of meta nodes. Nodes that cannot be reached are reported, never fatal; the cluster state is then UNKNOWN.

--file BODY.json (repeatable) runs the same checks offline on saved /status bodies (curl -sS http://meta-1:8091/status > meta-1.json), for support tickets: empty, HTML pages, truncated JSON, wrong types (by path), over-size bodies, a leader missing from peers, loopback addresses.

Exit status: 0 when the cluster is healthy (warnings allowed), 3 when a problem was found (including nodes that cannot be reached while others answer), 2 for a usage error, 4 when nothing at all could be checked.`
  static override strict = false
  static override args = {
    addr: Args.string({description: 'meta node addresses: host[:8091] or http(s)://host:port; repeat for several', ignoreStdin: true}),
  }
  static override flags = {
    ...probeFlags,
    file: Flags.string({char: 'f', description: 'check a saved /status body offline instead of probing; repeatable', multiple: true, multipleNonGreedy: true}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-1',
    '<%= config.bin %> <%= command.id %> meta-1:8091 meta-2:8091 meta-3:8091 --timeout 2s',
    '<%= config.bin %> <%= command.id %> https://meta-1:8091 --ca /etc/ssl/cluster-ca.pem --username admin --jwt-secret "$SHARED_SECRET"',
    '<%= config.bin %> <%= command.id %> --file meta-1-status.json --file meta-2-status.json',
    '<%= config.bin %> <%= command.id %> meta-1 --json | jq .problems',
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(Status)
    const addresses = argv as string[]
    const files = flags.file ?? []
    if (addresses.length === 0 && files.length === 0) {
      throw usageError('no meta node address given', 'no-input', [
        'medic status meta-1:8091',
        'medic status --file status.json  (a saved /status body)',
      ])
    }
    if (addresses.length > 0 && files.length > 0) {
      throw usageError('give meta node addresses or --file, not both', 'addr-and-file', [`medic status ${addresses[0]}`, `medic status --file ${files[0]}`])
    }
    if (files.includes('-')) {
      throw usageError('--file reads saved files, not standard input', 'stdin-not-supported', ['save the body first: curl -sS http://meta-1:8091/status > status.json; medic status --file status.json'])
    }
    const http = await httpOptionsFromFlags(flags)
    let report
    try {
      report = files.length > 0 ? await checkStatusFiles(files) : await probeCluster(addresses, {http})
    } finally {
      await closeHttp()
    }
    const exitCode = statusExitCode(report)
    if (!this.jsonEnabled()) this.out(await renderStatus(report))
    if (exitCode === ExitCode.CANNOT_CHECK) this.note('Error: no node could be checked: see the errors above')
    return this.finish(report, exitCode)
  }
}
