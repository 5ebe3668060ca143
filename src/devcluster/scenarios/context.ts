/**
 * What a scenario works with: its cluster (nodes by name, faults, restarts through the supervisor), the client side
 * (queries, line-protocol writes, the load generator), the logs (a mark, then the lines written since), waits on
 * conditions with deadlines, medic's diagnosis (diagnose.ts), and the record of the run: what was done, what the
 * operator would have seen, each check with its evidence, and the commands that make the same diagnosis by hand.
 *
 * Waits never sleep a fixed time: they poll a condition until a deadline. A wait for the cluster to do its part
 * (a node back, a leader elected) that runs out ends the scenario as "could not run"; whether the failure reproduced
 * is a check (expectLine and friends), so a reproduction that stops working fails the run instead.
 */
import {closeSync, openSync, readSync, statSync} from 'node:fs'

import {type LoadOptions, type LoadReport, runLoad} from '../../loadgen/run.js'
import {shellQuote} from '../../util/text.js'
import {control} from '../client/control.js'
import {signalDevNode} from '../client/faults.js'
import {type ClusterState, type DataDevNode, type DevNode, loadState, type MetaDevNode} from '../cluster/state.js'
import {createNodeHttpClient, jsonOf, type NodeHttpClient, NodeHttpError, type NodeResponse} from '../node/http-client.js'
import type {LoneMetaNode, ScratchCluster} from './cluster.js'
import {startLoneMeta} from './cluster.js'
import * as diagnose from './diagnose.js'
import type {CheckResult, ConfigOverrides, Observation, OperatorCommand, Scenario, ScenarioMode} from './types.js'

/** The scenario could not run (its cluster did not do its part in time, a request failed): exit 4. */
export class ScenarioAbort extends Error {
  constructor(message: string, readonly code = 'scenario-could-not-run') {
    super(message)
    this.name = 'ScenarioAbort'
  }
}

/** Ends a scenario after a check whose failure makes the rest meaningless (the run is then `failed`, not an error). */
export class ScenarioStop extends Error {
  constructor(readonly check: string) {
    super(`stopped after the failed check ${check}`)
    this.name = 'ScenarioStop'
  }
}

export interface LogMark {
  node: string
  path: string
  offset: number
}

/** A check evaluated again with a wrong expectation (test support: proves the check would catch a wrong diagnosis). */
export interface Mutation {
  check: string
  key: string
  expected: string
  status: 'passed' | 'failed'
}

export interface ContextOptions {
  mode: ScenarioMode
  /** Progress lines (stderr in the command). */
  onProgress?: (message: string) => void
  /** Expectation keys -> wrong values: each check made on such a key is evaluated again against the wrong value. */
  mutate?: Record<string, string>
  signal?: AbortSignal
}

const READ_CAP = 8 * 1024 * 1024

export class ScenarioContext {
  readonly http: NodeHttpClient = createNodeHttpClient({userAgent: 'influx-medic scenario'})
  readonly did: Array<{atMs: number; text: string}> = []
  readonly saw: Observation[] = []
  readonly checks: CheckResult[] = []
  readonly commands: OperatorCommand[] = []
  readonly notes: string[] = []
  readonly mutations: Mutation[] = []
  readonly lone: LoneMetaNode[] = []
  readonly diagnose = diagnose
  private readonly started = performance.now()

  constructor(readonly scenario: Scenario, readonly cluster: ScratchCluster, private readonly options: ContextOptions) {}

  get mode(): ScenarioMode {
    return this.options.mode
  }

  get short(): boolean {
    return this.options.mode === 'short'
  }

  get dir(): string {
    return this.cluster.dir
  }

  /** ` --dir <dir>` for the commands printed (always given: a scenario's folder is never the default one). */
  get dirFlag(): string {
    return ` --dir ${shellQuote(this.cluster.dir)}`
  }

  // ── the cluster ──

  node(name: string): DevNode {
    const n = this.cluster.up.nodes.find((x) => x.name === name)
    if (n === undefined) throw new Error(`the scenario's cluster has no node ${name}`)
    return n
  }

  data(k: number): DataDevNode {
    return this.node(`data-${k}`) as DataDevNode
  }

  meta(k: number): MetaDevNode {
    return this.node(`meta-${k}`) as MetaDevNode
  }

  async state(): Promise<ClusterState> {
    return loadState(this.dir)
  }

  /** SIGKILL, SIGSTOP or SIGCONT straight to the node (`medic dev kill|pause|resume`). */
  async signal(name: string, action: 'kill' | 'pause' | 'resume'): Promise<void> {
    const r = await signalDevNode(this.dir, name, action)
    this.step(`${action === 'kill' ? 'killed' : action === 'pause' ? 'paused' : 'resumed'} ${name} (${r.signal})`)
    this.command(`medic dev ${action} ${name}${this.dirFlag}`, `the same fault by hand`, 'cluster')
  }

