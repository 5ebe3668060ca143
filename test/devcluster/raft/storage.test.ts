// The Raft storage (src/devcluster/raft/storage.ts) on real files in temp dirs: what is saved comes back after a
// restart, torn tails are cut at every byte offset, damage mid-file is refused with a clear error, truncations and
// snapshots replay the way they were written, compaction deletes old segments, and a child process killed with SIGKILL
// over and over never loses a save() that had resolved.
import {cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import type {FileHandle} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {crc32} from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'

import {
  encodeRecords, MAX_RECORD_BYTES, openRaftStorage, RaftStorage, RaftStorageCorruptError, RaftStorageFatalError, RecordType,
} from '../../../src/devcluster/raft/storage.js'
import type {HardState, LogEntry, RecoveredState, Snapshot} from '../../../src/devcluster/raft/types.js'
import {entryData} from '../../fixtures/raft-storage-child.js'
import {Rng} from '../../../src/util/rng.js'
import {runUntilKilled} from '../../helpers/crash.js'
import {tempDir} from '../../helpers/tmp.js'

const CHILD = fileURLToPath(new URL('../../fixtures/raft-storage-child.ts', import.meta.url))
const dirs: string[] = []

function tmp(): string {
  const d = tempDir('medic-raft-storage-')
  dirs.push(d)
  return d
}

afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

const entry = (index: number, term = 1, data = `cmd ${index}`): LogEntry => ({index, term, kind: 'cmd', data})
const range = (from: number, to: number, term = 1) => Array.from({length: to - from + 1}, (_, i) => entry(from + i, term))
const snap = (index: number, term: number, data = `state@${index}`): Snapshot => ({meta: {index, term, conf: {servers: [{id: 'a:8089', httpAddr: 'a:8091', voter: true}]}}, data})

function walFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^wal-\d{20}\.log$/.test(n)).sort()
}

function lastWal(dir: string): string {
  return join(dir, walFiles(dir).at(-1)!)
}

async function reopen(dir: string, segmentBytes?: number): Promise<{storage: RaftStorage; rec: RecoveredState}> {
  const storage = await openRaftStorage(dir, {segmentBytes})
  return {storage, rec: storage.recovered}
}

/** Opens, reads what was recovered, closes. */
async function recover(dir: string): Promise<{rec: RecoveredState; repairs: RaftStorage['repairs']}> {
  const s = await openRaftStorage(dir)
  await s.close()
  return {rec: s.recovered, repairs: s.repairs}
}

function copyOf(dir: string): string {
  const d = tmp()
  cpSync(dir, d, {recursive: true})
  return d
}

