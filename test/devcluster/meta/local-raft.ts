// A small deterministic stand-in for RaftNodeApi, for the meta API tests only (the real Raft is tested on its own and
// end to end by the lead). One node: bootstrap() makes it leader, propose() applies to the store at once with the
// next index. Tests switch it to follower-with-a-leader, no-leader or un-joined to see 307 and 503 answers, and can
// make the next propose/addVoter/remove fail with a given error.
import {NotLeaderError, type RaftNodeApi} from '../../../src/devcluster/raft/node-api.js'
import type {Role, Server} from '../../../src/devcluster/raft/types.js'
import type {MetaStore} from '../../../src/devcluster/meta/store.js'

export type LocalMode = 'unjoined' | 'leader' | 'follower' | 'no-leader'

export class LocalRaft implements RaftNodeApi {
  mode: LocalMode = 'unjoined'
  private currentTerm = 0
  private index = 0
  private members: Server[] = []
  private otherLeader: Server | null = null
  private readonly listeners: Array<() => void> = []
  /** The next call of propose/addVoter/remove rejects with this error (once). */
  failNext: Error | undefined
  /** Every call, for assertions: ['propose', data] / ['addVoter', id] / ['remove', id] / ['bootstrap']. */
  readonly calls: Array<[string, string?]> = []

  /** Assignable: a test learns the HTTP port only once the API listens. */
  httpAddr: string

  constructor(
    readonly id: string,
    httpAddr: string,
    private readonly store: MetaStore,
  ) {
    this.httpAddr = httpAddr
  }

  /** Makes this node the leader of a one-node cluster (what bootstrap does) without going through the API. */
  lead(): void {
    if (this.members.length === 0) this.members = [{id: this.id, httpAddr: this.httpAddr, voter: true}]
    this.mode = 'leader'
    this.currentTerm++
    this.changed()
  }

  /** A joined follower whose leader is `leader` (added to the members). */
  follow(leader: Server): void {
    if (!this.members.some((s) => s.id === this.id)) this.members.push({id: this.id, httpAddr: this.httpAddr, voter: true})
    if (!this.members.some((s) => s.id === leader.id)) this.members.push(leader)
    this.otherLeader = leader
    this.mode = 'follower'
    this.currentTerm++
    this.changed()
  }

  /** Joined, but no leader is known (an election is going on). */
  loseLeader(): void {
    this.mode = 'no-leader'
    this.otherLeader = null
    this.currentTerm++
    this.changed()
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }

  private takeFailure(): void {
    const f = this.failNext
    if (f !== undefined) {
      this.failNext = undefined
      throw f
    }
  }

  joined(): boolean {
    return this.mode !== 'unjoined'
  }

  role(): Role {
    return this.mode === 'leader' ? 'leader' : 'follower'
  }

  term(): number {
    return this.currentTerm
  }

  leader(): Server | null {
    if (this.mode === 'leader') return {id: this.id, httpAddr: this.httpAddr, voter: true}
    if (this.mode === 'follower') return this.otherLeader
    return null
  }

  peers(): string[] | null {
    return this.joined() ? this.members.map((s) => s.id) : null
  }

  servers(): Server[] {
    return this.members.map((s) => ({...s}))
  }

  appliedIndex(): number {
    return this.index
  }

  async propose(data: string): Promise<unknown> {
    this.calls.push(['propose', data])
    this.takeFailure()
    if (this.mode !== 'leader') throw new NotLeaderError(this.leader())
    this.index++
    return this.store.apply(data, this.index)
  }

  async addVoter(server: {id: string; httpAddr: string}): Promise<void> {
    this.calls.push(['addVoter', server.id])
    this.takeFailure()
    if (this.mode !== 'leader') throw new NotLeaderError(this.leader())
    if (!this.members.some((s) => s.id === server.id)) this.members.push({...server, voter: true})
    this.index++
    this.changed()
  }

  async remove(id: string): Promise<void> {
    this.calls.push(['remove', id])
    this.takeFailure()
    if (this.mode !== 'leader') throw new NotLeaderError(this.leader())
    this.members = this.members.filter((s) => s.id !== id)
    this.index++
    this.changed()
  }

  async bootstrap(): Promise<void> {
    this.calls.push(['bootstrap'])
    if (this.joined()) throw new Error('already part of a cluster')
    this.members = [{id: this.id, httpAddr: this.httpAddr, voter: true}]
    this.index++
    this.lead()
  }

  async barrier(): Promise<void> {
    if (this.mode !== 'leader') throw new NotLeaderError(this.leader())
  }

  async waitApplied(index: number, signal?: AbortSignal): Promise<void> {
    if (this.index >= index) return
    signal?.throwIfAborted()
    throw new Error('LocalRaft applies at once; nothing to wait for')
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener)
  }
}
