/**
 * String helpers for the summariser's hot path.
 *
 * Lines are slices of a chunk string; a slice kept beyond the current line (an example, a map key) would pin the
 * whole chunk in memory, so whatever is kept is copied with `detach`.
 *
 * For speed the summariser may read bytes as latin1 ("binary" strings: one character per byte, about ten times
 * faster to decode than UTF-8). Every pattern medic matches is ASCII, so matching is unaffected; `toText` turns a kept
 * string back into proper UTF-8 text before it leaves the summariser.
 */
export function detach(s: string, binary = false): string {
  if (s.length < 13) return s
  return binary ? Buffer.from(s, 'latin1').toString('latin1') : Buffer.from(s, 'utf8').toString('utf8')
}

/** Decodes a binary (latin1) string as UTF-8 when it holds non-ASCII bytes; returns other strings as they are. */
export function toText(s: string, binary: boolean): string {
  if (!binary) return s
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'latin1').toString('utf8')
  }
  return s
}
