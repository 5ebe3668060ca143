#!/usr/bin/env node
/**
 * gen-log.js: writes a large, realistic, mixed InfluxDB Enterprise 1.x log for the `medic logs summarize` benchmark.
 *
 *   node bench/gen-log.js --size 1GB --out FILE [--seed N] [--stats]
 *
 * Plain Node ESM, no dependencies. The output depends only on --size and --seed (a mulberry32 PRNG drives every
 * choice and the clock is synthetic), so two runs with the same flags write byte-identical files.
 *
 * What it models: an "incident bundle", the concatenation of the logs of a small cluster, interleaved line by line as
 * the nodes wrote them. Each node has its own version and therefore its own log format:
 *
 *   meta-01  id 1  meta leader   1.3, legacy `[svc] YYYY/MM/DD HH:MM:SS`, read through journald (`Mar  1 ... influxd-meta[812]: ...`):
 *                                `[meta-http]` access log (CQ lease: one 200 a second for the holder, 409 for the others),
 *                                `[metastore] ... [INFO] raft: ...`
 *   meta-02  id 2  meta follower bare hashicorp/raft lines (`2021/03/01 06:00:00 [WARN] raft: ...`)
 *   meta-03  id 3  meta follower 1.9 logfmt, `msg=weblog` meta-http access lines
 *   data-01  id 4  data          1.2 legacy lines + `[httpd]` access log
 *   data-02  id 5  data          1.2 legacy, through journald (`Mar  1 ... data-02 influxd[1234]: ...`), holds the CQ lease
 *   data-03  id 6  data          1.8 logfmt (`ts=... lvl=info msg="..." log_id=...`); crashes at 55 % and restarts at 68 %
 *   data-04  id 7  data          1.3 `[I] 2017-06-15T13:25:17Z msg service=x` lines + legacy cluster services
 *   data-05  id 8  data          1.8 zap JSON; an operator runs it on a terminal (console format) between 30 % and 36 %
 *   app-01         client        Telegraf's own log and pasted HTTP answers (`500 {"error":"partial write"}`)
 *
 * The data-node access log (`[httpd] 10.0.2.7 - - [01/Mar/2021:06:00:00 +0000] "POST /write?db=telegraf HTTP/1.1" 204 ...`)
 * is the bulk of the file, as in real logs; benign service lines (compactions, snapshots, queries, retention...) come
 * next; warnings are a few per cent (more during the incident, when data-03 is down and the other data nodes queue its
 * writes in hinted handoff: `write failed for shard S on node 6: hinted handoff queue not empty`, `error writing count
 * stats for _internal: partial write`, `queue is full`, 500s in the access log, raft heartbeat timeouts); lines medic
 * does not know (with variable numbers and ids) are a few per cent; a tiny share is garbage: NUL-padded lines, invalid
 * UTF-8, CRLF endings, blank lines, the ASCII-art logo, rare over-long lines.
 *
 * Timestamps come from one synthetic clock that only moves forward, so every node's lines are monotonic (and the whole
 * file is sorted). The span grows with the size: 64 MB covers about an hour, 1 GB about five hours.
 *
 * Speed: timestamps and the time-UUID prefix are formatted once per second, lines are joined into ~8 MB strings and
 * written with one writeSync each; 1 GB takes a few seconds on an ordinary machine.
 *
 * Units: KB/MB/GB are binary (1 MB = 1,048,576 bytes). The file is cut at the first line end at or after --size.
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import {pathToFileURL} from 'node:url'

/** Bump when the output changes, so that bench/run.js does not reuse a log written by an older generator. */
export const GEN_VERSION = 1

// ---------------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------------

const UNITS = {b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3}

/** "64MB" -> 67108864. Accepts B, K/KB/KiB, M/MB/MiB, G/GB/GiB (binary), or a bare number of bytes. */
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text))
  const unit = m ? (m[2] === '' ? 1 : UNITS[m[2].toLowerCase()]) : undefined
  if (!m || unit === undefined) throw new Error(`bad size "${text}": use e.g. 64MB, 1GB, 500KB or a number of bytes`)
  const bytes = Math.round(Number(m[1]) * unit)
  if (bytes < 1024) throw new Error(`size ${text} is too small (minimum 1KB)`)
  return bytes
}

function parseArgs(argv) {
  const opts = {size: 64 * 1024 ** 2, out: undefined, seed: 1, stats: false}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--size') opts.size = parseSize(value())
    else if (a === '--out') opts.out = value()
    else if (a === '--seed') opts.seed = Number.parseInt(value(), 10)
    else if (a === '--stats') opts.stats = true
    else if (a === '-h' || a === '--help') opts.help = true
    else throw new Error(`unknown argument ${a}`)
  }
  if (!Number.isFinite(opts.seed)) throw new Error('--seed must be an integer')
  return opts
}

// ---------------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32, a tiny 32-bit PRNG that is good enough for test data and fully deterministic.
// ---------------------------------------------------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0
  return function next() {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let rnd = mulberry32(1)
const int = (n) => Math.floor(rnd() * n) // 0 .. n-1
const between = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)) // lo .. hi
const pick = (arr) => arr[Math.floor(rnd() * arr.length)]
const chance = (p) => rnd() < p
/** A skewed duration: mostly small, sometimes large (product of two uniforms). */
const skew = (max) => rnd() * rnd() * max

// ---------------------------------------------------------------------------------------------------------------------
// The clock. One synthetic clock in microseconds; everything derived from the current second is formatted once.
// ---------------------------------------------------------------------------------------------------------------------

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n) => (n < 10 ? '0' + n : String(n))
const GREGORIAN_OFFSET_MS = 12219292800000n // 1582-10-15 (UUID epoch) to 1970-01-01

/** Formatted views of the current second, refreshed by setSecond(). */
const T = {
  sec: 0, // unix seconds
  us: 0, // microseconds within the second
  legacy: '', // 2021/03/01 06:00:00          Go log.LstdFlags
  isoSec: '', // 2021-03-01T06:00:00          + .uuuuuuZ for zap, + Z for [I] lines and Telegraf
  clf: '', // 01/Mar/2021:06:00:00 +0000      access logs
  syslog: '', // Mar  1 06:00:00              journald short format
  uuidLow: 0, // UUID v1 time_low at the start of the second (100 ns ticks, low 32 bits)
  uuidRest: '', // -time_mid-time_hi_and_version
}

function setSecond(sec) {
  T.sec = sec
  const d = new Date(sec * 1000)
  const Y = d.getUTCFullYear()
  const M = d.getUTCMonth()
  const D = d.getUTCDate()
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
  T.legacy = `${Y}/${p2(M + 1)}/${p2(D)} ${hms}`
  T.isoSec = `${Y}-${p2(M + 1)}-${p2(D)}T${hms}`
  T.clf = `${p2(D)}/${MON[M]}/${Y}:${hms} +0000`
  T.syslog = `${MON[M]} ${D < 10 ? ' ' + D : D} ${hms}`
  const ticks = (BigInt(sec) * 1000n + GREGORIAN_OFFSET_MS) * 10000n
  T.uuidLow = Number(ticks & 0xffffffffn)
  const mid = Number((ticks >> 32n) & 0xffffn)
  const hi = Number((ticks >> 48n) & 0x0fffn) | 0x1000
  T.uuidRest = `-${mid.toString(16).padStart(4, '0')}-${hi.toString(16).padStart(4, '0')}-`
}

