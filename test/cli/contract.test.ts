// The output contract shared by every command: version, help with examples, colour rules, JSON envelope, exit codes.
import {describe, expect, it} from 'vitest'

import {medic, oneJson} from '../helpers/cli.js'

const LINE = '[write] 2016/10/18 10:35:21 write failed for shard 1 on node 2: queue is full'
const ESC = '\u001B['

describe('CLI contract', () => {
  it('prints the version', async () => {
    const r = await medic(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^influx-medic\/\d+\.\d+\.\d+/)
  })

  it('has help with examples on every command', async () => {
    for (const cmd of [['explain'], ['logs', 'summarize']]) {
      const r = await medic([...cmd, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('EXAMPLES')
      expect(r.stdout).toContain('--json')
    }
  })

  it('offers shell completion', async () => {
    const r = await medic(['autocomplete', 'bash'], {env: {XDG_CACHE_HOME: '/tmp/medic-test-cache'}})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/autocomplete|complete/i)
  })

  it('uses no colour when piped, with NO_COLOR, or with --no-color; colour only when forced or on a terminal', async () => {
    expect((await medic(['explain', LINE])).stdout).not.toContain(ESC)
    expect((await medic(['explain', LINE], {env: {FORCE_COLOR: '1'}})).stdout).toContain(ESC)
    expect((await medic(['explain', LINE], {env: {FORCE_COLOR: '1', NO_COLOR: '1'}})).stdout).not.toContain(ESC)
    expect((await medic(['explain', LINE, '--no-color'], {env: {FORCE_COLOR: '1'}})).stdout).not.toContain(ESC)
    expect((await medic(['explain', LINE, '--json'], {env: {FORCE_COLOR: '1'}})).stdout).not.toContain(ESC)
  })

  it('keeps exit codes identical with --json, and errors are one JSON document on stdout', async () => {
    for (const [args, code] of [
      [['explain', LINE], 3],
      [['explain', 'x-y-z-unknown'], 2],
      [['explain', '--file', '/no/such/file'], 4],
      [['explain', '--bogus-flag', 'x'], 2],
    ] as Array<[string[], number]>) {
      const human = await medic(args)
      const json = await medic([...args, '--json'])
      expect(human.code, args.join(' ')).toBe(code)
      expect(json.code, args.join(' ')).toBe(code)
      const doc = oneJson(json.stdout)
      expect(doc.schemaVersion).toBe(1)
      expect(doc.exitCode).toBe(code)
      expect(json.stderr).toBe('')
    }
  })

  it('exits quietly when stdout is closed early (| head)', async () => {
    const {spawnSync} = await import('node:child_process')
    const r = spawnSync('bash', ['-c', `yes '${LINE}' | head -n 3000 | node bin/run.js explain | head -n 1`], {encoding: 'utf8'})
    expect(r.stderr).not.toContain('EPIPE')
    expect(r.stdout.split('\n')[0]).toContain('Lines')
  })
})
