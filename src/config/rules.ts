/**
 * What a senior support engineer checks in a config once it parses: per file (hostname, license, directories,
 * hinted-handoff size against the disk, auth and TLS prerequisites, FIPS, raft timeouts, listen ports, log settings)
 * and across the files of one cluster (auth and shared secrets that must agree, one license, no two nodes with the
 * same name or the same host:port, TLS on both ends of the meta API).
 *
 * Rules read effective values (file, then INFLUXDB_* overrides, then defaults) and skip values that already failed
 * validation. The file system is reached through RuleContext only, so tests can pin free space and certificates.
 */
import {X509Certificate} from 'node:crypto'
import {readFile, stat, statfs} from 'node:fs/promises'
import {isAbsolute} from 'node:path'

import {keyName, type Role} from './options.js'
import type {Finding, Severity} from './types.js'
import {shellQuote} from '../util/text.js'
import {display, type FileModel, get, isDevClusterConfig, originText, type Value, valueFinding} from './validate.js'
import {
  formatBytes, formatDuration, isLoopback, isUnspecified, placeholderKind,
} from './values.js'

export interface RuleContext {
  now: number
  /** Bytes available to the service on the file system holding `path`; undefined when the path does not exist here. */
  freeBytes(path: string): Promise<number | undefined>
  pathKind(path: string): Promise<'file' | 'dir' | 'other' | undefined>
  readText(path: string): Promise<string | undefined>
  /** How many data-node files are being checked together (each one queues for every other data node). */
  dataNodes: number
}

export function fsContext(dataNodes: number): RuleContext {
  return {
    now: Date.now(),
    dataNodes,
    async freeBytes(path) {
      try {
        const s = await statfs(path)
        return Number(s.bavail) * Number(s.bsize)
      } catch {
        return undefined
      }
    },
    async pathKind(path) {
      try {
        const s = await stat(path)
        return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'
      } catch {
        return undefined
      }
    },
    async readText(path) {
      try {
        return await readFile(path, 'utf8')
      } catch {
        return undefined
      }
    },
  }
}

const SERVICE: Record<Role, string> = {meta: 'influxd-meta', data: 'influxd'}

/** Where to put a finding about a key that is absent: on its section header if there is one, else the file. */
function missingAt(model: FileModel, section: string): {line: number | null; column: number | null} {
  const t = model.parsed.tables.find((x) => x.path.length === 1 && x.path[0] === section)
  return {line: t?.pos?.line ?? null, column: t?.pos?.column ?? null}
}

function keyFinding(model: FileModel, section: string, key: string, id: string, severity: Severity, message: string, fix: string): Finding {
  const v = model.values.get(keyName(section, key))
  if (v) return valueFinding(model, v, id, severity, message, fix, true)
  return {id, severity, file: model.path, ...missingAt(model, section), key: keyName(section, key), message, fix}
}

const text = (v: Value | undefined): string => (v?.ok ? (v.str ?? '').trim() : '')
const on = (v: Value | undefined): boolean => v?.ok === true && v.bool === true
const from = (v: Value): string => (v.kind === 'default' ? ' (not set: the default)' : v.origin.kind === 'file' ? '' : ` (from ${originText(v.origin)})`)

// ── per file ─────────────────────────────────────────────────────────────────────────────────────────────────────

export async function fileRules(model: FileModel, ctx: RuleContext): Promise<Finding[]> {
  if (!model.parsed.parsed) return []
  const out: Finding[] = []
  hostnameRule(model, out)
  await licenseRules(model, ctx, out)
  if (model.role === 'data') await dataDirRules(model, ctx, out)
  if (model.role === 'meta') metaRules(model, out)
  if (model.role === 'data') dataAuthRules(model, out)
  await tlsRules(model, ctx, out)
  listenRules(model, out)
  loggingRules(model, out)
  return out
}

function hostnameRule(model: FileModel, out: Finding[]): void {
  if (model.role === null) return
  const role = model.role
  const v = get(model, '', 'hostname')
  if (v === undefined || !v.ok) return
  const h = text(v)
  const ports = role === 'meta' ? '8091 and 8089' : '8088'
  const fix = `hostname = "<this node's DNS name, resolvable from every other node>" at the top of the file (above the first [section]), or INFLUXDB_HOSTNAME; \`hostname -f\` on the node and \`getent hosts <name>\` on the others confirm it`
  if (h === '') {
    out.push(keyFinding(model, '', 'hostname', 'hostname-empty', 'error',
      `hostname is ${v.kind === 'default' ? 'not set' : 'empty'}${v.kind === 'default' ? '' : from(v)}: this ${role} node advertises an address with no host (":${role === 'meta' ? '8091' : '8088'}"), so the other nodes cannot reach it and joining fails with "unable to determine if ... is a meta node"`,
      fix))
    return
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h) || h.includes('/')) {
    out.push(valueFinding(model, v, 'hostname-format', 'error',
      `hostname = ${display(v)}${from(v)} is a URL; it must be a bare host name: influxd builds the addresses ("<hostname>:${role === 'meta' ? '8091' : '8088'}") itself`,
      `hostname = "${h.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[:/].*$/, '')}"`))
    return
  }
  if (/:\d+$/.test(h) && !/^\[|::/.test(h)) {
    out.push(valueFinding(model, v, 'hostname-format', 'error',
      `hostname = ${display(v)}${from(v)} includes a port; influxd appends the ports from the bind addresses itself, so other nodes would dial "${h}:${role === 'meta' ? '8091' : '8088'}"`,
      `hostname = "${h.replace(/:\d+$/, '')}"`))
    return
  }
  if (isLoopback(h) && v.kind !== 'default' && isDevClusterConfig(model)) {
    out.push(valueFinding(model, v, 'hostname-loopback', 'info',
      `hostname = ${display(v)}${from(v)} is a loopback address, as expected in a medic dev cluster: all its nodes run on this machine and reach each other there. On a real cluster this is an error (other nodes would dial themselves)`,
      'nothing to do for a dev cluster; a real node needs its DNS name here'))
    return
  }
  if (isLoopback(h) || isUnspecified(h)) {
    const dflt = v.kind === 'default'
    out.push(keyFinding(model, '', 'hostname', isLoopback(h) ? 'hostname-loopback' : 'hostname-unspecified', 'error',
      dflt
        ? `hostname is not set, and data nodes then advertise "localhost": every other node that dials this one on ${ports} reaches itself instead, so add-data and writes to this node's shards fail`
        : `hostname = ${display(v)}${from(v)} ${isLoopback(h) ? 'is a loopback address' : 'is not an address anyone can dial'}: this ${role} node advertises it on ${ports}, so every other node that uses it dials itself instead (the docs say never to use localhost), and joins fail`,
      fix))
    return
  }
  if (/\s/.test(h)) {
    out.push(valueFinding(model, v, 'hostname-format', 'error', `hostname = ${display(v)}${from(v)} contains white space`, `hostname = "${h.replaceAll(/\s+/g, '')}"`))
    return
  }
  if (h.includes('_')) {
    out.push(valueFinding(model, v, 'hostname-format', 'warning',
      `hostname = ${display(v)}${from(v)} contains an underscore: not valid in DNS host names, and TLS certificate checks reject it`,
      `hostname = "${h.replaceAll('_', '-')}" (and the matching DNS record)`))
  }
}

