/** Ctrl-C (SIGINT) and SIGTERM as an AbortSignal, for commands that loop until stopped (hh watch, hh wait). */
export function abortOnSignals(): {signal: AbortSignal; dispose: () => void} {
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
