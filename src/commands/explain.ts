import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {durationFlag} from '../cli/flags.js'
import {ExitCode, usageError} from '../errors.js'
import {ExplainPrinter, renderEntry, renderList} from '../format/explain.js'
import {CATALOGUE, findEntry, similarIds} from '../logs/catalogue/index.js'
import {classifyExplainArgs, entryJson, explainStream, explanationJson} from '../logs/explain.js'
import type {Explanation} from '../logs/types.js'
import {readLines, resolveInputs} from '../logs/input.js'

export default class Explain extends BaseCommand {
  static override summary = 'Explain InfluxDB Enterprise log lines, HTTP errors and influxd-ctl messages'
  static override description = `For each line: the catalogue entry it matches (or unknown), a verdict (expected, info, warning, critical), the values in the line (time, node, shard, lease, status...), what it means, what is at risk, what to check and the exact next commands, related config keys and _internal metrics, version notes and advice for client developers.

Give one line as an argument (quote it), many lines on standard input, or --file. Give a catalogue id to read that entry in full; --list shows them all.

Exit status: 0 when no line is a warning or critical, 3 when one is, 2 for a usage error, 4 when an input cannot be read.`
  static override strict = false
  static override args = {
    line: Args.string({description: 'a log line (quote it) or a catalogue id such as hh-queue-full', ignoreStdin: true}),
  }
  static override flags = {
    file: Flags.string({char: 'f', description: 'read lines from a file (plain or gzip); "-" for standard input', multiple: true}),
    list: Flags.boolean({description: 'list the catalogue: id, verdict and title of every entry'}),
    'lease-duration': durationFlag({description: 'the meta nodes\' [meta] lease-duration, for judging CQ lease denials', default: 60_000, env: 'MEDIC_LEASE_DURATION'}),
  }
  static override examples = [
    `<%= config.bin %> <%= command.id %> '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty'`,
    `<%= config.bin %> <%= command.id %> '500 {"error":"partial write"}'`,
    `journalctl -u influxdb-meta --since -1h | <%= config.bin %> <%= command.id %>`,
    `<%= config.bin %> <%= command.id %> --file influxdb.log --json`,
    `<%= config.bin %> <%= command.id %> hh-queue-full`,
    `<%= config.bin %> <%= command.id %> --list`,
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(Explain)
    if (flags.list) {
      this.out(renderList(CATALOGUE))
      return this.finish({entries: CATALOGUE.map((e) => ({id: e.id, verdict: e.verdict, category: e.category, title: e.title}))}, ExitCode.OK)
    }
    const request = classifyExplainArgs(argv as string[])
    if (request.kind === 'id') {
      const entry = findEntry(request.id)
      if (entry === undefined) {
        const near = similarIds(request.id)
        throw usageError(`no catalogue entry has the id "${request.id}"`, 'unknown-id', [
          ...(near.length > 0 ? [`did you mean: ${near.join(', ')}`] : []),
          'medic explain --list',
          'to explain a log line, quote the whole line',
        ])
      }
      this.out(renderEntry(entry))
      return this.finish({entry: entryJson(entry)}, ExitCode.OK)
    }
    if (request.kind === 'line' && flags.file) {
      throw usageError('give either a line or --file, not both', 'line-and-file', ['medic explain --file influxdb.log'])
    }
    const lines = request.kind === 'line' ? [request.line] : await this.inputLines(flags.file)
    const json = this.jsonEnabled()
    const printer = new ExplainPrinter()
    const results: Explanation[] = []
    const entries: Record<string, unknown> = {}
    let count = 0
    let problems = false
    for await (const r of explainStream(lines, {leaseDurationMs: flags['lease-duration']})) {
      count++
      problems ||= r.verdict === 'warning' || r.verdict === 'critical'
      if (r.entry && !entries[r.entry.id]) entries[r.entry.id] = entryJson(r.entry)
      if (json) results.push(r)
      else this.printIf(printer.push(r))
    }
    if (count === 0) throw usageError('no lines to explain: the input was empty', 'empty-input', ['medic explain \'<log line>\''])
    this.printIf(printer.end())
    return this.finish({results: results.map(explanationJson), entries}, problems ? ExitCode.PROBLEMS : ExitCode.OK)
  }

  private printIf(text: string | undefined): void {
    if (text !== undefined) this.out(text)
  }

  private async inputLines(files: string[] | undefined): Promise<AsyncIterable<string>> {
    const inputs = await resolveInputs(files ?? ['-'], [
      "give a line: medic explain '<log line>'",
      'or a file: medic explain --file /var/log/influxdb/influxdb.log',
      'or pipe lines in: journalctl -u influxdb -n 200 | medic explain',
    ])
    return (async function* () {
      for (const input of inputs) yield* readLines(input)
    })()
  }
}
