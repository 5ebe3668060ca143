/**
 * Node names of the dev cluster: meta-1..meta-9 and data-1..data-N. The number k in a name fixes the node's ports
 * (ports.ts) and its folder (paths.ts), so a node keeps its addresses across restarts.
 */

/** meta-1, meta-2, ... */
export function metaName(k: number): string {
  return `meta-${k}`
}

/** data-1, data-2, ... */
export function dataName(k: number): string {
  return `data-${k}`
}

/** The position k of a node name (meta-3 -> 3), or undefined. */
export function nodeIndex(name: string): number | undefined {
  const m = /^(?:meta|data)-([1-9]\d*)$/.exec(name)
  return m ? Number(m[1]) : undefined
}
