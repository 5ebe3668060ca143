/**
 * A write load generator for InfluxDB 1.x HTTP endpoints (the dev cluster's data nodes or any real node): batches of
 * line protocol POSTed to /write at a target rate or as fast as the node takes them, with a fixed number of requests
 * in flight. It records every answer by status and body (so `500 write failed: hinted handoff queue not empty` and
 * `500 partial write` are counted apart), latency percentiles, and points acknowledged. It never retries unless asked:
 * `retries` reproduces the retry amplification the hinted-handoff seed warns about (a 500 whose points were in fact
 * queued, sent again).
 *
 * Points are deterministic for a seed: series `medic_load,host=h<k>,region=r<k%4>`, fields `value` (float) and
 * `seq` (integer), and each point has a distinct nanosecond timestamp, so a later check can count them exactly.
 */
import {type Auth, authHeaders} from '../probe/auth.js'
import {Rng} from '../util/rng.js'

/** https trust for the load's connections (--ca, --insecure). */
export interface LoadTls {
  insecure?: boolean
  ca?: string | Buffer
}

export interface LoadOptions {
  /** Base URL of the node: http://127.0.0.1:8086 */
  url: string
  db: string
  rp?: string
  consistency?: 'any' | 'one' | 'quorum' | 'all'
  precision?: 'ns'
  /** Points per request. */
  batchSize: number
  /** Requests in flight. */
  concurrency: number
  /** Distinct series. */
  series: number
  /** Points per second overall; undefined = as fast as possible. */
  rate?: number
  /** Stop after this many points... */
  points?: number
  /** ...or after this long (ms), whichever comes first. */
  durationMs?: number
  /** Per-request deadline (ms). */
  timeoutMs: number
  /** Retries of a request answered 5xx or not answered at all (0 = never, the default). */
  retries: number
  /** Basic or JWT (signed afresh for each request, as a long run outlives one token), sent as Authorization. */
  auth?: Auth
  tls?: LoadTls
  seed?: number
  /** Called about once a second with the figures so far (for a live line). */
  onProgress?: (p: LoadReport) => void
  signal?: AbortSignal
}

export interface Outcome {
  /** "204", "500 write failed: hinted handoff queue not empty", "error connect ECONNREFUSED". */
  key: string
  status?: number
  count: number
  points: number
}

export interface LoadReport {
  url: string
  elapsedMs: number
  requests: number
  retries: number
  /** Points in requests answered 2xx (acknowledged). */
  pointsAcknowledged: number
  /** Points sent, retries included. */
  pointsSent: number
  pointsPerSecond: number
  latencyMs: {p50: number; p90: number; p99: number; max: number}
  outcomes: Outcome[]
  /** The first and last timestamps (ns, as strings) of the points this run generated. */
  firstTimeNs?: string
  lastTimeNs?: string
}

const ENCODER = new TextEncoder()

/** undici's connect options: the connect deadline and, for https, the CA or no verification. */
export function connectOptions(timeoutMs: number, tls: LoadTls = {}): Record<string, unknown> {
  const connect: Record<string, unknown> = {timeout: timeoutMs}
  if (tls.insecure) connect.rejectUnauthorized = false
  if (tls.ca !== undefined) connect.ca = tls.ca
  return connect
}

