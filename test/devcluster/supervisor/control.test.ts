// The supervisor's control server and its protocol, without a supervisor: handlers stand in for it. A request
// without the token is 401; unknown operations 404; bodies that are not JSON, nest too deep or do not fit the
// operation 400; every reply is checked by the client against the protocol; errors come back as the same
// MedicError (NodeFailedError with its log lines); and a client facing no supervisor, or something else on its
// port, says so with exit 4.
import {afterEach, describe, expect, it} from 'vitest'

import {control} from '../../../src/devcluster/client/control.js'
import type {ClusterState} from '../../../src/devcluster/cluster/state.js'
import {ControlServer, type ControlHandlers} from '../../../src/devcluster/supervisor/control-server.js'
import {
  deserializeError, NodeFailedError, parseReply, parseReport, parseRequest, serializeError,
} from '../../../src/devcluster/supervisor/protocol.js'
import {MedicError, usageError} from '../../../src/errors.js'
import {httpCall} from '../../helpers/http.js'
import {closeAll, deadPort, serve} from '../../helpers/net.js'

const servers: ControlServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
  await closeAll()
})

const node = {
  name: 'meta-2', kind: 'meta' as const, httpAddr: '127.0.0.1:18291', raftAddr: '127.0.0.1:18289', dir: '/c/meta-2', configPath: '/c/meta-2/influxdb-meta.conf',
  logPath: '/c/meta-2/influxdb-meta.log', pid: 4242, startedAt: null, exit: null, paused: false, lastSignal: null,
}

const handlers: ControlHandlers = {
  ping: async () => ({pid: 1, mode: 'detached', phase: 'running', running: ['meta-1']}),
  start: async (r) => {
    if (r.node === 'meta-3') throw new NodeFailedError('meta-3 exited during start-up (exit code 1); the last lines of /c/meta-3/influxdb-meta.log:', {node: 'meta-3', path: '/c/meta-3/influxdb-meta.log', lines: ['run: boom']}, ['medic dev logs meta-3'])
    if (r.node === 'meta-9') throw usageError('no node "meta-9" in this dev cluster', 'unknown-node', ['medic dev status'])
    return {node: {...node, name: r.node}, alreadyRunning: false}
  },
  stop: async (r) => ({node: {...node, name: r.node}, exit: {code: 0, signal: null, at: 'now', requested: true}, alreadyStopped: r.graceMs === 0}),
  down: async () => {
    throw new Error('a bug')
  },
}

async function open(): Promise<{server: ControlServer; state: ClusterState}> {
  const server = await ControlServer.open(handlers)
  servers.push(server)
  const state: ClusterState = {
    version: 1, createdAt: '', updatedAt: '', dir: '/c', basePort: 18000, logFormat: 'logfmt', auth: null, joined: true,
    supervisor: {pid: process.pid, mode: 'detached', address: server.address, token: server.token, startedAt: ''}, nodes: [],
  }
  return {server, state}
}

describe('the control server', () => {
  it('answers typed replies to the client, and the same errors it raised', async () => {
    const {state} = await open()
    expect(await control(state, 'ping', {})).toEqual({pid: 1, mode: 'detached', phase: 'running', running: ['meta-1']})
    expect(await control(state, 'start', {node: 'meta-2'})).toMatchObject({node: {name: 'meta-2', kind: 'meta', raftAddr: '127.0.0.1:18289'}, alreadyRunning: false})
    expect(await control(state, 'stop', {node: 'meta-2', graceMs: 0})).toMatchObject({alreadyStopped: true, exit: {code: 0, requested: true}})
    const failed = await control(state, 'start', {node: 'meta-3'}).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(NodeFailedError)
    expect(failed).toMatchObject({exitCode: 3, code: 'node-failed', log: {node: 'meta-3', lines: ['run: boom']}, suggestions: ['medic dev logs meta-3']})
    await expect(control(state, 'start', {node: 'meta-9'})).rejects.toMatchObject({exitCode: 2, code: 'unknown-node'})
    await expect(control(state, 'down', {})).rejects.toMatchObject({exitCode: 1, code: 'internal', message: 'a bug'})
  })

  it('refuses requests without the token, unknown operations and bad bodies', async () => {
    const {server} = await open()
    const auth = {authorization: `Bearer ${server.token}`, 'content-type': 'application/json'}
    expect((await httpCall(server.address, 'POST', '/ping', '{}')).status).toBe(401)
    expect((await httpCall(server.address, 'POST', '/ping', '{}', {authorization: 'Bearer nope'})).status).toBe(401)
    const unknown = await httpCall(server.address, 'POST', '/explode', '{}', auth)
    expect(unknown).toMatchObject({status: 404, json: {error: {code: 'unknown-operation'}}})
    for (const [body, why] of [
      ['{"node":', /not valid JSON/], ['['.repeat(50) + ']'.repeat(50), /nests deeper/], ['{"node":"x"}', /node must be a node name/],
      ['{"node":"meta-1","graceMs":-5}', /graceMs must be/], ['[1]', /must be a JSON object/],
    ] as const) {
      const r = await httpCall(server.address, 'POST', body.includes('graceMs') ? '/stop' : '/start', body, auth)
      expect(r.status, body).toBe(400)
      expect(r.json?.error?.message, body).toMatch(why)
    }
    const big = await httpCall(server.address, 'POST', '/start', `{"node":"${'x'.repeat(70_000)}"}`, auth)
    expect(big.status === 400 || big.status === 0).toBe(true)
  })
})

