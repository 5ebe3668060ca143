/**
 * Catalogue entries: the meta nodes' Raft consensus (hashicorp/raft's own lines, in the classic `[WARN] raft: ...`
 * wording and the later hclog `raft: lower-case text: key=value` wording), the leader the meta API needs, the data
 * nodes' meta client and TLS on the meta HTTP port.
 *
 * hashicorp/raft's lines are only written when `[meta] cluster-tracing = true` (the OSS precursor discarded them
 * otherwise), so their absence proves nothing. Entries sharing a keyword are tried in the order below; the patterns of
 * entries that share one are mutually exclusive.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'
const DOC_CLUSTERING = 'enterprise_influxdb/v1/concepts/clustering/'
const DOC_FAQ = 'enterprise_influxdb/v1/troubleshooting/frequently-asked-questions/'
const DOC_TLS = 'enterprise_influxdb/v1/administration/configure/security/enable_tls/'

const RAFT_TIMING_KEYS = ['[meta] heartbeat-timeout', '[meta] election-timeout', '[meta] leader-lease-timeout', '[meta] commit-timeout']
const RAFT_KEYS = [...RAFT_TIMING_KEYS, '[meta] bind-address', 'hostname', '[meta] cluster-tracing']

/** A peer as hashicorp/raft prints it: a bare address, or (from 2016) a `{Voter <id> <addr>}` struct. */
const PEER = String.raw`\{[^}]*\}|[^\s"]+`

const VERSIONS_WORDING = [
  'hashicorp/raft up to v1.1.1 writes the classic wording (`[WARN] raft: Heartbeat timeout from ...`); v1.1.2 (2020) and later write hclog lines (`[WARN]  raft: heartbeat timeout reached, ...: key=value`). Which one a given Enterprise release vendors is not public; both are recognised.',
  'Raft library lines appear only with `[meta] cluster-tracing = true` (OSS precursor behaviour; assumed for Enterprise).',
]

const CHECK_8089 = 'Can every meta node open TCP port 8089 on every other meta node? (firewall, security group, `[meta] bind-address`, a `hostname` that resolves to the wrong interface)'

