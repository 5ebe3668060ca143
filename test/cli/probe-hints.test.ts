// Every command that the error paths of `status`, `ctl show` and `join diagnose` suggest must work when pasted: run
// the CLI on each bad input (bad arguments, unreachable, silent, refusing, broken and hostile nodes, broken configs),
// collect every suggestion and next step it prints, pull the commands out of them, and check that each one parses:
// a real medic command with only flags that command has (and valid durations), or a real external command
// (influxd-ctl with its global flags and subcommands, systemctl/journalctl on the InfluxDB units, curl with a URL...).
// Also the usage errors of a bad --tz (doctor, explain, logs summarize) and of dev scenario run --keep --base-port:
// each suggestion a command that parses, or words that name no flag.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseGoDuration} from '../../src/util/duration.js'
import {ROOT, tempDir} from '../helpers/cli.js'
import {FakeCluster, hangRoute, joinedCluster, jsonRoute, textRoute} from '../helpers/cluster.js'
import {hostileServer} from '../helpers/hostile.js'
import {deadPort, listener} from '../helpers/net.js'
import {medicInProcess} from './inprocess.js'

interface ManifestFlag {type: 'option' | 'boolean'; char?: string}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}
const COMMAND_IDS = Object.keys(manifest.commands).map((id) => id.split(':'))
const DURATION_FLAGS = new Set(['timeout', 'http-timeout', 'watch', 'interval', 'grace', 'max-age', 'lease-duration'])

const EXTERNAL = new Set(['medic', 'influxd-ctl', 'systemctl', 'journalctl', 'curl', 'getent', 'ss', 'nc', 'firewall-cmd', 'ls', 'head'])
const CTL_SUBCOMMANDS = new Set(['add-data', 'add-meta', 'backup', 'copy-shard', 'copy-shard-status', 'join', 'kill-copy-shard', 'leave', 'remove-data', 'remove-meta', 'remove-shard', 'restore', 'show', 'show-shards', 'update-data', 'token', 'truncate-shards', 'entropy', 'ldap', 'node-labels'])
const CTL_GLOBAL_WITH_VALUE = new Set(['-auth-type', '-bind', '-config', '-user', '-pwd', '-secret', '-timeout'])
const CTL_GLOBAL_BOOL = new Set(['-bind-tls', '-k'])
const UNITS = new Set(['influxdb', 'influxdb-meta'])

/** A shell-ish split of one command line: words (quotes removed) and the operators ; | && and redirections. */
function shellWords(s: string): Array<{word: string} | {op: string}> {
  const out: Array<{word: string} | {op: string}> = []
  let i = 0
  while (i < s.length) {
    const c = s[i]
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === ';' || c === '|') {
      out.push({op: s.startsWith('||', i) ? '||' : c})
      i += s.startsWith('||', i) ? 2 : 1
      continue
    }
    if (s.startsWith('&&', i)) {
      out.push({op: '&&'})
      i += 2
      continue
    }
    if (c === '>' || c === '<') {
      // a redirection and its target
      let j = i + 1
      while (j < s.length && /[>&]/.test(s[j])) j++
      while (j < s.length && /\s/.test(s[j])) j++
      while (j < s.length && !/\s/.test(s[j])) j++
      out.push({op: `redirect ${s.slice(i, j)}`})
      i = j
      continue
    }
    let word = ''
    while (i < s.length && !/[\s;|<>]/.test(s[i]) && !s.startsWith('&&', i)) {
      const q = s[i]
      if (q === "'" || q === '"') {
        const end = s.indexOf(q, i + 1)
        if (end < 0) throw new Error(`unbalanced ${q} in: ${s}`)
        word += s.slice(i + 1, end)
        i = end + 1
      } else {
        word += q
        i++
      }
    }
    out.push({word})
  }
  return out
}

/**
 * The commands inside one suggestion: from each known program name (at the start, or after a space, "(" or ": ") to
 * the end of the text, a ")" closing a "(" just before it, or a comment written as two or more spaces and "(".
 */
