// A cluster for `medic doctor`'s tests: the fake meta nodes of test/helpers/cluster.ts (real loopback servers with
// /status, /show-cluster, /ping bodies shaped as Enterprise's) and data nodes answering /ping and a /debug/vars body
// written as Enterprise 1.9 writes it (test/hh/debug-vars-body.ts), with queues and write counters the test drives.
// `doctorEnv` is the live environment with the sample clock injected: the test says what time each sample is taken
// and what changes between samples, so verdicts that need minutes show in milliseconds.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {liveEnv, type DoctorEnv, Recording} from '../../src/doctor/env.js'
import {planWith} from '../../src/doctor/run.js'
import type {Access, DoctorPlan} from '../../src/doctor/types.js'
import type {HttpOptions} from '../../src/probe/http.js'
import {FakeCluster, type JoinedCluster, joinedCluster} from '../helpers/cluster.js'
import {FakeDataNode} from '../hh/debug-vars-body.js'

export const VERSION = '1.11.8-c1.11.8'
export const ACCESS: Access = {password: false, jwt: false, insecure: false}

export interface DoctorCluster extends JoinedCluster {
  /** Each data node's statistics, served as its /debug/vars. */
  vars: FakeDataNode[]
}

export async function doctorCluster(fc: FakeCluster, metaCount = 3, dataCount = 2): Promise<DoctorCluster> {
  const c = await joinedCluster(fc, metaCount, dataCount, VERSION)
  const vars = c.datas.map((d) => {
    const n = new FakeDataNode()
    d.routes['/debug/vars'] = (_req, res) => {
      res.writeHead(200, {'content-type': 'application/json', 'x-influxdb-version': VERSION})
      res.end(n.body())
    }
    return n
  })
  return {...c, vars}
}

export function plan(p: Partial<DoctorPlan> = {}): DoctorPlan {
  return planWith({timeoutMs: 10_000, ...p})
}

export interface EnvOptions {
  /** The time of each sample (ms since the epoch); default: 2026-12-01T00:00:00Z plus i intervals. */
  times?: number[]
  /** Called before sample i is taken (i > 0): change the nodes between samples. */
  between?: (i: number) => void
  recording?: Recording
  http?: HttpOptions
  access?: Access
}

export const T0 = Date.parse('2026-12-01T00:00:00Z')

/** liveEnv with an injected sample clock (no sleeping between samples). */
export function doctorEnv(o: EnvOptions = {}): DoctorEnv {
  const env = liveEnv(o.http ?? {}, o.access ?? ACCESS, o.recording)
  return {
    ...env,
    async sampleTime(i, intervalMs) {
      if (i > 0) o.between?.(i)
      const t = o.times?.[i] ?? T0 + i * intervalMs
      o.recording?.sampleTimes.push(t)
      return t
    },
  }
}

/** Writes files into `dir` and returns their paths. */
export function files(dir: string, contents: Record<string, string>): string[] {
  return Object.entries(contents).map(([name, text]) => {
    const p = join(dir, name)
    writeFileSync(p, text)
    return p
  })
}

export {FakeCluster, FakeDataNode, Recording}
