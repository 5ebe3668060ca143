/**
 * SELECT on a data node: compile (influxd's checks), map the sources to shard groups in the time range, ask the
 * owners for field types, plan, ask the owners for partial results, merge, and turn them into rows. SELECT ... INTO
 * writes the rows through the PointsWriter collaborator and answers with influxd's "result" row.
 */
import {type Measurement, type SelectStatement, statementString} from '../../../influxql/index.js'
import type {IntoPoint} from './collaborators.js'
import {type Context, StatementError, readOnlyWarning} from './context.js'
import {type Result, TimeCell} from './result.js'
import {type SourceRef, QueryError, compileSelect, planSelect, selectorOf, typeInfoFrom} from './select-plan.js'
import {emitRows, selectRows} from './select-run.js'
import type {FieldsPartial, RefSpec, SelectPartial, SelectQuery} from './shard-types.js'
import {exprToJson} from './wire.js'

interface MappedSource {
  ref: SourceRef
  byNode: Map<number, number[]>
}

function mapSources(ctx: Context, stmt: SelectStatement, start: bigint, end: bigint): MappedSource[] {
  const out: MappedSource[] = []
  for (const s of stmt.sources) {
    const m = s as Measurement
    const db = ctx.database(m.database)
    if (db === undefined) throw new StatementError(`database not found: ${m.database}`)
    const rp = db.retentionPolicies.find((r) => r.name === m.retentionPolicy)
    if (rp === undefined) throw new StatementError(`retention policy not found: ${m.retentionPolicy}`)
    const ref: SourceRef = {
      database: m.database, retentionPolicy: m.retentionPolicy,
      measurement: m.regex !== undefined ? {regex: m.regex.val} : {name: m.name},
    }
    out.push({ref, byNode: ctx.ownersOf(ctx.shardGroups(rp, start, end))})
  }
  return out
}

function unionNodes(sources: MappedSource[]): Map<number, number[]> {
  const m = new Map<number, number[]>()
  for (const s of sources) for (const [node, ids] of s.byNode) m.set(node, [...(m.get(node) ?? []), ...ids])
  return m
}

async function fieldTypes(ctx: Context, sources: MappedSource[]): Promise<FieldsPartial> {
  const merged: FieldsPartial = {kind: 'fields', measurements: new Map()}
  for (const s of sources) {
    const p = await ctx.dispatch(s.byNode, (shardIds) => ({kind: 'fields', shardIds, measurements: [selectorOf(s.ref)]}))
    if (p === undefined || p.kind !== 'fields') continue
    for (const [m, e] of p.measurements) {
      const have = merged.measurements.get(m)
      if (have === undefined) {
        merged.measurements.set(m, e)
        continue
      }
      for (const [f, t] of e.fields) have.fields.set(f, new Set([...(have.fields.get(f) ?? []), ...t]))
      for (const k of e.tagKeys) have.tagKeys.add(k)
    }
  }
  return merged
}

export async function executeSelect(ctx: Context, stmt: SelectStatement, statementId: number): Promise<Result[]> {
  const now = ctx.deps.now()
  let compiled
  try {
    compiled = compileSelect(stmt, now)
  } catch (err) {
    if (err instanceof QueryError) throw new StatementError(err.message)
    throw err
  }
  const sources = mapSources(ctx, stmt, compiled.start, compiled.end)
  const info = typeInfoFrom(await fieldTypes(ctx, sources))
  let plan
  try {
    plan = planSelect(compiled, info, sources.map((s) => s.ref))
  } catch (err) {
    if (err instanceof QueryError) throw new StatementError(err.message)
    throw err
  }
  let partial: SelectPartial = {kind: 'select', groups: new Map()}
  if (!plan.empty) {
    const live = plan.calls.filter((c) => !c.skipped)
    const refs: RefSpec[] = plan.refs
    const base: Omit<SelectQuery, 'sources'> = {
      kind: 'select',
      condition: plan.condition === undefined ? undefined : exprToJson(plan.condition),
      start: compiled.start.toString(),
      end: compiled.end.toString(),
      interval: compiled.interval === 0n ? undefined : {duration: compiled.interval.toString(), offset: compiled.offset.toString()},
      dimensions: plan.dimensions,
      ascending: compiled.ascending,
      slimit: stmt.slimit,
      soffset: stmt.soffset,
      mode: plan.calls.length === 0
        ? {kind: 'raw', refs, limit: stmt.limit > 0 ? stmt.limit + stmt.offset : 0}
        : {kind: 'agg', calls: live.map((c) => c.spec), aux: refs},
    }
    const p = await ctx.dispatch(unionNodes(sources), (_ids, node) => ({
      ...base,
      sources: sources.filter((s) => s.byNode.has(node)).map((s) => ({shardIds: s.byNode.get(node)!, measurement: selectorOf(s.ref)})),
    }))
    if (p !== undefined && p.kind === 'select') partial = p
  }
  let rows
  try {
    rows = selectRows(plan, partial)
  } catch (err) {
    if (err instanceof QueryError) throw new StatementError(err.message)
    throw err
  }
  if (stmt.target !== undefined) return [await writeInto(ctx, stmt, statementId, plan.columns, rows)]
  return emitRows(statementId, rows, plan.columns, ctx.opts.chunkSize, plan.dimensions.length > 0)
}

async function writeInto(ctx: Context, stmt: SelectStatement, statementId: number, columns: string[], rows: ReturnType<typeof selectRows>): Promise<Result> {
  const target = stmt.target!.measurement
  if (target.database === '') throw new StatementError('no database in target')
  const writer = ctx.deps.pointsWriter
  if (writer === undefined) throw new StatementError('SELECT ... INTO is not available on this node')
  const timeIndex = columns.indexOf('time')
  if (timeIndex < 0) throw new StatementError('error finding time index in result')
  const points: IntoPoint[] = []
  for (const s of rows) {
    const name = target.name !== '' ? target.name : s.name
    for (const row of s.rows) {
      const fields: Record<string, number | bigint | string | boolean> = {}
      columns.forEach((c, i) => {
        if (i === timeIndex) return
        const v = row[i]
        if (v === null || v instanceof TimeCell || (typeof v === 'number' && Number.isNaN(v))) return
        fields[c] = v
      })
      if (Object.keys(fields).length === 0) continue
      const t = row[timeIndex]
      points.push({measurement: name, tags: Object.fromEntries(s.tags.filter(([, v]) => v !== '')), fields, time: t instanceof TimeCell ? t.ns : 0n})
    }
  }
  for (let i = 0; i < points.length; i += 10000) {
    try {
      await writer.write(target.database, target.retentionPolicy, points.slice(i, i + 10000))
    } catch (err) {
      throw new StatementError(err instanceof Error ? err.message : String(err))
    }
  }
  return {
    statementId,
    messages: readOnlyWarning(ctx, statementString(stmt)),
    series: [{name: 'result', columns: ['time', 'written'], values: [[new TimeCell(0n), BigInt(points.length)]]}],
  }
}

