// `medic dev logs NODE [-f]`: prints a node's (or the supervisor's) log file as written, optionally following it.
import {Flags} from '@oclif/core'

import {BaseCommand, SCHEMA_VERSION} from '../../cli/base-command.js'
import {devDirFlag, devNodeArg} from '../../cli/dev-flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {followLog, logPathOf, readLogTail} from '../../devcluster/client/control.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {loadState} from '../../devcluster/cluster/state.js'
import {ExitCode} from '../../errors.js'

export default class DevLogs extends BaseCommand {
  static override summary = 'Print (or follow) a dev-cluster node\'s log, exactly as the node wrote it'
  static override description = `Prints the node's influxdb-meta.log (its stdout and stderr, in the cluster's log format: logfmt, json or legacy), the whole file or its last --tail lines; -f keeps printing what is appended until Ctrl-C (or until the folder is purged). "supervisor" prints the supervisor's own log. Pipe it to medic explain, or give the file to medic logs summarize.

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
    const path = await logPathOf(state, args.node)
    const {lines, size} = await readLogTail(path, flags.tail)
    const json = this.jsonEnabled()
    if (!flags.follow) {
      if (!json && lines.length > 0) process.stdout.write(lines.join('\n') + '\n')
      return this.finish({node: args.node, path, lines}, ExitCode.OK)
    }
    const line = (l: string) => JSON.stringify({schemaVersion: SCHEMA_VERSION, command: this.commandName(), type: 'line', node: args.node, line: l}) + '\n'
    if (json) for (const l of lines) process.stdout.write(line(l))
    else if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n')
    const stop = abortOnSignals()
    let partial = ''
    try {
      const end = await followLog(path, size, (chunk) => {
        if (!json) {
          process.stdout.write(chunk)
          return
        }
        const parts = (partial + chunk).split('\n')
        partial = parts.pop() ?? ''
        for (const l of parts) process.stdout.write(line(l))
      }, stop.signal)
      if (end === 'deleted') this.note(`${path} was deleted; stopped following.`)
    } finally {
      stop.dispose()
    }
    if (json && partial !== '') process.stdout.write(line(partial))
    process.exitCode = ExitCode.OK
    return undefined
  }
}
