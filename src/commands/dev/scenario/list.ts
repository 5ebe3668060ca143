// `medic dev scenario list`: the scenarios, with the cluster each builds (src/devcluster/scenarios/registry.ts).
import {BaseCommand} from '../../../cli/base-command.js'
import {SCENARIOS} from '../../../devcluster/scenarios/registry.js'
import {ExitCode} from '../../../errors.js'
import {renderScenarioList} from '../../../format/scenario.js'

export default class ScenarioList extends BaseCommand {
  static override summary = 'List the scenarios: failures the dev cluster reproduces for their real reason, with the diagnosis medic must give'
  static override description = `Each scenario builds a scratch dev cluster, drives load and faults until a documented error appears, records what an operator would see (client answers, log lines, queue sizes), then runs medic's own diagnosis on it and checks that the diagnosis is right.

Exit status: 0.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json | jq -r \'.scenarios[].name\'']

  async run(): Promise<object> {
    await this.parse(ScenarioList)
    this.out(renderScenarioList(SCENARIOS))
    return this.finish({
      scenarios: SCENARIOS.map((s) => ({name: s.name, title: s.title, cluster: {meta: s.cluster.meta, data: s.cluster.data}, seed: s.seed ?? null})),
    }, ExitCode.OK)
  }
}