describe('round trip', () => {
  it('starts empty, and a restart returns exactly what was saved', async () => {
    const dir = tmp()
    const {storage, rec} = await reopen(dir)
    expect(rec).toEqual({hardState: {term: 0, votedFor: null, commit: 0}, snapshot: null, entries: []})
    expect(storage.repairs).toEqual([])
    expect(walFiles(dir)).toEqual(['wal-00000000000000000001.log'])

    const hs: HardState = {term: 2, votedFor: '127.0.0.1:8089', commit: 0}
    await storage.save({hardState: hs, entries: [entry(1, 1, ''), {index: 2, term: 2, kind: 'config', data: '{"servers":[]}'}]})
    await storage.save({hardState: {...hs, commit: 2}, entries: [{index: 3, term: 2, kind: 'noop', data: ''}]})
    await storage.save({entries: [entry(4, 2, 'ünïcødé ✓ "quoted" \n newline')]})
    expect(storage.lastIndex()).toBe(4)
    await storage.close()

    const {rec: back, repairs} = await recover(dir)
    expect(repairs).toEqual([])
    expect(back.hardState).toEqual({term: 2, votedFor: '127.0.0.1:8089', commit: 2})
    expect(back.snapshot).toBeNull()
    expect(back.entries).toEqual([
      entry(1, 1, ''), {index: 2, term: 2, kind: 'config', data: '{"servers":[]}'}, {index: 3, term: 2, kind: 'noop', data: ''},
      entry(4, 2, 'ünïcødé ✓ "quoted" \n newline'),
    ])
  })

  it('keeps the last hard state, including a vote with no entries', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({hardState: {term: 1, votedFor: 'a', commit: 0}, entries: []})
    await storage.save({hardState: {term: 5, votedFor: null, commit: 0}, entries: []})
    await storage.save({hardState: {term: 5, votedFor: 'b', commit: 0}, entries: []})
    await storage.close()
    expect((await recover(dir)).rec.hardState).toEqual({term: 5, votedFor: 'b', commit: 0})
  })

  it('rejects calls after close(), and lets the calls made before it finish', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    const pending = [storage.save({entries: [entry(1)]}), storage.save({entries: [entry(2)]})]
    const closed = storage.close()
    await expect(storage.save({entries: [entry(3)]})).rejects.toThrow(/closed/)
    await Promise.all(pending)
    await closed
    expect((await recover(dir)).rec.entries.map((e) => e.index)).toEqual([1, 2])
  })

  it('checks batches before writing: a gap or a malformed entry throws and leaves the log as it was', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({entries: range(1, 3)})
    await expect(storage.save({entries: [entry(5)]})).rejects.toThrow(RangeError)
    await expect(storage.save({entries: [entry(4), entry(6)]})).rejects.toThrow(/does not follow/)
    await expect(storage.save({entries: [{index: 4, term: 1, kind: 'bogus', data: ''} as unknown as LogEntry]})).rejects.toThrow(TypeError)
    await expect(storage.save({entries: [entry(4, 1, 'x'.repeat(MAX_RECORD_BYTES))]})).rejects.toThrow(/exceeds/)
    await storage.save({entries: [entry(4)]}) // still usable: those were not fatal
    await storage.close()
    expect((await recover(dir)).rec.entries).toEqual(range(1, 4))
  })
})

describe('truncation', () => {
  it('replays truncateFrom and re-appended entries; an overlap without truncateFrom replaces the tail', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({hardState: {term: 1, votedFor: 'a', commit: 0}, entries: range(1, 10)})
    await storage.save({hardState: {term: 2, votedFor: 'b', commit: 0}, truncateFrom: 6, entries: range(6, 8, 2)})
    await storage.save({entries: range(9, 12, 2)})
    await storage.save({entries: range(11, 11, 3)}) // overlap: 11 and 12 are replaced by the new 11
    await storage.save({truncateFrom: 20, entries: []}) // past the end: nothing to remove
    await storage.close()
    let {rec} = await recover(dir)
    expect(rec.entries).toEqual([...range(1, 5), ...range(6, 10, 2), entry(11, 3)])

    const again = await openRaftStorage(dir)
    expect(again.lastIndex()).toBe(11)
    await again.save({truncateFrom: 3, entries: []})
    await again.save({entries: range(3, 4, 4)})
    await again.close()
    ;({rec} = await recover(dir))
    expect(rec.entries).toEqual([...range(1, 2), ...range(3, 4, 4)])
    expect(rec.hardState).toEqual({term: 2, votedFor: 'b', commit: 0})
  })
})

