// A data node process on its own (src/devcluster/data/main.ts through tsx, real ports on loopback): its config read
// with Enterprise's defaults and refused with the key and the fix; before it is added it serves and says so in its
// log; with a client.json whose meta server is gone it logs the failure once per cause, not once per retry.
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {type AddressInfo, createServer} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {renderDataConfig} from '../../../src/devcluster/cluster/configs/data.js'
import {dataPorts} from '../../../src/devcluster/cluster/ports.js'
import {ConfigError, parseDataNodeConfig} from '../../../src/devcluster/data/config.js'
import {ROOT, tempDir} from '../../helpers/cli.js'
import {until} from '../../helpers/wait.js'
import {freeBase} from '../../fixtures/dev/helpers.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

function input(dir: string, ports: {http: number; rpc: number}) {
  return {
    name: 'data-1', clusterDir: dir, hostname: '127.0.0.1', metaDir: join(dir, 'meta'), dataDir: join(dir, 'data'), walDir: join(dir, 'wal'),
    hhDir: join(dir, 'hh'), httpPort: ports.http, rpcPort: ports.rpc, logFormat: 'logfmt' as const,
  }
}

/** data-1's ports of a base reserved for this process (shared with the other tests and the scenarios). */
async function freePorts(): Promise<{http: number; rpc: number}> {
  return dataPorts(await freeBase(0, 1), 1)
}

function startNode(config: string): {child: ChildProcess; log: () => string; exited: Promise<number | null>} {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/devcluster/data/main.ts'), '-config', config], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  let text = ''
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  return {child, log: () => text, exited}
}

describe('data node config', () => {
  it('reads back what cluster/configs/data.ts writes, with Enterprise defaults for absent keys', async () => {
    const cfg = await parseDataNodeConfig(renderDataConfig(input('/c', {http: 19186, rpc: 19188})))
    expect(cfg).toMatchObject({
      name: 'data-1', hostname: '127.0.0.1', bindAddress: '127.0.0.1:19188',
      http: {bindAddress: '127.0.0.1:19186', maxBodySize: 25_000_000, authEnabled: false},
      hintedHandoff: {enabled: true, dir: '/c/hh', maxSize: 10_737_418_240, maxAgeMs: 168 * 3_600_000, retryMaxIntervalMs: 200_000},
      cluster: {writeTimeoutMs: 10_000},
    })
    const minimal = await parseDataNodeConfig('[meta]\n  dir = "/m"\n')
    expect(minimal).toMatchObject({hostname: 'localhost', bindAddress: ':8088', data: {dir: '/var/lib/influxdb/data'}, http: {bindAddress: ':8086'}, gossipFrequencyMs: 3000})
  })

  it.each([
    ['[http]\n  max-body-size = "big"\n', '[http] max-body-size must be a whole number'],
    ['[hinted-handoff]\n  max-size = "10x"\n', '[hinted-handoff] max-size = "10x"'],
    ['[cluster]\n  write-timeout = "10"\n', '[cluster] write-timeout = "10"'],
    ['bind-address = "127.0.0.1:0"\n', 'port 0 would be a random port'],
    ['[hinted-handoff]\n  dir = ""\n', 'HintedHandoff.Dir must be specified'],
    ['[meta]\n  meta-auth-enabled = true\n', 'meta-internal-shared-secret is empty'],
    ['[http]\nauth-enabled = "yes"\n', '[http] auth-enabled must be true or false'],
    ['[http\n', 'not valid TOML'],
  ])('refuses %j naming the key', async (text, message) => {
    const err = await parseDataNodeConfig(text, '/etc/influxdb/influxdb.conf').then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).message).toContain('/etc/influxdb/influxdb.conf: ')
    expect((err as ConfigError).message).toContain(message)
    expect((err as ConfigError).fix).not.toBe('')
  })
})

describe('a data node process on its own', () => {
  it('exits 1 with the config error as its last line', async () => {
    const dir = tempDir('medic-data-node-')
    const config = join(dir, 'influxdb.conf')
    writeFileSync(config, '[http]\n  max-body-size = -1\n')
    const node = startNode(config)
    expect(await node.exited).toBe(1)
    expect(node.log().trim().split('\n').at(-1)).toBe(`run: parse config: ${config}: [http] max-body-size must be a whole number of 0 or more, not "-1"`)
  }, 60_000)

  it('serves before it is added, logs what Enterprise logs then, and answers as a node without databases', async () => {
    const dir = tempDir('medic-data-node-')
    const ports = await freePorts()
    const config = join(dir, 'influxdb.conf')
    writeFileSync(config, renderDataConfig(input(dir, ports)))
    const node = startNode(config)
    await until('/ping answers 204', async () => (await fetch(`http://127.0.0.1:${ports.http}/ping`).catch(() => undefined))?.status === 204, 40_000)
    expect(node.log()).toContain('msg="Connecting to meta service"')
    expect(node.log()).toMatch(/msg="Could not connect to meta service" log_id=\S+ service=metaclient error="open \S+client\.json: no such file or directory"/)
    const w = await fetch(`http://127.0.0.1:${ports.http}/write?db=nope`, {method: 'POST', body: 'cpu value=1'})
    expect([w.status, await w.json()]).toEqual([404, {error: 'database not found: "nope"'}])
    const q = await fetch(`http://127.0.0.1:${ports.http}/query?q=SHOW+DATABASES`)
    expect(await q.json()).toEqual({results: [{statement_id: 0, series: [{name: 'databases', columns: ['name']}]}]})
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  }, 60_000)

  it('with a client.json whose meta server is gone, logs the failure once per cause and keeps serving', async () => {
    const dir = tempDir('medic-data-node-')
    const ports = await freePorts()
    // A "meta server" that hangs up on every connection, counting them.
    let connections = 0
    const gone = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => gone.close())
    const metaAddr = `127.0.0.1:${(gone.address() as AddressInfo).port}`
    mkdirSync(join(dir, 'meta'), {recursive: true})
    writeFileSync(join(dir, 'meta', 'client.json'), JSON.stringify({MetaServers: [metaAddr]}))
    const config = join(dir, 'influxdb.conf')
    writeFileSync(config, renderDataConfig(input(dir, ports)))
    const node = startNode(config)
    await until('the snapshot failure logged', () => node.log().includes('msg="Failure getting snapshot"'), 40_000)
    // The poller retries every second: after three more tries there is still one line for the one cause.
    await until('three retries', () => connections >= 4, 20_000)
    expect((await fetch(`http://127.0.0.1:${ports.http}/ping`)).status).toBe(204)
    expect(node.log().split('\n').filter((l) => l.includes('Failure getting snapshot'))).toHaveLength(1)
    expect(node.log()).toContain(`server=${metaAddr} error=`)
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  }, 60_000)
})
