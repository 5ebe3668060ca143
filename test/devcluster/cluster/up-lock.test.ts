// The cluster folder's start lock: one `medic dev up` at a time. Unit checks on the lock file, then two real
// `medic dev up --detach` started at once on one fresh folder: one starts the cluster, the other refuses (exit 2).
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {takeUpLock, UP_LOCK_FILE} from '../../../src/devcluster/cluster/up-lock.js'
import {type CliResult, medic} from '../../helpers/cli.js'
import {freeBase, tempClusterDir} from '../../fixtures/dev/helpers.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function scratch(): string {
  const t = tempClusterDir('medic-up-lock-')
  cleanups.push(t.remove)
  return t.dir
}

/** A live process that is not this one (a sleeping child), and its pid. */
function otherLiveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'})
  cleanups.push(() => {
    child.kill('SIGKILL')
  })
  return child.pid!
}

describe('the start lock (unit)', () => {
  it('is taken, refused to another live holder, and released only by its holder', async () => {
    const dir = scratch()
    const lock = await takeUpLock(dir)
    const path = join(dir, UP_LOCK_FILE)
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid))
    // Another live process asks: refused with a usage error naming the holder.
    await expect(takeUpLock(dir, otherLiveProcess())).rejects.toMatchObject({code: 'cluster-starting', message: expect.stringContaining(`pid ${process.pid}`)})
    await lock.release()
    expect(existsSync(path)).toBe(false)
    // A lock taken over by someone else is not removed by the old holder's release.
    const again = await takeUpLock(dir)
    const other = otherLiveProcess()
    writeFileSync(path, `${other}\n`)
    await again.release()
    expect(readFileSync(path, 'utf8').trim()).toBe(String(other))
  })

  it('is taken over from a holder that died, or from a file without a pid', async () => {
    const dir = scratch()
    await takeUpLock(dir)
    const path = join(dir, UP_LOCK_FILE)
    // A pid above the kernel's pid_max exists nowhere.
    writeFileSync(path, '4194305\n')
    const lock = await takeUpLock(dir)
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid))
    await lock.release()
    writeFileSync(path, 'garbage')
    await (await takeUpLock(dir)).release()
    expect(existsSync(path)).toBe(false)
  })
})

describe('two medic dev up at once on one folder', () => {
  it('one starts the cluster, the other exits 2 (cluster-starting or cluster-running); the lock is gone afterwards', async () => {
    const dir = scratch()
    const base = await freeBase(1, 0)
    const up = () => medic(['dev', 'up', '--detach', '--meta', '1', '--data', '0', '--dir', dir, '--base-port', String(base), '--json'], {timeoutMs: 90_000})
    cleanups.push(async () => {
      await medic(['dev', 'down', '--purge', '--dir', dir, '--grace', '2s'], {timeoutMs: 60_000})
    })
    const results: CliResult[] = await Promise.all([up(), up()])
    const codes = results.map((r) => r.code).sort()
    expect(codes, results.map((r) => r.stderr).join('\n---\n')).toEqual([0, 2])
    const loser = results.find((r) => r.code === 2)!
    // --json: the error is the one document on stdout.
    const error = (JSON.parse(loser.stdout) as {error: {code: string; message: string}}).error
    expect(error.code).toMatch(/^cluster-(starting|running)$/)
    expect(error.message).toMatch(/another medic dev up \(pid \d+\) is starting the dev cluster|a dev cluster already runs/)
    expect(loser.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(existsSync(join(dir, UP_LOCK_FILE))).toBe(false)
    const status = await medic(['dev', 'status', '--dir', dir, '--json'], {timeoutMs: 30_000})
    expect(status.code, status.stderr).toBe(0)
  }, 120_000)
})

describe('base port reservations (among medic processes)', () => {
  it('one process at a time holds a base; a dead owner\'s is taken over; release gives back only its own', async () => {
    const {releaseBasePort, reserveBasePort} = await import('../../../src/devcluster/cluster/port-reservation.js')
    const root = join(scratch(), 'reservations')
    expect(reserveBasePort(23_400, root)).toBe(true)
    expect(reserveBasePort(23_400, root)).toBe(false) // already ours, in use by another cluster of this process
    // Held by another live process: not ours to take, nor to release.
    writeFileSync(join(root, '23400', 'pid'), String(otherLiveProcess()))
    expect(reserveBasePort(23_400, root)).toBe(false)
    releaseBasePort(23_400, root)
    expect(existsSync(join(root, '23400'))).toBe(true)
    // Its owner gone: taken over, then given back.
    writeFileSync(join(root, '23400', 'pid'), '4194305')
    expect(reserveBasePort(23_400, root)).toBe(true)
    releaseBasePort(23_400, root)
    expect(existsSync(join(root, '23400'))).toBe(false)
  })
})
