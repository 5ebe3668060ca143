/**
 * The start lock of a cluster folder: one `medic dev up` at a time gets a folder ready and starts its supervisor.
 *
 * Without it two `dev up` in one folder (two terminals, a script run twice) both find no running supervisor, both
 * write the configs and both start nodes on the same ports. The lock is `<cluster dir>/up.lock`, created with O_EXCL
 * and holding the pid of the `dev up` that took it. It is held from before the folder is read until the supervisor
 * has recorded itself in cluster.json (from then on the "a dev cluster already runs" check answers); a lock whose
 * holder died is taken over. The holder's age does not matter: a start may take a minute on a busy machine.
 */
import {mkdir, open, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {usageError} from '../../errors.js'
import {shellQuote} from '../../util/text.js'
import {errnoCode} from '../node/process.js'
import {dirFlag} from './paths.js'
import {pidAlive} from './processes.js'

export const UP_LOCK_FILE = 'up.lock'

export interface UpLock {
  /** Removes the lock (only if it is still ours); safe to call more than once. */
  release(): Promise<void>
}

/** Takes the folder's start lock, creating the folder; a usage error (cluster-starting) while another live `dev up` holds it. */
export async function takeUpLock(clusterDir: string, pid = process.pid): Promise<UpLock> {
  await mkdir(clusterDir, {recursive: true, mode: 0o700})
  const path = join(clusterDir, UP_LOCK_FILE)
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600)
      try {
        await fh.writeFile(`${pid}\n`)
      } finally {
        await fh.close()
      }
      let released = false
      return {
        release: async () => {
          if (released) return
          released = true
          if ((await holderOf(path)) === pid) await rm(path, {force: true})
        },
      }
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err
    }
    const holder = await holderOf(path)
    if (holder === undefined && attempt < 3) continue // removed meanwhile, or being written: try again
    if (holder !== undefined && holder !== pid && pidAlive(holder)) {
      throw usageError(`another medic dev up (pid ${holder}) is starting the dev cluster in ${clusterDir}`, 'cluster-starting', [
        `wait for it, then see the cluster: medic dev status${dirFlag(clusterDir)}`,
      ])
    }
    // Its holder is gone (or the file holds no pid): the lock is stale.
    await rm(path, {force: true})
    if (attempt >= 5) throw usageError(`${path}: cannot take the start lock`, 'cluster-starting', [`if no medic dev up is running: rm ${shellQuote(path)}`])
  }
}

async function holderOf(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, 'utf8')).trim())
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}
