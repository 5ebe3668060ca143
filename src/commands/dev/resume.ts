// `medic dev resume NODE`: SIGCONT sent directly to a paused node's recorded pid; recorded in cluster.json.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {signalDevNode} from '../../devcluster/control.js'
import {resolveClusterDir} from '../../devcluster/paths.js'
import {ExitCode} from '../../errors.js'
import {renderSignal} from '../../format/dev.js'

export default class DevResume extends BaseCommand {
  static override summary = 'Continue a paused dev-cluster node (SIGCONT)'
  static override description = `Sends SIGCONT to a node paused with "medic dev pause". A node that was a leader usually finds a newer term and steps down. The signal is sent directly (no supervisor needed) and recorded in cluster.json.

Exit status: 0 when done (also when there was nothing to do: the node was not running, or was not paused); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
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
    const {args, flags} = await this.parse(DevResume)
    const dir = resolveClusterDir(flags.dir)
    const result = await signalDevNode(dir, args.node, 'resume')
    this.out(renderSignal(result, dir))
    return this.finish(result, ExitCode.OK)
  }
}
