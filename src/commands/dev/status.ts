// `medic dev status`: the state file plus a concurrent probe of every running node (devcluster/client/status.ts
// clusterStatus), as a table or JSON; exit 0 only when every node is up and they agree on a leader.
import {DevCommand, devDirFlag} from '../../cli/dev-flags.js'
import {durationFlag} from '../../cli/flags.js'
import {clusterStatus, statusExitCode} from '../../devcluster/client/status.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {loadState} from '../../devcluster/cluster/state.js'
import {renderDevStatus} from '../../format/dev.js'

export default class DevStatus extends DevCommand {
  static override summary = 'The dev cluster\'s nodes: role, pid, ports, up or down, the leader each one sees, joined or not'
  static override description = `Reads the cluster's state file (cluster.json in the cluster folder), checks each node's process (a paused one shows as paused; one that died shows its exit), and asks every running node for GET /status concurrently, each within --timeout. One row per node: name, role (leader, follower, un-joined, down, paused, unreachable), state, pid, HTTP and Raft addresses, the leader it reports, joined or not. Then the leader they agree on and the supervisor. Secrets never appear, --json included; with --json each node has name, role, state, pid, httpAddr, raftAddr, leader, joined, peers and exit.

Exit status: 0 when every node is up and they agree on a leader; 3 when a node is down, paused or not answering, or there is no agreed leader; 2 for a usage error; 4 when there is no dev cluster in the folder.`
  static override flags = {
    dir: devDirFlag(),
    timeout: durationFlag({char: 't', description: 'deadline of each node\'s /status', default: 1_500, defaultHelp: async () => '1.5s'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --dir /tmp/rehearsal',
    '<%= config.bin %> <%= command.id %> --json | jq -r \'.nodes[] | "\\(.name) \\(.role)"\'',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(DevStatus)
    const state = await loadState(resolveClusterDir(flags.dir))
    const status = await clusterStatus(state, {timeoutMs: flags.timeout})
    if (!this.jsonEnabled()) this.out(await renderDevStatus(status))
    return this.finish(status, statusExitCode(status))
  }
}
