// `medic dev fault disk-full NODE [--hh | --data]`: the node's appends fail as on a full disk (ENOSPC).
import {Flags} from '@oclif/core'

import {devNodeArg} from '../../../cli/dev-flags.js'
import {clusterDirOf, devDirFlag, DevFaultCommand, sinceNow} from '../../../cli/fault-flags.js'
import {dirFlag} from '../../../devcluster/cluster/paths.js'
import {findNode, loadState} from '../../../devcluster/cluster/state.js'
import type {DiskArea, Fault} from '../../../devcluster/node/fault-table.js'
import {usageError} from '../../../errors.js'

export default class DevFaultDiskFull extends DevFaultCommand {
  static override summary = 'Make a dev-cluster node\'s appends fail as they do on a full disk (no space left on device)'
  static override description = `From now on the node's appends fail with the error a full disk gives, "write <path>: no space left on device" (ENOSPC), before anything is written: on a data node the shard write-ahead logs ([data] dir: its writes answer 500 "write failed: engine: write ...: no space left on device"), and the hinted-handoff queues ([hinted-handoff] dir: a failed replica write cannot be queued, and the coordinator logs and answers that error instead); --hh or --data limits it to one of them. On a meta node, the Raft log in [meta] dir: the node stops, as a meta node does when its storage fails (medic dev start brings it back once healed). Reads keep working.

The command returns once every running node has applied it. Undo it with medic dev heal NODE.

Exit status: 0 when the fault is in force; 2 for a usage error (an unknown node, --hh or --data on a meta node); 4 when there is no dev cluster in the folder, it is not running, or a node did not apply the fault.`
  static override args = {node: devNodeArg('the node: data-1, meta-2, ...')}
  static override flags = {
    dir: devDirFlag(),
    hh: Flags.boolean({description: 'only the hinted-handoff queues (a data node\'s [hinted-handoff] dir)'}),
    data: Flags.boolean({description: 'only the shards\' write-ahead logs (a data node\'s [data] dir)'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1',
    '<%= config.bin %> <%= command.id %> data-1 --hh',
    '<%= config.bin %> <%= command.id %> meta-2',
  ]

  protected async parseFault(): Promise<{dir: string; fault: Fault}> {
    const {args, flags} = await this.parse(DevFaultDiskFull)
    const dir = clusterDirOf(flags)
    const node = findNode(await loadState(dir), args.node)
    let areas: DiskArea[]
    if (node.kind === 'meta') {
      if (flags.hh || flags.data) {
        throw usageError(`${node.name} is a meta node: --hh and --data name a data node's folders (a meta node's disk holds its Raft log)`, 'meta-disk-area', [
          `medic dev fault disk-full ${node.name}${dirFlag(dir)}`,
        ])
      }
      areas = ['meta']
    } else {
      areas = flags.hh === flags.data ? ['hh', 'data'] : flags.hh ? ['hh'] : ['data']
    }
    return {dir, fault: {kind: 'disk-full', node: node.name, areas, since: sinceNow()}}
  }
}