async function licenseRules(model: FileModel, ctx: RuleContext, out: Finding[]): Promise<void> {
  const key = get(model, 'enterprise', 'license-key')
  const path = get(model, 'enterprise', 'license-path')
  if (key === undefined || path === undefined || !key.ok || !path.ok) return
  const k = text(key)
  const p = text(path)
  const service = model.role ? SERVICE[model.role] : 'influxd'
  if (k !== '' && p !== '') {
    out.push({
      ...valueFinding(model, key, 'license-both', 'error',
        `both license-key${from(key)} and license-path${from(path)} are set: they are mutually exclusive, set exactly one`,
        'keep license-key on hosts that reach portal.influxdata.com over HTTPS (it is re-checked every 4 hours); keep license-path (an offline JSON license file) on hosts that cannot; delete the other line', true),
      related: path.pos ? [{file: model.path, line: path.pos.line, column: path.pos.column, key: 'enterprise.license-path'}] : undefined,
    })
  } else if (k === '' && p === '' && isDevClusterConfig(model)) {
    out.push({
      id: 'license-missing', severity: 'info', file: model.path, ...missingAt(model, 'enterprise'), key: 'enterprise.license-key',
      message: `no license-key or license-path: a medic dev node still starts (with a warning; \`medic dev up\` writes a dev license file and sets license-path), ${service} itself would abort start-up without one`,
      fix: 'nothing to do for a dev cluster; a real node needs [enterprise] license-key or license-path',
    })
  } else if (k === '' && p === '') {
    out.push({
      id: 'license-missing', severity: 'error', file: model.path, ...missingAt(model, 'enterprise'), key: 'enterprise.license-key',
      message: `neither license-key nor license-path is set under [enterprise]: ${service} aborts start-up without a valid license`,
      fix: '[enterprise] license-key = "<key from portal.influxdata.com>" (the host needs HTTPS to portal.influxdata.com), or license-path = "/etc/influxdb/license.json" for an offline license file',
    })
  }
  if (k !== '') {
    const kind = placeholderKind(k)
    if (kind) {
      out.push(valueFinding(model, key, 'license-placeholder', 'error',
        kind === 'template'
          ? `license-key${from(key)} is an unrendered template variable, not a key: the license check fails and ${service} stops ("license key verification failed")`
          : `license-key${from(key)} is a placeholder, not a real key: the license check fails and ${service} stops ("license key verification failed")`,
        kind === 'template' ? 'fix the template or its variables (Ansible, Helm, Puppet ...) so the real key is written, then re-deploy the file' : 'paste the key from portal.influxdata.com (Account > Licenses)'))
    } else if (k.startsWith('/') || /\.json$/i.test(k)) {
      out.push(valueFinding(model, key, 'license-key-is-path', 'error',
        `license-key${from(key)} holds a file path: license-key takes the key itself, and the node sends this path to the license portal as a key`,
        'move the path to license-path = "..." and delete license-key'))
    }
  }
  if (p !== '') {
    const kind = placeholderKind(p)
    if (kind) {
      out.push(valueFinding(model, path, 'license-placeholder', 'error',
        `license-path${from(path)} is ${kind === 'template' ? 'an unrendered template variable' : 'a placeholder'}, not a file: ${service} cannot read a license and stops`,
        'set license-path to the JSON license file on this host, e.g. "/etc/influxdb/license.json"'))
    } else if (!p.includes('/') && !/\.json$/i.test(p) && /^[0-9a-z][0-9a-z-]{15,}$/i.test(p)) {
      out.push(valueFinding(model, path, 'license-path-is-key', 'error',
        `license-path${from(path)} holds what looks like a license key, not a file: ${service} tries to open it and influxd-ctl add-data fails with "open <key>: no such file or directory"`,
        'move the value to license-key = "..." and delete license-path'))
    } else if (!isAbsolute(p)) {
      out.push(valueFinding(model, path, 'license-path-relative', 'warning',
        `license-path${from(path)} is relative: it is resolved from the service's working directory (usually /), not from the config file's directory`,
        `license-path = "/etc/influxdb/${p.replace(/^\.\//, '')}"`))
    } else {
      const kindOnDisk = await ctx.pathKind(p)
      if (kindOnDisk === undefined) {
        out.push(valueFinding(model, path, 'license-file-not-found', 'info',
          `license-path ${display(path)} does not exist on this machine; if you are checking the file on its own node, ${service} will not start`,
          `on the node: ls -l ${shellQuote(p)}, and install the license file there`))
      } else if (kindOnDisk === 'file') {
        const body = await ctx.readText(p)
        if (body !== undefined && !isJson(body)) {
          out.push(valueFinding(model, path, 'license-file-invalid', 'error',
            `license-path ${display(path)} is not JSON: an offline license is the JSON file InfluxData sends, used as it is`,
            'replace it with the original license file (not the key, not a copy pasted into an editor)'))
        }
      } else {
        out.push(valueFinding(model, path, 'license-file-invalid', 'error', `license-path ${display(path)} is a directory, not a license file`, 'point license-path at the JSON license file itself'))
      }
    }
  }
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}

