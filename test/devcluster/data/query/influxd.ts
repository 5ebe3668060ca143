// A real influxd 1.6.7 for conformance tests: started on 127.0.0.1 with a temporary config (every folder in a temp
// dir, reporting disabled, no self-monitoring, no background services that would change the data), stopped at the end.
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {type AddressInfo, createServer} from 'node:net'
import {join} from 'node:path'
import {tempFolder} from '../../../helpers/tmp.js'
import {until} from '../../../helpers/wait.js'

export const INFLUXD = '/usr/bin/influxd'

export function influxdMissing(): string | undefined {
  return existsSync(INFLUXD) ? undefined : `${INFLUXD} is not installed (Debian package influxdb)`
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

export interface Influxd {
  url: string
  query(params: Record<string, string>, init?: {method?: string; headers?: Record<string, string>}): Promise<{status: number; body: string}>
  write(db: string, lines: string, rp?: string): Promise<void>
  stop(): Promise<void>
}

export async function startInfluxd(): Promise<Influxd> {
  const tmp = tempFolder('medic-influxd-')
  const [httpPort, rpcPort] = [await freePort(), await freePort()]
  const conf = join(tmp.dir, 'influxdb.conf')
  writeFileSync(conf, [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]', `  dir = "${join(tmp.dir, 'meta')}"`, '  logging-enabled = false',
    '[data]', `  dir = "${join(tmp.dir, 'data')}"`, `  wal-dir = "${join(tmp.dir, 'wal')}"`, '  query-log-enabled = false',
    '[monitor]', '  store-enabled = false',
    '[retention]', '  enabled = false',
    '[shard-precreation]', '  enabled = false',
    '[continuous_queries]', '  enabled = false',
    '[subscriber]', '  enabled = false',
    '[http]', `  bind-address = "127.0.0.1:${httpPort}"`, '  log-enabled = false',
    '',
  ].join('\n'))
  const child: ChildProcess = spawn(INFLUXD, ['-config', conf], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000)
  })
  const url = `http://127.0.0.1:${httpPort}`
  try {
    await until('influxd to answer /ping', async () => {
      if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${stderr}`)
      try {
        return (await fetch(`${url}/ping`)).status === 204
      } catch {
        return false
      }
    }, 20_000)
  } catch (err) {
    child.kill('SIGKILL')
    tmp.remove()
    throw err
  }
  return {
    url,
    async query(params, init = {}) {
      const res = await fetch(`${url}/query?${new URLSearchParams(params)}`, {method: init.method ?? 'GET', headers: init.headers})
      return {status: res.status, body: await res.text()}
    },
    async write(db, lines, rp) {
      const res = await fetch(`${url}/write?${new URLSearchParams({db, precision: 'ns', ...(rp === undefined ? {} : {rp})})}`, {method: 'POST', body: lines})
      if (res.status !== 204) throw new Error(`influxd write: ${res.status} ${await res.text()}`)
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      tmp.remove()
    },
  }
}
