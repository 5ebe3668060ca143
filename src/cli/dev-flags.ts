/**
 * What every `medic dev` command shares: the cluster-folder flag, the node argument, and the three commands that only
 * send a signal to a node (kill, pause, resume), which differ in nothing but their help and the signal.
 */
import {Args, Flags} from '@oclif/core'

import {signalDevNode} from '../devcluster/client/control.js'
import {resolveClusterDir} from '../devcluster/cluster/paths.js'
import {ExitCode} from '../errors.js'
import {renderSignal} from '../format/dev.js'
import {BaseCommand} from './base-command.js'

export const devDirFlag = () => Flags.string({char: 'd', description: 'the cluster folder (default: $XDG_DATA_HOME/medic/dev/default)', env: 'MEDIC_DEV_DIR'})

export const devNodeArg = (description = 'the node: meta-1, meta-2, ...') => Args.string({description, required: true})

/** kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT): sent straight to the node's recorded pid, no supervisor needed. */
export abstract class DevSignalCommand extends BaseCommand {
  static override args = {node: devNodeArg()}
  static override flags = {dir: devDirFlag()}

  protected abstract readonly action: 'kill' | 'pause' | 'resume'

  async run(): Promise<object> {
    // The shared class, not this.ctor: oclif copies a command's own static properties only, and args live here.
    const {args, flags} = await this.parse(DevSignalCommand)
    const dir = resolveClusterDir(flags.dir)
    const result = await signalDevNode(dir, args.node, this.action)
    this.out(renderSignal(result, dir))
    return this.finish(result, ExitCode.OK)
  }
}
