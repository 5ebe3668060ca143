import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {httpOptionsFromFlags, probeFlags} from '../../cli/probe-flags.js'
import {ExitCode} from '../../errors.js'
import {renderCtlShow} from '../../format/ctl.js'
import {ctlShow} from '../../probe/ctl.js'
import {closeHttp} from '../../probe/http.js'

export default class CtlShow extends BaseCommand {
  static override summary = 'Show the cluster\'s data and meta nodes the way influxd-ctl show does, from any machine'
  static override description = `Reads /show-cluster from one meta node (following the redirect to the leader) and prints the Data Nodes and Meta Nodes tables in influxd-ctl show's layout (ID, TCP Address, Version; a node that has not announced itself has a blank Version; the meta "TCP Address" is the HTTP address, as in influxd-ctl), then the Raft Status (leader and peers) from the node's /status. Read-only; no influxd-ctl needed.

Exit status: 0 when the cluster view was read, 2 for a usage error, 4 when the meta node cannot be reached or its /show-cluster is not what a meta node answers. Use medic status to judge the cluster's health.`
  static override flags = {
    ...probeFlags,
    meta: Flags.string({char: 'm', description: 'the meta node to ask (host[:8091] or a URL)', default: 'localhost:8091', env: 'MEDIC_META_URL'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --meta meta-1:8091',
    '<%= config.bin %> <%= command.id %> --meta https://meta-1:8091 --insecure --username admin --password "$PASS" --json',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(CtlShow)
    const http = await httpOptionsFromFlags(flags)
    let show
    try {
      show = await ctlShow(flags.meta, http)
    } finally {
      await closeHttp()
    }
    if (!this.jsonEnabled()) this.out(await renderCtlShow(show))
    return this.finish(show, ExitCode.OK)
  }
}
