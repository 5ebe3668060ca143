/**
 * `medic join diagnose`, as a function: walks everything an `influxd-ctl join` / `add-meta` depends on, from the
 * address the operator will type to the config keys on the target node, and never stops early. Each step ends
 * `ok`, `warning`, `fail` or `skipped`, with what it saw and what to do next. No oclif, no printing.
 *
 * The /status request goes through probe/http.ts's getRaw (the one HTTP client), pinned to each resolved address, so
 * that the chain sees the status code, the raw body and the content type of every answer, including 401, 404 and 503.
 * Config files go through config/parse.ts (the same parser as `medic config check`), and a config generated for
 * medic's dev cluster (its [medic-dev] table) is judged as `config check` judges it: loopback addresses and no
 * license are expected there. Secrets are never copied into the result: they are compared by value in memory, and the
 * whole result is scrubbed before it is returned.
 *
 * Everything the node answers is outside input: the body is parsed with a depth limit, and a value from it goes into
 * a suggested command only when it is a plain host:port (otherwise the suggestion is withheld). Two deadlines: each
 * network step has `timeoutMs` (--http-timeout) and the whole run `runTimeoutMs` (--timeout); a step left without
 * time is skipped and counted as not checked.
 */
import {promises as dns} from 'node:dns'
import {connect as netConnect, isIP} from 'node:net'
import {checkServerIdentity, connect as tlsConnect, type PeerCertificate} from 'node:tls'

import type {Entry, ParsedConfig} from '../config/parse.js'
import {SecretSet} from '../config/secrets.js'
import {parseListenAddress, placeholderKind} from '../config/values.js'
import {usageError} from '../errors.js'
import {redact} from '../logs/redact.js'
import {formatShortDurationMs} from '../util/duration.js'
import {isLoopbackHost, isPlainHost, isPlainHostPort, isUnspecifiedHost, joinHostPort, splitHostPort} from '../util/hostport.js'
import {parseJsonBounded} from '../util/json.js'
import {decideOutcome, type Outcome} from '../util/outcome.js'
import {escapeControl, hasControl, shellQuote} from '../util/text.js'
import {checkMetaStatus, type MetaStatus} from '../wire/schemas.js'
import {type Auth, authHeaders} from './auth.js'
import {getRaw} from './http.js'

export type StepStatus = 'ok' | 'warning' | 'fail' | 'skipped'

export interface JoinStep {
  /** Stable id: scripts may rely on it. */
  id: string
  title: string
  status: StepStatus
  /** One sentence: what medic concluded. */
  summary: string
  /** What medic saw (addresses, status codes, config lines). Never secret values. */
  evidence: string[]
  /** The exact next commands or config edits, most useful first. */
  next: string[]
  /** Skipped because medic could not check it (nothing answered, no time left), not because it does not apply. */
  unchecked?: boolean
}

export interface JoinTarget {
  input: string
  scheme: 'http' | 'https'
  host: string
  port: number
  portGiven: boolean
}

export interface JoinReport {
  target: JoinTarget
  /** fail / warning / ok from the steps; unreachable when nothing answered and no config was given; unknown when some steps could not be checked and none failed. */
  verdict: 'ok' | 'warning' | 'fail' | 'unreachable' | 'unknown'
  exitCode: Outcome['exitCode']
  /** False when some steps could not be checked. */
  complete: boolean
  /** True when no part of the target answered and no config was given: nothing could be checked. */
  nothingChecked: boolean
  /** The config given is one `medic dev up` generated: loopback addresses and no license are expected. */
  devCluster: boolean
  counts: Record<StepStatus, number>
  steps: JoinStep[]
  config: {meta: string | null; data: string | null}
}

export type LookupFn = (host: string) => Promise<string[]>

export interface JoinOptions {
  /** influxdb-meta.conf of the target node. */
  metaConfig?: string
  /** influxdb.conf of a data node that will talk to this meta node. */
  dataConfig?: string
  /** Deadline of each network step (--http-timeout). Default 5 s. */
  timeoutMs?: number
  /** Deadline of the whole run (--timeout). Default 15 s. */
  runTimeoutMs?: number
  auth?: Auth
  /** PEM of a CA to judge the node's certificate against (--ca); the system's trust store otherwise. */
  ca?: string | Buffer
  /** Raft port to try; default: the port of the raftAddr the node advertises, else of [meta] bind-address, else 8089. */
  raftPort?: number
  /** Cluster port of the data node; default: bind-address of --data-config, else 8088. */
  dataPort?: number
  /** Name resolution (tests map names to 127.0.0.1). Default: dns.promises.lookup, all addresses. */
  lookup?: LookupFn
}

export const DEFAULT_META_HTTP_PORT = 8091
export const DEFAULT_RAFT_PORT = 8089
export const DEFAULT_DATA_PORT = 8088
const MAX_BODY = 1024 * 1024

/** HOST, HOST:PORT, [v6]:PORT or http(s)://HOST:PORT -> a target. Malformed: usage error (exit 2). */
export function parseTarget(input: string): JoinTarget {
  const raw = input.trim()
  const bad = (why: string) => usageError(`"${escapeControl(redact(input))}" is not a meta node address: ${why}`, 'bad-address', [
    'medic join diagnose meta-2.example.com:8091',
    'give the address exactly as you will give it to influxd-ctl join / add-meta',
  ])
  if (raw === '') throw bad('it is empty')
  if (raw.includes('@')) throw bad('credentials do not belong in the address: use --username with --password or --jwt-secret (or MEDIC_USERNAME, MEDIC_PASSWORD)')
  let scheme: 'http' | 'https' = 'http'
  let rest = raw
  const m = /^([a-z][a-z\d+.-]*):\/\/(.*)$/i.exec(raw)
  if (m) {
    const s = m[1].toLowerCase()
    if (s !== 'http' && s !== 'https') throw bad(`only http:// and https:// are meaningful, not ${s}://`)
    scheme = s
    rest = m[2].replace(/\/.*$/, '')
  } else if (raw.includes('/')) {
    throw bad('it contains a path; give host:port')
  }
  let host: string
  let portText: string | undefined
  if (rest.startsWith('[')) {
    const b = /^\[([^\]]+)\](?::(.*))?$/.exec(rest)
    if (!b) throw bad('unbalanced brackets around an IPv6 address')
    host = b[1]
    portText = b[2]
  } else {
    const colons = (rest.match(/:/g) ?? []).length
    if (colons > 1) {
      if (isIP(rest) === 6) {
        host = rest
      } else {
        throw bad('too many colons (write an IPv6 address in brackets: [fd00::1]:8091)')
      }
    } else {
      const i = rest.indexOf(':')
      host = i === -1 ? rest : rest.slice(0, i)
      portText = i === -1 ? undefined : rest.slice(i + 1)
    }
  }
  if (host === '') throw bad('no host name')
  if (!isPlainHost(host)) throw bad(`the host "${escapeControl(host)}" is neither a host name nor an IP address`)
  let port = DEFAULT_META_HTTP_PORT
  const portGiven = portText !== undefined
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) throw bad(portText === '' ? 'nothing after the colon' : `the port "${escapeControl(portText)}" is not a number`)
    port = Number(portText)
    if (port < 1 || port > 65_535) throw bad(`port ${port} is out of range (1-65535)`)
  }
  return {input, scheme, host, port, portGiven}
}

// --------------------------------------------------------------------------------------------------------- config

interface Conf {
  path: string
  parsed: ParsedConfig
  /** Generated by `medic dev up` (a [medic-dev] table). */
  dev: boolean
  get(section: string, key: string): Entry | undefined
}