async function dataDirRules(model: FileModel, ctx: RuleContext, out: Finding[]): Promise<void> {
  const hhOn = on(get(model, 'hinted-handoff', 'enabled'))
  for (const [section, key, setting, required] of [
    ['meta', 'dir', 'Meta.Dir', true],
    ['hinted-handoff', 'dir', 'HintedHandoff.Dir', hhOn],
  ] as const) {
    const v = model.values.get(keyName(section, key))
    if (v !== undefined && (!v.ok || text(v) !== '')) continue
    const why = section === 'meta'
      ? 'data nodes keep their own copy of the cluster meta data there (client.json)'
      : 'the hinted-handoff queues for unreachable nodes live there, one sub-directory per node'
    out.push({
      ...keyFinding(model, section, key, 'dir-missing', required ? 'error' : 'warning',
        `[${section}] ${key} is ${v ? 'empty' : 'not set'}${v ? from(v) : ''}: ${why}, and influxd refuses to start with "${setting} must be specified"${required ? '' : ' (hinted handoff is disabled here, which may or may not skip the check in your release)'}`,
        `add under [${section}]: ${key} = "/var/lib/influxdb/${section === 'meta' ? 'meta' : 'hh'}"${model.parsed.tables.some((t) => t.path[0] === section) ? '' : ` (the [${section}] header is missing too: configs written for 1.0/1.1 often lack it)`}`),
    })
  }
  const dirs = (['meta.dir', 'hinted-handoff.dir', 'data.dir', 'data.wal-dir'] as const).map((n) => {
    const [s, k] = [n.slice(0, n.lastIndexOf('.')), n.slice(n.lastIndexOf('.') + 1)]
    return {name: n, v: get(model, s, k)}
  }).filter((d) => d.v?.ok && text(d.v) !== '') as Array<{name: string; v: Value}>
  for (const d of dirs) {
    if (!isAbsolute(text(d.v))) {
      out.push(valueFinding(model, d.v, 'dir-relative', 'warning',
        `${d.name} = ${display(d.v)}${from(d.v)} is relative: it is resolved from the service's working directory (usually /), so the data ends up somewhere nobody looks`,
        `${d.v.key} = "/var/lib/influxdb/${text(d.v).replace(/^\.\//, '')}"`))
    }
  }
  for (let i = 0; i < dirs.length; i++) {
    for (let j = i + 1; j < dirs.length; j++) {
      const a = text(dirs[i].v).replace(/\/+$/, '')
      const b = text(dirs[j].v).replace(/\/+$/, '')
      if (a !== b && !b.startsWith(a + '/') && !a.startsWith(b + '/')) continue
      const [outer, inner] = b.startsWith(a + '/') ? [dirs[i], dirs[j]] : [dirs[j], dirs[i]]
      const where = dirs[j].v.kind === 'default' ? dirs[i].v : dirs[j].v
      out.push(valueFinding(model, where, 'dir-shared', 'warning',
        a === b
          ? `${dirs[i].name} and ${dirs[j].name} are the same directory (${a}): the services write files with overlapping names into it and treat each other's files as their own`
          : `${inner.name} (${text(inner.v)}) is inside ${outer.name} (${text(outer.v)}): ${outer.name === 'data.dir' ? 'the storage engine opens every directory under [data] dir as a database' : 'the two services share a tree, and cleaning one touches the other'}`,
        `give each its own directory, e.g. /var/lib/influxdb/{meta,hh,data,wal}`))
    }
  }
  await hintedHandoffRules(model, ctx, out, hhOn)
}

async function hintedHandoffRules(model: FileModel, ctx: RuleContext, out: Finding[], hhOn: boolean): Promise<void> {
  const enabled = get(model, 'hinted-handoff', 'enabled')
  if (enabled?.ok && !hhOn) {
    out.push(valueFinding(model, enabled, 'hh-disabled', 'warning',
      `hinted handoff is disabled${from(enabled)}: while a replica owner is down or slow, writes for it are not queued and retried; they fail or are lost for that replica until anti-entropy or a manual copy repairs the shard`,
      'enabled = true under [hinted-handoff], unless you accept losing replica writes during outages'))
    return
  }
  const size = get(model, 'hinted-handoff', 'max-size')
  const dir = get(model, 'hinted-handoff', 'dir')
  if (size === undefined || !size.ok || size.bytes === undefined) return
  if (size.bytes > 0 && size.bytes < 1 << 20) {
    out.push(valueFinding(model, size, 'hh-max-size-small', 'warning',
      `[hinted-handoff] max-size = ${display(size)}${from(size)} is ${formatBytes(size.bytes)}: the value is in bytes, not MB. A queue that small fills within seconds of an outage and then every write for that node fails with "queue is full"`,
      `max-size = ${size.bytes * 1024 * 1024} (${formatBytes(size.bytes * 1024 * 1024)}, if you meant MB), or the default 10737418240 (10 GiB)`))
    return
  }
  // Only where the directory is really configured (a missing one is an error of its own) and exists here.
  const path = dir?.kind === 'default' ? '' : text(dir)
  if (path === '' || !isAbsolute(path)) return
  const free = await ctx.freeBytes(path)
  if (free === undefined) {
    out.push(valueFinding(model, dir as Value, 'hh-disk-not-checked', 'info',
      `[hinted-handoff] dir ${display(dir as Value)} does not exist on this machine, so max-size was not compared with its free space`,
      `run medic config check on the data node itself, or compare by hand: df -h ${shellQuote(path)}`))
    return
  }
  const peers = Math.max(1, ctx.dataNodes - 1)
  const worst = size.bytes * peers
  if (worst > free) {
    const perPeer = Math.floor((free * 0.5) / peers / (1 << 20)) * (1 << 20)
    out.push(valueFinding(model, size, 'hh-max-size-disk', 'warning',
      `[hinted-handoff] max-size${from(size)} allows ${formatBytes(size.bytes)} per destination node${peers > 1 ? ` (× ${peers} other data nodes = ${formatBytes(worst)})` : ''}, but the file system holding ${path} has ${formatBytes(free)} free: a long outage of ${peers > 1 ? 'other nodes' : 'another node'} fills the disk, and then this node fails every write, not only the queued ones`,
      `lower max-size to what the disk can hold, e.g. max-size = ${Math.max(perPeer, 1 << 20)} (${formatBytes(Math.max(perPeer, 1 << 20))}: half the free space${peers > 1 ? ` over ${peers} queues` : ''}), or give ${path} its own volume`))
  }
}

