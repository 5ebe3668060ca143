/**
 * The commands of the dev meta store, as they travel through the Raft log and POST /execute: their shapes, the
 * envelope that carries the leader's clock, and their validation. Hand-written because apply() is synchronous and
 * must not depend on a lazily loaded library; the same checks run in the HTTP layer (400 before proposing) and in
 * apply() (an entry in the log is outside input too).
 */

/** The range of a JavaScript Date, which is also far beyond what InfluxDB stores. */
const MAX_ABS_TIME_MS = 8.64e15
const MAX_NAME = 255
const MAX_ADDR = 512
const MAX_TEXT = 1024

import type {MetaCommand, RetentionPolicySpec} from '../../wire/meta.js'

export type {MetaCommand, RetentionPolicySpec} from '../../wire/meta.js'

export type MetaCommandType = MetaCommand['type']

export const COMMAND_TYPES: readonly MetaCommandType[] = [
  'createMetaNode', 'deleteMetaNode', 'createDataNode', 'deleteDataNode', 'updateDataNode', 'createDatabase',
  'dropDatabase', 'createRetentionPolicy', 'updateRetentionPolicy', 'dropRetentionPolicy', 'createShardGroup',
  'deleteShardGroup', 'createUser', 'deleteUser', 'setPassword', 'announce', 'setPrivilege', 'setAdmin', 'createContinuousQuery',
  'dropContinuousQuery',
]

/** What a proposal carries: the leader's clock at proposal time and the command. */
export interface CommandEnvelope {
  ts: number
  cmd: MetaCommand
}

/** The exact text to hand to RaftNodeApi.propose(). */
export function encodeCommand(ts: number, cmd: MetaCommand): string {
  return JSON.stringify({ts, cmd})
}

/** A refused command. `code` lets the HTTP layer pick a status: invalid 400, not-found 404, conflict 409. */
export interface MetaError {
  error: string
  code: 'invalid' | 'not-found' | 'conflict' | 'internal'
}

export function isMetaError(v: unknown): v is MetaError {
  return typeof v === 'object' && v !== null && typeof (v as {error?: unknown}).error === 'string'
}

export const fail = (code: MetaError['code'], error: string): MetaError => ({error, code})

// ---------------------------------------------------------------------------------------------------------------
// Validation of commands arriving as JSON (through /execute or from the log).

const ADDR = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s:/?#[\]@]+):(\d{1,5})$/

/**
 * A `host:port` address with a port in 1..65535, the rule every replicated command has been checked with (it decides
 * what apply() accepts, so it must not change between releases: util/hostport's stricter parseHostPort is for values
 * medic puts into suggested commands).
 */
export function isHostPort(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > MAX_ADDR) return false
  const m = ADDR.exec(s)
  if (!m) return false
  const port = Number(m[1])
  return port >= 1 && port <= 65_535
}

type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
export const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
export const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
export const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) <= MAX_ABS_TIME_MS
const isName = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME && !/[\u0000-\u001f\u007f]/.test(v)
const PRIVILEGES = ['READ', 'WRITE', 'ALL', 'NO PRIVILEGES']
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT

function checkRpSpec(v: unknown, where: string, partial: boolean): string | undefined {
  if (!isObj(v)) return `${where} must be an object`
  if (!partial || v.name !== undefined) if (!isName(v.name)) return `${where}.name must be a non-empty name`
  if (v.duration !== undefined && !isMs(v.duration)) return `${where}.duration must be a whole number of ms >= 0`
  if (v.shardGroupDuration !== undefined && !isMs(v.shardGroupDuration)) return `${where}.shardGroupDuration must be a whole number of ms >= 0`
  if (v.replicaN !== undefined && !(Number.isSafeInteger(v.replicaN) && (v.replicaN as number) >= 1)) return 'replication factor must be greater than 0'
  return undefined
}

function checkPermissions(v: unknown): string | undefined {
  if (v === undefined) return undefined
  if (!isObj(v)) return 'permissions must be an object of database -> [permission, ...]'
  for (const [db, perms] of Object.entries(v)) {
    if (db.length > MAX_NAME) return 'permissions: database name too long'
    if (!Array.isArray(perms) || perms.length > 64 || !perms.every(isName)) return `permissions for "${db}" must be a list of names`
  }
  return undefined
}

/**
 * Checks that `v` is a well-formed MetaCommand. Returns the command (the same object, typed) or the reason it is not.
 * Unknown extra fields are ignored. Used by the HTTP layer (400 before proposing) and again by apply().
 */
