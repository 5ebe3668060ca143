// Unitless durations (issue 14): Go's time.ParseDuration refuses "5", so every duration medic reads refuses it too, as
// a usage error (exit 2) that names the flag, suggests the value with a unit and lists the accepted units. The flags
// are found in the sources (every `durationFlag(...)` declaration), so a new duration flag is covered without editing
// this test; config values are covered by test/config/values.test.ts and test/config/sizes-durations.test.ts.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {medic, ROOT, tempDir} from '../helpers/cli.js'
import {medicInProcess} from './inprocess.js'

const devDir = join(tempDir('medic-durations-'), 'dev')
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>; args: Record<string, {required?: boolean}>}>}

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** Names of the flags declared with durationFlag in src/cli and src/commands. */
const DURATION_FLAGS = new Set(
  [...sources(join(ROOT, 'src', 'cli')), ...sources(join(ROOT, 'src', 'commands'))].flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/(?:'([a-z-]+)'|\b([a-z]+)): durationFlag\(/g)].map((m) => m[1] ?? m[2]),
  ),
)

/** Every (command, duration flag) pair, with the positional arguments the command requires. */
const CASES = Object.entries(manifest.commands).flatMap(([id, c]) => {
  const args = Object.entries(c.args).filter(([, a]) => a.required).map(([name]) => (name === 'address' ? '127.0.0.1:1' : 'meta-1'))
  return Object.keys(c.flags).filter((f) => DURATION_FLAGS.has(f)).map((flag) => ({cmd: id.split(':'), flag, args}))
})

describe('every duration flag refuses a number without a unit', () => {
  it('finds the duration flags of the commands', () => {
    expect(DURATION_FLAGS).toEqual(expect.objectContaining(new Set(['timeout', 'http-timeout', 'max-age', 'lease-duration', 'interval', 'grace'])))
    expect(CASES.length).toBeGreaterThan(20)
  })

  it('exit 2, naming the flag, with the value and a unit as the suggestion and the accepted units', async () => {
    const checked: string[] = []
    for (const {cmd, flag, args} of CASES) {
      // --watch loops and the dev commands start processes: they run as child processes (in a folder of their own), so
      // that a wrongly accepted value cannot leave anything running in the test process.
      const argv = [...cmd, ...args, `--${flag}`, '5']
      const r = flag === 'watch' || cmd[0] === 'dev' ? await medic(argv, {timeoutMs: 60_000, env: {MEDIC_DEV_DIR: devDir}}) : await medicInProcess(argv)
      const what = `medic ${argv.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`
      expect(r.code, what).toBe(2)
      expect(r.stderr, what).toContain(`--${flag}`)
      expect(r.stderr, what).toContain('"5" is not a duration (did you mean 5s?)')
      expect(r.stderr, what).toMatch(/ns, us, ms, s, m or h/)
      checked.push(`${cmd.join(' ')} --${flag}`)
    }
    expect(checked).toEqual(expect.arrayContaining(['status --timeout', 'hh watch --max-age', 'hh wait --retry-max-interval', 'explain --lease-duration', 'dev status --watch']))
  }, 300_000)
})
