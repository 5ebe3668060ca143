/**
 * The dev cluster's fault table: the file `<cluster dir>/faults.json` that `medic dev fault ...` and `medic dev heal`
 * edit and every node process reads (node/faults.ts applies it). Shared by both sides, so it lives in node/: the shape,
 * the checks of a file read back, the edits (add a fault, heal), and what one node makes of the table.
 *
 * A fault is kept as it was given (partition, slow, drop, bandwidth between two nodes, one-way or both ways; disk-full
 * and clock on one node), so `dev status` shows what the operator asked for. A link fault covers one or two directions
 * (a -> b, and b -> a unless one-way); a new fault of a kind takes the directions it covers away from the earlier
 * faults of that kind, so `slow A B --latency 50ms` after `slow A B --latency 200ms` replaces it and two one-way faults
 * of opposite directions can stand side by side.
 *
 * What a direction means: for `from -> to`, the connections `from` opens to `to` (cluster RPC, Raft, node-to-node HTTP)
 * are cut (partition) or lose their requests (drop), and every message `from` sends to `to` is delayed (slow) or
 * paced (bandwidth). The node that opens a connection applies both directions on it: its requests get `from -> to`,
 * the answers it reads get `to -> from` (delay and pacing only). Every connection between two nodes is opened by one
 * of them, so each node enforcing what it opens covers every link.
 *
 * No I/O here and no clock: pure data, unit-tested on its own.
 */
import {formatShortDurationMs} from '../../util/duration.js'
import {parseJsonBounded} from '../../util/json.js'

export const FAULT_TABLE_FILE = 'faults.json'
/** The file a node writes in its own folder once it applied a generation of the table. */
export const FAULT_ACK_FILE = 'faults.applied.json'
export const FAULT_TABLE_VERSION = 1

export type LinkFaultKind = 'partition' | 'slow' | 'drop' | 'bandwidth'
export type DiskArea = 'hh' | 'data' | 'meta'

interface Since {
  /** When it was put in force (ISO time, the CLI's clock). */
  since: string
}

export interface LinkEnds {
  a: string
  b: string
  /** Only a -> b; otherwise both ways. */
  oneWay: boolean
}

export type LinkFault = LinkEnds & Since & (
  | {kind: 'partition'}
  | {kind: 'slow'; latencyMs: number; jitterMs: number; seed: number}
  | {kind: 'drop'; rate: number; seed: number}
  | {kind: 'bandwidth'; bytesPerSecond: number}
)

export type NodeFault = Since & (
  | {kind: 'disk-full'; node: string; areas: DiskArea[]}
  | {kind: 'clock'; node: string; skewMs: number}
)

export type Fault = LinkFault | NodeFault

export interface FaultTable {
  version: number
  /** Grows by one with every edit; nodes echo the generation they applied. */
  generation: number
  updatedAt: string
  /** Every node's addresses (HTTP, Raft or cluster RPC), so that a node can tell whose a host:port is. */
  nodes: Record<string, string[]>
  faults: Fault[]
}

/** What a node writes to its folder once a generation is in force in it. */
export interface FaultAck {
  generation: number
  pid: number
  at: string
}

export function emptyTable(nodes: Record<string, string[]> = {}): FaultTable {
  return {version: FAULT_TABLE_VERSION, generation: 0, updatedAt: new Date(0).toISOString(), nodes, faults: []}
}

export function isLinkFault(f: Fault): f is LinkFault {
  return f.kind === 'partition' || f.kind === 'slow' || f.kind === 'drop' || f.kind === 'bandwidth'
}

// ── reading ──────────────────────────────────────────────────────────────────────────────────────────────────────

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64
const isNum = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi
const isSeed = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** Upper bounds the CLI enforces too: a day of delay or skew, and rates a loopback link can carry. */
export const LIMITS = {maxLatencyMs: 86_400_000, maxSkewMs: 10 * 365 * 86_400_000, maxBytesPerSecond: 100e9}