async function loadConf(path: string, secrets: SecretSet): Promise<Conf> {
  // Loaded only when a config is given: the two TOML parsers cost ~25 ms of start-up.
  const {parseConfig, readConfigFile} = await import('../config/parse.js')
  const {isDevClusterConfig} = await import('../config/validate.js')
  const {bytes, sizeBytes} = await readConfigFile(path)
  const parsed = parseConfig(path, bytes, sizeBytes)
  for (const e of parsed.entries) secrets.add(e.key, e.value)
  const index = new Map<string, Entry>()
  for (const e of parsed.entries) if (e.path.length <= 2) index.set(`${e.section}\u0000${e.key}`, e)
  return {path, parsed, dev: isDevClusterConfig({parsed}), get: (section, key) => index.get(`${section}\u0000${key}`)}
}

function at(conf: Conf, e: Entry | undefined, section: string, key: string): string {
  const name = section === '' ? key : `[${section}] ${key}`
  if (e === undefined) return `${conf.path}: ${name} is not set`
  return `${conf.path}${e.pos ? `:${e.pos.line}` : ''}: ${name}`
}

function str(e: Entry | undefined): string | undefined {
  return e !== undefined && typeof e.value === 'string' ? e.value : undefined
}

function bool(e: Entry | undefined): boolean | undefined {
  if (e === undefined) return undefined
  if (typeof e.value === 'boolean') return e.value
  if (typeof e.value === 'string') return /^(?:1|t|true)$/i.test(e.value.trim())
  return undefined
}

function listenPort(e: Entry | undefined, fallback: number): {port: number; host: string; from: 'config' | 'default'; bad?: string} {
  const v = str(e)
  if (v === undefined) return {port: fallback, host: '', from: 'default'}
  const p = parseListenAddress(v)
  if (!p.ok) return {port: fallback, host: '', from: 'default', bad: p.reason}
  return {port: p.value.port, host: p.value.host, from: 'config'}
}

/** The port of a host:port from outside, when it is a sound one. */
function portOf(addr: string): number | undefined {
  if (!isPlainHostPort(addr)) return undefined
  return Number(splitHostPort(addr).port)
}

// -------------------------------------------------------------------------------------------------------- network

const defaultLookup: LookupFn = async (host) => (await dns.lookup(host, {all: true})).map((a) => a.address)

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<{ok: true; ms: number} | {ok: false; code: string}> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = netConnect({host, port})
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ok: false, code: 'TIMEOUT'})
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ok: true, ms: Math.round(performance.now() - started)})
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ok: false, code: err.code ?? err.message})
    })
  })
}

interface HttpAnswer {
  status: number
  contentType: string
  text: string
  truncated: boolean
}

/**
 * GET /status on one resolved address of the target, through the project's HTTP client (connectTo keeps the name for
 * the Host header and TLS SNI). Any status code is an answer; an over-size body is cut and flagged, not an error.
 * Certificates are not verified here: the TLS step reads and judges them.
 */
async function getStatus(t: JoinTarget, address: string, timeoutMs: number, headers: Record<string, string>): Promise<{ok: true; answer: HttpAnswer} | {ok: false; code: string}> {
  try {
    const r = await getRaw(`${t.scheme}://${joinHostPort(t.host, t.port)}/status`, {
      connectTo: address, timeoutMs, headers, insecure: true, maxRedirects: 0, maxResponseBytes: MAX_BODY,
      onTooLarge: 'truncate', what: 'the meta node', service: 'meta',
    })
    const contentType = r.headers['content-type']
    return {ok: true, answer: {status: r.status, contentType: String(contentType ?? '').slice(0, 100), text: r.text, truncated: r.truncated === true}}
  } catch (err) {
    const e = err as {code?: string; cause?: {code?: string; cause?: {code?: string}}}
    if (e.code === 'http-timeout') return {ok: false, code: 'TIMEOUT'}
    return {ok: false, code: String(e.cause?.code ?? e.cause?.cause?.code ?? e.code ?? String(err)).slice(0, 100)}
  }
}

function readCertificate(t: JoinTarget, address: string, timeoutMs: number, ca?: string | Buffer): Promise<{ok: true; cert: PeerCertificate; authorized: boolean; authError?: string} | {ok: false; code: string}> {
  return new Promise((resolve) => {
    const socket = tlsConnect({host: address, port: t.port, servername: isIP(t.host) ? undefined : t.host, rejectUnauthorized: false, ...(ca === undefined ? {} : {ca})})
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ok: false, code: 'TIMEOUT'})
    }, timeoutMs)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      const cert = socket.getPeerCertificate()
      const authError = socket.authorizationError === null || socket.authorizationError === undefined ? undefined : String(socket.authorizationError)
      resolve({ok: true, cert, authorized: socket.authorized, authError})
      socket.destroy()
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ok: false, code: err.code ?? err.message})
    })
  })
}

