/**
 * Catalogue entries for causes that show up inside many families of lines: a refused connection, a full disk, no file
 * descriptors left, an answer that is not InfluxDB's JSON, HTTP spoken to an HTTPS port. They have `tier: 'cause'`: one
 * wins over a family catch-all (a remote write failure, an influxd-ctl error) and keeps that family's values, and
 * loses to a specific entry (a field type conflict inside a remote write is explained as a field type conflict).
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_PORTS = 'enterprise_influxdb/v1/administration/configure/ports/'
const DOC_TLS = 'enterprise_influxdb/v1/administration/configure/security/enable_tls/'
const DOC_DATA_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-data-nodes/'
const DOC_TROUBLE = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'

const PORTS =
  'The port says which service did not answer: 8086 the data node HTTP API, 8088 the data node cluster RPC (remote writes, queries, add-data), 8091 the meta node HTTP API (influxd-ctl, data nodes polling the meta store), 8089 the meta nodes\' Raft.'

/** What every entry for a failed TCP connection between nodes shares. */
const NETWORK_CAUSE = {verdict: 'warning', category: 'cluster', where: 'any', fallback: true, tier: 'cause'} as const

/** Go's `dial tcp <addr>: connect: ` before the system's error, when the line has it (the address is then named). */
const DIAL = String.raw`(?:dial tcp4?6? (?<addr>\[[^\]\s]{1,64}\]:\d{1,5}|[^\s:]{0,256}:\d{1,5}): )?(?:connect: )?`

