// `medic dev pause NODE`: SIGSTOP sent directly to the node's recorded pid, like a hung process; recorded in
// cluster.json.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {signalDevNode} from '../../devcluster/control.js'
import {resolveClusterDir} from '../../devcluster/paths.js'
import {ExitCode} from '../../errors.js'
import {renderSignal} from '../../format/dev.js'

export default class DevPause extends BaseCommand {
  static override summary = 'Freeze one dev-cluster node with SIGSTOP: it keeps its ports but answers nothing, like a hung process or a long GC pause'
  static override description = `Sends SIGSTOP to the node's process and waits until the kernel reports it stopped. Connections to it hang instead of being refused, which is what timeouts and leader elections are for; "medic dev resume NODE" continues it (SIGCONT). Stopping the cluster continues paused nodes first. The signal is sent directly (no supervisor needed) and recorded in cluster.json.

Exit status: 0 when done (also when there was nothing to do: the node was not running, or was already paused); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
  static override args = {
    node: Args.string({description: 'the node: meta-1, meta-2, ...', required: true}),
  }
  static override flags = {
    dir: Flags.string({char: 'd', description: 'the cluster folder (default: $XDG_DATA_HOME/medic/dev/default)', env: 'MEDIC_DEV_DIR'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-2',
    '<%= config.bin %> <%= command.id %> meta-2 --dir /tmp/rehearsal --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(DevPause)
    const dir = resolveClusterDir(flags.dir)
    const result = await signalDevNode(dir, args.node, 'pause')
    this.out(renderSignal(result, dir))
    return this.finish(result, ExitCode.OK)
  }
}
