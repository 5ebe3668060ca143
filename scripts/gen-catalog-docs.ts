// Writes docs/catalog.md and src/logs/catalogue/heads.ts from the catalogue. Run with `npm run docs` after changing an
// entry (tests fail while either is stale).
import {writeFileSync} from 'node:fs'

import {headsSource} from '../src/logs/catalogue/heads-source.js'
import {catalogueMarkdown} from '../src/logs/catalogue/markdown.js'

const docs = new URL('../docs/catalog.md', import.meta.url)
writeFileSync(docs, catalogueMarkdown())
console.log(`wrote ${docs.pathname}`)
const heads = new URL('../src/logs/catalogue/heads.ts', import.meta.url)
writeFileSync(heads, headsSource())
console.log(`wrote ${heads.pathname}`)
