// The data node API's log lines: the [httpd] access line in every log shape, passwords redacted, the 5xx error line,
// the /status warning; and `medic explain` recognises what the node wrote.
import {afterEach, describe, expect, it} from 'vitest'

import type {LogFormat} from '../../../../src/devcluster/node/logger.js'
import {Explainer} from '../../../../src/logs/explain.js'
import {get, type Node, post, q, startNode} from './fixture.js'

let node: Node | undefined
afterEach(async () => {
  await node?.close()
  node = undefined
})

async function start(format: LogFormat, logEnabled = true): Promise<Node> {
  node = await startNode({logEnabled}, {format})
  await node.meta.createDatabase('db')
  await node.meta.createUser('bob', 'pw', true)
  return node
}

const ACCESS = /^\[httpd\] 127\.0\.0\.1 - (\S+) \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "([A-Z]+) (\S+) HTTP\/1\.1" (\d{3}) (\d+) "([^"]*)" "([^"]*)" ([0-9a-f-]{36}) (\d+)$/

describe('the [httpd] access line', () => {
  it('legacy-level: the Apache combined line with user, request id and microseconds; p= redacted', async () => {
    const n = await start('legacy-level')
    const r = await post(n.url, '/write?db=db&u=bob&p=pw', 'm v=1', {'User-Agent': 'ua/1'})
    expect(r.status).toBe(204)
    await get(n.url, '/query' + q({q: "SHOW DATABASES; CREATE USER x WITH PASSWORD 'secret'", u: 'bob', p: 'pw'}))
    await get(n.url, '/ping')
    const access = n.lines.filter((l) => l.startsWith('[httpd] '))
    expect(access).toHaveLength(3)
    const w = ACCESS.exec(access[0])!
    expect(w).not.toBeNull()
    expect(w.slice(1, 8)).toEqual(['bob', 'POST', '/write?db=db&p=%5BREDACTED%5D&u=bob', '204', '0', '-', 'ua/1'])
    expect(w[8]).toBe(r.headers['request-id'])
    const qline = ACCESS.exec(access[1])!
    expect(qline[3]).toBe('/query?p=%5BREDACTED%5D&q=SHOW+DATABASES%3B+CREATE+USER+x+WITH+PASSWORD+%5BREDACTED%5D&u=bob')
    expect(access.join('\n')).not.toContain('secret')
    expect(ACCESS.exec(access[2])!.slice(1, 6)).toEqual(['-', 'GET', '/ping', '204', '0'])
    expect(n.lines.join('\n')).not.toMatch(/p=pw/)
  })

  it('logfmt: a weblog line with the same fields; nothing when log-enabled is off', async () => {
    const n = await start('logfmt')
    await get(n.url, '/ping', {'User-Agent': 'ua/2'})
    const line = n.lines.find((l) => l.includes('msg=weblog'))!
    expect(line).toContain('service=httpd')
    expect(line).toContain('method=GET uri=/ping protocol=HTTP/1.1')
    expect(line).toContain('status=204')
    await n.close()
    const quiet = await start('logfmt', false)
    await get(quiet.url, '/ping')
    expect(quiet.lines.filter((l) => l.includes('weblog'))).toHaveLength(0)
  })

  it('404 and 405 are not logged (Go mux answers), nor /debug/vars', async () => {
    const n = await start('legacy-level')
    await get(n.url, '/nope')
    await post(n.url, '/ping', '')
    await get(n.url, '/debug/vars')
    expect(n.lines.filter((l) => l.startsWith('[httpd] '))).toHaveLength(0)
  })
})

describe('error lines and explain', () => {
  it('a 5xx logs [500] - "<error>" at error level; explain knows the 500, the /status and the access lines', async () => {
    for (const format of ['logfmt', 'legacy-level', 'json'] as const) {
      const n = await start(format)
      n.failNextWrite = new Error('write failed: hinted handoff queue not empty')
      const r = await post(n.url, '/write?db=db', 'm v=1')
      expect(r.status).toBe(500)
      await get(n.url, '/status')
      const errorLine = n.lines.find((l) => l.includes('[500] - '))!
      expect(errorLine, format).toBeDefined()
      if (format === 'logfmt') expect(errorLine).toMatch(/lvl=error msg="\[500\] - \\"write failed: hinted handoff queue not empty\\"" log_id=\S+ service=httpd$/)
      if (format === 'legacy-level') expect(errorLine).toMatch(/^\[E\] \S+ \[500\] - "write failed: hinted handoff queue not empty" service=httpd$/)
      const statusLine = n.lines.find((l) => l.includes('/status has been deprecated'))!
      const accessLine = n.lines.find((l) => l.includes('weblog') || l.startsWith('[httpd] '))!
      const ex = new Explainer()
      for (const line of [errorLine, statusLine, accessLine]) {
        const e = ex.explain(line)
        expect(e.verdict, `${format}: ${line}`).not.toBe('unknown')
      }
      await n.close()
      node = undefined
    }
  })
})
