/**
 * What every dev-cluster node process does around its own work: find its `-config` argument, exit when its
 * supervisor is gone (the lifeline), stop cleanly on SIGTERM/SIGINT, describe a port it cannot bind the way an
 * operator needs to read it, and turn the result of its run into an exit code. No CLI code: a node writes its own
 * lines and exits 0 (clean stop), 1 (fatal error, its last log lines say why) or 2 (usage).
 *
 * The lifeline: the supervisor starts each node with the read end of a pipe on file descriptor 3 and never writes to
 * it. When the supervisor ends, however it ends (even SIGKILL), the kernel closes the write end; the node sees the end
 * of the pipe and shuts down, so no node outlives its cluster. A node started by hand has no fd 3 and no lifeline.
 */
import {fstatSync} from 'node:fs'
import {Socket} from 'node:net'

/** The value of `-config <path>` / `--config=<path>` in `argv`, or undefined. */
export function configPathFrom(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '-config' || a === '--config') return argv[i + 1]
    if (a.startsWith('-config=') || a.startsWith('--config=')) return a.slice(a.indexOf('=') + 1)
  }
  return undefined
}

/** Calls `onLost` once the supervisor's end of the fd-3 pipe closes. No fd 3 (started by hand): nothing to watch. */
export function watchLifeline(onLost: () => void): void {
  try {
    const st = fstatSync(3)
    if (!st.isFIFO() && !st.isSocket()) return
  } catch {
    return
  }
  // A socket, not a ReadStream: a stream on fd 3 would read through the thread pool and hold the process open at exit.
  const s = new Socket({fd: 3, readable: true, writable: false})
  s.on('data', () => undefined)
  s.on('end', onLost)
  s.on('close', onLost)
  s.on('error', onLost)
}

/** What to tell the operator when `listen()` fails, naming the config key (`what`) and the address. */
export function describeListenError(err: unknown, what: string, addr: string): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined
  if (code === 'EADDRINUSE') return `${what} ${addr}: the port is already in use by another process`
  if (code === 'EACCES') return `${what} ${addr}: permission denied`
  if (code === 'EADDRNOTAVAIL') return `${what} ${addr}: the address is not available on this machine`
  return `${what} ${addr}: ${messageOf(err)}`
}

/** An error's message, or the thrown value as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** The `code` of a Node.js system error (ENOENT, EADDRINUSE...), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

export const SHUTDOWN_MESSAGE = 'Signal received, initializing clean shutdown...'
export const LIFELINE_MESSAGE = 'The supervisor is gone; shutting down'

/**
 * Calls `stop(reason)` on SIGTERM, SIGINT or when the lifeline ends (each reason is the line the node logs).
 * `stop` must be safe to call more than once.
 */
export function onStopRequests(stop: (reason: string) => void): void {
  process.on('SIGTERM', () => stop(SHUTDOWN_MESSAGE))
  process.on('SIGINT', () => stop(SHUTDOWN_MESSAGE))
  watchLifeline(() => stop(LIFELINE_MESSAGE))
}

/**
 * Runs a node's main function and exits with the code it resolves to. A rejection is a bug or a failure before the
 * logger existed: it is written to stderr (the node's log file) as the last line, which the supervisor quotes.
 */
export function runNodeMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`run: ${messageOf(err)}\n`)
      process.exit(1)
    },
  )
}
