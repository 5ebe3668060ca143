import {Args, Flags} from '@oclif/core'

import {BaseCommand, SCHEMA_VERSION} from '../cli/base-command.js'
import {DEFAULT_WATCH_MS, durationFlag, withWatchDefault} from '../cli/flags.js'
import {httpOptionsFromFlags, probeFlags} from '../cli/probe-flags.js'
import {abortOnSignals} from '../cli/signals.js'
import {ExitCode, usageError} from '../errors.js'
import {renderStatus, renderWatchHeader, renderWatchLine, watchDigest} from '../format/status.js'
import {closeHttp, type HttpOptions} from '../probe/http.js'
import {checkStatusFiles, probeCluster, type StatusReport} from '../probe/status.js'
import {hasControl, shellQuote} from '../util/text.js'

export default class Status extends BaseCommand {
  static override summary = 'One-glance health of an InfluxDB Enterprise cluster: every meta and data node, who leads, whether the quorum holds, and what is wrong'
  static override description = `Probes the meta nodes given (GET /status; host:8091, the port defaults to 8091) concurrently, then follows their Raft peers and /show-cluster to the meta nodes not given and to the data nodes (GET /ping). One row per node: address, role, state, reachable, latency (from the request leaving to the answer), version, the leader it sees, number of peers, joined or not, and its problems.

The quorum in one line: "2/3 voters up: quorum holds; one more failure loses the leader", or "quorum lost" when the voters that answer see no leader.

Cluster checks: meta nodes that disagree about the leader (a split view, named node by node), a leader missing from peers, a node advertising localhost/loopback, a malformed address or an address other than the one that reached it, un-joined meta nodes (503, or leader "" and peers null), unreachable data nodes and data nodes that have not announced themselves (blank version), mixed versions, an even number of meta nodes. Nodes that cannot be reached are reported, never fatal.

--timeout bounds the whole run (default 15s): a node medic had no time left to ask is reported as not checked. --http-timeout bounds each request (default 5s).

--watch [INTERVAL] probes again every INTERVAL (default 2s) until Ctrl-C: on a terminal the view is redrawn in place; otherwise one line per change; with --json one NDJSON object per change. --timeout then bounds each round.

--file BODY.json (repeatable) runs the same checks offline on saved /status bodies (curl -sS http://meta-1:8091/status > meta-1.json), for support tickets: empty, HTML pages, truncated JSON, wrong types (by path), over-size or over-deep bodies, a leader missing from peers, loopback addresses.

Exit status: 0 when every node was checked and nothing is wrong, 3 when a problem was found (warnings included), 4 when something could not be checked and nothing else was found, 2 for a usage error.`
  static override strict = false
  static override args = {
    addr: Args.string({description: 'meta node addresses: host[:8091] or http(s)://host:port; repeat for several', ignoreStdin: true}),
  }
  static override flags = {
    ...probeFlags,
    file: Flags.string({char: 'f', description: 'check a saved /status body offline instead of probing; repeatable', multiple: true, multipleNonGreedy: true}),
    watch: durationFlag({char: 'w', description: `probe again every INTERVAL until Ctrl-C (the interval is optional: ${DEFAULT_WATCH_MS / 1000}s)`, helpValue: '[INTERVAL]'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-1',
    '<%= config.bin %> <%= command.id %> meta-1:8091 meta-2:8091 meta-3:8091 --timeout 10s --http-timeout 2s',
    '<%= config.bin %> <%= command.id %> https://meta-1:8091 --ca /etc/ssl/cluster-ca.pem --username admin --jwt-secret "$SHARED_SECRET"',
    '<%= config.bin %> <%= command.id %> meta-1 --watch 1s',
    '<%= config.bin %> <%= command.id %> --file meta-1-status.json --file meta-2-status.json',
    '<%= config.bin %> <%= command.id %> meta-1 --json | jq .quorum',
  ]

  private watching = false

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(Status, withWatchDefault(this.argv))
    const addresses = argv as string[]
    const files = flags.file ?? []
    if (addresses.length === 0 && files.length === 0) {
      throw usageError('no meta node address given', 'no-input', [
        'medic status meta-1:8091',
        'medic status --file status.json   (a saved /status body)',
      ])
    }
    if (addresses.length > 0 && files.length > 0) {
      throw usageError('give meta node addresses or --file, not both', 'addr-and-file', [
        ...(hasControl(addresses[0]) ? [] : [`medic status ${shellQuote(addresses[0])}`]),
        ...(hasControl(files[0]) ? [] : [`medic status --file ${shellQuote(files[0])}`]),
      ])
    }
    if (files.includes('-')) {
      throw usageError('--file reads saved files, not standard input', 'stdin-not-supported', ['save the body first: curl -sS http://meta-1:8091/status > status.json; medic status --file status.json'])
    }
    if (flags.watch !== undefined && files.length > 0) {
      throw usageError('--watch probes live nodes; saved --file bodies do not change', 'watch-and-file', ['medic status meta-1:8091 --watch 2s'])
    }
    const http = await httpOptionsFromFlags(flags, 'medic status meta-1:8091')
    const command = addresses.some((a) => hasControl(a)) ? undefined : ['medic status', ...addresses.map(shellQuote)].join(' ')
    if (flags.watch !== undefined) return this.watch(addresses, http, flags.timeout, flags.watch, command)
    let report: StatusReport
    try {
      report = files.length > 0 ? await checkStatusFiles(files, undefined, flags.timeout) : await probeCluster(addresses, {http, runTimeoutMs: flags.timeout, command})
    } finally {
      await closeHttp()
    }
    if (!this.jsonEnabled()) this.out(await renderStatus(report))
    if (report.exitCode === ExitCode.CANNOT_CHECK) this.note(report.summary.checked === 0 ? 'Error: no node could be checked: see the errors above' : 'Error: some nodes could not be checked, and nothing wrong was found in the others: the state is UNKNOWN')
    return this.finish(report, report.exitCode)
  }

  /** Probes every `intervalMs` until Ctrl-C; prints each round (TTY), each change (pipe) or each change as NDJSON. */
  private async watch(addresses: string[], http: HttpOptions, roundMs: number, intervalMs: number, command: string | undefined): Promise<object> {
    this.watching = true
    const json = this.jsonEnabled()
    const live = !json && Boolean(process.stdout.isTTY)
    const stop = abortOnSignals()
    let last: StatusReport | undefined
    let lastDigest = ''
    let rounds = 0
    let changes = 0
    try {
      while (!stop.signal.aborted) {
        const started = Date.now()
        const report = await probeCluster(addresses, {http: {...http, signal: stop.signal}, runTimeoutMs: roundMs, command})
        if (stop.signal.aborted) break
        rounds++
        last = report
        const digest = watchDigest(report)
        const changed = digest !== lastDigest
        lastDigest = digest
        const at = new Date()
        if (live) {
          // Home and clear, then the frame (as watch(1) does: long lines that wrap cannot leave old rows behind). The
          // control sequence goes straight to the terminal: the output sink escapes every control character.
          process.stdout.write('\u001B[H\u001B[2J')
          this.out(`${renderWatchHeader(addresses, intervalMs, at)}\n\n${await renderStatus(report)}`)
        } else if (changed) {
          changes++
          if (json) this.ndjson({schemaVersion: SCHEMA_VERSION, command: this.commandName(), type: 'status', time: at.toISOString(), ...report})
          else this.out(renderWatchLine(report, at))
        }
        await sleep(Math.max(0, intervalMs - (Date.now() - started)), stop.signal)
      }
    } finally {
      stop.dispose()
      await closeHttp()
    }
    const exitCode = last?.exitCode ?? ExitCode.CANNOT_CHECK
    if (!json) this.note(`Stopped after ${rounds} round${rounds === 1 ? '' : 's'}${live ? '' : ` (${changes} change${changes === 1 ? '' : 's'} shown)`}.`)
    return this.finish({type: 'summary', rounds, changes, intervalMs, ...(last ?? {})}, exitCode)
  }

  /** With --watch --json the stream is NDJSON: the final summary is one line too. */
  override logJson(json: unknown): void {
    if (this.watching) this.ndjson(json as object)
    else super.logJson(json)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })
}
