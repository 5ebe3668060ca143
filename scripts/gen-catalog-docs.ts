// Writes docs/catalog.md from the catalogue. Run with `npm run docs` after changing an entry.
import {writeFileSync} from 'node:fs'

import {catalogueMarkdown} from '../src/logs/catalogue/markdown.js'

const target = new URL('../docs/catalog.md', import.meta.url)
writeFileSync(target, catalogueMarkdown())
console.log(`wrote ${target.pathname}`)
