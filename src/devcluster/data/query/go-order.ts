/**
 * The orders influxd's Go code produces where its output depends on them: container/heap (the sorted merge of
 * series and shards decides the order of points with equal times, and which points a first()/last() sees) and
 * sort.Sort of Go 1.19 (pattern-defeating quicksort, not stable: percentile() returns the time of whichever equal
 * value lands at the index). Written from the behaviour of those packages so that the same inputs give the same
 * order; nothing here allocates per comparison.
 */

/** container/heap over an array, with Go's index arithmetic (Init, Push, Pop). */
export class GoHeap<T> {
  constructor(readonly items: T[], private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length
  }

  init(): void {
    const n = this.items.length
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i, n)
  }

  push(x: T): void {
    this.items.push(x)
    this.up(this.items.length - 1)
  }

  pop(): T {
    const n = this.items.length - 1
    this.swap(0, n)
    this.down(0, n)
    return this.items.pop()!
  }

  private swap(i: number, j: number): void {
    const a = this.items
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }

  private up(j: number): void {
    for (;;) {
      const i = j === 0 ? 0 : (j - 1) >> 1
      if (i === j || !this.less(this.items[j], this.items[i])) break
      this.swap(i, j)
      j = i
    }
  }

  private down(i0: number, n: number): void {
    let i = i0
    for (;;) {
      const j1 = 2 * i + 1
      if (j1 >= n) break
      let j = j1
      const j2 = j1 + 1
      if (j2 < n && this.less(this.items[j2], this.items[j1])) j = j2
      if (!this.less(this.items[j], this.items[i])) break
      this.swap(i, j)
      i = j
    }
  }
}

/** A sorted input of a merge: `at` is its current row; rows are in the query's time order. */
export interface MergeInput {
  times: ArrayLike<bigint>
  at: number
}

/**
 * influxd's sorted merge iterator: inputs (series of a tag set, or shards) in their given order, a heap initialized
 * over their first points, then pop one point and push its input back while it has more. `less` compares the
 * current points of two inputs (time in the query's direction, then the auxiliary strings). Calls `emit(input)` for
 * each point in merge order until it returns false.
 */
export function sortedMerge<I extends MergeInput>(inputs: I[], less: (a: I, b: I) => boolean, emit: (input: I) => boolean): void {
  const live = inputs.filter((x) => x.at < x.times.length)
  if (live.length === 1) {
    const x = live[0]
    while (x.at < x.times.length) {
      if (!emit(x)) return
      x.at++
    }
    return
  }
  const h = new GoHeap(live, less)
  h.init()
  while (h.size > 0) {
    const x = h.pop()
    if (!emit(x)) return
    x.at++
    if (x.at < x.times.length) h.push(x)
  }
}

/** What sort.Sort needs: Less and Swap over indexes. */
export interface SortData {
  less(i: number, j: number): boolean
  swap(i: number, j: number): void
}

const bitsLen = (n: number): number => (n === 0 ? 0 : 32 - Math.clz32(n))

/** sort.Sort of Go 1.19 (pdqsort) on data[0:n). */
export function goSort(data: SortData, n: number): void {
  if (n <= 1) return
  pdqsort(data, 0, n, bitsLen(n))
}

function insertionSort(data: SortData, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1)
  }
}

function siftDown(data: SortData, lo: number, hi: number, first: number): void {
  let root = lo
  for (;;) {
    let child = 2 * root + 1
    if (child >= hi) break
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++
    if (!data.less(first + root, first + child)) return
    data.swap(first + root, first + child)
    root = child
  }
}

function heapSort(data: SortData, a: number, b: number): void {
  const first = a
  const hi = b - a
  for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, first)
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(first, first + i)
    siftDown(data, 0, i, first)
  }
}

const UNKNOWN = 0
const INCREASING = 1
const DECREASING = 2

function pdqsort(data: SortData, a: number, b: number, limit: number): void {
  const maxInsertion = 12
  let wasBalanced = true
  let wasPartitioned = true
  for (;;) {
    const length = b - a
    if (length <= maxInsertion) {
      insertionSort(data, a, b)
      return
    }
    if (limit === 0) {
      heapSort(data, a, b)
      return
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b)
      limit--
    }
    let [pivot, hint] = choosePivot(data, a, b)
    if (hint === DECREASING) {
      reverseRange(data, a, b)
      pivot = b - 1 - (pivot - a)
      hint = INCREASING
    }
    if (wasBalanced && wasPartitioned && hint === INCREASING && partialInsertionSort(data, a, b)) return
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot)
      continue
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot)
    wasPartitioned = alreadyPartitioned
    const leftLen = mid - a
    const rightLen = b - mid
    const balanceThreshold = length >> 3
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold
      pdqsort(data, a, mid, limit)
      a = mid + 1
    } else {
      wasBalanced = rightLen >= balanceThreshold
      pdqsort(data, mid + 1, b, limit)
      b = mid
    }
  }
}

function partition(data: SortData, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot)
  let i = a + 1
  let j = b - 1
  while (i <= j && data.less(i, a)) i++
  while (i <= j && !data.less(j, a)) j--
  if (i > j) {
    data.swap(j, a)
    return [j, true]
  }
  data.swap(i, j)
  i++
  j--
  for (;;) {
    while (i <= j && data.less(i, a)) i++
    while (i <= j && !data.less(j, a)) j--
    if (i > j) break
    data.swap(i, j)
    i++
    j--
  }
  data.swap(j, a)
  return [j, false]
}

