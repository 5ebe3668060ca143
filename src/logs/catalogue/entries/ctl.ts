import type {CatalogueEntry} from '../../types.js'

export const ctlEntries: CatalogueEntry[] = []
