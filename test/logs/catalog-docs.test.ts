import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {catalogueMarkdown} from '../../src/logs/catalogue/markdown.js'

describe('docs/catalog.md', () => {
  it('is generated from the current catalogue (run `npm run docs` if this fails)', () => {
    const onDisk = readFileSync(new URL('../../docs/catalog.md', import.meta.url), 'utf8')
    expect(onDisk).toBe(catalogueMarkdown())
  })
})