export function commandsIn(suggestion: string): string[][] {
  const found: string[][] = []
  const re = /(^|[\s(])(medic|influxd-ctl|systemctl|journalctl|curl|getent|ss|nc|firewall-cmd) /g
  let m: RegExpExecArray | null
  let consumedTo = 0
  while ((m = re.exec(suggestion)) !== null) {
    const start = m.index + m[1].length
    if (start < consumedTo) continue
    let end = suggestion.length
    const comment = suggestion.slice(start).search(/ {2,}\(/)
    if (comment >= 0) end = Math.min(end, start + comment)
    if (m[1] === '(') {
      const close = suggestion.indexOf(')', start)
      if (close >= 0) end = Math.min(end, close)
    }
    consumedTo = end
    let current: string[] = []
    for (const t of shellWords(suggestion.slice(start, end))) {
      if ('op' in t) {
        if (t.op.startsWith('redirect')) continue
        if (current.length > 0) found.push(current)
        current = []
      } else {
        current.push(t.word)
      }
    }
    if (current.length > 0) found.push(current)
  }
  return found
}

/** Why a command would not work when pasted, or undefined when it parses. */
export function whyNot(words: string[]): string | undefined {
  const [program, ...rest] = words
  if (!EXTERNAL.has(program)) return `unknown program ${program}`
  switch (program) {
    case 'medic': {
      const id = [...COMMAND_IDS].sort((a, b) => b.length - a.length).find((c) => c.every((w, i) => rest[i] === w))
      if (id === undefined) return `no medic command in "${rest.slice(0, 2).join(' ')}"`
      const flags = manifest.commands[id.join(':')].flags
      const byChar = new Map(Object.entries(flags).filter(([, f]) => f.char).map(([n, f]) => [f.char!, n]))
      const args = rest.slice(id.length)
      for (let i = 0; i < args.length; i++) {
        const a = args[i]
        if (a === '-' || !a.startsWith('-')) continue
        if (a === '--help') continue
        const long = a.startsWith('--')
        const [name0, inline] = long ? a.slice(2).split(/=(.*)/s) : [byChar.get(a.slice(1)) ?? '', undefined]
        const name = name0
        const flag = flags[name]
        if (flag === undefined) return `medic ${id.join(' ')} has no flag ${a}`
        if (flag.type === 'option') {
          const value = inline ?? args[++i]
          if (value === undefined) return `${a} needs a value`
          if (DURATION_FLAGS.has(name) && !parseGoDuration(value).ok) return `${a} ${value} is not a duration`
        }
      }
      return undefined
    }
    case 'influxd-ctl': {
      let i = 0
      while (i < rest.length && rest[i].startsWith('-')) {
        if (CTL_GLOBAL_WITH_VALUE.has(rest[i])) i += 2
        else if (CTL_GLOBAL_BOOL.has(rest[i])) i += 1
        else return `influxd-ctl has no global flag ${rest[i]}`
      }
      const sub = rest[i]
      if (!CTL_SUBCOMMANDS.has(sub)) return `influxd-ctl has no subcommand ${sub}`
      const args = rest.slice(i + 1)
      if (sub === 'show' && args.length > 0) return 'influxd-ctl show takes no arguments'
      if ((sub === 'add-meta' || sub === 'add-data' || sub === 'remove-meta') && args.filter((a) => !a.startsWith('-')).length !== 1) return `influxd-ctl ${sub} takes one address: ${args.join(' ')}`
      return undefined
    }
    case 'systemctl':
      if (!['status', 'start', 'stop', 'restart', 'cat'].includes(rest[0])) return `systemctl ${rest[0]}?`
      if (rest.length < 2 || !rest.slice(1).every((u) => UNITS.has(u))) return `systemctl ${rest[0]} needs InfluxDB units, not "${rest.slice(1).join(' ')}"`
      return undefined
    case 'journalctl':
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === '-u' && !UNITS.has(rest[i + 1])) return `journalctl -u ${rest[i + 1]}?`
        if (!['-u', '-n', '--since'].includes(rest[i])) return `journalctl ${rest[i]}?`
        i++
      }
      return undefined
    case 'curl':
      return rest.some((w) => /^https?:\/\/\S+$/.test(w)) ? undefined : 'curl without a URL'
    case 'getent':
      return rest[0] === 'hosts' && rest.length === 2 ? undefined : `getent ${rest.join(' ')}?`
    default:
      return undefined
  }
}

/** Every suggestion and next step in a --json document. */
function suggestionsOf(doc: unknown): string[] {
  const out: string[] = []
  const walk = (x: unknown, key?: string) => {
    if (Array.isArray(x)) {
      for (const y of x) {
        if ((key === 'suggestions' || key === 'next') && typeof y === 'string') out.push(y)
        else walk(y)
      }
    } else if (typeof x === 'object' && x !== null) {
      for (const [k, v] of Object.entries(x)) walk(v, k)
    }
  }
  walk(doc)
  return out
}

