// `medic dev heal [A B | NODE | --all]`: undo the faults of `medic dev fault` on one link, one node, or everywhere.
import {Args, Flags} from '@oclif/core'

import {DevCommand, devDirFlag} from '../../cli/dev-flags.js'
import {heal} from '../../devcluster/client/fault-control.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import type {HealTarget} from '../../devcluster/node/fault-table.js'
import {ExitCode, usageError} from '../../errors.js'
import {renderHealResult} from '../../format/dev.js'

export default class DevHeal extends DevCommand {
  static override summary = 'Undo dev-cluster faults: on the link between two nodes, everything on one node, or all'
  static override description = `With two nodes, removes every fault on the link between them (partition, slow, drop, bandwidth; both directions). With one node, every fault that involves it: its links, its disk and its clock. With --all (or no argument), every fault. The command returns once every running node has applied the change, so hinted handoff can start draining at once; medic dev status lists what is still in force.

Exit status: 0 when done (also when there was nothing to heal); 2 for a usage error (an unknown node, a node and --all); 4 when there is no dev cluster in the folder or a node did not apply the change.`
  static override args = {
    a: Args.string({description: 'a node, or one end of a link'}),
    b: Args.string({description: 'the other end of the link'}),
  }
  static override flags = {
    dir: devDirFlag(),
    all: Flags.boolean({description: 'every fault in force (the same as no argument)'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> data-1 data-2',
    '<%= config.bin %> <%= command.id %> data-1',
    '<%= config.bin %> <%= command.id %> --all --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(DevHeal)
    const dir = resolveClusterDir(flags.dir)
    if (flags.all && args.a !== undefined) throw usageError('give either nodes or --all, not both', 'heal-target', ['medic dev heal data-1 data-2 (a link), medic dev heal data-1 (a node), or medic dev heal --all'])
    const target: HealTarget = args.a === undefined ? {kind: 'all'} : args.b === undefined ? {kind: 'node', node: args.a} : {kind: 'link', a: args.a, b: args.b}
    const result = await heal(dir, target)
    this.out(renderHealResult(result))
    return this.finish(result, ExitCode.OK)
  }
}
