// The fixed data set and the queries the conformance test runs against a real influxd and against the executor.
import {Rng} from '../../../../src/util/rng.js'
import type {FieldValue, Point} from './mem-store.js'

const S = 1_000_000_000n
/** Sunday 2019-03-10 21:00:00 UTC: six hours of data cross the Monday start of influxd's 7-day shard groups. */
export const BASE = 1552251600n * S
export const START = '2019-03-10T21:00:00Z'
export const END = '2019-03-11T03:00:00Z'

const STRINGS = ['ok', 'disk <full> & "loud"', 'line\nbreak', 'tab\there', 'ünïcödé ✓', 'back\\slash', '', 'comma, space']

/** Deterministic points: several measurements, tags, float/int/string/bool fields, gaps, two retention policies. */
export function dataset(): {autogen: Point[]; forever: Point[]} {
  const rng = new Rng(7, 'influxql-conformance')
  const autogen: Point[] = []
  const hosts: Array<[string, string]> = [['a', 'us'], ['b', 'us'], ['c', 'eu']]
  // Every 5 s: one series of cpu without GROUP BY holds more than influxd's 10,000-row chunk.
  for (let t = 0n; t < 6n * 3600n; t += 5n) {
    for (const [host, region] of hosts) {
      // host c is silent for an hour: a gap to fill.
      if (host === 'c' && t >= 2n * 3600n && t < 3n * 3600n) continue
      // host b misses single points now and then.
      if (host === 'b' && rng.chance(0.05)) continue
      autogen.push({
        measurement: 'cpu', tags: {host, region},
        fields: {usage_user: Math.round(rng.float(0, 100) * 100) / 100, usage_idle: Math.round(rng.float(0, 100) * 1000) / 1000, load: BigInt(rng.int(-50, 1000))},
        time: BASE + t * S,
      })
    }
  }
  for (let t = 0n; t < 6n * 3600n; t += 60n) {
    for (const host of ['a', 'b']) {
      const fields: Record<string, FieldValue> = {used: BigInt(rng.int(1, 1 << 30)) * 7n, pct: Math.round(rng.float(0, 1) * 10000) / 10000}
      if (rng.chance(0.7)) fields.free = BigInt(rng.int(0, 1 << 30))
      autogen.push({measurement: 'mem', tags: {host}, fields, time: BASE + t * S + 5n * S})
    }
  }
  for (let t = 0n; t < 6n * 3600n; t += 300n) {
    for (const device of ['sda', 'sdb']) {
      autogen.push({measurement: 'disk', tags: {host: 'a', device}, fields: {io_time: BigInt(rng.int(0, 5000)), full: rng.chance(0.3)}, time: BASE + t * S + 1n})
    }
  }
  let et = 0n
  while (et < 6n * 3600n) {
    et += BigInt(rng.int(60, 900))
    const kind = rng.pick(['login', 'logout', 'error'])
    const fields: Record<string, FieldValue> = {msg: rng.pick(STRINGS), ok: rng.chance(0.5), code: BigInt(rng.int(100, 600))}
    autogen.push({measurement: 'events', tags: kind === 'error' ? {kind} : {kind, user: rng.pick(['ann', 'bob'])}, fields, time: BASE + et * S + BigInt(rng.int(0, 1000))})
  }
  // Names that need escaping and quoting.
  for (let k = 0n; k < 20n; k++) {
    autogen.push({measurement: 'we ird,m', tags: {'tag key': k % 2n === 0n ? 'v,al=ue' : 'plain', 'é': 'ü'}, fields: {'f k': Number(k) / 4, n: k}, time: BASE + k * 900n * S})
  }
  const forever: Point[] = []
  for (let t = 0n; t < 6n * 3600n; t += 1800n) {
    forever.push({measurement: 'cpu_1h', tags: {host: 'a'}, fields: {mean_usage: Math.round(rng.float(0, 100) * 100) / 100}, time: BASE + t * S})
  }
  return {autogen, forever}
}