function partitionEqual(data: SortData, a: number, b: number, pivot: number): number {
  data.swap(a, pivot)
  let i = a + 1
  let j = b - 1
  for (;;) {
    while (i <= j && !data.less(a, i)) i++
    while (i <= j && data.less(a, j)) j--
    if (i > j) break
    data.swap(i, j)
    i++
    j--
  }
  return i
}

function partialInsertionSort(data: SortData, a: number, b: number): boolean {
  const maxSteps = 5
  const shortestShifting = 50
  let i = a + 1
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !data.less(i, i - 1)) i++
    if (i === b) return true
    if (b - a < shortestShifting) return false
    data.swap(i, i - 1)
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!data.less(j, j - 1)) break
        data.swap(j, j - 1)
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!data.less(j, j - 1)) break
        data.swap(j, j - 1)
      }
    }
  }
  return false
}

const MASK64 = (1n << 64n) - 1n

function breakPatterns(data: SortData, a: number, b: number): void {
  const length = b - a
  if (length < 8) return
  // Go's xorshift on a uint64 seeded with the length.
  let r = BigInt(length)
  const modulus = 2 ** bitsLen(length)
  for (let idx = a + (length >> 2) * 2 - 1; idx <= a + (length >> 2) * 2 + 1; idx++) {
    r ^= (r << 13n) & MASK64
    r ^= r >> 17n
    r ^= (r << 5n) & MASK64
    let other = Number(r & BigInt(modulus - 1))
    if (other >= length) other -= length
    data.swap(idx, a + other)
  }
}

function choosePivot(data: SortData, a: number, b: number): [number, number] {
  const shortestNinther = 50
  const maxSwaps = 4 * 3
  const l = b - a
  const swaps = {n: 0}
  let i = a + (l >> 2) * 1
  let j = a + (l >> 2) * 2
  let k = a + (l >> 2) * 3
  if (l >= 8) {
    if (l >= shortestNinther) {
      i = median(data, i - 1, i, i + 1, swaps)
      j = median(data, j - 1, j, j + 1, swaps)
      k = median(data, k - 1, k, k + 1, swaps)
    }
    j = median(data, i, j, k, swaps)
  }
  if (swaps.n === 0) return [j, INCREASING]
  if (swaps.n === maxSwaps) return [j, DECREASING]
  return [j, UNKNOWN]
}

function median(data: SortData, a: number, b: number, c: number, swaps: {n: number}): number {
  if (data.less(b, a)) {
    swaps.n++;
    [a, b] = [b, a]
  }
  if (data.less(c, b)) {
    swaps.n++;
    [b, c] = [c, b]
  }
  if (data.less(b, a)) {
    swaps.n++;
    [a, b] = [b, a]
  }
  return b
}

function reverseRange(data: SortData, a: number, b: number): void {
  let i = a
  let j = b - 1
  while (i < j) {
    data.swap(i, j)
    i++
    j--
  }
}

/** An input of influxd's merge iterator: items in the query's order, each with the start of its window. */
export interface RunInput {
  windows: ArrayLike<bigint>
  at: number
}

/**
 * influxd's (unsorted) merge iterator: a heap of inputs keyed by the window of their next item; the input popped
 * gives every item of that window in a row, then goes back on the heap. Calls `emit(input)` per item in that order.
 */
export function mergeRuns<I extends RunInput>(inputs: I[], ascending: boolean, emit: (input: I) => void): void {
  const live = inputs.filter((x) => x.at < x.windows.length)
  const h = new GoHeap(live, (x, y) => (ascending ? x.windows[x.at] < y.windows[y.at] : x.windows[x.at] > y.windows[y.at]))
  h.init()
  while (h.size > 0) {
    const x = h.pop()
    const w = x.windows[x.at]
    do {
      emit(x)
      x.at++
    } while (x.at < x.windows.length && x.windows[x.at] === w)
    if (x.at < x.windows.length) h.push(x)
  }
}

/**
 * The order in which influxd's parallel merge iterator hands on the per-series results of a tag set: the series
 * (in tag-set order) cut into `parallelism` groups (the last takes the rest), each group merged, then the groups
 * merged. Returns, per item in that order, [series index, item index]. `windows[i]` lists series i's window starts.
 */
export function parallelMergeOrder(windows: ReadonlyArray<ArrayLike<bigint>>, ascending: boolean, parallelism: number): Array<[number, number]> {
  const n = windows.length
  const p = Math.max(1, Math.min(parallelism, n))
  const size = Math.floor(n / p)
  const groups: Array<{windows: bigint[]; at: number; items: Array<[number, number]>}> = []
  for (let g = 0; g < p; g++) {
    const from = g * size
    const to = g < p - 1 ? from + size : n
    const inputs = []
    for (let s = from; s < to; s++) inputs.push({windows: windows[s], at: 0, s})
    const out = {windows: [] as bigint[], at: 0, items: [] as Array<[number, number]>}
    mergeRuns(inputs, ascending, (x) => {
      out.windows.push(x.windows[x.at])
      out.items.push([x.s, x.at])
    })
    groups.push(out)
  }
  if (groups.length === 1) return groups[0].items
  const order: Array<[number, number]> = []
  mergeRuns(groups, ascending, (x) => order.push(x.items[x.at]))
  return order
}
