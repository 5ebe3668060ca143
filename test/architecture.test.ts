// The import rules of docs/architecture.md, checked by reading the sources: which folder may import what. The rules
// are data (RULES below): a new folder gets its line here in the same change that creates it. Every import is
// counted, `import type` included (a type is coupling too), and dynamic `import('...')` as well.
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, normalize} from 'node:path'
import {describe, expect, it} from 'vitest'

import {ROOT} from './helpers/cli.js'

interface Rule {
  /** What the rule protects, for the failure message. */
  why: string
  /** The files it applies to: repository paths or folder prefixes (ending in /). */
  files: string[]
  /** Files among them it does not apply to. */
  except?: string[]
  /** Targets they must not import: repository paths, folder prefixes, or package names (a trailing / is a scope). */
  forbid?: string[]
  /** When set, the only repository files they may import (packages and node: builtins stay allowed). */
  allowOnly?: string[]
}

const NODE_PROCESS = ['src/devcluster/node/', 'src/devcluster/meta/', 'src/devcluster/raft/', 'src/devcluster/data/']
const CLI_CODE = ['src/cli/', 'src/commands/', 'src/format/', 'src/probe/', 'src/errors.ts']
const CLI_SIDE_DEVCLUSTER = ['src/devcluster/cluster/', 'src/devcluster/supervisor/', 'src/devcluster/client/', 'src/devcluster/scenarios/']
const HH_ENGINE = ['src/hh/queue.ts', 'src/hh/blocks.ts', 'src/hh/node-queues.ts', 'src/hh/store.ts']

export const RULES: Rule[] = [
  {why: 'only the CLI layer imports oclif', files: ['src/'], except: ['src/commands/', 'src/cli/', 'src/index.ts'], forbid: ['@oclif/']},
  {
    why: 'node processes throw their own errors and know nothing of the CLI or of the processes that start them',
    files: NODE_PROCESS, forbid: [...CLI_CODE, ...CLI_SIDE_DEVCLUSTER],
  },
  {
    why: 'devcluster/node/ is what every node shares: it depends on no role',
    files: ['src/devcluster/node/'], forbid: ['src/devcluster/meta/', 'src/devcluster/data/', 'src/devcluster/raft/'],
  },
  {why: 'meta and data nodes talk over HTTP, like real nodes', files: ['src/devcluster/meta/'], forbid: ['src/devcluster/data/']},
  {why: 'meta and data nodes talk over HTTP, like real nodes', files: ['src/devcluster/data/'], forbid: ['src/devcluster/meta/']},
  {why: 'Raft knows its user only through raft/node-api.ts', files: ['src/devcluster/raft/'], forbid: ['src/devcluster/meta/', 'src/devcluster/data/']},
  {
    why: 'a data node is built from the line protocol, InfluxQL, the hh engine, the wire shapes and the node runtime',
    files: ['src/devcluster/data/'],
    allowOnly: [
      'src/devcluster/data/', 'src/devcluster/node/', 'src/lineprotocol/', 'src/influxql/', ...HH_ENGINE, 'src/hh/format.ts',
      'src/wire/', 'src/config/values.ts', 'src/util/',
    ],
  },
  {why: 'the hh engine runs inside node processes: plain errors, no CLI code', files: HH_ENGINE, forbid: CLI_CODE},
  {
    why: 'scenarios return what they did, saw and checked; the commands print it',
    files: ['src/devcluster/scenarios/'], forbid: ['src/cli/', 'src/commands/', 'src/format/'],
  },
  {
    why: 'medic doctor is a library the command and the scenarios call: no flags, no formatting, no dev-cluster internals',
    files: ['src/doctor/'], forbid: ['src/cli/', 'src/commands/', 'src/format/', 'src/devcluster/'],
  },
]

const SOURCE = /\.(?:ts|mts|js|mjs)$/
const IMPORTS = [
  /(?:^|[\n;])\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, // import x from 'y', export {x} from 'y'
  /(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g, // import 'y'
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('y')
]

/** The module specifiers a source imports; comments are removed first so that examples in them do not count. */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const out: string[] = []
  for (const re of IMPORTS) for (const m of code.matchAll(re)) out.push(m[1])
  return out
}

