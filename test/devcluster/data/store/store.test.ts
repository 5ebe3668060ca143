// The shard store: influxd 1.6.7's write rules with their exact texts (conformance.test.ts checks the same against a
// real influxd), the read interface, deletes, and what survives a restart (WAL replay, snapshots, torn tails).
import {appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {EngineError, FieldTypeConflictError, PartialWriteError, StoreIoError, writeErrorStatus} from '../../../../src/devcluster/data/store/errors.js'
import {MedicError} from '../../../../src/errors.js'
import {beyondRetentionError, retentionCutoff, splitByRetention, writeOutcome} from '../../../../src/devcluster/data/store/retention.js'
import {SnapshotError} from '../../../../src/devcluster/data/store/snapshot.js'
import {DataStore, type StoreFinding, type StoreOptions} from '../../../../src/devcluster/data/store/store.js'
import {MAX_TIME_NS, MIN_TIME_NS} from '../../../../src/lineprotocol/point.js'
import {dump, points, removeTempDirs, T, tempDataDir} from './helpers.js'

const open: DataStore[] = []

async function openStore(dir: string, options: StoreOptions = {}): Promise<DataStore> {
  const s = await DataStore.open(dir, options)
  open.push(s)
  return s
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close()
  removeTempDirs()
})

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected the write to fail')
}

