/**
 * The client of the supervisor's control server (supervisor/control-server.ts): one typed call per operation, the
 * reply checked against protocol.ts, errors turned back into the MedicError the supervisor raised, and the ways a
 * supervisor can fail to answer (not running, hung, something else on its port) said plainly.
 */
import {inputError, type MedicError} from '../../errors.js'
import {dirFlag} from '../cluster/paths.js'
import {pidAlive} from '../cluster/processes.js'
import type {ClusterState} from '../cluster/state.js'
import {createNodeHttpClient, jsonOf, NodeHttpError} from '../node/http-client.js'
import {type ControlOp, type ControlReply, type ControlRequest, deserializeError, parseError, parseReply} from '../supervisor/protocol.js'

function notRunning(state: ClusterState): MedicError {
  return inputError(`the dev cluster in ${state.dir} is not running (no supervisor answers)`, 'supervisor-not-running', [
    `start it: medic dev up${dirFlag(state.dir)}`,
  ])
}

/** Calls operation `op` of the cluster's supervisor and returns its checked reply. */
export async function control<O extends ControlOp>(state: ClusterState, op: O, request: ControlRequest<O>, timeoutMs = 60_000): Promise<ControlReply<O>> {
  const sup = state.supervisor
  if (!sup || !pidAlive(sup.pid)) throw notRunning(state)
  const http = createNodeHttpClient({userAgent: 'influx-medic'})
  let status: number
  let body: unknown
  try {
    const res = await http.post(`http://${sup.address}/${op}`, JSON.stringify(request), {
      headers: {'content-type': 'application/json', authorization: `Bearer ${sup.token}`}, timeoutMs, maxResponseBytes: 4 * 1024 * 1024,
    })
    status = res.status
    body = jsonOf(res)
  } catch (err) {
    if (err instanceof NodeHttpError && (err.code === 'refused' || err.code === 'reset')) throw notRunning(state)
    if (err instanceof NodeHttpError && err.code === 'timeout') {
      throw inputError(`the supervisor (pid ${sup.pid}) did not answer "${op}" within ${Math.round(timeoutMs / 1000)} s`, 'supervisor-timeout', [
        `its log: medic dev logs supervisor${dirFlag(state.dir)}`,
      ], err)
    }
    throw inputError(`cannot reach the supervisor at ${sup.address} (${err instanceof NodeHttpError ? err.errno ?? err.code : String(err)})`, 'supervisor-unreachable', [], err)
  } finally {
    await http.close()
  }
  const anotherProgram = `another program may have taken its port: medic dev status${dirFlag(state.dir)}`
  if (body === undefined) {
    throw inputError(`the supervisor at ${sup.address} answered ${status} with something that is not JSON`, 'supervisor-bad-answer', [anotherProgram])
  }
  if (status !== 200) {
    const e = typeof body === 'object' && body !== null && 'error' in body ? parseError(body.error) : undefined
    if (e) throw deserializeError(e)
    throw inputError(`the supervisor answered ${status}`, 'supervisor-bad-answer', [anotherProgram])
  }
  const reply = parseReply(op, body)
  if (typeof reply === 'string') throw inputError(`the supervisor at ${sup.address} answered "${op}" with an unexpected reply (${reply})`, 'supervisor-bad-answer', [anotherProgram])
  return reply
}

/** True when the recorded supervisor is alive and answers its control server. */
export async function supervisorAnswers(state: ClusterState): Promise<boolean> {
  if (!state.supervisor || !pidAlive(state.supervisor.pid)) return false
  try {
    await control(state, 'ping', {}, 2_000)
    return true
  } catch {
    return false
  }
}
