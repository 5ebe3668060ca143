import type {CatalogueEntry} from '../../types.js'

export const dataEntries: CatalogueEntry[] = []
