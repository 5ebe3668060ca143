// `medic dev kill NODE`: SIGKILL sent directly to the node's recorded pid, like a crash; recorded in cluster.json.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {signalDevNode} from '../../devcluster/control.js'
import {resolveClusterDir} from '../../devcluster/paths.js'
import {ExitCode} from '../../errors.js'
import {renderSignal} from '../../format/dev.js'

export default class DevKill extends BaseCommand {
  static override summary = 'Kill one dev-cluster node with SIGKILL, as a crash or the OOM killer would'
  static override description = `Sends SIGKILL to the node's process (the pid in cluster.json, checked to still be that node) and waits until it is gone. Nothing restarts it: watch the others elect a new leader (medic dev status), read their logs, then bring it back with "medic dev start NODE". The signal is sent directly (no supervisor needed) and recorded in cluster.json.

Exit status: 0 when done (also when there was nothing to do: the node was not running); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
  static override args = {
    node: Args.string({description: 'the node: meta-1, meta-2, ...', required: true}),
  }
  static override flags = {
    dir: Flags.string({char: 'd', description: 'the cluster folder (default: $XDG_DATA_HOME/medic/dev/default)', env: 'MEDIC_DEV_DIR'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-1',
    '<%= config.bin %> <%= command.id %> meta-1 --dir /tmp/rehearsal --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(DevKill)
    const dir = resolveClusterDir(flags.dir)
    const result = await signalDevNode(dir, args.node, 'kill')
    this.out(renderSignal(result, dir))
    return this.finish(result, ExitCode.OK)
  }
}