function checkFault(v: unknown): Fault | string {
  if (!isObj(v) || typeof v.kind !== 'string') return 'a fault has no kind'
  const since = typeof v.since === 'string' ? v.since : ''
  if (v.kind === 'disk-full') {
    const areas = Array.isArray(v.areas) ? v.areas.filter((a): a is DiskArea => a === 'hh' || a === 'data' || a === 'meta') : []
    if (!isName(v.node) || areas.length === 0) return 'a disk-full fault needs a node and areas'
    return {kind: 'disk-full', node: v.node, areas, since}
  }
  if (v.kind === 'clock') {
    if (!isName(v.node) || !isNum(v.skewMs, -LIMITS.maxSkewMs, LIMITS.maxSkewMs)) return 'a clock fault needs a node and a skew'
    return {kind: 'clock', node: v.node, skewMs: v.skewMs, since}
  }
  if (!['partition', 'slow', 'drop', 'bandwidth'].includes(v.kind)) return `unknown fault kind ${JSON.stringify(v.kind.slice(0, 20))}`
  if (!isName(v.a) || !isName(v.b) || v.a === v.b) return `a ${v.kind} fault needs two different nodes`
  const ends = {a: v.a, b: v.b, oneWay: v.oneWay === true, since}
  switch (v.kind) {
    case 'partition':
      return {...ends, kind: 'partition'}
    case 'slow':
      if (!isNum(v.latencyMs, 0, LIMITS.maxLatencyMs) || !isNum(v.jitterMs, 0, LIMITS.maxLatencyMs) || !isSeed(v.seed)) return 'a slow fault needs latency, jitter and seed'
      return {...ends, kind: 'slow', latencyMs: v.latencyMs, jitterMs: v.jitterMs, seed: v.seed}
    case 'drop':
      if (!isNum(v.rate, 0, 1) || !isSeed(v.seed)) return 'a drop fault needs a rate from 0 to 1 and a seed'
      return {...ends, kind: 'drop', rate: v.rate, seed: v.seed}
    case 'bandwidth':
      if (!isNum(v.bytesPerSecond, 1, LIMITS.maxBytesPerSecond)) return 'a bandwidth fault needs a rate'
      return {...ends, kind: 'bandwidth', bytesPerSecond: v.bytesPerSecond}
    default:
      return `unknown fault kind ${JSON.stringify(v.kind.slice(0, 20))}`
  }
}

/** Reads faults.json; the reason when it is not a fault table (a node then keeps the table it had). */
export function parseFaultTable(text: string): FaultTable | string {
  const parsed = parseJsonBounded(text, {maxDepth: 8, maxLength: 4 * 1024 * 1024})
  if (!parsed.ok) return `not JSON (${parsed.reason})`
  const doc = parsed.value
  if (!isObj(doc) || typeof doc.version !== 'number' || !Number.isSafeInteger(doc.generation) || !Array.isArray(doc.faults) || !isObj(doc.nodes)) {
    return 'not a fault table (version, generation, nodes and faults expected)'
  }
  if (doc.version > FAULT_TABLE_VERSION) return `written by a newer medic (fault table version ${doc.version})`
  const nodes: Record<string, string[]> = {}
  for (const [name, addrs] of Object.entries(doc.nodes)) {
    if (!isName(name) || !Array.isArray(addrs) || !addrs.every((a) => typeof a === 'string' && a.length < 300)) return `node ${JSON.stringify(name.slice(0, 40))} has bad addresses`
    nodes[name] = addrs as string[]
  }
  const faults: Fault[] = []
  for (const f of doc.faults) {
    const checked = checkFault(f)
    if (typeof checked === 'string') return checked
    faults.push(checked)
  }
  return {version: doc.version, generation: doc.generation as number, updatedAt: typeof doc.updatedAt === 'string' ? doc.updatedAt : '', nodes, faults}
}

export function parseFaultAck(text: string): FaultAck | undefined {
  const parsed = parseJsonBounded(text, {maxDepth: 4, maxLength: 4096})
  if (!parsed.ok || !isObj(parsed.value)) return undefined
  const v = parsed.value
  if (!Number.isSafeInteger(v.generation) || !Number.isSafeInteger(v.pid)) return undefined
  return {generation: v.generation as number, pid: v.pid as number, at: typeof v.at === 'string' ? v.at : ''}
}

// ── editing (the CLI side) ───────────────────────────────────────────────────────────────────────────────────────

/** The directions a link fault covers, as "from>to" keys. */
function directions(f: LinkEnds): string[] {
  return f.oneWay ? [`${f.a}>${f.b}`] : [`${f.a}>${f.b}`, `${f.b}>${f.a}`]
}

/**
 * The table with `fault` added. A link fault takes the directions it covers from earlier faults of its kind (which
 * shrink to one-way or go); a node fault replaces the one of its kind on that node.
 */
export function addFault(table: FaultTable, fault: Fault): Fault[] {
  const out: Fault[] = []
  if (isLinkFault(fault)) {
    const taken = new Set(directions(fault))
    for (const f of table.faults) {
      if (!isLinkFault(f) || f.kind !== fault.kind) {
        out.push(f)
        continue
      }
      const left = directions(f).filter((d) => !taken.has(d))
      if (left.length === directions(f).length) out.push(f)
      else if (left.length === 1) {
        const [from, to] = left[0].split('>')
        out.push({...f, a: from, b: to, oneWay: true})
      }
    }
  } else {
    for (const f of table.faults) if (isLinkFault(f) || f.kind !== fault.kind || f.node !== fault.node) out.push(f)
  }
  out.push(fault)
  return out
}

export type HealTarget = {kind: 'link'; a: string; b: string} | {kind: 'node'; node: string} | {kind: 'all'}

/** Splits the faults into those a heal removes and those it keeps. */
export function healFaults(faults: readonly Fault[], target: HealTarget): {healed: Fault[]; kept: Fault[]} {
  const healed: Fault[] = []
  const kept: Fault[] = []
  for (const f of faults) {
    let hit: boolean
    if (target.kind === 'all') hit = true
    else if (target.kind === 'node') hit = isLinkFault(f) ? f.a === target.node || f.b === target.node : f.node === target.node
    else hit = isLinkFault(f) && ((f.a === target.a && f.b === target.b) || (f.a === target.b && f.b === target.a))
    ;(hit ? healed : kept).push(f)
  }
  return {healed, kept}
}

