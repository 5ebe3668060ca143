// The wrappers platforms put around InfluxDB lines (docker, containerd, compose, kubectl, syslog, journald), alone and
// stacked, and the line inside read as if it had been pasted bare.
import {describe, expect, it} from 'vitest'

import {parseLine} from '../../src/logs/formats.js'
import {parseZone} from '../../src/logs/time.js'
import {MAX_LAYERS, isoLength, unwrap} from '../../src/logs/wrappers.js'

const NOW = Date.UTC(2022, 5, 1)
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString())

const ACCESS = '[httpd] 2016/10/18 10:35:21 10.0.0.1 - - [18/Oct/2016:10:35:21 +0000] "POST /write?db=x HTTP/1.1" 204 0 "-" "telegraf" abc 1.2ms'
const LOGFMT = 'ts=2021-08-05T13:32:26.9Z lvl=info msg="Listening on HTTP" service=httpd addr=[::]:8086'
const LEVEL = '[I] 2017-09-26T14:44:32Z Opened shard 3 service=store'

describe('unwrap', () => {
  it('removes docker json-file records and keeps the record time when the line has none of its own', () => {
    const rec = JSON.stringify({log: `${ACCESS}\n`, stream: 'stderr', time: '2021-08-05T13:32:26.900345123Z'})
    const u = unwrap(rec, NOW)
    expect(u.layers).toEqual(['docker-json'])
    expect(u.body).toBe(ACCESS)
    expect(iso(u.time)).toBe('2021-08-05T13:32:26.900Z')
    const ev = parseLine(rec, {now: NOW})
    expect([ev.format, ev.http?.status, iso(ev.time)]).toEqual(['http-access', 204, '2016-10-18T10:35:21.000Z'])
    // A zap JSON line inside a docker record is read as JSON, not as the record.
    const inner = JSON.stringify({log: '{"lvl":"error","ts":"2021-12-08T02:00:55Z","msg":"boom","service":"store"}\n', stream: 'stdout', time: '2021-12-08T02:00:55.1Z'})
    expect(parseLine(inner, {now: NOW})).toMatchObject({format: 'json', msg: 'boom', service: 'store', wrappers: ['docker-json']})
    // A record with only a time (no "log") is not a docker record.
    expect(unwrap('{"time":"2021-08-05T13:32:26Z","msg":"x"}').layers).toEqual([])
  })

  it('removes CRI lines (containerd, CRI-O) and kubectl --timestamps stamps', () => {
    expect(unwrap(`2021-08-05T13:32:26.900345123Z stderr F ${LOGFMT}`).layers).toEqual(['cri'])
    expect(unwrap(`2021-08-05T13:32:26.900345123Z stdout P ${LOGFMT}`).body).toBe(LOGFMT)
    const k = unwrap(`2021-08-05T13:32:27.000000001Z ${LEVEL}`)
    expect([k.layers, k.body, iso(k.time)]).toEqual([['timestamp'], LEVEL, '2021-08-05T13:32:27.000Z'])
    // hclog's own time + [LEVEL] and zap's console form are lines, not a stamp around a line.
    expect(unwrap('2021-08-05T13:32:26Z [INFO]  raft: Node at 10.0.0.1:8089 [Follower] entering Follower state').layers).toEqual([])
    expect(unwrap('2021-08-05T13:32:26.900Z\tinfo\tOpened shard\t{"service": "store"}').layers).toEqual([])
    expect(unwrap('2021-08-05T13:32:26.900Z    info    Opened shard').layers).toEqual([])
  })

  it('removes compose and swarm service prefixes, alone and around other wrappers', () => {
    const c = unwrap(`influxdb-meta-0  | ${LEVEL}`)
    expect([c.layers, c.body, c.container]).toEqual([['compose'], LEVEL, 'influxdb-meta-0'])
    expect(unwrap(`iml_influxdb.1.k1nh2x8q7@worker-2    | ${LOGFMT}`).container).toBe('iml_influxdb.1.k1nh2x8q7@worker-2')
    expect(unwrap(`influx_1  | 2021-08-05T13:32:26.900345123Z ${LOGFMT}`).layers).toEqual(['compose', 'timestamp'])
    // A pipe inside a message is not a prefix.
    expect(unwrap('ts=2021-08-05T13:32:26Z lvl=info msg="a | b"').layers).toEqual([])
  })

  it('removes RFC 5424 and BSD syslog, journald (short, short-iso) and bare program tags', () => {
    const r = unwrap('<30>1 2022-03-01T10:00:00.1Z host1 influxd 123 - - [meta] 2016/10/18 10:35:21 opened service')
    expect([r.layers, r.host, r.process, r.pid, r.body]).toEqual([['rfc5424'], 'host1', 'influxd', 123, '[meta] 2016/10/18 10:35:21 opened service'])
    const sd = unwrap('<30>1 2022-03-01T10:00:00Z h influxd - ID47 [exampleSDID@32473 iut="3" eventSource="App]lication"] ' + LOGFMT)
    expect(sd.body).toBe(LOGFMT)
    const b = unwrap(`Mar  1 10:00:00 db1 influxd[123]: ${LEVEL}`, NOW)
    expect([b.layers, b.host, b.process, b.pid, iso(b.time)]).toEqual([['syslog'], 'db1', 'influxd', 123, '2022-03-01T10:00:00.000Z'])
    expect(unwrap(`<30>Mar 1 10:00:00 db1 influxd: ${LEVEL}`, NOW).body).toBe(LEVEL)
    expect(unwrap(`Mar 01 10:00:00.123456 db1 influxd-meta[9]: ${LOGFMT}`, NOW).body).toBe(LOGFMT)
    const j = unwrap(`2022-03-01T10:00:00+0000 db1 influxd[123]: ${LOGFMT}`)
    expect([j.layers, j.host, j.body]).toEqual([['journald-iso'], 'db1', LOGFMT])
    expect(unwrap('influxd[123]: [wal] 2016/10/18 10:35:21 Flush').layers).toEqual(['syslog-tag'])
  })

  it('removes stacks of wrappers (syslog around compose around a stamp), up to the layer limit', () => {
    const s = unwrap(`Mar  1 10:00:00 db1 dockerd[99]: influx_1  | 2021-08-05T13:32:26Z ${LOGFMT}`, NOW)
    expect(s.layers).toEqual(['syslog', 'compose', 'timestamp'])
    expect(s.body).toBe(LOGFMT)
    let deep = LOGFMT
    for (let i = 0; i < MAX_LAYERS + 3; i++) deep = `2021-08-05T13:32:26Z ${deep}`
    expect(unwrap(deep).layers).toHaveLength(MAX_LAYERS)
  })

  it('reads stamps without a zone in --tz', () => {
    const berlin = parseZone('Europe/Berlin')
    expect(berlin).toBeDefined()
    expect(iso(unwrap('Mar  1 10:00:00 db1 influxd[1]: x', NOW, berlin).time)).toBe('2022-03-01T09:00:00.000Z')
    expect(iso(parseLine('[write] 2016/07/01 10:00:00 x', {zone: berlin}).time)).toBe('2016-07-01T08:00:00.000Z')
    expect(iso(parseLine('[write] 2016/07/01 10:00:00 x', {zone: parseZone('-05:30')}).time)).toBe('2016-07-01T15:30:00.000Z')
    // A stamp with its own zone ignores --tz.
    expect(iso(parseLine(LOGFMT, {zone: berlin}).time)).toBe('2021-08-05T13:32:26.900Z')
    expect(parseZone('Mars/Olympus')).toBeUndefined()
  })

  it('measures RFC 3339 stamps exactly', () => {
    expect(isoLength('2021-08-05T13:32:26Z x')).toBe(20)
    expect(isoLength('2021-08-05T13:32:26.123456789+01:00 x')).toBe(35)
    expect(isoLength('2021-08-05T13:32:26+0100')).toBe(24)
    expect(isoLength('2021-08-05 13:32:26')).toBe(0)
    expect(isoLength('2021-08-05T13:32')).toBe(0)
  })
})