/** Runs the load until `points`, `durationMs` or the signal. Resolves with the report (never rejects on answers). */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const {Pool} = await import('undici')
  const base = new URL(o.url)
  const pool = new Pool(base.origin, {connections: o.concurrency, pipelining: 1, connect: connectOptions(o.timeoutMs, o.tls)})
  const rng = new Rng(o.seed ?? 1, 'load')
  const params = new URLSearchParams({db: o.db})
  if (o.rp) params.set('rp', o.rp)
  if (o.consistency) params.set('consistency', o.consistency)
  const path = `${base.pathname.replace(/\/$/, '')}/write?${params}`
  const start = performance.now()
  const startNs = BigInt(Date.now()) * 1_000_000n
  let seq = 0
  let inFlight = 0
  const latencies: number[] = []
  const outcomes = new Map<string, Outcome>()
  const report = (): LoadReport => summarise(o.url, performance.now() - start, latencies, outcomes, counters, startNs, seq)
  const counters = {requests: 0, retries: 0, acked: 0, sent: 0}
  let lastProgress = start

  const record = (key: string, status: number | undefined, points: number) => {
    const out = outcomes.get(key) ?? {key, status, count: 0, points: 0}
    out.count++
    out.points += points
    outcomes.set(key, out)
  }

  const nextBatch = (): {body: Uint8Array; points: number} | undefined => {
    const limit = o.points === undefined ? o.batchSize : Math.min(o.batchSize, o.points - seq)
    if (limit <= 0) return undefined
    const lines: string[] = []
    for (let i = 0; i < limit; i++) {
      const k = seq % o.series
      // Distinct timestamps: the run's start plus the point's sequence number, in nanoseconds.
      lines.push(`medic_load,host=h${k},region=r${k % 4} value=${(rng.next() * 100).toFixed(3)},seq=${seq}i ${startNs + BigInt(seq)}`)
      seq++
    }
    return {body: ENCODER.encode(lines.join('\n') + '\n'), points: limit}
  }

  const send = async (batch: {body: Uint8Array; points: number}): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      counters.requests++
      if (attempt > 0) counters.retries++
      counters.sent += batch.points
      const t0 = performance.now()
      let status: number | undefined
      let key: string
      try {
        const res = await pool.request({method: 'POST', path, body: batch.body, headers: {'content-type': 'text/plain; charset=utf-8', ...authHeaders(o.auth)}, signal: AbortSignal.timeout(o.timeoutMs)})
        status = res.statusCode
        const text = await res.body.text()
        key = status >= 200 && status < 300 ? String(status) : `${status} ${errorText(text)}`
      } catch (err) {
        const e = err as {code?: string; name?: string; message?: string}
        key = `error ${e.name === 'TimeoutError' || e.code === 'UND_ERR_ABORTED' ? 'timeout' : (e.code ?? e.message ?? 'unknown')}`
      }
      latencies.push(performance.now() - t0)
      record(key, status, batch.points)
      if (status !== undefined && status >= 200 && status < 300) {
        counters.acked += batch.points
        return
      }
      const retryable = status === undefined || status >= 500
      if (!retryable || attempt >= o.retries || o.signal?.aborted) return
    }
  }

  await new Promise<void>((resolve) => {
    let finished = false
    const deadline = o.durationMs === undefined ? Infinity : start + o.durationMs
    const finish = () => {
      if (finished) return
      finished = true
      clearInterval(tick)
      resolve()
    }
    const pump = () => {
      if (finished) return
      const now = performance.now()
      if (o.onProgress && now - lastProgress >= 1000) {
        lastProgress = now
        o.onProgress(report())
      }
      if (o.signal?.aborted || now >= deadline || (o.points !== undefined && seq >= o.points)) {
        if (inFlight === 0) finish()
        return
      }
      while (inFlight < o.concurrency) {
        // At a target rate, send only the points due by now; the 250 ms tick comes back for the rest.
        if (o.rate !== undefined && seq >= ((performance.now() - start) / 1000) * o.rate) break
        const batch = nextBatch()
        if (batch === undefined) break
        inFlight++
        void send(batch).finally(() => {
          inFlight--
          pump()
        })
      }
    }
    const tick = setInterval(pump, o.rate === undefined ? 250 : 20)
    o.signal?.addEventListener('abort', pump, {once: true})
    pump()
  })
  await pool.close()
  return report()
}

/** The error text of an InfluxDB answer: the `error` of a JSON body, or the body itself, on one short line. */
function errorText(body: string): string {
  try {
    const v = JSON.parse(body) as {error?: unknown}
    if (typeof v.error === 'string') return v.error.slice(0, 200)
  } catch {
    // not JSON
  }
  return body.trim().replace(/\s+/g, ' ').slice(0, 200)
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function summarise(url: string, elapsedMs: number, latencies: number[], outcomes: Map<string, Outcome>, c: {requests: number; retries: number; acked: number; sent: number}, startNs: bigint, seq: number): LoadReport {
  const sorted = [...latencies].sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    url,
    elapsedMs: Math.round(elapsedMs),
    requests: c.requests,
    retries: c.retries,
    pointsAcknowledged: c.acked,
    pointsSent: c.sent,
    pointsPerSecond: elapsedMs > 0 ? Math.round((c.acked / elapsedMs) * 1000) : 0,
    latencyMs: {p50: round(pct(sorted, 50)), p90: round(pct(sorted, 90)), p99: round(pct(sorted, 99)), max: round(sorted[sorted.length - 1] ?? 0)},
    outcomes: [...outcomes.values()].sort((a, b) => b.count - a.count),
    ...(seq > 0 ? {firstTimeNs: String(startNs), lastTimeNs: String(startNs + BigInt(seq - 1))} : {}),
  }
}
