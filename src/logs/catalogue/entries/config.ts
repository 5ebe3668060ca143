import type {CatalogueEntry} from '../../types.js'

export const configEntries: CatalogueEntry[] = []
