// A server error reported by a client (Telegraf, influxdb-python, the Go/JS clients, curl -i, a JSON body in an
// application's log) is explained by the server-side entry, with the client advice first; other software's lines that
// merely share a keyword stay unknown.
import {describe, expect, it} from 'vitest'

import {CATALOGUE} from '../../src/logs/catalogue/index.js'
import {Matcher} from '../../src/logs/catalogue/matcher.js'
import {classify} from '../../src/logs/classify.js'
import {embeddedError} from '../../src/logs/embedded.js'
import {Explainer} from '../../src/logs/explain.js'
import {parseLine} from '../../src/logs/formats.js'

const matcher = new Matcher(CATALOGUE)
const judge = (line: string) => {
  const c = classify(matcher, parseLine(line))
  return {id: c.match?.entry.id ?? null, via: c.embedded?.via, client: c.embedded?.client, status: c.embedded?.status}
}

describe('errors inside client lines', () => {
  it('reads Telegraf\'s old and new output errors, with the status it got (not the one it expected)', () => {
    expect(judge('2021-03-04T10:00:00Z E! [outputs.influxdb] When writing to [http://influx:8086]: received error partial write: field type conflict: input field "value" on measurement "cpu" is type float, already exists as type integer dropped=1; discarding points'))
      .toMatchObject({id: 'partial-write-field-type-conflict', via: 'telegraf', client: true})
    expect(judge('2021-03-04T10:00:00Z E! [outputs.influxdb] when writing to [http://influx:8086]: 500 Internal Server Error: timeout'))
      .toMatchObject({id: 'write-timeout', status: 500})
    expect(judge('2017-05-01T10:00:00Z E! InfluxDB Output Error: Response Error: Status Code [500], expected [204], [{"error":"write failed: hinted handoff queue not empty"}]'))
      .toMatchObject({id: 'write-failed-hh-not-empty', status: 500, via: 'telegraf'})
  })

  it('reads influxdb-python exceptions, the v2 clients, curl -i headers and {"error"} bodies anywhere', () => {
    expect(judge('influxdb.exceptions.InfluxDBServerError: {"error":"timeout"}')).toMatchObject({id: 'write-timeout', client: true})
    expect(judge('influxdb.exceptions.InfluxDBClientError: 400: {"error":"database not found: \\"mydb\\""}')).toMatchObject({id: 'write-database-not-found', status: 400})
    expect(judge('X-Influxdb-Error: partial write: max-values-per-tag limit exceeded (100000/100000): measurement="cpu" tag="host" value="h1" dropped=1'))
      .toMatchObject({id: 'partial-write-max-values-per-tag', via: 'x-influxdb-error'})
    expect(judge('ERROR:root:write failed {"error":"authorization failed"} retrying')).toMatchObject({id: 'http-authorization-failed', via: 'json-body'})
    expect(judge('HttpError: unexpected error writing points to database: timeout')).toMatchObject({id: 'write-timeout', via: 'client'})
  })

  it('reads the data node\'s own `[500] - "..."` line as the server side, not a client', () => {
    expect(judge('[httpd] 2019/04/02 10:00:00 [500] - "timeout"')).toMatchObject({id: 'write-timeout', client: false, status: 500})
  })

  it('leaves other software\'s lines that share a keyword unknown', () => {
    expect(judge('ts=2021-08-05T13:32:26Z lvl=info msg="lease renewed" service=tracker').id).toBeNull()
    expect(judge('ERROR: failed to insert row: partial write; the other database dropped it').id).toBeNull()
    expect(judge('2021-08-05 ERROR [worker-3] job 12 failed: timeout while waiting for the queue').id).toBeNull()
    expect(embeddedError(parseLine('nothing to see here'), 'nothing to see here')).toBeUndefined()
  })

  it('puts the client advice first when a client reported the error', () => {
    const x = new Explainer().explain('influxdb.exceptions.InfluxDBServerError: {"error":"timeout"}')
    expect(x.id).toBe('write-timeout')
    expect(x.clientSide).toBe(true)
  })

  it('does not read a JSON body nested deeper than the limit', () => {
    const line = 'ERROR:root:write failed {"error":' + '['.repeat(4500) + '"x"' + ']'.repeat(4500) + '}'
    expect(() => judge(line)).not.toThrow()
    expect(judge(line).id).toBeNull()
  })
})