describe('the command extractor and checker (the tool the test below relies on)', () => {
  it('finds commands in prose and judges them', () => {
    expect(commandsIn('check that the node runs (systemctl status influxdb) and the port')).toEqual([['systemctl', 'status', 'influxdb']])
    expect(commandsIn('allow more time: medic status m:8091 --timeout 30s')).toEqual([['medic', 'status', 'm:8091', '--timeout', '30s']])
    expect(commandsIn("on h: systemctl status influxdb-meta; ss -ltn 'sport = :8089'")).toEqual([['systemctl', 'status', 'influxdb-meta'], ['ss', '-ltn', 'sport = :8089']])
    expect(commandsIn('journalctl -u influxdb-meta -n 100 | medic explain')).toEqual([['journalctl', '-u', 'influxdb-meta', '-n', '100'], ['medic', 'explain']])
    expect(commandsIn('influxd-ctl show   (on a meta node)')).toEqual([['influxd-ctl', 'show']])
    expect(whyNot(['medic', 'status', 'm', '--http-timeout', '30s'])).toBeUndefined()
    expect(whyNot(['medic', 'join', 'diagnose', 'm', '--insecure', '--ca', 'x.pem'])).toBeUndefined()
    expect(whyNot(['medic', 'ctl', 'show', '--bogus'])).toBe('medic ctl show has no flag --bogus')
    expect(whyNot(['medic', 'status', 'm', '--timeout', '5'])).toBe('--timeout 5 is not a duration')
    expect(whyNot(['medic', 'nope'])).toBe('no medic command in "nope"')
    expect(whyNot(['systemctl', 'status', 'influxdb'])).toBeUndefined()
    expect(whyNot(['systemctl', 'start', 'influxdb-meta', 'on', 'each'])).toContain('needs InfluxDB units')
    expect(whyNot(['influxd-ctl', '-auth-type', 'basic', '-user', 'a', '-pwd', 'b', 'add-meta', 'm:8091'])).toBeUndefined()
    expect(whyNot(['influxd-ctl', 'remove-meta', 'x:8091;touch'])).toBeUndefined() // parses; quoting is checked elsewhere
    expect(whyNot(['influxd-ctl', 'frobnicate'])).toBe('influxd-ctl has no subcommand frobnicate')
  })
})

const fc = new FakeCluster()
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  await fc.close()
  for (const c of closers.splice(0)) await c()
})

