// A scenario's config overrides are set with the cluster's config line editor (cluster/configs/edit.ts).
export {applyOverrides, overrideConfigFile} from '../cluster/configs/edit.js'
