// Hostile request bodies against a real three-node dev cluster (issue 9, defect 1): one unauthenticated 1 MB body
// built to make a backtracking parser work quadratically (a multipart part header, an urlencoded form, deeply nested
// JSON) once froze a meta node for 14-18 s, on the event loop that also runs Raft, and moved the leader. Each must be
// answered 400 in well under a second of parsing, and the leader must stay the leader.
import {afterEach, describe, expect, it} from 'vitest'

import {prepareCluster} from '../../../src/devcluster/supervisor/prepare.js'
import {Supervisor} from '../../../src/devcluster/supervisor/supervisor.js'
import {freeBase, tempClusterDir} from '../../fixtures/dev/helpers.js'
import {httpCall} from '../../helpers/http.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const MB = 1_000_000
const CRLF = '\r\n'

/** A multipart body of about 1 MB whose only part has a header line of repeated disposition tokens and no name. */
function hostileMultipart(): string {
  const header = 'Content-Disposition: form-data; name'.repeat(Math.floor((MB - 100) / 36))
  return `--b${CRLF}${header}${CRLF}${CRLF}v${CRLF}--b--${CRLF}`
}

async function leaderSeenBy(addr: string): Promise<string> {
  const r = await httpCall(addr, 'GET', '/status', undefined, {}, 3_000)
  return r.status === 200 ? String(r.json?.leader ?? '') : ''
}

describe('hostile bodies against real meta nodes', () => {
  it('1 MB multipart, form and JSON bodies are refused with 400 at once, and the leader stays the leader', async () => {
    const t = tempClusterDir('medic-hostile-bodies-')
    cleanups.push(t.remove)
    await prepareCluster({clusterDir: t.dir, data: 0, meta: 3, basePort: await freeBase(3)})
    const sup = new Supervisor({clusterDir: t.dir, mode: 'foreground', graceMs: 2_000})
    cleanups.push(() => sup.shutdown('test cleanup', 500))
    await sup.open()
    const up = await sup.bringUp()
    const leader = up.nodes.find((n) => n.name === up.leader.name)
    if (leader === undefined) throw new Error('no leader node')

    const cases: Array<[string, string, Record<string, string>, string | RegExp]> = [
      ['/add-meta', hostileMultipart(), {'content-type': 'multipart/form-data; boundary=b'}, 'multipart part without a field name'],
      ['/add-data', `addr=${'%41'.repeat(Math.floor(MB / 3) - 10)}%zz`, {'content-type': 'application/x-www-form-urlencoded'}, 'invalid URL escape "%zz"'],
      ['/execute', '['.repeat(MB / 2) + ']'.repeat(MB / 2), {'content-type': 'application/json'}, 'malformed JSON body: it nests deeper than 64 levels'],
    ]
    for (const [path, body, headers, error] of cases) {
      expect(Buffer.byteLength(body)).toBeGreaterThan(0.99 * MB)
      const started = performance.now()
      // The old multipart parser took 14-18 s here; 4 s is room for a loaded machine, not for backtracking.
      const r = await httpCall(leader.httpAddr, 'POST', path, body, headers, 10_000)
      const ms = performance.now() - started
      expect(r.status, `${path}: ${r.error ?? r.text.slice(0, 200)}`).toBe(400)
      expect(r.json?.error).toEqual(error)
      expect(ms, `${path} answered after ${ms.toFixed(0)} ms`).toBeLessThan(4_000)
    }
    // No node saw the leader go quiet: every one still names the same leader.
    const leaders = await Promise.all(up.nodes.map((n) => leaderSeenBy(n.httpAddr)))
    expect(leaders).toEqual(up.nodes.map(() => up.leader.raftAddr))
    // And it still takes writes.
    const w = await httpCall(leader.httpAddr, 'POST', '/execute', JSON.stringify({cmd: {type: 'createDatabase', name: 'after'}}), {'content-type': 'application/json'})
    expect(w.status, w.text).toBe(200)
  }, 120_000)
})