describe('every suggested command of the probe commands\' error paths parses', () => {
  const runs: string[][] = []
  beforeAll(async () => {
    const dir = tempDir('medic-hints-')
    mkdirSync(join(dir, 'bodies'))
    const file = (name: string, text: string) => {
      const p = join(dir, name)
      writeFileSync(p, text)
      return p
    }
    const dead = `127.0.0.1:${await deadPort()}`
    const hang = (await fc.node({'*': hangRoute})).addr
    const node = async (status: Parameters<typeof jsonRoute>[0], code = 200) => (await fc.node({'*': jsonRoute(status, code)})).addr
    const n401 = await node({error: 'authorization failed'}, 401)
    const n503 = await node({error: 'no leader'}, 503)
    const n404 = (await fc.node({'*': textRoute('404 page not found\n', 404)})).addr
    const html = (await fc.node({'*': textRoute('<html><title>502</title></html>', 200, 'text/html')})).addr
    const deep = (await fc.node({'*': textRoute('['.repeat(5000) + ']'.repeat(5000), 200, 'application/json')})).addr
    const fresh = await fc.node()
    fresh.routes['/status'] = jsonRoute({nodeType: 'meta', leader: '', httpAddr: fresh.addr, raftAddr: fresh.addr, peers: null})
    const localhost = await fc.node()
    localhost.routes['/status'] = jsonRoute({nodeType: 'meta', leader: '', httpAddr: 'localhost:8091', raftAddr: 'localhost:8089', peers: null})
    const other = await fc.node()
    other.routes['/status'] = jsonRoute({nodeType: 'meta', leader: 'other-1:8089', httpAddr: 'other-9:8091', raftAddr: 'other-9:8089', peers: ['other-1:8089', 'other-2:8089']})
    const dataType = await node({nodeType: 'data', leader: '', httpAddr: 'd:8086', raftAddr: 'd:8088', peers: null})
    const oneDown = await joinedCluster(fc, 3, 1)
    oneDown.metas[2].server.closeAllConnections()
    await new Promise((r) => oneDown.metas[2].server.close(r))
    oneDown.datas[0].server.closeAllConnections()
    await new Promise((r) => oneDown.datas[0].server.close(r))
    const lost = await joinedCluster(fc, 3, 0)
    for (const s of lost.status) s.leader = ''
    lost.metas[0].routes['/show-cluster'] = jsonRoute({error: 'no leader'}, 503)
    const split = await joinedCluster(fc, 3, 0)
    split.status[2].leader = split.metas[2].addr
    split.status[1].httpAddr = '127.0.0.1:1'
    const malformed = await joinedCluster(fc, 1, 0)
    malformed.status[0].peers = [malformed.metas[0].addr, 'meta 2:8089', 'x:8091;touch${IFS}pwned;#']
    const notIn = await joinedCluster(fc, 1, 0)
    notIn.status[0].leader = 'meta-9:8089'
    const loop = await fc.node()
    loop.routes['*'] = (_q, res) => { res.writeHead(307, {location: `${loop.url}/status`}); res.end() }
    const away = await fc.node({'*': (_q, res) => { res.writeHead(307, {location: 'http://192.0.2.1:8091/status'}); res.end() }})
    const control = await hostileServer('control-chars')
    closers.push(() => control.close())
    const raft = await listener()
    const badConf = file('bad.conf', `hostname = "localhost"\n[enterprise]\n  license-key = "k"\n  license-path = "/x"\n[meta]\n  bind-address = "127.0.0.1:${raft}"\n  http-bind-address = ":1"\n  https-enabled = true\n  auth-enabled = true\n`)
    const notToml = file('broken.conf', 'hostname = \n[meta\n')
    const dataConf = file('data.conf', '[meta]\n  meta-auth-enabled = false\n  meta-tls-enabled = true\n')
    const t = ['--timeout', '2s', '--http-timeout', '400ms']
    runs.push(
      ['status'], ['status', 'ftp://meta-1:8091'], ['status', 'm:8091', '--password', 'x'], ['status', 'm:8091', '--jwt-secret', 's'],
      ['status', '--file', '-'], ['status', 'm:8091', '--file', 'x.json'], ['status', '--file', dir], ['status', '--file', join(dir, 'missing.json')],
      ['status', '--file', file('empty.json', '')], ['status', '--file', file('cut.json', '{"nodeType":"meta","lea')], ['status', '--file', file('html.json', '<html>x</html>')],
      ['status', '--file', file('fresh.json', JSON.stringify({nodeType: 'meta', leader: '', httpAddr: 'meta-4:8091', raftAddr: 'meta-4:8089', peers: null}))],
      ['status', '--file', file('lo.json', JSON.stringify({nodeType: 'meta', leader: 'localhost:8089', httpAddr: 'localhost:8091', raftAddr: 'localhost:8089', peers: ['localhost:8089']}))],
      ['status', dead, ...t], ['status', hang, '--timeout', '300ms'], ['status', hang, '--http-timeout', '300ms'], ['status', n401, ...t], ['status', n401, '--username', 'a', '--password', 'b', ...t],
      ['status', n503, ...t], ['status', n404, ...t], ['status', html, ...t], ['status', deep, ...t], ['status', fresh.addr, ...t], ['status', localhost.addr, ...t],
      ['status', oneDown.metas[0].addr, ...t], ['status', lost.metas[0].addr, ...t], ['status', ...split.metas.map((m) => m.addr), ...t], ['status', malformed.metas[0].addr, ...t],
      ['status', notIn.metas[0].addr, ...t], ['status', loop.addr, ...t], ['status', away.addr, ...t], ['status', control.addr, ...t], ['status', dataType, ...t],
      ['ctl', 'show', dead, ...t], ['ctl', 'show', hang, '--timeout', '300ms'], ['ctl', 'show', hang, '--http-timeout', '300ms'], ['ctl', 'show', n401, ...t], ['ctl', 'show', fresh.addr, ...t],
      ['ctl', 'show', 'm:1', '--meta', 'n:1'], ['ctl', 'show', 'ftp://m:1'], ['ctl', 'show', html, ...t], ['ctl', 'show', control.addr, ...t], ['ctl', 'show', 'm:8091', '--password', 'x'],
      ['join', 'diagnose'], ['join', 'diagnose', 'meta-1:notaport'], ['join', 'diagnose', 'ftp://m:1'], ['join', 'diagnose', 'me ta:1'], ['join', 'diagnose', '$(id):8091'],
      ['join', 'diagnose', 'meta-9.invalid', ...t], ['join', 'diagnose', dead, ...t], ['join', 'diagnose', n401, '--raft-port', String(raft), ...t], ['join', 'diagnose', n401, '--username', 'a', '--password', 'b', ...t],
      ['join', 'diagnose', n503, ...t], ['join', 'diagnose', n404, ...t], ['join', 'diagnose', html, ...t], ['join', 'diagnose', hang, '--raft-port', String(raft), '--http-timeout', '300ms'],
      ['join', 'diagnose', hang, '--raft-port', String(raft), '--timeout', '600ms'], ['join', 'diagnose', localhost.addr, '--config', badConf, '--data-config', dataConf, ...t],
      ['join', 'diagnose', other.addr, '--raft-port', String(raft), '--config', badConf, ...t], ['join', 'diagnose', dataType, ...t], ['join', 'diagnose', fresh.addr, '--config', notToml, ...t],
      ['join', 'diagnose', fresh.addr, '--config', join(dir, 'missing.conf')], ['join', 'diagnose', `https://${fresh.addr}`, ...t], ['join', 'diagnose', control.addr, ...t],
      ['join', 'diagnose', 'meta-1:8091', '--jwt-secret', 's'],
    )
  }, 120_000)

  it('each one names a real command and only flags that command has', async () => {
    const bad: string[] = []
    let seen = 0
    for (const args of runs) {
      const r = await medicInProcess([...args, '--json'])
      let doc: unknown
      try {
        doc = JSON.parse(r.stdout)
      } catch {
        bad.push(`medic ${args.join(' ')} --json: not one JSON document: ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}`)
        continue
      }
      for (const s of suggestionsOf(doc)) {
        for (const words of commandsIn(s)) {
          seen++
          const why = whyNot(words)
          if (why !== undefined) bad.push(`medic ${args.join(' ')}: "${s}" -> ${why}`)
        }
      }
    }
    expect(bad).toEqual([])
    // the runs above print well over a hundred commands: the check did look at them
    expect(seen).toBeGreaterThan(100)
  }, 300_000)
})

