/**
 * The detached supervisor's process: `medic dev up --detach` prepares the cluster folder, then starts this module in
 * a session of its own (`<node> supervisor/main.js --dir <cluster dir> [--grace-ms N]`, output appended to
 * supervisor.log) and waits on the IPC channel for one report: ready (with the start-up result) or failed (with the
 * error, e.g. the node that died and its last log lines). The command then disconnects and exits; this process keeps
 * the nodes until `medic dev down` (control server), SIGTERM or SIGINT, and it stops them before it exits.
 *
 * If the command goes away before the cluster is ready (Ctrl-C), nobody would know the cluster exists: the
 * supervisor then stops everything. The nodes' lifelines cover the cases where this process cannot clean up.
 */
import {serializeError, type SupervisorReport} from './protocol.js'
import {Supervisor} from './supervisor.js'

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

function report(message: SupervisorReport): void {
  if (process.connected && process.send) process.send(message)
}

async function main(): Promise<void> {
  const clusterDir = argValue('--dir')
  if (!clusterDir) {
    process.stderr.write('usage: supervisor/main --dir <cluster dir> [--grace-ms <ms>]\n')
    process.exitCode = 2
    return
  }
  const grace = argValue('--grace-ms')
  const supervisor = new Supervisor({
    clusterDir,
    mode: 'detached',
    graceMs: grace === undefined ? undefined : Number(grace),
    onProgress: (message) => report({type: 'progress', message}),
  })
  let ready = false
  const stop = (reason: string) => void supervisor.shutdown(reason)
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGHUP', () => {}) // no terminal to lose, but be explicit
  process.on('disconnect', () => {
    if (!ready) stop('the medic dev up that started this supervisor went away before the cluster was ready')
  })
  process.on('uncaughtException', (err) => {
    process.stderr.write(`supervisor: unexpected error: ${err.stack ?? err.message}\n`)
    process.exitCode = 1
    stop('unexpected error')
  })
  try {
    await supervisor.open()
    const result = await supervisor.bringUp()
    ready = true
    report({type: 'ready', result})
  } catch (err) {
    // Stop everything first, so that when `medic dev up` reports the failure nothing of the cluster runs any more.
    process.exitCode = 1
    await supervisor.shutdown('start-up failed')
    report({type: 'failed', error: serializeError(err)})
  }
  await supervisor.done
}

await main()
// Nothing is left to wait for once the nodes are stopped; do not linger on a stray handle.
process.exit(process.exitCode ?? 0)
