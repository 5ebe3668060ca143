/**
 * The two `[hinted-handoff]` limits the hh commands judge queues against, and where each value came from:
 *   max-size  per destination node, all its shards together (an append past it fails with `queue is full`)
 *   max-age   head segments whose last write is older than this are purged (silent data loss)
 *   retry-max-interval   the longest pause HH's back-off makes between two delivery attempts: after a failed send
 *             the retry interval doubles (from retry-interval, 1s) up to this cap, so a queue that delivers nothing
 *             for less than it may simply be waiting for its next attempt (judged `retrying`, not `stalled`)
 * Order of precedence: a flag (or its MEDIC_* environment variable), then the data node's influxdb.conf (--config),
 * then Enterprise's documented defaults (10 GiB, 168h, 200s). retry-max-interval was documented as 10s up to 1.8 and
 * as 200s from 1.9 (docs corrected 2022); medic takes the longer one, so a queue backing off is never called stalled
 * early; give --retry-max-interval 10s (or --config) for an older cluster. The config is read with smol-toml, imported
 * only when needed.
 */
import {readFile} from 'node:fs/promises'

import {parseSize as parseConfigSize} from '../config/values.js'
import {fileError, inputError} from '../errors.js'
import {goDurationMs} from '../util/duration.js'
import {DEFAULT_MAX_AGE_MS, DEFAULT_MAX_SIZE_BYTES} from './format.js'

/** `[hinted-handoff] retry-max-interval` as documented for 1.9 and later (10s in the 1.0-1.8 docs). */
export const DEFAULT_RETRY_MAX_INTERVAL_MS = 200_000

export type SettingSource = 'flag' | 'config' | 'default'

export interface HhSettings {
  maxSizeBytes: number
  maxSizeSource: SettingSource
  maxAgeMs: number
  maxAgeSource: SettingSource
  retryMaxIntervalMs: number
  retryMaxIntervalSource: SettingSource
  /** The influxdb.conf that was read, if any. */
  configPath: string | null
  /** `[hinted-handoff] dir` from the config, when set. */
  configDir: string | null
  /** `[hinted-handoff] enabled` from the config, when set. */
  enabled: boolean | null
  /** Facts worth telling the user (e.g. "no [hinted-handoff] section: defaults"). */
  notes: string[]
}

export interface HhConfigValues {
  maxSizeBytes?: number
  maxAgeMs?: number
  retryMaxIntervalMs?: number
  dir?: string
  enabled?: boolean
  hasSection: boolean
  /** Facts about the section worth telling (e.g. a value in a form the node may refuse). */
  notes: string[]
  /**
   * A medic dev cluster's `[medic-dev] time-scale` (`medic dev up --time-scale N`): its nodes run max-age and the
   * retry back-off N times faster than the values written in the file.
   */
  timeScale?: number
}

export interface ResolveOptions {
  configPath?: string
  /** The config's text, already read (`medic doctor --offline` has it from a bundle): configPath only names it. */
  configText?: string
  /** From --max-size (bytes). */
  maxSizeBytes?: number
  /** From --max-age (ms). */
  maxAgeMs?: number
  /** From --retry-max-interval (ms). */
  retryMaxIntervalMs?: number
}

export async function resolveHhSettings(options: ResolveOptions = {}): Promise<HhSettings> {
  let cfg: HhConfigValues = {hasSection: false, notes: []}
  const notes: string[] = []
  if (options.configPath !== undefined) {
    let text: string
    try {
      text = options.configText ?? (await readFile(options.configPath, 'utf8'))
    } catch (err) {
      throw fileError(options.configPath, err)
    }
    cfg = await parseHhConfig(text, options.configPath)
    notes.push(...cfg.notes)
    if (!cfg.hasSection) notes.push(`${options.configPath} has no [hinted-handoff] section: InfluxDB uses the defaults`)
    if (cfg.enabled === false) notes.push(`${options.configPath}: [hinted-handoff] enabled = false (writes to unavailable owners fail instead of queuing)`)
  }
  const pick = <T>(flag: T | undefined, conf: T | undefined, def: T): [T, SettingSource] =>
    flag !== undefined ? [flag, 'flag'] : conf !== undefined ? [conf, 'config'] : [def, 'default']
  const [maxSizeBytes, maxSizeSource] = pick(options.maxSizeBytes, cfg.maxSizeBytes, DEFAULT_MAX_SIZE_BYTES)
  let [maxAgeMs, maxAgeSource] = pick(options.maxAgeMs, cfg.maxAgeMs, DEFAULT_MAX_AGE_MS)
  let [retryMaxIntervalMs, retryMaxIntervalSource] = pick(options.retryMaxIntervalMs, cfg.retryMaxIntervalMs, DEFAULT_RETRY_MAX_INTERVAL_MS)
  const scale = cfg.timeScale ?? 1
  if (scale > 1) {
    // A dev cluster started with --time-scale: judge the queues against the timers the node really runs.
    if (maxAgeSource !== 'flag') maxAgeMs = Math.max(1, Math.round(maxAgeMs / scale))
    if (retryMaxIntervalSource !== 'flag') retryMaxIntervalMs = Math.max(1, Math.round(retryMaxIntervalMs / scale))
    notes.push(`${options.configPath}: a medic dev cluster node with [medic-dev] time-scale = ${scale}: max-age and retry-max-interval run ${scale} times faster than written (in force: max-age ${maxAgeMs / 1000} s, retry-max-interval ${retryMaxIntervalMs / 1000} s, unless given as flags)`)
  }
  return {
    maxSizeBytes,
    maxSizeSource,
    maxAgeMs,
    maxAgeSource,
    retryMaxIntervalMs,
    retryMaxIntervalSource,
    configPath: options.configPath ?? null,
    configDir: cfg.dir ?? null,
    enabled: cfg.enabled ?? null,
    notes,
  }
}

