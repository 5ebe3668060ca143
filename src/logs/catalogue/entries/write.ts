/**
 * Catalogue entries: the write path (coordinator, consistency, the `partial write` family) and hinted handoff.
 * Specific entries come before general ones; `fallback` entries only apply when nothing specific matched.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_FAQ = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'
const DOC_CLUSTERING = 'enterprise_influxdb/v1/concepts/clustering/'
const HH_KEYS = ['[hinted-handoff] max-size', '[hinted-handoff] max-age', '[hinted-handoff] retry-rate-limit', '[hinted-handoff] retry-max-interval']
const HH_METRICS = ['_internal..hh_processor.queueBytes', '_internal..hh_processor.writeNodeReqFail', '_internal..hh_node.queueTotalSize']
// /api/v1/prom/write: Prometheus remote write (1.4-1.8), the same write path and the same error bodies.
const WRITE_URI = /^\/(?:write|api\/v2\/write|api\/v1\/prom\/write)(?:\?|$)/
/**
 * A 500 on /write in a data node's access log, told apart by the size of its JSON body (`{"error":"..."}` plus a
 * newline): the access log has no reason, but each reason has its own length.
 */
const write500 = (bytes: number) => ({http: {status: 500, side: 'data' as const, uri: WRITE_URI, bytes: [bytes]}})

const NO_RETRY =
  'Do not blindly retry this 500: the points were stored on the owners that answered and the rest sit in the hinted-handoff queue, so they will arrive without you. A retry adds duplicates to the queue and slows its drain. Retry only with `consistency=any`/`one`, or after the queues drain.'

