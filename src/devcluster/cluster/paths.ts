/**
 * Where a dev cluster lives on disk, and how its processes are launched.
 *
 * One folder per cluster (the "cluster dir"): by default `$XDG_DATA_HOME/medic/dev/default` (XDG_DATA_HOME falls back
 * to ~/.local/share), else `--dir` or MEDIC_DEV_DIR. Inside it:
 *   cluster.json                 the state file (state.ts)
 *   supervisor.log               the detached supervisor's own log
 *   <node>/influxdb-meta.conf    the node's config (configs/meta.ts)
 *   <node>/meta/                 its [meta] dir (Raft log, snapshots)
 *   <node>/influxdb-meta.log     its stdout and stderr
 *
 * The launch helpers resolve the node entry and the supervisor entry next to this module, so the same code works from
 * dist/ (compiled .js) and from the TypeScript sources under tsx (bin/dev.js, vitest), where a child needs tsx's
 * loader registered before it can import a .ts file.
 */
import {createRequire} from 'node:module'
import {homedir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {shellQuote} from '../../util/text.js'
import {FAULT_TABLE_FILE} from '../node/fault-table.js'

export const STATE_FILE = 'cluster.json'
export const SUPERVISOR_LOG = 'supervisor.log'
export const META_CONFIG_FILE = 'influxdb-meta.conf'
export const META_LOG_FILE = 'influxdb-meta.log'
export const DATA_CONFIG_FILE = 'influxdb.conf'
export const DATA_LOG_FILE = 'influxdb.log'

/** `$XDG_DATA_HOME/medic`, or ~/.local/share/medic when XDG_DATA_HOME is unset or not absolute (the XDG rule). */
export function medicDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share')
  return join(base, 'medic')
}

/** The folder used when neither --dir nor MEDIC_DEV_DIR is given. */
export function defaultClusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(medicDataDir(env), 'dev', 'default')
}

/** --dir wins, then MEDIC_DEV_DIR, then the XDG default; always an absolute path. */
export function resolveClusterDir(flagDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flagDir !== undefined && flagDir !== '') return resolve(flagDir)
  if (env.MEDIC_DEV_DIR !== undefined && env.MEDIC_DEV_DIR !== '') return resolve(env.MEDIC_DEV_DIR)
  return defaultClusterDir(env)
}

/** ` --dir <dir>` for suggestions when `clusterDir` is not the one found without --dir, else ''. */
export function dirFlag(clusterDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (clusterDir === resolveClusterDir(undefined, env)) return ''
  return ` --dir ${shellQuote(clusterDir)}`
}

export function statePath(clusterDir: string): string {
  return join(clusterDir, STATE_FILE)
}

/** `<cluster dir>/faults.json`: the faults in force (medic dev fault; node/fault-table.ts). */
export function faultTablePath(clusterDir: string): string {
  return join(clusterDir, FAULT_TABLE_FILE)
}

export function supervisorLogPath(clusterDir: string): string {
  return join(clusterDir, SUPERVISOR_LOG)
}

export interface NodePaths {
  /** The node's own folder. */
  dir: string
  /** Its [meta] dir. */
  metaDir: string
  configPath: string
  logPath: string
}

export interface DataNodePaths extends NodePaths {
  /** [data] dir, [data] wal-dir and [hinted-handoff] dir, as in /var/lib/influxdb. */
  dataDir: string
  walDir: string
  hhDir: string
}

export function metaNodePaths(clusterDir: string, name: string): NodePaths {
  const dir = join(clusterDir, name)
  return {dir, metaDir: join(dir, 'meta'), configPath: join(dir, META_CONFIG_FILE), logPath: join(dir, META_LOG_FILE)}
}

export function dataNodePaths(clusterDir: string, name: string): DataNodePaths {
  const dir = join(clusterDir, name)
  return {
    dir, metaDir: join(dir, 'meta'), dataDir: join(dir, 'data'), walDir: join(dir, 'wal'), hhDir: join(dir, 'hh'),
    configPath: join(dir, DATA_CONFIG_FILE), logPath: join(dir, DATA_LOG_FILE),
  }
}

/** How to start a Node.js module as a child process: the executable and the arguments before the module's own. */
export interface ProcessEntry {
  command: string
  args: string[]
  /** The module file (for messages and for recognising the process in /proc). */
  module: string
}

/**
 * The entry for a module of the dev cluster, given as its path relative to this folder without extension
 * ('meta/main', 'supervisor/main'). From dist/ it is the compiled .js; from the sources the .ts through tsx.
 */
export function moduleEntry(relative: string, self: string = import.meta.url): ProcessEntry {
  const fromSources = self.endsWith('.ts')
  // This file is devcluster/cluster/paths: the modules are named from devcluster/.
  return fileEntry(fileURLToPath(new URL(`../${relative}${fromSources ? '.ts' : '.js'}`, self)), self)
}

/** The entry for a module file; TypeScript files get tsx's loader. */
export function fileEntry(file: string, self: string = import.meta.url): ProcessEntry {
  const args = ['--disable-warning=ExperimentalWarning']
  if (/\.[cm]?ts$/.test(file)) {
    // Registered by file URL, not by bare name: --import resolves bare names from the working directory.
    const tsx = pathToFileURL(createRequire(self).resolve('tsx')).href
    args.push('--import', tsx)
  }
  args.push(file)
  return {command: process.execPath, args, module: file}
}

/**
 * The meta node process (meta/main.ts): `<node> [loader] main.js -config <path>`. MEDIC_DEV_NODE_MAIN names another
 * module to run instead (a stand-in node for tests and experiments); it is given the same arguments.
 */
export function metaNodeEntry(env: NodeJS.ProcessEnv = process.env): ProcessEntry {
  const override = env.MEDIC_DEV_NODE_MAIN
  if (override !== undefined && override !== '') return fileEntry(resolve(override))
  return moduleEntry('meta/main')
}

/** The data node process (data/main.ts), with the same override for tests (MEDIC_DEV_DATA_NODE_MAIN). */
export function dataNodeEntry(env: NodeJS.ProcessEnv = process.env): ProcessEntry {
  const override = env.MEDIC_DEV_DATA_NODE_MAIN
  if (override !== undefined && override !== '') return fileEntry(resolve(override))
  return moduleEntry('data/main')
}

/** The detached supervisor process (supervisor/main.ts). */
export function supervisorEntry(): ProcessEntry {
  return moduleEntry('supervisor/main')
}
