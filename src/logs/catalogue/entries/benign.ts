import type {CatalogueEntry} from '../../types.js'

export const benignEntries: CatalogueEntry[] = []
