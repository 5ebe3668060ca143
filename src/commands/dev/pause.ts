// `medic dev pause NODE`: SIGSTOP sent directly to the node's recorded pid, like a hung process; recorded in
// cluster.json.
import {DevSignalCommand} from '../../cli/dev-flags.js'

export default class DevPause extends DevSignalCommand {
  static override summary = 'Freeze one dev-cluster node with SIGSTOP: it keeps its ports but answers nothing, like a hung process or a long GC pause'
  static override description = `Sends SIGSTOP to the node's process and waits until the kernel reports it stopped. Connections to it hang instead of being refused, which is what timeouts and leader elections are for; "medic dev resume NODE" continues it (SIGCONT). Stopping the cluster continues paused nodes first. The signal is sent directly (no supervisor needed) and recorded in cluster.json.

Exit status: 0 when done (also when there was nothing to do: the node was not running, or was already paused); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-2',
    '<%= config.bin %> <%= command.id %> meta-2 --dir /tmp/rehearsal --json',
  ]

  protected readonly action = 'pause' as const
}
