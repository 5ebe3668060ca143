/**
 * What the `medic dev fault ...` commands share: the two-node link arguments, --one-way and --seed, the value flags
 * that need more than oclif's types (a drop rate, a bandwidth, a signed clock skew), and DevFaultCommand, which
 * builds the fault from the parsed command line, puts it in force (devcluster/client/fault-control.ts) and prints
 * the result. Every bad value is a usage error (exit 2) that says what would be accepted.
 */
import {Args, Flags} from '@oclif/core'

import {type FaultPutResult, putFault} from '../devcluster/client/fault-control.js'
import {resolveClusterDir} from '../devcluster/cluster/paths.js'
import {type Fault, LIMITS} from '../devcluster/node/fault-table.js'
import {ExitCode, usageError} from '../errors.js'
import {renderFaultResult} from '../format/dev.js'
import {parseGoDuration} from '../util/duration.js'
import {DevCommand, devDirFlag} from './dev-flags.js'

export const linkArgs = {
  a: Args.string({description: 'one end of the link: a node name (meta-1, data-2, ...)', required: true}),
  b: Args.string({description: 'the other end (a different node)', required: true}),
}

export const oneWayFlag = () => Flags.boolean({description: 'only what A sends to B (the connections A opens to B); B still reaches A. Default: both ways', default: false})

export const seedFlag = () => Flags.integer({description: 'seed of the random choices on this link (the same seed gives the same sequence)', default: 1, min: 0, max: 2 ** 31 - 1})

/** A drop rate: a fraction from 0 to 1 (0.3) or a percentage (30%). */
export const dropRateFlag = Flags.custom<number>({
  async parse(input) {
    const t = input.trim()
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(t)
    const value = pct ? Number(pct[1]) / 100 : /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(t) ? Number(t) : Number.NaN
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new Error(`"${input}" is not a drop rate: give a fraction from 0 to 1 (0.3 drops 30% of the requests) or a percentage (30%)`)
    }
    return value
  },
})

const RATE_UNITS: Record<string, number> = {
  'b': 1, 'kb': 1e3, 'mb': 1e6, 'gb': 1e9, 'kib': 1024, 'mib': 1024 ** 2, 'gib': 1024 ** 3,
  'bit': 1 / 8, 'kbit': 1e3 / 8, 'mbit': 1e6 / 8, 'gbit': 1e9 / 8,
}

/** A bandwidth in bytes per second: 1MB/s, 500KB/s, 2MiB/s, 10Mbit/s (the /s may be left out). */
export function parseBandwidth(input: string): number | string {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)(?:\/s|ps)?$/i.exec(input.trim())
  const unit = m ? RATE_UNITS[m[2].toLowerCase()] : undefined
  if (!m || unit === undefined) return `"${input}" is not a bandwidth: write a number with a unit per second, e.g. 1MB/s, 500KB/s, 2MiB/s or 10Mbit/s`
  const value = Number(m[1]) * unit
  if (!(value >= 1)) return `"${input}" is below 1 byte per second: use partition to cut the link`
  if (value > LIMITS.maxBytesPerSecond) return `"${input}" is more than a loopback link carries: give at most 100GB/s`
  return Math.round(value)
}

export const bandwidthFlag = Flags.custom<number>({
  async parse(input) {
    const v = parseBandwidth(input)
    if (typeof v === 'string') throw new Error(v)
    return v
  },
})

/** A Go duration that may be negative or zero (a clock skew): -30s, 2m, 0s. */
export const skewFlag = Flags.custom<number>({
  async parse(input) {
    const p = parseGoDuration(input.trim())
    if (!p.ok) {
      throw new Error(`"${input}" is not a duration${p.suggestion === undefined ? '' : ` (did you mean ${p.suggestion}?)`}: write a signed number with a unit, e.g. 30s, -2m, 1h`)
    }
    const ms = p.value / 1e6
    if (Math.abs(ms) > LIMITS.maxSkewMs) throw new Error(`"${input}" is more than ten years: give a smaller skew`)
    return ms
  },
})

/** A delay flag's upper bound, checked after parsing (durationFlag checks the syntax and > 0). */
export function checkDelay(name: string, ms: number | undefined): void {
  if (ms !== undefined && ms > LIMITS.maxLatencyMs) throw usageError(`--${name} ${ms / 1000}s: at most 24h`, 'bad-delay', [`--${name} 200ms`])
}

/** The base of `medic dev fault <kind>`: one fault built from the command line, put in force, printed. */
export abstract class DevFaultCommand extends DevCommand {
  static override enableJsonFlag = true

  async run(): Promise<object> {
    const {dir, fault} = await this.parseFault()
    const result: FaultPutResult = await putFault(dir, fault)
    this.out(renderFaultResult(result))
    return this.finish(result, ExitCode.OK)
  }

  /** The cluster folder and the fault this command line asks for (each command parses its own flags). */
  protected abstract parseFault(): Promise<{dir: string; fault: Fault}>
}

/** The folder flag's value as a cluster folder. */
export const clusterDirOf = (flags: {dir?: string}): string => resolveClusterDir(flags.dir)

export const sinceNow = (): string => new Date().toISOString()

export {devDirFlag}
