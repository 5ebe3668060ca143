// A data node's /debug/vars as InfluxDB Enterprise 1.9 writes it, driven like the real thing: per destination node
// and shard an `hh_processor` entry (keyed by its queue path, tagged node and path) whose queueBytes is what is left,
// bytesRead what was read from the queue AND delivered, bytesWritten what was appended, writeNodeReqFail the failed
// sends; `hh_node` and `hh_database` entries under bare keys that repeat, once per destination node (and database);
// the counters reset to 0 when the node restarts, queueBytes does not (enterprise-1x.md §4.5, §6.6; data-nodes.md §3).
// The body is written by hand because JSON.stringify cannot repeat a key.

export interface QueueState {
  node: string
  shard: string
  db: string
  queueBytes: number
  queueDepth: number
  bytesRead: number
  bytesWritten: number
  writeNodeReq: number
  writeNodeReqFail: number
  writeShardReq: number
}

export class FakeDataNode {
  readonly queues = new Map<string, QueueState>()
  /** Set by tests: a node older than 1.9.8 has no hh_node entries. */
  hhNode = true
  /** The `write` statistic's values (counters since the node started). */
  write: Record<string, number> = {pointReq: 1000, pointReqHH: 40, writeOk: 990, writePartial: 3}
  constructor(readonly hhDir = '/var/lib/influxdb/hh') {}

  private q(node: string, shard: string, db = 'telegraf'): QueueState {
    const key = `${node}/${shard}`
    let q = this.queues.get(key)
    if (!q) {
      q = {node, shard, db, queueBytes: 0, queueDepth: 1, bytesRead: 0, bytesWritten: 0, writeNodeReq: 0, writeNodeReqFail: 0, writeShardReq: 0}
      this.queues.set(key, q)
    }
    return q
  }

  /** Writes for an unavailable owner are appended to its queue. */
  append(node: string, shard: string, bytes: number, db?: string): void {
    const q = this.q(node, shard, db)
    q.queueBytes += bytes
    q.bytesWritten += bytes
    q.writeShardReq++
  }

  /** The processor reads a block and the destination accepts it. */
  deliver(node: string, shard: string, bytes: number): void {
    const q = this.q(node, shard)
    const b = Math.min(bytes, q.queueBytes)
    q.queueBytes -= b
    q.bytesRead += b
    q.writeNodeReq++
  }

  /** A send to the destination fails (down, unreachable, rejecting). */
  fail(node: string, shard: string): void {
    const q = this.q(node, shard)
    q.writeNodeReq++
    q.writeNodeReqFail++
  }

  /** influxd restarts: the counters begin again at 0; the queues on disk stay. */
  restart(): void {
    for (const q of this.queues.values()) {
      q.bytesRead = 0
      q.bytesWritten = 0
      q.writeNodeReq = 0
      q.writeNodeReqFail = 0
      q.writeShardReq = 0
    }
  }

  body(): string {
    const entries: Array<[string, unknown]> = [
      ['system', {currentTime: '2026-11-21T10:00:00Z', started: '2026-11-20T10:00:00Z', uptime: 86400}],
      ['cmdline', ['/usr/bin/influxd', '-config', '/etc/influxdb/influxdb.conf']],
      ['memstats', {Alloc: 123456, TotalAlloc: 999999, BySize: [{Size: 0, Mallocs: 0, Frees: 0}]}],
      ['entitlements', {name: 'entitlements', tags: null, values: {licenseExpiry: '2027-02-15T00:00:00Z', licenseType: 'license-key'}}],
      ['hh:' + this.hhDir, {name: 'hh', tags: {path: this.hhDir}, values: {writeShardReq: 3, writeShardReqPoints: 300}}],
    ]
    const perNode = new Map<string, number>()
    const perDb = new Map<string, QueueState[]>()
    for (const q of this.queues.values()) {
      const path = `${this.hhDir}/${q.node}/${q.shard}`
      entries.push([`hh_processor:${path}`, {
        name: 'hh_processor',
        tags: {node: q.node, path},
        values: {
          bytesRead: q.bytesRead, bytesWritten: q.bytesWritten, queueBytes: q.queueBytes, queueDepth: q.queueDepth, writeBlocked: 0, writeDropped: 0,
          writeNodeReq: q.writeNodeReq, writeNodeReqFail: q.writeNodeReqFail, writeNodeReqPoints: q.writeNodeReq * 10, writeShardReq: q.writeShardReq, writeShardReqPoints: q.writeShardReq * 10,
        },
      }])
      // queueTotalSize is disk bytes: payload plus one 8-byte footer per segment.
      perNode.set(q.node, (perNode.get(q.node) ?? 0) + q.queueBytes + 8 * q.queueDepth)
      const k = `${q.db}\u0000${q.node}`
      perDb.set(k, [...(perDb.get(k) ?? []), q])
    }
    if (this.hhNode) {
      for (const [node, size] of perNode) entries.push(['hh_node', {name: 'hh_node', tags: {node}, values: {queueTotalSize: size}}])
    }
    for (const [k, qs] of perDb) {
      const [db, node] = k.split('\u0000')
      const sum = (f: keyof QueueState) => qs.reduce((s, q) => s + (q[f] as number), 0)
      entries.push(['hh_database', {name: 'hh_database', tags: {db, node}, values: {bytesRead: sum('bytesRead'), bytesWritten: sum('bytesWritten'), queueBytes: sum('queueBytes'), writeNodeReqFail: sum('writeNodeReqFail')}}])
    }
    entries.push(['write', {name: 'write', tags: null, values: {...this.write}}])
    entries.push(['shard:/var/lib/influxdb/data/telegraf/autogen/12:12', {name: 'shard', tags: {id: '12', path: '/var/lib/influxdb/data/telegraf/autogen/12'}, values: {writePointsOk: 5}}])
    return '{\n' + entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n') + '\n}\n'
  }
}