export const raftEntries: CatalogueEntry[] = [
  {
    id: 'raft-heartbeat-timeout',
    title: 'A meta node lost contact with the Raft leader and started an election',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Heartbeat timeout'], pattern: /Heartbeat timeout (?:from "(?<leader>[^"]*)" )?reached, starting election/},
      {
        keywords: ['heartbeat timeout reached'],
        pattern: /heartbeat timeout reached, starting election(?:: last-leader-addr=(?<leader>\S*)(?: last-leader-id=(?<leaderId>\S*))?)?/,
      },
    ],
    cause:
      'This meta node was a follower and went longer than `heartbeat-timeout` (1s by default, randomised up to twice that) without hearing from the leader it last followed (the quoted address; empty when it never had one). It now becomes a candidate, raises the term and asks the other meta nodes for their votes. Typical triggers: the leader process stopped or restarted, port 8089 between the two is blocked or lossy, or the leader (or this node) stalled for a second or more (GC pause, CPU starvation, VM steal, slow disk under raft.db).',
    impact:
      'While no leader is elected the meta store accepts no changes: no new shard groups (writes into a new time range fail), no database, retention-policy or user changes, no CQ lease renewals. Existing shards keep taking writes and queries because data nodes work from their cached meta data. One election after a leader restart is normal and lasts a few seconds; lines every few seconds mean the cluster is flapping.',
    check: [
      'Is the previous leader ({leader}) still running, and did it restart at this time? Look at its own log around the same second.',
      CHECK_8089,
      'How often does this repeat? Run a summary over the meta logs: regular elections point to network loss or pauses, a single one to a restart.',
      'Round-trip time between meta nodes: Raft with the 1s defaults expects a LAN. Across data centres raise `heartbeat-timeout` and `election-timeout` together.',
    ],
    commands: [
      'medic status <meta-host>:8091   # ask every meta node: leader and peers must agree',
      'medic logs summarize /var/log/influxdb/influxdb-meta.log',
      'curl -s http://<meta-host>:8091/status',
      'nc -vz <leader-host> 8089',
      'influxd-ctl show',
    ],
    configKeys: RAFT_KEYS,
    versions: [
      ...VERSIONS_WORDING,
      'The 2015 classic text had no leader address: `Heartbeat timeout reached, starting election`.',
    ],
    docs: [DOC_META_CONFIG, DOC_CLUSTERING],
    examples: [
      {
        line: '[metastore] 2016/09/19 09:08:53 [WARN] raft: Heartbeat timeout from "enterprise-meta-01:8089" reached, starting election',
        values: {leader: 'enterprise-meta-01:8089', service: 'metastore', level: 'warn', time: '2016-09-19T09:08:53.000Z'},
      },
      {
        line: '2017/02/11 22:40:07 [WARN] raft: Heartbeat timeout from "10.0.0.11:8089" reached, starting election',
        values: {leader: '10.0.0.11:8089', level: 'warn'},
      },
      {
        line: '2021-03-04T05:06:07.123Z [WARN]  raft: heartbeat timeout reached, starting election: last-leader-addr=10.0.0.11:8089 last-leader-id=10.0.0.11:8089',
        values: {leader: '10.0.0.11:8089'},
      },
    ],
  },
  {
    id: 'raft-election-timeout',
    title: 'A Raft candidate did not win in time and is starting another election',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: {keywords: ['Election timeout reached, restarting election'], pattern: /Election timeout reached, restarting election/},
    cause:
      'This meta node asked for votes and did not collect a majority within `election-timeout` (1s, randomised up to 2s). It gives up on that term and campaigns again in a new one. Once is ordinary (two candidates split the votes). Repeatedly means it cannot reach a majority of meta nodes, or the others refuse it: they still hear a leader, or their Raft log is newer than its own.',
    impact:
      'There is no leader for as long as this repeats, so meta changes (shard groups, DDL, users, CQ lease) are blocked. With three meta nodes, two must be up and able to talk on port 8089 for any election to succeed.',
    check: [
      'How many meta nodes are up? A majority (2 of 3, 3 of 5) must be reachable from this node.',
      CHECK_8089,
      'Do the other nodes log `Rejecting vote request from <this node>`? Then they still see a leader (this node is the isolated one) or this node\'s log is behind.',
    ],
    commands: ['medic status <meta-host>:8091', 'influxd-ctl show', 'nc -vz <other-meta-host> 8089'],
    configKeys: RAFT_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_META_CONFIG, DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2016/09/19 09:08:55 [WARN] raft: Election timeout reached, restarting election', values: {service: 'metastore', level: 'warn'}},
    ],
  },
  {
    id: 'raft-leader-elected',
    title: 'This meta node won a Raft election and is now the leader',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Election won'], pattern: /Election won\. Tally: (?<tally>\d+)/},
      {keywords: ['election won'], pattern: /election won: term=(?<term>\d+) tally=(?<tally>\d+)/},
      {keywords: ['entering Leader state'], pattern: /Node at (?<addr>\S+) \[Leader\] entering Leader state/},
      {keywords: ['entering leader state'], pattern: /entering leader state: leader="?Node at (?<addr>[^\s\]"]+) \[Leader\]/},
    ],
    cause:
      'The node collected votes from a majority of the meta nodes (the tally counts them, its own included) and took over as leader for the new term. It appends an empty entry to commit everything from earlier terms and starts replicating to the followers.',
    impact:
      'Good news after an election: meta changes are accepted again, and writes to followers\' meta API are redirected (307) to this node. Frequent leader changes, however, point to an unstable meta cluster.',
    check: [
      'Was an election expected here (leader restart, upgrade)? If not, look for the heartbeat-timeout lines just before it on the other nodes.',
      'Do all meta nodes now report the same leader? `leader` in /status is its Raft address (port 8089).',
    ],
    commands: ['medic status <meta-host>:8091', 'curl -s http://<meta-host>:8091/status', 'medic logs summarize /var/log/influxdb/influxdb-meta.log   # leader changes over time'],
    configKeys: RAFT_TIMING_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2016/09/19 09:08:54 [INFO] raft: Election won. Tally: 2', values: {tally: 2, service: 'metastore', level: 'info'}},
      {
        line: 'Sep 19 09:08:54 meta-02 influxd-meta[1207]: [metastore] 2016/09/19 09:08:54 [INFO] raft: Node at meta-02:8089 [Leader] entering Leader state',
        values: {addr: 'meta-02:8089', host: 'meta-02', pid: 1207},
      },
      {line: '2021-03-04T05:06:08.001Z [INFO]  raft: election won: term=7 tally=2', values: {term: 7, tally: 2}},
    ],
  },
  {
    id: 'raft-entering-candidate',
    title: 'A meta node became a Raft candidate and is asking for votes',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['entering Candidate state'], pattern: /Node at (?<addr>\S+) \[Candidate\] entering Candidate state(?: in term (?<term>\d+))?/},
      {keywords: ['entering candidate state'], pattern: /entering candidate state: node="?Node at (?<addr>[^\s\]"]+) \[Candidate\]"?(?: term=(?<term>\d+))?/},
    ],
    cause:
      'Its heartbeat timer expired (no word from a leader), so it raised its term and sent vote requests to the other meta nodes. It follows a `Heartbeat timeout ... starting election` line.',
    impact: 'The meta store has no leader until this or another node wins; see the heartbeat-timeout entry for what that blocks.',
    check: ['Which node lost the leader, and why: the lines just before this one on the same node.', 'Does an `Election won` line follow within a few seconds, on this or another meta node?'],
    commands: ['medic status <meta-host>:8091', 'medic logs summarize /var/log/influxdb/influxdb-meta.log'],
    configKeys: RAFT_TIMING_KEYS,
    versions: [...VERSIONS_WORDING, 'The 2015 classic text had no `in term N`.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2016/09/19 09:08:53 [INFO] raft: Node at meta-02:8089 [Candidate] entering Candidate state in term 4', values: {addr: 'meta-02:8089', term: 4}},
      {line: '2021-03-04T05:06:07.200Z [INFO]  raft: entering candidate state: node="Node at 10.0.0.12:8089 [Candidate]" term=7', values: {addr: '10.0.0.12:8089', term: 7}},
    ],
  },
  {
    id: 'raft-entering-follower',
    title: 'A meta node became a Raft follower',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['entering Follower state'], pattern: /Node at (?<addr>\S+) \[Follower\] entering Follower state(?: \(Leader: "(?<leader>[^"]*)"\))?/},
      {
        keywords: ['entering follower state'],
        pattern: /entering follower state: follower="?Node at (?<addr>[^\s\]"]+) \[Follower\]"?(?: leader-address=(?<leader>\S*))?(?: leader-id=(?<leaderId>\S*))?/,
      },
    ],
    cause:
      'Every meta node starts as a follower when the process starts, and falls back to follower when it loses an election or learns of a newer term. The leader named in the line is the one it knows of; an empty one means it has none yet.',
    impact: 'None by itself. Many follower transitions in a short time on the same node go together with repeated elections.',
    check: ['Was the process just started? Then this is the first line of Raft activity and is expected.', 'If the leader stays empty for more than a few seconds, look for election lines on all meta nodes.'],
    commands: ['medic status <meta-host>:8091'],
    configKeys: RAFT_TIMING_KEYS,
    versions: [...VERSIONS_WORDING, 'The 2015 classic text had no `(Leader: "...")`.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2016/09/19 09:08:50 [INFO] raft: Node at 10.0.0.12:8089 [Follower] entering Follower state (Leader: "")', values: {addr: '10.0.0.12:8089'}},
      {line: '2016/09/19 09:08:56 [INFO] raft: Node at meta-03:8089 [Follower] entering Follower state (Leader: "meta-02:8089")', values: {addr: 'meta-03:8089', leader: 'meta-02:8089'}},
      {
        line: '2021-03-04T05:06:01.000Z [INFO]  raft: entering follower state: follower="Node at 10.0.0.13:8089 [Follower]" leader-address= leader-id=',
        values: {addr: '10.0.0.13:8089'},
      },
    ],
  },
  {
    id: 'raft-state-change',
    title: 'The meta service reported its Raft role and peers',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: {
      keywords: ['Node at'],
      // The peer list is part of the message (a printf'd line); an [I]-era (1.2-1.4) line with one peer or none reads
      // as message plus a trailing `peers=[...]` field, so the message may end at the state.
      pattern: /Node at (?<addr>\S+) \[(?<state>Leader|Follower|Candidate|Shutdown)\]\.(?: peers=\[(?<peers>[^\]]*)\]|$)/,
    },
    cause:
      'The meta service logs its own line whenever its Raft role changes, even when the library\'s detailed lines are switched off. It gives the node\'s Raft address, the new role and the peer list it knows.',
    impact: 'None by itself; a `Leader` line marks the moment this node took over. Many lines in a short time mean leadership is bouncing.',
    check: ['Does the peer list contain every meta node by the name the others use (not localhost)?', 'How often does the role change? Run a summary over the log.'],
    commands: ['medic status <meta-host>:8091', 'medic logs summarize /var/log/influxdb/influxdb-meta.log'],
    configKeys: ['hostname', '[meta] bind-address'],
    versions: [
      'Seen in the OSS precursor (0.10/0.11, `[metastore]` prefix); the Enterprise wording may differ.',
      '1.2-1.4 write it as an `[I] 2017-...Z` line with `service=metastore` after the peer list.',
    ],
    docs: [DOC_CLUSTERING],
    examples: [
      {
        line: '[metastore] 2016/01/12 15:22:04 Node at meta-01:8089 [Leader]. peers=[meta-01:8089 meta-02:8089 meta-03:8089]',
        values: {addr: 'meta-01:8089', state: 'Leader', peers: 'meta-01:8089 meta-02:8089 meta-03:8089', service: 'metastore'},
      },
      {
        line: '[I] 2017-09-26T08:14:02Z Node at 127.0.0.1:8089 [Leader]. peers=[127.0.0.1:8089] service=metastore',
        values: {addr: '127.0.0.1:8089', state: 'Leader', service: 'metastore', level: 'info'},
      },
      {
        line: '[I] 2017-09-26T08:14:05Z Node at meta-02:8089 [Follower]. peers=[meta-01:8089 meta-02:8089 meta-03:8089] service=metastore',
        values: {addr: 'meta-02:8089', state: 'Follower', peers: 'meta-01:8089 meta-02:8089 meta-03:8089', service: 'metastore'},
      },
    ],
  },
  {
    id: 'raft-quorum-lost',
    title: 'The Raft leader could not reach a majority of meta nodes and stepped down',
    verdict: 'critical',
    category: 'raft',
    where: 'meta',
    match: {keywords: ['Failed to contact quorum of nodes', 'failed to contact quorum of nodes'], pattern: /[Ff]ailed to contact quorum of nodes, stepping down/},
    cause:
      'The leader checks that it has heard from a majority of the meta nodes (itself included) within `leader-lease-timeout` (500ms by default). That check failed, so it stopped being leader rather than risk acting on stale authority. The `Failed to contact <peer>` lines just before it name the nodes it lost.',
    impact:
      'The meta cluster is leaderless until a majority can talk again. Nothing that changes meta data works: new shard groups (so writes for a new time range fail), DDL, user and permission changes, node joins, the CQ lease. Reads and writes to existing shards continue from the data nodes\' cached meta data. With three meta nodes, losing two means this state lasts until one comes back.',
    check: [
      'Which meta nodes are down or unreachable? Check each one\'s /status and process.',
      CHECK_8089,
      'Was this leader itself stalled (long GC, swap, CPU starvation, a slow disk under raft.db)? A leader that freezes for longer than the lease loses quorum even on a healthy network.',
      'Latency between meta nodes close to or above `leader-lease-timeout`?',
    ],
    commands: [
      'medic status <meta-host>:8091   # for every meta node',
      'influxd-ctl show',
      "journalctl -u influxdb-meta --since '-15 min'",
      'nc -vz <other-meta-host> 8089',
    ],
    configKeys: RAFT_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING, DOC_META_CONFIG, 'enterprise_influxdb/v1/introduction/installation_requirements/'],
    examples: [
      {line: '[metastore] 2016/09/19 09:12:40 [WARN] raft: Failed to contact quorum of nodes, stepping down', values: {service: 'metastore', level: 'warn'}},
      {line: '2021-03-04T05:10:00.500Z [WARN]  raft: failed to contact quorum of nodes, stepping down'},
    ],
  },
  {
    id: 'raft-peer-contact-lost',
    title: 'The Raft leader has not heard from a meta node for longer than the leader lease',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Failed to contact'], pattern: new RegExp(String.raw`Failed to contact (?<peer>${PEER}) in (?<duration>\S+)`)},
      {keywords: ['failed to contact: server-id='], pattern: /failed to contact: server-id=(?<peer>\S+) time=(?<duration>\S+)/},
    ],
    cause:
      'The leader tracks when each follower last answered. This one has been silent for the given time, more than `leader-lease-timeout` (500ms). The follower is down, paused, or port 8089 between the two is blocked or dropping packets. After three lease periods hashicorp/raft logs it at DEBUG instead of WARN.',
    impact:
      'One silent follower out of three leaves the leader with a majority: nothing stops, but the cluster has no spare. If a majority goes silent, the leader steps down (`Failed to contact quorum of nodes`). The silent follower catches up by itself once it is reachable again.',
    check: ['Is the meta process on {peer} running? Its own log at the same time.', CHECK_8089, 'Does the duration keep growing (node gone) or stay near the lease (a slow or lossy link)?'],
    commands: ['medic status <peer-host>:8091', 'nc -vz <peer-host> 8089', 'influxd-ctl show'],
    configKeys: RAFT_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING, DOC_META_CONFIG],
    examples: [
      {
        line: '[metastore] 2015/07/21 00:09:56 [DEBUG] raft: Failed to contact 10.0.4.25:8088 in 3.326423317s',
        values: {peer: '10.0.4.25:8088', duration: '3.326423317s', level: 'debug', service: 'metastore'},
      },
      {line: '2017/05/02 11:20:31 [WARN] raft: Failed to contact meta-03:8089 in 512.034113ms', values: {peer: 'meta-03:8089', duration: '512.034113ms', level: 'warn'}},
      {line: '2021-03-04T05:09:59.900Z [WARN]  raft: failed to contact: server-id=10.0.0.13:8089 time=2.503119231s', values: {peer: '10.0.0.13:8089', duration: '2.503119231s'}},
    ],
  },
  {
    id: 'raft-peer-rpc-failed',
    title: 'A Raft message to another meta node failed (AppendEntries, heartbeat or vote request)',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {
        keywords: ['Failed to AppendEntries to', 'Failed to heartbeat to', 'Failed to pipeline AppendEntries to', 'Failed to make RequestVote RPC to'],
        pattern: new RegExp(String.raw`Failed to (?<rpc>AppendEntries|heartbeat|pipeline AppendEntries|make RequestVote RPC) to (?<peer>\{[^}]*\}|\S+?): (?<error>.+)$`),
      },
      {
        keywords: ['failed to appendEntries to', 'failed to heartbeat to', 'failed to pipeline appendEntries', 'failed to make requestVote RPC'],
        pattern: new RegExp(
          String.raw`failed to (?<rpc>appendEntries|heartbeat|pipeline appendEntries|make requestVote RPC)(?: to)?: (?:peer|target)="?(?<peer>${PEER})"?(?:.*? error="(?<error>[^"]*)")?`,
        ),
      },
    ],
    cause:
      'The leader (AppendEntries, heartbeat) or a candidate (RequestVote) could not deliver a Raft message to the named meta node over port 8089. The error says why: `connection refused` means nothing listens there (process down, wrong `[meta] bind-address`); `i/o timeout` or `no route to host` point to a firewall or network problem; a DNS error means the peer\'s advertised `hostname` does not resolve on this node.',
    impact:
      'That follower falls behind and does not count towards the majority. With one peer out of three failing the cluster still works; with two, the leader steps down and meta changes stop. The line repeats (with back-off) until the peer is back.',
    check: [
      'Is the meta process on {peer} running and listening on 8089 (`ss -ltnp` on that host)?',
      CHECK_8089,
      'Does {peer} resolve to the right address from this node? The peer list holds the names the nodes advertised when they were added.',
    ],
    commands: ['nc -vz <peer-host> 8089', 'medic status <peer-host>:8091', "getent hosts <peer-host>", 'influxd-ctl show'],
    configKeys: RAFT_KEYS,
    versions: [...VERSIONS_WORDING, 'From 2016 hashicorp/raft prints the peer as `{Voter <id> <addr>}`; earlier as a bare address.'],
    docs: [DOC_CLUSTERING, 'enterprise_influxdb/v1/administration/configure/ports/'],
    examples: [
      {
        line: '[metastore] 2016/09/19 09:09:01 [ERR] raft: Failed to AppendEntries to 10.0.0.12:8089: dial tcp 10.0.0.12:8089: getsockopt: connection refused',
        values: {rpc: 'AppendEntries', peer: '10.0.0.12:8089', error: 'dial tcp 10.0.0.12:8089: getsockopt: connection refused', level: 'error', service: 'metastore'},
      },
      {
        line: '2017/05/02 11:20:33 [ERR] raft: Failed to heartbeat to {Voter meta-03:8089 meta-03:8089}: dial tcp 10.0.0.13:8089: i/o timeout',
        values: {rpc: 'heartbeat', peer: '{Voter meta-03:8089 meta-03:8089}', error: 'dial tcp 10.0.0.13:8089: i/o timeout'},
      },
      {
        line: '2021-03-04T05:06:09.456Z [ERROR] raft: failed to appendEntries to: peer="{Voter 10.0.0.12:8089 10.0.0.12:8089}" error="dial tcp 10.0.0.12:8089: connect: connection refused"',
        values: {rpc: 'appendEntries', peer: '{Voter 10.0.0.12:8089 10.0.0.12:8089}', error: 'dial tcp 10.0.0.12:8089: connect: connection refused'},
      },
    ],
  },
  {
    id: 'raft-peer-newer-term',
    title: 'The Raft leader learned of a newer term from a peer and stopped leading',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['has newer term, stopping replication'], pattern: new RegExp(String.raw`peer (?<peer>${PEER}) has newer term, stopping replication`)},
      {keywords: ['peer has newer term, stopping replication'], pattern: new RegExp(String.raw`peer has newer term, stopping replication: peer="?(?<peer>${PEER})"?`)},
    ],
    cause:
      'A follower answered with a higher term than the leader\'s, so another election has happened (or is happening) without this node. Common case: a meta node that was cut off or paused kept starting elections, raising its term each time; when it comes back its higher term forces the healthy leader to step down. hashicorp/raft only added pre-vote (which prevents this) in 2024, long after Enterprise 1.x shipped.',
    impact: 'A short leaderless gap and a new election. Harmless once; repeated, it means one meta node keeps dropping off and disrupting the others when it returns.',
    check: ['Which peer: does its log show heartbeat timeouts and elections before this moment? Fix what isolates it (network, pauses).'],
    commands: ['medic logs summarize /var/log/influxdb/influxdb-meta.log', 'medic status <peer-host>:8091'],
    configKeys: RAFT_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2017/05/02 11:21:02 [ERR] raft: peer {Voter meta-03:8089 meta-03:8089} has newer term, stopping replication', values: {peer: '{Voter meta-03:8089 meta-03:8089}', level: 'error'}},
      {line: '2016/09/19 09:20:11 [ERR] raft: peer 10.0.0.13:8089 has newer term, stopping replication', values: {peer: '10.0.0.13:8089'}},
    ],
  },
  {
    id: 'raft-leader-superseded',
    title: 'The Raft leader found out that a new leader was elected and stepped down',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: {keywords: ['New leader elected, stepping down', 'new leader elected, stepping down'], pattern: /[Nn]ew leader elected, stepping down/},
    cause:
      'While confirming its leadership with the followers, this node was told that another meta node now leads a newer term. It was probably isolated or paused long enough for the others to elect someone else.',
    impact: 'Changes that this node was in the middle of committing may fail and must be retried; the new leader serves the meta API from now on.',
    check: ['Why was this node out of touch: its own log just before (pauses, network), the others\' heartbeat timeouts.'],
    commands: ['medic status <meta-host>:8091', 'medic logs summarize /var/log/influxdb/influxdb-meta.log'],
    configKeys: RAFT_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING],
    examples: [{line: '[metastore] 2017/05/02 11:21:03 [WARN] raft: New leader elected, stepping down', values: {level: 'warn'}}],
  },
  {
    id: 'raft-vote-rejected-has-leader',
    title: 'A meta node refused a vote because it still hears a healthy leader',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Rejecting vote request from'], pattern: /Rejecting vote request from (?<candidate>\S+) since we have a leader: (?<leader>\S+)/},
      {keywords: ['rejecting vote request since we have a leader'], pattern: /rejecting vote request since we have a leader: from=(?<candidate>\S+) leader=(?<leader>\S+)/},
    ],
    cause:
      'Another meta node (the candidate) started an election although this node is in regular contact with the leader. So it is the candidate that lost the leader: its own link to the leader is broken or slow, or it was paused. This node ignores the request to protect the working leader.',
    impact:
      'None right away: the leader stays. But the candidate keeps raising its term; when its messages reach the leader it can force a needless re-election.',
    check: ['On {candidate}: heartbeat-timeout lines, and can it reach {leader} on port 8089?', 'Is {candidate} being paused (VM migration, snapshot backups, GC)?'],
    commands: ['nc -vz <leader-host> 8089   # run on the candidate', 'medic status <candidate-host>:8091'],
    configKeys: RAFT_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2017/05/02 11:20:58 [WARN] raft: Rejecting vote request from meta-03:8089 since we have a leader: meta-01:8089', values: {candidate: 'meta-03:8089', leader: 'meta-01:8089'}},
      {
        line: '2021-03-04T05:06:07.300Z [WARN]  raft: rejecting vote request since we have a leader: from=10.0.0.13:8089 leader=10.0.0.11:8089 leader-id=10.0.0.11:8089',
        values: {candidate: '10.0.0.13:8089', leader: '10.0.0.11:8089'},
      },
    ],
  },
  {
    id: 'raft-vote-rejected-stale-log',
    title: 'A meta node refused a vote because the candidate\'s Raft log is behind',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Rejecting vote request from'], pattern: /Rejecting vote request from (?<candidate>\S+) since our last (?<reason>term|index) is greater \((?<ours>\d+), (?<theirs>\d+)\)/},
      {keywords: ['rejecting vote request since our last'], pattern: /rejecting vote request since our last (?<reason>term|index) is greater/},
    ],
    cause:
      'Raft only lets a node lead if its log holds everything that may have been committed. The candidate\'s last log entry is older (by term or index) than this node\'s, so it cannot win; a node with a newer log will.',
    impact: 'None: a node that was down or cut off comes back behind the others and loses its first election, which is how it should be.',
    check: ['Does an election complete shortly afterwards on another meta node?'],
    commands: ['medic status <meta-host>:8091'],
    configKeys: RAFT_TIMING_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {
        line: '[metastore] 2017/05/02 11:21:04 [WARN] raft: Rejecting vote request from meta-03:8089 since our last index is greater (5321, 5190)',
        values: {candidate: 'meta-03:8089', reason: 'index', ours: 5321, theirs: 5190},
      },
    ],
  },
  {
    id: 'raft-no-known-peers',
    title: 'A meta node skipped an election because it is not (or no longer) a voting member',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['aborting election'], pattern: /(?<reason>no known peers|not part of stable configuration), aborting election/},
      {keywords: ['Aborting election'], pattern: /(?<reason>no known peers)\. Aborting election/},
    ],
    cause:
      'Its election timer fired, but it has no Raft configuration (the node was never added with `influxd-ctl add-meta`) or the current configuration does not list it as a voter (it was removed with `remove-meta`). A node in that position never campaigns.',
    impact:
      'On a fresh meta node that has not been added yet: none, it waits to be joined (its API answers 503 meanwhile). On a node that should be a member: it takes no part in the meta cluster, which is running with one node fewer than you think.',
    check: ['Should this node be a member? `influxd-ctl show` on another meta node lists the members.', 'Was its meta dir (raft.db, peers.json) wiped or replaced?'],
    commands: ['influxd-ctl show', 'medic status <meta-host>:8091', 'influxd-ctl add-meta <meta-host>:8091   # on an existing member, if it should join'],
    configKeys: ['[meta] dir', 'hostname'],
    versions: [...VERSIONS_WORDING, '2015 text: `EnableSingleNode disabled, and no known peers. Aborting election.`'],
    docs: [DOC_FAQ, 'enterprise_influxdb/v1/administration/manage/clusters/replacing-nodes/'],
    examples: [
      {line: '[metastore] 2016/10/04 09:10:58 [WARN] raft: no known peers, aborting election', values: {reason: 'no known peers'}},
      {line: '2017/05/02 12:00:01 [WARN] raft: not part of stable configuration, aborting election', values: {reason: 'not part of stable configuration'}},
    ],
  },
  {
    id: 'raft-append-rejected-older-logs',
    title: 'A follower\'s Raft log did not match: the leader is sending older entries',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['rejected, sending older logs'], pattern: new RegExp(String.raw`AppendEntries to (?<peer>${PEER}) rejected, sending older logs \(next: (?<next>\d+)\)`)},
      {keywords: ['appendEntries rejected, sending older logs'], pattern: new RegExp(String.raw`appendEntries rejected, sending older logs: peer="?(?<peer>${PEER})"? next=(?<next>\d+)`)},
    ],
    cause:
      'The leader sent entries that assume the follower already has the one before them; the follower does not (it restarted, was away or holds entries from an old term), so the leader steps back and resends from an earlier index.',
    impact: 'None while it converges within seconds. The same peer rejecting forever means it cannot catch up (for example a snapshot install keeps failing).',
    check: ['Does the line stop after a few repetitions for {peer}? Look for snapshot errors on that peer if not.'],
    commands: ['medic status <peer-host>:8091'],
    configKeys: RAFT_TIMING_KEYS,
    versions: VERSIONS_WORDING,
    docs: [DOC_CLUSTERING],
    examples: [{line: '[metastore] 2017/05/02 11:22:10 [WARN] raft: AppendEntries to meta-03:8089 rejected, sending older logs (next: 5191)', values: {peer: 'meta-03:8089', next: 5191}}],
  },
  {
    id: 'raft-install-snapshot-failed',
    title: 'A Raft snapshot could not be transferred to or installed on a meta node',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Failed to install snapshot'], pattern: /Failed to install snapshot (?<snapshot>\S+?): (?<error>.+)$/},
      {keywords: ['InstallSnapshot to'], pattern: new RegExp(String.raw`InstallSnapshot to (?<peer>${PEER}) rejected`)},
      {keywords: ['installSnapshot rejected to'], pattern: new RegExp(String.raw`installSnapshot rejected to: peer="?(?<peer>${PEER})"?`)},
    ],
    cause:
      'A follower was so far behind that the leader no longer had the log entries it needed and sent it a full snapshot of the meta store instead. Receiving or restoring that snapshot failed: a disk problem or full disk in the meta dir, permissions, or the transfer broke off.',
    impact: 'That meta node cannot catch up and stays out of the majority until the snapshot goes through. It will keep retrying.',
    check: ['Free space and permissions of `[meta] dir` (snapshots/ below it) on the follower.', 'Is the network between the two stable for the whole transfer?'],
    commands: ['df -h /var/lib/influxdb/meta', 'ls -la /var/lib/influxdb/meta/snapshots', 'medic status <peer-host>:8091'],
    configKeys: ['[meta] dir', '[meta] consensus-timeout'],
    versions: VERSIONS_WORDING,
    docs: [DOC_META_CONFIG],
    examples: [
      {
        line: '[metastore] 2017/05/02 11:25:00 [ERR] raft: Failed to install snapshot 4-5190-1493724300123: write /var/lib/influxdb/meta/snapshots/4-5190-1493724300123.tmp/state.bin: no space left on device',
        values: {snapshot: '4-5190-1493724300123', error: 'write /var/lib/influxdb/meta/snapshots/4-5190-1493724300123.tmp/state.bin: no space left on device'},
      },
      {line: '[metastore] 2017/05/02 11:25:00 [ERR] raft: InstallSnapshot to meta-03:8089 rejected', values: {peer: 'meta-03:8089'}},
    ],
  },
  {
    id: 'meta-leadership-lost-during-commit',
    title: 'A meta change failed because the leader lost leadership while committing it',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: {keywords: ['leadership lost while committing log'], pattern: /leadership lost while committing log/},
    cause:
      'The meta leader had appended the change (a join, a shard group, a user change...) to its Raft log but was deposed before a majority confirmed it. hashicorp/raft then fails the request with this error; the change may or may not have survived under the new leader.',
    impact:
      'The operation that got this answer did not report success. During `add-meta`/`join` it often happens when adding the second node changes the majority and the leader briefly loses it. Nothing else is damaged.',
    check: ['Is there a stable leader now (all /status answers agree)?', 'Did the change land anyway? `influxd-ctl show` for joins, SHOW DATABASES / SHOW USERS for DDL.'],
    commands: ['medic status <meta-host>:8091', 'influxd-ctl show', 'influxd-ctl add-meta <meta-host>:8091   # retry once the leader is stable'],
    configKeys: RAFT_TIMING_KEYS,
    versions: ['Seen as a 500 answer to POST /join in the OSS precursor (0.10).'],
    docs: [DOC_CLUSTERING, 'enterprise_influxdb/v1/tools/influxd-ctl/'],
    examples: [
      {line: '500 {"error":"leadership lost while committing log"}', values: {httpStatus: 500}},
      {line: 'add-meta: operation exited with error: leadership lost while committing log', values: {service: 'influxd-ctl'}},
    ],
  },
  {
    id: 'meta-no-leader',
    title: 'The meta cluster has no Raft leader (no leader)',
    verdict: 'critical',
    category: 'meta',
    where: 'meta',
    // `etcdserver: no leader` (Kubernetes' etcd) is another program's Raft: not this entry.
    match: {
      keywords: ['no leader', 'No leader'],
      // 0.9's cluster also said it in its own words: `no leader detected during fetchMetaData`, `no leader available for
      // reporting timeout`.
      pattern: /(?:(?:^|(?<!etcdserver): )[Nn]o leader\.?$|\bno leader (?:detected during fetchMetaData|available for reporting)\b)/,
    },
    cause:
      'A request needed the meta leader (anything that changes meta data, the CQ lease, a data node\'s poll) and the node that got it knows of no leader. Either no election has completed (a majority of meta nodes is down or cannot reach each other on 8089), or this meta node has never been added to a cluster.',
    impact:
      'Before the meta nodes are joined (`add-meta`), this is expected and harmless. On a running cluster it is an outage of the meta store: no shard groups for new time ranges (writes there fail), no DDL, no user changes, no joins. Writes and queries on existing shards carry on.',
    check: [
      'Is the cluster being set up right now? Then the answer turns into a leader once the meta nodes are added.',
      'Otherwise: how many meta nodes are up, and do their /status answers show a leader? A majority (2 of 3) must be reachable on port 8089.',
      'Look for quorum-loss and election lines in the meta logs.',
    ],
    commands: ['medic status <meta-host>:8091   # for every meta node', 'curl -s http://<meta-host>:8091/status', 'influxd-ctl show'],
    configKeys: RAFT_KEYS,
    versions: ['The meta API answers 503 when it has no leader; the body text `no leader` comes from the OSS precursor and is assumed for Enterprise.'],
    docs: [DOC_FAQ, DOC_CLUSTERING],
    examples: [
      {line: '{"error":"no leader"}'},
      {line: 'no leader'},
    ],
  },
  {
    id: 'metaclient-snapshot-failed',
    title: 'A data node could not fetch the meta data from a meta node',
    verdict: 'warning',
    category: 'meta',
    where: 'data',
    match: [
      {keywords: ['failure getting snapshot from'], pattern: /failure getting snapshot from(?: (?<server>\S+?))?: (?<error>.+)$/},
      // influxdb-cluster (1.8+): `Failure getting snapshot` with server= and error= fields.
      {keywords: ['Failure getting snapshot'], pattern: /^Failure getting snapshot(?:: (?<error>.+))?$/},
    ],
    cause:
      'Each data node keeps a copy of the meta data and long-polls the meta nodes for changes (GET /?index=N on port 8091). This poll failed against the named meta node; the client sleeps briefly and tries the next meta node in its list. Usual errors: connection refused (meta process down), timeouts (firewall), a TLS error (`[meta] meta-tls-enabled` not matching the meta node\'s `https-enabled`), 401/403 (meta auth on, secrets not matching), or no leader.',
    impact:
      'A single failure is harmless: another meta node answers. If every meta node fails, the data node works from stale meta data: it misses new databases, retention policies, shard groups and users until the poll succeeds again.',
    check: [
      'Can the data node reach {server}? `curl` the status from the data node itself.',
      'Do the TLS and auth settings on the data node (`[meta] meta-tls-enabled`, `meta-auth-enabled`, `meta-internal-shared-secret`) match the meta nodes?',
      'Does the meta list the data node polls (client.json in its meta dir) still name the current meta nodes?',
    ],
    commands: ['curl -sv http://{server}/status', 'medic status {server}', 'cat /var/lib/influxdb/meta/client.json'],
    configKeys: ['[meta] meta-tls-enabled', '[meta] meta-insecure-tls', '[meta] meta-auth-enabled', '[meta] meta-internal-shared-secret', '[meta] dir'],
    versions: ['Text from the OSS precursor\'s meta client (`[metaclient]` prefix); the exact 1.5+ wording of Enterprise is not public.'],
    docs: [DOC_CLUSTERING, 'enterprise_influxdb/v1/administration/configure/config-data-nodes/'],
    examples: [
      {
        line: '[metaclient] 2016/10/18 10:35:21 failure getting snapshot from meta-01:8091: Get http://meta-01:8091?index=1234: dial tcp 10.0.0.11:8091: getsockopt: connection refused',
        values: {server: 'meta-01:8091', error: 'Get http://meta-01:8091?index=1234: dial tcp 10.0.0.11:8091: getsockopt: connection refused', service: 'metaclient'},
      },
      {
        line: 'Oct 18 10:35:22 data-01 influxd[2817]: [metaclient] 2016/10/18 10:35:22 failure getting snapshot from meta-02:8091: Get http://meta-02:8091?index=1234: net/http: request canceled while waiting for connection',
        values: {server: 'meta-02:8091', host: 'data-01'},
      },
    ],
  },
  {
    id: 'metaclient-connecting',
    title: 'A data node is opening its meta client',
    verdict: 'expected',
    category: 'lifecycle',
    where: 'data',
    match: {keywords: ['Connecting to meta service'], pattern: /^Connecting to meta service$/},
    cause: 'At start-up the data node reads the list of meta nodes it was given by `influxd-ctl add-data` (client.json in `[meta] dir`) and starts polling them for the meta data.',
    impact: 'None. It is followed by `Could not connect to meta service` when the node has not been added to a cluster yet.',
    check: ['Does the node log `Failure getting snapshot` right after? Then the meta nodes in client.json are not reachable.'],
    commands: ['cat /var/lib/influxdb/meta/client.json', 'influxd-ctl show'],
    configKeys: ['[meta] dir'],
    versions: ['Wording of the influxdb-cluster meta client (1.8+); Enterprise release notes 1.7.8 mention logging data nodes\' connections to meta nodes.'],
    docs: [DOC_CLUSTERING],
    examples: [{line: 'ts=2021-07-03T10:05:29.666000Z lvl=info msg="Connecting to meta service" log_id=0V6y7ktG000 service=metaclient', values: {service: 'metaclient'}}],
  },
  {
    id: 'metaclient-not-added',
    title: 'A data node has no list of meta nodes yet (not added to a cluster)',
    verdict: 'info',
    category: 'meta',
    where: 'data',
    match: {keywords: ['Could not connect to meta service'], pattern: /^Could not connect to meta service(?::? ?(?<error>.+))?$/},
    cause:
      'The data node could not load client.json from `[meta] dir`, the list of meta nodes that `influxd-ctl add-data` gives it. On a node that was never added this is expected: it serves HTTP and waits, and the warning stops once `influxd-ctl add-data <host>:8088` is run against a meta node. The file can also be missing after the meta dir was moved or wiped, or unreadable.',
    impact: 'Until the node is added it owns no shards: writes and queries sent to it fail for lack of meta data (databases are unknown to it).',
    check: ['Was `influxd-ctl add-data` run for this node (does `influxd-ctl show` list it)?', 'If it was: is `[meta] dir` the folder that holds client.json, and is the file readable by the influxdb user?'],
    commands: ['influxd-ctl show', 'influxd-ctl add-data <this-node>:8088', 'ls -l /var/lib/influxdb/meta/'],
    configKeys: ['[meta] dir'],
    versions: ['Wording of the influxdb-cluster meta client (1.8+); Enterprise docs say a removed data node logs errors until it is added again.'],
    docs: [DOC_CLUSTERING, 'enterprise_influxdb/v1/administration/manage/renaming/'],
    examples: [
      {
        line: 'ts=2021-07-03T10:05:29.666000Z lvl=warn msg="Could not connect to meta service" log_id=0V6y7ktG000 service=metaclient error="open /var/lib/influxdb/meta/client.json: no such file or directory"',
        values: {error: 'open /var/lib/influxdb/meta/client.json: no such file or directory', service: 'metaclient'},
      },
    ],
  },
  {
    id: 'meta-tls-handshake-error',
    title: 'A TLS handshake on the meta (or data) HTTP port failed',
    verdict: 'warning',
    category: 'meta',
    where: 'meta',
    match: {
      keywords: ['TLS handshake error from'],
      // Plain HTTP sent to the HTTPS port is http-https-mismatch.
      pattern: /http: TLS handshake error from (?<client>\[[^\]]+\]|[^\s:]+):(?<port>[^\s:]{1,16}): (?!tls: (?:oversized record|first record does not look like a TLS handshake))(?<error>.+)$/,
    },
    cause:
      'Go\'s HTTP server logs this when a client connects to an HTTPS port and the handshake fails. The error tells which side gave up: `remote error: tls: bad certificate` or `unknown certificate authority` means the client rejected this server\'s certificate (most often the certificate does not name the `hostname` the client used, or the client does not trust its CA); `first record does not look like a TLS handshake` means the client spoke plain HTTP; `EOF` is usually a TCP health check. With 127.0.0.1 as the client it is typically the node\'s own processes or influxd-ctl on the same host.',
    impact:
      'That connection failed. If it comes from other nodes or influxd-ctl, joins, meta polling or cluster commands fail with it; from a load balancer probe it is noise.',
    check: [
      'Which client is {client}? A cluster node, influxd-ctl, a load balancer?',
      'Does the certificate cover the name in `hostname` (and the names other nodes use)? `openssl s_client` shows it.',
      'Do clients use TLS: data nodes `[meta] meta-tls-enabled = true`, influxd-ctl `-bind-tls` (`-k` only to skip verification)?',
    ],
    commands: [
      'openssl s_client -connect <meta-host>:8091 -servername <meta-host> </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName',
      'medic config check /etc/influxdb/influxdb-meta.conf',
      'influxd-ctl -bind-tls -bind <meta-host>:8091 show',
    ],
    configKeys: ['hostname', '[meta] https-enabled', '[meta] https-certificate', '[meta] https-private-key', '[meta] meta-tls-enabled', '[meta] meta-insecure-tls'],
    versions: ['1.12.3 added `[meta] https-insecure-certificate` to accept self-signed certificates.'],
    client: 'If your tool connects to an HTTPS node, trust its CA and use the host name written in its certificate; skipping verification only hides a real mismatch.',
    docs: [DOC_TLS, DOC_META_CONFIG],
    examples: [
      {
        line: '2017/08/02 14:11:05 http: TLS handshake error from 127.0.0.1:58036: remote error: tls: bad certificate',
        values: {client: '127.0.0.1', port: 58036, error: 'remote error: tls: bad certificate'},
      },
      {
        line: 'Aug  2 14:11:05 meta-01 influxd-meta[912]: 2017/08/02 14:11:05 http: TLS handshake error from 10.0.0.21:42718: EOF',
        values: {client: '10.0.0.21', host: 'meta-01', process: 'influxd-meta', error: 'EOF'},
      },
    ],
  },
]
