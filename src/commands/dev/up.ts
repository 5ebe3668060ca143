// `medic dev up`: prepares the cluster folder and runs the supervisor, in this process (foreground, until Ctrl-C or
// `medic dev down`) or detached (returns once the cluster is ready). The work is in src/devcluster/supervisor/.
import {Flags} from '@oclif/core'

import {DevCommand, devDirFlag} from '../../cli/dev-flags.js'
import {durationFlag} from '../../cli/flags.js'
import {startDetachedSupervisor} from '../../devcluster/client/detach.js'
import {dirFlag, resolveClusterDir} from '../../devcluster/cluster/paths.js'
import {DEFAULT_BASE_PORT, MAX_DATA_NODES, MAX_META_NODES} from '../../devcluster/cluster/ports.js'
import {MAX_TIME_SCALE} from '../../devcluster/node/config-reader.js'
import {LOG_FORMATS, type LogFormat} from '../../devcluster/node/logger.js'
import {prepareCluster} from '../../devcluster/supervisor/prepare.js'
import type {UpResult} from '../../devcluster/supervisor/protocol.js'
import {Supervisor} from '../../devcluster/supervisor/supervisor.js'
import {ExitCode} from '../../errors.js'
import {exitText, renderUpBanner} from '../../format/dev.js'

/** What each --log-format value imitates (every value of LOG_FORMATS must have one: the help lists them all). */
const LOG_FORMAT_HELP: Record<LogFormat, string> = {
  logfmt: '1.5+ with the default [logging] format (ts=... lvl=info msg="..." service=meta)',
  json: '1.5+ with [logging] format = "json" ({"lvl":"info","ts":"...","msg":"..."})',
  'legacy-level': '1.2-1.4 ([I] 2017-09-26T01:02:03Z message key=value)',
  legacy: '1.0-1.1 ([service] 2017/09/26 01:02:03 message)',
}

