/**
 * --configs and --logs take files or folders: a folder stands for the config files (*.conf, *.toml) or log files
 * (*.log, rotated *.log.1, gzip'd *.gz) found in it and below it (three levels: the dev cluster's meta-1/, data-1/
 * layout, /etc/influxdb), in name order; a file found in a folder that is not text (a Raft or WAL segment named
 * *.log) is left out. A path given by name is kept as given, even when it does not exist: its area reports it as not
 * checked, next to what could be.
 */
import type {Dirent} from 'node:fs'
import {open, readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {looksLikeText} from '../logs/input.js'

const MAX_FILES = 1000
const DEPTH = 3
const PATTERNS = {
  configs: /\.(?:conf|toml)$/i,
  logs: /\.log(?:\.\d+)?(?:\.gz)?$|\.gz$/i,
}

export async function expandInputs(paths: string[], kind: keyof typeof PATTERNS): Promise<string[]> {
  const out: string[] = []
  for (const p of paths) {
    let isDir = false
    try {
      isDir = (await stat(p)).isDirectory()
    } catch {
      isDir = false
    }
    if (!isDir) out.push(p)
    else await walk(p, PATTERNS[kind], 0, out)
    if (out.length >= MAX_FILES) break
  }
  return [...new Set(out)].slice(0, MAX_FILES)
}

async function walk(dir: string, pattern: RegExp, depth: number, out: string[]): Promise<void> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch {
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    if (out.length >= MAX_FILES) return
    const p = join(dir, e.name)
    if (e.isFile() && pattern.test(e.name) && (await isText(p))) out.push(p)
    else if (e.isDirectory() && depth + 1 < DEPTH && !e.name.startsWith('.')) await walk(p, pattern, depth + 1, out)
  }
}

/** Whether a file's first bytes are text (gzip counts: its contents are judged when it is read). */
async function isText(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r')
    try {
      const buf = Buffer.alloc(4096)
      const {bytesRead} = await fh.read(buf, 0, buf.length, 0)
      const head = buf.subarray(0, bytesRead)
      // A NUL in the first bytes: a segment file (Raft WAL, hh), never a log a person would pass.
      return (head[0] === 0x1f && head[1] === 0x8b) || (!head.includes(0) && looksLikeText(head))
    } finally {
      await fh.close()
    }
  } catch {
    return false
  }
}
