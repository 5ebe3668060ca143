// Secrets in config check output (issue 9, defect 5): broken lines that hold a secret, the line redactor, the last
// redaction pass over the report and its cost.
import {describe, expect, it} from 'vitest'

import {parseConfig} from '../../src/config/parse.js'
import {isSecretish, redactConfigLine, SecretSet, secretCandidates} from '../../src/config/secrets.js'
import {scanToml} from '../../src/config/toml-scan.js'
import {renderCheck} from '../../src/format/config.js'
import {expectLinear} from '../helpers/fuzz.js'
import {check, data, LICENSE, META} from './fixtures.js'

const MARK = 'Vq7rT2mKx9LpW4sN8bZc'

describe('a secret on a line that is not valid TOML', () => {
  it('never reaches the output: shared-secret "value" without =, an unclosed string, a typo in the key name', async () => {
    const cases = [
      `[meta]\n  shared-secret "${MARK}"\n`,
      `[meta]\n  shared-secret = "${MARK}\n`,
      `[enterprise]\n  license-key = ${MARK}"\n`,
      `[meta]\n  internal-shared-secet "${MARK}"\n`,
      `[meta]\n  dir = "/m" internal-shared-secret = "${MARK}"\n`,
      `[enterprise]\n  "license-key" = '${MARK}\n`,
      `[meta]\n  shared-secret = """${MARK}\n`,
      `[meta]\n  auth-enabled = true\n  ${MARK}-and-more = 1 2\n`,

      // Found by scripts/fuzz-config.ts: two lines joined into one, the second key's name mangled.
      `[enterprise] licenkey = '${MARK}'\n`,
      `[enterprise]\nlicense-key. = '${MARK}'\n`,
      `enterprise.license-key.x = '${MARK}\n`,
      `[meta]\ndir"/m" meta-internal-shared-se[cret = """${MARK}"""\n`,
    ]
    for (const text of cases) {
      const r = await check({'influxdb-meta.conf': META + '\n' + text})
      const outputs = [JSON.stringify(r), renderCheck(r)]
      for (const out of outputs) {
        expect(out, text).not.toContain(MARK)
        expect(out, text).not.toContain(MARK.slice(4, 16))
      }
      expect(r.findings.some((f) => f.id === 'toml-syntax'), text).toBe(true)
    }
  })

  it('still quotes a broken line when it starts with a key medic knows, with the secret cut', () => {
    const r = parseConfig('m.conf', Buffer.from(`[enterprise]\nlicense-key "${LICENSE}"\n[meta]\n`))
    expect(r.findings[0].excerpt).toBe('license-key [REDACTED]')
    const plain = parseConfig('m.conf', Buffer.from('hostname = meta-01\n'))
    expect(plain.findings[0].excerpt).toBe('hostname = meta-01')
    expect(plain.findings[0].fix).toBe('strings need quotes in TOML: hostname = "meta-01"')
    const unknown = parseConfig('m.conf', Buffer.from(`x-token-ish-thing = ${MARK}\n`))
    expect(JSON.stringify(unknown.findings)).not.toContain(MARK)
  })
})

describe('redactConfigLine', () => {
  it('cuts everything after the first secret-ish name, quoted or not, complete or not', () => {
    expect(redactConfigLine('shared-secret "value"')).toBe('shared-secret [REDACTED]')
    expect(redactConfigLine('license-key = value"')).toBe('license-key = [REDACTED]')
    expect(redactConfigLine('  "license-key" = "x')).toBe('  "license-key" = [REDACTED]')
    expect(redactConfigLine('x = {v = "S", name = "password"}')).toBe('x = [REDACTED]')
    expect(redactConfigLine('INFLUXDB_META_SHARED_SECRET=abc')).toBe('INFLUXDB_META_SHARED_SECRET= [REDACTED]')
    expect(redactConfigLine('hostname = "meta-01"')).toBe('hostname = "meta-01"')
    expect(redactConfigLine('shared-secret =')).toBe('shared-secret =')
  })

  it('knows secret key names with a typo, and not the keys that only look alike', () => {
    for (const name of ['license-key', 'licence_key', 'shared-secet', 'internal-shared-secrt', 'pasword', 'jwt-token']) expect(isSecretish(name), name).toBe(true)
    for (const name of ['license-path', 'https-private-key', 'password-hash', 'hostname', 'meta-insecure-tls', 'dir']) expect(isSecretish(name), name).toBe(false)
  })
})

describe('secretCandidates', () => {
  it('finds values after secret-ish keys in text that does not parse, line by line for multi-line strings', () => {
    const text = `license-key "A-${MARK}"\nshared-secret = """one\nB-${MARK}\n"""\npassword = 'C-${MARK}' # note\n`
    const found = secretCandidates(text, scanToml(text))
    expect(found).toEqual(expect.arrayContaining([`A-${MARK}`, `B-${MARK}`, `C-${MARK}`]))
  })
})

describe('SecretSet', () => {
  it('replaces a secret, and any 12-character run out of one, wherever it appears', () => {
    const s = new SecretSet()
    s.add('shared-secret', MARK)
    s.add('hostname', 'not-a-secret-value')
    s.add('password', 'pw1')
    s.add('license-key', 'short7')
    expect(s.scrubString(`a ${MARK} b`)).toBe('a [REDACTED] b')
    expect(s.scrubString(`cut ${MARK.slice(3, 17)}…`)).toBe('cut [REDACTED]…')
    expect(s.scrubString('not-a-secret-value')).toBe('not-a-secret-value')
    expect(s.scrubString('pw1 short7!')).toBe('pw1 [REDACTED]!')
    expect(s.scrubString(MARK.slice(0, 8))).toBe(MARK.slice(0, 8))
  })

  it('costs time linear in the report, however many secrets', () => {
    const make = (n: number) => {
      const set = new SecretSet()
      for (let i = 0; i < n; i++) set.add('password', `secret-number-${i}-${'x'.repeat(i % 13)}`)
      const report = {findings: Array.from({length: n}, (_, i) => ({message: `finding ${i} about secret-number-${i * 7}-xx and more text`, value: `"v${i}"`}))}
      return {set, report}
    }
    const r = expectLinear(make, ({set, report}) => {
      set.scrub(report)
    }, 400)
    expect(r.growth).toBeLessThan(2.5)
  })

  it('the report of a file holding thousands of secrets is checked in linear time', async () => {
    const text = data('data-01.example.test', '\n[http]\n' + Array.from({length: 1000}, (_, i) => `  password${i} = "pw-${i}-${MARK}"`).join('\n') + '\n')
    const r = await check({'d.conf': text})
    expect(JSON.stringify(r)).not.toContain(MARK)
  })
})