  /** `medic dev stop NODE`: SIGTERM through the supervisor. */
  async stop(name: string): Promise<void> {
    await control(await this.state(), 'stop', {node: name, graceMs: 2_000}, 30_000)
    this.step(`stopped ${name} (medic dev stop: SIGTERM)`)
  }

  /** `medic dev start NODE`: resolves once the node answers /ping. */
  async start(name: string): Promise<void> {
    await control(await this.state(), 'start', {node: name}, 60_000)
    this.step(`started ${name} again (medic dev start)`)
  }

  /** A meta node outside the cluster (not joined), in the next free meta slot, with config overrides. */
  async loneMeta(slot: number, overrides: ConfigOverrides = {}): Promise<LoneMetaNode> {
    const n = await startLoneMeta(this.cluster, slot, overrides)
    this.lone.push(n)
    return n
  }

  // ── the client side ──

  private async call(what: string, run: () => Promise<NodeResponse>): Promise<NodeResponse> {
    try {
      return await run()
    } catch (err) {
      const why = err instanceof NodeHttpError ? err.errno ?? err.message : err instanceof Error ? err.message : String(err)
      throw new ScenarioAbort(`${what}: ${why}`, 'scenario-request-failed')
    }
  }

  /** GET or POST on a node's HTTP API; the answer whatever its status (a refused connection aborts the scenario). */
  async request(addr: string, path: string, o: {method?: 'GET' | 'POST'; form?: Record<string, string>; body?: string; timeoutMs?: number; redirects?: number} = {}): Promise<NodeResponse> {
    const url = `http://${addr}${path}`
    const body = o.form ? new URLSearchParams(o.form).toString() : o.body
    const headers: Record<string, string> = o.form ? {'content-type': 'application/x-www-form-urlencoded'} : {}
    return this.call(`${o.method ?? 'GET'} ${url}`, () => this.http.request(url, {method: o.method ?? (body === undefined ? 'GET' : 'POST'), body, headers, timeoutMs: o.timeoutMs ?? 15_000, maxRedirects: o.redirects ?? 0}))
  }

  /** One InfluxQL statement on a data node (POST /query). */
  async query(node: string, q: string, db = ''): Promise<{status: number; body: unknown}> {
    const r = await this.request(this.node(node).httpAddr, '/query', {method: 'POST', form: {q, ...(db ? {db} : {})}})
    return {status: r.status, body: jsonOf(r)}
  }

  /** CREATE DATABASE ... WITH REPLICATION rf, checked. */
  async createDatabase(node: string, db: string, rf: number): Promise<void> {
    const r = await this.query(node, `CREATE DATABASE "${db}" WITH REPLICATION ${rf}`)
    if (r.status !== 200 || JSON.stringify(r.body).includes('"error"')) throw new ScenarioAbort(`CREATE DATABASE ${db} on ${node}: HTTP ${r.status} ${JSON.stringify(r.body)}`)
    this.step(`created database ${db} with replication factor ${rf} (through ${node})`)
  }

  /** POST /write of some lines of line protocol; the answer as the client gets it. */
  async write(node: string, db: string, lines: string[], params: Record<string, string> = {}): Promise<{status: number; body: string}> {
    const qs = new URLSearchParams({db, ...params}).toString()
    const r = await this.request(this.node(node).httpAddr, `/write?${qs}`, {method: 'POST', body: lines.join('\n') + '\n', timeoutMs: 30_000})
    return {status: r.status, body: r.text.trim()}
  }

  /** The load generator of `medic dev write` against a data node. */
  async load(node: string, o: Partial<LoadOptions> & {db: string}): Promise<LoadReport> {
    return runLoad({url: `http://${this.node(node).httpAddr}`, batchSize: 100, concurrency: 2, series: 20, timeoutMs: 15_000, retries: 0, seed: 1, ...o})
  }

  // ── logs ──

  /** Where `node`'s log ends now: the lines written after it are read with linesSince. */
  mark(node: string): LogMark {
    const lone = this.lone.find((n) => n.name === node)
    const path = lone?.logPath ?? this.node(node).logPath
    let offset = 0
    try {
      offset = statSync(path).size
    } catch {
      // no log yet
    }
    return {node, path, offset}
  }

  /** The complete lines written to the mark's log since the mark (at most 8 MiB). */
  linesSince(mark: LogMark): string[] {
    let fd: number
    try {
      fd = openSync(mark.path, 'r')
    } catch {
      return []
    }
    try {
      const size = statSync(mark.path).size
      const len = Math.min(READ_CAP, Math.max(0, size - mark.offset))
      const buf = Buffer.alloc(len)
      const n = readSync(fd, buf, 0, len, mark.offset)
      const text = buf.subarray(0, n).toString('utf8')
      const end = text.lastIndexOf('\n')
      return end < 0 ? [] : text.slice(0, end).split('\n').filter((l) => l.trim() !== '')
    } finally {
      closeSync(fd)
    }
  }

  // ── waiting ──

  private throwIfAborted(): void {
    if (this.options.signal?.aborted) throw new ScenarioAbort('interrupted', 'interrupted')
  }

