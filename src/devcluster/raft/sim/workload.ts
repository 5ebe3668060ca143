/**
 * The simulator's workload: a tiny replicated key-value state machine with request-id de-duplication, and clients that
 * behave like the meta API's callers (writes and read-index reads with request ids, timeouts, retries with the same id,
 * following "not leader" redirects), plus an admin client for membership changes.
 *
 * Why: the invariants that matter to users ("no acknowledged write is lost", "a read sees every write acknowledged
 * before it started", "every replica applies the same stream") can only be checked with a client's view of the
 * history. The state machine is deterministic and hashes its applied stream, so replicas are compared cheaply.
 */
import type {ConfChange, LogEntry, NodeId} from '../types.js'
import type {Rng} from '../../../util/rng.js'

/** FNV-1a over a string, 32 bits, with a chosen offset basis (two bases give a 64-bit-ish pair). */
function fnv(s: string, basis: number): number {
  let h = basis >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function hashText(s: string): string {
  return fnv(s, 0x811c9dc5).toString(16).padStart(8, '0') + fnv(s, 0x12345679).toString(16).padStart(8, '0')
}

export interface KvCommand {
  /** Request id: the same id applied twice takes effect once. */
  r: string
  k: string
  v: string
}

export class KvFsm {
  kv = new Map<string, string>()
  /** Request id → index where it first took effect. */
  seen = new Map<string, number>()
  applied = 0
  /** A running hash of every entry applied (index, term, kind, data): equal streams give equal hashes. */
  stream = '0'

  apply(e: LogEntry): void {
    if (e.kind === 'cmd') {
      const c = JSON.parse(e.data) as KvCommand
      if (!this.seen.has(c.r)) {
        this.seen.set(c.r, e.index)
        this.kv.set(c.k, c.v)
      }
    }
    this.applied = e.index
    this.stream = hashText(`${this.stream}|${e.index}|${e.term}|${e.kind}|${e.data}`)
  }

  serialize(): string {
    return JSON.stringify({kv: [...this.kv], seen: [...this.seen], applied: this.applied, stream: this.stream})
  }

  restore(data: string): void {
    const s = JSON.parse(data) as {kv: Array<[string, string]>; seen: Array<[string, number]>; applied: number; stream: string}
    this.kv = new Map(s.kv)
    this.seen = new Map(s.seen)
    this.applied = s.applied
    this.stream = s.stream
  }

  hash(): string {
    return hashText(this.serialize())
  }
}

export type ClientRequest =
  | {kind: 'write'; reqId: string; data: string}
  | {kind: 'read'; reqId: string; key: string}
  | {kind: 'conf'; reqId: string; change: ConfChange}

export type ClientReply =
  | {ok: true; index: number; value?: string}
  | {ok: false; kind: 'not-leader'; leader: NodeId | null}
  | {ok: false; kind: 'busy'}
  | {ok: false; kind: 'unknown'}

export type OpSpec = {kind: 'write'; key: string; value: string} | {kind: 'read'; key: string} | {kind: 'conf'; change: ConfChange}

interface Op {
  spec: OpSpec
  reqId: string
  invokedAt: number
  /** For reads: the highest index of a write acknowledged before this read started. */
  ackedBefore: number
}

/** What a client needs from the simulation. */
export interface ClientPort {
  now(): number
  after(ms: number, run: () => void): void
  /** Nodes a client may talk to. */
  nodes(): NodeId[]
  /** Delivers a request to a node; the reply may never come (node down or paused). */
  submit(node: NodeId, req: ClientRequest, reply: (r: ClientReply) => void): void
  /** False once the run no longer wants new operations. */
  acceptingOps(): boolean
}

/** What the checker learns from clients. */
export interface WorkloadObserver {
  maxAckedIndex(): number
  writeAcked(reqId: string, index: number): void
  readDone(reqId: string, key: string, index: number, ackedBefore: number): void
  confDone(change: ConfChange, index: number): void
  unknownOutcome(): void
}

export interface ClientOptions {
  attemptTimeoutMs: number
  thinkMinMs: number
  thinkMaxMs: number
}

/** One closed-loop client: one operation at a time, retried with the same request id until it completes. */
export class Client {
  private seq = 0
  private op: Op | null = null
  private attempt = 0
  private leaderGuess: NodeId | null = null
  completed = 0
  attempts = 0

  constructor(
    readonly name: string,
    private readonly rng: Rng,
    private readonly port: ClientPort,
    private readonly observer: WorkloadObserver,
    private readonly makeOp: () => OpSpec | null,
    private readonly opts: ClientOptions,
  ) {}

  get busy(): boolean {
    return this.op !== null
  }

  describe(): string {
    return this.op ? `${this.name}: ${this.op.reqId} ${this.op.spec.kind} since ${this.op.invokedAt.toFixed(1)}ms (${this.attempts} attempts)` : `${this.name}: idle`
  }

  start(): void {
    this.port.after(this.rng.float(this.opts.thinkMinMs, this.opts.thinkMaxMs), () => this.next())
  }

  private next(): void {
    if (this.op || !this.port.acceptingOps()) return
    const spec = this.makeOp()
    if (!spec) {
      this.start()
      return
    }
    this.op = {spec, reqId: `${this.name}-${++this.seq}`, invokedAt: this.port.now(), ackedBefore: this.observer.maxAckedIndex()}
    this.attempts = 0
    this.tryOnce()
  }

  private tryOnce(): void {
    const op = this.op
    if (!op) return
    const a = ++this.attempt
    this.attempts++
    const nodes = this.port.nodes()
    const target = this.leaderGuess && nodes.includes(this.leaderGuess) ? this.leaderGuess : this.rng.pick(nodes)
    this.port.after(this.opts.attemptTimeoutMs, () => {
      if (this.attempt !== a || this.op !== op) return
      this.leaderGuess = null
      this.tryOnce()
    })
    let req: ClientRequest
    if (op.spec.kind === 'write') req = {kind: 'write', reqId: op.reqId, data: JSON.stringify({r: op.reqId, k: op.spec.key, v: op.spec.value})}
    else if (op.spec.kind === 'read') req = {kind: 'read', reqId: `${op.reqId}#${a}`, key: op.spec.key}
    else req = {kind: 'conf', reqId: op.reqId, change: op.spec.change}
    this.port.submit(target, req, (reply) => {
      if (this.attempt !== a || this.op !== op) return
      this.onReply(op, reply)
    })
  }

  private retry(delayMs: number): void {
    const a = ++this.attempt
    this.port.after(delayMs, () => {
      if (this.attempt === a) this.tryOnce()
    })
  }

  private onReply(op: Op, r: ClientReply): void {
    if (r.ok) {
      if (op.spec.kind === 'write') this.observer.writeAcked(op.reqId, r.index)
      else if (op.spec.kind === 'read') this.observer.readDone(op.reqId, op.spec.key, r.index, op.ackedBefore)
      else this.observer.confDone(op.spec.change, r.index)
      this.op = null
      this.attempt++
      this.completed++
      this.start()
      return
    }
    switch (r.kind) {
      case 'not-leader':
        this.leaderGuess = r.leader
        this.retry(r.leader ? 1 : this.rng.float(20, 80))
        return
      case 'busy':
        this.retry(this.rng.float(20, 80))
        return
      case 'unknown':
        this.observer.unknownOutcome()
        this.retry(this.rng.float(5, 30))
        return
    }
  }
}

/** The operations a key-value client issues: mostly writes over a few keys, some reads. */
export function kvOps(rng: Rng, keys: number, readRatio: number): () => OpSpec {
  let n = 0
  return () => {
    const key = `k${rng.int(0, keys)}`
    if (rng.chance(readRatio)) return {kind: 'read', key}
    return {kind: 'write', key, value: `v${++n}`}
  }
}
