/**
 * What a hinted-handoff block holds in the dev cluster: the database and retention policy of the write (the
 * destination creates a missing shard from them, as InfluxDB sends them since 0.10), the number of points, and the
 * points as nanosecond line protocol. One JSON line, then the points:
 *
 *   {"db":"telegraf","rp":"autogen","n":5000}\n<line protocol...>
 *
 * The engine wraps each block in its own checksummed frame (src/hh/format.ts), so a damaged block never gets here.
 */

export interface HhBlock {
  db: string
  rp: string
  /** Points in the block. */
  count: number
  points: Buffer
}

export function encodeBlock(db: string, rp: string, count: number, lineProtocol: Buffer): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify({db, rp, n: count}) + '\n', 'utf8'), lineProtocol])
}

/** The block's parts, or undefined when it is not a block this format wrote (a foreign or older payload). */
export function decodeBlock(block: Buffer): HhBlock | undefined {
  const nl = block.indexOf(0x0a)
  if (nl <= 0 || nl > 4096) return undefined
  let head: unknown
  try {
    head = JSON.parse(block.subarray(0, nl).toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof head !== 'object' || head === null) return undefined
  const {db, rp, n} = head as Record<string, unknown>
  if (typeof db !== 'string' || typeof rp !== 'string' || typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined
  return {db, rp, count: n, points: block.subarray(nl + 1)}
}

/** The points of several blocks as one piece of line protocol (a line feed added where a piece lacks its last). */
export function joinLines(parts: Buffer[]): Buffer {
  if (parts.length === 1) return parts[0]
  const all: Buffer[] = []
  for (const p of parts) {
    all.push(p)
    if (p.length > 0 && p[p.length - 1] !== 0x0a) all.push(NEWLINE)
  }
  return Buffer.concat(all)
}

const NEWLINE = Buffer.from('\n')