export const writeEntries: CatalogueEntry[] = [
  {
    id: 'write-failed-hh-not-empty',
    title: 'Write answered 500 because the coordinator still has a hinted-handoff backlog for every owner',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {keywords: ['hinted handoff queue not empty'], pattern: /^(?:500 )?write failed: hinted handoff queue not empty/},
      // 57 bytes: {"error":"write failed: hinted handoff queue not empty"} and a newline.
      write500(57),
    ],
    cause:
      'The data node that took the write (the coordinator) has queued data for the shard owners in its hinted-handoff queue. While such a queue is not empty it does not try those owners directly; it appends the new points behind the backlog. No owner acknowledged within the request, so the write did not reach the requested consistency.',
    impact:
      'The points are not lost: they are in the durable queue and will be delivered when the owner catches up (unless the queue hits `max-size` or the data outlives `max-age`). Queries against the lagging owner miss them until then.',
    check: [
      'On the coordinator: is the queue for the owner shrinking? (ls -lRh /var/lib/influxdb/hh, or medic hh watch)',
      'Is the destination data node up and accepting writes on port 8088?',
    ],
    commands: ['medic hh watch /var/lib/influxdb/hh', 'medic logs summarize /var/log/influxdb/influxdb.log'],
    configKeys: ['[cluster] allow-out-of-order-writes', ...HH_KEYS],
    metrics: HH_METRICS,
    client: NO_RETRY,
    versions: [
      'Enterprise 1.0 started queueing writes behind a non-empty queue instead of trying the owner directly.',
      '1.8.2 added `[cluster] allow-out-of-order-writes` to let direct writes bypass the backlog.',
    ],
    docs: [DOC_FAQ, DOC_CLUSTERING],
    examples: [
      {line: '500 {"error":"write failed: hinted handoff queue not empty"}', values: {httpStatus: 500}},
      {line: '{"error":"write failed: hinted handoff queue not empty"}'},
    ],
  },
  {
    id: 'hh-queue-not-empty',
    title: 'A write for a shard owner went to the hinted-handoff queue because that queue is not empty',
    verdict: 'info',
    category: 'hinted-handoff',
    where: 'data',
    match: {
      keywords: ['hinted handoff queue not empty'],
      pattern: /(?:write failed for shard (?<shardId>\d+) on node (?<nodeId>\d+): )?hinted handoff queue not empty/,
    },
    cause:
      'This coordinator holds queued writes for the named node. To keep that node\'s data in order it sends no direct writes while the queue is non-empty and appends new points to the queue instead. The line repeats for every write until the queue is drained.',
    impact:
      'Nothing is lost while the queue drains: the node catches up from the queue. It becomes a problem when the queue stops shrinking: it then grows towards `max-size` (after which writes for that node fail with `queue is full`) and its oldest data towards `max-age` (after which it is purged).',
    check: [
      'Is the queue for node {nodeId} shrinking over a few minutes? Compare `queueBytes` samples or file sizes under the hh directory.',
      'Is node {nodeId} up, and is it slow (disk, CPU) or refusing writes? Look at its own log.',
      'Are clients retrying 500 answers? Retries duplicate points in the queue and slow the drain.',
    ],
    commands: [
      'medic hh watch /var/lib/influxdb/hh   # drain rate, ETA and time to `queue is full`',
      'ls -lRh /var/lib/influxdb/hh/{nodeId}',
      'influxd-ctl show   # is node {nodeId} listed with a version (alive)?',
    ],
    configKeys: ['[cluster] allow-out-of-order-writes', ...HH_KEYS],
    metrics: HH_METRICS,
    client:
      'Clients writing with `consistency=one`/`quorum`/`all` may get 500 `write failed: hinted handoff queue not empty` or `partial write` meanwhile. ' + NO_RETRY,
    versions: [
      'Enterprise 1.0 introduced queueing behind a non-empty queue.',
      '1.3 keeps one queue per destination node and shard (hh/<node>/<shard>/).',
      '1.8.2 added `allow-out-of-order-writes`.',
    ],
    docs: [DOC_FAQ, DOC_CLUSTERING],
    examples: [
      {
        line: '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty',
        values: {shardId: 2382, nodeId: 4, service: 'write', time: '2016-10-18T10:35:21.000Z'},
      },
      {
        line: 'Oct 18 10:35:21 data-01 influxd[2817]: [write] 2016/10/18 10:35:21 write failed for shard 17 on node 5: hinted handoff queue not empty',
        values: {shardId: 17, nodeId: 5, host: 'data-01', pid: 2817},
      },
      {
        line: 'ts=2020-06-01T12:00:00.123456Z lvl=warn msg="write failed for shard 91 on node 6: hinted handoff queue not empty" log_id=0NYoKlcW000 service=write',
        values: {shardId: 91, nodeId: 6, level: 'warn', logId: '0NYoKlcW000'},
      },
    ],
  },
  {
    id: 'hh-queue-full',
    title: 'The hinted-handoff queue for a node reached max-size: writes for that node are rejected',
    verdict: 'critical',
    category: 'hinted-handoff',
    where: 'data',
    match: [
      {
      keywords: ['queue is full'],
      pattern: /(?:write failed for shard (?<shardId>\d+) on node (?<nodeId>\d+): )?(?:write failed: )?queue is full/,
      },
      // 40 bytes: {"error":"write failed: queue is full"} and a newline.
      write500(40),
    ],
    cause:
      'Appending this write to the hinted-handoff queue of its destination would take the queue past `[hinted-handoff] max-size` (10 GiB per destination by default). The destination has been down, or too slow to take writes, for long enough to fill it.',
    impact:
      'Data loss is happening: every new write for that node is rejected until its queue drains below `max-size`, so that node (and the replicas it should hold) silently misses those points. Anti-entropy can repair cold shards later; hot data is gone from that replica.',
    check: [
      'Which destination is full: the node id in the line, or the largest directory under the hh dir.',
      'Is that node up, reachable on port 8088, and accepting writes (disk full? cache full?)',
      'Is anything draining at all: does `queueBytes` fall between samples?',
    ],
    commands: [
      'medic hh watch /var/lib/influxdb/hh',
      'du -sh /var/lib/influxdb/hh/*',
      'influxd-ctl show',
      'influxd-ctl entropy show   # after recovery: shards that need repair',
    ],
    configKeys: HH_KEYS,
    metrics: [...HH_METRICS, '_internal..hh_processor.writeDropped', '_internal..write.writeError'],
    client:
      'Writes whose only owners sit behind the full queue fail with 500 `write failed: queue is full`. Retrying does not help until the operator fixes the destination node; buffer on the client side if you must not lose the points.',
    versions: [
      '1.5.3 enforces `max-size` per peer node.',
      '1.9.8 fixed the on-disk size accounting that could raise a false `queue is full`; it also added `hh_node.queueTotalSize`, the figure compared to `max-size`.',
    ],
    docs: [DOC_FAQ, 'enterprise_influxdb/v1/administration/configure/config-data-nodes/#hinted-handoff-settings'],
    examples: [
      {line: '[write] 2017/03/02 04:11:09 write failed for shard 301 on node 5: queue is full', values: {shardId: 301, nodeId: 5}},
      {line: '500 {"error":"write failed: queue is full"}', values: {httpStatus: 500}},
      {line: 'ts=2021-03-04T05:06:07.000001Z lvl=warn msg="Write shard failed with hinted handoff" log_id=0RnZ0r8l000 service=write node_id=5 shard_id=7 error="queue is full"', values: {nodeId: 5, shardId: 7}},
    ],
  },
  {
    id: 'stats-partial-write',
    title: 'Cluster statistics could not be written at consistency=all (partial write)',
    verdict: 'info',
    category: 'hinted-handoff',
    where: 'data',
    match: {keywords: ['error writing count stats'], pattern: /error writing count stats for (?<db>\S+?): partial write/},
    cause:
      'Each data node writes cluster-wide statistics with `consistency=all`. While some owner of the target shard has data waiting in hinted handoff, such a write cannot be acknowledged by every owner and reports `partial write`.',
    impact:
      'Little: the statistics points are stored on the owners that answered and queued for the others, so they persist eventually. It is a symptom: some hinted-handoff queue is not empty.',
    check: ['Which hinted-handoff queues hold data, and are they draining?'],
    commands: ['medic hh watch /var/lib/influxdb/hh', 'ls -lRh /var/lib/influxdb/hh'],
    configKeys: HH_KEYS,
    metrics: HH_METRICS,
    docs: [DOC_FAQ],
    examples: [
      {line: '[stats] 2016/10/18 10:35:21 error writing count stats for FOO_grafana: partial write', values: {db: 'FOO_grafana', service: 'stats'}},
    ],
  },
  {
    id: 'write-partial-consistency',
    title: 'Write answered 500 "partial write": fewer owners acknowledged than the consistency level requires',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {keywords: ['partial write'], pattern: /^(?:500 )?partial write$/},
      // 26 bytes: {"error":"partial write"} and a newline.
      write500(26),
    ],
    cause:
      'The write asked for `consistency=quorum` or `all`. At least one owner of the shard stored the points, but fewer than the level requires answered in time; the rest were queued in hinted handoff on the coordinator.',
    impact:
      'Nothing is rolled back: the owners that answered keep the points and the queued copies reach the others later. Reads from the lagging owners miss the points until then.',
    check: [
      'Which data node is down or slow? (influxd-ctl show; its log; network on port 8088)',
      'Are hinted-handoff queues on the coordinators growing?',
    ],
    commands: ['medic hh watch /var/lib/influxdb/hh', 'influxd-ctl show'],
    configKeys: ['[cluster] write-timeout', ...HH_KEYS],
    metrics: ['_internal..write.writePartial', '_internal..write.pointReqHH', ...HH_METRICS],
    client: NO_RETRY + ' With a replication factor of 2 or less, `quorum` behaves like `all`.',
    versions: ['1.3.9 and 1.5.0: remote `partial write` errors are no longer queued to hinted handoff.'],
    docs: [DOC_CLUSTERING, DOC_FAQ],
    examples: [
      {line: '500 {"error":"partial write"}', values: {httpStatus: 500}},
      {line: '{"error":"partial write"}'},
    ],
  },
  {
    id: 'partial-write-retention',
    title: 'Points older than the retention policy were dropped (partial write)',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {keywords: ['points beyond retention policy'], pattern: /points beyond retention policy(?: dropped=(?<dropped>\d+))?/},
      // 1.11+ / 2.x wording: dropped N points outside retention policy of duration D - oldest point ... dropped=N
      {keywords: ['points outside retention policy'], pattern: /dropped (?<dropped>\d{1,20}) points outside retention policy(?: of duration (?<duration>\S{1,32}))?/},
    ],
    cause:
      'Some points carry timestamps older than the retention policy\'s duration, so no shard group exists (or may exist) for them. Those points are dropped; the rest of the batch is written.',
    impact: 'The `dropped` points are lost for good. The other points in the batch were stored.',
    check: [
      'Are the client\'s timestamps right (precision! seconds sent as nanoseconds land in 1970)?',
      'Is the write going to the intended retention policy (`rp=`), and is its duration long enough for backfills?',
    ],
    commands: ['influx -execute \'SHOW RETENTION POLICIES ON "<db>"\''],
    configKeys: [],
    metrics: ['_internal..write.writeDrop', '_internal..httpd.pointsWrittenDropped'],
    client:
      'Retrying will not help: the same points are dropped again. Fix the timestamps or the `precision` parameter, or write to a retention policy that covers them. The answer is a 400, not a server fault.',
    versions: ['Before 1.3 such points were dropped silently with a 204.'],
    examples: [
      {line: '400 {"error":"partial write: points beyond retention policy dropped=12"}', values: {httpStatus: 400, dropped: 12}},
      {line: 'partial write: points beyond retention policy dropped=1', values: {dropped: 1}},
    ],
  },
  {
    id: 'partial-write-field-type-conflict',
    title: 'A field was written with a different type than it already has in the shard',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {
        keywords: ['field type conflict'],
        pattern: /field type conflict: input field "(?<field>[^"]*)"(?: on measurement "(?<measurement>[^"]*)")? is type (?<type>\w+), already exists as type (?<existingType>[\w%!().=]{1,40})(?: dropped=(?<dropped>\d+))?/,
      },
      // 0.9.0 wording, without "field type conflict" (seen inside remote write errors).
      {keywords: ['already exists as type'], pattern: /input field "(?<field>[^"]*)" is type (?<type>\w+), already exists as type (?<existingType>\w+)/},
    ],
    cause:
      'Within a shard a field keeps the type of its first value. This point sends the field with another type (for example `1` as a float where an integer `1i` was stored before, or a string after a number).',
    impact: 'The conflicting points are rejected (`dropped=N`); the rest of the batch is written.',
    check: [
      'Which writer sends the other type? Integers need the `i` suffix in line protocol; a float field stays float.',
      'SHOW FIELD KEYS shows the stored type per field (per shard group time range).',
    ],
    commands: ['influx -database \'<db>\' -execute \'SHOW FIELD KEYS FROM "{measurement}"\''],
    metrics: ['_internal..write.writeDrop', '_internal..httpd.pointsWrittenFail'],
    client:
      'Fix the writer so the field always has the same type; retrying sends the same conflict. A new shard group (next shard duration) accepts a new type, but mixing types breaks queries across groups.',
    versions: [
      '1.1 rejected the whole batch with 400 `field type conflict: ...`.',
      '1.2+ writes the other points and answers `partial write: field type conflict: ... dropped=N`.',
      '1.0/1.2: a conflict returned by a remote owner is dropped from hinted handoff instead of being retried forever.',
    ],
    examples: [
      {
        line: '400 {"error":"partial write: field type conflict: input field \\"bar\\" on measurement \\"foo\\" is type float, already exists as type integer dropped=1"}',
        values: {field: 'bar', measurement: 'foo', type: 'float', existingType: 'integer', dropped: 1},
      },
      {
        line: 'field type conflict: input field "value" on measurement "cpu" is type string, already exists as type float',
        values: {field: 'value', measurement: 'cpu', type: 'string', existingType: 'float'},
      },
    ],
  },
  {
    id: 'partial-write-max-series',
    title: 'The database reached max-series-per-database: points of new series were dropped',
    verdict: 'critical',
    category: 'write',
    where: 'client',
    match: {keywords: ['max series per database exceeded', 'max-series-per-database'], pattern: /max(?: series per database|-series-per-database)(?: limit)? exceeded(?:: (?:\((?<limit>\d{1,20})\)|(?<series>.*?)))?(?: dropped=(?<dropped>\d+))?$/},
    cause:
      'The database already holds `[data] max-series-per-database` series (1,000,000 by default) and these points would create new ones. Points for existing series are still written.',
    impact: 'Every point that would create a new series is dropped until the limit is raised or series are removed.',
    check: ['SHOW SERIES CARDINALITY: which measurement or tag explodes (ids, timestamps or UUIDs as tag values)?'],
    commands: ['influx -execute \'SHOW SERIES CARDINALITY ON "<db>"\'', 'influx -execute \'SHOW TAG VALUES CARDINALITY ON "<db>" WITH KEY = "<tag>"\''],
    configKeys: ['[data] max-series-per-database'],
    metrics: ['_internal..database.numSeries', '_internal..write.writeDrop'],
    client: 'Do not retry: the same series are refused again. Move unbounded values (ids, timestamps) from tags to fields.',
    examples: [
      {line: '400 {"error":"partial write: max series per database exceeded: cpu,host=server-9001 dropped=1"}', values: {dropped: 1, series: 'cpu,host=server-9001'}},
      {line: '[write] 2018/01/02 03:04:05 max series per database exceeded: db=telegraf', values: {service: 'write'}},
    ],
  },
  {
    id: 'partial-write-max-values-per-tag',
    title: 'A tag key reached max-values-per-tag: points with new tag values were dropped',
    verdict: 'critical',
    category: 'write',
    where: 'client',
    match: {keywords: ['max-values-per-tag limit exceeded'], pattern: /max-values-per-tag limit exceeded \((?<count>\d+)\/(?<limit>\d+)\)(?:: measurement="(?<measurement>[^"]*)" tag="(?<tag>[^"]*)" value="(?<value>[^"]*)")?(?: dropped=(?<dropped>\d+))?/},
    cause:
      'A tag key already has `[data] max-values-per-tag` distinct values (100,000 by default) and the point brings a new one.',
    impact: 'Points with new values for that tag are dropped until the limit is raised or the values are cleaned up.',
    check: ['Which writer puts unbounded values (ids, timestamps, random strings) into tag `{tag}`?'],
    commands: ['influx -execute \'SHOW TAG VALUES CARDINALITY ON "<db>" WITH KEY = "{tag}"\''],
    configKeys: ['[data] max-values-per-tag'],
    metrics: ['_internal..write.writeDrop'],
    client: 'Do not retry; move that value from a tag to a field.',
    versions: ['1.2.0: remote max-values-per-tag errors are dropped from hinted handoff instead of retried.'],
    examples: [
      {
        line: '400 {"error":"partial write: max-values-per-tag limit exceeded (100000/100000): measurement=\\"req\\" tag=\\"id\\" value=\\"a81f\\" dropped=1"}',
        values: {count: 100000, limit: 100000, measurement: 'req', tag: 'id', dropped: 1},
      },
    ],
  },
  {
    id: 'partial-write-shard-deletion',
    title: 'Points for a shard that is being deleted were dropped',
    verdict: 'info',
    category: 'write',
    where: 'client',
    match: {keywords: ['pending deletion', 'being deleted'], pattern: /shard (?:(?<shardId>\d+) )?is (?:pending deletion|being deleted)(?: dropped=(?<dropped>\d+))?/},
    cause:
      'The points fall into a shard that retention enforcement, `DROP SHARD` or `influxd-ctl remove-shard` is deleting right now.',
    impact: 'Those points are dropped. Usually they are at the very edge of the retention period and would expire anyway.',
    check: ['Are the timestamps close to the retention policy\'s end? Was a shard dropped by hand?'],
    commands: ['influxd-ctl show-shards'],
    configKeys: ['[retention] check-interval'],
    client: 'Retrying does not help for points that old; check the client\'s timestamps.',
    examples: [{line: 'partial write: shard 1409 is pending deletion dropped=3', values: {shardId: 1409, dropped: 3}}],
  },
  {
    id: 'partial-write-parse',
    title: 'Some lines of the batch were not valid line protocol (partial write)',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {keywords: ['partial write'], pattern: /partial write:\s*unable to parse '(?<point>.*?)': (?<reason>[^']+?)(?: dropped=(?<dropped>\d+))?$/s},
    cause: 'Some lines of the request body are not valid line protocol. The valid ones were written.',
    impact: 'The unparsable lines are lost.',
    check: ['Escaping: spaces, commas and `=` in tag keys/values and measurement names need a backslash; string field values need double quotes.'],
    commands: [],
    client: 'Fix the serialisation of the failing lines; retrying the batch rewrites the good points and fails the same lines again.',
    examples: [{line: 'partial write: unable to parse \'cpu,host=a value= 1\': missing field value dropped=0', values: {reason: 'missing field value', dropped: 0}}],
  },
  {
    id: 'write-timeout',
    title: 'Write answered 500 "timeout": not every owner answered within the write timeout',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {keywords: ['timeout'], pattern: /^(?:500 )?(?:write failed: )?timeout$/},
      // 20 bytes: {"error":"timeout"} and a newline.
      write500(20),
      // A 500 that took as long as the write timeout (5s in 0.9, 10s on Enterprise) ran into it: 0.9's bodies differ.
      {http: {status: 500, side: 'data', uri: WRITE_URI, minDurationMs: 4900}},
    ],
    cause:
      'The coordinator waited `[cluster] write-timeout` (10s by default) for the shard owners and not all had answered. Slow disks, a saturated node, a network problem on port 8088 or a huge batch cause it.',
    impact: 'Owners that answered keep the points; the others may still write them or get them through hinted handoff. Nothing is rolled back.',
    check: ['Which data nodes are slow? Their logs, disk latency and `_internal..write.writeTimeout` per node.'],
    commands: ['influxd-ctl show', 'medic logs summarize /var/log/influxdb/influxdb.log'],
    configKeys: ['[cluster] write-timeout'],
    metrics: ['_internal..write.writeTimeout', '_internal..write.req'],
    client: 'Send smaller batches (5,000–10,000 points is typical). Retry at most with back-off: the points may already be stored, and a retry makes duplicates (harmless for identical points, but extra load).',
    examples: [
      {line: '500 {"error":"timeout"}', values: {httpStatus: 500}},
      {line: '{"error":"timeout"}'},
    ],
  },
  {
    id: 'write-cache-max-memory',
    title: 'A shard\'s in-memory cache is full: the write was refused',
    verdict: 'critical',
    category: 'storage',
    where: 'data',
    match: [
      {keywords: ['cache maximum memory size exceeded'], pattern: /(?:write failed for shard (?<shardId>\d+)(?: on node (?<nodeId>\d+))?: )?(?:engine: )?cache maximum memory size exceeded/},
      // 1.5+ wording: cache-max-memory-size exceeded: (used/limit)
      {keywords: ['cache-max-memory-size exceeded'], pattern: /cache-max-memory-size exceeded(?:: \((?<used>\d{1,20})\/(?<limit>\d{1,20})\))?/},
      write500(55),
    ],
    cause:
      'The TSM cache of the shard holds more than `[data] cache-max-memory-size` of points not yet snapshotted to disk. Snapshots are not keeping up: the disk is too slow, or writes arrive faster than they can be compacted.',
    impact: 'Writes to that shard fail until a snapshot frees the cache. Replica writes from other nodes fail too and go to their hinted-handoff queues.',
    check: ['Disk latency and free space on the data node; compaction backlog; write volume per shard.'],
    commands: ['iostat -x 5 3', 'df -h /var/lib/influxdb'],
    configKeys: ['[data] cache-max-memory-size', '[data] cache-snapshot-memory-size', '[data] cache-snapshot-write-cold-duration'],
    metrics: ['_internal..tsm1_cache.memBytes', '_internal..tsm1_cache.writeErr'],
    client: 'Back off and retry later: this is overload, not a client error.',
    examples: [
      {line: '[write] 2017/05/05 11:22:33 write failed for shard 12: engine: cache maximum memory size exceeded', values: {shardId: 12}},
      {line: '500 {"error":"engine: cache maximum memory size exceeded"}', values: {httpStatus: 500}},
    ],
  },
  {
    id: 'write-failed-remote',
    title: 'A write to a shard owner failed (and was queued for hinted handoff if possible)',
    verdict: 'warning',
    category: 'write',
    where: 'data',
    fallback: true,
    match: {keywords: ['write failed for shard'], pattern: /write failed for shard (?<shardId>\d+)(?: on node (?<nodeId>\d+))?: (?<error>.+)$/s},
    cause:
      'The coordinator could not write this shard to one of its owners. If the error is retryable the points are appended to the hinted-handoff queue for that owner.',
    impact: 'Replication lags for that owner until the queue drains. If queueing failed as well, the owner misses the points.',
    check: ['Is node {nodeId} up and reachable on port 8088? What does its own log say at this time?'],
    commands: ['influxd-ctl show', 'medic hh watch /var/lib/influxdb/hh'],
    configKeys: ['[cluster] write-timeout', '[cluster] dial-timeout'],
    metrics: ['_internal..cluster.writeShardFail', ...HH_METRICS],
    examples: [
      {line: '[write] 2016/11/02 08:00:01 write failed for shard 77 on node 6: error code 1: write shard 77: engine is closed', values: {shardId: 77, nodeId: 6}},
    ],
  },
  {
    id: 'write-failed',
    title: 'Write answered 500 "write failed": no owner acknowledged the points',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    fallback: true,
    match: [
      {keywords: ['write failed'], pattern: /^(?:500 )?write failed(?:: (?<error>.+))?$/s},
      // 25 bytes: a bare {"error":"write failed"} and a newline (influxdb-cluster when every owner failed).
      write500(25),
    ],
    cause:
      'No owner of the shard stored the points within the request, and the error of the first owner is returned. With `consistency=any` a successful queueing in hinted handoff would have counted as success.',
    impact: 'If the error came from hinted handoff too (queue full, disabled), those points are lost for those owners; otherwise they are queued.',
    check: ['The text after `write failed:` names the owner\'s error; look it up with medic explain.'],
    commands: ['influxd-ctl show'],
    client: 'Check the error text: retrying makes sense for connection errors, not for errors that will repeat.',
    examples: [{line: '500 {"error":"write failed"}', values: {httpStatus: 500}}],
  },
]