/** A specifier as a repository path (relative ones resolved, `.js` read as the `.ts` source) or as a package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec
  return normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts')
}

const under = (path: string, prefixes: readonly string[]) => prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p))

/** Every broken rule in `files` (repository path -> source). */
export function violations(files: ReadonlyMap<string, string>, rules: readonly Rule[] = RULES): string[] {
  const out: string[] = []
  for (const [file, source] of files) {
    for (const rule of rules) {
      if (!under(file, rule.files) || under(file, rule.except ?? [])) continue
      for (const spec of importsOf(source)) {
        const t = target(file, spec)
        const relativeTarget = spec.startsWith('.')
        if (rule.forbid && under(t, rule.forbid)) out.push(`${file} imports ${t}: ${rule.why}`)
        if (rule.allowOnly && relativeTarget && !under(t, rule.allowOnly)) out.push(`${file} imports ${t}: ${rule.why}`)
      }
    }
  }
  return out
}

function sources(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const e of readdirSync(join(ROOT, d), {withFileTypes: true})) {
      const path = `${d}/${e.name}`
      if (e.isDirectory()) walk(path)
      else if (SOURCE.test(e.name)) out.set(path, readFileSync(join(ROOT, path), 'utf8'))
    }
  }
  walk(dir)
  return out
}

describe('import rules (docs/architecture.md)', () => {
  it('hold for every source file under src/', () => {
    const files = sources('src')
    expect(files.size).toBeGreaterThan(100)
    expect(violations(files)).toEqual([])
  })

  it('find every kind of import, and only real ones', () => {
    const src = [
      "import {a} from './a.js'",
      "import type {B} from '../b.js'",
      "export {c} from './c.js'",
      "import './side-effect.js'",
      'const m = await import(\'../../cli/base-command.js\')',
      "// import {x} from './in-a-comment.js'",
      "/* import {y} from './in-a-block.js' */",
      "const s = 'this is not an import from \"./x.js\"'",
    ].join('\n')
    expect(importsOf(src)).toEqual(['./a.js', '../b.js', './c.js', './side-effect.js', '../../cli/base-command.js'])
  })

  it('catch each kind of violation', () => {
    const files = new Map([
      ['src/devcluster/meta/x.ts', "import {Flags} from '@oclif/core'\nimport {d} from '../data/store/shard.js'\nimport {MedicError} from '../../errors.js'"],
      ['src/devcluster/data/y.ts', "import {s} from '../meta/store.js'\nimport {q} from '../../hh/scan.js'\nimport {undici} from 'undici'\nimport {p} from '../../lineprotocol/parse.js'"],
      ['src/devcluster/node/z.ts', "import type {Raft} from '../raft/types.js'\nimport {supervise} from '../supervisor/supervisor.js'"],
      ['src/hh/queue.ts', "import {inputError} from '../errors.js'"],
      ['src/commands/ok.ts', "import {Flags} from '@oclif/core'\nimport {x} from '../devcluster/client/status.js'"],
    ])
    const found = violations(files).map((v) => v.slice(0, v.indexOf(':')))
    expect(found.sort()).toEqual([
      'src/devcluster/data/y.ts imports src/devcluster/meta/store.ts', // meta and data talk HTTP
      'src/devcluster/data/y.ts imports src/devcluster/meta/store.ts', // and meta is not on the data allow-list
      'src/devcluster/data/y.ts imports src/hh/scan.ts', // an hh inspect file is not on the data allow-list
      'src/devcluster/meta/x.ts imports @oclif/core',
      'src/devcluster/meta/x.ts imports src/devcluster/data/store/shard.ts',
      'src/devcluster/meta/x.ts imports src/errors.ts',
      'src/devcluster/node/z.ts imports src/devcluster/raft/types.ts',
      'src/devcluster/node/z.ts imports src/devcluster/supervisor/supervisor.ts',
      'src/hh/queue.ts imports src/errors.ts',
    ].sort())
  })
})