describe('write rules', () => {
  it('writes points and reads them back through the ShardReader', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'autogen', 1, points('cpu,host=b,region=x v=2,n=5i 20\ncpu,host=a v=1,s="x" 10\nmem free=1 5\ncpu,host=a v=3 5'))
    const shard = s.shard(1)!
    expect(shard.id).toBe(1)
    expect([shard.database, shard.retentionPolicy]).toEqual(['db', 'autogen'])
    expect(shard.measurements()).toEqual(['cpu', 'mem'])
    expect([...shard.fields('cpu')]).toEqual([['v', 'float'], ['n', 'integer'], ['s', 'string']])
    expect(shard.tagKeys('cpu')).toEqual(['host', 'region'])
    expect(shard.tagValues('cpu', 'host')).toEqual(['a', 'b'])
    expect(shard.series('cpu')).toEqual([
      {key: 'cpu,host=a', measurement: 'cpu', tags: [['host', 'a']]},
      {key: 'cpu,host=b,region=x', measurement: 'cpu', tags: [['host', 'b'], ['region', 'x']]},
    ])
    const col = shard.read('cpu,host=a', 'v', MIN_TIME_NS, MAX_TIME_NS)!
    expect(col.type).toBe('float')
    expect([...col.times]).toEqual([5n, 10n])
    expect([...col.values]).toEqual([3, 1])
    expect(shard.read('cpu,host=a', 'v', 6n, 9n)).toBeUndefined()
    expect(shard.read('cpu,host=a', 'nope', MIN_TIME_NS, MAX_TIME_NS)).toBeUndefined()
    expect(shard.pointCount()).toBe(6)
    expect(s.pointCount()).toBe(6)
    expect(s.seriesCount('db')).toBe(3)
  })

  it('lets the last write of a series, field and time win, within a batch and across batches', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'rp', 1, points('m v=1 10\nm v=2 10\nm v=3,v=4 20'))
    await s.writeToShard('db', 'rp', 1, points('m v=5 10'))
    const col = s.shard(1)!.read('m', 'v', MIN_TIME_NS, MAX_TIME_NS)!
    expect([...col.values]).toEqual([5, 4])
  })

  it('drops points with a tag `time`, and points whose only field is `time`, with influxd\'s texts', async () => {
    const s = await openStore(tempDataDir())
    const err = await failure(s.writeToShard('db', 'rp', 1, points('a,time=1 v=1 1\nb time=1 1\nc v=1,time=2 1')))
    expect(err).toBeInstanceOf(PartialWriteError)
    expect(err.message).toBe('partial write: invalid tag key: input tag "time" on measurement "a" is invalid dropped=2')
    // The series of `b` was created before its point was dropped (as in influxd): it has no data.
    expect(s.shard(1)!.measurements()).toEqual(['b', 'c'])
    expect(s.shard(1)!.pointCount()).toBe(1)
    expect([...s.shard(1)!.fields('c').keys()]).toEqual(['v'])
    const err2 = await failure(s.writeToShard('db', 'rp', 1, points('b time=1 1')))
    expect(err2.message).toBe('partial write: invalid field name: input field "time" on measurement "b" is invalid dropped=1')
  })

  it('refuses a field of another type than the shard has, writing the rest (partial write)', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'rp', 1, points('m v=1 1'))
    const err = await failure(s.writeToShard('db', 'rp', 1, points('m v=2 2\nm v=3i 3\nm v="x" 4\nm v=5 5')))
    expect(err.message).toBe('partial write: field type conflict: input field "v" on measurement "m" is type integer, already exists as type float dropped=2')
    expect(writeErrorStatus(err)).toBe(400)
    expect([...s.shard(1)!.read('m', 'v', MIN_TIME_NS, MAX_TIME_NS)!.times]).toEqual([1n, 2n, 5n])
  })

  it('fails a whole batch that creates one new field with two types, on a new shard', async () => {
    const s = await openStore(tempDataDir())
    const err = await failure(s.writeToShard('db', 'rp', 1, points('m v=1i 1\nm v="x" 2\nm w=1 3')))
    expect(err).toBeInstanceOf(FieldTypeConflictError)
    expect(err.message).toBe('field type conflict')
    expect(writeErrorStatus(err)).toBe(400)
    // influxd keeps the field it created before the conflict, and writes nothing.
    expect([...s.shard(1)!.fields('m')]).toEqual([['v', 'integer']])
    expect(s.shard(1)!.pointCount()).toBe(0)
  })

  it('writes such a batch a second time on an existing shard, as influxd\'s coordinator does (then a partial write)', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'rp', 1, points('other v=1 1'))
    const err = await failure(s.writeToShard('db', 'rp', 1, points('m v=1i 1\nm v="x" 2')))
    expect(err.message).toBe('partial write: field type conflict: input field "v" on measurement "m" is type string, already exists as type integer dropped=1')
    expect([...s.shard(1)!.read('m', 'v', MIN_TIME_NS, MAX_TIME_NS)!.values]).toEqual([1n])
  })

  it('keeps field types per shard', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'rp', 1, points('m v=1 1'))
    await s.writeToShard('db', 'rp', 2, points('m v=1i 1'))
    expect(s.shard(1)!.fields('m').get('v')).toBe('float')
    expect(s.shard(2)!.fields('m').get('v')).toBe('integer')
  })

  it('fails with the engine\'s error (500) for a point influxd accepts but cannot store; its fields stay', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    const err = await failure(s.writeToShard('db', 'rp', 1, points('m ok=1,a\\\\="x=y" 1')))
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe('engine: unable to parse bool value "y\\"": strconv.ParseBool: parsing "y\\"": invalid syntax')
    expect(writeErrorStatus(err)).toBe(500)
    expect([...s.shard(1)!.fields('m').keys()]).toEqual(['ok', 'a\\="x'])
    await s.close()
    const again = await openStore(dir)
    expect([...again.shard(1)!.fields('m').keys()]).toEqual(['ok', 'a\\="x'])
  })

  it('applies max-series-per-database over the database\'s shards, counting points of new series', async () => {
    const s = await openStore(tempDataDir(), {maxSeriesPerDatabase: 3})
    await s.writeToShard('db', 'rp', 1, points('a v=1 1\nb v=1 1'))
    await s.writeToShard('other', 'rp', 9, points('x v=1 1\ny v=1 1\nz v=1 1'))
    // One new series, but two points of it: 2 + 2 > 3.
    const err = await failure(s.writeToShard('db', 'rp', 2, points('a v=2 2\nc v=1 1\nc v=2 2')))
    expect(err.message).toBe('partial write: max-series-per-database limit exceeded: (3) dropped=2')
    expect(s.seriesCount('db')).toBe(2)
    expect(s.shard(2)!.series('a')).toHaveLength(1)
    await s.writeToShard('db', 'rp', 2, points('c v=1 1'))
    expect(s.seriesCount('db')).toBe(3)
  })

  it('applies max-values-per-tag to new series only, without counting the batch\'s own new values', async () => {
    const s = await openStore(tempDataDir(), {maxValuesPerTag: 2})
    await s.writeToShard('db', 'rp', 1, points('m,t=1 v=1 1\nm,t=2 v=1 1\nm,t=3 v=1 1'))
    const err = await failure(s.writeToShard('db', 'rp', 1, points('m,t=4 v=1 1\nm,t=5 v=1 1')))
    expect(err.message).toBe('partial write: max-values-per-tag limit exceeded (3/2): measurement="m" tag="t" value="4" dropped=2')
    expect(s.shard(1)!.tagValues('m', 't')).toEqual(['1', '2', '3'])
    // Known values and other keys pass.
    await s.writeToShard('db', 'rp', 1, points('m,t=1,u=a"b v=1 1\nm,t=2,u=c v=2 2'))
    expect(s.shard(1)!.tagValues('m', 'u')).toEqual(['a"b', 'c'])
    // Values are quoted as Go's %q quotes them.
    const quoted = await failure(s.writeToShard('db', 'rp', 1, points('m,t=1,u=x"y v=1 1')))
    expect(quoted.message).toBe('partial write: max-values-per-tag limit exceeded (2/2): measurement="m" tag="u" value="x\\"y" dropped=1')
  })

  it('reproduces influxd\'s key-slice reuse: a point may be skipped for another point\'s refused key', async () => {
    const s = await openStore(tempDataDir(), {maxSeriesPerDatabase: 2})
    await s.writeToShard('db', 'rp', 1, points('a v=1 1\nb v=1 1'))
    // `c` is refused; influxd then looks `a` up at position 0 of its compacted key slice, where `c` now is.
    const err = await failure(s.writeToShard('db', 'rp', 1, points('a v=1i 2\nc v=1 2')))
    expect(err.message).toBe('partial write: max-series-per-database limit exceeded: (2) dropped=1')
    expect(s.shard(1)!.read('a', 'v', MIN_TIME_NS, MAX_TIME_NS)!.times).toEqual(BigInt64Array.of(1n))
  })

  it('refuses writes to a shard being deleted, as influxd words it', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'rp', 1, points('m v=1 1'))
    const deleting = s.deleteShard(1)
    const err = await failure(s.writeToShard('db', 'rp', 1, points('m v=1 1\nm v=2 2')))
    expect(err.message).toBe('partial write: shard 1 is pending deletion dropped=2')
    await deleting
  })

  it('refuses names that cannot be directories', async () => {
    const s = await openStore(tempDataDir())
    for (const name of ['', '.', '..', 'a/b', '.hidden']) {
      await expect(s.writeToShard(name, 'rp', 1, points('m v=1 1'))).rejects.toThrow(/cannot be stored/)
    }
  })
})

