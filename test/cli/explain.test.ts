// `medic explain` end to end, through the built CLI in a child process.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'

import {medic, oneJson, tempDir} from '../helpers/cli.js'

const HH_LINE = '[write] 2016/10/18 10:35:21 write failed for shard 2382 on node 4: hinted handoff queue not empty'

describe('medic explain', () => {
  it('explains one line: entry, verdict, values, cause, next commands and client advice', async () => {
    const r = await medic(['explain', HH_LINE])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('hh-queue-not-empty')
    expect(r.stdout).toContain('INFO')
    expect(r.stdout).toMatch(/shardId=2382 nodeId=4/)
    expect(r.stdout).toContain('ls -lRh /var/lib/influxdb/hh/4')
    expect(r.stdout).toContain('For client developers')
    expect(r.stderr).toBe('')
  })

  it('joins unquoted words into one line', async () => {
    const r = await medic(['explain', '--json', 'write', 'failed', 'for', 'shard', '9', 'on', 'node', '3:', 'queue', 'is', 'full'])
    const doc = oneJson(r.stdout)
    expect(doc.results).toEqual([expect.objectContaining({id: 'hh-queue-full', verdict: 'critical', values: expect.objectContaining({shardId: 9, nodeId: 3})})])
    expect(r.code).toBe(3)
  })

  it('exits 3 for a warning or critical line, also with --json, and prints one JSON document', async () => {
    const human = await medic(['explain', '500 {"error":"partial write"}'])
    expect(human.code).toBe(3)
    expect(human.stdout).toContain('Do not blindly retry this 500')
    const json = await medic(['explain', '--json', '500 {"error":"partial write"}'])
    expect(json.code).toBe(3)
    const doc = oneJson(json.stdout)
    expect(doc).toMatchObject({schemaVersion: 1, command: 'explain', exitCode: 3})
    expect(doc.results).toEqual([expect.objectContaining({line: 1, id: 'write-partial-consistency', verdict: 'warning', format: 'http-error'})])
    expect((doc.entries as Record<string, {client: string}>)['write-partial-consistency'].client).toContain('retry')
    expect(json.stderr).toBe('')
  })

  it('reads many lines from stdin and keeps input order, with null ids for unknown lines', async () => {
    const input = [HH_LINE, 'something nobody has seen before 42', '', '{"error":"timeout"}'].join('\r\n')
    const r = await medic(['explain', '--json'], {input})
    const doc = oneJson(r.stdout)
    const results = doc.results as Array<{line: number; id: string | null; verdict: string}>
    expect(results.map((x) => [x.line, x.id, x.verdict])).toEqual([
      [1, 'hh-queue-not-empty', 'info'],
      [2, null, 'unknown'],
      [3, null, 'unknown'],
      [4, 'write-timeout', 'warning'],
    ])
    expect(r.code).toBe(3)
  })

  it('judges CQ lease denials with the context of the stream', async () => {
    const line = (s: number, node: number, status: number) =>
      `[meta-http] 2016/09/19 09:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} 10.0.0.${node} - - [19/Sep/2016:09:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} +0000] GET /lease?name=continuous_querier&node_id=${node} HTTP/1.1 ${status} 105 - InfluxDB Meta Client b00e4943-7e48-11e6-86a6-000000000000 380.542µs`
    const lines = [line(0, 4, 200), line(1, 5, 409), line(30, 5, 409), line(100, 5, 409), line(200, 5, 409)]
    const r = await medic(['explain', '--json', '--lease-duration', '1m'], {input: lines.join('\n')})
    const results = oneJson(r.stdout).results as Array<{verdict: string; context?: string}>
    // A grant is in the input, so the holder's renewals plausibly are too: denials more than --lease-duration after the
    // last renewal are worth a look. Denials without any grant in the input are expected (see the next test).
    expect(results.map((x) => x.verdict)).toEqual(['expected', 'expected', 'expected', 'warning', 'warning'])
    expect(results[3].context).toContain('renewals (200) were in this input until')
    expect(results[1].context).toContain('data node 4 holds the lease')
    expect(r.code).toBe(3)
  })

  it('treats a long run of lease denials with no grant in the input as the holder\'s lines missing, not a stop', async () => {
    const at = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    const lines = [0, 100, 400, 900].map((s) => `[meta-http] 2016/09/19 09:${at(s).slice(0, 2)}:${at(s).slice(3)} 10.0.0.5 - - [19/Sep/2016:09:${at(s)} +0000] GET /lease?name=continuous_querier&nodeid=5 HTTP/1.1 409 105 - InfluxDB Meta Client b00e4943-7e48-11e6-86a6-000000000000 380.542µs`)
    const r = await medic(['explain', '--json', '--lease-duration', '1m'], {input: lines.join('\n')})
    const results = oneJson(r.stdout).results as Array<{id: string; verdict: string; context?: string}>
    expect(results.map((x) => [x.id, x.verdict])).toEqual(lines.map(() => ['cq-lease-denied', 'expected']))
    expect(results[3].context).toContain('renewals (200) are not in this input')
    expect(r.code).toBe(0)
  })

  it('reads --file, including gzip, and CRLF / NUL / invalid UTF-8 / a 10 MB line without failing', async () => {
    const dir = tempDir()
    const body = Buffer.concat([
      Buffer.from(HH_LINE + '\r\n'),
      Buffer.from('[write] 2016/10/18 10:35:22 bad \u0000 byte \xff\xfe here\n', 'latin1'),
      Buffer.from('x'.repeat(10 * 1024 * 1024) + '\n'),
      Buffer.from('{"error":"partial write"}\n'),
    ])
    writeFileSync(join(dir, 'mixed.log.gz'), gzipSync(body))
    const r = await medic(['explain', '--json', '--file', join(dir, 'mixed.log.gz')])
    const results = oneJson(r.stdout).results as Array<{id: string | null}>
    expect(results.map((x) => x.id)).toEqual(['hh-queue-not-empty', null, null, 'write-partial-consistency'])
    expect(r.code).toBe(3)
  })

  it('prints one entry in full by id, and lists the catalogue', async () => {
    const one = await medic(['explain', 'hh-queue-full'])
    expect(one.code).toBe(0)
    expect(one.stdout).toContain('max-size')
    expect(one.stdout).toContain('Examples')
    const json = oneJson((await medic(['explain', 'cq-lease-denied', '--json'])).stdout)
    expect(json.entry).toMatchObject({id: 'cq-lease-denied', verdict: 'expected'})
    const list = await medic(['explain', '--list', '--json'])
    expect((oneJson(list.stdout).entries as unknown[]).length).toBeGreaterThanOrEqual(45)
  })

  it('rejects an unknown id with exit 2 and suggestions', async () => {
    const r = await medic(['explain', 'hh-queue-fulll'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no catalogue entry has the id "hh-queue-fulll"')
    expect(r.stderr).toContain('did you mean: hh-queue-full')
    expect(r.stdout).toBe('')
    const json = await medic(['explain', 'hh-queue-fulll', '--json'])
    expect(json.code).toBe(2)
    expect(oneJson(json.stdout)).toMatchObject({exitCode: 2, error: {code: 'unknown-id'}})
  })

  it('names a missing file and exits 4, with or without --json', async () => {
    const r = await medic(['explain', '--file', '/nonexistent/influxdb.log'])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('/nonexistent/influxdb.log: no such file')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const json = await medic(['explain', '--file', '/nonexistent/influxdb.log', '--json'])
    expect(json.code).toBe(4)
    expect(oneJson(json.stdout)).toMatchObject({schemaVersion: 1, exitCode: 4, error: {code: 'input-not-found'}})
  })

  it('rejects a corrupt gzip file with exit 4', async () => {
    const dir = tempDir()
    const gz = gzipSync(Buffer.from('a\n'.repeat(10000)))
    writeFileSync(join(dir, 'cut.log.gz'), gz.subarray(0, gz.length - 8).toString('latin1') + 'garbage', 'latin1')
    const r = await medic(['explain', '--file', join(dir, 'cut.log.gz')])
    expect(r.code).toBe(4)
    expect(r.stderr).toContain('cut.log.gz')
    expect(r.stderr).toContain('gzip')
  })

  it('rejects empty input and a bad --lease-duration with exit 2', async () => {
    const empty = await medic(['explain'], {input: ''})
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('no lines to explain')
    const bad = await medic(['explain', '--lease-duration', 'soon', 'x'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('not a duration')
  })
})

describe('medic explain on a live stream', () => {
  it('answers line by line without waiting for the end of the input', async () => {
    const {spawn} = await import('node:child_process')
    const {join} = await import('node:path')
    const {ROOT} = await import('../helpers/cli.js')
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'explain'], {env: {...process.env, CI: '1'}})
    let out = ''
    let waiting: {text: string; resolve: () => void} | undefined
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      if (waiting && out.includes(waiting.text)) waiting.resolve()
    })
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        if (out.includes(text)) resolve()
        else waiting = {text, resolve}
      })
    child.stdin.write(HH_LINE + '\n')
    child.stdin.write('{"error":"timeout"}\n')
    // Both rows arrive while stdin is still open.
    await seen('write-timeout')
    expect(out).toContain('hh-queue-not-empty')
    child.stdin.end('mystery 42\n')
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(out).toContain('mystery 42')
    expect(out).toContain('What they mean')
    expect(code).toBe(3)
  })
})