function metaRules(model: FileModel, out: Finding[]): void {
  const auth = get(model, 'meta', 'auth-enabled')
  const internal = get(model, 'meta', 'internal-shared-secret')
  const shared = get(model, 'meta', 'shared-secret')
  if (on(auth) && internal?.ok && text(internal) === '') {
    out.push(keyFinding(model, 'meta', 'auth-enabled', 'auth-no-internal-secret', 'error',
      `auth-enabled = true${from(auth as Value)} but internal-shared-secret is empty: since 1.6.4 influxd-meta logs an error and refuses to start like this (older releases started and signed node-to-node tokens with an empty secret)`,
      'generate one secret (openssl rand -base64 48) and set it as internal-shared-secret on every meta node and as meta-internal-shared-secret on every data node'))
  }
  if (on(auth) && shared?.ok && text(shared) === '') {
    out.push(keyFinding(model, 'meta', 'auth-enabled', 'auth-no-shared-secret', 'info',
      `auth-enabled = true but shared-secret is empty: basic auth still works on the meta API, but JWT clients (influxd-ctl -auth-type jwt, Chronograf) cannot authenticate`,
      'if you use JWT: shared-secret = "<long random string>" on every meta node (a different value from internal-shared-secret)'))
  }
  for (const s of [internal, shared]) secretPlaceholder(model, s, out)
  const fips = get(model, 'meta', 'ensure-fips')
  const hash = get(model, 'meta', 'password-hash')
  const h = text(hash).toLowerCase()
  if (on(fips) && h.startsWith('bcrypt')) {
    out.push(keyFinding(model, 'meta', hash?.kind === 'default' ? 'ensure-fips' : 'password-hash', 'fips-bcrypt', 'error',
      `ensure-fips = true with password-hash = "bcrypt"${hash?.kind === 'default' ? ' (the default)' : ''}: bcrypt is not FIPS-approved and influxd-meta refuses to start with "passwordhash: not FIPS-ready: config: 'bcrypt'"`,
      'password-hash = "pbkdf2-sha256" (or "pbkdf2-sha512") under [meta]'))
  } else if (hash?.ok && hash.kind !== 'default' && h !== '' && !/^(?:bcrypt|pbkdf2-sha256|pbkdf2-sha512)\b/.test(h)) {
    out.push(valueFinding(model, hash, 'bad-value', 'warning',
      `password-hash = ${display(hash)}${from(hash)} is not a documented algorithm (bcrypt, pbkdf2-sha256, pbkdf2-sha512)`,
      'password-hash = "bcrypt", or "pbkdf2-sha256" where FIPS matters'))
  }
  raftRules(model, out)
}

function secretPlaceholder(model: FileModel, v: Value | undefined, out: Finding[]): void {
  if (!v?.ok || text(v) === '') return
  const kind = placeholderKind(text(v))
  if (!kind) return
  out.push(valueFinding(model, v, 'secret-placeholder', 'warning',
    kind === 'template'
      ? `${v.name}${from(v)} is an unrendered template variable: every node rendered from the same template shares this literal text as its secret`
      : `${v.name}${from(v)} is a well-known placeholder: anyone who has read the docs can sign tokens your cluster accepts`,
    `generate a real secret (openssl rand -base64 48) and set the same value everywhere it must match`))
}

function raftRules(model: FileModel, out: Finding[]): void {
  const t = (k: string) => get(model, 'meta', k)
  const hb = t('heartbeat-timeout')
  const el = t('election-timeout')
  const lease = t('leader-lease-timeout')
  const commit = t('commit-timeout')
  const ms = (v: Value | undefined) => (v?.ok && v.ns !== undefined ? v.ns : undefined)
  for (const [v, min] of [[hb, 5e6], [el, 5e6], [lease, 5e6], [commit, 1e6]] as const) {
    const ns = ms(v)
    if (v && ns !== undefined && ns < min) {
      out.push(valueFinding(model, v, 'raft-timeouts', 'error',
        `${v.name} = ${display(v)}${from(v)} is below raft's floor of ${formatDuration(min)}: the raft library refuses the configuration and influxd-meta does not start`,
        `${v.key} = ${v.spec?.default ?? '"1s"'} (the default)`, true))
    }
  }
  const h = ms(hb)
  const e = ms(el)
  const l = ms(lease)
  if (h !== undefined && l !== undefined && l > h && lease) {
    out.push(valueFinding(model, lease.kind === 'default' ? hb as Value : lease, 'raft-timeouts', 'error',
      `leader-lease-timeout (${formatDuration(l)}) is larger than heartbeat-timeout (${formatDuration(h)}): raft rejects this ("Leader lease timeout cannot be larger than heartbeat timeout") and influxd-meta does not start`,
      `keep leader-lease-timeout at or below heartbeat-timeout, e.g. leader-lease-timeout = "${formatDuration(Math.min(h, 500e6))}"`, true))
  }
  if (h !== undefined && e !== undefined && e < h && el) {
    out.push(valueFinding(model, el.kind === 'default' ? hb as Value : el, 'raft-timeouts', 'error',
      `election-timeout (${formatDuration(e)}) is shorter than heartbeat-timeout (${formatDuration(h)}): raft rejects this ("Election timeout must be equal or greater than Heartbeat Timeout")`,
      `raise them together: election-timeout = "${formatDuration(h)}" (or more)`, true))
  }
}

