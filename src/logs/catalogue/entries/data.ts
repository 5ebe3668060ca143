/**
 * Catalogue entries: data-node problems (hinted-handoff queue damage, the remote write pool, storage errors, noisy
 * RPC and anti-entropy lines, slow queries) and the errors the /write API returns to clients that write.ts does not
 * cover. Then the access-log entries: data-side /write failures, other data-side 4xx/5xx, and the meta-side
 * redirects and errors (cluster.ts already claims meta 503s and the CQ lease; the catch-alls for ordinary access
 * lines are the last entries of benign.ts, so every specific entry wins over them).
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_FAQ = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'
const DOC_CLUSTERING = 'enterprise_influxdb/v1/concepts/clustering/'
const DOC_API = 'enterprise_influxdb/v1/tools/api/'
const DOC_DATA_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-data-nodes/'
const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'
const DOC_LINE_PROTOCOL = 'enterprise_influxdb/v1/write_protocols/line_protocol_reference/'
const DOC_AUTH = 'enterprise_influxdb/v1/administration/configure/security/authentication/'
const DOC_AE = 'enterprise_influxdb/v1/administration/configure/anti-entropy/'
const DOC_LOGS = 'enterprise_influxdb/v1/administration/monitor/logs/'
const DOC_RELEASE_NOTES = 'enterprise_influxdb/v1/about-the-project/release-notes/'
const DOC_STORAGE = 'enterprise_influxdb/v1/concepts/storage_engine/'

const HH_KEYS = ['[hinted-handoff] dir', '[hinted-handoff] max-size', '[hinted-handoff] max-age', '[hinted-handoff] purge-interval']
const HH_METRICS = ['_internal..hh_processor.queueBytes', '_internal..hh_processor.queueDepth', '_internal..hh_processor.writeDropped', '_internal..hh_processor.writeNodeReqFail']
const HTTPD_METRICS = ['_internal..httpd.writeReq', '_internal..httpd.clientError', '_internal..httpd.serverError', '_internal..httpd.pointsWrittenFail']
const DATA_LOG = '/var/log/influxdb/influxdb.log'
const META_LOG = '/var/log/influxdb/influxdb-meta.log'
const WRITE_URI = /^\/(?:write|api\/v2\/write|api\/v1\/prom\/write)(?:\?|$)/
const NO_RETRY_400 =
  'A 4xx answer is final: nothing from the request was stored (unless the body says `partial write`). Retrying the same request gets the same answer, so fix the request instead of retrying, and do not let a retry loop hold back newer points.'

export const dataEntries: CatalogueEntry[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // Hinted handoff: queues that cannot drain
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'hh-node-not-found',
    title: 'A hinted-handoff queue belongs to a node that is no longer in the cluster',
    verdict: 'warning',
    category: 'hinted-handoff',
    where: 'data',
    match: {
      keywords: ['failed to determine if node', 'Failed to determine if node'],
      pattern: /^[Ff]ailed to determine if node (?:(?<nodeId>\d{1,20}) )?is active: node not found/,
    },
    cause:
      'Before sending queued writes, the hinted-handoff processor asks the meta store whether the destination node still exists. The node id of this queue is unknown to the meta store: the node was removed (`influxd-ctl remove-data`, or removed and re-added, which gives it a new id) while this coordinator still held data for it.',
    impact:
      'The queued points will never be delivered: the destination id is gone. The directory keeps its disk space until it ages out or is deleted, and the line repeats on every retry. If the node was re-added under a new id, the points it missed must come back another way (anti-entropy, or `influxd-ctl copy-shard`).',
    check: [
      'Is node {nodeId} listed by `influxd-ctl show`? If not, the queue is orphaned.',
      'Was the same host re-added with a new id? Then its old shards may miss the queued points; compare with `influxd-ctl show-shards`.',
      'How big is the orphaned queue (du -sh on its directory)?',
    ],
    commands: [
      'influxd-ctl show   # is node {nodeId} still a member?',
      'du -sh /var/lib/influxdb/hh/{nodeId}',
      'medic hh watch /var/lib/influxdb/hh',
      'rm -rf /var/lib/influxdb/hh/{nodeId}   # only once you are sure node {nodeId} is gone for good; stop influxd first',
    ],
    configKeys: HH_KEYS,
    metrics: HH_METRICS,
    versions: [
      'Open-source clustering (0.9–0.11) never deleted such queues; they stayed until removed by hand.',
      'Enterprise 1.0.0 removes the queues of a data node when it is removed with `remove-data`; the line then points to a queue left over from an interrupted removal or an id change.',
      'To replace a node while keeping its id (and so its queues), use `influxd-ctl update-data <old> <new>` rather than remove-data + add-data.',
    ],
    docs: ['enterprise_influxdb/v1/administration/manage/clusters/replacing-nodes/', DOC_CLUSTERING],
    examples: [
      {
        line: '[handoff] 2016/03/15 14:45:02 failed to determine if node 9 is active: node not found',
        values: {nodeId: 9, service: 'handoff'},
      },
      {
        line: 'ts=2022-06-07T08:12:40.118372Z lvl=error msg="Failed to determine if node is active" log_id=0anK~crG000 service=handoff node=6 error="node not found"',
        values: {nodeId: 6, level: 'error', service: 'handoff'},
      },
    ],
  },
  {
    id: 'hh-record-size-out-of-range',
    title: 'A hinted-handoff block is larger than the segment limit: the queue is stuck on it',
    verdict: 'critical',
    category: 'hinted-handoff',
    where: 'data',
    match: {
      keywords: ['record size out of range'],
      pattern: /^(?:[^\n]{0,300}?: )?record size out of range: max (?<max>\d{1,20}): got (?<size>\d{1,20})/,
    },
    cause:
      'Reading the head of a hinted-handoff segment returned a block whose length is above the size the queue accepts. Either a write larger than the segment size was appended (a bug fixed in Enterprise 1.1.1) or the length prefix of the block is corrupt (torn write, disk problem).',
    impact:
      'The processor cannot get past this block, so nothing queued behind it reaches the destination. The queue only grows until it hits `max-size` (then `queue is full`) or its segments age out after `max-age`: the data in it is lost for that replica either way.',
    check: [
      'Which queue: the newest segment files under the hh directory that stopped shrinking (`medic hh watch` shows the one with no drain).',
      'Which version runs here? Before 1.1.1 an oversized write could wedge the queue by itself.',
      'Disk errors in dmesg / the kernel log around the time the segment was written?',
    ],
    commands: [
      'medic hh watch /var/lib/influxdb/hh   # the queue whose drain rate is 0',
      'ls -lRh /var/lib/influxdb/hh',
      'influxd version',
      "dmesg -T | grep -iE 'i/o error|ext4|xfs' | tail",
    ],
    configKeys: HH_KEYS,
    metrics: HH_METRICS,
    versions: [
      '1.1.0 allowed blocks above 10 MB in hinted handoff; 1.1.1 fixed the queue getting stuck on such a block.',
      '1.8.2 writes length, data and offset atomically and checks segments at start-up, truncating corrupt tails.',
    ],
    docs: [DOC_RELEASE_NOTES, DOC_CLUSTERING],
    examples: [
      {line: '[handoff] 2016/11/30 22:41:13 record size out of range: max 10485760: got 15728640', values: {max: 10485760, size: 15728640}},
    ],
  },
  {
    id: 'hh-unmarshal-write-failed',
    title: 'A hinted-handoff block could not be decoded and was skipped',
    verdict: 'warning',
    category: 'hinted-handoff',
    where: 'data',
    match: {keywords: ['unmarshal write failed', 'Unmarshal write failed'], pattern: /^(?:[^\n]{0,200}?: )?[Uu]nmarshal write failed(?:: (?<error>.+))?$/s},
    cause:
      'The processor read the next block of a queue but could not turn it back into a shard id and points: the block is truncated or its contents are not valid line protocol. It steps over the block so the rest of the queue can drain.',
    impact: 'The points in that one block never reach the destination node: that replica misses them. The rest of the queue is unaffected.',
    check: [
      'Did the node crash or lose power recently (torn segment writes)?',
      'Is it one line or many? Many in a row point at a damaged segment file.',
      'After the queue drains, which shards need repair (`influxd-ctl entropy show` on 1.5+)?',
    ],
    commands: ['medic hh watch /var/lib/influxdb/hh', 'influxd-ctl entropy show', `medic logs summarize ${DATA_LOG}`],
    configKeys: HH_KEYS,
    metrics: HH_METRICS,
    versions: [
      '1.0.0 truncates only the corrupt block of a damaged segment instead of the whole file.',
      '1.8.2 made segment appends atomic and verifies segments at start-up.',
    ],
    docs: [DOC_CLUSTERING, DOC_AE],
    examples: [
      {line: '[handoff] 2016/10/21 03:12:55 unmarshal write failed: too short: len = 4', values: {error: 'too short: len = 4', service: 'handoff'}},
      {line: "[handoff] 2016/10/21 03:12:56 unmarshal write failed: unable to parse 'cpu,host=web01 usage_idle=': missing field value"},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Write path
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'write-remote-pool-exhausted',
    title: 'No free connection to a shard owner: the remote write waited too long for the pool',
    verdict: 'warning',
    category: 'write',
    where: 'data',
    match: {
      keywords: ['timed out waiting for free connection'],
      pattern: /^(?:\d{3} )?(?:write failed for shard (?<shardId>\d{1,20})(?: on node (?<nodeId>\d{1,20}))?: |[^\n]{0,300}?: )?(?:write failed: )?timed out waiting for free connection/,
    },
    cause:
      'Before 1.3 each data node kept a bounded pool of TCP connections per peer for remote shard writes (`[cluster] max-remote-write-connections`). All of them were busy with earlier writes to that owner, so this write gave up waiting for one. The owner is slow (disk, CPU, compactions) or writes arrive in too many small batches.',
    impact: 'The write to that owner failed; it goes to the hinted-handoff queue if possible, and the client may get a 500 depending on the consistency level.',
    check: [
      'Is node {nodeId} slow right now: disk latency, compactions, its own log?',
      'Are clients sending many tiny batches? Fewer, larger batches need fewer concurrent connections.',
      'Which version: 1.3 replaced the per-write connections with multiplexed streams.',
    ],
    commands: ['influxd-ctl show', 'medic hh watch /var/lib/influxdb/hh', `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[cluster] max-remote-write-connections', '[cluster] pool-max-idle-streams', '[cluster] pool-max-idle-time', '[cluster] write-timeout'],
    metrics: ['_internal..cluster.writeShardFail', '_internal..write.writeError', '_internal..rpc.rpcFailures'],
    versions: [
      '1.3.0 deprecated `max-remote-write-connections` and multiplexes streams over one connection per peer (`pool-max-idle-streams`, `pool-max-idle-time`); the limit behind this line is gone there.',
    ],
    client: 'The request may answer 500; batch more points per request (5,000–10,000) rather than retrying many small writes in parallel.',
    docs: [DOC_DATA_CONFIG, DOC_CLUSTERING],
    examples: [
      {line: '[write] 2016/11/02 08:00:01 write failed for shard 77 on node 6: timed out waiting for free connection', values: {shardId: 77, nodeId: 6}},
      {line: '500 {"error":"write failed: timed out waiting for free connection"}', values: {httpStatus: 500}},
    ],
  },
  {
    id: 'write-database-required',
    title: 'Write rejected (400): the request names no database',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {keywords: ['database is required'], pattern: /^(?:400 )?database is required$/},
    cause: 'The /write request has no `db` query parameter (or an empty one). The data node cannot tell where the points belong.',
    impact: 'The whole batch is rejected; nothing is stored.',
    check: ['Look at the writer\'s configuration: the database option is empty or misspelled (`database`, `db`).', 'A proxy or load balancer that rewrites URLs may drop the query string.'],
    commands: ["curl -i -XPOST 'http://<data-node>:8086/write?db=<db>' --data-binary 'medic_probe value=1'"],
    configKeys: [],
    metrics: HTTPD_METRICS,
    client: 'Always send `db=` on /write (the v2 compatibility endpoint uses `bucket=db/rp`). ' + NO_RETRY_400,
    docs: [DOC_API],
    examples: [
      {line: '400 {"error":"database is required"}', values: {httpStatus: 400}},
      {line: '{"error":"database is required"}'},
    ],
  },
  {
    id: 'write-database-not-found',
    title: 'Write or query for a database that does not exist (404)',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      // Not the monitor's own `failed to store statistics: database not found: _internal` (monitor-store-failed).
      {keywords: ['database not found'], pattern: /^(?!failed to store statistics)(?:\d{3} |[^\n]{0,300}?: )?database not found: "?(?<db>[^"\s]{1,256})"?/},
      {http: {status: 404, side: 'data', uri: WRITE_URI}},
    ],
    cause:
      'The `db` named in the request is not in the meta store: it was never created, was dropped, is misspelled, or the writer points at another cluster. Databases are never created implicitly by a write.',
    impact: 'Every point of the request is rejected until the database exists.',
    check: [
      'Does `SHOW DATABASES` list "{db}"? Names are case-sensitive.',
      'Was the database dropped recently (a `DROP DATABASE` in the query log)?',
      'Telegraf creates its database on start-up only if allowed to (`skip_database_creation = false` and a user with admin rights).',
    ],
    commands: ["influx -execute 'SHOW DATABASES'", 'influx -execute \'CREATE DATABASE "{db}"\'   # if it should exist', "grep -i 'DROP DATABASE' /var/log/influxdb/influxdb.log | tail"],
    configKeys: ['[meta] retention-autocreate'],
    metrics: HTTPD_METRICS,
    client: 'Create the database once (outside the write loop) or fix the name. ' + NO_RETRY_400,
    docs: [DOC_API, 'enterprise_influxdb/v1/query_language/manage-database/'],
    examples: [
      {line: '404 {"error":"database not found: \\"telegraf\\""}', values: {httpStatus: 404, db: 'telegraf'}},
      {
        line: '[httpd] 2016/12/09 04:29:00 127.0.0.1 - - [09/Dec/2016:04:29:00 +0000] "POST /write?consistency=any&db=telegraf HTTP/1.1" 404 69 "-" "-" d560316c-4d06-11e7-8001-000000000000 1465',
        values: {httpStatus: 404, db: 'telegraf', consistency: 'any', method: 'POST'},
      },
    ],
  },
  {
    id: 'write-retention-policy-not-found',
    title: 'Write or query names a retention policy that does not exist',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {keywords: ['retention policy not found'], pattern: /^(?:\d{3} |[^\n]{0,300}?: )?retention policy not found:(?: "?(?<rp>[^"\s]{1,256})"?)?/},
    cause:
      'The `rp` parameter (or the `db.rp.measurement` prefix of a query) names a retention policy the database does not have. Also seen when the database has no default retention policy (`retention-autocreate = false` and none was created) and the request gives none.',
    impact: 'The whole request fails; nothing is written.',
    check: [
      'Which retention policies does the target database have, and which is the DEFAULT?',
      'Was the retention policy dropped or renamed recently?',
    ],
    commands: ['influx -execute \'SHOW RETENTION POLICIES ON "<db>"\'', 'influx -execute \'CREATE RETENTION POLICY "{rp}" ON "<db>" DURATION 30d REPLICATION 2\'   # if it should exist'],
    configKeys: ['[meta] retention-autocreate'],
    metrics: HTTPD_METRICS,
    versions: ['The write answers 500 rather than 4xx in 1.x, so some clients treat it as retryable; it is not.'],
    client: 'Use an existing retention policy or leave `rp` empty for the default. Retrying does not help.',
    docs: ['enterprise_influxdb/v1/query_language/manage-database/', DOC_API],
    examples: [
      {line: '500 {"error":"retention policy not found: one_week"}', values: {httpStatus: 500, rp: 'one_week'}},
      {line: '{"error":"retention policy not found: autogen"}', values: {rp: 'autogen'}},
    ],
  },
  {
    id: 'write-user-required',
    title: 'Write refused: authentication is on and the request carried no user',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {keywords: ['user is required to write to database'], pattern: /^(?:\d{3} )?user is required to write to database "?(?<db>[^"\s]{1,256})"?/},
    cause: '`[http] auth-enabled = true` on the data node and the write came without credentials (no `u`/`p` parameters, no Basic or Bearer header).',
    impact: 'The batch is rejected; nothing is stored.',
    check: ['Is the writer configured with a user and password (or token)?', 'Did auth get enabled recently on this data node only? All data nodes should agree.'],
    commands: ["curl -i -XPOST -u <user>:<password> 'http://<data-node>:8086/write?db={db}' --data-binary 'medic_probe value=1'", "influx -execute 'SHOW USERS'"],
    configKeys: ['[http] auth-enabled', '[http] shared-secret'],
    metrics: ['_internal..httpd.authFail', ...HTTPD_METRICS],
    client: 'Send credentials on every request (Basic auth or `u`/`p`). ' + NO_RETRY_400,
    docs: [DOC_AUTH],
    examples: [
      {line: '403 {"error":"user is required to write to database \\"telegraf\\""}', values: {httpStatus: 403, db: 'telegraf'}},
    ],
  },
  {
    id: 'write-user-not-authorized',
    title: 'Write refused: the user has no WRITE privilege on the database',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {
      keywords: ['user is not authorized to write to database'],
      pattern: /^(?:\d{3} )?(?:"(?<user>[^"\n]{0,128})" )?user is not authorized to write to database "?(?<db>[^"\s]{1,256})"?/,
    },
    cause: 'The credentials are valid but the user holds neither WRITE nor ALL on this database and is not an admin (nor, with fine-grained authorization, granted write on the measurement).',
    impact: 'Every write of that user to that database is rejected.',
    check: ['SHOW GRANTS FOR the user: is WRITE or ALL listed for "{db}"?', 'Was the database dropped and re-created? Grants do not survive a drop.'],
    commands: ['influx -execute \'SHOW GRANTS FOR "{user}"\'', 'influx -execute \'GRANT WRITE ON "{db}" TO "{user}"\''],
    configKeys: ['[http] auth-enabled'],
    metrics: ['_internal..httpd.authFail', ...HTTPD_METRICS],
    versions: ['1.8.6 fixed fine-grained grants that 1.8.5 did not enforce; after upgrading, writes that used to pass can be refused.'],
    client: 'Ask for WRITE on the database; retrying with the same user will keep failing.',
    docs: [DOC_AUTH, 'enterprise_influxdb/v1/administration/manage/users-and-permissions/'],
    examples: [
      {
        line: '403 {"error":"\\"collector\\" user is not authorized to write to database \\"telegraf\\""}',
        values: {httpStatus: 403, user: 'collector', db: 'telegraf'},
      },
    ],
  },
  {
    id: 'http-authorization-failed',
    title: 'Request refused (401): missing or wrong credentials',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {
        keywords: ['authorization failed', 'unable to parse authentication credentials', 'username required'],
        pattern: /^(?:401 )?(?:authorization failed|unable to parse authentication credentials|username required)$/,
      },
      {http: {status: 401, side: 'data'}},
    ],
    cause:
      'Authentication is on and the data node could not authenticate the request: wrong user or password, a user that exists on another cluster only, an expired or badly signed JWT, or a malformed Authorization header.',
    impact: 'The request does nothing. A client looping on a wrong password also fills the log and the `authFail` counter.',
    check: [
      'Which client (address, user agent) sends it? The access log line names them.',
      'Does the user exist (`SHOW USERS`), and does the password work from the influx CLI?',
      'For JWT: is the token signed with `[http] shared-secret` of this data node, and not expired?',
    ],
    commands: ["influx -username <user> -password '<password>' -execute 'SHOW DATABASES'", "curl -i -u <user>:<password> 'http://<data-node>:8086/query' --data-urlencode 'q=SHOW DATABASES'"],
    configKeys: ['[http] auth-enabled', '[http] shared-secret', '[http] realm', '[meta] password-hash'],
    metrics: ['_internal..httpd.authFail', '_internal..httpd.clientError'],
    client: 'Fix the credentials; retrying the same ones never succeeds. On a redirect, re-send credentials explicitly.',
    docs: [DOC_AUTH],
    examples: [
      {line: '401 {"error":"authorization failed"}', values: {httpStatus: 401}},
      {
        line: '[httpd] 2016/12/01 09:00:00 10.2.3.4 - grafana [01/Dec/2016:09:00:00 +0000] "GET /query?db=telegraf&q=SHOW+MEASUREMENTS HTTP/1.1" 401 33 "-" "Grafana/4.0.1" 2c2b8d5e-b7a0-11e6-8001-000000000000 1210',
        values: {httpStatus: 401, user: 'grafana', client: '10.2.3.4', db: 'telegraf'},
      },
    ],
  },
  {
    id: 'write-body-too-large',
    title: 'Write rejected (413): the request body is over max-body-size',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: [
      {keywords: ['Request Entity Too Large'], pattern: /^(?:413 )?Request Entity Too Large$/},
      {http: {status: 413, side: 'data'}},
    ],
    cause: 'The request body is larger than `[http] max-body-size` (25,000,000 bytes by default), so the node stopped reading it.',
    impact: 'The whole batch is rejected; nothing from it is stored.',
    check: ['How many points does the writer put in one request? Huge backfills or a flush after a long outage create oversized batches.'],
    commands: ["grep -c ' 413 ' /var/log/influxdb/influxdb.log"],
    configKeys: ['[http] max-body-size'],
    metrics: HTTPD_METRICS,
    versions: ['`max-body-size` exists since 1.4 (default 25 MB; 0 disables the limit).'],
    client: 'Split the batch (5,000–10,000 points per request is a good size). Sending the same body again fails again.',
    docs: [DOC_DATA_CONFIG, DOC_API],
    examples: [
      {line: 'HTTP/1.1 413 Request Entity Too Large', values: {httpStatus: 413}},
      {line: '413 {"error":"Request Entity Too Large"}', values: {httpStatus: 413}},
      {
        line: '10.1.4.7 - - [14/Mar/2018:11:20:31 +0000] "POST /write?db=backfill&precision=s HTTP/1.1" 413 35 "-" "python-requests/2.18.4" 8b0c1c1e-2779-11e8-8001-000000000000 48211',
        values: {httpStatus: 413, db: 'backfill', precision: 's'},
      },
    ],
  },
  {
    id: 'write-invalid-consistency',
    title: 'Write rejected (400): unknown consistency level',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {keywords: ['invalid consistency level'], pattern: /^(?:400 )?invalid consistency level/},
    cause: 'The `consistency` parameter is set but is not one of `any`, `one`, `quorum`, `all` (a typo, or a value from another database such as `local_quorum`).',
    impact: 'The whole batch is rejected.',
    check: ['What does the writer put in `consistency=` (look at the URI in the access log)?'],
    commands: ["grep -o 'consistency=[^& ]*' /var/log/influxdb/influxdb.log | sort | uniq -c"],
    configKeys: [],
    metrics: HTTPD_METRICS,
    client: 'Use `any`, `one` (the default when omitted), `quorum` or `all`. ' + NO_RETRY_400,
    docs: [DOC_CLUSTERING, DOC_API],
    examples: [{line: '400 {"error":"invalid consistency level"}', values: {httpStatus: 400}}],
  },
  {
    id: 'write-invalid-precision',
    title: 'Write rejected (400): unknown timestamp precision',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {keywords: ['invalid precision'], pattern: /^(?:\d{3} )?invalid precision "?(?<precision>[^"\s]{0,32})"?/},
    cause: 'The `precision` parameter is not one of `n`/`ns`, `u`, `ms`, `s`, `m`, `h`.',
    impact: 'The whole batch is rejected.',
    check: ['Which value does the writer send? `us`, `sec` or `rfc3339` are common mistakes.'],
    commands: ["grep -o 'precision=[^& ]*' /var/log/influxdb/influxdb.log | sort | uniq -c"],
    configKeys: [],
    metrics: HTTPD_METRICS,
    versions: ['Data nodes built on OSS 1.8 code reject an unknown value; older versions did not check it and read the timestamps as nanoseconds, so second or millisecond timestamps landed near 1970 (and were dropped as beyond retention on finite retention policies).'],
    client: 'Send one of n, u, ms, s, m, h and make sure the timestamps really are in that unit. ' + NO_RETRY_400,
    docs: [DOC_API],
    examples: [{line: '400 {"error":"invalid precision \\"us\\" (use n, u, ms, s, m or h)"}', values: {httpStatus: 400, precision: 'us'}}],
  },
  {
    id: 'write-unparsable-points',
    title: 'Write rejected (400): the body is not valid line protocol',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    match: {
      keywords: ['unable to parse'],
      pattern: /^(?:\d{3} )?unable to parse '(?:(?<point>[^\n]{0,8192}?)': (?<reason>[^\n]+?)(?: dropped=(?<dropped>\d{1,20}))?(?:\n|$))?/,
    },
    cause:
      'No line of the request could be parsed, so nothing was written; the first failing line and the reason are quoted. Typical reasons: `missing field value`, `missing fields`, `invalid field format`, `bad timestamp`, `time outside range`, `unbalanced quotes`, `invalid boolean`, `invalid number`.',
    impact: 'The whole batch is lost. (When only some lines fail, the answer is `partial write: unable to parse ...` instead and the good lines are stored.)',
    check: [
      'Quoting and escaping: spaces, commas and `=` in measurement names and tag keys/values need a backslash; string field values need double quotes.',
      '`bad timestamp` / `time outside range`: timestamps must be integers in the unit of `precision` (nanoseconds by default) between 1677-09-21 and 2262-04-11.',
      '`missing field value`: a field with nothing after `=`. NaN and Inf cannot be written either.',
    ],
    commands: ["curl -i -XPOST 'http://<data-node>:8086/write?db=<db>' --data-binary '{point}'   # replay the failing line"],
    configKeys: ['[http] write-tracing'],
    metrics: ['_internal..httpd.pointsWrittenFail', ...HTTPD_METRICS],
    versions: ['1.9.8 prints unprintable characters in parse errors readably.'],
    client: 'Fix the serialiser for the quoted line (use a client library\'s line-protocol encoder instead of string concatenation). ' + NO_RETRY_400,
    docs: [DOC_LINE_PROTOCOL, DOC_API],
    examples: [
      {line: '400 {"error":"unable to parse \'cpu,host=web01 usage_idle=\': missing field value"}', values: {httpStatus: 400, point: 'cpu,host=web01 usage_idle=', reason: 'missing field value'}},
      {line: '{"error":"unable to parse \'mem used=12i 1520000000000\': time outside range -9223372036854775806 - 9223372036854775806"}', values: {reason: 'time outside range -9223372036854775806 - 9223372036854775806'}},
      {line: '400 {"error":"unable to parse \'disk,path=/data free=1 17x\': bad timestamp"}', values: {reason: 'bad timestamp'}},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Noise that later versions removed
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'rpc-spurious-errors',
    title: 'RPC "i/o deadline exceeded" or "stream closed" between data nodes',
    verdict: 'info',
    category: 'cluster',
    where: 'data',
    match: [
      {keywords: ['i/o deadline exceeded'], pattern: /^[^\n]{0,500}?(?:rpc error: )?i\/o deadline exceeded/},
      {keywords: ['stream closed'], pattern: /^[^\n]{0,500}?\bstream closed\b/},
    ],
    cause:
      'Data nodes talk over port 8088 through multiplexed streams (1.3+). In 1.3.x up to 1.3.7 these errors were logged for streams that timed out or were closed normally, for example when a remote query iterator finished early; they were mostly not real failures.',
    impact:
      'Usually none on 1.3.0–1.3.8: spurious. On 1.3.9/1.5.0 and later the remaining occurrences are real: a peer did not answer in time (overloaded node, network drop on 8088), and the query or write that used the stream failed.',
    check: [
      'Which version runs here? (`influxd-ctl show` lists versions.)',
      'On a fixed version: do the lines cluster on one peer, and does that node show load, long GC pauses or network errors?',
    ],
    commands: ['influxd-ctl show   # versions of every node', 'nc -vz <peer> 8088', `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[cluster] dial-timeout', '[cluster] shard-reader-timeout', '[cluster] pool-max-idle-streams', '[cluster] pool-max-idle-time'],
    metrics: ['_internal..rpc.rpcFailures', '_internal..rpc.rpcRetries', '_internal..rpc.liveStreams'],
    versions: [
      '1.3.8 and 1.5.0 fixed spurious `rpc error: i/o deadline exceeded` errors.',
      '1.3.9 and 1.5.0 stopped logging `stream closed` and treat EOF as a remote iterator interrupt.',
      'Upgrade to the latest 1.x patch release if these lines are frequent.',
    ],
    docs: [DOC_RELEASE_NOTES, 'enterprise_influxdb/v1/administration/configure/ports/'],
    examples: [
      {line: '[E] 2017-11-20T10:04:31Z failed to write to node 5: rpc error: i/o deadline exceeded service=write', values: {level: 'error', service: 'write'}},
      {line: '[I] 2017-11-20T10:04:33Z remote iterator: stream closed service=query', values: {level: 'info'}},
    ],
  },
  {
    id: 'ae-no-tsm-files',
    title: 'Anti-entropy reported a shard that "contains no .tsm files"',
    verdict: 'info',
    category: 'anti-entropy',
    where: 'data',
    match: {keywords: ['contains no .tsm files'], pattern: /^[^\n]{0,1000}?contains no \.tsm files/},
    cause:
      'The anti-entropy service computed digests for a shard directory that has no TSM files yet (a new or empty shard, or one whose data is still only in the cache/WAL). Versions before 1.7.5 reported that as an error.',
    impact: 'None on its own: an empty shard has nothing to compare. On 1.7.5+ this line should not appear; if it does, check that the shard is really empty and not missing its files.',
    check: ['Which version runs here?', 'Is the shard empty or brand new (`influxd-ctl show-shards -v` on 1.8.2+ shows size and state)?'],
    commands: ['influxd-ctl show', 'influxd-ctl show-shards -v', 'influxd-ctl entropy show'],
    configKeys: ['[anti-entropy] enabled', '[anti-entropy] check-interval', '[anti-entropy] max-fetch'],
    metrics: ['_internal..ae.errors', '_internal..ae.jobs'],
    versions: ['1.7.5 fixed the `contains no .tsm files` error.', 'Anti-entropy is disabled by default since 1.7.3.'],
    docs: [DOC_AE, DOC_RELEASE_NOTES],
    examples: [
      {
        line: 'ts=2019-03-12T08:15:02.123456Z lvl=error msg="Failed to compute digest" log_id=0EV6kBdW000 service=ae db_shard_id=1287 error="/var/lib/influxdb/data/telegraf/autogen/1287 contains no .tsm files"',
        values: {shardId: 1287, level: 'error'},
      },
    ],
  },
  {
    id: 'ae-broken-pipe',
    title: 'Anti-entropy logged "broken pipe" while exchanging digests',
    verdict: 'info',
    category: 'anti-entropy',
    where: 'data',
    match: {
      keywords: ['broken pipe'],
      pattern: /^(?=[^\n]{0,500}?broken pipe)[^\n]{0,500}?(?:[Ee]ntropy|[Dd]igest|[Rr]epair)/,
    },
    cause:
      'When anti-entropy found a difference it closed the digest connection early; the peer, still streaming its digest, then failed with `broken pipe`. Versions before 1.9.5 logged this although nothing was wrong.',
    impact: 'None before 1.9.5 beyond the noise; the entropy itself shows up in `influxd-ctl entropy show`. On 1.9.5+ a broken pipe is a real connection loss between data nodes.',
    check: ['Which version runs here?', 'Does `influxd-ctl entropy show` list shards with `diff` status (the real finding)?'],
    commands: ['influxd-ctl entropy show', 'influxd-ctl show'],
    configKeys: ['[anti-entropy] enabled', '[anti-entropy] check-interval'],
    metrics: ['_internal..ae.errors', '_internal..ae.jobsActive'],
    versions: ['1.9.5 stopped logging "broken pipe" when entropy is detected.'],
    docs: [DOC_AE, DOC_RELEASE_NOTES],
    examples: [
      {
        line: 'ts=2021-05-04T11:20:07.551204Z lvl=info msg="Error sending digest" log_id=0U~kd2W0000 service=ae db_shard_id=311 error="write tcp 10.0.1.12:8088->10.0.1.13:53422: write: broken pipe"',
        values: {shardId: 311},
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Queries and storage
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'query-slow',
    title: 'A query ran longer than log-queries-after',
    verdict: 'info',
    category: 'query',
    where: 'data',
    match: {
      keywords: ['Detected slow query'],
      pattern: /^Detected slow query(?:: (?<query>.*) \(qid: (?<qid>\d{1,20}), database: (?<db>[^,]{0,256}), threshold: (?<threshold>[^)]{1,32})\))?/s,
    },
    cause:
      'The query was still running when it reached `[cluster] log-queries-after`. The line is written when the threshold passes, not when the query ends, so it may still be running.',
    impact: 'None by itself. Many of them mean heavy queries that compete with writes for CPU, memory and disk, and can slow the whole node.',
    check: [
      'Is query {qid} still running (SHOW QUERIES)? How long do such queries take in the end?',
      'Does it scan a long time range without a GROUP BY time() or a tag filter, or use regexes on high-cardinality tags?',
      'Who sends it (the same dashboard over and over)?',
    ],
    commands: ["influx -execute 'SHOW QUERIES'", "influx -execute 'KILL QUERY {qid}'   # if it must stop", `medic logs summarize ${DATA_LOG}`],
    configKeys: ['[cluster] log-queries-after', '[cluster] query-timeout', '[cluster] max-select-point', '[cluster] max-select-series', '[cluster] max-select-buckets', '[cluster] max-concurrent-queries'],
    metrics: ['_internal..queryExecutor.queriesActive', '_internal..queryExecutor.queryDurationNs'],
    versions: ['1.10.0 logs slow queries even when query logging is off.'],
    client: 'Narrow the time range, filter on tags, pre-aggregate with continuous queries, or add LIMIT; the operator may kill or time out such queries.',
    docs: ['enterprise_influxdb/v1/troubleshooting/query_management/influxql_query_management/', DOC_DATA_CONFIG],
    examples: [
      {
        line: '[query] 2016/04/28 14:11:31 Detected slow query: SELECT mean(usage_idle) FROM cpu WHERE time >= 0 GROUP BY time(20s) (qid: 3, database: telegraf, threshold: 1s)',
        values: {qid: 3, db: 'telegraf', threshold: '1s', query: 'SELECT mean(usage_idle) FROM cpu WHERE time >= 0 GROUP BY time(20s)'},
      },
      {
        line: 'ts=2019-05-02T14:11:31.004112Z lvl=warn msg="Detected slow query" log_id=0EV6kBdW000 service=query query="SELECT max(used) FROM mem WHERE time > now() - 90d GROUP BY time(1m), host" qid=812 database=telegraf threshold=10s',
        values: {db: 'telegraf', level: 'warn', service: 'query'},
      },
    ],
  },
  {
    id: 'tsm-compaction-error',
    title: 'A TSM compaction failed',
    verdict: 'warning',
    category: 'storage',
    where: 'data',
    match: {
      keywords: ['error compacting TSM files', 'Error compacting TSM files', 'error replacing new TSM files', 'Error replacing new TSM files', 'Renaming a corrupt TSM file'],
      pattern: /^(?:[Ee]rror (?:compacting|replacing new) TSM files|Renaming a corrupt TSM file due to compaction error)(?::\s*(?<error>.+))?$/s,
    },
    cause:
      'The engine could not merge TSM files of a shard: the disk is full or read-only, a file is corrupt (a block that fails its checksum), too many open files, or the shard was closed mid-way. The compaction is retried about every second.',
    impact:
      'Uncompacted shards read slower and keep more files open; if the cause persists, the number of TSM files grows and the same error repeats. A corrupt file is renamed with a `.bad` suffix (newer versions) and its data is lost on this replica.',
    check: [
      'Free space and inode use on the data volume; `too many open files` against `ulimit -n`.',
      'Does the error name a file? `influx_inspect verify` checks TSM checksums.',
      'Is the same shard failing over and over?',
    ],
    commands: ['df -h /var/lib/influxdb; df -i /var/lib/influxdb', 'influx_inspect verify -dir /var/lib/influxdb', 'cat /proc/$(pidof influxd)/limits | grep -i "open files"'],
    configKeys: ['[data] dir', '[data] max-concurrent-compactions', '[data] compact-full-write-cold-duration', '[data] compact-throughput'],
    metrics: ['_internal..tsm1_engine.tsmLevel1CompactionErrors', '_internal..tsm1_engine.tsmFullCompactionErrors', '_internal..tsm1_engine.tsmOptimizeCompactionErrors'],
    versions: ['1.9.5 fixed crashes caused by TSM file corruption; 1.11.6 improved TSM error handling.'],
    docs: [DOC_STORAGE, 'enterprise_influxdb/v1/tools/influx_inspect/'],
    examples: [
      {line: '[tsm1] 2017/02/14 03:00:12 error compacting TSM files: write /var/lib/influxdb/data/telegraf/autogen/214/000000031-000000003.tsm.tmp: no space left on device', values: {error: 'write /var/lib/influxdb/data/telegraf/autogen/214/000000031-000000003.tsm.tmp: no space left on device'}},
      {
        line: 'ts=2020-09-01T10:00:00.513022Z lvl=info msg="Error compacting TSM files" log_id=0PIq8aVW000 engine=tsm1 tsm1_level=2 tsm1_strategy=level trace_id=0PJ5z6UG000 op_name=tsm1_compact_group error="open /var/lib/influxdb/data/db1/rp1/18/000000087-000000002.tsm: too many open files"',
        values: {traceId: '0PJ5z6UG000', operation: 'tsm1_compact_group'},
      },
    ],
  },
  {
    id: 'cache-snapshot-error',
    title: 'Writing the in-memory cache to a TSM file (snapshot) failed',
    verdict: 'warning',
    category: 'storage',
    where: 'data',
    match: {
      keywords: ['error writing snapshot', 'Error writing snapshot', 'error adding new TSM files from snapshot', 'Error adding new TSM files from snapshot'],
      pattern: /^(?:[Ee]rror writing snapshot(?: from compactor)?|[Ee]rror adding new TSM files from snapshot)(?!: (?:snapshot in progress|compactions disabled)$)(?::\s*(?<error>.+))?$/s,
    },
    cause:
      'The cache of a shard could not be flushed to disk: no space left, permissions, I/O errors, a file that cannot be written. (The transient `snapshot in progress` and `compactions disabled` cases have their own entry, `cache-snapshot-skipped`.)',
    impact: 'While snapshots fail, the cache keeps growing and the WAL is not trimmed; at `cache-max-memory-size` writes to the shard start failing with `cache maximum memory size exceeded`.',
    check: ['Free space and permissions on the data volume?', 'Does the same shard fail again at every attempt?', 'Is `tsm1_cache.memBytes` rising for the shard?'],
    commands: ['df -h /var/lib/influxdb', 'du -sh /var/lib/influxdb/wal/*/*/* | sort -h | tail'],
    configKeys: ['[data] cache-max-memory-size', '[data] cache-snapshot-memory-size', '[data] cache-snapshot-write-cold-duration'],
    metrics: ['_internal..tsm1_cache.memBytes', '_internal..tsm1_engine.cacheCompactionErr'],
    docs: [DOC_STORAGE, DOC_DATA_CONFIG],
    examples: [{line: '[tsm1] 2017/02/14 03:00:13 error writing snapshot: write /var/lib/influxdb/data/telegraf/autogen/214/000000032-000000001.tsm.tmp: no space left on device'}],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Access logs. Entries above that carry an http matcher (404, 401, 413) come first and win.
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'http-write-server-error',
    title: 'A /write request was answered with a 5xx',
    verdict: 'warning',
    category: 'write',
    where: 'data',
    match: {http: {status: '5xx', side: 'data', uri: WRITE_URI}},
    cause:
      'The data node accepted the request but could not store the points as asked. The access log does not carry the reason; the JSON body did. In a cluster the usual bodies are `partial write`, `write failed: hinted handoff queue not empty`, `timeout`, `write failed: queue is full` or `engine: cache maximum memory size exceeded`.',
    impact:
      'Depends on the reason: with hinted handoff most points are stored on some owner and queued for the others; with `queue is full` or a full cache they are lost for some replicas. The client sees a failed write.',
    check: [
      'The error lines logged just before this one (same second) give the reason: `write failed for shard ...`, `queue is full`, `cache maximum memory size exceeded`.',
      'Are the 5xx answers for one database ({db}) only, or all writes?',
      'Is a hinted-handoff queue growing on this node?',
    ],
    commands: [`medic logs summarize ${DATA_LOG}`, 'medic hh watch /var/lib/influxdb/hh', 'influxd-ctl show'],
    configKeys: ['[cluster] write-timeout', '[hinted-handoff] max-size', '[data] cache-max-memory-size', '[http] log-enabled'],
    metrics: ['_internal..httpd.serverError', '_internal..write.writeError', '_internal..write.writePartial', '_internal..write.writeTimeout'],
    client:
      'Read the body: a `partial write` or `hinted handoff queue not empty` 500 does not mean the points were lost, and blind retries add duplicates to the queues. Retry `timeout` and connection errors with back-off.',
    docs: [DOC_FAQ, DOC_CLUSTERING, DOC_API],
    examples: [
      {
        line: '[httpd] 2016/10/18 10:35:21 10.0.0.21 - - [18/Oct/2016:10:35:21 +0000] "POST /write?db=telegraf&consistency=all HTTP/1.1" 500 33 "-" "Telegraf/1.0.1" 5ab4bc2e-9521-11e6-8a2c-000000000000 41234',
        values: {httpStatus: 500, db: 'telegraf', consistency: 'all', durationMs: 41.234},
      },
      {
        line: '10.0.0.22 - - [02/Mar/2018:06:14:09 +0000] "POST /write?db=metrics&rp=raw HTTP/1.1" 503 0 "-" "okhttp/3.9.1" 0a3b5c1d-1dd5-11e8-8001-000000000000 1203',
        values: {httpStatus: 503, db: 'metrics', rp: 'raw'},
      },
    ],
  },
  {
    id: 'http-write-rejected',
    title: 'A /write request was rejected with a 4xx',
    verdict: 'warning',
    category: 'client',
    where: 'data',
    match: {http: {status: '4xx', side: 'data', uri: WRITE_URI}},
    cause:
      'The request itself was refused: bad line protocol, a field type conflict, points outside the retention policy, a series or tag-value limit, a bad parameter, or missing privileges. A 400 may be a `partial write` where the valid points were stored.',
    impact: 'The rejected points are lost unless the client fixes and resends them; retrying the same body fails the same way.',
    check: [
      'Which client (address and user agent) and database ({db})? One writer usually causes all of them.',
      'What body did the client receive? Look in the writer\'s own log, or reproduce with curl.',
    ],
    commands: ["awk '$9 ~ /^4/' /var/log/influxdb/influxdb.log | grep 'POST /write' | awk '{print $1, $(NF-2)}' | sort | uniq -c | sort -rn | head"],
    configKeys: ['[http] log-enabled', '[http] write-tracing', '[data] max-series-per-database', '[data] max-values-per-tag'],
    metrics: ['_internal..httpd.clientError', '_internal..httpd.pointsWrittenFail', '_internal..httpd.pointsWrittenDropped', '_internal..write.writeDrop'],
    client: NO_RETRY_400,
    docs: [DOC_API, DOC_LINE_PROTOCOL],
    examples: [
      {
        line: '[httpd] 2016/11/21 09:12:00 10.0.3.9 - - [21/Nov/2016:09:12:00 +0000] "POST /write?db=app&precision=ms HTTP/1.1" 400 91 "-" "node-influx/5.0" 7f3e2b10-afdc-11e6-8001-000000000000 804',
        values: {httpStatus: 400, db: 'app', precision: 'ms', client: '10.0.3.9'},
      },
    ],
  },
  {
    id: 'http-server-error',
    title: 'A data-node API request (other than /write) was answered with a 5xx',
    verdict: 'warning',
    category: 'http',
    where: 'data',
    match: {http: {status: '5xx', side: 'data'}},
    cause:
      'A query or another API call failed on the server side: a remote shard owner did not answer, the query hit an internal limit or timeout, the node is shutting down, or it panicked while serving the request (recovered).',
    impact: 'The caller got no result. Repeated 5xx on /query usually come with query or RPC errors in the same log.',
    check: ['Error lines logged around this time on this node (query errors, `rpc error`, panics)?', 'Is one data node down, so that shards it owns alone cannot be read?'],
    commands: [`medic logs summarize ${DATA_LOG}`, 'influxd-ctl show', 'influxd-ctl show-shards'],
    configKeys: ['[cluster] query-timeout', '[cluster] shard-reader-timeout', '[http] log-enabled'],
    metrics: ['_internal..httpd.serverError', '_internal..httpd.recoveredPanics', '_internal..queryExecutor.queriesActive'],
    docs: [DOC_API, DOC_LOGS],
    examples: [
      {
        line: '[httpd] 2017/01/05 16:40:02 10.0.0.40 - - [05/Jan/2017:16:40:02 +0000] "GET /query?db=telegraf&q=SELECT+mean%28value%29+FROM+cpu HTTP/1.1" 500 94 "-" "Grafana/4.0.2" 4d5e1a66-d36a-11e6-8001-000000000000 30001822',
        values: {httpStatus: 500, path: '/query', db: 'telegraf'},
      },
    ],
  },
  {
    id: 'http-client-error',
    title: 'A data-node API request (other than /write) was answered with a 4xx',
    verdict: 'info',
    category: 'http',
    where: 'data',
    match: {http: {status: '4xx', side: 'data'}},
    cause: 'The caller sent something the node refused: an InfluxQL syntax error, a query for a missing database or measurement, missing privileges, or a path that does not exist.',
    impact: 'None for the cluster; the caller did not get what it asked for.',
    check: ['Which client and path? A dashboard with a broken query repeats the same line every refresh.'],
    commands: ["awk '$9 ~ /^4/' /var/log/influxdb/influxdb.log | awk '{print $1, $7}' | sort | uniq -c | sort -rn | head"],
    configKeys: ['[http] log-enabled', '[http] suppress-write-log'],
    metrics: ['_internal..httpd.clientError', '_internal..httpd.queryReq'],
    docs: [DOC_API],
    examples: [
      {
        line: '[httpd] 2017/01/05 16:41:10 10.0.0.40 - - [05/Jan/2017:16:41:10 +0000] "GET /query?db=telegraf&q=SELEC+1 HTTP/1.1" 400 89 "-" "curl/7.47.0" 75b1cf0a-d36a-11e6-8002-000000000000 412',
        values: {httpStatus: 400, path: '/query'},
      },
    ],
  },
  {
    id: 'meta-http-redirect-leader',
    title: 'A meta node redirected a request to the Raft leader (307)',
    verdict: 'expected',
    category: 'http',
    where: 'meta',
    match: {http: {status: 307, side: 'meta'}},
    cause:
      'Only the meta leader applies changes. A follower that receives a change (data-node `POST /execute`, user and role changes, add/remove node, the CQ lease) answers 307 with the leader\'s address, and the caller repeats the request there.',
    impact: 'None: part of normal operation. Constant redirects only cost an extra round trip.',
    check: [
      'Which node is the leader? `medic status <meta>:8091` shows it.',
      'Tools that do not follow redirects (or drop credentials on them) fail after the 307: use `curl --location-trusted`.',
    ],
    commands: ['medic status <meta-host>:8091', 'curl -s http://<meta-host>:8091/status'],
    configKeys: ['[meta] cluster-tracing', '[meta] auth-enabled'],
    versions: [
      '1.1.0: the meta API redirects to the leader when it is not the leader.',
      '1.3.8 and 1.5.0: credentials are re-sent on redirect.',
      '1.3+ writes these access lines only with `[meta] cluster-tracing = true`; 1.9.6+ writes them as `msg=weblog` lines.',
    ],
    docs: ['enterprise_influxdb/v1/administration/manage/users-and-permissions/authorization-api/', DOC_META_CONFIG],
    examples: [
      {
        line: '[meta-http] 2017/01/10 12:00:00 10.0.0.14 - - [10/Jan/2017:12:00:00 +0000] POST /execute HTTP/1.1 307 0 - InfluxDB Meta Client 7d1c1f3a-d73c-11e6-8001-000000000000 95.1µs',
        values: {httpStatus: 307, method: 'POST', path: '/execute', service: 'meta-http'},
      },
      {
        line: 'ts=2021-12-08T02:01:10.201733Z lvl=info msg=weblog log_id=0YHxBFZG001 service=meta-http host=172.18.0.1 user-id= username=admin method=POST uri=/user protocol=HTTP/1.1 command="{\\"action\\":\\"create\\",\\"user\\":{\\"name\\":\\"ops\\",\\"password\\":\\"[REDACTED]\\"}}" status=307 size=0 referrer= user-agent=curl/7.68.0 request-id=b72e31c2-57cf-11ec-8021-0242ac120002 execution-time=0.412ms execution-time-readable=412.3µs',
        values: {httpStatus: 307, path: '/user', user: 'admin'},
      },
    ],
  },
  {
    id: 'meta-http-server-error',
    title: 'The meta API answered a request with a 5xx',
    verdict: 'warning',
    category: 'meta',
    where: 'meta',
    match: {http: {status: '5xx', side: 'meta'}},
    cause:
      'A meta node failed a request: the Raft leader changed or lost quorum while applying a change, applying the command failed, or the node is overloaded. (503 answers without a leader are a separate entry.)',
    impact: 'The change the caller asked for (create database or shard group, user change, add node) did not happen; data nodes retry their own requests, tools report an error.',
    check: [
      'Is there a stable leader, and do all meta nodes agree on it?',
      'Raft lines around this time in the meta log (elections, `failed to contact quorum`)?',
    ],
    commands: ['medic status <meta-host>:8091', `medic logs summarize ${META_LOG}`],
    configKeys: ['[meta] cluster-tracing', '[meta] election-timeout', '[meta] heartbeat-timeout'],
    docs: [DOC_META_CONFIG],
    examples: [
      {
        line: '[meta-http] 2017/01/10 12:03:41 10.0.0.14 - - [10/Jan/2017:12:03:41 +0000] POST /execute HTTP/1.1 500 41 - InfluxDB Meta Client a6b1d2c4-d73c-11e6-8003-000000000000 2.003s',
        values: {httpStatus: 500, path: '/execute'},
      },
    ],
  },
  {
    id: 'meta-http-client-error',
    title: 'The meta API answered a request with a 4xx',
    verdict: 'info',
    category: 'meta',
    where: 'meta',
    match: {http: {status: '4xx', side: 'meta'}},
    cause:
      'A request to port 8091 was refused: missing or wrong credentials with meta auth on (401/403), an unknown path (unknown GET paths fall through to the snapshot handler and get 400 `error parsing index`), or a malformed command. Health checks or scanners that probe random paths cause the 400s.',
    impact: 'None for the cluster. A data node getting 401/403 cannot read meta data: check the shared secrets.',
    check: [
      'Who is the caller (address, user agent)? `InfluxDB Meta Client` means a data node; others are tools, proxies, probes.',
      'For 401/403 from data nodes: `[meta] meta-auth-enabled` and `meta-internal-shared-secret` on data nodes must match `auth-enabled` and `internal-shared-secret` on meta nodes.',
    ],
    commands: ['medic status <meta-host>:8091', "curl -i http://<meta-host>:8091/ping"],
    configKeys: ['[meta] auth-enabled', '[meta] internal-shared-secret', '[meta] meta-auth-enabled', '[meta] meta-internal-shared-secret'],
    versions: ['1.6.4: with meta auth on, `internal-shared-secret` must be set.'],
    docs: [DOC_META_CONFIG, DOC_AUTH],
    examples: [
      {
        line: '[meta-http] 2017/07/12 08:30:00 10.0.9.9 - - [12/Jul/2017:08:30:00 +0000] GET /ding HTTP/1.1 400 31 - Go-http-client/1.1 3a9f1e0c-66d2-11e7-8001-000000000000 60.2µs',
        values: {httpStatus: 400, path: '/ding', client: '10.0.9.9'},
      },
    ],
  },
]
