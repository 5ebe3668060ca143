/** `medic ctl show`: a read-only /show-cluster (+ /status Raft view) from one meta node. No oclif import. */
import {MedicError} from '../errors.js'
import {checkMetaStatus, parseShowCluster, type ShowClusterDataNode, type ShowClusterMetaNode} from '../wire/schemas.js'
import {getJson, type HttpOptions, normaliseBaseUrl} from './http.js'
import {META_HTTP_PORT} from './status.js'

export interface CtlShow {
  meta: ShowClusterMetaNode[]
  data: ShowClusterDataNode[]
  /** The meta node asked (base URL). */
  from: string
  /** Leader and peers from the meta node's /status (Raft addresses); null when it could not be read. */
  raft: {leader: string; peers: string[] | null} | null
  raftError?: string
}

/** Reads /show-cluster (exit 4 when it cannot) and /status (optional) from one meta node. */
export async function ctlShow(address: string, http: HttpOptions = {}): Promise<CtlShow> {
  const base = normaliseBaseUrl(address, META_HTTP_PORT, '--meta')
  const opts = {...http, what: 'a meta node'}
  const [cluster, status] = await Promise.all([
    getJson(`${base}/show-cluster`, opts).then((r) => parseShowCluster(r.body, `${base}/show-cluster`)),
    getJson(`${base}/status`, opts).then(async (r) => checkMetaStatus(r.body)).catch((err: unknown) => {
      if (err instanceof MedicError) return {ok: false as const, error: err.message}
      throw err
    }),
  ])
  let raft: CtlShow['raft'] = null
  let raftError: string | undefined
  if ('error' in status) raftError = status.error
  else if (status.ok) raft = {leader: status.status.leader, peers: status.status.peers}
  else raftError = `${base}/status: ${status.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
  return {from: base, data: [...cluster.data].sort((a, b) => a.id - b.id), meta: [...cluster.meta].sort((a, b) => a.id - b.id), raft, raftError}
}
