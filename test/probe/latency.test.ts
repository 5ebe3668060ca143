// The latency of a probe is the node's time, not medic's start-up: the first request of a process loads undici,
// compiles its HTTP parser and parses its first answer with it, and none of that may be counted against the first node
// asked. This file runs first in its own worker (fresh modules), so its first request is a cold one. The server is in
// the same process and notes when the request arrives and when it answers, on the same clock as the client: the
// latency cannot be longer than (answer received by the client) - (request arrived at the server) unless it includes
// time spent before the request left.
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'

import {closeHttp, getRaw} from '../../src/probe/http.js'

afterAll(closeHttp)

describe('probe latency', () => {
  it('the first request of the process: measured from the request, not from loading the HTTP client', async () => {
    let arrived = 0
    const server = createServer((_req, res) => {
      arrived = performance.now()
      res.writeHead(200, {'content-type': 'application/json'})
      res.end('{"nodeType":"meta"}')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`
      const r = await getRaw(url, {timeoutMs: 10_000})
      const returned = performance.now()
      expect(r.status).toBe(200)
      // 1 ms of rounding: durationMs is rounded to whole milliseconds.
      expect(r.durationMs).toBeLessThanOrEqual(Math.ceil(returned - arrived) + 1)
      // and the second request, warm, obeys the same bound
      const r2 = await getRaw(url, {timeoutMs: 10_000})
      expect(r2.durationMs).toBeLessThanOrEqual(Math.ceil(performance.now() - arrived) + 1)
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})
