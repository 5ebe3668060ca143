/**
 * Which InfluxDB Enterprise releases medic has key lists for, and which releases read each key.
 *
 * Sources, per release line 1.6 to 1.12: the data-node and meta-node configuration references of that line
 * (influxdata/docs-v2, content/enterprise_influxdb/v1.x/.../config-{data,meta}-nodes.md, last version of each file),
 * and for the sections data nodes share with open-source InfluxDB ([data], [http], [subscriber], [monitor],
 * [retention], [shard-precreation], [continuous_queries], [logging], [tls], [flux-controller], [[graphite]],
 * [[collectd]], [[opentsdb]], [[udp]]) the `toml:"..."` tags of the OSS source at the matching tag (v1.6.6, v1.7.11,
 * v1.8.10, v1.9.13, v1.10.8, v1.11.9, v1.12.4). Enterprise itself is closed source: a key missing from both can
 * still exist, so medic says "not known to medic", never "influxd ignores it", for keys outside its lists.
 */
import type {OptionSpec, Role} from './options.js'

/** The release lines medic has key lists for, oldest first. */
export const RELEASE_LINES = ['1.6', '1.7', '1.8', '1.9', '1.10', '1.11', '1.12'] as const

/** First and last releases of the rows in options.ts written before the per-release lists (role:section.key). */
const OLDER_ROWS: Record<string, {since?: string; until?: string}> = {
  'data:cluster.allow-out-of-order-writes': {since: '1.8.2'},
  'data:cluster.https-certificate': {since: '1.7'},
  'data:cluster.https-enabled': {since: '1.7'},
  'data:cluster.https-insecure-tls': {since: '1.7'},
  'data:cluster.https-private-key': {since: '1.7'},
  'data:cluster.rpc-resettable-read-timeout': {since: '1.12.3'},
  'data:cluster.rpc-resettable-write-timeout': {since: '1.12.3'},
  'data:data.compact-throughput': {since: '1.7'},
  'data:data.compact-throughput-burst': {since: '1.7'},
  'data:data.series-id-set-cache-size': {since: '1.7'},
  'data:data.validate-keys': {since: '1.7'},
  // The 1.8.2 release notes add it (under the name max-pending-writes, linking to max-writes-pending).
  'data:hinted-handoff.max-writes-pending': {since: '1.8.2'},
  'meta:meta.data-insecure-tls': {since: '1.7'},
  'meta:meta.data-use-tls': {since: '1.7'},
  'meta:meta.ensure-fips': {since: '1.9'},
  'meta:meta.https-insecure-certificate': {since: '1.12.3'},
  'meta:meta.ldap-allowed': {since: '1.7'},
  'meta:meta.password-hash': {since: '1.9'},
  'meta:meta.raft-dialer-auth-required': {since: '1.12.0'},
  'meta:meta.raft-portal-auth-required': {since: '1.12.0'},
  'meta:tls.ciphers': {since: '1.8'},
  'meta:tls.max-version': {since: '1.8'},
  'meta:tls.min-version': {since: '1.8'},
}

export interface Release {
  major: number
  minor: number
  /** Undefined when only the line was given ("1.11"). */
  patch?: number
}

/**
 * What `--influxdb-version` asked for: one release (or line), or every line medic knows (the default). `known` is
 * false for a release outside 1.6–1.12: medic then checks against its nearest list and says it is not sure.
 */
export interface ReleaseTarget {
  release?: Release
  /** "Enterprise 1.11.4", "Enterprise 1.6–1.12". */
  label: string
  known: boolean
  /** The line whose list is used for a release medic has no list for. */
  nearest?: string
}

/** Parses 1.11, 1.11.4, v1.11.4, 1.11.4-c1.11.4 (the OSS part is what counts); undefined otherwise. */
export function parseRelease(input: string): Release | undefined {
  const m = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?(?:-c\d+(?:\.\d+){0,2})?(?:[-+][\w.]*)?$/.exec(input.trim())
  if (!m) return undefined
  return {major: Number(m[1]), minor: Number(m[2]), ...(m[3] === undefined ? {} : {patch: Number(m[3])})}
}

export function releaseTarget(version?: string): ReleaseTarget {
  const all = `Enterprise ${RELEASE_LINES[0]}–${RELEASE_LINES.at(-1)}`
  if (version === undefined) return {label: all, known: true}
  const release = parseRelease(version)
  if (release === undefined) throw new Error(`not a release: ${version}`)
  const line = `${release.major}.${release.minor}`
  const label = `Enterprise ${line}${release.patch === undefined ? '' : `.${release.patch}`}`
  if ((RELEASE_LINES as readonly string[]).includes(line)) return {release, label, known: true}
  const older = release.major < 1 || (release.major === 1 && release.minor < 6)
  return {release, label, known: false, nearest: older ? RELEASE_LINES[0] : RELEASE_LINES.at(-1)}
}

/** Compares two releases; a missing patch counts as `aPatch` / `bPatch` (0 for "from the first", 9999 for "to the last"). */
function compare(a: Release, aPatch: number, b: Release, bPatch: number): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? aPatch) - (b.patch ?? bPatch)
}

/** The releases that read a key, from the row itself or the table of older rows. */
export function keyReleases(spec: OptionSpec, role: Role | undefined): {since?: string; until?: string} {
  if (spec.since !== undefined || spec.until !== undefined) return {since: spec.since, until: spec.until}
  const name = spec.section === '' ? spec.key : `${spec.section}.${spec.key}`
  for (const r of role === undefined ? (['data', 'meta'] as const) : [role]) {
    const x = OLDER_ROWS[`${r}:${name}`]
    if (x) return x
  }
  return {}
}

/** "1.9+", "1.8–1.9", "up to 1.2.1", "" for every release. */
export function describeReleases(r: {since?: string; until?: string}): string {
  if (r.since && r.until) return `${r.since}–${r.until}`
  if (r.since) return `${r.since}+`
  if (r.until) return `up to ${r.until}`
  return ''
}

/**
 * Whether a key is read by the target release, as far as medic knows. Without a release (the default), any release
 * 1.6–1.12 that reads it counts. A release given as a line ("1.11") counts from its first patch for `until` and its
 * last for `since`, so a key added in 1.11.4 is accepted for "1.11".
 */
export function readBy(spec: OptionSpec, role: Role | undefined, target: ReleaseTarget): boolean {
  const {since, until} = keyReleases(spec, role)
  const from = since === undefined ? undefined : parseRelease(since)
  const to = until === undefined ? undefined : parseRelease(until)
  const rel = target.release === undefined || !target.known ? undefined : target.release
  // A line ("1.11") or every known line: a key counts when any release of that range reads it.
  const lo: Release = rel ?? {major: 1, minor: Number((target.nearest ?? RELEASE_LINES[0]).split('.')[1])}
  const hi: Release = rel ?? {major: 1, minor: Number((target.nearest ?? RELEASE_LINES.at(-1) as string).split('.')[1])}
  if (from && compare(hi, 9999, from, 0) < 0) return false
  if (to && compare(lo, 0, to, 9999) > 0) return false
  return true
}