describe('retention', () => {
  it('drops points older than now - duration and words the partial write as influxd', () => {
    const pts = points('m v=1 100\nm v=1 150\nm v=1 200')
    expect(retentionCutoff(250n, 100n)).toBe(150n)
    expect(retentionCutoff(250n, 0n)).toBe(MIN_TIME_NS)
    const {kept, dropped} = splitByRetention(pts, 250n, 100n)
    expect(kept.map((p) => p.time)).toEqual([150n, 200n])
    expect(dropped).toBe(1)
    expect(splitByRetention(pts, 250n, 0n).dropped).toBe(0)
    expect(beyondRetentionError(3).message).toBe('partial write: points beyond retention policy dropped=3')
  })

  it('reports the first shard error, else the retention drop', () => {
    const shardErr = new PartialWriteError('x', 1)
    expect(writeOutcome([undefined, shardErr, new Error('later')], 5)).toBe(shardErr)
    expect((writeOutcome([undefined], 2) as Error).message).toBe('partial write: points beyond retention policy dropped=2')
    expect(writeOutcome([], 0)).toBeUndefined()
  })
})

describe('deletes', () => {
  it('deletes a time range of some series; a series left empty leaves the shard and the index; fields stay', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    await s.writeToShard('db', 'rp', 1, points('m,h=a v=1 1\nm,h=a v=2 2\nm,h=b v=3 3\nn v=1 1'))
    await s.writeToShard('db', 'rp', 2, points('m,h=a v=9 9'))
    await s.deleteSeries('db', ['m,h=a'], 2n, 100n)
    expect([...s.shard(1)!.read('m,h=a', 'v', MIN_TIME_NS, MAX_TIME_NS)!.values]).toEqual([1])
    expect(s.shard(2)!.measurements()).toEqual([])
    expect([...s.shard(2)!.fields('m')]).toEqual([['v', 'float']])
    expect(s.seriesCount('db')).toBe(3)
    await s.deleteSeries('db', ['m,h=a', 'm,h=b'])
    expect(s.shard(1)!.measurements()).toEqual(['n'])
    expect(s.seriesCount('db')).toBe(1)
    await s.close()
    const again = await openStore(dir)
    expect(dump(again)).toEqual(dump(s))
    expect(again.shard(1)!.measurements()).toEqual(['n'])
  })

  it('drops a measurement with its fields, durably; later writes may use other types', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    await s.writeToShard('db', 'rp', 1, points('m,h=a v=1 1\nn v=1 1'))
    await s.dropMeasurement('db', 'm')
    expect(s.shard(1)!.measurements()).toEqual(['n'])
    expect(s.shard(1)!.fields('m').size).toBe(0)
    await s.writeToShard('db', 'rp', 1, points('m,h=a v="now a string" 2'))
    await s.close()
    const again = await openStore(dir)
    expect([...again.shard(1)!.fields('m')]).toEqual([['v', 'string']])
    expect([...again.shard(1)!.read('m,h=a', 'v', MIN_TIME_NS, MAX_TIME_NS)!.values]).toEqual(['now a string'])
  })

  it('deletes a whole shard and its files; series only it held leave the index; a restart does not bring it back', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    await s.writeToShard('db', 'rp', 1, points('a v=1 1\nb v=1 1'))
    await s.writeToShard('db', 'rp', 2, points('a v=1 1'))
    await s.deleteShard(1)
    await s.deleteShard(1)
    expect(s.shard(1)).toBeUndefined()
    expect(s.shardIds()).toEqual([2])
    expect(s.seriesCount('db')).toBe(1)
    expect(existsSync(join(dir, 'db', 'rp', '1'))).toBe(false)
    await s.close()
    expect((await openStore(dir)).shardIds()).toEqual([2])
  })

  it('lets writes in flight finish before a shard is deleted, and leaves none of their series in the index', async () => {
    const s = await openStore(tempDataDir())
    await s.writeToShard('db', 'rp', 1, points('a v=1 1'))
    const inFlight = s.writeToShard('db', 'rp', 1, points('b v=1 1\nc v=1 1'))
    await s.deleteShard(1)
    await inFlight
    expect(s.seriesCount('db')).toBe(0)
    expect(s.shardIds()).toEqual([])
  })

  it('drops every shard of a database or of one retention policy', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    await s.writeToShard('db', 'a', 1, points('m v=1 1'))
    await s.writeToShard('db', 'b', 2, points('m v=1 1'))
    await s.writeToShard('other', 'a', 3, points('m v=1 1'))
    await s.dropShards('db', 'a')
    expect(s.shardIds()).toEqual([2, 3])
    await s.dropShards('db')
    expect(s.shardIds()).toEqual([3])
    expect(existsSync(join(dir, 'db'))).toBe(false)
  })
})

