// `medic dev down [--purge]`: stops the cluster through its supervisor, then any node left without one; --purge deletes
// the folder's dev-cluster files. The work is in src/devcluster/client/down.ts (downCluster).
import {Flags} from '@oclif/core'

import {DevCommand, devDirFlag} from '../../cli/dev-flags.js'
import {durationFlag} from '../../cli/flags.js'
import {downCluster} from '../../devcluster/client/down.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {ExitCode} from '../../errors.js'
import {renderDown} from '../../format/dev.js'

export default class DevDown extends DevCommand {
  static override summary = 'Stop the dev cluster: every node, then its supervisor; --purge also deletes its folder'
  static override description = `Asks the cluster's supervisor (foreground or detached) to stop every node: SIGTERM, and SIGKILL for a node still running after --grace. Waits for the supervisor to exit, and stops any node process that outlived it (for instance one that was paused when its supervisor died). The folder is kept, so the next "medic dev up" restarts the same cluster, already joined. Faults put in force with "medic dev fault" end with the cluster: they are cleared.

--purge then deletes what medic created in the folder (cluster.json, supervisor.log, the node folders with their configs, Raft data and logs) and the folder itself if nothing else is in it.

Exit status: 0 when the cluster is stopped (also when it was not running); 2 for a usage error; 4 when there is no dev cluster in the folder.`
  static override flags = {
    dir: devDirFlag(),
    purge: Flags.boolean({description: 'also delete the cluster folder: its state, configs, Raft data and logs'}),
    grace: durationFlag({description: 'how long each node may take to stop after SIGTERM before it is killed', default: 5_000, defaultHelp: async () => '5s'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --purge',
    '<%= config.bin %> <%= command.id %> --dir /tmp/rehearsal --purge --json',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(DevDown)
    const result = await downCluster(resolveClusterDir(flags.dir), {purge: flags.purge, graceMs: flags.grace})
    this.out(renderDown(result))
    return this.finish(result, ExitCode.OK)
  }
}
