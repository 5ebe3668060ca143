import type {CatalogueEntry} from '../../types.js'

export const raftEntries: CatalogueEntry[] = []
