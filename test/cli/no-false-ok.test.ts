// No false OK (docs/security.md §5, issue 14): every medic command that reads outside input is run against an empty, a
// foreign and an unreadable input, and must never exit 0: exit 4 (could not check) or 3 (problems), or 2 for a usage
// error, and its output must say what it could not check. An "OK" about something medic never saw is the worst answer
// it can give an operator in the middle of an incident.
//
// Inputs:
//   empty      an empty file, an empty folder, an HTTP server that answers 200 with no body
//   foreign    an HTML page and a PNG given as a log, a config or a /status body; a folder of notes; an HTTP server
//              that is not InfluxDB (200 with an HTML page)
//   unreadable files and folders of mode 000 (run as the nobody user when the suite runs as root, since root reads
//              anything), and a port nothing listens on
//
// The empty and foreign runs are in-process (test/cli/inprocess.ts: no Node start-up each), in human and --json mode;
// the unreadable runs are child processes of another user, all at once.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, medicAsOther, tempDir} from '../helpers/cli.js'
import {closeAll, deadPort, serve} from '../helpers/net.js'
import {medicInProcess} from './inprocess.js'

const HTML = '<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n<body><h1>It works!</h1></body></html>\n'
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1])

const base = tempDir('medic-no-false-ok-')
chmodSync(base, 0o755)
const f = (name: string) => join(base, name)
writeFileSync(f('empty.log'), '')
writeFileSync(f('empty.conf'), '')
writeFileSync(f('empty.json'), '')
mkdirSync(f('empty-dir'))
writeFileSync(f('page.html'), HTML)
writeFileSync(f('image.png'), PNG)
mkdirSync(f('notes'))
writeFileSync(join(f('notes'), 'README.txt'), 'notes about the upgrade\n')
writeFileSync(join(f('notes'), 'hosts'), '127.0.0.1 localhost\n')
mkdirSync(join(f('notes'), 'backup'))

let empty = ''
let foreign = ''
let dead = ''
beforeAll(async () => {
  empty = `127.0.0.1:${await serve((_req, res) => res.writeHead(200, {'content-length': '0'}).end())}`
  foreign = `127.0.0.1:${await serve((_req, res) => res.writeHead(200, {'content-type': 'text/html'}).end(HTML))}`
  dead = `127.0.0.1:${await deadPort()}`
  // Loads oclif and the modules of the commands once, so that the runs below measure nothing but themselves.
  await medicInProcess(['explain', 'x'])
}, 120_000)
afterAll(closeAll)

const HTTP = ['--http-timeout', '2s', '--timeout', '5s']
const HH_HTTP = ['--http-timeout', '2s']

/** Every command that reads outside input, given one input of each kind: [label, args, what names the input]. */
function emptyRuns(): Array<[string, string[], string]> {
  return [
    ['status --file (empty file)', ['status', '--file', f('empty.json')], f('empty.json')],
    ['status (server answers nothing)', ['status', empty, ...HTTP], empty],
    ['ctl show (server answers nothing)', ['ctl', 'show', empty, ...HTTP], empty],
    ['join diagnose (server answers nothing)', ['join', 'diagnose', empty, ...HTTP], empty],
    ['config check (empty file)', ['config', 'check', f('empty.conf')], f('empty.conf')],
    ['explain --file (empty file)', ['explain', '--file', f('empty.log')], 'empty'],
    ['logs summarize (empty file)', ['logs', 'summarize', f('empty.log')], f('empty.log')],
    ['hh inspect (empty folder)', ['hh', 'inspect', f('empty-dir')], f('empty-dir')],
    ['hh inspect --config (empty config)', ['hh', 'inspect', '--config', f('empty.conf')], 'hh'],
    ['hh watch (empty folder)', ['hh', 'watch', f('empty-dir'), '--samples', '2', '--interval', '100ms'], f('empty-dir')],
    ['hh wait (empty folder)', ['hh', 'wait', f('empty-dir'), '--timeout', '2s', '--interval', '100ms'], f('empty-dir')],
    ['hh watch --url (server answers nothing)', ['hh', 'watch', '--url', empty, '--samples', '2', '--interval', '100ms', ...HH_HTTP], empty],
    ['hh wait --url (server answers nothing)', ['hh', 'wait', '--url', empty, '--timeout', '2s', '--interval', '200ms', ...HH_HTTP], empty],
    ['dev status (empty folder)', ['dev', 'status', '--dir', f('empty-dir')], f('empty-dir')],
  ]
}

