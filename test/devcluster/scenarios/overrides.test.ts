// Config overrides: keys set line by line in a written config, the file otherwise unchanged; a missing section fails.
import {describe, expect, it} from 'vitest'

import {renderDataConfig} from '../../../src/devcluster/cluster/configs/data.js'
import {applyOverrides} from '../../../src/devcluster/scenarios/overrides.js'

const CONF = renderDataConfig({
  name: 'data-1', clusterDir: '/tmp/c', hostname: '127.0.0.1', metaDir: '/tmp/c/m', dataDir: '/tmp/c/d', walDir: '/tmp/c/w', hhDir: '/tmp/c/hh',
  httpPort: 18186, rpcPort: 18188, logFormat: 'logfmt',
})

describe('applyOverrides', () => {
  it('replaces a key in its own section only, keeping the indentation and every other line', () => {
    const out = applyOverrides(CONF, {'hinted-handoff': {'max-size': '65536', 'retry-max-interval': '"2s"'}, monitor: {'store-interval': '"1s"'}})
    const changed = out.split('\n').filter((l, i) => l !== CONF.split('\n')[i])
    expect(changed).toEqual(['  max-size = 65536', '  retry-max-interval = "2s"', '  store-interval = "1s"'])
    // [http] and [data] have keys of the same family: untouched.
    expect(out).toContain('  bind-address = "127.0.0.1:18186"')
  })

  it('sets top-level keys before the first section, and adds a key a section lacks right after its header', () => {
    const out = applyOverrides('hostname = "a"\n\n[meta]\n  dir = "/x"\n', {'': {hostname: '""'}, meta: {'bind-address': '":1"'}})
    expect(out).toBe('hostname = ""\n\n[meta]\n  bind-address = ":1"\n  dir = "/x"\n')
    expect(applyOverrides('[meta]\n  dir = "/x"\n', {'': {hostname: '"h"'}})).toBe('hostname = "h"\n[meta]\n  dir = "/x"\n')
  })

  it('refuses a section the file does not have', () => {
    expect(() => applyOverrides(CONF, {'no-such-section': {x: '1'}}, 'influxdb.conf')).toThrow('influxdb.conf has no [no-such-section] section to set x in')
  })
})
