// `medic dev resume NODE`: SIGCONT sent directly to a paused node's recorded pid; recorded in cluster.json.
import {DevSignalCommand} from '../../cli/dev-flags.js'

export default class DevResume extends DevSignalCommand {
  static override summary = 'Continue a paused dev-cluster node (SIGCONT)'
  static override description = `Sends SIGCONT to a node paused with "medic dev pause". A node that was a leader usually finds a newer term and steps down. The signal is sent directly (no supervisor needed) and recorded in cluster.json.

Exit status: 0 when done (also when there was nothing to do: the node was not running, or was not paused); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-2',
    '<%= config.bin %> <%= command.id %> meta-2 --dir /tmp/rehearsal --json',
  ]

  protected readonly action = 'resume' as const
}
