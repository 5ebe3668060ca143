import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {durationFlag, timeFlag} from '../cli/flags.js'
import {httpOptionsFromFlags, probeFlags} from '../cli/probe-flags.js'
import {abortOnSignals} from '../cli/signals.js'
import type {Area} from '../doctor/types.js'

const SKIPPABLE = ['configs', 'hh', 'logs'] as const

export default class Doctor extends BaseCommand {
  static override summary = 'One report on a whole cluster: meta nodes, data nodes, configs, hinted handoff and logs, worst first, each finding with its next command'
  static override description = `Runs what medic status, config check, hh watch --url and logs summarize run, and puts it in one report:
  meta     /status of every meta node and peer, the quorum, leader agreement, /show-cluster (--meta)
  data     every data node's /ping, and its write statistics in /debug/vars (writes failing, timing out, partial, sent to hinted handoff)
  configs  config check of every file given, as one cluster (--configs)
  hh       hinted-handoff queues: verdicts, ETA, "queue is full" and max-age forecasts (--hh DIR, --hh-url, or the data nodes found)
  logs     the log summary, actionable entries first (--logs, from --since on)

/debug/vars is read --samples times, --interval apart (default 2, 1s): rates, verdicts and failing writes need two. A node that does not answer comes before what it explains (the queues towards it, the other nodes' failing writes, log lines that name it, the quorum), however severe those are: each says "caused by #N". Otherwise findings are ranked by severity, and among equals the likelier cause first (a config, then the meta nodes, a data node down, hinted handoff, failing writes, log lines). Each has a stable id (the id the same check has in the command it comes from), the node, the evidence, and the next command ready to paste.

Each area is ok, warning, critical or unknown; an area that could not be checked, or was not given, is unknown, never ok (--skip leaves an area out on purpose).

--bundle F.tar.gz also writes a support bundle: the config files with every secret replaced by a label, the nodes' answers (/status, /show-cluster, /ping, /debug/vars), the log summary and the last --tail lines of each log (redacted), and this report. --offline F.tar.gz reads one back, on any machine, and gives the same report.

Exit status: 0 when every area was checked and nothing needs action, 3 when a problem was found (warnings included), 4 when something could not be checked and nothing else was found, 2 for a usage error.`
  static override flags = {
    meta: Flags.string({char: 'm', description: 'a meta node (host[:8091] or URL); its peers and data nodes are found; repeatable', multiple: true}),
    configs: Flags.string({char: 'c', description: 'config files, or folders holding them (*.conf, *.toml, three levels down); checked as one cluster', multiple: true}),
    hh: Flags.string({description: 'a data node\'s hinted-handoff directory to read instead of /debug/vars; repeatable', multiple: true}),
    'hh-url': Flags.string({description: 'data nodes (host[:8086]) whose hinted handoff to judge (default: every data node found)', multiple: true}),
    logs: Flags.string({char: 'l', description: 'log files (plain or gzip), or folders holding them (*.log, *.gz)', multiple: true}),
    since: timeFlag({description: 'logs: leave out lines before this time (RFC 3339, a date, or relative: 30m, 1h, 7d)'}),
    skip: Flags.string({description: 'leave an area out on purpose (it is then neither checked nor counted as unknown); repeatable', options: [...SKIPPABLE], multiple: true}),
    samples: Flags.integer({description: '/debug/vars samples (2 or more give rates and verdicts)', default: 2, min: 1, max: 60}),
    interval: durationFlag({description: 'time between samples', default: 1_000}),
    bundle: Flags.string({description: 'also write a redacted support bundle to this .tar.gz file'}),
    tail: Flags.integer({description: 'with --bundle: the last lines of each log file to keep', default: 200, min: 0, max: 100_000}),
    offline: Flags.string({description: 'read a support bundle (written by --bundle) instead of the cluster, and report on it'}),
    'lease-duration': durationFlag({description: 'the meta nodes\' [meta] lease-duration, for judging CQ lease denials in logs', default: 60_000, env: 'MEDIC_LEASE_DURATION'}),
    tz: Flags.string({description: 'logs: time zone of timestamps that carry none', default: 'UTC', env: 'MEDIC_TZ'}),
    ...probeFlags,
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> --meta meta-1:8091',
    '<%= config.bin %> <%= command.id %> --meta meta-1:8091 --configs /etc/influxdb --logs /var/log/influxdb --since 1h',
    '<%= config.bin %> <%= command.id %> --meta meta-1 --hh-url data-1:8086 --hh-url data-2:8086 --samples 5 --interval 2s',
    '<%= config.bin %> <%= command.id %> --meta meta-1 --configs /etc/influxdb --logs /var/log/influxdb --bundle /tmp/cluster.tar.gz',
    '<%= config.bin %> <%= command.id %> --offline cluster.tar.gz',
    '<%= config.bin %> <%= command.id %> --meta meta-1 --skip logs --skip configs --json | jq \'.findings[0]\'',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(Doctor)
    const {doctor} = await import('../doctor/invoke.js')
    const {renderDoctor} = await import('../format/doctor.js')
    const {report, bundle} = await doctor({
      ...(flags.offline === undefined ? {} : {offline: flags.offline}),
      liveFlags: (['meta', 'configs', 'hh', 'hh-url', 'logs', 'bundle', 'since', 'skip'] as const).filter((k) => flags[k] !== undefined),
      meta: flags.meta ?? [],
      configs: flags.configs ?? [],
      hhDirs: flags.hh ?? [],
      hhUrls: flags['hh-url'] ?? [],
      logs: flags.logs ?? [],
      ...(flags.since === undefined ? {} : {sinceMs: flags.since}),
      skip: (flags.skip ?? []) as Area[],
      samples: flags.samples,
      intervalMs: flags.interval,
      timeoutMs: flags.timeout,
      httpTimeoutMs: flags['http-timeout'],
      leaseDurationMs: flags['lease-duration'],
      tz: flags.tz,
      ...(flags.bundle === undefined ? {} : {bundle: flags.bundle}),
      tailLines: flags.tail,
      access: {
        ...(flags.username === undefined ? {} : {username: flags.username}),
        password: flags.password !== undefined,
        jwt: flags['jwt-secret'] !== undefined,
        ...(flags.ca === undefined ? {} : {ca: flags.ca}),
        insecure: flags.insecure ?? false,
      },
    }, {
      http: () => httpOptionsFromFlags(flags, 'medic doctor --meta meta-1:8091'),
      signals: abortOnSignals,
      render: (r) => renderDoctor(r),
      ...(this.jsonEnabled() ? {} : {print: (text: string) => this.out(text)}),
      medicVersion: this.config.version,
    })
    if (bundle !== undefined) this.note(`Support bundle written: ${bundle.path} (read it back with: ${bundle.readBack})`)
    return this.finish(report, report.exitCode)
  }
}
