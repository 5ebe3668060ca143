import {Flags} from '@oclif/core'

import {BaseCommand, SCHEMA_VERSION} from '../../cli/base-command.js'
import {hhDirArg, hhLimitFlags, hhRemoteFlags, openHhMonitor} from '../../cli/hh-flags.js'
import {abortOnSignals} from '../../cli/signals.js'
import {LiveArea, renderWatchFrame, renderWatchLine, renderWatchSummary, type WatchHeader, watchRecord} from '../../format/hh.js'
import {runVerdict, sampleLoop, type Snapshot} from '../../hh/monitor.js'

export default class HhWatch extends BaseCommand {
  static override summary = 'Watch hinted-handoff queues drain: rate, verdict, ETA, and forecasts of "queue is full" and max-age loss'
  static override description = `Samples the queues every --interval, from a data node's hh directory or, without shell access, from one or more data nodes' /debug/vars (--url; restart-safe: queueBytes for sizes; bytesRead, the bytes read from the queue and delivered, and writeNodeReqFail, the failed sends, handled as counters that reset on restart). Per destination node and shard queue: bytes to send, the net rate from a robust (Theil-Sen) slope over the last --window samples (for a queue that is delivering, only those since its deliveries began: the first seen, or the first after 10s without one), a verdict, the ETA to empty with a range, when the node's queues reach max-size ("queue is full": writes for it fail), when the oldest data reaches max-age (and is dropped) if the queue will not be empty by then, and a sparkline.

Verdicts: drained (empty), draining, slow (shrinking too slowly: ETA past --slow-eta or past max-age, or ingest as fast as delivery), growing (delivering, but more arrives), retrying (nothing delivered for 10s or more: HH backs off after a failed send, up to retry-max-interval between attempts; says when the next attempt is due), stalled (nothing delivered for longer than that back-off allows: retry-max-interval plus 10s, or --stall-after), blocked (at max-size, or near it while the node counts refused writes: writeDropped), unknown (before the second sample, or in the first 10s without a delivery). Every threshold is a time, so the verdict does not depend on --interval.

On a terminal the table is redrawn in place; otherwise one line per sample; with --json one NDJSON object per sample ("type":"sample") and a final summary object ("type":"summary"), each with schemaVersion. Stops after --samples, or on Ctrl-C, and prints a summary: per queue the bytes drained and the time it took (or what is left). Several --url give a matrix of source node by destination node. --url accepts credentials (--username, --password, --jwt-secret) and https (--ca, --insecure); a meta node given as --url is recognised and the data nodes it knows are suggested.

Exit status: 0 when, at the end, every queue was judged and none needs action; 3 when one is stalled or blocked (critical), growing, retrying, or slow enough to lose data to max-age (warning); 4 when a queue could not be judged (still unknown, unreadable) or a source could not be read, and nothing needs action; 2 for a usage error.`
  static override args = hhDirArg
  static override flags = {
    ...hhLimitFlags,
    ...hhRemoteFlags,
    samples: Flags.integer({char: 'n', description: 'stop after this many samples (0: until Ctrl-C)', default: 0, min: 0}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh',
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh --interval 10s --samples 30',
    '<%= config.bin %> <%= command.id %> --url data-1:8086 --url data-2:8086 --url data-3:8086 --meta meta-1:8091',
    '<%= config.bin %> <%= command.id %> --url https://data-1:8086 --ca /etc/ssl/cluster-ca.pem --username admin --password "$PASSWORD"',
    '<%= config.bin %> <%= command.id %> --config /etc/influxdb/influxdb.conf --json | jq -c \'select(.type=="sample") | .totals\'',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(HhWatch)
    const {settings, target, sampler, monitor, metaFindings} = await openHhMonitor(args.dir, flags, 'watch', (m) => this.note(`warning: ${m}`))
    const header: WatchHeader = {
      target: target.kind === 'dir' ? target.dir : sampler.sources.join(', '),
      intervalMs: flags.interval,
      window: flags.window,
      settings,
    }
    const json = this.jsonEnabled()
    const live = !json && Boolean(process.stdout.isTTY) && (process.stdout.columns ?? 0) > 0
    const area = live ? new LiveArea(process.stdout) : undefined
    const stop = abortOnSignals()
    let last: Snapshot | undefined
    let count = 0
    try {
      for await (const sample of sampleLoop(sampler, {intervalMs: flags.interval, count: flags.samples, signal: stop.signal})) {
        count++
        last = monitor.add(sample)
        if (json) this.ndjson({schemaVersion: SCHEMA_VERSION, command: this.commandName(), ...watchRecord('sample', last)})
        else if (area) area.render(await renderWatchFrame(last, header))
        else this.out(renderWatchLine(last))
      }
    } finally {
      stop.dispose()
      await sampler.close()
    }
    area?.done()
    const verdict = runVerdict(last, metaFindings)
    if (!json) this.out('\n' + (await renderWatchSummary(last, header, count, verdict, area !== undefined && last !== undefined)))
    return this.finish(watchRecord('summary', last, {
      target,
      settings,
      intervalMs: flags.interval,
      window: flags.window,
      samples: count,
      interrupted: stop.signal.aborted,
      verdict: verdict.outcome.verdict,
      overall: verdict.outcome,
      problems: verdict.problems,
    }), verdict.outcome.exitCode)
  }

  /** NDJSON: the final summary (and an error) is one line too, like the sample lines before it. */
  override logJson(json: unknown): void {
    this.ndjson(json as object)
  }
}
