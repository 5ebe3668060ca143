// `medic dev kill NODE`: SIGKILL sent directly to the node's recorded pid, like a crash; recorded in cluster.json.
import {DevSignalCommand} from '../../cli/dev-flags.js'

export default class DevKill extends DevSignalCommand {
  static override summary = 'Kill one dev-cluster node with SIGKILL, as a crash or the OOM killer would'
  static override description = `Sends SIGKILL to the node's process (the pid in cluster.json, checked to still be that node) and waits until it is gone. Nothing restarts it: watch the others elect a new leader (medic dev status), read their logs, then bring it back with "medic dev start NODE". The signal is sent directly (no supervisor needed) and recorded in cluster.json.

Exit status: 0 when done (also when there was nothing to do: the node was not running); 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-1',
    '<%= config.bin %> <%= command.id %> meta-1 --dir /tmp/rehearsal --json',
  ]

  protected readonly action = 'kill' as const
}
