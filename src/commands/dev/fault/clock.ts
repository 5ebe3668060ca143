// `medic dev fault clock NODE --skew 30s`: the node's wall clock runs ahead (or behind, with a negative skew).
import {devNodeArg} from '../../../cli/dev-flags.js'
import {clusterDirOf, devDirFlag, DevFaultCommand, sinceNow, skewFlag} from '../../../cli/fault-flags.js'
import type {Fault} from '../../../devcluster/node/fault-table.js'

export default class DevFaultClock extends DevFaultCommand {
  static override summary = 'Skew a dev-cluster node\'s wall clock ahead or behind'
  static override description = `The node's wall clock reads --skew off from now on (negative: behind). Everything the node does with wall time sees it: the time stamps of its log lines and answers, a meta leader's CQ lease expiry (a lease granted before the jump ends early or late), hinted-handoff max-age, JWTs it signs and checks, continuous-query windows. Timers and measured durations are unaffected, as on a real server whose wall clock jumps.

The command returns once every running node has applied it. --skew 0s or medic dev heal NODE sets the clock right.

Exit status: 0 when the fault is in force; 2 for a usage error (an unknown node, a bad duration); 4 when there is no dev cluster in the folder, it is not running, or a node did not apply the fault.`
  static override args = {node: devNodeArg('the node: meta-1, data-2, ...')}
  static override flags = {
    dir: devDirFlag(),
    skew: skewFlag({description: 'how far the clock is off: 30s ahead, -2m behind', required: true}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1 --skew 30s',
    '<%= config.bin %> <%= command.id %> meta-1 --skew -2m --json',
  ]

  protected async parseFault(): Promise<{dir: string; fault: Fault}> {
    const {args, flags} = await this.parse(DevFaultClock)
    return {dir: clusterDirOf(flags), fault: {kind: 'clock', node: args.node, skewMs: flags.skew, since: sinceNow()}}
  }
}