/** A lookup that gives up at the deadline (getaddrinfo itself cannot be cancelled; its answer is then ignored). */
function lookupWithin(lookup: LookupFn, host: string, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), {code: 'TIMEOUT'})), ms)
    lookup(host).then((a) => {
      clearTimeout(timer)
      resolve(a)
    }, (err: unknown) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

/** The /status body read in memory: the status, or why not (and the JSON, for a node type read from a wrong shape). */
type BodyRead =
  | {kind: 'ok'; status: MetaStatus; json: unknown}
  | {kind: 'unparsed'; why: string}
  | {kind: 'shape'; json: unknown; issues: Array<{path: string; message: string}>}

async function readBody(answer: HttpAnswer): Promise<BodyRead> {
  const text = answer.text
  if (answer.truncated) return {kind: 'unparsed', why: `the body is larger than ${MAX_BODY} bytes`}
  if (text.trim() === '') return {kind: 'unparsed', why: 'the body is empty'}
  if (/^\s*</.test(text)) return {kind: 'unparsed', why: `the body is HTML or XML, not JSON (${answer.contentType || 'no content-type'}): a proxy or another web server answered`}
  const parsed = parseJsonBounded(text)
  if (!parsed.ok) return {kind: 'unparsed', why: `the body is not usable JSON: ${parsed.reason}`}
  const r = await checkMetaStatus(parsed.value)
  return r.ok ? {kind: 'ok', status: r.status, json: parsed.value} : {kind: 'shape', json: parsed.value, issues: r.issues}
}

/** A short, secret-free, one-line excerpt of a body for evidence (cut before redaction so it stays cheap). */
const excerpt = (text: string, n: number) => redact(text.slice(0, n * 2)).slice(0, n)

// ---------------------------------------------------------------------------------------------------------- chain

export async function diagnoseJoin(input: string, options: JoinOptions = {}): Promise<JoinReport> {
  const target = parseTarget(input)
  const perStepMs = options.timeoutMs ?? 5_000
  const runMs = options.runTimeoutMs ?? 15_000
  const runEnd = performance.now() + runMs
  const left = () => Math.floor(runEnd - performance.now())
  const stepMs = () => Math.max(0, Math.min(perStepMs, left()))
  const lookup = options.lookup ?? defaultLookup
  const secrets = new SecretSet()
  if (options.auth?.type === 'basic') secrets.add('password', options.auth.password)
  if (options.auth?.type === 'jwt') secrets.add('secret', options.auth.secret)
  // Config files first: an unreadable path is exit 4 before anything is probed.
  const meta = options.metaConfig === undefined ? undefined : await loadConf(options.metaConfig, secrets)
  const data = options.dataConfig === undefined ? undefined : await loadConf(options.dataConfig, secrets)
  const dev = meta?.dev === true
  const devNote = 'as expected in a medic dev cluster (its config has the [medic-dev] table), where every node runs on this machine'

  const steps: JoinStep[] = []
  const add = (s: JoinStep) => steps.push(s)
  const late = (id: string, title: string) => add({id, title, status: 'skipped', summary: `not checked: the run's deadline (--timeout ${formatShortDurationMs(runMs)}) ran out first`, evidence: [], next: [], unchecked: true})
  const hp = joinHostPort(target.host, target.port)
  const scheme = target.scheme
  const statusUrl = `${scheme}://${hp}/status`
  const q = shellQuote
  const metaPath = meta === undefined ? '' : q(meta.path)
  const diagnose = (rest = '') => `medic join diagnose ${q(target.input.trim())}${rest}`

  // 1. The argument.
  if (target.portGiven) {
    add({id: 'argument', title: 'Join argument', status: 'ok', summary: `the address names its port (${target.port})`, evidence: [`argument: ${target.input}`], next: []})
  } else {
    add({
      id: 'argument', title: 'Join argument', status: 'warning',
      summary: `no port in "${target.input}": medic assumed ${DEFAULT_META_HTTP_PORT}; influxd-ctl join needs the port written out`,
      evidence: [`argument: ${target.input}`],
      next: [`influxd-ctl add-meta ${joinHostPort(target.host, DEFAULT_META_HTTP_PORT)}`, `medic join diagnose ${joinHostPort(target.host, DEFAULT_META_HTTP_PORT)}`],
    })
  }

  // 2. Name resolution (its step is added once /status says whether this is a cluster on one machine).
  let addresses: string[] = []
  let resolveError: string | undefined
  const targetLoopback = isLoopbackHost(target.host)
  if (isIP(target.host)) {
    addresses = [target.host]
  } else if (stepMs() < 1) {
    resolveError = 'TIMEOUT'
  } else {
    try {
      addresses = await lookupWithin(lookup, target.host, stepMs())
    } catch (err) {
      resolveError = String((err as NodeJS.ErrnoException).code ?? err)
    }
  }
  const addr = addresses[0]

  // 3. TCP to the HTTP port; then GET /status, whose raftAddr names the Raft port the node really listens on.
  let httpReached = false
  let anyAnswer = false
  const tcp = async (port: number): Promise<{ok: true; ms: number} | {ok: false; code: string} | undefined> => {
    if (addr === undefined) return undefined
    const ms = stepMs()
    if (ms < 1) return {ok: false, code: 'DEADLINE'}
    return tcpConnect(addr, port, ms)
  }
  const tcpStep = (id: string, title: string, r: Awaited<ReturnType<typeof tcp>>, port: number, source: string, role: string, key: string): boolean => {
    if (r === undefined) {
      add({id, title, status: 'skipped', summary: 'skipped: the name did not resolve', evidence: [], next: [], unchecked: true})
      return false
    }
    if (!r.ok && r.code === 'DEADLINE') {
      late(id, title)
      return false
    }
    const where = `${joinHostPort(addr!, port)} (${source})`
    if (r.ok) {
      add({id, title, status: 'ok', summary: `${role} port ${port} accepts connections`, evidence: [`TCP connect ${where}: ok in ${r.ms} ms`], next: []})
      return true
    }
    const service = role.startsWith('data') ? 'influxdb' : 'influxdb-meta'
    add({
      id, title, status: 'fail',
      summary: r.code === 'ECONNREFUSED' ? `nothing listens on ${role} port ${port}` : `cannot connect to ${role} port ${port} (${r.code})`,
      evidence: [`TCP connect ${where}: ${r.code}`],
      next: [
        r.code === 'ECONNREFUSED'
          ? `on ${target.host}: systemctl status ${service}; ss -ltn 'sport = :${port}'`
          : `a firewall may drop packets: open TCP ${port} between all cluster nodes (e.g. firewall-cmd --add-port=${port}/tcp --permanent)`,
        `check ${key} in the node's config`,
      ],
    })
    return false
  }
  const httpTcp = await tcp(target.port)
  httpReached = httpTcp?.ok === true
  const headers = authHeaders(options.auth)
  let httpResult: Awaited<ReturnType<typeof getStatus>> | 'late' | undefined
  let httpMs = perStepMs
  if (httpReached) {
    httpMs = stepMs()
    httpResult = httpMs < 1 ? 'late' : await getStatus(target, addr!, httpMs, headers)
  }
  const answer = httpResult !== undefined && httpResult !== 'late' && httpResult.ok ? httpResult.answer : undefined
  const body = answer !== undefined && answer.status >= 200 && answer.status <= 299 ? await readBody(answer) : undefined
  const status = body?.kind === 'ok' ? body.status : undefined

  // A cluster on one machine (a dev cluster, a test rig): reached on a loopback IP, and the node advertises that same
  // address for itself and for every peer. Loopback addresses are right there; between machines they never are.
  const sameHost = (a: string) => isPlainHostPort(a) && splitHostPort(a).host.toLowerCase() === target.host.toLowerCase()
  const oneMachine = dev || (isIP(target.host) !== 0 && targetLoopback && status !== undefined && (status.peers?.length ?? 0) > 0
    && sameHost(status.httpAddr) && sameHost(status.raftAddr) && (status.peers ?? []).every(sameHost))
  const oneMachineNote = dev ? devNote : `a cluster on one machine: the node and all its peers advertise ${target.host}`

  if (resolveError !== undefined) {
    if (resolveError === 'TIMEOUT' && left() < 1) {
      late('resolve', 'Name resolution')
    } else {
      add({
        id: 'resolve', title: 'Name resolution', status: 'fail',
        summary: `"${target.host}" does not resolve here (${resolveError}); the other nodes will not find it either unless their DNS differs`,
        evidence: [`lookup ${target.host}: ${resolveError}`],
        next: [`getent hosts ${target.host}`, `add "${target.host}" to DNS or to /etc/hosts on every node, or use the address the other nodes can resolve`],
      })
    }
  } else if (addresses.length > 0) {
    const loop = targetLoopback || addresses.every((a) => isLoopbackHost(a))
    add({
      id: 'resolve', title: 'Name resolution',
      status: loop && !oneMachine ? 'warning' : 'ok',
      summary: loop && oneMachine
        ? `"${target.host}" is a loopback address, ${oneMachineNote}; between machines never give a loopback address to influxd-ctl join / add-meta`
        : targetLoopback
          ? `"${target.host}" is a loopback address: it works from this machine only, never give it to influxd-ctl join / add-meta`
          : loop
            ? `"${target.host}" resolves to a loopback address here (${addresses.join(', ')}; often an /etc/hosts line such as 127.0.1.1): fine when medic runs on the node itself, but the other nodes must resolve it to a routable address`
            : `"${target.host}" resolves to ${addresses.join(', ')}`,
      evidence: [`lookup ${target.host}: ${addresses.join(', ')}`],
      next: loop && oneMachine ? [] : targetLoopback
        ? ['use the host name the other nodes resolve (the node\'s "hostname" setting), e.g. influxd-ctl add-meta meta-2.example.com:8091']
        : loop ? [`on another cluster node: getent hosts ${target.host}   (must not be 127.x)`, 'remove the 127.0.1.1 line for this name from /etc/hosts if the other nodes copy it'] : [],
    })
  }

  tcpStep('tcp-http', 'TCP to the meta HTTP port', httpTcp, target.port, target.portGiven ? 'from the argument' : 'the default', 'meta HTTP', 'http-bind-address')
  if (httpReached) anyAnswer = true
  const raftFromConf = meta ? listenPort(meta.get('meta', 'bind-address'), DEFAULT_RAFT_PORT) : undefined
  const advertisedRaft = status === undefined ? undefined : portOf(status.raftAddr)
  const raftPort = options.raftPort ?? advertisedRaft ?? raftFromConf?.port ?? DEFAULT_RAFT_PORT
  const raftSource = options.raftPort !== undefined
    ? '--raft-port'
    : advertisedRaft !== undefined ? 'the raftAddr the node advertises in /status'
      : raftFromConf?.from === 'config' ? `[meta] bind-address in ${meta!.path}` : 'the default'
  if (tcpStep('tcp-raft', 'TCP to the Raft port', await tcp(raftPort), raftPort, raftSource, 'Raft', 'bind-address')) anyAnswer = true
  if (data !== undefined) {
    const dp = listenPort(data.get('', 'bind-address'), DEFAULT_DATA_PORT)
    const port = options.dataPort ?? dp.port
    const src = options.dataPort !== undefined ? '--data-port' : dp.from === 'config' ? `bind-address in ${data.path}` : 'the default'
    if (tcpStep('tcp-data', 'TCP to the data node cluster port', await tcp(port), port, src, 'data cluster', 'bind-address')) anyAnswer = true
  }

  // 4. HTTP GET /status.
  const metaAuthOn = meta ? bool(meta.get('meta', 'auth-enabled')) === true : undefined
  if (!httpReached) {
    add({id: 'http-status', title: 'GET /status', status: 'skipped', summary: 'skipped: the HTTP port could not be reached', evidence: [], next: [], unchecked: true})
  } else if (httpResult === 'late' || httpResult === undefined) {
    late('http-status', 'GET /status')
  } else if (!httpResult.ok) {
    const code = httpResult.code
    const tlsHint = code === 'ECONNRESET' || code.startsWith('HPE_') || /EPROTO|SSL|TLS/i.test(code)
    add({
      id: 'http-status', title: 'GET /status', status: 'fail',
      summary: code === 'TIMEOUT' ? `no answer within ${httpMs} ms (${httpMs < perStepMs ? `what was left of --timeout ${formatShortDurationMs(runMs)}` : '--http-timeout'})` : `the request failed (${code})`,
      evidence: [`GET ${statusUrl}: ${code}`],
      next: [
        ...(tlsHint ? [scheme === 'http'
          ? `the node may serve HTTPS ([meta] https-enabled = true): medic join diagnose https://${hp}`
          : `the node may serve plain HTTP ([meta] https-enabled = false): medic join diagnose http://${hp}`] : []),
        ...(code === 'TIMEOUT' ? [httpMs >= perStepMs ? diagnose(` --http-timeout ${formatShortDurationMs(Math.max(30_000, 2 * perStepMs))} --timeout ${formatShortDurationMs(Math.max(60_000, 4 * perStepMs))}`) : diagnose(` --timeout ${formatShortDurationMs(Math.max(30_000, 2 * runMs))}`)] : []),
        `curl -sS -v ${scheme === 'https' ? '-k ' : ''}${statusUrl}`,
      ],
    })
  } else {
    anyAnswer = true
    const s = answer!.status
    const ev = [`GET ${statusUrl}: HTTP ${s}${answer!.contentType ? ` (${answer!.contentType})` : ''}`]
    const snippet = excerpt(answer!.text.trim(), 160)
    if (snippet !== '' && (s < 200 || s > 299)) ev.push(`body: ${JSON.stringify(snippet)}`)
    if (s >= 200 && s <= 299) {
      add({id: 'http-status', title: 'GET /status', status: 'ok', summary: `HTTP ${s}`, evidence: ev, next: []})
    } else if (s === 503) {
      add({
        id: 'http-status', title: 'GET /status', status: 'fail',
        summary: '503: the meta service is up but has no Raft leader (not joined yet, or its cluster lost quorum)',
        evidence: ev,
        next: [
          `if this node is new, on a meta node that is already in the cluster: influxd-ctl add-meta ${hp}`,
          'if it was a member: check that a majority of meta nodes is up (medic status META:8091) and read its log: journalctl -u influxdb-meta -n 100',
        ],
      })
    } else if (s === 401 || s === 403) {
      const given = options.auth !== undefined && options.auth.type !== 'none'
      add({
        id: 'http-status', title: 'GET /status', status: 'fail',
        summary: given
          ? `HTTP ${s}: the node refused the credentials medic sent (wrong user or password, or a JWT signed with another [meta] shared-secret)`
          : `HTTP ${s}: meta authentication is on ([meta] auth-enabled = true) and medic sent no credentials`,
        evidence: ev,
        next: [
          given ? 'check the user and password (or the shared-secret given to --jwt-secret)' : `${diagnose()} --username admin --password '...'   (or --jwt-secret with the meta shared-secret)`,
          `influxd-ctl -auth-type basic -user admin -pwd '...' add-meta ${hp}`,
          `influxd-ctl -auth-type jwt -secret '...' add-meta ${hp}`,
        ],
      })
    } else if (s === 404) {
      add({
        id: 'http-status', title: 'GET /status', status: 'fail',
        summary: 'HTTP 404: this is not a meta node\'s HTTP API (a data node, or another service, answers on this port)',
        evidence: ev,
        next: [`meta nodes serve their API on 8091 ([meta] http-bind-address): medic join diagnose ${joinHostPort(target.host, DEFAULT_META_HTTP_PORT)}`, `data nodes are added with influxd-ctl add-data ${joinHostPort(target.host, DEFAULT_DATA_PORT)}`],
      })
    } else {
      add({
        id: 'http-status', title: 'GET /status', status: 'fail',
        summary: `HTTP ${s}: a meta node answers /status with 200; influxd-ctl will report "unable to determine if ... is a meta node"`,
        evidence: ev,
        next: [`curl -sS -i ${statusUrl}`, 'if a proxy or load balancer sits in front, join the meta node by its own address', 'read the node log: journalctl -u influxdb-meta -n 100'],
      })
    }
  }

  // 5. Body shape, node type, membership, advertised addresses.
  if (body === undefined) {
    const why = answer === undefined ? 'no answer from /status' : `/status answered HTTP ${answer.status}`
    for (const [id, title] of [['body-shape', '/status body'], ['node-type', 'Node type'], ['membership', 'Cluster membership'], ['advertised-address', 'Advertised addresses']]) {
      add({id, title, status: 'skipped', summary: `skipped: ${why}`, evidence: [], next: [], unchecked: true})
    }
  } else {
    if (body.kind === 'unparsed') {
      add({
        id: 'body-shape', title: '/status body', status: 'fail',
        summary: `${body.why}; influxd-ctl will report "unable to determine if ... is a meta node"`,
        evidence: [`body starts with ${JSON.stringify(excerpt(answer!.text, 80))}`],
        next: [`curl -sS -v ${statusUrl}`, 'make sure the address reaches influxd-meta directly (no proxy, the right port)'],
      })
    } else if (body.kind === 'ok') {
      add({id: 'body-shape', title: '/status body', status: 'ok', summary: 'the body has the fields influxd-ctl reads', evidence: [`body: ${excerpt(JSON.stringify(body.json), 300)}`], next: []})
    } else {
      add({
        id: 'body-shape', title: '/status body', status: 'fail',
        summary: 'the body is not a meta /status document; influxd-ctl will report "unable to determine if ... is a meta node"',
        evidence: [...body.issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`), `body: ${excerpt(JSON.stringify(body.json), 200)}`],
        next: [`curl -sS ${statusUrl}`, 'a meta node answers {"nodeType":"meta","leader":...,"httpAddr":...,"raftAddr":...,"peers":...}'],
      })
    }
    const json = body.kind === 'unparsed' ? undefined : body.json
    const nodeType = status?.nodeType ?? (typeof json === 'object' && json !== null ? (json as {nodeType?: unknown}).nodeType : undefined)
    if (nodeType === undefined) {
      add({id: 'node-type', title: 'Node type', status: 'skipped', summary: 'skipped: no nodeType in the answer', evidence: [], next: []})
    } else if (nodeType === 'meta') {
      add({id: 'node-type', title: 'Node type', status: 'ok', summary: 'nodeType is "meta"', evidence: ['nodeType: "meta"'], next: []})
    } else {
      const shown = typeof nodeType === 'string' ? JSON.stringify(nodeType.slice(0, 40)) : typeof nodeType
      add({
        id: 'node-type', title: 'Node type', status: 'fail',
        summary: `nodeType is ${shown}, not "meta": this address is not a meta node`,
        evidence: [`nodeType: ${shown}`],
        next: nodeType === 'data'
          ? [`add a data node with influxd-ctl add-data ${joinHostPort(target.host, DEFAULT_DATA_PORT)}`, 'for a meta node, use the host and port where influxd-meta listens (8091)']
          : ['use the host and port where influxd-meta listens (8091)'],
      })
    }
    if (status === undefined) {
      add({id: 'membership', title: 'Cluster membership', status: 'skipped', summary: 'skipped: the body has the wrong shape', evidence: [], next: [], unchecked: true})
      add({id: 'advertised-address', title: 'Advertised addresses', status: 'skipped', summary: 'skipped: the body has the wrong shape', evidence: [], next: [], unchecked: true})
    } else {
      membershipStep(status, oneMachine, oneMachineNote, add)
      await advertisedStep({status, target, addresses, raftPort, oneMachine, oneMachineNote, targetLoopback, lookup, stepMs, add})
    }
  }

  // 6. Config: hostname, ports, license, TLS, auth.
  const noMeta = (id: string, title: string) => add({id, title, status: 'skipped', summary: 'skipped: no --config (influxdb-meta.conf) given', evidence: [], next: []})
  if (meta === undefined) {
    noMeta('config-hostname', 'hostname in the config')
    noMeta('config-ports', 'Bind ports in the config')
    noMeta('license', 'License')
  } else {
    if (!meta.parsed.parsed) {
      add({
        id: 'config-parse', title: 'Config file', status: 'fail',
        summary: `${meta.path} is not valid TOML: influxd-meta will not start with it`,
        evidence: meta.parsed.findings.filter((f) => f.severity === 'error').slice(0, 3).map((f) => `${f.file}${f.line ? `:${f.line}` : ''}: ${f.message}`),
        next: [`medic config check ${metaPath}`],
      })
    }
    // hostname
    const he = meta.get('', 'hostname')
    const hostname = str(he)?.trim() ?? ''
    const hev = [`${at(meta, he, '', 'hostname')}${he ? ` = ${JSON.stringify(hostname)}` : ''}`]
    const fix = `set hostname = "${targetLoopback ? 'meta-2.example.com' : target.host}" (a name every node resolves) at the top of ${meta.path}, then systemctl restart influxdb-meta`
    if (hostname === '') {
      add({id: 'config-hostname', title: 'hostname in the config', status: 'fail', summary: 'hostname is empty: the node advertises an address the other nodes cannot use', evidence: hev, next: [fix]})
    } else if (isLoopbackHost(hostname) && dev) {
      add({id: 'config-hostname', title: 'hostname in the config', status: 'ok', summary: `hostname is "${hostname}", ${devNote}; on a real cluster it must be a name every node resolves`, evidence: hev, next: []})
    } else if (isLoopbackHost(hostname)) {
      add({id: 'config-hostname', title: 'hostname in the config', status: 'fail', summary: `hostname is "${hostname}": only this machine can reach that`, evidence: hev, next: [fix]})
    } else {
      let resolved: string[] = []
      let err: string | undefined
      try {
        resolved = isIP(hostname) ? [hostname] : await lookupWithin(lookup, hostname, Math.max(1, stepMs()))
      } catch (e) {
        err = String((e as NodeJS.ErrnoException).code ?? e)
      }
      if (err !== undefined) {
        add({id: 'config-hostname', title: 'hostname in the config', status: 'fail', summary: `hostname "${hostname}" does not resolve here (${err})`, evidence: hev, next: [
          ...(isPlainHost(hostname) ? [`getent hosts ${hostname}`] : []),
          `add ${hostname} to DNS or /etc/hosts on every node, or ${fix}`,
        ]})
      } else {
        hev.push(`${hostname} resolves to ${resolved.join(', ')}`)
        const advHost = status ? splitHostPort(status.httpAddr).host : undefined
        if (advHost !== undefined && advHost.toLowerCase() !== hostname.toLowerCase()) {
          add({
            id: 'config-hostname', title: 'hostname in the config', status: 'warning',
            summary: `the config says "${hostname}" but the running node advertises "${advHost}": the file was edited after the start, or this is not the node's config`,
            evidence: [...hev, `httpAddr: ${status!.httpAddr}`],
            next: ['systemctl restart influxdb-meta   (to load the edited file)', 'systemctl cat influxdb-meta   (which -config file does the service read?)'],
          })
        } else {
          add({id: 'config-hostname', title: 'hostname in the config', status: 'ok', summary: `hostname "${hostname}" resolves`, evidence: hev, next: []})
        }
      }
    }
    portsStep({meta, metaPath, status, target, addresses, hostname, raftPort: options.raftPort, dev, devNote, diagnose, add})
    await licenseStep(meta, dev, add)
  }

  // TLS
  const httpsOn = meta ? bool(meta.get('meta', 'https-enabled')) === true : undefined
  const dataTls = data ? bool(data.get('meta', 'meta-tls-enabled')) === true : undefined
  if (scheme === 'https' && addr !== undefined && httpReached) {
    const ms = stepMs()
    const c = ms < 1 ? undefined : await readCertificate(target, addr, ms, options.ca)
    if (c === undefined) {
      late('tls', 'TLS')
    } else if (!c.ok) {
      add({id: 'tls', title: 'TLS', status: 'fail', summary: `TLS handshake failed (${c.code}): the node may serve plain HTTP`, evidence: [`TLS connect ${hp}: ${c.code}`], next: [`medic join diagnose http://${hp}`, 'check [meta] https-enabled and https-certificate in influxdb-meta.conf']})
    } else {
      const names = [c.cert.subject?.CN, c.cert.subjectaltname].filter(Boolean).join('; ')
      const tev = [`certificate: ${names || '(no names)'}`, `valid ${c.cert.valid_from} to ${c.cert.valid_to}`]
      const hostname = meta ? str(meta.get('', 'hostname'))?.trim() : undefined
      const wanted = [...new Set([target.host, ...(hostname && !isLoopbackHost(hostname) ? [hostname] : []), ...(status && isPlainHostPort(status.httpAddr) ? [splitHostPort(status.httpAddr).host] : [])])].filter((h) => h !== '')
      const mismatched = wanted.filter((h) => checkServerIdentity(h, c.cert) !== undefined)
      const expired = Date.parse(c.cert.valid_to) < Date.now()
      const issues: string[] = []
      if (mismatched.length > 0) issues.push(`the certificate does not name ${mismatched.join(', ')}`)
      if (expired) issues.push(`the certificate expired on ${c.cert.valid_to}`)
      if (dataTls === false) issues.push('the data node config has [meta] meta-tls-enabled = false: it will talk plain HTTP to an HTTPS meta node')
      add({
        id: 'tls', title: 'TLS', status: issues.length > 0 ? 'fail' : c.authorized ? 'ok' : 'warning',
        summary: issues.length > 0 ? issues.join('; ') : c.authorized ? 'the certificate names the node and is trusted' : `the certificate names the node but is not trusted here (${c.authError ?? 'unknown issuer'}): influxd-ctl needs -bind-tls -k, data nodes meta-insecure-tls = true`,
        evidence: tev,
        next: issues.length > 0 || !c.authorized
          ? ['issue a certificate whose subjectAltName includes the node\'s hostname (as other nodes address it), set [meta] https-certificate, and restart influxdb-meta', `influxd-ctl -bind-tls add-meta ${hp}`]
          : [],
      })
    }
  } else if (httpsOn === true && scheme === 'http') {
    add({
      id: 'tls', title: 'TLS', status: 'fail',
      summary: '[meta] https-enabled = true, but medic (and your join argument) used plain http://',
      evidence: [`${at(meta!, meta!.get('meta', 'https-enabled'), 'meta', 'https-enabled')} = true`],
      next: [`medic join diagnose https://${hp}`, `influxd-ctl -bind-tls add-meta ${hp}   (add -k for a self-signed certificate)`, ...(data ? ['on data nodes: [meta] meta-tls-enabled = true'] : [])],
    })
  } else if (httpsOn === false && dataTls === true) {
    add({id: 'tls', title: 'TLS', status: 'fail', summary: 'the data node uses meta-tls-enabled = true but the meta node serves plain HTTP (https-enabled is false)', evidence: [at(data!, data!.get('meta', 'meta-tls-enabled'), 'meta', 'meta-tls-enabled')], next: [`set [meta] meta-tls-enabled = false in ${data!.path}, or enable HTTPS on the meta node`]})
  } else if (scheme === 'https') {
    add({id: 'tls', title: 'TLS', status: 'skipped', summary: 'skipped: the HTTPS port could not be reached', evidence: [], next: [], unchecked: true})
  } else if (meta !== undefined) {
    add({id: 'tls', title: 'TLS', status: 'ok', summary: 'plain HTTP, as the config says (https-enabled is off)', evidence: [`${at(meta, meta.get('meta', 'https-enabled'), 'meta', 'https-enabled')}${httpsOn ? ' = true' : ' (false)'}`], next: []})
  } else {
    add({id: 'tls', title: 'TLS', status: 'skipped', summary: 'skipped: plain http:// and no --config to say whether HTTPS is enabled', evidence: [], next: []})
  }

  authStep({meta, data, metaPath, metaAuthOn, answer, add})

  const counts: Record<StepStatus, number> = {ok: 0, warning: 0, fail: 0, skipped: 0}
  for (const s of steps) counts[s.status]++
  const nothingChecked = !anyAnswer && meta === undefined && data === undefined
  // When nothing answered and no config was given, the failed connections are not findings about the node but the
  // reason medic could not look: UNKNOWN, exit 4.
  const outcome = decideOutcome({
    findings: nothingChecked ? [] : steps.map((s) => ({severity: s.status === 'fail' ? 'critical' : s.status === 'warning' ? 'warning' : 'ok'})),
    checked: nothingChecked ? 0 : steps.filter((s) => s.status !== 'skipped').length,
    unchecked: nothingChecked ? 1 : steps.filter((s) => s.unchecked === true).length,
  })
  const report: JoinReport = {
    target,
    verdict: nothingChecked ? 'unreachable' : outcome.verdict === 'critical' ? 'fail' : outcome.verdict,
    exitCode: outcome.exitCode,
    complete: outcome.complete,
    nothingChecked,
    devCluster: dev,
    counts,
    steps,
    config: {meta: meta?.path ?? null, data: data?.path ?? null},
  }
  return secrets.scrub(report)
}

