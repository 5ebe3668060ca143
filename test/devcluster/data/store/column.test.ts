// The in-memory column: sorted appends, lazy sort and dedupe (last write wins), range reads as views that later
// writes and deletes never change.
import {describe, expect, it} from 'vitest'

import {ColumnData} from '../../../../src/devcluster/data/store/column.js'
import {Rng} from '../../../../src/util/rng.js'

const ALL: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n]

describe('ColumnData', () => {
  it('keeps in-order appends sorted, overwrites the same time in place', () => {
    const c = new ColumnData('float')
    for (let i = 0; i < 100; i++) c.append(BigInt(i), i)
    c.append(99n, -1)
    const col = c.read(...ALL)!
    expect(col.times.length).toBe(100)
    expect(col.values[99]).toBe(-1)
    expect(c.count()).toBe(100)
  })

  it('sorts out-of-order appends on read; of equal times the latest write wins', () => {
    const c = new ColumnData('integer')
    const writes: Array<[bigint, bigint]> = [[5n, 1n], [3n, 2n], [5n, 3n], [1n, 4n], [3n, 5n], [9n, 6n], [1n, 7n], [-(2n ** 62n), 8n]]
    for (const [t, v] of writes) c.append(t, v)
    const col = c.read(...ALL)!
    expect([...col.times]).toEqual([-(2n ** 62n), 1n, 3n, 5n, 9n])
    expect([...col.values]).toEqual([8n, 7n, 5n, 3n, 6n])
  })

  it('matches a model under random writes of every type', () => {
    const rand = new Rng(3, 'column-model')
    for (const type of ['float', 'integer', 'unsigned', 'string', 'boolean'] as const) {
      const c = new ColumnData(type)
      const model = new Map<bigint, unknown>()
      for (let i = 0; i < 3000; i++) {
        const t = BigInt(rand.int(0, 500)) * (rand.next() < 0.1 ? -1n : 1n) + (rand.next() < 0.05 ? 2n ** 60n : 0n)
        const v = type === 'float' ? rand.next() : type === 'integer' ? BigInt(rand.int(-1e9, 1e9)) : type === 'unsigned' ? BigInt(rand.int(0, 1e9))
          : type === 'string' ? `s${i}` : rand.next() < 0.5
        c.append(t, v)
        model.set(t, type === 'boolean' ? (v ? 1 : 0) : v)
        if (rand.next() < 0.01) {
          const lo = BigInt(rand.int(-100, 400))
          const hi = lo + BigInt(rand.int(0, 50))
          c.deleteRange(lo, hi)
          for (const k of [...model.keys()]) if (k >= lo && k <= hi) model.delete(k)
        }
      }
      const expected = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      const col = c.read(...ALL)!
      expect([...col.times]).toEqual(expected.map(([t]) => t))
      expect([...col.values]).toEqual(expected.map(([, v]) => v))
      // Ranges by binary search, inclusive at both ends.
      const part = c.read(10n, 20n)
      const inRange = expected.filter(([t]) => t >= 10n && t <= 20n)
      expect(part ? [...part.times] : []).toEqual(inRange.map(([t]) => t))
    }
  })

  it('hands out views that later appends, overwrites, sorts and deletes leave unchanged', () => {
    const c = new ColumnData('float')
    for (let i = 0; i < 10; i++) c.append(BigInt(i), i)
    const before = c.read(...ALL)!
    const times = [...before.times]
    const values = [...before.values]
    c.append(9n, 100) // same time as the last entry: must not write into the view
    c.append(3n, 300) // out of order
    for (let i = 10; i < 2000; i++) c.append(BigInt(i), i) // growth
    c.deleteRange(0n, 5n)
    c.read(...ALL)
    expect([...before.times]).toEqual(times)
    expect([...before.values]).toEqual(values)
    const after = c.read(...ALL)!
    expect(after.values[after.times.indexOf(9n)]).toBe(100)
  })

  it('returns undefined for an empty range; read is a view (no copy) of typed arrays', () => {
    const c = new ColumnData('boolean')
    c.append(1n, true)
    c.append(2n, false)
    expect(c.read(3n, 10n)).toBeUndefined()
    expect(c.read(2n, 1n)).toBeUndefined()
    const a = c.read(1n, 2n)!
    const b = c.read(2n, 2n)!
    expect(b.times.buffer).toBe(a.times.buffer)
    expect([...b.values]).toEqual([0])
  })

  it('trims spare capacity', () => {
    const c = new ColumnData('float')
    for (let i = 0; i < 1500; i++) c.append(BigInt(i), i)
    expect(c.times.length).toBeGreaterThan(1500)
    c.trim()
    expect(c.times.length).toBe(1500)
    expect(c.count()).toBe(1500)
  })
})