const escMeasurement = (s: string): string => s.replace(/[, ]/g, (c) => '\\' + c)
const escKey = (s: string): string => s.replace(/[, =]/g, (c) => '\\' + c)

function fieldText(v: FieldValue): string {
  if (typeof v === 'number') return String(v)
  if (typeof v === 'bigint') return `${v}i`
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'string') return '"' + v.replace(/[\\"]/g, (c) => '\\' + c) + '"'
  return `${v.unsigned}u`
}

export function lineProtocol(points: Point[]): string[] {
  return points.map((p) => {
    const tags = Object.keys(p.tags).sort().filter((k) => p.tags[k] !== '').map((k) => `,${escKey(k)}=${escKey(p.tags[k])}`).join('')
    const fields = Object.entries(p.fields).map(([k, v]) => `${escKey(k)}=${fieldText(v)}`).join(',')
    return `${escMeasurement(p.measurement)}${tags} ${fields} ${p.time}`
  })
}

const R = `time >= '${START}' AND time < '${END}'`

/** Statements that only read, each run on influxd and on the executor with db=db. */
export function readQueries(): string[] {
  const q: string[] = []
  // Aggregates: every function over float, integer, string and boolean fields, with the groupings clients use.
  const fns = ['count', 'sum', 'mean', 'min', 'max', 'first', 'last', 'spread', 'stddev', 'median']
  for (const fn of fns) {
    q.push(`SELECT ${fn}(usage_user) FROM cpu`)
    q.push(`SELECT ${fn}(load) FROM cpu GROUP BY host`)
    q.push(`SELECT ${fn}(usage_user) FROM cpu WHERE ${R} GROUP BY time(30m)`)
    q.push(`SELECT ${fn}(load) FROM cpu WHERE ${R} GROUP BY time(20m), region fill(none)`)
    q.push(`SELECT ${fn}(msg) FROM events`)
    q.push(`SELECT ${fn}(full) FROM disk GROUP BY device`)
  }
  q.push(`SELECT percentile(usage_user, 90) FROM cpu`, `SELECT percentile(load, 50) FROM cpu GROUP BY host`,
    `SELECT percentile(usage_user, 99.9), percentile(usage_user, 0.01) FROM cpu WHERE ${R} GROUP BY time(1h)`,
    `SELECT percentile(load, 0) FROM cpu`, `SELECT percentile(load, 100) FROM cpu WHERE host = 'a'`)
  // Several calls, arithmetic, aliases.
  q.push(`SELECT mean(usage_user), max(usage_user), min(load), count(load) FROM cpu WHERE ${R} GROUP BY time(1h), host`,
    `SELECT mean(usage_user) * 2 + 1 AS doubled, max(load) - min(load) AS range FROM cpu GROUP BY region`,
    `SELECT sum(load) / count(load) FROM cpu`, `SELECT mean(usage_user) + mean(usage_idle) FROM cpu WHERE ${R} GROUP BY time(2h)`,
    `SELECT count(usage_user) AS n, count(usage_user) FROM cpu`, `SELECT spread(used) / 7, sum(used) FROM mem GROUP BY host`,
    `SELECT max(usage_user), host, region FROM cpu`, `SELECT first(msg), kind FROM events`, `SELECT last(code), msg FROM events WHERE kind = 'error'`,
    `SELECT min(usage_user), load FROM cpu WHERE ${R} GROUP BY time(1h)`)
  // Fill.
  for (const fill of ['null', 'none', 'previous', 'linear', '0', '-1.5', '42']) {
    q.push(`SELECT mean(usage_user) FROM cpu WHERE host = 'c' AND ${R} GROUP BY time(15m) fill(${fill})`)
    q.push(`SELECT count(load), max(load) FROM cpu WHERE host = 'c' AND ${R} GROUP BY time(30m) fill(${fill})`)
  }
  q.push(`SELECT mean(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h, 20m)`, `SELECT mean(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h, -10m)`,
    `SELECT mean(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h) ORDER BY time DESC`,
    `SELECT mean(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h), host ORDER BY time DESC LIMIT 2`,
    `SELECT mean(usage_user) FROM cpu WHERE time >= '${START}' GROUP BY time(1h) fill(none)`,
    `SELECT mean(usage_user) FROM cpu GROUP BY time(2h) fill(none)`, `SELECT count(usage_user) FROM cpu GROUP BY time(3h), * fill(none)`,
    `SELECT mean(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h) LIMIT 3 OFFSET 1`, `SELECT max(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h), host SLIMIT 2 SOFFSET 1`,
    `SELECT mean(usage_user) FROM cpu WHERE time > '${START}' AND time < '2019-03-10T21:20:00Z' GROUP BY time(7m)`,
    `SELECT sum(load) FROM cpu WHERE time >= '2019-03-10T23:58:00Z' AND time <= '2019-03-11T00:02:00Z' GROUP BY time(1m)`)
  // Orders that show: equal times across series, selectors on ties, sort order of percentile(), DESC sums.
  q.push(`SELECT usage_user FROM cpu WHERE time <= '2019-03-10T21:01:00Z' ORDER BY time DESC`, `SELECT * FROM events ORDER BY time DESC LIMIT 5`,
    `SELECT usage_user, host FROM cpu WHERE time < '2019-03-10T21:00:30Z' ORDER BY time DESC`, `SELECT region, usage_idle FROM cpu WHERE time < '2019-03-10T21:00:20Z'`,
    'SELECT last(usage_user), host FROM cpu', 'SELECT first(usage_user) FROM cpu GROUP BY region', 'SELECT last(load) FROM cpu GROUP BY region',
    'SELECT first(usage_idle), last(usage_idle) FROM cpu', 'SELECT percentile(load, 50) FROM cpu', 'SELECT percentile(load, 25), percentile(load, 75) FROM cpu GROUP BY region',
    `SELECT percentile(usage_user, 50) FROM cpu WHERE ${R} GROUP BY time(1h) ORDER BY time DESC`, `SELECT percentile(code, 50), msg FROM events`,
    `SELECT stddev(usage_user) FROM cpu WHERE ${R} GROUP BY time(1h) ORDER BY time DESC`, `SELECT sum(usage_user), mean(usage_idle) FROM cpu WHERE ${R} GROUP BY time(1h), region ORDER BY time DESC`,
    `SELECT max(load), min(load) FROM cpu WHERE ${R} GROUP BY time(1h)`, 'SELECT median(load) FROM cpu GROUP BY region')
  // Wildcards in calls.
  q.push('SELECT count(*) FROM cpu', 'SELECT mean(*) FROM mem GROUP BY host', 'SELECT max(*) FROM disk', 'SELECT first(*) FROM events',
    'SELECT count(/^usage/) FROM cpu', 'SELECT sum(/o/) FROM cpu', `SELECT count(*) FROM cpu WHERE ${R} GROUP BY time(2h)`)
  // Raw selects.
  q.push(`SELECT * FROM cpu WHERE host = 'a' LIMIT 5`, `SELECT * FROM cpu WHERE host = 'b' ORDER BY time DESC LIMIT 3`,
    `SELECT usage_user, host FROM cpu WHERE region = 'eu' LIMIT 4 OFFSET 10`, `SELECT usage_user AS u, load * 2 AS l2 FROM cpu WHERE host = 'a' LIMIT 3`,
    `SELECT load / 3, load % 7, -load, usage_user - usage_idle FROM cpu WHERE host = 'b' LIMIT 5`,
    `SELECT * FROM events`, `SELECT msg, ok FROM events WHERE ok = true`, `SELECT msg FROM events WHERE msg =~ /full|break/`,
    `SELECT code FROM events WHERE code > 400 AND kind != 'error'`, `SELECT * FROM events WHERE user = 'ann' OR kind = 'error'`,
    `SELECT * FROM events WHERE user != 'ann'`, `SELECT * FROM events WHERE user = ''`, `SELECT * FROM events WHERE user =~ /^$/`,
    `SELECT * FROM events WHERE user !~ /a/`, `SELECT * FROM events WHERE kind =~ /^log/ AND code < 300`,
    `SELECT free, used FROM mem WHERE host = 'a' LIMIT 6`, `SELECT free FROM mem WHERE host = 'b' AND free > 500000000 LIMIT 4`,
    `SELECT * FROM mem GROUP BY host LIMIT 2`, `SELECT * FROM mem GROUP BY * SLIMIT 1`, `SELECT used FROM mem GROUP BY host SOFFSET 1 LIMIT 2`,
    `SELECT * FROM disk WHERE full = true AND device = 'sdb' LIMIT 3`, `SELECT io_time FROM disk WHERE io_time >= 4000`,
    `SELECT * FROM "we ird,m"`, `SELECT "f k", n FROM "we ird,m" WHERE "tag key" = 'v,al=ue'`, `SELECT * FROM "we ird,m" GROUP BY "tag key"`,
    `SELECT * FROM /^(mem|disk)$/ LIMIT 2`, `SELECT used, io_time FROM mem, disk LIMIT 3`, `SELECT * FROM db.autogen.disk LIMIT 2`,
    `SELECT * FROM db..disk LIMIT 2`, `SELECT * FROM forever.cpu_1h`, `SELECT * FROM db.forever.cpu_1h WHERE time > '2019-03-11T00:00:00Z'`,
    `SELECT usage_user FROM cpu WHERE time = '2019-03-10T21:00:10Z'`, `SELECT usage_user FROM cpu WHERE time >= 1552251600000000000 AND time <= 1552251620000000000`,
    `SELECT usage_user FROM cpu WHERE time > now() - 100000d AND host = 'a' LIMIT 2`, `SELECT usage_user FROM cpu WHERE time > now()`,
    `SELECT usage_user FROM cpu WHERE '2019-03-10T21:00:30Z' > time AND host = 'a'`, `SELECT usage_user FROM cpu WHERE time < '2019-03-10 21:00:20' AND host = 'c'`,
    `SELECT usage_user FROM cpu WHERE time >= '2019-03-11' AND time < '2019-03-11T00:00:30Z' AND host = 'a'`,
    `SELECT usage_user FROM cpu WHERE (host = 'a' OR host = 'c') AND usage_user > 99`, `SELECT usage_user FROM cpu WHERE host = 'a' AND (usage_user < 1 OR load < -45)`,
    `SELECT time AS t, usage_user FROM cpu WHERE host = 'a' LIMIT 2`, `SELECT usage_user FROM cpu WHERE usage_user = 50.05 OR load = 7`,
    `SELECT nope FROM cpu`, `SELECT nope, usage_user FROM cpu WHERE host = 'a' LIMIT 2`, `SELECT host FROM cpu`, `SELECT * FROM nothing`,
    `SELECT abs(load), floor(usage_user), ceil(usage_user), round(usage_idle), sqrt(usage_user), pow(usage_user, 2) FROM cpu WHERE host = 'b' LIMIT 3`,
    `SELECT usage_user FROM cpu WHERE abs(load) > 900 AND host = 'a'`, `SELECT usage_user, load FROM cpu WHERE host = 'a' LIMIT 3 fill(0)`,
    `SELECT free FROM mem WHERE host = 'b' LIMIT 5 fill(previous)`, `SELECT * FROM cpu WHERE host = 'a' AND region = 'eu'`)
  // SHOW statements.
  q.push('SHOW DATABASES', 'SHOW RETENTION POLICIES', 'SHOW RETENTION POLICIES ON db', 'SHOW MEASUREMENTS', 'SHOW MEASUREMENTS LIMIT 2 OFFSET 1',
    'SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(c|d)/', 'SHOW MEASUREMENTS WITH MEASUREMENT = mem', `SHOW MEASUREMENTS WHERE host = 'a'`,
    `SHOW MEASUREMENTS WHERE device =~ /sd/`, 'SHOW SERIES', 'SHOW SERIES FROM cpu', `SHOW SERIES WHERE host = 'a'`, 'SHOW SERIES LIMIT 3 OFFSET 2',
    'SHOW SERIES FROM /we/', 'SHOW TAG KEYS', 'SHOW TAG KEYS FROM cpu', 'SHOW TAG KEYS LIMIT 1', 'SHOW TAG KEYS FROM events OFFSET 1',
    `SHOW TAG KEYS WHERE host = 'a'`, 'SHOW TAG VALUES WITH KEY = host', 'SHOW TAG VALUES FROM cpu WITH KEY IN (host, region)',
    'SHOW TAG VALUES WITH KEY =~ /^(host|kind)$/', 'SHOW TAG VALUES WITH KEY != host', `SHOW TAG VALUES WITH KEY = host WHERE region = 'us'`,
    'SHOW TAG VALUES FROM events WITH KEY = user LIMIT 1', 'SHOW TAG VALUES WITH KEY = "tag key"', 'SHOW FIELD KEYS', 'SHOW FIELD KEYS FROM cpu',
    'SHOW FIELD KEYS FROM /e/ LIMIT 1', 'SHOW FIELD KEYS FROM forever.cpu_1h', 'SHOW SHARD GROUPS', 'SHOW USERS', 'SHOW CONTINUOUS QUERIES',
    'SHOW TAG KEYS ON nodb', 'SHOW SERIES ON nodb', 'SHOW FIELD KEYS ON nodb', 'SHOW RETENTION POLICIES ON nodb', 'SHOW MEASUREMENTS WHERE time > 0')
  // Errors at execution.
  q.push('SELECT mean(msg) FROM events', 'SELECT sum(ok) FROM events', 'SELECT min(msg) FROM events', 'SELECT median(ok) FROM events',
    'SELECT mean(usage_user), load FROM cpu', 'SELECT max(usage_user), min(usage_user), host FROM cpu', 'SELECT usage_user FROM cpu GROUP BY time(1h)',
    'SELECT foo(usage_user) FROM cpu', 'SELECT mean() FROM cpu', 'SELECT mean(usage_user, 2) FROM cpu', 'SELECT percentile(usage_user) FROM cpu',
    `SELECT percentile(usage_user, 'x') FROM cpu`, 'SELECT mean(1) FROM cpu', 'SELECT 1 + 2 FROM cpu', 'SELECT time FROM cpu',
    'SELECT usage_user FROM cpu fill(none)', 'SELECT usage_user FROM cpu fill(linear)', 'SELECT mean(usage_user) FROM cpu GROUP BY time(1h), time(2h)',
    'SELECT mean(usage_user) FROM cpu GROUP BY time', 'SELECT mean(usage_user) FROM cpu GROUP BY mean(x)', 'SELECT mean(usage_user) FROM cpu GROUP BY 1',
    `SELECT mean(usage_user) FROM cpu GROUP BY time('x')`, 'SELECT mean(usage_user) FROM cpu GROUP BY time(1h, foo())',
    'SELECT * + 1 FROM cpu', 'SELECT mean(*) + 1 FROM cpu', 'SELECT count(*::tag) FROM cpu', 'SELECT usage_user + msg FROM cpu, events',
    `SELECT usage_user FROM cpu WHERE time > 'bad'`, `SELECT usage_user FROM cpu WHERE time > true`, `SELECT usage_user FROM cpu WHERE mean(usage_user) > 1`,
    `SELECT usage_user FROM cpu WHERE time > '2300-01-01T00:00:00Z'`, `SELECT usage_user FROM cpu WHERE time =~ /x/`, 'SELECT * FROM nodb..cpu',
    'SELECT * FROM db.nope.cpu', 'SELECT * FROM _series', 'SELECT * FROM cpu; SELECT * FROM nodb..x; SHOW DATABASES',
    'SHOW DATABASES; SELECT mean(msg) FROM events', 'SELECT count(usage_user) FROM cpu; SELECT bad(x) FROM cpu; SHOW DATABASES; SHOW USERS',
    'SHOW GRANTS FOR nobody', `SELECT usage_user FROM cpu WHERE time > 1 AND time < 'x'`)
  // Parse errors (the 400 answers).
  q.push('SELECT', 'SELECT * FROM', 'SELECT * FROM cpu WHERE', 'SHOW', 'SHOW FOO', 'CREATE', 'DROP DATABASE', 'SELECT a FROM cpu ORDER BY a',
    'SELECT a = 1 FROM cpu', 'SELECT a FROM cpu WHERE a =~ /(/', "SELECT 'abc", 'SELECT a FROM cpu LIMIT -1', 'SELECT a FROM a.b.c.d',
    'SELECT a FROM cpu GROUP BY time(1m) fill(foo)', 'GRANT ALL TO', 'SELECT count( ) FROM cpu', 'SELECT a FROM cpu;;SELECT', 'SELECT a FROM cpu x',
    'CREATE RETENTION POLICY rp ON db DURATION 1h REPLICATION 0', 'SELECT a FROM cpu WHERE a = $missing', 'DELETE', 'SELECT a::nope FROM cpu')
  return q
}

/** Statements that change the database, run in this order on both sides (GET unless marked POST). */
export function adminSequence(): Array<{q: string; post?: boolean}> {
  return [
    {q: 'CREATE DATABASE other', post: true}, {q: 'CREATE DATABASE other'}, {q: 'SHOW DATABASES'},
    {q: 'CREATE DATABASE "with rp" WITH DURATION 3d REPLICATION 1 SHARD DURATION 2h NAME short', post: true},
    {q: 'SHOW RETENTION POLICIES ON "with rp"'}, {q: 'CREATE DATABASE "with rp" WITH DURATION 4d', post: true},
    {q: 'CREATE DATABASE bad WITH DURATION 30m', post: true}, {q: 'CREATE DATABASE "a/b"', post: true},
    {q: 'CREATE RETENTION POLICY two ON other DURATION 2w REPLICATION 1', post: true},
    {q: 'CREATE RETENTION POLICY three ON other DURATION 90d REPLICATION 1 SHARD DURATION 3d DEFAULT', post: true},
    {q: 'SHOW RETENTION POLICIES ON other'}, {q: 'CREATE RETENTION POLICY two ON other DURATION 3w REPLICATION 1', post: true},
    {q: 'CREATE RETENTION POLICY tiny ON other DURATION 10m REPLICATION 1', post: true},
    {q: 'CREATE RETENTION POLICY odd ON other DURATION 2h REPLICATION 1 SHARD DURATION 3h', post: true},
    {q: 'CREATE RETENTION POLICY x ON nodb DURATION 1d REPLICATION 1', post: true},
    {q: 'ALTER RETENTION POLICY two ON other DURATION 4w SHARD DURATION 2d DEFAULT', post: true}, {q: 'SHOW RETENTION POLICIES ON other'},
    {q: 'ALTER RETENTION POLICY nope ON other DEFAULT', post: true}, {q: 'ALTER RETENTION POLICY two ON other DURATION 1d', post: true},
    {q: 'DROP RETENTION POLICY three ON other'}, {q: 'SHOW RETENTION POLICIES ON other'}, {q: 'DROP RETENTION POLICY nope ON other', post: true},
    {q: 'CREATE USER ann WITH PASSWORD \'secret\'', post: true}, {q: 'CREATE USER root WITH PASSWORD \'x\' WITH ALL PRIVILEGES', post: true},
    {q: 'SHOW USERS'}, {q: 'CREATE USER ann WITH PASSWORD \'other\'', post: true}, {q: 'GRANT READ ON db TO ann', post: true},
    {q: 'GRANT WRITE ON other TO ann'}, {q: 'SHOW GRANTS FOR ann'}, {q: 'REVOKE READ ON db FROM ann', post: true}, {q: 'SHOW GRANTS FOR ann'},
    {q: 'GRANT ALL ON db TO ann', post: true}, {q: 'REVOKE WRITE ON db FROM ann', post: true}, {q: 'SHOW GRANTS FOR ann'},
    {q: 'GRANT READ ON db TO nobody', post: true}, {q: 'GRANT ALL PRIVILEGES TO ann', post: true}, {q: 'SHOW USERS'},
    {q: 'REVOKE ALL PRIVILEGES FROM ann', post: true}, {q: 'SET PASSWORD FOR ann = \'new\'', post: true}, {q: 'SET PASSWORD FOR nobody = \'x\'', post: true},
    {q: 'DROP USER root', post: true}, {q: 'DROP USER root', post: true}, {q: 'SHOW USERS'},
    {q: 'CREATE CONTINUOUS QUERY cq1 ON db BEGIN SELECT mean(usage_user) INTO db.forever.cpu_mean FROM cpu GROUP BY time(1h), * END', post: true},
    {q: 'CREATE CONTINUOUS QUERY cq2 ON db RESAMPLE EVERY 5m FOR 2h BEGIN SELECT count(load) INTO cpu_count FROM /c.*/ GROUP BY time(30m) fill(0) END'},
    {q: 'CREATE CONTINUOUS QUERY cq3 ON db BEGIN SELECT mean(x) INTO other.nope.y FROM cpu GROUP BY time(1h) END', post: true},
    {q: 'CREATE CONTINUOUS QUERY cq4 ON db BEGIN SELECT mean(x) INTO y FROM nodb..cpu GROUP BY time(1h) END', post: true},
    {q: 'SHOW CONTINUOUS QUERIES'}, {q: 'DROP CONTINUOUS QUERY cq2 ON db', post: true}, {q: 'DROP CONTINUOUS QUERY cq2 ON db', post: true},
    {q: 'SHOW CONTINUOUS QUERIES'}, {q: 'DROP DATABASE other', post: true}, {q: 'DROP DATABASE other', post: true}, {q: 'SHOW DATABASES'},
    {q: 'DROP DATABASE "with rp"'}, {q: 'SHOW DATABASES'},
  ]
}

/** Response formats: [params beyond q/db, Accept header]. */
export function formatCases(): Array<{q: string; params: Record<string, string>; accept?: string}> {
  const out: Array<{q: string; params: Record<string, string>; accept?: string}> = []
  const qs = [`SELECT * FROM cpu WHERE host = 'a' LIMIT 3`, `SELECT mean(usage_user) FROM cpu WHERE ${R} GROUP BY time(2h), host`,
    'SELECT * FROM events LIMIT 4', 'SHOW SERIES', `SELECT * FROM "we ird,m" LIMIT 3`, 'SHOW DATABASES; SELECT * FROM nodb..x; SHOW USERS']
  for (const q of qs) {
    for (const epoch of ['h', 'm', 's', 'ms', 'u', 'ns', 'x']) out.push({q, params: {epoch}})
    out.push({q, params: {pretty: 'true'}}, {q, params: {chunked: 'true'}}, {q, params: {chunked: 'true', chunk_size: '2'}},
      {q, params: {chunked: 'true', chunk_size: '1', epoch: 's'}}, {q, params: {}, accept: 'application/csv'}, {q, params: {chunked: 'true', chunk_size: '2'}, accept: 'text/csv'},
      {q, params: {epoch: 'ms'}, accept: 'application/csv'})
  }
  out.push({q: `SELECT usage_user FROM cpu WHERE host = 'a'`, params: {}}, {q: `SELECT usage_user FROM cpu`, params: {chunked: 'true'}},
    {q: `SELECT * FROM cpu WHERE host = $h AND usage_user > $u LIMIT $n`, params: {params: '{"h":"b","u":99.5,"n":2}'}},
    {q: `SELECT * FROM $m LIMIT 1`, params: {params: '{"m":{"identifier":"disk"}}'}}, {q: 'SELECT * FROM cpu WHERE host = $h', params: {params: '{"h":null}'}},
    {q: 'SELECT * FROM cpu WHERE host = $h', params: {params: 'nope'}}, {q: 'SELECT * FROM cpu LIMIT $n', params: {params: '{"n":1e3}'}},
    {q: 'SELECT * FROM cpu WHERE host =~ $r LIMIT 1', params: {params: '{"r":{"regex":"^c"}}'}})
  return out
}