/** Reads the `[hinted-handoff]` section of a data node's influxdb.conf. Bad TOML or a bad value is exit 4. */
export async function parseHhConfig(text: string, path = 'influxdb.conf'): Promise<HhConfigValues> {
  const {parse, TomlError} = await import('smol-toml')
  let doc: Record<string, unknown>
  try {
    doc = parse(text, {integersAsBigInt: 'asNeeded'}) as Record<string, unknown>
  } catch (err) {
    if (err instanceof TomlError) {
      throw inputError(`${path}:${err.line}:${err.column}: not valid TOML (${firstLine(err.message)})`, 'config-invalid-toml', [
        `fix the line, or give the limits as flags instead: --max-size 10g --max-age 168h`,
      ], err)
    }
    throw err
  }
  const dev = doc['medic-dev']
  const rawScale = typeof dev === 'object' && dev !== null && !Array.isArray(dev) ? (dev as Record<string, unknown>)['time-scale'] : undefined
  const timeScale = typeof rawScale === 'bigint' ? Number(rawScale) : rawScale
  const scaled = typeof timeScale === 'number' && Number.isSafeInteger(timeScale) && timeScale > 1 ? {timeScale} : {}
  const section = doc['hinted-handoff']
  if (section === undefined) return {hasSection: false, notes: [], ...scaled}
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw badValue(path, '', section, 'a table')
  }
  const s = section as Record<string, unknown>
  const out: HhConfigValues = {hasSection: true, notes: [], ...scaled}
  if (s['max-size'] !== undefined) {
    // influxd reads sizes as digits with an optional k, m or g (OSS toml.Size); medic judges queues against the
    // limit the node runs with, so nothing laxer is accepted from the config (the --max-size flag is the operator's).
    const raw = s['max-size']
    const v = parseSize(raw)
    if (v === undefined) throw badValue(path, 'max-size', raw, 'a size as influxd reads it: an integer of bytes such as 10737418240, or digits with k, m or g such as "10g"')
    if (typeof raw === 'string') {
      out.notes.push(`${path}: [hinted-handoff] max-size = ${JSON.stringify(raw)} is a string; it is a plain integer in the open-source and clone code, so check that this node accepts it (10737418240 is the safe form)`)
    }
    out.maxSizeBytes = v
  }
  if (s['max-age'] !== undefined) {
    const v = typeof s['max-age'] === 'string' ? goDurationMs(s['max-age'].trim()) : undefined
    if (v === undefined || v <= 0) throw badValue(path, 'max-age', s['max-age'], 'a duration such as "168h0m0s"')
    out.maxAgeMs = v
  }
  if (s['retry-max-interval'] !== undefined) {
    const v = typeof s['retry-max-interval'] === 'string' ? goDurationMs(s['retry-max-interval'].trim()) : undefined
    if (v === undefined || v <= 0) throw badValue(path, 'retry-max-interval', s['retry-max-interval'], 'a duration such as "200s"')
    out.retryMaxIntervalMs = v
  }
  if (typeof s.dir === 'string' && s.dir !== '') out.dir = s.dir
  if (typeof s.enabled === 'boolean') out.enabled = s.enabled
  return out
}

/**
 * A byte size for `[hinted-handoff] max-size` and the --max-size flag: a TOML integer is bytes; a string is read by
 * config/values.ts's parseSize, the one reader of influxd's toml.Size (digits with an optional k, m or g, either case,
 * powers of 1024; no t, no "GiB", no decimals, no spaces), so that medic judges queues against a limit the node would
 * run with. A size of 0, or one past 2^53, is refused (no queue is judged against it). Says why a value is refused and,
 * when there is one, the nearest spelling influxd reads.
 */
export function readSize(v: unknown): {ok: true; value: number} | {ok: false; reason: string; suggestion?: string} {
  if (typeof v === 'bigint' || typeof v === 'number') {
    const n = typeof v === 'bigint' ? (v > 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1) : v
    return Number.isSafeInteger(n) && n > 0 ? {ok: true, value: n} : {ok: false, reason: `${String(v)} is not a size: a positive integer of bytes, or digits with a k, m or g suffix ("10g")`}
  }
  if (typeof v !== 'string') return {ok: false, reason: `${JSON.stringify(v)} is not a size: a positive integer of bytes, or digits with a k, m or g suffix ("10g")`}
  const r = parseConfigSize(v)
  if (!r.ok) return {ok: false, reason: r.reason, ...(r.suggestion === undefined ? {} : {suggestion: r.suggestion.replace(/^"|"$/g, '')})}
  if (r.value <= 0 || !Number.isSafeInteger(r.value)) return {ok: false, reason: `"${v}" is not a size medic can judge a queue against: more than 0 and at most 2^53 bytes`}
  return {ok: true, value: r.value}
}

/** readSize's value, or undefined when the input is not a size. */
export function parseSize(v: unknown): number | undefined {
  const r = readSize(v)
  return r.ok ? r.value : undefined
}

function badValue(path: string, key: string, value: unknown, want: string) {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? value.toString() : JSON.stringify(value)
  return inputError(`${path}: [hinted-handoff]${key ? ` ${key}` : ''} = ${shown} is not ${want}`, 'config-bad-value', [
    'fix the value in the config, or override it with --max-size / --max-age / --retry-max-interval',
  ])
}

function firstLine(s: string): string {
  return s.split('\n')[0]
}
