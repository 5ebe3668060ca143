/** Edit distance (Levenshtein) between two strings, for "did you mean" suggestions (ids, config keys, flags). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}

/**
 * The candidate nearest to `typed`, when it is near enough to be what was meant (at most a third of the word
 * wrong, at least 2 edits allowed). Long inputs get no suggestion: comparing them costs time and helps nobody.
 */
export function closest(typed: string, candidates: readonly string[], maxLength = 64): string | undefined {
  if (typed.length === 0 || typed.length > maxLength) return undefined
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    if (Math.abs(c.length - typed.length) >= bestDistance) continue
    const d = editDistance(typed.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = c
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined
}

/**
 * Edit distance when it is at most `max`, else `max + 1`: only a band of 2·max + 1 diagonals is computed, so the
 * time is O(min(|a|, |b|) · max) however long the strings are (a 1,000,000-character config key costs nothing).
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  if (a.length > b.length) [a, b] = [b, a]
  const big = max + 1
  let prev = new Array<number>(b.length + 1)
  let cur = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j <= max ? j : big
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max)
    const hi = Math.min(b.length, i + max)
    cur[lo - 1] = lo - 1 === 0 ? i : big
    let best = cur[lo - 1]
    for (let j = lo; j <= hi; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      cur[j] = v > big ? big : v
      if (cur[j] < best) best = cur[j]
    }
    if (hi < b.length) cur[hi + 1] = big
    if (best > max) return big
    ;[prev, cur] = [cur, prev]
  }
  return Math.min(prev[b.length], big)
}
