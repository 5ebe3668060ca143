// A real influxd (the Debian package's 1.6.7) on 127.0.0.1 with a throw-away configuration, for conformance tests and
// benchmarks: every folder in a temp dir, reporting disabled, no self-monitoring and no background services that would
// change the data. The process is stopped by stop().
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {rm, writeFile} from 'node:fs/promises'
import {connect, createServer} from 'node:net'
import {join} from 'node:path'

import {until} from '../helpers/wait.js'
import {tempDir} from './tmp.js'

export const INFLUXD = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((p) => existsSync(p))

/** Why the tests that need influxd skip, or undefined when it is installed. */
export function influxdMissing(): string | undefined {
  return INFLUXD ? undefined : 'influxd is not installed (the Debian package influxdb gives 1.6.7)'
}

export interface Influxd {
  url: string
  dir: string
  /** POST /query; returns the parsed JSON. */
  query(q: string): Promise<unknown>
  /** /query with any parameters, method and headers; returns the status and the body as text. */
  queryRaw(params: Record<string, string>, init?: {method?: string; headers?: Record<string, string>}): Promise<{status: number; body: string}>
  /** POST /write with a body; returns the status and the `error` of the JSON body, if any. */
  write(db: string, body: string | Uint8Array, params?: Record<string, string>): Promise<{status: number; error?: string}>
  /** POST /write (ns precision) that must answer 204. */
  writeOk(db: string, lines: string, rp?: string): Promise<void>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as {port: number}).port
  await new Promise((r) => server.close(r))
  return port
}

/** Starts influxd and waits until /ping answers; `data` and `http` settings are appended to those sections. */
export async function startInfluxd(data: Record<string, string | number> = {}, http: Record<string, string | number | boolean> = {}): Promise<Influxd> {
  if (!INFLUXD) throw new Error('influxd is not installed')
  const dir = tempDir('medic-influxd-')
  for (let attempt = 1; ; attempt++) {
    const [rpc, httpPort] = [await freePort(), await freePort()]
    const toml = (o: Record<string, string | number | boolean>) => Object.entries(o).map(([k, v]) => `  ${k} = ${typeof v === 'string' ? JSON.stringify(v) : v}`).join('\n')
    const extra = toml(data)
    const config = `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
${extra}
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
${toml(http)}
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[retention]
  enabled = false
[shard-precreation]
  enabled = false
`
    await writeFile(join(dir, 'influxdb.conf'), config)
    const child = spawn(INFLUXD, ['run', '-config', join(dir, 'influxdb.conf')], {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString()
    })
    const url = `http://127.0.0.1:${httpPort}`
    if (await waitReady(url, child)) return handle(url, dir, child)
    child.kill('SIGKILL')
    if (attempt >= 3) {
      await rm(dir, {recursive: true, force: true})
      throw new Error(`influxd did not start: ${stderr.slice(-2000)}`)
    }
  }
}

/** True once /ping answers 204; false if the process exits or 20 s pass first (a taken port, say). */
async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  try {
    await until(`influxd at ${url} to answer /ping`, async () => {
      if (child.exitCode !== null) throw new Error('influxd exited')
      try {
        return (await fetch(`${url}/ping`)).status === 204
      } catch {
        return false // not listening yet
      }
    }, 20_000, 50)
    return true
  } catch {
    return false
  }
}

function handle(url: string, dir: string, child: ChildProcess): Influxd {
  return {
    url,
    dir,
    async query(q) {
      const res = await fetch(`${url}/query`, {method: 'POST', body: new URLSearchParams({q})})
      return res.json()
    },
    async queryRaw(params, init = {}) {
      const res = await fetch(`${url}/query?${new URLSearchParams(params)}`, {method: init.method ?? 'GET', headers: init.headers})
      return {status: res.status, body: await res.text()}
    },
    async writeOk(db, lines, rp) {
      const res = await fetch(`${url}/write?${new URLSearchParams({db, precision: 'ns', ...(rp === undefined ? {} : {rp})})}`, {method: 'POST', body: lines})
      if (res.status !== 204) throw new Error(`influxd write: ${res.status} ${await res.text()}`)
    },
    async write(db, body, params = {}) {
      // A raw request: influxd copies the error into an X-Influxdb-Error header as it is (NUL and other bytes that
      // fetch's strict parser refuses).
      const qs = new URLSearchParams({db, ...params})
      const {status, body: text} = await rawPost(url, `/write?${qs}`, typeof body === 'string' ? Buffer.from(body) : body)
      if (text.length === 0) return {status}
      return {status, error: (JSON.parse(text.toString('utf8')) as {error: string}).error}
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      await rm(dir, {recursive: true, force: true})
    },
  }
}

/** POST with Connection: close, reading the status line and the body after the blank line. */
function rawPost(url: string, path: string, body: Uint8Array): Promise<{status: number; body: Buffer}> {
  const {hostname, port} = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('error', reject)
    socket.on('end', () => {
      const all = Buffer.concat(chunks)
      const split = all.indexOf('\r\n\r\n')
      if (split === -1) return reject(new Error(`no HTTP response: ${JSON.stringify(all.toString('latin1').slice(0, 200))}`))
      const head = all.toString('latin1', 0, split)
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1])
      const rest = all.subarray(split + 4)
      resolve({status, body: /\r\ntransfer-encoding: *chunked/i.test(head) ? unchunk(rest) : rest})
    })
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`)
    socket.end(body)
  })
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = data.indexOf('\r\n', at)
    const size = Number.parseInt(data.toString('latin1', at, eol), 16)
    if (!(size > 0)) break
    parts.push(data.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
  return Buffer.concat(parts)
}
