import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../cli/flags.js'
import {hhDirArg, hhLimitFlags, hhRemoteFlags, openHhMonitor} from '../../cli/hh-flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {renderWaitProgress, renderWaitResult, StatusLine} from '../../format/hh.js'
import {waitForDrain} from '../../hh/monitor.js'
import {formatShortDurationMs} from '../../util/duration.js'

export default class HhWait extends BaseCommand {
  static override summary = 'Wait until every hinted-handoff queue is empty: the gate between two steps of a rolling upgrade'
  static override description = `Samples the queues every --interval (from a data node's hh directory, or from data nodes' /debug/vars with --url) until every queue is empty, and exits 0 then. Gives up with exit 3 when --timeout passes (a scan or request still running then is stopped), or when a queue judged stalled has delivered nothing for --stall-timeout. A queue is judged stalled only past the back-off HH is allowed (retry-max-interval, 200s by default as documented for 1.9+, from --retry-max-interval or --config; plus 10s for one attempt), or past --stall-after when given. A corrupt or unreadable segment counts as not empty.

A directory must show the hh layout (destination-node directories): a folder that does not (an empty one, the parent of the hh directory) is refused with exit 4 instead of being called drained; an empty hh directory is accepted when --config names it.

Progress goes to stderr: redrawn in place on a terminal, one line per change otherwise; nothing with --json, which prints one JSON document at the end.

Exit status: 0 when every queue is empty and everything could be read, 3 on timeout, stall or Ctrl-C (or a warning such as a node directory given instead of the hh directory), 4 when the queues cannot be read, 2 for a usage error.`
  static override args = hhDirArg
  static override flags = {
    ...hhLimitFlags,
    url: hhRemoteFlags.url,
    interval: hhRemoteFlags.interval,
    window: hhRemoteFlags.window,
    'slow-eta': hhRemoteFlags['slow-eta'],
    'retry-max-interval': hhRemoteFlags['retry-max-interval'],
    'stall-after': hhRemoteFlags['stall-after'],
    timeout: durationFlag({char: 't', description: 'give up (exit 3) when the queues are not empty after this long', default: 30 * 60_000, env: 'MEDIC_HH_WAIT_TIMEOUT'}),
    'stall-timeout': durationFlag({description: 'give up (exit 3) when a queue judged stalled has delivered nothing for this long', default: 5 * 60_000, env: 'MEDIC_HH_STALL_TIMEOUT'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh --timeout 30m && echo "safe to upgrade the next data node"',
    '<%= config.bin %> <%= command.id %> --url data-1:8086 --url data-2:8086 --url data-3:8086 --timeout 1h',
    '<%= config.bin %> <%= command.id %> --config /etc/influxdb/influxdb.conf --interval 10s --stall-timeout 10m --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(HhWait)
    const {settings, target, sampler, monitor, metaFindings} = await openHhMonitor(args.dir, flags, 'wait', (m) => this.note(`warning: ${m}`))
    const stallLimit = flags['stall-after'] ?? settings.retryMaxIntervalMs + 10_000
    if (flags['stall-timeout'] < stallLimit) {
      this.note(`note: a queue is judged stalled only after ${formatShortDurationMs(stallLimit)} without a delivery (HH's back-off), so --stall-timeout ${formatShortDurationMs(flags['stall-timeout'])} acts from then`)
    }
    const json = this.jsonEnabled()
    const tty = Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0
    const status = !json && tty ? new StatusLine(process.stderr) : undefined
    let lastLine = ''
    const stop = abortOnSignals()
    let result
    try {
      result = await waitForDrain(sampler, monitor, {
        intervalMs: flags.interval,
        timeoutMs: flags.timeout,
        stallTimeoutMs: flags['stall-timeout'],
        signal: stop.signal,
        findings: metaFindings,
        onSnapshot: (snap, elapsed) => {
          if (json) return
          const line = renderWaitProgress(snap, elapsed, flags.timeout)
          if (status) status.update(line)
          else if (line.replace(/ · .*$/, '') !== lastLine) {
            // Without a terminal: one line whenever the state changes, not one per sample.
            lastLine = line.replace(/ · .*$/, '')
            this.note(line)
          }
        },
      })
    } finally {
      status?.clear()
      stop.dispose()
      await sampler.close()
    }
    const label = target.kind === 'dir' ? target.dir : sampler.sources.join(', ')
    if (!json) this.out(await renderWaitResult(result, label, flags.timeout))
    const {snapshot, stalled, verdict, ...rest} = result
    return this.finish({
      ...rest,
      target,
      settings,
      timeoutMs: flags.timeout,
      stallTimeoutMs: flags['stall-timeout'],
      verdict: verdict.outcome.verdict,
      overall: verdict.outcome,
      problems: verdict.problems,
      stalled: stalled.map((q) => ({source: q.source, node: q.node, shard: q.shard, pendingBytes: q.pendingBytes, noDeliveryMs: q.noDeliveryMs})),
      ...(snapshot ?? {}),
    }, verdict.outcome.exitCode)
  }
}
