/**
 * Catalogue entries: hashicorp/raft lines about membership changes (add-meta / remove-meta as Raft sees them),
 * snapshots and log compaction, vote bookkeeping, pre-vote and leadership transfer, which raft.ts does not cover.
 *
 * Why a file of its own: raft.ts holds the lines operators meet while troubleshooting (elections, lost contact, RPC
 * failures); the lines here are mostly the ordinary life of a healthy meta cluster. They are recognised so that a
 * rehearsal with `medic dev` or a customer's log with `[meta] cluster-tracing = true` does not drown in unknown lines.
 *
 * Each entry accepts the classic wording (`[INFO] raft: Added peer ...`, which the dev cluster writes inside all three
 * of its log shapes) and, where raft-notes.md §4.2 gives it, the hclog wording (`raft: added peer, starting
 * replication: peer=...`). Patterns are not anchored, because a legacy line keeps `raft: ` in front of the text. The
 * entries that share a keyword with raft.ts (`Rejecting vote request from`) have patterns that cannot both match.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_CLUSTERING = 'enterprise_influxdb/v1/concepts/clustering/'
const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'
const DOC_CTL = 'enterprise_influxdb/v1/tools/influxd-ctl/'
const DOC_REPLACE = 'enterprise_influxdb/v1/administration/manage/clusters/replacing-nodes/'

const META_LOG = '/var/log/influxdb/influxdb-meta.log'
const RAFT_TIMING_KEYS = ['[meta] heartbeat-timeout', '[meta] election-timeout', '[meta] leader-lease-timeout', '[meta] commit-timeout']

/** A peer as hashicorp/raft prints it: a `{Voter <id> <addr>}` struct (2016+) or a bare address. */
const PEER = String.raw`\{[^}]*\}|[^\s"]+`
/** The `%+v` of a server list: `[{Suffrage:Voter ID:a Address:a} {Suffrage:Voter ID:b Address:b}]`; the group holds the inside. */
const SERVERS = String.raw`\[(?<servers>[^\]]*)\]`

const WORDING = [
  'Classic hashicorp/raft (up to v1.1.1) writes `[INFO] raft: Text with capitals ...`; v1.1.2 and later write hclog lines, `raft: lower-case text: key=value`. Both are recognised; which one a given Enterprise release vendors is not public.',
  'hashicorp/raft\'s own lines are only written with `[meta] cluster-tracing = true` (OSS precursor behaviour, assumed for Enterprise). The medic dev cluster always writes them.',
]