type Add = (s: JoinStep) => void

function membershipStep(status: MetaStatus, oneMachine: boolean, oneMachineNote: string, add: Add): void {
  const peers = status.peers ?? []
  const ev = [`leader: ${JSON.stringify(status.leader)}`, `peers: ${JSON.stringify(status.peers)}`, `raftAddr: ${status.raftAddr}`]
  if (status.leader === '' && peers.length === 0) {
    add({id: 'membership', title: 'Cluster membership', status: 'ok', summary: 'not a member of any cluster yet: ready to be added', evidence: ev, next: []})
  } else if (peers.includes(status.raftAddr)) {
    add({
      id: 'membership', title: 'Cluster membership', status: oneMachine ? 'ok' : 'warning',
      summary: oneMachine
        ? `already a member of its cluster of ${peers.length} meta node(s) led by ${status.leader || '(no leader)'} (${oneMachineNote})`
        : `already a member of a cluster of ${peers.length} meta node(s) led by ${status.leader || '(no leader)'}; adding it again is only right if that is your cluster`,
      evidence: ev,
      next: oneMachine ? [] : ['influxd-ctl show   (on a meta node of the cluster you mean: is this node listed?)', 'to move it to another cluster: influxd-ctl remove-meta on the old cluster, then wipe its meta dir and restart it'],
    })
  } else {
    add({
      id: 'membership', title: 'Cluster membership', status: 'fail',
      summary: `it already follows the leader ${status.leader || '(none)'} but its own Raft address ${status.raftAddr} is not among the peers: it belongs to (or was removed from) another cluster`,
      evidence: ev,
      next: [
        ...(isPlainHostPort(status.httpAddr) ? [`on the other cluster: influxd-ctl remove-meta ${status.httpAddr}`] : ['on a meta node of the other cluster: influxd-ctl show   (find this node there), then remove-meta it by the address shown']),
        'on this node: stop influxdb-meta, move its [meta] dir away, start it again, then add it',
      ],
    })
  }
}

