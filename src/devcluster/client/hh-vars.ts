/**
 * A data node's hinted-handoff backlog as its /debug/vars tells it: the `hh_processor` statistics (one per queue,
 * tagged with the destination node) summed per destination. Used by `dev status` and `dev verify`.
 */
import {jsonOf, type NodeHttpClient} from '../node/http-client.js'

/** Bytes still queued per destination node id; undefined when the node does not answer. */
export async function hintedHandoffBytes(http: NodeHttpClient, httpAddr: string, headers: Record<string, string>, timeoutMs: number): Promise<Record<string, number> | undefined> {
  try {
    const r = await http.get(`http://${httpAddr}/debug/vars`, {timeoutMs, headers, maxResponseBytes: 64 * 1024 * 1024})
    if (r.status !== 200) return undefined
    const doc = jsonOf(r) as Record<string, {name?: string; tags?: Record<string, string>; values?: Record<string, unknown>} | null>
    const out: Record<string, number> = {}
    for (const v of Object.values(doc ?? {})) {
      if (v?.name !== 'hh_processor' || v.tags?.node === undefined) continue
      const bytes = typeof v.values?.queueBytes === 'number' ? v.values.queueBytes : 0
      out[v.tags.node] = (out[v.tags.node] ?? 0) + bytes
    }
    return out
  } catch {
    return undefined
  }
}
