/**
 * Catalogue entries: what influxd-ctl prints. Its failures look like `<command>: operation exited with error: <msg>`
 * or `<command>: operation timed out with error: <msg>` (the parser keeps the whole line as the message), its
 * authentication errors like `Error: <msg>.`, and its successes are short sentences (`Added data node 4 at ...`).
 * Specific entries come first; the two `fallback` entries at the end only apply when nothing specific matched.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_CTL = 'enterprise_influxdb/v1/tools/influxd-ctl/'
const DOC_AUTH = 'enterprise_influxdb/v1/administration/configure/security/authentication/'
const DOC_AUTHZ_API = 'enterprise_influxdb/v1/administration/manage/users-and-permissions/authorization-api/'
const DOC_FAQ = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'
const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'

const AUTH_KEYS = ['[meta] auth-enabled', '[meta] shared-secret', '[meta] internal-shared-secret']
const AUTH_VERSIONS = [
  'Authentication on the meta API arrived in 1.1.0; its settings are documented from 1.2 and these influxd-ctl messages from 1.3.',
  '1.6.4: with `auth-enabled = true` the meta node refuses to start unless `internal-shared-secret` is set.',
]

/** `<command>: operation exited with error: ` — the shape of every influxd-ctl failure. */
const CMD = String.raw`(?<command>[a-z][a-z-]*)`

