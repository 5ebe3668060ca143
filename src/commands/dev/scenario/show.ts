// `medic dev scenario show NAME`: what a scenario builds, does and checks, without running it.
import {Args} from '@oclif/core'

import {BaseCommand} from '../../../cli/base-command.js'
import {findScenario} from '../../../devcluster/scenarios/registry.js'
import {ExitCode} from '../../../errors.js'
import {renderScenario} from '../../../format/scenario.js'

export default class ScenarioShow extends BaseCommand {
  static override summary = 'Show what a scenario builds, does and checks, and the documented line it reproduces'
  static override description = `Nothing is started.

Exit status: 0; 2 for an unknown name (the nearest one is suggested).`
  static override args = {name: Args.string({description: 'the scenario (medic dev scenario list)', required: true})}
  static override examples = ['<%= config.bin %> <%= command.id %> hh-queue-not-empty', '<%= config.bin %> <%= command.id %> cq-lease --json']

  async run(): Promise<object> {
    const {args} = await this.parse(ScenarioShow)
    const s = findScenario(args.name)
    this.out(renderScenario(s))
    return this.finish({
      scenario: {name: s.name, title: s.title, shows: s.shows, seed: s.seed ?? null, cluster: s.cluster, steps: s.steps, checks: s.checks, notes: s.notes ?? []},
    }, ExitCode.OK)
  }
}