describe('the usage errors of --tz and of dev scenario run --keep --base-port: a command to paste, or plain words', () => {
  // Each suggestion holds a command that parses, or names no flag: a flag in prose ("leave --base-port out") is half a
  // command that cannot be pasted.
  const runs = [
    ['doctor', '--meta', 'meta-1:8091', '--logs', '/var/log/influxdb/influxdb.log', '--tz', 'Mars/Olympus'],
    ['doctor', '--logs', 'my logs/influxdb.log', '--hh-url', 'data-1:8086', '--username', 'ops', '--password', 'x', '--tz', 'nowhere'],
    ['doctor', '--configs', '/etc/influxdb', '--tz', '+99:00'],
    ['explain', '--tz', 'nowhere', '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty'],
    ['explain', '--file', 'influx db.log', '--tz', 'bogus'],
    ['logs', 'summarize', 'influxdb.log', 'meta.log.gz', '--tz', 'bogus'],
    ['dev', 'scenario', 'run', 'cq-lease', 'queue-full', '--keep', '--base-port', '28000'],
    ['dev', 'scenario', 'run', '--all', '--keep', '--base-port', '28000', '--dir', '/tmp/re hearsal', '--full'],
  ]

  it('each suggestion is a pasteable command or names no flag; each error gives one command at least', async () => {
    const bad: string[] = []
    for (const args of runs) {
      const r = await medicInProcess([...args, '--json'])
      expect(r.code, `medic ${args.join(' ')}`).toBe(2)
      const suggestions = suggestionsOf(JSON.parse(r.stdout))
      let commands = 0
      for (const s of suggestions) {
        const found = commandsIn(s)
        commands += found.length
        for (const words of found) {
          const why = whyNot(words)
          if (why !== undefined) bad.push(`medic ${args.join(' ')}: "${s}" -> ${why}`)
        }
        if (found.length === 0 && /(?:^|[\s(])--?[a-z]/.test(s)) bad.push(`medic ${args.join(' ')}: "${s}" names a flag but holds no command`)
      }
      if (commands === 0) bad.push(`medic ${args.join(' ')}: no command among ${JSON.stringify(suggestions)}`)
    }
    expect(bad).toEqual([])
  }, 120_000)

  it('the command given is the one asked for, corrected', async () => {
    const tz = await medicInProcess([...runs[1], '--json'])
    expect(suggestionsOf(JSON.parse(tz.stdout))[0]).toBe('medic doctor --hh-url data-1:8086 --logs \'my logs/influxdb.log\' --username ops --password "$MEDIC_PASSWORD" --tz UTC')
    const keep = await medicInProcess([...runs[7], '--json'])
    expect(suggestionsOf(JSON.parse(keep.stdout))).toEqual(['medic dev scenario run --all --keep --dir \'/tmp/re hearsal\' --full   (without --base-port: free ports are picked for each cluster)'])
    const summarize = await medicInProcess([...runs[5], '--json'])
    expect(suggestionsOf(JSON.parse(summarize.stdout))[0]).toBe('medic logs summarize influxdb.log meta.log.gz --tz UTC')
  }, 60_000)
})
