/**
 * Catalogue entries for the normal life of a node: start-up and shutdown, compactions, cache snapshots, shard and WAL
 * loading, shard precreation, retention enforcement, continuous queries, the monitor and the query log. They make up
 * most of a real log, so they are recognised (verdict expected or info) instead of being counted as unknown.
 *
 * Every pattern is anchored on the exact benign wording, so a failure line that shares words with it (`error
 * compacting TSM files`, `failed to delete shard ...`, `Failed to precreate ...`) is never taken for a benign one.
 * The last two entries are the catch-alls for ordinary access-log lines; as benign.ts comes last in the catalogue,
 * every specific access-log entry of the other files is tried before them.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_LOGS = 'enterprise_influxdb/v1/administration/monitor/logs/'
const DOC_STARTUP = 'enterprise_influxdb/v1/concepts/influxdb-enterprise-startup/'
const DOC_STORAGE = 'enterprise_influxdb/v1/concepts/storage_engine/'
const DOC_DATA_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-data-nodes/'
const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'
const DOC_CQ = 'enterprise_influxdb/v1/query_language/continuous_queries/'
const DOC_MANAGE_DB = 'enterprise_influxdb/v1/query_language/manage-database/'
const DOC_INTERNAL = 'enterprise_influxdb/v1/administration/monitor/measurements-internal/'
const DATA_LOG = '/var/log/influxdb/influxdb.log'
const COMPACTION_KEYS = ['[data] max-concurrent-compactions', '[data] compact-full-write-cold-duration', '[data] compact-throughput', '[data] compact-throughput-burst']
const COMPACTION_METRICS = ['_internal..tsm1_engine.tsmLevel1Compactions', '_internal..tsm1_engine.tsmFullCompactions', '_internal..tsm1_engine.tsmOptimizeCompactions', '_internal..tsm1_engine.tsmLevel1CompactionErrors']
/** The pre-1.5 name of a compaction kind (legacy 1.0-1.1 and `[I]` 1.2-1.4 lines): `level 2`, `full` or `optimize`. */
const KIND = String.raw`(?:level (?<compactionLevel>\d{1,2})|(?<strategy>full|optimize))`
/**
 * Start-up and service lines are short and never carry an error: a line mentioning one, or over 400 characters, stays
 * unknown. (The length guard comes first so that the error scan never walks a long line.)
 */
const NO_ERROR = String.raw`(?=[^\n]{1,400}$)(?![^\n]*(?:[Ee]rror|[Ff]ail|[Pp]anic))`
/** An aborted compaction is routine unless the reason carries an operating-system error. */
const OS_ERROR = String.raw`(?![^\n]{0,400}?(?:too many open files|no space left|permission denied|input\/output error|read-only file system))`

