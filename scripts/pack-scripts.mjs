#!/usr/bin/env node
// npm pack hooks. The repository builds on `npm ci` through the `prepare` script, but an installed package must not
// carry it: npm would list it as an install script to approve (`npm install -g influx-medic-*.tgz` warns), and the
// tarball already holds the build. So `prepack` builds and takes `prepare` out of package.json for the pack, and
// `postpack` puts the file back exactly as it was. A copy left by an interrupted pack is restored first.
import {copyFileSync, existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'

const PKG = 'package.json'
const SAVED = 'package.json.prepack'

const mode = process.argv[2]
if (mode === 'prepack') {
  if (existsSync(SAVED)) renameSync(SAVED, PKG)
  copyFileSync(PKG, SAVED)
  const pkg = JSON.parse(readFileSync(PKG, 'utf8'))
  delete pkg.scripts.prepare
  writeFileSync(PKG, JSON.stringify(pkg, null, 2) + '\n')
} else if (mode === 'postpack') {
  if (existsSync(SAVED)) renameSync(SAVED, PKG)
} else {
  console.error('usage: pack-scripts.mjs prepack|postpack')
  process.exit(2)
}