/** 2021-03-01T06:00:00.123456Z */
const isoUs = () => `${T.isoSec}.${String(T.us).padStart(6, '0')}Z`

/** A time-based (v1) UUID as InfluxDB puts in access logs: 9a4371a1-fec0-11e6-84b6-000000000000. */
function uuid(clockSeq) {
  const low = (T.uuidLow + T.us * 10 + int(10)) >>> 0
  return `${low.toString(16).padStart(8, '0')}${T.uuidRest}${clockSeq}-000000000000`
}

/** Go's time.Duration.String() for a number of microseconds: 380.542µs, 1.204ms, 2.5s. */
function goDuration(us) {
  if (us < 1000) return `${trimZeros(us.toFixed(3))}µs`
  if (us < 1e6) return `${trimZeros((us / 1000).toFixed(6))}ms`
  return `${trimZeros((us / 1e6).toFixed(9))}s`
}
function trimZeros(s) {
  if (!s.includes('.')) return s
  let end = s.length
  while (s.charCodeAt(end - 1) === 48) end--
  if (s.charCodeAt(end - 1) === 46) end--
  return s.slice(0, end)
}

// ---------------------------------------------------------------------------------------------------------------------
// Output: lines are encoded straight into a large Buffer (no giant joined strings, so little GC) and written with one
// writeSync per chunk. The file is cut at the first line end at or after the target size.
// ---------------------------------------------------------------------------------------------------------------------

const CHUNK_BYTES = 4 * 1024 * 1024

class Output {
  constructor(fd, target) {
    this.fd = fd
    this.target = target
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES)
    this.pos = 0 // bytes used in buf
    this.written = 0 // bytes written to the file
    this.lines = 0
    this.done = false
  }

  /** Bytes produced so far. */
  get size() {
    return this.written + this.pos
  }

  /** Appends one line (without its newline). */
  line(s) {
    // A UTF-8 encoding takes at most 3 bytes per UTF-16 unit; lines longer than a chunk get their own buffer.
    if (this.pos + s.length * 3 + 1 > this.buf.length) {
      this.flush()
      if (s.length * 3 + 1 > this.buf.length) return this.bytes(Buffer.from(s + '\n', 'utf8'))
    }
    this.pos += this.buf.write(s, this.pos, 'utf8')
    this.buf[this.pos++] = 10
    this.lines++
  }

  /** Appends raw bytes that already end with a newline (invalid UTF-8, binary junk, over-long lines). */
  bytes(raw) {
    this.flush()
    this.lines++
    this.write(raw)
  }

  flush() {
    if (this.pos === 0) return
    const data = this.buf.subarray(0, this.pos)
    this.write(data)
    this.pos = 0
  }

  write(data) {
    if (this.done) return
    if (this.written + data.length >= this.target) {
      // Cut at the first line end at or after the target size, and stop.
      let cut = data.indexOf(10, Math.max(0, this.target - this.written - 1))
      if (cut === -1) cut = data.length - 1
      for (let i = cut + 1; i < data.length; i++) if (data[i] === 10) this.lines--
      data = data.subarray(0, cut + 1)
      this.done = true
    }
    let off = 0
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off)
    this.written += data.length
  }
}

let out // the Output in use
const counts = {} // category -> lines, for --stats

// ---------------------------------------------------------------------------------------------------------------------
// Cluster model
// ---------------------------------------------------------------------------------------------------------------------

const ID_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
/** zap's 11-character log_id, new on every start of the process: 06QVNNCG000. */
const newLogId = () => '0' + Array.from({length: 7}, () => ID_CHARS[int(36)]).join('') + '000'
/** A trace_id shares the time-based head of the log_id: 06QV~HHG000. */
const traceId = (node) => node.logId.slice(0, 4) + (chance(0.3) ? '~' : ID_CHARS[int(36)]) + ID_CHARS[int(36)] + ID_CHARS[int(36)] + ID_CHARS[int(36)] + '000'

const META_IPS = ['10.0.1.11', '10.0.1.12', '10.0.1.13']
const CLIENTS = Array.from({length: 24}, (_, i) => `10.0.2.${10 + i}`)
const DBS = ['telegraf', 'telegraf', 'telegraf', 'telegraf', 'app_metrics', 'iot', '_internal']
const MEASUREMENTS = ['cpu', 'mem', 'disk', 'diskio', 'net', 'system', 'processes', 'kernel', 'swap', 'http_requests', 'sensor']
const HOSTS = Array.from({length: 40}, (_, i) => `web-${p2(i + 1)}`)
const CQS = ['cq_cpu_1m', 'cq_mem_5m', 'cq_requests_1h', 'cq_disk_15m']

/** Precomputed queries: raw text for query logs, URL-encoded for access logs. */
const QUERIES = []
function buildQueries() {
  const templates = [
    () => `SELECT mean("usage_idle") FROM "telegraf"."autogen"."cpu" WHERE time > now() - ${pick(['1h', '6h', '15m', '24h'])} AND "host" = '${pick(HOSTS)}' GROUP BY time(${pick(['10s', '1m', '5m'])}) fill(null)`,
    () => `SELECT last("used_percent") FROM "mem" WHERE "host" =~ /^${pick(HOSTS)}$/ AND time > now() - 15m`,
    () => `SELECT non_negative_derivative(mean("bytes_recv"), 1s) FROM "net" WHERE time > now() - 1h GROUP BY time(1m), "host"`,
    () => `SELECT count("value") FROM "${pick(MEASUREMENTS)}" WHERE time > now() - 5m`,
    () => `SELECT max("p99") FROM "app_metrics"."autogen"."http_requests" WHERE "service" = 'checkout' AND time > now() - 3h GROUP BY time(5m)`,
    () => 'SHOW DATABASES',
    () => `SHOW TAG VALUES FROM "cpu" WITH KEY = "host"`,
    () => `SHOW MEASUREMENTS ON "${pick(DBS)}"`,
    () => 'SHOW RETENTION POLICIES ON "telegraf"',
  ]
  for (let i = 0; i < 64; i++) {
    const q = pick(templates)()
    QUERIES.push({raw: q, url: encodeURIComponent(q).replace(/%20/g, '+')})
  }
}

const WRITE_URIS = [
  '/write?db=telegraf', '/write?db=telegraf', '/write?db=telegraf', '/write?db=telegraf&precision=s',
  '/write?consistency=any&db=telegraf&precision=ns&rp=', '/write?db=telegraf&consistency=one',
  '/write?db=app_metrics&precision=ms&consistency=quorum', '/write?db=iot&rp=one_week&precision=s&consistency=all',
]
const AGENTS = ['telegraf', 'Telegraf/1.18.3 Go/1.16.2', 'Telegraf/1.20.4 Go/1.17.3']
const QUERY_AGENTS = ['Grafana/7.5.7', 'Grafana/8.2.5', 'InfluxDBShell/1.8.10', 'influxdb-client-go', 'python-requests/2.25.1']

