// Builders of real hinted-handoff directories for the scanner, sampler and CLI tests, written with the format
// module's own encoders (blocks, checksummed payloads, footers).
import {closeSync, mkdirSync, openSync, utimesSync, writeFileSync, writeSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {encodeBlock, encodeFooter, encodePayload, FOOTER_BYTES} from '../../src/hh/format.js'

export interface SegmentSpec {
  /** Block payload data (each wrapped with medic's checksum header unless raw). */
  blocks: Array<string | Buffer>
  /** How many blocks were already delivered (the footer points after them). */
  delivered?: number
  /** mtime in ms since the epoch. */
  mtimeMs?: number
  /** Payloads without medic's checksum header (as Enterprise writes them). */
  raw?: boolean
}

export function encodeSegment(spec: SegmentSpec): {bytes: Buffer; head: number; pending: number} {
  const blocks = spec.blocks.map((b) => {
    const data = typeof b === 'string' ? Buffer.from(b) : b
    return encodeBlock(spec.raw ? data : encodePayload(data))
  })
  const body = Buffer.concat(blocks)
  const head = blocks.slice(0, spec.delivered ?? 0).reduce((s, b) => s + b.length, 0)
  return {bytes: Buffer.concat([body, encodeFooter(head)]), head, pending: body.length - head}
}

/** Writes one segment file; returns its pending bytes (size - 8 - head). */
export function writeSegment(path: string, spec: SegmentSpec): number {
  mkdirSync(dirname(path), {recursive: true})
  const {bytes, pending} = encodeSegment(spec)
  writeFileSync(path, bytes)
  if (spec.mtimeMs !== undefined) setMtime(path, spec.mtimeMs)
  return pending
}

/** Writes a queue <root>/<node>/<shard>/<1..n> (or <root>/<node>/<1..n> when shard is null); returns its pending bytes. */
export function writeQueue(root: string, node: string, shard: string | null, segments: SegmentSpec[], firstSegment = 1): number {
  const dir = shard === null ? join(root, node) : join(root, node, shard)
  mkdirSync(dir, {recursive: true})
  let pending = 0
  segments.forEach((s, i) => {
    pending += writeSegment(join(dir, String(firstSegment + i)), s)
  })
  return pending
}

/** Marks every block of a segment file as delivered by rewriting its footer (what the engine's advance does). */
export function drainSegment(path: string, size: number): void {
  const fd = openSync(path, 'r+')
  try {
    writeSync(fd, encodeFooter(size - FOOTER_BYTES), 0, FOOTER_BYTES, size - FOOTER_BYTES)
  } finally {
    closeSync(fd)
  }
}

export function setMtime(path: string, ms: number): void {
  utimesSync(path, ms / 1000, ms / 1000)
}

export const LINE = 'cpu,host=server01,region=uswest value=0.64 1434055562000000000\n'

/** A payload of roughly `bytes` bytes of line protocol. */
export function points(bytes: number): string {
  return LINE.repeat(Math.max(1, Math.ceil(bytes / LINE.length))).slice(0, Math.max(1, bytes))
}