export default class DevUp extends DevCommand {
  static override summary = 'Start a local InfluxDB Enterprise-like dev cluster (meta and data nodes, real logs) to rehearse on'
  static override description = `Writes each node's config (influxdb-meta.conf, influxdb.conf), starts every node as its own process (meta-1..meta-N and data-1..data-N, all on 127.0.0.1), joins them the way the docs describe (add-meta of every meta node, sent to meta-1; then add-data of every data node, sent to the leader, which tells the data node to join), waits until every node is in, and prints every node's addresses, config and log, and the commands to try next. Real InfluxDB 1.x clients (the influx CLI, client libraries, Grafana) write to and query the data nodes' HTTP API.

Ports follow from --base-port P: meta-k serves its API on P+100k+91 and Raft on P+100k+89 (P=${DEFAULT_BASE_PORT}: meta-1 on ${DEFAULT_BASE_PORT + 191}/${DEFAULT_BASE_PORT + 189}); data-k serves HTTP on P+100(10+k)+86 and the cluster RPC on P+100(10+k)+88 (data-1 on ${DEFAULT_BASE_PORT + 1186}/${DEFAULT_BASE_PORT + 1188}). Every port is checked before anything starts. The cluster lives in one folder ($XDG_DATA_HOME/medic/dev/default unless --dir or MEDIC_DEV_DIR say otherwise) with cluster.json (its state, mode 0600), supervisor.log and one folder per node; the next "medic dev up" restarts the same cluster on the same ports, already joined, and keeps the edits made to the nodes' configs (--reset-configs writes them afresh). "medic dev down --purge" deletes it.

In the foreground (the default) Ctrl-C or SIGTERM stops every node cleanly. With --detach a background supervisor keeps the nodes and this command exits once the cluster is ready. Either way a node that dies stays down (the failures are what you rehearse: medic dev kill, pause, stop), and no node outlives its supervisor.

With --auth the meta API requires credentials: the nodes get random shared secrets and an admin user is created, whose password the banner prints.

With --time-scale N the nodes run these timers N times faster: the meta nodes' lease-duration (a CQ lease moves to another data node after 6 s instead of 1 m at N=10), and the data nodes' hinted-handoff max-age, purge-interval and retry back-off (retry-interval, retry-max-interval), monitor store-interval and CQ run-interval. The configs and the log lines keep the real values. Faults set with medic dev fault end with the cluster: a new start has none.

Exit status: 0 when the cluster is ready (foreground: once it has been stopped); 3 when a node failed to start (its name and last log lines are shown) or the nodes did not agree on a leader; 2 for a usage error (a port in use, a cluster already running, a folder that holds other files); 4 when the folder or its state cannot be read.`
  static override flags = {
    meta: Flags.integer({char: 'm', description: `number of meta nodes (1-${MAX_META_NODES}); default 3, or the existing cluster's`, min: 1, max: MAX_META_NODES}),
    data: Flags.integer({description: `number of data nodes (0-${MAX_DATA_NODES}; 0 = meta nodes only); default 2, or the existing cluster's`, min: 0, max: MAX_DATA_NODES}),
    dir: devDirFlag(),
    'base-port': Flags.integer({char: 'p', description: `base of the port plan: meta-k uses P+100k+91 (API) and P+100k+89 (Raft); default ${DEFAULT_BASE_PORT}, or the existing cluster's`, min: 1000, max: 65000}),
    'log-format': Flags.option({options: LOG_FORMATS, description: `the nodes' log format (default logfmt): ${LOG_FORMATS.map((f) => `${f} imitates ${LOG_FORMAT_HELP[f]}`).join('; ')}`})(),
    auth: Flags.boolean({description: 'require authentication on the meta API and the data nodes\' HTTP API (random secrets; an admin user is created and printed)'}),
    detach: Flags.boolean({description: 'leave the cluster running in the background and exit once it is ready'}),
    'reset-configs': Flags.boolean({description: 'write every node\'s config afresh; without it a restarted cluster keeps the edits made to its configs (only the log format and time scale follow the flags)'}),
    'time-scale': Flags.integer({description: `run the nodes' lease-duration, hinted-handoff max-age, purge-interval and retry back-off, monitor store-interval and CQ run-interval N times faster (1-${MAX_TIME_SCALE}; default 1), so expiry and lease hand-over show in seconds; configs and logs keep the real values`, min: 1, max: MAX_TIME_SCALE}),
    grace: durationFlag({description: 'how long a node may take to stop after SIGTERM before it is killed', default: 5_000, defaultHelp: async () => '5s'}),
  }
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --detach',
    '<%= config.bin %> <%= command.id %> --meta 1 --data 1 --detach',
    '<%= config.bin %> <%= command.id %> --data 0 --detach',
    '<%= config.bin %> <%= command.id %> --dir /tmp/rehearsal --base-port 28000 --log-format legacy --detach',
    '<%= config.bin %> <%= command.id %> --auth --detach --json | jq .auth',
    '<%= config.bin %> <%= command.id %> --meta 1 --data 2 --time-scale 20 --detach',
  ]

  async run(): Promise<object | undefined> {
    const {flags} = await this.parse(DevUp)
    const clusterDir = resolveClusterDir(flags.dir)
    const prepared = await prepareCluster({clusterDir, meta: flags.meta, data: flags.data, basePort: flags['base-port'], logFormat: flags['log-format'], auth: flags.auth, timeScale: flags['time-scale'], resetConfigs: flags['reset-configs']})
    for (const n of prepared.notes) this.note(`note: ${n}`)
    const progress = (m: string) => this.note(`  ${m}`)
    this.note(`Starting the dev cluster in ${clusterDir} ...`)

    if (flags.detach) {
      let result: UpResult
      try {
        result = await startDetachedSupervisor({clusterDir, graceMs: flags.grace, onProgress: progress})
      } finally {
        await prepared.release()
      }
      this.out(renderUpBanner(result, {foreground: false}))
      return this.finish(result, ExitCode.OK)
    }

    let ready = false
    const supervisor = new Supervisor({
      clusterDir,
      mode: 'foreground',
      graceMs: flags.grace,
      onProgress: progress,
      onNodeExit: (name, exit) => {
        if (ready && !exit.requested) this.note(`${name} exited: ${exitText(exit)}. It stays down; medic dev start ${name}${dirFlag(clusterDir)} brings it back.`)
      },
    })
    const onSignal = (signal: NodeJS.Signals) => {
      this.note(`${signal}: stopping every node ...`)
      void supervisor.shutdown(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    try {
      let result: UpResult
      try {
        try {
          await supervisor.open()
        } finally {
          await prepared.release()
        }
        result = await supervisor.bringUp()
      } catch (err) {
        await supervisor.shutdown('start-up failed')
        throw err
      }
      ready = true
      if (this.jsonEnabled()) this.logJson(this.finish(result, ExitCode.OK))
      else this.out(renderUpBanner(result, {foreground: true}))
      this.note(`\nRunning in the foreground: Ctrl-C stops every node (so does medic dev down${dirFlag(clusterDir)} from another terminal).`)
      await supervisor.done
      this.note('Every node stopped.')
      process.exitCode = ExitCode.OK
      return undefined
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
