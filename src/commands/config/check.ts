import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {checkConfigs} from '../../config/check.js'
import type {Role} from '../../config/options.js'
import {parseRelease} from '../../config/releases.js'
import {usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {renderCheck} from '../../format/config.js'

export default class ConfigCheck extends BaseCommand {
  static override summary = 'Check influxdb-meta.conf and influxdb.conf files before a node is started: keys, types, and the mistakes that break a join'
  static override description = `Detects whether each file belongs to a meta node or a data node (or take --role), parses the TOML with the line and column of every problem, checks each key and value against the documented options, and applies the rules support engineers check first: hostname empty or localhost, the license (key or path, not both, not a placeholder), durations Go rejects ("500u"), sizes, bind addresses and ports, [meta] dir and [hinted-handoff] dir on data nodes, max-size against the free disk, auth-enabled without internal-shared-secret (1.6.4+ refuses to start), HTTPS without a certificate, and unknown keys with the closest known key.

Given several files, also checks them as one cluster: auth-enabled against the data nodes' meta-auth-enabled, the internal shared secrets, one license, duplicate hostnames and ports, TLS on both ends of the meta API.

--env applies the INFLUXDB_<SECTION>_<KEY> variables of medic's own environment first (run it where the service's environment is set), --env-from those of a file (systemd EnvironmentFile, /etc/default/influxdb, a docker env file, or a unit file's Environment= lines); each finding says where its value came from. The same overrides apply to every FILE. Secrets are never printed, --json included.

Unknown keys are judged against medic's key lists of InfluxDB Enterprise 1.6 to 1.12 (from each release's configuration reference and, for the sections data nodes share with open-source InfluxDB, that release's source). Without --influxdb-version a key read by any of those releases is accepted; with it, keys documented only for other releases are named. A key medic does not know is reported as "not known to medic", never as one influxd ignores: Enterprise is closed source, so the lists can miss a key.

Exit status (the verdict of every medic command): 0 when nothing worth a look was found (informational findings allowed), 3 when an error or a warning was found (a file that is empty, binary or not TOML is an error), 4 when a file cannot be read (missing, a directory, no permission), 2 for a usage error.`
  static override strict = false
  static override args = {
    file: Args.string({description: 'config files: influxdb-meta.conf (meta nodes), influxdb.conf (data nodes)', ignoreStdin: true}),
  }
  static override flags = {
    role: Flags.option({options: ['meta', 'data'] as const, description: 'check every FILE as this role instead of detecting it'})(),
    'influxdb-version': Flags.string({
      description: 'the InfluxDB Enterprise release the nodes run (1.11, 1.11.4 or 1.11.4-c1.11.4, as influxd version prints it): keys are checked against that release\'s list; default: every release medic knows (1.6–1.12)',
      env: 'MEDIC_INFLUXDB_VERSION',
    }),
    env: Flags.boolean({description: 'apply INFLUXDB_* overrides from the environment medic runs in'}),
    // Not --env-file: Node.js itself claims that name anywhere on the command line and exits 9 when the file is
    // missing, before medic runs (nodejs/node#54232).
    // Hidden: only to answer "medic has no --env-file" with the flag it has (bin/run.js keeps Node from taking them).
    'env-file': Flags.string({hidden: true}),
    'env-file-if-exists': Flags.string({hidden: true}),
    'env-from': Flags.string({description: 'apply INFLUXDB_* overrides from this file, after --env (shell or systemd EnvironmentFile format, docker --env-file, Environment= lines); repeatable', multiple: true, multipleNonGreedy: true}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb-meta.conf',
    '<%= config.bin %> <%= command.id %> meta-01.conf meta-02.conf meta-03.conf data-01.conf data-02.conf',
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb.conf --env-from /etc/default/influxdb',
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb.conf --env',
    '<%= config.bin %> <%= command.id %> node.toml --role data --json',
    '<%= config.bin %> <%= command.id %> /etc/influxdb/influxdb.conf --influxdb-version 1.11.4',
  ]

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(ConfigCheck)
    const files = argv as string[]
    // Node.js claims --env-file for itself (bin/run.js keeps it from doing so): answer with the flag medic has.
    for (const name of ['env-file', 'env-file-if-exists'] as const) {
      if (flags[name] === undefined) continue
      throw usageError(`medic has no --${name} flag: INFLUXDB_* overrides are read from a file with --env-from`, 'unknown-flag', [
        `medic config check ${files.length > 0 ? files.map(shellQuote).join(' ') : '/etc/influxdb/influxdb.conf'} --env-from ${shellQuote(flags[name])}`,
      ])
    }
    if (files.length === 0) {
      throw usageError('no config file given', 'no-input', [
        'medic config check /etc/influxdb/influxdb-meta.conf',
        'medic config check /etc/influxdb/influxdb.conf --env-from /etc/default/influxdb',
      ])
    }
    const otherFlag = files.find((f) => f.startsWith('-') && f !== '-')
    if (otherFlag !== undefined) {
      throw usageError(`unknown flag ${JSON.stringify(otherFlag.replace(/=.*$/, ''))}`, 'unknown-flag', ['medic config check --help'])
    }
    if (files.includes('-')) {
      throw usageError('config check reads files, not standard input', 'stdin-not-supported', ['save the config to a file and pass its path'])
    }
    const version = flags['influxdb-version']
    if (version !== undefined && parseRelease(version) === undefined) {
      throw usageError(`--influxdb-version ${JSON.stringify(version)} is not a release: write it as 1.11, 1.11.4 or 1.11.4-c1.11.4`, 'bad-version', [
        'influxd version (on a data node) or influxd-meta version prints it',
        'leave --influxdb-version out to check against every release medic knows (1.6–1.12)',
      ])
    }
    const report = await checkConfigs(files, {
      role: flags.role as Role | undefined,
      version,
      env: flags.env ? process.env : undefined,
      envFiles: flags['env-from'],
    })
    this.out(renderCheck(report))
    return this.finish(report, report.exitCode)
  }
}
