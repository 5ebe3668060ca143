// `medic dev verify`: do the owners of every shard hold the same points? (devcluster/client/verify.ts), as a report
// or JSON. Exit 0 when every compared shard's owners are equal, 3 when some differ, 4 when a shard could not be
// compared (an owner down or not answering) and nothing differs.
import {Flags} from '@oclif/core'

import {DevCommand, devDirFlag} from '../../cli/dev-flags.js'
import {durationFlag} from '../../cli/flags.js'
import {verifyCluster} from '../../devcluster/client/verify.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {loadState} from '../../devcluster/cluster/state.js'
import {renderVerify} from '../../format/dev.js'

export default class DevVerify extends DevCommand {
  static override summary = 'Check that the owners of every shard hold the same points (the convergence check after an outage)'
  static override description = `Reads the shard map from a meta node (GET /show-shards) and asks every data node, over its cluster RPC port, for digests of the shards it owns: one for the whole shard and one per series, computed in a fixed order, so two owners that hold the same points agree whatever order the points came in, and no points travel. A shard whose owners differ is listed with the series that differ and how many values each owner holds. Bytes still queued in hinted handoff (from the data nodes' /debug/vars) are shown too: a queue that has not drained is the usual reason for a difference.

Exit status: 0 when the owners of every compared shard are equal (or the cluster has no shards yet); 3 when some differ; 4 when some shard could not be compared (an owner down or not answering) and none differ; 2 for a usage error.`
  static override flags = {
    dir: devDirFlag(),
    db: Flags.string({description: 'only the shards of this database'}),
    timeout: durationFlag({char: 't', description: 'deadline of each node\'s answer', default: 10_000, defaultHelp: async () => '10s'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --db telegraf',
    '<%= config.bin %> <%= command.id %> --json | jq \'.shards[] | select(.status=="differs")\'',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(DevVerify)
    const result = await verifyCluster(await loadState(resolveClusterDir(flags.dir)), {database: flags.db, timeoutMs: flags.timeout})
    if (!this.jsonEnabled()) this.out(renderVerify(result))
    return this.finish(result, result.outcome.exitCode)
  }
}