async function advertisedStep(c: {
  status: MetaStatus; target: JoinTarget; addresses: string[]; raftPort: number; oneMachine: boolean; oneMachineNote: string
  targetLoopback: boolean; lookup: LookupFn; stepMs: () => number; add: Add
}): Promise<void> {
  const {status, target, addresses} = c
  const adv = [['httpAddr', status.httpAddr], ['raftAddr', status.raftAddr]] as const
  const problems: string[] = []
  const warnings: string[] = []
  const notes: string[] = []
  const aev: string[] = [`httpAddr: ${status.httpAddr}`, `raftAddr: ${status.raftAddr}`, `address used: ${joinHostPort(target.host, target.port)}`]
  for (const [name, value] of adv) {
    if (!isPlainHostPort(value)) {
      const {host} = splitHostPort(value)
      if (host === '' || isUnspecifiedHost(host)) problems.push(`${name} ${JSON.stringify(value)} has no usable host: [hostname] is empty`)
      else problems.push(`${name} ${JSON.stringify(value.slice(0, 100))} is not a host:port any node can dial`)
      continue
    }
    const {host, port} = splitHostPort(value)
    if (isUnspecifiedHost(host)) problems.push(`${name} "${value}" has no usable host: [hostname] is empty`)
    else if (isLoopbackHost(host)) {
      if (c.oneMachine) notes.push(`${name} ${value} is a loopback address (${c.oneMachineNote})`)
      else problems.push(`${name} "${value}" is a loopback address: other nodes cannot reach it`)
    }
    if (name === 'httpAddr' && Number(port) !== target.port) warnings.push(`httpAddr port ${port} differs from the port used (${target.port})`)
    if (name === 'raftAddr' && Number(port) !== c.raftPort) warnings.push(`raftAddr port ${port} differs from the Raft port checked (${c.raftPort})`)
  }
  const advHost = isPlainHostPort(status.httpAddr) ? splitHostPort(status.httpAddr).host : ''
  if (advHost !== '' && !isLoopbackHost(advHost) && !isUnspecifiedHost(advHost) && advHost.toLowerCase() !== target.host.toLowerCase()) {
    let advAddrs: string[] = []
    try {
      advAddrs = isIP(advHost) ? [advHost] : await lookupWithin(c.lookup, advHost, Math.max(1, c.stepMs()))
    } catch (err) {
      problems.push(`the node advertises "${advHost}", which does not resolve here (${String((err as NodeJS.ErrnoException).code ?? 'error')})`)
    }
    if (advAddrs.length > 0) {
      aev.push(`${advHost} resolves to ${advAddrs.join(', ')}`)
      if (!advAddrs.some((a) => addresses.includes(a))) {
        warnings.push(`the node advertises "${advHost}" (${advAddrs.join(', ')}), not the address used (${target.host}${addresses.length ? `, ${addresses.join(', ')}` : ''})`)
      }
    }
  }
  if (problems.length > 0) {
    c.add({
      id: 'advertised-address', title: 'Advertised addresses', status: 'fail', summary: problems.join('; '), evidence: aev,
      next: [`set hostname = "<the name other nodes resolve, e.g. ${c.targetLoopback ? 'meta-2.example.com' : target.host}>" at the top of influxdb-meta.conf, then: systemctl restart influxdb-meta`],
    })
  } else if (warnings.length > 0) {
    c.add({
      id: 'advertised-address', title: 'Advertised addresses', status: 'warning', summary: warnings.join('; '), evidence: aev,
      next: [
        ...(isPlainHostPort(status.httpAddr) ? [`join it by the address it advertises: influxd-ctl add-meta ${status.httpAddr}`] : []),
        'or change hostname / bind ports in influxdb-meta.conf so that they match, and restart influxdb-meta',
      ],
    })
  } else {
    c.add({id: 'advertised-address', title: 'Advertised addresses', status: 'ok', summary: notes.length > 0 ? notes.join('; ') : 'the node advertises addresses other nodes can use', evidence: aev, next: []})
  }
}

