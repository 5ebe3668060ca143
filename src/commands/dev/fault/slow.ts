// `medic dev fault slow A B --latency 200ms [--jitter 50ms]`: delay every message on the link between two nodes.
import {checkDelay, clusterDirOf, devDirFlag, DevFaultCommand, linkArgs, oneWayFlag, seedFlag, sinceNow} from '../../../cli/fault-flags.js'
import {durationFlag} from '../../../cli/flags.js'
import type {Fault} from '../../../devcluster/node/fault-table.js'

export default class DevFaultSlow extends DevFaultCommand {
  static override summary = 'Add latency (and jitter) to the network link between two dev-cluster nodes'
  static override description = `Every message between A and B (cluster RPC requests and answers, Raft messages, node-to-node HTTP) arrives --latency later, plus or minus up to --jitter (uniform, from a seeded stream: --seed). Each direction is delayed, so a request and its answer take twice the latency more; messages on the link keep their order, as on a TCP connection. A call whose deadline passes meanwhile fails with its usual timeout ("i/o timeout", the coordinator's "timeout"). Other links and client ports are untouched.

The command returns once every running node has applied it. --one-way delays only what A sends to B. Running it again on the same link replaces the earlier latency. Undo it with medic dev heal A B.

Exit status: 0 when the fault is in force; 2 for a usage error (an unknown node, the same node twice, a bad duration); 4 when there is no dev cluster in the folder, it is not running, or a node did not apply the fault.`
  static override args = linkArgs
  static override flags = {
    dir: devDirFlag(),
    latency: durationFlag({description: 'added to every message, each way (e.g. 200ms)', required: true}),
    jitter: durationFlag({description: 'each message is delayed up to this much more or less than --latency (e.g. 50ms)'}),
    seed: seedFlag(),
    'one-way': oneWayFlag(),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1 data-2 --latency 200ms',
    '<%= config.bin %> <%= command.id %> meta-1 meta-2 --latency 300ms --jitter 100ms --seed 7',
  ]

  protected async parseFault(): Promise<{dir: string; fault: Fault}> {
    const {args, flags} = await this.parse(DevFaultSlow)
    const latency = flags.latency ?? 0 // required: oclif refuses the command line without it
    checkDelay('latency', latency)
    checkDelay('jitter', flags.jitter)
    return {
      dir: clusterDirOf(flags),
      fault: {kind: 'slow', a: args.a, b: args.b, oneWay: flags['one-way'], latencyMs: latency, jitterMs: flags.jitter ?? 0, seed: flags.seed, since: sinceNow()},
    }
  }
}