function dataAuthRules(model: FileModel, out: Finding[]): void {
  const auth = get(model, 'meta', 'meta-auth-enabled')
  const secret = get(model, 'meta', 'meta-internal-shared-secret')
  if (on(auth) && secret?.ok && text(secret) === '') {
    out.push(keyFinding(model, 'meta', 'meta-auth-enabled', 'auth-no-internal-secret', 'error',
      `meta-auth-enabled = true${from(auth as Value)} but meta-internal-shared-secret is empty: this data node cannot sign its requests to the meta nodes, which refuse them once they check node-to-node tokens (1.6.4+)`,
      'meta-internal-shared-secret = "<the internal-shared-secret of the meta nodes>" under [meta]'))
  }
  secretPlaceholder(model, secret, out)
  secretPlaceholder(model, get(model, 'http', 'shared-secret'), out)
}

async function tlsRules(model: FileModel, ctx: RuleContext, out: Finding[]): Promise<void> {
  const role = model.role
  if (role === null) return
  const host = text(get(model, '', 'hostname'))
  const places: Array<{section: string; what: string; clientFacing: boolean}> = role === 'meta'
    ? [{section: 'meta', what: 'the meta API (8091)', clientFacing: false}]
    : [{section: 'cluster', what: 'data-to-data RPC (8088)', clientFacing: false}, {section: 'http', what: 'the HTTP API (8086)', clientFacing: true}]
  for (const p of places) {
    const enabled = get(model, p.section, 'https-enabled')
    if (!on(enabled)) continue
    const cert = get(model, p.section, 'https-certificate')
    const key = get(model, p.section, 'https-private-key')
    if (!cert?.ok) continue
    const c = text(cert)
    if (c === '') {
      out.push(keyFinding(model, p.section, 'https-enabled', 'https-no-certificate', 'error',
        `https-enabled = true under [${p.section}] but https-certificate is empty: ${SERVICE[role]} cannot serve TLS on ${p.what} and fails at start-up`,
        `https-certificate = "/etc/ssl/${role === 'meta' ? 'influxdb-meta' : 'influxdb'}.pem" under [${p.section}] (a PEM file with the certificate, and the key too unless https-private-key is set)`))
      continue
    }
    const kind = await ctx.pathKind(c)
    if (kind === undefined) {
      out.push(valueFinding(model, cert, 'certificate-not-found', 'info',
        `[${p.section}] https-certificate ${display(cert)}${cert.kind === 'default' ? ' (the default)' : ''} does not exist on this machine, so medic could not check it; on the node itself, ${SERVICE[role]} would not start without it`,
        `on the node: openssl x509 -in ${shellQuote(c)} -noout -subject -ext subjectAltName -enddate`))
      continue
    }
    const pem = kind === 'file' ? await ctx.readText(c) : undefined
    if (pem === undefined) continue
    const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0]
    if (block === undefined) {
      out.push(valueFinding(model, cert, 'certificate-invalid', 'error', `[${p.section}] https-certificate ${display(cert)} holds no PEM certificate`, 'point it at the PEM certificate file (-----BEGIN CERTIFICATE-----)'))
      continue
    }
    if (text(key) === '' && !/PRIVATE KEY-----/.test(pem)) {
      out.push(keyFinding(model, p.section, 'https-private-key', 'https-no-private-key', 'error',
        `[${p.section}] https-private-key is empty and ${c} holds no private key: ${SERVICE[role]} needs one of them to serve TLS`,
        `https-private-key = "<the certificate's key file>" under [${p.section}], or append the key to ${c}`))
    }
    let x: X509Certificate
    try {
      x = new X509Certificate(block)
    } catch {
      out.push(valueFinding(model, cert, 'certificate-invalid', 'error', `[${p.section}] https-certificate ${display(cert)}: the certificate cannot be parsed`, 'replace it with a valid PEM certificate'))
      continue
    }
    const until = Date.parse(x.validTo)
    if (until < ctx.now) {
      out.push(valueFinding(model, cert, 'certificate-expired', 'error',
        `the certificate in ${c} expired on ${new Date(until).toISOString().slice(0, 10)}: TLS handshakes on ${p.what} fail`,
        'renew it, then restart the service (data nodes 1.12.3+ also reload TLS on SIGHUP)'))
    } else if (until < ctx.now + 30 * 86_400_000) {
      out.push(valueFinding(model, cert, 'certificate-expiring', 'warning',
        `the certificate in ${c} expires on ${new Date(until).toISOString().slice(0, 10)}, within 30 days`, 'renew it now and schedule the restart'))
    }
    if (host !== '' && !isLoopback(host) && !isUnspecified(host)) {
      const matches = /^[\d.]+$|:/.test(host) ? x.checkIP(host) !== undefined : x.checkHost(host) !== undefined
      if (!matches) {
        out.push(valueFinding(model, cert, 'certificate-hostname', p.clientFacing ? 'warning' : 'error',
          `the certificate in ${c} is not valid for hostname "${host}" (${x.subjectAltName ?? x.subject.replaceAll('\n', ', ')}): ${p.clientFacing ? 'clients that verify certificates refuse the connection' : `other nodes' TLS handshakes fail and the node logs "http: TLS handshake error"`}`,
          `issue the certificate with "${host}" in its subject alternative names, or set hostname to a name the certificate has`))
      }
    }
  }
}