export function parseCommand(v: unknown): MetaCommand | string {
  if (!isObj(v)) return 'command must be a JSON object'
  const t = v.type
  if (typeof t !== 'string' || !(COMMAND_TYPES as readonly string[]).includes(t)) {
    return `unknown command type ${JSON.stringify(typeof t === 'string' ? t.slice(0, 64) : t)}`
  }
  const addr = (k: string, optional = false): string | undefined =>
    optional && v[k] === undefined ? undefined : isHostPort(v[k]) ? undefined : `${k} must be host:port`
  const name = (k: string): string | undefined => (isName(v[k]) ? undefined : `${k} must be a non-empty name`)
  const id = (k: string): string | undefined => (isId(v[k]) ? undefined : `${k} must be a positive integer`)
  let problem: string | undefined
  switch (t as MetaCommandType) {
    case 'createMetaNode':
      problem = addr('httpAddr') ?? addr('raftAddr')
      break
    case 'deleteMetaNode':
    case 'deleteDataNode':
      problem = id('id')
      break
    case 'createDataNode':
      problem = addr('tcpAddr') ?? addr('httpAddr', true)
      break
    case 'updateDataNode':
      problem = id('id') ?? addr('tcpAddr', true) ?? addr('httpAddr', true) ??
        (v.status === undefined || isName(v.status) ? undefined : 'status must be a non-empty name')
      break
    case 'createDatabase':
      problem = name('name') ?? (v.rp === undefined ? undefined : checkRpSpec(v.rp, 'rp', false)) ??
        (v.autocreate === undefined || typeof v.autocreate === 'boolean' ? undefined : 'autocreate must be a boolean')
      break
    case 'dropDatabase':
      problem = name('name')
      break
    case 'createRetentionPolicy':
      problem = name('db') ?? checkRpSpec(v.rp, 'rp', false) ??
        (v.makeDefault === undefined || typeof v.makeDefault === 'boolean' ? undefined : 'makeDefault must be a boolean')
      break
    case 'updateRetentionPolicy':
      problem = name('db') ?? name('name') ?? checkRpSpec(v.update, 'update', true) ??
        (v.makeDefault === undefined || typeof v.makeDefault === 'boolean' ? undefined : 'makeDefault must be a boolean')
      break
    case 'dropRetentionPolicy':
      problem = name('db') ?? name('name')
      break
    case 'createShardGroup':
      problem = name('db') ?? (v.rp === undefined || v.rp === '' || isName(v.rp) ? undefined : 'rp must be a name') ??
        (isTime(v.timestamp) ? undefined : 'timestamp must be a whole number of ms since the epoch')
      break
    case 'deleteShardGroup':
      problem = name('db') ?? name('rp') ?? id('id')
      break
    case 'createUser':
      problem = name('name') ?? (isName(v.hash) ? undefined : 'hash must be a password hash') ??
        (v.admin === undefined || typeof v.admin === 'boolean' ? undefined : 'admin must be a boolean') ?? checkPermissions(v.permissions)
      break
    case 'deleteUser':
      problem = name('name')
      break
    case 'setPassword':
      problem = name('name') ?? (isName(v.hash) ? undefined : 'hash must be a password hash')
      break
    case 'setPrivilege':
      problem = name('name') ?? (typeof v.db === 'string' && v.db.length <= MAX_NAME ? undefined : 'db must be a name') ??
        (typeof v.privilege === 'string' && PRIVILEGES.includes(v.privilege) ? undefined : `privilege must be one of ${PRIVILEGES.join(', ')}`)
      break
    case 'setAdmin':
      problem = name('name') ?? (typeof v.admin === 'boolean' ? undefined : 'admin must be a boolean')
      break
    case 'createContinuousQuery':
      problem = name('db') ?? name('name') ?? (typeof v.query === 'string' && v.query.length > 0 && v.query.length <= 64 * 1024 ? undefined : 'query must be the statement text')
      break
    case 'dropContinuousQuery':
      problem = name('db') ?? name('name')
      break
    case 'announce':
      problem = id('nodeId') ?? (isText(v.version) ? undefined : 'version must be a string') ?? addr('httpAddr', true) ?? addr('tcpAddr', true)
      break
  }
  return problem ?? (v as unknown as MetaCommand)
}

/** The envelope of a log entry: its `ts` and a valid command, or why it is not one. */
export function decodeEnvelope(data: string): CommandEnvelope | string {
  let v: unknown
  try {
    v = JSON.parse(data)
  } catch {
    return 'command is not JSON'
  }
  if (!isObj(v)) return 'command envelope must be an object'
  if (!isTime(v.ts)) return 'command envelope has no valid ts'
  const cmd = parseCommand(v.cmd)
  if (typeof cmd === 'string') return cmd
  return {ts: v.ts, cmd}
}

