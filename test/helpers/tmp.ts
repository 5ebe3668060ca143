// Temporary folders for tests, removed by the caller (or left in the OS temp folder on a crash, never in the repo).
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export function tempDir(prefix = 'medic-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A temp folder and its remover, for `afterEach`/`afterAll`. */
export function tempFolder(prefix = 'medic-test-'): {dir: string; remove: () => void} {
  const dir = tempDir(prefix)
  return {dir, remove: () => rmSync(dir, {recursive: true, force: true})}
}
