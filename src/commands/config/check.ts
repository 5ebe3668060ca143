import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {checkConfigs} from '../../config/check.js'
import type {Role} from '../../config/options.js'
import {ExitCode, usageError} from '../../errors.js'
import {renderCheck} from '../../format/config.js'

export default class ConfigCheck extends BaseCommand {
  static override summary = 'Check influxdb-meta.conf and influxdb.conf files before a node is started: keys, types, and the mistakes that break a join'
  static override description = `Detects whether each file belongs to a meta node or a data node (or take --role), parses the TOML with the line and column of every problem, checks each key and value against the documented options, and applies the rules support engineers check first: hostname empty or localhost, the license (key or path, not both, not a placeholder), durations Go rejects ("500u"), sizes, bind addresses and ports, [meta] dir and [hinted-handoff] dir on data nodes, max-size against the free disk, auth-enabled without internal-shared-secret (1.6.4+ refuses to start), HTTPS without a certificate, and unknown keys with the closest known key.

Given several files, also checks them as one cluster: auth-enabled against the data nodes' meta-auth-enabled, the internal shared secrets, one license, duplicate hostnames and ports, TLS on both ends of the meta API.

--env applies the INFLUXDB_<SECTION>_<KEY> variables of medic's own environment first (run it where the service's environment is set), --env-from those of a file (systemd EnvironmentFile, /etc/default/influxdb, a docker env file, or a unit file's Environment= lines); each finding says where its value came from. The same overrides apply to every FILE. Secrets are never printed, --json included.

Exit status: 0 when no error was found (warnings allowed), 3 when at least one error was found, 2 for a usage error, 4 when a file cannot be read.`
  static override strict = false
  static override args = {
    file: Args.string({description: 'config files: influxdb-meta.conf (meta nodes), influxdb.conf (data nodes)', ignoreStdin: true}),
  }
  static override flags = {
    role: Flags.option({options: ['meta', 'data'] as const, description: 'check every FILE as this role instead of detecting it'})(),
    env: Flags.boolean({description: 'apply INFLUXDB_* overrides from the environment medic runs in'}),
    // Not --env-file: Node.js itself claims that name anywhere on the command line and exits 9 when the file is
    // missing, before medic runs (nodejs/node#54232).
    'env-from': Flags.string({description: 'apply INFLUXDB_* overrides from this file, after --env (shell or systemd EnvironmentFile format, docker --env-file, Environment= lines); repeatable', multiple: true, multipleNonGreedy: true}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb-meta.conf',
    '<%= config.bin %> <%= command.id %> meta-01.conf meta-02.conf meta-03.conf data-01.conf data-02.conf',
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb.conf --env-from /etc/default/influxdb',
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb.conf --env',
    '<%= config.bin %> <%= command.id %> node.toml --role data --json',
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(ConfigCheck)
    const files = argv as string[]
    if (files.length === 0) {
      throw usageError('no config file given', 'no-input', [
        'medic config check /etc/influxdb/influxdb-meta.conf',
        'medic config check /etc/influxdb/influxdb.conf --env-from /etc/default/influxdb',
      ])
    }
    if (files.includes('-')) {
      throw usageError('config check reads files, not standard input', 'stdin-not-supported', ['save the config to a file and pass its path'])
    }
    const report = await checkConfigs(files, {
      role: flags.role as Role | undefined,
      env: flags.env ? process.env : undefined,
      envFiles: flags['env-from'],
    })
    this.out(renderCheck(report))
    return this.finish(report, report.counts.error > 0 ? ExitCode.PROBLEMS : ExitCode.OK)
  }
}
