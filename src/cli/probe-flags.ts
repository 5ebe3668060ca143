/** Flags shared by the commands that probe cluster nodes over HTTP (`medic status`, `medic ctl show`, `medic join diagnose`). */
import {Flags} from '@oclif/core'
import {readFile} from 'node:fs/promises'

import {fileError, usageError} from '../errors.js'
import type {Auth} from '../probe/auth.js'
import type {HttpOptions} from '../probe/http.js'
import {durationFlag} from './flags.js'

export const probeFlags = {
  timeout: durationFlag({
    char: 't',
    description: 'deadline of each probe (connect, headers and body of one node), e.g. 2s',
    default: 5_000,
    defaultHelp: async () => '5s',
    env: 'MEDIC_TIMEOUT',
  }),
  username: Flags.string({description: 'meta API user ([meta] auth-enabled): Basic auth, or the JWT username with --jwt-secret', env: 'MEDIC_USERNAME'}),
  password: Flags.string({description: 'password for --username (Basic auth)', env: 'MEDIC_PASSWORD'}),
  'jwt-secret': Flags.string({description: "the meta node's [meta] shared-secret: sign a short-lived HS512 JWT for --username instead of Basic auth", env: 'MEDIC_JWT_SECRET'}),
  insecure: Flags.boolean({description: 'https: do not verify the nodes\' certificates (self-signed test clusters only)', env: 'MEDIC_INSECURE'}),
  ca: Flags.string({description: 'https: a PEM file with the CA that signed the nodes\' certificates', env: 'MEDIC_CA'}),
}

export interface ProbeFlagValues {
  timeout: number
  username?: string
  password?: string
  'jwt-secret'?: string
  insecure?: boolean
  ca?: string
}

/** Turns the probe flags into HttpOptions (reads --ca; a bad combination is a usage error). */
export async function httpOptionsFromFlags(flags: ProbeFlagValues): Promise<HttpOptions> {
  let auth: Auth | undefined
  if (flags['jwt-secret'] !== undefined) {
    if (!flags.username) throw usageError('--jwt-secret needs --username (the JWT\'s username claim)', 'jwt-needs-username', ['medic status meta-1:8091 --username admin --jwt-secret "$SECRET"'])
    auth = {type: 'jwt', username: flags.username, secret: flags['jwt-secret']}
  } else if (flags.username !== undefined) {
    auth = {type: 'basic', username: flags.username, password: flags.password ?? ''}
  } else if (flags.password !== undefined) {
    throw usageError('--password needs --username', 'password-needs-username', ['medic status meta-1:8091 --username admin --password "$PASSWORD"'])
  }
  let ca: string | undefined
  if (flags.ca !== undefined) {
    try {
      ca = await readFile(flags.ca, 'utf8')
    } catch (err) {
      throw fileError(flags.ca, err)
    }
  }
  return {timeoutMs: flags.timeout, auth, insecure: flags.insecure, ca}
}
