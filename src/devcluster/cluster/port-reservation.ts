/**
 * Base ports reserved among the medic processes of one machine. Two processes that each probe a base port free and
 * then start a cluster on it (two scenario runs, parallel test files) would both take it: the second cluster's
 * add-data then reaches the first cluster's node ("already joined to cluster"). A reservation is a directory made
 * atomically under the temp folder (`medic-base-ports/<base>`) holding the owner's pid; one whose owner is gone is
 * taken over, and the owner removes it once its cluster is stopped.
 */
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {pidAlive} from './processes.js'

export const RESERVATION_ROOT = join(tmpdir(), 'medic-base-ports')

/** True when `base` is now reserved for this process (newly, or taken over from a process that is gone). */
export function reserveBasePort(base: number, root = RESERVATION_ROOT): boolean {
  const dir = join(root, String(base))
  mkdirSync(root, {recursive: true})
  try {
    mkdirSync(dir)
  } catch {
    let owner = 0
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8'))
    } catch {
      return false // being written right now, or broken: leave it alone
    }
    if (owner === process.pid) return false // ours already, in use by another cluster of this process
    if (owner > 0 && pidAlive(owner)) return false
  }
  writeFileSync(join(dir, 'pid'), String(process.pid))
  return true
}

/** Gives a reservation of this process back (nothing happens when another process holds it). */
export function releaseBasePort(base: number, root = RESERVATION_ROOT): void {
  const dir = join(root, String(base))
  try {
    if (Number(readFileSync(join(dir, 'pid'), 'utf8')) !== process.pid) return
  } catch {
    return
  }
  rmSync(dir, {recursive: true, force: true})
}
