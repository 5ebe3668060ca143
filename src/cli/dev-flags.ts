/**
 * What every `medic dev` command shares: the cluster-folder flag, the node argument, the rendering of a node that
 * died while starting (its last log lines quoted under the error, each escaped), and the three commands that only
 * send a signal to a node (kill, pause, resume), which differ in nothing but their help and the signal.
 */
import {Args, Flags} from '@oclif/core'

import {signalDevNode} from '../devcluster/client/faults.js'
import {resolveClusterDir} from '../devcluster/cluster/paths.js'
import {NodeFailedError} from '../devcluster/supervisor/protocol.js'
import {ExitCode} from '../errors.js'
import {renderNodeFailure, renderSignal} from '../format/dev.js'
import {terminalSafe} from '../util/text.js'
import {BaseCommand, SCHEMA_VERSION} from './base-command.js'

export const devDirFlag = () => Flags.string({char: 'd', description: 'the cluster folder (default: $XDG_DATA_HOME/medic/dev/default)', env: 'MEDIC_DEV_DIR'})

export const devNodeArg = (description = 'the node: meta-1, meta-2, ...') => Args.string({description, required: true})

/** The base of the `medic dev` commands: a node that failed to start is shown with its last log lines. */
export abstract class DevCommand extends BaseCommand {
  // An own static property: oclif's manifest walks a command's class chain only while each class has one, and would
  // otherwise stop here and lose the base flags (--json, --no-color) of the commands below DevSignalCommand.
  static override enableJsonFlag = true

  override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}; code?: string}): Promise<void> {
    if (!(err instanceof NodeFailedError)) return super.catch(err)
    process.exitCode = err.exitCode
    this.parsed = true
    if (this.jsonEnabled()) {
      this.logJson({
        schemaVersion: SCHEMA_VERSION, command: this.commandName(), exitCode: err.exitCode,
        error: {code: err.code, message: err.message, suggestions: err.suggestions, log: err.log},
      })
      return
    }
    process.stderr.write(terminalSafe(renderNodeFailure(err) + '\n', false))
  }
}

/** kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT): sent straight to the node's recorded pid, no supervisor needed. */
export abstract class DevSignalCommand extends DevCommand {
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