function foreignRuns(): Array<[string, string[], string]> {
  return [
    ['status --file (HTML page)', ['status', '--file', f('page.html')], f('page.html')],
    ['status --file (PNG image)', ['status', '--file', f('image.png')], f('image.png')],
    ['status (HTTP server that is not InfluxDB)', ['status', foreign, ...HTTP], foreign],
    ['ctl show (HTTP server that is not InfluxDB)', ['ctl', 'show', foreign, ...HTTP], foreign],
    ['join diagnose (HTTP server that is not InfluxDB)', ['join', 'diagnose', foreign, ...HTTP], foreign],
    ['config check (HTML page)', ['config', 'check', f('page.html')], f('page.html')],
    ['config check (PNG image)', ['config', 'check', f('image.png')], f('image.png')],
    ['explain --file (HTML page)', ['explain', '--file', f('page.html')], 'UNKNOWN'],
    ['explain --file (PNG image)', ['explain', '--file', f('image.png')], f('image.png')],
    ['explain (a line of another program)', ['explain', 'GET /index.html 200 OK in 3ms (nginx upstream)'], 'UNKNOWN'],
    ['logs summarize (HTML page)', ['logs', 'summarize', f('page.html')], 'UNKNOWN'],
    ['logs summarize (PNG image)', ['logs', 'summarize', f('image.png')], f('image.png')],
    ['hh inspect (folder of notes)', ['hh', 'inspect', f('notes')], f('notes')],
    ['hh inspect (a file, not a folder)', ['hh', 'inspect', f('page.html')], f('page.html')],
    ['hh inspect --config (HTML page)', ['hh', 'inspect', '--config', f('page.html')], f('page.html')],
    ['hh watch (folder of notes)', ['hh', 'watch', f('notes'), '--samples', '2', '--interval', '100ms'], f('notes')],
    ['hh wait (folder of notes)', ['hh', 'wait', f('notes'), '--timeout', '2s', '--interval', '100ms'], f('notes')],
    ['hh watch --url (HTTP server that is not InfluxDB)', ['hh', 'watch', '--url', foreign, '--samples', '2', '--interval', '100ms', ...HH_HTTP], foreign],
    ['hh wait --url (HTTP server that is not InfluxDB)', ['hh', 'wait', '--url', foreign, '--timeout', '2s', '--interval', '200ms', ...HH_HTTP], foreign],
    ['hh inspect --meta (HTTP server that is not InfluxDB)', ['hh', 'inspect', f('empty-dir'), '--meta', foreign, ...HH_HTTP], f('empty-dir')],
    ['dev status (folder of notes)', ['dev', 'status', '--dir', f('notes')], f('notes')],
  ]
}

function check(label: string, args: string[], names: string, r: CliResult, json: boolean): void {
  const what = `${label}: medic ${args.join(' ')}${json ? ' --json' : ''}\nexit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`
  expect([2, 3, 4], what).toContain(r.code)
  expect(r.stderr, what).not.toContain('CRASH')
  if (json) {
    // One document (NDJSON for hh watch: the last line is the summary) that carries the same exit code.
    const last = r.stdout.trim().split('\n').at(-1) ?? ''
    const doc = JSON.parse(json && args[1] === 'watch' ? last : r.stdout) as {exitCode: number}
    expect(doc.exitCode, what).toBe(r.code)
  } else {
    // It says what it could not check: the input is named, or the verdict is UNKNOWN with the reason.
    expect(r.stdout + r.stderr, what).toContain(names)
  }
}

