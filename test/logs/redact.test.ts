import {describe, expect, it} from 'vitest'

import {Explainer} from '../../src/logs/explain.js'
import {redact} from '../../src/logs/redact.js'
import {Summariser, buildReport} from '../../src/logs/summary.js'

describe('redact', () => {
  it('removes passwords, tokens, keys and secrets', () => {
    expect(redact('POST /write?db=x&u=admin&p=hunter2 HTTP/1.1')).toBe('POST /write?db=x&u=admin&p=[REDACTED] HTTP/1.1')
    expect(redact('Authorization: Bearer eyJhbGciOiJIUzUxMiJ9.e30.abc')).toBe('Authorization: Bearer [REDACTED]')
    expect(redact('Authorization: Basic YWRtaW46aHVudGVyMg==')).toBe('Authorization: Basic [REDACTED]')
    expect(redact('license-key = "0f2e-secret-key"')).toBe('license-key = [REDACTED]')
    expect(redact('{"password":"hunter2","user":"a"}')).toBe('{"password":[REDACTED],"user":"a"}')
    expect(redact('influxd-ctl -auth-type basic -user admin -pwd hunter2 show')).toBe('influxd-ctl -auth-type basic -user admin -pwd [REDACTED] show')
    expect(redact('dial http://admin:hunter2@meta-1:8091/status')).toBe('dial http://admin:[REDACTED]@meta-1:8091/status')
    expect(redact('nothing secret here')).toBe('nothing secret here')
  })

  it('applies to explained values and to summary examples and templates', () => {
    const line = '[httpd] 10.0.0.1 - admin [01/Mar/2017:20:49:45 +0000] "POST /write?db=x&u=admin&p=hunter2 HTTP/1.1" 500 33 "-" "curl" 9a4371a1-fec0-11e6-84b6-000000000000 830'
    const r = new Explainer().explain(line)
    expect(JSON.stringify(r.values)).not.toContain('hunter2')
    const s = new Summariser()
    s.add(line, 'f')
    s.add('[shard] 2017/03/01 20:49:45 weird thing with password=hunter2 happened', 'f')
    const report = JSON.stringify(buildReport(s.partial(), {files: ['f']}))
    expect(report).not.toContain('hunter2')
  })
})
