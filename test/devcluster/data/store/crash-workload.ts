// The crash test's workload, shared by the child that writes it and the test that checks what survived: batch b holds
// POINTS_PER_BATCH points of series m,w=<b mod 3> at times of its own, in shard 1 or 2 (alternating).
export const POINTS_PER_BATCH = 25
export const BATCH_SHARDS = [1, 2]
const BASE = 1_700_000_000_000_000_000n

export function seriesOf(b: number): string {
  return `m,w=${b % 3}`
}

/** [first, last] time of batch b's points. */
export function batchRange(b: number): [bigint, bigint] {
  const first = BASE + BigInt(b) * BigInt(POINTS_PER_BATCH)
  return [first, first + BigInt(POINTS_PER_BATCH - 1)]
}

/** The value of field s for point j of batch b: lets the check tell a point's batch and position. */
export function stringOf(b: number, j: number): string {
  return `b${b} p${j} "quoted", \\ and =`
}

export function batchLines(b: number): string {
  const [first] = batchRange(b)
  const lines: string[] = []
  for (let j = 0; j < POINTS_PER_BATCH; j++) {
    const s = stringOf(b, j).replaceAll('\\', '\\\\').replaceAll('"', '\\"')
    lines.push(`${seriesOf(b)} v=${b}i,s="${s}",f=${b + j / 100} ${first + BigInt(j)}`)
  }
  return lines.join('\n')
}