describe('torn tails', () => {
  it('cuts a torn last record at every byte offset, recovers the state before it, and appends after the cut', async () => {
    const base = tmp()
    const {storage} = await reopen(base)
    await storage.save({hardState: {term: 3, votedFor: 'x', commit: 1}, entries: range(1, 4, 3)})
    await storage.save({entries: [entry(5, 3)]})
    const before = statSync(lastWal(base)).size
    await storage.save({entries: [entry(6, 3, 'the last record')]})
    const after = statSync(lastWal(base)).size
    await storage.close()
    expect(after - before).toBeGreaterThan(20)

    for (let cut = before; cut < after; cut++) {
      const dir = copyOf(base)
      truncateSync(lastWal(dir), cut)
      const s = await openRaftStorage(dir)
      expect(s.recovered.entries).toEqual(range(1, 5, 3))
      expect(s.recovered.hardState).toEqual({term: 3, votedFor: 'x', commit: 1})
      if (cut === before) expect(s.repairs).toEqual([])
      else expect(s.repairs).toEqual([expect.objectContaining({kind: 'torn-tail', path: lastWal(dir), offset: before, bytes: cut - before})])
      expect(statSync(lastWal(dir)).size).toBe(before)
      if (cut % 7 === 0) {
        await s.save({entries: [entry(6, 4, 'rewritten')]})
        await s.close()
        const {rec, repairs} = await recover(dir)
        expect(repairs).toEqual([])
        expect(rec.entries).toEqual([...range(1, 5, 3), entry(6, 4, 'rewritten')])
      } else {
        await s.close()
      }
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('keeps the complete records of a torn multi-record batch, in order', async () => {
    const base = tmp()
    const {storage} = await reopen(base)
    await storage.save({hardState: {term: 1, votedFor: 'a', commit: 0}, entries: range(1, 2)})
    const before = statSync(lastWal(base)).size
    await storage.save({hardState: {term: 2, votedFor: 'b', commit: 2}, entries: range(3, 5, 2)})
    const after = statSync(lastWal(base)).size
    await storage.close()

    const seen = new Set<number>()
    for (let cut = before; cut <= after; cut += 3) {
      const dir = copyOf(base)
      truncateSync(lastWal(dir), cut)
      const {rec} = await recover(dir)
      const extra = rec.entries.slice(2)
      expect(rec.entries.slice(0, 2)).toEqual(range(1, 2))
      expect(extra).toEqual(range(3, 5, 2).slice(0, extra.length))
      // The hard state record comes first in the batch: an entry of the batch never survives without it.
      if (extra.length > 0) expect(rec.hardState.term).toBe(2)
      seen.add(extra.length)
      rmSync(dir, {recursive: true, force: true})
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3])
  })

  it('treats an impossible length at the tail as a torn write, without allocating it', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({entries: range(1, 3)})
    await storage.close()
    const wal = lastWal(dir)
    const size = statSync(wal).size
    const header = Buffer.alloc(9)
    header.writeUInt32BE(2 ** 31, 0)
    writeFileSync(wal, header, {flag: 'a'})
    const {rec, repairs} = await recover(dir)
    expect(rec.entries).toEqual(range(1, 3))
    expect(repairs).toEqual([expect.objectContaining({kind: 'torn-tail', offset: size, bytes: 9})])
  })
})

describe('damage', () => {
  /** A log of 20 single-entry saves; returns the byte offset of each record in the (only) segment. */
  async function twentyRecords(dir: string): Promise<number[]> {
    const {storage} = await reopen(dir)
    const offsets: number[] = []
    for (let i = 1; i <= 20; i++) {
      offsets.push(statSync(lastWal(dir)).size)
      await storage.save({entries: [entry(i)]})
    }
    await storage.close()
    return offsets
  }

  it('refuses a bit flip mid-file, naming the file and offset and saying the meta dir is damaged', async () => {
    const dir = tmp()
    const offsets = await twentyRecords(dir)
    const wal = lastWal(dir)
    const bytes = readFileSync(wal)
    bytes[offsets[7] + 15] ^= 0x10 // inside record 8's payload
    writeFileSync(wal, bytes)
    const err = await openRaftStorage(dir).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(RaftStorageCorruptError)
    const e = err as RaftStorageCorruptError
    expect(e.path).toBe(wal)
    expect(e.offset).toBe(offsets[7])
    expect(e.message).toContain(wal)
    expect(e.message).toContain(`byte offset ${offsets[7]}`)
    expect(e.message).toMatch(/damaged/)
    expect(e.message).toMatch(/checksum/)
  })

  it('refuses a damaged length field mid-file (huge or merely wrong)', async () => {
    for (const length of [2 ** 31, 0, 40]) {
      const dir = tmp()
      const offsets = await twentyRecords(dir)
      const wal = lastWal(dir)
      const bytes = readFileSync(wal)
      bytes.writeUInt32BE(length, offsets[3])
      writeFileSync(wal, bytes)
      await expect(openRaftStorage(dir)).rejects.toThrow(new RegExp(`${basename(wal)} at byte offset ${offsets[3]}.*damaged`))
    }
  })

  it('refuses a bad record at the end of a segment that another segment follows', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir, 256)
    for (let i = 1; i <= 30; i++) await storage.save({entries: [entry(i)]})
    await storage.close()
    const [first] = walFiles(dir)
    expect(walFiles(dir).length).toBeGreaterThan(2)
    const path = join(dir, first)
    const bytes = readFileSync(path)
    bytes[bytes.length - 2] ^= 0x01
    writeFileSync(path, bytes)
    await expect(openRaftStorage(dir)).rejects.toThrow(/later segments follow.*damaged/)
  })

  it('refuses a checksum-valid record that does not hold what its type says', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({entries: range(1, 2)})
    await storage.close()
    writeFileSync(lastWal(dir), encodeRecords([{type: RecordType.ENTRY, json: '{"index":"three"}'}]), {flag: 'a'})
    await expect(openRaftStorage(dir)).rejects.toThrow(RaftStorageCorruptError)
  })

  it('makes a failed write fatal: the call and every later one reject with RaftStorageFatalError', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({entries: [entry(1)]})
    // Close the segment's descriptor behind the storage's back: the next write fails for real (EBADF).
    await (storage as unknown as {active: FileHandle}).active.close()
    const err = await storage.save({entries: [entry(2)]}).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(RaftStorageFatalError)
    expect((err as RaftStorageFatalError).fatal).toBe(true)
    expect((err as Error).message).toMatch(/must exit/)
    await expect(storage.save({hardState: {term: 1, votedFor: null, commit: 0}, entries: []})).rejects.toBe(err)
    await expect(storage.saveSnapshot(snap(1, 1), 1)).rejects.toBe(err)
    await storage.close()
    expect((await recover(dir)).rec.entries).toEqual([entry(1)])
  })
})

