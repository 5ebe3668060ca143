import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {catalogueMarkdown} from '../../src/logs/catalogue/markdown.js'

describe('docs/catalog.md', () => {
  it('is generated from the current catalogue (run `npm run docs` if this fails)', () => {
    const onDisk = readFileSync(new URL('../../docs/catalog.md', import.meta.url), 'utf8')
    expect(onDisk).toBe(catalogueMarkdown())
  })
})

describe('src/logs/catalogue/heads.ts (what medic explain matches against before loading texts)', () => {
  it('is generated from the current catalogue (run `npm run docs` if this fails)', async () => {
    const {headsSource} = await import('../../src/logs/catalogue/heads-source.js')
    const onDisk = readFileSync(new URL('../../src/logs/catalogue/heads.ts', import.meta.url), 'utf8')
    expect(onDisk).toBe(headsSource())
  })

  it('holds every entry in catalogue order, and each head loads its full entry from its area', async () => {
    const {HEADS} = await import('../../src/logs/catalogue/heads.js')
    const {CATALOGUE} = await import('../../src/logs/catalogue/index.js')
    const {loadEntry} = await import('../../src/logs/catalogue/lazy.js')
    expect(HEADS.map((h) => h.id)).toEqual(CATALOGUE.map((e) => e.id))
    for (const h of HEADS) {
      const e = await loadEntry(h)
      expect(e.id).toBe(h.id)
      expect([e.verdict, e.title, e.where, Boolean(e.fallback), e.tier, Boolean(e.restart)]).toEqual([h.verdict, h.title, h.where, Boolean(h.fallback), h.tier, Boolean(h.restart)])
      // Head patterns are compiled on first use: compare their source and flags with the entry's regular expressions.
      const show = (_k: string, v: unknown) => (v !== null && typeof v === 'object' && 'source' in v && 'flags' in v ? `/${String(v.source)}/${String(v.flags)}` : v)
      expect(JSON.stringify(h.match, show)).toBe(JSON.stringify(e.match, show))
    }
  })
})