/** The addresses a node listens on, by role. */
export function listenKeys(role: Role): Array<{section: string; key: string; what: string; cluster: boolean}> {
  return role === 'meta'
    ? [{section: 'meta', key: 'bind-address', what: 'raft between meta nodes', cluster: true}, {section: 'meta', key: 'http-bind-address', what: 'the meta API', cluster: true}]
    : [{section: '', key: 'bind-address', what: 'cluster RPC', cluster: true}, {section: 'http', key: 'bind-address', what: 'the HTTP API', cluster: false}]
}

function listenRules(model: FileModel, out: Finding[]): void {
  if (model.role === null) return
  const seen: Array<{v: Value; port: number; host: string}> = []
  for (const l of listenKeys(model.role)) {
    if (l.section === 'http' && !on(get(model, 'http', 'enabled'))) continue
    const v = get(model, l.section, l.key)
    if (!v?.ok || v.addr === undefined) continue
    const {host, port} = v.addr
    if (port === 0) {
      out.push(valueFinding(model, v, 'bad-address', 'error', `${v.name} = ${display(v)}${from(v)}: port 0 makes the kernel pick a random port, which no other node knows`, `${l.key} = ${v.spec?.default ?? '":<port>"'}`))
      continue
    }
    if (isLoopback(host) && isDevClusterConfig(model)) {
      out.push(valueFinding(model, v, 'bind-loopback', 'info',
        `${v.name} = ${display(v)}${from(v)} listens on loopback only, as expected in a medic dev cluster (every node on this machine, nothing reachable from outside); on a real cluster other nodes could not reach ${l.what}`,
        'nothing to do for a dev cluster; a real node listens on ":<port>" or its own address'))
    } else if (isLoopback(host)) {
      out.push(valueFinding(model, v, 'bind-loopback', l.cluster ? 'error' : 'warning',
        `${v.name} = ${display(v)}${from(v)} listens on loopback only: ${l.cluster ? `other nodes cannot reach ${l.what}, so joins and ${model.role === 'meta' ? 'raft' : 'replication'} fail` : 'clients on other hosts cannot reach it (fine only behind a local proxy)'}`,
        `${l.key} = ":${port}" (every interface) or "<this node's address>:${port}"`))
    }
    const clash = seen.find((s) => s.port === port && (s.host === host || s.host === '' || host === '' || isUnspecified(s.host) || isUnspecified(host)))
    if (clash) {
      out.push({
        ...valueFinding(model, v, 'port-conflict', 'error',
          `${v.name}${from(v)} and ${clash.v.name}${from(clash.v)} both listen on port ${port}: the second listener fails with "address already in use" and ${SERVICE[model.role]} stops`,
          `give ${l.key} its own port (default ${v.spec?.default ?? '?'})`),
        ...(clash.v.pos ? {related: [{file: model.path, line: clash.v.pos.line, column: clash.v.pos.column, key: clash.v.name}]} : {}),
      })
    }
    seen.push({v, port, host})
  }
}

function loggingRules(model: FileModel, out: Finding[]): void {
  const level = get(model, 'logging', 'level')
  if (level?.ok && level.kind !== 'default') {
    const l = text(level).toLowerCase()
    if (!['', 'debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'].includes(l)) {
      out.push(valueFinding(model, level, 'bad-value', 'error',
        `[logging] level = ${display(level)}${from(level)} is not a level influxd knows: it stops at start-up with "unrecognized level"`,
        `level = "${l.startsWith('warn') ? 'warn' : l.startsWith('err') ? 'error' : l.startsWith('dbg') || l.startsWith('trace') ? 'debug' : 'info'}" (debug, info, warn or error)`))
    }
  }
  const format = get(model, 'logging', 'format')
  const devEra = {legacy: 'the 1.0-1.1 "[service] 2016/10/18 10:35:21 message" lines', 'legacy-level': 'the 1.2-1.4 "[I] 2017-09-26T14:44:32Z message key=value" lines'} as Record<string, string>
  if (format?.ok && format.kind !== 'default' && devEra[text(format).toLowerCase()] !== undefined && isDevClusterConfig(model)) {
    out.push(valueFinding(model, format, 'log-format-legacy', 'info',
      `[logging] format = ${display(format)}${from(format)}: the medic dev cluster writes ${devEra[text(format).toLowerCase()]} with it, to rehearse reading old logs; real 1.5+ nodes know only auto, logfmt and json`,
      'nothing to do for a dev cluster; a real node uses format = "logfmt" or "json"'))
  } else if (format?.ok && format.kind !== 'default' && !['auto', 'logfmt', 'json', 'console', ''].includes(text(format).toLowerCase())) {
    out.push(valueFinding(model, format, 'bad-value', 'warning',
      `[logging] format = ${display(format)}${from(format)} is not a documented format (auto, logfmt, json)`, 'format = "logfmt" (what log shippers parse best), or "auto"'))
  }
  const index = model.role === 'data' ? get(model, 'data', 'index-version') : undefined
  if (index?.ok && index.kind !== 'default' && !['inmem', 'tsi1'].includes(text(index))) {
    out.push(valueFinding(model, index, 'bad-value', 'warning',
      `[data] index-version = ${display(index)}${from(index)} is neither "inmem" nor "tsi1"`, 'index-version = "tsi1" (or "inmem")'))
  }
}

// ── across nodes ─────────────────────────────────────────────────────────────────────────────────────────────────

function related(model: FileModel, v: Value | undefined, note?: string): Finding['related'] {
  return [{file: model.path, line: v?.pos?.line ?? null, column: v?.pos?.column ?? null, key: v?.name ?? null, ...(note ? {note} : {})}]
}

/** Groups files by a value without ever printing it: "meta-01.conf and meta-02.conf agree; meta-03.conf differs". */
function groups<T>(items: Array<{model: FileModel; v: Value; value: T}>): Array<typeof items> {
  const map = new Map<T, typeof items>()
  for (const i of items) map.set(i.value, [...(map.get(i.value) ?? []), i])
  return [...map.values()].sort((a, b) => b.length - a.length)
}

const names = (ms: FileModel[]): string => ms.map((m) => m.path).join(', ')