describe('eras, old prefixes and cut lines', () => {
  it('reads the 0.9-1.1 bracket form, the 1.2-1.4 [I] form and older service names', () => {
    expect(parseLine('[metastore] 2015/09/02 14:20:51 Using data dir: /var/lib/influxdb/meta')).toMatchObject({format: 'legacy', service: 'metastore'})
    expect(parseLine('[handoff] 2016/02/10 12:00:00 send to 2 failed')).toMatchObject({format: 'legacy', service: 'handoff'})
    expect(parseLine('[I] 2017-09-26T14:44:32Z Opened shard 3 service=store')).toMatchObject({format: 'legacy-level', service: 'store', msg: 'Opened shard 3'})
    expect(parseLine('[shard]2016/02/10 12:00:00 flush').service).toBe('shard')
  })

  it('says when a line was cut short and still reads what is there', () => {
    const cut = parseLine('[httpd] 2016/10/18 10:35:21 10.0.0.1 - - [18/Oct/2016:10:35:21 +0000] "POST /write?db=x HTTP/1.1" 500 57 "-" "tel')
    expect(cut.http?.status).toBe(500)
    expect(cut.cutShort).toBeTruthy()
    expect(parseLine('ts=2021-08-05T13:32:26.9Z lvl=error msg="write failed: partial wri').cutShort).toBeTruthy()
    expect(parseLine(LOGFMT).cutShort).toBeUndefined()
  })

  it('refuses JSON nested deeper than the limit and says why, without throwing', () => {
    const deep = '{"lvl":"error","msg":' + '['.repeat(4500) + ']'.repeat(4500) + '}'
    const ev = parseLine(deep)
    expect(ev.problem).toMatch(/nested/)
    const body = 'HTTP/1.1 500 Internal Server Error {"error":' + '['.repeat(4500) + '}'
    expect(() => parseLine(body)).not.toThrow()
  })
})