describe('segments', () => {
  it('rolls segments with increasing names, also after truncating back, and replays them all', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir, 4096)
    const random = new Rng(7, 'raft-storage').fn()
    const model: LogEntry[] = []
    let hs: HardState = {term: 1, votedFor: 'a', commit: 0}
    let term = 1
    for (let round = 0; round < 250; round++) {
      if (round === 120) {
        // Go back far (several segments' worth), then keep writing: new segments must still sort last.
        term++
        hs = {term, votedFor: 'b', commit: 10}
        await storage.save({hardState: hs, truncateFrom: 20, entries: [entry(20, term)]})
        model.length = 19
        model.push(entry(20, term))
        continue
      }
      const n = 1 + Math.floor(random() * 20)
      const from = model.length + 1
      const batch = Array.from({length: n}, (_, i) => entry(from + i, term, 'p'.repeat(Math.floor(random() * 120))))
      if (round % 17 === 0) hs = {...hs, commit: from - 1}
      await storage.save({hardState: round % 17 === 0 ? hs : undefined, entries: batch})
      model.push(...batch)
    }
    await storage.close()
    const names = walFiles(dir)
    expect(names.length).toBeGreaterThan(20)
    expect([...names].sort()).toEqual(names)
    const {rec} = await recover(dir)
    expect(rec.entries).toEqual(model)
    expect(rec.hardState).toEqual(hs)
  })
})