/** Two hosts that are the same address: equal names, or equal IP literals (IPv6 in any spelling). */
function sameHost(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true
  if (isIP(a) === 6 && isIP(b) === 6) return new URL(`http://[${a}]`).hostname === new URL(`http://[${b}]`).hostname
  return false
}

function portsStep(c: {
  meta: Conf; metaPath: string; status: MetaStatus | undefined; target: JoinTarget; raftPort: number | undefined; dev: boolean; devNote: string
  /** What the target's host resolved to (DNS step); the hostname of the config. */
  addresses: string[]; hostname: string
  diagnose: (rest?: string) => string; add: Add
}): void {
  const {meta, status, target} = c
  const be = meta.get('meta', 'bind-address')
  const he = meta.get('meta', 'http-bind-address')
  const bind = listenPort(be, DEFAULT_RAFT_PORT)
  const httpBind = listenPort(he, DEFAULT_META_HTTP_PORT)
  const evidence = [
    `${at(meta, be, 'meta', 'bind-address')}${be ? ` = ${JSON.stringify(str(be) ?? be.value)}` : ` (default :${DEFAULT_RAFT_PORT})`}`,
    `${at(meta, he, 'meta', 'http-bind-address')}${he ? ` = ${JSON.stringify(str(he) ?? he.value)}` : ` (default :${DEFAULT_META_HTTP_PORT})`}`,
  ]
  const fails: string[] = []
  const warnings: string[] = []
  const notes: string[] = []
  const next: string[] = []
  if (bind.bad) fails.push(`[meta] bind-address is not host:port (${bind.bad})`)
  if (httpBind.bad) fails.push(`[meta] http-bind-address is not host:port (${httpBind.bad})`)
  if (bind.bad || httpBind.bad) next.push(`medic config check ${c.metaPath}`)
  if (!httpBind.bad && httpBind.port !== target.port) {
    fails.push(`the node's API listens on ${httpBind.port} but the address used has port ${target.port}`)
    next.push(`join with the port from the config: influxd-ctl add-meta ${joinHostPort(target.host, httpBind.port)}`, `or set [meta] http-bind-address = ":${target.port}" in ${meta.path}, then systemctl restart influxdb-meta`)
  }
  // http-bind-address with a host binds that one address: a join (or a hostname) that names another address of the
  // machine reaches nothing, even with the right port. Only judged when the other side is known: an IP literal, or a
  // name resolved by the DNS step.
  if (!httpBind.bad && httpBind.from === 'config' && httpBind.host !== '' && !isUnspecifiedHost(httpBind.host) && isIP(httpBind.host) !== 0) {
    const bound = httpBind.host
    const targetIps = isIP(target.host) !== 0 ? [target.host] : c.addresses.filter((a) => isIP(a) !== 0)
    const elsewhere = targetIps.length > 0 && !targetIps.some((a) => sameHost(a, bound))
    if (elsewhere) {
      const via = isIP(target.host) !== 0 ? '' : ` (${target.host} resolves to ${targetIps.join(', ')})`
      fails.push(`[meta] http-bind-address binds ${joinHostPort(bound, httpBind.port)} only, but the address used is ${joinHostPort(target.host, target.port)}${via}: nothing of this node listens there`)
      next.push(`set [meta] http-bind-address = ":${httpBind.port}" (every address) or "${joinHostPort(targetIps[0], httpBind.port)}" in ${meta.path}, then systemctl restart influxdb-meta`)
    }
    // Joined at the address it binds, but advertising another one: the other nodes dial what it advertises.
    if (!elsewhere && c.hostname !== '' && isIP(c.hostname) !== 0 && !sameHost(c.hostname, bound)) {
      fails.push(`hostname = "${c.hostname}" makes the node advertise ${joinHostPort(c.hostname, httpBind.port)}, but [meta] http-bind-address binds ${joinHostPort(bound, httpBind.port)} only: the other nodes dial an address nothing listens on`)
    }
  }
  if (!bind.bad && c.raftPort !== undefined && bind.port !== c.raftPort) {
    warnings.push(`--raft-port ${c.raftPort} differs from [meta] bind-address port ${bind.port}`)
    next.push(`${c.diagnose(` --config ${c.metaPath}`)}   (without --raft-port: the port comes from the node)`)
  }
  if (status) {
    const ap = portOf(status.raftAddr)
    const hp = portOf(status.httpAddr)
    const stale = (!bind.bad && ap !== undefined && ap !== bind.port) || (!httpBind.bad && hp !== undefined && hp !== httpBind.port)
    if (!bind.bad && ap !== undefined && ap !== bind.port) warnings.push(`the running node advertises Raft port ${ap}, the config ${bind.port}`)
    if (!httpBind.bad && hp !== undefined && hp !== httpBind.port) warnings.push(`the running node advertises HTTP port ${hp}, the config ${httpBind.port}`)
    if (stale) next.push('systemctl restart influxdb-meta   (to load the edited file)', 'systemctl cat influxdb-meta   (which -config file does the service read?)')
  }
  for (const [name, b] of [['bind-address', bind], ['http-bind-address', httpBind]] as const) {
    if (b.from === 'config' && b.host !== '' && isLoopbackHost(b.host)) {
      if (c.dev) {
        notes.push(`[meta] ${name} listens on ${b.host} only, ${c.devNote}`)
      } else {
        fails.push(`[meta] ${name} listens on ${b.host} only: other nodes cannot connect`)
        next.push(`set [meta] ${name} = ":${b.port}" in ${meta.path}, then systemctl restart influxdb-meta`)
      }
    }
  }
  const problems = [...fails, ...warnings]
  c.add({
    id: 'config-ports', title: 'Bind ports in the config',
    status: fails.length > 0 ? 'fail' : warnings.length > 0 ? 'warning' : 'ok',
    summary: problems.length > 0 ? problems.join('; ') : [`Raft on ${bind.port}, API on ${httpBind.port}, matching the address used`, ...notes].join('; '),
    evidence,
    next,
  })
}

