// One JWT implementation (src/util/jwt.ts) for medic's probes and the dev nodes: what `--jwt-secret` signs is what a
// dev node's verifier accepts, byte for byte the token influxd-ctl -auth-type jwt would send.
import {createHmac} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import * as nodeJwt from '../../src/devcluster/node/jwt.js'
import {authHeaders, signJwt as probeSign} from '../../src/probe/auth.js'
import {bearer, hs512Matches, signJwt, splitJwt} from '../../src/util/jwt.js'

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0)

describe('util/jwt', () => {
  it('is the one signer: the probes and the dev nodes use the same function', () => {
    expect(probeSign).toBe(signJwt)
    expect(nodeJwt.signJwt).toBe(signJwt)
    expect(nodeJwt.splitJwt).toBe(splitJwt)
    expect(nodeJwt.hs512Matches).toBe(hs512Matches)
  })

  it('signs HS512 with username and exp, as Enterprise expects', () => {
    const token = signJwt('admin', 's3cret', NOW, 60)
    const [h, p, s] = token.split('.')
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({alg: 'HS512', typ: 'JWT'})
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({username: 'admin', exp: NOW / 1000 + 60})
    expect(s).toBe(createHmac('sha512', 's3cret').update(`${h}.${p}`).digest('base64url'))
  })

  it('a token signed by a probe passes a dev node\'s check, and only under the same secret', () => {
    const header = authHeaders({type: 'jwt', username: 'ops', secret: 'shh', ttlSeconds: 30}, NOW).authorization
    expect(header).toBe(`Bearer ${signJwt('ops', 'shh', NOW, 30)}`)
    expect(bearer('ops', 'shh', NOW).authorization).toBe(`Bearer ${signJwt('ops', 'shh', NOW, 60)}`)
    const parts = splitJwt(header.slice('Bearer '.length))!
    expect(parts.claims).toEqual({username: 'ops', exp: NOW / 1000 + 30})
    expect(hs512Matches(parts.signingInput, parts.signature, 'shh')).toBe(true)
    expect(hs512Matches(parts.signingInput, parts.signature, 'other')).toBe(false)
    expect(hs512Matches(parts.signingInput, parts.signature, '')).toBe(false)
  })

  it('takes apart only what is a JWT', () => {
    for (const bad of ['', 'a.b', 'a.b.c.d', '!!.e30.x', `${Buffer.from('[1]').toString('base64url')}.e30.x`, '.e30.x']) {
      expect(splitJwt(bad), bad).toBeUndefined()
    }
  })
})