describe('no command exits 0 on an input it could not check', () => {
  for (const [kind, runs] of [['empty', emptyRuns], ['foreign', foreignRuns]] as const) {
    it(`${kind} inputs: exit 2, 3 or 4 and the input named, in human and --json mode`, async () => {
      for (const [label, args, names] of runs()) {
        for (const json of [false, true]) {
          const r = await medicInProcess(json ? [...args, '--json'] : args)
          check(label, args, names, r, json)
        }
      }
    }, 300_000)
  }

  it('unreadable inputs (mode 000, run as another user when the suite is root) and a port nothing listens on', async () => {
    const home = tempDir('medic-no-false-ok-home-')
    chmodSync(home, 0o777)
    const locked = ['locked.log', 'locked.conf', 'locked.json']
    for (const name of locked) {
      writeFileSync(f(name), name.endsWith('.log') ? 'ts=2026-01-01T00:00:00Z lvl=info msg="Listening on HTTP" service=httpd\n' : '{}\n')
      chmodSync(f(name), 0o000)
    }
    const hh = f('locked-hh')
    mkdirSync(join(hh, '4'), {recursive: true})
    chmodSync(hh, 0o000)
    const dev = f('locked-dev')
    mkdirSync(dev)
    writeFileSync(join(dev, 'cluster.json'), '{}\n')
    chmodSync(dev, 0o000)
    const runs: Array<[string, string[], string]> = [
      ['status --file (unreadable)', ['status', '--file', f('locked.json')], f('locked.json')],
      ['config check (unreadable)', ['config', 'check', f('locked.conf')], f('locked.conf')],
      ['explain --file (unreadable)', ['explain', '--file', f('locked.log')], f('locked.log')],
      ['logs summarize (unreadable)', ['logs', 'summarize', f('locked.log')], f('locked.log')],
      ['hh inspect (unreadable folder)', ['hh', 'inspect', hh], hh],
      ['hh inspect --config (unreadable config)', ['hh', 'inspect', '--config', f('locked.conf')], f('locked.conf')],
      ['hh watch (unreadable folder)', ['hh', 'watch', hh, '--samples', '2', '--interval', '100ms'], hh],
      ['hh wait (unreadable folder)', ['hh', 'wait', hh, '--timeout', '2s', '--interval', '100ms'], hh],
      ['dev status (unreadable folder)', ['dev', 'status', '--dir', dev], dev],
      ['status (nothing listens)', ['status', dead, ...HTTP], dead],
      ['ctl show (nothing listens)', ['ctl', 'show', dead, ...HTTP], dead],
      ['join diagnose (nothing listens)', ['join', 'diagnose', dead, ...HTTP], dead],
      ['hh watch --url (nothing listens)', ['hh', 'watch', '--url', dead, '--samples', '2', '--interval', '100ms', ...HH_HTTP], dead],
      ['hh wait --url (nothing listens)', ['hh', 'wait', '--url', dead, '--timeout', '2s', '--interval', '200ms', ...HH_HTTP], dead],
    ]
    try {
      const results = await Promise.all(runs.map(async ([label, args, names]) => [label, args, names, await medicAsOther(args, home)] as const))
      for (const [label, args, names, r] of results) check(label, args, names, r, false)
      // The files were unreadable to the user that ran medic, and medic said so.
      for (const [, , , r] of results.slice(0, 9)) expect(r.stdout + r.stderr).toMatch(/permission denied|EACCES|not readable|cannot read/i)
    } finally {
      for (const name of locked) chmodSync(f(name), 0o644)
      chmodSync(hh, 0o755)
      chmodSync(dev, 0o755)
    }
  }, 600_000)
})
