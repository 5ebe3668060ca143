import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {httpOptionsFromFlags, probeFlags} from '../../cli/probe-flags.js'
import {usageError} from '../../errors.js'
import {renderCtlShow, renderLayoutNote} from '../../format/ctl.js'
import {CTL_LAYOUTS, type CtlLayout, ctlShow} from '../../probe/ctl.js'
import {closeHttp} from '../../probe/http.js'
import {hasControl, shellQuote} from '../../util/text.js'

const DEFAULT_META = 'localhost:8091'

export default class CtlShow extends BaseCommand {
  static override summary = 'Show the cluster\'s data and meta nodes the way influxd-ctl show does, from any machine'
  static override description = `Reads /show-cluster from one meta node (following the redirect to the leader), checks it, and prints it in the layout influxd-ctl show has in the cluster's release, chosen from the version the nodes announce:
  1.0        Data Nodes (ID, TCP Address), Meta Nodes (TCP Address)
  1.1        (1.1 to 1.9.1) adds a Version column; a node that has not announced itself has a blank Version
  1.9.2      (1.9.2 to 1.9.x) ID, TCP Address, Version and Labels in both tables
  1.10       (1.10 and later) data: ID, TCP Address, HTTP Address, Version, Labels, Passive; meta: ID, Raft Address, HTTP Address, Version, Labels; then the Raft Status (leader and peers, from the node's /status)
Until 1.10 the meta "TCP Address" column shows the HTTP address (8091), as influxd-ctl does. --layout picks one. Read-only; no influxd-ctl needed.

The meta node is the argument ADDR (or --meta; default localhost:8091, or MEDIC_META_URL). --timeout bounds the whole run, --http-timeout each request.

Exit status: 0 when the cluster view was read and is sound, 3 when it lists addresses no node can dial or duplicate ids, 4 when the meta node cannot be reached, its /show-cluster is not a cluster view, or (1.10 layout) the Raft status could not be read; 2 for a usage error. Use medic status to judge the cluster's health.`
  static override args = {
    addr: Args.string({description: 'the meta node to ask: host[:8091] or a URL (the same as --meta)', ignoreStdin: true}),
  }
  static override flags = {
    ...probeFlags,
    meta: Flags.string({char: 'm', description: `the meta node to ask (host[:8091] or a URL) [default: ${DEFAULT_META}]`, env: 'MEDIC_META_URL'}),
    layout: Flags.string({description: 'the influxd-ctl layout to print instead of the one of the announced versions', options: [...CTL_LAYOUTS]}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> meta-1:8091',
    '<%= config.bin %> <%= command.id %> --meta meta-1:8091 --layout 1.1',
    '<%= config.bin %> <%= command.id %> https://meta-1:8091 --insecure --username admin --password "$PASS" --json',
  ]

  async run(): Promise<object> {
    const {args, flags} = await this.parse(CtlShow)
    if (args.addr !== undefined && flags.meta !== undefined && args.addr !== flags.meta) {
      throw usageError('give the meta node once: as ADDR or as --meta, not both', 'addr-and-meta', [
        ...(hasControl(args.addr) ? [] : [`medic ctl show ${shellQuote(args.addr)}`]),
      ])
    }
    const address = args.addr ?? flags.meta ?? DEFAULT_META
    const command = hasControl(address) ? undefined : `medic ctl show ${shellQuote(address)}`
    const http = await httpOptionsFromFlags(flags, 'medic ctl show meta-1:8091')
    let show
    try {
      show = await ctlShow(address, {http, runTimeoutMs: flags.timeout, layout: flags.layout as CtlLayout | undefined, command})
    } finally {
      await closeHttp()
    }
    if (!this.jsonEnabled()) {
      this.out(await renderCtlShow(show))
      this.note(renderLayoutNote(show))
    }
    return this.finish(show, show.exitCode)
  }
}
