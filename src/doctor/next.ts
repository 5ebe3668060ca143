/**
 * The next command of each doctor finding: one command that works when pasted. Values from outside (addresses,
 * paths, ids) go in through util/text.ts `sh`, which quotes each one as one shell word and withholds the whole
 * command (null) when a value could not be pasted safely. medic commands that talk to nodes carry the way the
 * operator reached them (user, CA, --insecure), with secrets as the environment variables medic reads
 * ("$MEDIC_PASSWORD"), never as values.
 */
import {isPlainHostPort} from '../util/hostport.js'
import {sh} from '../util/text.js'
import type {Access} from './types.js'

/** Appends the access flags to a medic command that talks HTTP to nodes; null stays null. */
export function withAccess(command: string | undefined, access: Access): string | null {
  if (command === undefined) return null
  const parts = [command]
  if (access.username !== undefined) {
    const user = sh`--username ${access.username}`
    if (user === undefined) return null
    parts.push(user)
    if (access.jwt) parts.push('--jwt-secret "$MEDIC_JWT_SECRET"')
    else if (access.password) parts.push('--password "$MEDIC_PASSWORD"')
  }
  if (access.ca !== undefined) {
    const ca = sh`--ca ${access.ca}`
    if (ca === undefined) return null
    parts.push(ca)
  }
  if (access.insecure) parts.push('--insecure')
  return parts.join(' ')
}

/** `medic status META...`: the meta nodes the operator gave, or the one concerned. */
export function statusCommand(meta: string[], access: Access, watch = false): string | null {
  const given = meta.filter((m) => m !== '')
  if (given.length === 0) return null
  let cmd: string | undefined = 'medic status'
  for (const m of given) cmd = cmd === undefined ? undefined : joinSh(cmd, m)
  return withAccess(cmd === undefined ? undefined : watch ? `${cmd} --watch 2s` : cmd, access)
}

/** `medic join diagnose ADDR`: every link a meta node's join depends on. */
export function joinDiagnoseCommand(addr: string, access: Access): string | null {
  return withAccess(sh`medic join diagnose ${addr}`, access)
}

/** `medic ctl show --meta ADDR`: influxd-ctl show's view of membership. */
export function ctlShowCommand(meta: string | undefined, access: Access): string | null {
  return meta === undefined ? null : withAccess(sh`medic ctl show --meta ${meta}`, access)
}

/** `curl -sS -i URL`: what a node answers, as it answers it. */
export function curlCommand(url: string): string | null {
  return sh`curl -sS -i ${url}` ?? null
}

/** `medic hh watch --url SOURCE [--meta META]` or `medic hh watch DIR`. */
export function hhWatchCommand(source: {kind: 'dir' | 'http'; source: string}, meta: string | undefined, access: Access): string | null {
  if (source.kind === 'dir') return sh`medic hh watch ${source.source} --interval 5s` ?? null
  const base = sh`medic hh watch --url ${source.source} --interval 5s`
  const withMeta = base !== undefined && meta !== undefined ? joinSh(`${base} --meta`, meta) : base
  return withAccess(withMeta, access)
}

/** `medic config check FILE...`. */
export function configCheckCommand(files: string[]): string | null {
  let cmd: string | undefined = 'medic config check'
  for (const f of files) cmd = cmd === undefined ? undefined : joinSh(cmd, f)
  return files.length === 0 ? null : cmd ?? null
}

/** `medic explain ID`: a catalogue entry in full. */
export function explainCommand(id: string): string | null {
  return sh`medic explain ${id}` ?? null
}

/** `medic logs summarize FILE... [--since T]`. */
export function summarizeCommand(files: string[], since: string | null): string | null {
  let cmd: string | undefined = 'medic logs summarize'
  for (const f of files.slice(0, 20)) cmd = cmd === undefined ? undefined : joinSh(cmd, f)
  if (cmd !== undefined && since !== null) cmd = joinSh(`${cmd} --since`, since)
  return files.length === 0 ? null : cmd ?? null
}

/** An address fit for a suggested command: a plain host:port, or a URL medic built from one. */
export function pasteableAddress(addr: string): boolean {
  return isPlainHostPort(addr) || /^https?:\/\/[\w.-]+(?::\d+)?$/.test(addr) || /^https?:\/\/\[[\da-f:.]+\](?::\d+)?$/i.test(addr)
}

function joinSh(prefix: string, value: string): string | undefined {
  const word = sh`${value}`
  return word === undefined ? undefined : `${prefix} ${word}`
}
