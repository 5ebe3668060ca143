/**
 * Catalogue entries: meta-node membership, the continuous-query lease and joins.
 * Order matters only among entries that share a keyword: the first whose pattern matches wins.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_FAQ = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'

export const clusterEntries: CatalogueEntry[] = [
  {
    id: 'cq-lease-denied',
    title: 'A data node was refused the continuous-query lease (409)',
    verdict: 'expected',
    category: 'cq',
    where: 'meta',
    match: {http: {status: 409, uri: /^\/lease\?(?=.*\bname=continuous_querier\b)/}},
    cause:
      'When at least one continuous query exists, every data node asks the meta leader for the `continuous_querier` lease about once per `run-interval`. Only one node may hold it; the leader answers 409 Conflict to every other node. The holder renews it and gets 200.',
    impact:
      'None: a 409 means some other data node holds the lease, so exactly one node runs the CQs, which is what the lease is for. A long run of 409s with no 200 among them does not mean nobody holds it: the holder\'s renewals are 200 lines, and they are missing from what you are reading (another meta node\'s log, a log cut before the holder renewed, or `cluster-tracing` off when the holder asked). It is a problem only when 200s were logged and then stop while 409s go on past `lease-duration`.',
    check: [
      'In the meta leader\'s log, look for 200 answers to /lease?name=continuous_querier: the node_id in them is the lease holder. Each meta node logs only the requests it answered itself.',
      'If 200s stop while 409s go on for longer than `lease-duration`, check that the holder is alive and that its CQs finish within `lease-duration` (long CQs let the lease roll between nodes).',
    ],
    commands: [
      "medic logs summarize /var/log/influxdb/influxdb-meta.log   # lease holders and gaps over time",
      "grep 'lease?name=continuous_querier' /var/log/influxdb/influxdb-meta.log | awk '{print $(NF-8)}' | sort | uniq -c",
    ],
    configKeys: ['[meta] lease-duration', '[continuous_queries] run-interval', '[meta] cluster-tracing'],
    metrics: ['_internal..cq (queryOk, queryFail)'],
    versions: [
      'From 1.3 the meta-http access log is only written with `[meta] cluster-tracing = true`.',
      '1.2.0 fixed CQs stopping when the first meta node in the list stopped.',
    ],
    docs: [DOC_FAQ, 'enterprise_influxdb/v1/features/clustering-features/'],
    examples: [
      {
        line: '[meta-http] 2016/09/19 09:08:53 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /lease?name=continuous_querier&node_id=5 HTTP/1.1 409 105 - InfluxDB Meta Client b00e4943-7e48-11e6-86a6-000000000000 380.542µs',
        values: {httpStatus: 409, nodeId: 5, lease: 'continuous_querier', client: '172.31.4.132', service: 'meta-http'},
      },
      {
        line: 'ts=2021-12-08T02:00:54.864731Z lvl=info msg=weblog log_id=0YHxBFZG001 service=meta-http host=172.18.0.4 user-id= username= method=GET uri="/lease?name=continuous_querier&node_id=6" protocol=HTTP/1.1 command= status=409 size=105 referrer= user-agent="InfluxDB Meta Client" request-id=ad87ce47-57cf-11ec-8019-0242ac120002 execution-time=0.398ms execution-time-readable=398.1µs',
        values: {httpStatus: 409, nodeId: 6, lease: 'continuous_querier'},
      },
      {
        line: '{"lvl":"info","ts":"2021-12-08T02:00:55.101223Z","msg":"weblog","log_id":"0YHxBFZG001","service":"meta-http","host":"172.18.0.5","user-id":"","username":"","method":"GET","uri":"/lease?name=continuous_querier&node_id=7","protocol":"HTTP/1.1","command":"","status":409,"size":105,"referrer":"","user-agent":"InfluxDB Meta Client","request-id":"ae0b3c12-57cf-11ec-801a-0242ac120002","execution-time":"0.412ms","execution-time-readable":"412.3µs"}',
        values: {httpStatus: 409, nodeId: 7, lease: 'continuous_querier'},
      },
    ],
  },
  {
    id: 'cq-lease-granted',
    title: 'A data node holds (or renewed) the continuous-query lease (200)',
    verdict: 'expected',
    category: 'cq',
    where: 'meta',
    match: {http: {status: 200, uri: /^\/lease\?(?=.*\bname=continuous_querier\b)/}},
    cause:
      'The meta leader granted or renewed the `continuous_querier` lease. The holder asks again about every second and keeps the lease for `lease-duration` after each renewal.',
    impact: 'None: this node runs the cluster\'s continuous queries.',
    check: ['The node_id in the request is the data node running the CQs; its log shows the CQ executions.'],
    commands: ["grep -c 'lease?name=continuous_querier.* 200 ' /var/log/influxdb/influxdb-meta.log"],
    configKeys: ['[meta] lease-duration', '[continuous_queries] run-interval'],
    metrics: ['_internal..cq (queryOk, queryFail)'],
    docs: [DOC_FAQ],
    examples: [
      {
        line: '[meta-http] 2016/09/19 09:08:54 172.31.12.27 - - [19/Sep/2016:09:08:54 +0000] GET /lease?name=continuous_querier&node_id=0 HTTP/1.1 200 105 - InfluxDB Meta Client b05a3861-7e48-11e6-86a7-000000000000 8.87547ms',
        values: {httpStatus: 200, nodeId: 0, lease: 'continuous_querier', durationMs: 8.875},
      },
    ],
  },
  {
    id: 'meta-not-joined',
    title: 'A meta node answered 503: it is not part of a cluster (no Raft leader) yet',
    verdict: 'expected',
    category: 'meta',
    where: 'meta',
    match: [
      {http: {status: 503, side: 'meta'}},
      {keywords: ['503'], pattern: /^503\b/},
    ],
    cause:
      'A meta node that has not been added to a cluster has no Raft leader, so its API answers 503 Service Unavailable to anything that needs the meta store. Data nodes and tools that already know its address keep asking.',
    impact:
      'None on a node that is about to be joined. On a node that should already be a member, the meta cluster has lost its leader (no quorum): no database, shard group or user can be created and data nodes cannot refresh their meta data.',
    check: [
      "Ask the node for its state: curl -s http://<meta-host>:8091/status — an empty \"leader\" and \"peers\": null mean it was never joined.",
      'If it should be a member, check that a quorum of meta nodes is up and can reach each other on port 8089.',
    ],
    commands: [
      'medic status <meta-host>:8091',
      'influxd-ctl add-meta <meta-host>:8091   # run on a meta node that is already a member',
    ],
    configKeys: ['hostname', '[meta] bind-address', '[meta] http-bind-address'],
    versions: ['1.1.0 renamed the old `join` to `add-meta`; `join` now adds the local meta and data processes.'],
    docs: ['enterprise_influxdb/v1/troubleshooting/errors/', DOC_FAQ],
    examples: [
      {
        line: '[meta-http] 2016/10/04 09:11:02 10.0.0.12 - - [04/Oct/2016:09:11:02 +0000] GET /?index=0 HTTP/1.1 503 52 - InfluxDB Meta Client 3c2b7a6e-8a1a-11e6-8001-000000000000 112.8µs',
        values: {httpStatus: 503, client: '10.0.0.12'},
      },
      {line: 'HTTP/1.1 503 Service Unavailable', values: {httpStatus: 503}},
      {line: '503 {"error":"no leader"}', values: {httpStatus: 503}},
    ],
  },
  {
    id: 'join-not-meta-node',
    title: 'influxd-ctl could not confirm that the target is a meta node',
    verdict: 'critical',
    category: 'join',
    where: 'influxd-ctl',
    match: {keywords: ['unable to determine if'], pattern: /unable to determine if "?(?<host>[^"\s]*?)"? is a meta node/},
    cause:
      'Before adding a meta node, influxd-ctl asks the target for GET /status on its HTTP port and expects a 200 with a meta status JSON. The request failed (wrong address or port, process not running, firewall, TLS or auth mismatch) or the answer was not that JSON (wrong hostname advertised, no license, a data node or a proxy answering).',
    impact: 'The node is not added; the cluster keeps its current membership. Nothing is lost.',
    check: [
      'Run curl -v http://<host>:8091/status from the node where you ran influxd-ctl: expect {"nodeType":"meta","leader":"","httpAddr":"<host>:8091","raftAddr":"<host>:8089","peers":null} on a fresh node.',
      'In the target\'s influxdb-meta.conf: `hostname` must be the name other nodes use (not localhost), the bind ports must be the ones you pass, and exactly one of `license-key`/`license-path` must be set.',
      'Pass the HTTP port in the argument: influxd-ctl add-meta <host>:8091.',
    ],
    commands: ['medic join diagnose {host}:8091 --config /etc/influxdb/influxdb-meta.conf', 'curl -v http://{host}:8091/status'],
    configKeys: ['hostname', '[meta] bind-address', '[meta] http-bind-address', '[meta] https-enabled', '[enterprise] license-key', '[enterprise] license-path', '[meta] auth-enabled'],
    versions: ['Before 1.1 `influxd-ctl join` added meta nodes; since 1.1 that is `add-meta`.'],
    docs: [DOC_FAQ],
    examples: [
      {line: 'add-meta: operation exited with error: unable to determine if "enterprise-meta-02:8091" is a meta node', values: {host: 'enterprise-meta-02:8091'}},
      {line: 'unable to determine if "meta-3" is a meta node', values: {host: 'meta-3'}},
    ],
  },
  {
    id: 'cq-lease-other-owner',
    title: 'The text of the lease refusal (InfluxDB itself never logs it)',
    verdict: 'expected',
    category: 'cq',
    where: 'data',
    match: {keywords: ['another node owns the lease'], pattern: /another node owns the lease/},
    cause:
      'This is the error text the meta client returns to a data node when the meta leader answers 409 to its lease request. The continuous-query service discards that error and logs nothing, so this line never appears in an InfluxDB log as written: you are reading it in a wrapper\'s output, a client, a debugger, or a log written by other software. The meta node\'s side of the same refusal is a 409 line for /lease?name=continuous_querier in its meta-http log.',
    impact: 'None: continuous queries run on the node that holds the lease.',
    check: ['The meta leader\'s meta-http log shows which node_id gets 200 answers to /lease?name=continuous_querier.'],
    commands: ['medic logs summarize /var/log/influxdb/influxdb-meta.log'],
    configKeys: ['[meta] lease-duration'],
    examples: [{line: 'lease error: another node owns the lease'}],
  },
]