/** One line for a fault, as `dev status` and the fault commands print it. */
export function describeFault(f: Fault): string {
  const ms = (n: number) => (n === 0 ? '0s' : formatShortDurationMs(n))
  if (f.kind === 'disk-full') return `disk-full ${f.node} (${f.areas.join(', ')}): appends fail with "no space left on device"`
  if (f.kind === 'clock') return `clock ${f.node} ${f.skewMs >= 0 ? '+' : '-'}${ms(Math.abs(f.skewMs))}`
  const link = `${f.a} ${f.oneWay ? '->' : '<->'} ${f.b}`
  switch (f.kind) {
    case 'partition': return `partition ${link}`
    case 'slow': return `slow ${link} latency ${ms(f.latencyMs)}${f.jitterMs > 0 ? ` jitter ${ms(f.jitterMs)}` : ''} (seed ${f.seed})`
    case 'drop': return `drop ${link} rate ${f.rate} (seed ${f.seed})`
    case 'bandwidth': return `bandwidth ${link} ${formatRate(f.bytesPerSecond)}`
  }
}

/** 1500000 -> "1.5MB/s" (decimal units, as --rate takes them). */
export function formatRate(bytesPerSecond: number): string {
  const units: Array<[number, string]> = [[1e9, 'GB/s'], [1e6, 'MB/s'], [1e3, 'KB/s']]
  for (const [n, u] of units) if (bytesPerSecond >= n) return `${Number((bytesPerSecond / n).toFixed(3))}${u}`
  return `${bytesPerSecond}B/s`
}

// ── what one node makes of it ────────────────────────────────────────────────────────────────────────────────────

/** What applies to messages in one direction between two nodes. */
export interface DirectionProfile {
  partition: boolean
  latencyMs: number
  jitterMs: number
  /** Seed of the slow fault's jitter stream. */
  slowSeed: number
  dropRate: number
  dropSeed: number
  bytesPerSecond: number
}

/** A node's view: for each peer, what its own messages to the peer (`out`) and the peer's answers (`back`) meet. */
export interface NodeFaultView {
  links: Map<string, {out?: DirectionProfile; back?: DirectionProfile}>
  /** The peer (node name) each known address belongs to. */
  peerOf: Map<string, string>
  diskAreas: Set<DiskArea>
  skewMs: number
}

const noProfile = (): DirectionProfile => ({partition: false, latencyMs: 0, jitterMs: 0, slowSeed: 0, dropRate: 0, dropSeed: 0, bytesPerSecond: 0})

/** host:port as the nodes write it (localhost and brackets normalised), for matching addresses. */
export function normaliseAddr(addr: string): string {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(addr.trim())
  if (!m) return addr.trim()
  const host = m[1] === '' || m[1] === 'localhost' || m[1] === '::1' ? '127.0.0.1' : m[1]
  return `${host}:${m[2]}`
}

/** The part of the table that concerns node `self`. */
export function viewFor(table: FaultTable, self: string): NodeFaultView {
  const profiles = new Map<string, DirectionProfile>()
  const profile = (from: string, to: string) => {
    const k = `${from}>${to}`
    let p = profiles.get(k)
    if (!p) profiles.set(k, (p = noProfile()))
    return p
  }
  let skewMs = 0
  const diskAreas = new Set<DiskArea>()
  for (const f of table.faults) {
    if (!isLinkFault(f)) {
      if (f.node !== self) continue
      if (f.kind === 'clock') skewMs = f.skewMs
      else for (const a of f.areas) diskAreas.add(a)
      continue
    }
    for (const d of directions(f)) {
      const [from, to] = d.split('>')
      if (from !== self && to !== self) continue
      const p = profile(from, to)
      switch (f.kind) {
        case 'partition': p.partition = true; break
        case 'slow': p.latencyMs = f.latencyMs; p.jitterMs = f.jitterMs; p.slowSeed = f.seed; break
        case 'drop': p.dropRate = f.rate; p.dropSeed = f.seed; break
        case 'bandwidth': p.bytesPerSecond = f.bytesPerSecond; break
      }
    }
  }
  const links = new Map<string, {out?: DirectionProfile; back?: DirectionProfile}>()
  for (const [k, p] of profiles) {
    const [from, to] = k.split('>')
    const peer = from === self ? to : from
    const entry = links.get(peer) ?? {}
    if (from === self) entry.out = p
    else entry.back = p
    links.set(peer, entry)
  }
  const peerOf = new Map<string, string>()
  for (const [name, addrs] of Object.entries(table.nodes)) if (name !== self) for (const a of addrs) peerOf.set(normaliseAddr(a), name)
  return {links, peerOf, diskAreas, skewMs}
}
