import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {durationFlag} from '../cli/flags.js'
import {ExitCode, type ExitCodeValue, usageError} from '../errors.js'
import {ExplainPrinter, renderEntry, renderList} from '../format/explain.js'
import {classifyExplainArgs, entryJson, explainStream, explanationJson} from '../logs/explain.js'
import {atLeast, MIN_LEVELS, type MinLevel} from '../logs/levels.js'
import {badZoneSuggestions, parseZone} from '../logs/time.js'
import type {Explanation} from '../logs/types.js'
import {decideOutcome} from '../util/outcome.js'
import {sh} from '../util/text.js'

export default class Explain extends BaseCommand {
  static override chalkFree = true
  static override summary = 'Explain InfluxDB Enterprise log lines, HTTP errors and influxd-ctl messages'
  static override description = `For each line: the catalogue entry it matches (or unknown), a verdict (expected, info, warning, critical), the values in the line (time, node, shard, lease, status...), what it means, what is at risk, what to check and the exact next commands, related config keys and _internal metrics, version notes and advice for client developers.

Lines are read inside the wrappers platforms add (docker's JSON log, docker compose and kubectl --timestamps prefixes, syslog, journald), and an error a client reports (Telegraf, a client library, curl -i, a {"error":...} body) is explained by the server-side entry, with the client advice first.

Give one line as an argument (quote it), many lines on standard input, or --file. Give a catalogue id to read that entry in full; --list shows them all.

Exit status: 0 when no line is a warning or critical, 3 when one is, 2 for a usage error, 4 when an input cannot be read or no line could be read at all.`
  static override strict = false
  static override args = {
    line: Args.string({description: 'a log line (quote it) or a catalogue id such as hh-queue-full', ignoreStdin: true}),
  }
  static override flags = {
    file: Flags.string({char: 'f', description: 'read lines from a file or named pipe (plain or gzip); "-" for standard input', multiple: true}),
    list: Flags.boolean({description: 'list the catalogue: id, verdict and title of every entry'}),
    min: Flags.string({description: 'print only lines at or above this verdict (critical > warning > info > expected); unrecognised lines only without --min. The exit status still counts every line', options: [...MIN_LEVELS]}),
    ndjson: Flags.boolean({description: 'one JSON object per line as it is explained (for streams: nothing is held in memory), entries once, then a summary', exclusive: ['json']}),
    tz: Flags.string({description: 'time zone of timestamps that carry none ([svc] YYYY/MM/DD of 0.9-1.1 logs, syslog): UTC, local, an IANA name or +02:00', default: 'UTC', env: 'MEDIC_TZ'}),
    'lease-duration': durationFlag({description: 'the meta nodes\' [meta] lease-duration, for judging CQ lease denials', default: 60_000, env: 'MEDIC_LEASE_DURATION'}),
  }
  static override examples = [
    `<%= config.bin %> <%= command.id %> '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty'`,
    `<%= config.bin %> <%= command.id %> '500 {"error":"partial write"}'`,
    `journalctl -u influxdb-meta -f | <%= config.bin %> <%= command.id %> --min warning`,
    `kubectl logs influxdb-data-0 --timestamps | <%= config.bin %> <%= command.id %> --ndjson`,
    `<%= config.bin %> <%= command.id %> --file influxdb.log --json`,
    `<%= config.bin %> <%= command.id %> hh-queue-full`,
    `<%= config.bin %> <%= command.id %> --list`,
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(Explain)
    if (flags.list) {
      // The whole catalogue (its texts) is loaded only here and for an id; explaining lines loads matched entries only.
      const {CATALOGUE} = await import('../logs/catalogue/index.js')
      this.out(renderList(CATALOGUE))
      return this.finish({entries: CATALOGUE.map((e) => ({id: e.id, verdict: e.verdict, category: e.category, title: e.title}))}, ExitCode.OK)
    }
    const zone = parseZone(flags.tz)
    if (zone === undefined) {
      const files = (flags.file ?? []).map((f) => sh`--file ${f}`)
      const lines = (argv as string[]).map((a) => sh`${a}`)
      const again = [...files, ...lines].some((x) => x === undefined) ? undefined : ['medic explain', ...files, ...lines].join(' ')
      throw usageError(`--tz: "${flags.tz}" is not a time zone`, 'bad-time-zone', badZoneSuggestions(again))
    }
    const request = classifyExplainArgs(argv as string[])
    if (request.kind === 'id') {
      const {findEntry, similarIds} = await import('../logs/catalogue/index.js')
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
    const min = flags.min as MinLevel | undefined
    const lines = request.kind === 'line' ? [request.line] : await this.inputLines(flags.file)
    const json = this.jsonEnabled()
    const printer = new ExplainPrinter()
    const results: Explanation[] = []
    const entries: Record<string, unknown> = {}
    let count = 0
    let shown = 0
    let unread = 0
    let judged = 0
    const findings: Array<{severity: string}> = []
    for await (const r of explainStream(lines, {leaseDurationMs: flags['lease-duration'], zone})) {
      count++
      if (r.verdict === 'warning' || r.verdict === 'critical') findings.push({severity: r.verdict})
      if (r.format === 'binary' || (r.id === null && r.context?.startsWith('not read:'))) unread++
      if (r.verdict !== 'unknown') judged++
      if (!atLeast(r.verdict, min)) continue
      shown++
      const firstOfEntry = r.entry !== undefined && entries[r.entry.id] === undefined
      if (firstOfEntry) entries[r.entry!.id] = entryJson(r.entry!)
      if (flags.ndjson) {
        if (firstOfEntry) this.ndjson({schemaVersion: 1, type: 'entry', entry: entries[r.entry!.id]})
        this.ndjson({schemaVersion: 1, type: 'result', ...explanationJson(r)})
      } else if (json) results.push(r)
      else this.printIf(printer.push(r))
    }
    if (count === 0) throw usageError('no lines to explain: the input was empty', 'empty-input', ['medic explain \'<log line>\''])
    // Lines that could not be read at all (binary data, JSON nested too deep) or that no entry recognises were not
    // checked: when no line was, the answer is UNKNOWN (exit 4), never OK (an HTML page or another program's log).
    const outcome = decideOutcome({findings, checked: judged, unchecked: judged === 0 ? count : 0})
    const exitCode = outcome.exitCode as ExitCodeValue
    if (flags.ndjson) {
      this.ndjson({schemaVersion: 1, type: 'summary', command: 'explain', lines: count, shown, verdict: outcome.verdict, exitCode})
      process.exitCode = exitCode
      return {}
    }
    if (!json) {
      this.printIf(printer.end())
      if (shown === 0 && min !== undefined) this.out(`no line at or above ${min} among ${count}`)
      if (judged === 0 && count > 1) {
        const what = unread === count ? 'could be read' : unread > 0 ? `could be read or is one medic recognises` : 'is one medic recognises'
        this.out(`UNKNOWN: none of the ${count} lines ${what}, so nothing was checked (is this an InfluxDB log?)`)
      }
    }
    return this.finish({results: results.map(explanationJson), entries, verdict: outcome.verdict}, exitCode)
  }

  private printIf(text: string | undefined): void {
    if (text !== undefined) this.out(text)
  }

  private async inputLines(files: string[] | undefined): Promise<AsyncIterable<string>> {
    // Loaded here: `medic explain "<line>"` does not read files and starts faster without it.
    const {readLines, resolveInputs} = await import('../logs/input.js')
    const inputs = await resolveInputs(files ?? ['-'], [
      "give a line: medic explain '<log line>'",
      'or a file: medic explain --file /var/log/influxdb/influxdb.log',
      'or pipe lines in: journalctl -u influxdb -n 200 | medic explain',
    ])
    // One line on stderr (not a redraw), also off a terminal: a script stuck on a pipe nobody writes to says why.
    const open = {onWait: (message: string) => this.note(message)}
    return (async function* () {
      for (const input of inputs) yield* readLines(input, open)
    })()
  }
}