describe('snapshots and compaction', () => {
  it('writes the snapshot, keeps the two newest, deletes covered segments, and recovers from what is left', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir, 1024)
    // The only hard state record goes into the first segment, which compaction deletes: it must survive anyway.
    await storage.save({hardState: {term: 3, votedFor: 'a:8089', commit: 0}, entries: []})
    for (let i = 1; i <= 300; i += 3) await storage.save({entries: range(i, i + 2, 3)})
    const before = walFiles(dir)
    expect(before.length).toBeGreaterThan(10)

    await storage.saveSnapshot(snap(250, 3), 240)
    const after = walFiles(dir)
    expect(after.length).toBeLessThan(before.length)
    expect(after.at(-1)).toBe(before.at(-1))
    expect(readdirSync(join(dir, 'snapshots'))).toEqual(['3-250.json'])
    await storage.close()

    let {rec, repairs} = await recover(dir)
    expect(repairs).toEqual([])
    expect(rec.snapshot).toEqual(snap(250, 3))
    expect(rec.entries).toEqual(range(251, 300, 3))
    expect(rec.hardState).toEqual({term: 3, votedFor: 'a:8089', commit: 0})

    const s2 = await openRaftStorage(dir, {segmentBytes: 1024})
    for (let i = 301; i <= 400; i += 4) await s2.save({entries: range(i, i + 3, 3)})
    await s2.saveSnapshot(snap(280, 3), 270)
    await s2.saveSnapshot(snap(330, 3), 320)
    await s2.saveSnapshot(snap(300, 3), 290) // older than the newest: ignored, the index never goes back
    await s2.saveSnapshot(snap(390, 3), 400) // compactTo past the snapshot is clamped to it
    expect(readdirSync(join(dir, 'snapshots')).sort()).toEqual(['3-330.json', '3-390.json'])
    await s2.close()
    ;({rec, repairs} = await recover(dir))
    expect(repairs).toEqual([])
    expect(rec.snapshot).toEqual(snap(390, 3))
    expect(rec.entries).toEqual(range(391, 400, 3))
    expect(rec.hardState.term).toBe(3)
  })

  it('installs a received snapshot: discards a log that disagrees with it, keeps one that agrees', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir, 512)
    await storage.save({hardState: {term: 1, votedFor: 'a', commit: 3}, entries: range(1, 40)})
    await storage.save({entries: range(41, 50)})
    // Agrees at index 30 (term 1): entries after 30 stay.
    await storage.save({snapshot: snap(30, 1), entries: []})
    expect(storage.lastIndex()).toBe(50)
    await storage.close()
    let {rec} = await recover(dir)
    expect(rec.snapshot).toEqual(snap(30, 1))
    expect(rec.entries).toEqual(range(31, 50))

    const s2 = await openRaftStorage(dir, {segmentBytes: 512})
    // Disagrees at 45 (we have term 1 there, the leader's snapshot says term 2): the whole log goes.
    await s2.save({hardState: {term: 2, votedFor: null, commit: 45}, snapshot: snap(45, 2), entries: [entry(46, 2)]})
    expect(s2.lastIndex()).toBe(46)
    expect(s2.segmentFiles()).toHaveLength(1)
    await expect(s2.save({entries: [entry(48, 2)]})).rejects.toThrow(/does not follow/)
    await s2.save({entries: [entry(47, 2)]})
    // A snapshot at or below the current one changes nothing.
    await s2.save({snapshot: snap(20, 1), entries: []})
    await s2.close()
    ;({rec} = await recover(dir))
    expect(rec.snapshot).toEqual(snap(45, 2))
    expect(rec.entries).toEqual(range(46, 47, 2))
    expect(rec.hardState).toEqual({term: 2, votedFor: null, commit: 45})
  })

  it('takes a received snapshot together with the truncation and entries the core hands over in the same Ready', async () => {
    // The core discards a disagreeing log from its commit index on: truncateFrom = commit + 1, below the snapshot.
    let dir = tmp()
    let s = await openRaftStorage(dir)
    await s.save({hardState: {term: 1, votedFor: 'a', commit: 20}, entries: range(1, 50)})
    await s.save({hardState: {term: 2, votedFor: null, commit: 45}, snapshot: snap(45, 2), truncateFrom: 21, entries: [entry(46, 2)]})
    await expect(s.save({entries: [entry(45, 2)]})).rejects.toThrow(/at or below the snapshot/)
    await s.close()
    let {rec} = await recover(dir)
    expect(rec.snapshot).toEqual(snap(45, 2))
    expect(rec.entries).toEqual([entry(46, 2)])

    // A conflict truncation and the leader's new entries, then a snapshot that agrees with those new entries.
    dir = tmp()
    s = await openRaftStorage(dir)
    await s.save({entries: range(1, 50)})
    await s.save({hardState: {term: 2, votedFor: null, commit: 30}, snapshot: snap(30, 2), truncateFrom: 20, entries: range(31, 35, 2)})
    expect(s.lastIndex()).toBe(35)
    await s.close()
    ;({rec} = await recover(dir))
    expect(rec.snapshot).toEqual(snap(30, 2))
    expect(rec.entries).toEqual(range(31, 35, 2))
  })

  it('uses a snapshot whose mark never reached the WAL, and writes the mark so later entries replay after it', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({hardState: {term: 1, votedFor: 'a', commit: 0}, entries: range(1, 10)})
    await storage.close()
    // As if a received snapshot (term 2 at index 8, disagreeing with our log) was renamed into place and the node
    // crashed before its SNAPSHOT_MARK was written.
    const s = snap(8, 2)
    writeFileSync(join(dir, 'snapshots', '2-8.json'), JSON.stringify({format: 1, meta: s.meta, crc32: crc32(s.data), data: s.data}))
    const s2 = await openRaftStorage(dir)
    expect(s2.recovered.snapshot).toEqual(s)
    expect(s2.recovered.entries).toEqual([])
    await s2.save({entries: range(9, 12, 2)})
    await s2.close()
    const {rec} = await recover(dir)
    expect(rec.snapshot).toEqual(s)
    expect(rec.entries).toEqual(range(9, 12, 2))
  })

  it('removes a half-written snapshot, skips an unreadable one, and refuses when the snapshot the WAL needs is gone', async () => {
    const dir = tmp()
    const {storage} = await reopen(dir)
    await storage.save({entries: range(1, 20)})
    await storage.saveSnapshot(snap(10, 1), 5)
    await storage.saveSnapshot(snap(15, 1), 12)
    await storage.close()

    const scratch = copyOf(dir)
    writeFileSync(join(scratch, 'snapshots', '1-18.json.tmp'), '{"format":1,"me')
    let {rec, repairs} = await recover(scratch)
    expect(rec.snapshot?.meta.index).toBe(15)
    expect(repairs).toEqual([expect.objectContaining({kind: 'temp-file-removed', path: join(scratch, 'snapshots', '1-18.json.tmp')})])
    expect(existsSync(join(scratch, 'snapshots', '1-18.json.tmp'))).toBe(false)

    // A newer snapshot file that does not parse is skipped (the WAL's mark is at 15, which is still there).
    writeFileSync(join(scratch, 'snapshots', '1-17.json'), 'not json')
    ;({rec, repairs} = await recover(scratch))
    expect(rec.snapshot?.meta.index).toBe(15)
    expect(repairs).toEqual([expect.objectContaining({kind: 'snapshot-unreadable'})])

    // The snapshot the WAL's last mark points at is damaged: the entries before 16 are gone, so refuse.
    const damaged = copyOf(dir)
    const p = join(damaged, 'snapshots', '1-15.json')
    writeFileSync(p, readFileSync(p, 'utf8').replace('state@15', 'state@16'))
    await expect(openRaftStorage(damaged)).rejects.toThrow(/snapshot at index 15.*missing or unreadable.*damaged/s)

    const gone = copyOf(dir)
    rmSync(join(gone, 'snapshots'), {recursive: true})
    await expect(openRaftStorage(gone)).rejects.toThrow(RaftStorageCorruptError)

    const noWal = copyOf(dir)
    for (const n of walFiles(noWal)) rmSync(join(noWal, n))
    await expect(openRaftStorage(noWal)).rejects.toThrow(/WAL segments .* missing/)
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// SIGKILL
// ---------------------------------------------------------------------------------------------------------------------

/** What the children reported as durable, over all rounds. */
interface Acked {
  /** index → the newest term acknowledged there. */
  terms: Map<number, number>
  maxIndex: number
  maxTerm: number
  maxSnapshot: number
}

const ROUND_DEADLINE_MS = 20_000
const KILLS = 12

/** Runs the child until it has reported `saves` saves in this round, then SIGKILLs it. */
function runRound(dir: string, seed: number, saves: number, acked: Acked): Promise<void> {
  let count = 0
  return runUntilKilled({
    script: CHILD,
    args: [dir, String(seed), '2048'],
    deadlineMs: ROUND_DEADLINE_MS,
    progress: () => `${saves} saves (saw ${count})`,
    onLine: (line) => {
      const [kind, ...nums] = line.split(' ')
      const [a, b, c] = nums.map(Number)
      if (kind === 'R') return false
      if (kind === 'H') acked.maxTerm = Math.max(acked.maxTerm, a)
      else if (kind === 'P') acked.maxSnapshot = Math.max(acked.maxSnapshot, a)
      else if (kind === 'S') {
        for (let i = a; i <= b; i++) acked.terms.set(i, c)
        acked.maxIndex = Math.max(acked.maxIndex, b)
        return ++count === saves
      } else {
        throw new Error(line)
      }
      return false
    },
  })
}

describe('SIGKILL', () => {
  it(`never loses a save() that resolved, across ${KILLS} kills of a real process`, async () => {
    const dir = join(tmp(), 'meta')
    const random = new Rng(20261122, 'raft-storage-kills').fn()
    const acked: Acked = {terms: new Map(), maxIndex: 0, maxTerm: 0, maxSnapshot: 0}
    let torn = 0
    let snapshots = 0
    for (let round = 0; round < KILLS; round++) {
      await runRound(dir, 1000 + round, 1 + Math.floor(random() * 60), acked)
      // Recover a copy, so that the next child recovers the original itself.
      const copy = copyOf(dir)
      const s = await openRaftStorage(copy, {segmentBytes: 2048})
      await s.close()
      const {hardState, snapshot, entries} = s.recovered
      // A kill can land in the middle of a WAL write or of a snapshot's temp file: both are cleaned up, nothing else.
      expect(s.repairs.filter((r) => r.kind !== 'torn-tail' && r.kind !== 'temp-file-removed')).toEqual([])
      torn += s.repairs.length

      expect(hardState.term).toBeGreaterThanOrEqual(acked.maxTerm)
      if (hardState.term > 0) expect(hardState.votedFor).toBe(`n${hardState.term}`)
      const snapIndex = snapshot?.meta.index ?? 0
      expect(snapIndex).toBeGreaterThanOrEqual(acked.maxSnapshot)
      if (snapshot) expect(snapshot.data).toBe(`state@${snapIndex}`)
      if (snapIndex > 0) snapshots++
      // Entries: contiguous after the snapshot, each intact, through at least the last acknowledged index.
      entries.forEach((e, i) => {
        expect(e.index).toBe(snapIndex + 1 + i)
        expect(e.data).toBe(entryData(e.index, e.term))
      })
      expect(entries.at(-1)?.index ?? snapIndex).toBeGreaterThanOrEqual(acked.maxIndex)
      // An acknowledged entry is there with its term, or was replaced later by a newer term (a durable truncation).
      for (const e of entries) {
        const t = acked.terms.get(e.index)
        if (t !== undefined) expect(e.term).toBeGreaterThanOrEqual(t)
      }
      rmSync(copy, {recursive: true, force: true})
    }
    expect(acked.maxIndex).toBeGreaterThan(KILLS)
    expect(snapshots).toBeGreaterThan(0)
    // Compaction kept the WAL bounded: far fewer segments than the entries written would need.
    expect(walFiles(dir).length).toBeLessThan(40)
    console.log(`raft storage crash test: ${KILLS} kills, ${acked.maxIndex} entries, ${torn} interrupted writes cleaned up, last snapshot at ${acked.maxSnapshot}`)
  }, 120_000)
})
