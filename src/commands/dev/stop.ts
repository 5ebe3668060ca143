// `medic dev stop NODE`: a clean stop (SIGCONT, SIGTERM, SIGKILL after --grace) done by the supervisor, through its
// control server, so that the supervisor knows the exit was asked for.
import {DevCommand, devDirFlag, devNodeArg} from '../../cli/dev-flags.js'
import {durationFlag} from '../../cli/flags.js'
import {control} from '../../devcluster/client/control.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {findNode, loadState} from '../../devcluster/cluster/state.js'
import {ExitCode} from '../../errors.js'
import {renderStop} from '../../format/dev.js'

export default class DevStop extends DevCommand {
  static override summary = 'Stop one dev-cluster node cleanly (SIGTERM, then SIGKILL after --grace), as a planned restart would'
  static override description = `Goes through the cluster's supervisor, which sends the node SIGCONT (in case it is paused) and SIGTERM, waits up to --grace for it to exit, then SIGKILL. The node stays down until "medic dev start NODE". To rehearse a crash instead, use "medic dev kill NODE".

Exit status: 0 when the node is stopped (also when it was not running); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder or it is not running.`
  static override args = {
    node: devNodeArg(),
  }
  static override flags = {
    dir: devDirFlag(),
    grace: durationFlag({description: 'how long the node may take to stop after SIGTERM before it is killed', default: 5_000, defaultHelp: async () => '5s'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-2',
    '<%= config.bin %> <%= command.id %> meta-1 --grace 1s --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(DevStop)
    const state = await loadState(resolveClusterDir(flags.dir))
    findNode(state, args.node)
    const r = await control(state, 'stop', {node: args.node, graceMs: flags.grace}, flags.grace + 30_000)
    this.out(renderStop(args.node, r))
    return this.finish({node: r.node.name, exit: r.exit, alreadyStopped: r.alreadyStopped}, ExitCode.OK)
  }
}
