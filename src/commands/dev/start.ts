// `medic dev start NODE`: the supervisor starts the node again (through its control server), so the node is its child
// and dies with it.
import {DevCommand, devDirFlag, devNodeArg} from '../../cli/dev-flags.js'
import {control} from '../../devcluster/client/control.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {findNode, loadState} from '../../devcluster/cluster/state.js'
import {ExitCode} from '../../errors.js'
import {renderStart} from '../../format/dev.js'

export default class DevStart extends DevCommand {
  static override summary = 'Start one stopped or killed dev-cluster node again'
  static override description = `Goes through the cluster's supervisor, so that the node is its child and stops with the cluster. Checks the node's ports, starts it with the config it had, and waits until it answers GET /ping; a node that dies while starting is reported with its last log lines. It rejoins the cluster from its own Raft data.

Exit status: 0 when the node runs (also when it was already running); 3 when it failed to start; 2 for a usage error (an unknown node, or one of its ports is in use); 4 when there is no dev cluster in the folder or it is not running (start the whole cluster with medic dev up).`
  static override args = {
    node: devNodeArg(),
  }
  static override flags = {
    dir: devDirFlag(),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-1',
    '<%= config.bin %> <%= command.id %> meta-2 --dir /tmp/rehearsal --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(DevStart)
    const state = await loadState(resolveClusterDir(flags.dir))
    findNode(state, args.node)
    const r = await control(state, 'start', {node: args.node})
    this.out(renderStart(r))
    const addr = r.node.kind === 'meta' ? {raftAddr: r.node.raftAddr} : {rpcAddr: r.node.rpcAddr}
    return this.finish({node: r.node.name, pid: r.node.pid, httpAddr: r.node.httpAddr, ...addr, alreadyRunning: r.alreadyRunning}, ExitCode.OK)
  }
}