/** Per-node shard set: shard ids and their data directories. */
function shardsFor(seedIndex) {
  const shards = []
  for (let i = 0; i < 24; i++) {
    const db = DBS[(i + seedIndex) % DBS.length]
    const rp = db === '_internal' ? 'monitor' : db === 'iot' ? 'one_week' : 'autogen'
    const id = 2360 + i * 3 + (seedIndex % 3)
    shards.push({id, db, rp, path: `/var/lib/influxdb/data/${db}/${rp}/${id}`, wal: `/var/lib/influxdb/wal/${db}/${rp}/${id}`})
  }
  return shards
}
const tsmName = (gen, level) => `${String(gen).padStart(9, '0')}-${String(level).padStart(9, '0')}.tsm`

/**
 * A node. `style` decides how its lines are written:
 *   legacy   [svc] 2021/03/01 06:00:00 msg                (1.0-1.2; 1.3-1.4 Enterprise cluster services)
 *   l13      [I] 2021-03-01T06:00:00Z msg service=x       (1.3/1.4 OSS services) + legacy for the cluster services
 *   raft     2021/03/01 06:00:00 [INFO] raft: msg          (hashicorp/raft's own logger)
 *   logfmt   ts=... lvl=info msg="..." log_id=... k=v      (1.5+)
 *   json     {"level":"info","ts":"...","msg":"...","log_id":"...",...}
 *   console  2021-03-01T06:00:00.123456Z<TAB>info<TAB>msg<TAB>{"log_id": "..."}
 *   telegraf 2021-03-01T06:00:00Z E! [outputs.influxdb] msg
 */
function makeNode(name, id, ip, role, style, weight, extra = {}) {
  return {
    name, id, ip, role, style, weight, down: false,
    structured: style === 'logfmt' || style === 'json' || style === 'console',
    journald: undefined, // process name when the log was read through journalctl
    pid: between(700, 32000),
    logId: newLogId(),
    clockSeq: (0x8000 | int(0x4000)).toString(16),
    shards: shardsFor(id),
    gen: between(40, 400), // TSM generation counter
    version: '1.8.10-c1.8.10',
    ...extra,
  }
}

let NODES = []
let DATA = []
let LEASE_HOLDER = 5
const HH_DOWN_NODE = 6 // data-03

// ---------------------------------------------------------------------------------------------------------------------
// Line writers. Every line goes through emit(), which adds the journald prefix when the node has one.
// ---------------------------------------------------------------------------------------------------------------------

function emit(node, line, cat) {
  counts[cat] = (counts[cat] ?? 0) + 1
  out.line(node.journald ? `${T.syslog} ${node.name} ${node.journald}[${node.pid}]: ${line}` : line)
}

/** Go log line: [svc] 2021/03/01 06:00:00 text */
function legacy(node, svc, text, cat) {
  emit(node, `[${svc}] ${T.legacy} ${text}`, cat)
}

/** 1.3/1.4 line: [I] 2021-03-01T06:00:00Z text key=value */
function level13(node, lvl, text, tail, cat) {
  emit(node, `[${lvl}] ${T.isoSec}Z ${text}${tail ? ' ' + tail : ''}`, cat)
}

/** A benign service line for the legacy family: [svc] on 1.2 nodes, [I] ... service=svc on 1.3 nodes. */
function svcLine(node, svc, text, cat, lvl = 'I') {
  if (node.style === 'l13') level13(node, lvl, text, svc === 'tsm1' ? 'engine=tsm1' : `service=${svc}`, cat)
  else legacy(node, svc, text, cat)
}

