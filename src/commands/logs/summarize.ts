import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag, timeFlag} from '../../cli/flags.js'
import {type ExitCodeValue, inputError, usageError} from '../../errors.js'
import {progressText, renderSummary} from '../../format/summary.js'
import {resolveInputs} from '../../logs/input.js'
import {summariseInputs} from '../../logs/parallel.js'
import {filterReport, MIN_LEVELS, type MinLevel} from '../../logs/summary.js'
import {badZoneSuggestions, parseZone} from '../../logs/time.js'
import {sh} from '../../util/text.js'

export default class LogsSummarize extends BaseCommand {
  static override chalkFree = true
  static override summary = 'Summarise whole InfluxDB Enterprise log files: what happened, when, where, ranked by what needs action'
  static override description = `Streams any number of log files (plain or gzip), named pipes or standard input in constant memory, recognises every line with the explain catalogue and reports, per entry: count, verdict, first and last seen, and the sources (files or hosts), node ids and shards involved. Also: a timeline histogram with the actionable entries marked, process restarts, CQ lease gaps, and the lines that matched nothing, grouped into templates. Files from several nodes are merged by time. An input that cannot be read (missing, not text, a cut-short gzip) is reported and the others are summarised.

Exit status: 0 when nothing needs action, 3 when a warning or critical entry was found, 2 for a usage error, 4 when an input cannot be read (and nothing else needs action) or nothing could be read at all.`
  static override strict = false
  static override args = {
    file: Args.string({description: 'log files (plain or .gz) or named pipes; "-" or nothing for standard input', ignoreStdin: true}),
  }
  static override flags = {
    since: timeFlag({description: 'ignore lines before this time (RFC 3339, a date, or relative: 30m, 2h, 7d); lines without a timestamp are then left out'}),
    until: timeFlag({description: 'ignore lines after this time'}),
    'lease-duration': durationFlag({description: 'the meta nodes\' [meta] lease-duration, for judging CQ lease denials', default: 60_000, env: 'MEDIC_LEASE_DURATION'}),
    min: Flags.string({description: 'show only entries at or above this verdict (critical > warning > info > expected); unrecognised lines only without --min', options: [...MIN_LEVELS]}),
    tz: Flags.string({description: 'time zone of timestamps that carry none ([svc] YYYY/MM/DD of 0.9-1.1 logs, syslog): UTC, local, an IANA name or +02:00', default: 'UTC', env: 'MEDIC_TZ'}),
    top: Flags.integer({description: 'how many unrecognised-line templates to show', default: 20, min: 0}),
    workers: Flags.integer({description: 'worker threads (default: one per core, at most 4; 0 = main thread only)', min: 0, max: 16, hidden: true}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/log/influxdb/influxdb.log',
    '<%= config.bin %> <%= command.id %> data-01.log data-02.log.gz meta-01.log --since 2026-11-21T02:00:00Z --until 2026-11-21T06:00:00Z',
    'journalctl -u influxdb --since -6h | <%= config.bin %> <%= command.id %> -',
    '<%= config.bin %> <%= command.id %> <(ssh data-01 cat /var/log/influxdb/influxdb.log) --min warning',
    '<%= config.bin %> <%= command.id %> influxdb.log --json',
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(LogsSummarize)
    if (flags.since !== undefined && flags.until !== undefined && flags.since > flags.until) {
      throw usageError('--since is later than --until', 'bad-time-range', ['swap the two times'])
    }
    if (parseZone(flags.tz) === undefined) {
      const paths = (argv as string[]).map((a) => sh`${a}`)
      const again = paths.some((x) => x === undefined) ? undefined : ['medic logs summarize', ...paths].join(' ')
      throw usageError(`--tz: "${flags.tz}" is not a time zone`, 'bad-time-zone', badZoneSuggestions(again))
    }
    const inputs = await resolveInputs(argv as string[], [
      'give files: medic logs summarize /var/log/influxdb/influxdb.log',
      'or pipe a log in: journalctl -u influxdb --since today | medic logs summarize -',
    ], process.stdin, {tolerant: true})
    const progress = await this.progress()
    let report
    try {
      report = await summariseInputs(inputs, {
        since: flags.since, until: flags.until, leaseDurationMs: flags['lease-duration'], workers: flags.workers, tz: flags.tz,
        templateLimit: Math.max(flags.top, this.jsonEnabled() ? 50 : flags.top),
        onProgress: progress?.update,
        // One line on stderr (not a redraw), also off a terminal: a script stuck on a pipe nobody writes to says why.
        open: {onWait: (message) => this.note(message)},
      })
    } finally {
      progress?.stop()
    }
    const problems = report.input.problems
    const read = report.input.lines + report.input.filteredOut + report.input.untimedSkipped
    if (problems.length > 0 && problems.length === inputs.length && read === 0) {
      // Not one input could be read: an error naming it, as for a single missing file.
      throw inputError(problems[0].message, problems[0].code)
    }
    const shown = flags.min === undefined ? report : filterReport(report, flags.min as MinLevel)
    if (!this.jsonEnabled()) this.out(renderSummary(shown, {top: flags.top, min: flags.min as MinLevel | undefined}))
    return this.finish(shown, report.exitCode as ExitCodeValue)
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
