// `medic dev fault partition A B [--one-way]`: cut the link between two nodes, in the nodes themselves.
import {clusterDirOf, devDirFlag, DevFaultCommand, linkArgs, oneWayFlag, sinceNow} from '../../../cli/fault-flags.js'
import type {Fault} from '../../../devcluster/node/fault-table.js'

export default class DevFaultPartition extends DevFaultCommand {
  static override summary = 'Cut the network link between two dev-cluster nodes, and only that link'
  static override description = `Every connection between A and B is cut: the cluster RPC between two data nodes, Raft and the meta API between two meta nodes, a data node's HTTP calls to a meta node (and the meta leader's add-data call to it). New attempts fail at once with "dial tcp <addr>: connect: no route to host" (what a firewall that rejects the traffic gives), and the connections already open are closed. Every other link, and every port clients use, stays up: clients still write to and query both nodes, which is how hinted handoff builds up in production.

The nodes do it themselves (each checks the fault table on the connections it opens: no root, no proxy). The command returns once every running node has applied it. --one-way cuts only the connections A opens to B: B still reaches A. Undo it with medic dev heal A B.

Exit status: 0 when the fault is in force; 2 for a usage error (an unknown node, the same node twice); 4 when there is no dev cluster in the folder, it is not running, or a node did not apply the fault.`
  static override args = linkArgs
  static override flags = {dir: devDirFlag(), 'one-way': oneWayFlag()}
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1 data-2',
    '<%= config.bin %> <%= command.id %> meta-3 meta-1 && <%= config.bin %> <%= command.id %> meta-3 meta-2   # isolate meta-3',
    '<%= config.bin %> <%= command.id %> data-2 meta-1 --one-way --json',
  ]

  protected async parseFault(): Promise<{dir: string; fault: Fault}> {
    const {args, flags} = await this.parse(DevFaultPartition)
    return {dir: clusterDirOf(flags), fault: {kind: 'partition', a: args.a, b: args.b, oneWay: flags['one-way'], since: sinceNow()}}
  }
}