/** What looks like a license key (a UUID-like token) rather than a file name: no slash, no .json, 16+ key characters. */
function looksLikeKey(v: string): boolean {
  return !v.includes('/') && !/\.json$/i.test(v) && /^[0-9a-z][0-9a-z-]{15,}$/i.test(v)
}

async function licenseStep(meta: Conf, dev: boolean, add: Add): Promise<void> {
  const ke = meta.get('enterprise', 'license-key')
  const le = meta.get('enterprise', 'license-path')
  const key = str(ke)?.trim() ?? ''
  const path = str(le)?.trim() ?? ''
  const evidence = [`${at(meta, ke, 'enterprise', 'license-key')}${key ? ' (set, value not shown)' : ke ? ' = ""' : ''}`, `${at(meta, le, 'enterprise', 'license-path')}${le ? ` = ${JSON.stringify(path)}` : ''}`]
  const fix = `set exactly one of [enterprise] license-key = "<your key>" or license-path = "/etc/influxdb/license.json" in ${meta.path}, then systemctl restart influxdb-meta`
  if (key !== '' && path !== '') {
    add({id: 'license', title: 'License', status: 'fail', summary: 'both license-key and license-path are set: they exclude each other', evidence, next: [fix]})
  } else if (key === '' && path === '' && dev) {
    add({id: 'license', title: 'License', status: 'ok', summary: 'no license-key or license-path: a medic dev cluster node still starts (with a warning; `medic dev up` gives its nodes a stand-in license file), influxd-meta itself would not', evidence, next: []})
  } else if (key === '' && path === '') {
    add({id: 'license', title: 'License', status: 'fail', summary: 'neither license-key nor license-path is set: influxd-meta will not start without a license', evidence, next: [fix]})
  } else if (key !== '' && placeholderKind(key) !== undefined) {
    add({id: 'license', title: 'License', status: 'fail', summary: 'license-key holds a placeholder, not a real key', evidence, next: [fix]})
  } else if (path !== '' && placeholderKind(path) !== undefined) {
    add({id: 'license', title: 'License', status: 'fail', summary: 'license-path holds a placeholder, not a real path', evidence, next: [fix]})
  } else if (key === '' && looksLikeKey(path)) {
    add({id: 'license', title: 'License', status: 'fail', summary: 'license-path holds what looks like a license key, not a file: the node cannot open it ("open <key>: no such file or directory") and does not start', evidence, next: [
      `move the value to [enterprise] license-key = "..." and set license-path = "" in ${meta.path}, then systemctl restart influxdb-meta`,
    ]})
  } else if (key === '' && dev && (await licenseFileProblem(path)) !== undefined) {
    // A dev cluster's node runs on this machine: its license file is checked here, as the node checks it at start-up.
    add({id: 'license', title: 'License', status: 'fail', summary: `license-path cannot be used: ${await licenseFileProblem(path)}: the node does not start`, evidence, next: [fix]})
  } else {
    add({id: 'license', title: 'License', status: 'ok', summary: key !== '' ? 'license-key is set' : `license-path is set (${path})`, evidence, next: key !== '' || hasControl(path) ? [] : [`ls -l ${shellQuote(path)}   (the file must exist and be readable by the influxdb user)`]})
  }
}

