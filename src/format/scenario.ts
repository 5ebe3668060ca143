/**
 * Human output of `medic dev scenario list | show | run`: the list, one scenario's definition, and per scenario run
 * what was done, what was seen, each check with its evidence, and the commands to make the same diagnosis by hand.
 * Text from the nodes (log lines, answers) is escaped here; the base command's sink escapes anything missed.
 */
import type {RunReport, Scenario, ScenarioRun} from '../devcluster/scenarios/types.js'
import {escapeControl} from '../util/text.js'
import {bold, dim, heading, verdictLabel, wrap} from './text.js'

const e = escapeControl

function shape(s: Pick<Scenario, 'cluster'>): string {
  return `${s.cluster.meta} meta + ${s.cluster.data} data`
}

export function renderScenarioList(list: readonly Scenario[]): string {
  const width = Math.max(...list.map((s) => s.name.length))
  const lines = list.map((s) => `  ${s.name.padEnd(width)}  ${shape(s).padEnd(15)}  ${s.title}`)
  return [
    heading('Scenarios'),
    ...lines,
    '',
    dim('medic dev scenario show NAME      what it builds, does and checks'),
    dim('medic dev scenario run NAME       run it (--all: every one; --keep: leave its cluster running)'),
  ].join('\n')
}

export function renderScenario(s: Scenario): string {
  const lines = [
    `${bold(s.name)}: ${s.title}`,
    '',
    wrap(s.shows, 100, '  '),
  ]
  if (s.seed) lines.push('', heading('Reproduces'), `  ${e(s.seed)}`)
  lines.push('', heading('Cluster'), `  ${shape(s)} node(s)${s.cluster.logFormat ? `, ${s.cluster.logFormat} logs` : ''}${(s.cluster.timeScale ?? 1) > 1 ? `, --time-scale ${s.cluster.timeScale}` : ''}`)
  for (const [what, o] of [['data node', s.cluster.dataConfig], ['meta node', s.cluster.metaConfig]] as const) {
    for (const [section, keys] of Object.entries(o ?? {})) {
      for (const [k, v] of Object.entries(keys)) lines.push(`  every ${what}: ${section ? `[${section}] ` : ''}${k} = ${v}`)
    }
  }
  lines.push('', heading('Steps'), ...s.steps.map((x, i) => `  ${i + 1}. ${x}`))
  lines.push('', heading('Checks'), ...s.checks.map((x) => `  - ${x}`))
  if (s.notes && s.notes.length > 0) lines.push('', heading('Notes'), ...s.notes.map((n) => wrap(n, 100, '  ')))
  lines.push('', dim(`Run it: medic dev scenario run ${s.name}   (--keep leaves the cluster running afterwards)`))
  return lines.join('\n')
}

const VERDICT: Record<ScenarioRun['verdict'], 'ok' | 'critical' | 'unknown'> = {passed: 'ok', failed: 'critical', error: 'unknown'}
const WORD: Record<ScenarioRun['verdict'], string> = {passed: 'PASSED', failed: 'FAILED', error: 'COULD NOT RUN'}

function label(v: ScenarioRun['verdict']): string {
  return verdictLabel(VERDICT[v]).replace(VERDICT[v].toUpperCase(), WORD[v])
}

export function renderRun(r: ScenarioRun): string {
  const secs = (r.elapsedMs / 1000).toFixed(1)
  const lines = [`${bold(`Scenario ${r.name}`)}: ${r.title}  ${label(r.verdict)} ${dim(`(${secs} s)`)}`]
  if (r.error) lines.push(`  ${e(r.error.message)}`)
  if (r.did.length > 0) {
    lines.push('', heading('What was done'))
    for (const d of r.did) lines.push(`  ${dim(`${(d.atMs / 1000).toFixed(1).padStart(5)} s`)}  ${e(d.text)}`)
  }
  if (r.saw.length > 0) {
    lines.push('', heading('What was seen'))
    for (const o of r.saw) lines.push(`  ${o.kind.padEnd(6)} ${e(o.source)}: ${e(o.text)}`)
  }
  if (r.checks.length > 0) {
    lines.push('', heading('Checks'))
    for (const c of r.checks) {
      lines.push(`  ${c.status === 'passed' ? verdictLabel('ok').replace('OK', 'PASS') : verdictLabel('critical').replace('CRITICAL', 'FAIL')}  ${e(c.title)}`)
      if (c.status === 'failed') lines.push(`        expected: ${e(c.expected)}`, `        got:      ${e(c.actual)}`)
      else lines.push(dim(`        ${e(c.actual)}`))
      for (const ev of c.evidence.slice(0, c.status === 'failed' ? 8 : 2)) lines.push(dim(`        | ${e(ev)}`))
    }
  }
  if (r.notes.length > 0) lines.push('', heading('Notes'), ...r.notes.map((n) => wrap(e(n), 100, '  ')))
  if (r.commands.length > 0) {
    lines.push('', heading('Diagnose it yourself'))
    const live = r.cluster.kept
    for (const c of r.commands) {
      const needs = c.needs === 'cluster' && !live
        ? '   (needs the cluster: run with --keep)'
        : c.needs === 'files' && !r.cluster.folderKept
          ? '   (needs the cluster folder: run with --keep or --dir)'
          : c.needs === 'run' ? '   (while the scenario runs: its extra node stops with it)' : ''
      lines.push(`  $ ${e(c.command)}${dim(needs)}`, dim(`      ${e(c.why)}`))
    }
  }
  const where = r.cluster.dir === null ? undefined : e(r.cluster.dir)
  if (r.cluster.kept && r.cluster.down) {
    lines.push('', `The cluster is still running in ${where}. Stop it and remove its folder with:`, `  $ ${e(r.cluster.down)}`)
  } else if (r.cluster.folderKept && where) {
    lines.push('', dim(`The cluster is stopped; its folder (configs and logs) is kept: ${where}`))
  }
  return lines.join('\n')
}

export function renderReport(r: RunReport): string {
  const parts = r.scenarios.map(renderRun)
  const s = r.summary
  if (r.scenarios.length > 1 || r.scenarios.length === 0) {
    parts.push([
      heading('Summary'),
      ...r.scenarios.map((x) => `  ${x.name.padEnd(28)} ${label(x.verdict)}  ${x.checks.filter((c) => c.status === 'passed').length}/${x.checks.length} checks  ${dim(`${(x.elapsedMs / 1000).toFixed(1)} s`)}`),
      `  ${s.passed} passed, ${s.failed} failed, ${s.error} could not run; ${s.checks - s.checksFailed} of ${s.checks} checks passed`,
    ].join('\n'))
  }
  return parts.join('\n\n')
}

/** One progress line for stderr between scenarios. */
export function runHeadline(r: ScenarioRun): string {
  return `${r.name}: ${WORD[r.verdict]} (${r.checks.filter((c) => c.status === 'passed').length}/${r.checks.length} checks, ${(r.elapsedMs / 1000).toFixed(1)} s)`
}
