import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag, timeFlag} from '../../cli/flags.js'
import {ExitCode, usageError} from '../../errors.js'
import {progressText, renderSummary} from '../../format/summary.js'
import {resolveInputs} from '../../logs/input.js'
import {summariseInputs} from '../../logs/parallel.js'

export default class LogsSummarize extends BaseCommand {
  static override summary = 'Summarise whole InfluxDB Enterprise log files: what happened, when, where, ranked by what needs action'
  static override description = `Streams any number of log files (plain or gzip) or standard input in constant memory, recognises every line with the explain catalogue and reports, per entry: count, verdict, first and last seen, and the sources (files or hosts), node ids and shards involved. Also: a timeline histogram with the actionable entries marked, process restarts, CQ lease gaps, and the lines that matched nothing, grouped into templates. Files from several nodes are merged by time.

Exit status: 0 when nothing needs action, 3 when a warning or critical entry was found, 2 for a usage error, 4 when an input cannot be read.`
  static override strict = false
  static override args = {
    file: Args.string({description: 'log files (plain or .gz); "-" or nothing for standard input', ignoreStdin: true}),
  }
  static override flags = {
    since: timeFlag({description: 'ignore lines before this time (RFC 3339, a date, or relative: 30m, 2h, 7d)'}),
    until: timeFlag({description: 'ignore lines after this time'}),
    'lease-duration': durationFlag({description: 'the meta nodes\' [meta] lease-duration, for judging CQ lease denials', default: 60_000, env: 'MEDIC_LEASE_DURATION'}),
    top: Flags.integer({description: 'how many unrecognised-line templates to show', default: 20, min: 0}),
    workers: Flags.integer({description: 'worker threads (default: one per core, at most 4; 0 = main thread only)', min: 0, max: 16, hidden: true}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/log/influxdb/influxdb.log',
    '<%= config.bin %> <%= command.id %> data-01.log data-02.log.gz meta-01.log --since 2026-11-21T02:00:00Z --until 2026-11-21T06:00:00Z',
    'journalctl -u influxdb --since -6h | <%= config.bin %> <%= command.id %> -',
    '<%= config.bin %> <%= command.id %> influxdb.log --json',
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(LogsSummarize)
    if (flags.since !== undefined && flags.until !== undefined && flags.since > flags.until) {
      throw usageError('--since is later than --until', 'bad-time-range', ['swap the two times'])
    }
    const inputs = await resolveInputs(argv as string[], [
      'give files: medic logs summarize /var/log/influxdb/influxdb.log',
      'or pipe a log in: journalctl -u influxdb --since today | medic logs summarize -',
    ])
    const progress = await this.progress()
    let report
    try {
      report = await summariseInputs(inputs, {
        since: flags.since, until: flags.until, leaseDurationMs: flags['lease-duration'], workers: flags.workers,
        templateLimit: Math.max(flags.top, this.jsonEnabled() ? 50 : flags.top),
        onProgress: progress?.update,
      })
    } finally {
      progress?.stop()
    }
    if (!this.jsonEnabled()) this.out(renderSummary(report, {top: flags.top}))
    const exitCode = report.verdict === 'critical' || report.verdict === 'warning' ? ExitCode.PROBLEMS : ExitCode.OK
    return this.finish(report, exitCode)
  }

  /** A spinner with a percentage, only on an interactive stderr (ora loops forever on a 0-column TTY). */
  private async progress(): Promise<{update: (p: {bytesRead: number; totalBytes?: number}) => void; stop: () => void} | undefined> {
    if (this.jsonEnabled() || !process.stderr.isTTY || (process.stderr.columns ?? 0) <= 0 || process.env.CI) return undefined
    const {default: ora} = await import('ora')
    const spinner = ora({text: 'reading logs', stream: process.stderr}).start()
    return {
      update: (p) => {
        spinner.text = progressText(p)
      },
      stop: () => spinner.stop(),
    }
  }
}
