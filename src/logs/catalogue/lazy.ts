/**
 * The catalogue for `medic explain`, loaded piecemeal: the heads (heads.ts: ids, verdicts, patterns) for matching, and
 * the texts of an area's entries (entries/<area>.ts) only when one of them matched. A one-line `medic explain` then
 * parses one entry file instead of all of them (issue 13: cold start).
 */
import type {CatalogueEntry, CatalogueHead} from '../types.js'
import {HEADS} from './heads.js'
import {Matcher} from './matcher.js'

const LOADERS: Record<string, () => Promise<readonly CatalogueEntry[]>> = {
  cluster: async () => (await import('./entries/cluster.js')).clusterEntries,
  write: async () => (await import('./entries/write.js')).writeEntries,
  data: async () => (await import('./entries/data.js')).dataEntries,
  raft: async () => (await import('./entries/raft.js')).raftEntries,
  membership: async () => (await import('./entries/membership.js')).membershipEntries,
  devcluster: async () => (await import('./entries/devcluster.js')).devclusterEntries,
  ctl: async () => (await import('./entries/ctl.js')).ctlEntries,
  config: async () => (await import('./entries/config.js')).configEntries,
  operations: async () => (await import('./entries/operations.js')).operationEntries,
  causes: async () => (await import('./entries/causes.js')).causeEntries,
  clients: async () => (await import('./entries/clients.js')).clientEntries,
  eras: async () => (await import('./entries/eras.js')).eraEntries,
  benign: async () => (await import('./entries/benign.js')).benignEntries,
}

let matcher: Matcher<CatalogueHead> | undefined

/** The matcher over the heads: the same entries, in the same order, as the full catalogue's. */
export function headMatcher(): Matcher<CatalogueHead> {
  matcher ??= new Matcher(HEADS)
  return matcher
}

const loaded = new Map<string, Promise<readonly CatalogueEntry[]>>()

/** The full entry of a head (its area file is imported once). */
export async function loadEntry(head: CatalogueHead): Promise<CatalogueEntry> {
  const area = head.area ?? ''
  const loader = LOADERS[area]
  if (loader === undefined) throw new Error(`catalogue head ${head.id} names no known area (${area}); run npm run docs`)
  let entries = loaded.get(area)
  if (entries === undefined) {
    entries = loader()
    loaded.set(area, entries)
  }
  const entry = (await entries).find((e) => e.id === head.id)
  if (entry === undefined) throw new Error(`catalogue entry ${head.id} is not in entries/${area}; run npm run docs`)
  return entry
}

export {LOADERS as AREA_LOADERS}
