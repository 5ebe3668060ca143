/**
 * oclif's command_not_found hook: an unknown command gets a did-you-mean and exit 2 (a usage error), as one JSON
 * document under --json. Written here rather than taken from @oclif/plugin-not-found, which asks an interactive
 * yes/no question on a terminal and exits 127: medic's contract is exit 2 and no prompts.
 */
import type {Hook} from '@oclif/core'

import {ExitCode} from '../../errors.js'
import {closest} from '../../util/edit-distance.js'
import {escapeControl, jsonSafe, redactArgv} from '../../util/text.js'
import {SCHEMA_VERSION} from '../base-command.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const typed = options.id.replaceAll(':', ' ')
  const ids = this.config.commandIDs.filter((id) => !this.config.findCommand(id)?.hidden).map((id) => id.replaceAll(':', ' '))
  // oclif folds arguments into the id when no command matches ("hh wath /x" -> "hh:wath:/x"): try the longest
  // prefix of words that is near a command, and keep the other words as its arguments.
  const words = typed.split(' ')
  let best: string | undefined
  let args: string[] = []
  for (let k = words.length; k >= 1 && best === undefined; k--) {
    best = closest(words.slice(0, k).join(' '), ids)
    args = words.slice(k)
  }
  const rest = redactArgv([...args, ...(options.argv ?? [])].filter((a) => a !== '--json'))
  const suggestions = best === undefined ? ['medic help'] : [[`medic ${best}`, ...rest].join(' '), `medic ${best} --help`]
  const message = `"${typed}" is not a medic command${best === undefined ? '' : `; did you mean "${best}"?`}`
  if ((options.argv ?? []).includes('--json')) {
    const doc = {schemaVersion: SCHEMA_VERSION, command: typed, exitCode: ExitCode.USAGE, error: {code: 'unknown-command', message, suggestions}}
    process.stdout.write(jsonSafe(JSON.stringify(doc, null, 2)) + '\n')
  } else {
    process.stderr.write(escapeControl(`Error: ${message}`) + '\nTry this:\n' + suggestions.map((s) => `  * ${escapeControl(s)}`).join('\n') + '\n')
  }
  this.exit(ExitCode.USAGE)
}

export default hook
