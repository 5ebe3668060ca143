import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {durationFlag} from '../../cli/flags.js'
import {httpFlags, httpOptionsFromFlags} from '../../cli/probe-flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {ExitCode, usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {liveLine, renderLoadReport} from '../../format/write.js'
import {runLoad} from '../../loadgen/run.js'

export default class DevWrite extends BaseCommand {
  static override summary = 'Write load to a data node (the dev cluster\'s, or any InfluxDB 1.x URL) and count every answer'
  static override description = `POSTs batches of line protocol to /write, with --concurrency requests in flight, at --rate points per second or as fast as the node takes them, until --points or --duration (or Ctrl-C). Every answer is counted by status and body, so 204s, "500 partial write", "500 write failed: hinted handoff queue not empty" and "500 timeout" are told apart, with p50/p90/p99 latency. A live line shows on a terminal; the summary goes to stdout (--json: one document).

It never retries unless asked: --retry N sends a request answered 5xx (or not answered) again up to N times, which reproduces the retry amplification clients cause when they retry a 500 whose points were already stored or queued.

Each point has its own timestamp (series medic_load,host=h<k>,region=r<k%4>; fields value, seq), so the points acknowledged can be counted exactly afterwards.

Exit status: 0 when every request was acknowledged (2xx); 3 when some answers were errors; 4 when the node could not be reached at all; 2 for a usage error.`
  static override flags = {
    url: Flags.string({char: 'u', description: 'the data node\'s HTTP address, e.g. http://127.0.0.1:18286', required: true, env: 'MEDIC_WRITE_URL'}),
    db: Flags.string({description: 'the database (created first when missing)', default: 'medic'}),
    rp: Flags.string({description: 'the retention policy (default: the database\'s default)'}),
    consistency: Flags.string({description: 'the write consistency', options: ['any', 'one', 'quorum', 'all']}),
    'batch-size': Flags.integer({description: 'points per request', default: 5000, min: 1, max: 1_000_000}),
    concurrency: Flags.integer({char: 'c', description: 'requests in flight', default: 4, min: 1, max: 1000}),
    series: Flags.integer({description: 'distinct series', default: 100, min: 1, max: 10_000_000}),
    rate: Flags.integer({description: 'points per second overall (default: as fast as possible)', min: 1}),
    points: Flags.integer({char: 'n', description: 'stop after this many points'}),
    duration: durationFlag({description: 'stop after this long (default: 10s when --points is not given)'}),
    retry: Flags.integer({description: 'retries of a request answered 5xx or not answered (default 0: never)', default: 0, min: 0, max: 100}),
    ...httpFlags,
    // A write waits for the owners up to [cluster] write-timeout (10s) before the node answers "timeout".
    'http-timeout': durationFlag({description: 'deadline of each request', default: 10_000, env: 'MEDIC_HTTP_TIMEOUT'}),
    'jwt-secret': Flags.string({description: "the data node's [http] shared-secret: sign a short-lived HS512 JWT for --username instead of Basic auth", env: 'MEDIC_JWT_SECRET'}),
    seed: Flags.integer({description: 'seed of the generated values', default: 1}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> --url http://127.0.0.1:18286 --points 1000000',
    '<%= config.bin %> <%= command.id %> --url http://127.0.0.1:18286 --rate 20000 --duration 1m --consistency all',
    '<%= config.bin %> <%= command.id %> --url http://127.0.0.1:18286 --duration 30s --retry 3 --json',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(DevWrite)
    let url: URL
    try {
      url = new URL(/^https?:\/\//.test(flags.url) ? flags.url : `http://${flags.url}`)
    } catch {
      throw usageError(`--url ${flags.url} is not a URL`, 'bad-url', ['medic dev write --url http://127.0.0.1:18286'])
    }
    const http = await httpOptionsFromFlags(flags, `medic dev write --url ${shellQuote(url.origin)}`)
    const tls = {insecure: http.insecure, ca: http.ca}
    const {ensureDatabase} = await import('../../loadgen/database.js')
    const {signal, dispose} = abortOnSignals()
    try {
      await ensureDatabase(url.href, flags.db, {timeoutMs: flags['http-timeout'], auth: http.auth, tls})
      const live = process.stderr.isTTY && !this.jsonEnabled()
      const report = await runLoad({
        url: url.href, db: flags.db, rp: flags.rp, consistency: flags.consistency as 'one' | undefined, batchSize: flags['batch-size'],
        concurrency: flags.concurrency, series: flags.series, rate: flags.rate, points: flags.points,
        durationMs: flags.duration ?? (flags.points === undefined ? 10_000 : undefined), timeoutMs: flags['http-timeout'], retries: flags.retry,
        auth: http.auth, tls, seed: flags.seed, signal,
        onProgress: live ? (r) => process.stderr.write(`\r\u001b[2K${liveLine(r)}`) : undefined,
      })
      if (live) process.stderr.write('\r\u001b[2K')
      this.out(renderLoadReport(report))
      const errors = report.outcomes.filter((o) => o.status === undefined || o.status >= 300)
      const exit = errors.length === 0 ? ExitCode.OK : report.pointsAcknowledged === 0 && errors.every((o) => o.status === undefined) ? ExitCode.CANNOT_CHECK : ExitCode.PROBLEMS
      return this.finish(report, exit)
    } finally {
      dispose()
    }
  }
}