export const ctlEntries: CatalogueEntry[] = [
  {
    id: 'ctl-not-a-meta-node',
    title: 'influxd-ctl was pointed at an address that is not a meta node',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: {keywords: ['is not a meta node'], pattern: /(?<addr>[^\s"']+) is not a meta node/},
    cause:
      '`influxd-ctl join` and `remove-meta` ask the address they were given for its `/status` and go on only when it answers `"nodeType": "meta"`. Something answered there, but as another kind of node: usually a data node (its HTTP port 8086 or cluster port 8088) given where the meta node\'s HTTP address (8091) was meant, or a hostname that resolves to the wrong machine.',
    impact: 'The command did nothing: no node was joined or removed.',
    check: [
      'Which port did you give? Meta nodes answer on 8091 (`[meta] http-bind-address`), data nodes on 8086 (HTTP) and 8088 (cluster).',
      'Does the name resolve to the machine you meant, from where influxd-ctl runs?',
    ],
    commands: ['medic join diagnose {addr}', 'medic status <meta-host>:8091', 'influxd-ctl show'],
    configKeys: ['[meta] http-bind-address', 'hostname'],
    versions: ['The wording is the open-source clone\'s influxd-ctl (join, remove-meta); Enterprise\'s may differ.'],
    docs: ['enterprise_influxdb/v1/tools/influxd-ctl/join/', DOC_CTL],
    examples: [
      {line: 'Error: data-01.example.com:8088 is not a meta node', values: {addr: 'data-01.example.com:8088', service: 'influxd-ctl'}},
      {line: 'remove-meta: operation exited with error: 10.0.0.21:8086 is not a meta node', values: {addr: '10.0.0.21:8086'}},
    ],
  },
  {
    id: 'ctl-auth-credentials-missing',
    title: 'influxd-ctl sent no credentials to a meta node that requires authentication',
    verdict: 'warning',
    category: 'auth',
    where: 'influxd-ctl',
    match: {keywords: ['unable to parse authentication credentials'], pattern: /^Error: unable to parse authentication credentials\.?\s*$/},
    cause:
      'The meta node has `[meta] auth-enabled = true`, so every request to its API must carry a cluster user (basic auth) or a token signed with `[meta] shared-secret`. influxd-ctl was run without `-auth-type` (the default is `none`), so the request had no usable credentials.',
    impact: 'The command did nothing. The cluster is unaffected.',
    check: ['Is meta authentication on (`[meta] auth-enabled` in influxdb-meta.conf)?', 'Do you have an admin cluster user, or the meta `shared-secret`?'],
    commands: [
      "influxd-ctl -auth-type basic -user <admin> -pwd '<password>' show",
      "influxd-ctl -auth-type jwt -secret '<[meta] shared-secret>' show",
    ],
    configKeys: AUTH_KEYS,
    versions: AUTH_VERSIONS,
    docs: [DOC_CTL, DOC_AUTH],
    examples: [{line: 'Error: unable to parse authentication credentials.', values: {service: 'influxd-ctl'}}],
  },
  {
    id: 'ctl-jwt-signature-invalid',
    title: 'A JSON Web Token was signed with a different secret than the server expects',
    verdict: 'warning',
    category: 'auth',
    where: 'influxd-ctl',
    match: [
      {keywords: ['signature is invalid'], pattern: /^Error: signature is invalid\.?\s*$/},
      {keywords: ['signature is invalid'], pattern: /^(?:401 )?signature is invalid\.?$/},
    ],
    cause:
      'The token\'s signature does not verify with the server\'s shared secret. For influxd-ctl (`-auth-type jwt -secret ...`) the secret must be the meta nodes\' `[meta] shared-secret`; for a JWT sent to a data node\'s API (port 8086) it must be the data nodes\' `[http] shared-secret`. A typo, a secret changed on some nodes only, or using the internal secret instead of the public one all give this.',
    impact: 'The request was refused; nothing changed.',
    check: [
      'Compare the secret you pass with `[meta] shared-secret` on the meta node you talk to (and that all meta nodes have the same one).',
      'Not to be confused with `[meta] internal-shared-secret`, which only signs node-to-node requests.',
    ],
    commands: ["influxd-ctl -auth-type jwt -secret '<[meta] shared-secret>' show", 'medic config check /etc/influxdb/influxdb-meta.conf'],
    configKeys: ['[meta] shared-secret', '[http] shared-secret', '[meta] auth-enabled'],
    versions: AUTH_VERSIONS,
    client: 'Sign tokens for the data-node API with the data nodes\' `[http] shared-secret` (HMAC) and include `username` and a future `exp` claim.',
    docs: [DOC_CTL, DOC_AUTH],
    examples: [
      {line: 'Error: signature is invalid.', values: {service: 'influxd-ctl'}},
      {line: '401 {"error":"signature is invalid"}', values: {httpStatus: 401}},
    ],
  },
  {
    id: 'ctl-authorization-failed',
    title: 'influxd-ctl\'s user name or password was rejected by the meta node',
    verdict: 'warning',
    category: 'auth',
    where: 'influxd-ctl',
    match: {keywords: ['authorization failed'], pattern: /^Error: authorization failed\.?\s*$/},
    cause:
      'influxd-ctl used basic authentication (`-auth-type basic -user ... -pwd ...`) and the meta node did not accept the pair: unknown user, wrong password, or a user that exists only as a database user on the data nodes instead of a cluster (meta) user.',
    impact: 'The command did nothing.',
    check: [
      'Does the user exist on the meta side? List the cluster users through the meta API with a known admin.',
      'Quoting: passwords with `$`, `!` or spaces need single quotes in the shell.',
    ],
    commands: [
      "curl -s -u <admin>:'<password>' http://<meta-host>:8091/user",
      "influxd-ctl -auth-type basic -user <admin> -pwd '<password>' show",
    ],
    configKeys: AUTH_KEYS,
    versions: AUTH_VERSIONS,
    docs: [DOC_CTL, DOC_AUTHZ_API],
    examples: [{line: 'Error: authorization failed.', values: {service: 'influxd-ctl'}}],
  },
  {
    id: 'ctl-token-requires-jwt',
    title: 'influxd-ctl token was run without JWT (bearer) authentication',
    verdict: 'warning',
    category: 'auth',
    where: 'influxd-ctl',
    match: {keywords: ['tokens can only be created when using bearer authentication'], pattern: /^token: tokens can only be created when using bearer authentication/},
    cause:
      '`influxd-ctl token` signs a token locally with the secret you give it, so it only works with `-auth-type jwt -secret <secret>`. It was run with basic authentication or none.',
    impact: 'No token was created.',
    check: ['Pass the global flags before the command name: `-auth-type jwt -secret ...` then `token`.'],
    commands: ["influxd-ctl -auth-type jwt -secret '<[meta] shared-secret>' token -exp 5m"],
    configKeys: ['[meta] shared-secret'],
    versions: AUTH_VERSIONS,
    docs: ['enterprise_influxdb/v1/tools/influxd-ctl/token/', DOC_AUTH],
    examples: [{line: 'token: tokens can only be created when using bearer authentication'}],
  },
  {
    id: 'ctl-timeout-empty-error',
    title: 'An influxd-ctl command timed out without an error message (often a missing AddRemoveNode permission)',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: {keywords: ['operation timed out with error'], pattern: new RegExp(String.raw`^${CMD}: operation timed out with error:\s*$`)},
    cause:
      'The meta node did not finish the request in time and returned no reason. For `add-data`, `add-meta`, `remove-data`, `remove-meta`, `update-data` and the like, the documented cause is a cluster user without the `AddRemoveNode` permission: the request is never completed and simply runs into the timeout. Without authentication it is a plain timeout: the meta node could not reach the target node (port 8088 for data, 8091/8089 for meta) or the meta cluster is without a leader.',
    impact: 'Usually nothing changed. A timed-out request can still complete on the server side, so look before you retry.',
    check: [
      'Did the change happen anyway? `influxd-ctl show`.',
      'Which user does influxd-ctl authenticate as, and does it hold `AddRemoveNode` (cluster-wide)?',
      'Without auth: can the meta node reach the target on its port, and is there a meta leader?',
    ],
    commands: [
      'influxd-ctl show',
      "curl -s -u <admin>:'<password>' 'http://<meta-host>:8091/user?name=<user>'",
      "curl -s --location-trusted -u <admin>:'<password>' -XPOST http://<meta-host>:8091/user --data-binary '{\"action\":\"add-permissions\",\"user\":{\"name\":\"<user>\",\"permissions\":{\"\":[\"AddRemoveNode\"]}}}'",
      'medic status <meta-host>:8091',
    ],
    configKeys: ['[meta] auth-enabled'],
    versions: ['Before 1.12.3 influxd-ctl had no `-timeout` flag and some commands could hang instead; 1.12.3 added `-timeout` (default 10s).'],
    docs: ['enterprise_influxdb/v1/administration/manage/clusters/replacing-nodes/', DOC_AUTHZ_API, DOC_CTL],
    examples: [
      {line: 'add-data: operation timed out with error:', values: {command: 'add-data', service: 'influxd-ctl'}},
      {line: 'remove-data: operation timed out with error: ', values: {command: 'remove-data'}},
    ],
  },
  {
    id: 'ctl-no-meta-leader',
    title: 'influxd-ctl failed because the meta cluster has no leader',
    verdict: 'critical',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: {keywords: ['operation exited with error: no leader'], pattern: new RegExp(String.raw`^${CMD}: operation exited with error: no leader\.?\s*$`)},
    cause:
      'The meta node influxd-ctl talked to knows of no Raft leader. On a new cluster this happens when `add-meta` cannot form a cluster: the node advertises a `hostname` the others (or itself) cannot resolve, port 8089 is blocked between meta nodes, or its meta dir holds Raft state from an earlier cluster whose peers no longer exist. On a running cluster it means a majority of meta nodes is down or partitioned.',
    impact: 'The command did nothing. On a running cluster all meta changes (shard groups, DDL, users, joins) are blocked until a leader is elected.',
    check: [
      'Ask every meta node for /status: do they agree on a leader and peer list?',
      'Is 8089 open between all meta nodes, and does each `hostname` resolve from every other node?',
      'For a fresh node: is its meta dir empty? Left-over raft.db/peers.json from another cluster must go (only on a node that holds no data you need).',
    ],
    commands: [
      'medic status <meta-host>:8091',
      'medic join diagnose <meta-host>:8091 --config /etc/influxdb/influxdb-meta.conf',
      'nc -vz <other-meta-host> 8089',
      'ls -la /var/lib/influxdb/meta',
    ],
    configKeys: ['hostname', '[meta] bind-address', '[meta] http-bind-address', '[meta] dir'],
    versions: ['1.1.0 renamed the meta-adding `join` to `add-meta`.'],
    docs: [DOC_CTL, DOC_FAQ],
    examples: [
      {line: 'add-meta: operation exited with error: no leader', values: {command: 'add-meta', service: 'influxd-ctl'}},
      {line: 'add-data: operation exited with error: no leader', values: {command: 'add-data'}},
    ],
  },
  {
    id: 'ctl-license-path-holds-key',
    title: 'Joining a node failed because its license file does not exist (often a license key put in license-path)',
    verdict: 'critical',
    category: 'license',
    where: 'influxd-ctl',
    match: {
      keywords: ['no such file or directory'],
      pattern: /^(?<command>add-data|add-meta|join|update-data): operation exited with error: open (?<path>.+?): no such file or directory\s*$/,
    },
    cause:
      'While the node was being added it tried to open its license file at `[enterprise] license-path`, and that file does not exist. When the "path" looks like a key rather than a file name, the license key was written into `license-path` instead of `license-key`. Otherwise the file was not copied to this node or is at another location.',
    impact: 'The node is not added. Without a valid license it also will not keep running.',
    check: [
      'In the node\'s config: is the key in `license-key` and `license-path` left empty (only one of the two may be set)?',
      'If you use a license file: does {path} exist on that node and can the influxdb user read it?',
    ],
    commands: ['medic config check /etc/influxdb/influxdb.conf', "grep -nE '^\\s*license-(key|path)' /etc/influxdb/influxdb.conf /etc/influxdb/influxdb-meta.conf"],
    configKeys: ['[enterprise] license-key', '[enterprise] license-path'],
    versions: ['Reported on 1.6.3.'],
    docs: [DOC_META_CONFIG, 'enterprise_influxdb/v1/administration/configure/config-data-nodes/', 'enterprise_influxdb/v1/administration/renew-license/'],
    examples: [
      {
        line: 'add-data: operation exited with error: open 7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31: no such file or directory',
        values: {command: 'add-data', path: '7d2c41f0-8a3b-4e6f-9c15-2b8e0f6a9d31'},
      },
    ],
  },
  {
    id: 'ctl-restore-database-exists',
    title: 'influxd-ctl restore refused to restore over a database that already exists',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: {keywords: ['problem setting snapshot'], pattern: /^(?<command>restore): operation exited with error: problem setting snapshot: database already exists/},
    cause:
      'A restore writes the backed-up database into the cluster\'s meta data, and the target database name is taken. influxd-ctl restore only restores into a database that does not exist yet (or is empty).',
    impact: 'Nothing was restored and the existing database is untouched.',
    check: ['Do you want the backup next to the current data (restore under a new name) or instead of it (drop the existing database first)?'],
    commands: [
      'influxd-ctl restore -db <db> -newdb <db>_restored <backup-dir>',
      'influxd-ctl restore -full <backup-dir>/<timestamp>.manifest   # full backups: pass the manifest',
      'influx -execute \'DROP DATABASE "<db>"\'   # destroys the current data: only if the backup replaces it',
    ],
    docs: ['enterprise_influxdb/v1/tools/influxd-ctl/restore/', 'enterprise_influxdb/v1/administration/backup-and-restore/'],
    examples: [{line: 'restore: operation exited with error: problem setting snapshot: database already exists', values: {command: 'restore', service: 'influxd-ctl'}}],
  },
  {
    id: 'ctl-join-no-data-node',
    title: 'influxd-ctl join found no data node on the host',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: [
      {keywords: ['No data node found on'], pattern: /No data node found on (?<host>[^\s!]+)!/},
      {keywords: ['No data node added'], pattern: /^(?:\* )?No data node added\./},
    ],
    cause:
      '`influxd-ctl join` looks for a meta process on the local port 8091 and a data process on port 8088 and adds whatever it finds. Nothing answered as a data node on that address: influxd is not running there, or it uses a non-default `bind-address`, which join does not detect.',
    impact: 'Only the meta node (if any) was added; the data node is not part of the cluster.',
    check: ['Is influxd running on that host and listening on 8088 (or another port)?', 'With a non-default port, add the data node explicitly with add-data.'],
    commands: ['systemctl status influxdb', 'ss -ltnp | grep influxd', 'influxd-ctl -bind <meta-host>:8091 add-data {host}'],
    configKeys: ['bind-address', 'hostname'],
    versions: ['1.1.0 turned `join` into the command that adds the local meta and data processes; `-v` prints this detail.'],
    docs: ['enterprise_influxdb/v1/tools/influxd-ctl/join/', DOC_CTL],
    examples: [
      {line: 'No data node found on cluster-node-03:8088!', values: {host: 'cluster-node-03:8088'}},
      {line: '  * No data node added.  Run with -v to see more information'},
    ],
  },
  {
    id: 'ctl-node-added-localhost',
    title: 'A node was added under a loopback address: other nodes will not reach it',
    verdict: 'critical',
    category: 'join',
    where: 'influxd-ctl',
    match: {
      keywords: ['Added meta node', 'Added data node'],
      pattern: /^(?:\* )?Added (?<role>meta|data) node (?<nodeId>\d+) at (?<addr>(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?)\s*$/,
    },
    cause:
      'The node was registered with a loopback address, because `localhost` was passed to add-meta/add-data/join or because the node advertises `hostname = localhost` (the data-node default). Every other node will try to reach it at its own loopback interface.',
    impact: 'Replication, queries across nodes and Raft traffic to this node fail as soon as there is more than one host. Fixing it later needs `update-data` (data) or remove-meta/add-meta (meta).',
    check: ['What does `hostname` say in this node\'s config, and what did you pass on the command line?'],
    commands: [
      'medic join diagnose <host>:8091 --config /etc/influxdb/influxdb-meta.conf',
      'influxd-ctl update-data {addr} <real-host>:8088   # data nodes, after fixing hostname',
      'influxd-ctl show',
    ],
    configKeys: ['hostname', '[meta] http-bind-address', 'bind-address'],
    docs: [DOC_FAQ, DOC_CTL],
    examples: [{line: '  * Added meta node 1 at localhost:8091', values: {role: 'meta', nodeId: 1, addr: 'localhost:8091'}}],
  },
  {
    id: 'ctl-node-added',
    title: 'influxd-ctl added a meta or data node',
    verdict: 'expected',
    category: 'join',
    where: 'influxd-ctl',
    match: {keywords: ['Added meta node', 'Added data node'], pattern: /^(?:\* )?Added (?<role>meta|data) node (?<nodeId>\d+) at (?<addr>\S+)\s*$/},
    cause: 'The output of a successful add-meta, add-data or join: the node now has the id shown. Meta and data nodes draw ids from one shared sequence, so gaps are normal.',
    impact: 'None. The address shown is what every other node will use to reach it.',
    check: ['Is the address the name other hosts resolve (not localhost)?', 'Ids far from 1..N in a new cluster hint at left-overs from an earlier cluster.'],
    commands: ['influxd-ctl show'],
    configKeys: ['hostname'],
    docs: [DOC_CTL],
    examples: [
      {line: 'Added data node 4 at cluster-data-node-01:8088', values: {role: 'data', nodeId: 4, addr: 'cluster-data-node-01:8088'}},
      {line: '  * Added meta node 3 at cluster-meta-node-03:8091', values: {role: 'meta', nodeId: 3}},
    ],
  },
  {
    id: 'ctl-node-removed',
    title: 'influxd-ctl removed a meta or data node from the cluster',
    verdict: 'info',
    category: 'join',
    where: 'influxd-ctl',
    match: [
      {keywords: ['Removed data node', 'Removed meta node'], pattern: /^(?:\* )?Removed (?<role>meta|data) node (?:at )?(?<addr>\S+?)(?: from (?:the )?cluster)?\s*$/},
      {keywords: ['from the cluster'], pattern: /^Removed (?<addr>\S+) from the cluster\s*$/},
    ],
    cause: 'The output of remove-data, remove-meta or leave: the node is no longer a member.',
    impact:
      'A removed data node\'s shards are no longer served by it; with a replication factor of 1 that data is unavailable. Since Enterprise 1.0 the hinted-handoff queues for a removed data node are deleted on the other nodes.',
    check: ['Were its shards replicated elsewhere (influxd-ctl show-shards)?', 'If it will come back under the same name, add it again with add-data.'],
    commands: ['influxd-ctl show', 'influxd-ctl show-shards'],
    docs: [DOC_CTL, 'enterprise_influxdb/v1/administration/manage/clusters/replacing-nodes/'],
    examples: [
      {line: 'Removed data node at cluster-data-node-03:8088', values: {role: 'data', addr: 'cluster-data-node-03:8088'}},
      {line: 'Removed cluster-node-03:8088 from the cluster', values: {addr: 'cluster-node-03:8088'}},
    ],
  },
  {
    id: 'ctl-join-succeeded',
    title: 'influxd-ctl created, joined or left a cluster',
    verdict: 'expected',
    category: 'join',
    where: 'influxd-ctl',
    match: {
      keywords: ['Successfully created cluster', 'Successfully joined cluster', 'Successfully left cluster'],
      pattern: /^Successfully (?<action>created|joined|left) cluster\s*$/,
    },
    cause: 'The summary line of `influxd-ctl join` or `leave`. The lines after it list which meta and data nodes were added or removed.',
    impact: 'None. Read the bullet lines: `No data node added` means only the meta side was handled.',
    check: ['Does `influxd-ctl show` list the nodes you expected?'],
    commands: ['influxd-ctl show'],
    docs: ['enterprise_influxdb/v1/tools/influxd-ctl/join/', DOC_CTL],
    examples: [{line: 'Successfully created cluster', values: {action: 'created'}}],
  },
  {
    id: 'ctl-data-node-updated',
    title: 'influxd-ctl changed a data node\'s address',
    verdict: 'info',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: {keywords: ['updated data node'], pattern: /^updated data node (?<nodeId>\d+) to (?<addr>\S+)\s*$/},
    cause: 'The output of `update-data <old> <new>`: the node keeps its id and shards under a new address. It is also used with the same address twice to re-attach a node whose disk was replaced.',
    impact: 'None if the new address is reachable from every node on 8088.',
    check: ['Can all data and meta nodes reach {addr}?'],
    commands: ['influxd-ctl show'],
    versions: ['1.6.4 refuses to move one existing node onto another node\'s address.'],
    docs: ['enterprise_influxdb/v1/tools/influxd-ctl/update-data/', DOC_CTL],
    examples: [{line: 'updated data node 26 to cluster-data-node-01:8088', values: {nodeId: 26, addr: 'cluster-data-node-01:8088'}}],
  },
  {
    id: 'ctl-shard-operation-done',
    title: 'influxd-ctl finished a shard operation (copy, kill copy, remove, truncate)',
    verdict: 'expected',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    match: [
      {keywords: ['Copied shard'], pattern: /^Copied shard (?<shardId>\d+) from (?<source>\S+) to (?<dest>\S+)\s*$/},
      {keywords: ['Killed shard copy'], pattern: /^Killed shard copy (?<shardId>\d+) from (?<source>\S+) to (?<dest>\S+)\s*$/},
      {keywords: ['Removed shard'], pattern: /^Removed shard (?<shardId>\d+) from (?<addr>\S+)\s*$/},
      {keywords: ['Truncated shards'], pattern: /^Truncated shards\.?\s*$/},
    ],
    cause: 'The confirmation printed by copy-shard, kill-copy-shard, remove-shard or truncate-shards.',
    impact: 'None. After remove-shard, make sure the shard still has the number of owners you want.',
    check: ['`influxd-ctl show-shards` shows the owners of shard {shardId}.'],
    commands: ['influxd-ctl show-shards', 'influxd-ctl copy-shard-status'],
    docs: [DOC_CTL],
    examples: [
      {line: 'Copied shard 22 from cluster-data-node-01:8088 to cluster-data-node-02:8088', values: {shardId: 22, source: 'cluster-data-node-01:8088', dest: 'cluster-data-node-02:8088'}},
      {line: 'Removed shard 31 from cluster-data-node-03:8088', values: {shardId: 31, addr: 'cluster-data-node-03:8088'}},
      {line: 'Truncated shards.'},
    ],
  },
  {
    id: 'ctl-operation-failed',
    title: 'An influxd-ctl command failed or timed out',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    fallback: true,
    match: {
      keywords: ['operation exited with error', 'operation timed out with error'],
      pattern: new RegExp(String.raw`^${CMD}: operation (?<outcome>exited|timed out) with error:\s*(?<error>\S.*)$`, 's'),
    },
    cause:
      'influxd-ctl sends each command to the meta node given by `-bind` (localhost:8091 by default), which carries it out and returns the error text after `with error:`. That text is the real message; its own explanation (if medic knows it) is more useful than this one.',
    impact: 'The command did not complete. For timeouts the change may still have happened on the server side.',
    check: ['Run `medic explain` on the text after `with error:` (medic already does when it knows the cause: connection refused, an answer that is not JSON...).', 'Is `-bind` pointing at a reachable meta node, with `-bind-tls` when the meta API uses HTTPS?'],
    commands: ['influxd-ctl show', 'medic status <meta-host>:8091'],
    configKeys: ['[meta] http-bind-address', '[meta] https-enabled'],
    versions: ['1.12.3 added the `-timeout` flag (default 10s).'],
    docs: [DOC_CTL],
    examples: [
      {
        line: 'remove-data: operation exited with error: data node 9 still owns shards',
        values: {command: 'remove-data', outcome: 'exited', error: 'data node 9 still owns shards', service: 'influxd-ctl'},
      },
      {line: 'update-data: operation timed out with error: timeout', values: {command: 'update-data', outcome: 'timed out', error: 'timeout'}},
    ],
  },
  {
    id: 'ctl-error',
    title: 'influxd-ctl reported an error',
    verdict: 'warning',
    category: 'influxd-ctl',
    where: 'influxd-ctl',
    fallback: true,
    match: {keywords: ['Error: '], pattern: /^Error: (?<error>\S.*)$/s},
    cause: 'influxd-ctl prints `Error: <text>` when it fails before or while talking to the meta node: bad flags, connection problems, authentication.',
    impact: 'The command did nothing.',
    check: ['Run `medic explain` on the error text.', 'Are `-bind`, `-bind-tls` and the `-auth-type` flags right for this cluster?'],
    commands: ['influxd-ctl -bind <meta-host>:8091 show', 'medic status <meta-host>:8091'],
    docs: [DOC_CTL],
    examples: [
      {line: 'Error: unexpected end of JSON input.', values: {error: 'unexpected end of JSON input.', service: 'influxd-ctl'}},
    ],
  },
]
