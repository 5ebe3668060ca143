/**
 * medic-run.js: runs the built CLI (bin/run.js) as a child process and times it from spawn to exit; shared by the
 * benchmarks that drive medic end to end. Resolves {code, ms, out, err}; rejects only when the process cannot start.
 */
import {spawn} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const MEDIC = path.join(ROOT, 'bin', 'run.js')

export function runMedic(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [MEDIC, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, ms: performance.now() - started, out, err}))
  })
}
