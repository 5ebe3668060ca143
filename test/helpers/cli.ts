// Runs the built CLI (bin/run.js, dist/) as a real child process: the most faithful check of stdout/stderr separation
// and exit codes. `npm test` builds first.
import {spawn} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, realpathSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

export function medic(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '', FORCE_COLOR: undefined, CI: '1', ...options.env}
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`medic ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms`))
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')})
    })
    child.stdin.on('error', () => {})
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
  })
}

/** Parses stdout as exactly one JSON document (throws otherwise). */
export function oneJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>
}

export {tempDir} from './tmp.js'

/** True when the suite runs as root, which reads any file whatever its mode: unreadable inputs need another user. */
export const RUNS_AS_ROOT = process.getuid?.() === 0

/**
 * Runs medic as the `nobody` user when the suite runs as root (root reads any file, so a chmod 000 input is only
 * unreadable to someone else), else as itself. `home` must be a folder that user may write (mode 0777): medic's
 * config and cache folders point there.
 */
export function medicAsOther(args: string[], home: string, timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '', CI: '1', HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_CACHE_HOME: home}
    delete env.FORCE_COLOR
    const node = RUNS_AS_ROOT ? nodeForOthers(home) : process.execPath
    const child = spawn(node, [BIN, ...args], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...(RUNS_AS_ROOT ? {uid: 65534, gid: 65534} : {})})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`medic ${args.join(' ')} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

/**
 * A node binary the other user may run: this one when every directory above it and the file itself are open to
 * others, else a copy in `dir` (CI keeps the Node 24 binary under root's home, which others cannot enter).
 */
function nodeForOthers(dir: string): string {
  const real = realpathSync(process.execPath)
  const others = (path: string) => (statSync(path).mode & 0o001) !== 0
  let open = others(real)
  for (let d = dirname(real); open && d !== dirname(d); d = dirname(d)) open = others(d)
  if (open) return real
  const copy = join(dir, 'node')
  if (!existsSync(copy)) {
    copyFileSync(real, copy)
    chmodSync(copy, 0o755)
  }
  return copy
}
