// Time linear in the line's length on every path a line can take through the reader and the matcher, with long runs
// of the characters that make regexes backtrack (digits, spaces, quotes, `=`, brackets, `\"`, markers repeated).
import {describe, expect, it} from 'vitest'

import {CATALOGUE} from '../../src/logs/catalogue/index.js'
import {Matcher} from '../../src/logs/catalogue/matcher.js'
import {classify} from '../../src/logs/classify.js'
import {parseLine} from '../../src/logs/formats.js'
import {redact} from '../../src/logs/redact.js'
import {templateOf} from '../../src/logs/templates.js'
import {expectLinear} from '../helpers/fuzz.js'
import {HOSTILE_RUNS} from './fuzz-lines.js'

const matcher = new Matcher(CATALOGUE)

/** One prefix per parser path: each era, each access-log dialect, each wrapper, each client-error form. */
const PATHS: Record<string, string> = {
  'legacy': '[httpd] 2016/10/18 10:35:21 ',
  'legacy access, quoted': '[httpd] 2016/10/18 10:35:21 10.0.0.1 - - [18/Oct/2016:10:35:21 +0000] "POST /write?db=x HTTP/1.1" 500 57 "-" "tel" abc ',
  'legacy access, unquoted': '[meta-http] 2016/09/19 09:08:53 172.31.4.132 - - [19/Sep/2016:09:08:53 +0000] GET /lease?name=continuous_querier&node_id=5 HTTP/1.1 409 105 - ',
  'access, cut short': '[httpd] 2016/10/18 10:35:21 10.0.0.1 - - [18/Oct/2016:10:35:21 +0000] "POST /write?db=',
  '[I] 1.2-1.4': '[I] 2017-09-26T14:44:32Z Opened shard ',
  'logfmt, quoted msg': 'ts=2021-08-05T13:32:26.9Z lvl=error msg="',
  'logfmt, bare msg': 'ts=2021-08-05T13:32:26.9Z lvl=error msg=x ',
  'logfmt access': 'ts=2021-12-08T02:00:54.864731Z lvl=info msg=weblog service=meta-http uri="/lease?name=continuous_querier" status=409 size=105 user-agent="',
  'zap JSON': '{"lvl":"error","ts":"2021-12-08T02:00:55Z","msg":"',
  'zap console': '2021-08-05T13:32:26.900Z\terror\t',
  'hclog raft': '2021-08-05T13:32:26Z [INFO]  raft: ',
  'raw HTTP answer': 'HTTP/1.1 500 Internal Server Error ',
  'influxd-ctl': 'add-data: operation exited with error: ',
  'BSD syslog': 'Mar  1 10:00:00 db1 influxd[123]: ',
  'RFC 5424 with SD': '<30>1 2022-03-01T10:00:00.1Z host influxd 123 - [a b="',
  'docker json-file': '{"log":"',
  'compose prefix': 'influx_1  | ',
  'CRI': '2021-08-05T13:32:26.900345123Z stderr F ',
  'journald short-iso': '2022-03-01T10:00:00+0000 db1 influxd[12]: ',
  'Telegraf': '2021-03-04T10:00:00Z E! [outputs.influxdb] When writing to [http://influx:8086]: received error ',
  'Telegraf, old': '2017-05-01T10:00:00Z E! InfluxDB Output Error: Response Error: Status Code [500], expected [204], [',
  'influxdb-python': 'influxdb.exceptions.InfluxDBClientError: 400: ',
  'X-Influxdb-Error': 'X-Influxdb-Error: partial write: ',
  'no prefix': '',
}

const line = (prefix: string, run: string, n: number) => prefix + run.repeat(Math.ceil(n / run.length)).slice(0, n)
const readAndMatch = (lines: string[]) => {
  for (const l of lines) classify(matcher, parseLine(l))
}

describe('every reading path takes time linear in the line', () => {
  // One expectLinear per hostile run, over a batch holding that run behind every path prefix (a superlinear path
  // dominates the batch's time as the run grows); and one per path, with every run one after another.
  for (const run of HOSTILE_RUNS) {
    it(`a long run of ${JSON.stringify(run)} behind each path`, () => {
      const r = expectLinear((n) => Object.values(PATHS).map((p) => line(p, run, n)), readAndMatch, 1500)
      expect(r.growth).toBeLessThanOrEqual(2.5)
    })
  }
  for (const [name, prefix] of Object.entries(PATHS)) {
    it(`path: ${name}, with every run in turn, also at the end of the line`, () => {
      const make = (n: number) => [prefix + HOSTILE_RUNS.map((r) => line('', r, n)).join(''), ...HOSTILE_RUNS.map((r) => line(prefix, r, n))]
      expectLinear(make, readAndMatch, 300)
    })
  }

  it('the masking of unknown lines and the redaction of secrets', () => {
    // Every run one after another (a superlinear scan of any one of them dominates as they grow), and one at the end.
    const all = (n: number) => HOSTILE_RUNS.map((r) => line('', r, n))
    expectLinear((n) => [`password=${all(n).join('')}`, ...all(n).map((r) => `token ${r}`)], (ls) => ls.forEach((l) => redact(l)), 200)
    expectLinear((n) => [`error 12 at ${all(n).join('')}`, ...all(n).map((r) => `x ${r}`)], (ls) => ls.forEach((l) => templateOf(l)), 200)
  })
})
