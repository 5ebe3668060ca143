/**
 * Catalogue entries for lines only medic's own dev cluster writes (`medic dev up`): its meta nodes' service lines
 * (src/devcluster/meta/main.ts and meta/api.ts), the Raft driver's storage lines (raft/driver.ts) and the supervisor's
 * log, supervisor.log (supervisor.ts). One entry, process-fatal-error, also covers the bare `run: ...` and `fatal error:`
 * lines with which real influxd and influxd-meta processes die.
 *
 * Why: a rehearsal is only useful if `medic explain` and `medic logs summarize` read its logs completely; an unknown
 * line in a dev cluster's log is a gap in the tool, not in the operator's knowledge. Entries that only the dev cluster
 * triggers have ids starting with `dev-`, so that nobody takes them for Enterprise behaviour.
 *
 * The meta nodes write each line in one of three shapes: legacy (`[meta] 2026/11/22 01:48:05 free text`), logfmt and
 * zap JSON (the same `msg` in both, with key=value context). The legacy text is a sentence of its own with the details
 * inline, so most entries have two alternatives. Patterns are anchored: these lines never carry a `raft: ` prefix,
 * except the driver's legacy storage failure, which says so.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'
const DOC_CLUSTERING = 'enterprise_influxdb/v1/concepts/clustering/'
const DOC_FAQ = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'
const DOC_PORTS = 'enterprise_influxdb/v1/administration/configure/ports/'
const DOC_AUTH = 'enterprise_influxdb/v1/administration/configure/security/authentication/'

const DEV_ONLY = 'Written only by the medic dev cluster (`medic dev up`); an Enterprise meta node does not log this line.'

export const devclusterEntries: CatalogueEntry[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // A dev meta node starting and stopping
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'dev-raft-listener-opened',
    title: 'A dev meta node is listening for Raft traffic',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'meta',
    match: {keywords: ['Listening for Raft'], pattern: /^Listening for Raft(?: on:? ?(?<addr>\S{1,256}))?$/},
    cause: 'The node bound its Raft port (`[meta] bind-address`, 8089 on a real meta node) and will now answer the other meta nodes\' Raft messages. It is logged right after the HTTP listener line.',
    impact: 'None.',
    check: ['Is the address the one the other nodes use to reach this node (hostname and port)?'],
    commands: ['medic dev status'],
    configKeys: ['[meta] bind-address', 'hostname'],
    versions: [DEV_ONLY],
    docs: [DOC_META_CONFIG],
    examples: [
      {line: '[meta] 2026/11/22 01:48:05 Listening for Raft on: 127.0.0.1:18189', values: {addr: '127.0.0.1:18189', service: 'meta'}},
      {line: 'ts=2026-11-22T01:48:05.491000Z lvl=info msg="Listening for Raft" log_id=8DuLOLWpN3N service=meta addr=127.0.0.1:23189', values: {addr: '127.0.0.1:23189', logId: '8DuLOLWpN3N'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:48:05.491000Z","msg":"Listening for Raft","log_id":"8DuLOLWpN3N","service":"meta","addr":"127.0.0.1:18289"}', values: {addr: '127.0.0.1:18289'}},
    ],
  },
  {
    id: 'dev-node-runtime',
    title: 'Start-up detail: the Node.js runtime of a dev meta node',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'meta',
    match: {keywords: ['Node.js version'], pattern: /^Node\.js version (?<nodeVersion>v[\w.-]{1,32})$/},
    cause: 'The legacy form of the dev node\'s second start-up line: where an Enterprise node names its Go runtime, the dev node names the Node.js version it runs on. (The logfmt and JSON forms say `Go runtime`, recognised as startup-environment.)',
    impact: 'None.',
    check: [],
    commands: ['node --version'],
    configKeys: [],
    versions: [DEV_ONLY],
    docs: [],
    examples: [{line: '[meta] 2026/11/22 01:48:05 Node.js version v20.20.2', values: {nodeVersion: 'v20.20.2', service: 'meta'}}],
  },
  {
    id: 'dev-meta-supervisor-gone',
    title: 'A dev meta node stopped because its supervisor ended',
    verdict: 'info',
    category: 'lifecycle',
    where: 'meta',
    match: {keywords: ['The supervisor is gone'], pattern: /^The supervisor is gone; shutting down$/},
    cause:
      'Every dev node holds one end of a pipe from the medic process that supervises it. When that process ends, however it ends (Ctrl-C, `medic dev down`, a crash, kill -9), the pipe closes and the node shuts itself down, so that no node outlives its cluster.',
    impact: 'The node stops, as intended. If the supervisor was not meant to stop, the whole dev cluster is down now.',
    check: ['Did the supervisor stop on purpose? Its last lines in supervisor.log tell.'],
    commands: ['medic dev status', 'medic dev up   # start the cluster again'],
    configKeys: [],
    versions: [DEV_ONLY],
    docs: [],
    examples: [
      {line: '[meta] 2026/11/22 01:50:00 The supervisor is gone; shutting down', values: {service: 'meta'}},
      {line: 'ts=2026-11-22T01:50:00.000000Z lvl=info msg="The supervisor is gone; shutting down" log_id=8DuLOLWpN3N service=meta', values: {service: 'meta'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:50:00.000000Z","msg":"The supervisor is gone; shutting down","log_id":"8DuLOLWpN3N","service":"meta"}', values: {level: 'info'}},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Membership as the dev meta service reports it
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'dev-meta-cluster-formed',
    title: 'A dev meta node formed a new one-node meta cluster',
    verdict: 'info',
    category: 'join',
    where: 'meta',
    match: {keywords: ['Formed a new meta cluster'], pattern: /^Formed a new meta cluster(?: with (?<raftAddr>\S{1,256}))?$/},
    cause:
      'The first `add-meta` of a fresh cluster reached a node that was in no cluster yet. As in the Enterprise runbook (add every meta node, the first one included, from one node), that node bootstrapped a Raft cluster with itself as the only voter and became its leader; the next `add-meta` calls add the others.',
    impact: 'None when a cluster is being created. On a node that should have joined an existing cluster, it means it now leads a cluster of its own (split brain by configuration).',
    check: ['Was this the first node of a new cluster? Otherwise `influxd-ctl show` on each node: do they list the same members?'],
    commands: ['medic dev status', 'influxd-ctl show'],
    configKeys: ['hostname', '[meta] dir'],
    versions: [DEV_ONLY],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[meta-http] 2026/11/22 01:48:05 Formed a new meta cluster with 127.0.0.1:18189', values: {raftAddr: '127.0.0.1:18189', service: 'meta-http'}},
      {line: 'ts=2026-11-22T01:48:05.789000Z lvl=info msg="Formed a new meta cluster" log_id=8DuLOLWpN3N service=meta-http raftAddr=127.0.0.1:23189', values: {service: 'meta-http'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:48:05.789000Z","msg":"Formed a new meta cluster","log_id":"8DuLOLWpN3N","service":"meta-http","raftAddr":"127.0.0.1:23189"}', values: {service: 'meta-http'}},
    ],
  },
  {
    id: 'dev-meta-node-joined',
    title: 'A meta node was added to the dev meta cluster',
    verdict: 'info',
    category: 'join',
    where: 'meta',
    match: [
      {keywords: ['Meta node joined the cluster'], pattern: /^Meta node joined the cluster$/},
      {keywords: ['joined the cluster: http'], pattern: /^Meta node (?<nodeId>\d{1,10}) joined the cluster: http (?<addr>\S{1,256}), raft (?<raftAddr>\S{1,256})$/},
      {keywords: ['Added meta node'], pattern: /^Added meta node$/},
    ],
    cause:
      'The leader handled an `add-meta` for another node: it registered the node in the meta store (which gives it its node id) and added its Raft address to the voters. The Raft side of the same event is logged as `Updating configuration` and `Added peer`.',
    impact: 'None. The majority is recomputed with the new member, which first has to catch up.',
    check: ['Do all nodes now list the new member (`medic dev status`, `/status` peers)?'],
    commands: ['medic dev status', 'influxd-ctl show'],
    configKeys: ['hostname', '[meta] bind-address', '[meta] http-bind-address'],
    versions: [DEV_ONLY, 'Builds of the dev cluster before the wording settled wrote a bare `msg="Added meta node"` with the same fields.'],
    docs: [DOC_CLUSTERING, 'enterprise_influxdb/v1/tools/influxd-ctl/'],
    examples: [
      {line: '[meta-http] 2026/11/22 01:48:06 Meta node 2 joined the cluster: http 127.0.0.1:18291, raft 127.0.0.1:18289', values: {nodeId: 2, addr: '127.0.0.1:18291', raftAddr: '127.0.0.1:18289'}},
      {line: 'ts=2026-11-22T01:48:06.044000Z lvl=info msg="Meta node joined the cluster" log_id=8DuLOLWpN3N service=meta-http id=2 addr=127.0.0.1:23291 raftAddr=127.0.0.1:23289', values: {addr: '127.0.0.1:23291', service: 'meta-http'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:48:06.044000Z","msg":"Meta node joined the cluster","log_id":"8DuLOLWpN3N","service":"meta-http","id":3,"addr":"127.0.0.1:18391","raftAddr":"127.0.0.1:18389"}', values: {addr: '127.0.0.1:18391'}},
      {line: 'ts=2026-11-22T01:48:06.095000Z lvl=info msg="Added meta node" log_id=8DuLOLWpN3N service=meta-http id=3 addr=127.0.0.1:23391 raftAddr=127.0.0.1:23389', values: {addr: '127.0.0.1:23391'}},
    ],
  },
  {
    id: 'dev-meta-node-left',
    title: 'A meta node was removed from the dev meta cluster',
    verdict: 'info',
    category: 'join',
    where: 'meta',
    match: [
      {keywords: ['Meta node left the cluster'], pattern: /^Meta node left the cluster$/},
      {keywords: ['left the cluster (raft'], pattern: /^Meta node at (?<addr>\S{1,256}) left the cluster \(raft (?<raftAddr>[^\s)]{1,256})\)$/},
      {keywords: ['Removed meta node'], pattern: /^Removed meta node$/},
    ],
    cause:
      'The leader handled a `remove-meta`: it deleted the node from the meta store and took its Raft address out of the voters (`Removed peer` on the Raft side).',
    impact: 'One voter fewer; the majority is recomputed. The removed process, if still running, no longer takes part and should be stopped.',
    check: ['Was the node removed on purpose?', 'How many meta nodes are left? Two can tolerate no failure.'],
    commands: ['medic dev status', 'influxd-ctl show'],
    configKeys: [],
    versions: [DEV_ONLY, 'Builds of the dev cluster before the wording settled wrote a bare `msg="Removed meta node"`.'],
    docs: ['enterprise_influxdb/v1/administration/manage/clusters/replacing-nodes/'],
    examples: [
      {line: '[meta-http] 2026/11/22 01:52:10 Meta node at 127.0.0.1:18291 left the cluster (raft 127.0.0.1:18289)', values: {addr: '127.0.0.1:18291', raftAddr: '127.0.0.1:18289'}},
      {line: 'ts=2026-11-22T01:52:10.000000Z lvl=info msg="Meta node left the cluster" log_id=8DuLOLWpN3N service=meta-http addr=127.0.0.1:23291 raftAddr=127.0.0.1:23289', values: {addr: '127.0.0.1:23291'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:52:10.000000Z","msg":"Meta node left the cluster","service":"meta-http","addr":"127.0.0.1:18391","raftAddr":"127.0.0.1:18389"}', values: {addr: '127.0.0.1:18391'}},
    ],
  },
  {
    id: 'dev-meta-advertised-address-differs',
    title: 'add-meta was given one address, but the node advertises another',
    verdict: 'warning',
    category: 'join',
    where: 'meta',
    match: [
      {keywords: ['advertises a different HTTP address'], pattern: /^Meta node advertises a different HTTP address than the one given to add-meta$/},
      {
        keywords: ['advertises a different HTTP address'],
        pattern: /^Meta node at (?<addr>\S{1,256}) advertises a different HTTP address, (?<advertised>\S{1,256}); using the advertised one$/,
      },
    ],
    cause:
      'Before adding a node, the leader asks it for its own `/status`. The node answered with another HTTP address (built from its `hostname` and port) than the one passed to `add-meta`, and the leader records the advertised one. This is the classic join trap: `add-meta localhost:8091`, an IP instead of a name, or a `hostname` that other machines cannot resolve. Whatever the node advertises is what every other node will use to reach it.',
    impact:
      'The join goes ahead with the advertised address. If that address only works from the node itself (localhost, 127.0.0.1, an internal name), the other nodes cannot reach it: replication to it fails and it never becomes a useful member.',
    check: [
      'Is the advertised address reachable from every other meta and data node?',
      'Set `hostname` in the node\'s config to the name the others use, restart it, and add it under exactly that name.',
      'Never use `localhost` as an add-meta or add-data address.',
    ],
    commands: ['medic status {addr}', 'curl -s http://{addr}/status', 'medic config check <influxdb-meta.conf>   # hostname'],
    configKeys: ['hostname', '[meta] http-bind-address'],
    versions: [DEV_ONLY, 'Enterprise has the same trap, but does not log a warning about it.'],
    docs: [DOC_FAQ, DOC_CLUSTERING],
    examples: [
      {
        line: '[meta-http] 2026/11/22 01:48:06 Meta node at localhost:18291 advertises a different HTTP address, 127.0.0.1:18291; using the advertised one',
        values: {addr: 'localhost:18291', advertised: '127.0.0.1:18291', service: 'meta-http'},
      },
      {
        line: 'ts=2026-11-22T01:48:06.000000Z lvl=warn msg="Meta node advertises a different HTTP address than the one given to add-meta" log_id=8DuLOLWpN3N service=meta-http addr=localhost:18291 advertised=127.0.0.1:18291',
        values: {addr: 'localhost:18291', level: 'warn'},
      },
      {
        line: '{"lvl":"warn","ts":"2026-11-22T01:48:06.000000Z","msg":"Meta node advertises a different HTTP address than the one given to add-meta","service":"meta-http","addr":"localhost:18391","advertised":"127.0.0.1:18391"}',
        values: {addr: 'localhost:18391'},
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Raft storage of a dev meta node
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'dev-raft-store-repaired',
    title: 'A dev meta node cut an incomplete write off its Raft store after a crash',
    verdict: 'warning',
    category: 'storage',
    where: 'meta',
    match: {
      keywords: ['repaired the Raft store after a crash'],
      pattern: /^repaired the Raft store after a crash(?:: (?<path>\S{1,1024}): (?<detail>.{1,1000}))?$/,
    },
    cause:
      'At start-up the node replays its Raft write-ahead log from the meta dir. The last record was incomplete: the process died (kill -9, a crash, power loss) in the middle of a write. Such a write was never synced, so it was never acknowledged to anyone, and the node cuts it off and carries on. It also removes snapshot files left half-written and skips unreadable ones.',
    impact:
      'Nothing that was acknowledged is lost. The node may lack its last few unacknowledged entries; it gets them back from the leader. Damage anywhere else than the tail is not repaired: the node then refuses to start (see dev-meta-store-open-failed).',
    check: ['Did the node crash or get killed before this start? That explains it.', 'Repeated repairs without crashes would point to a disk problem.'],
    commands: ['medic dev status', 'medic dev logs <node>'],
    configKeys: ['[meta] dir'],
    versions: [DEV_ONLY],
    docs: [DOC_META_CONFIG],
    examples: [
      {
        line: '[meta] 2026/11/22 01:48:14 repaired the Raft store after a crash: /tmp/dc3/meta-1/meta/wal-00000000000000000001.log: cut 37 bytes of an incomplete write at the end of the WAL (short record)',
        values: {path: '/tmp/dc3/meta-1/meta/wal-00000000000000000001.log', detail: 'cut 37 bytes of an incomplete write at the end of the WAL (short record)'},
      },
      {
        line: 'ts=2026-11-22T01:48:14.780000Z lvl=warn msg="repaired the Raft store after a crash" log_id=MZGqPrPt6Fi service=meta kind=torn-tail path=/tmp/dc3/meta-1/meta/wal-00000000000000000001.log detail="cut 37 bytes of an incomplete write at the end of the WAL (short record)"',
        values: {path: '/tmp/dc3/meta-1/meta/wal-00000000000000000001.log', level: 'warn'},
      },
      {
        line: '{"lvl":"warn","ts":"2026-11-22T01:48:14.780000Z","msg":"repaired the Raft store after a crash","service":"meta","kind":"temp-file-removed","path":"/tmp/dc3/meta-1/meta/snapshots/3-120.json.tmp","detail":"removed a snapshot left half-written by a crash"}',
        values: {path: '/tmp/dc3/meta-1/meta/snapshots/3-120.json.tmp'},
      },
    ],
  },
  {
    id: 'dev-raft-storage-failed',
    title: 'A dev meta node could not write its Raft store and stopped',
    verdict: 'critical',
    category: 'storage',
    where: 'meta',
    match: [
      {
        keywords: ['Raft storage failed; stopping this node'],
        pattern: /^Raft storage failed; stopping this node to protect the cluster's data(?:: (?<error>.{1,2000}))?$/,
      },
      {keywords: ['storage failed, shutting down'], pattern: /^(?:raft: )?storage failed, shutting down: (?<error>.{1,2000})$/},
    ],
    cause:
      'A write, fsync, rename or delete in the meta dir failed (disk full, permissions, an I/O error). After a failed fsync nobody can tell what reached the disk, so carrying on could make the node forget a vote or an entry it had already acknowledged. The node exits instead, and recovers from what is on disk at its next start.',
    impact: 'This meta node is down until the disk problem is fixed and it is started again. The others keep a majority if enough of them are up.',
    check: ['Free space and permissions of the node\'s meta dir.', 'The error text names the failing step.'],
    commands: ['df -h <cluster dir>', 'medic dev status', 'medic dev start <node>   # once the disk is fixed'],
    configKeys: ['[meta] dir'],
    versions: [DEV_ONLY],
    docs: [DOC_META_CONFIG],
    examples: [
      {
        line: '[metastore] 2026/11/22 02:00:00 [ERR] raft: storage failed, shutting down: raft storage: fdatasync failed (ENOSPC: no space left on device, fdatasync); what is durable is unknown, the meta node must exit and recover from its meta dir',
        values: {error: 'raft storage: fdatasync failed (ENOSPC: no space left on device, fdatasync); what is durable is unknown, the meta node must exit and recover from its meta dir', level: 'error', service: 'metastore'},
      },
      {
        line: 'ts=2026-11-22T02:00:00.000000Z lvl=error msg="Raft storage failed; stopping this node to protect the cluster\'s data" log_id=tB4qhni_9z9 service=metastore error="raft storage: write failed (EIO: i/o error, write)"',
        values: {error: 'raft storage: write failed (EIO: i/o error, write)', level: 'error'},
      },
      {
        line: '{"lvl":"error","ts":"2026-11-22T02:00:00.000000Z","msg":"Raft storage failed; stopping this node to protect the cluster\'s data","service":"metastore","error":"raft storage: rename failed (EACCES: permission denied, rename)"}',
        values: {error: 'raft storage: rename failed (EACCES: permission denied, rename)'},
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // A dev meta node that cannot start
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'dev-meta-store-open-failed',
    title: 'A dev meta node could not open its Raft store and did not start',
    verdict: 'critical',
    category: 'storage',
    where: 'meta',
    match: [
      {keywords: ['cannot open the meta store'], pattern: /^cannot open the meta store(?:: (?<error>.{1,2000}))?$/},
      {keywords: ['run: open meta store'], pattern: /^run: open meta store (?<path>\S{1,1024}): (?<error>.{1,2000})$/},
    ],
    cause:
      'Opening the Raft state in the meta dir failed. Either the folder is not readable or writable, or the write-ahead log is damaged somewhere other than its last record (a bad record with good ones after it): the node then refuses to start rather than forget a vote or entry it had acknowledged.',
    impact: 'The node stays down. The rest of the cluster works if a majority is up.',
    check: ['Permissions and free space of the meta dir.', 'For damage: restore the meta dir from a backup, or remove the node from the cluster and add it back with an empty meta dir.'],
    commands: ['medic dev status', 'ls -la <cluster dir>/<node>/meta', 'medic dev logs <node>'],
    configKeys: ['[meta] dir'],
    versions: [DEV_ONLY],
    docs: [DOC_META_CONFIG],
    examples: [
      {
        line: '[meta] 2026/11/22 02:01:00 run: open meta store /tmp/dc3/meta-2/meta: EACCES: permission denied, open \'/tmp/dc3/meta-2/meta/wal-00000000000000000001.log\'',
        values: {path: '/tmp/dc3/meta-2/meta', error: 'EACCES: permission denied, open \'/tmp/dc3/meta-2/meta/wal-00000000000000000001.log\'', service: 'meta'},
      },
      {
        line: 'ts=2026-11-22T02:01:00.000000Z lvl=error msg="cannot open the meta store" log_id=tB4qhni_9z9 service=meta path=/tmp/dc3/meta-2/meta error="raft storage: /tmp/dc3/meta-2/meta/wal-00000000000000000001.log at byte offset 512: bad checksum, and valid records follow it (at byte offset 600)"',
        values: {path: '/tmp/dc3/meta-2/meta', level: 'error'},
      },
      {
        line: '{"lvl":"error","ts":"2026-11-22T02:01:00.000000Z","msg":"cannot open the meta store","service":"meta","path":"/tmp/dc3/meta-3/meta","error":"EROFS: read-only file system"}',
        values: {path: '/tmp/dc3/meta-3/meta', error: 'EROFS: read-only file system'},
      },
    ],
  },
  {
    id: 'dev-meta-listen-failed',
    title: 'A dev meta node could not open its Raft or HTTP port and did not start',
    verdict: 'critical',
    category: 'config',
    where: 'meta',
    match: [
      {keywords: ['cannot listen on the'], pattern: /^cannot listen on the (?<listener>Raft|HTTP) address(?:: (?<error>.{1,2000}))?$/},
      {
        keywords: ['run: open raft transport', 'run: open meta service'],
        pattern: /^run: open (?:raft transport|meta service): (?<setting>bind-address|http-bind-address) (?<addr>\S{1,256}): (?<error>.{1,2000})$/,
      },
    ],
    cause:
      'Binding the port failed. Most often another process already uses it (another dev cluster with the same base port, a leftover node, any other server); otherwise the address does not belong to this machine or the port needs privileges.',
    impact: 'The node stays down; `medic dev up` reports the failure with the node\'s last log lines.',
    check: ['Which process holds the port? `ss -ltnp` shows it.', 'Pick another base port (`medic dev up --base-port N`) or stop the other process.'],
    commands: ["ss -ltnp | grep '{addr}'", 'medic dev status', 'medic dev up --base-port 28000'],
    configKeys: ['[meta] bind-address', '[meta] http-bind-address'],
    versions: [DEV_ONLY, 'A real influxd-meta fails the same way with Go\'s wording (`listen tcp :8089: bind: address already in use`).'],
    docs: [DOC_PORTS, DOC_META_CONFIG],
    examples: [
      {
        line: '[meta] 2026/11/22 02:02:00 run: open raft transport: bind-address 127.0.0.1:18189: the port is already in use by another process',
        values: {setting: 'bind-address', addr: '127.0.0.1:18189', error: 'the port is already in use by another process', service: 'meta'},
      },
      {
        line: '[meta] 2026/11/22 02:02:00 run: open meta service: http-bind-address 127.0.0.1:18191: permission denied',
        values: {setting: 'http-bind-address', addr: '127.0.0.1:18191', error: 'permission denied'},
      },
      {
        line: 'ts=2026-11-22T02:02:00.000000Z lvl=error msg="cannot listen on the Raft address" log_id=tB4qhni_9z9 service=meta addr=127.0.0.1:18189 error="listen EADDRINUSE: address already in use 127.0.0.1:18189"',
        values: {listener: 'Raft', addr: '127.0.0.1:18189', error: 'listen EADDRINUSE: address already in use 127.0.0.1:18189'},
      },
      {
        line: '{"lvl":"error","ts":"2026-11-22T02:02:00.000000Z","msg":"cannot listen on the HTTP address","service":"meta","addr":"127.0.0.1:18191","error":"listen EADDRINUSE: address already in use 127.0.0.1:18191"}',
        values: {listener: 'HTTP', addr: '127.0.0.1:18191'},
      },
    ],
  },
  {
    id: 'dev-meta-auth-secret-missing',
    title: 'A dev meta node with auth enabled has no internal-shared-secret and did not start',
    verdict: 'critical',
    category: 'auth',
    where: 'meta',
    match: [
      {keywords: ['internal-shared-secret is empty'], pattern: /^auth-enabled is set but internal-shared-secret is empty\b/},
      {keywords: ['auth-enabled requires internal-shared-secret'], pattern: /^run: auth-enabled requires internal-shared-secret to be set$/},
    ],
    cause:
      'With `[meta] auth-enabled = true` the meta nodes sign their requests to each other with `internal-shared-secret`; Enterprise requires it from 1.6.4 on and will not start without it. The dev node enforces the same rule.',
    impact: 'The node stays down.',
    check: ['Is `[meta] internal-shared-secret` set, and identical on every meta node (and as `[meta] meta-internal-shared-secret` on data nodes)?'],
    commands: ['medic config check <influxdb-meta.conf>', 'medic dev down --purge && medic dev up --auth   # regenerate the dev configs'],
    configKeys: ['[meta] auth-enabled', '[meta] internal-shared-secret', '[meta] shared-secret'],
    versions: [DEV_ONLY, 'Enterprise 1.6.4+ refuses to start in this case too; its message text is not published.'],
    docs: [DOC_AUTH, DOC_META_CONFIG],
    examples: [
      {line: 'ts=2026-11-22T02:03:00.000000Z lvl=error msg="auth-enabled is set but internal-shared-secret is empty; set [meta] internal-shared-secret (required since 1.6.4)" log_id=tB4qhni_9z9 service=meta', values: {level: 'error'}},
      {line: '{"lvl":"error","ts":"2026-11-22T02:03:00.000000Z","msg":"auth-enabled is set but internal-shared-secret is empty; set [meta] internal-shared-secret (required since 1.6.4)","service":"meta"}', values: {service: 'meta'}},
      {line: '[meta] 2026/11/22 02:03:00 run: auth-enabled requires internal-shared-secret to be set', values: {service: 'meta'}},
    ],
  },
  {
    id: 'dev-meta-license-invalid',
    title: 'A dev meta node found its license setting unusable and did not start',
    verdict: 'critical',
    category: 'license',
    where: 'meta',
    match: [
      {keywords: ['the license could not be loaded'], pattern: /^the license could not be loaded(?:: (?<error>.{1,2000}))?$/},
      {keywords: ['run: license: '], pattern: /^run: license: (?<error>.{1,2000})$/},
    ],
    cause:
      'At start-up the node checks `[enterprise] license-key` / `license-path` as influxd-meta does: exactly one must be set, and a license-path must name a license file it can read. Here: {error}. An `open <value>: no such file or directory` whose value looks like a key means the license key was put into license-path.',
    impact: 'The node stays down: nothing answers on its ports, so `influxd-ctl add-meta` to it fails with `unable to determine if "<host>" is a meta node`, and a node that was part of a cluster is missing from its quorum.',
    check: [
      'Is exactly one of `license-key` and `license-path` set under `[enterprise]`?',
      'Does license-path name the license file (not the key), and can the service user read it? In a dev cluster it is `<cluster folder>/license.json`.',
    ],
    commands: ['medic config check <influxdb-meta.conf>', 'medic join diagnose <host>:8091 --config <influxdb-meta.conf>', "grep -nE '^\\s*license-(key|path)' <influxdb-meta.conf>"],
    configKeys: ['[enterprise] license-key', '[enterprise] license-path'],
    versions: [DEV_ONLY, 'Enterprise aborts start-up without a valid license too (`license key verification failed` for a bad key); its text for an unreadable license file is not published.'],
    docs: [DOC_META_CONFIG, 'enterprise_influxdb/v1/administration/renew-license/'],
    examples: [
      {line: 'ts=2026-12-07T13:02:00.000000Z lvl=error msg="the license could not be loaded" log_id=tB4qhni_9z9 service=meta error="open 7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31: no such file or directory"', values: {level: 'error', error: 'open 7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31: no such file or directory'}},
      {line: '[meta] 2026/12/07 13:02:00 run: license: [enterprise] license-key and license-path are both set: set exactly one', values: {service: 'meta', error: '[enterprise] license-key and license-path are both set: set exactly one'}},
      {line: '{"lvl":"error","ts":"2026-12-07T13:02:00.000000Z","msg":"the license could not be loaded","service":"meta","error":"/var/lib/medic/license.json: not a license file (not JSON)"}', values: {service: 'meta'}},
    ],
  },
  {
    id: 'dev-meta-shutdown-error',
    title: 'A dev meta node hit an error while shutting down',
    verdict: 'warning',
    category: 'lifecycle',
    where: 'meta',
    match: {keywords: ['error during shutdown'], pattern: /^error during shutdown(?:: (?<error>.{1,2000}))?$/},
    cause: 'Closing the HTTP API or the Raft node failed after a stop was requested. The process exits anyway.',
    impact: 'Usually none: the next start recovers from the meta dir. A storage error here deserves the same look as any storage failure.',
    check: ['What does the error name? A disk error points at the meta dir.'],
    commands: ['medic dev status', 'medic dev logs <node>'],
    configKeys: ['[meta] dir'],
    versions: [DEV_ONLY],
    docs: [],
    examples: [
      {line: '[meta] 2026/11/22 02:04:00 error during shutdown: raft storage: fsync failed (EIO: i/o error, fsync)', values: {error: 'raft storage: fsync failed (EIO: i/o error, fsync)'}},
      {line: 'ts=2026-11-22T02:04:00.000000Z lvl=error msg="error during shutdown" log_id=tB4qhni_9z9 service=meta error="server is not running"', values: {error: 'server is not running'}},
      {line: '{"lvl":"error","ts":"2026-11-22T02:04:00.000000Z","msg":"error during shutdown","service":"meta","error":"server is not running"}', values: {error: 'server is not running'}},
    ],
  },
  {
    id: 'process-fatal-error',
    title: 'The process stopped on a fatal error (`run: ...` at start-up, `fatal error: ...`)',
    verdict: 'critical',
    category: 'lifecycle',
    where: 'any',
    fallback: true,
    match: [
      {keywords: ['run: '], pattern: /^run: (?<error>.{1,2000})$/},
      {keywords: ['fatal error'], pattern: /^fatal error(?:: (?<error>.{1,2000}))?$/},
    ],
    cause:
      'influxd and influxd-meta print `run: <step that failed>: <reason>` on standard error when they give up during start-up (reading the config, opening the store, binding a port, checking the license). A Go runtime crash of a running process prints `fatal error: <reason>` followed by goroutine stacks; running out of memory has its own entry (process-out-of-memory). The medic dev meta node logs `fatal error` with the reason as a field. The more specific entries (duration units, TOML syntax, FIPS, listen and store failures) take precedence; this one catches the rest.',
    impact: 'The process is not running. Every line after this one belongs to a later run.',
    check: [
      'Read a `run:` error from the right: the last part is the cause, the parts before it name the step that failed.',
      'Did the config change just before? `medic config check` validates it.',
      'For `runtime: out of memory`: memory limits, the kernel log, and `vm.max_map_count` on data nodes with many shards.',
    ],
    commands: ['medic config check <config file>', 'journalctl -u influxdb-meta -n 50', 'journalctl -u influxdb -n 50', "dmesg -T | grep -i -E 'killed process|out of memory' | tail", 'medic dev logs <node>   # for a dev cluster'],
    configKeys: [],
    versions: ['The `run:` prefix is written by every 1.x release; the text after it varies.'],
    docs: ['enterprise_influxdb/v1/administration/monitor/logs/'],
    examples: [
      {line: 'run: open server: open meta service: listen tcp :8091: bind: address already in use', values: {error: 'open server: open meta service: listen tcp :8091: bind: address already in use'}},
      {line: 'run: parse config: reading /tmp/dc3/meta-1/influxdb-meta.conf: ENOENT: no such file or directory', values: {error: 'parse config: reading /tmp/dc3/meta-1/influxdb-meta.conf: ENOENT: no such file or directory'}},
      {line: 'fatal error: concurrent map writes', values: {error: 'concurrent map writes'}},
      {line: 'ts=2026-11-22T02:05:00.000000Z lvl=error msg="fatal error" log_id=tB4qhni_9z9 service=meta error="cannot read the raft state"', values: {error: 'cannot read the raft state', level: 'error'}},
      {line: '{"lvl":"error","ts":"2026-11-22T02:05:00.000000Z","msg":"fatal error","service":"meta","error":"cannot read the raft state"}', values: {error: 'cannot read the raft state'}},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // A dev data node's hinted handoff
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'dev-hh-queue-removed',
    title: 'A dev data node deleted its hinted-handoff queues for a data node removed from the cluster',
    verdict: 'info',
    category: 'hinted-handoff',
    where: 'data',
    match: {keywords: ['removed hinted handoff queue for node'], pattern: /^removed hinted handoff queue for node (?<nodeId>\d{1,20})$/},
    cause:
      'Data node {nodeId} left the meta store (`influxd-ctl remove-data`, the meta API\'s /remove-data) while this node held writes for it in hinted handoff. The coordinator stopped sending to it and deleted those queues, as Enterprise does since 1.0.0 (open-source clustering kept them and logged `failed to determine if node N is active: node not found`).',
    impact:
      'The points that were queued for node {nodeId} are gone with it. Shards it owned keep the copies of their other owners; a shard whose only owner it was, or whose other owners had missed those writes, lost them unless they are copied back (`influxd-ctl copy-shard`) or written again. The queue\'s disk space is freed.',
    check: [
      'Was node {nodeId} removed on purpose? `influxd-ctl show` no longer lists it.',
      'Which shards did it own? `influxd-ctl show-shards`: a shard left with fewer owners than its replication factor needs another owner (copy-shard).',
      'Next time, let the queues for a node drain before removing it: `medic hh wait --url <data node>:8086`.',
    ],
    commands: ['influxd-ctl show', 'influxd-ctl show-shards', 'medic hh watch --url <this data node>:8086'],
    configKeys: ['[hinted-handoff] dir'],
    metrics: ['_internal..hh_processor.queueBytes'],
    versions: ['Written only by the medic dev cluster\'s data nodes (`medic dev up`); Enterprise\'s own wording for this is not public.', 'Enterprise 1.0.0 release notes: hinted-handoff queues are removed when their node is removed with remove-data.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[handoff] 2026/12/07 10:15:02 removed hinted handoff queue for node 5', values: {nodeId: 5, service: 'handoff'}},
      {line: 'ts=2026-12-07T10:15:02.120000Z lvl=info msg="removed hinted handoff queue for node 3" log_id=_dmDiZ9dV2e service=handoff', values: {nodeId: 3}},
    ],
  },

  {
    id: 'dev-hh-delivery-retry',
    title: 'A dev data node could not deliver a hinted-handoff block and will try again after a back-off',
    verdict: 'warning',
    category: 'hinted-handoff',
    where: 'data',
    match: {
      keywords: ['will retry'],
      pattern: /^failed to write to node (?<nodeId>\d{1,20}) shard (?<shardId>\d{1,20}), will retry: (?<error>.{1,2000})$/,
    },
    cause:
      'The hinted-handoff processor for node {nodeId} sent the oldest block of its queue for shard {shardId} and the send failed: {error}. It keeps the block, waits `retry-interval`, doubling the wait after each failure up to `retry-max-interval`, and sends the same block again; nothing is lost while the queue is within `max-size` and `max-age`.',
    impact:
      'The queue for node {nodeId} does not drain and grows with every write for its shards (new writes go behind the queue). If the destination stays unreachable, the queue reaches `max-size` (writes refused with `queue is full`) or its oldest points pass `max-age` (dropped).',
    check: [
      'Is node {nodeId} up and reachable on its cluster port? The error names the address: `connection refused` means nothing listens there, `no route to host` or `i/o timeout` a network cut (in the dev cluster: `medic dev status` lists the faults in force).',
      'Is the queue growing or draining? `medic hh watch --url <this data node>:8086` gives the verdict and, once it drains, the ETA.',
    ],
    commands: ['medic dev status', 'medic hh watch --url <this data node>:8086', 'influxd-ctl show'],
    configKeys: ['[hinted-handoff] retry-interval', '[hinted-handoff] retry-max-interval', '[hinted-handoff] max-size', '[hinted-handoff] max-age'],
    metrics: ['_internal..hh_processor.writeNodeReqFail', '_internal..hh_processor.queueBytes'],
    versions: ['Written only by the medic dev cluster\'s data nodes (`medic dev up`); Enterprise\'s own wording for a failed hinted-handoff send is not public.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {
        line: 'ts=2026-12-07T10:12:40.081000Z lvl=info msg="failed to write to node 2 shard 3, will retry: dial tcp 127.0.0.1:45288: connect: no route to host" log_id=4H7kUqZ~cLR service=handoff',
        values: {nodeId: 2, shardId: 3, error: 'dial tcp 127.0.0.1:45288: connect: no route to host'},
      },
      {line: '[handoff] 2026/12/07 10:12:40 failed to write to node 5 shard 12, will retry: dial tcp 127.0.0.1:18588: connect: connection refused', values: {nodeId: 5, shardId: 12, service: 'handoff'}},
    ],
  },

  {
    id: 'dev-hh-max-age-purged',
    title: 'A dev data node dropped hinted-handoff data older than max-age: those points never reach their owner',
    verdict: 'critical',
    category: 'hinted-handoff',
    where: 'data',
    match: {
      keywords: ['older than max-age'],
      pattern: /^purged (?<segments>\d{1,12}) segment\(s\), (?<bytes>\d{1,20}) bytes older than max-age from the queue for node (?<nodeId>\d{1,20}) shard (?<shardId>\d{1,20})$/,
    },
    cause:
      'Every `purge-interval` hinted handoff removes the segments at the head of each queue whose last write is older than `[hinted-handoff] max-age`, whether they were delivered or not. This purge removed {segments} segment(s) holding {bytes} bytes not yet delivered to node {nodeId} for shard {shardId}: that node was down or unreachable from this one for longer than max-age.',
    impact:
      'Data loss: the points in those bytes were acknowledged to the client (it got 204 once another owner wrote them) but node {nodeId} will never receive them, so its copy of shard {shardId} is missing them and queries that read that owner return less. Nothing is retried.',
    check: [
      'Was node {nodeId} down or cut off from this node for longer than max-age? `influxd-ctl show` and its log tell when it was last reachable.',
      'Is more about to be dropped? `medic hh watch <hh dir> --config <influxdb.conf>` forecasts, per queue, when the oldest data reaches max-age and whether the queue can empty before.',
      'Which shards now differ between their owners? Compare them (in the dev cluster: `medic dev verify --db <db>`), then copy the missing points from the owner that has them.',
    ],
    commands: ['medic hh watch /var/lib/influxdb/hh --config /etc/influxdb/influxdb.conf', 'influxd-ctl show', 'medic dev verify --db <db>'],
    configKeys: ['[hinted-handoff] max-age', '[hinted-handoff] purge-interval', '[hinted-handoff] max-size'],
    metrics: ['_internal..hh_processor.queueBytes', '_internal..hh_processor.bytesRead'],
    versions: ['Written only by the medic dev cluster\'s data nodes (`medic dev up`); Enterprise purges the same way (data-nodes.md §3.23) but its wording for it is not public.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {
        line: 'ts=2026-12-07T10:21:06.512000Z lvl=info msg="purged 1 segment(s), 130050 bytes older than max-age from the queue for node 2 shard 3" log_id=4H7kUqZ~cLR service=handoff',
        values: {segments: 1, bytes: 130050, nodeId: 2, shardId: 3},
      },
      {line: '[handoff] 2026/12/07 10:21:06 purged 2 segment(s), 20971520 bytes older than max-age from the queue for node 5 shard 12', values: {nodeId: 5, shardId: 12, service: 'handoff'}},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // The dev supervisor (supervisor.log, always logfmt, service=medic-dev)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'dev-supervisor-event',
    title: 'The dev cluster supervisor started, stopped or managed its nodes',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'any',
    match: {
      keywords: ['Supervisor started', 'Supervisor stopped', 'Node started', 'Stopping node', 'Meta nodes added', 'Admin user created', 'Dev cluster ready', 'Stopping the dev cluster'],
      pattern: /^(?<event>Supervisor started|Supervisor stopped|Node started|Stopping node|Meta nodes added|Admin user created|Dev cluster ready|Stopping the dev cluster)$/,
    },
    cause:
      'supervisor.log in the cluster folder records what the medic process that runs the dev cluster did: its own start and stop, each node it started or stopped (with pid and config), the join of the meta nodes, the admin user (with --auth), and the moment the cluster was ready (every node agreeing on one leader).',
    impact: 'None. Use these lines as the timeline of a rehearsal: what medic did, next to what the nodes logged.',
    check: ['For what happened inside a node, read that node\'s own influxdb-meta.log.'],
    commands: ['medic dev status', 'medic dev logs <node>', 'medic logs summarize <cluster dir>/supervisor.log'],
    configKeys: [],
    versions: [DEV_ONLY],
    docs: [],
    examples: [
      {line: 'ts=2026-11-22T01:48:05.130000Z lvl=info msg="Supervisor started" log_id=6sxMBvt7cRu service=medic-dev pid=9658 mode=detached control=127.0.0.1:43209 dir=/tmp/dc3', values: {event: 'Supervisor started', service: 'medic-dev'}},
      {line: 'ts=2026-11-22T01:48:05.257000Z lvl=info msg="Node started" log_id=6sxMBvt7cRu service=medic-dev node=meta-1 pid=9669 config=/tmp/dc3/meta-1/influxdb-meta.conf', values: {event: 'Node started', nodeId: 'meta-1'}},
      {line: 'ts=2026-11-22T01:48:06.132000Z lvl=info msg="Dev cluster ready" log_id=6sxMBvt7cRu service=medic-dev nodes=3 leader=127.0.0.1:23189 elapsed_ms=1000', values: {event: 'Dev cluster ready'}},
      {line: 'ts=2026-11-22T01:48:18.145000Z lvl=info msg="Stopping node" log_id=6sxMBvt7cRu service=medic-dev node=meta-1 pid=9764 grace_ms=5000', values: {event: 'Stopping node', nodeId: 'meta-1'}},
    ],
  },
  {
    id: 'dev-node-exited',
    title: 'A dev cluster node process ended (stopped by medic, killed, or crashed)',
    verdict: 'info',
    category: 'lifecycle',
    where: 'any',
    match: [
      {keywords: ['Node exited'], pattern: /^Node exited(?:: (?<error>.{1,2000}))?$/},
      {keywords: ['Node ignored SIGTERM'], pattern: /^Node ignored SIGTERM, killing it$/},
    ],
    cause:
      'The supervisor saw a node process end. With `requested=true` medic stopped it (`dev stop`, `dev down`) and the exit is routine. With `requested=false` nobody asked medic to stop it: either it is the fault being rehearsed (`medic dev kill`, an external kill -9) or the node crashed; the supervisor never restarts it. `Node ignored SIGTERM, killing it` means a node did not stop within the grace period and got SIGKILL.',
    impact: 'The node is down until `medic dev start <node>`. The cluster keeps working while a majority of meta nodes is up.',
    check: [
      'Is `requested=false`? Then was the node killed on purpose? If not, its own log (the last lines before the exit) tells why it died.',
      'signal=SIGKILL with requested=false: an external kill or the kernel OOM killer; code=1: the node stopped on an error it logged.',
    ],
    commands: ['medic dev status', 'medic dev logs {nodeId}', 'medic dev start {nodeId}'],
    configKeys: [],
    versions: [DEV_ONLY],
    docs: [],
    examples: [
      {line: 'ts=2026-11-22T01:48:06.430000Z lvl=warn msg="Node exited" log_id=6sxMBvt7cRu service=medic-dev node=meta-1 pid=9669 signal=SIGKILL requested=false', values: {nodeId: 'meta-1', level: 'warn'}},
      {line: 'ts=2026-11-22T01:48:18.154000Z lvl=info msg="Node exited" log_id=6sxMBvt7cRu service=medic-dev node=meta-2 pid=9670 code=0 requested=true', values: {nodeId: 'meta-2', level: 'info'}},
      {line: 'ts=2026-11-22T01:48:18.160000Z lvl=warn msg="Node exited" log_id=6sxMBvt7cRu service=medic-dev node=meta-3 requested=false error="spawn /usr/bin/node ENOENT"', values: {nodeId: 'meta-3', error: 'spawn /usr/bin/node ENOENT'}},
      {line: 'ts=2026-11-22T01:48:23.150000Z lvl=warn msg="Node ignored SIGTERM, killing it" log_id=6sxMBvt7cRu service=medic-dev node=meta-2 pid=9670 grace_ms=5000', values: {nodeId: 'meta-2'}},
    ],
  },
]
