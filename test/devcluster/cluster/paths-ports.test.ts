// Where a dev cluster lives (XDG folders, --dir, MEDIC_DEV_DIR, the node entries from sources and from dist/) and its
// port plan with the free-port check that names the port, the node and its role.
import {createServer} from 'node:net'
import {describe, expect, it} from 'vitest'

import {nodeIndex} from '../../../src/devcluster/cluster/names.js'
import {defaultClusterDir, dirFlag, medicDataDir, metaNodeEntry, moduleEntry, resolveClusterDir} from '../../../src/devcluster/cluster/paths.js'
import {checkBasePort, checkPortsFree, dataPorts, metaPortUses, metaPorts, probePort} from '../../../src/devcluster/cluster/ports.js'
import {MedicError} from '../../../src/errors.js'

describe('paths', () => {
  it('follows XDG: $XDG_DATA_HOME when absolute, else ~/.local/share; --dir beats MEDIC_DEV_DIR beats the default', () => {
    expect(medicDataDir({XDG_DATA_HOME: '/x/data', HOME: '/home/u'})).toBe('/x/data/medic')
    expect(medicDataDir({XDG_DATA_HOME: 'relative', HOME: '/home/u'})).toBe('/home/u/.local/share/medic')
    expect(defaultClusterDir({HOME: '/home/u'})).toBe('/home/u/.local/share/medic/dev/default')
    expect(resolveClusterDir(undefined, {HOME: '/home/u', MEDIC_DEV_DIR: '/tmp/c'})).toBe('/tmp/c')
    expect(resolveClusterDir('/tmp/flag', {HOME: '/home/u', MEDIC_DEV_DIR: '/tmp/c'})).toBe('/tmp/flag')
    expect(dirFlag('/home/u/.local/share/medic/dev/default', {HOME: '/home/u'})).toBe('')
    expect(dirFlag('/tmp/my cluster', {HOME: '/home/u'})).toBe(" --dir '/tmp/my cluster'")
  })

  it('runs the node entry from the sources through tsx, and MEDIC_DEV_NODE_MAIN replaces it', () => {
    const e = moduleEntry('meta/main')
    expect(e.module).toMatch(/src\/devcluster\/meta\/main\.ts$/)
    expect(e.args).toContain('--import')
    expect(e.args[e.args.length - 1]).toBe(e.module)
    const compiled = moduleEntry('meta/main', 'file:///opt/medic/dist/devcluster/cluster/paths.js')
    expect(compiled.module).toBe('/opt/medic/dist/devcluster/meta/main.js')
    expect(compiled.args).not.toContain('--import')
    expect(metaNodeEntry({MEDIC_DEV_NODE_MAIN: '/x/fake.mjs'}).args.slice(-1)).toEqual(['/x/fake.mjs'])
  })
})

describe('ports', () => {
  it('derives every port from the base', () => {
    expect(metaPorts(18000, 1)).toEqual({http: 18191, raft: 18189})
    expect(metaPorts(18000, 2)).toEqual({http: 18291, raft: 18289})
    expect(dataPorts(18000, 1)).toEqual({http: 19186, rpc: 19188})
    expect(metaPortUses(18000, [3])).toEqual([{port: 18391, node: 'meta-3', what: 'HTTP API'}, {port: 18389, node: 'meta-3', what: 'Raft'}])
    expect([nodeIndex('meta-7'), nodeIndex('data-2'), nodeIndex('meta-0'), nodeIndex('x')]).toEqual([7, 2, undefined, undefined])
  })

  it('rejects a base port whose plan leaves the port range', () => {
    expect(() => checkBasePort(65_200, 3)).toThrow(/does not fit/)
    expect(() => checkBasePort(65_100, 3)).not.toThrow()
    expect(() => checkBasePort(500, 1)).toThrow(MedicError)
    expect(() => checkBasePort(18000, 9)).not.toThrow()
  })

  it('finds a port in use and names it, its node and its role', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as {port: number}).port
    try {
      expect(await probePort(port)).toBe('EADDRINUSE')
      const err = await checkPortsFree([{port, node: 'meta-2', what: 'Raft'}], {basePort: 18000}).catch((e: unknown) => e) as MedicError
      expect(err).toMatchObject({exitCode: 2, code: 'port-in-use', message: `port ${port} (meta-2 Raft) is already in use on 127.0.0.1`})
      expect(err.suggestions[0]).toBe('use other ports: medic dev up --base-port 19000')
    } finally {
      await new Promise((r) => server.close(r))
    }
    await expect(checkPortsFree([{port, node: 'meta-2', what: 'Raft'}])).resolves.toBeUndefined()
  })
})