const LOGFMT_SPECIAL = /[\s="\\]/
function lfv(v) {
  if (typeof v === 'number') return String(v)
  if (v === '') return ''
  return LOGFMT_SPECIAL.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : v
}
const JSON_SPECIAL = /["\\\u0000-\u001f]/
const jsv = (v) => (typeof v === 'number' ? String(v) : JSON_SPECIAL.test(v) ? JSON.stringify(v) : `"${v}"`)

/** A zap line (1.5+) in the node's encoding. ctx is a flat [key, value, key, value...] list. */
function zap(node, lvl, msg, ctx, cat) {
  let line
  if (node.style === 'logfmt') {
    line = `ts=${isoUs()} lvl=${lvl} msg=${lfv(msg)} log_id=${node.logId}`
    for (let i = 0; i < ctx.length; i += 2) line += ` ${ctx[i]}=${lfv(ctx[i + 1])}`
  } else if (node.style === 'json') {
    line = `{"level":"${lvl}","ts":"${isoUs()}","msg":${jsv(msg)},"log_id":"${node.logId}"`
    for (let i = 0; i < ctx.length; i += 2) line += `,"${ctx[i]}":${jsv(ctx[i + 1])}`
    line += '}'
  } else {
    line = `${isoUs()}\t${lvl}\t${msg}\t{"log_id": "${node.logId}"`
    for (let i = 0; i < ctx.length; i += 2) line += `, "${ctx[i]}": ${jsv(ctx[i + 1])}`
    line += '}'
  }
  emit(node, line, cat)
}

/** Data-node HTTP access log (not zap, same in every version): [httpd] ip - user [clf] "GET /x HTTP/1.1" status bytes "-" "ua" uuid µs */
function httpd(node, client, user, method, uri, status, bytes, agent, micros, cat = 'access') {
  emit(node, `[httpd] ${client} - ${user} [${T.clf}] "${method} ${uri} HTTP/1.1" ${status} ${bytes} "-" "${agent}" ${uuid(node.clockSeq)} ${micros}`, cat)
}

/** Meta-node access log (pre-1.5): [meta-http] date ip - - [clf] GET /lease?... HTTP/1.1 409 105 - InfluxDB Meta Client uuid 380.542µs */
function metaHttp(node, client, method, uri, status, bytes, micros, agent = 'InfluxDB Meta Client') {
  emit(node, `[meta-http] ${T.legacy} ${client} - - [${T.clf}] ${method} ${uri} HTTP/1.1 ${status} ${bytes} - ${agent} ${uuid(node.clockSeq)} ${goDuration(micros)}`, 'meta-access')
}

/** hashicorp/raft line, wrapped as the node writes it. */
function raft(node, lvl, text, cat) {
  if (node.style === 'raft') emit(node, `${T.legacy} [${lvl}] raft: ${text}`, cat)
  else legacy(node, 'metastore', `[${lvl}] raft: ${text}`, cat)
}

// ---------------------------------------------------------------------------------------------------------------------
// What data nodes write. Each kind writes one line or a short burst; `phase` is 0 normal, 1 data-03 down, 2 draining.
// ---------------------------------------------------------------------------------------------------------------------

let phase = 0
let progress = 0

function dataAccess(node) {
  const r = rnd()
  const micros = Math.floor(200 + skew(30000))
  if (r < 0.8) {
    const client = pick(CLIENTS)
    const uri = pick(WRITE_URIS)
    let status = 204
    let bytes = 0
    const f = rnd()
    const fail500 = phase === 1 ? 0.06 : phase === 2 ? 0.02 : 0.002
    if (f < fail500) {
      status = 500
      bytes = pick([31, 33, 62, 19]) // {"error":"partial write"} / write failed: hinted handoff queue not empty / timeout
    } else if (f < fail500 + 0.003) {
      status = 400
      bytes = between(120, 260) // partial write: field type conflict ... / points beyond retention policy
    } else if (f < fail500 + 0.0035) {
      status = pick([401, 404, 413])
      bytes = between(40, 80)
    }
    httpd(node, client, '-', 'POST', uri, status, bytes, pick(AGENTS), status === 500 ? micros + 10_000_000 * int(2) : micros)
  } else if (r < 0.93) {
    const q = pick(QUERIES)
    const db = q.raw.startsWith('SHOW DATABASES') ? '' : pick(DBS)
    httpd(node, pick(['10.0.3.5', '10.0.3.6', '127.0.0.1']), chance(0.3) ? 'grafana' : '-', 'GET', `/query?db=${db}&epoch=ms&q=${q.url}`, 200, between(60, 60000), pick(QUERY_AGENTS), micros * 3)
  } else if (r < 0.99) {
    httpd(node, pick(CLIENTS), '-', pick(['GET', 'HEAD']), '/ping', 204, 0, pick(AGENTS), between(15, 90))
  } else {
    httpd(node, '10.0.1.11', '-', 'GET', '/debug/vars', 200, between(9000, 40000), 'Go-http-client/1.1', micros)
  }
}

function dataQueryLog(node) {
  const q = pick(QUERIES)
  if (node.structured) zap(node, 'info', 'Executing query', ['service', 'query', 'query', q.raw], 'benign')
  else svcLine(node, 'query', q.raw, 'benign')
}

function dataCompaction(node) {
  const sh = pick(node.shards)
  const lvl = between(1, 3)
  const files = lvl === 1 ? between(2, 8) : 4
  const gen = node.gen++
  if (node.structured) {
    const tid = traceId(node)
    const base = ['engine', 'tsm1', 'tsm1_level', lvl, 'tsm1_strategy', 'level', 'trace_id', tid, 'op_name', 'tsm1_compact_group']
    zap(node, 'info', 'TSM compaction (start)', [...base, 'op_event', 'start'], 'benign')
    zap(node, 'info', 'Beginning compaction', [...base, 'tsm1_files_n', files], 'benign')
    for (let i = 0; i < Math.min(files, 3); i++) zap(node, 'info', 'Compacting file', [...base, 'tsm1_index', i, 'tsm1_file', `${sh.path}/${tsmName(gen - files + i, lvl)}`], 'benign')
    zap(node, 'info', 'Compacted file', [...base, 'tsm1_index', 0, 'tsm1_file', `${sh.path}/${tsmName(gen, lvl + 1)}.tmp`], 'benign')
    zap(node, 'info', 'Finished compacting files', [...base, 'tsm1_files_n', 1], 'benign')
    zap(node, 'info', 'TSM compaction (end)', [...base, 'op_event', 'end', 'op_elapsed', `${(skew(9000) + 5).toFixed(3)}ms`], 'benign')
  } else {
    svcLine(node, 'tsm1', `beginning level ${lvl} compaction of group 0, ${files} TSM files`, 'benign')
    for (let i = 0; i < Math.min(files, 3); i++) svcLine(node, 'tsm1', `compacting level ${lvl} group (0) ${sh.path}/${tsmName(gen - files + i, lvl)} (#${i})`, 'benign')
    svcLine(node, 'tsm1', `compacted level ${lvl} group (0) into ${sh.path}/${tsmName(gen, lvl + 1)}.tmp (#0)`, 'benign')
    svcLine(node, 'tsm1', `compacted level ${lvl} ${files} files into 1 files in ${(skew(9) + 0.01).toFixed(6)}s`, 'benign')
  }
}

function dataSnapshot(node) {
  const sh = pick(node.shards)
  const ms = (skew(400) + 0.3).toFixed(6)
  if (node.structured) {
    const tid = traceId(node)
    const base = ['engine', 'tsm1', 'trace_id', tid, 'op_name', 'tsm1_cache_snapshot']
    zap(node, 'info', 'Cache snapshot (start)', [...base, 'op_event', 'start'], 'benign')
    zap(node, 'info', 'Snapshot for path written', [...base, 'path', sh.path, 'duration', `${ms}ms`], 'benign')
    zap(node, 'info', 'Cache snapshot (end)', [...base, 'op_event', 'end', 'op_elapsed', `${Number(ms).toFixed(3)}ms`], 'benign')
  } else {
    svcLine(node, 'tsm1', `Snapshot for path ${sh.path} written in ${ms}ms`, 'benign')
  }
}

function dataRetention(node) {
  if (node.structured) {
    const tid = traceId(node)
    const base = ['service', 'retention', 'trace_id', tid, 'op_name', 'retention_delete_check']
    zap(node, 'info', 'Retention policy deletion check (start)', [...base, 'op_event', 'start'], 'benign')
    if (chance(0.3)) zap(node, 'info', 'Deleted shard group', [...base, 'db_instance', 'iot', 'db_shard_group', between(900, 1200), 'db_rp', 'one_week'], 'benign')
    zap(node, 'info', 'Retention policy deletion check (end)', [...base, 'op_event', 'end', 'op_elapsed', `${(skew(50) + 0.1).toFixed(3)}ms`], 'benign')
  } else {
    svcLine(node, 'retention', 'retention policy shard deletion check commencing', 'benign')
    if (chance(0.3)) svcLine(node, 'retention', `deleted shard group ${between(900, 1200)} from database iot, retention policy one_week`, 'benign')
  }
}

function dataPrecreation(node) {
  const group = between(1200, 1300)
  if (node.structured) zap(node, 'info', 'New shard group successfully precreated', ['service', 'shard-precreation', 'db_instance', 'telegraf', 'db_rp', 'autogen', 'db_shard_group', group], 'benign')
  else legacy(node, 'shard-precreation', `shard group ${group} precreated for database telegraf, retention policy autogen`, 'benign')
}

function dataCq(node) {
  const cq = pick(CQS)
  const end = new Date(Math.floor(T.sec / 60) * 60_000)
  const start = new Date(end.getTime() - 60_000)
  const fmt = (d) => d.toISOString().replace('T', ' ').replace('.000Z', ' +0000 UTC')
  if (node.structured) {
    zap(node, 'info', 'Executing continuous query', ['service', 'continuous_querier', 'trace_id', traceId(node), 'op_name', 'continuous_querier_execute', 'name', cq, 'db_instance', 'telegraf', 'start', start.toISOString(), 'end', end.toISOString()], 'benign')
  } else {
    legacy(node, 'continuous_querier', `executing continuous query ${cq} (${fmt(start)} to ${fmt(end)})`, 'benign')
    if (chance(0.5)) legacy(node, 'continuous_querier', `finished continuous query ${cq} (${fmt(start)} to ${fmt(end)}) in ${(skew(300) + 0.5).toFixed(3)}ms`, 'benign')
  }
}

function dataMisc(node) {
  // Benign odds and ends: monitor, subscriber, store, cluster service.
  const sh = pick(node.shards)
  const r = int(4)
  if (node.structured) {
    if (r === 0) zap(node, 'info', 'Storing statistics', ['service', 'monitor', 'db_instance', '_internal', 'db_rp', 'monitor', 'interval', '10s'], 'benign')
    else if (r === 1) zap(node, 'info', 'Updated subscriptions', ['service', 'subscriber'], 'benign')
    else if (r === 2) zap(node, 'info', 'Opened file', ['engine', 'tsm1', 'service', 'filestore', 'path', `${sh.path}/${tsmName(node.gen, 2)}`, 'id', int(12), 'duration', `${(skew(5) + 0.05).toFixed(3)}ms`], 'benign')
    else zap(node, 'info', 'Reading file', ['engine', 'tsm1', 'service', 'cacheloader', 'path', `${sh.wal}/_${String(between(100, 9000)).padStart(5, '0')}.wal`, 'size', between(1000, 10485760)], 'benign')
  } else {
    if (r === 0) svcLine(node, 'monitor', "Storing statistics in database '_internal' retention policy 'monitor', at interval 10s", 'benign')
    else if (r === 1) svcLine(node, 'subscriber', 'updated subscriptions', 'benign')
    else if (r === 2) svcLine(node, 'filestore', `${sh.path}/${tsmName(node.gen, 2)} (#${int(12)}) opened in ${(skew(5) + 0.05).toFixed(6)}ms`, 'benign')
    else svcLine(node, 'cacheloader', `reading file ${sh.wal}/_${String(between(100, 9000)).padStart(5, '0')}.wal, size ${between(1000, 10485760)}`, 'benign')
  }
}

/** `write failed for shard S on node N: hinted handoff queue not empty` (and, when the queue hits max-size, `queue is full`). */
function dataHintedHandoff(node, error = 'hinted handoff queue not empty') {
  const target = phase === 0 ? pick(DATA.filter((d) => d !== node)).id : HH_DOWN_NODE
  const sh = pick(node.shards).id
  if (node.structured) {
    if (node.style === 'logfmt') zap(node, 'warn', `write failed for shard ${sh} on node ${target}: ${error}`, ['service', 'write'], 'warning')
    else zap(node, 'warn', 'Write failed', ['service', 'write', 'shard_id', sh, 'node_id', target, 'error', error], 'warning')
  } else {
    legacy(node, 'write', `write failed for shard ${sh} on node ${target}: ${error}`, 'warning')
  }
}

function dataQueueFull(node) {
  if (progress < 0.63 || phase !== 1) return dataHintedHandoff(node)
  dataHintedHandoff(node, 'queue is full')
}

function dataStatsPartial(node) {
  const db = pick(['_internal', '_internal', 'telegraf'])
  if (node.structured) zap(node, 'warn', 'Error writing count stats', ['service', 'stats', 'db_instance', db, 'error', 'partial write'], 'warning')
  else legacy(node, 'stats', `error writing count stats for ${db}: partial write`, 'warning')
}

function dataOtherWarning(node) {
  const sh = pick(node.shards)
  const r = int(5)
  if (r === 0) {
    if (node.structured) zap(node, 'warn', 'Detected slow query', ['service', 'query', 'query', pick(QUERIES).raw, 'qid', between(1, 99999), 'database', 'telegraf', 'threshold', '1s'], 'warning')
    else svcLine(node, 'query', `Detected slow query: ${pick(QUERIES).raw} (qid: ${between(1, 99999)}, database: telegraf, threshold: 1s)`, 'warning', 'W')
  } else if (r === 1) {
    if (node.structured) zap(node, 'info', 'Write failed', ['service', 'write', 'shard_id', sh.id, 'error', 'engine: cache maximum memory size exceeded'], 'warning')
    else legacy(node, 'write', `write failed for shard ${sh.id}: engine: cache maximum memory size exceeded`, 'warning')
  } else if (r === 2) {
    const field = pick(['value', 'usage_idle', 'bytes_recv'])
    const text = `partial write: field type conflict: input field "${field}" on measurement "${pick(MEASUREMENTS)}" is type float, already exists as type integer dropped=${between(1, 40)}`
    if (node.structured) zap(node, 'info', 'Write failed', ['service', 'httpd', 'error', text], 'warning')
    else legacy(node, 'httpd', `write error: ${text}`, 'warning')
  } else if (r === 3) {
    if (node.structured) zap(node, 'info', 'Write failed', ['service', 'write', 'error', 'timeout'], 'warning')
    else legacy(node, 'write', 'write failed: timeout', 'warning')
  } else {
    if (node.structured) zap(node, 'error', 'Failed to write point batch', ['service', 'subscriber', 'db_instance', 'telegraf', 'error', `Post http://kapacitor-01:9092/write?consistency=&db=telegraf&precision=ns&rp=autogen: dial tcp 10.0.4.2:9092: connect: connection refused`], 'warning')
    else legacy(node, 'subscriber', `failed to write point batch to database "telegraf" by subscriber "kapacitor-${int(0xffffffff).toString(16)}": Post http://kapacitor-01:9092/write: dial tcp 10.0.4.2:9092: connect: connection refused`, 'warning')
  }
}

/** Lines medic is not expected to know, with numbers and ids that vary from line to line. */
function dataUnknown(node) {
  const sh = pick(node.shards)
  const r = int(6)
  if (node.structured) {
    if (r === 0) zap(node, 'info', 'Anti-entropy digest computed', ['service', 'ae', 'db_shard_id', sh.id, 'digest', int(0xffffffff).toString(16), 'duration', `${(skew(900) + 1).toFixed(3)}ms`], 'unknown')
    else if (r === 1) zap(node, 'info', `Accepted cluster connection from ${pick(META_IPS.concat(DATA.map((d) => d.ip)))}:${between(30000, 60999)}`, ['service', 'cluster'], 'unknown')
    else if (r === 2) zap(node, 'info', 'Closed WAL segment', ['engine', 'tsm1', 'service', 'wal', 'path', `${sh.wal}/_${String(between(100, 9000)).padStart(5, '0')}.wal`, 'size', between(1000, 10485760)], 'unknown')
    else if (r === 3) zap(node, 'debug', `Series file compaction ${between(1, 8)}/8 finished`, ['service', 'series-file', 'db_instance', sh.db, 'partition_id', int(8), 'elapsed', `${(skew(90) + 1).toFixed(3)}ms`], 'unknown')
    else if (r === 4) zap(node, 'info', `Shard ${sh.id} is cold, writing snapshot`, ['engine', 'tsm1', 'path', sh.path], 'unknown')
    else zap(node, 'info', 'Cluster node status', ['service', 'cluster', 'node_id', pick(DATA).id, 'tcp_addr', `${pick(DATA).ip}:8088`, 'status', 'joined'], 'unknown')
  } else {
    if (r === 0) legacy(node, 'anti-entropy', `checking shard ${sh.id} on node ${pick(DATA).id}: digest ${int(0xffffffff).toString(16)}${int(0xffffffff).toString(16)}`, 'unknown')
    else if (r === 1) legacy(node, 'cluster', `accept remote connection from ${pick(DATA).ip}:${between(30000, 60999)}`, 'unknown')
    else if (r === 2) svcLine(node, 'tsm1wal', `wal segment ${sh.wal}/_${String(between(100, 9000)).padStart(5, '0')}.wal closed, ${between(1000, 10485760)} bytes`, 'unknown')
    else if (r === 3) legacy(node, 'tcp', `tcp.Mux: connection ${between(1, 99999)} from ${pick(DATA).ip}:${between(30000, 60999)} closed after ${(skew(60) + 0.1).toFixed(1)}s`, 'unknown')
    else if (r === 4) legacy(node, 'handoff', `processed ${between(1, 5000)} blocks for node ${pick(DATA).id}, queue size ${between(0, 80000000)} bytes`, 'unknown')
    else legacy(node, 'store', `shard ${sh.id} is cold, writing snapshot (${between(1, 300)} KB)`, 'unknown')
  }
}

/** The rare damage real bundles contain (always in the legacy format, whatever the node writes otherwise). */
function dataGarbage(node) {
  const r = int(5)
  counts.garbage = (counts.garbage ?? 0) + 1
  const prefix = node.journald ? `${T.syslog} ${node.name} ${node.journald}[${node.pid}]: ` : ''
  if (r === 0) {
    // copytruncate / crash: a run of NUL bytes in front of a normal line
    out.line('\0'.repeat(between(8, 600)) + `${prefix}[write] ${T.legacy} write failed for shard ${pick(node.shards).id} on node ${HH_DOWN_NODE}: hinted handoff queue not empty`)
  } else if (r === 1) {
    // Latin-1 / broken bytes inside a tag value: invalid UTF-8
    const a = Buffer.from(`${prefix}[query] ${T.legacy} SELECT mean("value") FROM "sensor" WHERE "site" = 'M`, 'utf8')
    const b = Buffer.from(`nchen' AND time > now() - 1h\n`, 'utf8')
    out.bytes(Buffer.concat([a, Buffer.from([0xfc, 0xc3, 0x28, 0xff]), b]))
  } else if (r === 2) {
    // A stretch that went through Windows: CRLF line ends
    out.line(`${prefix}[httpd] ${pick(CLIENTS)} - - [${T.clf}] "POST /write?db=telegraf HTTP/1.1" 204 0 "-" "telegraf" ${uuid(node.clockSeq)} ${between(300, 9000)}\r`)
    out.line(`${prefix}[tsm1] ${T.legacy} Snapshot for path ${pick(node.shards).path} written in ${(skew(400) + 0.3).toFixed(6)}ms\r`)
  } else if (r === 3) {
    out.line('') // blank line
  } else {
    // binary junk (a rotated gzip fragment pasted into the bundle)
    const junk = Buffer.alloc(between(40, 200))
    for (let i = 0; i < junk.length; i++) {
      const c = int(256)
      junk[i] = c === 10 ? 11 : c
    }
    out.bytes(Buffer.concat([junk, Buffer.from('\n')]))
  }
}

/** Once in a while a query log line of 100+ KB (a generated query with thousands of OR terms). */
function dataLongLine(node) {
  let q = 'SELECT mean("value") FROM "sensor" WHERE time > now() - 1h AND ('
  const n = between(3000, 5000)
  for (let i = 0; i < n; i++) q += `${i ? ' OR ' : ''}"device" = 'dev-${between(100000, 999999)}'`
  counts.garbage = (counts.garbage ?? 0) + 1
  out.line(`[query] ${T.legacy} ${q}) GROUP BY time(1m)`)
}

// kind table for data nodes: [function, weight normal, weight down, weight draining]
const DATA_KINDS = [
  [dataAccess, 0.74, 0.7, 0.72],
  [dataQueryLog, 0.07, 0.07, 0.07],
  [dataCompaction, 0.012, 0.012, 0.012],
  [dataSnapshot, 0.018, 0.018, 0.018],
  [dataRetention, 0.0015, 0.0015, 0.0015],
  [dataPrecreation, 0.001, 0.001, 0.001],
  [dataMisc, 0.02, 0.02, 0.02],
  [dataHintedHandoff, 0.008, 0.07, 0.03],
  [dataStatsPartial, 0.002, 0.012, 0.004],
  [dataOtherWarning, 0.006, 0.006, 0.006],
  [dataUnknown, 0.035, 0.035, 0.035],
  [dataGarbage, 0.0001, 0.0001, 0.0001],
  [dataLongLine, 0.0000008, 0.0000008, 0.0000008],
]
const CQ_KIND = [dataCq, 0.01, 0.01, 0.01] // only the lease holder runs CQs
const QUEUE_FULL_KIND = [dataQueueFull, 0, 0.02, 0] // data-01 and data-04 fill their queue for data-03

// ---------------------------------------------------------------------------------------------------------------------
// What meta nodes and the client write.
// ---------------------------------------------------------------------------------------------------------------------

let raftIndex = 41230

/** The leader's lease log: every second each live data node asks for the CQ lease; only the holder gets a 200. */
function leaseTick(meta) {
  for (const d of DATA) {
    if (d.down) continue
    T.us = Math.min(999999, T.us + between(50, 3000))
    const ok = d.id === LEASE_HOLDER
    metaHttp(meta, d.ip, 'GET', `/lease?name=continuous_querier&node_id=${d.id}`, ok ? 200 : 409, 105, 150 + skew(1500))
  }
}

function metaLeader(node) {
  const r = rnd()
  if (r < 0.55) {
    // data nodes long-poll the meta store for changes
    const d = pick(DATA)
    metaHttp(node, d.ip, 'GET', `/?index=${raftIndex}`, 200, between(4000, 9000), 5e6 + skew(5e6))
  } else if (r < 0.7) {
    metaHttp(node, pick(DATA).ip, 'GET', '/ping', 204, 0, 40 + skew(300))
  } else if (r < 0.75) {
    metaHttp(node, '10.0.1.11', 'POST', '/execute', 200, 0, 900 + skew(9000))
    raftIndex++
  } else if (r < 0.9) {
    const s = int(4)
    if (s === 0) raft(node, 'INFO', `starting snapshot up to ${raftIndex}`, 'benign')
    else if (s === 1) legacy(node, 'metastore', `[INFO] snapshot: Creating new snapshot at /var/lib/influxdb/meta/snapshots/2-${raftIndex}-${T.sec}000.tmp`, 'benign')
    else if (s === 2) raft(node, 'INFO', `Compacting logs from ${raftIndex - 10240} to ${raftIndex - 10}`, 'benign')
    else raft(node, 'INFO', `Snapshot to ${raftIndex} complete`, 'benign')
  } else if (r < 0.93) {
    metaHttp(node, '127.0.0.1', 'GET', '/show-cluster', 200, between(600, 900), 300 + skew(2000), 'Go-http-client/1.1') // influxd-ctl show
  } else {
    legacy(node, 'meta', `shard group ${between(1200, 1300)} created for database ${pick(DBS)}, owners [${pick(DATA).id} ${pick(DATA).id}], index ${raftIndex}`, 'unknown')
  }
}

function metaFollowerRaft(node) {
  const r = rnd()
  if (r < 0.6) raft(node, 'DEBUG', `pipelining replication to peer ${META_IPS[0]}:8089 index ${raftIndex}`, 'unknown')
  else if (r < 0.99) raft(node, 'INFO', pick([`starting snapshot up to ${raftIndex}`, `Snapshot to ${raftIndex} complete`, `Compacting logs from ${raftIndex - 10240} to ${raftIndex - 10}`]), 'benign')
  else raftHeartbeatTimeout(node)
}

/** A follower misses heartbeats, starts an election and rejoins the leader. */
function raftHeartbeatTimeout(node) {
  raft(node, 'WARN', `Heartbeat timeout from "${META_IPS[0]}:8089" reached, starting election`, 'warning')
  raft(node, 'INFO', `Node at ${node.ip}:8089 [Candidate] entering Candidate state`, 'benign')
  raft(node, 'ERR', `Failed to make RequestVote RPC to ${META_IPS[0]}:8089: dial tcp ${META_IPS[0]}:8089: i/o timeout`, 'warning')
  raft(node, 'INFO', `Node at ${node.ip}:8089 [Follower] entering Follower state (Leader: "${META_IPS[0]}:8089")`, 'benign')
}

function metaWeblog(node) {
  const d = pick(DATA)
  const poll = chance(0.7)
  const us = poll ? 5e6 + skew(5e6) : 40 + skew(400)
  zap(node, 'info', 'weblog', [
    'service', 'meta-http', 'host', d.ip, 'user-id', '', 'username', '', 'method', 'GET', 'uri', poll ? `/?index=${raftIndex}` : '/ping',
    'protocol', 'HTTP/1.1', 'command', '', 'status', poll ? 200 : 204, 'size', poll ? between(4000, 9000) : 0, 'referrer', '',
    'user-agent', 'InfluxDB Meta Client', 'request-id', uuid(node.clockSeq), 'execution-time', `${(us / 1000).toFixed(3)}ms`, 'execution-time-readable', goDuration(us),
  ], 'meta-access')
}

function clientLine(node) {
  const r = rnd()
  const d = pick(DATA)
  const ts = `${T.isoSec}Z`
  const incident = phase !== 0
  if (r < (incident ? 0.4 : 0.85)) {
    emit(node, `${ts} D! [outputs.influxdb] Wrote batch of ${between(100, 5000)} metrics in ${(skew(200) + 1).toFixed(3)}ms`, 'benign')
  } else if (r < (incident ? 0.7 : 0.93)) {
    emit(node, `${ts} E! [outputs.influxdb] When writing to [http://${d.ip}:8086]: 500 Internal Server Error: write failed: hinted handoff queue not empty`, 'warning')
  } else if (r < (incident ? 0.85 : 0.97)) {
    emit(node, `${ts} E! [outputs.influxdb] When writing to [http://${d.ip}:8086]: received error partial write: field type conflict: input field "value" on measurement "${pick(MEASUREMENTS)}" is type integer, already exists as type float dropped=${between(1, 500)}; discarding points`, 'warning')
  } else if (r < 0.99) {
    // an operator pasted curl output
    emit(node, pick(['500 {"error":"partial write"}', '{"error":"write failed: hinted handoff queue not empty"}', 'HTTP/1.1 500 Internal Server Error', '500 {"error":"timeout"}']), 'warning')
  } else {
    emit(node, `${ts} E! [agent] Error writing to outputs.influxdb: could not write any address`, 'unknown')
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Restarts: shutdown and startup sequences (a new log_id and pid each time).
// ---------------------------------------------------------------------------------------------------------------------

const LOGO = [
  ' 8888888           .d888 888                   8888888b.  888888b.',
  '   888            d88P"  888                   888  "Y88b 888  "88b',
  '   888            888    888                   888    888 888  .88P',
  '   888   88888b.  888888 888 888  888 888  888 888    888 8888888K.',
  '   888   888 "88b 888    888 888  888  Y8bd8P\' 888    888 888  "Y88b',
  '   888   888  888 888    888 888  888   X88K   888    888 888    888',
  '   888   888  888 888    888 Y88b 888 .d8""8b. 888  .d88P 888   d88P',
  ' 8888888 888  888 888    888  "Y88888 888  888 8888888P"  8888888P"',
  '',
]

function shutdown(node) {
  if (node.structured) {
    zap(node, 'info', 'Signal received, initializing clean shutdown...', [], 'benign')
    zap(node, 'info', 'Waiting for clean shutdown...', [], 'benign')
    zap(node, 'info', 'Closing retention policy enforcement service', ['service', 'retention'], 'benign')
    zap(node, 'info', 'Terminating precreation service', ['service', 'shard-precreation'], 'benign')
    zap(node, 'info', 'Closed service', ['service', 'subscriber'], 'benign')
  } else {
    legacy(node, 'run', 'Signal received, initializing clean shutdown...', 'benign')
    legacy(node, 'run', 'Waiting for clean shutdown...', 'benign')
    legacy(node, 'retention', 'retention policy enforcement terminating', 'benign')
    legacy(node, 'continuous_querier', 'continuous query service terminating', 'benign')
    legacy(node, 'run', 'server shutdown completed', 'benign')
  }
}

function startup(node) {
  node.pid = between(700, 32000)
  node.logId = newLogId()
  if (node.structured) {
    const tid = traceId(node)
    zap(node, 'info', 'InfluxDB starting', ['version', node.version, 'branch', '1.8', 'commit', int(0xffffffff).toString(16) + int(0xffffffff).toString(16)], 'benign')
    zap(node, 'info', 'Go runtime', ['version', 'go1.13.8', 'maxprocs', 8], 'benign')
    zap(node, 'info', 'Using data dir', ['service', 'store', 'path', '/var/lib/influxdb/data'], 'benign')
    zap(node, 'info', 'Open store (start)', ['service', 'store', 'trace_id', tid, 'op_name', 'tsdb_open', 'op_event', 'start'], 'benign')
    for (const sh of node.shards.slice(0, 12)) {
      zap(node, 'info', 'Opened shard', ['service', 'store', 'trace_id', tid, 'op_name', 'tsdb_open', 'index_version', 'tsi1', 'path', sh.path, 'duration', `${(skew(900) + 2).toFixed(3)}ms`], 'benign')
    }
    zap(node, 'info', 'Open store (end)', ['service', 'store', 'trace_id', tid, 'op_name', 'tsdb_open', 'op_event', 'end', 'op_elapsed', `${(skew(9000) + 100).toFixed(3)}ms`], 'benign')
    zap(node, 'info', 'Starting monitor service', ['service', 'monitor'], 'benign')
    zap(node, 'info', 'Starting precreation service', ['service', 'shard-precreation', 'check_interval', '10m', 'advance_period', '30m'], 'benign')
    zap(node, 'info', 'Starting continuous query service', ['service', 'continuous_querier'], 'benign')
    zap(node, 'info', 'Starting HTTP service', ['service', 'httpd', 'authentication', 'false'], 'benign')
    zap(node, 'info', 'opened HTTP access log', ['service', 'httpd', 'path', 'stderr'], 'benign')
    zap(node, 'info', 'Listening on HTTP', ['service', 'httpd', 'addr', '[::]:8086', 'https', 'false'], 'benign')
    zap(node, 'info', 'Starting retention policy enforcement service', ['service', 'retention', 'check_interval', '30m'], 'benign')
    zap(node, 'info', 'Listening for signals', [], 'benign')
  } else {
    for (const l of LOGO) emit(node, l, 'unknown')
    legacy(node, 'run', `InfluxDB starting, version ${node.version}, branch master, commit ${int(0xffffffff).toString(16)}${int(0xffffffff).toString(16)}`, 'benign')
    legacy(node, 'run', 'Go version go1.7.4, GOMAXPROCS set to 8', 'benign')
    legacy(node, 'run', 'Using configuration at: /etc/influxdb/influxdb.conf', 'benign')
    legacy(node, 'store', 'Using data dir: /var/lib/influxdb/data', 'benign')
    for (const sh of node.shards.slice(0, 12)) {
      legacy(node, 'shard', `${sh.path} database index loaded in ${(skew(9) + 0.1).toFixed(6)}ms`, 'benign')
      legacy(node, 'store', `${sh.path} opened in ${(skew(900) + 2).toFixed(6)}ms`, 'benign')
    }
    legacy(node, 'httpd', 'Starting HTTP service', 'benign')
    legacy(node, 'httpd', 'Authentication enabled: false', 'benign')
    legacy(node, 'httpd', 'Listening on HTTP: [::]:8086', 'benign')
    legacy(node, 'retention', 'Starting retention policy enforcement service with check interval of 30m0s', 'benign')
    legacy(node, 'shard-precreation', 'Starting precreation service with check interval of 10m0s, advance period of 30m0s', 'benign')
    legacy(node, 'continuous_querier', 'Starting continuous query service', 'benign')
    legacy(node, 'run', 'Listening for signals', 'benign')
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Weighted choice tables
// ---------------------------------------------------------------------------------------------------------------------

/** {fns, cum[phase]}: cumulative weights per phase for a list of [fn, w0, w1, w2]. */
function table(kinds) {
  const fns = kinds.map((k) => k[0])
  const cum = [1, 2, 3].map((col) => {
    let acc = 0
    const total = kinds.reduce((s, k) => s + k[col], 0)
    return Float64Array.from(kinds, (k) => (acc += k[col] / total))
  })
  return {fns, cum}
}

function choose(tab) {
  const cum = tab.cum[phase]
  const r = rnd()
  let i = 0
  while (i < cum.length - 1 && r >= cum[i]) i++
  return tab.fns[i]
}

// ---------------------------------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------------------------------

/** Average bytes per line, measured on this generator; only used to pick the time span. */
const AVG_LINE_BYTES = 190
const LINES_PER_SECOND = 300

export function generate({size, out: file, seed = 1}) {
  rnd = mulberry32(seed)
  for (const k of Object.keys(counts)) delete counts[k]
  QUERIES.length = 0
  buildQueries()
  phase = 0
  progress = 0

  // The cluster (see the header comment).
  const meta1 = makeNode('meta-01', 1, META_IPS[0], 'meta', 'legacy', 0.012, {version: '1.3.9-c1.3.9'})
  meta1.journald = 'influxd-meta'
  const meta2 = makeNode('meta-02', 2, META_IPS[1], 'meta', 'raft', 0.002)
  const meta3 = makeNode('meta-03', 3, META_IPS[2], 'meta', 'logfmt', 0.004, {version: '1.9.8-c1.9.8'})
  const d1 = makeNode('data-01', 4, '10.0.1.14', 'data', 'legacy', 0.19, {version: '1.2.4-c1.2.4'})
  const d2 = makeNode('data-02', 5, '10.0.1.15', 'data', 'legacy', 0.19, {version: '1.2.4-c1.2.4'})
  d2.journald = 'influxd'
  const d3 = makeNode('data-03', 6, '10.0.1.16', 'data', 'logfmt', 0.2)
  const d4 = makeNode('data-04', 7, '10.0.1.17', 'data', 'l13', 0.19, {version: '1.3.9-c1.3.9'})
  const d5 = makeNode('data-05', 8, '10.0.1.18', 'data', 'json', 0.2)
  const app = makeNode('app-01', 0, '10.0.2.10', 'client', 'telegraf', 0.003)
  DATA = [d1, d2, d3, d4, d5]
  NODES = [meta1, meta2, meta3, d1, d2, d3, d4, d5, app]
  LEASE_HOLDER = d2.id

  const dataTable = table(DATA_KINDS)
  const holderTable = table([...DATA_KINDS, CQ_KIND])
  const queueFullTable = table([...DATA_KINDS, QUEUE_FULL_KIND])
  for (const d of DATA) d.table = d === d2 ? holderTable : d === d1 || d === d4 ? queueFullTable : dataTable
  d1.write = d2.write = d3.write = d4.write = d5.write = (node) => choose(node.table)(node)
  meta1.write = metaLeader
  meta2.write = metaFollowerRaft
  meta3.write = metaWeblog
  app.write = clientLine
  const nodeCum = (() => {
    let acc = 0
    const total = NODES.reduce((s, n) => s + n.weight, 0)
    return Float64Array.from(NODES, (n) => (acc += n.weight / total))
  })()

  // Events at fixed points of the file (fractions of --size).
  const schedule = [
    [0.3, () => { shutdown(d5); d5.style = 'console'; startup(d5) }], // operator runs influxd on a terminal
    [0.36, () => { shutdown(d5); d5.style = 'json'; startup(d5) }],
    [0.4, () => raftHeartbeatTimeout(meta2)], // a network blip between the metas
    [0.55, () => { d3.down = true; phase = 1 }], // data-03 crashes (no shutdown lines)
    [0.551, () => raftHeartbeatTimeout(meta2)],
    [0.68, () => { d3.down = false; phase = 2; startup(d3) }], // restarted: new log_id
    [0.76, () => { phase = 0 }], // hinted-handoff queues drained
    [0.85, () => { shutdown(d4); startup(d4) }], // rolling restart of a 1.3 node
  ]
  let next = 0

  // The clock: start 2021-03-01T06:00:00Z plus a seed-dependent offset; advance ~1/LINES_PER_SECOND s per line.
  const expectedLines = size / AVG_LINE_BYTES
  const spanSeconds = Math.max(3600, expectedLines / LINES_PER_SECOND)
  const stepUs = (spanSeconds * 1e6) / expectedLines
  let nowUs = (Date.UTC(2021, 2, 1, 6, 0, 0) / 1000 + (seed % 97) * 3600) * 1e6
  setSecond(Math.floor(nowUs / 1e6))
  const firstSecond = T.sec

  const fd = openSync(file, 'w')
  out = new Output(fd, size)
  try {
    while (!out.done) {
      nowUs += rnd() * 2 * stepUs
      const sec = Math.floor(nowUs / 1e6)
      if (sec !== T.sec) {
        setSecond(sec)
        T.us = 0
        leaseTick(meta1)
      }
      T.us = Math.max(T.us, Math.floor(nowUs - sec * 1e6)) // never backwards within a second (lease lines bump it)

      progress = out.size / size
      while (next < schedule.length && progress >= schedule[next][0]) schedule[next++][1]()

      const r = rnd()
      let i = 0
      while (i < nodeCum.length - 1 && r >= nodeCum[i]) i++
      const node = NODES[i]
      if (!node.down) node.write(node)
      if (out.size >= size) out.flush()
    }
    out.flush()
  } finally {
    closeSync(fd)
  }
  return {bytes: out.written, lines: out.lines, counts: {...counts}, spanSeconds: T.sec - firstSecond}
}

// ---------------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------------

function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error(`gen-log: ${error.message}`)
    process.exit(2)
  }
  if (opts.help || !opts.out) {
    console.error('usage: node bench/gen-log.js --size 1GB --out FILE [--seed N] [--stats]')
    process.exit(opts.help ? 0 : 2)
  }
  const t0 = process.hrtime.bigint()
  const r = generate(opts)
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const mb = r.bytes / 1024 ** 2
  console.error(`gen-log: wrote ${opts.out}: ${mb.toFixed(1)} MB, ${r.lines} lines, ${(r.spanSeconds / 3600).toFixed(1)} h of log, seed ${opts.seed}, in ${s.toFixed(1)} s (${(mb / s).toFixed(0)} MB/s)`)
  if (opts.stats) {
    const total = Object.values(r.counts).reduce((a, b) => a + b, 0)
    for (const [k, v] of Object.entries(r.counts).sort((a, b) => b[1] - a[1])) {
      console.error(`  ${k.padEnd(12)} ${String(v).padStart(10)}  ${((100 * v) / total).toFixed(3)} %`)
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