export const benignEntries: CatalogueEntry[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // Process life cycle
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'data-node-started',
    title: 'The data node process (influxd) started',
    verdict: 'info',
    category: 'lifecycle',
    where: 'data',
    restart: true,
    match: {
      keywords: ['InfluxDB starting'],
      pattern: /^InfluxDB starting(?:, version (?<version>[^,\s]{1,64})(?:, branch (?<branch>[^,\s]{1,64}))?(?:, commit (?<commit>[^,\s]{1,64}))?(?:, built (?<built>\S{1,64}))?)?$/,
    },
    cause: 'First line a data node writes when it starts: version, branch and commit of the binary. Enterprise versions read like `1.8.10-c1.8.10` (OSS version, `-c`, cluster version).',
    impact: 'None by itself, but every line before it belongs to the previous run. An unplanned start means the previous process died: look at the lines just above (fatal error, `out of memory`, a panic) and at the kernel log for the OOM killer.',
    check: [
      'Was this restart planned? If not, what are the last lines of the previous run and does `dmesg` show the OOM killer?',
      'Is the version the one you expect on every node (`influxd-ctl show`)?',
      'Until `Listening for signals` appears, the node is still opening shards and does not serve queries.',
    ],
    commands: [`medic logs summarize ${DATA_LOG}   # restarts and what preceded them`, 'influxd-ctl show', "dmesg -T | grep -i -E 'killed process|out of memory' | tail", 'journalctl -u influxdb --since "1 hour ago"'],
    configKeys: ['[logging] level', '[logging] format', '[logging] suppress-logo'],
    versions: ['1.5.0 switched to structured logs: `msg="InfluxDB starting" version=... branch=... commit=...` (the version is then a field).'],
    docs: [DOC_STARTUP, DOC_LOGS],
    examples: [
      {
        line: '[run] 2017/01/19 19:34:26 InfluxDB starting, version 1.1.1-c1.1.1, branch master, commit e47cf1f2e83a02443d7115c54f838be8ee959644',
        values: {version: '1.1.1-c1.1.1', branch: 'master', service: 'run'},
      },
      {
        line: 'ts=2021-07-03T10:05:29.441505Z lvl=info msg="InfluxDB starting" log_id=0V6y7ktG000 version=1.8.6-c1.8.6 branch=1.8 commit=v1.8.6',
        values: {logId: '0V6y7ktG000', level: 'info'},
      },
    ],
  },
  {
    id: 'meta-node-started',
    title: 'The meta node process (influxd-meta) started',
    verdict: 'info',
    category: 'lifecycle',
    where: 'meta',
    restart: true,
    match: {keywords: ['InfluxDB Meta starting'], pattern: /^InfluxDB Meta starting(?:, version (?<version>[^,\s]{1,64}))?/},
    cause: 'First line of a meta node run. The node rejoins the Raft cluster from its local state in the meta dir; it takes part in elections once it reaches its peers on port 8089.',
    impact: 'None if planned. While a meta node restarts the others keep a quorum (with 3 meta nodes, one may be down). Several meta restarts at once can leave the cluster without a leader.',
    check: ['Was the restart planned? If not, what did the previous run log last?', 'After start: does `medic status` show a leader and all peers?'],
    commands: ['medic status <meta-host>:8091', 'journalctl -u influxdb-meta --since "1 hour ago"', 'medic logs summarize /var/log/influxdb/influxdb-meta.log'],
    configKeys: ['[meta] dir', '[meta] bind-address', '[meta] http-bind-address', 'hostname'],
    docs: [DOC_STARTUP, DOC_META_CONFIG],
    examples: [
      {
        line: 'ts=2021-12-08T01:58:02.330411Z lvl=info msg="InfluxDB Meta starting" log_id=0YHxBFZG001 version=1.9.6-c1.9.6 branch=1.9 commit=3f1c2b4d',
        values: {logId: '0YHxBFZG001'},
      },
    ],
  },
  {
    id: 'hh-service-started',
    title: 'The hinted-handoff service started and is reopening its queues',
    verdict: 'expected',
    category: 'hinted-handoff',
    where: 'data',
    match: {keywords: ['Starting hinted handoff service'], pattern: /^Starting hinted handoff service$/},
    cause: 'At start-up the data node opens every queue directory under `[hinted-handoff] dir` and resumes sending what was queued before the restart: the queues survive restarts.',
    impact: 'None. Queues with data start draining now; expect a burst of replication traffic towards the nodes they belong to.',
    check: ['Are there non-empty queues, and do they drain after the start?'],
    commands: ['medic hh watch /var/lib/influxdb/hh', 'ls -lRh /var/lib/influxdb/hh'],
    configKeys: ['[hinted-handoff] enabled', '[hinted-handoff] dir', '[hinted-handoff] max-size', '[hinted-handoff] max-age'],
    metrics: ['_internal..hh_processor.queueBytes'],
    docs: ['enterprise_influxdb/v1/concepts/clustering/', DOC_DATA_CONFIG],
    examples: [{line: '[handoff] 2016/10/12 17:21:40 Starting hinted handoff service', values: {service: 'handoff'}}],
  },
  {
    id: 'service-starting',
    title: 'A service of the node started',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: [
      {
        keywords: ['Starting'],
        pattern: new RegExp(String.raw`^${NO_ERROR}Starting [\w' -]{1,80}? (?:service|system|services)\b`),
      },
      {keywords: ['Opened service', 'opened service'], pattern: /^[Oo]pened service$/},
      {keywords: ['registered for diagnostics monitoring'], pattern: /^'(?<name>[\w-]{1,64})' registered for diagnostics monitoring$/},
      {keywords: ['Registered diagnostics client'], pattern: /^Registered diagnostics client$/},
      {keywords: ['Started listening on'], pattern: /^Started listening on (?:UDP|TCP)\b/},
    ],
    cause: 'During start-up each service (store, monitor, subscriber, cluster, hinted handoff, shard precreation, snapshot, continuous queries, HTTP, retention, anti-entropy...) logs that it is starting. The monitor also lists the diagnostics it registers.',
    impact: 'None.',
    check: ['A service that logs `Starting` but never its follow-up, or the node never reaching `Listening for signals`, points at a hang during start-up.'],
    commands: [`medic logs summarize ${DATA_LOG}`],
    configKeys: [],
    docs: [DOC_STARTUP, DOC_LOGS],
    examples: [
      {line: '[shard-precreation] 2017/01/19 19:34:26 Starting precreation service with check interval of 10m0s, advance period of 30m0s'},
      {line: 'ts=2021-07-03T10:05:29.684661Z lvl=info msg="Starting monitor service" log_id=0V6y7ktG000 service=monitor', values: {service: 'monitor'}},
      {line: "[monitor] 2016/03/25 15:21:11 'hh' registered for diagnostics monitoring", values: {name: 'hh'}},
    ],
  },
  {
    id: 'startup-environment',
    title: 'Start-up details: runtime, configuration file, directories',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: [
      {keywords: ['Go version'], pattern: /^Go version (?<goVersion>\S{1,32}), GOMAXPROCS set to (?<maxprocs>\d{1,6})$/},
      {keywords: ['Go runtime'], pattern: /^Go runtime$/},
      {keywords: ['Using configuration at', 'using configuration at'], pattern: /^[Uu]sing configuration at:? ?(?<path>\S{0,1024})$/},
      {keywords: ['Loading configuration file'], pattern: /^Loading configuration file$/},
      {keywords: ['GOMAXPROCS set to'], pattern: /^GOMAXPROCS set to (?<maxprocs>\d{1,6})$/},
      {keywords: ['no configuration provided'], pattern: /^[Nn]o configuration provided, using default settings$/},
      {keywords: ['Using data dir'], pattern: /^Using data dir:? ?(?<path>\S{0,1024})$/},
      {keywords: ['Compaction settings'], pattern: /^Compaction settings$/},
      {keywords: ['Open store ('], pattern: /^Open store \((?:start|end)\)$/},
      {keywords: ['Authentication enabled', 'authentication enabled'], pattern: /^[Aa]uthentication enabled: ?(?<authEnabled>true|false)$/},
      {keywords: ['opened HTTP access log'], pattern: /^opened HTTP access log$/},
    ],
    cause: 'At start-up the process logs its Go runtime, the configuration file it read, its data directory and a few effective settings.',
    impact: 'None. Worth a look after a change: the node may have read another file than the one you edited (`Using configuration at`), or none at all (`no configuration provided` means every setting is a default).',
    check: ['Is the configuration path the file you edited?', 'Does the data dir match `[data] dir`?'],
    commands: ['influxd config -config /etc/influxdb/influxdb.conf | less   # the effective settings'],
    configKeys: ['[data] dir', '[data] wal-dir', '[http] auth-enabled', '[http] access-log-path'],
    docs: [DOC_STARTUP, DOC_DATA_CONFIG],
    examples: [
      {line: '[run] 2017/01/19 19:34:26 Using configuration at: /etc/influxdb/influxdb.conf', values: {path: '/etc/influxdb/influxdb.conf'}},
      {line: '[run] 2017/01/19 19:34:26 Go version go1.7.4, GOMAXPROCS set to 4', values: {goVersion: 'go1.7.4', maxprocs: 4}},
      {line: 'ts=2021-07-03T10:05:29.664113Z lvl=info msg="Using data dir" log_id=0V6y7ktG000 service=store path=/var/lib/influxdb/data', values: {path: '/var/lib/influxdb/data', service: 'store'}},
    ],
  },
  {
    id: 'http-listener-opened',
    title: 'The HTTP API is listening',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: {keywords: ['Listening on HTTP', 'listening on HTTP'], pattern: /^[Ll]istening on HTTP(?::\s?(?<addr>\S{1,256}))?$/},
    cause: 'The HTTP service bound its port (8086 on data nodes).',
    impact: 'None. Clients can connect from now on, though the node finishes start-up only at `Listening for signals`.',
    check: ['Is the address the one clients and load balancers use (`[http] bind-address`)?'],
    commands: ['curl -i http://<data-node>:8086/ping'],
    configKeys: ['[http] bind-address', '[http] https-enabled'],
    docs: [DOC_DATA_CONFIG],
    examples: [
      {line: '[httpd] 2016/03/25 15:21:11 Listening on HTTP: [::]:8086', values: {addr: '[::]:8086'}},
      {line: 'ts=2021-07-03T10:05:29.705591Z lvl=info msg="Listening on HTTP" log_id=0V6y7ktG000 service=httpd addr=[::]:8086 https=false', values: {addr: '[::]:8086'}},
    ],
  },
  {
    id: 'status-endpoint-deprecated',
    title: 'A client polled the deprecated /status endpoint of a data node',
    verdict: 'info',
    category: 'http',
    where: 'data',
    match: {keywords: ['/status has been deprecated'], pattern: /^WARNING: \/status has been deprecated\.\s+Use \/ping instead\.$/},
    cause: 'A client (an old load-balancer health check, monitoring script or client library) sent GET or HEAD /status to port 8086. The data node answers 204 and logs this warning each time.',
    impact: 'None: /status still answers 204. The line repeats at the client\'s polling rate and fills the log.',
    check: ['Which client polls /status? The access line next to it names the address and user agent.'],
    commands: ['curl -i http://<data-node>:8086/ping'],
    configKeys: ['[http] log-enabled'],
    metrics: ['_internal..httpd.statusReq'],
    docs: [DOC_LOGS],
    examples: [
      {line: 'ts=2026-12-07T05:48:09.805221Z lvl=info msg="WARNING: /status has been deprecated.  Use /ping instead." log_id=16~lZbsG000 service=httpd', values: {}},
      {line: '[I] 2017-09-26T14:44:32Z WARNING: /status has been deprecated.  Use /ping instead. service=httpd', values: {}},
    ],
  },
  {
    id: 'startup-complete',
    title: 'Start-up finished: the process is serving',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: {keywords: ['Listening for signals', 'listening for signals'], pattern: /^[Ll]istening for signals$/},
    cause: 'The last start-up step: all services are open and the process now waits for a stop signal.',
    impact: 'None. The time between the start banner and this line is the start-up time (mostly opening shards).',
    check: ['Long start-ups come from many shards or large WAL files to replay; compare with the previous restarts.'],
    commands: [`medic logs summarize ${DATA_LOG}   # start-up durations`],
    configKeys: ['[data] index-version'],
    docs: [DOC_STARTUP],
    examples: [
      {line: '[run] 2016/03/25 15:21:11 Listening for signals', values: {service: 'run'}},
      {line: 'ts=2021-07-03T10:05:29.714296Z lvl=info msg="Listening for signals" log_id=0V6y7ktG000', values: {logId: '0V6y7ktG000'}},
    ],
  },
  {
    id: 'clean-shutdown',
    title: 'The process was asked to stop and is shutting down cleanly',
    verdict: 'info',
    category: 'lifecycle',
    where: 'any',
    match: {
      keywords: ['Signal received, initializing clean shutdown', 'signal received, initializing clean shutdown', 'Waiting for clean shutdown', 'waiting for clean shutdown', 'shutdown completed'],
      pattern: /^(?:[Ss]ignal received, initializing clean shutdown\.{0,3}|[Ww]aiting for clean shutdown\.{0,3}|[Ss]erver shutdown completed)$/,
    },
    cause: 'The process got SIGTERM or SIGINT (systemctl stop/restart, kill, a container runtime) and closes its services. It waits up to 30 seconds for them.',
    impact: 'The node stops serving until it is started again. Writes for its shards go to hinted-handoff queues on the other nodes meanwhile.',
    check: ['Was the stop planned? Who sent the signal (systemd, an orchestrator, a person)?'],
    commands: ['journalctl -u influxdb --since "1 hour ago" | grep -iE "stopping|stopped|signal"'],
    configKeys: [],
    versions: ['1.9.6+: `[data] termination-query-log = true` prints the running queries when SIGTERM arrives.'],
    docs: [DOC_LOGS],
    examples: [
      {line: '[run] 2017/03/01 21:10:02 Signal received, initializing clean shutdown...'},
      {line: 'ts=2021-07-03T11:00:00.000312Z lvl=info msg="Waiting for clean shutdown..." log_id=0V6y7ktG000'},
    ],
  },
  {
    id: 'hard-shutdown',
    title: 'Shutdown did not finish in time: the process exits without closing everything',
    verdict: 'info',
    category: 'lifecycle',
    where: 'any',
    match: {keywords: ['initializing hard shutdown'], pattern: /^(?:[Ss]econd signal received|[Tt]ime limit reached), initializing hard shutdown$/},
    cause: 'Either a second stop signal arrived, or the services did not close within 30 seconds (large caches to snapshot, long queries, a stuck remote write).',
    impact: 'Written points are safe in the WAL, but the next start replays more WAL and takes longer. Repeated hard shutdowns deserve a look at what blocks closing.',
    check: ['Which service was still closing (the last service lines before this one)?', 'Does the service manager send a second signal too early (TimeoutStopSec)?'],
    commands: ['systemctl show influxdb -p TimeoutStopUSec', `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[data] cache-snapshot-memory-size'],
    docs: [DOC_LOGS],
    examples: [{line: '[run] 2016/07/28 09:01:34 time limit reached, initializing hard shutdown'}],
  },
  {
    id: 'service-stopping',
    title: 'A service of the node stopped',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: [
      {
        keywords: ['Closing', 'terminating', 'Terminating', 'Shutting down', 'shutting down', 'Closed service', 'Stopping'],
        pattern: new RegExp(
          String.raw`^${NO_ERROR}(?:(?:Closing|Terminating|Stopping|[Ss]hutting down) [\w' -]{1,80}? (?:service|system)|[\w' -]{1,80}? (?:service |enforcement )?terminating|Closed service)$`,
        ),
      },
      // 0.9-era services saying they stopped listening while the process shuts down.
      {keywords: ['listener closed'], pattern: /^(?:snapshot|cluster) listener closed$/},
      {keywords: ['accept error: network connection closed'], pattern: /^cluster service accept error: network connection closed$/},
    ],
    cause: 'During shutdown (or when a service is restarted after SIGHUP) each service logs that it closes.',
    impact: 'None while the process is being stopped. Outside a shutdown, a service stopping alone is unusual: look at the surrounding lines.',
    check: ['Is a shutdown in progress (a `Signal received` line just before)?'],
    commands: [`medic logs summarize ${DATA_LOG}`],
    configKeys: [],
    docs: [DOC_LOGS],
    examples: [
      {line: 'ts=2021-07-03T11:00:00.000512Z lvl=info msg="Closing retention policy enforcement service" log_id=0V6y7ktG000 service=retention', values: {service: 'retention'}},
      {line: '[continuous_querier] 2017/03/01 21:10:02 continuous query service terminating'},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Storage engine
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'tsm-compaction-run',
    title: 'A TSM compaction started or finished',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['TSM compaction ('], pattern: /^TSM compaction \((?:start|end)\)$/},
      {keywords: ['Beginning compaction'], pattern: /^Beginning compaction$/},
      {keywords: ['Finished compacting files'], pattern: /^Finished compacting files$/},
      {
        keywords: ['beginning level', 'beginning full', 'beginning optimize'],
        pattern: new RegExp(String.raw`^beginning ${KIND} compaction of group (?<group>\d{1,10}), (?<count>\d{1,10}) TSM files$`),
      },
      {
        keywords: ['compacted level', 'compacted full', 'compacted optimize'],
        pattern: new RegExp(String.raw`^compacted ${KIND}(?: group \d{1,10} of)? (?<count>\d{1,10}) files into (?<files>\d{1,10}) files in (?<duration>\S{1,32})$`),
      },
    ],
    cause:
      'The storage engine merges the TSM files of a shard in the background: level compactions (1–3) combine the files written by cache snapshots, full compactions rewrite a shard that has gone cold, optimize compactions rewrite it for fewer, denser blocks. Each run logs a start and an end line.',
    impact: 'None: routine. Compactions use disk I/O and CPU; many long full compactions at once can slow writes and queries.',
    check: ['Are compactions keeping up? A growing number of TSM files per shard, or always-active full compactions, means the disk is too slow for the write load.'],
    commands: [`medic logs summarize ${DATA_LOG}   # compactions per hour and their durations`, "influx -database _internal -execute 'SELECT last(tsmFullCompactionsActive) FROM tsm1_engine WHERE time > now() - 10m GROUP BY hostname'"],
    configKeys: COMPACTION_KEYS,
    metrics: COMPACTION_METRICS,
    versions: [
      '1.0–1.2: `beginning level 1 compaction of group 0, 4 TSM files` ... `compacted level 1 group 0 of 4 files into 1 files in 1.2s`.',
      '1.3/1.4: `compacted level 1 4 files into 1 files in 1.2s`; full and optimize compactions name their kind instead of a level.',
      '1.5+: traced `TSM compaction (start)` / `(end)` with `op_elapsed`, `tsm1_level` and `tsm1_strategy` fields.',
    ],
    docs: [DOC_STORAGE, DOC_DATA_CONFIG],
    examples: [
      {line: '[tsm1] 2017/10/25 12:00:00 beginning level 2 compaction of group 0, 4 TSM files', values: {compactionLevel: 2, group: 0, count: 4}},
      {line: '[I] 2017-10-25T12:00:02Z compacted full 5 files into 1 files in 1.922s engine=tsm1', values: {strategy: 'full', count: 5, files: 1, duration: '1.922s', level: 'info'}},
      {
        line: 'ts=2019-10-23T23:24:24.305449Z lvl=info msg="TSM compaction (end)" log_id=0Ifjmivl000 engine=tsm1 tsm1_strategy=full tsm1_optimize=false trace_id=0IfjoHrG000 op_name=tsm1_compact_group op_event=end op_elapsed=6040.604ms',
        values: {operation: 'tsm1_compact_group', elapsed: '6040.604ms', traceId: '0IfjoHrG000'},
      },
    ],
  },
  {
    id: 'tsm-compaction-file',
    title: 'A file taking part in a TSM compaction',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['Compacting file', 'Compacted file'], pattern: /^Compact(?:ing|ed) file$/},
      {
        keywords: ['compacting level', 'compacting full', 'compacting optimize', 'compacted level', 'compacted full', 'compacted optimize'],
        pattern: new RegExp(String.raw`^compact(?:ing|ed) ${KIND} group \((?<group>\d{1,10})\) (?:into )?(?<path>\S{1,1024}) \(#\d{1,10}\)$`),
      },
    ],
    cause: 'Each compaction lists its input files (`Compacting file`) and its output files (`Compacted file`, ending in `.tsm.tmp` until they are renamed).',
    impact: 'None: these lines are the bulk of a compaction\'s log.',
    check: [],
    commands: [`medic logs summarize ${DATA_LOG}`],
    configKeys: COMPACTION_KEYS,
    docs: [DOC_STORAGE],
    examples: [
      {
        line: '[tsm1] 2017/10/25 12:00:00 compacting level 2 group (0) /var/lib/influxdb/data/telegraf/autogen/12/000000017-000000002.tsm (#0)',
        values: {compactionLevel: 2, path: '/var/lib/influxdb/data/telegraf/autogen/12/000000017-000000002.tsm'},
      },
      {
        line: 'ts=2019-10-23T23:24:22.026223Z lvl=info msg="Compacted file" log_id=0Ifjmivl000 engine=tsm1 tsm1_strategy=full tsm1_optimize=false trace_id=0IfjoDw0000 op_name=tsm1_compact_group tsm1_index=0 tsm1_file=/var/lib/influxdb/data/telegraf/autogen/76/000000013-000000002.tsm.tmp',
        values: {operation: 'tsm1_compact_group'},
      },
    ],
  },
  {
    id: 'tsm-compaction-aborted',
    title: 'A TSM compaction was abandoned because another one holds the files, or compactions are paused',
    verdict: 'info',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['Aborted compaction'], pattern: new RegExp(String.raw`^Aborted compaction: (?<reason>compaction in progress|compactions disabled)${OS_ERROR}`)},
      {
        keywords: ['aborted level', 'aborted full', 'aborted optimize'],
        pattern: new RegExp(String.raw`^aborted ${KIND} compaction group \((?<group>\d{1,10})\)\. (?<reason>compaction in progress|compactions disabled)${OS_ERROR}`),
      },
    ],
    cause: 'The planner picked files that another compaction is already rewriting, or compactions of the shard are paused (the shard is closing, being backed up or deleted). The compaction is planned again a second later.',
    impact: 'None when occasional. Constant aborts for the same shard can mean a compaction that never finishes.',
    check: ['Is a backup or shard deletion running at the time?', 'Is it always the same shard? (An abort whose reason names an OS error such as `too many open files` is not matched here: it stays unknown.)'],
    commands: [`medic logs summarize ${DATA_LOG}`],
    configKeys: COMPACTION_KEYS,
    metrics: COMPACTION_METRICS,
    docs: [DOC_STORAGE],
    examples: [
      {line: '[I] 2017-10-25T12:00:05Z aborted level 1 compaction group (2). compaction in progress engine=tsm1', values: {compactionLevel: 1, reason: 'compaction in progress'}},
      {
        line: 'ts=2020-02-11T04:01:02.004015Z lvl=info msg="Aborted compaction" log_id=0LAWcQ2W000 engine=tsm1 tsm1_level=1 tsm1_strategy=level trace_id=0LAc1OcW000 op_name=tsm1_compact_group error="compactions disabled"',
        values: {reason: 'compactions disabled'},
      },
    ],
  },
  {
    id: 'cache-snapshot',
    title: 'A shard\'s in-memory cache was written to a new TSM file (snapshot)',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['Cache snapshot ('], pattern: /^Cache snapshot \((?:start|end)\)$/},
      {
        keywords: ['Snapshot for path'],
        pattern: /^Snapshot for path (?:(?<path>\S{1,1024}) )?(?:written|deduplicated)(?: in (?<duration>\S{1,32}))?$/,
      },
      {keywords: ['Compacting cache for'], pattern: /^Compacting cache for (?<path>\S{1,1024})$/},
    ],
    cause: 'When a shard\'s cache reaches `cache-snapshot-memory-size`, or has had no writes for `cache-snapshot-write-cold-duration`, it is written to disk as a TSM file and the matching WAL segments are removed.',
    impact: 'None: routine. Snapshots that take many seconds mean slow disks; if they fall behind, the cache grows towards `cache-max-memory-size` and writes start to fail.',
    check: ['How long do snapshots take ({duration})? Seconds-long snapshots on every shard point at the disk.'],
    commands: ['iostat -x 5 3', "influx -database _internal -execute 'SELECT max(memBytes) FROM tsm1_cache WHERE time > now() - 1h GROUP BY hostname'"],
    configKeys: ['[data] cache-snapshot-memory-size', '[data] cache-snapshot-write-cold-duration', '[data] cache-max-memory-size'],
    metrics: ['_internal..tsm1_cache.memBytes', '_internal..tsm1_cache.snapshotCount', '_internal..tsm1_engine.cacheCompactions', '_internal..tsm1_engine.cacheCompactionDuration'],
    docs: [DOC_STORAGE, DOC_DATA_CONFIG],
    examples: [
      {line: '[I] 2017-06-09T11:35:12Z Snapshot for path /var/lib/influxdb/data/telegraf/autogen/2 written in 123.456789ms engine=tsm1', values: {path: '/var/lib/influxdb/data/telegraf/autogen/2', duration: '123.456789ms'}},
      {
        line: 'ts=2019-10-23T23:24:25.276000Z lvl=info msg="Snapshot for path written" log_id=0Ifjmivl000 engine=tsm1 trace_id=0IfjnvPG000 op_name=tsm1_cache_snapshot path=/var/lib/influxdb/data/telegraf/autogen/77 duration=13014.679ms',
        values: {path: '/var/lib/influxdb/data/telegraf/autogen/77', operation: 'tsm1_cache_snapshot'},
      },
      {line: 'ts=2021-07-29T07:30:50.593512Z lvl=info msg="Cache snapshot (start)" log_id=0Vcwk4h0000 engine=tsm1 trace_id=0VdJ3vPl000 op_name=tsm1_cache_snapshot op_event=start'},
    ],
  },
  {
    id: 'cache-snapshot-skipped',
    title: 'A cache snapshot was skipped because another one is running or compactions are paused',
    verdict: 'info',
    category: 'storage',
    where: 'data',
    match: {
      keywords: ['error writing snapshot', 'Error writing snapshot'],
      pattern: /^[Ee]rror writing snapshot: (?<reason>snapshot in progress|compactions disabled)$/,
    },
    cause: 'The engine wanted to flush a shard\'s cache while a snapshot of it was still running (backups and `influxd-ctl copy-shard` snapshot shards too) or while compactions of the shard were paused. It tries again on its next check, a second later.',
    impact: 'None when it clears within a few attempts. If it repeats for minutes, the cache keeps growing: watch for `cache maximum memory size exceeded`.',
    check: ['Is a backup or a shard copy running?', 'Does it repeat for the same shard for minutes?'],
    commands: ['influxd-ctl copy-shard-status', `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[data] cache-snapshot-memory-size', '[data] cache-max-memory-size'],
    metrics: ['_internal..tsm1_cache.memBytes', '_internal..tsm1_engine.cacheCompactionErr'],
    versions: ['1.8.5 fixed TSM backups failing with "snapshot in progress".'],
    docs: [DOC_STORAGE],
    examples: [{line: '[tsm1] 2017/02/14 03:00:13 error writing snapshot: snapshot in progress', values: {reason: 'snapshot in progress'}}],
  },
  {
    id: 'shard-opened',
    title: 'A shard was opened (start-up or new shard)',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['Opened shard'], pattern: /^Opened shard$/},
      {keywords: ['opened in'], pattern: /^(?<path>\S{1,1024}) opened in (?<duration>\S{1,32})$/},
      {keywords: ['database index loaded in'], pattern: /^(?<path>\S{1,1024}) database index loaded in (?<duration>\S{1,32})$/},
      {keywords: ['index opened with'], pattern: /^index opened with \d{1,6} partitions$/},
    ],
    cause: 'The store opens every shard at start-up (loading its index and TSM files, replaying its WAL) and opens new shards as shard groups are created.',
    impact: 'None. The time per shard adds up to the start-up time; very slow opens point at large WALs (unclean stop) or in-memory indexes of many series.',
    check: ['Which shards open slowly ({duration})? Large WAL directories for them?'],
    commands: ['du -sh /var/lib/influxdb/wal/*/*/* | sort -h | tail', `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[data] index-version', '[data] dir', '[data] wal-dir'],
    docs: [DOC_STARTUP, DOC_STORAGE],
    examples: [
      {line: '[store] 2016/07/28 09:04:50 /opt/influxdb/data/tools/default/539 opened in 397.379077ms', values: {path: '/opt/influxdb/data/tools/default/539', duration: '397.379077ms'}},
      {
        line: 'ts=2021-07-03T10:05:29.665900Z lvl=info msg="Opened shard" log_id=0V6y7ktG000 service=store trace_id=0V6y7llG000 op_name=tsdb_open index_version=inmem path=/var/lib/influxdb/data/_internal/monitor/1 duration=1.181ms',
        values: {path: '/var/lib/influxdb/data/_internal/monitor/1', service: 'store'},
      },
    ],
  },
  {
    id: 'wal-file-corrupt',
    title: 'A WAL segment ended in a torn or damaged entry and was cut there at start-up',
    verdict: 'info',
    category: 'storage',
    where: 'data',
    match: {keywords: ['File corrupt'], pattern: /^File corrupt(?:: (?<error>.+))?$/},
    cause: 'While replaying a shard\'s WAL into the cache at start-up, the loader met an entry it could not read (usually the last write of a process that was killed or lost power mid-write) and truncated the segment at that position (`pos`). Everything before it is replayed.',
    impact: 'The cut entry was never acknowledged to a client when the WAL is fsynced before acknowledging (`wal-fsync-delay = "0s"`, the default), so no acknowledged write is lost. With a non-zero fsync delay, writes acknowledged within that delay before the crash can be in the cut part. A damaged entry in the middle of a segment (disk errors) loses the rest of that segment.',
    check: ['Did the node stop uncleanly just before (kill -9, OOM, power loss)?', 'Is `pos` near the end of the file (a torn tail) or far from it (damage)?', 'Any disk errors in the kernel log?'],
    commands: ['journalctl -k | grep -i -E "i/o error|ext4|xfs"', 'ls -l {path}'],
    configKeys: ['[data] wal-fsync-delay', '[data] wal-dir'],
    docs: [DOC_DATA_CONFIG],
    examples: [
      {
        line: 'ts=2021-07-03T10:05:29.669000Z lvl=info msg="File corrupt" log_id=0V6y7ktG000 engine=tsm1 service=cacheloader error="unexpected EOF" path=/var/lib/influxdb/wal/telegraf/autogen/12/_00042.wal pos=1048576',
        values: {path: '/var/lib/influxdb/wal/telegraf/autogen/12/_00042.wal', error: 'unexpected EOF'},
      },
    ],
  },
  {
    id: 'shard-files-loaded',
    title: 'TSM or WAL files of a shard were loaded',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['Opened file', 'Reading file'], pattern: /^(?:Opened|Reading) file$/},
      {keywords: ['opened in'], pattern: /^(?<path>\S{1,1024}) \(#\d{1,10}\) opened in (?<duration>\S{1,32})$/},
      {keywords: ['reading file'], pattern: /^reading file (?<path>\S{1,1024}), size (?<size>\d{1,20})$/},
      {keywords: ['tsm1 WAL starting with', 'tsm1 WAL writing to'], pattern: /^tsm1 WAL (?:starting with \d{1,20} segment size|writing to (?<path>\S{1,1024}))$/},
      {keywords: ['Reloaded WAL cache'], pattern: /^Reloaded WAL cache (?<path>\S{1,1024}) in (?<duration>\S{1,32})$/},
    ],
    cause: 'Opening a shard opens each of its TSM files and replays its WAL segments into the cache.',
    impact: 'None. WAL segments of several MB replayed at start-up mean the node did not stop cleanly or had a large cache.',
    check: [],
    commands: [`medic logs summarize ${DATA_LOG}`],
    configKeys: ['[data] wal-dir', '[data] cache-snapshot-memory-size'],
    docs: [DOC_STORAGE],
    examples: [
      {line: '[cacheloader] 2017/01/19 19:34:26 reading file /var/lib/influxdb/wal/_internal/monitor/1/_00002.wal, size 8260', values: {path: '/var/lib/influxdb/wal/_internal/monitor/1/_00002.wal', size: 8260}},
      {line: '[filestore] 2016/07/28 09:04:50 /opt/influxdb/data/openstack-kilo/default/118/000000009-000000003.tsm (#0) opened in 4.343892ms', values: {duration: '4.343892ms'}},
      {
        line: 'ts=2021-07-03T10:05:29.665512Z lvl=info msg="Opened file" log_id=0V6y7ktG000 engine=tsm1 service=filestore path=/var/lib/influxdb/data/_internal/monitor/1/000000001-000000001.tsm id=0 duration=0.402ms',
        values: {path: '/var/lib/influxdb/data/_internal/monitor/1/000000001-000000001.tsm', service: 'filestore'},
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Shard groups: precreation and retention
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'shard-group-precreated',
    title: 'The next shard group was created ahead of time',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: {
      keywords: ['successfully precreated', 'successfully created', 'pre-creating successive shard group'],
      // 0.9-0.11 (bare or [metastore]): `new shard group 3 successfully created [for database db, retention policy rp]`
      // and `pre-creating successive shard group for group 1, database db, policy rp`.
      pattern: /^(?:[Nn]ew shard group (?:(?<shardGroup>\d{1,20}) )?successfully (?:pre)?created(?: for database (?<db>[^,]{1,256}), retention policy (?<rp>\S{1,256}))?|pre-creating successive shard group for group \d{1,20}, database (?<db2>[^,]{1,256}), policy (?<rp2>\S{1,256}))$/,
    },
    cause: 'Shortly before the current shard group ends (`advance-period`), the precreation service creates the next one so that writes at the boundary do not wait for the meta cluster.',
    impact: 'None. Failures to precreate are logged differently and leave shard creation to the first write of the new period.',
    check: [],
    commands: ['influxd-ctl show-shards'],
    configKeys: ['[shard-precreation] enabled', '[shard-precreation] check-interval', '[shard-precreation] advance-period'],
    versions: ['1.11.6 fixed precreation that only covered the first database.'],
    docs: [DOC_DATA_CONFIG, DOC_MANAGE_DB],
    examples: [
      {line: '[metaclient] 2017/03/12 23:50:00 new shard group 138 successfully precreated for database telegraf, retention policy autogen', values: {shardGroup: 138, db: 'telegraf', rp: 'autogen'}},
      {
        line: 'ts=2021-07-04T23:30:00.013212Z lvl=info msg="New shard group successfully precreated" log_id=0V6y7ktG000 service=metaclient db_shard_group=27 db_instance=telegraf db_rp=autogen',
        values: {shardGroup: 27, db: 'telegraf', rp: 'autogen'},
      },
    ],
  },
  {
    id: 'retention-check',
    title: 'The retention service checked for expired shards',
    verdict: 'expected',
    category: 'storage',
    where: 'data',
    match: {
      keywords: ['Retention policy deletion check', 'retention policy shard deletion check commencing', 'retention policy enforcement check commencing'],
      pattern: /^(?:Retention policy deletion check \((?:start|end)\)|retention policy (?:shard deletion|enforcement) check commencing)$/,
    },
    cause: 'Every `[retention] check-interval` (30 minutes by default) the service looks for shard groups past their retention policy\'s duration and deletes them.',
    impact: 'None.',
    check: ['Shards that should have expired are still there? Look for `Failed to delete` lines in the same check.'],
    commands: ['influxd-ctl show-shards'],
    configKeys: ['[retention] enabled', '[retention] check-interval'],
    docs: [DOC_MANAGE_DB, DOC_DATA_CONFIG],
    examples: [
      {line: '[retention] 2017/03/12 20:49:44 retention policy shard deletion check commencing'},
      {line: 'ts=2021-07-29T07:21:09.160265Z lvl=info msg="Retention policy deletion check (end)" log_id=0Vcwk4h0000 service=retention trace_id=0VdI0Xl0000 op_name=retention_delete_check op_event=end op_elapsed=0.096ms', values: {elapsed: '0.096ms'}},
    ],
  },
  {
    id: 'retention-shard-deleted',
    title: 'An expired shard or shard group was deleted by retention enforcement',
    verdict: 'info',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['Deleted shard'], pattern: /^Deleted shard(?: group)?$/},
      {keywords: ['deleted shard group'], pattern: /^deleted shard group (?<shardGroup>\d{1,20}) from database (?<db>[^,]{1,256}), retention policy (?<rp>\S{1,256})$/},
      {keywords: ['shard ID'], pattern: /^shard ID (?<shardId>\d{1,20})(?: from database (?<db>[^,]{1,256}), retention policy (?<rp>[^,]{1,256}),)? (?:deleted|removed)$/},
    ],
    cause: 'The data in this shard (group) is older than its retention policy allows, so it was removed from the meta store and from disk.',
    impact: 'The data is gone by design. Unexpected only if the retention policy is shorter than intended.',
    check: ['Is the retention policy\'s duration what you expect (`SHOW RETENTION POLICIES`)?'],
    commands: ['influx -execute \'SHOW RETENTION POLICIES ON "{db}"\''],
    configKeys: ['[retention] check-interval'],
    docs: [DOC_MANAGE_DB],
    examples: [
      {line: '[retention] 2017/03/12 21:19:44 shard ID 12 from database telegraf, retention policy autogen, deleted', values: {shardId: 12, db: 'telegraf', rp: 'autogen'}},
      {
        line: 'ts=2021-07-29T07:21:09.150111Z lvl=info msg="Deleted shard group" log_id=0Vcwk4h0000 service=retention trace_id=0VdI0Xl0000 op_name=retention_delete_check db_instance=telegraf db_shard_group=9 db_rp=two_weeks',
        values: {shardGroup: 9, db: 'telegraf', rp: 'two_weeks'},
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Continuous queries, monitor, query log, usage reporting
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'cq-executed',
    title: 'A continuous query ran',
    verdict: 'expected',
    category: 'cq',
    where: 'data',
    match: [
      {keywords: ['Executing continuous query', 'Finished continuous query'], pattern: /^(?:Executing|Finished) continuous query$/},
      {keywords: ['Continuous query execution ('], pattern: /^Continuous query execution \((?:start|end)\)$/},
      {keywords: ['executing continuous query'], pattern: /^executing continuous query (?<cq>\S{1,256})(?: \((?<start>[^)]{0,64}?) to (?<end>[^)]{0,64})\))?$/},
      {
        keywords: ['finished continuous query'],
        pattern: /^finished continuous query (?<cq>[^,\s]{1,256})(?:, (?<written>-?\d{1,20}) points?\(s\) written)? \((?<start>[^)]{0,64}?) to (?<end>[^)]{0,64})\) in (?<duration>\S{1,32})$/,
      },
      {keywords: ['running continuous queries by request'], pattern: /^running continuous queries by request for time: /},
    ],
    cause: 'The data node holding the CQ lease ran a continuous query for one interval and wrote its results back.',
    impact: 'None. A CQ that takes longer than its interval, or the sum of all CQs longer than `lease-duration`, makes the lease move between nodes and runs CQs twice.',
    check: ['How long do the CQs take compared with their GROUP BY interval?', 'Do the executions all come from one node (the lease holder)?'],
    commands: ["influx -execute 'SHOW CONTINUOUS QUERIES'", `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[continuous_queries] enabled', '[continuous_queries] log-enabled', '[continuous_queries] run-interval', '[continuous_queries] query-stats-enabled', '[meta] lease-duration'],
    metrics: ['_internal..cq.queryOk', '_internal..cq.queryFail'],
    docs: [DOC_CQ, DOC_DATA_CONFIG],
    examples: [
      {
        line: '[continuous_querier] 2017/03/01 21:00:00 executing continuous query cq_1h (2017-03-01 20:00:00 +0000 UTC to 2017-03-01 21:00:00 +0000 UTC)',
        values: {cq: 'cq_1h', start: '2017-03-01 20:00:00 +0000 UTC', end: '2017-03-01 21:00:00 +0000 UTC'},
      },
      {
        line: 'ts=2022-10-30T08:01:00.771732Z lvl=info msg="Finished continuous query" log_id=0dqzMtk0000 service=continuous_querier trace_id=0dqzNeKW000 op_name=continuous_querier_execute name=electric_power_1h db_instance=iot written=1 start=2022-10-30T07:01:00.000000Z end=2022-10-30T08:01:00.000000Z duration=17ms',
        values: {db: 'iot', operation: 'continuous_querier_execute'},
      },
    ],
  },
  {
    id: 'monitor-storing-statistics',
    title: 'The monitor stores the node\'s statistics in _internal',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'data',
    match: {
      keywords: ['Storing statistics'],
      pattern: /^Storing statistics(?: in database '(?<db>[^']{0,256})' retention policy '(?<rp>[^']{0,256})', at interval (?<interval>\S{1,32}))?$/,
    },
    cause: 'At start-up the monitor says where it writes this node\'s statistics (the `_internal` database, `monitor` retention policy, every 10 seconds by default).',
    impact: 'None. These statistics are what `_internal..` metrics in medic\'s advice refer to.',
    check: ['Is `_internal` kept? With `store-enabled = false` the same figures are only in /debug/vars.'],
    commands: ["influx -database _internal -execute 'SHOW MEASUREMENTS'", 'curl -s http://<data-node>:8086/debug/vars | head -c 2000'],
    configKeys: ['[monitor] store-enabled', '[monitor] store-database', '[monitor] store-interval'],
    docs: [DOC_INTERNAL],
    examples: [
      {line: "[monitor] 2016/03/25 15:21:11 Storing statistics in database '_internal' retention policy 'monitor', at interval 10s", values: {db: '_internal', rp: 'monitor', interval: '10s'}},
      {line: 'ts=2021-07-03T10:05:29.743957Z lvl=info msg="Storing statistics" log_id=0V6y7ktG000 service=monitor db_instance=_internal db_rp=monitor interval=10s', values: {db: '_internal', rp: 'monitor'}},
    ],
  },
  {
    id: 'usage-reporting',
    title: 'Anonymous usage statistics are sent to InfluxData',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: {keywords: ['usage statistics to'], pattern: /^Sending (?:anonymous )?usage statistics to (?<endpoint>\S{1,256})$/},
    cause: 'Unless `reporting-disabled = true`, the node reports its version and a few counters to InfluxData once a day.',
    impact: 'None. On hosts without internet access the attempts fail quietly; disable reporting there.',
    check: ['To stop it, set `reporting-disabled = true` at the top level of influxdb.conf and influxdb-meta.conf, then restart.'],
    commands: ['grep -n reporting-disabled /etc/influxdb/influxdb.conf /etc/influxdb/influxdb-meta.conf'],
    configKeys: ['reporting-disabled'],
    docs: [DOC_DATA_CONFIG],
    examples: [{line: 'ts=2021-07-03T10:05:29.727302Z lvl=info msg="Sending usage statistics to usage.influxdata.com" log_id=0V6y7ktG000', values: {endpoint: 'usage.influxdata.com'}}],
  },
  {
    id: 'query-logged',
    title: 'A query was logged by the query log',
    verdict: 'expected',
    category: 'query',
    where: 'data',
    match: [
      {keywords: ['Executing query'], pattern: /^Executing query$/},
      {
        keywords: ['SELECT ', 'SHOW ', 'CREATE ', 'DROP ', 'ALTER ', 'DELETE ', 'GRANT ', 'REVOKE ', 'KILL ', 'EXPLAIN '],
        pattern: /^(?:SELECT|SHOW|CREATE|DROP|ALTER|DELETE|GRANT|REVOKE|KILL|EXPLAIN) /,
      },
    ],
    cause: 'With `[data] query-log-enabled = true` (the default) every InfluxQL statement the node executes is written to the log.',
    impact: 'None; on busy nodes it is a large share of the log. A `DROP` or `DELETE` here tells who removed data and when.',
    check: ['Looking for a data loss? Search these lines for DROP and DELETE statements.'],
    commands: ["grep -E 'DROP|DELETE' /var/log/influxdb/influxdb.log | tail"],
    configKeys: ['[data] query-log-enabled'],
    docs: [DOC_DATA_CONFIG, DOC_LOGS],
    examples: [
      {line: '[I] 2017-06-09T11:29:00Z CREATE DATABASE telegraf service=query', values: {service: 'query'}},
      {line: 'ts=2021-07-03T10:05:35.781393Z lvl=info msg="Executing query" log_id=0V6y7ktG000 service=query query="CREATE DATABASE telegraf"', values: {service: 'query'}},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Catch-alls for ordinary access-log lines: keep these last.
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'http-request-logged',
    title: 'A request to the data-node HTTP API (access log)',
    verdict: 'expected',
    category: 'http',
    where: 'data',
    match: {http: {side: 'data'}},
    cause: 'With `[http] log-enabled = true` every request to port 8086 is logged: client, user, request, status, size, user agent, request id and duration in microseconds.',
    impact: 'None. Failing writes and server errors have their own entries; this one covers the rest.',
    check: ['Slow requests: the last field is the duration in microseconds.'],
    commands: [`medic logs summarize ${DATA_LOG}`],
    configKeys: ['[http] log-enabled', '[http] access-log-path', '[http] suppress-write-log'],
    metrics: ['_internal..httpd.req', '_internal..httpd.writeReq', '_internal..httpd.queryReq'],
    versions: ['1.4+ can write the access log to its own file (`access-log-path`); the `[httpd]` prefix is then dropped.'],
    docs: [DOC_LOGS, DOC_DATA_CONFIG],
    examples: [
      {
        line: '[httpd] 2016/12/09 04:29:10 127.0.0.1 - - [09/Dec/2016:04:29:10 +0000] "POST /write?db=telegraf HTTP/1.1" 204 0 "-" "Telegraf/1.1.2" d9604bf2-4d06-11e7-8003-000000000000 5123',
        values: {httpStatus: 204, db: 'telegraf', method: 'POST', durationMs: 5.123},
      },
      {
        line: '10.0.0.5 - - [01/Mar/2018:20:49:45 +0000] "GET /ping HTTP/1.1" 204 0 "-" "Go-http-client/1.1" 9a4371a1-fec0-11e6-84b6-000000000000 41',
        values: {httpStatus: 204, path: '/ping'},
      },
    ],
  },
  {
    id: 'meta-http-request-logged',
    title: 'A request to the meta API (meta access log)',
    verdict: 'expected',
    category: 'http',
    where: 'meta',
    match: {http: {side: 'meta'}},
    cause: 'With `[meta] cluster-tracing = true` the meta node logs every request to port 8091: data nodes polling for meta changes, influxd-ctl, Chronograf.',
    impact: 'None. Redirects, errors, 503 and the CQ lease have their own entries.',
    check: [],
    commands: ['medic logs summarize /var/log/influxdb/influxdb-meta.log'],
    configKeys: ['[meta] cluster-tracing', '[meta] logging-enabled'],
    versions: ['1.3+ logs these lines only with `cluster-tracing = true`; 1.9.6+ writes them as logfmt `msg=weblog` lines with POST bodies redacted.'],
    docs: [DOC_META_CONFIG, DOC_LOGS],
    examples: [
      {
        line: '[meta-http] 2016/09/19 09:09:01 172.31.4.132 - - [19/Sep/2016:09:09:01 +0000] GET /status HTTP/1.1 200 184 - curl/7.47.0 b4a1c7d2-7e48-11e6-86b0-000000000000 402.1µs',
        values: {httpStatus: 200, path: '/status', service: 'meta-http'},
      },
    ],
  },
]
