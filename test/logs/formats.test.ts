import {describe, expect, it} from 'vitest'

import {parseLine, parseLogfmt} from '../../src/logs/formats.js'
import {parseTimeBound} from '../../src/logs/time.js'

describe('parseLine', () => {
  it('reads the legacy Go log format', () => {
    const ev = parseLine('[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty')
    expect(ev).toMatchObject({format: 'legacy', service: 'write', msg: 'write failed for shard 2382 on node 4: hinted handoff queue not empty'})
    expect(new Date(ev.time!).toISOString()).toBe('2016-10-18T10:35:21.000Z')
  })

  it('reads the 1.3/1.4 [I] form with trailing fields', () => {
    const ev = parseLine('[I] 2017-11-29T13:31:50Z retention policy shard deletion check commencing service=retention')
    expect(ev).toMatchObject({format: 'legacy-level', level: 'info', service: 'retention', msg: 'retention policy shard deletion check commencing'})
    expect(ev.time).toBe(Date.UTC(2017, 10, 29, 13, 31, 50))
  })

  it('reads logfmt with quoted values, escapes and trace fields', () => {
    const ev = parseLine('ts=2018-02-21T20:16:16.709953Z lvl=info msg="TSM compaction (start)" log_id=06QVNNCG000 engine=tsm1 trace_id=06QV~HHG000 op_event=start err="a \\"quoted\\" word"')
    expect(ev).toMatchObject({format: 'logfmt', level: 'info', msg: 'TSM compaction (start)', logId: '06QVNNCG000'})
    expect(ev.fields.err).toBe('a "quoted" word')
    expect(ev.time).toBe(Date.UTC(2018, 1, 21, 20, 16, 16, 709))
  })

  it('reads zap JSON lines with string or numeric ts', () => {
    const a = parseLine('{"level":"warn","ts":"2019-05-01T10:00:00.5Z","msg":"Write failed","log_id":"0FbE5Uu0000","service":"write"}')
    expect(a).toMatchObject({format: 'json', level: 'warn', msg: 'Write failed', service: 'write', time: Date.UTC(2019, 4, 1, 10, 0, 0, 500)})
    const b = parseLine('{"level":"info","ts":1556704800.25,"msg":"Opened shard"}')
    expect(b.time).toBe(1556704800250)
  })

  it('reads the console format', () => {
    const ev = parseLine('2021-07-21T17:20:44.024846Z\tinfo\tPassword hashing is FIPS-ready: true\t{"log_id": "0VUXBWE0001"}')
    expect(ev).toMatchObject({format: 'console', level: 'info', msg: 'Password hashing is FIPS-ready: true', logId: '0VUXBWE0001'})
  })

  it('unwraps journald/syslog prefixes and keeps host, process and pid', () => {
    const ev = parseLine('Nov 21 10:00:00 meta-01 influxd-meta[123]: [meta-http] 2016/09/19 09:08:53 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /status HTTP/1.1 200 150 - curl/7.68.0 b00e4943-7e48-11e6-86a6-000000000000 120µs', Date.UTC(2026, 10, 21))
    expect(ev).toMatchObject({wrapper: 'syslog', host: 'meta-01', process: 'influxd-meta', pid: 123, format: 'meta-access'})
    expect(ev.http).toMatchObject({method: 'GET', uri: '/status', status: 200})
    const plain = parseLine('Nov 21 10:00:00 data-01 influxd[9]: something odd', Date.UTC(2026, 10, 21, 12))
    expect(plain).toMatchObject({host: 'data-01', msg: 'something odd', time: Date.UTC(2026, 10, 21, 10)})
  })

  it('gives a syslog time without a year the year that is not in the future', () => {
    const ev = parseLine('Dec 31 23:00:00 h influxd[1]: x', Date.UTC(2026, 0, 1, 1))
    expect(new Date(ev.time!).getUTCFullYear()).toBe(2025)
  })

  it('reads both access-log dialects', () => {
    const meta = parseLine('[meta-http] 2016/09/19 09:08:53 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /lease?name=continuous_querier&node_id=5 HTTP/1.1 409 105 - InfluxDB Meta Client b00e4943-7e48-11e6-86a6-000000000000 380.542µs')
    expect(meta.format).toBe('meta-access')
    expect(meta.http).toMatchObject({status: 409, userAgent: 'InfluxDB Meta Client', durationMs: 0.380542})
    const data = parseLine('[httpd] 127.0.0.1 - - [01/Mar/2017:20:49:45 +0000] "POST /query?db=&epoch=ns&q=SHOW+DATABASES HTTP/1.1" 200 151 "-" "InfluxDBShell/1.3.x" 9a4371a1-fec0-11e6-84b6-000000000000 1709')
    expect(data).toMatchObject({format: 'http-access', service: 'httpd', time: Date.UTC(2017, 2, 1, 20, 49, 45)})
    expect(data.http).toMatchObject({method: 'POST', status: 200, durationMs: 1.709})
    // With access-log-path the [httpd] prefix is gone.
    expect(parseLine('10.1.1.1 - admin [01/Mar/2017:20:49:45 +0000] "POST /write?db=x HTTP/1.1" 204 0 "-" "telegraf" 9a4371a1-fec0-11e6-84b6-000000000000 830').format).toBe('http-access')
  })

  it('reads hclog raft lines and bare Go log lines', () => {
    expect(parseLine('2021-03-04T05:06:07.123Z [WARN]  raft: heartbeat timeout reached: last-leader=meta-2:8089')).toMatchObject({
      format: 'raft', level: 'warn', msg: 'raft: heartbeat timeout reached: last-leader=meta-2:8089', time: Date.UTC(2021, 2, 4, 5, 6, 7, 123),
    })
    expect(parseLine('2021-03-04T05:06:07.123Z [ERROR] raft: failed to appendEntries to: peer=x')).toMatchObject({format: 'raft', level: 'error'})
    expect(parseLine('2017/08/02 14:11:05 http: TLS handshake error from 10.0.0.1:5000: EOF')).toMatchObject({
      format: 'legacy', msg: 'http: TLS handshake error from 10.0.0.1:5000: EOF', time: Date.UTC(2017, 7, 2, 14, 11, 5),
    })
  })

  it('reads raw HTTP answers and influxd-ctl output', () => {
    expect(parseLine('500 {"error":"partial write"}')).toMatchObject({format: 'http-error', msg: '500 partial write'})
    expect(parseLine('HTTP/1.1 503 Service Unavailable')).toMatchObject({format: 'http-error', msg: '503 Service Unavailable'})
    expect(parseLine('{"error":"timeout"}')).toMatchObject({format: 'http-error', msg: 'timeout'})
    expect(parseLine('add-meta: operation exited with error: no leader')).toMatchObject({format: 'influxd-ctl', fields: {command: 'add-meta'}})
  })

  it('survives CRLF, NUL bytes, invalid UTF-8 (as U+FFFD), binary junk and 10 MB lines', () => {
    expect(parseLine('[write] 2016/10/18 10:35:21 hello\r').msg).toBe('hello')
    expect(parseLine('[wr\0ite] 2016/10/18 10:35:21 he\0llo').msg).toBe('hello')
    expect(parseLine('[write] 2016/10/18 10:35:21 caf\uFFFD').msg).toBe('caf\uFFFD')
    expect(parseLine('\u0001\u0002\u0003\u0004\uFFFD\uFFFD\u0005abc').format).toBe('binary')
    const huge = 'ts=2018-02-21T20:16:16.709953Z lvl=info msg="' + 'x'.repeat(10 * 1024 * 1024)
    const t0 = Date.now()
    const ev = parseLine(huge)
    expect(ev.truncated).toBe(true)
    expect(ev.raw.length).toBeLessThanOrEqual(64 * 1024)
    expect(Date.now() - t0).toBeLessThan(20_000) // a hang guard, not a speed target (that is bench/)
  })
})