function authStep(c: {meta?: Conf; data?: Conf; metaPath: string; metaAuthOn?: boolean; answer?: HttpAnswer; add: Add}): void {
  const {meta, data, answer} = c
  if (meta === undefined && data === undefined) {
    c.add({id: 'auth', title: 'Authentication settings', status: 'skipped', summary: 'skipped: no --config / --data-config given', evidence: [], next: []})
    return
  }
  const fails: string[] = []
  const warnings: string[] = []
  const evidence: string[] = []
  const next: string[] = []
  const metaAuthOn = c.metaAuthOn === true
  const internal = meta ? str(meta.get('meta', 'internal-shared-secret'))?.trim() ?? '' : undefined
  if (meta) {
    evidence.push(`${at(meta, meta.get('meta', 'auth-enabled'), 'meta', 'auth-enabled')}${metaAuthOn ? ' = true' : ' (false)'}`)
    evidence.push(`${at(meta, meta.get('meta', 'internal-shared-secret'), 'meta', 'internal-shared-secret')}${internal ? ' (set, value not shown)' : ' (empty)'}`)
    if (metaAuthOn && internal === '') {
      fails.push('auth-enabled = true with an empty internal-shared-secret: influxd-meta 1.6.4 and later refuse to start')
      next.push(`set [meta] internal-shared-secret = "<a long random string, the same on every meta and data node>" in ${meta.path}`)
    }
    if (answer && (answer.status === 401 || answer.status === 403) && !metaAuthOn) {
      warnings.push(`the node demands credentials but ${meta.path} has auth-enabled off: the running node uses another file or an INFLUXDB_META_AUTH_ENABLED variable`)
      next.push(`systemctl cat influxdb-meta; medic config check --env-from /etc/default/influxdb-meta ${c.metaPath}`)
    }
  }
  if (data) {
    const de = data.get('meta', 'meta-auth-enabled')
    const dAuth = bool(de) === true
    const dSecret = str(data.get('meta', 'meta-internal-shared-secret'))?.trim() ?? ''
    evidence.push(`${at(data, de, 'meta', 'meta-auth-enabled')}${dAuth ? ' = true' : ' (false)'}`)
    evidence.push(`${at(data, data.get('meta', 'meta-internal-shared-secret'), 'meta', 'meta-internal-shared-secret')}${dSecret ? ' (set, value not shown)' : ' (empty)'}`)
    if (meta) {
      if (metaAuthOn !== dAuth) {
        fails.push(`meta auth-enabled = ${metaAuthOn} but data meta-auth-enabled = ${dAuth}: they must be equal`)
        next.push(`set [meta] meta-auth-enabled = ${metaAuthOn} in ${data.path}, then systemctl restart influxdb`)
      }
      if (metaAuthOn && internal !== dSecret) {
        fails.push('the meta internal-shared-secret and the data meta-internal-shared-secret differ (values not shown): node-to-node requests will be refused')
        next.push(`copy [meta] internal-shared-secret from ${meta.path} to [meta] meta-internal-shared-secret in ${data.path}, then systemctl restart influxdb`)
      } else if (metaAuthOn && internal !== '') {
        evidence.push('internal shared secrets: equal (compared without printing them)')
      }
    } else if (dAuth && dSecret === '') {
      fails.push('meta-auth-enabled = true with an empty meta-internal-shared-secret')
      next.push(`set [meta] meta-internal-shared-secret in ${data.path} to the meta nodes' internal-shared-secret`)
    } else if (answer && (answer.status === 401 || answer.status === 403) && !dAuth) {
      fails.push('the meta node demands credentials but the data node has meta-auth-enabled off')
      next.push(`set [meta] meta-auth-enabled = true and meta-internal-shared-secret in ${data.path}`)
    }
  }
  c.add({
    id: 'auth', title: 'Authentication settings',
    status: fails.length > 0 ? 'fail' : warnings.length > 0 ? 'warning' : 'ok',
    summary: [...fails, ...warnings].join('; ') || (metaAuthOn ? 'meta authentication is on and the settings agree' : 'authentication settings agree'),
    evidence,
    next,
  })
}

/** Why a license file cannot be read as one (missing, unreadable, not JSON), or undefined when it can. */
async function licenseFileProblem(path: string): Promise<string | undefined> {
  const {readFile} = await import('node:fs/promises')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? `open ${path}: no such file or directory` : code === 'EACCES' ? `open ${path}: permission denied` : code === 'EISDIR' ? `read ${path}: is a directory` : `open ${path}: ${code ?? 'cannot read'}`
  }
  return parseJsonBounded(text).ok ? undefined : `${path} is not a license file (not JSON)`
}
