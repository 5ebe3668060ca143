// `medic dev logs NODE [-f]`: prints a node's (or the supervisor's) log file, optionally following it. Lines go through
// the output sinks like every other result (control characters escaped: nodes log text that clients sent).
import {Flags} from '@oclif/core'

import {SCHEMA_VERSION} from '../../cli/base-command.js'
import {DevCommand, devDirFlag, devNodeArg} from '../../cli/dev-flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {followLog, logPathOf, readLogTail} from '../../devcluster/cluster/logs.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {loadState} from '../../devcluster/cluster/state.js'
import {ExitCode} from '../../errors.js'

export default class DevLogs extends DevCommand {
  static override summary = 'Print (or follow) a dev-cluster node\'s log, as the node wrote it'
  static override description = `Prints the node's log file (its stdout and stderr, in the cluster's log format: logfmt, json, legacy-level or legacy), the whole file or its last --tail lines; -f keeps printing what is appended until Ctrl-C (or until the folder is purged). "supervisor" prints the supervisor's own log. Control characters a client may have put into a line are shown escaped. Pipe it to medic explain, or give the file to medic logs summarize.

With --json: one document with the lines; with -f and --json, one JSON object per line (NDJSON), each with schemaVersion.

Exit status: 0 on success; 2 for a usage error (an unknown node: the valid names are listed); 4 when there is no dev cluster in the folder.`
  static override args = {
    node: devNodeArg('the node (meta-1, meta-2, ...) or "supervisor"'),
  }
  static override flags = {
    dir: devDirFlag(),
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines until Ctrl-C'}),
    tail: Flags.integer({char: 'n', description: 'only the last N lines', min: 0}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-1',
    '<%= config.bin %> <%= command.id %> meta-2 -f',
    '<%= config.bin %> <%= command.id %> meta-1 -n 50 | medic explain',
    '<%= config.bin %> <%= command.id %> supervisor --json | jq -r \'.lines[]\'',
  ]

  async run(): Promise<object | undefined> {
    const {args, flags} = await this.parse(DevLogs)
    const state = await loadState(resolveClusterDir(flags.dir))
    const path = logPathOf(state, args.node)
    const {lines, size} = readLogTail(path, {count: flags.tail})
    const json = this.jsonEnabled()
    if (!flags.follow) {
      if (lines.length > 0) this.out(lines.join('\n'))
      return this.finish({node: args.node, path, lines}, ExitCode.OK)
    }
    const emit = (line: string) => {
      if (json) this.ndjson({schemaVersion: SCHEMA_VERSION, command: this.commandName(), type: 'line', node: args.node, line})
      else this.out(line)
    }
    for (const l of lines) emit(l)
    const stop = abortOnSignals()
    let partial = ''
    try {
      const end = await followLog(path, size, (chunk) => {
        const parts = (partial + chunk).split('\n')
        partial = parts.pop() ?? ''
        for (const l of parts) emit(l)
      }, {signal: stop.signal})
      if (end === 'deleted') this.note(`${path} was deleted; stopped following.`)
    } finally {
      stop.dispose()
    }
    if (partial !== '') emit(partial)
    process.exitCode = ExitCode.OK
    return undefined
  }
}