export function crossRules(models: FileModel[]): Finding[] {
  const ok = models.filter((m) => m.parsed.parsed && m.role !== null)
  const metas = ok.filter((m) => m.role === 'meta')
  const datas = ok.filter((m) => m.role === 'data')
  const out: Finding[] = []
  if (ok.length < 2) return out

  // Auth: every meta node the same, every data node matching them.
  const metaAuth = metas.map((m) => ({model: m, v: get(m, 'meta', 'auth-enabled') as Value})).filter((x) => x.v?.ok).map((x) => ({...x, value: x.v.bool === true}))
  const authGroups = groups(metaAuth)
  for (const g of authGroups.slice(1)) {
    for (const x of g) {
      out.push({...keyFinding(x.model, 'meta', 'auth-enabled', 'auth-mismatch', 'error',
        `auth-enabled is ${x.value} here but ${!x.value} on ${names(authGroups[0].map((y) => y.model))}: meta nodes must agree, or requests forwarded to the leader are refused on some of them`,
        `auth-enabled = ${authGroups[0][0].value} (the same on every meta node)`), related: related(authGroups[0][0].model, authGroups[0][0].v)})
    }
  }
  const metaAuthOn = authGroups[0]?.[0]?.value
  if (metaAuthOn !== undefined) {
    const ref = authGroups[0][0]
    for (const d of datas) {
      const v = get(d, 'meta', 'meta-auth-enabled')
      if (!v?.ok || (v.bool === true) === metaAuthOn) continue
      out.push({...keyFinding(d, 'meta', 'meta-auth-enabled', 'auth-mismatch', metaAuthOn ? 'error' : 'warning',
        metaAuthOn
          ? `the meta nodes have auth-enabled = true (${ref.model.path}) but this data node has meta-auth-enabled = ${v.bool === true}${from(v)}: it sends no credentials, the meta API answers 401, and the node cannot join or fetch the cluster's meta data`
          : `this data node has meta-auth-enabled = true${from(v)} but the meta nodes have auth-enabled = false (${ref.model.path}): harmless until someone turns meta auth on, but it shows the two sides were configured separately`,
        `meta-auth-enabled = ${metaAuthOn} under [meta] (it must equal the meta nodes' auth-enabled)`), related: related(ref.model, ref.v)})
    }
  }

  // Internal shared secret: meta internal-shared-secret == data meta-internal-shared-secret everywhere.
  const anyAuth = metaAuthOn === true || datas.some((d) => on(get(d, 'meta', 'meta-auth-enabled')))
  const secrets = [
    ...metas.map((m) => ({model: m, v: get(m, 'meta', 'internal-shared-secret') as Value})),
    ...datas.map((m) => ({model: m, v: get(m, 'meta', 'meta-internal-shared-secret') as Value})),
  ].filter((x) => x.v?.ok).map((x) => ({...x, value: text(x.v)}))
  const secretGroups = groups(secrets.filter((s) => s.value !== '' || anyAuth))
  if (secretGroups.length > 1 && secrets.some((s) => s.value !== '')) {
    const major = secretGroups.find((g) => g[0].value !== '') ?? secretGroups[0]
    for (const g of secretGroups) {
      if (g === major) continue
      for (const x of g) {
        const isMeta = x.model.role === 'meta'
        out.push({...keyFinding(x.model, 'meta', isMeta ? 'internal-shared-secret' : 'meta-internal-shared-secret', 'secret-mismatch', anyAuth ? 'error' : 'warning',
          `${isMeta ? 'internal-shared-secret' : 'meta-internal-shared-secret'} ${x.value === '' ? 'is empty here, unlike' : 'differs here from'} the value shared by ${names(major.map((y) => y.model))}${anyAuth ? ': node-to-node tokens signed with one secret fail to verify with the other, so requests between these nodes are refused (401, "signature is invalid")' : ': meta auth is off, so nothing checks it yet, but the first restart with auth on will split the cluster'}`,
          `copy the secret from ${major[0].model.path} (${major[0].model.role === 'meta' ? 'internal-shared-secret' : 'meta-internal-shared-secret'}) so that every meta node's internal-shared-secret and every data node's meta-internal-shared-secret are identical`), related: related(major[0].model, major[0].v, 'the value most nodes share')})
      }
    }
  }
  const shared = groups(metas.map((m) => ({model: m, v: get(m, 'meta', 'shared-secret') as Value})).filter((x) => x.v?.ok).map((x) => ({...x, value: text(x.v)})))
  for (const g of shared.slice(1)) {
    for (const x of g) {
      out.push({...keyFinding(x.model, 'meta', 'shared-secret', 'shared-secret-mismatch', 'warning',
        `shared-secret differs from ${names(shared[0].map((y) => y.model))}: a JWT from influxd-ctl -auth-type jwt or Chronograf works on some meta nodes and fails with "signature is invalid" on the others`,
        `use one shared-secret on every meta node (copy it from ${shared[0][0].model.path})`), related: related(shared[0][0].model, shared[0][0].v)})
    }
  }
  for (const k of ['password-hash', 'ensure-fips'] as const) {
    const g = groups(metas.map((m) => ({model: m, v: get(m, 'meta', k) as Value})).filter((x) => x.v?.ok).map((x) => ({...x, value: display(x.v)})))
    for (const grp of g.slice(1)) {
      for (const x of grp) {
        out.push({...keyFinding(x.model, 'meta', k, 'meta-setting-mismatch', 'warning',
          `${k} is ${x.value} here but ${g[0][0].value} on ${names(g[0].map((y) => y.model))}: user passwords are hashed by whichever meta node is leader, so behaviour changes with every election`,
          `${k} = ${g[0][0].value} on every meta node`), related: related(g[0][0].model, g[0][0].v)})
      }
    }
  }

  // Data nodes hash passwords too, and must use the meta nodes' algorithm (documented for 1.9+).
  const metaHash = groups(metas.map((m) => ({model: m, v: get(m, 'meta', 'password-hash') as Value})).filter((x) => x.v?.ok).map((x) => ({...x, value: text(x.v).toLowerCase()})))
  const hashRef = metaHash[0]?.[0]
  if (hashRef !== undefined) {
    for (const d of datas) {
      const v = get(d, 'meta', 'password-hash')
      if (!v?.ok || text(v).toLowerCase() === hashRef.value) continue
      out.push({...keyFinding(d, 'meta', 'password-hash', 'password-hash-mismatch', 'warning',
        `[meta] password-hash is ${display(v)}${from(v)} on this data node but ${display(hashRef.v)}${from(hashRef.v)} on ${names(metaHash[0].map((y) => y.model))}: the data-node value must be the meta nodes' (1.9+ docs)`,
        `password-hash = ${display(hashRef.v)} under [meta]`), related: related(hashRef.model, hashRef.v)})
    }
  }

  // TLS on both ends of the meta API.
  const metaTls = groups(metas.map((m) => ({model: m, v: get(m, 'meta', 'https-enabled') as Value})).filter((x) => x.v?.ok).map((x) => ({...x, value: x.v.bool === true})))
  const tlsOn = metaTls[0]?.[0]?.value
  if (tlsOn !== undefined) {
    for (const d of datas) {
      const v = get(d, 'meta', 'meta-tls-enabled')
      if (!v?.ok || (v.bool === true) === tlsOn) continue
      out.push({...keyFinding(d, 'meta', 'meta-tls-enabled', 'tls-mismatch', 'error',
        tlsOn
          ? `the meta nodes serve HTTPS (https-enabled = true in ${metaTls[0][0].model.path}) but this data node talks plain HTTP to them (meta-tls-enabled = ${v.bool === true}): every meta request fails`
          : `this data node talks HTTPS to the meta nodes (meta-tls-enabled = true) but they serve plain HTTP (${metaTls[0][0].model.path}): every meta request fails the TLS handshake`,
        `meta-tls-enabled = ${tlsOn} under [meta]`), related: related(metaTls[0][0].model, metaTls[0][0].v)})
    }
  }

  // One license for the cluster.
  const keys = ok.map((m) => ({model: m, v: get(m, 'enterprise', 'license-key') as Value})).filter((x) => x.v?.ok && text(x.v) !== '' && !placeholderKind(text(x.v))).map((x) => ({...x, value: text(x.v)}))
  const keyGroups = groups(keys)
  for (const g of keyGroups.slice(1)) {
    for (const x of g) {
      out.push({...keyFinding(x.model, 'enterprise', 'license-key', 'license-mismatch', 'warning',
        `license-key differs from the one on ${names(keyGroups[0].map((y) => y.model))}: a cluster runs on one license; with several, node limits and expiry dates differ per node and one node can stop when its license lapses`,
        `use the cluster's license key on every node (copy it from ${keyGroups[0][0].model.path})`), related: related(keyGroups[0][0].model, keyGroups[0][0].v)})
    }
  }
  const withPath = ok.filter((m) => text(get(m, 'enterprise', 'license-path')) !== '')
  if (keys.length > 0 && withPath.length > 0) {
    out.push({id: 'license-method-mixed', severity: 'info', file: withPath[0].path, ...missingAt(withPath[0], 'enterprise'), key: 'enterprise.license-path',
      message: `some nodes use license-key (${names(keys.map((k) => k.model))}) and others license-path (${names(withPath)}): make sure the file holds the same cluster license`,
      fix: 'prefer one method for the whole cluster'})
  }

  // Names and ports: no two nodes of one role with one hostname, no two listeners on one host:port.
  const byHost = new Map<string, Array<{model: FileModel; v: Value}>>()
  for (const m of ok) {
    const v = get(m, '', 'hostname')
    const h = text(v).toLowerCase()
    if (!v || h === '' || isLoopback(h) || isUnspecified(h)) continue
    byHost.set(h, [...(byHost.get(h) ?? []), {model: m, v}])
  }
  for (const [h, list] of byHost) {
    for (const role of ['meta', 'data'] as const) {
      const same = list.filter((x) => x.model.role === role)
      for (const x of same.slice(1)) {
        out.push({...valueFinding(x.model, x.v, 'duplicate-hostname', 'error',
          `hostname "${h}" is also the hostname of ${same[0].model.path}: two ${role} nodes cannot advertise one address; the cluster sees one node and the second join fails or replaces the first`,
          `give this node its own hostname (and DNS record)`, true), related: related(same[0].model, same[0].v)})
      }
    }
    const listeners = list.flatMap((x) => listenKeys(x.model.role as Role).map((l) => ({x, l, v: get(x.model, l.section, l.key)}))
      .filter((y) => y.v?.ok && y.v.addr !== undefined && (y.l.section !== 'http' || on(get(x.model, 'http', 'enabled')))))
    for (let i = 0; i < listeners.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = listeners[j]
        const b = listeners[i]
        // Two nodes of one role with one hostname are already an error of their own.
        if (a.x.model === b.x.model || a.x.model.role === b.x.model.role || a.v?.addr?.port !== b.v?.addr?.port) continue
        out.push({...valueFinding(b.x.model, b.v as Value, 'port-conflict', 'error',
          `${b.v?.name} uses port ${b.v?.addr?.port} on host "${h}", and so does ${a.v?.name} in ${a.x.model.path} (same hostname): the second process to start fails with "address already in use"`,
          `use another port for one of them (defaults: meta 8089/8091, data 8088/8086)`), related: related(a.x.model, a.v)})
      }
    }
  }

  if (metas.length >= 2 && metas.length % 2 === 0) {
    out.push({id: 'meta-count-even', severity: 'info', file: metas[0].path, line: null, column: null, key: null,
      message: `${metas.length} meta-node configs were checked: an even number of meta nodes tolerates no more failures than one fewer (3 are recommended)`,
      fix: 'run 3 meta nodes (or 5); ignore this if not every meta node\'s config was given'})
  }
  return out
}

