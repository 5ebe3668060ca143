import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../cli/flags.js'
import {hhDirArg, hhLimitFlags, hhRemoteFlags, openHhMonitor} from '../../cli/hh-flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {ExitCode} from '../../errors.js'
import {renderWaitProgress, renderWaitResult, StatusLine} from '../../format/hh.js'
import {waitForDrain} from '../../hh/monitor.js'

export default class HhWait extends BaseCommand {
  static override summary = 'Wait until every hinted-handoff queue is empty: the gate between two steps of a rolling upgrade'
  static override description = `Samples the queues every --interval (from a data node's hh directory, or from data nodes' /debug/vars with --url) until every queue is empty, and exits 0 then. Gives up with exit 3 when --timeout passes, or as soon as a queue with data makes no progress (neither shrinks nor delivers) for --stall-timeout; HH retries back off up to retry-max-interval (200s in 1.9+), so keep --stall-timeout above that. A corrupt or unreadable segment counts as not empty.

Progress goes to stderr: redrawn in place on a terminal, one line per change otherwise; nothing with --json, which prints one JSON document at the end.

Exit status: 0 when every queue is empty, 3 on timeout, stall or Ctrl-C, 2 for a usage error, 4 when the queues cannot be read.`
  static override args = hhDirArg
  static override flags = {
    ...hhLimitFlags,
    url: hhRemoteFlags.url,
    interval: hhRemoteFlags.interval,
    window: hhRemoteFlags.window,
    'slow-eta': hhRemoteFlags['slow-eta'],
    timeout: durationFlag({char: 't', description: 'give up (exit 3) when the queues are not empty after this long', default: 30 * 60_000, defaultHelp: async () => '30m', env: 'MEDIC_HH_WAIT_TIMEOUT'}),
    'stall-timeout': durationFlag({description: 'give up (exit 3) when a queue with data makes no progress for this long', default: 5 * 60_000, defaultHelp: async () => '5m', env: 'MEDIC_HH_STALL_TIMEOUT'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh --timeout 30m && echo "safe to upgrade the next data node"',
    '<%= config.bin %> <%= command.id %> --url data-1:8086 --url data-2:8086 --url data-3:8086 --timeout 1h',
    '<%= config.bin %> <%= command.id %> --config /etc/influxdb/influxdb.conf --interval 10s --stall-timeout 10m --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(HhWait)
    const {settings, target, sampler, monitor} = await openHhMonitor(args.dir, flags, 'wait', (m) => this.note(`warning: ${m}`))
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
    const {snapshot, stalled, ...rest} = result
    return this.finish({
      ...rest,
      target,
      settings,
      timeoutMs: flags.timeout,
      stallTimeoutMs: flags['stall-timeout'],
      stalled: stalled.map((q) => ({source: q.source, node: q.node, shard: q.shard, pendingBytes: q.pendingBytes, noProgressMs: q.noProgressMs})),
      ...snapshot,
    }, result.outcome === 'drained' ? ExitCode.OK : ExitCode.PROBLEMS)
  }
}