  /** Polls `cond` until it returns something truthy; undefined when the deadline passes. */
  async within<T>(cond: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms: number, everyMs = 100): Promise<T | undefined> {
    const deadline = Date.now() + ms
    for (;;) {
      this.throwIfAborted()
      const v = await cond()
      if (v) return v
      if (Date.now() >= deadline) return undefined
      await new Promise((r) => setTimeout(r, everyMs))
    }
  }

  /** Like within(), but the scenario cannot go on without it: a timeout ends the run as "could not run". */
  async until<T>(what: string, cond: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 20_000, everyMs = 100): Promise<T> {
    const v = await this.within(cond, ms, everyMs)
    if (v === undefined) throw new ScenarioAbort(`timed out after ${Math.round(ms / 1000)} s waiting for ${what}`, 'scenario-timeout')
    return v
  }

  // ── the record ──

  step(text: string): void {
    this.did.push({atMs: Math.round(performance.now() - this.started), text})
    this.options.onProgress?.(`  ${this.scenario.name}: ${text}`)
  }

  see(kind: Observation['kind'], source: string, text: string): void {
    this.saw.push({kind, source, text})
  }

  note(text: string): void {
    this.notes.push(text)
  }

  /** A command an operator would type (undefined, from sh``, when a value could not be quoted safely: skipped). */
  command(command: string | undefined, why: string, needs: OperatorCommand['needs']): void {
    if (command === undefined || this.commands.some((c) => c.command === command)) return
    this.commands.push({command, why, needs})
  }

  /** Records a check; returns whether it passed. */
  check(id: string, title: string, passed: boolean, o: {expected: string; actual: string; evidence?: string[]}): boolean {
    this.checks.push({id, title, status: passed ? 'passed' : 'failed', expected: o.expected, actual: o.actual, evidence: (o.evidence ?? []).slice(0, 12)})
    this.options.onProgress?.(`  ${this.scenario.name}: ${passed ? 'PASS' : 'FAIL'} ${id}`)
    return passed
  }

  /** A check that the scenario cannot go past: a failure ends the run (as failed). */
  require(passed: boolean, check: string): void {
    if (!passed) throw new ScenarioStop(check)
  }

  /**
   * The diagnosis (`actual`) must be `expected`. `key` names the expectation: with a mutation for it the check is
   * evaluated once more against the wrong value (recorded in `mutations`, never in the run's verdict).
   */
  expectEqual(id: string, title: string, key: string, expected: string, actual: string | undefined | null, evidence: string[] = []): boolean {
    this.mutated(id, key, (want) => actual === want)
    return this.check(id, title, actual === expected, {expected, actual: actual ?? '(none)', evidence})
  }

  /** The diagnosis (a list: finding ids, step ids, verdicts) must include `expected`. */
  expectIncludes(id: string, title: string, key: string, expected: string, actual: readonly string[], evidence: string[] = []): boolean {
    this.mutated(id, key, (want) => actual.includes(want))
    return this.check(id, title, actual.includes(expected), {expected: `${expected} among them`, actual: actual.length > 0 ? actual.join(', ') : '(none)', evidence})
  }

  /**
   * A check whose expectation is not a plain value (an ETA within a band of the real time, a forecast time that the
   * event kept): `judge(undefined)` is the check itself, `judge(wrong)` the same comparison made with the wrong
   * expectation a mutation for `key` gives (a factor, a shift), which must then fail.
   */
  expectJudged(id: string, title: string, key: string, judge: (wrong?: string) => boolean, o: {expected: string; actual: string; evidence?: string[]}): boolean {
    this.mutated(id, key, (want) => judge(want))
    return this.check(id, title, judge(), o)
  }

  private mutated(check: string, key: string, passes: (want: string) => boolean): void {
    const wrong = this.options.mutate?.[key]
    if (wrong !== undefined) this.mutations.push({check, key, expected: wrong, status: passes(wrong) ? 'passed' : 'failed'})
  }

  /**
   * Waits for a line of `mark`'s log matching `re` and records the check; returns the line. The lines seen are
   * evidence either way.
   */
  async expectLine(id: string, title: string, mark: LogMark, re: RegExp, ms: number): Promise<string | undefined> {
    const line = await this.within(() => this.linesSince(mark).find((l) => re.test(l)), ms, 200)
    const tail = line === undefined ? this.linesSince(mark).slice(-5) : [line]
    this.check(id, title, line !== undefined, {
      expected: `${mark.node} logs a line matching ${re.source}`,
      actual: line === undefined ? `no such line within ${Math.round(ms / 1000)} s` : 'logged',
      evidence: tail,
    })
    if (line !== undefined) this.see('log', mark.node, line)
    return line
  }

  /** Elapsed time of the run so far. */
  elapsedMs(): number {
    return Math.round(performance.now() - this.started)
  }

  /** Stops the lone nodes and closes the clients (the cluster is the runner's). */
  async close(): Promise<void> {
    for (const n of this.lone) await n.stop().catch(() => undefined)
    await this.http.close()
    await diagnose.closeProbes()
  }
}
