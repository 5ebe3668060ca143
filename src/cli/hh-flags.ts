/** Flags and argument handling shared by `medic hh inspect | watch | wait`. */
import {Args, Flags} from '@oclif/core'

import {resolve} from 'node:path'

import {usageError} from '../errors.js'
import {HhMonitor} from '../hh/monitor.js'
import {createSampler, lookupHosts, type Target} from '../hh/sampler.js'
import {type HhSettings, readSize, resolveHhSettings} from '../hh/settings.js'
import type {HttpOptions} from '../probe/http.js'
import {formatShortDurationMs} from '../util/duration.js'
import {sh} from '../util/text.js'
import {durationFlag} from './flags.js'
import {httpFlags, type HttpFlagValues, httpOptionsFromFlags} from './probe-flags.js'

/** A byte size as influxd reads it: 10737418240, 10g, 512m, 100k (powers of 1024; hh/settings.ts readSize). */
export const sizeFlag = Flags.custom<number>({
  async parse(input) {
    const r = readSize(input)
    if (!r.ok) throw new Error(`${r.reason}${r.suggestion === undefined ? '' : `; try --max-size ${r.suggestion}`} (bytes such as 10737418240, or 10g, 512m, 100k)`)
    return r.value
  },
})

export const hhDirArg = {
  dir: Args.string({description: 'the hinted-handoff directory of a data node ([hinted-handoff] dir, usually /var/lib/influxdb/hh); taken from --config when omitted'}),
}

export const hhLimitFlags = {
  config: Flags.string({
    char: 'c',
    description: "the data node's influxdb.conf: max-size, max-age, retry-max-interval and the hh directory come from its [hinted-handoff] section",
    env: 'MEDIC_INFLUXDB_CONFIG',
  }),
  'max-size': sizeFlag({description: '[hinted-handoff] max-size per destination node, e.g. 10g (overrides --config; default 10 GiB)', env: 'MEDIC_HH_MAX_SIZE'}),
  'max-age': durationFlag({description: '[hinted-handoff] max-age, e.g. 168h (overrides --config; default 168h)', env: 'MEDIC_HH_MAX_AGE'}),
  meta: Flags.string({description: 'a meta node (host:8091) whose /show-cluster maps destination node ids to host names', env: 'MEDIC_META_URL'}),
  ...httpFlags,
}

export const hhRemoteFlags = {
  url: Flags.string({
    char: 'u',
    description: "a data node's HTTP address (host:8086): read its queues from /debug/vars instead of a directory; repeat for several nodes",
    multiple: true,
  }),
  interval: durationFlag({description: 'time between samples', default: 5_000, env: 'MEDIC_HH_INTERVAL'}),
  window: Flags.integer({description: 'samples in the evaluation window of the rates and the ETA', default: 10, min: 2, max: 60, env: 'MEDIC_HH_WINDOW'}),
  'slow-eta': durationFlag({description: 'a queue that needs longer than this to drain is "slow"', default: 3_600_000, env: 'MEDIC_HH_SLOW_ETA'}),
  'retry-max-interval': durationFlag({
    description: "[hinted-handoff] retry-max-interval: HH's longest pause between delivery attempts after failures; a queue quiet for less is \"retrying\", not \"stalled\" (overrides --config; default 200s, as documented for 1.9+; 10s before)",
    env: 'MEDIC_HH_RETRY_MAX_INTERVAL',
  }),
  'stall-after': durationFlag({description: 'call a queue with data "stalled" after it delivers nothing for this long (default: retry-max-interval plus 10s for one attempt)', env: 'MEDIC_HH_STALL_AFTER'}),
}

/** The directory from the argument or the config's [hinted-handoff] dir. */
export function resolveDir(dir: string | undefined, settings: HhSettings, command: string): string {
  if (dir !== undefined && dir !== '') return dir
  if (settings.configDir) return settings.configDir
  throw usageError('no hinted-handoff directory given', 'no-hh-dir', [
    `medic hh ${command} /var/lib/influxdb/hh`,
    `or read it from the data node's config: medic hh ${command} --config /etc/influxdb/influxdb.conf`,
    ...(command === 'inspect' ? [] : [`or watch data nodes remotely: medic hh ${command} --url http://data-1:8086`]),
  ])
}

/**
 * An empty directory is an empty hh directory only when the data node's config names it ([hinted-handoff] dir):
 * otherwise an empty folder (a typo, the wrong machine) would pass for drained queues.
 */
export function configVouchesFor(dir: string, settings: HhSettings): boolean {
  return settings.configDir !== null && resolve(settings.configDir) === resolve(dir)
}

/** A directory or --url, not both. */
export function resolveTarget(dir: string | undefined, urls: string[] | undefined, settings: HhSettings, command: string): Target {
  if (urls && urls.length > 0) {
    if (dir !== undefined && dir !== '') {
      const both = [sh`medic hh ${command} ${dir}`, sh`medic hh ${command} --url ${urls[0]}`].filter((x): x is string => x !== undefined)
      throw usageError('give a directory or --url, not both', 'dir-and-url', both)
    }
    return {kind: 'http', urls}
  }
  return {kind: 'dir', dir: resolveDir(dir, settings, command)}
}

export interface HhWatchFlags extends HttpFlagValues {
  config?: string
  'max-size'?: number
  'max-age'?: number
  'retry-max-interval'?: number
  url?: string[]
  meta?: string
  window: number
  'slow-eta': number
  'stall-after'?: number
}

/** The deadline, credentials and TLS of every request an hh command makes (only these flags: `hh wait` has a --timeout of its own). */
export async function hhHttpOptions(flags: HttpFlagValues): Promise<HttpOptions> {
  return httpOptionsFromFlags({
    'http-timeout': flags['http-timeout'],
    username: flags.username,
    password: flags.password,
    'jwt-secret': flags['jwt-secret'],
    insecure: flags.insecure,
    ca: flags.ca,
  })
}

/**
 * What `hh watch` and `hh wait` both start from: the limits and their source, the target (a directory or data-node
 * URLs), host names from --meta (a failure there is only a note, passed to `warn`, and a finding), a sampler and a
 * monitor.
 */
export async function openHhMonitor(dir: string | undefined, flags: HhWatchFlags, command: string, warn: (message: string) => void) {
  const settings = await resolveHhSettings({
    configPath: flags.config,
    maxSizeBytes: flags['max-size'],
    maxAgeMs: flags['max-age'],
    retryMaxIntervalMs: flags['retry-max-interval'],
  })
  const target = resolveTarget(dir, flags.url, settings, command)
  const http = await hhHttpOptions(flags)
  const {hosts, findings} = await lookupHosts(flags.meta, http)
  for (const f of findings) warn(f.message)
  if (flags['stall-after'] !== undefined && flags['stall-after'] < settings.retryMaxIntervalMs) {
    warn(`--stall-after ${formatShortDurationMs(flags['stall-after'])} is shorter than HH's back-off (retry-max-interval ${formatShortDurationMs(settings.retryMaxIntervalMs)}): a queue waiting for its next attempt will be called stalled`)
  }
  const sampler = createSampler(target, {
    maxAgeMs: settings.maxAgeMs,
    http,
    acceptEmpty: target.kind === 'dir' && configVouchesFor(target.dir, settings),
    command,
  })
  const monitor = new HhMonitor({settings, window: flags.window, slowEtaMs: flags['slow-eta'], stallAfterMs: flags['stall-after'], hosts})
  return {settings, target, sampler, monitor, metaFindings: findings}
}