export const membershipEntries: CatalogueEntry[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // Membership: the Raft side of add-meta and remove-meta
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'raft-configuration-updated',
    title: 'The Raft leader appended a new membership (voter list) to the log',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {
        keywords: ['Updating configuration'],
        pattern: new RegExp(
          String.raw`Updating configuration (?:\(index=(?<index>\d+)\)|with (?<command>\w+) \((?<serverId>[^,()]*), (?<serverAddr>[^()]*)\)) to ${SERVERS}`,
        ),
      },
      {
        keywords: ['updating configuration: command='],
        pattern: new RegExp(
          String.raw`updating configuration: command=(?<command>\S+) server-id=(?<serverId>\S*) server-addr=(?<serverAddr>\S*) servers="?${SERVERS}`,
        ),
      },
    ],
    cause:
      'A membership change reached Raft: `influxd-ctl add-meta` adds a voter, `remove-meta` removes one (the command names it: AddStaging or AddVoter, AddNonvoter, DemoteVoter, RemoveServer). The leader writes the complete new server list as a log entry and uses it at once, before it is committed; followers log the same text when the entry reaches them. The list in brackets is the membership from now on.',
    impact:
      'None when a node is being added or removed on purpose. The majority changes with the list: going from 2 to 3 voters keeps the majority at 2, going from 3 to 4 raises it to 3. Until the entry commits, no further membership change is accepted.',
    check: [
      'Does the new list hold every meta node you expect, each once, under the address the other nodes can reach (not localhost)?',
      'Was a change being made at this time (add-meta, remove-meta, a node replacement)? An unexpected change means someone ran influxd-ctl.',
      'Is it followed by a `Configuration at index N committed` or by the next change? A list that never commits points to a lost majority.',
    ],
    commands: ['influxd-ctl show', 'medic status <meta-host>:8091', `medic logs summarize ${META_LOG}`],
    configKeys: ['hostname', '[meta] bind-address'],
    versions: [
      ...WORDING,
      'The medic dev cluster writes `Updating configuration (index=N) to [...]` (the log index instead of the command), because its membership changes do not carry hashicorp\'s command names.',
    ],
    docs: [DOC_CLUSTERING, DOC_CTL],
    examples: [
      {
        line: '[metastore] 2026/11/22 01:48:06 [INFO] raft: Updating configuration (index=6) to [{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189} {Suffrage:Voter ID:127.0.0.1:23289 Address:127.0.0.1:23289}]',
        values: {index: 6, servers: '{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189} {Suffrage:Voter ID:127.0.0.1:23289 Address:127.0.0.1:23289}', service: 'metastore', level: 'info'},
      },
      {
        line: 'ts=2026-11-22T01:48:06.010000Z lvl=info msg="Updating configuration (index=8) to [{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189} {Suffrage:Voter ID:127.0.0.1:23289 Address:127.0.0.1:23289} {Suffrage:Voter ID:127.0.0.1:23389 Address:127.0.0.1:23389}]" log_id=8DuLOLWpN3N service=metastore',
        values: {index: 8, service: 'metastore', logId: '8DuLOLWpN3N'},
      },
      {
        line: '{"lvl":"info","ts":"2026-11-22T01:48:05.778000Z","msg":"Updating configuration (index=1) to [{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189}]","log_id":"8DuLOLWpN3N","service":"metastore"}',
        values: {index: 1, servers: '{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189}', service: 'metastore'},
      },
      {
        line: '2017/05/02 11:00:01 [INFO] raft: Updating configuration with AddStaging (meta-03:8089, meta-03:8089) to [{Suffrage:Voter ID:meta-01:8089 Address:meta-01:8089} {Suffrage:Voter ID:meta-02:8089 Address:meta-02:8089} {Suffrage:Voter ID:meta-03:8089 Address:meta-03:8089}]',
        values: {command: 'AddStaging', serverId: 'meta-03:8089', serverAddr: 'meta-03:8089'},
      },
      {
        line: '2021-03-04T05:06:07.123Z [INFO]  raft: updating configuration: command=RemoveServer server-id=10.0.0.13:8089 server-addr= servers="[{Suffrage:Voter ID:10.0.0.11:8089 Address:10.0.0.11:8089} {Suffrage:Voter ID:10.0.0.12:8089 Address:10.0.0.12:8089}]"',
        values: {command: 'RemoveServer', serverId: '10.0.0.13:8089', servers: '{Suffrage:Voter ID:10.0.0.11:8089 Address:10.0.0.11:8089} {Suffrage:Voter ID:10.0.0.12:8089 Address:10.0.0.12:8089}'},
      },
    ],
  },
  {
    id: 'raft-configuration-committed',
    title: 'A Raft membership is committed (or was loaded at start-up)',
    verdict: 'expected',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Configuration at index'], pattern: new RegExp(String.raw`Configuration at index (?<index>\d+) committed: ${SERVERS}`)},
      {keywords: ['Initial configuration (index='], pattern: new RegExp(String.raw`Initial configuration \(index=(?<index>\d+)\): ${SERVERS}`)},
      {keywords: ['initial configuration: index='], pattern: new RegExp(String.raw`initial configuration: index=(?<index>\d+) servers="?${SERVERS}`)},
    ],
    cause:
      'A membership entry written by an earlier `Updating configuration` line has reached a majority, so the server list is now final; or, at start-up, the node read the last membership from its Raft state in the meta dir (`Initial configuration`).',
    impact: 'None. From here on the leader accepts the next membership change, and the listed servers are the ones that vote.',
    check: ['Does the committed list hold every meta node you expect, under reachable addresses?'],
    commands: ['influxd-ctl show', 'medic status <meta-host>:8091'],
    configKeys: ['hostname', '[meta] dir'],
    versions: [
      ...WORDING,
      '`Configuration at index N committed` is the medic dev cluster\'s debug line; hashicorp/raft logs no line when a membership commits. `Initial configuration` is hashicorp\'s.',
    ],
    docs: [DOC_CLUSTERING],
    examples: [
      {
        line: '[metastore] 2026/11/22 01:48:06 [DEBUG] raft: Configuration at index 8 committed: [{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189} {Suffrage:Voter ID:127.0.0.1:23289 Address:127.0.0.1:23289} {Suffrage:Voter ID:127.0.0.1:23389 Address:127.0.0.1:23389}]',
        values: {index: 8, level: 'debug', service: 'metastore'},
      },
      {
        line: 'ts=2026-11-22T01:48:06.090000Z lvl=debug msg="Configuration at index 8 committed: [{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189}]" log_id=8DuLOLWpN3N service=metastore',
        values: {index: 8, servers: '{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189}', level: 'debug'},
      },
      {
        line: '{"lvl":"debug","ts":"2026-11-22T01:48:06.090000Z","msg":"Configuration at index 6 committed: [{Suffrage:Voter ID:127.0.0.1:23189 Address:127.0.0.1:23189}]","log_id":"8DuLOLWpN3N","service":"metastore"}',
        values: {index: 6, level: 'debug'},
      },
      {
        line: '[metastore] 2017/05/02 11:10:00 [INFO] raft: Initial configuration (index=5190): [{Suffrage:Voter ID:meta-01:8089 Address:meta-01:8089} {Suffrage:Voter ID:meta-02:8089 Address:meta-02:8089}]',
        values: {index: 5190},
      },
      {
        line: '2021-03-04T05:06:00.000Z [INFO]  raft: initial configuration: index=12 servers="[{Suffrage:Voter ID:10.0.0.11:8089 Address:10.0.0.11:8089}]"',
        values: {index: 12, servers: '{Suffrage:Voter ID:10.0.0.11:8089 Address:10.0.0.11:8089}'},
      },
    ],
  },
  {
    id: 'raft-peer-added',
    title: 'The Raft leader started replicating to a newly added meta node',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Added peer'], pattern: new RegExp(String.raw`Added peer (?<peer>${PEER}), starting replication`)},
      {keywords: ['added peer, starting replication'], pattern: new RegExp(String.raw`added peer, starting replication: peer="?(?<peer>${PEER})"?`)},
    ],
    cause:
      'Right after a membership change that adds a server, the leader opens a replication stream to it. The new node starts with an empty log, so the first AppendEntries it gets are rejected (`rejected, sending older logs`) until the leader has walked back to where its log begins, or it is sent a snapshot.',
    impact: 'None. The new node counts towards the majority from the moment it is in the membership, even before it has caught up: add meta nodes one at a time and let each catch up.',
    check: ['Does {peer} catch up (its /status names the leader, `influxd-ctl show` lists it) within a few seconds?', 'Can the leader reach {peer} on port 8089?'],
    commands: ['influxd-ctl show', 'medic status <new-meta-host>:8091', 'nc -vz <new-meta-host> 8089'],
    configKeys: ['hostname', '[meta] bind-address'],
    versions: WORDING,
    docs: [DOC_CLUSTERING, DOC_CTL],
    examples: [
      {line: '[metastore] 2026/11/22 01:48:06 [INFO] raft: Added peer 127.0.0.1:23289, starting replication', values: {peer: '127.0.0.1:23289', service: 'metastore', level: 'info'}},
      {line: 'ts=2026-11-22T01:48:06.011000Z lvl=info msg="Added peer 127.0.0.1:23289, starting replication" log_id=8DuLOLWpN3N service=metastore', values: {peer: '127.0.0.1:23289', logId: '8DuLOLWpN3N'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:48:06.082000Z","msg":"Added peer 127.0.0.1:23389, starting replication","log_id":"8DuLOLWpN3N","service":"metastore"}', values: {peer: '127.0.0.1:23389'}},
      {line: '2021-03-04T05:06:07.200Z [INFO]  raft: added peer, starting replication: peer=10.0.0.13:8089', values: {peer: '10.0.0.13:8089'}},
    ],
  },
  {
    id: 'raft-peer-removed',
    title: 'The Raft leader stopped replicating to a removed meta node',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Removed peer'], pattern: new RegExp(String.raw`Removed peer (?<peer>${PEER}), stopping replication after (?<lastIndex>\d+)`)},
      {
        keywords: ['removed peer, stopping replication'],
        pattern: new RegExp(String.raw`removed peer, stopping replication: peer="?(?<peer>${PEER})"?(?: last-index=(?<lastIndex>\d+))?`),
      },
    ],
    cause:
      'A membership change dropped this server (`influxd-ctl remove-meta`). The leader sends it the entries up to the given index, so that it learns of its own removal, and then stops talking to it.',
    impact:
      'The cluster has one voter fewer and the majority is recomputed. If the removed process keeps running it is harmless: the others ignore its vote requests (`since node is not in configuration` / `not a voter`). Stop it, and wipe its meta dir before reusing the machine as a meta node.',
    check: ['Was {peer} removed on purpose?', 'Is the remaining number of meta nodes odd (3 or 5)? With 2 left, losing either stops all meta changes.'],
    commands: ['influxd-ctl show', 'medic status <meta-host>:8091'],
    configKeys: ['[meta] dir'],
    versions: WORDING,
    docs: [DOC_REPLACE, DOC_CTL],
    examples: [
      {line: '[metastore] 2026/11/22 01:52:10 [INFO] raft: Removed peer 127.0.0.1:23289, stopping replication after 42', values: {peer: '127.0.0.1:23289', lastIndex: 42}},
      {line: 'ts=2026-11-22T01:52:10.000000Z lvl=info msg="Removed peer 127.0.0.1:23289, stopping replication after 42" log_id=8DuLOLWpN3N service=metastore', values: {peer: '127.0.0.1:23289', lastIndex: 42}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:52:10.000000Z","msg":"Removed peer 127.0.0.1:23389, stopping replication after 57","log_id":"8DuLOLWpN3N","service":"metastore"}', values: {peer: '127.0.0.1:23389', lastIndex: 57}},
      {line: '2021-03-04T05:20:00.000Z [INFO]  raft: removed peer, stopping replication: peer=10.0.0.13:8089 last-index=5301', values: {peer: '10.0.0.13:8089', lastIndex: 5301}},
    ],
  },
  {
    id: 'raft-removed-self',
    title: 'The Raft leader was removed from the membership and stepped down',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Removed ourself', 'removed ourself'], pattern: /[Rr]emoved ourself, (?<action>transitioning to follower|shutting down)/},
    ],
    cause:
      'The membership that removes this node has committed, and this node was the leader that committed it. It stops leading (or, when the library is set to shut down on removal, stops Raft altogether); the remaining meta nodes elect a new leader among themselves.',
    impact: 'A short leaderless gap while the others elect a leader, as after any leader change. This node takes no further part in the meta cluster.',
    check: ['Did the remaining nodes elect a leader (all their /status answers agree)?', 'Stop this meta process if it is being retired.'],
    commands: ['influxd-ctl show', 'medic status <other-meta-host>:8091'],
    configKeys: [],
    versions: [...WORDING, 'The OSS precursor set hashicorp\'s ShutdownOnRemove to false, so `transitioning to follower` is the expected form.'],
    docs: [DOC_REPLACE],
    examples: [
      {line: '[metastore] 2026/11/22 01:53:00 [INFO] raft: Removed ourself, transitioning to follower', values: {action: 'transitioning to follower', service: 'metastore'}},
      {line: 'ts=2026-11-22T01:53:00.000000Z lvl=info msg="Removed ourself, transitioning to follower" log_id=8DuLOLWpN3N service=metastore', values: {action: 'transitioning to follower'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:53:00.000000Z","msg":"Removed ourself, shutting down","service":"metastore"}', values: {action: 'shutting down'}},
      {line: '2021-03-04T05:21:00.000Z [INFO]  raft: removed ourself, transitioning to follower', values: {action: 'transitioning to follower'}},
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Log repair, replication mode, snapshots
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'raft-log-suffix-cleared',
    title: 'A Raft follower dropped uncommitted log entries left by a former leader',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Clearing log suffix'], pattern: /Clearing log suffix from (?<from>\d+) to (?<to>\d+)/},
      {keywords: ['clearing log suffix: from='], pattern: /clearing log suffix: from=(?<from>\d+) to=(?<to>\d+)/},
    ],
    cause:
      'This node holds entries (from..to) that an earlier leader wrote but never got committed, typically because that leader crashed or was cut off right after appending them. The new leader\'s log differs at that point, and Raft makes the follower\'s log match the leader\'s by deleting the conflicting tail.',
    impact:
      'None for anything that was acknowledged: only uncommitted entries are dropped, and a client that sent them got an error or no answer, never a success. Such a client should retry (meta changes are idempotent or can be checked).',
    check: ['Was there a leader change just before (heartbeat timeouts, an election)? Then this is the clean-up after it.'],
    commands: [`medic logs summarize ${META_LOG}`, 'medic status <meta-host>:8091'],
    configKeys: RAFT_TIMING_KEYS,
    versions: WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:50:00 [WARN] raft: Clearing log suffix from 12 to 14', values: {from: 12, to: 14, level: 'warn'}},
      {line: 'ts=2026-11-22T01:50:00.000000Z lvl=warn msg="Clearing log suffix from 12 to 14" log_id=tB4qhni_9z9 service=metastore', values: {from: 12, to: 14}},
      {line: '{"lvl":"warn","ts":"2026-11-22T01:50:00.000000Z","msg":"Clearing log suffix from 30 to 31","service":"metastore"}', values: {from: 30, to: 31}},
      {line: '2021-03-04T05:07:00.000Z [WARN]  raft: clearing log suffix: from=12 to=14', values: {from: 12, to: 14}},
    ],
  },
  {
    id: 'raft-follower-log-mismatch',
    title: 'A Raft follower refused entries that do not follow on from its log',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Previous log term mis-match'], pattern: /Previous log term mis-match: ours: (?<ours>\d+) remote: (?<remote>\d+)/},
      {keywords: ['previous log term mis-match'], pattern: /previous log term mis-match: ours=(?<ours>\d+) remote=(?<remote>\d+)/},
      {keywords: ['Failed to get previous log'], pattern: /Failed to get previous log: (?<index>\d+) (?<error>.+?) \(last: (?<last>\d+)\)/},
      {keywords: ['failed to get previous log'], pattern: /failed to get previous log: previous-index=(?<index>\d+) last-index=(?<last>\d+)(?: error="?(?<error>[^"]*)"?)?/},
    ],
    cause:
      'The follower side of `AppendEntries ... rejected, sending older logs`: the leader assumed the follower holds a given entry, and it does not (its log is shorter, or the entry there is from another term). The follower says no and the leader retries from further back.',
    impact: 'None while it settles within seconds; it is how a restarted or lagging meta node catches up.',
    check: ['Does it stop after a few lines? A node that keeps refusing for minutes may need a snapshot that does not arrive.'],
    commands: ['medic status <meta-host>:8091', `medic logs summarize ${META_LOG}`],
    configKeys: [],
    versions: WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2017/05/02 11:22:10 [WARN] raft: Previous log term mis-match: ours: 3 remote: 4', values: {ours: 3, remote: 4}},
      {line: '2017/05/02 11:22:10 [WARN] raft: Failed to get previous log: 5191 log not found (last: 5190)', values: {index: 5191, error: 'log not found', last: 5190}},
      {line: '2021-03-04T05:07:00.000Z [WARN]  raft: failed to get previous log: previous-index=5191 last-index=5190 error="log not found"', values: {index: 5191, last: 5190, error: 'log not found'}},
    ],
  },
  {
    id: 'raft-pipeline-replication',
    title: 'The Raft leader switched replication to a follower on or off pipelining',
    verdict: 'expected',
    category: 'raft',
    where: 'meta',
    match: [
      {
        keywords: ['pipelining replication to peer', 'aborting pipeline replication to peer'],
        pattern: new RegExp(String.raw`(?<mode>pipelining|aborting pipeline) replication to peer (?<peer>${PEER})`),
      },
      {keywords: ['pipelining replication: peer=', 'aborting pipeline replication: peer='], pattern: new RegExp(String.raw`(?<mode>pipelining|aborting pipeline) replication: peer="?(?<peer>${PEER})"?`)},
    ],
    cause:
      'Once a follower has caught up, the leader streams entries to it without waiting for each answer (pipelining). Any error or rejection ends the pipeline and replication falls back to one request at a time until the follower matches again.',
    impact: 'None. An abort now and then follows a restart or a network hiccup; many per minute go with a flaky link to that peer.',
    check: ['Do aborts for {peer} repeat all the time? Check the link on port 8089.'],
    commands: ['nc -vz <peer-host> 8089'],
    configKeys: [],
    versions: WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2016/09/19 09:09:02 [INFO] raft: pipelining replication to peer {Voter meta-02:8089 meta-02:8089}', values: {mode: 'pipelining', peer: '{Voter meta-02:8089 meta-02:8089}'}},
      {line: '[metastore] 2016/09/19 09:12:40 [INFO] raft: aborting pipeline replication to peer {Voter meta-03:8089 meta-03:8089}', values: {mode: 'aborting pipeline', peer: '{Voter meta-03:8089 meta-03:8089}'}},
      {line: '2021-03-04T05:06:09.000Z [INFO]  raft: pipelining replication: peer="{Voter 10.0.0.12:8089 10.0.0.12:8089}"', values: {mode: 'pipelining', peer: '{Voter 10.0.0.12:8089 10.0.0.12:8089}'}},
    ],
  },
  {
    id: 'raft-snapshot-taken',
    title: 'A meta node took, loaded or pruned a local Raft snapshot (routine log compaction)',
    verdict: 'expected',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Starting snapshot up to'], pattern: /Starting snapshot up to (?<index>\d+)/},
      {keywords: ['starting snapshot up to: index='], pattern: /starting snapshot up to: index=(?<index>\d+)/},
      {keywords: ['Snapshot to'], pattern: /Snapshot to (?<index>\d+) complete/},
      {keywords: ['snapshot complete up to: index='], pattern: /snapshot complete up to: index=(?<index>\d+)/},
      {keywords: ['Compacting logs from'], pattern: /Compacting logs from (?<from>\d+) to (?<to>\d+)/},
      {keywords: ['compacting logs: from='], pattern: /compacting logs: from=(?<from>\d+) to=(?<to>\d+)/},
      {keywords: ['Creating new snapshot at'], pattern: /Creating new snapshot at (?<path>\S+)/},
      {keywords: ['creating new snapshot: path='], pattern: /creating new snapshot: path=(?<path>\S+)/},
      {keywords: ['reaping snapshot'], pattern: /reaping snapshot:? (?:path=)?(?<path>\S+)/},
      {keywords: ['Restored from snapshot'], pattern: /Restored from snapshot (?<snapshot>\S+)/},
    ],
    cause:
      'To keep the Raft log from growing forever, each meta node regularly writes the whole meta store to a snapshot file (by default once 8192 entries have been applied since the last one, checked every couple of minutes), then deletes the log entries the snapshot covers, keeping a tail for lagging followers. Older snapshot files are removed (reaped). At start-up a node loads its newest snapshot before replaying the log (`Restored from snapshot`).',
    impact: 'None. The meta store is small, so a snapshot takes milliseconds to seconds.',
    check: ['Errors next to these lines (a full disk, permissions on the meta dir) are what matters, not these lines.'],
    commands: ['ls -la /var/lib/influxdb/meta/snapshots', 'df -h /var/lib/influxdb/meta'],
    configKeys: ['[meta] dir'],
    versions: [
      ...WORDING,
      'The medic dev cluster writes only `Snapshot to N complete` (its snapshot threshold is configurable); `Starting snapshot`, `Compacting logs` and the `snapshot:` file-store lines are hashicorp\'s.',
    ],
    docs: [DOC_META_CONFIG],
    examples: [
      {line: '[metastore] 2026/11/22 02:10:00 [INFO] raft: Snapshot to 8192 complete', values: {index: 8192, service: 'metastore'}},
      {line: 'ts=2026-11-22T02:10:00.000000Z lvl=info msg="Snapshot to 8192 complete" log_id=tB4qhni_9z9 service=metastore', values: {index: 8192}},
      {line: '{"lvl":"info","ts":"2026-11-22T02:10:00.000000Z","msg":"Snapshot to 40 complete","service":"metastore"}', values: {index: 40}},
      {line: '[metastore] 2017/05/02 12:00:00 [INFO] raft: Starting snapshot up to 8192', values: {index: 8192}},
      {line: '[metastore] 2017/05/02 12:00:00 [INFO] raft: Compacting logs from 1 to 10240', values: {from: 1, to: 10240}},
      {line: '[metastore] 2017/05/02 12:00:00 [INFO] snapshot: Creating new snapshot at /var/lib/influxdb/meta/snapshots/4-8192-1493726400000.tmp', values: {path: '/var/lib/influxdb/meta/snapshots/4-8192-1493726400000.tmp'}},
      {line: '2021-03-04T06:00:00.000Z [INFO]  raft: snapshot complete up to: index=8192', values: {index: 8192}},
      {line: '2021-03-04T06:00:00.000Z [INFO]  raft: compacting logs: from=1 to=10240', values: {from: 1, to: 10240}},
      {line: '[metastore] 2017/05/02 12:00:01 [INFO] snapshot: reaping snapshot /var/lib/influxdb/meta/snapshots/3-4096-1493720000000', values: {path: '/var/lib/influxdb/meta/snapshots/3-4096-1493720000000'}},
    ],
  },
  {
    id: 'raft-snapshot-transfer',
    title: 'A lagging meta node was brought up to date with a full Raft snapshot',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Sending snapshot'], pattern: new RegExp(String.raw`Sending snapshot (?<index>\d+) to (?<peer>${PEER})`)},
      {keywords: ['Installed remote snapshot'], pattern: /Installed remote snapshot/},
      {keywords: ['bytes to local snapshot'], pattern: /Copied (?<bytes>\d+) bytes to local snapshot/},
      {keywords: ['copied to local snapshot: bytes='], pattern: /copied to local snapshot: bytes=(?<bytes>\d+)/},
    ],
    cause:
      'A follower was so far behind (down for a long time, or new and empty) that the leader had already compacted away the entries it needed. The leader sends its latest snapshot instead (`Sending snapshot`), and the follower replaces its meta store with it (`Installed remote snapshot`), then continues from the log as usual.',
    impact: 'None once installed. While the transfer runs, that follower does not help form a majority.',
    check: ['Is `Installed remote snapshot` logged on the follower shortly after the leader\'s `Sending snapshot`? If not, look for snapshot errors on both sides.'],
    commands: ['medic status <follower-host>:8091', 'df -h /var/lib/influxdb/meta'],
    configKeys: ['[meta] dir', '[meta] consensus-timeout'],
    versions: [...WORDING, '`Sending snapshot N to <peer>` is the medic dev cluster\'s wording for the leader side; the other texts are hashicorp\'s follower side.'],
    docs: [DOC_META_CONFIG],
    examples: [
      {line: '[metastore] 2026/11/22 02:11:00 [INFO] raft: Sending snapshot 120 to {Voter 127.0.0.1:23289 127.0.0.1:23289}', values: {index: 120, peer: '{Voter 127.0.0.1:23289 127.0.0.1:23289}'}},
      {line: 'ts=2026-11-22T02:11:00.000000Z lvl=info msg="Sending snapshot 120 to {Voter 127.0.0.1:23289 127.0.0.1:23289}" log_id=tB4qhni_9z9 service=metastore', values: {index: 120, peer: '{Voter 127.0.0.1:23289 127.0.0.1:23289}'}},
      {line: '{"lvl":"info","ts":"2026-11-22T02:11:00.000000Z","msg":"Installed remote snapshot","service":"metastore"}', values: {service: 'metastore'}},
      {line: '[metastore] 2026/11/22 02:11:00 [INFO] raft: Installed remote snapshot', values: {service: 'metastore', level: 'info'}},
      {line: '[metastore] 2017/05/02 11:25:03 [INFO] raft: Copied 48213 bytes to local snapshot', values: {bytes: 48213}},
      {line: '2021-03-04T06:01:00.000Z [INFO]  raft: copied to local snapshot: bytes=48213', values: {bytes: 48213}},
    ],
  },
  {
    id: 'raft-snapshot-send-failed',
    title: 'The Raft leader could not send a snapshot to a lagging meta node',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: {keywords: ['Failed to install snapshot to'], pattern: new RegExp(String.raw`Failed to install snapshot to (?<peer>${PEER}?): (?<error>.+)$`)},
    cause:
      'The follower needs a full snapshot to catch up (see raft-snapshot-transfer), and sending it failed: the follower went away, the connection on port 8089 broke during the transfer, or the follower could not store it.',
    impact: 'That meta node stays behind and out of the majority; the leader tries again. The rest of the cluster is not affected while a majority remains.',
    check: ['Is {peer} up and reachable on port 8089?', 'Free space and permissions of the meta dir on {peer}.'],
    commands: ['medic status <peer-host>:8091', 'nc -vz <peer-host> 8089', 'df -h /var/lib/influxdb/meta'],
    configKeys: ['[meta] dir'],
    versions: ['The medic dev cluster\'s wording; classic hashicorp/raft names the snapshot id instead of the peer (see raft-install-snapshot-failed).'],
    docs: [DOC_META_CONFIG],
    examples: [
      {
        line: '[metastore] 2026/11/22 02:12:00 [ERR] raft: Failed to install snapshot to {Voter 127.0.0.1:23289 127.0.0.1:23289}: dial tcp 127.0.0.1:23289: connect: connection refused',
        values: {peer: '{Voter 127.0.0.1:23289 127.0.0.1:23289}', error: 'dial tcp 127.0.0.1:23289: connect: connection refused', level: 'error'},
      },
      {
        line: 'ts=2026-11-22T02:12:00.000000Z lvl=error msg="Failed to install snapshot to {Voter 127.0.0.1:23289 127.0.0.1:23289}: i/o timeout" log_id=tB4qhni_9z9 service=metastore',
        values: {peer: '{Voter 127.0.0.1:23289 127.0.0.1:23289}', error: 'i/o timeout'},
      },
      {
        line: '{"lvl":"error","ts":"2026-11-22T02:12:00.000000Z","msg":"Failed to install snapshot to {Voter 127.0.0.1:23389 127.0.0.1:23389}: socket hang up","service":"metastore"}',
        values: {peer: '{Voter 127.0.0.1:23389 127.0.0.1:23389}', error: 'socket hang up'},
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------------------------
  // Elections: votes, terms, pre-vote, leadership transfer
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'raft-vote-granted',
    title: 'A Raft candidate received a vote (or worked out how many it needs)',
    verdict: 'expected',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Vote granted'], pattern: /Vote granted(?: from (?<from>\S+) in term (?<term>\d+))?\. Tally: (?<tally>\d+)/},
      {keywords: ['vote granted: from='], pattern: /vote granted: from=(?<from>\S+) term=(?<term>\d+) tally=(?<tally>\d+)/},
      {keywords: ['Votes needed:'], pattern: /Votes needed: (?<needed>\d+)/},
      {keywords: ['calculated votes needed: needed='], pattern: /calculated votes needed: needed=(?<needed>\d+)(?: term=(?<term>\d+))?/},
    ],
    cause:
      'During an election the candidate counts the votes it receives, its own included; the tally is the count so far. Once it reaches a majority of the voters it logs `Election won`.',
    impact: 'None: part of every election.',
    check: ['Does an `Election won` line follow? If the tally stays short of a majority, see raft-election-timeout.'],
    commands: [`medic logs summarize ${META_LOG}`],
    configKeys: RAFT_TIMING_KEYS,
    versions: [...WORDING, 'The 2015 classic text had no voter and no term: `Vote granted. Tally: N`.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:48:08 [DEBUG] raft: Vote granted from 127.0.0.1:23389 in term 3. Tally: 2', values: {from: '127.0.0.1:23389', term: 3, tally: 2, level: 'debug'}},
      {line: 'ts=2026-11-22T01:48:08.330000Z lvl=debug msg="Vote granted from 127.0.0.1:23389 in term 3. Tally: 2" log_id=~0Bil1wkoAP service=metastore', values: {from: '127.0.0.1:23389', term: 3, tally: 2}},
      {line: '{"lvl":"debug","ts":"2026-11-22T01:48:08.330000Z","msg":"Vote granted from 127.0.0.1:23189 in term 4. Tally: 2","service":"metastore"}', values: {from: '127.0.0.1:23189', term: 4, tally: 2}},
      {line: '[metastore] 2015/07/21 00:09:57 [DEBUG] raft: Vote granted. Tally: 2', values: {tally: 2}},
      {line: '2021-03-04T05:06:07.250Z [DEBUG] raft: vote granted: from=10.0.0.11:8089 term=7 tally=2', values: {from: '10.0.0.11:8089', term: 7, tally: 2}},
      {line: '[metastore] 2016/09/19 09:08:53 [DEBUG] raft: Votes needed: 2', values: {needed: 2}},
    ],
  },
  {
    id: 'raft-duplicate-vote-request',
    title: 'A meta node got a second vote request for a term it has already voted in',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Duplicate RequestVote'], pattern: /Duplicate RequestVote (?:for same term: (?<term>\d+)|from candidate: (?<candidate>\S+))/},
      {keywords: ['duplicate requestVote'], pattern: /duplicate requestVote (?:for same term: term=(?<term>\d+)|from: candidate=(?<candidate>\S+))/},
    ],
    cause:
      'Each node votes at most once per term and remembers that vote on disk. Here a request arrived for a term it has already voted in: either the same candidate asked again (a retry), which it confirms, or another candidate of the same term asked, which it refuses. Two candidates in one term means their election timers fired together and the vote is split.',
    impact: 'None by itself. Split votes cost one more election round (one to two election timeouts); they are resolved by the randomised timers.',
    check: ['Does an `Election won` follow within a few seconds? Repeated split votes suggest the election timeout is too tight for the link.'],
    commands: [`medic logs summarize ${META_LOG}`],
    configKeys: RAFT_TIMING_KEYS,
    versions: WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:48:14 [INFO] raft: Duplicate RequestVote for same term: 7', values: {term: 7, level: 'info'}},
      {line: 'ts=2026-11-22T01:48:14.210000Z lvl=info msg="Duplicate RequestVote for same term: 7" log_id=tB4qhni_9z9 service=metastore', values: {term: 7}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:48:14.210000Z","msg":"Duplicate RequestVote for same term: 4","service":"metastore"}', values: {term: 4}},
      {line: '2017/05/02 11:20:59 [WARN] raft: Duplicate RequestVote from candidate: meta-03:8089', values: {candidate: 'meta-03:8089'}},
      {line: '2021-03-04T05:06:07.300Z [INFO]  raft: duplicate requestVote for same term: term=7', values: {term: 7}},
    ],
  },
  {
    id: 'raft-newer-term-discovered',
    title: 'A Raft candidate or leader saw a newer term and fell back to follower',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Newer term discovered', 'newer term discovered'], pattern: /[Nn]ewer term discovered, fallback to follower(?:: term=(?<term>\d+))?/},
      {keywords: ['lost leadership because received a requestVote with a newer term'], pattern: /lost leadership because received a requestVote with a newer term/},
    ],
    cause:
      'A message from another meta node carried a higher term than this node\'s, which means an election in a later term has started elsewhere. Raft requires a node to adopt the higher term and become a follower at once, whatever it was doing.',
    impact: 'This node stops campaigning (or leading); the node with the newer term, or another one, wins. If it was leading, its pending changes may fail and need a retry.',
    check: ['Which node raised the term, and why: its heartbeat timeouts just before. A node that was paused or cut off often comes back with a higher term and forces an election.'],
    commands: [`medic logs summarize ${META_LOG}`, 'medic status <meta-host>:8091'],
    configKeys: RAFT_TIMING_KEYS,
    versions: WORDING,
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:48:14 [DEBUG] raft: Newer term discovered, fallback to follower', values: {level: 'debug', service: 'metastore'}},
      {line: 'ts=2026-11-22T01:48:14.211000Z lvl=debug msg="Newer term discovered, fallback to follower" log_id=tB4qhni_9z9 service=metastore', values: {level: 'debug'}},
      {line: '{"lvl":"debug","ts":"2026-11-22T01:48:14.211000Z","msg":"Newer term discovered, fallback to follower","service":"metastore"}', values: {service: 'metastore'}},
      {line: '2021-03-04T05:06:07.400Z [DEBUG] raft: newer term discovered, fallback to follower: term=8', values: {term: 8}},
    ],
  },
  {
    id: 'raft-pre-vote',
    title: 'A meta node ran a Raft pre-vote before (maybe) starting an election',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Starting pre-vote'], pattern: /Starting pre-vote for term (?<term>\d+)/},
      {
        keywords: ['pre-vote successful', 'pre-vote campaign failed'],
        pattern: /pre-vote (?<outcome>successful, starting election|campaign failed, waiting for election timeout)(?:: term=(?<term>\d+) tally=(?<tally>\d+) refused=(?<refused>\d+) votesNeeded=(?<needed>\d+))?/,
      },
    ],
    cause:
      'Before raising its term, a node that lost its leader asks the others whether they would vote for it, without changing anything on their side. Only when a majority says yes does it start a real election. A failed pre-vote means the others still hear a leader (or have a newer log): this node was the one cut off or paused, and by staying quiet it avoids forcing a needless re-election when it comes back.',
    impact: 'None. A failed pre-vote is the mechanism working: the healthy leader stays in place. Repeated failures on the same node mean that node cannot hear the leader; look at its network or at pauses.',
    check: ['On a failed pre-vote: can this node reach the leader on port 8089, and was it paused (SIGSTOP, VM freeze, GC)?'],
    commands: ['medic status <meta-host>:8091', 'nc -vz <leader-host> 8089'],
    configKeys: RAFT_TIMING_KEYS,
    versions: [
      'hashicorp/raft added pre-vote in v1.7.0 (2024), long after Enterprise 1.x shipped, so real Enterprise logs are unlikely to show these lines.',
      'The medic dev cluster runs pre-vote by default and writes `Starting pre-vote for term N` (debug) and the hclog-style `pre-vote campaign failed, ...` text.',
    ],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:48:11 [DEBUG] raft: Starting pre-vote for term 5', values: {term: 5, level: 'debug'}},
      {line: 'ts=2026-11-22T01:48:11.841000Z lvl=debug msg="Starting pre-vote for term 5" log_id=tB4qhni_9z9 service=metastore', values: {term: 5}},
      {
        line: '[metastore] 2026/11/22 01:48:12 [INFO] raft: pre-vote campaign failed, waiting for election timeout: term=5 tally=1 refused=1 votesNeeded=2',
        values: {outcome: 'campaign failed, waiting for election timeout', term: 5, tally: 1, refused: 1, needed: 2},
      },
      {
        line: '{"lvl":"info","ts":"2026-11-22T01:48:12.000000Z","msg":"pre-vote campaign failed, waiting for election timeout: term=5 tally=1 refused=2 votesNeeded=2","service":"metastore"}',
        values: {term: 5, refused: 2},
      },
      {line: '2024-07-01T10:00:00.000Z [INFO]  raft: pre-vote successful, starting election: term=9 tally=2 refused=0 votesNeeded=2', values: {outcome: 'successful, starting election', term: 9, tally: 2}},
    ],
  },
  {
    id: 'raft-vote-rejected-not-voter',
    title: 'A meta node refused a vote to a node that is not a voting member',
    verdict: 'warning',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Rejecting vote request from'], pattern: /Rejecting vote request from (?<candidate>\S+) since node is not (?<reason>in configuration|a voter)/},
      {keywords: ['rejecting vote request since node is not'], pattern: /rejecting vote request since node is not (?<reason>in configuration|a voter): from=(?<candidate>\S+)/},
    ],
    cause:
      'A process that is not in the current membership asked for votes. Usually a meta node that was removed (`remove-meta`) but is still running, or a node whose advertised Raft address changed (a new `hostname` or bind port) so that it no longer matches the address it was added under. The members ignore it.',
    impact:
      'No harm to the cluster, which keeps its leader. But the candidate is a meta node you think is in the cluster and is not: it answers with stale data and keeps campaigning.',
    check: [
      'Is {candidate} in `influxd-ctl show`? If not, was it removed on purpose, or was it added under another address?',
      'Compare the `hostname` and `[meta] bind-address` of that node with the address the membership lists.',
    ],
    commands: ['influxd-ctl show', 'medic status <candidate-host>:8091', 'influxd-ctl add-meta <candidate-host>:8091   # if it should be a member, after wiping its meta dir'],
    configKeys: ['hostname', '[meta] bind-address', '[meta] dir'],
    versions: WORDING,
    docs: [DOC_REPLACE, DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:55:00 [WARN] raft: Rejecting vote request from 127.0.0.1:23289 since node is not in configuration', values: {candidate: '127.0.0.1:23289', reason: 'in configuration', level: 'warn'}},
      {line: 'ts=2026-11-22T01:55:00.000000Z lvl=warn msg="Rejecting vote request from 127.0.0.1:23289 since node is not in configuration" log_id=8DuLOLWpN3N service=metastore', values: {candidate: '127.0.0.1:23289'}},
      {line: '{"lvl":"warn","ts":"2026-11-22T01:55:00.000000Z","msg":"Rejecting vote request from 127.0.0.1:23389 since node is not in configuration","service":"metastore"}', values: {candidate: '127.0.0.1:23389'}},
      {line: '2021-03-04T05:30:00.000Z [WARN]  raft: rejecting vote request since node is not a voter: from=10.0.0.14:8089', values: {candidate: '10.0.0.14:8089', reason: 'a voter'}},
    ],
  },
  {
    id: 'raft-leadership-transfer',
    title: 'The Raft leader is handing leadership over to another meta node',
    verdict: 'info',
    category: 'raft',
    where: 'meta',
    match: [
      {keywords: ['Starting leadership transfer to'], pattern: new RegExp(String.raw`Starting leadership transfer to (?<peer>${PEER})`)},
      {keywords: ['starting leadership transfer: id='], pattern: /starting leadership transfer: id=(?<peer>\S+)(?: address=(?<addr>\S+))?/},
    ],
    cause:
      'The leader was asked to step aside (typically before it is stopped or removed). It brings the chosen follower fully up to date and tells it to start an election at once, which that follower wins without waiting for a timeout.',
    impact: 'A leader change of a few milliseconds instead of the one to three seconds a crash costs. Changes sent during the hand-over are refused and must be retried.',
    check: ['Does {peer} report itself leader shortly after?'],
    commands: ['medic status <meta-host>:8091'],
    configKeys: [],
    versions: ['hashicorp/raft gained leadership transfer in 2019 and logs it at debug level (`starting leadership transfer: id=... address=...`); the classic-style text is the medic dev cluster\'s.'],
    docs: [DOC_CLUSTERING],
    examples: [
      {line: '[metastore] 2026/11/22 01:56:00 [INFO] raft: Starting leadership transfer to {Voter 127.0.0.1:23289 127.0.0.1:23289}', values: {peer: '{Voter 127.0.0.1:23289 127.0.0.1:23289}'}},
      {line: 'ts=2026-11-22T01:56:00.000000Z lvl=info msg="Starting leadership transfer to {Voter 127.0.0.1:23289 127.0.0.1:23289}" log_id=8DuLOLWpN3N service=metastore', values: {peer: '{Voter 127.0.0.1:23289 127.0.0.1:23289}'}},
      {line: '{"lvl":"info","ts":"2026-11-22T01:56:00.000000Z","msg":"Starting leadership transfer to {Voter 127.0.0.1:23389 127.0.0.1:23389}","service":"metastore"}', values: {peer: '{Voter 127.0.0.1:23389 127.0.0.1:23389}'}},
      {line: '2021-03-04T05:40:00.000Z [DEBUG] raft: starting leadership transfer: id=10.0.0.12:8089 address=10.0.0.12:8089', values: {peer: '10.0.0.12:8089', addr: '10.0.0.12:8089'}},
    ],
  },
]
