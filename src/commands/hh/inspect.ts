import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configVouchesFor, hhDirArg, hhHttpOptions, hhLimitFlags, resolveDir} from '../../cli/hh-flags.js'
import {renderInspect} from '../../format/hh.js'
import {buildInspectReport} from '../../hh/analytics.js'
import {lookupHosts} from '../../hh/sampler.js'
import {scanHhDir} from '../../hh/scan.js'
import {resolveHhSettings} from '../../hh/settings.js'

export default class HhInspect extends BaseCommand {
  static override summary = 'Show what the hinted-handoff queues of a data node hold: bytes to send, age, headroom to max-size and max-age'
  static override description = `Reads a data node's hinted-handoff directory (<hh dir>/<node>/<shard>/<segment>, or the pre-1.3 <hh dir>/<node>/<segment>) without changing anything. Per destination node, and per shard with --shards: the bytes still to send (from segment sizes and head offsets, not file sizes), bytes on disk, segments, the age of the oldest pending write and of the last write, the headroom to max-size (past it, every write for that node fails with "queue is full") and the time left before max-age drops the oldest data.

A directory counts as an hh directory when it holds destination-node directories (numeric names) that are empty or hold shard directories or segment files. Anything else (an empty folder, the parent of the hh directory, /etc) is refused with exit 4, naming an hh directory found below it. An empty directory is accepted when the data node's config names it ([hinted-handoff] dir, with --config): a node that never queued a write has one.

max-size and max-age come from --max-size/--max-age, else from --config (the data node's influxdb.conf), else Enterprise's defaults (10 GiB, 168h); the output says which. With --meta, destination node ids are shown with their host names. Foreign files are noted, unreadable ones and corrupt segments reported as findings, never fatal. A segment deleted by the node while it is read was delivered, not lost.

Exit status: 0 when nothing needs action (notes allowed), 3 when a finding is critical or a warning (a corrupt segment, a node at or near max-size, pending data near or past max-age, the directory of one node given instead of the hh directory), 4 when something could not be checked (the directory, a queue or segment that cannot be read, the --meta node) and nothing needs action, 2 for a usage error.`
  static override args = hhDirArg
  static override flags = {
    ...hhLimitFlags,
    shards: Flags.boolean({char: 's', description: 'also show one row per shard queue'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh',
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh --shards --meta meta-1:8091',
    'sudo -u influxdb <%= config.bin %> <%= command.id %> --config /etc/influxdb/influxdb.conf',
    '<%= config.bin %> <%= command.id %> /var/lib/influxdb/hh --max-size 20g --max-age 72h --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(HhInspect)
    const settings = await resolveHhSettings({configPath: flags.config, maxSizeBytes: flags['max-size'], maxAgeMs: flags['max-age']})
    const dir = resolveDir(args.dir, settings, 'inspect')
    const http = await hhHttpOptions(flags)
    const scan = await scanHhDir(dir, {acceptEmpty: configVouchesFor(dir, settings), command: 'inspect'})
    const {hosts, findings} = await lookupHosts(flags.meta, http)
    const report = buildInspectReport(scan, settings, scan.scannedAtMs, hosts, findings)
    if (!this.jsonEnabled()) this.out(await renderInspect(report, {shards: flags.shards}))
    return this.finish(report, report.overall.exitCode)
  }
}
