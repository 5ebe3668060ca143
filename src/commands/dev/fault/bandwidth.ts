// `medic dev fault bandwidth A B --rate 1MB/s`: cap how fast the link between two nodes carries data.
import {bandwidthFlag, clusterDirOf, devDirFlag, DevFaultCommand, linkArgs, oneWayFlag, sinceNow} from '../../../cli/fault-flags.js'
import type {Fault} from '../../../devcluster/node/fault-table.js'

export default class DevFaultBandwidth extends DevFaultCommand {
  static override summary = 'Cap the bandwidth of the network link between two dev-cluster nodes'
  static override description = `Messages between A and B are paced to --rate bytes per second: a message waits for the ones before it, then takes its size divided by the rate (a 1 MB hinted-handoff batch at 1MB/s arrives a second later). Each direction has its own budget; both ways unless --one-way. Units: B, KB, MB, GB (powers of 1000), KiB, MiB, GiB, and bit, Kbit, Mbit, Gbit, per second ("/s" may be left out).

The command returns once every running node has applied it. Undo it with medic dev heal A B.

Exit status: 0 when the fault is in force; 2 for a usage error (an unknown node, the same node twice, a bad rate); 4 when there is no dev cluster in the folder, it is not running, or a node did not apply the fault.`
  static override args = linkArgs
  static override flags = {
    dir: devDirFlag(),
    rate: bandwidthFlag({description: 'bytes per second the link carries, each way (1MB/s, 500KB/s, 10Mbit/s)', required: true}),
    'one-way': oneWayFlag(),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1 data-2 --rate 1MB/s',
    '<%= config.bin %> <%= command.id %> data-1 data-2 --rate 10Mbit/s --one-way',
  ]

  protected async parseFault(): Promise<{dir: string; fault: Fault}> {
    const {args, flags} = await this.parse(DevFaultBandwidth)
    return {dir: clusterDirOf(flags), fault: {kind: 'bandwidth', a: args.a, b: args.b, oneWay: flags['one-way'], bytesPerSecond: flags.rate, since: sinceNow()}}
  }
}