describe('helpers', () => {
  it('parses logfmt edge cases', () => {
    expect(parseLogfmt('a=1 b= c="x y" flag d="esc\\\\aped"')).toEqual({a: '1', b: '', c: 'x y', flag: '', d: 'esc\\aped'})
  })

  it('parses --since/--until values', () => {
    const now = Date.UTC(2026, 10, 21, 12)
    expect(parseTimeBound('2h', now)).toBe(now - 7_200_000)
    expect(parseTimeBound('2026-11-21', now)).toBe(Date.UTC(2026, 10, 21))
    expect(parseTimeBound('2026-11-21T10:00:00Z', now)).toBe(Date.UTC(2026, 10, 21, 10))
    expect(parseTimeBound('yesterday-ish', now)).toBeUndefined()
  })
})

describe('trailing fields of [I] lines', () => {
  it('splits only the trailing key=value run, in linear time', async () => {
    const {trailingFieldsStart} = await import('../../src/logs/formats.js')
    expect(trailingFieldsStart("Detected slow query: SELECT * FROM cpu WHERE host='a' (qid: 3) service=query")).toBe(62)
    expect(trailingFieldsStart('msg a=1 b="x y" c=2')).toBe(3)
    expect(trailingFieldsStart('no fields here')).toBe(-1)
    const t0 = Date.now()
    trailingFieldsStart(' a=b'.repeat(16_000) + ' x')
    trailingFieldsStart(' a="'.repeat(16_000) + ' x')
    expect(Date.now() - t0).toBeLessThan(20_000) // a hang guard: the regex it replaced took seconds
  })
})
