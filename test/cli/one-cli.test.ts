// One CLI: every command documents itself, unknown commands and flags get a did-you-mean (exit 2, one JSON document
// under --json), the version answers to -v, --version and `medic version`, and secrets typed on the command line are
// never echoed back in a suggestion.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {medic, oneJson, ROOT} from '../helpers/cli.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>; examples?: unknown[]}>}
const ids = Object.keys(manifest.commands)

describe('one CLI', () => {
  it('every command has examples and the --json flag', () => {
    expect(ids.length).toBeGreaterThan(15)
    for (const id of ids) {
      const c = manifest.commands[id]
      expect(c.examples?.length ?? 0, `${id} has examples`).toBeGreaterThan(0)
      expect(Object.keys(c.flags), `${id} takes --json`).toContain('json')
    }
  })

  it('one flag vocabulary: every command that probes nodes takes the same HTTP, credential and TLS flags, read from the same variables', () => {
    type Flag = {env?: string; default?: unknown}
    const SHARED: Record<string, string> = {
      'http-timeout': 'MEDIC_HTTP_TIMEOUT', username: 'MEDIC_USERNAME', password: 'MEDIC_PASSWORD', 'jwt-secret': 'MEDIC_JWT_SECRET', ca: 'MEDIC_CA', insecure: 'MEDIC_INSECURE',
    }
    const probing = ['status', 'ctl:show', 'join:diagnose', 'hh:inspect', 'hh:watch', 'hh:wait']
    for (const id of probing) {
      const flags = manifest.commands[id].flags as Record<string, Flag>
      for (const [name, env] of Object.entries(SHARED)) expect(flags[name]?.env, `${id} --${name}`).toBe(env)
      expect(flags['http-timeout'].default, `${id} --http-timeout`).toBe('5s')
    }
    // Any other command with a per-request deadline calls it --http-timeout too (dev write: its own default).
    for (const id of ids) {
      const flags = manifest.commands[id].flags as Record<string, Flag>
      for (const bad of ['request-timeout', 'http-deadline', 'user', 'pass', 'secret', 'cacert', 'ca-cert', 'skip-verify', 'insecure-skip-verify']) expect(flags[bad], `${id} --${bad}`).toBeUndefined()
    }
  })

  it('answers to -v, --version and medic version alike', async () => {
    const [a, b, c] = await Promise.all([medic(['-v']), medic(['--version']), medic(['version'])])
    expect(a.code).toBe(0)
    expect(a.stdout).toMatch(/^influx-medic\/\d+\.\d+\.\d+ /)
    expect(b.stdout).toBe(a.stdout)
    expect(c.stdout).toBe(a.stdout)
    const j = oneJson((await medic(['version', '--json'])).stdout)
    expect(j).toMatchObject({schemaVersion: 1, command: 'version', exitCode: 0, node: process.version})
  })

  it('suggests the nearest command for a typo, with the arguments kept (exit 2)', async () => {
    const r = await medic(['hh', 'wath', '/var/lib/influxdb/hh'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('did you mean "hh watch"?')
    expect(r.stderr).toContain('medic hh watch /var/lib/influxdb/hh')
    const far = await medic(['frobnicate'])
    expect(far.code).toBe(2)
    expect(far.stderr).toContain('medic help')
  })

  it('answers an unknown command under --json with one document on stdout', async () => {
    const r = await medic(['stauts', 'meta-1', '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('')
    expect(oneJson(r.stdout)).toMatchObject({schemaVersion: 1, exitCode: 2, error: {code: 'unknown-command', suggestions: ['medic status meta-1', 'medic status --help']}})
  })

  it('suggests the same command line with the nearest flag for an unknown flag', async () => {
    const r = await medic(['explain', '--jsn', '[write] 2016/10/18 10:35:21 write failed for shard 1 on node 2: queue is full'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`medic explain --json '[write] 2016/10/18 10:35:21 write failed for shard 1 on node 2: queue is full'`)
    const j = await medic(['status', '--usrname', 'admin', 'meta-1', '--json'])
    expect(j.code).toBe(2)
    expect((oneJson(j.stdout).error as {suggestions: string[]}).suggestions[0]).toBe('medic status --username admin meta-1 --json')
  })

  it('never echoes a secret typed on the command line', async () => {
    for (const args of [['status', '--usrname', 'a', '--password', 'hunter2-secret', 'meta-1'], ['stauts', '--password=hunter2-secret', 'meta-1'], ['status', '--jwt-secret', 'hunter2-secret', '--usernme', 'a', 'm']]) {
      const r = await medic(args)
      expect(r.code).toBe(2)
      expect(r.stdout + r.stderr).not.toContain('hunter2')
      expect(r.stderr).toMatch(/"\$MEDIC_(PASSWORD|JWT_SECRET)"/)
    }
  })
})
