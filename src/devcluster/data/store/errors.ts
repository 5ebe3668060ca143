/**
 * The errors a shard write or a store operation ends with. Plain typed errors (this code runs inside a data node
 * process, never behind the CLI); each carries the text influxd 1.6.7 puts in the /write body and the HTTP status its
 * handler gives it: a PartialWriteError is 400, an error starting with "field type conflict" is 400, the rest 500.
 */
import {partialWriteText} from '../../../lineprotocol/errors.js'

export abstract class StoreError extends Error {
  /** The HTTP status influxd's /write handler answers with this error. */
  abstract readonly status: number
}

/** Some points were not written (tsdb.PartialWriteError): `partial write: <reason> dropped=<n>`. */
export class PartialWriteError extends StoreError {
  readonly status = 400
  constructor(readonly reason: string, readonly dropped: number) {
    super(partialWriteText(reason, dropped))
    this.name = 'PartialWriteError'
  }
}

/**
 * Two points of one batch create the same new field with different types (tsdb.ErrFieldTypeConflict from
 * MeasurementFields.CreateFieldIfNotExists): nothing of the batch was written.
 */
export class FieldTypeConflictError extends StoreError {
  readonly status = 400
  constructor() {
    super('field type conflict')
    this.name = 'FieldTypeConflictError'
  }
}

/** The storage engine refused or failed the write (`engine: <reason>`): nothing of the batch was written. */
export class EngineError extends StoreError {
  readonly status = 500
  constructor(reason: string, options?: {cause?: unknown}) {
    super(`engine: ${reason}`, options)
    this.name = 'EngineError'
  }
}

/** The shard's files could not be opened or written (its WAL directory, a snapshot): the message says which. */
export class StoreIoError extends StoreError {
  readonly status = 500
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'StoreIoError'
  }
}

/** A database or retention policy name that cannot be a directory name, or another bad argument. */
export class StoreUsageError extends StoreError {
  readonly status = 500
  constructor(message: string) {
    super(message)
    this.name = 'StoreUsageError'
  }
}

/** The store was closed, or failed on disk and must be reopened. */
export class StoreClosedError extends StoreError {
  readonly status = 500
  constructor(message = 'store is closed') {
    super(message)
    this.name = 'StoreClosedError'
  }
}

/** influxd's status for any error of a write: 400 for partial writes and field type conflicts, else 500. */
export function writeErrorStatus(err: unknown): number {
  if (err instanceof StoreError) return err.status
  const message = err instanceof Error ? err.message : String(err)
  return message.startsWith('field type conflict') ? 400 : 500
}
