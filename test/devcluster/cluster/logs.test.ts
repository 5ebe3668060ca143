// Reading node logs back: the tail quoted when a node fails (only what it wrote after it started) and printed by
// `medic dev logs -n`, and following a log as it grows.
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {readLogTail} from '../../../src/devcluster/cluster/logs.js'
import {tempFolder} from '../../helpers/tmp.js'

const roots: Array<() => void> = []
afterEach(() => {
  for (const remove of roots.splice(0)) remove()
})
function temp(): string {
  const t = tempFolder('medic-files-')
  roots.push(t.remove)
  return t.dir
}

describe('readLogTail', () => {
  it('quotes only what was written after the offset, the last lines kept', () => {
    const path = join(temp(), 'n.log')
    writeFileSync(path, 'old 1\nold 2\n')
    const offset = statSync(path).size
    writeFileSync(path, readFileSync(path, 'utf8') + Array.from({length: 15}, (_, i) => `new ${i + 1}`).join('\n') + '\n\n')
    const tail = (count: number) => readLogTail(path, {from: offset, count, skipBlank: true}).lines
    expect(tail(3)).toEqual(['new 13', 'new 14', 'new 15'])
    expect(tail(100)).toHaveLength(15)
    expect(readLogTail(join(temp(), 'missing.log'), {count: 3})).toEqual({lines: [], size: 0})
    // Without options: every line, blank ones kept; the size is where following starts.
    expect(readLogTail(path)).toEqual({lines: ['old 1', 'old 2', ...Array.from({length: 15}, (_, i) => `new ${i + 1}`), ''], size: statSync(path).size})
  })

  it('reads a big file backwards in blocks, never cutting a line', () => {
    const path = join(temp(), 'big.log')
    const lines = Array.from({length: 40_000}, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`)
    writeFileSync(path, lines.join('\n') + '\n')
    expect(readLogTail(path, {count: 5}).lines).toEqual(lines.slice(-5))
    expect(readLogTail(path, {count: 3_000}).lines).toEqual(lines.slice(-3_000))
    expect(readLogTail(path, {count: 100_000}).lines).toEqual(lines)
  })
})
