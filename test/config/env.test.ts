// INFLUXDB_* overrides: reading env files in the forms operators have, and mapping variables to keys.
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {envFromProcess, envTarget, parseEnvText, readEnvFile, unmatchedEnvFindings} from '../../src/config/env.js'
import {envName} from '../../src/config/options.js'
import {tempDir} from './fixtures.js'

describe('env files', () => {
  it('reads NAME=value, export, quotes, comments and systemd Environment= lines; keeps only INFLUXDB_*', () => {
    const text = [
      '# /etc/default/influxdb',
      'INFLUXDB_HOSTNAME=data-01',
      'export INFLUXDB_META_DIR="/var/lib/influxdb/meta"',
      "INFLUXDB_HINTED_HANDOFF_MAX_SIZE='5g'",
      'INFLUXDB_HTTP_AUTH_ENABLED=true  # turned on in May',
      'Environment="INFLUXDB_DATA_DIR=/data" "INFLUXDB_DATA_WAL_DIR=/wal"',
      'Environment=INFLUXDB_LOGGING_LEVEL=warn',
      'GOMAXPROCS=4',
      '[Service]',
      'if [ -f /x ]; then . /x; fi',
    ].join('\n')
    const {vars, findings} = parseEnvText('influxdb.env', text)
    expect(vars.map((v) => [v.name, v.value, v.origin.line])).toEqual([
      ['INFLUXDB_HOSTNAME', 'data-01', 2],
      ['INFLUXDB_META_DIR', '/var/lib/influxdb/meta', 3],
      ['INFLUXDB_HINTED_HANDOFF_MAX_SIZE', '5g', 4],
      ['INFLUXDB_HTTP_AUTH_ENABLED', 'true', 5],
      ['INFLUXDB_DATA_DIR', '/data', 6],
      ['INFLUXDB_DATA_WAL_DIR', '/wal', 6],
      ['INFLUXDB_LOGGING_LEVEL', 'warn', 7],
    ])
    expect(vars[0].origin).toEqual({kind: 'env-file', variable: 'INFLUXDB_HOSTNAME', path: 'influxdb.env', line: 2})
    expect(findings).toEqual([])
  })

  it('warns about CRLF env files and mangled INFLUXDB_ lines', () => {
    const {vars, findings} = parseEnvText('w.env', 'INFLUXDB_HOSTNAME=a\r\nINFLUXDB_META_DIR /m\r\n')
    expect(vars.map((v) => v.value)).toEqual(['a'])
    expect(findings.map((f) => [f.id, f.line])).toEqual([['env-file-syntax', 2], ['env-file-crlf', null]])
  })

  it('exits 4 when the env file is missing', async () => {
    await expect(readEnvFile(join(tempDir(), 'none.env'))).rejects.toMatchObject({exitCode: 4, code: 'input-not-found'})
  })

  it('takes only INFLUXDB_* from a process environment, sorted', () => {
    expect(envFromProcess({PATH: '/bin', INFLUXDB_META_DIR: '/m', INFLUXDB_HOSTNAME: 'h'}).map((v) => v.name)).toEqual(['INFLUXDB_HOSTNAME', 'INFLUXDB_META_DIR'])
  })
})

describe('variables to keys', () => {
  it('maps variables the way influxd derives them from the TOML names', () => {
    expect(envName('hinted-handoff', 'max-size')).toBe('INFLUXDB_HINTED_HANDOFF_MAX_SIZE')
    expect(envName('', 'hostname')).toBe('INFLUXDB_HOSTNAME')
    expect(envTarget('INFLUXDB_HINTED_HANDOFF_MAX_SIZE')).toMatchObject({section: 'hinted-handoff', key: 'max-size', roles: ['data']})
    expect(envTarget('INFLUXDB_META_DIR')).toMatchObject({section: 'meta', key: 'dir', roles: ['meta', 'data']})
    expect(envTarget('INFLUXDB_META_META_AUTH_ENABLED')).toMatchObject({section: 'meta', key: 'meta-auth-enabled', roles: ['data']})
    expect(envTarget('INFLUXDB_CONTINUOUS_QUERIES_RUN_INTERVAL')).toMatchObject({section: 'continuous_queries', key: 'run-interval'})
    expect(envTarget('INFLUXDB_GRAPHITE_0_ENABLED')).toMatchObject({section: 'graphite', index: 0, key: 'enabled'})
    // [data] is listed completely (OSS source of every release): a key it does not have matches nothing.
    expect(envTarget('INFLUXDB_DATA_MAX_POINTS_PER_BLOCK')).toBeUndefined()
    expect(envTarget('INFLUXDB_DATA_MAX_CONCURRENT_DELETES')).toMatchObject({section: 'data', key: 'max-concurrent-deletes', roles: ['data']})
    expect(envTarget('INFLUXDB_HINTED_HANDOFF_MAXSIZE')).toBeUndefined()
  })

  it('flags typos with the variable meant, empty values, and skips packaging variables', () => {
    const origin = {kind: 'environment' as const}
    const findings = unmatchedEnvFindings([
      {name: 'INFLUXDB_HINTED_HANDOFF_MAXSIZE', value: '1g', origin},
      {name: 'INFLUXDB_META_DIR', value: '', origin},
      {name: 'INFLUXDB_CONFIG_PATH', value: '/etc/influxdb/influxdb.conf', origin},
      {name: 'INFLUXDB_ADMIN_PASSWORD', value: 'hunter2hunter2', origin},
      {name: 'INFLUXDB_WHATEVER_THING', value: 'x', origin},
    ])
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['env-unknown', 'warning'], ['env-empty', 'info'], ['env-unknown', 'info']])
    expect(findings[0].fix).toBe('rename it to INFLUXDB_HINTED_HANDOFF_MAX_SIZE')
    expect(JSON.stringify(findings)).not.toContain('hunter2')
  })
})
