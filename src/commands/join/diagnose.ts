import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {httpOptionsFromFlags, probeFlags} from '../../cli/probe-flags.js'
import {ExitCode} from '../../errors.js'
import {renderJoin} from '../../format/join.js'
import {diagnoseJoin} from '../../probe/join.js'

export default class JoinDiagnose extends BaseCommand {
  static override summary = 'Find out why "influxd-ctl join / add-meta" fails for a meta node, step by step'
  static override description = `Walks everything an add-meta or join depends on and never stops at the first problem: the address (with its port), name resolution (loopback names flagged), TCP to the meta API port and the Raft port (and to the data node's cluster port with --data-config), GET /status (503 not joined or no leader, 401/403 authentication), the shape of the body (the cause of 'unable to determine if "<host>" is a meta node'), nodeType, membership of another cluster, the advertised httpAddr/raftAddr, and, with --config, hostname, bind ports, license, TLS and authentication settings against the data node's.

Each step ends ok, warning, fail or skipped, with what medic saw and the exact next command or config edit. Secrets are never printed, --json included.

Exit status: 0 when no step failed (warnings allowed), 3 when a step failed, 4 when the node could not be reached at all and no config was given, 2 for a usage error.`
  static override args = {
    address: Args.string({description: 'the meta node as you give it to influxd-ctl: HOST:PORT (8091 assumed when missing), or https://HOST:PORT', required: true}),
  }
  static override flags = {
    config: Flags.string({description: 'the target meta node\'s influxdb-meta.conf'}),
    'data-config': Flags.string({description: 'a data node\'s influxdb.conf, to check its meta auth/TLS settings and its cluster port (8088)'}),
    'raft-port': Flags.integer({description: 'Raft port to test (default: the port of [meta] bind-address in --config, else 8089)', min: 1, max: 65_535}),
    'data-port': Flags.integer({description: 'data node cluster port to test with --data-config (default: its bind-address, else 8088)', min: 1, max: 65_535}),
    timeout: probeFlags.timeout,
    username: probeFlags.username,
    password: probeFlags.password,
    'jwt-secret': probeFlags['jwt-secret'],
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %> meta-2.example.com:8091',
    '<%= config.bin %> <%= command.id %> meta-2:8091 --config /etc/influxdb/influxdb-meta.conf',
    '<%= config.bin %> <%= command.id %> https://meta-2:8091 --config influxdb-meta.conf --data-config influxdb.conf',
    'MEDIC_PASSWORD=... <%= config.bin %> <%= command.id %> meta-2:8091 --username admin --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(JoinDiagnose)
    // The same credential flags (and MEDIC_* variables) as medic status and medic ctl show.
    const {auth} = await httpOptionsFromFlags(flags)
    const report = await diagnoseJoin(args.address, {
      metaConfig: flags.config,
      dataConfig: flags['data-config'],
      raftPort: flags['raft-port'],
      dataPort: flags['data-port'],
      timeoutMs: flags.timeout,
      auth,
    })
    this.out(renderJoin(report))
    const code = report.nothingChecked ? ExitCode.CANNOT_CHECK : report.counts.fail > 0 ? ExitCode.PROBLEMS : ExitCode.OK
    return this.finish(report, code)
  }
}
