/**
 * Setting keys in a node's config file the way an operator edits it, line by line: everything else in the file (its
 * comments, the operator's own changes) stays as it is. Used by `medic dev up` to keep an edited config while setting
 * the keys its flags own (supervisor/prepare.ts), and by scenarios for the keys their cluster needs
 * (scenarios/cluster.ts: a small `[hinted-handoff] max-size`, a 1s `[monitor] store-interval`).
 */
import {createHash} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

/** Per section (`''` for the top level), key -> value as written in TOML (strings quoted). */
export type ConfigOverrides = Record<string, Record<string, string>>

const SECTION = /^\s*\[([^\]]+)\]\s*(?:#.*)?$/
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * `text` with each key of `overrides` set: an existing `key = ...` line of that section is replaced (its indentation
 * kept), a missing key is added right after the section's header. A section the file does not have is an error: the
 * override would otherwise silently do nothing.
 */
export function applyOverrides(text: string, overrides: ConfigOverrides, file = 'the config', o: {addSections?: boolean} = {}): string {
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
      if (header === undefined && o.addSections) {
        if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('')
        lines.push(`[${section}]`, `  ${key} = ${value}`, '')
        continue
      }
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

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

export interface NodeConfigWrite {
  /** The file as medic renders it now. */
  rendered: string
  /** File mode of a new file (0600 when it holds secrets). */
  mode: number
  /** Hash of what medic rendered for this node last time (DevNode.configHash); unknown: the file is rewritten. */
  previousHash?: string
  /** False: always write `rendered` (a new cluster, `dev up --reset-configs`). */
  keepEdits: boolean
  /** The keys `dev up`'s flags own, set in a kept file (log format, time scale). */
  flagKeys: ConfigOverrides
}

/**
 * Writes a node's config as medic renders it, unless someone edited the file since medic last wrote it (its content
 * differs from what medic rendered then): such a file is kept with its edits, and only the keys `dev up`'s flags own
 * are set in it. Resolves with the hash to record (of the rendered text: a kept file stays "edited" next time too).
 */
export async function writeNodeConfig(path: string, w: NodeConfigWrite): Promise<{hash: string; kept: boolean}> {
  const hash = sha256(w.rendered)
  let current: string | undefined
  if (w.keepEdits && w.previousHash !== undefined) current = await readFile(path, 'utf8').catch(() => undefined)
  if (current !== undefined && sha256(current) !== w.previousHash) {
    await writeFile(path, applyOverrides(current, w.flagKeys, path, {addSections: true}))
    return {hash, kept: true}
  }
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  await writeFile(path, w.rendered, {mode: w.mode})
  return {hash, kept: false}
}
