/**
 * Catalogue entries for the running node's own trouble that is not a write error returned to a client: the monitor
 * failing to store `_internal` statistics, shards that fail to open, writes dropped for deleted shards, the
 * hinted-handoff semaphore of influxdb-cluster, influxd-ctl refusing a meta node with state, and the service manager
 * (systemd) restarting or giving up on the process.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_DATA_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-data-nodes/'
const DOC_INTERNAL = 'enterprise_influxdb/v1/administration/monitor/measurements-internal/'
const DOC_STARTUP = 'enterprise_influxdb/v1/concepts/influxdb-enterprise-startup/'
const DATA_LOG = '/var/log/influxdb/influxdb.log'

export const operationEntries: CatalogueEntry[] = [
  {
    id: 'monitor-store-failed',
    title: 'The monitor could not store this node\'s _internal statistics',
    verdict: 'warning',
    category: 'write',
    where: 'data',
    fallback: true,
    match: [
      // 1.0-1.4 `failed to store statistics: <err>`; 1.5+ `Failed to store statistics` with an `error` field.
      {keywords: ['failed to store statistics', 'Failed to store statistics'], pattern: /[Ff]ailed to store statistics(?:: (?<error>.{1,2000}))?/},
      {keywords: ['Failed to create storage', 'failed to create storage'], pattern: /[Ff]ailed to create storage(?:: (?<error>.{1,2000}))?/},
    ],
    cause:
      'Every 10 seconds the monitor writes the node\'s statistics to the `_internal` database (creating it first if needed, through the meta nodes). This write, like any other, failed: the error after the colon says why (a timeout on a busy node, `write failed` while another owner is down, `database not found` when `_internal` could not be created because the meta nodes are unreachable).',
    impact: 'Gaps in `_internal` for this node: dashboards and alerts built on it go blind. The failure is usually a symptom of the same trouble client writes meet at that time.',
    check: ['What does the error say, and do client writes fail at the same time?', 'For `database not found: _internal` or a create failure: can this node reach the meta nodes on 8091?'],
    commands: [`medic logs summarize ${DATA_LOG} --min warning`, 'influxd-ctl show'],
    configKeys: ['[monitor] store-enabled', '[monitor] store-database', '[monitor] store-interval'],
    metrics: ['_internal..write.writeError', '_internal..write.writeTimeout'],
    docs: [DOC_INTERNAL],
    examples: [
      {line: '[monitor] 2016/11/03 04:05:06 failed to store statistics: write failed: partial write', values: {service: 'monitor'}},
      {line: 'ts=2021-02-03T04:05:06.000000Z lvl=info msg="failed to store statistics" log_id=0SaBcDeF000 service=monitor error=timeout'},
      {line: 'ts=2021-02-03T04:05:06.000000Z lvl=info msg="Failed to store statistics" log_id=0SaBcDeF000 service=monitor error="write failed: timeout"'},
    ],
  },
  {
    id: 'cq-failed',
    title: 'A continuous query failed to run',
    verdict: 'warning',
    category: 'cq',
    where: 'data',
    match: [
      {keywords: ['error executing query: '], pattern: /^error executing query: (?<query>.{1,4000}?): err = (?<error>.{1,2000})$/},
      {keywords: ['Error executing query'], pattern: /^Error executing query$/},
    ],
    cause:
      'The data node holding the CQ lease ran a continuous query and the SELECT ... INTO failed: the error after `err =` says why (a database or retention policy that no longer exists, a field type conflict in the INTO measurement, a write that could not reach the shard owners, a query that is not an aggregate).',
    impact: 'The interval the run covered has no result in the INTO measurement. The next run covers only its own interval unless the CQ has RESAMPLE FOR, so the gap stays until backfilled by hand.',
    check: ['Does the CQ\'s source database and the INTO database and retention policy still exist?', 'Does the same SELECT with an explicit time range fail when run by hand?'],
    commands: ["influx -execute 'SHOW CONTINUOUS QUERIES'", `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[continuous_queries] enabled', '[continuous_queries] log-enabled', '[continuous_queries] run-interval'],
    metrics: ['_internal..cq.queryFail'],
    docs: ['enterprise_influxdb/v1/query_language/continuous_queries/'],
    examples: [
      {
        line: '[continuous_querier] 2017/03/01 21:00:00 error executing query: CREATE CONTINUOUS QUERY cq_1h ON telegraf BEGIN SELECT mean(usage) INTO cpu_1h FROM cpu GROUP BY time(1h) END: err = database not found: telegraf',
        values: {query: 'CREATE CONTINUOUS QUERY cq_1h ON telegraf BEGIN SELECT mean(usage) INTO cpu_1h FROM cpu GROUP BY time(1h) END', error: 'database not found: telegraf'},
      },
    ],
  },
  {
    id: 'shard-open-failed',
    title: 'A shard failed to open when the node started',
    verdict: 'critical',
    category: 'storage',
    where: 'data',
    // A memory-map failure has its own entry (storage-mmap-cannot-allocate).
    match: {keywords: ['Failed to open shard', 'failed to open shard'], pattern: /[Ff]ailed to open shard(?![^\n]{0,300}error opening memory map)(?:: (?<shardId>\d{1,20}))?(?:: (?<error>.{1,2000}))?/},
    cause:
      'Opening a shard at start-up failed: a damaged TSM or index file, a field type conflict between files of the shard, permissions on its files, a cache that does not fit in `cache-max-memory-size` while the WAL is replayed, or no memory maps left.',
    impact: 'The shard is not served: its points are missing from queries and writes to it fail on this node. With replication the other owners still hold the data.',
    check: ['What is the error for that shard, and did other shards fail the same way?', 'Are the shard\'s files owned by the influxdb user (ls -l)? Is vm.max_map_count at least 262144?'],
    commands: ['influxd-ctl show-shards', 'influx_inspect verify -dir /var/lib/influxdb/data', 'ls -l /var/lib/influxdb/data/*/*/{shardId}'],
    configKeys: ['[data] cache-max-memory-size', '[data] dir'],
    versions: ['1.5+ logs `Failed to open shard` with `db_shard_id` and an `error` field; 0.10-1.4 wrote `Failed to open shard: <id>: <error>`.'],
    docs: [DOC_DATA_CONFIG],
    examples: [
      {line: '[store] 2017/02/03 04:05:06 Failed to open shard: 412: [shard 412] open /var/lib/influxdb/data/db/rp/412/000000020-000000002.tsm: permission denied', values: {shardId: 412}},
    ],
  },
  {
    id: 'tsm-file-corrupt',
    title: 'A TSM file could not be read when its shard opened: it was renamed to .bad and left out',
    verdict: 'warning',
    category: 'storage',
    where: 'data',
    match: {
      keywords: ['corrupt tsm file'],
      pattern: /^Cannot (?<action>read|rename) corrupt tsm file(?:, renaming)?(?:: (?<error>.{1,2000}))?$/,
    },
    cause:
      'While opening a shard (at start-up or after a restore), the file store could not read one of its TSM files: a truncated or damaged file, a disk error, or an operating-system limit such as open files or memory maps (the `error` field says which). The file is renamed with a `.bad` suffix and the shard opens without it. `Cannot rename corrupt tsm file` means even the rename failed, and the shard does not open.',
    impact:
      'The points in that file are missing from this node\'s copy of the shard until the file is repaired or the shard is copied from another owner. When the error is an OS limit (`too many open files`, `resource temporarily unavailable`, `cannot allocate memory`), the file may be fine: raise the limit, rename it back and restart.',
    check: [
      'What does the error field say: damage (`unexpected EOF`, checksum, index) or a limit (open files, memory maps)?',
      'Does another data node own a copy of this shard (influxd-ctl show-shards)?',
    ],
    commands: ['influxd-ctl show-shards', 'find /var/lib/influxdb/data -name "*.bad"', 'influx_inspect verify -dir /var/lib/influxdb/data'],
    configKeys: ['[data] dir'],
    versions: ['1.5+ (zap); earlier versions failed the shard open instead (see shard-open-failed).'],
    docs: [DOC_DATA_CONFIG],
    examples: [
      {
        line: 'ts=2022-05-01T08:00:01.120000Z lvl=error msg="Cannot read corrupt tsm file, renaming" log_id=0aBcDeFg000 engine=tsm1 service=filestore path=/var/lib/influxdb/data/db/autogen/12/000000031-000000002.tsm id=3 error="indirectIndex: not enough data for max time"',
        values: {action: 'read'},
      },
    ],
  },
  {
    id: 'cluster-drop-write-request',
    title: 'A remote write was dropped because its shard no longer exists',
    verdict: 'info',
    category: 'hinted-handoff',
    where: 'data',
    match: {keywords: ['drop write request'], pattern: /drop write request: shard=(?<shardId>\d{1,20})\.? (?<reason>.{1,200})/},
    cause:
      'A data node received a write for a shard it does not have and could not create (its shard group was deleted by retention or DROP, or the sender did not say which database and retention policy it belongs to). Usually hinted handoff replaying old writes for shards that are gone.',
    impact: 'Those points are dropped; they belonged to deleted data.',
    check: ['Is a hinted-handoff queue on another node replaying old data for this node?'],
    commands: ['medic hh inspect /var/lib/influxdb/hh', 'influxd-ctl show-shards'],
    configKeys: ['[hinted-handoff] max-age'],
    versions: ['0.9/0.10 clusters; fixed by sending the database and retention policy with every remote write.'],
    docs: ['enterprise_influxdb/v1/concepts/clustering/'],
    examples: [{line: '[cluster] 2016/02/01 01:02:03 drop write request: shard=88. shard group does not exist or was deleted', values: {shardId: 88}}],
  },
  {
    id: 'write-no-data-nodes',
    title: 'A write found no data node to store it (0.9 clusters)',
    verdict: 'critical',
    category: 'cluster',
    where: 'data',
    match: {keywords: ['at least one node required'], pattern: /at least one node required/},
    cause: 'The meta store of a 0.9 cluster lists no data node able to own a new shard, so no shard group could be created for the points.',
    impact: 'Every write for new time ranges fails.',
    check: ['Does SHOW SERVERS list data nodes? Was the meta directory replaced or the node id changed?'],
    commands: ["influx -execute 'SHOW SERVERS'"],
    configKeys: ['[meta] dir'],
    versions: ['0.9 only; clusters since 0.10 refuse the write with other errors.'],
    examples: [{line: '[collectd] 2015/08/01 10:00:00 failed to write batch: at least one node required'}],
  },
  {
    id: 'hh-queue-blocked',
    title: 'A write could not be queued for hinted handoff: too many writes pending (influxdb-cluster)',
    verdict: 'warning',
    category: 'hinted-handoff',
    where: 'data',
    match: {keywords: ['queue is blocked'], pattern: /(?:write failed for shard (?<shardId>\d{1,20}) on node (?<nodeId>\d{1,20}): )?queue is blocked/},
    cause:
      'In influxdb-cluster (an open-source clone of Enterprise clustering), the hinted-handoff queue of a destination admits at most `max-writes-pending` writes at a time; beyond that the write is refused with `queue is blocked` instead of waiting. It happens when the destination is down or slow and writes keep coming.',
    impact: 'Points for that destination are not queued: the replica misses them unless the client retries. Enterprise itself has no such limit and waits.',
    check: ['Is the destination node up and draining its queue?', 'Is `max-writes-pending` too low for the write rate?'],
    commands: ['medic hh watch /var/lib/influxdb/hh', 'influxd-ctl show'],
    configKeys: ['[hinted-handoff] max-writes-pending'],
    metrics: ['_internal..hh_processor.writeBlocked'],
    versions: ['influxdb-cluster only (chengshiwen/influxdb-cluster); by design there.'],
    docs: [DOC_DATA_CONFIG],
    examples: [{line: 'ts=2023-04-05T06:07:08.000000Z lvl=warn msg="Write shard failed with hinted handoff" log_id=0hBbCcDd000 service=write node_id=6 shard_id=19 error="queue is blocked"', values: {nodeId: 6, shardId: 19}}],
  },
  {
    id: 'ctl-meta-node-has-state',
    title: 'influxd-ctl refused to add a meta node that already has state of its own',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: {keywords: ['already has state present'], pattern: /meta node at "?(?<addr>[^"\s]{1,256})"? already has state present/},
    cause:
      'The node being added still has a Raft state and meta store from an earlier cluster (or from running alone): adding it would mix two histories, so the leader refuses. It happens after remove-meta and add-meta of the same node without clearing its meta directory.',
    impact: 'The node is not added. The cluster keeps its current members.',
    check: ['Is this node supposed to join with its old data? If not, stop it and move its [meta] dir aside before adding it again.'],
    commands: ['influxd-ctl show', 'medic join diagnose {addr}'],
    configKeys: ['[meta] dir'],
    examples: [{line: 'add-meta: operation exited with error: dangled meta node at "meta-c:8091" already has state present, cannot add another meta node', values: {addr: 'meta-c:8091'}}],
  },
  {
    id: 'systemd-unit-failed',
    title: 'systemd reports the InfluxDB service failed or keeps restarting',
    verdict: 'critical',
    category: 'lifecycle',
    where: 'any',
    match: {
      keywords: ['Start request repeated too quickly', 'entered failed state', 'Main process exited', 'Failed with result', 'Failed to start'],
      pattern: /(?<unit>influxd(?:b)?(?:-meta)?(?:\.service)?)(?:: | )(?:Start request repeated too quickly|Unit entered failed state|Main process exited, code=(?<code>\w{1,16}), status=(?<status>[\w/]{1,32})|Failed with result '(?<result>[\w-]{1,32})')|Failed to start (?<description>.{0,120}?(?:InfluxDB|influxd).{0,120})/,
    },
    cause:
      'systemd, not InfluxDB, wrote this: the influxd or influxd-meta process exited with an error (or was killed), and after several quick restarts systemd stopped trying. The process\'s own last lines, just before, say why.',
    impact: 'The node is down until someone starts it again.',
    check: ['What did the process log just before it exited (a fatal error, a config error, out of memory)?'],
    commands: ['journalctl -u influxdb -n 100 --no-pager', 'systemctl status influxdb', "dmesg -T | grep -iE 'killed process|out of memory' | tail"],
    configKeys: [],
    docs: [DOC_STARTUP],
    examples: [
      {line: 'Jun  1 10:00:00 data-3 systemd[1]: influxdb.service: Main process exited, code=exited, status=1/FAILURE', values: {code: 'exited', status: '1/FAILURE'}},
      {line: 'Jun  1 10:00:05 meta-2 systemd[1]: influxdb-meta.service: Failed with result \'exit-code\'.', values: {result: 'exit-code'}},
    ],
  },
  {
    id: 'systemd-start-script-waiting',
    title: 'The start script is waiting for the HTTP API to answer',
    verdict: 'info',
    category: 'lifecycle',
    where: 'data',
    match: {keywords: ['InfluxDB API unavailable after'], pattern: /InfluxDB API unavailable after (?<attempts>\d{1,6}) attempts/},
    cause:
      'The packaged systemd start script (1.8.5+) starts influxd and then polls its HTTP API until it answers, so that systemd marks the service started only when it serves. Each poll that fails logs this line; a node opening many shards answers late.',
    impact: 'None while the node opens its shards. If the count keeps growing for minutes, the API never answers: with authentication on, some script versions cannot reach /health; with https-enabled, the script must use https.',
    check: ['Do `Opened shard` lines keep arriving (the node is still starting)?', 'Is auth or https enabled in [http]? Check the script version against the known issue (influxdb#21967).'],
    commands: ['journalctl -u influxdb -f', 'curl -si http://localhost:8086/health'],
    configKeys: ['[http] auth-enabled', '[http] https-enabled', '[http] bind-address'],
    docs: [DOC_STARTUP],
    examples: [{line: 'influxd-systemd-start.sh[1203]: InfluxDB API unavailable after 12 attempts...', values: {attempts: 12}}],
  },
]
