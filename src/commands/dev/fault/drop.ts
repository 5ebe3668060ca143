// `medic dev fault drop A B --rate 0.3`: lose a share of the requests on the link between two nodes.
import {clusterDirOf, devDirFlag, DevFaultCommand, dropRateFlag, linkArgs, oneWayFlag, seedFlag, sinceNow} from '../../../cli/fault-flags.js'
import type {Fault} from '../../../devcluster/node/fault-table.js'

export default class DevFaultDrop extends DevFaultCommand {
  static override summary = 'Lose a share of the requests and messages on the network link between two dev-cluster nodes'
  static override description = `Each request or message A sends to B (a cluster RPC call, a node-to-node HTTP request, a Raft message) is lost with probability --rate, decided by a seeded stream (--seed: the same seed gives the same sequence on the link). A lost request fails as a partitioned link does ("dial tcp <addr>: connect: no route to host"); a lost Raft message is simply gone, and Raft sends again. --rate 1 behaves like a partition, --rate 0 like no fault. Both ways unless --one-way.

The command returns once every running node has applied it. Undo it with medic dev heal A B.

Exit status: 0 when the fault is in force; 2 for a usage error (an unknown node, the same node twice, a rate outside 0..1); 4 when there is no dev cluster in the folder, it is not running, or a node did not apply the fault.`
  static override args = linkArgs
  static override flags = {
    dir: devDirFlag(),
    rate: dropRateFlag({description: 'share of requests lost: 0 to 1 (0.3) or a percentage (30%)', required: true}),
    seed: seedFlag(),
    'one-way': oneWayFlag(),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1 data-2 --rate 0.3',
    '<%= config.bin %> <%= command.id %> meta-1 meta-3 --rate 50% --seed 42 --one-way',
  ]

  protected async parseFault(): Promise<{dir: string; fault: Fault}> {
    const {args, flags} = await this.parse(DevFaultDrop)
    return {dir: clusterDirOf(flags), fault: {kind: 'drop', a: args.a, b: args.b, oneWay: flags['one-way'], rate: flags.rate, seed: flags.seed, since: sinceNow()}}
  }
}
