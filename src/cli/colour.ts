/**
 * The colour rules shared by every command: colour only on an interactive terminal, never with --json,
 * and never when NO_COLOR is set (any non-empty value), --no-color is given, FORCE_COLOR=0 or TERM=dumb.
 * FORCE_COLOR=1..3 forces colour on (useful in CI logs that render ANSI).
 * chalk ignores NO_COLOR by design, so medic decides here and sets chalk's level itself.
 */
export interface ColourInputs {
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  isTTY: boolean
}

export function colourWanted({argv, env, isTTY}: ColourInputs): boolean {
  if (argv.includes('--json') || argv.includes('--no-color')) return false
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.TERM === 'dumb') return false
  return isTTY
}
