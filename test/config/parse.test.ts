// Reading and parsing config files: encodings, line endings, empty / binary / huge files, syntax errors with
// positions and hints, repeated keys and sections, and the positions of keys.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {MAX_CONFIG_BYTES, parseConfig, readConfigFile} from '../../src/config/parse.js'
import {MedicError} from '../../src/errors.js'
import {tempDir} from './fixtures.js'

const parse = (text: string | Buffer, name = 'influxdb.conf') => parseConfig(name, Buffer.isBuffer(text) ? text : Buffer.from(text))
const ids = (r: ReturnType<typeof parse>) => r.findings.map((f) => f.id)

describe('parseConfig: positions', () => {
  it('gives every key its 1-based line and column, and the column of its value', () => {
    const r = parse('hostname = "a"\n\n[meta]\n  dir = "/x"\n[hinted-handoff]\n    max-size = 10\n')
    expect(r.parsed).toBe(true)
    expect(r.entries.map((e) => [e.path.join('.'), e.pos, e.valuePos?.column])).toEqual([
      ['hostname', {line: 1, column: 1}, 12],
      ['meta.dir', {line: 4, column: 3}, 9],
      ['hinted-handoff.max-size', {line: 6, column: 5}, 16],
    ])
    expect(r.tables.map((t) => [t.path.join('.'), t.pos?.line])).toEqual([['meta', 3], ['hinted-handoff', 5]])
  })

  it('flattens dotted keys, inline tables and arrays of tables into section and key', () => {
    const r = parse('meta.dir = "/m"\nhttp = {bind-address = ":8086"}\n[[graphite]]\nenabled = true\n[[graphite]]\nenabled = false\n')
    expect(r.entries.map((e) => [e.section, e.key, e.path])).toEqual([
      ['meta', 'dir', ['meta', 'dir']],
      ['http', 'bind-address', ['http', 'bind-address']],
      ['graphite', 'enabled', ['graphite', 0, 'enabled']],
      ['graphite', 'enabled', ['graphite', 1, 'enabled']],
    ])
  })

  it('keeps integers beyond 2^53 exact', () => {
    const r = parse('[hinted-handoff]\nmax-size = 99999999999999999999\n')
    expect(r.entries[0].value).toBe(99999999999999999999n)
  })
})

