/**
 * Config overrides for a scenario's cluster: after `dev up`'s preparation (supervisor/prepare.ts) has written every
 * node's config, a scenario sets the keys it needs (a small `[hinted-handoff] max-size`, a 1s `[monitor]
 * store-interval`) by editing the written file line by line, the way an operator edits influxdb.conf. The supervisor
 * starts the nodes from the files as they are, and `dev stop` / `dev start` keep them.
 */
import {readFile, writeFile} from 'node:fs/promises'

import type {ConfigOverrides} from './types.js'

const SECTION = /^\s*\[([^\]]+)\]\s*(?:#.*)?$/
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * `text` with each key of `overrides` set: an existing `key = ...` line of that section is replaced (its indentation
 * kept), a missing key is added right after the section's header. A section the file does not have is an error: the
 * override would otherwise silently do nothing.
 */
export function applyOverrides(text: string, overrides: ConfigOverrides, file = 'the config'): string {
  const lines = text.split('\n')
  for (const [section, keys] of Object.entries(overrides)) {
    for (const [key, value] of Object.entries(keys)) {
      const keyRe = new RegExp(`^(\\s*)${escapeRe(key)}\\s*=`)
      let current = ''
      let header = section === '' ? -1 : undefined
      let done = false
      for (let i = 0; i < lines.length; i++) {
        const s = SECTION.exec(lines[i])
        if (s) {
          current = s[1].trim()
          if (current === section) header = i
          continue
        }
        const k = current === section ? keyRe.exec(lines[i]) : null
        if (k) {
          lines[i] = `${k[1]}${key} = ${value}`
          done = true
          break
        }
      }
      if (done) continue
      if (header === undefined) throw new Error(`${file} has no [${section}] section to set ${key} in`)
      lines.splice(header + 1, 0, `${section === '' ? '' : '  '}${key} = ${value}`)
    }
  }
  return lines.join('\n')
}

/** Applies `overrides` to the file at `path`, in place. */
export async function overrideConfigFile(path: string, overrides: ConfigOverrides): Promise<void> {
  if (Object.keys(overrides).length === 0) return
  const text = await readFile(path, 'utf8')
  await writeFile(path, applyOverrides(text, overrides, path))
}
