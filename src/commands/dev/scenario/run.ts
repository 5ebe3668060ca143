// `medic dev scenario run NAME... | --all`: each scenario on a scratch cluster of its own, then medic's diagnosis of
// what it produced, checked. The work is in src/devcluster/scenarios/runner.ts.
import {Args, Flags} from '@oclif/core'

import {resolve} from 'node:path'

import {BaseCommand} from '../../../cli/base-command.js'
import {abortOnSignals} from '../../../cli/signals.js'
import {findScenario, SCENARIOS} from '../../../devcluster/scenarios/registry.js'
import {reportExitCode, runScenarios} from '../../../devcluster/scenarios/runner.js'
import type {Scenario} from '../../../devcluster/scenarios/types.js'
import {usageError} from '../../../errors.js'
import {shellQuote} from '../../../util/text.js'
import {renderReport, runHeadline} from '../../../format/scenario.js'

export default class ScenarioRun extends BaseCommand {
  static override summary = 'Reproduce documented failures on scratch dev clusters and check that medic diagnoses them right'
  static override description = `For each scenario: a cluster of its own (a temporary folder and free ports, or --dir and --base-port), the load and faults that make the failure happen for its real reason, what an operator would see (client answers, log lines, queue sizes), then medic's own diagnosis of it (explain and logs summarize on the logs, hh watch/wait on the queues, status, join diagnose, config check), each check with pass or fail and its evidence, and the medic commands to make the same diagnosis by hand.

The cluster is stopped afterwards and its folder removed when every check passed; a folder given with --dir, or one whose scenario failed, is kept (stopped) for its logs. --keep leaves the cluster running for you to poke at and prints the command that stops it. --short (the default) uses small volumes; --full the by-hand sizes.

Exit status: 0 when every check of every scenario run passed; 3 when a check failed; 4 when a scenario could not run (its cluster did not start, a node did not come back in time) and no check failed; 2 for a usage error (an unknown scenario: the nearest is suggested).`
  static override strict = false
  static override args = {name: Args.string({description: 'the scenario(s) to run (medic dev scenario list)'})}
  static override flags = {
    all: Flags.boolean({description: 'run every scenario, one after the other'}),
    keep: Flags.boolean({description: 'leave each scenario\'s cluster running afterwards (medic dev down --purge --dir ... stops it)'}),
    dir: Flags.string({char: 'd', description: 'the folder for the cluster (new or empty); with several scenarios each gets <dir>/<name>'}),
    'base-port': Flags.integer({char: 'p', description: 'base of the port plan (default: a free one is picked)', min: 1000, max: 65000}),
    full: Flags.boolean({description: 'the by-hand volumes instead of the short ones'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> hh-queue-not-empty',
    '<%= config.bin %> <%= command.id %> cq-lease --keep',
    '<%= config.bin %> <%= command.id %> --all --json > scenarios.json',
    '<%= config.bin %> <%= command.id %> queue-full --dir /tmp/rehearsal --base-port 28000',
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(ScenarioRun)
    const names = argv as string[]
    if (flags.all && names.length > 0) throw usageError('give scenario names or --all, not both', 'scenario-names-and-all', ['medic dev scenario run --all'])
    if (!flags.all && names.length === 0) throw usageError('no scenario given', 'no-scenario', ['medic dev scenario list', 'medic dev scenario run --all'])
    const list: Scenario[] = flags.all ? [...SCENARIOS] : names.map(findScenario)
    if (flags.keep && list.length > 1 && flags['base-port'] !== undefined) {
      const again = [
        'medic dev scenario run', ...(flags.all ? ['--all'] : names.map(shellQuote)), '--keep',
        ...(flags.dir === undefined ? [] : [`--dir ${shellQuote(flags.dir)}`]), ...(flags.full ? ['--full'] : []),
      ].join(' ')
      throw usageError('--keep with several scenarios and one --base-port: the kept clusters would need the same ports', 'keep-base-port', [
        `${again}   (without --base-port: free ports are picked for each cluster)`,
      ])
    }
    const stop = abortOnSignals()
    try {
      const report = await runScenarios(list, {
        mode: flags.full ? 'full' : 'short', dir: flags.dir === undefined ? undefined : resolve(flags.dir), basePort: flags['base-port'], keep: flags.keep, signal: stop.signal,
        onProgress: (m) => this.note(m),
      })
      for (const r of report.scenarios) this.note(runHeadline(r))
      this.out(renderReport(report))
      return this.finish(report, reportExitCode(report, stop.signal.aborted))
    } finally {
      stop.dispose()
    }
  }
}
