/**
 * Statements that change the cluster: databases, retention policies, users and grants, continuous queries (through
 * the meta store), and DROP MEASUREMENT / DROP SERIES / DELETE (through the data nodes). Checks influxd makes before
 * asking the meta store are made here; the meta store's own refusals come back as its error text.
 */
import {
  type Measurement, Privilege, type Source, type Statement, type StatementOf, conditionExpr, ConditionError, hasTimeExpr, reduce,
  statementString,
} from '../../../influxql/index.js'
import type {DeleteRequest, PrivilegeName, RetentionPolicySpec} from './collaborators.js'
import {type Context, StatementError} from './context.js'
import {privilegeOf} from './show.js'
import {exprToJson} from './wire.js'

const NS_PER_MS = 1_000_000n
const nsToMs = (ns: bigint): number => Number(ns / NS_PER_MS)

/** influxd's meta.ValidName: printable, not empty, not "." or "..", no slash or backslash. */
export function validName(name: string): boolean {
  for (const ch of name) if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) return false
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name)
}

async function meta(run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (err) {
    throw new StatementError(err instanceof Error ? err.message : String(err))
  }
}

const PRIVILEGE_NAMES: Record<number, PrivilegeName> = {
  [Privilege.None]: 'NO PRIVILEGES', [Privilege.Read]: 'READ', [Privilege.Write]: 'WRITE', [Privilege.All]: 'ALL',
}

function selectorsOf(sources: Source[] | undefined): DeleteRequest['measurements'] {
  return sources?.map((s) => {
    const m = s as Measurement
    return m.regex !== undefined ? {regex: m.regex.val.source} : {name: m.name}
  })
}

