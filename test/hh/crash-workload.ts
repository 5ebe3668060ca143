// What the crash test's child appends: block n holds n and bytes derived from n, so that any block read back can be
// checked for corruption on its own. Sizes vary from 20 bytes to 2 KiB, and every 50th block is 40 KiB (bigger than
// the test's 16 KiB segments, and over the engine's 16 KiB copy threshold).
export const SEGMENT_BYTES = 16 * 1024

export function blockSize(seq: number): number {
  return seq % 50 === 49 ? 40 * 1024 : 20 + ((seq * 7919) % 2000)
}

export function payloadFor(seq: number): Buffer {
  const buf = Buffer.alloc(blockSize(seq))
  buf.writeUInt32BE(seq, 0)
  for (let i = 4; i < buf.length; i++) buf[i] = (seq * 31 + i * 7) & 0xff
  return buf
}

/** The sequence number of a block, or undefined when its bytes are not exactly what payloadFor() made. */
export function checkPayload(data: Buffer): number | undefined {
  if (data.length < 4) return undefined
  const seq = data.readUInt32BE(0)
  return data.equals(payloadFor(seq)) ? seq : undefined
}
