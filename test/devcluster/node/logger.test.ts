// The dev nodes' log writer and time stamps (src/devcluster/node/logger.ts, go-text.ts): each era's exact shape, the
// access line of each era, level filtering, and the [logging] format values the nodes accept.
import {describe, expect, it} from 'vitest'

import {clfTime, isoMicros, legacyStamp, rfc3339, rfc3339Nano} from '../../../src/devcluster/node/go-text.js'
import {createLogger, type LogFormat, LOG_FORMATS, parseLogFormat} from '../../../src/devcluster/node/logger.js'

const T = Date.UTC(2017, 8, 26, 14, 44, 32, 123)

function lines(format: LogFormat, write: (log: ReturnType<typeof createLogger>) => void, level: 'debug' | 'info' = 'info'): string[] {
  const out: string[] = []
  write(createLogger({format, level, sink: (l) => out.push(l), now: () => T, logId: '0TESTLOGID0'}).child('meta'))
  return out
}

describe('time stamps', () => {
  it('are written the way each Go layout writes them, in UTC', () => {
    expect(isoMicros(T)).toBe('2017-09-26T14:44:32.123000Z')
    expect(rfc3339(T)).toBe('2017-09-26T14:44:32Z')
    expect(legacyStamp(T)).toBe('2017/09/26 14:44:32')
    expect(clfTime(T)).toBe('26/Sep/2017:14:44:32 +0000')
    expect(rfc3339Nano(T)).toBe('2017-09-26T14:44:32.123000000Z')
  })
})

describe('the four eras', () => {
  const write = (log: ReturnType<typeof createLogger>) => {
    log.info('Listening on HTTP', {addr: '127.0.0.1:8091', https: false}, 'Listening on HTTP: 127.0.0.1:8091')
    log.warn('repaired the Raft store', {detail: 'a b'})
    log.access({status: 200}, '127.0.0.1 - - [26/Sep/2017:14:44:32 +0000] GET /ping HTTP/1.1 200 2 - curl <id> 1ms')
  }

  it('logfmt and json as 1.5+ write them (the access line is a weblog line)', () => {
    expect(lines('logfmt', write)).toEqual([
      'ts=2017-09-26T14:44:32.123000Z lvl=info msg="Listening on HTTP" log_id=0TESTLOGID0 service=meta addr=127.0.0.1:8091 https=false',
      'ts=2017-09-26T14:44:32.123000Z lvl=warn msg="repaired the Raft store" log_id=0TESTLOGID0 service=meta detail="a b"',
      'ts=2017-09-26T14:44:32.123000Z lvl=info msg=weblog log_id=0TESTLOGID0 service=meta status=200',
    ])
    expect(JSON.parse(lines('json', write)[0])).toEqual({lvl: 'info', ts: '2017-09-26T14:44:32.123000Z', msg: 'Listening on HTTP', log_id: '0TESTLOGID0', service: 'meta', addr: '127.0.0.1:8091', https: false})
  })

  it('legacy-level as 1.2-1.4 wrote them: level letter, RFC 3339, message, service, fields; access lines with the bare prefix', () => {
    expect(lines('legacy-level', write)).toEqual([
      '[I] 2017-09-26T14:44:32Z Listening on HTTP service=meta addr=127.0.0.1:8091 https=false',
      '[W] 2017-09-26T14:44:32Z repaired the Raft store service=meta detail="a b"',
      '[meta] 127.0.0.1 - - [26/Sep/2017:14:44:32 +0000] GET /ping HTTP/1.1 200 2 - curl <id> 1ms',
    ])
    expect(lines('legacy-level', (log) => log.error('boom'))).toEqual(['[E] 2017-09-26T14:44:32Z boom service=meta'])
    expect(lines('legacy-level', (log) => log.debug('quiet'))).toEqual([])
    expect(lines('legacy-level', (log) => log.debug('loud'), 'debug')).toEqual(['[D] 2017-09-26T14:44:32Z loud service=meta'])
  })

  it('legacy as 1.0-1.1 wrote them: [service] Go log stamp, the free text', () => {
    expect(lines('legacy', write)).toEqual([
      '[meta] 2017/09/26 14:44:32 Listening on HTTP: 127.0.0.1:8091',
      '[meta] 2017/09/26 14:44:32 repaired the Raft store detail="a b"',
      '[meta] 2017/09/26 14:44:32 127.0.0.1 - - [26/Sep/2017:14:44:32 +0000] GET /ping HTTP/1.1 200 2 - curl <id> 1ms',
    ])
  })

  it('reads [logging] format values: the four, auto and empty as logfmt, anything else refused', () => {
    for (const f of LOG_FORMATS) expect(parseLogFormat(f.toUpperCase())).toBe(f)
    expect(parseLogFormat('auto')).toBe('logfmt')
    expect(parseLogFormat('')).toBe('logfmt')
    expect(parseLogFormat('console')).toBeUndefined()
  })
})