export const causeEntries: CatalogueEntry[] = [
  {
    id: 'connection-refused',
    title: 'A connection was refused: nothing listens at that address and port',
    ...NETWORK_CAUSE,
    match: {keywords: ['connection refused'], pattern: new RegExp(`${DIAL}connection refused`)},
    cause: `The process tried to open a TCP connection and the other host answered that no process listens on that port: the service is down (crashed, stopped, still starting), bound to another address (127.0.0.1 instead of the host's address, or another port), or a firewall rejects the connection. ${PORTS}`,
    impact: 'Whatever needed that connection failed: a remote write goes to the hinted-handoff queue, an influxd-ctl command does nothing, a data node cannot refresh its meta data, a client loses its points unless it retries.',
    check: [
      'Is the process running on {addr}, and listening on that port (ss -ltnp)? A node that advertises `localhost` or 127.0.0.1 is reachable only from itself: set `hostname` in its config.',
      'Is a firewall between the two hosts? (Allow 8086, 8088, 8089 and 8091 between cluster nodes.)',
    ],
    commands: ["ss -ltnp | grep -E ':(8086|8088|8089|8091) '", 'nc -vz <host> <port>', 'medic status <meta-host>:8091'],
    configKeys: ['hostname', '[meta] http-bind-address', '[meta] bind-address', '[http] bind-address', 'bind-address'],
    docs: [DOC_PORTS],
    examples: [
      {line: 'update-data: operation exited with error: Post "http://meta-a:8091/update-data": dial tcp 10.1.4.7:8091: connect: connection refused', values: {addr: '10.1.4.7:8091'}},
      {line: 'ts=2023-05-02T11:04:05.000000Z lvl=warn msg="Meta client error" log_id=0hAbCdE0000 error="Get \\"http://meta-b:8091/ping\\": dial tcp 10.1.4.8:8091: connect: connection refused"', values: {addr: '10.1.4.8:8091'}},
    ],
  },
  {
    id: 'network-unreachable',
    title: 'No route to the other host: the network between the two nodes is cut',
    ...NETWORK_CAUSE,
    match: {
      keywords: ['no route to host', 'network is unreachable', 'host is unreachable'],
      pattern: new RegExp(`${DIAL}(?<reason>no route to host|network is unreachable|host is unreachable)`),
    },
    cause: `The process tried to open a TCP connection and the kernel found no way to the other host: its network interface has no route there (\`network is unreachable\`), or a router or the host's own firewall answered that the host cannot be reached (\`no route to host\`: a REJECT rule with icmp-host-prohibited, the host down on a local network, or a route missing after a network change). Unlike \`connection refused\`, the other process may be running fine: the network between the two is the problem. ${PORTS}`,
    impact: 'Whatever needed that connection failed, and keeps failing until the network is repaired: remote writes pile up in hinted handoff for the unreachable node, a data node cut off from the meta nodes works on stale meta data, a meta node cut off from the others may lose its quorum.',
    check: [
      'Can this host reach {addr} at all (ip route get <host>, ping)? Did a network change, a security group or a firewall rule come in at the time of the first such line?',
      'Is a host firewall on the other node rejecting the port (iptables -S, nft list ruleset, firewalld)? Allow 8086, 8088, 8089 and 8091 between cluster nodes.',
    ],
    commands: ['ip route get <host>', 'nc -vz <host> <port>', 'medic status <meta-host>:8091'],
    configKeys: ['hostname', 'bind-address', '[meta] http-bind-address'],
    docs: [DOC_PORTS],
    examples: [
      {line: '[I] 2018-03-14T02:10:11Z write failed for shard 93 on node 5: dial tcp 10.20.1.15:8088: connect: no route to host service=write', values: {addr: '10.20.1.15:8088', reason: 'no route to host'}},
      {line: 'ts=2021-06-01T08:00:00.000000Z lvl=warn msg="Meta client error" log_id=0VxYz000000 error="Get \\"http://meta-3:8091/ping\\": dial tcp 10.20.1.3:8091: connect: network is unreachable"', values: {addr: '10.20.1.3:8091', reason: 'network is unreachable'}},
    ],
  },
  {
    id: 'dial-timeout',
    title: 'Connecting timed out: the other host never answered the connection attempt',
    ...NETWORK_CAUSE,
    match: {keywords: ['i/o timeout'], pattern: /dial tcp4?6? (?<addr>\[[^\]\s]{1,64}\]:\d{1,5}|[^\s:]{0,256}:\d{1,5}): (?:connect: )?i\/o timeout/},
    cause: `The process tried to open a TCP connection and got no answer at all before its dial timeout: the packets are dropped on the way (a firewall with a DROP rule, a security group, a cut link) or the other host is down on a network that does not say so. Unlike \`connection refused\`, nothing answered, so the address itself may be right. ${PORTS}`,
    impact: 'Every attempt waits for the whole dial timeout before failing, so the callers slow down as well as fail: remote writes queue in hinted handoff after a delay each, writes waiting on that owner approach `[cluster] write-timeout`.',
    check: ['Is {addr} reachable from this host (nc -vz with a short timeout)? A DROP rule or security group between the two hosts is the usual cause.', 'Is the other host up?'],
    commands: ['nc -vz -w 3 <host> <port>', 'medic status <meta-host>:8091'],
    configKeys: ['[cluster] dial-timeout', 'bind-address', '[meta] http-bind-address'],
    docs: [DOC_PORTS],
    examples: [
      {line: '[write] 2017/08/02 13:45:10 write failed for shard 410 on node 4: dial tcp 172.31.4.20:8088: i/o timeout', values: {addr: '172.31.4.20:8088'}},
      // influxd-ctl's error names the cause: the cause entry explains it (ctl-operation-failed keeps command and outcome).
      {line: 'copy-shard: operation timed out with error: dial tcp 10.0.0.24:8088: i/o timeout', values: {addr: '10.0.0.24:8088', command: 'copy-shard', outcome: 'timed out'}},
    ],
  },
  {
    id: 'too-many-open-files',
    title: 'The process ran out of file descriptors (too many open files)',
    verdict: 'critical',
    category: 'storage',
    where: 'any',
    fallback: true,
    tier: 'cause',
    match: {keywords: ['too many open files'], pattern: /too many open files/},
    cause:
      'The process hit its limit of open file descriptors. A data node keeps TSM and WAL files of every shard open plus one descriptor per client connection, so many shards (short shard-group durations, long retention) or many clients exhaust a default limit of 1024 or 4096.',
    impact: 'New connections are refused and files cannot be opened: writes and queries fail, compactions abort, and the node can stop serving altogether until it is restarted with a higher limit.',
    check: ['What is the limit of the running process (cat /proc/<pid>/limits) and how many descriptors does it hold (ls /proc/<pid>/fd | wc -l)?', 'How many shards does the node hold (influxd-ctl show-shards)?'],
    commands: ["grep 'open files' /proc/$(pidof influxd)/limits", 'ls /proc/$(pidof influxd)/fd | wc -l', 'systemctl show influxdb -p LimitNOFILE'],
    configKeys: ['LimitNOFILE (systemd unit)', '[http] max-connection-limit'],
    versions: ['The packaged systemd units set LimitNOFILE=65536; a node started another way (a container, an init script) may run with the system default.'],
    docs: [DOC_DATA_CONFIG],
    examples: [
      {line: '2021/11/30 02:11:45 http: Accept error: accept tcp [::]:8091: accept4: too many open files; retrying in 320ms'},
      {line: 'May  3 01:02:03 data-2 influxd[733]: [run] 2017/05/03 01:02:03 http: Accept error: accept tcp [::]:8086: accept4: too many open files; retrying in 5ms'},
    ],
  },
  {
    id: 'storage-disk-full',
    title: 'The disk is full: a write to the data, WAL or hinted-handoff directory failed',
    verdict: 'critical',
    category: 'storage',
    where: 'data',
    fallback: true,
    tier: 'cause',
    match: {keywords: ['no space left on device'], pattern: /(?:(?:write|open) (?<path>\/\S{1,1024}): )?no space left on device/},
    cause: 'A file under the data, WAL, meta or hinted-handoff directory could not be written because its file system has no free space (or no free inodes).',
    impact: 'Writes to that node fail (and replica writes from other nodes queue up in their hinted handoff), snapshots and compactions fail, and the process may stop. Points the client was told failed are not stored.',
    check: ['Which file system is full: df -h and df -i on the data, wal and hh directories?', 'What grew: a hinted-handoff queue for a dead node, a WAL that is not snapshotted, old shards a retention policy should drop?'],
    commands: ['df -h /var/lib/influxdb; df -i /var/lib/influxdb', 'du -sh /var/lib/influxdb/*', 'medic hh inspect /var/lib/influxdb/hh'],
    configKeys: ['[data] dir', '[data] wal-dir', '[hinted-handoff] dir', '[hinted-handoff] max-size'],
    client: 'A write answered with this error stored nothing on that node; retry after the operator frees space, or the points are lost.',
    docs: [DOC_DATA_CONFIG],
    examples: [
      {line: '[tsm1wal] 2017/04/02 03:04:05 error writing WAL entry: write /data/influxdb/wal/metrics/autogen/77/_00412.wal: no space left on device', values: {path: '/data/influxdb/wal/metrics/autogen/77/_00412.wal'}},
    ],
  },
  {
    id: 'process-out-of-memory',
    title: 'The process ran out of memory and stopped (Go runtime: out of memory)',
    verdict: 'critical',
    category: 'lifecycle',
    where: 'any',
    fallback: true,
    tier: 'cause',
    match: {keywords: ['out of memory'], pattern: /^(?:fatal error: )?runtime: out of memory|^fatal error: out of memory/},
    cause:
      'The Go runtime could not get more memory from the system and stopped the process. On data nodes the usual reasons are high series cardinality with the in-memory index, large queries, a cache that cannot be snapshotted fast enough, or too many shards for the memory maps (vm.max_map_count).',
    impact: 'The process is gone: every write and query on it fails until it restarts, and on restart it replays its WAL (slower with large caches). Writes for its shards queue in the other nodes\' hinted handoff meanwhile.',
    check: ['What grew before it stopped: series cardinality (SHOW SERIES CARDINALITY), the cache (memBytes), a big query?', 'Did the kernel OOM killer act instead (dmesg)? Is vm.max_map_count below 262144?'],
    commands: ["dmesg -T | grep -iE 'killed process|out of memory' | tail", 'sysctl vm.max_map_count', "influx -execute 'SHOW SERIES CARDINALITY'"],
    configKeys: ['[data] index-version', '[data] cache-max-memory-size', '[coordinator] max-select-series'],
    metrics: ['_internal..runtime.HeapInUse', '_internal..tsm1_cache.memBytes'],
    docs: [DOC_TROUBLE],
    examples: [{line: 'fatal error: runtime: out of memory (go1.13.8)'}],
  },
  {
    id: 'non-json-answer',
    title: 'The answer was not InfluxDB\'s JSON: something else answered on that address',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    fallback: true,
    tier: 'cause',
    match: [
      {keywords: ['looking for beginning of value'], pattern: /invalid character '(?<char>[^']{1,8})' looking for beginning of value/},
      {keywords: ['cannot unmarshal'], pattern: /cannot unmarshal \w{1,16} into Go (?:struct field |value of type )\S{1,128}/},
      {keywords: ['unable to decode json'], pattern: /unable to decode json(?:: received status code (?<status>\d{3}))?/},
    ],
    cause:
      'A client (influxd-ctl, Telegraf, the influx CLI) read an answer that is not the JSON it expects: `<` starts an HTML page (a proxy, a load balancer, a web server, a login page), `M` a plain "Method Not Allowed", `4` or `5` a bare status text. The address points at something that is not the InfluxDB API it meant: the wrong port (8086 data, 8091 meta), a proxy in between, or a config value still holding a placeholder such as `<hostname>`.',
    impact: 'The command or write did nothing. Nothing is wrong with the cluster itself.',
    check: ['What answers on that address? curl -i it and look at the body and the Server header.', 'For influxd-ctl: is `hostname` in influxdb-meta.conf a real name (not `<hostname>`), and does the meta node answer /status with JSON?'],
    commands: ['curl -si http://<host>:8091/status | head -20', 'curl -si http://<host>:8086/ping'],
    configKeys: ['hostname', '[meta] http-bind-address', '[http] bind-address'],
    client: 'Point the client at the data node\'s HTTP API (port 8086 by default) or at a proxy that forwards to it unchanged, and check that TLS and path prefixes match.',
    docs: [DOC_PORTS],
    examples: [
      {line: 'join: operation exited with error: invalid character \'<\' looking for beginning of value', values: {char: '<'}},
      {line: '2017/02/01 10:00:00 E! Database creation failed: json: cannot unmarshal string into Go value of type client.Response'},
    ],
  },
  {
    id: 'http-path-not-found',
    title: 'HTTP 404 "page not found": the URL path is not an InfluxDB endpoint',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    fallback: true,
    tier: 'cause',
    match: {keywords: ['404 page not found'], pattern: /\b404 page not found\b/},
    cause:
      'Go\'s HTTP server answers "404 page not found" for a path it does not serve. The client sent its request to a path that does not exist on this server: a 0.8-era client (`/db/<name>/series`), a 2.x path on a 1.x node, a base path added by a proxy, or the wrong port (the meta API on 8091 has no /write or /query).',
    impact: 'Nothing was written or read. The server is fine.',
    check: ['Which URL does the client call? 1.x writes go to POST /write?db=..., queries to /query.', 'Is a proxy rewriting the path?'],
    commands: ["curl -si 'http://<data-node>:8086/ping'", "curl -si -XPOST 'http://<data-node>:8086/write?db=<db>' --data-binary 'medic_probe value=1'"],
    client: 'Use a client library for InfluxDB 1.x (or the 1.x compatibility API on 2.x) and the data node\'s port 8086.',
    docs: ['enterprise_influxdb/v1/tools/api/'],
    examples: [{line: 'Error: 404 page not found'}],
  },
  {
    id: 'http-https-mismatch',
    title: 'HTTP and HTTPS are mixed up: one side speaks TLS, the other plain HTTP',
    verdict: 'warning',
    category: 'auth',
    where: 'any',
    fallback: true,
    tier: 'cause',
    match: [
      {keywords: ['server gave HTTP'], pattern: /server gave HTTP(?: response to HTTPS client)?/},
      {keywords: ['oversized record received'], pattern: /tls: oversized record received/},
      {keywords: ['first record does not look like a TLS handshake'], pattern: /first record does not look like a TLS handshake/},
      {keywords: ['client sent an HTTP request to an HTTPS server'], pattern: /client sent an HTTP request to an HTTPS server/},
    ],
    cause:
      'A client used https:// against a port that serves plain HTTP ("server gave HTTP response to HTTPS client"), or plain http:// against a port with `https-enabled = true` (the server logs "TLS handshake error ... oversized record received" or "first record does not look like a TLS handshake").',
    impact: 'The request failed before reaching the API; nothing was written or read.',
    check: ['Is `https-enabled` set on the node ([http] on data nodes, [meta] on meta nodes), and does the client use the matching scheme?', 'For influxd-ctl against HTTPS meta nodes: pass -bind-tls.'],
    commands: ['curl -sI http://<host>:<port>/ping; curl -skI https://<host>:<port>/ping'],
    configKeys: ['[http] https-enabled', '[meta] https-enabled', '[meta] https-certificate'],
    client: 'Use the scheme the node serves: https:// when `https-enabled = true`, http:// otherwise.',
    docs: [DOC_TLS],
    examples: [
      {line: 'Get "https://10.2.0.5:8086/ping": http: server gave HTTP response to HTTPS client'},
      {line: '2019/05/06 07:08:09 http: TLS handshake error from 10.2.0.9:51234: tls: first record does not look like a TLS handshake'},
    ],
  },
  {
    id: 'rpc-connection-closed',
    title: 'A cluster RPC request (port 8088) got no answer: the connection closed or timed out',
    verdict: 'warning',
    category: 'cluster',
    where: 'any',
    fallback: true,
    tier: 'cause',
    match: {keywords: ['read message size', 'read message type'], pattern: /read message (?<what>size|type): (?<error>EOF|.{1,200})/},
    cause:
      'A data node or influxd-ctl sent a request over the cluster RPC port (8088) and the connection closed or failed before the answer arrived: the other process is not a data node of a compatible version, a firewall or proxy cut the connection, or the other side crashed while handling it. With `i/o timeout` nothing closed: the answer did not come within the caller\'s deadline (for a remote write, the shard writer\'s timeout, 5s): a slow or congested link between the two nodes, or the other node hung or overloaded.',
    impact: 'That request failed: an add-data, a remote write (queued to hinted handoff), a remote query or a shard copy.',
    check: [
      'Is port 8088 open between the two hosts in both directions, with nothing terminating or inspecting the TCP stream?',
      'Do both nodes run the same version?',
      'For `i/o timeout`: how long does a round trip between the two hosts take (ping), and does the other node answer its own clients promptly (`/ping`)? A slow link also turns consistency=all writes into 500 `timeout` when it passes `[cluster] write-timeout`.',
    ],
    commands: ['nc -vz <data-node> 8088', 'influxd-ctl show', 'curl -s -o /dev/null -w "%{time_total}\\n" http://<data-node>:8086/ping'],
    configKeys: ['[cluster] dial-timeout', 'bind-address', '[cluster] write-timeout'],
    docs: [DOC_PORTS],
    examples: [{line: '[I] 2017-06-01T10:00:00Z write failed for shard 12 on node 3: read message type: read tcp 10.0.0.2:39211->10.0.0.3:8088: i/o timeout service=write', values: {what: 'type'}}],
  },
  {
    id: 'client-request-timeout',
    title: 'The client gave up waiting for the server (client-side timeout)',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    fallback: true,
    tier: 'cause',
    match: [
      {keywords: ['Client.Timeout exceeded'], pattern: /Client\.Timeout exceeded(?: while (?<phase>awaiting headers|reading body))?/},
      {keywords: ['Read timed out'], pattern: /Read timed out\.(?: \(read timeout=(?<timeout>[\d.]{1,16})\))?/},
      {keywords: ['context deadline exceeded'], pattern: /(?:Post|Get) "?https?:\/\/\S{1,512}"?: context deadline exceeded/},
      {keywords: ['request canceled while waiting for connection'], pattern: /request canceled while waiting for connection/},
    ],
    cause:
      'The client\'s own timeout (Telegraf\'s `timeout`, 5s by default; a client library\'s request timeout) ran out before the server answered or before a connection was made. The server may still be working on the request, or the network drops it.',
    impact: 'The client treats the write as failed. The server may still have stored the points (a retry then writes them again, which is harmless for identical points but adds load).',
    check: ['Does the data node log the same requests, and how long do they take (the last field of its access log, in microseconds)?', 'Is the node overloaded (CPU, disk, long compactions) or is the network slow or filtered?'],
    commands: ['medic logs summarize /var/log/influxdb/influxdb.log --min warning', 'curl -s -o /dev/null -w "%{time_total}\\n" http://<data-node>:8086/ping'],
    configKeys: ['[cluster] write-timeout', '[http] max-concurrent-write-limit'],
    client: 'Raise the client timeout above the server\'s write-timeout (10s on Enterprise) and send smaller batches; back off before retrying.',
    docs: ['enterprise_influxdb/v1/administration/configure/config-data-nodes/#cluster-settings'],
    examples: [{line: '2020-02-02T02:02:02Z E! [outputs.influxdb] When writing to [http://influx-lb:8086]: Post "http://influx-lb:8086/write?db=telegraf": net/http: request canceled (Client.Timeout exceeded while awaiting headers)', values: {phase: 'awaiting headers'}}],
  },
]
