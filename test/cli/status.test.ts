// `medic status` end to end: the built CLI against real loopback meta and data nodes.
import {execFileSync, spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {medic, oneJson, ROOT, tempDir} from '../helpers/cli.js'
import {FakeCluster, hangRoute, joinedCluster, textRoute} from '../helpers/cluster.js'
import {RAW_CONTROL} from '../helpers/hostile.js'
import {until} from '../helpers/wait.js'

const fc = new FakeCluster()
afterEach(() => fc.close())

describe('medic status', () => {
  it('a healthy cluster: a table, the cluster line, exit 0', async () => {
    const c = await joinedCluster(fc, 3, 2)
    const r = await medic(['status', c.metas[0].addr])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^NODE\s+ROLE\s+STATE\s+REACHABLE\s+LATENCY\s+VERSION\s+LEADER\s+PEERS\s+JOINED\s+PROBLEMS$/m)
    expect(r.stdout).toContain(`${c.metas[0].addr} (self)`)
    expect(r.stdout).toContain('Cluster: OK  3 meta, 2 data nodes')
    expect(r.stdout).not.toMatch(/\u001B\[/)
  })

  it('--json: one document with schemaVersion, nodes and problems; split view exits 3', async () => {
    const c = await joinedCluster(fc, 3, 1)
    c.status[1].leader = c.metas[1].addr
    const r = await medic(['status', ...c.metas.map((m) => m.addr), '--json'])
    expect(r.code).toBe(3)
    const doc = oneJson(r.stdout)
    expect(doc).toMatchObject({schemaVersion: 1, command: 'status', exitCode: 3, state: 'fail'})
    expect((doc.nodes as unknown[]).length).toBe(4)
    expect((doc.problems as Array<{id: string}>).map((p) => p.id)).toContain('split-view')
  })

  it('a node that accepts and never answers: exit 4 naming it, within the deadline', async () => {
    const n = await fc.node({'*': hangRoute})
    const r = await medic(['status', n.addr, '--timeout', '300ms'])
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(new RegExp(`${n.url}/status: no complete answer within \\d+ ms \\(what was left of --timeout 300ms\\)`))
    expect(r.stdout).toContain(`try: allow more time: medic status ${n.addr} --timeout 30s`)
    expect(r.stderr).toContain('no node could be checked')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('an HTML page from a proxy: exit 3 with the finding', async () => {
    const n = await fc.node({'/status': textRoute('<html><head><title>502 Bad Gateway</title></head></html>', 502, 'text/html')})
    const r = await medic(['status', n.url, '--json'])
    expect(r.code).toBe(3)
    expect((oneJson(r.stdout).problems as Array<{id: string}>)[0].id).toBe('status-http-error')
  })

  it('MEDIC_TIMEOUT is read from the environment', async () => {
    const n = await fc.node({'*': hangRoute})
    const r = await medic(['status', n.addr, '--json'], {env: {MEDIC_TIMEOUT: '250ms'}})
    expect(r.code).toBe(4)
    expect(r.stdout).toContain('(what was left of --timeout 250ms)')
    const h = await medic(['status', n.addr, '--json'], {env: {MEDIC_HTTP_TIMEOUT: '200ms'}})
    expect(h.code).toBe(4)
    expect(h.stdout).toContain('no complete answer within 200 ms (--http-timeout)')
    expect(h.stdout).toContain(`allow more time: medic status ${n.addr} --http-timeout 30s`)
  })

  it('--file: offline checks of saved bodies', async () => {
    const dir = tempDir('medic-status-cli-')
    const good = join(dir, 'meta-1.json')
    writeFileSync(good, JSON.stringify({nodeType: 'meta', leader: 'meta-1:8089', httpAddr: 'meta-1:8091', raftAddr: 'meta-1:8089', peers: ['meta-1:8089', 'meta-2:8089', 'meta-3:8089']}))
    const bad = join(dir, 'truncated.json')
    writeFileSync(bad, '{"nodeType":"meta","leader":"meta-1:80')
    const ok = await medic(['status', '--file', good])
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    const r = await medic(['status', '--file', good, '--file', bad])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('status-not-json')
    expect(r.stdout).toContain('truncated.json: the /status body is not usable JSON: it is not valid JSON')
    const missing = await medic(['status', '--file', join(dir, 'nope.json'), '--json'])
    expect(missing.code).toBe(4)
    expect(oneJson(missing.stdout)).toMatchObject({exitCode: 4, error: {code: 'input-not-found'}})
  })

  it('JWT credentials from flags and MEDIC_* variables reach every node', async () => {
    const c = await joinedCluster(fc, 3, 1)
    const r = await medic(['status', c.metas[0].addr, '--jwt-secret', 'shh'], {env: {MEDIC_USERNAME: 'admin'}})
    expect(r.code).toBe(0)
    for (const n of [...c.metas, ...c.datas]) {
      expect(n.seen.length).toBeGreaterThan(0)
      for (const s of n.seen) expect(s.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    }
  })

  it('usage errors exit 2', async () => {
    const r = await medic(['status'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no meta node address given')
    expect((await medic(['status', 'ftp://x'])).code).toBe(2)
    expect((await medic(['status', 'm:8091', '--password', 'x'])).code).toBe(2)
    expect((await medic(['status', '--file', '-'])).code).toBe(2)
    expect((await medic(['status', 'm:8091', '--file', 'x.json'])).code).toBe(2)
  })
})

describe('medic status: bad answers and bad input', () => {
  it('a malformed peer address in /status is a finding about that node: exit 3, never 2', async () => {
    const c = await joinedCluster(fc, 1, 0)
    c.status[0].peers = [c.metas[0].addr, 'meta 2.example.com:8089', 'meta-3\u001b[2J:8089']
    const r = await medic(['status', c.metas[0].addr])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('peer-malformed')
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL)
    const j = await medic(['status', c.metas[0].addr, '--json'])
    expect(j.code).toBe(3)
    expect(oneJson(j.stdout)).toMatchObject({exitCode: 3, verdict: 'critical'})
  })

  it('ftp://host:port suggests a command that works (no second port)', async () => {
    const r = await medic(['status', 'ftp://meta-1:8091', '--json'])
    expect(r.code).toBe(2)
    expect((oneJson(r.stdout).error as {suggestions: string[]}).suggestions).toEqual(['medic status http://meta-1:8091'])
  })

  it('a directory given to --file is called a directory, not a log file', async () => {
    const dir = tempDir('medic-status-cli-dir-')
    const r = await medic(['status', '--file', dir])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain(`${dir}: is a directory, not a saved /status body`)
    expect(r.stderr).not.toContain('log file')
  })

  it('one of three meta nodes down: the quorum sentence, in text and --json; a warning (exit 3), not UNKNOWN', async () => {
    const c = await joinedCluster(fc, 3, 0)
    c.metas[2].server.closeAllConnections()
    await new Promise((r) => c.metas[2].server.close(r))
    const r = await medic(['status', c.metas[0].addr])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('Quorum: 2/3 voters up: quorum holds; one more failure loses the leader')
    expect(r.stdout).toContain('Cluster: WARNING')
    const j = oneJson((await medic(['status', c.metas[0].addr, '--json'])).stdout)
    expect(j).toMatchObject({verdict: 'warning', exitCode: 3, quorum: {voters: 3, up: 2, down: 1, holds: true, spare: 0, text: '2/3 voters up: quorum holds; one more failure loses the leader'}})
  })

  it('--watch into a pipe: one line per change; --json: one NDJSON object per change and a summary line; Ctrl-C ends it', async () => {
    const c = await joinedCluster(fc, 1, 0)
    for (const json of [false, true]) {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'status', c.metas[0].addr, '--watch', '100ms', ...(json ? ['--json'] : [])], {cwd: ROOT, env: {...process.env, NO_COLOR: '1'}})
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString() })
      child.stderr.on('data', (d: Buffer) => { err += d.toString() })
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
      await until('the first line', () => out.includes('\n'))
      c.status[0].leader = ''
      await until('a second line after the change', () => out.split('\n').filter(Boolean).length >= 2)
      child.kill('SIGINT')
      const code = await exited
      const lines = out.split('\n').filter(Boolean)
      if (json) {
        const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
        expect(docs[0]).toMatchObject({schemaVersion: 1, command: 'status', type: 'status', verdict: 'ok'})
        expect(docs[1]).toMatchObject({type: 'status', verdict: 'critical'})
        expect(docs.at(-1)).toMatchObject({type: 'summary', exitCode: 3})
      } else {
        expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; OK; leader 127\.0\.0\.1:\d+; 1\/1 voter up: quorum holds/)
        expect(lines[1]).toMatch(/; CRITICAL; no agreed leader; .*problems: no-leader/)
        expect(err).toMatch(/Stopped after \d+ rounds/)
      }
      expect(code).toBe(3)
      c.status[0].leader = c.metas[0].addr
    }
  })
})

describe('medic status --watch on a terminal', () => {
  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], {stdio: 'ignore'})
      return true
    } catch {
      return false
    }
  })()

  it.skipIf(!hasScript)('redraws the view in place (home, clear, frame) every interval', async () => {
    const c = await joinedCluster(fc, 1, 0)
    // script(1) gives medic a pseudo-terminal; timeout(1) sends Ctrl-C's SIGINT once a few frames are drawn.
    const child = spawn('script', ['-qfec', `timeout -s INT 12 ${process.execPath} ${join(ROOT, 'bin', 'run.js')} status ${c.metas[0].addr} --watch 200ms`, '/dev/null'], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', TERM: 'xterm'}})
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<void>((r) => child.on('close', () => r()))
    await until('three frames', () => out.split('\u001B[H\u001B[2J').length > 3, 30_000)
    child.kill('SIGINT')
    await exited
    const frames = out.split('\u001B[H\u001B[2J').slice(1, 3)
    for (const f of frames) {
      expect(f).toMatch(/^Every 200ms: medic status 127\.0\.0\.1:\d+ {3}\(Ctrl-C to stop\)/)
      expect(f).toContain('Quorum: 1/1 voter up: quorum holds')
    }
  }, 60_000)
})
