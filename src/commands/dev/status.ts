// `medic dev status [--watch [INTERVAL]]`: the state file plus a concurrent probe of every running node
// (devcluster/client/status.ts), as a table or JSON; with --watch, again every INTERVAL until Ctrl-C (redrawn in place
// on a terminal, one line per change otherwise, NDJSON with --json). Exit 0 only when every node is up and the meta
// nodes agree on a leader.
import {SCHEMA_VERSION} from '../../cli/base-command.js'
import {DevCommand, devDirFlag} from '../../cli/dev-flags.js'
import {DEFAULT_WATCH_MS, durationFlag, withWatchDefault} from '../../cli/flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {type ClusterStatus, clusterStatus, statusDigest, statusExitCode, watchClusterStatus} from '../../devcluster/client/status.js'
import {resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {loadState} from '../../devcluster/cluster/state.js'
import {ExitCode} from '../../errors.js'
import {renderDevStatus, renderWatchHeader, renderWatchLine} from '../../format/dev.js'
import {LiveArea} from '../../format/hh.js'
import {terminalSafe} from '../../util/text.js'

export default class DevStatus extends DevCommand {
  static override summary = 'The dev cluster\'s nodes: role, pid, ports, up or down, the leader each one sees, joined or not; --watch to follow a failover'
  static override description = `Reads the cluster's state file (cluster.json in the cluster folder), checks each node's process (a paused one shows as paused; one that died shows its exit), and asks every running node for its API concurrently (a meta node's GET /status, a data node's GET /ping), each within --timeout. One row per node: name, role (leader, follower, un-joined, data, down, paused, unreachable), state, pid, HTTP and Raft addresses, the leader it sees, joined or not. Then the leader they agree on and the supervisor, and the faults in force (medic dev fault). Secrets never appear, --json included; with --json each node has name, kind, role, state, pid, httpAddr, raftAddr, rpcAddr, leader, joined, peers and exit, and "faults" lists the faults in force (kind, nodes, values and a one-line "text").

--watch [INTERVAL] asks again every INTERVAL (default ${DEFAULT_WATCH_MS / 1000}s) until Ctrl-C, to follow an election as it happens: on a terminal the view is redrawn in place; otherwise one line per change; with --json one NDJSON object per change ("type":"status") and a last one when it stops ("type":"summary").

Exit status: 0 when every node is up and they agree on a leader (with --watch: at the last round); 3 when a node is down, paused or not answering, or there is no agreed leader; 2 for a usage error; 4 when there is no dev cluster in the folder, or --watch was stopped before its first round.`
  static override flags = {
    dir: devDirFlag(),
    timeout: durationFlag({char: 't', description: 'deadline of each node\'s /status', default: 1_500, defaultHelp: async () => '1.5s'}),
    watch: durationFlag({char: 'w', description: `ask again every INTERVAL until Ctrl-C (the interval is optional: ${DEFAULT_WATCH_MS / 1000}s)`, helpValue: '[INTERVAL]'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --dir /tmp/rehearsal',
    '<%= config.bin %> <%= command.id %> --watch',
    '<%= config.bin %> <%= command.id %> --watch 500ms --json | jq -c \'select(.type=="status") | .leader\'',
    '<%= config.bin %> <%= command.id %> --json | jq -r \'.nodes[] | "\\(.name) \\(.role)"\'',
  ]

  private watching = false

  async run(): Promise<object> {
    const {flags} = await this.parse(DevStatus, withWatchDefault(this.argv))
    const dir = resolveClusterDir(flags.dir)
    if (flags.watch !== undefined) return this.watch(dir, flags.watch, flags.timeout)
    const status = await clusterStatus(await loadState(dir), {timeoutMs: flags.timeout})
    if (!this.jsonEnabled()) this.out(await renderDevStatus(status))
    return this.finish(status, statusExitCode(status))
  }

  /** Every `intervalMs` until Ctrl-C: each round redrawn (terminal), each change one line (pipe) or one NDJSON object. */
  private async watch(dir: string, intervalMs: number, timeoutMs: number): Promise<object> {
    await loadState(dir) // no cluster: exit 4 before anything is drawn
    this.watching = true
    const json = this.jsonEnabled()
    const area = !json && process.stdout.isTTY ? new LiveArea(process.stdout) : undefined
    const stop = abortOnSignals()
    let last: ClusterStatus | undefined
    let lastDigest = ''
    let rounds = 0
    let changes = 0
    try {
      for await (const status of watchClusterStatus(dir, {intervalMs, timeoutMs, signal: stop.signal})) {
        rounds++
        last = status
        const at = new Date()
        const digest = statusDigest(status)
        const changed = digest !== lastDigest
        lastDigest = digest
        if (area) {
          area.render(terminalSafe(`${renderWatchHeader(dir, intervalMs, at)}\n\n${await renderDevStatus(status)}`, this.colour))
        } else if (changed) {
          changes++
          if (json) this.ndjson({schemaVersion: SCHEMA_VERSION, command: this.commandName(), type: 'status', time: at.toISOString(), ...status})
          else this.out(renderWatchLine(status, at))
        }
      }
    } finally {
      stop.dispose()
    }
    area?.done()
    if (!json) this.note(`Stopped after ${rounds} round${rounds === 1 ? '' : 's'}${area ? '' : ` (${changes} change${changes === 1 ? '' : 's'} shown)`}.`)
    const exitCode = last === undefined ? ExitCode.CANNOT_CHECK : statusExitCode(last)
    return this.finish({type: 'summary', rounds, changes, intervalMs, ...(last ?? {})}, exitCode)
  }

  /** With --watch --json the stream is NDJSON: the summary (or an error) is one line too. */
  override logJson(json: unknown): void {
    if (this.watching && typeof json === 'object' && json !== null) this.ndjson(json)
    else super.logJson(json)
  }
}
