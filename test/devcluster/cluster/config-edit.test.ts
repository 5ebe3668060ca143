// A restarted dev cluster keeps the edits an operator made to its nodes' configs: the line editor and the write rule
// (cluster/configs/edit.ts), then prepareCluster on a real folder (no process is started: preparation only writes).
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {applyOverrides, sha256, writeNodeConfig} from '../../../src/devcluster/cluster/configs/edit.js'
import {loadState, updateState} from '../../../src/devcluster/cluster/state.js'
import {prepareCluster} from '../../../src/devcluster/supervisor/prepare.js'
import {freeBase, tempClusterDir} from '../../fixtures/dev/helpers.js'
import {tempFolder} from '../../helpers/tmp.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const RENDERED = 'hostname = "a"\n\n[logging]\n  format = "logfmt"\n\n[medic-dev]\n  time-scale = 1\n'
const FLAG_KEYS = {logging: {format: '"json"'}, 'medic-dev': {'time-scale': '5'}}

describe('writeNodeConfig', () => {
  it('writes the rendered file when nothing was recorded, when the file is untouched, or when edits are not kept', async () => {
    const {dir, remove} = tempFolder('medic-cfg-edit-')
    cleanups.push(remove)
    const path = join(dir, 'n', 'influxdb.conf')
    expect(await writeNodeConfig(path, {rendered: RENDERED, mode: 0o644, keepEdits: true, flagKeys: FLAG_KEYS})).toEqual({hash: sha256(RENDERED), kept: false})
    expect(readFileSync(path, 'utf8')).toBe(RENDERED)
    const next = RENDERED.replace('"logfmt"', '"json"')
    expect((await writeNodeConfig(path, {rendered: next, mode: 0o644, previousHash: sha256(RENDERED), keepEdits: true, flagKeys: FLAG_KEYS})).kept).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe(next)
    writeFileSync(path, `${next}# mine\n`)
    expect((await writeNodeConfig(path, {rendered: RENDERED, mode: 0o644, previousHash: sha256(next), keepEdits: false, flagKeys: FLAG_KEYS})).kept).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe(RENDERED)
  })

  it('keeps an edited file, setting only the flag keys (a removed section comes back at the end)', async () => {
    const {dir, remove} = tempFolder('medic-cfg-edit-')
    cleanups.push(remove)
    const path = join(dir, 'influxdb.conf')
    const edited = 'hostname = "a"\n# my change\nmax-size = 1024\n\n[logging]\n  format = "logfmt"\n'
    writeFileSync(path, edited)
    const r = await writeNodeConfig(path, {rendered: RENDERED, mode: 0o644, previousHash: sha256(RENDERED), keepEdits: true, flagKeys: FLAG_KEYS})
    expect(r).toEqual({hash: sha256(RENDERED), kept: true})
    expect(readFileSync(path, 'utf8')).toBe('hostname = "a"\n# my change\nmax-size = 1024\n\n[logging]\n  format = "json"\n\n[medic-dev]\n  time-scale = 5\n')
    // Without addSections the editor still refuses a missing section (a scenario's override must not vanish).
    expect(() => applyOverrides('a = 1\n', {x: {b: '2'}}, 'f')).toThrow(/f has no \[x\] section/)
  })
})

describe('medic dev up on a joined cluster (prepareCluster)', () => {
  it('keeps an operator\'s edit to data-1\'s config, notes it, and --reset-configs drops it', async () => {
    const t = tempClusterDir('medic-cfg-keep-')
    cleanups.push(t.remove)
    const basePort = await freeBase(1, 1)
    const first = await prepareCluster({clusterDir: t.dir, meta: 1, data: 1, basePort})
    await first.release()
    await updateState(t.dir, (s) => {
      s.joined = true // as after a start that joined the nodes
    })
    const data1 = first.state.nodes.find((n) => n.name === 'data-1')!.configPath
    const meta1 = first.state.nodes.find((n) => n.name === 'meta-1')!.configPath
    const metaBefore = readFileSync(meta1, 'utf8')
    const edited = readFileSync(data1, 'utf8').replace(/^(\s*)max-size = .*$/m, '$1max-size = 1048576')
    expect(edited).toContain('max-size = 1048576')
    writeFileSync(data1, edited)

    const again = await prepareCluster({clusterDir: t.dir, logFormat: 'json', timeScale: 5})
    await again.release()
    const kept = readFileSync(data1, 'utf8')
    expect(kept).toContain('max-size = 1048576')
    expect(kept).toMatch(/^\s*format = "json"$/m)
    expect(kept).toMatch(/^\s*time-scale = 5$/m)
    expect(again.notes.join('\n')).toMatch(/kept the edits in the config of data-1 .*--reset-configs --dir /)
    // meta-1 was not edited: rewritten from the template with the new flags.
    expect(readFileSync(meta1, 'utf8')).toBe(metaBefore.replace('format = "logfmt"', 'format = "json"').replace('time-scale = 1', 'time-scale = 5'))
    expect((await loadState(t.dir)).nodes.every((n) => /^[0-9a-f]{64}$/.test(n.configHash ?? ''))).toBe(true)

    const reset = await prepareCluster({clusterDir: t.dir, resetConfigs: true})
    await reset.release()
    expect(readFileSync(data1, 'utf8')).not.toContain('max-size = 1048576')
    expect(reset.notes.join('\n')).not.toMatch(/kept the edits/)
  })
})
