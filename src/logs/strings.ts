/**
 * A copy of `s` that does not keep its parent string alive. Lines are slices of a 1 MiB chunk string; a slice kept
 * beyond the current line (an example, a map key) would pin the whole chunk in memory, so those are copied.
 * V8 copies short slices anyway.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8')
}
