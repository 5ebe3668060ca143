/**
 * Catalogue entries: configuration and licence errors that stop influxd / influxd-meta at start-up, and the kernel
 * limit (vm.max_map_count) that many shards run into. Start-up errors are printed once to stderr as
 * `run: <step>: <error>` and the process exits, so they usually sit at the end of a journal or a container log.
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_DATA_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-data-nodes/'
const DOC_META_CONFIG = 'enterprise_influxdb/v1/administration/configure/config-meta-nodes/'

const CHECK_ENV = 'Environment overrides win over the file: `INFLUXDB_<SECTION>_<KEY>` variables set in the unit file, /etc/default/influxdb(-meta) or the container.'

export const configEntries: CatalogueEntry[] = [
  {
    id: 'config-dir-not-set',
    title: 'The process refused to start: a required directory setting is empty',
    verdict: 'critical',
    category: 'config',
    where: 'any',
    match: {keywords: ['Dir must be specified'], pattern: /(?<setting>HintedHandoff\.Dir|Meta\.Dir|Data\.Dir|Data\.WALDir) must be specified/},
    cause:
      'Config validation found an empty directory setting and stopped the process before it opened anything. The names map to config keys: `HintedHandoff.Dir` is `[hinted-handoff] dir` (checked while hinted handoff is enabled), `Meta.Dir` is `[meta] dir` (data nodes need one too, for their local copy of the meta data), `Data.Dir` and `Data.WALDir` are `[data] dir` and `[data] wal-dir`. Typical reasons: a trimmed config file without the section, a section header that is commented out, or the service reading another file than the one you edited. (An empty `INFLUXDB_*` variable does not cause it: the open-source override code skips empty values.)',
    impact: 'The node does not start. Nothing on disk was touched.',
    check: [
      'Is the section present and its header uncommented in the file the service really reads (`-config` in the unit file)?',
      CHECK_ENV,
    ],
    commands: [
      'medic config check /etc/influxdb/influxdb.conf',
      'influxd config > /tmp/influxdb.defaults.conf   # the defaults, to copy the missing section from',
      "env | grep '^INFLUXDB_'; systemctl cat influxdb",
    ],
    configKeys: ['[hinted-handoff] dir', '[hinted-handoff] enabled', '[meta] dir', '[data] dir', '[data] wal-dir'],
    versions: ['Since 1.0.1 most keys ship commented out and 1.2.0 uncommented the section headers: configs written for 1.0/1.1 are the usual victims.'],
    docs: [DOC_DATA_CONFIG, DOC_META_CONFIG],
    examples: [
      {
        line: 'run: HintedHandoff.Dir must be specified. To generate a valid configuration file run `influxd config > influxdb.generated.conf`.',
        values: {setting: 'HintedHandoff.Dir'},
      },
      {
        line: 'Mar  2 04:11:09 data-01 influxd[2817]: run: Meta.Dir must be specified. To generate a valid configuration file run `influxd config > influxdb.generated.conf`.',
        values: {setting: 'Meta.Dir', host: 'data-01', pid: 2817},
      },
    ],
  },
  {
    id: 'config-duration-unknown-unit',
    title: 'A duration in the config file uses a unit Go does not know (u, µ, d...)',
    verdict: 'critical',
    category: 'config',
    where: 'any',
    match: {keywords: ['time: unknown unit'], pattern: /time: unknown unit "?(?<unit>[^"\s]+)"? in duration "?(?<duration>[^"\s]+)"?/},
    cause:
      'Config durations are parsed by Go, which knows only `ns`, `us` (or `µs`), `ms`, `s`, `m` and `h`. The value shown uses something else: `u` or `µ` on their own (`u` works as the write `precision` and both work in InfluxQL, which is why people reach for them, but neither works here), or `d`/`w` for days and weeks, which Go has no unit for.',
    impact: 'The node does not start until the value is fixed.',
    check: ['Find the value in the config file (or an `INFLUXDB_*` variable) and rewrite it: `500us` instead of `500u`, `168h` instead of `7d`.', CHECK_ENV],
    commands: ["grep -nE '\"[0-9]+(u|µ|d|w)\"' /etc/influxdb/influxdb.conf /etc/influxdb/influxdb-meta.conf", 'medic config check /etc/influxdb/influxdb.conf'],
    versions: ['Builds made with newer Go releases put quotes around the unit and the value (`unknown unit "u" in duration "500u"`); both forms are recognised.'],
    docs: ['influxdb/v1/troubleshooting/frequently-asked-questions/', DOC_DATA_CONFIG],
    examples: [
      {line: 'run: parse config: time: unknown unit u in duration 500u', values: {unit: 'u', duration: '500u'}},
      {line: 'Mar  2 04:11:09 meta-01 influxd-meta[701]: run: parse config: time: unknown unit µ in duration 100µ', values: {unit: 'µ', duration: '100µ', host: 'meta-01'}},
      {line: 'run: parse config: time: unknown unit "d" in duration "7d"', values: {unit: 'd', duration: '7d'}},
    ],
  },
  {
    id: 'config-duration-missing-unit',
    title: 'A duration in the config file has no unit',
    verdict: 'critical',
    category: 'config',
    where: 'any',
    match: {keywords: ['time: missing unit in duration', 'time: invalid duration'], pattern: /time: (?:missing unit in duration|invalid duration) "?(?<duration>[^"\s]*)"?/},
    cause:
      'A duration setting was given as a bare number (`"30"`) or as text Go cannot read as a duration. Durations in the config always need a unit: `30s`, `10m`, `168h`. Only the literal `0` is accepted without one.',
    impact: 'The node does not start until the value is fixed.',
    check: ['Which key holds the value? Search the config (and `INFLUXDB_*` variables) for it.', CHECK_ENV],
    commands: ['medic config check /etc/influxdb/influxdb.conf', "grep -nE '= *\"[0-9]+\"' /etc/influxdb/influxdb.conf /etc/influxdb/influxdb-meta.conf"],
    versions: ['Builds made with newer Go releases quote the value in this message; both forms are recognised.'],
    docs: [DOC_DATA_CONFIG, DOC_META_CONFIG],
    examples: [
      {line: 'run: parse config: time: missing unit in duration 30', values: {duration: 30}},
      {line: 'run: parse config: time: invalid duration "ten"', values: {duration: 'ten'}},
    ],
  },
  {
    id: 'config-toml-syntax-error',
    title: 'The config file is not valid TOML',
    verdict: 'critical',
    category: 'config',
    where: 'any',
    match: [
      {keywords: ['Near line'], pattern: /Near line (?<line>\d+) \(last key parsed '(?<key>[^']*)'\): (?<error>.+)$/},
      {keywords: ['toml: line'], pattern: /toml: line (?<line>\d+)(?: \(last key "(?<key>[^"]*)"\))?: (?<error>.+)$/},
    ],
    cause:
      'The TOML parser stopped at the given line. The last key it read successfully is printed; the mistake is at or just after it. Common ones: a string value without quotes (`hostname = meta-01`), a duration or size without quotes, a missing closing quote or bracket, or a key repeated in the same section.',
    impact: 'The node does not start until the file parses.',
    check: ['Look at line {line} of the config file, right after the key `{key}`.', 'Strings and durations must be quoted: `hostname = "meta-01"`, `max-age = "168h"`.'],
    commands: ["sed -n '{line}p' /etc/influxdb/influxdb.conf", 'medic config check /etc/influxdb/influxdb.conf'],
    versions: ['Older builds report `Near line N (last key parsed \'k\')`; newer TOML library versions `toml: line N (last key "k")`.'],
    docs: [DOC_DATA_CONFIG, DOC_META_CONFIG],
    examples: [
      {
        line: "run: parse config: Near line 3 (last key parsed 'hostname'): expected value but found 'm' instead",
        values: {line: 3, key: 'hostname', error: "expected value but found 'm' instead"},
      },
      {line: 'run: parse config: toml: line 12 (last key "meta.dir"): expected a top-level item to end with a newline, comment, or EOF, but got \'v\' instead', values: {line: 12, key: 'meta.dir'}},
    ],
  },
  {
    id: 'config-toml-type-mismatch',
    title: 'A config value or section has the wrong TOML type',
    verdict: 'critical',
    category: 'config',
    where: 'any',
    match: {keywords: ['Type mismatch for'], pattern: /Type mismatch for '(?<key>[^']+)': Expected (?<expected>\S+) but found '(?<found>[^']+)'/},
    cause:
      'The file parses, but a value does not fit the setting. The classic case is a section that may appear several times (`[[graphite]]`, `[[collectd]]`, `[[opentsdb]]`, `[[udp]]`) written with single brackets, which TOML reads as one table instead of a list. Otherwise a number was quoted where an integer is expected, or the other way round.',
    impact: 'The node does not start until the value is fixed.',
    check: ['For `Expected slice but found map`: use double brackets for that section header.', 'For other types: compare with the defaults from `influxd config`.'],
    commands: ['influxd config > /tmp/influxdb.defaults.conf', 'medic config check /etc/influxdb/influxdb.conf'],
    versions: ['Configs carried over from the 0.x era, when `[collectd]` and `[opentsdb]` were single tables, fail this way.'],
    docs: [DOC_DATA_CONFIG],
    examples: [
      {
        line: "run: parse config: Type mismatch for 'run.Config.opentsdb': Expected slice but found 'map[string]interface {}'.",
        values: {key: 'run.Config.opentsdb', expected: 'slice', found: 'map[string]interface {}'},
      },
    ],
  },
  {
    id: 'config-fips-password-hash',
    title: 'A FIPS-enforcing node refused to start with a non-FIPS password hash (bcrypt)',
    verdict: 'critical',
    category: 'config',
    where: 'any',
    match: {keywords: ['not FIPS-ready'], pattern: /passwordhash: not FIPS-ready: config: '(?<passwordHash>[^']*)'/},
    cause:
      'The node is told to insist on FIPS-approved cryptography (`[meta] ensure-fips = true`, or a FIPS build), but `[meta] password-hash` is still `bcrypt`, the default, which is not an approved algorithm. FIPS mode accepts `pbkdf2-sha256` or `pbkdf2-sha512` only.',
    impact: 'The node does not start.',
    check: [
      '`[meta] password-hash` must be the same pbkdf2 variant in the config of every meta and every data node.',
      'After switching, existing passwords keep their bcrypt hash: reset at least the admin passwords, or those users cannot log in under FIPS.',
    ],
    commands: ["grep -nE 'password-hash|ensure-fips' /etc/influxdb/influxdb.conf /etc/influxdb/influxdb-meta.conf", 'medic config check /etc/influxdb/influxdb-meta.conf'],
    configKeys: ['[meta] password-hash', '[meta] ensure-fips'],
    versions: [
      'Selectable password hashing needs 1.10.3 or later on every node; FIPS builds exist from 1.11.',
      'FIPS builds also require a license file (`license-path`), not a license key.',
    ],
    docs: ['enterprise_influxdb/v1/administration/configure/security/configure-password-hashing/', 'enterprise_influxdb/v1/introduction/installation/fips-compliant/'],
    examples: [
      {line: "run: create server: passwordhash: not FIPS-ready: config: 'bcrypt'", values: {passwordHash: 'bcrypt'}},
      {line: "Jul 21 17:20:44 meta-01 influxd-meta[1123]: run: create server: passwordhash: not FIPS-ready: config: 'bcrypt'", values: {passwordHash: 'bcrypt', host: 'meta-01'}},
    ],
  },
  {
    id: 'license-key-verification-failed',
    title: 'The license key could not be verified',
    verdict: 'critical',
    category: 'license',
    where: 'any',
    match: {keywords: ['license key verification failed'], pattern: /license key verification failed(?:: (?<error>.+))?/},
    cause:
      'With `[enterprise] license-key` the node fetches its licence from portal.influxdata.com (ports 80/443) at start and about every 4 hours. The check failed: the key is wrong or expired, or the node cannot reach the portal (no outbound internet, proxy, DNS).',
    impact:
      'A node without a valid licence refuses to start. A running node keeps going for a grace period (4 hours if it never validated, 14 days after a later failed check) and then stops, so a cluster-wide portal outage eventually hits every node.',
    check: [
      'Can the node reach portal.influxdata.com on 443 (and 80)?',
      'Is the key right and current, and the same on every node? Exactly one of `license-key` / `license-path` may be set.',
      'Air-gapped or FIPS nodes: use a licence file with `license-path` instead.',
    ],
    commands: [
      'curl -sSI https://portal.influxdata.com',
      "curl -s http://<data-host>:8086/debug/vars | jq .entitlements   # licenseExpiry and licenseType on a running data node",
      "grep -nE '^\\s*license-(key|path)' /etc/influxdb/influxdb.conf /etc/influxdb/influxdb-meta.conf",
      'medic config check /etc/influxdb/influxdb-meta.conf',
    ],
    configKeys: ['[enterprise] license-key', '[enterprise] license-path'],
    versions: ['Data nodes reload the licence on SIGHUP; meta nodes need a restart to pick up a new one.'],
    docs: ['enterprise_influxdb/v1/introduction/installation/docker/docker-troubleshooting/', 'enterprise_influxdb/v1/administration/renew-license/', DOC_META_CONFIG],
    examples: [
      {line: 'license key verification failed'},
      {line: 'Jan 12 08:00:01 meta-01 influxd-meta[701]: license key verification failed', values: {host: 'meta-01', process: 'influxd-meta'}},
    ],
  },
  {
    id: 'config-raft-timeouts-invalid',
    title: 'The meta node\'s Raft timeouts contradict each other',
    verdict: 'critical',
    category: 'config',
    where: 'meta',
    match: {
      keywords: ['Leader lease timeout cannot be larger than heartbeat timeout', 'Election timeout must be equal or greater than Heartbeat Timeout'],
      pattern: /(?<problem>Leader lease timeout cannot be larger than heartbeat timeout|Election timeout must be equal or greater than Heartbeat Timeout)/,
    },
    cause:
      'The Raft library checks its timeouts before it starts: `leader-lease-timeout` may not exceed `heartbeat-timeout`, and `election-timeout` may not be shorter than `heartbeat-timeout`. Someone raised one of them (typically `heartbeat-timeout` for a slow network) without raising the others.',
    impact: 'The meta service cannot start its Raft store, so the meta node is not usable.',
    check: ['Set them together: election-timeout ≥ heartbeat-timeout ≥ leader-lease-timeout (defaults 1s, 1s, 500ms).', 'Use the same values on every meta node.'],
    commands: ["grep -nE '(election|heartbeat|leader-lease|commit)-timeout' /etc/influxdb/influxdb-meta.conf", 'medic config check /etc/influxdb/influxdb-meta.conf'],
    configKeys: ['[meta] election-timeout', '[meta] heartbeat-timeout', '[meta] leader-lease-timeout', '[meta] commit-timeout'],
    versions: ['Texts from hashicorp/raft\'s config validation (2016 era); how Enterprise wraps them is not public.'],
    docs: [DOC_META_CONFIG],
    examples: [
      {line: 'Leader lease timeout cannot be larger than heartbeat timeout', values: {problem: 'Leader lease timeout cannot be larger than heartbeat timeout'}},
      {line: 'Jun  3 10:00:00 meta-02 influxd-meta[880]: Election timeout must be equal or greater than Heartbeat Timeout', values: {host: 'meta-02'}},
    ],
  },
  {
    id: 'storage-mmap-cannot-allocate',
    title: 'A TSM file could not be memory-mapped (usually vm.max_map_count exhausted by many shards)',
    verdict: 'critical',
    category: 'config',
    where: 'data',
    match: {
      keywords: ['error opening memory map'],
      pattern: /(?:\[shard (?<shardId>\d+)\] )?error opening memory map for file (?<path>\S+): cannot allocate memory/,
    },
    cause:
      'Every TSM file (and TSI index file) of an open shard is memory-mapped, so the number of mappings grows with the number of shards. Linux caps mappings per process with `vm.max_map_count` (65530 by default); once the cap is reached mmap fails with "cannot allocate memory" even though plenty of RAM is free. On small or 32-bit machines the address space itself can also run out.',
    impact:
      'The shard is not opened: its data cannot be queried and writes to it fail. The same limit can make ordinary Go allocations fail and crash the process. Some 1.9 builds even treated such files as corrupt and renamed them to `.tsm.bad`.',
    check: [
      'Compare the mappings in use with the limit (commands below).',
      'How many shards does this node hold? Short shard-group durations and many databases or retention policies multiply them.',
    ],
    commands: [
      'sysctl vm.max_map_count; wc -l < /proc/$(pidof influxd)/maps',
      "sysctl -w vm.max_map_count=262144 && echo 'vm.max_map_count = 262144' > /etc/sysctl.d/90-influxdb.conf",
      'influxd-ctl show-shards | wc -l',
      'find /var/lib/influxdb/data -name "*.tsm.bad"',
    ],
    versions: ['Hitting the limit on 1.9.6 made TSM files be moved aside as corrupt (influxdb issue #23172); check for `.tsm.bad` files after raising the limit.'],
    docs: ['enterprise_influxdb/v1/introduction/installation_requirements/'],
    examples: [
      {
        line: '[store] 2016/03/31 09:40:40 Failed to open shard: 33: [shard 33] error opening memory map for file /var/lib/influxdb/data/crawler_production/default/33/000000646-000000006.tsm: cannot allocate memory',
        values: {shardId: 33, path: '/var/lib/influxdb/data/crawler_production/default/33/000000646-000000006.tsm', service: 'store'},
      },
    ],
  },
]
