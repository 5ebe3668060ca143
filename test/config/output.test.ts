// What config check prints from a file: control characters escaped in every field a value can reach (a TOML string
// can hold escape sequences), outside values in suggested commands shell-quoted, and the verdict from decideOutcome.
import {describe, expect, it} from 'vitest'

import {renderCheck} from '../../src/format/config.js'
import {check, data, find, META} from './fixtures.js'

describe('human output of config check', () => {
  it('escapes control characters from values, keys, excerpts and file names', async () => {
    const r = await check({
      'a\u001b]0;owned\u0007.conf': META.replace('hostname = "meta-01.example.test"', 'hostname = "meta\\u001b[2J-01\\r\\nFAKE LINE\\u202e"')
        + '\n[meta]\n', // a repeated section, so a finding names the file too
      'd.conf': data().replace('[http]\n', '[http]\n  "bad\\u001bkey" = 1\n  realm = "x\\u0085y"\n'),
      'broken.conf': 'hostname = meta\u001b[31m-01\n',
    })
    const out = renderCheck(r)
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/)
    expect(out).toContain('\\x1b')
    expect(out).not.toContain('\r')
  })

  it('quotes file paths in suggested commands', async () => {
    const r = await check({"node $(id)'s.toml": 'reporting-disabled = true\n'})
    expect(find(r, 'role-unknown').fix).toMatch(/--role meta '.*node \$\(id\)'\\''s\.toml'/)
  })

  it('decides the verdict with decideOutcome: error = critical (exit 3), warnings exit 3, info only exit 0', async () => {
    const ok = await check({'d.conf': data('data-01.example.test', '  quantum-flux = 1\n')})
    expect(ok).toMatchObject({verdict: 'ok', exitCode: 0, coverage: {checked: 1, unchecked: 0, complete: true}})
    const warn = await check({'d.conf': data().replace('  enabled = true', '  enabled = false')})
    expect(warn).toMatchObject({verdict: 'warning', exitCode: 3})
    const bad = await check({'e.conf': '', 'd.conf': data()})
    expect(bad).toMatchObject({verdict: 'critical', exitCode: 3, coverage: {checked: 1, unchecked: 1, complete: false}})
    expect(renderCheck(bad)).toContain('(1 file could not be checked)')
  })
})
