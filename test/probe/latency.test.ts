// The latency of a probe is the node's time, not medic's start-up: the first request of a process loads undici,
// compiles its HTTP parser and parses its first answer with it, and none of that may be counted against the first node
// asked. Each attempt runs in a fresh Node process (cold modules) that serves /status itself and notes, on the same
// clock as the client, when the request arrived: the latency cannot exceed (answer received by the client) -
// (request arrived at the server) unless it includes time spent before the request left. The bound is exact but the
// machine is shared and busy, so the best of three cold starts must meet it; counting the client's start-up (40 ms
// or more) fails all three.
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const CHILD = `
import {createServer} from 'node:http'
const {getRaw, closeHttp} = await import(${JSON.stringify(join(ROOT, 'dist', 'probe', 'http.js'))})
let arrived = 0
const server = createServer((_req, res) => {
  arrived = performance.now()
  res.writeHead(200, {'content-type': 'application/json'})
  res.end('{"nodeType":"meta"}')
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const r = await getRaw('http://127.0.0.1:' + server.address().port + '/status', {timeoutMs: 20000})
const returned = performance.now()
await closeHttp()
server.close()
console.log(JSON.stringify({status: r.status, durationMs: r.durationMs, boundMs: Math.ceil(returned - arrived) + 1}))
`

describe('probe latency', () => {
  it('the first request of a process: measured from the request, not from loading the HTTP client', () => {
    const attempts: Array<{status: number; durationMs: number; boundMs: number}> = []
    for (let i = 0; i < 3; i++) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], {cwd: ROOT, encoding: 'utf8', timeout: 60_000})
      const a = JSON.parse(out.trim().split('\n').at(-1)!) as {status: number; durationMs: number; boundMs: number}
      expect(a.status).toBe(200)
      attempts.push(a)
      if (a.durationMs <= a.boundMs) break
    }
    expect(attempts.some((a) => a.durationMs <= a.boundMs), JSON.stringify(attempts)).toBe(true)
  }, 120_000)
})