describe('parseConfig: bad input becomes findings, never exceptions', () => {
  it('reports a UTF-8 BOM as a warning and still checks the file, with columns as an editor shows them', () => {
    const r = parse('\uFEFFhostname = "a"\n')
    expect(r.encoding).toBe('utf-8-bom')
    expect(r.findings[0]).toMatchObject({id: 'encoding-bom', severity: 'warning', line: 1, column: 1})
    expect(r.findings[0].fix).toContain("sed -i '1s/^\\xEF\\xBB\\xBF//'")
    expect(r.entries[0]).toMatchObject({key: 'hostname', pos: {line: 1, column: 1}})
  })

  it('notes CRLF and mixed line endings as info and parses them', () => {
    const crlf = parse('hostname = "a"\r\n[meta]\r\ndir = "/x"\r\n')
    expect(crlf.lineEndings).toBe('crlf')
    expect(crlf.findings).toEqual([expect.objectContaining({id: 'line-endings-crlf', severity: 'info'})])
    expect(crlf.entries.map((e) => e.value)).toEqual(['a', '/x'])
    expect(parse('a = 1\r\nb = 2\n').lineEndings).toBe('mixed')
  })

  it('decodes UTF-16 with a BOM (what Windows calls "Unicode") and warns', () => {
    const r = parse(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hostname = "a"\n', 'utf16le')]))
    expect(r.encoding).toBe('utf-16le')
    expect(ids(r)).toEqual(['encoding-utf16'])
    expect(r.entries[0].value).toBe('a')
    const be = Buffer.from('hostname = "b"\n', 'utf16le').swap16()
    expect(parse(Buffer.concat([Buffer.from([0xfe, 0xff]), be])).entries[0].value).toBe('b')
  })

  it('refuses binary files and invalid UTF-8 with the line of the first bad byte', () => {
    expect(parse(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1]), 'influxd')).toMatchObject({parsed: false, encoding: 'binary', findings: [{id: 'file-binary', severity: 'error', file: 'influxd'}]})
    const latin1 = parse(Buffer.from('hostname = "a"\nrealm = "caf\xe9"\n', 'latin1'))
    expect(latin1.findings).toEqual([expect.objectContaining({id: 'encoding-invalid-utf8', severity: 'error', line: 2, column: 13})])
  })

  it('reports empty and whitespace-only files', () => {
    expect(parse('').findings).toEqual([expect.objectContaining({id: 'file-empty', severity: 'error', message: 'the file is empty'})])
    expect(parse('  \n\t\n').findings[0]).toMatchObject({id: 'file-empty', message: 'the file holds only whitespace'})
  })

  it('refuses a huge file without parsing it', () => {
    const r = parseConfig('big.conf', Buffer.alloc(16), MAX_CONFIG_BYTES + 1)
    expect(r.findings).toEqual([expect.objectContaining({id: 'file-too-large', severity: 'error'})])
    expect(r.parsed).toBe(false)
  })

  it('gives syntax errors with line, column, the line itself and a hint', () => {
    const cases: Array<[string, number, string]> = [
      ['[meta]\ndir = "/var/lib/influxdb/meta\n', 2, 'close the string: dir = "/var/lib/influxdb/meta"'],
      ['hostname = meta-01\n', 1, 'strings need quotes in TOML: hostname = "meta-01"'],
      ['[meta]\nlease-duration = 10s\n', 2, 'durations and sizes are strings in TOML: lease-duration = "10s"'],
      ['[hinted-handoff\ndir = "/hh"\n', 1, 'close the section header with "]"'],
      ['[meta]\ndir =\n', 2, 'give dir a value, or comment the line out with #'],
    ]
    for (const [text, line, hint] of cases) {
      const r = parse(text)
      expect(r.parsed, text).toBe(false)
      expect(r.findings, text).toEqual([expect.objectContaining({id: 'toml-syntax', severity: 'error', line})])
      expect(r.findings[0].column, text).toBeGreaterThan(0)
      expect(r.findings[0].fix, text).toContain(hint)
      expect(r.findings[0].excerpt, text).toBeDefined()
    }
  })

  it('never quotes a secret from a line with a syntax error', () => {
    const r = parse('[enterprise]\nlicense-key = "abc-123-very-secret\n')
    const text = JSON.stringify(r.findings)
    expect(text).not.toContain('abc-123-very-secret')
    expect(text).toContain('[REDACTED]')
  })

  it('names both lines of a repeated key and keeps checking, with the first value', () => {
    const r = parse('[meta]\ndir = "/first"\nauth-enabled = true\n  dir = "/second"\n')
    expect(r.parsed).toBe(true)
    expect(r.findings).toEqual([expect.objectContaining({
      id: 'duplicate-key', severity: 'error', line: 4, column: 3, key: 'meta.dir',
      related: [expect.objectContaining({line: 2, column: 1, note: 'first definition'})],
    })])
    expect(r.entries.filter((e) => e.key === 'dir').map((e) => e.value)).toEqual(['/first'])
    expect(r.entries.map((e) => e.key)).toContain('auth-enabled')
  })

  it('names a repeated section, merges both halves, and finds keys repeated across them', () => {
    const r = parse('[meta]\ndir = "/m"\n[http]\nenabled = true\n[meta]\nauth-enabled = true\ndir = "/again"\n')
    expect(r.findings.map((f) => [f.id, f.key, f.line, f.related?.[0].line])).toEqual([
      ['duplicate-key', 'meta', 5, 1],
      ['duplicate-key', 'meta.dir', 7, 2],
    ])
    expect(r.entries.filter((e) => e.section === 'meta').map((e) => [e.key, e.value])).toEqual([['dir', '/m'], ['auth-enabled', true]])
  })

  it('survives hostile TOML: runaway nesting, a giant value', () => {
    expect(parse('a = ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n').findings).toEqual([expect.objectContaining({id: 'toml-syntax', severity: 'error'})])
    const giant = parse('[meta]\ndir = "/m"\nnote = "' + 'y'.repeat(300_000) + '"\n', 'influxdb-meta.conf')
    expect(giant.parsed).toBe(true)
    expect(giant.findings.map((f) => f.id)).toEqual([])
    expect(giant.entries[0]).toMatchObject({section: 'meta', key: 'dir', value: '/m', pos: {line: 2, column: 1}})
    expect(giant.entries[1]).toMatchObject({key: 'note', pos: {line: 3, column: 1}, valuePos: {line: 3, column: 8}})
  })

  it('handles many repeated keys on one file', () => {
    const r = parse('[meta]\n' + Array.from({length: 30}, (_, i) => `dir = "/d${i}"`).join('\n') + '\n')
    expect(r.findings.filter((f) => f.id === 'duplicate-key')).toHaveLength(29)
    expect(r.entries).toHaveLength(1)
  })
})

describe('readConfigFile', () => {
  it('exits 4 with the file named for a missing file or a directory', async () => {
    const dir = tempDir()
    await expect(readConfigFile(join(dir, 'nope.conf'))).rejects.toMatchObject({exitCode: 4, code: 'input-not-found', message: `${join(dir, 'nope.conf')}: no such file`})
    mkdirSync(join(dir, 'etc'))
    const err = await readConfigFile(join(dir, 'etc')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MedicError)
    expect(err).toMatchObject({exitCode: 4, code: 'input-is-directory'})
    expect((err as MedicError).suggestions[0]).toContain('influxdb.conf')
  })

  it.skipIf(process.getuid?.() === 0)('exits 4 for a file it may not read', async () => {
    const dir = tempDir()
    const p = join(dir, 'secret.conf')
    writeFileSync(p, 'hostname = "a"\n')
    chmodSync(p, 0o000)
    await expect(readConfigFile(p)).rejects.toMatchObject({exitCode: 4, code: 'input-permission-denied'})
  })

  it('reads at most one byte past the limit of a huge file', async () => {
    const p = join(tempDir(), 'huge.conf')
    writeFileSync(p, Buffer.alloc(MAX_CONFIG_BYTES + 4096, 0x61))
    const r = await readConfigFile(p)
    expect(r.sizeBytes).toBe(MAX_CONFIG_BYTES + 4096)
    expect(r.bytes.length).toBe(MAX_CONFIG_BYTES + 1)
  })
})
