// The corpus and the invariants of the config-check fuzzing, shared by test/config/fuzz.test.ts (seconds, in npm test)
// and scripts/fuzz-config.ts (100,000+ inputs): real configs holding known secret markers (the fixtures, the
// complete data-node file, every dev-cluster config shape), seeded mutations aimed at the ways operators and
// editors break TOML, and one check of everything `medic config check` can print for each input.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import type {CheckReport} from '../../src/config/types.js'
import {renderMetaConfig} from '../../src/devcluster/cluster/configs/meta.js'
import {renderCheck} from '../../src/format/config.js'
import {mutate, NASTY, type Rng} from '../helpers/fuzz.js'
import {data, META} from './fixtures.js'

/** Secret values planted in the seeds: no output may contain one, or any 12-character run of one. */
export const MARKERS = {
  license: 'MkLic7Qp2Vx9Rt4Wz8Ns3Bd6',
  internal: 'MkInt5Hy8Jc2Lf7Kv4Gq9Xm1',
  shared: 'MkShr3Tn6Pw1Ze8Ua5Rk2Yc7',
  dataInternal: 'MkDin9Sb4Fx7Qm2Wh6Lt3Jv8',
  http: 'MkHtp2Gd5Kz8Nc3Vr6Ys9Pb4',
  env: 'MkEnv8Wq1Lx4Hf7Td2Mz5Rc9',
} as const

export const MARKER_LIST: readonly string[] = Object.values(MARKERS)
export const WINDOW = 12

const FULL = readFileSync(fileURLToPath(new URL('../fixtures/config/data-full.conf', import.meta.url)), 'utf8')
  .replace('0b9d6c1e-3a7f-4e2d-8c5b-9f1a2e3d4c5b', MARKERS.license).replace('7WfK2rQx9pLmZ4tB8vNc-data07', MARKERS.dataInternal)

function withMarkers(text: string): string {
  return text.replaceAll('5c0e4d2a-8f1b-4c3e-9a7d-2b6f1e0c9d84', MARKERS.license).replaceAll('Zq8vN2pLr5TxW1cYh7Ks-internal', MARKERS.internal)
    .replaceAll('Jm4bR9wQe2Uz6Fn3Pd8A-public', MARKERS.shared)
}

function devMeta(k: number, legacy: boolean, auth: boolean): string {
  return renderMetaConfig({
    name: `meta-${k}`, clusterDir: '/home/op/.local/share/medic/dev/default', hostname: '127.0.0.1',
    metaDir: `/home/op/.local/share/medic/dev/default/meta-${k}/meta`, raftPort: 18089 + 100 * k, httpPort: 18091 + 100 * k,
    logFormat: legacy ? 'legacy' : 'logfmt', auth: auth ? {sharedSecret: MARKERS.shared, internalSharedSecret: MARKERS.internal} : null,
  })
}

/** Every seed: name (for the role guess) and text. */
export const SEEDS: ReadonlyArray<{name: string; text: string}> = [
  {name: 'influxdb-meta.conf', text: withMarkers(META)},
  {name: 'influxdb.conf', text: withMarkers(data()).replace('[http]\n', `[http]\n  shared-secret = "${MARKERS.http}"\n`).replace(MARKERS.internal, MARKERS.dataInternal)},
  {name: 'influxdb.conf', text: FULL},
  ...[[false, false], [false, true], [true, false], [true, true]].map(([legacy, auth], i) => ({name: `meta-${i + 1}.conf`, text: devMeta(i + 1, legacy, auth)})),
  {name: 'influxdb.conf', text: `[enterprise]\nlicense-key = '${MARKERS.license}'\n[meta]\ndir = "/m"\nmeta-internal-shared-secret = """${MARKERS.dataInternal}"""\n[hinted-handoff]\ndir = "/hh"\nmax-size = "10g"\n`},
]

/** Line-level damage that editors, templates and tired operators do to TOML. */
function damageLine(rng: Rng, line: string): string {
  switch (rng.int(0, 12)) {
    case 0: return line.replace('=', '') // shared-secret "value"
    case 1: return line.replace('"', '') // lost opening quote
    case 2: return line.replace(/"([^"]*)$/, '$1') // lost closing quote
    case 3: return line.replace('"', '"""') // runaway multi-line string
    case 4: return line.replace(/([a-z])/, (c) => c.toUpperCase()) // key case
    case 5: {
      const at = rng.int(0, Math.max(1, line.indexOf('=')))
      return line.slice(0, at) + line.slice(at + 1) // typo in the key
    }
    case 6: return line.replace(/=\s*/, ': ') // YAML habit
    case 7: return `${line} ${rng.pick(['#', ',', ']', '}', '"', "'", '\\'])}`
    case 8: return line.slice(0, rng.int(0, line.length + 1)) // cut
    case 9: return line.replace(/"/g, "'")
    case 10: return rng.pick(NASTY) + line
    default: return line.replace(/\s+/, rng.pick(['', '\t', ' \u00a0', '\u0000', '\u001b[2J']))
  }
}

/** One fuzz input: a seed with line damage, generic mutations, repeats and joins. */
export function mutateConfig(rng: Rng): {name: string; text: string} {
  const seed = rng.pick(SEEDS)
  const lines = seed.text.split('\n')
  const edits = 1 + rng.int(0, 4)
  for (let e = 0; e < edits; e++) {
    const i = rng.int(0, lines.length)
    switch (rng.int(0, 6)) {
      case 0:
      case 1: lines[i] = damageLine(rng, lines[i]); break
      case 2: lines.splice(i, 0, lines[rng.int(0, lines.length)]); break // a repeated key or section
      case 3: if (i + 1 < lines.length) lines.splice(i, 2, `${lines[i]} ${lines[i + 1]}`); break // joined lines
      case 4: lines.splice(i, 1); break
      default: lines[i] = mutate(rng, lines[i], 2)
    }
  }
  let text = lines.join('\n')
  if (rng.chance(0.15)) text = mutate(rng, text, 3)
  if (rng.chance(0.05)) text = text.replaceAll('\n', '\r\n')
  return {name: seed.name, text}
}

/** All WINDOW-long runs of the markers, to find partial leaks in linear time. */
const WINDOWS = new Set(MARKER_LIST.flatMap((m) => Array.from({length: m.length - WINDOW + 1}, (_, i) => m.slice(i, i + WINDOW))))

/** The first marker run found in `text`, or undefined. */
export function leakIn(text: string): string | undefined {
  for (let i = 0; i + WINDOW <= text.length; i++) {
    const w = text.slice(i, i + WINDOW)
    if (WINDOWS.has(w)) return w
  }
  return undefined
}

/**
 * Everything `config check` can print for a report: --json (the envelope is the report plus exitCode) and the human
 * output, which the command writes through the same renderer.
 */
export function outputsOf(report: CheckReport): string[] {
  return [JSON.stringify(report), renderCheck(report)]
}

/** The documented exit code rule, checked against the report. */
export function checkVerdict(report: CheckReport): string | undefined {
  const {error, warning} = report.counts
  const complete = report.coverage.checked > 0 && report.coverage.unchecked === 0
  const want = error > 0 ? 'critical' : warning > 0 ? 'warning' : complete ? 'ok' : 'unknown'
  if (report.verdict !== want) return `verdict ${report.verdict}, expected ${want}`
  const code = want === 'ok' ? 0 : want === 'unknown' ? 4 : 3
  if (report.exitCode !== code) return `exit code ${report.exitCode}, expected ${code}`
  return undefined
}
