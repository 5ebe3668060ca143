/**
 * Flags shared by every command that talks HTTP to nodes. One name per meaning, everywhere:
 *   --http-timeout  the deadline of each HTTP request (MEDIC_HTTP_TIMEOUT)
 *   --username, --password, --jwt-secret   meta/data API credentials (MEDIC_USERNAME, MEDIC_PASSWORD, MEDIC_JWT_SECRET)
 *   --ca, --insecure                        https trust (MEDIC_CA, MEDIC_INSECURE)
 * `--timeout` is the deadline of a whole command run, where a command has one.
 */
import {Flags} from '@oclif/core'
import {readFile} from 'node:fs/promises'

import {fileError, usageError} from '../errors.js'
import type {Auth} from '../probe/auth.js'
import type {HttpOptions} from '../probe/http.js'
import {durationFlag} from './flags.js'

/** The deadline, credentials and TLS flags of any command that talks HTTP to nodes. */
export const httpFlags = {
  'http-timeout': durationFlag({description: 'deadline of each HTTP request (connect, headers and body), e.g. 2s', default: 5_000, env: 'MEDIC_HTTP_TIMEOUT'}),
  username: Flags.string({description: 'user of the nodes\' APIs ([meta] or [http] auth-enabled): Basic auth, or the JWT username with --jwt-secret', env: 'MEDIC_USERNAME'}),
  password: Flags.string({description: 'password for --username (Basic auth)', env: 'MEDIC_PASSWORD'}),
  'jwt-secret': Flags.string({description: "the meta node's [meta] shared-secret: sign a short-lived HS512 JWT for --username instead of Basic auth", env: 'MEDIC_JWT_SECRET'}),
  insecure: Flags.boolean({description: 'https: do not verify the nodes\' certificates (self-signed test clusters only)', env: 'MEDIC_INSECURE'}),
  ca: Flags.string({description: 'https: a PEM file with the CA that signed the nodes\' certificates', env: 'MEDIC_CA'}),
}

/** Default of --timeout for the probe commands (status, ctl show, join diagnose). */
export const DEFAULT_RUN_TIMEOUT_MS = 15_000

/**
 * The probe commands' flags: --timeout bounds the whole run (what is not reached by then is reported as not checked),
 * --http-timeout each request within it.
 */
export const probeFlags = {
  timeout: durationFlag({
    char: 't',
    description: 'deadline of the whole run: nodes not reached by then are reported as not checked (UNKNOWN), e.g. 10s',
    default: DEFAULT_RUN_TIMEOUT_MS,
    env: 'MEDIC_TIMEOUT',
  }),
  ...httpFlags,
}

export interface HttpFlagValues {
  'http-timeout': number
  username?: string
  password?: string
  'jwt-secret'?: string
  insecure?: boolean
  ca?: string
}

export interface ProbeFlagValues extends HttpFlagValues {
  timeout: number
}

/**
 * Turns the HTTP flags into HttpOptions: `timeoutMs` is --http-timeout, the deadline of each request (reads --ca; a
 * bad combination is a usage error). `command` names the command in the usage errors' suggestions ("medic status").
 */
export async function httpOptionsFromFlags(flags: HttpFlagValues, command = 'medic status meta-1:8091'): Promise<HttpOptions> {
  let auth: Auth | undefined
  if (flags['jwt-secret'] !== undefined) {
    if (!flags.username) throw usageError('--jwt-secret needs --username (the JWT\'s username claim)', 'jwt-needs-username', [`${command} --username admin --jwt-secret "$SECRET"`])
    auth = {type: 'jwt', username: flags.username, secret: flags['jwt-secret']}
  } else if (flags.username !== undefined) {
    auth = {type: 'basic', username: flags.username, password: flags.password ?? ''}
  } else if (flags.password !== undefined) {
    throw usageError('--password needs --username', 'password-needs-username', [`${command} --username admin --password "$PASSWORD"`])
  }
  let ca: string | undefined
  if (flags.ca !== undefined) {
    try {
      ca = await readFile(flags.ca, 'utf8')
    } catch (err) {
      throw fileError(flags.ca, err)
    }
  }
  return {timeoutMs: flags['http-timeout'], auth, insecure: flags.insecure, ca}
}
