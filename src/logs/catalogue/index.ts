/**
 * The catalogue: every log line, HTTP answer and influxd-ctl message medic recognises, with a stable id.
 * Entries live in entries/<area>.ts; this file fixes their order (which matters only among entries that share a
 * keyword) and builds the matcher once, on first use.
 */
import type {CatalogueEntry} from '../types.js'
import {benignEntries} from './entries/benign.js'
import {causeEntries} from './entries/causes.js'
import {clientEntries} from './entries/clients.js'
import {clusterEntries} from './entries/cluster.js'
import {configEntries} from './entries/config.js'
import {ctlEntries} from './entries/ctl.js'
import {dataEntries} from './entries/data.js'
import {devclusterEntries} from './entries/devcluster.js'
import {eraEntries} from './entries/eras.js'
import {membershipEntries} from './entries/membership.js'
import {operationEntries} from './entries/operations.js'
import {raftEntries} from './entries/raft.js'
import {writeEntries} from './entries/write.js'
import {editDistance} from '../../util/edit-distance.js'
import {Matcher} from './matcher.js'

/**
 * The entry files in catalogue order, by area name (the name heads.ts records, so that `medic explain` can load the
 * texts of one area when one of its entries matched).
 */
export const AREAS: ReadonlyArray<readonly [string, readonly CatalogueEntry[]]> = [
  ['cluster', clusterEntries],
  ['write', writeEntries],
  ['data', dataEntries],
  ['raft', raftEntries],
  ['membership', membershipEntries],
  ['devcluster', devclusterEntries],
  ['ctl', ctlEntries],
  ['config', configEntries],
  ['operations', operationEntries],
  ['causes', causeEntries],
  ['clients', clientEntries],
  ['eras', eraEntries],
  ['benign', benignEntries],
]

export const CATALOGUE: readonly CatalogueEntry[] = AREAS.flatMap(([, entries]) => entries)

let matcher: Matcher | undefined

export function catalogueMatcher(): Matcher {
  matcher ??= new Matcher(CATALOGUE)
  return matcher
}

const byId = new Map<string, CatalogueEntry>()

export function findEntry(id: string): CatalogueEntry | undefined {
  if (byId.size === 0) for (const e of CATALOGUE) byId.set(e.id, e)
  return byId.get(id)
}

/** Ids close to a mistyped one, for "did you mean": smallest edit distance first. */
export function similarIds(id: string, limit = 3): string[] {
  return CATALOGUE.map((e) => ({id: e.id, d: editDistance(id, e.id)}))
    .filter((x) => x.d <= Math.max(3, Math.floor(id.length / 3)))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((x) => x.id)
}