describe('the client without a supervisor to talk to', () => {
  const state = (address: string, pid = process.pid): ClusterState => ({
    version: 1, createdAt: '', updatedAt: '', dir: '/c', basePort: 18000, logFormat: 'logfmt', auth: null, joined: true,
    supervisor: {pid, mode: 'detached', address, token: 't', startedAt: ''}, nodes: [],
  })

  it('says the cluster is not running when nothing listens or the pid is gone', async () => {
    await expect(control(state(`127.0.0.1:${await deadPort()}`), 'ping', {})).rejects.toMatchObject({exitCode: 4, code: 'supervisor-not-running'})
    await expect(control(state('127.0.0.1:1', 2 ** 22 + 12_345), 'ping', {})).rejects.toMatchObject({exitCode: 4, code: 'supervisor-not-running'})
  })

  it('says something else answers on its port when the reply is not the protocol', async () => {
    const html = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'text/html'})
      res.end('<html>hello</html>')
    })
    await expect(control(state(`127.0.0.1:${html}`), 'ping', {})).rejects.toMatchObject({exitCode: 4, code: 'supervisor-bad-answer'})
    const wrong = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end('{"pid":"one"}')
    })
    await expect(control(state(`127.0.0.1:${wrong}`), 'ping', {})).rejects.toMatchObject({exitCode: 4, code: 'supervisor-bad-answer', message: expect.stringContaining('malformed ping reply')})
  })
})

describe('the protocol', () => {
  it('checks requests, replies and reports field by field', () => {
    expect(parseRequest('stop', {node: 'meta-1', graceMs: 100})).toEqual({node: 'meta-1', graceMs: 100})
    expect(parseRequest('down', {})).toEqual({})
    expect(parseReply('start', {node: {...node, kind: 'other'}, alreadyRunning: true})).toMatch(/neither a meta nor a data node/)
    expect(parseReply('down', {stopped: [{name: 'meta-1', exit: {code: 'x'}}]})).toBe('a node exit is malformed')
    expect(parseReport({type: 'progress', message: 'starting'})).toEqual({type: 'progress', message: 'starting'})
    expect(parseReport({type: 'ready', result: {dir: '/c'}})).toBe('malformed result')
    expect(parseReport({type: 'failed', error: {code: 'x'}})).toBe('malformed failure report')
    expect(parseReport('hello')).toBe('not an object')
  })

  it('round-trips errors, NodeFailedError with its log included', () => {
    const failed = new NodeFailedError('m', {node: 'meta-1', path: '/l', lines: ['a', 'b']}, ['s'])
    const back = deserializeError(serializeError(failed))
    expect(back).toBeInstanceOf(NodeFailedError)
    expect(back).toMatchObject({message: 'm', code: 'node-failed', exitCode: 3, log: {lines: ['a', 'b']}, suggestions: ['s']})
    const plain = deserializeError(serializeError(new MedicError('x', {code: 'c', exitCode: 2, suggestions: ['y']})))
    expect(plain).not.toBeInstanceOf(NodeFailedError)
    expect(plain).toMatchObject({message: 'x', code: 'c', exitCode: 2, suggestions: ['y']})
  })
})