describe('durability and restart', () => {
  const WORKLOAD = Array.from({length: 60}, (_, i) => `cpu,host=h${i % 7},dc=x${i % 2} usage=${i / 3},n=${i}i,s="v${i}",ok=${i % 2 === 0} ${T + BigInt(i * 1000)}`)

  async function fill(s: DataStore): Promise<void> {
    for (let b = 0; b < 12; b++) await s.writeToShard('db', 'rp', 1 + (b % 2), points(WORKLOAD.slice(b * 5, b * 5 + 5).join('\n')))
    await s.writeToShard('db', 'rp', 1, points(`cpu,host=h1,dc=x1 usage=-0 ${T + 5000n}`)) // overwrite, -0 kept
    await s.deleteSeries('db', ['cpu,dc=x0,host=h0'], T, T + 10_000n)
  }

  it('rebuilds the same state from the WAL alone', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir, {compactWalBytes: 1 << 30})
    await fill(s)
    const before = dump(s)
    await s.close()
    expect(readdirSync(join(dir, 'db', 'rp', '1'))).toEqual(['wal'])
    expect(dump(await openStore(dir))).toEqual(before)
  })

  it('rebuilds the same state from snapshots plus the WAL after them, and the WAL generations shrink', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir, {compactWalBytes: 600})
    await fill(s)
    await s.writeToShard('db', 'rp', 1, points(`late v=1 ${T}`))
    const before = dump(s)
    await s.close()
    const shardDir = join(dir, 'db', 'rp', '1')
    expect(readdirSync(shardDir).sort()).toEqual(['snapshot', 'wal'])
    expect(readdirSync(join(shardDir, 'wal')).length).toBeLessThanOrEqual(2)
    const again = await openStore(dir)
    expect(dump(again)).toEqual(before)
    // A snapshot taken now holds everything: the WAL after it is empty, and the state is unchanged.
    await again.compact()
    await again.close()
    expect(dump(await openStore(dir))).toEqual(before)
  })

  it('cuts a torn WAL tail on open, keeping every whole record', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    await s.writeToShard('db', 'rp', 1, points('m v=1 1\nm v=2 2'))
    const before = dump(s)
    await s.close()
    const genDir = join(dir, 'db', 'rp', '1', 'wal', '1')
    const segment = join(genDir, readdirSync(genDir)[0])
    const size = statSync(segment).size
    // A half-written append: a length that runs past the end, and some bytes.
    appendFileSync(segment, Buffer.from([0, 0, 0, 0, 0, 0, 1, 0, 0x4d, 0x48, 0x48, 0x31, 9, 9]))
    const findings: StoreFinding[] = []
    const again = await openStore(dir, {onFinding: (f) => findings.push(f)})
    expect(findings.map((f) => f.kind)).toContain('torn-tail')
    expect(statSync(segment).size).toBe(size)
    expect(dump(again)).toEqual(before)
    await again.writeToShard('db', 'rp', 1, points('m v=3 3'))
    expect(again.shard(1)!.pointCount()).toBe(3)
  })

  it('refuses to open over a damaged snapshot, naming the file', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir, {compactWalBytes: 1})
    await s.writeToShard('db', 'rp', 1, points('m v=1 1'))
    await s.compact()
    await s.close()
    const file = join(dir, 'db', 'rp', '1', 'snapshot')
    const bytes = readFileSync(file)
    bytes[bytes.length - 10] ^= 0xff
    writeFileSync(file, bytes)
    const err = await failure(DataStore.open(dir))
    expect(err).toBeInstanceOf(SnapshotError)
    expect(err.message).toContain(file)
  })

  it('fails with a plain store error naming the directory when a WAL cannot be opened', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir)
    await s.writeToShard('db', 'rp', 1, points('m v=1 1'))
    await s.close()
    const gen = join(dir, 'db', 'rp', '1', 'wal', '1')
    rmSync(gen, {recursive: true})
    writeFileSync(gen, 'not a directory')
    const err = await failure(DataStore.open(dir))
    expect(err).toBeInstanceOf(StoreIoError)
    expect(err).not.toBeInstanceOf(MedicError)
    expect(err.message).toContain(gen)
  })

  it('serves reads and accepts writes while a snapshot is written, and loses none of them', async () => {
    const dir = tempDataDir()
    const s = await openStore(dir, {compactWalBytes: 2000})
    const writes: Array<Promise<void>> = []
    for (let i = 0; i < 400; i++) writes.push(s.writeToShard('db', 'rp', 1, points(`m,k=${i % 5} v=${i}i ${T + BigInt(i)}`)))
    await Promise.all(writes)
    expect(s.shard(1)!.pointCount()).toBe(400)
    const before = dump(s)
    await s.close()
    expect(dump(await openStore(dir))).toEqual(before)
  })
})