/** Runs a statement that changes something; resolves when done. */
export async function executeAdmin(ctx: Context, stmt: Statement): Promise<void> {
  const mc = ctx.metaCommands
  switch (stmt.type) {
    case 'createDatabase': {
      if (!validName(stmt.name)) throw new StatementError('invalid name')
      if (!stmt.rpCreate) return meta(() => mc.createDatabase(stmt.name))
      if (stmt.rpName !== '' && !validName(stmt.rpName)) throw new StatementError('invalid name')
      const spec: RetentionPolicySpec = {}
      if (stmt.rpName !== '') spec.name = stmt.rpName
      if (stmt.rpDuration !== undefined) spec.duration = nsToMs(stmt.rpDuration)
      if (stmt.rpReplication !== undefined) spec.replicaN = stmt.rpReplication
      if (stmt.rpShardGroupDuration !== 0n) spec.shardGroupDuration = nsToMs(stmt.rpShardGroupDuration)
      return meta(() => mc.createDatabase(stmt.name, spec))
    }
    case 'dropDatabase':
      if (ctx.database(stmt.name) === undefined) return
      return meta(() => mc.dropDatabase(stmt.name))
    case 'createRetentionPolicy':
      if (!validName(stmt.name)) throw new StatementError('invalid name')
      return meta(() => mc.createRetentionPolicy(stmt.database, {
        name: stmt.name, duration: nsToMs(stmt.duration), replicaN: stmt.replication,
        shardGroupDuration: stmt.shardGroupDuration === 0n ? undefined : nsToMs(stmt.shardGroupDuration),
      }, stmt.default))
    case 'alterRetentionPolicy': {
      const update: RetentionPolicySpec = {}
      if (stmt.duration !== undefined) update.duration = nsToMs(stmt.duration)
      if (stmt.replication !== undefined) update.replicaN = stmt.replication
      if (stmt.shardGroupDuration !== undefined) update.shardGroupDuration = nsToMs(stmt.shardGroupDuration)
      return meta(() => mc.updateRetentionPolicy(stmt.database, stmt.name, update, stmt.default))
    }
    case 'dropRetentionPolicy': {
      const db = ctx.database(stmt.database)
      if (db === undefined || !db.retentionPolicies.some((r) => r.name === stmt.name)) return
      return meta(() => mc.dropRetentionPolicy(stmt.database, stmt.name))
    }
    case 'createUser': return meta(() => mc.createUser(stmt.name, stmt.password, stmt.admin))
    case 'dropUser': return meta(() => mc.dropUser(stmt.name))
    case 'setPassword': return meta(() => mc.setPassword(stmt.name, stmt.password))
    case 'grant': return meta(() => mc.setPrivilege(stmt.user, stmt.on, PRIVILEGE_NAMES[stmt.privilege]))
    case 'grantAdmin': return meta(() => mc.setAdmin(stmt.user, true))
    case 'revokeAdmin': return meta(() => mc.setAdmin(stmt.user, false))
    case 'revoke': {
      let priv: number = Privilege.None
      if (stmt.privilege !== Privilege.All) {
        const user = ctx.deps.meta.users().find((u) => u.name === stmt.user)
        if (user === undefined) throw new StatementError('user not found')
        priv = privilegeOf(user.permissions[stmt.on] ?? []) & ~stmt.privilege
      }
      return meta(() => mc.setPrivilege(stmt.user, stmt.on, PRIVILEGE_NAMES[priv]))
    }
    case 'createContinuousQuery': return createContinuousQuery(ctx, stmt)
    case 'dropContinuousQuery': return meta(() => mc.dropContinuousQuery(stmt.database, stmt.name))
    case 'dropMeasurement':
      return deleteData(ctx, {database: ctx.opts.database, measurements: [{name: stmt.name}], dropSeries: true})
    case 'dropSeries': {
      if (hasTimeExpr(stmt.condition)) {
        if (ctx.database(ctx.opts.database) === undefined) throw new StatementError(`database not found: ${ctx.opts.database}`)
        throw new StatementError("DROP SERIES doesn't support time in WHERE clause")
      }
      return deleteData(ctx, {
        database: ctx.opts.database, measurements: selectorsOf(stmt.sources),
        condition: stmt.condition === undefined ? undefined : exprToJson(stmt.condition), dropSeries: true,
      })
    }
    case 'deleteSeries': {
      let split
      try {
        split = conditionExpr(reduce(stmt.condition, {now: ctx.deps.now()}), {now: ctx.deps.now()})
      } catch (err) {
        if (err instanceof ConditionError) throw new StatementError(err.message)
        throw err
      }
      return deleteData(ctx, {
        database: ctx.opts.database, measurements: selectorsOf(stmt.sources),
        condition: split.expr === undefined ? undefined : exprToJson(split.expr),
        start: split.range.min?.toString(), end: split.range.max?.toString(), dropSeries: false,
      })
    }
    default:
      throw new StatementError(`${statementString(stmt)} is not supported by the dev cluster`)
  }
}

async function deleteData(ctx: Context, req: DeleteRequest): Promise<void> {
  if (ctx.database(req.database) === undefined) throw new StatementError(`database not found: ${req.database}`)
  const data = ctx.data
  if (data === undefined) throw new StatementError('deleting data is not available on this node')
  try {
    await data.delete(req)
  } catch (err) {
    throw new StatementError(err instanceof Error ? err.message : String(err))
  }
}

async function createContinuousQuery(ctx: Context, stmt: StatementOf<'createContinuousQuery'>): Promise<void> {
  const measurements: Measurement[] = []
  if (stmt.source.target !== undefined) measurements.push(stmt.source.target.measurement)
  for (const s of stmt.source.sources) if (s.kind === 'measurement') measurements.push(s)
  for (const m of measurements) {
    const db = ctx.database(m.database)
    if (db === undefined) throw new StatementError(`database not found: ${m.database}`)
    if (!db.retentionPolicies.some((r) => r.name === m.retentionPolicy)) {
      throw new StatementError(`retention policy not found: ${m.database}.${m.retentionPolicy}`)
    }
  }
  return meta(() => ctx.metaCommands.createContinuousQuery(stmt.database, stmt.name, statementString(stmt)))
}
