/**
 * The `httpd` statistic and GET /debug/vars of the data node's HTTP API. The statistic has influxd 1.6.7's value
 * names (checked against its /debug/vars), tagged with the configured `bind` address, so the expvar key is
 * `httpd:<bind>`. /debug/vars is the node's whole registry (node/stats.ts renders it) after `system`
 * ({currentTime, started, uptime} as influxd's system diagnostics give them), `cmdline` and `memstats`.
 */
import {type Statistic, type StatsRegistry, processVars, renderDebugVars} from '../../node/stats.js'

/** influxd's Statistics of the httpd service, under its value names. */
export class HttpdStats {
  req = 0
  reqActive = 0
  reqDurationNs = 0
  queryReq = 0
  queryReqDurationNs = 0
  queryRespBytes = 0
  writeReq = 0
  writeReqActive = 0
  writeReqDurationNs = 0
  writeReqBytes = 0
  pingReq = 0
  statusReq = 0
  pointsWrittenOK = 0
  pointsWrittenDropped = 0
  pointsWrittenFail = 0
  authFail = 0
  clientError = 0
  serverError = 0
  recoveredPanics = 0
  promReadReq = 0
  promWriteReq = 0

  constructor(private readonly bind: string) {}

  /** The statistic, values in the order Go's JSON encoder writes a map (sorted by name). */
  statistic(): Statistic {
    const values: Record<string, number> = {}
    for (const k of Object.keys(this).filter((k) => k !== 'bind').sort()) values[k] = (this as unknown as Record<string, number>)[k]
    return {name: 'httpd', tags: {bind: this.bind}, values}
  }
}

/** Go's time.Time JSON: RFC 3339 with the fraction's trailing zeros dropped (the clock has milliseconds). */
export function goJsonTime(ms: number): string {
  const [head, frac] = new Date(ms).toISOString().slice(0, -1).split('.')
  const f = (frac ?? '').replace(/0+$/, '')
  return `${head}${f === '' ? '' : '.' + f}Z`
}

/** The body of GET /debug/vars. */
export async function debugVarsBody(stats: StatsRegistry, startedMs: number, nowMs: number): Promise<string> {
  const all = await stats.collect()
  const system = {currentTime: goJsonTime(nowMs), started: goJsonTime(startedMs), uptime: Math.max(0, Math.floor((nowMs - startedMs) / 1000))}
  return renderDebugVars(all, {system, ...processVars()})
}
