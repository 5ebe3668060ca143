/**
 * The data node's InfluxQL executor: statements in, influxd 1.6's results out, with shards read across the cluster
 * (runShardQuery on this node, RemoteShards for the others) and influxd's response bodies (response.ts).
 */
export * from './collaborators.js'
export {QueryExecutor, parseQueryRequest, type QueryRequest, type ExecuteOptions, type ExecutorDeps} from './executor.js'
export {decodePartial, encodePartial} from './partial-codec.js'
export {DEFAULT_CHUNK_SIZE, type Message, type OutCell, type Result, type Row, TimeCell} from './result.js'
export {QueryResponseWriter, contentType, errorBody, formatForAccept, renderResponse, type ResponseFormat, type ResponseOptions} from './response.js'
export {mergePartials, runShardQuery, type ShardReaders} from './shard-run.js'
export type * from './shard-types.js'
